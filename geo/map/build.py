"""Build the one map with folium, offline, escaped and light (pure: no Streamlit).

The map is a constant *base* (offline basemap from the shipped geography,
legend, sample badge) plus one feature group per site kind. In the app the
base stays identical between reruns and the site groups go through
streamlit-folium's ``feature_group_to_add``, so filtering or clicking does not
remount the map.

Choices that matter:

* No CDN: Leaflet's JS/CSS URLs are given by the caller (:class:`MapAssets`),
  served by the app itself. folium's defaults (jsdelivr, cdnjs, jQuery,
  Bootstrap) are replaced wholesale.
* Sites are one canvas layer per kind (:mod:`geo.map.sitelayer`): compact
  arrays (ids, escaped names, status indices into a colour table, quantised
  delta-encoded geometry), drawn, aggregated and hit-tested in the browser.
  Names are HTML-escaped before they reach a tooltip, and every text is put
  in the DOM with ``textContent``.
* A click is highlighted in the browser; the server only learns the id.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import folium
from branca.element import Element, MacroElement
from jinja2 import Template
from shapely.geometry import mapping

from geo.map import scripts, sitelayer, templates
from geo.map.basemaps import OFFLINE, Basemap
from geo.map.display import geometry_to_display, round_coords, to_display
from layers import REGISTRY
from layers.spec import LayerSpec

templates.install()  # folium compiles the same templates on every render: once is enough

FUQING_CENTER_LATLON = (25.58, 119.37)
SEA_COLOR = "#cfe2ee"
LAND_COLOR = "#f4f1ea"
COORD_DECIMALS = 6


@dataclass(frozen=True)
class MapAssets:
    """Where the browser gets Leaflet and the base geography from.

    Attributes
    ----------
    leaflet_js, leaflet_css : str
        URLs of Leaflet 1.9.3 (same-origin in the app).
    base_data_url : str
        URL prefix of the shipped base geography files (``land.geojson`` ...),
        ending with ``/``.
    """

    leaflet_js: str
    leaflet_css: str
    base_data_url: str
    gcj02_base_url: str = ""

    def base_url(self, frame: str) -> str:
        """Where the base geography drawn in display ``frame`` lives (GCJ-02 copies for Gaode)."""
        if frame == "wgs84":
            return self.base_data_url
        if frame == "gcj02" and self.gcj02_base_url:
            return self.gcj02_base_url
        raise ValueError(f"no base geography URL for display frame {frame!r}")


@dataclass(frozen=True)
class Label:
    """A text label on the basemap (town seat, bay name)."""

    lon: float
    lat: float
    text: str
    css_class: str = "onemap-town"
    min_zoom: int = 0


def base_labels(lang: str = "zh") -> list[Label]:
    """Town/street and bay names for the offline basemap (streets from zoom 12, towns 10, bays 9)."""
    from geo import basegeo, towns

    zh = lang == "zh"
    labels = [Label(tw.lon, tw.lat, tw.name_zh if zh else tw.name_en, min_zoom=12 if tw.kind == "street" else 10)
              for tw in towns.all_towns() if tw.kind != "farm"]
    labels += [Label(b.lon, b.lat, b.name_zh if zh else b.name_en, "onemap-bay", 9) for b in basegeo.bay_labels()]
    return labels


class _Call(MacroElement):
    """``OneMap.<function>(parent, *args)`` in the map's script, the arguments as JSON.

    The functions live in ``geo/map/static/*.js`` (see :mod:`geo.map.scripts`);
    ``with_map`` passes the map itself after the parent (a group's raster needs it).
    """

    _template = Template(
        "{% macro script(this, kwargs) %}var {{ this.get_name() }} = OneMap.{{ this.function }}("
        "{{ this._parent.get_name() }}{% if this.map_name %}, {{ this.map_name }}{% endif %}"
        "{% for a in this.args %}, {{ a|tojson }}{% endfor %});{% endmacro %}")

    def __init__(self, function: str, *args, map_name: str | None = None):
        super().__init__()
        self._name = "OneMapCall"
        self.function = function
        self.args = args
        self.map_name = map_name


class _Helpers(MacroElement):
    """The ``OneMap`` helpers, once per map, before anything calls them."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self):
        super().__init__()
        self._name = "OneMapHelpers"
        self.code = scripts.helpers()






#: How the shipped base geography is drawn (the offline basemap; online basemaps draw only the boundary).
BASE_STYLES = {
    "land": {"color": "#c9c2b1", "weight": 0.6, "fillColor": LAND_COLOR, "fillOpacity": 1.0},
    "neighbours": {"color": "#9e9e9e", "weight": 0.8, "fill": False, "dashArray": "3 3"},
    "boundary": {"color": "#5d4037", "weight": 2.2, "fill": False, "dashArray": "8 4 2 4"},
}


def basemap_config(base_url: str, *, basemap: Basemap = OFFLINE, tianditu_key: str | None = None, lang: str = "zh",
                   labels: Sequence[Label] = (), attribution: str = "",
                   clip_bounds: tuple[float, float, float, float] = (119.0, 25.2, 119.9, 26.0)) -> dict:
    """The argument of ``OneMap.basemap(map, cfg)`` (``static/basemap.js``): plain JSON data.

    ``base_url`` is where the base geography files of ``basemap.display`` are
    (ending with ``/``); the offline field client passes its own.
    """
    credit = " · ".join(c for c in (basemap.attribution(lang), attribution) if c)
    return dict(
        base_url=base_url,
        styles=BASE_STYLES,
        tiles=basemap.tile_layers(tianditu_key) if basemap.online else [],
        frame=basemap.display,
        basemap_key=basemap.key,
        basemap_label=("底图：" if lang == "zh" else "Basemap: ") + basemap.label(lang),
        labels=[] if basemap.online else [
            {"lon": lab.lon, "lat": lab.lat, "text": lab.text, "cls": lab.css_class, "min_zoom": lab.min_zoom}
            for lab in labels],
        clip=list(clip_bounds),
        sea=SEA_COLOR,
        attribution=html.escape(credit),  # Leaflet puts attributions in as HTML
        fullscreen_title="全屏 Fullscreen",
        scale_units={"m": "米", "km": "公里"} if lang == "zh" else {"m": "m", "km": "km"},
    )


def build_base_map(
    assets: MapAssets,
    *,
    basemap: Basemap = OFFLINE,
    tianditu_key: str | None = None,
    lang: str = "zh",
    labels: Sequence[Label] = (),
    attribution: str = "",
    sample_badge: str | None = None,
    legend_title: str = "图例",
    legend: dict | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    clip_bounds: tuple[float, float, float, float] = (119.0, 25.2, 119.9, 26.0),
    height: str = "100%",
) -> folium.Map:
    """The constant part of the map: offline basemap, labels, legend, badge.

    Parameters
    ----------
    assets : MapAssets
        Same-origin URLs of Leaflet and of the base geography.
    basemap : Basemap
        What is drawn under the overlays (default the offline one: the
        shipped land, sea and county outline). An online basemap draws its
        tiles and the county outline in its display frame; overlays added
        to this map must use the same frame (``basemap.display``).
    tianditu_key : str, optional
        The ``tk`` filled into Tianditu tile URLs.
    lang : {"zh", "en"}
        Language of the legend.
    labels : sequence of Label
        Town and bay names drawn on the offline basemap (escaped: put in as
        text); online basemaps have their own and these are not drawn.
    attribution : str
        Further credits (e.g. of raster overlays), shown in the corner after
        the basemap's own (as text).
    sample_badge : str, optional
        When given, a red badge in the corner (e.g. "示例数据").
    legend : dict, optional
        Legend content replacing the default one (statuses per kind), e.g.
        :func:`category_legend` when sites are coloured by something else.
    bounds : (minx, miny, maxx, maxy), optional
        Initial view in WGS84; default Fuqing.
    clip_bounds : (minx, miny, maxx, maxy)
        Extent of the shipped land data: drawn as sea, with the land on it;
        outside it the background is a neutral "no data" grey.

    Returns
    -------
    folium.Map
        No tile layer; Leaflet loaded from ``assets`` only.
    """
    m = folium.Map(
        location=FUQING_CENTER_LATLON,
        zoom_start=10,
        tiles=None,
        prefer_canvas=True,
        control_scale=False,  # basemap.js adds a metric-only scale in the UI's language
        min_zoom=9,
        max_zoom=18,
        height=height,
        max_bounds=True,
        min_lon=clip_bounds[0],
        min_lat=clip_bounds[1],
        max_lon=clip_bounds[2],
        max_lat=clip_bounds[3],
    )
    m.default_js = [("leaflet", assets.leaflet_js)]
    m.default_css = [("leaflet_css", assets.leaflet_css)]
    m.get_root().header.add_child(Element(f"<style>{scripts.stylesheet()}</style>"), name="onemap_css")
    _Helpers().add_to(m)
    if bounds is not None:
        (minx, maxx), (miny, maxy) = to_display([bounds[0], bounds[2]], [bounds[1], bounds[3]], basemap.display)
        m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
    _Call("basemap", basemap_config(assets.base_url(basemap.display), basemap=basemap, tianditu_key=tianditu_key,
                                    lang=lang, labels=labels, attribution=attribution,
                                    clip_bounds=clip_bounds)).add_to(m)
    if legend is None:
        legend = legend_data(lang, title=legend_title, badge=sample_badge)
    _Call("legend", legend).add_to(m)
    return m


def legend_data(lang: str, *, title: str, badge: str | None, kinds: Iterable[str] | None = None) -> dict:
    """Legend content as plain data (labels are put in the DOM as text)."""
    specs = [REGISTRY[k] for k in kinds] if kinds is not None else list(REGISTRY.values())
    return {
        "title": title,
        "open": False,
        "badge": badge,
        "kinds": [
            {
                "label": spec.label(lang),
                "geometry": spec.geometry,
                "statuses": [{"label": s.label(lang), "color": s.color} for s in spec.statuses],
            }
            for spec in specs
        ],
    }


def category_legend(title: str, entries: Sequence[tuple[str, str]], *, badge: str | None = None,
                    heading: str = "", geometry: str = "point") -> dict:
    """Legend content for sites coloured by a category (overdue, evidence ...).

    Parameters
    ----------
    entries : sequence of (label, colour)
        One row per category, in display order (labels go in as text).
    """
    return {
        "title": title,
        "open": False,
        "badge": badge,
        "kinds": [{"label": heading, "geometry": geometry,
                   "statuses": [{"label": label, "color": color} for label, color in entries]}],
    }


ColorKey = sitelayer.ColorKey


def site_layer_group(
    spec: LayerSpec,
    sites: Sequence,
    *,
    lang: str = "zh",
    show: bool = True,
    colors: Mapping[str, str] | None = None,
    color_key: ColorKey | None = None,
    frame: str = "wgs84",
    files: "sitelayer.PayloadFiles | None" = None,
    inline: bool = False,
) -> folium.FeatureGroup:
    """One feature group of ``spec``'s sites, coloured by status unless told otherwise.

    The sites are one canvas layer (:mod:`geo.map.sitelayer`): compact arrays,
    drawn and hit-tested in the browser, aggregated at low zoom when there
    are very many. A click fires ``click`` with ``layer.toGeoJSON()`` giving
    ``properties.id`` (what streamlit-folium returns as
    ``last_active_drawing``). The group's name (shown in the layer control)
    is the kind's label with the number of sites.

    Parameters
    ----------
    colors : mapping of str to str, optional
        Colour per key; default the kind's status colours.
    color_key : mapping of site id to key, or callable(site) -> key, optional
        The key each site is coloured by (e.g. ``"overdue"``); default its
        status. A key missing from ``colors`` draws grey.
    frame : {"wgs84", "gcj02"}
        The basemap's display frame (``Basemap.display``): geometries are
        shifted display copies on a GCJ-02 basemap.
    files : sitelayer.PayloadFiles, optional
        Serve the sites as a file the map fetches (the script then carries
        only its URL: a rerun does not re-send the sites); the detail of
        lines and polygons goes in a file fetched when the map is zoomed in.
    inline : bool
        With ``files``: keep the overview in the script (a small map).
    """
    group = folium.FeatureGroup(name=html.escape(f"{spec.label(lang)} ({len(sites)})"), show=show)
    payload = sitelayer.encode_sites_cached(
        spec.key, sites, statuses={s.code: s.color for s in spec.statuses}, label=spec.label(lang), frame=frame,
        colors=colors, color_key=color_key)
    style = {"radius": spec.style.radius, "weight": spec.style.weight, "fill_opacity": spec.style.fill_opacity,
             "dash_array": spec.style.dash_array, "z_order": spec.style.z_order}
    sitelayer.SiteLayer(payload, style, files=files, inline=inline).add_to(group)
    return group


def site_layer_groups(
    sites_by_kind: Mapping[str, Sequence],
    *,
    lang: str = "zh",
    colors: Mapping[str, str] | None = None,
    color_key: ColorKey | None = None,
    frame: str = "wgs84",
    files: "sitelayer.PayloadFiles | None" = None,
    inline_limit: int = 1000,
) -> list[folium.FeatureGroup]:
    """Feature groups for every kind present in ``sites_by_kind``, bottom layer first (``Style.z_order``).

    ``colors``, ``color_key`` and ``frame`` apply to every kind (see :func:`site_layer_group`).
    The site layer's JavaScript travels once, with the first group. With
    ``files`` and more than ``inline_limit`` sites in all, the sites go in
    served files (see :class:`geo.map.sitelayer.PayloadFiles`); a few stay
    inline. With ``files`` the detail of lines and polygons is always a file,
    fetched only when the map is zoomed in.
    """
    specs = sorted((REGISTRY[k] for k in sites_by_kind), key=lambda s: s.style.z_order)
    total = sum(len(v) for v in sites_by_kind.values())
    groups = [site_layer_group(spec, sites_by_kind[spec.key], lang=lang, colors=colors, color_key=color_key,
                               frame=frame, files=files, inline=total <= inline_limit)
              for spec in specs]
    for group in groups[1:]:
        for child in group._children.values():
            if isinstance(child, sitelayer.SiteLayer):
                child.include_lib = False
    return groups




def view_bounds(sites: Sequence, frame: str = "wgs84", pad: float = 0.0) -> tuple[float, float, float, float] | None:
    """(minx, miny, maxx, maxy) of ``sites`` in the display ``frame`` (None without sites).

    ``sites``: :class:`~geo.store.Site` (their geometry) or :class:`~geo.store.MapSite` (their stored
    overview display geometry, read without building a shape).
    """
    import numpy as np
    import shapely

    from geo import displaygeom

    geoms, lo, hi = [], [], []
    for s in sites:
        g = getattr(s, "geometry", None)
        if g is not None:
            if not g.is_empty:
                geoms.append(g)
        elif getattr(s, "overview", None):
            a = np.frombuffer(s.overview, dtype="<i4")
            xy = a[1 + int(a[0]):].reshape(-1, 2)
            if len(xy):
                lo.append(xy.min(axis=0))
                hi.append(xy.max(axis=0))
    boxes = []
    if geoms:
        boxes.append(shapely.total_bounds(geoms))
    if lo:
        q = displaygeom.QUANT
        boxes.append(np.concatenate([np.min(lo, axis=0) / q, np.max(hi, axis=0) / q]))
    if not boxes:
        return None
    minx, miny = (min(float(b[i]) for b in boxes) for i in (0, 1))
    maxx, maxy = (max(float(b[i]) for b in boxes) for i in (2, 3))
    (x0, x1), (y0, y1) = to_display([float(minx) - pad, float(maxx) + pad], [float(miny) - pad, float(maxy) + pad],
                                    frame)
    return tuple(round(float(v), COORD_DECIMALS) for v in (x0, y0, x1, y1))


def view_group(key: str, bounds: tuple[float, float, float, float], *, max_zoom: int = 15,
               highlight: bool = False, name: str = "view") -> folium.FeatureGroup:
    """Move the map to ``bounds`` (display frame) once per ``key``: fit to filtered sites, pan to a picked site.

    The group is re-sent on every rerun (``feature_group_to_add``); the browser
    applies a key only once, so the user's own panning is not undone. With
    ``highlight`` a ring marks the middle of the bounds (a site picked from a
    list) until the next request.
    """
    group = folium.FeatureGroup(name=html.escape(name), show=True, control=False)
    _Call("view", {"key": str(key), "bounds": [round(float(v), COORD_DECIMALS) for v in bounds],
                   "max_zoom": int(max_zoom), "highlight": bool(highlight)}).add_to(group)
    return group


@dataclass(frozen=True)
class DeviceFix:
    """Where the device was for one change, and how it is drawn."""

    lon: float
    lat: float
    color: str
    text: str


def evidence_layer_group(site, fixes: Sequence[DeviceFix], *, name: str = "evidence",
                         frame: str = "wgs84") -> folium.FeatureGroup:
    """Lines from a site to where the device was for each of its changes, and a dot there.

    Each line starts at the point of the site nearest to the device (the
    distance the history records is to the site's geometry, not its centre).
    Tooltip texts are HTML-escaped here. Both ends are shifted to the
    basemap's display ``frame``.
    """
    from shapely.geometry import Point
    from shapely.ops import nearest_points

    group = folium.FeatureGroup(name=html.escape(name), show=True)
    items = []
    for fx in fixes:
        anchor = nearest_points(site.geometry, Point(fx.lon, fx.lat))[0]
        (slon, lon), (slat, lat) = to_display([anchor.x, float(fx.lon)], [anchor.y, float(fx.lat)], frame)
        items.append({
            "slon": round(float(slon), COORD_DECIMALS), "slat": round(float(slat), COORD_DECIMALS),
            "lon": round(float(lon), COORD_DECIMALS), "lat": round(float(lat), COORD_DECIMALS),
            "color": fx.color, "text": html.escape(fx.text, quote=True),
        })
    _Call("evidence", items).add_to(group)
    return group


@dataclass(frozen=True)
class RasterOverlay:
    """A raster overlay as the browser draws it: tiles the app renders on request.

    Attributes
    ----------
    key : str
        Stable id (the raster layer's id).
    label : str
        Shown in the layer control and the raster panel (as text).
    tiles_url : str
        Template ending in ``{z}/{x}/{y}.png``, same-origin.
    bounds : (minx, miny, maxx, maxy)
        Extent in the basemap's display frame: no tile is asked for outside it.
    min_zoom, max_zoom : int
        Native zooms of the tiles (0 and the raster's native zoom); Leaflet scales the deepest one beyond.
    opacity : float
        Initial opacity (the user changes it with the slider, in the browser).
    shown : bool
        Initially on.
    legend : sequence of (label, css colour), optional
        Colour ramp of single-band data, low to high.
    note : str
        A warning shown with the layer, e.g. "合成示例数据" for synthetic data.
    """

    key: str
    label: str
    tiles_url: str
    bounds: tuple[float, float, float, float]
    min_zoom: int
    max_zoom: int
    opacity: float = 0.7
    shown: bool = True
    legend: tuple[tuple[str, str], ...] = ()
    note: str = ""


# 1×1 transparent PNG: a tile with no data (answered 204) draws as nothing, not as a broken image.
_EMPTY_TILE = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhf"
               "DwAChwGA60e6kgAAAABJRU5ErkJggg==")




def add_raster_overlays(m: folium.Map, overlays: Sequence[RasterOverlay], *, title: str = "栅格图层",
                        opacity_label: str = "透明度") -> list[folium.FeatureGroup]:
    """Put raster overlays on the base map: one toggleable group each, plus a panel of opacity sliders and legends.

    They belong to the constant base (they change only when an admin edits
    them), drawn in their own pane above the basemap and below the sites.
    Opacity changes happen in the browser without a rerun. Returns the groups.
    """
    groups = []
    for o in overlays:
        group = folium.FeatureGroup(name=html.escape(o.label), show=o.shown)
        _Call("raster", {
            "key": o.key, "url": o.tiles_url, "bounds": [round(float(v), COORD_DECIMALS) for v in o.bounds],
            "min_zoom": int(o.min_zoom), "max_zoom": int(o.max_zoom), "opacity": float(o.opacity),
        }, _EMPTY_TILE, map_name=m.get_name()).add_to(group)
        group.add_to(m)
        groups.append(group)
    if overlays:
        _Call("rasterPanel", {"title": title, "opacity_label": opacity_label, "items": [
            {"key": o.key, "label": o.label, "note": o.note, "opacity": float(o.opacity),
             "legend": [list(e) for e in o.legend]} for o in overlays]}).add_to(m)
    return groups




def add_town_outlines(m: folium.Map, boundaries: Mapping[str, object], *, name: str = "镇街边界",
                      frame: str = "wgs84", tolerance: float = 1e-4) -> folium.FeatureGroup | None:
    """Draw official town boundaries (imported by an admin) on the base map, as thin dashed outlines.

    Simplified for display (``tolerance`` degrees, about 10 m) and rounded to
    1e-5°; shifted to the basemap's display ``frame``. Nothing is drawn (and
    None returned) when no boundary has been imported.
    """
    if not boundaries:
        return None
    features = []
    for code, geom in sorted(boundaries.items()):
        shown = geometry_to_display(geom.simplify(tolerance, preserve_topology=True), frame)
        g = mapping(shown)
        features.append({"type": "Feature", "properties": {"code": code},
                         "geometry": {"type": g["type"], "coordinates": round_coords(g["coordinates"], 5)}})
    group = folium.FeatureGroup(name=html.escape(name), show=True)
    _Call("townOutlines", {"type": "FeatureCollection", "features": features}).add_to(group)
    group.add_to(m)
    return group




def reference_legend_entry(heading: str, entries: Sequence[tuple[str, str]]) -> dict:
    """A legend block for the reference areas (outlines) and what is left uncovered (shaded)."""
    return {"label": heading, "geometry": "polygon",
            "statuses": [{"label": label, "color": color} for label, color in entries]}


#: Colour of the parts of the built-up area and near suburbs no zone in force covers.
UNCOVERED_COLOR = "#d7301f"


def add_reference_areas(m: folium.Map, areas: Sequence[tuple[str, object]], uncovered: object | None, *,
                        name: str = "参考范围", frame: str = "wgs84", tolerance: float = 1e-4) -> folium.FeatureGroup | None:
    """Draw the official reference areas as coloured dashed outlines and the uncovered parts shaded red.

    Both go under the sites and take no taps (a tap meant for a zone must reach it).

    Parameters
    ----------
    areas : sequence of (colour, geometry)
        One outline per reference area (``layers.reference`` colours), WGS84.
    uncovered : geometry or None
        What of the built-up area and near suburbs no zone in force covers, WGS84.
    frame : {"wgs84", "gcj02"}
        The basemap's display frame.
    """
    features = []
    for color, geom in areas:
        if geom is None or geom.is_empty:
            continue
        g = mapping(geometry_to_display(geom.simplify(tolerance, preserve_topology=True), frame))
        features.append({"type": "Feature", "properties": {"color": color, "uncovered": False},
                         "geometry": {"type": g["type"], "coordinates": round_coords(g["coordinates"], 5)}})
    if uncovered is not None and not uncovered.is_empty:
        g = mapping(geometry_to_display(uncovered.simplify(tolerance, preserve_topology=True), frame))
        features.append({"type": "Feature", "properties": {"color": UNCOVERED_COLOR, "uncovered": True},
                         "geometry": {"type": g["type"], "coordinates": round_coords(g["coordinates"], 5)}})
    if not features:
        return None
    group = folium.FeatureGroup(name=html.escape(name), show=True)
    _Call("referenceAreas", {"type": "FeatureCollection", "features": features}, map_name=m.get_name()).add_to(group)
    group.add_to(m)
    return group


def position_marker_group(fix: Mapping, frame: str = "wgs84", *, name: str = "position") -> folium.FeatureGroup:
    """A blue dot where the device (or the user's pick) is, with its accuracy circle.

    Parameters
    ----------
    fix : mapping
        ``lon``, ``lat`` in WGS84 and optionally ``accuracy`` in metres.
    frame : {"wgs84", "gcj02"}
        The basemap's display frame: the dot is drawn at the display copy.
    """
    lon, lat = to_display(float(fix["lon"]), float(fix["lat"]), frame)
    accuracy = fix.get("accuracy")
    group = folium.FeatureGroup(name=html.escape(name), show=True)
    _Call("position", {"lon": round(float(lon), COORD_DECIMALS), "lat": round(float(lat), COORD_DECIMALS),
                       "accuracy": float(accuracy) if accuracy else None}).add_to(group)
    return group


def render_standalone_html(m: folium.Map, groups: Sequence[folium.FeatureGroup]) -> str:
    """The whole map as one HTML page (for tests and offline viewing)."""
    for g in groups:
        g.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m.get_root().render()
