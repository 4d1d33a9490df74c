"""Clean-fuel zones and the coal-boiler register, measured as the plans word them (pure).

* Zones: how much of the official built-up area and near suburbs is covered by zones at
  each stage (designated, announced, in force), per reference area, what is left uncovered
  (where), and how much of each zone lies beyond that scope. Withdrawn zones cover nothing.
* Boilers: each boiler's zone and whether it stands inside the heat-network coverage, both
  found from its location (never typed in); the ≥ 35 t/h boilers and the boilers inside the
  coverage by status; boilers still in use inside a zone in force (a zone bans coal).

Everything here is computed on the fly from the sites and the reference areas an
administrator imported (:class:`geo.domain.coverage.ReferenceAreas`); areas in km² in the
equal-area projection of :mod:`geo.domain.coverage`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
import shapely

from geo import towns
from geo.domain.coverage import ReferenceAreas, area_km2, areas_km2, coverage, locate, polygonal_many
from layers import REGISTRY
from layers.coal_boilers import is_large_boiler
from layers.reference import BUILT_UP, HEAT_NETWORK, NEAR_SUBURBS

if TYPE_CHECKING:
    from geo.domain.targets import Context

__all__ = ["STAGES", "SCOPE_KEYS", "zones_breakdown", "boilers_breakdown", "zones_of_boilers", "uncovered_area",
           "BOILER_OPEN"]

#: Stages a zone goes through before it is in force, in order (a later stage includes the earlier ones).
STAGES = ("designated", "announced", "enforced")
#: The reference areas the clean-fuel aim names.
SCOPE_KEYS = (BUILT_UP.key, NEAR_SUBURBS.key)
#: Boiler statuses that still burn coal.
BOILER_OPEN = ("in_use", "in_progress")
AREA_DIGITS = 3
PARTS_LISTED = 10


_AT_LEAST = {stage: STAGES[i:] for i, stage in enumerate(STAGES)}


def _at_least(stage: str) -> tuple[str, ...]:
    """Zone statuses at ``stage`` or later (withdrawn is not a later stage: it covers nothing)."""
    return _AT_LEAST[stage]


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, AREA_DIGITS)


def _reference_info(ctx: "Context", keys: Sequence[str]) -> dict:
    ref = ctx.reference
    out = {}
    for key in keys:
        have = ref is not None and ref.has(key)
        area = None
        if have:
            g = ref.areas[key] if ctx.clip is None else ref.areas[key].intersection(ctx.clip)
            area = _r(area_km2(g))
        out[key] = {"imported": have, "area_km2": area, "source": ref.sources.get(key) if have else None,
                    "sample": bool(have and key in ref.sample)}
    return out


def _scope(ctx: "Context"):
    """The built-up area and near suburbs (inside the town when one is asked for), or None when unavailable."""
    ref = ctx.reference
    if ref is None or ref.missing(SCOPE_KEYS) or (ctx.town is not None and ctx.clip is None):
        return None
    area = ref.union(SCOPE_KEYS)
    return area if ctx.clip is None else area.intersection(ctx.clip)


def uncovered_area(zones: Sequence, reference: ReferenceAreas | None, clip=None):
    """What of the built-up area and near suburbs no zone in force covers (WGS84), or None when unknown.

    Parameters
    ----------
    zones : sequence of Site
        Clean-fuel zones (every town's: a zone crosses town lines).
    reference : ReferenceAreas or None
    clip : geometry, optional
        Only inside this area (a town's official boundary).
    """
    if reference is None or reference.missing(SCOPE_KEYS):
        return None
    scope = reference.union(SCOPE_KEYS)
    if clip is not None:
        scope = scope.intersection(clip)
    return coverage(scope, [z.geometry for z in zones if z.status == "enforced"]).uncovered


def zones_of_boilers(boilers: Sequence, zones: Sequence) -> dict[str, list]:
    """Boiler id -> the zones (not withdrawn) its location lies in, furthest stage first."""
    out: dict[str, list] = {b.site_id: [] for b in boilers}
    live = [z for z in zones if z.status != "withdrawn"]
    if not boilers or not live:
        return out
    points = np.array([b.geometry if b.geometry.geom_type == "Point" else b.geometry.representative_point()
                       for b in boilers], dtype=object)
    shapes = np.array([z.geometry for z in live], dtype=object)
    i_zone, i_boiler = shapely.STRtree(points).query(shapes)  # by bounding box, then exactly:
    shapely.prepare(shapes)
    hit = shapely.intersects(shapes[i_zone], points[i_boiler])
    steps = {s.code: s.step for s in REGISTRY["clean_fuel_zones"].statuses}
    for i, j in zip(i_boiler[hit], i_zone[hit]):
        out[boilers[i].site_id].append(live[j])
    for found in out.values():
        found.sort(key=lambda z: (-steps.get(z.status, 0), z.site_id))
    return out


def zones_breakdown(spec, sites: Sequence, ctx: "Context") -> dict:
    """The clean-fuel zones' figures besides the target (see the module docstring)."""
    all_zones = list(ctx.covering.get(spec.key, sites))
    boilers = list(ctx.covering.get("coal_boilers", ()))
    stage_n = {st: sum(1 for z in sites if z.status in _at_least(st)) for st in STAGES}
    scope = _scope(ctx)
    missing = [] if ctx.reference is not None else list(SCOPE_KEYS)
    if ctx.reference is not None:
        missing = ctx.reference.missing(SCOPE_KEYS)
    out: dict = {
        "at_least": stage_n,
        "withdrawn": sum(1 for z in sites if z.status == "withdrawn"),
        "reference": _reference_info(ctx, SCOPE_KEYS),
        "missing_reference": missing,
        "coverage_by_stage": None,
        "coverage_by_area": None,
        "uncovered_km2": None,
        "uncovered_parts": [],
        "outside_scope_km2": None,
    }
    in_zone = ctx.boiler_zones if ctx.boiler_zones is not None else zones_of_boilers(boilers, all_zones)
    open_in = {z.site_id: 0 for z in sites}
    for b in boilers:
        if b.status in BOILER_OPEN:
            for z in in_zone.get(b.site_id, []):
                open_in[z.site_id] = open_in.get(z.site_id, 0) + 1
    areas = areas_km2([z.geometry for z in sites])
    inside = np.zeros(len(sites))
    if scope is not None and len(sites):
        geoms = polygonal_many([z.geometry for z in sites])
        shapely.prepare(scope)
        hit = np.flatnonzero(shapely.intersects(scope, geoms))
        if len(hit):
            inside[hit] = areas_km2(list(shapely.intersection(geoms[hit], scope)))
    rows = []
    for i, z in enumerate(sites):
        row = {"site_id": z.site_id, "name": z.name, "status": z.status, "fuel_category": z.attrs.get("fuel_category"),
               "area_km2": _r(float(areas[i])), "in_scope_km2": None, "outside_scope_km2": None,
               "coal_boilers_open": open_in.get(z.site_id, 0)}
        if scope is not None and z.status != "withdrawn":
            row["in_scope_km2"] = _r(float(inside[i]))
            row["outside_scope_km2"] = _r(max(float(areas[i] - inside[i]), 0.0))
        rows.append(row)
    out["zones"] = rows
    if scope is None:
        return out
    by_stage = {}
    for st in STAGES:
        cov = coverage(scope, [z.geometry for z in all_zones if z.status in _at_least(st)])
        by_stage[st] = {"covered_km2": _r(cov.covered_km2), "total_km2": _r(cov.total_km2),
                        "share": None if cov.share is None else round(cov.share, 4)}
        if st == "enforced":
            out["uncovered_km2"] = _r(cov.uncovered_km2)
            out["uncovered_parts"] = [
                {"area_km2": _r(a), "lon": round(x, 6), "lat": round(y, 6),
                 "near_town": towns.nearest_town_seat(x, y, kinds=("street", "town")).name_zh}
                for a, x, y in cov.parts[:PARTS_LISTED]]
    out["coverage_by_stage"] = by_stage
    enforced = [z.geometry for z in all_zones if z.status == "enforced"]
    by_area = {}
    for key in SCOPE_KEYS:
        part = ctx.reference.areas[key] if ctx.clip is None else ctx.reference.areas[key].intersection(ctx.clip)
        cov = coverage(part, enforced)
        by_area[key] = {"covered_km2": _r(cov.covered_km2), "total_km2": _r(cov.total_km2),
                        "share": None if cov.share is None else round(cov.share, 4)}
    out["coverage_by_area"] = by_area
    live = [r for r in rows if r["outside_scope_km2"] is not None]
    out["outside_scope_km2"] = _r(sum(r["outside_scope_km2"] for r in live))
    return out


def boilers_breakdown(spec, sites: Sequence, ctx: "Context") -> dict:
    """The coal-boiler register and its figures besides the targets (see the module docstring)."""
    zones = list(ctx.covering.get("clean_fuel_zones", ()))
    ref = ctx.reference
    heat_known = ref is not None and ref.has(HEAT_NETWORK.key)
    inside = ctx.inside if ctx.inside else locate(sites, ref, (HEAT_NETWORK.key,))
    in_zone = ctx.boiler_zones if ctx.boiler_zones is not None else zones_of_boilers(sites, zones)
    register = []
    for b in sites:
        a = b.attrs
        register.append({
            "site_id": b.site_id, "name": b.name, "owner": a.get("owner"), "tonnage_th": a.get("tonnage_th"),
            "fuel": a.get("fuel"), "status": b.status, "town_code": b.town_code,
            "zones": [{"site_id": z.site_id, "name": z.name, "status": z.status} for z in in_zone[b.site_id]],
            "in_heat_network": (HEAT_NETWORK.key in inside.get(b.site_id, frozenset())) if heat_known else None,
        })
    large = [b for b in sites if is_large_boiler(b.attrs)]
    status_codes = [s.code for s in spec.statuses]

    def by_status(group: Sequence) -> dict:
        return {code: sum(1 for b in group if b.status == code) for code in status_codes}

    heat = None
    if heat_known:
        heat = by_status([b for b in sites if HEAT_NETWORK.key in inside.get(b.site_id, frozenset())])
    return {
        "heat_network": _reference_info(ctx, (HEAT_NETWORK.key,))[HEAT_NETWORK.key],
        "register": register,
        "large": {"n": len(large), **by_status(large)},
        "in_heat_network": heat,
        "open_in_enforced_zone": [r["site_id"] for r in register if r["status"] in BOILER_OPEN
                                  and any(z["status"] == "enforced" for z in r["zones"])],
        "outside_any_zone": sum(1 for r in register if not r["zones"]),
        "capacity_open_th": round(sum(float(b.attrs.get("tonnage_th") or 0) for b in sites
                                      if b.status in BOILER_OPEN), 1),
    }
