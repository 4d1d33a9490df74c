"""The store's tables: GeoPackage core, one feature table per kind, history, accounts, audit.

``create(conn)`` builds a new file at the current schema; ``migrate(conn)``
brings an older file up to date in place (one transaction; nothing dropped;
old codes rewritten with a history row each, see :func:`_to_5`).
Attribute tables are registered in ``gpkg_contents`` so QGIS lists them.
"""

from __future__ import annotations

import json
import sqlite3

from geo.store.db import iso_utc, q, utc_now
from geo.store.tables import (ADDR_THROTTLE_TABLE, AUDIT_TABLE, BATCHES_TABLE, FIELD_CHANGES_TABLE, FIELD_DEVICES_TABLE,
                              FIELD_PHOTOS_TABLE, DISPLAY_TABLE, HISTORY_TABLE, INDEX_TABLE, META_TABLE, RASTERS_TABLE,
                              REFERENCE_REPLACED_TABLE, REFERENCE_TABLE, SESSIONS_TABLE, THROTTLE_TABLE,
                              TOWN_BOUNDARIES_TABLE, TOWN_REPLACED_TABLE, USERS_TABLE)
from layers import OBSERVATIONS, REGISTRY
from layers.observation import ObservationSpec

APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10400
SQL_TYPES = {"text": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "BOOLEAN", "date": "DATE", "choice": "TEXT"}
GEOM_TYPE_NAME = {"point": "POINT", "line": "MULTILINESTRING", "polygon": "MULTIPOLYGON",
                  "line_or_polygon": "GEOMETRY"}

_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)

_CORE_DDL = f"""
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE {META_TABLE} (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE {INDEX_TABLE} (fid INTEGER PRIMARY KEY AUTOINCREMENT, site_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL);
CREATE TABLE {HISTORY_TABLE} (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id TEXT NOT NULL, kind TEXT NOT NULL, version INTEGER NOT NULL, action TEXT NOT NULL,
  from_status TEXT, to_status TEXT, changed_at DATETIME NOT NULL, actor TEXT NOT NULL,
  source TEXT NOT NULL, client TEXT, note TEXT, changes TEXT, op_id TEXT UNIQUE,
  device_lon REAL, device_lat REAL, device_accuracy_m REAL, device_time DATETIME,
  distance_m REAL, remote BOOLEAN, photos TEXT,
  UNIQUE (site_id, version));
CREATE INDEX idx_history_site ON {HISTORY_TABLE}(site_id, version);
CREATE INDEX idx_history_time ON {HISTORY_TABLE}(changed_at);
CREATE TRIGGER {HISTORY_TABLE}_no_update BEFORE UPDATE ON {HISTORY_TABLE}
  BEGIN SELECT RAISE(ABORT, 'site_history is append-only'); END;
CREATE TRIGGER {HISTORY_TABLE}_no_delete BEFORE DELETE ON {HISTORY_TABLE}
  BEGIN SELECT RAISE(ABORT, 'site_history is append-only'); END;
"""

# Added in schema 2: accounts, server-side sessions, login throttling, the audit log.
_ACCOUNTS_DDL = f"""
CREATE TABLE IF NOT EXISTS {USERS_TABLE} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE, display_name TEXT, role TEXT NOT NULL, towns TEXT NOT NULL DEFAULT '[]',
  password_hash TEXT, identity TEXT UNIQUE, disabled BOOLEAN NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 0, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL,
  password_changed_at DATETIME);
CREATE TABLE IF NOT EXISTS {SESSIONS_TABLE} (
  token_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, created_at DATETIME NOT NULL,
  last_seen DATETIME NOT NULL, revoked_at DATETIME, client TEXT);
CREATE INDEX IF NOT EXISTS idx_sessions_user ON {SESSIONS_TABLE}(user_name);
CREATE TABLE IF NOT EXISTS {THROTTLE_TABLE} (
  name TEXT PRIMARY KEY, failures INTEGER NOT NULL DEFAULT 0, first_failure DATETIME, locked_until DATETIME);
CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at DATETIME NOT NULL, actor TEXT NOT NULL, role TEXT,
  action TEXT NOT NULL, outcome TEXT NOT NULL, target TEXT, client TEXT, details TEXT);
CREATE INDEX IF NOT EXISTS idx_audit_at ON {AUDIT_TABLE}(at);
CREATE INDEX IF NOT EXISTS idx_audit_actor ON {AUDIT_TABLE}(actor, action);
CREATE TRIGGER IF NOT EXISTS {AUDIT_TABLE}_no_update BEFORE UPDATE ON {AUDIT_TABLE}
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS {AUDIT_TABLE}_no_delete BEFORE DELETE ON {AUDIT_TABLE}
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"""

