"""The pydeck peer as a user would show it: ``st.pydeck_chart`` in a Streamlit page (bench only).

``bench/run.py`` starts ``streamlit run bench/pydeck_app.py`` with
``ONEMAP_BENCH_PYDECK_DIR`` pointing at its work folder and opens
``/?spec=pydeck-<n>.json``: the Deck's JSON built beforehand (by
``bench/peers.py`` in the timed worker) is handed to ``st.pydeck_chart``
unchanged, so the page sends exactly what the pydeck peer costs and the
browser measures deck.gl drawing it, not Python building it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pydeck as pdk
import streamlit as st


class PrebuiltDeck(pdk.Deck):
    """A Deck whose JSON was made beforehand (``st.pydeck_chart`` sends ``to_json()`` verbatim)."""

    def __init__(self, text: str):
        super().__init__(map_provider=None, tooltip=False)
        self._text = text

    def to_json(self) -> str:
        return self._text


st.set_page_config(layout="wide")
folder = Path(os.environ.get("ONEMAP_BENCH_PYDECK_DIR", "."))
name = st.query_params.get("spec", "")
if not name or "/" in name or not (folder / name).is_file():
    st.error(f"no spec {name!r} in {folder}")
else:
    st.pydeck_chart(PrebuiltDeck((folder / name).read_text(encoding="utf-8")), height=720)
