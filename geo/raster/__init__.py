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
:mod:`~geo.raster.samples` (the two shipped sample rasters), :mod:`~geo.raster.records`
(what the store keeps of an overlay) and :mod:`~geo.raster.overlays` (an overlay end to end:
add to the store, keep its pyramids, describe it for the map).

Import the submodule you need: this package imports nothing itself, so the store can use
its records without loading rasterio.
"""