# Added in schema 3: import batches (every import is one batch that can be undone), the batch of each
# history row, and the official town boundaries (current ones in a feature table QGIS shows; the ones an
# import replaced kept aside so that undoing that import can put them back).
_IMPORTS_DDL = f"""
CREATE TABLE IF NOT EXISTS {BATCHES_TABLE} (
  batch_id TEXT PRIMARY KEY, created_at DATETIME NOT NULL, actor TEXT NOT NULL, source_name TEXT,
  kind TEXT NOT NULL, counts TEXT NOT NULL, undone_at DATETIME, undone_by TEXT);
CREATE INDEX IF NOT EXISTS idx_batches_created ON {BATCHES_TABLE}(created_at);
CREATE INDEX IF NOT EXISTS idx_history_batch ON {HISTORY_TABLE}(batch_id);
CREATE TABLE IF NOT EXISTS {TOWN_BOUNDARIES_TABLE} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, geom MULTIPOLYGON NOT NULL, town_code TEXT NOT NULL UNIQUE,
  name_zh TEXT NOT NULL, batch_id TEXT NOT NULL, imported_at DATETIME NOT NULL);
CREATE TABLE IF NOT EXISTS {TOWN_REPLACED_TABLE} (
  id INTEGER PRIMARY KEY AUTOINCREMENT, old_fid INTEGER NOT NULL, town_code TEXT NOT NULL, name_zh TEXT NOT NULL,
  geom BLOB NOT NULL, batch_id TEXT NOT NULL, imported_at DATETIME NOT NULL, replaced_by TEXT NOT NULL,
  replaced_at DATETIME NOT NULL);
"""

# Added in schema 4: raster overlays (the files live next to the store; tiles are derived, in the cache).
_RASTERS_DDL = f"""
CREATE TABLE IF NOT EXISTS {RASTERS_TABLE} (
  raster_id TEXT PRIMARY KEY, name_zh TEXT NOT NULL, name_en TEXT NOT NULL, file TEXT NOT NULL,
  file_sha256 TEXT NOT NULL, bands INTEGER NOT NULL, colormap TEXT, vmin REAL, vmax REAL, unit TEXT,
  opacity REAL NOT NULL, shown BOOLEAN NOT NULL DEFAULT 1,
  min_lon REAL NOT NULL, min_lat REAL NOT NULL, max_lon REAL NOT NULL, max_lat REAL NOT NULL,
  max_zoom INTEGER NOT NULL, is_sample BOOLEAN NOT NULL DEFAULT 0, is_synthetic BOOLEAN NOT NULL DEFAULT 0,
  description TEXT, source_name TEXT, info TEXT, version INTEGER NOT NULL,
  added_at DATETIME NOT NULL, added_by TEXT NOT NULL, updated_at DATETIME NOT NULL, updated_by TEXT NOT NULL,
  removed_at DATETIME, removed_by TEXT)
"""

