"""Rural black-odorous water (农村黑臭水体) judged by the rural rule, not the urban grading (pure).

Source: 《农村黑臭水体治理工作指南》 (2019 trial, 环办土壤函〔2019〕826号; revised
2024) — :data:`geo.domain.sources.RURAL_INDICATORS`. Its own indicators and
judgement: three indicators (no ORP), one limit each, and no light/heavy
split — a rural body is black-odorous (``"black"``) or not (``"none"``):

=======================  ==========================================
indicator                black-odorous when
=======================  ==========================================
transparency, cm         t < 25 (water under 25 cm deep: t < 0.4 × depth)
dissolved oxygen, mg/L   DO < 2
ammonia nitrogen, mg/L   NH3-N > 15
=======================  ==========================================

The figures are flagged unverified in :mod:`geo.domain.sources` (the 2024
text could not be retrieved to confirm them unchanged). How the readings of
several points and rounds combine is not in the retrieved text either: the
app calls a campaign clean only when no reading breaches any limit — the same
strictness as its urban "none" rule — and black-odorous otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from geo.domain.bands import IND_LABEL, Reading, exact
from geo.domain.grading import Notice, notice_dict
from geo.domain.sources import RURAL_INDICATORS

__all__ = ["RURAL_INDICATORS_USED", "RuralBreach", "RuralGrade", "grade_rural", "rural_breaches",
           "rural_transparency_limit"]

#: Transparency: black-odorous below this (识别指标 透明度 <25 cm).
RURAL_TRANSPARENCY_BELOW_CM = Fraction(25)
#: The shallow-water note the rural table repeats: under 25 cm of water the limit is 40 % of the depth.
RURAL_SHALLOW_DEPTH_CM = Fraction(25)
RURAL_SHALLOW_LIMIT_OF_DEPTH = Fraction(40, 100)
#: Dissolved oxygen: black-odorous below this (识别指标 溶解氧 <2 mg/L).
RURAL_DO_BELOW_MG_L = Fraction(2)
#: Ammonia nitrogen: black-odorous above this (识别指标 氨氮 >15 mg/L).
RURAL_NH3N_ABOVE_MG_L = Fraction(15)
#: The rural rule's indicators (ORP is not one of them).
RURAL_INDICATORS_USED = ("transparency", "do", "nh3n")


def rural_transparency_limit(depth_cm: float | None) -> float:
    """The transparency below which a rural reading is black-odorous, in cm, for a water depth."""
    if depth_cm is not None and exact(depth_cm) < RURAL_SHALLOW_DEPTH_CM:
        return float(RURAL_SHALLOW_LIMIT_OF_DEPTH * exact(depth_cm))
    return float(RURAL_TRANSPARENCY_BELOW_CM)


@dataclass(frozen=True)
class RuralBreach:
    """One reading of one indicator outside its rural limit."""

    point: str
    round: int
    indicator: str
    value: float
    limit: float

    def text(self, lang: str = "zh") -> str:
        zh, en = IND_LABEL[self.indicator]
        sign = ">" if self.indicator == "nh3n" else "<"
        if lang == "zh":
            return f"点位 {self.point} 第 {self.round} 轮 {zh} {self.value:g}（{sign}{self.limit:g}）"
        return f"point {self.point} round {self.round}: {en} {self.value:g} ({sign} {self.limit:g})"


def rural_breaches(reading: Reading) -> list[RuralBreach]:
    """The indicators of one reading that breach the rural limits."""
    out = []
    if reading.transparency_cm is not None:
        limit = rural_transparency_limit(reading.depth_cm)
        if exact(reading.transparency_cm) < exact(limit):
            out.append(RuralBreach(reading.point, reading.round, "transparency", reading.transparency_cm, limit))
    if reading.do_mg_l is not None and exact(reading.do_mg_l) < RURAL_DO_BELOW_MG_L:
        out.append(RuralBreach(reading.point, reading.round, "do", reading.do_mg_l, float(RURAL_DO_BELOW_MG_L)))
    if reading.nh3n_mg_l is not None and exact(reading.nh3n_mg_l) > RURAL_NH3N_ABOVE_MG_L:
        out.append(RuralBreach(reading.point, reading.round, "nh3n", reading.nh3n_mg_l, float(RURAL_NH3N_ABOVE_MG_L)))
    return out


@dataclass(frozen=True)
class RuralGrade:
    """A rural campaign's judgement: ``"black"``, ``"none"``, or ``"ungraded"`` when nothing rural was measured."""

    grade: str
    breaches: tuple[RuralBreach, ...]
    measured: int
    notices: tuple[Notice, ...] = ()

    @property
    def rule_zh(self) -> str:
        if self.grade == "black":
            more = f"等 {len(self.breaches)} 项" if len(self.breaches) > 1 else ""
            return f"农村黑臭水体识别指标超限：{self.breaches[0].text('zh')}{more}"
        if self.grade == "none":
            return f"{self.measured} 个读数均未超出农村识别指标（透明度、溶解氧、氨氮）"
        return "没有透明度、溶解氧或氨氮读数，无法按农村规则判定"

    @property
    def rule_en(self) -> str:
        if self.grade == "black":
            more = f" and {len(self.breaches) - 1} more" if len(self.breaches) > 1 else ""
            return f"rural identification limit breached: {self.breaches[0].text('en')}{more}"
        if self.grade == "none":
            return f"none of {self.measured} readings breaches the rural limits (transparency, DO, NH3-N)"
        return "no transparency, DO or NH3-N reading: the rural rule cannot judge"

    def to_dict(self) -> dict:
        return {"grade": self.grade, "rule_zh": self.rule_zh, "rule_en": self.rule_en, "measured": self.measured,
                "breaches": [{"point": b.point, "round": b.round, "indicator": b.indicator, "value": b.value,
                              "limit": b.limit} for b in self.breaches],
                "source": RURAL_INDICATORS.cite(), "warnings": [notice_dict(n) for n in self.notices]}


def grade_rural(readings: Sequence[Reading]) -> RuralGrade:
    """Judge a rural campaign: black-odorous when any reading breaches a rural limit.

    Parameters
    ----------
    readings : sequence of Reading
        One campaign's readings (every point and round).

    Returns
    -------
    RuralGrade
    """
    breaches: list[RuralBreach] = []
    measured = 0
    orp_only = 0
    for r in readings:
        values = (r.transparency_cm, r.do_mg_l, r.nh3n_mg_l)
        measured += sum(v is not None for v in values)
        if all(v is None for v in values) and r.orp_mv is not None:
            orp_only += 1
        breaches += rural_breaches(r)
    notices = []
    if orp_only:
        notices.append(Notice("rural.orp_not_used",
                              f"{orp_only} 行只有氧化还原电位：农村规则不使用该指标。",
                              f"{orp_only} row(s) hold ORP only: the rural rule does not use it."))
    grade = "black" if breaches else "none" if measured else "ungraded"
    return RuralGrade(grade, tuple(breaches), measured, tuple(notices))
