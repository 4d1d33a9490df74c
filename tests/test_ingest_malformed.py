"""One table of malformed ledgers: each ends in a specific problem code or a documented normalisation.

Never a traceback, never a silent wrong value: a case expecting a problem
also checks the row did not slip into the import; a case expecting a
normalisation checks the exact value that comes out (and the warning that
says so, where there is one).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon

from geo.ingest import CrsChoice, prepare_import
from tests.hostile_factories import kml_entities, kmz_of, xlsx_with_doctype
from tests.ingest_factories import (LAT, LON, OUTFALL_HEADERS, OUTFALL_ROW, PARK_POLY, csv_bytes, feature,
                                    geojson_bytes, kml_bytes, outfall_props, outfall_rows, park_props,
                                    shapefile_members, stored_outfall, xlsx_bytes, zip_bytes)

EXISTING = {"PWK-T01": stored_outfall()}
GK40 = Transformer.from_crs("EPSG:4326", "EPSG:4528", always_xy=True)  # zone-prefixed eastings
E, N = GK40.transform(LON, LAT)


@dataclass
class Code:
    """Expect a problem ``code`` (on ``row``; ``row=None``: the whole file)."""

    code: str
    row: int | None = 2
    severity: str = "error"


@dataclass
class Norm:
    """Expect the rows to be accepted and ``check(plan)`` to hold; ``note``: a warning code that must say so."""

    check: Callable[[Any], None]
    note: str | None = None


def _site(plan, row: int | None = None):
    if row is None:
        row = 2 if plan.table.format in ("csv", "xlsx") else 1
    found = [c for c in plan.candidates if c.row == row]
    assert found, f"row {row} not accepted: {[(p.row, p.code, p.message_en) for p in plan.problems]}"
    return found[0].site


def _lonlat(plan, row=None):
    g = _site(plan, row).geometry
    return g.x, g.y


def near(lon, lat, tol=1e-4):
    def check(plan):
        x, y = _lonlat(plan)
        assert abs(x - lon) < tol and abs(y - lat) < tol, (x, y)
    return check


DMS_LON = 119 + 27 / 60 + 0 / 3600  # 119°27′00″ = 119.45
DMS_CHECK = near(119.45, LAT)


def _row(**over) -> bytes:
    return csv_bytes(outfall_rows(over))


def _xlsx(**over) -> bytes:
    return xlsx_bytes(outfall_rows(over))


def _nested_zip() -> bytes:
    return zip_bytes({"outfalls.zip": zip_bytes({"a.txt": b"x"})})


def _bomb_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("outfalls.dbf", b"\0" * (20 * 1024 * 1024))
    return buf.getvalue()


def _slip_zip() -> bytes:
    return zip_bytes({"../../evil.shp": b"x", "evil.shx": b"x", "evil.dbf": b"x"})


def _merged_xlsx() -> bytes:
    rows = outfall_rows({}, {"所属镇街": None}, {"所属镇街": None})
    return xlsx_bytes(rows, merges=["C2:C4"])


def _title_xlsx() -> bytes:
    rows = [["福清市入海排污口整治台账（2025年）"], ["填报单位：海口镇", None, "填报日期：2025-06-30"]] + outfall_rows({})
    return xlsx_bytes(rows)


def _blank_rows_xlsx() -> bytes:
    rows = outfall_rows({}, {})
    rows.insert(2, [None] * len(OUTFALL_HEADERS))
    rows.insert(2, [""] * len(OUTFALL_HEADERS))
    return xlsx_bytes(rows)


def _formula_xlsx() -> bytes:
    return xlsx_bytes(outfall_rows({"名称": '=CONCATENATE("福清","排口")'}))


def _deadline_xlsx(value) -> bytes:
    rows = outfall_rows({})
    rows[0].append("完成时限")
    rows[1].append(value)
    return xlsx_bytes(rows)


def _gbk_shp(cpg: str | None) -> bytes:
    rec = {"编号": "PWK-101", "名称": "福清湾测试排口", "所属镇街": "海口镇", "状态": "已排查", "所在海湾": "福清湾",
           "排污口类型": "工业排污口"}
    return zip_bytes(shapefile_members([rec], [Point(LON, LAT)], encoding="CP936", cpg=cpg))


def _deep_json() -> bytes:
    return ("{" + '"a":[' * 200 + "1" + "]" * 200 + "}").encode()


def _doctype_kml() -> bytes:
    doctype = '<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    return kml_bytes([("x", {"编号": "PWK-101"}, "<Point><coordinates>119.45,25.68</coordinates></Point>")],
                     doctype=doctype)


def _dup_rows() -> bytes:
    rows = outfall_rows({}, {}, {})
    rows[3][0] = rows[1][0]
    return csv_bytes(rows)


def _other_kind_row() -> bytes:
    rows = outfall_rows({}, {})
    rows[0].append("点位类型")
    rows[1].append("入海排污口")
    rows[2].append("工业园区")
    return csv_bytes(rows)


def _no_bay_column() -> bytes:
    rows = outfall_rows({})
    i = rows[0].index("所在海湾")
    return csv_bytes([r[:i] + r[i + 1:] for r in rows])


def _gk_rows(x, y) -> bytes:
    rows = outfall_rows({})
    rows[0][-2:] = ["X坐标", "Y坐标"]
    rows[1][-2:] = [x, y]
    return csv_bytes(rows)


def _pair_rows(text: str) -> bytes:
    rows = outfall_rows({})
    rows[0] = rows[0][:-2] + ["经纬度"]
    rows[1] = rows[1][:-2] + [text]
    return csv_bytes(rows)


def _gcj_header(crs_header: str) -> bytes:
    rows = outfall_rows({})
    rows[0][-2:] = [f"经度（{crs_header}）", f"纬度（{crs_header}）"]
    return csv_bytes(rows)


def _berth_rows(tonnage) -> bytes:
    return csv_bytes([["编号", "名称", "所属镇街", "状态", "港区", "泊位号", "泊位类型", "吨级", "危险货物泊位", "经度", "纬度"],
                      ["AD-101", "测试泊位", "江阴镇", "在建", "江阴港区", "3#", "集装箱", tonnage, "×", "119.27", "25.455"]])


def _river_rows() -> bytes:
    return csv_bytes([["编号", "名称", "所属镇街", "水体类别", "黑臭程度", "长度（km）", "几何（WKT）"],
                      ["HC-101", "河", "玉屏街道", "城市建成区", "无", "—", "LINESTRING (119.37 25.72, 119.38 25.725)"]])


def _park_geojson(geom, **props) -> bytes:
    return geojson_bytes([feature(geom, **park_props(**props))])


def _outfall_geojson(geom) -> bytes:
    return geojson_bytes([feature(geom, **outfall_props())])


def _nan_geojson() -> bytes:
    text = '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"编号":"PWK-101","名称":"x",' \
           '"所属镇街":"海口镇","所在海湾":"福清湾","排污口类型":"工业排污口"},"geometry":{"type":"Point",' \
           '"coordinates":[NaN, 25.68]}}]}'
    return text.encode()


def _gk_prj_shp() -> bytes:
    rec = {"编号": "PWK-101", "名称": "x", "所属镇街": "海口镇", "所在海湾": "福清湾", "排污口类型": "工业排污口"}
    return zip_bytes(shapefile_members([rec], [Point(E, N)], encoding="UTF-8", cpg="UTF-8", crs="EPSG:4528"))


def _attr(name, value):
    def check(plan):
        assert _site(plan).attrs.get(name) == value, _site(plan).attrs
    return check


def _field(name, value):
    def check(plan):
        assert getattr(_site(plan), name) == value, getattr(_site(plan), name)
    return check


def _codes(plan):
    return {(p.code, p.row) for p in plan.problems}


def _both_duplicates(plan):
    rows = {p.row for p in plan.problems if p.code == "site_id.duplicate_in_file"}
    assert rows == {2, 4}, rows
    assert [c.row for c in plan.candidates] == [3]


def _merged(plan):
    assert [c.site.town_code for c in plan.candidates] == ["350181103"] * 3
    assert any(p.code == "xlsx.merged_filled" for p in plan.problems)


def _title(plan):
    assert plan.table.header_row == 3
    assert [c.row for c in plan.candidates] == [4]


def _blank(plan):
    assert [c.row for c in plan.candidates] == [2, 5]


def _towns(plan):
    assert [c.site.town_code for c in plan.candidates] == ["350181103", "350181103", "350181002", "350181002"]


CASES = [
    # -- encodings -------------------------------------------------------------
    ("gbk-csv-without-bom", lambda: csv_bytes(outfall_rows({}), "gbk"), "a.csv", "outfalls", "wgs84",
     Norm(_field("name", "福清湾测试排口"), note="encoding.gbk")),
    ("gb18030-only-character", lambda: csv_bytes(outfall_rows({"名称": "䶮排口"}), "gb18030"), "a.csv", "outfalls",
     "wgs84", Norm(_field("name", "䶮排口"))),
    ("undecodable-bytes", lambda: csv_bytes(outfall_rows({})) + b"\xff\xfe\xfa\x80\x81", "a.csv", "outfalls", "wgs84",
     Code("encoding.unknown", None)),
    ("utf8-bom-and-spaced-headers", lambda: b"\xef\xbb\xbf" + csv_bytes(
        [[" 编号", "名　称 ", "所属镇街*", "状态", " 所在海湾", "排污口类型", "经度（WGS84）", "纬度"], OUTFALL_ROW]),
     "a.csv", "outfalls", "wgs84", Norm(_field("name", "福清湾测试排口"))),
    ("utf16-tab-text", lambda: b"\xff\xfe" + csv_bytes(outfall_rows({}), delimiter="\t").decode().encode("utf-16-le"),
     "a.txt", "outfalls", "wgs84", Norm(_field("site_id", "PWK-101"))),
    ("gbk-shapefile-without-cpg", lambda: _gbk_shp(None), "a.zip", "outfalls", "wgs84",
     Norm(_field("name", "福清湾测试排口"), note="shp.gbk_detected")),
    ("shapefile-cpg-says-utf8-but-gbk", lambda: _gbk_shp("UTF-8"), "a.zip", "outfalls", "wgs84",
     Norm(_field("name", "福清湾测试排口"), note="shp.cpg_wrong")),
    ("shapefile-cpg-latin1-over-gbk", lambda: _gbk_shp("ISO-8859-1"), "a.zip", "outfalls", "wgs84",
     Norm(_field("name", "福清湾测试排口"), note="shp.cpg_wrong")),
    # -- coordinates -----------------------------------------------------------
    ("dms-symbols", lambda: _row(经度="119°27′00″E", 纬度="25°40′48″N"), "a.csv", "outfalls", "wgs84",
     Norm(near(119.45, 25.68))),
    ("dms-ascii-quotes", lambda: _row(经度="119°27'0\"", 纬度="25°40'48\""), "a.csv", "outfalls", "wgs84",
     Norm(near(119.45, 25.68))),
    ("dms-chinese", lambda: _row(经度="119度27分0秒", 纬度="25度40分48秒"), "a.csv", "outfalls", "wgs84",
     Norm(near(119.45, 25.68))),
    ("dms-spaces", lambda: _row(经度="119 27 00", 纬度="25 40 48"), "a.csv", "outfalls", "wgs84",
     Norm(near(119.45, 25.68))),
    ("dms-dotted", lambda: _row(经度="119.27.00", 纬度="25.40.48"), "a.csv", "outfalls", "wgs84",
     Norm(near(119.45, 25.68))),
    ("dms-decimal-minutes", lambda: _row(经度="119°27.0′", 纬度="25°40.8′"), "a.csv", "outfalls", "wgs84",
     Norm(near(119.45, 25.68))),
    ("dms-minutes-over-59", lambda: _row(经度="119°75′00″"), "a.csv", "outfalls", "wgs84", Code("coord.bad_dms")),
    ("full-width-digits", lambda: _row(经度="１１９．４５", 纬度="２５．６８"), "a.csv", "outfalls", "wgs84",
     Norm(near(119.45, 25.68))),
    ("chinese-comma-pair", lambda: _pair_rows("119.45，25.68"), "a.csv", "outfalls", "wgs84", Norm(near(119.45, 25.68))),
    ("swapped-lon-lat", lambda: _row(经度="25.68", 纬度="119.45"), "a.csv", "outfalls", "wgs84",
     Norm(near(119.45, 25.68), note="coord.swapped")),
    ("hemisphere-letters-decide", lambda: _row(经度="N25.68", 纬度="E119.45"), "a.csv", "outfalls", "wgs84",
     Norm(near(119.45, 25.68), note="coord.swapped")),
    ("outside-fuqing", lambda: _row(经度="118.10", 纬度="24.50"), "a.csv", "outfalls", "wgs84",
     Code("coord.outside_fuqing")),
    ("coordinate-in-words", lambda: _row(经度="东经一百一十九度"), "a.csv", "outfalls", "wgs84", Code("coord.unreadable")),
    ("one-coordinate-missing", lambda: _row(纬度=""), "a.csv", "outfalls", "wgs84", Code("coord.missing")),
    ("no-coordinates-new-site", lambda: _row(经度="", 纬度=""), "a.csv", "outfalls", "wgs84", Code("geometry.empty")),
    ("metres-given-as-wgs84", lambda: _row(经度=f"{E:.2f}", 纬度=f"{N:.2f}"), "a.csv", "outfalls", "wgs84",
     Code("coord.looks_projected")),
    ("gauss-kruger-zone-prefixed", lambda: _gk_rows(f"{N:.3f}", f"{E:.3f}"), "a.csv", "outfalls", "gk3:40",
     Norm(near(LON, LAT, 1e-7))),
    ("gauss-kruger-central-meridian", lambda: _gk_rows(f"{N:.3f}", f"{E - 40e6:.3f}"), "a.csv", "outfalls", "gk3:120",
     Norm(near(LON, LAT, 1e-7))),
    ("gauss-kruger-x-y-swapped", lambda: _gk_rows(f"{E:.3f}", f"{N:.3f}"), "a.csv", "outfalls", "gk3:40",
     Norm(near(LON, LAT, 1e-7), note="coord.swapped")),
    ("gauss-kruger-wrong-zone-prefix", lambda: _gk_rows(f"{N:.3f}", f"{E - 1e6:.3f}"), "a.csv", "outfalls", "gk3:40",
     Code("gk.zone_mismatch")),
    ("degrees-given-as-gauss-kruger", lambda: _gk_rows("25.68", "119.45"), "a.csv", "outfalls", "gk3:40",
     Code("coord.looks_geographic")),
    ("gcj-header-but-wgs84-chosen", lambda: _gcj_header("GCJ-02，高德"), "a.csv", "outfalls", "wgs84",
     Code("crs.header_conflict", None)),
    ("shapefile-prj-gk-but-wgs84-chosen", _gk_prj_shp, "a.zip", "outfalls", "wgs84", Code("crs.conflict", None)),
    ("nan-coordinate", _nan_geojson, "a.geojson", "outfalls", "wgs84", Code("geometry.not_finite", 1)),
    ("z-coordinate-dropped", lambda: _outfall_geojson({"type": "Point", "coordinates": [LON, LAT, 12.5]}),
     "a.geojson", "outfalls", "wgs84", Norm(lambda p: _check_2d(p))),
    # -- towns, statuses, ids ----------------------------------------------------
    ("unknown-town", lambda: _row(所属镇街="火星镇"), "a.csv", "outfalls", "wgs84", Code("town.unknown")),
    ("town-spelling-variants", lambda: csv_bytes(outfall_rows({"所属镇街": "海口"}, {"所属镇街": "福建省福清市 海口镇"},
                                                              {"所属镇街": "玉屏　街道"}, {"所属镇街": "玉屏街"})),
     "a.csv", "outfalls", "wgs84", Norm(_towns)),
    ("town-name-and-code-disagree", lambda: csv_bytes([OUTFALL_HEADERS + ["镇街代码"], OUTFALL_ROW + ["350181116"]]),
     "a.csv", "outfalls", "wgs84", Code("town.conflict")),
    ("unknown-status", lambda: _row(状态="差不多了"), "a.csv", "outfalls", "wgs84", Code("status.unknown")),
    ("status-synonym-done", lambda: _row(状态="已完成"), "a.csv", "outfalls", "wgs84", Norm(_field("status", "remediated"))),
    ("status-synonym-rectified", lambda: _row(状态=" 整改完成 "), "a.csv", "outfalls", "wgs84",
     Norm(_field("status", "remediated"))),
    ("status-blank-new-site", lambda: _row(状态=""), "a.csv", "outfalls", "wgs84",
     Norm(_field("status", "surveyed"), note="status.defaulted")),
    ("duplicate-ids-in-file", _dup_rows, "a.csv", "outfalls", "wgs84", Norm(_both_duplicates)),
    ("id-of-another-kind", lambda: _row(编号="YQ-001"), "a.csv", "outfalls", "wgs84", Code("site_id.other_kind")),
    ("full-width-id", lambda: _row(编号="ＰＷＫ－１０１"), "a.csv", "outfalls", "wgs84", Norm(_field("site_id", "PWK-101"))),
    ("blank-id-gets-one", lambda: _row(编号=""), "a.csv", "outfalls", "wgs84",
     Norm(_field("site_id", "PWK-001"), note="site_id.generated")),
    ("row-of-another-kind", _other_kind_row, "a.csv", "outfalls", "wgs84", Code("row.other_kind", 3)),
    # -- fields ------------------------------------------------------------------
    ("required-column-missing", _no_bay_column, "a.csv", "outfalls", "wgs84", Code("field.required")),
    ("required-cell-blank", lambda: _row(名称="　"), "a.csv", "outfalls", "wgs84", Code("field.required")),
    ("bad-choice", lambda: _row(所在海湾="太平洋"), "a.csv", "outfalls", "wgs84", Code("field.bad_choice")),
    ("choice-synonym", lambda: _row(排污口类型="养殖尾水"), "a.csv", "outfalls", "wgs84",
     Norm(_attr("outfall_type", "agricultural"))),
    ("number-with-unit-and-wan", lambda: _berth_rows("5万吨级"), "a.csv", "shore_power_berths", "wgs84",
     Norm(_attr("tonnage_t", 50000))),
    ("number-in-words", lambda: _berth_rows("很大"), "a.csv", "shore_power_berths", "wgs84", Code("field.bad_number")),
    ("dash-placeholder-in-number", lambda: _berth_rows("-"), "a.csv", "shore_power_berths", "wgs84",
     Code("field.required")),  # a required number left as "-" is missing, not zero
    ("dash-placeholder-in-optional-number", _river_rows, "a.csv", "black_odorous", "wgs84",
     Norm(lambda p: (_attr("length_km", None)(p), _attr("grade", "none")(p)))),
    ("bool-tick-cross", lambda: _berth_rows("70000"), "a.csv", "shore_power_berths", "wgs84",
     Norm(_attr("dangerous_goods", False))),
    ("formula-looking-text", lambda: _row(名称="=HYPERLINK(\"http://x\",\"点我\")"), "a.csv", "outfalls", "wgs84",
     Norm(_field("name", "=HYPERLINK(\"http://x\",\"点我\")"), note="text.formula_like")),
    ("csv-export-quote-removed", lambda: _row(名称="'=1+2"), "a.csv", "outfalls", "wgs84", Norm(_field("name", "=1+2"))),
    # -- Excel ---------------------------------------------------------------------
    ("excel-date-cell", lambda: _deadline_xlsx(dt.datetime(2025, 12, 31)), "a.xlsx", "outfalls", "wgs84",
     Norm(_field("deadline", "2025-12-31"))),
    ("excel-serial-date", lambda: _deadline_xlsx(46022), "a.xlsx", "outfalls", "wgs84",
     Norm(_field("deadline", "2025-12-31"))),
    ("chinese-date-text", lambda: _deadline_xlsx("2025年12月31日"), "a.xlsx", "outfalls", "wgs84",
     Norm(_field("deadline", "2025-12-31"))),
    ("date-in-words", lambda: _deadline_xlsx("明年年底"), "a.xlsx", "outfalls", "wgs84", Code("field.bad_date")),
    ("excel-error-value", lambda: _xlsx(名称="#N/A"), "a.xlsx", "outfalls", "wgs84", Code("cell.excel_error")),
    ("formula-without-cached-value", _formula_xlsx, "a.xlsx", "outfalls", "wgs84", Code("cell.formula_no_value")),
    ("merged-town-cells", _merged_xlsx, "a.xlsx", "outfalls", "wgs84", Norm(_merged)),
    ("title-rows-above-header", _title_xlsx, "a.xlsx", "outfalls", "wgs84", Norm(_title, note="table.title_rows_skipped")),
    ("blank-rows-between", _blank_rows_xlsx, "a.xlsx", "outfalls", "wgs84", Norm(_blank, note="table.blank_rows_skipped")),
    ("number-typed-id", lambda: _xlsx(编号=123456789012345678.0), "a.xlsx", "outfalls", "wgs84",
     Code("site_id.number_precision")),
    # -- geometry ------------------------------------------------------------------
    ("self-intersecting-polygon", lambda: _park_geojson(Polygon([(119.30, 25.48), (119.31, 25.49), (119.31, 25.48),
                                                                 (119.30, 25.49)])),
     "a.geojson", "parks", "wgs84", Code("geometry.invalid", 1)),
    ("null-geometry", lambda: _park_geojson(None), "a.geojson", "parks", "wgs84", Code("geometry.empty", 1)),
    ("ring-too-short", lambda: _park_geojson({"type": "Polygon", "coordinates": [[[119.3, 25.48], [119.31, 25.48]]]}),
     "a.geojson", "parks", "wgs84", Code("geometry.unreadable", 1)),
    ("line-for-a-point-kind", lambda: _outfall_geojson(LineString([(LON, LAT), (LON + 0.01, LAT)])), "a.geojson",
     "outfalls", "wgs84", Code("geometry.wrong_type", 1)),
    ("point-in-table-for-new-polygon", lambda: csv_bytes(
        [["编号", "名称", "所属镇街", "园区级别", "经度", "纬度"], ["YQ-101", "园区", "江阴镇", "省级", "119.305", "25.485"]]),
     "a.csv", "parks", "wgs84", Code("geometry.needs_shape")),
    ("geojson-latitude-first", lambda: _park_geojson(Polygon([(y, x) for x, y in PARK_POLY.exterior.coords])),
     "a.geojson", "parks", "wgs84", Norm(lambda p: _same_park(p), note="coord.swapped")),
    # -- the file as a whole -----------------------------------------------------------
    ("empty-file", lambda: b"", "a.csv", "outfalls", "wgs84", Code("file.empty", None)),
    ("old-xls", lambda: b"\xd0\xcf\x11\xe0", "a.xls", "outfalls", "wgs84", Code("format.unsupported", None)),
    ("xlsx-that-is-text", lambda: b"not a workbook", "a.xlsx", "outfalls", "wgs84", Code("format.mismatch", None)),
    ("zip-slip", _slip_zip, "a.zip", "outfalls", "wgs84", Code("zip.unsafe_name", None)),
    ("nested-archive", _nested_zip, "a.zip", "outfalls", "wgs84", Code("zip.nested", None)),
    ("zip-bomb", _bomb_zip, "a.zip", "outfalls", "wgs84", Code("zip.bomb", None)),
    ("deep-json", _deep_json, "a.geojson", "outfalls", "wgs84", Code("json.too_deep", None)),
    ("kml-entities", _doctype_kml, "a.kml", "outfalls", "wgs84", Code("kml.doctype", None)),
    # The same entities in every encoding a parser may meet, with and without a byte-order mark: a byte
    # search for "<!doctype" missed UTF-16, and the entities were expanded into a site name.
    *[(f"kml-entities-{enc}{'' if bom else '-no-bom'}", (lambda e=enc, b=bom: kml_entities(e, bom=b)), "a.kml",
       "outfalls", "wgs84", Code("kml.doctype", None))
      for enc in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be") for bom in (True, False)],
    ("kmz-entities-utf16", lambda: kmz_of(kml_entities("utf-16-le")), "a.kmz", "outfalls", "wgs84",
     Code("kml.doctype", None)),
    ("xlsx-part-with-entities", xlsx_with_doctype, "a.xlsx", "outfalls", "wgs84", Code("xlsx.doctype", None)),
    ("broken-json", lambda: b'{"type": "FeatureCollection", "features": [', "a.geojson", "outfalls", "wgs84",
     Code("json.invalid", None)),
]


def _check_2d(plan):
    g = _site(plan, 1).geometry
    assert not g.has_z and (g.x, g.y) == (LON, LAT)


def _same_park(plan):
    g = _site(plan, 1).geometry
    assert g.geom_type == "MultiPolygon" and g.equals(PARK_POLY)


def test_the_table_has_at_least_thirty_cases():
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case_id, make, name, kind, crs, expect", CASES, ids=[c[0] for c in CASES])
def test_malformed_input(case_id, make, name, kind, crs, expect):
    plan = prepare_import(make(), name, kind=kind, crs=CrsChoice.parse(crs), existing=EXISTING)
    found = [(p.code, p.row, p.severity) for p in plan.problems]
    for p in plan.problems:  # every problem speaks both languages and says where it is
        assert p.message_zh and p.message_en and p.code
    if isinstance(expect, Code):
        assert (expect.code, expect.row, expect.severity) in found, found
        if expect.row is None:
            assert not plan.candidates, "a file-level error must keep every row out"
        else:
            assert expect.row not in [c.row for c in plan.candidates], "the row slipped into the import"
            p = next(p for p in plan.problems if p.code == expect.code and p.row == expect.row)
            assert p.fix_zh and p.fix_en, f"{expect.code} must say how to fix it"
    else:
        errors = [f for f in found if f[2] == "error"]
        if case_id != "duplicate-ids-in-file":
            assert not errors, errors
        expect.check(plan)
        if expect.note:
            assert any(code == expect.note for code, _, sev in found if sev == "warning"), found
