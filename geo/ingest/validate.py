"""From a :class:`RawTable` to candidate sites and problems, checked against the layer spec (pure).

:func:`build_plan` turns each row into a :class:`~geo.store.base.NewSite`
(WGS84, codes not labels) or into problems, and compares it with the site of
the same id already in the store: a new id is a *create*, a known id an
*update* (shown as before → after) or *unchanged*. Nothing is written here.

Rules, in the order a row is checked:

1. a 点位类型 column naming another kind refuses the row (``row.other_kind``);
2. the id (编号) — blank ids get the next free ``<prefix>-NNN`` with a
   warning; another kind's prefix or an id the store holds for another kind is
   refused; an id twice in the file is refused on every row that has it;
3. name, town (normalised and checked against the official list; a town
   name and a town code that disagree are refused), status (labels and usual
   synonyms; blank means the kind's first status for a new site, unchanged
   for an update), responsible body, deadline, every field of the spec
   (required, type, choices);
4. the geometry: from the file (GIS formats) or the coordinate columns
   (lon/lat, one "lon, lat" column, Gauss-Krüger X/Y, or WKT), in the chosen
   system, swapped axes put right with a warning, then type and validity
   (:func:`geo.domain.attributes.check_geometry`), inside Fuqing (with a margin:
   outside is refused; outside the county line by more than 1 km is a
   warning) and, once official town boundaries are loaded, inside the
   recorded town's boundary (a warning);
5. for an update, what would change. A table row (xlsx/CSV) for a line or
   polygon kind cannot carry the shape: it updates an existing site whose
   shape its point lies on (this app's export writes such points) and keeps
   the shape; for a new site it is refused (``geometry.needs_shape``).

A file-level error (unreadable file, columns mapped twice, a coordinate
system the file contradicts) keeps every row out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np
import shapely
from shapely.geometry import MultiLineString, MultiPolygon, Point
from shapely.geometry.base import BaseGeometry

from geo import basegeo
from geo import towns as town_list
from geo.crs import geodesic_distance_m
from geo.errors import NotFoundError, ValidationError
from geo.ingest import coords as C
from geo.ingest import values as V
from geo.ingest.columns import IGNORE, TOWN_KIND, ColumnMapping, header_key
from geo.ingest.problems import Problem, short
from geo.ingest.readers import RawRow, RawTable
from geo.store.base import NewSite, Site
from geo.domain.attributes import check_geometry
from geo.domain.rules import stale_dependents, state_problems
from layers import REGISTRY, get_spec, spec_for_site_id
from layers.reference import REFERENCE_AREAS
from layers.spec import LayerSpec

__all__ = ["Candidate", "TownCandidate", "ImportPlan", "build_plan", "FUQING_MARGIN_DEG", "COUNTY_MARGIN_M"]

#: Points further than this outside Fuqing's bounding box are refused (about 3 km).
FUQING_MARGIN_DEG = 0.03
#: Points inside the box but this far outside the county line get a warning.
COUNTY_MARGIN_M = 1000.0
#: A table point this close to an existing line/polygon stands for it (exports write points on the shape).
ON_SHAPE_M = 1.0
#: Geometries equal within this many degrees (~1 cm) are the same (exports round to 7 decimals).
SAME_GEOMETRY_DEG = 1e-7
_PLACEHOLDERS = {"-", "—", "--", "——", "/", "／", "无", "暂无", "n/a", "na", "null", "none", "空"}
_ID_OK = re.compile(r"[^\s\x00-\x1f\x7f]{1,64}")
_COMMON_KEYS = ("name", "town_code", "status", "responsible", "deadline")
_SAMPLE_HEADERS = ("数据性质", "data_note", "datanote", "sample", "示例数据标记")


@dataclass
class Candidate:
    """One accepted row: the site to write and what it does to the store.

    Attributes
    ----------
    row : int
        As the user sees it.
    site : NewSite
        Complete (for an update: the file's values over the stored ones).
    action : {"create", "update", "unchanged"}
    before : Site or None
        The stored site (updates and unchanged rows).
    changes : dict
        Field -> (before, after), in display form (labels), for updates.
    generated_id : bool
        The id was made up because the row had none.
    layer : str
    """

    row: int
    site: NewSite
    action: str
    before: Site | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    generated_id: bool = False
    layer: str = ""

    @property
    def expected_version(self) -> int | None:
        return None if self.before is None else self.before.version


@dataclass
class TownCandidate:
    """One accepted official town boundary (WGS84 MultiPolygon)."""

    row: int
    town_code: str
    name_zh: str
    geometry: BaseGeometry
    layer: str = ""


@dataclass
class ImportPlan:
    """Everything the preview shows and the import writes.

    Attributes
    ----------
    kind : str
        Kind key, or :data:`~geo.ingest.columns.TOWN_KIND`.
    source_name : str
    crs : CrsChoice
    table : RawTable or None
        None when the file could not be read at all.
    mapping : ColumnMapping or None
    candidates : list of Candidate
        Rows without errors (sites).
    towns : list of TownCandidate
        Rows without errors (town boundaries).
    problems : list of Problem
        File-level first, then by row.
    rows_read : int
    """

    kind: str
    source_name: str
    crs: C.CrsChoice
    table: RawTable | None
    mapping: ColumnMapping | None
    candidates: list[Candidate] = field(default_factory=list)
    towns: list[TownCandidate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    areas: list = field(default_factory=list)  # reference-area features (geo.ingest.refareas.AreaCandidate)

    # -- summaries -----------------------------------------------------------
    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def file_errors(self) -> list[Problem]:
        return [p for p in self.errors if p.row is None]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def error_rows(self) -> list[tuple[str, int]]:
        return sorted({(p.layer, p.row) for p in self.errors if p.row is not None}, key=lambda k: (k[0], k[1]))

    def of(self, action: str) -> list[Candidate]:
        return [c for c in self.candidates if c.action == action]

    @property
    def writable(self) -> list[Candidate]:
        """Rows that change the store (creates and updates)."""
        return [c for c in self.candidates if c.action in ("create", "update")]

    @property
    def all_accepted(self) -> bool:
        return not self.has_errors

    def expected(self) -> dict[str, int | None]:
        """site id -> the version the preview saw (None: new), for the store's optimistic check."""
        return {c.site.site_id: c.expected_version for c in self.candidates}

    def report(self, *, batch_id: str | None = None, written: bool = False, lang: str = "zh") -> dict[str, Any]:
        """The JSON report: per problem row/column/code/message/fix, and the accepted rows with their ids."""
        unit = self.table.row_unit if self.table else "row"
        return {
            "file": self.source_name,
            "format": self.table.format if self.table else None,
            "kind": self.kind,
            "crs": self.crs.key,
            "encoding": self.table.encoding if self.table else None,
            "sheet_or_layer": self.table.chosen if self.table else [],
            "row_unit": unit,
            "rows_read": self.rows_read,
            "batch_id": batch_id,
            "written": written,
            "counts": {
                "accepted": len(self.candidates) + len(self.towns) + len(self.areas),
                "create": len(self.of("create")), "update": len(self.of("update")),
                "unchanged": len(self.of("unchanged")), "towns": len(self.towns), "areas": len(self.areas),
                "rows_with_errors": len(self.error_rows), "errors": len(self.errors),
                "warnings": len(self.warnings),
            },
            "problems": [
                {"row": p.row, "layer": p.layer or None, "column": p.column, "code": p.code, "severity": p.severity,
                 "message": p.message(lang), "message_zh": p.message_zh, "message_en": p.message_en,
                 "fix": p.fix_text(lang), "fix_zh": p.fix_zh, "fix_en": p.fix_en, "value": p.value}
                for p in self.problems
            ],
            "accepted": [{"row": c.row, "layer": c.layer or None, "site_id": c.site.site_id, "action": c.action,
                          "generated_id": c.generated_id} for c in self.candidates]
            + [{"row": t.row, "layer": t.layer or None, "town_code": t.town_code, "town": t.name_zh,
                "action": "boundary"} for t in self.towns]
            + [{"row": a.row, "layer": a.layer or None, "name": a.name, "action": "reference_area"} for a in self.areas],
        }


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
class _RowProblems:
    """Collects the problems of one row."""

    def __init__(self, raw: RawRow):
        self.raw = raw
        self.items: list[Problem] = []

    def add(self, code: str, column: str, *, zh: str, en: str, fix_zh: str = "", fix_en: str = "",
            value: Any = "", severity: str = "error") -> None:
        self.items.append(Problem(row=self.raw.row, column=column or "", code=code, message_zh=zh, message_en=en,
                                  fix_zh=fix_zh, fix_en=fix_en, severity=severity, value=short(value) if value != "" else "",
                                  layer=self.raw.layer))

    def error(self, exc: ValidationError, column: str, *, severity: str = "error", fix_zh: str = "",
              fix_en: str = "") -> None:
        ctx = exc.context or {}
        self.items.append(Problem(
            row=self.raw.row, column=column or "", code=exc.code, message_zh=exc.zh, message_en=exc.en,
            fix_zh=fix_zh or exc.fix_zh, fix_en=fix_en or exc.fix_en, severity=severity,
            value=short(ctx.get("value")) if ctx.get("value") is not None else "", layer=self.raw.layer))

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.items)

    def mark(self) -> int:
        return len(self.items)

    def failed_since(self, mark: int) -> bool:
        return any(p.is_error for p in self.items[mark:])


