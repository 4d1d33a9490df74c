"""一口一档: one outfall's whole file in its detail panel, and the form that keeps it up to date.

Thin: :func:`geo.domain.outfall_file.outfall_file` gathers the file; this lays it out (identity,
responsibility, the trace, the remediation and its milestones, the 规范化 items with their photos,
the 销号 or 核销 record with its attachment, and what the file still lacks). Edits go through
:meth:`SiteStore.update_attributes` (history row ``edit``, status unchanged).
"""

from __future__ import annotations

import uuid

import pandas as pd
import streamlit as st

from geo.clock import format_cst, today_cst
from geo.domain.outfall_file import outfall_file
from geo.errors import OneMapError, VersionConflict
from layers import get_spec
from ui.i18n import lang, t
from ui.session import md_escape, show_error
from ui.spec_inputs import fields_input, store_photo_fields

#: The fields the file form edits, by group (status-bound records — 整治方式, 销号, 核销 — are set by their change).
EDIT_GROUPS = (
    ("outfall_file_identity", ("outfall_code", "discharge_into", "receiving_water", "water_body_name", "outfall_type",
                               "outfall_subtype", "discharge_mode", "black_odour_seen")),
    ("outfall_file_responsibility", ("responsible_basis", "permit_no", "filing_no", "source_units")),
    ("outfall_file_remediation", ("remediation_plan", "milestones")),
    ("outfall_file_items", ("sign_board", "sign_board_photo", "sampling_point", "sampling_point_photo",
                            "inspection_well", "inspection_well_photo")),
)


def _v(zh: str, en: str) -> str:
    return zh if lang() == "zh" else en


def _rows_table(rows) -> None:
    """Label and value, one a row; long values (a plan, a note) wrap instead of being cut.

    st.table reads Markdown in its cells: the values (user text) are escaped to show as typed."""
    st.table(pd.DataFrame([(_v(r.label_zh, r.label_en), md_escape(_v(r.value_zh, r.value_en))) for r in rows],
                          columns=[t("attributes"), t("outfall_value")]), hide_index=True, hide_header=True)


def _photo(sha: str | None, caption: str) -> None:
    from geo.photos import thumb_path
    from ui.session import get_store

    if not sha:
        st.caption(t("outfall_no_photo"))
        return
    path = thumb_path(get_store().photos_dir, sha)
    if path.exists():
        st.image(str(path), caption=caption, width="stretch")
    else:
        st.caption(t("outfall_photo_missing", sha=sha[:12]))


def outfall_panel(store, actor, site, history) -> None:
    """The file of one outfall (read-only for guests and reviewers; an edit form for those who may change it)."""
    f = outfall_file(site, history, today_cst())
    st.markdown(f"#### {t('outfall_file_title')}")
    for sec in f.sections:
        st.markdown(f"**{_v(sec.title_zh, sec.title_en)}**")
        _rows_table(sec.rows)
    st.markdown(f"**{t('outfall_trace')}**")
    if f.source_units:
        st.markdown("\n".join(f"- {md_escape(u)}" for u in f.source_units))
    else:
        st.caption(t("outfall_no_units"))
    st.markdown(f"**{t('outfall_remediation')}**")
    _rows_table(f.remediation)
    st.caption(t("outfall_deadline", d=f.deadline or "—") + (f" · :red[{t('overdue_yes')}]" if f.overdue else ""))
    if f.milestones:
        st.dataframe(pd.DataFrame([{
            t("outfall_ms_day"): m.day.isoformat() if m.day else "—", t("outfall_ms_what"): m.what,
            t("outfall_ms_state"): t("overdue_yes") if m.overdue else "",
        } for m in f.milestones]), hide_index=True, width="stretch")
    st.markdown(f"**{t('outfall_items')}**")
    cols = st.columns(len(f.items))
    for col, item in zip(cols, f.items):
        with col:
            # Streamlit's own icon font (shipped with it): no emoji font is needed on an intranet machine.
            mark = ":green[:material/check_circle:]" if item.present else ":gray[:material/radio_button_unchecked:]"
            st.markdown(f"{mark} {_v(item.label_zh, item.label_en)} · "
                        f"{t('outfall_item_on') if item.present else t('outfall_item_off')}")
            _photo(item.photo, _v(item.label_zh, item.label_en))
    if f.end is not None:
        title = t("outfall_closure") if f.end.kind == "closed" else t("outfall_dismissal")
        st.markdown(f"**{title}**" + (f" · {format_cst(f.end.changed_at)}" if f.end.changed_at else ""))
        _rows_table(f.end.rows)
        if f.end.photos:
            pcols = st.columns(min(3, len(f.end.photos)))
            for i, sha in enumerate(f.end.photos):
                with pcols[i % len(pcols)]:
                    _photo(sha, t("outfall_attachment"))
        else:
            st.caption(t("outfall_no_attachment"))
    if f.gaps:
        st.markdown(f"**{t('outfall_gaps')}**")
        for g in f.gaps:
            text = f"{_v(g.zh, g.en)} {_v(g.fix_zh, g.fix_en)}"
            (st.error if g.is_error else st.warning)(md_escape(text))  # a gap may quote a stored value
    _edit_form(store, actor, site)


def _edit_form(store, actor, site) -> None:
    from ui.status_form import may_change

    if actor.role == "guest" or not may_change(actor, site):
        return
    spec = get_spec(site.kind)
    op_key = f"ofile_op_{site.site_id}_{site.version}"
    st.session_state.setdefault(op_key, uuid.uuid4().hex)
    with st.expander(t("outfall_edit"), expanded=False):
        with st.form(f"ofile_{site.site_id}", clear_on_submit=False):
            changes: dict = {}
            for title, names in EDIT_GROUPS:
                st.markdown(f"**{t(title)}**")
                changes.update(fields_input(spec, site.attrs, names, f"ofile_{site.site_id}_{site.version}"))
            note = st.text_input(t("h_note"), key=f"ofile_note_{site.site_id}")
            submitted = st.form_submit_button(t("outfall_save"), type="primary", width="stretch")
        if not submitted:
            return
        try:
            changes = store_photo_fields(store, spec, changes)
            for item, photo in (("sign_board", "sign_board_photo"), ("sampling_point", "sampling_point_photo"),
                                ("inspection_well", "inspection_well_photo")):
                if changes.get(photo) and not site.attrs.get(item):
                    changes.setdefault(item, True)  # a photo of the item means the item is there
            store.update_attributes(actor, site.site_id, changes, expected_version=site.version,
                                    op_id=st.session_state[op_key], note=note, source="web")
        except VersionConflict as exc:
            show_error(exc)
        except OneMapError as exc:
            show_error(exc)
        else:
            st.success(t("outfall_saved"))
            st.rerun(scope="app")
