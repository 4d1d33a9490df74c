"""The compact site layer: what goes to the browser decodes to the sites as displayed, small and script-safe."""

from __future__ import annotations

import html
import json
import math
import re

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon

from geo.map import sitelayer
from geo.crs import wgs84_to_gcj02
from geo.map.display import geometry_to_display
from geo.map.build import MapAssets, build_base_map, render_standalone_html, site_layer_group, site_layer_groups
from geo.map.scripts import STATIC_DIR, js_files
from geo.map.sitelayer import (
    ALPHABET,
    CONTINUATION,
    PAYLOAD_VERSION,
    QUANT,
    TERMINAL,
    SIMPLIFY_TOLERANCE,
    SiteLayer,
    decode_sites,
    encode_sites,
    layer_js,
    pack_ints,
    payload_json,
    unpack_ints,
)
from geo.store import Site
from layers import REGISTRY

ASSETS = MapAssets("../onemap_leaflet/leaflet.js", "../onemap_leaflet/leaflet.css", "../onemap_base/")
#: Names that would run or break out of markup if they were put in raw (as in tests/test_mapbuild.py).
NASTY = ["<img src=x onerror=alert(1)>", "${document.title=1}", "</script><script>alert(2)</script>", "a\"b'c&d",
         "\u2028line\u2029", "`backtick`", "&amp; already"]
QUANTUM = 1 / QUANT
#: Farthest a quantised vertex is from where it was (half a unit on each axis), in degrees.
HALF_DIAGONAL = QUANTUM * math.sqrt(0.5)


def _site(geometry, i: int = 1, *, kind: str = "outfalls", status: str = "surveyed", name: str | None = None,
          site_id: str | None = None) -> Site:
    return Site(kind=kind, site_id=site_id or f"S-{i:04d}", name=name if name is not None else f"点位{i}号",
                town_code="350181103", status=status, version=0, geometry=geometry)


def _statuses(kind: str) -> dict:
    return {s.code: s.color for s in REGISTRY[kind].statuses}


def _blob(lon: float, lat: float, radius_deg: float, vertices: int, seed: int) -> Polygon:
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    r = radius_deg * (1 + 0.15 * np.sin(3 * t + rng.uniform(0, 6)) + 0.05 * rng.standard_normal(vertices) * 0.2)
    return Polygon(np.column_stack([lon + r * np.cos(t), lat + r * np.sin(t) * 0.9]))


# -- integer streams ---------------------------------------------------------------------------

STREAM_CASES = [
    ([], ""),
    ([0], "A"),
    ([-1, 1], "BC"),
    ([31, -32], "-."),  # the largest one-character values
    ([32], "(D"),  # 64: a continuation digit (4) then the terminal 3
    ([11_960_000, 2_558_000, -36_000_000, 2**31 - 1, -(2**31) + 1], None),
]


@pytest.mark.parametrize("values, text", STREAM_CASES)
def test_integer_streams_round_trip(values, text):
    packed = pack_ints(values)
    if text is not None:
        assert packed == text
    assert unpack_ints(packed) == list(values)


def test_integer_streams_round_trip_at_random():
    values = np.random.default_rng(1).integers(-(10**7), 10**7, 5000)
    values[::7] = np.random.default_rng(2).integers(-100, 100, len(values[::7]))
    assert unpack_ints(pack_ints(values)) == values.tolist()


def test_stream_alphabet_is_safe_in_scripts_json_and_streamlit_folium():
    assert len(ALPHABET) == len(set(ALPHABET)) == sitelayer.TERMINAL + sitelayer.CONTINUATION
    assert all(33 <= ord(c) < 127 for c in ALPHABET)
    assert not set(ALPHABET) & set("\"'\\<>&`{}_ ")  # streamlit-folium rewrites _<name>; jinja uses {{ }}


def test_truncated_stream_is_refused():
    with pytest.raises(ValueError, match="truncated"):
        unpack_ints(pack_ints([10**6])[:-1])


# -- encoding round trip ------------------------------------------------------------------------

GEOMETRIES = [
    ("point", Point(119.401234567, 25.612345678)),
    ("multipoint", MultiPoint([(119.40, 25.60), (119.41, 25.61)])),
    ("line", LineString([(119.37, 25.72), (119.375, 25.7215), (119.38, 25.725)])),
    ("multiline", MultiLineString([[(119.37, 25.72), (119.38, 25.725)], [(119.39, 25.73), (119.395, 25.74)]])),
    ("polygon with hole", Polygon([(119.30, 25.48), (119.32, 25.48), (119.32, 25.50), (119.30, 25.50)],
                                  [[(119.305, 25.485), (119.31, 25.485), (119.31, 25.49), (119.305, 25.49)]])),
    ("multipolygon", MultiPolygon([_blob(119.5, 25.6, 0.01, 120, 1), _blob(119.55, 25.62, 0.004, 60, 2)])),
    ("blob of 400 vertices", _blob(119.45, 25.55, 0.012, 400, 3)),
    ("polygon under a metre", Polygon([(119.3, 25.5), (119.300004, 25.5), (119.300004, 25.500004)])),
    ("line under a metre", LineString([(119.3, 25.5), (119.300002, 25.500001)])),
]


