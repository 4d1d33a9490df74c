"""Two app instances on one PostGIS store: one's change is the other's on its next read; one sign-in serves both."""

from __future__ import annotations

import time
import uuid

import pytest

from geo.errors import PermissionDenied
from geo.store.postgis import PgStore
from tests.factories import INSPECTOR, PASSWORD, REVIEWER, make_store, outfall, park, river


def _wait(predicate, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("store_target", ["postgis"], indirect=True)
def test_a_change_through_one_instance_is_seen_by_the_other(store_target):
    first = make_store(store_target, [river(), outfall(), park()])
    second = PgStore(store_target)  # another process, another machine: the same URL
    try:
        seen = second.data_version()
        site = first.get_site(INSPECTOR, "HC-T01")
        first.change_status(INSPECTOR, "HC-T01", "initial_effect", expected_version=site.version,
                            op_id=uuid.uuid4().hex)
        # NOTIFY reaches the other instance's listener: its cache key moves without a query ...
        assert _wait(lambda: second.data_version() != seen)
        # ... and what it reads then is the new state.
        assert second.get_site(REVIEWER, "HC-T01").status == "initial_effect"
        # A session touch or a login is not a data change: caches stay.
        now = second.data_version()
        token = first.login(INSPECTOR.name, PASSWORD).token
        time.sleep(0.3)
        assert second.data_version() == now
        # The sign-in made on one instance is honoured by the other, and logging out there ends it here.
        assert second.session_actor(token).name == INSPECTOR.name
        second.logout(token)
        with pytest.raises(PermissionDenied):
            first.session_actor(token)
    finally:
        second.close()
        first.close()


@pytest.mark.parametrize("store_target", ["postgis"], indirect=True)
def test_the_web_routes_serve_a_postgis_store(store_target, tmp_path, monkeypatch):
    """Readiness, sign-in by cookie and the photo folder work on a PostGIS store as on a GeoPackage."""
    from starlette.requests import Request

    from geo.web.access import Access
    from geo.web.health import readiness
    from geo.web.settings import COOKIE_NAME, WebSettings

    monkeypatch.setenv("ONEMAP_FILES", str(tmp_path / "files"))
    store = make_store(store_target, [river(), outfall(), park()])
    web = WebSettings(store=store_target, cache_root=tmp_path / "cache")
    report = readiness(web)
    assert report["ready"], report
    assert report["checks"]["schema"]["ok"] and report["checks"]["store"]["writable"]
    assert web.photos_root == store.photos_dir

    token = store.login(INSPECTOR.name, PASSWORD).token
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"cookie", f"{COOKIE_NAME}={token}".encode())],
             "client": ("127.0.0.1", 1)}
    assert Access(web).reader(Request(scope)).name == INSPECTOR.name

    broken = WebSettings(store=store_target.rsplit("/", 1)[0] + "/no_such_database", cache_root=tmp_path / "cache")
    assert readiness(broken)["checks"]["store"] == {"ok": False, "exists": False, "readable": False,
                                                     "writable": False, "reason": "unreachable"}
