"""The offline field client's files: its page, scripts, styles, service worker, manifest, icons, base geography.

The app shell holds no data (the pack comes from the API, behind the
sign-in), so it is served to anyone: a device can open it, and the service
worker can keep it, before its inspector signs in. Each file is sent with
its content type, a strong ETag and ``Cache-Control: no-cache`` (the browser
revalidates; the service worker keeps the copies it works offline with).
``sw.js`` is served from ``field/`` itself, so its scope is ``field/``.

The base geography under ``field/base/<version>/`` is behind the same
sign-in as the app's ``files/base/`` (a session, a field device token, or a
guest while guests may read) and is named by its version, so it is cached
for good.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from geo.field import shell
from geo.web import paths
from geo.web.access import Access, Denied
from geo.web.basefiles import base_version, served_names
from geo.web.field_auth import FieldAuth
from geo.web.responses import IMMUTABLE, content_response, etag_for, file_response, not_found

__all__ = ["field_static_routes", "REVALIDATE"]

#: Shell files: kept by the browser, asked again (304 when unchanged).
REVALIDATE = "no-cache"


@lru_cache(maxsize=4)
def _shell_json(version: str, names: tuple[str, ...]) -> bytes:
    return json.dumps(shell.shell_config(version, names), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@lru_cache(maxsize=32)
def _file(name: str, stamp: float) -> tuple[bytes, str]:
    body = shell.FILES[name].read_bytes()
    return body, hashlib.sha256(body).hexdigest()


def field_static_routes(access: Access, auth: FieldAuth, base_url_path: str = "") -> list[Route]:
    """``field/`` and the files under it (under ``base_url_path``)."""
    settings = access.settings
    root = paths.under(base_url_path, paths.FIELD)

    def _send(request: Request, body: bytes, media_type: str, key: str, cache: str = REVALIDATE) -> Response:
        return content_response(request, body, etag_for(key), media_type, cache_control=cache)

    def _names() -> tuple[str, ...]:
        return served_names(settings.base_data_dir, "wgs84")

    async def redirect(request: Request) -> Response:
        return RedirectResponse(root + "/", status_code=308)

    async def page(request: Request) -> Response:
        return await asset(request, "index.html")

    async def asset(request: Request, name: str | None = None) -> Response:
        name = name or request.path_params["name"]
        if name == "shell.json":
            version = base_version(settings.base_data_dir)
            body = await run_in_threadpool(_shell_json, version, _names())
            return _send(request, body, "application/json", "field/shell/" + body.decode("utf-8"))
        if name == "manifest.webmanifest":
            body = json.dumps(shell.manifest(), ensure_ascii=False).encode("utf-8")
            return _send(request, body, shell.MEDIA_TYPES[".webmanifest"], "field/manifest/" + body.decode("utf-8"))
        if name in (f"icon-{n}.png" for n in shell.ICON_SIZES):
            size = int(name[5:-4])
            return _send(request, shell.icon_png(size), "image/png", f"field/icon/{size}/{shell.shell_version('')}")
        path = shell.file_path(name)
        if path is None:
            return not_found()
        body, digest = _file(name, path.stat().st_mtime)
        return _send(request, body, shell.MEDIA_TYPES[path.suffix], f"field/{name}/{digest}")

    async def base_file(request: Request) -> Response:
        try:
            await run_in_threadpool(auth.reader, request)
        except Denied as d:
            return d.response
        version, name = request.path_params["version"], request.path_params["name"]
        if version != base_version(settings.base_data_dir) or name not in _names():
            return not_found()
        return await file_response(request, settings.base_data_dir / name, etag_for(f"base/wgs84/{version}/{name}"),
                                   "application/geo+json", cache_control=IMMUTABLE)

    return [
        Route(root, redirect, methods=["GET", "HEAD"]),
        Route(root + "/", page, methods=["GET", "HEAD"]),
        Route(root + "/base/{version}/{name}", base_file, methods=["GET", "HEAD"]),
        Route(root + "/{name}", asset, methods=["GET", "HEAD"]),
    ]
