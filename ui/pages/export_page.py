"""导出: pick towns, kinds, statuses and formats; build the files; download them.

Thin: options are collected here, everything else is :mod:`geo.export`.
The build runs on a button press (with a progress bar) and the result is
kept for this set of options and this data version only.
"""

from __future__ import annotations

import uuid

import streamlit as st

from geo import towns as town_list
from geo.errors import OneMapError
from geo.export import (CSV_ENCODINGS, FORMAT_KEYS, FORMATS, SHP_ENCODINGS, ExportOptions, export_to_bytes,
                        load_selection, record_export, select)
from layers import KIND_KEYS, REGISTRY
from ui.i18n import lang, t
from ui.scroll import scroll_into_view
from ui.session import current_actor, get_store, load_meta, load_sites, md_escape, sample_banner, show_error

RESULT = "_export_result"
_ENC_LABELS = {"utf-8-sig": "enc_utf8_sig", "gbk": "enc_gbk"}
_SHP_ENC_LABELS = {"gbk": "enc_shp_gbk", "utf-8": "enc_shp_utf8"}


def _town_label(code: str, lg: str) -> str:
    try:
        town = town_list.town_by_code(code)
    except OneMapError:
        return code
    return town.name_zh if lg == "zh" else f"{town.name_en} {town.name_zh}"


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def _options(actor) -> ExportOptions | None:
    """The widgets; None while the choice is incomplete (a hint is shown instead).

    Labels are computed here, not inside ``format_func``: the widget calls it
    outside the script run too (tests), where the session language is unknown.
    """
    lg = lang()
    own = tuple(actor.towns) if actor.role == "inspector" and actor.towns else ()
    town_codes = list(own) if own else [tw.code for tw in town_list.all_towns()]
    c_scope, c_towns = st.columns([2, 3], vertical_alignment="bottom")
    scopes = ["towns"] if own else ["towns", "all"]
    scope_labels = {s: t("export_scope_" + s) for s in scopes}
    scope = c_scope.radio(t("export_scope"), scopes, key="x_scope", format_func=scope_labels.get)
    chosen: list[str] = []
    if scope == "towns":
        town_labels = {c: _town_label(c, lg) for c in town_codes}
        chosen = c_towns.multiselect(t("filter_towns"), town_codes, format_func=town_labels.get, key="x_towns",
                                     placeholder=t("export_pick_towns"))
    if own:
        st.caption(t("export_inspector_towns", towns="、".join(_town_label(c, lg) for c in own)))
    c_kind, c_status = st.columns(2)
    kinds = c_kind.multiselect(t("filter_kinds"), list(KIND_KEYS), default=list(KIND_KEYS), key="x_kinds",
                               format_func=lambda k: REGISTRY[k].label(lg))
    status_options = [f"{k}:{s.code}" for k in kinds for s in REGISTRY[k].statuses]
    statuses = c_status.multiselect(
        t("filter_status"), status_options, key="x_status", placeholder=t("filter_status_all"),
        help=t("filter_status_help"),
        format_func=lambda o: f"{REGISTRY[o.split(':')[0]].label(lg)} · "
                              f"{REGISTRY[o.split(':')[0]].status(o.split(':')[1]).label(lg)}",
    )
    formats = st.multiselect(t("export_formats"), list(FORMAT_KEYS), default=["xlsx"], key="x_formats",
                             format_func=lambda f: f"{FORMATS[f].label(lg)} · {getattr(FORMATS[f], 'audience_' + lg)}",
                             help=t("export_formats_help"))
    per_town = scope == "all"
    with st.expander(t("export_options")):
        if scope == "towns" and len(chosen) > 1:
            per_town = st.checkbox(t("export_per_town"), key="x_per_town")
        gcj02 = st.checkbox(t("export_gcj02"), key="x_gcj02", help=t("export_gcj02_help"))
        c_csv, c_shp = st.columns(2)
        csv_labels = {e: t(_ENC_LABELS[e]) for e in CSV_ENCODINGS}
        shp_labels = {e: t(_SHP_ENC_LABELS[e]) for e in SHP_ENCODINGS}
        csv_enc = c_csv.radio(t("export_csv_encoding"), list(CSV_ENCODINGS), key="x_csv_enc",
                              format_func=csv_labels.get)
        shp_enc = c_shp.radio(t("export_shp_encoding"), list(SHP_ENCODINGS), key="x_shp_enc",
                              format_func=shp_labels.get)
    if scope == "towns" and not chosen:
        st.info(t("export_pick_towns"))
        return None
    if not kinds:
        st.info(t("no_sites"))
        return None
    if not formats:
        st.info(t("export_formats_none"))
        return None
    return ExportOptions(formats=tuple(formats), towns=None if scope == "all" else tuple(chosen),
                         kinds=tuple(kinds), statuses=tuple(statuses), per_town=per_town, gcj02=gcj02,
                         csv_encoding=csv_enc, shp_encoding=shp_enc)


def _build(store, actor, options: ExportOptions) -> dict | None:
    bar = st.progress(0.0, text=t("export_progress", label=""))
    try:
        sel = load_selection(store, actor, options)  # the store approves (inspectors: own towns)
        name, data, mime = export_to_bytes(sel, progress=lambda f, label: bar.progress(
            min(max(f, 0.0), 1.0), text=t("export_progress", label=label)))
        record_export(store, actor, sel, file=name)  # audited once the file exists
    except OneMapError as exc:
        bar.empty()
        show_error(exc)
        return None
    bar.empty()
    return {"name": name, "data": data, "mime": mime, "n": len(sel.sites)}


def render() -> None:
    st.title(t("export_title"))
    store, actor = get_store(), current_actor()
    try:
        version = store.data_version()
        meta = load_meta(store, version, store.locator)
        sites = load_sites(store, version, store.locator)
    except OneMapError as exc:
        st.error(t("error_store") + exc.message(lang()))
        return
    if sample_banner(meta):
        st.caption(t("export_sample_note"))
    st.caption(t("export_intro"))
    if actor.role == "guest":
        st.info(t("export_login"))
        return
    options = _options(actor)
    if options is None:
        return
    preview = select(sites, options, is_sample=meta.get("data_origin") == "sample")
    if not preview.sites:
        st.info(t("export_nothing"))
        return
    st.markdown(t("export_preview", n=len(preview.sites), towns=len({s.town_code for s in preview.sites})))
    key = (options, version)
    if st.button(t("export_build"), type="primary", icon=":material/build:", key="x_build"):
        built = _build(store, actor, options)
        st.session_state[RESULT] = (key, built) if built else None
        st.session_state["_x_built"] = uuid.uuid4().hex if built else None
    stored = st.session_state.get(RESULT)
    if stored and stored[0] == key:
        res = stored[1]
        st.success(t("export_ready", name=md_escape(res["name"]), n=res["n"], size=_size(len(res["data"]))))
        st.download_button(t("export_download"), data=res["data"], file_name=res["name"], mime=res["mime"],
                           type="primary", icon=":material/download:", key="x_download", on_click="ignore")
        # Built just now: bring the download button into view (it lands below the fold on a tablet).
        scroll_into_view("x_download", st.session_state.pop("_x_built", None), key="hidden_scroll_export",
                         align="lower")
