"""The app's own HTTP side, beside Streamlit's: files behind the session, raster tiles on request, health.

Pure Starlette (no Streamlit): ``app.py`` mounts what :func:`geo.web.routes.web_routes`
and :func:`geo.web.routes.web_middleware` return into Streamlit's ASGI app
(``st.App``), with the settings ``ui.web`` reads from Streamlit's configuration.

Modules, one job each: :mod:`~geo.web.paths` (the URLs), :mod:`~geo.web.settings`
(what the routes need to know), :mod:`~geo.web.access` (who is asking: the
session cookie, or a guest), :mod:`~geo.web.responses` (cacheable responses,
ETags, 304), :mod:`~geo.web.files` (site payloads, base geography, photos),
:mod:`~geo.web.tiles` (raster tiles), :mod:`~geo.web.health` (``/healthz``,
``/readyz``), :mod:`~geo.web.signin` (the session cookie is set and cleared
here), :mod:`~geo.web.security` (security headers, request size limits),
:mod:`~geo.web.routes` (all of it together).
"""
