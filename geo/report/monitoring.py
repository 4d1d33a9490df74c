"""The town report's monitoring pages: what the readings say, beside the statuses (pure layout).

Every figure comes from :func:`geo.domain.targets.progress` called with the stored monitoring rows, as the
dashboard calls it: the latest measured grade of each black-odorous body and where status and readings
disagree (:func:`geo.domain.evidence_review.measured_status`), shore-power use
(:func:`geo.domain.shore_power_usage.usage_figures`) and the statuses an administrator forced past an
evidence gate. The readings of each body are charted as the site panel charts them: one small chart per
measured quantity, a line per sampling point, the grading limits dashed.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

from geo.clock import format_cst
from geo.domain.evidence_review import READINGS, readings_as_of
from geo.domain.monitoring import rules_for
from geo.report.charts import line_chart
from geo.report.layout import GREY, heading, para, pct, table
from layers import OBSERVATIONS, REGISTRY

__all__ = ["MAX_CHARTED_BODIES", "monitoring_section"]

#: Bodies charted in one report; beyond it the table still lists every body (a town has far fewer).
MAX_CHARTED_BODIES = 20
#: Height of one row of charts (mm).
CHART_ROW_MM = 30.0

_GRADE_ZH = {"heavy": "重度黑臭", "light": "轻度黑臭", "black": "黑臭（农村）", "none": "不黑臭", "ungraded": "无法评定",
             "no_readings": "无监测数据"}
_MISMATCH_ZH = {"done_but_black": "状态为已完成，但最近一次监测仍为黑臭",
                "clean_not_yet_recorded": "最近一次监测已不黑臭，状态尚未更新"}


def _status_zh(kind: str, code: str | None) -> str:
    return REGISTRY[kind].status(code).zh if code else "—"


def monitoring_section(pdf, figures: dict, sites: Sequence[Any], observations: Mapping[str, Sequence[Any]] | None,
                       today: date) -> None:
    """Lay out the monitoring pages of one town's report (nothing when the store holds no monitoring rows).

    Parameters
    ----------
    figures : dict
        :func:`geo.domain.targets.progress` of the town, called with ``observations`` (and the history,
        for the overrides).
    sites : sequence of Site
        The town's sites as they stood on ``today``.
    observations : mapping of str to sequence of Observation, optional
        Every stored monitoring row by spec key (corrections and voids included), as the store gives them.
    today : date
        The report's day: only readings sampled and recorded by its end count.
    """
    if observations is None:
        return
    kinds = figures["kinds"]
    measured = kinds["black_odorous"]["breakdown"].get("measured") if kinds["black_odorous"]["total"] else None
    usage = kinds["shore_power_berths"]["breakdown"].get("usage") if kinds["shore_power_berths"]["total"] else None
    overrides = figures.get("overrides") or []
    if not (measured and measured["bodies"]) and not (usage and usage["by_month"]) and not overrides:
        return
    heading(pdf, "监测数据与证据门槛")
    if measured and measured["bodies"]:
        _black_odorous(pdf, measured, sites, observations, today)
    if usage and usage["by_month"]:
        _shore_power(pdf, usage)
    if overrides:
        _overrides(pdf, overrides)


def _black_odorous(pdf, measured: dict, sites: Sequence[Any], observations: Mapping, today: date) -> None:
    counts = measured["counts"]
    para(pdf, "黑臭水体 · 最近一次监测批次的实测等级", size=10)
    para(pdf, "，".join(f"{_GRADE_ZH[k]} {n} 个" for k, n in counts.items() if n) + "。", size=9)
    why = {m["site_id"]: _MISMATCH_ZH[m["kind"]] for m in measured["mismatches"]}
    table(pdf, ("编号", "名称", "状态", "监测批次", "最近一次", "实测等级", "状态与实测"),
          [(b["site_id"], b["name"], _status_zh("black_odorous", b["status"]), str(b["campaigns"]),
            b["latest"] or "—", b["grade_zh"], why.get(b["site_id"], "一致" if b["campaigns"] else "—"))
           for b in measured["bodies"]], (18, 34, 20, 14, 38, 20, 36))
    spec = OBSERVATIONS[READINGS]
    rows = readings_as_of(observations.get(READINGS, ()), today)
    by_site: dict[str, list] = {}
    for r in rows:
        by_site.setdefault(r.site_id, []).append(r)
    bodies = [s for s in sites if s.kind == "black_odorous" and by_site.get(s.site_id)]
    if not bodies:
        return
    pdf.ln(2)
    para(pdf, "各水体监测值（每条折线为一个采样点；虚线为分级限值：" + "；".join(
        rules_for(spec).sources(bodies[0])[:1]) + "）", size=8, color=GREY, h=4.2)
    for s in bodies[:MAX_CHARTED_BODIES]:
        _charts_row(pdf, spec, s, by_site[s.site_id])
    if len(bodies) > MAX_CHARTED_BODIES:
        para(pdf, f"另有 {len(bodies) - MAX_CHARTED_BODIES} 个水体的监测值未绘出，见系统中各点位的详情。", size=8,
             color=GREY)


def _charts_row(pdf, spec, site, rows: list) -> None:
    """One body's title line and a chart per measured quantity, side by side across the page."""
    if pdf.get_y() + CHART_ROW_MM + 6 > pdf.h - pdf.b_margin:
        pdf.add_page()
    rule = "农村黑臭水体" if site.attrs.get("water_kind") == "rural" else "城市黑臭水体"
    para(pdf, f"{site.name}（{site.site_id}，{rule}分级）", size=8.5, h=4.6)
    fields = spec.chart_fields
    days = [_day(r.observed_on) for r in rows]
    start, end = min(days), max(days)
    limits = rules_for(spec).limits(site)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    gap = 3.0
    w = (width - gap * (len(fields) - 1)) / len(fields)
    y = pdf.get_y()
    for i, f in enumerate(fields):
        series: dict[str, list] = {}
        for r, d in zip(rows, days):
            v = r.values.get(f.name)
            if v is not None:
                key = str(r.values.get(spec.series)) if spec.series else spec.zh
                series.setdefault(key, []).append((d, float(v)))
        line_chart(pdf, pdf.l_margin + i * (w + gap), y, w, CHART_ROW_MM - 4, title=f.label("zh"), series=series,
                   limits=[lim for lim in limits if lim.field == f.name], start=start, end=end)
    pdf.set_xy(pdf.l_margin, y + CHART_ROW_MM - 2)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _shore_power(pdf, usage: dict) -> None:
    tot = usage["total"]
    pdf.ln(2)
    para(pdf, "岸电使用（使用岸电艘次 ÷ 靠泊艘次）", size=10)
    para(pdf, f"{usage['months'][-1]} 至 {usage['months'][0]}：靠泊 {tot['ship_calls']} 艘次，使用岸电 "
              f"{tot['calls_connected']} 艘次，使用率 {pct(tot['rate'])}；用电 {tot['energy_kwh']:,.0f} kWh，"
              f"{tot['hours']:g} 小时。{usage['clause']}", size=9)
    table(pdf, ("编号", "名称", "港区", "使用/靠泊艘次", "使用率", "用电量 kWh"),
          [(b["site_id"], b["name"], b["port_area"], f"{b['calls_connected']}/{b['ship_calls']}", pct(b["rate"]),
            f"{b['energy_kwh']:,.0f}") for b in usage["by_berth"]], (20, 56, 30, 26, 20, 28))


def _overrides(pdf, overrides: list) -> None:
    pdf.ln(2)
    para(pdf, f"管理员越过证据门槛设定的状态（{len(overrides)} 次）", size=10)
    table(pdf, ("编号", "时间（北京时间）", "操作人", "设为", "理由"),
          [(o["site_id"], format_cst(o["at"]), o["actor"], _status_zh(o["kind"], o["to"]), o["reason"])
           for o in overrides], (20, 32, 24, 24, 80))
