"""Raster overlays: check a GeoTIFF, store it with overviews, render its tiles on request.

Pure functions (no Streamlit). The app's flow when an admin adds a GeoTIFF::

    info = check_raster(upload)                     # header only; RasterRejected if unusable
    stored = ensure_overviews(upload, storage_path)  # tiled, deflate, overviews
    png = render_tile(stored, z, x, y, style=RasterStyle("blues"), display="wgs84")   # per request
    # Leaflet: L.tileLayer(".../tiles/<id>/<style_key>/<frame>/{z}/{x}/{y}.png", {maxNativeZoom, bounds})

Modules, one job each: :mod:`~geo.raster.check` (accept or refuse),
:mod:`~geo.raster.overviews` (stored copy), :mod:`~geo.raster.colormap`
(which of rio-tiler's colour maps, with labels and legends),
:mod:`~geo.raster.style` (style and value range), :mod:`~geo.raster.tiles`
(one tile, with rio-tiler and morecantile; the GCJ-02 display affine),
:mod:`~geo.raster.tilecache` (rendered tiles on disk, bounded),
:mod:`~geo.raster.samples` (the two shipped sample rasters),
:mod:`~geo.raster.records` (what the store keeps of an overlay) and
:mod:`~geo.raster.overlays` (an overlay end to end: add to the store,
describe it for the map, a tile from the cache or rendered).

Import the submodule you need: this package imports nothing itself, so the store can use
its records without loading rasterio.
"""
