"""The session's basemap: what the deployment offers, what the user picked, and the picker.

The choice lives in ``st.session_state["basemap"]`` so every map of the app
(one map, review, inspection, import preview) draws the same basemap. With
nothing configured only the offline basemap exists and no picker is shown.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from geo.errors import Text
from geo.map.basemaps import Basemap, BasemapConfig, available, choose
from ui.assets import map_assets
from ui.i18n import lang, t
from ui.session import current_actor
from ui.settings import app_settings

CHOICE = "basemap"


def basemap_config() -> BasemapConfig:
    """The basemaps the deployment offers (:func:`ui.settings.app_settings`).

    GCJ-02 basemaps (Gaode) are left out when the app could not write the
    GCJ-02 copies of its base geography (a read-only install).
    """
    config = app_settings().basemaps
    if "gaode" in config.enabled and not map_assets().gcj02_base_url:
        config = dataclasses.replace(config, enabled=config.enabled - {"gaode"}, problems=config.problems + (Text(
            zh="已启用高德底图，但缓存目录（ONEMAP_CACHE）不可写，高德底图未启用。",
            en="Gaode is enabled but the cache folder (ONEMAP_CACHE) is not writable: it stays off."),))
    return config


def current_basemap() -> Basemap:
    """The basemap every map of this session draws."""
    return choose(basemap_config(), st.session_state.get(CHOICE))


def map_options() -> dict:
    """Keyword arguments for :func:`geo.map.build.build_base_map`: the basemap and its key."""
    config = basemap_config()
    return {"basemap": choose(config, st.session_state.get(CHOICE)), "tianditu_key": config.tianditu_key}


def basemap_picker(key: str) -> Basemap:
    """A basemap selectbox (only when more than one is offered); returns the basemap to draw.

    Admins also see the settings that were ignored (a malformed key ...).
    """
    config = basemap_config()
    if current_actor().role == "admin":  # the shell lists every other ignored setting
        for text in config.problems[len(app_settings().basemaps.problems):]:
            st.warning(t("basemap_problem") + text(lang()))
    offered = available(config)
    chosen = choose(config, st.session_state.get(CHOICE))
    if len(offered) > 1:
        keys = [b.key for b in offered]
        by_key = {b.key: b for b in offered}
        picked = st.selectbox(t("basemap"), keys, index=keys.index(chosen.key),
                              format_func=lambda k: by_key[k].label(lang()), help=t("basemap_help"), key=key)
        if picked != chosen.key:
            st.session_state[CHOICE] = picked
            chosen = by_key[picked]
        else:
            st.session_state[CHOICE] = chosen.key
    return chosen
