"""The inspector's header row on tablets, a desktop and a phone, in both languages.

An inspector's header holds the title, the account, the language switch and
the link to the offline field client (``field/``). At 768×1024, 1024×768 and
1366×768 all of it sits on one row; at 390×844 it may take two rows but
nothing overlaps, nothing leaves the screen sideways and every control is a
tap target of at least 40 px that a tap at its centre reaches. The link keeps
its target and says "offline"; its full wording is in the tooltip.

Screenshots go to ``artifacts/screenshots/header_inspector_*.png``.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import SIZES, RequestLog, log_in, start_sample_app
from tests.factories import INSPECTOR, PASSWORD

#: Per language: the role as the header shows it, a word the link's label must hold, the tooltip's full wording.
LANGS = {
    "zh": ("巡查员", "离线", "离线巡查客户端（无信号时使用）"),
    "en": ("inspector", "Offline", "Offline field client (for no signal)"),
}

#: The header's parts (title, account, language switch, offline link): boxes, and whether a tap at
#: the centre of each control reaches it (nothing lies over it).
HEADER_JS = """() => {
  const head = document.querySelector('.st-key-onemap_head');
  const box = el => { const r = el.getBoundingClientRect();
                      return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height}; };
  const reached = el => { const r = el.getBoundingClientRect();
                          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                          return !!hit && (hit === el || el.contains(hit)); };
  const parts = {
    title: head.querySelector(':scope > div:first-child [data-testid="stMarkdownContainer"] p'),
    account: head.querySelector('[data-testid="stCaptionContainer"] p'),
    lang: head.querySelector('[role="radiogroup"]'),
    // Streamlit draws the link twice (with and without its tooltip) and hides one, by screen size.
    link: [...head.querySelectorAll('a[href="field/"]')].find(a => a.getClientRects().length > 0),
  };
  const out = {head: box(head), viewport: window.innerWidth, scrollWidth: document.documentElement.scrollWidth,
               parts: {}, reached: {}, langButtons: [...parts.lang.querySelectorAll('button')].map(box),
               linkText: parts.link ? parts.link.innerText : null};
  for (const [name, el] of Object.entries(parts)) { out.parts[name] = el ? box(el) : null; }
  const lb = out.langButtons;  // the switch as drawn: its buttons (the radio group's box is taller)
  out.parts.lang = lb.length ? {left: Math.min(...lb.map(b => b.left)), top: Math.min(...lb.map(b => b.top)),
                                right: Math.max(...lb.map(b => b.right)), bottom: Math.max(...lb.map(b => b.bottom))} : null;
  out.reached.link = parts.link ? reached(parts.link) : false;
  out.reached.lang = [...parts.lang.querySelectorAll('button')].every(reached);
  return out;
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    server = start_sample_app(tmp_path_factory, "header")
    yield server
    server.stop()


def header(page) -> dict:
    """The header's layout once it has stopped moving (two equal readings in a row)."""
    last = None
    for _ in range(40):
        page.wait_for_timeout(250)
        now = page.evaluate(HEADER_JS)
        if now == last:
            return now
        last = now
    return last


def overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] - 0.5 and b["left"] < a["right"] - 0.5 and a["top"] < b["bottom"] - 0.5 \
        and b["top"] < a["bottom"] - 0.5


def to_english(page) -> None:
    page.locator(".st-key-lang button", has_text="English").click()
    page.get_by_text(f"{INSPECTOR.name} · inspector").first.wait_for(timeout=20000)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_inspectors_header_fits(browser, app, artifacts, size):
    context = browser.new_context(locale="zh-CN", **SIZES[size])
    page = context.new_page()
    requests = RequestLog()
    page.on("request", requests)
    log_in(page, app, INSPECTOR.name, PASSWORD, "巡查员")
    for lg, (role, word, full) in LANGS.items():
        if lg == "en":
            to_english(page)
        got = header(page)
        page.screenshot(path=str(artifacts / f"header_inspector_{size}_{lg}.png"),
                        clip={"x": 0, "y": 0, "width": got["viewport"], "height": 260})
        parts = got["parts"]
        where = f"{size} {lg}: {got}"
        assert all(parts.values()), where
        assert word in got["linkText"], where

        # Nothing off screen sideways, nothing on top of anything else, every control reachable by a tap.
        assert got["scrollWidth"] <= got["viewport"], where
        for name, b in parts.items():
            assert b["left"] >= 0 and b["right"] <= got["viewport"] + 0.5, (name, where)
        names = list(parts)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                assert not overlap(parts[a], parts[b]), (a, b, where)
        assert got["reached"] == {"link": True, "lang": True}, where
        assert parts["link"]["height"] >= 40 and all(b["height"] >= 40 for b in got["langButtons"]), where

        if size != "390x844":  # one row: the parts share a band, and the header is one control high
            assert max(b["top"] for b in parts.values()) < min(b["bottom"] for b in parts.values()), where
            assert got["head"]["height"] <= 48, where

        if size == "1366x768":  # a mouse: the tooltip gives the full wording
            page.locator(".st-key-onemap_head [data-testid='stTooltipHoverTarget']").first.hover()
            tip = page.locator("[data-testid='stTooltipContent']").first
            tip.wait_for(timeout=10000)
            assert full in tip.inner_text()
            page.mouse.move(0, 400)
            tip.wait_for(state="hidden", timeout=10000)
    assert requests.outside() == []
    context.close()


def test_the_folded_menu_says_more_in_chinese(browser, app, artifacts):
    """An administrator's menu does not fit 1024 px: Streamlit folds the last pages under "N more"."""
    from tests.factories import ADMIN

    context = browser.new_context(locale="zh-CN", **SIZES["1024x768"])
    page = context.new_page()
    try:
        log_in(page, app, ADMIN.name, PASSWORD, "管理员")
        fold = page.locator('[data-testid="stTopNavSection"]').first
        fold.wait_for(timeout=20000)
        page.wait_for_function("""() => /^更多 \\d+ 项$/.test(
            document.querySelector('[data-testid="stTopNavSection"]').innerText.trim())""", timeout=20000)
        page.screenshot(path=str(artifacts / "header_admin_1024x768.png"), full_page=False)
        assert " more" not in page.locator('[data-testid="stTopNavSection"]').first.inner_text()
        fold.click()
        page.get_by_text("审计日志", exact=True).last.click()  # a folded page opens from the list
        page.wait_for_url("**/audit*", timeout=20000)
    finally:
        context.close()
