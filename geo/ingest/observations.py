"""Importing monitoring data: any declared observation table from xlsx/CSV, checked row by row (pure).

The same reading as the ledger imports — :func:`geo.ingest.readers.read_upload`
(size limits, strict encodings: UTF-8, UTF-8 with BOM, UTF-16, GBK/GB18030;
sheets, title rows, merged cells) — then, for the spec (:mod:`layers.observation`):

1. the header row: if the reader's header names fewer than two of the spec's
   columns, the first rows are searched for one that names more (a title row
   over a monitoring table is common);
2. columns: the site (by id, or by name — 水体名称), the date (and time), every
   field, by the spec's Chinese and English aliases, a unit in brackets
   allowed; a column named twice or a required column missing refuses the file;
3. per row: the site must exist and be of the spec's kind (a name must name
   exactly one); the date (Excel dates, ``2025-03-01``, ``2025年3月1日`` ...;
   months for monthly specs), the time, every value (numbers with their unit,
   full-width digits; the physically possible range); required fields;
4. duplicates: a row that repeats another row of the file (same site, date and
   identity, e.g. point and round) is refused; a row the store already holds
   identically is *unchanged* (not written again); a row the store holds with
   other values is refused — a stored row is changed by correcting it;
5. warnings that do not stop the row: the rules' row notices (transparency
   deeper than the water ...) and the sampling rules of every campaign the
   file adds to.

Problems are :class:`~geo.ingest.problems.Problem` rows (the row as Excel shows
it, the column, a code, zh/en message and fix), the same as ledger imports.
Nothing is written here: the store writes :attr:`ObsPlan.writable`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Mapping, Sequence

from geo.domain.monitoring import coerce_obs_value, current_rows, rules_for
from geo.errors import OneMapError, ValidationError
from geo.ingest import values as V
from geo.ingest.columns import header_key
from geo.ingest.problems import IngestError, Problem, problem_from_error, short
from geo.ingest.readers import RawRow, RawTable, read_upload
from geo.store.base import NewObservation, Observation, Site
from layers.observation import ObservationSpec, ObsField
from layers.spec import Field

__all__ = ["ObsCandidate", "ObsPlan", "prepare_observations", "map_headers", "plan_from_table", "parse_time", "rehead", "cell_value",
           "parse_month"]

_HEADER_SCAN = 20
_BRACKETS = re.compile(r"[(\[【〔（][^)\]】〕）]*[)\]】〕）]")


@dataclass
class ObsCandidate:
    """One accepted row: the observation to write, or ``unchanged`` when the store already holds it."""

    row: int
    observation: NewObservation
    action: str = "create"  # or "unchanged"
    stored: int | None = None  # obs_id of the identical stored row (unchanged)
    layer: str = ""


@dataclass
class ObsPlan:
    """What the preview shows and the import writes, for one monitoring table.

    Attributes
    ----------
    spec : ObservationSpec
    source_name : str
    table : RawTable or None
    mapping : dict
        Header -> target (``site_id``, ``site_name``, ``observed_on``,
        ``observed_time`` or a field name; None: ignored).
    candidates : list of ObsCandidate
    problems : list of Problem
    rows_read : int
    """

    spec: ObservationSpec
    source_name: str
    table: RawTable | None
    mapping: dict[str, str | None] = field(default_factory=dict)
    candidates: list[ObsCandidate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def writable(self) -> list[NewObservation]:
        return [c.observation for c in self.candidates if c.action == "create"]

    @property
    def sites(self) -> list[str]:
        return list(dict.fromkeys(c.observation.site_id for c in self.candidates))

    def report(self, *, batch_id: str | None = None, written: bool = False, lang: str = "zh") -> dict[str, Any]:
        """The JSON report: every problem by row/column/code/message/fix, and the accepted rows."""
        return {
            "file": self.source_name,
            "format": self.table.format if self.table else None,
            "table": self.spec.key,
            "encoding": self.table.encoding if self.table else None,
            "sheet": self.table.chosen if self.table else [],
            "rows_read": self.rows_read,
            "batch_id": batch_id,
            "written": written,
            "columns": {h: t for h, t in self.mapping.items()},
            "counts": {"accepted": len(self.candidates), "create": len(self.writable),
                       "unchanged": sum(c.action == "unchanged" for c in self.candidates),
                       "sites": len(self.sites),
                       "rows_with_errors": len({p.row for p in self.errors if p.row is not None}),
                       "errors": len(self.errors), "warnings": len(self.warnings)},
            "problems": [
                {"row": p.row, "column": p.column, "code": p.code, "severity": p.severity,
                 "message": p.message(lang), "message_zh": p.message_zh, "message_en": p.message_en,
                 "fix": p.fix_text(lang), "fix_zh": p.fix_zh, "fix_en": p.fix_en, "value": p.value}
                for p in self.problems
            ],
            "accepted": [{"row": c.row, "site_id": c.observation.site_id, "date": c.observation.observed_on,
                          "action": c.action} for c in self.candidates],
        }


# -- columns -------------------------------------------------------------------
def _keys(text: Any) -> tuple[str, str]:
    key = header_key(text)
    return key, _BRACKETS.sub("", key)


def _alias_index(spec: ObservationSpec) -> dict[str, str]:
    index: dict[str, str] = {}
    for target, names in spec.headers().items():
        for n in names:
            for k in _keys(n):
                if k:
                    index.setdefault(k, target)
    return index


def map_headers(spec: ObservationSpec, headers: Sequence[str]) -> dict[str, str | None]:
    """Header -> the spec target it names (None: not one of the spec's columns, ignored)."""
    index = _alias_index(spec)
    out = {}
    for h in headers:
        key, bare = _keys(h)
        out[h] = index.get(key) or index.get(bare)
    return out


def rehead(spec: ObservationSpec, table: RawTable) -> tuple[RawTable, int]:
    """The table re-read under the first row that names the spec's columns, when the reader chose another."""
    def named(cells) -> int:
        return sum(1 for t in map_headers(spec, [str(c) for c in cells if not V.is_blank(c)]).values() if t)

    if named(table.headers) >= 2:
        return table, 0
    for i, raw in enumerate(table.rows[:_HEADER_SCAN]):
        cells = list(raw.values.values())
        if named(cells) >= 2:
            headers, seen = [], {}
            for j, c in enumerate(cells, start=1):
                text = " ".join(str(c).split()) if not V.is_blank(c) else f"（第{j}列）"
                if text in seen:
                    seen[text] += 1
                    text = f"{text} ({seen[text]})"
                else:
                    seen[text] = 1
                headers.append(text)
            rows = []
            for r in table.rows[i + 1:]:
                vals = list(r.values.values())
                old = list(r.values)
                rows.append(RawRow(row=r.row, values={h: (vals[k] if k < len(vals) else None)
                                                      for k, h in enumerate(headers)},
                                   layer=r.layer, formula_missing={headers[old.index(h)] for h in r.formula_missing
                                                                   if old.index(h) < len(headers)}))
            fixed = RawTable(format=table.format, source_name=table.source_name, headers=headers, rows=rows,
                             notes=table.notes, choices=table.choices, chosen=table.chosen, encoding=table.encoding,
                             header_row=raw.row)
            return fixed, raw.row
    return table, 0


# -- values --------------------------------------------------------------------
def parse_time(value: Any) -> str | None:
    """``HH:MM`` from a time cell: ``14:30``, ``14:30:05``, ``14时30分``, an Excel time fraction, a datetime."""
    if V.is_blank(value):
        return None
    if isinstance(value, datetime):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= float(value) < 1:
        minutes = round(float(value) * 24 * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = re.fullmatch(r"(\d{1,2})(?::|时)(\d{1,2})(?:(?::|分)(\d{1,2})?秒?)?分?", text)
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return f"{int(m.group(1)):02d}:{int(m.group(2)):02d}"
    raise ValidationError("obs.bad_time", en=f"{text!r} is not a time of day; write it as HH:MM, e.g. 09:30.",
                          zh=f"“{text}”不是时刻；请写成 时:分，如 09:30。", value=text,
                          fix_zh="按 HH:MM 填写，如 09:30。", fix_en="Write HH:MM, e.g. 09:30.")


def parse_month(value: Any) -> str:
    """The first day of a month: ``2025-03``, ``2025/3``, ``2025年3月``, ``202503`` or any date in it."""
    if isinstance(value, (datetime, date)):
        d = value.date() if isinstance(value, datetime) else value
        return d.replace(day=1).isoformat()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = re.fullmatch(r"(\d{4})(?:[-/.年])(\d{1,2})月?", text) or re.fullmatch(r"(\d{4})(\d{2})", text)
    if m and 1 <= int(m.group(2)) <= 12:
        return date(int(m.group(1)), int(m.group(2)), 1).isoformat()
    return date.fromisoformat(V.parse_date("月份", "month", value)).replace(day=1).isoformat()


def cell_value(spec: ObservationSpec, fld: ObsField, value: Any) -> Any:
    """A cell as the field's value (None when blank), as ledgers write it; ValidationError when not."""
    if V.is_blank(value):
        return None
    if V.excel_error(value):
        V.clean_text(value)  # raises cell.excel_error
    if fld.type == "text":
        return V.clean_text(value)
    as_field = Field(fld.name, fld.zh, fld.en, "int" if fld.type == "int" else "float", unit=fld.unit)
    if fld.type in ("int", "float"):
        parsed = V.parse_number(as_field, value)
    elif fld.type == "bool":
        key = V.match_key(value)
        if key in {V.match_key(w) for w in fld.yes_words}:
            parsed = True
        elif key in {V.match_key(w) for w in fld.no_words}:
            parsed = False
        else:
            parsed = V.parse_bool(as_field, value)
    else:
        key = V.match_key(value)
        parsed = next((c.code for c in fld.choices if key in (V.match_key(c.code), V.match_key(c.zh),
                                                               V.match_key(c.en))), None)
        if parsed is None:
            allowed = "、".join(c.zh for c in fld.choices)
            raise ValidationError("field.bad_choice", en=f"{fld.en}: {value!r} is not one of the allowed values.",
                                  zh=f"“{fld.zh}”的值“{value}”不在可选范围内：{allowed}。", value=str(value),
                                  fix_zh=f"改为以下之一：{allowed}。", fix_en="Use one of the listed values.")
    return coerce_obs_value(fld, parsed)


def _site_lookup(spec: ObservationSpec, sites: Sequence[Site]):
    by_id = {s.site_id: s for s in sites}
    by_name: dict[str, list[Site]] = {}
    for s in sites:
        if s.kind == spec.site_kind:
            by_name.setdefault(V.match_key(s.name), []).append(s)
    return by_id, by_name


# -- the plan ------------------------------------------------------------------
def prepare_observations(data: bytes, name: str, *, spec: ObservationSpec, sites: Sequence[Site],
                         stored: Sequence[Observation] = (), sheet: str | None = None) -> ObsPlan:
    """Read and check a monitoring file; return the plan (never raises for a bad file).

    Parameters
    ----------
    data, name : bytes, str
        The file and its name (the suffix decides the format; xlsx or CSV).
    spec : ObservationSpec
    sites : sequence of Site
        Every site in the store (rows name theirs by id or by name).
    stored : sequence of Observation
        The stored rows of this table (current or not) for the sites concerned.
    sheet : str, optional
    """
    try:
        table = read_upload(data, name, kind=spec.site_kind, sheet=sheet)
    except IngestError as exc:
        return ObsPlan(spec, name, None, problems=[problem_from_error(exc, row=None)])
    if table.format not in ("xlsx", "csv"):
        p = Problem(row=None, column="", code="format.not_a_table",
                    message_zh=f"“{name}”不是表格文件；监测数据请用 xlsx 或 CSV。",
                    message_en=f"{name} is not a table; monitoring data comes as xlsx or CSV.",
                    fix_zh="另存为 xlsx 或 CSV 后导入。", fix_en="Save it as xlsx or CSV and import that.", value=name)
        return ObsPlan(spec, name, table, problems=[p])
    return plan_from_table(table, spec=spec, sites=sites, stored=stored)


def plan_from_table(table: RawTable, *, spec: ObservationSpec, sites: Sequence[Site],
                    stored: Sequence[Observation] = ()) -> ObsPlan:
    """Check an already read table (see :func:`prepare_observations`)."""
    table, moved = rehead(spec, table)
    plan = ObsPlan(spec, table.source_name, table, problems=list(table.notes), rows_read=len(table.rows))
    if moved:
        plan.problems.append(Problem(row=None, column="", code="table.header_found", severity="warning",
                                     message_zh=f"表头位于第 {moved} 行，其上方各行未作为数据读取。",
                                     message_en=f"The header is row {moved}; the rows above it were not read as data."))
    mapping = map_headers(spec, table.headers)
    plan.mapping = mapping
    if not _file_checks(plan, spec, mapping):
        return plan
    col = {t: h for h, t in mapping.items() if t}
    by_id, by_name = _site_lookup(spec, sites)
    current = current_rows(stored)
    held: dict[tuple, Observation] = {}
    for o in current:
        held[_ident(spec, o.site_id, o.observed_on, o.observed_time, o.values)] = o
    first_seen: dict[tuple, int] = {}
    rules = rules_for(spec)
    for raw in table.rows:
        out = _row(plan, spec, raw, col, by_id, by_name)
        if out is None:
            continue
        key = _ident(spec, out.site_id, out.observed_on, out.observed_time, out.values)
        id_col = col.get(spec.identity[0], "") if spec.identity else col["observed_on"]
        if key in first_seen:
            plan.problems.append(_problem(raw, id_col, "obs.duplicate_in_file",
                                          zh=f"与第 {first_seen[key]} 行重复（同一{_what(spec, out)}）。",
                                          en=f"repeats row {first_seen[key]} (the same {_what(spec, out, 'en')}).",
                                          fix_zh="删除重复行，或更正" + "、".join(
                                              ["日期"] + [_target_label(spec, n) for n in spec.identity]) + "。",
                                          fix_en="Delete the repeated row, or correct its " + ", ".join(
                                              ["date"] + [_target_label(spec, n, "en") for n in spec.identity]) + "."))
            continue
        first_seen[key] = raw.row
        known = held.get(key)
        if known is not None:
            if _same(spec, known, out):
                plan.candidates.append(ObsCandidate(raw.row, out, "unchanged", known.obs_id, raw.layer))
                continue
            plan.problems.append(_problem(
                raw, id_col, "obs.already_recorded",
                zh=f"{_what(spec, out)} 已有不同数值的记录（#{known.obs_id}，{known.recorded_by} 录入）。",
                en=f"{_what(spec, out, 'en')} is already recorded with other values (#{known.obs_id}, "
                   f"by {known.recorded_by}).",
                fix_zh=f"如需改正已保存的数据，请更正第 {known.obs_id} 号记录（写明理由），不要重复导入。",
                fix_en=f"To change the stored values, correct row #{known.obs_id} (with a reason) instead of "
                       f"importing it again."))
            continue
        for n in rules.row_notices(out.values):
            plan.problems.append(_problem(raw, "", n.code, zh=n.zh, en=n.en, severity="warning"))
        plan.candidates.append(ObsCandidate(raw.row, out, "create", layer=raw.layer))
    plan.problems += _campaign_warnings(spec, plan, current, sites)
    return plan


def _file_checks(plan: ObsPlan, spec: ObservationSpec, mapping: Mapping[str, str | None]) -> bool:
    twice: dict[str, list[str]] = {}
    for h, t in mapping.items():
        if t:
            twice.setdefault(t, []).append(h)
    ok = True
    for t, hs in twice.items():
        if len(hs) > 1:
            ok = False
            plan.problems.append(Problem(
                row=None, column="、".join(hs), code="columns.duplicate",
                message_zh=f"列“{'”“'.join(hs)}”都表示{_target_label(spec, t)}。",
                message_en=f"columns {', '.join(hs)} all hold {_target_label(spec, t, 'en')}.",
                fix_zh="只保留其中一列。", fix_en="Keep one of them."))
    needed = [("site", ("site_id", "site_name")), ("observed_on", ("observed_on",))]
    needed += [(f.name, (f.name,)) for f in spec.fields if f.required]
    got = set(mapping.values())
    for label, any_of in needed:
        if not got & set(any_of):
            ok = False
            heads = spec.headers()
            names = [n for t in any_of for n in heads[t][:6]]
            zh = f"{spec.site_noun_zh}（编号或名称）" if label == "site" else _target_label(spec, label)
            en = "the site (id or name)" if label == "site" else _target_label(spec, label, "en")
            plan.problems.append(Problem(
                row=None, column="", code="columns.missing",
                message_zh=f"缺少{zh}列；现有表头：{'、'.join(plan.table.headers) or '（无）'}。",
                message_en=f"no column for {en}; the headers are: {', '.join(plan.table.headers) or '(none)'}.",
                fix_zh=f"添加该列，表头可写：{'、'.join(names)}。", fix_en=f"Add the column, headed one of: {', '.join(names)}."))
    return ok


def _target_label(spec: ObservationSpec, target: str, lang: str = "zh") -> str:
    fixed = {"site_id": (f"{spec.site_noun_zh}编号", "site id"), "site_name": (f"{spec.site_noun_zh}名称", "site name"),
             "observed_on": ("日期", "date"), "observed_time": ("时间", "time")}
    if target in fixed:
        return fixed[target][0 if lang == "zh" else 1]
    f = spec.field(target)
    return f.label(lang) if f else target


def _what(spec: ObservationSpec, o: NewObservation, lang: str = "zh") -> str:
    parts = [o.site_id, o.observed_on] + [f"{_target_label(spec, n, lang)} {o.values.get(n)}" for n in spec.identity]
    return " ".join(str(p) for p in parts)


def _ident(spec: ObservationSpec, site_id: str, observed_on: str, observed_time: str | None,
           values: Mapping[str, Any]) -> tuple:
    return spec.identity_key(site_id, observed_on, observed_time, values)


def _same(spec: ObservationSpec, stored: Observation, new: NewObservation) -> bool:
    if (stored.observed_time or None) != (new.observed_time or None):
        return False
    for f in spec.fields:
        a, b = stored.values.get(f.name), new.values.get(f.name)
        if isinstance(a, float) or isinstance(b, float):
            if (a is None) != (b is None) or (a is not None and not math.isclose(float(a), float(b), rel_tol=1e-12)):
                return False
        elif a != b:
            return False
    return True


def _problem(raw: RawRow, column: str, code: str, *, zh: str, en: str, fix_zh: str = "", fix_en: str = "",
             severity: str = "error", value: Any = "") -> Problem:
    return Problem(row=raw.row, column=column or "", code=code, message_zh=zh, message_en=en, fix_zh=fix_zh,
                   fix_en=fix_en, severity=severity, value=short(value) if value != "" else "", layer=raw.layer)


def _from_error(raw: RawRow, column: str, exc: OneMapError) -> Problem:
    return problem_from_error(exc, row=raw.row, column=column, layer=raw.layer)


def _row(plan: ObsPlan, spec: ObservationSpec, raw: RawRow, col: Mapping[str, str], by_id, by_name
         ) -> NewObservation | None:
    cells = raw.values
    if all(V.is_blank(v) for v in cells.values()):
        return None
    before = len(plan.problems)
    for h in raw.formula_missing:
        if h in col.values():
            plan.problems.append(_problem(raw, h, "cell.formula_no_value", zh="公式单元格没有保存计算结果。",
                                          en="a formula cell without its computed value.",
                                          fix_zh="在 Excel 中打开并保存（或把公式改为数值）后重新导入。",
                                          fix_en="Open and save it in Excel (or paste values), then import again."))
    site = _site(plan, spec, raw, col, by_id, by_name)
    day, when = None, None
    h = col["observed_on"]
    try:
        cell = cells.get(h)
        if V.is_blank(cell):
            plan.problems.append(_problem(raw, h, "obs.date_missing", zh="缺少日期。", en="the date is missing.",
                                          fix_zh="填写采样日期，如 2025-03-01。", fix_en="Enter the date, e.g. 2025-03-01."))
        else:
            day = parse_month(cell) if spec.period == "month" else V.parse_date("日期", "date", cell)
            if spec.has_time and isinstance(cell, datetime) and (cell.hour or cell.minute):
                when = f"{cell.hour:02d}:{cell.minute:02d}"
    except OneMapError as exc:
        plan.problems.append(_from_error(raw, h, exc))
    if "observed_time" in col:
        try:
            t = parse_time(cells.get(col["observed_time"]))
            when = t or when
        except OneMapError as exc:
            plan.problems.append(_from_error(raw, col["observed_time"], exc))
    values: dict[str, Any] = {}
    for f in spec.fields:
        h = col.get(f.name)
        try:
            values[f.name] = cell_value(spec, f, cells.get(h)) if h else None
        except OneMapError as exc:
            plan.problems.append(_from_error(raw, h, exc))
            continue
        if f.required and values[f.name] is None:
            plan.problems.append(_problem(raw, h or "", "obs.required", zh=f"缺少“{f.zh}”。", en=f"{f.en} is missing.",
                                          fix_zh=f"填写“{f.zh}”。", fix_en=f"Fill in {f.en}."))
    if any(p.is_error for p in plan.problems[before:]) or site is None or day is None:
        return None
    for e in rules_for(spec).row_errors(values):
        plan.problems.append(_problem(raw, col.get(e.field, ""), e.code, zh=e.zh, en=e.en, fix_zh=e.fix_zh,
                                      fix_en=e.fix_en, value=values.get(e.field)))
    if any(p.is_error for p in plan.problems[before:]):
        return None
    if not any(values.get(f.name) is not None for f in spec.fields if f.chart) and spec.chart_fields:
        plan.problems.append(_problem(raw, "", "obs.nothing_measured",
                                      zh="该行没有任何监测值（" + "、".join(f.zh for f in spec.chart_fields) + "）。",
                                      en="the row holds no measured value (" + ", ".join(f.en for f in spec.chart_fields)
                                      + ").", fix_zh="至少填写一项监测值，或删除该行。",
                                      fix_en="Enter at least one measured value, or delete the row."))
        return None
    return NewObservation(site.site_id, day, when, values, row=raw.row)


def _site(plan: ObsPlan, spec: ObservationSpec, raw: RawRow, col: Mapping[str, str], by_id, by_name) -> Site | None:
    from layers import get_spec

    kind = get_spec(spec.site_kind)
    h_id, h_name = col.get("site_id"), col.get("site_name")
    sid = V.clean_id(raw.values.get(h_id)) if h_id else None
    name = V.clean_text(raw.values.get(h_name)) if h_name else None
    if sid:
        site = by_id.get(sid)
        if site is None:
            plan.problems.append(_problem(raw, h_id, "site.not_found", zh=f"不存在编号为“{sid}”的{kind.zh}。",
                                          en=f"no {kind.en} site has the id {sid!r}.", value=sid,
                                          fix_zh=f"核对编号（地图详情或导出表中可查），或改写{spec.site_noun_zh}名称。",
                                          fix_en="Check the id (map panel or an export), or give the body's name."))
            return None
        if site.kind != spec.site_kind:
            plan.problems.append(_problem(raw, h_id, "obs.wrong_kind", zh=f"“{sid}”是{get_spec(site.kind).zh}，不是{kind.zh}。",
                                          en=f"{sid} is a {get_spec(site.kind).en} site, not {kind.en}.", value=sid,
                                          fix_zh=f"填写{kind.zh}的编号。", fix_en=f"Give the id of a {kind.en} site."))
            return None
        if name and V.match_key(name) != V.match_key(site.name):
            plan.problems.append(_problem(raw, h_name, "site.name_differs", severity="warning", value=name,
                                          zh=f"编号 {sid} 的名称为“{site.name}”，表中写作“{name}”；按编号导入。",
                                          en=f"{sid} is named {site.name!r}, the row says {name!r}; imported by id."))
        return site
    if name:
        found = by_name.get(V.match_key(name), [])
        if len(found) == 1:
            return found[0]
        if not found:
            plan.problems.append(_problem(raw, h_name, "site.name_unknown", zh=f"没有名为“{name}”的{kind.zh}。",
                                          en=f"no {kind.en} site is named {name!r}.", value=name,
                                          fix_zh=f"核对名称，或填写{spec.site_noun_zh}编号。", fix_en="Check the name, or give the site id."))
        else:
            ids = "、".join(s.site_id for s in found)
            plan.problems.append(_problem(raw, h_name, "site.name_ambiguous", zh=f"名为“{name}”的{kind.zh}有多个：{ids}。",
                                          en=f"several {kind.en} sites are named {name!r}: {ids}.", value=name,
                                          fix_zh=f"填写{spec.site_noun_zh}编号以区分。", fix_en="Give the site id instead."))
        return None
    plan.problems.append(_problem(raw, h_id or h_name or "", "site.missing", zh=f"缺少{spec.site_noun_zh}编号或名称。",
                                  en="neither a site id nor a name.", fix_zh=f"填写{spec.site_noun_zh}编号（或名称）。",
                                  fix_en="Enter the site id (or its name)."))
    return None


def _campaign_warnings(spec: ObservationSpec, plan: ObsPlan, current: Sequence[Observation],
                       sites: Sequence[Site]) -> list[Problem]:
    """The rules' assessment of every site the file adds to (stored rows + new ones): sampling warnings."""
    new = [c for c in plan.candidates if c.action == "create"]
    if not new:
        return []
    rules = rules_for(spec)
    by_id = {s.site_id: s for s in sites}
    out = []
    for sid in dict.fromkeys(c.observation.site_id for c in new):
        rows = [o for o in current if o.site_id == sid]
        fresh = [c.observation for c in new if c.observation.site_id == sid]
        rows += [Observation(spec.key, -(i + 1), o.site_id, o.observed_on, o.observed_time, o.values)
                 for i, o in enumerate(fresh)]
        days = {o.observed_on for o in fresh}
        try:
            assessed = rules.assess(by_id[sid], rows)
        except OneMapError as exc:
            out.append(Problem(row=None, column="", code=exc.code, message_zh=f"{sid}：{exc.zh}",
                               message_en=f"{sid}: {exc.en}", severity="warning"))
            continue
        for a in assessed:
            if not any(a.start.isoformat() <= d <= a.end.isoformat() for d in days):
                continue
            grade = f"{sid} {a.campaign.label if hasattr(a, 'campaign') else a.start}："
            out.append(Problem(row=None, column="", code="assessment.grade", severity="warning",
                               message_zh=f"{grade}{a.grade_text('zh')}（{a.rule_text('zh')}）",
                               message_en=f"{sid} {a.start}: {a.grade_text('en')} ({a.rule_text('en')})"))
            for n in a.notices:
                out.append(Problem(row=None, column="", code=n.code, severity="warning",
                                   message_zh=f"{sid}：{n.zh}", message_en=f"{sid}: {n.en}"))
    return out