# Added in schema 8: official reference areas (built-up area, near suburbs, heat-network coverage), one
# feature table QGIS shows with the current version of each; an import replaces every current feature of its
# kind (the replaced ones kept aside with when they were replaced, so that undo restores them and figures for a
# past day use the version then current).
_REFERENCE_DDL = f"""
CREATE TABLE IF NOT EXISTS {REFERENCE_TABLE} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, geom MULTIPOLYGON NOT NULL, area_kind TEXT NOT NULL, name_zh TEXT NOT NULL,
  batch_id TEXT NOT NULL, imported_at DATETIME NOT NULL, is_sample BOOLEAN NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS idx_reference_kind ON {REFERENCE_TABLE}(area_kind);
CREATE TABLE IF NOT EXISTS {REFERENCE_REPLACED_TABLE} (
  id INTEGER PRIMARY KEY AUTOINCREMENT, old_fid INTEGER NOT NULL, area_kind TEXT NOT NULL, name_zh TEXT NOT NULL,
  geom BLOB NOT NULL, batch_id TEXT NOT NULL, imported_at DATETIME NOT NULL, is_sample BOOLEAN NOT NULL DEFAULT 0,
  replaced_by TEXT NOT NULL, replaced_at DATETIME NOT NULL);
CREATE INDEX IF NOT EXISTS idx_reference_replaced_by ON {REFERENCE_REPLACED_TABLE}(replaced_by)
"""

_ATTRIBUTE_TABLES = (
    (HISTORY_TABLE, "点位变更历史 site history"),
    (INDEX_TABLE, "点位索引 site index"),
    (META_TABLE, "库信息 store meta"),
    (USERS_TABLE, "用户 users"),
    (SESSIONS_TABLE, "会话 sessions"),
    (THROTTLE_TABLE, "登录限制 login throttle"),
    (ADDR_THROTTLE_TABLE, "登录限制（按地址） login throttle by address"),
    (AUDIT_TABLE, "审计日志 audit log"),
    (BATCHES_TABLE, "导入批次 import batches"),
    (TOWN_REPLACED_TABLE, "被替换的镇街边界 replaced town boundaries"),
    (RASTERS_TABLE, "栅格图层 raster overlays"),
    (FIELD_CHANGES_TABLE, "离线变更 offline field changes"),
    (FIELD_PHOTOS_TABLE, "离线照片 offline photo uploads"),
    (FIELD_DEVICES_TABLE, "离线设备 field devices"),
    (REFERENCE_REPLACED_TABLE, "被替换的参考范围 replaced reference areas"),
    (DISPLAY_TABLE, "显示几何 display geometry"),
)


