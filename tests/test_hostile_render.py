"""User text on every page is shown as text: a site or account name is never read as Markdown.

A ledger name such as ``![t](http://host/beacon.png)`` made every tablet that
showed it fetch an outside URL (breaking the no-internet promise, leaking the
device's address and the time), and URLs in names became links. Here every
page runs (AppTest) on a store holding such names, a site chosen and a search
typed so that the names are on screen, and every place Streamlit reads as
Markdown — text, captions, alerts, headings, labels, options, st.table cells —
is checked: the hostile text is there only escaped. The browser test
(``tests/browser/test_hostile_browser.py``) checks the rendered DOM: no
request leaves the machine and no link points outside.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import GpkgStore
from tests import hostile_factories as H
from tests.factories import PASSWORD
from ui.pages import pages_for

#: Raw (unescaped) fragments that only unescaped user text can put into a Markdown source.
_RAW = [re.escape(H.BEACON_HOST), r"(?<!\\):red\[恶意", r"(?<!\\)\$x\^2\$", r"(?<!\\)\*\*恶意粗体", r"(?<!\\)!\[",
        r"(?<!\\)\]\(http"]
_DANGER = re.compile("|".join(_RAW))


def _page_script(url_path: str) -> None:
    from ui.pages import page_by_path

    page_by_path(url_path).render()


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    from geo.sample import populate_sample
    from geo.store import create_store
    from tests.factories import add_accounts

    path = tmp_path_factory.mktemp("hostile") / "store.gpkg"
    ids: list[str] = []

    def populate(store):
        populate_sample(store)
        add_accounts(store)
        ids.extend(H.add_hostile_sites(store))

    create_store(path, populate)
    return path, ids


def _markdown_texts(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) of everything on the page that Streamlit renders as Markdown."""
    out: list[tuple[str, str]] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success",
                 "exception", "latex"):
        for el in getattr(at, kind, []):
            out.append((kind, str(getattr(el, "value", "") or "")))
    for kind in ("button", "checkbox", "toggle", "selectbox", "multiselect", "text_input", "text_area",
                 "number_input", "date_input", "radio", "select_slider", "slider", "metric", "expander", "tabs",
                 "color_picker", "time_input"):
        for el in getattr(at, kind, []):
            out.append((f"{kind} label", str(getattr(el, "label", "") or "")))
            if kind == "radio":
                out += [("radio option", str(o)) for o in getattr(el, "options", [])]
    for table in getattr(at, "table", []):
        frame = table.value
        out += [("table cell", str(v)) for v in frame.to_numpy().ravel().tolist()]
        out += [("table index", str(v)) for v in frame.index.tolist()]
    return out


PAGES = [p.url_path for p in pages_for("admin")]


@pytest.mark.parametrize("url_path", PAGES)
def test_hostile_names_are_shown_as_text_on_every_page(hostile_store, url_path, monkeypatch):
    path, ids = hostile_store
    monkeypatch.setenv("ONEMAP_STORE", str(path))
    at = AppTest.from_function(_page_script, args=(url_path,), default_timeout=90)
    at.session_state["lang"] = "zh"
    at.session_state["auth_token"] = GpkgStore(path).login(H.HOSTILE_USER, PASSWORD).token
    at.session_state["selected_site"] = ids[0]   # the map page's detail panel
    at.session_state["insp_site"] = ids[0]       # the inspection page's card
    at.session_state["insp_query"] = "beacon"    # the inspection page's search: every hostile name as a button
    at.session_state["map_pick_query"] = "beacon"
    at.run()
    assert not at.exception, at.exception
    texts = _markdown_texts(at)
    assert texts, "nothing was collected: the collector no longer matches the page"
    bad = [(where, text[:120]) for where, text in texts if _DANGER.search(text)]
    assert not bad, bad


def test_the_check_can_fail():
    assert _DANGER.search(H.HOSTILE_NAMES[0]) and _DANGER.search(H.HOSTILE_NAMES[-1])
    from ui.session import md_escape

    assert not any(_DANGER.search(md_escape(n)) for n in H.HOSTILE_NAMES + (H.HOSTILE_USER,))


def test_the_inspection_search_shows_the_hostile_names_escaped(hostile_store, monkeypatch):
    path, ids = hostile_store
    monkeypatch.setenv("ONEMAP_STORE", str(path))
    at = AppTest.from_function(_page_script, args=("inspect",), default_timeout=90)
    at.session_state["lang"] = "zh"
    at.session_state["auth_token"] = GpkgStore(path).login(H.HOSTILE_USER, PASSWORD).token
    at.session_state["insp_query"] = "beacon"
    at.run()
    labels = [b.label for b in at.button]
    assert sum("beacon" in label for label in labels) >= len(H.HOSTILE_NAMES) - 1, labels


def test_the_page_header_shows_a_hostile_account_name_as_text(hostile_store, monkeypatch):
    from pathlib import Path

    path, _ = hostile_store
    monkeypatch.setenv("ONEMAP_STORE", str(path))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "main_page.py"), default_timeout=90)
    at.session_state["lang"] = "zh"
    at.session_state["auth_token"] = GpkgStore(path).login(H.HOSTILE_USER, PASSWORD).token
    at.run()
    assert not at.exception, at.exception
    texts = _markdown_texts(at)
    assert any("beacon" in text for _, text in texts), "the account name is not on the page any more"
    assert not [t for _, t in texts if _DANGER.search(t)]
