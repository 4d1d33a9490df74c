"""Progress against the plans' targets, computed from the sites — never typed in (pure).

:func:`progress` returns, as plain JSON-ready data, exactly the figures the
review dashboard shows and ``python cli.py progress`` prints: per kind each
target of its spec (population, numerator, denominator, share, threshold,
deadline, plan clause, and one line saying all of it) with the kind's own
breakdown, the same per town, and the overdue sites. Evidence quality is added
when the history is given (:mod:`geo.domain.evidence`).

A target counts sites (``measure="sites"``) or measures an area in km²
(``measure="area"``, :mod:`geo.domain.coverage`). The province's figure over
Fuqing's sites is an entry of its own (``plan="province"``) with its own
population. A share is ``None`` when nothing is in the target's population (0
of 0 is not 100 %) and when a reference area the target needs has not been
imported (``missing_reference`` names it); a target is met when the share,
rounded to 4 digits, reaches the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping, Sequence

from shapely.geometry.base import BaseGeometry

from geo import towns
from geo.errors import OneMapError
from geo.domain.coverage import ReferenceAreas, area_km2, coverage, locate
from geo.domain.fuel import boilers_breakdown, zones_breakdown, zones_of_boilers
from geo.domain.status import is_overdue
from layers import KIND_KEYS, REGISTRY
from layers.reference import REFERENCE_AREAS
from layers.shore_power_berths import berth_exclusion, province_exclusion
from layers.spec import LayerSpec, Target

__all__ = [
    "BERTH_EXCLUSIONS",
    "Context",
    "context",
    "berth_exclusion",
    "describe",
    "progress",
    "share",
    "sort_town_codes",
    "target_figures",
    "town_name",
    "town_rows",
    "overdue_sites",
]

SHARE_DIGITS = 4
AREA_DIGITS = 3

#: Why a berth is outside a shore-power target's population (Fuqing's or the province's).
BERTH_EXCLUSIONS: Mapping[str, tuple[str, str]] = {
    "dangerous_goods": ("危险货物泊位（方案明确除外）", "dangerous-goods berth (excluded by the plans)"),
    "not_specialised": ("非专业化泊位", "not a specialised berth"),
    "type_not_listed": ("专业化泊位，但不属福清方案所列类型", "specialised, but not a type Fuqing's plan lists"),
    "tonnage_unknown": ("吨级未填写，无法判断", "tonnage class not recorded"),
    "passenger_under_3000t": ("客运泊位不足3千吨级", "passenger berth under 3,000 t"),
    "dry_bulk_under_50000t": ("干散货泊位不足5万吨级", "dry-bulk berth under 50,000 t"),
}


def share(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator`` rounded to 4 digits; None when the denominator is 0."""
    return round(numerator / denominator, SHARE_DIGITS) if denominator else None


@dataclass(frozen=True)
class Context:
    """What a target may need besides its kind's sites.

    Attributes
    ----------
    reference : ReferenceAreas or None
        The official reference areas (and town boundaries) loaded so far.
    inside : mapping of site id to set of str
        The reference areas each site lies in (:func:`geo.domain.coverage.locate`).
    covering : mapping of kind to sequence of Site
        Sites that may cover an area target's reference area, per kind: every
        site of the kind, also when the figures are for one town (a zone
        crosses town lines).
    clip : BaseGeometry or None
        Figures for one town: its official boundary (area targets are measured inside it).
    town : str or None
        The town the figures are for (area targets need its boundary).
    boiler_zones : mapping of boiler id to list of Site, optional
        The zones each coal boiler stands in (:func:`geo.domain.fuel.zones_of_boilers`), found once.
    """

    reference: ReferenceAreas | None = None
    inside: Mapping[str, frozenset[str]] = field(default_factory=dict)
    covering: Mapping[str, Sequence] = field(default_factory=dict)
    clip: BaseGeometry | None = None
    town: str | None = None
    boiler_zones: Mapping[str, list] | None = None


#: ``missing_reference`` entry of an area target asked for one town whose official boundary is not loaded.
TOWN_BOUNDARY = "town_boundary"


def _spec_of(target: Target) -> LayerSpec:
    return next(spec for spec in REGISTRY.values() if any(t is target for t in spec.targets))


