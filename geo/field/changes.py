"""A change as the offline client sends it: checked field by field, then turned into the store's terms.

The device sends JSON (see ``static/field-sync.js``)::

    {"op_id": "…", "site_id": "PWK-001", "base_version": 3, "after_op": null,
     "to_status": "remediating", "note": "…", "fields": {"remediation_method": "standardise"},
     "photos": ["<sha256 of the bytes the device uploaded>", …],
     "fix": {"lon": 119.47, "lat": 25.66, "accuracy_m": 8, "time": 1763631000000} | null,
     "captured_at": 1763631012000, "sent_at": 1763640000000}

Times are the device's clock in milliseconds since 1970 (UTC). The capture
time and the fix are those of the moment the change was recorded, not of the
sync. The clock offset (server time minus ``sent_at`` when it arrives) is
kept beside them, so a reviewer can tell a device whose clock was wrong.
Anything malformed is refused as a whole with a message naming the field and
what it should be; nothing is guessed.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Any, Mapping

from shapely.geometry import Point

from geo.crs import geodesic_distance_m
from geo.errors import ValidationError
from geo.store.base import Evidence
from geo.store.sync import OfflineChange

__all__ = ["MAX_NOTE", "MAX_PHOTOS", "parse_change", "fix_evidence", "clock_offset_s"]

MAX_NOTE = 2000
MAX_PHOTOS = 12
MAX_FIELDS = 40
MAX_TEXT_VALUE = 500
_OP = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
# Device times before this are not plausible captures (a phone with a reset clock says 1970).
_EARLIEST_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z


def _bad(field: str, zh: str, en: str, value: Any = None) -> ValidationError:
    shown = repr(value)[:80]
    return ValidationError("field.bad_change", zh=f"离线变更的“{field}”无效：{zh}（收到 {shown}）。",
                           en=f"Offline change field {field!r} is invalid: {en} (got {shown}).",
                           fix_zh="请更新离线巡查页面后重新记录该变更。",
                           fix_en="Update the field client and record the change again.", field=field)


def _note(d: Mapping) -> str:
    """The note as the store keeps it (NFC); control and hidden direction characters refused
    (``text.control_chars``, :func:`geo.domain.attributes.check_note`) before anything is recorded."""
    from geo.domain.attributes import check_note

    return check_note(_text(d, "note", max_len=MAX_NOTE, required=False) or None) or ""


def _text(d: Mapping, key: str, *, max_len: int, required: bool = True) -> str | None:
    v = d.get(key)
    if v is None and not required:
        return None
    if not isinstance(v, str) or (required and not v.strip()) or len(v) > max_len:
        raise _bad(key, f"应为不超过 {max_len} 个字符的文本", f"expected text of at most {max_len} characters", v)
    return v


def _int(d: Mapping, key: str, *, minimum: int = 0, required: bool = True) -> int | None:
    v = d.get(key)
    if v is None and not required:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise _bad(key, f"应为不小于 {minimum} 的整数", f"expected an integer of at least {minimum}", v)
    return v


def _number(d: Mapping, key: str, lo: float, hi: float, *, required: bool = True) -> float | None:
    v = d.get(key)
    if v is None and not required:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
        raise _bad(key, f"应为 {lo} 到 {hi} 之间的数", f"expected a number from {lo} to {hi}", v)
    return float(v)


def _time_ms(d: Mapping, key: str, *, required: bool = True) -> datetime | None:
    v = _int(d, key, minimum=_EARLIEST_MS, required=required)
    if v is None:
        return None
    try:
        return datetime.fromtimestamp(v / 1000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise _bad(key, "时间超出范围", "time out of range", v) from None


def _fields(v) -> dict[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, dict) or len(v) > MAX_FIELDS:
        raise _bad("fields", f"应为不超过 {MAX_FIELDS} 项的字段表", f"expected an object of at most {MAX_FIELDS} fields", v)
    out = {}
    for k, x in v.items():
        if not isinstance(k, str) or not 0 < len(k) <= 64:
            raise _bad("fields", "字段名应为文本", "field names must be text", k)
        if isinstance(x, str) and len(x) > MAX_TEXT_VALUE:
            raise _bad(f"fields.{k}", f"文本不超过 {MAX_TEXT_VALUE} 个字符", f"text of at most {MAX_TEXT_VALUE} characters", x)
        if isinstance(x, float) and not math.isfinite(x):
            raise _bad(f"fields.{k}", "应为有限数值", "expected a finite number", x)
        if x is not None and not isinstance(x, (str, int, float, bool)):
            raise _bad(f"fields.{k}", "应为文本、数值或是/否", "expected text, a number or true/false", x)
        if x is not None and x != "":
            out[k] = x
    return out


def _photos(v) -> list[str]:
    if v is None:
        return []
    if not isinstance(v, list) or len(v) > MAX_PHOTOS or not all(isinstance(h, str) and _SHA.match(h) for h in v):
        raise _bad("photos", f"应为不超过 {MAX_PHOTOS} 个照片哈希（64 位十六进制）",
                   f"expected at most {MAX_PHOTOS} photo hashes (64 hex digits)", v)
    return list(dict.fromkeys(v))


def _fix(v) -> dict[str, Any] | None:
    if v is None:
        return None
    if not isinstance(v, dict):
        raise _bad("fix", "应为定位对象", "expected a position object", v)
    return {"lon": _number(v, "lon", -180, 180), "lat": _number(v, "lat", -90, 90),
            "accuracy_m": _number(v, "accuracy_m", 0, 100_000, required=False),
            "time": _time_ms(v, "time", required=False)}


def op_id_of(payload: Any) -> str:
    """The op id of a JSON object the device sent (the body must be an object; the id 8-64 safe characters)."""
    if not isinstance(payload, dict):
        raise _bad("body", "应为 JSON 对象", "expected a JSON object", type(payload).__name__)
    op_id = _text(payload, "op_id", max_len=64)
    if not _OP.match(op_id):
        raise _bad("op_id", "应为 8–64 位字母、数字、- 或 _", "expected 8-64 letters, digits, - or _", op_id)
    return op_id


def clock_offset_s(sent_at: datetime | None, received_at: datetime) -> float | None:
    """Server clock minus the device's clock when the change was sent, seconds (None when not sent)."""
    if sent_at is None:
        return None
    return round((received_at - sent_at).total_seconds(), 1)


