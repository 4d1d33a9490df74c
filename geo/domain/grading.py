"""Grading black-odorous water (黑臭水体分级) by the national urban guideline (pure).

Source: 《城市黑臭水体整治工作指南》(住房城乡建设部、环境保护部, 2015), quoted in
``docs/domain.md`` ("Black-odorous water bodies"). Three levels, per reading,
per sampling point and per water body:

``"heavy"`` 重度黑臭, ``"light"`` 轻度黑臭, ``"none"`` 不黑臭.

Per reading, per indicator (the guideline's table; both ends of each light
band are *in* the light band, as the table writes them "25–10", "0.2–2.0" ...):

============================  =====================  ==============
indicator                     light (轻度)            heavy (重度)
============================  =====================  ==============
transparency, cm (*)          10 ≤ t ≤ 25            t < 10
dissolved oxygen, mg/L        0.2 ≤ DO ≤ 2.0         DO < 0.2
ORP, mV                       −200 ≤ ORP ≤ 50        ORP < −200
ammonia nitrogen, mg/L        8.0 ≤ NH3-N ≤ 15       NH3-N > 15
============================  =====================  ==============

Values outside both bands (t > 25, DO > 2.0, ORP > 50, NH3-N < 8.0) are
``"none"``.

(*) Shallow water. The guideline's note reads "水深不足25cm时，该指标按水深的40%取值"
(where the water is shallower than 25 cm, the limit is 40 % of the depth).
The app reads it as follows, and tests it:

- it applies when the depth is **less than** 25 cm (不足); at exactly 25 cm the
  normal limits hold;
- the 25 cm limit (the upper end of the light band) becomes 0.4 × depth;
- the 10 cm heavy limit is scaled by the same factor, keeping the table's
  ratio 10 : 25, so it becomes 0.16 × depth (10 × 0.4 × depth / 25). Keeping
  10 cm unchanged would put the heavy limit above the light band (0.4 × depth
  < 10 cm for every depth below 25 cm) and leave no light band at all, and the
  note marks both columns of the table. Example, depth 20 cm: light
  3.2 ≤ t ≤ 8, heavy t < 3.2, none t > 8;
- with no depth recorded the normal limits are used and a warning says so.

Per sampling point, over its rounds (the guideline's rule; "以上" includes the
number itself):

1. heavy if one indicator has 60 % or more of its readings in the heavy band;
2. heavy if two or more indicators each have 30 % or more in the heavy band;
3. otherwise light, **except** (the app's rule, for checking remediation) a
   point where no reading of any indicator reaches the light band (none is
   light or heavy) is ``"none"``, no longer black-odorous.

Shares count each indicator's own readings (an indicator not measured in a
round does not count for that round).

Per water body, over its points in order along the water (see
:func:`grade_body` for how the order is decided):

- three or more consecutive heavy points make the stretch between them heavy
  (reported as :class:`Stretch`; the body's grade is not changed by it);
- a body with 60 % or more of its points heavy is heavy as a whole;
- otherwise light if any point is light or heavy; ``"none"`` if every point
  is none.

Sampling rules (at least 3 points per body, at least 3 rounds) give warnings
(:class:`Notice`), not errors: field checks are often smaller.

Entry points: :func:`grade_readings` (many bodies), :func:`grade_body`,
:func:`grade_point`, :func:`grade_table` (rows from a table editor),
:func:`read_readings_csv` / :func:`grade_csv` (a CSV file's bytes),
:func:`to_dict` / :func:`to_json` (the CLI's output), and per reading
:func:`indicator_band`, :func:`transparency_limits`, :func:`reading_bands`.
Bad values raise :class:`geo.errors.ValidationError` naming the row, the
column, the value and the fix.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from numbers import Real
from typing import Any, Iterable, Mapping, Sequence

from geo.errors import ValidationError

__all__ = [
    "BANDS",
    "BodyGrade",
    "CSV_COLUMNS",
    "GRADE_LABELS",
    "INDICATORS",
    "IndicatorShare",
    "Notice",
    "PointGrade",
    "Reading",
    "Rule",
    "Stretch",
    "grade_body",
    "grade_csv",
    "grade_point",
    "grade_readings",
    "grade_table",
    "indicator_band",
    "parse_records",
    "read_readings_csv",
    "reading_bands",
    "to_dict",
    "to_json",
    "transparency_limits",
]

GUIDELINE = "《城市黑臭水体整治工作指南》（住房城乡建设部、环境保护部，2015）"

# ---------------------------------------------------------------------------
# Thresholds. Every number of the rule is here, with the rule it comes from.
# Fractions keep the comparisons exact (0.4 × 15 cm is 6 cm, not 6.000000001).
# ---------------------------------------------------------------------------

#: Transparency: the upper end of the light band (table: 轻度 "25–10" cm; 25 is light).
TRANSPARENCY_LIGHT_MAX_CM = Fraction(25)
#: Transparency: heavy below this (table: 重度 "<10" cm; 10 itself is light).
TRANSPARENCY_HEAVY_BELOW_CM = Fraction(10)
#: Note (*): the shallow-water rule applies where the depth is less than this (水深不足25cm).
SHALLOW_DEPTH_CM = Fraction(25)
#: Note (*): in shallow water the 25 cm light limit becomes 40 % of the depth (按水深的40%取值).
SHALLOW_LIGHT_MAX_OF_DEPTH = Fraction(40, 100)
#: Note (*), the app's reading for the 10 cm heavy limit: scaled by the same factor as the
#: 25 cm limit (ratio 10:25 kept), i.e. 0.4 × depth × 10 / 25 = 0.16 × depth.
SHALLOW_HEAVY_BELOW_OF_DEPTH = SHALLOW_LIGHT_MAX_OF_DEPTH * TRANSPARENCY_HEAVY_BELOW_CM / TRANSPARENCY_LIGHT_MAX_CM

#: Dissolved oxygen: heavy below this (table: 重度 "<0.2" mg/L; 0.2 itself is light).
DO_HEAVY_BELOW_MG_L = Fraction(2, 10)
#: Dissolved oxygen: the upper end of the light band (table: 轻度 "0.2–2.0" mg/L; 2.0 is light).
DO_LIGHT_MAX_MG_L = Fraction(2)

#: Oxidation-reduction potential: heavy below this (table: 重度 "<−200" mV; −200 itself is light).
ORP_HEAVY_BELOW_MV = Fraction(-200)
#: ORP: the upper end of the light band (table: 轻度 "−200–50" mV; 50 is light).
ORP_LIGHT_MAX_MV = Fraction(50)

#: Ammonia nitrogen: the lower end of the light band (table: 轻度 "8.0–15" mg/L; 8.0 is light).
NH3N_LIGHT_MIN_MG_L = Fraction(8)
#: Ammonia nitrogen: heavy above this (table: 重度 ">15" mg/L; 15 itself is light).
NH3N_HEAVY_ABOVE_MG_L = Fraction(15)

#: Point rule 1: one indicator with 60 % or more of its readings heavy (60%以上, 60 % included).
POINT_HEAVY_ONE_INDICATOR_SHARE = Fraction(60, 100)
#: Point rule 2: indicators with 30 % or more of their readings heavy (30%以上, 30 % included) ...
POINT_HEAVY_TWO_INDICATORS_SHARE = Fraction(30, 100)
#: ... in this many indicators or more (两项及以上).
POINT_HEAVY_TWO_INDICATORS_COUNT = 2
#: Body rule: this many consecutive heavy points or more make the stretch between them heavy (连续3个以上).
HEAVY_STRETCH_MIN_POINTS = 3
#: Body rule: a body with 60 % or more of its points heavy is heavy as a whole (60%以上).
BODY_HEAVY_SHARE = Fraction(60, 100)
#: Sampling rule: at least 3 points per body (warning only).
MIN_POINTS_PER_BODY = 3
#: Sampling rule: at least 3 rounds per point (warning only).
MIN_ROUNDS_PER_POINT = 3

# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

BANDS = ("heavy", "light", "none")
#: Grade code -> (zh, en).
GRADE_LABELS = {"heavy": ("重度黑臭", "heavy"), "light": ("轻度黑臭", "light"), "none": ("不黑臭", "not black-odorous")}
#: Indicator code -> the Reading attribute that holds it.
INDICATORS = {"transparency": "transparency_cm", "do": "do_mg_l", "orp": "orp_mv", "nh3n": "nh3n_mg_l"}
_IND_LABEL = {"transparency": ("透明度", "transparency"), "do": ("溶解氧", "dissolved oxygen"),
              "orp": ("氧化还原电位", "ORP"), "nh3n": ("氨氮", "ammonia nitrogen")}
#: Value column -> (zh label, en label, unit, lowest allowed value or None, lowest is inclusive).
_VALUE_COLUMNS = {
    "transparency_cm": ("透明度", "transparency", "cm", 0.0, True),
    "depth_cm": ("水深", "water depth", "cm", 0.0, False),
    "do_mg_l": ("溶解氧", "dissolved oxygen", "mg/L", 0.0, True),
    "orp_mv": ("氧化还原电位", "ORP", "mV", None, True),
    "nh3n_mg_l": ("氨氮", "ammonia nitrogen", "mg/L", 0.0, True),
}
#: The CSV columns, each with its accepted Chinese header.
CSV_COLUMNS = {
    "water_body": "水体", "point": "点位", "round": "轮次", "transparency_cm": "透明度", "depth_cm": "水深",
    "do_mg_l": "溶解氧", "orp_mv": "氧化还原电位", "nh3n_mg_l": "氨氮",
}


def _pct(share: Fraction) -> str:
    """60 % -> "60%", 2/3 -> "66.7%" (display only; the rules compare exact fractions)."""
    p = share * 100
    return f"{p.numerator}%" if p.denominator == 1 else f"{float(p):.1f}%"


def _exact(value: float) -> Fraction:
    """The number as the user wrote it: 0.2 is exactly 1/5 (via the shortest repr)."""
    return Fraction(repr(float(value)))


# ---------------------------------------------------------------------------
# Readings and their validation
# ---------------------------------------------------------------------------


def _where(row: int | None, column: str | None) -> tuple[str, str]:
    zh, en = [], []
    if row is not None:
        zh.append(f"第 {row} 行")
        en.append(f"row {row}")
    if column:
        zh.append(f"“{column}”列")
        en.append(f"column {column}")
    return ("".join(zh) + "：" if zh else ""), (", ".join(en) + ": " if en else "")


def _is_missing_marker(value: Any) -> bool:
    """pandas' missing markers (NaN in a float column, pd.NA, NaT) without importing pandas."""
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in {"NAType", "NaTType"}


