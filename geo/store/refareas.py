"""Official reference areas: imported as batches, replaced as a whole per kind, undone exactly.

A reference area (``layers.reference``: 城市建成区, 城市近郊, 供热管网覆盖范围) comes in the way
official town boundaries do (:mod:`geo.store.imports`): one import is one batch, one
transaction and one audit row. An import of a kind replaces every current feature of that kind
— the file is the new official version — and keeps the replaced ones in
``reference_areas_replaced`` with the batch and time that replaced them, so that

* undoing the import removes its features and puts the replaced ones back (refused, naming
  the later batch, when a later import has replaced this one in turn), and
* figures for a past day use the version that was current at the end of that day
  (:meth:`ReferenceMixin.reference_areas` with ``before``).

A file identical to the current version (same names and shapes) changes nothing.

Written once for every backend (SQL both SQLite and PostgreSQL understand, geometry through the
backend's ``geom_in``/``geom_out``); the PostGIS tables are step 3 of :mod:`geo.store.pg_schema`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Sequence

import shapely
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from geo.domain.coverage import ReferenceAreas
from geo.errors import NotFoundError, ValidationError
from geo.store.base import Actor
from geo.store.db import iso_utc, utc_now
from geo.store.tables import BATCHES_TABLE, REFERENCE_REPLACED_TABLE, REFERENCE_TABLE, TOWN_BOUNDARIES_TABLE
from layers.reference import REFERENCE_AREAS

__all__ = ["ReferenceMixin"]


def _check_kind(key: str) -> None:
    if key not in REFERENCE_AREAS:
        valid = ", ".join(f"{a.key} ({a.zh})" for a in REFERENCE_AREAS.values())
        raise NotFoundError("reference.unknown", en=f"Unknown reference area {key!r}; use one of: {valid}.",
                            zh=f"未知的参考范围“{key}”；可用：{valid}。", value=key, allowed=valid)


class ReferenceMixin:
    """Import, read and undo reference areas. Needs the store's ``_write``/``_read``/``_allow``/``_audit`` and geometry hooks."""

    def import_reference_areas(self, actor: Actor, key: str, items: Sequence[tuple[str, BaseGeometry]], *,
                               source_name: str, is_sample: bool = False, imported_at: datetime | None = None):
        """Load a new official version of the reference area ``key`` as one batch.

        Parameters
        ----------
        actor : Actor
            Needs the ``import`` permission (administrators).
        key : str
            A key of ``layers.reference.REFERENCE_AREAS``.
        items : sequence of (str, BaseGeometry)
            The features of the new version: a name and a WGS84 polygon each.
        source_name : str
            The file name, recorded with the batch.
        is_sample : bool
            Illustrative sample data (示例数据), said beside every figure that uses it.
        imported_at : datetime, optional
            Backdates the import (system role only: sample data).

        Returns
        -------
        geo.store.imports.ImportResult
            ``created`` names the new features (``name#n``), ``updated`` the replaced
            version's, ``unchanged`` everything when the file equals the current version.

        Raises
        ------
        PermissionDenied, NotFoundError, ValidationError
            ``reference.unknown``, ``import.empty``, ``geometry.invalid`` — nothing written.
        """
        from geo.store.imports import ImportResult, _new_batch_id

        _check_kind(key)
        with self._read() as conn:
            self._allow(conn, actor, "import")
        prepared = []
        for i, (name, geom) in enumerate(items, start=1):
            name = str(name or "").strip() or REFERENCE_AREAS[key].zh
            g = MultiPolygon([geom]) if geom is not None and geom.geom_type == "Polygon" else geom
            if g is None or g.geom_type != "MultiPolygon" or g.is_empty or not g.is_valid:
                raise ValidationError(
                    "geometry.invalid", en=f"Feature {i} ({name}): a reference area must be a valid polygon.",
                    zh=f"第 {i} 个要素（{name}）：参考范围须为有效的面几何。", value=name,
                    fix_zh="在 QGIS 中用“修复几何”修正后重新导入。", fix_en="Repair it in QGIS (Fix geometries) and import again.")
            prepared.append((name, g))
        if not prepared:
            raise ValidationError("import.empty", en="Nothing to import.", zh=f"没有可导入的{REFERENCE_AREAS[key].zh}范围。")
        now = utc_now()
        when = self._when(actor, imported_at)
        batch_id = _new_batch_id(imported_at or now)
        with self._write() as conn:
            eff = self._allow(conn, actor, "import")
            current = conn.execute(f"SELECT * FROM {REFERENCE_TABLE} WHERE area_kind = ? ORDER BY fid",
                                   (key,)).fetchall()
            new_wkb = sorted((name, shapely.to_wkb(g)) for name, g in prepared)
            same = (len(current) == len(prepared) and bool(current[0]["is_sample"]) == bool(is_sample)
                    and sorted((r["name_zh"], shapely.to_wkb(self.geom_out(r["geom"]))) for r in current) == new_wkb
                    ) if current else False
            labels = [f"{name}#{i}" for i, (name, _) in enumerate(prepared, start=1)]
            if same:
                created, updated, unchanged = [], [], labels
            else:
                created = labels
                updated = [f"{r['name_zh']}#{r['fid']}" for r in current]
                unchanged = []
                for r in current:
                    conn.execute(
                        f"INSERT INTO {REFERENCE_REPLACED_TABLE} (old_fid, area_kind, name_zh, geom, batch_id, "
                        "imported_at, is_sample, replaced_by, replaced_at) VALUES (?,?,?,?,?,?,?,?,?)",
                        (r["fid"], key, r["name_zh"], self.geom_in(self.geom_out(r["geom"])), r["batch_id"],
                         r["imported_at"], bool(r["is_sample"]), batch_id, when))
                conn.execute(f"DELETE FROM {REFERENCE_TABLE} WHERE area_kind = ?", (key,))
                conn.executemany(
                    f"INSERT INTO {REFERENCE_TABLE} (geom, area_kind, name_zh, batch_id, imported_at, is_sample)"
                    " VALUES (?,?,?,?,?,?)",
                    [(self.geom_in(g), key, name, batch_id, when, bool(is_sample)) for name, g in prepared])
            counts = {"created": len(created), "updated": len(updated), "unchanged": len(unchanged), "skipped": 0}
            conn.execute(
                f"INSERT INTO {BATCHES_TABLE} (batch_id, created_at, actor, source_name, kind, counts)"
                " VALUES (?,?,?,?,?,?)", (batch_id, when, eff.name, source_name, key, json.dumps(counts)))
            self._layer_changed(conn, REFERENCE_TABLE)
            self._data_changed(conn)
            self._audit(conn, eff, "import", target=batch_id,
                        details={"kind": key, "source_name": source_name, **counts, "sample": bool(is_sample),
                                 "features": labels[:50]})
        return ImportResult(batch_id, tuple(created), tuple(updated), tuple(unchanged), (), key)

    def reference_areas(self, actor: Actor, *, before: datetime | None = None) -> ReferenceAreas:
        """The reference areas (and official town boundaries) in force now, or just before the instant ``before``.

        Parameters
        ----------
        actor : Actor
            Needs ``read``.
        before : datetime, optional
            The end of a past day (``geo.domain.asof.end_of_day_utc``): the versions
            imported before it and not yet replaced then (an undone import never was).

        Returns
        -------
        ReferenceAreas
            Each kind's features united into one WGS84 geometry, its source
            (batch, file, CST time) and whether it is sample data.
        """
        from geo.store.imports import _cst_text

        with self._read() as conn:
            self._allow(conn, actor, "read")
            rows = [dict(r) for r in conn.execute(
                f"SELECT area_kind, name_zh, geom, batch_id, imported_at, is_sample FROM {REFERENCE_TABLE}")]
            if before is not None:
                t = iso_utc(before)
                rows = [r for r in rows if r["imported_at"] < t]
                rows += [dict(r) for r in conn.execute(
                    f"SELECT area_kind, name_zh, geom, batch_id, imported_at, is_sample FROM {REFERENCE_REPLACED_TABLE}"
                    " WHERE imported_at < ? AND replaced_at >= ?", (t, t))]
            names = {r["batch_id"]: r["source_name"] for r in conn.execute(
                f"SELECT batch_id, source_name FROM {BATCHES_TABLE} WHERE batch_id IN "
                f"({','.join('?' * len({r['batch_id'] for r in rows}))})", tuple({r["batch_id"] for r in rows}))} \
                if rows else {}
            towns = {r["town_code"]: self.geom_out(r["geom"])
                     for r in conn.execute(f"SELECT town_code, geom FROM {TOWN_BOUNDARIES_TABLE}")}
        by_kind: dict[str, list] = {}
        for r in rows:
            by_kind.setdefault(r["area_kind"], []).append(r)
        areas, sources, sample = {}, {}, set()
        for key, group in by_kind.items():
            if key not in REFERENCE_AREAS:
                continue
            areas[key] = shapely.union_all([self.geom_out(r["geom"]) for r in group])
            first = group[0]
            sources[key] = (f"{names.get(first['batch_id']) or '—'} · {first['batch_id']} · "
                            f"{_cst_text(first['imported_at'])}")
            if any(r["is_sample"] for r in group):
                sample.add(key)
        return ReferenceAreas(areas=areas, sources=sources, sample=frozenset(sample), towns=towns)

    def reference_features(self, actor: Actor) -> list[tuple[str, str, BaseGeometry]]:
        """The current reference-area features: (kind, name, WGS84 MultiPolygon) each (for maps and exports)."""
        with self._read() as conn:
            self._allow(conn, actor, "read")
            rows = conn.execute(f"SELECT area_kind, name_zh, geom FROM {REFERENCE_TABLE} ORDER BY area_kind, fid")
            return [(r["area_kind"], r["name_zh"], self.geom_out(r["geom"])) for r in rows]

    def _undo_reference(self, conn, batch_id: str, key: str) -> tuple[list[str], list[str]]:
        """Undo one reference-area batch inside the caller's transaction (see :meth:`ImportsMixin.undo_batch`)."""
        later = conn.execute(f"SELECT DISTINCT replaced_by FROM {REFERENCE_REPLACED_TABLE} WHERE batch_id = ?",
                             (batch_id,)).fetchall()
        if later:
            others = "、".join(r["replaced_by"] for r in later)
            raise ValidationError(
                "batch.changed_since",
                en=f"Batch {batch_id} cannot be undone: a later import ({', '.join(r['replaced_by'] for r in later)}) "
                   "replaced it. Undo the later import first.",
                zh=f"批次 {batch_id} 无法撤销：其后的导入（{others}）已替换了该版本{REFERENCE_AREAS[key].zh}。请先撤销后续导入。",
                value=batch_id, sites=[r["replaced_by"] for r in later])
        removed = [f"{r['name_zh']}#{r['fid']}" for r in conn.execute(
            f"SELECT fid, name_zh FROM {REFERENCE_TABLE} WHERE batch_id = ?", (batch_id,))]
        conn.execute(f"DELETE FROM {REFERENCE_TABLE} WHERE batch_id = ?", (batch_id,))
        restored = []
        for r in conn.execute(f"SELECT * FROM {REFERENCE_REPLACED_TABLE} WHERE replaced_by = ? ORDER BY id",
                              (batch_id,)).fetchall():
            conn.execute(f"INSERT INTO {REFERENCE_TABLE} (fid, geom, area_kind, name_zh, batch_id, imported_at, is_sample)"
                         " VALUES (?,?,?,?,?,?,?)",
                         (r["old_fid"], self.geom_in(self.geom_out(r["geom"])), r["area_kind"], r["name_zh"],
                          r["batch_id"], r["imported_at"], bool(r["is_sample"])))
            restored.append(f"{r['name_zh']}#{r['old_fid']}")
        conn.execute(f"DELETE FROM {REFERENCE_REPLACED_TABLE} WHERE replaced_by = ?", (batch_id,))
        if restored:  # rows put back with their own ids (PostgreSQL moves the id sequence past them)
            self._after_bulk_insert(conn, REFERENCE_TABLE, ("fid",))
        self._layer_changed(conn, REFERENCE_TABLE)
        self._data_changed(conn)
        return removed, restored
