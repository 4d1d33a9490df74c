"""The app's own routes over real HTTP against a running ``streamlit run app.py`` (free port on 127.0.0.1).

Each route with and without a session, cache headers and 304s, a raster tile
over Fuqing and one outside, the session cookie route, security headers on
every response, request size limits, and the health checks with a store
that is there, missing, or on a read-only disk.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from geo.basegeo import BASE_DIR
from geo.photos import photos_root, store_photo
from geo.raster.tiles import tiles_covering
from geo.store import GpkgStore
from geo.web.basefiles import base_version
from tests.browser.conftest import AppServer
from tests.factories import INSPECTOR, PASSWORD, SYSTEM

pytestmark = pytest.mark.slow


def request(server, path: str, *, method: str = "GET", cookie: str | None = None, headers: dict | None = None,
            body: bytes | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = f"onemap_session={cookie}"
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    out = (r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    conn.close()
    return out


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from geo.sample import populate_sample
    from geo.store import create_store
    from tests.factories import add_accounts

    tmp = tmp_path_factory.mktemp("web")
    store_file = tmp / "store.gpkg"

    def populate(store):
        populate_sample(store)
        add_accounts(store)

    create_store(store_file, populate)
    cache = tmp / "cache"
    (cache / "sites").mkdir(parents=True)
    payload = b'{"k": "parks", "sites": []}'
    name = hashlib.sha256(payload).hexdigest()[:32] + ".json"
    (cache / "sites" / name).write_bytes(payload)
    img = Image.new("RGB", (64, 48), (200, 40, 40))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    photo = store_photo(buf.getvalue(), photos_root(store_file))
    server = AppServer(store_file, tmp / "streamlit.log", env={"ONEMAP_CACHE": str(cache)})
    server.store = GpkgStore(store_file)
    raster = next(r for r in server.store.list_rasters(SYSTEM) if r.raster_id == "synthetic-index")
    over = tiles_covering((119.30, 25.45, 119.30, 25.45), 11)[0]  # Xinghua Bay: data
    server.paths = {
        "site payload": f"/files/sites/{name}",
        "base geography": f"/files/base/wgs84/{base_version(BASE_DIR)}/land.geojson",
        "base geography gcj02": f"/files/base/gcj02/{base_version(BASE_DIR)}/fuqing_boundary.geojson",
        "photo": f"/files/photos/{photo.sha256}.jpg",
        "thumbnail": f"/files/photos/{photo.sha256}_t.jpg",
        "tile": f"/tiles/{raster.raster_id}/{raster.style_key}/wgs84/{over[0]}/{over[1]}/{over[2]}.png",
        "tile gcj02": f"/tiles/{raster.raster_id}/{raster.style_key}/gcj02/{over[0]}/{over[1]}/{over[2]}.png",
    }
    server.missing = {
        "site payload": "/files/sites/" + "0" * 32 + ".json",
        "base geography": f"/files/base/wgs84/{base_version(BASE_DIR)}/secret.geojson",
        "photo": "/files/photos/" + "0" * 64 + ".jpg",
        "tile": f"/tiles/no-such-raster/{raster.style_key}/wgs84/11/1/1.png",
    }
    server.raster = raster
    yield server
    server.stop()


def token(app) -> str:
    return app.store.login(INSPECTOR.name, PASSWORD, client="web:127.0.0.1").token


@pytest.fixture
def guest_read_off(app):
    app.store.set_meta(SYSTEM, "guest_read", "off")
    yield
    app.store.set_meta(SYSTEM, "guest_read", "on")


ROUTES = ["site payload", "base geography", "base geography gcj02", "photo", "thumbnail", "tile", "tile gcj02"]


@pytest.mark.parametrize("route", ROUTES)
def test_each_route_needs_the_session_when_guests_may_not_read(app, guest_read_off, route):
    path = app.paths[route]
    status, headers, body = request(app, path)
    assert status == 401 and json.loads(body) == {"error": "login required"}
    assert headers["cache-control"] == "no-store"
    assert request(app, path, cookie="not-a-session-token")[0] == 401
    status, headers, body = request(app, path, cookie=token(app))
    assert status == 200 and body
    assert headers["cache-control"] == "private, max-age=31536000, immutable"
    assert headers["etag"].startswith('"') and not headers["etag"].startswith("W/")
    # 304 when the browser has it
    status, headers304, body304 = request(app, path, cookie=token(app), headers={"If-None-Match": headers["etag"]})
    assert status == 304 and body304 == b"" and headers304["etag"] == headers["etag"]
    assert request(app, path, cookie=token(app), headers={"If-None-Match": '"other"'})[0] == 200


@pytest.mark.parametrize("route", sorted({"site payload", "base geography", "photo", "tile"}))
def test_a_request_without_the_right_learns_nothing(app, guest_read_off, route):
    """Same 401 and body for a file that exists and one that does not; with the session, 404 for the missing one."""
    there, missing = request(app, app.paths[route]), request(app, app.missing[route])
    assert there[0] == missing[0] == 401 and there[2] == missing[2]
    assert request(app, app.missing[route], cookie=token(app))[0] == 404


@pytest.mark.parametrize("route", ROUTES)
def test_guests_read_while_guest_read_is_on(app, route):
    status, headers, _ = request(app, app.paths[route])
    assert status == 200 and headers["cache-control"].startswith("private")


def test_a_revoked_session_reads_nothing(app, guest_read_off):
    t = token(app)
    assert request(app, app.paths["tile"], cookie=t)[0] == 200
    app.store.logout(t, client="pytest")
    assert request(app, app.paths["tile"], cookie=t)[0] == 401


def test_tile_over_fuqing_and_outside(app):
    status, headers, body = request(app, app.paths["tile"])
    assert status == 200 and headers["content-type"] == "image/png"
    tile = np.asarray(Image.open(io.BytesIO(body)).convert("RGBA"))
    assert tile.shape == (256, 256, 4) and tile[..., 3].any()
    gcj = np.asarray(Image.open(io.BytesIO(request(app, app.paths["tile gcj02"])[2])).convert("RGBA"))
    assert gcj[..., 3].any() and not np.array_equal(gcj, tile)  # the display shift moves the pixels
    r = app.raster
    outside = f"/tiles/{r.raster_id}/{r.style_key}/wgs84/11/0/0.png"  # the Arctic off Alaska
    status, headers, body = request(app, outside)
    assert status == 204 and body == b"" and headers["etag"]
    deep = tiles_covering((119.30, 25.45, 119.30, 25.45), 18)[0]  # far beyond the raster's native zoom
    assert request(app, f"/tiles/{r.raster_id}/{r.style_key}/wgs84/{deep[0]}/{deep[1]}/{deep[2]}.png")[0] == 200
    for bad in (f"/tiles/{r.raster_id}/stale-style/wgs84/11/1/1.png", f"/tiles/{r.raster_id}/{r.style_key}/bd09/11/1/1.png",
                f"/tiles/{r.raster_id}/{r.style_key}/wgs84/11/5000/1.png", f"/tiles/{r.raster_id}/{r.style_key}/wgs84/30/1/1.png"):
        assert request(app, bad)[0] == 404, bad


def test_security_headers_on_every_response(app):
    for path in ("/", "/healthz", app.paths["tile"], "/files/sites/x", "/_stcore/health",
                 "/component/streamlit_folium.st_folium/index.html"):
        status, h, _ = request(app, path)
        assert h["x-content-type-options"] == "nosniff", path
        assert h["referrer-policy"] == "same-origin" and h["x-frame-options"] == "SAMEORIGIN"
        csp = h["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
        assert "http" not in csp  # no outside host when no online basemap is configured
        if path.startswith("/component/"):
            assert "script-src 'self' 'unsafe-inline' 'unsafe-eval'" in csp  # folium's map needs them, in its frame
        else:
            assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


def test_the_session_route_sets_and_clears_the_cookie_only_for_the_app(app):
    origin = {"Origin": f"http://127.0.0.1:{app.port}", "Host": f"127.0.0.1:{app.port}",
              "Content-Type": "application/json"}
    # No valid code, another origin, no XSRF token: refused, no cookie.
    for headers in ({**origin, "Origin": "http://evil.example"}, origin):
        status, h, _ = request(app, "/api/session", method="POST", headers=headers, body=b'{"code": "x"}')
        assert status == 403 and "set-cookie" not in h
    # Too large a body: 413 before it is read.
    status, _, _ = request(app, "/api/session", method="POST", headers=origin, body=b"x" * 5000)
    assert status == 413
    # DELETE ends the session of the cookie it carries and clears it (with Streamlit's XSRF pair).
    xsrf = request(app, "/_stcore/health")[1]["set-cookie"].split(";")[0]  # where Streamlit sets it
    t = token(app)
    headers = {**origin, "Cookie": f"onemap_session={t}; {xsrf}", "X-Xsrftoken": xsrf.split("=", 1)[1]}
    status, h, _ = request(app, "/api/session", method="DELETE", headers=headers)
    assert status == 204
    assert "onemap_session=" in h["set-cookie"] and "Max-Age=0" in h["set-cookie"]
    assert "HttpOnly" in h["set-cookie"] and "SameSite=strict" in h["set-cookie"]
    with pytest.raises(Exception):
        app.store.session_actor(t)


def test_upload_size_limit(app):
    status, _, body = request(app, "/_stcore/upload_file/abc/def", method="PUT",
                              headers={"Content-Length": str(60 * 1024 * 1024)}, body=b"")
    assert status == 413 and b"too large" in body


def test_health_checks(app):
    status, h, body = request(app, "/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"} and h["cache-control"] == "no-store"
    status, _, body = request(app, "/readyz")
    report = json.loads(body)
    assert status == 200 and report["ready"] is True
    assert report["checks"]["schema"]["version"] == report["checks"]["schema"]["expected"]
    assert report["checks"]["store_disk"]["free_mb"] > 0 and report["checks"]["photos_disk"]["ok"]
    assert str(app.store.path) not in body.decode() and "store.gpkg" not in body.decode()


def test_readiness_with_the_store_missing(tmp_path):
    server = AppServer(tmp_path / "not-there" / "store.gpkg", tmp_path / "log.txt",
                       env={"ONEMAP_CACHE": str(tmp_path / "cache")})
    try:
        assert request(server, "/healthz")[0] == 200
        status, _, body = request(server, "/readyz")
        report = json.loads(body)
        assert status == 503 and report["ready"] is False
        assert report["checks"]["store"] == {"ok": False, "exists": False, "readable": False, "writable": False,
                                             "reason": "missing"}
        assert request(server, "/files/sites/" + "0" * 32 + ".json")[0] == 503  # nothing to decide with
        assert not (tmp_path / "not-there" / "store.gpkg").exists()  # the checks never create it
    finally:
        server.stop()


def _can_mount_read_only() -> bool:
    return bool(shutil.which("unshare")) and subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp"],
        capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_mount_read_only(), reason="needs root and mount namespaces (unshare -m)")
def test_readiness_with_the_store_on_a_read_only_disk(tmp_path):
    """The store's folder bind-mounted read-only in the server's own mount namespace."""
    from geo.store import create_store

    folder = tmp_path / "ro"
    folder.mkdir()
    create_store(folder / "store.gpkg")
    script = (f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && exec \"$@\"")
    # The server run in a private mount namespace where the store's folder is read-only.
    server = AppServer(folder / "store.gpkg", tmp_path / "log.txt", {"ONEMAP_CACHE": str(tmp_path / "cache")},
                       prefix=["unshare", "-m", "sh", "-c", script, "sh"])
    try:
        status, _, body = request(server, "/readyz")
        report = json.loads(body)
        assert status == 503 and report["ready"] is False
        assert report["checks"]["store"]["ok"] is False and report["checks"]["store"]["reason"] == "read_only"
        assert report["checks"]["store"]["readable"] is True
        assert report["checks"]["store_disk"] == {**report["checks"]["store_disk"], "ok": False, "writable": False,
                                                  "reason": "read_only"}
        assert report["checks"]["schema"]["ok"] is True
    finally:
        server.stop()
