"""Tests for geo.towns: the official list, name variants, seats."""

from __future__ import annotations

import pytest

from geo import basegeo, towns
from geo.errors import NotFoundError

# The official list (docs/data-sources.md): code suffix -> name.
OFFICIAL = {
    "350181002": "玉屏街道", "350181003": "龙山街道", "350181004": "龙江街道",
    "350181005": "宏路街道", "350181006": "石竹街道", "350181007": "音西街道",
    "350181008": "阳下街道",
    "350181103": "海口镇", "350181104": "城头镇", "350181105": "南岭镇",
    "350181106": "龙田镇", "350181107": "江镜镇", "350181108": "港头镇",
    "350181109": "高山镇", "350181110": "沙埔镇", "350181111": "三山镇",
    "350181112": "东瀚镇", "350181113": "渔溪镇", "350181114": "上迳镇",
    "350181115": "新厝镇", "350181116": "江阴镇", "350181117": "东张镇",
    "350181118": "镜洋镇", "350181119": "一都镇",
    "350181400": "江镜华侨农场", "350181401": "东阁华侨农场",
}
APPROXIMATE = {"玉屏街道", "龙山街道", "龙江街道", "石竹街道", "镜洋镇", "江镜华侨农场", "东阁华侨农场"}


def test_exactly_24_towns_and_streets_plus_2_farms():
    units = towns.all_towns()
    assert len(units) == 26
    assert len(towns.all_towns(["street"])) == 7
    assert len(towns.all_towns(["town"])) == 17
    assert len(towns.all_towns(["street", "town"])) == 24
    assert len(towns.all_towns(["farm"])) == 2
    assert {t.code: t.name_zh for t in units} == OFFICIAL


def test_kinds_match_suffixes_and_names_are_unique():
    suffix = {"street": "街道", "town": "镇", "farm": "华侨农场"}
    en_suffix = {"street": " Street", "town": " Town", "farm": " Overseas Chinese Farm"}
    units = towns.all_towns()
    for t in units:
        assert t.name_zh.endswith(suffix[t.kind])
        assert t.name_en.endswith(en_suffix[t.kind])
        assert t.name_en.isascii()
    assert len({t.name_zh for t in units}) == len({t.name_en for t in units}) == 26


def test_seat_sources():
    units = towns.all_towns()
    approx = {t.name_zh for t in units if t.seat_is_approximate}
    assert approx == APPROXIMATE
    for t in units:
        assert t.seat_source == "approximate" or t.seat_source.startswith("geonames:")


def test_every_seat_inside_boundary_and_on_land():
    boundary = basegeo.county_boundary()
    for t in towns.all_towns():
        assert basegeo.in_county(t.lon, t.lat), t
        assert basegeo.is_on_land(t.lon, t.lat), t
        assert boundary.bounds[0] <= t.lon <= boundary.bounds[2]


NAMES = [
    ("玉屏", "玉屏街道"),
    ("玉屏街道", "玉屏街道"),
    ("玉屏街", "玉屏街道"),
    ("玉屏 街道", "玉屏街道"),
    ("玉屏\u3000街道", "玉屏街道"),  # full-width space
    ("\u3000玉屏街道\u3000", "玉屏街道"),
    (" 玉 屏 ", "玉屏街道"),
    ("玉屏街道办事处", "玉屏街道"),
    ("福清市玉屏街道", "玉屏街道"),
    ("福建省福清市海口镇", "海口镇"),
    ("福州市 福清市 龙田镇", "龙田镇"),
    ("海口", "海口镇"),
    ("海口镇", "海口镇"),
    ("海口\u00a0镇", "海口镇"),  # no-break space
    ("江镜华侨农场", "江镜华侨农场"),
    ("江镜农场", "江镜华侨农场"),
    ("江镜", "江镜镇"),  # bare stem shared with the farm means the town
    ("江镜镇", "江镜镇"),
    ("东阁", "东阁华侨农场"),
    ("宏路镇", "宏路街道"),  # former name
    ("音西镇", "音西街道"),
    ("Yuping Street", "玉屏街道"),
    ("yuping", "玉屏街道"),
    ("HAIKOU TOWN", "海口镇"),
    ("Haikou Zhen", "海口镇"),
    ("Jiangjing Overseas Chinese Farm", "江镜华侨农场"),
    ("350181116", "江阴镇"),
    ("350181116000", "江阴镇"),
    ("３５０１８１１１６", "江阴镇"),  # full-width digits
    ("上迳", "上迳镇"),
]


@pytest.mark.parametrize("text, expected", [pytest.param(t, e, id=repr(t)) for t, e in NAMES])
def test_normalise_town_name(text, expected):
    assert towns.normalise_town_name(text) == expected
    assert towns.resolve_town(text).name_zh == expected


UNKNOWN = ["北京", "", "海口街道", "玉屏镇镇", "Fuzhou", "350181999", "福清市", "福建省福清市北京", "龙"]


@pytest.mark.parametrize("text", UNKNOWN)
def test_unknown_name_raises_with_help(text):
    with pytest.raises(NotFoundError) as info:
        towns.resolve_town(text)
    err = info.value
    assert err.code == "town.unknown"
    assert isinstance(err, LookupError)
    assert "official name" in err.en and "规范名称" in err.zh
    assert repr(text) in err.en
    # A few valid names are offered.
    assert any(t.name_zh in err.en for t in towns.all_towns())


def test_unknown_name_suggests_close_match():
    with pytest.raises(NotFoundError) as info:
        towns.resolve_town("海口街道")
    assert "海口镇" in info.value.en
    assert "海口镇" in info.value.context["suggestions"]


def test_town_by_code():
    t = towns.town_by_code("350181103")
    assert (t.name_zh, t.name_en, t.kind) == ("海口镇", "Haikou Town", "town")
    with pytest.raises(NotFoundError):
        towns.town_by_code("350181120")


def test_unknown_kind():
    with pytest.raises(NotFoundError) as info:
        towns.all_towns(["village"])
    assert info.value.code == "town.kind_unknown"


def test_town_is_frozen():
    t = towns.all_towns()[0]
    with pytest.raises(Exception):
        t.lon = 0.0  # type: ignore[misc]


NEAREST = [
    ((119.4594, 25.6937), None, "海口镇"),
    ((119.3142, 25.7058), None, "宏路街道"),
    ((119.3160, 25.4602), None, "江阴镇"),
    ((119.4550, 25.6500), None, "东阁华侨农场"),
    ((119.4550, 25.6500), ["street", "town"], "龙田镇"),
]


@pytest.mark.parametrize("point, kinds, expected", NEAREST)
def test_nearest_town_seat(point, kinds, expected):
    assert towns.nearest_town_seat(*point, kinds=kinds).name_zh == expected
