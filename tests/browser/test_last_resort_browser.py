"""The pages' last resort in a real browser: an uncaught exception shows a coded message and a reference, no traceback.

A throwaway app is served exactly as ``app.py`` serves the real one
(``st.App(..., on_script_error=ui.last_resort.on_script_error)``) with a page
that fails; the browser must show ``internal.error`` and a reference, never
the exception or a traceback, and the error log must hold the traceback under
that reference. With ``ONEMAP_RAISE_INTERNAL=1`` (every test run) Streamlit's
own exception display stays, so browser tests still see failures.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from tests.browser.conftest import AppServer

ROOT = Path(__file__).resolve().parents[2]

APP = textwrap.dedent("""
    from pathlib import Path
    import streamlit as st
    from ui.last_resort import on_script_error
    app = st.App(Path(__file__).with_name("page.py"), on_script_error=on_script_error)
""")
PAGE = textwrap.dedent("""
    import streamlit as st
    st.write("页面开始")
    {}.get("x")["secret-detail"]
""")


def _serve(folder: Path, env: dict) -> AppServer:
    return AppServer(None, folder / "streamlit.log", {"PYTHONPATH": str(ROOT), **env}, app=folder / "app.py",
                     cwd=folder)


@pytest.mark.parametrize("raise_internal", ["0", "1"])
def test_an_uncaught_page_error_is_a_coded_message_with_a_reference(browser, tmp_path, artifacts, raise_internal):
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "page.py").write_text(PAGE, encoding="utf-8")
    log = tmp_path / "errors.log"
    server = _serve(tmp_path, {"ONEMAP_LOG": str(log), "ONEMAP_RAISE_INTERNAL": raise_internal})
    url = server.url
    try:
        context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_text("页面开始").first.wait_for(timeout=30000)
        if raise_internal == "1":  # under test: Streamlit's own exception display, the failure in plain sight
            page.get_by_test_id("stException").first.wait_for(timeout=30000)
            context.close()
            return
        page.get_by_text("系统内部错误").first.wait_for(timeout=30000)
        body = page.inner_text("body")
        page.screenshot(path=str(artifacts / "last_resort_1024x768.png"), full_page=True)
        assert page.get_by_test_id("stException").count() == 0
        context.close()
        assert "Traceback" not in body and "secret-detail" not in body and "TypeError" not in body
        ref = re.search(r"E-\d{8}-[0-9a-f]{6}", body).group(0)
        text = log.read_text(encoding="utf-8")
        assert ref in text and "Traceback" in text and "secret-detail" in text
    finally:
        server.stop()
