"""现场巡查: find the site near you, record what you see, prove you were there (touch-first).

Left: where am I (device position, or a point tapped on the map), the sites
near that point sorted by distance, filters. Right: the site card and the
update form. Every saved change carries the device fix and its distance to
the site; a change made far away or without a fix is saved but marked remote.
A draft survives a conflict: the form keeps what was typed, and saving again
after reloading applies it to the new version.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import streamlit as st
from shapely.geometry import Point
from streamlit_folium import st_folium

from geo import basegeo
from geo.crs import geodesic_distance_m
from geo.errors import OneMapError, VersionConflict
from geo.map.display import from_display
from geo.domain.evidence import default_onsite_m
from geo.map.build import build_base_map, position_marker_group
from geo.domain.status import is_overdue, step_text
from geo.store import Evidence
from layers import REGISTRY, get_spec
from ui.assets import map_assets
from ui.basemap import map_options
from ui.geolocation import device_position
from ui.i18n import lang, t
from ui.inspect_fields import kind_inputs
from ui.spec_inputs import store_photo_fields
from ui.photo_strip import photo_strip
from ui.pages.map_page import display_value, history_frame, town_label
from ui.session import can_read, current_actor, get_store, load_meta, load_sites, md_escape, sample_banner
from ui.status_form import may_change

FIX = "insp_fix"            # {"lat", "lon", "accuracy", "time", "source": "gps" | "map"}
SITE = "insp_site"          # selected site id
OPENED = "insp_opened"      # site id -> version when the card was opened
OPS = "insp_ops"            # site id -> idempotency key of the current draft
DRAFTS = "insp_drafts"      # site id -> draft number (part of the form's widget keys)
SAVED = "insp_saved"        # the last save: {"sid", "text"}
NEAREST = 30


def render() -> None:
    if not can_read():
        return
    store, actor = get_store(), current_actor()
    version = store.data_version()
    sample_banner(load_meta(store, version, store.locator))
    sites = load_sites(store, version, store.locator)
    left, right = st.columns([2, 3], gap="medium")
    with left:
        _where_am_i()
        chosen = _site_list(sites)
    with right:
        site_id = chosen or st.session_state.get(SITE)
        if site_id:
            _card(store, actor, site_id)
        else:
            st.info(t("insp_pick_hint"))


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


def _distance(site, fix) -> float | None:
    if not fix:
        return None
    return geodesic_distance_m(Point(fix["lon"], fix["lat"]), site.geometry)


def _site_list(sites) -> str | None:
    lg = lang()
    kinds = st.pills(t("filter_kinds"), list(REGISTRY), selection_mode="multi", default=list(REGISTRY),
                     format_func=lambda k: REGISTRY[k].label(lg), key="insp_kinds")
    query = st.text_input(t("insp_search"), key="insp_query", placeholder=t("insp_search_hint")).strip().lower()
    fix = st.session_state.get(FIX)
    rows = []
    for s in sites:
        if kinds and s.kind not in kinds:
            continue
        if query and query not in s.name.lower() and query not in s.site_id.lower():
            continue
        rows.append((_distance(s, fix), s))
    rows.sort(key=lambda r: (r[0] is None, r[0] or 0, r[1].site_id))
    if not rows:
        st.info(t("no_sites"))
        return None
    chosen = None
    for dist, s in rows[:NEAREST]:
        spec = get_spec(s.kind)
        where = f"{dist:,.0f} m · " if dist is not None else ""
        label = f"{s.name}  \n{where}{spec.label(lg)} · {spec.status(s.status).label(lg)}"
        if st.button(label, key=f"insp_pick_{s.site_id}", width="stretch",
                     type="primary" if s.site_id == st.session_state.get(SITE) else "secondary"):
            st.session_state[SITE] = chosen = s.site_id
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
        st.error(exc.message(lg))
        return
    spec = get_spec(site.kind)
    status = spec.status(site.status)
    opened = st.session_state.setdefault(OPENED, {})
    opened.setdefault(site_id, site.version)
    st.subheader(md_escape(site.name))
    overdue = is_overdue(site.kind, site.status, site.deadline)
    fix = st.session_state.get(FIX)
    dist = _distance(site, fix)
    st.markdown(
        f"**{md_escape(status.label(lg))}** · {step_text(site.kind, site.status, lg)} · "
        f"{t('deadline')} {site.deadline or '—'}" + (f" · :red[**{t('overdue_yes')}**]" if overdue else "")
        + (f" · {t('insp_distance', d=f'{dist:,.0f}')}" if dist is not None else "")
    )
    st.caption(f"{site.site_id} · {spec.label(lg)} · {town_label(site.town_code)} · "
               + " · ".join(f"{f.label(lg)}: {display_value(f, site.attrs.get(f.name), lg)}"
                            for f in spec.fields[:4]))
    if may_change(actor, site) and spec.allowed_next(site.status):
        _form(store, actor, site, opened[site_id], fix, dist)
    elif actor.role == "guest":
        st.caption(t("login_to_change"))
    else:
        st.caption(t("read_only_not_your_town") if actor.role == "inspector" and not may_change(actor, site)
                   else t("final_status") if not spec.allowed_next(site.status) else t("read_only_role"))
    if may_change(actor, site) and site.kind != "black_odorous":  # its readings sit beside the status they judge
        from ui.readings_form import monitoring_entries  # outfall results, monthly shore-power use: whatever status

        monitoring_entries(site, key=f"insp_{site_id}_obs")
    st.markdown(f"**{t('history')}**")
    st.dataframe(history_frame(spec, history, lg), hide_index=True, width="stretch")
    photo_strip(history)


def _form(store, actor, site, opened_version: int, fix, dist) -> None:
    lg = lang()
    spec = get_spec(site.kind)
    sid = site.site_id
    ops = st.session_state.setdefault(OPS, {})
    ops.setdefault(sid, uuid.uuid4().hex)
    # Widget keys carry the draft number: a saved draft starts a fresh, empty form; a refused
    # one keeps its keys, so what was typed stays.
    draft = st.session_state.setdefault(DRAFTS, {}).get(sid, 0)
    k = f"{sid}_{draft}"
    saved = st.session_state.get(SAVED)
    if saved and saved.get("sid") == sid:
        st.success(saved["text"])
    transitions = spec.allowed_next(site.status)
    st.markdown(f"**{t('change_status')}**")
    target = st.radio(t("new_status"), [tr.dst for tr in transitions], horizontal=True,
                      format_func=lambda c: spec.status(c).label(lg), key=f"insp_to_{k}")
    changes, extra_note = kind_inputs(site, target, key=f"insp_{k}")
    note = st.text_area(t("h_note"), key=f"insp_note_{k}", height=90)
    photos = st.file_uploader(t("insp_photos"), type=["jpg", "jpeg", "png", "webp"],
                              accept_multiple_files=True, key=f"insp_photos_{k}")
    # What the server has received (an upload still on its way is not counted yet).
    st.caption(t("insp_photos_ready", n=len(photos or [])))
    if not fix:
        st.warning(t("insp_no_fix"))
    elif dist is not None and dist > default_onsite_m():
        st.warning(t("insp_far", d=f"{dist:,.0f}", limit=f"{default_onsite_m():.0f}"))
    if not st.button(t("save_change"), type="primary", width="stretch", key=f"insp_save_{k}"):
        return
    try:
        hashes = _store_photos(store, photos or [])
        changes = store_photo_fields(store, spec, changes)
        evidence = _evidence(fix, dist)
        full_note = "；".join(x for x in (note.strip(), extra_note) if x)
        result = store.change_status(actor, sid, target, expected_version=opened_version, op_id=ops[sid],
                                     note=full_note, changes=changes, evidence=evidence, source="field",
                                     photos=hashes)
    except VersionConflict as exc:
        st.error(exc.message(lg))
        st.caption(t("insp_conflict_kept"))
        if st.button(t("insp_reload_keep"), key=f"insp_reload_{k}"):
            st.session_state[OPENED][sid] = exc.context.get("current_version", opened_version)
            st.rerun()
        return
    except OneMapError as exc:
        st.error(exc.message(lg))
        return
    # Saved (or already saved by an earlier tap): start a fresh draft on the new version.
    st.session_state[OPENED][sid] = result.site.version
    ops[sid] = uuid.uuid4().hex
    st.session_state[DRAFTS][sid] = draft + 1
    ev = result.entry.evidence
    where = (t("remote" if ev.remote else "onsite", d=f"{ev.distance_m:.0f}") if ev.distance_m is not None
             else t("no_fix"))
    st.session_state[SAVED] = {"sid": sid, "text": t("insp_saved", status=spec.status(result.site.status).label(lg),
                                                      where=where, n=len(result.entry.photos))}
    st.rerun()


def _evidence(fix, dist) -> Evidence:
    limit = default_onsite_m()
    if not fix or fix.get("source") != "gps":
        # A point tapped on the map is not a device fix: the change is recorded as remote.
        return Evidence(distance_m=None, remote=True)
    when = datetime.fromtimestamp(fix["time"] / 1000, tz=timezone.utc) if fix.get("time") else None
    return Evidence(lon=round(fix["lon"], 7), lat=round(fix["lat"], 7), accuracy_m=fix.get("accuracy"),
                    fix_time=when, distance_m=None if dist is None else round(dist, 1),
                    remote=dist is None or dist > limit)


def _store_photos(store, files) -> list[str]:
    if not files:
        return []
    from geo.photos import store_photo

    root = store.photos_dir
    return [store_photo(f.getvalue(), root).sha256 for f in files]
