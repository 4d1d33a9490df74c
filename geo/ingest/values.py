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
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from geo.errors import ValidationError
from geo.ingest.messages import invalid
from layers.spec import Field, LayerSpec

__all__ = [
    "STATUS_SYNONYMS", "CHOICE_SYNONYMS", "clean_text", "clean_id", "is_blank", "parse_number", "parse_date",
    "parse_bool", "parse_choice", "parse_status", "coerce_field", "match_key", "excel_error",
]

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_FORMULA = ("=", "+", "-", "@")
_EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                 "#GETTING_DATA"}

#: Usual words for a status in the bureau's ledgers, per kind (matched after :func:`match_key`).
STATUS_SYNONYMS: dict[str, dict[str, str]] = {
    "outfalls": {
        "已排查": "surveyed", "排查": "surveyed", "已完成排查": "surveyed", "排查完成": "surveyed",
        "已监测": "monitored", "监测": "monitored", "已完成监测": "monitored", "监测完成": "monitored",
        "已溯源": "traced", "溯源": "traced", "已完成溯源": "traced", "溯源完成": "traced",
        "整治中": "remediating", "正在整治": "remediating", "整改中": "remediating", "在整治": "remediating",
        "未完成整治": "remediating", "推进中": "remediating",
        "已整治": "remediated", "已完成": "remediated", "完成": "remediated", "整治完成": "remediated",
        "已完成整治": "remediated", "已整改": "remediated", "整改完成": "remediated", "已完成整改": "remediated",
        "已销号": "closed", "销号": "closed", "已完成销号": "closed",
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

#: Usual synonyms of choice values, per (kind, field).
CHOICE_SYNONYMS: dict[tuple[str, str], dict[str, str]] = {
    ("clean_fuel_zones", "fuel_category"): {
        "i": "I", "i类": "I", "1类": "I", "一类": "I", "第一类": "I", "第i类": "I",
        "ii": "II", "ii类": "II", "2类": "II", "二类": "II", "第二类": "II", "第ii类": "II",
        "iii": "III", "iii类": "III", "3类": "III", "三类": "III", "第三类": "III", "第iii类": "III",
    },
    ("parks", "level"): {"国家": "national", "国家级开发区": "national", "省": "provincial",
                         "省级开发区": "provincial", "市": "municipal", "县级": "municipal", "市级开发区": "municipal"},
    ("outfalls", "bay"): {"福清湾海域": "fuqing_bay", "兴化湾海域": "xinghua_bay"},
    ("outfalls", "outfall_type"): {"工业": "industrial", "工业排口": "industrial", "污水处理厂": "municipal_wwtp",
                                   "污水处理厂排口": "municipal_wwtp", "城镇污水处理厂": "municipal_wwtp",
                                   "农业": "agricultural", "养殖尾水": "agricultural", "水产养殖": "agricultural",
                                   "水产养殖排口": "agricultural", "雨洪排口": "stormwater", "雨水排口": "stormwater",
                                   "港口码头": "port", "码头排口": "port"},
    ("black_odorous", "water_kind"): {"城市": "urban", "建成区": "urban", "城区": "urban", "城市建成区水体": "urban",
                                      "农村黑臭水体": "rural", "乡村": "rural"},
    ("black_odorous", "grade"): {"轻度": "light", "重度": "heavy", "无": "none", "非黑臭": "none"},
    ("parks", "circular_retrofit"): {"未开始": "not_started", "未启动": "not_started", "实施": "in_progress",
                                     "进行中": "in_progress", "完成": "completed", "不适用": "not_applicable",
                                     "不具备": "not_applicable"},
}

_TRUE = {"1", "true", "yes", "y", "是", "有", "已安装", "√", "✓", "✔", "对", "t"}
_FALSE = {"0", "false", "no", "n", "否", "无", "未安装", "×", "✗", "✘", "错", "f"}

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
