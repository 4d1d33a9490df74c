"""The storage boundary: transactions, versions, idempotency, transitions, GeoPackage validity."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
import uuid

import pytest

from geo.errors import NotFoundError, PermissionDenied, TransitionNotAllowed, ValidationError, VersionConflict
from geo.store import GpkgStore
from geo.store.integrity import history_problems, store_problems
from tests.factories import ADMIN, INSPECTOR, PASSWORD, REVIEWER, SYSTEM, make_store, outfall, park, river
from tests.store_workers import TOGGLE, TOGGLE_SITE, toggle_worker


@pytest.fixture
def store(store_target):
    """Three sites in a fresh store, once per backend (GeoPackage, PostGIS)."""
    return make_store(store_target, [river(), outfall(), park()])


@pytest.fixture
def gpkg_store(tmp_path):
    """The same in a GeoPackage (tests of the file format itself)."""
    return make_store(tmp_path / "s.gpkg", [river(), outfall(), park()])


def change(store, site_id, status, actor=INSPECTOR, **kw):
    site = store.get_site(actor, site_id)
    kw.setdefault("op_id", uuid.uuid4().hex)
    return store.change_status(actor, site_id, status, expected_version=site.version, **kw)


# -- concurrency ---------------------------------------------------------------


def test_eight_processes_fifty_changes_each_lose_nothing(store_target):
    store = make_store(store_target, [outfall(status="remediating")])
    for w in range(8):
        store.add_user(SYSTEM, f"worker-{w}", "inspector", password=PASSWORD, towns=["海口镇"])
    ctx = mp.get_context("spawn")
    with ctx.Pool(8) as pool:
        results = pool.starmap_async(toggle_worker, [(store.locator, TOGGLE_SITE, 50, w) for w in range(8)]
                                     ).get(timeout=300)
    assert sum(r["applied"] for r in results) == 400
    site = store.get_site(REVIEWER, TOGGLE_SITE)
    history = store.history(REVIEWER, TOGGLE_SITE)
    status_rows = [e for e in history if e.action == "status"]
    assert len(status_rows) == 400
    assert sorted(e.version for e in status_rows) == list(range(1, 401))
    assert site.version == 400
    assert history_problems(site, history, expected_changes=400) == []
    assert len({e.actor for e in status_rows}) == 8  # every worker got through


def test_checker_reports_lost_updates_from_a_naive_writer(tmp_path):
    """Guard: two read-then-write writers interleaved lose an update, and the checker says so."""
    path = tmp_path / "naive.gpkg"
    store = make_store(path, [outfall(status="remediating")])

    def naive_read():
        s = store.get_site(REVIEWER, TOGGLE_SITE)
        return s.status, s.version

    def naive_write(status, version, who):
        # The careless way: autocommit UPDATE without a version check, then the
        # history row; a failed history insert is ignored because "the update worked".
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("UPDATE outfalls SET status=?, version=? WHERE site_id=?", (TOGGLE[status], version + 1, TOGGLE_SITE))
        try:
            conn.execute(
                "INSERT INTO site_history (site_id, kind, version, action, from_status, to_status, changed_at,"
                " actor, source) VALUES (?,'outfalls',?,'status',?,?,'2025-01-01T00:00:00.000Z',?,'test')",
                (TOGGLE_SITE, version + 1, status, TOGGLE[status], who),
            )
        except sqlite3.IntegrityError:
            pass
        conn.close()

    a = naive_read()
    b = naive_read()
    naive_write(*a, "A")
    naive_write(*b, "B")  # both report success
    site = store.get_site(REVIEWER, TOGGLE_SITE)
    problems = history_problems(site, store.history(REVIEWER, TOGGLE_SITE), expected_changes=2)
    assert any("2 changes reported applied" in p for p in problems), problems


def test_stale_version_is_refused_with_the_current_state(store):
    site = store.get_site(INSPECTOR, "HC-T01")
    change(store, "HC-T01", "initial_effect")
    with pytest.raises(VersionConflict) as err:
        store.change_status(INSPECTOR, "HC-T01", "initial_effect", expected_version=site.version, op_id="late")
    assert err.value.context["current_version"] == site.version + 1
    assert err.value.context["current_status"] == "initial_effect"
    assert "巡查员甲" in err.value.zh


def test_same_op_id_twice_records_one_change(store):
    site = store.get_site(INSPECTOR, "HC-T01")
    first = store.change_status(INSPECTOR, "HC-T01", "initial_effect", expected_version=site.version, op_id="tap-1")
    again = store.change_status(INSPECTOR, "HC-T01", "initial_effect", expected_version=site.version, op_id="tap-1")
    assert first.applied and not again.applied
    assert again.entry.id == first.entry.id
    assert [e.op_id for e in store.history(REVIEWER, "HC-T01")].count("tap-1") == 1
    assert store.get_site(REVIEWER, "HC-T01").version == site.version + 1


def test_op_id_reused_on_another_site_is_refused(store):
    change(store, "HC-T01", "initial_effect", op_id="dup")
    with pytest.raises(ValidationError, match="op_id"):
        change(store, "PWK-T01", "remediating", op_id="dup", changes={"remediation_method": "ban"})


# -- transitions -----------------------------------------------------------------


def test_illegal_transition_names_the_allowed_ones(store):
    with pytest.raises(TransitionNotAllowed) as err:
        change(store, "HC-T01", "untreated")
    e = err.value
    assert e.code == "status.transition_not_allowed"
    assert e.context["allowed"] == ["initial_effect"]
    assert "initial_effect" in e.en and "初见成效" in e.zh
    assert store.get_site(REVIEWER, "HC-T01").version == 0  # nothing written


@pytest.mark.parametrize(
    "status, message",
    [("remediating", "整治方式"), ("no_such_status", "remediated")],
)
def test_entering_a_step_checks_its_requirements(store, status, message):
    with pytest.raises((ValidationError, NotFoundError)) as err:
        change(store, "PWK-T01", status)
    assert message in err.value.zh + err.value.en


def test_required_field_supplied_with_the_change_is_stored_and_diffed(store):
    result = change(store, "PWK-T01", "remediating", changes={"remediation_method": "规范整治"}, note="现场核实")
    assert result.site.attrs["remediation_method"] == "standardise"
    assert result.entry.changes == {"remediation_method": [None, "standardise"]}
    assert result.entry.note == "现场核实"
    assert result.entry.actor == "巡查员甲" and result.entry.client == "pytest"


# -- authorisation and history -----------------------------------------------


def test_reviewer_cannot_change_and_nothing_is_written(store):
    with pytest.raises(PermissionDenied):
        change(store, "HC-T01", "initial_effect", actor=REVIEWER)
    assert store.get_site(REVIEWER, "HC-T01").version == 0


def test_history_is_append_only(store):
    """Even with the store's own connection (PostGIS: as the app's role), the database refuses."""
    change(store, "HC-T01", "initial_effect")
    for sql in ("UPDATE site_history SET actor='x'", "DELETE FROM site_history"):
        conn = store._connect()
        try:
            with pytest.raises(store.DriverError, match="append-only"):
                conn.execute(sql)
        finally:
            store._end_read(conn)


def test_unknown_site_is_a_clear_error(store):
    with pytest.raises(NotFoundError, match="NOPE"):
        store.get_site(REVIEWER, "NOPE")


def test_duplicate_site_id_is_refused_and_store_unchanged(store):
    before = store.data_version()
    with pytest.raises(ValidationError, match="already exists"):
        store.add_sites(SYSTEM, [outfall("PWK-NEW"), outfall("HC-T01")])
    assert store.data_version() == before
    with pytest.raises(NotFoundError):
        store.get_site(REVIEWER, "PWK-NEW")


def test_bad_attribute_names_row_field_and_fix(store):
    bad = outfall("PWK-BAD")
    bad = type(bad)(**{**bad.__dict__, "attrs": {"discharge_into": "sea", "receiving_water": "渤海湾", "outfall_type": "industrial"}})
    with pytest.raises(ValidationError) as err:
        store.add_sites(ADMIN, [outfall("PWK-OK"), bad])
    assert err.value.context["row"] == 2 and err.value.context["field"] == "receiving_water"
    assert "福清湾" in err.value.zh


def test_store_wide_check_is_clean_after_changes(store):
    change(store, "HC-T01", "initial_effect")
    change(store, "PWK-T01", "remediating", changes={"remediation_method": "ban"})
    assert store_problems(store, REVIEWER) == []


# -- GeoPackage validity ---------------------------------------------------------


def test_file_is_a_geopackage_with_one_layer_per_kind(gpkg_store):
    store = gpkg_store
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(store.path)}
    assert {"parks", "outfalls", "black_odorous", "clean_fuel_zones", "shore_power_berths"} <= layers
    df = pyogrio.read_dataframe(store.path, layer="outfalls")
    assert list(df["site_id"]) == ["PWK-T01"]
    assert df.crs.to_epsg() == 4326
    assert df.geometry.iloc[0].x == pytest.approx(119.47)
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_writes_survive_gdal_rtree_triggers(tmp_path):
    """A table that GDAL gave an R-tree (as QGIS does) stays writable through our connections."""
    import pyogrio

    path = tmp_path / "gdal.gpkg"
    store = make_store(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    # Let GDAL write the black_odorous table itself, with its R-tree and triggers.
    df = pyogrio.read_dataframe(path, layer="black_odorous", fid_as_index=True)
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM gpkg_geometry_columns WHERE table_name='black_odorous'")
    conn.execute("DELETE FROM gpkg_contents WHERE table_name='black_odorous'")
    conn.execute("DROP TABLE black_odorous")
    conn.commit()
    conn.close()
    pyogrio.write_dataframe(df, path, layer="black_odorous", driver="GPKG", geometry_type="Unknown")
    conn = sqlite3.connect(path)
    triggers = [r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE type='trigger'")]
    conn.close()
    assert any("ST_IsEmpty" in (t or "") for t in triggers), "GDAL did not add its triggers; test is void"
    store = GpkgStore(path)
    store.enable_wal()
    result = change(store, "HC-T01", "initial_effect")
    assert result.applied
    store.add_sites(SYSTEM, [river("HC-T02")])
    assert store.get_site(REVIEWER, "HC-T02").version == 0


def test_second_create_keeps_the_existing_store(tmp_path):
    path = tmp_path / "keep.gpkg"
    make_store(path)
    change(make_store(path, []), "HC-T01", "initial_effect")
    assert make_store(path, []).get_site(REVIEWER, "HC-T01").status == "initial_effect"


def test_a_field_new_to_a_spec_gets_its_column_on_open_and_data_stays(gpkg_store):
    store = gpkg_store
    """A store made before a spec gained a field (here: the column dropped) gets the column back on open."""
    site_id = store.list_sites(SYSTEM, kinds=["parks"])[0].site_id
    conn = sqlite3.connect(store.path)
    conn.execute("ALTER TABLE parks DROP COLUMN level")
    conn.commit()
    conn.close()
    reopened = GpkgStore(store.path)
    reopened.check_schema()
    cols = {r[1] for r in sqlite3.connect(store.path).execute("PRAGMA table_info(parks)")}
    assert "level" in cols
    assert reopened.get_site(SYSTEM, site_id).site_id == site_id


# -- PostGIS: the database's own walls ---------------------------------------------


@pytest.mark.parametrize("store_target", ["postgis"], indirect=True)
def test_row_level_security_is_a_second_wall_behind_the_store(store, monkeypatch):
    """With the store's own check switched off, the database still refuses an inspector outside their towns."""
    from geo.store import policy
    from geo.store.base import NewSite

    store.add_sites(SYSTEM, [NewSite(**{**outfall("PWK-FAR").__dict__, "town_code": "350181112"})])  # 沙埔镇
    monkeypatch.setattr(policy, "check", lambda *a, **k: None)
    site = store.get_site(SYSTEM, "PWK-FAR")
    with pytest.raises(PermissionDenied) as err:
        store.change_status(INSPECTOR, "PWK-FAR", "remediating", expected_version=site.version, op_id="far",
                            changes={"remediation_method": "ban"})
    assert err.value.code == "auth.row_security"
    assert store.get_site(SYSTEM, "PWK-FAR").version == site.version  # nothing written
    assert [e.action for e in store.audit_log(SYSTEM, action="auth.denied")][:1] == ["auth.denied"]
    # Own town: the same path works, so the wall is about towns, not about the switched-off check.
    change(store, "PWK-T01", "remediating", changes={"remediation_method": "ban"})
    # And straight SQL as the app's role, claiming to be an inspector of other towns, changes nothing.
    conn = store._connect()
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT set_config('onemap.role', 'inspector', true), set_config('onemap.towns', '350181103', true)")
        assert conn.execute("UPDATE outfalls SET name = 'x' WHERE site_id = 'PWK-FAR'").rowcount == 0
        with pytest.raises(store.DriverError, match="row-level security"):
            conn.execute("INSERT INTO outfalls (geom, site_id, name, town_code, status, version, updated_at, updated_by)"
                         " VALUES (ST_GeomFromText('POINT(119.5 25.6)', 4326), 'PWK-X', 'x', '350181112', 'surveyed',"
                         " 0, now(), 'x')")
        conn.execute("ROLLBACK")
    finally:
        store._end_read(conn)


@pytest.mark.parametrize("store_target", ["postgis"], indirect=True)
def test_the_app_role_owns_nothing_and_cannot_switch_the_walls_off(store):
    conn = store._connect()
    try:
        assert conn.execute("SELECT current_user").fetchone()[0] == "onemap_app"
        for sql in ("ALTER TABLE site_history DISABLE TRIGGER USER", "ALTER TABLE outfalls NO FORCE ROW LEVEL SECURITY",
                    "DROP TRIGGER site_history_no_update ON site_history", "TRUNCATE audit_log"):
            with pytest.raises(store.DriverError):
                conn.execute(sql)
    finally:
        store._end_read(conn)
