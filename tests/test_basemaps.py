"""Basemaps: offline by default, online ones only when configured, each declared soundly."""

from __future__ import annotations

import dataclasses
import html
import json
import re

import pytest

from geo.map.basemaps import BASEMAPS, OFFLINE, available, choose, read_config
from geo.map.basemaps.conformance import check_basemap, check_registry
from geo.map.basemaps.spec import Basemap, TileSource
from geo.map.build import MapAssets, build_base_map, render_standalone_html

ASSETS = MapAssets("../onemap_leaflet/leaflet.js", "../onemap_leaflet/leaflet.css", "../onemap_base/",
                   gcj02_base_url="../onemap_base_gcj02/")
TK = "0123456789abcdef0123456789ABCDEF"


def test_registry_is_sound():
    assert check_registry(BASEMAPS.values()) == []
    assert list(BASEMAPS)[0] == "offline"


GOOD_ONLINE = BASEMAPS["osm"]
BROKEN = [
    ("key", dataclasses.replace(GOOD_ONLINE, key="OSM map"), "lower-case"),
    ("frame", dataclasses.replace(GOOD_ONLINE, display="bd09"), "display"),
    ("needs", dataclasses.replace(GOOD_ONLINE, needs="magic"), "needs"),
    ("credit", dataclasses.replace(GOOD_ONLINE, attribution_en=""), "attribution"),
    ("online by default", dataclasses.replace(GOOD_ONLINE, needs="nothing"), "off by default"),
    ("draws nothing", dataclasses.replace(OFFLINE, draws_shipped_land=False), "draw nothing"),
    ("http", dataclasses.replace(GOOD_ONLINE, tiles=(TileSource("http://t/{z}/{x}/{y}.png"),)), "https"),
    ("no z", dataclasses.replace(GOOD_ONLINE, tiles=(TileSource("https://t/{x}/{y}.png"),)), "{z}"),
    ("s without subdomains", dataclasses.replace(GOOD_ONLINE, tiles=(TileSource("https://{s}.t/{z}/{x}/{y}"),)),
     "subdomains"),
    ("tk on a keyless map", dataclasses.replace(GOOD_ONLINE, tiles=(TileSource("https://t/{z}/{x}/{y}?tk={tk}"),)),
     "{tk}"),
    ("only labels", dataclasses.replace(GOOD_ONLINE, tiles=(TileSource("https://t/{z}/{x}/{y}", labels=True),)),
     "only label"),
    ("unknown placeholder", dataclasses.replace(GOOD_ONLINE, tiles=(TileSource("https://t/{z}/{x}/{y}/{q}"),)),
     "unknown placeholders"),
]


