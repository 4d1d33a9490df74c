"""A map of thousands of sites in Chromium: sites fetched as a served file, a click re-sends nothing big."""

from __future__ import annotations

import html

import pytest

from bench.synthetic import synthetic_sites
from geo.sample import plan
from layers import REGISTRY
from tests.browser.conftest import COUNT_FEATURES_JS, RequestLog, focus_site, map_frame, start_sample_app, wait_for
from tests.factories import SYSTEM

N = 3000
SAMPLE = len(plan())  # the sample store's own sites


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    def many(store):
        store.add_sites(SYSTEM, synthetic_sites(N, seed=7), source="test")

    server = start_sample_app(tmp_path_factory, "large", extra=many)
    yield server
    server.stop()


def test_thousands_of_sites_load_from_a_file_and_a_click_keeps_the_map(browser, app, artifacts):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    requests = RequestLog()
    page.on("request", requests)
    sent = []  # Streamlit's messages to the browser (websocket frames), in bytes
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: sent.append(len(f) if f else 0)))
    page.goto(app.url, wait_until="domcontentloaded")
    frame = map_frame(page)
    counts = wait_for(frame, COUNT_FEATURES_JS, lambda c: sum(c.values()) >= N + SAMPLE, 60)
    assert sum(counts.values()) == N + SAMPLE
    files = [u for u in requests.urls if "/files/sites/" in u and u.endswith(".json")]
    assert 1 <= len(files) <= len(REGISTRY)  # one per kind
    frame.evaluate("() => { window.__probe = 'same-document'; }")
    target = focus_site(frame, "f => f.k === 'outfalls'", 15)
    page.wait_for_timeout(300)
    # Zoomed in, the detail of lines and polygons came as files of their own, once each.
    fetched = [u for u in requests.urls if "/files/sites/" in u and u.endswith(".json")]
    assert fetched[:len(files)] == files and len(set(fetched)) == len(fetched) <= 2 * len(files)
    assert wait_for(frame, "() => window.__onemapSites.detail('parks')",
                    lambda d: d and d["detail"] == "here" and d["drawing"] == "detail", 30)
    files = fetched
    before = len(sent)
    frame.locator(".leaflet-container").click(position={"x": target["x"], "y": target["y"]})
    page.get_by_role("heading", name=html.unescape(target["n"])).wait_for(timeout=30000)
    page.wait_for_timeout(1000)
    assert frame.evaluate("() => window.__probe") == "same-document"  # not remounted
    assert [u for u in requests.urls if "/files/sites/" in u and u.endswith(".json")] == files  # not fetched again
    after_click = sum(sent[before:])
    assert after_click < 200_000, after_click  # the sites (~0.4 MB inline) were not re-sent
    assert requests.outside() == []
    page.screenshot(path=str(artifacts / "map_large_1024x768.png"))
    context.close()


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 768)])
def test_thousands_of_sites_on_a_phone_and_a_laptop(browser, app, artifacts, width, height):
    """Every site drawn at phone and laptop size, the page no wider than the screen, nothing fetched from outside."""
    phone = width < 600
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=phone, is_mobile=phone,
                                  locale="zh-CN")
    page = context.new_page()
    requests = RequestLog()
    page.on("request", requests)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(app.url, wait_until="domcontentloaded")
    frame = map_frame(page)
    sample = len(plan())
    counts = wait_for(frame, COUNT_FEATURES_JS, lambda c: sum(c.values()) >= N + sample, 60)
    assert sum(counts.values()) == N + sample
    wait_for(frame, "() => window.__onemapSites.pending()", lambda p: not p, 30)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing pushes the page sideways
    box = frame.evaluate("() => { const r = document.querySelector('.leaflet-container').getBoundingClientRect();"
                         " return [r.width, r.height]; }")
    assert (0.8 * (width - 60) if phone else 500) <= box[0] <= width and box[1] >= 300, box  # full width on a phone
    frame.frame_element().scroll_into_view_if_needed()  # the map's own iframe (others may be hidden)
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / f"map_large_{width}x{height}.png"))
    assert requests.outside() == [] and errors == []
    context.close()
