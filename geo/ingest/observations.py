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
from geo.errors import OneMapError
from geo.ingest import values as V
from geo.ingest.collect import RowProblems, file_problem, note
from geo.ingest.columns import header_key
from geo.ingest.messages import invalid
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
    raise invalid("obs.bad_time", value=text)


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
            raise invalid("field.bad_choice", value=value, field_zh=fld.zh, field_en=fld.en,
                          allowed_zh="、".join(c.zh for c in fld.choices),
                          allowed_en=", ".join(f"{c.code} ({c.zh})" for c in fld.choices))
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
        return ObsPlan(spec, name, table, problems=[file_problem("format.not_a_table", value=name, name=name)])
    return plan_from_table(table, spec=spec, sites=sites, stored=stored)


def plan_from_table(table: RawTable, *, spec: ObservationSpec, sites: Sequence[Site],
                    stored: Sequence[Observation] = ()) -> ObsPlan:
    """Check an already read table (see :func:`prepare_observations`)."""
    table, moved = rehead(spec, table)
    plan = ObsPlan(spec, table.source_name, table, problems=list(table.notes), rows_read=len(table.rows))
    if moved:
        plan.problems.append(note("table.header_found", row=moved))
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
        rp = RowProblems(raw)
        if key in first_seen:
            rp.add("obs.duplicate_in_file", id_col, first=first_seen[key], what_zh=_what(spec, out),
                   what_en=_what(spec, out, "en"),
                   fields_zh="、".join(["日期"] + [_target_label(spec, n) for n in spec.identity]),
                   fields_en=", ".join(["date"] + [_target_label(spec, n, "en") for n in spec.identity]))
            plan.problems += rp.items
            continue
        first_seen[key] = raw.row
        known = held.get(key)
        if known is not None:
            if _same(spec, known, out):
                plan.candidates.append(ObsCandidate(raw.row, out, "unchanged", known.obs_id, raw.layer))
                continue
            rp.add("obs.already_recorded", id_col, what_zh=_what(spec, out), what_en=_what(spec, out, "en"),
                   obs_id=known.obs_id, by=known.recorded_by)
            plan.problems += rp.items
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
            plan.problems.append(file_problem(
                "columns.duplicate", column="、".join(hs), headers_zh="”“".join(hs), headers_en=", ".join(hs),
                target_zh=_target_label(spec, t), target_en=_target_label(spec, t, "en")))
    needed = [("site", ("site_id", "site_name")), ("observed_on", ("observed_on",))]
    needed += [(f.name, (f.name,)) for f in spec.fields if f.required]
    got = set(mapping.values())
    for label, any_of in needed:
        if not got & set(any_of):
            ok = False
            heads = spec.headers()
            names = [n for t in any_of for n in heads[t][:6]]
            said = dict(headers_zh="、".join(plan.table.headers) or "（无）",
                        headers_en=", ".join(plan.table.headers) or "(none)",
                        names_zh="、".join(names), names_en=", ".join(names))
            if label == "site":
                plan.problems.append(file_problem("columns.missing|site", **_nouns(spec), **said))
            else:
                plan.problems.append(file_problem("columns.missing", what_zh=_target_label(spec, label),
                                                  what_en=_target_label(spec, label, "en"), **said))
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


def _nouns(spec: ObservationSpec) -> dict[str, str]:
    """The word for the spec's sites: its own in Chinese (水体, 排污口 ...), ``site`` in English for every kind."""
    return {"noun_zh": spec.site_noun_zh, "noun_en": "site"}


def _problem(raw: RawRow, column: str, code: str, *, zh: str, en: str, fix_zh: str = "", fix_en: str = "",
             severity: str = "error", value: Any = "") -> Problem:
    """A row problem the domain's rules worded themselves (their code, both languages, their fix if any)."""
    return Problem(row=raw.row, column=column or "", code=code, message_zh=zh, message_en=en, fix_zh=fix_zh,
                   fix_en=fix_en, severity=severity, value=short(value) if value != "" else "", layer=raw.layer)


def _from_error(raw: RawRow, column: str, exc: OneMapError) -> Problem:
    return problem_from_error(exc, row=raw.row, column=column, layer=raw.layer)


def _row(plan: ObsPlan, spec: ObservationSpec, raw: RawRow, col: Mapping[str, str], by_id, by_name
         ) -> NewObservation | None:
    """The row's observation (None when blank or after an error); its problems are added to ``plan``."""
    if all(V.is_blank(v) for v in raw.values.values()):
        return None
    rp = RowProblems(raw)
    try:
        return _checked_row(rp, spec, col, by_id, by_name)
    finally:
        plan.problems += rp.items


