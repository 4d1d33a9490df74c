"""The site layer's drawing in Chromium, on a standalone map page (no app): what loading costs the browser.

The page is the one the benchmark times (``bench/run.py``: the map page's
base and site groups rendered by ``geo.map.build``), its site payloads
served as files that land one after another, as on a slow intranet.
"""

from __future__ import annotations

import http.server
import threading
import time
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest

from bench.browser import prepare_site_dir
from bench.run import ASSETS, ours_map_html
from bench.synthetic import synthetic_sites
from geo.map.sitelayer import PayloadFiles
from tests.browser.conftest import COUNT_FEATURES_JS, wait_for

N = 3000
#: Extra delay of the k-th site payload file requested (seconds): they land apart, the last well after the first.
STAGGER_S = 0.25


class _StaggeredHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; the k-th request for a site payload waits ``k * STAGGER_S`` first."""

    served: list[str]
    lock: threading.Lock

    def do_GET(self):  # noqa: N802 - the base class's name
        if self.path.startswith("/sites/"):
            with self.lock:
                k = len(self.served)
                self.served.append(self.path)
            time.sleep(k * STAGGER_S)
        super().do_GET()

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a page closed while a delayed file was still on its way: nothing to report


@contextmanager
def _serve_staggered(folder: Path):
    handler = type("Handler", (_StaggeredHandler,), {"served": [], "lock": threading.Lock()})
    server = _QuietServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", handler.served
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def _opened(browser, page_dir: Path):
    """The map page opened at 1024×768 from the staggered server: (page, files served, page errors)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        with _serve_staggered(page_dir) as (base, served):
            page.goto(base + "map.html", wait_until="domcontentloaded")
            yield page, served, errors
    finally:
        context.close()


@pytest.fixture(scope="module")
def page_dir(tmp_path_factory):
    folder = prepare_site_dir(tmp_path_factory.mktemp("sitelayer-page"))
    sites = synthetic_sites(N, seed=11)
    html = ours_map_html(sites, ASSETS, PayloadFiles(folder / "sites", "sites/"))
    (folder / "map.html").write_text(html, encoding="utf-8")
    return folder


def test_payloads_landing_apart_are_drawn_once_when_the_last_lands(browser, page_dir):
    """A map whose payload files land one by one draws its sites once, after the last: no draw per file, and
    no second whole redraw for nothing afterwards (a waiting loop used to add one, a fifth of a second on a
    tablet)."""
    with _opened(browser, page_dir) as (page, served, errors):
        counts = wait_for(page.main_frame, COUNT_FEATURES_JS, lambda c: sum(c.values()) >= N, 60)
        wait_for(page.main_frame, "() => window.__onemapSites.pending()", lambda p: not p, 30)
        page.wait_for_timeout(1000)  # a stray retry would have fired by now
        draws = page.evaluate("() => window.__onemapSites.draws()")
        drawn = page.evaluate("() => window.__onemapSites.drawn()")
    assert len(served) >= 3  # several files, landing at least half a second apart
    assert sum(counts.values()) == N
    assert drawn > 0
    assert draws == 1, f"the sites were drawn {draws} times while loading"
    assert errors == []


def _colour_at(page, lat: float, lon: float) -> list[int]:
    """RGB of the base pane's canvas where (lat, lon) is drawn."""
    return page.evaluate("""([lat, lon]) => {
      const map = Object.values(window).find(v => v instanceof L.Map);
      let base = null;
      map.eachLayer(l => { if (l.onemapBaseFile) { base = l; } });
      const r = base._renderer, p = map.latLngToLayerPoint([lat, lon]).subtract(r._bounds.min);
      const px = r._ctx.getImageData(Math.round(p.x * devicePixelRatio), Math.round(p.y * devicePixelRatio), 1, 1).data;
      return [px[0], px[1], px[2]];
    }""", [lat, lon])


def _rgb(hex_colour: str) -> list[int]:
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]


@pytest.mark.parametrize("zoom", [10, 14])
def test_the_base_geography_is_drawn_land_on_sea_at_county_and_street_zoom(browser, page_dir, zoom):
    """The shipped land, neighbours and county outline, drawn from arrays projected once: land where the land
    is, sea where it is not, at the county view and after zooming in (redrawn, not left stretched)."""
    import shapely

    from geo import basegeo
    from geo.map.build import LAND_COLOR, SEA_COLOR

    land = basegeo.land()
    inland = land.buffer(-0.03).representative_point()
    clip = shapely.box(*basegeo.LAND_CLIP_BOUNDS).buffer(-0.05)
    offshore = clip.difference(land.buffer(0.03)).representative_point()
    with _opened(browser, page_dir) as (page, _, errors):
        files = wait_for(page.main_frame, """() => { const m = Object.values(window).find(v => v instanceof L.Map);
            const f = []; if (m) { m.eachLayer(l => { if (l.onemapBaseFile) { f.push(l.onemapBaseFile); } }); }
            return f.sort(); }""", lambda f: len(f) == 3, 30)
        for point in (inland, offshore):
            page.evaluate("([lat, lon, z]) => { const m = Object.values(window).find(v => v instanceof L.Map);"
                          " m.setView([lat, lon], z, {animate: false}); }", [point.y, point.x, zoom])
            page.wait_for_timeout(300)
            colour = _colour_at(page, point.y, point.x)
            expected = LAND_COLOR if point is inland else SEA_COLOR
            assert max(abs(a - b) for a, b in zip(colour, _rgb(expected))) <= 3, (point, zoom, colour, expected)
    assert files == ["fuqing_boundary.geojson", "land.geojson", "neighbours.geojson"]
    assert errors == []
