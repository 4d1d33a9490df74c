"""The app's routes and middleware with the settings read from Streamlit's configuration (for ``app.py``).

The routes themselves are in :mod:`geo.web` (no Streamlit); what needs
Streamlit is here: its configuration (``server.baseUrlPath``, HTTPS, XSRF,
``server.maxUploadSize``), its XSRF check, the inline scripts of its page
(for the CSP), and the guard of its ``/media/`` route (:mod:`ui.web.media_guard`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from starlette.middleware import Middleware

from geo.raster.overlays import cache_root
from geo.store import store_locator
from geo.web.routes import web_middleware, web_routes
from geo.web.settings import WebSettings
from ui.web.media_guard import MediaGuard

__all__ = ["settings", "routes", "middleware", "basemap_img_hosts", "page_script_hashes"]


def basemap_img_hosts() -> tuple[str, ...]:
    """Origins of the tiles of the online basemaps this deployment offers (``https://*.tianditu.gov.cn`` ...)."""
    from geo.map.basemaps import available, read_config

    try:
        import streamlit as st

        secrets = st.secrets
    except Exception:  # noqa: BLE001 - no or broken secrets file: environment only
        secrets = None
    try:
        offered = available(read_config(os.environ, secrets))
    except Exception:  # noqa: BLE001 - a broken [basemaps] table: offline only
        return ()
    hosts = set()
    for basemap in offered:
        for source in getattr(basemap, "tiles", ()):
            parts = urlsplit(source.url.replace("{s}", "SUB"))
            if parts.scheme != "https" or not parts.hostname:
                continue
            labels = parts.hostname.split(".")
            host = ".".join("*" if "sub" in label.lower() and i == 0 else label for i, label in enumerate(labels))
            hosts.add(f"https://{host}")
    return tuple(sorted(hosts))


@lru_cache(maxsize=1)
def page_script_hashes() -> tuple[str, ...]:
    """Base64 SHA-256 of each inline ``<script>`` in Streamlit's ``index.html`` (allowed by the CSP, nothing else)."""
    import streamlit

    index = Path(streamlit.__file__).parent / "static" / "index.html"
    try:
        html = index.read_text(encoding="utf-8")
    except OSError:
        return ()
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
    return tuple(base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() for s in scripts)


def _absolute(locator: str) -> str:
    """A GeoPackage path made absolute (the working directory may change); a URL as it is."""
    from geo.store import is_postgres

    return locator if is_postgres(locator) else str(Path(locator).resolve())


def settings() -> WebSettings:
    """The routes' settings from Streamlit's configuration and the environment (read when the app starts)."""
    from streamlit import config

    return WebSettings(
        store=_absolute(store_locator()),
        cache_root=cache_root().resolve(),
        base_url_path=(config.get_option("server.baseUrlPath") or "").strip("/"),
        https=bool(config.get_option("server.sslCertFile")),
        xsrf=bool(config.get_option("server.enableXsrfProtection")),
        max_upload_mb=int(config.get_option("server.maxUploadSize")),
        img_hosts=basemap_img_hosts(),
    )


def routes(web: WebSettings) -> list:
    """The app's routes, with Streamlit's XSRF check for the session route."""
    from streamlit.web.server.starlette.starlette_app_utils import validate_xsrf_token

    return web_routes(web, xsrf_check=validate_xsrf_token)


def middleware(web: WebSettings) -> list[Middleware]:
    """Security headers, body limits, and the guard of Streamlit's media route."""
    return web_middleware(web, script_hashes=page_script_hashes(),
                          extra=[Middleware(MediaGuard, base_url_path=web.base_url_path)])
