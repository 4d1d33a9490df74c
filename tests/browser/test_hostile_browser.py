"""Hostile names in a real browser: no request leaves the machine and no link or image points outside.

The store holds sites named with Markdown images, links, bare URLs and an
e-mail address, and an administrator whose account name is a Markdown image
(``tests/hostile_factories.py``). Signed in as that account, the test opens
every page, searches the names on the inspection page and opens one, and
records every request: before the hardening the header, the search buttons
and the detail panel fetched ``http://beacon.invalid/…`` and showed links.
"""

from __future__ import annotations

import pytest

from tests import hostile_factories as H
from tests.browser.conftest import RequestLog, start_sample_app
from tests.factories import PASSWORD

OUTSIDE_JS = """(host) => {
  const hits = [];
  for (const a of document.querySelectorAll('a[href]'))
    if (a.href.includes(host)) hits.push('a ' + a.href + ' in ' + (a.parentElement ? a.parentElement.outerHTML.slice(0, 300) : ''));
  for (const i of document.querySelectorAll('img[src], source[srcset]'))
    if ((i.src || i.srcset || '').includes(host)) hits.push('img ' + (i.src || i.srcset));
  return hits;
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    server = start_sample_app(tmp_path_factory, "hostile", extra=H.add_hostile_sites)
    yield server
    server.stop()


def _outside_elements(page) -> list[str]:
    hits = []
    for frame in page.frames:
        try:
            hits += frame.evaluate(OUTSIDE_JS, H.BEACON_HOST)
        except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
            pass
    return hits


def test_hostile_names_never_reach_outside(browser, app, artifacts):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    requests = RequestLog()
    page.on("request", requests)
    # Signed in as the hostile account (the header shows its name with invisible word joiners: wait on the role).
    page.goto(f"{app.url}/account", wait_until="domcontentloaded")
    page.get_by_label("用户名").fill(H.HOSTILE_USER)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text(" · 管理员").first.wait_for(timeout=20000)
    page.wait_for_timeout(1500)
    assert _outside_elements(page) == []

    # The inspection page: every hostile name as a search button, then one site's card.
    page.get_by_role("link", name="现场巡查").click()
    box = page.get_by_label("搜索名称或编号")
    box.wait_for(timeout=30000)
    box.fill("beacon")
    box.press("Enter")
    page.get_by_role("button", name="beacon").first.wait_for(timeout=30000)
    page.wait_for_timeout(1500)
    assert _outside_elements(page) == []
    page.get_by_role("button", name="beacon.png").first.click()
    page.get_by_text("变更历史").first.wait_for(timeout=30000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "hostile_names_inspect_1024x768.png"), full_page=True)
    assert _outside_elements(page) == []

    from ui.pages import pages_for

    # Every page an administrator has, by its address (the top bar folds some into a menu when they do not fit).
    for url_path in [p.url_path for p in pages_for("admin") if p.url_path != "inspect"]:
        page.goto(f"{app.url}/{url_path}", wait_until="domcontentloaded")
        page.wait_for_timeout(4000)
        assert _outside_elements(page) == [], url_path
    page.screenshot(path=str(artifacts / "hostile_names_about_1024x768.png"), full_page=True)
    assert [u for u in requests.outside()] == []
    assert not [u for u in requests.urls if H.BEACON_HOST in u]
    context.close()
