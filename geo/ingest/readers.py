"""Readers, one per format, each giving the same :class:`RawTable` (pure: no database, no Streamlit).

=========  =====================================================================================
format     how it is read
=========  =====================================================================================
xlsx       openpyxl, cached values (``data_only``); the sheet named after the kind, else the first
           sheet with data (the export's 汇总 summary sheet is skipped); title rows above the
           header skipped; vertically merged cells filled down; formula cells without a cached
           value reported, never read as empty. Row = the Excel row number.
CSV        UTF-8 / UTF-8 with BOM / UTF-16 / GBK-GB18030, decided strictly
           (:mod:`geo.ingest.encoding`); delimiter sniffed among ``, ; tab |``. Row = the line
           as Excel numbers it.
GeoJSON    ``json`` after a depth check; FeatureCollection, Feature, a list of features or a
           bare geometry. Row = feature number.
KML/KMZ    ElementTree after refusing DOCTYPE/ENTITY; every Placemark with its ExtendedData
           (Data and SchemaData), else the attribute table in its description; the enclosing
           Folder is the layer. Row = placemark number.
Shapefile  a ZIP, inspected first; the ``.dbf`` encoding is decided from ``.cpg``, the language
           driver byte or the bytes themselves (GBK without ``.cpg`` is not read as Latin-1);
           read with pyogrio. Row = feature number.
GPKG       pyogrio from a private temporary copy; the layer named after the kind, else the only
           one. Row = feature number.
=========  =====================================================================================

Anything that makes the whole file unreadable raises
:class:`~geo.ingest.problems.IngestError`; a single bad geometry is kept on
its row (``geometry_error``) so the other rows can still be checked.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree as ET

import numpy as np
import shapely
from shapely.geometry import LinearRing, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from geo.ingest import encoding as enc
from geo.ingest import safety
from geo.ingest.columns import header_key, recognise
from geo.ingest.problems import IngestError, Problem

__all__ = ["RawRow", "RawTable", "FORMATS", "detect_format", "read_upload"]

#: Format key -> (zh, en) label.
FORMATS = {
    "xlsx": ("Excel 表格", "Excel workbook"),
    "csv": ("CSV 表格", "CSV table"),
    "geojson": ("GeoJSON", "GeoJSON"),
    "kml": ("KML", "KML"),
    "kmz": ("KMZ", "KMZ"),
    "shp": ("Shapefile（ZIP）", "Shapefile (ZIP)"),
    "gpkg": ("GeoPackage", "GeoPackage"),
}
TABLE_FORMATS = ("xlsx", "csv")
SUMMARY_SHEETS = ("汇总", "说明", "summary", "readme")
_HEADER_SCAN = 20
_BLANK_RUN_STOP = 2000


@dataclass
class RawRow:
    """One row or feature as read, before any checking.

    Attributes
    ----------
    row : int
        As the user sees it (Excel row, CSV line, feature number).
    values : dict
        Header -> raw cell value.
    geometry : shapely geometry or None
        GIS formats only.
    geometry_error : str or None
        Why the geometry could not be read (GIS formats).
    layer : str
        Sheet, folder or layer name when it helps to say it.
    formula_missing : set of str
        Headers whose cell is a formula with no cached value (xlsx).
    """

    row: int
    values: dict[str, Any]
    geometry: BaseGeometry | None = None
    geometry_error: str | None = None
    layer: str = ""
    formula_missing: set[str] = field(default_factory=set)


@dataclass
class RawTable:
    """A file as read: headers, rows and what was noticed on the way.

    Attributes
    ----------
    format : str
        A key of :data:`FORMATS`.
    source_name : str
        The upload's file name.
    headers : list of str
    rows : list of RawRow
    has_geometry : bool
        GIS format: each row may carry a geometry.
    declared_crs : str or None
        The CRS the file itself declares (``.prj``, GeoPackage, GeoJSON ``crs``), as
        ``EPSG:nnnn`` or WKT.
    notes : list of Problem
        File-level findings (warnings): encoding decided, title rows skipped,
        merged cells filled, blank rows skipped ...
    choices : list of str
        Sheets or layers the file has (for the user to pick).
    chosen : list of str
        The sheet(s) or layer(s) read.
    encoding : str or None
        Text encoding decided (CSV, Shapefile).
    header_row : int
        Where the header was (tables), else 0.
    """

    format: str
    source_name: str
    headers: list[str]
    rows: list[RawRow]
    has_geometry: bool = False
    declared_crs: str | None = None
    notes: list[Problem] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)
    encoding: str | None = None
    header_row: int = 0

    @property
    def row_unit(self) -> str:
        return "row" if self.format in TABLE_FORMATS else "feature"


def _note(code: str, *, zh: str, en: str, fix_zh: str = "", fix_en: str = "", value: str = "") -> Problem:
    return Problem(row=None, column="", code=code, message_zh=zh, message_en=en, fix_zh=fix_zh, fix_en=fix_en,
                   severity="warning", value=value)


# --------------------------------------------------------------------------
# Dispatch
# --------------------------------------------------------------------------
def detect_format(name: str, data: bytes) -> str:
    """The format of an upload from its name, checked against its first bytes.

    Raises
    ------
    IngestError
        ``format.unsupported`` (with the accepted formats) or ``format.mismatch``
        when the content is not what the name says.
    """
    suffix = PurePosixPath(name.lower()).suffix
    by_suffix = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".txt": "csv", ".tsv": "csv",
                 ".geojson": "geojson", ".json": "geojson", ".kml": "kml", ".kmz": "kmz", ".zip": "shp",
                 ".gpkg": "gpkg"}
    fmt = by_suffix.get(suffix)
    if fmt is None:
        if suffix in (".xls", ".et", ".wps"):
            fix_zh, fix_en = "在 Excel/WPS 中“另存为 .xlsx”后上传。", "Save it as .xlsx in Excel or WPS, then upload."
        elif suffix in (".shp", ".dbf", ".shx"):
            fix_zh, fix_en = ("把 .shp、.shx、.dbf（及 .prj、.cpg）一起压缩成 ZIP 后上传。",
                              "Zip the .shp, .shx and .dbf (and .prj, .cpg) together and upload the ZIP.")
        else:
            fix_zh, fix_en = "支持 xlsx、CSV、GeoJSON、KML/KMZ、Shapefile ZIP、GeoPackage。", \
                "Use xlsx, CSV, GeoJSON, KML/KMZ, a Shapefile ZIP or GeoPackage."
        raise IngestError(
            "format.unsupported",
            en=f"{name}: files of type {suffix or '(none)'} cannot be imported. {fix_en}",
            zh=f"“{name}”：不支持导入 {suffix or '（无扩展名）'} 文件。{fix_zh}",
            value=name, fix_zh=fix_zh, fix_en=fix_en,
        )
    zipped = data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06"
    expected_zip = fmt in ("xlsx", "kmz", "shp")
    if fmt == "gpkg" and not data.startswith(b"SQLite format 3\x00"):
        raise _mismatch(name, "GeoPackage")
    if expected_zip and not zipped:
        raise _mismatch(name, FORMATS[fmt][1])
    if fmt in ("csv", "geojson", "kml") and (zipped or data.startswith(b"SQLite format 3")):
        raise _mismatch(name, FORMATS[fmt][1])
    return fmt


def _mismatch(name: str, what: str) -> IngestError:
    return IngestError(
        "format.mismatch",
        en=f"{name} does not contain a {what} (the name and the content disagree).",
        zh=f"“{name}”的内容不是 {what}（文件名与内容不符）。",
        value=name, fix_zh="检查文件是否损坏或扩展名是否被改过，重新导出后上传。",
        fix_en="Check the file is not damaged or renamed; export it again and upload.",
    )


def read_upload(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read an upload of any supported format into a :class:`RawTable`.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        Its name (the suffix decides the format, checked against the content).
    kind : str
        The kind being imported: picks the sheet or layer named after it and
        helps find the header row.
    sheet : str, optional
        The sheet (xlsx) or layer (Shapefile ZIP, GeoPackage, KML folder) to read.

    Raises
    ------
    IngestError
        When the file as a whole cannot be read.
    """
    safety.check_size(data, name)
    fmt = detect_format(name, data)
    reader = {"xlsx": read_xlsx, "csv": read_csv, "geojson": read_geojson, "kml": read_kml, "kmz": read_kmz,
              "shp": read_shapefile_zip, "gpkg": read_gpkg}[fmt]
    table = reader(data, name, kind=kind, sheet=sheet)
    safety.check_rows(len(table.rows), name)
    safety.check_columns(len(table.headers), name)
    return table


