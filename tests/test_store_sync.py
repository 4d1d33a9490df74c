"""Offline changes in the store: applied once, stale ones kept as conflicts with both sides, refusals with the
store's message, resolutions with who and when, photos by hash, device tokens that end when they should."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from geo.errors import NotFoundError, PermissionDenied, StoreError, ValidationError, VersionConflict
from geo.store import Evidence
from geo.store import sync as sync_mod
from geo.store.sync import OfflineChange
from tests.factories import (
    ADMIN,
    INSPECTOR,
    PASSWORD,
    REVIEWER,
    SYSTEM,
    make_store,
    outfall,
    park,
    river,
)

CAPTURED = datetime(2025, 11, 20, 9, 30, 12, tzinfo=timezone.utc)
FIX = Evidence(lon=119.4701, lat=25.6601, accuracy_m=8.0, fix_time=CAPTURED - timedelta(seconds=20),
               distance_m=14.2, remote=False)
OTHER = "巡查员乙"


@pytest.fixture
def store(store_target):
    """A store on each backend (a GeoPackage file, a PostGIS database) with an outfall, a river and a park."""
    s = make_store(store_target, [outfall(), river(), park()])
    s.add_user(SYSTEM, OTHER, "inspector", password=PASSWORD, towns=["350181103"])
    return s


def change(site_id="PWK-T01", to="remediating", base=0, *, op=None, **kw) -> OfflineChange:
    kw.setdefault("changes", {"remediation_method": "standardise"} if to == "remediating" else {})
    return OfflineChange(op_id=op or uuid.uuid4().hex, site_id=site_id, base_version=base, to_status=to,
                         captured_at=CAPTURED, note=kw.pop("note", "现场已开工"), evidence=kw.pop("evidence", FIX),
                         **kw)


def rows(store, table: str, where: str = "1=1", args=()) -> list:
    with store._read() as conn:
        return conn.execute(f"SELECT * FROM {table} WHERE {where}", args).fetchall()


def sql(store, statement: str, args=()) -> None:
    """A statement run as the database's owner would (the test plays an idle session, an old token)."""
    with store._write() as conn:
        conn.execute(statement, args)


def audit(store, action: str) -> list:
    return rows(store, "audit_log", "action = ?", (action,))


# -- applied once -----------------------------------------------------------------------------------------


def test_an_offline_change_is_applied_once_with_the_captures_fix_and_times(store):
    ch = change(clock_offset_s=-3.5, device_id="d1")
    out = store.submit_offline_change(INSPECTOR, ch)
    assert out.outcome == "applied" and not out.replay
    site = store.get_site(SYSTEM, "PWK-T01")
    assert (site.status, site.version, site.attrs["remediation_method"]) == ("remediating", 1, "standardise")
    entry = store.history(SYSTEM, "PWK-T01")[-1]
    assert entry.op_id == ch.op_id and entry.source == "offline" and entry.actor == INSPECTOR.name
    assert entry.evidence.fix_time == FIX.fix_time and entry.evidence.distance_m == 14.2
    assert not entry.evidence.remote
    rec = out.record
    assert rec.captured_at == "2025-11-20T09:30:12.000Z" and rec.clock_offset_s == -3.5 and rec.device_id == "d1"
    assert rec.applied_at == entry.changed_at and rec.applied_version == 1 and rec.history_id == entry.id
    assert entry.changed_at > rec.captured_at  # the history keeps the server's time of application
    assert [len(audit(store, a)) for a in ("site.status", "field.receive", "field.applied")] == [1, 1, 1]

    again = store.submit_offline_change(INSPECTOR, ch)  # a retry or a replayed request
    assert again.outcome == "applied" and again.replay
    assert len(store.history(SYSTEM, "PWK-T01")) == 2 and store.get_site(SYSTEM, "PWK-T01").version == 1
    assert [len(audit(store, a)) for a in ("site.status", "field.receive", "field.applied")] == [1, 1, 1]


def test_two_changes_of_one_site_made_in_a_row_offline_both_apply(store):
    a = change(changes={"remediation_method": "ban"})  # removed by law: complete with no 规范化 item
    b = change(to="remediated", base=1, after_op=a.op_id, changes={})
    assert store.submit_offline_change(INSPECTOR, a).outcome == "applied"
    assert store.submit_offline_change(INSPECTOR, b).outcome == "applied"
    assert store.get_site(SYSTEM, "PWK-T01").status == "remediated"


