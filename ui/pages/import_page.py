"""导入台账 (admin): upload a ledger, choose kind and coordinate system, map columns, preview, write, undo.

Thin: reading and checking is :mod:`geo.ingest`, writing and undo the store
(:meth:`~geo.store.imports.ImportsMixin.import_batch`). Nothing is written
before the preview; by default a file with any error writes nothing, and
"write the valid rows only" is an explicit choice. The file is read once per
upload and re-checked when the choices or the mapping change.
"""

from __future__ import annotations

import hashlib
import json

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import basegeo
from geo import towns as town_list
from geo.errors import OneMapError
from layers.reference import REFERENCE_AREAS
from geo.ingest import (KIND_LABELS, TOWN_KIND, CrsChoice, decode_remembered, encode_remembered,
                        layout_key, prepare_import, read_table)
from geo.ingest.columns import recognise, target_label, targets_for
from geo.ingest.coords import FUQING_GK_ZONE, system_label
from geo.ingest.encoding import LABELS as ENCODING_LABELS
from geo.ingest.towncheck import town_mismatches
from geo.map.display import geometry_to_display
from geo.map.build import base_labels, build_base_map, site_layer_groups
from geo.clock import format_cst
from layers import KIND_KEYS, REGISTRY
from ui.assets import map_assets, site_payload_files
from ui.basemap import map_options
from ui.i18n import lang, t
from ui.session import current_actor, get_store, load_sites, md_escape, sample_banner, show_error

UPLOAD_TYPES = ["xlsx", "xlsm", "csv", "txt", "tsv", "geojson", "json", "kml", "kmz", "zip", "gpkg"]
CRS_OPTIONS = ["wgs84", "cgcs2000", "gcj02", "bd09", "gk3"]
_TABLE = "_import_tables"
_TABLE_KEY = "_import_table_key"
_PLAN = "_import_plan"
_DONE = "_import_done"
_UPLOADS = "_import_uploads"
#: Up to this many problems are shown as a table with wrapped text; more as a scrolling grid (and a download).
TABLE_ROWS = 60


def _kind_label(kind: str, lg: str) -> str:
    from layers import OBSERVATIONS

    if kind in KIND_LABELS:  # official town boundaries and the reference areas
        zh, en = KIND_LABELS[kind]
        return zh if lg == "zh" else en
    if kind in OBSERVATIONS:  # a batch of monitoring data (imported on the 监测数据导入 page)
        return OBSERVATIONS[kind].label(lg)
    return REGISTRY[kind].label(lg) if kind in REGISTRY else kind


def _areas_only(kind: str | None) -> bool:
    """Official boundaries rather than sites: town boundaries or a reference area."""
    return kind == TOWN_KIND or kind in REFERENCE_AREAS


def _town_name(code: str) -> str:
    try:
        return town_list.town_by_code(code).name_zh
    except OneMapError:
        return code


def _choices(lg: str) -> tuple[str | None, CrsChoice | None]:
    """Kind and coordinate system (both required; the system has no default on purpose)."""
    c_kind, c_crs, c_zone = st.columns([3, 4, 2], vertical_alignment="bottom")
    kinds = list(KIND_KEYS) + [TOWN_KIND] + list(REFERENCE_AREAS)
    kind_labels = {k: _kind_label(k, lg) for k in kinds}
    kind = c_kind.selectbox(t("imp_kind"), kinds, index=None, format_func=kind_labels.get, key="imp_kind",
                            placeholder=t("imp_kind_placeholder"))
    crs_labels = {k: system_label(k, lg) for k in CRS_OPTIONS}
    system = c_crs.selectbox(t("imp_crs"), CRS_OPTIONS, index=None, format_func=crs_labels.get,
                             placeholder=t("imp_crs_placeholder"), help=t("imp_crs_help"), key="imp_crs")
    crs = None
    if system == "gk3":
        mode = c_zone.radio(t("imp_gk_mode"), ["zone", "cm"], horizontal=True, key="imp_gk_mode",
                            format_func=lambda m: t("imp_gk_zone") if m == "zone" else t("imp_gk_cm"))
        if mode == "zone":
            zone = st.number_input(t("imp_gk_zone"), min_value=25, max_value=45, value=FUQING_GK_ZONE, step=1,
                                   key="imp_zone", help=t("imp_gk_zone_help"))
            crs = CrsChoice.gk(zone=int(zone))
        else:
            cm = st.number_input(t("imp_gk_cm"), min_value=75, max_value=135, value=3 * FUQING_GK_ZONE, step=3,
                                 key="imp_cm", help=t("imp_gk_zone_help"))
            crs = CrsChoice.gk(cm=int(cm) - int(cm) % 3)
    elif system:
        crs = CrsChoice(system)
    return kind, crs


