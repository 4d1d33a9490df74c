"""Status gates: may this site enter that status, given its measured evidence? (pure)

A layer spec declares its gates as data (:class:`layers.spec.Gate`: the
status guarded and the name of a check here). The store calls
:func:`evaluate` inside the write transaction of every path that sets a
status — a status change in the app or the CLI, a ledger import — with the
site, the status wanted, the site's current observations and its history;
a failing gate refuses the change with what is missing (an administrator may
override it with a recorded reason). Automatic gates are also evaluated after
new observations are written (a black-odorous result after 初见成效 opens
返黑返臭).

Black-odorous water (:data:`CHECKS`):

``black_odorous.clean_campaign`` (entering 初见成效)
    Among the readings sampled on or after the day the current remediation
    began (the last entry into 整治中 or 返黑返臭), the newest campaign is graded
    and no point of it is black-odorous (urban: every point ``none``; rural:
    no reading breaches a rural limit). The sampling-rule warnings are listed.
``black_odorous.long_term`` (entering 长治久清)
    Since the day of 初见成效: every campaign graded clean, the newest one
    ending at least :data:`LONG_TERM_MONITORING_DAYS` after that day, and a
    public-satisfaction survey dated after it with at least
    :data:`SATISFACTION_MIN_PCT` % satisfied (:data:`geo.domain.sources.URBAN_ACCEPTANCE`;
    both figures flagged unverified there).
``black_odorous.relapse`` (entering 返黑返臭; automatic)
    A campaign sampled on or after the day of 初见成效 / 长治久清 is graded
    black-odorous (light or heavy; rural: black).

Only what was known at the moment of the change counts: observations recorded
before it, sampled on or before its day (China Standard Time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Mapping, Sequence

from geo.clock import CST, parse_utc
from geo.domain.black_odorous_rules import campaign_grades
from geo.domain.campaigns import CampaignGrade
from geo.domain.grading import Notice, notice_dict
from geo.domain.monitoring import current_rows
from geo.domain.sources import URBAN_ACCEPTANCE

__all__ = ["CHECKS", "GateInput", "Verdict", "evaluate", "LONG_TERM_MONITORING_DAYS", "SATISFACTION_MIN_PCT",
           "entered_at"]

#: 长治久清: clean campaigns must cover at least this many days after 初见成效. UNVERIFIED: the acceptance
#: chapter of the urban guideline (sources.URBAN_ACCEPTANCE) asks for a monitoring period after remediation;
#: its length could not be confirmed from the text; one year is the app's reading pending that check.
LONG_TERM_MONITORING_DAYS = 365
#: 长治久清: public satisfaction of at least this many per cent (the commonly cited acceptance figure,
#: sources.URBAN_ACCEPTANCE; UNVERIFIED against the text).
SATISFACTION_MIN_PCT = 90.0

READINGS_SPEC = "black_odorous_readings"


@dataclass(frozen=True)
class GateInput:
    """What a gate may look at.

    Attributes
    ----------
    site : Site
        The site as stored before the change (for a new site: as it would be created).
    target : str
        The status wanted.
    attrs : mapping
        The site's attributes after the change (values given with the change win).
    observations : mapping of str to sequence of Observation
        Every stored row of each monitoring table of the site's kind (the gate
        keeps the current ones recorded before ``at``).
    history : sequence of HistoryEntry
        The site's history, oldest first.
    at : datetime
        When the change happens (aware).
    """

    site: Any
    target: str
    attrs: Mapping[str, Any]
    observations: Mapping[str, Sequence[Any]]
    history: Sequence[Any]
    at: datetime

    @property
    def day(self) -> date:
        return self.at.astimezone(CST).date()

    def rows(self, spec: str) -> list:
        """The current rows of ``spec`` known at ``at``, sampled by its day."""
        # Rows written in the same transaction as the change carry its very timestamp: they count.
        known = current_rows(self.observations.get(spec, ()), until=self.at + timedelta(milliseconds=1))
        return [o for o in known if str(o.observed_on)[:10] <= self.day.isoformat()]


@dataclass(frozen=True)
class Verdict:
    """A gate's answer: whether the evidence is there, what is missing, and the facts it looked at."""

    ok: bool
    missing_zh: str = ""
    missing_en: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()

    def to_dict(self) -> dict:
        return {"ok": self.ok, "missing_zh": self.missing_zh, "missing_en": self.missing_en, "facts": dict(self.facts),
                "warnings": [notice_dict(n) for n in self.notices]}


