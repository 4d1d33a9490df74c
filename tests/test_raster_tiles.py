"""Tiles: Mercator maths, where pixels land (WGS84 and GCJ-02), bounded reads, overviews, pyramids, colour maps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from PIL import Image
from rasterio.io import DatasetReader

from geo.crs import wgs84_to_gcj02
from geo.errors import RasterRenderError, ValidationError
from geo.raster.colormap import COLORMAPS, apply_colormap, css_gradient, legend
from geo.raster.pyramid import TILES_JSON, render_pyramid
from geo.raster.style import RasterStyle, resolve_style
from geo.raster.overviews import ensure_overviews
from geo.raster.tiles import render_tile
from geo.raster.tilemath import tile_bounds_3857, tiles_for_bounds
from geo.raster.colormap import LUT_SIZE, ColorMap, colormap_lut, validate_colormap
from geo.raster.overviews import COPY_WINDOW, overview_factors
from geo.raster.pyramid import encode_png, plan_zooms
from geo.raster.style import STATS_MAX_SIDE, value_range
from geo.raster.tilemath import (ORIGIN_SHIFT, TILE_SIZE, lonlat_from_3857, lonlat_to_3857, lonlat_to_global_px,
                                 tile_range)
from geo.raster.tiles import gcj02_fit_error
from tests import raster_factories as rf

NEAREST = RasterStyle("greys", vmin=0.0, vmax=100.0, resampling="nearest")


# --------------------------------------------------------------------------
# Tile maths
# --------------------------------------------------------------------------
def test_tile_bounds_and_ranges():
    assert tile_bounds_3857(0, 0, 0) == pytest.approx((-ORIGIN_SHIFT, -ORIGIN_SHIFT, ORIGIN_SHIFT, ORIGIN_SHIFT))
    assert tile_bounds_3857(1, 1, 0) == pytest.approx((0, 0, ORIGIN_SHIFT, ORIGIN_SHIFT))
    assert tiles_for_bounds((-180, -85, 180, 85), 0) == [(0, 0, 0)]
    assert tiles_for_bounds((-180, -85, 180, 85), 1) == [(1, 0, 0), (1, 1, 0), (1, 0, 1), (1, 1, 1)]
    # A bound exactly on a tile edge does not pull in the neighbour.
    assert tiles_for_bounds((0.0, 1.0, 0.0 + 1e-12, 2.0), 1) == [(1, 1, 0)]
    assert tiles_for_bounds((-1.0, 1.0, 0.0, 2.0), 1) == [(1, 0, 0)]
    # Fuqing city centre at z12: the OSM wiki formula gives x = 3406.28, y = (1 - asinh(tan φ)/π)/2·2^12 = 1745.009.
    assert tiles_for_bounds((119.38, 25.72, 119.38, 25.72), 12) == [(12, 3406, 1745)]
    lon, lat = lonlat_from_3857(*lonlat_to_3857(119.38, 25.72))
    assert (lon, lat) == pytest.approx((119.38, 25.72))


# --------------------------------------------------------------------------
# Where a known pixel lands
# --------------------------------------------------------------------------
def _hot_site(z: int, fx: float = 0.41, fy: float = 0.57):
    """A lon/lat well inside a tile near the city, and that tile."""
    _, x, y = tiles_for_bounds((119.40, 25.70, 119.40, 25.70), z)[0]
    xmin, ymin, xmax, ymax = tile_bounds_3857(z, x, y)
    return lonlat_from_3857(xmin + fx * (xmax - xmin), ymax - fy * (ymax - ymin))


def _centroid_px(rgba: np.ndarray, z: int, x: int, y: int, hot=(0, 0, 0)) -> tuple[float, float]:
    """Global-pixel centroid of the pixels darker than half (the hot pixel in 'greys')."""
    dark = (rgba[..., 3] > 0) & (rgba[..., :3].astype(int).sum(axis=-1) < 3 * 128)
    rows, cols = np.nonzero(dark)
    assert rows.size, "hot pixel not drawn"
    return x * TILE_SIZE + cols.mean() + 0.5, y * TILE_SIZE + rows.mean() + 0.5


@pytest.mark.parametrize("style", [NEAREST, RasterStyle("greys", 0.0, 100.0, "bilinear")], ids=["nearest", "bilinear"])
def test_hot_pixel_lands_where_mercator_says(tmp_path, style):
    z = 16
    lon, lat = _hot_site(z)
    path = rf.hot_pixel(tmp_path, lon, lat)
    _, tx, ty = tiles_for_bounds((lon, lat, lon, lat), z)[0]
    with rasterio.open(path) as src:
        rgba = render_tile(src, z, tx, ty, style=style)
    assert rgba.shape == (256, 256, 4) and rgba.dtype == np.uint8
    cx, cy = _centroid_px(rgba, z, tx, ty)
    ex, ey = lonlat_to_global_px(lon, lat, z)
    assert abs(cx - ex) <= 1.0 and abs(cy - ey) <= 1.0, ((cx, cy), (ex, ey))


def test_hot_pixel_from_a_projected_raster(tmp_path):
    z = 15
    lon, lat = _hot_site(z)
    from pyproj import Transformer

    e, n = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True).transform(lon, lat)
    # Build it in UTM: the hot pixel's centre is exactly (e, n).
    path = rf.hot_pixel(tmp_path, e, n, pixel_deg=10.0, crs="EPSG:32650")
    _, tx, ty = tiles_for_bounds((lon, lat, lon, lat), z)[0]
    with rasterio.open(path) as src:
        rgba = render_tile(src, z, tx, ty, style=NEAREST)
    cx, cy = _centroid_px(rgba, z, tx, ty)
    ex, ey = lonlat_to_global_px(lon, lat, z)
    assert abs(cx - ex) <= 1.0 and abs(cy - ey) <= 1.0


def test_gcj02_display_puts_the_pixel_at_its_gcj02_position(tmp_path):
    z = 16
    lon, lat = _hot_site(z)
    path = rf.hot_pixel(tmp_path, lon, lat)
    glon, glat = wgs84_to_gcj02(lon, lat)
    _, tx, ty = tiles_for_bounds((glon, glat, glon, glat), z)[0]
    with rasterio.open(path) as src:
        rgba = render_tile(src, z, tx, ty, style=NEAREST, display="gcj02")
    cx, cy = _centroid_px(rgba, z, tx, ty)
    ex, ey = lonlat_to_global_px(glon, glat, z)
    wx, wy = lonlat_to_global_px(lon, lat, z)
    assert abs(cx - ex) <= 1.0 and abs(cy - ey) <= 1.0, ((cx, cy), (ex, ey))
    assert np.hypot(ex - wx, ey - wy) > 100  # the shift (~500 m) is real at this zoom


@pytest.mark.parametrize("z, max_m, max_px", [(10, 30.0, 0.25), (12, 5.0, 0.25), (13, 1.0, 0.1), (14, 0.3, 0.05),
                                              (16, 0.05, 0.01)])
def test_gcj02_affine_per_tile_is_accurate(z, max_m, max_px):
    """Fit error of the per-tile affine against the exact iterative inverse, corners and centre included.

    The GCJ-02 shift contains a 1/3° wave of ~13 m, so large tiles cannot
    be sub-metre; in pixels the error is always a small fraction.
    """
    x0, y0, x1, y1 = tile_range((119.06, 25.31, 119.68, 25.85), z)
    xs = sorted({x0, (x0 + x1) // 2, x1})
    ys = sorted({y0, (y0 + y1) // 2, y1})
    worst_m, worst_px = np.max([gcj02_fit_error(z, x, y) for x in xs for y in ys], axis=0)
    assert worst_m < max_m and worst_px < max_px


# --------------------------------------------------------------------------
# Bounded reads and overviews
# --------------------------------------------------------------------------
class ReadSpy:
    """Record every DatasetReader.read call's window size and out_shape."""

    def __init__(self, monkeypatch):
        self.calls = []
        original = DatasetReader.read

        def spy(ds, indexes=None, out=None, window=None, masked=False, out_shape=None, **kw):
            self.calls.append((ds.width, ds.height, window, out_shape))
            return original(ds, indexes, out=out, window=window, masked=masked, out_shape=out_shape, **kw)

        monkeypatch.setattr(DatasetReader, "read", spy)


