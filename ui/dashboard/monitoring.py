"""The dashboard's black-odorous detail: targets with their yearly steps, what the readings say, overrides (thin).

Every figure comes from :func:`geo.domain.targets.progress` (``milestones`` per target, ``breakdown.measured``,
``overrides``); this module only lays them out.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.dashboard.common import figure_text, goal_text, pct, status_label
from ui.i18n import lang, t


def black_odorous_detail(figures: dict) -> None:
    """Targets (with their source and yearly figures), the latest measured grade of every body, mismatches, overrides."""
    lg = lang()
    kind = figures["kinds"]["black_odorous"]
    for tg in kind["targets"]:
        st.markdown(f"**{tg['zh'] if lg == 'zh' else tg['en']}**: {figure_text(tg)} = "
                    f"{pct(tg['share'])} · {goal_text(tg, t)}")
        st.caption(f"{tg['clause']}。{t('dash_threshold_source')}：{tg.get('threshold_source') or '—'}")
        steps = tg.get("milestones") or []
        if steps:
            st.caption(t("dash_milestones"))
            st.dataframe(pd.DataFrame([{t("dash_year"): m["year"], t("dash_share"): pct(m["share"]),
                                        "n": f"{m['numerator']}/{m['denominator']}",
                                        "✓": "—" if m["met"] is None else ("✓" if m["met"] else "✗")}
                                       for m in steps]), hide_index=True, width="content")
    measured = kind["breakdown"].get("measured")
    if measured:
        st.markdown(f"**{t('dash_measured')}**")
        st.caption(t("dash_measured_help"))
        counts = measured["counts"]
        labels = {"heavy": t("grade_heavy"), "light": t("grade_light"), "black": "黑臭（农村）" if lg == "zh" else
                  "black (rural)", "none": t("grade_none"), "ungraded": "—", "no_readings": t("dash_no_readings")}
        st.dataframe(pd.DataFrame([{t("obs_grade"): labels[k], "n": v} for k, v in counts.items() if v]),
                     hide_index=True, width="content")
        if measured["mismatches"]:
            st.dataframe(pd.DataFrame([{
                t("site_id"): m["site_id"], t("dash_name"): m["name"],
                t("status"): status_label("black_odorous", m["status"]),
                t("obs_campaign"): m["latest"],
                t("obs_grade"): m["grade_zh"] if lg == "zh" else m["grade_en"],
                "": t(f"dash_mismatch_{m['kind']}")} for m in measured["mismatches"]]),
                hide_index=True, width="stretch")
    overrides = figures.get("overrides")
    if overrides is not None:
        st.markdown(f"**{t('dash_overrides')}**")
        if not overrides:
            st.caption(t("dash_no_overrides"))
        else:
            st.dataframe(pd.DataFrame([{t("site_id"): o["site_id"], t("h_time"): o["at"], t("h_actor"): o["actor"],
                                        t("status"): status_label(o["kind"], o["to"]) if o["to"] else "—",
                                        t("override_reason"): o["reason"]} for o in overrides]),
                         hide_index=True, width="stretch")


def shore_power_usage_detail(kind: dict) -> None:
    """Usage rate (calls on shore power / ship calls) over all berths, per port area and month, per berth."""
    usage = kind["breakdown"].get("usage")
    if not usage or not usage["by_month"]:
        st.caption(t("dash_usage_none"))
        return
    tot = usage["total"]
    st.markdown(t("dash_usage_line", c=tot["calls_connected"], n=tot["ship_calls"], p=pct(tot["rate"]),
                  m0=usage["months"][-1], m1=usage["months"][0], h=f"{tot['hours']:g}", k=f"{tot['energy_kwh']:,.0f}"))
    st.caption(f"{t('dash_usage_help')} {usage['clause']}")
    if usage["sample"]:
        st.caption(t("obs_sample_usage"))
    months = usage["months"]
    st.dataframe(pd.DataFrame([{t("dash_port_area"): a["port_area"], t("dash_total"): pct(a["rate"]),
                                **{m: pct(a["months"].get(m, {}).get("rate")) for m in months}}
                               for a in usage["by_area"]]), hide_index=True, width="stretch")
    st.dataframe(pd.DataFrame([{t("site_id"): b["site_id"], t("dash_name"): b["name"],
                                t("dash_usage_calls"): f"{b['calls_connected']}/{b['ship_calls']}",
                                t("dash_total"): pct(b["rate"]), "kWh": round(b["energy_kwh"]),
                                **{m: pct(b["months"].get(m, {}).get("rate")) for m in months}}
                               for b in usage["by_berth"]]), hide_index=True, width="stretch")
