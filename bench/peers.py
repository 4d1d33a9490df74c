"""The strongest peers of the one map: what a skilled user picks instead of one Marker per site.

Each peer is built its own best way, from the same sites (``Site`` with its
stored WGS84 geometry), offline (no CDN: Leaflet and leaflet.markercluster
from the xstatic packages, deck.gl from Streamlit's own bundle). The folium
peers and the floor are drawn on the one map's own base map (offline land,
sea, county outline, labels, legend: :func:`bench.run.ours_base`), so that
what differs between them and the one map is how the sites are drawn;
pydeck has no base geography (deck.gl would have to draw it too).

``folium_canvas_geojson``
    folium with ``prefer_canvas=True`` (one canvas renderer), one
    ``folium.GeoJson`` per kind and status with a constant style (so folium
    writes no per-feature style table), only ``id`` and ``status`` in the
    properties, points as ``CircleMarker`` on the canvas, lines and polygons
    simplified with shapely to the detail the one map shows close up
    (:data:`geo.displaygeom.DETAIL_TOLERANCE`, ≈ 2 m) and coordinates
    rounded to 5 decimals (≈ 1 m).
``folium_fast_marker_cluster``
    points in ``folium.plugins.FastMarkerCluster`` (one ``[lat, lon,
    status]`` row per point, a callback making a canvas circle marker in the
    status colour); lines and polygons as in ``folium_canvas_geojson``.
``pydeck``
    ``pydeck.Deck`` with a ``ScatterplotLayer`` (points), a ``PathLayer``
    (lines) and a ``PolygonLayer`` (polygons, one datum per part), records
    with only a position or shape, a colour and an id, coordinates rounded
    to 5 decimals, no basemap (an empty map style: nothing fetched), shown by
    ``st.pydeck_chart`` (deck.gl, WebGL) in a tiny Streamlit page
    (``bench/pydeck_app.py``). Its cost is what Streamlit sends: the JSON of
    ``Deck.to_json()``.
``floor``
    not a product: the sites as packed typed arrays — ``Float32`` lon/lat
    of each vertex, one status byte per site and, for lines and polygons, a
    type byte and ``Uint32`` part offsets — fetched as one binary file and
    drawn by the same canvas code as the one map (``L.OnemapSites``), with
    the same base map. It carries the geometry the one map draws at load
    (the overview level), and no ids or names: the least any map of these
    sites can send and decode.

Every builder returns what the browser is given; ``bench/run.py`` times them
in a fresh process and opens them in Chromium.
"""

from __future__ import annotations

import html
import json
import struct
from collections import defaultdict
from urllib.parse import quote
from typing import Sequence

import folium
import numpy as np
import shapely
from branca.element import Element
from shapely.geometry import mapping

from geo import displaygeom
from layers import REGISTRY

PEERS = ("folium_canvas_geojson", "folium_fast_marker_cluster", "pydeck", "floor")
#: Rounding of the peers' coordinates (5 decimals ≈ 1 m, as the one map's 1e-5° quantum).
DECIMALS = 5
#: Leaflet.markercluster from xstatic-leaflet-markercluster, at the URL bench/browser.py serves it.
MARKERCLUSTER_JS = "markercluster/leaflet.markercluster.js"
MARKERCLUSTER_CSS = ("markercluster/MarkerCluster.css", "markercluster/MarkerCluster.Default.css")
#: A map style with nothing in it (a data: URL): the pydeck peer draws no basemap and fetches none (offline).
EMPTY_STYLE = "data:application/json," + quote(json.dumps({"version": 8, "sources": {}, "layers": []}))
#: Magic and version of the floor's binary file.
FLOOR_MAGIC = b"OMF1"


def by_kind(sites: Sequence) -> dict[str, list]:
    """Sites grouped by kind, in the registry's order (bottom layer first)."""
    out: dict[str, list] = defaultdict(list)
    for s in sites:
        out[s.kind].append(s)
    return {k: out[k] for k in sorted(out, key=lambda k: REGISTRY[k].style.z_order)}


