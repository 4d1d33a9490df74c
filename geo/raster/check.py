"""Accept or refuse a GeoTIFF before anything else touches it.

:func:`check_raster` opens the file with rasterio (GeoTIFF driver only),
reads **only the header** and returns a :class:`RasterInfo`, or raises a
:class:`~geo.errors.RasterRejected` whose Chinese and English messages name
the bad value and the fix. Every size limit is checked before a single
pixel is read, so a header that declares 100,000 × 100,000 px is refused in
milliseconds. Codes (stable):

========================== ===============================================
``raster.unreadable``      missing, not a GeoTIFF, corrupt or truncated
``raster.too_large``       file size, pixels, side length or block size
``raster.bands``           band count other than 1, 3 or 4
``raster.dtype``           a pixel type we cannot colour (complex, 64-bit int, RGB not 8-bit)
``raster.not_georeferenced`` no CRS and no geotransform, only GCPs, or no CRS
``raster.rotated``         a rotated/sheared geotransform
``raster.unknown_crs``     a CRS PROJ cannot use, or bounds it cannot bring to WGS84
``raster.far_from_fuqing`` the extent does not reach the Fuqing area
========================== ===============================================
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import morecantile
import numpy as np
import rasterio
from pyproj import CRS as ProjCRS
from pyproj import Geod
from pyproj.exceptions import CRSError
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.warp import transform as warp_transform
from rasterio.warp import transform_bounds

from geo.basegeo import LAND_CLIP_BOUNDS
from geo.errors import RasterRejected

WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")

__all__ = [
    "RasterCaps",
    "DEFAULT_CAPS",
    "RasterInfo",
    "NEAR_FUQING_BOUNDS",
    "ZOOM_FLOOR",
    "ZOOM_CEILING",
    "check_raster",
    "is_tiled",
    "suggest_zooms",
]

#: How far around the land box a raster may lie and still count as "Fuqing" (degrees).
NEAR_MARGIN_DEG = 0.2
#: LAND_CLIP_BOUNDS grown by :data:`NEAR_MARGIN_DEG`: a raster must intersect it.
NEAR_FUQING_BOUNDS = (
    LAND_CLIP_BOUNDS[0] - NEAR_MARGIN_DEG,
    LAND_CLIP_BOUNDS[1] - NEAR_MARGIN_DEG,
    LAND_CLIP_BOUNDS[2] + NEAR_MARGIN_DEG,
    LAND_CLIP_BOUNDS[3] + NEAR_MARGIN_DEG,
)
#: Lowest suggested max zoom: z9 shows the whole county on a tablet.
ZOOM_FLOOR = 9
#: Highest suggested max zoom: z18 is ~0.5 m/px here; finer imagery is shown upscaled.
ZOOM_CEILING = 18
#: Lowest suggested min zoom: below z8 Fuqing is a few pixels wide.
MIN_ZOOM_FLOOR = 8

_OK_SINGLE = ("uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64")
_REBUILD_HINT = "gdal_translate -of GTiff -co TILED=YES -co COMPRESS=DEFLATE in.tif out.tif"
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class RasterCaps:
    """Limits read from the header before any pixel is read. Why each number:

    Attributes
    ----------
    max_file_bytes : int
        2 GiB on disk: a county-wide 1 m orthophoto (RGB, JPEG/deflate) is
        ~1 GB; more is a whole-province mosaic or a mistake, and it has to
        be copied into the app's storage.
    max_pixels : int
        200 million pixels per band (e.g. 14,000 × 14,000): Fuqing at 5 m
        is ~140 M; the number bounds the overview build time (~1 min).
    max_side : int
        50,000 px on a side: Fuqing (≈ 60 km) at 1.2 m; longer sides are
        strips of something else.
    max_bands : int
        4: one band (data with a colour map), 3 (RGB) or 4 (RGBA).
    max_block_bytes : int
        64 MiB per TIFF block (strip or tile): a windowed read decompresses
        whole blocks, so a file stored as one huge strip would be read whole.
    """

    max_file_bytes: int = 2 * 1024**3
    max_pixels: int = 200_000_000
    max_side: int = 50_000
    max_bands: int = 4
    max_block_bytes: int = 64 * 1024**2


#: The caps the app uses.
DEFAULT_CAPS = RasterCaps()


@dataclass(frozen=True)
class RasterInfo:
    """What :func:`check_raster` learnt from a raster's header.

    Attributes
    ----------
    path : str
        The file checked.
    width, height, count : int
        Pixels across, down, and number of bands.
    dtype : str
        numpy name of the pixel type, e.g. ``"float32"``.
    crs : str
        ``"EPSG:nnnn"`` when the CRS has an EPSG code, its WKT otherwise.
    bounds_native : tuple of float
        ``(left, bottom, right, top)`` in the raster's CRS.
    bounds_wgs84 : tuple of float
        ``(min_lon, min_lat, max_lon, max_lat)``.
    resolution_m : tuple of float
        Pixel width and height in metres on the ground, at the centre.
    nodata : float or None
        Band 1 nodata value.
    overview_factors : tuple of int
        Overview decimation factors of band 1 (empty: none).
    is_tiled : bool
        Stored in square tiles (fast windowed reads).
    is_cog : bool
        Tiled with internal overviews (or small enough not to need them):
        a Cloud-Optimised GeoTIFF or as good as one.
    block_shape : tuple of int
        ``(rows, cols)`` of a block of band 1.
    kind : str
        ``"single"`` (one band, coloured by a colour map), ``"rgb"`` or ``"rgba"``.
    file_bytes : int
        Size on disk.
    min_zoom, max_zoom : int
        Native zoom range of the tiles (see :func:`suggest_zooms`): Leaflet asks for tiles up to
        ``max_zoom`` and scales them beyond.
    tags : dict
        The dataset's metadata tags (e.g. ``synthetic``).
    """

    path: str
    width: int
    height: int
    count: int
    dtype: str
    crs: str
    bounds_native: tuple[float, float, float, float]
    bounds_wgs84: tuple[float, float, float, float]
    resolution_m: tuple[float, float]
    nodata: float | None
    overview_factors: tuple[int, ...]
    is_tiled: bool
    is_cog: bool
    block_shape: tuple[int, int]
    kind: str
    file_bytes: int
    min_zoom: int
    max_zoom: int
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def has_overviews(self) -> bool:
        """True when band 1 has at least one overview."""
        return bool(self.overview_factors)

    @property
    def is_synthetic(self) -> bool:
        """True when the file's tags say its values are invented (tag ``SYNTHETIC`` = yes/true/1, any case)."""
        return any(k.lower() == "synthetic" and v.strip().lower() in ("yes", "true", "1") for k, v in self.tags)

    @property
    def memory_bytes(self) -> int:
        """Bytes the full raster would take in memory (all bands)."""
        return self.width * self.height * self.count * np.dtype(self.dtype).itemsize

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (tuples become lists, tags a dict)."""
        d = asdict(self)
        d["tags"] = dict(self.tags)
        return d


def _reject(code: str, en: str, zh: str, path: Path, cause: BaseException | None = None, **context: Any):
    err = RasterRejected(code, en=en, zh=zh, path=str(path), **context)
    if cause is not None:
        err.context["detail"] = str(cause)
        raise err from cause
    raise err


def _mb(n: float) -> str:
    return f"{n / 1024**2:,.0f} MB"


def check_raster(path: str | Path, *, caps: RasterCaps = DEFAULT_CAPS) -> RasterInfo:
    """Open a GeoTIFF's header, check it and describe it.

    Parameters
    ----------
    path : str or pathlib.Path
        A GeoTIFF or Cloud-Optimised GeoTIFF.
    caps : RasterCaps, optional
        Limits; :data:`DEFAULT_CAPS` unless a caller has a reason.

    Returns
    -------
    RasterInfo

    Raises
    ------
    RasterRejected
        With one of the codes listed in this module's docstring. When
        rasterio/GDAL raised, its error is on ``__cause__`` and its text in
        ``context["detail"]`` (for the log); the message itself stays plain.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        _reject(
            "raster.unreadable",
            en=f"Raster file {name} does not exist or is not a file: choose the GeoTIFF itself.",
            zh=f"栅格文件“{name}”不存在或不是文件：请选择 GeoTIFF 文件本身。",
            path=path, value=str(path),
        )
    size = path.stat().st_size
    if size > caps.max_file_bytes:
        _reject(
            "raster.too_large",
            en=f"{name} is {_mb(size)} on disk; the limit is {_mb(caps.max_file_bytes)}. "
            f"Clip it to Fuqing or lower its resolution (gdalwarp -te / -tr) and add it again.",
            zh=f"“{name}”大小为 {_mb(size)}，超过上限 {_mb(caps.max_file_bytes)}。"
            f"请裁剪到福清范围或降低分辨率（gdalwarp -te / -tr）后再添加。",
            path=path, value=size, limit=caps.max_file_bytes,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            src = rasterio.open(path, driver="GTiff")
    except (RasterioError, OSError) as exc:
        _reject(
            "raster.unreadable",
            en=f"{name} cannot be read as a GeoTIFF: it is another format, damaged or incomplete. "
            f"Export it again as GeoTIFF (.tif) and add the new file.",
            zh=f"“{name}”无法作为 GeoTIFF 读取：文件格式不符、已损坏或不完整。请重新导出为 GeoTIFF（.tif）后再添加。",
            path=path, cause=exc, value=name,
        )
    with src:
        return _check_open(src, path, size, caps)


def _check_open(src, path: Path, size: int, caps: RasterCaps) -> RasterInfo:
    name = path.name
    w, h, n = src.width, src.height, src.count
    if max(w, h) > caps.max_side or w * h > caps.max_pixels:
        _reject(
            "raster.too_large",
            en=f"{name} declares {w:,} × {h:,} px ({w * h:,} per band); the limits are {caps.max_side:,} px "
            f"on a side and {caps.max_pixels:,} px per band. Clip it to Fuqing or resample it coarser "
            f"(gdalwarp -te / -tr) and add it again.",
            zh=f"“{name}”为 {w:,} × {h:,} 像素（每波段 {w * h:,} 像素），超过上限（边长 {caps.max_side:,} 像素、"
            f"每波段 {caps.max_pixels:,} 像素）。请裁剪到福清范围或重采样为较粗分辨率（gdalwarp -te / -tr）后再添加。",
            path=path, value=(w, h), limit=(caps.max_side, caps.max_pixels),
        )
    if n > caps.max_bands or n == 2 or n == 0:
        _reject(
            "raster.bands",
            en=f"{name} has {n} bands; accepted are 1 (data, shown with a colour map), 3 (RGB) or 4 (RGBA). "
            f"Extract the band you want (gdal_translate -b 1) or make an RGB image first.",
            zh=f"“{name}”有 {n} 个波段；只接受 1 个（数据，用色带显示）、3 个（RGB）或 4 个（RGBA）。"
            f"请先提取所需波段（gdal_translate -b 1）或生成 RGB 影像。",
            path=path, value=n, allowed=(1, 3, 4),
        )
    dtype = src.dtypes[0]
    if n == 1 and dtype not in _OK_SINGLE:
        _reject(
            "raster.dtype",
            en=f"{name} stores pixels as {dtype}; accepted are {', '.join(_OK_SINGLE)}. "
            f"Convert it (gdal_translate -ot Float32) and add it again.",
            zh=f"“{name}”的像素类型为 {dtype}；只接受 {', '.join(_OK_SINGLE)}。"
            f"请先转换（gdal_translate -ot Float32）后再添加。",
            path=path, value=dtype, allowed=_OK_SINGLE,
        )
    if n in (3, 4) and any(d != "uint8" for d in src.dtypes):
        _reject(
            "raster.dtype",
            en=f"{name} is a {n}-band image with {dtype} pixels; RGB(A) imagery must be 8-bit (uint8). "
            f"Stretch it to 8 bits (gdal_translate -ot Byte -scale) and add it again.",
            zh=f"“{name}”是 {n} 波段影像，像素类型为 {dtype}；RGB(A) 影像须为 8 位（uint8）。"
            f"请先拉伸为 8 位（gdal_translate -ot Byte -scale）后再添加。",
            path=path, value=dtype, allowed=("uint8",),
        )
    bh, bw = src.block_shapes[0]
    block_bytes = bh * bw * np.dtype(dtype).itemsize * (n if src.interleaving and src.interleaving.name == "PIXEL" else 1)
    if block_bytes > caps.max_block_bytes:
        _reject(
            "raster.too_large",
            en=f"{name} is stored in blocks of {bw:,} × {bh:,} px ({_mb(block_bytes)}); the limit is "
            f"{_mb(caps.max_block_bytes)} per block, or every view would read it whole. "
            f"Re-save it tiled ({_REBUILD_HINT}) and add it again.",
            zh=f"“{name}”的存储块为 {bw:,} × {bh:,} 像素（{_mb(block_bytes)}），超过每块 {_mb(caps.max_block_bytes)} 的上限，"
            f"否则每次显示都要整块读取。请另存为分块格式（{_REBUILD_HINT}）后再添加。",
            path=path, value=(bw, bh), limit=caps.max_block_bytes,
        )
    _check_blocks_in_file(src, path, size)
    crs = _check_georeferencing(src, path)
    bounds_wgs84 = _wgs84_bounds(src, crs, path)
    _check_near_fuqing(bounds_wgs84, path)
    res = _resolution_m(src, crs)
    min_zoom, max_zoom = suggest_zooms(bounds_wgs84, min(res))
    factors = tuple(int(f) for f in src.overviews(1))
    tiled = is_tiled(src)
    is_cog = tiled and (bool(factors) or max(w, h) <= 512)
    epsg = crs.to_epsg(min_confidence=90)
    kind = "single" if n == 1 else ("rgb" if n == 3 else "rgba")
    return RasterInfo(
        path=str(path),
        width=w,
        height=h,
        count=n,
        dtype=dtype,
        crs=f"EPSG:{epsg}" if epsg else crs.to_wkt(),
        bounds_native=tuple(float(v) for v in src.bounds),
        bounds_wgs84=tuple(round(float(v), 7) for v in bounds_wgs84),
        resolution_m=tuple(round(float(v), 3) for v in res),
        nodata=None if src.nodata is None else float(src.nodata),
        overview_factors=factors,
        is_tiled=tiled,
        is_cog=is_cog,
        block_shape=(int(bh), int(bw)),
        kind=kind,
        file_bytes=size,
        min_zoom=min_zoom,
        max_zoom=max_zoom,
        tags=tuple(sorted((str(k), str(v)) for k, v in src.tags().items())),
    )


def _blocks_past_end(ds, size: int, bands: list[int]) -> tuple[int, int] | None:
    """First block (col, row) of ``ds`` whose bytes lie beyond ``size``, from the TIFF directory."""
    bh, bw = ds.block_shapes[0]
    nx, ny = math.ceil(ds.width / bw), math.ceil(ds.height / bh)
    for b in bands:
        for y in range(ny):
            for x in range(nx):
                off = ds.get_tag_item(f"BLOCK_OFFSET_{x}_{y}", "TIFF", bidx=b)
                if off is None:  # sparse block: nothing stored, reads as nodata
                    continue
                length = ds.get_tag_item(f"BLOCK_SIZE_{x}_{y}", "TIFF", bidx=b)
                if int(off) + int(length or 0) > size:
                    return x, y
    return None


def _check_blocks_in_file(src, path: Path, size: int) -> None:
    """Refuse a truncated file: its header is intact but blocks point past the end.

    Only the TIFF directory is consulted (block offsets and byte counts), no
    pixel is decompressed; it costs ~1 µs per block.
    """
    separate = src.count > 1 and src.interleaving is not None and src.interleaving.name == "BAND"
    bands = list(range(1, src.count + 1)) if separate else [1]
    bad = _blocks_past_end(src, size, bands)
    level = 0
    while bad is None and level < len(src.overviews(1)):
        with rasterio.open(path, driver="GTiff", overview_level=level) as ovr:
            bad = _blocks_past_end(ovr, size, [1])
        level += 1
    if bad is not None:
        _reject(
            "raster.unreadable",
            en=f"{path.name} is incomplete: its image data stops before the end the header announces "
            f"(a truncated upload or copy, {size:,} bytes). Copy or upload the file again.",
            zh=f"“{path.name}”不完整：图像数据在文件头声明的位置之前就结束了（上传或复制中断，现有 {size:,} 字节）。"
            f"请重新复制或上传该文件。",
            path=path, value=size, block=bad,
        )


def is_tiled(src) -> bool:
    """Tell whether an open GeoTIFF is stored in tiles rather than strips.

    A strip spans exactly the full width and at most the full height; a
    tile may be narrower or wider than the image (TIFF tiles are multiples
    of 16 px, padded at the edges).
    """
    bh, bw = src.block_shapes[0]
    return bw != src.width or bh > src.height or (bh == bw and bw % 16 == 0 and bh != src.height)


def _check_georeferencing(src, path: Path) -> ProjCRS:
    name = path.name
    t = src.transform
    if src.crs is None or not src.crs.to_wkt():
        gcps, _ = src.gcps
        if gcps:
            en_fix, zh_fix = "warp it first (gdalwarp -t_srs EPSG:4326)", "请先校正（gdalwarp -t_srs EPSG:4326）"
            en = f"{name} is positioned only by {len(gcps)} ground control points, not by a geotransform"
            zh = f"“{name}”只有 {len(gcps)} 个控制点，没有地理变换"
        elif t.is_identity:
            en_fix, zh_fix = (
                "georeference it in QGIS (Georeferencer) or export it from the GIS as GeoTIFF with its CRS",
                "请在 QGIS 中配准（地理配准工具），或从 GIS 软件导出带坐标系的 GeoTIFF",
            )
            en = f"{name} has no coordinates (no CRS and no geotransform): it is a plain image"
            zh = f"“{name}”没有坐标信息（无坐标系、无地理变换），只是一张普通图片"
        else:
            en_fix, zh_fix = (
                "assign the right one (gdal_edit.py -a_srs EPSG:4326, or the CGCS2000 zone, e.g. EPSG:4527)",
                "请指定正确的坐标系（gdal_edit.py -a_srs EPSG:4326，或 CGCS2000 分带，例如 EPSG:4527）",
            )
            en = f"{name} has a geotransform but no coordinate system"
            zh = f"“{name}”有地理变换但没有坐标系"
        _reject("raster.not_georeferenced", en=f"{en}: {en_fix}, then add it again.",
                zh=f"{zh}：{zh_fix}后再添加。", path=path, value=name)
    if t.is_identity:
        _reject(
            "raster.not_georeferenced",
            en=f"{name} has a CRS ({src.crs.to_string()[:60]}) but no geotransform, so its pixels have no position: "
            f"export it again from the GIS with its georeferencing.",
            zh=f"“{name}”有坐标系（{src.crs.to_string()[:60]}）但没有地理变换，像素没有位置：请从 GIS 软件重新导出带配准信息的文件。",
            path=path, value=name,
        )
    if t.b != 0 or t.d != 0:
        _reject(
            "raster.rotated",
            en=f"{name} is rotated or sheared (geotransform {tuple(round(v, 6) for v in t[:6])}): "
            f"warp it north-up first (gdalwarp in.tif out.tif) and add the result.",
            zh=f"“{name}”带有旋转或错切（地理变换 {tuple(round(v, 6) for v in t[:6])}）：请先校正为正北朝上（gdalwarp in.tif out.tif）再添加。",
            path=path, value=tuple(t[:6]),
        )
    wkt = src.crs.to_wkt()
    try:
        crs = ProjCRS.from_wkt(wkt)
    except CRSError as exc:
        _reject(
            "raster.unknown_crs",
            en=f"The coordinate system of {name} is not one PROJ understands ({wkt[:80]}…): "
            f"assign a standard one (gdal_edit.py -a_srs EPSG:4326 or EPSG:4527) and add it again.",
            zh=f"“{name}”的坐标系无法识别（{wkt[:80]}…）：请指定标准坐标系（gdal_edit.py -a_srs EPSG:4326 或 EPSG:4527）后再添加。",
            path=path, cause=exc, value=wkt,
        )
    if not (crs.is_geographic or crs.is_projected):
        _reject(
            "raster.unknown_crs",
            en=f"The coordinate system of {name} is a local/engineering one ({crs.name}) that cannot be placed on "
            f"the Earth: assign its real CRS (e.g. EPSG:4527 for CGCS2000 zone 40) and add it again.",
            zh=f"“{name}”的坐标系是无法定位到地球上的局部坐标系（{crs.name}）：请指定实际坐标系"
            f"（例如 CGCS2000 40 带 EPSG:4527）后再添加。",
            path=path, value=crs.name,
        )
    return crs


def _wgs84_bounds(src, crs: ProjCRS, path: Path) -> tuple[float, float, float, float]:
    name = path.name
    left, bottom, right, top = src.bounds
    fix_en = ("the file probably carries the wrong CRS (metres labelled as degrees, or the wrong zone): "
              "assign the right one with gdal_edit.py -a_srs and add it again")
    fix_zh = "文件的坐标系可能标错（米被标为度，或分带错误）：请用 gdal_edit.py -a_srs 指定正确坐标系后再添加"
    if crs.is_geographic and not (-180.5 <= left <= right <= 360.5 and -90.5 <= bottom <= top <= 90.5):
        if _intersects((bottom, left, top, right), NEAR_FUQING_BOUNDS):
            _reject(
                "raster.unknown_crs",
                en=f"{name} has x and y swapped: its x runs {left:.4f}…{right:.4f} and its y {bottom:.4f}…{top:.4f}, "
                f"which is Fuqing with latitude and longitude exchanged. Export it again with longitude as x "
                f"(in QGIS: Export → Save As GeoTIFF with CRS EPSG:4326) and add it again.",
                zh=f"“{name}”的 x 与 y 颠倒：x 为 {left:.4f}…{right:.4f}、y 为 {bottom:.4f}…{top:.4f}，"
                f"即经纬度互换后的福清。请以经度为 x 重新导出（QGIS：导出 → 另存为 GeoTIFF，坐标系 EPSG:4326）后再添加。",
                path=path, value=tuple(src.bounds),
            )
        _reject(
            "raster.unknown_crs",
            en=f"{name} says its coordinates are degrees ({crs.name}) but its bounds are "
            f"{_fmt_bounds(src.bounds)}: {fix_en}.",
            zh=f"“{name}”声明坐标单位为度（{crs.name}），但范围为 {_fmt_bounds(src.bounds)}：{fix_zh}。",
            path=path, value=tuple(src.bounds),
        )
    try:
        b = transform_bounds(src.crs, "EPSG:4326", left, bottom, right, top, densify_pts=21)
    except (RasterioError, ValueError, CRSError) as exc:
        _reject(
            "raster.unknown_crs",
            en=f"The bounds of {name} ({_fmt_bounds(src.bounds)} in {crs.name}) cannot be converted to WGS84: {fix_en}.",
            zh=f"“{name}”的范围（{crs.name} 下 {_fmt_bounds(src.bounds)}）无法转换为 WGS84：{fix_zh}。",
            path=path, cause=exc, value=tuple(src.bounds),
        )
    if not all(math.isfinite(v) for v in b) or not (-180.5 <= b[0] <= b[2] <= 360.5 and -90.5 <= b[1] <= b[3] <= 90.5):
        _reject(
            "raster.unknown_crs",
            en=f"The bounds of {name} ({_fmt_bounds(src.bounds)} in {crs.name}) do not land on the Earth in WGS84: {fix_en}.",
            zh=f"“{name}”的范围（{crs.name} 下 {_fmt_bounds(src.bounds)}）转换为 WGS84 后不在地球范围内：{fix_zh}。",
            path=path, value=tuple(src.bounds),
        )
    return tuple(float(v) for v in b)


def _fmt_bounds(b) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in b) + ")"


