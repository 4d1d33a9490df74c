"""The review dashboard in headless Chromium at 1024×768: figures, a drawn chart, the review map, offline."""

from __future__ import annotations

import io

import pytest

from geo.clock import today_cst
from geo.sample import populate_sample
from geo.store import create_store, open_store
from geo.domain.targets import progress
from tests.browser.conftest import COUNT_FEATURES_JS, AppServer, RequestLog, focus_site, map_frame, wait_for
from tests.factories import SYSTEM

DEVICE_LINES_JS = """() => {
  let n = 0;
  window.map.eachLayer(l => { if (l instanceof L.Polyline && !l.feature && l.options.dashArray === '6 5') n++; });
  return n;
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dash-app")
    store_file = tmp / "store.gpkg"
    create_store(store_file, populate_sample)
    server = AppServer(store_file, tmp / "streamlit.log")
    server.store_file = store_file
    yield server
    server.stop()


@pytest.fixture
def page(browser, app):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.requests = RequestLog()
    page.on("request", page.requests)
    yield page
    context.close()


def _figures(app) -> dict:
    store = open_store(app.store_file)
    return progress(store.list_sites(SYSTEM), today_cst(), history=store.all_history(SYSTEM), sample=True)


def _colours(png: bytes) -> set[tuple[int, int, int]]:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    return {c for _, c in img.getcolors(maxcolors=1 << 20)}


def test_dashboard_shows_figures_and_draws_the_chart_offline(page, app, artifacts):
    figures = _figures(app)
    outfalls = figures["kinds"]["outfalls"]["targets"][0]
    page.goto(app.url + "/dashboard", wait_until="domcontentloaded")
    share = f"{outfalls['share'] * 100:.1f}%"
    page.get_by_text("重点水域排污口整治", exact=True).first.wait_for(timeout=60000)
    page.get_by_text(share, exact=True).first.wait_for(timeout=30000)
    page.get_by_text(f"{outfalls['numerator']}/{outfalls['denominator']}", exact=True).first.wait_for()
    page.get_by_text("示例数据", exact=False).first.wait_for()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(timeout=30000)
    drawn = chart.locator("canvas, svg.marks").first
    drawn.wait_for(timeout=30000)
    page.wait_for_timeout(1500)
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box["width"] > 500 and box["height"] > 150
    colours = _colours(chart.screenshot())
    assert (0xF4, 0xA5, 0x82) in colours  # the bars of targets not met yet
    assert any(r > 100 and g < 40 and b < 40 for r, g, b in colours)  # the dark red target line
    page.locator('[data-testid="stMainBlockContainer"]').evaluate("e => e.scrollIntoView()")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "dashboard_1024x768.png"))
    assert page.requests.outside() == []


def test_map_review_click_shows_history_and_device_lines(page, app, artifacts):
    figures = _figures(app)
    remote_ids = [r["site_id"] for r in figures["evidence"]["remote_changes"] if r["kind"] == "outfalls"]
    page.goto(app.url + "/dashboard", wait_until="domcontentloaded")
    page.get_by_text("重点水域排污口整治", exact=True).first.wait_for(timeout=60000)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=60000)  # the first run is complete
    page.locator("[data-testid=stButtonGroup] button").filter(has_text="地图审阅").first.click()
    page.get_by_text("地图着色", exact=True).first.wait_for(timeout=60000)
    frame = map_frame(page, timeout_s=90)
    wait_for(frame, COUNT_FEATURES_JS, lambda c: c.get("outfalls", 0) > 40)
    target = focus_site(frame, "(f, ids) => ids.includes(f.id)", 16, remote_ids)  # one no other site covers
    page.wait_for_timeout(300)
    frame.locator(".leaflet-container").click(position={"x": target["x"], "y": target["y"]})
    name = next(s.name for s in open_store(app.store_file).list_sites(SYSTEM) if s.site_id == target["id"])
    page.get_by_role("heading", name=name).wait_for(timeout=30000)
    assert wait_for(frame, DEVICE_LINES_JS, lambda n: n >= 1) >= 1
    page.get_by_text("变更历史", exact=False).first.wait_for()
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for(timeout=30000)  # attributes and history
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "dashboard_map_1024x768.png"))
    assert page.requests.outside() == []


REFERENCE_JS = """() => {
  let outlines = 0, uncovered = 0;
  window.map.eachLayer(l => {
    if (!(l instanceof L.Polygon) || !l.feature || !l.feature.properties) return;
    if (l.feature.properties.uncovered === true) uncovered++;
    else if (l.feature.properties.uncovered === false) outlines++;
  });
  return {outlines, uncovered};
}"""


def test_review_map_draws_the_reference_areas_and_what_no_zone_in_force_covers(page, app, artifacts):
    page.goto(app.url + "/dashboard", wait_until="domcontentloaded")
    page.get_by_text("禁燃区面积覆盖", exact=True).first.wait_for(timeout=60000)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=60000)
    page.locator("[data-testid=stButtonGroup] button").filter(has_text="地图审阅").first.click()
    page.get_by_text("地图着色", exact=True).first.wait_for(timeout=60000)
    frame = map_frame(page, timeout_s=90)
    found = wait_for(frame, REFERENCE_JS, lambda c: c["outlines"] >= 3 and c["uncovered"] >= 1)
    assert found["outlines"] >= 3  # built-up area, near suburbs, heat-network coverage (two parts)
    frame.locator(".leaflet-container").wait_for()
    frame.evaluate("() => { window.map.setView([25.72, 119.36], 12); }")
    page.wait_for_timeout(1500)
    legend = frame.locator(".onemap-legend, .leaflet-control").filter(has_text="图例").first
    if legend.count():
        legend.click()
        page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "dashboard_reference_map_1024x768.png"))
    assert page.requests.outside() == []


@pytest.mark.parametrize("size", [(1024, 768), (390, 844)])
def test_progress_details_of_zones_and_boilers_read_at_tablet_and_phone_size(browser, app, artifacts, size):
    w, h = size
    context = browser.new_context(viewport={"width": w, "height": h}, has_touch=True, is_mobile=w < 500,
                                  locale="zh-CN")
    page = context.new_page()
    page.requests = RequestLog()
    page.on("request", page.requests)
    try:
        page.goto(app.url + "/dashboard", wait_until="domcontentloaded")
        page.get_by_text("禁燃区面积覆盖", exact=True).first.wait_for(timeout=60000)
        page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=60000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(artifacts / f"dashboard_headline_{w}x{h}.png"))
        zones = page.locator('[data-testid="stExpander"]').filter(has_text="面积覆盖、未覆盖部分与各禁燃区").first
        zones.locator("summary").click()
        page.get_by_text("按阶段的面积覆盖", exact=False).first.wait_for(timeout=30000)
        page.wait_for_timeout(800)
        zones.scroll_into_view_if_needed()
        zones.screenshot(path=str(artifacts / f"dashboard_zones_{w}x{h}.png"))
        boilers = page.locator('[data-testid="stExpander"]').filter(has_text="台账、所在禁燃区与供热管网覆盖").first
        boilers.locator("summary").click()
        page.get_by_text("燃煤锅炉台账", exact=False).first.wait_for(timeout=30000)
        page.wait_for_timeout(800)
        boilers.scroll_into_view_if_needed()
        boilers.screenshot(path=str(artifacts / f"dashboard_boilers_{w}x{h}.png"))
        box = boilers.bounding_box()
        assert box["width"] <= w  # no sideways overflow of the page
        assert page.requests.outside() == []
    finally:
        context.close()


def test_outfall_figures_by_class_water_remediated_and_closed(page, app, artifacts):
    b = _figures(app)["kinds"]["outfalls"]["breakdown"]
    page.goto(app.url + "/dashboard", wait_until="domcontentloaded")
    page.get_by_text("重点水域排污口整治", exact=True).first.wait_for(timeout=60000)
    expander = page.get_by_text("入河入海排污口 — 整治完成与销号", exact=False).first
    expander.click()
    page.get_by_text("按排污口类型（一级，HJ 1312-2023）").first.wait_for(timeout=30000)
    page.get_by_text(f"排查核销（非排污口/重复/已消失，不计入）{b['dismissed']['n']}", exact=False).first.wait_for()
    page.get_by_text("按受纳水体").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "dashboard_outfalls_1024x768.png"))
    page.get_by_text("按排污口类型（一级，HJ 1312-2023）").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(600)
    page.screenshot(path=str(artifacts / "dashboard_outfalls_types_1024x768.png"))
    assert page.requests.outside() == []


def test_the_town_report_downloads_with_its_monitoring_pages_to_this_browser_only(browser, page, app, tmp_path):
    """The report is made on the click (a deferred download): its file is this browser's, no one else's."""
    from pypdf import PdfReader

    page.goto(app.url + "/dashboard", wait_until="domcontentloaded")
    towns = page.locator('[data-testid="stSelectbox"]').filter(has_text="镇（街道）").first
    towns.wait_for(timeout=60000)
    towns.click()
    page.get_by_role("option", name="玉屏街道").first.click()
    page.get_by_text("玉屏街道 · 截至", exact=False).first.wait_for(timeout=60000)
    with page.expect_download(timeout=120000) as info:
        page.get_by_role("button", name="镇街审阅报告").click()
    download = info.value
    assert download.failure() is None, download.url  # was refused (403): no session held the file made on click
    name = download.suggested_filename
    assert name.startswith("玉屏街道审阅报告_") and name.endswith("_示例数据.pdf")
    path = tmp_path / name
    download.save_as(path)
    text = "".join(p.extract_text() for p in PdfReader(str(path)).pages).replace("\x00", "")
    assert "监测数据与证据门槛" in text and "示例数据" in text
    assert text.count("透明度 (cm)") >= 2  # the readings of the town's two bodies, charted
    stranger = browser.new_context()
    try:
        assert stranger.request.get(download.url).status == 403
    finally:
        stranger.close()
    assert page.requests.outside() == []
