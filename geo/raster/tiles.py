"""Render one 256 × 256 Web-Mercator tile of a stored raster, on request, with rio-tiler.

rio-tiler reads only what a tile needs: a window of the stored
Cloud-Optimised GeoTIFF, warped through a GDAL ``WarpedVRT`` whose
decimated read is served from the overview closest to the tile's
resolution. Memory per tile is a few MB, whatever the size of the raster
(``bench/bench_raster_memory.py``). The tile grid is morecantile's
``WebMercatorQuad``; colouring is rio-tiler's (linear rescale to 0–255,
then a 256-entry colour map; nodata, masks and alpha become transparency).

Two display datums:

``"wgs84"``
    The basemap is in true coordinates (the app's own base geography,
    Tianditu, OpenStreetMap): a plain ``WebMercatorQuad`` tile.
``"gcj02"``
    The basemap is Gaode (高德), whose tiles are drawn in GCJ-02 ("Mars")
    coordinates. A tile pixel then shows the ground whose GCJ-02 position
    is the pixel's Mercator position, so the warp's destination transform
    maps pixels to the *true* (WGS84) Mercator position of that ground:
    :func:`geo.crs.gcj02_to_wgs84` on a 5 × 5 grid of the tile, fitted by an
    affine (least squares), handed to rio-tiler as the ``WarpedVRT``
    transform. The GCJ-02 shift contains a wave of period 1/3° and ~13 m
    amplitude, so over a large tile an affine cannot be sub-metre: measured
    over Fuqing the fit is off by at most 22 m at z10 (0.16 px, a pixel is
    137 m), 3.2 m at z12 (0.09 px), 0.84 m at z13 and 0.18 m at z14 —
    always under 0.2 px, i.e. invisible; see :func:`gcj02_fit_error`. (An
    axis-aligned box, rio-tiler's own ``part``, would be off by up to
    0.43 px: the shift also shears the tile slightly.)
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import morecantile
import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.errors import NotGeoreferencedWarning
from rasterio.transform import Affine, from_bounds
from rio_tiler.colormap import cmap as RIO_COLORMAPS
from rio_tiler.constants import WEB_MERCATOR_CRS
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader
from rio_tiler.utils import get_vrt_transform

from geo.crs import gcj02_to_wgs84
from geo.errors import ValidationError
from geo.raster.overviews import GDAL_ENV
from geo.raster.style import RasterStyle, resolve_style

__all__ = [
    "DISPLAYS",
    "TILE_SIZE",
    "WEB_MERCATOR",
    "MAX_TILE_ZOOM",
    "check_display",
    "check_tile",
    "gcj02_fit_error",
    "render_tile",
    "tile_transform",
    "tiles_covering",
    "ground_resolution_m",
]

#: Display datums a tile can be rendered for.
DISPLAYS = ("wgs84", "gcj02")
#: Pixels on a side of a tile (Leaflet's default).
TILE_SIZE = 256
#: The tile grid Leaflet's ``{z}/{x}/{y}`` uses.
WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")
#: Deepest zoom a tile is rendered at (z22 ≈ 3 cm/px here; Leaflet scales beyond).
MAX_TILE_ZOOM = 22
#: Grid of points per side on which the GCJ-02 affine is fitted.
_FIT_GRID = 5
_TO_LONLAT = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
_TO_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)


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


def check_tile(z: int, x: int, y: int) -> bool:
    """Whether ``z/x/y`` is a tile of the grid at all (0 ≤ z ≤ :data:`MAX_TILE_ZOOM`, x and y in range)."""
    return 0 <= z <= MAX_TILE_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def _tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    b = WEB_MERCATOR.xy_bounds(morecantile.Tile(x, y, z))
    return b.left, b.bottom, b.right, b.top


def _true_mercator_gcj(mx: np.ndarray, my: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True Mercator metres of the ground a Gaode map shows at display Mercator ``(mx, my)``."""
    glon, glat = _TO_LONLAT.transform(mx, my)
    wlon, wlat = gcj02_to_wgs84(np.asarray(glon), np.asarray(glat))
    tx, ty = _TO_MERCATOR.transform(wlon, wlat)
    return np.asarray(tx), np.asarray(ty)


