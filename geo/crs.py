"""Coordinate systems: WGS84 storage, GCJ-02 / BD-09 display shifts, distances.

WGS84 (EPSG:4326) is the storage CRS. CGCS2000 (EPSG:4490) is the same at
map scale. GCJ-02 (Gaode/Amap, Tencent) and BD-09 (Baidu) have no PROJ
definition: the forward GCJ-02 shift is the public formula on the Krasovsky
ellipsoid, its inverse is found by iteration; BD-09 is a further shift of
GCJ-02. Everything here takes ``(lon, lat)`` in that order, as floats or
numpy arrays (vectorised; the same shape comes back). Folium/Leaflet wants
``(lat, lon)``: convert with :func:`lonlat_to_latlon` and nothing else.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.errors import ValidationError

__all__ = [
    "SYSTEMS",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "out_of_china",
    "transform",
    "to_wgs84",
    "from_wgs84",
    "lonlat_to_latlon",
    "haversine_m",
    "geodesic_distance_m",
]

# Krasovsky 1940 ellipsoid, as used by the public GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323
# BD-09 constant.
_X_PI = math.pi * 3000.0 / 180.0
# The usual rough "China" box outside which GCJ-02 applies no shift.
_CHINA_BOX = (73.66, 3.86, 135.05, 53.55)  # min lon, min lat, max lon, max lat

# Inverse iteration: stop when the forward image is within this many degrees
# of the target (1e-9 deg is about 0.1 mm), or after this many steps.
_INVERSE_TOL_DEG = 1e-9
_INVERSE_MAX_ITER = 30

# Mean Earth radius (IUGG), metres.
_EARTH_RADIUS_M = 6371008.8

#: Names accepted by :func:`to_wgs84` / :func:`from_wgs84` besides "EPSG:nnnn".
SYSTEMS = ("wgs84", "cgcs2000", "gcj02", "bd09")

_ALIASES = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "wgs 84": "wgs84",
    "epsg:4326": "wgs84",
    "cgcs2000": "cgcs2000",
    "cgcs-2000": "cgcs2000",
    "epsg:4490": "cgcs2000",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
}


# --------------------------------------------------------------------------
# Array helpers
# --------------------------------------------------------------------------
def _arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    """Return float64 arrays broadcast to one shape and whether both were scalars."""
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    scalar = lon_a.ndim == 0 and lat_a.ndim == 0
    lon_a, lat_a = np.broadcast_arrays(lon_a, lat_a)
    return lon_a, lat_a, scalar


def _out(lon: np.ndarray, lat: np.ndarray, scalar: bool) -> tuple[Any, Any]:
    if scalar:
        return float(lon), float(lat)
    return lon, lat


# --------------------------------------------------------------------------
# GCJ-02
# --------------------------------------------------------------------------
def out_of_china(lon: Any, lat: Any) -> Any:
    """Tell whether points lie outside the rough China box (no GCJ-02 shift there).

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 or GCJ-02 degrees.

    Returns
    -------
    bool or numpy.ndarray of bool
    """
    lon_a, lat_a, scalar = _arrays(lon, lat)
    minx, miny, maxx, maxy = _CHINA_BOX
    res = ~((lon_a > minx) & (lon_a < maxx) & (lat_a > miny) & (lat_a < maxy))
    return bool(res) if scalar else res


def _transform_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _gcj_delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 shift (dlon, dlat) in degrees at WGS84 ``(lon, lat)``; 0 outside China."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = np.sin(radlat)
    magic = 1.0 - _EE * magic * magic
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    outside = out_of_china(lon, lat)
    dlat = np.where(outside, 0.0, dlat)
    dlon = np.where(outside, 0.0, dlon)
    return dlon, dlat


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Shift WGS84 coordinates to GCJ-02 (Gaode/Amap, Tencent).

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 degrees. Arrays are broadcast together.

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02: floats for scalar input, arrays otherwise.
        Points outside the rough China box come back unchanged.
    """
    lon_a, lat_a, scalar = _arrays(lon, lat)
    dlon, dlat = _gcj_delta(lon_a, lat_a)
    return _out(lon_a + dlon, lat_a + dlat, scalar)