def _missing_text(keys: Sequence[str], lang: str) -> str:
    if lang == "zh":
        names = "、".join("该镇街的官方边界" if k == TOWN_BOUNDARY else f"“{REFERENCE_AREAS[k].zh}”" for k in keys)
        return f"尚未导入{names}，无法计算"
    names = ", ".join("the town's official boundary" if k == TOWN_BOUNDARY else REFERENCE_AREAS[k].en for k in keys)
    return f"not computable until {names} is imported"


def _units(target: Target) -> tuple[str, str]:
    return ("km²", "km²") if target.measure == "area" else ("个", "sites")


def _numerator_text(target: Target, spec: LayerSpec) -> tuple[str, str]:
    if target.numerator_zh:
        return target.numerator_zh, target.numerator_en or target.numerator_zh
    labels = [spec.status(c) for c in target.done_statuses]
    return "状态为" + "或".join(f"“{s.zh}”" for s in labels), "status " + " or ".join(s.en for s in labels)


def _population_text(target: Target, spec: LayerSpec) -> tuple[str, str]:
    if target.population is None and not target.within and target.population_zh in ("全部", ""):
        return f"全部{spec.zh}", f"every {spec.en.lower()} site"
    return target.population_zh, target.population_en


def _number(x: float | int | None, measure: str) -> str:
    if x is None:
        return "—"
    return f"{x:,.2f}" if measure == "area" else f"{x:d}"


def describe(fig: Mapping, lang: str = "zh") -> str:
    """One line naming a target's plan and clause, population, numerator, denominator, share, goal and deadline."""
    m = fig["measure"]
    unit = fig["unit_zh"] if lang == "zh" else fig["unit_en"]
    pct = "—" if fig["share"] is None else f"{fig['share'] * 100:.1f}%"
    no_mark = fig["threshold"] is None  # the documents give no figure: the share is shown, no pass mark
    goal = None if no_mark else f"{fig['threshold'] * 100:.0f}%"
    goal_zh = "目标无数值（文件未给出比例）" if no_mark else f"目标 ≥ {goal}"
    goal_en = "no figure set (the documents give none)" if no_mark else f"goal >= {goal}"
    if lang == "zh":
        if fig["missing_reference"]:
            figure = _missing_text(fig["missing_reference"], "zh")
        else:
            figure = (f"分母 {_number(fig['denominator'], m)} {unit}；分子（{fig['numerator_zh']}）"
                      f"{_number(fig['numerator'], m)} {unit}；完成率 {pct}")
        return (f"【{fig['plan_zh']}】{fig['zh']}：统计范围为{fig['population_zh']}；{figure}；"
                f"{goal_zh}，截止 {fig['deadline']}。依据：{fig['clause']}")
    if fig["missing_reference"]:
        figure = _missing_text(fig["missing_reference"], "en")
    else:
        figure = (f"denominator {_number(fig['denominator'], m)} {unit}; numerator ({fig['numerator_en']}) "
                  f"{_number(fig['numerator'], m)} {unit}; share {pct}")
    return (f"[{fig['plan_en']}] {fig['en']}: population: {fig['population_en']}; {figure}; "
            f"{goal_en} by {fig['deadline']}. Clause: {fig['clause']}")


def _area_figures(target: Target, sites: Iterable, ctx: Context) -> tuple[float | None, float | None, list[str], float]:
    """(covered km², reference km², missing references, sliver km²) of an area target."""
    ref = ctx.reference
    missing = list(target.area_of) if ref is None else ref.missing(target.area_of)
    if missing:
        return None, None, missing, 0.0
    if ctx.town is not None and ctx.clip is None:  # one town, but no official boundary to measure inside
        return None, None, [TOWN_BOUNDARY], 0.0
    area = ref.union(target.area_of)
    if ctx.clip is not None:
        area = area.intersection(ctx.clip)
    pool = ctx.covering.get(_spec_of(target).key, list(sites))
    cov = coverage(area, [s.geometry for s in pool if s.status in target.done_statuses])
    return cov.covered_km2, cov.total_km2, [], cov.sliver_km2


