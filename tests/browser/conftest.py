"""A real app in a real browser, offline: start Streamlit, drive Debian's Chromium with Playwright.

Where Chromium or Playwright is missing the browser tests skip with a reason
saying how to install them, except when ``CI=true``: then they must run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bench.appserver import AppServer, free_port, map_frame  # noqa: F401 - the tests import them from here
from bench.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 - one launch for tests and benchmarks

#: The four screens every page is tried at: a phone, a tablet held upright (touch), a tablet on its side
#: (touch) and a laptop.
SIZES = {
    "390x844": dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True),
    "768x1024": dict(viewport={"width": 768, "height": 1024}, has_touch=True),
    "1024x768": dict(viewport={"width": 1024, "height": 768}, has_touch=True),
    "1366x768": dict(viewport={"width": 1366, "height": 768}),
}

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
INSTALL_HINT = ("install with: apt-get install -y chromium fonts-noto-cjk && pip install playwright "
                "(do not run 'playwright install')")


def _require_browser():
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"Chromium not found at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Python package playwright not installed")
    if missing:
        reason = "; ".join(missing) + f"; {INSTALL_HINT}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("browser tests must run in CI: " + reason)
        pytest.skip(reason)


#: Content-Security-Policy violations Chromium reported in any page or frame of a watched context.
CSP_VIOLATIONS: list[str] = []


def watch_csp(context) -> None:
    """Record every CSP violation of ``context`` (Chromium logs each as a console error naming the policy)."""
    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            CSP_VIOLATIONS.append(message.text)

    context.on("console", on_console)


class WatchedBrowser:
    """The session's Chromium; every context it makes is watched for CSP violations (:func:`watch_csp`)."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        watch_csp(context)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def no_csp_violations():
    """Every browser test also proves the app works under its Content-Security-Policy."""
    CSP_VIOLATIONS.clear()
    yield
    assert CSP_VIOLATIONS == [], CSP_VIOLATIONS


class RequestLog:
    """Every request the page makes; ``outside()`` lists those leaving localhost."""

    LOCAL = {"localhost", "127.0.0.1", "[::1]", "::1"}

    def __init__(self):
        self.urls: list[str] = []

    def __call__(self, request) -> None:
        self.urls.append(request.url)

    def outside(self) -> list[str]:
        out = []
        for u in self.urls:
            p = urlparse(u)
            if p.scheme in ("data", "blob", "about", "chrome-extension"):
                continue
            if p.hostname not in self.LOCAL:
                out.append(u)
        return out


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


#: Sites per kind on the map, from the site layers' hook (``window.__onemapSites``, geo/map/static/sitelayer.js).
COUNT_FEATURES_JS = """() => (window.__onemapSites ? window.__onemapSites.counts() : {})"""

#: One site's {id, k, s, c, n, color, lat, lng} (display frame) by id, or null.
FEATURE_JS = """(id) => (window.__onemapSites ? window.__onemapSites.feature(id) : null)"""


def focus_site(frame, predicate_js: str, zoom: int = 16, arg=None) -> dict:
    """Centre the map on the first site matching ``predicate_js`` that a tap on it would hit; where it is drawn.

    ``predicate_js`` is a JavaScript function of a site as
    ``window.__onemapSites.features()`` gives it ({id, k, s, c, n, color,
    lat, lng}) and of ``arg``. Sites hidden under another site at that
    point are passed over. Returns the site with ``x``, ``y``: its
    container point (the point, a point on the line or inside the polygon).
    """
    # Let a running zoom animation finish first, or it lands after our setView.
    wait_for(frame, "() => !window.map._animatingZoom", bool)
    target = frame.evaluate(f"""(arg) => {{
      const sites = window.__onemapSites, pred = {predicate_js};
      const candidates = sites.features().filter(f => f.lat !== null && pred(f, arg));
      for (const f of candidates.slice(0, 60)) {{
        window.map.setView([f.lat, f.lng], {int(zoom)}, {{animate: false}});
        const p = sites.pixelOf(f.id), hit = sites.idAt(p[0], p[1]);
        if (hit && hit.id === f.id) {{ return Object.assign({{}}, f, {{x: p[0], y: p[1]}}); }}
      }}
      return null;
    }}""", arg)
    assert target, f"no site matching {predicate_js} can be tapped"
    return target


