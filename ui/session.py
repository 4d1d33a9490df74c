"""What every page shares: the store, the acting user, cached reads, the sample banner."""

from __future__ import annotations

import re

import streamlit as st

from geo.errors import OneMapError
from geo.store import Actor, SiteStore, open_store, store_locator
from ui.i18n import lang, t


def get_store() -> SiteStore:
    """The configured store (``$ONEMAP_STORE``: a GeoPackage, created from sample data if missing, or PostGIS),
    opened once per locator and process."""
    return _open(store_locator())


@st.cache_resource(show_spinner=False)
def _open(locator: str) -> SiteStore:
    return open_store(locator)


ACTOR_KEY = "_actor"
APP_READER = Actor("app", role="system", client="cache")


def current_actor() -> Actor:
    """The acting user of this run (resolved once per run by ui.shell, or here when a page runs alone)."""
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None:
        from ui.auth import resolve_actor

        actor = resolve_actor(get_store())
        st.session_state[ACTOR_KEY] = actor
    return actor


def can_read() -> bool:
    """Whether the current user may read; shows why not (log in) when not."""
    try:
        get_store().effective_actor(current_actor())
    except OneMapError as exc:
        st.info(exc.message(lang()))
        return False
    return True


@st.cache_resource(show_spinner=False, max_entries=4)
def load_sites(_store: SiteStore, data_version: int, store_key: str):
    """Every site, read once per data version and shared by every user who may read (pages check that first)."""
    return _store.list_sites(APP_READER)


@st.cache_resource(show_spinner=False, max_entries=2)
def load_map_sites(_store: SiteStore, data_version: int, store_key: str):
    """Every site as the map draws it (``MapSite``: display geometry, no stored geometry), once per data version.

    A fraction of :func:`load_sites`' memory at 100,000 sites, and the same
    objects on every rerun, so the map finds its encoded sites again at once.
    """
    return _store.map_sites(APP_READER)


@st.cache_data(show_spinner=False, max_entries=4)
def load_meta(_store: SiteStore, data_version: int, store_key: str) -> dict:
    return _store.meta()


def sample_banner(meta: dict) -> bool:
    """Show the 示例数据 banner when the store holds sample data; return whether it did."""
    if meta.get("data_origin") == "sample":
        st.warning(t("sample_banner"), icon="⚠️")
        return True
    return False


def show_error(exc: OneMapError) -> None:
    """An error's message (and its fix), shown as text: messages quote user values."""
    lg = lang()
    fix = exc.fix(lg)
    st.error(md_escape(exc.message(lg) + (f" {fix}" if fix else "")))


#: Every ASCII punctuation character: CommonMark lets each be backslash-escaped, and escaped they start
#: nothing — no image, link, HTML, emphasis, LaTeX (``$``) or Streamlit directive (``:red[…]``, ``:material/…:``).
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
#: Where GFM would still make a link of plain text: its autolink step runs on the parsed text, after the
#: escapes are gone (measured: an escaped ``http\:\/\/host`` became a link). An invisible word joiner (U+2060)
#: after ``:`` before ``//``, after ``www`` before ``.`` and before ``@`` leaves nothing for it to find.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?i:(?<=www))(?=\.)|(?=@)")
_BREAKS = re.compile(r"[\r\n\t]+")


def md_escape(text: str) -> str:
    """User text for any place Streamlit reads Markdown (markdown, captions, labels, alerts, st.table cells):
    shown as typed, on one line, never turned into an image, a link (also no autolink) or markup."""
    text = _AUTOLINK.sub("\u2060", _BREAKS.sub(" ", str(text)))
    return _MD_SPECIAL.sub(r"\\\1", text)
