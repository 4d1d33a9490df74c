"""Map review: sites coloured by status, overdue or evidence; a click shows the history and the device lines.

The base map stays the same while the colouring stays the same; sites and
the selected site's device lines go in through ``feature_group_to_add``
inside an ``st.fragment``, so a click does not rerun the whole dashboard.
"""

from __future__ import annotations

from collections import defaultdict

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import basegeo
from geo.domain.asof import history_by_site
from geo.errors import OneMapError
from geo.map.display import to_display
from geo.domain.evidence import CLASSES as EVIDENCE_CLASSES
from geo.domain.evidence import EVIDENCE_ACTIONS, change_rows, classify, device_distance_m
from geo.domain.fuel import uncovered_area
from geo.map.build import (UNCOVERED_COLOR, DeviceFix, add_raster_overlays, add_reference_areas, add_town_outlines,
                           base_labels, build_base_map, category_legend, evidence_layer_group, legend_data,
                           reference_legend_entry, site_layer_groups)
from layers.reference import REFERENCE_AREAS
from geo.clock import format_cst
from geo.domain.status import is_overdue
from geo.domain.review import MODES, coloring
from layers import REGISTRY
from ui.assets import map_assets, site_payload_files
from ui.basemap import map_options
from ui.map_overlays import raster_overlays, town_outlines
from ui.dashboard.common import action_label, choice_label, kind_label, status_label, town_label
from ui.i18n import lang, t
from ui.session import get_store, md_escape

MAP_KEY = "review_map"
SELECTED = "review_selected"
MODE_KEY = "dash_color"
SHOW_KEY = "dash_show"
SHOW_OPTIONS = ("all", "remote", "no_photos")


def _shown(sites, history, show: str, onsite_m: float):
    if show == "all":
        return list(sites)
    ids = {r["site_id"] for r in change_rows(sites, history, onsite_m=onsite_m, which=show)}
    return [s for s in sites if s.site_id in ids]


def _fixes(site, entries, onsite_m: float) -> list[DeviceFix]:
    fixes = []
    for e in entries:
        if e.action not in EVIDENCE_ACTIONS or e.evidence.lon is None or e.evidence.lat is None:
            continue
        cls = classify(e, onsite_m, site.geometry)
        d = device_distance_m(e, site.geometry)
        text = (f"{format_cst(e.changed_at)} {e.actor}: {status_label(site.kind, e.from_status)} → "
                f"{status_label(site.kind, e.to_status)} · {EVIDENCE_CLASSES[cls][0 if lang() == 'zh' else 1]}"
                + (f" {d:.0f} m" if d is not None else ""))
        fixes.append(DeviceFix(e.evidence.lon, e.evidence.lat, EVIDENCE_CLASSES[cls][2], text))
    return fixes


def controls() -> tuple[str, str]:
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    modes = {m: t(f"dash_mode_{m}") for m in MODES}
    shows = {s: t(f"dash_show_{s}") for s in SHOW_OPTIONS}
    mode = c1.segmented_control(t("dash_color_by"), MODES, format_func=modes.get, key=MODE_KEY, required=True)
    show = c2.selectbox(t("dash_show"), SHOW_OPTIONS, format_func=shows.get, key=SHOW_KEY)
    return mode or "status", show


def _reference_layer(reference, everywhere, town: str | None):
    """(outlines, uncovered, legend entries) of the reference areas as of the day; nothing when none is loaded."""
    if reference is None or not reference.areas:
        return [], None, []
    clip = reference.towns.get(town) if town else None
    outlines = [(REFERENCE_AREAS[k].color, g if clip is None else g.intersection(clip))
                for k, g in reference.areas.items() if k in REFERENCE_AREAS]
    zones = [s for s in everywhere if s.kind == "clean_fuel_zones"]
    uncovered = None if (town and clip is None) else uncovered_area(zones, reference, clip)
    entries = [(REFERENCE_AREAS[k].label(lang()), REFERENCE_AREAS[k].color) for k in REFERENCE_AREAS
               if k in reference.areas]
    if uncovered is not None:
        entries.append((t("dash_uncovered_legend"), UNCOVERED_COLOR))
    return outlines, uncovered, entries


