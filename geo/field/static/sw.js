// The offline field client's service worker (scope: the folder it is served from, /field/).
//   The app's own files: cached at install in a cache named by the app's version (sw.js?v=<version>), served
//   from the cache; the page and shell.json are asked from the network first (a new version is noticed) and
//   from the cache when there is no network.
//   The base geography: cached at install (when this browser may read it) or when first fetched; served from
//   the cache. Caches of other versions are deleted when this version takes over.
//   api/: never cached and never answered here (the page keeps the pack and the queue in IndexedDB).
'use strict';
var VERSION = new URL(self.location.href).searchParams.get('v') || 'dev';
var PREFIX = 'onemap-field-';
var SHELL = PREFIX + 'shell-' + VERSION;
var BASE = PREFIX + 'base-' + VERSION;
var NETWORK_WAIT_MS = 4000;
var SCOPE = new URL('./', self.location.href).href;

function abs(u) { return new URL(u, SCOPE).href; }

self.addEventListener('install', function (event) {
  event.waitUntil(
    fetch(abs('shell.json'), {cache: 'reload', credentials: 'same-origin'}).then(function (res) {
      if (!res.ok) { throw new Error('shell.json: HTTP ' + res.status); }
      return res.clone().json().then(function (cfg) {
        return caches.open(SHELL).then(function (cache) {
          var shell = cfg.assets.map(function (u) {
            return fetch(abs(u), {cache: 'reload', credentials: 'same-origin'}).then(function (r) {
              if (!r.ok) { throw new Error(u + ': HTTP ' + r.status); }
              return cache.put(abs(u), r);
            });
          });
          // The base geography is behind the sign-in: cached now if this browser may read it, else when first read.
          var base = caches.open(BASE).then(function (bc) {
            return Promise.all(cfg.base_files.map(function (u) {
              return fetch(abs(u), {credentials: 'same-origin'}).then(function (r) {
                return r.ok ? bc.put(abs(u), r) : null;
              }).catch(function () { return null; });
            }));
          });
          return Promise.all(shell.concat([cache.put(abs('shell.json'), res), base]));
        });
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf(PREFIX) === 0 && k !== SHELL && k !== BASE;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error('timeout')); }, ms);
    promise.then(function (v) { clearTimeout(timer); resolve(v); }, function (e) { clearTimeout(timer); reject(e); });
  });
}

function networkFirst(request, key) {
  return withTimeout(fetch(request), NETWORK_WAIT_MS).then(function (res) {
    if (res.ok) {
      var copy = res.clone();
      caches.open(SHELL).then(function (c) { return c.put(key, copy); });
    }
    return res;
  }).catch(function () {
    return caches.open(SHELL).then(function (c) { return c.match(key); }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

function cacheFirst(request, cacheName) {
  return caches.open(cacheName).then(function (c) {
    return c.match(request).then(function (hit) {
      if (hit) { return hit; }
      return fetch(request).then(function (res) {
        if (res.ok) { c.put(request, res.clone()); }
        return res;
      });
    });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.href.indexOf(SCOPE) !== 0) { return; }
  var rel = url.pathname.slice(new URL(SCOPE).pathname.length);
  if (rel.indexOf('api/') === 0) { return; }
  if (request.mode === 'navigate' || rel === '' || rel === 'index.html') {
    event.respondWith(networkFirst(request, abs('./')));
    return;
  }
  if (rel === 'shell.json') {
    event.respondWith(networkFirst(request, abs('shell.json')));
    return;
  }
  if (rel.indexOf('base/') === 0) {
    event.respondWith(cacheFirst(request, BASE));
    return;
  }
  event.respondWith(caches.open(SHELL).then(function (c) {
    return c.match(request, {ignoreSearch: rel === 'sw.js'});
  }).then(function (hit) { return hit || fetch(request); }));
});
