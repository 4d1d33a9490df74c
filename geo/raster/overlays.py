"""Raster overlays end to end: add a checked file to the store, keep its tile pyramids, describe it for the map.

Glue between :mod:`geo.raster` (checks, overviews, tiles; pure) and the
store's ``raster_layers`` (metadata). The flow when an admin adds a file:

1. :func:`geo.raster.check_raster` reads the header only and refuses what
   the app cannot use (nothing is copied then);
2. :func:`geo.raster.ensure_overviews` copies it, tiled and compressed with
   overviews, into the store's raster folder under a new name;
3. the store registers it (versioned, audited); if that fails the copy is
   removed again, so a refused file leaves nothing behind.

Tile pyramids are derived data: one per (file content, colouring, display
frame) under the cache folder, rendered when first needed and reused until
the file or its colouring changes. Opacity and visibility are applied in the
browser and never need new tiles.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Callable

from geo import settings
from geo.errors import ValidationError
from geo.map.build import RasterOverlay
from geo.raster.samples import SAMPLE_RASTERS
from geo.raster.pyramid import TILES_JSON, render_pyramid
from geo.raster.style import RasterStyle
from geo.raster.check import check_raster
from geo.raster.overviews import ensure_overviews
from geo.raster.colormap import legend
from geo.store.base import Actor
from geo.raster.records import SAMPLE_PREFIX, NewRaster, RasterLayer

__all__ = ["cache_root", "pyramid_root", "add_raster_file", "register_sample_rasters", "ensure_pyramid", "overlay_for", "pyramid_dir",
           "suggest_raster_id"]

Progress = Callable[[int, int], None]
def cache_root() -> Path:
    """Where derived files go (tile pyramids, display copies): ``$ONEMAP_CACHE`` or ``data/cache``."""
    return settings.current().cache


def pyramid_root() -> Path:
    """Where the tile pyramids of every raster layer live (under :func:`cache_root`)."""
    return cache_root() / "rasters"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def suggest_raster_id(file_name: str, taken: set[str]) -> str:
    """A free lower-case id from a file name (``龙江 正射.tif`` → ``raster-1``; ``ndvi_2025.tif`` → ``ndvi_2025``)."""
    stem = Path(file_name).stem.lower()
    base = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-_")[:40] or "raster"
    candidate, n = base, 1
    while candidate in taken or not re.match(r"^[a-z0-9]", candidate):
        n += 1
        candidate = f"{base}-{n}" if re.match(r"^[a-z0-9]", base) else f"raster-{n}"
    return candidate


def add_raster_file(store, actor: Actor, upload: str | Path, *, raster_id: str, name_zh: str, name_en: str,
                    colormap: str | None = None, vmin: float | None = None, vmax: float | None = None,
                    unit: str = "", opacity: float = 0.7, description: str = "", source_name: str = "",
                    is_synthetic: bool = False) -> RasterLayer:
    """Check ``upload``, copy it with overviews into the store's raster folder, register it.

    Parameters
    ----------
    store : GpkgStore
        The store (its ``raster_dir`` receives the copy).
    actor : Actor
        Must be an admin (the store checks).
    upload : path
        The file as uploaded (a GeoTIFF or Cloud-Optimised GeoTIFF).
    colormap, vmin, vmax, unit :
        Colouring of single-band data; a missing range is taken from the
        data (2nd–98th percentile of an overview) when the pyramid is first
        rendered. Ignored for RGB(A) imagery.

    Returns
    -------
    RasterLayer
        As stored.

    Raises
    ------
    RasterRejected
        The file is unusable (message names the problem and the fix).
    ValidationError, PermissionDenied
        From the store; the copy is removed again.
    """
    info = check_raster(upload)
    if any(r.raster_id == raster_id for r in store.list_rasters(actor, include_removed=True)):
        raise ValidationError(
            "raster.duplicate_id", en=f"A raster layer {raster_id!r} exists already; choose another id.",
            zh=f"栅格图层编号 {raster_id!r} 已存在，请换一个编号。", field="raster_id", value=raster_id)
    single = info.kind == "single"
    target = Path(store.raster_dir) / f"{raster_id}.tif"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # a file left by an earlier attempt that did not register: never overwrite it
        target = target.with_name(f"{raster_id}-{_sha256(Path(upload))[:8]}.tif")
    ensure_overviews(upload, target)
    try:
        return store.add_raster(actor, NewRaster(
            raster_id=raster_id, name_zh=name_zh, name_en=name_en, file=target.name, file_sha256=_sha256(target),
            bands=info.count, bounds=tuple(info.bounds_wgs84), max_zoom=info.max_zoom,
            colormap=(colormap or "viridis") if single else None, vmin=vmin if single else None,
            vmax=vmax if single else None, unit=unit if single else "", opacity=opacity,
            is_synthetic=is_synthetic or info.is_synthetic,
            description=description, source_name=source_name or Path(upload).name, info=info.to_dict()))
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def register_sample_rasters(store, actor: Actor) -> list[RasterLayer]:
    """Register the shipped sample rasters (referenced in ``data/rasters``, not copied)."""
    out = []
    for sample in SAMPLE_RASTERS:
        info = check_raster(sample.path)
        out.append(store.add_raster(actor, NewRaster(
            raster_id=sample.key.replace("_", "-"), name_zh=sample.name_zh, name_en=sample.name_en,
            file=SAMPLE_PREFIX + sample.file, file_sha256=_sha256(sample.path), bands=info.count,
            bounds=tuple(info.bounds_wgs84), max_zoom=min(info.max_zoom, 13), colormap=sample.colormap,
            vmin=sample.vmin, vmax=sample.vmax, unit=sample.unit, opacity=0.6, shown=False, is_sample=True,
            is_synthetic=sample.is_synthetic, description=sample.description_zh, source_name=sample.file,
            info={**info.to_dict(), "licence": sample.licence, "attribution": sample.attribution,
                  "description_en": sample.description_en})))
    return out


def pyramid_dir(cache_root: str | Path, layer: RasterLayer, frame: str) -> Path:
    """Where the tiles of ``layer`` in display ``frame`` live: one folder per file content and colouring."""
    return Path(cache_root) / layer.raster_id / layer.style_key / frame


def ensure_pyramid(store, layer: RasterLayer, frame: str, cache_root: str | Path,
                   progress: Progress | None = None) -> dict:
    """The pyramid's ``tiles.json`` for ``layer`` in ``frame``, rendering it first when missing."""
    out = pyramid_dir(cache_root, layer, frame)
    meta = out / TILES_JSON
    if not meta.exists():
        style = RasterStyle(colormap=layer.colormap, vmin=layer.vmin, vmax=layer.vmax, unit=layer.unit) \
            if layer.bands == 1 else None
        render_pyramid(store.raster_path(layer), out, style=style, min_zoom=int(layer.info.get("min_zoom", 8)),
                       max_zoom=layer.max_zoom, display=frame, progress=progress)
    return json.loads(meta.read_text(encoding="utf-8"))


