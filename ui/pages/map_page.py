"""一张图: every site on one offline map, filters, and the detail panel.

Laid out per width class (:func:`ui.page_helper.width_class`):

* wide (landscape tablet, desktop): filters in a row, the map beside the panel;
* portrait tablet: filters, the map across the full width, the panel below it;
* phone: the map first (filters folded above it), the picker and panel below,
  the panel scrolled into view when a site is chosen.

The map fits to the filtered sites when the filters change and pans to a site
picked from the list (:func:`geo.map.build.view_group`); a tap on the map
opens the site without moving the map.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import defaultdict

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo import basegeo, towns
from geo.clock import format_cst, today_cst
from geo.domain.status import filter_sites, is_overdue, step_text
from geo.errors import OneMapError
from geo.map.display import to_display
from geo.map.build import (add_raster_overlays, add_town_outlines, base_labels, build_base_map, site_layer_groups,
                           view_bounds, view_group)
from layers import REGISTRY, get_spec
from ui.assets import map_assets, site_payload_files
from ui.geolocation import FIX_KEY
from ui.basemap import basemap_picker, map_options
from ui.i18n import lang, t
from ui.map_overlays import raster_overlays, town_outlines
from ui.outfall_file import outfall_panel
from ui.page_helper import viewport_height, width_class
from ui.photo_strip import photo_strip
from ui.observation_panel import observation_panel
from ui.scroll import scroll_into_view
from ui.memory import release_after_big_build
from ui.session import can_read, current_actor, get_store, load_map_sites, load_meta, md_escape, sample_banner, show_error
from ui.site_view import display_value, history_frame, history_list, town_label  # noqa: F401 - re-exported
from ui.status_form import status_form

MAP_KEY = "onemap"
#: Kinds whose detail panel shows a file of their own instead of the plain attribute list.
KIND_PANELS = {"outfalls": outfall_panel}
SELECTED = "selected_site"
VIEW = "map_view"          # the latest view request: {"key", "bounds", "highlight"}
SHOWN_AT = "map_detail_at"  # (nonce, time) of the last site opened: bring the panel into view
DETAIL = "map_detail"


def map_height(layout: str) -> int:
    """The map's height: what the screen leaves below the filters (beside the panel when wide)."""
    h = viewport_height()
    if layout == "phone":
        return max(320, min(480, h - 380))
    if layout == "portrait":
        return max(400, min(600, int(h * 0.55)))
    return max(420, min(640, h - 320))


