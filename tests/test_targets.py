"""Every target computed on small hand-made data whose answer is known."""

from __future__ import annotations

import json
from datetime import date

import pytest

from geo.domain.targets import BERTH_EXCLUSIONS, berth_exclusion, progress, share, sort_town_codes
from layers.shore_power_berths import is_eligible_berth
from tests.review_factories import HAIKOU, JIANGYIN, YUPING, berth, site

TODAY = date(2025, 6, 30)


def tg(figures: dict, kind: str, code: str | None = None) -> dict:
    targets = figures["kinds"][kind]["targets"]
    return targets[0] if code is None else next(t for t in targets if t["code"] == code)


def test_share_is_none_for_an_empty_population():
    assert share(0, 0) is None
    assert share(2, 3) == 0.6667
    figures = progress([], TODAY)
    for kind in figures["kinds"].values():
        for t in kind["targets"]:
            assert (t["numerator"], t["denominator"], t["share"], t["met"]) == (0, 0, None, None)


def test_parks_zero_discharge_and_circular_retrofit_alongside():
    sites = [
        site("parks", 1, "completed", circular_retrofit="completed", online_monitoring=True),
        site("parks", 2, "accepted", circular_retrofit="not_applicable", online_monitoring=True),
        site("parks", 3, "building", circular_retrofit="in_progress"),
        site("parks", 4, "not_started"),
    ]
    figures = progress(sites, TODAY)
    t = tg(figures, "parks")
    assert (t["numerator"], t["denominator"], t["share"], t["threshold"], t["met"]) == (2, 4, 0.5, 1.0, False)
    assert "污水零直排区" in t["clause"]
    c = figures["kinds"]["parks"]["breakdown"]["circular_retrofit"]
    # not_applicable leaves the population; the park with nothing recorded stays in it, not done
    assert (c["numerator"], c["denominator"], c["share"]) == (1, 3, 0.3333)
    assert c["by_value"] == {"completed": 1, "in_progress": 1, "not_applicable": 1, "unset": 1}
    assert figures["kinds"]["parks"]["breakdown"]["online_monitoring"] == 2


def _outfall(n, status, water="fuqing_bay", into="sea", otype="industrial", **kw):
    return site("outfalls", n, status, discharge_into=into, receiving_water=water, outfall_type=otype, **kw)


def test_outfall_figures_split_by_class_water_and_remediated_or_closed():
    sites = [
        _outfall(1, "remediated", remediation_method="ban"),
        _outfall(2, "closed", otype="other", remediation_method="standardise"),
        _outfall(3, "remediating", "xinghua_bay", remediation_method="ban"),
        _outfall(4, "surveyed", "xinghua_bay", otype="agricultural"),
        _outfall(5, "traced", "haitan_strait", otype="agricultural"),
        _outfall(6, "closed", "longjiang_main", "river", "municipal_wwtp", remediation_method="merge"),
        _outfall(7, "monitored", "other_river", "river", "other"),
        _outfall(8, "dismissed", "fuqing_bay", dismissal_reason="duplicate"),
        _outfall(9, "dismissed", "longjiang_main", "river", dismissal_reason="not_outfall"),
    ]
    figures = progress(sites, TODAY)
    key, sea = figures["kinds"]["outfalls"]["targets"]
    # Key waters (龙江, 福清湾, 兴化湾 …): 1, 2, 3, 4, 6 — not 5 (海坛海峡), 7 (other river) or the dismissed.
    assert (key["numerator"], key["denominator"], key["share"], key["met"]) == (3, 5, 0.6, False)
    # Every outfall into the sea: 1-5 (the dismissed 8 is out).
    assert (sea["numerator"], sea["denominator"], sea["share"]) == (2, 5, 0.4)
    assert key["deadline"] == sea["deadline"] == "2025-12-31"
    b = figures["kinds"]["outfalls"]["breakdown"]
    assert (b["counted"], b["remediated"], b["closed"]) == (7, 3, 2)
    assert b["by_type"]["industrial"] == {"n": 2, "remediated": 1, "closed": 0, "remediated_share": 0.5,
                                          "closed_share": 0.0}
    assert b["by_type"]["municipal_wwtp"] == {"n": 1, "remediated": 1, "closed": 1, "remediated_share": 1.0,
                                              "closed_share": 1.0}
    assert {k: (g["n"], g["remediated"], g["closed"]) for k, g in b["by_receiving_water"].items()} == {
        "fuqing_bay": (2, 2, 1), "xinghua_bay": (2, 0, 0), "haitan_strait": (1, 0, 0), "longjiang_main": (1, 1, 1),
        "other_river": (1, 0, 0)}
    assert {k: g["n"] for k, g in b["by_discharge_into"].items()} == {"river": 2, "sea": 5}
    assert b["by_method"]["unset"]["n"] == 3
    assert b["dismissed"] == {"n": 2, "by_reason": {"duplicate": 1, "not_outfall": 1}}
    # Closed apart: never done, never overdue, out of the kind's share.
    kind = figures["kinds"]["outfalls"]
    assert kind["excluded"] == 2 and kind["done"] == 3
    late = {r["site_id"] for r in progress(sites, date(2026, 1, 31))["overdue"]["sites"]}
    assert "PWK-004" in late and not late & {"PWK-008", "PWK-009"}


