"""The shipped sample rasters: registered metadata, files, provenance, determinism, values."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import rasterio

from geo.basegeo import LAND_CLIP_BOUNDS, bays, distance_to_shore_m, is_on_land
from geo.raster.colormap import COLORMAPS
from geo.raster.samples import SAMPLE_RASTERS, sample_path
from geo.raster.style import RasterStyle
from geo.raster.check import check_raster
from geo.raster.tiles import render_tile
from geo.raster.samples import RASTER_DIR, build_synthetic_index
from geo.raster.tiles import tiles_covering as tiles_for_bounds

MANIFEST = json.loads((RASTER_DIR / "MANIFEST.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("sample", SAMPLE_RASTERS, ids=lambda s: s.key)
def test_sample_metadata_and_file(sample):
    assert sample.colormap in COLORMAPS and sample.vmin < sample.vmax
    assert sample.name_zh and sample.name_en and sample.description_zh and sample.description_en
    assert sample.licence and sample.attribution
    assert sample_path(sample.key) == sample.path == RASTER_DIR / sample.file
    assert sample.path.stat().st_size < 1_000_000
    RasterStyle.from_dict(sample.style())  # a valid style
    info = check_raster(sample.path)
    assert info.has_overviews and info.is_cog
    tags = dict(info.tags)
    assert tags["SYNTHETIC"] == ("yes" if sample.is_synthetic else "no")
    assert info.is_synthetic == sample.is_synthetic
    if sample.is_synthetic:
        assert "合成示例" in sample.name_zh and "synthetic" in sample.name_en.lower()
        assert "SYNTHETIC" in tags["TITLE"] and "合成示例" in tags["DESCRIPTION"]


def test_sample_keys_are_unique_and_documented():
    keys = [s.key for s in SAMPLE_RASTERS]
    assert len(set(keys)) == len(keys) == 2
    readme = (RASTER_DIR / "README.md").read_text(encoding="utf-8")
    for s in SAMPLE_RASTERS:
        assert s.file in readme
    assert "ODbL" in readme and "OpenStreetMap" in readme and "合成" in readme
    with pytest.raises(KeyError, match="distance_to_shore"):
        sample_path("nope")


@pytest.mark.parametrize("name", sorted(MANIFEST["files"]))
def test_manifest_hashes(name):
    assert hashlib.sha256((RASTER_DIR / name).read_bytes()).hexdigest() == MANIFEST["files"][name]["sha256"]


def test_synthetic_index_rebuilds_identically(tmp_path):
    out = build_synthetic_index(tmp_path / "synthetic_index.tif")
    shipped = RASTER_DIR / "synthetic_index.tif"
    if MANIFEST["gdal"] == rasterio.__gdal_version__:
        assert out.read_bytes() == shipped.read_bytes()
    with rasterio.open(out) as a, rasterio.open(shipped) as b:
        assert np.array_equal(a.read(1), b.read(1)) and a.tags() == b.tags()


def test_synthetic_blobs_are_in_the_bays():
    with rasterio.open(sample_path("synthetic_index")) as src:
        data = src.read(1)
        rows, cols = np.nonzero(data > 40)
        xs, ys = rasterio.transform.xy(src.transform, rows, cols)
        assert not is_on_land(np.array(xs), np.array(ys)).any()
        valid = data[data != src.nodata]
        assert 0 <= valid.min() and valid.max() <= 100
    b = bays()
    near_bay = [any(g.distance(__import__("shapely").Point(x, y)) < 0.02 for g in b.values()) for x, y in zip(xs, ys)]
    assert np.mean(near_bay) > 0.95


SHORE_POINTS = [
    (119.38, 25.72),  # city centre: land
    (119.50, 25.65),  # Fuqing Bay: sea
    (119.30, 25.45),  # Xinghua Bay: sea
    (119.20, 25.60),  # inland west
]


@pytest.mark.parametrize("lon, lat", SHORE_POINTS)
def test_distance_to_shore_values(lon, lat):
    from pyproj import Transformer

    with rasterio.open(sample_path("distance_to_shore")) as src:
        x, y = Transformer.from_crs("EPSG:4326", src.crs, always_xy=True).transform(lon, lat)
        value = float(next(src.sample([(x, y)]))[0])
        assert value != src.nodata
    expected = distance_to_shore_m(lon, lat) * (-1 if is_on_land(lon, lat) else 1)
    # 100 m pixels (≤ 71 m from a pixel centre), 10 m rounding, and the
    # shoreline()/land-box edge differences: within 100 m.
    assert value == pytest.approx(expected, abs=100.0)


def test_distance_raster_covers_the_land_box():
    info = check_raster(sample_path("distance_to_shore"))
    assert info.crs == "EPSG:32650" and info.resolution_m == pytest.approx((100, 100), rel=0.01)
    b = info.bounds_wgs84
    assert b[0] <= LAND_CLIP_BOUNDS[0] and b[1] <= LAND_CLIP_BOUNDS[1]
    assert b[2] >= LAND_CLIP_BOUNDS[2] and b[3] >= LAND_CLIP_BOUNDS[3]


@pytest.mark.parametrize("sample", SAMPLE_RASTERS, ids=lambda s: s.key)
def test_samples_render(sample):
    import io

    from PIL import Image

    t = tiles_for_bounds((119.30, 25.45, 119.30, 25.45), 11)[0]  # Xinghua Bay
    png = render_tile(sample.path, *t, style=sample.style())
    assert png is not None
    tile = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    assert (tile[..., 3] > 0).mean() > 0.3
