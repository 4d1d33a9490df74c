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

from geo.map import sitelayer
from geo.map.basemaps import OFFLINE, Basemap
from geo.map.display import geometry_to_display, round_coords, to_display
from layers import REGISTRY
from layers.spec import LayerSpec

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


class _Js(MacroElement):
    """A MacroElement whose script is a jinja template with ``this``."""

    def __init__(self, script: str, **values):
        super().__init__()
        self._name = "OneMapJs"
        for key, value in values.items():
            setattr(self, key, value)
        self._template = Template("{% macro script(this, kwargs) %}" + script + "{% endmacro %}")


_BASEMAP_JS = """
(function(map) {
  // Focusing the map on a tap must not scroll the page (the tap would land
  // somewhere else on a partly visible map).
  var box = map.getContainer();
  box.focus = function() { HTMLElement.prototype.focus.call(box, {preventScroll: true}); };
  if (!map.getPane('onemapBase')) {
    map.createPane('onemapBase').style.zIndex = 250;
    map.createPane('onemapLabels').style.zIndex = 450;
    map.getPane('onemapLabels').style.pointerEvents = 'none';
  }
  var base = {{ this.base_url|tojson }};
  var clip = {{ this.clip|tojson }};
  var styles = {{ this.styles|tojson }};
  var tiles = {{ this.tiles|tojson }};
  function load(file, style) {
    fetch(base + file).then(function(r) { return r.ok ? r.json() : null; }).then(function(d) {
      if (d) { L.geoJSON(d, {pane: 'onemapBase', interactive: false, style: style}).addTo(map); }
    }).catch(function(e) { console.warn('basemap ' + file + ': ' + e); });
  }
  if (tiles.length) {
    // An online basemap: its tiles, with the annotation layer above the overlays' fill.
    if (!map.getPane('onemapTileLabels')) {
      map.createPane('onemapTileLabels').style.zIndex = 420;
      map.getPane('onemapTileLabels').style.pointerEvents = 'none';
    }
    tiles.forEach(function(t) {
      L.tileLayer(t.url, {subdomains: t.subdomains || 'abc', maxNativeZoom: t.max_native_zoom, maxZoom: 18,
                          pane: t.labels ? 'onemapTileLabels' : 'tilePane', crossOrigin: false}).addTo(map);
    });
  } else {
    L.rectangle([[clip[1], clip[0]], [clip[3], clip[2]]],
                {pane: 'onemapBase', interactive: false, stroke: false, fillColor: {{ this.sea|tojson }}, fillOpacity: 1}
    ).addTo(map);
    load('land.geojson', styles.land);
    load('neighbours.geojson', styles.neighbours);
  }
  load('fuqing_boundary.geojson', styles.boundary);
  var frame = {{ this.frame|tojson }};
  map.onemapFrame = frame;
  var labels = {{ this.labels|tojson }};
  var markers = labels.map(function(l) {
    var el = document.createElement('span');
    el.textContent = l.text;
    return [l, L.marker([l.lat, l.lon], {
      pane: 'onemapLabels', interactive: false, keyboard: false,
      icon: L.divIcon({className: 'onemap-label ' + l.cls, html: el.outerHTML, iconSize: null})
    })];
  });
  function showLabels() {
    var z = map.getZoom();
    markers.forEach(function(p) {
      if (z >= p[0].min_zoom) { if (!map.hasLayer(p[1])) { p[1].addTo(map); } }
      else if (map.hasLayer(p[1])) { map.removeLayer(p[1]); }
    });
  }
  map.on('zoomend', showLabels);
  showLabels();
  // Fullscreen: tablets need the whole screen for the map; the iframe allows it.
  if (document.fullscreenEnabled) {
    var fs = L.control({position: 'topleft'});
    fs.onAdd = function() {
      var a = L.DomUtil.create('a', 'leaflet-bar onemap-fullscreen');
      a.href = '#'; a.setAttribute('role', 'button'); a.title = {{ this.fullscreen_title|tojson }};
      a.setAttribute('aria-label', a.title);
      // Four corner marks drawn as SVG: no icon font, no glyph a tablet might lack.
      var ns = 'http://www.w3.org/2000/svg';
      var svg = document.createElementNS(ns, 'svg');
      svg.setAttribute('viewBox', '0 0 24 24'); svg.setAttribute('width', '22'); svg.setAttribute('height', '22');
      svg.style.verticalAlign = 'middle';
      var path = document.createElementNS(ns, 'path');
      path.setAttribute('d', 'M3 9V3h6M15 3h6v6M21 15v6h-6M9 21H3v-6');
      path.setAttribute('fill', 'none'); path.setAttribute('stroke', '#333'); path.setAttribute('stroke-width', '2.4');
      svg.appendChild(path); a.appendChild(svg);
      L.DomEvent.on(a, 'click', function(e) {
        L.DomEvent.preventDefault(e);
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else { box.requestFullscreen(); }
      });
      L.DomEvent.disableClickPropagation(a);
      return a;
    };
    fs.addTo(map);
    document.addEventListener('fullscreenchange', function() { map.invalidateSize(); });
  }
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution({{ this.attribution|tojson }});
  // Which basemap is on, always visible (its credit is in the attribution).
  var bm = L.control({position: 'bottomright'});
  bm.onAdd = function() {
    var el = L.DomUtil.create('div', 'onemap-basemap-name');
    el.textContent = {{ this.basemap_label|tojson }};
    el.setAttribute('data-basemap', {{ this.basemap_key|tojson }});
    el.setAttribute('data-frame', frame);
    return el;
  };
  bm.addTo(map);
})({{ this._parent.get_name() }});
"""