def create(conn: sqlite3.Connection) -> None:
    """Create every table of the current schema in an empty database (autocommit connection)."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
    conn.executescript(_CORE_DDL)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)",
        [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
            ("WGS 84 geodetic", 4326, "EPSG", 4326, _WGS84_WKT,
             "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
        ],
    )
    conn.executemany(f"INSERT INTO {META_TABLE}(key, value) VALUES (?, ?)",
                     [("schema_version", "1"), ("created_at", iso_utc(utc_now())), ("data_origin", "empty")])
    conn.execute("COMMIT")
    migrate(conn)


def sync_kind_tables(conn: sqlite3.Connection) -> list[str]:
    """Make the store's feature tables match the layer specs: a table per kind, a column per field.

    Additive and idempotent (inside the caller's transaction): a kind new to the
    registry gets its table (registered for QGIS), a field new to a spec gets
    its column (empty for existing sites). Nothing is dropped or renamed — a
    field removed from a spec keeps its column and data. Returns what it did.
    """
    done = []
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for spec in REGISTRY.values():
        if spec.key not in tables:
            cols = ",\n".join(f"{q(f.name)} {SQL_TYPES[f.type]}" for f in spec.fields)
            conn.execute(
                f"""CREATE TABLE {q(spec.key)} (
                    fid INTEGER PRIMARY KEY AUTOINCREMENT,
                    geom {GEOM_TYPE_NAME[spec.geometry]} NOT NULL,
                    site_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, town_code TEXT NOT NULL,
                    responsible TEXT, deadline DATE, status TEXT NOT NULL, version INTEGER NOT NULL,
                    is_sample BOOLEAN NOT NULL DEFAULT 0, updated_at DATETIME NOT NULL, updated_by TEXT NOT NULL
                    {"," if cols else ""}{cols})"""
            )
            conn.execute(f"CREATE INDEX {q('idx_' + spec.key + '_town')} ON {q(spec.key)}(town_code, status)")
            conn.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)"
                " VALUES (?, 'features', ?, ?, 4326)",
                (spec.key, f"{spec.zh} {spec.en}", spec.description_zh),
            )
            conn.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)",
                         (spec.key, GEOM_TYPE_NAME[spec.geometry]))
            done.append(f"table {spec.key}")
            continue
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({q(spec.key)})")}
        for f in spec.fields:
            if f.name not in have:
                conn.execute(f"ALTER TABLE {q(spec.key)} ADD COLUMN {q(f.name)} {SQL_TYPES[f.type]}")
                done.append(f"column {spec.key}.{f.name}")
    return done


def kind_tables_in_sync(conn: sqlite3.Connection) -> bool:
    """Whether every kind has its table and every field its column (cheap: one PRAGMA per kind)."""
    for spec in REGISTRY.values():
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({q(spec.key)})")}
        if not have or any(f.name not in have for f in spec.fields):
            return False
    return True


def _observation_ddl(spec: ObservationSpec) -> list[str]:
    """The table of one monitoring spec: common columns, a column per field; append-only by trigger."""
    t = q(spec.key)
    cols = "".join(f",\n  {q(f.name)} {SQL_TYPES[f.type]}" for f in spec.fields)
    return [
        f"""CREATE TABLE {t} (
  obs_id INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id TEXT NOT NULL, observed_on DATE NOT NULL, observed_time TEXT{cols},
  action TEXT NOT NULL DEFAULT 'add' CHECK (action IN ('add', 'correct', 'void')),
  replaces INTEGER REFERENCES {t}(obs_id), reason TEXT,
  recorded_at DATETIME NOT NULL, recorded_by TEXT NOT NULL, source TEXT NOT NULL, client TEXT,
  batch_id TEXT, op_id TEXT, is_sample BOOLEAN NOT NULL DEFAULT 0,
  CHECK ((action = 'add') = (replaces IS NULL)),
  CHECK (action = 'add' OR (reason IS NOT NULL AND length(trim(reason)) > 0)))""",
        f"CREATE INDEX {q('idx_' + spec.key + '_site')} ON {t}(site_id, observed_on)",
        f"CREATE INDEX {q('idx_' + spec.key + '_op')} ON {t}(op_id)",
        f"CREATE INDEX {q('idx_' + spec.key + '_batch')} ON {t}(batch_id)",
        f"CREATE UNIQUE INDEX {q('idx_' + spec.key + '_replaces')} ON {t}(replaces) WHERE replaces IS NOT NULL",
        f"CREATE TRIGGER {q(spec.key + '_no_update')} BEFORE UPDATE ON {t} "
        f"BEGIN SELECT RAISE(ABORT, '{spec.key} is append-only'); END",
        f"CREATE TRIGGER {q(spec.key + '_no_delete')} BEFORE DELETE ON {t} "
        f"BEGIN SELECT RAISE(ABORT, '{spec.key} is append-only'); END",
    ]


def sync_observation_tables(conn: sqlite3.Connection) -> list[str]:
    """A table for every monitoring spec (:data:`layers.OBSERVATIONS`), a column for every field.

    Additive and idempotent, inside the caller's transaction, like
    :func:`sync_kind_tables`: a spec new to the registry gets its table
    (registered for QGIS as an attribute table), a field new to a spec its
    column. Nothing is dropped.
    """
    done = []
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    registered = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
    for spec in OBSERVATIONS.values():
        if spec.key not in tables:
            for stmt in _observation_ddl(spec):
                conn.execute(stmt)
            done.append(f"table {spec.key}")
        else:
            have = {r[1] for r in conn.execute(f"PRAGMA table_info({q(spec.key)})")}
            for f in spec.fields:
                if f.name not in have:
                    conn.execute(f"ALTER TABLE {q(spec.key)} ADD COLUMN {q(f.name)} {SQL_TYPES[f.type]}")
                    done.append(f"column {spec.key}.{f.name}")
        if spec.key not in registered:
            conn.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description)"
                         " VALUES (?, 'attributes', ?, ?)", (spec.key, f"{spec.zh} {spec.en}", spec.description_zh))
    return done


def observation_tables_in_sync(conn: sqlite3.Connection) -> bool:
    """Whether every monitoring spec has its table and every field its column."""
    for spec in OBSERVATIONS.values():
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({q(spec.key)})")}
        if not have or any(f.name not in have for f in spec.fields):
            return False
    return True


def _to_2(conn: sqlite3.Connection) -> None:
    """Schema 2: accounts, server-side sessions, login throttling, the audit log; photos on history rows."""
    cols = {r[1] for r in conn.execute(f"PRAGMA table_info({HISTORY_TABLE})")}
    if "photos" not in cols:
        conn.execute(f"ALTER TABLE {HISTORY_TABLE} ADD COLUMN photos TEXT")
    for stmt in _ACCOUNTS_DDL.split(";\n"):
        if stmt.strip():
            conn.execute(stmt)
    conn.execute(f"INSERT OR IGNORE INTO {META_TABLE}(key, value) VALUES ('guest_read', 'on')")


def _to_4(conn: sqlite3.Connection) -> None:
    """Schema 4: raster overlays."""
    conn.execute(_RASTERS_DDL)


def _to_10(conn: sqlite3.Connection) -> None:
    """Schema 10: monitoring as data — a table per monitoring spec; the override reason on history rows."""
    cols = {r[1] for r in conn.execute(f"PRAGMA table_info({HISTORY_TABLE})")}
    if "override" not in cols:
        conn.execute(f"ALTER TABLE {HISTORY_TABLE} ADD COLUMN override TEXT")
    sync_observation_tables(conn)
    # A store made while this step was numbered 8 says "8" without the reference areas: make them when
    # missing (schema 8 is idempotent: tables created if absent, registered once; schema 9 ran before).
    _to_8(conn)


def migrate(conn: sqlite3.Connection) -> str:
    """Bring the schema up to :data:`SCHEMA_VERSION` in one transaction; return the version found.

    Applies, in order, every step of :data:`STEPS` newer than the version
    found, then :func:`sync_kind_tables` (kinds and fields new to the layer
    specs) and registers the attribute tables for QGIS. Nothing is dropped; a
    step that rewrites old codes (schema 5) records each change in the history
    and the audit log.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key='schema_version'").fetchone()
        found = row[0] if row else None
        if found not in MIGRATABLE and found != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"unknown schema version {found!r}")
        for version, step in STEPS:
            if int(found) < version:
                step(conn)
        sync_kind_tables(conn)
        sync_observation_tables(conn)
        display_triggers(conn)
        registered = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
        for table, ident in _ATTRIBUTE_TABLES:
            if table not in registered:
                conn.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description)"
                             " VALUES (?, 'attributes', ?, '')", (table, ident))
        conn.execute(f"INSERT OR REPLACE INTO {META_TABLE}(key, value) VALUES ('schema_version', ?)",
                     (SCHEMA_VERSION,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found


def _to_3(conn: sqlite3.Connection) -> None:
    """Schema 3: import batches, ``site_history.batch_id``, official town boundaries (a feature table)."""
    cols = {r[1] for r in conn.execute(f"PRAGMA table_info({HISTORY_TABLE})")}
    if "batch_id" not in cols:
        conn.execute(f"ALTER TABLE {HISTORY_TABLE} ADD COLUMN batch_id TEXT")
    for stmt in _IMPORTS_DDL.split(";\n"):
        if stmt.strip():
            conn.execute(stmt)
    registered = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
    if TOWN_BOUNDARIES_TABLE not in registered:
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)"
            " VALUES (?, 'features', ?, ?, 4326)",
            (TOWN_BOUNDARIES_TABLE, "镇街边界 town boundaries", "官方镇街边界（管理员导入）"),
        )
        conn.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', 4326, 0, 0)",
                     (TOWN_BOUNDARIES_TABLE,))


