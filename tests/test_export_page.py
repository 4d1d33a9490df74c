"""The export page under AppTest: choose, build, download; what a guest and an inspector see."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import GpkgStore
from tests.factories import ADMIN, INSPECTOR, PASSWORD, REVIEWER

ACCOUNTS = {"admin": ADMIN.name, "reviewer": REVIEWER.name, "inspector": INSPECTOR.name}


def _page() -> None:
    from ui.pages import page_by_path

    page_by_path("export").render()


def run(store_path, role: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_function(_page, default_timeout=90)
    at.session_state["lang"] = lang
    if role != "guest":
        at.session_state["auth_token"] = GpkgStore(store_path).login(ACCOUNTS[role], PASSWORD).token
    return at.run()


def _downloads(at: AppTest):
    return [el for el in at.get("download_button")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_build_then_download_one_town(store_copy, lang):
    at = run(store_copy, "reviewer", lang)
    assert not at.exception, at.exception
    assert "示例数据" in " ".join(w.value for w in at.warning)
    at.multiselect(key="x_towns").set_value(["350181103"]).run()
    assert any(("将导出" if lang == "zh" else "will be exported") in m.value for m in at.markdown)
    at.button(key="x_build").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("海口镇" in s.value and ".xlsx" in s.value for s in at.success)
    assert len(_downloads(at)) == 1


def test_all_towns_and_several_formats_give_a_zip(store_copy):
    at = run(store_copy, "admin")
    at.radio(key="x_scope").set_value("all").run()
    at.multiselect(key="x_formats").set_value(["xlsx", "kmz"]).run()
    at.button(key="x_build").click().run()
    assert not at.exception and not at.error
    assert any(".zip" in s.value for s in at.success)


def test_changing_the_options_drops_the_old_file(store_copy):
    at = run(store_copy, "reviewer")
    at.multiselect(key="x_towns").set_value(["350181103"]).run()
    at.button(key="x_build").click().run()
    assert len(_downloads(at)) == 1
    at.multiselect(key="x_formats").set_value(["csv"]).run()
    assert _downloads(at) == [] and not at.success


def test_inspector_sees_only_own_towns(store_copy):
    at = run(store_copy, "inspector")
    assert not at.exception and not at.error
    assert at.radio(key="x_scope").options == ["所选镇街"]
    assert len(at.multiselect(key="x_towns").options) == 3
    at.multiselect(key="x_towns").set_value(["350181116"]).run()
    at.button(key="x_build").click().run()
    assert not at.error, [e.value for e in at.error]
    assert len(_downloads(at)) == 1


def test_guest_is_asked_to_log_in(store_copy):
    at = run(store_copy, "guest")
    assert not at.exception
    assert any("登录" in i.value for i in at.info)
    assert not at.button
