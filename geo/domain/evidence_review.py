"""What the review needs to see that statuses follow the evidence: measured grades, overrides, milestones (pure).

- :func:`measured_status` — per black-odorous body, the grade of its latest
  sampling campaign (as recorded by the end of a day), and the bodies whose
  status and readings disagree (counted as eliminated while the latest
  campaign is black-odorous — only an override can do that — or clean
  readings not yet turned into a status).
- :func:`overrides` — every status an administrator forced past an evidence
  gate, with the reason.
- :func:`yearly_milestones` — each target's figure at the end of every year
  of the history up to its deadline, rebuilt by the as-of replay: the yearly
  steps toward the 2025 figure. The documents set the end figure only
  (:mod:`geo.domain.sources`); no intermediate target is invented, the
  measured figure of each year is shown against the end one.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from geo.domain.asof import end_of_day_utc, sites_as_of
from geo.domain.black_odorous_rules import campaign_grades
from geo.domain.monitoring import current_rows
from geo.errors import OneMapError
from layers import REGISTRY

__all__ = ["measured_status", "overrides", "yearly_milestones", "readings_as_of"]

READINGS = "black_odorous_readings"


def readings_as_of(rows: Iterable[Any], day: date | None) -> list:
    """The rows in force at the end of ``day`` (CST): recorded by then, sampled by then; all current if None."""
    if day is None:
        return current_rows(rows)
    return [o for o in current_rows(rows, until=end_of_day_utc(day)) if str(o.observed_on)[:10] <= day.isoformat()]


def measured_status(sites: Sequence[Any], observations: Mapping[str, Sequence[Any]], day: date | None) -> dict:
    """Per black-odorous body: the latest campaign's grade; counts; where status and readings disagree.

    Returns
    -------
    dict
        ``counts`` (latest grade -> bodies, ``no_readings`` for bodies never
        sampled), ``bodies`` (one row per body) and ``mismatches`` (bodies
        counted as done whose latest campaign is black-odorous, and bodies whose
        latest campaign is clean but whose status is not done).
    """
    done = set(REGISTRY["black_odorous"].done_codes)
    rows = readings_as_of(observations.get(READINGS, ()), day)
    by_site: dict[str, list] = {}
    for o in rows:
        by_site.setdefault(o.site_id, []).append(o)
    counts: dict[str, int] = {"heavy": 0, "light": 0, "black": 0, "none": 0, "ungraded": 0, "no_readings": 0}
    bodies, mismatches = [], []
    for s in sites:
        if s.kind != "black_odorous":
            continue
        try:
            grades = campaign_grades(s, by_site.get(s.site_id, []))
        except OneMapError:
            grades = []
        last = grades[-1] if grades else None
        key = last.grade if last else "no_readings"
        counts[key] = counts.get(key, 0) + 1
        row = {"site_id": s.site_id, "name": s.name, "status": s.status, "water_kind": s.attrs.get("water_kind"),
               "campaigns": len(grades), "latest": last.campaign.label if last else None, "grade": key,
               "grade_zh": last.grade_text("zh") if last else "无监测数据",
               "grade_en": last.grade_text("en") if last else "no readings"}
        bodies.append(row)
        if last is not None and s.status in done and last.black:
            mismatches.append({**row, "kind": "done_but_black"})
        elif last is not None and s.status not in done and last.clean and s.status != "untreated":
            mismatches.append({**row, "kind": "clean_not_yet_recorded"})
    return {"counts": counts, "bodies": bodies, "mismatches": mismatches}


def overrides(history: Iterable[Any], site_ids: set[str] | None = None) -> list[dict]:
    """Every history row an override let through (newest first): who, when, which status, why."""
    out = [{"site_id": e.site_id, "kind": e.kind, "from": e.from_status, "to": e.to_status, "at": e.changed_at,
            "actor": e.actor, "source": e.source, "reason": e.override}
           for e in history if getattr(e, "override", None) and (site_ids is None or e.site_id in site_ids)]
    return sorted(out, key=lambda r: r["at"], reverse=True)


def yearly_milestones(sites: Sequence[Any], history: Sequence[Any], today: date, *, town: str | None = None,
                      reference: Any = None) -> dict[str, dict[str, list[dict]]]:
    """kind -> target code -> the target's figure at the end of each year before ``today``, up to its deadline.

    ``sites`` are every town's sites (a zone covers across town lines); ``reference`` the official reference
    areas as loaded now (targets that need one are unavailable without it).
    """
    from geo.clock import parse_utc
    from geo.domain.targets import context, target_figures

    times = [parse_utc(e.changed_at) for e in history]
    times = [t for t in times if t is not None]
    out: dict[str, dict[str, list[dict]]] = {k: {t.code: [] for t in spec.targets} for k, spec in REGISTRY.items()}
    if not times:
        return out
    first = min(times).year
    last = max(t.deadline.year for spec in REGISTRY.values() for t in spec.targets)
    for year in range(first, last + 1):
        end = date(year, 12, 31)
        if end >= today:
            break
        then = sites_as_of(sites, history, end)
        ctx = context(then, reference, town)
        if town:
            then = [s for s in then if s.town_code == town]
        for key, spec in REGISTRY.items():
            mine = [s for s in then if s.kind == key]
            for tg in spec.targets:
                if year > tg.deadline.year:
                    continue
                f = target_figures(tg, mine, ctx)
                out[key][tg.code].append({"year": year, "as_of": end.isoformat(), "numerator": f["numerator"],
                                          "denominator": f["denominator"], "share": f["share"], "met": f["met"],
                                          "deadline_year": year == tg.deadline.year})
    return out
