"""Raster overlays in the store: their metadata in ``raster_layers``, their files next to the store.

A raster layer is added by an admin after :mod:`geo.raster` has checked the
file and copied it (tiled, with overviews) into :meth:`RastersMixin.raster_dir`.
Only metadata lives in the GeoPackage: name, file and its SHA-256, colour
map and value range, opacity, extent, who added it and when. Tiles are
derived from file + style and can always be rebuilt (they live in the cache).

Changes are versioned (an expected version guards every update, as for
sites) and audited (``raster.add``, ``raster.update``, ``raster.remove``).
Removing only hides a layer (``removed_at``): its file and row stay.
Sample rasters shipped with the app are referenced as ``sample:<file>``
(under ``data/rasters``) rather than copied.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from geo.errors import NotFoundError, ValidationError, VersionConflict
from geo.raster.records import EDITABLE, SAMPLE_PREFIX, SAMPLE_RASTER_DIR, NewRaster, RasterLayer, check_fields
from geo.store import policy
from geo.store.base import Actor
from geo.store.db import iso_utc, utc_now
from geo.store.tables import RASTERS_TABLE


def _row(r) -> RasterLayer:
    return RasterLayer(
        raster_id=r["raster_id"], name_zh=r["name_zh"], name_en=r["name_en"], file=r["file"],
        file_sha256=r["file_sha256"], bands=int(r["bands"]),
        bounds=(r["min_lon"], r["min_lat"], r["max_lon"], r["max_lat"]), max_zoom=int(r["max_zoom"]),
        colormap=r["colormap"], vmin=r["vmin"], vmax=r["vmax"], unit=r["unit"] or "", opacity=float(r["opacity"]),
        shown=bool(r["shown"]), is_sample=bool(r["is_sample"]), is_synthetic=bool(r["is_synthetic"]),
        description=r["description"] or "", source_name=r["source_name"] or "",
        info=json.loads(r["info"]) if r["info"] else {}, version=int(r["version"]), added_at=r["added_at"],
        added_by=r["added_by"], updated_at=r["updated_at"], updated_by=r["updated_by"],
    )


def _check_colormap(name: str | None) -> None:
    """Refuse a colour map the tiles could not be drawn with (``raster.colormap_unknown``)."""
    if name is not None:
        from geo.raster.colormap import colormap

        colormap(name)


class RastersMixin:
    """Raster overlay metadata. Needs ``_read``/``_write``/``_effective``/``_audit`` and ``path`` from the store."""

    @property
    def raster_dir(self) -> Path:
        """Where added raster files are kept: ``<store>_rasters/`` in the store's files folder."""
        return self.files_root / f"{self.files_stem}_rasters"

    def raster_path(self, layer: RasterLayer) -> Path:
        """The file of ``layer`` on disk (shipped samples resolve to ``data/rasters``)."""
        if layer.file.startswith(SAMPLE_PREFIX):
            return SAMPLE_RASTER_DIR / layer.file[len(SAMPLE_PREFIX):]
        return self.raster_dir / layer.file

    def list_rasters(self, actor: Actor, *, include_removed: bool = False) -> list[RasterLayer]:
        """Raster overlays, in the order they were added."""
        with self._read() as conn:
            policy.check(self._effective(conn, actor), "read")
            sql = f"SELECT * FROM {RASTERS_TABLE}"
            if not include_removed:
                sql += " WHERE removed_at IS NULL"
            return [_row(r) for r in conn.execute(sql + " ORDER BY added_at, raster_id")]

    def get_raster(self, actor: Actor, raster_id: str) -> RasterLayer:
        """One raster overlay (also a removed one)."""
        with self._read() as conn:
            policy.check(self._effective(conn, actor), "read")
            r = conn.execute(f"SELECT * FROM {RASTERS_TABLE} WHERE raster_id = ?", (raster_id,)).fetchone()
        if r is None:
            raise NotFoundError("raster.not_found", en=f"No raster layer {raster_id!r}; pick one from the list.",
                                zh=f"没有编号为 {raster_id!r} 的栅格图层，请从列表中选择。", value=raster_id)
        return _row(r)

    def add_raster(self, actor: Actor, new: NewRaster) -> RasterLayer:
        """Register a checked raster; the id must be new (and its colour map one the app knows)."""
        check_fields(new)
        _check_colormap(new.colormap)
        now = iso_utc(utc_now())
        with self._write() as conn:
            eff = self._effective(conn, actor)
            policy.check(eff, "manage_rasters")
            if conn.execute(f"SELECT 1 FROM {RASTERS_TABLE} WHERE raster_id = ?", (new.raster_id,)).fetchone():
                raise ValidationError(
                    "raster.duplicate_id", en=f"A raster layer {new.raster_id!r} exists already; choose another id.",
                    zh=f"栅格图层编号 {new.raster_id!r} 已存在，请换一个编号。", field="raster_id", value=new.raster_id)
            minx, miny, maxx, maxy = (float(v) for v in new.bounds)
            conn.execute(
                f"INSERT INTO {RASTERS_TABLE} (raster_id, name_zh, name_en, file, file_sha256, bands, colormap, vmin,"
                " vmax, unit, opacity, shown, min_lon, min_lat, max_lon, max_lat, max_zoom, is_sample, is_synthetic,"
                " description, source_name, info, version, added_at, added_by, updated_at, updated_by)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?,?)",
                (new.raster_id, new.name_zh.strip(), new.name_en.strip(), new.file, new.file_sha256, int(new.bands),
                 new.colormap, new.vmin, new.vmax, new.unit, float(new.opacity), bool(new.shown), minx, miny, maxx,
                 maxy, int(new.max_zoom), bool(new.is_sample), bool(new.is_synthetic), new.description,
                 new.source_name, json.dumps(dict(new.info), ensure_ascii=False, default=str), now, eff.name, now,
                 eff.name),
            )
            self._data_changed(conn)
            self._audit(conn, eff, "raster.add", target=new.raster_id,
                        details={"name": new.name_zh, "file": new.file, "sha256": new.file_sha256,
                                 "source": new.source_name})
        return self.get_raster(actor, new.raster_id)

    def update_raster(self, actor: Actor, raster_id: str, *, expected_version: int, **changes: Any) -> RasterLayer:
        """Change a layer's name, colouring, opacity or visibility; refused if it changed since it was read."""
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        check_fields(changes)
        if "colormap" in changes:
            _check_colormap(changes["colormap"])
        now = iso_utc(utc_now())
        with self._write() as conn:
            eff = self._effective(conn, actor)
            policy.check(eff, "manage_rasters")
            r = conn.execute(f"SELECT * FROM {RASTERS_TABLE} WHERE raster_id = ?", (raster_id,)).fetchone()
            if r is None:
                raise NotFoundError("raster.not_found", en=f"No raster layer {raster_id!r}.",
                                    zh=f"没有编号为 {raster_id!r} 的栅格图层。", value=raster_id)
            if int(r["version"]) != int(expected_version):
                raise VersionConflict(
                    "raster.version_conflict",
                    en=f"Raster layer {raster_id!r} was changed by {r['updated_by']} meanwhile (version "
                       f"{r['version']}, you had {expected_version}); reload and apply your change again.",
                    zh=f"栅格图层 {raster_id!r} 已被 {r['updated_by']} 修改（版本 {r['version']}，您看到的是 "
                       f"{expected_version}），请刷新后重新修改。", value=raster_id)
            merged = {k: r[k] for k in ("vmin", "vmax")} | {k: v for k, v in changes.items() if k in ("vmin", "vmax")}
            check_fields(merged)
            before = {k: r[k] for k in changes}
            sets = ", ".join(f"{k} = ?" for k in changes)
            conn.execute(f"UPDATE {RASTERS_TABLE} SET {sets}, version = version + 1, updated_at = ?, updated_by = ?"
                         " WHERE raster_id = ?",
                         (*changes.values(), now, eff.name, raster_id))
            self._data_changed(conn)
            self._audit(conn, eff, "raster.update", target=raster_id,
                        details={k: [before[k], v] for k, v in changes.items()})
        return self.get_raster(actor, raster_id)

    def remove_raster(self, actor: Actor, raster_id: str, *, expected_version: int) -> None:
        """Hide a layer from the map for good; its row and file are kept."""
        now = iso_utc(utc_now())
        with self._write() as conn:
            eff = self._effective(conn, actor)
            policy.check(eff, "manage_rasters")
            r = conn.execute(f"SELECT version, updated_by FROM {RASTERS_TABLE} WHERE raster_id = ?"
                             " AND removed_at IS NULL", (raster_id,)).fetchone()
            if r is None:
                raise NotFoundError("raster.not_found", en=f"No raster layer {raster_id!r} on the map.",
                                    zh=f"地图上没有编号为 {raster_id!r} 的栅格图层。", value=raster_id)
            if int(r["version"]) != int(expected_version):
                raise VersionConflict(
                    "raster.version_conflict",
                    en=f"Raster layer {raster_id!r} was changed by {r['updated_by']} meanwhile; reload first.",
                    zh=f"栅格图层 {raster_id!r} 已被 {r['updated_by']} 修改，请先刷新。", value=raster_id)
            conn.execute(f"UPDATE {RASTERS_TABLE} SET removed_at = ?, removed_by = ?, version = version + 1,"
                         " updated_at = ?, updated_by = ? WHERE raster_id = ?", (now, eff.name, now, eff.name, raster_id))
            self._data_changed(conn)
            self._audit(conn, eff, "raster.remove", target=raster_id)
