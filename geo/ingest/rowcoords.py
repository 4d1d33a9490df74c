"""Where a row is: its geometry from the file or its coordinate columns, in WGS84, inside Fuqing (pure).

The geometry comes from the file (GIS formats), a WKT column, or the
coordinate columns (lon/lat, one "lon, lat" column, Gauss-Krüger X/Y), in
the chosen system; swapped axes are put right with a warning; then type and
validity (:func:`geo.domain.attributes.check_geometry`), inside Fuqing (with
a margin: outside is refused; outside the county line by more than 1 km is
a warning) and, once official town boundaries are loaded, inside the
recorded town's boundary (a warning). A table row (xlsx/CSV) for a line or
polygon kind cannot carry the shape: it updates an existing site whose shape
its point lies on (this app's export writes such points) and keeps the
shape; for a new site it is refused (``geometry.needs_shape``).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Mapping

import numpy as np
import shapely
from shapely.geometry import MultiLineString, MultiPolygon, Point
from shapely.geometry.base import BaseGeometry

from geo import basegeo
from geo import towns as town_list
from geo.crs import geodesic_distance_m
from geo.domain.attributes import check_geometry
from geo.errors import ValidationError
from geo.ingest import coords as C
from geo.ingest import values as V
from geo.ingest.collect import RowProblems, cell
from geo.ingest.columns import ColumnMapping
from geo.ingest.problems import short
from geo.ingest.table import RawRow, RawTable
from geo.store.base import Site
from layers.spec import LayerSpec

__all__ = ["COUNTY_MARGIN_M", "FUQING_MARGIN_DEG", "ON_SHAPE_M", "SAME_GEOMETRY_DEG", "boundary_check",
           "canonical_geometry", "check_place", "file_geometry", "row_geometry", "row_point", "same_geometry"]

#: Points further than this outside Fuqing's bounding box are refused (about 3 km).
FUQING_MARGIN_DEG = 0.03
#: Points inside the box but this far outside the county line get a warning.
COUNTY_MARGIN_M = 1000.0
#: A table point this close to an existing line/polygon stands for it (exports write points on the shape).
ON_SHAPE_M = 1.0
#: Geometries equal within this many degrees (~1 cm) are the same (exports round to 7 decimals).
SAME_GEOMETRY_DEG = 1e-7


def canonical_geometry(spec: LayerSpec, geom: BaseGeometry) -> BaseGeometry:
    """The form the store keeps: multi for polygon/line kinds, single parts otherwise; no Z."""
    if geom is None:
        return geom
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    gt = geom.geom_type
    if spec.geometry == "point" and gt == "MultiPoint" and len(geom.geoms) == 1:
        return geom.geoms[0]
    if spec.geometry == "polygon" and gt == "Polygon":
        return MultiPolygon([geom])
    if spec.geometry == "line" and gt == "LineString":
        return MultiLineString([geom])
    if spec.geometry == "line_or_polygon" and gt in ("MultiPolygon", "MultiLineString") and len(geom.geoms) == 1:
        return geom.geoms[0]
    return geom


def same_geometry(a: BaseGeometry | None, b: BaseGeometry | None) -> bool:
    """Equal within :data:`SAME_GEOMETRY_DEG` (and of the same type)."""
    if a is None or b is None:
        return a is b
    if a.geom_type != b.geom_type:
        return False
    try:
        return bool(a.equals_exact(b, SAME_GEOMETRY_DEG))
    except shapely.errors.GEOSException:
        return False


def _gk_point(raw: RawRow, mapping: ColumnMapping, crs: C.CrsChoice, rp: RowProblems,
              cols: dict) -> Point | None:
    (lon_h, lon_v), (lat_h, lat_v), (x_h, x_v), (y_h, y_v), (pair_h, pair_v) = (
        cols["lon"], cols["lat"], cols["x"], cols["y"], cols["coords"])
    a_h, a_v, b_h, b_v = (x_h, x_v, y_h, y_v) if (x_h or y_h) else (lat_h, lat_v, lon_h, lon_v)
    if V.is_blank(a_v) and V.is_blank(b_v) and pair_h and not V.is_blank(pair_v):
        parts = re.split(r"\s*[,;，；/|]\s*|\s+", C.normalise_number_text(pair_v))
        if len(parts) == 2:
            a_v, b_v, a_h, b_h = parts[0], parts[1], pair_h, pair_h
    if V.is_blank(a_v) or V.is_blank(b_v):
        if not (V.is_blank(a_v) and V.is_blank(b_v)):
            rp.add("coord.missing|xy", (a_h if V.is_blank(a_v) else b_h) or "")
        return None
    try:
        north = C.parse_metres(a_v, "north")
        east = C.parse_metres(b_v, "east")
    except ValidationError as exc:
        rp.error(exc, a_h or "")
        return None
    if max(abs(north), abs(east)) < 1000:
        rp.add("coord.looks_geographic", a_h or "", value=f"{short(a_v)}, {short(b_v)}")
        return None
    north, east, swapped = C.order_gk(north, east)
    if swapped:
        rp.add("coord.swapped|xy", f"{a_h}/{b_h}", value=f"{short(a_v)}, {short(b_v)}", severity="warning")
    try:
        lon, lat = C.gk_to_wgs84(north, east, crs)
    except ValidationError as exc:
        rp.error(exc, b_h or "")
        return None
    return Point(lon, lat)


def row_point(raw: RawRow, mapping: ColumnMapping, crs: C.CrsChoice, rp: RowProblems) -> tuple[Point | None, bool]:
    """The WGS84 point given by the row's coordinate columns; (None, False) if it has none.

    The second value is True when the row *has* coordinate columns (so a
    blank there is a problem for a new site).
    """
    cols = {t: cell(raw, mapping, t) for t in ("lon", "lat", "x", "y", "coords")}
    if not any(h is not None for h, _ in cols.values()):
        return None, False
    if crs.is_gk:
        return _gk_point(raw, mapping, crs, rp, cols), True
    (lon_h, lon_v), (lat_h, lat_v), (x_h, x_v), (y_h, y_v), (pair_h, pair_v) = (
        cols["lon"], cols["lat"], cols["x"], cols["y"], cols["coords"])
    if lon_h or lat_h:
        a_h, a_v, b_h, b_v = lon_h, lon_v, lat_h, lat_v
    elif x_h or y_h:
        a_h, a_v, b_h, b_v = x_h, x_v, y_h, y_v
    else:
        a_h = b_h = pair_h
        a_v = b_v = None
    try:
        if a_v is None and b_v is None and pair_h and not V.is_blank(pair_v):
            a, b = C.parse_pair(pair_v)
        elif V.is_blank(a_v) and V.is_blank(b_v):
            if not (pair_h and not V.is_blank(pair_v)):
                return None, True
            a, b = C.parse_pair(pair_v)
            a_h = b_h = pair_h
        elif V.is_blank(a_v) or V.is_blank(b_v):
            rp.add("coord.missing|lonlat", (a_h if V.is_blank(a_v) else b_h) or "")
            return None, True
        else:
            a = C.parse_angle(a_v, "lon")
            try:
                b = C.parse_angle(b_v, "lat")
            except ValidationError as exc:
                rp.error(exc, b_h or "")
                return None, True
    except ValidationError as exc:
        rp.error(exc, a_h or "")
        return None, True
    if max(abs(a[0]), abs(b[0])) > 1000:
        rp.add("coord.looks_projected", a_h or "", value=f"{short(a_v or pair_v)}, {short(b_v or '')}")
        return None, True
    lon, lat, swapped = C.order_lonlat(a, b)
    if swapped:
        rp.add("coord.swapped|lonlat", f"{a_h}/{b_h}" if a_h != b_h else (a_h or ""), value=f"{a[0]}, {b[0]}",
               severity="warning")
    if abs(lon) > 180 or abs(lat) > 90:
        rp.add("coord.out_of_range", a_h or "", value=f"{lon}, {lat}")
        return None, True
    try:
        lon, lat = C.point_to_wgs84(lon, lat, crs)
    except ValidationError as exc:
        rp.error(exc, a_h or "")
        return None, True
    return Point(lon, lat), True


def file_geometry(raw: RawRow, crs: C.CrsChoice, rp: RowProblems) -> BaseGeometry | None:
    """The row's geometry from a GIS file, in WGS84 (None after adding a problem, or when it has none)."""
    geom = raw.geometry
    if raw.geometry_error:
        rp.add("geometry.unreadable", "geometry", detail=raw.geometry_error)
        return None
    if geom is None or geom.is_empty:
        return None
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        rp.add("geometry.not_finite", "geometry")
        return None
    if crs.is_gk:
        if np.abs(xy).max() < 1000:
            rp.add("coord.looks_geographic|geometry", "geometry")
            return None
        if C._looks_easting(float(xy[0, 1])) and C._looks_northing(float(xy[0, 0])):
            geom = shapely.transform(geom, lambda a: a[:, ::-1])
            xy = shapely.get_coordinates(geom)
            rp.add("coord.swapped|gk_geometry", "geometry", severity="warning")
        try:
            fn = C.coords_transformer(crs, xy[:, 0])
        except ValidationError as exc:
            rp.error(exc, "geometry")
            return None
        return shapely.transform(geom, fn)
    if np.abs(xy).max() > 1000:
        rp.add("coord.looks_projected|geometry", "geometry")
        return None
    minx, miny, maxx, maxy = geom.bounds
    if C.looks_swapped_lonlat(minx, miny) and C.looks_swapped_lonlat(maxx, maxy):
        geom = shapely.transform(geom, lambda a: a[:, ::-1])
        rp.add("coord.swapped|geometry", "geometry", severity="warning")
    fn = C.coords_transformer(crs, xy[:, 0])
    return shapely.transform(geom, fn)