def _colors(kind: str) -> dict[str, str]:
    return {s.code: s.color for s in REGISTRY[kind].statuses}


def _round(coords):
    if isinstance(coords, (int, float)):
        return round(float(coords), DECIMALS)
    return [_round(c) for c in coords]


def shown_geometries(sites: Sequence) -> list:
    """The sites' geometries as a skilled user would send them: lines and polygons simplified (≈ 2 m)."""
    return displaygeom.simplified([s.geometry for s in sites], displaygeom.DETAIL_TOLERANCE) \
        if any(s.geometry.geom_type != "Point" for s in sites) else [s.geometry for s in sites]


def _is_points(sites: Sequence) -> bool:
    return all(s.geometry.geom_type == "Point" for s in sites)


# -- folium ------------------------------------------------------------------------------------------


def add_geojson(m: folium.Map, kind: str, sites: Sequence) -> None:
    """One ``GeoJson`` per status of ``kind``: constant style, properties ``id`` and ``status`` only."""
    spec = REGISTRY[kind]
    colors = _colors(kind)
    geoms = shown_geometries(sites)
    by_status: dict[str, list] = defaultdict(list)
    for s, g in zip(sites, geoms):
        gj = mapping(g)
        by_status[s.status].append({"type": "Feature", "properties": {"id": s.site_id, "status": s.status},
                                    "geometry": {"type": gj["type"], "coordinates": _round(gj["coordinates"])}})
    points = _is_points(sites)
    for status, features in by_status.items():
        color = colors.get(status, "#777777")
        style = {"color": "#333333" if not points and spec.geometry != "line" else color, "weight": spec.style.weight,
                 "fillColor": color, "fillOpacity": spec.style.fill_opacity}
        if spec.geometry == "line":
            style["color"] = color
        marker = folium.CircleMarker(radius=spec.style.radius, weight=spec.style.weight, fill=True) if points else None
        folium.GeoJson({"type": "FeatureCollection", "features": features},
                       name=html.escape(f"{spec.zh} {status}"), style_function=lambda f, st=style: st,
                       marker=marker).add_to(m)


def folium_canvas_geojson_html(sites: Sequence, base: folium.Map) -> str:
    """The ``folium_canvas_geojson`` page, on ``base`` (a folium map with ``prefer_canvas=True``)."""
    m = base
    for kind, ks in by_kind(sites).items():
        add_geojson(m, kind, ks)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m.get_root().render()


#: FastMarkerCluster's callback (folium writes ``var callback = <this>;``): a canvas circle marker in the
#: status colour (row = [lat, lon, status index]).
_CLUSTER_CALLBACK = """(function () {
  var colors = %(colors)s;
  return function (row) {
    return L.circleMarker(new L.LatLng(row[0], row[1]), {radius: %(radius)d, weight: %(weight)d,
                          color: colors[row[2]], fillColor: colors[row[2]], fillOpacity: %(opacity)s});
  };
})()"""


def folium_fast_marker_cluster_html(sites: Sequence, base: folium.Map) -> str:
    """The ``folium_fast_marker_cluster`` page on ``base``: points clustered, lines and polygons as canvas GeoJson."""
    from folium.plugins import FastMarkerCluster

    m = base
    # leaflet.markercluster needs the map's maxZoom (it throws "Map has no maxZoom specified" otherwise, and
    # draws no cluster); the base map has no tile layer to give one, so the map gets the base map's own 18.
    m.options.setdefault("maxZoom", 18)
    for kind, ks in by_kind(sites).items():
        if not _is_points(ks):
            add_geojson(m, kind, ks)
            continue
        spec = REGISTRY[kind]
        codes = [s.code for s in spec.statuses]
        index = {c: i for i, c in enumerate(codes)}
        rows = [[round(s.geometry.y, DECIMALS), round(s.geometry.x, DECIMALS), index.get(s.status, len(codes))]
                for s in ks]
        colors = [s.color for s in spec.statuses] + ["#777777"]
        callback = _CLUSTER_CALLBACK % {"colors": json.dumps(colors), "radius": spec.style.radius,
                                        "weight": spec.style.weight, "opacity": spec.style.fill_opacity}
        cluster = FastMarkerCluster(rows, callback=callback, name=html.escape(spec.zh))
        cluster.default_js = [("markerclusterjs", MARKERCLUSTER_JS)]
        cluster.default_css = [(f"markerclustercss{i}", u) for i, u in enumerate(MARKERCLUSTER_CSS)]
        cluster.add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m.get_root().render()