def test_a_tile_never_reads_the_full_raster(tmp_path, monkeypatch):
    path = rf.cog_like(tmp_path, size=2048)
    style = RasterStyle("viridis", 0.0, 100.0)
    spy = ReadSpy(monkeypatch)
    with rasterio.open(path) as src:
        z9 = tiles_for_bounds(rf.FUQING_BOX, 9)
        z14 = tiles_for_bounds(rf.FUQING_BOX, 14)[:20]
        for t in z9 + z14:
            render_tile(src, *t, style=style)
    assert spy.calls
    for width, height, window, out_shape in spy.calls:
        assert window is not None, "a read without a window reads everything"
        rows, cols = out_shape[-2:] if out_shape else (window.height, window.width)
        assert rows <= 300 and cols <= 300, (window, out_shape)
        assert window.width * window.height < 0.1 * width * height or (rows * cols < 0.02 * width * height)


def test_low_zoom_tiles_come_from_the_overview(tmp_path):
    """Overviews hold 10, the full resolution 90: the colour tells which one GDAL read."""
    path = rf.write(tmp_path / "two_faces.tif", np.full((2048, 2048), 10.0, "float32"), overviews=(2, 4, 8))
    with rasterio.open(path, "r+") as dst:
        dst.write(np.full((2048, 2048), 90.0, "float32"), 1)
    style = RasterStyle("greys", 0.0, 100.0)
    colour = {v: tuple(apply_colormap(np.array([[v]]), "greys", 0.0, 100.0)[0, 0]) for v in (10.0, 90.0)}
    lon, lat = 119.40, 25.70
    with rasterio.open(path) as src:
        low = render_tile(src, *tiles_for_bounds((lon, lat, lon, lat), 10)[0], style=style)
        high = render_tile(src, *tiles_for_bounds((lon, lat, lon, lat), 17)[0], style=style)
    for tile, value in ((low, 10.0), (high, 90.0)):
        opaque = tile[tile[..., 3] > 0]
        assert opaque.size and (opaque == colour[value]).all(), value


