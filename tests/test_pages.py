"""Every page runs under Streamlit's AppTest without an exception, in Chinese and in English."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import GpkgStore
from tests.factories import ADMIN, INSPECTOR, PASSWORD, REVIEWER
from ui.pages import PAGES, pages_for

APP = str(Path(__file__).resolve().parents[1] / "main_page.py")
ACCOUNTS = {"admin": ADMIN.name, "reviewer": REVIEWER.name, "inspector": INSPECTOR.name}
DATA_PAGES = {"map", "about"}


def _page_script(url_path: str) -> None:
    """Run one registered page as a script (AppTest cannot switch to callable pages)."""
    from ui.pages import page_by_path

    page_by_path(url_path).render()


def _sign_in(at: AppTest, store_path, role: str) -> None:
    if role != "guest":
        at.session_state["auth_token"] = GpkgStore(store_path).login(ACCOUNTS[role], PASSWORD).token


def run_page(url_path: str, lang: str = "zh", role: str = "guest", store_path=None) -> AppTest:
    at = AppTest.from_function(_page_script, args=(url_path,), default_timeout=60)
    at.session_state["lang"] = lang
    _sign_in(at, store_path, role)
    return at.run()


def run_app(lang: str = "zh", role: str = "guest", store_path=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    _sign_in(at, store_path, role)
    return at.run()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_app_runs_its_default_page(store_copy, lang):
    at = run_app(lang)
    assert not at.exception, at.exception
    assert "示例数据" in " ".join(w.value for w in at.warning)


PAGE_ROLES = [(p.url_path, role) for p in PAGES for role in sorted(p.roles)]


@pytest.mark.parametrize("lang", ["zh", pytest.param("en", marks=pytest.mark.slow)])
@pytest.mark.parametrize("url_path, role", PAGE_ROLES, ids=[f"{u}-{r}" for u, r in PAGE_ROLES])
def test_every_page_runs_for_every_role_that_sees_it(store_copy, url_path, role, lang):
    at = run_page(url_path, lang, role, store_copy)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    if url_path in DATA_PAGES:
        assert "示例数据" in " ".join(w.value for w in at.warning)


def test_menus_follow_roles():
    assert {p.url_path for p in pages_for("guest")} >= {"map", "about", "account"}
    assert "users" not in {p.url_path for p in pages_for("inspector")}
    assert {"users", "audit"} <= {p.url_path for p in pages_for("admin")}


def test_a_hidden_page_opened_anyway_is_refused_by_the_store(store_copy):
    at = run_page("users", role="reviewer", store_path=store_copy)
    assert not at.exception
    assert any("无权" in e.value for e in at.error)


def test_login_logout_through_the_account_page(store_copy):
    at = run_page("account", store_path=store_copy)
    at.text_input(key="login_name").set_value(INSPECTOR.name)
    at.text_input(key="login_password").set_value("wrong password!")
    at.button[0].click().run()
    assert any("用户名或密码错误" in e.value for e in at.error)
    at.text_input(key="login_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert at.session_state["auth_token"]
    assert any(INSPECTOR.name in m.value for m in at.markdown)


def test_map_page_counts_and_filters(store_copy):
    at = run_app()
    line = next(m.value for m in at.markdown if m.value.startswith("显示"))
    total = int(line.split("**")[1])
    at.button_group(key="f_kinds").set_value(["outfalls"]).run()
    assert not at.exception
    line = next(m.value for m in at.markdown if m.value.startswith("显示"))
    shown = int(line.split("**")[1])
    assert 40 <= shown < total


def test_detail_panel_shows_attributes_status_and_history(store_copy):
    at = run_app()
    at.selectbox(key="pick_").set_value("PWK-001").run()
    assert not at.exception, at.exception
    from geo.store import open_store
    from tests.factories import SYSTEM

    assert any(open_store(store_copy).get_site(SYSTEM, "PWK-001").name in h.value for h in at.subheader)
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "变更历史" in text and "位置证据" in text  # every change with 现场/远程 and its distance
    assert "所属镇街" in text and "350181" not in text  # the town by name, never its code


def test_english_labels(store_copy):
    at = run_app(lang="en")
    assert not at.exception
    assert any("sites shown" in m.value for m in at.markdown)


@pytest.mark.parametrize("secret", ["changeme", "short", "x" * 40])
def test_a_weak_session_secret_stops_the_app(store_copy, monkeypatch, secret):
    monkeypatch.setenv("ONEMAP_SESSION_SECRET", secret)
    at = run_app()
    assert not at.exception
    assert any("secrets.token_urlsafe" in e.value for e in at.error)
    assert not at.get("deck_gl_json_chart") and not any("显示" in m.value for m in at.markdown)


def test_a_strong_session_secret_is_accepted(store_copy, monkeypatch):
    monkeypatch.setenv("ONEMAP_SESSION_SECRET", "Qm3v9sX2-pL8kT4wZ7yR1nB6cF0hJ5dG_aE")
    at = run_app()
    assert not at.exception and not at.error


@pytest.mark.parametrize("role, shown", [("admin", True), ("reviewer", False)])
def test_ignored_settings_are_listed_to_admins_only(store_copy, monkeypatch, role, shown):
    monkeypatch.setenv("ONEMAP_IDLE_MINUTES", "半小时")
    at = run_app("zh", role, store_copy)
    assert not at.exception, at.exception
    listed = [e.label for e in at.expander if "设置未生效" in e.label]
    texts = " ".join(t.value for t in at.text)
    assert bool(listed) == shown and (("半小时" in texts) == shown)
