"""Monitoring tables in the store and the status gates on every path: readings written like every change
(who, when, audit row, permissions, idempotency, append-only with corrections and voids); a body with heavy
readings cannot be marked 初见成效 by a status change or an import; clean campaigns allow it; relapse is
recorded by the readings themselves; overrides are explicit, administrators' only, recorded and shown."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import datetime, time, timedelta

import pytest

from geo.clock import CST, today_cst
from geo.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from geo.store import NewObservation, NewSite
from geo.store.gating import GatesMixin
from geo.store import create_store
from tests.factories import (ADMIN, INSPECTOR, REVIEWER, SYSTEM, add_accounts, campaign, make_store, outfall,
                             record_campaign, river)

SPEC = "black_odorous_readings"


@pytest.fixture
def store(store_target):
    """Every test here runs on both backends (GeoPackage, PostGIS)."""
    return make_store(store_target, [river(), river("HC-T02", town="350181110"), outfall()], clean_rivers=False)


def ago(days: int, hour: int = 10) -> datetime:
    return datetime.combine(today_cst() - timedelta(days=days), time(hour), tzinfo=CST)


@pytest.fixture
def aged(tmp_path):
    """A river being remediated for a month, so that campaigns and statuses can follow each other day by day."""
    def populate(store):
        add_accounts(store)
        store.add_sites(SYSTEM, [river()], source="test", created_at=ago(30))

    return create_store(tmp_path / "aged.gpkg", populate)


def backdated(store, status, days, **kw):
    site = store.get_site(SYSTEM, "HC-T01")
    return store.change_status(SYSTEM, "HC-T01", status, expected_version=site.version, op_id=uuid.uuid4().hex,
                               changed_at=ago(days), **kw)


def audit_count(store, action=None) -> int:
    sql, args = "SELECT count(*) FROM audit_log WHERE outcome='ok'", []
    if action:
        sql += " AND action = ?"
        args.append(action)
    with store._read() as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def to_status(store, status, actor=INSPECTOR, site_id="HC-T01", **kw):
    site = store.get_site(actor, site_id)
    return store.change_status(actor, site_id, status, expected_version=site.version, op_id=uuid.uuid4().hex, **kw)


# -- writing readings ------------------------------------------------------------------------------

def test_readings_are_written_with_who_when_and_one_audit_row(store):
    before = audit_count(store)
    w = record_campaign(store, "HC-T01", "clean", actor=INSPECTOR)
    assert w.applied and len(w.obs_ids) == 9 and w.sites == ("HC-T01",)
    assert audit_count(store) - before == 1 and audit_count(store, "obs.add") == 1
    rows = store.list_observations(REVIEWER, SPEC, ["HC-T01"])
    assert len(rows) == 9 and {r.recorded_by for r in rows} == {INSPECTOR.name} and rows[0].source == "test"
    assert rows[0].values["point"] == "P1" and rows[0].values["do_mg_l"] == 5.0


def test_the_same_op_id_twice_writes_once(store):
    rows = campaign("HC-T01", "clean")
    first = store.record_observations(INSPECTOR, SPEC, rows, op_id="tap")
    again = store.record_observations(INSPECTOR, SPEC, rows, op_id="tap")
    assert first.applied and not again.applied and again.obs_ids == first.obs_ids
    assert len(store.list_observations(REVIEWER, SPEC, ["HC-T01"])) == 9


@pytest.mark.parametrize("actor, site_id, error", [
    (REVIEWER, "HC-T01", PermissionDenied),     # reviewers change nothing
    (INSPECTOR, "HC-T02", PermissionDenied),    # 三山镇 is not the inspector's town
    (INSPECTOR, "PWK-T01", ValidationError),    # an outfall has no black-odorous readings
    (INSPECTOR, "HC-NONE", Exception),
])
def test_who_may_record_what(store, actor, site_id, error):
    with pytest.raises(error):
        store.record_observations(actor, SPEC, campaign(site_id), op_id=uuid.uuid4().hex)
    assert store.list_observations(SYSTEM, SPEC) == []


@pytest.mark.parametrize("values, code", [
    ({"point": "P1", "round": 1, "do_mg_l": -1.0}, "obs.out_of_range"),
    ({"point": "P1", "round": 0, "do_mg_l": 1.0}, "obs.out_of_range"),
    ({"point": "P1", "round": 1.5, "do_mg_l": 1.0}, "obs.bad_value"),
    ({"round": 1, "do_mg_l": 1.0}, "obs.required"),
    ({"point": "P1", "round": 1, "depth_cm": 0.0}, "obs.out_of_range"),
    ({"point": "P1", "round": 1, "cod": 3.0}, "obs.unknown_field"),
])
def test_bad_values_are_refused_naming_the_field(store, values, code):
    with pytest.raises(ValidationError) as e:
        store.record_observations(SYSTEM, SPEC, [NewObservation("HC-T01", today_cst().isoformat(), None, values)],
                                  op_id=uuid.uuid4().hex)
    assert e.value.code == code and e.value.zh and e.value.en


def test_a_duplicate_is_refused_and_a_correction_replaces_keeping_the_old_row(store):
    record_campaign(store, "HC-T01", "heavy")
    with pytest.raises(ValidationError) as e:
        record_campaign(store, "HC-T01", "heavy")
    assert e.value.code == "obs.duplicate" and "correct" in e.value.fix_en
    first = store.list_observations(REVIEWER, SPEC, ["HC-T01"])[0]
    with pytest.raises(PermissionDenied):
        store.correct_observation(INSPECTOR, SPEC, first.obs_id, reason="x", values={"do_mg_l": 5.0})
    with pytest.raises(ValidationError) as e:
        store.correct_observation(ADMIN, SPEC, first.obs_id, reason=" ", values={"do_mg_l": 5.0})
    assert e.value.code == "obs.reason_missing"
    w = store.correct_observation(ADMIN, SPEC, first.obs_id, reason="化验单录错", values={"do_mg_l": 5.0})
    current = store.list_observations(REVIEWER, SPEC, ["HC-T01"])
    every = store.list_observations(REVIEWER, SPEC, ["HC-T01"], include_replaced=True)
    assert len(current) == 9 and len(every) == 10 and w.replaced == (first.obs_id,)
    fixed = next(r for r in current if r.obs_id == w.obs_ids[0])
    assert fixed.values["do_mg_l"] == 5.0 and fixed.values["point"] == first.values["point"]
    assert fixed.action == "correct" and fixed.reason == "化验单录错"
    with pytest.raises(ValidationError) as e:  # the replaced row is no longer current
        store.void_observation(ADMIN, SPEC, first.obs_id, reason="x")
    assert e.value.code == "obs.not_current"
    store.void_observation(ADMIN, SPEC, fixed.obs_id, reason="重复录入")
    assert len(store.list_observations(REVIEWER, SPEC, ["HC-T01"])) == 8


def test_monitoring_tables_refuse_update_and_delete(store):
    """Even with the store's own connection (PostGIS: as the app's role), the database refuses."""
    record_campaign(store, "HC-T01")
    for sql in ("UPDATE black_odorous_readings SET do_mg_l = 9", "DELETE FROM black_odorous_readings"):
        conn = store._connect()
        try:
            with pytest.raises(store.DriverError, match="append-only"):
                conn.execute(sql)
        finally:
            store._end_read(conn)


# -- the gate on a status change (app and CLI) -----------------------------------------------------

def test_heavy_readings_block_initial_effect_and_say_what_is_missing(store):
    record_campaign(store, "HC-T01", "heavy")
    with pytest.raises(TransitionNotAllowed) as e:
        to_status(store, "initial_effect")
    err = e.value
    assert err.code == "status.evidence_missing"
    assert "heavy" in err.en and "重度黑臭" in err.zh and "初见成效" in err.zh
    assert "no black-odorous point" in err.fix_en and "越过" in err.fix_zh
    assert store.get_site(REVIEWER, "HC-T01").status == "remediating"


def test_no_readings_block_initial_effect(store):
    with pytest.raises(TransitionNotAllowed, match="no readings"):
        to_status(store, "initial_effect")


def test_a_clean_campaign_allows_initial_effect(store):
    record_campaign(store, "HC-T01", "heavy", day=today_cst() - timedelta(days=1))
    record_campaign(store, "HC-T01", "clean")
    result = to_status(store, "initial_effect")
    assert result.site.status == "initial_effect" and result.entry.override is None


def test_the_gate_runs_while_the_write_lock_is_held(store, monkeypatch):
    """A concurrent write of readings cannot slip between the check and the status write."""
    if store.backend != "gpkg":
        pytest.skip("probes the GeoPackage write lock; the PostGIS writer lock is tested with the racing writers")
    record_campaign(store, "HC-T01", "clean")
    seen = []
    original = GatesMixin._site_observations

    def probe(self, conn, kind, site_id):
        other = sqlite3.connect(store.path, timeout=0.05)
        try:
            other.execute("BEGIN IMMEDIATE")
            seen.append("not locked")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            seen.append(str(exc))
        finally:
            other.close()
        return original(self, conn, kind, site_id)

    monkeypatch.setattr(GatesMixin, "_site_observations", probe)
    to_status(store, "initial_effect")
    assert seen and all("locked" in s for s in seen) and "not locked" not in seen


def test_a_racing_heavy_campaign_and_a_status_change_never_leave_initial_effect_over_heavy_readings(store):
    record_campaign(store, "HC-T01", "clean", day=today_cst() - timedelta(days=2))
    heavy = campaign("HC-T01", "heavy", first_round=1)
    errors = []

    def write_heavy():
        try:
            store.record_observations(SYSTEM, SPEC, heavy, op_id="race-heavy")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    def change():
        try:
            to_status(store, "initial_effect")
        except TransitionNotAllowed:
            pass

    threads = [threading.Thread(target=write_heavy), threading.Thread(target=change)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    site = store.get_site(REVIEWER, "HC-T01")
    # Whichever came first, the body is not 初见成效 over a heavy latest campaign: either the change was refused,
    # or it went first and the heavy campaign then opened 返黑返臭.
    assert site.status in ("remediating", "relapsed")


# -- overrides -------------------------------------------------------------------------------------

def test_only_an_administrator_may_override_and_the_reason_is_recorded(store):
    record_campaign(store, "HC-T01", "heavy")
    with pytest.raises(PermissionDenied):
        to_status(store, "initial_effect", actor=INSPECTOR, override="领导同意")
    with pytest.raises(ValidationError) as e:
        to_status(store, "initial_effect", actor=ADMIN, override="   ")
    assert e.value.code == "override.reason_missing"
    with pytest.raises(TransitionNotAllowed):
        to_status(store, "initial_effect", actor=ADMIN)  # an administrator is not let through by default
    result = to_status(store, "initial_effect", actor=ADMIN, override="省厅现场核查认定，化验单待补")
    assert result.site.status == "initial_effect"
    assert result.entry.override == "省厅现场核查认定，化验单待补"
    assert store.history(REVIEWER, "HC-T01")[-1].override == result.entry.override
    row = store.audit_log(ADMIN, action="site.status")[0]
    assert row.details["override"] == result.entry.override and row.details["gates"][0]["missing_en"]


def test_an_override_is_not_recorded_when_the_evidence_is_there(store):
    record_campaign(store, "HC-T01", "clean")
    result = to_status(store, "initial_effect", actor=ADMIN, override="以防万一")
    assert result.entry.override is None


# -- relapse ---------------------------------------------------------------------------------------

def test_a_black_campaign_after_initial_effect_opens_relapse_by_itself(aged):
    record_campaign(aged, "HC-T01", "clean", day=today_cst() - timedelta(days=20), recorded_at=ago(18))
    backdated(aged, "initial_effect", 15)
    w = record_campaign(aged, "HC-T01", "light", day=today_cst() - timedelta(days=10), recorded_at=ago(8))
    assert [c["to"] for c in w.status_changes] == ["relapsed"]
    site = aged.get_site(REVIEWER, "HC-T01")
    last = aged.history(REVIEWER, "HC-T01")[-1]
    assert site.status == "relapsed" and last.source == "evidence" and last.actor == SYSTEM.name
    assert "返黑返臭" in last.note and "轻度黑臭" in last.note
    # ... and its own path back: remediation again, then a clean campaign since.
    backdated(aged, "remediating", 6)
    with pytest.raises(TransitionNotAllowed):
        backdated(aged, "initial_effect", 5)  # the clean campaign before the relapse does not count
    record_campaign(aged, "HC-T01", "clean", day=today_cst() - timedelta(days=4), recorded_at=ago(2))
    assert to_status(aged, "initial_effect").site.status == "initial_effect"


def test_a_clean_campaign_after_initial_effect_changes_nothing(aged):
    record_campaign(aged, "HC-T01", "clean", day=today_cst() - timedelta(days=20), recorded_at=ago(18))
    backdated(aged, "initial_effect", 15)
    w = record_campaign(aged, "HC-T01", "clean", actor=INSPECTOR)
    assert w.status_changes == () and aged.get_site(REVIEWER, "HC-T01").status == "initial_effect"


def test_a_relapse_after_long_term_clean_is_recordable(store):
    # 长治久清 is no longer terminal: a body can turn black again.
    spec = pytest.importorskip("layers").REGISTRY["black_odorous"]
    assert spec.transition("long_term_clean", "relapsed") is not None
    assert not any(s.terminal for s in spec.statuses)


# -- imports ---------------------------------------------------------------------------------------

def _ledger_row(status: str) -> NewSite:
    r = river()
    return NewSite(r.kind, r.site_id, r.name, r.town_code, status, r.geometry, r.deadline, attrs=r.attrs)


def test_a_ledger_import_cannot_mark_heavy_readings_initial_effect(store):
    record_campaign(store, "HC-T01", "heavy")
    with pytest.raises(TransitionNotAllowed) as e:
        store.import_batch(ADMIN, [_ledger_row("initial_effect")], source_name="台账.xlsx")
    assert e.value.code == "status.evidence_missing" and "Nothing was imported" in e.value.en
    assert e.value.context["row"] == 1 and store.get_site(REVIEWER, "HC-T01").status == "remediating"
    r = store.import_batch(ADMIN, [_ledger_row("initial_effect")], source_name="台账.xlsx", skip_invalid=True)
    assert r.skipped and r.skipped[0][1] == "HC-T01"
    r = store.import_batch(ADMIN, [_ledger_row("initial_effect")], source_name="台账.xlsx", override="按省厅认定清单")
    assert r.updated == ("HC-T01",)
    assert store.history(REVIEWER, "HC-T01")[-1].override == "按省厅认定清单"


def test_a_ledger_import_with_clean_readings_sets_initial_effect(store):
    record_campaign(store, "HC-T01", "clean")
    r = store.import_batch(ADMIN, [_ledger_row("initial_effect")], source_name="台账.xlsx")
    assert r.updated == ("HC-T01",) and store.history(REVIEWER, "HC-T01")[-1].override is None


def test_a_new_site_cannot_be_imported_or_added_as_initial_effect(store):
    new = NewSite("black_odorous", "HC-T09", "新河", "350181002", "initial_effect", river().geometry,
                  attrs={"water_kind": "urban"})
    with pytest.raises(TransitionNotAllowed):
        store.import_batch(ADMIN, [new], source_name="台账.xlsx")
    with pytest.raises(TransitionNotAllowed):
        store.add_sites(ADMIN, [new])
    preview = store.import_gate_preview(ADMIN, [new, _ledger_row("remediating")])
    assert list(preview) == ["HC-T09"] and not preview["HC-T09"][0][1].ok


def test_importing_readings_is_a_batch_that_undo_voids_and_restores_the_status(aged):
    store = aged
    record_campaign(store, "HC-T01", "clean", day=today_cst() - timedelta(days=20), recorded_at=ago(18))
    backdated(store, "initial_effect", 15)
    w = store.import_observations(ADMIN, SPEC, campaign("HC-T01", "heavy"), source_name="监测.xlsx")
    assert w.batch_id and [c["to"] for c in w.status_changes] == ["relapsed"]
    assert store.list_batches(ADMIN)[0].kind == SPEC
    with pytest.raises(PermissionDenied):
        store.import_observations(INSPECTOR, SPEC, campaign("HC-T01"), source_name="x.xlsx")
    undone = store.undo_batch(ADMIN, w.batch_id)
    assert undone.restored == ("HC-T01",)
    assert store.get_site(REVIEWER, "HC-T01").status == "initial_effect"
    assert len(store.list_observations(REVIEWER, SPEC, ["HC-T01"])) == 9  # the heavy rows are voided
    assert len(store.list_observations(REVIEWER, SPEC, ["HC-T01"], include_replaced=True)) == 27


def test_data_version_moves_with_readings(store):
    from tests.test_store_instances import _wait

    v = store.data_version()
    record_campaign(store, "HC-T01")
    assert _wait(lambda: store.data_version() != v)  # PostGIS: delivered by NOTIFY after the commit
