"""The store's side of imports: one batch, one transaction, exact undo, permissions, migration, kill safety."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from geo.errors import NotFoundError, PermissionDenied, ValidationError, VersionConflict
from geo.ingest import CrsChoice, prepare_import
from geo.ingest.towncheck import town_mismatches
from geo.store import GpkgStore, NewSite, create_store
from geo.store.integrity import store_problems
from geo.store.schema import SCHEMA_VERSION
from layers import REGISTRY
from tests.factories import reopen
from tests.factories import ADMIN, INSPECTOR, PASSWORD, REVIEWER, SYSTEM, make_store, outfall, park, river
from tests.ingest_factories import OUTFALL_HEADERS, csv_bytes, outfall_rows

ROOT = Path(__file__).resolve().parents[1]
SITE_TABLES = tuple(REGISTRY)
BOOKKEEPING = ("version", "updated_at", "updated_by")


# -- helpers ---------------------------------------------------------------------
def dump(store, tables=None, skip_columns=()) -> dict[str, list[tuple]]:
    """Every row of every table (or of ``tables``) through the store's own connection, any backend.

    Rows in a stable order (by their key), geometries as WKB, timestamps as the store's text, optionally
    without some columns.
    """
    import shapely

    with store._read() as conn:
        if store.backend == "gpkg":
            names = tables or [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            columns = {t: [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')] for t in names}
        else:
            names = tables or [r[0] for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")]
            columns = {t: [r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                (t,))] for t in names}
        out = {}
        for t in names:
            cols = [c for c in columns[t] if c not in skip_columns and c != "fid"]
            rows = conn.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{t}"').fetchall()
            geom_at = cols.index("geom") if "geom" in cols else None
            fixed = []
            for r in rows:
                r = [bool(v) if isinstance(v, bool) else v for v in r]
                if geom_at is not None and r[geom_at] is not None:
                    r[geom_at] = shapely.to_wkb(store.geom_out(r[geom_at]))
                fixed.append(tuple(r))
            out[t] = sorted(fixed, key=repr)
        return out


def _file_dump(path, tables=None, skip_columns=()) -> dict[str, list[tuple]]:
    """Every row of every table of a GeoPackage file (tests of the file itself: migration, killed writers)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = tables or [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        out = {}
        for t in names:
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")') if r[1] not in skip_columns]
            order = "rowid" if t != "sqlite_sequence" else "name"
            out[t] = con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{t}" '
                                 f"ORDER BY {order}").fetchall()
        return out
    finally:
        con.close()


def site_dump(store):
    return {**dump(store, list(SITE_TABLES), BOOKKEEPING), **dump(store, ["site_index"])}


def outfall_site(site_id="PWK-901", status="surveyed", lon=119.45, lat=25.68, **kw) -> NewSite:
    return NewSite(kind="outfalls", site_id=site_id, name=kw.pop("name", "导入排口"), town_code="350181103",
                   status=status, geometry=Point(lon, lat), deadline="2025-12-31",
                   attrs={"discharge_into": "sea", "receiving_water": "fuqing_bay", "outfall_type": "industrial", **kw.pop("attrs", {})}, **kw)


def audit_actions(store) -> list[str]:
    return [r.action for r in reversed(store.audit_log(SYSTEM))]


@pytest.fixture
def store(store_target):
    """Three sites in a fresh store, once per backend (GeoPackage, PostGIS)."""
    return make_store(store_target, [river(), outfall(), park()])


