"""审阅看板 review dashboard: progress against the plan targets, per town, overdue, changes, evidence, map.

Thin: the sites and history come from the store, :func:`geo.domain.asof.snapshot`
rebuilds them as of the chosen day, :func:`geo.domain.targets.progress` computes
every figure (the same call as ``python cli.py progress``), and the parts in
``ui/dashboard/`` only lay them out.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo.domain.asof import end_of_day_utc, entry_time, snapshot
from geo.errors import OneMapError
from geo.domain.evidence import FIELD_DISTANCE_M, default_onsite_m
from geo.clock import CST, today_cst
from geo.domain.targets import progress, sort_town_codes
from ui.dashboard import sections
from ui.dashboard.common import town_label
from ui.dashboard.offline import offline_section
from ui.dashboard.review_map import MODE_KEY, SHOW_KEY, map_section
from ui.i18n import lang, t
from ui.session import can_read, current_actor, get_store, load_meta, load_sites, sample_banner, show_error

SECTIONS = ("progress", "towns", "overdue", "feed", "evidence", "map", "offline")
SECTION_KEY = "dash_section"
DEFAULTS = {SECTION_KEY: "progress", MODE_KEY: "status", SHOW_KEY: "all"}


def _show_on_map(which: str) -> None:
    """Evidence section → map review coloured by evidence, showing only the listed changes' sites."""
    st.session_state[SECTION_KEY] = "map"
    st.session_state[MODE_KEY] = "evidence"
    st.session_state[SHOW_KEY] = which


def _first_day(history, today: date) -> date:
    times = [entry_time(e) for e in history]
    return min(times).astimezone(CST).date() if times else today


def _onsite_default() -> float:
    try:
        return default_onsite_m()
    except OneMapError as exc:  # a bad ONEMAP_FIELD_DISTANCE_M: say so, go on with 200 m
        show_error(exc)
        return FIELD_DISTANCE_M


def _controls(stored, history, today: date):
    """As-of day, town code ("" = all), on-site distance, and the column left for the report button."""
    c_day, c_town, c_dist, c_pdf = st.columns([2, 3, 2, 2], vertical_alignment="bottom")
    day = c_day.date_input(t("dash_asof"), value=today, min_value=min(_first_day(history, today), today),
                           max_value=today, key="dash_day", help=t("dash_asof_help"))
    codes = sort_town_codes(s.town_code for s in stored)
    # Labels are fixed now: a format_func must not read the session later (AppTest calls it outside the run).
    names = {"": t("filter_towns_all"), **{c: town_label(c) for c in codes}}
    town = c_town.selectbox(t("filter_towns"), list(names), key="dash_town", format_func=names.get)
    onsite_m = c_dist.number_input(t("dash_onsite_m"), min_value=10.0, max_value=100_000.0, step=50.0,
                                   value=_onsite_default(), key="dash_onsite_m", help=t("dash_onsite_m_help"),
                                   format="%.0f")  # whole metres: 200, not 200.00
    return day or today, town, float(onsite_m), c_pdf


def _report_button(container, sites, history, day: date, town: str, onsite_m: float, is_sample: bool,
                   reference, observations) -> None:
    def make() -> bytes:
        from geo.report.pdf import town_report_pdf

        return town_report_pdf(sites, day, town, history=history, sample=is_sample, onsite_m=onsite_m,
                               reference=reference, observations=observations)

    from geo.report.pdf import report_file_name

    container.download_button(
        t("dash_report"), data=make if town else b"",
        file_name=report_file_name(town, day, sample=is_sample) if town else "report.pdf",
        mime="application/pdf", disabled=not town, icon=":material/picture_as_pdf:",
        help=t("dash_report_help") if town else t("dash_report_pick_town"), key="dash_report",
    )
    if not town:  # a greyed button says why where a finger can read it (a tooltip needs a mouse)
        container.caption(t("dash_report_pick_town"))


def render() -> None:
    lg = lang()
    if not can_read():
        return
    store = get_store()
    try:
        version = store.data_version()
        meta = load_meta(store, version, store.locator)
        stored = load_sites(store, version, store.locator)
        history_all = store.all_history(current_actor())
        observations = store.all_observations(current_actor())
    except OneMapError as exc:
        st.error(t("error_store") + exc.message(lg))
        return
    is_sample = sample_banner(meta)
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    today = today_cst()
    day, town, onsite_m, c_pdf = _controls(stored, history_all, today)
    try:
        sites, history = snapshot(stored, history_all, None if day >= today else day)
        reference = store.reference_areas(current_actor(), before=None if day >= today else end_of_day_utc(day))
        figures = progress(sites, day, town=town or None, history=history, onsite_m=onsite_m, sample=is_sample,
                           reference=reference, observations=observations)
    except OneMapError as exc:
        show_error(exc)
        return
    everywhere = sites  # zones cross town lines: an area figure for one town looks at every zone
    if town:
        sites = [s for s in sites if s.town_code == town]
    _report_button(c_pdf, everywhere, history, day, town, onsite_m, is_sample, reference, observations)
    if day < today:
        st.info(t("dash_asof_note", day=day.isoformat()), icon=":material/history:")
    headline_scope = town_label(town) if town else t("dash_all_fuqing")
    st.caption(t("dash_scope_line", scope=headline_scope, n=figures["totals"]["sites"], d=figures["totals"]["done"],
                 o=figures["totals"]["overdue"], day=figures["as_of"]))
    sections.headline(figures)
    labels = {s: t(f"dash_sec_{s}") for s in SECTIONS}
    section = st.segmented_control(t("dash_section"), SECTIONS, format_func=labels.get,
                                   key=SECTION_KEY, required=True, label_visibility="collapsed")
    if section == "towns":
        sections.towns_section(figures)
    elif section == "overdue":
        sections.overdue_section(figures)
    elif section == "feed":
        sections.feed_section(sites, history, onsite_m)
    elif section == "evidence":
        sections.evidence_section(figures, sites, history, _show_on_map)
    elif section == "map":
        map_section(sites, history, day, onsite_m, is_sample, reference, everywhere)
    elif section == "offline":
        offline_section(store, current_actor(), stored, onsite_m)
    else:
        sections.progress_section(figures)
