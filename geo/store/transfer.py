"""Copy a whole store to another backend and prove the copy: GeoPackage → PostGIS and back.

:func:`copy_store` copies every table the app keeps — sites of every kind,
their index and full history, accounts, sessions, login throttling, the audit
log, import batches, town boundaries and reference areas (current and replaced), raster overlays,
store facts, and any table declared later in :data:`geo.store.tables.TABLES`
— with their ids, so history, audit and batch references stay true; then the
store's files (photos, raster copies). The destination must hold no data
(nothing is ever overwritten); the copy is one transaction, so a failure
leaves the destination as it was.

:func:`table_digests` gives, per table, the row count and a SHA-256 over the
rows in key order with every value in one canonical form (geometries as WKB,
booleans as booleans, timestamps as the store's UTC text), so the two sides
can be compared whatever their backend.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from typing import Any

import shapely

from geo.errors import ValidationError
from geo.store.base import Actor
from geo.store.db import q
from geo.store.tables import META_TABLE, TABLES
from layers import OBSERVATIONS, REGISTRY

#: Facts of one store that describe that store, not its data (never copied).
_OWN_META = ("schema_version", "created_at")
#: How each table is ordered for its digest (its key).
_ORDER = {"store_meta": "key", "sessions": "token_hash", "login_throttle": "name", "import_batches": "batch_id",
          "raster_layers": "raster_id", "site_index": "site_id", "users": "name", "town_boundaries": "town_code",
          "field_changes": "op_id", "field_photos": "upload_sha256", "field_devices": "device_id",
          "reference_areas": "fid", "site_display": "site_id"}
_BATCH = 2000


@dataclass
class TransferReport:
    """What a copy did and whether both sides agree."""

    source: str
    destination: str
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: int = 0
    ok: bool = False

    def as_dict(self) -> dict:
        return {"from": self.source, "to": self.destination, "ok": self.ok, "files_copied": self.files,
                "tables": self.tables}


def data_tables() -> list[str]:
    """Every table copied: the shared ones, one per kind and one per monitoring spec."""
    return list(TABLES) + list(REGISTRY) + list(OBSERVATIONS)


def _columns(store, conn, table: str) -> list[str]:
    if store.backend == "gpkg":
        return [r[1] for r in conn.execute(f"PRAGMA table_info({q(table)})")]
    return [r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?"
        " ORDER BY ordinal_position", (table,))]


def _has_table(store, conn, table: str) -> bool:
    if store.backend == "gpkg":
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name = ?", (table,)).fetchone() is not None
    return conn.execute("SELECT to_regclass(?)", (table,)).fetchone()[0] is not None


def _order(table: str, cols: list[str]) -> str:
    if table in _ORDER:
        return _ORDER[table]
    if table in REGISTRY:
        return "site_id"
    if table in OBSERVATIONS:
        return "obs_id"
    return "id" if "id" in cols else cols[0]


def _canonical(value, store, column: str):
    if value is None:
        return None
    if column == "geom":
        return shapely.to_wkb(store.geom_out(value), hex=True)
    if isinstance(value, bool):
        return value
    if isinstance(value, memoryview):
        return bytes(value).hex()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _bools(store, conn, table: str) -> set[str]:
    """Columns that hold booleans (SQLite keeps them as 0/1)."""
    if store.backend == "gpkg":
        return {r[1] for r in conn.execute(f"PRAGMA table_info({q(table)})") if str(r[2]).upper() == "BOOLEAN"}
    return {r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?"
                                       " AND data_type = 'boolean'", (table,))}


def _rows(store, conn, table: str, cols: list[str]):
    bools = _bools(store, conn, table)
    sql = f"SELECT {', '.join(q(c) for c in cols)} FROM {q(table)} ORDER BY {q(_order(table, cols))}"
    for r in conn.execute(sql):
        yield [bool(v) if (c in bools and v is not None) else _canonical(v, store, c) for c, v in zip(cols, r)]


def table_digests(store) -> dict[str, dict[str, Any]]:
    """Per table: row count and SHA-256 of its rows (key order, canonical values); fid columns left out."""
    out = {}
    with store._read() as conn:
        for table in data_tables():
            if not _has_table(store, conn, table):
                continue
            cols = sorted(c for c in _columns(store, conn, table) if c != "fid")
            h = hashlib.sha256()
            n = 0
            for row in _rows(store, conn, table, cols):
                if table == META_TABLE and row[cols.index("key")] in _OWN_META:
                    continue
                h.update(json.dumps(row, ensure_ascii=False, default=str, sort_keys=True).encode("utf-8"))
                n += 1
            out[table] = {"rows": n, "sha256": h.hexdigest()}
    return out


def _is_empty(store) -> bool:
    with store._read() as conn:
        for table in list(REGISTRY) + ["users", "site_history", "audit_log"]:
            if _has_table(store, conn, table) and conn.execute(f"SELECT 1 FROM {q(table)} LIMIT 1").fetchone():
                return False
    return True


def copy_store(source, destination) -> TransferReport:
    """Copy everything from ``source`` into the empty ``destination``, then compare both sides table by table.

    Raises
    ------
    ValidationError
        ``migrate.destination_not_empty`` when the destination holds sites, accounts, history or audit rows.
    """
    report = TransferReport(source.label, destination.label)
    if not _is_empty(destination):
        raise ValidationError(
            "migrate.destination_not_empty",
            en=f"The destination {destination.label} already holds data; copy into a new, empty store "
               "(nothing is ever overwritten).",
            zh=f"目标库 {destination.label} 已有数据；请复制到新建的空库（本工具从不覆盖已有数据）。",
            value=destination.label)
    with source._read() as src, destination._write() as dst:
        destination._actor_context(dst, Actor("migrate", role="system"))
        for table in data_tables():
            if not _has_table(source, src, table) or not _has_table(destination, dst, table):
                continue
            src_cols = _columns(source, src, table)
            dst_cols = set(_columns(destination, dst, table))
            cols = [c for c in src_cols if c in dst_cols and c != "fid"] + (["fid"] if "fid" in src_cols and
                                                                             "fid" in dst_cols else [])
            if table == META_TABLE:
                dst.execute(f"DELETE FROM {META_TABLE} WHERE key NOT IN ({', '.join('?' * len(_OWN_META))})",
                            _OWN_META)
            bools = _bools(source, src, table)
            insert = (f"INSERT INTO {q(table)} ({', '.join(q(c) for c in cols)}) "
                      f"VALUES ({', '.join('?' * len(cols))})")
            sql = f"SELECT {', '.join(q(c) for c in cols)} FROM {q(table)}"
            if table == META_TABLE:
                sql += f" WHERE key NOT IN ({', '.join(repr(k) for k in _OWN_META)})"
            if table in OBSERVATIONS:  # a correction refers to the row it replaces: older rows first
                sql += " ORDER BY obs_id"
            batch = []
            for r in src.execute(sql):
                row = []
                for c, v in zip(cols, r):
                    if c == "geom" and v is not None:
                        v = destination.geom_in(source.geom_out(v))
                    elif c in bools and v is not None:
                        v = bool(v)
                    elif isinstance(v, memoryview):
                        v = bytes(v)
                    row.append(v)
                batch.append(row)
                if len(batch) >= _BATCH:
                    dst.executemany(insert, batch)
                    batch = []
            if batch:
                dst.executemany(insert, batch)
            destination._after_bulk_insert(dst, table, cols)
            if table in REGISTRY:
                destination._layer_changed(dst, table)
        destination._data_changed(dst)
    report.files = _copy_files(source, destination)
    left, right = table_digests(source), table_digests(destination)
    for table, digest in left.items():
        other = right.get(table, {"rows": 0, "sha256": ""})
        report.tables[table] = {"rows": digest["rows"], "copied": other["rows"],
                                "same": digest == other, "sha256": digest["sha256"]}
    report.ok = all(t["same"] for t in report.tables.values())
    return report


def _copy_files(source, destination) -> int:
    """Photos and raster copies, to where the destination keeps them (files already there are kept)."""
    n = 0
    for src_dir, dst_dir in ((source.photos_dir, destination.photos_dir), (source.raster_dir, destination.raster_dir)):
        if not src_dir.exists() or src_dir.resolve() == dst_dir.resolve():
            continue
        for f in src_dir.rglob("*"):
            if f.is_file():
                target = dst_dir / f.relative_to(src_dir)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(f, target)
                    n += 1
    return n
