"""The two sample rasters shipped in ``data/rasters/`` and how they are built.

* ``distance_to_shore.tif`` — signed distance to the OpenStreetMap
  coastline (``data/base/land.geojson``): metres (rounded to 10 m; the
  coastline itself is good to 50–100 m), positive at sea, negative on land;
  UTM 50N (EPSG:32650), 100 m pixels, int16 (float32 would be 1.1 MB).
  Derived from OSM, so ODbL.
* ``synthetic_index.tif`` — **合成示例 / synthetic**: smooth Gaussian blobs
  in Fuqing Bay and Xinghua Bay from a fixed seed, standing in for a
  water-colour index (0–100) until the bureau adds real remote-sensing
  products; sea only, EPSG:4326, 0.002° pixels, float32. The file's tags
  say it is synthetic.

:data:`SAMPLE_RASTERS` carries what the app needs to register them (names,
colour map, range, unit, licence). ``scripts/build_sample_rasters.py``
rebuilds both byte for byte (same GDAL/zlib build) with
:func:`build_distance_to_shore` and :func:`build_synthetic_index`.
"""

from __future__ import annotations

import math
import os
import random
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import shapely
from pyproj import Transformer
from rasterio.enums import Resampling
from rasterio.transform import from_origin
from shapely.geometry import box

from geo.basegeo import LAND_CLIP_BOUNDS, bays, land
from geo.raster.overviews import overview_factors

__all__ = [
    "RASTER_DIR",
    "SampleRaster",
    "SAMPLE_RASTERS",
    "sample_path",
    "build_distance_to_shore",
    "build_synthetic_index",
    "BUILDERS",
]

RASTER_DIR = Path(__file__).resolve().parents[2] / "data" / "rasters"


@dataclass(frozen=True)
class SampleRaster:
    """A shipped sample raster and how the app shows it.

    Attributes
    ----------
    key : str
        Stable id (also the file stem).
    file : str
        File name inside ``data/rasters/``.
    name_zh, name_en : str
        Layer name.
    colormap : str
        Colour-map key.
    vmin, vmax : float
        Value range of the colour map.
    unit : str
        Legend unit.
    is_synthetic : bool
        True: invented values; the app must say so (合成示例).
    description_zh, description_en : str
        One paragraph for the layer's info panel.
    licence : str
        Licence of the file.
    attribution : str
        Text to show with the layer.
    """

    key: str
    file: str
    name_zh: str
    name_en: str
    colormap: str
    vmin: float
    vmax: float
    unit: str
    is_synthetic: bool
    description_zh: str
    description_en: str
    licence: str
    attribution: str

    @property
    def path(self) -> Path:
        """Absolute path of the shipped file."""
        return RASTER_DIR / self.file

    def style(self) -> dict[str, Any]:
        """Style dict for :class:`geo.raster.style.RasterStyle`."""
        return {"colormap": self.colormap, "vmin": self.vmin, "vmax": self.vmax, "unit": self.unit}

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for the store)."""
        return asdict(self)


#: What the app registers, in display order.
SAMPLE_RASTERS: list[SampleRaster] = [
    SampleRaster(
        key="distance_to_shore",
        file="distance_to_shore.tif",
        name_zh="离岸距离",
        name_en="Distance to shore",
        colormap="brbg",
        vmin=-15000.0,
        vmax=15000.0,
        unit="m",
        is_synthetic=False,
        description_zh="到 OpenStreetMap 海岸线的距离（米）：海上为正，陆地为负。UTM 50N，100 米像元；"
        "靠近范围边缘、真实最近海岸可能在范围之外的像元为无数据。",
        description_en="Distance to the OpenStreetMap coastline in metres: positive at sea, negative on land. "
        "UTM 50N, 100 m pixels; pixels near the edge whose nearest coast may lie outside the box are nodata.",
        licence="ODbL 1.0",
        attribution="© OpenStreetMap contributors (ODbL)",
    ),
    SampleRaster(
        key="synthetic_index",
        file="synthetic_index.tif",
        name_zh="合成示例：水色指数",
        name_en="Synthetic example: water-colour index",
        colormap="viridis",
        vmin=0.0,
        vmax=100.0,
        unit="",
        is_synthetic=True,
        description_zh="合成示例数据，非监测结果：在福清湾和兴化湾内用固定随机种子生成的平滑高斯斑块（0–100），"
        "仅用于演示栅格叠加，待替换为真实遥感产品。",
        description_en="SYNTHETIC example, not a measurement: smooth Gaussian blobs (0–100) in Fuqing Bay and "
        "Xinghua Bay from a fixed seed, only to demonstrate raster overlays until real remote-sensing products "
        "are added.",
        licence="none (synthetic, made by this project)",
        attribution="合成示例数据 / synthetic sample",
    ),
]


def sample_path(key: str) -> Path:
    """Path of the shipped sample raster ``key``.

    Parameters
    ----------
    key : str
        ``"distance_to_shore"`` or ``"synthetic_index"``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    KeyError
        For an unknown key (the message lists the known ones).
    """
    for s in SAMPLE_RASTERS:
        if s.key == key:
            return s.path
    raise KeyError(f"unknown sample raster {key!r}; known: {[s.key for s in SAMPLE_RASTERS]}")


# --------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------
#: Nodata of the float32 synthetic index (no real value comes near it).
NODATA = -99999.0
#: Nodata of the int16 distance raster.
DISTANCE_NODATA = -32768
#: Distances are rounded to this many metres (halves the file; the coast is good to 50–100 m).
DISTANCE_STEP_M = 10
DISTANCE_CRS = "EPSG:32650"
DISTANCE_PIXEL_M = 100.0
INDEX_PIXEL_DEG = 0.002
#: Seed of the synthetic blobs (Python's random.random() sequence is stable across versions).
INDEX_SEED = 20250917
_EDGE_EPS_DEG = 1e-5
#: Blobs per bay (Fuqing Bay is a sixth of Xinghua Bay's area).
_BLOBS_PER_BAY = {"fuqing_bay": 3, "xinghua_bay": 6}


def _write(path: Path, data: np.ndarray, transform, crs: str, nodata: float, tags: dict[str, str],
           description: str, unit: str) -> Path:
    """Write a single-band GeoTIFF deterministically, with overviews, then move it in place."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp.tif")
    profile = dict(
        driver="GTiff", width=data.shape[1], height=data.shape[0], count=1, dtype=data.dtype.name, crs=crs,
        transform=transform, nodata=nodata, tiled=True, blockxsize=256, blockysize=256,
        compress="deflate", zlevel=9, predictor=3 if data.dtype.kind == "f" else 2,
    )
    try:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(data, 1)
            dst.update_tags(**tags)
            dst.set_band_description(1, description)
            dst.set_band_unit(1, unit)
        with rasterio.open(tmp, "r+") as dst:
            dst.build_overviews(overview_factors(dst.width, dst.height), Resampling.average)
            dst.update_tags(ns="rio_overview", resampling="average")
        Path(str(tmp) + ".aux.xml").unlink(missing_ok=True)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _shore_segments_utm(tr: Transformer) -> np.ndarray:
    """The OSM coastline inside the land box (box edges removed) as UTM segments."""
    minx, miny, maxx, maxy = LAND_CLIP_BOUNDS
    inner = box(minx + _EDGE_EPS_DEG, miny + _EDGE_EPS_DEG, maxx - _EDGE_EPS_DEG, maxy - _EDGE_EPS_DEG)
    lines = shapely.intersection(land().boundary, inner)
    segs = []
    for part in shapely.get_parts(lines):
        if part.geom_type != "LineString" or part.is_empty:
            continue
        xy = shapely.get_coordinates(part)
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        pts = np.column_stack([x, y])
        segs.append(np.stack([pts[:-1], pts[1:]], axis=1))
    return shapely.linestrings(np.concatenate(segs))


