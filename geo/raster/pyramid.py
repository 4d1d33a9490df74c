"""Pre-render a raster into a static XYZ PNG pyramid that Leaflet can show.

``out_dir/{z}/{x}/{y}.png`` plus ``out_dir/tiles.json`` (see
:func:`render_pyramid`). The pyramid is rendered into a hidden sibling
folder and moved into place when complete, so a half-written pyramid is
never served; a failure leaves the previous pyramid (if any) untouched.
Fully transparent tiles are not written (Leaflet shows nothing for a
missing tile).
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import rasterio
from PIL import Image
from rasterio.errors import NotGeoreferencedWarning
from rasterio.warp import transform_bounds

from geo.crs import wgs84_to_gcj02
from geo.errors import RasterRenderError, ValidationError
from geo.raster.check import NEAR_FUQING_BOUNDS
from geo.raster.colormap import legend
from geo.raster.overviews import GDAL_ENV
from geo.raster.style import RasterStyle, resolve_style
from geo.raster.tilemath import tile_range
from geo.raster.tiles import check_display, render_tile

__all__ = ["MAX_TILES", "MAX_ZOOM_LIMIT", "TILES_JSON", "PyramidResult", "encode_png", "plan_zooms", "render_pyramid"]

#: Tiles per pyramid. Measured ~10–30 ms per tile: 20,000 tiles is a few
#: minutes at add time and ~100–300 MB of PNG; Fuqing at z15 is ~15,000.
MAX_TILES = 20_000
#: Highest zoom rendered at all (z20 ≈ 0.13 m/px here; Leaflet upscales beyond).
MAX_ZOOM_LIMIT = 20
#: Name of the description file inside the pyramid folder.
TILES_JSON = "tiles.json"
#: Points per edge when shifting the extent to GCJ-02.
_EDGE_POINTS = 21


@dataclass(frozen=True)
class PyramidResult:
    """What :func:`render_pyramid` wrote.

    Attributes
    ----------
    out_dir : str
        The pyramid folder (``{z}/{x}/{y}.png`` and ``tiles.json``).
    tiles_json : str
        Path of ``tiles.json``.
    display : str
        ``"wgs84"`` or ``"gcj02"``.
    bounds_wgs84 : tuple of float
        Extent of the data rendered (true coordinates).
    display_bounds : tuple of float
        The same extent in the display datum (tiles cover this).
    min_zoom, max_zoom : int
        Zooms rendered.
    max_zoom_requested : int
        The max zoom asked for; larger than ``max_zoom`` when lowered.
    zoom_lowered : bool
        True when the tile cap forced a lower max zoom.
    tiles_considered : int
        Tiles in the extent at the zooms rendered.
    tile_count : int
        PNG files written (empty tiles are skipped).
    bytes_written : int
        Total PNG bytes.
    seconds : float
        Wall time.
    style : dict
        The resolved style (value range filled in).
    legend : list
        ``[value_label, css_colour]`` pairs (single band; empty for RGB).
    tiles_per_zoom : dict
        PNG files written per zoom.
    """

    out_dir: str
    tiles_json: str
    display: str
    bounds_wgs84: tuple[float, float, float, float]
    display_bounds: tuple[float, float, float, float]
    min_zoom: int
    max_zoom: int
    max_zoom_requested: int
    zoom_lowered: bool
    tiles_considered: int
    tile_count: int
    bytes_written: int
    seconds: float
    style: dict = field(default_factory=dict)
    legend: list = field(default_factory=list)
    tiles_per_zoom: dict = field(default_factory=dict)


def encode_png(rgba: np.ndarray) -> bytes:
    """Encode a ``(256, 256, 4)`` RGBA tile as small a PNG as is lossless.

    A tile with at most 256 distinct colours (every colour-mapped tile:
    255 colours + transparent) becomes an exact palette PNG with a tRNS
    chunk; others an RGBA (or RGB when opaque) PNG.

    Parameters
    ----------
    rgba : numpy.ndarray
        uint8 array of shape ``(rows, cols, 4)``.

    Returns
    -------
    bytes
    """
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    flat = rgba.reshape(-1, 4).view(np.uint32).ravel()
    colours, inverse = np.unique(flat, return_inverse=True)
    buf = io.BytesIO()
    if colours.size <= 256:
        pal = colours.view(np.uint8).reshape(-1, 4)
        img = Image.fromarray(inverse.reshape(rgba.shape[:2]).astype(np.uint8), "P")
        img.putpalette(pal[:, :3].tobytes(), rawmode="RGB")
        kwargs = {"transparency": pal[:, 3].tobytes()} if (pal[:, 3] < 255).any() else {}
        img.save(buf, "PNG", optimize=True, **kwargs)
    elif (rgba[..., 3] == 255).all():
        Image.fromarray(rgba[..., :3], "RGB").save(buf, "PNG", optimize=True)
    else:
        Image.fromarray(rgba, "RGBA").save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _data_bounds(src, clip: tuple[float, float, float, float]) -> tuple[float, float, float, float] | None:
    b = transform_bounds(src.crs, "EPSG:4326", *src.bounds, densify_pts=21)
    out = (max(b[0], clip[0]), max(b[1], clip[1]), min(b[2], clip[2]), min(b[3], clip[3]))
    if out[0] >= out[2] or out[1] >= out[3]:
        return None
    return out


def _display_bounds(b: tuple[float, float, float, float], display: str) -> tuple[float, float, float, float]:
    if display == "wgs84":
        return b
    t = np.linspace(0.0, 1.0, _EDGE_POINTS)
    lon = np.concatenate([b[0] + t * (b[2] - b[0]), np.full_like(t, b[2]), b[0] + t * (b[2] - b[0]), np.full_like(t, b[0])])
    lat = np.concatenate([np.full_like(t, b[1]), b[1] + t * (b[3] - b[1]), np.full_like(t, b[3]), b[1] + t * (b[3] - b[1])])
    glon, glat = wgs84_to_gcj02(lon, lat)
    return float(glon.min()), float(glat.min()), float(glon.max()), float(glat.max())


def _round_out(b, digits: int = 7) -> tuple[float, float, float, float]:
    """Round bounds outwards to ``digits`` decimals (1e-7° ≈ 1 cm), so they still contain the data."""
    f = 10**digits
    return (math.floor(b[0] * f) / f, math.floor(b[1] * f) / f, math.ceil(b[2] * f) / f, math.ceil(b[3] * f) / f)


def _count(bounds, z: int) -> int:
    x0, y0, x1, y1 = tile_range(bounds, z)
    return (x1 - x0 + 1) * (y1 - y0 + 1)


def plan_zooms(bounds: tuple[float, float, float, float], min_zoom: int, max_zoom: int,
               max_tiles: int = MAX_TILES) -> tuple[int, dict[int, int]]:
    """Highest max zoom whose pyramid stays within ``max_tiles``.

    Parameters
    ----------
    bounds : tuple of float
        Extent in the display datum, degrees.
    min_zoom, max_zoom : int
        Requested zoom range.
    max_tiles : int
        Cap on tiles over all zooms.

    Returns
    -------
    tuple
        ``(max_zoom_kept, {zoom: tiles})`` for the zooms kept.

    Raises
    ------
    RasterRenderError
        ``raster.too_many_tiles`` when even ``min_zoom`` alone is over the cap.
    """
    counts: dict[int, int] = {}
    total = 0
    for z in range(min_zoom, max_zoom + 1):
        n = _count(bounds, z)
        if total + n > max_tiles:
            break
        counts[z] = n
        total += n
    if not counts:
        n = _count(bounds, min_zoom)
        raise RasterRenderError(
            "raster.too_many_tiles",
            en=f"Zoom {min_zoom} alone needs {n:,} tiles for this extent; the cap is {max_tiles:,}. "
            f"Lower the minimum zoom (fewer, larger tiles) or clip the raster to the area you need.",
            zh=f"仅第 {min_zoom} 级就需要 {n:,} 张瓦片，超过上限 {max_tiles:,}。"
            f"请降低最小缩放级别（瓦片更少、更大），或把栅格裁剪到所需范围后再添加。",
            value=n, limit=max_tiles,
        )
    return max(counts), counts


def _check_zooms(min_zoom: int, max_zoom: int) -> None:
    if not (isinstance(min_zoom, int) and isinstance(max_zoom, int) and 0 <= min_zoom <= max_zoom <= MAX_ZOOM_LIMIT):
        raise ValidationError(
            "raster.zoom_range",
            en=f"Zoom range {min_zoom!r}…{max_zoom!r} is not usable: give whole numbers with "
            f"0 ≤ minimum ≤ maximum ≤ {MAX_ZOOM_LIMIT}.",
            zh=f"缩放级别范围 {min_zoom!r}…{max_zoom!r} 无效：请给出整数，且 0 ≤ 最小 ≤ 最大 ≤ {MAX_ZOOM_LIMIT}。",
            value=(min_zoom, max_zoom),
        )


def render_pyramid(
    src_path: str | Path,
    out_dir: str | Path,
    *,
    style: RasterStyle | dict | None = None,
    min_zoom: int,
    max_zoom: int,
    display: str = "wgs84",
    max_tiles: int = MAX_TILES,
    clip_bounds: tuple[float, float, float, float] = NEAR_FUQING_BOUNDS,
    progress: Callable[[int, int], None] | None = None,
) -> PyramidResult:
    """Render every tile of a raster into ``out_dir/{z}/{x}/{y}.png``.

    Parameters
    ----------
    src_path : str or pathlib.Path
        The stored raster (after :func:`geo.raster.overviews.ensure_overviews`).
    out_dir : str or pathlib.Path
        Pyramid folder; replaced as a whole when the new one is complete.
    style : RasterStyle or dict, optional
        Colour map and value range (a missing range comes from an overview).
    min_zoom, max_zoom : int
        Zoom range wanted (e.g. ``RasterInfo.min_zoom``/``max_zoom``).
    display : str, default "wgs84"
        ``"wgs84"`` for the app's basemap and OpenStreetMap, ``"gcj02"``
        for Gaode; render one pyramid per datum the app shows.
    max_tiles : int, default :data:`MAX_TILES`
        Cap; the max zoom is lowered until the pyramid fits (reported).
    clip_bounds : tuple of float, default :data:`NEAR_FUQING_BOUNDS`
        Only this WGS84 box is rendered.
    progress : callable, optional
        ``progress(done, total)`` after each tile (for a progress bar).

    Returns
    -------
    PyramidResult

    Raises
    ------
    RasterRenderError
        ``raster.outside_area`` (no part in ``clip_bounds``),
        ``raster.too_many_tiles``, ``raster.store_failed`` (cannot write).
    ValidationError
        ``raster.zoom_range``, ``raster.display_unknown``, style errors.
    """
    t0 = time.perf_counter()
    check_display(display)
    _check_zooms(min_zoom, max_zoom)
    out_dir = Path(out_dir)
    with rasterio.Env(**GDAL_ENV), warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(src_path) as src:
            data_bounds = _data_bounds(src, clip_bounds)
            if data_bounds is None:
                raise RasterRenderError(
                    "raster.outside_area",
                    en=f"{Path(src_path).name} has no part inside {clip_bounds}: nothing to render. "
                    f"Check its coordinate system.",
                    zh=f"“{Path(src_path).name}”在 {clip_bounds} 范围内没有数据，无可渲染内容：请检查其坐标系。",
                    value=str(src_path),
                )
            disp_bounds = _display_bounds(data_bounds, display)
            kept_max, counts = plan_zooms(disp_bounds, min_zoom, max_zoom, max_tiles)
            style = resolve_style(src, style)
            total = sum(counts.values())
            tmp = out_dir.parent / f".{out_dir.name}.{uuid.uuid4().hex[:8]}.tmp"
            try:
                out_dir.parent.mkdir(parents=True, exist_ok=True)
                tmp.mkdir()
                written, nbytes = _render_all(src, tmp, style, display, disp_bounds, counts, total, progress)
                result = PyramidResult(
                    out_dir=str(out_dir),
                    tiles_json=str(out_dir / TILES_JSON),
                    display=display,
                    bounds_wgs84=_round_out(data_bounds),
                    display_bounds=_round_out(disp_bounds),
                    min_zoom=min_zoom,
                    max_zoom=kept_max,
                    max_zoom_requested=max_zoom,
                    zoom_lowered=kept_max < max_zoom,
                    tiles_considered=total,
                    tile_count=sum(written.values()),
                    bytes_written=nbytes,
                    seconds=round(time.perf_counter() - t0, 3),
                    style=style.to_dict(),
                    legend=[list(x) for x in legend(style.colormap, style.vmin, style.vmax, style.unit)]
                    if src.count == 1 else [],
                    tiles_per_zoom={str(z): n for z, n in written.items()},
                )
                _write_json(tmp / TILES_JSON, result, Path(src_path).name, src)
                _swap_into_place(tmp, out_dir)
            except OSError as exc:
                shutil.rmtree(tmp, ignore_errors=True)
                raise RasterRenderError(
                    "raster.store_failed",
                    en=f"Cannot write the tiles to {out_dir} ({exc.strerror or exc}): free disk space or fix the "
                    f"folder's permissions, then render again.",
                    zh=f"无法将瓦片写入 {out_dir}（{exc.strerror or exc}）：请释放磁盘空间或检查文件夹权限后重新生成。",
                    path=str(out_dir),
                ) from exc
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    return result


def _render_all(src, tmp: Path, style: RasterStyle, display: str, bounds, counts: dict[int, int], total: int,
                progress) -> tuple[dict[int, int], int]:
    done = 0
    nbytes = 0
    written: dict[int, int] = {}
    for z in counts:
        x0, y0, x1, y1 = tile_range(bounds, z)
        written[z] = 0
        for x in range(x0, x1 + 1):
            col_dir = tmp / str(z) / str(x)
            for y in range(y0, y1 + 1):
                rgba = render_tile(src, z, x, y, style=style, display=display)
                if rgba is not None:
                    png = encode_png(rgba)
                    col_dir.mkdir(parents=True, exist_ok=True)
                    (col_dir / f"{y}.png").write_bytes(png)
                    nbytes += len(png)
                    written[z] += 1
                done += 1
                if progress is not None:
                    progress(done, total)
    return written, nbytes


def _write_json(path: Path, result: PyramidResult, source_name: str, src) -> None:
    doc = {
        "format": "xyz",
        "version": 1,
        "tile_size": 256,
        "tile_format": "png",
        "url_template": "{z}/{x}/{y}.png",
        "crs": "EPSG:3857",
        "display": result.display,
        "bounds": list(result.bounds_wgs84),
        "display_bounds": list(result.display_bounds),
        "min_zoom": result.min_zoom,
        "max_zoom": result.max_zoom,
        "max_zoom_requested": result.max_zoom_requested,
        "zoom_lowered": result.zoom_lowered,
        "tiles_considered": result.tiles_considered,
        "tile_count": result.tile_count,
        "tiles_per_zoom": result.tiles_per_zoom,
        "bytes": result.bytes_written,
        "style": result.style,
        "legend": result.legend,
        "source": {"name": source_name, "width": src.width, "height": src.height, "count": src.count,
                   "dtype": src.dtypes[0], "crs": src.crs.to_string()},
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


def _swap_into_place(tmp: Path, out_dir: Path) -> None:
    """Move the finished pyramid to ``out_dir``; an old one is moved aside first, then deleted."""
    old = None
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.{uuid.uuid4().hex[:8]}.old"
        os.replace(out_dir, old)
    try:
        os.replace(tmp, out_dir)
    except OSError:
        if old is not None:
            os.replace(old, out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