def test_outfalls_all_remediated_meet_the_target():
    sites = [site("outfalls", i, s, discharge_into="sea", receiving_water="fuqing_bay", outfall_type="other") for i, s in
             enumerate(("remediated", "closed", "closed"), start=1)]
    assert tg(progress(sites, TODAY), "outfalls")["met"] is True


def test_black_odorous_built_up_and_rural_are_counted_separately():
    sites = [
        site("black_odorous", 1, "initial_effect", water_kind="urban"),
        site("black_odorous", 2, "long_term_clean", water_kind="urban"),
        site("black_odorous", 3, "remediating", water_kind="urban"),
        site("black_odorous", 4, "untreated", water_kind="rural", national_list=True),
        site("black_odorous", 5, "initial_effect", water_kind="rural", larger_area=True),
        site("black_odorous", 6, "remediating", water_kind="rural", larger_area=True),
        site("black_odorous", 7, "long_term_clean", water_kind="rural", national_list=True, larger_area=True),
        site("black_odorous", 8, "initial_effect", water_kind="rural"),  # a small pond: outside the plan's target
        site("black_odorous", 9, "relapsed", water_kind="urban"),        # black again: not eliminated
    ]
    figures = progress(sites, TODAY)
    urban = tg(figures, "black_odorous", "urban_eliminated_share")
    rural = tg(figures, "black_odorous", "rural_eliminated_share")
    assert (urban["numerator"], urban["denominator"], urban["share"]) == (2, 4, 0.5)
    assert urban["threshold"] == 0.9 and "建城〔2022〕29号" in urban["threshold_source"]
    assert urban["met"] is False and urban["deadline"] == "2025-12-31"
    assert (rural["numerator"], rural["denominator"], rural["share"]) == (2, 4, 0.5)
    assert rural["threshold"] is None and rural["met"] is None  # no national figure: no pass mark invented
    assert urban["population_zh"] == "城市建成区水体" and "国家监管清单" in rural["population_zh"]
    b = figures["kinds"]["black_odorous"]["breakdown"]
    assert b["by_water_kind"]["urban"]["n"] == 4 and (b["rural_flagged"], b["rural_not_flagged"]) == (4, 1)
    assert b["relapsed"] == 1


@pytest.mark.parametrize("done, total, met", [(9, 10, True), (8, 10, False), (0, 0, None)])
def test_the_built_up_target_is_met_at_ninety_percent(done, total, met):
    sites = [site("black_odorous", i, "initial_effect" if i < done else "remediating", water_kind="urban")
             for i in range(total)]
    assert tg(progress(sites, TODAY), "black_odorous", "urban_eliminated_share")["met"] is met


