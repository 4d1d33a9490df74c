"""The dashboard's sections: progress, towns, overdue, recent changes, evidence (thin: figures come from geo/)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.domain.evidence import CLASSES as EVIDENCE_CLASSES
from geo.domain.evidence import change_rows
from geo.clock import format_cst
from layers import KIND_KEYS, REGISTRY
from ui.dashboard import measures
from ui.dashboard.charts import progress_chart, town_chart
from ui.dashboard.monitoring import black_odorous_detail, shore_power_usage_detail
from ui.dashboard.common import (action_label, choice_label, figure_text, goal_text, kind_label, pct, plan_tag,
                                 status_label, target_label, target_line, town_label)
from ui.i18n import STRINGS, lang, t

FEED_LIMIT = 50


def _table(rows: list[dict], empty_key: str = "dash_none") -> None:
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.caption(t(empty_key))


#: Headline metrics per row (a province figure is a metric of its own beside Fuqing's).
HEADLINE_COLUMNS = 4


def headline(figures: dict) -> None:
    """One metric per target: share, figure and goal; the help names population, numerator, denominator,
    deadline and clause in one line."""
    targets = [(k, tg) for k in KIND_KEYS for tg in figures["kinds"][k]["targets"]]
    for start in range(0, len(targets), HEADLINE_COLUMNS):
        cols = st.columns(HEADLINE_COLUMNS)
        for col, (key, tg) in zip(cols, targets[start:start + HEADLINE_COLUMNS]):
            short = f"dash_short_{tg['code']}"
            label = (t(short) + plan_tag(tg)) if short in STRINGS else target_label(key, tg)
            col.metric(label, pct(tg["share"]), help=target_line(tg), border=True, delta=figure_text(tg),
                       delta_color="off", delta_arrow="off")


def _target_lines(kind: dict) -> None:
    for tg in kind["targets"]:
        st.markdown(f"**{tg['zh'] if lang() == 'zh' else tg['en']}{plan_tag(tg)}**：{figure_text(tg)} = "
                    f"{pct(tg['share'])} · {goal_text(tg, t)}")
        st.caption(target_line(tg))


def progress_section(figures: dict) -> None:
    st.altair_chart(progress_chart(figures), width="stretch")
    st.caption(t("dash_chart_caption"))
    kinds = figures["kinds"]
    with st.expander(f"{kind_label('parks')} — {t('dash_parks_detail')}"):
        _target_lines(kinds["parks"])
        measures.parks(kinds["parks"])
    with st.expander(f"{kind_label('outfalls')} — {t('dash_outfall_split')}"):
        _target_lines(kinds["outfalls"])
        outfall_breakdown(kinds["outfalls"]["breakdown"])
    with st.expander(f"{kind_label('black_odorous')} — {t('dash_urban_rural')}"):
        _target_lines(kinds["black_odorous"])
        black_odorous_detail(figures)
    with st.expander(f"{kind_label('shore_power_berths')} — {t('dash_berths_counted_excluded')}"):
        _target_lines(kinds["shore_power_berths"])
        measures.berths(kinds["shore_power_berths"])
    with st.expander(f"{kind_label('shore_power_berths')} — {t('dash_usage')}"):
        shore_power_usage_detail(kinds["shore_power_berths"])
    with st.expander(f"{kind_label('clean_fuel_zones')} — {t('dash_zone_detail')}"):
        _target_lines(kinds["clean_fuel_zones"])
        measures.zones(kinds["clean_fuel_zones"], figures["reference"])
    if "coal_boilers" in kinds:
        with st.expander(f"{kind_label('coal_boilers')} — {t('dash_boiler_detail')}"):
            _target_lines(kinds["coal_boilers"])
            measures.boilers(kinds["coal_boilers"])


def outfall_breakdown(b: dict) -> None:
    """整治完成 and 销号 apart, split by first-level class (HJ 1312-2023), receiving water, 入河/入海 and method;
    the points closed at survey counted apart."""
    st.markdown(t("dash_outfall_line", n=b["counted"], r=b["remediated"], rs=pct(b["remediated_share"]),
                  c=b["closed"], cs=pct(b["closed_share"])))
    for title, field, groups in ((t("dash_by_type"), "outfall_type", b["by_type"]),
                                 (t("dash_by_water"), "receiving_water", b["by_receiving_water"]),
                                 (t("dash_by_into"), "discharge_into", b["by_discharge_into"]),
                                 (t("dash_by_method"), "remediation_method", b["by_method"])):
        st.markdown(f"**{title}**")
        _table([{t("dash_value"): choice_label("outfalls", field, k), t("dash_sites_n"): g["n"],
                 t("dash_remediated"): g["remediated"], t("dash_remediated_share"): pct(g["remediated_share"]),
                 t("dash_closed"): g["closed"], t("dash_closed_share"): pct(g["closed_share"])}
                for k, g in groups.items()])
    d = b["dismissed"]
    st.markdown(t("dash_dismissed_line", n=d["n"], reasons="、".join(
        f"{choice_label('outfalls', 'dismissal_reason', k)} {n}" for k, n in d["by_reason"].items()) or "—"))
    if b["black_odour_seen"]:
        st.caption(t("dash_black_odour_seen", n=b["black_odour_seen"]))


def towns_section(figures: dict) -> None:
    if not figures["towns"]:
        st.info(t("no_sites"))
        return
    st.altair_chart(town_chart(figures), width="stretch")
    rows = []
    for town in figures["towns"]:
        row = {t("town"): town_label(town["code"]), t("dash_sites_n"): town["total"], t("done"): town["done"],
               t("overdue"): town["overdue"], t("dash_share"): pct(town["share"])}
        for key in KIND_KEYS:
            k = town["kinds"].get(key)
            row[kind_label(key)] = f"{k['done']}/{k['total']}" if k else ""
        rows.append(row)
    st.markdown(f"**{t('dash_town_table')}**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=36 * (len(rows) + 1) + 4)
    st.caption(t("dash_town_caption"))


def overdue_section(figures: dict) -> None:
    rows = figures["overdue"]["sites"]
    st.markdown(t("dash_overdue_line", n=len(rows), day=figures["as_of"]))
    _table([{t("site_id"): r["site_id"], t("dash_name"): r["name"], t("kind"): kind_label(r["kind"]),
             t("town"): town_label(r["town_code"]), t("status"): status_label(r["kind"], r["status"]),
             t("deadline"): r["deadline"], t("dash_days_overdue"): r["days_overdue"],
             t("responsible"): r["responsible"] or ""} for r in rows], "dash_no_overdue")


def _change_table(rows: list[dict], with_action: bool = False) -> None:
    _table([{
        t("h_time"): format_cst(r["changed_at"]),
        **({t("action"): action_label(r["action"])} if with_action else {}),
        t("site_id"): r["site_id"],
        t("dash_name"): r["name"],
        t("h_change"): f"{status_label(r['kind'], r['from_status'])} → {status_label(r['kind'], r['to_status'])}",
        t("h_actor"): r["actor"],
        t("dash_evidence"): EVIDENCE_CLASSES[r["evidence"]][0 if lang() == "zh" else 1],
        t("dash_distance"): r["distance_m"],
        t("dash_photos"): r["photos"],
    } for r in rows])


def feed_section(sites, history, onsite_m: float) -> None:
    rows = change_rows(sites, history, onsite_m=onsite_m, actions=None)[:FEED_LIMIT]
    st.caption(t("dash_feed_caption", n=FEED_LIMIT))
    _change_table(rows, with_action=True)


def evidence_section(figures: dict, sites, history, on_show) -> None:
    ev = figures["evidence"]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("dash_share_onsite"), pct(ev["share_onsite"]), f"{ev['onsite']}/{ev['changes']}",
              delta_color="off", delta_arrow="off", border=True, help=t("dash_onsite_help", m=f"{ev['onsite_m']:g}"))
    c2.metric(t("dash_share_photos"), pct(ev["share_with_photos"]), f"{ev['with_photos']}/{ev['changes']}",
              delta_color="off", delta_arrow="off", border=True)
    c3.metric(t("dash_remote_n"), ev["remote"], border=True)
    c4.metric(t("dash_done_onsite"), pct(ev["share_done_onsite"]), f"{ev['done_onsite']}/{ev['done_changes']}",
              delta_color="off", delta_arrow="off", border=True)
    if ev["no_position"]:
        st.caption(t("dash_no_position_n", n=ev["no_position"]))
    b1, b2 = st.columns(2)
    b1.button(t("dash_show_remote_map"), on_click=on_show, args=("remote",), icon=":material/map:")
    b2.button(t("dash_show_nophoto_map"), on_click=on_show, args=("no_photos",), icon=":material/map:")
    st.markdown(f"**{t('dash_remote_list')}** ({ev['remote']})")
    _change_table(change_rows(sites, history, onsite_m=ev["onsite_m"], which="remote"))
    photo_less = change_rows(sites, history, onsite_m=ev["onsite_m"], which="no_photos")
    st.markdown(f"**{t('dash_nophoto_list')}** ({len(photo_less)})")
    _change_table(photo_less)
    st.markdown(f"**{t('dash_by_actor')}**")
    _table([{t("h_actor"): a["actor"], t("dash_changes"): a["changes"], t("dash_share_onsite"): pct(a["share_onsite"]),
             t("dash_remote_n"): a["remote"], t("no_fix"): a["no_position"], t("dash_photos"): a["with_photos"]}
            for a in ev["by_actor"]])


def kinds_in_scope() -> list[str]:
    """Kind keys in registry order (the dashboard always shows every kind)."""
    return list(REGISTRY)