# -- pydeck ----------------------------------------------------------------------------------------------


def _rgb(color: str) -> list[int]:
    c = color.lstrip("#")
    return [int(c[i:i + 2], 16) for i in (0, 2, 4)]


def pydeck_deck(sites: Sequence):
    """The ``pydeck`` peer: a Deck with Scatterplot, Path and Polygon layers, no basemap."""
    import pydeck as pdk

    from geo import basegeo

    points, paths, polygons = [], [], []
    for kind, ks in by_kind(sites).items():
        colors = {code: _rgb(c) for code, c in _colors(kind).items()}
        for s, g in zip(ks, shown_geometries(ks)):
            c = colors.get(s.status, [119, 119, 119])
            for part in shapely.get_parts(g):
                t = part.geom_type
                if t == "Point":
                    points.append({"p": _round([part.x, part.y]), "c": c, "id": s.site_id})
                elif t == "LineString":
                    paths.append({"g": _round(np.asarray(part.coords)[:, :2].tolist()), "c": c, "id": s.site_id})
                elif t == "Polygon":
                    rings = [part.exterior, *part.interiors]
                    polygons.append({"g": [_round(np.asarray(r.coords)[:, :2].tolist()) for r in rings], "c": c,
                                     "id": s.site_id})
    layers = []
    if polygons:
        layers.append(pdk.Layer("PolygonLayer", data=polygons, get_polygon="g", get_fill_color="c",
                                get_line_color=[51, 51, 51], line_width_min_pixels=1, opacity=0.35, stroked=True,
                                filled=True, pickable=True))
    if paths:
        layers.append(pdk.Layer("PathLayer", data=paths, get_path="g", get_color="c", get_width=2,
                                width_min_pixels=2, pickable=True))
    if points:
        layers.append(pdk.Layer("ScatterplotLayer", data=points, get_position="p", get_fill_color="c",
                                get_radius=30, radius_min_pixels=5, radius_max_pixels=9, stroked=True,
                                get_line_color=[51, 51, 51], line_width_min_pixels=1, pickable=True))
    b = basegeo.FUQING_BOUNDS
    view = pdk.ViewState(longitude=(b[0] + b[2]) / 2, latitude=(b[1] + b[3]) / 2, zoom=9.6)
    # No basemap, and none fetched: Streamlit puts a CARTO style (online) under a Deck without a map style,
    # so the Deck gets an empty style of its own, as a data: URL (Streamlit wants a string).
    return pdk.Deck(layers=layers, initial_view_state=view, map_style=EMPTY_STYLE, map_provider=None, tooltip=False)


def pydeck_json(sites: Sequence) -> str:
    """What ``st.pydeck_chart`` sends for the pydeck peer (``Deck.to_json()``, verbatim)."""
    return pydeck_deck(sites).to_json()


# -- the floor ----------------------------------------------------------------------------------------------


