"""Is the store usable? A read-only look for health checks: never creates, migrates or changes anything.

Used by ``GET /readyz`` (:mod:`geo.web.health`): a load balancer or a
monitoring system asks it every few seconds, so it opens one short
connection, reads the schema version, and takes (and at once releases) the
write lock to learn whether a write could happen.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from geo.store.schema import META_TABLE, SCHEMA_VERSION

__all__ = ["StoreProbe", "probe_store"]


@dataclass(frozen=True)
class StoreProbe:
    """What :func:`probe_store` found.

    Attributes
    ----------
    exists : bool
        The file is there.
    readable : bool
        It opens as this app's store (its schema version could be read).
    writable : bool
        A write transaction could start (the file and its folder are writable).
    schema_version : str or None
        As recorded in the store.
    reason : str
        Why not ready, in a few words ("" when ready): ``missing``, ``unreadable``, ``read_only``,
        ``schema_mismatch``.
    """

    exists: bool
    readable: bool
    writable: bool
    schema_version: str | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def _version(path: Path, uri_flags: str) -> str | None:
    conn = sqlite3.connect(f"file:{path}?{uri_flags}", uri=True, timeout=2)
    try:
        row = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key='schema_version'").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def _can_write(path: Path) -> bool:
    conn = sqlite3.connect(path, timeout=2, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        return "locked" in text or "busy" in text  # another writer holds the lock: writable, just busy
    finally:
        conn.close()


def probe_store(path: str | Path) -> StoreProbe:
    """Look at the store file at ``path`` without changing it.

    Returns
    -------
    StoreProbe
    """
    path = Path(path)
    if not path.is_file():
        return StoreProbe(False, False, False, None, "missing")
    version = None
    for flags in ("mode=ro", "mode=ro&immutable=1"):  # a WAL file on a read-only disk opens only as immutable
        try:
            version = _version(path, flags)
            break
        except sqlite3.Error:
            continue
    if version is None:
        return StoreProbe(True, False, False, None, "unreadable")
    try:
        writable = _can_write(path)
    except sqlite3.Error:
        writable = False
    if not writable:
        return StoreProbe(True, True, False, version, "read_only")
    if version != SCHEMA_VERSION:
        return StoreProbe(True, True, True, version, "schema_mismatch")
    return StoreProbe(True, True, True, version)