BERTH_CASES = [
    # berth_type, tonnage, dangerous, expected exclusion (None = counts)
    ("container", 10_000, False, None),
    ("container", 50_000, True, "dangerous_goods"),
    ("ro_ro", None, False, None),
    ("cruise", 1_000, False, None),
    ("passenger", 3_000, False, None),
    ("passenger", 2_999, False, "passenger_under_3000t"),
    ("passenger", None, False, "tonnage_unknown"),
    ("passenger", 5_000, True, "dangerous_goods"),
    ("dry_bulk", 50_000, False, None),
    ("dry_bulk", 49_999, False, "dry_bulk_under_50000t"),
    ("dry_bulk", 200_000, True, "dangerous_goods"),
    ("dry_bulk", "", False, "tonnage_unknown"),
    ("liquid_bulk", 50_000, False, "not_specialised"),
    ("liquid_bulk", 50_000, True, "dangerous_goods"),
    ("general_cargo", 100_000, False, "not_specialised"),
    ("other", 3_000, False, "not_specialised"),
    (None, 3_000, False, "not_specialised"),
]


@pytest.mark.parametrize("berth_type,tonnage,dangerous,expected", BERTH_CASES)
def test_berth_exclusion_rules_and_tonnage_edges(berth_type, tonnage, dangerous, expected):
    attrs = {"berth_type": berth_type, "tonnage_t": tonnage, "dangerous_goods": dangerous}
    assert berth_exclusion(attrs) == expected
    # the reason agrees with the plan's population in the spec (which gives the figures)
    assert (expected is None) == is_eligible_berth(attrs)
    assert expected is None or expected in BERTH_EXCLUSIONS


def test_shore_power_share_lists_counted_and_excluded_berths():
    eligible = [berth(i, "container", 50_000, "available" if i <= 7 else "building") for i in range(1, 11)]
    excluded = [
        berth(11, "liquid_bulk", 50_000, "available", dangerous=True),
        berth(12, "dry_bulk", 49_999, "available"),
        berth(13, "passenger", 2_999, "available"),
        berth(14, "general_cargo", 20_000, "none"),
        berth(15, "container", 50_000, "available", dangerous=True),
    ]
    figures = progress(eligible + excluded, TODAY)
    t = tg(figures, "shore_power_berths")
    # 7 of 10 eligible: exactly the Fuqing target (70 %) but under the province's 75 %
    assert (t["numerator"], t["denominator"], t["share"]) == (7, 10, 0.7)
    assert (t["threshold"], t["province_threshold"], t["met"], t["met_province"]) == (0.7, 0.75, True, False)
    b = figures["kinds"]["shore_power_berths"]["breakdown"]
    assert [r["site_id"] for r in b["counted"]] == [s.site_id for s in eligible]
    assert {r["site_id"]: r["reason"] for r in b["excluded"]} == {
        "AD-011": "dangerous_goods", "AD-012": "dry_bulk_under_50000t", "AD-013": "passenger_under_3000t",
        "AD-014": "not_specialised", "AD-015": "dangerous_goods"}
    assert b["excluded_by_reason"] == {"dangerous_goods": 2, "dry_bulk_under_50000t": 1,
                                       "passenger_under_3000t": 1, "not_specialised": 1}
    assert sum(r["capable"] for r in b["counted"]) == 7


def test_six_of_ten_berths_miss_the_target():
    sites = [berth(i, "ro_ro", 10_000, "available" if i <= 6 else "none") for i in range(1, 11)]
    t = tg(progress(sites, TODAY), "shore_power_berths")
    assert (t["share"], t["met"], t["met_province"]) == (0.6, False, False)


