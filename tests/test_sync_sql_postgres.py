"""The offline client's SQL runs on PostgreSQL as written: schema step 7 and the statements of geo/store/sync.py.

The store's SQL is meant for both backends (``?`` placeholders, ``INSERT … ON
CONFLICT``, ``RETURNING``, ISO text times). Here the mixin's own methods run
against a throwaway PostgreSQL database through a connection that only
turns ``?`` into ``%s`` — no backend logic — so a statement PostgreSQL would
refuse fails this test. (Skipped where PostgreSQL cannot start; required
with ``CI=true``.)
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime, timezone

import pytest

from geo.store.base import Actor, Evidence
from geo.store.schema import _FIELD_DDL
from geo.store.sync import OfflineChange, SyncMixin

INSPECTOR = Actor("巡查员甲", role="inspector", towns=("350181103",), client="pytest")
OTHER_TABLES = """
CREATE TABLE site_history (id serial PRIMARY KEY, site_id text NOT NULL, kind text, version integer NOT NULL,
  action text, from_status text, to_status text, changed_at text NOT NULL, actor text, source text, note text,
  changes text, op_id text UNIQUE);
CREATE TABLE users (name text PRIMARY KEY, role text NOT NULL, towns text NOT NULL DEFAULT '[]',
  disabled boolean NOT NULL DEFAULT false);
CREATE TABLE sessions (token_hash text PRIMARY KEY, user_name text NOT NULL, revoked_at text)
"""


class Row(tuple):
    """A row readable by position and by column name, like ``sqlite3.Row``."""

    def __new__(cls, names, values):
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self):
        return list(self._names)


def rows(cursor):
    names = [c.name for c in cursor.description] if cursor.description else []
    return lambda values: Row(names, values)


class PgConn:
    """The store's dialect on psycopg: ``?`` becomes ``%s``; nothing else is translated."""

    def __init__(self, conn):
        self.conn = conn

    def execute(self, sql: str, args=()):
        return self.conn.execute(sql.replace("?", "%s"), tuple(args))


class PgSync(SyncMixin):
    """The mixin over one PostgreSQL database (each operation one transaction), auditing into a list."""

    def __init__(self, url: str):
        self.url = url
        self.audited: list[str] = []

    @contextlib.contextmanager
    def _write(self):
        import psycopg

        with psycopg.connect(self.url, row_factory=rows) as conn:
            yield PgConn(conn)

    _read = _write

    def _effective(self, conn, actor):
        r = conn.execute("SELECT role, disabled FROM users WHERE name = ?", (actor.name,)).fetchone()
        return Actor(actor.name, r["role"] if r else actor.role, actor.towns, actor.client)

    def _audit(self, conn, actor, action, **kw):
        self.audited.append(action)

    def logout(self, token, *, client=""):
        with self._write() as conn:
            conn.execute("UPDATE sessions SET revoked_at = ? WHERE token_hash = ?",
                         ("2025-01-01T00:00:00.000Z", hashlib.sha256(token.encode()).hexdigest()))


@pytest.fixture
def pg(pg_url):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        for stmt in (OTHER_TABLES + ";\n" + _FIELD_DDL).split(";\n"):
            if stmt.strip():
                conn.execute(stmt)
        conn.execute("INSERT INTO users (name, role, towns) VALUES (%s, 'inspector', '[\"350181103\"]')",
                     (INSPECTOR.name,))
        conn.execute("INSERT INTO sessions (token_hash, user_name) VALUES (%s, %s)",
                     (hashlib.sha256(b"session-token").hexdigest(), INSPECTOR.name))
    return PgSync(pg_url)


def _change(op: str, **kw) -> OfflineChange:
    return OfflineChange(op_id=op, site_id="PWK-001", base_version=kw.pop("base", 3), to_status="remediated",
                         captured_at=datetime(2025, 11, 20, 9, 30, tzinfo=timezone.utc), note="现场",
                         evidence=Evidence(lon=119.4, lat=25.6, accuracy_m=8.0, distance_m=12.0, remote=False), **kw)


