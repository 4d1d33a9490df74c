// 离线巡查: the offline field client's page. Opens with no connection once it has been opened online by a
// signed-in inspector (the service worker keeps its files, IndexedDB its pack and queue).
//   map + nearest sites from the device position -> a site's card -> a status change with note, the kind's
//   fields, photos (resized here) and the device fix, or a day of readings (field-readings.js) -> the queue ->
//   sent one by one when online.
// Every text goes into the page with textContent; labels come from the pack (the layer specs) and shell.json.
(function () {
  'use strict';
  var DB = window.FieldDB, S = window.FieldSync;
  var LANG_KEY = 'onemap-field-lang';
  var FIX_STALE_MS = 2 * 60 * 1000;
  var NEAREST = 40;
  var state = {
    cfg: null, lang: 'zh', online: navigator.onLine, auth: 'unknown', me: null, pack: null, queue: [],
    fix: null, fixError: null, view: 'near', selected: null, draft: null, query: '', syncing: false,
    lastSync: null, notice: null, installPrompt: null, swReady: false, rdrafts: {user: null, drafts: {}}
  };
  var map = null, siteLayer = null, fixLayer = null, layersById = {};

  // -- text ---------------------------------------------------------------------------------------------
  function t(key, vars) {
    var pair = (state.cfg && state.cfg.strings[key]) || [key, key];
    var s = state.lang === 'zh' ? pair[0] : pair[1];
    Object.keys(vars || {}).forEach(function (k) { s = s.split('{' + k + '}').join(String(vars[k])); });
    return s;
  }
  function lbl(o) { return o ? (state.lang === 'zh' ? o.zh : (o.en || o.zh)) : ''; }
  function msg(m) { return m ? (state.lang === 'zh' ? (m.zh || m.en) : (m.en || m.zh)) : ''; }
  function fixText(m) {
    if (!m) { return ''; }
    return state.lang === 'zh' ? (m.fix_zh || '') : (m.fix_en || m.fix_zh || '');
  }
  function when(v) {
    if (v === null || v === undefined || v === '') { return '—'; }
    var d = new Date(v);
    if (isNaN(d.getTime())) { return String(v); }
    return d.toLocaleString(state.lang === 'zh' ? 'zh-CN' : 'en-GB',
                            {timeZone: 'Asia/Shanghai', hour12: false, year: 'numeric', month: '2-digit',
                             day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'});
  }

  // -- DOM --------------------------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) { return; }
      if (k === 'text') { e.textContent = v; }
      else if (k === 'cls') { e.className = v; }
      else if (k.slice(0, 2) === 'on') { e.addEventListener(k.slice(2), v); }
      else { e.setAttribute(k, v === true ? '' : v); }
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) { return; }
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function $(id) { return document.getElementById(id); }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }

  // -- the pack's vocabulary ----------------------------------------------------------------------------------
  function kinds() { return state.pack ? state.pack.pack.kinds : {}; }
  function kindOf(site) { return kinds()[site.kind]; }
  function statusOf(kind, code) {
    var k = kinds()[kind];
    return k ? k.statuses.filter(function (s) { return s.code === code; })[0] : null;
  }
  function fieldOf(kind, name) {
    var k = kinds()[kind];
    return k ? k.fields.filter(function (f) { return f.name === name; })[0] : null;
  }
  function fieldLabel(f) { return lbl(f) + (f.unit ? ' (' + f.unit + ')' : ''); }
  function valueText(f, v) {
    if (v === null || v === undefined || v === '') { return '—'; }
    if (f && f.type === 'choice') {
      var c = f.choices.filter(function (x) { return x.code === v; })[0];
      return c ? lbl(c) : String(v);
    }
    if (f && f.type === 'bool') { return v ? t('yes') : t('no'); }
    if (f && f.photo) { return t('photo_attached'); }
    return String(v);
  }
  function townName(code) {
    var tw = state.pack ? state.pack.pack.towns.filter(function (x) { return x.code === code; })[0] : null;
    return tw ? lbl(tw) : code;
  }
  function sites() { return state.pack ? state.pack.pack.sites : []; }
  function siteById(id) { return sites().filter(function (s) { return s.id === id; })[0]; }

  // The site as this device sees it: the pack's state, moved on by the changes recorded here and not refused.
  function effective(site) {
    var eff = {status: site.status, version: site.version, after: null, pending: 0};
    state.queue.forEach(function (it) {
      if (it.site_id !== site.id || it.type === 'readings') { return; }  // readings do not move the status here
      if (it.state === 'pending' || it.state === 'sending') {
        eff = {status: it.to_status, version: it.base_version + 1, after: it.op_id, pending: eff.pending + 1};
      } else if (it.state === 'applied' && it.result && it.result.applied_version > eff.version) {
        eff = {status: it.to_status, version: it.result.applied_version, after: null, pending: eff.pending};
      }
    });
    return eff;
  }

  // -- distances (a local flat approximation: ranking and a hint; the server measures the evidence) ----------
  function metres(lon0, lat0) {
    var kx = 111320 * Math.cos(lat0 * Math.PI / 180), ky = 110574;
    return function (p) { return [(p[0] - lon0) * kx, (p[1] - lat0) * ky]; };
  }
  function segDist(p, a, b) {
    var dx = b[0] - a[0], dy = b[1] - a[1], L = dx * dx + dy * dy;
    var u = L ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / L)) : 0;
    var x = a[0] + u * dx - p[0], y = a[1] + u * dy - p[1];
    return Math.sqrt(x * x + y * y);
  }
  function ringDist(p, ring) {
    var d = Infinity;
    for (var i = 1; i < ring.length; i++) { d = Math.min(d, segDist(p, ring[i - 1], ring[i])); }
    return d;
  }
  function inside(p, ring) {
    var c = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      if (((ring[i][1] > p[1]) !== (ring[j][1] > p[1])) &&
          (p[0] < (ring[j][0] - ring[i][0]) * (p[1] - ring[i][1]) / (ring[j][1] - ring[i][1]) + ring[i][0])) { c = !c; }
    }
    return c;
  }
  function distanceTo(site, fix) {
    var g = site.geometry;
    if (!fix || !g) { return null; }
    var proj = metres(fix.lon, fix.lat), p = [0, 0];
    function pts(list) { return list.map(proj); }
    if (g.type === 'Point') { return segDist(p, proj(g.coordinates), proj(g.coordinates)); }
    var lines = [], polys = [];
    if (g.type === 'LineString') { lines = [g.coordinates]; }
    if (g.type === 'MultiLineString') { lines = g.coordinates; }
    if (g.type === 'Polygon') { polys = [g.coordinates]; }
    if (g.type === 'MultiPolygon') { polys = g.coordinates; }
    var d = Infinity;
    lines.forEach(function (l) { d = Math.min(d, ringDist(p, pts(l))); });
    polys.forEach(function (poly) {
      var rings = poly.map(pts);
      if (inside(p, rings[0]) && !rings.slice(1).some(function (h) { return inside(p, h); })) { d = 0; }
      rings.forEach(function (r) { d = Math.min(d, ringDist(p, r)); });
    });
    return d === Infinity ? null : d;
  }
  function metresText(d) {
    if (d === null || d === undefined) { return ''; }
    return d < 1000 ? Math.round(d) + ' m' : (d / 1000).toFixed(1) + ' km';
  }

  // -- boot ---------------------------------------------------------------------------------------------------
  function boot() {
    try { state.lang = localStorage.getItem(LANG_KEY) || 'zh'; } catch (e) { state.lang = 'zh'; }
    fetch('shell.json', {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (cfg) {
      state.cfg = cfg;
      document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
      registerWorker(cfg.version);
      initMap();
      return Promise.all([DB.get('kv', 'pack'), DB.get('kv', 'me'), DB.queue()]);
    }).then(function (got) {
      state.pack = got[0] || null;
      state.me = got[1] || null;
      state.queue = got[2] || [];
      return R.load();
    }).then(function () {
      drawSites();
      render();
      watchPosition();
      window.addEventListener('online', function () { state.online = true; connect(); });
      window.addEventListener('offline', function () { state.online = false; render(); });
      window.addEventListener('beforeinstallprompt', function (e) { e.preventDefault(); state.installPrompt = e; render(); });
      setInterval(function () { if (state.online && !state.syncing && waitingCount() > 0) { connect(); } }, 60000);
      if (navigator.onLine) { return connect(); }
      return null;
    }).catch(function (err) {
      document.body.appendChild(el('p', {cls: 'fatal', text: '离线巡查无法启动 / The field client could not start: ' + err}));
    });
  }

  function registerWorker(version) {
    if (!('serviceWorker' in navigator)) { return; }
    navigator.serviceWorker.register('sw.js?v=' + encodeURIComponent(version), {scope: './'}).catch(function (e) {
      console.warn('service worker: ' + e);
    });
    navigator.serviceWorker.ready.then(function () { state.swReady = true; render(); });
  }

  // Online: who am I, a device token if the session is live, then send what waits and refresh the pack.
  function connect() {
    return DB.get('kv', 'pendingLogout').then(function (pending) {
      if (pending) {
        return S.logout().then(function () { return DB.del('kv', 'pendingLogout'); });
      }
      return null;
    }).then(function () { return S.whoami(); }).then(function (r) {
      state.online = true;
      if (r.status === 401) {
        state.auth = 'signed_out';
        state.me = null;
        // The account's pack leaves the device; what was recorded here stays until that account signs in.
        return Promise.all([DB.del('kv', 'pack'), DB.del('kv', 'me')]).then(function () {
          state.pack = null; drawSites(); render();
        });
      }
      if (r.status === 403) { state.auth = 'forbidden'; state.notice = {cls: 'error', text: msg(r.body)}; render(); return null; }
      if (r.status !== 200) { state.notice = {cls: 'error', text: t('server_error', {status: r.status})}; render(); return null; }
      state.auth = 'ok';
      state.me = r.body;
      R.load();  // the readings drafts of the account now signed in
      var enrol = null;
      if (r.body.via === 'session' && needsDevice(r.body.device)) {
        enrol = S.enroll(navigator.userAgent.slice(0, 60)).catch(function () { return null; });
      }
      return Promise.resolve(enrol).then(function () { return DB.put('kv', r.body, 'me'); })
        .then(function () { return sync(); });
    }).catch(function () {
      state.online = false;
      render();
    });
  }

  function needsDevice(device) {
    if (!device) { return true; }
    return new Date(device.expires_at).getTime() - Date.now() < 7 * 24 * 3600 * 1000;
  }

  function sync() {
    if (state.syncing || state.auth !== 'ok' || !state.me) { return Promise.resolve(null); }
    state.syncing = true;
    var started = performance.now();
    renderHeader();
    return S.syncQueue(state.me.user, function (it) {
      replaceItem(it);
      renderHeader();
      if (state.view !== 'site') { renderPanel(); }
    }).then(function (report) {
      state.lastSync = {at: Date.now(), report: report};
      if (report.sent) {
        state.notice = {cls: report.conflict || report.refused ? 'error' : 'ok',
                        text: t('synced', {applied: report.applied || 0, conflict: report.conflict || 0,
                                           refused: report.refused || 0})};
      }
      if (report.stopped === 'signed_out') { state.auth = 'signed_out'; return null; }
      return S.refreshPack().then(function (rec) { state.pack = rec; drawSites(); });
    }).catch(function (err) {
      state.notice = {cls: 'error', text: t('sync_failed', {error: String(err && err.status ? 'HTTP ' + err.status : err)})};
    }).then(function () {
      state.lastSync = state.lastSync || {at: Date.now(), report: {}};
      state.lastSync.ms = Math.round(performance.now() - started);
      return DB.queue();
    }).then(function (q) {
      state.queue = q;
      state.syncing = false;
      render();
    });
  }

  function replaceItem(it) {
    var found = false;
    state.queue = state.queue.map(function (o) { if (o.op_id === it.op_id) { found = true; return it; } return o; });
    if (!found) { state.queue.push(it); }
  }

  function waitingCount() {
    var user = state.me ? state.me.user : (state.pack ? state.pack.user : null);
    return state.queue.filter(function (it) {
      return (it.state === 'pending' || it.state === 'sending') && (!user || it.user === user);
    }).length;
  }
  function conflictItems() {
    var local = state.queue.filter(function (it) { return it.state === 'conflict' && !(it.result && it.result.resolution); });
    var seen = {};
    local.forEach(function (it) { seen[it.op_id] = true; });
    var server = (state.pack ? state.pack.pack.conflicts : []).filter(function (c) { return !seen[c.op_id]; })
      .map(function (c) {
        return {op_id: c.op_id, site_id: c.site_id, to_status: c.to_status, base_version: c.base_version,
                note: c.submitted.note, fields: c.submitted.changes, photos: c.submitted.photos || [],
                captured_at: Date.parse(c.captured_at), state: 'conflict', result: c, fromServer: true};
      });
    return local.concat(server);
  }

  // -- position ------------------------------------------------------------------------------------------------
  function watchPosition() {
    if (!navigator.geolocation) { state.fixError = t('no_geolocation'); return; }
    navigator.geolocation.watchPosition(function (pos) {
      state.fix = {lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy_m: pos.coords.accuracy,
                   time: pos.timestamp};
      state.fixError = null;
      drawFix();
      if (state.view === 'near') { renderPanel(); } else { renderFixLine(); }
    }, function (err) {
      state.fixError = err.code === 1 ? t('fix_denied') : t('fix_unavailable');
      renderFixLine();
    }, {enableHighAccuracy: true, maximumAge: 15000, timeout: 30000});
  }

  // -- map ---------------------------------------------------------------------------------------------------
  function initMap() {
    var cfg = state.cfg.basemap;
    map = L.map('map', {preferCanvas: true, minZoom: 9, maxZoom: 18, zoomControl: true,
                        maxBounds: [[cfg.clip[1], cfg.clip[0]], [cfg.clip[3], cfg.clip[2]]]});
    var b = state.cfg.bounds;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    OneMap.basemap(map, cfg);
    OneMap.legend(map, state.cfg.legend[state.lang] || state.cfg.legend.zh);
    siteLayer = L.layerGroup().addTo(map);
    fixLayer = L.layerGroup().addTo(map);  // the scale bar is the basemap's (metric, in 米/公里)
  }

  function colourOf(site) {
    var s = statusOf(site.kind, effective(site).status);
    return s ? s.color : '#777';
  }

  function drawSites() {
    if (!map) { return; }
    siteLayer.clearLayers();
    layersById = {};
    sites().forEach(function (site) {
      var g = site.geometry;
      if (!g) { return; }
      var colour = colourOf(site), layer;
      if (g.type === 'Point') {
        layer = L.circleMarker([g.coordinates[1], g.coordinates[0]],
                               {radius: 8, color: '#263238', weight: 1.5, fillColor: colour, fillOpacity: 0.95});
      } else {
        layer = L.geoJSON(g, {style: {color: colour, weight: 4, fillColor: colour, fillOpacity: 0.3}});
      }
      layer.on('click', function () { select(site.id); });
      layer.addTo(siteLayer);
      layersById[site.id] = layer;
    });
    highlight();
    if (state.pack && state.pack.pack.bounds && !state.fitted) {
      var b = state.pack.pack.bounds;
      // At once: a site tapped while an animated fit still runs would be undone by the fit's end.
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {padding: [24, 24], maxZoom: 15, animate: false});
      state.fitted = true;
    }
  }

  function drawFix() {
    if (!map || !state.fix) { return; }
    fixLayer.clearLayers();
    var ll = [state.fix.lat, state.fix.lon];
    L.circle(ll, {radius: state.fix.accuracy_m || 0, color: '#1565c0', weight: 1, fillOpacity: 0.1,
                  interactive: false}).addTo(fixLayer);
    L.circleMarker(ll, {radius: 6, color: '#fff', weight: 2, fillColor: '#1565c0', fillOpacity: 1,
                        interactive: false}).addTo(fixLayer);
  }

  function highlight() {
    if (!map) { return; }
    if (state.highlight) { map.removeLayer(state.highlight); state.highlight = null; }
    var site = state.selected ? siteById(state.selected) : null;
    if (!site || !site.geometry) { return; }
    var g = site.geometry;
    state.highlight = g.type === 'Point'
      ? L.circleMarker([g.coordinates[1], g.coordinates[0]], {radius: 15, color: '#d50000', weight: 3, fill: false,
                                                               interactive: false})
      : L.geoJSON(g, {style: {color: '#d50000', weight: 6, fill: false}, interactive: false});
    state.highlight.addTo(map);
  }

  function select(id) {
    state.selected = id;
    state.view = 'site';
    state.draft = {site_id: id, to: null, fields: {}, note: '', photos: [], thumbs: {}};
    var site = siteById(id), layer = layersById[id];
    highlight();
    if (site && layer) {
      if (layer.getLatLng) { map.setView(layer.getLatLng(), Math.max(map.getZoom(), 15)); }
      else { map.fitBounds(layer.getBounds(), {maxZoom: 16, padding: [20, 20]}); }
    }
    renderPanel();
    var panel = $('panel');
    if (panel && panel.scrollIntoView && window.innerWidth < 800) { panel.scrollIntoView({block: 'start'}); }
  }

  // -- rendering ------------------------------------------------------------------------------------------------
  function render() {
    renderHeader();
    renderPanel();
    window.__field = snapshot();
  }

  function snapshot() {
    var counts = {};
    state.queue.forEach(function (it) { counts[it.state] = (counts[it.state] || 0) + 1; });
    return {ready: !!(state.cfg && state.swReady), online: state.online, auth: state.auth,
            user: state.me ? state.me.user : null, via: state.me ? state.me.via : null,
            packEtag: state.pack ? state.pack.etag : null, sites: sites().length, queue: counts,
            waiting: waitingCount(), syncing: state.syncing, lastSync: state.lastSync,
            fix: state.fix, conflicts: conflictItems().length};
  }

  function renderHeader() {
    var bar = clear($('bar'));
    var waiting = waitingCount();
    bar.appendChild(el('div', {cls: 'title'}, [
      el('strong', {text: t('title')}),
      state.pack && state.pack.pack.sample ? el('span', {cls: 'badge sample', text: t('sample')}) : null
    ]));
    bar.appendChild(el('div', {cls: 'who', text: state.me ? state.me.user : (state.pack ? state.pack.user : '')}));
    bar.appendChild(el('span', {cls: 'badge ' + (state.online ? 'online' : 'offline'), id: 'netstate',
                                text: state.online ? t('online') : t('offline')}));
    bar.appendChild(el('button', {cls: 'btn primary', id: 'sync-btn', disabled: !state.online || state.syncing,
                                  text: state.syncing ? t('syncing') : t('sync_now', {n: waiting}),
                                  onclick: function () { connect(); }}));
    if (state.installPrompt) {
      bar.appendChild(el('button', {cls: 'btn', text: t('install'), onclick: function () {
        state.installPrompt.prompt();
        state.installPrompt = null;
        renderHeader();
      }}));
    }
    bar.appendChild(el('button', {cls: 'btn', text: state.lang === 'zh' ? 'English' : '中文', onclick: function () {
      state.lang = state.lang === 'zh' ? 'en' : 'zh';
      try { localStorage.setItem(LANG_KEY, state.lang); } catch (e) { /* private mode */ }
      render();
    }}));
    bar.appendChild(el('button', {cls: 'btn', id: 'logout-btn', text: t('logout'), onclick: logout}));
    window.__field = snapshot();
  }

  function renderPanel() {
    var panel = clear($('panel'));
    if (state.notice) {
      panel.appendChild(el('div', {cls: 'notice ' + state.notice.cls, role: 'status'}, [
        state.notice.text,
        el('button', {cls: 'link', text: '×', 'aria-label': t('close'), onclick: function () {
          state.notice = null; renderPanel();
        }})
      ]));
    }
    if (!state.pack) {
      panel.appendChild(signInHint());
      if (state.queue.length) { panel.appendChild(queueView()); }
      window.__field = snapshot();
      return;
    }
    if (state.me && state.pack.user !== state.me.user) {
      panel.appendChild(el('p', {cls: 'notice error', text: t('pack_other_user', {user: state.pack.user})}));
    }
    var tabs = el('nav', {cls: 'tabs'}, [
      tab('near', t('tab_near')),
      tab('queue', t('tab_queue', {n: waitingCount()})),
      tab('conflicts', t('tab_conflicts', {n: conflictItems().length}))
    ]);
    panel.appendChild(tabs);
    panel.appendChild(el('div', {id: 'fixline', cls: 'fixline'}));
    renderFixLine();
    if (state.view === 'site' && siteById(state.selected)) { panel.appendChild(siteView(siteById(state.selected))); }
    else if (state.view === 'queue') { panel.appendChild(queueView()); }
    else if (state.view === 'conflicts') { panel.appendChild(conflictsView()); }
    else { panel.appendChild(nearView()); }
    window.__field = snapshot();
  }

  function tab(view, text) {
    var active = state.view === view || (view === 'near' && state.view === 'site');
    return el('button', {cls: 'tab' + (active ? ' active' : ''), text: text, 'data-view': view, onclick: function () {
      state.view = view; renderPanel();
    }});
  }

  function signInHint() {
    var box = el('div', {cls: 'card'});
    if (state.auth === 'forbidden') {
      box.appendChild(el('p', {text: t('inspectors_only')}));
    } else if (!state.online) {
      box.appendChild(el('p', {text: t('first_open_online')}));
    } else {
      box.appendChild(el('p', {text: t('signin_needed')}));
      box.appendChild(el('a', {cls: 'btn primary', href: '../account', text: t('go_signin')}));
    }
    if (state.queue.length) {
      box.appendChild(el('p', {cls: 'warn', text: t('queue_kept', {n: state.queue.length})}));
    }
    return box;
  }

  function renderFixLine() {
    var line = $('fixline');
    if (!line) { return; }
    clear(line);
    if (state.fix) {
      var age = Date.now() - state.fix.time;
      line.appendChild(el('span', {text: t('fix_line', {lon: state.fix.lon.toFixed(5), lat: state.fix.lat.toFixed(5),
                                                        acc: Math.round(state.fix.accuracy_m || 0),
                                                        time: when(state.fix.time)})}));
      if (age > FIX_STALE_MS) { line.appendChild(el('span', {cls: 'warn', text: ' ' + t('fix_stale')})); }
    } else {
      line.appendChild(el('span', {cls: 'warn', text: state.fixError || t('fix_waiting')}));
    }
  }

  function nearView() {
    var box = el('div', {cls: 'near'});
    var input = el('input', {type: 'search', cls: 'search', placeholder: t('search'), value: state.query,
                             'aria-label': t('search')});
    input.addEventListener('input', function () { state.query = input.value; renderList(list); });
    box.appendChild(input);
    var list = el('ol', {cls: 'sites', id: 'site-list'});
    box.appendChild(list);
    renderList(list);
    return box;
  }

  function renderList(list) {
    clear(list);
    var q = state.query.trim().toLowerCase();
    var rows = sites().filter(function (s) {
      return !q || s.name.toLowerCase().indexOf(q) >= 0 || s.id.toLowerCase().indexOf(q) >= 0;
    }).map(function (s) { return {site: s, d: distanceTo(s, state.fix)}; });
    rows.sort(function (a, b) {
      if (a.d === null && b.d === null) { return a.site.name < b.site.name ? -1 : 1; }
      if (a.d === null) { return 1; }
      if (b.d === null) { return -1; }
      return a.d - b.d;
    });
    if (!rows.length) { list.appendChild(el('li', {cls: 'empty', text: t('no_sites')})); return; }
    rows.slice(0, NEAREST).forEach(function (r) {
      var s = r.site, eff = effective(s), st = statusOf(s.kind, eff.status), kind = kindOf(s);
      list.appendChild(el('li', {}, [el('button', {cls: 'site-row', 'data-site': s.id, onclick: function () { select(s.id); }}, [
        el('span', {cls: 'dot', style: 'background:' + (st ? st.color : '#777')}),
        el('span', {cls: 'name', text: s.name}),
        el('span', {cls: 'meta', text: [lbl(kind), st ? lbl(st) : eff.status, metresText(r.d)].filter(Boolean).join(' · ')}),
        s.overdue ? el('span', {cls: 'badge overdue', text: t('overdue')}) : null,
        eff.pending ? el('span', {cls: 'badge pending', text: t('pending_n', {n: eff.pending})}) : null
      ])]));
    });
    if (rows.length > NEAREST) { list.appendChild(el('li', {cls: 'empty', text: t('more_sites', {n: rows.length - NEAREST})})); }
  }

  function siteView(site) {
    var kind = kindOf(site), eff = effective(site), st = statusOf(site.kind, eff.status);
    var d = distanceTo(site, state.fix);
    var box = el('div', {cls: 'card site', id: 'site-card', 'data-site': site.id});
    box.appendChild(el('button', {cls: 'link back', text: '← ' + t('back'), onclick: function () {
      state.view = 'near'; renderPanel();
    }}));
    box.appendChild(el('h2', {text: site.name}));
    box.appendChild(el('p', {cls: 'meta', text: [site.id, lbl(kind), townName(site.town)].join(' · ')}));
    box.appendChild(el('p', {}, [
      el('span', {cls: 'chip', style: 'background:' + (st ? st.color : '#777'), text: st ? lbl(st) : eff.status}),
      ' ' + t('step', {n: st ? st.step : '?', of: kind ? kind.statuses.length : '?'}) + ' · ' +
        t('deadline', {d: site.deadline || '—'}) + ' · ' + t('version', {v: eff.version}),
      site.overdue ? el('span', {cls: 'badge overdue', text: t('overdue')}) : null,
      d !== null ? ' · ' + t('distance', {d: metresText(d)}) : null
    ]));
    if (eff.pending) { box.appendChild(el('p', {cls: 'warn', text: t('pending_on_site', {n: eff.pending})})); }
    var attrs = el('dl', {cls: 'attrs'});
    (kind ? kind.fields : []).forEach(function (f) {
      if (site.attrs[f.name] === undefined) { return; }
      attrs.appendChild(el('dt', {text: fieldLabel(f)}));
      attrs.appendChild(el('dd', {text: valueText(f, site.attrs[f.name])}));
    });
    box.appendChild(attrs);
    box.appendChild(el('p', {cls: 'meta', text: t('last_change', {who: site.updated_by, at: when(site.updated_at)})}));
    box.appendChild(changeForm(site, kind, eff));
    R.sections(site).forEach(function (sec) { box.appendChild(sec); });
    return box;
  }

  // The value a field holds for the form: the draft's, else the site's as this device knows it.
  function formValue(site, name) {
    var v = state.draft.fields[name];
    return v !== undefined ? v : site.attrs[name];
  }

  // A dependent choice (the spec's depends_on): only the choices under the parent's current value.
  function choicesFor(site, f) {
    if (!f.depends_on) { return f.choices; }
    var parent = formValue(site, f.depends_on);
    if (parent === undefined || parent === null || parent === '') { return f.choices; }
    return f.choices.filter(function (c) { return !c.parent || c.parent === parent; });
  }

  function input(site, f, value, onchange, required) {
    var id = 'f_' + f.name;
    var wrap = el('div', {cls: 'field' + (required ? ' required' : ''), 'data-field': f.name});
    if (f.photo) { return photoField(f, value, onchange, required, wrap); }
    wrap.appendChild(el('label', {'for': id, text: fieldLabel(f) + (required ? ' *' : '')}));
    var node;
    if (f.type === 'choice') {
      var fits = choicesFor(site, f);
      node = el('select', {id: id, name: f.name}, [el('option', {value: '', text: t('choose')})].concat(
        fits.map(function (c) { return el('option', {value: c.code, text: lbl(c), selected: value === c.code}); })));
      node.addEventListener('change', function () { onchange(node.value || null); });
      if (f.depends_on) {
        var parent = fieldOf(site.kind, f.depends_on), pv = formValue(site, f.depends_on);
        if (parent && pv !== undefined && pv !== null && pv !== '') {
          wrap.appendChild(el('span', {cls: 'meta', text: t('choices_under', {parent: fieldLabel(parent),
                                                                               value: valueText(parent, pv)})}));
        }
      }
    } else if (f.type === 'bool') {
      node = el('div', {id: id, cls: 'yesno', role: 'radiogroup'});
      [[true, t('yes')], [false, t('no')]].forEach(function (p) {
        var b = el('button', {type: 'button', cls: 'seg' + (value === p[0] ? ' on' : ''), text: p[1],
                              'aria-pressed': value === p[0] ? 'true' : 'false'});
        b.addEventListener('click', function () { onchange(value === p[0] ? null : p[0]); renderPanel(); });
        node.appendChild(b);
      });
    } else if (f.type === 'int' || f.type === 'float') {
      node = el('input', {id: id, name: f.name, type: 'number', inputmode: f.type === 'int' ? 'numeric' : 'decimal',
                          step: f.type === 'int' ? '1' : 'any', min: '0', value: value === null || value === undefined ? '' : value});
      node.addEventListener('input', function () {
        var v = node.value === '' ? null : Number(node.value);
        onchange(v === null || isNaN(v) ? null : (f.type === 'int' ? Math.round(v) : v));
      });
    } else if (f.type === 'date') {
      node = el('input', {id: id, name: f.name, type: 'date', value: value || ''});
      node.addEventListener('input', function () { onchange(node.value || null); });
    } else if (f.multiline) {
      node = el('textarea', {id: id, name: f.name, rows: '3', maxlength: '500'});
      node.value = value || '';
      node.addEventListener('input', function () { onchange(node.value.trim() || null); });
    } else {
      node = el('input', {id: id, name: f.name, type: 'text', maxlength: '500', value: value || ''});
      node.addEventListener('input', function () { onchange(node.value.trim() || null); });
    }
    wrap.appendChild(node);
    return wrap;
  }

  // A photo field (the spec's photo flag): one photo, resized here; the field holds its hash and the photo is
  // sent with the change (never twice).
  function photoField(f, value, onchange, required, wrap) {
    var id = 'f_' + f.name, draft = state.draft;
    var file = el('input', {id: id, cls: 'visually-hidden', type: 'file', accept: 'image/*', capture: 'environment'});
    file.addEventListener('change', function () {
      if (!file.files.length) { return; }
      var s = state.pack.pack.settings;
      draft.busy = true;
      renderPanel();
      S.preparePhoto(file.files[0], s.photo_max_side_px, s.photo_jpeg_quality).then(function (rec) {
        draft.thumbs[rec.sha] = URL.createObjectURL(rec.blob);
        onchange(rec.sha);
      }).catch(function () {
        state.notice = {cls: 'error', text: t('photo_unreadable', {name: file.files[0].name})};
      }).then(function () { draft.busy = false; if (state.draft === draft) { renderPanel(); } });
    });
    wrap.appendChild(el('span', {cls: 'label', text: fieldLabel(f) + (required ? ' *' : '')}));
    wrap.appendChild(file);
    if (value && draft.thumbs[value]) {
      wrap.appendChild(el('span', {cls: 'thumb'}, [
        el('img', {src: draft.thumbs[value], alt: fieldLabel(f)}),
        el('button', {type: 'button', cls: 'link', text: '×', 'aria-label': t('remove'), onclick: function () {
          onchange(null); renderPanel();
        }})
      ]));
    }
    wrap.appendChild(el('label', {'for': id, cls: 'btn photo-btn', text: value ? t('replace_photo') : t('add_photo')}));
    return wrap;
  }

  function changeForm(site, kind, eff) {
    var form = el('div', {cls: 'form', id: 'change-form'});
    var moves = kind ? kind.transitions.filter(function (tr) { return tr.from === eff.status; }) : [];
    if (!moves.length) { form.appendChild(el('p', {cls: 'meta', text: t('final_status')})); return form; }
    var draft = state.draft;
    form.appendChild(el('h3', {text: t('change_status')}));
    var targets = el('div', {cls: 'targets', role: 'radiogroup'});
    moves.forEach(function (tr) {
      var st = statusOf(site.kind, tr.to);
      targets.appendChild(el('button', {type: 'button', cls: 'seg target' + (draft.to === tr.to ? ' on' : ''),
                                        'data-to': tr.to, text: st ? lbl(st) : tr.to, onclick: function () {
        draft.to = tr.to; renderPanel();
      }}));
    });
    form.appendChild(targets);
    var tr = draft.to ? moves.filter(function (m) { return m.to === draft.to; })[0] : null;
    if (tr) {
      // What the change will be checked against (the server decides; the device says it first).
      (tr.guards || []).forEach(function (g) {
        form.appendChild(el('div', {cls: 'guard', 'data-guard': g.code}, [
          el('strong', {text: t('guard_title')}), ' ' + msg(g),
          fixText(g) ? el('div', {cls: 'meta', text: fixText(g)}) : null
        ]));
      });
      var required = tr.requires || [];
      required.forEach(function (name) {
        var f = fieldOf(site.kind, name);
        if (f) { form.appendChild(input(site, f, draft.fields[name], function (v) { setField(site, name, v); }, true)); }
      });
      var offered = (tr.offers || []).filter(function (n) { return required.indexOf(n) < 0; });
      if (offered.length) {
        // A transition that names what it offers asks for it openly; the kind-wide list is folded away.
        var declared = !!tr.offers_declared;
        var more = el('details', {cls: 'more', open: declared || offered.some(function (n) { return draft.fields[n] !== undefined; })},
                      [el('summary', {text: declared ? t('offered_fields') : t('more_fields')})]);
        offered.forEach(function (name) {
          var f = fieldOf(site.kind, name);
          if (f) { more.appendChild(input(site, f, draft.fields[name], function (v) { setField(site, name, v); }, false)); }
        });
        form.appendChild(more);
      }
    }
    var note = el('textarea', {id: 'f_note', rows: '3', maxlength: '2000', placeholder: t('note_hint')});
    note.value = draft.note;
    note.addEventListener('input', function () { draft.note = note.value; });
    form.appendChild(el('div', {cls: 'field'}, [el('label', {'for': 'f_note', text: t('note')}), note]));
    // The browser's own file button speaks the browser's language: a label styled as a button stands for it.
    var file = el('input', {id: 'f_photos', cls: 'visually-hidden', type: 'file', accept: 'image/*',
                            capture: 'environment', multiple: true});
    file.addEventListener('change', function () { addPhotos(file.files); });
    var needPhoto = !!(tr && tr.requires_photo);
    form.appendChild(el('div', {cls: 'field' + (needPhoto ? ' required' : ''), id: 'photos-field'}, [
      el('span', {cls: 'label', text: t('photos') + (needPhoto ? ' *' : '')}),
      needPhoto ? el('span', {cls: 'meta', id: 'photo-required', text: t('photo_required')}) : null, file,
      el('label', {'for': 'f_photos', cls: 'btn photo-btn', text: t('add_photo')})
    ]));
    var strip = el('div', {cls: 'thumbs', id: 'thumbs'});
    draft.photos.forEach(function (sha) {
      strip.appendChild(el('span', {cls: 'thumb'}, [
        el('img', {src: draft.thumbs[sha], alt: t('photo')}),
        el('button', {type: 'button', cls: 'link', text: '×', 'aria-label': t('remove'), onclick: function () {
          draft.photos = draft.photos.filter(function (x) { return x !== sha; });
          renderPanel();
        }})
      ]));
    });
    if (draft.busy) { strip.appendChild(el('span', {cls: 'meta', text: t('photo_preparing')})); }
    form.appendChild(strip);
    form.appendChild(evidenceLine(site));
    form.appendChild(el('button', {type: 'button', cls: 'btn primary save', id: 'save-btn', text: t('save_local'),
                                   disabled: !draft.to || draft.busy, onclick: function () { save(site, tr0()); }}));
    function tr0() { return moves.filter(function (m) { return m.to === draft.to; })[0]; }
    return form;
  }

  // Set a field of the draft; a dependent choice that no longer fits under its parent's new value is cleared
  // (and the form drawn again with the choices that do).
  function setField(site, name, v) {
    var fields = state.draft.fields;
    if (v === null || v === undefined) { delete fields[name]; } else { fields[name] = v; }
    var kind = kindOf(site), redraw = false;
    (kind ? kind.fields : []).forEach(function (f) {
      if (f.depends_on !== name) { return; }
      redraw = true;
      var cur = fields[f.name];
      if (cur !== undefined && !choicesFor(site, f).some(function (c) { return c.code === cur; })) { delete fields[f.name]; }
    });
    if (redraw) { renderPanel(); }
  }

  function evidenceLine(site) {
    var onsite = state.pack.pack.settings.onsite_m;
    if (!state.fix) { return el('p', {cls: 'warn', text: t('no_fix_remote')}); }
    var d = distanceTo(site, state.fix);
    if (d !== null && d > onsite) { return el('p', {cls: 'warn', text: t('far_remote', {d: metresText(d), limit: onsite})}); }
    return el('p', {cls: 'ok', text: t('on_site', {d: metresText(d)})});
  }

  function addPhotos(files) {
    var draft = state.draft, s = state.pack.pack.settings;
    draft.busy = true;
    renderPanel();
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (f) {
      chain = chain.then(function () {
        return S.preparePhoto(f, s.photo_max_side_px, s.photo_jpeg_quality).then(function (rec) {
          if (draft.photos.indexOf(rec.sha) < 0) { draft.photos.push(rec.sha); }
          draft.thumbs[rec.sha] = URL.createObjectURL(rec.blob);
        }).catch(function () {
          state.notice = {cls: 'error', text: t('photo_unreadable', {name: f.name})};
        });
      });
    });
    chain.then(function () { draft.busy = false; if (state.draft === draft) { renderPanel(); } });
  }

  function save(site, tr) {
    var draft = state.draft;
    var missing = (tr ? tr.requires : []).filter(function (n) {
      return draft.fields[n] === undefined || draft.fields[n] === null || draft.fields[n] === '';
    }).map(function (n) { return fieldLabel(fieldOf(site.kind, n)); });
    if (missing.length) {
      state.notice = {cls: 'error', text: t('required_missing', {fields: missing.join('、')})};
      renderPanel();
      return;
    }
    if (tr && tr.requires_photo && !draft.photos.length) {
      state.notice = {cls: 'error', text: t('photo_required')};
      renderPanel();
      return;
    }
    // Only what this change asks for is sent; photo fields go by hash and their photos with the change.
    var asked = (tr ? tr.requires.concat(tr.offers || []) : []);
    var fields = {}, fieldPhotos = [];
    Object.keys(draft.fields).forEach(function (n) {
      if (asked.indexOf(n) < 0) { return; }
      fields[n] = draft.fields[n];
      var f = fieldOf(site.kind, n);
      if (f && f.photo && fieldPhotos.indexOf(fields[n]) < 0) { fieldPhotos.push(fields[n]); }
    });
    var eff = effective(site);
    var item = newItem(site, {
      from_status: eff.status, to_status: draft.to, base_version: eff.version, after_op: eff.after, fields: fields,
      note: draft.note.trim(), photos: draft.photos.slice(), field_photos: fieldPhotos
    });
    enqueue(item, t('saved_local', {status: lbl(statusOf(site.kind, item.to_status))})).then(function (ok) {
      if (ok) { state.draft = {site_id: site.id, to: null, fields: {}, note: '', photos: [], thumbs: {}}; render(); }
    });
  }

  // A queue item about ``site`` recorded now, here (the device fix), with ``extra`` (a change or readings).
  function newItem(site, extra) {
    var seq = state.queue.reduce(function (m, it) { return Math.max(m, it.seq || 0); }, 0) + 1;
    var item = {
      op_id: crypto.randomUUID().replace(/-/g, ''), seq: seq, user: state.me ? state.me.user : state.pack.user,
      site_id: site.id, site_name: site.name, kind: site.kind,
      fix: state.fix ? {lon: state.fix.lon, lat: state.fix.lat, accuracy_m: state.fix.accuracy_m, time: state.fix.time} : null,
      captured_at: Date.now(), state: 'pending'
    };
    Object.keys(extra).forEach(function (k) { item[k] = extra[k]; });
    return item;
  }

  // Keep ``item`` in the queue on this device (then send it when online). Resolves to whether it was kept.
  function enqueue(item, savedText) {
    return DB.put('queue', item).then(function () {
      state.queue.push(item);
      state.notice = {cls: 'ok', text: savedText};
      drawSites();
      render();
      if (state.online) { connect(); }
      return true;
    }).catch(function (err) {
      state.notice = {cls: 'error', text: t('save_failed', {error: String(err)})};
      renderPanel();
      return false;
    });
  }

  var R = window.FieldReadings({
    el: el, t: t, lbl: lbl, state: state, evidenceLine: function (site) { return evidenceLine(site); },
    rerender: function () { renderPanel(); }, newItem: newItem, enqueue: enqueue,
    refuse: function (text) { state.notice = {cls: 'error', text: text}; renderPanel(); return Promise.resolve(); }
  });

  // -- the queue and the conflicts -------------------------------------------------------------------------------
  var STATE_KEYS = {pending: 'st_pending', sending: 'st_sending', applied: 'st_applied', conflict: 'st_conflict',
                    refused: 'st_refused'};

  function changeSummary(it) {
    if (it.type === 'readings') {
      var tb = R.table(it.table);
      return t('rd_summary', {site: it.site_name || it.site_id, table: tb ? lbl(tb) : it.table, n: (it.rows || []).length});
    }
    var from = statusOf(it.kind, it.from_status), to = statusOf(it.kind, it.to_status);
    return (it.site_name || it.site_id) + ' · ' + (from ? lbl(from) : (it.from_status || '')) + ' → ' + (to ? lbl(to) : it.to_status);
  }

  function queueView() {
    var box = el('div', {cls: 'queue', id: 'queue'});
    var items = state.queue.slice().sort(function (a, b) { return b.seq - a.seq; });
    if (!items.length) { box.appendChild(el('p', {cls: 'meta', text: t('queue_empty')})); return box; }
    if (state.lastSync) {
      var r = state.lastSync.report || {};
      box.appendChild(el('p', {cls: 'meta', id: 'last-sync', text: t('last_sync', {at: when(state.lastSync.at),
        applied: r.applied || 0, conflict: r.conflict || 0, refused: r.refused || 0})}));
    }
    var list = el('ol', {cls: 'items'});
    items.forEach(function (it) { list.appendChild(itemView(it)); });
    box.appendChild(list);
    var done = items.filter(function (it) {
      return it.state === 'applied' || (it.state === 'conflict' && it.result && it.result.resolution);
    });
    if (done.length) {
      box.appendChild(el('button', {cls: 'btn', text: t('clear_done', {n: done.length}), onclick: function () {
        Promise.all(done.map(function (it) { return DB.del('queue', it.op_id); })).then(function () { return DB.queue(); })
          .then(function (q) { state.queue = q; render(); });
      }}));
    }
    return box;
  }

  function itemView(it) {
    var li = el('li', {cls: 'item ' + it.state, 'data-op': it.op_id, 'data-state': it.state});
    li.appendChild(el('div', {cls: 'row'}, [
      el('strong', {text: changeSummary(it)}),
      el('span', {cls: 'badge ' + it.state, text: it.state === 'conflict' && it.result && it.result.resolution
        ? t('res_' + it.result.resolution) : t(STATE_KEYS[it.state] || 'st_pending')})
    ]));
    li.appendChild(el('div', {cls: 'meta', text: t('captured', {at: when(it.captured_at)}) +
      (S.allPhotos(it).length ? ' · ' + t('photos_n', {n: S.allPhotos(it).length}) : '') +
      (it.fix ? ' · ' + t('with_fix') : ' · ' + t('without_fix'))}));
    if (it.result && it.state === 'applied' && it.type === 'readings') {
      var moved = (it.result.status_changes || []).map(function (c) {
        var st = statusOf(it.kind, c.to);
        return t('rd_status_changed', {status: st ? lbl(st) : c.to});
      });
      li.appendChild(el('div', {cls: 'meta', text: [t('rd_applied', {n: (it.result.obs_ids || []).length})].concat(moved)
        .join(' · ')}));
    } else if (it.result && it.state === 'applied') {
      li.appendChild(el('div', {cls: 'meta', text: t('applied_at', {at: when(it.result.applied_at),
                                                                   v: it.result.applied_version})}));
    }
    if (it.state === 'refused') {
      var m = it.result && it.result.message;
      li.appendChild(el('p', {cls: 'error', text: msg(m) || t('refused_generic')}));
      // A rule's message may carry its fix already (geo.domain.rules): the fix is shown once.
      if (fixText(m) && msg(m).indexOf(fixText(m)) < 0) { li.appendChild(el('p', {cls: 'meta', text: fixText(m)})); }
    }
    if (it.state === 'conflict') { li.appendChild(conflictDetail(it)); }
    if (it.type === 'readings' && it.state === 'refused') {
      // Refused readings go back into the site's entry to be put right (and leave the queue).
      li.appendChild(el('button', {cls: 'btn primary', text: t('rd_edit_again'), onclick: function () {
        R.reopen(it).then(function (ok) {
          if (!ok) {
            state.notice = {cls: 'error', text: t('rd_draft_in_the_way')};
            renderPanel();
            return null;
          }
          return DB.del('queue', it.op_id).then(function () { return DB.queue(); }).then(function (q) {
            state.queue = q;
            select(it.site_id);
          });
        });
      }}));
    }
    if (it.state === 'pending' || it.state === 'refused') {
      li.appendChild(el('button', {cls: 'btn danger', text: t('delete_local'), onclick: function () {
        if (!window.confirm(t('delete_local_confirm'))) { return; }
        DB.del('queue', it.op_id).then(function () { return DB.queue(); }).then(function (q) { state.queue = q; render(); });
      }}));
    }
    return li;
  }

  function conflictsView() {
    var box = el('div', {cls: 'queue', id: 'conflicts'});
    var items = conflictItems();
    if (!items.length) { box.appendChild(el('p', {cls: 'meta', text: t('no_conflicts')})); return box; }
    box.appendChild(el('p', {cls: 'meta', text: t('conflicts_intro')}));
    var list = el('ol', {cls: 'items'});
    items.forEach(function (it) {
      var site = siteById(it.site_id);
      it.site_name = it.site_name || (site ? site.name : it.site_id);
      it.kind = it.kind || (site ? site.kind : (it.result ? it.result.kind : ''));
      list.appendChild(itemView(it));
    });
    box.appendChild(list);
    return box;
  }

  function conflictDetail(it) {
    var rec = it.result || {}, server = rec.server_state || {}, m = rec.message;
    var box = el('div', {cls: 'conflict'});
    box.appendChild(el('p', {cls: 'error', text: msg(m)}));
    var mine = el('div', {cls: 'side mine'}, [el('h4', {text: t('side_mine')})]);
    var to = statusOf(it.kind, it.to_status);
    mine.appendChild(el('p', {text: t('side_mine_line', {v: it.base_version, to: to ? lbl(to) : it.to_status})}));
    Object.keys(it.fields || {}).forEach(function (n) {
      var f = fieldOf(it.kind, n);
      mine.appendChild(el('p', {cls: 'meta', text: (f ? fieldLabel(f) : n) + '：' + valueText(f, it.fields[n])}));
    });
    if (it.note) { mine.appendChild(el('p', {cls: 'meta', text: t('note') + '：' + it.note})); }
    mine.appendChild(el('p', {cls: 'meta', text: t('captured', {at: when(it.captured_at)})}));
    var theirs = el('div', {cls: 'side theirs'}, [el('h4', {text: t('side_server')})]);
    var cur = statusOf(it.kind, server.status);
    theirs.appendChild(el('p', {text: t('side_server_line', {v: server.version, status: cur ? lbl(cur) : (server.status || '—'),
                                                             who: server.updated_by || '—', at: when(server.updated_at)})}));
    (server.changes_since || []).forEach(function (c) {
      var a = statusOf(it.kind, c.from_status), b = statusOf(it.kind, c.to_status);
      theirs.appendChild(el('p', {cls: 'meta', text: t('since_line', {v: c.version, who: c.actor, at: when(c.changed_at),
        from: a ? lbl(a) : (c.from_status || '—'), to: b ? lbl(b) : (c.to_status || '—')}) + (c.note ? ' · ' + c.note : '')}));
    });
    box.appendChild(el('div', {cls: 'sides'}, [mine, theirs]));
    if (rec.resolution) {
      box.appendChild(el('p', {cls: 'meta', text: t('resolved_line', {how: t('res_' + rec.resolution), who: rec.resolved_by,
                                                                       at: when(rec.resolved_at)})}));
      return box;
    }
    var actions = el('div', {cls: 'actions'});
    actions.appendChild(el('button', {cls: 'btn primary', text: t('reapply', {v: server.version}), disabled: !state.online,
                                      onclick: function () { resolve(it, 'reapply', server.version); }}));
    actions.appendChild(el('button', {cls: 'btn danger', text: t('discard'), disabled: !state.online,
                                      onclick: function () { resolve(it, 'discard', null); }}));
    if (!state.online) { actions.appendChild(el('span', {cls: 'meta', text: t('resolve_online')})); }
    box.appendChild(actions);
    return box;
  }

  function resolve(it, action, version) {
    if (action === 'discard' && !window.confirm(t('discard_confirm'))) { return; }
    S.resolve(it.op_id, action, version, '').then(function (r) {
      if (r.status === 200) {
        it.result = r.body;
        it.state = 'conflict';
        state.notice = {cls: 'ok', text: t(action === 'reapply' ? 'reapplied' : 'discarded')};
        var kept = it.fromServer ? Promise.resolve() : DB.put('queue', it).then(function () { return S.dropPhotos(it); });
        return kept.then(function () { return S.refreshPack(); })
          .then(function (rec) { state.pack = rec; drawSites(); return DB.queue(); })
          .then(function (q) { state.queue = q; render(); });
      }
      state.notice = {cls: 'error', text: msg(r.body) || t('server_error', {status: r.status})};
      render();
      return null;
    }).catch(function () { state.notice = {cls: 'error', text: t('resolve_online')}; render(); });
  }

  // -- logout: the device forgets the account (after a warning when changes wait) ---------------------------------
  function logout() {
    var waiting = waitingCount();
    var text = waiting ? t('logout_pending_confirm', {n: waiting}) : t('logout_confirm');
    if (!window.confirm(text)) { return; }
    // The server ends the session and the device token now, or at the next connection (kept as a flag).
    var told = state.online ? S.logout().then(function (r) { return r.status < 500; }).catch(function () { return false; })
                            : Promise.resolve(false);
    told.then(function (ok) {
      return DB.wipe().then(function () { return ok ? null : DB.put('kv', true, 'pendingLogout'); });
    }).then(function () {
      state.pack = null; state.me = null; state.queue = []; state.auth = 'signed_out'; state.view = 'near';
      state.draft = null; state.selected = null; state.rdrafts = {user: null, drafts: {}};
      state.notice = {cls: 'ok', text: t('logged_out')};
      drawSites();
      render();
    });
  }

  document.addEventListener('DOMContentLoaded', boot);
}());
