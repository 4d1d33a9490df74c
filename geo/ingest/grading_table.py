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
            raise ValidationError("grading.duplicate_column",
                                  en=f"Columns {col[t]!r} and {h!r} both hold {t}; keep one.",
                                  zh=f"“{col[t]}”与“{h}”两列含义相同；请只保留一列。", column=h)
        col[t] = h
    body_col = col.get("site_name") or col.get("site_id")
    missing = [label for label, ok in (("水体 water_body", body_col), ("点位 point", col.get("point")),
                                       ("轮次 round", col.get("round"))) if not ok]
    if missing:
        got = ", ".join(table.headers) or "(none)"
        raise ValidationError(
            "grading.missing_column",
            en=f"Header row: missing column(s) {', '.join(m.split()[1] for m in missing)}; the header has: {got}. "
               f"Name the columns water_body, point, round, transparency_cm, depth_cm, do_mg_l, orp_mv, nh3n_mg_l "
               f"(or 水体, 点位, 轮次, 透明度, 水深, 溶解氧, 氧化还原电位, 氨氮).",
            zh=f"表头缺少列：{'、'.join(m.split()[0] for m in missing)}；现有表头：{got}。"
               f"列名应为 水体、点位、轮次、透明度、水深、溶解氧、氧化还原电位、氨氮（或英文 water_body, point, round …）。",
            missing=missing)
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
                raise ValidationError(exc.code, en=f"row {raw.row}, column {letters[h]}: {exc.en}",
                                      zh=f"第 {raw.row} 行“{letters[h]}”列：{exc.zh}", fix_zh=exc.fix_zh,
                                      fix_en=exc.fix_en, row=raw.row, column=h, value=exc.context.get("value")) from exc
        body = V.clean_text(cells.get(body_col))
        if not body:
            raise ValidationError("grading.water_body_missing", en=f"row {raw.row}, column {letters[body_col]}: the "
                                  f"water body is missing; enter it.",
                                  zh=f"第 {raw.row} 行“{letters[body_col]}”列：缺少水体名称；请填写。",
                                  row=raw.row, column=body_col)
        try:
            out.append(Reading(kwargs.pop("point"), kwargs.pop("round"), water_body=body, row=raw.row, **kwargs))
        except ValidationError as exc:  # a blank point or round: name its column as the file shows it
            key = {"grading.point_missing": "point", "grading.round_missing": "round"}.get(exc.code)
            if key is None:
                raise
            raise ValidationError(exc.code, en=f"row {raw.row}, column {letters[col[key]]}: {exc.en.split(': ', 1)[-1]}",
                                  zh=f"第 {raw.row} 行“{letters[col[key]]}”列：{exc.zh.split('：', 1)[-1]}",
                                  row=raw.row, column=col[key]) from exc
    if not out:
        raise ValidationError("grading.no_readings", en="The file has a header but no data rows; add the readings.",
                              zh="文件只有表头，没有数据行；请填写监测数据。")
    return out