# --------------------------------------------------------------------------
# Tables (xlsx, CSV)
# --------------------------------------------------------------------------
def _unique_headers(cells: list[Any]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, c in enumerate(cells, start=1):
        text = "" if c is None else str(c).strip(" \t\r\n\u3000\ufeff")
        text = " ".join(text.split())
        if not text:
            text = f"（第{_col_letter(i)}列）"
        base = text
        if text in seen:
            seen[base] += 1
            text = f"{base} ({seen[base]})"
        else:
            seen[text] = 1
        out.append(text)
    return out


def _col_letter(i: int) -> str:
    s = ""
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip(" \t\r\n\u3000\ufeff")) or (
        isinstance(v, float) and math.isnan(v))


def _find_header(rows: list[list[Any]], kind: str) -> int:
    """Index of the header row among the first rows: the first with ≥ 2 recognised headers,
    else the first with ≥ 2 non-empty cells, else 0."""
    fallback = None
    for i, cells in enumerate(rows[:_HEADER_SCAN]):
        texts = [str(c) for c in cells if not _blank(c)]
        if len(texts) >= 2 and fallback is None:
            fallback = i
        if texts:
            mapping = recognise(kind, texts)
            if sum(1 for t in mapping.targets.values() if t and t != "ignore") >= 2:
                return i
    return fallback if fallback is not None else 0


