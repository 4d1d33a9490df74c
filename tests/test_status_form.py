"""The one status form: nothing consequential pre-filled, a refusal keeps what was typed and asks again, same form everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import GpkgStore
from layers import get_spec
from tests.factories import ADMIN, INSPECTOR, PASSWORD, SYSTEM, outfall
from tests.test_inspect_page import key, open_page, pick

MAP_APP = str(Path(__file__).resolve().parents[1] / "main_page.py")


def _site(store_path, kind: str, status: str):
    """An outfall in ``status`` in the inspector's town 海口镇 (added to the sample store)."""
    assert kind == "outfalls"
    store = GpkgStore(store_path)
    site_id = f"PWK-T{status[:3].upper()}"
    store.add_sites(SYSTEM, [outfall(site_id, status=status, name=f"测试排口{status}")])
    return store.get_site(SYSTEM, site_id)


def test_nothing_consequential_is_pre_filled(store_copy):
    site = _site(store_copy, "outfalls", "traced")  # the next step needs the remediation method
    at = pick(open_page(store_copy), site.site_id)
    assert at.radio(key=key(site.site_id, "target")).value is None
    assert at.selectbox(key=key(site.site_id, "remediation_method")).value is None
    assert at.button_group(key=key(site.site_id, "black_odour_seen")).value is None  # neither 是 nor 否


def test_a_required_field_must_be_chosen_in_the_form(store_copy):
    site = _site(store_copy, "outfalls", "traced")
    at = pick(open_page(store_copy), site.site_id)
    at.radio(key=key(site.site_id, "target")).set_value("remediating")
    at.button(key=key(site.site_id, "save")).click().run()
    assert any("必须填写" in e.value and "整治方式" in e.value for e in at.error)
    assert GpkgStore(store_copy).get_site(SYSTEM, site.site_id).version == site.version  # nothing recorded
    at.selectbox(key=key(site.site_id, "remediation_method")).set_value("merge")
    at.button(key=key(site.site_id, "save")).click().run()
    after = GpkgStore(store_copy).get_site(SYSTEM, site.site_id)
    assert (after.status, after.attrs["remediation_method"]) == ("remediating", "merge")
    assert after.attrs.get("black_odour_seen") == site.attrs.get("black_odour_seen")  # not touched: not recorded
    assert any("已保存" in s.value for s in at.success)
    # A fresh, empty form for the next change: nothing carried over.
    assert at.radio(key=key(site.site_id, "target", gen=1)).value is None


def test_a_change_landing_at_the_moment_of_saving_is_refused_and_the_draft_kept(store_copy, monkeypatch):
    site = _site(store_copy, "outfalls", "surveyed")
    at = pick(open_page(store_copy), site.site_id)
    at.radio(key=key(site.site_id, "target")).set_value("monitored")
    at.text_area(key=key(site.site_id, "note")).set_value("现场采样两瓶")
    original = GpkgStore.change_status
    raced = []

    def racing(self, actor, site_id, new_status, **kw):
        if not raced:  # a colleague's change lands between the form's read and its write
            raced.append(original(self, ADMIN, site_id, "monitored", expected_version=kw["expected_version"],
                                  op_id="colleague", note="同事已监测", source="web"))
        return original(self, actor, site_id, new_status, **kw)

    monkeypatch.setattr(GpkgStore, "change_status", racing)
    at.button(key=key(site.site_id, "save")).click().run()
    assert not at.exception, at.exception
    refused = " ".join(e.value for e in at.error)
    assert "未保存" in refused and ADMIN.name in refused and "同事已监测" in refused and "北京时间" in refused
    assert "请刷新" not in refused  # a reload would have signed the inspector out: never advised
    assert at.text_area(key=key(site.site_id, "note")).value == "现场采样两瓶"
    assert at.radio(key=key(site.site_id, "target", tgen=1)).value is None
    assert at.radio(key=key(site.site_id, "target", tgen=1)).options == [
        get_spec("outfalls").status("traced").zh]  # the choices of the new state, none chosen
    assert not at.success  # no stale "saved" banner above the refusal
    history = GpkgStore(store_copy).history(SYSTEM, site.site_id)
    assert [e.note for e in history][-1] == "同事已监测"


def test_the_map_page_uses_the_same_form(store_copy):
    site = _site(store_copy, "outfalls", "traced")
    at = AppTest.from_file(MAP_APP, default_timeout=60)
    at.session_state["lang"] = "zh"
    at.session_state["auth_token"] = GpkgStore(store_copy).login(INSPECTOR.name, PASSWORD).token
    at.run()
    at.selectbox(key="pick_").set_value(site.site_id).run()
    assert not at.exception, at.exception
    assert at.radio(key=key(site.site_id, "target")).value is None
    assert at.selectbox(key=key(site.site_id, "remediation_method")).value is None  # not 取缔 by default
    assert any(u.key == key(site.site_id, "up0") for u in at.get("file_uploader"))  # photos here too
    assert at.button_group(key=key(site.site_id, "black_odour_seen")).value is None


@pytest.mark.parametrize("role", ["reviewer", "guest"])
def test_who_may_not_change_gets_no_form(store_copy, role):
    at = AppTest.from_file(MAP_APP, default_timeout=60)
    at.session_state["lang"] = "zh"
    if role == "reviewer":
        from tests.factories import REVIEWER

        at.session_state["auth_token"] = GpkgStore(store_copy).login(REVIEWER.name, PASSWORD).token
    at.run()
    at.selectbox(key="pick_").set_value("PWK-001").run()
    assert not at.exception
    assert not [b for b in at.button if b.key and b.key.endswith("_save")]
    assert any(("只读" in c.value) or ("登录" in c.value) for c in at.caption)


def test_the_saved_banner_does_not_follow_the_user_to_another_page(store_copy):
    site = _site(store_copy, "outfalls", "surveyed")
    at = AppTest.from_file(MAP_APP, default_timeout=60)
    at.session_state["lang"] = "zh"
    at.session_state["auth_token"] = GpkgStore(store_copy).login(INSPECTOR.name, PASSWORD).token
    at.run()
    at.selectbox(key="pick_").set_value(site.site_id).run()
    at.radio(key=key(site.site_id, "target")).set_value("monitored")
    at.button(key=key(site.site_id, "save")).click().run()
    assert any("已保存" in s.value for s in at.success)
    at.run()  # another run on the same page: the banner stays (the new form is untouched)
    assert any("已保存" in s.value for s in at.success)
    at.session_state["_page"] = "inspect"  # as if the user had been on another page meanwhile
    at.run()
    assert not any("已保存" in s.value for s in at.success)
