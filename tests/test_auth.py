"""Accounts, sessions, lockout, the role matrix and the audit log, through the store itself."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from geo.errors import PermissionDenied, ValidationError, VersionConflict
from geo.security import weak_secret_reason
from geo.store import Actor, GpkgStore, NewSite, existing_store
from geo.store.integrity import store_problems
from geo.store import policy
from geo.store.accounts import MAX_FAILURES
from tests.factories import reopen
from tests.factories import ADMIN, GUEST, INSPECTOR, INSPECTOR_TOWNS, PASSWORD, REVIEWER, SYSTEM, make_store, outfall, park, river

ROOT = Path(__file__).resolve().parents[1]
LONG_ZH = "福清生态环境一张图巡查员专用密码请勿外传谢谢合作二〇二六年底"  # 30 Chinese characters, 90 bytes


@pytest.fixture
def store(store_target):
    # river: 玉屏 (inspector's town); outfall: 海口 (inspector's town); park: 江阴 (inspector's town)
    s = make_store(store_target, [river(), outfall(), park()])
    s.add_sites(SYSTEM, [outfall("PWK-OTHER").__class__(**{**outfall("PWK-OTHER").__dict__, "town_code": "350181112"})])
    s.add_user(SYSTEM, "停用者", "admin", password=PASSWORD)
    s.update_user(SYSTEM, "停用者", disabled=True)
    return s


def audit_count(store, action=None, outcome=None) -> int:
    sql, args = "SELECT count(*) FROM audit_log WHERE 1=1", []
    if action:
        sql += " AND action = ?"
        args.append(action)
    if outcome:
        sql += " AND outcome = ?"
        args.append(outcome)
    return int(query(store, sql, args)[0][0])


def query(store, sql, args=()) -> list:
    """Rows of ``sql`` read through the store's own connection (any backend)."""
    with store._read() as conn:
        return list(conn.execute(sql, args).fetchall())


# -- the role matrix -------------------------------------------------------------

DISABLED = Actor("停用者", role="admin", client="pytest")
STRANGER = Actor("陌生人", role="admin", client="pytest")


def _operations(store):
    def change(site_id, status, **kw):
        site = store.get_site(SYSTEM, site_id)
        return lambda a: store.change_status(a, site_id, status, expected_version=site.version,
                                             op_id=uuid.uuid4().hex, **kw)

    return {
        "list_sites": lambda a: store.list_sites(a),
        "get_site": lambda a: store.get_site(a, "HC-T01"),
        "history": lambda a: store.history(a, "HC-T01"),
        "counts": lambda a: store.counts(a),
        "change_status own town": change("HC-T01", "initial_effect"),
        "change_status other town": change("PWK-OTHER", "remediating", changes={"remediation_method": "ban"}),
        "add_sites": lambda a: store.add_sites(a, [river(f"HC-{uuid.uuid4().hex[:6]}")]),
        "set_meta": lambda a: store.set_meta(a, "note", "x"),
        "add_user": lambda a: store.add_user(a, f"u{uuid.uuid4().hex[:6]}", "reviewer", password=PASSWORD),
        "list_users": lambda a: store.list_users(a),
        "reset other password": lambda a: store.set_password(a, REVIEWER.name, PASSWORD + "!"),
        "audit_log": lambda a: store.audit_log(a),
        "export own towns": lambda a: store.record_export(a, towns=["350181002"], kinds=None, fmt="xlsx", rows=1),
        "export all towns": lambda a: store.record_export(a, towns=None, kinds=None, fmt="xlsx", rows=1),
    }


Y, N = True, False
MATRIX = {  # operation: (admin, reviewer, inspector, guest, disabled, stranger)
    "list_sites": (Y, Y, Y, Y, N, N),
    "get_site": (Y, Y, Y, Y, N, N),
    "history": (Y, Y, Y, Y, N, N),
    "counts": (Y, Y, Y, Y, N, N),
    "change_status own town": (Y, N, Y, N, N, N),
    "change_status other town": (Y, N, N, N, N, N),
    "add_sites": (Y, N, N, N, N, N),
    "set_meta": (Y, N, N, N, N, N),
    "add_user": (Y, N, N, N, N, N),
    "list_users": (Y, N, N, N, N, N),
    "reset other password": (Y, N, N, N, N, N),
    "audit_log": (Y, N, N, N, N, N),
    "export own towns": (Y, Y, Y, N, N, N),
    "export all towns": (Y, Y, N, N, N, N),
}
ACTORS = (ADMIN, REVIEWER, INSPECTOR, GUEST, DISABLED, STRANGER)


