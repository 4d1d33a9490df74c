"""Who is using the app: local login with server-side sessions, optional single sign-on, or a guest.

The browser session holds only a random token; the store keeps the session,
ends it on logout, password change or idle timeout, and resolves the account's
role and towns on every call.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from geo.errors import OneMapError, PermissionDenied
from geo.store import Actor
from geo.store.accounts import GUEST
from ui.settings import app_settings

TOKEN_KEY = "auth_token"
NOTICE_KEY = "auth_notice"


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


def resolve_actor(store) -> Actor:
    """The acting user for this run: a live session, a mapped SSO identity, or a guest."""
    client = client_address()
    token = st.session_state.get(TOKEN_KEY)
    if token:
        try:
            return store.session_actor(token, idle_timeout=idle_timeout(), client=client)
        except PermissionDenied as exc:
            st.session_state.pop(TOKEN_KEY, None)
            st.session_state[NOTICE_KEY] = exc.code
    if sso_configured():
        try:
            user = st.user
            if user.is_logged_in:
                identity = user.get("email") or user.get("sub")
                return store.actor_for_identity(str(identity), client=client)
        except OneMapError as exc:
            st.session_state[NOTICE_KEY] = exc.code
        except Exception:  # noqa: BLE001 - SSO misconfigured: fall back to guest, the login page says why
            pass
    return Actor(GUEST, role="guest", client=client)


def log_in(store, name: str, password: str) -> Actor:
    result = store.login(name, password, client=client_address())
    st.session_state[TOKEN_KEY] = result.token
    st.session_state.pop(NOTICE_KEY, None)
    return result.actor


def log_out(store) -> None:
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        store.logout(token, client=client_address())
    if sso_configured():
        try:
            if st.user.is_logged_in:
                st.logout()
        except Exception:  # noqa: BLE001
            pass
