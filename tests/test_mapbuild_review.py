"""Map colouring by another key than status, its legend, and the device lines of a selected site."""

from __future__ import annotations

import json

import pytest

from shapely.geometry import Point

from geo.map.build import (
    DeviceFix,
    MapAssets,
    build_base_map,
    category_legend,
    evidence_layer_group,
    legend_data,
    render_standalone_html,
    site_layer_group,
    site_layer_groups,
)
from geo.map.sitelayer import SiteLayer, decode_sites
from layers import REGISTRY
from tests.review_factories import site

ASSETS = MapAssets("../onemap_leaflet/leaflet.js", "../onemap_leaflet/leaflet.css", "../onemap_base/")
SPEC = REGISTRY["outfalls"]


def js(text: str) -> str:
    """How jinja's tojson writes a string inside the page."""
    return json.dumps(text)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _layer(group) -> SiteLayer:
    return next(c for c in group._children.values() if isinstance(c, SiteLayer))


def _data(group) -> list[dict]:
    """The group's sites as the browser decodes them."""
    return decode_sites(_layer(group).payload)


def _sites():
    return [site("outfalls", 1, "surveyed", discharge_into="sea", receiving_water="fuqing_bay", outfall_type="port"),
            site("outfalls", 2, "remediated", discharge_into="sea", receiving_water="fuqing_bay", outfall_type="port", geometry=Point(119.48, 25.66))]


def test_default_colours_by_status_unchanged():
    group = site_layer_group(SPEC, _sites())
    assert "ck" not in _layer(group).data  # no colour key: coloured by status
    colors = {s.code: s.color for s in SPEC.statuses}
    assert [(f["s"], f["color"]) for f in _data(group)] == [("surveyed", colors["surveyed"]),
                                                            ("remediated", colors["remediated"])]
    assert dict(zip(_layer(group).data["st"], _layer(group).data["col"])) == colors


def test_colour_key_mapping_and_callable():
    colors = {"overdue": "#b2182b", "done": "#1a9850"}
    by_map = site_layer_group(SPEC, _sites(), colors=colors, color_key={"PWK-001": "overdue", "PWK-002": "done"})
    by_fn = site_layer_group(SPEC, _sites(), colors=colors, color_key=lambda s: "done" if s.status == "remediated"
                             else "overdue")
    for group in (by_map, by_fn):
        assert [(f["c"], f["color"], f["s"]) for f in _data(group)] == [("overdue", "#b2182b", "surveyed"),
                                                                     ("done", "#1a9850", "remediated")]
        assert dict(zip(_layer(group).data["ck"], _layer(group).data["col"])) == colors
    groups = site_layer_groups({"outfalls": _sites()}, colors=colors, color_key={"PWK-001": "overdue"})
    html = render_standalone_html(build_base_map(ASSETS), groups)
    assert _layer(groups[0]).payload in html and "#b2182b" in html
    # A site the key does not name gets the empty key, which has no colour: grey.
    assert [(f["c"], f["color"]) for f in _data(groups[0])] == [("overdue", "#b2182b"), ("", "#777777")]


def test_category_legend_replaces_the_status_legend():
    legend = category_legend("图例", [("已逾期", "#b2182b"), ("<b>完成</b>", "#1a9850")], badge="示例数据",
                             heading="按逾期")
    html = build_base_map(ASSETS, legend=legend).get_root().render()
    assert js("<b>完成</b>") in html and "<b>" not in html  # labels go in as text
    assert js("已逾期") in html and js(SPEC.statuses[0].zh) not in html
    assert legend_data("zh", title="图例", badge=None)["kinds"][0]["statuses"]  # default legend still there


def test_device_lines_start_at_the_site_and_escape_their_text():
    park = site("parks", 1, "building")  # square 119.30–119.31, 25.48–25.49
    fixes = [DeviceFix(119.32, 25.485, "#d73027", "<img src=x onerror=alert(1)> 巡查员"),
             DeviceFix(119.305, 25.485, "#1a9850", "inside")]
    group = evidence_layer_group(park, fixes, name="设备位置")
    items = next(iter(group._children.values())).args[0]
    assert (items[0]["slon"], items[0]["slat"]) == (119.31, 25.485)  # nearest point of the park's edge
    assert (items[1]["slon"], items[1]["slat"]) == (119.305, 25.485)  # inside: zero-length line
    assert "<img" not in items[0]["text"] and "&lt;img" in items[0]["text"]
    html = render_standalone_html(build_base_map(ASSETS), [group])
    assert "<img src=x" not in html
    json.dumps(items)


def test_reference_areas_and_the_uncovered_part_are_drawn_under_the_sites():
    from shapely.geometry import box

    from geo.domain.coverage import ReferenceAreas
    from geo.domain.fuel import uncovered_area
    from geo.map.build import UNCOVERED_COLOR, add_reference_areas, reference_legend_entry
    from layers.reference import REFERENCE_AREAS

    ref = ReferenceAreas(areas={"built_up_area": box(119.30, 25.70, 119.32, 25.72),
                                "near_suburbs": box(119.32, 25.70, 119.34, 25.72)})
    zones = [site("clean_fuel_zones", 1, "enforced", geometry=box(119.30, 25.70, 119.33, 25.72)),
             site("clean_fuel_zones", 2, "announced", geometry=box(119.33, 25.70, 119.34, 25.72))]
    left = uncovered_area(zones, ref)
    assert left.bounds[0] == pytest.approx(119.33, abs=1e-6) and left.bounds[2] == pytest.approx(119.34, abs=1e-6)
    assert uncovered_area(zones, ReferenceAreas(areas={"built_up_area": box(119.30, 25.70, 119.32, 25.72)})) is None
    m = build_base_map(ASSETS)
    areas = [(REFERENCE_AREAS[k].color, g) for k, g in ref.areas.items()]
    group = add_reference_areas(m, areas, left, name="参考范围", frame="gcj02")
    data = next(iter(group._children.values())).args[0]
    assert [f["properties"]["uncovered"] for f in data["features"]] == [False, False, True]
    assert data["features"][2]["properties"]["color"] == UNCOVERED_COLOR
    x0 = min(x for x, _ in data["features"][0]["geometry"]["coordinates"][0])
    assert x0 != 119.30 and abs(x0 - 119.30) < 0.01  # shifted for the Gaode basemap, for display only
    html = m.get_root().render()
    assert "OneMap.referenceAreas(" in html
    assert add_reference_areas(build_base_map(ASSETS), [], None) is None
    entry = reference_legend_entry("参考范围", [("城市建成区", REFERENCE_AREAS["built_up_area"].color)])
    assert entry["geometry"] == "polygon" and entry["statuses"][0]["label"] == "城市建成区"