def _coerce_number(name: str, value: Any, *, row: int | None, column: str | None,
                   nan_is_missing: bool = False) -> float | None:
    """Return ``value`` as a float checked against the column's range, or None when empty."""
    label_zh, label_en, unit, low, low_inclusive = _VALUE_COLUMNS[name]
    column = column or name
    wzh, wen = _where(row, column)
    if value is None or (nan_is_missing and _is_missing_marker(value)):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return None
        if re.fullmatch(r"[+-]?\d+,\d+", text):
            raise ValidationError(
                "grading.decimal_comma",
                en=f"{wen}{text!r} uses a decimal comma; write it with a decimal point, e.g. {text.replace(',', '.')}.",
                zh=f"{wzh}“{text}”用了逗号作小数点，请改为小数点，如 {text.replace(',', '.')}。",
                row=row, column=column, value=text)
        try:
            number = float(text)
        except ValueError:
            raise ValidationError(
                "grading.not_a_number",
                en=f"{wen}{text!r} is not a number; enter the {label_en} in {unit} as a number, "
                f"or leave the cell empty if it was not measured.",
                zh=f"{wzh}“{text}”不是数字；请填写以 {unit} 计的{label_zh}数值，未监测请留空。",
                row=row, column=column, value=text) from None
    elif isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        raise ValidationError(
            "grading.not_a_number",
            en=f"{wen}{value!r} is not a number; enter the {label_en} in {unit} as a number, or None if not measured.",
            zh=f"{wzh}“{value!r}”不是数字；请填写以 {unit} 计的{label_zh}数值，未监测请留空。",
            row=row, column=column, value=repr(value))
    else:
        number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise ValidationError(
            "grading.not_finite",
            en=f"{wen}{value!r} is not a finite number; enter the measured {label_en} in {unit}, "
            f"or leave the cell empty if it was not measured.",
            zh=f"{wzh}“{value}”不是有效数值；请填写实测{label_zh}（{unit}），未监测请留空。",
            row=row, column=column, value=str(value))
    if low is not None and (number < low or (number == low and not low_inclusive)):
        bound_en = f"at least {low:g}" if low_inclusive else f"greater than {low:g}"
        bound_zh = f"不小于 {low:g}" if low_inclusive else f"大于 {low:g}"
        raise ValidationError(
            "grading.out_of_range",
            en=f"{wen}{number:g} {unit} is not possible for the {label_en} ({name}): it must be {bound_en} {unit}; "
            f"correct the value or leave the cell empty if it was not measured.",
            zh=f"{wzh}{label_zh} {number:g} {unit} 不可能，应{bound_zh} {unit}；请更正，未监测请留空。",
            row=row, column=column, value=number, minimum=low)
    return number


