"""The deployment's settings as the app sees them: the environment plus Streamlit's ``st.secrets``."""

from __future__ import annotations

import streamlit as st

from geo import settings
from geo.settings import Settings


def app_settings() -> Settings:
    """Every setting, typed and checked (:mod:`geo.settings`); re-read only when one changed."""
    try:
        secrets = st.secrets
        secrets.get("auth")  # a broken file raises here, not later
    except Exception:  # noqa: BLE001 - no or broken secrets file: the environment alone
        secrets = {}
    return settings.current(secrets)
