"""``GET /healthz`` (liveness) and ``GET /readyz`` (readiness): JSON, no login, nothing sensitive.

``/healthz`` answers 200 while the process serves requests. ``/readyz``
answers 200 only when the store is there, opens as this app's store at the
expected schema version and can be written, and the disks holding the store
and the photos each have at least ``ONEMAP_MIN_FREE_MB`` (default 200 MB)
free; otherwise 503 with which check failed. No paths, names or counts of
data are given: only check names, booleans, the schema version and free
megabytes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from geo.store.probe import StoreProbe, probe_store
from geo.store.schema import SCHEMA_VERSION
from geo.web import paths
from geo.web.responses import NO_STORE
from geo.web.settings import WebSettings

__all__ = ["health_routes", "readiness"]


def _existing(folder: Path) -> Path:
    """``folder`` or its nearest existing parent (the photos folder appears with the first photo)."""
    folder = Path(folder).resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _writable(folder: Path) -> bool:
    try:
        fd, name = tempfile.mkstemp(prefix=".readyz.", dir=folder)
        os.close(fd)
        os.unlink(name)
        return True
    except OSError:
        return False


def _disk(folder: Path, min_free_mb: int) -> dict:
    where = _existing(folder)
    try:
        free_mb = shutil.disk_usage(where).free // (1024 * 1024)
    except OSError:
        return {"ok": False, "reason": "unreadable"}
    writable = _writable(where)
    ok = writable and free_mb >= min_free_mb
    out = {"ok": ok, "free_mb": int(free_mb), "min_free_mb": min_free_mb, "writable": writable}
    if not ok:
        out["reason"] = "read_only" if not writable else "low_space"
    return out


def _probe_database(url: str) -> StoreProbe:
    """A PostGIS store's readiness: reachable, this app's schema; writable as the app's role (its grants)."""
    from geo.errors import OneMapError
    from geo.store import existing_store
    from geo.store.pg_schema import SCHEMA_VERSION as PG_SCHEMA_VERSION
    from geo.store.tables import HISTORY_TABLE, META_TABLE

    try:
        store = existing_store(url)
        try:
            with store._read() as conn:
                row = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'schema_version'").fetchone()
                version = row[0] if row else None
                writable = bool(conn.execute("SELECT has_table_privilege(?, 'INSERT')",
                                             (HISTORY_TABLE,)).fetchone()[0])
        finally:
            store.close()
    except OneMapError:
        return StoreProbe(False, False, False, None, "unreachable")
    if version != str(PG_SCHEMA_VERSION):
        return StoreProbe(True, True, writable, version, "schema_mismatch")
    return StoreProbe(True, True, writable, version, None if writable else "read_only")


def _expected_version(settings: WebSettings) -> str:
    if settings.is_postgres:
        from geo.store.pg_schema import SCHEMA_VERSION as PG_SCHEMA_VERSION

        return str(PG_SCHEMA_VERSION)
    return SCHEMA_VERSION


def readiness(settings: WebSettings) -> dict:
    """The readiness report (what ``/readyz`` returns), computed now."""
    probe = _probe_database(settings.store) if settings.is_postgres else probe_store(Path(settings.store))
    store = {"ok": probe.ok, "exists": probe.exists, "readable": probe.readable, "writable": probe.writable}
    if probe.reason and probe.reason != "schema_mismatch":
        store["reason"] = probe.reason
    expected = _expected_version(settings)
    schema = {"ok": probe.schema_version == expected, "version": probe.schema_version, "expected": expected}
    checks = {
        "store": store,
        "schema": schema,
        **({} if settings.is_postgres else {"store_disk": _disk(Path(settings.store).parent, settings.min_free_mb)}),
        "photos_disk": _disk(settings.photos_root, settings.min_free_mb),
    }
    return {"ready": all(c["ok"] for c in checks.values()), "checks": checks}


def health_routes(settings: WebSettings, base_url_path: str = "") -> list[Route]:
    """``/healthz`` and ``/readyz`` under ``base_url_path``."""

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": NO_STORE})

    async def readyz(request: Request) -> JSONResponse:
        report = await run_in_threadpool(readiness, settings)
        return JSONResponse(report, status_code=200 if report["ready"] else 503, headers={"Cache-Control": NO_STORE})

    return [
        Route(paths.under(base_url_path, paths.HEALTHZ), healthz, methods=["GET", "HEAD"]),
        Route(paths.under(base_url_path, paths.READYZ), readyz, methods=["GET", "HEAD"]),
    ]
