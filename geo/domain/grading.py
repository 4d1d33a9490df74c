"""Grading black-odorous water (黑臭水体分级) by the national urban guideline: points and bodies (pure).

The bands of single readings are :mod:`geo.domain.bands` (表2-1 and its
shallow-water note); this module combines them, as 《城市黑臭水体整治工作指南》
（建城〔2015〕130号）2.2 says (:data:`geo.domain.sources.URBAN_POINT_RULE`,
:data:`~geo.domain.sources.URBAN_BODY_RULE`). Three grades: ``"heavy"`` 重度黑臭,
``"light"`` 轻度黑臭, ``"none"`` 不黑臭.

Per sampling point, over its rounds ("以上" includes the number itself):

1. heavy if one indicator has 60 % or more of its readings in the heavy band;
2. heavy if two or more indicators each have 30 % or more in the heavy band;
3. otherwise light, **except** (the app's rule, :data:`~geo.domain.sources.APP_RULE`,
   for checking remediation) a point where no reading of any indicator
   reaches the light band is ``"none"``, no longer black-odorous.

Shares count each indicator's own readings (an indicator not measured in a
round does not count for that round).

Per water body, over its points in order along the water (see
:func:`grade_body` for how the order is decided):

- three or more consecutive heavy points make the stretch between them heavy
  (reported as :class:`Stretch`; the body's grade is not changed by it);
- a body with 60 % or more of its points heavy is heavy as a whole;
- otherwise light if any point is light or heavy; ``"none"`` if every point
  is none.

Sampling rules (at least 3 points per body, at least 3 rounds;
:data:`~geo.domain.sources.URBAN_SAMPLING`) give warnings (:class:`Notice`),
not errors: field checks are often smaller. Dated readings are grouped into
sampling campaigns, and each campaign graded, by :mod:`geo.domain.campaigns`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Mapping, Sequence

from geo.domain.bands import GRADE_LABELS, IND_LABEL, INDICATORS, Reading, pct as _pct, reading_bands
from geo.domain.sources import URBAN_GUIDELINE
from geo.errors import ValidationError

__all__ = [
    "BodyGrade", "IndicatorShare", "Notice", "PointGrade", "Rule", "Stretch", "grade_body", "grade_point",
    "grade_readings", "to_dict", "notice_dict",
    "POINT_HEAVY_ONE_INDICATOR_SHARE", "POINT_HEAVY_TWO_INDICATORS_SHARE", "HEAVY_STRETCH_MIN_POINTS",
    "BODY_HEAVY_SHARE", "MIN_POINTS_PER_BODY", "MIN_ROUNDS_PER_POINT",
]

#: Point rule 1 (2.2): one indicator with 60 % or more of its readings heavy (60%以上, 60 % included).
POINT_HEAVY_ONE_INDICATOR_SHARE = Fraction(60, 100)
#: Point rule 2 (2.2): indicators with 30 % or more of their readings heavy (30%以上, 30 % included) ...
POINT_HEAVY_TWO_INDICATORS_SHARE = Fraction(30, 100)
#: ... in this many indicators or more (不少于2项).
POINT_HEAVY_TWO_INDICATORS_COUNT = 2
#: Body rule (2.2): this many consecutive heavy points or more make the stretch between them heavy (连续3个以上).
HEAVY_STRETCH_MIN_POINTS = 3
#: Body rule (2.2): a body with 60 % or more of its points heavy is heavy as a whole (60%以上).
BODY_HEAVY_SHARE = Fraction(60, 100)
#: Sampling rule (2.2 检测要求): at least 3 points per body (检测点不少于3个; a warning).
MIN_POINTS_PER_BODY = 3
#: Sampling rule (2.2 检测要求): at least 3 rounds (至少检测3次以上; a warning).
MIN_ROUNDS_PER_POINT = 3


def _where(row: int | None, record: int | None = None) -> tuple[str, str]:
    if row is not None:
        return f"第 {row} 行：", f"row {row}: "
    if record is not None and record > 0:
        return f"记录 #{record}：", f"record #{record}: "
    return "", ""

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
            "warnings": [notice_dict(n) for n in self.notices],
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
            "warnings": [notice_dict(n) for n in self.notices],
        }


def notice_dict(n: Notice) -> dict:
    out = {"code": n.code, "zh": n.zh, "en": n.en}
    if n.point is not None:
        out["point"] = n.point
    return out


# ---------------------------------------------------------------------------
# Per point
# ---------------------------------------------------------------------------


def _names(indicators: Sequence[str], lang: str) -> str:
    k = 0 if lang == "zh" else 1
    return ("、" if lang == "zh" else ", ").join(IND_LABEL[i][k] for i in indicators)


def _check_same_point(readings: Sequence[Reading]) -> None:
    seen: dict[int, Reading] = {}
    for r in readings:
        if r.round in seen:
            first = seen[r.round]
            rows = [x.row for x in (first, r) if x.row is not None]
            records = [x.obs_id for x in (first, r) if x.obs_id is not None and x.obs_id > 0]
            where_en, where_zh = "", ""
            if len(rows) == 2:
                where_en, where_zh = f" (rows {rows[0]} and {rows[1]})", f"（第 {rows[0]} 行与第 {rows[1]} 行）"
            elif len(records) == 2:
                where_en, where_zh = f" (records #{records[0]} and #{records[1]})", f"（记录 #{records[0]} 与 #{records[1]}）"
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
            wzh, wen = _where(r.row, r.obs_id)
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
        detail_zh = "；".join(f"{IND_LABEL[i][0]} {_pct(shares[i].heavy_share)}" for i in one)
        detail_en = "; ".join(f"{IND_LABEL[i][1]} {_pct(shares[i].heavy_share)}" for i in one)
        grade, decided = "heavy", tuple(one)
        rule = Rule("point.heavy_one_indicator",
                    f"单项指标重度读数占比≥60%（{detail_zh}）",
                    f"one indicator has ≥ 60 % of its readings heavy ({detail_en})")
    elif len(two) >= POINT_HEAVY_TWO_INDICATORS_COUNT:
        detail_zh = "；".join(f"{IND_LABEL[i][0]} {_pct(shares[i].heavy_share)}" for i in two)
        detail_en = "; ".join(f"{IND_LABEL[i][1]} {_pct(shares[i].heavy_share)}" for i in two)
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



def to_dict(grades: Mapping[str, BodyGrade]) -> dict:
    """The grades as JSON-ready data: every body with its points, rules, stretches and warnings."""
    return {
        "guideline": URBAN_GUIDELINE,
        "bodies": [g.to_dict() for g in grades.values()],
    }
