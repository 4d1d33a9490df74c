"""Tiles on request: where pixels land (WGS84 and GCJ-02), bounded reads, overviews, colour maps, the tile cache."""

from __future__ import annotations

import io
import math
import os

import numpy as np
import pytest
import rasterio
from PIL import Image
from rasterio.io import DatasetReader
from rasterio.vrt import WarpedVRT

from geo.crs import wgs84_to_gcj02
from geo.errors import RasterRenderError, ValidationError
from geo.raster.colormap import COLORMAPS, ColorMap, colormap_rgb, css_gradient, legend, validate_colormap
from geo.raster.overlays import display_bounds, overlay_for, resolved_style, tile_png
from geo.raster.overviews import COPY_WINDOW, ensure_overviews, overview_factors
from geo.raster.records import RasterLayer
from geo.raster.style import STATS_MAX_SIDE, RasterStyle, resolve_style, value_range
from geo.raster.tilecache import NO_DATA, TileCache
from geo.raster.tiles import TILE_SIZE, WEB_MERCATOR, check_tile, gcj02_fit_error, render_tile, tiles_covering
from tests import raster_factories as rf

NEAREST = RasterStyle("greys", vmin=0.0, vmax=100.0, resampling="nearest")
ORIGIN_SHIFT = math.pi * 6378137.0


def tiles_for_bounds(bounds, z):
    return tiles_covering(bounds, z)


def lonlat_to_global_px(lon, lat, z):
    """Global pixel position at zoom z (the OSM "slippy map" formula, independent of the code under test)."""
    n = TILE_SIZE * 2 ** z
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def tile_bounds_3857(z, x, y):
    b = WEB_MERCATOR.xy_bounds(x, y, z)
    return b.left, b.bottom, b.right, b.top


def lonlat_from_3857(mx, my):
    return mx / ORIGIN_SHIFT * 180.0, math.degrees(2 * math.atan(math.exp(my / 6378137.0)) - math.pi / 2)


def render(path, z, x, y, **kw):
    """The tile as an RGBA array (None when it shows no data)."""
    png = render_tile(path, z, x, y, **kw)
    if png is None:
        return None
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


