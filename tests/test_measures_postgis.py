"""The plans' measures on PostGIS: the sample's coal boilers, reference areas and every dashboard figure are the
same as on the GeoPackage store."""

from __future__ import annotations

import json

import pytest

from cli import main
from tests.factories import ADMIN, SYSTEM, reopen


def _strip(value):
    """Figures without what names one store (batch ids and import times in the reference areas' sources)."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "source"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _progress(locator: str, monkeypatch, capsys) -> dict:
    monkeypatch.setenv("ONEMAP_STORE", locator)
    capsys.readouterr()
    assert main(["progress", "--as-of", "2025-12-31", "--as", ADMIN.name]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.postgis
def test_the_sample_figures_on_postgis_equal_those_on_the_geopackage(sample_store_file, pg_sample_template,
                                                                     monkeypatch, capsys):
    gpkg = _progress(str(sample_store_file), monkeypatch, capsys)
    pg = _progress(pg_sample_template, monkeypatch, capsys)
    assert _strip(pg["kinds"]) == _strip(gpkg["kinds"])
    assert _strip(pg["reference"]) == _strip(gpkg["reference"]) and pg["totals"] == gpkg["totals"]
    # The measures themselves are there, not empty on one side.
    zones = pg["kinds"]["clean_fuel_zones"]["targets"][0]
    assert zones["code"] == "enforced_area_coverage" and zones["missing_reference"] == [] and zones["denominator"] > 100
    boilers = {t["code"]: t for t in pg["kinds"]["coal_boilers"]["targets"]}
    assert boilers["heat_network_phase_out_share"]["denominator"] > 0 and boilers["ule_retrofit_share"]["denominator"] > 0
    assert {t["code"] for t in pg["kinds"]["shore_power_berths"]["targets"]} == {"capable_share", "province_capable_share"}


@pytest.mark.postgis
def test_the_boiler_register_and_the_reference_areas_are_stored_alike(sample_store_file, pg_sample_template):
    gpkg, pg = reopen(str(sample_store_file)), reopen(pg_sample_template)

    def boilers(store):
        return sorted((s.site_id, s.status, s.attrs["tonnage_th"], s.attrs["fuel"], s.geometry.wkb)
                      for s in store.list_sites(SYSTEM, kinds=["coal_boilers"]))

    assert boilers(pg) == boilers(gpkg) and len(boilers(pg)) >= 10
    a, b = gpkg.reference_areas(SYSTEM), pg.reference_areas(SYSTEM)
    assert set(a.areas) == set(b.areas) == {"built_up_area", "near_suburbs", "heat_network"}
    assert all(a.areas[k].equals(b.areas[k]) for k in a.areas) and a.sample == b.sample
    assert sorted((k, n) for k, n, _ in pg.reference_features(SYSTEM)) == \
        sorted((k, n) for k, n, _ in gpkg.reference_features(SYSTEM))
