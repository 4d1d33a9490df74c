// The page helper: runs in a hidden same-origin component frame and works on the app's page
// (window.parent.document) — Streamlit serves components from the app's own origin.
//
//  * Streamlit's own English (file uploader, "Select all", "Press Ctrl+Enter to apply", the
//    connection dialog ...) is replaced by the strings ui/page_helper.py sends, but only inside the
//    Streamlit parts named there (never in the app's own content).
//  * A dropped connection: Streamlit's English dialog is closed and a Chinese notice that does not
//    cover the form says what happens (typed text is kept on this device and restored).
//  * Logout: the drafts of the account that logged out are removed from this browser.
//
// No template, no eval: every text goes in as text (nodeValue, textContent, setAttribute).
(function () {
  'use strict';
  var doc = window.parent.document;
  var groups = [];           // [{within, exact: {en: zh}, patterns: [[RegExp, zh]]}]
  var attrNames = [];
  var notice = null;          // {offline, online}
  var wasDown = false;
  var okTimer = null;
  var observer = null;

  function post(type, extra) {
    var msg = {isStreamlitMessage: true, type: type};
    for (var k in extra) { msg[k] = extra[k]; }
    window.parent.postMessage(msg, '*');
  }

  function groupFor(el) {
    for (var i = 0; i < groups.length; i++) {
      if (el && el.closest && el.closest(groups[i].within)) { return groups[i]; }
    }
    return null;
  }

  function translated(group, text) {
    var key = text.trim();
    if (!key) { return null; }
    if (Object.prototype.hasOwnProperty.call(group.exact, key)) {
      return text.replace(key, group.exact[key]);
    }
    for (var i = 0; i < group.patterns.length; i++) {
      var p = group.patterns[i];
      if (p[0].test(key)) { return text.replace(key, key.replace(p[0], p[1])); }
    }
    return null;
  }

  function fixText(node) {
    var parent = node.parentElement;
    if (!parent || !node.nodeValue) { return; }
    var group = groupFor(parent);
    if (!group) { return; }
    var out = translated(group, node.nodeValue);
    if (out !== null && out !== node.nodeValue) { node.nodeValue = out; }
  }

  function fixAttrs(el) {
    var group = null;
    for (var i = 0; i < attrNames.length; i++) {
      var value = el.getAttribute(attrNames[i]);
      if (!value) { continue; }
      group = group || groupFor(el);
      if (!group) { return; }
      var out = translated(group, value);
      if (out !== null && out !== value) { el.setAttribute(attrNames[i], out); }
    }
  }

  function walk(root) {
    if (root.nodeType === 3) { fixText(root); return; }
    if (root.nodeType !== 1) { return; }
    fixAttrs(root);
    var tw = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    var n = tw.nextNode();
    while (n) {
      if (n.nodeType === 3) { fixText(n); } else { fixAttrs(n); }
      n = tw.nextNode();
    }
  }

  function observe() {
    if (observer || !groups.length) { return; }
    observer = new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === 'characterData') { fixText(r.target); }
        else if (r.type === 'attributes') { fixAttrs(r.target); }
        else { r.addedNodes.forEach(walk); }
      });
      checkConnection();
    });
    var options = {childList: true, subtree: true, characterData: true};
    if (attrNames.length) { options.attributes = true; options.attributeFilter = attrNames; }
    observer.observe(doc.body, options);
    walk(doc.body);
  }

  // -- connection -------------------------------------------------------------------------------
  function noticeBox() {
    var box = doc.getElementById('onemap-connection-notice');
    if (!box) {
      box = doc.createElement('div');
      box.id = 'onemap-connection-notice';
      box.setAttribute('role', 'status');
      box.setAttribute('aria-live', 'polite');
      box.style.cssText = 'position:fixed;top:8px;left:50%;transform:translateX(-50%);z-index:1000100;' +
        'max-width:92vw;padding:10px 16px;border-radius:8px;font-size:15px;line-height:1.45;' +
        'box-shadow:0 2px 10px rgba(0,0,0,.25);display:none;pointer-events:none';
      doc.body.appendChild(box);
    }
    return box;
  }

  function show(kind) {
    if (!notice) { return; }
    var box = noticeBox();
    clearTimeout(okTimer);
    if (kind === 'offline') {
      box.textContent = notice.offline;
      box.style.background = '#fff4e5';
      box.style.color = '#663c00';
      box.style.border = '1px solid #f0a030';
      box.style.display = 'block';
    } else if (kind === 'online') {
      box.textContent = notice.online;
      box.style.background = '#edf7ed';
      box.style.color = '#1e4620';
      box.style.border = '1px solid #4caf50';
      box.style.display = 'block';
      okTimer = setTimeout(function () { box.style.display = 'none'; }, 4000);
    }
  }

  function connectionDialog() {
    var dialogs = doc.querySelectorAll('section[role="dialog"]');
    for (var i = 0; i < dialogs.length; i++) {
      var h = dialogs[i].querySelector('h2');
      if (h && notice && notice.titles.indexOf(h.textContent.trim()) >= 0) { return dialogs[i]; }
    }
    return null;
  }

  // Streamlit marks its root with the connection state (CONNECTED, PINGING_SERVER, CONNECTING,
  // DISCONNECTED_FOREVER ...).
  function connectionDown() {
    var app = doc.querySelector('[data-testid="stApp"]');
    var state = app ? app.getAttribute('data-test-connection-state') : null;
    return !!state && ['CONNECTED', 'STATIC_CONNECTED', 'INITIAL'].indexOf(state) < 0;
  }

  function checkConnection() {
    if (!notice) { return; }
    var dialog = connectionDialog();
    if (dialog) {
      // Streamlit's English dialog covers the form: close it (Streamlit then waits quietly and
      // reconnects); our notice says it in Chinese without covering anything.
      var close = dialog.querySelector('button[aria-label="Close"], button[aria-label="关闭"]');
      if (close) { close.click(); }
    }
    var down = connectionDown() || !!dialog;
    if (down && !wasDown) { show('offline'); }
    if (!down && wasDown) { show('online'); }
    wasDown = down;
    doc.documentElement.setAttribute('data-onemap-connection', down ? 'down' : 'up');
  }

  // -- a date typed in full applies at once ------------------------------------------------------
  // Streamlit's date field applies a typed date only when it loses focus; once every part is filled
  // and the typing has paused, the field is left (which applies it), as a tap elsewhere would.
  var dateTimer = null;
  function focusSink() {
    var sink = doc.getElementById('onemap-focus-sink');
    if (!sink) {
      sink = doc.createElement('span');
      sink.id = 'onemap-focus-sink';
      sink.tabIndex = -1;
      sink.setAttribute('aria-hidden', 'true');
      sink.style.cssText = 'position:fixed;left:-10px;top:0;width:1px;height:1px;overflow:hidden';
      doc.body.appendChild(sink);
    }
    return sink;
  }
  function onDateKey(event) {
    var seg = event.target;
    var field = seg && seg.closest ? seg.closest('[data-testid="stDateInputField"]') : null;
    if (!field) { return; }
    clearTimeout(dateTimer);
    dateTimer = setTimeout(function () {
      var segs = field.querySelectorAll('[role="spinbutton"]');
      if (!segs.length) { return; }
      var filled = Array.prototype.every.call(segs, function (s) { return s.hasAttribute('aria-valuenow'); });
      var last = segs[segs.length - 1];
      if (filled && doc.activeElement === last && /^\d{2}$/.test((last.textContent || '').trim())) {
        focusSink().focus({preventScroll: true});  // a plain blur() is not taken as leaving the field
      }
    }, 1200);
  }
  doc.addEventListener('keyup', onDateKey, true);
  window.addEventListener('pagehide', function () { doc.removeEventListener('keyup', onDateKey, true); });

  // -- a menu tap made while a text box still held unsent text ----------------------------------
  // Leaving the text box sends its text (a rerun of the page); Streamlit then drops the page switch
  // requested by the same tap. Tap the link again once that rerun is over.
  var lastTextBlur = 0;
  function onFocusOut(event) {
    var el = event.target;
    if (el && el.matches && el.matches('textarea, input[type="text"], input[type="number"], input:not([type])')) {
      lastTextBlur = Date.now();
    }
  }
  function onNavClick(event) {
    var link = event.target && event.target.closest ? event.target.closest(
      'a[data-testid="stTopNavLink"], a[data-testid="stSidebarNavLink"], a[data-testid="stTopNavDropdownLink"]') : null;
    if (!link || link.getAttribute('data-onemap-retry') || Date.now() - lastTextBlur > 600) { return; }
    var path = new URL(link.href, doc.baseURI).pathname;
    var app = doc.querySelector('[data-testid="stApp"]');
    var started = Date.now(), tries = 0, triedAt = 0;
    // The address may show the new page while the run goes on; only when the runs are over does it
    // tell whether the switch happened. On a busy server the text's rerun can take seconds, and a
    // retry can be dropped by a run still going: try again (up to 3 times) until the page has switched.
    var timer = setInterval(function () {
      var now = Date.now();
      if (now - started > 30000) { clearInterval(timer); return; }
      if (now - started < 400 || now - triedAt < 1000 || !app ||
          app.getAttribute('data-test-script-state') !== 'notRunning') { return; }
      if (window.parent.location.pathname === path || tries === 3) { clearInterval(timer); return; }
      tries++; triedAt = now;
      link.setAttribute('data-onemap-retry', '1');
      link.click();
      setTimeout(function () { link.removeAttribute('data-onemap-retry'); }, 900);
    }, 150);
  }
  doc.addEventListener('focusout', onFocusOut, true);
  doc.addEventListener('click', onNavClick, true);
  window.addEventListener('pagehide', function () {
    doc.removeEventListener('focusout', onFocusOut, true);
    doc.removeEventListener('click', onNavClick, true);
  });

  // -- drafts of an account that logged out -------------------------------------------------------
  function forget(prefix) {
    if (!prefix) { return; }
    try {
      var storage = window.parent.localStorage;
      var doomed = [];
      for (var i = 0; i < storage.length; i++) {
        var k = storage.key(i);
        if (k && k.indexOf(prefix) === 0) { doomed.push(k); }
      }
      doomed.forEach(function (k) { storage.removeItem(k); });
    } catch (e) { /* storage unavailable (private mode): nothing was kept either */ }
  }

  // -- the screen: the server lays pages out per width class (phone, portrait tablet, wide) ----------
  var VIEW_COOKIE = 'onemap_view';
  var sentClass = null;
  var sentHeight = 0;
  function widthClass(w) { return w < 640 ? 'phone' : (w < 1024 ? 'portrait' : 'wide'); }
  function reportViewport() {
    var w = window.parent.innerWidth, h = window.parent.innerHeight;
    var cls = widthClass(w);
    if (cls === sentClass && Math.abs(h - sentHeight) < 120) { return; }
    sentHeight = h;
    sentClass = cls;
    var touch = (window.parent.matchMedia && window.parent.matchMedia('(pointer: coarse)').matches) ||
      (navigator.maxTouchPoints || 0) > 0;
    post('streamlit:setComponentValue', {value: {width_class: cls, w: w, h: h, touch: !!touch}, dataType: 'json'});
    // The next visit's first run lays out for this screen at once (the server reads the hint from the cookie).
    try {
      window.parent.document.cookie = VIEW_COOKIE + '=' + cls + '.' + Math.round(h) +
        '; path=/; max-age=31536000; SameSite=Strict';
    } catch (e) { /* cookies off: the first run lays out wide and switches, as before */ }
  }
  var resizeTimer = null;
  function onResize() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(reportViewport, 250);
  }
  window.parent.addEventListener('resize', onResize);
  window.addEventListener('pagehide', function () { window.parent.removeEventListener('resize', onResize); });

  window.addEventListener('message', function (event) {
    var data = event.data || {};
    if (data.type !== 'streamlit:render') { return; }
    if (sentClass === null) {
      var known = (data.args || {}).width_class;
      if (known && known === widthClass(window.parent.innerWidth)) {
        sentClass = known;
        sentHeight = (data.args || {}).height || window.parent.innerHeight;
      } else { reportViewport(); }
    }
    var args = data.args || {};
    groups = (args.groups || []).map(function (g) {
      return {within: g.within, exact: g.exact || {},
              patterns: (g.patterns || []).map(function (p) { return [new RegExp(p[0]), p[1]]; })};
    });
    attrNames = args.attributes || [];
    notice = args.notice || null;
    forget(args.forget_prefix);
    if (observer) { observer.disconnect(); observer = null; }
    observe();
    checkConnection();
  });
  setInterval(checkConnection, 700);
  window.addEventListener('pagehide', function () { if (observer) { observer.disconnect(); } });
  post('streamlit:componentReady', {apiVersion: 1});
  post('streamlit:setFrameHeight', {height: 0});
}());