# -- writing -------------------------------------------------------------------------
def test_an_import_creates_updates_and_leaves_alone_in_one_batch(store):
    before_audit = len(store.audit_log(SYSTEM))
    moved = outfall("PWK-T01", status="remediated", name="改名排口")
    moved = NewSite(**{**moved.__dict__, "geometry": Point(119.46, 25.67)})
    same = park("YQ-T01")
    result = store.import_batch(ADMIN, [outfall_site(), moved], source_name="台账.xlsx")
    assert result.created == ("PWK-901",) and result.updated == ("PWK-T01",) and result.unchanged == ()
    assert result.batch_id.startswith("IMP-")
    new = store.get_site(REVIEWER, "PWK-901")
    assert new.version == 0 and not new.is_sample and new.updated_by == ADMIN.name
    h_new = store.history(REVIEWER, "PWK-901")
    assert [(e.action, e.version, e.from_status, e.to_status) for e in h_new] == [("import", 0, None, "surveyed")]
    assert h_new[0].changes["geometry"] == [None, "POINT (119.45 25.68)"]
    assert h_new[0].changes["receiving_water"] == [None, "fuqing_bay"]
    upd = store.get_site(REVIEWER, "PWK-T01")
    assert upd.status == "remediated" and upd.version == 1 and upd.name == "改名排口"
    last = store.history(REVIEWER, "PWK-T01")[-1]
    assert last.action == "import" and last.from_status == "traced" and last.to_status == "remediated"
    assert last.changes["geometry"] == ["POINT (119.47 25.66)", "POINT (119.46 25.67)"]
    assert last.changes["status"] == ["traced", "remediated"] and last.changes["name"] == ["测试排口", "改名排口"]
    # traced -> remediated skips a workflow step: imports record the ledger, they are not workflow steps.
    with store._read() as con:
        batch_rows = tuple(con.execute("SELECT count(*) FROM site_history WHERE batch_id = ?", (result.batch_id,)).fetchone())
        batch = [tuple(r) for r in con.execute("SELECT actor, source_name, kind, counts FROM import_batches").fetchall()]
    assert batch_rows == (2,)
    assert batch == [(ADMIN.name, "台账.xlsx", "outfalls", json.dumps({"created": 1, "updated": 1, "unchanged": 0,
                                                                        "skipped": 0}))]
    audit = store.audit_log(SYSTEM)
    assert len(audit) == before_audit + 1 and audit[0].action == "import" and audit[0].target == result.batch_id
    again = store.import_batch(ADMIN, [same], source_name="again.csv")
    assert again.unchanged == ("YQ-T01",) and store.get_site(REVIEWER, "YQ-T01").version == 0
    assert store_problems(store, SYSTEM) == []


def test_only_administrators_import_and_undo(store):
    for actor in (INSPECTOR, REVIEWER):
        with pytest.raises(PermissionDenied):
            store.import_batch(actor, [outfall_site()], source_name="x.csv")
    r = store.import_batch(ADMIN, [outfall_site()], source_name="x.csv")
    with pytest.raises(PermissionDenied):
        store.undo_batch(INSPECTOR, r.batch_id)
    denials = [a for a in store.audit_log(SYSTEM) if a.action == "auth.denied"]
    assert len(denials) == 3 and {d.details["action"] for d in denials} == {"import", "undo"}
    with pytest.raises(NotFoundError):
        store.get_site(REVIEWER, "PWK-902")


def test_a_row_the_store_refuses_stops_everything_unless_skipped(store):
    bad = outfall_site("PWK-902", attrs={"discharge_into": "sea", "receiving_water": "pacific", "outfall_type": "industrial"})
    with pytest.raises(ValidationError) as err:
        store.import_batch(ADMIN, [outfall_site(), bad], source_name="x.csv")
    assert err.value.context["row"] == 2 and "PWK-902" in err.value.zh
    with pytest.raises(NotFoundError):
        store.get_site(REVIEWER, "PWK-901")
    r = store.import_batch(ADMIN, [outfall_site(), bad], source_name="x.csv", skip_invalid=True)
    assert r.created == ("PWK-901",) and [s[1] for s in r.skipped] == ["PWK-902"]
    with pytest.raises(ValidationError) as err:
        store.import_batch(ADMIN, [river("PWK-T01")], source_name="x.csv")
    assert err.value.code == "site.other_kind"