def _pixel_grid(z: int, x: int, y: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``n`` × ``n`` pixel positions (cols, rows) of a tile and their display Mercator metres."""
    xmin, ymin, xmax, ymax = _tile_bounds(z, x, y)
    t = np.linspace(0.0, TILE_SIZE, n)
    cols, rows = (a.ravel() for a in np.meshgrid(t, t))
    return cols, rows, xmin + cols * (xmax - xmin) / TILE_SIZE, ymax - rows * (ymax - ymin) / TILE_SIZE


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
        return from_bounds(*_tile_bounds(z, x, y), TILE_SIZE, TILE_SIZE)
    cols, rows, mx, my = _pixel_grid(z, x, y, _FIT_GRID)
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
    cols, rows, mx, my = _pixel_grid(z, x, y, samples)
    ex, ey = _true_mercator_gcj(mx, my)
    err = np.hypot(t.a * cols + t.b * rows + t.c - ex, t.d * cols + t.e * rows + t.f - ey)
    _, lat = _TO_LONLAT.transform(mx, my)
    xmin, _, xmax, _ = _tile_bounds(z, x, y)
    return float(np.max(err * np.cos(np.radians(lat)))), float(np.max(err) / ((xmax - xmin) / TILE_SIZE))


def _mask_invalid(data: np.ma.MaskedArray) -> np.ma.MaskedArray:
    """NaN and ±inf are no data (a float raster without a nodata value marks gaps with NaN)."""
    if data.dtype.kind == "f":
        return np.ma.masked_where(~np.isfinite(np.ma.getdata(data)), data)
    return data


def _read_options(style: RasterStyle) -> dict:
    nearest = style.categorical or style.resampling == "nearest"
    return {
        "resampling_method": "nearest" if nearest else ("average" if style.resampling == "average" else "bilinear"),
        "reproject_method": "nearest" if nearest else "bilinear",
        "post_process": _mask_invalid,
    }


def _gcj02_part(reader: Reader, z: int, x: int, y: int, indexes, options: dict):
    """The GCJ-02 display tile: rio-tiler's ``part`` over the tile's true extent, with the fitted affine."""
    affine = tile_transform(z, x, y, "gcj02")
    corners = [affine @ (c, r) for c, r in ((0, 0), (TILE_SIZE, 0), (0, TILE_SIZE), (TILE_SIZE, TILE_SIZE))]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    bbox = (min(xs), min(ys), max(xs), max(ys))
    lon0, lat0 = _TO_LONLAT.transform(bbox[0], bbox[1])
    lon1, lat1 = _TO_LONLAT.transform(bbox[2], bbox[3])
    west, south, east, north = reader.get_geographic_bounds(reader.tms.rasterio_geographic_crs)
    if lon1 < west or lon0 > east or lat1 < south or lat0 > north:
        raise TileOutsideBounds(f"Tile(x={x}, y={y}, z={z}) is outside bounds")
    # rio-tiler sizes the warp grid at the raster's resolution (so GDAL picks the right overview);
    # the same grid, but along the fitted affine instead of the axis-aligned box.
    _, width, height = get_vrt_transform(reader.dataset, bbox, TILE_SIZE, TILE_SIZE, dst_crs=WEB_MERCATOR_CRS)
    vrt = {"transform": affine @ Affine.scale(TILE_SIZE / width, TILE_SIZE / height), "width": width, "height": height}
    return reader.part(bbox, dst_crs=WEB_MERCATOR_CRS, bounds_crs=WEB_MERCATOR_CRS, width=TILE_SIZE,
                       height=TILE_SIZE, indexes=indexes, vrt_options=vrt, **options)


def render_tile(path: str | Path, z: int, x: int, y: int, *, style: RasterStyle | dict | None = None,
                display: str = "wgs84") -> bytes | None:
    """Render tile ``z/x/y`` of a stored raster as a PNG.

    Parameters
    ----------
    path : path-like
        The stored raster (tiled, with overviews: :func:`geo.raster.overviews.ensure_overviews`).
    z, x, y : int
        Tile address (``WebMercatorQuad``).
    style : RasterStyle or dict, optional
        Colour map, value range, resampling (single band). An unresolved
        value range is computed from an overview first (pass a resolved
        style — :func:`geo.raster.style.resolve_style` — when rendering many
        tiles). Ignored for RGB(A) imagery, drawn as it is.
    display : str, default "wgs84"
        ``"wgs84"`` or ``"gcj02"`` (see the module docstring).

    Returns
    -------
    bytes or None
        A 256 × 256 RGBA PNG; None when the tile shows no data (outside the
        raster, or every pixel nodata).
    """
    check_display(display)
    if not check_tile(z, x, y):
        return None
    style = RasterStyle.from_dict(style)
    options = _read_options(style)
    with rasterio.Env(**GDAL_ENV), warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with Reader(str(path), tms=WEB_MERCATOR) as reader:
            single = reader.dataset.count == 1
            indexes = 1 if single else (1, 2, 3)
            if single and not style.resolved:
                style = resolve_style(reader.dataset, style)
            try:
                if display == "wgs84":
                    img = reader.tile(x, y, z, tilesize=TILE_SIZE, indexes=indexes, **options)
                else:
                    img = _gcj02_part(reader, z, x, y, indexes, options)
            except TileOutsideBounds:
                return None
    if not img.mask.any():
        return None
    if single:
        img.rescale(in_range=((style.vmin, style.vmax),))
        return img.render(img_format="PNG", colormap=RIO_COLORMAPS.get(style.colormap))
    return img.render(img_format="PNG")


def tiles_covering(bounds_wgs84: tuple[float, float, float, float], zoom: int) -> list[tuple[int, int, int]]:
    """Every tile at ``zoom`` that intersects a lon/lat box, as ``(z, x, y)`` (morecantile)."""
    return [(t.z, t.x, t.y) for t in WEB_MERCATOR.tiles(*bounds_wgs84, zooms=[zoom])]


def ground_resolution_m(z: int, lat: float) -> float:
    """Ground metres of one tile pixel at zoom ``z`` and latitude ``lat`` (the grid's cell size × cos lat)."""
    return WEB_MERCATOR.matrix(z).cellSize * math.cos(math.radians(lat))
