"""Raster tiles on request: ``tiles/<raster_id>/<style_key>/<frame>/<z>/<x>/<y>.png``, behind the session.

The URL names the raster, its file content and colouring (``style_key``)
and the display frame, so a tile's URL changes exactly when its pixels do:
the response carries a strong ETag and may be kept for a year. A tile is
read from the bounded on-disk cache or rendered with rio-tiler
(:func:`geo.raster.overlays.tile_png`) in a worker thread; at most
:data:`MAX_PARALLEL_RENDERS` render at once, which bounds the memory
rendering can take however many tiles are asked for. A tile with no data
answers 204 (Leaflet draws nothing there).
"""

from __future__ import annotations

import logging
import threading
import time

import anyio
from rasterio.errors import RasterioError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from geo.errors import OneMapError
from geo.raster.overlays import tile_png
from geo.raster.tilecache import RENDER_VERSION, TileCache
from geo.raster.tiles import DISPLAYS, check_tile
from geo.store.base import Actor
from geo.web import paths
from geo.web.access import Access, Denied
from geo.web.responses import content_response, etag_for, not_found

__all__ = ["MAX_PARALLEL_RENDERS", "tile_routes"]

#: Tiles rendered at the same time (each holds a few MB; two cores).
MAX_PARALLEL_RENDERS = 2
#: How long the list of raster layers is reused between tile requests, seconds.
LAYERS_TTL_S = 2.0
log = logging.getLogger(__name__)
_SYSTEM = Actor("web", role="system", client="tiles")


def tile_routes(access: Access, cache: TileCache, base_url_path: str = "") -> list[Route]:
    """The tile route (under ``base_url_path``), rendering into ``cache``."""
    limiter = anyio.CapacityLimiter(MAX_PARALLEL_RENDERS)
    layers_lock = threading.Lock()
    layers: dict = {"at": 0.0, "by_id": {}}

    def current_layers(store) -> dict:
        with layers_lock:
            if time.monotonic() - layers["at"] > LAYERS_TTL_S:
                layers["by_id"] = {r.raster_id: r for r in store.list_rasters(_SYSTEM)}
                layers["at"] = time.monotonic()
            return layers["by_id"]

    async def tile(request: Request) -> Response:
        try:
            access.reader(request)
            store = access.store()
        except Denied as d:
            return d.response
        p = request.path_params
        try:
            z, x = int(p["z"]), int(p["x"])
            y = int(p["y"].removesuffix(".png")) if p["y"].endswith(".png") else -1
        except ValueError:
            return not_found()
        frame, style_key = p["frame"], p["style_key"]
        if frame not in DISPLAYS or not check_tile(z, x, y):
            return not_found()
        try:
            layer = (await run_in_threadpool(current_layers, store)).get(p["raster_id"])
        except OneMapError:
            return Denied(503).response
        if layer is None or layer.style_key != style_key:
            return not_found()
        etag = etag_for(f"tiles/v{RENDER_VERSION}/{style_key}/{frame}/{z}/{x}/{y}")
        if request.headers.get("if-none-match"):
            answer = content_response(request, b"", etag, "image/png")
            if answer.status_code == 304:
                return answer
        path = store.raster_path(layer)
        try:
            png = await anyio.to_thread.run_sync(tile_png, path, layer, frame, z, x, y, cache, limiter=limiter)
        except (OneMapError, OSError, RasterioError) as exc:
            log.warning("tile %s/%s/%s/%d/%d/%d: %r", layer.raster_id, style_key, frame, z, x, y, exc)
            return not_found()
        return content_response(request, png, etag, "image/png")

    return [Route(paths.under(base_url_path, paths.TILES + "/{raster_id}/{style_key}/{frame}/{z}/{x}/{y}"), tile,
                  methods=["GET", "HEAD"])]