def entered_at(history: Sequence[Any], statuses: Sequence[str], before: datetime) -> datetime | None:
    """When the site last entered one of ``statuses`` (a history row's time), before ``before``; None if never."""
    best = None
    for e in history:
        ts = parse_utc(e.changed_at)
        if e.to_status in statuses and ts is not None and ts <= before and (best is None or ts > best):
            best = ts
    return best


def _day(ts: datetime) -> date:
    return ts.astimezone(CST).date()


def _grades(inp: GateInput, since: date | None) -> list[CampaignGrade]:
    site = _with_attrs(inp)
    return campaign_grades(site, inp.rows(READINGS_SPEC), since=since)


def _with_attrs(inp: GateInput):
    from dataclasses import replace

    return replace(inp.site, attrs={**dict(inp.site.attrs), **dict(inp.attrs)})


def _facts(grades: Sequence[CampaignGrade]) -> list[dict]:
    return [{"campaign": g.campaign.label, "grade": g.grade, "rule_set": g.rule_set} for g in grades]


def clean_campaign(inp: GateInput) -> Verdict:
    """Entering 初见成效: the newest campaign since remediation began is graded and clean."""
    began = entered_at(inp.history, ("remediating", "relapsed"), inp.at)
    since = _day(began) if began else None
    grades = _grades(inp, since)
    facts = {"since": since.isoformat() if since else None, "campaigns": _facts(grades)}
    since_zh = f"{since.isoformat()}（开始整治）以后的" if since else ""
    since_en = f" since {since.isoformat()} (remediation began)" if since else ""
    if not grades:
        return Verdict(False, f"缺少{since_zh}水质监测数据：请先录入或导入一次监测（各采样点、各轮次）。",
                       f"no readings{since_en}: record or import a sampling campaign (every point, every round) "
                       f"first.", facts)
    last = grades[-1]
    notices = last.notices
    if last.grade == "ungraded":
        return Verdict(False, f"最近一次监测（{last.campaign.label}）无法分级：{last.rule_zh}",
                       f"the latest campaign ({last.campaign.label}) cannot be graded: {last.rule_en}", facts, notices)
    if not last.clean:
        return Verdict(False, f"最近一次监测（{last.campaign.label}）为{last.grade_text('zh')}：{last.rule_zh}。"
                              f"需要一次没有黑臭点位的监测。",
                       f"the latest campaign ({last.campaign.label}) is {last.grade_text('en')}: {last.rule_en}. "
                       f"A campaign with no black-odorous point is needed.", facts, notices)
    return Verdict(True, facts={**facts, "evidence": last.campaign.label}, notices=notices)