@pytest.mark.parametrize("frame", ["wgs84", "gcj02"])
@pytest.mark.parametrize("label, geom", GEOMETRIES, ids=[g[0] for g in GEOMETRIES])
def test_geometry_round_trips_in_the_display_frame(label, geom, frame):
    site = _site(geom, kind="black_odorous", status="untreated")
    decoded = decode_sites(encode_sites("black_odorous", [site], statuses=_statuses("black_odorous"), frame=frame))
    assert len(decoded) == 1
    got, shown = decoded[0]["geometry"], geometry_to_display(geom, frame)
    assert got.geom_type == geom.geom_type
    assert shapely.get_num_geometries(got) == shapely.get_num_geometries(geom)
    if geom.geom_type in ("Point", "MultiPoint"):
        assert np.abs(shapely.get_coordinates(got) - shapely.get_coordinates(shown)).max() <= QUANTUM / 2 + 1e-12
    else:
        assert shapely.hausdorff_distance(got, shown) <= SIMPLIFY_TOLERANCE + HALF_DIAGONAL + 1e-12
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        rings = shapely.get_rings(got)
        assert len(rings) == len(shapely.get_rings(geom))  # no ring dropped
        assert all(len(r.coords) >= 4 for r in rings)  # at least 3 distinct vertices and the closing one
    if "Line" in geom.geom_type:
        assert all(len(p.coords) >= 2 for p in shapely.get_parts(got))
    assert site.geometry is geom  # what is stored is not touched


def test_lines_and_polygons_are_simplified_not_dropped():
    blob = _blob(119.45, 25.55, 0.012, 400, 3)
    decoded = decode_sites(encode_sites("parks", [_site(blob, kind="parks", status="building")],
                                        statuses=_statuses("parks")))
    assert len(decoded[0]["geometry"].exterior.coords) < 400
    assert decoded[0]["geometry"].is_valid
    assert shapely.get_coordinates(decoded[0]["geometry"]).size > 0


def test_polygon_rings_are_oriented_for_drawing_holes():
    hole = GEOMETRIES[4][1]
    cw = Polygon(list(hole.exterior.coords)[::-1], [list(hole.interiors[0].coords)])  # exterior clockwise, hole too
    got = decode_sites(encode_sites("parks", [_site(cw, kind="parks", status="building")],
                                    statuses=_statuses("parks")))[0]["geometry"]
    assert got.exterior.is_ccw and not got.interiors[0].is_ccw  # opposite: a nonzero fill leaves the hole empty


def test_empty_geometry_keeps_its_site():
    sites = [_site(Point(119.4, 25.6), 1), _site(Polygon(), 2), _site(None, 3)]
    decoded = decode_sites(encode_sites("outfalls", sites, statuses=_statuses("outfalls")))
    assert [d["id"] for d in decoded] == ["S-0001", "S-0002", "S-0003"]
    assert decoded[0]["geometry"].equals(Point(119.4, 25.6)) and decoded[1]["geometry"] is None


def test_frame_shift_is_applied_to_every_vertex():
    p = Point(119.45, 25.55)
    line = LineString([(119.3, 25.5), (119.35, 25.52), (119.4, 25.6)])
    sites = [_site(p, 1), _site(line, 2)]
    decoded = decode_sites(encode_sites("black_odorous", sites, statuses=_statuses("black_odorous"), frame="gcj02"))
    glon, glat = wgs84_to_gcj02(p.x, p.y)
    assert abs(decoded[0]["geometry"].x - glon) <= QUANTUM / 2 and abs(decoded[0]["geometry"].y - glat) <= QUANTUM / 2
    assert abs(decoded[0]["geometry"].x - p.x) > 0.003  # the shift is real (hundreds of metres)
    expected = np.column_stack(wgs84_to_gcj02(*np.asarray(line.coords).T))
    assert np.abs(np.asarray(decoded[1]["geometry"].coords) - expected).max() <= QUANTUM / 2 + 1e-12
    with pytest.raises(ValueError, match="gcj02"):
        encode_sites("outfalls", sites, statuses={}, frame="bd09")


# -- ids, names, statuses, colours -----------------------------------------------------------------

ID_CASES = [
    ["PWK-001", "PWK-002", "PWK-010"],
    ["PWK-B000001", "PWK-B000003", "PWK-B000002"],  # out of order: negative steps
    ["PWK-X0", "PWK-X1", "PWK-001", "abc", "", "7", "007", "S-12345678901", "站１", "点位-α-9", "A-0", "A-00"],
]


@pytest.mark.parametrize("ids", ID_CASES)
def test_ids_names_and_statuses_are_preserved(ids):
    codes = [s.code for s in REGISTRY["outfalls"].statuses]
    sites = [_site(Point(119.4 + i * 1e-3, 25.6), i, site_id=sid, status=codes[i % len(codes)], name=f"名{sid}")
             for i, sid in enumerate(ids)]
    sites.append(_site(Point(119.5, 25.6), 99, site_id="ZZ-1", status="no-such-status"))
    decoded = decode_sites(encode_sites("outfalls", sites, statuses=_statuses("outfalls")))
    assert [d["id"] for d in decoded] == [s.site_id for s in sites]
    assert [d["s"] for d in decoded] == [s.status for s in sites]
    assert [d["n"] for d in decoded] == [html.escape(s.name, quote=True) for s in sites]
    assert all(d["k"] == "outfalls" for d in decoded)
    colors = _statuses("outfalls")
    assert [d["color"] for d in decoded[:-1]] == [colors[s.status] for s in sites[:-1]]
    assert decoded[-1]["color"] == sitelayer.GREY  # a status with no colour draws grey


def test_sequential_ids_cost_about_a_byte():
    sites = [_site(Point(119.4, 25.6), i, site_id=f"PWK-B{i:06d}") for i in range(1, 2001)]
    runs = encode_sites("outfalls", sites, statuses={})["ids"]
    assert len(runs) == 1 and len(json.dumps(runs)) < 2100


