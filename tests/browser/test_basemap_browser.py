"""The Gaode basemap in Chromium: sites drawn at their GCJ-02 position, a tapped position stored as WGS84.

Gaode's tile server is not reachable here (nor should it be in CI): its
tile requests are answered by the test with a plain PNG, and counted, so
the test also proves the tiles are requested from Gaode and nothing else
leaves localhost.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlparse

import pytest

from geo.crs import haversine_m, wgs84_to_gcj02
from geo.store import GpkgStore
from tests.browser.conftest import FEATURE_JS, RequestLog, log_in, map_frame, settled_map_frame, start_sample_app
from tests.factories import INSPECTOR, PASSWORD, SYSTEM

GAODE_ENV = {"ONEMAP_BASEMAPS": "gaode", "ONEMAP_BASEMAP": "gaode_vec"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    server = start_sample_app(tmp_path_factory, "gaode", env=GAODE_ENV)
    yield server
    server.stop()


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (236, 232, 222)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.requests = RequestLog()
    page.on("request", page.requests)
    tile = _png()
    page.gaode_tiles = []

    def fake_gaode(route):
        page.gaode_tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=tile)

    page.route(re.compile(r"^https://webrd0[1-4]\.is\.autonavi\.com/.*"), fake_gaode)
    yield page
    context.close()


def _not_gaode(urls):
    return [u for u in urls if not urlparse(u).hostname.endswith(".is.autonavi.com")]


def test_sites_on_gaode_sit_at_their_gcj02_position(page, app, artifacts):
    store = GpkgStore(app.store_file)
    site = store.list_sites(SYSTEM, kinds=["outfalls"])[0]
    page.goto(app.url, wait_until="domcontentloaded")
    frame = settled_map_frame(page, lambda c: c.get("outfalls", 0) > 0)
    name = frame.evaluate("() => { const e = document.querySelector('.onemap-basemap-name');"
                          " return e && [e.textContent, e.dataset.frame]; }")
    assert name == ["底图：高德 矢量", "gcj02"]
    feature = frame.evaluate(FEATURE_JS, site.site_id)
    drawn = [feature["lng"], feature["lat"]]
    glon, glat = wgs84_to_gcj02(site.geometry.x, site.geometry.y)
    # Site layers carry vertices quantised to 1e-5° (geo/map/sitelayer.py): at most half a unit off on each axis,
    # 0.56 m north-south and 0.50 m east-west here, so 0.75 m in all (it was 0.2 m with 1e-6° GeoJSON).
    assert haversine_m(drawn[0], drawn[1], glon, glat) < 0.8
    # And it is drawn there: its pixel is the GCJ-02 position's pixel (zoom 18: 0.54 m per pixel).
    frame.evaluate(f"() => {{ window.map.setView([{glat}, {glon}], 18, {{animate: false}}); }}")
    pixel = frame.evaluate(f"() => window.__onemapSites.pixelOf({site.site_id!r})")
    exact = frame.evaluate(f"() => {{ const p = window.map.latLngToContainerPoint([{glat}, {glon}]); return [p.x, p.y]; }}")
    assert abs(pixel[0] - exact[0]) <= 1.5 and abs(pixel[1] - exact[1]) <= 1.5
    assert frame.evaluate(f"() => window.__onemapSites.idAt({pixel[0]}, {pixel[1]})")["id"] == site.site_id
    assert haversine_m(drawn[0], drawn[1], site.geometry.x, site.geometry.y) > 300
    page.wait_for_timeout(800)
    assert page.gaode_tiles, "no Gaode tile was requested"
    assert _not_gaode(page.requests.outside()) == []
    page.screenshot(path=str(artifacts / "basemap_gaode_1024x768.png"))
    # What is stored did not move.
    assert store.get_site(SYSTEM, site.site_id).geometry.equals(site.geometry)


def test_a_tap_on_gaode_comes_back_as_the_wgs84_position(page, app, artifacts):
    wgs = (119.38765, 25.71234)
    glon, glat = wgs84_to_gcj02(*wgs)
    log_in(page, app, INSPECTOR.name, PASSWORD, "巡查员")
    page.get_by_role("link", name="现场巡查").click()
    page.get_by_text("在地图上点选位置").first.click()
    frame = None
    for _ in range(60):
        frame = map_frame(page)
        if frame.evaluate("() => window.map.getContainer().offsetWidth > 0"):
            break
        page.wait_for_timeout(300)
    frame.evaluate("() => new Promise(r => { const w = () => window.map._animatingZoom ? setTimeout(w, 50) : r(); w(); })")
    frame.evaluate(f"() => {{ window.map.setView([{glat}, {glon}], 18, {{animate: false}}); }}")
    point = frame.evaluate(f"() => {{ const p = window.map.latLngToContainerPoint([{glat}, {glon}]);"
                           " return [p.x, p.y]; }")
    box = frame.frame_element().bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    caption = page.get_by_text("地图点选（非设备定位）").first
    caption.wait_for(timeout=20000)
    lon, lat = (float(v) for v in re.search(r"([\d.]+), ([\d.]+)", caption.inner_text()).groups())
    assert haversine_m(lon, lat, *wgs) < 2.0  # 5 decimals shown (≤ 0.6 m) + one pixel at zoom 18 (0.5 m)
    assert haversine_m(lon, lat, glon, glat) > 300  # the GCJ-02 offset was taken off
    assert _not_gaode(page.requests.outside()) == []
    page.screenshot(path=str(artifacts / "basemap_gaode_tap.png"))