def long_term(inp: GateInput) -> Verdict:
    """Entering 长治久清: clean over the monitoring period since 初见成效, and a passing survey."""
    began = entered_at(inp.history, ("initial_effect",), inp.at)
    if began is None:
        return Verdict(False, "没有“初见成效”的记录：长治久清须在初见成效之后，经监测期和公众满意度调查认定。",
                       "no 初见成效 on record: 长治久清 follows 初见成效 after the monitoring period and a "
                       "public-satisfaction survey.", {"source": URBAN_ACCEPTANCE.cite()})
    since = _day(began)
    grades = _grades(inp, since)
    missing_zh, missing_en = [], []
    facts = {"since": since.isoformat(), "campaigns": _facts(grades), "monitoring_days": LONG_TERM_MONITORING_DAYS,
             "satisfaction_min_pct": SATISFACTION_MIN_PCT, "source": URBAN_ACCEPTANCE.cite(),
             "verified": URBAN_ACCEPTANCE.verified}
    not_clean = [g for g in grades if not g.clean]
    if not grades:
        missing_zh.append(f"{since.isoformat()}（初见成效）以后没有监测数据")
        missing_en.append(f"no campaign since {since.isoformat()} (初见成效)")
    for g in not_clean:
        missing_zh.append(f"{g.campaign.label} 的监测为{g.grade_text('zh')}")
        missing_en.append(f"the campaign of {g.campaign.label} is {g.grade_text('en')}")
    if grades and not not_clean:
        covered = (grades[-1].end - since).days
        facts["covered_days"] = covered
        if covered < LONG_TERM_MONITORING_DAYS:
            missing_zh.append(f"监测期只覆盖初见成效后 {covered} 日，需要至少 {LONG_TERM_MONITORING_DAYS} 日"
                              f"（最近一次监测须在 {since + timedelta(days=LONG_TERM_MONITORING_DAYS)} 及以后）")
            missing_en.append(f"the clean campaigns cover {covered} day(s) after 初见成效; at least "
                              f"{LONG_TERM_MONITORING_DAYS} are needed")
    pct = inp.attrs.get("satisfaction_pct")
    survey = inp.attrs.get("survey_date")
    if pct is None or survey in (None, ""):
        missing_zh.append(f"缺少公众满意度调查结果（满意度及调查日期，须不低于 {SATISFACTION_MIN_PCT:g}%）")
        missing_en.append(f"no public-satisfaction survey on record (satisfaction and survey date; at least "
                          f"{SATISFACTION_MIN_PCT:g} % needed)")
    else:
        survey_day = date.fromisoformat(str(survey)[:10])
        facts.update({"satisfaction_pct": pct, "survey_date": survey_day.isoformat()})
        if float(pct) < SATISFACTION_MIN_PCT:
            missing_zh.append(f"公众满意度 {float(pct):g}% 低于 {SATISFACTION_MIN_PCT:g}%")
            missing_en.append(f"public satisfaction {float(pct):g} % is below {SATISFACTION_MIN_PCT:g} %")
        if survey_day < since or survey_day > inp.day:
            missing_zh.append(f"满意度调查日期 {survey_day} 须在初见成效（{since}）之后、今天之前")
            missing_en.append(f"the survey date {survey_day} must fall after 初见成效 ({since}) and not in the future")
    if missing_zh:
        return Verdict(False, "；".join(missing_zh) + "。", "; ".join(missing_en) + ".", facts)
    return Verdict(True, facts=facts)


def relapse(inp: GateInput) -> Verdict:
    """Entering 返黑返臭: a campaign since 初见成效 / 长治久清 is black-odorous."""
    began = entered_at(inp.history, ("initial_effect", "long_term_clean"), inp.at)
    since = _day(began) if began else None
    grades = _grades(inp, since)
    black = [g for g in grades if g.black]
    facts = {"since": since.isoformat() if since else None, "campaigns": _facts(grades)}
    if not black:
        when_zh = f"{since}（初见成效/长治久清）以后" if since else ""
        when_en = f" since {since} (初见成效 / 长治久清)" if since else ""
        return Verdict(False, f"{when_zh}没有黑臭的监测结果：返黑返臭须有监测为证（轻度或重度黑臭）。",
                       f"no black-odorous campaign{when_en}: a relapse needs a light or heavy result on record.", facts)
    g = black[-1]
    return Verdict(True, facts={**facts, "evidence": g.campaign.label, "grade": g.grade, "rule_zh": g.rule_zh,
                                "rule_en": g.rule_en}, notices=g.notices)


#: Gate checks by the name a layer spec gives them.
CHECKS: dict[str, Callable[[GateInput], Verdict]] = {
    "black_odorous.clean_campaign": clean_campaign,
    "black_odorous.long_term": long_term,
    "black_odorous.relapse": relapse,
}


def evaluate(check: str, inp: GateInput) -> Verdict:
    """Run the check named ``check`` (a :class:`layers.spec.Gate`'s ``check``) on ``inp``.

    Raises
    ------
    KeyError
        An unknown check (the layer conformance test keeps every gate's check known).
    """
    return CHECKS[check](inp)
