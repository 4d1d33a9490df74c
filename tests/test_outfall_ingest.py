"""Outfall ledgers as the towns write them: short forms, official class names, 入河 and 入海 rows, 排查 → 取缔.

The ledger below is built the way a town fills one in (headers 序号, 排污口名称, 排污口编码, 所属乡镇,
受纳水体, 排污口类型, 整治进展 …, no app ids). It must import with no error; what was read with a
guess says so in a warning. The refusals use the same row-level problems as every other import.
"""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from geo.ingest import CrsChoice, prepare_import
from geo.store.base import Site
from tests.ingest_factories import csv_bytes, xlsx_bytes

HEADERS = ["序号", "排污口名称", "排污口编码", "所属乡镇", "入河/入海", "受纳水体", "排污口类型", "二级分类", "整治方式",
           "整治进展", "责任主体", "是否黑臭", "经度", "纬度"]
SEA, RIVER = (119.452, 25.681), (119.400, 25.716)
#: name -> (入河/入海, 受纳水体, 类型, 二级分类, 整治方式, 整治进展, 黑臭, (lon, lat))
LEDGER = [
    ("海口镇雨洪排口", "入海", "福清湾", "城镇雨洪排口", None, None, "排查", "否", SEA),
    ("三山镇沟渠排口", "入海", "兴化湾", "其他排口", None, None, "查", "是", (119.50, 25.55)),
    ("龙江街道企业排口", "入河", "龙江", "工业排污口", "工业企业排污口", None, "测", "否", RIVER),
    ("音西街道养殖场排口", None, "龙江支流", "农业排口", "规模化畜禽养殖排污口", None, "溯", None, (119.36, 25.73)),
    ("东瀚镇码头排口", "入海", "海坛海峡", "其他排口", "港口码头", "规范整治", "整治", "否", (119.62, 25.50)),
    ("东张镇水库养殖排口", "入河", "东张水库", "其他排口", "规模以下畜禽养殖排污口", "依法取缔", "治", "否", (119.23, 25.70)),
    ("海口镇私设暗管", "入海", "福清湾", "工业排污口", None, None, "已取缔", "否", SEA),
    ("江阴镇污水厂排口", "入海", "兴化湾", "城镇污水处理厂排污口", None, "规范整治", "销号", "否", (119.31, 25.47)),
    ("龙田镇疑似排口", "入海", "福清湾", "其他排口", None, None, "非排污口", None, (119.47, 25.62)),
    ("镜洋镇农村散排口", "入河", "湖库", "其他", "农村生活污水散排口", None, "已监测", "否", (119.42, 25.76)),
]
TOWNS = ["海口镇", "三山镇", "龙江街道", "音西街道", "东瀚镇", "东张镇", "海口镇", "江阴镇", "龙田镇", "镜洋镇"]


def ledger_rows(ledger=LEDGER) -> list[list]:
    rows = [HEADERS]
    for i, ((name, into, water, otype, sub, method, status, odour, (lon, lat)), town) in enumerate(
            zip(ledger, TOWNS), start=1):
        rows.append([i, name, f"FJ-{i:04d}", town, into, water, otype, sub, method, status, f"{town}人民政府", odour,
                     lon, lat])
    return rows


def plan_of(data: bytes, name: str = "台账.xlsx", existing=None):
    return prepare_import(data, name, kind="outfalls", crs=CrsChoice.parse("wgs84"), existing=existing or {})


def test_a_town_ledger_imports_with_no_error():
    plan = plan_of(xlsx_bytes(ledger_rows()))
    assert plan.errors == [], [(p.row, p.code, p.message_zh) for p in plan.errors]
    got = {c.site.name: c.site for c in plan.candidates}
    assert len(got) == len(LEDGER)
    expect = {  # name -> (status, 入河/入海, water, first level, second level, method)
        "海口镇雨洪排口": ("surveyed", "sea", "fuqing_bay", "other", "urban_storm", None),
        "三山镇沟渠排口": ("surveyed", "sea", "xinghua_bay", "other", None, None),
        "龙江街道企业排口": ("monitored", "river", "longjiang_main", "industrial", "enterprise", None),
        "音西街道养殖场排口": ("traced", "river", "longjiang_tributary", "agricultural", "livestock", None),
        "东瀚镇码头排口": ("remediating", "sea", "haitan_strait", "other", "port", "standardise"),
        "东张镇水库养殖排口": ("remediating", "river", "lake", "other", "small_livestock", "ban"),
        "海口镇私设暗管": ("remediated", "sea", "fuqing_bay", "industrial", None, "ban"),
        "江阴镇污水厂排口": ("closed", "sea", "xinghua_bay", "municipal_wwtp", None, "standardise"),
        "龙田镇疑似排口": ("dismissed", "sea", "fuqing_bay", "other", None, None),
        "镜洋镇农村散排口": ("monitored", "river", "lake", "other", "rural_scattered", None),
    }
    for name, (status, into, water, otype, sub, method) in expect.items():
        s = got[name]
        assert (s.status, s.attrs["discharge_into"], s.attrs["receiving_water"], s.attrs["outfall_type"],
                s.attrs["outfall_subtype"], s.attrs["remediation_method"]) == (status, into, water, otype, sub, method), name
    assert got["龙田镇疑似排口"].attrs["dismissal_reason"] == "not_outfall"
    assert got["东张镇水库养殖排口"].attrs["water_body_name"] is None  # the name 东张水库 read as 湖库
    assert got["海口镇雨洪排口"].attrs["outfall_code"] == "FJ-0001" and got["海口镇雨洪排口"].site_id.startswith("PWK-")
    assert got["三山镇沟渠排口"].attrs["black_odour_seen"] is True


