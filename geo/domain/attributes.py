"""Checks of attribute values and geometries against a layer spec (pure).

Errors name the field, the bad value and the fix; callers add the row.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any, Mapping

from shapely.geometry.base import BaseGeometry

from geo.errors import ValidationError
from layers.spec import Field, LayerSpec

_TRUE = {"1", "true", "yes", "y", "是", "有", "已安装", "√", "✓"}
_FALSE = {"0", "false", "no", "n", "否", "无", "未安装", "×", ""}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def coerce_value(spec: LayerSpec, fld: Field, value: Any) -> Any:
    """Return ``value`` converted to ``fld``'s type, or raise ValidationError.

    ``None`` and empty strings become ``None`` (then ``required`` is checked by
    :func:`check_attrs`). Choice fields accept the code or either label.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    t = fld.type
    if fld.photo:
        text = str(value).strip().lower()
        if _SHA256.fullmatch(text):
            return text
        raise ValidationError(
            "field.bad_photo",
            en=f"{spec.en} field {fld.name!r} ({fld.en}) holds a stored photo's SHA-256, not {str(value)[:40]!r}; "
               "upload the photo in the outfall's file instead.",
            zh=f"{spec.zh}字段“{fld.zh}”须为系统中已保存照片的编号（SHA-256），不能是“{str(value)[:40]}”；请在档案中上传照片。",
            field=fld.name, value=value,
            fix_zh="在系统中上传照片（台账不能携带照片）；导入时删除该列。",
            fix_en="Upload the photo in the app (a ledger cannot carry photos); drop the column from the import.",
        )
    if t == "text":
        from geo.domain.text import check_text

        return check_text(str(value), field_zh=fld.zh, field_en=fld.en, limit=fld.limit, multiline=fld.multiline)
    try:
        if t == "int":
            f = float(value)
            if not f.is_integer():
                raise ValueError
            return int(f)
        if t == "float":
            f = float(value)
            if math.isnan(f) or math.isinf(f):
                raise ValueError
            return f
        if t == "bool":
            if isinstance(value, bool):
                return value
            s = str(value).strip().lower()
            if s in _TRUE:
                return True
            if s in _FALSE:
                return False
            raise ValueError
        if t == "date":
            if isinstance(value, datetime):
                return value.date().isoformat()
            if isinstance(value, date):
                return value.isoformat()
            return date.fromisoformat(str(value).replace("/", "-")[:10]).isoformat()
        if t == "choice":
            for c in fld.choices:
                if value in (c.code, c.zh, c.en):
                    return c.code
            raise ValueError
    except (TypeError, ValueError):
        pass
    hint_en, hint_zh = _hint(fld)
    raise ValidationError(
        "field.bad_value",
        en=f"{spec.en} field {fld.name!r} ({fld.en}): {value!r} is not valid; {hint_en}.",
        zh=f"{spec.zh}字段“{fld.zh}”：值“{value}”无效；{hint_zh}。",
        field=fld.name,
        value=value,
    )


def _hint(fld: Field) -> tuple[str, str]:
    if fld.type == "choice":
        return (
            "use one of: " + ", ".join(f"{c.code} ({c.zh})" for c in fld.choices),
            "可选值：" + "、".join(c.zh for c in fld.choices),
        )
    return {
        "int": ("enter a whole number", "请填写整数"),
        "float": ("enter a number", "请填写数字"),
        "bool": ("enter 是/否 (yes/no)", "请填写“是”或“否”"),
        "date": ("enter a date as YYYY-MM-DD", "请按 YYYY-MM-DD 填写日期"),
    }.get(fld.type, ("enter text", "请填写文字"))


def check_attrs(spec: LayerSpec, attrs: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Coerce every kind attribute; check required ones unless ``partial``.

    Unknown attribute names are refused (a typo would otherwise vanish).
    """
    out: dict[str, Any] = {}
    for name in attrs:
        if spec.field(name) is None:
            valid = ", ".join(f.name for f in spec.fields)
            raise ValidationError(
                "field.unknown",
                en=f"{spec.en} has no field {name!r}; valid fields: {valid}.",
                zh=f"{spec.zh}没有字段“{name}”；可用字段：{valid}。",
                field=name,
            )
    for fld in spec.fields:
        if fld.name in attrs:
            out[fld.name] = coerce_value(spec, fld, attrs[fld.name])
        if not partial and fld.required and out.get(fld.name) is None:
            raise ValidationError(
                "field.required",
                en=f"{spec.en} field {fld.name!r} ({fld.en}) is required; fill it in.",
                zh=f"{spec.zh}字段“{fld.zh}”为必填项，请填写。",
                field=fld.name,
            )
    return out


def check_geometry(spec: LayerSpec, geom: BaseGeometry) -> None:
    """Raise ValidationError if ``geom`` is empty, invalid or of the wrong type."""
    if geom is None or geom.is_empty:
        raise ValidationError(
            "geometry.empty",
            en=f"{spec.en}: the geometry is empty; give coordinates.",
            zh=f"{spec.zh}：缺少空间位置，请提供坐标。",
        )
    if geom.geom_type not in spec.geometry_types():
        raise ValidationError(
            "geometry.wrong_type",
            en=f"{spec.en} needs {'/'.join(spec.geometry_types())}, got {geom.geom_type}.",
            zh=f"{spec.zh}需要{'/'.join(spec.geometry_types())}类型的几何，收到 {geom.geom_type}。",
            value=geom.geom_type,
        )
    if not geom.is_valid:
        from shapely.validation import explain_validity

        raise ValidationError(
            "geometry.invalid",
            en=f"{spec.en}: invalid geometry ({explain_validity(geom)}); fix it in a GIS (e.g. QGIS 'Fix geometries').",
            zh=f"{spec.zh}：几何无效（{explain_validity(geom)}），请在GIS软件中修复。",
        )
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError(
            "geometry.not_lonlat",
            en=f"{spec.en}: coordinates {geom.bounds} are not WGS84 longitude/latitude.",
            zh=f"{spec.zh}：坐标 {geom.bounds} 不是WGS84经纬度。",
        )


def check_site_text(name, responsible) -> None:
    """Refuse a site name or responsible body with control characters or over its length (``layers/spec.py``).

    Raises
    ------
    ValidationError
        ``text.control_chars`` or ``text.too_long``.
    """
    from geo.domain.text import check_text
    from layers.spec import common_field

    for fname, value in (("name", name), ("responsible", responsible)):
        fld = common_field(fname)
        check_text(value, field_zh=fld.zh, field_en=fld.en, limit=fld.limit)


def check_note(note) -> str | None:
    """Refuse a status-change note with control characters or over :data:`layers.spec.NOTE_MAX_LENGTH`;
    return it as kept (NFC)."""
    from geo.domain.text import check_text
    from layers.spec import NOTE_MAX_LENGTH

    return check_text(note, field_zh="说明", field_en="Note", limit=NOTE_MAX_LENGTH, multiline=True)