def role_matrix_mismatches(make) -> list[str]:
    """Run every operation as every actor on a fresh store; list where the outcome differs from MATRIX."""
    mismatches = []
    for op_name, expected in MATRIX.items():
        for actor, allowed in zip(ACTORS, expected):
            store = make()
            before = audit_count(store, "auth.denied")
            try:
                _operations(store)[op_name](actor)
                got = True
            except PermissionDenied:  # by the store's checks, or by the database's row-level security (PostGIS)
                got = False
            denials = audit_count(store, "auth.denied") - before
            if got != allowed:
                mismatches.append(f"{op_name} as {actor.name}: {'allowed' if got else 'denied'}")
            elif denials != (0 if allowed else 1):
                mismatches.append(f"{op_name} as {actor.name}: {denials} auth.denied rows")
    return mismatches


@pytest.fixture
def fresh(tmp_path, store_target, request):
    """Copies of one template store, one per matrix cell (SQLite backup / PostgreSQL database template)."""
    base = make_store(store_target, [river(), outfall(), park()])
    base.add_sites(SYSTEM, [NewSite(**{**outfall("PWK-OTHER").__dict__, "town_code": "350181112"})])
    base.add_user(SYSTEM, "停用者", "admin", password=PASSWORD)
    base.update_user(SYSTEM, "停用者", disabled=True)
    counter = iter(range(10_000))
    if base.backend == "postgis":
        base.close()
        cluster = request.getfixturevalue("pg_cluster")
        return lambda: reopen(cluster.copy_database(base.locator))

    def make():
        path = tmp_path / f"m{next(counter)}.gpkg"
        src, dst = sqlite3.connect(store_target), sqlite3.connect(path)
        src.backup(dst)
        src.close()
        dst.close()
        return GpkgStore(path)

    return make


def test_role_matrix(fresh):
    assert role_matrix_mismatches(fresh) == []


def test_role_matrix_catches_a_store_that_skips_the_check(fresh, monkeypatch):
    monkeypatch.setattr(policy, "check", lambda *a, **k: None)
    assert any("allowed" in m for m in role_matrix_mismatches(fresh))


def test_guest_reading_can_be_switched_off(store):
    store.set_meta(ADMIN, "guest_read", "off")
    with pytest.raises(PermissionDenied) as err:
        store.list_sites(GUEST)
    assert err.value.code == "auth.login_required"
    assert store.list_sites(REVIEWER)


def test_a_claimed_role_is_not_trusted(store):
    liar = Actor(REVIEWER.name, role="admin", client="pytest")
    with pytest.raises(PermissionDenied):
        store.add_user(liar, "x", "admin", password=PASSWORD)


# -- login, sessions, lockout ------------------------------------------------------


def test_login_session_logout(store):
    res = store.login(INSPECTOR.name, PASSWORD, client="web:1.2.3.4")
    actor = store.session_actor(res.token)
    assert (actor.name, actor.role, set(actor.towns)) == (INSPECTOR.name, "inspector", set(INSPECTOR_TOWNS))
    store.logout(res.token)
    with pytest.raises(PermissionDenied, match="session"):
        store.session_actor(res.token)


def test_password_change_ends_every_session(store):
    a = store.login(INSPECTOR.name, PASSWORD).token
    b = store.login(INSPECTOR.name, PASSWORD).token
    store.set_password(INSPECTOR, INSPECTOR.name, "另一个足够长的密码 2026", current_password=PASSWORD)
    for token in (a, b):
        with pytest.raises(PermissionDenied):
            store.session_actor(token)
    with pytest.raises(PermissionDenied):
        store.login(INSPECTOR.name, PASSWORD)
    assert store.login(INSPECTOR.name, "另一个足够长的密码 2026").token