def _coerce_round(value: Any, *, row: int | None, column: str | None, nan_is_missing: bool = False) -> int:
    column = column or "round"
    wzh, wen = _where(row, column)
    missing = value is None or (isinstance(value, str) and not value.strip()) or (
        nan_is_missing and _is_missing_marker(value))
    if missing:
        raise ValidationError(
            "grading.round_missing",
            en=f"{wen}the round is missing; enter the sampling round as a whole number (1, 2, 3 ...).",
            zh=f"{wzh}缺少轮次；请填写采样轮次（整数 1、2、3……）。", row=row, column=column)
    number: float | None
    try:
        if isinstance(value, bool):
            raise TypeError
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        number = None
    if number is None or not math.isfinite(number) or not number.is_integer() or number < 1:
        raise ValidationError(
            "grading.round_invalid",
            en=f"{wen}{value!r} is not a sampling round; enter a whole number from 1 (1, 2, 3 ...).",
            zh=f"{wzh}“{value}”不是有效轮次；请填写从 1 开始的整数（1、2、3……）。",
            row=row, column=column, value=str(value))
    return int(number)


def _coerce_label(name: str, value: Any, *, row: int | None, column: str | None,
                  nan_is_missing: bool = False) -> str:
    column = column or name
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a point typed as 1 in a number column is "1", not "1.0"
    text = "" if value is None or (nan_is_missing and _is_missing_marker(value)) else str(value).strip()
    if not text:
        zh_name = {"point": "采样点位", "water_body": "水体名称"}.get(name, name)
        en_name = {"point": "sampling point", "water_body": "water body"}.get(name, name)
        wzh, wen = _where(row, column)
        raise ValidationError(
            f"grading.{name}_missing",
            en=f"{wen}the {en_name} is missing; enter it (the same label in every round).",
            zh=f"{wzh}缺少{zh_name}；请填写（各轮次使用相同名称）。", row=row, column=column)
    return text


@dataclass(frozen=True)
class Reading:
    """One sampling round at one point: the measured values, any of them None (not measured).

    Parameters
    ----------
    point : str
        The sampling point's label (e.g. ``"1"``, ``"P3"``, ``"上游"``).
    round : int
        The sampling round, from 1.
    transparency_cm, depth_cm, do_mg_l, orp_mv, nh3n_mg_l : float or None
        Transparency (cm), water depth (cm), dissolved oxygen (mg/L),
        oxidation-reduction potential (mV), ammonia nitrogen (mg/L).
        Strings holding numbers are accepted; ``""`` means not measured.
    water_body : str
        The water body (used by :func:`grade_readings` to group).
    row : int, optional
        Where the reading came from, for error messages.

    Raises
    ------
    ValidationError
        A value that is not a finite number, a negative transparency, DO or
        NH3-N, a depth not greater than 0, a round below 1, an empty point.
    """

    point: str
    round: int
    transparency_cm: float | None = None
    depth_cm: float | None = None
    do_mg_l: float | None = None
    orp_mv: float | None = None
    nh3n_mg_l: float | None = None
    water_body: str = ""
    row: int | None = field(default=None, compare=False)

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "point", _coerce_label("point", self.point, row=self.row, column=None))
        set_(self, "round", _coerce_round(self.round, row=self.row, column=None))
        set_(self, "water_body", "" if self.water_body is None else str(self.water_body).strip())
        for name in _VALUE_COLUMNS:
            set_(self, name, _coerce_number(name, getattr(self, name), row=self.row, column=None))

    def value(self, indicator: str) -> float | None:
        """The reading of ``indicator`` ("transparency", "do", "orp", "nh3n"), or None."""
        return getattr(self, INDICATORS[indicator])

    def measured(self) -> bool:
        """True when at least one of the four indicators was measured."""
        return any(self.value(i) is not None for i in INDICATORS)


# ---------------------------------------------------------------------------
# Per reading
# ---------------------------------------------------------------------------


def _transparency_limits(depth_cm: float | None) -> tuple[Fraction, Fraction]:
    if depth_cm is not None and _exact(depth_cm) < SHALLOW_DEPTH_CM:
        d = _exact(depth_cm)
        return SHALLOW_HEAVY_BELOW_OF_DEPTH * d, SHALLOW_LIGHT_MAX_OF_DEPTH * d
    return TRANSPARENCY_HEAVY_BELOW_CM, TRANSPARENCY_LIGHT_MAX_CM


