"""Raster overlays end to end: add a checked file to the store, render its tiles on request, describe it for the map.

Glue between :mod:`geo.raster` (checks, overviews, tiles; pure) and the
store's ``raster_layers`` (metadata). The flow when an admin adds a file:

1. :func:`geo.raster.check_raster` reads the header only and refuses what
   the app cannot use (nothing is copied then);
2. :func:`geo.raster.ensure_overviews` copies it, tiled and compressed with
   overviews, into the store's raster folder under a new name;
3. :func:`check_drawable` reads a decimated view of the copy: no pixel size
   or no data at all is refused (an unknown colour map or value range was
   refused before the copy);
4. the store registers it (versioned, audited). If anything fails from the
   copy on, the copy is removed again: a refused file leaves no row and no file.

Nothing is rendered when a file is added: the app serves each tile when a
map asks for it (:func:`tile_png`, behind the login, at every zoom) and
keeps it in a bounded on-disk cache keyed by file content, colouring and
display frame (:class:`geo.raster.tilecache.TileCache`). Opacity and
visibility are applied in the browser and never need new tiles.
"""

from __future__ import annotations

import hashlib
import re
import threading
import warnings
from pathlib import Path

import numpy as np
import rasterio
from rasterio.errors import NotGeoreferencedWarning

from geo import settings
from geo.crs import wgs84_to_gcj02
from geo.errors import ValidationError
from geo.map.build import RasterOverlay
from geo.raster.samples import SAMPLE_RASTERS
from geo.raster.style import RasterStyle, resolve_style
from geo.raster.check import check_raster
from geo.raster.overviews import GDAL_ENV, ensure_overviews
from geo.raster.colormap import legend
from geo.raster.tilecache import NO_DATA, TileCache, max_bytes_from_env
from geo.raster.tiles import DISPLAYS, check_tile, render_tile
from geo.store.base import Actor
from geo.raster.records import SAMPLE_PREFIX, NewRaster, RasterLayer

__all__ = ["cache_root", "tile_cache_root", "add_raster_file", "check_drawable", "register_sample_rasters",
           "resolved_style", "display_bounds", "overlay_for", "tile_png", "default_tile_cache", "suggest_raster_id"]

def cache_root() -> Path:
    """Where derived files go (rendered tiles, site payloads, display copies): ``$ONEMAP_CACHE`` or ``data/cache``."""
    return settings.current().cache


def tile_cache_root() -> Path:
    """Where rendered tiles of every raster layer are cached (under :func:`cache_root`)."""
    return cache_root() / "tiles"


_DEFAULT_CACHE: dict[str, TileCache] = {}
_DEFAULT_CACHE_LOCK = threading.Lock()


def default_tile_cache() -> TileCache:
    """The process's tile cache under :func:`tile_cache_root`, bounded by ``ONEMAP_TILE_CACHE_MB``."""
    root = str(tile_cache_root())
    with _DEFAULT_CACHE_LOCK:
        if root not in _DEFAULT_CACHE:
            _DEFAULT_CACHE[root] = TileCache(root, max_bytes_from_env())
        return _DEFAULT_CACHE[root]


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
        data (2nd–98th percentile of an overview) when the layer is first
        drawn. Ignored for RGB(A) imagery.

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
    single = info.kind == "single"
    if single:  # an unknown colour map or an empty value range is refused before anything is copied
        RasterStyle(colormap=colormap or "viridis", vmin=vmin, vmax=vmax, unit=unit)
    if any(r.raster_id == raster_id for r in store.list_rasters(actor, include_removed=True)):
        raise ValidationError(
            "raster.duplicate_id", en=f"A raster layer {raster_id!r} exists already; choose another id.",
            zh=f"栅格图层编号 {raster_id!r} 已存在，请换一个编号。", field="raster_id", value=raster_id)
    target = Path(store.raster_dir) / f"{raster_id}.tif"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # a file left by an earlier attempt that did not register: never overwrite it
        target = target.with_name(f"{raster_id}-{_sha256(Path(upload))[:8]}.tif")
    try:
        ensure_overviews(upload, target)
        check_drawable(target, single=single)
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


def check_drawable(path: str | Path, *, single: bool) -> None:
    """Refuse a copy that passed the header checks but cannot be drawn: no pixel size, or no data at all.

    Read from a decimated view (at most ~1,024 px a side), so it costs what the first tiles would.

    Raises
    ------
    RasterRejected
        ``raster.zero_pixel_size`` (a geotransform whose pixels have no width or height) or
        ``raster.empty`` (every pixel is nodata, or fully transparent).
    """
    import numpy as np
    import rasterio

    from geo.errors import RasterRejected
    from geo.raster.style import value_range

    name = Path(path).name
    with rasterio.open(path) as src:
        t = src.transform
        if t.a == 0 or t.e == 0 or not all(map(_finite, (t.a, t.b, t.c, t.d, t.e, t.f))):
            raise RasterRejected(
                "raster.zero_pixel_size", value=f"{t.a}, {t.e}",
                en=f"{name} has a pixel size of {t.a} x {t.e}: it covers no ground and cannot be drawn. "
                   "Fix its georeferencing (gdal_edit.py -a_ullr …) and add it again.",
                zh=f"“{name}”的像元大小为 {t.a} × {t.e}：不覆盖任何地面，无法显示。"
                   "请修正其地理参考（gdal_edit.py -a_ullr …）后重新添加。")
        if single:
            value_range(src)  # raises raster.empty
            return
        scale = max(src.width, src.height) / 1024
        shape = (max(1, round(src.height / max(scale, 1))), max(1, round(src.width / max(scale, 1))))
        mask = src.dataset_mask(out_shape=shape)
        if not np.any(mask):
            raise RasterRejected(
                "raster.empty", value=name,
                en=f"{name} holds no visible pixel (everything is nodata or transparent): check the file.",
                zh=f"“{name}”没有任何可见像素（全部为无效值或透明）：请检查文件。")