# -- conflicts ---------------------------------------------------------------------------------------------


def test_a_stale_change_is_kept_as_a_conflict_with_both_sides_and_nothing_applied(store):
    store.change_status(ADMIN, "PWK-T01", "remediating", expected_version=0, op_id="office-1",
                        changes={"remediation_method": "ban"}, note="办公室更新")
    before = len(store.history(SYSTEM, "PWK-T01"))
    ch = change(note="离线记录")
    out = store.submit_offline_change(INSPECTOR, ch)
    assert out.outcome == "conflict" and not out.replay
    rec = out.record
    assert rec.open_conflict and rec.message["code"] == "field.stale_version"
    assert "版本 0" in rec.message["zh"] and "当前版本 1" in rec.message["zh"] and ADMIN.name in rec.message["zh"]
    assert rec.submitted["note"] == "离线记录" and rec.submitted["changes"] == {"remediation_method": "standardise"}
    assert rec.submitted["evidence"]["lon"] == FIX.lon
    server = rec.server_state
    assert (server["status"], server["version"], server["attrs"]["remediation_method"]) == ("remediating", 1, "ban")
    assert [c["actor"] for c in server["changes_since"]] == [ADMIN.name]
    assert server["changes_since"][0]["note"] == "办公室更新"
    assert len(store.history(SYSTEM, "PWK-T01")) == before  # nothing applied
    assert store.get_site(SYSTEM, "PWK-T01").attrs["remediation_method"] == "ban"
    assert len(audit(store, "field.conflict")) == 1

    again = store.submit_offline_change(INSPECTOR, ch)
    assert again.outcome == "conflict" and again.replay and len(audit(store, "field.conflict")) == 1
    assert [r.op_id for r in store.offline_changes(REVIEWER, open_conflicts=True)] == [ch.op_id]


def test_a_change_made_on_top_of_one_that_did_not_apply_is_a_conflict_too(store):
    store.change_status(ADMIN, "PWK-T01", "remediating", expected_version=0, op_id="office-1",
                        changes={"remediation_method": "ban"})
    a = change()  # based on version 0: stale
    b = change(to="remediated", base=1, after_op=a.op_id, changes={})  # base 1 is the current version, by chance
    assert store.submit_offline_change(INSPECTOR, a).outcome == "conflict"
    out = store.submit_offline_change(INSPECTOR, b)
    assert out.outcome == "conflict" and out.record.message["code"] == "field.after_unapplied"
    assert store.get_site(SYSTEM, "PWK-T01").status == "remediating"


def test_a_change_made_by_someone_between_the_check_and_the_write_is_a_conflict(store, monkeypatch):
    real = type(store).change_status

    def racing(self, actor, site_id, *args, **kw):
        if kw.get("source") == "offline":
            real(self, ADMIN, site_id, "remediating", expected_version=0, op_id="racer",
                 changes={"remediation_method": "merge"})
        return real(self, actor, site_id, *args, **kw)

    monkeypatch.setattr(type(store), "change_status", racing)
    out = store.submit_offline_change(INSPECTOR, change())
    assert out.outcome == "conflict" and out.record.server_state["attrs"]["remediation_method"] == "merge"
    assert store.get_site(SYSTEM, "PWK-T01").version == 1


# -- refusals -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("to, changes, code", [
    ("closed", {}, "status.transition_not_allowed"),
    ("remediating", {}, "field.required_for_transition"),
    ("remediating", {"remediation_method": "dig"}, None),  # an unknown choice: the attribute check's code
])
def test_a_change_the_store_refuses_is_kept_with_the_stores_message(store, to, changes, code):
    ch = change(to=to, changes=changes)
    out = store.submit_offline_change(INSPECTOR, ch)
    assert out.outcome == "refused"
    msg = out.record.message
    assert msg["zh"] and msg["en"] and (code is None or msg["code"] == code)
    assert store.get_site(SYSTEM, "PWK-T01").version == 0
    again = store.submit_offline_change(INSPECTOR, ch)
    assert again.replay and again.outcome == "refused" and len(audit(store, "field.refused")) == 1


