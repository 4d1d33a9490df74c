"""Thumbnails of the photos attached to a site's history, newest first.

The images come from the app's photo route (``files/photos/…``, behind the
session cookie, cached by the browser for good: they are named by their
content), not through Streamlit's media store.
"""

from __future__ import annotations

import html

import streamlit as st

from geo.clock import format_cst
from geo.web import paths
from ui.session import get_store


def photo_url(name: str) -> str:
    """Absolute URL path of a stored photo file (``<sha256>.jpg`` or ``<sha256>_t.jpg``) under the app's base path."""
    from streamlit import config

    return paths.under(config.get_option("server.baseUrlPath") or "", f"{paths.PHOTOS}/{name}")


def photo_strip(history, *, limit: int = 12, columns: int = 4) -> None:
    """Show up to ``limit`` thumbnails with the time of the change they came with (a tap opens the photo)."""
    refs = [(e, sha) for e in reversed(history) for sha in e.photos]
    if not refs:
        return
    from geo.photos import thumb_path

    root = get_store().photos_dir
    shown = [(e, sha) for e, sha in refs[:limit] if thumb_path(root, sha).exists()]
    cols = st.columns(columns)
    for i, (entry, sha) in enumerate(shown):
        # one line (a blank line would end the HTML block and let Markdown read the rest), escaped as HTML
        caption = html.escape(" ".join(f"{format_cst(entry.changed_at)} · {entry.actor}".split()))
        cols[i % columns].markdown(
            f'<figure style="margin:0"><a href="{html.escape(photo_url(sha + ".jpg"))}" target="_blank" '
            f'rel="noopener"><img src="{html.escape(photo_url(sha + "_t.jpg"))}" alt="{caption}" loading="lazy" '
            f'style="width:100%;border-radius:4px"></a><figcaption style="font-size:0.8rem;color:#555">{caption}'
            f'</figcaption></figure>', unsafe_allow_html=True)
