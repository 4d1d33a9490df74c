"""Where the map's frame gets Leaflet, the base geography, site payloads and raster tiles.

Leaflet 1.9.3 (the ``xstatic-leaflet`` package: public library code) is
served by Streamlit's component route, which sends JavaScript with a proper
MIME type (its static folder would send ``.js`` as text/plain with nosniff,
which browsers refuse to run). We declare a component for that folder and
never render it: the declaration alone registers the route.

Everything else the map fetches is data and goes through the app's own
routes behind the session cookie (:mod:`geo.web`): ``files/base/…`` (the
base geography and its GCJ-02 copies, named by a digest of the shipped
files), ``files/sites/…`` (site payloads of large maps) and ``tiles/…``
(raster tiles rendered on request). URLs are relative to streamlit-folium's
own frame (``<base>/component/<name>/index.html``), so they work under any
``server.baseUrlPath``.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

import streamlit.components.v1 as components
import xstatic.pkg.leaflet as xs_leaflet

from geo.basegeo import BASE_DIR as BASE_DATA_DIR
from geo.map.build import MapAssets
from geo.map.sitelayer import PayloadFiles
from geo.raster.overlays import cache_root
from geo.web import paths
from geo.web.basefiles import base_version, frame_dir, write_display_copies

log = logging.getLogger(__name__)
#: The app's root as the map's frame sees it.
ROOT = paths.FROM_COMPONENT_FRAME


def _leaflet_dir() -> str:
    return os.path.join(os.path.dirname(xs_leaflet.__file__), "data")


def cache_dir() -> Path:
    """Where derived files go: ``$ONEMAP_CACHE`` or ``data/cache``."""
    return cache_root()


def raster_tiles_url() -> str:
    """URL prefix of the raster tile route, as the map's frame sees it (ends with ``/``)."""
    return f"{ROOT}{paths.TILES}/"


@lru_cache(maxsize=1)
def site_payload_files() -> PayloadFiles | None:
    """Where large maps put their site payloads (served by ``files/sites/``); None when the folder is not writable."""
    folder = cache_dir() / "sites"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("site payloads stay inline: %s not writable (%r)", folder, exc)
        return None
    if not os.access(folder, os.W_OK):
        log.warning("site payloads stay inline: %s not writable", folder)
        return None
    return PayloadFiles(folder, f"{ROOT}{paths.SITES}/")


@lru_cache(maxsize=1)
def map_assets() -> MapAssets:
    """Register Leaflet's route (once per process) and return where the map's frame finds everything."""
    leaflet = components.declare_component("onemap_leaflet", path=_leaflet_dir())
    version = base_version(BASE_DATA_DIR)
    try:
        write_display_copies(BASE_DATA_DIR, frame_dir(BASE_DATA_DIR, cache_dir(), "gcj02"), "gcj02")
        gcj_url = f"{ROOT}{paths.BASE}/gcj02/{version}/"
    except OSError as exc:  # a read-only install: GCJ-02 basemaps are then not offered (ui.basemap)
        log.warning("no GCJ-02 copies of the base geography in %s: %r", cache_dir(), exc)
        gcj_url = ""
    return MapAssets(
        leaflet_js=f"../{leaflet.name}/leaflet.js",
        leaflet_css=f"../{leaflet.name}/leaflet.css",
        base_data_url=f"{ROOT}{paths.BASE}/wgs84/{version}/",
        gcj02_base_url=gcj_url,
    )
