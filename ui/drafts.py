"""Drafts of forms kept in the browser (localStorage), per account and site (or site and monitoring table).

A reload, a lost connection or a new session gives the inspector back what
was typed and chosen (note, target, kind fields, pending photos). The draft
keeper (``ui/components/draft/``) is a hidden same-origin component: it
writes the choices the server sends and the text as it is typed, and sends
the stored draft back on load and when the connection returns. Drafts are
removed on a successful save and when the account logs out
(:func:`ui.page_helper.forget_drafts`).
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

_component = components.declare_component("onemap_draft", path=str(Path(__file__).parent / "components" / "draft"))

DRAFT_PREFIX = "onemap:draft:v1:"


def account_prefix(account: str) -> str:
    """The localStorage key prefix of every draft of ``account``."""
    return f"{DRAFT_PREFIX}{account}:"


def storage_key(account: str, site_id: str) -> str:
    """The localStorage key of ``account``'s draft for ``site_id``."""
    return f"{account_prefix(account)}{site_id}"


def key_class(key: str) -> str:
    """The CSS class Streamlit gives the container of the element with ``key``."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def _applied_key(key: str) -> str:
    return f"{key}__applied"


def pending_draft(key: str) -> dict | None:
    """A draft the browser sent for the keeper ``key`` and the form has not put back yet (then marked done).

    Call before the form's widgets are created (their state may then be set).
    """
    value = st.session_state.get(key)
    if not isinstance(value, dict) or not value.get("nonce"):
        return None
    if value["nonce"] == st.session_state.get(_applied_key(key)):
        return None
    st.session_state[_applied_key(key)] = value["nonce"]
    draft = value.get("draft")
    return draft if isinstance(draft, dict) else None


def draft_keeper(key: str, *, account: str, site_id: str, version: int | None, values: dict,
                 watch: dict[str, str], clear: str | None = None) -> None:
    """Render the hidden keeper of one form's draft.

    Parameters
    ----------
    key : str
        Widget key of the keeper (stable for the site, so it is not remounted).
    site_id : str
        The draft's name under the account's prefix (a site id, or ``"<site id>:<table>"`` for the
        readings entry of a monitoring table: see :func:`storage_key`).
    version : int or None
        The site version the form is based on (None: the draft does not depend on it).
    values : dict
        The form's choices now (field name -> JSON value); empty ones are not kept.
    watch : dict
        Widget key of a text input -> field name: its text is kept as it is typed.
    clear : str, optional
        A new value removes the stored draft (after a save).
    """
    _component(storage_key=storage_key(account, site_id), version=version, values=values,
               watch={key_class(k): name for k, name in watch.items()}, clear=clear,
               applied=st.session_state.get(_applied_key(key)), key=key, default=None)