def transparency_limits(depth_cm: float | None = None) -> tuple[float, float]:
    """The transparency limits (heavy below, light up to and including), in cm, for a depth.

    Parameters
    ----------
    depth_cm : float, optional
        Water depth; below 25 cm the limits are 0.16 × and 0.4 × the depth
        (see the module docstring); None or 25 cm and deeper: 10 and 25 cm.

    Returns
    -------
    (heavy_below, light_max) : tuple of float
        ``t < heavy_below`` is heavy, ``heavy_below <= t <= light_max`` light,
        ``t > light_max`` none.
    """
    heavy, light = _transparency_limits(depth_cm)
    return float(heavy), float(light)


def indicator_band(indicator: str, value: float | None, depth_cm: float | None = None) -> str | None:
    """The band of one reading of one indicator: "heavy", "light", "none", or None if not measured.

    Parameters
    ----------
    indicator : {"transparency", "do", "orp", "nh3n"}
    value : float or None
        The reading in the indicator's unit (cm, mg/L, mV, mg/L).
    depth_cm : float, optional
        Water depth, used only for transparency (shallow-water rule).
    """
    if indicator not in INDICATORS:
        raise ValidationError("grading.unknown_indicator",
                              en=f"Unknown indicator {indicator!r}; use one of {', '.join(INDICATORS)}.",
                              zh=f"未知指标“{indicator}”；可用：{'、'.join(INDICATORS)}。", value=indicator)
    if value is None:
        return None
    v = _exact(value)
    if indicator == "transparency":
        heavy_below, light_max = _transparency_limits(depth_cm)
        return "heavy" if v < heavy_below else "light" if v <= light_max else "none"
    if indicator == "do":
        return "heavy" if v < DO_HEAVY_BELOW_MG_L else "light" if v <= DO_LIGHT_MAX_MG_L else "none"
    if indicator == "orp":
        return "heavy" if v < ORP_HEAVY_BELOW_MV else "light" if v <= ORP_LIGHT_MAX_MV else "none"
    return "heavy" if v > NH3N_HEAVY_ABOVE_MG_L else "light" if v >= NH3N_LIGHT_MIN_MG_L else "none"


def reading_bands(reading: Reading) -> dict[str, str | None]:
    """Each indicator's band for one reading: {"transparency": "light", "do": None, ...}."""
    return {i: indicator_band(i, reading.value(i), reading.depth_cm if i == "transparency" else None)
            for i in INDICATORS}


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Which rule decided a grade: a stable ``code`` and the reason in Chinese and English."""

    code: str
    zh: str
    en: str

    def text(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Notice:
    """A warning that does not stop grading (sampling rules, missing depth ...)."""

    code: str
    zh: str
    en: str
    point: str | None = None

    def text(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class IndicatorShare:
    """One indicator's readings at one point, counted per band."""

    indicator: str
    n: int
    heavy: int
    light: int
    none: int

    @property
    def heavy_share(self) -> Fraction:
        """Share of the readings in the heavy band (0 when not measured)."""
        return Fraction(self.heavy, self.n) if self.n else Fraction(0)

    @property
    def black_share(self) -> Fraction:
        """Share of the readings in the light or the heavy band."""
        return Fraction(self.heavy + self.light, self.n) if self.n else Fraction(0)

    def to_dict(self) -> dict:
        return {"n": self.n, "heavy": self.heavy, "light": self.light, "none": self.none,
                "heavy_share": round(float(self.heavy_share), 4), "black_share": round(float(self.black_share), 4)}


@dataclass(frozen=True)
class PointGrade:
    """The grade of one sampling point over its rounds.

    Attributes
    ----------
    point : str
    grade : {"heavy", "light", "none"}
    rule : Rule
        ``point.heavy_one_indicator`` (≥ 60 % of one indicator heavy),
        ``point.heavy_two_indicators`` (≥ 30 % heavy in two or more),
        ``point.light`` or ``point.none``.
    decided_by : tuple of str
        The indicators that met the heavy rule (empty otherwise).
    shares : dict
        Indicator -> :class:`IndicatorShare` (only measured indicators).
    rounds : tuple of int
        The rounds, ascending.
    bands : tuple of (round, {indicator: band or None})
    notices : tuple of Notice
    """

    point: str
    grade: str
    rule: Rule
    decided_by: tuple[str, ...]
    shares: Mapping[str, IndicatorShare]
    rounds: tuple[int, ...]
    bands: tuple[tuple[int, Mapping[str, str | None]], ...]
    notices: tuple[Notice, ...] = ()

    def rule_text(self, lang: str = "zh") -> str:
        return self.rule.text(lang)

    def to_dict(self) -> dict:
        zh, en = GRADE_LABELS[self.grade]
        return {
            "point": self.point, "grade": self.grade, "grade_zh": zh, "grade_en": en,
            "rule": self.rule.code, "rule_zh": self.rule.zh, "rule_en": self.rule.en,
            "decided_by": list(self.decided_by), "rounds": list(self.rounds),
            "indicators": {k: v.to_dict() for k, v in self.shares.items()},
            "bands": [{"round": r, **{k: v for k, v in b.items()}} for r, b in self.bands],
            "warnings": [_notice_dict(n) for n in self.notices],
        }


@dataclass(frozen=True)
class Stretch:
    """Three or more consecutive heavy points: the water between them is heavy."""

    points: tuple[str, ...]

    @property
    def first(self) -> str:
        return self.points[0]

    @property
    def last(self) -> str:
        return self.points[-1]

    def to_dict(self) -> dict:
        return {"from": self.first, "to": self.last, "points": list(self.points)}