def test_ensure_overviews_builds_them_blockwise(tmp_path, monkeypatch):
    src_path = rf.stripped(tmp_path, size=1500)
    spy = ReadSpy(monkeypatch)
    out = ensure_overviews(src_path, tmp_path / "stored.tif")
    assert out == tmp_path / "stored.tif"
    rows, cols = COPY_WINDOW
    assert all(w is not None and w.height <= rows and w.width <= cols for _, _, w, _ in spy.calls)
    monkeypatch.undo()
    with rasterio.open(src_path) as a, rasterio.open(out) as b:
        assert b.overviews(1) == overview_factors(1500, 1500) == [2, 4, 8]
        assert b.block_shapes[0] == (512, 512)
        assert b.compression.name.lower() == "deflate"
        assert (b.crs, b.transform, b.nodata) == (a.crs, a.transform, a.nodata)
        assert np.array_equal(a.read(1), b.read(1))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_ensure_overviews_keeps_a_cog_as_it_is(tmp_path):
    src_path = rf.cog_like(tmp_path)
    out = ensure_overviews(src_path, tmp_path / "stored.tif")
    assert out.read_bytes() == src_path.read_bytes()
    with rasterio.open(out) as b:
        assert b.overviews(1) == [2, 4]


def test_ensure_overviews_keeps_alpha_and_tags(tmp_path):
    src_path = rf.rgb(tmp_path, "rgba.tif", size=600, alpha=True)
    with rasterio.open(src_path, "r+") as d:
        d.update_tags(SYNTHETIC="yes")
    out = ensure_overviews(src_path, tmp_path / "stored.tif")
    with rasterio.open(src_path) as a, rasterio.open(out) as b:
        assert b.colorinterp == a.colorinterp
        assert b.tags()["SYNTHETIC"] == "yes"
        assert b.overviews(1) == [2, 4]
        assert np.array_equal(a.read(), b.read())


