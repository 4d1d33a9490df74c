"""Readers, column recognition and the plan: every format gives the same sites; headers map; updates diff."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import MultiPolygon, Point, Polygon

from geo.ingest import CrsChoice, TOWN_KIND, decode_remembered, encode_remembered, layout_key, prepare_import, recognise
from geo.ingest import safety
from geo.ingest.columns import header_key, targets_for
from geo.store.base import Site
from layers import REGISTRY
from tests.ingest_factories import (LAT, LON, OUTFALL_HEADERS, OUTFALL_ROW, PARK_POLY, csv_bytes, feature,
                                    geojson_bytes, gpkg_bytes, kml_bytes, outfall_props, outfall_rows,
                                    shapefile_members, stored_outfall, xlsx_bytes, zip_bytes)

WGS = CrsChoice.parse("wgs84")


def plan_of(data: bytes, name: str, kind: str = "outfalls", existing=None, **kw):
    return prepare_import(data, name, kind=kind, crs=kw.pop("crs", WGS), existing=existing or {}, **kw)


def _accepted(plan):
    return [(c.site.site_id, c.site.name, c.site.town_code, c.site.status, round(c.site.geometry.x, 7),
             round(c.site.geometry.y, 7), dict(c.site.attrs)) for c in plan.candidates]


def _props_en():
    return {"site_id": "PWK-101", "name": "福清湾测试排口", "town": "海口镇", "status_zh": "已排查", "receiving_water": "福清湾",
            "outfall_type": "工业排污口"}


def _kml_description_only() -> bytes:
    table = ("<table><tr><th>编号</th><td>PWK-101</td></tr><tr><th>所属镇街</th><td>海口镇</td></tr>"
             "<tr><th>当前状态</th><td>已排查</td></tr><tr><th>所在海湾</th><td>福清湾</td></tr>"
             "<tr><th>排污口类型</th><td>工业排污口</td></tr></table>")
    from xml.sax.saxutils import escape

    return ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            f"<Folder><name>入海排污口</name><Placemark><name>福清湾测试排口</name><description>{escape(table)}"
            f"</description><Point><coordinates>{LON},{LAT},0</coordinates></Point></Placemark></Folder>"
            "</Document></kml>").encode()


FORMATS = {
    "csv": (lambda: csv_bytes(outfall_rows({})), "a.csv"),
    "csv-gbk": (lambda: csv_bytes(outfall_rows({}), "gbk"), "a.csv"),
    "xlsx": (lambda: xlsx_bytes(outfall_rows({})), "a.xlsx"),
    "geojson": (lambda: geojson_bytes([feature(Point(LON, LAT), **outfall_props())]), "a.geojson"),
    "kml-extended-data": (lambda: kml_bytes([("福清湾测试排口", _props_en(),
                                              f"<Point><coordinates>{LON},{LAT}</coordinates></Point>")]), "a.kml"),
    "kml-description-table": (_kml_description_only, "a.kml"),
    "kmz": (lambda: zip_bytes({"doc.kml": kml_bytes([("福清湾测试排口", _props_en(),
                                                      f"<Point><coordinates>{LON},{LAT}</coordinates></Point>")])}),
            "a.kmz"),
    "shp-utf8": (lambda: zip_bytes(shapefile_members([_props_en()], [Point(LON, LAT)], encoding="UTF-8",
                                                     cpg="UTF-8")), "a.zip"),
    "shp-gbk-in-folder": (lambda: zip_bytes({f"台账/{k}": v for k, v in shapefile_members(
        [_props_en()], [Point(LON, LAT)], encoding="CP936", cpg="936").items()}), "a.zip"),
    "gpkg": (lambda: gpkg_bytes([_props_en()], [Point(LON, LAT)]), "a.gpkg"),
}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_gives_the_same_site(fmt):
    make, name = FORMATS[fmt]
    plan = plan_of(make(), name)
    assert not plan.has_errors, [(p.row, p.code, p.message_en) for p in plan.errors]
    assert _accepted(plan) == [("PWK-101", "福清湾测试排口", "350181103", "surveyed", LON, LAT,
                                {**{f.name: None for f in REGISTRY["outfalls"].fields}, "discharge_into": "sea",
                                 "receiving_water": "fuqing_bay", "outfall_type": "industrial"})]
    assert plan.candidates[0].action == "create"


def test_xlsx_reads_the_sheet_named_after_the_kind_and_skips_the_summary():
    data = xlsx_bytes([["汇总"], ["点位数", 1]], sheet="汇总",
                      extra_sheets={"工业园区": [["编号"], ["YQ-1"]], "入海排污口": outfall_rows({})})
    plan = plan_of(data, "a.xlsx")
    assert plan.table.chosen == ["入海排污口"] and plan.table.choices == ["汇总", "工业园区", "入海排污口"]
    assert [c.site.site_id for c in plan.candidates] == ["PWK-101"]
    other = plan_of(data, "a.xlsx", sheet="工业园区")
    assert other.table.chosen == ["工业园区"]
    missing = plan_of(data, "a.xlsx", sheet="不存在")
    assert [p.code for p in missing.file_errors] == ["xlsx.no_sheet"]


def test_several_layers_without_the_kind_name_are_ambiguous():
    members = {}
    for layer in ("a", "b"):
        members.update(shapefile_members([_props_en()], [Point(LON, LAT)], encoding="UTF-8", cpg="UTF-8", layer=layer))
    plan = plan_of(zip_bytes(members), "two.zip")
    assert [p.code for p in plan.file_errors] == ["gis.ambiguous_layer"]
    chosen = plan_of(zip_bytes(members), "two.zip", sheet="b")
    assert not chosen.has_errors and chosen.table.chosen == ["b"]


def test_shapefile_without_dbf_is_named():
    members = shapefile_members([_props_en()], [Point(LON, LAT)], encoding="UTF-8", cpg="UTF-8")
    del members["outfalls.dbf"]
    plan = plan_of(zip_bytes(members), "a.zip")
    assert [p.code for p in plan.file_errors] == ["shp.incomplete"]


def test_size_and_row_caps_are_checked_before_parsing(monkeypatch):
    monkeypatch.setattr(safety, "MAX_FILE_BYTES", 100)
    plan = plan_of(csv_bytes(outfall_rows({}, {}, {})), "a.csv")
    assert [p.code for p in plan.file_errors] == ["file.too_large"]
    monkeypatch.setattr(safety, "MAX_FILE_BYTES", 10_000_000)
    monkeypatch.setattr(safety, "MAX_ROWS", 2)
    plan = plan_of(csv_bytes(outfall_rows({}, {}, {})), "a.csv")
    assert [p.code for p in plan.file_errors] == ["file.too_many_rows"]


def test_zip_member_reads_stop_at_the_declared_size():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.kml", b"x" * 100)
    zf = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    zf.getinfo("a.kml").file_size = 10  # a lying directory entry
    with pytest.raises(safety.IngestError) as err:
        safety.read_member(zf, "a.kml", "a.kmz")
    assert err.value.code in ("zip.bomb", "zip.corrupt")


# -- columns ---------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(REGISTRY))
def test_every_field_label_is_recognised(kind):
    spec = REGISTRY[kind]
    for f in spec.fields:
        for header in (f.zh, f.label("zh"), f.en, f.name, f" {f.zh}＊", f.zh.replace("", " ").strip()):
            m = recognise(kind, [header])
            assert m.targets[header] == f.name, (kind, header, m.targets)


@pytest.mark.parametrize("header, target", [
    ("名称", "name"), ("编号", "site_id"), ("编码", "site_id"), ("经度", "lon"), ("纬度", "lat"), ("所属镇街", "town"),
    ("乡镇", "town"), ("镇街", "town"), ("所属乡镇", "town"), ("状态", "status"), ("责任单位", "responsible"),
    ("完成时限", "deadline"), ("整治方式", "remediation_method"), ("类型", "outfall_type"), ("经度（WGS84）", "lon"),
    ("纬度(WGS-84)", "lat"), ("序号", "ignore"), ("排污口名称", "name"), ("ＮＡＭＥ", "name"), ("镇街代码", "town_code"),
    ("状态代码", "status_code"), ("X坐标", "x"), ("经纬度", "coords"),
])
def test_common_headers(header, target):
    assert recognise("outfalls", [header]).targets[header] == target


def test_type_means_the_kinds_own_type_field():
    assert recognise("shore_power_berths", ["类型"]).targets["类型"] == "berth_type"
    assert recognise("black_odorous", ["类型"]).targets["类型"] == "water_kind"
    assert recognise("clean_fuel_zones", ["类型"]).targets["类型"] == "fuel_category"


def test_gcj_columns_are_used_only_without_plain_ones():
    both = recognise("outfalls", ["经度（WGS84）", "纬度（WGS84）", "经度（GCJ-02，高德）", "纬度（GCJ-02，高德）"])
    assert both.targets["经度（GCJ-02，高德）"] == "ignore" and both.targets["经度（WGS84）"] == "lon"
    only = recognise("outfalls", ["经度（高德）", "纬度（高德）"])
    assert only.targets["经度（高德）"] == "lon" and only.implied_crs["经度（高德）"] == "gcj02"
    data = csv_bytes([OUTFALL_HEADERS[:-2] + ["经度（高德）", "纬度（高德）"], OUTFALL_ROW])
    assert not plan_of(data, "a.csv", crs=CrsChoice.parse("gcj02")).has_errors


def test_layout_key_ignores_order_spaces_and_width():
    assert layout_key(["名称", "经度", "X"]) == layout_key([" 经度", "ｘ", "名　称"])
    assert layout_key(["名称", "经度"]) != layout_key(["名称", "纬度"])


def test_a_remembered_mapping_is_used_and_the_user_wins():
    rows = outfall_rows({})
    rows[0][1] = "排口叫啥"
    data = csv_bytes(rows)
    plan = plan_of(data, "a.csv")
    assert ("field.required", 2) in {(p.code, p.row) for p in plan.errors}
    assert any(p.code == "column.unmapped" and "排口叫啥" in p.column for p in plan.problems)
    mapped = plan_of(data, "a.csv", user_mapping={"排口叫啥": "name"})
    assert not mapped.has_errors and mapped.candidates[0].site.name == "福清湾测试排口"
    stored = encode_remembered(mapped.mapping)
    assert mapped.mapping.user_part() == {"排口叫啥": "name"}
    again = plan_of(data, "a.csv", remembered=decode_remembered(stored, "outfalls"))
    assert not again.has_errors and again.mapping.how["排口叫啥"] == "remembered"
    assert decode_remembered("not json", "outfalls") == {}
    assert decode_remembered(json.dumps({"targets": {"a": "no_such_field"}}), "outfalls") == {}


def test_two_columns_on_one_field_are_refused():
    rows = outfall_rows({})
    rows[0][1] = "名称"
    rows[0].append("点位名称")
    rows[1].append("另一个名字")
    plan = plan_of(csv_bytes(rows), "a.csv")
    assert [p.code for p in plan.file_errors] == ["column.duplicate"]


def test_targets_for_every_kind_end_with_ignore():
    for kind in list(REGISTRY) + [TOWN_KIND]:
        assert list(targets_for(kind))[-1] == "ignore"
    assert header_key(" 名称＊ ") == "名称"


# -- updates -----------------------------------------------------------------------
def test_existing_ids_are_updates_with_before_and_after():
    existing = {"PWK-T01": stored_outfall()}
    data = csv_bytes(outfall_rows({"编号": "PWK-T01", "名称": "测试排口", "状态": "整治中"}))
    plan = plan_of(data, "a.csv", existing=existing)
    c = plan.candidates[0]
    assert c.action == "update" and c.expected_version == 3
    assert c.changes["status"] == ("已溯源", "整治中")
    assert "geometry" not in c.changes and "name" not in c.changes
    back = plan_of(csv_bytes(outfall_rows({"编号": "PWK-T01", "名称": "测试排口", "状态": "已排查"})), "a.csv",
                   existing=existing)
    assert any(p.code == "status.backwards" for p in back.warnings)
    same = plan_of(csv_bytes(outfall_rows({"编号": "PWK-T01", "名称": "测试排口", "状态": "已溯源"})), "a.csv",
                   existing=existing)
    assert same.candidates[0].action == "unchanged" and plan.expected() == {"PWK-T01": 3}


def test_a_table_point_on_a_stored_polygon_updates_its_attributes_and_keeps_the_shape():
    park = Site(kind="parks", site_id="YQ-T01", name="测试园区", town_code="350181116", status="building", version=2,
                geometry=MultiPolygon([PARK_POLY]), attrs={"level": "national"})
    rows = [["编号", "名称", "所属镇街", "当前状态", "园区级别", "经度（WGS84）", "纬度（WGS84）"],
            ["YQ-T01", "测试园区", "江阴镇", "已建成", "国家级", "119.305", "25.485"]]
    plan = plan_of(csv_bytes(rows), "a.csv", kind="parks", existing={"YQ-T01": park})
    c = plan.candidates[0]
    assert c.action == "update" and c.site.geometry is park.geometry and set(c.changes) == {"status"}
    rows[1][5] = "119.35"  # not on the shape: a point cannot replace a polygon
    far = plan_of(csv_bytes(rows), "a.csv", kind="parks", existing={"YQ-T01": park})
    assert [p.code for p in far.errors] == ["geometry.needs_shape"]


def test_an_update_may_leave_out_columns():
    existing = {"PWK-T01": stored_outfall()}
    plan = plan_of(csv_bytes([["编号", "状态"], ["PWK-T01", "整治中"]]), "a.csv", existing=existing)
    assert not plan.errors
    c = plan.candidates[0]
    assert c.action == "update" and set(c.changes) == {"status"} and c.site.attrs["receiving_water"] == "fuqing_bay"


# -- official town boundaries ------------------------------------------------------------
def test_town_boundaries_plan():
    poly = Polygon([(119.40, 25.60), (119.50, 25.60), (119.50, 25.70), (119.40, 25.70)])
    feats = [feature(poly, 名称="海口镇"), feature(poly, 名称="江阴"), feature(poly, 名称="火星镇"),
             feature(poly, 名称="海口"), feature(Point(119.4, 25.6), 名称="玉屏街道")]
    plan = plan_of(geojson_bytes(feats), "towns.geojson", kind=TOWN_KIND)
    codes = {(p.row, p.code) for p in plan.errors}
    assert {(1, "town.duplicate_in_file"), (4, "town.duplicate_in_file"), (3, "town.unknown"),
            (5, "geometry.wrong_type")} <= codes
    assert [t.town_code for t in plan.towns] == ["350181116"]
    assert plan.towns[0].geometry.geom_type == "MultiPolygon"


def test_shapefile_field_names_cut_inside_a_character_are_read_and_recognised():
    props = {"编号": "PWK-101", "名称": "福清湾测试排口", "所属镇街": "海口镇", "所在海湾": "福清湾", "排污口类型": "工业"}
    plan = plan_of(zip_bytes(shapefile_members([props], [Point(LON, LAT)], encoding="UTF-8", cpg="UTF-8")), "a.zip")
    assert plan.table.headers == ["编号", "名称", "所属镇", "所在海", "排污口"]  # GDAL cut them at 10 bytes
    assert any(p.code == "shp.field_names_cut" for p in plan.warnings)
    assert plan.mapping.targets["所在海"] == "receiving_water"  # the only field whose names start like that
    assert plan.mapping.targets["排污口"] is None  # 排口编码, 排污口名称, 排污口类型 …: the user decides
    mapped = plan_of(zip_bytes(shapefile_members([props], [Point(LON, LAT)], encoding="UTF-8", cpg="UTF-8")), "a.zip",
                     user_mapping={"排污口": "outfall_type"})
    assert not mapped.has_errors and mapped.candidates[0].site.attrs["receiving_water"] == "fuqing_bay"
