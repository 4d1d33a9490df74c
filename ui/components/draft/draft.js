// The draft keeper of one status form: keeps what the inspector chose and typed in the browser's
// localStorage (one entry per account and site) so that a reload, a lost connection or a new
// session gives it back. Runs in a hidden same-origin component frame (ui/drafts.py).
//
// * Choices (target, kind fields, photos, readings) come from the server with every render.
// * Text is taken from the page as it is typed (an "input" listener on the form's text boxes), so
//   text typed but not yet sent to the server — e.g. when the connection drops — is kept too.
// * On load, and again when the connection comes back, the stored draft is sent to the server,
//   which puts it back into the form.
// * After a save the server sends `clear`: the entry is removed.
(function () {
  'use strict';
  var doc = window.parent.document;
  var storage = null;
  try { storage = window.parent.localStorage; } catch (e) { storage = null; }

  var key = null;          // localStorage key of this form's draft
  var watch = {};          // css class of a text widget's container -> field name
  var base = null;         // the site version the form is based on
  var lastClear = null;
  var pending = null;      // nonce of a draft sent and not yet acknowledged by the server
  var mounted = false;
  var wasDown = false;

  function post(type, extra) {
    var msg = {isStreamlitMessage: true, type: type};
    for (var k in extra) { msg[k] = extra[k]; }
    window.parent.postMessage(msg, '*');
  }

  function load() {
    if (!storage || !key) { return null; }
    try { return JSON.parse(storage.getItem(key) || 'null'); } catch (e) { return null; }
  }

  function empty(v) {
    return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
  }

  function store(draft) {
    if (!storage || !key) { return; }
    var has = Object.keys(draft.values || {}).some(function (f) { return !empty(draft.values[f]); });
    try {
      if (has) { draft.at = Date.now(); storage.setItem(key, JSON.stringify(draft)); }
      else { storage.removeItem(key); }
    } catch (e) { /* quota or private mode: the server still has what was sent */ }
  }

  function sendStored(reason) {
    var draft = load();
    if (!draft || !draft.values) { return; }
    pending = reason + ':' + Date.now();
    post('streamlit:setComponentValue', {value: {draft: draft, nonce: pending, reason: reason}, dataType: 'json'});
  }

  // Text as it is typed, before Streamlit sends it (it sends a text box on blur or Ctrl+Enter).
  function onInput(event) {
    var el = event.target;
    if (!el || !key || !el.closest) { return; }
    for (var cls in watch) {
      if (el.closest('.' + cls)) {
        var draft = load() || {values: {}};
        draft.values = draft.values || {};
        draft.values[watch[cls]] = el.value;
        if (base !== null) { draft.version = base; }
        store(draft);
        return;
      }
    }
  }
  doc.addEventListener('input', onInput, true);
  window.addEventListener('pagehide', function () { doc.removeEventListener('input', onInput, true); });

  // The connection: Streamlit marks its root with the connection state. When it is back, send the
  // draft again (text typed just before the drop never reached the server).
  setInterval(function () {
    var app = doc.querySelector('[data-testid="stApp"]');
    var state = app ? app.getAttribute('data-test-connection-state') : null;
    var down = !!state && ['CONNECTED', 'STATIC_CONNECTED', 'INITIAL'].indexOf(state) < 0;
    if (wasDown && !down) { setTimeout(function () { sendStored('reconnect'); }, 1200); }
    wasDown = down;
  }, 500);

  window.addEventListener('message', function (event) {
    var data = event.data || {};
    if (data.type !== 'streamlit:render') { return; }
    var args = data.args || {};
    key = args.storage_key;
    watch = args.watch || {};
    base = args.version === undefined ? null : args.version;
    if (args.clear && args.clear !== lastClear) {
      lastClear = args.clear;
      if (storage && key) { try { storage.removeItem(key); } catch (e) { /* ignore */ } }
    }
    if (!mounted) {
      mounted = true;
      var found = load();
      if (found && found.values && Object.keys(found.values).length) {
        sendStored('load');
        return;  // the server puts the draft back first; its values then come with the next render
      }
    }
    if (pending && args.applied !== pending) { return; }  // not yet back in the form: keep the stored one
    pending = null;
    var draft = load() || {values: {}};
    draft.values = draft.values || {};
    var values = args.values || {};
    Object.keys(values).forEach(function (f) { draft.values[f] = values[f]; });
    if (base !== null) { draft.version = base; }
    store(draft);
  });
  post('streamlit:componentReady', {apiVersion: 1});
  post('streamlit:setFrameHeight', {height: 0});
}());
