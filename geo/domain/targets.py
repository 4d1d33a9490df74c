"""Progress against the plans' targets, computed from the sites — never typed in (pure).

:func:`progress` returns, as plain JSON-ready data, exactly the figures the
review dashboard shows and ``python cli.py progress`` prints: per kind each
target of its spec (numerator, denominator, share, threshold, plan clause)
with the kind's own breakdown, the same per town, and the overdue sites.
Evidence quality is added when the history is given (:mod:`geo.domain.evidence`).

A share is ``None`` when nothing is in the target's population (0 of 0 is
not 100 %); a target is met when ``numerator >= threshold * denominator``.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Mapping, Sequence

from geo import towns
from geo.errors import OneMapError
from geo.domain.status import is_overdue
from layers import KIND_KEYS, REGISTRY
from layers.spec import LayerSpec, Target

__all__ = [
    "BERTH_EXCLUSIONS",
    "berth_exclusion",
    "progress",
    "share",
    "sort_town_codes",
    "target_figures",
    "town_name",
    "town_rows",
    "overdue_sites",
]

SHARE_DIGITS = 4

#: Why a berth is outside the 70 % target's population, in the order tested.
BERTH_EXCLUSIONS: Mapping[str, tuple[str, str]] = {
    "dangerous_goods": ("危险货物泊位（方案明确除外）", "dangerous-goods berth (excluded by the plan)"),
    "not_specialised": ("非方案所列专业化泊位类型", "not one of the plan's specialised berth types"),
    "tonnage_unknown": ("吨级未填写，无法判断", "tonnage class not recorded"),
    "passenger_under_3000t": ("客运泊位不足3千吨级", "passenger berth under 3,000 t"),
    "dry_bulk_under_50000t": ("干散货泊位不足5万吨级", "dry-bulk berth under 50,000 t"),
}


def share(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` rounded to 4 digits; None when the denominator is 0."""
    return round(numerator / denominator, SHARE_DIGITS) if denominator else None


def _tonnage(attrs: Mapping[str, object]) -> float | None:
    value = attrs.get("tonnage_t")
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def berth_exclusion(attrs: Mapping[str, object]) -> str | None:
    """Why a berth does not count toward the shore-power target; None when it counts.

    Mirrors :func:`layers.shore_power_berths.is_eligible_berth` (a test checks
    they agree on every case) and says which rule excluded the berth.

    Parameters
    ----------
    attrs : mapping
        ``berth_type``, ``tonnage_t``, ``dangerous_goods``.

    Returns
    -------
    str or None
        A key of :data:`BERTH_EXCLUSIONS`, or None for an eligible berth.
    """
    if attrs.get("dangerous_goods"):
        return "dangerous_goods"
    kind = attrs.get("berth_type")
    if kind in ("container", "ro_ro", "cruise"):
        return None
    if kind not in ("passenger", "dry_bulk"):
        return "not_specialised"
    tonnage = _tonnage(attrs)
    if tonnage is None:
        return "tonnage_unknown"
    if kind == "passenger":
        return None if tonnage >= 3_000 else "passenger_under_3000t"
    return None if tonnage >= 50_000 else "dry_bulk_under_50000t"