@st.fragment
def map_section(sites, history, day, onsite_m: float, is_sample: bool, reference=None, everywhere=None) -> None:
    """The review map and the detail panel of the clicked site (as of ``day``).

    Coloured by status, it also shows the official reference areas and what of the built-up
    area and near suburbs no zone in force covers.
    """
    mode, show = controls()
    shown = _shown(sites, history, show, onsite_m)
    col = coloring(mode, shown, today=day, history=history, onsite_m=onsite_m, lang=lang())
    badge = t("sample_badge") if is_sample else None
    legend = None if not col.legend else category_legend(t("legend"), col.legend, badge=badge,
                                                         heading=t(f"dash_mode_{mode}"))
    town = st.session_state.get("dash_town") or None
    outlines, uncovered, ref_entries = ([], None, []) if mode != "status" else _reference_layer(
        reference, everywhere if everywhere is not None else sites, town)
    if ref_entries:
        legend = legend_data(lang(), title=t("legend"), badge=badge)
        legend["kinds"].append(reference_legend_entry(t("dash_reference_areas"), ref_entries))
    options = map_options()
    frame = options["basemap"].display
    base = build_base_map(map_assets(), **options, lang=lang(), labels=base_labels(lang()),
                          sample_badge=badge, legend_title=t("legend"), legend=legend,
                          bounds=basegeo.FUQING_BOUNDS, clip_bounds=basegeo.LAND_CLIP_BOUNDS)
    add_town_outlines(base, town_outlines(), name=t("town_outlines"), frame=frame)
    add_reference_areas(base, outlines, uncovered, name=t("dash_reference_areas"), frame=frame)
    add_raster_overlays(base, raster_overlays(get_store(), frame), title=t("rasters"), opacity_label=t("opacity"))
    by_kind: dict[str, list] = defaultdict(list)
    for s in shown:
        by_kind[s.kind].append(s)
    groups = site_layer_groups({k: by_kind.get(k, []) for k in REGISTRY}, lang=lang(), colors=col.colors,
                               color_key=col.keys, frame=frame, files=site_payload_files())
    by_id = {s.site_id: s for s in sites}
    rows = history_by_site(history)
    current = st.session_state.get(SELECTED, "")
    center = zoom = None
    if current in by_id:
        site = by_id[current]
        groups.append(evidence_layer_group(site, _fixes(site, rows.get(current, []), onsite_m),
                                           name=t("dash_device_lines"), frame=frame))
        p = site.geometry.representative_point()
        lon, lat = to_display(p.x, p.y, frame)
        center, zoom = (lat, lon), 14
    col_map, col_panel = st.columns([3, 2], gap="medium")
    with col_map:
        st.caption(t("dash_map_hint", n=len(shown)))
        out = st_folium(base, feature_group_to_add=groups,
                        layer_control=folium.LayerControl(collapsed=True, position="topright"),
                        returned_objects=["last_active_drawing"], height=520, use_container_width=True,
                        center=center, zoom=zoom, key=MAP_KEY)
    clicked = ((out or {}).get("last_active_drawing") or {}).get("properties", {}).get("id")
    if clicked and clicked != st.session_state.get("_review_last_clicked"):
        st.session_state["_review_last_clicked"] = clicked
        if clicked != current:
            st.session_state[SELECTED] = clicked
            st.rerun(scope="fragment")  # draw the clicked site's device lines
    with col_panel:
        names = {"": t("none_selected"), **{s.site_id: f"{s.site_id} {s.name}" for s in shown}}
        options = list(names)
        picked = st.selectbox(t("pick_site"), options, index=options.index(current) if current in options else 0,
                              format_func=names.get, key=f"review_pick_{current}")
        if picked != current:
            st.session_state[SELECTED] = picked
            st.rerun(scope="fragment")
        if current in by_id:
            detail(by_id[current], rows.get(current, []), day, onsite_m)
        else:
            st.info(t("detail_hint"))


def detail(site, entries, day, onsite_m: float) -> None:
    """The site as it stood on ``day`` and its history up to then, with evidence and photos."""
    lg = lang()
    spec = REGISTRY[site.kind]
    status = spec.status(site.status)
    overdue = is_overdue(site.kind, site.status, site.deadline, day)
    st.subheader(md_escape(site.name))
    st.markdown(f"{kind_label(site.kind)} · **{md_escape(status.label(lg))}**"
                + (f" · :red[**{t('overdue_yes')}**]" if overdue else ""))
    facts = [(t("site_id"), site.site_id), (t("town"), town_label(site.town_code)),
             (t("deadline"), site.deadline or "—"), (t("responsible"), site.responsible or "—")]
    for fld in spec.fields:
        value = site.attrs.get(fld.name)
        if value in (None, ""):
            continue
        shown = choice_label(site.kind, fld.name, value) if fld.type == "choice" else (
            (t("yes") if value else t("no")) if fld.type == "bool" else str(value))
        facts.append((fld.label(lg), shown))
    st.dataframe(pd.DataFrame(facts, columns=[t("attributes"), ""]), hide_index=True, width="stretch")
    st.markdown(f"**{t('history')}**")
    rows = []
    for e in reversed(entries):
        if e.from_status is None:  # created, or created by an import
            start = t("created") if e.action == "create" else action_label(e.action)
            change = f"{start} → {status_label(site.kind, e.to_status)}"
        else:
            change = f"{status_label(site.kind, e.from_status)} → {status_label(site.kind, e.to_status)}"
            if e.action not in EVIDENCE_ACTIONS:
                change += f"（{action_label(e.action)}）"
        where = "—"
        if e.action in EVIDENCE_ACTIONS:
            cls = classify(e, onsite_m, site.geometry)
            d = device_distance_m(e, site.geometry)
            where = EVIDENCE_CLASSES[cls][0 if lg == "zh" else 1] + (f" · {d:.0f} m" if d is not None else "")
        rows.append({
            t("h_time"): format_cst(e.changed_at),
            t("h_actor"): e.actor,
            t("h_change"): change,
            t("h_where"): where,
            t("dash_photos"): ", ".join(h[:10] for h in e.photos) if e.photos else t("dash_no_photos"),
            t("h_note"): e.note or "",
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    _thumbnails(entries)
    st.caption(t("dash_lines_caption"))


def _thumbnails(entries) -> None:
    """Photos of the changes, newest first, where the field-inspection feature has stored them."""
    refs = [(e, sha) for e in reversed(entries) for sha in e.photos]
    if not refs:
        return
    try:  # photo files arrive with the field-inspection feature; until then the hashes above are all there is
        from geo.photos import thumb_path

        root = get_store().photos_dir
    except (ImportError, AttributeError, OneMapError):
        return
    shown = [(e, p) for e, p in ((e, thumb_path(root, sha)) for e, sha in refs[:8]) if p.exists()]
    cols = st.columns(4)
    for i, (entry, path) in enumerate(shown):
        cols[i % 4].image(str(path), caption=format_cst(entry.changed_at), width="stretch")