def overlay_for(layer: RasterLayer, tiles: dict, url_prefix: str, lang: str, *, synthetic_note: str = "") -> RasterOverlay:
    """How the map draws ``layer``: tile URL under ``url_prefix``, display extent, legend, notes."""
    style = tiles.get("style") or {}
    ramp: tuple = ()
    if layer.bands == 1 and style.get("vmin") is not None and style.get("vmax") is not None:
        ramp = tuple((str(a), str(b)) for a, b in legend(style.get("colormap") or layer.colormap, float(style["vmin"]),
                                                          float(style["vmax"]), layer.unit))
    frame = tiles.get("display", "wgs84")
    url = f"{url_prefix}{layer.raster_id}/{layer.style_key}/{frame}/{{z}}/{{x}}/{{y}}.png"
    bounds = tiles.get("display_bounds") or tiles.get("bounds") or layer.bounds
    return RasterOverlay(key=layer.raster_id, label=layer.label(lang), tiles_url=url, bounds=tuple(bounds),
                         min_zoom=int(tiles.get("min_zoom", 8)), max_zoom=int(tiles.get("max_zoom", layer.max_zoom)),
                         opacity=layer.opacity, shown=layer.shown, legend=ramp,
                         note=synthetic_note if layer.is_synthetic else "")
