"""The 栅格图层 page under AppTest, as an administrator: add a GeoTIFF, refuse a bad one, change and remove."""

from __future__ import annotations


import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from geo.store import GpkgStore
from tests.factories import ADMIN, SYSTEM
from tests.test_pages import run_page


def geotiff_bytes(*, crs="EPSG:4326", west=119.30, north=25.70, size=64, georeferenced=True) -> bytes:
    data = np.linspace(0, 50, size * size, dtype="float32").reshape(size, size)
    profile = {"driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": "float32", "nodata": -9999.0}
    if georeferenced:
        profile.update(crs=crs, transform=from_origin(west, north, 0.001, 0.001))
    with rasterio.MemoryFile() as mem:
        with mem.open(**profile) as dst:
            dst.write(data, 1)
        return mem.read()


def _fill(at, data: bytes, name="水质.tif", zh="水质反演", en="Water quality", **more):
    at.file_uploader(key="raster_upload").set_value((name, data, "image/tiff"))
    at = at.run()
    at.text_input[0].set_value(zh)
    at.text_input[1].set_value(en)
    for k, v in more.items():
        next(w for w in at.text_input if w.label.startswith(k)).set_value(v)
    return at


def _submit(at):
    return next(b for b in at.button if b.label == "检查并添加").click().run()


def test_sample_rasters_are_listed_and_a_good_geotiff_is_added(store_copy):
    at = run_page("rasters", "zh", "admin", store_copy)
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert {"distance-to-shore", "synthetic-index"} <= set(table["图层编号"])
    assert "合成示例数据（非实测）" in " ".join(table["标注"])
    at = _submit(_fill(at, geotiff_bytes()))
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("已添加“水质反演”" in s.value for s in at.success)
    store = GpkgStore(store_copy)
    layer = store.list_rasters(ADMIN)[-1]
    assert (layer.name_zh, layer.added_by, layer.bands) == ("水质反演", ADMIN.name, 1)
    assert store.raster_path(layer).exists() and layer.raster_id.startswith("raster")
    assert any(e.action == "raster.add" and e.target == layer.raster_id for e in store.audit_log(ADMIN))


@pytest.mark.parametrize("data, code_words", [
    (b"II*\x00" + b"\x00" * 100, "无法作为 GeoTIFF 读取"),
    (geotiff_bytes(georeferenced=False), "坐标"),
    (geotiff_bytes(west=116.3, north=39.9), "福清"),
])
def test_a_bad_file_is_refused_with_a_message_and_leaves_nothing(store_copy, data, code_words):
    store = GpkgStore(store_copy)
    before = [r.raster_id for r in store.list_rasters(SYSTEM, include_removed=True)]
    at = _submit(_fill(run_page("rasters", "zh", "admin", store_copy), data, name="坏文件.tif"))
    assert not at.exception, at.exception
    assert at.error and code_words in at.error[0].value, [e.value for e in at.error]
    assert [r.raster_id for r in store.list_rasters(SYSTEM, include_removed=True)] == before
    assert not store.raster_dir.exists() or not any(store.raster_dir.iterdir())


def test_names_are_required(store_copy):
    at = _submit(_fill(run_page("rasters", "zh", "admin", store_copy), geotiff_bytes(), zh=""))
    assert any("中文名称" in e.value for e in at.error)


def test_opacity_change_and_removal_are_saved_and_audited(store_copy):
    at = run_page("rasters", "zh", "admin", store_copy)
    at.selectbox(key="raster_edit_pick").set_value("synthetic-index").run()
    at.slider(key="raster_edit_opacity_synthetic-index_1").set_value(35)
    at = next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success)
    store = GpkgStore(store_copy)
    layer = store.get_raster(ADMIN, "synthetic-index")
    assert (layer.opacity, layer.version) == (0.35, 2)
    at.checkbox[0].check()
    at = next(b for b in at.button if b.label == "保存").click().run()
    assert "synthetic-index" not in [r.raster_id for r in store.list_rasters(ADMIN)]
    assert store.raster_path(layer).exists()  # the shipped file is never touched


def test_a_reviewer_reaching_the_page_cannot_add_and_leaves_no_file(store_copy):
    store = GpkgStore(store_copy)
    at = _submit(_fill(run_page("rasters", "zh", "reviewer", store_copy), geotiff_bytes()))
    assert not at.exception, at.exception
    assert at.error and "无权管理栅格图层" in at.error[0].value
    assert len(store.list_rasters(SYSTEM)) == 2
    assert not store.raster_dir.exists() or not any(store.raster_dir.iterdir())
