"""The benchmark's synthetic sites are deterministic, plausible on Fuqing ground and valid for the store."""

from __future__ import annotations

from collections import Counter

import pytest
import shapely

from bench.synthetic import (
    BENCH_ACTOR,
    KIND_SHARES,
    PORT_AREAS,
    build_store,
    kind_counts,
    polygon_vertex_count,
    synthetic_sites,
)
from geo import basegeo, towns
from geo.crs import haversine_m
from geo.domain.attributes import check_attrs, check_geometry
from layers import REGISTRY

N = 600


@pytest.fixture(scope="module")
def sites():
    return synthetic_sites(N, seed=7)


def of(sites, kind):
    return [s for s in sites if s.kind == kind]


def _fingerprint(sites):
    return [(s.kind, s.site_id, s.name, s.town_code, s.status, s.deadline, s.geometry.wkb, dict(s.attrs))
            for s in sites]


def test_same_seed_same_sites_other_seed_other_sites(sites):
    assert _fingerprint(synthetic_sites(N, seed=7)) == _fingerprint(sites)
    assert _fingerprint(synthetic_sites(N, seed=8)) != _fingerprint(sites)


def test_count_mix_and_unique_ids(sites):
    assert len(sites) == N
    assert Counter(s.kind for s in sites) == kind_counts(N)
    assert set(kind_counts(N)) == set(KIND_SHARES) == set(REGISTRY)
    assert len({s.site_id for s in sites}) == N
    assert synthetic_sites(0) == []
    assert Counter(s.kind for s in synthetic_sites(len(REGISTRY))) == {k: 1 for k in REGISTRY}


def test_every_site_is_sample_and_valid_for_its_layer(sites):
    for s in sites:
        spec = REGISTRY[s.kind]
        assert s.is_sample, s.site_id
        assert s.status in spec.status_codes, s.site_id
        check_attrs(spec, s.attrs)  # raises on an unknown field, a bad value or a missing required one
        check_geometry(spec, s.geometry)  # raises on empty, invalid or wrong-type geometry
        assert s.site_id.startswith(spec.code_prefix + "-"), s.site_id


def test_statuses_spread_over_every_workflow_step():
    many = synthetic_sites(3000, seed=1)
    for kind, spec in REGISTRY.items():
        assert {s.status for s in of(many, kind)} == set(spec.status_codes), kind


def test_towns_are_official_and_the_nearest_seat(sites):
    official = {t.code for t in towns.all_towns()}
    assert all(s.town_code in official for s in sites)
    for s in of(sites, "outfalls") + of(sites, "shore_power_berths"):
        p = s.geometry
        assert s.town_code == towns.nearest_town_seat(p.x, p.y, kinds=("street", "town")).code, s.site_id


def test_outfalls_on_the_shore_of_their_bay_inside_the_county(sites):
    outfalls = of(sites, "outfalls")
    assert {s.attrs["receiving_water"] for s in outfalls} == set(basegeo.BAY_CODES)
    for s in outfalls:
        p = s.geometry
        assert basegeo.in_county(p.x, p.y), s.site_id
        assert basegeo.distance_to_shore_m(p.x, p.y) <= 60, s.site_id
        assert basegeo.bay_of(p.x, p.y, max_distance_m=1500) == s.attrs["receiving_water"], s.site_id


def test_berths_on_the_shore_of_a_port_area(sites):
    anchors = {name: (lon, lat) for name, lon, lat, _ in PORT_AREAS}
    for s in of(sites, "shore_power_berths"):
        p = s.geometry
        assert basegeo.in_county(p.x, p.y), s.site_id
        assert basegeo.distance_to_shore_m(p.x, p.y) <= 60, s.site_id
        assert haversine_m(p.x, p.y, *anchors[s.attrs["port_area"]]) < 5000, s.site_id


@pytest.fixture(scope="module")
def land_in_county():
    geom = basegeo.land().intersection(basegeo.county_boundary())
    shapely.prepare(geom)
    return geom


@pytest.mark.parametrize("kind", ["parks", "black_odorous", "clean_fuel_zones"])
def test_land_sites_lie_on_land_inside_the_county(sites, kind, land_in_county):
    geoms = [s.geometry for s in of(sites, kind)]
    assert geoms
    assert all(shapely.is_valid(geoms))
    assert all(shapely.contains(land_in_county, geoms))


def test_vertex_counts_are_realistic(sites):
    for s in of(sites, "parks"):
        assert 50 <= polygon_vertex_count(s.geometry) <= 400, s.site_id
    for s in of(sites, "clean_fuel_zones"):
        assert 100 <= polygon_vertex_count(s.geometry) <= 400, s.site_id
    bodies = of(sites, "black_odorous")
    lines = [s for s in bodies if s.geometry.geom_type == "LineString"]
    ponds = [s for s in bodies if s.geometry.geom_type == "Polygon"]
    assert lines and ponds
    assert all(8 <= len(s.geometry.coords) <= 60 for s in lines)
    assert all(12 <= polygon_vertex_count(s.geometry) <= 40 for s in ponds)


def test_build_store_fills_a_store_through_its_api(tmp_path):
    store = build_store(tmp_path / "bench.gpkg", 40, seed=3)
    stored = store.list_sites(BENCH_ACTOR)
    assert sorted(s.site_id for s in stored) == sorted(s.site_id for s in synthetic_sites(40, seed=3))
    assert all(s.is_sample for s in stored)
    assert store.meta()["data_origin"] == "sample"
