"""Which column of a ledger is which: header recognition and the user's mapping (pure).

Every header is compared after NFKC (full-width letters to half-width),
with all spaces (incl. U+3000), zero-width marks, a BOM and a trailing
``*`` (required-field marker) or colon removed, in lower case. A header is
recognised when that key, or the key without its bracketed part
(``经度（WGS84）`` -> ``经度``), is

* one of the common Chinese ledger headers below (名称, 编号/编码, 经度, 纬度,
  所属镇街/乡镇/镇街, 状态, 类型, 整治方式, 责任单位, 完成时限 …),
* a field of the kind's spec: its ASCII name, Chinese or English label (with
  or without unit),
* a column of this app's own exports, including the 10-character Shapefile
  names (so an export imports back).

A bracketed coordinate-system hint (``经度（GCJ-02，高德）``, ``纬度(百度)``)
is kept as the header's *implied* system, checked against the user's choice.
Whatever is left gets no target; the user maps it (or leaves it ignored), and
the mapping is remembered per file layout under :func:`layout_key`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping

from layers import get_spec
from layers.reference import REFERENCE_AREAS
from layers.spec import LayerSpec

__all__ = [
    "COMMON_TARGETS", "IGNORE", "ColumnMapping", "header_key", "recognise", "layout_key", "target_label",
    "targets_for", "TOWN_KIND",
]

#: The pseudo-kind of official town boundaries (imported the same way as sites).
TOWN_KIND = "town_boundaries"
IGNORE = "ignore"

#: Targets every kind has, with their labels (zh, en).
COMMON_TARGETS: dict[str, tuple[str, str]] = {
    "site_id": ("编号", "Site ID"),
    "name": ("名称", "Name"),
    "town": ("所属镇街", "Town/street"),
    "town_code": ("镇街代码", "Town code"),
    "status": ("状态", "Status"),
    "status_code": ("状态代码", "Status code"),
    "responsible": ("责任单位", "Responsible body"),
    "deadline": ("完成时限", "Deadline"),
    "lon": ("经度", "Longitude"),
    "lat": ("纬度", "Latitude"),
    "coords": ("经纬度（一列）", "Lon/lat in one column"),
    "x": ("X（高斯北坐标）", "X (Gauss-Krüger northing)"),
    "y": ("Y（高斯东坐标）", "Y (Gauss-Krüger easting)"),
    "wkt": ("几何（WKT）", "Geometry (WKT)"),
    "kind_label": ("点位类型", "Site kind"),
    IGNORE: ("（忽略此列）", "(ignore this column)"),
}

_COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "site_id": ("编号", "编码", "点位编号", "点位编码", "点位代码", "排污口编码", "排污口编号", "排口编码", "排口编号",
                "入河排污口编码", "入海排污口编码", "园区编号", "园区编码", "水体编号", "水体编码", "禁燃区编号",
                "泊位编码", "站点编号", "统一编码", "唯一编码", "id", "siteid", "site_id", "code", "代码"),
    "name": ("名称", "点位名称", "排污口名称", "排口名称", "入海排污口名称", "园区名称", "水体名称", "河流名称",
             "河道名称", "河段名称", "禁燃区名称", "泊位名称", "站点名称", "name", "名字", "placemark"),
    "town": ("所属镇街", "所属乡镇", "乡镇", "镇街", "镇(街道)", "镇(街)", "所属镇(街道)", "所属镇(街)",
             "乡镇(街道)", "镇街道", "所在镇街", "所在乡镇", "所在镇", "所属镇", "镇", "街道", "乡镇街道",
             "行政区", "所属行政区", "town", "townname", "township"),
    "town_code": ("镇街代码", "乡镇代码", "行政区划代码", "区划代码", "towncode", "town_code"),
    "status": ("状态", "当前状态", "整治状态", "整治进展", "进展", "进度", "进展情况", "完成情况", "工作进展",
               "建设状态", "建设进度", "status_zh", "statuszh", "状态名称"),
    "status_code": ("状态代码", "status", "statuscode", "status_code"),
    "responsible": ("责任单位", "责任部门", "牵头单位", "责任主体", "负责单位", "主管单位", "responsible"),
    "deadline": ("完成时限", "完成时间", "截止时间", "截止日期", "计划完成时间", "计划完成日期", "整治时限",
                 "时限", "完成期限", "deadline"),
    "lon": ("经度", "东经", "经度坐标", "中心经度", "lon", "lng", "long", "longitude"),
    "lat": ("纬度", "北纬", "纬度坐标", "中心纬度", "lat", "latitude"),
    "coords": ("坐标", "经纬度", "经纬度坐标", "位置坐标", "中心点坐标", "点位坐标", "coordinates", "lonlat"),
    "x": ("x", "x坐标", "北坐标", "纵坐标", "坐标x", "北坐标x"),
    "y": ("y", "y坐标", "东坐标", "横坐标", "坐标y", "东坐标y"),
    "wkt": ("wkt", "geometry", "geom", "几何", "空间范围", "范围(wkt)", "几何(wkt)"),
    "kind_label": ("点位类型", "点位类型代码", "kind", "kind_zh", "kindzh", "图层"),
    IGNORE: ("序号", "流程步骤", "是否逾期", "最近变更时间", "最近变更人", "数据性质", "示例数据标记", "sample",
             "data_note", "datanote", "step", "overdue", "updated_at", "updatedat", "updated_by", "updatedby",
             "fid", "objectid", "description", "descriptio", "lon_gcj02", "lat_gcj02", "styleurl"),
}

#: Per-kind aliases for generic or local headers (类型 means a different field per kind).
_KIND_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "outfalls": {"outfall_type": ("类型", "排口类型", "排污口类型", "排污口分类", "排口分类", "一级分类", "一级类型",
                                  "排污口一级分类", "排污口类别"),
                 "outfall_subtype": ("二级分类", "二级类型", "排污口二级分类", "排口二级分类", "排污口细类"),
                 "discharge_into": ("入河/入海", "入河入海", "入河或入海", "入河(湖)/入海", "排入水体类型",
                                    "入河入海类型"),
                 "receiving_water": ("海湾", "所属海湾", "入海海湾", "所在海域", "海域", "所在海湾", "受纳水体名称(分类)",
                                     "纳污水体", "受纳水域", "排入水体", "所在水体", "所在河流"),
                 "water_body_name": ("水体名称", "河流名称", "具体水体", "受纳水体具体名称"),
                 "outfall_code": ("排口编码", "入河排污口编码", "入海排污口编码", "国家编码", "排污口代码", "统一编码"),
                 "remediation_method": ("整治方式", "整治措施", "整治类型", "分类整治方式", "整治类别"),
                 "remediation_plan": ("整治方案", "一口一策", "整治措施说明"),
                 "milestones": ("整治节点", "时间节点", "进度安排"),
                 "black_odour_seen": ("是否黑臭", "排口黑臭", "黑臭"),
                 "permit_no": ("排污许可证号", "许可证编号", "排污许可编号"),
                 "filing_no": ("备案编号", "审批编号", "备案号", "设置审批/备案编号", "入河排污口设置审批编号"),
                 "source_units": ("溯源结果", "排污单位", "溯源单位", "对应污染源"),
                 "responsible_basis": ("责任主体类型", "责任认定"),
                 "discharge_mode": ("排放规律", "排水方式"),
                 "sign_board": ("标志牌", "标识牌", "是否设置标志牌", "是否设立标识牌"),
                 "sampling_point": ("采样点", "监测采样点", "是否设置采样点"),
                 "inspection_well": ("检查井", "是否设置检查井"),
                 "closure_date": ("销号时间",),
                 "closure_body": ("销号审批部门", "销号单位"),
                 "closure_doc_no": ("销号批复文号", "销号文件"),
                 "dismissal_reason": ("核销类型",),
                 "dismissal_note": ("核销说明", "核销理由")},
    "shore_power_berths": {"berth_type": ("类型", "泊位类型", "泊位用途"), "port_area": ("所属港区", "港区名称"),
                           "berth_no": ("泊位编号",), "tonnage_t": ("吨级", "靠泊能力", "吨位"),
                           "dangerous_goods": ("是否危险货物泊位", "危险品泊位", "危货泊位"),
                           "capacity_kva": ("岸电容量", "容量"), "energy_kwh": ("用电量", "供电量")},
    "black_odorous": {"water_kind": ("类型", "水体类型", "水体类别", "所属区域"), "grade": ("黑臭等级", "黑臭级别"),
                      "length_km": ("河长", "长度", "水体长度"), "satisfaction_pct": ("满意度", "群众满意度")},
    "clean_fuel_zones": {"fuel_category": ("类型", "类别", "燃料类别", "管控类别", "禁燃类别"),
                         "area_km2": ("面积", "禁燃区面积"), "towns_covered": ("涉及镇街", "覆盖范围"),
                         "zone_scope": ("范围", "划定区域")},
    "parks": {"level": ("级别", "园区类别", "园区等级"), "managing_body": ("管理单位", "管委会", "管理主体"),
              "online_monitoring": ("在线监测", "是否安装在线监测", "在线监控"),
              "circular_retrofit": ("循环化改造情况", "循环化改造进展")},
}

_CRS_HINTS = (
    ("gcj02", ("gcj", "高德", "腾讯", "火星", "amap", "gaode")),
    ("bd09", ("bd09", "bd-09", "百度", "baidu")),
    ("wgs84", ("wgs", "gps", "天地图", "cgcs", "2000", "4326", "4490")),
)


def header_key(text: object) -> str:
    """The comparison key of a header: NFKC, no spaces or marks, lower case, no trailing ``*``/colon."""
    s = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    s = "".join(ch for ch in s if not ch.isspace() and ch not in "\u200b\u200c\u200d\ufeff")
    return s.lower().rstrip("*:").lstrip("*")


_BRACKETS = re.compile(r"[(\[【〔][^)\]】〕]*[)\]】〕]")


def _split(key: str) -> tuple[str, str]:
    """(key without bracketed parts, the bracketed text)."""
    inner = " ".join(m.group(0) for m in _BRACKETS.finditer(key))
    return _BRACKETS.sub("", key), inner


def _implied_crs(inner: str) -> str | None:
    for system, words in _CRS_HINTS:
        if any(w in inner for w in words):
            return system
    return None


def targets_for(kind: str) -> dict[str, tuple[str, str]]:
    """Every target a column of ``kind`` can map to, with labels (zh, en), in menu order."""
    if kind == TOWN_KIND:
        keep = ("town", "town_code", "name", "wkt", IGNORE)
        return {k: COMMON_TARGETS[k] for k in keep}
    if kind in REFERENCE_AREAS:
        return {k: COMMON_TARGETS[k] for k in ("name", "wkt", IGNORE)}
    spec = get_spec(kind)
    out = {k: v for k, v in COMMON_TARGETS.items() if k != IGNORE}
    for f in spec.fields:
        out[f.name] = (f.label("zh"), f.label("en"))
    out[IGNORE] = COMMON_TARGETS[IGNORE]
    return out


def target_label(kind: str, target: str | None, lang: str = "zh") -> str:
    if target is None:
        return "（未对应）" if lang == "zh" else "(not mapped)"
    zh, en = targets_for(kind).get(target, (target, target))
    return zh if lang == "zh" else en


@lru_cache(maxsize=None)
def _alias_index(kind: str) -> dict[str, str]:
    """Comparison key -> target for ``kind`` (kind-specific entries win)."""
    index: dict[str, str] = {}
    for target, names in _COMMON_ALIASES.items():
        for n in names:
            index.setdefault(header_key(n), target)
    if kind == TOWN_KIND:
        for n in ("名称", "镇街名称", "乡镇名称", "name", "xzqmc", "乡镇名", "镇名"):
            index[header_key(n)] = "town"
        for n in ("代码", "编码", "code", "xzqdm", "行政区代码", "乡镇代码", "镇街代码"):
            index[header_key(n)] = "town_code"
        return index
    if kind in REFERENCE_AREAS:
        from geo.ingest.refareas import REFERENCE_NAME_ALIASES

        for n in REFERENCE_NAME_ALIASES:
            index[header_key(n)] = "name"
        return {k: v for k, v in index.items() if v in ("name", "wkt", IGNORE)}
    spec = get_spec(kind)
    for target, names in _KIND_ALIASES.get(kind, {}).items():
        for n in names:
            index[header_key(n)] = target
    for f in spec.fields:
        for n in (f.name, f.zh, f.label("zh"), f.en, f.label("en")):
            index[header_key(n)] = f.name
    # GDAL cuts Shapefile field names at 10 characters: the common columns' cuts first (``responsibl`` is
    # 责任单位, not a kind field that starts the same way, e.g. ``responsible_basis``).
    for target in ("responsible", "town_code", "status_code"):
        index.setdefault(header_key(target[:10]), target)
    for f in spec.fields:
        index.setdefault(header_key(f.name[:10]), f.name)
    for short, full in _export_short_names(spec).items():
        index.setdefault(header_key(short), full)
    return index


def _export_short_names(spec: LayerSpec) -> dict[str, str]:
    """The 10-character Shapefile names this app's export gives the columns of ``spec`` -> full keys."""
    from geo.export.records import columns_for
    from geo.export.shp import short_names

    common = {"site_id": "site_id", "name": "name", "town": "town", "town_code": "town_code",
              "responsible": "responsible", "deadline": "deadline", "status": "status_code",
              "status_zh": "status", "kind": "kind_label", "kind_zh": "kind_label"}
    out: dict[str, str] = {}
    for gcj in (False, True):
        for sample in (False, True):
            keys = [c.key for c in columns_for(spec.key, gcj, sample) if c.gis]
            for key, short in short_names(keys).items():
                if spec.field(key) is not None:
                    out[short] = key
                elif key in common:
                    out[short] = common[key]
                elif key in ("lon", "lat"):
                    out[short] = IGNORE  # representative point of the geometry: the geometry itself counts
                else:
                    out[short] = IGNORE
    return out


