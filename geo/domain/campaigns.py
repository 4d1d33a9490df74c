"""Dated readings grouped into sampling campaigns, each graded and checked against the sampling rules (pure).

A campaign (一次监测) is what the guideline grades: every point of a body,
sampled over several rounds a few days apart. Readings carry their point,
round and sampling date; the campaigns are found from them without any
invented gap: in date order, a reading whose point already has that round in
the current campaign starts a new campaign (round numbers restart, or repeat,
when a new campaign begins). A campaign that continues its round numbers
across a long pause stays one campaign, and the interval check warns about the
pause.

Each campaign is graded by the body's rule: the national urban rule
(:mod:`geo.domain.grading`) for urban bodies, the rural rule
(:mod:`geo.domain.rural`) for rural ones. The sampling rules of the urban
guideline (:data:`geo.domain.sources.URBAN_SAMPLING`: at least 3 points, at
least 3 rounds, 1–7 days between rounds) are checked and reported as
warnings. A campaign that cannot be graded (a row with nothing measured, a
round given twice) is ``"ungraded"`` with the reason — never clean.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from geo.domain.bands import GRADE_LABELS, Reading
from geo.domain.grading import (MIN_POINTS_PER_BODY, MIN_ROUNDS_PER_POINT, BodyGrade, Notice, grade_body,
                                notice_dict)
from geo.domain.rural import RuralGrade, grade_rural
from geo.domain.sources import RURAL_INDICATORS, URBAN_BODY_RULE, URBAN_SAMPLING
from geo.errors import OneMapError

__all__ = ["Campaign", "CampaignGrade", "GRADE_TEXT", "MIN_DAYS_BETWEEN_ROUNDS", "MAX_DAYS_BETWEEN_ROUNDS",
           "group_campaigns", "grade_campaign", "grade_campaigns", "sampling_notices"]

#: Sampling rule (2.2 检测要求 "原则上间隔1~7日检测1次"): rounds at least this many days apart (a warning) ...
MIN_DAYS_BETWEEN_ROUNDS = 1
#: ... and at most this many.
MAX_DAYS_BETWEEN_ROUNDS = 7

#: Every grade a campaign can get -> (zh, en).
GRADE_TEXT = {**GRADE_LABELS, "black": ("黑臭（农村规则）", "black-odorous (rural rule)"),
              "ungraded": ("无法分级", "cannot be graded")}
BLACK_GRADES = ("heavy", "light", "black")


@dataclass(frozen=True)
class Campaign:
    """The readings of one sampling campaign of one body, in date order."""

    readings: tuple[Reading, ...]

    @property
    def start(self) -> date:
        return self.readings[0].sampled_on

    @property
    def end(self) -> date:
        return max(r.sampled_on for r in self.readings)

    @property
    def points(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.point for r in self.readings))

    @property
    def rounds(self) -> tuple[int, ...]:
        return tuple(sorted({r.round for r in self.readings}))

    @property
    def label(self) -> str:
        return self.start.isoformat() if self.start == self.end else f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass(frozen=True)
class CampaignGrade:
    """A campaign with its grade, the rule that decided it and the warnings.

    Attributes
    ----------
    campaign : Campaign
    rule_set : {"urban", "rural"}
    grade : {"heavy", "light", "none", "black", "ungraded"}
    rule_zh, rule_en : str
    body : BodyGrade or None
        The urban grading (points, stretches) when the urban rule applied.
    rural : RuralGrade or None
    notices : tuple of Notice
        Sampling-rule and grading warnings.
    """

    campaign: Campaign
    rule_set: str
    grade: str
    rule_zh: str
    rule_en: str
    body: BodyGrade | None = None
    rural: RuralGrade | None = None
    notices: tuple[Notice, ...] = ()

    @property
    def black(self) -> bool:
        """Black-odorous (light, heavy, or black by the rural rule)."""
        return self.grade in BLACK_GRADES

    @property
    def clean(self) -> bool:
        """Graded and not black-odorous."""
        return self.grade == "none"

    @property
    def start(self) -> date:
        return self.campaign.start

    @property
    def end(self) -> date:
        return self.campaign.end

    def grade_text(self, lang: str = "zh") -> str:
        zh, en = GRADE_TEXT[self.grade]
        return zh if lang == "zh" else en

    def rule_text(self, lang: str = "zh") -> str:
        return self.rule_zh if lang == "zh" else self.rule_en

    def to_dict(self) -> dict:
        zh, en = GRADE_TEXT[self.grade]
        out = {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.campaign.label,
               "rule_set": self.rule_set, "grade": self.grade, "grade_zh": zh, "grade_en": en,
               "black": self.black, "rule_zh": self.rule_zh, "rule_en": self.rule_en,
               "points": list(self.campaign.points), "rounds": list(self.campaign.rounds),
               "readings": len(self.campaign.readings),
               "warnings": [notice_dict(n) for n in self.notices]}
        if self.body is not None:
            out["body"] = self.body.to_dict()
        if self.rural is not None:
            out["rural"] = self.rural.to_dict()
        return out


def _order(r: Reading) -> tuple:
    return (r.sampled_on, r.sampled_time or "", r.round, r.point)


def group_campaigns(readings: Iterable[Reading]) -> list[Campaign]:
    """Dated readings of one body as campaigns, oldest first (see the module notes).

    Raises
    ------
    ValueError
        A reading without a sampling date (readings from the store always have one).
    """
    readings = list(readings)
    if any(r.sampled_on is None for r in readings):
        raise ValueError("group_campaigns needs dated readings")
    out: list[Campaign] = []
    current: list[Reading] = []
    seen: dict[str, set[int]] = defaultdict(set)
    for r in sorted(readings, key=_order):
        if r.round in seen[r.point]:
            out.append(Campaign(tuple(current)))
            current, seen = [], defaultdict(set)
        current.append(r)
        seen[r.point].add(r.round)
    if current:
        out.append(Campaign(tuple(current)))
    return out


def sampling_notices(campaign: Campaign) -> list[Notice]:
    """The urban guideline's sampling rules (2.2 检测要求) checked on one campaign, as warnings."""
    notices = []
    n_points = len(campaign.points)
    if n_points < MIN_POINTS_PER_BODY:
        notices.append(Notice(
            "sampling.too_few_points",
            f"本次监测只有 {n_points} 个采样点，指南要求每个水体不少于 {MIN_POINTS_PER_BODY} 个；分级仅供参考。",
            f"this campaign has {n_points} sampling point(s); the guideline asks for at least "
            f"{MIN_POINTS_PER_BODY} per body: the grade is indicative."))
    per_point: dict[str, set[int]] = defaultdict(set)
    for r in campaign.readings:
        per_point[r.point].add(r.round)
    short = sorted(p for p, rounds in per_point.items() if len(rounds) < MIN_ROUNDS_PER_POINT)
    if short:
        notices.append(Notice(
            "sampling.too_few_rounds",
            f"点位 {'、'.join(short)} 检测不足 {MIN_ROUNDS_PER_POINT} 轮（指南要求至少 {MIN_ROUNDS_PER_POINT} 次）；分级仅供参考。",
            f"point(s) {', '.join(short)} have fewer than {MIN_ROUNDS_PER_POINT} rounds (the guideline asks for at "
            f"least {MIN_ROUNDS_PER_POINT}): the grade is indicative."))
    round_day: dict[int, date] = {}
    for r in campaign.readings:
        round_day[r.round] = min(round_day.get(r.round, r.sampled_on), r.sampled_on)
    ordered = sorted(round_day)
    for a, b in zip(ordered, ordered[1:]):
        gap = (round_day[b] - round_day[a]).days
        if gap < MIN_DAYS_BETWEEN_ROUNDS or gap > MAX_DAYS_BETWEEN_ROUNDS:
            notices.append(Notice(
                "sampling.interval",
                f"第 {a} 轮（{round_day[a]}）与第 {b} 轮（{round_day[b]}）相隔 {gap} 日；指南要求间隔 "
                f"{MIN_DAYS_BETWEEN_ROUNDS}~{MAX_DAYS_BETWEEN_ROUNDS} 日。",
                f"round {a} ({round_day[a]}) and round {b} ({round_day[b]}) are {gap} day(s) apart; the guideline "
                f"asks for {MIN_DAYS_BETWEEN_ROUNDS} to {MAX_DAYS_BETWEEN_ROUNDS} days."))
    return notices


