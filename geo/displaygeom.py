"""Display geometry: sites simplified and quantised for drawing, at two levels of detail (pure: no I/O).

The map never draws a stored geometry as it is: lines and polygons are
simplified (Douglas–Peucker, topology preserved, no part, ring or site ever
dropped), vertices are rounded to :data:`QUANT` units per degree (1e-5°,
about a metre), rings lose their closing vertex and repeats, exteriors are
counter-clockwise and holes clockwise. Two levels:

* *detail* (:data:`DETAIL_TOLERANCE`, ≈ 2 m): what the map draws close up;
* *overview* (:data:`OVERVIEW_TOLERANCE`, ≈ 25 m): what it draws when the
  whole county or a town is in view, where a pixel is 17–140 m (zoom 13–10
  at Fuqing's latitude); the error stays under one pixel up to zoom 12.

An *entry* is ``(struct, coords)``: ``struct`` the geometry type code
(1 Point, 2 MultiPoint, 3 LineString, 4 MultiLineString, 5 Polygon,
6 MultiPolygon, 0 empty) followed by part, ring and vertex counts, and
``coords`` the quantised vertices as an ``(k, 2)`` int32 array.

The store keeps both levels of every site, computed when the geometry is
written (:func:`display_blobs`), so a map never simplifies on first view;
:data:`PARAMS` names the parameters they were made with (rows made with
other ones are recomputed when read). Both :mod:`geo.map.sitelayer` and
:mod:`geo.store` use this module.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import shapely
from shapely.geometry import MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = ["QUANT", "DETAIL_TOLERANCE", "OVERVIEW_TOLERANCE", "PARAMS", "TYPE_CODES", "Entry", "simplified",
           "entries", "entry_blob", "blob_entry", "display_blobs", "quantised"]

#: Units per degree of the stored vertices: 1e-5° (≈ 1.1 m north–south, ≈ 1.0 m east–west at Fuqing).
QUANT = 100_000
#: Douglas–Peucker tolerance (degrees) of the detail level: ≈ 2 m.
DETAIL_TOLERANCE = 2e-5
#: Douglas–Peucker tolerance (degrees) of the overview level: ≈ 25 m, under a pixel up to zoom 12.
OVERVIEW_TOLERANCE = 2.5e-4
#: What stored display geometries were made with; bump the last number when the algorithm changes.
PARAMS = f"q{QUANT}-d{DETAIL_TOLERANCE:g}-o{OVERVIEW_TOLERANCE:g}-1"

TYPE_CODES = {"Point": 1, "MultiPoint": 2, "LineString": 3, "MultiLineString": 4, "Polygon": 5, "MultiPolygon": 6}
_LINES, _POLYGONS = (1, 5), (3, 6)  # shapely type ids of each family (single, multi)

Entry = tuple[np.ndarray, np.ndarray]
EMPTY: Entry = (np.array([0], dtype=np.int32), np.zeros((0, 2), dtype=np.int32))


# -- simplification ------------------------------------------------------------------------


def _rings_per_geometry(arr: np.ndarray) -> np.ndarray:
    """Rings of every polygon part of each geometry (shapely's get_rings skips multi-polygons)."""
    parts, owner = shapely.get_parts(arr, return_index=True)
    if len(parts) == 0:
        return np.zeros(len(arr), dtype=np.int64)
    _, part_of_ring = shapely.get_rings(parts, return_index=True)
    return np.bincount(owner[part_of_ring], minlength=len(arr)) if len(part_of_ring) else np.zeros(len(arr), int)


def _family(type_ids: np.ndarray) -> np.ndarray:
    return np.where(np.isin(type_ids, _LINES), 1, np.where(np.isin(type_ids, _POLYGONS), 2, 0))


def simplified(geoms: Sequence[BaseGeometry], tolerance: float) -> list[BaseGeometry]:
    """Lines and polygons simplified for display, keeping their type; the original where simplifying
    would lose a part or a ring.

    GEOS returns a one-part multi-geometry as a single one: it is put back
    into its multi type, so that what is drawn is what is stored.
    """
    geoms = list(geoms)
    if not geoms or tolerance <= 0:
        return geoms
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    simple = shapely.simplify(arr, tolerance, preserve_topology=True)
    t0, t1 = shapely.get_type_id(arr), shapely.get_type_id(simple)
    same = ((_family(t0) == _family(t1)) & (_family(t0) > 0)
            & ~shapely.is_empty(simple)
            & (shapely.get_num_geometries(simple) == shapely.get_num_geometries(arr))
            & (_rings_per_geometry(simple) == _rings_per_geometry(arr)))
    out = []
    for g, s, ok, a, b in zip(geoms, simple, same, t0, t1):
        if not ok:
            out.append(g)
        elif a == b:
            out.append(s)
        elif a == 6:  # MultiPolygon of one part came back as a Polygon
            out.append(MultiPolygon([s]))
        elif a == 5:
            out.append(MultiLineString([s]))
        else:
            out.append(g)
    return out


# -- quantisation and entries -------------------------------------------------------------------


def quantised(coords: np.ndarray) -> np.ndarray:
    """Coordinates (degrees) as int64 units of 1/:data:`QUANT` degree (x, y only)."""
    return np.round(np.asarray(coords, dtype=np.float64)[:, :2] * QUANT).astype(np.int64)


def _dedup(q: np.ndarray) -> np.ndarray:
    if len(q) < 2:
        return q
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = np.any(q[1:] != q[:-1], axis=1)
    return q[keep]


def _ring(ring) -> np.ndarray:
    """A ring's quantised vertices without the closing one and without repeats."""
    q = _dedup(quantised(np.asarray(ring.coords)))
    if len(q) > 1 and np.array_equal(q[0], q[-1]):
        q = q[:-1]
    return q


def _line(line) -> np.ndarray:
    q = _dedup(quantised(np.asarray(line.coords)))
    if len(q) == 1:
        q = np.vstack([q, q])  # a line keeps two vertices, even when shorter than the quantum
    return q


def _polygon(poly: Polygon, original: Polygon | None, struct: list, parts: list) -> None:
    """Rings of one polygon; a ring simplified below 3 distinct vertices is taken from ``original``."""
    rings = [poly.exterior, *poly.interiors]
    struct.append(len(rings))
    fallback = None
    for j, r in enumerate(rings):
        q = _ring(r)
        if len(q) < 3 and original is not None:
            if fallback is None:
                o = shapely.orient_polygons(original, exterior_cw=False)
                fallback = [o.exterior, *o.interiors]
            if len(fallback) == len(rings):
                q0 = _ring(fallback[j])
                q = q0 if len(q0) > len(q) else q
        if 0 < len(q) < 3:  # smaller than the quantum: kept (never dropped) as a ring of repeated vertices
            q = np.vstack([q, np.repeat(q[-1:], 3 - len(q), axis=0)])
        struct.append(len(q))
        parts.append(q)


def _entry(g: BaseGeometry | None, original: BaseGeometry | None) -> Entry:
    """(type code and counts, quantised vertices) of one display geometry."""
    struct: list[int] = []
    parts: list[np.ndarray] = []
    if g is None or g.is_empty:
        return EMPTY
    kind = g.geom_type
    if kind not in TYPE_CODES:  # a collection: drawn as the point it stands for (never dropped)
        g, original, kind = g.representative_point(), None, "Point"
    struct.append(TYPE_CODES[kind])
    if kind == "Point":
        parts.append(quantised(np.asarray(g.coords)))
    elif kind == "MultiPoint":
        q = quantised(shapely.get_coordinates(g))
        struct.append(len(q))
        parts.append(q)
    elif kind == "LineString":
        q = _line(g)
        struct.append(len(q))
        parts.append(q)
    elif kind == "MultiLineString":
        struct.append(len(g.geoms))
        for part in g.geoms:
            q = _line(part)
            struct.append(len(q))
            parts.append(q)
    elif kind == "Polygon":
        _polygon(g, original, struct, parts)
    else:  # MultiPolygon
        struct.append(len(g.geoms))
        originals = list(original.geoms) if original is not None and original.geom_type == "MultiPolygon" \
            and len(original.geoms) == len(g.geoms) else [None] * len(g.geoms)
        for poly, orig in zip(g.geoms, originals):
            _polygon(poly, orig, struct, parts)
    return np.array(struct, dtype=np.int32), np.vstack(parts).astype(np.int32)


def entries(geoms: Sequence[BaseGeometry | None], tolerance: float) -> list[Entry]:
    """Display entries of ``geoms`` (already in the display frame): simplified, oriented, quantised."""
    geoms = list(geoms)
    shaped = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty
              and g.geom_type in ("LineString", "MultiLineString", "Polygon", "MultiPolygon")]
    simple = simplified([geoms[i] for i in shaped], tolerance)
    if simple:
        arr = np.empty(len(simple), dtype=object)
        arr[:] = simple
        simple = list(shapely.orient_polygons(arr, exterior_cw=False))
    display = list(geoms)
    for i, g in zip(shaped, simple):
        display[i] = g
    return [_entry(g, orig) for g, orig in zip(display, geoms)]


# -- what the store keeps ---------------------------------------------------------------------------


def entry_blob(entry: Entry) -> bytes:
    """One entry as bytes: int32 little-endian ``[len(struct), *struct, *coords]``."""
    struct, coords = entry
    return np.concatenate([np.array([len(struct)], dtype="<i4"), struct.astype("<i4"),
                           coords.astype("<i4").ravel()]).tobytes()


def blob_entry(blob: bytes) -> Entry:
    """The entry :func:`entry_blob` wrote."""
    a = np.frombuffer(blob, dtype="<i4")
    ns = int(a[0])
    return a[1:1 + ns].astype(np.int32), a[1 + ns:].astype(np.int32).reshape(-1, 2)


def _same(a: Entry, b: Entry) -> bool:
    return np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def display_blobs(geoms: Sequence[BaseGeometry | None]) -> list[tuple[bytes, bytes | None]]:
    """(overview, detail) blobs of WGS84 geometries, as the store keeps them; detail None when equal."""
    detail = entries(geoms, DETAIL_TOLERANCE)
    overview = entries(geoms, OVERVIEW_TOLERANCE)
    return [(entry_blob(o), None if _same(o, d) else entry_blob(d)) for o, d in zip(overview, detail)]
