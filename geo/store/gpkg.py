"""The GeoPackage store: one file, a feature table per kind, an append-only history (the embedded default).

Why it is written the way it is (see the design notes in the README):

* Python ``sqlite3`` with GeoPackage geometry blobs, not GDAL, for the live
  file: GDAL carries its own SQLite and, after overlapping a Python write, can
  stop seeing newer rows. GDAL is used only for uploaded files and exports.
* One short connection per operation (Streamlit runs sessions in threads).
* WAL, every write opened with ``BEGIN IMMEDIATE`` (one writer at a time),
  an expected-version check and an idempotency key per submit (the shared
  logic in :mod:`geo.store.sites`).
* The history and audit tables are append-only: triggers refuse UPDATE and
  DELETE.
* The GDAL trigger functions are registered on every connection, so a file
  that QGIS or GDAL has touched (R-tree triggers) stays writable.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path
from typing import Callable

from geo.errors import StoreError
from geo.store import gpkg_blob, schema
from geo.store.accounts import AccountsMixin
from geo.store.audit import AuditMixin
from geo.store.base import SiteStore
from geo.store.db import Database, iso_utc, q as _q, utc_now
from geo.store.gating import GatesMixin
from geo.store.imports import ImportsMixin
from geo.store.observations import ObservationsMixin
from geo.store.rasters import RastersMixin
from geo.store.refareas import ReferenceMixin
from geo.store.schema import META_TABLE, SCHEMA_VERSION
from geo.store.sitedisplay import DisplayMixin
from geo.store.sites import SitesMixin
from geo.store.sync import SyncMixin


class SqliteDatabase(Database):
    """A GeoPackage file through Python's ``sqlite3``: connections, ``BEGIN IMMEDIATE``, geometry blobs."""

    DriverError = (sqlite3.Error,)
    IntegrityError = (sqlite3.IntegrityError,)
    backend = "gpkg"

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    @property
    def files_root(self) -> Path:
        """Where files that belong to the store live (photos, rasters): beside the store file."""
        return self.path.parent

    @property
    def files_stem(self) -> str:
        """The prefix of those folders' names: the store file's name (``store`` -> ``store_photos``)."""
        return self.path.stem

    @property
    def label(self) -> str:
        return str(self.path)

    @property
    def locator(self) -> str:
        """What ``open_store`` takes to open this store again (another process, another instance)."""
        return str(self.path)

    def _connect(self) -> sqlite3.Connection:
        from geo.store.diagnose import diagnose

        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise diagnose(self.path, exc) from exc
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            conn.close()
            raise diagnose(self.path, exc) from exc
        gpkg_blob.register_functions(conn)
        return conn

    def _begin(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")

    def _in_transaction(self, conn: sqlite3.Connection) -> bool:
        return conn.in_transaction

    def geom_in(self, geom) -> bytes:
        return gpkg_blob.encode(geom)

    def geom_out(self, value):
        return gpkg_blob.decode(value)

    def _store_error(self, exc: BaseException, conn=None) -> StoreError:
        """A StoreError by cause (:mod:`geo.store.diagnose`): full disk, read-only, locked, damaged ..."""
        from geo.store.diagnose import diagnose

        text = str(exc)
        if "full" in text:
            return StoreError(
                "store.disk_full",
                en=f"The disk holding {self.path} is full; nothing was written. Free space and retry.",
                zh=f"{self.path} 所在磁盘已满，本次未写入任何数据。请清理空间后重试。",
                fix_zh="清理该磁盘空间后重试；数据仍在原处，切勿重新初始化。",
                fix_en="Free space on that disk and retry; the data is still there — do not re-initialise.",
            )
        if "locked" in text or "busy" in text:
            return StoreError(
                "store.busy",
                en=f"The store {self.path} stayed busy for 30 s; nothing was written. Retry in a moment.",
                zh="数据库繁忙（超过30秒），本次未写入。请稍后重试。",
            )
        if "append-only" in text:
            return StoreError("store.append_only", en=f"Refused: {text}.", zh=f"拒绝操作：{text}（只允许追加）。")
        return diagnose(self.path, exc)

    def enable_wal(self) -> None:
        """Switch the file to WAL (QGIS may have set it back to DELETE on close)."""
        conn = self._connect()
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous = NORMAL")
        finally:
            conn.close()
        if str(mode).lower() != "wal":
            raise StoreError("store.no_wal", en=f"Could not enable WAL on {self.path} (got {mode}).",
                             zh=f"无法为 {self.path} 启用WAL模式（当前 {mode}）。")

    def _layer_changed(self, conn: sqlite3.Connection, table: str, added=None) -> None:
        """Keep the table's extent in ``gpkg_contents`` (QGIS zooms to it): of every geometry, or the old
        extent grown by ``added`` (geometries just inserted: adding to a store of a million sites does not
        read them all again); other changes (imports that move or remove sites, undo) recompute it."""
        xs, ys = [], []
        old = conn.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = ?",
                           (table,)).fetchone() if added is not None else None
        if old is not None and None not in tuple(old):
            xs, ys = [old[0], old[2]], [old[1], old[3]]
            for g in added:
                if g is not None and not g.is_empty:
                    minx, miny, maxx, maxy = g.bounds
                    xs += [minx, maxx]
                    ys += [miny, maxy]
        else:
            for (blob,) in conn.execute(f"SELECT geom FROM {_q(table)}"):
                minx, miny, maxx, maxy = gpkg_blob.decode(blob).bounds
                xs += [minx, maxx]
                ys += [miny, maxy]
        if xs:
            conn.execute(
                "UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?, last_change=? WHERE table_name=?",
                (min(xs), min(ys), max(xs), max(ys), iso_utc(utc_now()), table),
            )