def grade_campaign(campaign: Campaign, water_kind: str | None) -> CampaignGrade:
    """Grade one campaign by the body's rule: rural bodies by the rural rule, every other by the urban one.

    The sampling rules checked are the urban guideline's; the rural text's own were not retrieved, so
    rural campaigns carry no sampling warnings.
    """
    if water_kind == "rural":
        rural = grade_rural(campaign.readings)
        return CampaignGrade(campaign, "rural", rural.grade, rural.rule_zh, rural.rule_en, rural=rural,
                             notices=rural.notices)
    sampling = sampling_notices(campaign)
    try:
        body = grade_body(campaign.readings)
    except OneMapError as exc:
        return CampaignGrade(campaign, "urban", "ungraded", f"无法分级：{exc.zh}", f"cannot be graded: {exc.en}",
                             notices=tuple(sampling))
    # Sampling notices of the body (points, rounds) are the campaign's own; keep the value warnings.
    value_notices = tuple(n for n in body.notices if not n.code.startswith("sampling."))
    return CampaignGrade(campaign, "urban", body.grade, body.rule.zh, body.rule.en, body=body,
                         notices=tuple(sampling) + value_notices)


def grade_campaigns(readings: Iterable[Reading], water_kind: str | None) -> list[CampaignGrade]:
    """Every campaign of one body's dated readings, graded, oldest first."""
    return [grade_campaign(c, water_kind) for c in group_campaigns(readings)]


def rule_sources(water_kind: str | None) -> list[str]:
    """The documents the grading of a body of ``water_kind`` follows, for the panel."""
    if water_kind == "rural":
        return [RURAL_INDICATORS.cite()]
    return [URBAN_BODY_RULE.cite(), URBAN_SAMPLING.cite()]


def latest(grades: Sequence[CampaignGrade]) -> CampaignGrade | None:
    """The newest campaign's grade, or None."""
    return grades[-1] if grades else None