def test_ensure_overviews_failure_leaves_nothing(tmp_path):
    with pytest.raises(RasterRenderError) as info:
        ensure_overviews(rf.good_4326(tmp_path), tmp_path / "missing_dir" / "x.tif")
    assert info.value.code == "raster.store_failed"
    assert "missing_dir" in info.value.en and "missing_dir" in info.value.zh
    assert not (tmp_path / "missing_dir").exists()


# --------------------------------------------------------------------------
# Pyramids
# --------------------------------------------------------------------------
def _mosaic_extent(out: Path, z: int) -> tuple[float, float, float, float]:
    """Global-pixel extent (left, top, right, bottom edges) of non-transparent pixels at zoom z."""
    xs, ys = [], []
    for png in (out / str(z)).glob("*/*.png"):
        x, y = int(png.parent.name), int(png.stem)
        a = np.asarray(Image.open(png).convert("RGBA"))[..., 3]
        rows, cols = np.nonzero(a)
        xs += [x * 256 + cols.min(), x * 256 + cols.max() + 1]
        ys += [y * 256 + rows.min(), y * 256 + rows.max() + 1]
    return min(xs), min(ys), max(xs), max(ys)


@pytest.mark.parametrize("make", [
    lambda d: rf.write(d / "full.tif", rf.gradient(300, 300)),
    lambda d: rf.good_32650(d, size=150),
], ids=["EPSG:4326", "EPSG:32650"])
def test_pyramid_bounds_match_the_raster(tmp_path, make):
    path = make(tmp_path)
    with rasterio.open(path) as src:
        from rasterio.warp import transform_bounds

        b = transform_bounds(src.crs, "EPSG:4326", *src.bounds, densify_pts=21)
    out = tmp_path / "tiles"
    res = render_pyramid(path, out, style=NEAREST, min_zoom=10, max_zoom=13)
    doc = json.loads((out / TILES_JSON).read_text(encoding="utf-8"))
    assert doc["bounds"] == pytest.approx(list(b), abs=1e-6)
    assert res.bounds_wgs84 == pytest.approx(b, abs=1e-6)
    z = 13
    left, top, right, bottom = _mosaic_extent(out, z)
    el, et = lonlat_to_global_px(b[0], b[3], z)
    er, eb = lonlat_to_global_px(b[2], b[1], z)
    if "32650" in path.name:
        # A UTM square is not a lon/lat box: its WGS84 bounds touch only its corners.
        assert left >= el - 1 and top >= et - 1 and right <= er + 1 and bottom <= eb + 1
        assert min(abs(left - el), abs(right - er)) <= 1 and min(abs(top - et), abs(bottom - eb)) <= 1
    else:
        for got, want in ((left, el), (top, et), (right, er), (bottom, eb)):
            assert abs(got - want) <= 1.0, (got, want)


