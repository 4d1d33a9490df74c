"""Tests for geo.basegeo and the shipped files under data/base/."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import MultiLineString, MultiPolygon, Point

from geo import basegeo, towns
from geo.errors import ValidationError

REPO = Path(__file__).resolve().parent.parent
BASE = REPO / "data" / "base"

# Albers equal-area for China.
_TO_AREA = Transformer.from_crs(
    "EPSG:4326", "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=m", always_xy=True
)


def _area_km2(geom) -> float:
    projected = shapely.transform(geom, lambda xy: np.column_stack(_TO_AREA.transform(xy[:, 0], xy[:, 1])))
    return projected.area / 1e6


# --------------------------------------------------------------------------
# County boundary (figures from docs/data-sources.md)
# --------------------------------------------------------------------------
def test_boundary_bounds_parts_area():
    b = basegeo.county_boundary()
    assert isinstance(b, MultiPolygon) and b.is_valid
    assert len(b.geoms) == 49
    for got, expected in zip(b.bounds, (119.062, 25.307, 119.677, 25.853)):
        assert got == pytest.approx(expected, abs=0.005)
    assert _area_km2(b) == pytest.approx(1780, rel=0.10)


def test_fuqing_bounds_constant_encloses_boundary():
    minx, miny, maxx, maxy = basegeo.county_boundary().bounds
    fx0, fy0, fx1, fy1 = basegeo.FUQING_BOUNDS
    assert fx0 <= minx < fx0 + 0.001 and fy0 <= miny < fy0 + 0.001
    assert fx1 - 0.001 < maxx <= fx1 and fy1 - 0.001 < maxy <= fy1


def test_boundary_is_in_wgs84_not_gcj02():
    # The raw Amap data is GCJ-02, ~500 m east/south of WGS84 here; the
    # shipped file was shifted, so its west edge is west of the raw one.
    assert basegeo.county_boundary().bounds[0] < 119.0650  # raw GCJ-02 minx is 119.067393


# --------------------------------------------------------------------------
# Land and sea
# --------------------------------------------------------------------------
LAND_SEA = [
    pytest.param(119.38, 25.72, True, id="city-centre-land"),
    pytest.param(119.50, 25.65, False, id="fuqing-bay-sea"),
    pytest.param(119.40, 25.40, False, id="xinghua-bay-sea"),
    pytest.param(119.25, 25.70, True, id="inland-west"),
]


@pytest.mark.parametrize("lon, lat, expected", LAND_SEA)
def test_land_sea_points(lon, lat, expected):
    assert basegeo.is_on_land(lon, lat) is expected
    assert basegeo.land_prepared().covers(Point(lon, lat)) is expected


def test_is_on_land_vectorised():
    res = basegeo.is_on_land(np.array([119.38, 119.50]), np.array([25.72, 25.65]))
    assert res.tolist() == [True, False]


def test_land_size_and_clip():
    geom = basegeo.land()
    assert isinstance(geom, MultiPolygon) and geom.is_valid
    minx, miny, maxx, maxy = geom.bounds
    x0, y0, x1, y1 = basegeo.LAND_CLIP_BOUNDS
    assert x0 <= minx and y0 <= miny and maxx <= x1 and maxy <= y1
    assert 2_000 < shapely.get_num_coordinates(geom) < 20_000


def test_town_seats_on_land():
    for t in towns.all_towns():
        assert basegeo.is_on_land(t.lon, t.lat), t.name_zh
        assert basegeo.in_county(t.lon, t.lat), t.name_zh


def test_shoreline_has_no_clip_edges():
    s = basegeo.shoreline()
    assert isinstance(s, MultiLineString) and len(s.geoms) > 10
    x0, y0, x1, y1 = basegeo.LAND_CLIP_BOUNDS
    minx, miny, maxx, maxy = s.bounds
    assert minx > x0 and miny > y0 and maxx < x1 and maxy < y1
    # Every shoreline vertex lies on the land boundary.
    assert s.distance(basegeo.land().boundary) == 0.0


SHORE = [
    pytest.param(119.50, 25.65, 500, 5000, id="mid-fuqing-bay"),
    pytest.param(119.38, 25.72, 3000, 15000, id="city-centre-inland"),
]


@pytest.mark.parametrize("lon, lat, low, high", SHORE)
def test_distance_to_shore(lon, lat, low, high):
    assert low < basegeo.distance_to_shore_m(lon, lat) < high


def test_distance_to_shore_of_a_coast_vertex_is_zero():
    x, y = basegeo.shoreline().geoms[0].coords[0]
    assert basegeo.distance_to_shore_m(x, y) < 0.5


def test_bad_point_rejected():
    with pytest.raises(ValidationError) as info:
        basegeo.distance_to_shore_m(25.72, 119.38)
    assert info.value.code == "coord.out_of_range"
    with pytest.raises(ValidationError):
        basegeo.bay_of("abc", 25.0)


# --------------------------------------------------------------------------
# Bays
# --------------------------------------------------------------------------
def test_bays_codes_names_disjoint():
    b = basegeo.bays()
    assert set(b) == set(basegeo.BAY_CODES)
    assert basegeo.bay_names()["fuqing_bay"]["name_zh"] == "福清湾"
    assert basegeo.bay_names()["xinghua_bay"]["name_zh"] == "兴化湾"
    assert b["fuqing_bay"].intersection(b["xinghua_bay"]).area == 0
    for geom in b.values():
        assert geom.is_valid and not geom.is_empty
    # Xinghua Bay is the larger one.
    assert _area_km2(b["xinghua_bay"]) > _area_km2(b["fuqing_bay"]) > 50


def test_bays_are_sea():
    land = basegeo.land()
    for code, geom in basegeo.bays().items():
        # Simplification may shave a sliver; the overlap with land stays tiny.
        assert geom.intersection(land).area < 0.01 * geom.area, code


BAY_POINTS = [
    pytest.param(119.50, 25.65, "fuqing_bay", id="fuqing-bay-sanity"),
    pytest.param(119.40, 25.40, "xinghua_bay", id="xinghua-bay-sanity"),
    pytest.param(119.20, 25.40, "xinghua_bay", id="xinghua-bay-inner"),
    pytest.param(119.575, 25.40, "xinghua_bay", id="xinghua-inlet-shapu-donghan"),
    pytest.param(119.63, 25.46, None, id="gaoshan-inlet-to-haitan-strait"),
    pytest.param(119.80, 25.45, None, id="open-sea-east-of-pingtan"),
    pytest.param(119.66, 25.52, None, id="haitan-strait"),
    pytest.param(119.38, 25.72, None, id="city-centre-inland"),
]


@pytest.mark.parametrize("lon, lat, expected", BAY_POINTS)
def test_bay_of(lon, lat, expected):
    assert basegeo.bay_of(lon, lat) == expected
    if expected:
        assert basegeo.bays()[expected].covers(Point(lon, lat))


def test_bay_labels_inside_their_bay():
    labels = basegeo.bay_labels()
    assert [b.code for b in labels] == list(basegeo.BAY_CODES)
    for b in labels:
        assert basegeo.bays()[b.code].covers(Point(b.lon, b.lat))
        assert basegeo.bay_of(b.lon, b.lat) == b.code


def test_attribution_and_sources():
    assert "© OpenStreetMap contributors" in basegeo.ATTRIBUTION
    assert "GeoNames" in basegeo.ATTRIBUTION
    assert len(basegeo.SOURCES_ZH) == len(basegeo.SOURCES_EN)
    assert any("OpenStreetMap" in line for line in basegeo.SOURCES_EN)


def test_bay_of_shore_point_uses_nearest_bay_within_distance():
    # Haikou town, on the Longjiang mouth at the head of Fuqing Bay.
    haikou = towns.resolve_town("海口镇")
    d = basegeo.bays()["fuqing_bay"]
    assert not d.covers(Point(haikou.lon, haikou.lat))
    assert basegeo.bay_of(haikou.lon, haikou.lat, max_distance_m=3000) == "fuqing_bay"
    assert basegeo.bay_of(haikou.lon, haikou.lat, max_distance_m=10) is None
    with pytest.raises(ValidationError):
        basegeo.bay_of(119.5, 25.65, max_distance_m=-1)


# --------------------------------------------------------------------------
# Neighbours, manifest, purity
# --------------------------------------------------------------------------
def test_neighbours():
    n = basegeo.neighbours()
    assert {x["adcode"] for x in n} >= {"350112", "350128", "350303"}
    boundary = basegeo.county_boundary()
    for x in n:
        assert x["geometry"].is_valid
        assert x["geometry"].distance(boundary) < 0.06
        assert x["adcode"] != "350181"


def test_neighbours_absent_gives_empty_list(monkeypatch, tmp_path):
    monkeypatch.setattr(basegeo, "BASE_DIR", tmp_path)
    basegeo._neighbours.cache_clear()
    try:
        assert basegeo.neighbours() == []
    finally:
        basegeo._neighbours.cache_clear()


def test_manifest_sha256_match_files():
    manifest = json.loads((BASE / "MANIFEST.json").read_text(encoding="utf-8"))
    files = manifest["files"]
    assert {"fuqing_boundary.geojson", "land.geojson", "bays.geojson", "towns.csv"} <= set(files)
    for name, meta in files.items():
        data = (BASE / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == meta["sha256"], name
        assert len(data) == meta["size"], name
        assert meta["licence"] and meta["source"]


def test_shipped_data_is_small_and_rounded():
    total = sum(p.stat().st_size for p in BASE.iterdir() if p.is_file())
    assert total < 1_500_000
    for p in BASE.glob("*.geojson"):
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"\d\.\d{7,}", text), f"{p.name} has coordinates with more than 6 decimals"
        assert "], [" not in text and '": ' not in text, f"{p.name} is not written compactly"


@pytest.mark.parametrize("module", ["crs.py", "basegeo.py", "towns.py"])
def test_geo_modules_are_pure(module):
    source = (REPO / "geo" / module).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+(streamlit|sqlite3)\b", source, re.M)
