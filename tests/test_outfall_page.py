"""一口一档 in the map's detail panel: one outfall's whole file, and the form that keeps it (AppTest, no browser)."""

from __future__ import annotations

import re

from geo.store import GpkgStore
from tests.factories import SYSTEM
from tests.test_pages import run_app


def _pick(at, site_id: str):
    at.selectbox(key="pick_").set_value(site_id).run()
    assert not at.exception, at.exception
    return at


def _texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def _shown(value):
    """A table cell as the reader sees it: st.table reads Markdown, so user text is sent escaped (ui.session.md_escape)
    and shown without the backslashes and invisible joiners."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", value).replace("\u2060", "") if isinstance(value, str) else value


def _table(at, label: str) -> dict:
    """The file table holding a row labelled ``label``, as {label: value} (values as shown)."""
    for d in at.table:
        frame = d.value
        if frame.shape[1] == 2 and label in set(frame.iloc[:, 0]):
            return dict(zip(frame.iloc[:, 0], map(_shown, frame.iloc[:, 1])))
    raise AssertionError(f"no table with {label}")


def test_a_closed_outfall_shows_its_whole_file(store_copy):
    store = GpkgStore(store_copy)
    site = next(s for s in store.list_sites(SYSTEM, kinds=["outfalls"])
                if s.status == "closed" and s.attrs["remediation_method"] == "standardise")
    at = _pick(run_app(), site.site_id)
    text = _texts(at)
    for part in ("一口一档", "基本信息", "责任主体与许可", "溯源排污单位", "整治", "规范化设置", "销号记录"):
        assert part in text, part
    identity = _table(at, "排污口编码")
    assert identity["排污口编码"] == site.attrs["outfall_code"]
    assert identity["受纳水体"] in ("福清湾", "兴化湾", "海坛海峡", "龙江干流", "龙江支流", "湖库")
    assert identity["排污口类型"] in ("工业排污口", "城镇污水处理厂排污口", "农业排口", "其他排口")
    assert _table(at, "责任主体")["责任主体"] == site.responsible
    closure = _table(at, "销号文号")
    assert closure["销号文号"] == site.attrs["closure_doc_no"] and closure["销号日期"] == site.attrs["closure_date"]
    # The sign, the sampling point and the closure document are shown as photos (thumbnails of stored files).
    images = at.get("image")
    assert len(images) >= 3
    milestones = next(d.value for d in at.dataframe if "节点日期" in d.value.columns)
    assert list(milestones["节点日期"]) == ["2025-03-31", "2025-09-30", "2025-12-31"]
    assert not any("档案待补" in m.value for m in at.markdown)  # nothing missing in this file


def test_a_point_closed_at_survey_shows_why(store_copy):
    site = next(s for s in GpkgStore(store_copy).list_sites(SYSTEM, kinds=["outfalls"]) if s.status == "dismissed")
    at = _pick(run_app(), site.site_id)
    assert "排查核销记录" in _texts(at)
    assert _table(at, "核销依据")["核销依据"] == site.attrs["dismissal_note"]
    assert any("已核销，不计入进度" in m.value for m in at.markdown)


def test_what_the_file_lacks_is_listed(store_copy):
    store = GpkgStore(store_copy)
    site = next(s for s in store.list_sites(SYSTEM, kinds=["outfalls"]) if s.status == "surveyed")
    store.update_attributes(SYSTEM, site.site_id, {"responsible_basis": "government", "source_units": "示例企业"},
                            expected_version=site.version, op_id="gap-test")
    at = _pick(run_app(), site.site_id)
    assert "档案待补" in _texts(at)
    assert any("溯源已查明排污单位" in w.value for w in at.warning)


def test_an_administrator_completes_the_file_without_changing_the_status(store_copy):
    store = GpkgStore(store_copy)
    site = next(s for s in store.list_sites(SYSTEM, kinds=["outfalls"]) if s.status == "traced")
    at = _pick(run_app(role="admin", store_path=store_copy), site.site_id)
    at.text_input(key=f"ofile_{site.site_id}_{site.version}_permit_no").set_value("91350181MA2XXXXX1P")
    at.text_input(key=f"ofile_{site.site_id}_{site.version}_filing_no").set_value("闽环备〔2025〕12号")
    next(b for b in at.button if b.label == "保存档案").click().run()
    assert not at.exception, at.exception
    after = store.get_site(SYSTEM, site.site_id)
    assert (after.status, after.version) == (site.status, site.version + 1)
    assert (after.attrs["permit_no"], after.attrs["filing_no"]) == ("91350181MA2XXXXX1P", "闽环备〔2025〕12号")
    last = store.history(SYSTEM, site.site_id)[-1]
    assert last.action == "edit" and last.source == "web"


def test_guests_see_the_file_but_no_form(store_copy):
    site = next(s for s in GpkgStore(store_copy).list_sites(SYSTEM, kinds=["outfalls"]) if s.status == "traced")
    at = _pick(run_app(), site.site_id)
    assert "一口一档" in _texts(at)
    assert not any(b.label == "保存档案" for b in at.button)
