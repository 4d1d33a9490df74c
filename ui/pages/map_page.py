"""一张图: every site on one offline map, filters, and the detail panel."""

from __future__ import annotations

from collections import defaultdict

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import basegeo, towns
from geo.errors import OneMapError
from geo.map.build import add_raster_overlays, add_town_outlines, base_labels, build_base_map, site_layer_groups
from geo.clock import format_cst, today_cst
from geo.domain.status import filter_sites, is_overdue, step_text
from layers import REGISTRY, get_spec
from ui.assets import map_assets, site_payload_files
from ui.basemap import basemap_picker, map_options
from ui.map_overlays import raster_overlays, town_outlines
from ui.i18n import lang, t
from ui.outfall_file import outfall_panel
from ui.photo_strip import photo_strip
from ui.observation_panel import observation_panel
from ui.status_form import status_form
from ui.session import can_read, current_actor, get_store, load_meta, load_sites, md_escape, sample_banner, show_error

MAP_KEY = "onemap"
#: Kinds whose detail panel shows a file of their own instead of the plain attribute list.
KIND_PANELS = {"outfalls": outfall_panel}
SELECTED = "selected_site"


def town_label(code: str) -> str:
    try:
        town = towns.town_by_code(code)
    except OneMapError:
        return code
    return town.name_zh if lang() == "zh" else f"{town.name_en} {town.name_zh}"


def _filters() -> dict:
    c_kind, c_town, c_status, c_overdue = st.columns([4, 3, 4, 2], vertical_alignment="bottom")
    kinds = c_kind.multiselect(
        t("filter_kinds"), list(REGISTRY), default=list(REGISTRY),
        format_func=lambda k: REGISTRY[k].label(lang()), key="f_kinds",
    )
    town_codes = [tw.code for tw in towns.all_towns()]
    chosen_towns = c_town.multiselect(
        t("filter_towns"), town_codes, format_func=town_label, placeholder=t("filter_towns_all"), key="f_towns",
    )
    status_options = [f"{k}:{s.code}" for k in kinds for s in REGISTRY[k].statuses]
    statuses = c_status.multiselect(
        t("filter_status"), status_options,
        format_func=lambda o: f"{REGISTRY[o.split(':')[0]].label(lang())} · "
                              f"{REGISTRY[o.split(':')[0]].status(o.split(':')[1]).label(lang())}",
        help=t("filter_status_help"), placeholder=t("filter_status_all"), key="f_status",
    )
    overdue = c_overdue.toggle(t("filter_overdue"), key="f_overdue")
    return {"kinds": kinds, "towns": chosen_towns, "statuses": statuses, "overdue_only": overdue}


def render() -> None:
    if not can_read():
        return
    store = get_store()
    try:
        version = store.data_version()
        meta = load_meta(store, version, store.locator)
        sites = load_sites(store, version, store.locator)
    except OneMapError as exc:
        st.error(t("error_store") + exc.message(lang()))
        return
    is_sample = sample_banner(meta)
    filters = _filters()
    if not filters["kinds"]:
        st.info(t("no_sites"))
        return
    today = today_cst()
    shown = filter_sites(sites, today=today, **filters)
    done = sum(1 for s in shown if get_spec(s.kind).status(s.status).done)
    overdue = sum(1 for s in shown if is_overdue(s.kind, s.status, s.deadline, today))
    st.markdown(t("summary_line", n=len(shown), done=done, overdue=overdue))
    _map_and_panel(shown, filters["kinds"], is_sample)


@st.fragment
def _map_and_panel(shown, kinds, is_sample: bool) -> None:
    by_kind: dict[str, list] = defaultdict(list)
    for s in shown:
        by_kind[s.kind].append(s)
    assets = map_assets()
    col_map, col_panel = st.columns([3, 2], gap="medium")
    with col_map:
        basemap_picker("map_basemap")
    options = map_options()
    base = build_base_map(
        assets,
        **options,
        lang=lang(),
        labels=base_labels(lang()),
        sample_badge=t("sample_badge") if is_sample else None,
        legend_title=t("legend"),
        bounds=basegeo.FUQING_BOUNDS,
        clip_bounds=basegeo.LAND_CLIP_BOUNDS,
    )
    add_town_outlines(base, town_outlines(), name=t("town_outlines"), frame=options["basemap"].display)
    add_raster_overlays(base, raster_overlays(get_store(), options["basemap"].display), title=t("rasters"),
                        opacity_label=t("opacity"))
    groups = site_layer_groups({k: by_kind.get(k, []) for k in kinds}, lang=lang(),
                               frame=options["basemap"].display, files=site_payload_files())
    with col_map:
        out = st_folium(
            base,
            feature_group_to_add=groups,
            layer_control=folium.LayerControl(collapsed=True, position="topright"),
            returned_objects=["last_active_drawing"],
            height=560,
            use_container_width=True,
            key=MAP_KEY,
        )
        st.caption(t("map_caption"))
    clicked = ((out or {}).get("last_active_drawing") or {}).get("properties", {}).get("id")
    if clicked and clicked != st.session_state.get("_last_clicked"):
        st.session_state["_last_clicked"] = clicked
        st.session_state[SELECTED] = clicked
    with col_panel:
        current = st.session_state.get(SELECTED, "")
        candidates = _picker_candidates(shown, current)
        options = [""] + [s.site_id for s in candidates]
        names = {s.site_id: s.name for s in candidates}
        picked = st.selectbox(
            t("pick_site"), options, index=options.index(current) if current in options else 0,
            format_func=lambda sid: f"{sid} {names[sid]}" if sid else t("none_selected"),
            key=f"pick_{current}",
        )
        if picked and picked != current:
            st.session_state[SELECTED] = picked
            current = picked
        if current:
            site_detail(current)
        else:
            st.info(t("detail_hint"))