_LEGEND_JS = """
(function(map) {
  var data = {{ this.legend|tojson }};
  var ctl = L.control({position: 'bottomleft'});
  ctl.onAdd = function() {
    var box = L.DomUtil.create('details', 'onemap-legend');
    box.open = data.open;
    var sum = L.DomUtil.create('summary', '', box);
    sum.textContent = data.title;
    data.kinds.forEach(function(k) {
      var h = L.DomUtil.create('div', 'onemap-legend-kind', box);
      h.textContent = k.label;
      k.statuses.forEach(function(s) {
        var row = L.DomUtil.create('div', 'onemap-legend-row', box);
        var sw = L.DomUtil.create('span', 'onemap-swatch onemap-swatch-' + k.geometry, row);
        sw.style.background = s.color;
        var t = L.DomUtil.create('span', '', row);
        t.textContent = s.label;
      });
    });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  ctl.addTo(map);
  if (data.badge) {
    var b = L.control({position: 'topright'});
    b.onAdd = function() {
      var el = L.DomUtil.create('div', 'onemap-badge');
      el.textContent = data.badge;
      return el;
    };
    b.addTo(map);
  }
})({{ this._parent.get_name() }});
"""

_CSS = """
<style>
.leaflet-container { background: #e6e6e6; font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; }
.onemap-label span { white-space: nowrap; font-size: 12px; color: #4a4a4a;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; transform: translate(-50%, -50%); display: inline-block; }
.onemap-label.onemap-bay span { font-size: 14px; color: #2b5d7d; font-style: italic; letter-spacing: 0.3em; }
.onemap-legend { background: rgba(255,255,255,0.93); padding: 6px 10px; border-radius: 6px; font-size: 13px;
  max-height: 55vh; overflow-y: auto; box-shadow: 0 1px 4px rgba(0,0,0,0.3); }
.onemap-legend summary { cursor: pointer; font-weight: 600; min-height: 28px; line-height: 28px; }
.onemap-legend-kind { font-weight: 600; margin-top: 6px; }
.onemap-legend-row { display: flex; align-items: center; gap: 6px; line-height: 20px; }
.onemap-swatch { display: inline-block; width: 14px; height: 14px; border: 1px solid #333; }
.onemap-swatch-point { border-radius: 50%; }
.onemap-swatch-line, .onemap-swatch-line_or_polygon { height: 5px; border: none; }
.leaflet-control-attribution { font-size: 10px; }
.onemap-fullscreen { display: block; width: 44px; height: 44px; line-height: 44px; text-align: center;
  font-size: 22px; background: #fff; color: #333; text-decoration: none; }
.leaflet-touch .leaflet-bar a { width: 44px; height: 44px; line-height: 44px; }
.onemap-rasters { max-width: 240px; }
.onemap-raster-note { color: #b71c1c; font-weight: 600; font-size: 12px; }
.onemap-opacity { width: 120px; min-height: 28px; }
.onemap-ramp { height: 10px; border: 1px solid #555; margin-top: 4px; }
.onemap-ramp-ticks { display: flex; justify-content: space-between; font-size: 11px; gap: 4px; }
.onemap-basemap-name { background: rgba(255,255,255,0.85); padding: 1px 6px; border-radius: 3px; font-size: 11px;
  color: #333; margin-bottom: 0 !important; }
.onemap-badge { background: #b71c1c; color: #fff; font-weight: 700; padding: 4px 10px; border-radius: 4px;
  font-size: 14px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); }
</style>
"""


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
        control_scale=True,
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
    m.get_root().header.add_child(Element(_CSS), name="onemap_css")
    if bounds is not None:
        (minx, maxx), (miny, maxy) = to_display([bounds[0], bounds[2]], [bounds[1], bounds[3]], basemap.display)
        m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
    styles = {
        "land": {"color": "#c9c2b1", "weight": 0.6, "fillColor": LAND_COLOR, "fillOpacity": 1.0},
        "neighbours": {"color": "#9e9e9e", "weight": 0.8, "fill": False, "dashArray": "3 3"},
        "boundary": {"color": "#5d4037", "weight": 2.2, "fill": False, "dashArray": "8 4 2 4"},
    }
    frame = basemap.display
    credit = " · ".join(c for c in (basemap.attribution(lang), attribution) if c)
    _Js(
        _BASEMAP_JS,
        base_url=assets.base_url(frame),
        styles=styles,
        tiles=basemap.tile_layers(tianditu_key) if basemap.online else [],
        frame=frame,
        basemap_key=basemap.key,
        basemap_label=("底图：" if lang == "zh" else "Basemap: ") + basemap.label(lang),
        labels=[] if basemap.online else [
            {"lon": lab.lon, "lat": lab.lat, "text": lab.text, "cls": lab.css_class, "min_zoom": lab.min_zoom}
            for lab in labels],
        clip=list(clip_bounds),
        sea=SEA_COLOR,
        attribution=html.escape(credit),  # Leaflet puts attributions in as HTML
        fullscreen_title="全屏 Fullscreen",
    ).add_to(m)
    if legend is None:
        legend = legend_data(lang, title=legend_title, badge=sample_badge)
    _Js(_LEGEND_JS, legend=legend).add_to(m)
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
        only its URL: a rerun does not re-send the sites).
    """
    group = folium.FeatureGroup(name=html.escape(f"{spec.label(lang)} ({len(sites)})"), show=show)
    payload = sitelayer.encode_sites_cached(
        spec.key, sites, statuses={s.code: s.color for s in spec.statuses}, label=spec.label(lang), frame=frame,
        colors=colors, color_key=color_key)
    style = {"radius": spec.style.radius, "weight": spec.style.weight, "fill_opacity": spec.style.fill_opacity,
             "dash_array": spec.style.dash_array, "z_order": spec.style.z_order}
    sitelayer.SiteLayer(payload, style, files=files).add_to(group)
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
    served files (see :class:`geo.map.sitelayer.PayloadFiles`); a few stay inline.
    """
    specs = sorted((REGISTRY[k] for k in sites_by_kind), key=lambda s: s.style.z_order)
    total = sum(len(v) for v in sites_by_kind.values())
    use_files = files if files is not None and total > inline_limit else None
    groups = [site_layer_group(spec, sites_by_kind[spec.key], lang=lang, colors=colors, color_key=color_key,
                               frame=frame, files=use_files)
              for spec in specs]
    for group in groups[1:]:
        for child in group._children.values():
            if isinstance(child, sitelayer.SiteLayer):
                child.include_lib = False
    return groups


