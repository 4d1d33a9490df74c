// The constant part of every map: offline basemap (or online tiles), labels, fullscreen, credits.
// Called once per map as OneMap.basemap(map, cfg); cfg is built by geo/map/build.py.
(function () {
  var OneMap = window.OneMap = window.OneMap || {};

  var D2R = Math.PI / 180;
  // At a zoom where a vertex lands within this many pixels (Manhattan) of the last one drawn, it is skipped.
  var MIN_STEP_PX = 1;

  // Rings and lines of a GeoJSON object as typed arrays of web mercator world units (0..1, y southwards), each
  // with its box: projected once, when the file arrives, not again at every zoom.
  function shapesOf(geojson) {
    var out = {rings: [], boxes: [], closed: false};
    function add(coords, closed) {
      var xy = new Float64Array(2 * coords.length), x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var k = 0; k < coords.length; k++) {
        var s = Math.sin(Math.max(Math.min(coords[k][1], 85), -85) * D2R);
        var x = coords[k][0] / 360 + 0.5, y = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
        xy[2 * k] = x; xy[2 * k + 1] = y;
        if (x < x0) { x0 = x; } if (x > x1) { x1 = x; } if (y < y0) { y0 = y; } if (y > y1) { y1 = y; }
      }
      if (coords.length) { out.rings.push(xy); out.boxes.push([x0, y0, x1, y1]); }
      if (closed) { out.closed = true; }
    }
    function geometry(g) {
      if (!g) { return; }
      var t = g.type, c = g.coordinates;
      if (t === 'Polygon') { c.forEach(function (r) { add(r, true); }); }
      else if (t === 'MultiPolygon') { c.forEach(function (p) { p.forEach(function (r) { add(r, true); }); }); }
      else if (t === 'LineString') { add(c, false); }
      else if (t === 'MultiLineString') { c.forEach(function (l) { add(l, false); }); }
      else if (t === 'GeometryCollection') { g.geometries.forEach(geometry); }
    }
    (geojson.type === 'FeatureCollection' ? geojson.features : [geojson]).forEach(function (f) {
      geometry(f.type === 'Feature' ? f.geometry : f);
    });
    return out;
  }

  // One base file drawn as one path on its pane's canvas renderer (Leaflet's L.Canvas does the sizing, panning
  // and zoom animation; this draws). Leaflet's own GeoJSON layers re-project every vertex into new objects at
  // every zoom, and cost a tablet a tenth of a second before the first sites appear; these arrays are
  // projected once. Not interactive: taps go through to the sites.
  var BaseShapes = L.Path.extend({
    options: {interactive: false},
    initialize: function (shapes, options) {
      L.setOptions(this, L.extend({fill: shapes.closed}, options));
      this._shapes = shapes;
      var b = [Infinity, Infinity, -Infinity, -Infinity];
      shapes.boxes.forEach(function (r) {
        b[0] = Math.min(b[0], r[0]); b[1] = Math.min(b[1], r[1]); b[2] = Math.max(b[2], r[2]); b[3] = Math.max(b[3], r[3]);
      });
      this._box = b;
    },
    _project: function () {
      var map = this._map, s = map.options.crs.scale(map.getZoom()), o = map.getPixelOrigin(), b = this._box;
      this._scale = s; this._origin = o;
      var pad = (this.options.weight || 0) + 1;  // the box on screen, outline included (for partial redraws)
      this._pxBounds = L.bounds([b[0] * s - o.x - pad, b[1] * s - o.y - pad], [b[2] * s - o.x + pad, b[3] * s - o.y + pad]);
    },
    _update: function () {},
    _updatePath: function () {
      var r = this._renderer, ctx = r._ctx, view = r._bounds;
      if (!r._drawing || !this._shapes.rings.length || !view) { return; }
      var s = this._scale, ox = this._origin.x, oy = this._origin.y, rings = this._shapes.rings, boxes = this._shapes.boxes;
      var closed = this._shapes.closed, pad = (this.options.weight || 0) + 1;
      ctx.beginPath();
      for (var i = 0; i < rings.length; i++) {
        var bx = boxes[i];
        if (bx[0] * s - ox > view.max.x + pad || bx[2] * s - ox < view.min.x - pad ||
            bx[1] * s - oy > view.max.y + pad || bx[3] * s - oy < view.min.y - pad) { continue; }
        var xy = rings[i], n = xy.length >> 1, lx = xy[0] * s - ox, ly = xy[1] * s - oy;
        ctx.moveTo(lx, ly);
        for (var k = 1; k < n; k++) {
          var qx = xy[2 * k] * s - ox, qy = xy[2 * k + 1] * s - oy;
          if (k === n - 1 || Math.abs(qx - lx) + Math.abs(qy - ly) >= MIN_STEP_PX) { ctx.lineTo(qx, qy); lx = qx; ly = qy; }
        }
        if (closed) { ctx.closePath(); }
      }
      r._fillStroke(ctx, this);
    }
  });

  function load(map, base, file, style) {
    fetch(base + file).then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
      if (!d) { return; }
      var layer = new BaseShapes(shapesOf(d), L.extend({pane: 'onemapBase'}, style));
      layer.onemapBaseFile = file;  // what the page's tests count
      layer.addTo(map);
    }).catch(function (e) { console.warn('basemap ' + file + ': ' + e); });
  }

  function fullscreenControl(map, box, title) {
    var fs = L.control({position: 'topleft'});
    fs.onAdd = function () {
      var a = L.DomUtil.create('a', 'leaflet-bar onemap-fullscreen');
      a.href = '#'; a.setAttribute('role', 'button'); a.title = title;
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
      L.DomEvent.on(a, 'click', function (e) {
        L.DomEvent.preventDefault(e);
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else { box.requestFullscreen(); }
      });
      L.DomEvent.disableClickPropagation(a);
      return a;
    };
    fs.addTo(map);
    document.addEventListener('fullscreenchange', function () { map.invalidateSize(); });
  }

  OneMap.basemap = function (map, cfg) {
    // Focusing the map on a tap must not scroll the page (the tap would land
    // somewhere else on a partly visible map).
    var box = map.getContainer();
    box.focus = function () { HTMLElement.prototype.focus.call(box, {preventScroll: true}); };
    if (!map.getPane('onemapBase')) {
      map.createPane('onemapBase').style.zIndex = 250;
      map.createPane('onemapLabels').style.zIndex = 450;
      map.getPane('onemapLabels').style.pointerEvents = 'none';
    }
    var clip = cfg.clip;
    if (cfg.tiles.length) {
      // An online basemap: its tiles, with the annotation layer above the overlays' fill.
      if (!map.getPane('onemapTileLabels')) {
        map.createPane('onemapTileLabels').style.zIndex = 420;
        map.getPane('onemapTileLabels').style.pointerEvents = 'none';
      }
      cfg.tiles.forEach(function (t) {
        L.tileLayer(t.url, {subdomains: t.subdomains || 'abc', maxNativeZoom: t.max_native_zoom, maxZoom: 18,
                            pane: t.labels ? 'onemapTileLabels' : 'tilePane', crossOrigin: false}).addTo(map);
      });
    } else {
      L.rectangle([[clip[1], clip[0]], [clip[3], clip[2]]],
                  {pane: 'onemapBase', interactive: false, stroke: false, fillColor: cfg.sea, fillOpacity: 1}
      ).addTo(map);
      load(map, cfg.base_url, 'land.geojson', cfg.styles.land);
      load(map, cfg.base_url, 'neighbours.geojson', cfg.styles.neighbours);
    }
    load(map, cfg.base_url, 'fuqing_boundary.geojson', cfg.styles.boundary);
    map.onemapFrame = cfg.frame;
    var markers = cfg.labels.map(function (l) {
      var el = document.createElement('span');
      el.textContent = l.text;
      return [l, L.marker([l.lat, l.lon], {
        pane: 'onemapLabels', interactive: false, keyboard: false,
        icon: L.divIcon({className: 'onemap-label ' + l.cls, html: el.outerHTML, iconSize: null})
      })];
    });
    function showLabels() {
      var z = map.getZoom();
      markers.forEach(function (p) {
        if (z >= p[0].min_zoom) { if (!map.hasLayer(p[1])) { p[1].addTo(map); } }
        else if (map.hasLayer(p[1])) { map.removeLayer(p[1]); }
      });
    }
    map.on('zoomend', showLabels);
    showLabels();
    // Scale bar: metric only (miles and feet mean nothing here), units in the UI's language.
    var units = cfg.scale_units || {m: 'm', km: 'km'};
    var Scale = L.Control.Scale.extend({
      _updateMetric: function (maxMeters) {
        var meters = this._getRoundNum(maxMeters);
        this._mScale.style.width = Math.round(this.options.maxWidth * meters / maxMeters) + 'px';
        this._mScale.textContent = meters < 1000 ? meters + ' ' + units.m : (meters / 1000) + ' ' + units.km;
      }
    });
    new Scale({metric: true, imperial: false, position: 'bottomleft'}).addTo(map);
    // Fullscreen: tablets need the whole screen for the map; the iframe allows it.
    if (document.fullscreenEnabled) { fullscreenControl(map, box, cfg.fullscreen_title); }
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(cfg.attribution);
    // Which basemap is on, always visible (its credit is in the attribution).
    var bm = L.control({position: 'bottomright'});
    bm.onAdd = function () {
      var el = L.DomUtil.create('div', 'onemap-basemap-name');
      el.textContent = cfg.basemap_label;
      el.setAttribute('data-basemap', cfg.basemap_key);
      el.setAttribute('data-frame', cfg.frame);
      return el;
    };
    bm.addTo(map);
  };
}());
