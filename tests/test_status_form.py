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
    assert at.button_group(key=key(site.site_id, "black_odour_seen")).value is None  # neither 是 nor 否
    at.radio(key=key(site.site_id, "target")).set_value("remediating").run()
    assert at.selectbox(key=key(site.site_id, "remediation_method")).value is None  # asked, not answered


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
    spec = get_spec("outfalls")
    assert at.radio(key=key(site.site_id, "target", tgen=1)).options == [
        spec.status(tr.dst).zh for tr in spec.allowed_next("monitored")]  # the choices of the new state, none chosen
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
    at.radio(key=key(site.site_id, "target")).set_value("remediating").run()
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


# -- what each change declares (layer spec: requires, offers, requires_photo, guards) ------------------------------


def _outfall(store_path, site_id: str, status: str, **attrs):
    """An outfall of the inspector's town in ``status`` with ``attrs`` on top of the factory's."""
    from dataclasses import replace

    store = GpkgStore(store_path)
    base = outfall(site_id, status=status, name=f"测试排口{site_id}")
    store.add_sites(SYSTEM, [replace(base, attrs={**base.attrs, **attrs})])
    return store.get_site(SYSTEM, site_id)


def _photo(store_path, rgb=(40, 120, 200)) -> str:
    """A photo stored as the form stores an upload; its hash."""
    import io

    from PIL import Image

    from geo.photos import store_photo

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), rgb).save(buf, "JPEG")
    return store_photo(buf.getvalue(), GpkgStore(store_path).photos_dir).sha256


def _browser_sends_draft(at: AppTest, site, values: dict) -> AppTest:
    """What the draft keeper sends after a reload: the values it kept for this site (photos as hashes)."""
    import uuid

    at.session_state[f"hidden_draft_{site.site_id}"] = {
        "nonce": uuid.uuid4().hex, "draft": {"version": site.version, "values": values}}
    return at.run()


def _errors(at) -> str:
    return " ".join(e.value for e in at.error)


def _warnings(at) -> str:
    return " ".join(w.value for w in at.warning)


def test_each_change_asks_for_the_fields_it_declares_and_nothing_else(store_copy):
    spec = get_spec("outfalls")
    site = _outfall(store_copy, "PWK-TDEC", "surveyed")
    at = pick(open_page(store_copy), site.site_id)
    sid = site.site_id
    field_labels = {spec.field(n).zh for n in ("discharge_mode", "remediation_method", "remediation_plan",
                                               "dismissal_reason", "dismissal_note")}

    def shown():
        widgets = [*at.selectbox, *at.text_area, *at.text_input, *at.button_group, *at.date_input]
        return {w.label.rstrip(" *") for w in widgets} & field_labels

    assert shown() == set()  # nothing until a change is chosen
    at.radio(key=key(sid, "target")).set_value("monitored").run()
    assert shown() == {"排放方式"}  # offered, optional
    assert at.selectbox(key=key(sid, "discharge_mode")).label == "排放方式"
    at.radio(key=key(sid, "target")).set_value("remediating").run()
    assert shown() == {"整治方式", "整治方案"}
    assert at.text_area(key=key(sid, "milestones")).label == "整治节点"  # offered too
    assert at.selectbox(key=key(sid, "remediation_method")).label == "整治方式 *"  # required
    assert at.text_area(key=key(sid, "remediation_plan")).label == "整治方案"  # offered
    at.radio(key=key(sid, "target")).set_value("dismissed").run()
    assert shown() == {"核销原因", "核销依据"}
    assert at.text_area(key=key(sid, "dismissal_note")).label == "核销依据 *"
    uploads = [u for u in at.get("file_uploader") if u.key == key(sid, "up0")]
    assert uploads and uploads[0].proto.label.endswith(" *")  # the change must carry a photo
    assert at.button_group(key=key(sid, "black_odour_seen")).value is None  # observed on every visit, unanswered


def test_a_guard_is_said_before_saving_and_refuses_with_its_fix(store_copy):
    """整治中 straight from 已排查 only for 依法取缔 (SKIP_NEEDS_BAN): said at once, refused at the top."""
    site = _outfall(store_copy, "PWK-TSKP", "surveyed")
    sid = site.site_id
    at = pick(open_page(store_copy), sid)
    at.radio(key=key(sid, "target")).set_value("remediating").run()
    at.selectbox(key=key(sid, "remediation_method")).set_value("merge").run()
    assert "只适用于依法取缔" in _warnings(at)  # the guard's message, before any save
    at.button(key=key(sid, "save")).click().run()
    assert "只适用于依法取缔" in _errors(at) and "整治方式选“依法取缔”" in _errors(at)  # with its fix
    assert GpkgStore(store_copy).get_site(SYSTEM, sid).version == site.version  # nothing recorded
    at.selectbox(key=key(sid, "remediation_method")).set_value("ban").run()
    assert "只适用于依法取缔" not in _warnings(at)
    at.button(key=key(sid, "save")).click().run()
    after = GpkgStore(store_copy).get_site(SYSTEM, sid)
    assert (after.status, after.attrs["remediation_method"]) == ("remediating", "ban")


