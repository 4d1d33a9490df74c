"""Every target computed on small hand-made data whose answer is known.

One case per target of every kind (:data:`CASES`; a test fails when a target has none): the
population, the numerator, the denominator, the deadline and the clause, and the one line
that names them all. Then the kinds' breakdowns, the area measure against the geodesic area,
and the per-town rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import pytest
from pyproj import Geod
from shapely.geometry import MultiPolygon, box

from geo.domain.coverage import ReferenceAreas
from geo.domain.targets import (BERTH_EXCLUSIONS, TOWN_BOUNDARY, berth_exclusion, describe, progress, share,
                                sort_town_codes)
from layers import REGISTRY
from layers.shore_power_berths import is_eligible_berth, province_exclusion
from tests.review_factories import HAIKOU, JIANGYIN, YUPING, berth, boiler, site

TODAY = date(2025, 6, 30)
GEOD = Geod(ellps="WGS84")

# Hand-made reference areas: two boxes side by side on the same parallels, so their areas are in the ratio
# of their widths on the ellipsoid too (the area of a lon/lat box is its width times a function of latitude).
BUILT_UP = box(119.30, 25.70, 119.32, 25.72)       # 0.02° wide
SUBURBS = box(119.32, 25.70, 119.34, 25.72)        # 0.02° wide
HEAT = box(119.29, 25.47, 119.31, 25.49)
REFERENCE = ReferenceAreas(areas={"built_up_area": BUILT_UP, "near_suburbs": SUBURBS, "heat_network": HEAT})


def geodesic_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def tg(figures: dict, kind: str, code: str | None = None) -> dict:
    targets = figures["kinds"][kind]["targets"]
    return targets[0] if code is None else next(t for t in targets if t["code"] == code)


def zone(n: int, status: str, geom, **kw):
    return site("clean_fuel_zones", n, status, geometry=MultiPolygon([geom]), fuel_category="III", **kw)


# -- one case per target -----------------------------------------------------------------------------------
@dataclass
class Case:
    """Hand-made sites for one target and what it must give."""

    sites: Callable[[], list]
    numerator: float
    denominator: float
    population: str        # a fragment of the population's words
    clause: str            # a fragment of the plan clause, as the plan words it
    plan: str = "fuqing"
    reference: ReferenceAreas | None = None
    approx: bool = False   # areas: compared to the geodesic area on the ellipsoid
    extra: dict = field(default_factory=dict)


def _parks_levels():
    return [site("parks", 1, "completed", level="national"), site("parks", 2, "accepted", level="municipal"),
            site("parks", 3, "building", level="provincial"), site("parks", 4, "not_started", level="national")]


def _parks_retrofit():
    return [site("parks", 1, "building", level="national", circular_retrofit="completed"),
            site("parks", 2, "building", level="municipal", circular_retrofit="in_progress"),
            site("parks", 3, "building", level="provincial", circular_retrofit="not_started"),
            site("parks", 4, "building", level="national", circular_retrofit="not_applicable"),
            site("parks", 5, "building", level="provincial")]


def _outfalls():
    def o(n, status, water, into="sea", **kw):
        return site("outfalls", n, status, discharge_into=into, receiving_water=water, outfall_type="industrial", **kw)

    return [o(1, "remediated", "fuqing_bay"), o(2, "closed", "xinghua_bay"), o(3, "remediating", "xinghua_bay"),
            o(4, "surveyed", "haitan_strait"),                  # into the sea, not one of the key waters
            o(5, "closed", "longjiang_main", "river"),          # a key water, not into the sea
            o(6, "traced", "other_river", "river"),             # neither
            o(7, "dismissed", "fuqing_bay", dismissal_reason="duplicate")]  # closed apart: in no population


def _water():
    return [site("black_odorous", 1, "initial_effect", water_kind="urban"),
            site("black_odorous", 2, "long_term_clean", water_kind="urban"),
            site("black_odorous", 3, "remediating", water_kind="urban"),
            site("black_odorous", 4, "untreated", water_kind="rural", larger_area=True),
            site("black_odorous", 5, "initial_effect", water_kind="rural", national_list=True),
            site("black_odorous", 6, "initial_effect", water_kind="rural"),  # neither flag: outside the target
            site("black_odorous", 7, "long_term_clean", water_kind="rural", larger_area=True)]


def _zones():
    return [zone(1, "enforced", box(119.30, 25.70, 119.33, 25.72)),       # all the built-up area, half the suburbs
            zone(2, "announced", box(119.33, 25.70, 119.34, 25.72)),      # announced: does not count yet
            zone(3, "withdrawn", box(119.29, 25.69, 119.35, 25.73)),      # withdrawn: covers nothing
            zone(4, "enforced", box(119.31, 25.70, 119.32, 25.72)),       # overlaps zone 1: counts once
            zone(5, "enforced", box(119.50, 25.50, 119.52, 25.52))]       # beyond the scope: not in the figure


def _berths():
    return [berth(1, "container", 50_000, "available"),
            berth(2, "container", 50_000, "available", dangerous=True),             # in neither
            berth(3, "dry_bulk", 35_000, "available", specialised=True),            # a coal berth: province only
            berth(4, "dry_bulk", 200_000, "fault"),                                 # in both, broken: not capable
            berth(5, "general_cargo", 50_000, "available"),                         # not specialised: in neither
            berth(6, "ro_ro", 10_000, "out_of_use"),                                # in both, out of use
            berth(7, "liquid_bulk", 80_000, "available", specialised=True)]         # specialised, type not listed


INSIDE_HEAT = (119.30, 25.48)
OUTSIDE_HEAT = (119.40, 25.60)


def _boilers_heat():
    return [boiler(1, 10, "phased_out", at=INSIDE_HEAT), boiler(2, 75, "ule_retrofitted", at=INSIDE_HEAT),
            boiler(3, 4, "in_use", at=INSIDE_HEAT), boiler(4, 20, "phased_out", at=OUTSIDE_HEAT)]


def _boilers_large():
    return [boiler(1, 35, "ule_retrofitted"), boiler(2, 34.9, "in_use"), boiler(3, 75, "phased_out"),
            boiler(4, 40, "in_progress"), boiler(5, None, "in_use")]


CASES: dict[str, Case] = {
    "zero_discharge_share": Case(_parks_levels, 2, 4, "全市园区", "到 2025 年，我市园区全面建设“污水零直排区”"),
    "province_zero_discharge_share": Case(_parks_levels, 1, 3, "省级以上园区", "省级以上工业园区全面建设“污水零直排区”",
                                          plan="province"),
    "circular_retrofit_share": Case(_parks_retrofit, 2, 4, "具备条件的园区", "具备条件的园区全部实施循环化改造"),
    "province_circular_retrofit_share": Case(_parks_retrofit, 1, 3, "具备条件的省级以上园区",
                                             "具备条件的省级以上园区全部实施循环化改造", plan="province"),
    "remediated_share": Case(_outfalls, 3, 4, "龙江干流、支流、湖库，福清湾、兴化湾的排污口",
                             "完成龙江重点流域干流、主要支流及重点湖泊，福清湾、兴化湾等重点海湾的排污口整治"),
    "sea_remediated_share": Case(_outfalls, 2, 4, "全市入海排污口", "基本完成入海排污口整治"),
    "urban_eliminated_share": Case(_water, 2, 3, "城市建成区水体", "基本消除建成区黑臭水体"),
    "rural_eliminated_share": Case(_water, 2, 3, "较大面积或列入国家监管清单", "农村黑臭水体"),
    "enforced_area_coverage": Case(_zones, geodesic_km2(box(119.30, 25.70, 119.33, 25.72)),
                                   geodesic_km2(box(119.30, 25.70, 119.34, 25.72)), "城市建成区与城市近郊",
                                   "将我市的城市建成区及城市近郊划定为高污染燃料禁燃区", reference=REFERENCE, approx=True),
    "capable_share": Case(_berths, 1, 3, "5万吨级以上干散货专业化泊位",
                          "70%以上集装箱、客滚、邮轮、3 千吨级以上客运和 5 万吨级以上干散货专业化泊位（危险货物泊位除外）"),
    "province_capable_share": Case(_berths, 3, 5, "全部专业化泊位", "75%以上专业化泊位（危险货物泊位除外）",
                                   plan="province"),
    "heat_network_phase_out_share": Case(_boilers_heat, 1, 3, "供热管网覆盖范围", "推动淘汰供热管网覆盖范围内的燃煤锅炉和散煤",
                                         reference=REFERENCE),
    "ule_retrofit_share": Case(_boilers_large, 2, 3, "35蒸吨/小时及以上", "基本完成 35 蒸吨/小时以上燃煤锅炉超低排放改造"),
}


def _targets():
    return [(kind, t.code) for kind, spec in REGISTRY.items() for t in spec.targets]


def test_every_target_has_a_case():
    assert sorted(code for _, code in _targets()) == sorted(CASES)


@pytest.mark.parametrize("kind, code", _targets(), ids=[c for _, c in _targets()])
def test_each_target_names_and_computes_population_numerator_denominator_deadline_clause(kind, code):
    case = CASES[code]
    fig = tg(progress(case.sites(), TODAY, reference=case.reference), kind, code)
    if case.approx:
        assert fig["numerator"] == pytest.approx(case.numerator, rel=1e-6, abs=2e-3)
        assert fig["denominator"] == pytest.approx(case.denominator, rel=1e-6, abs=2e-3)
        assert fig["share"] == pytest.approx(case.numerator / case.denominator, abs=1e-4)
        assert fig["unit_zh"] == "km²" and fig["measure"] == "area"
    else:
        assert (fig["numerator"], fig["denominator"]) == (case.numerator, case.denominator)
        assert fig["share"] == share(case.numerator, case.denominator)
        assert fig["measure"] == "sites"
    spec_target = next(t for t in REGISTRY[kind].targets if t.code == code)
    assert fig["deadline"] == spec_target.deadline.isoformat() == "2025-12-31"
    assert case.clause in fig["clause"] and case.population in fig["population_zh"]
    assert fig["plan"] == case.plan and fig["missing_reference"] == []
    if spec_target.threshold is None:  # the documents give no figure: no pass mark, and the line says so
        assert fig["met"] is None and "目标无数值" in fig["line_zh"]
    else:
        assert fig["met"] is (fig["share"] >= spec_target.threshold)
    # One line says it all: plan, population, numerator (words and figure), denominator, deadline, clause.
    line = fig["line_zh"]
    goal = [] if fig["threshold"] is None else [f"{fig['threshold'] * 100:.0f}%"]
    for part in (fig["plan_zh"], fig["population_zh"], fig["numerator_zh"], fig["deadline"], fig["clause"], *goal):
        assert part in line, (code, part)
    numbers = [f"{fig['numerator']:,.2f}", f"{fig['denominator']:,.2f}"] if case.approx else \
        [f"分子（{fig['numerator_zh']}）{fig['numerator']} 个", f"分母 {fig['denominator']} 个"]
    assert all(n in line for n in numbers), (line, numbers)
    english = fig["line_en"]
    assert fig["population_en"] in english and fig["deadline"] in english and fig["clause"] in english


@pytest.mark.parametrize("code", ["enforced_area_coverage", "heat_network_phase_out_share"])
def test_a_target_needing_a_reference_area_says_which_is_missing(code):
    case = CASES[code]
    kind = next(k for k, c in _targets() if c == code)
    fig = tg(progress(case.sites(), TODAY), kind, code)
    assert (fig["numerator"], fig["denominator"], fig["share"], fig["met"]) == (None, None, None, None)
    assert fig["missing_reference"] and "尚未导入" in fig["line_zh"] and "not computable" in fig["line_en"]
    partial = ReferenceAreas(areas={"built_up_area": BUILT_UP})
    if code == "enforced_area_coverage":
        fig = tg(progress(case.sites(), TODAY, reference=partial), kind, code)
        assert fig["missing_reference"] == ["near_suburbs"] and "城市近郊" in fig["line_zh"]


def test_share_is_none_for_an_empty_population():
    assert share(0, 0) is None
    assert share(2, 3) == 0.6667
    figures = progress([], TODAY, reference=REFERENCE)
    for kind in figures["kinds"].values():
        for t in kind["targets"]:
            if t["measure"] == "area":  # the reference area is there; nothing covers it
                assert (t["numerator"], t["share"], t["met"]) == (0.0, 0.0, False)
            else:
                assert (t["numerator"], t["denominator"], t["share"], t["met"]) == (0, 0, None, None)


def test_drawing_slivers_do_not_stop_an_area_target_but_a_real_gap_does():
    # A zone drawn along the boundary with its own vertices leaves slivers (here one 4 km long, 2 cm wide).
    sliver = [zone(1, "enforced", box(119.30, 25.70, 119.34, 25.7199998))]
    fig = tg(progress(sliver, TODAY, reference=REFERENCE), "clean_fuel_zones")
    assert fig["met"] is True and fig["numerator"] <= fig["denominator"]
    gap = [zone(1, "enforced", box(119.30, 25.70, 119.34, 25.7199)),
           zone(2, "enforced", box(119.30, 25.7199, 119.3399, 25.72))]
    fig = tg(progress(gap, TODAY, reference=REFERENCE), "clean_fuel_zones")  # a 10 m x 11 m corner left out
    assert fig["met"] is False and fig["share"] == 1.0  # the share rounds to 100.0 %; the target is not met


# -- breakdowns --------------------------------------------------------------------------------------------
def test_parks_breakdown_levels_chemical_parks_and_both_retrofit_stages():
    sites = _parks_retrofit()
    sites[1] = site("parks", 2, "completed", level="municipal", circular_retrofit="in_progress", chemical_park=True,
                    online_monitoring=True)
    b = progress(sites, TODAY)["kinds"]["parks"]["breakdown"]
    c = b["circular_retrofit"]
    assert (c["in_progress"], c["completed"], c["carried_out"], c["eligible"]) == (1, 1, 2, 4)
    assert c["by_value"] == {"completed": 1, "in_progress": 1, "not_applicable": 1, "not_started": 1, "unset": 1}
    assert b["provincial_or_above"] == 4 and b["online_monitoring"] == 1
    assert [p["site_id"] for p in b["chemical_parks"]] == ["YQ-002"]
    assert b["by_level"]["municipal"] == {"n": 1, "zero_discharge_done": 1, "retrofit_in_progress": 1,
                                          "retrofit_completed": 0}


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
    # attrs, Fuqing's exclusion (None = counts), the province's exclusion
    (dict(berth_type="container", tonnage_t=10_000), None, None),
    (dict(berth_type="container", tonnage_t=50_000, dangerous_goods=True), "dangerous_goods", "dangerous_goods"),
    (dict(berth_type="ro_ro", tonnage_t=None), None, None),
    (dict(berth_type="cruise", tonnage_t=1_000), None, None),
    (dict(berth_type="passenger", tonnage_t=3_000), None, None),
    (dict(berth_type="passenger", tonnage_t=2_999), "passenger_under_3000t", None),
    (dict(berth_type="passenger", tonnage_t=None), "tonnage_unknown", None),
    (dict(berth_type="dry_bulk", tonnage_t=50_000), None, None),
    (dict(berth_type="dry_bulk", tonnage_t=49_999), "dry_bulk_under_50000t", None),
    (dict(berth_type="dry_bulk", tonnage_t=35_000, specialised=True), "dry_bulk_under_50000t", None),
    (dict(berth_type="dry_bulk", tonnage_t=100_000, specialised=False), "not_specialised", "not_specialised"),
    (dict(berth_type="dry_bulk", tonnage_t=""), "tonnage_unknown", None),
    (dict(berth_type="liquid_bulk", tonnage_t=50_000), "type_not_listed", None),
    (dict(berth_type="liquid_bulk", tonnage_t=50_000, dangerous_goods=True), "dangerous_goods", "dangerous_goods"),
    (dict(berth_type="general_cargo", tonnage_t=100_000), "not_specialised", "not_specialised"),
    (dict(berth_type="general_cargo", tonnage_t=100_000, specialised=True), "type_not_listed", None),
    (dict(berth_type="other", tonnage_t=3_000), "not_specialised", "not_specialised"),
    (dict(berth_type=None, tonnage_t=3_000), "not_specialised", "not_specialised"),
]


@pytest.mark.parametrize("attrs, fuqing, province", BERTH_CASES)
def test_berth_exclusion_rules_and_tonnage_edges(attrs, fuqing, province):
    assert berth_exclusion(attrs) == fuqing and province_exclusion(attrs) == province
    assert (fuqing is None) == is_eligible_berth(attrs)
    assert all(r is None or r in BERTH_EXCLUSIONS for r in (fuqing, province))


def test_shore_power_breakdown_lists_each_population_and_the_berths_not_working():
    b = progress(_berths(), TODAY)["kinds"]["shore_power_berths"]["breakdown"]
    assert [r["site_id"] for r in b["counted"]] == ["AD-001", "AD-004", "AD-006"]
    assert {r["site_id"]: r["reason"] for r in b["excluded"]} == {
        "AD-002": "dangerous_goods", "AD-003": "dry_bulk_under_50000t", "AD-005": "not_specialised",
        "AD-007": "type_not_listed"}
    assert [r["site_id"] for r in b["province"]["counted"]] == ["AD-001", "AD-003", "AD-004", "AD-006", "AD-007"]
    assert b["province"]["excluded_by_reason"] == {"dangerous_goods": 1, "not_specialised": 1}
    assert [(r["site_id"], r["status"]) for r in b["not_working"]] == [("AD-004", "fault"), ("AD-006", "out_of_use")]
    assert b["by_port_area"]["江阴港区"] == {"berths": 7, "eligible": 3, "capable": 1, "province_eligible": 5,
                                            "province_capable": 3}


def test_seven_of_ten_meets_fuqing_but_not_the_province():
    sites = [berth(i, "container", 50_000, "available" if i <= 7 else "building") for i in range(1, 11)]
    f = progress(sites, TODAY)["kinds"]["shore_power_berths"]["targets"]
    assert (f[0]["share"], f[0]["met"]) == (0.7, True)
    assert (f[1]["share"], f[1]["met"]) == (0.7, False)


def test_clean_fuel_breakdown_by_stage_area_uncovered_parts_and_zones_beyond_the_scope():
    boilers = [boiler(1, 4, "in_use", at=(119.305, 25.71)), boiler(2, 4, "phased_out", at=(119.305, 25.71)),
               boiler(3, 6, "in_use", at=(119.335, 25.71))]
    z = progress(_zones() + boilers, TODAY, reference=REFERENCE)["kinds"]["clean_fuel_zones"]["breakdown"]
    total = geodesic_km2(box(119.30, 25.70, 119.34, 25.72))
    assert z["at_least"] == {"designated": 4, "announced": 4, "enforced": 3} and z["withdrawn"] == 1
    st = z["coverage_by_stage"]
    assert st["enforced"]["share"] == pytest.approx(0.75, abs=1e-4)
    assert st["announced"]["share"] == pytest.approx(1.0, abs=1e-4)  # zone 2 fills the rest, announced
    assert st["enforced"]["total_km2"] == pytest.approx(total, abs=2e-3)
    by_area = z["coverage_by_area"]
    assert by_area["built_up_area"]["share"] == pytest.approx(1.0, abs=1e-4)
    assert by_area["near_suburbs"]["share"] == pytest.approx(0.5, abs=1e-4)
    assert z["uncovered_km2"] == pytest.approx(total / 4, abs=2e-3)
    [part] = z["uncovered_parts"]
    assert 119.33 < part["lon"] < 119.34 and 25.70 < part["lat"] < 25.72
    rows = {r["site_id"]: r for r in z["zones"]}
    assert rows["JRQ-005"]["outside_scope_km2"] == pytest.approx(rows["JRQ-005"]["area_km2"], abs=1e-3)
    assert rows["JRQ-003"]["in_scope_km2"] is None  # withdrawn: covers nothing
    assert (rows["JRQ-001"]["coal_boilers_open"], rows["JRQ-002"]["coal_boilers_open"]) == (1, 1)
    assert z["outside_scope_km2"] == pytest.approx(rows["JRQ-005"]["area_km2"], abs=1e-3)


def test_boiler_register_finds_zone_and_heat_network_by_location():
    zones = [zone(1, "enforced", box(119.295, 25.475, 119.305, 25.485)),
             zone(2, "withdrawn", box(119.29, 25.47, 119.31, 25.49))]
    sites = _boilers_heat() + zones
    b = progress(sites, TODAY, reference=REFERENCE)["kinds"]["coal_boilers"]["breakdown"]
    reg = {r["site_id"]: r for r in b["register"]}
    assert [z["site_id"] for z in reg["GL-001"]["zones"]] == ["JRQ-001"]  # the withdrawn one is not a zone any more
    assert reg["GL-004"]["zones"] == [] and reg["GL-004"]["in_heat_network"] is False
    assert all(reg[f"GL-00{i}"]["in_heat_network"] for i in (1, 2, 3))
    assert b["in_heat_network"] == {"in_use": 1, "in_progress": 0, "phased_out": 1, "ule_retrofitted": 1}
    assert b["open_in_enforced_zone"] == ["GL-003"]
    assert b["large"] == {"n": 1, "in_use": 0, "in_progress": 0, "phased_out": 0, "ule_retrofitted": 1}
    unknown = progress(sites, TODAY)["kinds"]["coal_boilers"]["breakdown"]
    assert unknown["in_heat_network"] is None and unknown["register"][0]["in_heat_network"] is None


# -- overdue, towns, as JSON -------------------------------------------------------------------------------
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
        "numerator": 1, "denominator": 1, "share": 1.0, "met": True, "missing_reference": []}
    assert set(jy["kinds"]) == {"outfalls", "shore_power_berths"}


def test_an_area_target_for_one_town_is_measured_inside_its_official_boundary():
    # The town's boundary takes the west half of the built-up area; a zone recorded in another town covers it.
    yuping_line = box(119.30, 25.69, 119.31, 25.73)
    sites = [zone(1, "enforced", box(119.30, 25.70, 119.305, 25.72), town=HAIKOU),
             zone(2, "proposed", box(119.30, 25.70, 119.31, 25.72), town=YUPING)]
    ref = ReferenceAreas(areas=REFERENCE.areas, towns={YUPING: yuping_line})
    fig = tg(progress(sites, TODAY, town=YUPING, reference=ref), "clean_fuel_zones")
    assert fig["denominator"] == pytest.approx(geodesic_km2(box(119.30, 25.70, 119.31, 25.72)), abs=2e-3)
    assert fig["share"] == pytest.approx(0.5, abs=1e-4)
    no_line = tg(progress(sites, TODAY, town=HAIKOU, reference=ref), "clean_fuel_zones")
    assert no_line["missing_reference"] == [TOWN_BOUNDARY] and "镇街的官方边界" in no_line["line_zh"]
    row = next(r for r in progress(sites, TODAY, reference=ref)["towns"] if r["code"] == YUPING)
    assert row["kinds"]["clean_fuel_zones"]["targets"]["enforced_area_coverage"]["share"] == pytest.approx(0.5, abs=1e-4)


def test_town_filter_and_sample_notice_and_json():
    sites = [
        site("outfalls", 1, "remediated", town=JIANGYIN, discharge_into="sea", receiving_water="xinghua_bay", outfall_type="port"),
        site("outfalls", 2, "surveyed", town=HAIKOU, discharge_into="sea", receiving_water="fuqing_bay", outfall_type="port"),
    ]
    figures = progress(sites, TODAY, town=JIANGYIN, sample=True, reference=REFERENCE)
    assert figures["town"] == {"code": JIANGYIN, "name_zh": "江阴镇", "name_en": "Jiangyin Town"}
    assert figures["totals"]["sites"] == 1 and tg(figures, "outfalls")["share"] == 1.0
    assert "示例数据" in figures["sample_notice"]
    assert figures["as_of"] == "2025-06-30"
    assert progress(sites, TODAY)["sample_notice"] is None
    assert figures["reference"]["built_up_area"]["imported"] is True
    assert figures["reference"]["built_up_area"]["area_km2"] == pytest.approx(geodesic_km2(BUILT_UP), abs=1e-3)
    json.dumps(figures, ensure_ascii=False)  # JSON-ready as the CLI prints it


def test_describe_reads_a_figure_in_both_languages():
    fig = tg(progress(_berths(), TODAY), "shore_power_berths", "province_capable_share")
    assert describe(fig, "zh") == fig["line_zh"] and describe(fig, "en") == fig["line_en"]
    assert fig["line_zh"].startswith("【福建省方案】") and fig["line_en"].startswith("[Fujian plan]")
    assert "分母 5 个" in fig["line_zh"] and "denominator 5 sites" in fig["line_en"]