def fix_evidence(fix: Mapping[str, Any] | None, geometry, onsite_m: float) -> Evidence:
    """The evidence of a capture: the device fix and its distance to the site; remote when far or without a fix.

    The same judgement as a change made in the app (``ui.status_form``): within
    ``onsite_m`` metres of the site's geometry is on site.
    """
    if not fix:
        return Evidence(distance_m=None, remote=True)
    dist = None
    if geometry is not None and not geometry.is_empty:
        dist = round(float(geodesic_distance_m(Point(fix["lon"], fix["lat"]), geometry)), 1)
    return Evidence(lon=round(fix["lon"], 7), lat=round(fix["lat"], 7), accuracy_m=fix.get("accuracy_m"),
                    fix_time=fix.get("time"), distance_m=dist, remote=dist is None or dist > onsite_m)


def parse_change(payload: Any, *, received_at: datetime, geometry_of, onsite_m: float,
                 device_id: str | None = None) -> OfflineChange:
    """Check a change sent by the device and turn it into an :class:`OfflineChange`.

    Parameters
    ----------
    payload : any
        The decoded JSON body.
    received_at : datetime
        The server's time of arrival (for the clock offset).
    geometry_of : callable
        ``site_id -> geometry`` of the site as stored (raises NotFoundError for an unknown site).
    onsite_m : float
        The on-site distance (metres).
    device_id : str, optional
        The device token's id, when the request came with one.

    Raises
    ------
    ValidationError
        ``field.bad_change`` naming the field, the value received and what it should be.
    """
    op_id = op_id_of(payload)
    after = _text(payload, "after_op", max_len=64, required=False)
    if after is not None and not _OP.match(after):
        raise _bad("after_op", "应为操作编号", "expected an op id", after)
    site_id = _text(payload, "site_id", max_len=64)
    fix = _fix(payload.get("fix"))
    sent = _time_ms(payload, "sent_at", required=False)
    return OfflineChange(
        op_id=op_id, site_id=site_id, base_version=_int(payload, "base_version"), after_op=after,
        to_status=_text(payload, "to_status", max_len=64), note=_note(payload),
        changes=_fields(payload.get("fields")), photos=tuple(_photos(payload.get("photos"))),
        evidence=fix_evidence(fix, geometry_of(site_id), onsite_m),
        captured_at=_time_ms(payload, "captured_at"), clock_offset_s=clock_offset_s(sent, received_at),
        device_id=device_id,
    )
