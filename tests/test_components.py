"""The browser-side helpers (ui/components/): safe JavaScript, no inline script, what the Python side relies on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ui.drafts import account_prefix, key_class, storage_key
from ui.page_helper import ATTRIBUTES, ZH_GROUPS, english_strings, parse_view_hint

COMPONENTS = Path(__file__).resolve().parents[1] / "ui" / "components"
JS = sorted(COMPONENTS.glob("*/*.js"))
HTML = sorted(COMPONENTS.glob("*/index.html"))


def test_every_component_is_found():
    assert {p.parent.name for p in HTML} >= {"draft", "geolocation", "page_helper", "scroll"}
    assert {p.parent.name for p in HTML} == {p.parent.name for p in JS}  # each with its script file


@pytest.mark.parametrize("path", HTML, ids=lambda p: p.parent.name)
def test_no_inline_script_so_a_same_origin_csp_allows_it(path):
    html = path.read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    for attrs, _ in scripts:
        src = re.search(r'src="([^"]+)"', attrs).group(1)
        assert "//" not in src and (path.parent / src).is_file()  # same origin, shipped beside it


@pytest.mark.parametrize("path", JS, ids=lambda p: p.parent.name)
def test_no_markup_sinks_or_template_syntax(path):
    js = re.sub(r"(^|\s)//\s.*$", "", path.read_text(encoding="utf-8"), flags=re.M)
    for sink in ("`", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "{{", "{%"):
        assert sink not in js, f"{path.name}: {sink}"


def test_translation_groups_are_well_formed():
    for within, exact, patterns in ZH_GROUPS:
        assert within.strip() and "<" not in within
        for en, zh in exact.items():
            assert en.strip() == en and zh.strip() and not re.search(r"[A-Za-z]{3,}", zh.replace("Ctrl", "").replace(
                "Enter", "").replace("CSV", "").replace("MB", "")), (en, zh)
        for pattern, repl in patterns:
            assert pattern.startswith("^") and pattern.endswith("$")
            re.compile(pattern)  # the JavaScript syntax used is the common subset
            assert "$" in repl or not re.search(r"\(", pattern.replace(r"\(", ""))
    assert set(ATTRIBUTES) == {"aria-label", "title", "placeholder"}


@pytest.mark.parametrize("en, zh", [("50MB per file", "每个文件不超过 50MB"), ("Select 3 matches", "选择 3 个匹配项"),
                                    ("2 more", "更多 2 项")])
def test_patterns_translate_as_the_browser_will(en, zh):
    for _, _, patterns in ZH_GROUPS:
        for pattern, repl in patterns:
            if re.match(pattern, en):
                assert re.sub(pattern, repl.replace("$1", r"\1"), en) == zh
                return
    raise AssertionError(f"no pattern for {en!r}")


def test_the_strings_the_issue_found_are_covered():
    known = english_strings()
    for en in ("Upload", "Select all", "Press Ctrl+Enter to apply", "Connection error", "Drag and drop files here",
               "Page not found", "Skip to main content"):
        assert en in known


def test_draft_keys_per_account_and_site():
    assert storage_key("巡查员甲", "PWK-001") == "onemap:draft:v1:巡查员甲:PWK-001"
    assert storage_key("巡查员甲", "PWK-001").startswith(account_prefix("巡查员甲"))
    assert not storage_key("巡查员乙", "PWK-001").startswith(account_prefix("巡查员甲"))
    # The CSS class Streamlit gives a keyed element (its frontend replaces what is not [a-zA-Z0-9_-]).
    assert key_class("sf_PWK-001_0_note") == "st-key-sf_PWK-001_0_note"
    assert key_class("a b.c") == "st-key-a-b-c"


@pytest.mark.parametrize("raw, hint", [
    ("portrait.1024", ("portrait", 1024)),
    ("phone.844", ("phone", 844)),
    ("wide.768", ("wide", 768)),
    ("portrait", None),             # no height
    ("portrait.", None),
    ("tablet.1024", None),          # not a class the pages know
    ("portrait.-5", None),
    ("portrait.12.5", None),
    ("portrait.99", None),          # not a screen
    ("portrait.99999", None),
    ("", None),
    (None, None),
    (1024, None),
])
def test_the_screen_hint_cookie_is_read_or_ignored(raw, hint):
    assert parse_view_hint(raw) == hint
