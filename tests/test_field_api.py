"""The field client's routes over HTTP (the app's routes and middleware in a Starlette app, no Streamlit):
who may ask, the pack and its ETag, changes once, conflicts, photos by hash in chunks, device tokens, logout."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import time
from pathlib import Path
import uuid

import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.testclient import TestClient

from geo.field.uploads import CHUNK_MAX
from geo.web.basefiles import base_version
from geo.web.routes import web_middleware, web_routes
from geo.web.settings import WebSettings
from tests.factories import ADMIN, INSPECTOR, INSPECTOR_TOWNS, PASSWORD, REVIEWER, SYSTEM, make_store, outfall, park, river

ORIGIN = "http://testserver"
H = {"X-Requested-With": "onemap-field"}
W = {**H, "Origin": ORIGIN}
T_MS = int(time.time() * 1000) - 3_600_000


@pytest.fixture
def env(store_target, tmp_path, monkeypatch):
    """The field API over HTTP on each backend (a GeoPackage file; a PostGIS database, its photos under
    ``ONEMAP_FILES``)."""
    monkeypatch.setenv("ONEMAP_FILES", str(tmp_path / "files"))
    far = outfall("PWK-T02", status="traced", name="外镇排口")
    far = type(far)(**{**far.__dict__, "town_code": "350181110"})  # not a town of the inspector
    store = make_store(store_target, [outfall(), river(), park(), far])
    settings = WebSettings(store=str(store_target), cache_root=tmp_path / "cache")
    app = Starlette(routes=web_routes(settings), middleware=web_middleware(settings))
    return store, TestClient(app, base_url=ORIGIN)  # the routes' own PostGIS pool ends with the database's drop


def signed_in(store, client, who=INSPECTOR):
    client.cookies.set("onemap_session", store.login(who.name, PASSWORD).token)
    return client


def change(**over):
    body = {"op_id": uuid.uuid4().hex, "site_id": "PWK-T01", "base_version": 0, "to_status": "remediating",
            "note": "离线", "fields": {"remediation_method": "standardise"}, "photos": [],
            "fix": {"lon": 119.4701, "lat": 25.6601, "accuracy_m": 6, "time": T_MS - 5000},
            "captured_at": T_MS, "sent_at": int(time.time() * 1000)}
    body.update(over)
    return body


def count(store, table, where="1=1"):
    with store._read() as conn:
        return conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]


def _all(store, table):
    with store._read() as conn:
        return [tuple(r) for r in conn.execute(f"SELECT * FROM {table}").fetchall()]


# -- who may ask ------------------------------------------------------------------------------------------------


def test_no_sign_in_no_header_other_origin_or_another_role_is_refused(env):
    store, client = env
    r = client.get("/field/api/me", headers=H)
    assert r.status_code == 401 and r.json()["code"] == "auth.login_required" and r.json()["zh"]
    assert r.headers["cache-control"] == "no-store"
    signed_in(store, client)
    assert client.get("/field/api/me").status_code == 403  # no X-Requested-With
    assert client.post("/field/api/changes", json=change(), headers={**H, "Origin": "https://evil.example"}
                       ).status_code == 403
    assert client.post("/field/api/changes", json=change(), headers=H).status_code == 403  # no Origin at all
    for who in (REVIEWER, ADMIN):
        signed_in(store, client, who)
        r = client.get("/field/api/pack", headers=H)
        assert r.status_code == 403 and r.json()["code"] == "field.inspectors_only"


def test_me_and_a_device_token_that_works_without_the_session(env):
    store, client = env
    signed_in(store, client)
    me = client.get("/field/api/me", headers=H).json()
    assert me["user"] == INSPECTOR.name and me["via"] == "session" and me["device"] is None
    assert [t["code"] for t in me["towns"]] == sorted(INSPECTOR_TOWNS) and me["towns"][1]["zh"] == "海口镇"
    r = client.post("/field/api/device", json={"label": "平板"}, headers=W)
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "onemap_field_device=" in cookie and "HttpOnly" in cookie and "Path=/field/" in cookie
    assert "samesite=strict" in cookie.lower()
    token = client.cookies.get("onemap_field_device")
    assert token and token not in str(_all(store, "field_devices"))
    client.cookies.delete("onemap_session")
    me = client.get("/field/api/me", headers=H).json()
    assert me["via"] == "device" and me["device"]["device_id"] == r.json()["device_id"]
    assert client.post("/field/api/device", json={}, headers=W).status_code == 403  # a device makes no device
    store.revoke_device(ADMIN, r.json()["device_id"])
    assert client.get("/field/api/me", headers=H).status_code == 401


# -- the pack ---------------------------------------------------------------------------------------------------


def test_the_pack_is_the_inspectors_towns_private_with_an_etag_and_304(env):
    store, client = env
    signed_in(store, client)
    r = client.get("/field/api/pack", headers={**H, "Accept-Encoding": "identity"})
    assert r.status_code == 200 and r.headers["cache-control"] == "private, no-cache"
    pack = r.json()
    assert {s["id"] for s in pack["sites"]} == {"PWK-T01", "HC-T01", "YQ-T01"}  # not PWK-T02 of another town
    assert {s["town"] for s in pack["sites"]} <= set(INSPECTOR_TOWNS)
    etag = r.headers["etag"]
    assert etag == '"' + hashlib.sha256(r.content).hexdigest()[:32] + '"'
    assert client.get("/field/api/pack", headers={**H, "If-None-Match": etag}).status_code == 304
    gz = client.get("/field/api/pack", headers={**H, "Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip" and gz.headers["etag"] != etag and gz.json() == pack
    assert client.get("/field/api/pack", headers={**H, "If-None-Match": gz.headers["etag"]}).status_code == 304
    assert len(gzip.compress(r.content)) < len(r.content)
    store.change_status(ADMIN, "PWK-T01", "remediating", expected_version=0, op_id="o1",
                        changes={"remediation_method": "ban"})
    assert client.get("/field/api/pack", headers={**H, "If-None-Match": etag}).status_code == 200


# -- changes ----------------------------------------------------------------------------------------------------


def test_a_change_applies_once_a_replay_changes_nothing_and_a_stale_one_is_a_conflict(env):
    store, client = env
    signed_in(store, client)
    body = change()
    r = client.post("/field/api/changes", json=body, headers=W)
    assert r.status_code == 200 and r.json()["outcome"] == "applied" and r.json()["replay"] is False
    assert r.json()["applied_version"] == 1 and abs(r.json()["clock_offset_s"]) < 5
    entry = store.history(SYSTEM, "PWK-T01")[-1]
    assert entry.op_id == body["op_id"] and entry.evidence.distance_m is not None and entry.source == "offline"
    before = (len(store.all_history(SYSTEM)), count(store, "audit_log"))
    again = client.post("/field/api/changes", json=body, headers=W)
    assert again.json()["replay"] is True and again.json()["outcome"] == "applied"
    assert (len(store.all_history(SYSTEM)), count(store, "audit_log")) == before

    stale = client.post("/field/api/changes", json=change(to_status="remediated", base_version=0, fields={}),
                        headers=W).json()
    assert stale["outcome"] == "conflict" and stale["open_conflict"] and stale["server_state"]["version"] == 1
    assert stale["message"]["code"] == "field.stale_version"
    assert store.get_site(SYSTEM, "PWK-T01").version == 1
    pack = client.get("/field/api/pack", headers=H).json()
    assert [c["op_id"] for c in pack["conflicts"]] == [stale["op_id"]]

    refused = client.post("/field/api/changes", json=change(site_id="HC-T01", to_status="long_term_clean", fields={}),
                          headers=W).json()
    assert refused["outcome"] == "refused" and refused["message"]["code"] == "status.transition_not_allowed"


@pytest.mark.parametrize("body, status, code", [
    (change(op_id="x"), 422, "field.bad_change"),
    (change(site_id="PWK-NOPE"), 404, "site.not_found"),
    (change(site_id="PWK-T02", to_status="remediating"), 403, "auth.denied"),
    (change(photos=["e" * 64]), 409, "field.photo_missing"),
    ("not json", 422, "field.bad_change"),
    ("[" * 120_000 + "]" * 120_000, 422, "field.bad_change"),  # nested past the JSON parser's depth: refused, no 500
    (change(note="已整改\x1b[2J\u202e"), 422, "text.control_chars"),  # control characters never reach a record
])
def test_a_change_the_api_refuses_says_why_in_both_languages(env, body, status, code):
    store, client = env
    signed_in(store, client)
    if isinstance(body, str):
        r = client.post("/field/api/changes", content=body.encode(), headers={**W, "Content-Type": "application/json"})
    else:
        r = client.post("/field/api/changes", json=body, headers=W)
    assert r.status_code == status and r.json()["code"] == code and r.json()["zh"] and r.json()["en"]
    assert count(store, "field_changes") == 0


def test_conflicts_are_resolved_through_the_api(env):
    store, client = env
    signed_in(store, client)
    store.change_status(ADMIN, "PWK-T01", "remediating", expected_version=0, op_id="o1",
                        changes={"remediation_method": "ban"})
    c1 = client.post("/field/api/changes", json=change(), headers=W).json()
    c2 = client.post("/field/api/changes", json=change(), headers=W).json()
    assert c1["outcome"] == c2["outcome"] == "conflict"
    r = client.post(f"/field/api/conflicts/{c1['op_id']}/discard", json={"note": "重复"}, headers=W)
    assert r.status_code == 200 and r.json()["resolution"] == "discarded" and r.json()["resolved_by"] == INSPECTOR.name
    r = client.post(f"/field/api/conflicts/{c2['op_id']}/reapply", json={"expected_version": 0}, headers=W)
    assert r.status_code == 409  # reviewed an old version
    r = client.post(f"/field/api/conflicts/{c2['op_id']}/reapply", json={"expected_version": 1}, headers=W)
    assert r.status_code == 422 and r.json()["code"] == "status.transition_not_allowed"  # already remediating
    r = client.post(f"/field/api/conflicts/{c2['op_id']}/undo", json={}, headers=W)
    assert r.status_code == 422 and r.json()["code"] == "field.unknown_resolution"


# -- photos ----------------------------------------------------------------------------------------------------


def _jpeg() -> bytes:
    im = Image.new("RGB", (900, 700))
    px = im.load()
    for x in range(0, 900, 3):
        for y in range(0, 700, 2):
            px[x, y] = ((x * 13 + y) % 256, (y * 7) % 256, (x * y) % 256)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=95)
    return buf.getvalue()


def test_a_photo_uploads_in_chunks_resumes_and_is_never_stored_twice(env):
    store, client = env
    signed_in(store, client)
    data = _jpeg()
    assert len(data) > CHUNK_MAX
    sha = hashlib.sha256(data).hexdigest()
    url = f"/field/api/photos/{sha}"
    head = client.head(url, headers=H)
    assert head.headers["upload-complete"] == "?0" and head.headers["upload-offset"] == "0"
    r = client.put(f"{url}?offset=0&total={len(data)}", content=data[:CHUNK_MAX], headers=W)
    assert r.json() == {"offset": CHUNK_MAX, "complete": False}
    assert client.head(url, headers=H).headers["upload-offset"] == str(CHUNK_MAX)  # resume from here
    r = client.put(f"{url}?offset=0&total={len(data)}", content=data[:CHUNK_MAX], headers=W)
    assert r.status_code == 409 and r.json()["offset"] == CHUNK_MAX
    offset = CHUNK_MAX
    while offset < len(data):
        r = client.put(f"{url}?offset={offset}&total={len(data)}", content=data[offset:offset + CHUNK_MAX], headers=W)
        offset = r.json()["offset"]
    stored = r.json()["stored"]
    assert r.json()["complete"] and stored != sha  # stored as re-encoded without metadata
    root = store.photos_dir
    assert (root / stored[:2] / f"{stored}.jpg").is_file()
    files = sorted(p.name for p in root.rglob("*.jpg"))
    head = client.head(url, headers=H)
    assert head.headers["upload-complete"] == "?1" and head.headers["x-photo-stored"] == stored
    again = client.put(f"{url}?offset=0&total={len(data)}", content=data[:CHUNK_MAX], headers=W)
    assert again.json() == {"offset": len(data), "complete": True, "stored": stored}
    assert sorted(p.name for p in root.rglob("*.jpg")) == files and count(store, "field_photos") == 1
    r = client.post("/field/api/changes", json=change(photos=[sha]), headers=W)
    assert r.json()["outcome"] == "applied" and store.history(SYSTEM, "PWK-T01")[-1].photos == (stored,)


def test_a_photo_that_does_not_match_its_hash_or_is_not_a_photo_is_refused(env):
    store, client = env
    signed_in(store, client)
    r = client.put(f"/field/api/photos/{'a' * 64}?offset=0&total=5", content=b"hello", headers=W)
    assert r.status_code == 422 and r.json()["code"] == "photo.hash_mismatch"
    junk = b"not an image at all"
    sha = hashlib.sha256(junk).hexdigest()
    r = client.put(f"/field/api/photos/{sha}?offset=0&total={len(junk)}", content=junk, headers=W)
    assert r.status_code == 422 and r.json()["code"] == "photo.not_an_image"
    assert client.put("/field/api/photos/NOTAHASH?offset=0&total=1", content=b"x", headers=W).status_code == 422
    assert client.put(f"/field/api/photos/{sha}", content=b"x", headers=W).status_code == 422
    assert count(store, "field_photos") == 0


# -- logout -----------------------------------------------------------------------------------------------------


def test_logout_ends_the_session_and_the_device_and_clears_both_cookies(env):
    store, client = env
    signed_in(store, client)
    client.post("/field/api/device", json={}, headers=W)
    assert store.list_devices(ADMIN)
    r = client.post("/field/api/logout", json={}, headers=W)
    assert r.status_code == 200
    cleared = r.headers.get_list("set-cookie")
    assert any(c.startswith("onemap_session=") and "Max-Age=0" in c for c in cleared)
    assert any(c.startswith("onemap_field_device=") and "Max-Age=0" in c and "Path=/field/" in c for c in cleared)
    assert store.list_devices(ADMIN) == []
    assert count(store, "audit_log", "action = 'auth.logout'") == 1
    assert client.get("/field/api/me", headers=H).status_code == 401


# -- the app shell -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, media", [
    ("/field/", "text/html"), ("/field/sw.js", "text/javascript"), ("/field/field-app.js", "text/javascript"),
    ("/field/leaflet.js", "text/javascript"), ("/field/basemap.js", "text/javascript"), ("/field/field.css", "text/css"),
    ("/field/manifest.webmanifest", "application/manifest+json"), ("/field/icon-512.png", "image/png"),
    ("/field/shell.json", "application/json"),
])
def test_the_shell_is_served_with_its_type_revalidated_and_under_the_pages_csp(env, path, media):
    _, client = env
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert r.headers["cache-control"] == "no-cache" and r.headers["x-content-type-options"] == "nosniff"
    csp = r.headers["content-security-policy"]
    scripts = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert "'self'" in scripts and "unsafe" not in scripts and "worker-src 'self'" in csp
    assert client.get(path, headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def test_every_file_the_service_worker_keeps_is_served_and_the_base_geography_needs_a_sign_in(env):
    store, client = env
    assert client.get("/field", follow_redirects=False).headers["location"] == "/field/"
    cfg = client.get("/field/shell.json").json()
    for asset in cfg["assets"]:
        assert client.get("/field/" + ("" if asset == "./" else asset)).status_code == 200, asset
    assert client.get("/field/nothing.js").status_code == 404
    base = cfg["base_files"][0]
    assert base.startswith(f"base/{base_version(WebSettings(store.locator, Path('.')).base_data_dir)}/")
    store.set_meta(SYSTEM, "guest_read", "off")
    assert client.get("/field/" + base).status_code == 401
    signed_in(store, client)
    client.post("/field/api/device", json={}, headers=W)
    client.cookies.delete("onemap_session")
    r = client.get("/field/" + base)  # a field device reads it without a session
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    assert json.loads(r.content)["type"] == "FeatureCollection"
    assert client.get("/field/base/0000/land.geojson").status_code == 404