@dataclass(frozen=True)
class BodyGrade:
    """The grade of one water body.

    Attributes
    ----------
    water_body : str
    grade : {"heavy", "light", "none"}
    rule : Rule
        ``body.heavy_share`` (≥ 60 % of the points heavy), ``body.light`` or
        ``body.none``.
    points : tuple of PointGrade
        In order along the water (see ``point_order``).
    point_order : {"given", "numeric_label", "first_appearance"}
        How the order of the points was decided (see :func:`grade_body`).
    heavy_stretches : tuple of Stretch
        Runs of three or more consecutive heavy points.
    heavy_points : int
    notices : tuple of Notice
        Warnings of the body and of its points.
    """

    water_body: str
    grade: str
    rule: Rule
    points: tuple[PointGrade, ...]
    point_order: str
    heavy_stretches: tuple[Stretch, ...]
    heavy_points: int
    notices: tuple[Notice, ...] = ()

    @property
    def heavy_share(self) -> Fraction:
        return Fraction(self.heavy_points, len(self.points)) if self.points else Fraction(0)

    def rule_text(self, lang: str = "zh") -> str:
        """Why the body has its grade, in ``lang`` ("zh" or "en")."""
        return self.rule.text(lang)

    def warnings(self, lang: str = "zh") -> list[str]:
        """The warnings as text in ``lang`` (sampling rules, missing depth ...)."""
        return [n.text(lang) for n in self.notices]

    def point(self, label: str) -> PointGrade:
        """The grade of the point labelled ``label``."""
        for p in self.points:
            if p.point == str(label):
                return p
        raise KeyError(label)

    def to_dict(self) -> dict:
        zh, en = GRADE_LABELS[self.grade]
        return {
            "water_body": self.water_body, "grade": self.grade, "grade_zh": zh, "grade_en": en,
            "rule": self.rule.code, "rule_zh": self.rule.zh, "rule_en": self.rule.en,
            "n_points": len(self.points), "heavy_points": self.heavy_points,
            "heavy_share": round(float(self.heavy_share), 4), "point_order": self.point_order,
            "heavy_stretches": [s.to_dict() for s in self.heavy_stretches],
            "points": [p.to_dict() for p in self.points],
            "warnings": [_notice_dict(n) for n in self.notices],
        }


def _notice_dict(n: Notice) -> dict:
    out = {"code": n.code, "zh": n.zh, "en": n.en}
    if n.point is not None:
        out["point"] = n.point
    return out


# ---------------------------------------------------------------------------
# Per point
# ---------------------------------------------------------------------------


def _names(indicators: Sequence[str], lang: str) -> str:
    k = 0 if lang == "zh" else 1
    return ("、" if lang == "zh" else ", ").join(_IND_LABEL[i][k] for i in indicators)


def _check_same_point(readings: Sequence[Reading]) -> None:
    seen: dict[int, Reading] = {}
    for r in readings:
        if r.round in seen:
            first = seen[r.round]
            rows = [x.row for x in (first, r) if x.row is not None]
            where_en = f" (rows {rows[0]} and {rows[1]})" if len(rows) == 2 else ""
            where_zh = f"（第 {rows[0]} 行与第 {rows[1]} 行）" if len(rows) == 2 else ""
            body = f"{r.water_body} " if r.water_body else ""
            raise ValidationError(
                "grading.duplicate_reading",
                en=f"Point {body}{r.point}, round {r.round} is given twice{where_en}; keep one row per point and "
                f"round (correct the round number or delete the duplicate).",
                zh=f"{body}点位 {r.point} 第 {r.round} 轮重复出现{where_zh}；每个点位每轮只能一行，请更正轮次或删除重复行。",
                row=r.row, rows=rows, point=r.point, round=r.round)
        seen[r.round] = r


def grade_point(readings: Sequence[Reading]) -> PointGrade:
    """Grade one sampling point over its rounds.

    Parameters
    ----------
    readings : sequence of Reading
        All rounds of one point (same ``point``; one reading per round).

    Returns
    -------
    PointGrade

    Raises
    ------
    ValidationError
        No readings, readings of different points, a round given twice, or a
        reading with none of the four indicators measured.
    """
    readings = list(readings)
    if not readings:
        raise ValidationError("grading.no_readings", en="No readings to grade; enter at least one round.",
                              zh="没有可分级的监测数据；请至少填写一轮。")
    label = readings[0].point
    others = sorted({r.point for r in readings} - {label})
    if others:
        raise ValidationError("grading.mixed_points",
                              en=f"grade_point got readings of several points ({label}, {', '.join(others)}); "
                              f"grade each point apart or use grade_body.",
                              zh=f"同一次点位分级收到多个点位（{label}、{'、'.join(others)}）；请分别分级或使用 grade_body。")
    for r in readings:
        if not r.measured():
            wzh, wen = _where(r.row, None)
            raise ValidationError(
                "grading.nothing_measured",
                en=f"{wen}point {r.point}, round {r.round} has no transparency, DO, ORP or NH3-N value; "
                f"enter at least one or delete the row.",
                zh=f"{wzh}点位 {r.point} 第 {r.round} 轮没有透明度、溶解氧、氧化还原电位或氨氮数值；请至少填写一项或删除该行。",
                row=r.row, point=r.point, round=r.round)
    _check_same_point(readings)
    readings.sort(key=lambda r: r.round)
    bands = tuple((r.round, reading_bands(r)) for r in readings)
    shares: dict[str, IndicatorShare] = {}
    for ind in INDICATORS:
        got = [b[ind] for _, b in bands if b[ind] is not None]
        if got:
            shares[ind] = IndicatorShare(ind, len(got), got.count("heavy"), got.count("light"), got.count("none"))

    one = [i for i, s in shares.items() if s.heavy_share >= POINT_HEAVY_ONE_INDICATOR_SHARE]
    two = [i for i, s in shares.items() if s.heavy_share >= POINT_HEAVY_TWO_INDICATORS_SHARE]
    if one:
        detail_zh = "；".join(f"{_IND_LABEL[i][0]} {_pct(shares[i].heavy_share)}" for i in one)
        detail_en = "; ".join(f"{_IND_LABEL[i][1]} {_pct(shares[i].heavy_share)}" for i in one)
        grade, decided = "heavy", tuple(one)
        rule = Rule("point.heavy_one_indicator",
                    f"单项指标重度读数占比≥60%（{detail_zh}）",
                    f"one indicator has ≥ 60 % of its readings heavy ({detail_en})")
    elif len(two) >= POINT_HEAVY_TWO_INDICATORS_COUNT:
        detail_zh = "；".join(f"{_IND_LABEL[i][0]} {_pct(shares[i].heavy_share)}" for i in two)
        detail_en = "; ".join(f"{_IND_LABEL[i][1]} {_pct(shares[i].heavy_share)}" for i in two)
        grade, decided = "heavy", tuple(two)
        rule = Rule("point.heavy_two_indicators",
                    f"两项及以上指标重度读数占比≥30%（{detail_zh}）",
                    f"two or more indicators have ≥ 30 % of their readings heavy ({detail_en})")
    elif any(s.heavy + s.light for s in shares.values()):
        black = [i for i, s in shares.items() if s.heavy + s.light]
        grade, decided = "light", ()
        rule = Rule("point.light",
                    f"{_names(black, 'zh')}有读数达到黑臭范围，未达到重度条件（单项≥60%或两项≥30%）",
                    f"readings of {_names(black, 'en')} are in the black-odorous bands, short of the heavy "
                    f"rule (one indicator ≥ 60 % or two ≥ 30 %)")
    else:
        grade, decided = "none", ()
        rule = Rule("point.none", "所有指标的全部读数均未达到轻度黑臭范围",
                    "no reading of any indicator reaches the light band")

    notices: list[Notice] = []
    if len(readings) < MIN_ROUNDS_PER_POINT:
        notices.append(Notice(
            "sampling.too_few_rounds",
            f"点位 {label} 只有 {len(readings)} 轮监测，指南要求至少 {MIN_ROUNDS_PER_POINT} 轮；分级仅供参考。",
            f"point {label} has {len(readings)} round(s); the guideline asks for at least "
            f"{MIN_ROUNDS_PER_POINT}: the grade is indicative.", label))
    no_depth = [r.round for r in readings if r.transparency_cm is not None and r.depth_cm is None]
    if no_depth:
        rs = ", ".join(map(str, no_depth))
        notices.append(Notice(
            "transparency.depth_missing",
            f"点位 {label} 第 {rs} 轮有透明度无水深，按水深≥25 cm 的标准判定；水深不足 25 cm 时请填写水深。",
            f"point {label}, round(s) {rs}: transparency without depth, judged as water 25 cm deep or more; "
            f"enter the depth where the water is shallower than 25 cm.", label))
    over = [r.round for r in readings if r.transparency_cm is not None and r.depth_cm is not None
            and r.transparency_cm > r.depth_cm]
    if over:
        rs = ", ".join(map(str, over))
        notices.append(Notice(
            "transparency.exceeds_depth",
            f"点位 {label} 第 {rs} 轮透明度大于水深，请检查两列是否填反。",
            f"point {label}, round(s) {rs}: transparency is greater than the depth; check the two columns "
            f"are not swapped.", label))
    return PointGrade(label, grade, rule, decided, shares, tuple(r.round for r in readings), bands, tuple(notices))