def test_a_site_changed_since_the_preview_refuses_the_whole_import(store, tmp_path):
    plan = prepare_import(csv_bytes(outfall_rows({"编号": "PWK-T01", "名称": "测试排口", "状态": "已整治"}, {})), "a.csv",
                          kind="outfalls", crs=CrsChoice.parse("wgs84"),
                          existing={s.site_id: s for s in store.list_sites(REVIEWER)})
    site = store.get_site(INSPECTOR, "PWK-T01")
    store.change_status(INSPECTOR, "PWK-T01", "remediating", expected_version=site.version, op_id="x",
                        changes={"remediation_method": "ban"})
    before = dump(store, list(SITE_TABLES) + ["site_history", "import_batches"])
    with pytest.raises(VersionConflict) as err:
        store.import_batch(ADMIN, [c.site for c in plan.candidates], source_name="a.csv", expected=plan.expected())
    assert err.value.code == "import.stale" and "PWK-T01" in err.value.zh
    assert dump(store, list(SITE_TABLES) + ["site_history", "import_batches"]) == before


# -- undo ----------------------------------------------------------------------------------
def test_undo_restores_every_touched_site_exactly(sample_target):
    store = reopen(str(sample_target))
    before = site_dump(store)
    versions = {s.site_id: s.version for s in store.list_sites(SYSTEM)}
    sites = {s.site_id: s for s in store.list_sites(SYSTEM)}
    changed = []
    for sid in ("PWK-001", "HC-001", "YQ-001", "AD-002"):
        s = sites[sid]
        geom = shapely.affinity.translate(s.geometry, 0.0003, -0.0002) if sid != "AD-002" else s.geometry
        changed.append(NewSite(kind=s.kind, site_id=sid, name=s.name + "（台账）", town_code=s.town_code,
                               status=s.status, geometry=geom, deadline="2026-06-30", responsible="福清市住建局",
                               attrs=dict(s.attrs)))
    by_kind = {}
    for n in changed + [outfall_site("PWK-901"), outfall_site("PWK-902", lon=119.451)]:
        by_kind.setdefault(n.kind, []).append(n)
    batches = [store.import_batch(ADMIN, rows, source_name=f"{k}.xlsx") for k, rows in by_kind.items()]
    assert site_dump(store) != before
    assert store_problems(store, SYSTEM) == []
    n_audit = len(store.audit_log(SYSTEM))
    for b in reversed(batches):
        r = store.undo_batch(ADMIN, b.batch_id)
        assert set(r.removed) | set(r.restored) == set(b.created) | set(b.updated)
    assert site_dump(store) == before  # every attribute, status, geometry and sample flag as it was
    after = {s.site_id: s for s in store.list_sites(SYSTEM)}
    for sid in ("PWK-001", "HC-001", "YQ-001", "AD-002"):
        assert after[sid].version == versions[sid] + 2 and after[sid].is_sample
        assert [e.action for e in store.history(SYSTEM, sid)[-2:]] == ["import", "undo"]
    assert store_problems(store, SYSTEM) == []
    assert audit_actions(store)[n_audit - len(store.audit_log(SYSTEM)):] == ["undo"] * len(batches)
    assert all(store.get_batch(ADMIN, b.batch_id).undone for b in batches)  # the sample's own batches stay
    with store._read() as con:
        undo_rows = [tuple(r) for r in con.execute("SELECT site_id, version, from_status, to_status FROM site_history "
                                                   "WHERE action = 'undo' AND site_id = 'PWK-901'").fetchall()]
    assert undo_rows == [("PWK-901", 1, "surveyed", None)]
    with pytest.raises(ValidationError) as err:
        store.undo_batch(ADMIN, batches[0].batch_id)
    assert err.value.code == "batch.already_undone"
    with pytest.raises(NotFoundError):
        store.undo_batch(ADMIN, "IMP-nope")


def test_undo_is_refused_naming_sites_changed_after_the_batch(store):
    r = store.import_batch(ADMIN, [outfall_site(), outfall("PWK-T01", status="remediating")], source_name="a.csv")
    site = store.get_site(INSPECTOR, "PWK-T01")
    store.change_status(INSPECTOR, "PWK-T01", "remediated", expected_version=site.version, op_id="later")
    before = dump(store, list(SITE_TABLES) + ["site_history", "import_batches", "site_index"])
    with pytest.raises(ValidationError) as err:
        store.undo_batch(ADMIN, r.batch_id)
    assert err.value.code == "batch.changed_since"
    assert err.value.context["sites"] == ["PWK-T01"] and INSPECTOR.name in err.value.zh
    assert dump(store, list(SITE_TABLES) + ["site_history", "import_batches", "site_index"]) == before


