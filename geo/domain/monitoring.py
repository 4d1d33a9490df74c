"""Monitoring as data: the rules every observation table shares, and the registry of per-kind rules (pure).

An observation spec (:mod:`layers.observation`) declares a table; the rules
that read its rows live here under the spec's ``rules`` key
(:func:`rules_for`): the limit lines drawn on the panel's chart, how rows are
assessed over time (black-odorous readings: sampling campaigns graded by the
national rule), warnings about one row, and the documents the assessment
follows. Adding the monitoring of another kind (outfall results, shore-power
usage) is declaring its spec and one :class:`MonitoringRules` here.

What every table shares: the store keeps rows append-only; :func:`current_rows`
gives the rows in force (optionally as they stood at a moment: the as-of
replay), and :func:`check_values` is the store's own check of a row's values
against its spec (types, required fields, physically possible range).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping, Sequence

from geo.clock import parse_utc
from geo.errors import ValidationError
from layers.observation import ObservationSpec, ObsField

__all__ = ["Limit", "MonitoringRules", "RowError", "PeriodAssessment", "rules_for", "current_rows", "check_values",
           "coerce_obs_value", "row_error"]


@dataclass(frozen=True)
class Limit:
    """A line on a field's chart: a rule's threshold, with its band and source.

    ``band`` is ``"heavy"`` (the heavy band begins past it), ``"light"`` (the
    light band ends there) or ``"limit"`` (a single pass/fail limit).
    ``depends`` says when the line moves (e.g. with the water depth).
    """

    field: str
    value: float
    zh: str
    en: str
    band: str
    source: str
    depends: str = ""

    def to_dict(self) -> dict:
        return {"field": self.field, "value": self.value, "zh": self.zh, "en": self.en, "band": self.band,
                "source": self.source, "depends": self.depends}


@dataclass(frozen=True)
class RowError:
    """A row whose values contradict each other (e.g. more calls connected than calls): refused, naming the field."""

    code: str
    field: str
    zh: str
    en: str
    fix_zh: str
    fix_en: str


def row_error(spec: ObservationSpec, values: Mapping[str, Any]) -> None:
    """Raise the first :class:`RowError` of the spec's rules as a ValidationError (the store's own check)."""
    errors = rules_for(spec).row_errors(values)
    if errors:
        e = errors[0]
        raise ValidationError(e.code, zh=e.zh, en=e.en, fix_zh=e.fix_zh, fix_en=e.fix_en, field=e.field)


@dataclass(frozen=True)
class PeriodAssessment:
    """The assessment of one dated row or period (an outfall sample, a berth's month), for panels and the CLI.

    Attributes
    ----------
    start, end : date
    label : str
        The period as shown (``2025-03-04``, ``2025-03``).
    grade : str
        A stable code (``compliant``, ``exceeds``, ``unknown``; a usage rate band ...).
    black : bool
        The row fails its rule (not compliant); False where nothing fails.
    grade_zh, grade_en, rule_zh, rule_en : str
    notices : tuple of Notice
    figures : dict
        The numbers behind the grade (a usage rate and its parts).
    """

    start: date
    end: date
    label: str
    grade: str
    black: bool
    grade_zh: str
    grade_en: str
    rule_zh: str = ""
    rule_en: str = ""
    notices: tuple = ()
    figures: dict = field(default_factory=dict)

    def grade_text(self, lang: str = "zh") -> str:
        return self.grade_zh if lang == "zh" else self.grade_en

    def rule_text(self, lang: str = "zh") -> str:
        return self.rule_zh if lang == "zh" else self.rule_en

    def to_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label,
                "grade": self.grade, "fails": self.black, "grade_zh": self.grade_zh, "grade_en": self.grade_en,
                "rule_zh": self.rule_zh, "rule_en": self.rule_en, "figures": dict(self.figures),
                "notices": [{"code": n.code, "zh": n.zh, "en": n.en} for n in self.notices]}


@dataclass(frozen=True)
class MonitoringRules:
    """The domain rules of one observation spec.

    Attributes
    ----------
    key : str
        The spec's ``rules`` key.
    limits : callable (site) -> tuple of Limit
        Lines for the chart of each charted field.
    assess : callable (site, observations) -> list
        The assessments over time (objects with ``start``, ``end``,
        ``grade``, ``black``, ``grade_text(lang)``, ``rule_text(lang)``,
        ``notices`` and ``to_dict()``), oldest first.
    row_notices : callable (values) -> list of Notice
        Warnings about one row (written anyway).
    row_errors : callable (values) -> list of RowError
        Contradictions within one row: the row is refused (store and import).
    sources : callable (site) -> list of str
        The documents the assessment follows.
    """

    key: str
    limits: Callable[[Any], tuple[Limit, ...]]
    assess: Callable[[Any, Sequence[Any]], list]
    row_notices: Callable[[Mapping[str, Any]], list] = field(default=lambda values: [])
    row_errors: Callable[[Mapping[str, Any]], list] = field(default=lambda values: [])
    sources: Callable[[Any], list[str]] = field(default=lambda site: [])


@lru_cache(maxsize=None)
def _registry() -> dict[str, MonitoringRules]:
    from geo.domain import black_odorous_rules, outfall_monitoring, shore_power_usage

    return {r.key: r for r in (black_odorous_rules.RULES, outfall_monitoring.RULES, shore_power_usage.RULES)}


def rules_for(spec: ObservationSpec | str) -> MonitoringRules:
    """The rules of an observation spec (or of a ``rules`` key)."""
    key = spec if isinstance(spec, str) else spec.rules
    try:
        return _registry()[key]
    except KeyError:
        raise ValidationError("monitoring.no_rules", en=f"No monitoring rules are declared under {key!r}.",
                              zh=f"没有名为“{key}”的监测规则。", value=key) from None


def current_rows(rows: Iterable, *, until: datetime | None = None) -> list:
    """The rows in force: not replaced by a later row, voids left out, oldest ``obs_id`` first.

    Parameters
    ----------
    rows : iterable of Observation
        Every stored row of one table (any order), corrections and voids included.
    until : datetime, optional
        Only rows recorded strictly before this instant count (the as-of
        replay; a correction recorded later does not yet replace anything).
    """
    rows = list(rows)
    if until is not None:
        rows = [r for r in rows if (parse_utc(r.recorded_at) or until) < until]
    replaced = {r.replaces for r in rows if r.replaces is not None}
    return sorted((r for r in rows if r.obs_id not in replaced and r.action != "void"), key=lambda r: r.obs_id)


def coerce_obs_value(fld: ObsField, value: Any) -> Any:
    """A value of ``fld`` as the store keeps it (None when blank); ValidationError naming the field otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if fld.type == "text":
            return str(value).strip()
        if fld.type == "bool":
            if isinstance(value, bool):
                return value
            raise ValueError
        if fld.type == "choice":
            if value in {c.code for c in fld.choices}:
                return value
            raise ValueError
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
        if not math.isfinite(number):
            raise ValueError
        if fld.type == "int":
            if not number.is_integer():
                raise ValueError
            number = int(number)
    except (TypeError, ValueError):
        kind_zh = {"int": "整数", "float": "数字", "bool": "是/否", "choice": "可选值之一"}.get(fld.type, "文字")
        raise ValidationError("obs.bad_value", en=f"{fld.en} ({fld.name}): {value!r} is not a valid {fld.type}.",
                              zh=f"“{fld.zh}”的值“{value}”无效，应为{kind_zh}。", field=fld.name, value=str(value),
                              fix_zh=f"请填写{kind_zh}。", fix_en=f"Enter a {fld.type}.") from None
    low, high = fld.minimum, fld.maximum
    if low is not None and (number < low or (number == low and not fld.minimum_inclusive)):
        bound_zh = f"{'不小于' if fld.minimum_inclusive else '大于'} {low:g}"
        bound_en = f"{'at least' if fld.minimum_inclusive else 'greater than'} {low:g}"
        raise ValidationError(
            "obs.out_of_range", en=f"{fld.en} ({fld.name}): {number:g} {fld.unit} is not possible; it must be "
            f"{bound_en} {fld.unit}.", zh=f"“{fld.zh}” {number:g} {fld.unit} 不可能，应{bound_zh} {fld.unit}。",
            field=fld.name, value=number, fix_zh="请更正该值；未监测请留空。",
            fix_en="Correct the value, or leave the cell empty if it was not measured.")
    if high is not None and number > high:
        raise ValidationError(
            "obs.out_of_range", en=f"{fld.en} ({fld.name}): {number:g} {fld.unit} is above {high:g} {fld.unit}.",
            zh=f"“{fld.zh}” {number:g} {fld.unit} 超过 {high:g} {fld.unit}。", field=fld.name, value=number,
            fix_zh="请更正该值。", fix_en="Correct the value.")
    return number


def check_values(spec: ObservationSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """Every field of ``spec`` coerced from ``values``; unknown names and missing required fields refused.

    Raises
    ------
    ValidationError
        ``obs.unknown_field``, ``obs.required``, ``obs.bad_value`` or ``obs.out_of_range``, naming the field.
    """
    for name in values:
        if spec.field(name) is None:
            raise ValidationError("obs.unknown_field",
                                  en=f"{spec.en} has no field {name!r}; fields: {', '.join(spec.field_names)}.",
                                  zh=f"{spec.zh}没有字段“{name}”；可用：{'、'.join(spec.field_names)}。", field=name)
    out = {f.name: coerce_obs_value(f, values.get(f.name)) for f in spec.fields}
    for f in spec.fields:
        if f.required and out[f.name] is None:
            raise ValidationError("obs.required", en=f"{spec.en}: {f.en} ({f.name}) is required.",
                                  zh=f"{spec.zh}：“{f.zh}”为必填项。", field=f.name,
                                  fix_zh=f"请填写“{f.zh}”。", fix_en=f"Fill in {f.en}.")
    return out


def check_date(spec: ObservationSpec, observed_on: Any, observed_time: Any = None) -> tuple[str, str | None]:
    """The stored date (ISO; a month's first day for monthly specs) and time (``HH:MM``) of a row."""
    try:
        day = observed_on if isinstance(observed_on, date) else date.fromisoformat(str(observed_on)[:10])
        if isinstance(day, datetime):
            day = day.date()
    except ValueError:
        raise ValidationError("obs.bad_date", en=f"{observed_on!r} is not a date (YYYY-MM-DD).",
                              zh=f"“{observed_on}”不是日期（YYYY-MM-DD）。", value=str(observed_on)) from None
    if spec.period == "month":
        day = day.replace(day=1)
    when = None
    if observed_time not in (None, ""):
        text = str(observed_time).strip()
        try:
            hh, mm = text.split(":")[:2]
            if not (0 <= int(hh) < 24 and 0 <= int(mm) < 60):
                raise ValueError
            when = f"{int(hh):02d}:{int(mm):02d}"
        except ValueError:
            raise ValidationError("obs.bad_time", en=f"{text!r} is not a time of day (HH:MM).",
                                  zh=f"“{text}”不是时刻（HH:MM）。", value=text) from None
        if not spec.has_time:
            raise ValidationError("obs.no_time", en=f"{spec.en} rows carry no time of day.",
                                  zh=f"{spec.zh}不记录时刻。")
    return day.isoformat(), when
