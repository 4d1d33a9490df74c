"""Time-to-drawn of a map page in headless Chromium, CPU throttled, offline.

A page directory is served over HTTP on 127.0.0.1 (a thread of this
process) with Leaflet from the ``xstatic-leaflet`` data folder at
``leaflet/`` and the shipped base geography at ``base/``, i.e. the relative
URLs the benchmark pages are built with. Debian's Chromium is driven by
Playwright (no browser download) at 1024×768, with the CPU slowed down by
CDP ``Emulation.setCPUThrottlingRate`` (default 4×: a mid-range tablet).

*Time-to-drawn* is measured inside the page, from navigation start
(``performance.now()``): an init script hooks ``L.Map`` as soon as Leaflet
is defined and counts every leaf layer added to the map that is content
(not in the basemap, label or tile pane, not a layer group, not a
renderer); it also wraps the 2D canvas drawing calls (``fill``, ``stroke``,
``drawImage`` …) so that painting a canvas outside those panes counts as
activity (stamped once per task, when the task ends, so that the hooks
cost a map drawing thousands of sprites next to nothing). The page is drawn
when the layer count reaches the number of sites — a map with one layer per site — or, for a map that draws its sites
with fewer layers (one canvas layer per kind, clusters, aggregates), when
nothing was added or painted for :data:`QUIET_MS` after the load event;
the time is two animation frames after the last addition or paint (a
Leaflet canvas redraws on the next frame). WebGL draw calls count as
painting too (deck.gl). For a page that only shows its map after booting
an app (the pydeck peer in Streamlit), ``start_selector`` names the map's
element and the time counts from when it appears, not from navigation.

A page is never taken as drawn while a ``fetch`` it made is in flight or
while it says it is busy (``window.__onemapSites.pending()``: a site
payload on its way or a draw scheduled), however quiet it is meanwhile.

Every load starts on a settled machine (:func:`settle`): the CPUs have
been at most :data:`SETTLE_BUSY` busy for :data:`SETTLE_WINDOWS` windows
of :data:`SETTLE_WINDOW_S` in a row, or :data:`SETTLE_MAX_S` has passed.
A page must not pay for work that is not its own (a test run or a build
beside the benchmark, a renderer still freeing the last page's heap). On a
quiet machine it changes nothing measurable — an A/B of four interleaved
repetitions at 10,000 sites: ours 885 ms started at once, 939 ms settled,
the peers alike within noise — but on a busy one it waits, and the wait
of each load is kept (``settle_s``; ``unsettled`` counts the loads that
started anyway after :data:`SETTLE_MAX_S`), so a figure taken under load
says so.

Every request that does not go to localhost is aborted and counted.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import statistics
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("ONEMAP_CHROMIUM", "/usr/bin/chromium")
#: The launch arguments of the browser tests (tests/browser/conftest.py).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1024, "height": 768}
#: No new layer for this long after the load event: the map has drawn all it will.
QUIET_MS = 1500
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
#: A load starts once the CPUs are at most this busy (0..1, all CPUs together) ...
SETTLE_BUSY = 0.2
#: ... over this many windows in a row ...
SETTLE_WINDOWS = 2
#: ... of this many seconds each ...
SETTLE_WINDOW_S = 0.25
#: ... or after this long whatever the load (a machine that never settles is still measured, and says so).
SETTLE_MAX_S = 30.0

_INIT_JS = """
(() => {
  const B = window.__bench = {expected: %(expected)d, count: 0, lastAddAt: -1, lastPaintAt: -1, activity: -1,
                              paintedAt: -1, mapAt: -1, loadAt: -1, pending: false, startAt: -1};
  addEventListener('load', () => { B.loadAt = performance.now(); });
  const startSelector = %(start_selector)s;
  if (startSelector) {
    const seen = () => {
      if (B.startAt < 0 && document.querySelector(startSelector)) { B.startAt = performance.now(); return true; }
      return B.startAt >= 0;
    };
    new MutationObserver((_, obs) => { if (seen()) obs.disconnect(); }).observe(document, {childList: true, subtree: true});
  }
  const skipPanes = new Set(['onemapBase', 'onemapLabels', 'tilePane']);
  const skipPaneClasses = ['leaflet-onemapBase-pane', 'leaflet-onemapLabels-pane', 'leaflet-tile-pane'];
  function isContent(l) {
    if (!l || !l.options || skipPanes.has(l.options.pane)) return false;
    if (window.L.LayerGroup && l instanceof window.L.LayerGroup) return false;
    if (window.L.GridLayer && l instanceof window.L.GridLayer) return false;
    if (window.L.Renderer && l instanceof window.L.Renderer) return false;
    return true;
  }
  // Two animation frames after the last activity (a layer added, a site canvas painted).
  function schedule() {
    if (B.pending) return;
    B.pending = true;
    requestAnimationFrame(() => {
      const f1 = performance.now();
      requestAnimationFrame(() => {
        B.pending = false;
        if (B.activity > f1) { schedule(); return; }
        B.paintedAt = performance.now();
      });
    });
  }
  function onAdd(e) {
    if (!isContent(e.layer)) return;
    B.count++;
    B.lastAddAt = B.activity = performance.now();
    schedule();
  }
  // Canvas paints count as activity, except on the basemap, label and tile panes' canvases.
  const counted = new WeakMap();
  function countsCanvas(cv) {
    if (!cv || !cv.closest) return true;
    let v = counted.get(cv);
    if (v === undefined) {
      const pane = cv.closest('.leaflet-pane');
      if (!pane) return true;  // not in the map (yet): count, do not remember
      v = !skipPaneClasses.some(c => pane.classList.contains(c));
      counted.set(cv, v);
    }
    return v;
  }
  // A paint is stamped once per task, when the task ends (a microtask): a map that draws thousands of
  // sprites pays one flag test per call, not a clock read and a lookup (the observer must not slow the observed).
  let marked = false;
  function stampPaint() { marked = false; B.lastPaintAt = B.activity = performance.now(); schedule(); }
  function painted() { marked = true; queueMicrotask(stampPaint); }
  if (window.CanvasRenderingContext2D) {
    const proto = CanvasRenderingContext2D.prototype;
    ['fill', 'stroke', 'fillRect', 'strokeRect', 'drawImage', 'putImageData', 'fillText'].forEach(m => {
      const orig = proto[m];
      proto[m] = function () {
        if (!marked && countsCanvas(this.canvas)) { painted(); }
        return orig.apply(this, arguments);
      };
    });
  }
  // Requests in flight: a page still fetching its data is not drawn, however quiet it is meanwhile.
  B.inflight = 0;
  const realFetch = window.fetch;
  if (realFetch) {
    window.fetch = function () {
      B.inflight++;
      const done = () => { B.inflight--; B.activity = performance.now(); schedule(); };
      return realFetch.apply(this, arguments).then(r => { done(); return r; }, e => { done(); throw e; });
    };
  }
  // WebGL draw calls (deck.gl) are painting too.
  [window.WebGLRenderingContext, window.WebGL2RenderingContext].forEach(ctx => {
    if (!ctx) return;
    ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced'].forEach(m => {
      const orig = ctx.prototype[m];
      if (!orig) return;
      ctx.prototype[m] = function () {
        if (!marked) { painted(); }
        return orig.apply(this, arguments);
      };
    });
  });
  let realL;
  Object.defineProperty(window, 'L', {
    configurable: true,
    get() { return realL; },
    set(v) {
      realL = v;
      if (v && v.Map && !v.__benchHooked) {
        v.__benchHooked = true;
        v.Map.addInitHook(function () {
          window.__benchMap = this;
          B.mapAt = performance.now();
          this.on('layeradd', onAdd);
        });
      }
    }
  });
})();
"""

_STATE_JS = """() => {
  const B = window.__bench;
  if (!B) return null;
  const now = performance.now();
  // A page that says it is still busy (the one map's layers: payload on its way, draw scheduled) is not quiet.
  const hook = window.__onemapSites;
  const busy = B.inflight > 0 || !!(hook && hook.pending && hook.pending());
  const quiet = !busy && B.loadAt >= 0 && B.activity >= 0 && now - B.activity > %(quiet)d;
  const started = !%(needs_start)s || (B.startAt >= 0 && B.activity > B.startAt);
  const done = started && B.activity >= 0 && B.paintedAt > B.activity && (B.count >= B.expected || quiet);
  return {done, count: B.count, paintedAt: B.paintedAt, lastAddAt: B.lastAddAt, lastPaintAt: B.lastPaintAt,
          mapAt: B.mapAt, loadAt: B.loadAt, startAt: B.startAt, now};
}"""


def cpu_times(path: str = "/proc/stat") -> tuple[int, int] | None:
    """(busy, busy + idle) jiffies of all CPUs together since boot, or None where there is no ``/proc/stat``.

    Busy is user, nice, system, irq and softirq; idle is idle and iowait.
    Time stolen by the host is neither: the load of other machines on the
    same host is not this machine's to wait for.
    """
    try:
        with open(path, encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, idle, iowait, irq, softirq = (fields + [0] * 7)[:7]
    busy = user + nice + system + irq + softirq
    return busy, busy + idle + iowait


def settle(*, busy_max: float = SETTLE_BUSY, windows: int = SETTLE_WINDOWS, window_s: float = SETTLE_WINDOW_S,
           max_s: float = SETTLE_MAX_S, read=cpu_times, sleep=time.sleep, clock=time.monotonic) -> tuple[float, bool]:
    """Wait until the machine is quiet: ``windows`` windows in a row at most ``busy_max`` busy.

    Returns (seconds waited, settled). Without CPU figures (no
    ``/proc/stat``) it returns at once, settled. ``read``, ``sleep`` and
    ``clock`` are the system's unless a test gives its own.
    """
    start = clock()
    before = read()
    if before is None:
        return 0.0, True
    quiet = 0
    while True:
        sleep(window_s)
        after = read()
        if after is None:
            return clock() - start, True
        total = after[1] - before[1]
        busy = (after[0] - before[0]) / total if total > 0 else 0.0
        before = after
        quiet = quiet + 1 if busy <= busy_max else 0
        if quiet >= windows:
            return clock() - start, True
        if clock() - start >= max_s:
            return clock() - start, False


@dataclass
class DrawResult:
    """Time-to-drawn of one page: median of the runs that finished, and what was seen.

    ``layers`` is the number of content layers the last run added: one per
    site for a per-feature map, one per kind for a canvas layer per kind.
    """

    page: str
    median_ms: float | None = None
    runs_ms: list[float] = field(default_factory=list)
    #: With a start selector: from navigation start to drawn (``median_ms`` counts from the map's element).
    from_navigation_ms: list[float] = field(default_factory=list)
    layers: int | None = None
    expected: int = 0
    outside_requests: int = 0
    js_errors: list[str] = field(default_factory=list)
    error: str | None = None
    probe: object = None
    outside_urls: list[str] = field(default_factory=list)
    #: Seconds each load waited for a settled machine (:func:`settle`), and how many started unsettled.
    settle_s: list[float] = field(default_factory=list)
    unsettled: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def leaflet_dir() -> Path:
    """The xstatic-leaflet data folder (leaflet.js, leaflet.css, images/)."""
    import xstatic.pkg.leaflet as xs_leaflet

    return Path(xs_leaflet.__file__).resolve().parent / "data"


def markercluster_dir() -> Path:
    """The xstatic-leaflet-markercluster data folder (leaflet.markercluster.js, MarkerCluster*.css)."""
    import xstatic.pkg.leaflet_markercluster as xs_cluster

    return Path(xs_cluster.__file__).resolve().parent / "data"


def prepare_site_dir(root: Path) -> Path:
    """Put ``leaflet/``, ``markercluster/`` and ``base/`` in ``root`` (symbolic links, copies where links fail)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, src in (("leaflet", leaflet_dir()), ("markercluster", markercluster_dir()),
                      ("base", ROOT / "data" / "base")):
        dst = root / name
        if dst.exists():
            continue
        try:
            dst.symlink_to(src, target_is_directory=True)
        except OSError:
            shutil.copytree(src, dst)
    icon = root / "favicon.ico"
    if not icon.exists():
        icon.write_bytes(b"")  # browsers ask for it; an empty one, not a 404 and a broken-pipe trace
    return root


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature is the base class's
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) for the duration; yields the base URL."""
    handler = partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def browser_available() -> str | None:
    """None when Chromium and Playwright are there, else why not."""
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python package playwright not installed (pip install playwright; no 'playwright install')"
    return None


class Browser:
    """One headless Chromium for several measurements (``with Browser() as b: b.time_to_drawn(...)``)."""

    def __init__(self, throttle: float = 4.0, settle: bool = True):
        self.throttle = throttle
        #: Wait for a quiet machine before each load (:func:`settle`).
        self.settle = settle
        #: (seconds waited, settled) before the last load.
        self.last_settle: tuple[float, bool] = (0.0, True)
        #: The first requests that tried to leave localhost (aborted), for the notes.
        self.outside_urls: list[str] = []
        self._pw = None
        self._browser = None

    def __enter__(self) -> "Browser":
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        return self

    def __exit__(self, *exc) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._pw is not None:
            self._pw.stop()

    def one_run(self, url: str, expected: int, timeout_s: float, start_selector: str | None = None,
                probe: str | None = None) -> tuple:
        """Load ``url`` once in a fresh context.

        Returns (ms, content layers, outside requests, JS errors, error, ms from navigation, probe result):
        ``probe`` is a JavaScript function run once the page is drawn (its value is returned).
        """
        self.last_settle = settle() if self.settle else (0.0, True)
        context = self._browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        outside = [0]
        errors: list[str] = []

        def route(r) -> None:
            p = urlparse(r.request.url)
            if p.scheme in ("http", "https", "ws", "wss") and p.hostname not in LOCAL_HOSTS:
                outside[0] += 1
                if len(self.outside_urls) < 5:
                    self.outside_urls.append(r.request.url[:120])
                r.abort()
            else:
                r.continue_()

        try:
            context.route("**/*", route)
            context.add_init_script(_INIT_JS % {"expected": expected,
                                                "start_selector": json.dumps(start_selector)})
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)[:200]))
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": self.throttle})
            page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
            deadline = time.monotonic() + timeout_s
            state = None
            state_js = _STATE_JS % {"quiet": QUIET_MS, "needs_start": "true" if start_selector else "false"}
            while time.monotonic() < deadline:
                state = page.evaluate(state_js)
                if state and not state["done"] and errors and state["loadAt"] >= 0 and state["lastPaintAt"] < 0 \
                        and state["lastAddAt"] < 0 and state["now"] - state["loadAt"] > 20000:
                    return (None, state.get("count"), outside[0], errors, f"nothing drawn 20 s after a JS error: "
                            f"{errors[0]}", None, None)
                if state and state["done"]:
                    found = page.evaluate(probe) if probe else None
                    start = state["startAt"] if start_selector else 0.0
                    return (state["paintedAt"] - start, state["count"], outside[0], errors, None, state["paintedAt"],
                            found)
                time.sleep(0.2)
            return (None, (state or {}).get("count"), outside[0], errors, f"not drawn in {timeout_s:.0f} s: {state}",
                    None, None)
        except Exception as exc:  # noqa: BLE001 - report, do not abort the whole benchmark
            return None, None, outside[0], errors, f"{type(exc).__name__}: {str(exc)[:300]}", None, None
        finally:
            context.close()

    def time_to_drawn(self, url: str, expected: int, *, runs: int = 3, timeout_s: float = 180,
                      budget_s: float | None = None, start_selector: str | None = None,
                      probe: str | None = None) -> DrawResult:
        """Median time-to-drawn over ``runs`` loads of ``url``.

        Parameters
        ----------
        expected : int
            Sites on the page (layers that must be drawn).
        runs : int
            Loads; fewer when ``budget_s`` is spent or a run fails.
        timeout_s : float
            Limit of one load.
        budget_s : float, optional
            Stop repeating once this much wall time is used.
        start_selector : str, optional
            Count from when this element appears (a map inside an app), not from navigation.
        probe : str, optional
            A JavaScript function run after the first drawn load; its value goes in ``probe``.
        """
        res = DrawResult(page=url.rsplit("/", 1)[-1], expected=expected)
        self.outside_urls = []
        started = time.monotonic()
        for i in range(max(1, runs)):
            ms, layers, outside, errors, error, nav_ms, found = self.one_run(
                url, expected, timeout_s, start_selector, probe if i == 0 else None)
            res.outside_requests += outside
            res.settle_s.append(round(self.last_settle[0], 2))
            res.unsettled += not self.last_settle[1]
            res.js_errors += errors
            res.layers = layers
            if i == 0 and probe:
                res.probe = found
            if ms is None:
                res.error = error
                break
            res.runs_ms.append(round(ms, 1))
            if start_selector:
                res.from_navigation_ms.append(round(nav_ms, 1))
            if budget_s is not None and time.monotonic() - started > budget_s:
                break
        res.outside_urls = list(self.outside_urls)
        if res.runs_ms:
            res.median_ms = round(statistics.median(res.runs_ms), 1)
        return res


def main(argv=None) -> int:
    """Time one page: ``python bench/browser.py page.html --expected N`` (the page's folder is served)."""
    import argparse

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("page", type=Path, nargs="?")
    ap.add_argument("--expected", type=int, required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--throttle", type=float, default=4.0)
    ap.add_argument("--start-selector", help="count from when this element appears (a map inside an app)")
    ap.add_argument("--url", help="time this URL instead of serving the page's folder (e.g. a Streamlit page)")
    ap.add_argument("--no-settle", action="store_true", help="start each load at once, not on a quiet machine")
    args = ap.parse_args(argv)
    why = browser_available()
    if why:
        print(why)
        return 2
    if args.url:
        with Browser(args.throttle, settle=not args.no_settle) as b:
            res = b.time_to_drawn(args.url, args.expected, runs=args.runs, start_selector=args.start_selector)
        print(json.dumps(res.as_dict(), ensure_ascii=False))
        return 0
    prepare_site_dir(args.page.parent)
    with serve(args.page.parent) as base, Browser(args.throttle, settle=not args.no_settle) as b:
        res = b.time_to_drawn(base + args.page.name, args.expected, runs=args.runs,
                              start_selector=args.start_selector)
    print(json.dumps(res.as_dict(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
