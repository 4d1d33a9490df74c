"""Official reference areas: read from any format, checked, imported as a batch, replaced, undone, dated.

The built-up area, near suburbs and heat-network coverage come in the way official town
boundaries do: ``cli.py import --kind built_up_area`` (or the import page), one batch, one audit
row, undoable; a new import replaces the whole version of its kind; figures for a past day use
the version current then.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from cli import main
from geo.errors import NotFoundError, PermissionDenied, ValidationError
from geo.ingest import CrsChoice, prepare_import, resolve_kind
from tests.factories import ADMIN, INSPECTOR, REVIEWER, SYSTEM, make_store, reopen
from tests.ingest_factories import (csv_bytes, feature, geojson_bytes, kml_bytes, shapefile_members, xlsx_bytes,
                                    zip_bytes)

CORE = box(119.35, 25.70, 119.41, 25.75)
RING = box(119.30, 25.66, 119.46, 25.79).difference(CORE)
WGS84 = CrsChoice.parse("wgs84")


@pytest.fixture
def store(store_target, monkeypatch):
    """An empty store on each backend (a GeoPackage file, a PostGIS database), set as ONEMAP_STORE."""
    s = make_store(store_target, [])
    monkeypatch.setenv("ONEMAP_STORE", str(store_target))
    return s


def run(capsys, *args) -> tuple[int, dict, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() if line.strip()]
    return code, (json.loads(lines[-1]) if lines else {}), out.err


@pytest.mark.parametrize("text, key", [
    ("built_up_area", "built_up_area"), ("城市建成区", "built_up_area"), ("建成区", "built_up_area"),
    ("近郊", "near_suburbs"), ("城市近郊", "near_suburbs"), ("Near suburbs", "near_suburbs"),
    ("供热管网覆盖范围", "heat_network"), ("热网覆盖范围", "heat_network"), ("heat_network", "heat_network"),
])
def test_the_kinds_are_named_in_chinese_or_english(text, key):
    assert resolve_kind(text) == key


# -- reading and checking ------------------------------------------------------------------------------------
def _plan(data: bytes, name: str, kind: str = "built_up_area", crs=WGS84):
    return prepare_import(data, name, kind=kind, crs=crs, existing={})


@pytest.mark.parametrize("fmt", ["geojson", "kml", "shp", "xlsx-wkt"])
def test_a_reference_area_reads_from_any_format_the_importer_reads(fmt):
    if fmt == "geojson":
        data, name = geojson_bytes([feature(CORE, 名称="中心城区")]), "a.geojson"
    elif fmt == "kml":
        coords = " ".join(f"{x},{y}" for x, y in CORE.exterior.coords)
        poly = f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        data, name = kml_bytes([("中心城区", {}, poly)]), "a.kml"
    elif fmt == "shp":
        data, name = zip_bytes(shapefile_members([{"MC": "中心城区"}], [CORE], layer="built_up_area")), "a.zip"
    else:
        data, name = xlsx_bytes([["名称", "WKT"], ["中心城区", CORE.wkt]]), "a.xlsx"
    plan = _plan(data, name)
    assert not plan.has_errors, [p.message_zh for p in plan.problems]
    [area] = plan.areas
    assert area.name == "中心城区" and area.geometry.geom_type == "MultiPolygon"
    assert area.geometry.equals(MultiPolygon([CORE]))
    assert plan.report()["counts"]["areas"] == 1


BAD = [
    ("points, not polygons", geojson_bytes([feature(Point(119.38, 25.72), 名称="点")]), "a.geojson",
     "geometry.wrong_type"),
    ("a line", geojson_bytes([feature(LineString([(119.3, 25.7), (119.4, 25.8)]))]), "a.geojson",
     "geometry.wrong_type"),
    ("a bow tie", geojson_bytes([feature(Polygon([(119.30, 25.70), (119.40, 25.80), (119.40, 25.70),
                                                  (119.30, 25.80)]))]), "a.geojson", "geometry.invalid"),
    ("somewhere else", geojson_bytes([feature(box(116.30, 39.90, 116.40, 40.00))]), "a.geojson",
     "coord.outside_fuqing"),
    ("no geometry at all", csv_bytes([["名称"], ["中心城区"]]), "a.csv", "geometry.empty"),
    ("unreadable WKT", csv_bytes([["名称", "WKT"], ["中心城区", "POLYGON((1 2,"]]), "a.csv", "geometry.unreadable"),
]


@pytest.mark.parametrize("label, data, name, code", BAD, ids=[b[0] for b in BAD])
def test_a_bad_feature_is_refused_with_the_row_the_column_and_the_fix(label, data, name, code):
    plan = _plan(data, name)
    errors = [p for p in plan.errors if p.row is not None]
    assert [p.code for p in errors] == [code], [(p.code, p.message_zh) for p in plan.problems]
    p = errors[0]
    assert p.row and p.message_zh and p.message_en and p.fix_zh and p.fix_en
    assert plan.areas == []


def test_gauss_krueger_metres_are_converted_like_any_import():
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", "EPSG:4528", always_xy=True)  # CGCS2000 3° GK zone 40
    ring = [tr.transform(x, y) for x, y in CORE.exterior.coords]
    plan = _plan(geojson_bytes([feature(Polygon(ring), 名称="中心城区")]), "gk.geojson", crs=CrsChoice.parse("gk3:40"))
    assert not plan.has_errors, [p.message_zh for p in plan.problems]
    assert plan.areas[0].geometry.symmetric_difference(MultiPolygon([CORE])).area < 1e-9


# -- the store ------------------------------------------------------------------------------------------------
def test_an_import_is_one_audited_batch_and_undo_restores_the_version_before(store):
    first = store.import_reference_areas(ADMIN, "built_up_area", [("中心城区", CORE)], source_name="v1.geojson")
    assert first.kind == "built_up_area" and first.created == ("中心城区#1",)
    bigger = box(119.34, 25.69, 119.42, 25.76)
    second = store.import_reference_areas(ADMIN, "built_up_area", [("中心城区", bigger), ("宏路片区", box(119.30, 25.70, 119.32, 25.72))],
                                          source_name="v2.shp.zip")
    assert second.updated == ("中心城区#1",) and len(second.created) == 2
    ref = store.reference_areas(REVIEWER)
    assert ref.areas["built_up_area"].area == pytest.approx(bigger.area + box(119.30, 25.70, 119.32, 25.72).area)
    assert "v2.shp.zip" in ref.sources["built_up_area"] and second.batch_id in ref.sources["built_up_area"]
    assert not ref.has("near_suburbs") and ref.sample == frozenset()
    # the first version cannot be undone while the second stands on it
    with pytest.raises(ValidationError) as err:
        store.undo_batch(ADMIN, first.batch_id)
    assert err.value.code == "batch.changed_since" and second.batch_id in err.value.zh
    undone = store.undo_batch(ADMIN, second.batch_id)
    assert sorted(undone.removed) != [] and undone.restored == ("中心城区#1",)
    assert store.reference_areas(REVIEWER).areas["built_up_area"].equals(MultiPolygon([CORE]))
    store.undo_batch(ADMIN, first.batch_id)
    assert not store.reference_areas(REVIEWER).has("built_up_area")
    actions = [(r.action, r.details.get("kind")) for r in store.audit_log(SYSTEM) if r.action in ("import", "undo")]
    assert sorted(actions) == sorted([("import", "built_up_area")] * 2 + [("undo", "built_up_area")] * 2)


def test_the_same_file_again_changes_nothing(store):
    store.import_reference_areas(ADMIN, "heat_network", [("江阴", CORE)], source_name="a.geojson")
    again = store.import_reference_areas(ADMIN, "heat_network", [("江阴", CORE)], source_name="a.geojson")
    assert again.unchanged == ("江阴#1",) and again.created == () and again.updated == ()
    assert store.undo_batch(ADMIN, again.batch_id).removed == ()
    assert store.reference_areas(REVIEWER).has("heat_network")


def test_figures_for_a_past_day_use_the_version_current_then(store):
    store.import_reference_areas(SYSTEM, "built_up_area", [("旧", CORE)], source_name="old",
                                 imported_at=datetime(2024, 1, 1, tzinfo=timezone.utc))
    store.import_reference_areas(SYSTEM, "built_up_area", [("新", RING)], source_name="new",
                                 imported_at=datetime(2025, 1, 1, tzinfo=timezone.utc))
    mid = store.reference_areas(REVIEWER, before=datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert mid.areas["built_up_area"].equals(MultiPolygon([CORE])) and "old" in mid.sources["built_up_area"]
    assert not store.reference_areas(REVIEWER, before=datetime(2023, 6, 1, tzinfo=timezone.utc)).areas
    now = store.reference_areas(REVIEWER)
    assert now.areas["built_up_area"].equals(RING)


def test_only_administrators_import_and_backdating_is_the_systems(store):
    with pytest.raises(PermissionDenied):
        store.import_reference_areas(INSPECTOR, "built_up_area", [("x", CORE)], source_name="x")
    with pytest.raises(PermissionDenied):
        store.import_reference_areas(ADMIN, "built_up_area", [("x", CORE)], source_name="x",
                                     imported_at=datetime(2020, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(NotFoundError):
        store.import_reference_areas(ADMIN, "rivers", [("x", CORE)], source_name="x")
    with pytest.raises(ValidationError):
        store.import_reference_areas(ADMIN, "built_up_area", [("x", Point(119.3, 25.7))], source_name="x")
    with pytest.raises(ValidationError):
        store.import_reference_areas(ADMIN, "built_up_area", [], source_name="x")
    assert not store.reference_areas(REVIEWER).areas


@pytest.mark.parametrize("store_target", ["gpkg"], indirect=True)
def test_qgis_sees_the_reference_areas_as_a_layer(store):
    import pyogrio

    store.import_reference_areas(ADMIN, "near_suburbs", [("近郊", RING)], source_name="a")
    layers = {name for name, _ in pyogrio.list_layers(store.path)}
    assert "reference_areas" in layers
    df = pyogrio.read_dataframe(store.path, layer="reference_areas")
    assert list(df["area_kind"]) == ["near_suburbs"] and list(df["name_zh"]) == ["近郊"]


# -- the command line -----------------------------------------------------------------------------------------
def test_import_and_undo_through_the_cli_and_the_figure_follows(store, tmp_path, capsys):
    ledger = tmp_path / "建成区.geojson"
    ledger.write_bytes(geojson_bytes([feature(CORE, 名称="中心城区建成区")]))
    code, out, err = run(capsys, "import", ledger, "--kind", "城市建成区", "--crs", "wgs84", "--as", ADMIN.name)
    assert code == 0 and out["written"] and out["counts"]["areas"] == 1, err
    bad = tmp_path / "近郊.geojson"
    bad.write_bytes(geojson_bytes([feature(RING, 名称="近郊"), feature(Point(119.38, 25.72), 名称="点")]))
    code, out2, err = run(capsys, "import", bad, "--kind", "near_suburbs", "--crs", "wgs84", "--as", ADMIN.name,
                          "--skip-invalid")
    assert code == 3 and not out2["written"] and "整份导入" in out2["message"]  # never written in part
    assert not reopen(store.locator).reference_areas(SYSTEM).has("near_suburbs")
    code, undone, _ = run(capsys, "undo", out["batch_id"], "--as", ADMIN.name)
    assert code == 0 and undone["kind"] == "built_up_area"
    assert not reopen(store.locator).reference_areas(SYSTEM).has("built_up_area")


def test_cli_progress_reports_the_area_figure_once_both_areas_are_in(store, tmp_path, capsys):
    for kind, geom in (("built_up_area", CORE), ("near_suburbs", RING)):
        f = tmp_path / f"{kind}.geojson"
        f.write_bytes(geojson_bytes([feature(geom, 名称=kind)]))
        assert run(capsys, "import", f, "--kind", kind, "--crs", "wgs84", "--as", ADMIN.name)[0] == 0
    capsys.readouterr()
    code = main(["progress", "--as", ADMIN.name])
    figures = json.loads(capsys.readouterr().out)
    assert code == 0
    t = figures["kinds"]["clean_fuel_zones"]["targets"][0]
    assert t["code"] == "enforced_area_coverage" and t["missing_reference"] == []
    assert t["denominator"] == pytest.approx(figures["reference"]["built_up_area"]["area_km2"]
                                             + figures["reference"]["near_suburbs"]["area_km2"], abs=2e-3)
    assert t["numerator"] == 0.0 and t["share"] == 0.0  # no zone in this store


# -- PostGIS: the database's own wall -------------------------------------------------------------------------
@pytest.mark.parametrize("store_target", ["postgis"], indirect=True)
def test_only_an_administrator_or_the_system_writes_reference_areas_even_in_straight_sql(store):
    """Row-level security behind the store's policy: the app's role, claiming a reviewer or an inspector, changes
    nothing; claiming an administrator it may (the store's own import path)."""
    store.import_reference_areas(ADMIN, "built_up_area", [("中心城区", CORE)], source_name="a.geojson")
    conn = store._connect()
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT set_config('onemap.role', 'inspector', true), set_config('onemap.towns', '350181103', true)")
        assert conn.execute("DELETE FROM reference_areas").rowcount == 0
        assert conn.execute("UPDATE reference_areas SET name_zh = 'x'").rowcount == 0
        with pytest.raises(store.DriverError, match="row-level security"):
            conn.execute("INSERT INTO reference_areas (geom, area_kind, name_zh, batch_id, imported_at)"
                         " VALUES (ST_Multi(ST_MakeEnvelope(119, 25, 119.1, 25.1, 4326)), 'built_up_area', 'x', 'b',"
                         " now())")
        conn.execute("ROLLBACK")
        conn.execute("BEGIN")
        conn.execute("SELECT set_config('onemap.role', 'reviewer', true)")
        with pytest.raises(store.DriverError, match="row-level security"):
            conn.execute("INSERT INTO reference_areas_replaced (old_fid, area_kind, name_zh, geom, batch_id,"
                         " imported_at, replaced_by, replaced_at) VALUES (1, 'built_up_area', 'x',"
                         " ST_Multi(ST_MakeEnvelope(119, 25, 119.1, 25.1, 4326)), 'b', now(), 'c', now())")
        conn.execute("ROLLBACK")
        conn.execute("BEGIN")
        conn.execute("SELECT set_config('onemap.role', 'admin', true)")
        assert conn.execute("UPDATE reference_areas SET name_zh = name_zh").rowcount == 1
        conn.execute("ROLLBACK")
    finally:
        store._end_read(conn)
    assert store.reference_areas(REVIEWER).areas["built_up_area"].equals(MultiPolygon([CORE]))