def _invert(forward, lon: Any, lat: Any, first_guess=None) -> tuple[Any, Any]:
    """Invert a shift ``forward`` by fixed-point iteration, vectorised.

    Starts from ``first_guess(target)`` (default: ``target`` minus the shift
    at ``target``) and corrects by the residual until every finite point's
    forward image is within ``_INVERSE_TOL_DEG`` of the target, at most
    ``_INVERSE_MAX_ITER`` steps (NaN stays NaN and does not hold the loop).
    """
    tx, ty, scalar = _arrays(lon, lat)
    if first_guess is None:
        fx, fy = forward(tx, ty)
        x = tx - (fx - tx)
        y = ty - (fy - ty)
    else:
        x, y = first_guess(tx, ty)
    for _ in range(_INVERSE_MAX_ITER):
        fx, fy = forward(x, y)
        rx = fx - tx
        ry = fy - ty
        # NaN compares False, so NaN inputs do not keep the loop going.
        if not (np.any(np.abs(rx) >= _INVERSE_TOL_DEG) or np.any(np.abs(ry) >= _INVERSE_TOL_DEG)):
            break
        x = x - rx
        y = y - ry
    return _out(x, y, scalar)


def _gcj_forward_arrays(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlon, dlat = _gcj_delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Shift GCJ-02 coordinates back to WGS84 (iterative inverse).

    The forward formula has no closed inverse. Iterating converges to a
    residual below 1e-9 degrees (about 0.1 mm) in a few steps; the common
    one-step approximation is 1–2 m off.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84, same shape as the input.
    """
    return _invert(_gcj_forward_arrays, lon, lat)


# --------------------------------------------------------------------------
# BD-09
# --------------------------------------------------------------------------
def _gcj_to_bd_arrays(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_to_gcj_closed_form(bx: np.ndarray, by: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = bx - 0.0065
    y = by - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def gcj02_to_bd09(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Shift GCJ-02 coordinates to BD-09 (Baidu), standard formula.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09, same shape as the input.
    """
    x, y, scalar = _arrays(lon, lat)
    bx, by = _gcj_to_bd_arrays(x, y)
    return _out(bx, by, scalar)


def bd09_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Shift BD-09 coordinates back to GCJ-02.

    Starts from the standard closed-form inverse (which is up to ~0.1 m
    off: measured round trip in Fuqing 0.11 m) and polishes it by iterating
    on :func:`gcj02_to_bd09` until the residual is below 1e-9 degrees.

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02, same shape as the input.
    """
    return _invert(_gcj_to_bd_arrays, lon, lat, first_guess=_bd_to_gcj_closed_form)


def wgs84_to_bd09(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Shift WGS84 coordinates to BD-09 (via GCJ-02).

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09, same shape as the input.
    """
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Shift BD-09 coordinates back to WGS84 (via GCJ-02, iterative).

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84, same shape as the input.
    """
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


# --------------------------------------------------------------------------
# PROJ systems and the dispatcher
# --------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def _canonical(system: str) -> str:
    """Return "wgs84" | "cgcs2000" | "gcj02" | "bd09" | "EPSG:nnnn" or raise."""
    if not isinstance(system, str) or not system.strip():
        raise ValidationError(
            "crs.unknown",
            en=f"Unknown coordinate system {system!r}: use one of {', '.join(SYSTEMS)} or 'EPSG:nnnn'.",
            zh=f"未知坐标系 {system!r}：请使用 {', '.join(SYSTEMS)} 或 'EPSG:nnnn'。",
            value=system,
            allowed=SYSTEMS,
        )
    key = " ".join(system.strip().lower().split())
    if key in _ALIASES:
        return _ALIASES[key]
    if key.startswith("epsg:") and key[5:].isdigit():
        code = f"EPSG:{int(key[5:])}"
        try:
            CRS.from_user_input(code)
        except CRSError as exc:
            raise ValidationError(
                "crs.unknown",
                en=f"{system!r} is not an EPSG code PROJ knows: check the number "
                f"(e.g. EPSG:4326, EPSG:4490, EPSG:4527).",
                zh=f"{system!r} 不是已知的 EPSG 编号：请检查编号（例如 EPSG:4326、EPSG:4490、EPSG:4527）。",
                value=system,
            ) from exc
        return code
    raise ValidationError(
        "crs.unknown",
        en=f"Unknown coordinate system {system!r}: use one of {', '.join(SYSTEMS)} or 'EPSG:nnnn'.",
        zh=f"未知坐标系 {system!r}：请使用 {', '.join(SYSTEMS)} 或 'EPSG:nnnn'。",
        value=system,
        allowed=SYSTEMS,
    )


def _proj_name(canonical: str) -> str | None:
    """PROJ name for a canonical system, or None for GCJ-02/BD-09."""
    if canonical == "wgs84":
        return "EPSG:4326"
    if canonical == "cgcs2000":
        return "EPSG:4490"
    if canonical.startswith("EPSG:"):
        return canonical
    return None


def _check_lonlat(lon: np.ndarray, lat: np.ndarray, system: str) -> None:
    bad = (np.abs(lon) > 180.0) | (np.abs(lat) > 90.0)
    if np.any(bad):
        i = int(np.flatnonzero(bad.ravel())[0])
        value = (float(lon.ravel()[i]), float(lat.ravel()[i]))
        raise ValidationError(
            "coord.out_of_range",
            en=f"Coordinate (lon, lat) = {value} is not valid for {system}: longitude must be within "
            f"±180 and latitude within ±90; check that longitude and latitude are not swapped.",
            zh=f"坐标 (经度, 纬度) = {value} 对 {system} 无效：经度应在 ±180、纬度应在 ±90 之内；请检查经纬度是否颠倒。",
            value=value,
        )


def transform(x: Any, y: Any, src: str, dst: str) -> tuple[Any, Any]:
    """Transform coordinates between two systems, always in (x/lon, y/lat) order.

    PROJ (pyproj, ``always_xy=True``, cached transformers) handles every
    EPSG system; GCJ-02 and BD-09 are routed through WGS84 with the formulas
    of this module.

    Parameters
    ----------
    x, y : float or array_like
        Easting/longitude and northing/latitude. For Gauss-Krüger systems
        (EPSG:4513–4554) pass the easting first even though the Chinese
        convention labels northing "X".
    src, dst : str
        "wgs84", "cgcs2000", "gcj02", "bd09" or "EPSG:nnnn".

    Returns
    -------
    tuple
        ``(x, y)`` in ``dst``: floats for scalar input, arrays otherwise.

    Raises
    ------
    ValidationError
        ``crs.unknown`` for a system name that is not recognised.
    """
    s = _canonical(src)
    d = _canonical(dst)
    xa, ya, scalar = _arrays(x, y)
    if s == d:
        return _out(xa.copy(), ya.copy(), scalar)
    # To WGS84 first when the source is a shifted system.
    if s == "gcj02":
        xa, ya = gcj02_to_wgs84(xa, ya)
        s = "wgs84"
    elif s == "bd09":
        xa, ya = bd09_to_wgs84(xa, ya)
        s = "wgs84"
    if d in ("gcj02", "bd09"):
        if s != "wgs84":
            xa, ya = _transformer(_proj_name(s), "EPSG:4326").transform(xa, ya)
        fwd = wgs84_to_gcj02 if d == "gcj02" else wgs84_to_bd09
        xa, ya = fwd(np.asarray(xa, dtype=np.float64), np.asarray(ya, dtype=np.float64))
    elif s != d:
        xa, ya = _transformer(_proj_name(s), _proj_name(d)).transform(xa, ya)
    xa = np.asarray(xa, dtype=np.float64)
    ya = np.asarray(ya, dtype=np.float64)
    return _out(xa, ya, scalar)


def to_wgs84(lon_or_x: Any, lat_or_y: Any, system: str) -> tuple[Any, Any]:
    """Bring coordinates given in ``system`` to WGS84 (lon, lat).

    Parameters
    ----------
    lon_or_x, lat_or_y : float or array_like
        Longitude/easting and latitude/northing in ``system``.
    system : str
        "wgs84", "cgcs2000" (same as WGS84 at map scale), "gcj02" (Gaode,
        Tencent), "bd09" (Baidu) or "EPSG:nnnn" for any system PROJ knows.

    Returns
    -------
    tuple
        ``(lon, lat)`` WGS84, same shape as the input.

    Raises
    ------
    ValidationError
        ``crs.unknown`` for an unknown system; ``coord.out_of_range`` for a
        geographic input outside ±180/±90.
    """
    s = _canonical(system)
    xa, ya, scalar = _arrays(lon_or_x, lat_or_y)
    if s in SYSTEMS:
        _check_lonlat(xa, ya, s)
    if s in ("wgs84", "cgcs2000"):
        return _out(xa.copy(), ya.copy(), scalar)
    return transform(lon_or_x, lat_or_y, s, "wgs84")


def from_wgs84(lon: Any, lat: Any, system: str) -> tuple[Any, Any]:
    """Express WGS84 (lon, lat) in ``system`` (e.g. "gcj02" for a Gaode basemap).

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 degrees.
    system : str
        As for :func:`to_wgs84`.

    Returns
    -------
    tuple
        Coordinates in ``system``, same shape as the input.
    """
    s = _canonical(system)
    xa, ya, _ = _arrays(lon, lat)
    _check_lonlat(xa, ya, "wgs84")
    if s in ("wgs84", "cgcs2000"):
        xa, ya, scalar = _arrays(lon, lat)
        return _out(xa.copy(), ya.copy(), scalar)
    return transform(lon, lat, "wgs84", s)


# --------------------------------------------------------------------------
# Leaflet order
# --------------------------------------------------------------------------
def lonlat_to_latlon(coords: Any, reverse: bool = False) -> Any:
    """Swap (lon, lat) into folium/Leaflet's (lat, lon) — the only place that does.

    Every place that talks to folium goes through here; with
    ``reverse=True`` the same function turns Leaflet's ``(lat, lon)``
    (e.g. a map click) back into ``(lon, lat)``.

    Parameters
    ----------
    coords : tuple, list, numpy.ndarray or shapely Point
        One pair; a (nested) list of pairs such as GeoJSON coordinates; an
        array whose last axis has length 2; or a Point (read as lon, lat).
    reverse : bool, default False
        False: the input is (lon, lat), the output (lat, lon).
        True: the input is Leaflet's (lat, lon), the output (lon, lat).

    Returns
    -------
    Same kind as the input
        A tuple for a single pair or a Point, nested lists for lists,
        an array for an array.

    Raises
    ------
    ValidationError
        ``coord.out_of_range`` if a pair has |lat| > 90 or |lon| > 180 in
        the order the input is declared to be in — typically because it was
        already swapped; ``coord.shape`` if the input is not coordinates.
    """
    if isinstance(coords, Point):
        if reverse:
            raise ValidationError(
                "coord.shape",
                en="A shapely Point is always (lon, lat): call lonlat_to_latlon(point) without reverse=True.",
                zh="shapely 点总是 (经度, 纬度)：请不带 reverse=True 调用 lonlat_to_latlon(point)。",
                value=coords.wkt,
            )
        coords = (coords.x, coords.y)
    if isinstance(coords, np.ndarray):
        arr = np.asarray(coords, dtype=np.float64)
        if arr.shape[-1:] != (2,):
            raise ValidationError(
                "coord.shape",
                en=f"Expected an array whose last axis holds a coordinate pair, got shape {arr.shape}.",
                zh=f"坐标数组最后一维应为坐标对，实际形状为 {arr.shape}。",
                value=arr.shape,
            )
        _check_order(arr[..., 0], arr[..., 1], reverse)
        return arr[..., ::-1].copy()
    if _is_pair(coords):
        a, b = float(coords[0]), float(coords[1])
        _check_order(np.asarray(a), np.asarray(b), reverse)
        return (b, a)
    if isinstance(coords, (tuple, list)) and len(coords) > 0:
        return [
            list(lonlat_to_latlon(tuple(c), reverse)) if _is_pair(c) else lonlat_to_latlon(c, reverse)
            for c in coords
        ]
    raise ValidationError(
        "coord.shape",
        en=f"Cannot read {coords!r} as coordinates: pass a pair, a list of pairs or an array.",
        zh=f"无法将 {coords!r} 识别为坐标：请传入坐标对、坐标对列表或数组。",
        value=repr(coords)[:80],
    )


def _check_order(first: np.ndarray, second: np.ndarray, reverse: bool) -> None:
    if reverse:
        _check_lonlat(second, first, "Leaflet (lat, lon) → WGS84")
    else:
        _check_lonlat(first, second, "WGS84")


def _is_pair(c: Any) -> bool:
    return (
        isinstance(c, (tuple, list))
        and len(c) == 2
        and all(isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool) for v in c)
    )


# --------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------
def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Great-circle distance in metres on a sphere of mean Earth radius.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array_like
        WGS84 degrees; arrays broadcast together.

    Returns
    -------
    float or numpy.ndarray
        Distance in metres (within ~0.5 % of the ellipsoidal distance).
    """
    a1 = np.asarray(lon1, dtype=np.float64)
    b1 = np.asarray(lat1, dtype=np.float64)
    a2 = np.asarray(lon2, dtype=np.float64)
    b2 = np.asarray(lat2, dtype=np.float64)
    p1 = np.radians(b1)
    p2 = np.radians(b2)
    dp = p2 - p1
    dl = np.radians(a2 - a1)
    h = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    d = 2.0 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    if d.ndim == 0:
        return float(d)
    return d


@lru_cache(maxsize=256)
def _aeqd_transformer(lon0: float, lat0: float) -> Transformer:
    proj = f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m +no_defs"
    return Transformer.from_crs("EPSG:4326", proj, always_xy=True)


def _project(geom: BaseGeometry, tr: Transformer) -> BaseGeometry:
    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def geodesic_distance_m(point: Any, geometry: BaseGeometry) -> float:
    """Distance in metres from a WGS84 point to any WGS84 shapely geometry.

    Both are projected to an azimuthal equidistant projection centred near
    the point (centre rounded to 0.05° so transformers can be cached), where
    planar distance is the geodesic distance to well under 0.1 % for the
    distances that matter here (tens of kilometres). A point inside a polygon
    is at distance 0.

    Parameters
    ----------
    point : shapely.geometry.Point or (lon, lat)
        WGS84 point.
    geometry : shapely geometry
        WGS84 point, line, polygon or a multi-/collection of them.

    Returns
    -------
    float
        Metres.

    Raises
    ------
    ValidationError
        ``geom.empty`` when either geometry is empty.
    """
    if not isinstance(point, BaseGeometry):
        point = Point(float(point[0]), float(point[1]))
    if point.is_empty or geometry is None or geometry.is_empty:
        raise ValidationError(
            "geom.empty",
            en="Cannot measure a distance to or from an empty geometry: pass a geometry with coordinates.",
            zh="空几何无法计算距离：请提供有坐标的几何对象。",
            value=None,
        )
    if not isinstance(point, Point):
        point = point.centroid
    _check_lonlat(np.asarray(point.x), np.asarray(point.y), "wgs84")
    lon0 = round(point.x * 20.0) / 20.0
    lat0 = round(point.y * 20.0) / 20.0
    tr = _aeqd_transformer(lon0, lat0)
    p = _project(point, tr)
    g = _project(geometry, tr)
    return float(p.distance(g))
