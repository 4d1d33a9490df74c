// A Streamlit component without a build step: it speaks the component protocol with postMessage
// directly and returns the device position (ui/geolocation.py). Kept in a file, not inline, so the
// page works under a Content-Security-Policy that allows only same-origin scripts.
(function () {
  'use strict';
  var labels = {label: '', waiting: '', denied: '', unavailable: ''};
  var button = document.getElementById('locate');
  var status = document.getElementById('status');
  function send(type, extra) {
    var msg = {isStreamlitMessage: true, type: type};
    for (var k in extra) { msg[k] = extra[k]; }
    window.parent.postMessage(msg, '*');
  }
  function height() { send('streamlit:setFrameHeight', {height: document.body.scrollHeight + 4}); }
  function done(value, text) {
    button.disabled = false;
    status.textContent = text;
    send('streamlit:setComponentValue', {value: value, dataType: 'json'});
    height();
  }
  function locate() {
    if (!navigator.geolocation) { done({error: 'unavailable'}, labels.unavailable); return; }
    button.disabled = true;
    status.textContent = labels.waiting;
    navigator.geolocation.getCurrentPosition(function (pos) {
      var c = pos.coords;
      done({lat: c.latitude, lon: c.longitude, accuracy: c.accuracy, time: pos.timestamp, nonce: Date.now()},
           '± ' + Math.round(c.accuracy) + ' m');
    }, function (err) {
      done({error: err.code === 1 ? 'denied' : 'unavailable', message: err.message, nonce: Date.now()},
           err.code === 1 ? labels.denied : labels.unavailable);
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 30000});
  }
  button.addEventListener('click', locate);
  window.addEventListener('message', function (event) {
    var data = event.data || {};
    if (data.type !== 'streamlit:render') { return; }
    var args = data.args || {};
    labels = args.labels || labels;
    button.textContent = labels.label;
    height();
  });
  send('streamlit:componentReady', {apiVersion: 1});
  height();
}());
