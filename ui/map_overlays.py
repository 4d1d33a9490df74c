"""What the app's maps draw from the store besides sites: raster overlays (pyramids ready) and town outlines."""

from __future__ import annotations

import logging

import streamlit as st

from geo.errors import OneMapError
from geo.map.build import RasterOverlay
from geo.raster.overlays import ensure_pyramid, overlay_for, pyramid_dir, pyramid_root
from ui.assets import raster_tiles_url
from ui.i18n import lang, t
from ui.session import APP_READER, get_store, md_escape

log = logging.getLogger(__name__)


def raster_overlays(store, frame: str) -> list[RasterOverlay]:
    """Every raster layer, its tiles rendered for ``frame`` (with a progress bar the first time).

    A layer whose tiles cannot be made is left off the map with a warning
    naming it; the others still show. Everything this draws goes into one
    ``st.empty`` slot, so the page's element tree is the same whether or not
    a pyramid had to be rendered (a shifted tree would remount the map).
    """
    slot = st.empty()
    problems: list[str] = []
    try:
        layers = store.list_rasters(APP_READER)
    except OneMapError as exc:
        slot.warning(exc.message(lang()))
        return []
    out = []
    for layer in layers:
        first_time = not (pyramid_dir(pyramid_root(), layer, frame) / "tiles.json").exists()
        try:
            if first_time:
                bar = slot.progress(0.0, text=t("raster_rendering", name=md_escape(layer.label(lang()))))
                tiles = ensure_pyramid(store, layer, frame, pyramid_root(),
                                       progress=lambda done, total: bar.progress(done / max(total, 1)))
            else:
                tiles = ensure_pyramid(store, layer, frame, pyramid_root())
        except OneMapError as exc:
            log.warning("raster %s: %s (cause: %r)", layer.raster_id, exc.en, exc.__cause__)
            problems.append(t("raster_failed", name=md_escape(layer.label(lang()))) + md_escape(exc.message(lang())))
            continue
        except OSError as exc:  # cache folder not writable, disk full ...
            log.warning("raster %s: %r", layer.raster_id, exc)
            problems.append(t("raster_failed", name=md_escape(layer.label(lang()))) + md_escape(str(exc)))
            continue
        out.append(overlay_for(layer, tiles, raster_tiles_url(), lang(), synthetic_note=t("raster_synthetic")))
    if problems:
        slot.warning("\n\n".join(problems))
    else:
        slot.empty()
    return out


def town_outlines() -> dict:
    """The official town boundaries an admin imported (town code -> geometry); empty when none or unreadable."""
    try:  # a few dozen polygons: read each run (an import of boundaries does not move data_version)
        return get_store().town_boundaries(APP_READER)
    except OneMapError as exc:
        log.warning("town boundaries: %s", exc.en)
        return {}