@pytest.mark.parametrize("how", ["mapping", "callable"])
def test_colour_key_is_honoured(how):
    sites = [_site(Point(119.40, 25.60), 1, status="surveyed"), _site(Point(119.41, 25.61), 2, status="remediated"),
             _site(Point(119.42, 25.62), 3, status="surveyed")]
    colors = {"overdue": "#b2182b", "done": "#1a9850"}
    key = ({"S-0001": "overdue", "S-0002": "done", "S-0003": "unknown"} if how == "mapping"
           else (lambda s: {"S-0001": "overdue", "S-0002": "done"}.get(s.site_id, "unknown")))
    payload = encode_sites("outfalls", sites, statuses=_statuses("outfalls"), colors=colors, color_key=key)
    decoded = decode_sites(payload)
    assert [d["c"] for d in decoded] == ["overdue", "done", "unknown"]
    assert [d["color"] for d in decoded] == ["#b2182b", "#1a9850", sitelayer.GREY]
    assert [d["s"] for d in decoded] == ["surveyed", "remediated", "surveyed"]  # the status still travels
    assert payload["ck"][:2] == ["overdue", "done"]


def test_colours_replace_status_colours_without_a_key():
    sites = [_site(Point(119.40, 25.60), 1, status="surveyed")]
    decoded = decode_sites(encode_sites("outfalls", sites, statuses=_statuses("outfalls"),
                                        colors={"surveyed": "#123456"}))
    assert decoded[0]["color"] == "#123456" and decoded[0]["c"] == "surveyed"


# -- script safety --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NASTY)
def test_names_are_escaped_and_script_safe(name):
    payload = encode_sites("outfalls", [_site(Point(119.4, 25.6), name=name)], statuses=_statuses("outfalls"),
                           label="<b>排口</b>")
    text = payload_json(payload)
    assert not set(text) & set("<>'&`\u2028\u2029")  # nothing that ends a script, starts markup or a template
    assert "</script" not in text.lower()
    assert json.loads(text) == payload  # still plain JSON
    assert decode_sites(text)[0]["n"] == html.escape(name, quote=True)
    assert "\\u003c" in payload_json({"n": "<"})


def test_names_travel_as_a_character_table():
    names = ["海口镇排口", "海口镇雨水口", "𠀋江阴排口"]  # one character outside the BMP
    sites = [_site(Point(119.4 + i * 0.01, 25.6), i, name=n) for i, n in enumerate(names)]
    payload = encode_sites("outfalls", sites, statuses={})
    assert sorted(payload["nt"]) == sorted(set("".join(names)))  # each character once
    assert [d["n"] for d in decode_sites(payload_json(payload))] == names
    text = payload_json(payload)
    assert "\\u" not in text and "海" in text  # UTF-8 in the page
    # Streamlit sends component arguments as ASCII JSON (six bytes a Chinese character): a repeated
    # character costs its index, not its escape.
    many = [_site(Point(119.4, 25.6 + i * 1e-3), i, name=f"海口镇第{i % 10}排口") for i in range(1000)]
    wire = json.dumps(encode_sites("outfalls", many, statuses={}))
    assert len(wire.encode()) / 1000 < 25


@pytest.mark.parametrize("path", js_files(), ids=lambda p: p.name)
def test_no_js_file_has_template_literals_template_syntax_or_markup_sinks(path):
    # The code without its comments (a comment may say what the code avoids).
    js = re.sub(r"(^|\s)//\s.*$", "", path.read_text(encoding="utf-8"), flags=re.M)
    for sink in ("`", "innerHTML", "outerHTML =", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "{{", "{%"):
        assert sink not in js, f"{path.name}: {sink}"


def test_layer_js_puts_names_in_as_text():
    js = layer_js()
    assert "textContent" in js and "__onemapSites" in js


def _js_constants(js: str) -> dict:
    """``var NAME = value[, NAME = value]`` declarations whose values are numbers or single-quoted strings."""
    value = r"('[^']*'|-?[0-9][0-9.]*)"
    found = {}
    for decl in re.finditer(rf"var ((?:[A-Z_][A-Z_0-9]* = {value}(?:, )?)+);", js):
        for name, raw in re.findall(rf"([A-Z_][A-Z_0-9]*) = {value}", decl.group(1)):
            found[name] = raw[1:-1] if raw.startswith("'") else (float(raw) if "." in raw else int(raw))
    return found


def test_constants_shared_with_the_browser_are_the_same_on_both_sides():
    js = _js_constants((STATIC_DIR / "sitelayer.js").read_text(encoding="utf-8"))
    python = {"ALPHABET": ALPHABET, "TERMINAL": TERMINAL, "CONTINUATION": CONTINUATION, "VERSION": PAYLOAD_VERSION}
    assert {name: js.get(name) for name in python} == python


def test_the_constant_check_can_fail():
    drifted = "var ALPHABET = 'AB';\n  var TERMINAL = 63, CONTINUATION = 20;\n  var VERSION = 2;"
    assert _js_constants(drifted) == {"ALPHABET": "AB", "TERMINAL": 63, "CONTINUATION": 20, "VERSION": 2}


def test_rendered_page_never_carries_a_raw_name():
    sites = [_site(Point(119.4 + i * 0.01, 25.6), i, name=n) for i, n in enumerate(NASTY)]
    page = render_standalone_html(build_base_map(ASSETS), site_layer_groups({"outfalls": sites}))
    for n in NASTY:
        if any(c in n for c in "<>&\"'"):
            assert n not in page
    assert "<script>alert(2)" not in page and "`" not in page


# -- the folium side --------------------------------------------------------------------------------------


