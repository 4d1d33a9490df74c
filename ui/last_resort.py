"""The pages' last resort: an exception no page caught becomes a coded message with a log reference.

``app.py`` passes :func:`on_script_error` to ``st.App(on_script_error=...)``:
Streamlit calls it for an uncaught exception in the page script, a fragment
or a widget callback. The traceback goes to the error log
(:mod:`geo.errorlog`) — never to the screen, where it would show file paths
and code to whoever is looking — and the page shows ``internal.error`` with
the reference an administrator needs to find it.

Tests still fail on unexpected exceptions: Streamlit's ``AppTest`` runs page
scripts without ``st.App`` (so this handler is not involved and
``at.exception`` is set as before), and with ``ONEMAP_RAISE_INTERNAL=1`` (set
for every test run) the handler leaves Streamlit's own exception display in
place, which the browser tests look for.
"""

from __future__ import annotations

import streamlit as st

from geo.errorlog import internal_error, should_raise


def on_script_error(exc: Exception) -> bool:
    """Log ``exc`` and show the coded message instead of a traceback; True = Streamlit shows nothing more."""
    if should_raise():
        return False
    err = internal_error(exc, where="page")
    lang = st.session_state.get("lang", "zh") if hasattr(st, "session_state") else "zh"
    try:
        st.error(f"{err.message(lang)} {err.fix(lang)}", icon=":material/error:")
    except Exception:  # noqa: BLE001 - no script context left to draw in: the log has it
        return True
    return True
