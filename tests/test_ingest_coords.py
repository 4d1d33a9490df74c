"""Coordinates on import: GCJ-02 and BD-09 inputs land within 1 m of the true WGS84 position, Gauss-Krüger too."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod, Transformer
from shapely.geometry import Polygon

from geo import crs as C
from geo.errors import ValidationError
from geo.ingest import CrsChoice, prepare_import
from geo.ingest.coords import gk_epsg, order_gk, order_lonlat, parse_angle, parse_metres, parse_pair
from tests.ingest_factories import csv_bytes, feature, geojson_bytes, outfall_rows, park_props

GEOD = Geod(ellps="WGS84")
#: Sites across Fuqing (lon, lat): city centre, Haikou, Jiangyin, Donghan, Longtian.
TRUE_POINTS = [(119.38, 25.72), (119.45, 25.68), (119.30, 25.48), (119.55, 25.45), (119.45, 25.60)]


def _metres(a, b) -> float:
    _, _, d = GEOD.inv(a[0], a[1], b[0], b[1])
    return d


def _import_points(cells: list[tuple[str, str]], crs: str, headers=("经度", "纬度")):
    rows = outfall_rows(*[{} for _ in cells])
    rows[0][-2:] = list(headers)
    for r, (x, y) in zip(rows[1:], cells):
        r[-2:] = [x, y]
    plan = prepare_import(csv_bytes(rows), "a.csv", kind="outfalls", crs=CrsChoice.parse(crs), existing={})
    assert not plan.has_errors, [(p.row, p.code, p.message_en) for p in plan.errors]
    return [(c.site.geometry.x, c.site.geometry.y) for c in sorted(plan.candidates, key=lambda c: c.row)]


def test_gcj02_input_lands_within_a_metre():
    # Reference pairs of the public formula (tests/test_crs.py pins the Fuqing ones).
    gcj = [C.wgs84_to_gcj02(*p) for p in TRUE_POINTS]
    got = _import_points([(f"{x:.8f}", f"{y:.8f}") for x, y in gcj], "gcj02")
    for true, g in zip(TRUE_POINTS, got):
        assert _metres(true, g) < 1.0
    # The shift itself is hundreds of metres: importing as WGS84 by mistake would be far off.
    assert min(_metres(t, g) for t, g in zip(TRUE_POINTS, gcj)) > 100


def test_bd09_input_lands_within_a_metre():
    bd = [C.wgs84_to_bd09(*p) for p in TRUE_POINTS]
    got = _import_points([(f"{x:.8f}", f"{y:.8f}") for x, y in bd], "bd09")
    for true, g in zip(TRUE_POINTS, got):
        assert _metres(true, g) < 1.0


def test_published_gcj02_pair_imports_to_its_wgs84_point():
    # coordtransform's Fuqing-area check value, pinned in tests/test_crs.py: WGS84 (119.38, 25.72).
    got = _import_points([("119.38490932452514", "25.717265429446815")], "gcj02")
    assert _metres((119.38, 25.72), got[0]) < 0.01


@pytest.mark.parametrize("crs, to_epsg, prefix", [("gk3:40", 4528, 0), ("gk3:120", 4549, 0), ("gk3:40", 4549, 0)])
def test_gauss_kruger_input_lands_within_a_metre(crs, to_epsg, prefix):
    fwd = Transformer.from_crs("EPSG:4326", f"EPSG:{to_epsg}", always_xy=True)
    cells = []
    for lon, lat in TRUE_POINTS:
        e, n = fwd.transform(lon, lat)
        cells.append((f"{n:.3f}", f"{e:.3f}"))  # Chinese convention: X = northing, Y = easting
    got = _import_points(cells, crs, headers=("X", "Y"))
    for true, g in zip(TRUE_POINTS, got):
        assert _metres(true, g) < 1.0


def test_gcj02_polygon_lands_within_a_metre():
    true = Polygon([(119.30, 25.48), (119.31, 25.48), (119.31, 25.49), (119.30, 25.49)])
    shifted = Polygon([C.wgs84_to_gcj02(x, y) for x, y in true.exterior.coords])
    plan = prepare_import(geojson_bytes([feature(shifted, **park_props())]), "p.geojson", kind="parks",
                          crs=CrsChoice.parse("gcj02"), existing={})
    assert not plan.has_errors
    got = plan.candidates[0].site.geometry.geoms[0]
    for a, b in zip(true.exterior.coords, got.exterior.coords):
        assert _metres(a, b) < 1.0


def test_gauss_kruger_polygon_from_a_file():
    fwd = Transformer.from_crs("EPSG:4326", "EPSG:4528", always_xy=True)
    true = Polygon([(119.30, 25.48), (119.31, 25.48), (119.31, 25.49), (119.30, 25.49)])
    gk = Polygon([fwd.transform(x, y) for x, y in true.exterior.coords])
    plan = prepare_import(geojson_bytes([feature(gk, **park_props())]), "p.geojson", kind="parks",
                          crs=CrsChoice.parse("gk3:40"), existing={})
    assert not plan.has_errors, [p.message_en for p in plan.errors]
    got = plan.candidates[0].site.geometry.geoms[0]
    assert max(_metres(a, b) for a, b in zip(true.exterior.coords, got.exterior.coords)) < 1.0


@pytest.mark.parametrize("text, value", [
    ("119.3958", 119.3958), ("119°23′45.6″E", 119.396), ("119°23'45.6\"", 119.396), ("119度23分45.6秒", 119.396),
    ("119 23 45.6", 119.396), ("119:23:45.6", 119.396), ("119.23.45.6", 119.396), ("东经119°23′45.6″", 119.396),
    ("１１９°２３′４５．６″", 119.396), ("119º23'45.6\"", 119.396), ("E 119.3958", 119.3958), ("119°23.76′", 119.396),
    ("W119.5", -119.5), ("-119.5", -119.5), (119.5, 119.5),
])
def test_angle_spellings(text, value):
    got, _ = parse_angle(text)
    assert got == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize("text", ["", "abc", "119°60′", "119°23′61″", "119，5", "1.2.3.4.5", None, True, float("nan")])
def test_unreadable_angles_are_refused_with_a_code(text):
    with pytest.raises(ValidationError) as err:
        parse_angle(text)
    assert err.value.code in ("coord.unreadable", "coord.bad_dms")
    assert err.value.fix_zh


def test_pairs_and_order():
    assert parse_pair("25.72；119.38")[0][0] == 25.72
    assert order_lonlat((25.72, None), (119.38, None)) == (119.38, 25.72, True)
    assert order_lonlat((119.38, None), (25.72, None)) == (119.38, 25.72, False)
    assert order_lonlat((25.72, "lat"), (119.38, "lon"))[2] is True
    assert order_gk(40450000.0, 2822000.0) == (2822000.0, 40450000.0, True)
    assert parse_metres("2,822,000.50", "north") == 2822000.5


def test_gk_epsg_forms():
    c = CrsChoice.parse("gk3:40")
    assert gk_epsg(c, 40450000.0) == ("EPSG:4528", 40450000.0)
    assert gk_epsg(c, 450000.0) == ("EPSG:4549", 450000.0)
    with pytest.raises(ValidationError) as err:
        gk_epsg(c, 39450000.0)
    assert err.value.code == "gk.zone_mismatch"


@pytest.mark.parametrize("text, key", [("wgs84", "wgs84"), ("CGCS2000", "cgcs2000"), ("GCJ-02", "gcj02"),
                                       ("bd09", "bd09"), ("gk3:40", "gk3:40"), ("gk3:120", "gk3:40"),
                                       ("gk3:cm117", "gk3:39")])
def test_crs_choices(text, key):
    assert CrsChoice.parse(text).key == key


@pytest.mark.parametrize("text", ["", "utm50", "gk3:46", "gk3:121", "epsg:32650"])
def test_unknown_crs_choice(text):
    with pytest.raises(ValidationError) as err:
        CrsChoice.parse(text)
    assert err.value.code == "crs.unknown"


def test_vectorised_shift_matches_scalar():
    xs = np.array([p[0] for p in TRUE_POINTS])
    ys = np.array([p[1] for p in TRUE_POINTS])
    gx, gy = C.wgs84_to_gcj02(xs, ys)
    for i, p in enumerate(TRUE_POINTS):
        assert (gx[i], gy[i]) == pytest.approx(C.wgs84_to_gcj02(*p))
