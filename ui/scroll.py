"""Bring an element into view in the browser when it appears out of sight (phones: a card far below a list)."""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

from ui.drafts import key_class

_component = components.declare_component("onemap_scroll", path=str(Path(__file__).parent / "components" / "scroll"))


def scroll_into_view(target_key: str, nonce: str | int | None, *, key: str, align: str = "start") -> None:
    """Scroll the page so the element with widget/container key ``target_key`` is in view, once per ``nonce``.

    Nothing happens when the element is already in view (a tablet's side panel) or ``nonce`` is None.
    ``align``: ``start`` puts it at the top; ``lower`` puts its top at 45 % of the screen (what is
    above it, e.g. the map that just moved to the site, stays partly in view).
    """
    _component(target=key_class(target_key), nonce=str(nonce) if nonce is not None else None, align=align,
               key=key, default=None)