def _read(data: bytes, name: str, kind: str, sheet: str | None):
    """The file read once per (content, kind, sheet), kept in the session."""
    key = (hashlib.sha256(data).hexdigest(), name, kind, sheet)
    cache = st.session_state.setdefault(_TABLE, {})
    if key not in cache:
        if len(cache) >= 4:
            cache.pop(next(iter(cache)))
        cache[key] = read_table(data, name, kind=kind, sheet=sheet)
    st.session_state[_TABLE_KEY] = key
    return cache[key]


def _mapping_editor(kind: str, table, remembered: dict, lg: str) -> dict:
    """The column mapping as an editable table; returns the user's choices (header -> target)."""
    auto = recognise(kind, table.headers, remembered=remembered)
    options = targets_for(kind)
    label_of = {tg: f"{(zh if lg == 'zh' else en)} · {tg}" for tg, (zh, en) in options.items()}
    none_label = target_label(kind, None, lg)
    target_of = {v: k for k, v in label_of.items()}
    examples = {}
    for h in table.headers:
        examples[h] = next((str(r.values.get(h))[:40] for r in table.rows if r.values.get(h) not in (None, "")), "")
    frame = pd.DataFrame({
        t("imp_header"): table.headers,
        t("imp_example"): [examples[h] for h in table.headers],
        t("imp_target"): [label_of.get(auto.targets.get(h), none_label) if auto.targets.get(h) else none_label
                          for h in table.headers],
        t("imp_how"): [t("imp_how_" + auto.how.get(h, "none")) for h in table.headers],
    })
    unmapped = auto.unmapped()
    with st.expander(t("imp_mapping", n=len(table.headers), u=len(unmapped)), expanded=bool(unmapped)):
        st.caption(t("imp_mapping_help"))
        edited = st.data_editor(
            frame, hide_index=True, width="stretch", key=f"imp_map_{layout_key(table.headers)}_{kind}",
            disabled=[t("imp_header"), t("imp_example"), t("imp_how")],
            column_config={t("imp_target"): st.column_config.SelectboxColumn(
                t("imp_target"), options=[none_label] + list(label_of.values()), required=True)},
        )
    user: dict[str, str | None] = {}
    for h, chosen in zip(table.headers, edited[t("imp_target")].tolist()):
        target = target_of.get(chosen)
        if target != auto.targets.get(h):
            user[h] = target
    return user


def _plan(data: bytes, name: str, kind: str, crs: CrsChoice, sheet: str | None, table, problems,
          remembered: dict, user: dict):
    store, actor = get_store(), current_actor()
    version = store.data_version()
    key = (st.session_state[_TABLE_KEY], crs.key, json.dumps(user, ensure_ascii=False, sort_keys=True),
           json.dumps(remembered, ensure_ascii=False, sort_keys=True), version)
    cached = st.session_state.get(_PLAN)
    if cached and cached[0] == key:
        return cached[1]
    sites = load_sites(store, version, store.locator)
    boundaries = {} if _areas_only(kind) else store.town_boundaries(actor)
    with st.spinner(t("imp_checking")):
        plan = prepare_import(data, name, kind=kind, crs=crs, existing={s.site_id: s for s in sites}, sheet=sheet,
                              remembered=remembered, user_mapping=user, boundaries=boundaries, table=table)
        if kind != TOWN_KIND and plan.candidates:  # a status its evidence does not support: a row problem
            from geo.ingest.status_evidence import apply_status_gates

            apply_status_gates(plan, store.import_gate_preview(actor, [c.site for c in plan.candidates]))
    st.session_state[_PLAN] = (key, plan)
    return plan


def _problem_frame(plan, lg: str) -> pd.DataFrame:
    unit = plan.table.row_unit if plan.table else "row"
    return pd.DataFrame([{
        t("imp_where"): p.where(lg, unit),
        t("imp_column"): p.column,
        t("imp_level"): t("imp_error") if p.is_error else t("imp_warning"),
        t("imp_code"): p.code,
        t("imp_message"): p.message(lg),
        t("imp_fix"): p.fix_text(lg),
    } for p in plan.problems])