def _file_problem(code: str, *, zh: str, en: str, fix_zh: str = "", fix_en: str = "", severity: str = "error",
                  column: str = "", value: str = "") -> Problem:
    return Problem(row=None, column=column, code=code, message_zh=zh, message_en=en, fix_zh=fix_zh, fix_en=fix_en,
                   severity=severity, value=value)


def _cell(raw: RawRow, mapping: ColumnMapping, target: str) -> tuple[str | None, Any]:
    """(header, value) of the first column mapped to ``target`` with a non-blank value (else the first)."""
    cols = mapping.columns_for(target)
    for h in cols:
        v = raw.values.get(h)
        if not V.is_blank(v):
            return h, v
    return (cols[0], raw.values.get(cols[0])) if cols else (None, None)


def _is_placeholder(v: Any) -> bool:
    return isinstance(v, str) and V.match_key(v) in _PLACEHOLDERS


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


def _same_geometry(a: BaseGeometry | None, b: BaseGeometry | None) -> bool:
    if a is None or b is None:
        return a is b
    if a.geom_type != b.geom_type:
        return False
    try:
        return bool(a.equals_exact(b, SAME_GEOMETRY_DEG))
    except shapely.errors.GEOSException:
        return False


def _display(spec: LayerSpec, key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "status":
        try:
            return spec.status(value).zh
        except NotFoundError:
            return value
    if key == "town_code":
        try:
            return town_list.town_by_code(value).name_zh
        except NotFoundError:
            return value
    if key == "geometry":
        return _geom_summary(value)
    if key == "is_sample":
        return "示例数据" if value else "正式数据"
    fld = spec.field(key)
    if fld is not None and fld.type == "choice":
        c = fld.choice(value)
        return c.zh if c else value
    if fld is not None and fld.type == "bool":
        return "是" if value else "否"
    return value


def _geom_summary(g: BaseGeometry) -> str:
    if g.geom_type == "Point":
        return f"{g.x:.6f}, {g.y:.6f}"
    p = g.representative_point()
    return f"{g.geom_type}（{shapely.get_num_coordinates(g)} 个顶点，代表点 {p.x:.6f}, {p.y:.6f}）"


def _kind_of_label(text: Any) -> str | None:
    key = V.match_key(text)
    for spec in REGISTRY.values():
        if key in {V.match_key(n) for n in spec.names()}:
            return spec.key
    return None


# --------------------------------------------------------------------------
# Coordinates of one row
# --------------------------------------------------------------------------
def _row_point(raw: RawRow, mapping: ColumnMapping, crs: C.CrsChoice, rp: _RowProblems) -> tuple[Point | None, bool]:
    """The WGS84 point given by the row's coordinate columns; (None, False) if it has none.

    The second value is True when the row *has* coordinate columns (so a
    blank there is a problem for a new site).
    """
    lon_h, lon_v = _cell(raw, mapping, "lon")
    lat_h, lat_v = _cell(raw, mapping, "lat")
    x_h, x_v = _cell(raw, mapping, "x")
    y_h, y_v = _cell(raw, mapping, "y")
    pair_h, pair_v = _cell(raw, mapping, "coords")
    has_cols = any(h is not None for h in (lon_h, lat_h, x_h, y_h, pair_h))
    if not has_cols:
        return None, False
    # Which two values, from which columns.
    if crs.is_gk:
        a_h, a_v, b_h, b_v = (x_h, x_v, y_h, y_v) if (x_h or y_h) else (lat_h, lat_v, lon_h, lon_v)
        if V.is_blank(a_v) and V.is_blank(b_v) and pair_h and not V.is_blank(pair_v):
            parts = re.split(r"\s*[,;，；/|]\s*|\s+", C.normalise_number_text(pair_v))
            if len(parts) == 2:
                a_v, b_v, a_h, b_h = parts[0], parts[1], pair_h, pair_h
        if V.is_blank(a_v) or V.is_blank(b_v):
            if not (V.is_blank(a_v) and V.is_blank(b_v)):
                col = a_h if V.is_blank(a_v) else b_h
                rp.add("coord.missing", col or "", zh="X/Y 坐标只填了一个。", en="Only one of X/Y is filled in.",
                       fix_zh="同时填写 X（北坐标）和 Y（东坐标）。", fix_en="Fill in both X (northing) and Y (easting).")
            return None, True
        try:
            north = C.parse_metres(a_v, "north")
            east = C.parse_metres(b_v, "east")
        except ValidationError as exc:
            rp.error(exc, a_h or "")
            return None, True
        if max(abs(north), abs(east)) < 1000:
            rp.add("coord.looks_geographic", a_h or "", zh=f"坐标 {a_v}, {b_v} 像经纬度（度），但所选坐标系为高斯-克吕格（米）。",
                   en=f"Coordinates {a_v}, {b_v} look like degrees, but a Gauss-Krüger system (metres) was chosen.",
                   fix_zh="重新选择坐标系（WGS84/CGCS2000/GCJ-02/BD-09）。", fix_en="Choose a geographic system instead.",
                   value=f"{a_v}, {b_v}")
            return None, True
        north, east, swapped = C.order_gk(north, east)
        if swapped:
            rp.add("coord.swapped", f"{a_h}/{b_h}", zh="X、Y 两列填反了（X 应为北坐标），已自动更正。",
                   en="X and Y were swapped (X is the northing by the Chinese convention); corrected.",
                   fix_zh="下次请把北坐标填在 X 列、东坐标填在 Y 列。", fix_en="Put the northing in X and the easting in Y next time.",
                   value=f"{a_v}, {b_v}", severity="warning")
        try:
            lon, lat = C.gk_to_wgs84(north, east, crs)
        except ValidationError as exc:
            rp.error(exc, b_h or "")
            return None, True
        return Point(lon, lat), True
    # Geographic systems.
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
        else:
            if V.is_blank(a_v) and V.is_blank(b_v):
                if pair_h and not V.is_blank(pair_v):
                    a, b = C.parse_pair(pair_v)
                    a_h = b_h = pair_h
                else:
                    return None, True
            elif V.is_blank(a_v) or V.is_blank(b_v):
                col = a_h if V.is_blank(a_v) else b_h
                rp.add("coord.missing", col or "", zh="经度、纬度只填了一个。", en="Only one of longitude/latitude is filled in.",
                       fix_zh="同时填写经度和纬度。", fix_en="Fill in both longitude and latitude.")
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
        rp.add("coord.looks_projected", a_h or "", zh=f"坐标 {short(a_v or pair_v)}, {short(b_v or '')} 是以米为单位的平面坐标，不是经纬度。",
               en=f"Coordinates {short(a_v or pair_v)}, {short(b_v or '')} are metres, not degrees.",
               fix_zh="坐标系请选择“CGCS2000 高斯-克吕格 3° 分带”（福清为第 40 带）。",
               fix_en="Choose CGCS2000 Gauss-Krüger 3° (Fuqing: zone 40).", value=f"{a[0]}, {b[0]}")
        return None, True
    lon, lat, swapped = C.order_lonlat(a, b)
    if swapped:
        rp.add("coord.swapped", f"{a_h}/{b_h}" if a_h != b_h else (a_h or ""), zh="经度、纬度填反了，已自动更正。",
               en="Longitude and latitude were swapped; corrected.", fix_zh="下次请把经度（约 119）填在经度列、纬度（约 25）填在纬度列。",
               fix_en="Put the longitude (~119) in the longitude column and the latitude (~25) in the latitude column.",
               value=f"{a[0]}, {b[0]}", severity="warning")
    if abs(lon) > 180 or abs(lat) > 90:
        rp.add("coord.out_of_range", a_h or "", zh=f"坐标 ({lon}, {lat}) 超出经纬度范围。",
               en=f"Coordinate ({lon}, {lat}) is outside ±180/±90.", fix_zh="核对经纬度数值。", fix_en="Check the values.",
               value=f"{lon}, {lat}")
        return None, True
    try:
        lon, lat = C.point_to_wgs84(lon, lat, crs)
    except ValidationError as exc:
        rp.error(exc, a_h or "")
        return None, True
    return Point(lon, lat), True


def _file_geometry(raw: RawRow, spec_geometry: str, crs: C.CrsChoice, rp: _RowProblems) -> BaseGeometry | None:
    """The row's geometry from a GIS file, in WGS84 (None after adding a problem, or when it has none)."""
    geom = raw.geometry
    if raw.geometry_error:
        rp.add("geometry.unreadable", "geometry", zh=f"几何无法读取：{raw.geometry_error}。",
               en=f"The geometry cannot be read: {raw.geometry_error}.",
               fix_zh="在 GIS 软件中检查该要素的坐标（例如多边形未闭合、坐标缺失）。",
               fix_en="Check the feature's coordinates in a GIS (unclosed ring, missing coordinates).")
        return None
    if geom is None or geom.is_empty:
        return None
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        rp.add("geometry.not_finite", "geometry", zh="几何中有无效坐标（NaN 或无穷大）。",
               en="The geometry has NaN or infinite coordinates.", fix_zh="在 GIS 软件中修复该要素。", fix_en="Fix the feature in a GIS.")
        return None
    if crs.is_gk:
        if np.abs(xy).max() < 1000:
            rp.add("coord.looks_geographic", "geometry", zh="几何坐标像经纬度（度），但所选坐标系为高斯-克吕格（米）。",
                   en="The coordinates look like degrees, but a Gauss-Krüger system (metres) was chosen.",
                   fix_zh="重新选择坐标系。", fix_en="Choose a geographic system.")
            return None
        if C._looks_easting(float(xy[0, 1])) and C._looks_northing(float(xy[0, 0])):
            geom = shapely.transform(geom, lambda a: a[:, ::-1])
            xy = shapely.get_coordinates(geom)
            rp.add("coord.swapped", "geometry", zh="几何的 X、Y 坐标顺序颠倒，已自动更正。",
                   en="The geometry's X/Y order was swapped; corrected.", fix_zh="检查导出软件的坐标轴顺序设置。",
                   fix_en="Check the axis order setting of the software that wrote the file.", severity="warning")
        try:
            fn = C.coords_transformer(crs, xy[:, 0])
        except ValidationError as exc:
            rp.error(exc, "geometry")
            return None
        return shapely.transform(geom, fn)
    if np.abs(xy).max() > 1000:
        rp.add("coord.looks_projected", "geometry", zh="几何坐标是以米为单位的平面坐标，不是经纬度。",
               en="The geometry's coordinates are metres, not degrees.",
               fix_zh="坐标系请选择“CGCS2000 高斯-克吕格 3° 分带”（福清为第 40 带）。",
               fix_en="Choose CGCS2000 Gauss-Krüger 3° (Fuqing: zone 40).")
        return None
    minx, miny, maxx, maxy = geom.bounds
    if C.looks_swapped_lonlat(minx, miny) and C.looks_swapped_lonlat(maxx, maxy):
        geom = shapely.transform(geom, lambda a: a[:, ::-1])
        rp.add("coord.swapped", "geometry", zh="几何的经纬度顺序颠倒（纬度在前），已自动更正。",
               en="The geometry has latitude first; corrected.", fix_zh="检查导出软件的坐标轴顺序设置。",
               fix_en="Check the axis order setting of the software that wrote the file.", severity="warning")
    fn = C.coords_transformer(crs, xy[:, 0])
    return shapely.transform(geom, fn)


@lru_cache(maxsize=1)
def _county_with_margin() -> BaseGeometry:
    """The county grown by about :data:`COUNTY_MARGIN_M` (in degrees: 1 km is ~0.009° of latitude here)."""
    g = basegeo.county_boundary().buffer(COUNTY_MARGIN_M / 111_000.0)
    shapely.prepare(g)
    return g


def _check_place(geom: BaseGeometry, rp: _RowProblems, column: str) -> bool:
    """Inside Fuqing (error if not, with margin); outside the county line by > 1 km is a warning."""
    minx, miny, maxx, maxy = geom.bounds
    bx0, by0, bx1, by1 = basegeo.FUQING_BOUNDS
    m = FUQING_MARGIN_DEG
    if minx < bx0 - m or maxx > bx1 + m or miny < by0 - m or maxy > by1 + m:
        p = geom.representative_point()
        rp.add("coord.outside_fuqing", column, zh=f"位置 ({p.x:.6f}, {p.y:.6f}) 不在福清市范围内。",
               en=f"The position ({p.x:.6f}, {p.y:.6f}) is outside Fuqing.",
               fix_zh="检查所选坐标系（高德为 GCJ-02、百度为 BD-09）、经纬度是否填反或数字是否有误。",
               fix_en="Check the coordinate system chosen (Gaode: GCJ-02, Baidu: BD-09), swapped columns, typos.",
               value=f"{p.x:.6f}, {p.y:.6f}")
        return False
    p = geom if geom.geom_type == "Point" else geom.representative_point()
    if not shapely.intersects_xy(_county_with_margin(), p.x, p.y):
        # Approximate (degrees to metres at Fuqing's latitude): the message says "about".
        d = basegeo.county_boundary().distance(p) * 111_000.0 * math.cos(math.radians(p.y)) ** 0.5
        if d > COUNTY_MARGIN_M * 0.9:
            rp.add("coord.outside_county", column, zh=f"位置 ({p.x:.6f}, {p.y:.6f}) 在福清市界外约 {d / 1000:.1f} 公里。",
                   en=f"The position ({p.x:.6f}, {p.y:.6f}) is about {d / 1000:.1f} km outside the county line.",
                   fix_zh="确认位置无误（海上排口可忽略此提示）。", fix_en="Make sure the position is right (fine for an outfall at sea).",
                   value=f"{p.x:.6f}, {p.y:.6f}", severity="warning")
    return True


# --------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------
def _file_checks(table: RawTable, mapping: ColumnMapping, crs: C.CrsChoice, kind: str) -> list[Problem]:
    out: list[Problem] = []
    for target, headers in mapping.duplicates().items():
        if target in ("town", "town_code", "status", "status_code", "kind_label"):
            continue  # several candidate columns: the first non-blank value counts, conflicts are per row
        out.append(_file_problem(
            "column.duplicate", zh=f"列 {'、'.join(headers)} 都对应“{target}”，无法确定以哪一列为准。",
            en=f"Columns {', '.join(headers)} all map to {target!r}; it is unclear which one counts.",
            fix_zh="在列对应中把其中一列设为“忽略”。", fix_en="Set all but one of them to 'ignore' in the column mapping.",
            column="、".join(headers)))
    for h, implied in mapping.implied_crs.items():
        ok = (implied == "wgs84" and crs.system in ("wgs84", "cgcs2000")) or implied == crs.system
        if not ok:
            out.append(_file_problem(
                "crs.header_conflict",
                zh=f"列“{h}”注明的坐标系与所选坐标系（{crs.label('zh')}）不一致。",
                en=f"Column {h!r} names a different coordinate system than the one chosen ({crs.label('en')}).",
                fix_zh="确认坐标实际所用的坐标系并重新选择。", fix_en="Check which system the coordinates are really in and choose it.",
                column=h))
    if table.declared_crs:
        out += _declared_crs_checks(table, crs)
    if kind != TOWN_KIND and kind not in REFERENCE_AREAS and not table.has_geometry:
        coord_targets = {"lon", "lat", "x", "y", "coords", "wkt"}
        if not any(t in coord_targets for t in mapping.targets.values()):
            out.append(_file_problem(
                "column.no_coordinates", zh="文件中没有经纬度（或 X/Y、WKT）列：只能更新已有点位的属性，新点位无法定位。",
                en="The file has no longitude/latitude (or X/Y, WKT) column: only existing sites can be updated.",
                fix_zh="如需新增点位，请加入经度、纬度两列，或在列对应中指定坐标列。",
                fix_en="To add sites, add longitude and latitude columns, or map the coordinate columns.", severity="warning"))
    sample_cols = [h for h in table.headers if header_key(h) in _SAMPLE_HEADERS]
    if sample_cols and any(V.match_key(r.values.get(h)) in ("示例数据", "1", "true", "sample")
                           for r in table.rows[:2000] for h in sample_cols if r.values.get(h) is not None):
        out.append(_file_problem(
            "source.sample_data", zh="文件中的数据标注为“示例数据”（本系统导出的示例数据）：导入后将作为正式数据保存。",
            en="The file's rows are marked 示例数据 (sample data exported by this app): imported, they count as real data.",
            fix_zh="确认这确实是要导入的正式台账。", fix_en="Make sure this is the real ledger you mean to import.",
            severity="warning", column="、".join(sample_cols)))
    unmapped = mapping.unmapped()
    if unmapped:
        out.append(_file_problem(
            "column.unmapped", zh=f"以下列未对应到任何字段，导入时忽略：{'、'.join(unmapped)}。",
            en=f"These columns map to no field and are ignored: {', '.join(unmapped)}.",
            fix_zh="如需导入这些列，请在列对应中选择字段。", fix_en="Map them in the column mapping if they should be imported.",
            severity="warning", column="、".join(unmapped)))
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
            return [_file_problem(
                "crs.conflict", zh=f"文件声明的坐标系为经纬度（{name}），但所选为高斯-克吕格投影。",
                en=f"The file declares geographic coordinates ({name}), but Gauss-Krüger was chosen.",
                fix_zh="坐标系改选 WGS84/CGCS2000（若数据来自高德/百度，选 GCJ-02/BD-09）。",
                fix_en="Choose WGS84/CGCS2000 (or GCJ-02/BD-09 for Gaode/Baidu data).")]
        if crs.system in ("gcj02", "bd09") and table.format not in ("kml", "kmz"):
            return [_file_problem(
                "crs.declared_differs", zh=f"文件声明为 {name}，所选为 {crs.label('zh')}：将按所选坐标系转换。",
                en=f"The file declares {name}; converting from {crs.label('en')} as chosen.",
                fix_zh="确认数据确实来自高德/腾讯或百度（这类数据常被错误标注为 WGS84）。",
                fix_en="Make sure the data really comes from Gaode/Tencent or Baidu (often mislabelled WGS84).",
                severity="warning")]
        return []
    if epsg is not None and 4513 <= epsg <= 4554:
        zone = epsg - 4513 + 25 if epsg <= 4533 else (75 + 3 * (epsg - 4534)) // 3
        if not crs.is_gk or crs.zone != zone:
            return [_file_problem(
                "crs.conflict", zh=f"文件声明的坐标系为 {name}（第 {zone} 带），与所选（{crs.label('zh')}）不一致。",
                en=f"The file declares {name} (zone {zone}), not {crs.label('en')}.",
                fix_zh=f"坐标系改选“CGCS2000 高斯-克吕格 3° 分带”第 {zone} 带。", fix_en=f"Choose Gauss-Krüger 3° zone {zone}.")]
        return []
    return [_file_problem(
        "crs.unsupported_declared", zh=f"文件声明的坐标系为 {name}，本系统不直接支持。",
        en=f"The file declares {name}, which is not supported here.",
        fix_zh="在 QGIS 中将其转换为 WGS84（EPSG:4326）或 CGCS2000 高斯-克吕格 3° 分带后再导入。",
        fix_en="Reproject it to WGS84 (EPSG:4326) or CGCS2000 Gauss-Krüger 3° in QGIS, then import.")]


def build_plan(table: RawTable | None, mapping: ColumnMapping | None, *, kind: str, crs: C.CrsChoice,
               existing: Mapping[str, Site], source_name: str, file_problems: Sequence[Problem] = (),
               boundaries: Mapping[str, BaseGeometry] | None = None) -> ImportPlan:
    """Check every row of ``table`` and compare it with the store.

    Parameters
    ----------
    table : RawTable or None
        None when the file could not be read (``file_problems`` says why).
    mapping : ColumnMapping or None
    kind : str
        Kind key or :data:`TOWN_KIND`.
    crs : CrsChoice
    existing : mapping of str to Site
        Every site in the store, by id (any kind).
    source_name : str
    file_problems : sequence of Problem
        Problems found while reading.
    boundaries : mapping of town code to geometry, optional
        Official town boundaries, when loaded.

    Returns
    -------
    ImportPlan
    """
    plan = ImportPlan(kind=kind, source_name=source_name, crs=crs, table=table, mapping=mapping,
                      problems=list(file_problems))
    if table is None or mapping is None:
        return plan
    plan.problems += table.notes
    plan.problems += _file_checks(table, mapping, crs, kind)
    plan.rows_read = len(table.rows)
    if kind == TOWN_KIND:
        _town_rows(plan, table, mapping, crs)
    elif kind in REFERENCE_AREAS:
        from geo.ingest.refareas import reference_rows

        reference_rows(plan, table, mapping, crs)
    else:
        _site_rows(plan, table, mapping, crs, existing, boundaries or {})
    if plan.file_errors:
        plan.candidates, plan.towns, plan.areas = [], [], []
    plan.problems.sort(key=lambda p: (p.row is not None, p.layer, p.row or 0))
    return plan


def _site_rows(plan: ImportPlan, table: RawTable, mapping: ColumnMapping, crs: C.CrsChoice,
               existing: Mapping[str, Site], boundaries: Mapping[str, BaseGeometry]) -> None:
    spec = get_spec(plan.kind)
    rows_out: list[tuple[RawRow, _RowProblems, dict[str, Any]]] = []
    for raw in table.rows:
        rp = _RowProblems(raw)
        data = _check_row(raw, rp, spec, table, mapping, crs, existing, boundaries)
        rows_out.append((raw, rp, data))
    # Ids: duplicates in the file, then ids for rows without one.
    by_id: dict[str, list[RawRow]] = {}
    for raw, rp, data in rows_out:
        if data.get("site_id"):
            by_id.setdefault(data["site_id"], []).append(raw)
    id_col = mapping.column("site_id") or ""
    for sid, raws in by_id.items():
        if len(raws) > 1:
            for raw, rp, data in rows_out:
                if data.get("site_id") == sid:
                    others = "、".join(str(r.row) for r in raws if r is not raw)
                    rp.add("site_id.duplicate_in_file", id_col, zh=f"编号“{sid}”在文件中重复出现（另见第 {others} 行）。",
                           en=f"Id {sid!r} appears more than once in the file (also row(s) {others}).",
                           fix_zh="每个点位只保留一行，或改正重复的编号。", fix_en="Keep one row per site, or correct the duplicated id.",
                           value=sid)
    taken = set(existing) | set(by_id)
    next_no = _next_number(spec, taken)
    for raw, rp, data in rows_out:
        if rp.failed:
            plan.problems += rp.items
            continue
        generated = False
        if not data.get("site_id"):
            sid = f"{spec.code_prefix}-{next_no:03d}"
            while sid in taken:
                next_no += 1
                sid = f"{spec.code_prefix}-{next_no:03d}"
            taken.add(sid)
            next_no += 1
            data["site_id"] = sid
            generated = True
            rp.add("site_id.generated", id_col, zh=f"此行没有编号，已分配新编号 {sid}。",
                   en=f"The row has no id; it gets the new id {sid}.",
                   fix_zh="把编号列补进台账：下次导入才会更新这些点位，而不是重复新增。",
                   fix_en="Add the id column to the ledger so that the next import updates these sites instead of adding them again.",
                   value=sid, severity="warning")
        cand = _candidate(raw, rp, spec, data, existing.get(data["site_id"]), generated)
        plan.problems += rp.items
        if cand is not None and not rp.failed:
            plan.candidates.append(cand)


def _next_number(spec: LayerSpec, taken: set[str]) -> int:
    best = 0
    pattern = re.compile(rf"{re.escape(spec.code_prefix)}-(\d+)$")
    for sid in taken:
        m = pattern.match(sid)
        if m:
            best = max(best, int(m.group(1)))
    return best + 1


def _check_row(raw: RawRow, rp: _RowProblems, spec: LayerSpec, table: RawTable, mapping: ColumnMapping,
               crs: C.CrsChoice, existing: Mapping[str, Site], boundaries: Mapping[str, BaseGeometry]) -> dict:
    """Everything a row says, checked; problems go to ``rp``. Keys present = columns present."""
    data: dict[str, Any] = {}
    for h in raw.formula_missing:
        if mapping.targets.get(h) not in (None, IGNORE):
            rp.add("cell.formula_no_value", h, zh="该单元格是公式，但文件中没有保存计算结果。",
                   en="The cell is a formula whose result was not saved in the file.",
                   fix_zh="在 Excel 中打开文件、保存一次（或把公式改为数值）后重新导入。",
                   fix_en="Open the file in Excel and save it once (or paste values), then import again.")
    # 1. Rows of another kind.
    kh, kv = _cell(raw, mapping, "kind_label")
    if kh and not V.is_blank(kv):
        other = _kind_of_label(kv)
        if other and other != spec.key:
            rp.add("row.other_kind", kh, zh=f"此行属于“{REGISTRY[other].zh}”，不是所选的“{spec.zh}”。",
                   en=f"This row is a {REGISTRY[other].en} site, not {spec.en}.",
                   fix_zh=f"以“{REGISTRY[other].zh}”类型单独导入这些行，或从文件中删除。",
                   fix_en=f"Import these rows as {REGISTRY[other].en}, or delete them from the file.", value=kv)
            return data
    # 2. Id.
    ih, iv = _cell(raw, mapping, "site_id")
    if ih:
        try:
            sid = V.clean_id(iv)
        except ValidationError as exc:
            rp.error(exc, ih)
            sid = None
        if sid:
            if isinstance(iv, float) and abs(iv) >= 1e15:
                rp.add("site_id.number_precision", ih, zh=f"编号 {iv} 以数字保存，Excel 只保留 15 位有效数字，可能已失真。",
                       en=f"The id {iv} is stored as a number; Excel keeps only 15 digits.",
                       fix_zh="在 Excel 中把编号列设为“文本”格式后重新填写。", fix_en="Format the id column as text in Excel and retype it.",
                       value=iv)
            elif not _ID_OK.fullmatch(sid):
                rp.add("site_id.invalid", ih, zh=f"编号“{short(sid)}”无效：不能含空白或控制字符，且不超过 64 个字符。",
                       en=f"Id {short(sid)!r} is invalid: no spaces or control characters, at most 64 characters.",
                       fix_zh="改用不含空格的编号，如 PWK-001。", fix_en="Use an id without spaces, e.g. PWK-001.", value=sid)
            else:
                other = spec_for_site_id(sid)
                stored = existing.get(sid)
                if stored is not None and stored.kind != spec.key:
                    rp.add("site_id.other_kind", ih, zh=f"编号“{sid}”已被{get_spec(stored.kind).zh}使用。",
                           en=f"Id {sid!r} already belongs to a {get_spec(stored.kind).en} site.",
                           fix_zh=f"核对所选类型（{spec.zh}）或改用新编号。", fix_en=f"Check the kind chosen ({spec.en}) or use a new id.",
                           value=sid)
                elif other is not None and other.key != spec.key and "-" in sid:
                    rp.add("site_id.other_kind", ih, zh=f"编号“{sid}”的前缀 {other.code_prefix} 属于“{other.zh}”，"
                           f"不是“{spec.zh}”（前缀 {spec.code_prefix}）。",
                           en=f"Id {sid!r} has the prefix of {other.en} ({other.code_prefix}), not {spec.en} ({spec.code_prefix}).",
                           fix_zh="核对所选类型或编号。", fix_en="Check the kind chosen or the id.", value=sid)
                else:
                    data["site_id"] = sid
    before = existing.get(data.get("site_id", "")) if data.get("site_id") else None
    if before is not None and before.kind != spec.key:
        before = None
    # 3. Name, town, status, responsible, deadline.
    nh, nv = _cell(raw, mapping, "name")
    if nh:
        try:
            data["name"] = V.clean_text(nv)
        except ValidationError as exc:
            rp.error(exc, nh)
        if "name" in data and not data["name"]:
            data.pop("name")
            _required(rp, spec, nh, "名称", "Name")
        elif data.get("name"):
            _formula_warning(rp, nh, data["name"])
    elif before is None:
        _required(rp, spec, "", "名称", "Name", missing_column=True)
    _town(raw, rp, mapping, data, before)
    _status(raw, rp, spec, mapping, data, before)
    rh, rv = _cell(raw, mapping, "responsible")
    if rh:
        try:
            data["responsible"] = V.clean_text(rv)
            if data["responsible"]:
                _formula_warning(rp, rh, data["responsible"])
        except ValidationError as exc:
            rp.error(exc, rh)
    dh, dv = _cell(raw, mapping, "deadline")
    if dh:
        if V.is_blank(dv) or _is_placeholder(dv):
            data["deadline"] = None
        else:
            try:
                data["deadline"] = V.parse_date("完成时限", "Deadline", dv)
            except ValidationError as exc:
                rp.error(exc, dh)
    # 4. Fields of the spec (with what the row says only implicitly filled in: values.complete_cells).
    attrs: dict[str, Any] = {}
    cells, notes = V.complete_cells(spec, {f.name: _cell(raw, mapping, f.name) for f in spec.fields},
                                    _cell(raw, mapping, "status"))
    for n in notes:
        rp.add(n.code, n.column, zh=n.zh, en=n.en, fix_zh=n.fix_zh, fix_en=n.fix_en, value=n.value, severity=n.severity)
    for fld in spec.fields:
        fh, fv = cells[fld.name]
        if fh is None:
            if fld.required and before is None:
                _required(rp, spec, "", fld.zh, fld.en, missing_column=True)
            continue
        try:
            value = V.coerce_field(spec, fld, fv)
        except ValidationError as exc:
            if fld.type in ("text", "bool") or not _is_placeholder(fv):
                rp.error(exc, fh)
                continue
            value = None  # "-", "/", "无" … in a number, date or choice column: left empty
        if value is None and fld.required:
            _required(rp, spec, fh, fld.zh, fld.en)
            continue
        if isinstance(value, str) and fld.type == "text":
            _formula_warning(rp, fh, value)
        attrs[fld.name] = value
    data["attrs"] = attrs
    _state_rules(rp, spec, mapping, data, before)
    # 5. Geometry.
    geom = _geometry(raw, rp, spec, table, mapping, crs, before)
    if geom is not None:
        data["geometry"] = geom
        if boundaries and data.get("town_code"):
            _boundary_check(rp, geom, data["town_code"], boundaries, mapping.column("town") or "")
    return data


def _state_rules(rp: _RowProblems, spec: LayerSpec, mapping: ColumnMapping, data: dict, before: Site | None) -> None:
    """The spec's cross-field rules on the row's result (the stored site with the row's values over it)."""
    if rp.failed:
        return
    if before is not None:
        for name in stale_dependents(spec, before.attrs, data["attrs"]):
            fld, parent = spec.field(name), spec.field(spec.field(name).depends_on)
            old = fld.choice(before.attrs[name])
            data["attrs"][name] = None
            rp.add("field.dependent_cleared", mapping.column(parent.name) or "",
                   zh=f"{parent.zh}改变后，原{fld.zh}“{old.zh}”不再适用，已清空。",
                   en=f"With the new {parent.en}, the stored {fld.en} {old.en!r} no longer fits: it is cleared.",
                   fix_zh=f"如需保留，请在台账中填写“{fld.zh}”。", fix_en=f"Give the {fld.en} in the ledger to keep one.",
                   value=old.zh, severity="warning")
    attrs = {**(before.attrs if before is not None else {}), **data["attrs"]}
    status = data.get("status") or (before.status if before is not None else spec.initial_status)
    for p in state_problems(spec, status, attrs):
        column = next((mapping.column(f) for f in p.fields if mapping.column(f)), None) or mapping.column("status") or ""
        rp.add(p.code, column, zh=p.zh, en=p.en, fix_zh=p.fix_zh, fix_en=p.fix_en, value=p.value, severity=p.severity)


def _required(rp: _RowProblems, spec: LayerSpec, column: str, zh: str, en: str, *, missing_column: bool = False) -> None:
    if missing_column:
        rp.add("field.required", column, zh=f"{spec.zh}的“{zh}”为必填项，但文件中没有对应的列。",
               en=f"{spec.en}: {en} is required but the file has no column for it.",
               fix_zh=f"在台账中加入“{zh}”列，或在列对应中指定。", fix_en=f"Add a {en} column, or map one in the column mapping.")
    else:
        rp.add("field.required", column, zh=f"“{zh}”为必填项，此行为空。", en=f"{en} is required and is empty here.",
               fix_zh=f"填写“{zh}”。", fix_en=f"Fill in {en}.")


def _formula_warning(rp: _RowProblems, column: str, text: str) -> None:
    if text[:1] in ("=", "+", "@"):
        rp.add("text.formula_like", column, zh=f"文字“{short(text)}”以 {text[0]} 开头：按文字原样保存，不会作为公式执行。",
               en=f"Text {short(text)!r} starts with {text[0]}: stored as text, unchanged, never run as a formula.",
               fix_zh="确认这是想要的内容。", fix_en="Make sure this is what was meant.", value=text, severity="warning")


def _town(raw: RawRow, rp: _RowProblems, mapping: ColumnMapping, data: dict, before: Site | None) -> None:
    th, tv = _cell(raw, mapping, "town")
    ch, cv = _cell(raw, mapping, "town_code")
    found: list[tuple[str, str]] = []
    for h, v in ((th, tv), (ch, cv)):
        if h and not V.is_blank(v):
            text = v
            if isinstance(v, float) and v.is_integer():
                text = str(int(v))
            try:
                found.append((h, town_list.resolve_town(str(text)).code))
            except NotFoundError as exc:
                hint = exc.context.get("suggestions") or []
                rp.add("town.unknown", h, zh=f"镇街“{short(v)}”不在福清市的镇街名录中。",
                       en=f"{short(v)!r} is not one of Fuqing's towns or streets.",
                       fix_zh=("改为规范名称，如 " + "、".join(hint)) if hint else "改为规范的镇街名称（如 玉屏街道、海口镇）或统计用区划代码。",
                       fix_en=("Use the official name, e.g. " + ", ".join(hint)) if hint else
                       "Use the official name (e.g. 玉屏街道, 海口镇) or the statistics code.", value=v)
                return
    if len(found) == 2 and found[0][1] != found[1][1]:
        a, b = found
        rp.add("town.conflict", f"{a[0]}/{b[0]}", zh=f"“{a[0]}”与“{b[0]}”指向不同的镇街"
               f"（{town_list.town_by_code(a[1]).name_zh} / {town_list.town_by_code(b[1]).name_zh}）。",
               en=f"{a[0]!r} and {b[0]!r} name different towns.", fix_zh="改正其中一列，使两者一致。", fix_en="Make the two columns agree.")
        return
    if found:
        data["town_code"] = found[0][1]
    elif th or ch:
        _required_town(rp, th or ch or "")
    elif before is None:
        rp.add("field.required", "", zh="所属镇街为必填项，但文件中没有对应的列。",
               en="The town/street is required but the file has no column for it.",
               fix_zh="加入“所属镇街”列，或在列对应中指定。", fix_en="Add a 所属镇街 (town) column, or map one.")


def _required_town(rp: _RowProblems, column: str) -> None:
    rp.add("field.required", column, zh="“所属镇街”为必填项，此行为空。", en="The town/street is required and is empty here.",
           fix_zh="填写镇街名称，如 海口镇。", fix_en="Fill in the town, e.g. 海口镇.")


def _status(raw: RawRow, rp: _RowProblems, spec: LayerSpec, mapping: ColumnMapping, data: dict,
            before: Site | None) -> None:
    found: list[tuple[str, str]] = []
    for target in ("status", "status_code"):
        h, v = _cell(raw, mapping, target)
        if h and not V.is_blank(v):
            try:
                found.append((h, V.parse_status(spec, v)))
            except ValidationError as exc:
                rp.error(exc, h)
                return
    if len(found) == 2 and found[0][1] != found[1][1]:
        rp.add("status.conflict", f"{found[0][0]}/{found[1][0]}",
               zh=f"“{found[0][0]}”（{spec.status(found[0][1]).zh}）与“{found[1][0]}”（{spec.status(found[1][1]).zh}）不一致。",
               en=f"{found[0][0]!r} and {found[1][0]!r} give different statuses.", fix_zh="改正其中一列，使两者一致。",
               fix_en="Make the two columns agree.")
        return
    if found:
        data["status"] = found[0][1]
        note = V.status_note(spec, _cell(raw, mapping, "status")[1])
        if note:
            rp.add("status.read_as", found[0][0], zh=note[0], en=note[1], fix_zh=note[2], fix_en=note[3],
                   value=_cell(raw, mapping, "status")[1], severity="warning")
        if before is not None:
            old, new = spec.status(before.status), spec.status(found[0][1])
            if new.step < old.step:
                rp.add("status.backwards", found[0][0], zh=f"状态将从“{old.zh}”退回“{new.zh}”。",
                       en=f"The status goes back from {old.en!r} to {new.en!r}.",
                       fix_zh="确认台账无误（导入不受流程顺序限制）。", fix_en="Make sure the ledger is right (imports are not bound by the workflow).",
                       severity="warning")
    elif before is None:
        data["status"] = spec.initial_status
        col = mapping.column("status") or mapping.column("status_code") or ""
        rp.add("status.defaulted", col, zh=f"未填写状态，按流程第一步“{spec.status(spec.initial_status).zh}”导入。",
               en=f"No status given: imported as the first step, {spec.status(spec.initial_status).en!r}.",
               fix_zh="如不正确，请在台账中填写状态。", fix_en="Fill in the status in the ledger if that is not right.", severity="warning")


def _geometry(raw: RawRow, rp: _RowProblems, spec: LayerSpec, table: RawTable, mapping: ColumnMapping,
              crs: C.CrsChoice, before: Site | None) -> BaseGeometry | None:
    geom = None
    column = "geometry"
    mark = rp.mark()
    if table.has_geometry and (raw.geometry is not None or raw.geometry_error):
        geom = _file_geometry(raw, spec.geometry, crs, rp)
        if geom is None:
            if not rp.failed_since(mark):
                rp.add("geometry.empty", column, zh="此要素没有几何（空几何）。", en="The feature has no geometry (empty).",
                       fix_zh="在 GIS 软件中为该要素绘制几何，或删除该要素。", fix_en="Draw the feature's geometry in a GIS, or delete it.")
            return None
    else:
        wh, wv = _cell(raw, mapping, "wkt")
        if wh and not V.is_blank(wv):
            column = wh
            try:
                parsed = shapely.from_wkt(str(wv).strip())
            except shapely.errors.GEOSException as exc:
                rp.add("geometry.unreadable", wh, zh=f"WKT 无法读取：{short(exc, 80)}。", en=f"The WKT cannot be read: {short(exc, 80)}.",
                       fix_zh="检查 WKT 文本（如 POLYGON((经度 纬度, …))）。", fix_en="Check the WKT text.", value=wv)
                return None
            fake = RawRow(row=raw.row, values={}, geometry=parsed, layer=raw.layer)
            geom = _file_geometry(fake, spec.geometry, crs, rp)
            if geom is None:
                if not rp.failed_since(mark):
                    rp.add("geometry.empty", wh, zh="WKT 为空几何。", en="The WKT is an empty geometry.", fix_zh="填写有坐标的 WKT。",
                           fix_en="Give a WKT with coordinates.")
                return None
        else:
            point, has_cols = _row_point(raw, mapping, crs, rp)
            if rp.failed_since(mark):
                return None
            column = mapping.column("lon") or mapping.column("x") or mapping.column("coords") or ""
            if point is None:
                if table.has_geometry:
                    rp.add("geometry.empty", "geometry", zh="此要素没有几何（空几何）。", en="The feature has no geometry (empty).",
                           fix_zh="在 GIS 软件中为该要素绘制几何，或删除该要素。", fix_en="Draw the feature's geometry in a GIS, or delete it.")
                    return None
                if before is None:
                    if has_cols:
                        rp.add("geometry.empty", column, zh="此行没有填写坐标。", en="The row has no coordinates.",
                               fix_zh="填写经度、纬度（或 X、Y）。", fix_en="Fill in longitude and latitude (or X, Y).")
                    else:
                        rp.add("geometry.missing", "", zh="新点位需要坐标，但文件中没有坐标列。",
                               en="A new site needs coordinates but the file has no coordinate column.",
                               fix_zh="加入经度、纬度两列（或 X、Y 列）。", fix_en="Add longitude and latitude (or X, Y) columns.")
                return None
            if spec.geometry != "point":
                if not _check_place(point, rp, column):
                    return None
                if before is not None and geodesic_distance_m(point, before.geometry) <= ON_SHAPE_M:
                    return before.geometry  # the row's point stands for the stored shape: keep it
                rp.add("geometry.needs_shape", column,
                       zh=f"{spec.zh}需要线或面几何，表格中的一个点无法表示"
                       + ("（该点也不在已有点位的几何上）。" if before is not None else "。"),
                       en=f"{spec.en} needs a line or polygon; a point in a table cannot give it"
                       + (" (and the point is not on the stored shape)." if before is not None else "."),
                       fix_zh="用 Shapefile、GeoPackage、GeoJSON 或 KML 导入几何，或在表格中加一列 WKT。",
                       fix_en="Import the shapes from a Shapefile, GeoPackage, GeoJSON or KML, or add a WKT column.",
                       value=f"{point.x:.6f}, {point.y:.6f}")
                return None
            geom = point
    geom = canonical_geometry(spec, geom)
    try:
        check_geometry(spec, geom)
    except ValidationError as exc:
        fix = {"geometry.invalid": ("在 QGIS 中用“修复几何”（Fix geometries）修正后重新导入。",
                                    "Repair it in QGIS (Fix geometries) and import again."),
               "geometry.wrong_type": (f"{spec.zh}需要 {'/'.join(spec.geometry_types())}，请检查所选类型或文件。",
                                       f"{spec.en} needs {'/'.join(spec.geometry_types())}: check the kind or the file."),
               "geometry.empty": ("为该要素提供坐标。", "Give the feature coordinates.")}.get(exc.code, ("", ""))
        rp.error(exc, column, fix_zh=fix[0], fix_en=fix[1])
        return None
    if not _check_place(geom, rp, column):
        return None
    return geom


def _boundary_check(rp: _RowProblems, geom: BaseGeometry, town_code: str, boundaries: Mapping[str, BaseGeometry],
                    column: str) -> None:
    p = geom if geom.geom_type == "Point" else geom.representative_point()
    inside = [code for code, g in boundaries.items() if g.intersects(p)]
    if inside and town_code not in inside:
        found = town_list.town_by_code(inside[0]).name_zh
        recorded = town_list.town_by_code(town_code).name_zh
        rp.add("town.boundary_mismatch", column, zh=f"记录的镇街为“{recorded}”，但位置在“{found}”的官方边界内。",
               en=f"The recorded town is {recorded}, but the position lies inside the official boundary of {found}.",
               fix_zh="核对所属镇街或坐标。", fix_en="Check the town or the coordinates.", value=recorded, severity="warning")


def _candidate(raw: RawRow, rp: _RowProblems, spec: LayerSpec, data: dict, before: Site | None,
               generated: bool) -> Candidate | None:
    if rp.failed:
        return None
    if before is None:
        site = NewSite(
            kind=spec.key, site_id=data["site_id"], name=data.get("name") or "", town_code=data.get("town_code") or "",
            status=data.get("status") or spec.initial_status, geometry=data.get("geometry"),
            deadline=data.get("deadline"), responsible=data.get("responsible"), is_sample=False,
            attrs={f.name: data["attrs"].get(f.name) for f in spec.fields},
        )
        return Candidate(row=raw.row, site=site, action="create", generated_id=generated, layer=raw.layer)
    attrs = dict(before.attrs)
    attrs.update(data["attrs"])
    site = NewSite(
        kind=spec.key, site_id=before.site_id, name=data.get("name", before.name),
        town_code=data.get("town_code", before.town_code), status=data.get("status", before.status),
        geometry=before.geometry, deadline=data["deadline"] if "deadline" in data else before.deadline,
        responsible=data["responsible"] if "responsible" in data else before.responsible, is_sample=False,
        attrs={f.name: attrs.get(f.name) for f in spec.fields},
    )
    new_geom = data.get("geometry")
    if new_geom is not None and not _same_geometry(canonical_geometry(spec, before.geometry), new_geom):
        site = replace(site, geometry=new_geom)
    changes = diff_sites(spec, before, site)
    action = "update" if changes else "unchanged"
    return Candidate(row=raw.row, site=site, action=action, before=before,
                     changes={k: (_display(spec, k, a), _display(spec, k, b)) for k, (a, b) in changes.items()},
                     layer=raw.layer)


def diff_sites(spec: LayerSpec, before: Site, after: NewSite) -> dict[str, tuple[Any, Any]]:
    """Field -> (before, after) for everything an import would change (store values, geometry as objects)."""
    out: dict[str, tuple[Any, Any]] = {}
    for key in _COMMON_KEYS:
        a, b = getattr(before, key), getattr(after, key)
        if a != b:
            out[key] = (a, b)
    for f in spec.fields:
        a, b = before.attrs.get(f.name), after.attrs.get(f.name)
        if f.type == "bool":
            a = None if a is None else bool(a)
            b = None if b is None else bool(b)
        if f.type == "float" and a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=0,
                                                                                     abs_tol=1e-9):
            continue
        if a != b:
            out[f.name] = (a, b)
    if after.geometry is not before.geometry and not _same_geometry(before.geometry, after.geometry):
        out["geometry"] = (before.geometry, after.geometry)
    if bool(before.is_sample) != bool(after.is_sample):
        out["is_sample"] = (bool(before.is_sample), bool(after.is_sample))
    return out