@lru_cache(maxsize=1)
def _county_with_margin() -> BaseGeometry:
    """The county grown by about :data:`COUNTY_MARGIN_M` (in degrees: 1 km is ~0.009° of latitude here)."""
    g = basegeo.county_boundary().buffer(COUNTY_MARGIN_M / 111_000.0)
    shapely.prepare(g)
    return g


def check_place(geom: BaseGeometry, rp: RowProblems, column: str) -> bool:
    """Inside Fuqing (error if not, with margin); outside the county line by > 1 km is a warning."""
    minx, miny, maxx, maxy = geom.bounds
    bx0, by0, bx1, by1 = basegeo.FUQING_BOUNDS
    m = FUQING_MARGIN_DEG
    if minx < bx0 - m or maxx > bx1 + m or miny < by0 - m or maxy > by1 + m:
        p = geom.representative_point()
        rp.add("coord.outside_fuqing", column, value=f"{p.x:.6f}, {p.y:.6f}")
        return False
    p = geom if geom.geom_type == "Point" else geom.representative_point()
    if not shapely.intersects_xy(_county_with_margin(), p.x, p.y):
        # Approximate (degrees to metres at Fuqing's latitude): the message says "about".
        d = basegeo.county_boundary().distance(p) * 111_000.0 * math.cos(math.radians(p.y)) ** 0.5
        if d > COUNTY_MARGIN_M * 0.9:
            rp.add("coord.outside_county", column, value=f"{p.x:.6f}, {p.y:.6f}", km=f"{d / 1000:.1f}",
                   severity="warning")
    return True


