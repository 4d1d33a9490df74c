"""Basemaps: the offline one (default, needs nothing) and the online ones a deployment may enable.

One module per provider declares its basemaps as data; they are listed here
explicitly, in the order the picker shows them. :func:`available` filters
them by what is configured (:mod:`geo.map.basemaps.config`): with nothing
configured only the offline basemap is offered and no request leaves the
server.
"""

from __future__ import annotations

from types import MappingProxyType

from geo.map.basemaps import gaode, offline, osm, tianditu
from geo.map.basemaps.config import BasemapConfig, read_config
from geo.map.basemaps.spec import DISPLAY_FRAMES, NEEDS, Basemap, TileSource

BASEMAPS = MappingProxyType({b.key: b for b in (
    offline.OFFLINE,
    tianditu.VECTOR,
    tianditu.IMAGERY,
    gaode.VECTOR,
    gaode.SATELLITE,
    osm.STANDARD,
)})
OFFLINE = offline.OFFLINE

__all__ = ["BASEMAPS", "OFFLINE", "DISPLAY_FRAMES", "NEEDS", "Basemap", "BasemapConfig", "TileSource",
           "available", "choose", "read_config"]


def available(config: BasemapConfig) -> list[Basemap]:
    """The basemaps ``config`` allows, offline first."""
    return [b for b in BASEMAPS.values() if config.satisfies(b.needs)]


def choose(config: BasemapConfig, wanted: str | None) -> Basemap:
    """The basemap to draw: ``wanted`` if offered, else the configured default if offered, else offline."""
    offered = {b.key: b for b in available(config)}
    for key in (wanted, config.default):
        if key and key in offered:
            return offered[key]
    return OFFLINE