def test_groups_carry_the_script_once_and_keep_z_order():
    sites = {"parks": [_site(GEOMETRIES[4][1], 1, kind="parks", status="building")],
             "outfalls": [_site(Point(119.4, 25.6), 2)],
             "shore_power_berths": [_site(Point(119.27, 25.46), 3, kind="shore_power_berths", status="none")]}
    groups = site_layer_groups(sites, lang="zh")
    layers = [next(c for c in g._children.values() if isinstance(c, SiteLayer)) for g in groups]
    assert [layer.data["k"] for layer in layers] == ["parks", "outfalls", "shore_power_berths"]
    assert [layer.style["z_order"] for layer in layers] == sorted(layer.style["z_order"] for layer in layers)
    assert [layer.include_lib for layer in layers] == [True, False, False]
    page = render_standalone_html(build_base_map(ASSETS), groups)
    assert page.count("L.OnemapSites = Sites") == 1
    assert len(re.findall(r"L\.onemapSites\(", page)) == 3
    alone = render_standalone_html(build_base_map(ASSETS), [site_layer_group(REGISTRY["outfalls"], sites["outfalls"])])
    assert alone.count("L.OnemapSites = Sites") == 1  # a single group carries it itself


def test_group_name_counts_sites_and_is_escaped():
    group = site_layer_group(REGISTRY["outfalls"], [_site(Point(119.4, 25.6))], lang="en")
    assert group.layer_name == "Sewage outfalls into rivers and the sea (1)"


def test_cached_and_fresh_encodings_agree():
    sites = [_site(_blob(119.45 + i * 0.03, 25.55, 0.01, 200, i), i, kind="parks", status="building")
             for i in range(5)]
    sitelayer._CACHE.clear()
    cold = encode_sites("parks", sites, statuses=_statuses("parks"))
    warm = encode_sites("parks", sites, statuses=_statuses("parks"))
    reloaded = [_site(shapely.from_wkb(shapely.to_wkb(s.geometry)), i, kind="parks", status="building")
                for i, s in enumerate(sites)]
    assert cold == warm == encode_sites("parks", reloaded, statuses=_statuses("parks"))
    shifted = encode_sites("parks", sites, statuses=_statuses("parks"), frame="gcj02")
    assert shifted["xy"] != cold["xy"]  # the frame is part of what is cached


# -- size -----------------------------------------------------------------------------------------------------


def _mix(n: int, seed: int = 0) -> list[Site]:
    """A 10k-like mix when bench/synthetic.py is not there: points, lines, ponds and 50–400-vertex polygons."""
    rng = np.random.default_rng(seed)
    shares = {"outfalls": 0.55, "shore_power_berths": 0.15, "black_odorous": 0.15, "parks": 0.08,
              "clean_fuel_zones": 0.07}
    out, i = [], 0
    for kind, share in shares.items():
        codes = [s.code for s in REGISTRY[kind].statuses]
        for j in range(int(n * share)):
            i += 1
            lon, lat = rng.uniform(119.1, 119.6), rng.uniform(25.4, 25.8)
            if kind in ("outfalls", "shore_power_berths"):
                geom = Point(lon, lat)
            elif kind == "black_odorous" and j % 3:
                steps = rng.normal(0, 0.0002, (30, 2)).cumsum(axis=0) + (lon, lat)
                geom = LineString(steps)
            else:
                size = {"parks": 0.007, "clean_fuel_zones": 0.013, "black_odorous": 0.001}[kind]
                geom = _blob(lon, lat, size, int(rng.integers(50, 400)), i)
            out.append(_site(geom, i, kind=kind, status=codes[j % len(codes)], site_id=f"{kind[:3].upper()}-{j:06d}",
                             name=f"福清{j}号点位"))
    return out


def _ten_thousand() -> list:
    try:
        from bench.synthetic import synthetic_sites
    except ImportError:
        return _mix(10_000)
    return synthetic_sites(10_000, 0)


def test_payload_is_at_most_150_bytes_per_site_for_ten_thousand():
    sites = _ten_thousand()
    by_kind: dict[str, list] = {}
    for s in sites:
        by_kind.setdefault(s.kind, []).append(s)
    groups = site_layer_groups(by_kind, lang="zh")
    payload = sum(len(next(c for c in g._children.values() if isinstance(c, SiteLayer)).payload.encode())
                  for g in groups)
    page = render_standalone_html(build_base_map(ASSETS), groups)
    assert payload / len(sites) <= 140, payload / len(sites)
    assert len(page.encode()) / len(sites) <= 150, len(page.encode()) / len(sites)
    for g in groups:  # every site is there
        layer = next(c for c in g._children.values() if isinstance(c, SiteLayer))
        assert len(decode_sites(layer.payload)) == len(by_kind[layer.data["k"]])


# -- in a browser: drawing, hit testing, aggregation (a standalone page, no app) ----------------------------------