def _intersects(a, b) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _check_near_fuqing(b: tuple[float, float, float, float], path: Path) -> None:
    if _intersects(b, NEAR_FUQING_BOUNDS):
        return
    name = path.name
    lon = (b[0] + b[2]) / 2
    lat = (b[1] + b[3]) / 2
    hint_en = ("if it should cover Fuqing, it probably carries the wrong CRS (e.g. the wrong CGCS2000 zone) "
               "or swapped x/y: assign the right CRS with gdal_edit.py -a_srs and add it again")
    hint_zh = ("如果它应覆盖福清，坐标系可能标错（例如 CGCS2000 分带错误）或 x/y 颠倒："
               "请用 gdal_edit.py -a_srs 指定正确坐标系后再添加")
    _reject(
        "raster.far_from_fuqing",
        en=f"{name} lies at lon {b[0]:.4f}…{b[2]:.4f}, lat {b[1]:.4f}…{b[3]:.4f} (centre {lon:.3f}E, {lat:.3f}N), "
        f"not within {NEAR_MARGIN_DEG}° of Fuqing ({_fmt_bounds(LAND_CLIP_BOUNDS)}); {hint_en}.",
        zh=f"“{name}”位于经度 {b[0]:.4f}…{b[2]:.4f}、纬度 {b[1]:.4f}…{b[3]:.4f}（中心 {lon:.3f}E，{lat:.3f}N），"
        f"不在福清（{_fmt_bounds(LAND_CLIP_BOUNDS)}）周边 {NEAR_MARGIN_DEG}° 以内；{hint_zh}。",
        path=path, value=tuple(round(v, 6) for v in b), expected=NEAR_FUQING_BOUNDS,
    )


