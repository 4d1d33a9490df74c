"""Cell values as ledgers write them, turned into what the layer spec wants (pure).

Documented normalisations (each tested in ``tests/test_ingest_malformed.py``):

* **text** (names, bodies): leading/trailing spaces (incl. the full-width
  U+3000), zero-width marks and a BOM are removed; nothing else changes.
  Text starting with ``= + - @`` stays text, unchanged (it is never
  evaluated; exports neutralise it again); a leading ``'`` before such text —
  how this app's CSV export neutralises it — is removed. Excel error values
  (``#N/A``, ``#REF!`` …) are refused.
* **ids**: NFKC (full-width letters and digits to half-width) and no spaces.
* **numbers**: NFKC, thousands separators (``1,234.5``), the field's unit
  or a common unit word (``5000吨``, ``800 kVA``, ``95%``), ``万`` (×10 000:
  ``5万吨`` = 50 000) — anything else is refused, never truncated.
* **dates**: Excel dates, Excel serial day numbers (``45657``),
  ``2025-12-31``, ``2025/12/31``, ``2025.12.31``, ``2025年12月31日``,
  ``20251231``; a time of day is dropped.
* **yes/no**: 是/否, 有/无, Y/N, true/false, 1/0, √/×, 已安装/未安装.
* **choices**: the code, the Chinese or English label (case, spaces and
  full-width ignored), the label without its bracketed part (``Ⅰ类``), and a
  few usual synonyms.
* **statuses**: the code, the labels and the usual synonyms per kind
  (已完成/完成/已整治 …), listed in :data:`STATUS_SYNONYMS`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from geo.errors import ValidationError
from geo.ingest.messages import invalid
from layers.spec import Field, LayerSpec

__all__ = [
    "STATUS_SYNONYMS", "CHOICE_SYNONYMS", "clean_text", "clean_id", "is_blank", "parse_number", "parse_date",
    "parse_bool", "parse_choice", "parse_status", "coerce_field", "match_key", "excel_error", "STATUS_NOTES",
    "STATUS_IMPLIES", "status_note", "complete_cells", "CellNote",
]

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_FORMULA = ("=", "+", "-", "@")
_EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                 "#GETTING_DATA"}

#: Usual words for a status in the bureau's ledgers, per kind (matched after :func:`match_key`).
STATUS_SYNONYMS: dict[str, dict[str, str]] = {
    # 国办函〔2022〕17号: the work runs 查、测、溯、治; ledgers write each step in full, short (排查) or as
    # one character (查). 整治 / 治 alone are read as the remediation step with a warning
    # (:data:`STATUS_NOTES`); 已取缔 … also fill the remediation method (:data:`STATUS_IMPLIES`).
    "outfalls": {
        "已排查": "surveyed", "排查": "surveyed", "查": "surveyed", "已查": "surveyed", "已完成排查": "surveyed",
        "排查完成": "surveyed", "排查阶段": "surveyed", "待监测": "surveyed", "未监测": "surveyed",
        "已监测": "monitored", "监测": "monitored", "测": "monitored", "已测": "monitored", "已完成监测": "monitored",
        "监测完成": "monitored", "监测阶段": "monitored", "待溯源": "monitored", "未溯源": "monitored",
        "已溯源": "traced", "溯源": "traced", "溯": "traced", "已溯": "traced", "已完成溯源": "traced",
        "溯源完成": "traced", "溯源阶段": "traced", "待整治": "surveyed", "未整治": "surveyed",
        "整治中": "remediating", "正在整治": "remediating", "整改中": "remediating", "在整治": "remediating",
        "未完成整治": "remediating", "推进中": "remediating", "整治阶段": "remediating", "整治": "remediating",
        "治": "remediating", "整改": "remediating", "取缔": "remediating", "依法取缔": "remediating",
        "取缔中": "remediating", "拟取缔": "remediating", "合并中": "remediating", "拟合并": "remediating",
        "清理合并中": "remediating", "规范整治中": "remediating", "规范化整治中": "remediating",
        "整治完成": "remediated", "已整治": "remediated", "已完成": "remediated", "完成": "remediated",
        "已完成整治": "remediated", "已整改": "remediated", "整改完成": "remediated", "已完成整改": "remediated",
        "已治": "remediated", "已取缔": "remediated", "取缔完成": "remediated", "已依法取缔": "remediated",
        "已封堵": "remediated", "已合并": "remediated", "已清理合并": "remediated", "合并完成": "remediated",
        "已规范": "remediated", "已规范整治": "remediated", "规范整治完成": "remediated",
        "已销号": "closed", "销号": "closed", "销": "closed", "已销": "closed", "已完成销号": "closed",
        "销号完成": "closed",
        "排查核销": "dismissed", "核销": "dismissed", "已核销": "dismissed", "非排污口": "dismissed",
        "不是排污口": "dismissed", "非排口": "dismissed", "重复": "dismissed", "重复排口": "dismissed",
        "重复点位": "dismissed", "已消失": "dismissed", "消失": "dismissed", "不存在": "dismissed",
    },
    "black_odorous": {
        "未整治": "untreated", "未开始": "untreated", "未启动": "untreated", "黑臭": "untreated",
        "整治中": "remediating", "正在整治": "remediating", "在建": "remediating", "推进中": "remediating",
        "初见成效": "initial_effect", "已完成": "initial_effect", "完成": "initial_effect", "已整治": "initial_effect",
        "整治完成": "initial_effect", "已消除": "initial_effect", "基本消除": "initial_effect", "已消除黑臭": "initial_effect",
        "长治久清": "long_term_clean", "长效保持": "long_term_clean", "已验收": "long_term_clean",
    },
    "parks": {
        "未启动": "not_started", "未开始": "not_started", "未建设": "not_started",
        "建设中": "building", "在建": "building", "正在建设": "building", "推进中": "building",
        "已建成": "completed", "建成": "completed", "已完成": "completed", "完成": "completed",
        "已验收": "accepted", "验收": "accepted", "通过验收": "accepted", "已通过验收": "accepted",
    },
    "clean_fuel_zones": {
        "拟划定": "proposed", "未划定": "proposed", "待划定": "proposed",
        "已划定": "designated", "划定": "designated",
        "已公告": "announced", "公告": "announced", "已发布": "announced",
        "已实施": "enforced", "实施": "enforced", "已完成": "enforced", "完成": "enforced", "实施中": "enforced",
    },
    "shore_power_berths": {
        "不具备": "none", "无": "none", "未建": "none", "未建设": "none", "无岸电": "none",
        "建设中": "building", "在建": "building", "正在建设": "building",
        "具备供电能力": "available", "具备": "available", "已具备": "available", "已建成": "available",
        "已完成": "available", "完成": "available", "可供电": "available", "已投用": "available",
    },
}

_READ_AS_REMEDIATING = "status.read_as|remediating"
_READ_AS_SURVEYED = "status.read_as|surveyed"

#: Status words read with a warning, per kind: the word -> its entry in :data:`geo.ingest.messages.MESSAGES`
#: (``{value}`` is the cell).
STATUS_NOTES: dict[str, dict[str, str]] = {
    "outfalls": {"整治": _READ_AS_REMEDIATING, "治": _READ_AS_REMEDIATING, "整改": _READ_AS_REMEDIATING,
                 "取缔": _READ_AS_REMEDIATING, "依法取缔": _READ_AS_REMEDIATING,
                 "未整治": _READ_AS_SURVEYED, "待整治": _READ_AS_SURVEYED},
}

#: Status words that also say a field's value (field -> choice code), per kind: a blank cell of that
#: field takes it; a cell that says otherwise is a conflict.
STATUS_IMPLIES: dict[str, dict[str, dict[str, str]]] = {
    "outfalls": {
        **{w: {"remediation_method": "ban"} for w in ("取缔", "依法取缔", "取缔中", "拟取缔", "已取缔", "取缔完成",
                                                     "已依法取缔", "已封堵")},
        **{w: {"remediation_method": "merge"} for w in ("合并中", "拟合并", "清理合并中", "已合并", "已清理合并",
                                                       "合并完成")},
        **{w: {"remediation_method": "standardise"} for w in ("规范整治中", "规范化整治中", "已规范", "已规范整治",
                                                             "规范整治完成")},
        **{w: {"dismissal_reason": "not_outfall"} for w in ("非排污口", "不是排污口", "非排口")},
        **{w: {"dismissal_reason": "duplicate"} for w in ("重复", "重复排口", "重复点位")},
        **{w: {"dismissal_reason": "gone"} for w in ("已消失", "消失", "不存在")},
    },
}

#: Usual synonyms of choice values, per (kind, field).
CHOICE_SYNONYMS: dict[tuple[str, str], dict[str, str]] = {
    ("clean_fuel_zones", "fuel_category"): {
        "i": "I", "i类": "I", "1类": "I", "一类": "I", "第一类": "I", "第i类": "I",
        "ii": "II", "ii类": "II", "2类": "II", "二类": "II", "第二类": "II", "第ii类": "II",
        "iii": "III", "iii类": "III", "3类": "III", "三类": "III", "第三类": "III", "第iii类": "III",
    },
    ("parks", "level"): {"国家": "national", "国家级开发区": "national", "省": "provincial",
                         "省级开发区": "provincial", "市": "municipal", "县级": "municipal", "市级开发区": "municipal"},
    ("outfalls", "discharge_into"): {"入海": "sea", "海": "sea", "入海口": "sea", "排海": "sea",
                                     "入河": "river", "河": "river", "入湖": "river", "入河(湖)": "river",
                                     "入河湖": "river", "入河(湖库)": "river", "入库": "river", "入江": "river"},
    ("outfalls", "receiving_water"): {"福清湾海域": "fuqing_bay", "兴化湾海域": "xinghua_bay", "海坛海峡海域": "haitan_strait",
                                      "海坛海峡(平潭海峡)": "haitan_strait", "龙江": "longjiang_main",
                                      "龙江干流段": "longjiang_main", "龙江主河道": "longjiang_main",
                                      "龙江支流河道": "longjiang_tributary", "湖泊": "lake", "水库": "lake",
                                      "湖泊水库": "lake", "湖": "lake", "东张水库": "lake", "河流": "other_river",
                                      "海域": "other_sea", "近岸海域": "other_sea", "其它": "other", "其他": "other"},
    ("outfalls", "outfall_type"): {"工业": "industrial", "工业排口": "industrial", "工业污水排口": "industrial",
                                   "污水处理厂": "municipal_wwtp", "污水处理厂排口": "municipal_wwtp",
                                   "城镇污水处理厂": "municipal_wwtp", "城镇污水处理厂排口": "municipal_wwtp",
                                   "污水厂排口": "municipal_wwtp", "农业": "agricultural", "农业排污口": "agricultural",
                                   "养殖尾水": "agricultural", "水产养殖": "agricultural",
                                   "水产养殖排口": "agricultural", "其他": "other", "其它": "other",
                                   "其它排口": "other", "其他排污口": "other"},
    # HJ 1312-2023 third-level names and common short forms, read as their second level.
    ("outfalls", "outfall_subtype"): {
        "工业企业排污口": "enterprise", "矿山排污口": "enterprise", "尾矿库排污口": "enterprise",
        "企业排污口": "enterprise", "工业企业雨洪排口": "enterprise_storm", "矿山雨洪排口": "enterprise_storm",
        "尾矿库雨洪排口": "enterprise_storm", "企业雨水排口": "enterprise_storm", "企业雨洪排口": "enterprise_storm",
        "园区污水处理厂排污口": "park_wwtp", "工业园区污水处理厂排污口": "park_wwtp", "园区污水厂排口": "park_wwtp",
        "园区雨洪排口": "park_wwtp_storm", "园区污水处理厂雨洪排口": "park_wwtp_storm",
        "港口码头": "port", "码头排口": "port", "港口排口": "port", "港口码头排污口": "port",
        "雨洪排口": "urban_storm", "雨水排口": "urban_storm", "城市雨洪排口": "urban_storm",
        "城镇雨水排口": "urban_storm", "农村生活污水排口": "rural_scattered", "农村散排口": "rural_scattered",
        "农村污水处理站排口": "rural_wwtp", "农村污水处理设施排口": "rural_wwtp", "灌区排口": "irrigation",
        "生活污水散排口": "urban_scattered", "城镇散排口": "urban_scattered", "沟渠": "other_misc",
        "河港": "other_misc", "排干": "other_misc", "沟渠排口": "other_misc",
    },
    # 国办函〔2022〕17号 三: 依法取缔一批、清理合并一批、规范整治一批. 保留 (kept in place) is 规范整治.
    ("outfalls", "remediation_method"): {"取缔": "ban", "封堵": "ban", "拆除": "ban", "关闭": "ban",
                                         "合并": "merge", "归并": "merge", "规范": "standardise",
                                         "规范化": "standardise", "规范化整治": "standardise", "保留": "standardise",
                                         "保留规范": "standardise", "整治规范": "standardise"},
    ("outfalls", "dismissal_reason"): {"不是排污口": "not_outfall", "非排口": "not_outfall",
                                       "重复排口": "duplicate", "重复录入": "duplicate", "重复点位": "duplicate",
                                       "消失": "gone", "不存在": "gone"},
    ("outfalls", "responsible_basis"): {"企业": "discharger", "排污企业": "discharger", "共用": "shared_main",
                                        "主要责任主体": "shared_main", "政府兜底": "government",
                                        "属地政府": "government", "兜底": "government"},
    ("outfalls", "discharge_mode"): {"连续": "continuous", "间歇": "intermittent", "间断": "intermittent",
                                     "间断排放": "intermittent", "雨天排放": "rain", "降雨排放": "rain",
                                     "雨天": "rain", "无水": "none", "无排水": "none", "干涸": "none"},
    ("black_odorous", "water_kind"): {"城市": "urban", "建成区": "urban", "城区": "urban", "城市建成区水体": "urban",
                                      "农村黑臭水体": "rural", "乡村": "rural"},
    ("black_odorous", "grade"): {"轻度": "light", "重度": "heavy", "无": "none", "非黑臭": "none"},
    ("parks", "circular_retrofit"): {"未开始": "not_started", "未启动": "not_started", "实施": "in_progress",
                                     "进行中": "in_progress", "完成": "completed", "不适用": "not_applicable",
                                     "不具备": "not_applicable"},
}

_TRUE = {"1", "true", "yes", "y", "是", "有", "已安装", "√", "✓", "✔", "对", "t", "已设置", "已建"}
_FALSE = {"0", "false", "no", "n", "否", "无", "未安装", "×", "✗", "✘", "错", "f", "未设置", "未建"}

#: Words that may follow a number, per field unit (only the field's own unit is stripped: "1200m" in a km
#: field is refused, not read as 1200 km).
_UNIT_WORDS = {"t": ("吨级", "吨", "t"), "km": ("km", "公里", "千米"), "km²": ("km²", "km2", "平方公里", "平方千米"),
               "kva": ("kva", "千伏安"), "kwh": ("kwh", "千瓦时", "度"), "%": ("%",), "次": ("次",), "台": ("台",)}


def match_key(text: Any) -> str:
    """Comparison key: NFKC, no spaces/marks, lower case, trailing punctuation dropped."""
    s = unicodedata.normalize("NFKC", str(text))
    s = "".join(ch for ch in s if not ch.isspace() and ch not in _ZERO_WIDTH)
    return s.lower().strip("。.;；,，、")


def is_blank(value: Any) -> bool:
    """None, NaN, or text that is only spaces/marks."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip(" \t\r\n\u3000" + _ZERO_WIDTH)
    return False