def test_a_site_removed_by_undo_can_be_imported_again(store):
    first = store.import_batch(ADMIN, [outfall_site()], source_name="a.csv")
    store.undo_batch(ADMIN, first.batch_id)
    second = store.import_batch(ADMIN, [outfall_site(status="monitored")], source_name="a.csv")
    assert second.created == ("PWK-901",)
    site = store.get_site(REVIEWER, "PWK-901")
    assert site.version == 2 and site.status == "monitored"
    assert [(e.action, e.version) for e in store.history(REVIEWER, "PWK-901")] == [("import", 0), ("undo", 1),
                                                                                   ("import", 2)]
    assert store_problems(store, SYSTEM) == []
    store.undo_batch(ADMIN, second.batch_id)
    with pytest.raises(NotFoundError):
        store.get_site(REVIEWER, "PWK-901")


# -- data origin ---------------------------------------------------------------------------------
def test_data_origin_says_sample_only_while_sample_sites_remain(sample_target):
    store = reopen(str(sample_target))
    assert store.meta()["data_origin"] == "sample"
    one = store.import_batch(ADMIN, [outfall_site()], source_name="a.csv")
    assert store.meta()["data_origin"] == "sample"  # sample sites remain: the banner stays
    batches = [one]
    by_kind = {}
    for s in store.list_sites(SYSTEM):
        if s.is_sample:
            by_kind.setdefault(s.kind, []).append(NewSite(kind=s.kind, site_id=s.site_id, name=s.name,
                                                          town_code=s.town_code, status=s.status,
                                                          geometry=s.geometry, deadline=s.deadline,
                                                          responsible=s.responsible, attrs=dict(s.attrs)))
    for kind, rows in by_kind.items():
        batches.append(store.import_batch(ADMIN, rows, source_name=f"{kind}.xlsx"))
    assert not any(s.is_sample for s in store.list_sites(SYSTEM))
    assert store.meta()["data_origin"] == "imported"  # nothing sample left: no false 示例数据 banner
    store.undo_batch(ADMIN, batches[-1].batch_id)
    assert store.meta()["data_origin"] == "sample"


def test_data_origin_of_an_empty_store(store_target):
    store = make_store(store_target, [])
    assert store.meta()["data_origin"] == "empty"
    r = store.import_batch(ADMIN, [outfall_site()], source_name="a.csv")
    assert store.meta()["data_origin"] == "imported"
    store.undo_batch(ADMIN, r.batch_id)
    assert store.meta()["data_origin"] == "empty"


