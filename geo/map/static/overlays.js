// Small overlays drawn into a feature group: device-fix evidence lines, the device position, town outlines,
// reference areas.
(function () {
  var OneMap = window.OneMap = window.OneMap || {};

  // Lines from a site to where the device was for each change, and a dot there (tooltips escaped by the server).
  OneMap.evidence = function (group, items) {
    items.forEach(function (it) {
      L.polyline([[it.slat, it.slon], [it.lat, it.lon]],
                 {color: it.color, weight: 3, opacity: 0.9, dashArray: '6 5', interactive: false}).addTo(group);
      var m = L.circleMarker([it.lat, it.lon],
                             {radius: 6, color: '#222222', weight: 1.5, fillColor: it.color, fillOpacity: 1});
      m.bindTooltip(it.text, {direction: 'top'});
      m.addTo(group);
    });
    return group;
  };

  // A blue dot where the device (or the user's pick) is, with its accuracy circle.
  OneMap.position = function (group, p) {
    if (p.accuracy) {
      L.circle([p.lat, p.lon], {radius: p.accuracy, color: '#1565c0', weight: 1, fillOpacity: 0.12,
                                interactive: false}).addTo(group);
    }
    L.circleMarker([p.lat, p.lon], {radius: 8, color: '#ffffff', weight: 3, fillColor: '#1565c0', fillOpacity: 1,
                                    interactive: false}).addTo(group);
    return group;
  };

  // Official reference areas as coloured dashed outlines, and the parts no zone in force covers shaded red;
  // both under the sites and deaf to taps (a tap meant for a zone must reach it). They get a pane of their
  // own above the base geography (which arrives later and would cover them in its pane), below rasters and sites.
  OneMap.referenceAreas = function (group, map, data) {
    if (!map.getPane('onemapReference')) {
      map.createPane('onemapReference').style.zIndex = 300;
      map.getPane('onemapReference').style.pointerEvents = 'none';
    }
    L.geoJSON(data, {pane: 'onemapReference', interactive: false,
      style: function (f) {
        var p = f.properties;
        return p.uncovered
          ? {color: p.color, weight: 1, opacity: 0.8, dashArray: '3 3', fill: true, fillColor: p.color, fillOpacity: 0.22}
          : {color: p.color, weight: 2.2, opacity: 0.95, dashArray: '10 5', fill: false};
      }}).addTo(group);
    return group;
  };

  // Official town boundaries (imported by an admin) as thin dashed outlines under the sites.
  OneMap.townOutlines = function (group, data) {
    L.geoJSON(data, {pane: 'onemapBase', interactive: false,
      style: {color: '#8d6e63', weight: 1.2, opacity: 0.9, fill: false, dashArray: '4 3'}}).addTo(group);
    return group;
  };

  // Move the map to what was chosen: fit to the filtered sites, pan to a site picked from a list.
  // The group comes again with every rerun: a request (its key) is applied once, so the user's own
  // panning in between is not undone.
  OneMap.view = function (group, req) {
    var b = req.bounds;
    var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
    if (req.highlight) {
      // SVG, not the map's canvas: the ring is an element of its own (drawn above the sites).
      L.circleMarker(bounds.getCenter(), {radius: 18, color: '#1565c0', weight: 3, opacity: 0.9, fill: false,
                                          interactive: false, className: 'onemap-focus',
                                          renderer: L.svg({pane: 'markerPane'})}).addTo(group);
    }
    group.on('add', function () {
      var map = group._map;
      if (!map || window.__onemapView === req.key) { return; }
      window.__onemapView = req.key;
      map.invalidateSize();
      map.fitBounds(bounds, {maxZoom: req.max_zoom, padding: [28, 28], animate: false});
    });
    return group;
  };
}());
