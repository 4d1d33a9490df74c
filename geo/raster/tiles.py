"""Render one 256 × 256 Web-Mercator tile of a raster, reading only what the tile needs.

For each tile the part of the source under it is read with a **window**
limited to the tile's footprint and an ``out_shape`` of about the tile's
size, so GDAL serves it from the overview closest to the tile's resolution;
that small array is then warped into the tile with
:func:`rasterio.warp.reproject`. Memory per tile is a few hundred KB,
whatever the size of the raster.

Two display datums:

``"wgs84"``
    The basemap is in true coordinates (the app's own base geography,
    OpenStreetMap): tile pixels are plain EPSG:3857.
``"gcj02"``
    The basemap is Gaode (高德), whose tiles are drawn in GCJ-02 ("Mars")
    coordinates. A tile pixel then shows the ground whose GCJ-02 position
    is the pixel's Mercator position, so the destination transform maps
    pixels to the *true* (WGS84) Mercator position of that ground:
    :func:`geo.crs.gcj02_to_wgs84` on a 5 × 5 grid of the tile, fitted by an
    affine (least squares). The GCJ-02 shift contains a wave of period
    1/3° and ~13 m amplitude, so over a large tile an affine cannot be
    sub-metre: measured over Fuqing the fit is off by at most 22 m at z10
    (0.16 px, a pixel is 137 m), 3.2 m at z12 (0.09 px), 0.84 m at z13 and
    0.18 m at z14 — always under 0.2 px, i.e. invisible; see
    :func:`gcj02_fit_error`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from rasterio.crs import CRS
from rasterio.enums import ColorInterp, MaskFlags
from rasterio.errors import NotGeoreferencedWarning
from rasterio.transform import Affine, from_bounds
from rasterio.warp import reproject, transform_bounds
from rasterio.windows import Window, from_bounds as window_from_bounds

from geo.crs import gcj02_to_wgs84
from geo.errors import ValidationError
from geo.raster.colormap import apply_colormap
from geo.raster.style import RasterStyle, resolve_style
from geo.raster.tilemath import (
    TILE_SIZE,
    lonlat_from_3857,
    lonlat_to_3857,
    tile_bounds_3857,
    tiles_for_bounds,
)

__all__ = [
    "DISPLAYS",
    "READ_PAD_PX",
    "tiles_for_bounds",
    "tile_bounds_3857",
    "tile_transform",
    "check_display",
    "gcj02_fit_error",
    "render_tile",
]

#: Display datums a pyramid can be rendered for.
DISPLAYS = ("wgs84", "gcj02")
#: Extra source pixels read around the footprint (bilinear needs one neighbour; 2 is safe).
READ_PAD_PX = 2
#: Grid of points per side on which the GCJ-02 affine is fitted.
_FIT_GRID = 5
_WEB_MERCATOR = CRS.from_epsg(3857)


def check_display(display: str) -> str:
    """Return ``display`` if it is one of :data:`DISPLAYS`, else raise ``raster.display_unknown``."""
    if display not in DISPLAYS:
        raise ValidationError(
            "raster.display_unknown",
            en=f"Unknown display datum {display!r}: use 'wgs84' (own basemap, OpenStreetMap) or 'gcj02' (Gaode).",
            zh=f"未知显示坐标系 {display!r}：请使用 'wgs84'（自有底图、OpenStreetMap）或 'gcj02'（高德）。",
            value=display, allowed=DISPLAYS,
        )
    return display


def _tile_grid(z: int, x: int, y: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pixel positions (cols, rows) of the fit grid and their display Mercator metres."""
    xmin, ymin, xmax, ymax = tile_bounds_3857(z, x, y)
    t = np.linspace(0.0, TILE_SIZE, _FIT_GRID)
    cols, rows = np.meshgrid(t, t)
    cols, rows = cols.ravel(), rows.ravel()
    mx = xmin + cols * (xmax - xmin) / TILE_SIZE
    my = ymax - rows * (ymax - ymin) / TILE_SIZE
    return cols, rows, mx, my


