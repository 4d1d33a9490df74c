"""Official reference areas from a file: each feature a name and a polygon, checked (pure).

The reference-area kinds (``layers.reference``: 城市建成区, 城市近郊, 供热管网覆盖范围) are
imported the way official town boundaries are: any format the readers take (Shapefile ZIP,
GeoPackage, GeoJSON, KML/KMZ, or a table with a WKT column), the coordinate system chosen by
the user, every feature checked — a polygon, valid, inside Fuqing — with the row, the column
and the fix named. The whole file is the new official version of that kind.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from geo.ingest import coords as C
from geo.ingest import values as V
from geo.ingest.collect import RowProblems, cell
from geo.ingest.columns import ColumnMapping
from geo.ingest.problems import Problem, short
from geo.ingest.rowcoords import check_place, file_geometry
from geo.ingest.table import RawRow, RawTable
from layers.reference import REFERENCE_AREAS

__all__ = ["AreaCandidate", "area_candidates", "REFERENCE_TARGETS", "REFERENCE_NAME_ALIASES"]

#: Columns a reference-area file can map to.
REFERENCE_TARGETS = ("name", "wkt")
#: Headers that name a feature of a reference-area file (besides the common 名称/name).
REFERENCE_NAME_ALIASES = ("范围名称", "区域名称", "片区名称", "mc", "qymc", "名称", "name")


@dataclass
class AreaCandidate:
    """One accepted feature of a reference area (WGS84 MultiPolygon)."""

    row: int
    name: str
    geometry: BaseGeometry
    layer: str = ""


def area_candidates(kind: str, table: RawTable, mapping: ColumnMapping,
                    crs: C.CrsChoice) -> tuple[list[AreaCandidate], list[Problem]]:
    """Check every feature of ``table`` as a part of the reference area ``kind``.

    Returns
    -------
    (list of AreaCandidate, list of Problem)
        The accepted features and every problem, in row order.
    """
    label = REFERENCE_AREAS[kind]
    areas: list[AreaCandidate] = []
    problems: list[Problem] = []
    for raw in table.rows:
        rp = RowProblems(raw)
        h, v = cell(raw, mapping, "name")
        name = label.zh if h is None or V.is_blank(v) else short(str(v).strip(), 60)
        geom = _geometry(raw, rp, mapping, crs)
        g = None
        if geom is not None:
            if geom.geom_type == "Polygon":
                geom = MultiPolygon([geom])
            if geom.geom_type != "MultiPolygon":
                rp.add("geometry.wrong_type|area", "geometry", value=geom.geom_type, kind_zh=label.zh,
                       kind_en=label.en)
            elif not geom.is_valid:
                from shapely.validation import explain_validity

                rp.add("geometry.invalid|area", "geometry", detail=explain_validity(geom))
            elif check_place(geom, rp, "geometry"):
                g = geom
        problems += rp.items
        if not rp.failed and g is not None:
            areas.append(AreaCandidate(raw.row, name, g, raw.layer))
    return areas, problems


def _geometry(raw: RawRow, rp: RowProblems, mapping: ColumnMapping, crs: C.CrsChoice) -> BaseGeometry | None:
    """The feature's polygon from the file's geometry or a WKT column, in WGS84 (None after a problem)."""
    mark = rp.mark()
    if raw.geometry is not None or raw.geometry_error:
        geom = file_geometry(raw, crs, rp)
        if geom is None and not rp.failed_since(mark):
            rp.add("geometry.empty|area", "geometry")
        return geom
    wh, wv = cell(raw, mapping, "wkt")
    if wh and not V.is_blank(wv):
        try:
            parsed = shapely.from_wkt(str(wv).strip())
        except shapely.errors.GEOSException as exc:
            rp.add("geometry.unreadable|wkt", wh, detail=short(exc, 80), value=wv)
            return None
        geom = file_geometry(RawRow(row=raw.row, values={}, geometry=parsed, layer=raw.layer), crs, rp)
        if geom is None and not rp.failed_since(mark):
            rp.add("geometry.empty|wkt", wh)
        return geom
    rp.add("geometry.empty|no_area", "geometry")
    return None
