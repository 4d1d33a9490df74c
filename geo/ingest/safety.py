"""Limits checked *before* a file is parsed: size, archives, JSON depth, XML entities.

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
* XML (KML) with a ``DOCTYPE`` or ``ENTITY`` is refused: KML never needs
  one, and entities are how "billion laughs" and external-entity attacks work;
* a table has at most :data:`MAX_ROWS` rows and :data:`MAX_COLUMNS` columns.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from geo.ingest.problems import IngestError

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
#: Columns in one table.
MAX_COLUMNS = 500
#: Members ending like this are archives; nested archives are refused.
ARCHIVE_SUFFIXES = (".zip", ".kmz", ".7z", ".rar", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".zst", ".jar", ".cab")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_size(data: bytes, name: str) -> None:
    """Refuse a file larger than :data:`MAX_FILE_BYTES` or empty."""
    if not data:
        raise IngestError(
            "file.empty",
            en=f"{name} is empty (0 bytes): choose the ledger file itself.",
            zh=f"文件“{name}”为空（0 字节）：请选择台账文件本身。",
            value=name, fix_zh="重新导出或保存台账后再上传。", fix_en="Save or export the ledger again and upload it.",
        )
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(
            "file.too_large",
            en=f"{name} is {_mb(len(data))}; the limit is {_mb(MAX_FILE_BYTES)}. Split the ledger by kind or town.",
            zh=f"文件“{name}”大小为 {_mb(len(data))}，超过上限 {_mb(MAX_FILE_BYTES)}。请按类型或镇街拆分台账。",
            value=name, fix_zh="按点位类型或镇街拆分为多个文件分别导入。", fix_en="Split the file by kind or by town.",
        )


@dataclass(frozen=True)
class ZipMember:
    """A member of a ZIP that passed inspection."""

    name: str
    size: int
    compressed: int


def _refuse(code: str, name: str, en: str, zh: str, member: str = "") -> IngestError:
    return IngestError(code, en=f"{name}: {en}", zh=f"“{name}”：{zh}", value=member or name,
                       fix_zh="请上传只包含台账文件的普通压缩包（不要嵌套压缩包、链接或加密）。",
                       fix_en="Upload a plain ZIP holding only the ledger files (no nested archives, links or encryption).")


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
        raise _refuse("zip.too_many", name, f"{len(infos)} members; at most {MAX_ZIP_MEMBERS} are accepted.",
                      f"包含 {len(infos)} 个文件，超过上限 {MAX_ZIP_MEMBERS} 个。")
    total = 0
    out: list[ZipMember] = []
    for info in infos:
        member = info.filename
        parts = PurePosixPath(member.replace("\\", "/")).parts
        if (member.startswith(("/", "\\")) or ".." in parts or (len(member) > 1 and member[1] == ":")
                or "\x00" in member):
            raise _refuse("zip.unsafe_name", name, f"member {member!r} has an absolute or parent path.",
                          f"包含不安全的路径“{member}”（绝对路径或 ..）。", member)
        mode = (info.external_attr >> 16) & 0o170000
        if info.create_system == 3 and mode == stat.S_IFLNK:
            raise _refuse("zip.link", name, f"member {member!r} is a symbolic link.",
                          f"包含符号链接“{member}”。", member)
        if info.flag_bits & 0x1:
            raise _refuse("zip.encrypted", name, f"member {member!r} is encrypted.", f"“{member}”已加密。", member)
        if info.is_dir():
            continue
        if not allow_nested and member.lower().endswith(ARCHIVE_SUFFIXES):
            raise _refuse("zip.nested", name, f"member {member!r} is itself an archive; unpack it first.",
                          f"内含压缩包“{member}”：请先解压，只上传台账文件。", member)
        total += info.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise _refuse("zip.too_large", name,
                          f"unpacks to more than {_mb(MAX_UNCOMPRESSED_BYTES)}.",
                          f"解压后超过 {_mb(MAX_UNCOMPRESSED_BYTES)}。", member)
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse("zip.bomb", name,
                          f"member {member!r} claims to expand {info.file_size // max(info.compress_size, 1)} times "
                          f"(limit {MAX_RATIO}); refused as a ZIP bomb.",
                          f"“{member}”声称可膨胀 {info.file_size // max(info.compress_size, 1)} 倍（上限 {MAX_RATIO} 倍），"
                          "按压缩炸弹拒绝。", member)
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
        raise IngestError(
            "zip.corrupt", en=f"{name}: member {member!r} is damaged ({exc}).",
            zh=f"“{name}”：其中的“{member}”已损坏（{exc}）。", value=member,
            fix_zh="重新压缩或导出后再上传。", fix_en="Zip or export the files again and upload.",
        ) from exc
    if len(data) > info.file_size:
        raise _refuse("zip.bomb", name, f"member {member!r} expands beyond its declared size.",
                      f"“{member}”解压后超过其声明的大小。", member)
    return data


def open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """Open ``data`` as a ZIP or raise ``file.not_zip``."""
    import io

    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(
            "file.not_zip",
            en=f"{name} is not a readable ZIP file ({exc}).",
            zh=f"“{name}”不是可读取的压缩文件（{exc}）。",
            value=name, fix_zh="请重新导出或压缩后再上传。", fix_en="Export or zip the files again and upload.",
        ) from exc


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
        raise IngestError(
            "json.too_deep",
            en=f"{name} is nested more than {MAX_JSON_DEPTH} levels deep; GeoJSON never needs that.",
            zh=f"“{name}”嵌套超过 {MAX_JSON_DEPTH} 层，不是正常的 GeoJSON。",
            value=name, fix_zh="请用 QGIS 等软件重新导出为 GeoJSON。", fix_en="Export it again as GeoJSON (e.g. from QGIS).",
        )


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def check_xml(data: bytes, name: str) -> None:
    """Refuse XML that declares a DOCTYPE or entities (KML needs neither)."""
    head = data[:1_000_000].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise IngestError(
            "kml.doctype",
            en=f"{name} declares a DOCTYPE/ENTITY; KML never needs one and it is refused for safety.",
            zh=f"“{name}”包含 DOCTYPE/ENTITY 声明；KML 不需要此类声明，出于安全考虑拒绝读取。",
            value=name, fix_zh="请用奥维地图或 Google Earth 重新导出 KML。", fix_en="Export the KML again from Ovi or Google Earth.",
        )


def check_rows(n: int, name: str) -> None:
    if n > MAX_ROWS:
        raise IngestError(
            "file.too_many_rows",
            en=f"{name} has {n} rows or features; the limit is {MAX_ROWS}. Split it.",
            zh=f"“{name}”有 {n} 行（要素），超过上限 {MAX_ROWS}。请拆分后导入。",
            value=name, fix_zh="按点位类型或镇街拆分为多个文件。", fix_en="Split the file by kind or town.",
        )


def check_columns(n: int, name: str) -> None:
    if n > MAX_COLUMNS:
        raise IngestError(
            "file.too_many_columns",
            en=f"{name} has {n} columns; the limit is {MAX_COLUMNS}.",
            zh=f"“{name}”有 {n} 列，超过上限 {MAX_COLUMNS} 列。",
            value=name, fix_zh="删除无关的列后再导入。", fix_en="Delete the columns that do not belong to the ledger.",
        )