def _changes_frame(plan, lg: str) -> pd.DataFrame:
    rows = []
    for c in plan.of("update"):
        spec = REGISTRY[c.site.kind]
        for key, (before, after) in c.changes.items():
            fld = spec.field(key)
            label = fld.label(lg) if fld else t("imp_f_" + key)
            rows.append({t("site_id"): c.site.site_id, t("imp_name"): c.site.name, t("imp_field"): label,
                         t("imp_before"): "—" if before is None else str(before),
                         t("imp_after"): "—" if after is None else str(after)})
    return pd.DataFrame(rows)


def _new_frame(plan, lg: str) -> pd.DataFrame:
    rows = []
    for c in plan.of("create"):
        spec = REGISTRY[c.site.kind]
        p = c.site.geometry if c.site.geometry.geom_type == "Point" else c.site.geometry.representative_point()
        rows.append({t("imp_where"): c.row, t("site_id"): c.site.site_id, t("imp_name"): c.site.name,
                     t("town"): _town_name(c.site.town_code), t("status"): spec.status(c.site.status).label(lg),
                     t("imp_lonlat"): f"{p.x:.6f}, {p.y:.6f}"})
    return pd.DataFrame(rows)


def _preview_map(plan, lg: str) -> None:
    assets = map_assets()
    labels = base_labels(lg)
    bounds = basegeo.FUQING_BOUNDS
    geoms = [c.site.geometry for c in plan.candidates] + [tc.geometry for tc in plan.towns]
    if geoms:
        import shapely

        minx, miny, maxx, maxy = shapely.GeometryCollection(geoms).bounds
        pad = 0.02
        bounds = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    options = map_options()
    frame = options["basemap"].display
    base = build_base_map(assets, **options, lang=lg, labels=labels, legend_title=t("legend"),
                          bounds=bounds, clip_bounds=basegeo.LAND_CLIP_BOUNDS)
    if plan.kind == TOWN_KIND:
        group = folium.FeatureGroup(name=t("imp_towns"))
        for tc in plan.towns:
            folium.GeoJson(geometry_to_display(tc.geometry, frame).__geo_interface__, style_function=lambda _: {
                "color": "#5d4037", "weight": 2, "fillOpacity": 0.08}).add_to(group)
        groups = [group]
    elif plan.kind in REFERENCE_AREAS:
        group = folium.FeatureGroup(name=_kind_label(plan.kind, lg))
        color = REFERENCE_AREAS[plan.kind].color
        for a in plan.areas:
            folium.GeoJson(geometry_to_display(a.geometry, frame).__geo_interface__, style_function=lambda _: {
                "color": color, "weight": 2, "fillOpacity": 0.10}).add_to(group)
        groups = [group]
    else:
        groups = site_layer_groups({plan.kind: [c.site for c in plan.candidates]}, lang=lg, frame=frame,
                                   files=site_payload_files())
    st_folium(base, feature_group_to_add=groups, returned_objects=[], height=420, use_container_width=True,
              key="imp_map")
    st.caption(t("imp_map_caption"))


def _write(plan, skip_invalid: bool, user: dict) -> None:
    store, actor = get_store(), current_actor()
    try:
        if plan.kind == TOWN_KIND:
            result = store.import_town_boundaries(actor, [(tc.town_code, tc.name_zh, tc.geometry) for tc in plan.towns],
                                                  source_name=plan.source_name)
        elif plan.kind in REFERENCE_AREAS:
            result = store.import_reference_areas(actor, plan.kind, [(a.name, a.geometry) for a in plan.areas],
                                                  source_name=plan.source_name)
        else:
            result = store.import_batch(actor, [c.site for c in plan.candidates], source_name=plan.source_name,
                                        skip_invalid=skip_invalid, expected=plan.expected())
        if plan.mapping is not None and plan.mapping.user_part():
            store.set_meta(actor, layout_key(plan.mapping.headers), encode_remembered(plan.mapping))
    except OneMapError as exc:
        show_error(exc)
        return
    counts = dict(result.counts)
    counts["skipped"] += len(plan.error_rows) if skip_invalid else 0  # rows the preview kept out
    st.session_state[_DONE] = (result.batch_id, counts, plan.source_name)
    st.session_state.pop(_PLAN, None)
    st.session_state.pop(_TABLE, None)
    st.session_state[_UPLOADS] = st.session_state.get(_UPLOADS, 0) + 1
    st.rerun()


