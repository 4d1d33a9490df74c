"""What every reader gives: a :class:`RawTable` of :class:`RawRow` — and how a grid of cells becomes one (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter
from shapely.geometry.base import BaseGeometry

from geo.ingest import safety
from geo.ingest.collect import note
from geo.ingest.columns import recognise
from geo.ingest.messages import ingest_error
from geo.ingest.problems import Problem

__all__ = ["FORMATS", "HEADER_SCAN", "RawRow", "RawTable", "TABLE_FORMATS", "blank", "table_from_rows",
           "unique_headers"]

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
#: Rows searched for the header (titles above it are skipped).
HEADER_SCAN = 20


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


def blank(v: Any) -> bool:
    """None, NaN or only spaces (incl. U+3000 and a BOM)."""
    return v is None or (isinstance(v, str) and not v.strip(" \t\r\n\u3000\ufeff")) or (
        isinstance(v, float) and math.isnan(v))


def unique_headers(cells: list[Any], name: str = "") -> list[str]:
    """Header texts, trimmed; a blank one named after its column letter; repeats numbered.

    Raises
    ------
    IngestError
        ``table.header_too_long`` for a header over :data:`~geo.ingest.safety.MAX_HEADER_CHARS`.
    """
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, c in enumerate(cells, start=1):
        text = "" if c is None else str(c).strip(" \t\r\n\u3000\ufeff")
        safety.check_header(text, name)
        text = " ".join(text.split())
        if not text:
            text = f"（第{get_column_letter(i)}列）"
        base = text
        if text in seen:
            seen[base] += 1
            text = f"{base} ({seen[base]})"
        else:
            seen[text] = 1
        out.append(text)
    return out


def _find_header(rows: list[list[Any]], kind: str) -> int:
    """Index of the header row among the first rows: the first with ≥ 2 recognised headers,
    else the first with ≥ 2 non-empty cells, else 0."""
    fallback = None
    for i, cells in enumerate(rows[:HEADER_SCAN]):
        texts = [str(c)[: safety.MAX_HEADER_CHARS + 1] for c in cells if not blank(c)]
        if len(texts) >= 2 and fallback is None:
            fallback = i
        if texts:
            mapping = recognise(kind, texts)
            if sum(1 for t in mapping.targets.values() if t and t != "ignore") >= 2:
                return i
    return fallback if fallback is not None else 0


def table_from_rows(fmt: str, name: str, kind: str, rows: list[list[Any]], row_numbers: list[int],
                    notes: list[Problem], layer: str = "",
                    formulas: set[tuple[int, int]] | None = None) -> RawTable:
    """A :class:`RawTable` from a grid: the header found among the first rows, blank rows skipped (counted).

    Parameters
    ----------
    formulas : set of (row number, 0-based column), optional
        Formula cells (xlsx); a blank one is reported as a formula without a cached value.

    Raises
    ------
    IngestError
        ``file.no_rows`` for an empty grid, ``table.header_too_long``.
    """
    if not rows:
        raise ingest_error("file.no_rows", name=name)
    h = _find_header(rows, kind)
    width = max(len(r) for r in rows)
    header_cells = list(rows[h]) + [None] * (width - len(rows[h]))
    while header_cells and blank(header_cells[-1]) and all(
            len(r) < len(header_cells) or blank(r[len(header_cells) - 1]) for r in rows[h + 1:]):
        header_cells.pop()
    headers = unique_headers(header_cells, name)
    header_row = row_numbers[h]
    if h > 0:
        notes.append(note("table.title_rows_skipped", row=header_row, n=h))
    out: list[RawRow] = []
    blanks = 0
    for cells, number in zip(rows[h + 1:], row_numbers[h + 1:]):
        values = {hd: (cells[i] if i < len(cells) else None) for i, hd in enumerate(headers)}
        if all(blank(v) for v in values.values()):
            blanks += 1
            continue
        missing = set()
        if formulas:
            for i, hd in enumerate(headers):
                if (number, i) in formulas and blank(values.get(hd)):
                    missing.add(hd)
        out.append(RawRow(row=number, values=values, layer=layer, formula_missing=missing))
    if blanks:
        notes.append(note("table.blank_rows_skipped", n=blanks))
    return RawTable(format=fmt, source_name=name, headers=headers, rows=out, notes=notes, header_row=header_row)
