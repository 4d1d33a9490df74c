"""Who is using the app: local login with server-side sessions, optional single sign-on, or a guest.

The browser holds only a random token, in an HttpOnly, SameSite=Strict
cookie (``onemap_session``, Secure over HTTPS) that page scripts cannot
read; the store keeps the session (its SHA-256), ends it on logout,
password change, disabling or idle timeout, and resolves the account's role
and towns on every call. A reload or a new tab opens a new Streamlit
session whose websocket brings the cookie (``st.context.cookies``): still
signed in. The cookie is set and cleared by the app's session route
(:mod:`geo.web.signin`), driven by a small component this module renders at
the end of the page (:func:`sync_browser`) after a login (one-time
hand-over code) or a logout / ended session (clear).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from geo.errors import OneMapError, PermissionDenied
from geo.store import Actor
from geo.store.accounts import GUEST
from geo.web import paths
from geo.web.settings import COOKIE_NAME
from geo.web.signin import HANDOVERS
from ui.settings import app_settings

TOKEN_KEY = "auth_token"
NOTICE_KEY = "auth_notice"
#: What the browser still has to do with the cookie: {"op": "open"|"close", "code", "nonce"}.
PENDING_KEY = "_auth_cookie_pending"
#: Digest of a cookie whose session has ended (not tried again in this Streamlit session).
STALE_KEY = "_auth_cookie_stale"

_component = components.declare_component("onemap_signin", path=str(Path(__file__).parent / "components" / "signin"))


def idle_timeout() -> timedelta:
    """``ONEMAP_IDLE_MINUTES`` (default 30; see :mod:`geo.settings`)."""
    return timedelta(minutes=app_settings().idle_minutes)


def client_address() -> str:
    try:
        ip = st.context.ip_address or ""
    except Exception:  # noqa: BLE001 - not available in every runtime (tests)
        ip = ""
    return f"web:{ip}" if ip else "web"


def sso_configured() -> bool:
    return app_settings().sso


def secret_problem() -> str | None:
    """A message when a configured session secret is weak or a sample (then the app refuses to start)."""
    problem = app_settings().secret_problem
    return f"{problem.zh}\n\n{problem.en}" if problem else None


def _cookie_token() -> str:
    """The session cookie as the websocket of this Streamlit session brought it ('' when none)."""
    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no HTTP request behind this run (tests)
        return ""
    return value if isinstance(value, str) else ""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _browser(op: str, code: str = "") -> None:
    """Ask the browser (through the component) to set or clear the cookie."""
    st.session_state[PENDING_KEY] = {"op": op, "code": code, "nonce": secrets.token_hex(8)}


def resolve_actor(store) -> Actor:
    """The acting user for this run: a live session (this tab's, or the browser's cookie), SSO, or a guest."""
    client = client_address()
    token = st.session_state.get(TOKEN_KEY)
    from_cookie = False
    if not token:
        cookie = _cookie_token()
        if cookie and _digest(cookie) != st.session_state.get(STALE_KEY):
            token, from_cookie = cookie, True
    if token:
        try:
            actor = store.session_actor(token, idle_timeout=idle_timeout(), client=client)
        except PermissionDenied as exc:
            st.session_state.pop(TOKEN_KEY, None)
            st.session_state[NOTICE_KEY] = exc.code
            if from_cookie or token == _cookie_token():
                st.session_state[STALE_KEY] = _digest(token)
                _browser("close")  # the ended session's cookie is cleared
        else:
            st.session_state[TOKEN_KEY] = token
            return actor
    if sso_configured():
        try:
            user = st.user
            if user.is_logged_in:
                identity = user.get("email") or user.get("sub")
                # A session of our own too, kept in the cookie: the map's files and tiles need it.
                result = store.identity_session(str(identity), client=client)
                st.session_state[TOKEN_KEY] = result.token
                _browser("open", HANDOVERS.issue(result.token))
                return result.actor
        except OneMapError as exc:
            st.session_state[NOTICE_KEY] = exc.code
        except Exception:  # noqa: BLE001 - SSO misconfigured: fall back to guest, the login page says why
            pass
    return Actor(GUEST, role="guest", client=client)


def log_in(store, name: str, password: str) -> Actor:
    """Check the password (throttled per name and per address) and open a session kept in a cookie."""
    result = store.login(name, password, client=client_address())
    st.session_state[TOKEN_KEY] = result.token
    st.session_state.pop(NOTICE_KEY, None)
    st.session_state.pop(STALE_KEY, None)
    _browser("open", HANDOVERS.issue(result.token))
    return result.actor


def session_ended_elsewhere() -> None:
    """This tab's session was ended (a password change ends all of them): forget it and clear the cookie."""
    st.session_state.pop(TOKEN_KEY, None)
    _browser("close")


def log_out(store) -> None:
    """End the session in the store (every tab of the browser is signed out) and clear the cookie."""
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        store.logout(token, client=client_address())
    _browser("close")
    if sso_configured():
        try:
            if st.user.is_logged_in:
                st.logout()
        except Exception:  # noqa: BLE001
            pass


def sync_browser() -> None:
    """Render the cookie component while the browser has something to do (at the end of the page).

    It sits after everything else, so it appearing or going never shifts the
    page's elements (which would remount the map).
    """
    pending = st.session_state.get(PENDING_KEY)
    if not pending:
        return
    url = paths.FROM_COMPONENT_FRAME + paths.SESSION
    answer = _component(op=pending["op"], code=pending["code"], nonce=pending["nonce"], url=url,
                        key="onemap_signin", default=None)
    if isinstance(answer, dict) and answer.get("nonce") == pending["nonce"]:
        st.session_state.pop(PENDING_KEY, None)