def test_pyramid_files_tiles_json_and_progress(tmp_path):
    path = rf.good_4326(tmp_path)
    calls = []
    out = tmp_path / "layer" / "wgs84"
    res = render_pyramid(path, out, style={"colormap": "ylorrd", "unit": "mg/L"}, min_zoom=9, max_zoom=12,
                         progress=lambda d, t: calls.append((d, t)))
    doc = json.loads((out / TILES_JSON).read_text(encoding="utf-8"))
    assert set(doc) >= {"format", "tile_size", "url_template", "display", "bounds", "min_zoom", "max_zoom",
                        "tile_count", "style", "legend", "zoom_lowered", "max_zoom_requested", "source"}
    assert (doc["min_zoom"], doc["max_zoom"], doc["display"], doc["url_template"]) == (9, 12, "wgs84", "{z}/{x}/{y}.png")
    pngs = sorted(out.glob("*/*/*.png"))
    assert len(pngs) == doc["tile_count"] == res.tile_count > 0
    assert sum(p.stat().st_size for p in pngs) == res.bytes_written == doc["bytes"]
    assert calls[-1] == (res.tiles_considered, res.tiles_considered) and len(calls) == res.tiles_considered
    assert [d for d, _ in calls] == list(range(1, len(calls) + 1))
    # Value range came from statistics; the legend uses it.
    assert doc["style"]["vmin"] < doc["style"]["vmax"]
    assert doc["legend"][0][0].endswith("mg/L") and len(doc["legend"]) == 5
    # Colour-mapped tiles are palette PNGs with transparency.
    img = Image.open(pngs[0])
    assert img.mode == "P"
    assert not any(p.name.startswith(".") for p in (tmp_path / "layer").iterdir())


def test_pyramid_lowers_max_zoom_to_the_cap(tmp_path):
    path = rf.good_4326(tmp_path)
    res = render_pyramid(path, tmp_path / "t", style=NEAREST, min_zoom=10, max_zoom=16, max_tiles=60)
    assert res.zoom_lowered and res.max_zoom_requested == 16 and res.max_zoom < 16
    assert res.tiles_considered <= 60
    _, counts = plan_zooms(rf.FUQING_BOX, 10, 16, 60)
    assert sum(counts.values()) == res.tiles_considered and max(counts) == res.max_zoom
    with pytest.raises(RasterRenderError) as info:
        render_pyramid(path, tmp_path / "u", style=NEAREST, min_zoom=14, max_zoom=14, max_tiles=10)
    assert info.value.code == "raster.too_many_tiles" and "10" in info.value.zh
    assert not (tmp_path / "u").exists()


def test_pyramid_replaces_atomically_and_survives_a_failure(tmp_path, monkeypatch):
    path = rf.good_4326(tmp_path)
    out = tmp_path / "t"
    first = render_pyramid(path, out, style=NEAREST, min_zoom=10, max_zoom=11)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    import geo.raster.pyramid as pyramid

    real = pyramid.render_tile
    n = {"tiles": 0}

    def flaky(*a, **k):
        n["tiles"] += 1
        if n["tiles"] > 3:
            raise OSError(28, "No space left on device")
        return real(*a, **k)

    monkeypatch.setattr(pyramid, "render_tile", flaky)
    with pytest.raises(RasterRenderError) as info:
        render_pyramid(path, out, style=RasterStyle("blues", 0, 100), min_zoom=10, max_zoom=12)
    assert info.value.code == "raster.store_failed" and "No space left" in info.value.en
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["good_4326.tif", "t"])
    monkeypatch.undo()
    second = render_pyramid(path, out, style=RasterStyle("blues", 0, 100), min_zoom=10, max_zoom=10)
    assert json.loads((out / TILES_JSON).read_text())["max_zoom"] == 10 != first.max_zoom
    assert not (out / "11").exists() and second.tile_count > 0


def test_gcj02_pyramid_covers_the_shifted_extent(tmp_path):
    path = rf.write(tmp_path / "full.tif", rf.gradient(300, 300))
    res = render_pyramid(path, tmp_path / "g", style=NEAREST, min_zoom=12, max_zoom=12, display="gcj02")
    doc = json.loads((tmp_path / "g" / TILES_JSON).read_text())
    assert doc["display"] == "gcj02"
    gx, gy = wgs84_to_gcj02(np.array(rf.FUQING_BOX[0::2]), np.array(rf.FUQING_BOX[1::2]))
    db = doc["display_bounds"]
    assert db[0] <= gx.min() and db[1] <= gy.min() and db[2] >= gx.max() and db[3] >= gy.max()
    assert db == pytest.approx([gx[0], gy[0], gx[1], gy[1]], abs=3e-4)  # the shift varies ~20 m along an edge
    left, top, right, bottom = _mosaic_extent(tmp_path / "g", 12)
    gl, gt = lonlat_to_global_px(*wgs84_to_gcj02(rf.FUQING_BOX[0], rf.FUQING_BOX[3]), 12)
    assert abs(left - gl) <= 1 and abs(top - gt) <= 1
    assert res.tile_count > 0