def _empty_feature(rp: RowProblems, column: str = "geometry") -> None:
    rp.add("geometry.empty", column)


def row_geometry(raw: RawRow, rp: RowProblems, spec: LayerSpec, table: RawTable, mapping: ColumnMapping,
                 crs: C.CrsChoice, before: Site | None) -> BaseGeometry | None:
    """The row's geometry in the form the store keeps, checked; None after adding its problem (or for none)."""
    column = "geometry"
    mark = rp.mark()
    if table.has_geometry and (raw.geometry is not None or raw.geometry_error):
        geom = file_geometry(raw, crs, rp)
        if geom is None:
            if not rp.failed_since(mark):
                _empty_feature(rp)
            return None
    else:
        wh, wv = cell(raw, mapping, "wkt")
        if wh and not V.is_blank(wv):
            column = wh
            try:
                parsed = shapely.from_wkt(str(wv).strip())
            except shapely.errors.GEOSException as exc:
                rp.add("geometry.unreadable|wkt", wh, detail=short(exc, 80), value=wv)
                return None
            fake = RawRow(row=raw.row, values={}, geometry=parsed, layer=raw.layer)
            geom = file_geometry(fake, crs, rp)
            if geom is None:
                if not rp.failed_since(mark):
                    rp.add("geometry.empty|wkt", wh)
                return None
        else:
            geom = _table_point(raw, rp, spec, table, mapping, crs, before, mark)
            if geom is None or geom is (before.geometry if before is not None else None):
                return geom
            column = mapping.column("lon") or mapping.column("x") or mapping.column("coords") or ""
    geom = canonical_geometry(spec, geom)
    try:
        check_geometry(spec, geom)
    except ValidationError as exc:
        rp.error(exc, column, kind_zh=spec.zh, kind_en=spec.en, types="/".join(spec.geometry_types()))
        return None
    if not check_place(geom, rp, column):
        return None
    return geom


def _table_point(raw: RawRow, rp: RowProblems, spec: LayerSpec, table: RawTable, mapping: ColumnMapping,
                 crs: C.CrsChoice, before: Site | None, mark: int) -> BaseGeometry | None:
    """The point of a table row; for a line/polygon kind the stored shape it stands for (or a problem)."""
    point, has_cols = row_point(raw, mapping, crs, rp)
    if rp.failed_since(mark):
        return None
    column = mapping.column("lon") or mapping.column("x") or mapping.column("coords") or ""
    if point is None:
        if table.has_geometry:
            _empty_feature(rp)
        elif before is None:
            if has_cols:
                rp.add("geometry.empty|row", column)
            else:
                rp.add("geometry.missing", "")
        return None
    if spec.geometry == "point":
        return point
    if not check_place(point, rp, column):
        return None
    if before is not None and geodesic_distance_m(point, before.geometry) <= ON_SHAPE_M:
        return before.geometry  # the row's point stands for the stored shape: keep it
    tail = before is not None
    rp.add("geometry.needs_shape", column, value=f"{point.x:.6f}, {point.y:.6f}", kind_zh=spec.zh, kind_en=spec.en,
           tail_zh="（该点也不在已有点位的几何上）" if tail else "",
           tail_en=" (and the point is not on the stored shape)" if tail else "")
    return None


def boundary_check(rp: RowProblems, geom: BaseGeometry, town_code: str, boundaries: Mapping[str, BaseGeometry],
                   column: str) -> None:
    """A warning when the position lies inside another town's official boundary."""
    p = geom if geom.geom_type == "Point" else geom.representative_point()
    inside = [code for code, g in boundaries.items() if g.intersects(p)]
    if inside and town_code not in inside:
        rp.add("town.boundary_mismatch", column, value=town_list.town_by_code(town_code).name_zh,
               found=town_list.town_by_code(inside[0]).name_zh, severity="warning")