def test_remediation_complete_takes_the_standard_items_with_a_photo_each(store_copy):
    """整治完成 of a 规范整治: 标志牌 and 采样点 each answered and photographed (the guard), photos stored with the change."""
    site = _outfall(store_copy, "PWK-TSTD", "remediating", remediation_method="standardise")
    sid = site.site_id
    at = pick(open_page(store_copy), sid)
    at.radio(key=key(sid, "target")).set_value("remediated").run()
    for item in ("sign_board", "sampling_point", "inspection_well"):
        assert at.button_group(key=key(sid, item)).value is None  # neither 是 nor 否
    photo_uploads = {u.key for u in at.get("file_uploader")}
    assert {key(sid, f"{item}_photo_up0") for item in ("sign_board", "sampling_point", "inspection_well")} <= photo_uploads
    assert "规范整治尚未完成" in _warnings(at)
    at.button_group(key=key(sid, "sign_board")).set_value("yes")
    at.button_group(key=key(sid, "sampling_point")).set_value("yes")
    at.button(key=key(sid, "save")).click().run()
    assert "规范整治尚未完成" in _errors(at) and "各附一张照片" in _errors(at)  # no photos yet: refused
    assert GpkgStore(store_copy).get_site(SYSTEM, sid).version == site.version
    # The photos arrive (as uploads stored at once, here as the draft the browser keeps after a reload).
    sign, sampling = _photo(store_copy, (200, 40, 40)), _photo(store_copy, (40, 200, 40))
    at = _browser_sends_draft(at, site, {"target": "remediated", "sign_board": "yes", "sampling_point": "yes",
                                         "sign_board_photo": sign, "sampling_point_photo": sampling})
    assert not at.exception, at.exception
    assert at.radio(key=key(sid, "target")).value == "remediated"
    assert "规范整治尚未完成" not in _warnings(at)
    at.button(key=key(sid, "save")).click().run()
    assert not _errors(at), _errors(at)
    store = GpkgStore(store_copy)
    after = store.get_site(SYSTEM, sid)
    assert after.status == "remediated"
    assert (after.attrs["sign_board"], after.attrs["sampling_point"]) == (True, True)
    assert (after.attrs["sign_board_photo"], after.attrs["sampling_point_photo"]) == (sign, sampling)
    assert after.attrs.get("inspection_well") is None  # not answered: not recorded
    assert {sign, sampling} <= set(store.history(SYSTEM, sid)[-1].photos)


def test_closing_a_case_needs_its_record_a_document_photo_and_no_black_odour(store_copy):
    site = _outfall(store_copy, "PWK-TCLS", "remediated", remediation_method="ban")
    sid = site.site_id
    at = pick(open_page(store_copy), sid)
    at.radio(key=key(sid, "target")).set_value("closed").run()
    assert {"销号审批单位 *", "销号文号 *"} <= {w.label for w in at.text_input}
    assert at.date_input(key=key(sid, "closure_date")).label == "销号日期 *"
    assert at.date_input(key=key(sid, "closure_date")).value is None  # no date pre-filled
    at.button(key=key(sid, "save")).click().run()
    missing = _errors(at)
    assert "销号日期" in missing and "销号文号" in missing and "照片" in missing
    at.date_input(key=key(sid, "closure_date")).set_value("2025-11-20")
    at.text_input(key=key(sid, "closure_body")).set_value("福清生态环境局")
    at.text_input(key=key(sid, "closure_doc_no")).set_value("融环〔2025〕12号")
    at.button_group(key=key(sid, "black_odour_seen")).set_value("yes").run()
    assert "不能销号" in _warnings(at)  # the plan: no black odour at outfalls
    doc = _photo(store_copy, (250, 250, 250))
    at = _browser_sends_draft(at, site, {"target": "closed", "photos": [doc], "black_odour_seen": "no",
                                         "closure_date": "2025-11-20"})
    assert "不能销号" not in _warnings(at)
    at.button(key=key(sid, "save")).click().run()
    assert not _errors(at), _errors(at)
    store = GpkgStore(store_copy)
    after = store.get_site(SYSTEM, sid)
    assert after.status == "closed"
    assert (str(after.attrs["closure_date"])[:10], after.attrs["closure_body"], after.attrs["closure_doc_no"]) == (
        "2025-11-20", "福清生态环境局", "融环〔2025〕12号")
    assert after.attrs["black_odour_seen"] is False
    assert doc in store.history(SYSTEM, sid)[-1].photos
