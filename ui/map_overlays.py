"""What the app's maps draw from the store besides sites: raster overlays and town outlines."""

from __future__ import annotations

import logging

import streamlit as st

from geo.errors import OneMapError
from geo.map.build import RasterOverlay
from geo.raster.overlays import overlay_for, resolved_style
from ui.assets import raster_tiles_url
from ui.i18n import lang, t
from ui.session import APP_READER, get_store, md_escape

log = logging.getLogger(__name__)


def raster_overlays(store, frame: str) -> list[RasterOverlay]:
    """Every raster layer as the map draws it in display ``frame`` (tiles come from the tile route, on request).

    Nothing is rendered here: the value range of a layer without one is read
    from an overview once and remembered. A layer whose file cannot be read
    is left off the map with a warning naming it; the others still show.
    Everything this draws goes into one ``st.empty`` slot, so the page's
    element tree is the same whether or not there was a warning (a shifted
    tree would remount the map).
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
        try:
            style = resolved_style(store.raster_path(layer), layer)
        except OneMapError as exc:
            log.warning("raster %s: %s (cause: %r)", layer.raster_id, exc.en, exc.__cause__)
            problems.append(t("raster_failed", name=md_escape(layer.label(lang()))) + md_escape(exc.message(lang())))
            continue
        except Exception as exc:  # noqa: BLE001 - file missing or unreadable (rasterio's own errors)
            log.warning("raster %s: %r", layer.raster_id, exc)
            problems.append(t("raster_failed", name=md_escape(layer.label(lang()))) + md_escape(str(exc)))
            continue
        out.append(overlay_for(layer, style, raster_tiles_url(), lang(), frame=frame,
                               synthetic_note=t("raster_synthetic")))
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
