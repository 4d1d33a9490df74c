"""Everything the app serves besides Streamlit's own routes, put together for ``st.App``."""

from __future__ import annotations

from typing import Callable, Iterable

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from geo.raster.tilecache import TileCache, max_bytes_from_env
from geo.web import paths
from geo.web.access import Access
from geo.web.field_api import field_api_routes
from geo.web.field_auth import FieldAuth
from geo.web.field_static import field_static_routes
from geo.web.files import file_routes
from geo.web.health import health_routes
from geo.web.security import BodyLimit, SecurityHeaders
from geo.web.settings import WebSettings
from geo.web.signin import MAX_BODY, session_routes
from geo.web.tiles import tile_routes

__all__ = ["web_routes", "web_middleware", "body_limit_for", "DEFAULT_BODY_LIMIT"]

#: Body limit of any request not otherwise listed (Streamlit's own small POSTs fit easily).
DEFAULT_BODY_LIMIT = 1024 * 1024
#: What a multipart upload adds around the file (boundaries, headers).
MULTIPART_OVERHEAD = 64 * 1024


def web_routes(settings: WebSettings, *, xsrf_check: Callable | None = None,
               tile_cache: TileCache | None = None) -> list[BaseRoute]:
    """The app's routes: health, files behind the session, tiles, the session cookie, the offline field client."""
    access = Access(settings)
    cache = tile_cache or TileCache(settings.cache_root / "tiles", max_bytes_from_env())
    base = settings.base_url_path
    return [
        *health_routes(settings, base),
        *file_routes(access, base),
        *tile_routes(access, cache, base),
        *session_routes(access, base_url_path=base, xsrf_check=xsrf_check if settings.xsrf else None),
        *field_api_routes(FieldAuth(access), base),
        *field_static_routes(access, FieldAuth(access), base),
    ]


def body_limit_for(settings: WebSettings) -> Callable[[str], int]:
    """``path -> bytes``: the upload route takes ``server.maxUploadSize``, the session route 1 KB, others 1 MB."""
    upload = paths.under(settings.base_url_path, "_stcore/upload_file/")
    session = paths.under(settings.base_url_path, paths.SESSION)
    upload_limit = settings.max_upload_mb * 1024 * 1024 + MULTIPART_OVERHEAD

    def limit(path: str) -> int:
        if path.startswith(upload):
            return upload_limit
        if path == session:
            return MAX_BODY
        return DEFAULT_BODY_LIMIT

    return limit


def web_middleware(settings: WebSettings, *, script_hashes: Iterable[str] = (),
                   extra: Iterable[Middleware] = ()) -> list[Middleware]:
    """Security headers first (they reach every response), then body limits, then ``extra``."""
    return [
        Middleware(SecurityHeaders, base_url_path=settings.base_url_path, img_hosts=settings.img_hosts,
                   script_hashes=tuple(script_hashes)),
        Middleware(BodyLimit, limit_for=body_limit_for(settings)),
        *extra,
    ]
