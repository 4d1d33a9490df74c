"""福清生态环境一张图 — the web application: Streamlit's ASGI app serving the page script ``main_page.py``.

``streamlit run app.py`` finds ``app`` below and serves it (with uvicorn); so
does ``uvicorn app:app``. Beside the pages it serves, behind the session
cookie, the files the maps fetch (site payloads, base geography, photos),
raster tiles rendered on request, the session cookie route, and ``/healthz``
and ``/readyz``; middleware adds security headers to every response, limits
request sizes and guards Streamlit's ``/media/`` route. All of it is in
``geo/web/`` (routes) and ``ui/web/`` (what needs Streamlit's configuration).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import web
from ui.last_resort import on_script_error

PAGE_SCRIPT = Path(__file__).resolve().parent / "main_page.py"
WEB = web.settings()

# an uncaught exception in a page: a coded message with a log reference, no traceback
app = st.App(PAGE_SCRIPT, routes=web.routes(WEB), middleware=web.middleware(WEB), on_script_error=on_script_error)
