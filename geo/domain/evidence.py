"""Evidence behind the changes: made on site or remotely, with photos or without (pure).

The plans warn against false reporting, so a change made in the field
records where the device was. A change counts as made **on site** when the
device was within :func:`default_onsite_m` metres of the site (200 m unless
``ONEMAP_FIELD_DISTANCE_M`` says otherwise; the dashboard and the CLI can
override it). A change with no device position cannot be checked and counts
as ``no_position``, not as on site.

Only status changes count for evidence (history rows with action
``status``: what an inspector or the office did to a site); creation,
imports of ledgers and undone imports are administrative and carry no
device position. The feed of recent changes shows them all.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

from geo import settings
from geo.errors import ValidationError
from layers import REGISTRY

__all__ = [
    "CLASSES",
    "ENV_FIELD_DISTANCE",
    "EVIDENCE_ACTIONS",
    "FIELD_DISTANCE_M",
    "change_rows",
    "check_onsite_m",
    "classify",
    "default_onsite_m",
    "device_distance_m",
    "evidence_quality",
    "site_evidence",
]

#: Default distance within which a change counts as made on site (metres).
FIELD_DISTANCE_M = 200.0
#: Environment variable that sets another default distance.
ENV_FIELD_DISTANCE = "ONEMAP_FIELD_DISTANCE_M"
_MAX_DISTANCE_M = 100_000.0

#: History actions that are status changes, the ones evidence is about.
EVIDENCE_ACTIONS = ("status",)
#: Actions that are not changes at all (a site coming into being).
_NOT_CHANGES = ("create",)

#: Evidence classes: label (zh, en) and map colour.
CLASSES: Mapping[str, tuple[str, str, str]] = {
    "onsite": ("现场变更", "changed on site", "#1a9850"),
    "remote": ("远程变更", "changed remotely", "#d73027"),
    "no_position": ("无定位", "no device position", "#fdae61"),
    "not_field": ("建档或导入（无现场记录）", "created or imported (no field record)", "#9e9e9e"),
}


def check_onsite_m(value, *, source: str = "onsite_m") -> float:
    """A valid on-site distance in metres, or a ValidationError naming the value and the fix.

    Raises
    ------
    ValidationError
        ``evidence.distance_invalid`` unless ``0 < value <= 100000``.
    """
    try:
        metres = float(value)
    except (TypeError, ValueError):
        metres = math.nan
    if not math.isfinite(metres) or metres <= 0 or metres > _MAX_DISTANCE_M:
        raise ValidationError(
            "evidence.distance_invalid",
            en=f"{source}={value!r} is not a usable on-site distance: give metres above 0 and up to 100000, e.g. 200.",
            zh=f"{source}={value!r} 不是有效的现场距离：请填写大于 0、不超过 100000 的米数，例如 200。",
            value=value,
        )
    return metres


def default_onsite_m() -> float:
    """The on-site distance: ``$ONEMAP_FIELD_DISTANCE_M`` if set and valid, else 200 m (see :mod:`geo.settings`)."""
    return settings.current().field_distance_m


def device_distance_m(entry, geometry=None) -> float | None:
    """How far the device was from the site: the recorded distance, else computed from the fix."""
    ev = entry.evidence
    if ev.distance_m is not None:
        return float(ev.distance_m)
    if geometry is not None and ev.lon is not None and ev.lat is not None:
        from shapely.geometry import Point

        from geo.crs import geodesic_distance_m

        return float(geodesic_distance_m(Point(ev.lon, ev.lat), geometry))
    return None


def classify(entry, onsite_m: float = FIELD_DISTANCE_M, geometry=None) -> str:
    """``"onsite"``, ``"remote"`` or ``"no_position"`` for one change.

    The distance decides when known (recorded, or computed from the device
    fix and ``geometry``); otherwise the recorded ``remote`` flag; otherwise
    the change has no position.
    """
    d = device_distance_m(entry, geometry)
    if d is not None:
        return "onsite" if d <= onsite_m else "remote"
    if entry.evidence.remote is not None:
        return "remote" if entry.evidence.remote else "onsite"
    return "no_position"


def _changes(sites: Sequence, history: Iterable, actions: Sequence[str] | None = EVIDENCE_ACTIONS) -> tuple[dict, list]:
    """Sites by id, and the rows of those sites with one of ``actions`` (None: every row but creation)."""
    by_id = {s.site_id: s for s in sites}
    rows = [e for e in history if e.site_id in by_id
            and (e.action in actions if actions is not None else e.action not in _NOT_CHANGES)]
    return by_id, rows


def _row(entry, site, cls: str, geometry_distance: float | None) -> dict:
    ev = entry.evidence
    return {
        "id": entry.id,
        "action": entry.action,
        "site_id": entry.site_id,
        "kind": entry.kind,
        "name": site.name,
        "changed_at": entry.changed_at,
        "actor": entry.actor,
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "evidence": cls,
        "distance_m": None if geometry_distance is None else round(geometry_distance, 1),
        "device_lon": ev.lon,
        "device_lat": ev.lat,
        "photos": len(entry.photos),
    }


def change_rows(sites: Sequence, history: Iterable, *, onsite_m: float | None = None,
                which: str = "all", actions: Sequence[str] | None = EVIDENCE_ACTIONS) -> list[dict]:
    """The changes to ``sites``, newest first, as table rows.

    Parameters
    ----------
    which : {"all", "remote", "no_photos", "not_onsite"}
        ``remote``: device far from the site; ``no_photos``: no photo
        attached; ``not_onsite``: remote or without a position.
    actions : sequence of str or None
        History actions that count (default: status changes); None takes
        every row except creation (imports and undone imports too).
    """
    if which not in ("all", "remote", "no_photos", "not_onsite"):
        raise ValidationError(
            "evidence.unknown_filter",
            en=f"Unknown change filter {which!r}; use all, remote, no_photos or not_onsite.",
            zh=f"未知的变更筛选“{which}”；可用：all、remote、no_photos、not_onsite。",
            value=which,
        )
    onsite_m = default_onsite_m() if onsite_m is None else check_onsite_m(onsite_m)
    by_id, changes = _changes(sites, history, actions)
    rows = []
    for e in changes:
        site = by_id[e.site_id]
        d = device_distance_m(e, site.geometry)
        cls = classify(e, onsite_m, site.geometry)
        if which == "remote" and cls != "remote":
            continue
        if which == "not_onsite" and cls == "onsite":
            continue
        if which == "no_photos" and e.photos:
            continue
        rows.append(_row(e, site, cls, d))
    rows.sort(key=lambda r: (r["changed_at"], r["id"]), reverse=True)
    return rows


def _share(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def evidence_quality(sites: Sequence, history: Iterable, *, onsite_m: float | None = None) -> dict:
    """Share of changes made on site and with photos; the remote changes listed.

    Parameters
    ----------
    sites : sequence of Site
        Only changes to these sites count.
    history : iterable of HistoryEntry
        Cut at the day of the figures already.
    onsite_m : float, optional
        On-site distance in metres (default :func:`default_onsite_m`).
    """
    onsite_m = default_onsite_m() if onsite_m is None else check_onsite_m(onsite_m)
    rows = change_rows(sites, history, onsite_m=onsite_m)
    counts = {c: 0 for c in ("onsite", "remote", "no_position")}
    actors: dict[str, dict] = {}
    done_changes = done_onsite = 0
    for r in rows:
        counts[r["evidence"]] += 1
        a = actors.setdefault(r["actor"], {"actor": r["actor"], "changes": 0, "onsite": 0, "remote": 0,
                                           "no_position": 0, "with_photos": 0})
        a["changes"] += 1
        a[r["evidence"]] += 1
        a["with_photos"] += r["photos"] > 0
        spec = REGISTRY.get(r["kind"])
        if spec and r["to_status"] in spec.done_codes:
            done_changes += 1
            done_onsite += r["evidence"] == "onsite"
    for a in actors.values():
        a["share_onsite"] = _share(a["onsite"], a["changes"])
    with_photos = sum(1 for r in rows if r["photos"] > 0)
    return {
        "onsite_m": onsite_m,
        "changes": len(rows),
        **counts,
        "share_onsite": _share(counts["onsite"], len(rows)),
        "with_photos": with_photos,
        "share_with_photos": _share(with_photos, len(rows)),
        "without_photos": len(rows) - with_photos,
        "done_changes": done_changes,
        "done_onsite": done_onsite,
        "share_done_onsite": _share(done_onsite, done_changes),
        "by_actor": sorted(actors.values(), key=lambda a: (-a["changes"], a["actor"])),
        "remote_changes": [r for r in rows if r["evidence"] == "remote"],
    }


def _sets_status(e) -> bool:
    return e.action in EVIDENCE_ACTIONS or (e.to_status is not None and e.to_status != e.from_status)


def site_evidence(sites: Sequence, history: Iterable, *, onsite_m: float | None = None) -> dict[str, str]:
    """Per site, the evidence class of the row that set its current status.

    ``not_field`` when that row is not a status change (the site was created
    or imported with that status) or when the site has no history.
    """
    onsite_m = default_onsite_m() if onsite_m is None else check_onsite_m(onsite_m)
    by_id = {s.site_id: s for s in sites}
    last: dict[str, object] = {}
    for e in history:
        if e.site_id not in by_id or not _sets_status(e):
            continue
        cur = last.get(e.site_id)
        if cur is None or (e.version, e.id) > (cur.version, cur.id):
            last[e.site_id] = e
    return {sid: classify(last[sid], onsite_m, site.geometry)
            if sid in last and last[sid].action in EVIDENCE_ACTIONS else "not_field"
            for sid, site in by_id.items()}
