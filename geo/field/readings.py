"""Readings as the offline client sends them: one sampling day of one monitoring table at one site.

The device sends JSON (see ``static/field-sync.js``)::

    {"op_id": "…", "table": "black_odorous_readings", "site_id": "HCST-001",
     "observed_on": "2026-12-06", "observed_time": "09:30" | null,
     "common": {"sampler": "…", "lab": "…"},
     "rows": [{"point": "P1", "round": 1, "transparency_cm": 32, "do_mg_l": 3.1, …}, …],
     "fix": {"lon": 119.47, "lat": 25.66, "accuracy_m": 8, "time": 1763631000000} | null,
     "captured_at": 1763631012000, "sent_at": 1763640000000}

The rows are laid out as the app's readings entry lays them out
(:meth:`layers.observation.ObservationSpec.row_fields` per row, the
:meth:`~layers.observation.ObservationSpec.common_fields` once for the day);
each row becomes one :class:`~geo.store.base.NewObservation` numbered as the
device numbers it (第 1 行 is the first row of the entry), so the store's
messages about a value name the row the inspector typed it in. The envelope is
checked here (``field.bad_change``, naming the field and the value received);
the values themselves are checked by the store as for any other entry (the
site and its kind, types, ranges, required fields, duplicates), and nothing is
written unless every row passes. Where and when the readings were taken goes
into the audit row
(:meth:`~geo.store.observations.ObservationsMixin.record_observations`
``context``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from geo.clock import CST
from geo.field.changes import _bad, _fix, _text, _time_ms, clock_offset_s, fix_evidence, op_id_of
from geo.store.base import NewObservation
from geo.store.db import iso_utc
from layers import OBSERVATIONS

__all__ = ["MAX_ROWS", "OfflineReadings", "parse_readings"]

#: Rows one offline entry may carry (a day's readings of one body: a few points × a few rounds).
MAX_ROWS = 200
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM = re.compile(r"^\d{2}:\d{2}$")


@dataclass(frozen=True)
class OfflineReadings:
    """A checked offline readings entry, in the store's terms.

    Attributes
    ----------
    op_id : str
        The device's idempotency key (the same entry sent twice is written once).
    table : str
        The monitoring table's key.
    site_id : str
    rows : list of NewObservation
        One per row of the entry, ``row`` numbered from 1 as on the device.
    context : dict
        Where and when the readings were taken, for the audit row (JSON-ready).
    """

    op_id: str
    table: str
    site_id: str
    rows: list = field(default_factory=list)
    context: dict = field(default_factory=dict)


def _values(payload: Mapping, key: str, allowed: tuple[str, ...], *, where: str) -> dict[str, Any]:
    """An object of field values: known names only, scalars only (the store checks types and ranges)."""
    v = payload.get(key)
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise _bad(where, "应为字段表", "expected an object of fields", v)
    out = {}
    for name, x in v.items():
        if name not in allowed:
            raise _bad(f"{where}.{name}", "不是此处可录入的字段（可录入：" + "、".join(allowed) + "）",
                       "not a field entered here (allowed: " + ", ".join(allowed) + ")", name)
        if x is not None and not isinstance(x, (str, int, float, bool)):
            raise _bad(f"{where}.{name}", "应为文本、数值或是/否", "expected text, a number or true/false", x)
        if isinstance(x, str) and len(x) > 500:
            raise _bad(f"{where}.{name}", "文本不超过 500 个字符", "text of at most 500 characters", x)
        if x is not None and x != "":
            out[name] = x
    return out


def parse_readings(payload: Any, *, received_at: datetime, geometry_of, onsite_m: float,
                   device_id: str | None = None) -> OfflineReadings:
    """Check a readings entry sent by the device and turn it into :class:`OfflineReadings`.

    Parameters
    ----------
    payload : any
        The decoded JSON body.
    received_at : datetime
        The server's time of arrival (for the clock offset).
    geometry_of : callable
        ``site_id -> geometry`` of the site as stored (raises NotFoundError for an unknown site or one
        outside the inspector's towns).
    onsite_m : float
        The on-site distance (metres): the audit row says whether the readings were taken on site.
    device_id : str, optional
        The device token's id, when the request came with one.

    Raises
    ------
    ValidationError
        ``field.bad_change`` naming the field, the value received and what it should be.
    """
    op_id = op_id_of(payload)
    table = _text(payload, "table", max_len=64)
    spec = OBSERVATIONS.get(table)
    if spec is None:
        raise _bad("table", "不是已知的监测表（" + "、".join(OBSERVATIONS) + "）",
                   "not a known monitoring table (" + ", ".join(OBSERVATIONS) + ")", table)
    site_id = _text(payload, "site_id", max_len=64)
    day = _text(payload, "observed_on", max_len=10)
    if not _DAY.match(day):
        raise _bad("observed_on", "应为 YYYY-MM-DD 格式的日期", "expected a date as YYYY-MM-DD", day)
    if day > received_at.astimezone(CST).date().isoformat():  # readings are taken, not planned (the device's clock?)
        raise _bad("observed_on", "不能晚于今天（北京时间），请检查设备日期", "cannot be after today (Beijing time): "
                   "check the device's date", day)
    hhmm = _text(payload, "observed_time", max_len=5, required=False)
    if hhmm is not None and (not spec.has_time or not _HHMM.match(hhmm)):
        raise _bad("observed_time", "应为 HH:MM 格式的时间" if spec.has_time else "此表不记录时间",
                   "expected a time as HH:MM" if spec.has_time else "this table has no time", hhmm)
    common = _values(payload, "common", tuple(f.name for f in spec.common_fields()), where="common")
    raw_rows = payload.get("rows")
    if not isinstance(raw_rows, list) or not 0 < len(raw_rows) <= MAX_ROWS:
        shown = f"{len(raw_rows)} rows" if isinstance(raw_rows, list) else raw_rows
        raise _bad("rows", f"应为 1 到 {MAX_ROWS} 行读数", f"expected 1 to {MAX_ROWS} rows of readings", shown)
    per_row = tuple(f.name for f in spec.row_fields())
    rows = []
    for i, raw in enumerate(raw_rows, start=1):
        values = _values({"row": raw}, "row", per_row, where=f"rows[{i}]")
        if not values:
            raise _bad(f"rows[{i}]", "整行为空", "the row is empty", raw)
        rows.append(NewObservation(site_id, day, hhmm, {**values, **common}, row=i))
    geometry = geometry_of(site_id)
    fix = _fix(payload.get("fix"))
    evidence = fix_evidence(fix, geometry, onsite_m)
    captured = _time_ms(payload, "captured_at")
    sent = _time_ms(payload, "sent_at", required=False)
    context = {
        "via": "offline", "device_id": device_id, "captured_at": iso_utc(captured),
        "clock_offset_s": clock_offset_s(sent, received_at),
        "fix": None if fix is None else {"lon": evidence.lon, "lat": evidence.lat, "accuracy_m": evidence.accuracy_m,
                                         "distance_m": evidence.distance_m},
        "remote": evidence.remote,
    }
    return OfflineReadings(op_id, table, site_id, rows, context)

