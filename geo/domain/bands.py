"""Black-odorous water, one reading at a time: the national table's bands and the values a reading holds (pure).

Per reading, per indicator — 《城市黑臭水体整治工作指南》（建城〔2015〕130号）表2-1
(:data:`geo.domain.sources.URBAN_TABLE`):

============================  =====================  ==============
indicator                     light (轻度)            heavy (重度)
============================  =====================  ==============
transparency, cm (*)          10 ≤ t ≤ 25            t < 10
dissolved oxygen, mg/L        0.2 ≤ DO ≤ 2.0         DO < 0.2
ORP, mV                       −200 ≤ ORP ≤ 50        ORP < −200
ammonia nitrogen, mg/L        8.0 ≤ NH3-N ≤ 15       NH3-N > 15
============================  =====================  ==============

Band edges: the table writes each light band as a closed range ("25~10",
"0.2~2.0", "-200~50", "8.0~15") and each heavy band with a strict sign
("<10", "<0.2", "<-200", ">15"); both ends of a light range are light. Values
outside both bands (t > 25, DO > 2.0, ORP > 50, NH3-N < 8.0) are ``"none"``.

(*) Shallow water (:data:`geo.domain.sources.URBAN_SHALLOW_NOTE`). The note,
attached to both transparency cells, reads "水深不足25cm时，该指标按水深的40%取值".
The app applies it as written and adds nothing: where the water is **less
than** 25 cm deep (不足; at exactly 25 cm the table holds), both limits of the
indicator — the 25 cm and the 10 cm — become 40 % of the depth ``L``. So
``t < L`` is heavy, ``t = L`` light (the light range "L~L"), ``t > L`` none.
No second, scaled limit is made up. With no depth recorded the table's
limits hold and a warning says so.

Readings hold the sampling point, the round and, when the readings come from
the store, the sampling date and time; bad values raise
:class:`geo.errors.ValidationError` naming the row, the column, the value and
the fix.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from numbers import Real
from typing import Any

from geo.errors import ValidationError

__all__ = [
    "BANDS", "GRADE_LABELS", "INDICATORS", "IND_LABEL", "Reading", "indicator_band", "reading_bands",
    "transparency_limits", "exact", "pct",
]

# ---------------------------------------------------------------------------
# Thresholds: every number of the table, with the cell it comes from (sources.URBAN_TABLE).
# Fractions keep the comparisons exact (0.4 x 15 cm is 6 cm, not 6.000000001).
# ---------------------------------------------------------------------------

#: Transparency: the upper end of the light band (表2-1 轻度 "25~10" cm; 25 is light).
TRANSPARENCY_LIGHT_MAX_CM = Fraction(25)
#: Transparency: heavy below this (表2-1 重度 "<10" cm; 10 itself is light).
TRANSPARENCY_HEAVY_BELOW_CM = Fraction(10)
#: 表2-1 注: the shallow-water rule applies where the depth is less than this (水深不足25cm).
SHALLOW_DEPTH_CM = Fraction(25)
#: 表2-1 注: in shallow water the indicator's limits are 40 % of the depth (按水深的40%取值).
SHALLOW_LIMIT_OF_DEPTH = Fraction(40, 100)

#: Dissolved oxygen: heavy below this (表2-1 重度 "<0.2" mg/L; 0.2 itself is light).
DO_HEAVY_BELOW_MG_L = Fraction(2, 10)
#: Dissolved oxygen: the upper end of the light band (表2-1 轻度 "0.2~2.0" mg/L; 2.0 is light).
DO_LIGHT_MAX_MG_L = Fraction(2)

#: Oxidation-reduction potential: heavy below this (表2-1 重度 "<-200" mV; -200 itself is light).
ORP_HEAVY_BELOW_MV = Fraction(-200)
#: ORP: the upper end of the light band (表2-1 轻度 "-200~50" mV; 50 is light).
ORP_LIGHT_MAX_MV = Fraction(50)

#: Ammonia nitrogen: the lower end of the light band (表2-1 轻度 "8.0~15" mg/L; 8.0 is light).
NH3N_LIGHT_MIN_MG_L = Fraction(8)
#: Ammonia nitrogen: heavy above this (表2-1 重度 ">15" mg/L; 15 itself is light).
NH3N_HEAVY_ABOVE_MG_L = Fraction(15)

# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

BANDS = ("heavy", "light", "none")
#: Grade code -> (zh, en).
GRADE_LABELS = {"heavy": ("重度黑臭", "heavy"), "light": ("轻度黑臭", "light"), "none": ("不黑臭", "not black-odorous")}
#: Indicator code -> the Reading attribute that holds it.
INDICATORS = {"transparency": "transparency_cm", "do": "do_mg_l", "orp": "orp_mv", "nh3n": "nh3n_mg_l"}
#: Indicator code -> (zh, en) label.
IND_LABEL = {"transparency": ("透明度", "transparency"), "do": ("溶解氧", "dissolved oxygen"),
             "orp": ("氧化还原电位", "ORP"), "nh3n": ("氨氮", "ammonia nitrogen")}
#: Value column -> (zh label, en label, unit, lowest allowed value or None, lowest is inclusive).
_VALUE_COLUMNS = {
    "transparency_cm": ("透明度", "transparency", "cm", 0.0, True),
    "depth_cm": ("水深", "water depth", "cm", 0.0, False),
    "do_mg_l": ("溶解氧", "dissolved oxygen", "mg/L", 0.0, True),
    "orp_mv": ("氧化还原电位", "ORP", "mV", None, True),
    "nh3n_mg_l": ("氨氮", "ammonia nitrogen", "mg/L", 0.0, True),
}


def pct(share: Fraction) -> str:
    """60 % -> "60%", 2/3 -> "66.7%" (display only; the rules compare exact fractions)."""
    p = share * 100
    return f"{p.numerator}%" if p.denominator == 1 else f"{float(p):.1f}%"


def exact(value: float) -> Fraction:
    """The number as the user wrote it: 0.2 is exactly 1/5 (via the shortest repr)."""
    return Fraction(repr(float(value)))


# ---------------------------------------------------------------------------
# Readings and their validation
# ---------------------------------------------------------------------------


def _where(row: int | None, column: str | None, record: int | None = None) -> tuple[str, str]:
    """Where a value came from, for a message: a row of a file or an entry, else a stored record."""
    zh, en = [], []
    if row is not None:
        zh.append(f"第 {row} 行")
        en.append(f"row {row}")
    elif record is not None:
        zh.append(f"记录 #{record}")
        en.append(f"record #{record}")
    if column:
        zh.append(f"“{column}”列")
        en.append(f"column {column}")
    return ("".join(zh) + "：" if zh else ""), (", ".join(en) + ": " if en else "")


def _is_missing_marker(value: Any) -> bool:
    """pandas' missing markers (NaN in a float column, pd.NA, NaT) without importing pandas."""
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in {"NAType", "NaTType"}