@pytest.mark.parametrize("actor, site, code", [
    (INSPECTOR, "YQ-T01", "auth.denied"),           # a town of the inspector: allowed below
    (REVIEWER, "PWK-T01", "field.inspectors_only"),
    (ADMIN, "PWK-T01", "field.inspectors_only"),
])
def test_only_inspectors_and_only_in_their_towns(store, actor, site, code):
    if actor is INSPECTOR:
        # YQ-T01 lies in 350181116, one of INSPECTOR's towns; OTHER has only 350181103.
        actor = type(INSPECTOR)(OTHER, role="inspector")
    ch = change(site_id=site, to="completed", changes={})
    with pytest.raises(PermissionDenied) as e:
        store.submit_offline_change(actor, ch)
    assert e.value.code == code
    assert rows(store, "field_changes") == []
    assert audit(store, "auth.denied")


def test_an_op_id_cannot_be_reused_for_another_site(store):
    ch = change()
    store.submit_offline_change(INSPECTOR, ch)
    with pytest.raises(ValidationError) as e:
        store.submit_offline_change(INSPECTOR, change(site_id="HC-T01", to="initial_effect", op=ch.op_id, changes={}))
    assert e.value.code == "op.reused"


def test_an_op_id_the_app_used_for_another_site_is_refused(store):
    store.change_status(ADMIN, "HC-T01", "initial_effect", expected_version=0, op_id="app-op-123")
    with pytest.raises(ValidationError) as e:
        store.submit_offline_change(INSPECTOR, change(op="app-op-123"))
    assert e.value.code == "op.reused" and rows(store, "field_changes") == []


def test_an_unknown_site_is_refused_by_name(store):
    with pytest.raises(NotFoundError) as e:
        store.submit_offline_change(INSPECTOR, change(site_id="PWK-NOPE"))
    assert "PWK-NOPE" in e.value.zh


# -- photos ---------------------------------------------------------------------------------------------------


def test_photos_must_arrive_first_and_are_recorded_once(store):
    up = "a" * 64
    ch = change(photos=[up])
    with pytest.raises(ValidationError) as e:
        store.submit_offline_change(INSPECTOR, ch)
    assert e.value.code == "field.photo_missing" and rows(store, "field_changes") == []
    assert store.field_photo(INSPECTOR, up) is None
    assert store.record_field_photo(INSPECTOR, up, "b" * 64, 1234) == "b" * 64
    assert store.record_field_photo(INSPECTOR, up, "c" * 64, 1234) == "b" * 64  # the first record stays
    assert len(audit(store, "field.photo")) == 1
    out = store.submit_offline_change(INSPECTOR, ch)
    assert out.outcome == "applied" and store.history(SYSTEM, "PWK-T01")[-1].photos == ("b" * 64,)
    with pytest.raises(PermissionDenied):
        store.record_field_photo(REVIEWER, "d" * 64, "d" * 64, 1)


def _photo(tmp_colour) -> tuple[str, str]:
    """A photo as the device sent it: (the hash of the uploaded bytes, the stored photo's hash)."""
    import hashlib
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), tmp_colour).save(buf, "PNG")
    data = buf.getvalue()
    return hashlib.sha256(data).hexdigest(), data


def _upload(store, data: bytes) -> str:
    import hashlib

    from geo.photos import store_photo

    ref = store_photo(data, store.photos_dir)
    return store.record_field_photo(INSPECTOR, hashlib.sha256(data).hexdigest(), ref.sha256, len(data))


