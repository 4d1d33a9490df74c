"""Checks of the file as a whole, after its columns are mapped (pure).

Columns mapped twice, a coordinate system the file contradicts (in a
header, a ``.prj``, a GeoPackage), no coordinate columns, rows marked as
this app's sample data, columns nothing maps to. An error here keeps every
row out of the import.
"""

from __future__ import annotations

from geo.ingest import coords as C
from geo.ingest import values as V
from geo.ingest.collect import file_problem
from geo.ingest.columns import TOWN_KIND, ColumnMapping, header_key
from geo.ingest.problems import Problem
from geo.ingest.table import RawTable
from layers.reference import REFERENCE_AREAS

__all__ = ["file_checks"]

_SAMPLE_HEADERS = ("数据性质", "data_note", "datanote", "sample", "示例数据标记")


def file_checks(table: RawTable, mapping: ColumnMapping, crs: C.CrsChoice, kind: str) -> list[Problem]:
    """File-level problems of ``table`` read with ``mapping`` as ``kind`` in ``crs``."""
    out: list[Problem] = []
    for target, headers in mapping.duplicates().items():
        if target in ("town", "town_code", "status", "status_code", "kind_label"):
            continue  # several candidate columns: the first non-blank value counts, conflicts are per row
        out.append(file_problem("column.duplicate", column="、".join(headers), target=target,
                                headers_zh="、".join(headers), headers_en=", ".join(headers)))
    for h, implied in mapping.implied_crs.items():
        ok = (implied == "wgs84" and crs.system in ("wgs84", "cgcs2000")) or implied == crs.system
        if not ok:
            out.append(file_problem("crs.header_conflict", column=h, crs_zh=crs.label("zh"), crs_en=crs.label("en")))
    if table.declared_crs:
        out += _declared_crs_checks(table, crs)
    if kind != TOWN_KIND and kind not in REFERENCE_AREAS and not table.has_geometry:
        coord_targets = {"lon", "lat", "x", "y", "coords", "wkt"}
        if not any(t in coord_targets for t in mapping.targets.values()):
            out.append(file_problem("column.no_coordinates", severity="warning"))
    sample_cols = [h for h in table.headers if header_key(h) in _SAMPLE_HEADERS]
    if sample_cols and any(V.match_key(r.values.get(h)) in ("示例数据", "1", "true", "sample")
                           for r in table.rows[:2000] for h in sample_cols if r.values.get(h) is not None):
        out.append(file_problem("source.sample_data", severity="warning", column="、".join(sample_cols)))
    unmapped = mapping.unmapped()
    if unmapped:
        out.append(file_problem("column.unmapped", severity="warning", column="、".join(unmapped),
                                headers_zh="、".join(unmapped), headers_en=", ".join(unmapped)))
    return out


def _declared_crs_checks(table: RawTable, crs: C.CrsChoice) -> list[Problem]:
    try:
        from pyproj import CRS

        declared = CRS.from_user_input(table.declared_crs)
    except Exception:  # noqa: BLE001 - an unreadable declaration is not ours to judge
        return []
    name = declared.name
    epsg = declared.to_epsg(min_confidence=70)
    if declared.is_geographic:
        if crs.is_gk:
            return [file_problem("crs.conflict|geographic", declared=name)]
        if crs.system in ("gcj02", "bd09") and table.format not in ("kml", "kmz"):
            return [file_problem("crs.declared_differs", severity="warning", declared=name, crs_zh=crs.label("zh"),
                                 crs_en=crs.label("en"))]
        return []
    if epsg is not None and 4513 <= epsg <= 4554:
        zone = epsg - 4513 + 25 if epsg <= 4533 else (75 + 3 * (epsg - 4534)) // 3
        if not crs.is_gk or crs.zone != zone:
            return [file_problem("crs.conflict|zone", declared=name, zone=zone, crs_zh=crs.label("zh"),
                                 crs_en=crs.label("en"))]
        return []
    return [file_problem("crs.unsupported_declared", declared=name)]
