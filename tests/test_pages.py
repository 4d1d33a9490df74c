"""Every page runs under Streamlit's AppTest without an exception, in Chinese and in English."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.pages import PAGES

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _page_script(url_path: str) -> None:
    """Run one registered page as a script (AppTest cannot switch to callable pages)."""
    from ui.pages import page_by_path

    page_by_path(url_path).render()


def run_page(url_path: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_function(_page_script, args=(url_path,), default_timeout=60)
    at.session_state["lang"] = lang
    return at.run()


def run_app(lang: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    return at.run()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_app_runs_its_default_page(store_copy, lang):
    at = run_app(lang)
    assert not at.exception, at.exception
    assert "示例数据" in " ".join(w.value for w in at.warning)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("url_path", [p.url_path for p in PAGES])
def test_every_page_runs_without_exception(store_copy, url_path, lang):
    at = run_page(url_path, lang)
    assert not at.exception, at.exception
    assert "示例数据" in " ".join(w.value for w in at.warning)


def test_map_page_counts_and_filters(store_copy):
    at = run_app()
    line = next(m.value for m in at.markdown if m.value.startswith("显示"))
    total = int(line.split("**")[1])
    at.multiselect(key="f_kinds").set_value(["outfalls"]).run()
    assert not at.exception
    line = next(m.value for m in at.markdown if m.value.startswith("显示"))
    shown = int(line.split("**")[1])
    assert 40 <= shown < total


def test_detail_panel_shows_attributes_status_and_history(store_copy):
    at = run_app()
    at.selectbox[0].set_value("PWK-001").run()
    assert not at.exception, at.exception
    assert any("排口" in h.value for h in at.subheader)
    history = at.dataframe[1].value
    assert len(history) >= 1 and "操作人" in history.columns


def test_english_labels(store_copy):
    at = run_app(lang="en")
    assert not at.exception
    assert any("sites shown" in m.value for m in at.markdown)
