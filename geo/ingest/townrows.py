"""Rows of an official town-boundary file: one polygon per town of the official list (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from geo import towns as town_list
from geo.errors import NotFoundError
from geo.ingest import coords as C
from geo.ingest import values as V
from geo.ingest.collect import RowProblems, cell
from geo.ingest.columns import ColumnMapping
from geo.ingest.problems import Problem, short
from geo.ingest.rowcoords import check_place, file_geometry
from geo.ingest.table import RawRow, RawTable

__all__ = ["TownCandidate", "town_candidates"]


@dataclass
class TownCandidate:
    """One accepted official town boundary (WGS84 MultiPolygon)."""

    row: int
    town_code: str
    name_zh: str
    geometry: BaseGeometry
    layer: str = ""


def _town_code(raw: RawRow, rp: RowProblems, mapping: ColumnMapping) -> str | None:
    for target in ("town", "town_code", "name"):
        h, v = cell(raw, mapping, target)
        if h and not V.is_blank(v):
            text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
            try:
                return town_list.resolve_town(text).code
            except NotFoundError as exc:
                hint = exc.context.get("suggestions") or []
                rp.add("town.unknown", h, value=short(v),
                       hint_zh=("改为规范名称，如 " + "、".join(hint)) if hint else "改为规范的镇街名称或统计用区划代码。",
                       hint_en="Use the official name or the statistics code.")
                return None
    if not rp.failed:
        rp.add("field.required|town_boundary", "")
    return None


def _boundary(raw: RawRow, rp: RowProblems, crs: C.CrsChoice) -> BaseGeometry | None:
    if raw.geometry is None and not raw.geometry_error:
        rp.add("geometry.empty|town", "geometry")
        return None
    g = file_geometry(raw, crs, rp)
    if g is None:
        return None
    if g.geom_type == "Polygon":
        g = MultiPolygon([g])
    if g.geom_type != "MultiPolygon":
        rp.add("geometry.wrong_type|town", "geometry", value=g.geom_type)
    elif not g.is_valid:
        from shapely.validation import explain_validity

        rp.add("geometry.invalid|town", "geometry", detail=explain_validity(g))
    elif check_place(g, rp, "geometry"):
        return g
    return None


def town_candidates(table: RawTable, mapping: ColumnMapping, crs: C.CrsChoice) -> tuple[list[TownCandidate], list[Problem]]:
    """Check every feature as a town boundary; return (accepted towns, problems) in row order."""
    seen: dict[str, list[int]] = {}
    rows: list[tuple[RawRow, RowProblems, str | None, BaseGeometry | None]] = []
    for raw in table.rows:
        rp = RowProblems(raw)
        code = _town_code(raw, rp, mapping)
        geom = _boundary(raw, rp, crs)
        if code is not None:
            seen.setdefault(code, []).append(raw.row)
        rows.append((raw, rp, code, geom))
    towns: list[TownCandidate] = []
    problems: list[Problem] = []
    for raw, rp, code, geom in rows:
        if code is not None and len(seen[code]) > 1:
            town = town_list.town_by_code(code)
            rp.add("town.duplicate_in_file", "", town_zh=town.name_zh, town_en=town.name_en,
                   others="、".join(str(r) for r in seen[code] if r != raw.row))
        problems += rp.items
        if not rp.failed and code is not None and geom is not None:
            towns.append(TownCandidate(raw.row, code, town_list.town_by_code(code).name_zh, geom, raw.layer))
    return towns, problems