def target_figures(target: Target, sites: Iterable) -> dict:
    """One target over ``sites`` of its kind: numerator, denominator, share, met.

    Sites in a status closed apart (``Status.excluded``) are outside every population.
    """
    population = [s for s in sites if not _excluded(s) and target.in_population(s.attrs)]
    done = sum(1 for s in population if s.status in target.done_statuses)
    den = len(population)
    met = None if den == 0 or target.threshold is None else done >= target.threshold * den
    province = target.province_threshold
    return {
        "code": target.code,
        "zh": target.zh,
        "en": target.en,
        "clause": target.clause,
        "population_zh": target.population_zh,
        "population_en": target.population_en,
        "numerator": done,
        "denominator": den,
        "share": share(done, den),
        "threshold": target.threshold,
        "threshold_source": target.threshold_source,
        "province_threshold": province,
        "deadline": target.deadline.isoformat(),
        "met": met,
        "met_province": None if den == 0 or province is None else done >= province * den,
    }


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
    values = {}
    for s in sites:
        v = s.attrs.get("circular_retrofit") or "unset"
        values[v] = values.get(v, 0) + 1
    eligible = [s for s in sites if s.attrs.get("circular_retrofit") != "not_applicable"]
    completed = sum(1 for s in eligible if s.attrs.get("circular_retrofit") == "completed")
    return {
        "circular_retrofit": {
            "zh": "循环化改造（具备条件的园区中已完成）",
            "en": "Circular retrofit completed (of eligible parks)",
            "clause": "福清市方案 三(二)：具备条件的园区全部实施循环化改造",
            "numerator": completed,
            "denominator": len(eligible),
            "share": share(completed, len(eligible)),
            "by_value": dict(sorted(values.items())),
        },
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


def _berth_row(s, reason: str | None) -> dict:
    a = s.attrs
    return {
        "site_id": s.site_id,
        "name": s.name,
        "port_area": a.get("port_area"),
        "berth_no": a.get("berth_no"),
        "berth_type": a.get("berth_type"),
        "tonnage_t": a.get("tonnage_t"),
        "dangerous_goods": bool(a.get("dangerous_goods")),
        "status": s.status,
        "capable": s.status in REGISTRY["shore_power_berths"].targets[0].done_statuses,
        **({"reason": reason} if reason else {}),
    }


def _berths(spec: LayerSpec, sites: Sequence) -> dict:
    # The spec's population decides (it gives the figures); the reason only explains.
    target = spec.targets[0]
    counted, excluded = [], []
    for s in sites:
        if target.in_population(s.attrs):
            counted.append(_berth_row(s, None))
        else:
            excluded.append(_berth_row(s, berth_exclusion(s.attrs) or "not_specialised"))
    by_reason: dict[str, int] = {}
    for row in excluded:
        by_reason[row["reason"]] = by_reason.get(row["reason"], 0) + 1
    return {"counted": counted, "excluded": excluded, "excluded_by_reason": by_reason}


def _zones(spec: LayerSpec, sites: Sequence) -> dict:
    steps = {s.code: s.step for s in spec.statuses}
    stage = {code: sum(1 for z in sites if steps.get(z.status, 0) >= steps[code])
             for code in ("designated", "announced", "enforced")}
    boilers = [z.attrs.get("coal_boilers_remaining") for z in sites]
    return {
        "at_least": stage,
        "coal_boilers_remaining": sum(int(b) for b in boilers if b is not None),
        "coal_boilers_unknown": sum(1 for b in boilers if b is None),
        "zones_with_coal_boilers": [
            {"site_id": z.site_id, "name": z.name, "status": z.status, "coal_boilers": int(z.attrs["coal_boilers_remaining"])}
            for z in sites if z.attrs.get("coal_boilers_remaining")
        ],
    }


def _usage(sites: Sequence, observations: Mapping, today: date) -> dict:
    from geo.domain.shore_power_usage import usage_figures

    return usage_figures(sites, observations, today)


_BREAKDOWN = {
    "parks": _parks,
    "outfalls": _outfalls,
    "black_odorous": _black_odorous,
    "shore_power_berths": _berths,
    "clean_fuel_zones": _zones,
}


def _kind(spec: LayerSpec, sites: Sequence, today: date, observations: Mapping | None = None) -> dict:
    by_status = {s.code: 0 for s in spec.statuses}
    for s in sites:
        by_status[s.status] = by_status.get(s.status, 0) + 1
    extra = _BREAKDOWN.get(spec.key)
    if spec.key == "black_odorous":
        extra = lambda sp, ss: _black_odorous(sp, ss, observations, today)  # noqa: E731 - readings are its evidence
    if spec.key == "shore_power_berths" and observations is not None:
        extra = lambda sp, ss: {**_berths(sp, ss), "usage": _usage(ss, observations, today)}  # noqa: E731
    return {
        "zh": spec.zh,
        "en": spec.en,
        "plan_clause": spec.plan_clause,
        "total": len(sites),
        "excluded": sum(1 for s in sites if spec.status(s.status).excluded),
        "done": sum(1 for s in sites if spec.status(s.status).done),
        "overdue": sum(1 for s in sites if is_overdue(s.kind, s.status, s.deadline, today)),
        "by_status": by_status,
        "targets": [target_figures(t, sites) for t in spec.targets],
        "breakdown": extra(spec, sites) if extra else {},
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


def town_rows(sites: Sequence, today: date) -> list[dict]:
    """Per town (official order, towns with sites only): totals, done, overdue, and each kind and target.

    Shares leave out the sites closed apart (``Status.excluded``); totals count every site.
    """
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
                "targets": {t.code: {k: v for k, v in target_figures(t, mine).items()
                                     if k in ("numerator", "denominator", "share", "met")}
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


def progress(
    sites: Sequence,
    today: date,
    *,
    town: str | None = None,
    history: Iterable | None = None,
    onsite_m: float | None = None,
    sample: bool = False,
    observations: Mapping[str, Sequence] | None = None,
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

    Returns
    -------
    dict
        ``as_of``, ``town``, ``sample_notice``, ``totals``, ``kinds`` (per kind:
        ``targets`` with numerator/denominator/share/threshold/clause, and a
        ``breakdown``), ``towns``, ``overdue`` and, with a history, ``evidence``,
        ``overrides`` (status changes an administrator forced past an evidence
        gate) and, per target, ``milestones`` (the figure at the end of each year).
    """
    if town:
        sites = [s for s in sites if s.town_code == town]
    sites = list(sites)
    by_kind = {k: [s for s in sites if s.kind == k] for k in KIND_KEYS}
    overdue = overdue_sites(sites, today)
    out = {
        "as_of": today.isoformat(),
        "town": None if not town else {"code": town, "name_zh": town_name(town, "zh"), "name_en": town_name(town, "en")},
        "sample_notice": "示例数据，非官方数据，不得作为统计或上报依据 (illustrative sample data, not official)"
        if sample else None,
        "totals": {
            "sites": len(sites),
            "done": sum(1 for s in sites if REGISTRY[s.kind].status(s.status).done),
            "overdue": len(overdue),
        },
        "kinds": {k: _kind(REGISTRY[k], by_kind[k], today, observations) for k in KIND_KEYS},
        "towns": town_rows(sites, today),
        "overdue": {"count": len(overdue), "sites": overdue},
    }
    if history is not None:
        from geo.domain.evidence import evidence_quality
        from geo.domain.evidence_review import overrides, yearly_milestones

        history = list(history)
        out["evidence"] = evidence_quality(sites, history, onsite_m=onsite_m)
        out["overrides"] = overrides(history, {s.site_id for s in sites})
        for key, figures in yearly_milestones(sites, history, today, town=town).items():
            for tg in out["kinds"][key]["targets"]:
                tg["milestones"] = figures.get(tg["code"], [])
    return out