def test_rgba_tiles_keep_transparency(tmp_path):
    path = rf.rgb(tmp_path, "rgba.tif", size=256, alpha=True)
    _, x, y = tiles_for_bounds((119.40, 25.70, 119.40, 25.70), 12)[0]
    with rasterio.open(path) as src:
        tile = render_tile(src, 12, x, y)
    assert tile is not None
    opaque_cols = np.nonzero(tile[..., 3].max(axis=0))[0]
    lon_mid = (rf.FUQING_BOX[0] + rf.FUQING_BOX[2]) / 2
    mid_px, _ = lonlat_to_global_px(lon_mid, 25.7, 12)
    assert opaque_cols.min() >= mid_px - x * 256 - 1  # the transparent west half stays transparent


def test_empty_tiles_are_none_and_bad_options_are_refused(tmp_path):
    path = rf.good_4326(tmp_path)
    with rasterio.open(path) as src:
        assert render_tile(src, 12, 0, 0, style=NEAREST) is None
        with pytest.raises(ValidationError) as info:
            render_tile(src, 12, 0, 0, style=NEAREST, display="bd09")
        assert info.value.code == "raster.display_unknown"
    with pytest.raises(ValidationError) as info:
        render_pyramid(path, tmp_path / "t", style=NEAREST, min_zoom=12, max_zoom=10)
    assert info.value.code == "raster.zoom_range"
    with pytest.raises(ValidationError) as info:
        RasterStyle("rainbow")
    assert info.value.code == "raster.colormap_unknown" and "viridis" in info.value.zh


def test_png_encoding_is_lossless():
    rng = np.random.default_rng(3)
    mapped = apply_colormap(rng.normal(size=(256, 256)), "viridis", -2, 2)
    mapped[:20] = 0
    many = rng.integers(0, 256, (256, 256, 4), dtype=np.uint8)
    for rgba, mode in ((mapped, "P"), (many, "RGBA")):
        img = Image.open(__import__("io").BytesIO(encode_png(rgba)))
        assert img.mode == mode
        assert np.array_equal(np.asarray(img.convert("RGBA")), rgba)


# --------------------------------------------------------------------------
# Colour maps, legends, statistics
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", COLORMAPS)
def test_every_colormap_is_well_formed(name):
    assert validate_colormap(COLORMAPS[name]) == []
    lut = colormap_lut(name)
    assert lut.shape == (LUT_SIZE, 4) and (lut[:, 3] == 255).all()
    assert css_gradient(name).startswith("linear-gradient(")


def test_the_colormap_check_can_fail():
    bad = ColorMap("Bad Key", "", "x", "", "", ((0.2, "#12345"), (0.1, "red")))
    assert len(validate_colormap(bad)) >= 4


def test_apply_colormap_transparency_and_clipping():
    a = np.array([[0.0, 50.0, 100.0], [np.nan, -9999.0, 1e9]])
    rgba = apply_colormap(a, "viridis", 0.0, 100.0, nodata=-9999.0)
    assert rgba[0, 0].tolist() == [0x44, 0x01, 0x54, 255]
    assert rgba[0, 2].tolist() == [0xFD, 0xE7, 0x25, 255]
    assert rgba[1, 0, 3] == 0 and rgba[1, 1, 3] == 0
    assert rgba[1, 2].tolist() == rgba[0, 2].tolist()  # clipped to vmax
    masked = np.ma.masked_array([[1.0, 2.0]], mask=[[True, False]])
    assert apply_colormap(masked, "blues", 0, 2)[0, :, 3].tolist() == [0, 255]
    with pytest.raises(ValidationError):
        apply_colormap(a, "viridis", 5.0, 5.0)


