"""What every page shares: the store, the acting user, cached reads, the sample banner."""

from __future__ import annotations

import re

import streamlit as st

from geo.errors import OneMapError
from geo.store import Actor, GpkgStore, open_store
from ui.i18n import lang, t


@st.cache_resource(show_spinner=False)
def get_store() -> GpkgStore:
    """The configured store, opened (and created from sample data if missing) once per process."""
    return open_store()


def current_actor() -> Actor:
    """The acting user. Until accounts exist every browser session is a read-only reviewer."""
    client = ""
    try:
        client = st.context.ip_address or ""
    except Exception:  # noqa: BLE001 - not available in every runtime (tests)
        client = ""
    return Actor("访客", role="reviewer", client=f"web:{client}" if client else "web")


@st.cache_resource(show_spinner=False, max_entries=4)
def load_sites(_store: GpkgStore, data_version: int, store_key: str):
    """Every site, read once per data version (the version is the cache key)."""
    return _store.list_sites(Actor("map", role="reviewer"))


@st.cache_data(show_spinner=False, max_entries=4)
def load_meta(_store: GpkgStore, data_version: int, store_key: str) -> dict:
    return _store.meta()


def sample_banner(meta: dict) -> bool:
    """Show the 示例数据 banner when the store holds sample data; return whether it did."""
    if meta.get("data_origin") == "sample":
        st.warning(t("sample_banner"), icon="⚠️")
        return True
    return False


def show_error(exc: OneMapError) -> None:
    st.error(exc.message(lang()))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md_escape(text: str) -> str:
    """Escape Markdown so user text shows as typed."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))