# ---------------------------------------------------------------------------
# Per body
# ---------------------------------------------------------------------------


def _point_order(labels: list[str], given: Sequence[str] | None) -> tuple[list[str], str]:
    if given is not None:
        given = [str(g).strip() for g in given]
        missing = [p for p in labels if p not in given]
        if missing:
            raise ValidationError(
                "grading.point_order_incomplete",
                en=f"point_order lacks the point(s) {', '.join(missing)}; list every point along the water.",
                zh=f"点位顺序缺少 {'、'.join(missing)}；请列出沿水体的全部点位。", missing=missing)
        return [g for g in dict.fromkeys(given) if g in labels], "given"
    numbers = [re.findall(r"\d+", p) for p in labels]
    if all(len(n) == 1 for n in numbers) and len({int(n[0]) for n in numbers}) == len(labels):
        return sorted(labels, key=lambda p: int(re.search(r"\d+", p).group())), "numeric_label"
    return labels, "first_appearance"


def _stretches(points: Sequence[PointGrade]) -> list[Stretch]:
    out, run = [], []
    for p in list(points) + [None]:
        if p is not None and p.grade == "heavy":
            run.append(p.point)
            continue
        if len(run) >= HEAVY_STRETCH_MIN_POINTS:
            out.append(Stretch(tuple(run)))
        run = []
    return out


def grade_body(readings: Iterable[Reading], *, water_body: str | None = None,
               point_order: Sequence[str] | None = None) -> BodyGrade:
    """Grade one water body from the readings of its points.

    Parameters
    ----------
    readings : iterable of Reading
        Every round of every point of the body.
    water_body : str, optional
        The body's name; defaults to the readings' ``water_body``.
    point_order : sequence of str, optional
        The points in order along the water (for the consecutive-points
        rule). Without it: when every label holds exactly one number and the
        numbers differ ("1", "2", "10"; "P1", "P2"; "3#"), the points are
        sorted by that number, so "10" follows "9"; otherwise ("上游", "中游",
        "下游") they keep the order in which they first appear. The result's
        ``point_order`` says which ("given", "numeric_label",
        "first_appearance").

    Returns
    -------
    BodyGrade
    """
    readings = list(readings)
    if not readings:
        raise ValidationError("grading.no_readings", en="No readings to grade; enter at least one point and round.",
                              zh="没有可分级的监测数据；请至少填写一个点位的一轮数据。")
    name = water_body if water_body is not None else readings[0].water_body
    by_point: dict[str, list[Reading]] = {}
    for r in readings:
        by_point.setdefault(r.point, []).append(r)
    order, how = _point_order(list(by_point), point_order)
    points = tuple(grade_point(by_point[p]) for p in order)
    n = len(points)
    heavy = sum(p.grade == "heavy" for p in points)
    share = Fraction(heavy, n)
    stretches = tuple(_stretches(points))
    if share >= BODY_HEAVY_SHARE:
        rule = Rule("body.heavy_share",
                    f"{heavy}/{n} 个点位为重度黑臭（{_pct(share)}，≥60%），整个水体为重度黑臭",
                    f"{heavy} of {n} points are heavy ({_pct(share)}, ≥ 60 %): the whole body is heavy")
        grade = "heavy"
    elif any(p.grade != "none" for p in points):
        grade = "light"
        zh = f"{heavy}/{n} 个点位为重度黑臭（{_pct(share)}，不足60%），有点位黑臭，水体为轻度黑臭"
        en = f"{heavy} of {n} points are heavy ({_pct(share)}, under 60 %) and some points are black-odorous: light"
        if stretches:
            zh += "；" + "；".join(f"点位 {s.first}–{s.last} 之间为重度黑臭段" for s in stretches)
            en += "; " + "; ".join(f"the stretch from point {s.first} to {s.last} is heavy" for s in stretches)
        rule = Rule("body.light", zh, en)
    else:
        grade = "none"
        rule = Rule("body.none", f"全部 {n} 个点位均不黑臭", f"none of the {n} points is black-odorous")

    notices: list[Notice] = []
    if n < MIN_POINTS_PER_BODY:
        notices.append(Notice(
            "sampling.too_few_points",
            f"{name or '该水体'}只有 {n} 个采样点，指南要求每个水体至少 {MIN_POINTS_PER_BODY} 个；分级仅供参考。",
            f"{name or 'the body'} has {n} sampling point(s); the guideline asks for at least "
            f"{MIN_POINTS_PER_BODY}: the grade is indicative."))
    for p in points:
        notices.extend(p.notices)
    return BodyGrade(name or "", grade, rule, points, how, stretches, heavy, tuple(notices))


