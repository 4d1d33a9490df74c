"""The town report's monitoring pages (geo/report/monitoring.py): the figures the dashboard shows, in the PDF."""

from __future__ import annotations

from datetime import date

import pytest

from geo.domain.targets import progress
from geo.report.fonts import cjk_font_path
from geo.report.layout import new_pdf
from geo.report.monitoring import monitoring_section
from geo.report.pdf import town_report_pdf
from geo.store import open_store
from tests.factories import SYSTEM
from tests.test_report import flat, pdf_text

DAY = date(2026, 12, 6)
YUPING, JIANGYIN = "350181002", "350181116"
CHART_TITLES = ("透明度(cm)", "溶解氧(mg/L)", "氧化还原电位(mV)", "氨氮(mg/L)")


@pytest.fixture(scope="module")
def sample(sample_store_file):
    store = open_store(sample_store_file)
    return store.list_sites(SYSTEM), store.all_history(SYSTEM), store.all_observations(SYSTEM)


def _report(sample, town: str, **kw) -> str:
    sites, history, obs = sample
    return flat(pdf_text(town_report_pdf(sites, DAY, town, history=history, sample=True, **kw)))


def test_every_body_of_the_town_with_its_measured_grade_and_its_charts(sample):
    sites, history, obs = sample
    text = _report(sample, YUPING, observations=obs)
    bodies = progress(sites, DAY, town=YUPING, history=history, observations=obs)[
        "kinds"]["black_odorous"]["breakdown"]["measured"]["bodies"]
    assert len(bodies) >= 2 and all(b["campaigns"] for b in bodies)
    assert "监测数据与证据门槛" in text
    for b in bodies:  # the table row: id, name, status, campaigns, latest campaign, grade
        assert flat(f"{b['site_id']}{b['name']}") in text
        assert flat(f"{b['campaigns']}{b['latest']}{b['grade_zh']}一致") in text
        assert flat(f"（{b['site_id']}，城市黑臭水体分级）") in text  # its row of charts
    for title in CHART_TITLES:
        assert text.count(title) == len(bodies)
    assert "《城市黑臭水体整治工作指南》" in text  # the limits' source


def test_shore_power_use_of_the_towns_berths(sample):
    sites, history, obs = sample
    text = _report(sample, JIANGYIN, observations=obs)
    usage = progress(sites, DAY, town=JIANGYIN, history=history, observations=obs)[
        "kinds"]["shore_power_berths"]["breakdown"]["usage"]
    tot = usage["total"]
    assert tot["ship_calls"] > 0
    assert flat(f"靠泊{tot['ship_calls']}艘次，使用岸电{tot['calls_connected']}艘次") in text
    for b in usage["by_berth"]:
        assert flat(f"{b['site_id']}{b['name']}") in text and f"{b['calls_connected']}/{b['ship_calls']}" in text


def test_without_monitoring_rows_the_report_has_no_monitoring_pages(sample):
    assert "监测数据与证据门槛" not in _report(sample, YUPING)
    sites, history, _ = sample
    text = flat(pdf_text(town_report_pdf(sites, DAY, YUPING, history=history, observations={})))
    assert "黑臭水体·最近一次监测批次" in text and "无监测数据" in text and "透明度(cm)" not in text


def _section_text(figures: dict, sites=(), observations=None) -> str:
    pdf = new_pdf(str(cjk_font_path()))
    pdf.add_page()
    monitoring_section(pdf, figures, list(sites), {} if observations is None else observations, DAY)
    return flat(pdf_text(bytes(pdf.output())))


def _figures(bodies=(), mismatches=(), overrides=()) -> dict:
    counts = {"heavy": 0, "light": 0, "black": 0, "none": 0, "ungraded": 0, "no_readings": 0}
    for b in bodies:
        counts[b["grade"]] += 1
    return {"kinds": {"black_odorous": {"total": len(bodies), "breakdown": {
        "measured": {"counts": counts, "bodies": list(bodies), "mismatches": list(mismatches)}}},
        "shore_power_berths": {"total": 0, "breakdown": {}}}, "overrides": list(overrides)}


BODY = {"site_id": "HC-9", "name": "示例河", "status": "long_term_clean", "water_kind": "urban", "campaigns": 3,
        "latest": "2025-09-01 – 2025-09-03", "grade": "heavy", "grade_zh": "重度黑臭", "grade_en": "heavy"}


@pytest.mark.parametrize("kind, said", [
    ("done_but_black", "状态为已完成，但最近一次监测仍为黑臭"),
    ("clean_not_yet_recorded", "最近一次监测已不黑臭，状态尚未更新"),
])
def test_a_status_the_readings_contradict_is_said_in_its_row(kind, said):
    text = _section_text(_figures([BODY], [{**BODY, "kind": kind}]))
    assert flat(f"HC-9示例河长治久清3{BODY['latest']}重度黑臭{said}") in text
    assert "重度黑臭1个" in text


def test_statuses_forced_past_an_evidence_gate_are_listed_in_beijing_time():
    override = {"site_id": "HC-9", "kind": "black_odorous", "from": "remediating", "to": "initial_effect",
                "at": "2025-01-02T00:00:00.000Z", "actor": "管理员", "source": "web", "reason": "省厅现场认定"}
    text = _section_text(_figures(overrides=[override]))
    assert "管理员越过证据门槛设定的状态（1次）" in text
    assert flat("HC-92025-01-0208:00管理员初见成效省厅现场认定") in text


def test_nothing_to_say_leaves_the_page_alone():
    blank = new_pdf(str(cjk_font_path()))
    blank.add_page()
    assert _section_text(_figures()) == flat(pdf_text(bytes(blank.output())))  # the footer alone


def test_readings_sampled_after_the_report_day_are_not_charted(sample):
    sites, history, obs = sample
    rows = obs["black_odorous_readings"]
    body = next(s for s in sites if s.kind == "black_odorous" and s.town_code == YUPING
                and any(r.site_id == s.site_id for r in rows))
    first = min(r.observed_on for r in rows if r.site_id == body.site_id)
    day = date.fromisoformat(str(first)[:10])
    before = flat(pdf_text(town_report_pdf(sites, date.fromordinal(day.toordinal() - 1), YUPING,
                                           history=history, observations=obs)))
    assert flat(f"（{body.site_id}，城市黑臭水体分级）") not in before


@pytest.mark.parametrize("values, limits, expected", [
    ([12.0, 30.0], [10.0, 25.0], (0.0, 40.0)),          # positive: from zero, round top with headroom
    ([-150.0, 60.0], [-200.0, 50.0], (-200.0, 100.0)),  # ORP below zero: the lowest limit in view
    ([0.1, 8.217], [0.2, 2.0], (0.0, 10.0)),            # no odd top value such as 8.217
    ([5.0, 5.0], [], (0.0, 6.0)),                       # one value
    ([0.0], [], (0.0, 1.5)),                            # zero alone still has a height
    ([], [], (0.0, 1.0)),
])
def test_chart_range_holds_every_value_and_limit_on_round_numbers(values, limits, expected):
    from geo.report.charts import value_range

    lo, hi = value_range(values, limits)
    assert (lo, hi) == expected
    assert all(lo <= v < hi for v in [*values, *limits])