def hover_tooltip(page, frame, x: float, y: float) -> str:
    """Move the mouse to container point (x, y) of the map and return the site tooltip's text ('' if none)."""
    box = frame.frame_element().bounding_box()
    page.mouse.move(box["x"] - 5, box["y"] - 5)  # off the map first: the last tooltip closes
    page.mouse.move(box["x"] + x, box["y"] + y)
    try:
        frame.wait_for_selector(".leaflet-tooltip.onemap-site-tip", timeout=5000)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: no tooltip
        return ""
    return frame.evaluate("() => document.querySelector('.leaflet-tooltip.onemap-site-tip').textContent")


BASEMAP_LOADED_JS = """() => {
  let n = 0;
  window.map.eachLayer(l => { if (l.options && l.options.pane === 'onemapBase' && l.onemapBaseFile) n++; });
  return n;
}"""


def app_idle(page, timeout_s: float = 60) -> None:
    """Wait until no run of the app's script is in progress (the rerun an edit or a page load started)."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => document.querySelector('[data-testid=\"stApp\"]')"
                           "?.getAttribute('data-test-script-state') === 'notRunning'", timeout=timeout_s * 1000,
                           polling=200)


def go(page, title: str) -> None:
    """Open a page from the menu (on a phone the menu is in the side drawer), once the app is idle."""
    app_idle(page)
    expand = page.locator("[data-testid='stExpandSidebarButton']")
    if page.viewport_size["width"] < 640 and expand.count() and expand.first.is_visible():
        expand.first.click()
    page.get_by_role("link", name=title).first.click()
    close = page.locator("[data-testid='stSidebarHeader'] button")
    if page.viewport_size["width"] < 640 and close.count() and close.first.is_visible():
        close.first.click()


def wait_for(frame, js: str, predicate, timeout_s: float = 30):
    deadline = time.time() + timeout_s
    value = None
    while time.time() < deadline:
        value = frame.evaluate(js)
        if predicate(value):
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out; last value {value!r}")


def start_sample_app(tmp_path_factory, name: str, *, extra=None, env: dict | None = None) -> AppServer:
    """The app on a fresh sample store with the test accounts (and ``extra(store)`` applied)."""
    from geo.sample import populate_sample
    from geo.store import create_store
    from tests.factories import add_accounts

    tmp = tmp_path_factory.mktemp(name)
    store_file = tmp / "store.gpkg"

    def populate(store):
        populate_sample(store)
        add_accounts(store)
        if extra:
            extra(store)

    create_store(store_file, populate)
    server = AppServer(store_file, tmp / "streamlit.log", env=env)
    server.store_file = store_file
    return server


def log_in(page, app, name: str, password: str, role_label: str) -> None:
    """Log in through the 账号 page as a user would; wait until the header shows the account."""
    page.goto(f"{app.url}/account", wait_until="domcontentloaded")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_text(f"{name} · {role_label}").first.wait_for(timeout=20000)


def settled_map_frame(page, predicate, timeout_s: float = 45):
    """The map frame once its features satisfy ``predicate``; re-found if Streamlit remounts it meanwhile.

    Right after a page switch Streamlit may replace the map's iframe once
    (a rerun); a frame found before that is then detached.
    """
    deadline = time.time() + timeout_s
    while True:
        frame = map_frame(page, max(1.0, deadline - time.time()))
        try:
            wait_for(frame, COUNT_FEATURES_JS, predicate, max(1.0, deadline - time.time()))
            return frame
        except Exception as exc:  # noqa: BLE001 - playwright raises its own Error for a detached frame
            if "detached" not in str(exc) or time.time() > deadline:
                raise