@pytest.fixture
def chromium(browser):
    """The session's Chromium (tests/conftest.py): skipped without it, required with CI=true."""
    return browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A folder served on 127.0.0.1 with Leaflet at ``leaflet/``; yields (folder, base URL)."""
    import functools
    import http.server
    import threading
    from pathlib import Path

    import xstatic.pkg.leaflet as xs_leaflet

    root = tmp_path_factory.mktemp("sitelayer-pages")
    (root / "leaflet").symlink_to(Path(xs_leaflet.__file__).resolve().parent / "data", target_is_directory=True)
    (root / "base").mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _open(chromium, served, name: str, sites_by_kind: dict, bounds):
    root, url = served
    m = build_base_map(MapAssets("leaflet/leaflet.js", "leaflet/leaflet.css", "base/"), bounds=bounds)
    (root / name).write_text(render_standalone_html(m, site_layer_groups(sites_by_kind)), encoding="utf-8")
    page = chromium.new_page(viewport={"width": 1024, "height": 768})
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url + name)
    page.wait_for_function("() => window.__onemapSites && window.__onemapSites.drawn() > 0", timeout=30000, polling=100)
    page.evaluate("""() => { window.map = Object.values(window).find(v => v instanceof L.Map);
      return new Promise(r => { const w = () => window.map._animatingZoom ? setTimeout(w, 50) : r(); w(); }); }""")
    return page


def test_browser_aggregates_many_points_at_low_zoom_and_a_tap_zooms_in(chromium, served):
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(119.1, 119.6, 6000), rng.uniform(25.4, 25.8, 6000)
    sites = [_site(Point(x, y), i, site_id=f"PWK-B{i:06d}") for i, (x, y) in enumerate(zip(lon, lat))]
    page = _open(chromium, served, "many.html", {"outfalls": sites}, (119.1, 25.4, 119.6, 25.8))
    S = "window.__onemapSites"
    zoom = page.evaluate("() => window.map.getZoom()")
    assert zoom < 13
    assert page.evaluate(f"() => {S}.drawn('outfalls')") == 6000  # every one in view, most inside aggregates
    aggs = page.evaluate(f"() => {S}.aggregates('outfalls')")
    assert 10 < len(aggs) < 1000 and sum(a["n"] for a in aggs) <= 6000
    biggest = max(aggs, key=lambda a: a["n"])
    assert page.evaluate(f"() => {S}.idAt({biggest['x']}, {biggest['y']})")["aggregate"] == biggest["n"]
    page.mouse.click(biggest["x"], biggest["y"])
    page.wait_for_function(f"() => window.map.getZoom() > {zoom} && !window.map._animatingZoom", polling=100)
    assert page.evaluate(f"() => {S}.selected()") is None  # an aggregate is not a site: nothing is selected
    page.evaluate("() => { window.map.setZoom(15, {animate: false}); }")
    assert page.evaluate(f"() => {S}.aggregates('outfalls').length") == 0  # close up: every site on its own
    assert page.errors == []
    page.close()


def test_browser_hit_testing_follows_z_order_and_a_click_reports_the_id(chromium, served):
    park = Polygon([(119.30, 25.48), (119.32, 25.48), (119.32, 25.50), (119.30, 25.50)],
                   [[(119.312, 25.482), (119.318, 25.482), (119.318, 25.488), (119.312, 25.488)]])
    sites = {
        "parks": [_site(park, 1, kind="parks", status="building", site_id="YQ-001", name="<b>园区</b> & co")],
        "black_odorous": [_site(LineString([(119.29, 25.505), (119.33, 25.505)]), 2, kind="black_odorous",
                                status="untreated", site_id="HC-001")],
        "outfalls": [_site(Point(119.305, 25.495), 3, site_id="PWK-001")],
    }
    page = _open(chromium, served, "kinds.html", sites, (119.28, 25.47, 119.34, 25.51))
    page.evaluate("() => { window.map.setView([25.492, 119.31], 15, {animate: false}); }")
    S = "window.__onemapSites"

    def pixel(lat, lon):
        return page.evaluate(f"() => {{ const p = window.map.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }}")

    def hit(lat, lon):
        x, y = pixel(lat, lon)
        h = page.evaluate(f"() => {S}.idAt({x}, {y})")
        return h and h.get("id")

    assert hit(25.495, 119.305) == "PWK-001"  # the point is drawn over the park and wins
    assert hit(25.485, 119.305) == "YQ-001"  # inside the park
    assert hit(25.485, 119.315) is None  # in the park's hole
    assert hit(25.505, 119.325) == "HC-001"  # on the line
    assert hit(25.47, 119.28) is None
    for sid in ("YQ-001", "HC-001", "PWK-001"):  # each site's own point hits it (test helpers rely on this)
        x, y = page.evaluate(f"() => {S}.pixelOf({sid!r})")
        assert page.evaluate(f"() => {S}.idAt({x}, {y})")["id"] == sid

    page.evaluate("""() => { window.__clicks = [];
      window.map.eachLayer(l => { if (l instanceof L.FeatureGroup && !(l instanceof L.GeoJSON)) {
        l.on('click', e => window.__clicks.push(e.layer.toGeoJSON().properties)); } }); }""")
    x, y = pixel(25.485, 119.305)
    page.mouse.move(x, y)
    assert page.evaluate("() => document.querySelector('.onemap-site-tip').textContent") == "<b>园区</b> & co"
    assert page.evaluate("() => document.querySelectorAll('.onemap-site-tip b').length") == 0  # text, not markup
    assert page.evaluate("() => window.map.getContainer().style.cursor") == "pointer"
    page.mouse.click(x, y)
    clicks = page.evaluate("() => window.__clicks")
    assert clicks and clicks[0]["id"] == "YQ-001" and clicks[0]["k"] == "parks" and clicks[0]["s"] == "building"
    assert clicks[0]["n"] == html.escape("<b>园区</b> & co")
    assert page.evaluate(f"() => [{S}.selected(), window.__onemapSelected.toGeoJSON().properties.id]") == ["YQ-001"] * 2

    # The layer control takes a kind off the map: it is neither counted nor hit, then comes back selected as it was.
    page.evaluate("""() => { window.__parks = null; window.map.eachLayer(l => {
      if (l instanceof L.OnemapSites && l._kind === 'parks') { window.__parksLayer = l; } });
      window.map.eachLayer(l => { if (l instanceof L.FeatureGroup && l.hasLayer(window.__parksLayer)) window.__parks = l; });
      window.map.removeLayer(window.__parks); }""")
    assert "parks" not in page.evaluate(f"() => {S}.counts()") and hit(25.485, 119.305) is None
    page.evaluate("() => window.map.addLayer(window.__parks)")
    assert hit(25.485, 119.305) == "YQ-001" and page.evaluate("() => window.__parksLayer._sel") == 0
    assert page.evaluate(f"() => {S}.feature('YQ-001').color") == REGISTRY["parks"].status("building").color
    assert page.errors == []
    page.close()


def test_browser_an_earlier_workflow_step_is_drawn_and_hit_on_top_of_later_ones(chromium, served):
    """Sites sharing a spot: the one at the earliest step of the workflow (still open) is the one seen on top and
    the one a tap opens — not whichever came last in the list, nor the closed one painted over it."""
    statuses = [s.code for s in REGISTRY["outfalls"].statuses]
    first, middle, last = statuses[0], statuses[len(statuses) // 2], statuses[-1]
    spot = Point(119.305, 25.495)
    sites = {"outfalls": [_site(spot, 1, status=last, site_id="PWK-001"),
                          _site(spot, 2, status=first, site_id="PWK-002"),
                          _site(spot, 3, status=middle, site_id="PWK-003")]}
    page = _open(chromium, served, "stacked.html", sites, (119.28, 25.47, 119.34, 25.51))
    page.evaluate("() => { window.map.setView([25.495, 119.305], 16, {animate: false}); }")
    S = "window.__onemapSites"
    x, y = page.evaluate(f"() => {S}.pixelOf('PWK-001')")
    assert page.evaluate(f"() => {S}.idAt({x}, {y})")["id"] == "PWK-002"
    rgb = page.evaluate("""([x, y]) => {
      const r = window.map._onemapRenderer, p = window.map.containerPointToLayerPoint([x, y]).subtract(r._bounds.min);
      const d = r._ctx.getImageData(Math.round(p.x * devicePixelRatio), Math.round(p.y * devicePixelRatio), 1, 1).data;
      return [d[0], d[1], d[2]]; }""", [x, y])
    colours = {code: REGISTRY["outfalls"].status(code).color for code in (first, middle, last)}

    def distance(hex_colour):
        return sum((int(hex_colour[i:i + 2], 16) - c) ** 2 for i, c in zip((1, 3, 5), rgb))

    assert min(colours, key=lambda code: distance(colours[code])) == first, (rgb, colours)
    page.mouse.click(x, y)
    assert page.evaluate(f"() => {S}.selected()") == "PWK-002"
    assert page.errors == []
    page.close()


def test_cached_payloads_follow_every_change():
    from geo.map.sitelayer import encode_sites_cached

    sites = [_site(Point(119.4 + i * 0.01, 25.6), i, name=f"排口{i}") for i in range(5)]
    st = _statuses("outfalls")
    first = encode_sites_cached("outfalls", sites, statuses=st)
    assert encode_sites_cached("outfalls", list(sites), statuses=st) is first  # same content: reused
    moved = sites[:4] + [_site(Point(119.9, 25.9), 4, name="排口4")]
    assert decode_sites(encode_sites_cached("outfalls", moved, statuses=st))[4]["geometry"].x == pytest.approx(119.9)
    renamed = sites[:4] + [_site(Point(119.44, 25.6), 4, name="改名")]
    assert decode_sites(encode_sites_cached("outfalls", renamed, statuses=st))[4]["n"] == "改名"
    keyed = encode_sites_cached("outfalls", sites, statuses=st, colors={"x": "#000000"}, color_key=lambda s: "x")
    assert keyed is not first and keyed["ck"] == ["x"]


def test_an_unwritable_payload_folder_keeps_the_sites_inline(tmp_path):
    from geo.map.sitelayer import PayloadFiles

    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")  # a file where the folder should be: mkdir fails
    sites = [_site(Point(119.4 + i * 0.001, 25.6), i) for i in range(3)]
    layer = SiteLayer(encode_sites("outfalls", sites, statuses=_statuses("outfalls")), {},
                      files=PayloadFiles(blocked / "sites", "sites/"))
    assert layer.data_url is None and len(decode_sites(layer.payload)) == 3
    ok = SiteLayer(encode_sites("outfalls", sites, statuses=_statuses("outfalls")), {},
                   files=PayloadFiles(tmp_path / "sites", "sites/"))
    assert ok.data_url.startswith("sites/") and decode_sites(ok.payload) == []
    assert (tmp_path / "sites" / ok.data_url.split("/")[-1]).exists()


# -- two levels of detail, display geometry from the store ----------------------------------------------------


def _map_site(site: Site):
    """The site as the store's map_sites reads it: its display geometry, no geometry."""
    from geo import displaygeom
    from geo.store import MapSite

    overview, detail = displaygeom.display_blobs([site.geometry])[0]
    return MapSite(site.kind, site.site_id, site.name, site.town_code, site.status, site.version, site.deadline,
                   overview, detail)


