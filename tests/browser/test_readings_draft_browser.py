"""Readings typed into the field form's entry and not saved survive a reload (headless Chromium, touch tablet
and phone): the row typed into the grid comes back, opened with a note; saving stores it and removes the
draft from the device.

Screenshots go to ``artifacts/screenshots/readings_draft_*.png``.
"""

from __future__ import annotations

import json

import pytest

from geo.store import GpkgStore
from tests.browser.conftest import app_idle, go, log_in, start_sample_app, wait_for
from tests.factories import INSPECTOR, PASSWORD, SYSTEM

TABLE = "black_odorous_readings"
ENTRY = "录入水质监测（每个采样点一行）"
RESTORED = "已恢复上次未保存的监测读数"
#: Offsets (CSS px from the grid's left edge) of cells of the first columns: the grid sizes its columns by
#: their headers, so they are the same at every viewport width (the grid scrolls sideways beyond them).
CELLS = {"point": 75, "round": 155, "depth_cm": 237}
ROW_1_Y = 52  # px from the grid's top: the first row, under the header row

DRAFTS_JS = """() => Object.fromEntries(Object.keys(localStorage).filter(k => k.startsWith('onemap:draft'))
                                      .map(k => [k, localStorage.getItem(k)]))"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    server = start_sample_app(tmp_path_factory, "readings_draft")
    yield server
    server.stop()


def open_site(page, site_id: str) -> None:
    """On 现场巡查: search the site by its code and tap it (unless the address reopened it already); again when
    a rerun redrew the list under the tap."""
    save = page.locator(f".st-key-sf_{site_id}_0_save button")
    for attempt in range(3):
        app_idle(page, 30)
        if save.count() and save.first.is_visible():
            return
        search = page.get_by_label("搜索名称或编号")
        search.wait_for(timeout=20000)
        search.fill(site_id)
        page.keyboard.press("Enter")
        try:
            page.locator(f".st-key-insp_pick_{site_id} button").click(timeout=10000)
            save.wait_for(timeout=20000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError
            if attempt == 2:
                raise


def entry_grid(page):
    """The readings entry's data editor (the entry opened when it is not)."""
    grid = page.locator("[data-testid='stExpander']").filter(has_text=ENTRY).locator("[data-testid='stDataFrame']")
    if not grid.first.is_visible():
        page.get_by_text(ENTRY).first.click()
    grid.first.wait_for(timeout=10000)
    grid.first.scroll_into_view_if_needed()
    return grid.first


def type_cell(page, grid, site_id: str, column: str, value: str, kept) -> None:
    """Open the cell's editor in the first row, type ``value`` and commit it with Enter; wait until the app
    reran and the device keeps the cell as ``kept``.

    A tap on the empty last row adds a row and opens its editor; a cell of an existing row opens on a double tap.
    """
    editor = page.locator(".gdg-input").first
    for attempt in range(4):
        grid.scroll_into_view_if_needed()  # the page may have scrolled meanwhile (the card brought into view)
        box = grid.bounding_box()
        x, y = box["x"] + CELLS[column], box["y"] + ROW_1_Y
        if column == "point" and attempt == 0:
            page.mouse.click(x, y)
        else:
            page.mouse.dblclick(x, y)
        try:
            editor.wait_for(timeout=3000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: a rerun or a scroll moved the grid
            if attempt == 3:
                raise
            app_idle(page, 30)
    editor.fill(value)
    page.keyboard.press("Enter")
    wait_for(page, DRAFTS_JS, lambda _: ((stored_draft(page, site_id) or {}).get("values", {}).get("rows")
                                         or [{}])[0].get(column) == kept)
    app_idle(page, 30)


def stored_draft(page, site_id: str) -> dict | None:
    key = f"onemap:draft:v1:{INSPECTOR.name}:{site_id}:{TABLE}"
    raw = page.evaluate(DRAFTS_JS).get(key)
    return json.loads(raw) if raw else None


def grid_text(page) -> str:
    """What the grid's accessible table holds (the canvas itself has no text to read)."""
    return page.locator("[data-testid='stExpander']").filter(has_text=ENTRY).locator(
        "[data-testid='stDataFrame'] table").first.inner_text()


@pytest.mark.parametrize("site_id, size", [("HC-005", (1024, 768)), ("HC-008", (390, 844))])
def test_a_row_typed_into_the_readings_grid_survives_a_reload_and_is_saved(browser, app, artifacts, site_id, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True, locale="zh-CN",
                                  is_mobile=width < 500)
    page = context.new_page()
    shot = artifacts / f"readings_draft_{width}x{height}"
    try:
        log_in(page, app, INSPECTOR.name, PASSWORD, "巡查员")
        go(page, "现场巡查")
        open_site(page, site_id)
        grid = entry_grid(page)
        type_cell(page, grid, site_id, "point", "P9", "P9")  # the grid sends each cell: the app reruns
        type_cell(page, grid, site_id, "round", "1", 1)
        type_cell(page, grid, site_id, "depth_cm", "35.2", 35.2)
        row = stored_draft(page, site_id)["values"]["rows"]
        assert row == [{"point": "P9", "round": 1, "depth_cm": 35.2, "transparency_cm": None, "do_mg_l": None,
                        "orp_mv": None, "nh3n_mg_l": None, "remarks": None}]
        page.screenshot(path=str(shot) + "_typed.png")

        page.reload(wait_until="domcontentloaded")
        page.get_by_text("现场巡查").first.wait_for(timeout=20000)
        open_site(page, site_id)
        page.get_by_text(RESTORED).first.wait_for(timeout=30000)  # put back, the entry opened
        grid = entry_grid(page)
        text = grid_text(page)
        assert "P9" in text and "35.2" in text, text
        stored = GpkgStore(app.store_file).list_observations(SYSTEM, TABLE, [site_id])
        assert all(o.values.get("point") != "P9" for o in stored)  # a draft never saves by itself
        page.screenshot(path=str(shot) + "_restored.png")

        page.get_by_role("button", name="保存监测数据").click()
        page.get_by_text("已保存 1 条监测数据").first.wait_for(timeout=30000)
        saved = [o for o in GpkgStore(app.store_file).list_observations(SYSTEM, TABLE, [site_id])
                 if o.values.get("point") == "P9"]
        assert len(saved) == 1 and saved[0].values["depth_cm"] == 35.2 and saved[0].values["round"] == 1
        assert saved[0].recorded_by == INSPECTOR.name
        wait_for(page, DRAFTS_JS, lambda d: not any(k.endswith(f":{TABLE}") for k in d))
        page.screenshot(path=str(shot) + "_saved.png")

        page.reload(wait_until="domcontentloaded")
        open_site(page, site_id)
        page.wait_for_timeout(2500)  # time for a stored draft, were there one, to come back
        assert page.get_by_text(RESTORED).count() == 0
        assert stored_draft(page, site_id) is None
    finally:
        context.close()
