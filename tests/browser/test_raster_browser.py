"""Raster overlays in Chromium on the offline basemap: tiles rendered by the app on request, drawn, opacity in the browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import RequestLog, map_frame, start_sample_app, wait_for

LOADED_TILES_JS = """(key) => {
  const layer = (window.__onemapRasters || {})[key];
  if (!layer || !window.map.hasLayer(layer)) return -1;
  let n = 0;
  for (const k in layer._tiles) { const el = layer._tiles[k].el; if (el.complete && el.naturalWidth === 256) n++; }
  return n;
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    server = start_sample_app(tmp_path_factory, "raster")
    yield server
    server.stop()


def test_a_raster_overlay_is_drawn_from_local_tiles(browser, app, artifacts):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    requests = RequestLog()
    page.on("request", requests)
    statuses = {}
    page.on("response", lambda r: statuses.__setitem__(r.url, r.status))
    page.goto(app.url, wait_until="domcontentloaded")
    frame = map_frame(page, 60)
    assert wait_for(frame, LOADED_TILES_JS.replace("(key)", "(key='synthetic-index')"), lambda n: n == -1) == -1
    # Turn the synthetic raster on as a user would: open the layer control, tick it.
    frame.locator(".leaflet-control-layers").first.hover()  # the control opens under the pointer
    frame.locator(".leaflet-control-layers-overlays label").filter(has_text="合成示例：水色指数").click()
    n = wait_for(frame, "() => (" + LOADED_TILES_JS + ")('synthetic-index')", lambda n: n >= 2, 30)
    tiles = [u for u in requests.urls if "/tiles/synthetic-index/" in u]
    ok = [u for u in tiles if statuses.get(u) == 200]
    # Tiles with no data (all nodata, e.g. over land) answer 204 and draw as nothing.
    assert len(ok) >= n and all(statuses.get(u) in (200, 204, None) for u in tiles)
    assert all(u.endswith(".png") and "/gcj02/" not in u for u in tiles)
    # The legend and the synthetic warning are in the raster panel; the opacity slider works without a rerun.
    panel = frame.locator(".onemap-rasters")
    assert panel.evaluate("el => el.open") is False  # closed at first: it would cover a tablet's map
    panel.locator("summary").click()
    assert "合成示例数据（非实测）" in panel.inner_text()
    slider = frame.locator("input.onemap-opacity[data-raster='synthetic-index']")
    slider.evaluate("el => { el.value = 25; el.dispatchEvent(new Event('input')); }")
    assert frame.evaluate("() => window.__onemapRasters['synthetic-index'].options.opacity") == 0.25
    page.wait_for_timeout(500)
    assert requests.outside() == []
    page.screenshot(path=str(artifacts / "raster_overlay_1024x768.png"))
    context.close()
