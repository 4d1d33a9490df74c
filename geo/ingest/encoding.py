"""Text encodings of office files, decided strictly — never by dropping bytes.

CSV saved by Excel on Chinese Windows is GBK (GB18030 is its superset);
saved "as CSV UTF-8" it is UTF-8 with a byte-order mark; "Unicode text" is
UTF-16. The rule (design notes, "Chinese office data"): decode with
``utf-8-sig`` strictly, then ``gb18030`` strictly, and refuse the file if
neither works — ``errors="ignore"`` or ``"replace"`` would silently change
names. A GBK ``.dbf`` without ``.cpg`` is recognised from its bytes the same
way (GDAL alone reads it as Latin-1 mojibake, with no error).
"""

from __future__ import annotations

import codecs

from geo.ingest.messages import ingest_error
from geo.ingest.problems import IngestError

#: Labels shown to users for the encodings we decide on.
LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8（带 BOM）", "gb18030": "GBK/GB18030", "utf-16": "UTF-16",
          "ascii": "ASCII"}

# Code-page names seen in .cpg files, mapped to what we decode with.
_CPG = {
    "utf-8": "utf-8", "utf8": "utf-8", "65001": "utf-8",
    "936": "gb18030", "cp936": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "gb18030": "gb18030",
    "54936": "gb18030", "ansi 936": "gb18030",
    "1252": "cp1252", "cp1252": "cp1252", "ansi 1252": "cp1252", "iso-8859-1": "latin-1", "iso88591": "latin-1",
    "8859-1": "latin-1", "88591": "latin-1", "latin1": "latin-1", "latin-1": "latin-1",
}
#: dBASE language-driver ids (byte 29 of a .dbf) we trust.
_LDID = {0x4D: "gb18030", 0x7A: "gb18030"}  # 936 (GBK), 0x7A: PRC GBK in some writers


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode a text file strictly.

    Parameters
    ----------
    data : bytes
        The file.
    name : str
        For messages.

    Returns
    -------
    (text, encoding)
        ``encoding`` is ``"utf-8-sig"``, ``"utf-16"``, ``"utf-8"`` or
        ``"gb18030"`` (GBK files decode as GB18030, its superset).

    Raises
    ------
    IngestError
        ``encoding.unknown`` when no strict decoding works, naming the first
        bad byte's position.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _unknown(name, exc) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _unknown(name, exc) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as first:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise _unknown(name, first) from first


def _unknown(name: str, exc: UnicodeDecodeError) -> IngestError:
    return ingest_error("encoding.unknown", name=name, where=exc.start)


def detect_bytes(raw: bytes) -> str | None:
    """``"ascii"``, ``"utf-8"``, ``"gb18030"`` or None for bytes of unknown encoding (strict checks)."""
    return detect_segments([raw])


def _fits(segment: bytes, codec: str, tolerant: bool) -> bool:
    # dBASE field names are cut at 10 bytes, possibly inside a multi-byte character: allow a cut tail there.
    for cut in (range(0, 4) if tolerant else (0,)):
        try:
            (segment[: len(segment) - cut] if cut else segment).decode(codec)
            return True
        except UnicodeDecodeError:
            continue
    return False


def detect_segments(segments: list[bytes], names: list[bytes] = ()) -> str | None:
    """The first of ascii / utf-8 / gb18030 that decodes every segment strictly (``names`` may be cut short)."""
    if all(s.isascii() for s in segments) and all(n.isascii() for n in names):
        return "ascii"
    for codec in ("utf-8", "gb18030"):
        if all(_fits(s, codec, False) for s in segments) and all(_fits(n, codec, True) for n in names):
            return codec
    return None


def cpg_encoding(text: str) -> str | None:
    """The codec a ``.cpg`` names (``"936"`` -> ``"gb18030"``), or None when unknown."""
    key = " ".join(text.strip().lower().split())
    return _CPG.get(key) or _CPG.get(key.replace("-", "")) or _CPG.get(key.replace(" ", ""))


def ldid_encoding(dbf: bytes) -> str | None:
    """The codec the dBASE language-driver byte names, when it is one we trust."""
    return _LDID.get(dbf[29]) if len(dbf) > 29 else None


def dbf_parts(dbf: bytes) -> tuple[list[bytes], bytes]:
    """(field names, record bytes) of a ``.dbf`` — what an encoding must decode; ([], b"") if malformed."""
    if len(dbf) < 32:
        return [], b""
    header_len = int.from_bytes(dbf[8:10], "little")
    names: list[bytes] = []
    pos = 32
    while pos + 32 <= min(header_len, len(dbf)) and dbf[pos] != 0x0D:
        names.append(dbf[pos:pos + 11].split(b"\x00", 1)[0])
        pos += 32
    return names, dbf[header_len:]


def dbf_encoding(dbf: bytes, cpg: str | None) -> tuple[str | None, str]:
    """Decide the encoding of a ``.dbf``.

    Parameters
    ----------
    dbf : bytes
        The ``.dbf`` file.
    cpg : str or None
        The text of the ``.cpg`` file, when there is one.

    Returns
    -------
    (encoding, how)
        ``encoding`` is a Python codec name, or None when the bytes fit no
        encoding we know. ``how`` is ``"cpg"`` (the ``.cpg`` was right),
        ``"ldid"`` (the language-driver byte), ``"detected"`` (no usable
        declaration: decided from the bytes), ``"cpg_wrong"`` (the ``.cpg``
        named an encoding the bytes do not fit, or Latin-1 over GBK bytes:
        decided from the bytes) or ``"unknown"``.
    """
    names, records = dbf_parts(dbf)
    found = detect_segments([records], names)
    declared = cpg_encoding(cpg) if cpg else None
    if declared in ("utf-8", "gb18030"):
        if _fits(records, declared, False) and all(_fits(n, declared, True) for n in names):
            return declared, "cpg"
        return found, "cpg_wrong" if found else "unknown"
    if declared in ("cp1252", "latin-1"):
        # Latin-1 decodes anything: trust it only when the bytes are not valid Chinese text.
        if found in ("utf-8", "gb18030"):
            return found, "cpg_wrong"
        return declared, "cpg"
    ldid = ldid_encoding(dbf)
    if ldid and found in ("ascii", ldid):
        return ldid, "ldid"
    if found == "ascii":
        return "utf-8", "detected"
    if found:
        return found, "detected"
    return None, "unknown"


def repair_dbf_names(dbf: bytes, codec: str) -> tuple[bytes, list[str]]:
    """Cut field names that end inside a multi-byte character (dBASE cuts names at 10 bytes).

    GDAL writes ``所属镇街`` in UTF-8 as the first 10 bytes — 3⅓ characters —
    and then cannot read its own file back. The broken tail is dropped from the
    header of our private copy, so the name reads as ``所属镇``.

    Returns
    -------
    (dbf, names)
        The (possibly) repaired file, and the names that were cut.
    """
    if len(dbf) < 32 or codec not in ("utf-8", "gb18030"):
        return dbf, []
    out = bytearray(dbf)
    header_len = int.from_bytes(dbf[8:10], "little")
    cut: list[str] = []
    pos = 32
    while pos + 32 <= min(header_len, len(dbf)) and dbf[pos] != 0x0D:
        raw = dbf[pos:pos + 11].split(b"\x00", 1)[0]
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            for n in range(1, 4):
                try:
                    name = raw[:-n].decode(codec)
                except UnicodeDecodeError:
                    continue
                out[pos:pos + 11] = raw[:-n].ljust(11, b"\x00")
                cut.append(name)
                break
        pos += 32
    return bytes(out), cut
