"""The export table: which columns a site kind gets, and one record per site.

Every format reads the same records, so a site has the same values in
Excel, CSV, GeoJSON, GeoPackage, KML and Shapefile. A :class:`Column` has an
ASCII ``key`` (GIS field name), Chinese and English headers, and a value
type; a record maps keys to plain Python values:

* choice fields carry their Chinese label (``"国家级"``), booleans stay
  ``bool`` (each writer shows 是/否 or 1/0), dates are :class:`datetime.date`,
  the last change is a :class:`datetime.datetime` in China Standard Time;
* coordinates are WGS84 longitude/latitude rounded to 6 decimals, of the
  point itself or — for lines and polygons — of a representative point that
  lies on the line or inside the polygon (:func:`shapely.point_on_surface`),
  and optionally the same point shifted to GCJ-02 for Gaode/Amap users.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal, Sequence

import numpy as np
import shapely

from geo import towns as town_list
from geo.crs import wgs84_to_gcj02
from geo.errors import NotFoundError, SpecError
from geo.clock import CST, parse_utc
from geo.domain.status import is_overdue, step_text
from geo.export.safe import plain_text
from layers import get_spec
from layers.spec import Field, LayerSpec

ValueType = Literal["text", "int", "float", "bool", "date", "datetime", "coord"]

SAMPLE_NOTE = "示例数据"
REAL_NOTE = "正式数据"
SAMPLE_NOTICE_ZH = "示例数据：仅供演示，非官方数据，不得作为统计或上报依据。"
SAMPLE_NOTICE_EN = "Illustrative sample data (示例数据), not official; do not report it."
PART_SAMPLE_NOTICE_ZH = "部分点位为示例数据（见“数据性质”列），示例数据非官方数据，不得作为统计或上报依据。"
PART_SAMPLE_NOTICE_EN = "Some sites are illustrative sample data (示例数据, see the 数据性质 column), not official."
COORD_DECIMALS = 6


@dataclass(frozen=True)
class Column:
    """One exported column.

    Attributes
    ----------
    key : str
        ASCII field name for GIS formats (GeoJSON, GeoPackage, Shapefile, KML data).
    zh, en : str
        Headers (Excel and CSV use ``zh``).
    type : str
        One of ``text``, ``int``, ``float``, ``bool``, ``date``, ``datetime``, ``coord``.
    sheet : bool
        Shown in spreadsheets (xlsx, CSV) and KML descriptions.
    gis : bool
        Written as an attribute in GIS formats.
    """

    key: str
    zh: str
    en: str
    type: ValueType = "text"
    sheet: bool = True
    gis: bool = True


_FIELD_TYPES: dict[str, ValueType] = {"text": "text", "choice": "text", "int": "int", "float": "float",
                                      "bool": "bool", "date": "date"}


def _field_column(fld: Field) -> Column:
    return Column(fld.name, fld.label("zh"), fld.label("en"), _FIELD_TYPES[fld.type])


@lru_cache(maxsize=None)
def columns_for(kind: str, gcj02: bool = False, sample: bool = False) -> tuple[Column, ...]:
    """The columns of one kind's table, in display order.

    Parameters
    ----------
    kind : str
        Registry key.
    gcj02 : bool
        Add GCJ-02 longitude/latitude columns.
    sample : bool
        Add the ``sample`` (1) and ``data_note`` (示例数据) columns.

    Returns
    -------
    tuple of Column
    """
    spec = get_spec(kind)
    cols = [
        Column("site_id", "编号", "Site ID"),
        Column("name", "名称", "Name"),
        Column("kind", "点位类型代码", "Kind key", sheet=False),
        Column("kind_zh", "点位类型", "Kind", sheet=False),
        Column("town", "所属镇街", "Town/street"),
        Column("town_code", "镇街代码", "Town code"),
        Column("responsible", "责任单位", "Responsible body"),
        *(_field_column(f) for f in spec.fields),
        Column("status", "状态代码", "Status code", sheet=False),
        Column("status_zh", "当前状态", "Status"),
        Column("step", "流程步骤", "Workflow step"),
        Column("deadline", "完成时限", "Deadline", "date"),
        Column("overdue", "是否逾期", "Overdue", "bool"),
        Column("updated_at", "最近变更时间（北京时间）", "Last change (CST)", "datetime"),
        Column("updated_by", "最近变更人", "Last changed by"),
        Column("lon", "经度（WGS84）", "Longitude (WGS84)", "coord"),
        Column("lat", "纬度（WGS84）", "Latitude (WGS84)", "coord"),
    ]
    if gcj02:
        cols += [Column("lon_gcj02", "经度（GCJ-02，高德）", "Longitude (GCJ-02, Gaode)", "coord"),
                 Column("lat_gcj02", "纬度（GCJ-02，高德）", "Latitude (GCJ-02, Gaode)", "coord")]
    if sample:
        cols += [Column("sample", "示例数据标记", "Sample flag", "int", sheet=False),
                 Column("data_note", "数据性质", "Nature of the data")]
    keys = [c.key for c in cols]
    if len(keys) != len(set(keys)):
        dup = sorted({k for k in keys if keys.count(k) > 1})
        raise SpecError("export.column_clash",
                        en=f"{spec.en}: field names {dup} clash with export columns; rename the fields in the spec.",
                        zh=f"{spec.zh}：字段名 {dup} 与导出列重名，请在图层定义中改名。", value=dup)
    return tuple(cols)


@lru_cache(maxsize=None)
def town_name(code: str) -> str:
    """The official Chinese name of a town code; the code itself when unknown."""
    try:
        return town_list.town_by_code(code).name_zh
    except NotFoundError:
        return str(code)


def representative_lonlat(geoms: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lon/lat arrays of each geometry's representative point, rounded to 6 decimals.

    A point is itself; a line or polygon gets :func:`shapely.point_on_surface`
    (on the line, inside the polygon — unlike a centroid).
    """
    if not len(geoms):
        return np.empty(0), np.empty(0)
    arr = np.asarray(geoms, dtype=object)
    pts = shapely.point_on_surface(arr)
    return np.round(shapely.get_x(pts), COORD_DECIMALS), np.round(shapely.get_y(pts), COORD_DECIMALS)