def floor_binary(sites: Sequence) -> bytes:
    """The floor's file: per kind a header and typed arrays (little-endian, 4-byte aligned).

    Per kind: ``u32`` header length, the header (JSON: kind, n, vertices,
    parts, status table), then ``Float32`` lon/lat × vertices, ``Uint8``
    status × n (padded to 4 bytes) and, for lines and polygons only,
    ``Uint8`` type × n (padded), ``Uint32`` first part × (n + 1) and
    ``Uint32`` first vertex × (parts + 1). The geometry is the one map's
    overview level (what it draws at load).
    """
    out = [FLOOR_MAGIC]
    for kind, ks in by_kind(sites).items():
        codes = [s.code for s in REGISTRY[kind].statuses]
        index = {c: i for i, c in enumerate(codes)}
        status = np.array([index.get(s.status, 255) for s in ks], dtype=np.uint8)
        entries = displaygeom.entries([s.geometry for s in ks], displaygeom.OVERVIEW_TOLERANCE)
        coords = np.vstack([e[1] for e in entries]) if entries else np.zeros((0, 2), dtype=np.int32)
        lonlat = (coords / displaygeom.QUANT).astype("<f4")
        points = _is_points(ks)
        head = {"k": kind, "n": len(ks), "nv": len(coords), "st": codes, "points": points}
        arrays = [lonlat.tobytes(), _pad(status.tobytes())]
        if not points:
            types, first_part, first_vertex = _structure(entries)
            head["np"] = len(first_vertex) - 1
            arrays += [_pad(types.tobytes()), first_part.astype("<u4").tobytes(), first_vertex.astype("<u4").tobytes()]
        header = _pad(json.dumps(head).encode())
        out += [struct.pack("<I", len(header)), header, *arrays]
    return b"".join(out)


def _pad(b: bytes) -> bytes:
    return b + b"\0" * (-len(b) % 4)


def _structure(entries) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per site its type code and first part; per part its first vertex (offsets end with the totals)."""
    types = np.zeros(len(entries), dtype=np.uint8)
    first_part = [0]
    first_vertex = [0]
    for i, (st, coords) in enumerate(entries):
        st = st.tolist()
        types[i] = st[0]
        t = st[0]
        counts: list[int] = []
        if t == 1:
            counts = [1]
        elif t == 2:
            counts = [1] * st[1]
        elif t == 3:
            counts = [st[1]]
        elif t in (4, 5):
            counts = st[2:2 + st[1]]
        elif t == 6:
            j = 2
            for _ in range(st[1]):
                nr = st[j]
                counts += st[j + 1:j + 1 + nr]
                j += 1 + nr
        for c in counts:
            first_vertex.append(first_vertex[-1] + c)
        first_part.append(first_part[-1] + len(counts))
    return types, np.array(first_part, dtype=np.int64), np.array(first_vertex, dtype=np.int64)


#: The floor page's loader: the binary file into the site layers' own structures (no decoding), then drawn.
FLOOR_JS = """
(function () {
  var D2R = Math.PI / 180, MAXLAT = 85.0511287798;
  function mercY(lat) {
    lat = Math.max(Math.min(lat, MAXLAT), -MAXLAT);
    var s = Math.sin(lat * D2R);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  window.OneMapFloor = function (url, layers) {
    fetch(url).then(function (r) { return r.arrayBuffer(); }).then(function (buf) {
      var at = 4, dv = new DataView(buf);
      while (at < buf.byteLength) {
        var hl = dv.getUint32(at, true); at += 4;
        var head = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, at, hl)).replace(/\\0+$/, '')); at += hl;
        var n = head.n, nv = head.nv, ll = new Float32Array(buf, at, 2 * nv); at += 8 * nv;
        var status = new Uint8Array(buf, at, n); at += n + ((4 - n % 4) % 4);
        var T, FP, PS, PL, C = new Int8Array(n), k, i, p;
        var X = new Float64Array(nv), Y = new Float64Array(nv), LON = new Float64Array(nv), LAT = new Float64Array(nv);
        for (k = 0; k < nv; k++) { LON[k] = ll[2 * k]; LAT[k] = ll[2 * k + 1]; X[k] = LON[k] / 360 + 0.5; }
        if (head.points) {
          T = new Uint8Array(n).fill(1); FP = new Int32Array(n + 1); PS = new Int32Array(n); PL = new Int32Array(n).fill(1);
          for (i = 0; i <= n; i++) { FP[i] = i; } for (i = 0; i < n; i++) { PS[i] = i; }
        } else {
          T = new Uint8Array(buf, at, n); at += n + ((4 - n % 4) % 4);
          var fp = new Uint32Array(buf, at, n + 1); at += 4 * (n + 1);
          var fv = new Uint32Array(buf, at, head.np + 1); at += 4 * (head.np + 1);
          FP = Int32Array.from(fp); PS = new Int32Array(head.np); PL = new Int32Array(head.np);
          for (p = 0; p < head.np; p++) { PS[p] = fv[p]; PL[p] = fv[p + 1] - fv[p]; }
        }
        // As the site layer does: boxes from the extreme latitudes, mercator y of a feature on first use.
        var BB = new Float64Array(4 * n), YF = new Uint8Array(n);
        for (i = 0; i < n; i++) {
          var t = T[i], x0 = Infinity, a0 = Infinity, x1 = -Infinity, a1 = -Infinity;
          C[i] = t === 0 ? -1 : (t <= 2 ? 0 : (t <= 4 ? 1 : 2));
          for (p = FP[i]; p < FP[i + 1]; p++) {
            for (k = PS[p]; k < PS[p] + PL[p]; k++) {
              if (X[k] < x0) { x0 = X[k]; } if (X[k] > x1) { x1 = X[k]; }
              if (LAT[k] < a0) { a0 = LAT[k]; } if (LAT[k] > a1) { a1 = LAT[k]; }
            }
          }
          if (x0 === Infinity) { C[i] = -1; }
          BB[4 * i] = x0; BB[4 * i + 1] = mercY(a1); BB[4 * i + 2] = x1; BB[4 * i + 3] = mercY(a0);
          if (head.points) { Y[i] = BB[4 * i + 1]; YF[i] = 1; }
        }
        var layer = layers[head.k];
        if (!layer) { continue; }
        var si = Int32Array.from(status);
        var geo = {X: X, Y: Y, YF: YF, LON: LON, LAT: LAT, T: T, C: C, FP: FP, PS: PS, PL: PL, BB: BB, grid: null};
        layer.setArrays(n, geo, {n: n, label: head.k, st: head.st, si: si, keys: head.st, ci: si, hasKey: false,
                                 id: function (i) { return String(i); }, name: function (i) { return String(i); }});
      }
    });
  };
})();
"""


def floor_page(sites: Sequence, bin_url: str, base: folium.Map) -> str:
    """The floor's page: the one map's base map and site layers (empty), filled from the binary file."""
    from geo.map.build import site_layer_groups
    from geo.map.sitelayer import SiteLayer

    groups = site_layer_groups({k: [] for k in by_kind(sites)}, lang="zh")
    m = base
    for g in groups:
        g.add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    names = {}
    for g in groups:
        for child in g._children.values():
            if isinstance(child, SiteLayer):
                names[child.data["k"]] = child.get_name()
    setter = """
