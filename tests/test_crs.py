"""Tests for geo.crs: reference pairs, round trips, dispatcher, distances."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from geo import crs
from geo.errors import ValidationError

GEOD = Geod(ellps="WGS84")

# --------------------------------------------------------------------------
# Published reference pairs (public implementations' own tests/examples).
#   coordtransform: wandergis/coordtransform test/app.js (116.404, 39.915)
#   eviltransform:  googollee/eviltransform python tests (Shanghai, Shenzhen,
#                   Beijing), written there as (lat, lng); here (lon, lat)
#   PositionUtil:   a Java port's test comment (Zhengzhou)
# --------------------------------------------------------------------------
WGS_TO_GCJ = [
    pytest.param((116.404, 39.915), (116.41024449916938, 39.91640428150164), id="coordtransform-beijing"),
    pytest.param((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597), id="evil-shanghai"),
    pytest.param((113.912316, 22.543847), (113.9171764808363, 22.540796131694766), id="evil-shenzhen"),
    pytest.param((116.377817, 39.911954), (116.38404722455657, 39.91334545536069), id="evil-beijing"),
    pytest.param((113.647881, 34.829793), (113.65396374215176, 34.8287280094783), id="positionutil-zhengzhou"),
    # Fuqing: not a published pair; computed with the scalar transcription of
    # the public formula below (_ref_wgs_to_gcj) and pinned here.
    pytest.param((119.38, 25.72), (119.38490932452514, 25.717265429446815), id="fuqing-centre"),
    pytest.param((119.55, 25.45), (119.55448736341499, 25.44706630222821), id="fuqing-donghan"),
]

GCJ_TO_BD = [
    pytest.param((116.404, 39.915), (116.41036949371029, 39.92133699351021), id="coordtransform-beijing"),
]


@pytest.mark.parametrize("wgs, gcj", WGS_TO_GCJ)
def test_wgs84_to_gcj02_reference(wgs, gcj):
    lon, lat = crs.wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-12)
    assert lat == pytest.approx(gcj[1], abs=1e-12)


@pytest.mark.parametrize("wgs, gcj", WGS_TO_GCJ)
def test_gcj02_to_wgs84_inverts_reference(wgs, gcj):
    lon, lat = crs.gcj02_to_wgs84(*gcj)
    assert crs.haversine_m(lon, lat, *wgs) < 0.01


@pytest.mark.parametrize("gcj, bd", GCJ_TO_BD)
def test_gcj02_to_bd09_reference(gcj, bd):
    lon, lat = crs.gcj02_to_bd09(*gcj)
    assert lon == pytest.approx(bd[0], abs=1e-12)
    assert lat == pytest.approx(bd[1], abs=1e-12)


def test_gcj02_to_wgs84_close_to_one_step_reference():
    # coordtransform's published gcj02towgs84(116.404, 39.915) is the
    # one-step approximation; the iterated inverse is within a few metres
    # of it and maps back exactly.
    lon, lat = crs.gcj02_to_wgs84(116.404, 39.915)
    assert crs.haversine_m(lon, lat, 116.39775550083061, 39.91359571849836) < 3.0
    back = crs.wgs84_to_gcj02(lon, lat)
    assert back[0] == pytest.approx(116.404, abs=1e-9)
    assert back[1] == pytest.approx(39.915, abs=1e-9)


def test_bd09_to_gcj02_close_to_closed_form_reference():
    # coordtransform's bd09togcj02(116.404, 39.915) is the closed form; ours
    # is polished by iteration: within 0.2 m of it and exact on the way back.
    lon, lat = crs.bd09_to_gcj02(116.404, 39.915)
    assert crs.haversine_m(lon, lat, 116.39762729119315, 39.90865673957631) < 0.2
    back = crs.gcj02_to_bd09(lon, lat)
    assert back[0] == pytest.approx(116.404, abs=1e-9)
    assert back[1] == pytest.approx(39.915, abs=1e-9)


# Scalar transcription of the public formula (coordtransform), used as an
# independent check of the vectorised implementation over Fuqing.
def _ref_wgs_to_gcj(lng: float, lat: float) -> tuple[float, float]:
    def tlat(x, y):
        r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
        r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
        r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
        r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
        return r

    def tlng(x, y):
        r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
        r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
        r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
        r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
        return r

    a, ee = 6378245.0, 0.00669342162296594323
    dlat, dlng = tlat(lng - 105.0, lat - 35.0), tlng(lng - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sq) * math.pi)
    dlng = (dlng * 180.0) / (a / sq * math.cos(rad) * math.pi)
    return lng + dlng, lat + dlat


def _fuqing_grid(n: int = 25) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.meshgrid(np.linspace(119.0, 119.8, n), np.linspace(25.3, 25.95, n))
    return lon, lat


def test_vectorised_matches_scalar_transcription():
    lon, lat = _fuqing_grid(9)
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    for x, y, gx, gy in zip(lon.ravel(), lat.ravel(), glon.ravel(), glat.ravel()):
        rx, ry = _ref_wgs_to_gcj(float(x), float(y))
        assert gx == pytest.approx(rx, abs=1e-12)
        assert gy == pytest.approx(ry, abs=1e-12)


# --------------------------------------------------------------------------
# Round trips, shapes, out of China
# --------------------------------------------------------------------------
ROUND_TRIPS = [
    pytest.param(crs.wgs84_to_gcj02, crs.gcj02_to_wgs84, id="wgs-gcj-wgs"),
    pytest.param(crs.wgs84_to_bd09, crs.bd09_to_wgs84, id="wgs-bd-wgs"),
    pytest.param(crs.gcj02_to_bd09, crs.bd09_to_gcj02, id="gcj-bd-gcj"),
    pytest.param(crs.gcj02_to_wgs84, crs.wgs84_to_gcj02, id="gcj-wgs-gcj"),
]


@pytest.mark.parametrize("forward, inverse", ROUND_TRIPS)
def test_round_trip_over_fuqing_grid_below_1cm(forward, inverse):
    lon, lat = _fuqing_grid(25)
    blon, blat = inverse(*forward(lon, lat))
    assert blon.shape == lon.shape and blat.shape == lat.shape
    assert np.max(crs.haversine_m(lon, lat, blon, blat)) < 0.01


@pytest.mark.parametrize("forward, inverse", ROUND_TRIPS)
def test_round_trip_scalar_returns_floats(forward, inverse):
    lon, lat = inverse(*forward(119.38, 25.72))
    assert isinstance(lon, float) and isinstance(lat, float)
    assert crs.haversine_m(lon, lat, 119.38, 25.72) < 0.01


@pytest.mark.parametrize(
    "func",
    [crs.wgs84_to_gcj02, crs.gcj02_to_wgs84, crs.wgs84_to_bd09, crs.bd09_to_wgs84,
     crs.gcj02_to_bd09, crs.bd09_to_gcj02],
)
@pytest.mark.parametrize("shape", [(3,), (2, 3), (1,)])
def test_array_shapes_preserved_and_match_scalar(func, shape):
    rng = np.random.default_rng(0)
    lon = 119.0 + 0.7 * rng.random(shape)
    lat = 25.3 + 0.6 * rng.random(shape)
    out_lon, out_lat = func(lon, lat)
    assert isinstance(out_lon, np.ndarray) and out_lon.shape == shape and out_lat.shape == shape
    slon, slat = func(float(lon.flat[0]), float(lat.flat[0]))
    assert out_lon.flat[0] == pytest.approx(slon, abs=1e-9)
    assert out_lat.flat[0] == pytest.approx(slat, abs=1e-9)


def test_lists_are_accepted():
    lon, lat = crs.wgs84_to_gcj02([119.38, 119.4], [25.72, 25.7])
    assert lon.shape == (2,)


def test_nan_passes_through_without_stalling():
    lon, lat = crs.gcj02_to_wgs84(np.array([np.nan, 119.38]), np.array([25.7, 25.72]))
    assert math.isnan(lon[0])
    assert crs.haversine_m(*crs.wgs84_to_gcj02(lon[1], lat[1]), 119.38, 25.72) < 0.01


OUTSIDE = [
    pytest.param((2.3522, 48.8566), id="paris"),
    pytest.param((-74.0060, 40.7128), id="new-york"),
    pytest.param((151.2093, -33.8688), id="sydney"),
    pytest.param((0.0, 0.0), id="null-island"),
]


@pytest.mark.parametrize("point", OUTSIDE)
@pytest.mark.parametrize(
    "func", [crs.wgs84_to_gcj02, crs.gcj02_to_wgs84], ids=["to-gcj", "from-gcj"]
)
def test_out_of_china_unchanged(point, func):
    assert crs.out_of_china(*point)
    assert func(*point) == pytest.approx(point, abs=1e-12)


def test_fuqing_offset_is_a_few_hundred_metres():
    lon, lat = _fuqing_grid(15)
    d = crs.haversine_m(lon, lat, *crs.wgs84_to_gcj02(lon, lat))
    assert 300 < d.min() and d.max() < 800
    d_bd = crs.haversine_m(lon, lat, *crs.wgs84_to_bd09(lon, lat))
    assert 500 < d_bd.min() and d_bd.max() < 2000
    assert not crs.out_of_china(119.38, 25.72)


# --------------------------------------------------------------------------
# Dispatcher and PROJ transform
# --------------------------------------------------------------------------
GCJ_CENTRE = (119.38490932452514, 25.717265429446815)
BD_CENTRE = crs.wgs84_to_bd09(119.38, 25.72)
UTM_CENTRE = crs.transform(119.38, 25.72, "wgs84", "EPSG:32650")
GK_CENTRE = crs.transform(119.38, 25.72, "wgs84", "EPSG:4549")  # CGCS2000 3° CM 120E

TO_WGS = [
    pytest.param((119.38, 25.72), "wgs84", id="wgs84"),
    pytest.param((119.38, 25.72), "WGS-84", id="wgs84-alias"),
    pytest.param((119.38, 25.72), "cgcs2000", id="cgcs2000"),
    pytest.param((119.38, 25.72), "EPSG:4490", id="epsg-4490"),
    pytest.param((119.38, 25.72), "epsg:4326", id="epsg-4326-lower"),
    pytest.param(GCJ_CENTRE, "gcj02", id="gcj02"),
    pytest.param(GCJ_CENTRE, "GCJ-02", id="gcj02-alias"),
    pytest.param(BD_CENTRE, "bd09", id="bd09"),
    pytest.param(UTM_CENTRE, "EPSG:32650", id="utm50n"),
    pytest.param(GK_CENTRE, "EPSG:4549", id="gauss-kruger-cm120"),
]


@pytest.mark.parametrize("xy, system", TO_WGS)
def test_to_wgs84_dispatcher(xy, system):
    lon, lat = crs.to_wgs84(*xy, system)
    assert crs.haversine_m(lon, lat, 119.38, 25.72) < 0.01


def test_gauss_kruger_values_are_plausible():
    x, y = GK_CENTRE
    assert 400_000 < x < 500_000  # west of the 120E central meridian
    assert 2_800_000 < y < 2_900_000


@pytest.mark.parametrize("system", ["gcj02", "bd09", "EPSG:32650", "cgcs2000"])
def test_from_wgs84_inverts_to_wgs84(system):
    x, y = crs.from_wgs84(np.array([119.38, 119.5]), np.array([25.72, 25.5]), system)
    lon, lat = crs.to_wgs84(x, y, system)
    assert np.max(crs.haversine_m(lon, lat, [119.38, 119.5], [25.72, 25.5])) < 0.01


def test_transform_between_shifted_and_projected():
    x, y = crs.transform(*GCJ_CENTRE, "gcj02", "EPSG:32650")
    assert x == pytest.approx(UTM_CENTRE[0], abs=0.01)
    assert y == pytest.approx(UTM_CENTRE[1], abs=0.01)
    lon, lat = crs.transform(x, y, "EPSG:32650", "bd09")
    assert crs.haversine_m(lon, lat, *BD_CENTRE) < 0.01


BAD_SYSTEMS = [
    pytest.param("mars", id="unknown-name"),
    pytest.param("", id="empty"),
    pytest.param("EPSG:999999", id="unknown-epsg"),
    pytest.param("EPSG:abc", id="non-numeric-epsg"),
]


@pytest.mark.parametrize("system", BAD_SYSTEMS)
def test_unknown_system_raises_naming_valid_ones(system):
    with pytest.raises(ValidationError) as info:
        crs.to_wgs84(119.38, 25.72, system)
    err = info.value
    assert err.code == "crs.unknown"
    assert isinstance(err, ValueError)
    if system != "EPSG:999999":
        for name in crs.SYSTEMS:
            assert name in err.en and name in err.zh
    assert repr(system) in err.en


def test_swapped_lat_lon_is_rejected_for_geographic_input():
    with pytest.raises(ValidationError) as info:
        crs.to_wgs84(25.72, 119.38, "gcj02")
    assert info.value.code == "coord.out_of_range"
    assert "119.38" in info.value.en


# --------------------------------------------------------------------------
# Leaflet order
# --------------------------------------------------------------------------
LATLON = [
    pytest.param((119.38, 25.72), (25.72, 119.38), id="pair"),
    pytest.param([119.38, 25.72], (25.72, 119.38), id="list-pair"),
    pytest.param(Point(119.38, 25.72), (25.72, 119.38), id="point"),
    pytest.param([[119.38, 25.72], [119.4, 25.7]], [[25.72, 119.38], [25.7, 119.4]], id="line"),
    pytest.param([[[119.3, 25.7], [119.4, 25.7], [119.4, 25.8], [119.3, 25.7]]],
                 [[[25.7, 119.3], [25.7, 119.4], [25.8, 119.4], [25.7, 119.3]]], id="polygon-rings"),
]


@pytest.mark.parametrize("given, expected", LATLON)
def test_lonlat_to_latlon(given, expected):
    assert crs.lonlat_to_latlon(given) == expected


def test_lonlat_to_latlon_array_and_involution():
    arr = np.array([[119.38, 25.72], [119.4, 25.7]])
    out = crs.lonlat_to_latlon(arr)
    assert out.tolist() == [[25.72, 119.38], [25.7, 119.4]]
    # Leaflet click (lat, lon) back to (lon, lat): same function.
    assert crs.lonlat_to_latlon((25.72, 119.38), reverse=True) == (119.38, 25.72)
    assert crs.lonlat_to_latlon(out, reverse=True).tolist() == arr.tolist()
    with pytest.raises(ValidationError):
        crs.lonlat_to_latlon((119.38, 25.72), reverse=True)


@pytest.mark.parametrize("bad", [(119.38, 125.72), np.array([[25.72, 190.0]])])
def test_lonlat_to_latlon_rejects_out_of_range(bad):
    with pytest.raises(ValidationError) as info:
        crs.lonlat_to_latlon(bad)
    assert info.value.code == "coord.out_of_range"


def test_lonlat_to_latlon_rejects_garbage():
    with pytest.raises(ValidationError) as info:
        crs.lonlat_to_latlon("119.38,25.72")
    assert info.value.code == "coord.shape"


# --------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------
HAVERSINE = [
    pytest.param((119.38, 25.72, 119.38, 25.72), 0.0, id="same"),
    pytest.param((119.38, 25.72, 119.39, 25.72), None, id="east-1km"),
    pytest.param((119.38, 25.72, 119.38, 25.82), None, id="north-11km"),
    pytest.param((116.404, 39.915, 119.38, 25.72), None, id="beijing-fuqing"),
]


@pytest.mark.parametrize("args, expected", HAVERSINE)
def test_haversine_close_to_ellipsoid(args, expected):
    d = crs.haversine_m(*args)
    if expected is not None:
        assert d == pytest.approx(expected, abs=1e-6)
    else:
        ref = GEOD.inv(*args)[2]
        assert d == pytest.approx(ref, rel=0.005)


def test_haversine_vectorised():
    lon = np.array([119.38, 119.39, 119.40])
    d = crs.haversine_m(lon, 25.72, 119.38, 25.72)
    assert d.shape == (3,)
    assert d[0] == 0.0 and d[1] < d[2]


SQUARE = box(119.30, 25.70, 119.40, 25.80)

DISTANCES = [
    pytest.param((119.35, 25.75), SQUARE, 0.0, id="inside-polygon"),
    pytest.param((119.30, 25.75), SQUARE, 0.0, id="on-polygon-edge"),
    pytest.param((119.35, 25.69), SQUARE, GEOD.inv(119.35, 25.69, 119.35, 25.70)[2], id="south-of-polygon"),
    pytest.param((119.38, 25.72), Point(119.39, 25.72), GEOD.inv(119.38, 25.72, 119.39, 25.72)[2], id="to-point"),
    pytest.param((119.38, 25.72), LineString([(119.39, 25.70), (119.39, 25.74)]),
                 GEOD.inv(119.38, 25.72, 119.39, 25.72)[2], id="to-meridian-line"),
    pytest.param((119.38, 25.72), MultiPolygon([box(119.0, 25.0, 119.1, 25.1), SQUARE]), 0.0, id="in-multipolygon"),
    pytest.param((119.45, 25.72), Polygon([(119.3, 25.7), (119.4, 25.7), (119.4, 25.8)]),
                 GEOD.inv(119.45, 25.72, 119.40, 25.72)[2], id="east-of-triangle"),
]


@pytest.mark.parametrize("point, geom, expected", DISTANCES)
def test_geodesic_distance_m(point, geom, expected):
    d = crs.geodesic_distance_m(Point(point), geom)
    assert d == pytest.approx(expected, rel=0.003, abs=0.01)


def test_geodesic_distance_accepts_tuple_and_rejects_empty():
    assert crs.geodesic_distance_m((119.35, 25.75), SQUARE) == 0.0
    with pytest.raises(ValidationError) as info:
        crs.geodesic_distance_m((119.35, 25.75), Polygon())
    assert info.value.code == "geom.empty"
