"""Connections and transactions for the GeoPackage store.

One short connection per operation (Streamlit runs sessions in threads),
``BEGIN IMMEDIATE`` for every write, SQLite errors turned into StoreError
with a message a user can act on. A PermissionDenied raised inside an
operation rolls the operation back and is then recorded in the audit log in
a transaction of its own, so every denial leaves exactly one ``auth.denied``
row and nothing else.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from geo.errors import PermissionDenied, StoreError
from geo.store import gpkg_blob


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_utc(ts: datetime) -> str:
    """GeoPackage DATETIME text: ISO 8601 in UTC with milliseconds and Z."""
    if ts.tzinfo is None:
        raise ValueError("naive datetime: give a timezone")
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def q(name: str) -> str:
    """Quote an SQL identifier (names come from the registry, never from users)."""
    return '"' + name.replace('"', '""') + '"'


class Database:
    """Connection handling shared by every part of the store."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

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

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        except sqlite3.Error as exc:
            raise self._store_error(exc) from exc
        except PermissionDenied as exc:
            conn.close()
            self._record_denial(exc)
            raise
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._store_error(exc) from exc
            if isinstance(exc, PermissionDenied):
                conn.close()
                self._record_denial(exc)
            raise
        finally:
            conn.close()

    def _record_denial(self, exc: PermissionDenied) -> None:
        """Hook: write the denial to the audit log (implemented by the audit mixin)."""

    def _store_error(self, exc: sqlite3.Error) -> StoreError:
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
