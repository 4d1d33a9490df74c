// The constant part of every map: offline basemap (or online tiles), labels, fullscreen, credits.
// Called once per map as OneMap.basemap(map, cfg); cfg is built by geo/map/build.py.
(function () {
  var OneMap = window.OneMap = window.OneMap || {};

  function load(map, base, file, style) {
    fetch(base + file).then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
      if (d) { L.geoJSON(d, {pane: 'onemapBase', interactive: false, style: style}).addTo(map); }
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
