"""Serve Leaflet and the base geography from the app itself (no CDN, no internet).

Streamlit serves a declared component's folder at ``/component/<name>/...``
with a proper JavaScript MIME type and ``Cache-Control: public`` (its static
folder would serve ``.js`` as text/plain with nosniff, which browsers refuse
to run; ``data:`` URLs would be re-sent on every rerun). We declare one
component per folder and never render it: the declaration alone registers
the route. URLs are relative to streamlit-folium's own iframe, which lives
under ``/component/`` too, so they work behind any ``server.baseUrlPath``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import streamlit.components.v1 as components
import xstatic.pkg.leaflet as xs_leaflet

from geo.mapbuild import MapAssets

BASE_DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "base"


def _leaflet_dir() -> str:
    return os.path.join(os.path.dirname(xs_leaflet.__file__), "data")


@lru_cache(maxsize=1)
def map_assets() -> MapAssets:
    """Register the asset routes (once per process) and return their URLs."""
    leaflet = components.declare_component("onemap_leaflet", path=_leaflet_dir())
    base = components.declare_component("onemap_base", path=str(BASE_DATA_DIR))
    return MapAssets(
        leaflet_js=f"../{leaflet.name}/leaflet.js",
        leaflet_css=f"../{leaflet.name}/leaflet.css",
        base_data_url=f"../{base.name}/",
    )
