"""Serve Leaflet, the base geography and raster tiles from the app itself (no CDN, no internet).

Streamlit serves a declared component's folder at ``/component/<name>/...``
with a proper JavaScript MIME type and ``Cache-Control: public`` (its static
folder would serve ``.js`` as text/plain with nosniff, which browsers refuse
to run; ``data:`` URLs would be re-sent on every rerun). We declare one
component per folder and never render it: the declaration alone registers
the route. URLs are relative to streamlit-folium's own iframe, which lives
under ``/component/`` too, so they work behind any ``server.baseUrlPath``.

The GCJ-02 display copies of the base geography (for the Gaode basemap) are
derived from ``data/base`` into ``data/cache`` on first use.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import streamlit.components.v1 as components
import xstatic.pkg.leaflet as xs_leaflet

from geo.map.display import geojson_to_display
from geo.map.build import MapAssets
from geo.raster.overlays import cache_root, pyramid_root
from geo.map.sitelayer import PayloadFiles

log = logging.getLogger(__name__)
BASE_DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "base"
#: Base files an online basemap still draws (the county outline); shifted for GCJ-02 basemaps.
SHIFTED_FILES = ("fuqing_boundary.geojson", "land.geojson", "neighbours.geojson")


def _leaflet_dir() -> str:
    return os.path.join(os.path.dirname(xs_leaflet.__file__), "data")


def cache_dir() -> Path:
    """Where derived files go: ``$ONEMAP_CACHE`` or ``data/cache``."""
    return cache_root()


def write_display_copies(src_dir: Path, dst_dir: Path, frame: str) -> Path:
    """Write display-frame copies of the base files into ``dst_dir`` (only those missing or stale)."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    for name in SHIFTED_FILES:
        src, dst = src_dir / name, dst_dir / name
        if dst.exists() and dst.stat().st_mtime >= src.stat().st_mtime:
            continue
        data = geojson_to_display(json.loads(src.read_text(encoding="utf-8")), frame)
        fd, tmp = tempfile.mkstemp(dir=dst_dir, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        os.chmod(tmp, 0o644)
        os.replace(tmp, dst)
    return dst_dir


@lru_cache(maxsize=1)
def raster_tiles_url() -> str:
    """Register the route serving raster tile pyramids; return its URL prefix (ends with ``/``)."""
    folder = pyramid_root()
    folder.mkdir(parents=True, exist_ok=True)
    return f"../{components.declare_component('onemap_rasters', path=str(folder)).name}/"


@lru_cache(maxsize=1)
def site_payload_files() -> PayloadFiles | None:
    """Register the route serving site payload files (large maps); None when the cache folder is not writable."""
    folder = cache_dir() / "sites"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("site payloads stay inline: %s not writable (%r)", folder, exc)
        return None
    if not os.access(folder, os.W_OK):
        log.warning("site payloads stay inline: %s not writable", folder)
        return None
    return PayloadFiles(folder, f"../{components.declare_component('onemap_sites', path=str(folder)).name}/")


@lru_cache(maxsize=1)
def map_assets() -> MapAssets:
    """Register the asset routes (once per process) and return their URLs."""
    leaflet = components.declare_component("onemap_leaflet", path=_leaflet_dir())
    base = components.declare_component("onemap_base", path=str(BASE_DATA_DIR))
    try:
        gcj = write_display_copies(BASE_DATA_DIR, cache_dir() / "base-gcj02", "gcj02")
        gcj_url = f"../{components.declare_component('onemap_base_gcj02', path=str(gcj)).name}/"
    except OSError as exc:  # a read-only install: GCJ-02 basemaps are then not offered (ui.basemap)
        log.warning("no GCJ-02 copies of the base geography in %s: %r", cache_dir(), exc)
        gcj_url = ""
    return MapAssets(
        leaflet_js=f"../{leaflet.name}/leaflet.js",
        leaflet_css=f"../{leaflet.name}/leaflet.css",
        base_data_url=f"../{base.name}/",
        gcj02_base_url=gcj_url,
    )