def _finite(v: float) -> bool:
    import math

    return math.isfinite(v)


def register_sample_rasters(store, actor: Actor) -> list[RasterLayer]:
    """Register the shipped sample rasters (referenced in ``data/rasters``, not copied)."""
    out = []
    for sample in SAMPLE_RASTERS:
        info = check_raster(sample.path)
        out.append(store.add_raster(actor, NewRaster(
            raster_id=sample.key.replace("_", "-"), name_zh=sample.name_zh, name_en=sample.name_en,
            file=SAMPLE_PREFIX + sample.file, file_sha256=_sha256(sample.path), bands=info.count,
            bounds=tuple(info.bounds_wgs84), max_zoom=info.max_zoom, colormap=sample.colormap,
            vmin=sample.vmin, vmax=sample.vmax, unit=sample.unit, opacity=0.6, shown=False, is_sample=True,
            is_synthetic=sample.is_synthetic, description=sample.description_zh, source_name=sample.file,
            info={**info.to_dict(), "licence": sample.licence, "attribution": sample.attribution,
                  "description_en": sample.description_en})))
    return out


_STYLES: dict[str, RasterStyle] = {}
_STYLES_LOCK = threading.Lock()
#: Points per edge when shifting an extent to GCJ-02.
_EDGE_POINTS = 21


def _layer_style(layer: RasterLayer) -> RasterStyle | None:
    if layer.bands != 1:
        return None
    return RasterStyle(colormap=layer.colormap or "viridis", vmin=layer.vmin, vmax=layer.vmax, unit=layer.unit)


def resolved_style(path: str | Path, layer: RasterLayer) -> RasterStyle | None:
    """The style ``layer`` is drawn with, its value range filled in from the data when not given (None: RGB).

    Computed once per :attr:`~geo.raster.records.RasterLayer.style_key` (file content and
    colouring) from one decimated overview read, then remembered.
    """
    style = _layer_style(layer)
    if style is None or style.resolved:
        return style
    with _STYLES_LOCK:
        known = _STYLES.get(layer.style_key)
    if known is None:
        with rasterio.Env(**GDAL_ENV), warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(path) as src:
                known = resolve_style(src, style)
        with _STYLES_LOCK:
            _STYLES[layer.style_key] = known
    return known


def display_bounds(bounds: tuple[float, float, float, float], frame: str) -> tuple[float, float, float, float]:
    """A WGS84 extent as the basemap of ``frame`` draws it (the box around its shifted edges for GCJ-02)."""
    if frame == "wgs84":
        return tuple(bounds)
    b = bounds
    t = np.linspace(0.0, 1.0, _EDGE_POINTS)
    lon = np.concatenate([b[0] + t * (b[2] - b[0]), np.full_like(t, b[2]), b[0] + t * (b[2] - b[0]), np.full_like(t, b[0])])
    lat = np.concatenate([np.full_like(t, b[1]), b[1] + t * (b[3] - b[1]), np.full_like(t, b[3]), b[1] + t * (b[3] - b[1])])
    glon, glat = wgs84_to_gcj02(lon, lat)
    return float(glon.min()), float(glat.min()), float(glon.max()), float(glat.max())


def overlay_for(layer: RasterLayer, style: RasterStyle | None, url_prefix: str, lang: str, *, frame: str = "wgs84",
                synthetic_note: str = "") -> RasterOverlay:
    """How the map draws ``layer``: its tile URL under ``url_prefix``, display extent, legend, notes.

    The URL names the raster, its :attr:`~geo.raster.records.RasterLayer.style_key` and the frame, so
    a tile's URL changes exactly when its pixels do (browsers may keep tiles for good). Tiles exist at
    every zoom; above the raster's native zoom Leaflet scales the native tiles.
    """
    ramp: tuple = ()
    if style is not None and style.resolved:
        ramp = tuple((str(a), str(b)) for a, b in legend(style.colormap, float(style.vmin), float(style.vmax),
                                                          layer.unit))
    url = f"{url_prefix}{layer.raster_id}/{layer.style_key}/{frame}/{{z}}/{{x}}/{{y}}.png"
    return RasterOverlay(key=layer.raster_id, label=layer.label(lang), tiles_url=url,
                         bounds=display_bounds(tuple(layer.bounds), frame), min_zoom=0, max_zoom=int(layer.max_zoom),
                         opacity=layer.opacity, shown=layer.shown, legend=ramp,
                         note=synthetic_note if layer.is_synthetic else "")


def tile_png(path: str | Path, layer: RasterLayer, frame: str, z: int, x: int, y: int,
             cache: TileCache | None = None) -> bytes | None:
    """One tile of ``layer`` as a PNG (None: the tile shows no data), from ``cache`` or rendered into it.

    Raises
    ------
    ValidationError
        ``raster.display_unknown`` for a frame not in :data:`geo.raster.tiles.DISPLAYS`.
    """
    if frame not in DISPLAYS:
        render_tile(path, z, x, y, display=frame)  # raises raster.display_unknown
    if not check_tile(z, x, y):
        return None
    if cache is not None:
        hit = cache.get(layer.style_key, frame, z, x, y)
        if hit is not None:
            return hit or None
    png = render_tile(path, z, x, y, style=resolved_style(path, layer), display=frame)
    if cache is not None:
        cache.put(layer.style_key, frame, z, x, y, png)
    return png if png != NO_DATA else None