def target_figures(target: Target, sites: Iterable, ctx: Context | None = None) -> dict:
    """One target over ``sites`` of its kind: population, numerator, denominator, share, met, and its line.

    Parameters
    ----------
    target : Target
    sites : iterable of Site
        Sites of the target's kind.
    ctx : Context, optional
        Reference areas and where each site lies; without them a target that
        needs a reference area is unavailable (``missing_reference``).

    Returns
    -------
    dict
        JSON-ready; ``line_zh``/``line_en`` say everything in one line (:func:`describe`).
        Sites in a status closed apart (``Status.excluded``) are outside every population.
    """
    ctx = ctx or Context()
    sites = list(sites)
    spec = _spec_of(target)
    missing: list[str] = []
    sliver = 0.0
    if target.measure == "area":
        num, den, missing, sliver = _area_figures(target, sites, ctx)
    else:
        if target.within and (ctx.reference is None or not ctx.reference.has(target.within)):
            num = den = None
            missing = [target.within]
        else:
            population = [s for s in sites if not _excluded(s)
                          and target.in_population(s.attrs, ctx.inside.get(s.site_id, frozenset()))]
            num = sum(1 for s in population if target.is_done(s.status, s.attrs))
            den = len(population)
    sh = None if num is None or den is None else share(num, den)
    met = None if sh is None or target.threshold is None else num + sliver >= target.threshold * den - 1e-12
    if target.measure == "area" and num is not None:
        num, den = round(num, AREA_DIGITS), round(den, AREA_DIGITS)
    unit_zh, unit_en = _units(target)
    num_zh, num_en = _numerator_text(target, spec)
    pop_zh, pop_en = _population_text(target, spec)
    fig = {
        "code": target.code,
        "zh": target.zh,
        "en": target.en,
        "plan": target.plan,
        "plan_zh": target.plan_label("zh"),
        "plan_en": target.plan_label("en"),
        "clause": target.clause,
        "measure": target.measure,
        "unit_zh": unit_zh,
        "unit_en": unit_en,
        "population_zh": pop_zh,
        "population_en": pop_en,
        "numerator_zh": num_zh,
        "numerator_en": num_en,
        "numerator": num,
        "denominator": den,
        "share": sh,
        "threshold": target.threshold,
        "threshold_source": target.threshold_source,
        "deadline": target.deadline.isoformat(),
        # Met on the exact figures (an area target also forgives drawing slivers, see geo.domain.coverage).
        "met": met,
        "missing_reference": missing,
    }
    fig["line_zh"] = describe(fig, "zh")
    fig["line_en"] = describe(fig, "en")
    return fig


def _excluded(site) -> bool:
    return REGISTRY[site.kind].status(site.status).excluded


def _groups(sites: Sequence, key, done_codes: Iterable[str]) -> dict:
    done_codes = set(done_codes)
    out: dict[str, dict] = {}
    for s in sites:
        k = key(s)
        k = "unset" if k in (None, "") else str(k)
        g = out.setdefault(k, {"n": 0, "done": 0})
        g["n"] += 1
        g["done"] += s.status in done_codes
    for g in out.values():
        g["share"] = share(g["done"], g["n"])
    return dict(sorted(out.items()))


def _parks(spec: LayerSpec, sites: Sequence) -> dict:
    from layers.parks import PROVINCIAL_OR_ABOVE, RETROFIT_CARRIED_OUT

    values: dict[str, int] = {}
    for s in sites:
        v = s.attrs.get("circular_retrofit") or "unset"
        values[v] = values.get(v, 0) + 1
    zero_done = set(spec.targets[0].done_statuses)
    levels: dict[str, dict] = {}
    for s in sites:
        g = levels.setdefault(s.attrs.get("level") or "unset", {"n": 0, "zero_discharge_done": 0,
                                                                 "retrofit_in_progress": 0, "retrofit_completed": 0})
        g["n"] += 1
        g["zero_discharge_done"] += s.status in zero_done
        g["retrofit_in_progress"] += s.attrs.get("circular_retrofit") == "in_progress"
        g["retrofit_completed"] += s.attrs.get("circular_retrofit") == "completed"
    return {
        "circular_retrofit": {
            "by_value": dict(sorted(values.items())),
            "in_progress": values.get("in_progress", 0),
            "completed": values.get("completed", 0),
            "carried_out": sum(values.get(v, 0) for v in RETROFIT_CARRIED_OUT),
            "eligible": sum(n for v, n in values.items() if v != "not_applicable"),
        },
        "by_level": dict(sorted(levels.items())),
        "provincial_or_above": sum(1 for s in sites if s.attrs.get("level") in PROVINCIAL_OR_ABOVE),
        "chemical_parks": [{"site_id": s.site_id, "name": s.name, "level": s.attrs.get("level")}
                           for s in sites if s.attrs.get("chemical_park")],
        "parks": [{"site_id": s.site_id, "name": s.name, "level": s.attrs.get("level"),
                   "chemical_park": bool(s.attrs.get("chemical_park")), "status": s.status,
                   "circular_retrofit": s.attrs.get("circular_retrofit"),
                   "online_monitoring": bool(s.attrs.get("online_monitoring"))} for s in sites],
        "online_monitoring": sum(1 for s in sites if s.attrs.get("online_monitoring")),
    }


