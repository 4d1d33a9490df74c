"""Areas in km² and how much of a reference area sites cover, in an equal-area projection (pure).

The plans' clean-fuel aim is an area ("将我市的城市建成区及城市近郊划定为高污染燃料禁燃区"), so the
figure is ``area(reference ∩ zones in force) / area(reference)``. Areas are computed in a
Lambert azimuthal equal-area projection centred on Fuqing (:data:`EQUAL_AREA_CRS`, WGS84
ellipsoid): it preserves area exactly everywhere — as an Albers projection for China does —
and, being centred on the county, keeps lengths within 0.0005 % across it (pyproj's scale
factors at the county's corners), so the uncovered parts drawn back on the map and the
sliver width below are true in metres. The usual China Albers (standard parallels 25° and
47°, central meridian 105°E) gives the same areas but stretches lengths here by up to
0.25 %, 14° east of its centre.
``tests/test_coverage.py`` checks the areas against the geodesic area on the ellipsoid.

Reference areas (``layers.reference``) are imported by an administrator; until one is, a
figure that needs it is unavailable and says which is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = [
    "EQUAL_AREA_CRS", "Coverage", "ReferenceAreas", "area_km2", "coverage", "from_equal_area", "locate",
    "to_equal_area", "SLIVER_WIDTH_M", "areas_km2", "polygonal_many",
]

#: Lambert azimuthal equal-area centred on Fuqing (the county's bounding-box centre), WGS84 ellipsoid, metres.
EQUAL_AREA_CRS = "+proj=laea +lat_0=25.58 +lon_0=119.37 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs +type=crs"
#: Uncovered pieces nowhere wider than this (m) are drawing slivers where a zone follows the boundary
#: with vertices of its own: left out of the list of uncovered parts and not held against the target,
#: but not added to the covered area either (the figure stays what was measured).
SLIVER_WIDTH_M = 1.0
#: Edges are split every this many degrees (about 200 m) before projecting, so that a straight edge
#: in longitude/latitude stays close to the same edge drawn with more vertices.
DENSIFY_DEG = 0.002


@lru_cache(maxsize=2)
def _transformer(inverse: bool) -> Transformer:
    src, dst = ("EPSG:4326", EQUAL_AREA_CRS) if not inverse else (EQUAL_AREA_CRS, "EPSG:4326")
    return Transformer.from_crs(src, dst, always_xy=True)


def _apply(geom, inverse: bool):
    """Project one geometry or an array of them (one PROJ call for all their coordinates)."""
    tr = _transformer(inverse)

    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def to_equal_area(geom: BaseGeometry) -> BaseGeometry:
    """WGS84 lon/lat -> metres in :data:`EQUAL_AREA_CRS` (edges split every :data:`DENSIFY_DEG` first)."""
    return _apply(shapely.segmentize(geom, DENSIFY_DEG), False)


def from_equal_area(geom: BaseGeometry) -> BaseGeometry:
    """Metres in :data:`EQUAL_AREA_CRS` -> WGS84 lon/lat."""
    return _apply(geom, True)


def _polygonal(geom: BaseGeometry | None) -> BaseGeometry:
    """The valid polygonal part of ``geom`` (lines and points from a repair dropped); empty for None."""
    if geom is None or geom.is_empty:
        return Polygon()
    if geom.geom_type in ("Polygon", "MultiPolygon") and geom.is_valid:
        return geom
    g = geom if geom.is_valid else shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
    if not parts:
        for p in shapely.get_parts(g):  # a GeometryCollection from make_valid
            parts += [q for q in shapely.get_parts(p) if q.geom_type == "Polygon"]
    return shapely.union_all(parts) if parts else Polygon()


def area_km2(geom: BaseGeometry | None) -> float:
    """The area of a WGS84 polygon in km², in the equal-area projection (0 for None, lines, points)."""
    g = _polygonal(geom)
    return 0.0 if g.is_empty else to_equal_area(g).area / 1e6


def polygonal_many(geoms: Sequence[BaseGeometry | None]) -> np.ndarray:
    """:func:`_polygonal` of each geometry, as an array (valid polygons pass untouched, in one check)."""
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = [Polygon() if g is None else g for g in geoms]
    if len(arr):
        fine = shapely.is_valid(arr) & np.isin(shapely.get_type_id(arr), (3, 6))  # Polygon, MultiPolygon
        for i in np.flatnonzero(~fine):
            arr[i] = _polygonal(arr[i])
    return arr


def areas_km2(geoms: Sequence[BaseGeometry | None]) -> np.ndarray:
    """The areas of many polygons at once, in km² (one projection for all; 0 for anything not polygonal).

    Meant for sites of a few km: their vertices are projected as they are (edges shorter than a
    few km differ from their densified form by under 1e-7). Invalid polygons are repaired first.
    """
    arr = polygonal_many(geoms)
    if not len(arr):
        return np.zeros(0)
    return shapely.area(_apply(arr, False)) / 1e6


@dataclass(frozen=True)
class Coverage:
    """How much of a reference area some polygons cover.

    Attributes
    ----------
    total_km2, covered_km2 : float
        The reference area, and the part of it inside the covering polygons.
    uncovered : BaseGeometry
        What is left uncovered, WGS84, drawing slivers left out (empty when fully covered).
    parts : tuple of (float, float, float)
        The uncovered pieces wider than :data:`SLIVER_WIDTH_M` somewhere: (km², lon, lat of a
        point inside), largest first.
    sliver_km2 : float
        The uncovered pieces nowhere wider than :data:`SLIVER_WIDTH_M`, together: drawing slivers
        where a zone follows the boundary with vertices of its own (they do not stop a target being met).
    """

    total_km2: float
    covered_km2: float
    uncovered: BaseGeometry
    parts: tuple[tuple[float, float, float], ...] = ()
    sliver_km2: float = 0.0

    @property
    def uncovered_km2(self) -> float:
        return max(self.total_km2 - self.covered_km2, 0.0)

    @property
    def share(self) -> float | None:
        return None if self.total_km2 <= 0 else min(self.covered_km2 / self.total_km2, 1.0)


def coverage(reference: BaseGeometry, covering: Iterable[BaseGeometry]) -> Coverage:
    """The part of ``reference`` inside the union of ``covering`` (all WGS84), in km².

    Parameters
    ----------
    reference : BaseGeometry
        The area measured against (e.g. the built-up area and near suburbs).
    covering : iterable of BaseGeometry
        Polygons that cover it (e.g. zones in force); overlaps count once.

    Returns
    -------
    Coverage
    """
    ref = _polygonal(reference)
    ref_m = to_equal_area(ref)
    # Repaired first: GEOS unites an invalid polygon (a bow tie) without a word and gets it wrong.
    cov = polygonal_many(list(covering))
    if len(cov) and not ref.is_empty:
        shapely.prepare(ref)
        cov = cov[shapely.intersects(ref, cov)]  # only what touches the reference area can cover it
    else:
        cov = cov[:0]
    cov_m = shapely.union_all(_apply(shapely.segmentize(cov, DENSIFY_DEG), False)) if len(cov) else Polygon()
    total = ref_m.area
    covered = 0.0 if cov_m.is_empty or ref_m.is_empty else ref_m.intersection(cov_m).area
    left_m = ref_m if cov_m.is_empty else ref_m.difference(cov_m)
    # Drawing slivers (nowhere wider than SLIVER_WIDTH_M, alone or as thin tails of a real gap) go: a
    # morphological opening removes them and keeps the corners of what is left (mitred joins).
    half = SLIVER_WIDTH_M / 2
    opened = left_m.buffer(-half, join_style="mitre").buffer(half, join_style="mitre").intersection(left_m) \
        if not left_m.is_empty else left_m
    sliver = max(left_m.area - opened.area, 0.0)
    parts = []
    kept = [p for p in shapely.get_parts(opened) if p.geom_type == "Polygon" and not p.is_empty]
    for piece in kept:
        p = from_equal_area(piece.representative_point())
        parts.append((piece.area / 1e6, p.x, p.y))
    parts.sort(key=lambda t: -t[0])
    left = from_equal_area(MultiPolygon(kept)) if kept else Polygon()
    return Coverage(total / 1e6, covered / 1e6, left, tuple(parts), sliver / 1e6)


@dataclass(frozen=True)
class ReferenceAreas:
    """The official reference areas loaded so far, and official town boundaries when loaded.

    Attributes
    ----------
    areas : mapping of str to BaseGeometry
        Reference-area key (``layers.reference``) -> WGS84 (Multi)Polygon; a key that is
        missing has not been imported.
    sources : mapping of str to str
        Key -> where it came from (batch, file, time), shown beside the figures.
    sample : frozenset of str
        Keys whose current version is illustrative sample data (示例数据).
    towns : mapping of str to BaseGeometry
        Official town boundaries (town code -> geometry), when an administrator loaded them.
    """

    areas: Mapping[str, BaseGeometry] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    sample: frozenset[str] = frozenset()
    towns: Mapping[str, BaseGeometry] = field(default_factory=dict)

    def has(self, key: str) -> bool:
        g = self.areas.get(key)
        return g is not None and not g.is_empty

    def missing(self, keys: Sequence[str]) -> list[str]:
        """The keys of ``keys`` not imported yet."""
        return [k for k in keys if not self.has(k)]

    def union(self, keys: Sequence[str]) -> BaseGeometry:
        """The union of the areas ``keys`` (WGS84); raises KeyError naming a missing one."""
        missing = self.missing(keys)
        if missing:
            raise KeyError(missing[0])
        return shapely.union_all([_polygonal(self.areas[k]) for k in keys])


def locate(sites: Sequence, reference: ReferenceAreas | None, keys: Sequence[str]) -> dict[str, frozenset[str]]:
    """For each site, the reference areas among ``keys`` it lies in (a point; other shapes by a point inside).

    A key that is not imported is never reported: callers check
    :meth:`ReferenceAreas.missing` to tell "outside" from "unknown".
    """
    out: dict[str, frozenset[str]] = {s.site_id: frozenset() for s in sites}
    if reference is None or not sites:
        return out
    pts = [s.geometry if s.geometry.geom_type == "Point" else s.geometry.representative_point() for s in sites]
    xs = np.array([p.x for p in pts])
    ys = np.array([p.y for p in pts])
    hits: dict[str, set[str]] = {s.site_id: set() for s in sites}
    for key in keys:
        if not reference.has(key):
            continue
        area = _polygonal(reference.areas[key])
        shapely.prepare(area)
        inside = shapely.intersects_xy(area, xs, ys)
        for s, yes in zip(sites, inside):
            if yes:
                hits[s.site_id].add(key)
    return {k: frozenset(v) for k, v in hits.items()}


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """``geom``'s polygonal part as a MultiPolygon (for drawing and storing)."""
    g = _polygonal(geom)
    if g.is_empty:
        return MultiPolygon()
    return g if g.geom_type == "MultiPolygon" else MultiPolygon([g])
