"""Display copies of coordinates for a basemap's frame, and clicked positions back.

What is stored is always WGS84. A basemap drawn in GCJ-02 (Gaode) needs every
overlay shifted WGS84 → GCJ-02 *for display only*, and every position the
user clicks on it (or the device reports and the map shows) converted back
before use. The WGS84 frame is the identity. The inverse is iterative
(:func:`geo.crs.gcj02_to_wgs84`): round trips are well under a metre.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02

__all__ = ["FRAMES", "to_display", "from_display", "geometry_to_display", "geojson_to_display", "round_coords", "check_frame"]

FRAMES = ("wgs84", "gcj02")


def check_frame(frame: str) -> str:
    """``frame`` if known, else ValueError naming the known frames."""
    if frame not in FRAMES:
        raise ValueError(f"unknown display frame {frame!r}; use one of {FRAMES}")
    return frame


def to_display(lon: Any, lat: Any, frame: str) -> tuple[Any, Any]:
    """WGS84 → the display frame (scalars or arrays)."""
    if check_frame(frame) == "wgs84":
        return lon, lat
    return wgs84_to_gcj02(lon, lat)


def from_display(lon: Any, lat: Any, frame: str) -> tuple[Any, Any]:
    """A position in the display frame (a click on the map) → WGS84."""
    if check_frame(frame) == "wgs84":
        return lon, lat
    return gcj02_to_wgs84(lon, lat)


def _shift_xy(coords: np.ndarray) -> np.ndarray:
    lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def geometry_to_display(geom: BaseGeometry, frame: str) -> BaseGeometry:
    """A display copy of ``geom`` (vectorised over all its vertices); the same object for WGS84."""
    if check_frame(frame) == "wgs84" or geom is None or geom.is_empty:
        return geom
    return shapely.transform(geom, _shift_xy)


def geojson_to_display(data: dict, frame: str) -> dict:
    """A display copy of a GeoJSON FeatureCollection, Feature or geometry (coordinates rounded to 1e-6°)."""
    check_frame(frame)
    kind = data.get("type")
    if kind == "FeatureCollection":
        return {**data, "features": [geojson_to_display(f, frame) for f in data.get("features", [])]}
    if kind == "Feature":
        geom = data.get("geometry")
        return {**data, "geometry": geojson_to_display(geom, frame) if geom else geom}
    if kind == "GeometryCollection":
        return {**data, "geometries": [geojson_to_display(g, frame) for g in data.get("geometries", [])]}
    shifted = mapping(geometry_to_display(shape(data), frame))
    return {"type": shifted["type"], "coordinates": round_coords(shifted["coordinates"])}


def round_coords(coords: Any, decimals: int = 6) -> Any:
    """GeoJSON coordinates (nested lists or tuples) rounded to ``decimals`` places, as lists."""
    if isinstance(coords, (int, float)):
        return round(float(coords), decimals)
    return [round_coords(c, decimals) for c in coords]
