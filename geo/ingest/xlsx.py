"""Excel workbooks: checked from their own XML first, then streamed by openpyxl over that extent only (pure).

A 5 KB workbook can claim a cell at XFD1048576 or merge I3:XFD1048576; read
the ordinary way, openpyxl builds every cell in between (measured before
this module: over a minute and 5–6 GB, then MemoryError). So, in order:

1. every XML part's prolog is read with defusedxml, DTDs forbidden
   (``xlsx.doctype``); openpyxl itself parses with defusedxml too;
2. the chosen sheet's XML is streamed once (SAX, no tree) to learn where its
   values really are, which cells are formulas, and its merged ranges: a value
   beyond :data:`~geo.ingest.safety.MAX_SHEET_ROW` rows or
   :data:`~geo.ingest.safety.MAX_COLUMNS` columns (``xlsx.too_far``), more than
   :data:`MAX_CELLS` values (``file.too_many_rows``-like, ``xlsx.too_many_cells``)
   or a merged range beyond the limits (``xlsx.merged_too_large``) refuses the
   file before anything is built; a used range (``<dimension>``) larger than the
   values (a formatted empty cell at row 1,048,576) is only noted;
3. openpyxl reads the sheet in read-only (streaming) mode, cached values
   (``data_only``), over exactly the extent found in step 2;
4. merged ranges are filled from their top-left cell, clipped to that extent.

The sheet named after the kind is read, else the first sheet with data (the
export's 汇总 summary sheet is skipped); title rows above the header are
skipped; formula cells without a cached value are reported, never read as
empty. Row = the Excel row number.
"""

from __future__ import annotations

import io
import warnings
import xml.sax.handler
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

from geo.errors import OneMapError
from geo.ingest import safety
from geo.ingest.collect import note
from geo.ingest.columns import header_key
from geo.ingest.messages import ingest_error
from geo.ingest.problems import Problem
from geo.ingest.table import RawTable, table_from_rows
from geo.ingest.xmlsafe import check_prolog, sax_parse

__all__ = ["MAX_CELLS", "SheetScan", "read_xlsx", "scan_sheet"]

#: Values in one sheet: 100,000 rows of 30 columns (a ledger has 10-30 columns).
MAX_CELLS = 3_000_000
SUMMARY_SHEETS = ("汇总", "说明", "summary", "readme")


@dataclass
class SheetScan:
    """What a sheet's XML says about itself (step 2 of the module notes).

    Attributes
    ----------
    max_row, max_col : int
        The last row and column holding a value or a formula (0 for an empty sheet).
    cells : int
        Cells holding a value or a formula.
    dimension : str or None
        The used range the sheet declares.
    merges : list of (min_col, min_row, max_col, max_row)
    formulas : set of (row, 0-based column)
    """

    max_row: int = 0
    max_col: int = 0
    cells: int = 0
    dimension: str | None = None
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: set[tuple[int, int]] = field(default_factory=set)


class _ScanHandler(xml.sax.handler.ContentHandler):
    def __init__(self, scan: SheetScan, name: str, sheet: str):
        super().__init__()
        self.scan, self.name, self.sheet = scan, name, sheet
        self.row = 0
        self.col = 0
        self.content = False
        self.formula = False

    def _too_far(self, ref: str) -> OneMapError:
        return ingest_error("xlsx.too_far", name=self.name, sheet=self.sheet, cell=ref, value=ref,
                            max_rows=f"{safety.MAX_SHEET_ROW:,}", max_cols=safety.MAX_COLUMNS,
                            last=f"{get_column_letter(safety.MAX_COLUMNS)}{safety.MAX_SHEET_ROW}")

    def startElement(self, tag, attrs):  # noqa: N802 - the SAX interface
        local = tag.rsplit(":", 1)[-1]
        if local == "c":
            ref = attrs.get("r")
            if ref:
                try:
                    letters, row = coordinate_from_string(ref)
                    self.col, self.row = column_index_from_string(letters), int(row)
                except ValueError:
                    self.col += 1
            else:
                self.col += 1
            self.content = self.formula = False
        elif local in ("v", "is"):
            self.content = True
        elif local == "f":
            self.content = self.formula = True
        elif local == "row":
            r = attrs.get("r")
            self.row = int(r) if r and r.isdigit() else self.row + 1
            self.col = 0
        elif local == "mergeCell":
            ref = attrs.get("ref") or ""
            try:
                c0, r0, c1, r1 = range_boundaries(ref)
            except (TypeError, ValueError):
                return
            if None in (c0, r0, c1, r1) or r1 > safety.MAX_SHEET_ROW or c1 > safety.MAX_COLUMNS:
                raise ingest_error("xlsx.merged_too_large", name=self.name, sheet=self.sheet, range=ref, value=ref,
                                   max_rows=f"{safety.MAX_SHEET_ROW:,}", max_cols=safety.MAX_COLUMNS)
            self.scan.merges.append((c0, r0, c1, r1))
        elif local == "dimension":
            self.scan.dimension = attrs.get("ref")

    def endElement(self, tag):  # noqa: N802 - the SAX interface
        if tag.rsplit(":", 1)[-1] != "c" or not self.content:
            return
        s = self.scan
        if self.row > safety.MAX_SHEET_ROW or self.col > safety.MAX_COLUMNS:
            raise self._too_far(f"{get_column_letter(min(self.col, 16384))}{self.row}")
        s.cells += 1
        if s.cells > MAX_CELLS:
            raise ingest_error("xlsx.too_many_cells", name=self.name, sheet=self.sheet, limit=f"{MAX_CELLS:,}")
        s.max_row = max(s.max_row, self.row)
        s.max_col = max(s.max_col, self.col)
        if self.formula:
            s.formulas.add((self.row, self.col - 1))