def test_legend():
    assert legend("brbg", -10000, 10000, "m", n=3) == [("-10,000 m", "#543005"), ("0 m", "#f5f5f5"),
                                                        ("10,000 m", "#003c30")]
    assert [v for v, _ in legend("viridis", 0, 1)] == ["0.00", "0.25", "0.50", "0.75", "1.00"]
    assert [v for v, _ in legend("viridis", 0.1, 0.7, "mg/L", n=4)] == ["0.1 mg/L", "0.3 mg/L", "0.5 mg/L", "0.7 mg/L"]


def test_value_range_comes_from_a_decimated_read(tmp_path, monkeypatch):
    data = rf.gradient(3000, 3000)
    data[:1500, :1500] = rf.NODATA
    path = rf.write(tmp_path / "big.tif", data, nodata=rf.NODATA, overviews=(2, 4, 8))
    spy = ReadSpy(monkeypatch)
    with rasterio.open(path) as src:
        lo, hi = value_range(src)
        style = resolve_style(src, {"colormap": "brbg"})
    assert all(max(shape[-2:]) <= STATS_MAX_SIDE for _, _, _, shape in spy.calls)
    assert 25 < lo < 35 and 90 < hi <= 100  # the nodata quarter (values 0..50) is ignored
    assert (style.vmin, style.vmax) == (lo, hi)  # data does not span 0: not centred


def test_diverging_range_is_centred_on_zero(tmp_path):
    path = rf.write(tmp_path / "signed.tif", rf.gradient(100, 100) - 30.0)
    with rasterio.open(path) as src:
        style = resolve_style(src, RasterStyle("brbg"))
        kept = resolve_style(src, RasterStyle("brbg", vmin=-5.0))
    assert style.vmin == -style.vmax and style.vmax > 60
    assert kept.vmin == -5.0 and kept.vmax == style.vmax


def test_far_away_tiles_of_a_projected_raster_are_empty(tmp_path):
    with rasterio.open(rf.good_32650(tmp_path)) as src:
        assert render_tile(src, 3, 0, 0, style=NEAREST) is None  # Alaska, far outside UTM 50N
        assert render_tile(src, 10, 0, 1023, style=NEAREST) is None


def test_an_internal_mask_travels_and_hides_pixels(tmp_path):
    """A per-dataset mask (no nodata, no alpha) is copied by ensure_overviews and honoured by the tiles."""
    path = rf.write(tmp_path / "masked.tif", rf.gradient(300, 300))
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True), rasterio.open(path, "r+") as dst:
        mask = np.full((300, 300), 255, np.uint8)
        mask[:, :150] = 0  # west half masked
        dst.write_mask(mask)
    stored = ensure_overviews(path, tmp_path / "stored.tif")
    with rasterio.open(stored) as src:
        assert np.array_equal(src.dataset_mask(), mask)
        _, x, y = tiles_for_bounds((119.40, 25.70, 119.40, 25.70), 12)[0]
        tile = render_tile(src, 12, x, y, style=NEAREST)
    mid_px, _ = lonlat_to_global_px(119.40, 25.70, 12)
    opaque_cols = np.nonzero(tile[..., 3].max(axis=0))[0]
    assert opaque_cols.size and opaque_cols.min() >= mid_px - x * 256 - 1


def test_style_from_dict():
    assert RasterStyle.from_dict({"colormap": "blues", "vmin": "1", "vmax": 2, "extra": 1, "unit": None}) == \
        RasterStyle("blues", 1.0, 2.0)
    assert RasterStyle.from_dict(None) == RasterStyle()
    for bad, code in (({"vmin": "x"}, "raster.value_range"), ({"vmin": 3, "vmax": 1}, "raster.value_range"),
                      ({"resampling": "cubic"}, "raster.resampling_unknown")):
        with pytest.raises(ValidationError) as info:
            RasterStyle.from_dict(bad)
        assert info.value.code == code