def distance_grid() -> tuple[np.ndarray, Any]:
    """Signed distance to the shore on the 100 m UTM grid over the land box.

    Returns
    -------
    tuple
        ``(int16 array with DISTANCE_NODATA, affine transform)``.
    """
    to_utm = Transformer.from_crs("EPSG:4326", DISTANCE_CRS, always_xy=True)
    to_ll = Transformer.from_crs(DISTANCE_CRS, "EPSG:4326", always_xy=True)
    minx, miny, maxx, maxy = LAND_CLIP_BOUNDS
    t = np.linspace(0.0, 1.0, 101)
    ex, ey = to_utm.transform(
        np.concatenate([minx + t * (maxx - minx), np.full_like(t, maxx), minx + t * (maxx - minx), np.full_like(t, minx)]),
        np.concatenate([np.full_like(t, miny), miny + t * (maxy - miny), np.full_like(t, maxy), miny + t * (maxy - miny)]),
    )
    px = DISTANCE_PIXEL_M
    left = math.floor(min(ex) / 1000) * 1000
    top = math.ceil(max(ey) / 1000) * 1000
    width = int(math.ceil((max(ex) - left) / px))
    height = int(math.ceil((top - min(ey)) / px))
    transform = from_origin(left, top, px, px)
    xs = left + (np.arange(width) + 0.5) * px
    ys = top - (np.arange(height) + 0.5) * px
    gx, gy = np.meshgrid(xs, ys)
    lon, lat = to_ll.transform(gx.ravel(), gy.ravel())
    inside = (lon > minx) & (lon < maxx) & (lat > miny) & (lat < maxy)
    segs = _shore_segments_utm(to_utm)
    tree = shapely.STRtree(segs)
    pts = shapely.points(gx.ravel()[inside], gy.ravel()[inside])
    _, dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
    on_land = shapely.intersects_xy(land(), lon[inside], lat[inside])
    # Trust a distance only if no unseen coast (outside the box) could be closer.
    edge = np.minimum(
        np.minimum(lon[inside] - minx, maxx - lon[inside]) * 111_320.0 * np.cos(np.radians(lat[inside])),
        np.minimum(lat[inside] - miny, maxy - lat[inside]) * 110_574.0,
    )
    values = np.round(np.where(on_land, -dist, dist) / DISTANCE_STEP_M) * DISTANCE_STEP_M
    values = np.where(dist <= edge, values, DISTANCE_NODATA)
    if values.min() < DISTANCE_NODATA or values.max() > 32767:
        raise ValueError("distance beyond the int16 range: widen the type")  # cannot happen in this box
    out = np.full(width * height, DISTANCE_NODATA, dtype=np.int16)
    out[inside] = values.astype(np.int16)
    return out.reshape(height, width), transform


