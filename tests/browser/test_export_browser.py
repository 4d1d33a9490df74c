"""A reviewer exports one town's list in a real browser and gets a workbook with exactly that town's sites."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from geo.sample import populate_sample
from geo.store import create_store
from tests.browser.conftest import log_in, AppServer, RequestLog
from tests.factories import PASSWORD, REVIEWER, SYSTEM, add_accounts


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    store_file = tmp / "store.gpkg"

    def populate(store):
        populate_sample(store)
        add_accounts(store)

    store = create_store(store_file, populate)
    server = AppServer(store_file, tmp / "streamlit.log")
    server.store = store
    yield server
    server.stop()


def test_reviewer_builds_and_downloads_a_town_workbook(browser, app, artifacts, tmp_path):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    requests = RequestLog()
    page.on("request", requests)
    log_in(page, app, REVIEWER.name, PASSWORD, "审阅人")
    page.get_by_role("link", name="导出").click()
    page.get_by_text("导出点位清单").first.wait_for(timeout=20000)

    towns = page.locator('[data-testid="stMultiSelect"]').filter(has_text="镇（街道）")
    towns.locator("input").click()
    page.keyboard.type("海口")
    page.get_by_role("option", name="海口镇").click()
    page.keyboard.press("Escape")
    page.get_by_text("将导出").first.wait_for(timeout=20000)
    page.get_by_role("button", name="生成导出文件").click()
    page.get_by_text("已生成").first.wait_for(timeout=30000)
    page.get_by_role("button", name="下载").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "export_1024x768.png"), full_page=True)

    with page.expect_download(timeout=30000) as info:
        page.get_by_role("button", name="下载").click()
    download = info.value
    assert download.suggested_filename.startswith("海口镇_点位清单_") and download.suggested_filename.endswith(
        "_示例数据.xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    wb = load_workbook(path)
    ids = {r[0] for ws in wb.worksheets[1:] for r in ws.iter_rows(min_row=2, values_only=True)}
    expected = {s.site_id for s in app.store.list_sites(SYSTEM, towns=["350181103"])}
    assert ids == expected
    assert "示例数据" in str(wb["汇总"]["A2"].value)
    assert requests.outside() == []
    # The download came from Streamlit's media route, which serves it to this browser only.
    assert "/media/" in download.url
    stranger = browser.new_context()
    try:
        response = stranger.request.get(download.url)
        assert response.status == 403 and b"forbidden" in response.body()
        again = context.request.get(download.url)
        assert again.status == 200 and again.body() == path.read_bytes()
    finally:
        stranger.close()
    context.close()