def _filters(layout: str) -> dict:
    """Kinds (chips that wrap: all five always visible), towns, statuses, overdue — one row when wide."""
    if layout == "wide":
        c_kind, c_town, c_status, c_overdue = st.columns([5, 3, 3, 2], vertical_alignment="bottom")
    elif layout == "portrait":
        c_kind = st.container()
        c_town, c_status, c_overdue = st.columns([3, 4, 2], vertical_alignment="bottom")
    else:
        c_kind, c_town, c_status, c_overdue = st.container(), st.container(), st.container(), st.container()
    kinds = c_kind.pills(
        t("filter_kinds"), list(REGISTRY), selection_mode="multi", default=list(REGISTRY),
        format_func=lambda k: REGISTRY[k].label(lang()), key="f_kinds", wrap=True,
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


def _filter_key(filters: dict) -> str:
    """A digest of the filters: the map fits to the sites again only when it changes."""
    text = "|".join([",".join(sorted(filters["kinds"])), ",".join(sorted(filters["towns"])),
                     ",".join(sorted(filters["statuses"])), str(filters["overdue_only"])])
    return "fit:" + hashlib.sha1(text.encode()).hexdigest()[:12]


def render() -> None:
    if not can_read():
        return
    store = get_store()
    try:
        version = store.data_version()
        meta = load_meta(store, version, store.locator)
        sites = load_map_sites(store, version, store.locator)  # display geometry only: light, fast
    except OneMapError as exc:
        st.error(t("error_store") + exc.message(lang()))
        return
    is_sample = sample_banner(meta)
    layout = width_class()
    if layout == "phone":
        with st.expander(t("filters_folded"), icon=":material/filter_list:"):
            filters = _filters(layout)
    else:
        filters = _filters(layout)
    if not filters["kinds"]:
        st.info(t("no_sites"))
        return
    today = today_cst()
    shown = filter_sites(sites, today=today, **filters)
    done = sum(1 for s in shown if get_spec(s.kind).status(s.status).done)
    overdue = sum(1 for s in shown if is_overdue(s.kind, s.status, s.deadline, today))
    summary = t("summary_line", n=len(shown), done=done, overdue=overdue)
    if layout != "wide":
        st.markdown(summary)
    _fit_request(shown, filters)
    _map_and_panel(shown, filters["kinds"], is_sample, layout, summary)


def _fit_request(shown, filters) -> None:
    """When the filters change, ask the map to fit to the sites they leave (the county when none)."""
    key = _filter_key(filters)
    if st.session_state.get("_map_fit_key") == key:
        return
    st.session_state["_map_fit_key"] = key
    frame = map_options()["basemap"].display
    bounds = view_bounds(shown, frame, pad=0.004)
    if bounds is None:  # nothing left: the county
        b = basegeo.FUQING_BOUNDS
        (x0, x1), (y0, y1) = to_display([b[0], b[2]], [b[1], b[3]], frame)
        bounds = (float(x0), float(y0), float(x1), float(y1))
    st.session_state[VIEW] = {"key": key, "bounds": bounds, "highlight": False}


def _pan_request(site_id: str, shown) -> None:
    site = next((s for s in shown if s.site_id == site_id), None)
    if site is None:
        return
    bounds = view_bounds([site], map_options()["basemap"].display, pad=0.0015)
    if bounds:
        st.session_state[VIEW] = {"key": f"site:{site_id}:{uuid.uuid4().hex[:8]}", "bounds": bounds,
                                  "highlight": True}


@st.fragment
def _map_and_panel(shown, kinds, is_sample: bool, layout: str, summary: str) -> None:
    by_kind: dict[str, list] = defaultdict(list)
    for s in shown:
        by_kind[s.kind].append(s)
    # A site picked in the list (the picker below, keyed by the site shown): open it and pan to it.
    current = st.session_state.get(SELECTED, "")
    picked = st.session_state.get(f"pick_{current}")
    if picked and picked != current:
        st.session_state[SELECTED] = picked
        st.session_state[SHOWN_AT] = (uuid.uuid4().hex, time.time())
        _pan_request(picked, shown)
    assets = map_assets()
    wide = layout == "wide"
    if wide:
        col_map, col_panel = st.columns([3, 2], gap="medium")
    else:
        col_map, col_panel = st.container(key="map_main"), st.container(key="map_panel")
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
    view = st.session_state.get(VIEW)
    if view:
        groups.append(view_group(view["key"], view["bounds"], highlight=view["highlight"]))
    with col_map:
        out = st_folium(
            base,
            feature_group_to_add=groups,
            layer_control=folium.LayerControl(collapsed=True, position="topright"),
            returned_objects=["last_active_drawing"],
            height=map_height(layout),
            use_container_width=True,
            key=MAP_KEY,
        )
        st.caption(t("map_caption"))
    release_after_big_build()  # a first build of 100,000 sites frees tens of MB: give them back
    clicked = ((out or {}).get("last_active_drawing") or {}).get("properties", {}).get("id")
    if clicked and clicked != st.session_state.get("_last_clicked"):
        st.session_state["_last_clicked"] = clicked
        st.session_state[SELECTED] = clicked
        st.session_state[SHOWN_AT] = (uuid.uuid4().hex, time.time())
    with col_panel:
        if wide:
            st.markdown(summary)
        current = st.session_state.get(SELECTED, "")
        candidates = _picker_candidates(shown, current)
        options = [""] + [s.site_id for s in candidates]
        names = {s.site_id: s.name for s in candidates}
        st.selectbox(
            t("pick_site"), options, index=options.index(current) if current in options else 0,
            format_func=lambda sid: f"{sid} {names[sid]}" if sid else t("none_selected"),
            key=f"pick_{current}",
        )
        with st.container(key=DETAIL):
            if current:
                site_detail(current)
            else:
                st.info(t("detail_hint"))
    shown_at = st.session_state.get(SHOWN_AT)
    fresh = shown_at is not None and time.time() - shown_at[1] < 8
    scroll_into_view(DETAIL, shown_at[0] if fresh and not wide else None, key="hidden_scroll_map", align="lower")


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
    """The detail panel: current status, the status form, attributes and the full history."""
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
    status_form(store, actor, site, fix=st.session_state.get(FIX_KEY), source="web")
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
    with st.expander(t("attributes"), expanded=width_class() == "wide"):
        st.markdown("\n".join(f"- **{md_escape(k)}**：{md_escape(v)}" for k, v in rows))
    if kind_panel is not None:
        kind_panel(store, actor, site, history)
    observation_panel(store, actor, site)
    history_list(spec, history)
    photo_strip(history)
