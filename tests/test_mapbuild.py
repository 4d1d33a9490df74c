"""The map HTML: no CDN, names escaped, every kind drawn by status colour, few bytes per site."""

from __future__ import annotations

import json
import re

import pytest
from shapely.geometry import Point

from geo.map.build import Label, MapAssets, build_base_map, render_standalone_html, site_layer_groups
from geo.map.sitelayer import decode_sites, encode_sites, payload_json
from geo.store import Site
from layers import REGISTRY

ASSETS = MapAssets("../onemap_leaflet/leaflet.js", "../onemap_leaflet/leaflet.css", "../onemap_base/")
NASTY = ["<img src=x onerror=alert(1)>", "${document.title=1}", "</script><script>alert(2)</script>", "a\"b'c&d"]


def site(name: str, i: int = 0, kind: str = "outfalls", status: str = "surveyed") -> Site:
    return Site(kind=kind, site_id=f"PWK-{i:03d}", name=name, town_code="350181103", status=status, version=0,
                geometry=Point(119.4 + i * 0.001234567891, 25.6))


def rendered(sites, **kw) -> str:
    m = build_base_map(ASSETS, labels=[Label(119.4, 25.7, "<b>海口镇</b>")], attribution="© <OSM>", **kw)
    return render_standalone_html(m, site_layer_groups({"outfalls": sites}))


def test_no_request_leaves_for_a_cdn():
    html = rendered([site("排口")])
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
    assert urls and all(not u.startswith(("http:", "https:", "//")) for u in urls), urls
    for host in ("jsdelivr", "cdnjs", "jquery.com", "bootstrapcdn", "unpkg", "openstreetmap.org/{"):
        assert host not in html


@pytest.mark.parametrize("name", NASTY)
def test_names_are_escaped_before_any_tooltip(name):
    shown = decode_sites(encode_sites("outfalls", [site(name)], statuses={}))[0]["n"]  # what a tooltip gets
    assert "<" not in shown and ">" not in shown
    html = rendered([site(name)])
    if any(c in name for c in "<>&\"'"):
        assert name not in html  # raw never appears, neither in data nor in markup
    assert "<script>alert(2)" not in html
    assert "`" not in html  # no template literal in which ${...} could be evaluated


def js(text: str) -> str:
    """How jinja's tojson writes a string inside the page."""
    return json.dumps(text)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def test_labels_and_attribution_go_in_as_text_not_markup():
    html = rendered([site("x")])
    assert "<b>海口镇</b>" not in html and "<OSM>" not in html
    assert js("<b>海口镇</b>") in html and js("© &lt;OSM&gt;") in html
    assert "el.textContent = l.text" in html


def test_every_status_has_its_colour_in_the_layer():
    html = rendered([site("x")])
    for s in REGISTRY["outfalls"].statuses:
        assert s.color in html


def test_features_are_trimmed_and_rounded():
    payload = encode_sites("outfalls", [site("排口", i=7)], statuses={})
    (f,) = decode_sites(payload)
    assert {"id", "k", "s", "n"} <= set(f)  # what a click reports: id, kind, status, name
    assert f["geometry"].x == round(f["geometry"].x, 5)  # quantised to 1e-5°
    assert len(payload_json(payload).encode()) < 200


def test_sample_badge_only_when_asked():
    assert js("示例数据") in rendered([site("x")], sample_badge="示例数据")
    assert js("示例数据") not in rendered([site("x")])


def test_sites_travel_as_one_compact_layer_per_kind():
    html = rendered([site("排口", i) for i in range(3)])
    assert html.count("L.onemapSites(") == 1
    assert '"ids":[["PWK-",3,3,"ACC"]]' in html  # PWK-000, PWK-001, PWK-002: one run of steps 0, 1, 1


def test_layer_group_names_count_sites():
    groups = site_layer_groups({"outfalls": [site("a", 1), site("b", 2)], "parks": []}, lang="en")
    assert [g.layer_name for g in groups] == ["Industrial parks (0)", "Sewage outfalls into rivers and the sea (2)"]


@pytest.mark.parametrize("text", ["<b>plain</b>\n", "no newline", "two\n\n", "", "{ not } a template", "a {{ 1 + 1 }} b",
                                  "{% if true %}x{% endif %}\n", "{# comment #}y"])
def test_templates_render_as_jinja_does_without_compiling_plain_text(text):
    import jinja2

    from geo.map import templates

    made = templates.cached_template(text)
    assert made.render(this=None, kwargs={}) == jinja2.Template(text).render(this=None, kwargs={})
    assert isinstance(made, templates.Literal) == ("{{" not in text and "{%" not in text and "{#" not in text)
    if not isinstance(made, templates.Literal):
        assert templates.cached_template(text) is made  # compiled once