# -- schema --------------------------------------------------------------------------------------
def _downgrade(path: Path, to: str) -> None:
    con = sqlite3.connect(path)
    from layers import OBSERVATIONS

    for name in ("field_devices_no_delete", "field_devices_fixed"):  # schema 11: the device tokens' guard
        con.execute(f'DROP TRIGGER "{name}"')
    if to == "10":
        con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", (to,))
        con.commit()
        con.close()
        return
    for table in OBSERVATIONS:  # schema 10: monitoring tables, the override column
        con.execute(f"DROP TABLE {table}")
        con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (table,))
    con.execute("ALTER TABLE site_history DROP COLUMN override")
    if to == "9":
        con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", (to,))
        con.commit()
        con.close()
        return
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='trigger' AND name LIKE '%_display_%'"):
        con.execute(f'DROP TRIGGER "{name}"')
    con.execute("DROP TABLE site_display")
    con.execute("DELETE FROM gpkg_contents WHERE table_name = 'site_display'")
    if to == "8":
        con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", (to,))
        con.commit()
        con.close()
        return
    for t in ("reference_areas", "reference_areas_replaced"):
        con.execute(f"DROP TABLE {t}")
        con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (t,))
    con.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = 'reference_areas'")
    if to == "7":
        con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", (to,))
        con.commit()
        con.close()
        return
    for t in ("field_changes", "field_photos", "field_devices"):
        con.execute(f"DROP TABLE {t}")
        con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (t,))
    if to == "6":
        con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", (to,))
        con.commit()
        con.close()
        return
    con.execute("DROP TABLE login_throttle_addr")
    con.execute("DELETE FROM gpkg_contents WHERE table_name = 'login_throttle_addr'")
    if to in ("4", "5"):  # schema 5 rewrote outfall codes in place: no table to take away
        con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", (to,))
        con.commit()
        con.close()
        return
    con.execute("DROP TABLE raster_layers")
    con.execute("DELETE FROM gpkg_contents WHERE table_name = 'raster_layers'")
    if to == "3":
        con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", (to,))
        con.commit()
        con.close()
        return
    con.execute("DROP INDEX idx_history_batch")
    con.execute("ALTER TABLE site_history DROP COLUMN batch_id")
    for t in ("import_batches", "town_boundaries", "town_boundaries_replaced"):
        con.execute(f"DROP TABLE {t}")
        con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (t,))
    con.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = 'town_boundaries'")
    if to == "1":
        for t in ("users", "sessions", "login_throttle", "audit_log"):
            con.execute(f"DROP TABLE {t}")
            con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (t,))
        con.execute("DELETE FROM store_meta WHERE key = 'guest_read'")
    con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", (to,))
    con.commit()
    con.close()


def test_a_store_whose_8_was_the_monitoring_step_gets_the_reference_areas(tmp_path):
    """Monitoring was numbered 8 on its branch before the reference areas took 8: such a store is completed."""
    path = tmp_path / "old.gpkg"
    make_store(path, [river()], clean_rivers=False)
    con = sqlite3.connect(path)
    for t in ("reference_areas", "reference_areas_replaced"):
        con.execute(f"DROP TABLE {t}")
        con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (t,))
    con.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = 'reference_areas'")
    con.execute("UPDATE store_meta SET value = '8' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    store = create_store(path)
    assert store.meta()["schema_version"] == SCHEMA_VERSION
    con = sqlite3.connect(path)
    names = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
    geoms = {r[0] for r in con.execute("SELECT table_name FROM gpkg_geometry_columns")}
    con.close()
    assert {"reference_areas", "reference_areas_replaced", "black_odorous_readings"} <= names
    assert "reference_areas" in geoms and store.reference_areas(SYSTEM).areas == {}


@pytest.mark.parametrize("old", [str(v) for v in range(1, int(SCHEMA_VERSION))])
def test_an_older_store_is_migrated_additively(tmp_path, old):
    path = tmp_path / "old.gpkg"
    make_store(path, [river(), outfall(), park()], clean_rivers=False)
    _downgrade(path, old)
    before = _file_dump(path)
    store = create_store(path)  # opening checks the schema and migrates it
    assert store.meta()["schema_version"] == SCHEMA_VERSION
    after = _file_dump(path)
    added = {"1": 2, "2": 2, "10": 0}.get(old, 1)  # batch_id (schema 3) and override (schema 10): empty
    before.pop("site_display", None)  # kept as it was from schema 9 on
    display = after.pop("site_display")  # schema 9: every site's display geometry, computed when migrating
    kinds = [t for t in ("outfalls", "shore_power_berths", "black_odorous", "parks", "clean_fuel_zones") if t in before]
    assert len(display) == sum(len(before[t]) for t in kinds) == 3
    for table, rows in before.items():
        if table == "site_history":
            assert [r[:len(r) - added] for r in after[table]] == rows and all(
                v is None for r in after[table] for v in r[len(r) - added:])
        elif table == "store_meta":
            assert {r for r in rows if r[0] != "schema_version"} <= set(after[table])
        elif table in ("gpkg_contents", "gpkg_geometry_columns", "sqlite_sequence"):
            assert set(rows) <= set(after[table])
        else:
            assert after[table] == rows, table
    contents = {r[0] for r in after["gpkg_contents"]}
    assert {"import_batches", "town_boundaries", "town_boundaries_replaced", "raster_layers",
            "login_throttle_addr", "field_changes", "field_photos", "field_devices", "reference_areas",
            "reference_areas_replaced", "site_display", "black_odorous_readings", "outfall_monitoring",
            "shore_power_usage"} <= contents
    assert after["black_odorous_readings"] == after["outfall_monitoring"] == after["shore_power_usage"] == []
    with sqlite3.connect(path) as con:  # schema 11: the device tokens' guard
        triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"field_devices_no_delete", "field_devices_fixed"} <= triggers
    assert after["raster_layers"] == [] or old in ("4", "5", "6", "7", "8", "9")
    assert after["login_throttle_addr"] == [] and after["reference_areas"] == []
    if old == "1":
        store.add_user(SYSTEM, ADMIN.name, "admin", password=PASSWORD)
    r = store.import_batch(ADMIN, [outfall_site()], source_name="a.csv")
    assert store.undo_batch(ADMIN, r.batch_id).removed == ("PWK-901",)


