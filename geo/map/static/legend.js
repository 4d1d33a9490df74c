// The legend (statuses per kind, or categories) and the sample-data badge; every label goes in as text.
(function () {
  var OneMap = window.OneMap = window.OneMap || {};

  OneMap.legend = function (map, data) {
    var ctl = L.control({position: 'bottomleft'});
    ctl.onAdd = function () {
      var box = L.DomUtil.create('details', 'onemap-legend');
      box.open = data.open;
      var sum = L.DomUtil.create('summary', '', box);
      sum.textContent = data.title;
      data.kinds.forEach(function (k) {
        var h = L.DomUtil.create('div', 'onemap-legend-kind', box);
        h.textContent = k.label;
        k.statuses.forEach(function (s) {
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
      b.onAdd = function () {
        var el = L.DomUtil.create('div', 'onemap-badge');
        el.textContent = data.badge;
        return el;
      };
      b.addTo(map);
    }
  };
}());
