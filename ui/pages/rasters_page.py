"""栅格图层 (admin): add a GeoTIFF / COG as a map overlay, change its colouring and opacity, remove it.

Every file is checked from its header before anything is copied; a refused
file shows what is wrong and how to fix it, and the library's own message
is kept for the log (and shown folded, for whoever reads logs).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.errors import OneMapError
from geo.raster.colormap import COLORMAPS
from geo.raster.overlays import add_raster_file, resolved_style, suggest_raster_id
from ui.i18n import lang, t
from ui.session import current_actor, get_store, md_escape

log = logging.getLogger(__name__)
NO_RANGE = None
FLASH = "raster_flash"


def _cmap_label(key: str) -> str:
    cm = COLORMAPS[key]
    return f"{cm.name_zh} · {cm.use_zh}" if lang() == "zh" else f"{cm.name_en} · {cm.use_en}"


def _explain(exc: OneMapError) -> None:
    st.error(md_escape(exc.message(lang())))
    cause = exc.__cause__
    if cause is not None:
        log.warning("raster refused [%s]: %s; library: %r", exc.code, exc.en, cause)
        with st.expander(t("raster_tech")):
            st.code(f"{exc.code}\n{type(cause).__name__}: {cause}", language=None)


def render() -> None:
    store, actor = get_store(), current_actor()
    st.subheader(t("page_rasters"))
    st.caption(t("raster_intro"))
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(flash)
    try:
        layers = store.list_rasters(actor)
    except OneMapError as exc:
        st.error(md_escape(exc.message(lang())))
        return
    if layers:
        st.dataframe(pd.DataFrame([{
            t("raster_id"): r.raster_id, t("raster_name"): r.label(lang()),
            t("raster_kind"): t("raster_single") if r.bands == 1 else t("raster_rgb"),
            t("raster_colormap"): COLORMAPS[r.colormap].name_zh if r.colormap in COLORMAPS else "—",
            t("raster_range"): f"{r.vmin:g} … {r.vmax:g} {r.unit}" if r.vmin is not None and r.vmax is not None
            else t("raster_auto"),
            t("raster_opacity"): f"{r.opacity:.0%}",
            t("raster_flags"): "、".join(x for x in (t("sample_badge") if r.is_sample else "",
                                                   t("raster_synthetic") if r.is_synthetic else "") if x) or "—",
            t("updated"): f"{r.updated_at[:16].replace('T', ' ')} · {r.updated_by}",
        } for r in layers]), hide_index=True, width="stretch")
    else:
        st.info(t("raster_none"))
    _add_form(store, actor, {r.raster_id for r in store.list_rasters(actor, include_removed=True)})
    if layers:
        _edit_form(store, actor, layers)


def _add_form(store, actor, taken: set[str]) -> None:
    with st.expander(t("raster_add"), expanded=not taken):
        upload = st.file_uploader(t("raster_file"), type=["tif", "tiff"], help=t("raster_file_help"),
                                  key="raster_upload")
        with st.form("raster_add_form"):
            c1, c2 = st.columns(2)
            name_zh = c1.text_input(t("raster_name_zh"))
            name_en = c2.text_input(t("raster_name_en"))
            rid = st.text_input(t("raster_id"), value=suggest_raster_id(upload.name, taken) if upload else "",
                                help=t("raster_id_help"))
            cmap = st.selectbox(t("raster_colormap"), list(COLORMAPS), format_func=_cmap_label,
                                help=t("raster_colormap_help"))
            c3, c4, c5 = st.columns(3)
            vmin = c3.number_input(t("raster_vmin"), value=NO_RANGE, help=t("raster_range_help"), format="%g")
            vmax = c4.number_input(t("raster_vmax"), value=NO_RANGE, format="%g")
            unit = c5.text_input(t("raster_unit"))
            opacity = st.slider(t("raster_opacity"), 0, 100, 70, step=5)
            description = st.text_area(t("raster_description"), height=68)
            submitted = st.form_submit_button(t("raster_add_button"), type="primary")
        if not submitted:
            return
        if upload is None:
            st.error(t("raster_need_file"))
            return
        if not name_zh.strip() or not name_en.strip():
            st.error(t("raster_need_names"))
            return
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(upload.name).name
            path.write_bytes(upload.getbuffer())
            try:
                with st.spinner(t("raster_checking")):
                    layer = add_raster_file(
                        store, actor, path, raster_id=rid.strip(), name_zh=name_zh, name_en=name_en, colormap=cmap,
                        vmin=vmin, vmax=vmax, unit=unit, opacity=opacity / 100, description=description,
                        source_name=upload.name)
            except OneMapError as exc:
                _explain(exc)
                return
        try:
            resolved_style(store.raster_path(layer), layer)  # the value range, read once from an overview
        except OneMapError as exc:
            _explain(exc)
            return
        st.success(t("raster_added", name=md_escape(layer.label(lang())), z1=layer.max_zoom))


def _edit_form(store, actor, layers) -> None:
    with st.expander(t("raster_edit")):
        chosen = st.selectbox(t("raster_name"), [r.raster_id for r in layers],
                              format_func=lambda rid: next(r.label(lang()) for r in layers if r.raster_id == rid),
                              key="raster_edit_pick")
        r = next(x for x in layers if x.raster_id == chosen)
        with st.form(f"raster_edit_{r.raster_id}_{r.version}"):
            c1, c2 = st.columns(2)
            name_zh = c1.text_input(t("raster_name_zh"), value=r.name_zh)
            name_en = c2.text_input(t("raster_name_en"), value=r.name_en)
            changes = {}
            if r.bands == 1:
                keys = list(COLORMAPS)
                cmap = st.selectbox(t("raster_colormap"), keys, index=keys.index(r.colormap) if r.colormap in keys
                                    else 0, format_func=_cmap_label)
                c3, c4, c5 = st.columns(3)
                vmin = c3.number_input(t("raster_vmin"), value=r.vmin, format="%g")
                vmax = c4.number_input(t("raster_vmax"), value=r.vmax, format="%g")
                unit = c5.text_input(t("raster_unit"), value=r.unit)
                changes.update(colormap=cmap, vmin=vmin, vmax=vmax, unit=unit)
            opacity = st.slider(t("raster_opacity"), 0, 100, int(round(r.opacity * 100)), step=5,
                                key=f"raster_edit_opacity_{r.raster_id}_{r.version}")
            shown = st.toggle(t("raster_shown"), value=r.shown)
            remove = st.checkbox(t("raster_remove"), help=t("raster_remove_help"))
            if st.form_submit_button(t("save"), type="primary"):
                try:
                    if remove:
                        store.remove_raster(actor, r.raster_id, expected_version=r.version)
                        st.session_state[FLASH] = t("raster_removed")
                    else:
                        changes.update(name_zh=name_zh, name_en=name_en, opacity=opacity / 100, shown=shown)
                        changed = {k: v for k, v in changes.items() if getattr(r, k) != v}
                        if changed:
                            store.update_raster(actor, r.raster_id, expected_version=r.version, **changed)
                        st.session_state[FLASH] = t("saved")
                except OneMapError as exc:
                    st.error(md_escape(exc.message(lang())))
                    return
                st.rerun()  # the table and the form show the new version