@pytest.mark.parametrize("case, broken, words", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_check_can_fail(case, broken, words):
    problems = check_basemap(broken)
    assert any(words in p for p in problems), problems


def test_registry_checks_can_fail():
    assert any("duplicate" in p for p in check_registry([OFFLINE, GOOD_ONLINE, GOOD_ONLINE]))
    assert any("offline" in p for p in check_registry([GOOD_ONLINE, OFFLINE]))


CONFIGS = [
    # (environment, secrets, offered keys, number of problems)
    ({}, None, ["offline"], 0),
    ({"ONEMAP_TIANDITU_TK": TK}, None, ["offline", "tianditu_vec", "tianditu_img"], 0),
    ({"ONEMAP_TIANDITU_TK": "not-a-key"}, None, ["offline"], 1),
    ({"ONEMAP_BASEMAPS": "gaode, osm"}, None, ["offline", "gaode_vec", "gaode_sat", "osm"], 0),
    ({"ONEMAP_BASEMAPS": "gaode，baidu"}, None, ["offline", "gaode_vec", "gaode_sat"], 1),
    ({}, {"basemaps": {"tianditu_tk": TK, "enable": ["osm"]}}, ["offline", "tianditu_vec", "tianditu_img", "osm"], 0),
    ({"ONEMAP_BASEMAPS": ""}, {"basemaps": {"enable": ["osm"]}}, ["offline"], 0),  # the environment wins
    ({}, {"other": 1}, ["offline"], 0),
]


@pytest.mark.parametrize("env, secrets, offered, n_problems", CONFIGS)
def test_online_basemaps_are_off_unless_configured(env, secrets, offered, n_problems):
    config = read_config(env, secrets)
    assert [b.key for b in available(config)] == offered
    assert len(config.problems) == n_problems
    for text in config.problems:
        assert text.en and text.zh and "ONEMAP" in text.en and "ONEMAP" in text.zh


def test_a_broken_secrets_object_leaves_the_environment_working():
    class Broken:
        def get(self, key):
            raise FileNotFoundError("secrets.toml")

    assert [b.key for b in available(read_config({"ONEMAP_BASEMAPS": "osm"}, Broken()))] == ["offline", "osm"]


def test_choose_falls_back_to_what_is_offered():
    config = read_config({"ONEMAP_BASEMAPS": "osm", "ONEMAP_BASEMAP": "osm"}, None)
    assert choose(config, None).key == "osm"
    assert choose(config, "offline").key == "offline"
    assert choose(config, "gaode_vec").key == "osm"  # not enabled: the configured default
    assert choose(read_config({}, None), "tianditu_vec") is OFFLINE


def test_tianditu_urls_carry_the_key_and_need_it():
    layers = BASEMAPS["tianditu_img"].tile_layers(TK)
    assert [layer["labels"] for layer in layers] == [False, True]
    assert all(f"tk={TK}" in layer["url"] and "{tk}" not in layer["url"] for layer in layers)
    assert "LAYER=img" in layers[0]["url"] and "LAYER=cia" in layers[1]["url"]
    with pytest.raises(ValueError):
        BASEMAPS["tianditu_vec"].tile_layers(None)


def js(text: str) -> str:
    """How jinja's tojson writes a string inside the page."""
    return json.dumps(text)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(basemap: Basemap, **kw) -> str:
    m = build_base_map(ASSETS, basemap=basemap, tianditu_key=TK, **kw)
    return render_standalone_html(m, [])


def test_the_offline_map_names_itself_and_fetches_nothing_outside():
    page = _page(OFFLINE)
    assert not re.search(r"https?://(?!www\.w3\.org)", page.split("<script>", 1)[1]), "an outside URL in the map"
    assert js("底图：离线底图（福清地理）") in page
    assert js(html.escape(OFFLINE.attribution("zh"))) in page
    assert '"offline"' in page and "../onemap_base/" in page
    assert js(html.escape(OFFLINE.attribution("zh"))) not in _page(BASEMAPS["osm"])


@pytest.mark.parametrize("key, host, base_url", [
    ("tianditu_vec", "tianditu.gov.cn", "../onemap_base/"),
    ("gaode_vec", "autonavi.com", "../onemap_base_gcj02/"),
    ("osm", "tile.openstreetmap.org", "../onemap_base/"),
])
def test_an_online_map_draws_its_tiles_credit_and_outline_in_its_frame(key, host, base_url):
    page = _page(BASEMAPS[key])
    assert host in page
    assert base_url in page
    assert f'"{BASEMAPS[key].display}"' in page
    assert js(html.escape(BASEMAPS[key].attribution("zh"))) in page
    assert js("底图：" + BASEMAPS[key].label("zh")) in page


def test_online_maps_skip_the_offline_labels_and_land():
    from geo.map.build import Label

    page = _page(BASEMAPS["osm"], labels=[Label(119.4, 25.7, "LABEL-XYZ")])
    assert "LABEL-XYZ" not in page
    assert "LABEL-XYZ" in _page(OFFLINE, labels=[Label(119.4, 25.7, "LABEL-XYZ")])


def test_official_town_outlines_are_drawn_when_imported_and_shifted_on_gaode():
    from shapely.geometry import box

    from geo.crs import wgs84_to_gcj02
    from geo.map.build import add_town_outlines

    m = build_base_map(ASSETS)
    assert add_town_outlines(m, {}) is None
    add_town_outlines(m, {"350181103": box(119.4, 25.6, 119.5, 25.7)}, name="<镇街>", frame="gcj02")
    page = render_standalone_html(m, [])
    glon, glat = wgs84_to_gcj02(119.4, 25.6)
    assert f"[{round(glon, 5)}, {round(glat, 5)}]" in page
    assert "[119.4, 25.6]" not in page
    assert "<镇街>" not in page and js("&lt;镇街&gt;") in page  # the layer control shows it as text