def grade_readings(readings: Iterable[Reading]) -> dict[str, BodyGrade]:
    """Grade every water body: readings grouped by ``water_body``, bodies in order of first appearance.

    Returns
    -------
    dict
        Water body -> :class:`BodyGrade`.
    """
    groups: dict[str, list[Reading]] = {}
    for r in readings:
        groups.setdefault(r.water_body, []).append(r)
    if not groups:
        raise ValidationError("grading.no_readings", en="No readings to grade; the table has no data rows.",
                              zh="没有可分级的监测数据；表中没有数据行。")
    return {body: grade_body(rs, water_body=body) for body, rs in groups.items()}


# ---------------------------------------------------------------------------
# Tables and CSV files
# ---------------------------------------------------------------------------


def _header_key(header: str) -> str | None:
    """The column a header names: English or Chinese, any case, with or without a unit, e.g. 透明度（cm）."""
    h = str(header).replace("\ufeff", "").strip()
    h = re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", h).strip().lower()
    h = re.sub(r"\s+", "_", h)
    for key, zh in CSV_COLUMNS.items():
        if h in (key, zh):
            return key
    return None


def _column_letter(index: int) -> str:
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


def _reading_from_cells(cells: Mapping[str, Any], labels: Mapping[str, str], *, row: int | None,
                        body: str | None, nan_is_missing: bool) -> Reading:
    def col(key: str) -> str:
        return labels.get(key, key)

    if body is not None:
        wb = body
    else:
        wb = _coerce_label("water_body", cells.get("water_body"), row=row, column=col("water_body"),
                           nan_is_missing=nan_is_missing)
    point = _coerce_label("point", cells.get("point"), row=row, column=col("point"), nan_is_missing=nan_is_missing)
    rnd = _coerce_round(cells.get("round"), row=row, column=col("round"), nan_is_missing=nan_is_missing)
    values = {k: _coerce_number(k, cells.get(k), row=row, column=col(k), nan_is_missing=nan_is_missing)
              for k in _VALUE_COLUMNS}
    return Reading(point, rnd, water_body=wb, row=row, **values)


def parse_records(records: Iterable[Mapping[str, Any]], *, body: str | None = None,
                  first_row: int = 1) -> list[Reading]:
    """Readings from table rows (dicts keyed by the CSV column names, English or Chinese).

    Parameters
    ----------
    records : iterable of mapping
        E.g. ``DataFrame.to_dict("records")``. Missing keys, None, ``""`` and
        pandas' missing markers (NaN, pd.NA) are "not measured"; rows whose
        cells are all empty are skipped.
    body : str, optional
        The water body of every row; without it each row needs ``water_body``.
    first_row : int
        The number of the first record in error messages (1 for a table
        editor; the CSV reader passes 2 since its header is row 1).

    Raises
    ------
    ValidationError
        Naming the row, the column, the value and the fix.
    """
    out = []
    for i, rec in enumerate(records):
        row = first_row + i
        cells: dict[str, Any] = {}
        labels: dict[str, str] = {}
        unknown = []
        for k, v in rec.items():
            key = _header_key(k)
            if key is not None:
                cells[key] = v
                labels[key] = str(k)
            elif not (v is None or _is_missing_marker(v) or (isinstance(v, str) and not v.strip())):
                unknown.append(str(k))
        if unknown and not cells:
            raise ValidationError(
                "grading.unknown_columns",
                en=f"Row {row}: no known column (got {', '.join(unknown)}); name the columns "
                f"{', '.join(CSV_COLUMNS)} (or {', '.join(CSV_COLUMNS.values())}).",
                zh=f"第 {row} 行：没有可识别的列（现有 {'、'.join(unknown)}）；列名应为 {'、'.join(CSV_COLUMNS.values())}"
                f"（或英文 {', '.join(CSV_COLUMNS)}）。", row=row, columns=unknown)
        if all(v is None or _is_missing_marker(v) or (isinstance(v, str) and not v.strip())
               for k, v in cells.items() if not (body is not None and k == "water_body")):
            continue
        out.append(_reading_from_cells(cells, labels, row=row, body=body, nan_is_missing=True))
    return out


