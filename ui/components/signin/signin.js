// Sets or clears the app's HttpOnly session cookie for the page (a page script cannot): a Streamlit
// component without a build step, speaking the component protocol with postMessage directly.
//   {op: "open", code, nonce}: POST the one-time hand-over code to the app's session route; the answer
//                              sets the cookie (HttpOnly, SameSite=Strict).
//   {op: "close", nonce}:       DELETE on the same route: the session of the cookie ends, the cookie is cleared.
// Same origin, with Streamlit's XSRF token in the X-Xsrftoken header (the route checks both).
(function () {
  "use strict";
  var done = {};
  function send(type, extra) {
    var msg = {isStreamlitMessage: true, type: type};
    for (var k in extra) { msg[k] = extra[k]; }
    window.parent.postMessage(msg, "*");
  }
  function xsrf() {
    var m = document.cookie.match(/(?:^|;\s*)_streamlit_xsrf=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function run(args) {
    if (!args || !args.nonce || done[args.nonce]) { return; }
    done[args.nonce] = true;
    var init = {method: args.op === "open" ? "POST" : "DELETE", credentials: "same-origin",
                headers: {"Content-Type": "application/json", "X-Xsrftoken": xsrf()}, cache: "no-store"};
    if (args.op === "open") { init.body = JSON.stringify({code: args.code}); }
    fetch(args.url, init).then(function (r) {
      send("streamlit:setComponentValue", {value: {nonce: args.nonce, ok: r.ok, status: r.status}, dataType: "json"});
    }, function () {
      send("streamlit:setComponentValue", {value: {nonce: args.nonce, ok: false, status: 0}, dataType: "json"});
    });
  }
  window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "streamlit:render") { run(data.args || {}); }
  });
  send("streamlit:componentReady", {apiVersion: 1});
  send("streamlit:setFrameHeight", {height: 0});
}());