def _checked_row(rp: RowProblems, spec: ObservationSpec, col: Mapping[str, str], by_id, by_name
                 ) -> NewObservation | None:
    raw = rp.raw
    cells = raw.values
    for h in raw.formula_missing:
        if h in col.values():
            rp.add("cell.formula_no_value|obs", h)
    site = _site(rp, spec, col, by_id, by_name)
    day, when = None, None
    h = col["observed_on"]
    try:
        cell = cells.get(h)
        if V.is_blank(cell):
            rp.add("obs.date_missing", h)
        else:
            day = parse_month(cell) if spec.period == "month" else V.parse_date("日期", "date", cell)
            if spec.has_time and isinstance(cell, datetime) and (cell.hour or cell.minute):
                when = f"{cell.hour:02d}:{cell.minute:02d}"
    except OneMapError as exc:
        rp.items.append(_from_error(raw, h, exc))
    if "observed_time" in col:
        try:
            t = parse_time(cells.get(col["observed_time"]))
            when = t or when
        except OneMapError as exc:
            rp.items.append(_from_error(raw, col["observed_time"], exc))
    values: dict[str, Any] = {}
    for f in spec.fields:
        h = col.get(f.name)
        try:
            values[f.name] = cell_value(spec, f, cells.get(h)) if h else None
        except OneMapError as exc:
            rp.items.append(_from_error(raw, h, exc))
            continue
        if f.required and values[f.name] is None:
            rp.add("obs.required", h or "", field_zh=f.zh, field_en=f.en)
    if rp.failed or site is None or day is None:
        return None
    for e in rules_for(spec).row_errors(values):
        rp.items.append(_problem(raw, col.get(e.field, ""), e.code, zh=e.zh, en=e.en, fix_zh=e.fix_zh,
                                 fix_en=e.fix_en, value=values.get(e.field)))
    if rp.failed:
        return None
    if not any(values.get(f.name) is not None for f in spec.fields if f.chart) and spec.chart_fields:
        rp.add("obs.nothing_measured", "", fields_zh="、".join(f.zh for f in spec.chart_fields),
               fields_en=", ".join(f.en for f in spec.chart_fields))
        return None
    return NewObservation(site.site_id, day, when, values, row=raw.row)


def _site(rp: RowProblems, spec: ObservationSpec, col: Mapping[str, str], by_id, by_name) -> Site | None:
    from layers import get_spec

    raw = rp.raw
    kind = get_spec(spec.site_kind)
    said = {"kind_zh": kind.zh, "kind_en": kind.en, **_nouns(spec)}
    h_id, h_name = col.get("site_id"), col.get("site_name")
    sid = V.clean_id(raw.values.get(h_id)) if h_id else None
    name = V.clean_text(raw.values.get(h_name)) if h_name else None
    if sid:
        site = by_id.get(sid)
        if site is None:
            rp.add("site.not_found", h_id, value=sid, **said)
            return None
        if site.kind != spec.site_kind:
            other = get_spec(site.kind)
            rp.add("obs.wrong_kind", h_id, value=sid, other_zh=other.zh, other_en=other.en, **said)
            return None
        if name and V.match_key(name) != V.match_key(site.name):
            rp.add("site.name_differs", h_name, value=name, severity="warning", id=sid, stored=site.name)
        return site
    if name:
        found = by_name.get(V.match_key(name), [])
        if len(found) == 1:
            return found[0]
        if not found:
            rp.add("site.name_unknown", h_name, value=name, **said)
        else:
            rp.add("site.name_ambiguous", h_name, value=name, ids="、".join(s.site_id for s in found), **said)
        return None
    rp.add("site.missing", h_id or h_name or "", **said)
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
            out.append(note("obs.site_finding", code=exc.code, site=sid, detail_zh=exc.zh, detail_en=exc.en))
            continue
        for a in assessed:
            if not any(a.start.isoformat() <= d <= a.end.isoformat() for d in days):
                continue
            period_zh = a.campaign.label if hasattr(a, "campaign") else a.start
            out.append(note("assessment.grade", site=sid, period_zh=period_zh, period_en=a.start,
                            grade_zh=a.grade_text("zh"), grade_en=a.grade_text("en"),
                            rule_zh=a.rule_text("zh"), rule_en=a.rule_text("en")))
            for n in a.notices:
                out.append(note("obs.site_finding", code=n.code, site=sid, detail_zh=n.zh, detail_en=n.en))
    return out