def test_a_new_store_is_created_at_the_current_schema(tmp_path):
    store = make_store(tmp_path / "n.gpkg", [])
    assert store.meta()["schema_version"] == SCHEMA_VERSION
    with sqlite3.connect(store.path) as con:
        cols = {r[1] for r in con.execute("PRAGMA table_info(site_history)")}
        geom = con.execute("SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name='town_boundaries'")
        assert "batch_id" in cols and geom.fetchone() == ("MULTIPOLYGON",)


def test_gdal_reads_the_store_with_its_new_tables(tmp_path):
    import pyogrio

    store = make_store(tmp_path / "g.gpkg", [river(), outfall(), park()])
    store.import_batch(ADMIN, [outfall_site()], source_name="a.csv")
    layers = {r[0] for r in pyogrio.list_layers(str(store.path))}
    assert {"outfalls", "town_boundaries", "import_batches"} <= layers


# -- official town boundaries -----------------------------------------------------------------
def test_town_boundaries_import_replace_undo(store):
    haikou = MultiPolygon([Polygon([(119.44, 25.65), (119.50, 25.65), (119.50, 25.70), (119.44, 25.70)])])
    bigger = MultiPolygon([Polygon([(119.40, 25.60), (119.52, 25.60), (119.52, 25.72), (119.40, 25.72)])])
    yuping = MultiPolygon([Polygon([(119.36, 25.71), (119.40, 25.71), (119.40, 25.74), (119.36, 25.74)])])
    assert store.town_boundaries(REVIEWER) == {}
    with pytest.raises(PermissionDenied):
        store.import_town_boundaries(INSPECTOR, [("350181103", "海口镇", haikou)], source_name="t.shp")
    first = store.import_town_boundaries(ADMIN, [("350181103", "海口镇", haikou), ("350181002", "玉屏街道", yuping)],
                                         source_name="towns.zip")
    assert first.created == ("350181103", "350181002")
    before = dump(store, ["town_boundaries", "town_boundaries_replaced"])
    second = store.import_town_boundaries(ADMIN, [("350181103", "海口镇", bigger), ("350181002", "玉屏街道", yuping)],
                                          source_name="towns-v2.zip")
    assert second.updated == ("350181103",) and second.unchanged == ("350181002",)
    assert store.town_boundaries(REVIEWER)["350181103"].equals(bigger)
    with pytest.raises(ValidationError) as err:
        store.undo_batch(ADMIN, first.batch_id)
    assert err.value.code == "batch.changed_since"
    store.undo_batch(ADMIN, second.batch_id)
    assert dump(store, ["town_boundaries", "town_boundaries_replaced"]) == before
    # Each site's recorded town against the boundary it lies in: the factory outfall is in 海口镇's box.
    sites = store.list_sites(REVIEWER)
    mismatches = {m.site_id: m for m in town_mismatches(sites, store.town_boundaries(REVIEWER))}
    assert "PWK-T01" not in mismatches
    assert mismatches["YQ-T01"].found is None  # 江阴 has no boundary loaded
    store.undo_batch(ADMIN, first.batch_id)
    assert store.town_boundaries(REVIEWER) == {}