LEVEL_SITES = [
    ("blob", _blob(119.45, 25.55, 0.012, 400, 3)),
    ("one-part multipolygon", MultiPolygon([_blob(119.5, 25.6, 0.01, 300, 4)])),
    ("two parts and a hole", MultiPolygon([GEOMETRIES[4][1], _blob(119.55, 25.62, 0.004, 60, 2)])),
    ("river", LineString(np.column_stack([np.linspace(119.3, 119.4, 200),
                                          25.5 + 0.002 * np.sin(np.linspace(0, 30, 200))]))),
    ("tiny", Polygon([(119.3, 25.5), (119.300004, 25.5), (119.300004, 25.500004)])),
]


def test_overview_and_detail_both_hold_every_site_within_their_tolerance():
    sites = [_site(g, i, kind="black_odorous", status="untreated") for i, (_, g) in enumerate(LEVEL_SITES)]
    payload = encode_sites("black_odorous", sites, statuses=_statuses("black_odorous"))
    assert payload["dz"] == sitelayer.DETAIL_ZOOM and payload["og"] and payload["oxy"]
    detail = decode_sites(payload)
    overview = decode_sites(payload, level="overview")
    assert len(detail) == len(overview) == len(sites)
    for site, d, o in zip(sites, detail, overview):
        for got, tol in ((d, SIMPLIFY_TOLERANCE), (o, sitelayer.OVERVIEW_TOLERANCE)):
            g = got["geometry"]
            assert g.geom_type == site.geometry.geom_type and got["id"] == site.site_id
            assert shapely.get_num_geometries(g) == shapely.get_num_geometries(site.geometry)
            assert shapely.hausdorff_distance(g, site.geometry) <= tol + HALF_DIAGONAL + 1e-12
        n_detail, n_over = shapely.get_num_coordinates(d["geometry"]), shapely.get_num_coordinates(o["geometry"])
        assert n_over <= n_detail <= shapely.get_num_coordinates(site.geometry)
    # the stored multi-polygon of one part is simplified (GEOS hands it back as a Polygon: it is put back)
    assert shapely.get_num_coordinates(detail[1]["geometry"]) < 300
    assert shapely.get_num_coordinates(overview[0]["geometry"]) < shapely.get_num_coordinates(detail[0]["geometry"]) / 3


