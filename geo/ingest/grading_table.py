"""A table of readings to grade on the spot (``python cli.py grade FILE``): read, map, check (pure).

For a quick grading of readings that are not (yet) in the store: any xlsx or
CSV the monitoring import reads (same readers, same encodings, same column
names as :mod:`layers.black_odorous_readings`), where the body is named in a
水体 / water_body column instead of being a stored site. Nothing is written.
The first bad cell raises :class:`~geo.errors.ValidationError` naming the row
as the spreadsheet shows it, the column and the fix.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from geo.domain.bands import Reading
from geo.errors import OneMapError, ValidationError
from geo.ingest import values as V
from geo.ingest.messages import invalid
from geo.ingest.observations import cell_value, map_headers, rehead
from geo.ingest.readers import read_upload
from layers import OBSERVATIONS

__all__ = ["readings_from_table"]

_SPEC = OBSERVATIONS["black_odorous_readings"]
_VALUES = ("transparency_cm", "depth_cm", "do_mg_l", "orp_mv", "nh3n_mg_l")


def readings_from_table(data: bytes, name: str) -> list[Reading]:
    """Readings from a file with the columns 水体, 点位, 轮次 and any of 透明度, 水深, 溶解氧, 氧化还原电位, 氨氮.

    English headers (``water_body, point, round, transparency_cm, depth_cm,
    do_mg_l, orp_mv, nh3n_mg_l``) work too, a unit in brackets is allowed; an
    empty cell is "not measured"; other columns are ignored.

    Raises
    ------
    ValidationError
        The file cannot be read, a column is missing or named twice, or a cell
        is bad — naming the row (the header is the row Excel shows) and the column.
    """
    table = read_upload(data, name, kind=_SPEC.site_kind)
    table, _ = rehead(_SPEC, table)
    mapping = map_headers(_SPEC, table.headers)
    col: dict[str, str] = {}
    for h, t in mapping.items():
        if not t:
            continue
        if t in col:
            raise invalid("grading.duplicate_column", first=col[t], second=h, target=t, context={"column": h})
        col[t] = h
    body_col = col.get("site_name") or col.get("site_id")
    missing = [label for label, ok in (("水体 water_body", body_col), ("点位 point", col.get("point")),
                                       ("轮次 round", col.get("round"))) if not ok]
    if missing:
        raise invalid("grading.missing_column", missing_zh="、".join(m.split()[0] for m in missing),
                      missing_en=", ".join(m.split()[1] for m in missing), headers=", ".join(table.headers) or "(none)",
                      context={"missing": missing})
    letters = {h: f"{h} ({get_column_letter(i)})" for i, h in enumerate(table.headers, start=1)}
    out = []
    for raw in table.rows:
        cells = raw.values
        if all(V.is_blank(v) for v in cells.values()):
            continue
        kwargs = {}
        for key in ("point", "round", *_VALUES):
            h = col.get(key)
            try:
                kwargs[key] = cell_value(_SPEC, _SPEC.field(key), cells.get(h)) if h else None
            except OneMapError as exc:
                raise _in_cell(exc, raw.row, h, letters[h], exc.zh, exc.en,
                               value=exc.context.get("value")) from exc
        body = V.clean_text(cells.get(body_col))
        if not body:
            raise invalid("grading.water_body_missing", row=raw.row, column=letters[body_col],
                          context={"row": raw.row, "column": body_col})
        try:
            out.append(Reading(kwargs.pop("point"), kwargs.pop("round"), water_body=body, row=raw.row, **kwargs))
        except ValidationError as exc:  # a blank point or round: name its column as the file shows it
            key = {"grading.point_missing": "point", "grading.round_missing": "round"}.get(exc.code)
            if key is None:
                raise
            raise _in_cell(exc, raw.row, col[key], letters[col[key]], exc.zh.split("：", 1)[-1],
                           exc.en.split(": ", 1)[-1]) from exc
    if not out:
        raise invalid("grading.no_readings", context={})
    return out


def _in_cell(exc: OneMapError, row: int, column: str, shown: str, detail_zh: str, detail_en: str,
             **context) -> ValidationError:
    """``exc`` (its code, words and fix) said of the cell at ``row`` and ``column`` (``shown`` with its letter)."""
    return invalid("grading.cell", code=exc.code, row=row, column=shown, detail_zh=detail_zh, detail_en=detail_en,
                   detail_fix_zh=exc.fix_zh, detail_fix_en=exc.fix_en,
                   context={"row": row, "column": column, **context})
