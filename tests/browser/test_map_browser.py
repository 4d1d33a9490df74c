"""The one map in headless Chromium at tablet size, with no request leaving localhost."""

from __future__ import annotations

import html

import pytest
from shapely.geometry import Point

from geo.sample import populate_sample
from geo.store import NewSite, create_store
from layers import KIND_KEYS
from tests.browser.conftest import (
    BASEMAP_LOADED_JS,
    COUNT_FEATURES_JS,
    AppServer,
    RequestLog,
    focus_site,
    hover_tooltip,
    map_frame,
    wait_for,
)
from tests.factories import SYSTEM

XSS_NAMES = ["<img src=x onerror=alert(1)>", "${document.title='pwned'}"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("app")
    store_file = tmp / "store.gpkg"

    def populate(store):
        populate_sample(store)
        store.add_sites(SYSTEM, [
            NewSite("outfalls", f"PWK-X{i}", name, "350181103", "surveyed", Point(119.30 + 0.02 * i, 25.80),
                    attrs={"discharge_into": "sea", "receiving_water": "fuqing_bay", "outfall_type": "other"}, is_sample=True)
            for i, name in enumerate(XSS_NAMES)
        ], source="test")

    create_store(store_file, populate)
    server = AppServer(store_file, tmp / "streamlit.log")
    yield server
    server.stop()


@pytest.fixture
def page(browser, app):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.requests = RequestLog()
    page.dialogs = []
    page.on("request", page.requests)
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def test_map_draws_every_kind_offline(page, app, artifacts):
    page.goto(app.url, wait_until="domcontentloaded")
    frame = map_frame(page)
    counts = wait_for(frame, COUNT_FEATURES_JS, lambda c: all(c.get(k, 0) > 0 for k in KIND_KEYS))
    assert counts["outfalls"] >= 40 and counts["shore_power_berths"] >= 15
    wait_for(frame, BASEMAP_LOADED_JS, lambda n: n >= 2)  # land and county boundary fetched same-origin
    page.get_by_text("示例数据", exact=False).first.wait_for()
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "map_1024x768.png"), full_page=True)
    assert page.requests.outside() == []
    assert any("onemap_leaflet" in u and u.endswith("leaflet.js") for u in page.requests.urls)


def test_escaped_names_show_as_text_and_never_run(page, app, artifacts):
    page.goto(app.url, wait_until="domcontentloaded")
    frame = map_frame(page)
    wait_for(frame, COUNT_FEATURES_JS, lambda c: c.get("outfalls", 0) > 0)
    tooltips = []
    for i in range(len(XSS_NAMES)):  # hover each, as a mouse would: the one shared tooltip shows its name
        target = focus_site(frame, "(f, id) => f.id === id", 15, f"PWK-X{i}")
        tooltips.append(hover_tooltip(page, frame, target["x"], target["y"]))
    assert sorted(tooltips) == sorted(XSS_NAMES)
    page.screenshot(path=str(artifacts / "map_tooltip_1024x768.png"))
    assert page.dialogs == []
    assert frame.evaluate("() => document.title") != "pwned"
    assert frame.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert page.requests.outside() == []


def test_click_opens_detail_panel_without_rebuilding_the_map(page, app, artifacts):
    page.goto(app.url, wait_until="domcontentloaded")
    frame = map_frame(page)
    wait_for(frame, COUNT_FEATURES_JS, lambda c: c.get("shore_power_berths", 0) > 0)
    frame.evaluate("() => { window.__probe = 'same-document'; }")
    target = focus_site(frame, "f => f.k === 'outfalls'", 15)
    target["name"] = target["n"]
    page.wait_for_timeout(300)
    frame.locator(".leaflet-container").click(position={"x": target["x"], "y": target["y"]})
    page.get_by_role("heading", name=html.unescape(target["name"])).wait_for(timeout=20000)
    assert frame.evaluate("() => window.__onemapSites.selected()") == target["id"]  # highlighted in the browser
    picker = page.locator('[data-testid="stSelectbox"] input').first  # the site picker follows the click
    assert picker.input_value() == f"{target['id']} {html.unescape(target['name'])}"
    page.get_by_text("变更历史").first.wait_for()
    page.wait_for_timeout(1000)
    assert frame.evaluate("() => [window.__probe, window.map.getZoom()]") == ["same-document", 15]
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "map_detail_1024x768.png"), full_page=True)
    assert page.requests.outside() == []


def test_the_content_security_policy_is_enforced_and_watched(browser, app):
    """An inline script injected into the app's page is refused, and the watcher of every browser test sees it."""
    from tests.browser.conftest import CSP_VIOLATIONS

    context = browser.new_context()
    page = context.new_page()
    page.goto(app.url, wait_until="domcontentloaded")
    page.get_by_text("福清生态环境一张图").first.wait_for(timeout=30000)
    ran = page.evaluate("""() => { window.__ran = false; const s = document.createElement('script');
        s.textContent = 'window.__ran = true'; document.head.appendChild(s); return window.__ran; }""")
    page.wait_for_timeout(500)
    assert ran is False
    assert any("Content Security Policy" in v for v in CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()  # expected here
    context.close()