def test_photo_fields_go_by_the_stored_photos_hash_and_wait_for_their_upload(store):
    # 规范整治 on the device: the sign and the sampling point, each with a photo (layers/outfalls.py).
    assert store.submit_offline_change(INSPECTOR, change()).outcome == "applied"
    (sign_up, sign_data), (point_up, point_data) = _photo((200, 10, 10)), _photo((10, 10, 200))
    ch = change(to="remediated", base=1, changes={"sign_board": True, "sign_board_photo": sign_up,
                                                   "sampling_point": True, "sampling_point_photo": point_up})
    with pytest.raises(ValidationError) as e:
        store.submit_offline_change(INSPECTOR, ch)
    assert e.value.code == "field.photo_missing" and rows(store, "field_changes") == [rows(store, "field_changes")[0]]
    sign = _upload(store, sign_data)
    with pytest.raises(ValidationError) as e:  # one of the two has arrived: still waiting
        store.submit_offline_change(INSPECTOR, ch)
    assert e.value.context["missing"] == [point_up]
    point = _upload(store, point_data)
    out = store.submit_offline_change(INSPECTOR, ch)
    assert out.outcome == "applied", out.record.message
    site = store.get_site(SYSTEM, "PWK-T01")
    assert (site.status, site.attrs["sign_board_photo"], site.attrs["sampling_point_photo"]) == ("remediated", sign, point)
    assert set(store.history(SYSTEM, "PWK-T01")[-1].photos) == {sign, point}
    # As sent and as stored, both kept with the record (a reviewer sees what the device sent).
    assert out.record.submitted["changes"]["sign_board_photo"] == sign_up
    assert out.record.submitted["stored_changes"]["sign_board_photo"] == sign


def test_a_guard_the_change_breaks_refuses_it_with_the_guards_message(store):
    assert store.submit_offline_change(INSPECTOR, change()).outcome == "applied"
    out = store.submit_offline_change(INSPECTOR, change(to="remediated", base=1, changes={"sign_board": True}))
    assert out.outcome == "refused" and out.record.message["code"] == "outfall.standardise_incomplete"
    assert "标志牌和采样点" in out.record.message["zh"] and out.record.message["fix_zh"]
    assert store.get_site(SYSTEM, "PWK-T01").status == "remediating"


def test_a_change_that_needs_a_photo_is_refused_without_one_and_applied_with_one(store):
    for op, to, ch in (("o1", "remediating", {"remediation_method": "ban"}), ("o2", "remediated", {})):
        store.change_status(ADMIN, "PWK-T01", to, expected_version=int(op[1]) - 1, op_id=op, changes=ch)
    record = {"closure_date": "2025-12-01", "closure_body": "福清市生态环境局", "closure_doc_no": "融环〔2025〕12号"}
    out = store.submit_offline_change(INSPECTOR, change(to="closed", base=2, changes=record))
    assert out.outcome == "refused" and out.record.message["code"] == "status.photo_required"
    up, data = _photo((20, 160, 20))
    stored = _upload(store, data)
    out = store.submit_offline_change(INSPECTOR, change(to="closed", base=2, changes=record, photos=[up]))
    assert out.outcome == "applied"
    assert store.get_site(SYSTEM, "PWK-T01").attrs["closure_doc_no"] == "融环〔2025〕12号"
    assert store.history(SYSTEM, "PWK-T01")[-1].photos == (stored,)


def test_a_photo_field_that_is_not_a_hash_is_refused_naming_the_field_not_waited_for(store):
    assert store.submit_offline_change(INSPECTOR, change()).outcome == "applied"
    out = store.submit_offline_change(INSPECTOR, change(to="remediated", base=1,
                                                        changes={"sign_board_photo": "IMG_0001.jpg"}))
    assert out.outcome == "refused" and out.record.message["code"] == "field.bad_photo"
    assert "标志牌照片" in out.record.message["zh"]


def test_a_conflict_with_photo_fields_is_reapplied_with_the_stored_photos(store):
    assert store.submit_offline_change(INSPECTOR, change()).outcome == "applied"
    (sign_up, sign_data), (point_up, point_data) = _photo((200, 10, 10)), _photo((10, 10, 200))
    sign, point = _upload(store, sign_data), _upload(store, point_data)
    store.update_attributes(ADMIN, "PWK-T01", {"permit_no": "91350181MA"}, expected_version=1, op_id="office-e")
    ch = change(to="remediated", base=1, changes={"sign_board": True, "sign_board_photo": sign_up,
                                                   "sampling_point": True, "sampling_point_photo": point_up})
    assert store.submit_offline_change(INSPECTOR, ch).outcome == "conflict"
    assert store.get_site(SYSTEM, "PWK-T01").status == "remediating"
    store.resolve_offline_conflict(INSPECTOR, ch.op_id, "reapply", expected_version=2)
    site = store.get_site(SYSTEM, "PWK-T01")
    assert (site.status, site.attrs["sign_board_photo"], site.attrs["sampling_point_photo"]) == ("remediated", sign, point)