# --------------------------------------------------------------------------
# The tile grid (morecantile)
# --------------------------------------------------------------------------
def test_tile_grid():
    assert tiles_for_bounds((-180, -85, 180, 85), 0) == [(0, 0, 0)]
    assert sorted(tiles_for_bounds((-180, -85, 180, 85), 1)) == [(1, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1)]
    # Fuqing city centre at z12: the OSM wiki formula gives x = 3406.28, y = 1745.009.
    assert tiles_for_bounds((119.38, 25.72, 119.38, 25.72), 12) == [(12, 3406, 1745)]
    assert [int(v // 256) for v in lonlat_to_global_px(119.38, 25.72, 12)] == [3406, 1745]
    assert check_tile(0, 0, 0) and check_tile(22, 2**22 - 1, 0)
    assert not check_tile(23, 0, 0) and not check_tile(3, 8, 0) and not check_tile(-1, 0, 0)


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
    rgba = render(path, z, tx, ty, style=style)
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
    rgba = render(path, z, tx, ty, style=NEAREST)
    cx, cy = _centroid_px(rgba, z, tx, ty)
    ex, ey = lonlat_to_global_px(lon, lat, z)
    assert abs(cx - ex) <= 1.0 and abs(cy - ey) <= 1.0


def test_gcj02_display_puts_the_pixel_at_its_gcj02_position(tmp_path):
    z = 16
    lon, lat = _hot_site(z)
    path = rf.hot_pixel(tmp_path, lon, lat)
    glon, glat = wgs84_to_gcj02(lon, lat)
    _, tx, ty = tiles_for_bounds((glon, glat, glon, glat), z)[0]
    rgba = render(path, z, tx, ty, style=NEAREST, display="gcj02")
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
    tiles = tiles_for_bounds((119.06, 25.31, 119.68, 25.85), z)
    x0, x1 = min(t[1] for t in tiles), max(t[1] for t in tiles)
    y0, y1 = min(t[2] for t in tiles), max(t[2] for t in tiles)
    xs = sorted({x0, (x0 + x1) // 2, x1})
    ys = sorted({y0, (y0 + y1) // 2, y1})
    worst_m, worst_px = np.max([gcj02_fit_error(z, x, y) for x in xs for y in ys], axis=0)
    assert worst_m < max_m and worst_px < max_px


# --------------------------------------------------------------------------
# Bounded reads and overviews
# --------------------------------------------------------------------------
class ReadSpy:
    """Record every read's dataset size, window and out_shape (files and rio-tiler's warped views)."""

    def __init__(self, monkeypatch, classes=(DatasetReader,)):
        self.calls = []
        for cls in classes:
            original = cls.read

            def spy(ds, indexes=None, out=None, window=None, masked=False, out_shape=None, _original=original, **kw):
                self.calls.append((ds.width, ds.height, window, out_shape))
                return _original(ds, indexes, out=out, window=window, masked=masked, out_shape=out_shape, **kw)

            monkeypatch.setattr(cls, "read", spy)


def test_a_tile_never_reads_the_full_raster(tmp_path, monkeypatch):
    """Every read rio-tiler makes for a tile is about tile-sized: GDAL serves it from an overview or a window."""
    path = rf.cog_like(tmp_path, size=2048)
    style = RasterStyle("viridis", 0.0, 100.0)
    spy = ReadSpy(monkeypatch, (DatasetReader, WarpedVRT))
    z9 = tiles_for_bounds(rf.FUQING_BOX, 9)
    z14 = tiles_for_bounds(rf.FUQING_BOX, 14)[:20]
    for t in z9 + z14:
        for frame in ("wgs84", "gcj02"):
            render_tile(path, *t, style=style, display=frame)
    assert spy.calls
    for width, height, window, out_shape in spy.calls:
        rows, cols = out_shape[-2:] if out_shape else (window.height, window.width)
        assert rows <= 300 and cols <= 300, (window, out_shape)


def test_low_zoom_tiles_come_from_the_overview(tmp_path):
    """Overviews hold 10, the full resolution 90: the colour tells which one GDAL read."""
    path = rf.write(tmp_path / "two_faces.tif", np.full((2048, 2048), 10.0, "float32"), overviews=(2, 4, 8))
    with rasterio.open(path, "r+") as dst:
        dst.write(np.full((2048, 2048), 90.0, "float32"), 1)
    style = RasterStyle("greys", 0.0, 100.0)
    colour = {v: tuple(colormap_rgb("greys")[round(v / 100 * 255)]) for v in (10.0, 90.0)}
    lon, lat = 119.40, 25.70
    for frame in ("wgs84", "gcj02"):
        low = render(path, *tiles_for_bounds((lon, lat, lon, lat), 10)[0], style=style, display=frame)
        high = render(path, *tiles_for_bounds((lon, lat, lon, lat), 17)[0], style=style, display=frame)
        for tile, value in ((low, 10.0), (high, 90.0)):
            opaque = tile[tile[..., 3] > 0][:, :3]
            assert opaque.size and (np.abs(opaque.astype(int) - colour[value]) <= 1).all(), (frame, value)


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
# Every zoom, no pre-rendering: what the map asks for is drawn
# --------------------------------------------------------------------------
@pytest.mark.parametrize("z", [4, 7, 9, 13, 17, 20, 22])  # below z4 the county is under a pixel
def test_tiles_exist_at_every_zoom(tmp_path, z):
    path = rf.good_4326(tmp_path)
    lon, lat = (rf.FUQING_BOX[0] + rf.FUQING_BOX[2]) / 2, (rf.FUQING_BOX[1] + rf.FUQING_BOX[3]) / 2
    for frame in ("wgs84", "gcj02"):
        glon, glat = wgs84_to_gcj02(lon, lat) if frame == "gcj02" else (lon, lat)
        tile = render(path, *tiles_for_bounds((glon, glat, glon, glat), z)[0], style=NEAREST, display=frame)
        assert tile is not None and tile.shape == (256, 256, 4) and tile[..., 3].any(), (z, frame)


def test_the_raster_edge_lands_where_it_is(tmp_path):
    """At z13 the tiles' opaque pixels start at the raster's west and north edges (±1 px)."""
    path = rf.write(tmp_path / "full.tif", rf.gradient(300, 300))
    with rasterio.open(path) as src:
        from rasterio.warp import transform_bounds

        b = transform_bounds(src.crs, "EPSG:4326", *src.bounds, densify_pts=21)
    z = 13
    _, x, y = tiles_for_bounds((b[0], b[3], b[0], b[3]), z)[0]
    tile = render(path, z, x, y, style=NEAREST)
    rows, cols = np.nonzero(tile[..., 3])
    el, et = lonlat_to_global_px(b[0], b[3], z)
    assert abs(x * 256 + cols.min() - el) <= 1.0 and abs(y * 256 + rows.min() - et) <= 1.0


def test_rgba_tiles_keep_transparency(tmp_path):
    path = rf.rgb(tmp_path, "rgba.tif", size=256, alpha=True)
    _, x, y = tiles_for_bounds((119.40, 25.70, 119.40, 25.70), 12)[0]
    tile = render(path, 12, x, y)
    assert tile is not None
    opaque_cols = np.nonzero(tile[..., 3].max(axis=0))[0]
    lon_mid = (rf.FUQING_BOX[0] + rf.FUQING_BOX[2]) / 2
    mid_px, _ = lonlat_to_global_px(lon_mid, 25.7, 12)
    assert opaque_cols.min() >= mid_px - x * 256 - 1  # the transparent west half stays transparent


def test_empty_tiles_are_none_and_bad_options_are_refused(tmp_path):
    path = rf.good_4326(tmp_path)
    assert render_tile(path, 12, 0, 0, style=NEAREST) is None
    assert render_tile(path, 12, 0, 0, style=NEAREST, display="gcj02") is None
    assert render_tile(path, 30, 0, 0, style=NEAREST) is None  # not a tile of the grid
    with pytest.raises(ValidationError) as info:
        render_tile(path, 12, 0, 0, style=NEAREST, display="bd09")
    assert info.value.code == "raster.display_unknown"
    with pytest.raises(ValidationError) as info:
        RasterStyle("rainbow")
    assert info.value.code == "raster.colormap_unknown" and "viridis" in info.value.zh


# --------------------------------------------------------------------------
# Colour maps, legends, statistics
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", COLORMAPS)
def test_every_colormap_is_well_formed(name):
    assert validate_colormap(COLORMAPS[name]) == []
    assert colormap_rgb(name).shape == (256, 3)
    assert css_gradient(name).startswith("linear-gradient(") and css_gradient(name).count("%") == 11


def test_the_colormap_check_can_fail():
    bad = ColorMap("Bad Key", "", "x", "", "")
    assert len(validate_colormap(bad)) >= 2


def test_tile_colours_transparency_and_clipping(tmp_path):
    """Values below vmin take the first colour, above vmax the last, nodata and NaN are transparent."""
    data = np.full((200, 200), 50.0, "float32")
    data[:, :50] = -20.0
    data[:, 50:100] = 500.0
    data[:100, 100:150] = rf.NODATA
    data[100:, 100:150] = np.nan
    path = rf.write(tmp_path / "values.tif", data, nodata=rf.NODATA)
    lon, lat = (rf.FUQING_BOX[0] + rf.FUQING_BOX[2]) / 2, (rf.FUQING_BOX[1] + rf.FUQING_BOX[3]) / 2
    tile = render(path, *tiles_for_bounds((lon, lat, lon, lat), 9)[0], style=RasterStyle("viridis", 0.0, 100.0,
                                                                                          "nearest"))
    opaque = {tuple(c) for c in tile[tile[..., 3] == 255][:, :3]}
    table = colormap_rgb("viridis")
    assert tuple(table[0]) in opaque and tuple(table[255]) in opaque and tuple(table[127]) in opaque
    assert opaque <= {tuple(table[0]), tuple(table[255]), tuple(table[128]), tuple(table[127])}
    assert (tile[..., 3] == 0).sum() > 0  # nodata and NaN columns


def test_legend():
    assert legend("brbg", -10000, 10000, "m", n=3) == [("-10,000 m", "#543005"), ("0 m", "#f4f4f4"),
                                                        ("10,000 m", "#003c30")]
    assert legend("viridis", 0, 1, n=2) == [("0", "#440154"), ("1", "#fde724")]  # rio-tiler's table
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
    path = rf.good_32650(tmp_path)
    for frame in ("wgs84", "gcj02"):
        assert render_tile(path, 3, 0, 0, style=NEAREST, display=frame) is None  # Alaska, far outside UTM 50N
        assert render_tile(path, 10, 0, 1023, style=NEAREST, display=frame) is None


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
    tile = render(stored, 12, x, y, style=NEAREST)
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


# --------------------------------------------------------------------------
# The layer as the map sees it, and the tile cache
# --------------------------------------------------------------------------
def _layer(path, **kw) -> RasterLayer:
    with rasterio.open(path) as src:
        from rasterio.warp import transform_bounds

        b = transform_bounds(src.crs, "EPSG:4326", *src.bounds, densify_pts=21)
    fields = dict(raster_id="t", name_zh="测试", name_en="Test", file=path.name, file_sha256="ab" * 32, bands=1,
                  bounds=b, max_zoom=14, colormap="ylorrd", unit="mg/L")
    return RasterLayer(**{**fields, **kw})


def test_overlay_url_legend_and_display_extent(tmp_path):
    path = rf.good_4326(tmp_path)
    layer = _layer(path)
    style = resolved_style(path, layer)
    assert style.vmin < style.vmax  # from the data (2nd-98th percentile), once
    o = overlay_for(layer, style, "../../tiles/", "zh", frame="gcj02")
    assert o.tiles_url == f"../../tiles/t/{layer.style_key}/gcj02/{{z}}/{{x}}/{{y}}.png"
    assert (o.min_zoom, o.max_zoom) == (0, 14) and len(o.legend) == 5 and o.legend[0][0].endswith("mg/L")
    gx, gy = wgs84_to_gcj02(np.array(layer.bounds[0::2]), np.array(layer.bounds[1::2]))
    db = display_bounds(layer.bounds, "gcj02")
    assert db[0] <= gx.min() and db[1] <= gy.min() and db[2] >= gx.max() and db[3] >= gy.max()
    assert db == pytest.approx([gx[0], gy[0], gx[1], gy[1]], abs=3e-4)
    assert display_bounds(layer.bounds, "wgs84") == tuple(layer.bounds)
    assert overlay_for(_layer(path, bands=3, colormap=None), None, "x/", "en").legend == ()


def test_tiles_come_from_the_cache_the_second_time(tmp_path, monkeypatch):
    path = rf.good_4326(tmp_path)
    layer = _layer(path)
    cache = TileCache(tmp_path / "cache", 10 * 1024 * 1024)
    lon, lat = 119.40, 25.70
    _, x, y = tiles_for_bounds((lon, lat, lon, lat), 12)[0]
    first = tile_png(path, layer, "wgs84", 12, x, y, cache)
    assert first and first.startswith(b"\x89PNG")
    assert tile_png(path, layer, "wgs84", 12, 0, 0, cache) is None  # no data: remembered as such
    import geo.raster.overlays as overlays

    monkeypatch.setattr(overlays, "render_tile", lambda *a, **k: pytest.fail("rendered again"))
    assert tile_png(path, layer, "wgs84", 12, x, y, cache) == first
    assert tile_png(path, layer, "wgs84", 12, 0, 0, cache) is None
    assert cache.get(layer.style_key, "wgs84", 12, 0, 0) == NO_DATA
    assert cache.get(layer.style_key, "gcj02", 12, x, y) is None  # another frame is another tile
    with pytest.raises(ValueError):
        cache.get("../../etc", "wgs84", 1, 1, 1)


def test_the_tile_cache_stays_within_its_bound(tmp_path):
    cache = TileCache(tmp_path / "c", max_bytes=50_000)
    blob = os.urandom(4000)
    for i in range(40):
        cache.put("k", "wgs84", 10, i, 0, blob)
        if i == 5:
            os.utime(cache._path("k", "wgs84", 10, 0, 0, ".png"), (1, 1))  # the oldest goes first
    assert cache.size() <= 50_000
    assert cache.get("k", "wgs84", 10, 39, 0) == blob  # the newest are kept
    assert cache.get("k", "wgs84", 10, 0, 0) is None
