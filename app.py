"""福清生态环境一张图 — the web application: Streamlit's ASGI app serving the page script ``main_page.py``.

``streamlit run app.py`` finds ``app`` below and serves it (with uvicorn); so
does ``uvicorn app:app``. Routes and middleware the app serves beside its
pages are declared here.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.last_resort import on_script_error

PAGE_SCRIPT = Path(__file__).resolve().parent / "main_page.py"

app = st.App(PAGE_SCRIPT, on_script_error=on_script_error)  # an uncaught exception: a coded message, no traceback
