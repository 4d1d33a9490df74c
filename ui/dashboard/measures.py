"""The dashboard's detail of parks, shore power, clean-fuel zones and coal boilers (thin: figures from ``geo/``).

Each part lays out the breakdown :func:`geo.domain.targets.progress` computed for
its kind: the parks by level with the chemical-park flag and both retrofit stages;
the berths counted and excluded under Fuqing's and the province's populations and
those broken or out of use; the zones' area coverage by stage and by reference area,
the parts left uncovered and each zone's area beyond the scope; the coal-boiler
register with each boiler's zone and heat-network position found from its location.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.domain.targets import BERTH_EXCLUSIONS
from layers.reference import REFERENCE_AREAS
from ui.dashboard.common import choice_label, pct, status_label, town_label
from ui.i18n import lang, t


def _table(rows: list[dict], empty_key: str = "dash_none") -> None:
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.caption(t(empty_key))


def _yes(value) -> str:
    return "—" if value is None else (t("yes") if value else t("no"))


def _km2(x: float | None) -> str:
    return "—" if x is None else f"{x:,.2f}"


def parks(kind: dict) -> None:
    """Levels, chemical parks, zero-discharge status and circular retrofit (in progress and completed)."""
    b = kind["breakdown"]
    c = b["circular_retrofit"]
    st.markdown(t("dash_retrofit_line", i=c["in_progress"], c=c["completed"], n=c["carried_out"], e=c["eligible"],
                  m=b["online_monitoring"]))
    _table([{t("site_id"): p["site_id"], t("dash_name"): p["name"], t("dash_level"): choice_label("parks", "level", p["level"]),
             t("dash_chemical"): _yes(p["chemical_park"]), t("status"): status_label("parks", p["status"]),
             t("dash_circular"): choice_label("parks", "circular_retrofit", p["circular_retrofit"]),
             t("dash_monitoring"): _yes(p["online_monitoring"])} for p in b["parks"]])


def berths(kind: dict) -> None:
    """Berths counted and excluded under each population, per port area, and those not working."""
    b = kind["breakdown"]

    def row(r: dict, reason: bool) -> dict:
        out = {t("site_id"): r["site_id"], t("dash_name"): r["name"],
               t("dash_berth_type"): choice_label("shore_power_berths", "berth_type", r["berth_type"]),
               t("dash_tonnage"): r["tonnage_t"], t("dash_dangerous"): _yes(r["dangerous_goods"]),
               t("dash_specialised"): _yes(r["specialised"]) if r["specialised"] is not None else t("dash_presumed"),
               t("status"): status_label("shore_power_berths", r["status"])}
        if reason:
            zh, en = BERTH_EXCLUSIONS[r["reason"]]
            out[t("dash_reason")] = zh if lang() == "zh" else en
        return out

    for title, lists in ((t("dash_berths_fuqing"), b), (t("dash_berths_province"), b["province"])):
        st.markdown(f"**{title}** · {t('dash_counted')} ({len(lists['counted'])})")
        _table([row(r, False) for r in lists["counted"]])
        st.markdown(f"{t('dash_excluded')} ({len(lists['excluded'])})")
        _table([row(r, True) for r in lists["excluded"]])
    st.markdown(f"**{t('dash_by_port_area')}**")
    _table([{t("dash_port_area"): k, t("dash_sites_n"): g["berths"],
             t("dash_capable_fuqing"): f"{g['capable']}/{g['eligible']}",
             t("dash_capable_province"): f"{g['province_capable']}/{g['province_eligible']}"}
            for k, g in b["by_port_area"].items()])
    st.markdown(f"**{t('dash_not_working')}** ({len(b['not_working'])})")
    _table([row(r, False) for r in b["not_working"]], "dash_none")


def _reference_lines(reference: dict, keys) -> None:
    for key in keys:
        r = reference[key]
        name = REFERENCE_AREAS[key].label(lang())
        if not r["imported"]:
            st.warning(t("dash_ref_missing", name=name), icon=":material/layers_clear:")
            continue
        st.caption(t("dash_ref_line", name=name, a=_km2(r["area_km2"]), src=r["source"] or "—")
                   + (f" · **{t('sample_badge')}**" if r["sample"] else ""))


def zones(kind: dict, reference: dict) -> None:
    """Area coverage by stage and by reference area, uncovered parts, zones with their area beyond the scope."""
    z = kind["breakdown"]
    _reference_lines(reference, ("built_up_area", "near_suburbs"))
    st.markdown(t("dash_zone_counts", d=z["at_least"]["designated"], a=z["at_least"]["announced"],
                  e=z["at_least"]["enforced"], w=z["withdrawn"], n=kind["total"]))
    if z["coverage_by_stage"]:
        st.markdown(f"**{t('dash_cov_by_stage')}**")
        _table([{t("dash_stage"): status_label("clean_fuel_zones", stage), t("dash_covered_km2"): _km2(c["covered_km2"]),
                 t("dash_total_km2"): _km2(c["total_km2"]), t("dash_share"): pct(c["share"])}
                for stage, c in z["coverage_by_stage"].items()])
        st.markdown(f"**{t('dash_cov_by_area')}**")
        _table([{t("dash_ref_area"): REFERENCE_AREAS[key].label(lang()), t("dash_covered_km2"): _km2(c["covered_km2"]),
                 t("dash_total_km2"): _km2(c["total_km2"]), t("dash_share"): pct(c["share"])}
                for key, c in z["coverage_by_area"].items()])
        st.markdown(t("dash_uncovered_line", a=_km2(z["uncovered_km2"]), o=_km2(z["outside_scope_km2"])))
        _table([{t("dash_area_km2"): _km2(p["area_km2"]), t("dash_near_town"): p["near_town"],
                 t("dash_where"): f"{p['lon']:.5f}, {p['lat']:.5f}"} for p in z["uncovered_parts"]], "dash_none")
        st.caption(t("dash_uncovered_map_hint"))
    st.markdown(f"**{t('dash_zones_table')}**")
    _table([{t("site_id"): r["site_id"], t("dash_name"): r["name"], t("status"): status_label("clean_fuel_zones", r["status"]),
             t("dash_fuel_category"): choice_label("clean_fuel_zones", "fuel_category", r["fuel_category"]),
             t("dash_area_km2"): _km2(r["area_km2"]), t("dash_in_scope_km2"): _km2(r["in_scope_km2"]),
             t("dash_outside_km2"): _km2(r["outside_scope_km2"]), t("dash_boilers_open"): r["coal_boilers_open"]}
            for r in z["zones"]])
    st.caption(t("dash_area_method"))


def boilers(kind: dict) -> None:
    """The register: each boiler's zone and heat-network position (found from its location)."""
    b = kind["breakdown"]
    hn = b["heat_network"]
    name = REFERENCE_AREAS["heat_network"].label(lang())
    if not hn["imported"]:
        st.warning(t("dash_ref_missing", name=name), icon=":material/layers_clear:")
    else:
        st.caption(t("dash_ref_line", name=name, a=_km2(hn["area_km2"]), src=hn["source"] or "—")
                   + (f" · **{t('sample_badge')}**" if hn["sample"] else ""))
    large = b["large"]
    st.markdown(t("dash_boiler_large", n=large["n"], r=large["ule_retrofitted"], p=large["phased_out"],
                  o=large["in_use"] + large["in_progress"]))
    if b["in_heat_network"] is not None:
        h = b["in_heat_network"]
        st.markdown(t("dash_boiler_heat", n=sum(h.values()), p=h["phased_out"], r=h["ule_retrofitted"],
                      o=h["in_use"] + h["in_progress"]))
    if b["open_in_enforced_zone"]:
        st.warning(t("dash_boiler_in_zone", ids="、".join(b["open_in_enforced_zone"])), icon=":material/warning:")
    capacity = f"{b['capacity_open_th']:g}"
    st.markdown(f"**{t('dash_boiler_register')}** · {t('dash_boiler_capacity', c=capacity)}")
    _table([{t("site_id"): r["site_id"], t("dash_name"): r["name"], t("dash_owner"): r["owner"] or "",
             t("town"): town_label(r["town_code"]), t("dash_capacity"): r["tonnage_th"],
             t("dash_fuel"): choice_label("coal_boilers", "fuel", r["fuel"]),
             t("status"): status_label("coal_boilers", r["status"]),
             t("dash_in_zone"): "、".join(f"{z['name']}（{status_label('clean_fuel_zones', z['status'])}）"
                                         for z in r["zones"]) or "—",
             t("dash_in_heat"): _yes(r["in_heat_network"])} for r in b["register"]])
    st.caption(t("dash_boiler_located"))
