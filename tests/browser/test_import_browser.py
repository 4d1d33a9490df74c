"""An administrator imports a ledger with problems in a real browser: preview first, then the valid rows only."""

from __future__ import annotations

import pytest

from tests.browser.conftest import COUNT_FEATURES_JS, RequestLog, log_in, map_frame, start_sample_app, wait_for
from tests.factories import ADMIN, PASSWORD
from tests.ingest_factories import csv_bytes, outfall_rows


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    server = start_sample_app(tmp_path_factory, "import")
    yield server
    server.stop()


def _settle(page) -> None:
    """Wait until Streamlit has finished the current rerun."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=20000)


def _pick(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label)
    box.click()
    page.get_by_role("option", name=option).click()


def test_admin_previews_problems_and_writes_the_valid_rows(browser, app, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 2000}, locale="zh-CN")
    page = context.new_page()
    requests = RequestLog()
    page.on("request", requests)
    log_in(page, app, ADMIN.name, PASSWORD, "管理员")
    page.get_by_role("link", name="导入台账").click()
    page.get_by_text("台账文件").first.wait_for(timeout=20000)
    _pick(page, "点位类型", "入河入海排污口")
    _pick(page, "坐标系", "GCJ-02 经纬度（高德、腾讯）")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    rows = outfall_rows({"名称": "<img src=x onerror=alert(1)>"}, {"所属镇街": "火星镇"}, {"状态": "差不多了"},
                        {"经度": "119°27′00″E", "纬度": "25°40′48″N"}, {"经度": "25.69", "纬度": "119.46"},
                        {"经度": "118.2", "纬度": "24.5"})
    upload = {"name": "海口镇排口台账.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows, "gbk")}
    for _ in range(3):  # a rerun still drawing the page can replace the file input under the upload: retry
        _settle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(files=[upload])
        try:
            page.get_by_text("海口镇排口台账.csv").first.wait_for(timeout=5000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError
            continue
    try:
        page.get_by_text("问题清单").first.wait_for(timeout=30000)
    except Exception:
        page.screenshot(path=str(artifacts / "import_FAILED.png"), full_page=True)
        raise
    frame = map_frame(page)
    wait_for(frame, COUNT_FEATURES_JS, lambda c: c.get("outfalls", 0) == 3)
    write = page.get_by_role("button", name="写入（新增 3，更新 0）")
    assert write.is_disabled()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "import_preview_1280.png"), full_page=True)
    # The name is on the map (tooltip data) and in the list of new sites, as text only.
    assert frame.evaluate("() => JSON.stringify(window.__onemapSites.features().map(f => f.n))").count("&lt;img") == 1
    page.get_by_text("将新增 3 个点位").first.click()
    page.get_by_text("<img src=x onerror=alert(1)>").first.wait_for(timeout=10000, state="attached")
    assert page.locator("img[src=x]").count() == 0 and not frame.evaluate("() => !!document.querySelector('img[src=x]')")

    page.get_by_text("只写入无误的行").first.click()
    page.wait_for_timeout(500)
    write.click()
    page.get_by_text("已导入").first.wait_for(timeout=30000)
    page.screenshot(path=str(artifacts / "import_written_1280.png"), full_page=True)
    assert requests.outside() == [] and dialogs == []
    context.close()