def test_points_have_one_level():
    payload = encode_sites("outfalls", [_site(Point(119.4, 25.6), 1)], statuses=_statuses("outfalls"))
    assert "og" not in payload and "dz" not in payload and payload["g"] == ""


@pytest.mark.parametrize("frame", ["wgs84", "gcj02"])
def test_display_geometry_from_the_store_encodes_as_the_geometry_does(frame):
    sites = [_site(g, i, kind="black_odorous", status="untreated") for i, (_, g) in enumerate(LEVEL_SITES)]
    sites.append(_site(Point(119.41, 25.61), 9, kind="black_odorous", status="untreated"))
    from_geometry = encode_sites("black_odorous", sites, statuses=_statuses("black_odorous"), frame=frame)
    from_store = encode_sites("black_odorous", [_map_site(s) for s in sites], statuses=_statuses("black_odorous"),
                              frame=frame)
    if frame == "wgs84":
        assert from_store == from_geometry
    else:  # shifted after quantising: at most one more quantum off
        for level in ("detail", "overview"):
            a, b = decode_sites(from_store, level), decode_sites(from_geometry, level)
            for x, y in zip(a, b):
                assert x["id"] == y["id"] and x["geometry"].geom_type == y["geometry"].geom_type
                assert np.abs(shapely.get_coordinates(x["geometry"]) - shapely.get_coordinates(y["geometry"])).max() \
                    <= 1.5 * QUANTUM + 1e-12
    points = [_map_site(_site(Point(119.4 + i * 1e-3, 25.6), i)) for i in range(50)]
    assert decode_sites(encode_sites("outfalls", points, statuses={}))[7]["geometry"].equals(Point(119.407, 25.6))


@pytest.mark.parametrize("frame", ["wgs84", "gcj02"])
@pytest.mark.parametrize("chunk_bytes", [1, 64, 1000])
def test_display_geometry_gathered_in_chunks_encodes_as_gathered_at_once(monkeypatch, frame, chunk_bytes):
    """Blobs are gathered a few MB at a time (a map of 100,000 polygons stays in memory bounds): the payload
    is the same, character for character, whatever the chunk (one blob each, a few, all at once)."""
    sites = [_site(g, i, kind="black_odorous", status="untreated") for i, (_, g) in enumerate(LEVEL_SITES * 3)]
    sites.insert(4, _site(Point(119.41, 25.61), 99, kind="black_odorous", status="untreated"))
    stored = [_map_site(s) for s in sites]
    monkeypatch.setattr(sitelayer, "BLOB_CHUNK_BYTES", 1 << 40)
    at_once = encode_sites("black_odorous", stored, statuses=_statuses("black_odorous"), frame=frame)
    monkeypatch.setattr(sitelayer, "BLOB_CHUNK_BYTES", chunk_bytes)
    chunks = sitelayer._chunks([s.detail or s.overview for s in stored], chunk_bytes)
    assert chunks[0][0] == 0 and chunks[-1][1] == len(stored)
    assert all(a < b for a, b in chunks) and all(x[1] == y[0] for x, y in zip(chunks, chunks[1:]))
    assert (len(chunks) == len(stored)) == (chunk_bytes == 1)
    assert encode_sites("black_odorous", stored, statuses=_statuses("black_odorous"), frame=frame) == at_once