def test_own_password_change_needs_the_current_one(store):
    with pytest.raises(PermissionDenied):
        store.set_password(INSPECTOR, INSPECTOR.name, "另一个足够长的密码 2026", current_password="wrong")


def test_idle_sessions_end(store):
    token = store.login(REVIEWER.name, PASSWORD).token
    assert store.session_actor(token, idle_timeout=timedelta(minutes=5)).name == REVIEWER.name
    time.sleep(0.01)
    with pytest.raises(PermissionDenied):
        store.session_actor(token, idle_timeout=timedelta(microseconds=1))


def test_disabling_an_account_ends_its_sessions(store):
    token = store.login(REVIEWER.name, PASSWORD).token
    store.update_user(ADMIN, REVIEWER.name, disabled=True)
    with pytest.raises(PermissionDenied):
        store.session_actor(token)


@pytest.mark.parametrize("name, password", [("没有这个人", PASSWORD), (INSPECTOR.name, "wrong password 123")])
def test_wrong_user_and_wrong_password_say_the_same(store, name, password):
    with pytest.raises(PermissionDenied) as err:
        store.login(name, password)
    assert err.value.code == "auth.bad_credentials"
    assert err.value.zh == "用户名或密码错误。"


@pytest.mark.parametrize("name", [INSPECTOR.name, "没有这个人"])
def test_lockout_after_repeated_failures_survives_a_restart(store, name):
    for _ in range(MAX_FAILURES):
        with pytest.raises(PermissionDenied):
            store.login(name, "wrong password 123")
    restarted = reopen(store.locator)
    with pytest.raises(PermissionDenied) as err:
        restarted.login(name, PASSWORD)
    assert err.value.code == "auth.locked"
    assert audit_count(store, "auth.login_failed") == MAX_FAILURES
    assert audit_count(store, "auth.locked") == 1


def test_long_chinese_password(store):
    assert len(LONG_ZH) == 30 and len(LONG_ZH.encode()) == 90
    store.add_user(ADMIN, "长密码用户", "reviewer", password=LONG_ZH)
    assert store.login("长密码用户", LONG_ZH).actor.role == "reviewer"
    with pytest.raises(PermissionDenied):
        store.login("长密码用户", LONG_ZH[:-1])


@pytest.mark.parametrize("password, code", [("short", "password.too_short"), ("aaaaaaaaaaaa", "password.too_simple")])
def test_weak_passwords_are_refused(store, password, code):
    with pytest.raises(ValidationError) as err:
        store.add_user(ADMIN, "新人", "reviewer", password=password)
    assert err.value.code == code


def test_the_last_admin_stays(store):
    with pytest.raises(ValidationError, match="last"):
        store.update_user(ADMIN, ADMIN.name, disabled=True)
    with pytest.raises(ValidationError, match="last"):
        store.update_user(ADMIN, ADMIN.name, role="reviewer")
    store.add_user(ADMIN, "第二管理员", "admin", password=PASSWORD)
    store.update_user(ADMIN, ADMIN.name, role="reviewer")


def test_unknown_identity_gets_nothing_and_known_maps_to_its_account(store):
    with pytest.raises(PermissionDenied):
        store.actor_for_identity("stranger@example.org")
    store.add_user(ADMIN, "单点用户", "inspector", towns=["海口镇"], identity="hk@fuqing.example")
    actor = store.actor_for_identity("hk@fuqing.example")
    assert actor.role == "inspector" and actor.towns == ("350181103",)
    # An SSO user gets a session of the store too (the cookie the map's files need), ended like any other.
    result = store.identity_session("hk@fuqing.example", client="web:10.0.0.8")
    assert store.session_actor(result.token).name == "单点用户"
    store.logout(result.token)
    with pytest.raises(PermissionDenied):
        store.session_actor(result.token)
    with pytest.raises(PermissionDenied):
        store.identity_session("stranger@example.org")


# -- concurrency -----------------------------------------------------------------


def _login_worker(locator: str, name: str) -> str:
    return existing_store(locator).login(name, PASSWORD).token


