// Raster overlays: one tile layer per raster in its own pane, and the panel of opacity sliders and legends.
(function () {
  var OneMap = window.OneMap = window.OneMap || {};

  OneMap.raster = function (group, map, o, emptyTile) {
    if (!map.getPane('onemapRaster')) { map.createPane('onemapRaster').style.zIndex = 350; }
    var layer = L.tileLayer(o.url, {
      pane: 'onemapRaster', opacity: o.opacity, minZoom: 0, maxZoom: 18, minNativeZoom: o.min_zoom,
      maxNativeZoom: o.max_zoom, bounds: [[o.bounds[1], o.bounds[0]], [o.bounds[3], o.bounds[2]]],
      errorTileUrl: emptyTile, className: 'onemap-raster-' + o.key
    });
    layer.addTo(group);
    window.__onemapRasters = window.__onemapRasters || {};
    window.__onemapRasters[o.key] = layer;
    return group;
  };

  OneMap.rasterPanel = function (map, cfg) {
    var ctl = L.control({position: 'bottomright'});
    ctl.onAdd = function () {
      var box = L.DomUtil.create('details', 'onemap-legend onemap-rasters');
      box.open = false;  // opened on demand: it would cover the map on a tablet
      var sum = L.DomUtil.create('summary', '', box);
      sum.textContent = cfg.title;
      cfg.items.forEach(function (it) {
        var h = L.DomUtil.create('div', 'onemap-legend-kind', box);
        h.textContent = it.label;
        if (it.note) { var n = L.DomUtil.create('div', 'onemap-raster-note', box); n.textContent = it.note; }
        var row = L.DomUtil.create('label', 'onemap-legend-row', box);
        var t = L.DomUtil.create('span', '', row);
        t.textContent = cfg.opacity_label;
        var input = L.DomUtil.create('input', 'onemap-opacity', row);
        input.type = 'range'; input.min = 0; input.max = 100; input.value = Math.round(it.opacity * 100);
        input.setAttribute('aria-label', it.label + ' ' + t.textContent);
        input.dataset.raster = it.key;
        input.addEventListener('input', function () {
          var layer = (window.__onemapRasters || {})[it.key];
          if (layer) { layer.setOpacity(input.value / 100); }
        });
        if (it.legend.length) {
          var ramp = L.DomUtil.create('div', 'onemap-ramp', box);
          ramp.style.background = 'linear-gradient(to right, ' + it.legend.map(function (e) { return e[1]; }).join(', ') + ')';
          var ticks = L.DomUtil.create('div', 'onemap-ramp-ticks', box);
          it.legend.forEach(function (e) { var s = L.DomUtil.create('span', '', ticks); s.textContent = e[0]; });
        }
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    ctl.addTo(map);
  };
}());
