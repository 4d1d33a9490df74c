"""Hostile inputs built in code (nothing large is committed): what an attacker or a clumsy operator uploads.

Each builder returns bytes small enough to keep in memory; the harm they do
is in what they *claim* (a cell at XFD1048576, a merged range over the whole
sheet, 5,000 nested folders, a 20 MB line), not in their size. The hostile
corpus test (``tests/test_hostile.py``) and ``bench/hostile.py`` (before/after
figures) both use them.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Sequence
from xml.sax.saxutils import escape

from tests.ingest_factories import OUTFALL_HEADERS, OUTFALL_ROW, csv_bytes, kml_bytes, outfall_rows

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def col_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _cell_xml(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def raw_xlsx(rows: Sequence[Sequence], *, dimension: str | None = None, merges: Sequence[str] = (),
             extra_xml_rows: str = "", doctype: str = "", sheet_name: str = "台账", styles: bool = False) -> bytes:
    """A minimal workbook written by hand, so its sheet XML says exactly what a test wants.

    Parameters
    ----------
    rows : sequence of rows
        Values from A1 down (text as inline strings, numbers as numbers).
    dimension : str, optional
        The ``<dimension ref=…>`` the sheet claims (default: the rows' own extent).
    merges : sequence of str
        ``<mergeCell ref=…>`` entries.
    extra_xml_rows : str
        Raw ``<row>`` elements appended after ``rows`` (e.g. a cell at XFD1048576).
    doctype : str
        A DOCTYPE put into the sheet XML's prolog.
    styles : bool
        Add a styles part with a second cell format (``s="1"``: a formatted cell).
    """
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell_xml(f"{col_letter(c)}{r}", v) for c, v in enumerate(row, start=1))
        body.append(f'<row r="{r}">{cells}</row>')
    width = max((len(r) for r in rows), default=1)
    dim = dimension or f"A1:{col_letter(width)}{max(len(rows), 1)}"
    merge_xml = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
                 + "</mergeCells>") if merges else ""
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}<worksheet {_NS} {_REL_NS}>'
             f'<dimension ref="{dim}"/><sheetData>{"".join(body)}{extra_xml_rows}</sheetData>{merge_xml}'
             "</worksheet>")
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        + ('<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
           'spreadsheetml.styles+xml"/>' if styles else "") + "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    workbook = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} {_REL_NS}><sheets>'
                f'<sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wb_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
               'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
               'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
               + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                  'styles" Target="styles.xml"/>' if styles else "") + "</Relationships>")
    members = {"[Content_Types].xml": content_types, "_rels/.rels": rels, "xl/workbook.xml": workbook,
               "xl/_rels/workbook.xml.rels": wb_rels, "xl/worksheets/sheet1.xml": sheet}
    if styles:
        members["xl/styles.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {_NS}><numFmts count="1"><numFmt numFmtId="164" '
            'formatCode="0.00"/></numFmts><fonts count="1"><font><sz val="11"/></font></fonts><fills count="1">'
            '<fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            "</styleSheet>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text.encode("utf-8"))
    return buf.getvalue()


def ledger_rows() -> list[list]:
    """A valid one-row outfall ledger (header + row)."""
    return outfall_rows({})


# -- 1. xlsx that claims a huge sheet ----------------------------------------------------------------------------
def xlsx_cell_at_xfd() -> bytes:
    """A valid ledger plus one cell holding a value at XFD1048576 (the last cell of a sheet): ~5 KB."""
    return raw_xlsx(ledger_rows(), dimension="A1:XFD1048576",
                    extra_xml_rows='<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')


def xlsx_merged_to_the_end() -> bytes:
    """A valid ledger with one merged range I3:XFD1048576 (17 billion cells)."""
    return raw_xlsx(ledger_rows(), merges=["I3:XFD1048576"])


def xlsx_formatted_empty_last_row() -> bytes:
    """A valid ledger plus an empty but formatted cell at A1048576 (the used range reaches the last row)."""
    return raw_xlsx(ledger_rows(), dimension="A1:H1048576", styles=True,
                    extra_xml_rows='<row r="1048576"><c r="A1048576" s="1"/></row>')


def xlsx_lying_dimension() -> bytes:
    """A ledger whose sheet says it is A1:A1 but holds a value at column 600 (past the column limit)."""
    return raw_xlsx(ledger_rows(), dimension="A1:A1",
                    extra_xml_rows=f'<row r="3"><c r="{col_letter(600)}3" t="inlineStr"><is><t>x</t></is></c></row>')


def xlsx_with_doctype() -> bytes:
    """A workbook whose sheet XML declares a DOCTYPE with entities (openpyxl must never expand them)."""
    return raw_xlsx(ledger_rows(), doctype='<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>')


# -- 2. deep XML -------------------------------------------------------------------------------------------------
_POINT = "<Point><coordinates>119.45,25.68</coordinates></Point>"


def kml_nested_folders(depth: int = 5000) -> bytes:
    """A placemark inside ``depth`` nested folders."""
    pm = ("<Placemark><name>x</name><ExtendedData><Data name=\"编号\"><value>PWK-101</value></Data></ExtendedData>"
          + _POINT + "</Placemark>")
    body = "<Folder><name>f</name>" * depth + pm + "</Folder>" * depth
    return (f'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>{body}'
            "</Document></kml>").encode()


def kml_nested_multigeometry(depth: int = 3000) -> bytes:
    """A placemark whose geometry is ``depth`` nested MultiGeometry elements."""
    geom = "<MultiGeometry>" * depth + _POINT + "</MultiGeometry>" * depth
    return kml_bytes([("x", {"编号": "PWK-101"}, geom)])


# -- 20.0 DOCTYPE/entities in any encoding -------------------------------------------------------------------------
_LAUGHS = '<!DOCTYPE kml [<!ENTITY a "哈哈哈哈哈哈哈哈"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def kml_entities(encoding: str, *, bom: bool = True) -> bytes:
    """A KML with a DOCTYPE and nested entities expanded into a site name, in ``encoding``."""
    text = (f'<?xml version="1.0" encoding="{encoding.upper().replace("-LE", "").replace("-BE", "")}"?>{_LAUGHS}'
            '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&b;</name><ExtendedData>'
            '<Data name="编号"><value>PWK-101</value></Data>'
            '<Data name="所属镇街"><value>海口镇</value></Data><Data name="所在海湾"><value>福清湾</value></Data>'
            '<Data name="排污口类型"><value>工业排污口</value></Data></ExtendedData>'
            f"{_POINT}</Placemark></Document></kml>")
    data = text.encode(encoding)
    boms = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00",
            "utf-32-be": b"\x00\x00\xfe\xff", "utf-8": b"\xef\xbb\xbf"}
    return (boms[encoding] if bom else b"") + data


def kmz_of(kml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", kml)
    return buf.getvalue()


# -- 10. control characters ------------------------------------------------------------------------------------------
CONTROL_NAMES = {
    "nul": "福清\x00排口",
    "esc": "福清\x1b[31m排口",
    "bel": "福清\x07排口",
    "rlo": "福清\u202e口排",
}


def csv_with_name(name: str) -> bytes:
    return csv_bytes(outfall_rows({"名称": name}))


def csv_long_name(n: int) -> bytes:
    return csv_with_name("长" * n)


# -- 11. CSV oddities --------------------------------------------------------------------------------------------
def csv_header_only() -> bytes:
    return csv_bytes([OUTFALL_HEADERS])


def csv_one_long_line(mb: int = 20) -> bytes:
    """One line of ``mb`` MB: eight header cells of ``mb``/8 MB each, no data."""
    cell = "表" * (mb * 1024 * 1024 // 8 // 3)
    return ",".join(f"{cell}{i}" for i in range(8)).encode()


# -- 12. photos ----------------------------------------------------------------------------------------------------
def png_bomb(side: int = 7000, *, alpha: bool = True) -> bytes:
    """A valid, plain-coloured RGB(A) PNG of ``side`` x ``side`` pixels (~200 KB: it compresses ~1000:1)."""
    px = b"\x80\x90\xa0\xff" if alpha else b"\x80\x90\xa0"
    row = b"\x00" + px * side
    comp = zlib.compressobj(9)
    comp_data = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 6 if alpha else 2, 0, 0, 0))
            + chunk(b"IDAT", comp_data) + chunk(b"IEND", b""))


# -- 8. names that Markdown would turn into requests or links --------------------------------------------------------
BEACON_HOST = "beacon.invalid"
HOSTILE_NAMES = (
    f"![t](http://{BEACON_HOST}/beacon.png)",
    f"[点我](http://{BEACON_HOST}/phish)",
    f"http://{BEACON_HOST}/bare",
    f"www.{BEACON_HOST}",
    f"mail@{BEACON_HOST}",
    f"<img src=http://{BEACON_HOST}/x.png>",
    ":red[恶意] $x^2$ **恶意粗体** # 标题",
)


def outfall_row_for(name: str) -> list:
    row = list(OUTFALL_ROW)
    row[OUTFALL_HEADERS.index("名称")] = name
    return row
#: An account name that Markdown would turn into a request.
HOSTILE_USER = f"![u](http://{BEACON_HOST}/u.png)"


def add_hostile_sites(store) -> list[str]:
    """Outfalls in 海口镇 named with :data:`HOSTILE_NAMES` (also their responsible body and the file's free text),
    an admin called :data:`HOSTILE_USER` who changed one
    with a hostile note; returns the site ids."""
    from shapely.geometry import Point

    from geo.store import NewSite
    from tests.factories import PASSWORD, SYSTEM

    ids = [f"PWK-9{i:02d}" for i in range(len(HOSTILE_NAMES))]
    store.add_sites(SYSTEM, [
        NewSite(kind="outfalls", site_id=sid, name=name, town_code="350181103", status="surveyed",
                geometry=Point(119.44 + 0.003 * i, 25.675), responsible=name,
                attrs={"discharge_into": "sea", "receiving_water": "fuqing_bay", "outfall_type": "industrial",
                       # the outfall file's free text, shown in the detail panel's tables and lists
                       "water_body_name": name, "permit_no": name, "source_units": name, "remediation_plan": name,
                       "milestones": f"2026-01-01 {name}"})
        for i, (sid, name) in enumerate(zip(ids, HOSTILE_NAMES))])
    store.add_user(SYSTEM, HOSTILE_USER, "admin", password=PASSWORD)
    from geo.store import Actor

    site = store.get_site(SYSTEM, ids[0])
    store.change_status(Actor(HOSTILE_USER, role="admin"), ids[0], "monitored", expected_version=site.version,
                        op_id="hostile-1", note=HOSTILE_NAMES[1])
    return ids