def excel_error(value: Any) -> bool:
    """True for an Excel error value (``#N/A`` …) that reached the cell."""
    return isinstance(value, str) and value.strip().upper() in _EXCEL_ERRORS


def _bad(code: str, fld_zh: str, fld_en: str, value: Any, hint_zh: str = "", hint_en: str = "") -> ValidationError:
    return invalid(code, value=value, field_zh=fld_zh, field_en=fld_en, hint_zh=hint_zh, hint_en=hint_en)


def clean_text(value: Any) -> str | None:
    """Text as typed, trimmed (see the module notes); None when blank.

    Raises
    ------
    ValidationError
        ``cell.excel_error`` for ``#N/A`` and friends.
    """
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10] if isinstance(value, datetime) and value.time() == datetime.min.time() \
            else value.isoformat()
    text = str(value).strip(" \t\r\n\u3000" + _ZERO_WIDTH)
    text = text.replace("\ufeff", "")
    if excel_error(text):
        raise invalid("cell.excel_error", value=text)
    if text.startswith("'") and text[1:2] in _FORMULA:
        text = text[1:]
    return text


def clean_id(value: Any) -> str | None:
    """A site id: NFKC, no spaces; integers written by Excel as floats lose their ``.0``."""
    text = clean_text(value)
    if text is None:
        return None
    return "".join(unicodedata.normalize("NFKC", text).split())


