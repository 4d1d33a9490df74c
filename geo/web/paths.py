"""Every URL the app serves itself, relative to Streamlit's ``server.baseUrlPath``.

None starts with a prefix Streamlit reserves (``_stcore/``, ``media/``,
``component/``, ``static/``) or uses for its own sign-in (``auth/``,
``oauth2callback``).
"""

from __future__ import annotations

#: Liveness: the process answers.
HEALTHZ = "healthz"
#: Readiness: the store is reachable and the disks have room.
READYZ = "readyz"
#: Site payload files of large maps: ``files/sites/<sha256[:32]>.json``.
SITES = "files/sites"
#: Base geography: ``files/base/<frame>/<version>/<name>.geojson`` (version = digest of the shipped files).
BASE = "files/base"
#: Field photos and thumbnails: ``files/photos/<sha256>.jpg`` and ``<sha256>_t.jpg``.
PHOTOS = "files/photos"
#: Raster tiles: ``tiles/<raster_id>/<style_key>/<frame>/<z>/<x>/<y>.png``.
TILES = "tiles"
#: The session cookie: POST (a one-time hand-over code → cookie), DELETE (cookie cleared, session ended).
SESSION = "api/session"
#: The offline field client: its page, files and service worker (``field/``), its API (``field/api/…``).
FIELD = "field"
FIELD_API = "field/api"
#: Streamlit's reserved prefixes (checked by a test against every route here).
RESERVED = ("_stcore/", "media/", "component/", "static/", "auth/", "oauth2callback")

#: From inside a component's frame (``<base>/component/<name>/index.html``) to the app's root.
FROM_COMPONENT_FRAME = "../../"


def under(base_url_path: str, path: str) -> str:
    """The absolute URL path of ``path`` under Streamlit's ``server.baseUrlPath`` (``/onemap/files/...``)."""
    base = (base_url_path or "").strip("/")
    return f"/{base}/{path}" if base else f"/{path}"
