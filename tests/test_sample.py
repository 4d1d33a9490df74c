"""The sample data is plausible on real ground, spread over every workflow step, and marked as sample."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from shapely.geometry import Point

from geo import basegeo, towns
from geo.crs import haversine_m
from geo.domain.status import is_overdue
from geo.sample import CITY_CENTRE, JIANGYIN_PORT, populate_sample
from geo.store import create_store
from geo.store.integrity import store_problems
from layers import REGISTRY
from tests.factories import GUEST as REVIEWER  # reading needs no account
from tests.factories import SYSTEM

TODAY = date(2026, 11, 21)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    return create_store(tmp_path_factory.mktemp("sample") / "s.gpkg", populate_sample)


@pytest.fixture(scope="module")
def sites(sample_store):
    return sample_store.list_sites(REVIEWER)


def of(sites, kind):
    return [s for s in sites if s.kind == kind]


def test_minimum_counts(sites):
    n = Counter(s.kind for s in sites)
    assert n["parks"] >= 6 and n["outfalls"] >= 40 and n["black_odorous"] >= 12
    assert n["clean_fuel_zones"] >= 2 and n["shore_power_berths"] >= 15


def test_everything_is_marked_sample(sample_store, sites):
    assert all(s.is_sample for s in sites)
    assert sample_store.meta()["data_origin"] == "sample"


def test_sea_outfalls_on_the_shore_of_their_water(sites):
    outfalls = [s for s in of(sites, "outfalls") if s.attrs["discharge_into"] == "sea"]
    waters = Counter(s.attrs["receiving_water"] for s in outfalls)
    assert waters["fuqing_bay"] >= 15 and waters["xinghua_bay"] >= 15 and waters["haitan_strait"] >= 5
    for s in outfalls:
        p = s.geometry
        assert basegeo.distance_to_shore_m(p.x, p.y) <= 300, s.site_id
        bay = basegeo.bay_of(p.x, p.y, max_distance_m=300)
        # The Haitan Strait coast is Fuqing's east shore facing Pingtan, outside both bays.
        assert bay == (None if s.attrs["receiving_water"] == "haitan_strait" else s.attrs["receiving_water"]), s.site_id
        assert basegeo.in_county(p.x, p.y), s.site_id
        if s.attrs["receiving_water"] == "haitan_strait":
            assert p.x > 119.58 and 25.42 < p.y < 25.60, s.site_id


def test_river_outfalls_inland_along_the_longjiang(sites):
    outfalls = [s for s in of(sites, "outfalls") if s.attrs["discharge_into"] == "river"]
    waters = Counter(s.attrs["receiving_water"] for s in outfalls)
    assert waters["longjiang_main"] >= 8 and waters["longjiang_tributary"] >= 3 and waters["lake"] >= 1
    towns_on_river = {s.town_code for s in outfalls if s.attrs["receiving_water"] == "longjiang_main"}
    # Through the city: 龙江/音西/玉屏 … down to 海口.
    assert towns_on_river >= {"350181103"} and len(towns_on_river) >= 4
    for s in outfalls:
        p = s.geometry
        assert basegeo.is_on_land(p.x, p.y) and basegeo.in_county(p.x, p.y), s.site_id
        assert basegeo.distance_to_shore_m(p.x, p.y) > 1000, s.site_id  # inland, not on the sea shore


def test_outfalls_take_every_branch_of_the_workflow(sample_store, sites):
    outfalls = of(sites, "outfalls")
    history = sample_store.all_history(REVIEWER)
    steps = {s.site_id: [e.to_status for e in history if e.site_id == s.site_id and e.action == "status"]
             for s in outfalls}
    # An illegal outfall removed straight from 排查 (依法取缔), without monitoring or tracing.
    assert any(p[:1] == ["remediating"] for p in steps.values())
    assert all(s.attrs["remediation_method"] == "ban" for s in outfalls if steps[s.site_id][:1] == ["remediating"])
    # Points closed at survey, one of each reason, with a photo; counted apart.
    dismissed = [s for s in outfalls if s.status == "dismissed"]
    assert {s.attrs["dismissal_reason"] for s in dismissed} == {"not_outfall", "duplicate", "gone"}
    closing = [e for e in history if e.to_status in ("dismissed", "closed") and e.action == "status"]
    assert closing and all(e.photos for e in closing)
    # Every 销号 has its record; none where black odour is recorded.
    for s in outfalls:
        if s.status == "closed":
            assert s.attrs["closure_date"] and s.attrs["closure_body"] and s.attrs["closure_doc_no"], s.site_id
            assert not s.attrs["black_odour_seen"], s.site_id
    # A completed 规范整治 has its sign and sampling point, each with a stored photo.
    from geo.photos import photo_path, photos_root

    done = [s for s in outfalls if s.status in ("remediated", "closed") and s.attrs["remediation_method"] == "standardise"]
    assert done
    for s in done:
        for item in ("sign_board", "sampling_point"):
            assert s.attrs[item] and photo_path(photos_root(sample_store.path), s.attrs[item + "_photo"]).exists()
    # Every first-level class of HJ 1312-2023 appears.
    assert {s.attrs["outfall_type"] for s in outfalls} == {"industrial", "municipal_wwtp", "agricultural", "other"}


def test_sample_outfalls_break_no_rule(sites):
    from geo.domain.rules import state_problems

    spec = REGISTRY["outfalls"]
    assert [(s.site_id, p.code) for s in of(sites, "outfalls") for p in state_problems(spec, s.status, s.attrs)] == []


def test_berths_at_the_jiangyin_port_area(sites):
    berths = of(sites, "shore_power_berths")
    for s in berths:
        p = s.geometry
        assert haversine_m(p.x, p.y, *JIANGYIN_PORT) < 5000, s.site_id
        assert basegeo.distance_to_shore_m(p.x, p.y) <= 300, s.site_id
        assert s.attrs["port_area"] == "江阴港区"
    assert any(s.attrs["dangerous_goods"] for s in berths)
    eligible = [s for s in berths if REGISTRY["shore_power_berths"].targets[0].in_population(s.attrs)]
    assert 0 < len(eligible) < len(berths)


@pytest.mark.parametrize("kind", ["parks", "black_odorous", "clean_fuel_zones"])
def test_land_sites_are_on_land_in_the_county(sites, kind):
    land = basegeo.land()
    county = basegeo.county_boundary()
    for s in of(sites, kind):
        g = s.geometry
        assert g.is_valid and not g.is_empty, s.site_id
        off = g.difference(land)
        if g.geom_type.endswith("Polygon"):
            assert off.area <= 0.01 * g.area, s.site_id
        else:
            assert off.length <= 0.01 * g.length, s.site_id
        assert county.buffer(1e-6).contains(g), s.site_id


def test_black_odorous_has_urban_and_rural_lines_and_polygons(sites):
    bodies = of(sites, "black_odorous")
    assert {s.attrs["water_kind"] for s in bodies} == {"urban", "rural"}
    assert {s.geometry.geom_type for s in bodies} >= {"LineString", "Polygon"}


def test_zones_cover_the_built_up_core(sites):
    zones = of(sites, "clean_fuel_zones")
    assert any(z.geometry.contains(Point(*CITY_CENTRE)) for z in zones)
    assert {z.attrs["zone_scope"] for z in zones} >= {"built_up", "near_suburb"}


def test_every_town_is_official(sites):
    official = {t.code for t in towns.all_towns()}
    assert all(s.town_code in official for s in sites)


@pytest.mark.parametrize("kind", list(REGISTRY))
def test_statuses_spread_over_every_workflow_step(sites, kind):
    present = {s.status for s in of(sites, kind)}
    assert present == set(REGISTRY[kind].status_codes)


def test_histories_span_2023_to_2025_and_are_consistent(sample_store, sites):
    history = sample_store.all_history(REVIEWER)
    years = Counter(e.changed_at[:4] for e in history)
    assert set(years) == {"2023", "2024", "2025"}
    assert store_problems(sample_store, REVIEWER, sites) == []
    assert all(sum(1 for e in history if e.site_id == s.site_id) >= 1 for s in sites)
    changes = [e for e in history if e.action == "status"]
    assert any(e.evidence.remote for e in changes) and any(e.evidence.remote is False for e in changes)


def test_some_sites_overdue_some_not(sites):
    flags = [is_overdue(s.kind, s.status, s.deadline, TODAY) for s in sites]
    assert any(flags) and not all(flags)
    open_not_overdue = [s for s, f in zip(sites, flags) if not f and not REGISTRY[s.kind].status(s.status).done]
    assert open_not_overdue, "every open site is overdue: vary the deadlines"


def test_sample_is_deterministic(tmp_path, sites):
    again = create_store(tmp_path / "again.gpkg", populate_sample).list_sites(REVIEWER)
    assert [(s.site_id, s.status, s.geometry.wkb) for s in again] == [(s.site_id, s.status, s.geometry.wkb) for s in sites]


# -- black-odorous readings: the sample's statuses follow its own readings ----------------------------------------

def test_every_black_odorous_body_has_dated_readings_marked_sample(sample_store, sites):
    from geo.store.base import Actor

    rows = sample_store.list_observations(Actor("x", role="system"), "black_odorous_readings")
    bodies = {s.site_id for s in of(sites, "black_odorous")}
    assert {r.site_id for r in rows} == bodies
    assert all(r.is_sample and r.values["remarks"] == "示例数据" and r.values["lab"] for r in rows)


def test_sample_statuses_are_consistent_with_the_readings(sample_store, sites):
    from geo.domain.black_odorous_rules import campaign_grades
    from geo.store.base import Actor

    system = Actor("x", role="system")
    done = set(REGISTRY["black_odorous"].done_codes)
    for s in of(sites, "black_odorous"):
        grades = campaign_grades(s, sample_store.list_observations(system, "black_odorous_readings", [s.site_id]))
        assert grades, s.site_id
        last = grades[-1]
        if s.status in done:
            assert last.clean, (s.site_id, s.status, last.grade)
        elif s.status in ("untreated", "remediating", "relapsed"):
            assert last.black, (s.site_id, s.status, last.grade)
        assert last.rule_set == ("rural" if s.attrs["water_kind"] == "rural" else "urban")


def test_the_sample_holds_relapses_recorded_by_the_readings(sample_store, sites):
    from geo.store.base import Actor

    history = sample_store.all_history(Actor("x", role="system"))
    relapses = [e for e in history if e.to_status == "relapsed"]
    assert len(relapses) >= 2 and all(e.source == "evidence" for e in relapses)
    back = {e.site_id for e in history if e.from_status == "relapsed"}
    assert back  # one body went back to remediation after its relapse
    assert any(s.status == "relapsed" for s in of(sites, "black_odorous"))
    assert not any(e.override for e in history)  # the sample needs no override: its evidence is there


def test_rural_sample_bodies_carry_the_target_flags(sites):
    rural = [s for s in of(sites, "black_odorous") if s.attrs["water_kind"] == "rural"]
    flagged = [s for s in rural if REGISTRY["black_odorous"].targets[1].in_population(s.attrs)]
    assert 0 < len(flagged) < len(rural)


# -- the measures as the plans word them -------------------------------------------------------------------------
def test_sample_reference_areas_are_imported_as_batches_and_marked_sample(sample_store):
    ref = sample_store.reference_areas(REVIEWER)
    assert set(ref.areas) == {"built_up_area", "near_suburbs", "heat_network"} and ref.sample == set(ref.areas)
    assert all("示例" in ref.sources[k] for k in ref.areas)
    batches = {b.kind for b in sample_store.list_batches(SYSTEM)}
    assert {"built_up_area", "near_suburbs", "heat_network"} <= batches
    land = basegeo.land()
    built, suburbs = ref.areas["built_up_area"], ref.areas["near_suburbs"]
    assert built.contains(Point(*CITY_CENTRE)) and built.intersection(suburbs).area < 1e-8
    for g in ref.areas.values():
        assert g.is_valid and g.difference(land).area <= 0.01 * g.area
    # the seats of the central streets lie in the built-up area (宏路 too)
    for code in ("350181002", "350181003", "350181004", "350181005", "350181007", "350181008"):
        t = towns.town_by_code(code)
        assert built.contains(Point(t.lon, t.lat)), t.name_zh


def test_sample_parks_carry_official_names_levels_and_the_chemical_park(sites):
    parks = {s.name: s for s in of(sites, "parks")}
    assert "福州保税港区" in parks and "福州保税物流园区" not in parks
    assert parks["福州江阴港城经济区"].attrs["chemical_park"] is True
    assert sum(bool(s.attrs.get("chemical_park")) for s in parks.values()) == 1
    assert {s.attrs["level"] for s in parks.values()} == {"national", "provincial", "municipal"}


def test_sample_boilers_stand_where_the_figures_need_them(sample_store, sites):
    from geo.domain.targets import progress

    boilers = of(sites, "coal_boilers")
    assert len(boilers) >= 10 and all(basegeo.is_on_land(b.geometry.x, b.geometry.y) for b in boilers)
    assert all("虚构" in b.attrs["owner"] for b in boilers)  # invented owners, said so
    figures = progress(sites, TODAY, reference=sample_store.reference_areas(REVIEWER))
    b = figures["kinds"]["coal_boilers"]["breakdown"]
    assert sum(b["in_heat_network"].values()) >= 3 and b["large"]["n"] >= 3
    assert b["open_in_enforced_zone"]  # one still burns coal inside the central zone
    zones = figures["kinds"]["clean_fuel_zones"]
    assert zones["targets"][0]["missing_reference"] == [] and 0 < zones["targets"][0]["share"] < 1
    assert zones["breakdown"]["uncovered_parts"] and zones["breakdown"]["withdrawn"] == 1


def test_sample_coal_berth_counts_for_the_province_only(sites):
    berths = {s.attrs["berth_no"]: s for s in of(sites, "shore_power_berths")}
    fuqing, province = REGISTRY["shore_power_berths"].targets
    coal = berths["煤码头2#"].attrs
    assert coal["tonnage_t"] == 35000 and province.in_population(coal) and not fuqing.in_population(coal)
