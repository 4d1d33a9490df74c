"""The review dashboard under Streamlit's AppTest: every section, both languages, as-of, town, evidence → map."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from geo.domain.asof import end_of_day_utc, snapshot
from geo.clock import today_cst
from geo.store import open_store
from geo.domain.targets import progress
from layers import REGISTRY
from tests.factories import SYSTEM
from ui.pages.dashboard_page import SECTION_KEY, SECTIONS

JIANGYIN = "350181116"


def _script() -> None:
    from ui.pages import page_by_path

    page_by_path("dashboard").render()


def run(lang: str = "zh") -> AppTest:
    at = AppTest.from_function(_script, default_timeout=90)
    at.session_state["lang"] = lang
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def expected(store_file, day: date | None = None, town: str | None = None) -> dict:
    store = open_store(store_file)
    sites, history = snapshot(store.list_sites(SYSTEM), store.all_history(SYSTEM), day)
    reference = store.reference_areas(SYSTEM, before=end_of_day_utc(day) if day else None)
    return progress(sites, day or today_cst(), town=town, history=history, sample=True, reference=reference)


def pct(x) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_section_runs_in_both_languages(store_copy, lang):
    at = run(lang)
    assert not at.exception, at.exception
    assert "示例数据" in " ".join(w.value for w in at.warning)
    for section in SECTIONS:
        at.session_state[SECTION_KEY] = section
        at.run()
        assert not at.exception, (section, at.exception)
    assert len(at.metric) == sum(len(spec.targets) for spec in REGISTRY.values())


def test_headline_figures_are_the_computed_ones(store_copy):
    at = run()
    figures = expected(store_copy)
    outfalls, sea = figures["kinds"]["outfalls"]["targets"]
    berths = figures["kinds"]["shore_power_berths"]["targets"][0]
    assert metric(at, "重点水域排污口整治") == pct(outfalls["share"])
    assert metric(at, "入海排污口整治") == pct(sea["share"])
    assert metric(at, "岸电泊位") == pct(berths["share"])
    assert next(m for m in at.metric if m.label == "岸电泊位").proto.delta == (
        f"{berths['numerator']}/{berths['denominator']}")


def test_as_of_a_past_day_rebuilds_the_figures(store_copy):
    at = run()
    day = date(2024, 6, 30)
    at.date_input(key="dash_day").set_value(day).run()
    assert not at.exception, at.exception
    assert any("2024-06-30" in i.value for i in at.info)
    figures = expected(store_copy, day)
    assert metric(at, "重点水域排污口整治") == pct(figures["kinds"]["outfalls"]["targets"][0]["share"])
    assert figures["totals"]["done"] < expected(store_copy)["totals"]["done"]


def test_town_filter_and_report_button(store_copy):
    at = run()
    at.selectbox(key="dash_town").set_value(JIANGYIN).run()
    assert not at.exception, at.exception
    assert any("江阴镇" in c.value for c in at.caption)
    figures = expected(store_copy, town=JIANGYIN)
    assert metric(at, "岸电泊位") == pct(figures["kinds"]["shore_power_berths"]["targets"][0]["share"])


def test_evidence_lists_lead_to_the_map_coloured_by_evidence(store_copy):
    at = run()
    at.session_state[SECTION_KEY] = "evidence"
    at.run()
    assert any("远程变更" in m.value for m in at.markdown)
    next(b for b in at.button if b.label == "在地图上查看远程变更").click().run()
    assert not at.exception, at.exception
    assert at.session_state[SECTION_KEY] == "map"
    assert at.session_state["dash_color"] == "evidence" and at.session_state["dash_show"] == "remote"
    remote = expected(store_copy)["evidence"]["remote_changes"]
    sites = {r["site_id"] for r in remote}
    assert any(f"地图上 {len(sites)} 个点位" in c.value for c in at.caption)


def test_picking_a_site_shows_its_history_with_evidence(store_copy):
    at = run()
    at.session_state[SECTION_KEY] = "map"
    at.session_state["review_selected"] = "PWK-001"
    at.run()
    assert not at.exception, at.exception
    frames = [d.value for d in at.dataframe]
    history = next(f for f in frames if "位置证据" in f.columns)
    assert len(history) >= 2 and "照片" in history.columns
    assert history["位置证据"].str.contains("现场变更|远程变更").any()


def test_whole_metres_a_reason_for_the_greyed_report_and_whole_counts(store_copy):
    at = run()
    assert at.number_input(key="dash_onsite_m").proto.format == "%.0f"  # 200, not 200.00
    assert any("报告按镇街生成" in c.value for c in at.caption)  # why the report button is greyed
    from ui.dashboard.charts import town_chart

    spec = town_chart(expected(store_copy, town=JIANGYIN)).to_dict()
    assert spec["encoding"]["x"]["axis"]["format"] == "d" and spec["encoding"]["x"]["axis"]["tickMinStep"] == 1


def test_every_headline_metric_names_population_numerator_denominator_deadline_and_clause(store_copy):
    at = run()
    figures = expected(store_copy)
    lines = [tg["line_zh"] for k in REGISTRY for tg in figures["kinds"][k]["targets"]]
    assert [m.proto.help for m in at.metric] == lines
    coverage = figures["kinds"]["clean_fuel_zones"]["targets"][0]
    m = next(m for m in at.metric if m.label == "禁燃区面积覆盖")
    assert m.value == pct(coverage["share"]) and m.proto.delta.endswith("km²")
    assert any(m.label == "岸电泊位〔省〕" for m in at.metric)


def test_progress_details_show_the_boiler_register_the_zone_coverage_and_both_berth_populations(store_copy):
    at = run()
    figures = expected(store_copy)
    frames = [d.value for d in at.dataframe]
    register = next(f for f in frames if "所在禁燃区（按位置）" in f.columns)
    assert len(register) == figures["kinds"]["coal_boilers"]["total"]
    assert set(register["在供热管网覆盖范围内（按位置）"]) <= {"是", "否"}
    stages = next(f for f in frames if "阶段（及以上）" in f.columns)
    assert list(stages["阶段（及以上）"]) == ["已划定", "已公告", "已实施"]
    parks = next(f for f in frames if "化工园区" in f.columns)
    assert "福州保税港区" in set(parks["名称"])
    markdown = " ".join(m.value for m in at.markdown)
    assert "福清市口径" in markdown and "省口径" in markdown and "35 蒸吨/小时及以上燃煤锅炉" in markdown
    assert any("位于已实施的禁燃区内仍在燃煤：GL-" in w.value for w in at.warning)


def test_outfall_figures_split_by_class_and_water_with_remediated_and_closed_apart(store_copy):
    at = run()
    b = expected(store_copy)["kinds"]["outfalls"]["breakdown"]
    frames = [d.value for d in at.dataframe]
    by_type = next(f for f in frames if "销号率" in f.columns and "工业排污口" in set(f["类别"]))
    row = by_type[by_type["类别"] == "其他排口"].iloc[0]
    other = b["by_type"]["other"]
    assert (row["点位数"], row["整治完成"], row["整治完成率"], row["已销号"], row["销号率"]) == (
        other["n"], other["remediated"], pct(other["remediated_share"]), other["closed"], pct(other["closed_share"]))
    by_water = next(f for f in frames if "销号率" in f.columns and "海坛海峡" in set(f["类别"]))
    assert set(by_water["类别"]) >= {"福清湾", "兴化湾", "海坛海峡", "龙江干流", "龙江支流", "湖库"}
    text = " ".join(m.value for m in at.markdown)
    assert f"排查核销（非排污口/重复/已消失，不计入）**{b['dismissed']['n']}**" in text