def parse_number(fld: Field, value: Any) -> float | int:
    """A number for an int/float field (see the module notes).

    Raises
    ------
    ValidationError
        ``field.bad_number``.
    """
    hint_zh = "请填写整数" if fld.type == "int" else "请填写数字"
    hint_en = "enter a whole number" if fld.type == "int" else "enter a number"
    if fld.unit:
        hint_zh += f"（单位 {fld.unit}）"
        hint_en += f" (unit {fld.unit})"
    if isinstance(value, bool):
        raise _bad("field.bad_number", fld.zh, fld.en, value, hint_zh, hint_en)
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
    else:
        text = match_key(value)
        scale = 1.0
        unit = match_key(fld.unit) if fld.unit else ""
        for word in _UNIT_WORDS.get(unit, (unit,) if unit else ()):
            if text.endswith(word) and len(text) > len(word):
                text = text[: -len(word)]
                break
        if text.endswith("万"):
            text, scale = text[:-1], scale * 10_000.0
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
        try:
            f = float(text) * scale
        except ValueError:
            raise _bad("field.bad_number", fld.zh, fld.en, value, hint_zh, hint_en) from None
    if not math.isfinite(f):
        raise _bad("field.bad_number", fld.zh, fld.en, value, hint_zh, hint_en)
    if fld.type == "int":
        if not float(f).is_integer():
            raise _bad("field.bad_number", fld.zh, fld.en, value, hint_zh, hint_en)
        return int(f)
    return f


