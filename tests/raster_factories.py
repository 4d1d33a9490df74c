"""Build test GeoTIFFs on the fly (no binary fixtures): good, broken and odd ones.

Every factory takes a folder and returns the path it wrote. Extents sit
inside Fuqing unless the point of the file is to be elsewhere.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.control import GroundControlPoint
from rasterio.crs import CRS
from rasterio.enums import ColorInterp, Resampling
from rasterio.errors import NotGeoreferencedWarning
from rasterio.transform import from_bounds, from_origin

#: A box on the Fuqing coast (city to Fuqing Bay), WGS84.
FUQING_BOX = (119.30, 25.60, 119.50, 25.80)
#: Nodata of float test rasters.
NODATA = -9999.0


def gradient(rows: int, cols: int, dtype: str = "float32") -> np.ndarray:
    """Smooth values 0..100 (west-east plus north-south ramps)."""
    r, c = np.mgrid[0:rows, 0:cols]
    return (50.0 * c / max(cols - 1, 1) + 50.0 * r / max(rows - 1, 1)).astype(dtype)


def write(path: Path, data: np.ndarray, *, crs="EPSG:4326", transform=None, bounds=FUQING_BOX, nodata=None,
          tiled: bool = True, block: int = 256, compress: str | None = "deflate", overviews=None,
          colorinterp=None, **extra) -> Path:
    """Write ``data`` (2-D or bands × rows × cols) as a GeoTIFF."""
    data = data if data.ndim == 3 else data[None]
    count, rows, cols = data.shape
    if transform is None and bounds is not None:
        transform = from_bounds(*bounds, cols, rows)
    profile = dict(driver="GTiff", width=cols, height=rows, count=count, dtype=data.dtype.name, nodata=nodata,
                   **extra)
    if crs is not None:
        profile["crs"] = crs
    if transform is not None:
        profile["transform"] = transform
    if tiled:
        profile.update(tiled=True, blockxsize=block, blockysize=block)
    if compress:
        profile["compress"] = compress
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # some factories mean to write no georeferencing
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(data)
            if colorinterp:
                dst.colorinterp = colorinterp
    if overviews:
        with rasterio.open(path, "r+") as dst:
            dst.build_overviews(list(overviews), Resampling.average)
    return Path(path)


def good_4326(folder: Path, name: str = "good_4326.tif", size: int = 200, bounds=FUQING_BOX) -> Path:
    """float32, EPSG:4326, nodata in the north-west corner."""
    data = gradient(size, size)
    data[:10, :10] = NODATA
    return write(Path(folder) / name, data, bounds=bounds, nodata=NODATA)


def good_32650(folder: Path, name: str = "good_32650.tif", size: int = 200, pixel_m: float = 100.0) -> Path:
    """int16, UTM 50N, over the Fuqing coast."""
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True).transform(119.30, 25.80)
    t = from_origin(round(x, -2), round(y, -2), pixel_m, pixel_m)
    data = gradient(size, size, "int16")
    return write(Path(folder) / name, data, crs="EPSG:32650", transform=t, bounds=None, nodata=-32768)


def cog_like(folder: Path, name: str = "cog.tif", size: int = 1024) -> Path:
    """Tiled, deflate, internal overviews ×2 ×4."""
    return write(Path(folder) / name, gradient(size, size), nodata=NODATA, overviews=(2, 4))


def stripped(folder: Path, name: str = "stripped.tif", size: int = 600) -> Path:
    """Untiled (strips), no overviews, no compression."""
    return write(Path(folder) / name, gradient(size, size), tiled=False, compress=None, nodata=NODATA)


def rgb(folder: Path, name: str = "rgb.tif", size: int = 128, alpha: bool = False) -> Path:
    """uint8 RGB (or RGBA with a transparent west half)."""
    r, c = np.mgrid[0:size, 0:size]
    bands = [(c * 2 % 256), (r * 2 % 256), np.full((size, size), 128)]
    interp = [ColorInterp.red, ColorInterp.green, ColorInterp.blue]
    if alpha:
        bands.append(np.where(c < size // 2, 0, 255))
        interp.append(ColorInterp.alpha)
    data = np.stack(bands).astype("uint8")
    return write(Path(folder) / name, data, photometric="RGB", colorinterp=interp,
                 **({"alpha": "YES"} if alpha else {}))


def hot_pixel(folder: Path, lon: float, lat: float, *, name: str = "hot.tif", size: int = 101,
              pixel_deg: float = 0.0001, crs: str = "EPSG:4326") -> Path:
    """Zeros with one pixel of 100 centred exactly on (lon, lat)."""
    half = size // 2
    west = lon - (half + 0.5) * pixel_deg
    north = lat + (half + 0.5) * pixel_deg
    data = np.zeros((size, size), "float32")
    data[half, half] = 100.0
    return write(Path(folder) / name, data, transform=from_origin(west, north, pixel_deg, pixel_deg), bounds=None,
                 crs=crs, nodata=NODATA)


def truncated(folder: Path, name: str = "truncated.tif") -> Path:
    """A good tiled file cut to 60 % of its length (header intact, data missing)."""
    path = write(Path(folder) / name, gradient(512, 512) + np.random.default_rng(1).random((512, 512)).astype("float32"),
                 nodata=NODATA)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.6)])
    return path


def random_bytes(folder: Path, name: str = "random.tif") -> Path:
    """Random bytes with a .tif name."""
    path = Path(folder) / name
    path.write_bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return path


def tiff_magic_garbage(folder: Path, name: str = "garbage.tif") -> Path:
    """A TIFF signature followed by garbage."""
    path = Path(folder) / name
    path.write_bytes(b"II*\x00" + np.random.default_rng(8).integers(0, 256, 2048, dtype=np.uint8).tobytes())
    return path


def png_named_tif(folder: Path, name: str = "image.tif") -> Path:
    """A PNG picture saved with a .tif name."""
    from PIL import Image

    path = Path(folder) / name
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(path, format="PNG")
    return path


def ungeoreferenced(folder: Path, name: str = "plain.tif") -> Path:
    """No CRS, identity transform: a plain picture stored as TIFF."""
    return write(Path(folder) / name, gradient(64, 64), crs=None, bounds=None)


def no_crs(folder: Path, name: str = "nocrs.tif") -> Path:
    """A geotransform but no CRS (a .tfw without .prj)."""
    return write(Path(folder) / name, gradient(64, 64), crs=None)


def gcps_only(folder: Path, name: str = "gcps.tif") -> Path:
    """Positioned by ground control points only, without a CRS."""
    path = write(Path(folder) / name, gradient(64, 64), crs=None, bounds=None)
    gcps = [GroundControlPoint(0, 0, 119.3, 25.8), GroundControlPoint(0, 64, 119.3, 25.7),
            GroundControlPoint(64, 64, 119.4, 25.7)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path, "r+") as dst:
            dst.gcps = (gcps, CRS.from_epsg(4326))
    return path


def local_crs(folder: Path, name: str = "local.tif") -> Path:
    """An engineering (LOCAL_CS) CRS that cannot be placed on the Earth."""
    wkt = 'LOCAL_CS["site grid",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]'
    return write(Path(folder) / name, gradient(64, 64), crs=CRS.from_wkt(wkt),
                 transform=from_origin(700000, 2850000, 10, 10), bounds=None)


def metres_as_degrees(folder: Path, name: str = "metres_as_degrees.tif") -> Path:
    """UTM metre coordinates labelled EPSG:4326."""
    return write(Path(folder) / name, gradient(64, 64), transform=from_origin(730000, 2840000, 10, 10), bounds=None)


def rotated(folder: Path, name: str = "rotated.tif") -> Path:
    """A geotransform with rotation terms."""
    from rasterio.transform import Affine

    t = Affine(0.001, 0.0002, 119.3, 0.0002, -0.001, 25.8)
    return write(Path(folder) / name, gradient(64, 64), transform=t, bounds=None)


def oversized_header(folder: Path, name: str = "huge.tif", side: int = 100_000) -> Path:
    """A sparse tiled file declaring side × side px and holding no pixels (a few hundred KB)."""
    path = Path(folder) / name
    with rasterio.open(path, "w", driver="GTiff", width=side, height=side, count=1, dtype="uint8",
                       crs="EPSG:4326", transform=from_bounds(*FUQING_BOX, side, side), tiled=True,
                       blockxsize=512, blockysize=512, compress="deflate", sparse_ok=True, bigtiff="YES"):
        pass
    return path


def beijing(folder: Path, name: str = "beijing.tif") -> Path:
    """A good raster over Beijing."""
    return write(Path(folder) / name, gradient(64, 64), bounds=(116.3, 39.8, 116.5, 40.0))


def swapped_axes(folder: Path, name: str = "swapped.tif") -> Path:
    """Fuqing with latitude stored as x and longitude as y."""
    return write(Path(folder) / name, gradient(64, 64), bounds=None,
                 transform=from_bounds(25.6, 119.3, 25.8, 119.5, 64, 64))


def five_bands(folder: Path, name: str = "five.tif") -> Path:
    """Five bands (multispectral)."""
    return write(Path(folder) / name, np.stack([gradient(32, 32)] * 5))


def two_bands(folder: Path, name: str = "two.tif") -> Path:
    """Two bands (neither data nor RGB)."""
    return write(Path(folder) / name, np.stack([gradient(32, 32)] * 2))


def complex_dtype(folder: Path, name: str = "complex.tif") -> Path:
    """complex64 pixels (radar)."""
    return write(Path(folder) / name, gradient(32, 32).astype("complex64"), compress=None)


def rgb16(folder: Path, name: str = "rgb16.tif") -> Path:
    """Three uint16 bands (satellite reflectance)."""
    return write(Path(folder) / name, np.stack([gradient(32, 32, "uint16")] * 3))


def one_big_strip(folder: Path, name: str = "onestrip.tif", side: int = 5000) -> Path:
    """A deflate file stored as a single strip of side × side float32 (100 MB block)."""
    path = Path(folder) / name
    with rasterio.open(path, "w", driver="GTiff", width=side, height=side, count=1, dtype="float32",
                       crs="EPSG:4326", transform=from_bounds(*FUQING_BOX, side, side), compress="deflate",
                       blockysize=side, sparse_ok=True):
        pass
    return path


def file_of_size(folder: Path, nbytes: int, name: str = "big.tif") -> Path:
    """A sparse file of ``nbytes`` (no disk used) with a .tif name."""
    path = Path(folder) / name
    with open(path, "wb") as fh:
        fh.truncate(nbytes)
    os.utime(path)
    return path


def wrong_gk_zone(folder: Path, name: str = "wrong_zone.tif") -> Path:
    """Fuqing in CGCS2000 Gauss-Krüger zone 40 (EPSG:4528) but labelled zone 39 (EPSG:4527)."""
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:4528", always_xy=True).transform(119.30, 25.80)
    return write(Path(folder) / name, gradient(64, 64), crs="EPSG:4527",
                 transform=from_origin(round(x, -2), round(y, -2), 100, 100), bounds=None)
