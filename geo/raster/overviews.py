"""Copy an accepted raster into the app's storage as a tiled GeoTIFF with overviews.

The copy is made block by block (:data:`COPY_WINDOW` at a time), so memory
stays at a few MB whatever the raster's size; GDAL builds the overviews
from the tiled copy in its own bounded chunks. A file that already is a
Cloud-Optimised GeoTIFF (tiled, internal overviews) is copied byte for byte
and keeps its overviews. The result appears under its final name only
when complete.
"""

from __future__ import annotations

import math
import os
import shutil
import uuid
import warnings
from pathlib import Path

import numpy as np
import rasterio
from rasterio.enums import ColorInterp, MaskFlags, Resampling
from rasterio.errors import NotGeoreferencedWarning
from rasterio.windows import Window

from geo.errors import RasterRenderError
from geo.raster.check import is_tiled

__all__ = ["COPY_WINDOW", "BLOCK_SIZE", "MIN_OVERVIEW_SIDE", "GDAL_ENV", "overview_factors", "ensure_overviews"]

#: Window of one copy step (rows, cols): 512 × 4096 float64 × 4 bands = 64 MB at most.
COPY_WINDOW = (512, 4096)
#: Tile size of the stored copy (GDAL's COG default; 512² px = one overview read per tile view).
BLOCK_SIZE = 512
#: Overviews are added (×2, ×4 …) until the smallest has fewer than this many px on its long side.
MIN_OVERVIEW_SIDE = 256
#: GDAL settings for copying and rendering: a 64 MB block cache bounds memory
#: (the default is 5 % of RAM, which a long render would fill). rasterio hands
#: an integer GDAL_CACHEMAX to GDALSetCacheMax64, i.e. in **bytes** (measured:
#: ``64`` meant 64 bytes and made every read decompress its blocks again).
GDAL_ENV = {"GDAL_CACHEMAX": 64 * 1024**2, "GDAL_NUM_THREADS": 1}


def overview_factors(width: int, height: int) -> list[int]:
    """Overview factors 2, 4, 8 … until the long side is below :data:`MIN_OVERVIEW_SIDE`.

    Parameters
    ----------
    width, height : int
        Raster size in pixels.

    Returns
    -------
    list of int
        Empty for a raster already smaller than :data:`MIN_OVERVIEW_SIDE`.
    """
    side = max(width, height)
    if side < MIN_OVERVIEW_SIDE:
        return []
    factors = [2]
    while math.ceil(side / factors[-1]) >= MIN_OVERVIEW_SIDE:
        factors.append(factors[-1] * 2)
    return factors


def _is_cog(src, src_path: Path) -> bool:
    """Tiled with internal overviews: good as it is (an external .ovr would not be copied)."""
    external = Path(str(src_path) + ".ovr").exists()
    return is_tiled(src) and bool(src.overviews(1)) and not external


def _creation_options(src) -> dict:
    dtype = src.dtypes[0]
    predictor = 3 if np.dtype(dtype).kind == "f" else 2
    opts = dict(
        driver="GTiff",
        width=src.width,
        height=src.height,
        count=src.count,
        dtype=dtype,
        crs=src.crs,
        transform=src.transform,
        nodata=src.nodata,
        tiled=True,
        blockxsize=BLOCK_SIZE,
        blockysize=BLOCK_SIZE,
        compress="deflate",
        predictor=predictor,
        interleave="pixel" if src.count > 1 else "band",
        bigtiff="IF_SAFER",
    )
    if src.count in (3, 4) and src.dtypes[0] == "uint8":
        opts["photometric"] = "RGB"
        if src.count == 4 and src.colorinterp[3] == ColorInterp.alpha:
            opts["alpha"] = "YES"
    return opts


def _windows(width: int, height: int):
    rows, cols = COPY_WINDOW
    for r in range(0, height, rows):
        for c in range(0, width, cols):
            yield Window(c, r, min(cols, width - c), min(rows, height - r))


def ensure_overviews(src_path: str | Path, dst_path: str | Path, *, resampling: str = "average") -> Path:
    """Store a checked raster as a tiled, deflate-compressed GeoTIFF with overviews.

    Parameters
    ----------
    src_path : str or pathlib.Path
        The raster accepted by :func:`geo.raster.check.check_raster`.
    dst_path : str or pathlib.Path
        Where the app keeps it; replaced if it exists; its folder must exist.
    resampling : str, default "average"
        How overviews are computed: ``"average"`` for measurements,
        ``"nearest"`` for classes.

    Returns
    -------
    pathlib.Path
        ``dst_path``, a GeoTIFF whose band 1 has overviews (unless the raster
        is smaller than :data:`MIN_OVERVIEW_SIDE`).

    Raises
    ------
    RasterRenderError
        ``raster.store_failed`` when the copy cannot be written (disk full,
        no permission); nothing is left at ``dst_path`` then.
    """
    src_path = Path(src_path)
    dst_path = Path(dst_path)
    tmp = dst_path.with_name(f".{dst_path.name}.{uuid.uuid4().hex[:8]}.tmp.tif")
    try:
        with rasterio.Env(**GDAL_ENV), warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(src_path) as src:
                if _is_cog(src, src_path):
                    shutil.copyfile(src_path, tmp)
                else:
                    _copy_blockwise(src, tmp)
                    _build(tmp, Resampling[resampling])
        os.replace(tmp, dst_path)
    except OSError as exc:
        _cleanup(tmp)
        raise RasterRenderError(
            "raster.store_failed",
            en=f"Cannot write the raster copy {dst_path} ({exc.strerror or exc}): free disk space or fix the "
            f"folder's permissions, then add the raster again.",
            zh=f"无法写入栅格副本 {dst_path}（{exc.strerror or exc}）：请释放磁盘空间或检查文件夹权限后重新添加。",
            path=str(dst_path),
        ) from exc
    except BaseException:
        _cleanup(tmp)
        raise
    return dst_path


def _cleanup(tmp: Path) -> None:
    for p in (tmp, Path(str(tmp) + ".ovr"), Path(str(tmp) + ".aux.xml")):
        p.unlink(missing_ok=True)


def _copy_blockwise(src, tmp: Path) -> None:
    flags = src.mask_flag_enums[0]
    # An internal mask (e.g. a JPEG orthophoto's) must travel with the copy; an alpha band already does.
    per_dataset_mask = src.nodata is None and MaskFlags.per_dataset in flags and MaskFlags.alpha not in flags
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True):
        with rasterio.open(tmp, "w", **_creation_options(src)) as dst:
            dst.colorinterp = src.colorinterp
            dst.update_tags(**src.tags())
            for i in range(1, src.count + 1):
                if src.descriptions[i - 1]:
                    dst.set_band_description(i, src.descriptions[i - 1])
                if src.units[i - 1]:
                    dst.set_band_unit(i, src.units[i - 1])
            for win in _windows(src.width, src.height):
                dst.write(src.read(window=win), window=win)
                if per_dataset_mask:
                    dst.write_mask(src.read_masks(1, window=win), window=win)


def _build(tmp: Path, resampling: Resampling) -> None:
    with rasterio.open(tmp, "r+") as dst:
        factors = overview_factors(dst.width, dst.height)
        if factors:
            dst.build_overviews(factors, resampling)
            dst.update_tags(ns="rio_overview", resampling=resampling.name)
