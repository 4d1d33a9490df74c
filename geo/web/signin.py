"""The session cookie: set from a one-time hand-over code, cleared with the session — never seen by scripts.

A page script cannot set an HttpOnly cookie, so the sign-in goes in two
steps:

1. The 账号 page checks the password (``store.login``, throttled) and gets
   the session's token. It registers the token here under a one-time code
   (:meth:`Handovers.issue`: random, 60 s, kept only as its SHA-256, in this
   process) and passes the code to a small component in the page.
2. The component's script POSTs the code to ``/api/session`` (same origin,
   with Streamlit's XSRF token); :func:`session_routes` redeems it — once —
   and answers with ``Set-Cookie: onemap_session=<token>; HttpOnly;
   SameSite=Strict; Path=<base>/`` (``Secure`` over HTTPS).

The token itself never appears in a URL, in local storage or in a script;
the code travels inside the component's arguments and is useless once
used or after a minute. ``DELETE /api/session`` ends the session of the
cookie it carries (``store.logout``) and clears the cookie. Both refuse a
request from another origin, or without Streamlit's XSRF token when that
protection is on (``server.enableXsrfProtection``, on by default).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from typing import Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from geo.errors import OneMapError, PermissionDenied
from geo.web import paths
from geo.web.access import Access, Denied, client_of
from geo.web.settings import COOKIE_NAME

__all__ = ["HANDOVER_TTL_S", "Handovers", "HANDOVERS", "session_routes", "same_origin"]

#: How long a hand-over code can be redeemed, seconds.
HANDOVER_TTL_S = 60.0
#: Largest body the session route reads.
MAX_BODY = 1024
XSRF_COOKIE = "_streamlit_xsrf"


class Handovers:
    """One-time codes for session tokens, kept in this process (the page and the route share it)."""

    def __init__(self, ttl_s: float = HANDOVER_TTL_S):
        self.ttl_s = ttl_s
        self._codes: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(code: str) -> str:
        return hashlib.sha256(code.encode("utf-8")).hexdigest()

    def issue(self, token: str) -> str:
        """A fresh code for ``token``, redeemable once within the time to live."""
        code = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            for k in [k for k, (_, exp) in self._codes.items() if exp < now]:
                del self._codes[k]
            self._codes[self._key(code)] = (token, now + self.ttl_s)
        return code

    def redeem(self, code: str) -> str | None:
        """The token of ``code`` (and the code is gone), or None when unknown, used or expired."""
        if not isinstance(code, str) or not 20 <= len(code) <= 100:
            return None
        with self._lock:
            entry = self._codes.pop(self._key(code), None)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]


#: The codes of this process.
HANDOVERS = Handovers()


def same_origin(request: Request) -> bool:
    """Whether the request comes from a page of this app (its ``Origin`` is the host it was sent to)."""
    origin = request.headers.get("origin")
    if not origin:
        return request.headers.get("sec-fetch-site") == "same-origin"
    o = urlsplit(origin)
    host = request.headers.get("host", "")
    return bool(o.scheme in ("http", "https") and o.netloc and o.netloc.lower() == host.lower())


def _secure(request: Request, https: bool) -> bool:
    return https or request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


def session_routes(access: Access, *, base_url_path: str = "", handovers: Handovers = HANDOVERS,
                   xsrf_check: Callable[[str | None, str | None], bool] | None = None) -> list[Route]:
    """``POST``/``DELETE`` on ``/api/session`` (under ``base_url_path``).

    Parameters
    ----------
    xsrf_check : callable, optional
        ``(header_token, cookie_value) -> bool``: Streamlit's double-submit check, when its XSRF
        protection is on; None when it is off (the origin check still applies).
    """
    cookie_path = paths.under(base_url_path, "")

    def refused() -> Response:
        return JSONResponse({"error": "forbidden"}, status_code=403, headers={"Cache-Control": "no-store"})

    def trusted(request: Request) -> bool:
        if not same_origin(request):
            return False
        if xsrf_check is not None:
            return bool(xsrf_check(request.headers.get("x-xsrftoken"), request.cookies.get(XSRF_COOKIE)))
        return True

    async def open_session(request: Request) -> Response:
        if not trusted(request):
            return refused()
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "too large"}, status_code=413)
        try:
            code = json.loads(body or b"{}").get("code")
        except (ValueError, AttributeError):
            return refused()
        token = handovers.redeem(code)
        if token is None:
            return refused()
        try:
            access.store().session_actor(token, idle_timeout=access.settings.idle_timeout, client=client_of(request))
        except (PermissionDenied, Denied):
            return refused()
        response = Response(status_code=204, headers={"Cache-Control": "no-store"})
        response.set_cookie(COOKIE_NAME, token, path=cookie_path, httponly=True, samesite="strict",
                            secure=_secure(request, access.settings.https))
        return response

    async def close_session(request: Request) -> Response:
        if not trusted(request):
            return refused()
        token = request.cookies.get(COOKIE_NAME, "")
        if token and len(token) <= 200:
            try:
                access.store().logout(token, client=client_of(request))
            except (OneMapError, Denied):
                pass  # the cookie is cleared all the same; an unknown token ends nothing
        response = Response(status_code=204, headers={"Cache-Control": "no-store"})
        response.delete_cookie(COOKIE_NAME, path=cookie_path, httponly=True, samesite="strict",
                               secure=_secure(request, access.settings.https))
        return response

    return [
        Route(paths.under(base_url_path, paths.SESSION), open_session, methods=["POST"]),
        Route(paths.under(base_url_path, paths.SESSION), close_session, methods=["DELETE"]),
    ]
