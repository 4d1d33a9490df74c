"""现场巡查: find the site near you, record what you see, prove you were there (touch-first).

Left (first on a phone): where am I (device position, or a point tapped on
the map), the sites near that point sorted by distance (sites outside the
inspector's towns marked read-only), filters. Right (below on a phone, and
scrolled into view when a site is tapped): the site card with the one status
form (:mod:`ui.status_form`) and the history. The open site is kept in the
address (``?site=``), so a reload opens it again, with the draft the browser
kept.
"""

from __future__ import annotations

import time
import uuid

import streamlit as st
from streamlit_folium import st_folium

from geo import basegeo
from geo.errors import OneMapError
from geo.map.display import from_display
from geo.map.build import build_base_map, position_marker_group
from geo.domain.status import is_overdue, step_text
from layers import REGISTRY, get_spec
from ui.assets import map_assets
from ui.basemap import map_options
from ui.geolocation import FIX_KEY, device_position
from ui.i18n import lang, t
from ui.photo_strip import photo_strip
from ui.scroll import scroll_into_view
from ui.session import can_read, current_actor, get_store, load_meta, load_sites, md_escape, sample_banner
from ui.site_view import display_value, history_list, town_label
from ui.status_form import distance_to, may_change, status_form

FIX = FIX_KEY               # {"lat", "lon", "accuracy", "time", "source": "gps" | "map"}
SITE = "insp_site"          # selected site id
PICKED = "insp_picked"      # (nonce, time) of the last tap in the list: bring the card into view
NEAREST = 30
CARD = "insp_card"


def render() -> None:
    if not can_read():
        return
    store, actor = get_store(), current_actor()
    version = store.data_version()
    sample_banner(load_meta(store, version, store.locator))
    sites = load_sites(store, version, store.locator)
    if SITE not in st.session_state and st.query_params.get("site"):
        st.session_state[SITE] = st.query_params["site"]  # a reload opens the same site
    left, right = st.columns([2, 3], gap="medium")
    with left:
        _where_am_i()
        chosen = _site_list(sites, actor)
    with right:
        site_id = chosen or st.session_state.get(SITE)
        with st.container(key=CARD):
            if site_id:
                _card(store, actor, site_id)
            else:
                st.info(t("insp_pick_hint"))
    picked = st.session_state.get(PICKED)
    fresh = picked is not None and time.time() - picked[1] < 8
    scroll_into_view(CARD, picked[0] if fresh else None, key="hidden_scroll_insp")


# -- where am I ----------------------------------------------------------------


def _where_am_i() -> None:
    fix = device_position(key="insp_geo")
    if fix and "lat" in fix and fix.get("nonce") != st.session_state.get("insp_geo_nonce"):
        st.session_state["insp_geo_nonce"] = fix.get("nonce")
        st.session_state[FIX] = {**fix, "source": "gps"}
    elif fix and fix.get("error"):
        st.caption(t("location_fallback"))
    current = st.session_state.get(FIX)
    if current:
        src = t("fix_gps", acc=f"{current.get('accuracy') or 0:.0f}") if current["source"] == "gps" else t("fix_map")
        st.caption(f"{src} · {current['lon']:.5f}, {current['lat']:.5f}")
    with st.expander(t("pick_on_map"), expanded=bool(fix and fix.get("error"))):
        options = map_options()
        frame = options["basemap"].display
        m = build_base_map(map_assets(), **options, lang=lang(), legend_title=t("legend"),
                           bounds=basegeo.FUQING_BOUNDS, clip_bounds=basegeo.LAND_CLIP_BOUNDS)
        groups = [position_marker_group(current, frame)] if current else []
        out = st_folium(m, feature_group_to_add=groups, returned_objects=["last_clicked"], height=320,
                        use_container_width=True, key="insp_map")
        clicked = (out or {}).get("last_clicked")
        if clicked and clicked != st.session_state.get("insp_last_click"):
            st.session_state["insp_last_click"] = clicked
            # A click on a GCJ-02 basemap (Gaode) is a GCJ-02 position: back to WGS84 before use.
            lon, lat = from_display(float(clicked["lng"]), float(clicked["lat"]), frame)
            st.session_state[FIX] = {"lat": float(lat), "lon": float(lon), "accuracy": None,
                                     "time": None, "source": "map"}
            st.rerun()