# -- interrupted syncs ------------------------------------------------------------------------------------------


def test_a_sync_interrupted_before_or_after_the_write_completes_once_on_retry(store, monkeypatch):
    ch = change()
    real = type(store).change_status
    monkeypatch.setattr(type(store), "change_status", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        store.submit_offline_change(INSPECTOR, ch)
    assert store.offline_change(SYSTEM, ch.op_id).outcome == "received"
    monkeypatch.setattr(type(store), "change_status", real)

    finish = sync_mod.SyncMixin._finish
    monkeypatch.setattr(sync_mod.SyncMixin, "_finish", staticmethod(lambda *a, **k: (_ for _ in ()).throw(OSError())))
    with pytest.raises(OSError):
        store.submit_offline_change(INSPECTOR, ch)  # applied, its record not written
    assert store.offline_change(SYSTEM, ch.op_id).outcome == "applied"  # the history row tells
    monkeypatch.setattr(sync_mod.SyncMixin, "_finish", finish)
    out = store.submit_offline_change(INSPECTOR, ch)
    assert out.outcome == "applied" and out.replay
    assert [e.op_id for e in store.history(SYSTEM, "PWK-T01")].count(ch.op_id) == 1
    assert rows(store, "field_changes")[0]["outcome"] == "applied"


# -- resolving conflicts ---------------------------------------------------------------------------------------------


def _conflict(store) -> str:
    store.change_status(ADMIN, "PWK-T01", "remediating", expected_version=0, op_id="office-1",
                        changes={"remediation_method": "ban"})
    store.change_status(ADMIN, "PWK-T01", "remediated", expected_version=1, op_id="office-2")
    ch = change(to="remediating", base=0)
    assert store.submit_offline_change(INSPECTOR, ch).outcome == "conflict"
    return ch.op_id


def test_a_conflict_is_discarded_by_its_inspector_or_an_admin_with_who_and_when(store):
    op = _conflict(store)
    for who in (REVIEWER, type(INSPECTOR)(OTHER, role="inspector")):
        with pytest.raises(PermissionDenied):
            store.resolve_offline_conflict(who, op, "discard")
    rec = store.resolve_offline_conflict(INSPECTOR, op, "discard", note="已与办公室核对")
    assert (rec.resolution, rec.resolved_by, rec.resolution_note) == ("discarded", INSPECTOR.name, "已与办公室核对")
    assert rec.resolved_at and not rec.open_conflict
    with pytest.raises(ValidationError) as e:
        store.resolve_offline_conflict(ADMIN, op, "discard")
    assert e.value.code == "field.not_open_conflict"
    assert store.get_site(SYSTEM, "PWK-T01").version == 2
    assert len(audit(store, "field.conflict.discard")) == 1


def test_a_conflict_is_reapplied_on_the_current_version_once_keeping_the_captures_evidence(store):
    op = _conflict(store)  # the site is now remediated (v2); the offline change asked for remediating
    with pytest.raises(VersionConflict):
        store.resolve_offline_conflict(ADMIN, op, "reapply", expected_version=1, note="核对后重新提交")
    rec = store.resolve_offline_conflict(ADMIN, op, "reapply", expected_version=2, note="整治效果复查未达标")
    assert (rec.resolution, rec.resolved_by) == ("reapplied", ADMIN.name)
    assert rec.applied_version == 3 and rec.outcome == "conflict"
    site = store.get_site(SYSTEM, "PWK-T01")
    assert (site.status, site.version, site.attrs["remediation_method"]) == ("remediating", 3, "standardise")
    entry = store.history(SYSTEM, "PWK-T01")[-1]
    assert entry.op_id == op and entry.source == "offline_reapplied" and entry.actor == ADMIN.name
    assert entry.evidence.lon == FIX.lon and entry.evidence.fix_time == FIX.fix_time
    assert "离线采集于 2025-11-20T09:30:12.000Z" in entry.note and INSPECTOR.name in entry.note
    with pytest.raises(ValidationError):
        store.resolve_offline_conflict(ADMIN, op, "reapply", expected_version=3)
    assert store.offline_changes(REVIEWER, open_conflicts=True) == []
    # The device sends it once more: the answer is the record, nothing changes.
    again = store.submit_offline_change(INSPECTOR, change(op=op, base=0))
    assert again.replay and again.record.resolution == "reapplied" and store.get_site(SYSTEM, "PWK-T01").version == 3


def test_reapplying_a_change_the_current_status_does_not_allow_is_refused_and_the_conflict_stays_open(store):
    op = _conflict(store)
    store.change_status(ADMIN, "PWK-T01", "remediating", expected_version=2, op_id="office-3")  # found wanting
    with pytest.raises(ValidationError) as e:
        store.resolve_offline_conflict(ADMIN, op, "reapply", expected_version=3)
    assert e.value.code == "status.transition_not_allowed"
    assert store.offline_change(SYSTEM, op).open_conflict


def test_reviewers_read_every_record_inspectors_their_own(store):
    store.submit_offline_change(INSPECTOR, change())
    assert len(store.offline_changes(REVIEWER)) == 1
    assert store.offline_changes(type(INSPECTOR)(OTHER, role="inspector"), mine=True) == []
    with pytest.raises(ValidationError):
        store.offline_changes(REVIEWER, outcome="lost")


# -- device tokens -------------------------------------------------------------------------------------------------


def test_a_device_token_is_stored_hashed_and_ends_with_revocation_logout_or_password_change(store):
    login = store.login(INSPECTOR.name, PASSWORD, client="web:10.0.0.5")
    device, token = store.enroll_device(login.token, label="平板 1", client="web:10.0.0.5")
    assert token not in str([tuple(r) for r in rows(store, "field_devices")])
    actor, device_id = store.device_actor(token)
    assert (actor.name, actor.role, device_id) == (INSPECTOR.name, "inspector", device.device_id)
    assert [d.device_id for d in store.list_devices(ADMIN)] == [device.device_id]
    with pytest.raises(PermissionDenied):
        store.revoke_device(REVIEWER, device.device_id)
    store.revoke_device(ADMIN, device.device_id)
    with pytest.raises(PermissionDenied) as e:
        store.device_actor(token)
    assert e.value.code == "auth.device_ended"

    _, token2 = store.enroll_device(login.token)
    store.logout(login.token)  # logging out on the one map ends the devices made in that session
    with pytest.raises(PermissionDenied):
        store.device_actor(token2)
    with pytest.raises(PermissionDenied):
        store.enroll_device(login.token)

    login2 = store.login(INSPECTOR.name, PASSWORD)
    _, token3 = store.enroll_device(login2.token)
    store.device_actor(token3)
    store.set_password(SYSTEM, INSPECTOR.name, PASSWORD + "新")
    with pytest.raises(PermissionDenied):
        store.device_actor(token3)


def test_a_device_token_outlives_an_idle_session_but_not_its_own_lifetime(store):
    login = store.login(INSPECTOR.name, PASSWORD)
    _, token = store.enroll_device(login.token)
    sql(store, "UPDATE sessions SET last_seen = '2000-01-01T00:00:00.000Z'")  # the session idled out
    assert store.device_actor(token)[0].name == INSPECTOR.name
    sql(store, "UPDATE field_devices SET expires_at = '2000-01-01T00:00:00.000Z'")
    with pytest.raises(PermissionDenied):
        store.device_actor(token)


def test_only_inspectors_enroll_devices_and_a_new_token_replaces_the_old(store):
    login = store.login(ADMIN.name, PASSWORD)
    with pytest.raises(PermissionDenied):
        store.enroll_device(login.token)
    login = store.login(INSPECTOR.name, PASSWORD)
    _, old = store.enroll_device(login.token)
    _, new = store.enroll_device(login.token, replaces=old)
    with pytest.raises(PermissionDenied):
        store.device_actor(old)
    store.device_actor(new)
    store.field_logout(session_token=login.token, device_token=new)
    with pytest.raises(PermissionDenied):
        store.device_actor(new)
    assert len(audit(store, "auth.logout")) == 1


#: Writes no code path makes (geo/store/sync.py), refused by the database on both backends (schema 11 / step 7).
FORBIDDEN_DEVICE_WRITES = [
    ("deleted", "DELETE FROM field_devices"),
    ("its token swapped", "UPDATE field_devices SET token_hash = 'x'"),
    ("given to another account", "UPDATE field_devices SET user_name = '管理员'"),
    ("moved to another session", "UPDATE field_devices SET session_hash = NULL"),
    ("revived", "UPDATE field_devices SET revoked_at = NULL, revoked_by = NULL"),
    ("revoked again by someone else", "UPDATE field_devices SET revoked_by = '巡查员乙'"),
]


@pytest.mark.parametrize("what, statement", FORBIDDEN_DEVICE_WRITES, ids=[w for w, _ in FORBIDDEN_DEVICE_WRITES])
def test_a_device_token_is_never_deleted_nor_remade_and_its_revocation_is_final(store, what, statement):
    login = store.login(INSPECTOR.name, PASSWORD)
    device, token = store.enroll_device(login.token)
    store.device_actor(token)  # the writes the store does make still go through: last seen ...
    store.revoke_device(ADMIN, device.device_id)  # ... and a first revocation
    before = [tuple(r) for r in rows(store, "field_devices")]
    with pytest.raises(StoreError) as e:
        sql(store, statement)
    assert e.value.code == "store.append_only", what
    assert [tuple(r) for r in rows(store, "field_devices")] == before
    with pytest.raises(PermissionDenied):
        store.device_actor(token)


def test_a_store_at_schema_6_gets_the_field_tables(tmp_path):
    path = tmp_path / "old.gpkg"
    make_store(path, [river()])
    con = sqlite3.connect(path)
    for t in ("field_changes", "field_photos", "field_devices"):
        con.execute(f"DROP TABLE {t}")
        con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (t,))
    con.execute("UPDATE store_meta SET value = '6' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    from geo.store import create_store

    from geo.store.schema import SCHEMA_VERSION

    store = create_store(path)
    assert store.meta()["schema_version"] == SCHEMA_VERSION  # 7 brought the field tables; later steps follow
    assert store.offline_changes(REVIEWER) == []
    names = {r["table_name"] for r in rows(store, "gpkg_contents")}
    assert {"field_changes", "field_photos", "field_devices"} <= names


# -- PostGIS: the database's own walls ---------------------------------------------


@pytest.mark.parametrize("store_target", ["postgis"], indirect=True)
def test_postgis_keeps_offline_records_to_their_writers_and_photo_records_append_only(store):
    """As the app's role in straight SQL: a reviewer's transaction cannot write an offline change's record, nobody
    deletes one, and a photo's upload record is never changed or removed."""
    ch = change()
    assert store.submit_offline_change(INSPECTOR, ch).outcome == "applied"
    store.record_field_photo(INSPECTOR, "a" * 64, "b" * 64, 10)
    conn = store._connect()
    try:
        conn.execute("BEGIN")
        store._actor_context(conn, REVIEWER)
        assert conn.execute("UPDATE field_changes SET outcome = 'refused'").rowcount == 0
        with pytest.raises(store.DriverError, match="row-level security"):
            conn.execute("INSERT INTO field_changes (op_id, site_id, kind, actor, base_version, to_status, submitted,"
                         " captured_at, received_at, outcome, outcome_at) VALUES ('x1234567', 'PWK-T01', 'outfalls',"
                         " 'x', 0, 'closed', '{}', now(), now(), 'applied', now())")
        conn.execute("ROLLBACK")
        conn.execute("BEGIN")
        store._actor_context(conn, SYSTEM)
        assert conn.execute("DELETE FROM field_changes").rowcount == 0  # no one deletes a record
        conn.execute("ROLLBACK")
        for statement in ("UPDATE field_photos SET photo_sha256 = 'c'", "DELETE FROM field_photos"):
            conn.execute("BEGIN")
            with pytest.raises(store.DriverError, match="append-only"):
                conn.execute(statement)
            conn.execute("ROLLBACK")
    finally:
        store._end_read(conn)
    assert store.offline_change(SYSTEM, ch.op_id).outcome == "applied"
    assert store.field_photo(INSPECTOR, "a" * 64) == "b" * 64