def _table_from_rows(fmt: str, name: str, kind: str, rows: list[list[Any]], row_numbers: list[int],
                     notes: list[Problem], layer: str = "",
                     formulas: dict[tuple[int, int], bool] | None = None) -> RawTable:
    if not rows:
        raise IngestError(
            "file.no_rows",
            en=f"{name} has no rows.", zh=f"“{name}”没有任何数据行。", value=name,
            fix_zh="确认选择了正确的文件或工作表。", fix_en="Check you chose the right file or sheet.",
        )
    h = _find_header(rows, kind)
    width = max(len(r) for r in rows)
    header_cells = list(rows[h]) + [None] * (width - len(rows[h]))
    while header_cells and _blank(header_cells[-1]) and all(
            len(r) < len(header_cells) or _blank(r[len(header_cells) - 1]) for r in rows[h + 1:]):
        header_cells.pop()
    headers = _unique_headers(header_cells)
    header_row = row_numbers[h]
    if h > 0:
        notes.append(_note("table.title_rows_skipped",
                           zh=f"表头位于第 {header_row} 行；其上方 {h} 行（标题等）未作为数据读取。",
                           en=f"The header is row {header_row}; the {h} row(s) above it (titles) were not read as data."))
    out: list[RawRow] = []
    blank = 0
    run = 0
    for cells, number in zip(rows[h + 1:], row_numbers[h + 1:]):
        values = {hd: (cells[i] if i < len(cells) else None) for i, hd in enumerate(headers)}
        if all(_blank(v) for v in values.values()):
            blank += 1
            run += 1
            if run >= _BLANK_RUN_STOP:
                break
            continue
        run = 0
        missing = set()
        if formulas:
            for i, hd in enumerate(headers):
                if formulas.get((number, i)) and _blank(values.get(hd)):
                    missing.add(hd)
        out.append(RawRow(row=number, values=values, layer=layer, formula_missing=missing))
    if blank:
        notes.append(_note("table.blank_rows_skipped", zh=f"跳过了 {blank} 个空行。", en=f"{blank} blank row(s) skipped."))
    return RawTable(format=fmt, source_name=name, headers=headers, rows=out, notes=notes, header_row=header_row)