def _outfall_groups(sites: Sequence, field: str) -> dict:
    """Per value of ``field``: outfalls counted (not closed apart), 整治完成 (incl. 销号), 销号, and both shares.

    In the order of the field's choices (the ledger's order), values not set last.
    """
    out: dict[str, dict] = {}
    for s in sites:
        k = s.attrs.get(field)
        k = "unset" if k in (None, "") else str(k)
        g = out.setdefault(k, {"n": 0, "remediated": 0, "closed": 0})
        g["n"] += 1
        g["remediated"] += s.status in ("remediated", "closed")
        g["closed"] += s.status == "closed"
    for g in out.values():
        g["remediated_share"] = share(g["remediated"], g["n"])
        g["closed_share"] = share(g["closed"], g["n"])
    order = [c.code for c in REGISTRY["outfalls"].field(field).choices]
    return dict(sorted(out.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0])))


def _outfalls(spec: LayerSpec, sites: Sequence) -> dict:
    """Outfall figures as the national ledger reports them: by first-level class (HJ 1312-2023), by receiving
    water and 入河/入海, each with 整治完成 (remediated or closed) and 销号 (closed) apart; the points closed at
    survey (非排污口/重复/已消失) counted apart, by reason, never as remediated."""
    counted = [s for s in sites if not _excluded(s)]
    dismissed = [s for s in sites if _excluded(s)]
    by_reason: dict[str, int] = {}
    for s in dismissed:
        reason = s.attrs.get("dismissal_reason") or "unset"
        by_reason[reason] = by_reason.get(reason, 0) + 1
    remediated = sum(1 for s in counted if s.status in ("remediated", "closed"))
    closed = sum(1 for s in counted if s.status == "closed")
    return {
        "counted": len(counted),
        "remediated": remediated,
        "remediated_share": share(remediated, len(counted)),
        "closed": closed,
        "closed_share": share(closed, len(counted)),
        "by_type": _outfall_groups(counted, "outfall_type"),
        "by_receiving_water": _outfall_groups(counted, "receiving_water"),
        "by_discharge_into": _outfall_groups(counted, "discharge_into"),
        "by_method": _outfall_groups(counted, "remediation_method"),
        "dismissed": {"n": len(dismissed), "by_reason": dict(sorted(by_reason.items()))},
        "black_odour_seen": sum(1 for s in counted if s.attrs.get("black_odour_seen")),
    }


def _black_odorous(spec: LayerSpec, sites: Sequence, observations: Mapping | None = None,
                   today: date | None = None) -> dict:
    from geo.domain.evidence_review import measured_status

    done = spec.targets[0].done_statuses
    out = {"by_water_kind": _groups(sites, lambda s: s.attrs.get("water_kind"), done),
           "rural_flagged": sum(1 for s in sites if spec.targets[1].in_population(s.attrs)),
           "rural_not_flagged": sum(1 for s in sites if s.attrs.get("water_kind") == "rural"
                                    and not spec.targets[1].in_population(s.attrs)),
           "relapsed": sum(1 for s in sites if s.status == "relapsed")}
    if observations is not None:
        out["measured"] = measured_status(sites, observations, today)
    return out


