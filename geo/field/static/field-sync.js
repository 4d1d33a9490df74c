// Talking to the server: who am I, the pack, photos in resumable chunks, changes and readings one by one,
// conflicts.
// Every request carries the header X-Requested-With: onemap-field (the API refuses requests without it, so
// another site cannot make the browser send one) and the cookies of this origin (session or device token).
(function () {
  'use strict';
  var DB = window.FieldDB;
  var HEADER = {'X-Requested-With': 'onemap-field'};
  var CHUNK = 256 * 1024;

  function headers(extra) {
    var h = {};
    Object.keys(HEADER).forEach(function (k) { h[k] = HEADER[k]; });
    Object.keys(extra || {}).forEach(function (k) { h[k] = extra[k]; });
    return h;
  }

  // {status, body} for any answer; a rejected promise only when the network is down.
  function api(method, path, body, extra) {
    var init = {method: method, credentials: 'same-origin', cache: 'no-store', headers: headers(extra)};
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
    return fetch(path, init).then(function (r) {
      if (r.status === 204 || r.status === 304 || method === 'HEAD') {
        return {status: r.status, body: null, headers: r.headers};
      }
      return r.json().catch(function () { return null; }).then(function (j) {
        return {status: r.status, body: j, headers: r.headers};
      });
    });
  }

  function hex(buf) {
    var b = new Uint8Array(buf), s = '';
    for (var i = 0; i < b.length; i++) { s += (b[i] < 16 ? '0' : '') + b[i].toString(16); }
    return s;
  }

  // A photo resized on the device (longest side at most maxSide, JPEG), turned upright, without metadata;
  // named by the SHA-256 of the bytes that will be sent.
  function preparePhoto(file, maxSide, quality) {
    return createImageBitmap(file, {imageOrientation: 'from-image'}).then(function (bmp) {
      var scale = Math.min(1, maxSide / Math.max(bmp.width, bmp.height));
      var w = Math.max(1, Math.round(bmp.width * scale)), h = Math.max(1, Math.round(bmp.height * scale));
      var canvas = document.createElement('canvas');
      canvas.width = w; canvas.height = h;
      canvas.getContext('2d').drawImage(bmp, 0, 0, w, h);
      if (bmp.close) { bmp.close(); }
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { return blob ? resolve(blob) : reject(new Error('toBlob')); },
                      'image/jpeg', quality);
      }).then(function (blob) {
        return blob.arrayBuffer().then(function (buf) { return crypto.subtle.digest('SHA-256', buf); })
          .then(function (digest) {
            var rec = {sha: hex(digest), blob: blob, size: blob.size, width: w, height: h,
                       uploaded: false, created: Date.now()};
            return DB.put('photos', rec).then(function () { return rec; });
          });
      });
    });
  }

  // Send a photo unless the server has it; resume from what the server holds (a dropped connection
  // costs at most one chunk). Resolves when the server has stored it.
  function uploadPhoto(sha) {
    return DB.get('photos', sha).then(function (rec) {
      if (!rec) { throw new Error('photo ' + sha + ' missing on this device'); }
      if (rec.uploaded) { return rec; }
      return api('HEAD', 'api/photos/' + sha).then(function (r) {
        if (r.status !== 200) { throw httpError(r); }
        if (r.headers.get('Upload-Complete') === '?1') { return finish(rec); }
        var offset = parseInt(r.headers.get('Upload-Offset') || '0', 10) || 0;
        return sendFrom(rec, offset);
      });
    });
  }

  function sendFrom(rec, offset) {
    if (offset >= rec.size) { return finish(rec); }
    var chunk = rec.blob.slice(offset, Math.min(rec.size, offset + CHUNK));
    var url = 'api/photos/' + rec.sha + '?offset=' + offset + '&total=' + rec.size;
    return fetch(url, {method: 'PUT', credentials: 'same-origin', cache: 'no-store',
                       headers: headers({'Content-Type': 'application/octet-stream'}), body: chunk})
      .then(function (r) {
        return r.json().catch(function () { return null; }).then(function (j) {
          if (r.status === 409 && j && typeof j.offset === 'number') { return sendFrom(rec, j.offset); }
          if (!r.ok) { throw httpError({status: r.status, body: j}); }
          if (j.complete) { return finish(rec); }
          return sendFrom(rec, j.offset);
        });
      });
  }

  function finish(rec) {
    rec.uploaded = true;
    return DB.put('photos', rec).then(function () { return rec; });
  }

  function httpError(r) {
    var e = new Error('HTTP ' + r.status);
    e.status = r.status;
    e.body = r.body;
    return e;
  }

  var FieldSync = window.FieldSync = {api: api, preparePhoto: preparePhoto, uploadPhoto: uploadPhoto};

  // Who the server takes this device for: {status: 200, body: {user, towns, via, device}} or 401/403.
  FieldSync.whoami = function () { return api('GET', 'api/me'); };

  // A device token for this browser (an HttpOnly cookie the server sets), made from the live session.
  FieldSync.enroll = function (label) { return api('POST', 'api/device', {label: label || ''}); };

  // The pack, revalidated by its ETag. Resolves to the stored {etag, pack, user} (new or unchanged).
  FieldSync.refreshPack = function () {
    return DB.get('kv', 'pack').then(function (held) {
      var extra = held && held.etag ? {'If-None-Match': held.etag} : {};
      return api('GET', 'api/pack', undefined, extra).then(function (r) {
        if (r.status === 304 && held) { return held; }
        if (r.status !== 200) { throw httpError(r); }
        var rec = {etag: r.headers.get('ETag'), pack: r.body, user: r.body.user, fetched: Date.now()};
        return DB.put('kv', rec, 'pack').then(function () { return DB.persist(); }).then(function () { return rec; });
      });
    });
  };

  // Send every waiting change of ``user``, oldest first, one by one; photos before the change citing them.
  // onItem(item) is called after each state change. Stops at the first network failure (kept for later).
  FieldSync.syncQueue = function (user, onItem) {
    var report = {sent: 0, applied: 0, conflict: 0, refused: 0, stopped: null};
    return DB.queue().then(function (items) {
      var waiting = items.filter(function (it) {
        return it.user === user && (it.state === 'pending' || it.state === 'sending');
      });
      var chain = Promise.resolve();
      waiting.forEach(function (it) {
        chain = chain.then(function () {
          if (report.stopped) { return null; }
          return sendOne(it, onItem, report);
        });
      });
      return chain.then(function () { return report; });
    });
  };

  // Every photo a change cites: its own, then those its photo fields hold (each once).
  function allPhotos(it) {
    var out = (it.photos || []).slice();
    (it.field_photos || []).forEach(function (s) { if (out.indexOf(s) < 0) { out.push(s); } });
    return out;
  }

  FieldSync.allPhotos = allPhotos;

  function sendOne(it, onItem, report) {
    it.state = 'sending';
    return DB.put('queue', it).then(function () { onItem(it); })
      .then(function () {
        var p = Promise.resolve();
        allPhotos(it).forEach(function (sha) { p = p.then(function () { return uploadPhoto(sha); }); });
        return p;
      })
      .then(function () {
        if (it.type === 'readings') {
          return api('POST', 'api/readings', {op_id: it.op_id, table: it.table, site_id: it.site_id,
                                              observed_on: it.observed_on, observed_time: it.observed_time,
                                              common: it.common, rows: it.rows, fix: it.fix,
                                              captured_at: it.captured_at, sent_at: Date.now()});
        }
        var body = {op_id: it.op_id, site_id: it.site_id, base_version: it.base_version, after_op: it.after_op,
                    to_status: it.to_status, note: it.note, fields: it.fields, photos: it.photos, fix: it.fix,
                    captured_at: it.captured_at, sent_at: Date.now()};
        return api('POST', 'api/changes', body);
      })
      .then(function (r) {
        report.sent += 1;
        if (r.status === 200 && r.body && r.body.outcome) {
          it.state = r.body.outcome;
          it.result = r.body;
          report[r.body.outcome] = (report[r.body.outcome] || 0) + 1;
        } else if (r.status === 401) {
          it.state = 'pending';
          report.stopped = 'signed_out';
        } else if (r.status === 409 && r.body && r.body.code === 'field.photo_missing') {
          it.state = 'pending';
          allPhotos(it).forEach(function (sha) {
            DB.get('photos', sha).then(function (rec) { if (rec) { rec.uploaded = false; DB.put('photos', rec); } });
          });
          report.stopped = 'retry';
        } else if (r.status === 403 || r.status === 404 || r.status === 422) {
          it.state = 'refused';
          it.result = {outcome: 'refused', message: r.body || {}};
          report.refused += 1;
        } else {
          it.state = 'pending';
          report.stopped = 'server';
        }
        it.synced_at = Date.now();
        return DB.put('queue', it).then(function () { onItem(it); });
      })
      .then(function () {
        if (it.state === 'applied') { return dropPhotos(it); }
        return null;
      })
      .catch(function (err) {
        it.state = 'pending';
        report.stopped = err && err.status ? 'server' : 'network';
        return DB.put('queue', it).then(function () { onItem(it); });
      });
  }

  // An applied change's photos are on the server: free the device (unless another waiting change cites them).
  function dropPhotos(it) {
    return DB.queue().then(function (items) {
      var still = {};
      items.forEach(function (o) {
        if (o.op_id !== it.op_id && (o.state === 'pending' || o.state === 'sending' || o.state === 'conflict')) {
          allPhotos(o).forEach(function (s) { still[s] = true; });
        }
      });
      return Promise.all(allPhotos(it).filter(function (s) { return !still[s]; })
        .map(function (s) { return DB.del('photos', s); }));
    });
  }

  FieldSync.dropPhotos = dropPhotos;

  // Resolve a conflict on the server: 'reapply' on the version the inspector saw, or 'discard'.
  FieldSync.resolve = function (opId, action, expectedVersion, note) {
    return api('POST', 'api/conflicts/' + encodeURIComponent(opId) + '/' + action,
               {expected_version: expectedVersion, note: note || ''});
  };

  FieldSync.logout = function () { return api('POST', 'api/logout', {}); };
}());