def read_csv(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read a CSV (or tab-separated text) file; see the module table."""
    text, encoding = enc.decode_text(data, name)
    notes: list[Problem] = []
    if encoding == "gb18030":
        notes.append(_note("encoding.gbk", zh="文件编码识别为 GBK/GB18030（Excel 中文版保存的 CSV）。",
                           en="The file is GBK/GB18030 (CSV saved by Chinese Excel)."))
    sample = "\n".join(text.splitlines()[:20])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    old = csv.field_size_limit()
    csv.field_size_limit(min(safety.MAX_FILE_BYTES, 2 ** 31 - 1))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        rows: list[list[Any]] = []
        for record in reader:
            rows.append(record)
            if len(rows) > safety.MAX_ROWS + _HEADER_SCAN:
                safety.check_rows(len(rows), name)
    except csv.Error as exc:
        raise IngestError(
            "csv.invalid", en=f"{name} is not a readable CSV table ({exc}).", zh=f"“{name}”不是可读取的 CSV 表格（{exc}）。",
            value=name, fix_zh="在 Excel 中打开后另存为 CSV，或直接上传 xlsx。", fix_en="Save it again as CSV from Excel, or upload the xlsx.",
        ) from exc
    finally:
        csv.field_size_limit(old)
    table = _table_from_rows("csv", name, kind, rows, list(range(1, len(rows) + 1)), notes)
    table.encoding = encoding
    return table


def _choose_sheet(names: list[str], kind: str, wanted: str | None, name: str, has_data) -> str:
    if wanted:
        if wanted in names:
            return wanted
        raise IngestError(
            "xlsx.no_sheet", en=f"{name} has no sheet {wanted!r}; it has: {', '.join(names)}.",
            zh=f"“{name}”中没有工作表“{wanted}”；现有：{'、'.join(names)}。", value=wanted,
            fix_zh="选择一个存在的工作表。", fix_en="Choose one of the sheets listed.",
        )
    from layers import REGISTRY

    spec = REGISTRY.get(kind)
    if spec is not None:
        for n in names:
            if header_key(n) in {header_key(spec.zh[:31])} | {header_key(x) for x in spec.names()}:
                return n
    data_sheets = [n for n in names if header_key(n) not in SUMMARY_SHEETS and has_data(n)]
    if data_sheets:
        return data_sheets[0]
    return names[0]


def read_xlsx(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read an Excel workbook; see the module table."""
    import warnings

    from openpyxl import load_workbook

    zf = safety.open_zip(data, name)
    safety.inspect_zip(zf, name, allow_nested=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken file
        raise IngestError(
            "xlsx.unreadable", en=f"{name} cannot be read as an Excel workbook ({type(exc).__name__}: {exc}).",
            zh=f"“{name}”无法作为 Excel 工作簿读取（{type(exc).__name__}）。", value=name,
            fix_zh="在 Excel/WPS 中打开并另存为 .xlsx 后重新上传。", fix_en="Open it in Excel or WPS, save as .xlsx and upload again.",
        ) from exc
    names = list(wb.sheetnames)

    def has_data(n: str) -> bool:
        ws = wb[n]
        return ws.max_row > 1 or (ws.max_row == 1 and any(c.value is not None for c in ws[1]))

    chosen = _choose_sheet(names, kind, sheet, name, has_data)
    ws = wb[chosen]
    notes: list[Problem] = []
    grid: list[list[Any]] = [list(r) for r in ws.iter_rows(values_only=True)]
    merged = 0
    for rng in list(ws.merged_cells.ranges):
        top = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col) and r - 1 < len(grid) and c - 1 < len(grid[r - 1]):
                    grid[r - 1][c - 1] = top
                    merged += 1
    formulas = _formula_cells(data, chosen)
    table = _table_from_rows("xlsx", name, kind, grid, list(range(1, len(grid) + 1)), notes, layer="",
                             formulas=formulas)
    if merged:
        table.notes.append(_note("xlsx.merged_filled", zh=f"合并单元格已按其左上角的值填充（{merged} 个单元格）。",
                                 en=f"Merged cells were filled with their top-left value ({merged} cells)."))
    if len(names) > 1:
        table.notes.append(_note("xlsx.sheet_chosen", zh=f"读取工作表“{chosen}”（共 {len(names)} 个：{'、'.join(names)}）。",
                                 en=f"Read sheet {chosen!r} of {len(names)}: {', '.join(names)}."))
    table.choices, table.chosen = names, [chosen]
    wb.close()
    return table


def _formula_cells(data: bytes, sheet: str) -> dict[tuple[int, int], bool]:
    """(row, 0-based column) of every formula cell of ``sheet`` (read-only pass)."""
    import warnings

    from openpyxl import load_workbook

    out: dict[tuple[int, int], bool] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        for r, row in enumerate(wb[sheet].iter_rows(), start=1):
            for c, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    out[(r, c)] = True
        wb.close()
    except Exception:  # noqa: BLE001 - the data pass already read the file; this pass only adds detail
        return out
    return out


# --------------------------------------------------------------------------
# GIS formats
# --------------------------------------------------------------------------
def _plain(v: Any) -> Any:
    """A value from JSON/OGR as a plain Python value (nested values as JSON text)."""
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    if type(v).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "to_pydatetime"):
        try:
            return v.to_pydatetime()
        except (ValueError, TypeError):
            return None
    return v


def _headers_of(rows: list[dict]) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows:
        for k in r:
            seen.setdefault(k, None)
    return list(seen)