def scan_sheet(xml_bytes: bytes, name: str, sheet: str, member: str) -> SheetScan:
    """Stream a sheet's XML once (defusedxml SAX, no tree) and return what it holds; see the module notes.

    Raises
    ------
    IngestError
        ``xlsx.too_far``, ``xlsx.too_many_cells``, ``xlsx.merged_too_large``,
        ``xlsx.doctype`` or ``xlsx.unreadable``.
    """
    scan = SheetScan()
    sax_parse(xml_bytes, _ScanHandler(scan, name, sheet), name, member,
              on_error=lambda exc: ingest_error("xlsx.unreadable", name=name, detail=f"{member}: {exc}"[:200]))
    return scan


def _choose_sheet(names: list[str], kind: str, wanted: str | None, name: str, has_data) -> str:
    if wanted:
        if wanted in names:
            return wanted
        raise ingest_error("xlsx.no_sheet", name=name, value=wanted, sheets_zh="、".join(names),
                           sheets_en=", ".join(names))
    from layers import REGISTRY

    spec = REGISTRY.get(kind)
    if spec is not None:
        for n in names:
            if header_key(n) in {header_key(spec.zh[:31])} | {header_key(x) for x in spec.names()}:
                return n
    for n in names:
        if header_key(n) not in SUMMARY_SHEETS and has_data(n):
            return n
    return names[0]


def _dimension_beyond(dimension: str | None) -> bool:
    if not dimension:
        return False
    try:
        _c0, _r0, c1, r1 = range_boundaries(dimension.split()[0])
    except (TypeError, ValueError):
        return False
    return (r1 or 0) > safety.MAX_SHEET_ROW or (c1 or 0) > safety.MAX_COLUMNS


def read_xlsx(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read an Excel workbook; see the module notes."""
    from openpyxl import load_workbook

    zf = safety.open_zip(data, name)
    members = safety.inspect_zip(zf, name, allow_nested=True)
    for m in members:
        if m.name.lower().endswith((".xml", ".rels", ".vml")):
            with zf.open(m.name) as fh:
                check_prolog(fh, name, m.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken file
        raise ingest_error("xlsx.unreadable", name=name, detail=f"{type(exc).__name__}: {exc}"[:200]) from exc
    try:
        return _read_sheet(wb, zf, data, name, kind, sheet)
    finally:
        wb.close()


def _read_sheet(wb, zf, data: bytes, name: str, kind: str, sheet: str | None) -> RawTable:
    names = list(wb.sheetnames)
    scans: dict[str, SheetScan] = {}

    def scan(n: str) -> SheetScan:
        if n not in scans:
            member = wb[n]._worksheet_path.lstrip("/")
            scans[n] = scan_sheet(safety.read_member(zf, member, name), name, n, member)
        return scans[n]

    def has_data(n: str) -> bool:
        try:
            return scan(n).cells > 0
        except OneMapError:
            return True  # chosen, it is refused with its own message

    chosen = _choose_sheet(names, kind, sheet, name, has_data)
    sc = scan(chosen)
    ws = wb[chosen]
    notes: list[Problem] = []
    grid: list[Any] = []
    if sc.max_row:
        try:
            grid = list(ws.iter_rows(min_row=1, max_row=sc.max_row, max_col=max(sc.max_col, 1), values_only=True))
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken sheet
            raise ingest_error("xlsx.unreadable", name=name, detail=f"{type(exc).__name__}: {exc}"[:200]) from exc
    merged = _fill_merged(grid, sc)
    table = table_from_rows("xlsx", name, kind, grid, list(range(1, len(grid) + 1)), notes, layer="",
                            formulas=sc.formulas)
    if _dimension_beyond(sc.dimension):
        table.notes.append(note("xlsx.used_range_large", sheet=chosen, dimension=sc.dimension, rows=sc.max_row,
                                cols=get_column_letter(max(sc.max_col, 1))))
    if merged:
        table.notes.append(note("xlsx.merged_filled", n=merged))
    if len(names) > 1:
        table.notes.append(note("xlsx.sheet_chosen", sheet=chosen, n=len(names), sheets_zh="、".join(names),
                                sheets_en=", ".join(names)))
    table.choices, table.chosen = names, [chosen]
    return table


def _fill_merged(grid: list[Any], sc: SheetScan) -> int:
    """Fill every merged range (clipped to the grid) with its top-left value; return the cells filled."""
    filled = 0
    for c0, r0, c1, r1 in sc.merges:
        if r0 > len(grid):
            continue
        top_row = grid[r0 - 1]
        top = top_row[c0 - 1] if c0 - 1 < len(top_row) else None
        for r in range(r0, min(r1, len(grid)) + 1):
            row = grid[r - 1]
            last = min(c1, len(row))
            if last < c0:
                continue
            if not isinstance(row, list):
                row = grid[r - 1] = list(row)
            for c in range(c0, last + 1):
                if (r, c) != (r0, c0):
                    row[c - 1] = top
                    filled += 1
    return filled