def _looks_cut(header: str) -> bool:
    """A Shapefile field name cut at dBASE's 10 bytes (in UTF-8 or GBK), e.g. 所在海湾 -> 所在海."""
    if header.isascii():
        return False
    return len(header.encode("utf-8")) in (8, 9, 10) or len(header.encode("gb18030", "replace")) in (9, 10)


def _unique_prefix(index: dict[str, str], key: str) -> str | None:
    """The one target whose known names start with ``key`` (None when none or several)."""
    if len(key) < 2:
        return None
    found = {t for name, t in index.items() if name.startswith(key) and name != key}
    return found.pop() if len(found) == 1 else None


@dataclass
class ColumnMapping:
    """Header -> target for one file.

    Attributes
    ----------
    kind : str
    headers : list of str
        The file's headers, in file order.
    targets : dict
        Header -> target (a key of :func:`targets_for`) or None (not mapped).
    how : dict
        Header -> ``"auto"``, ``"remembered"``, ``"user"`` or ``"none"``.
    implied_crs : dict
        Header -> the coordinate system its brackets name (``"gcj02"`` ...).
    """

    kind: str
    headers: list[str]
    targets: dict[str, str | None]
    how: dict[str, str] = field(default_factory=dict)
    implied_crs: dict[str, str] = field(default_factory=dict)

    def columns_for(self, target: str) -> list[str]:
        return [h for h in self.headers if self.targets.get(h) == target]

    def column(self, target: str) -> str | None:
        cols = self.columns_for(target)
        return cols[0] if cols else None

    def unmapped(self) -> list[str]:
        return [h for h in self.headers if self.targets.get(h) is None]

    def duplicates(self) -> dict[str, list[str]]:
        """Targets (other than ignore) that more than one header maps to."""
        seen: dict[str, list[str]] = {}
        for h in self.headers:
            t = self.targets.get(h)
            if t and t != IGNORE:
                seen.setdefault(t, []).append(h)
        return {t: hs for t, hs in seen.items() if len(hs) > 1}

    def user_part(self) -> dict[str, str | None]:
        """What differs from automatic recognition (what is worth remembering)."""
        auto = recognise(self.kind, self.headers)
        return {h: t for h, t in self.targets.items() if auto.targets.get(h) != t}


