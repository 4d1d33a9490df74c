"""What a basemap is: tile sources, the coordinate frame it is drawn in, what it needs.

A :class:`Basemap` is plain data. The offline one has no tiles (the app draws
the shipped geography); every online one lists its XYZ tile sources. The
*display frame* says in which coordinates the tiles are drawn: ``"wgs84"``
(Tianditu, OpenStreetMap, the offline map; overlays line up as stored) or
``"gcj02"`` (Gaode: every overlay is shifted for display, every clicked
position shifted back, see :mod:`geo.map.display`).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Display frames a basemap can be drawn in.
DISPLAY_FRAMES = ("wgs84", "gcj02")
#: What an online basemap needs before it is offered (see :class:`geo.map.basemaps.config.BasemapConfig`).
NEEDS = ("nothing", "tianditu_key", "gaode", "osm")


@dataclass(frozen=True)
class TileSource:
    """One XYZ tile layer of a basemap.

    Attributes
    ----------
    url : str
        Template with ``{z}``, ``{x}``, ``{y}``, optionally ``{s}`` (one of
        ``subdomains``) and ``{tk}`` (the Tianditu key, filled in by
        :meth:`Basemap.tile_layers`).
    subdomains : str
        The characters ``{s}`` takes, e.g. ``"01234567"``.
    max_native_zoom : int
        The deepest zoom the service has tiles for; Leaflet scales beyond it.
    labels : bool
        An annotation layer (place names) drawn above the overlays' fill.
    """

    url: str
    subdomains: str = ""
    max_native_zoom: int = 18
    labels: bool = False


@dataclass(frozen=True)
class Basemap:
    """A basemap the user can pick.

    Attributes
    ----------
    key : str
        Stable ASCII code (``offline``, ``tianditu_vec`` ...), used in URLs and settings.
    label_zh, label_en : str
        Shown in the picker and in the map's corner.
    display : {"wgs84", "gcj02"}
        The frame its tiles are drawn in.
    needs : str
        One of :data:`NEEDS`: what must be configured before it is offered.
    tiles : tuple of TileSource
        Empty for the offline basemap.
    attribution_zh, attribution_en : str
        Required credit, shown (as text) in the map's corner.
    draws_shipped_land : bool
        Draw the shipped land/sea polygons (only when no tiles show the land).
    """

    key: str
    label_zh: str
    label_en: str
    display: str
    needs: str
    tiles: tuple[TileSource, ...] = ()
    attribution_zh: str = ""
    attribution_en: str = ""
    draws_shipped_land: bool = False

    @property
    def online(self) -> bool:
        """Whether the browser fetches tiles from outside the app."""
        return bool(self.tiles)

    def label(self, lang: str) -> str:
        """The name in ``lang`` (``zh`` or ``en``)."""
        return self.label_zh if lang == "zh" else self.label_en

    def attribution(self, lang: str) -> str:
        """The credit in ``lang`` (``zh`` or ``en``)."""
        return self.attribution_zh if lang == "zh" else self.attribution_en

    def tile_layers(self, tianditu_key: str | None = None) -> list[dict]:
        """The tile layers as plain data for the browser: url, subdomains, zooms, labels flag.

        Parameters
        ----------
        tianditu_key : str, optional
            Filled into ``{tk}``; required when a URL has it.
        """
        out = []
        for src in self.tiles:
            url = src.url
            if "{tk}" in url:
                if not tianditu_key:
                    raise ValueError(f"basemap {self.key!r} needs a Tianditu key")
                url = url.replace("{tk}", tianditu_key)
            out.append({"url": url, "subdomains": src.subdomains, "max_native_zoom": src.max_native_zoom,
                        "labels": src.labels})
        return out