def test_the_page_carries_the_overview_and_the_detail_waits_in_a_file(tmp_path):
    from geo.map.sitelayer import PayloadFiles

    sites = [_site(g, i, kind="parks", status="building") for i, (_, g) in enumerate(LEVEL_SITES[:3])]
    payload = encode_sites("parks", sites, statuses=_statuses("parks"))
    files = PayloadFiles(tmp_path / "sites", "sites/")
    inline = SiteLayer(payload, {}, files=files, inline=True)
    page = json.loads(inline.payload)
    assert inline.data_url is None and "g" not in page and page["og"] == payload["og"] and page["dz"] == 13
    detail = json.loads((tmp_path / "sites" / page["du"].split("/")[-1]).read_text(encoding="utf-8"))
    assert detail["g"] == payload["g"] and detail["xy"] == payload["xy"]
    assert [d["id"] for d in decode_sites({**page, **detail})] == [s.site_id for s in sites]
    served = SiteLayer(payload, {}, files=files)
    main = json.loads((tmp_path / "sites" / served.data_url.split("/")[-1]).read_text(encoding="utf-8"))
    assert main["du"] == page["du"] and "g" not in main and json.loads(served.payload)["n"] == 0
    alone = json.loads(SiteLayer(payload, {}).payload)  # no files: the detail inline, no overview
    assert alone["g"] == payload["g"] and "og" not in alone and "du" not in alone
    assert SiteLayer(payload, {}, files=files, inline=True).payload is inline.payload  # remembered, not re-serialised


def test_a_rerun_with_the_same_sites_finds_the_payload_by_identity():
    from geo.map.sitelayer import _PAYLOADS, encode_sites_cached

    _PAYLOADS.clear()
    sites = [_map_site(_site(g, i, kind="parks", status="building")) for i, (_, g) in enumerate(LEVEL_SITES[:3])]
    st = _statuses("parks")
    first = encode_sites_cached("parks", sites, statuses=st)
    assert encode_sites_cached("parks", list(sites), statuses=st) is first  # same objects: no digest, no encoding
    copies = [s._replace() for s in sites]
    assert encode_sites_cached("parks", copies, statuses=st) is first  # equal content: found by digest
    changed = copies[:2] + [copies[2]._replace(status="done")]
    again = encode_sites_cached("parks", changed, statuses=st)
    assert again is not first and decode_sites(again)[2]["s"] == "done"
    assert encode_sites_cached("parks", sites[:2], statuses=st) is not first


def test_browser_draws_the_overview_then_fetches_the_detail_once_zoomed_in(chromium, served):
    from geo.map.sitelayer import PayloadFiles

    root, url = served
    park = _blob(119.31, 25.49, 0.01, 400, 11)
    sites = {"parks": [_site(park, 1, kind="parks", status="building", site_id="YQ-009", name="细节园区")],
             "outfalls": [_site(Point(119.2 + i * 1e-3, 25.45), i, site_id=f"PWK-{i:03d}") for i in range(30)]}
    m = build_base_map(MapAssets("leaflet/leaflet.js", "leaflet/leaflet.css", "base/"), bounds=(119.1, 25.4, 119.5, 25.6))
    groups = site_layer_groups(sites, files=PayloadFiles(root / "sites", "sites/"), inline_limit=10)
    (root / "levels.html").write_text(render_standalone_html(m, groups), encoding="utf-8")
    page = chromium.new_page(viewport={"width": 1024, "height": 768})
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "/sites/" in r.url else None)
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url + "levels.html")
    S = "window.__onemapSites"
    page.wait_for_function(f"() => window.__onemapSites && {S}.drawn() === 31", timeout=30000, polling=100)
    page.evaluate("() => { window.map = Object.values(window).find(v => v instanceof L.Map); }")
    assert page.evaluate(f"() => {S}.detail('parks')") == {"levels": 2, "detail": "waiting", "drawing": "overview"}
    assert len(fetched) == 2  # one payload file per kind; the detail is not asked for at this zoom
    overview_ring = np.array(page.evaluate("() => { const l = Object.values(window.map._layers).find("
                                           "x => x._kind === 'parks'); return Array.from(l._g0.LON).map("
                                           "(x, i) => [x, l._g0.LAT[i]]); }"))
    assert 3 <= len(overview_ring) < 100
    from tests.browser.conftest import wait_for
    wait_for(page.main_frame, "() => window.map._animatingZoom", lambda a: not a, 30)  # the first view settled
    page.evaluate("() => { window.map.setView([25.49, 119.31], 14, {animate: false}); }")
    # Polled from here, not by the page: a page that draws nothing more may run neither frames nor its timers.
    wait_for(page.main_frame, f"() => {S}.detail('parks')", lambda d: d["detail"] == "here" and d["drawing"] == "detail",
             30)
    assert page.evaluate(f"() => {S}.detail('parks').detail") == "here" and len(fetched) == 3
    # The vertex of the detail farthest from the overview ring: hit at high zoom, on the drawn (detail) outline.
    detail = decode_sites(encode_sites("parks", sites["parks"], statuses=_statuses("parks")))[0]["geometry"]
    ring = shapely.LinearRing(overview_ring)
    far = max(shapely.get_coordinates(detail), key=lambda c: ring.distance(Point(c)))
    assert ring.distance(Point(far)) > 2e-5  # the levels do differ there
    page.evaluate(f"() => {{ window.map.setView([{far[1]}, {far[0]}], 17, {{animate: false}}); }}")
    x, y = page.evaluate(f"() => {{ const p = window.map.latLngToContainerPoint([{far[1]}, {far[0]}]); "
                         f"return [p.x, p.y]; }}")
    assert page.evaluate(f"() => {S}.idAt({x}, {y})") == {"id": "YQ-009", "k": "parks"}
    page.mouse.move(x, y)
    assert page.evaluate("() => document.querySelector('.onemap-site-tip').textContent") == "细节园区"
    page.evaluate("() => { window.map.setZoom(10, {animate: false}); }")
    wait_for(page.main_frame, f"() => {S}.detail('parks').drawing", lambda d: d == "overview", 30)
    assert len(fetched) == 3 and page.errors == []  # fetched once, kept
    page.close()
