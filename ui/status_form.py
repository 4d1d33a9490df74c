"""The status-change form of the detail panel: only the transitions the kind allows, what each needs.

Every submit carries the version the form was opened on and an idempotency
key kept for that form, so a double tap records one change and a stale form
is refused with the current state; typed values are kept in the form.
"""

from __future__ import annotations

import uuid

import streamlit as st

from geo.errors import OneMapError, PermissionDenied, VersionConflict
from geo.store import policy
from layers import get_spec
from ui.i18n import lang, t


def may_change(actor, site) -> bool:
    try:
        policy.check(actor, "change_status", {site.town_code})
    except PermissionDenied:
        return False
    return True


def _input(fld, key: str):
    lg = lang()
    label = fld.label(lg)
    if fld.type == "choice":
        return st.selectbox(label, [c.code for c in fld.choices], key=key,
                            format_func=lambda c: fld.choice(c).label(lg))
    if fld.type == "bool":
        return st.toggle(label, key=key)
    if fld.type in ("int", "float"):
        return st.number_input(label, key=key, step=1 if fld.type == "int" else 0.1)
    if fld.type == "date":
        picked = st.date_input(label, value=None, key=key, format="YYYY-MM-DD")
        return picked.isoformat() if picked else None
    if fld.multiline:
        return st.text_area(label, key=key, height=80)
    return st.text_input(label, key=key)


def status_form(store, actor, site) -> None:
    """Render the form (or why there is none) for ``site``."""
    spec, lg = get_spec(site.kind), lang()
    if actor.role == "guest":
        st.caption(t("login_to_change"))
        return
    if not may_change(actor, site):
        st.caption(t("read_only_not_your_town") if actor.role == "inspector" else t("read_only_role"))
        return
    transitions = spec.allowed_next(site.status)
    if not transitions:
        st.caption(t("final_status"))
        return
    op_key = f"op_{site.site_id}_{site.version}"
    st.session_state.setdefault(op_key, uuid.uuid4().hex)
    from ui.readings_form import gate_notice  # what each gated status needs, and whether the evidence has it

    for tr in transitions:
        gate_notice(store, actor, site, tr.dst)
    with st.form(f"status_{site.site_id}", clear_on_submit=False):
        st.markdown(f"**{t('change_status')}**")
        target = st.radio(t("new_status"), [tr.dst for tr in transitions], horizontal=True,
                          format_func=lambda c: spec.status(c).label(lg), key=f"to_{site.site_id}")
        needs = {name for tr in transitions for name in tr.requires}
        values = {name: _input(spec.field(name), f"f_{site.site_id}_{name}") for name in sorted(needs)}
        note = st.text_area(t("h_note"), key=f"note_{site.site_id}", height=80)
        photos = None
        if any(tr.requires_photo for tr in transitions):
            photos = st.file_uploader(t("status_photos"), type=["jpg", "jpeg", "png", "webp"],
                                      accept_multiple_files=True, key=f"photos_{site.site_id}")
        override = None
        if actor.role == "admin" and any(spec.gates_for(tr.dst) for tr in transitions):
            chosen = st.checkbox(t("override_box"), key=f"ovr_{site.site_id}")  # explicit, never the default
            reason = st.text_input(t("override_reason"), key=f"ovr_reason_{site.site_id}")
            override = reason if chosen else None
        submitted = st.form_submit_button(t("save_change"), type="primary", width="stretch")
    if not submitted:
        return
    required = spec.transition(site.status, target).requires
    try:
        hashes = []
        if photos:
            from geo.photos import store_photo

            hashes = [store_photo(f.getvalue(), store.photos_dir).sha256 for f in photos]
        store.change_status(actor, site.site_id, target, expected_version=site.version,
                            op_id=st.session_state[op_key], note=note,
                            changes={k: v for k, v in values.items() if k in required and v not in ("", None)},
                            source="web", photos=hashes, override=override)
    except VersionConflict as exc:
        st.error(exc.message(lg))
    except OneMapError as exc:
        st.error(exc.message(lg))
        if exc.fix(lg):
            st.caption(exc.fix(lg))
    else:
        st.success(t("change_saved"))
        st.rerun(scope="app")