def _edit_worker(locator: str, field: str) -> int:
    store = existing_store(locator)
    tries = 0
    while True:
        tries += 1
        u = next(x for x in store.list_users(SYSTEM) if x.name == REVIEWER.name)
        try:
            if field == "display":
                store.update_user(SYSTEM, REVIEWER.name, display_name="审阅人甲", expected_version=u.version)
            else:
                store.update_user(SYSTEM, REVIEWER.name, towns=["海口镇"], expected_version=u.version)
            return tries
        except VersionConflict:
            continue


def test_eight_concurrent_logins_and_two_concurrent_user_edits(store):
    ctx = mp.get_context("spawn")
    with ctx.Pool(8) as pool:
        tokens = pool.starmap_async(_login_worker, [(store.locator, INSPECTOR.name)] * 8).get(timeout=120)
        pool.starmap_async(_edit_worker, [(store.locator, "display"), (store.locator, "towns")]).get(timeout=120)
    assert len(set(tokens)) == 8
    assert all(store.session_actor(t).name == INSPECTOR.name for t in tokens)
    assert audit_count(store, "auth.login") == 8
    u = next(x for x in store.list_users(ADMIN) if x.name == REVIEWER.name)
    assert u.display_name == "审阅人甲" and u.towns == ("350181103",)


# -- the audit log ---------------------------------------------------------------


def test_every_mutation_leaves_exactly_one_audit_row(store):
    site = store.get_site(INSPECTOR, "HC-T01")
    steps = [
        ("site.status", lambda: store.change_status(INSPECTOR, "HC-T01", "initial_effect",
                                                    expected_version=site.version, op_id="once")),
        ("site.add", lambda: store.add_sites(ADMIN, [river("HC-NEW"), river("HC-NEW2")])),
        ("user.add", lambda: store.add_user(ADMIN, "新用户", "reviewer", password=PASSWORD)),
        ("user.update", lambda: store.update_user(ADMIN, "新用户", towns=["海口镇"])),
        ("user.passwd", lambda: store.set_password(ADMIN, "新用户", PASSWORD + "x")),
        ("auth.login", lambda: store.login("新用户", PASSWORD + "x")),
        ("auth.login_failed", lambda: pytest.raises(PermissionDenied, store.login, "新用户", "nope nope nope")),
        ("export", lambda: store.record_export(REVIEWER, towns=None, kinds=["outfalls"], fmt="csv", rows=3)),
        ("meta.set", lambda: store.set_meta(ADMIN, "guest_read", "on")),
    ]
    for action, do in steps:
        before = audit_count(store)
        do()
        assert audit_count(store) - before == 1, action
        assert audit_count(store, action) >= 1, action
    # A retried submit is not a second mutation.
    before = audit_count(store)
    store.change_status(INSPECTOR, "HC-T01", "initial_effect", expected_version=site.version, op_id="once")
    assert audit_count(store) == before


def test_audit_log_is_append_only(store):
    for sql in ("UPDATE audit_log SET actor='x'", "DELETE FROM audit_log"):
        conn = store._connect()
        try:
            with pytest.raises(store.DriverError, match="append-only"):
                conn.execute(sql)
        finally:
            store._end_read(conn)


def test_audit_filters(store):
    store.login(INSPECTOR.name, PASSWORD)
    with pytest.raises(PermissionDenied):
        store.login(INSPECTOR.name, "wrong wrong wrong")
    rows = store.audit_log(ADMIN, user=INSPECTOR.name, action="auth.")
    assert [r.action for r in rows] == ["auth.login_failed", "auth.login"]
    assert all(r.client is None or r.client for r in rows)


KILLER = r"""
import sys, uuid
from geo.store import Actor, existing_store
store = existing_store(sys.argv[1])
actor = Actor("killer", role="system", client="proc")
toggle = {"remediating": "remediated", "remediated": "remediating"}
first = True
while True:
    s = store.get_site(actor, "PWK-T01")
    store.change_status(actor, "PWK-T01", toggle[s.status], expected_version=s.version, op_id=uuid.uuid4().hex)
    if first:
        print("running", flush=True)
        first = False
"""