# -- a writer killed in the middle -----------------------------------------------------------------
def _big_ledger(path: Path, n: int) -> None:
    rng = random.Random(7)
    rows = [OUTFALL_HEADERS]
    for i in range(n):
        rows.append([f"PWK-{5000 + i}", f"批量排口{i}", "海口镇", "已排查", "福清湾", "工业排污口",
                     f"{119.44 + rng.random() * 0.04:.6f}", f"{25.64 + rng.random() * 0.04:.6f}"])
    rows.append(["PWK-001", "海口镇养殖尾水排口1号（台账）", "海口镇", "已整治", "福清湾", "农业排口", "119.482367", "25.681991"])
    path.write_bytes(csv_bytes(rows))


def _wal_size(store: Path) -> int:
    try:
        return Path(str(store) + "-wal").stat().st_size
    except FileNotFoundError:  # SQLite removes it when the last connection closes
        return 0


def _restore(pristine: Path, target: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    target.write_bytes(pristine.read_bytes())


def _complete(path: Path, n_before: int, n_new: int) -> bool:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        n = con.execute("SELECT count(*) FROM outfalls").fetchone()[0]
        batches = con.execute("SELECT count(*) FROM import_batches WHERE kind = 'outfalls'").fetchone()[0]
    finally:
        con.close()
    return n == n_before + n_new and batches == 1


def test_a_writer_killed_mid_import_leaves_the_store_exactly_as_before(store_copy, tmp_path):
    """SIGKILL at varying moments — while reading, and inside the write transaction — changes nothing.

    Every attempt starts from the same file. A kill that lands after the
    commit (the import won the race) must find the import complete; the test
    needs at least five kills inside the transaction, each leaving every
    table exactly as it was.
    """
    ledger = tmp_path / "big.csv"
    n_new = 12_000
    _big_ledger(ledger, n_new)
    pristine = tmp_path / "pristine.gpkg"
    src, dst = sqlite3.connect(store_copy), sqlite3.connect(pristine)
    src.backup(dst)
    src.close()
    dst.close()
    env = {**os.environ, "ONEMAP_STORE": str(store_copy), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, str(ROOT / "cli.py"), "import", str(ledger), "--kind", "outfalls", "--crs", "wgs84",
           "--as", ADMIN.name]
    _restore(pristine, store_copy)
    before = _file_dump(store_copy)
    n_before = len(before["outfalls"])
    rng = random.Random(20251231)
    outcomes = {"early": 0, "mid_transaction": 0, "completed": 0}
    for attempt in range(20):
        _restore(pristine, store_copy)
        base = _wal_size(store_copy)
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if attempt < 3:  # while the file is being read and checked
            time.sleep(rng.uniform(0.2, 1.5))
            moment = "early"
        else:  # once the import transaction writes pages (they reach the WAL before the commit)
            deadline = time.time() + 120
            while _wal_size(store_copy) <= base and proc.poll() is None and time.time() < deadline:
                time.sleep(0.001)
            time.sleep(rng.uniform(0.0, 0.2))
            moment = "mid_transaction"
        if proc.poll() is not None:  # it finished on its own before the kill
            assert proc.returncode == 0, f"attempt {attempt}: the import failed by itself ({proc.returncode})"
            moment = "completed"
        else:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        after = _file_dump(store_copy)
        if after == before and moment != "completed":
            outcomes[moment] += 1
        else:
            assert _complete(store_copy, n_before, n_new), f"attempt {attempt}: a killed import left a partial store"
            outcomes["completed"] += 1
        if outcomes["mid_transaction"] >= 6 and outcomes["early"] >= 3:
            break
    print("kill outcomes:", outcomes)
    assert outcomes["mid_transaction"] >= 5, outcomes
    # The same import, not killed, goes through completely and checks out.
    _restore(pristine, store_copy)
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert _complete(store_copy, n_before, n_new)
    assert store_problems(GpkgStore(store_copy), SYSTEM) == []