def read_geojson(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read GeoJSON; see the module table."""
    text, _ = enc.decode_text(data, name)
    safety.check_json_depth(text, name)
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise IngestError(
            "json.invalid", en=f"{name} is not valid JSON ({exc}).", zh=f"“{name}”不是有效的 JSON（{exc}）。",
            value=name, fix_zh="用 QGIS 等软件重新导出为 GeoJSON。", fix_en="Export it again as GeoJSON (e.g. from QGIS).",
        ) from exc
    declared = None
    if isinstance(obj, dict) and obj.get("type") == "FeatureCollection":
        features = obj.get("features")
        crs = obj.get("crs")
        if isinstance(crs, dict):
            declared = _geojson_crs(crs)
    elif isinstance(obj, dict) and obj.get("type") == "Feature":
        features = [obj]
    elif isinstance(obj, list):
        features = obj
    elif isinstance(obj, dict) and "coordinates" in obj or (isinstance(obj, dict) and obj.get("type") == "GeometryCollection"):
        features = [{"type": "Feature", "properties": {}, "geometry": obj}]
    else:
        features = None
    if not isinstance(features, list):
        raise IngestError(
            "geojson.no_features", en=f"{name} is JSON but not GeoJSON features.",
            zh=f"“{name}”是 JSON，但不是 GeoJSON 要素集合。", value=name,
            fix_zh="上传 FeatureCollection 格式的 GeoJSON。", fix_en="Upload a GeoJSON FeatureCollection.",
        )
    safety.check_rows(len(features), name)
    props_list: list[dict] = []
    out: list[RawRow] = []
    for i, feat in enumerate(features, start=1):
        if not isinstance(feat, dict):
            feat = {}
        if feat.get("type") != "Feature" and "properties" not in feat and "geometry" not in feat:
            feat = {"type": "Feature", "properties": feat, "geometry": None}  # a plain JSON list of records
        props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
        props = {str(k): _plain(v) for k, v in props.items()}
        if feat.get("id") is not None and "id" not in props and not any(header_key(k) == "site_id" for k in props):
            props = {"id": _plain(feat.get("id")), **props}
        geom, err = None, None
        g = feat.get("geometry")
        if g is not None:
            try:
                geom = shape(g)
            except Exception as exc:  # noqa: BLE001 - shapely raises several types for bad coordinates
                err = f"{type(exc).__name__}: {exc}"
        props_list.append(props)
        out.append(RawRow(row=i, values=props, geometry=geom, geometry_error=err))
    headers = _headers_of(props_list)
    for r in out:
        for h in headers:
            r.values.setdefault(h, None)
    return RawTable(format="geojson", source_name=name, headers=headers, rows=out, has_geometry=True,
                    declared_crs=declared)


def _geojson_crs(crs: dict) -> str | None:
    props = crs.get("properties") if isinstance(crs.get("properties"), dict) else {}
    text = str(props.get("name", ""))
    m = re.search(r"EPSG:+(\d+)", text, re.I)
    if m:
        return f"EPSG:{m.group(1)}"
    if "CRS84" in text.upper():
        return "EPSG:4326"
    return None


# -- KML ---------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in el if _local(c.tag) == name), None)


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _kml_coords(text: str | None) -> list[tuple[float, float]]:
    out = []
    for tok in (text or "").split():
        parts = tok.split(",")
        if len(parts) < 2:
            raise ValueError(f"bad coordinate {tok!r}")
        out.append((float(parts[0]), float(parts[1])))
    return out


def _kml_geometry(el: ET.Element) -> BaseGeometry | None:
    name = _local(el.tag)
    if name == "Point":
        pts = _kml_coords(_text(_child(el, "coordinates")))
        return Point(pts[0]) if pts else Point()
    if name == "LineString":
        return LineString(_kml_coords(_text(_child(el, "coordinates"))))
    if name == "LinearRing":
        return LinearRing(_kml_coords(_text(_child(el, "coordinates"))))
    if name == "Polygon":
        outer = _child(el, "outerBoundaryIs")
        ring = _child(outer, "LinearRing") if outer is not None else None
        shell = _kml_coords(_text(_child(ring, "coordinates"))) if ring is not None else []
        holes = []
        for inner in _children(el, "innerBoundaryIs"):
            r = _child(inner, "LinearRing")
            if r is not None:
                holes.append(_kml_coords(_text(_child(r, "coordinates"))))
        return Polygon(shell, holes)
    if name == "MultiGeometry":
        parts = [g for g in (_kml_geometry(c) for c in el) if g is not None]
        types = {p.geom_type for p in parts}
        if types == {"Point"}:
            return MultiPoint(parts)
        if types == {"LineString"}:
            return MultiLineString(parts)
        if types <= {"Polygon", "MultiPolygon"} and types:
            polys = [q for p in parts for q in (p.geoms if p.geom_type == "MultiPolygon" else [p])]
            return MultiPolygon(polys)
        return shapely.GeometryCollection(parts) if parts else None
    return None


def _text(el: ET.Element | None) -> str | None:
    return None if el is None else (el.text or "")


_TABLE_ROW = re.compile(r"<tr[^>]*>\s*<t[hd][^>]*>(.*?)</t[hd]>\s*<td[^>]*>(.*?)</td>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")


def _description_table(html_text: str) -> dict[str, str]:
    """Header -> value pairs of an attribute table in a KML description (this app's and Ovi's style)."""
    import html as htmlmod

    out = {}
    for m in _TABLE_ROW.finditer(html_text or ""):
        key = htmlmod.unescape(_TAGS.sub("", m.group(1))).strip()
        val = htmlmod.unescape(_TAGS.sub("", m.group(2))).strip()
        if key:
            out[key] = val
    return out


def _parse_kml(data: bytes, name: str, sheet: str | None) -> RawTable:
    safety.check_xml(data, name)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise IngestError(
            "kml.invalid", en=f"{name} is not valid KML/XML ({exc}).", zh=f"“{name}”不是有效的 KML（{exc}）。",
            value=name, fix_zh="用奥维地图或 Google Earth 重新导出 KML/KMZ。", fix_en="Export it again from Ovi or Google Earth.",
        ) from exc
    out: list[RawRow] = []
    props_list: list[dict] = []
    folders: list[str] = []

    def walk(el: ET.Element, folder: str) -> None:
        for c in el:
            tag = _local(c.tag)
            if tag in ("Folder", "Document"):
                fname = (_text(_child(c, "name")) or "").strip() if tag == "Folder" else folder
                if tag == "Folder" and fname and fname not in folders:
                    folders.append(fname)
                walk(c, fname or folder)
            elif tag == "Placemark":
                if sheet and folder != sheet:
                    continue
                props: dict[str, Any] = {}
                nm = _child(c, "name")
                if nm is not None:
                    props["name"] = (nm.text or "").strip()
                ext = _child(c, "ExtendedData")
                if ext is not None:
                    for d in ext.iter():
                        t = _local(d.tag)
                        if t == "Data" and d.get("name"):
                            props[d.get("name")] = _text(_child(d, "value"))
                        elif t == "SimpleData" and d.get("name"):
                            props[d.get("name")] = d.text
                else:
                    desc = _text(_child(c, "description"))
                    for k, v in _description_table(desc or "").items():
                        props.setdefault(k, v)
                geom, err = None, None
                for g in c:
                    if _local(g.tag) in ("Point", "LineString", "Polygon", "MultiGeometry", "LinearRing"):
                        try:
                            geom = _kml_geometry(g)
                        except (ValueError, IndexError, TypeError, shapely.errors.GEOSException) as exc:
                            err = f"{type(exc).__name__}: {exc}"
                        break
                props_list.append(props)
                out.append(RawRow(row=len(out) + 1, values=props, geometry=geom, geometry_error=err,
                                  layer=folder if len(folders) > 1 else ""))

    walk(root, "")
    if sheet and sheet not in folders:
        raise IngestError(
            "kml.no_folder", en=f"{name} has no folder {sheet!r}; it has: {', '.join(folders)}.",
            zh=f"“{name}”中没有文件夹“{sheet}”；现有：{'、'.join(folders)}。", value=sheet,
            fix_zh="选择一个存在的文件夹。", fix_en="Choose one of the folders listed.",
        )
    headers = _headers_of(props_list)
    for r in out:
        for h in headers:
            r.values.setdefault(h, None)
    table = RawTable(format="kml", source_name=name, headers=headers, rows=out, has_geometry=True,
                     declared_crs="EPSG:4326")
    table.choices = folders
    table.chosen = [sheet] if sheet else folders
    return table


def read_kml(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read KML; see the module table."""
    return _parse_kml(data, name, sheet)


def read_kmz(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read KMZ (a ZIP holding ``doc.kml`` or one ``.kml``), inspected first."""
    zf = safety.open_zip(data, name)
    members = safety.inspect_zip(zf, name)
    kmls = [m.name for m in members if m.name.lower().endswith(".kml")]
    if not kmls:
        raise IngestError(
            "kmz.no_kml", en=f"{name} holds no .kml file.", zh=f"“{name}”中没有 .kml 文件。", value=name,
            fix_zh="用奥维地图或 Google Earth 重新导出 KMZ。", fix_en="Export the KMZ again.",
        )
    main = next((m for m in kmls if PurePosixPath(m).name.lower() == "doc.kml"), sorted(kmls, key=len)[0])
    table = _parse_kml(safety.read_member(zf, main, name), name, sheet)
    table.format = "kmz"
    return table


# -- OGR (Shapefile, GeoPackage) ---------------------------------------------
def _frame_rows(gdf, layer: str) -> tuple[list[str], list[RawRow]]:
    cols = [c for c in gdf.columns if c != gdf.geometry.name] if hasattr(gdf, "geometry") else list(gdf.columns)
    rows: list[RawRow] = []
    geoms = list(gdf.geometry) if hasattr(gdf, "geometry") else [None] * len(gdf)
    records = gdf[cols].to_dict("records") if cols else [{} for _ in range(len(gdf))]
    for i, (rec, geom) in enumerate(zip(records, geoms), start=1):
        values = {str(k): _plain(v) for k, v in rec.items()}
        if geom is not None and not isinstance(geom, BaseGeometry):
            geom = None
        rows.append(RawRow(row=i, values=values, geometry=geom, layer=layer))
    return [str(c) for c in cols], rows


def _crs_text(crs: Any) -> str | None:
    if crs is None:
        return None
    try:
        from pyproj import CRS

        c = CRS.from_user_input(crs)
        epsg = c.to_epsg(min_confidence=70)
        return f"EPSG:{epsg}" if epsg else c.to_wkt()
    except Exception:  # noqa: BLE001 - an unreadable .prj is reported as "no declared CRS"
        return None


def _ogr_read(path: str, name: str, **kwargs):
    import pyogrio

    try:
        return pyogrio.read_dataframe(path, **kwargs)
    except Exception as exc:  # noqa: BLE001 - pyogrio raises its own error types
        raise IngestError(
            "gis.unreadable", en=f"{name} cannot be read by GDAL ({exc}).", zh=f"“{name}”无法读取（{exc}）。",
            value=name, fix_zh="用 QGIS 打开检查后重新导出。", fix_en="Open it in QGIS, check it and export it again.",
        ) from exc


def _pick_layers(names: list[str], kind: str, wanted: str | None, name: str, what_zh: str, what_en: str) -> list[str]:
    if wanted:
        if wanted in names:
            return [wanted]
        raise IngestError(
            "gis.no_layer", en=f"{name} has no {what_en} {wanted!r}; it has: {', '.join(names)}.",
            zh=f"“{name}”中没有{what_zh}“{wanted}”；现有：{'、'.join(names)}。", value=wanted,
            fix_zh=f"选择一个存在的{what_zh}。", fix_en=f"Choose one of the {what_en}s listed.",
        )
    from layers import REGISTRY

    spec = REGISTRY.get(kind)
    keys = {header_key(kind)} | ({header_key(x) for x in spec.names()} if spec else set())
    exact = [n for n in names if header_key(n) in keys]
    if exact:
        return exact
    prefixed = [n for n in names if header_key(n).startswith(header_key(kind) + "_")]
    if prefixed:
        return prefixed
    if len(names) == 1:
        return names
    raise IngestError(
        "gis.ambiguous_layer",
        en=f"{name} has {len(names)} {what_en}s ({', '.join(names)}) and none is named after the kind {kind}: choose one.",
        zh=f"“{name}”包含 {len(names)} 个{what_zh}（{'、'.join(names)}），没有以所选类型命名的：请选择其一。",
        value=name, choices=names, fix_zh=f"在导入页选择{what_zh}，或命令行加 --sheet 名称。",
        fix_en=f"Choose the {what_en} on the import page, or add --sheet NAME.",
    )


def read_shapefile_zip(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read the Shapefile(s) of a ZIP for ``kind``; see the module table."""
    zf = safety.open_zip(data, name)
    members = safety.inspect_zip(zf, name)
    by_stem: dict[str, dict[str, str]] = {}
    for m in members:
        p = PurePosixPath(m.name.replace("\\", "/"))
        if p.name.startswith(("._", ".")) or "__MACOSX" in p.parts:
            continue
        suffix = p.suffix.lower()
        if suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            by_stem.setdefault(str(p.with_suffix("")), {})[suffix] = m.name
    stems = {s: parts for s, parts in by_stem.items() if ".shp" in parts}
    if not stems:
        raise IngestError(
            "shp.none", en=f"{name} holds no .shp file.", zh=f"“{name}”中没有 .shp 文件。", value=name,
            fix_zh="把 .shp、.shx、.dbf（及 .prj、.cpg）一起压缩后上传。", fix_en="Zip the .shp, .shx, .dbf (.prj, .cpg) together.",
        )
    labels = {s: PurePosixPath(s).name for s in stems}
    chosen_labels = _pick_layers(sorted(labels.values()), kind, sheet, name, "图层", "layer")
    chosen = [s for s in stems if labels[s] in chosen_labels]
    headers: list[str] = []
    rows: list[RawRow] = []
    notes: list[Problem] = []
    declared = None
    encodings = []
    with tempfile.TemporaryDirectory(prefix="onemap-import-") as tmp:
        for n, stem in enumerate(chosen):
            parts = stems[stem]
            missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
            if missing:
                raise IngestError(
                    "shp.incomplete", en=f"{name}: {labels[stem]}.shp lacks {', '.join(missing)}.",
                    zh=f"“{name}”：{labels[stem]}.shp 缺少 {'、'.join(missing)} 文件。", value=labels[stem],
                    fix_zh="把同名的 .shp、.shx、.dbf 一起压缩后上传。", fix_en="Zip the .shp, .shx and .dbf of the same name together.",
                )
            dbf = safety.read_member(zf, parts[".dbf"], name)
            cpg = safety.read_member(zf, parts[".cpg"], name).decode("ascii", "replace") if ".cpg" in parts else None
            codec, how = enc.dbf_encoding(dbf, cpg)
            if codec is None:
                raise IngestError(
                    "encoding.unknown",
                    en=f"{name}: the attribute table of {labels[stem]} is neither UTF-8 nor GBK; nothing was guessed.",
                    zh=f"“{name}”：{labels[stem]} 的属性表既不是 UTF-8 也不是 GBK 编码；未做任何猜测。", value=labels[stem],
                    fix_zh="在 QGIS 中以正确编码打开后另存为 UTF-8 的 Shapefile 或 GeoPackage。",
                    fix_en="Open it in QGIS with the right encoding and save as UTF-8 Shapefile or GeoPackage.",
                )
            encodings.append(codec)
            base = Path(tmp) / f"layer{n}"
            for ext in (".shp", ".shx", ".prj"):
                if ext in parts:
                    (base.with_suffix(ext)).write_bytes(safety.read_member(zf, parts[ext], name))
            dbf, cut_names = enc.repair_dbf_names(dbf, codec)
            base.with_suffix(".dbf").write_bytes(dbf)
            if cut_names:
                notes.append(_note("shp.field_names_cut",
                                   zh=f"{labels[stem]}.dbf 的字段名被截断在汉字中间（dBASE 字段名最多 10 字节），按 "
                                   f"{'、'.join(cut_names)} 读取。",
                                   en=f"Field names of {labels[stem]}.dbf were cut inside a character (dBASE allows 10 "
                                   f"bytes); read as {', '.join(cut_names)}.",
                                   fix_zh="在列对应中核对这些列；改用 GeoPackage 可保留完整字段名。",
                                   fix_en="Check these columns in the mapping; GeoPackage keeps full field names."))
            gdal_codec = {"gb18030": "GB18030", "utf-8": "UTF-8", "cp1252": "CP1252", "latin-1": "ISO-8859-1"}[codec]
            gdf = _ogr_read(str(base.with_suffix(".shp")), name, encoding=gdal_codec)
            if declared is None:
                declared = _crs_text(gdf.crs)
            layer_label = labels[stem] if len(chosen) > 1 else ""
            hs, rs = _frame_rows(gdf, layer_label)
            for h in hs:
                if h not in headers:
                    headers.append(h)
            rows += rs
            if how == "detected" and codec == "gb18030":
                notes.append(_note("shp.gbk_detected",
                                   zh=f"{labels[stem]}.dbf 没有 .cpg 编码说明，按内容识别为 GBK 读取（未按 Latin-1 误读）。",
                                   en=f"{labels[stem]}.dbf has no .cpg; its bytes are GBK and were read as such "
                                   "(not as Latin-1 mojibake)."))
            elif how == "cpg_wrong":
                notes.append(_note("shp.cpg_wrong",
                                   zh=f"{labels[stem]}.cpg 声明的编码（{(cpg or '').strip()}）与内容不符，按内容识别为 "
                                   f"{enc.LABELS.get(codec, codec)} 读取。",
                                   en=f"{labels[stem]}.cpg says {(cpg or '').strip()!r} but the bytes are "
                                   f"{enc.LABELS.get(codec, codec)}; read as that.",
                                   fix_zh="修正 .cpg 文件内容（GBK 写 936，UTF-8 写 UTF-8）。",
                                   fix_en="Fix the .cpg (936 for GBK, UTF-8 for UTF-8)."))
            if ".prj" not in parts:
                notes.append(_note("shp.no_prj", zh=f"{labels[stem]} 没有 .prj 坐标系文件：按所选坐标系读取坐标。",
                                   en=f"{labels[stem]} has no .prj: coordinates are read in the system you chose."))
    for r in rows:
        for h in headers:
            r.values.setdefault(h, None)
    table = RawTable(format="shp", source_name=name, headers=headers, rows=rows, has_geometry=True,
                     declared_crs=declared, notes=notes)
    table.choices = sorted(labels.values())
    table.chosen = [labels[s] for s in chosen]
    table.encoding = encodings[0] if encodings else None
    return table


def read_gpkg(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read a GeoPackage layer with pyogrio from a private temporary copy."""
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="onemap-import-") as tmp:
        path = Path(tmp) / "upload.gpkg"
        path.write_bytes(data)
        try:
            layers = [str(r[0]) for r in pyogrio.list_layers(str(path))]
        except Exception as exc:  # noqa: BLE001
            raise IngestError(
                "gis.unreadable", en=f"{name} cannot be read as a GeoPackage ({exc}).",
                zh=f"“{name}”无法作为 GeoPackage 读取（{exc}）。", value=name,
                fix_zh="用 QGIS 打开检查后重新导出。", fix_en="Open it in QGIS, check it and export it again.",
            ) from exc
        chosen = _pick_layers(layers, kind, sheet, name, "图层", "layer")
        headers: list[str] = []
        rows: list[RawRow] = []
        declared = None
        for layer in chosen:
            gdf = _ogr_read(str(path), name, layer=layer)
            if declared is None and getattr(gdf, "crs", None) is not None:
                declared = _crs_text(gdf.crs)
            hs, rs = _frame_rows(gdf, layer if len(chosen) > 1 else "")
            for h in hs:
                if h not in headers:
                    headers.append(h)
            rows += rs
    for r in rows:
        for h in headers:
            r.values.setdefault(h, None)
    table = RawTable(format="gpkg", source_name=name, headers=headers, rows=rows, has_geometry=True,
                     declared_crs=declared)
    table.choices, table.chosen = layers, chosen
    return table

