"""Sites as they stood at the end of a past day, rebuilt by replaying the history (pure).

The store keeps, for every site, a ``create`` row at version 0 whose
``changes`` hold the full attribute snapshot ``{field: [None, value]}`` and
then one row per change with ``{field: [before, after]}`` and the new
status. An import records the geometry too (WKT under ``geometry``), and
undoing an import that created a site removes it (a row whose
``to_status`` is None). Replaying the rows up to the end of a day in China
Standard Time (UTC+8) gives each site's status, attributes and geometry as
they were then; a site created later did not exist yet, a site removed
later did.

Replaying the whole history gives back the stored current state
(``tests/test_asof.py`` checks it on the sample store).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Mapping, Sequence

import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import ValidationError
from geo.clock import CST, parse_utc, today_cst
from geo.store.base import Site
from layers import REGISTRY

__all__ = [
    "COMMON_KEYS", "end_of_day_utc", "entry_time", "history_by_site", "history_until", "parse_day", "sites_as_of",
    "snapshot",
]

#: History keys that are first-class columns of a site, not kind attributes.
COMMON_KEYS = ("name", "town_code", "deadline", "responsible")


def parse_day(value: date | str, *, allow_future: bool = False, today: date | None = None) -> date:
    """Turn ``value`` into a calendar day, refusing nonsense with a clear message.

    Parameters
    ----------
    value : date or str
        A ``date`` or an ISO string ``YYYY-MM-DD``.
    allow_future : bool, default False
        When False, a day after today (CST) is refused: the history cannot
        say how things will stand.
    today : date, optional
        Today's date (CST); defaults to the clock.

    Returns
    -------
    datetime.date

    Raises
    ------
    ValidationError
        ``asof.invalid_date`` or ``asof.future_date``.
    """
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        text = str(value).strip()
        try:
            value = date.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                "asof.invalid_date",
                en=f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-06-30.",
                zh=f"“{text}”不是有效日期：请写成 YYYY-MM-DD，例如 2025-06-30。",
                value=text,
            ) from None
    today = today or today_cst()
    if not allow_future and value > today:
        raise ValidationError(
            "asof.future_date",
            en=f"{value.isoformat()} is in the future (today is {today.isoformat()}): pick today or an earlier day.",
            zh=f"{value.isoformat()} 晚于今天（{today.isoformat()}）：请选择今天或更早的日期。",
            value=value.isoformat(),
            today=today.isoformat(),
        )
    return value


def end_of_day_utc(day: date) -> datetime:
    """The first instant after ``day`` ends in China Standard Time, in UTC.

    A change belongs to ``day`` (or earlier) when its time is strictly
    before this instant: ``2025-06-30`` ends at ``2025-06-30T16:00:00Z``.
    """
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=CST).astimezone(timezone.utc)


def entry_time(entry) -> datetime:
    """When a history row was written, as an aware UTC datetime (``changed_at`` is ISO with ``Z``)."""
    ts = parse_utc(entry.changed_at)
    if ts is None:
        raise ValueError(f"unreadable history time {entry.changed_at!r}")
    return ts


def history_until(history: Iterable, day: date | None) -> list:
    """The history rows written by the end of ``day`` (CST), in the given order; all rows if ``day`` is None."""
    if day is None:
        return list(history)
    cutoff = end_of_day_utc(day)
    return [e for e in history if entry_time(e) < cutoff]


def _group(history: Iterable) -> dict[str, list]:
    by_site: dict[str, list] = {}
    for e in history:
        by_site.setdefault(e.site_id, []).append(e)
    for rows in by_site.values():
        rows.sort(key=lambda e: (e.version, e.id))
    return by_site


def _is_birth(e) -> bool:
    """A row that brings a site into existence: ``create``, or an import that created it."""
    return e.from_status is None and e.to_status is not None


def _is_death(e) -> bool:
    """A row that removes a site (undoing the import that created it)."""
    return e.to_status is None and e.from_status is not None


def _geometry(value):
    if value is None or isinstance(value, BaseGeometry):
        return value
    try:
        return shapely.from_wkt(str(value))
    except Exception:  # noqa: BLE001 - shapely raises its own GEOSException for bad WKT
        return None


def _replay(kind: str, rows: Sequence, base=None):
    """The site at the end of ``rows`` (one site's rows up to the day, oldest first); None if it did not exist.

    ``base`` is the stored site, when there is one: its geometry is used
    where the history holds none (sites created by ``create`` rows).
    """
    spec = REGISTRY.get(kind)
    state: dict | None = None
    for e in rows:
        if _is_birth(e):
            state = {"common": {k: None for k in COMMON_KEYS},
                     "attrs": {f.name: None for f in spec.fields} if spec else {},
                     "geometry": None, "is_sample": None, "status": None}
        if state is None:
            continue  # rows before any creation row (a broken history): nothing to build on
        if _is_death(e):
            state = None
            continue
        for key, pair in (e.changes or {}).items():
            after = pair[1] if isinstance(pair, (list, tuple)) and len(pair) == 2 else pair
            if key == "status":
                continue  # the status comes from to_status
            if key == "geometry":
                state["geometry"] = _geometry(after)
            elif key == "is_sample":
                state["is_sample"] = bool(after)
            elif key in state["common"]:
                state["common"][key] = after
            else:
                state["attrs"][key] = after
        if e.to_status is not None:
            state["status"] = e.to_status
        state["last"] = e
    if state is None:
        return None
    common, last = state["common"], state["last"]
    geometry = state["geometry"] if state["geometry"] is not None else getattr(base, "geometry", None)
    if geometry is None:
        return None  # a removed site whose history has no geometry cannot be drawn or counted
    fields = dict(
        kind=kind, site_id=last.site_id,
        name=common["name"] if common["name"] is not None else getattr(base, "name", last.site_id),
        town_code=common["town_code"] if common["town_code"] is not None else getattr(base, "town_code", ""),
        status=state["status"], version=last.version, geometry=geometry, deadline=common["deadline"],
        responsible=common["responsible"],
        is_sample=state["is_sample"] if state["is_sample"] is not None else bool(getattr(base, "is_sample", False)),
        updated_at=last.changed_at, updated_by=last.actor, attrs=state["attrs"],
    )
    return replace(base, **fields) if base is not None else Site(**fields)


def sites_as_of(sites: Sequence, history: Iterable, day: date | None) -> list:
    """Each site's status and attributes as they stood at the end of ``day`` (CST).

    Parameters
    ----------
    sites : sequence of Site
        The sites as stored now.
    history : iterable of HistoryEntry
        History rows of (at least) these sites, any order.
    day : date or None
        The day; None means "now" (every row replayed).

    Returns
    -------
    list of Site
        The stored sites that existed then, in the order of ``sites``, then
        sites that existed then but were removed since (an undone import),
        by id. A site created after ``day``, or removed by then, is left out.
        The geometry is the one in the history where it has one (imports
        record it), else the stored one. A stored site with no history row
        at all is kept as it is when it was last updated by the end of
        ``day``.
    """
    cutoff = end_of_day_utc(day) if day is not None else None
    by_site = _group(history)
    out = []
    for site in sites:
        rows = by_site.pop(site.site_id, None)
        if not rows:
            if cutoff is None or _before(site.updated_at, cutoff):
                out.append(site)
            continue
        if cutoff is not None:
            rows = [e for e in rows if entry_time(e) < cutoff]
        rebuilt = _replay(site.kind, rows, site) if rows else None
        if rebuilt is not None:
            out.append(rebuilt)
    for site_id in sorted(by_site):  # sites no longer stored
        rows = by_site[site_id]
        if cutoff is not None:
            rows = [e for e in rows if entry_time(e) < cutoff]
        rebuilt = _replay(rows[0].kind, rows) if rows else None
        if rebuilt is not None:
            out.append(rebuilt)
    return out


def _before(iso: str | None, cutoff: datetime) -> bool:
    ts = parse_utc(iso)
    return True if ts is None else ts < cutoff


def history_by_site(history: Iterable) -> Mapping[str, list]:
    """History rows grouped by site id, each list oldest first."""
    return _group(history)


def snapshot(sites: Sequence, history: Iterable, day: date | None = None) -> tuple[list, list]:
    """Sites and history rows as they stood at the end of ``day`` (CST).

    ``day=None`` means now: the stored sites as they are and every history
    row (replaying all of it gives the same sites; a test checks that).
    """
    history = list(history)
    if day is None:
        return list(sites), history
    return sites_as_of(sites, history, day), history_until(history, day)
