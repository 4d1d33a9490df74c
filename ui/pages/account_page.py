"""账号: log in (local account or single sign-on), log out, change one's own password."""

from __future__ import annotations

import streamlit as st

from geo.errors import OneMapError
from ui import auth
from ui.i18n import lang, t
from ui.page_helper import forget_drafts
from ui.session import current_actor, get_store, md_escape
from ui.site_view import town_list


def render() -> None:
    store, actor = get_store(), current_actor()
    st.subheader(t("page_account"))
    notice = st.session_state.pop(auth.NOTICE_KEY, None)
    if notice == "auth.session_ended":
        st.warning(t("session_ended"))
    elif notice == "auth.unknown_identity":
        st.error(t("sso_unknown"))
    if actor.role == "guest":
        _login_form(store)
    else:
        _signed_in(store, actor)


def _login_form(store) -> None:
    if not store.users_exist():
        st.info(t("no_accounts_yet"))
    with st.form("login", clear_on_submit=False):
        name = st.text_input(t("user_name"), key="login_name", autocomplete="username")
        password = st.text_input(t("password"), type="password", key="login_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("log_in"), type="primary", width="stretch")
    if submitted:
        try:
            auth.log_in(store, name, password)
        except OneMapError as exc:
            st.error(md_escape(exc.message(lang())))
        else:
            st.session_state.pop("_actor", None)
            st.rerun()
    if auth.sso_configured():
        st.divider()
        if st.button(t("log_in_sso"), width="stretch"):
            st.login()


def _signed_in(store, actor) -> None:
    towns = town_list(actor.towns) if actor.towns else t("all_towns")
    st.write(t("signed_in_as", name=md_escape(actor.name), role=t("role_" + actor.role), towns=md_escape(towns)))
    if st.button(t("log_out"), type="primary"):
        forget_drafts(actor.name)  # this browser drops the account's unsaved drafts
        auth.log_out(store)
        st.session_state.pop("_actor", None)
        st.rerun()
    if st.session_state.get(auth.TOKEN_KEY):
        st.divider()
        st.markdown(f"**{t('change_password')}**")
        with st.form("passwd", clear_on_submit=True):
            current = st.text_input(t("current_password"), type="password", autocomplete="current-password")
            new = st.text_input(t("new_password"), type="password", autocomplete="new-password")
            again = st.text_input(t("new_password_again"), type="password", autocomplete="new-password")
            ok = st.form_submit_button(t("change_password"))
        if ok:
            if new != again:
                st.error(t("passwords_differ"))
                return
            try:
                store.set_password(actor, actor.name, new, current_password=current)
            except OneMapError as exc:
                st.error(md_escape(exc.message(lang())))
            else:
                auth.session_ended_elsewhere()
                st.session_state.pop("_actor", None)
                st.session_state[auth.NOTICE_KEY] = "auth.session_ended"
                st.success(t("password_changed"))
                st.rerun()