def build_distance_to_shore(path: str | Path) -> Path:
    """Build ``distance_to_shore.tif`` at ``path`` (a few seconds).

    Parameters
    ----------
    path : str or pathlib.Path
        Output file.

    Returns
    -------
    pathlib.Path
    """
    data, transform = distance_grid()
    tags = {
        "TITLE": "Distance to shore (signed) / 离岸距离",
        "UNITS": "m",
        "PRECISION": f"rounded to {DISTANCE_STEP_M} m",
        "SIGN": "positive at sea, negative on land",
        "SOURCE": "OpenStreetMap land polygons (roaring-landmask 0.11.0, Sept 2024) via data/base/land.geojson",
        "LICENSE": "ODbL 1.0, (c) OpenStreetMap contributors",
        "SYNTHETIC": "no",
        "BUILT_BY": "scripts/build_sample_rasters.py",
    }
    return _write(path, data, transform, DISTANCE_CRS, DISTANCE_NODATA, tags, "signed distance to shore", "m")


def _blobs(rng: random.Random, geom, n: int) -> list[tuple[float, float, float, float]]:
    """``n`` blobs (lon, lat, sigma°, amplitude) with centres inside ``geom``."""
    minx, miny, maxx, maxy = geom.bounds
    out = []
    while len(out) < n:
        lon = minx + rng.random() * (maxx - minx)
        lat = miny + rng.random() * (maxy - miny)
        if shapely.intersects_xy(geom, lon, lat):
            out.append((lon, lat, 0.01 + 0.03 * rng.random(), 15.0 + 40.0 * rng.random()))
    return out


def index_grid() -> tuple[np.ndarray, Any]:
    """The synthetic index on the 0.002° grid over the land box (sea only).

    Returns
    -------
    tuple
        ``(float32 array with NODATA, affine transform)``.
    """
    minx, miny, maxx, maxy = LAND_CLIP_BOUNDS
    px = INDEX_PIXEL_DEG
    width = int(round((maxx - minx) / px))
    height = int(round((maxy - miny) / px))
    transform = from_origin(minx, maxy, px, px)
    lon = minx + (np.arange(width) + 0.5) * px
    lat = maxy - (np.arange(height) + 0.5) * px
    glon, glat = np.meshgrid(lon, lat)
    rng = random.Random(INDEX_SEED)
    value = np.full(glon.shape, 8.0)
    b = bays()
    for code in sorted(b):
        for blon, blat, sigma, amp in _blobs(rng, b[code], _BLOBS_PER_BAY.get(code, 3)):
            d2 = ((glon - blon) * math.cos(math.radians(blat))) ** 2 + (glat - blat) ** 2
            value += amp * np.exp(-d2 / (2 * sigma * sigma))
    value = np.round(np.clip(value, 0.0, 100.0), 1)
    sea = ~shapely.intersects_xy(land(), glon.ravel(), glat.ravel()).reshape(glon.shape)
    return np.where(sea, value, NODATA).astype(np.float32), transform


def build_synthetic_index(path: str | Path) -> Path:
    """Build ``synthetic_index.tif`` at ``path`` (under a second).

    Parameters
    ----------
    path : str or pathlib.Path
        Output file.

    Returns
    -------
    pathlib.Path
    """
    data, transform = index_grid()
    tags = {
        "TITLE": "SYNTHETIC water-colour index / 合成示例：水色指数",
        "SYNTHETIC": "yes",
        "DESCRIPTION": "Synthetic sample, not a measurement: Gaussian blobs in Fuqing Bay and Xinghua Bay, "
        f"seed {INDEX_SEED}. 合成示例数据，非监测结果。",
        "LICENSE": "none (synthetic)",
        "BUILT_BY": "scripts/build_sample_rasters.py",
    }
    return _write(path, data, transform, "EPSG:4326", NODATA, tags, "synthetic water-colour index (SYNTHETIC)", "")


#: File name → builder, for the build script.
BUILDERS = {
    "distance_to_shore.tif": build_distance_to_shore,
    "synthetic_index.tif": build_synthetic_index,
}
