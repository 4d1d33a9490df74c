"""Limits checked *before* (or while) a file is parsed: size, archives, nesting, line length, sheet extent.

An upload is untrusted. Every limit is data with the reason beside it, and
every refusal is an :class:`~geo.ingest.problems.IngestError` that names the
limit and the fix:

* the file itself is at most :data:`MAX_FILE_BYTES`;
* a ZIP (Shapefile ZIP, KMZ, and xlsx, which is a ZIP too) is inspected from
  its central directory **without extracting anything**: no absolute names,
  no ``..``, no drive letters, no symbolic links, no encrypted members, no
  archive inside the archive (a Shapefile ZIP or a KMZ never needs one),
  at most :data:`MAX_ZIP_MEMBERS` members, at most
  :data:`MAX_UNCOMPRESSED_BYTES` unpacked and no member that claims to
  expand more than :data:`MAX_RATIO` times (a bomb); reading a member stops
  at its declared size, so a lying header cannot expand further;
* JSON nested deeper than :data:`MAX_JSON_DEPTH` is refused before
  :func:`json.loads` could recurse on it;
* XML (KML, KMZ, the parts of an xlsx) is parsed with defusedxml, DTDs
  forbidden whatever the encoding (:mod:`geo.ingest.xmlsafe`): KML and Excel
  never need one, and entities are how "billion laughs" and external-entity
  attacks work; elements nest at most :data:`MAX_XML_DEPTH` deep (checked
  while parsing, before anything recurses over the tree);
* a CSV line is at most :data:`MAX_LINE_CHARS` characters and a header at
  most :data:`MAX_HEADER_CHARS` (a one-line 20 MB "CSV" is refused before it
  is split into cells, and never echoed back in messages);
* an xlsx sheet holds values within :data:`MAX_SHEET_ROW` rows and
  :data:`MAX_COLUMNS` columns and merges no range beyond them — checked from
  the sheet's own XML before openpyxl reads it, then read in read-only
  (streaming) mode over that extent only (:mod:`geo.ingest.xlsx`);
* a table has at most :data:`MAX_ROWS` rows and :data:`MAX_COLUMNS` columns.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from geo.ingest.messages import ingest_error
from geo.ingest.problems import IngestError  # noqa: F401 - what every check here raises

#: 50 MB: the bureau's largest ledgers are a few MB; a larger upload is a mistake or an attack.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Unpacked size of every member of a ZIP together.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: A member that expands more than this many times is treated as a bomb (text compresses ~10x).
MAX_RATIO = 200
#: Members in one ZIP (a Shapefile ZIP has ~5 per layer).
MAX_ZIP_MEMBERS = 500
#: JSON nesting (a GeoJSON MultiPolygon needs 6 levels).
MAX_JSON_DEPTH = 64
#: Rows or features in one file.
MAX_ROWS = 100_000
#: The last sheet row an xlsx value may sit in (a ledger of MAX_ROWS rows with titles and some blank rows fits;
#: Excel's own last row, 1,048,576, does not).
MAX_SHEET_ROW = 2 * MAX_ROWS
#: XML element nesting (KML: Document/Folder/Placemark/MultiGeometry/Polygon/outerBoundaryIs/LinearRing/
#: coordinates is 9 levels; 100 leaves room for 90 folder levels and keeps any recursion over the tree shallow).
MAX_XML_DEPTH = 100
#: Characters in one CSV line: 500 columns of 2,000 characters each. A longer line is not a ledger row.
MAX_LINE_CHARS = 1_000_000
#: Characters in one header cell (a column name, not a paragraph).
MAX_HEADER_CHARS = 200
#: Columns in one table.
MAX_COLUMNS = 500
#: Members ending like this are archives; nested archives are refused.
ARCHIVE_SUFFIXES = (".zip", ".kmz", ".7z", ".rar", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".zst", ".jar", ".cab")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_size(data: bytes, name: str) -> None:
    """Refuse a file larger than :data:`MAX_FILE_BYTES` or empty."""
    if not data:
        raise ingest_error("file.empty", name=name)
    if len(data) > MAX_FILE_BYTES:
        raise ingest_error("file.too_large", name=name, size=_mb(len(data)), limit=_mb(MAX_FILE_BYTES))


@dataclass(frozen=True)
class ZipMember:
    """A member of a ZIP that passed inspection."""

    name: str
    size: int
    compressed: int


def inspect_zip(zf: zipfile.ZipFile, name: str, *, allow_nested: bool = False) -> list[ZipMember]:
    """Check every member of an open ZIP from its directory; nothing is extracted.

    Parameters
    ----------
    zf : zipfile.ZipFile
    name : str
        The upload's name, for messages.
    allow_nested : bool
        xlsx files may embed other Office files; Shapefile ZIPs and KMZ may not.

    Returns
    -------
    list of ZipMember
        The file members (directories left out).

    Raises
    ------
    IngestError
        ``zip.unsafe_name``, ``zip.link``, ``zip.encrypted``, ``zip.nested``,
        ``zip.too_many``, ``zip.too_large`` or ``zip.bomb``.
    """
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ingest_error("zip.too_many", name=name, n=len(infos), limit=MAX_ZIP_MEMBERS)
    total = 0
    out: list[ZipMember] = []
    for info in infos:
        member = info.filename
        parts = PurePosixPath(member.replace("\\", "/")).parts
        if (member.startswith(("/", "\\")) or ".." in parts or (len(member) > 1 and member[1] == ":")
                or "\x00" in member):
            raise ingest_error("zip.unsafe_name", name=name, member=member, value=member)
        mode = (info.external_attr >> 16) & 0o170000
        if info.create_system == 3 and mode == stat.S_IFLNK:
            raise ingest_error("zip.link", name=name, member=member, value=member)
        if info.flag_bits & 0x1:
            raise ingest_error("zip.encrypted", name=name, member=member, value=member)
        if info.is_dir():
            continue
        if not allow_nested and member.lower().endswith(ARCHIVE_SUFFIXES):
            raise ingest_error("zip.nested", name=name, member=member, value=member)
        total += info.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise ingest_error("zip.too_large", name=name, limit=_mb(MAX_UNCOMPRESSED_BYTES), value=member)
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ingest_error("zip.bomb", name=name, member=member, value=member, limit=MAX_RATIO,
                               ratio=info.file_size // max(info.compress_size, 1))
        out.append(ZipMember(member, info.file_size, info.compress_size))
    return out


def read_member(zf: zipfile.ZipFile, member: str, name: str) -> bytes:
    """Read one inspected member, never more than its declared size (a lying header stops here)."""
    import zlib

    info = zf.getinfo(member)
    try:
        with zf.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise ingest_error("zip.corrupt", name=name, member=member, value=member, detail=str(exc)[:200]) from exc
    if len(data) > info.file_size:
        raise ingest_error("zip.bomb|overrun", name=name, member=member, value=member)
    return data


def open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """Open ``data`` as a ZIP or raise ``file.not_zip``."""
    import io

    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ingest_error("file.not_zip", name=name, detail=str(exc)[:200]) from exc


def check_json_depth(text: str, name: str) -> None:
    """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH` (scanned, not parsed).

    Strings are removed first (a bracket inside a string does not nest), then
    the running depth of the remaining brackets is computed with numpy.
    """
    import numpy as np

    bare = _JSON_STRING.sub("", text)
    brackets = _NOT_BRACKET.sub("", bare).encode("ascii")
    if not brackets:
        return
    arr = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((arr == ord("[")) | (arr == ord("{")), 1, -1)
    if int(np.cumsum(steps).max()) > MAX_JSON_DEPTH:
        raise ingest_error("json.too_deep", name=name, limit=MAX_JSON_DEPTH)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def check_rows(n: int, name: str) -> None:
    """Refuse more than :data:`MAX_ROWS` rows or features."""
    if n > MAX_ROWS:
        raise ingest_error("file.too_many_rows", name=name, n=n, limit=MAX_ROWS)


def check_columns(n: int, name: str) -> None:
    """Refuse more than :data:`MAX_COLUMNS` columns."""
    if n > MAX_COLUMNS:
        raise ingest_error("file.too_many_columns", name=name, n=n, limit=MAX_COLUMNS)


def check_lines(text: str, name: str) -> None:
    """Refuse a text with a line longer than :data:`MAX_LINE_CHARS` (before any CSV parsing)."""
    size = len(text)
    if size <= MAX_LINE_CHARS:
        return
    start, line = 0, 1
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            end = size
        if end - start > MAX_LINE_CHARS:
            raise ingest_error("csv.line_too_long", name=name, line=line, n=f"{end - start:,}",
                               limit=f"{MAX_LINE_CHARS:,}")
        start, line = end + 1, line + 1


def check_header(text: str, name: str) -> None:
    """Refuse a header cell longer than :data:`MAX_HEADER_CHARS` (it would be echoed in every message)."""
    if len(text) > MAX_HEADER_CHARS:
        from geo.ingest.problems import short

        raise ingest_error("table.header_too_long", name=name, value=short(text, 40), n=f"{len(text):,}",
                           limit=MAX_HEADER_CHARS)