_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
#: Excel's day 0 (the 1900 system, with its leap-year bug folded in for days > 60).
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(fld_zh: str, fld_en: str, value: Any) -> str:
    """An ISO date ``YYYY-MM-DD`` (see the module notes).

    Raises
    ------
    ValidationError
        ``field.bad_date``.
    """
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        f = float(value)
        if math.isfinite(f) and 20_000 <= f <= 80_000 and float(f).is_integer():
            return (_EXCEL_EPOCH + timedelta(days=int(f))).isoformat()
        if math.isfinite(f) and float(f).is_integer() and 19_000_101 <= f <= 21_001_231:
            value = str(int(f))
        else:
            raise _bad("field.bad_date", fld_zh, fld_en, value)
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(text)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                break
    raise _bad("field.bad_date", fld_zh, fld_en, value)


def parse_bool(fld: Field, value: Any) -> bool:
    """是/否 and friends (see the module notes).

    Raises
    ------
    ValidationError
        ``field.bad_bool``.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and float(value) in (0.0, 1.0):
        return bool(float(value))
    key = match_key(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise _bad("field.bad_bool", fld.zh, fld.en, value)


def _label_keys(text: str) -> set[str]:
    key = match_key(text)
    return {key, re.sub(r"\(.*?\)", "", key)}


def _match_choice(spec: LayerSpec, fld: Field, key: str) -> str | None:
    """The code of ``fld``'s choice whose code, label or synonym is ``key`` (a :func:`match_key`), else None."""
    for c in fld.choices:
        if key in {match_key(c.code)} | _label_keys(c.zh) | _label_keys(c.en):
            return c.code
    return CHOICE_SYNONYMS.get((spec.key, fld.name), {}).get(key)


