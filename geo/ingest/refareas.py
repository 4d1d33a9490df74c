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
from geo.ingest.columns import ColumnMapping
from geo.ingest.problems import short
from geo.ingest.readers import RawRow, RawTable
from layers.reference import REFERENCE_AREAS

__all__ = ["AreaCandidate", "reference_rows", "REFERENCE_TARGETS", "REFERENCE_NAME_ALIASES"]

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


def reference_rows(plan, table: RawTable, mapping: ColumnMapping, crs: C.CrsChoice) -> None:
    """Check every feature of ``table`` as a part of the reference area ``plan.kind``; fill ``plan.areas``."""
    from geo.ingest.validate import _cell, _check_place, _file_geometry, _RowProblems

    label = REFERENCE_AREAS[plan.kind]
    for raw in table.rows:
        rp = _RowProblems(raw)
        h, v = _cell(raw, mapping, "name")
        name = label.zh if h is None or V.is_blank(v) else short(str(v).strip(), 60)
        geom = _geometry(raw, rp, mapping, crs, _file_geometry)
        g = None
        if geom is not None:
            if geom.geom_type == "Polygon":
                geom = MultiPolygon([geom])
            if geom.geom_type != "MultiPolygon":
                rp.add("geometry.wrong_type", "geometry", zh=f"{label.zh}需要面几何，收到 {geom.geom_type}。",
                       en=f"{label.en} needs polygons, got {geom.geom_type}.", fix_zh="导入面图层（多边形）。",
                       fix_en="Import a polygon layer.")
            elif not geom.is_valid:
                from shapely.validation import explain_validity

                rp.add("geometry.invalid", "geometry", zh=f"范围几何无效（{explain_validity(geom)}）。",
                       en=f"Invalid polygon ({explain_validity(geom)}).", fix_zh="在 QGIS 中用“修复几何”修正后重新导入。",
                       fix_en="Repair it in QGIS (Fix geometries) and import again.")
            elif _check_place(geom, rp, "geometry"):
                g = geom
        plan.problems += rp.items
        if not rp.failed and g is not None:
            plan.areas.append(AreaCandidate(raw.row, name, g, raw.layer))


def _geometry(raw: RawRow, rp, mapping: ColumnMapping, crs: C.CrsChoice, file_geometry) -> BaseGeometry | None:
    """The feature's polygon from the file's geometry or a WKT column, in WGS84 (None after a problem)."""
    from geo.ingest.validate import _cell

    mark = rp.mark()
    if raw.geometry is not None or raw.geometry_error:
        geom = file_geometry(raw, "polygon", crs, rp)
        if geom is None and not rp.failed_since(mark):
            rp.add("geometry.empty", "geometry", zh="此要素的几何为空。", en="The feature's geometry is empty.",
                   fix_zh="在 GIS 软件中为该要素绘制范围面，或删除该要素。", fix_en="Draw the polygon in a GIS, or delete the feature.")
        return geom
    wh, wv = _cell(raw, mapping, "wkt")
    if wh and not V.is_blank(wv):
        try:
            parsed = shapely.from_wkt(str(wv).strip())
        except shapely.errors.GEOSException as exc:
            rp.add("geometry.unreadable", wh, zh=f"WKT 无法读取：{short(exc, 80)}。",
                   en=f"The WKT cannot be read: {short(exc, 80)}.", fix_zh="检查 WKT 文本（如 POLYGON((经度 纬度, …))）。",
                   fix_en="Check the WKT text.", value=wv)
            return None
        geom = file_geometry(RawRow(row=raw.row, values={}, geometry=parsed, layer=raw.layer), "polygon", crs, rp)
        if geom is None and not rp.failed_since(mark):
            rp.add("geometry.empty", wh, zh="WKT 为空几何。", en="The WKT is an empty geometry.",
                   fix_zh="填写有坐标的 WKT。", fix_en="Give a WKT with coordinates.")
        return geom
    rp.add("geometry.empty", "geometry", zh="此要素没有几何：参考范围需要面。",
           en="The feature has no geometry: a reference area needs polygons.",
           fix_zh="用 Shapefile、GeoPackage、GeoJSON 或 KML 导入范围面，或在表格中加一列 WKT。",
           fix_en="Import the polygons from a Shapefile, GeoPackage, GeoJSON or KML, or add a WKT column.")
    return None