_EVIDENCE_JS = """
var {{ this.get_name() }} = (function(group) {
  {{ this.items|tojson }}.forEach(function(it) {
    L.polyline([[it.slat, it.slon], [it.lat, it.lon]],
                {color: it.color, weight: 3, opacity: 0.9, dashArray: '6 5', interactive: false}).addTo(group);
    var m = L.circleMarker([it.lat, it.lon],
                           {radius: 6, color: '#222222', weight: 1.5, fillColor: it.color, fillOpacity: 1});
    m.bindTooltip(it.text, {direction: 'top'});
    m.addTo(group);
  });
  return group;
})({{ this._parent.get_name() }});
"""


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
    _Js(_EVIDENCE_JS, items=items).add_to(group)
    return group


@dataclass(frozen=True)
class RasterOverlay:
    """A raster overlay as the browser draws it: a tile pyramid served by the app.

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
        Zooms the pyramid has; Leaflet scales the deepest one beyond.
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


# 1×1 transparent PNG: a tile the pyramid skipped (all nodata) draws as nothing, not as a broken image.
_EMPTY_TILE = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhf"
               "DwAChwGA60e6kgAAAABJRU5ErkJggg==")

_RASTER_JS = """
var {{ this.get_name() }} = (function(group) {
  var o = {{ this.overlay|tojson }};
  var map = {{ this.map_name }};
  if (!map.getPane('onemapRaster')) { map.createPane('onemapRaster').style.zIndex = 350; }
  var layer = L.tileLayer(o.url, {
    pane: 'onemapRaster', opacity: o.opacity, minZoom: 0, maxZoom: 18, minNativeZoom: o.min_zoom,
    maxNativeZoom: o.max_zoom, bounds: [[o.bounds[1], o.bounds[0]], [o.bounds[3], o.bounds[2]]],
    errorTileUrl: {{ this.empty|tojson }}, className: 'onemap-raster-' + o.key
  });
  layer.addTo(group);
  window.__onemapRasters = window.__onemapRasters || {};
  window.__onemapRasters[o.key] = layer;
  return group;
})({{ this._parent.get_name() }});
"""

_RASTER_PANEL_JS = """
(function(map) {
  var items = {{ this.items|tojson }};
  var ctl = L.control({position: 'bottomright'});
  ctl.onAdd = function() {
    var box = L.DomUtil.create('details', 'onemap-legend onemap-rasters');
    box.open = false;  // opened on demand: it would cover the map on a tablet
    var sum = L.DomUtil.create('summary', '', box);
    sum.textContent = {{ this.title|tojson }};
    items.forEach(function(it) {
      var h = L.DomUtil.create('div', 'onemap-legend-kind', box);
      h.textContent = it.label;
      if (it.note) { var n = L.DomUtil.create('div', 'onemap-raster-note', box); n.textContent = it.note; }
      var row = L.DomUtil.create('label', 'onemap-legend-row', box);
      var t = L.DomUtil.create('span', '', row);
      t.textContent = {{ this.opacity_label|tojson }};
      var input = L.DomUtil.create('input', 'onemap-opacity', row);
      input.type = 'range'; input.min = 0; input.max = 100; input.value = Math.round(it.opacity * 100);
      input.setAttribute('aria-label', it.label + ' ' + t.textContent);
      input.dataset.raster = it.key;
      input.addEventListener('input', function() {
        var layer = (window.__onemapRasters || {})[it.key];
        if (layer) { layer.setOpacity(input.value / 100); }
      });
      if (it.legend.length) {
        var ramp = L.DomUtil.create('div', 'onemap-ramp', box);
        ramp.style.background = 'linear-gradient(to right, ' + it.legend.map(function(e) { return e[1]; }).join(', ') + ')';
        var ticks = L.DomUtil.create('div', 'onemap-ramp-ticks', box);
        it.legend.forEach(function(e) { var s = L.DomUtil.create('span', '', ticks); s.textContent = e[0]; });
      }
    });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  ctl.addTo(map);
})({{ this._parent.get_name() }});
"""


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
        _Js(_RASTER_JS, map_name=m.get_name(), empty=_EMPTY_TILE, overlay={
            "key": o.key, "url": o.tiles_url, "bounds": [round(float(v), COORD_DECIMALS) for v in o.bounds],
            "min_zoom": int(o.min_zoom), "max_zoom": int(o.max_zoom), "opacity": float(o.opacity),
        }).add_to(group)
        group.add_to(m)
        groups.append(group)
    if overlays:
        _Js(_RASTER_PANEL_JS, title=title, opacity_label=opacity_label, items=[
            {"key": o.key, "label": o.label, "note": o.note, "opacity": float(o.opacity),
             "legend": [list(e) for e in o.legend]} for o in overlays]).add_to(m)
    return groups


_TOWN_OUTLINES_JS = """
var {{ this.get_name() }} = (function(group) {
  L.geoJSON({{ this.data|tojson }}, {pane: 'onemapBase', interactive: false,
    style: {color: '#8d6e63', weight: 1.2, opacity: 0.9, fill: false, dashArray: '4 3'}}).addTo(group);
  return group;
})({{ this._parent.get_name() }});
"""


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
    _Js(_TOWN_OUTLINES_JS, data={"type": "FeatureCollection", "features": features}).add_to(group)
    group.add_to(m)
    return group


_POSITION_JS = """
var {{ this.get_name() }} = (function(group) {
  var p = {{ this.pos|tojson }};
  if (p.accuracy) {
    L.circle([p.lat, p.lon], {radius: p.accuracy, color: '#1565c0', weight: 1, fillOpacity: 0.12,
                              interactive: false}).addTo(group);
  }
  L.circleMarker([p.lat, p.lon], {radius: 8, color: '#ffffff', weight: 3, fillColor: '#1565c0', fillOpacity: 1,
                                  interactive: false}).addTo(group);
  return group;
})({{ this._parent.get_name() }});
"""


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
    _Js(_POSITION_JS, pos={"lon": round(float(lon), COORD_DECIMALS), "lat": round(float(lat), COORD_DECIMALS),
                           "accuracy": float(accuracy) if accuracy else None}).add_to(group)
    return group


def render_standalone_html(m: folium.Map, groups: Sequence[folium.FeatureGroup]) -> str:
    """The whole map as one HTML page (for tests and offline viewing)."""
    for g in groups:
        g.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m.get_root().render()
