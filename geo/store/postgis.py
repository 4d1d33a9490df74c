"""The PostGIS store: the same store on a database server, for several app instances and many counties.

Chosen with ``ONEMAP_STORE=postgresql://user@host/db``. The logic is the
GeoPackage store's, shared (:mod:`geo.store.sites` and the mixins); this
module supplies what differs:

* psycopg 3 with a connection pool; every connection works as the role
  ``onemap_app`` (``SET ROLE``), which owns nothing, so the append-only
  triggers and row-level security hold for the app whatever user the URL
  names (give the app a URL whose user is ``onemap_app`` itself in
  production, and keep the owner's for ``cli.py init``);
* every write transaction takes one advisory lock first (as SQLite's
  ``BEGIN IMMEDIATE``: one writer at a time), so no two of our transactions
  can deadlock or interleave; an operation that still fails with a
  serialization failure or a deadlock (a writer outside the app, e.g. QGIS)
  is retried whole, up to :data:`RETRIES` times — safe because every write
  method re-reads what it checks and status changes carry an idempotency key;
* who acts is set per write transaction (``onemap.role``/``onemap.towns``)
  for the row-level security policies of :mod:`geo.store.pg_schema`;
* every write transaction bumps ``store_version`` and sends ``NOTIFY
  onemap_data`` (delivered on commit); each instance listens and its
  :meth:`PgStore.data_version` — the key of the app's caches — changes
  without a query, so a change made through one instance is seen by the
  others on their next rerun;
* timestamps come back as the store's ISO text in UTC, dates as
  ``YYYY-MM-DD`` text, geometries as EWKB, exactly what the shared logic
  reads from the GeoPackage.

Files (photos, raster copies) stay on disk, not in the database: in
``$ONEMAP_FILES`` (a folder every instance mounts, e.g. NFS), named after the
database. Photos are written once under their content hash and rasters are
read by GDAL as files, so a shared folder needs no coordination, keeps the
database small and its backups fast.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

import shapely

from geo import settings
from geo.errors import PermissionDenied, StoreError
from geo.store import policy
from geo.store import pg_schema
from geo.store.accounts import AccountsMixin
from geo.store.audit import AuditMixin
from geo.store.base import Actor, SiteStore
from geo.store.db import Database, iso_utc
from geo.store.gating import GatesMixin
from geo.store.imports import ImportsMixin
from geo.store.observations import ObservationsMixin
from geo.store.rasters import RastersMixin
from geo.store.sitedisplay import DisplayMixin, fill_display
from geo.store.refareas import ReferenceMixin
from geo.store.sites import SitesMixin
from geo.store.sync import SyncMixin
from geo.store.tables import META_TABLE
from layers import REGISTRY

#: How many times an operation that failed with a serialization failure or a deadlock is run again.
RETRIES = 4
#: SQLSTATEs worth running an operation again for.
RETRY_STATES = {"40001", "40P01"}
URL_SCHEMES = ("postgresql", "postgres")


def is_url(locator: str) -> bool:
    """Whether ``locator`` names a PostgreSQL database (``postgresql://…``)."""
    return str(locator).split("://", 1)[0].lower() in URL_SCHEMES and "://" in str(locator)


def redact(url: str) -> str:
    """The URL without its password (for messages, logs and the about page)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


class PgRow(tuple):
    """A result row readable by position and by column name (like ``sqlite3.Row``)."""

    __slots__ = ()
    _index: dict = {}

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self):
        return list(self._index)


def _row_factory(cursor):
    index = {c.name: i for i, c in enumerate(cursor.description or [])}
    cls = type("PgRow", (PgRow,), {"_index": index, "__slots__": ()})
    return cls


_QMARK = re.compile(r"\?")


def _pg_sql(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled); the store never puts ``?`` in text."""
    return _QMARK.sub("%s", sql.replace("%", "%%"))


class PgConnection:
    """A pooled psycopg connection that speaks the store's SQL dialect (``?`` placeholders)."""

    def __init__(self, raw):
        self.raw = raw
        #: Who acts in the current write transaction (for a denial the database itself makes).
        self.actor = None
        #: Set when the transaction changed something the app's caches hold (see Database._data_changed).
        self.changed = False

    def execute(self, sql: str, params=()):
        return self.raw.execute(_pg_sql(sql), tuple(params) if params is not None else None)

    def executemany(self, sql: str, seq):
        with self.raw.cursor() as cur:
            cur.executemany(_pg_sql(sql), [tuple(p) for p in seq])


def _configure_adapters(conn) -> None:
    """Timestamps as the store's ISO text in UTC, dates as ``YYYY-MM-DD`` text (as the GeoPackage gives them)."""
    from psycopg.adapt import Loader

    class IsoLoader(Loader):
        def load(self, data):
            text = bytes(data).decode()
            ts = datetime.fromisoformat(text if len(text) > 22 or "+" not in text else text + ":00")
            return iso_utc(ts)

    class DateText(Loader):
        def load(self, data):
            return bytes(data).decode()

    conn.adapters.register_loader("timestamptz", IsoLoader)
    conn.adapters.register_loader("date", DateText)


class PgDatabase(Database):
    """A PostgreSQL/PostGIS database through a psycopg pool."""

    backend = "postgis"

    def __init__(self, url: str, *, pool_size: int = 10):
        import psycopg

        self.url = url
        self.DriverError = (psycopg.Error,)
        self.IntegrityError = (psycopg.errors.IntegrityError,)
        self._pool_size = pool_size
        self._pool = None
        self._pool_lock = threading.Lock()
        self._version = None
        self._listener: threading.Thread | None = None
        self._listen_conn = None
        self._closing = False

    # -- where things are --------------------------------------------------
    @property
    def label(self) -> str:
        return redact(self.url)

    @property
    def database(self) -> str:
        return urlsplit(self.url).path.lstrip("/") or "postgres"

    @property
    def files_root(self) -> Path:
        """Photos and raster copies: ``$ONEMAP_FILES`` (shared by every instance)."""
        return settings.current().files

    @property
    def files_stem(self) -> str:
        return self.database

    # -- connections ---------------------------------------------------------
    def _configure(self, conn) -> None:
        _configure_adapters(conn)
        conn.execute("SET TIME ZONE 'UTC'")
        conn.execute(f"SET ROLE {pg_schema.APP_ROLE}")
        conn.execute("SET lock_timeout = '30s'")

    def pool(self):
        if self._pool is None:
            with self._pool_lock:
                if self._pool is None:
                    from psycopg_pool import ConnectionPool

                    self._pool = ConnectionPool(
                        self.url, min_size=1, max_size=self._pool_size, open=True, timeout=30,
                        kwargs={"autocommit": True, "row_factory": _row_factory}, configure=self._configure,
                        name="onemap")
        return self._pool

    def _connect(self) -> PgConnection:
        import psycopg_pool

        try:
            return PgConnection(self.pool().getconn())
        except (psycopg_pool.PoolTimeout, *self.DriverError) as exc:
            raise self._connect_error(exc) from exc

    def _connect_error(self, exc: BaseException) -> StoreError:
        """Why no connection came (:func:`geo.store.diagnose.diagnose_pg`): the pool only says it waited, so one
        direct connection asks the server; if that one works, the pool was busy."""
        import psycopg

        from geo.store.diagnose import diagnose_pg

        try:
            psycopg.connect(self.url, connect_timeout=5).close()
        except psycopg.Error as direct:
            return diagnose_pg(self.label, direct)
        if not isinstance(exc, psycopg.Error):
            return StoreError("store.busy", en=f"Every connection to {self.label} stayed busy for 30 s; nothing was "
                                               "written. Retry.",
                              zh="数据库连接全部繁忙（超过30秒），本次未写入。请稍后重试。")
        return diagnose_pg(self.label, exc)

    def _close(self, conn: PgConnection) -> None:
        self.pool().putconn(conn.raw)

    def close(self) -> None:
        """Close the pool and stop listening (tests, tools; a process exiting closes them anyway)."""
        self._closing = True
        listen = self._listen_conn
        if listen is not None:
            try:
                listen.cancel()
                listen.close()
            except Exception:  # noqa: BLE001 - the listener may be gone already
                pass
        if self._listener is not None:
            self._listener.join(timeout=5)
            self._listener = None
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        self._closing = False

    def _begin(self, conn: PgConnection) -> None:
        conn.execute("BEGIN")
        conn.execute("SELECT pg_advisory_xact_lock(?)", (pg_schema.WRITE_LOCK,))

    def _data_changed(self, conn: PgConnection) -> None:
        conn.changed = True

    def _commit(self, conn: PgConnection) -> None:
        n = None
        if conn.changed:  # sites, history, settings or overlays changed: every instance's caches must know
            n = conn.execute(f"UPDATE {pg_schema.VERSION_TABLE} SET n = n + 1 WHERE id = 1 RETURNING n").fetchone()[0]
            conn.execute("SELECT pg_notify(?, ?)", (pg_schema.NOTIFY_CHANNEL, str(n)))
        conn.execute("COMMIT")
        if n is not None and self._version is not None:
            # This instance reads its own write at once; the others learn of it by NOTIFY.
            self._version = max(self._version, int(n))

    def _in_transaction(self, conn: PgConnection) -> bool:
        from psycopg.pq import TransactionStatus

        return conn.raw.info.transaction_status != TransactionStatus.IDLE

    def _after_bulk_insert(self, conn: PgConnection, table: str, columns) -> None:
        for col in ("id", "fid", "obs_id"):
            if col in columns:
                conn.execute(f"SELECT setval(pg_get_serial_sequence(?, ?), coalesce((SELECT max({col}) FROM "
                             f'"{table}"), 0) + 1, false)', (table, col))

    def _actor_context(self, conn: PgConnection, actor: Actor) -> None:
        conn.actor = actor
        conn.execute("SELECT set_config('onemap.role', ?, true), set_config('onemap.towns', ?, true)",
                     (actor.role, ",".join(actor.towns)))

    # -- geometry ------------------------------------------------------------
    def geom_in(self, geom) -> bytes:
        return shapely.to_wkb(shapely.set_srid(geom, 4326), include_srid=True)

    def geom_out(self, value):
        return shapely.from_wkb(value)

    # -- errors --------------------------------------------------------------
    def _store_error(self, exc: BaseException, conn=None) -> StoreError | PermissionDenied:
        state = getattr(exc, "sqlstate", None) or ""
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if state in RETRY_STATES:
            return StoreError("store.retry", en=f"The database asked to run the operation again ({text}).",
                              zh=f"数据库要求重试本次操作（{text}）。", sqlstate=state)
        if state == "53100":
            return StoreError("store.disk_full",
                              en=f"The database server's disk is full; nothing was written ({self.label}). "
                                 "Ask its administrator to free space, then retry.",
                              zh="数据库服务器磁盘已满，本次未写入任何数据。请联系数据库管理员清理空间后重试。")
        if state in ("55P03", "57014"):
            return StoreError("store.busy", en="The database stayed busy for 30 s; nothing was written. Retry.",
                              zh="数据库繁忙（超过30秒），本次未写入。请稍后重试。")
        if "append-only" in text:
            return StoreError("store.append_only", en=f"Refused: {text}.", zh=f"拒绝操作：{text}（只允许追加）。")
        if "row-level security" in text:
            actor = getattr(conn, "actor", None) or Actor("?", role="")
            return policy.denied(actor, "write", code="auth.row_security",
                                 en=f"The database refused a change outside the towns of {actor.name!r} ({text}).",
                                 zh=f"数据库拒绝了超出“{actor.name}”辖区的修改。")
        if state.startswith("08"):
            return StoreError("store.unreachable", en=f"Lost the connection to {self.label}: {text}. Retry.",
                              zh=f"与数据库 {self.label} 的连接中断：{text}。请重试。")
        from geo.store.diagnose import diagnose_pg

        return diagnose_pg(self.label, exc)  # by cause: read-only, login refused, no such database ...

    # -- versions and notifications --------------------------------------------
    def data_version(self) -> int:
        """Changes whenever any instance commits a write (from NOTIFY; a query when not listening)."""
        self._ensure_listener()
        if self._version is not None and self._listener is not None and self._listener.is_alive():
            return self._version
        with self._read() as conn:
            return int(conn.execute(f"SELECT n FROM {pg_schema.VERSION_TABLE} WHERE id = 1").fetchone()[0])

    def _ensure_listener(self) -> None:
        if self._closing or (self._listener is not None and self._listener.is_alive()):
            return
        with self._pool_lock:
            if self._listener is not None and self._listener.is_alive():
                return
            ready = threading.Event()
            self._listener = threading.Thread(target=self._listen, args=(ready,), name="onemap-listen", daemon=True)
            self._listener.start()
            ready.wait(5)

    def _listen(self, ready: threading.Event) -> None:
        import psycopg

        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                self._listen_conn = conn
                conn.execute(f"LISTEN {pg_schema.NOTIFY_CHANNEL}")
                self._version = int(conn.execute(f"SELECT n FROM {pg_schema.VERSION_TABLE} WHERE id = 1").fetchone()[0])
                ready.set()
                for note in conn.notifies():
                    try:
                        self._version = max(self._version or 0, int(note.payload))
                    except ValueError:
                        continue
        except psycopg.Error:
            self._version = None
        finally:
            self._listen_conn = None
            ready.set()


def retrying(method: Callable) -> Callable:
    """Run a store operation again when the database says so (serialization failure, deadlock)."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        for attempt in range(RETRIES + 1):
            try:
                return method(self, *args, **kwargs)
            except StoreError as exc:
                if exc.code != "store.retry" or attempt == RETRIES:
                    raise
                time.sleep(0.05 * (2 ** attempt))
        raise AssertionError("unreachable")

    return run


class PgStore(ObservationsMixin, GatesMixin, DisplayMixin, ReferenceMixin, SyncMixin, RastersMixin, ImportsMixin,
              AccountsMixin, AuditMixin, SitesMixin, PgDatabase, SiteStore):
    """A :class:`SiteStore` in a PostgreSQL/PostGIS database.

    Parameters
    ----------
    url : str
        ``postgresql://user[:password]@host[:port]/database`` (or libpq's
        ``postgresql:///db?host=/socket/dir``).
    """

    def __init__(self, url: str, *, pool_size: int = 10):
        PgDatabase.__init__(self, url, pool_size=pool_size)

    @property
    def locator(self) -> str:
        return self.url

    data_version = PgDatabase.data_version

    def check_schema(self) -> None:
        """Raise StoreError unless the database carries this app's schema; apply newer steps and new kinds."""
        import psycopg

        try:
            with psycopg.connect(self.url, autocommit=True) as raw:
                conn = PgConnection(raw)
                have = conn.execute("SELECT to_regclass(?)", (pg_schema.MIGRATIONS_TABLE,)).fetchone()[0]
                version = conn.execute(f"SELECT max(version) FROM {pg_schema.MIGRATIONS_TABLE}").fetchone()[0] \
                    if have else None
                foreign = [] if have else [r[0] for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                    "AND table_name NOT IN ('spatial_ref_sys', 'geometry_columns', 'geography_columns') "
                    "ORDER BY table_name LIMIT 6").fetchall()]
        except psycopg.Error as exc:
            raise self._store_error(exc) from exc
        if version is None and foreign:
            raise StoreError(
                "store.foreign_database", value=", ".join(foreign[:5]),
                en=f"The database {self.label} holds tables of another application ({', '.join(foreign[:5])}) and no "
                   "store of this app.",
                zh=f"数据库 {self.label} 中是其他应用的表（{'、'.join(foreign[:5])}），没有本系统的数据。",
                fix_en="Point ONEMAP_STORE at this app's database; for a new store use a database of its own "
                       "(createdb, then `python cli.py init`).",
                fix_zh="把 ONEMAP_STORE 指向本系统的数据库；新建时请使用单独的数据库（createdb 后运行 `python cli.py init`）。")
        if version is None:
            raise StoreError("store.not_initialised",
                             en=f"The database {self.label} holds no store of this app yet; run `python cli.py init`.",
                             zh=f"数据库 {self.label} 中还没有本系统的数据；请运行 `python cli.py init`。")
        if version > pg_schema.SCHEMA_VERSION:
            raise StoreError("store.schema_version",
                             en=f"{self.label} has schema {version}, newer than this app's {pg_schema.SCHEMA_VERSION}; "
                                "upgrade the app.",
                             zh=f"{self.label} 的结构版本（{version}）比本程序（{pg_schema.SCHEMA_VERSION}）新，请升级程序。")
        self.migrate()

    def migrate(self) -> int | None:
        """Apply every step newer than the database's, then new kinds and fields; one instance at a time."""
        import psycopg

        try:
            with psycopg.connect(self.url, autocommit=True) as raw:
                conn = PgConnection(raw)
                conn.execute("SELECT pg_advisory_lock(?)", (pg_schema.MIGRATE_LOCK,))
                try:
                    conn.execute(f"CREATE TABLE IF NOT EXISTS {pg_schema.MIGRATIONS_TABLE} (version integer PRIMARY KEY,"
                                 " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
                    found = conn.execute(f"SELECT max(version) FROM {pg_schema.MIGRATIONS_TABLE}").fetchone()[0]
                    for version, name, step in pg_schema.STEPS:
                        if found is not None and version <= found:
                            continue
                        conn.execute("BEGIN")
                        for stmt in step():
                            conn.execute(stmt)
                        conn.execute(f"INSERT INTO {pg_schema.MIGRATIONS_TABLE}(version, name) VALUES (?, ?)",
                                     (version, name))
                        conn.execute("COMMIT")
                    conn.execute("BEGIN")
                    pg_schema.sync_kind_tables(conn)
                    pg_schema.sync_observation_tables(conn)
                    pg_schema.display_triggers(conn)
                    if found is not None and found < pg_schema.DISPLAY_STEP:  # the sites already there
                        fill_display(conn, self.geom_out, list(REGISTRY))
                    pg_schema.grant_app_role(conn)
                    conn.execute(f"INSERT INTO {META_TABLE}(key, value) VALUES ('schema_version', ?) ON CONFLICT (key)"
                                 " DO UPDATE SET value = excluded.value", (str(pg_schema.SCHEMA_VERSION),))
                    conn.execute("COMMIT")
                finally:
                    if raw.info.transaction_status != 0:
                        conn.execute("ROLLBACK")
                    conn.execute("SELECT pg_advisory_unlock(?)", (pg_schema.MIGRATE_LOCK,))
        except psycopg.Error as exc:
            raise self._store_error(exc) from exc
        return found


for _name in ("change_status", "add_sites", "import_batch", "undo_batch", "set_meta", "add_user", "update_user",
              "set_password", "login", "logout", "record_export", "add_raster", "update_raster", "remove_raster",
              "import_town_boundaries", "submit_offline_change", "resolve_offline_conflict", "record_field_photo",
              "enroll_device", "revoke_device", "field_logout", "import_reference_areas", "refresh_display",
              "record_observations", "import_observations", "correct_observation", "void_observation"):
    setattr(PgStore, _name, retrying(getattr(PgStore, _name)))


def create_pg_store(url: str, populate: Callable[[PgStore], None] | None = None) -> PgStore:
    """Create (or bring up to date) the store in the database at ``url``; fill it with ``populate`` when empty.

    The URL's user must own the schema (or be allowed to create in it): the
    tables, the ``onemap_app`` role and its grants are made here. Running it
    again is harmless: newer steps are applied, an existing store is kept.
    """
    store = PgStore(url)
    store.migrate()
    if populate is not None and store.is_empty():
        populate(store)
    return store