def _berth_row(s, reason: str | None, capable: Iterable[str]) -> dict:
    a = s.attrs
    return {
        "site_id": s.site_id,
        "name": s.name,
        "port_area": a.get("port_area"),
        "berth_no": a.get("berth_no"),
        "berth_type": a.get("berth_type"),
        "tonnage_t": a.get("tonnage_t"),
        "dangerous_goods": bool(a.get("dangerous_goods")),
        "specialised": a.get("specialised"),
        "status": s.status,
        "capable": s.status in capable,
        **({"reason": reason} if reason else {}),
    }


def _berth_lists(target: Target, sites: Sequence, why) -> dict:
    counted, excluded = [], []
    for s in sites:
        if target.in_population(s.attrs):
            counted.append(_berth_row(s, None, target.done_statuses))
        else:
            excluded.append(_berth_row(s, why(s.attrs) or "not_specialised", target.done_statuses))
    by_reason: dict[str, int] = {}
    for row in excluded:
        by_reason[row["reason"]] = by_reason.get(row["reason"], 0) + 1
    return {"counted": counted, "excluded": excluded, "excluded_by_reason": by_reason}


def _berths(spec: LayerSpec, sites: Sequence) -> dict:
    # The spec's populations decide (they give the figures); the reasons only explain.
    fuqing, province = spec.targets[0], spec.targets[1]
    out = _berth_lists(fuqing, sites, berth_exclusion)
    out["province"] = _berth_lists(province, sites, province_exclusion)
    ports: dict[str, dict] = {}
    for s in sites:
        g = ports.setdefault(s.attrs.get("port_area") or "unset",
                             {"berths": 0, "eligible": 0, "capable": 0, "province_eligible": 0, "province_capable": 0})
        g["berths"] += 1
        if fuqing.in_population(s.attrs):
            g["eligible"] += 1
            g["capable"] += s.status in fuqing.done_statuses
        if province.in_population(s.attrs):
            g["province_eligible"] += 1
            g["province_capable"] += s.status in province.done_statuses
    out["by_port_area"] = dict(sorted(ports.items()))
    out["not_working"] = [_berth_row(s, None, ()) for s in sites if s.status in ("fault", "out_of_use")]
    return out


def _usage(sites: Sequence, observations: Mapping, today: date) -> dict:
    from geo.domain.shore_power_usage import usage_figures

    return usage_figures(sites, observations, today)


_BREAKDOWN = {
    "parks": _parks,
    "outfalls": _outfalls,
    "black_odorous": _black_odorous,
    "shore_power_berths": _berths,
}
#: Breakdowns that also need the reference areas and the other kinds' sites (:class:`Context`).
_CONTEXT_BREAKDOWN = {
    "clean_fuel_zones": zones_breakdown,
    "coal_boilers": boilers_breakdown,
}


def _kind(spec: LayerSpec, sites: Sequence, today: date, ctx: Context,
          observations: Mapping | None = None) -> dict:
    by_status = {s.code: 0 for s in spec.statuses}
    for s in sites:
        by_status[s.status] = by_status.get(s.status, 0) + 1
    if spec.key in _CONTEXT_BREAKDOWN:
        breakdown = _CONTEXT_BREAKDOWN[spec.key](spec, sites, ctx)
    elif spec.key == "black_odorous":  # readings are its evidence
        breakdown = _black_odorous(spec, sites, observations, today)
    elif spec.key == "shore_power_berths" and observations is not None:
        breakdown = {**_berths(spec, sites), "usage": _usage(sites, observations, today)}
    else:
        extra = _BREAKDOWN.get(spec.key)
        breakdown = extra(spec, sites) if extra else {}
    return {
        "zh": spec.zh,
        "en": spec.en,
        "plan_clause": spec.plan_clause,
        "total": len(sites),
        "excluded": sum(1 for s in sites if spec.status(s.status).excluded),
        "done": sum(1 for s in sites if spec.status(s.status).done),
        "overdue": sum(1 for s in sites if is_overdue(s.kind, s.status, s.deadline, today)),
        "by_status": by_status,
        "targets": [target_figures(t, sites, ctx) for t in spec.targets],
        "breakdown": breakdown,
    }