def recognise(kind: str, headers: Iterable[str], *, remembered: Mapping[str, str | None] | None = None,
              user: Mapping[str, str | None] | None = None) -> ColumnMapping:
    """Map each header to a target: user choice, else remembered mapping, else recognition.

    Parameters
    ----------
    kind : str
        Kind key (or :data:`TOWN_KIND`).
    headers : iterable of str
    remembered, user : mapping, optional
        Header -> target; targets unknown for ``kind`` are dropped.

    Returns
    -------
    ColumnMapping
        Coordinate columns named for GCJ-02/BD-09 (``经度（GCJ-02）``) are
        used only when there is no plain longitude/latitude column; otherwise
        they are ignored.
    """
    headers = list(headers)
    valid = targets_for(kind)
    index = _alias_index(kind)
    targets: dict[str, str | None] = {}
    how: dict[str, str] = {}
    implied: dict[str, str] = {}
    secondary: list[tuple[str, str]] = []
    for h in headers:
        key = header_key(h)
        bare, inner = _split(key)
        target = index.get(key) or (index.get(bare) if bare else None)
        crs = _implied_crs(inner) if inner else None
        if target in ("lon", "lat", "coords") and crs:
            implied[h] = crs
            if crs in ("gcj02", "bd09"):
                secondary.append((h, target))
                target = None
        if target is None and _looks_cut(h):
            target = _unique_prefix(index, key)
        if target is not None and target not in valid:
            target = None
        targets[h] = target
        how[h] = "auto" if target else "none"
    plain = {t for t in targets.values() if t in ("lon", "lat", "coords")}
    for h, target in secondary:
        if target in plain or any(targets.get(o) == target for o, _ in secondary if o != h):
            targets[h] = IGNORE
            how[h] = "auto"
        else:
            targets[h] = target
            how[h] = "auto"
    for source, label in ((remembered, "remembered"), (user, "user")):
        for h, t in (source or {}).items():
            if h in targets and (t is None or t in valid):
                targets[h] = t
                how[h] = label if t is not None else "none"
    return ColumnMapping(kind, headers, targets, how, {h: c for h, c in implied.items()
                                                       if targets.get(h) in ("lon", "lat", "coords")})


def layout_key(headers: Iterable[str]) -> str:
    """The ``store_meta`` key for a file layout: derived from the sorted header list.

    Two files with the same headers (in any order) share the key, so a
    mapping chosen once is offered again for next month's ledger.
    """
    keys = sorted(header_key(h) for h in headers)
    digest = hashlib.sha256(json.dumps(keys, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    return f"import.mapping.{digest}"


def encode_remembered(mapping: ColumnMapping) -> str:
    """The ``store_meta`` value remembering ``mapping``'s choices (JSON)."""
    return json.dumps({"kind": mapping.kind, "headers": mapping.headers,
                       "targets": {h: t for h, t in mapping.targets.items()}}, ensure_ascii=False)


def decode_remembered(value: str | None, kind: str) -> dict[str, str | None]:
    """Header -> target from a remembered value (targets invalid for ``kind`` dropped); {} if unusable."""
    if not value:
        return {}
    try:
        data = json.loads(value)
        targets = dict(data.get("targets") or {})
    except (ValueError, TypeError, AttributeError):
        return {}
    valid = targets_for(kind)
    return {str(h): t for h, t in targets.items() if t is None or t in valid}
