"""An inspector logs in at tablet size and can change only the sites of their towns."""

from __future__ import annotations

import pytest

from tests.browser.conftest import RequestLog, focus_site, log_in, settled_map_frame, start_sample_app
from tests.factories import INSPECTOR, PASSWORD


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    server = start_sample_app(tmp_path_factory, "login")  # the inspector covers 玉屏街道, 海口镇, 江阴镇
    yield server
    server.stop()


def click_site(page, frame, predicate_js: str) -> dict:
    target = focus_site(frame, predicate_js, 16)
    page.wait_for_timeout(300)
    frame.locator(".leaflet-container").click(position={"x": target["x"], "y": target["y"]})
    return target


def test_inspector_sees_only_their_towns_as_editable(browser, app, artifacts):
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    requests = RequestLog()
    page.on("request", requests)
    log_in(page, app, INSPECTOR.name, PASSWORD, "巡查员")
    page.get_by_role("link", name="一张图").click()
    frame = settled_map_frame(page, lambda c: c.get("shore_power_berths", 0) > 0)

    # A berth at the Jiangyin port (江阴镇, one of the inspector's towns): the form is there.
    frame.evaluate("() => { window.__probe = 'same-document'; }")
    click_site(page, frame, "p => p.k === 'shore_power_berths' && p.s !== 'available'")
    page.get_by_text("更新状态").first.wait_for(timeout=20000)
    page.get_by_text("变更历史").first.wait_for()
    page.wait_for_timeout(1500)
    assert frame.evaluate("() => [window.__probe, window.map.getZoom()]") == ["same-document", 16]
    page.screenshot(path=str(artifacts / "inspector_editable_768x1024.png"), full_page=True)

    # An outfall in 沙埔镇 (not theirs): read only.
    click_site(page, frame, "p => p.k === 'outfalls' && p.n.startsWith('沙埔镇')")
    page.get_by_text("只读：该点位不在您的辖区").first.wait_for(timeout=20000)
    page.wait_for_timeout(1500)
    assert page.get_by_text("保存变更").count() == 0
    page.screenshot(path=str(artifacts / "inspector_read_only_768x1024.png"), full_page=True)
    assert requests.outside() == []
    context.close()