def town_name(code: str, lang: str = "zh") -> str:
    """The official name of a town code, or the code itself when it is not in the list."""
    try:
        town = towns.town_by_code(code)
    except OneMapError:
        return str(code)
    return town.name_zh if lang == "zh" else town.name_en


def _town_order() -> dict[str, int]:
    return {t.code: i for i, t in enumerate(towns.all_towns())}


def sort_town_codes(codes: Iterable[str]) -> list[str]:
    """Town codes in the official order (streets, towns, farms); unknown codes last."""
    order = _town_order()
    return sorted(set(codes), key=lambda c: (order.get(c, len(order)), c))


def town_rows(sites: Sequence, today: date, ctx: Context | None = None) -> list[dict]:
    """Per town (official order, towns with sites only): totals, done, overdue, and each kind and target.

    Shares leave out the sites closed apart (``Status.excluded``); totals count every site. An area
    target is measured inside the town's official boundary, when an administrator has loaded it;
    otherwise it is unavailable for the town.
    """
    ctx = ctx or Context()
    by_town: dict[str, list] = {}
    for s in sites:
        by_town.setdefault(s.town_code, []).append(s)
    rows = []
    for code in sort_town_codes(by_town):
        items = by_town[code]
        kinds = {}
        for key in KIND_KEYS:
            mine = [s for s in items if s.kind == key]
            if not mine:
                continue
            spec = REGISTRY[key]
            done = sum(1 for s in mine if spec.status(s.status).done)
            counted = sum(1 for s in mine if not spec.status(s.status).excluded)
            kinds[key] = {
                "total": len(mine),
                "done": done,
                "share": share(done, counted),
                "targets": {t.code: {k: v for k, v in target_figures(t, mine, _town_context(ctx, code)).items()
                                     if k in ("numerator", "denominator", "share", "met", "missing_reference")}
                            for t in spec.targets},
            }
        done = sum(k["done"] for k in kinds.values())
        rows.append({
            "code": code,
            "name_zh": town_name(code, "zh"),
            "name_en": town_name(code, "en"),
            "total": len(items),
            "done": done,
            "overdue": sum(1 for s in items if is_overdue(s.kind, s.status, s.deadline, today)),
            "share": share(done, sum(1 for s in items if not _excluded(s))),
            "kinds": kinds,
        })
    return rows


def _town_context(ctx: Context, code: str) -> Context:
    towns_loaded = ctx.reference.towns if ctx.reference is not None else {}
    return Context(reference=ctx.reference, inside=ctx.inside, covering=ctx.covering, clip=towns_loaded.get(code),
                   town=code, boiler_zones=ctx.boiler_zones)


def overdue_sites(sites: Sequence, today: date) -> list[dict]:
    """Sites whose deadline passed before ``today`` and that are not done, longest overdue first."""
    rows = []
    for s in sites:
        if not is_overdue(s.kind, s.status, s.deadline, today):
            continue
        due = date.fromisoformat(str(s.deadline)[:10])
        rows.append({
            "site_id": s.site_id,
            "kind": s.kind,
            "name": s.name,
            "town_code": s.town_code,
            "status": s.status,
            "deadline": due.isoformat(),
            "days_overdue": (today - due).days,
            "responsible": s.responsible,
        })
    rows.sort(key=lambda r: (-r["days_overdue"], r["site_id"]))
    return rows


def context(everything: Sequence, reference: ReferenceAreas | None, town: str | None = None) -> Context:
    """The :class:`Context` of figures over ``everything`` (every site, all towns) for ``town`` or the city.

    Parameters
    ----------
    everything : sequence of Site
        Every site as it stands on the day of the figures (a zone covers across town lines).
    reference : ReferenceAreas, optional
        The official reference areas (and town boundaries) loaded.
    town : str, optional
        A town code: area targets are measured inside its official boundary.
    """
    covering = {k: [s for s in everything if s.kind == k] for k in KIND_KEYS}
    located = [s for k, spec in REGISTRY.items() if any(t.within for t in spec.targets) for s in covering[k]]
    within = sorted({t.within for spec in REGISTRY.values() for t in spec.targets if t.within})
    inside = locate(located, reference, within)
    clip = None
    if town and reference is not None:
        clip = reference.towns.get(town)
    return Context(reference=reference, inside=inside, covering=covering, clip=clip, town=town or None,
                   boiler_zones=zones_of_boilers(covering.get("coal_boilers", []),
                                                 covering.get("clean_fuel_zones", [])))