def _batches_section(lg: str) -> None:
    store, actor = get_store(), current_actor()
    st.subheader(t("imp_batches"))
    try:
        batches = store.list_batches(actor, limit=30)
    except OneMapError as exc:
        show_error(exc)
        return
    if not batches:
        st.caption(t("imp_no_batches"))
        return
    st.dataframe(pd.DataFrame([{
        t("imp_batch"): b.batch_id, t("h_time"): format_cst(b.created_at), t("h_actor"): b.actor,
        t("imp_file"): b.source_name or "", t("imp_kind"): _kind_label(b.kind, lg),
        t("imp_counts"): t("imp_counts_text", **{k: b.counts.get(k, 0) for k in ("created", "updated", "unchanged")}),
        t("imp_undone"): f"{format_cst(b.undone_at)} · {b.undone_by}" if b.undone else "",
    } for b in batches]), hide_index=True, width="stretch")
    undoable = [b.batch_id for b in batches if not b.undone]
    if not undoable:
        return
    with st.expander(t("imp_undo")):
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        chosen = c1.selectbox(t("imp_batch"), undoable, key="imp_undo_batch")
        sure = c2.checkbox(t("imp_undo_confirm"), key="imp_undo_sure")
        if st.button(t("imp_undo_button"), disabled=not sure, key="imp_undo_go"):
            try:
                r = store.undo_batch(actor, chosen)
            except OneMapError as exc:
                show_error(exc)
                return
            st.session_state.pop(_PLAN, None)
            st.success(t("imp_undone_ok", batch=r.batch_id, removed=len(r.removed), restored=len(r.restored)))


def _town_check_section(lg: str) -> None:
    store, actor = get_store(), current_actor()
    try:
        boundaries = store.town_boundaries(actor)
    except OneMapError as exc:
        show_error(exc)
        return
    st.subheader(t("imp_town_check"))
    if not boundaries:
        st.caption(t("imp_no_boundaries"))
        return
    version = store.data_version()
    sites = load_sites(store, version, store.locator)
    mismatches = town_mismatches(sites, boundaries)
    st.caption(t("imp_boundaries_loaded", n=len(boundaries)))
    if not mismatches:
        st.success(t("imp_town_all_match", n=len(sites)))
        return
    st.warning(t("imp_town_mismatches", n=len(mismatches)))
    st.dataframe(pd.DataFrame([{
        t("site_id"): m.site_id, t("imp_name"): m.name, t("imp_kind"): REGISTRY[m.kind].label(lg),
        t("imp_recorded"): m.label(m.recorded), t("imp_found"): m.label(m.found),
        t("imp_lonlat"): f"{m.lon:.6f}, {m.lat:.6f}",
    } for m in mismatches]), hide_index=True, width="stretch")


def render() -> None:
    lg = lang()
    store, actor = get_store(), current_actor()
    st.subheader(t("page_import"))
    try:
        store.list_batches(actor, limit=1)  # the store decides who may import (and records a refusal)
        meta = store.meta()
    except OneMapError as exc:
        show_error(exc)
        return
    sample_banner(meta)
    done = st.session_state.pop(_DONE, None)
    if done:
        batch_id, counts, source = done
        st.success(t("imp_written", batch=batch_id, file=md_escape(source), **counts))
    st.caption(t("imp_intro"))
    kind, crs = _choices(lg)
    # A new key after each write empties the uploader: the next file starts a new import.
    uploaded = st.file_uploader(t("imp_upload"), type=UPLOAD_TYPES, help=t("imp_upload_help"),
                                key=f"imp_file_{st.session_state.get(_UPLOADS, 0)}")
    if uploaded is None or crs is None or kind is None:
        st.info(t("imp_need_file") if uploaded is None else t("imp_need_crs") if crs is None else t("imp_need_kind"))
        _batches_section(lg)
        _town_check_section(lg)
        return
    data, name = uploaded.getvalue(), uploaded.name
    table, problems = _read(data, name, kind, None)
    sheet = None
    choices = list(table.choices) if table is not None else [c for p in problems for c in p.choices]
    if len(choices) > 1:
        auto = t("imp_sheet_auto", chosen="、".join(table.chosen)) if table is not None else t("imp_sheet_pick")
        picked = st.selectbox(t("imp_sheet"), [""] + choices, key=f"imp_sheet_{name}_{kind}",
                              format_func=lambda o: o or auto)
        if picked:
            sheet = picked
            table, problems = _read(data, name, kind, sheet)
    remembered: dict = {}
    user: dict = {}
    if table is not None:
        remembered = decode_remembered(meta.get(layout_key(table.headers)), kind)
        if remembered:
            st.caption(t("imp_remembered"))
        user = _mapping_editor(kind, table, remembered, lg)
    plan = _plan(data, name, kind, crs, sheet, table, problems, remembered, user)
    _preview(plan, lg, user)
    _batches_section(lg)
    _town_check_section(lg)