def test_what_was_read_with_a_guess_says_so():
    plan = plan_of(csv_bytes(ledger_rows(), "gbk"), "台账.csv")
    warnings = {(p.row, p.code) for p in plan.warnings}
    # 整治 / 治 alone: read as the remediation step, and the warning says how to write a finished one.
    read_as = [p for p in plan.warnings if p.code == "status.read_as"]
    assert {p.row for p in read_as} == {6, 7}
    assert all("整治中" in p.message_zh and "整治完成" in p.fix_zh for p in read_as)
    assert (9, "outfall.closure_record_missing") in warnings  # 销号 without the record
    assert (10, "outfall.dismissal_reason_missing") in warnings  # 非排污口: the reason is known, the grounds not
    assert all(p.severity == "warning" for p in plan.problems)


def test_an_outfall_goes_from_survey_to_removal():
    stored = Site(kind="outfalls", site_id="PWK-T01", name="海口镇私设暗管", town_code="350181103", status="surveyed",
                  version=2, geometry=Point(*SEA), deadline="2025-12-31",
                  attrs={"discharge_into": "sea", "receiving_water": "fuqing_bay", "outfall_type": "industrial",
                         "outfall_subtype": "enterprise"})
    for word, status in (("取缔", "remediating"), ("已取缔", "remediated")):
        rows = [["编号", "排污口名称", "整治进展"], ["PWK-T01", "海口镇私设暗管", word]]
        plan = plan_of(csv_bytes(rows), "a.csv", existing={"PWK-T01": stored})
        assert plan.errors == []
        (c,) = plan.candidates
        assert c.action == "update" and c.site.status == status and c.site.attrs["remediation_method"] == "ban"
        assert c.changes["status"][0] == "已排查"


def test_a_new_first_level_clears_a_second_level_that_no_longer_fits():
    stored = Site(kind="outfalls", site_id="PWK-T01", name="x", town_code="350181103", status="traced", version=1,
                  geometry=Point(*SEA), attrs={"discharge_into": "sea", "receiving_water": "fuqing_bay",
                                               "outfall_type": "other", "outfall_subtype": "urban_storm"})
    rows = [["编号", "排污口类型"], ["PWK-T01", "工业排污口"]]
    plan = plan_of(csv_bytes(rows), "a.csv", existing={"PWK-T01": stored})
    assert plan.errors == []
    (c,) = plan.candidates
    assert (c.site.attrs["outfall_type"], c.site.attrs["outfall_subtype"]) == ("industrial", None)
    assert [p.code for p in plan.warnings if p.row is not None] == ["field.dependent_cleared"]


def _one(**cells):
    row = dict(zip(HEADERS, ledger_rows()[1]))
    row.update(cells)
    headers = list(row)
    return [headers, [row[h] for h in headers]]


REFUSALS = [
    ("river water on an 入海 row", dict(受纳水体="龙江干流"), "field.dependent_mismatch", "受纳水体"),
    ("second level under another first level", dict(排污口类型="工业排污口", 二级分类="城镇雨洪排口"),
     "field.dependent_mismatch", "二级分类"),
    ("status and method disagree", dict(整治进展="已取缔", 整治方式="规范整治"), "status.implies_conflict", "整治进展/整治方式"),
    ("closed with black odour", dict(整治进展="销号", 是否黑臭="是"), "outfall.closed_with_black_odour", "是否黑臭"),
    ("unknown step", dict(整治进展="整顿"), "status.unknown", "整治进展"),
    ("unknown class", dict(排污口类型="其它类"), "field.bad_choice", "排污口类型"),
    ("unknown water", dict(受纳水体="太平洋"), "field.bad_choice", "受纳水体"),
    ("a photo cannot come from a ledger", {"标志牌照片": "IMG_001.jpg"}, "field.bad_photo", "标志牌照片"),
]


@pytest.mark.parametrize("label, cells, code, column", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_row_level_refusals(label, cells, code, column):
    plan = plan_of(csv_bytes(_one(**cells)), "a.csv")
    assert plan.candidates == []
    (p,) = [p for p in plan.errors]
    assert (p.row, p.code, p.column) == (2, code, column)
    assert p.message_zh and p.fix_zh and p.message_en and p.fix_en
