"""Excel workbook: a summary sheet and one sheet per kind, Chinese headers.

Written with openpyxl in write-only mode (streaming, so 10,000 sites stay
fast). Each kind sheet has a frozen header row and ID/name columns, an
autofilter, widths fitted to the content, dates and times as real Excel
dates, coordinates with 6 decimals. Text is always an explicit string cell;
see :mod:`geo.export.safe` for formula injection.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from geo.export.records import COORD_DECIMALS, Column
from geo.export.safe import XLSX_CELL_MAX, looks_like_formula, xlsx_text
from geo.export.selection import Selection
from geo.domain.status import step_text
from geo.export.summary import count_rows, target_rows
from layers import get_spec

SUMMARY_SHEET = "汇总"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TITLE_FONT = Font(bold=True, size=14)
_NOTICE_FONT = Font(bold=True, color="C00000", size=12)
_RED = Font(color="C00000", bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "coord": "0." + "0" * COORD_DECIMALS,
            "pct": "0.0%"}
_MIN_WIDTH, _MAX_WIDTH = 6, 48


def display_width(text: str) -> int:
    """Columns a text takes in Excel: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _width_of(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "date" or isinstance(value, date) and not isinstance(value, datetime):
        return 10
    if kind == "datetime" or isinstance(value, datetime):
        return 16
    if kind == "coord":
        return 4 + COORD_DECIMALS
    if isinstance(value, bool):
        return 2
    return display_width(str(value))


def fit_widths(headers: Sequence[str], rows: Iterable[Sequence[Any]], kinds: Sequence[str]) -> list[float]:
    """Column widths that fit the header and the longest value, within sensible bounds."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        for i, v in enumerate(row):
            w = _width_of(v, kinds[i])
            if w > widths[i]:
                widths[i] = w
    return [min(max(w + 2, _MIN_WIDTH), _MAX_WIDTH) for w in widths]


def cell(ws, value: Any, *, kind: str = "", font: Font | None = None, fill=None, align=None):
    """A write-only cell; text is always a string cell (never a formula), numbers keep their format."""
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, str):
        value = xlsx_text(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones: the header says 北京时间
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        c.data_type = "s"  # openpyxl would make "=..." a formula
        if looks_like_formula(value):
            c.quotePrefix = True
    fmt = _FORMATS.get(kind)
    if fmt and value is not None:
        c.number_format = fmt
    if font is not None:
        c.font = font
    if fill is not None:
        c.fill = fill
    if align is not None:
        c.alignment = align
    return c


def _plain(ws, value: Any, kind: str):
    """Fast path: plain values are appended as they are; anything needing care becomes a cell."""
    if value is None:
        return None
    if isinstance(value, str):
        if (looks_like_formula(value) or value[:1] == "#" or len(value) > XLSX_CELL_MAX
                or any(ord(ch) < 32 for ch in value)):
            return cell(ws, value)
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if kind in _FORMATS:
        return cell(ws, value, kind=kind)
    return value


def _write_kind_sheet(wb: Workbook, sel: Selection, kind: str) -> None:
    spec = get_spec(kind)
    cols: list[Column] = [c for c in sel.columns(kind) if c.sheet]
    recs = sel.records(kind)
    rows = [[r[c.key] for c in cols] for r in recs]
    ws = wb.create_sheet(spec.zh[:31])
    ws.freeze_panes = "C2"
    types = [c.type for c in cols]
    for i, w in enumerate(fit_widths([c.zh for c in cols], rows, types), start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    last = get_column_letter(len(cols))
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    ws.append([cell(ws, c.zh, font=_HEADER_FONT, fill=_HEADER_FILL) for c in cols])
    overdue_at = next(i for i, c in enumerate(cols) if c.key == "overdue")
    for row in rows:
        out = [_plain(ws, v, t) for v, t in zip(row, types)]
        if row[overdue_at]:
            out[overdue_at] = cell(ws, "是", font=_RED)
        ws.append(out)


def _write_summary(wb: Workbook, sel: Selection, path_name: str) -> None:
    ws = wb.create_sheet(SUMMARY_SHEET)
    for letter, w in zip("ABCDEFGHIJK", (22, 26, 30, 12, 10, 10, 10, 10, 10, 12, 60)):
        ws.column_dimensions[letter].width = w

    def row(*values, font=None, kinds=()):
        ws.append([cell(ws, v, kind=(kinds[i] if i < len(kinds) else ""), font=font) for i, v in enumerate(values)])

    row("福清生态环境一张图 · 点位清单", font=_TITLE_FONT)
    if sel.is_sample:
        row(sel.notice("zh"), font=_NOTICE_FONT)
        row(sel.notice("en"), font=_NOTICE_FONT)
    row("导出时间（北京时间）", sel.generated_at, kinds=("", "datetime"))
    row("数据性质", "示例数据（非官方）" if sel.is_sample else "正式数据")
    row("筛选条件", sel.filter_text("zh"))
    row("镇街", sel.towns_text("zh"))
    row("点位类型", sel.kinds_text("zh"))
    row("状态", sel.statuses_text("zh"))
    row("坐标系", "WGS84 经纬度（线、面取其上/内的代表点）" + ("；另附 GCJ-02（高德）坐标" if sel.options.gcj02 else ""))
    row("导出点位数", len(sel.sites))
    row("文件", path_name)
    ws.append([])

    row("各类点位数量（类型 × 状态）", font=_HEADER_FONT)
    row("点位类型", "状态", "流程步骤", "点位数", "其中逾期", font=_HEADER_FONT)
    counts = count_rows(sel.sites, sel.kinds, sel.today)
    for kind in sel.kinds:
        mine = [c for c in counts if c.kind == kind]
        for c in mine:
            row(c.kind_zh, c.status_zh, step_text(kind, c.status, "zh"), c.n, c.overdue)
        row(get_spec(kind).zh, "小计", "", sum(c.n for c in mine), sum(c.overdue for c in mine), font=_HEADER_FONT)
    row("合计", "", "", len(sel.sites), sum(c.overdue for c in counts), font=_HEADER_FONT)
    ws.append([])

    row("目标完成进度（按所选镇街、类型的全部点位计算，不受状态筛选影响；完成率 = 已完成 ÷ 统计范围内点位）", font=_HEADER_FONT)
    row("点位类型", "目标", "统计范围（分母）", "范围内点位", "已完成", "完成率", "目标值", "方案", "是否达标", "截止日期",
        "方案依据", "完成口径（分子）", font=_HEADER_FONT)
    for t in target_rows(sel.population, sel.kinds):
        if t.needs_reference:
            met = "—（需官方参考范围，见审阅看板）"
        else:
            met = "—（无统计对象）" if t.share is None else "—（未定数值目标）" if t.threshold is None else (
                "是" if t.met else "否")
        row(t.kind_zh, t.zh, t.population_zh, t.population, t.done, t.share, t.threshold, t.plan_zh,
            met, t.deadline, t.clause, t.numerator_zh, kinds=("", "", "", "", "", "pct", "pct", "", "", "date", "", ""))


def write_xlsx(sel: Selection, path: Path, *, file_name: str | None = None) -> None:
    """Write the workbook for ``sel`` to ``path``.

    Parameters
    ----------
    sel : Selection
    path : Path
        Where to write (the atomic writer's temporary file).
    file_name : str, optional
        The name the file will have, stated on the summary sheet.
    """
    wb = Workbook(write_only=True)
    wb.properties.title = "福清生态环境一张图 点位清单"
    wb.properties.creator = "福清生态环境一张图"
    if sel.is_sample:
        wb.properties.description = sel.notice("zh") + " " + sel.notice("en")
        wb.properties.keywords = "示例数据"
    _write_summary(wb, sel, file_name or Path(path).name)
    for kind in sel.kinds:
        _write_kind_sheet(wb, sel, kind)
    wb.save(path)
