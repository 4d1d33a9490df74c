"""Web-Mercator XYZ tile maths (the "slippy map" grid Leaflet uses).

Pure arithmetic, no I/O. Tiles are 256 px; ``(z, x, y)`` counts x from
180°W eastwards and y from the north edge (85.0511°N) southwards, as in
Leaflet's ``L.tileLayer(".../{z}/{x}/{y}.png")``. Longitudes and latitudes
are degrees in the datum the *display* uses (true WGS84 for our own
basemap, GCJ-02 for a Gaode basemap); the maths is the same.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "TILE_SIZE",
    "ORIGIN_SHIFT",
    "MAX_LAT",
    "tile_bounds_3857",
    "tiles_for_bounds",
    "tile_range",
    "lonlat_to_3857",
    "lonlat_from_3857",
    "lonlat_to_global_px",
    "ground_resolution_m",
]

#: Pixels on a side of a tile.
TILE_SIZE = 256
#: Half the Web-Mercator world width in metres (π · 6378137).
ORIGIN_SHIFT = math.pi * 6378137.0
#: Latitude where the square Web-Mercator world ends.
MAX_LAT = 85.05112877980659
# Tile-edge tolerance: a bound that falls exactly on a tile edge does not
# pull in the next tile (1e-9 of a tile is far below a pixel at z ≤ 22).
_EDGE_EPS = 1e-9


def lonlat_to_3857(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Project degrees to spherical Web-Mercator metres (EPSG:3857).

    Parameters
    ----------
    lon, lat : float or array_like
        Degrees; latitude is clipped to ±:data:`MAX_LAT`.

    Returns
    -------
    tuple
        ``(x, y)`` metres, floats for scalars, arrays otherwise.
    """
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.clip(np.asarray(lat, dtype=np.float64), -MAX_LAT, MAX_LAT)
    x = lon_a * ORIGIN_SHIFT / 180.0
    y = np.log(np.tan((90.0 + lat_a) * math.pi / 360.0)) * 6378137.0
    if x.ndim == 0:
        return float(x), float(y)
    return x, y


def lonlat_from_3857(x: Any, y: Any) -> tuple[Any, Any]:
    """Inverse of :func:`lonlat_to_3857`.

    Parameters
    ----------
    x, y : float or array_like
        Web-Mercator metres.

    Returns
    -------
    tuple
        ``(lon, lat)`` degrees.
    """
    x_a = np.asarray(x, dtype=np.float64)
    y_a = np.asarray(y, dtype=np.float64)
    lon = x_a / ORIGIN_SHIFT * 180.0
    lat = np.degrees(2.0 * np.arctan(np.exp(y_a / 6378137.0)) - math.pi / 2.0)
    if lon.ndim == 0:
        return float(lon), float(lat)
    return lon, lat


def lonlat_to_global_px(lon: Any, lat: Any, z: int) -> tuple[Any, Any]:
    """Position in "global pixels" at zoom ``z`` (tile x = px // 256).

    Parameters
    ----------
    lon, lat : float or array_like
        Degrees.
    z : int
        Zoom level.

    Returns
    -------
    tuple
        ``(px, py)`` floats from the north-west corner of the world; the
        centre of pixel ``(i, j)`` is at ``(i + 0.5, j + 0.5)``.
    """
    x, y = lonlat_to_3857(lon, lat)
    world = TILE_SIZE * 2**z
    px = (np.asarray(x) + ORIGIN_SHIFT) / (2 * ORIGIN_SHIFT) * world
    py = (ORIGIN_SHIFT - np.asarray(y)) / (2 * ORIGIN_SHIFT) * world
    if np.ndim(px) == 0:
        return float(px), float(py)
    return px, py


def tile_bounds_3857(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Web-Mercator bounds of one tile.

    Parameters
    ----------
    z, x, y : int
        XYZ tile address.

    Returns
    -------
    tuple of float
        ``(xmin, ymin, xmax, ymax)`` in EPSG:3857 metres.
    """
    size = 2 * ORIGIN_SHIFT / 2**z
    xmin = -ORIGIN_SHIFT + x * size
    ymax = ORIGIN_SHIFT - y * size
    return (xmin, ymax - size, xmin + size, ymax)


def tile_range(bounds: tuple[float, float, float, float], z: int) -> tuple[int, int, int, int]:
    """Inclusive tile index range ``(x0, y0, x1, y1)`` covering lon/lat ``bounds`` at ``z``.

    Parameters
    ----------
    bounds : tuple of float
        ``(min_lon, min_lat, max_lon, max_lat)`` degrees.
    z : int
        Zoom level.

    Returns
    -------
    tuple of int
        ``x0 <= x1`` and ``y0 <= y1`` (y0 is the northern row).
    """
    minx, miny, maxx, maxy = bounds
    n = 2**z
    px0, py0 = lonlat_to_global_px(minx, maxy, z)
    px1, py1 = lonlat_to_global_px(maxx, miny, z)
    x0 = int(math.floor(px0 / TILE_SIZE + _EDGE_EPS))
    y0 = int(math.floor(py0 / TILE_SIZE + _EDGE_EPS))
    x1 = int(math.floor(px1 / TILE_SIZE - _EDGE_EPS))
    y1 = int(math.floor(py1 / TILE_SIZE - _EDGE_EPS))
    clamp = lambda v: max(0, min(n - 1, v))  # noqa: E731 - tiny local helper
    x0, y0, x1, y1 = clamp(x0), clamp(y0), clamp(x1), clamp(y1)
    return x0, y0, max(x0, x1), max(y0, y1)


def tiles_for_bounds(bounds_wgs84: tuple[float, float, float, float], zoom: int) -> list[tuple[int, int, int]]:
    """Every tile at ``zoom`` that intersects the lon/lat box ``bounds_wgs84``.

    Parameters
    ----------
    bounds_wgs84 : tuple of float
        ``(min_lon, min_lat, max_lon, max_lat)``; degrees of the display datum.
    zoom : int
        Zoom level, 0–24.

    Returns
    -------
    list of tuple
        ``(z, x, y)`` row by row from the north-west tile.
    """
    x0, y0, x1, y1 = tile_range(bounds_wgs84, zoom)
    return [(zoom, x, y) for y in range(y0, y1 + 1) for x in range(x0, x1 + 1)]


def ground_resolution_m(z: int, lat: float) -> float:
    """Ground size in metres of one 256-px tile pixel at zoom ``z`` and latitude ``lat``.

    Parameters
    ----------
    z : int
        Zoom level.
    lat : float
        Degrees.

    Returns
    -------
    float
        Metres per pixel (156543.03 m at z0 on the equator, times cos(lat)).
    """
    return 2 * ORIGIN_SHIFT / (TILE_SIZE * 2**z) * math.cos(math.radians(lat))
