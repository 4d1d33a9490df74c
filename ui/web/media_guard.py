"""Streamlit's ``/media/`` route behind the browser session that was shown the file.

``st.download_button`` (exports, the audit log, import reports) and
``st.image`` hand their bytes to Streamlit's media store and give the page a
``media/<id>`` URL, which Streamlit serves to anyone who has the URL. This
middleware serves such a file only to the browser whose Streamlit session
holds it: each run of the page binds its session id to digests of the
browser's cookies (Streamlit's XSRF cookie and the app's session cookie, as
the websocket brought them), and a ``media/`` request must carry a cookie
with one of the digests bound to a session that references the file.
Anything else — another browser, a closed session, an unknown id — gets the
same 403, whether or not the file exists.
"""

from __future__ import annotations

import hashlib
import logging
import threading

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from geo.web import paths
from geo.web.settings import COOKIE_NAME
from geo.web.signin import XSRF_COOKIE

log = logging.getLogger(__name__)
__all__ = ["BINDINGS", "MediaGuard", "SessionBindings", "cookie_digests"]


def _xsrf_bytes(value: str | None) -> bytes | None:
    if not value:
        return None
    from streamlit.web.server.starlette.starlette_app_utils import decode_xsrf_token_string

    token, _ = decode_xsrf_token_string(value)
    return token


def cookie_digests(cookies) -> set[str]:
    """Digests of the browser-identifying cookies in ``cookies`` (a mapping name -> value)."""
    out = set()
    xsrf = _xsrf_bytes(cookies.get(XSRF_COOKIE))
    if xsrf:
        out.add("x:" + hashlib.sha256(xsrf).hexdigest())
    session = cookies.get(COOKIE_NAME)
    if session:
        out.add("s:" + hashlib.sha256(session.encode("utf-8")).hexdigest())
    return out


class SessionBindings:
    """Streamlit session id -> digests of the cookies of the browser it runs in."""

    def __init__(self):
        self._by_session: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def bind(self, session_id: str, digests: set[str]) -> None:
        with self._lock:
            self._by_session[session_id] = frozenset(digests)

    def allowed(self, session_ids, digests: set[str]) -> bool:
        with self._lock:
            return any(self._by_session.get(sid, frozenset()) & digests for sid in session_ids)

    def forget_missing(self, alive) -> None:
        """Drop the bindings of sessions that no longer exist."""
        with self._lock:
            for sid in [s for s in self._by_session if s not in alive]:
                del self._by_session[sid]


#: The bindings of this process.
BINDINGS = SessionBindings()


def bind_current_session() -> None:
    """Bind the running Streamlit session to its browser's cookies (called on every run of the page)."""
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    try:
        cookies = {k: v for k, v in dict(st.context.cookies).items() if isinstance(v, str)}
    except Exception:  # noqa: BLE001 - no HTTP request behind this run (tests)
        return
    BINDINGS.bind(ctx.session_id, cookie_digests(cookies))


def _sessions_holding(file_id: str) -> list[str] | None:
    """Ids of the Streamlit sessions that reference media file ``file_id`` (None: cannot tell)."""
    try:
        from streamlit import runtime

        mgr = runtime.get_instance().media_file_mgr
        with mgr._lock:
            held = [sid for sid, by_coord in mgr._files_by_session_and_coord.items() if file_id in by_coord.values()]
            held += [sid for sid, ids in mgr._deferred_ids_by_session.items() if file_id in ids]
        return held
    except Exception as exc:  # noqa: BLE001 - Streamlit internals changed: refuse rather than serve
        log.warning("media guard cannot see Streamlit's media sessions (%r): refusing media requests", exc)
        return None


class MediaGuard:
    """ASGI middleware: ``<base>/media/<id>.<ext>`` only for the browser whose session holds it."""

    def __init__(self, app: ASGIApp, base_url_path: str = "", bindings: SessionBindings = BINDINGS):
        self.app = app
        self.prefix = paths.under(base_url_path, "media/")
        self.bindings = bindings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        file_id = scope["path"][len(self.prefix):].split("/")[0].split(".")[0]
        digests = cookie_digests(request.cookies)
        holders = _sessions_holding(file_id) if digests and file_id else None
        if holders and self.bindings.allowed(holders, digests):
            await self.app(scope, receive, send)
            return
        response = JSONResponse({"error": "forbidden"}, status_code=403, headers={"Cache-Control": "no-store"})
        await response(scope, receive, send)