def parse_choice(spec: LayerSpec, fld: Field, value: Any) -> str:
    """The choice code for a code, label or usual synonym.

    Raises
    ------
    ValidationError
        ``field.bad_choice`` listing the allowed labels.
    """
    key = match_key(value)
    for c in fld.choices:
        if key in {match_key(c.code)} | _label_keys(c.zh) | _label_keys(c.en):
            return c.code
    synonyms = CHOICE_SYNONYMS.get((spec.key, fld.name), {})
    if key in synonyms:
        return synonyms[key]
    # A value of a dependent field (a second-level class) names its parent (the first level).
    for dep in spec.dependents(fld.name):
        code = _match_choice(spec, dep, key)
        choice = dep.choice(code) if code else None
        if choice is not None and choice.parent:
            return choice.parent
    allowed_zh = "、".join(c.zh for c in fld.choices)
    allowed_en = ", ".join(f"{c.code} ({c.zh})" for c in fld.choices)
    raise invalid("field.bad_choice", value=value, field_zh=fld.zh, field_en=fld.en, allowed_zh=allowed_zh,
                  allowed_en=allowed_en)


def parse_status(spec: LayerSpec, value: Any) -> str:
    """The status code for a code, a label or a usual synonym of ``spec``'s workflow.

    Raises
    ------
    ValidationError
        ``status.unknown`` listing the workflow's statuses in order.
    """
    key = match_key(value)
    for s in spec.statuses:
        if key in {match_key(s.code), match_key(s.zh), match_key(s.en)}:
            return s.code
    synonyms = STATUS_SYNONYMS.get(spec.key, {})
    if key in synonyms:
        return synonyms[key]
    steps = sorted(spec.statuses, key=lambda s: s.step)
    allowed_zh = " → ".join(s.zh for s in steps)
    allowed_en = ", ".join(f"{s.code} ({s.zh})" for s in steps)
    raise invalid("status.unknown", value=value, kind_zh=spec.zh, kind_en=spec.en, allowed_zh=allowed_zh,
                  allowed_en=allowed_en)