def test_records_upserts_joins_and_resolutions_run_on_postgresql(pg):
    submitted = {"note": "现场", "changes": {}, "photos": [], "stored_photos": []}
    with pg._write() as conn:
        pg._upsert(conn, INSPECTOR, _change("op-received-1"), "outfalls", submitted, "2025-11-20T10:00:00.000Z",
                   "received")
        pg._upsert(conn, INSPECTOR, _change("op-conflict-1"), "outfalls", submitted, "2025-11-20T10:00:01.000Z",
                   "received")
        # The same op again: ON CONFLICT … DO UPDATE turns it into the conflict it is.
        pg._upsert(conn, INSPECTOR, _change("op-conflict-1"), "outfalls", submitted, "2025-11-20T10:00:02.000Z",
                   "conflict", message={"code": "field.stale_version", "zh": "冲突", "en": "conflict"},
                   server_state={"version": 4, "changes_since": []})
        conn.execute("INSERT INTO site_history (site_id, kind, version, action, changed_at, actor, source, op_id)"
                     " VALUES (?,?,?,?,?,?,?,?)", ("PWK-001", "outfalls", 4, "status", "2025-11-20T10:00:00.500Z",
                                                   INSPECTOR.name, "offline", "op-received-1"))
        # Interrupted before its record was finished: the history row says it was applied.
        assert pg._get_record(conn, "op-received-1").outcome == "applied"
        pg._finish(conn, "op-received-1", "applied", history_id=1)
        assert pg._applied(conn, "op-received-1")["version"] == 4
        assert [c["version"] for c in pg._changes_since(conn, "PWK-001", 3)] == [4]
        after = _change("op-after-1", base=4, after_op="op-conflict-1")
        assert pg._stale(conn, after, {"version": 4, "kind": "outfalls"})["code"] == "field.after_unapplied"
    rec = pg.offline_change(INSPECTOR, "op-received-1")
    assert (rec.outcome, rec.applied_version, rec.history_id) == ("applied", 4, 1)
    assert [r.op_id for r in pg.offline_changes(INSPECTOR, mine=True, open_conflicts=True)] == ["op-conflict-1"]
    conflict = pg.offline_change(INSPECTOR, "op-conflict-1")
    assert conflict.server_state == {"version": 4, "changes_since": []} and conflict.message["zh"] == "冲突"
    done = pg.resolve_offline_conflict(INSPECTOR, "op-conflict-1", "discard", note="重复")
    assert (done.resolution, done.resolved_by, done.resolution_note) == ("discarded", INSPECTOR.name, "重复")
    assert pg.offline_changes(INSPECTOR, open_conflicts=True) == []


def test_photos_and_device_tokens_run_on_postgresql(pg):
    up, stored = "a" * 64, "b" * 64
    assert pg.field_photo(INSPECTOR, up) is None
    assert pg.record_field_photo(INSPECTOR, up, stored, 1234) == stored
    assert pg.record_field_photo(INSPECTOR, up, "c" * 64, 1234) == stored  # ON CONFLICT DO NOTHING RETURNING
    assert pg.field_photo(INSPECTOR, up) == stored
    device, token = pg.enroll_device("session-token", label="平板")
    actor, device_id = pg.device_actor(token)
    assert (actor.name, actor.towns, device_id) == (INSPECTOR.name, ("350181103",), device.device_id)
    assert [d.device_id for d in pg.list_devices(Actor("admin", role="admin"))] == [device.device_id]
    pg.revoke_device(Actor("admin", role="admin"), device.device_id)
    with pytest.raises(Exception) as e:
        pg.device_actor(token)
    assert getattr(e.value, "code", "") == "auth.device_ended"
    _, token2 = pg.enroll_device("session-token")
    pg.field_logout(session_token="session-token", device_token=token2)
    with pytest.raises(Exception):
        pg.device_actor(token2)
    assert pg.audited.count("field.device.enroll") == 2 and "field.photo" in pg.audited
