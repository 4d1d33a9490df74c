"""The naive baseline map: what a first folium version of the one map would look like.

One ``folium.Marker`` with an HTML popup (a small attribute table) per point
site, one ``folium.GeoJson`` with full-detail geometry, every attribute as
a property, a style function and a popup per line or polygon site. No
canvas, no trimming, no rounding: folium's defaults.

Only the CDN assets are changed so that the page works offline, like the
app: Leaflet comes from the same local copy (``xstatic-leaflet``), and
jQuery, Bootstrap and the awesome-markers files are dropped. folium's popups
call jQuery's ``$(html)[0]`` to turn their HTML into an element, so the page
carries a one-line stand-in for exactly that call (cheaper than jQuery
itself: it does not slow the baseline down). Markers use Leaflet's default
icon, whose images come from the same local Leaflet folder.
"""

from __future__ import annotations

import html
import math
from typing import Iterable, Sequence

import folium
from branca.element import Element
from shapely.geometry import mapping

from layers import REGISTRY

FUQING_CENTER_LATLON = (25.58, 119.37)

#: ``$(html)[0]`` as folium's popups use it, without jQuery.
JQUERY_STANDIN = (
    "<script>window.$ = window.$ || function (s) {"
    " var t = document.createElement('template'); t.innerHTML = String(s).trim();"
    " return [t.content.firstChild]; };</script>"
)


def popup_html(site) -> str:
    """A small table of the site's attributes (labels from the layer spec), escaped."""
    spec = REGISTRY[site.kind]
    rows = [
        ("类型", spec.zh),
        ("编号", site.site_id),
        ("名称", site.name),
        ("状态", spec.status(site.status).zh),
        ("镇街", site.town_code),
        ("完成时限", site.deadline or "—"),
        ("责任单位", site.responsible or "—"),
    ]
    for fld in spec.fields:
        value = site.attrs.get(fld.name)
        if value is not None and value != "":
            rows.append((fld.zh, value))
    cells = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table class='site-popup'>{cells}</table>"


def _properties(site) -> dict:
    props = {"id": site.site_id, "kind": site.kind, "name": site.name, "status": site.status,
             "town_code": site.town_code, "deadline": site.deadline, "responsible": site.responsible}
    for key, value in site.attrs.items():
        if not (isinstance(value, float) and math.isnan(value)):
            props[key] = value
    return props


def _style(color: str):
    return lambda feature: {"color": color, "weight": 2, "fillColor": color, "fillOpacity": 0.35}


def add_site(m: folium.Map, site) -> None:
    """Add one site the naive way: a Marker for a point, a GeoJson for anything else."""
    spec = REGISTRY[site.kind]
    popup = folium.Popup(popup_html(site), max_width=320)
    tooltip = html.escape(site.name)
    geom = site.geometry
    if geom.geom_type == "Point":
        folium.Marker([geom.y, geom.x], popup=popup, tooltip=tooltip).add_to(m)
        return
    color = spec.status(site.status).color
    feature = {"type": "Feature", "geometry": mapping(geom), "properties": _properties(site)}
    folium.GeoJson(feature, popup=popup, tooltip=tooltip, style_function=_style(color)).add_to(m)


def naive_map(sites: Iterable, *, leaflet_js: str, leaflet_css: str) -> folium.Map:
    """The naive map of ``sites`` with Leaflet from the given (local) URLs and no other outside file.

    Parameters
    ----------
    sites : iterable of Site or NewSite
    leaflet_js, leaflet_css : str
        URLs of Leaflet 1.9.3 (the same local copy the app serves).
    """
    m = folium.Map(location=FUQING_CENTER_LATLON, zoom_start=10, tiles=None, control_scale=True)
    m.default_js = [("leaflet", leaflet_js)]
    m.default_css = [("leaflet_css", leaflet_css)]
    m.get_root().header.add_child(Element(JQUERY_STANDIN), name="jquery_standin")
    for site in sites:
        add_site(m, site)
    return m


def naive_map_html(sites: Sequence, *, leaflet_js: str, leaflet_css: str) -> str:
    """The naive map as one standalone HTML page."""
    return naive_map(sites, leaflet_js=leaflet_js, leaflet_css=leaflet_css).get_root().render()