def coerce_field(spec: LayerSpec, fld: Field, value: Any) -> Any:
    """The spec value of ``fld`` for a cell; None when blank.

    Raises
    ------
    ValidationError
        ``field.bad_number``, ``field.bad_date``, ``field.bad_bool``,
        ``field.bad_choice`` or ``cell.excel_error``.
    """
    if is_blank(value):
        return None
    if excel_error(value):
        clean_text(value)  # raises cell.excel_error
    if fld.photo:
        from geo.domain.attributes import coerce_value

        return coerce_value(spec, fld, clean_text(value))  # a stored photo's hash, or field.bad_photo
    if fld.type == "text":
        return clean_text(value)
    if fld.type in ("int", "float"):
        return parse_number(fld, value)
    if fld.type == "bool":
        return parse_bool(fld, value)
    if fld.type == "date":
        return parse_date(fld.zh, fld.en, value)
    if fld.type == "choice":
        return parse_choice(spec, fld, value)
    return clean_text(value)


def status_note(spec: LayerSpec, value: Any) -> str | None:
    """The message key (:data:`geo.ingest.messages.MESSAGES`) when ``value`` is a status word read with a
    warning (:data:`STATUS_NOTES`), else None."""
    return STATUS_NOTES.get(spec.key, {}).get(match_key(value))


@dataclass(frozen=True)
class CellNote:
    """Something :func:`complete_cells` found: its message key (:data:`geo.ingest.messages.MESSAGES`) with the
    values it names, where, and how bad it is."""

    key: str
    column: str
    params: dict
    severity: str = "warning"
    value: str = ""


Cells = dict[str, tuple[Any, Any]]


def complete_cells(spec: LayerSpec, cells: Cells, status: tuple[Any, Any] = (None, None)) -> tuple[Cells, list[CellNote]]:
    """Fill what a ledger row says only implicitly; ``cells`` is field -> (header, value), header None = no column.

    * A status word that names a field's value (已取缔 → 整治方式 依法取缔, 重复 → 核销原因 重复,
      :data:`STATUS_IMPLIES`) fills that field's blank cell; a cell that says otherwise is an error
      (``status.implies_conflict``).
    * A dependent field (second-level class, receiving water) left blank takes its parent column's
      value when that value is one of its own choices (a type column holding 城镇雨洪排口); a parent
      left blank takes the parent of the dependent value (受纳水体 福清湾 → 入海).

    Returns the completed cells (a filled cell carries the header it came from) and the notes.
    """
    out = dict(cells)
    notes: list[CellNote] = []
    sh, sv = status
    if sh is not None and not is_blank(sv):
        for name, code in STATUS_IMPLIES.get(spec.key, {}).get(match_key(sv), {}).items():
            fld = spec.field(name)
            h, v = out.get(name, (None, None))
            if h is None or is_blank(v):
                out[name] = (sh, fld.choice(code).zh)
                continue
            given = _match_choice(spec, fld, match_key(v))
            if given is not None and given != code:
                notes.append(CellNote(
                    "status.implies_conflict", f"{sh}/{h}",
                    dict(status=str(sv), field_zh=fld.zh, field_en=fld.en, implied_zh=fld.choice(code).zh,
                         implied_en=fld.choice(code).en, other=h, given=str(v)),
                    severity="error", value=str(v)))
    for fld in spec.fields:
        if not fld.depends_on:
            continue
        parent = spec.field(fld.depends_on)
        ph, pv = out.get(parent.name, (None, None))
        h, v = out.get(fld.name, (None, None))
        if (h is None or is_blank(v)) and ph is not None and not is_blank(pv):
            key = match_key(pv)
            if _match_choice(spec, parent, key) is None and _match_choice(spec, fld, key) is not None:
                out[fld.name] = (ph, pv)
        elif (ph is None or is_blank(pv)) and h is not None and not is_blank(v):
            code = _match_choice(spec, fld, match_key(v))
            choice = fld.choice(code) if code else None
            if choice is not None and choice.parent:
                out[parent.name] = (h, parent.choice(choice.parent).zh)
    return out, notes

