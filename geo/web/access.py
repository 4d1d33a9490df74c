"""Who is asking: the session cookie decides, with the guest-read setting as in the app.

A request carrying the cookie of a live session (not revoked, not idle
past the timeout, account enabled) reads as that account. Any other request
is a guest, who may read only while an administrator leaves
允许未登录用户查看地图 (``guest_read``) on. A request that may not read gets
401 with the same short body whatever it asked for: it learns nothing, not
even whether the file exists.
"""

from __future__ import annotations

import threading

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from geo.errors import OneMapError, PermissionDenied
from geo.store.accounts import GUEST
from geo.store.base import Actor
from geo.store import existing_store
from geo.store.base import SiteStore
from geo.web.settings import COOKIE_NAME, WebSettings

__all__ = ["Access", "Denied", "client_of"]


class Denied(Exception):
    """The request may not have what it asked for; ``response`` says so and nothing more."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status

    @property
    def response(self) -> Response:
        if self.status == 503:
            body = {"error": "unavailable"}
        elif self.status == 401:
            body = {"error": "login required"}
        else:
            body = {"error": "forbidden"}
        headers = {"Cache-Control": "no-store"}
        if self.status == 401:
            headers["WWW-Authenticate"] = f'Cookie realm="onemap", cookie-name="{COOKIE_NAME}"'
        return JSONResponse(body, status_code=self.status, headers=headers)


def client_of(request: Request) -> str:
    """The audit log's client label of a request: ``web:<address>``."""
    host = request.client.host if request.client else ""
    return f"web:{host}" if host else "web"


class Access:
    """Resolves the actor of a request from its cookie (one short store read per request).

    Parameters
    ----------
    settings : WebSettings
        The store path and the idle timeout.
    """

    def __init__(self, settings: WebSettings):
        self.settings = settings
        self._store: SiteStore | None = None
        self._lock = threading.Lock()

    def store(self) -> SiteStore:
        """The store (never created here); :class:`Denied` 503 while a GeoPackage file does not exist."""
        from pathlib import Path

        if not self.settings.is_postgres and not Path(self.settings.store).exists():
            raise Denied(503)
        with self._lock:
            if self._store is None:
                self._store = existing_store(self.settings.store)
            return self._store

    def session_actor(self, request: Request) -> Actor | None:
        """The account of the request's session cookie, or None (no cookie, or its session has ended)."""
        token = request.cookies.get(COOKIE_NAME, "")
        if not token or len(token) > 200:
            return None
        try:
            return self.store().session_actor(token, idle_timeout=self.settings.idle_timeout,
                                              client=client_of(request))
        except PermissionDenied:
            return None

    def reader(self, request: Request) -> Actor:
        """The actor allowed to read for this request.

        Raises
        ------
        Denied
            401 when there is no live session and guests may not read;
            503 when the store is missing or unreadable.
        """
        try:
            actor = self.session_actor(request)
            if actor is not None:
                return actor
            if self.store().meta().get("guest_read", "on") == "off":
                raise Denied(401)
        except OneMapError as exc:
            raise Denied(503) from exc
        return Actor(GUEST, role="guest", client=client_of(request))