#: Schema 5: outfall codes as HJ 1312-2023 and 国办函〔2022〕17号 give them (see layers/outfalls.py).
#: column -> {old code: new code}; a first-level class that was a second-level one also sets the second.
_OUTFALL_CODES = {
    "outfall_type": {"stormwater": "other", "port": "other"},
    "remediation_method": {"keep": "standardise"},  # 保留 is no national class: an outfall kept in place is 规范整治
}
_OUTFALL_SUBTYPE_FROM_OLD_TYPE = {"stormwater": "urban_storm", "port": "port", "municipal_wwtp": "municipal_wwtp"}
#: Who the history and audit name for the rewrite.
MIGRATION_ACTOR = "系统迁移"


def _to_5(conn: sqlite3.Connection) -> None:
    """Schema 5: rewrite the outfalls' old codes in place, one history row (action ``migrate``) per site changed.

    * every old outfall was an 入海 one: ``discharge_into`` = ``sea``; ``receiving_water`` = the old ``bay``;
    * ``outfall_type`` 城镇雨洪排口 / 港口码头排口 were first-level choices: now 其他排口 with that second level;
      城镇污水处理厂排污口 also gets its (only) second level;
    * ``remediation_method`` 保留 becomes 规范整治.

    Statuses keep their codes (已整治 is now labelled 整治完成), so none is rewritten. The old ``bay``
    column stays (nothing is dropped). Each changed site's version goes up by one with a history row
    ``{field: [old, new]}`` (so replaying the history still gives the stored state), and one audit row
    lists them; all in the migration's transaction.
    """
    sync_kind_tables(conn)  # the new columns must exist before they are filled
    table = "outfalls"
    cols = {r[1] for r in conn.execute(f"PRAGMA table_info({q(table)})")}
    if not cols:
        return
    has_bay = "bay" in cols
    rows = conn.execute(
        f"SELECT site_id, status, version, outfall_type, remediation_method, discharge_into, receiving_water,"
        f" outfall_subtype{', bay' if has_bay else ''} FROM {q(table)} ORDER BY site_id").fetchall()
    when = iso_utc(utc_now())
    changed: list[str] = []
    for r in rows:
        site_id, status, version, otype, method, into, water, subtype = r[:8]
        bay = r[8] if has_bay else None
        new = {"discharge_into": into or "sea", "receiving_water": water or bay,
               "outfall_type": _OUTFALL_CODES["outfall_type"].get(otype, otype),
               "outfall_subtype": subtype or _OUTFALL_SUBTYPE_FROM_OLD_TYPE.get(otype),
               "remediation_method": _OUTFALL_CODES["remediation_method"].get(method, method)}
        old = {"discharge_into": into, "receiving_water": water, "outfall_type": otype,
               "outfall_subtype": subtype, "remediation_method": method}
        diff = {k: [old[k], v] for k, v in new.items() if old[k] != v}
        if not diff:
            continue
        sets = ", ".join(f"{q(k)} = ?" for k in diff)
        conn.execute(f"UPDATE {q(table)} SET {sets}, version = version + 1, updated_at = ?, updated_by = ?"
                     " WHERE site_id = ?", [v for _, v in diff.values()] + [when, MIGRATION_ACTOR, site_id])
        conn.execute(
            f"INSERT INTO {HISTORY_TABLE} (site_id, kind, version, action, from_status, to_status, changed_at,"
            " actor, source, note, changes) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (site_id, table, version + 1, "migrate", status, status, when, MIGRATION_ACTOR, "migration",
             "结构升级：排污口分类与整治方式按 HJ 1312-2023、国办函〔2022〕17号改写",
             json.dumps(diff, ensure_ascii=False)))
        changed.append(site_id)
    if changed:
        conn.execute(
            f"INSERT INTO {AUDIT_TABLE} (at, actor, role, action, outcome, target, client, details)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (when, MIGRATION_ACTOR, "system", "schema.migrate", "ok", table, None,
             json.dumps({"step": 5, "sites": len(changed), "site_ids": changed[:50]}, ensure_ascii=False)))


