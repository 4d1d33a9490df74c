"""The 导入台账 page under AppTest, as an administrator: upload, preview with problems, write, undo."""

from __future__ import annotations

import re

import pytest
from shapely.geometry import MultiPolygon, Polygon

from geo.errors import NotFoundError
from geo.ingest import encode_remembered, layout_key, recognise
from geo.store import GpkgStore
from tests.factories import ADMIN, SYSTEM
from tests.ingest_factories import csv_bytes, outfall_rows
from tests.test_pages import run_app, run_page


def _choose(at, kind="outfalls", crs="wgs84"):
    at.selectbox(key="imp_kind").set_value(kind)
    at.selectbox(key="imp_crs").set_value(crs)
    return at


def _upload(at, name: str, data: bytes):
    at.file_uploader[0].set_value((name, data, "text/csv"))
    return at.run()


def _unescape(value):
    """st.table reads Markdown, so the page escapes every cell; the text as shown, without the escapes."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", value) if isinstance(value, str) else value


def _frame_with(at, column: str):
    """A shown table (st.dataframe or st.table) with ``column``; st.table's index is a column here too."""
    frames = [d.value for d in at.dataframe] + [t.value.reset_index().map(_unescape) for t in at.table]
    return next(f for f in frames if column in f.columns)


def test_preview_lists_problems_then_valid_rows_are_written_and_undone(store_copy):
    at = run_page("import", "zh", "admin", store_copy)
    assert not at.exception and not at.error
    assert any("坐标系" in i.value for i in at.info)
    rows = outfall_rows({}, {"所属镇街": "火星镇", "名称": "<img src=x onerror=alert(1)>"}, {"经度": "25.68", "纬度": "119.45"})
    at = _upload(_choose(at), "台账.csv", csv_bytes(rows, "gbk"))
    assert not at.exception, at.exception
    problems = _frame_with(at, "修改方法")
    assert {"行号", "列", "代码", "问题", "修改方法"} <= set(problems.columns)
    bad = problems[problems["代码"] == "town.unknown"].iloc[0]
    assert (bad["行号"], bad["列"]) == ("第 3 行", "所属镇街") and "火星镇" in bad["问题"] and bad["修改方法"]
    assert "coord.swapped" in set(problems["代码"])  # row 4: corrected, with a note
    write = at.button(key="imp_write")
    assert write.disabled  # by default a file with any error writes nothing
    assert any("只写入无误的行" in c.label for c in at.checkbox)
    store = GpkgStore(store_copy)
    with pytest.raises(NotFoundError):
        store.get_site(SYSTEM, "PWK-101")
    at.checkbox(key="imp_skip").check().run()
    assert not at.button(key="imp_write").disabled
    at.button(key="imp_write").click().run()
    assert not at.exception, at.exception
    assert any("已导入" in s.value for s in at.success), [s.value for s in at.success]
    assert {s.site_id for s in store.list_sites(SYSTEM, kinds=["outfalls"])} >= {"PWK-101", "PWK-103"}
    with pytest.raises(NotFoundError):
        store.get_site(SYSTEM, "PWK-102")
    batch = store.list_batches(ADMIN)[0]
    assert batch.counts["created"] == 2 and batch.actor == ADMIN.name
    # Undo from the page.
    at.selectbox(key="imp_undo_batch").set_value(batch.batch_id)
    at.checkbox(key="imp_undo_sure").check().run()
    at.button(key="imp_undo_go").click().run()
    assert not at.exception, at.exception
    assert any("已撤销" in s.value for s in at.success)
    with pytest.raises(NotFoundError):
        store.get_site(SYSTEM, "PWK-101")