def _coerce_number(name: str, value: Any, *, row: int | None, column: str | None, record: int | None = None,
                   nan_is_missing: bool = False) -> float | None:
    """Return ``value`` as a float checked against the column's range, or None when empty."""
    label_zh, label_en, unit, low, low_inclusive = _VALUE_COLUMNS[name]
    column = column or name
    wzh, wen = _where(row, column, record)
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


def _coerce_round(value: Any, *, row: int | None, column: str | None, nan_is_missing: bool = False,
                  record: int | None = None) -> int:
    column = column or "round"
    wzh, wen = _where(row, column, record)
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


def _coerce_label(name: str, value: Any, *, row: int | None, column: str | None, record: int | None = None,
                  nan_is_missing: bool = False) -> str:
    column = column or name
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a point typed as 1 in a number column is "1", not "1.0"
    text = "" if value is None or (nan_is_missing and _is_missing_marker(value)) else str(value).strip()
    if not text:
        zh_name = {"point": "采样点位", "water_body": "水体名称"}.get(name, name)
        en_name = {"point": "sampling point", "water_body": "water body"}.get(name, name)
        wzh, wen = _where(row, column, record)
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
        The water body (used by :func:`geo.domain.grading.grade_readings` to group).
    row : int, optional
        Where the reading came from (a file's or an entry's row), for error messages.
    sampled_on : date, optional
        The sampling day (readings from the store carry it; campaigns group by it).
    sampled_time : str, optional
        ``HH:MM`` when recorded.
    obs_id : int, optional
        The stored row this reading is (for the panel's table; messages name it 记录 #id when there is no row).

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
    sampled_on: date | None = None
    sampled_time: str | None = None
    obs_id: int | None = field(default=None, compare=False)

    def __post_init__(self):
        set_ = object.__setattr__
        rec = self.obs_id if self.obs_id is not None and self.obs_id > 0 else None
        set_(self, "point", _coerce_label("point", self.point, row=self.row, column=None, record=rec))
        set_(self, "round", _coerce_round(self.round, row=self.row, column=None, record=rec))
        set_(self, "water_body", "" if self.water_body is None else str(self.water_body).strip())
        for name in _VALUE_COLUMNS:
            set_(self, name, _coerce_number(name, getattr(self, name), row=self.row, column=None, record=rec))

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
    if depth_cm is not None and exact(depth_cm) < SHALLOW_DEPTH_CM:
        limit = SHALLOW_LIMIT_OF_DEPTH * exact(depth_cm)
        return limit, limit  # both limits of the indicator become 40 % of the depth (表2-1 注)
    return TRANSPARENCY_HEAVY_BELOW_CM, TRANSPARENCY_LIGHT_MAX_CM


def transparency_limits(depth_cm: float | None = None) -> tuple[float, float]:
    """The transparency limits (heavy below, light up to and including), in cm, for a depth.

    Parameters
    ----------
    depth_cm : float, optional
        Water depth; below 25 cm both limits are 0.4 × the depth (see the
        module docstring); None or 25 cm and deeper: 10 and 25 cm.

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
    v = exact(value)
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


