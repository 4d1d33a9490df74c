"""The app's routes and middleware without a server: URL layout, hand-over codes, body limits, the CSP text."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from geo.web import paths
from geo.web.routes import body_limit_for, web_routes
from geo.web.security import BodyLimit, content_security_policy
from geo.web.settings import WebSettings
from geo.web.signin import Handovers


def settings(base: str = "") -> WebSettings:
    return WebSettings(store="/nonexistent/store.gpkg", cache_root=Path("/nonexistent/cache"),
                       base_url_path=base)


@pytest.mark.parametrize("base", ["", "onemap"])
def test_no_route_takes_a_prefix_streamlit_reserves(base):
    prefix = paths.under(base, "")
    for route in web_routes(settings(base)):
        assert route.path.startswith(prefix)
        rest = route.path[len(prefix):]
        assert not any(rest.startswith(r) for r in paths.RESERVED), route.path


def test_a_hand_over_code_works_once_and_not_after_its_time():
    h = Handovers(ttl_s=60)
    code = h.issue("token-1")
    assert h.redeem("wrong" * 5) is None
    assert h.redeem(code) == "token-1"
    assert h.redeem(code) is None  # once
    late = Handovers(ttl_s=-1)
    assert late.redeem(late.issue("token-2")) is None  # expired
    assert h.redeem(None) is None and h.redeem("x") is None


def test_body_limits_per_route():
    limit = body_limit_for(settings())
    assert limit("/_stcore/upload_file/s/f") == 50 * 1024 * 1024 + 64 * 1024
    assert limit("/api/session") == 1024
    assert limit("/anything") == 1024 * 1024


def _run(middleware, chunks, headers=()):
    sent, read = [], []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            read.append(message)
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": list(headers)}
    coro = BodyLimit(app, limit_for=lambda p: 10)(scope, receive, send) if middleware else app(scope, receive, send)
    with ThreadPoolExecutor(1) as pool:  # a loop of its own: a browser test may run one in this thread
        pool.submit(asyncio.run, coro).result()
    return sent[0]["status"]


def test_body_limit_refuses_declared_and_streamed_bodies():
    assert _run(True, [b"12345"]) == 200
    assert _run(True, [b"123456789012"], headers=[(b"content-length", b"12")]) == 413  # declared: before reading
    assert _run(True, [b"123456", b"789012"]) == 413  # chunked: counted while reading
    assert _run(True, [b"1"], headers=[(b"content-length", b"x")]) == 400


def test_the_policies_name_no_other_origin():
    page = content_security_policy(frame=False, script_hashes=["abc="])
    frame = content_security_policy(frame=True)
    assert "script-src 'self' 'sha256-abc='" in page and "unsafe" not in page.split("style-src")[0]
    assert "script-src 'self' 'unsafe-inline' 'unsafe-eval'" in frame
    for csp in (page, frame):
        assert "http" not in csp and "*" not in csp and "frame-ancestors 'self'" in csp
    assert "img-src 'self' data: blob: https://*.tianditu.gov.cn" in content_security_policy(
        frame=False, img_hosts=["https://*.tianditu.gov.cn"])