def _true_mercator_gcj(mx: np.ndarray, my: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    glon, glat = lonlat_from_3857(mx, my)
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    return lonlat_to_3857(wlon, wlat)


def tile_transform(z: int, x: int, y: int, display: str = "wgs84") -> Affine:
    """Affine from tile pixels (col, row) to true EPSG:3857 metres.

    Parameters
    ----------
    z, x, y : int
        Tile address.
    display : str, default "wgs84"
        ``"wgs84"``: the tile's own Mercator bounds. ``"gcj02"``: the
        least-squares affine through the true positions of the ground a
        Gaode tile shows at each pixel.

    Returns
    -------
    affine.Affine
    """
    check_display(display)
    if display == "wgs84":
        return from_bounds(*tile_bounds_3857(z, x, y), TILE_SIZE, TILE_SIZE)
    cols, rows, mx, my = _tile_grid(z, x, y)
    tx, ty = _true_mercator_gcj(mx, my)
    a = np.column_stack([cols, rows, np.ones_like(cols)])
    (ca, cb, cc), *_ = np.linalg.lstsq(a, tx, rcond=None)
    (cd, ce, cf), *_ = np.linalg.lstsq(a, ty, rcond=None)
    return Affine(ca, cb, cc, cd, ce, cf)


def gcj02_fit_error(z: int, x: int, y: int, samples: int = 17) -> tuple[float, float]:
    """How far the GCJ-02 affine of a tile is from the exact inverse shift.

    Parameters
    ----------
    z, x, y : int
        Tile address.
    samples : int, default 17
        Points per side checked (corners and centre included when odd).

    Returns
    -------
    tuple of float
        ``(max_error_m, max_error_px)``: ground metres (Mercator metres
        scaled by cos(lat)) and tile pixels.
    """
    t = tile_transform(z, x, y, "gcj02")
    xmin, ymin, xmax, ymax = tile_bounds_3857(z, x, y)
    s = np.linspace(0.0, TILE_SIZE, samples)
    cols, rows = (a.ravel() for a in np.meshgrid(s, s))
    mx = xmin + cols * (xmax - xmin) / TILE_SIZE
    my = ymax - rows * (ymax - ymin) / TILE_SIZE
    ex, ey = _true_mercator_gcj(mx, my)
    fx = t.a * cols + t.b * rows + t.c
    fy = t.d * cols + t.e * rows + t.f
    err = np.hypot(fx - ex, fy - ey)
    _, lat = lonlat_from_3857(mx, my)
    px = (xmax - xmin) / TILE_SIZE
    return float(np.max(err * np.cos(np.radians(lat)))), float(np.max(err) / px)


def _overlaps_source(src, xs: list[float], ys: list[float]) -> bool:
    """Cheap lon/lat test: does the tile footprint touch the raster at all?

    Also keeps far-away tiles from being projected into the raster's CRS,
    where PROJ may fail (e.g. a UTM zone on the other side of the Earth).
    """
    lon, lat = lonlat_from_3857(np.asarray(xs), np.asarray(ys))
    b = transform_bounds(src.crs, "EPSG:4326", *src.bounds, densify_pts=21)
    margin = 1e-6
    return not (lon.max() < b[0] - margin or lon.min() > b[2] + margin
                or lat.max() < b[1] - margin or lat.min() > b[3] + margin)


def _source_window(src, dst_transform: Affine) -> tuple[Window, float, float] | None:
    """Window of ``src`` under the tile (padded, clipped) and source px per tile px."""
    corners = [dst_transform @ (c, r) for c, r in ((0, 0), (TILE_SIZE, 0), (0, TILE_SIZE), (TILE_SIZE, TILE_SIZE))]
    xs = [c[0] for c in corners]
    ys = [c[1] for c in corners]
    if not _overlaps_source(src, xs, ys):
        return None
    left, bottom, right, top = transform_bounds(_WEB_MERCATOR, src.crs, min(xs), min(ys), max(xs), max(ys), densify_pts=21)
    if not all(math.isfinite(v) for v in (left, bottom, right, top)):
        return None
    win = window_from_bounds(left, bottom, right, top, transform=src.transform)
    scale_x = abs(win.width) / TILE_SIZE
    scale_y = abs(win.height) / TILE_SIZE
    col0 = win.col_off if win.width >= 0 else win.col_off + win.width
    row0 = win.row_off if win.height >= 0 else win.row_off + win.height
    pad_x = READ_PAD_PX * max(scale_x, 1.0)
    pad_y = READ_PAD_PX * max(scale_y, 1.0)
    c0 = max(0, math.floor(col0 - pad_x))
    r0 = max(0, math.floor(row0 - pad_y))
    c1 = min(src.width, math.ceil(col0 + abs(win.width) + pad_x))
    r1 = min(src.height, math.ceil(row0 + abs(win.height) + pad_y))
    if c1 <= c0 or r1 <= r0:
        return None
    return Window(c0, r0, c1 - c0, r1 - r0), scale_x, scale_y


def _out_shape(win: Window, scale_x: float, scale_y: float) -> tuple[int, int]:
    """Decimated read size: about one source sample per tile pixel, never upsampled."""
    h = int(win.height) if scale_y <= 1 else max(1, math.ceil(win.height / scale_y))
    w = int(win.width) if scale_x <= 1 else max(1, math.ceil(win.width / scale_x))
    return h, w


def _has_mask(src) -> bool:
    flags = src.mask_flag_enums[0]
    return MaskFlags.per_dataset in flags or MaskFlags.alpha in flags


def _read_single(src, win: Window, shape: tuple[int, int], style: RasterStyle) -> np.ndarray:
    data = src.read(1, window=win, out_shape=shape, resampling=style.read_resampling)
    valid = np.ones(shape, dtype=bool)
    nodata = src.nodata
    if nodata is not None and not math.isnan(nodata):
        valid &= data != nodata
    if data.dtype.kind == "f":
        valid &= np.isfinite(data)
    if _has_mask(src):
        valid &= src.dataset_mask(window=win, out_shape=shape) > 0
    out = data.astype(np.float32)
    out[~valid] = np.nan
    return out


def _read_rgba(src, win: Window, shape: tuple[int, int], style: RasterStyle) -> np.ndarray:
    rgb = src.read([1, 2, 3], window=win, out_shape=(3, *shape), resampling=style.read_resampling)
    if src.count == 4 and src.colorinterp[3] == ColorInterp.alpha:
        alpha = src.read(4, window=win, out_shape=shape, resampling=style.read_resampling)
    else:
        alpha = src.dataset_mask(window=win, out_shape=shape)
    return np.concatenate([rgb, alpha[None]], axis=0)


def render_tile(src, z: int, x: int, y: int, *, style: RasterStyle | dict | None = None,
                display: str = "wgs84") -> np.ndarray | None:
    """Render tile ``z/x/y`` of an open raster as RGBA.

    Parameters
    ----------
    src : rasterio.io.DatasetReader
        Open raster (1 band coloured by ``style``, or RGB/RGBA uint8).
    z, x, y : int
        Tile address.
    style : RasterStyle or dict, optional
        Colour map, value range, resampling. An unresolved value range is
        computed from an overview first (pass a resolved style — see
        :func:`geo.raster.style.resolve_style` — when rendering many tiles).
    display : str, default "wgs84"
        ``"wgs84"`` or ``"gcj02"`` (see the module docstring).

    Returns
    -------
    numpy.ndarray or None
        ``(256, 256, 4)`` uint8 RGBA; None when the tile shows no data.
    """
    check_display(display)
    style = RasterStyle.from_dict(style)
    if src.count == 1 and not style.resolved:
        style = resolve_style(src, style)
    dst_transform = tile_transform(z, x, y, display)
    found = _source_window(src, dst_transform)
    if found is None:
        return None
    win, scale_x, scale_y = found
    shape = _out_shape(win, scale_x, scale_y)
    read_transform = src.window_transform(win) @ Affine.scale(win.width / shape[1], win.height / shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        if src.count == 1:
            data = _read_single(src, win, shape, style)
            if np.isnan(data).all():
                return None
            dst = np.full((TILE_SIZE, TILE_SIZE), np.nan, dtype=np.float32)
            reproject(data, dst, src_transform=read_transform, src_crs=src.crs, src_nodata=np.nan,
                      dst_transform=dst_transform, dst_crs=_WEB_MERCATOR, dst_nodata=np.nan,
                      resampling=style.warp_resampling)
            if np.isnan(dst).all():
                return None
            return apply_colormap(dst, style.colormap, style.vmin, style.vmax)
        data = _read_rgba(src, win, shape, style)
        if not data[3].any():
            return None
        dst = np.zeros((4, TILE_SIZE, TILE_SIZE), dtype=np.uint8)
        reproject(data, dst, src_transform=read_transform, src_crs=src.crs, src_alpha=4, dst_alpha=4,
                  dst_transform=dst_transform, dst_crs=_WEB_MERCATOR, resampling=style.warp_resampling)
    if not dst[3].any():
        return None
    return np.ascontiguousarray(dst.transpose(1, 2, 0))
