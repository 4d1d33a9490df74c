"""``cli.py raster``: add (checked, copied), list, render (warms the tile cache); refusals exit 2 with both languages."""

from __future__ import annotations

from pathlib import Path

from geo.store import GpkgStore
from tests.factories import ADMIN, SYSTEM
from tests.test_import_cli import empty_store, run  # noqa: F401,F811  (fixture)
from tests.test_rasters_page import geotiff_bytes


def test_add_list_render(empty_store,  # noqa: F811 - the fixture imported above
                          tmp_path, capsys):
    tif = tmp_path / "ndvi_2025.tif"
    tif.write_bytes(geotiff_bytes())
    code, out, err = run(capsys, "raster", "add", tif, "--as", ADMIN.name, "--name-zh", "植被指数",
                         "--name-en", "NDVI", "--colormap", "ylorrd", "--vmin", "0", "--vmax", "50")
    assert code == 0, err
    assert out["raster_id"] == "ndvi_2025" and out["value_range"] == [0.0, 50.0] and Path(out["file"]).exists()
    layer = GpkgStore(empty_store).get_raster(SYSTEM, "ndvi_2025")
    assert (layer.colormap, layer.vmin, layer.vmax, layer.added_by) == ("ylorrd", 0.0, 50.0, ADMIN.name)
    code, out, _ = run(capsys, "raster", "list", "--as", ADMIN.name)
    assert code == 0 and [r["raster_id"] for r in out] == ["ndvi_2025"]
    code, out, _ = run(capsys, "raster", "render", "--frame", "gcj02", "--as", ADMIN.name)
    assert code == 0 and out[0]["frame"] == "gcj02" and out[0]["tiles"] > 0 and out[0]["with_data"] > 0


def test_refusals_exit_2_in_both_languages(empty_store,  # noqa: F811
                                            tmp_path, capsys):
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"not a tiff")
    code, _, err = run(capsys, "raster", "add", bad, "--as", ADMIN.name, "--name-zh", "x", "--name-en", "x")
    assert code == 2 and "raster.unreadable" in err and "错误" in err and "Error" in err
    far = tmp_path / "beijing.tif"
    far.write_bytes(geotiff_bytes(west=116.3, north=39.9))
    code, _, err = run(capsys, "raster", "add", far, "--as", ADMIN.name, "--name-zh", "x", "--name-en", "x")
    assert code == 2 and "福清" in err
    assert GpkgStore(empty_store).list_rasters(SYSTEM) == []
