"""Display geometries kept in the store: written with every geometry, never stale, read without the geometry.

Every test runs on both backends (GeoPackage and PostGIS: the ``store_target`` fixture).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from geo import displaygeom
from geo.errors import PermissionDenied
from geo.store import Actor, MapSite, NewSite
from layers import REGISTRY
from tests.factories import ADMIN, GUEST, SYSTEM, make_store, outfall, park, river

BLOB = Polygon([(119.30 + 0.01 * np.cos(t) * (1 + 0.05 * np.sin(9 * t)),
                 25.48 + 0.009 * np.sin(t) * (1 + 0.05 * np.sin(9 * t))) for t in np.linspace(0, 6.2, 300)])


def _rows(store) -> dict[str, tuple]:
    with store._read() as conn:
        return {r[0]: (r[1], r[2], _b(r[3]), _b(r[4]))
                for r in conn.execute("SELECT site_id, kind, params, overview, detail FROM site_display")}


def _b(v):
    return bytes(v) if isinstance(v, memoryview) else v


def _outside(store, sql: str, args=()) -> None:
    """A write straight into the tables, as QGIS or an SQL user would (not through the store's methods)."""
    with store._write() as conn:
        store._actor_context(conn, Actor("qgis", role="admin"))  # PostGIS: row-level security lets an admin write
        conn.execute(sql, args)


def _expected(geom) -> tuple:
    return displaygeom.display_blobs([geom])[0]


@pytest.fixture
def store(store_target):
    return make_store(store_target, [river(), outfall(), park(), replace(park("YQ-T02"), geometry=BLOB)])


def test_every_site_added_has_its_display_geometry_at_both_levels(store):
    rows = _rows(store)
    sites = {s.site_id: s for s in store.list_sites(SYSTEM)}
    assert set(rows) == set(sites)
    for sid, (kind, params, overview, detail) in rows.items():
        assert kind == sites[sid].kind and params == displaygeom.PARAMS
        assert (overview, detail) == _expected(sites[sid].geometry)
    o, d = rows["YQ-T02"][2:]
    assert d is not None and len(displaygeom.blob_entry(o)[1]) < len(displaygeom.blob_entry(d)[1]) < 300
    assert rows["PWK-T01"][3] is None  # a point: one level


def test_map_sites_read_display_geometry_filtered_like_list_sites(store):
    got = store.map_sites(GUEST)
    assert all(isinstance(s, MapSite) for s in got)
    listed = store.list_sites(GUEST)
    assert [(s.kind, s.site_id, s.name, s.town_code, s.status, s.version, s.deadline) for s in got] == \
           [(s.kind, s.site_id, s.name, s.town_code, s.status, s.version, s.deadline) for s in listed]
    for s, full in zip(got, listed):
        assert (s.overview, s.detail) == _expected(full.geometry)
    assert [s.site_id for s in store.map_sites(GUEST, kinds=["parks"])] == ["YQ-T01", "YQ-T02"]
    assert [s.site_id for s in store.map_sites(GUEST, towns=["350181103"])] == ["PWK-T01"]
    assert [s.site_id for s in store.map_sites(GUEST, statuses=["remediating"])] == ["HC-T01"]
    assert store.map_sites(GUEST, towns=[]) == []


def test_a_geometry_changed_outside_the_app_is_never_drawn_stale(store):
    moved = Polygon([(119.50, 25.60), (119.51, 25.60), (119.51, 25.61)])
    _outside(store, "UPDATE parks SET geom = ? WHERE site_id = 'YQ-T01'", (store.geom_in(MultiPolygon([moved])),))
    assert "YQ-T01" not in _rows(store)  # the trigger dropped the old display geometry
    got = {s.site_id: s for s in store.map_sites(GUEST)}["YQ-T01"]
    assert (got.overview, got.detail) == _expected(MultiPolygon([moved]))  # computed from the new geometry
    assert "YQ-T01" not in _rows(store)  # a read writes nothing
    _outside(store, "DELETE FROM outfalls WHERE site_id = 'PWK-T01'")
    assert "PWK-T01" not in _rows(store)
    assert store.refresh_display(ADMIN) == 1  # the missing one, kept again
    assert _rows(store)["YQ-T01"][2:] == _expected(MultiPolygon([moved]))
    with pytest.raises(PermissionDenied):
        store.refresh_display(GUEST)
    assert store.refresh_display(SYSTEM, all_sites=True) == 3


def test_outdated_parameters_are_recomputed_when_read(store):
    _outside(store, "UPDATE site_display SET params = 'old', overview = ? WHERE site_id = 'HC-T01'", (b"\x00",))
    got = {s.site_id: s for s in store.map_sites(GUEST)}["HC-T01"]
    assert (got.overview, got.detail) == _expected(store.get_site(GUEST, "HC-T01").geometry)


def test_imports_and_undo_keep_the_display_geometry_in_step(store):
    new_line = LineString([(119.40, 25.70), (119.41, 25.705), (119.42, 25.70)])
    changed = NewSite(kind="black_odorous", site_id="HC-T01", name="测试河段", town_code="350181002",
                      status="remediating", geometry=new_line, deadline="2025-12-31", attrs={"water_kind": "urban"})
    created = replace(river("HC-T09"), geometry=LineString([(119.2, 25.5), (119.21, 25.51)]))
    result = store.import_batch(ADMIN, [changed, created], source_name="河段.xlsx")
    rows = _rows(store)
    assert rows["HC-T01"][2:] == _expected(store.get_site(GUEST, "HC-T01").geometry)
    assert rows["HC-T09"][2:] == _expected(store.get_site(GUEST, "HC-T09").geometry)
    store.undo_batch(ADMIN, result.batch_id)
    rows = _rows(store)
    assert "HC-T09" not in rows  # the site the batch created is gone, and so is its display geometry
    assert rows["HC-T01"][2:] == _expected(store.get_site(GUEST, "HC-T01").geometry)
    assert shapely.get_coordinates(store.get_site(GUEST, "HC-T01").geometry)[0, 0] == pytest.approx(119.37)


def test_display_blobs_round_trip_and_keep_every_part(store):
    mp = MultiPolygon([BLOB, Polygon([(119.4, 25.5), (119.401, 25.5), (119.401, 25.501)])])
    for geom in (Point(119.4, 25.6), LineString([(119.3, 25.5), (119.3000001, 25.5)]), mp, None):
        overview, detail = displaygeom.display_blobs([geom])[0]
        for blob in (overview, detail or overview):
            struct, coords = displaygeom.blob_entry(blob)
            assert displaygeom.entry_blob((struct, coords)) == blob
            if geom is not None and geom.geom_type == "MultiPolygon":
                assert struct[0] == 6 and struct[1] == 2  # both parts, however small


@pytest.mark.parametrize("store_target", ["postgis"], indirect=True)
def test_a_postgis_store_from_before_the_display_step_gets_every_row_when_migrated(store_target):
    import psycopg

    from geo.store import pg_schema
    from tests.factories import reopen

    store = make_store(store_target, [river(), outfall(), park()])
    store.close()
    with psycopg.connect(store_target, autocommit=True) as raw:  # back to step 2, as a database made before
        raw.execute("DROP TABLE site_display CASCADE")
        for kind in REGISTRY:
            raw.execute(f'DROP TRIGGER IF EXISTS "{kind}_display_geom" ON "{kind}"')
            raw.execute(f'DROP TRIGGER IF EXISTS "{kind}_display_gone" ON "{kind}"')
        raw.execute("DROP FUNCTION onemap_display_drop()")
        raw.execute("DELETE FROM schema_migrations WHERE version >= %s", (pg_schema.DISPLAY_STEP,))
    again = reopen(store_target)
    again.check_schema()  # as the app opens a store: the newer steps are applied
    rows = _rows(again)
    assert set(rows) == {"HC-T01", "PWK-T01", "YQ-T01"}
    for s in again.list_sites(GUEST):
        assert rows[s.site_id][2:] == _expected(s.geometry)
    moved = MultiPolygon([Polygon([(119.50, 25.60), (119.51, 25.60), (119.51, 25.61)])])
    _outside(again, "UPDATE parks SET geom = ? WHERE site_id = 'YQ-T01'", (again.geom_in(moved),))
    assert "YQ-T01" not in _rows(again)  # the triggers are back too
