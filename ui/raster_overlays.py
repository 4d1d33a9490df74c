"""Raster overlays for a map of this session: the store's layers, their pyramids ready, as RasterOverlay."""

from __future__ import annotations

import logging

import streamlit as st

from geo.errors import OneMapError
from geo.mapbuild import RasterOverlay
from geo.rasterlayers import ensure_pyramid, overlay_for, pyramid_dir
from ui.assets import raster_cache_dir, raster_tiles_url
from ui.i18n import lang, t
from ui.session import APP_READER

log = logging.getLogger(__name__)


def raster_overlays(store, frame: str) -> list[RasterOverlay]:
    """Every raster layer, its tiles rendered for ``frame`` (with a progress bar the first time).

    A layer whose tiles cannot be made is left off the map with a warning
    naming it; the others still show.
    """
    try:
        layers = store.list_rasters(APP_READER)
    except OneMapError as exc:
        st.warning(exc.message(lang()))
        return []
    out = []
    for layer in layers:
        first_time = not (pyramid_dir(raster_cache_dir(), layer, frame) / "tiles.json").exists()
        try:
            if first_time:
                bar = st.progress(0.0, text=t("raster_rendering", name=layer.label(lang())))
                tiles = ensure_pyramid(store, layer, frame, raster_cache_dir(),
                                       progress=lambda done, total: bar.progress(done / max(total, 1)))
                bar.empty()
            else:
                tiles = ensure_pyramid(store, layer, frame, raster_cache_dir())
        except OneMapError as exc:
            log.warning("raster %s: %s (cause: %r)", layer.raster_id, exc.en, exc.__cause__)
            st.warning(t("raster_failed", name=layer.label(lang())) + exc.message(lang()))
            continue
        except OSError as exc:  # cache folder not writable, disk full ...
            log.warning("raster %s: %r", layer.raster_id, exc)
            st.warning(t("raster_failed", name=layer.label(lang())) + str(exc))
            continue
        out.append(overlay_for(layer, tiles, raster_tiles_url(), lang(), synthetic_note=t("raster_synthetic")))
    return out