def progress(
    sites: Sequence,
    today: date,
    *,
    town: str | None = None,
    history: Iterable | None = None,
    onsite_m: float | None = None,
    sample: bool = False,
    observations: Mapping[str, Sequence] | None = None,
    reference: ReferenceAreas | None = None,
) -> dict:
    """Every figure of the review dashboard, as JSON-ready data.

    Parameters
    ----------
    sites : sequence of Site
        Sites as they stand on ``today`` (the current ones, or
        :func:`geo.domain.asof.sites_as_of` for a past day).
    today : date
        The day the figures are for: the overdue rule compares deadlines with it.
    town : str, optional
        A town code: only that town's sites count.
    history : iterable of HistoryEntry, optional
        When given (already cut at ``today``), evidence quality is added
        under ``"evidence"``.
    onsite_m : float, optional
        Distance within which a change counts as made on site
        (default :func:`geo.domain.evidence.default_onsite_m`).
    sample : bool
        The store holds illustrative sample data: a notice is added.
    observations : mapping of str to sequence of Observation, optional
        Every stored row of the monitoring tables (corrections and voids
        included); the rows recorded by the end of ``today`` count. Black-odorous
        water then shows, per body, the grade of its latest campaign and where
        the status and the readings disagree (``breakdown.measured``).
    reference : ReferenceAreas, optional
        The official reference areas (and town boundaries) an administrator
        imported; targets that need one that is missing say so.

    Returns
    -------
    dict
        ``as_of``, ``town``, ``sample_notice``, ``reference`` (each reference
        area: imported, km², source, sample), ``totals``, ``kinds`` (per kind:
        ``targets`` with population/numerator/denominator/share/threshold/
        deadline/clause and ``line_zh``/``line_en``, and a ``breakdown``),
        ``towns``, ``overdue`` and, with a history, ``evidence``, ``overrides``
        (status changes an administrator forced past an evidence gate) and, per
        target, ``milestones`` (the figure at the end of each year).
    """
    everything = list(sites)
    ctx = context(everything, reference, town)
    sites = [s for s in everything if s.town_code == town] if town else everything
    by_kind = {k: [s for s in sites if s.kind == k] for k in KIND_KEYS}
    overdue = overdue_sites(sites, today)
    out = {
        "as_of": today.isoformat(),
        "town": None if not town else {"code": town, "name_zh": town_name(town, "zh"), "name_en": town_name(town, "en")},
        "sample_notice": "示例数据，非官方数据，不得作为统计或上报依据 (illustrative sample data, not official)"
        if sample else None,
        "reference": {key: {"zh": a.zh, "en": a.en, "imported": bool(reference and reference.has(key)),
                            "area_km2": round(area_km2(reference.areas[key]), AREA_DIGITS)
                            if reference and reference.has(key) else None,
                            "source": reference.sources.get(key) if reference else None,
                            "sample": bool(reference and key in reference.sample)}
                      for key, a in REFERENCE_AREAS.items()},
        "totals": {
            "sites": len(sites),
            "done": sum(1 for s in sites if REGISTRY[s.kind].status(s.status).done),
            "overdue": len(overdue),
        },
        "kinds": {k: _kind(REGISTRY[k], by_kind[k], today, ctx, observations) for k in KIND_KEYS},
        "towns": town_rows(sites, today, ctx),
        "overdue": {"count": len(overdue), "sites": overdue},
    }
    if history is not None:
        from geo.domain.evidence import evidence_quality
        from geo.domain.evidence_review import overrides, yearly_milestones

        history = list(history)
        out["evidence"] = evidence_quality(sites, history, onsite_m=onsite_m)
        out["overrides"] = overrides(history, {s.site_id for s in sites})
        for key, figures in yearly_milestones(everything, history, today, town=town, reference=reference).items():
            for tg in out["kinds"][key]["targets"]:
                tg["milestones"] = figures.get(tg["code"], [])
    return out
