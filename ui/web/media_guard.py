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

A download whose bytes are made on the click (``st.download_button`` with a
callable, as the dashboard's town report) is stored by Streamlit under a new
id that no session references: :func:`track_deferred_downloads` records,
as the file is made, the session whose button asked for it, and that
session's browser is then served the file like any other.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
from collections import OrderedDict

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from geo.web import paths
from geo.web.settings import COOKIE_NAME
from geo.web.signin import XSRF_COOKIE

log = logging.getLogger(__name__)
__all__ = ["BINDINGS", "DEFERRED", "DeferredFiles", "MediaGuard", "SessionBindings", "cookie_digests",
           "track_deferred_downloads"]


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


class DeferredFiles:
    """Media file id -> the session whose download button made it on the click (the newest ``limit`` files)."""

    def __init__(self, limit: int = 2000):
        self._owner: OrderedDict[str, str] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def record(self, file_id: str, session_id: str) -> None:
        with self._lock:
            self._owner[file_id] = session_id
            self._owner.move_to_end(file_id)
            while len(self._owner) > self._limit:
                self._owner.popitem(last=False)

    def sessions(self, file_id: str) -> list[str]:
        with self._lock:
            owner = self._owner.get(file_id)
        return [owner] if owner else []


#: The files deferred downloads made in this process.
DEFERRED = DeferredFiles()


def _file_id_of(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("?")[0].split(".")[0]


def track_deferred_downloads() -> bool:
    """Have Streamlit's media manager say which session each file made on a click belongs to (idempotent).

    Streamlit leaves such a file unmapped (every click makes it again), so the guard could not tell whose it
    is and refused it to everyone. Returns False when Streamlit's manager is not as expected: such files are
    then refused, as before (fail closed).
    """
    try:
        from streamlit.runtime.media_file_manager import MediaFileManager
    except ImportError:
        return False
    original = getattr(MediaFileManager, "execute_deferred", None)
    if original is None:
        log.warning("media guard: Streamlit's media manager has no execute_deferred; click-made downloads refused")
        return False
    if getattr(original, "_onemap_tracked", False):
        return True

    @functools.wraps(original)
    def execute_deferred(self, file_id: str) -> str:
        try:
            with self._lock:
                entry = self._deferred_callables.get(file_id)
            session = entry.get("session_id") if entry else None
        except Exception:  # noqa: BLE001 - internals changed: make the file, leave it unowned (refused)
            session = None
        url = original(self, file_id)
        if session:
            DEFERRED.record(_file_id_of(url), session)
        return url

    execute_deferred._onemap_tracked = True
    MediaFileManager.execute_deferred = execute_deferred
    return True


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
        return held + DEFERRED.sessions(file_id)
    except Exception as exc:  # noqa: BLE001 - Streamlit internals changed: refuse rather than serve
        log.warning("media guard cannot see Streamlit's media sessions (%r): refusing media requests", exc)
        return None


class MediaGuard:
    """ASGI middleware: ``<base>/media/<id>.<ext>`` only for the browser whose session holds it."""

    def __init__(self, app: ASGIApp, base_url_path: str = "", bindings: SessionBindings = BINDINGS):
        track_deferred_downloads()
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