# -- the nearest sites ---------------------------------------------------------


def _site_list(sites, actor) -> str | None:
    lg = lang()
    kinds = st.pills(t("filter_kinds"), list(REGISTRY), selection_mode="multi", default=list(REGISTRY),
                     format_func=lambda k: REGISTRY[k].label(lg), key="insp_kinds", wrap=True)
    query = st.text_input(t("insp_search"), key="insp_query", placeholder=t("insp_search_hint")).strip().lower()
    fix = st.session_state.get(FIX)
    rows = []
    for s in sites:
        if kinds and s.kind not in kinds:
            continue
        if query and query not in s.name.lower() and query not in s.site_id.lower():
            continue
        rows.append((distance_to(s, fix), s))
    rows.sort(key=lambda r: (r[0] is None, r[0] or 0, r[1].site_id))
    if not rows:
        st.info(t("no_sites"))
        return None
    chosen = None
    mark_read_only = actor.role == "inspector"
    for dist, s in rows[:NEAREST]:
        spec = get_spec(s.kind)
        where = f"{dist:,.0f} m · " if dist is not None else ""
        lock = f" · 🔒{t('insp_read_only')}" if mark_read_only and not may_change(actor, s) else ""
        label = f"{md_escape(s.name)}  \n{where}{spec.label(lg)} · {spec.status(s.status).label(lg)}{lock}"
        if st.button(label, key=f"insp_pick_{s.site_id}", width="stretch",
                     type="primary" if s.site_id == st.session_state.get(SITE) else "secondary"):
            st.session_state[SITE] = chosen = s.site_id
            st.session_state[PICKED] = (uuid.uuid4().hex, time.time())
            st.query_params["site"] = s.site_id
    if len(rows) > NEAREST:
        st.caption(t("insp_more", n=len(rows) - NEAREST))
    return chosen


# -- the card and the form -------------------------------------------------------


def _card(store, actor, site_id: str) -> None:
    lg = lang()
    try:
        site = store.get_site(actor, site_id)
        history = store.history(actor, site_id)
    except OneMapError as exc:
        st.error(md_escape(exc.message(lg)))
        return
    spec = get_spec(site.kind)
    status = spec.status(site.status)
    st.subheader(md_escape(site.name))
    overdue = is_overdue(site.kind, site.status, site.deadline)
    fix = st.session_state.get(FIX)
    dist = distance_to(site, fix)
    st.markdown(
        f"**{md_escape(status.label(lg))}** · {step_text(site.kind, site.status, lg)} · "
        f"{t('deadline')} {site.deadline or '—'}" + (f" · :red[**{t('overdue_yes')}**]" if overdue else "")
        + (f" · {t('insp_distance', d=f'{dist:,.0f}')}" if dist is not None else "")
    )
    st.caption(f"{md_escape(site.site_id)} · {spec.label(lg)} · {town_label(site.town_code)} · "
               + " · ".join(f"{f.label(lg)}: {md_escape(display_value(f, site.attrs.get(f.name), lg))}"
                            for f in spec.fields[:4]))
    status_form(store, actor, site, fix=fix, source="field")
    if may_change(actor, site) and site.kind != "black_odorous":  # its readings sit beside the status they judge
        from ui.readings_form import monitoring_entries  # outfall results, monthly shore-power use: whatever status

        monitoring_entries(site, key=f"insp_{site_id}_obs")
    history_list(spec, history)
    photo_strip(history)