def _to_6(conn: sqlite3.Connection) -> None:
    """Schema 6: the sign-in throttle per client address (beside the one per name)."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {ADDR_THROTTLE_TABLE} (address TEXT PRIMARY KEY,"
                 " failures INTEGER NOT NULL DEFAULT 0, first_failure DATETIME, locked_until DATETIME)")


# Added in schema 7: the offline field client (geo/store/sync.py). Plain SQL that SQLite and PostgreSQL both
# accept: TEXT keys (no autoincrement), timestamps as ISO text in UTC, JSON as text.
#   field_changes  every change an offline client sent, by its op id: the change as submitted, its capture
#                  time, when it arrived, what became of it (applied / conflict / refused) and, for a
#                  conflict, the site as it stood at sync time and how the conflict was resolved;
#   field_photos   photos uploaded by content hash: the hash of the bytes the device sent -> the stored photo;
#   field_devices  device tokens (only their SHA-256), each tied to the account and the session it was made in.
_FIELD_DDL = f"""
CREATE TABLE IF NOT EXISTS {FIELD_CHANGES_TABLE} (
  op_id TEXT PRIMARY KEY, site_id TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL, device_id TEXT,
  base_version INTEGER NOT NULL, after_op TEXT, to_status TEXT NOT NULL, submitted TEXT NOT NULL,
  captured_at TEXT NOT NULL, clock_offset_s REAL, received_at TEXT NOT NULL, outcome TEXT NOT NULL,
  outcome_at TEXT NOT NULL, history_id INTEGER, message TEXT, server_state TEXT,
  resolution TEXT, resolved_at TEXT, resolved_by TEXT, resolution_note TEXT);