#: Above this many sites shown, the picker lists only the matches of a search (a select box of
#: tens of thousands of options is unusable and would be re-sent on every click).
PICKER_LIMIT = 300


def _picker_candidates(shown, current: str) -> list:
    """The sites the picker offers: all of them, or, when there are many, those matching the search."""
    if len(shown) <= PICKER_LIMIT:
        return list(shown)
    query = st.text_input(t("insp_search"), key="map_pick_query", placeholder=t("insp_search_hint"),
                          help=t("pick_many", n=len(shown), limit=PICKER_LIMIT)).strip().lower()
    matches = [s for s in shown if s.site_id == current]
    if query:
        matches += [s for s in shown if s.site_id != current and (query in s.name.lower() or query in s.site_id.lower())]
    return matches[:PICKER_LIMIT]


def site_detail(site_id: str) -> None:
    """The detail panel: attributes, current status and the full history."""
    store, actor, lg = get_store(), current_actor(), lang()
    try:
        site = store.get_site(actor, site_id)
        history = store.history(actor, site_id)
    except OneMapError as exc:
        show_error(exc)
        return
    spec = get_spec(site.kind)
    status = spec.status(site.status)
    st.subheader(md_escape(site.name))
    overdue = is_overdue(site.kind, site.status, site.deadline)
    st.markdown(
        f"<span style='display:inline-block;width:14px;height:14px;border-radius:3px;background:{status.color};"
        f"vertical-align:middle;border:1px solid #333'></span> **{md_escape(status.label(lg))}** · "
        f"{step_text(site.kind, site.status, lg)}" + (f" · :red[**{t('overdue_yes')}**]" if overdue else ""),
        unsafe_allow_html=True,
    )
    rows = [
        (t("site_id"), site.site_id),
        (t("kind"), spec.label(lg)),
        (t("town"), town_label(site.town_code)),
        (t("deadline"), f"{site.deadline or '—'}" + (f"（{t('overdue_yes')}）" if overdue else "")),
        (t("responsible"), site.responsible or "—"),
        (t("updated"), f"{format_cst(site.updated_at)} · {site.updated_by}"),
        (t("version"), str(site.version)),
    ]
    kind_panel = KIND_PANELS.get(site.kind)
    if kind_panel is None:
        for fld in spec.fields:
            rows.append((fld.label(lg), display_value(fld, site.attrs.get(fld.name), lg)))
    status_form(store, actor, site)
    st.dataframe(pd.DataFrame(rows, columns=[t("attributes"), ""]), hide_index=True, width="stretch")
    if kind_panel is not None:
        kind_panel(store, actor, site, history)
    observation_panel(store, actor, site)
    st.markdown(f"**{t('history')}**")
    st.dataframe(history_frame(spec, history, lg), hide_index=True, width="stretch")
    photo_strip(history)


def display_value(fld, value, lg: str) -> str:
    if value is None or value == "":
        return "—"
    if fld.type == "bool":
        return t("yes") if value else t("no")
    if fld.type == "choice":
        choice = fld.choice(value)
        return choice.label(lg) if choice else str(value)
    return str(value)


def history_frame(spec, history, lg: str) -> pd.DataFrame:
    rows = []
    for e in reversed(history):
        def label(code):
            return spec.status(code).label(lg) if code else "—"

        prefix = {"import": t("h_import"), "undo": t("h_undo")}.get(e.action, "")
        if e.action == "create" or (e.from_status is None and e.action != "undo"):
            change = f"{prefix}{t('created')} → {label(e.to_status)}"
        else:
            change = f"{prefix}{label(e.from_status)} → {label(e.to_status)}"
        ev = e.evidence
        if ev.distance_m is not None:
            where = t("remote" if ev.remote else "onsite", d=f"{ev.distance_m:.0f}")
        elif e.source in ("web", "field"):
            where = t("no_fix")
        else:
            where = "—"
        fields = "；".join(
            f"{(spec.field(k).label(lg) if spec.field(k) else k)}: {v[0] if v[0] is not None else '—'} → {v[1]}"
            for k, v in e.changes.items() if e.action != "create"
        )
        if getattr(e, "override", None):
            fields = f"⚠ {t('h_override')}：{e.override}" + (f"；{fields}" if fields else "")
        rows.append({
            t("h_time"): format_cst(e.changed_at),
            t("h_actor"): e.actor,
            t("h_change"): change,
            t("h_note"): e.note or "",
            t("h_fields"): fields,
            t("h_where"): where,
            t("h_source"): f"{e.source}" + (f" ({e.client})" if e.client else ""),
        })
    return pd.DataFrame(rows)
