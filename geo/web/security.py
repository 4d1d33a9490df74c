"""Security headers on every response, and request size limits — pure ASGI middleware.

Content-Security-Policy: the app's own origin only. Everything the pages
load — Streamlit's bundle, Leaflet, the map's scripts, tiles, site files,
fonts, the websocket — comes from the app itself; images may also come
from the hosts of an online basemap an administrator configured (and from
nowhere else). Two policies:

* the app's pages: scripts only from the app's origin (plus the hashes of
  the inline scripts Streamlit's ``index.html`` carries);
* component frames (``component/…``: the folium map, the geolocation and
  sign-in components): folium writes its map as inline scripts and
  streamlit-folium runs them with ``eval``, so those frames also allow
  ``'unsafe-inline' 'unsafe-eval'`` — still from no other origin.

Both: ``style-src 'self' 'unsafe-inline'`` (Streamlit styles with
CSS-in-JS), ``frame-ancestors 'self'`` (only the app frames its pages),
``object-src 'none'``, ``base-uri 'self'``, ``form-action 'self'``.
Besides: ``X-Content-Type-Options: nosniff``, ``Referrer-Policy`` (only the
origin leaves, and only to a configured basemap host), ``X-Frame-Options:
SAMEORIGIN`` for old browsers.

Request bodies: Streamlit's upload route takes up to ``server.maxUploadSize``,
the app's session route 1 KB, anything else 1 MB; a declared or streamed
body over its limit gets 413 before it is read.
"""

from __future__ import annotations

from typing import Callable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo.web import paths

__all__ = ["content_security_policy", "SecurityHeaders", "BodyLimit"]


def content_security_policy(*, frame: bool, img_hosts: Iterable[str] = (), script_hashes: Iterable[str] = ()) -> str:
    """The CSP of a page (``frame=False``) or of a component frame (``frame=True``)."""
    hosts = " ".join(sorted(set(img_hosts)))
    scripts = "'self' 'unsafe-inline' 'unsafe-eval'" if frame else " ".join(
        ["'self'", *(f"'sha256-{h}'" for h in script_hashes)])
    directives = [
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob:{' ' + hosts if hosts else ''}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    return "; ".join(directives)


class SecurityHeaders:
    """Adds the security headers to every HTTP response (a header the response sets itself is kept).

    Parameters
    ----------
    app : ASGI app
    base_url_path : str
        Streamlit's ``server.baseUrlPath`` (component frames live under it).
    img_hosts : iterable of str
        Origins of configured online basemaps, allowed for images.
    script_hashes : iterable of str
        Base64 SHA-256 of inline scripts the app's own page carries.
    """

    def __init__(self, app: ASGIApp, base_url_path: str = "", img_hosts: Iterable[str] = (),
                 script_hashes: Iterable[str] = ()):
        self.app = app
        self.frames_prefix = paths.under(base_url_path, "component/")
        hosts = tuple(img_hosts)
        self.page_csp = content_security_policy(frame=False, img_hosts=hosts, script_hashes=script_hashes).encode()
        self.frame_csp = content_security_policy(frame=True, img_hosts=hosts).encode()
        self.referrer = b"strict-origin-when-cross-origin" if hosts else b"same-origin"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self.frame_csp if scope.get("path", "").startswith(self.frames_prefix) else self.page_csp

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in ((b"content-security-policy", csp), (b"x-content-type-options", b"nosniff"),
                                    (b"referrer-policy", self.referrer), (b"x-frame-options", b"SAMEORIGIN")):
                    if name not in present:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuses request bodies over their route's limit with 413, before (or while) they are read.

    Parameters
    ----------
    app : ASGI app
    limit_for : callable
        ``path -> bytes``: the largest body a request to ``path`` may send.
    """

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]):
        self.app = app
        self.limit_for = limit_for

    @staticmethod
    async def _refuse(send: Send, status: int = 413) -> None:
        body = b'{"error": "request too large"}' if status == 413 else b'{"error": "bad request"}'
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                if int(declared) > limit:
                    await self._refuse(send)
                    return
            except ValueError:
                await self._refuse(send, 400)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)
