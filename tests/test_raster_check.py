"""check_raster: one table of refused files (code, zh/en naming value and fix, cause kept) and what good files report."""

from __future__ import annotations

import time
from dataclasses import FrozenInstanceError, dataclass
from typing import Callable

import pytest
from rasterio.errors import RasterioError
from rasterio.io import DatasetReader

from geo.errors import OneMapError, RasterRejected
from geo.raster.check import DEFAULT_CAPS, RasterCaps, check_raster, suggest_zooms
from geo.raster.check import NEAR_FUQING_BOUNDS, ZOOM_CEILING, ZOOM_FLOOR
from tests import raster_factories as rf


@dataclass
class Refusal:
    """``make(tmp_path)`` must be refused with ``code``; both messages contain every string in ``names``."""

    make: Callable
    code: str
    names: tuple[str, ...] = ()
    fix_en: str = ""
    fix_zh: str = ""
    cause: bool = False
    caps: RasterCaps = DEFAULT_CAPS


REFUSALS = {
    "missing file": Refusal(lambda d: d / "nope.tif", "raster.unreadable", ("nope.tif",), "choose", "请选择"),
    "random bytes": Refusal(rf.random_bytes, "raster.unreadable", ("random.tif",), "Export it again", "重新导出",
                            cause=True),
    "tiff magic + garbage": Refusal(rf.tiff_magic_garbage, "raster.unreadable", ("garbage.tif",), "Export it again",
                                    "重新导出", cause=True),
    "png named .tif": Refusal(rf.png_named_tif, "raster.unreadable", ("image.tif",), "GeoTIFF", "GeoTIFF",
                              cause=True),
    "truncated": Refusal(rf.truncated, "raster.unreadable", ("truncated.tif",), "incomplete", "不完整"),
    "no georeferencing": Refusal(rf.ungeoreferenced, "raster.not_georeferenced", ("plain.tif",), "georeference",
                                 "配准"),
    "transform but no crs": Refusal(rf.no_crs, "raster.not_georeferenced", ("nocrs.tif",), "gdal_edit.py -a_srs",
                                    "gdal_edit.py -a_srs"),
    "gcps only": Refusal(rf.gcps_only, "raster.not_georeferenced", ("gcps.tif", "3"), "gdalwarp", "gdalwarp"),
    "local crs": Refusal(rf.local_crs, "raster.unknown_crs", ("local.tif", "site grid"), "EPSG:4527", "EPSG:4527"),
    "metres labelled degrees": Refusal(rf.metres_as_degrees, "raster.unknown_crs", ("metres_as_degrees.tif", "730000"),
                                       "gdal_edit.py -a_srs", "gdal_edit.py -a_srs"),
    "swapped axes": Refusal(rf.swapped_axes, "raster.unknown_crs", ("swapped.tif", "25.6000"), "longitude as x",
                            "以经度为 x"),
    "rotated": Refusal(rf.rotated, "raster.rotated", ("rotated.tif", "0.0002"), "gdalwarp", "gdalwarp"),
    "oversized header": Refusal(rf.oversized_header, "raster.too_large", ("huge.tif", "100,000"), "gdalwarp",
                                "gdalwarp"),
    "one huge strip": Refusal(rf.one_big_strip, "raster.too_large", ("onestrip.tif", "5,000"), "TILED=YES",
                              "TILED=YES"),
    "file too big": Refusal(lambda d: rf.file_of_size(d, 3 * 1024**3), "raster.too_large", ("big.tif", "3,072 MB"),
                            "Clip", "裁剪"),
    "over a small cap": Refusal(rf.cog_like, "raster.too_large", ("cog.tif", "1,024"), "gdalwarp", "gdalwarp",
                                caps=RasterCaps(max_pixels=1000 * 1000)),
    "five bands": Refusal(rf.five_bands, "raster.bands", ("five.tif", "5"), "gdal_translate -b 1",
                          "gdal_translate -b 1"),
    "two bands": Refusal(rf.two_bands, "raster.bands", ("two.tif", "2"), "RGB", "RGB"),
    "complex pixels": Refusal(rf.complex_dtype, "raster.dtype", ("complex.tif", "complex64"), "gdal_translate -ot",
                              "gdal_translate -ot"),
    "16-bit rgb": Refusal(rf.rgb16, "raster.dtype", ("rgb16.tif", "uint16"), "-scale", "-scale"),
    "beijing": Refusal(rf.beijing, "raster.far_from_fuqing", ("beijing.tif", "116.3000", "39.8000"), "gdal_edit.py",
                       "gdal_edit.py"),
    "wrong gauss-krüger zone": Refusal(rf.wrong_gk_zone, "raster.far_from_fuqing", ("wrong_zone.tif",), "zone",
                                       "分带"),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_refusals(case: Refusal, tmp_path):
    path = case.make(tmp_path)
    with pytest.raises(RasterRejected) as info:
        check_raster(path, caps=case.caps)
    err = info.value
    assert err.code == case.code, err.en
    assert isinstance(err, ValueError) and isinstance(err, OneMapError)
    for name in case.names:
        assert name in err.en, (name, err.en)
        assert name in err.zh, (name, err.zh)
    assert case.fix_en in err.en and case.fix_zh in err.zh
    assert err.zh != err.en and any("\u4e00" <= ch <= "\u9fff" for ch in err.zh)
    assert err.context["path"] == str(path)
    if case.cause:
        assert isinstance(err.__cause__, (RasterioError, OSError))
        # The GDAL text is kept for the log, not shown to the user.
        assert err.context["detail"] and err.context["detail"] not in err.en


def test_oversized_header_is_refused_without_reading_pixels(tmp_path, monkeypatch):
    path = rf.oversized_header(tmp_path)
    assert path.stat().st_size < 2_000_000  # sparse: the header declares 10 G px, the file holds none

    def no_read(*args, **kwargs):
        raise AssertionError("check_raster read pixels")

    monkeypatch.setattr(DatasetReader, "read", no_read)
    monkeypatch.setattr(DatasetReader, "read_masks", no_read)
    t0 = time.perf_counter()
    with pytest.raises(RasterRejected) as info:
        check_raster(path)
    assert time.perf_counter() - t0 < 1.0
    assert info.value.code == "raster.too_large"
    assert info.value.context["value"] == (100_000, 100_000)


def test_good_files_are_checked_without_reading_pixels(tmp_path, monkeypatch):
    paths = [rf.good_4326(tmp_path), rf.good_32650(tmp_path), rf.cog_like(tmp_path), rf.rgb(tmp_path)]
    monkeypatch.setattr(DatasetReader, "read", lambda *a, **k: (_ for _ in ()).throw(AssertionError("read")))
    for p in paths:
        check_raster(p)


def test_good_4326(tmp_path):
    info = check_raster(rf.good_4326(tmp_path))
    assert (info.width, info.height, info.count, info.dtype) == (200, 200, 1, "float32")
    assert info.crs == "EPSG:4326"
    assert info.bounds_wgs84 == pytest.approx(rf.FUQING_BOX)
    assert info.nodata == rf.NODATA
    assert info.kind == "single"
    assert info.is_tiled and not info.has_overviews
    assert info.is_cog  # 200 px: small enough to need no overviews
    # 0.001° = ~100 m east-west and ~111 m north-south at 25.7°N.
    assert info.resolution_m[0] == pytest.approx(100.4, abs=1.0)
    assert info.resolution_m[1] == pytest.approx(110.8, abs=1.0)
    assert info.memory_bytes == 200 * 200 * 4
    with pytest.raises(FrozenInstanceError):
        info.width = 1  # type: ignore[misc]


def test_good_projected(tmp_path):
    info = check_raster(rf.good_32650(tmp_path))
    assert info.crs == "EPSG:32650"
    assert info.dtype == "int16" and info.nodata == -32768
    assert info.resolution_m == pytest.approx((100.0, 100.0), rel=0.002)  # UTM scale factor near 1 here
    lon0, lat0, lon1, lat1 = info.bounds_wgs84
    assert 119.29 < lon0 < 119.31 and 25.79 < lat1 < 25.81
    assert lon1 - lon0 == pytest.approx(0.2, abs=0.01)  # 20 km


def test_cog_and_rgb(tmp_path):
    cog = check_raster(rf.cog_like(tmp_path))
    assert cog.overview_factors == (2, 4) and cog.has_overviews and cog.is_cog
    strips = check_raster(rf.stripped(tmp_path))
    assert strips.is_tiled is False and strips.is_cog is False
    assert check_raster(rf.rgb(tmp_path)).kind == "rgb"
    assert check_raster(rf.rgb(tmp_path, "rgba.tif", alpha=True)).kind == "rgba"


def test_info_to_dict_is_json_ready(tmp_path):
    import json

    d = check_raster(rf.good_4326(tmp_path)).to_dict()
    assert json.loads(json.dumps(d))["bounds_wgs84"] == list(d["bounds_wgs84"])


ZOOMS = [
    # native m/px, expected max zoom (Web-Mercator px at 25.7°N: z13 17.2 m, z14 8.6 m, z16 2.15 m)
    (100.0, 11),  # z11 = 68.8 m is the first finer than 100 m
    (17.3, 13),
    (17.1, 14),
    (2.0, 17),
    (0.05, ZOOM_CEILING),
    (5000.0, ZOOM_FLOOR),
]


@pytest.mark.parametrize("res, expected", ZOOMS)
def test_suggested_max_zoom(res, expected):
    _, max_zoom = suggest_zooms((119.3, 25.6, 119.5, 25.8), res)
    assert max_zoom == expected


def test_suggested_min_zoom():
    assert suggest_zooms((119.0, 25.2, 119.9, 26.0), 100.0)[0] == 8  # county: floor
    assert suggest_zooms((119.30, 25.60, 119.32, 25.62), 1.0)[0] == 14  # 0.02° spans one tile at z14


def test_near_fuqing_box():
    assert NEAR_FUQING_BOUNDS == pytest.approx((118.8, 25.0, 120.1, 26.2))


def test_refusal_pickles(tmp_path):
    import pickle

    with pytest.raises(RasterRejected) as info:
        check_raster(rf.beijing(tmp_path))
    back = pickle.loads(pickle.dumps(info.value))
    assert (back.code, back.zh, type(back)) == (info.value.code, info.value.zh, RasterRejected)