def test_a_killed_writer_never_leaves_a_change_without_its_audit_row(store_target):
    store = make_store(store_target, [outfall(status="remediating")])
    for i in range(5):
        proc = subprocess.Popen([sys.executable, "-c", KILLER, store.locator], cwd=ROOT, stdout=subprocess.PIPE,
                                text=True)
        assert proc.stdout.readline().strip() == "running"  # past start-up (slow on a loaded machine)
        time.sleep(0.3 + 0.23 * i)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    ids = {int(r[0]) for r in query(store, "SELECT id FROM site_history WHERE action='status'")}
    details = query(store, "SELECT details FROM audit_log WHERE action='site.status' AND outcome='ok'")
    audit_ids = [int(json.loads(r[0])["history_id"]) for r in details]
    assert len(ids) > 0
    assert len(audit_ids) == len(ids) and set(audit_ids) == ids
    assert store_problems(store, SYSTEM) == []


# -- secrets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, weak",
    [("", True), ("changeme", True), ("xxx", True), ("a" * 40, True), ("short-but-random-7Hq", True),
     ("your-secret-here-your-secret-here-123", True), ("Qm3v9sX2-pL8kT4wZ7yR1nB6cF0hJ5dG_aE", False)],
)
def test_weak_or_sample_secrets_are_recognised(value, weak):
    assert (weak_secret_reason(value) is not None) is weak


def test_hashes_use_the_owasp_minimum_and_older_ones_are_replaced_at_sign_in(store, monkeypatch):
    from geo.store import passwords
    from tests.conftest import REAL_SCRYPT_N

    assert (REAL_SCRYPT_N, passwords.R, passwords.P) == (2**17, 8, 1)  # OWASP cheat sheet minimum for scrypt
    old = query(store, "SELECT password_hash FROM users WHERE name = ?", (INSPECTOR.name,))[0][0]
    assert old.split("$")[1] == str(passwords.N)
    monkeypatch.setattr(passwords, "N", passwords.N * 2)  # the cost went up since the hash was made
    assert passwords.needs_rehash(old)
    store.login(INSPECTOR.name, PASSWORD)
    new = query(store, "SELECT password_hash FROM users WHERE name = ?", (INSPECTOR.name,))[0][0]
    assert new != old and new.split("$")[1] == str(passwords.N) and not passwords.needs_rehash(new)
    assert store.login(INSPECTOR.name, PASSWORD).token  # the new hash verifies


def test_needs_rehash_reads_only_the_stored_parameters():
    from geo.store import passwords

    current = passwords.hash_password("long enough password")
    assert not passwords.needs_rehash(current)
    for stale in ("", "bcrypt$x", f"scrypt${passwords.N // 2}$8$1$AA==$AA==", f"scrypt${passwords.N}$4$1$AA==$AA=="):
        assert passwords.needs_rehash(stale), stale


def test_the_sign_in_throttle_counts_per_client_address_too(tmp_path):
    """One address trying many names is locked after MAX_FAILURES_PER_ADDRESS, whatever the names; others are not."""
    from geo.store import create_store
    from geo.store.accounts import MAX_FAILURES, MAX_FAILURES_PER_ADDRESS
    from tests.factories import ADMIN, PASSWORD, add_accounts

    store = create_store(tmp_path / "s.gpkg", add_accounts)
    names = [f"nobody-{i}" for i in range(MAX_FAILURES_PER_ADDRESS)]
    for name in names:  # each name stays under its own limit
        with pytest.raises(PermissionDenied) as info:
            store.login(name, "wrong", client="web:10.1.2.3")
        assert info.value.code == "auth.bad_credentials"
    assert MAX_FAILURES_PER_ADDRESS > MAX_FAILURES
    with pytest.raises(PermissionDenied) as info:  # the right password, from the locked address
        store.login(ADMIN.name, PASSWORD, client="web:10.1.2.3")
    assert info.value.code == "auth.locked"
    assert store.login(ADMIN.name, PASSWORD, client="web:10.9.9.9").token  # another address is not locked
    assert store.login(ADMIN.name, PASSWORD, client="cli").token  # no address: only the name counts