def _display(fld: Field, value: Any) -> Any:
    if value is None or value == "":
        return None
    if fld.type == "choice":
        choice = fld.choice(value)
        return choice.zh if choice else str(value)
    if fld.type == "bool":
        return bool(value)
    if fld.type == "date":
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    return value


def _cst(iso_utc: str | None) -> datetime | None:
    ts = parse_utc(iso_utc)
    return None if ts is None else ts.astimezone(CST).replace(microsecond=0)


def records_for(sites: Sequence[Any], spec: LayerSpec, *, today: date, gcj02: bool = False,
                sample: bool = False, all_sample: bool = True) -> list[dict[str, Any]]:
    """One record per site of ``spec``'s kind, keyed by :func:`columns_for` keys.

    Parameters
    ----------
    sites : sequence of geo.store.Site
        Sites of this kind only.
    spec : LayerSpec
    today : date
        For the overdue flag (China Standard Time).
    gcj02, sample : bool
        As :func:`columns_for`.
    all_sample : bool
        Every row is sample data (the store's data origin); when False only
        sites flagged ``is_sample`` read 示例数据 (the others 正式数据).
    """
    lons, lats = representative_lonlat([s.geometry for s in sites])
    if gcj02 and len(sites):
        glon, glat = wgs84_to_gcj02(lons, lats)
        glon, glat = np.round(glon, COORD_DECIMALS), np.round(glat, COORD_DECIMALS)
    out = []
    for i, s in enumerate(sites):
        status = spec.status(s.status)
        rec: dict[str, Any] = {
            "site_id": s.site_id,
            "name": s.name,
            "kind": spec.key,
            "kind_zh": spec.zh,
            "town": town_name(s.town_code),
            "town_code": s.town_code,
            "responsible": s.responsible or None,
        }
        for fld in spec.fields:
            rec[fld.name] = _display(fld, s.attrs.get(fld.name))
        deadline = _display(Field("deadline", "", "", "date"), s.deadline)
        rec.update({
            "status": status.code,
            "status_zh": status.zh,
            "step": step_text(spec.key, status.code, "zh"),
            "deadline": deadline,
            "overdue": is_overdue(spec.key, status.code, s.deadline, today),
            "updated_at": _cst(s.updated_at),
            "updated_by": s.updated_by or None,
            "lon": float(lons[i]),
            "lat": float(lats[i]),
        })
        if gcj02:
            rec["lon_gcj02"], rec["lat_gcj02"] = float(glon[i]), float(glat[i])
        if sample:
            is_sample = all_sample or bool(getattr(s, "is_sample", False))
            rec["sample"], rec["data_note"] = (1, SAMPLE_NOTE) if is_sample else (0, REAL_NOTE)
        out.append({k: plain_text(v) for k, v in rec.items()})
    return out


def text_of(col: Column, value: Any) -> str:
    """A value as text for CSV cells and KML descriptions (是/否, ISO dates, 6-decimal coordinates)."""
    if value is None:
        return ""
    if col.type == "bool" or isinstance(value, bool):
        return "是" if value else "否"
    if col.type == "coord":
        return f"{value:.{COORD_DECIMALS}f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)