def test_updates_are_shown_before_and_after(store_copy):
    # An outfall not yet remediated, moved by the ledger to 整治完成 (imports record the ledger, not the workflow).
    site = next(s for s in GpkgStore(store_copy).list_sites(SYSTEM, kinds=["outfalls"]) if s.status == "monitored")
    rows = [["编号", "名称", "状态", "整治方式"], [site.site_id, site.name, "整治完成", "依法取缔"]]
    at = _upload(_choose(run_page("import", "zh", "admin", store_copy)), "a.csv", csv_bytes(rows))
    assert not at.exception
    changes = _frame_with(at, "原值")
    status = changes[changes["字段"] == "状态"].iloc[0]
    assert status["新值"] == "整治完成" and status["原值"] == "已监测"
    assert not at.button(key="imp_write").disabled


def test_a_remembered_mapping_is_applied(store_copy):
    rows = outfall_rows({})
    rows[0][1] = "排口叫啥"
    mapping = recognise("outfalls", rows[0], user={"排口叫啥": "name"})
    GpkgStore(store_copy).set_meta(ADMIN, layout_key(rows[0]), encode_remembered(mapping))
    at = _upload(_choose(run_page("import", "zh", "admin", store_copy)), "b.csv", csv_bytes(rows))
    assert not at.exception
    assert any("上次保存" in c.value for c in at.caption)
    assert not at.button(key="imp_write").disabled


def test_english_and_a_file_that_cannot_be_read(store_copy):
    at = _upload(_choose(run_page("import", "en", "admin", store_copy)), "x.xlsx", b"not a workbook")
    assert not at.exception
    assert any("does not contain" in e.value for e in at.error)
    assert "format.mismatch" in set(_frame_with(at, "Code")["Code"])
    assert at.button(key="imp_write").disabled


@pytest.mark.parametrize("role", ["reviewer", "inspector"])
def test_the_store_refuses_anyone_but_an_administrator(store_copy, role):
    at = run_page("import", "zh", role, store_copy)
    assert not at.exception
    assert any("无权" in e.value for e in at.error)
    assert not at.get("file_uploader")


def test_town_check_lists_sites_outside_their_town(store_copy):
    store = GpkgStore(store_copy)
    box = MultiPolygon([Polygon([(119.0, 25.3), (119.7, 25.3), (119.7, 25.9), (119.0, 25.9)])])
    store.import_town_boundaries(ADMIN, [("350181002", "玉屏街道", box)], source_name="towns.zip")
    at = run_page("import", "zh", "admin", store_copy)
    assert not at.exception
    table = _frame_with(at, "所在边界")
    assert (table["所在边界"] == "玉屏街道").all() and len(table) > 10


def test_the_map_detail_panel_shows_an_imported_site(store_copy):
    from tests.test_import_store import outfall_site

    GpkgStore(store_copy).import_batch(ADMIN, [outfall_site("PWK-901")], source_name="a.csv")
    at = run_app()
    at.selectbox[0].set_value("PWK-901").run()
    assert not at.exception, at.exception
    assert any("导入排口" in h.value for h in at.subheader)


def test_a_file_with_several_layers_offers_them(store_copy):
    from shapely.geometry import Point

    from tests.ingest_factories import shapefile_members, zip_bytes

    props = {"编号": "PWK-777", "名称": "图层排口", "所属镇街": "海口镇", "所在海湾": "福清湾", "类型": "其他"}
    members = {}
    for layer in ("一组", "二组"):
        members.update(shapefile_members([props], [Point(119.45, 25.68)], encoding="UTF-8", cpg="UTF-8",
                                         layer=layer))
    at = _choose(run_page("import", "zh", "admin", store_copy))
    at.file_uploader[0].set_value(("layers.zip", zip_bytes(members), "application/zip"))
    at.run()
    assert not at.exception
    assert "gis.ambiguous_layer" in set(_frame_with(at, "代码")["代码"])
    box = next(s for s in at.selectbox if s.label == "工作表 / 图层")
    assert set(box.options) >= {"一组", "二组"}
    box.set_value("二组").run()
    assert not at.exception
    assert not at.button(key="imp_write").disabled
