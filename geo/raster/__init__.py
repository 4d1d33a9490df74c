"""Raster overlays: check a GeoTIFF, store it with overviews, render a static XYZ tile pyramid.

Pure functions (no Streamlit, no store). The app's flow when an admin adds
a GeoTIFF::

    info = check_raster(upload)                    # header only; RasterRejected if unusable
    stored = ensure_overviews(upload, storage_path) # tiled, deflate, overviews
    result = render_pyramid(stored, tiles_dir, style=RasterStyle("blues"),
                            min_zoom=info.min_zoom, max_zoom=info.max_zoom,
                            display="wgs84", progress=cb)
    # Leaflet: L.tileLayer(base_url + "/{z}/{x}/{y}.png", {minNativeZoom, maxNativeZoom, bounds})

Modules, one job each: :mod:`~geo.raster.check` (accept or refuse),
:mod:`~geo.raster.overviews` (stored copy), :mod:`~geo.raster.colormap`
(colour maps, legends), :mod:`~geo.raster.style` (style and value range),
:mod:`~geo.raster.tilemath` (XYZ grid), :mod:`~geo.raster.tiles` (one
tile), :mod:`~geo.raster.pyramid` (all tiles, tiles.json),
:mod:`~geo.raster.samples` (the two shipped sample rasters).
"""

from geo.raster.check import DEFAULT_CAPS, NEAR_FUQING_BOUNDS, RasterCaps, RasterInfo, check_raster, suggest_zooms
from geo.raster.colormap import COLORMAPS, ColorMap, apply_colormap, css_gradient, legend
from geo.raster.overviews import ensure_overviews, overview_factors
from geo.raster.pyramid import MAX_TILES, TILES_JSON, PyramidResult, encode_png, render_pyramid
from geo.raster.samples import SAMPLE_RASTERS, SampleRaster, sample_path
from geo.raster.style import RasterStyle, resolve_style, value_range
from geo.raster.tilemath import tile_bounds_3857, tiles_for_bounds
from geo.raster.tiles import DISPLAYS, render_tile, tile_transform

__all__ = [
    "DEFAULT_CAPS",
    "NEAR_FUQING_BOUNDS",
    "RasterCaps",
    "RasterInfo",
    "check_raster",
    "suggest_zooms",
    "COLORMAPS",
    "ColorMap",
    "apply_colormap",
    "css_gradient",
    "legend",
    "ensure_overviews",
    "overview_factors",
    "MAX_TILES",
    "TILES_JSON",
    "PyramidResult",
    "encode_png",
    "render_pyramid",
    "SAMPLE_RASTERS",
    "SampleRaster",
    "sample_path",
    "RasterStyle",
    "resolve_style",
    "value_range",
    "tile_bounds_3857",
    "tiles_for_bounds",
    "DISPLAYS",
    "render_tile",
    "tile_transform",
]
