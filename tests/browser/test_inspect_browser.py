"""Field inspection on a tablet: locate, pick the nearest site, change it with a photo, see it everywhere."""

from __future__ import annotations

import io

import pytest

from geo.store import GpkgStore
from layers import get_spec
from tests.browser.conftest import FEATURE_JS, RequestLog, log_in, settled_map_frame, start_sample_app
from tests.factories import INSPECTOR, PASSWORD, SYSTEM, plain_transition


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    server = start_sample_app(tmp_path_factory, "inspect")  # the inspector covers 玉屏街道, 海口镇, 江阴镇
    yield server
    server.stop()


def jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def test_inspector_changes_the_nearest_site_with_a_photo(browser, app, artifacts):
    store = GpkgStore(app.store_file)
    site = next(s for s in store.list_sites(SYSTEM, kinds=["outfalls"], towns=["350181103"])
                if plain_transition(get_spec(s.kind), s))
    target = plain_transition(get_spec(site.kind), site).dst
    lon, lat = site.geometry.x, site.geometry.y + 0.0004  # ~45 m from the outfall
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True, locale="zh-CN",
                                  geolocation={"latitude": lat, "longitude": lon, "accuracy": 6},
                                  permissions=["geolocation"])
    page = context.new_page()
    requests = RequestLog()
    page.on("request", requests)
    log_in(page, app, INSPECTOR.name, PASSWORD, "巡查员")
    page.get_by_role("link", name="现场巡查").click()

    locate = page.frame_locator("iframe[title*='onemap_geolocation']").get_by_role("button")
    locate.click(timeout=20000)
    page.get_by_text("设备定位 ±6 米").first.wait_for(timeout=20000)
    nearest = page.get_by_role("button", name=site.name).first
    nearest.wait_for()
    # The nearest site comes first in the list.
    first_site = page.locator("[data-testid='stButton'] button").filter(has_text=" m · ").first
    assert site.name in first_site.inner_text()
    nearest.click()
    page.get_by_role("button", name="保存变更").wait_for(timeout=20000)
    page.get_by_text(get_spec(site.kind).status(target).zh, exact=True).first.click()
    page.locator("input[type='file']").first.set_input_files(
        files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    page.get_by_text("已上传 1 张照片").first.wait_for(timeout=20000)  # as the inspector sees it
    page.get_by_role("button", name="保存变更").click()
    try:
        page.get_by_text("已保存").first.wait_for(timeout=20000)
    except Exception:
        page.screenshot(path=str(artifacts / "inspect_FAILED.png"), full_page=True)
        raise
    saved = page.get_by_text("已保存").first.inner_text()
    assert "现场（距点位" in saved and "照片 1 张" in saved
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "inspect_768x1024.png"), full_page=True)

    last = store.history(SYSTEM, site.site_id)[-1]
    assert last.to_status == target and last.source == "field" and last.actor == INSPECTOR.name
    assert last.evidence.remote is False and 30 < last.evidence.distance_m < 60
    assert len(last.photos) == 1

    page.get_by_role("link", name="一张图").click()
    frame = settled_map_frame(page, lambda c: c.get("outfalls", 0) > 0)
    color = get_spec(site.kind).status(target).color
    shown = frame.evaluate(FEATURE_JS, site.site_id)  # the status it carries and the colour it is drawn in
    assert [shown["s"], shown["color"]] == [target, color]
    assert requests.outside() == []
    context.close()
