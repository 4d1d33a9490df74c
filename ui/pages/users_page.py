"""用户管理 (admin): accounts, roles, towns, disable, reset password, reading without login."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import towns as town_list
from geo.errors import OneMapError
from geo.store.policy import ACCOUNT_ROLES
from ui.i18n import lang, t
from ui.session import current_actor, get_store, md_escape
from ui.site_view import town_label


def _town_label(code: str) -> str:
    return town_label(code)  # a name, never the code (an unknown code is shown as it is)


def render() -> None:
    store, actor = get_store(), current_actor()
    st.subheader(t("page_users"))
    try:
        users = store.list_users(actor)
    except OneMapError as exc:
        st.error(md_escape(exc.message(lang())))
        return
    st.dataframe(pd.DataFrame([{
        t("user_name"): u.name, t("display_name"): u.display_name or "", t("role"): t("role_" + u.role),
        t("towns"): "、".join(_town_label(c) for c in u.towns), t("disabled"): t("yes") if u.disabled else t("no"),
        t("sso_identity"): u.identity or "", t("updated"): u.updated_at[:16].replace("T", " "),
    } for u in users]), hide_index=True, width="stretch")

    codes = [tw.code for tw in town_list.all_towns()]
    with st.expander(t("add_user"), expanded=not users):
        with st.form("add_user", clear_on_submit=True):
            name = st.text_input(t("user_name"))
            display = st.text_input(t("display_name"))
            role = st.selectbox(t("role"), ACCOUNT_ROLES, format_func=lambda r: t("role_" + r))
            towns = st.multiselect(t("towns"), codes, format_func=_town_label, help=t("towns_help"))
            password = st.text_input(t("password"), type="password", autocomplete="new-password")
            identity = st.text_input(t("sso_identity"), help=t("sso_identity_help"))
            if st.form_submit_button(t("add_user"), type="primary"):
                _do(lambda: store.add_user(actor, name, role, password=password or None, towns=towns,
                                           display_name=display or None, identity=identity or None))

    if users:
        with st.expander(t("edit_user"), expanded=False):
            chosen = st.selectbox(t("user_name"), [u.name for u in users], key="edit_user_name")
            u = next(x for x in users if x.name == chosen)
            with st.form(f"edit_{u.name}_{u.version}"):
                role = st.selectbox(t("role"), ACCOUNT_ROLES, index=ACCOUNT_ROLES.index(u.role),
                                    format_func=lambda r: t("role_" + r))
                towns = st.multiselect(t("towns"), codes, default=list(u.towns), format_func=_town_label)
                disabled = st.toggle(t("disabled"), value=u.disabled)
                new_password = st.text_input(t("reset_password"), type="password", autocomplete="new-password")
                if st.form_submit_button(t("save"), type="primary"):
                    def save():
                        store.update_user(actor, u.name, role=role, towns=towns, disabled=disabled,
                                          expected_version=u.version)
                        if new_password:
                            store.set_password(actor, u.name, new_password)
                    _do(save)

    meta = store.meta()
    guest = meta.get("guest_read", "on") == "on"
    new_guest = st.toggle(t("guest_read"), value=guest, help=t("guest_read_help"))
    if new_guest != guest:
        _do(lambda: store.set_meta(actor, "guest_read", "on" if new_guest else "off"))


def _do(fn) -> None:
    try:
        fn()
    except OneMapError as exc:
        st.error(md_escape(exc.message(lang())))
    else:
        st.success(t("saved"))
        st.rerun()