def test_clean_fuel_zones_stages_and_coal_boilers():
    sites = [
        site("clean_fuel_zones", 1, "enforced", coal_boilers_remaining=0, fuel_category="III"),
        site("clean_fuel_zones", 2, "announced", coal_boilers_remaining=3, fuel_category="II"),
        site("clean_fuel_zones", 3, "designated", coal_boilers_remaining=2, fuel_category="II"),
        site("clean_fuel_zones", 4, "proposed", fuel_category="I"),
    ]
    figures = progress(sites, TODAY)
    t = tg(figures, "clean_fuel_zones")
    assert (t["numerator"], t["denominator"], t["share"]) == (1, 4, 0.25)
    z = figures["kinds"]["clean_fuel_zones"]["breakdown"]
    assert z["at_least"] == {"designated": 3, "announced": 2, "enforced": 1}
    assert (z["coal_boilers_remaining"], z["coal_boilers_unknown"]) == (5, 1)
    assert [r["site_id"] for r in z["zones_with_coal_boilers"]] == ["JRQ-002", "JRQ-003"]


def test_overdue_is_deadline_passed_and_not_done():
    sites = [
        site("outfalls", 1, "remediating", deadline="2025-06-29", discharge_into="sea", receiving_water="fuqing_bay", outfall_type="other"),
        site("outfalls", 2, "remediating", deadline="2025-06-30", discharge_into="sea", receiving_water="fuqing_bay", outfall_type="other"),
        site("outfalls", 3, "remediated", deadline="2025-01-01", discharge_into="sea", receiving_water="fuqing_bay", outfall_type="other"),
        site("outfalls", 4, "surveyed", deadline=None, discharge_into="sea", receiving_water="fuqing_bay", outfall_type="other"),
        site("parks", 1, "building", deadline="2024-12-31"),
    ]
    figures = progress(sites, TODAY)
    assert figures["overdue"]["count"] == 2 == figures["totals"]["overdue"]
    assert [(r["site_id"], r["days_overdue"]) for r in figures["overdue"]["sites"]] == [("YQ-001", 181),
                                                                                       ("PWK-001", 1)]
    assert figures["kinds"]["outfalls"]["overdue"] == 1


def test_per_town_rows_in_official_order_with_each_kind():
    sites = [
        site("outfalls", 1, "remediated", town=JIANGYIN, discharge_into="sea", receiving_water="xinghua_bay", outfall_type="port"),
        site("outfalls", 2, "surveyed", town=HAIKOU, discharge_into="sea", receiving_water="fuqing_bay", outfall_type="port"),
        site("black_odorous", 1, "initial_effect", town=YUPING, water_kind="urban"),
        berth(1, "container", 50_000, "available", town=JIANGYIN),
        berth(2, "general_cargo", 50_000, "available", town=JIANGYIN),
    ]
    figures = progress(sites, TODAY)
    rows = figures["towns"]
    assert [r["code"] for r in rows] == [YUPING, HAIKOU, JIANGYIN] == sort_town_codes([JIANGYIN, YUPING, HAIKOU])
    jy = rows[2]
    assert (jy["name_zh"], jy["total"], jy["done"], jy["share"]) == ("江阴镇", 3, 3, 1.0)
    assert jy["kinds"]["shore_power_berths"]["targets"]["capable_share"] == {
        "numerator": 1, "denominator": 1, "share": 1.0, "met": True}
    assert set(jy["kinds"]) == {"outfalls", "shore_power_berths"}


def test_town_filter_and_sample_notice_and_json():
    sites = [
        site("outfalls", 1, "remediated", town=JIANGYIN, discharge_into="sea", receiving_water="xinghua_bay", outfall_type="port"),
        site("outfalls", 2, "surveyed", town=HAIKOU, discharge_into="sea", receiving_water="fuqing_bay", outfall_type="port"),
    ]
    figures = progress(sites, TODAY, town=JIANGYIN, sample=True)
    assert figures["town"] == {"code": JIANGYIN, "name_zh": "江阴镇", "name_en": "Jiangyin Town"}
    assert figures["totals"]["sites"] == 1 and tg(figures, "outfalls")["share"] == 1.0
    assert "示例数据" in figures["sample_notice"]
    assert figures["as_of"] == "2025-06-30"
    assert progress(sites, TODAY)["sample_notice"] is None
    json.dumps(figures, ensure_ascii=False)  # JSON-ready as the CLI prints it
