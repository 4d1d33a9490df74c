"""Thumbnails of the photos attached to a site's history, newest first."""

from __future__ import annotations

import streamlit as st

from geo.clock import format_cst
from ui.session import get_store


def photo_strip(history, *, limit: int = 12, columns: int = 4) -> None:
    """Show up to ``limit`` thumbnails with the time of the change they came with."""
    refs = [(e, sha) for e in reversed(history) for sha in e.photos]
    if not refs:
        return
    from geo.photos import thumb_path

    root = get_store().photos_dir
    shown = [(e, p) for e, p in ((e, thumb_path(root, sha)) for e, sha in refs[:limit]) if p.exists()]
    cols = st.columns(columns)
    for i, (entry, path) in enumerate(shown):
        cols[i % columns].image(str(path), caption=f"{format_cst(entry.changed_at)} · {entry.actor}", width="stretch")
