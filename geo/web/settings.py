"""What the app's routes need to know, gathered once when the app starts (``ui.web`` fills it in)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from geo.basegeo import BASE_DIR as BASE_DATA_DIR

#: The session cookie (HttpOnly, SameSite=Strict; Secure over HTTPS).
COOKIE_NAME = "onemap_session"


def idle_timeout_from_env() -> timedelta:
    """``ONEMAP_IDLE_MINUTES`` as :mod:`geo.settings` reads it (default 30)."""
    from geo import settings

    return timedelta(minutes=settings.current().idle_minutes)


def min_free_mb_from_env() -> int:
    """``ONEMAP_MIN_FREE_MB`` as :mod:`geo.settings` reads it (default 200)."""
    from geo import settings

    return settings.current().min_free_mb


@dataclass(frozen=True)
class WebSettings:
    """Configuration of the app's routes and middleware.

    Attributes
    ----------
    store : str
        The store (``$ONEMAP_STORE``: a GeoPackage path or a PostgreSQL URL); the routes never create it.
    cache_root : Path
        Derived files: site payloads, GCJ-02 copies of the base geography, rendered tiles.
    base_url_path : str
        Streamlit's ``server.baseUrlPath`` (routes are mounted under it).
    https : bool
        Streamlit serves HTTPS itself (``server.sslCertFile``): the cookie is Secure.
    xsrf : bool
        Streamlit's XSRF protection is on: POST/DELETE to the app's routes need its token too.
    max_upload_mb : int
        Streamlit's ``server.maxUploadSize``: the upload route's body limit.
    img_hosts : tuple of str
        Outside origins the configured online basemaps load tiles from (allowed for images only).
    idle_timeout : timedelta
        A session unused this long has ended (``ONEMAP_IDLE_MINUTES``).
    min_free_mb : int
        Readiness needs this much free space for the store and the photos.
    """

    store: str
    cache_root: Path
    base_url_path: str = ""
    https: bool = False
    xsrf: bool = True
    max_upload_mb: int = 50
    img_hosts: tuple[str, ...] = ()
    idle_timeout: timedelta = field(default_factory=idle_timeout_from_env)
    min_free_mb: int = field(default_factory=min_free_mb_from_env)
    base_data_dir: Path = BASE_DATA_DIR

    @property
    def photos_root(self) -> Path:
        """Where the store keeps photos (``<store>_photos/``; under ``$ONEMAP_FILES`` for PostGIS)."""
        from geo.store import files_dir

        return files_dir(self.store, "photos")

    @property
    def is_postgres(self) -> bool:
        """Whether the store is a PostgreSQL database (else a GeoPackage file)."""
        from geo.store import is_postgres

        return is_postgres(self.store)

    @property
    def sites_dir(self) -> Path:
        """Where site payload files are written (by the pages) and read (by the route)."""
        return self.cache_root / "sites"
