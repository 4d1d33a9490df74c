"""监测数据导入 (admin): upload a monitoring file for one of the declared tables, see every problem, write one batch.

Thin and generic over :data:`layers.OBSERVATIONS`: reading and checking is
:func:`geo.ingest.observations.prepare_observations` (the same readers, encodings and row problems as the
ledger import), writing the store (:meth:`~geo.store.gpkg.GpkgStore.import_observations`: one batch, one
transaction, undoable on the 导入台账 page). A file with any error writes nothing.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from geo.errors import OneMapError
from geo.ingest.observations import prepare_observations
from layers import OBSERVATIONS, get_spec
from ui.i18n import lang, t
from ui.session import current_actor, get_store, show_error

_PLAN = "_obs_plan"
_DONE = "_obs_done"
_UPLOADS = "_obs_uploads"


def render() -> None:
    lg = lang()
    store, actor = get_store(), current_actor()
    st.markdown(f"**{t('obs_import_title')}**")
    st.caption(t("obs_import_help"))
    done = st.session_state.get(_DONE)
    if done:
        st.success(done)
    keys = list(OBSERVATIONS)
    labels = {k: OBSERVATIONS[k].label(lg) for k in keys}
    key = st.selectbox(t("obs_import_table"), keys, format_func=labels.get, key="obs_table")
    spec = OBSERVATIONS[key]
    st.caption(t("obs_import_columns", cols="、".join(
        [t("obs_import_site")] + ["日期" if lg == "zh" else "date"] + [f.label(lg) for f in spec.fields])))
    uploaded = st.file_uploader(t("imp_upload"), type=["xlsx", "xlsm", "csv", "txt", "tsv"],
                                key=f"obs_file_{st.session_state.get(_UPLOADS, 0)}")
    if uploaded is None:
        return
    data = uploaded.getvalue()
    digest = (key, hashlib.sha256(data).hexdigest(), store.data_version())
    cached = st.session_state.get(_PLAN)
    if cached and cached[0] == digest:
        plan = cached[1]
    else:
        try:
            sites = store.list_sites(actor, kinds=[spec.site_kind])
            stored = store.list_observations(actor, spec.key, [s.site_id for s in sites], include_replaced=True)
        except OneMapError as exc:
            show_error(exc)
            return
        with st.spinner(t("imp_checking")):
            plan = prepare_observations(data, uploaded.name, spec=spec, sites=sites, stored=stored)
        st.session_state[_PLAN] = (digest, plan)
    counts = plan.report()["counts"]
    st.markdown(t("obs_import_counts", rows=plan.rows_read, new=counts["create"], same=counts["unchanged"],
                  errors=counts["rows_with_errors"], sites=counts["sites"]))
    if plan.problems:
        st.dataframe(pd.DataFrame([{
            t("obs_import_row"): p.row if p.row is not None else "—", t("obs_import_column"): p.column,
            t("obs_import_level"): t("obs_import_error") if p.is_error else t("obs_import_warning"),
            t("obs_import_message"): p.message(lg), t("obs_import_fix"): p.fix_text(lg)} for p in plan.problems]),
            hide_index=True, width="stretch")
    if plan.has_errors:
        st.error(t("obs_import_blocked"))
        return
    if not plan.writable:
        st.info(t("obs_import_nothing"))
        return
    if st.button(t("obs_import_write", n=len(plan.writable)), type="primary", key="obs_write"):
        try:
            result = store.import_observations(actor, spec.key, plan.writable, source_name=plan.source_name)
        except OneMapError as exc:
            show_error(exc)
            return
        kind = get_spec(spec.site_kind)
        changes = "；".join(f"{c['site_id']} → {kind.status(c['to']).label(lg)}" for c in result.status_changes)
        st.session_state[_DONE] = t("obs_import_done", n=len(result.obs_ids), batch=result.batch_id) + (
            " " + t("obs_import_changes", changes=changes) if changes else "")
        st.session_state.pop(_PLAN, None)
        st.session_state[_UPLOADS] = st.session_state.get(_UPLOADS, 0) + 1
        st.rerun()