CREATE INDEX IF NOT EXISTS idx_field_changes_received ON {FIELD_CHANGES_TABLE}(received_at);
CREATE INDEX IF NOT EXISTS idx_field_changes_actor ON {FIELD_CHANGES_TABLE}(actor, outcome);
CREATE TABLE IF NOT EXISTS {FIELD_PHOTOS_TABLE} (
  upload_sha256 TEXT PRIMARY KEY, photo_sha256 TEXT NOT NULL, bytes INTEGER NOT NULL,
  uploaded_by TEXT NOT NULL, uploaded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS {FIELD_DEVICES_TABLE} (
  device_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, user_name TEXT NOT NULL, label TEXT,
  session_hash TEXT, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, last_seen TEXT NOT NULL,
  client TEXT, revoked_at TEXT, revoked_by TEXT);
CREATE INDEX IF NOT EXISTS idx_field_devices_user ON {FIELD_DEVICES_TABLE}(user_name)
"""


def _to_7(conn: sqlite3.Connection) -> None:
    """Schema 7: the offline field client's changes, photo uploads and device tokens."""
    for stmt in _FIELD_DDL.split(";\n"):
        if stmt.strip():
            conn.execute(stmt)


def _to_8(conn: sqlite3.Connection) -> None:
    """Schema 8: official reference areas (a feature table) and the versions an import replaced."""
    for stmt in _REFERENCE_DDL.split(";\n"):
        if stmt.strip():
            conn.execute(stmt)
    registered = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
    if REFERENCE_TABLE not in registered:
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)"
            " VALUES (?, 'features', ?, ?, 4326)",
            (REFERENCE_TABLE, "参考范围 reference areas", "城市建成区、城市近郊、供热管网覆盖范围（管理员导入）"),
        )
        conn.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', 4326, 0, 0)",
                     (REFERENCE_TABLE,))


