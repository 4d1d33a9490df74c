// L.OnemapSites: one layer per kind, every kind drawn into one canvas per map (geo/map/sitelayer.py encodes the data; see its docstring).
// No template literals, no innerHTML: names are unescaped and put in with textContent.
(function () {
  var VERSION = 2;
  if (L.OnemapSites && L.OnemapSites.VERSION === VERSION) { return; }
  var ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!#$%()*+,/:;=?@[]^|~';
  var TERMINAL = 64, CONTINUATION = 20;
  var DEC = new Int8Array(128);
  for (var a = 0; a < ALPHABET.length; a++) { DEC[ALPHABET.charCodeAt(a)] = a; }
  // Aggregate a kind's points below this zoom when more than AGG_MIN of them are in view, in cells of AGG_CELL px.
  var AGG_MAX_ZOOM = 13, AGG_MIN = 2000, AGG_CELL = 48;
  // When aggregating, a line or polygon smaller than TINY_PX on screen counts as a point.
  var TINY_PX = AGG_CELL / 2;
  // Features per canvas path: one path for thousands is far slower to build than many small ones.
  var CHUNK = 16;
  // Dashed outlines (a kind's style) from this zoom on: below it shapes are too small to show a dash.
  var DASH_MIN_ZOOM = 12;
  // Up to this zoom outlines and lines are one pixel wide (the county or a town in view: shapes of a few pixels).
  var HAIRLINE_MAX_ZOOM = 11;
  // At low zoom, vertices closer than this (px, Manhattan) to the last one drawn are skipped.
  var MIN_STEP_PX = 1.5;
  // Extra pixels around a site that still hit it (fingers).
  var HIT_PX = 4;
  var PADDING = 0.1;
  var D2R = Math.PI / 180, MAXLAT = 85.0511287798;
  var ACTIVE = [];  // site layers currently on a map

  // Signed integers of a varint string (geo/sitelayer.py pack_ints): mixed radix, low digits first, zigzag.
  function unpack(s) {
    var len = s ? s.length : 0, out = new Int32Array(len), v = 0, mult = 1, j = 0, c, i;
    for (i = 0; i < len; i++) {
      c = DEC[s.charCodeAt(i)];
      if (c >= TERMINAL) { v += (c - TERMINAL) * mult; mult *= CONTINUATION; }
      else { v += c * mult; out[j++] = v % 2 ? -(v + 1) / 2 : v / 2; v = 0; mult = 1; }
    }
    return j === len ? out : out.slice(0, j);
  }
  var ENTITIES = {lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'", amp: '&'};
  function unescapeHtml(s) {
    return String(s).replace(/&(lt|gt|quot|#x27|#39|amp);/g, function (m, e) { return ENTITIES[e]; });
  }
  function mercX(lng) { return lng / 360 + 0.5; }
  function mercY(lat) {
    lat = Math.max(Math.min(lat, MAXLAT), -MAXLAT);
    var s = Math.sin(lat * D2R);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  function unmerc(x, y) {
    return L.latLng((2 * Math.atan(Math.exp((0.5 - y) * 2 * Math.PI)) - Math.PI / 2) / D2R, (x - 0.5) * 360);
  }
  function rgba(hex, alpha) {
    var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
    if (!m) { return hex; }
    return 'rgba(' + parseInt(m[1], 16) + ',' + parseInt(m[2], 16) + ',' + parseInt(m[3], 16) + ',' + alpha + ')';
  }
  function pad(v, width) { var t = String(v); while (t.length < width) { t = '0' + t; } return t; }
  // Each list of `lists` with its index, the last first: what is drawn last is on top, so the first colour is.
  function topLast(lists, fn) { for (var c = lists.length - 1; c >= 0; c--) { fn(lists[c], c); } }
  function segDist2(px, py, ax, ay, bx, by) {
    var dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = 0;
    if (l2 > 0) { t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2)); }
    var x = ax + t * dx - px, y = ay + t * dy - py;
    return x * x + y * y;
  }

  // Geometry of one level of detail (geo/sitelayer.py: g, xy): mercator (X, Y, 0..1) and degrees of every
  // vertex; per feature its type, its parts [FP[i], FP[i + 1]) and its bounding box; per part first vertex
  // and vertex count. Class C: 0 point, 1 line, 2 polygon, -1 nothing to draw.
  function decodeGeom(gText, xyText, n, q) {
    var i, j, k;
    var xy = unpack(xyText), nv = xy.length >> 1;
    var X = new Float64Array(nv), Y = new Float64Array(nv), LON = new Float64Array(nv), LAT = new Float64Array(nv);
    var x = 0, y = 0;
    for (k = 0; k < nv; k++) {
      x += xy[2 * k]; y += xy[2 * k + 1];
      LON[k] = x / q; LAT[k] = y / q; X[k] = LON[k] / 360 + 0.5;
    }
    var T = new Uint8Array(n), FP = new Int32Array(n + 1), PS, PL, C = new Int8Array(n), BB = new Float64Array(4 * n);
    // Y (mercator) of a feature's vertices is worked out when the feature is first drawn or hit (YF[i] = 1):
    // at low zoom most sites are counted into aggregates by their box and never drawn one by one.
    var YF = new Uint8Array(n);
    if (!gText) {
      PS = new Int32Array(n); PL = new Int32Array(n);
      for (i = 0; i < n; i++) {
        T[i] = 1; FP[i] = i; PS[i] = i; PL[i] = 1;
        BB[4 * i] = BB[4 * i + 2] = X[i]; BB[4 * i + 1] = BB[4 * i + 3] = Y[i] = mercY(LAT[i]);
        YF[i] = 1;
      }
      FP[n] = n;
      if (nv < n) { for (i = nv; i < n; i++) { C[i] = -1; } }
      return {X: X, Y: Y, YF: YF, LON: LON, LAT: LAT, T: T, C: C, FP: FP, PS: PS, PL: PL, BB: BB, grid: null};
    }
    var g = unpack(gText), gi = 0, vi = 0, c, np, nr, ps = [], pl = [];
    var part = function (count) { ps.push(vi); pl.push(count); vi += count; };
    for (i = 0; i < n; i++) {
      var t = g[gi++];
      T[i] = t; FP[i] = ps.length;
      if (t === 1) { part(1); }
      else if (t === 2) { c = g[gi++]; for (k = 0; k < c; k++) { part(1); } }
      else if (t === 3) { part(g[gi++]); }
      else if (t === 4 || t === 5) { np = g[gi++]; for (k = 0; k < np; k++) { part(g[gi++]); } }
      else if (t === 6) {
        np = g[gi++];
        for (k = 0; k < np; k++) { nr = g[gi++]; for (j = 0; j < nr; j++) { part(g[gi++]); } }
      }
    }
    FP[n] = ps.length;
    PS = Int32Array.from(ps); PL = Int32Array.from(pl);
    for (i = 0; i < n; i++) {
      var tt = T[i];
      C[i] = tt === 0 ? -1 : (tt <= 2 ? 0 : (tt <= 4 ? 1 : 2));
      var x0 = Infinity, a0 = Infinity, x1 = -Infinity, a1 = -Infinity;
      for (var p = FP[i]; p < FP[i + 1]; p++) {
        for (k = PS[p]; k < PS[p] + PL[p]; k++) {
          if (X[k] < x0) { x0 = X[k]; } if (X[k] > x1) { x1 = X[k]; }
          if (LAT[k] < a0) { a0 = LAT[k]; } if (LAT[k] > a1) { a1 = LAT[k]; }
        }
      }
      if (x0 === Infinity) { C[i] = -1; }
      // mercator y grows southwards: the box's top is the northernmost latitude
      BB[4 * i] = x0; BB[4 * i + 1] = mercY(a1); BB[4 * i + 2] = x1; BB[4 * i + 3] = mercY(a0);
    }
    return {X: X, Y: Y, YF: YF, LON: LON, LAT: LAT, T: T, C: C, FP: FP, PS: PS, PL: PL, BB: BB, grid: null};
  }

  // Mercator y of feature i's vertices, worked out on first use.
  function projectY(d, i) {
    if (d.YF[i]) { return; }
    var Y = d.Y, LAT = d.LAT;
    for (var p = d.FP[i]; p < d.FP[i + 1]; p++) {
      for (var k = d.PS[p], e = d.PS[p] + d.PL[p]; k < e; k++) { Y[k] = mercY(LAT[k]); }
    }
    d.YF[i] = 1;
  }

  // Ids, names, statuses and colours. Ids and names are decoded when first asked for (a hover, a click), not
  // up front: drawing needs neither, and a map of a million sites draws in the time of its coordinates.
  function decodeAttrs(d) {
    var n = d.n, si = unpack(d.s), ids = null, names = null;
    function idTable() {
      var runs = [], num = new Int32Array(n), at = 0;
      d.ids.forEach(function (run) {
        runs.push({start: at, prefix: run[0], width: run[1]});
        if (run[1]) {
          var deltas = unpack(run[3]), v = 0;
          for (var r = 0; r < run[2]; r++) { v += deltas[r]; num[at + r] = v; }
        }
        at += run[2];
      });
      return {runs: runs, num: num};
    }
    function nameTable() {
      var nl = unpack(d.nl), no = new Int32Array(n + 1);
      for (var i = 0; i < n; i++) { no[i + 1] = no[i] + nl[i]; }
      return {nt: Array.from(d.nt), nc: unpack(d.nc), no: no};
    }
    return {
      n: n, label: d.label, st: d.st, si: si, keys: d.ck || d.st, ci: d.ck ? unpack(d.c) : si, hasKey: !!d.ck,
      cols: d.col.map(function (c0) { return c0 || null; }),
      id: function (k) {
        var t = ids || (ids = idTable()), runs = t.runs, lo = 0, hi = runs.length - 1;
        while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (runs[mid].start <= k) { lo = mid; } else { hi = mid - 1; } }
        var run = runs[lo];
        return run.width ? run.prefix + pad(t.num[k], run.width) : run.prefix;
      },
      name: function (k) {
        var t = names || (names = nameTable()), out = '';
        for (var w = t.no[k]; w < t.no[k + 1]; w++) { out += t.nt[t.nc[w]]; }
        return out;
      }
    };
  }

  // One canvas per map for every kind's sites (in the onemapSites pane): the kinds are drawn in z order into
  // it, in one animation frame, and the browser composites one canvas, not one per kind. While payloads are
  // still on their way the draw waits for them (up to WAIT_MS), so the map is drawn once, not once per file.
  var WAIT_MS = 3000;
  var Renderer = L.Layer.extend({
    options: {pane: 'onemapSites'},
    initialize: function () { this._layers = []; this._frame = null; this._waitSince = null; },
    add: function (layer) {
      if (this._layers.indexOf(layer) < 0) { this._layers.push(layer); }
      this.drawSoon();
    },
    remove: function (layer) {
      var i = this._layers.indexOf(layer);
      if (i >= 0) { this._layers.splice(i, 1); }
      this.drawSoon();
    },
    // Layers bottom first: z order, then the order they came in.
    _ordered: function () {
      var ls = this._layers.slice();
      return ls.sort(function (u, v) {
        return (u._style.z_order || 0) - (v._style.z_order || 0) || ls.indexOf(u) - ls.indexOf(v);
      });
    },
    onAdd: function (map) {
      if (!map.getPane(this.options.pane)) {
        var pane = map.createPane(this.options.pane);
        pane.style.zIndex = 390;  // above basemap and rasters, below other overlays and labels
        pane.style.pointerEvents = 'none';
      }
      var c = this._canvas = L.DomUtil.create('canvas', 'onemap-sites');
      c.style.pointerEvents = 'none';
      if (map._zoomAnimated) { L.DomUtil.addClass(c, 'leaflet-zoom-animated'); }
      this._ctx = c.getContext('2d');
      this.getPane().appendChild(c);
    },
    onRemove: function () {
      if (this._cap) { clearTimeout(this._cap); this._cap = null; }
      L.DomUtil.remove(this._canvas);
      this._canvas = this._ctx = null;
      this._bounds = null;
    },
    getEvents: function () {
      var ev = {viewreset: this._reset, zoom: this._onZoom, moveend: this._update, resize: this._update};
      if (this._map && this._map._zoomAnimated) { ev.zoomanim = this._onAnimZoom; }
      return ev;
    },
    _onAnimZoom: function (e) { this._updateTransform(e.center, e.zoom); },
    _onZoom: function () { this._updateTransform(this._map.getCenter(), this._map.getZoom()); },
    _updateTransform: function (center, zoom) {
      if (!this._bounds) { return; }
      var map = this._map, scale = map.getZoomScale(zoom, this._zoom),
          viewHalf = map.getSize().multiplyBy(0.5 + PADDING),
          topLeft = viewHalf.multiplyBy(-scale).add(map.project(this._center, zoom))
            .subtract(map._getNewPixelOrigin(center, zoom));
      if (L.Browser.any3d) { L.DomUtil.setTransform(this._canvas, topLeft, scale); }
      else { L.DomUtil.setPosition(this._canvas, topLeft); }
    },
    _reset: function () {
      this._update();
      this._updateTransform(this._center, this._zoom);
    },
    _waiting: function () {
      var loading = this._layers.some(function (l) { return l._loading; });
      if (!loading) { this._waitSince = null; return false; }
      var now = Date.now();
      if (this._waitSince === null) { this._waitSince = now; }
      return now - this._waitSince < WAIT_MS;
    },
    // Draw in the next animation frame (once, whoever asks); while payloads are coming, a little later.
    drawSoon: function () {
      if (this._soon) { return; }
      var self = this;
      this._soon = true;
      L.Util.requestAnimFrame(function () {
        self._soon = false;
        if (!self._map) { return; }
        if (self._waiting()) {
          // Every payload still coming asks again when it lands; this timer only caps the wait at WAIT_MS.
          // (A retry every few ms used to draw a second time, for nothing, after the last payload was drawn.)
          if (!self._cap) {
            self._cap = setTimeout(function () { self._cap = null; self.drawSoon(); },
                                   Math.max(0, WAIT_MS - (Date.now() - self._waitSince)));
          }
          return;
        }
        if (self._cap) { clearTimeout(self._cap); self._cap = null; }
        self.draws = (self.draws || 0) + 1;
        self._reset();
      });
    },
    _update: function () {
      var map = this._map;
      if (!map || (map._animatingZoom && this._bounds)) { return; }
      var nonEmpty = this._layers.some(function (l) { return l._n; });
      if (!nonEmpty && !this._bounds) { return; }  // nothing to draw yet: no canvas to size
      var size = map.getSize(), min = map.containerPointToLayerPoint(size.multiplyBy(-PADDING)).round();
      this._bounds = L.bounds(min, min.add(size.multiplyBy(1 + 2 * PADDING)).round());
      this._center = map.getCenter();
      this._zoom = map.getZoom();
      var b = this._bounds.getSize(), r = window.devicePixelRatio || 1, c = this._canvas;
      L.DomUtil.setPosition(c, min);
      var w = Math.round(r * b.x), h = Math.round(r * b.y);
      if (c.width !== w || c.height !== h) {
        c.width = w; c.height = h;
        c.style.width = b.x + 'px'; c.style.height = b.y + 'px';
      }
      this._ratio = r;
      this._layers.forEach(function (l) { l._needDetail(map.getZoom()); });
      this.draw();
    },
    draw: function () {
      if (!this._map || !this._bounds || this._waiting()) { return; }
      var map = this._map, ctx = this._ctx, po = map.getPixelOrigin(), size = this._bounds.getSize();
      var f = this._frame = {ctx: ctx, zoom: this._zoom, scale: map.options.crs.scale(this._zoom),
                             ox: po.x + this._bounds.min.x, oy: po.y + this._bounds.min.y, size: size};
      ctx.setTransform(this._ratio, 0, 0, this._ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      var ordered = this._ordered();
      ordered.forEach(function (l) { l._draw(f); });
      ordered.forEach(function (l) { l._drawSelectedOn(f); });  // the selected site over every kind
    }
  });
  function rendererOf(map) {
    if (!map._onemapRenderer) { map._onemapRenderer = new Renderer(); }
    var r = map._onemapRenderer;
    if (!map.hasLayer(r)) { map.addLayer(r); }
    return r;
  }

  var Sites = L.Layer.extend({
    options: {pane: 'onemapSites'},

    // data: the payload (or an empty one while `url` is fetched); url: the payload file, if any.
    initialize: function (data, style, url) {
      this._style = style;
      this._take(data);
      if (url) { this.load(url); }
    },

    _take: function (data) {
      var n = data.n, q = data.q, grey = this._style.grey, over = data.og !== undefined;
      this._a = decodeAttrs(data);
      this._kind = data.k;
      this._n = n;
      this._q = q;
      // g0: drawn below dz (the overview, or the only level); g1: the detail, drawn from dz on.
      this._g0 = over ? decodeGeom(data.og, data.oxy, n, q) : decodeGeom(data.g, data.xy, n, q);
      this._g1 = over && data.g !== undefined ? decodeGeom(data.g, data.xy, n, q) : null;
      this._dz = over ? data.dz : null;
      this._du = over && !this._g1 ? data.du || null : null;
      this._duState = 0;  // 0 not asked, 1 on its way, 2 here, 3 failed
      this._sel = -1;
      this._index = null;
      this._drawnCount = 0;
      this._aggs = [];
      this._aggFlag = new Uint8Array(n);
      this._aggZoom = null;
      this._colors = this._a.cols.map(function (c) { return c || grey; });
      this._sprites = null;
    },

    // Replace the sites (a payload fetched after the layer was created: it keeps its click handlers).
    setData: function (data) {
      this._take(data);
      this._loading = false;
      if (this._map) {
        var sel = window.__onemapSelected;
        if (sel && sel.k === this._kind) { this._sel = this.indexOf(sel.id); }
        rendererOf(this._map).drawSoon();
      }
      return this;
    },

    load: function (url) {
      var self = this;
      this._loading = true;
      fetch(url).then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      }).then(function (d) { self.setData(d); }).catch(function (e) {
        self._loading = false;
        if (self._map) { rendererOf(self._map).drawSoon(); }
        console.warn('sites: ' + e);
      });
      return this;
    },

    // The detail of lines and polygons, fetched once the map comes near the zoom it is drawn at.
    _needDetail: function (zoom) {
      if (!this._du || this._duState || zoom < this._dz - 1) { return; }
      var self = this, n = this._n, q = this._q, url = this._du;
      this._duState = 1;
      fetch(url).then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      }).then(function (d) {
        if (self._du !== url) { return; }  // new data meanwhile
        self._g1 = decodeGeom(d.g, d.xy, n, q);
        self._duState = 2;
        if (self._map && self._map.getZoom() >= self._dz) { rendererOf(self._map).drawSoon(); }
      }).catch(function (e) { self._duState = 3; console.warn('site detail: ' + e); });
    },

    // The geometry drawn (and hit) at `zoom`.
    _geo: function (zoom) {
      return this._g1 && this._dz !== null && zoom >= this._dz ? this._g1 : this._g0;
    },

    onAdd: function (map) {
      ACTIVE.push(this);
      dispatcher(map);
      var sel = window.__onemapSelected;
      if (sel && sel.k === this._kind) { this._sel = this.indexOf(sel.id); }
      rendererOf(map).add(this);
    },

    onRemove: function (map) {
      var i = ACTIVE.indexOf(this);
      if (i >= 0) { ACTIVE.splice(i, 1); }
      var reg = map._onemapSites;
      if (reg && reg.tipOwner === this) { hideTip(map); }
      var r = map._onemapRenderer;
      if (r) {
        r.remove(this);
        if (!r._layers.length) { map.removeLayer(r); }
      }
    },

    redraw: function () { if (this._map && this._map._onemapRenderer) { this._map._onemapRenderer.draw(); } return this; },

    // Screen-space drawing: everything in view, batched by colour; many points aggregated at low zoom.
    // Into the renderer's frame f: {ctx, zoom, scale, ox, oy, size} (the canvas is cleared by the renderer).
    _draw: function (f) {
      var st = this._style, ctx = this._ctx = f.ctx, n = this._n, a = this._a, i, k, p;
      this._zoom = f.zoom;
      var d = this._d = this._geo(f.zoom);
      var scale = f.scale, ox = f.ox, oy = f.oy, size = f.size;
      this._scale = scale; this._ox = ox; this._oy = oy;
      this._aggs = [];
      this._aggZoom = null;
      this._drawnCount = 0;
      if (!n) { return; }
      var m = (st.radius + st.weight + 2) / scale;
      var vx0 = ox / scale - m, vy0 = oy / scale - m, vx1 = (ox + size.x) / scale + m, vy1 = (oy + size.y) / scale + m;
      var BB = d.BB, C = d.C, vis = [], pointLike = 0, tiny = TINY_PX / scale, small = new Uint8Array(n);
      for (i = 0; i < n; i++) {
        if (C[i] < 0 || BB[4 * i] > vx1 || BB[4 * i + 2] < vx0 || BB[4 * i + 1] > vy1 || BB[4 * i + 3] < vy0) { continue; }
        vis.push(i);
        if (C[i] === 0 || (BB[4 * i + 2] - BB[4 * i] < tiny && BB[4 * i + 3] - BB[4 * i + 1] < tiny)) { small[i] = 1; pointLike++; }
      }
      var aggregate = this._zoom < AGG_MAX_ZOOM && pointLike > AGG_MIN;
      var flag = this._aggFlag;
      flag.fill(0);
      if (aggregate) { this._aggregate(vis, small, f); }
      this._aggZoom = aggregate ? this._zoom : null;
      var ncol = this._colors.length, byColor = [[], [], []];
      for (k = 0; k < 3; k++) { for (p = 0; p < ncol; p++) { byColor[k].push([]); } }
      for (k = 0; k < vis.length; k++) {
        i = vis[k];
        if (!flag[i]) { byColor[C[i]][a.ci[i]].push(i); }
      }
      var self = this, dash = st.dash_array && f.zoom >= DASH_MIN_ZOOM ? String(st.dash_array).split(/[ ,]+/).map(Number) : [];
      var outline = rgba('#333333', 0.95);
      // Rasterising is most of the cost of a software canvas: mitred outlines (round joins cost an arc each),
      // one-pixel (hairline) outlines and lines when the whole county is in view, dashes only where a shape is
      // big enough to show them, points stamped from a sprite.
      ctx.lineJoin = 'miter'; ctx.lineCap = 'butt'; ctx.lineWidth = f.zoom <= HAIRLINE_MAX_ZOOM ? 1 : st.weight;
      // Polygons: filled in their colour, dark outline; then lines in their colour; then points. Small paths.
      function batches(list, cls, fill, stroke) {
        for (var c0 = 0; c0 < list.length; c0 += CHUNK) {
          ctx.beginPath();
          for (var c1 = c0; c1 < Math.min(list.length, c0 + CHUNK); c1++) {
            if (cls === 0) { self._circles(list[c1], st.radius); } else { self._path(list[c1], cls === 2); }
          }
          if (fill) { ctx.fill(); }
          if (stroke) { ctx.stroke(); }
        }
      }
      ctx.setLineDash(dash);
      // Colours in reverse legend order (the legend follows the workflow): a later step is drawn under an earlier
      // one, so an open site stays on top of the finished and dismissed ones around it. _hit follows this order.
      topLast(byColor[2], function (list, col) {
        if (!list.length) { return; }
        ctx.fillStyle = rgba(self._colors[col], st.fill_opacity); ctx.strokeStyle = outline;
        batches(list, 2, true, true);
      });
      ctx.lineJoin = 'round'; ctx.lineCap = 'round';
      topLast(byColor[1], function (list, col) {
        if (!list.length) { return; }
        ctx.strokeStyle = rgba(self._colors[col], 0.95);
        batches(list, 1, false, true);
      });
      ctx.setLineDash([]);
      topLast(byColor[0], function (list, col) {
        if (list.length) { self._stamps(list, col); }
      });
      ctx.globalAlpha = 1;
      this._drawAggregates();
      ctx.globalAlpha = 1;
      this._drawnCount = vis.length;
    },

    _drawSelectedOn: function (f) {
      if (!this._n || this._sel < 0 || !this._d || this._d.C[this._sel] < 0) { return; }
      var st = this._style, dash = st.dash_array ? String(st.dash_array).split(/[ ,]+/).map(Number) : [];
      this._ctx = f.ctx;
      this._drawSelected(this._sel, dash);
      f.ctx.globalAlpha = 1;
    },

    _path: function (f, close) {
      projectY(this._d, f);
      var d = this._d, X = d.X, Y = d.Y, ctx = this._ctx, s = this._scale, ox = this._ox, oy = this._oy;
      for (var p = d.FP[f]; p < d.FP[f + 1]; p++) {
        var a = d.PS[p], len = d.PL[p], lx = X[a] * s - ox, ly = Y[a] * s - oy, k, qx, qy;
        ctx.moveTo(lx, ly);
        for (k = 1; k < len; k++) {
          qx = X[a + k] * s - ox; qy = Y[a + k] * s - oy;
          // Skip vertices within MIN_STEP_PX of the last one drawn: at low zoom a ring is a few segments.
          if (k === len - 1 || Math.abs(qx - lx) + Math.abs(qy - ly) >= MIN_STEP_PX) { ctx.lineTo(qx, qy); lx = qx; ly = qy; }
        }
        if (close) { ctx.closePath(); }
      }
    },

    // Points as copies of one small pre-drawn marker per colour (a copy costs far less than drawing a circle).
    _stamps: function (list, col) {
      var sprite = this._sprite(col), ctx = this._ctx, d = this._d, X = d.X, Y = d.Y, s = this._scale;
      var half = sprite.half, size = sprite.size, ox = this._ox + half, oy = this._oy + half, k, p, f, j;
      for (k = 0; k < list.length; k++) {
        f = list[k];
        if (!d.YF[f]) { projectY(d, f); }
        for (p = d.FP[f]; p < d.FP[f + 1]; p++) {
          j = d.PS[p];
          ctx.drawImage(sprite.canvas, Math.round(X[j] * s - ox), Math.round(Y[j] * s - oy), size, size);
        }
      }
    },
    _sprite: function (col) {
      var r = window.devicePixelRatio || 1, cache = this._sprites || (this._sprites = {}), key = col + '@' + r;
      if (cache[key]) { return cache[key]; }
      var st = this._style, half = Math.ceil(st.radius + st.weight / 2 + 1), size = 2 * half;
      var c = document.createElement('canvas');
      c.width = c.height = Math.ceil(size * r);
      var g = c.getContext('2d');
      g.scale(r, r);
      g.beginPath(); g.arc(half, half, st.radius, 0, 2 * Math.PI);
      g.fillStyle = rgba(this._colors[col], st.fill_opacity); g.fill();
      g.lineWidth = st.weight; g.strokeStyle = rgba('#333333', 0.95); g.stroke();
      cache[key] = {canvas: c, half: half, size: size};
      return cache[key];
    },

    _circles: function (f, r) {
      projectY(this._d, f);
      var d = this._d, ctx = this._ctx, s = this._scale;
      for (var p = d.FP[f]; p < d.FP[f + 1]; p++) {
        var x = d.X[d.PS[p]] * s - this._ox, y = d.Y[d.PS[p]] * s - this._oy;
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
      }
    },

    // Point-like sites in view counted into AGG_CELL cells of the world pixel grid (cells stay put when the map
    // pans), in typed arrays over the cells the canvas covers: a cell of two or more is drawn as one circle.
    _aggregate: function (vis, small, f) {
      var d = this._d, ci = this._a.ci, BB = d.BB, scale = f.scale, ncol = this._colors.length, k, i, cx, cy, c;
      var gx0 = Math.floor(f.ox / AGG_CELL) - 1, gy0 = Math.floor(f.oy / AGG_CELL) - 1;
      var gw = Math.ceil(f.size.x / AGG_CELL) + 3, gh = Math.ceil(f.size.y / AGG_CELL) + 3, ncell = gw * gh;
      var cnt = new Int32Array(ncell), sx = new Float64Array(ncell), sy = new Float64Array(ncell);
      var bx0 = new Float64Array(ncell).fill(Infinity), by0 = new Float64Array(ncell).fill(Infinity);
      var bx1 = new Float64Array(ncell).fill(-Infinity), by1 = new Float64Array(ncell).fill(-Infinity);
      var cols = new Int32Array(ncell * ncol), cellOf = new Int32Array(vis.length).fill(-1);
      for (k = 0; k < vis.length; k++) {
        i = vis[k];
        if (!small[i]) { continue; }
        cx = (BB[4 * i] + BB[4 * i + 2]) / 2; cy = (BB[4 * i + 1] + BB[4 * i + 3]) / 2;
        var gx = Math.min(gw - 1, Math.max(0, Math.floor(cx * scale / AGG_CELL) - gx0));
        var gy = Math.min(gh - 1, Math.max(0, Math.floor(cy * scale / AGG_CELL) - gy0));
        c = cellOf[k] = gy * gw + gx;
        cnt[c]++; sx[c] += cx; sy[c] += cy;
        if (cx < bx0[c]) { bx0[c] = cx; } if (cx > bx1[c]) { bx1[c] = cx; }
        if (cy < by0[c]) { by0[c] = cy; } if (cy > by1[c]) { by1[c] = cy; }
        cols[c * ncol + ci[i]]++;
      }
      var flag = this._aggFlag, aggs = this._aggs;
      for (k = 0; k < vis.length; k++) {
        c = cellOf[k];
        if (c >= 0 && cnt[c] > 1) { flag[vis[k]] = 1; }
      }
      for (c = 0; c < ncell; c++) {
        var n = cnt[c];
        if (n < 2) { continue; }
        var best = 0, most = -1;
        for (var q = 0; q < ncol; q++) { if (cols[c * ncol + q] > most) { most = cols[c * ncol + q]; best = q; } }
        aggs.push({n: n, x: sx[c] / n * scale, y: sy[c] / n * scale, r: Math.min(24, 9 + 3 * Math.log(n) / Math.LN2),
                   col: best, x0: bx0[c], y0: by0[c], x1: bx1[c], y1: by1[c]});
      }
    },

    _drawAggregates: function () {
      var ctx = this._ctx, ox = this._ox, oy = this._oy, colors = this._colors;
      if (!this._aggs.length) { return; }
      ctx.font = 'bold 11px sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
      this._aggs.forEach(function (a) {
        var x = a.x - ox, y = a.y - oy;
        ctx.beginPath(); ctx.arc(x, y, a.r, 0, 2 * Math.PI);
        ctx.globalAlpha = 0.85; ctx.fillStyle = colors[a.col]; ctx.fill();
        ctx.globalAlpha = 1; ctx.strokeStyle = '#ffffff'; ctx.lineWidth = 2; ctx.stroke();
        var t = a.n >= 10000 ? Math.round(a.n / 1000) + 'k' : (a.n >= 1000 ? (a.n / 1000).toFixed(1) + 'k' : String(a.n));
        ctx.lineWidth = 3; ctx.strokeStyle = 'rgba(0,0,0,0.6)'; ctx.strokeText(t, x, y);
        ctx.fillStyle = '#ffffff'; ctx.fillText(t, x, y);
      });
    },

    _drawSelected: function (f, dash) {
      var ctx = this._ctx, st = this._style, c = this._d.C[f], col = this._colors[this._a.ci[f]];
      ctx.beginPath();
      if (c === 0) { this._circles(f, st.radius); } else { this._path(f, c === 2); }
      ctx.setLineDash(c === 0 ? [] : dash);
      if (c === 0) { ctx.globalAlpha = st.fill_opacity; ctx.fillStyle = col; ctx.fill(); }
      ctx.globalAlpha = 1; ctx.strokeStyle = st.selected; ctx.lineWidth = st.weight + (c === 1 ? 6 : 3); ctx.stroke();
      if (c === 1) { ctx.strokeStyle = col; ctx.lineWidth = st.weight + 2; ctx.stroke(); }
      ctx.setLineDash([]);
    },

    // -- hit testing: a grid over the features' bounding boxes (mercator units), per level, built on first use --
    _grid: function (d) {
      if (d.grid) { return d.grid; }
      var BB = d.BB, n = this._n, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, i;
      for (i = 0; i < n; i++) {
        if (d.C[i] < 0) { continue; }
        x0 = Math.min(x0, BB[4 * i]); y0 = Math.min(y0, BB[4 * i + 1]);
        x1 = Math.max(x1, BB[4 * i + 2]); y1 = Math.max(y1, BB[4 * i + 3]);
      }
      var side = Math.max(1, Math.min(256, Math.ceil(Math.sqrt(n / 4))));
      var w = Math.max(x1 - x0, 1e-12) / side, h = Math.max(y1 - y0, 1e-12) / side, cells = new Array(side * side);
      for (i = 0; i < n; i++) {
        if (d.C[i] < 0) { continue; }
        var a0 = Math.min(side - 1, Math.floor((BB[4 * i] - x0) / w)), a1 = Math.min(side - 1, Math.floor((BB[4 * i + 2] - x0) / w));
        var b0 = Math.min(side - 1, Math.floor((BB[4 * i + 1] - y0) / h)), b1 = Math.min(side - 1, Math.floor((BB[4 * i + 3] - y0) / h));
        for (var a = a0; a <= a1; a++) {
          for (var b = b0; b <= b1; b++) { var k = b * side + a; (cells[k] || (cells[k] = [])).push(i); }
        }
      }
      d.grid = {x0: x0, y0: y0, w: w, h: h, side: side, cells: cells};
      return d.grid;
    },

    // What of this layer is at world pixel (wx, wy) at the map's current zoom: {agg} or {index}, or null.
    _hit: function (wx, wy, scale, zoom) {
      var d = this._geo(zoom), st = this._style, i, k;
      if (!this._n) { return null; }
      var aggsValid = this._aggZoom !== null && this._aggZoom === zoom;
      if (aggsValid) {
        for (k = this._aggs.length - 1; k >= 0; k--) {
          var a = this._aggs[k];
          if ((a.x - wx) * (a.x - wx) + (a.y - wy) * (a.y - wy) <= (a.r + 2) * (a.r + 2)) { return {layer: this, agg: a}; }
        }
      }
      var g = this._grid(d), reach = (st.radius + st.weight / 2 + HIT_PX + 4) / scale;
      var mx = wx / scale, my = wy / scale;
      var a0 = Math.max(0, Math.floor((mx - reach - g.x0) / g.w)), a1 = Math.min(g.side - 1, Math.floor((mx + reach - g.x0) / g.w));
      var b0 = Math.max(0, Math.floor((my - reach - g.y0) / g.h)), b1 = Math.min(g.side - 1, Math.floor((my + reach - g.y0) / g.h));
      var best = -1, bestRank = -1, seen = {}, ci = this._a.ci, ncol = this._colors.length, span = ncol * this._n;
      for (var ga = a0; ga <= a1; ga++) {
        for (var gb = b0; gb <= b1; gb++) {
          var list = g.cells[gb * g.side + ga];
          if (!list) { continue; }
          for (k = 0; k < list.length; k++) {
            i = list[k];
            if (seen[i] || (aggsValid && this._aggFlag[i])) { continue; }
            seen[i] = 1;
            if (d.BB[4 * i] > mx + reach || d.BB[4 * i + 2] < mx - reach || d.BB[4 * i + 1] > my + reach || d.BB[4 * i + 3] < my - reach) { continue; }
            if (!this._hits(d, i, wx, wy, scale)) { continue; }
            // Points over lines over polygons; the selected one on top, then by colour and order
            // (as _draw paints: class, then colour in reverse legend order, then the later site over the earlier)
            var rank = (2 - d.C[i]) * 4 * span + (i === this._sel ? 2 * span : 0) + (ncol - 1 - ci[i]) * this._n + i;
            if (rank > bestRank) { bestRank = rank; best = i; }
          }
        }
      }
      return best >= 0 ? {layer: this, index: best} : null;
    },

    _hits: function (d, i, wx, wy, scale) {
      projectY(d, i);
      var st = this._style, X = d.X, Y = d.Y, c = d.C[i], p, k, a, len;
      if (c === 0) {
        var r = st.radius + st.weight / 2 + HIT_PX;
        for (p = d.FP[i]; p < d.FP[i + 1]; p++) {
          var dx = X[d.PS[p]] * scale - wx, dy = Y[d.PS[p]] * scale - wy;
          if (dx * dx + dy * dy <= r * r) { return true; }
        }
        return false;
      }
      var tol = st.weight / 2 + HIT_PX, inside = false;
      for (p = d.FP[i]; p < d.FP[i + 1]; p++) {
        a = d.PS[p]; len = d.PL[p];
        for (k = 0; k < len; k++) {
          var j = k + 1 < len ? k + 1 : (c === 2 ? 0 : -1);
          if (j < 0) { break; }
          var ax = X[a + k] * scale, ay = Y[a + k] * scale, bx = X[a + j] * scale, by = Y[a + j] * scale;
          if (segDist2(wx, wy, ax, ay, bx, by) <= tol * tol) { return true; }
          if (c === 2 && ((ay > wy) !== (by > wy)) && wx < (bx - ax) * (wy - ay) / (by - ay) + ax) { inside = !inside; }
        }
      }
      return inside;
    },

    // -- features as the rest of the page sees them --
    id: function (i) { return this._a.id(i); },
    name: function (i) { return this._a.name(i); },
    indexOf: function (id) {
      if (!this._index) {
        var idx = this._index = new Map();
        for (var i = 0; i < this._n; i++) { idx.set(this._a.id(i), i); }
      }
      var k = this._index.get(id);
      return k === undefined ? -1 : k;
    },
    properties: function (i) {
      var a = this._a, p = {id: a.id(i), k: this._kind, s: a.st[a.si[i]], n: a.name(i)};
      if (a.hasKey) { p.c = a.keys[a.ci[i]]; }
      return p;
    },
    // The clicked site as streamlit-folium reads it: e.layer.toGeoJSON().properties.id.
    featureLayer: function (i) {
      var props = this.properties(i), self = this;
      return {
        id: props.id, k: props.k, index: i, layer: self,
        feature: {type: 'Feature', properties: props, geometry: null},
        toGeoJSON: function () { return {type: 'Feature', properties: L.extend({}, props), geometry: null}; },
        getLatLng: function () { return self.anchor(i); }
      };
    },
    // The geometry drawn now (the map's zoom), or the first level off the map.
    _shown: function () { return this._map ? this._geo(this._map.getZoom()) : this._g0; },
    // A point of the feature in the display frame: the point, a point on the line, a point inside the polygon.
    anchor: function (i) {
      var d = this._shown(), c = d.C[i], p0 = d.FP[i], a = d.PS[p0], len = d.PL[p0];
      if (c < 0) { return null; }
      if (c === 0) { return L.latLng(d.LAT[a], d.LON[a]); }
      if (c === 1) {
        var m = Math.max(0, Math.floor((len - 1) / 2)), n2 = Math.min(len - 1, m + 1);
        return L.latLng((d.LAT[a + m] + d.LAT[a + n2]) / 2, (d.LON[a + m] + d.LON[a + n2]) / 2);
      }
      // Scan line through the middle of the first ring: the widest inside stretch (even-odd over every ring).
      var y0 = Infinity, y1 = -Infinity, k, p;
      for (k = a; k < a + len; k++) { y0 = Math.min(y0, d.LAT[k]); y1 = Math.max(y1, d.LAT[k]); }
      var y = (y0 + y1) / 2, xs = [];
      for (p = p0; p < d.FP[i + 1]; p++) {
        var s = d.PS[p], l = d.PL[p];
        for (k = 0; k < l; k++) {
          var j = (k + 1) % l, ay = d.LAT[s + k], by = d.LAT[s + j], ax = d.LON[s + k], bx = d.LON[s + j];
          if ((ay > y) !== (by > y)) { xs.push(ax + (y - ay) * (bx - ax) / (by - ay)); }
        }
      }
      xs.sort(function (u, v) { return u - v; });
      var bestW = -1, bestX = d.LON[a];
      for (k = 0; k + 1 < xs.length; k += 2) { if (xs[k + 1] - xs[k] > bestW) { bestW = xs[k + 1] - xs[k]; bestX = (xs[k] + xs[k + 1]) / 2; } }
      return L.latLng(y, bestX);
    },
    feature: function (i) {
      var a = this._a, ll = this.anchor(i), p = this.properties(i);
      return {id: p.id, k: p.k, s: p.s, c: a.keys[a.ci[i]], n: p.n, color: this._colors[a.ci[i]],
              lat: ll ? ll.lat : null, lng: ll ? ll.lng : null};
    },

    select: function (i) {
      var self = this, maps = [this._map];
      ACTIVE.forEach(function (l) {
        if (l !== self && l._sel >= 0) { l._sel = -1; if (maps.indexOf(l._map) < 0) { maps.push(l._map); } }
      });
      this._sel = i;
      window.__onemapSelected = i >= 0 ? this.featureLayer(i) : null;
      maps.forEach(function (m) { if (m && m._onemapRenderer) { m._onemapRenderer.draw(); } });
    },

    // Something changed that the map must show (used by pages that fill a layer themselves).
    _changed: function () {
      this._loading = false;
      if (this._map) { rendererOf(this._map).drawSoon(); }
    }
  });
  Sites.VERSION = VERSION;

  // -- one dispatcher per map: hover (tooltip, cursor) and click, topmost kind first --
  function layersOf(map) {
    return ACTIVE.filter(function (l) { return l._map === map; }).sort(function (u, v) {
      return (v._style.z_order || 0) - (u._style.z_order || 0) || ACTIVE.indexOf(v) - ACTIVE.indexOf(u);
    });
  }
  function hitAt(map, cp) {
    if (map._animatingZoom) { return null; }
    var lp = map.containerPointToLayerPoint(cp), po = map.getPixelOrigin(), z = map.getZoom();
    var wx = lp.x + po.x, wy = lp.y + po.y, scale = map.options.crs.scale(z), ls = layersOf(map);
    for (var k = 0; k < ls.length; k++) { var h = ls[k]._hit(wx, wy, scale, z); if (h) { return h; } }
    return null;
  }
  function hideTip(map) {
    var reg = map._onemapSites;
    if (reg.tip && map.hasLayer(reg.tip)) { map.removeLayer(reg.tip); }
    reg.tipKey = null; reg.tipOwner = null;
    map.getContainer().style.cursor = '';
  }
  function showTip(map, h, latlng) {
    var reg = map._onemapSites, layer = h.layer, el = document.createElement('span'), key, at, dy = 0;
    if (h.agg) {
      key = 'agg:' + layer._kind + ':' + h.agg.x + ':' + h.agg.y;
      el.textContent = layer._a.label + ' (' + h.agg.n + ')';
      at = map.unproject(L.point(h.agg.x, h.agg.y), map.getZoom());
      dy = h.agg.r;
    } else {
      var point = layer._shown().C[h.index] === 0;
      key = layer._kind + ':' + h.index;
      el.textContent = unescapeHtml(layer.name(h.index));
      at = point ? layer.anchor(h.index) : latlng;
      dy = point ? layer._style.radius : 4;
    }
    map.getContainer().style.cursor = 'pointer';
    if (!reg.tip) { reg.tip = L.tooltip({direction: 'top', opacity: 0.95, className: 'onemap-site-tip'}); }
    reg.tip.options.offset = L.point(0, -dy);
    reg.tip.setLatLng(at);
    if (reg.tipKey !== key) { reg.tip.setContent(el); reg.tipKey = key; }
    reg.tipOwner = layer;
    if (!map.hasLayer(reg.tip)) { reg.tip.addTo(map); }
  }
  function dispatcher(map) {
    if (map._onemapSites) { return map._onemapSites; }
    var reg = map._onemapSites = {tip: null, tipKey: null, tipOwner: null};
    map.on('mousemove', function (e) {
      if (map.dragging && map.dragging.moving && map.dragging.moving()) { return; }
      var h = hitAt(map, e.containerPoint);
      if (h) { showTip(map, h, e.latlng); } else if (reg.tipKey !== null || map.getContainer().style.cursor) { hideTip(map); }
    });
    map.on('mouseout zoomstart movestart', function () { hideTip(map); });
    map.on('click', function (e) {
      var h = hitAt(map, e.containerPoint);
      if (!h) { hideTip(map); return; }  // a tap beside every site closes the name a tap opened
      if (h.agg) {
        // An aggregate: zoom in on what it gathers.
        var b = L.latLngBounds(unmerc(h.agg.x0, h.agg.y1), unmerc(h.agg.x1, h.agg.y0)), z = map.getZoom();
        var target = Math.max(z + 1, Math.min(map.getBoundsZoom(b, false, L.point(40, 40)), AGG_MAX_ZOOM));
        map.setView(b.getCenter(), Math.min(target, map.getMaxZoom()));
        return;
      }
      var layer = h.layer, i = h.index;
      layer.select(i);
      showTip(map, h, e.latlng);
      var ll = layer._shown().C[i] === 0 ? layer.anchor(i) : e.latlng;
      layer.fire('click', {latlng: ll, layer: layer.featureLayer(i), containerPoint: e.containerPoint,
                           layerPoint: e.layerPoint, originalEvent: e.originalEvent}, true);
    });
    return reg;
  }

  L.OnemapSites = Sites;
  L.onemapSites = function (data, style, url) { return new Sites(data, style, url); };

  // Test and debugging hook: what the site layers hold and draw, without reaching into Leaflet's layers.
  function each(fn) { ACTIVE.forEach(fn); }
  function find(id) {
    for (var k = 0; k < ACTIVE.length; k++) { var i = ACTIVE[k].indexOf(id); if (i >= 0) { return [ACTIVE[k], i]; } }
    return null;
  }
  window.__onemapSites = {
    counts: function () { var c = {}; each(function (l) { c[l._kind] = (c[l._kind] || 0) + l._n; }); return c; },
    features: function (kind) {
      var out = [];
      each(function (l) { if (!kind || l._kind === kind) { for (var i = 0; i < l._n; i++) { out.push(l.feature(i)); } } });
      return out;
    },
    feature: function (id) { var f = find(id); return f ? f[0].feature(f[1]) : null; },
    pixelOf: function (id) {
      var f = find(id), ll = f && f[0].anchor(f[1]);
      if (!ll) { return null; }
      var p = f[0]._map.latLngToContainerPoint(ll);
      return [p.x, p.y];
    },
    drawn: function (kind) { var n = 0; each(function (l) { if (!kind || l._kind === kind) { n += l._drawnCount; } }); return n; },
    // Aggregate circles drawn at the last redraw: [{k, n, x, y}] (container points).
    aggregates: function (kind) {
      var out = [];
      each(function (l) {
        if ((kind && l._kind !== kind) || l._aggZoom !== l._map.getZoom()) { return; }
        l._aggs.forEach(function (a) {
          var p = l._map.layerPointToContainerPoint(L.point(a.x, a.y).subtract(l._map.getPixelOrigin()));
          out.push({k: l._kind, n: a.n, x: p.x, y: p.y});
        });
      });
      return out;
    },
    // What a tap at container point (x, y) would hit: {id, k}, {k, aggregate: count} or null.
    idAt: function (x, y) {
      if (!ACTIVE.length) { return null; }
      var h = hitAt(ACTIVE[0]._map, L.point(x, y));
      if (!h) { return null; }
      return h.agg ? {k: h.layer._kind, aggregate: h.agg.n} : {id: h.layer.id(h.index), k: h.layer._kind};
    },
    selected: function () { var s = window.__onemapSelected; return s ? s.id : null; },
    // Whole redraws of the site canvas asked for by loading and changes (not by panning or zooming) so far.
    draws: function () {
      var m = ACTIVE.length && ACTIVE[0]._map, r = m && m._onemapRenderer;
      return r ? r.draws || 0 : 0;
    },
    // Whether sites are still on their way or waiting to be drawn (a payload fetched, a draw scheduled).
    pending: function () {
      return ACTIVE.some(function (l) {
        var r = l._map && l._map._onemapRenderer;
        return l._loading || (r && (r._soon || r._waitSince !== null));
      });
    },
    // The levels of detail of a kind: {levels: 1 or 2, detail: 'inline' | 'waiting' | 'loading' | 'here' | 'failed',
    // drawing: 'overview' | 'detail'}.
    detail: function (kind) {
      var out = null;
      each(function (l) {
        if (l._kind !== kind) { return; }
        var state = l._dz === null ? 'inline' : (l._du ? ['waiting', 'loading', 'here', 'failed'][l._duState] : 'here');
        out = {levels: l._dz === null ? 1 : 2, detail: state, drawing: l._d === l._g1 && l._g1 ? 'detail' : 'overview'};
      });
      return out;
    }
  };
})();