class GpkgStore(ObservationsMixin, GatesMixin, DisplayMixin, ReferenceMixin, SyncMixin, RastersMixin, ImportsMixin,
                AccountsMixin, AuditMixin, SitesMixin, SqliteDatabase, SiteStore):
    """A :class:`SiteStore` kept in one GeoPackage file.

    Parameters
    ----------
    path : str or Path
        The ``.gpkg`` file. It must exist and carry this app's schema; use
        :func:`create_store` or :func:`geo.store.open_store` to make one.
    """

    def create_schema(self) -> None:
        """Create every table of the current schema in this (empty) file."""
        conn = self._connect()
        try:
            schema.create(conn)
        except sqlite3.Error as exc:
            raise self._store_error(exc) from exc
        finally:
            conn.close()

    def migrate(self) -> str | None:
        """Bring an older store up to the current schema; returns the version found."""
        conn = self._connect()
        try:
            return schema.migrate(conn)
        except sqlite3.Error as exc:
            raise self._store_error(exc) from exc
        finally:
            conn.close()

    def check_schema(self) -> None:
        """Raise StoreError unless the file is a store of this app with a known schema.

        A file that cannot be used is diagnosed by cause (:mod:`geo.store.diagnose`): a full disk, a
        read-only file, a lock, damage, another program's file — never "run init --force" for data.
        """
        from geo.store.diagnose import diagnose

        if not self.path.exists():
            raise diagnose(self.path)
        try:
            with self._read() as conn:
                version = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key='schema_version'").fetchone()
        except StoreError as exc:
            if exc.code == "store.sqlite":  # e.g. "no such table: store_meta": say whose file it is
                raise diagnose(self.path, exc.__cause__ or exc) from exc
            raise
        if version is not None and (version[0] in schema.MIGRATABLE or (
                version[0] == SCHEMA_VERSION and not self._kind_tables_in_sync())):
            self.migrate()
            version = (SCHEMA_VERSION,)
        if version is None or version[0] != SCHEMA_VERSION:
            raise StoreError(
                "store.schema_version",
                en=f"{self.path} has schema {version[0] if version else None!r}; this app needs {SCHEMA_VERSION}.",
                zh=f"{self.path} 的结构版本与本系统不符（需要 {SCHEMA_VERSION}）。",
            )

    def _kind_tables_in_sync(self) -> bool:
        with self._read() as conn:
            return schema.kind_tables_in_sync(conn) and schema.observation_tables_in_sync(conn)


def create_store(path: str | os.PathLike, populate: Callable[[GpkgStore], None] | None = None,
                 *, force: bool = False) -> GpkgStore:
    """Create a store at ``path`` atomically, optionally filled by ``populate``.

    The file is built under a temporary name and only then put in place, so a
    crash leaves either no store or a complete one. Without ``force`` an
    existing store is kept (and a concurrent creator wins cleanly). With
    ``force`` the old file is checkpointed (its WAL folded in and removed by
    SQLite itself) and replaced.

    Returns
    -------
    GpkgStore
        The store at ``path``, in WAL mode.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not force:
        store = GpkgStore(path)
        store.check_schema()
        store.enable_wal()
        return store
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        building = GpkgStore(tmp)
        building.create_schema()
        conn = building._connect()
        try:
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
        if populate is not None:
            populate(building)
        if force and path.exists():
            _retire(path)
            os.replace(tmp, path)
            _adopt_photos(tmp, path)
        else:
            try:
                os.link(tmp, path)  # atomic create-if-absent
                _adopt_photos(tmp, path)
            except FileExistsError:
                pass  # another process created it first: keep theirs
    finally:
        if tmp.exists():
            tmp.unlink()
        _drop_photos(tmp)
    store = GpkgStore(path)
    store.check_schema()
    store.enable_wal()
    return store


def _adopt_photos(tmp: Path, path: Path) -> None:
    """Move the photos stored while building ``tmp`` (sample data) into the photo folder of ``path``.

    Photos are named by content, so a file already there is the same photo and is kept.
    """
    from geo.photos import photos_root

    src, dst = photos_root(tmp), photos_root(path)
    if not src.is_dir():
        return
    for f in sorted(src.rglob("*.jpg")):
        target = dst / f.relative_to(src)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(f, target)


def _drop_photos(tmp: Path) -> None:
    """Remove what is left of the build's photo folder."""
    import shutil

    from geo.photos import photos_root

    shutil.rmtree(photos_root(tmp), ignore_errors=True)


def _retire(path: Path) -> None:
    """Fold the WAL of an old store into it and leave it in rollback-journal mode."""
    try:
        conn = sqlite3.connect(path, timeout=30)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # not a database we can open: it is replaced anyway
