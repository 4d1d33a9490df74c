"""一口一档 in a real browser: tap an outfall on the map, its whole file opens in the panel (photos included).

At 1024×768 (tablet landscape) and 390×844 (phone); nothing leaves localhost.
"""

from __future__ import annotations

import pytest

from geo.store import GpkgStore
from tests.browser.conftest import COUNT_FEATURES_JS, RequestLog, focus_site, map_frame, start_sample_app, wait_for
from tests.factories import SYSTEM


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    server = start_sample_app(tmp_path_factory, "outfall-file")
    yield server
    server.stop()


def _closed_standardised(app) -> str:
    sites = GpkgStore(app.store_file).list_sites(SYSTEM, kinds=["outfalls"])
    return next(s.site_id for s in sites if s.status == "closed" and s.attrs["remediation_method"] == "standardise")


@pytest.mark.parametrize("size", [(1024, 768), (390, 844)], ids=["1024x768", "390x844"])
def test_tapping_an_outfall_opens_its_whole_file(browser, app, artifacts, size):
    width, height = size
    phone = width < 500
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True, is_mobile=phone,
                                  locale="zh-CN")
    page = context.new_page()
    requests = RequestLog()
    page.on("request", requests)
    try:
        page.goto(app.url, wait_until="domcontentloaded")
        frame = map_frame(page)
        wait_for(frame, COUNT_FEATURES_JS, lambda c: c.get("outfalls", 0) > 0)
        site_id = _closed_standardised(app)
        target = focus_site(frame, "(f, id) => f.id === id", 15, site_id)
        frame.locator(".leaflet-container").tap(position={"x": target["x"], "y": target["y"]}) if phone else \
            frame.locator(".leaflet-container").click(position={"x": target["x"], "y": target["y"]})
        page.get_by_text("一口一档").first.wait_for(timeout=30000)
        for part in ("基本信息", "责任主体与许可", "溯源排污单位", "规范化设置（HJ 1309-2023）", "销号记录"):
            page.get_by_text(part).first.wait_for(timeout=20000)
        # The sign and sampling point photos and the 销号 document: thumbnails of stored files, loaded.
        page.wait_for_function("() => Array.from(document.querySelectorAll('[data-testid=\"stImage\"] img'))"
                               ".filter(i => i.complete && i.naturalWidth > 0).length >= 3", timeout=30000)
        # Streamlit scrolls inside its own container: one screenshot per part of the file.
        for n, part in enumerate(("一口一档", "规范化设置（HJ 1309-2023）", "销号记录")):
            el = page.get_by_text(part).first
            el.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.evaluate("() => document.querySelectorAll('*').forEach(n => { if (n.scrollTop > 60 && "
                          "n.scrollHeight > n.clientHeight) n.scrollTop -= 60; })")  # below the page header
            box = el.bounding_box()
            assert box and 0 <= box["y"] < height, part  # brought into view
            page.wait_for_timeout(600)
            page.screenshot(path=str(artifacts / f"outfall_file_{width}x{height}_{n + 1}.png"))
        assert requests.outside() == []
    finally:
        context.close()