def _resolution_m(src, crs: ProjCRS) -> tuple[float, float]:
    """Ground size of the centre pixel, measured geodesically in WGS84."""
    t = src.transform
    col, row = src.width / 2.0, src.height / 2.0
    xs = [t.c + t.a * col, t.c + t.a * (col + 1), t.c + t.a * col]
    ys = [t.f + t.e * row, t.f + t.e * row, t.f + t.e * (row + 1)]
    lon, lat = warp_transform(src.crs, "EPSG:4326", xs, ys)
    _, _, dx = _GEOD.inv(lon[0], lat[0], lon[1], lat[1])
    _, _, dy = _GEOD.inv(lon[0], lat[0], lon[2], lat[2])
    return float(dx), float(dy)


def suggest_zooms(bounds_wgs84: tuple[float, float, float, float], resolution_m: float) -> tuple[int, int]:
    """Suggest the native zoom range of a raster's tiles.

    Parameters
    ----------
    bounds_wgs84 : tuple of float
        Raster extent, degrees.
    resolution_m : float
        Finest native pixel size in metres.

    Returns
    -------
    tuple of int
        ``(min_zoom, max_zoom)``: max is the first zoom whose Web-Mercator
        pixel at the raster's latitude is at least as fine as the native
        pixel, within :data:`ZOOM_FLOOR`..:data:`ZOOM_CEILING`; min is the
        zoom at which the raster spans about one tile, within
        :data:`MIN_ZOOM_FLOOR`..max.
    """
    lat = max(-85.0, min(85.0, (bounds_wgs84[1] + bounds_wgs84[3]) / 2.0))
    res = max(float(resolution_m), 1e-3)
    # The first zoom whose pixel (grid cell size × cos lat) is at least as fine as the native pixel.
    max_zoom = WEB_MERCATOR.zoom_for_res(res / math.cos(math.radians(lat)), max_z=30, zoom_level_strategy="upper")
    max_zoom = max(ZOOM_FLOOR, min(ZOOM_CEILING, max_zoom))
    span = max(bounds_wgs84[2] - bounds_wgs84[0], 1e-9)
    min_zoom = int(math.floor(math.log2(360.0 / span)))
    min_zoom = max(MIN_ZOOM_FLOOR, min(max_zoom, min_zoom))
    return min_zoom, max_zoom
