"""Who is using the app: local login with server-side sessions, optional single sign-on, or a guest.

The browser session holds only a random token; the store keeps the session,
ends it on logout, password change or idle timeout, and resolves the account's
role and towns on every call.
"""

from __future__ import annotations

import os
from datetime import timedelta

import streamlit as st

from geo.errors import OneMapError, PermissionDenied
from geo.security import HOW_TO_MAKE, weak_secret_reason
from geo.store import Actor
from geo.store.accounts import GUEST

TOKEN_KEY = "auth_token"
NOTICE_KEY = "auth_notice"


def idle_timeout() -> timedelta:
    """``ONEMAP_IDLE_MINUTES`` (default 30)."""
    try:
        return timedelta(minutes=max(1, int(os.environ.get("ONEMAP_IDLE_MINUTES", "30"))))
    except ValueError:
        return timedelta(minutes=30)


def client_address() -> str:
    try:
        ip = st.context.ip_address or ""
    except Exception:  # noqa: BLE001 - not available in every runtime (tests)
        ip = ""
    return f"web:{ip}" if ip else "web"


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets.toml at all
        return False


def secret_problem() -> str | None:
    """A message when a configured session secret is weak or a sample (then the app refuses to start)."""
    values = []
    if sso_configured():
        values.append(("secrets.toml [auth] cookie_secret", st.secrets["auth"].get("cookie_secret")))
    if os.environ.get("ONEMAP_SESSION_SECRET") is not None:
        values.append(("ONEMAP_SESSION_SECRET", os.environ["ONEMAP_SESSION_SECRET"]))
    for where, value in values:
        reason = weak_secret_reason(value)
        if reason:
            return (f"会话密钥 {where} 不安全（{reason}），系统拒绝启动。请用以下命令生成新密钥并填入：`{HOW_TO_MAKE}`\n\n"
                    f"The session secret {where} is unsafe ({reason}); the app will not start. "
                    f"Make a new one with `{HOW_TO_MAKE}` and put it there.")
    return None


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
