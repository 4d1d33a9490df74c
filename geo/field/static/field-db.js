// The device's storage for the offline field client: IndexedDB, nothing in localStorage but the language.
//   kv      the pack ({etag, pack, user}), the account last seen, a logout still to tell the server
//   queue   changes recorded on the device, by op id, in the order they were recorded (seq)
//   photos  photos resized on the device, by the SHA-256 of their bytes
(function () {
  'use strict';
  var NAME = 'onemap-field';
  var VERSION = 1;
  var opening = null;

  function open() {
    if (opening) { return opening; }
    opening = new Promise(function (resolve, reject) {
      var req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains('kv')) { db.createObjectStore('kv'); }
        if (!db.objectStoreNames.contains('queue')) {
          db.createObjectStore('queue', {keyPath: 'op_id'}).createIndex('by_seq', 'seq');
        }
        if (!db.objectStoreNames.contains('photos')) { db.createObjectStore('photos', {keyPath: 'sha'}); }
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { opening = null; reject(req.error); };
    });
    return opening;
  }

  function run(store, mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var result;
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error('aborted')); };
        var r = fn(tx.objectStore(store));
        if (r) { r.onsuccess = function () { result = r.result; }; }
      });
    });
  }

  var FieldDB = window.FieldDB = {
    get: function (store, key) { return run(store, 'readonly', function (s) { return s.get(key); }); },
    put: function (store, value, key) {
      return run(store, 'readwrite', function (s) { return key === undefined ? s.put(value) : s.put(value, key); });
    },
    del: function (store, key) { return run(store, 'readwrite', function (s) { return s.delete(key); }); },
    all: function (store) { return run(store, 'readonly', function (s) { return s.getAll(); }); },
    // The queue in the order the changes were recorded.
    queue: function () {
      return run('queue', 'readonly', function (s) { return s.index('by_seq').getAll(); });
    },
    // Everything of the account on this device: pack, queue, photos (the language stays).
    wipe: function () {
      return Promise.all(['kv', 'queue', 'photos'].map(function (name) {
        return run(name, 'readwrite', function (s) { return s.clear(); });
      }));
    },
    // Ask the browser not to evict this storage under pressure (a queue must survive until it is sent).
    persist: function () {
      if (navigator.storage && navigator.storage.persist) {
        return navigator.storage.persist().catch(function () { return false; });
      }
      return Promise.resolve(false);
    }
  };
  FieldDB.open = open;
}());