L.OnemapSites.prototype.setArrays = function (n, geo, attrs) {
  var grey = this._style.grey;
  this._n = n; this._g0 = geo; this._g1 = null; this._dz = null; this._du = null; this._a = attrs;
  this._sel = -1; this._index = null; this._aggs = []; this._sprites = null; this._aggFlag = new Uint8Array(n); this._aggZoom = null;
  var cols = {}; REGISTRY_COLORS[this._kind].forEach(function (c, i) { cols[i] = c; });
  this._colors = attrs.st.map(function (s, i) { return cols[i] || grey; }).concat([grey]);
  attrs.si = attrs.si.map(function (v) { return v === 255 ? attrs.st.length : v; }); attrs.ci = attrs.si;
  this._changed();
};"""
    colors = {k: [s.color for s in REGISTRY[k].statuses] for k in by_kind(sites)}
    loader = (f"<script>var REGISTRY_COLORS = {json.dumps(colors)};{FLOOR_JS}</script>")
    m.get_root().header.add_child(Element(loader), name="floor_loader")
    call = ("<script>window.addEventListener('DOMContentLoaded', function () {" + setter +
            f"OneMapFloor({json.dumps(bin_url)}, {{" +
            ", ".join(f"{json.dumps(k)}: {v}" for k, v in names.items()) + "}); });</script>")
    m.get_root().html.add_child(Element(call), name="floor_call")
    return m.get_root().render()