#: Numbered schema steps, oldest first; a store at version N gets every step above N. A new step goes
#: at the end with the next number (kinds and fields new to the layer specs need no step: see
#: :func:`sync_kind_tables`).
# Added in schema 9: every site's display geometry (simplified, quantised; two levels of detail), written
# with the geometry, so that a map never simplifies on first view (geo/displaygeom.py,
# geo/store/sitedisplay.py). Derived data: a trigger on each kind table drops a site's row when its geometry
# changes or the site goes (whoever writes it, QGIS included); a site without a current row is computed
# when read. The PostGIS store has the same table (geo/store/pg_schema.py, step 5).
_DISPLAY_DDL = f"""
CREATE TABLE IF NOT EXISTS {DISPLAY_TABLE} (
  site_id TEXT PRIMARY KEY, kind TEXT NOT NULL, params TEXT NOT NULL, overview BLOB NOT NULL, detail BLOB)
"""


def display_triggers(conn: sqlite3.Connection) -> None:
    """The triggers keeping ``site_display`` from going stale, on every kind table (idempotent)."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if DISPLAY_TABLE not in tables:
        return
    for spec in REGISTRY.values():
        if spec.key not in tables:
            continue
        for event, name in (("UPDATE OF geom", "geom"), ("DELETE", "gone")):
            conn.execute(
                f"CREATE TRIGGER IF NOT EXISTS {q(spec.key + '_display_' + name)} AFTER {event} ON {q(spec.key)}"
                f" BEGIN DELETE FROM {DISPLAY_TABLE} WHERE site_id = OLD.site_id; END")


def _to_9(conn: sqlite3.Connection) -> None:
    """Schema 9: display geometries (``site_display``), their triggers, and those of the sites already there."""
    from geo.store import gpkg_blob
    from geo.store.sitedisplay import fill_display

    conn.execute(_DISPLAY_DDL)
    display_triggers(conn)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    fill_display(conn, gpkg_blob.decode, [k for k in REGISTRY if k in tables])


# Added in schema 11: a device token is revoked, never deleted, and stays revoked; what it is (its id, the
# hash of the token, the account, the session it was made in, when) never changes. Only ``last_seen``,
# ``label``, ``client``, ``expires_at`` and a first revocation are written after the insert
# (geo/store/sync.py). The PostGIS store has the same guard (geo/store/pg_schema.py, step 7).
_DEVICE_GUARD_DDL = f"""
CREATE TRIGGER IF NOT EXISTS {FIELD_DEVICES_TABLE}_no_delete BEFORE DELETE ON {FIELD_DEVICES_TABLE}
BEGIN SELECT RAISE(ABORT, '{FIELD_DEVICES_TABLE} is append-only: a device token is revoked, never deleted'); END;
CREATE TRIGGER IF NOT EXISTS {FIELD_DEVICES_TABLE}_fixed BEFORE UPDATE ON {FIELD_DEVICES_TABLE}
WHEN NEW.device_id IS NOT OLD.device_id OR NEW.token_hash IS NOT OLD.token_hash
  OR NEW.user_name IS NOT OLD.user_name OR NEW.session_hash IS NOT OLD.session_hash
  OR NEW.created_at IS NOT OLD.created_at
  OR (OLD.revoked_at IS NOT NULL AND (NEW.revoked_at IS NOT OLD.revoked_at OR NEW.revoked_by IS NOT OLD.revoked_by))
BEGIN SELECT RAISE(ABORT, '{FIELD_DEVICES_TABLE} is append-only: a token keeps its identity and its revocation'); END
"""


def _to_11(conn: sqlite3.Connection) -> None:
    """Schema 11: device tokens are never deleted, their identity never changes, a revocation is final."""
    for stmt in _DEVICE_GUARD_DDL.split(";\n"):
        if stmt.strip():
            conn.execute(stmt)


STEPS = ((2, _to_2), (3, _to_3), (4, _to_4), (5, _to_5), (6, _to_6), (7, _to_7), (8, _to_8), (9, _to_9),
         (10, _to_10), (11, _to_11))
SCHEMA_VERSION = str(STEPS[-1][0])
#: Older schema versions :func:`migrate` brings up to :data:`SCHEMA_VERSION` (additively, in place).
MIGRATABLE = tuple(str(v) for v in range(1, int(SCHEMA_VERSION)))
