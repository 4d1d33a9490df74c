"""What every browser session runs on every rerun: configuration, sign-in, language, navigation only.

``main_page.py`` (the script ``app.py`` serves) calls :func:`main`; the pages are in ``ui/pages/``.
"""

from __future__ import annotations

import streamlit as st

from geo.errors import OneMapError
from ui.auth import resolve_actor, secret_problem, sync_browser
from ui.i18n import LANGS, lang, t
from ui.page_helper import page_helper
from ui.pages import pages_for
from ui.session import ACTOR_KEY, get_store, md_escape
from ui.status_form import clear_saved_banners
from ui.settings import app_settings
from ui.web.media_guard import bind_current_session

#: Layout rules every page shares. Touch: every button and choice at least 44 px high (gloves, wet
#: hands). Phones: less padding so the map starts in the first screen. Pills and chips wrap instead
#: of hiding options. Hidden helper components (keys starting ``hidden_``) take no space.
#: Header: the title's box starts at 12rem and takes what is left (its text wraps inside it rather
#: than pushing the controls onto a second row); the subtitle shows only from 1200 px up, so on
#: tablets and phones the title, account, language and offline link fit one row (two on a phone).
CSS = """
.block-container{padding-top:3.2rem;padding-bottom:1rem}
.stButton button,.stFormSubmitButton button,.stDownloadButton button{min-height:44px}
div[role=radiogroup] label{min-height:44px;align-items:center;padding-right:12px}
[data-testid="stButtonGroup"] button{min-height:40px}
[class*="st-key-hidden_"]{display:none}
.st-key-onemap_head p{margin-bottom:0}
.st-key-onemap_head>[data-testid="stElementContainer"]:first-child{flex:1 1 12rem}
@media (max-width: 1199.98px){
  .st-key-onemap_head .onemap-subtitle{display:none}
}
[data-testid="stAlert"]>div{padding-top:.55rem;padding-bottom:.55rem}
@media (max-width: 1399.98px){
  .block-container{padding-left:1.5rem;padding-right:1.5rem}
}
@media (max-width: 639.98px){
  .block-container{padding-left:.7rem;padding-right:.7rem;padding-top:3rem}
  .st-key-onemap_head [data-testid="stCaptionContainer"]{font-size:.8rem}
}
"""


def main() -> None:
    """One run of the app's shell: page config, secret check, actor, navigation, header, the chosen page."""
    st.set_page_config(page_title="福清生态环境一张图", page_icon="🗺️", layout="wide",
                       initial_sidebar_state="collapsed")

    if "lang" not in st.session_state:
        st.session_state["lang"] = "en" if st.query_params.get("lang") == "en" else "zh"

    problem = secret_problem()
    if problem:
        st.error(problem)
        st.stop()

    try:
        store = get_store()
    except OneMapError as exc:  # the store cannot be opened (a wrong ONEMAP_STORE, a server down ...): say why
        st.error(f"{exc.zh}\n\n{exc.en}")
        st.stop()
    bind_current_session()  # Streamlit's /media/ files of this session: only for this browser
    actor = st.session_state[ACTOR_KEY] = resolve_actor(store)
    problems = app_settings().problems
    if problems and actor.role == "admin":
        with st.expander(t("settings_problems", n=len(problems)), icon="⚠️"):
            for text in problems:
                st.text(text(lang()))
    pages = [st.Page(p.render, title=t(p.title_key), icon=p.icon, url_path=p.url_path, default=p.default)
             for p in pages_for(actor.role)]
    page = st.navigation(pages, position="top")
    if st.session_state.get("_page") != page.url_path:  # another page: no stale "saved" banner follows
        st.session_state["_page"] = page.url_path
        clear_saved_banners()
    st.markdown(f"<style>{CSS}</style>", unsafe_allow_html=True)
    page_helper()
    _header(actor)
    page.run()
    sync_browser()  # last: the sign-in cookie is set or cleared by the browser, nothing shifts


def _header(actor) -> None:
    """Title, who is signed in, the language switch (an inspector's offline link last): one row that wraps.

    Nothing is truncated: the subtitle is hidden below 1200 px (:data:`CSS`), the title's text wraps
    inside its own box, and the offline link's label is short, its full meaning in the tooltip.
    """
    head = st.container(horizontal=True, vertical_alignment="center", gap="small", key="onemap_head")
    head.markdown(f'**{t("app_title")}**<span class="onemap-subtitle"> · {t("app_subtitle")}</span>',
                  width="stretch", unsafe_allow_html=True)  # fixed texts from ui/i18n.py, no user input
    head.caption(t("guest_hint") if actor.role == "guest" else f"{md_escape(actor.name)} · {t('role_' + actor.role)}",
                 width="content")
    head.segmented_control(t("language"), list(LANGS), format_func=LANGS.get, key="lang",
                           label_visibility="collapsed", width="content")
    if actor.role == "inspector":  # the offline field client (geo/web/field_static.py), last in the row (it wraps first)
        head.link_button(t("field_client_link"), "field/", help=t("field_client_help"), icon=":material/cloud_off:",
                         width="content")