def _preview(plan, lg: str, user: dict) -> None:
    st.subheader(t("imp_preview"))
    if plan.table is not None:
        fmt = plan.table.format
        st.caption(t("imp_file_line", file=md_escape(plan.source_name), fmt=fmt, rows=plan.rows_read,
                     crs=plan.crs.label(lg), enc=ENCODING_LABELS.get(plan.table.encoding or "", "—")))
    c = st.columns(5)
    c[0].metric(t("imp_m_rows"), plan.rows_read)
    c[1].metric(t("imp_m_new"), len(plan.towns) if plan.kind == TOWN_KIND else len(plan.areas)
                if plan.kind in REFERENCE_AREAS else len(plan.of("create")))
    c[2].metric(t("imp_m_update"), len(plan.of("update")))
    c[3].metric(t("imp_m_unchanged"), len(plan.of("unchanged")))
    c[4].metric(t("imp_m_error_rows"), len(plan.error_rows))
    for p in plan.file_errors:
        st.error(md_escape(f"{p.message(lg)} {p.fix_text(lg)}"))
    if plan.candidates or plan.towns or plan.areas:
        _preview_map(plan, lg)
    if plan.problems:
        st.markdown(f"**{t('imp_problems', e=len(plan.errors), w=len(plan.warnings))}**")
        frame = _problem_frame(plan, lg)
        if len(frame) <= TABLE_ROWS:  # short lists as a table whose text wraps: message and fix readable in full
            st.table(frame.map(md_escape).set_index(t("imp_where")))  # st.table reads Markdown: quoted values as text
        else:
            st.dataframe(frame, hide_index=True, width="stretch", column_config={
                t("imp_message"): st.column_config.TextColumn(width="large"),
                t("imp_fix"): st.column_config.TextColumn(width="large")})
        st.download_button(t("imp_download_problems"), frame.to_csv(index=False).encode("utf-8-sig"),
                           file_name=f"{plan.source_name.rsplit('.', 1)[0]}_问题清单.csv", mime="text/csv",
                           key="imp_dl_problems")
    if plan.of("update"):
        st.markdown(f"**{t('imp_updates', n=len(plan.of('update')))}**")
        st.dataframe(_changes_frame(plan, lg), hide_index=True, width="stretch")
    if plan.of("create"):
        with st.expander(t("imp_creates", n=len(plan.of("create")))):
            st.dataframe(_new_frame(plan, lg), hide_index=True, width="stretch")
    if plan.mapping is not None and plan.mapping.user_part():
        if st.button(t("imp_remember"), key="imp_remember"):
            try:
                get_store().set_meta(current_actor(), layout_key(plan.mapping.headers), encode_remembered(plan.mapping))
                st.success(t("imp_remembered_ok"))
            except OneMapError as exc:
                show_error(exc)
    writable = len(plan.towns) if plan.kind == TOWN_KIND else len(plan.areas) if plan.kind in REFERENCE_AREAS \
        else len(plan.writable)
    skip = False
    if plan.kind in REFERENCE_AREAS:  # one official version: written whole or not at all
        st.caption(t("imp_reference_whole", name=_kind_label(plan.kind, lg)))
    elif plan.has_errors and not plan.file_errors and writable:
        skip = st.checkbox(t("imp_skip_invalid", n=len(plan.error_rows)), key="imp_skip", help=t("imp_skip_help"))
    blocked = bool(plan.file_errors) or (plan.has_errors and not skip) or not writable
    if writable and plan.has_errors and not skip and not plan.file_errors:
        st.warning(t("imp_blocked"))
    elif not writable and not plan.has_errors:
        st.info(t("imp_nothing"))
    label = t("imp_write_towns", n=len(plan.towns)) if plan.kind == TOWN_KIND else \
        t("imp_write_reference", n=len(plan.areas), name=_kind_label(plan.kind, lg)) if plan.kind in REFERENCE_AREAS \
        else t("imp_write", c=len(plan.of("create")), u=len(plan.of("update")))
    if st.button(label, type="primary", disabled=blocked, key="imp_write"):
        _write(plan, skip, user)

