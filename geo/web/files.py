"""Files behind the session: site payloads of large maps, the base geography, field photos.

Each route first asks :class:`geo.web.access.Access` whether the request may
read (401 otherwise, the same for every URL), then checks the name against
the only shape that route serves (a digest, a known file), then answers
from disk with a strong ETag and long private caching — or 304.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from geo.web import paths
from geo.web.access import Access, Denied
from geo.web.basefiles import FRAMES, base_version, frame_dir, served_names, write_display_copies
from geo.web.responses import etag_for, file_response, not_found

__all__ = ["file_routes"]

_SITE_FILE = re.compile(r"^[0-9a-f]{32}\.json$")
_PHOTO_FILE = re.compile(r"^([0-9a-f]{64})(_t)?\.jpg$")


def file_routes(access: Access, base_url_path: str = "") -> list[Route]:
    """The routes serving site payloads, base geography and photos (under ``base_url_path``)."""
    settings = access.settings

    async def site_payload(request: Request) -> Response:
        try:
            access.reader(request)
        except Denied as d:
            return d.response
        name = request.path_params["name"]
        if not _SITE_FILE.match(name):
            return not_found()
        return await file_response(request, settings.sites_dir / name, etag_for("sites/" + name),
                                   "application/json")

    async def base_file(request: Request) -> Response:
        try:
            access.reader(request)
        except Denied as d:
            return d.response
        frame, version, name = (request.path_params[k] for k in ("frame", "version", "name"))
        if frame not in FRAMES or name not in served_names(settings.base_data_dir, frame):
            return not_found()
        current = base_version(settings.base_data_dir)
        if version != current:
            return not_found()
        folder = frame_dir(settings.base_data_dir, settings.cache_root, frame)
        if frame != "wgs84" and not (folder / name).is_file():
            try:
                write_display_copies(settings.base_data_dir, folder, frame)
            except OSError:
                return not_found()
        return await file_response(request, folder / name, etag_for(f"base/{frame}/{current}/{name}"),
                                   "application/geo+json")

    async def photo(request: Request) -> Response:
        try:
            access.reader(request)
        except Denied as d:
            return d.response
        name = request.path_params["name"]
        m = _PHOTO_FILE.match(name)
        if not m:
            return not_found()
        path = settings.photos_root / m.group(1)[:2] / name
        return await file_response(request, path, etag_for("photos/" + name), "image/jpeg")

    return [
        Route(paths.under(base_url_path, paths.SITES + "/{name}"), site_payload, methods=["GET", "HEAD"]),
        Route(paths.under(base_url_path, paths.BASE + "/{frame}/{version}/{name}"), base_file, methods=["GET", "HEAD"]),
        Route(paths.under(base_url_path, paths.PHOTOS + "/{name}"), photo, methods=["GET", "HEAD"]),
    ]
