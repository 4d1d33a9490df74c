// Bring an element of the app's page into view when the server asks (a new nonce): the card of a
// site tapped in a list far below on a phone, a refusal at the top of a form, a download button.
// Runs in a hidden same-origin component frame (ui/scroll.py); scrolls only what is out of view.
(function () {
  'use strict';
  var doc = window.parent.document;
  var done = null;

  function post(type, extra) {
    var msg = {isStreamlitMessage: true, type: type};
    for (var k in extra) { msg[k] = extra[k]; }
    window.parent.postMessage(msg, '*');
  }

  function outOfView(el) {
    var r = el.getBoundingClientRect();
    var h = window.parent.innerHeight || doc.documentElement.clientHeight;
    return r.top < 56 || r.top > h - 96;
  }

  function bring(target, nonce, tries, align) {
    if (done === nonce) { return; }
    var el = doc.querySelector('.' + target);
    if (!el) {
      if (tries > 0) { setTimeout(function () { bring(target, nonce, tries - 1, align); }, 150); }
      return;
    }
    done = nonce;
    if (outOfView(el)) {
      // 'start': to the top, below Streamlit's fixed header; 'lower': its top at 45 % of the screen,
      // so what is above it (a map that just moved) stays partly in view.
      var h = window.parent.innerHeight || doc.documentElement.clientHeight;
      el.style.scrollMarginTop = align === 'lower' ? Math.round(h * 0.45) + 'px' : '64px';
      el.scrollIntoView({block: 'start', behavior: 'auto'});
      doc.documentElement.setAttribute('data-onemap-scrolled', target);  // for tests: it was out of view
    }
  }

  window.addEventListener('message', function (event) {
    var data = event.data || {};
    if (data.type !== 'streamlit:render') { return; }
    var args = data.args || {};
    if (args.target && args.nonce && args.nonce !== done) {
      // Wait for the frame's own layout pass: the element may still be rendering.
      setTimeout(function () { bring(args.target, args.nonce, 40, args.align); }, 60);
    }
  });
  post('streamlit:componentReady', {apiVersion: 1});
  post('streamlit:setFrameHeight', {height: 0});
}());