# --------------------------------------------------------------------------
# Official town boundaries
# --------------------------------------------------------------------------
def _town_rows(plan: ImportPlan, table: RawTable, mapping: ColumnMapping, crs: C.CrsChoice) -> None:
    seen: dict[str, list[int]] = {}
    rows: list[tuple[RawRow, _RowProblems, str | None, BaseGeometry | None]] = []
    for raw in table.rows:
        rp = _RowProblems(raw)
        code = None
        for target in ("town", "town_code", "name"):
            h, v = _cell(raw, mapping, target)
            if h and not V.is_blank(v):
                text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                try:
                    code = town_list.resolve_town(text).code
                    break
                except NotFoundError as exc:
                    hint = exc.context.get("suggestions") or []
                    rp.add("town.unknown", h, zh=f"“{short(v)}”不在福清市的镇街名录中。",
                           en=f"{short(v)!r} is not one of Fuqing's towns or streets.",
                           fix_zh=("改为规范名称，如 " + "、".join(hint)) if hint else "改为规范的镇街名称或统计用区划代码。",
                           fix_en="Use the official name or the statistics code.", value=v)
                    break
        if code is None and not rp.failed:
            rp.add("field.required", "", zh="无法确定此要素是哪个镇街：没有镇街名称或代码。",
                   en="Cannot tell which town this feature is: no town name or code.",
                   fix_zh="在属性表中加入镇街名称或统计用区划代码列。", fix_en="Add a town name or statistics-code column.")
        geom = None
        if raw.geometry is None and not raw.geometry_error:
            rp.add("geometry.empty", "geometry", zh="此要素没有几何。", en="The feature has no geometry.",
                   fix_zh="为该镇街绘制边界面。", fix_en="Draw the town's boundary polygon.")
        else:
            g = _file_geometry(raw, "polygon", crs, rp)
            if g is not None:
                if g.geom_type == "Polygon":
                    g = MultiPolygon([g])
                if g.geom_type != "MultiPolygon":
                    rp.add("geometry.wrong_type", "geometry", zh=f"镇街边界需要面几何，收到 {g.geom_type}。",
                           en=f"A town boundary needs a polygon, got {g.geom_type}.", fix_zh="导入面图层。", fix_en="Import a polygon layer.")
                elif not g.is_valid:
                    from shapely.validation import explain_validity

                    rp.add("geometry.invalid", "geometry", zh=f"边界几何无效（{explain_validity(g)}）。",
                           en=f"Invalid boundary ({explain_validity(g)}).", fix_zh="在 QGIS 中用“修复几何”修正后重新导入。",
                           fix_en="Repair it in QGIS (Fix geometries) and import again.")
                elif _check_place(g, rp, "geometry"):
                    geom = g
        if code is not None:
            seen.setdefault(code, []).append(raw.row)
        rows.append((raw, rp, code, geom))
    for raw, rp, code, geom in rows:
        if code is not None and len(seen[code]) > 1:
            others = "、".join(str(r) for r in seen[code] if r != raw.row)
            rp.add("town.duplicate_in_file", "", zh=f"镇街“{town_list.town_by_code(code).name_zh}”在文件中出现多次（另见第 {others} 个要素）。",
                   en=f"The town {town_list.town_by_code(code).name_en} appears more than once (also feature(s) {others}).",
                   fix_zh="每个镇街只保留一个要素（多个部分请合并为一个多面）。", fix_en="Keep one feature per town (merge parts into one multipolygon).")
        plan.problems += rp.items
        if not rp.failed and code is not None and geom is not None:
            plan.towns.append(TownCandidate(raw.row, code, town_list.town_by_code(code).name_zh, geom, raw.layer))