def grade_table(records: Iterable[Mapping[str, Any]], *, body: str, first_row: int = 1,
                point_order: Sequence[str] | None = None) -> BodyGrade:
    """Grade one body from table rows (the inspection page's editor): :func:`parse_records` + :func:`grade_body`.

    Parameters
    ----------
    records : iterable of mapping
        Rows with ``point``, ``round``, ``transparency_cm``, ``depth_cm``,
        ``do_mg_l``, ``orp_mv``, ``nh3n_mg_l`` (or the Chinese headers); NaN
        and None are "not measured".
    body : str
        The water body (e.g. the site id); any ``water_body`` column is ignored.
    first_row : int
        Number of the first row in error messages.
    point_order : sequence of str, optional
        See :func:`grade_body`.
    """
    readings = parse_records(records, body=body, first_row=first_row)
    if not readings:
        raise ValidationError("grading.no_readings", en="No readings to grade; fill in at least one row.",
                              zh="没有可分级的监测数据；请至少填写一行。")
    return grade_body(readings, water_body=body, point_order=point_order)


def _decode(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValidationError("grading.csv_is_workbook",
                              en="This is an Excel workbook, not a CSV file; in Excel use Save As → CSV and try again.",
                              zh="这是 Excel 工作簿而不是 CSV 文件；请在 Excel 中“另存为”CSV 后重试。")
    try:
        return data.decode("utf-8-sig")  # strict: UTF-8, with or without BOM
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # strict: GBK / GB18030 (Excel on Chinese Windows)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "grading.csv_encoding",
            en=f"The file is neither UTF-8 nor GBK/GB18030 text (undecodable bytes at byte {exc.start}); "
            f"save it as CSV UTF-8 (or CSV from Excel on Chinese Windows) and try again.",
            zh=f"文件既不是 UTF-8 也不是 GBK/GB18030 文本（第 {exc.start} 字节无法解码）；请另存为 CSV UTF-8 后重试。",
            byte=exc.start) from exc


def read_readings_csv(data: bytes) -> list[Reading]:
    """Readings from a CSV file's bytes.

    The file has a header row with the columns ``water_body, point, round,
    transparency_cm, depth_cm, do_mg_l, orp_mv, nh3n_mg_l`` (or 水体, 点位, 轮次,
    透明度, 水深, 溶解氧, 氧化还原电位, 氨氮; a unit in brackets after a header is
    allowed, e.g. 透明度（cm）; other columns are ignored). Encoding: UTF-8, UTF-8
    with BOM, or GBK/GB18030, detected strictly. Separator: comma (tab or
    semicolon when the header has no comma). An empty cell is "not measured".

    Raises
    ------
    ValidationError
        Naming the row as a spreadsheet shows it (the header is row 1), the
        column (header and letter) and the fix.
    """
    text = _decode(data)
    if not text.strip():
        raise ValidationError("grading.csv_empty", en="The file is empty; it needs a header row and data rows.",
                              zh="文件为空；需要表头行和数据行。")
    first_line = text.lstrip("\ufeff").splitlines()[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = "\t" if "\t" in first_line else ";" if ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ValidationError("grading.csv_malformed",
                              en=f"Row {reader.line_num}: the CSV is malformed ({exc}); check the quotes in that row.",
                              zh=f"第 {reader.line_num} 行：CSV 格式错误（{exc}）；请检查该行的引号。",
                              row=reader.line_num) from exc
    header = rows[0]
    index: dict[str, int] = {}
    labels: dict[str, str] = {}
    for i, h in enumerate(header):
        key = _header_key(h)
        if key is None:
            continue
        if key in index:
            raise ValidationError(
                "grading.csv_duplicate_column",
                en=f"Row 1: columns {_column_letter(index[key])} ({labels[key]}) and {_column_letter(i)} ({h.strip()}) "
                f"both hold {key}; keep one.",
                zh=f"第 1 行：{_column_letter(index[key])} 列（{labels[key]}）与 {_column_letter(i)} 列（{h.strip()}）"
                f"都是{CSV_COLUMNS[key]}；请只保留一列。", row=1, column=key)
        index[key] = i
        labels[key] = f"{h.strip()} ({_column_letter(i)})"
    missing = [k for k in CSV_COLUMNS if k not in index]
    if missing:
        got = ", ".join(h.strip() for h in header if h.strip()) or "(none)"
        raise ValidationError(
            "grading.csv_missing_column",
            en=f"Row 1 (header): missing column(s) {', '.join(missing)}; the header has: {got}. "
            f"Name the columns {', '.join(CSV_COLUMNS)} (or {', '.join(CSV_COLUMNS.values())}).",
            zh=f"第 1 行（表头）缺少列：{'、'.join(CSV_COLUMNS[k] for k in missing)}（{', '.join(missing)}）；"
            f"现有表头：{got}。列名应为 {'、'.join(CSV_COLUMNS.values())}（或英文 {', '.join(CSV_COLUMNS)}）。",
            row=1, missing=missing)
    readings = []
    for n, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            raise ValidationError(
                "grading.csv_extra_cells",
                en=f"Row {n} has {len(cells)} cells but the header has {len(header)}; remove the extra cells or "
                f"quote values that contain '{delimiter}'.",
                zh=f"第 {n} 行有 {len(cells)} 个单元格，表头只有 {len(header)} 列；请删除多余单元格，或给含分隔符的值加引号。",
                row=n)
        values = {k: (cells[i] if i < len(cells) else "") for k, i in index.items()}
        readings.append(_reading_from_cells(values, labels, row=n, body=None, nan_is_missing=False))
    if not readings:
        raise ValidationError("grading.no_readings", en="The file has a header but no data rows; add the readings.",
                              zh="文件只有表头，没有数据行；请填写监测数据。")
    return readings


def grade_csv(data: bytes) -> dict[str, BodyGrade]:
    """Grade every body of a CSV file's bytes: :func:`read_readings_csv` + :func:`grade_readings`."""
    return grade_readings(read_readings_csv(data))


def to_dict(grades: Mapping[str, BodyGrade]) -> dict:
    """The grades as JSON-ready data: every body with its points, rules, stretches and warnings."""
    return {
        "guideline": GUIDELINE,
        "bodies": [g.to_dict() for g in grades.values()],
    }


def to_json(grades: Mapping[str, BodyGrade], *, indent: int | None = 2) -> str:
    """:func:`to_dict` as a JSON string (Chinese kept as is)."""
    return json.dumps(to_dict(grades), ensure_ascii=False, indent=indent)
