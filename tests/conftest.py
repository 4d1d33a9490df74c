"""Shared fixtures: a sample store built once per session, pointed to by ONEMAP_STORE."""

from __future__ import annotations

import os
import sys
import tempfile

import pytest

from geo.sample import populate_sample
from geo.store import create_store


# Derived files (raster tiles, display copies) go to a private folder, never into the checkout;
# apps started by browser tests inherit it.
os.environ.setdefault("ONEMAP_CACHE", tempfile.mkdtemp(prefix="onemap-test-cache-"))
# An unexpected exception must fail the test that meets it: the CLI's and the pages' last-resort handlers
# (geo/errorlog.py) re-raise under this flag, also in the CLI and app processes tests start. Their log goes
# to a private file, never into the checkout.
os.environ.setdefault("ONEMAP_RAISE_INTERNAL", "1")
os.environ.setdefault("ONEMAP_LOG", os.path.join(tempfile.mkdtemp(prefix="onemap-test-log-"), "errors.log"))
# Files of PostGIS stores (photos, raster copies) likewise: never into the checkout's data/.
os.environ.setdefault("ONEMAP_FILES", tempfile.mkdtemp(prefix="onemap-test-files-"))


_MAIN_MODULE = sys.modules.get("__main__")

# Accounts made and checked in this process hash at a low scrypt cost (each login at the real cost takes
# ~0.4 s); hashes record their cost, and tests/test_auth.py checks the real one and the rehash on sign-in.
from geo.store import passwords as _passwords  # noqa: E402

TEST_SCRYPT_N = 2**10
REAL_SCRYPT_N = _passwords.N
_passwords.N = TEST_SCRYPT_N

#: Tests that take seconds each (subprocesses, killed writers, many processes, whole-pipeline runs).
#: The inner loop skips them: ``python -m pytest -m "not slow and not browser"``; CI runs everything.
SLOW_MODULES = {
    "test_cli.py", "test_hostile_cli.py", "test_import_cli.py", "test_export_cli.py", "test_grading_cli.py", "test_raster_cli.py",
    "test_bench_smoke.py",
}
SLOW_TESTS = {
    "test_a_writer_killed_mid_import_leaves_the_store_exactly_as_before",
    "test_a_killed_writer_never_leaves_a_change_without_its_audit_row",
    "test_eight_processes_fifty_changes_each_lose_nothing",
    "test_eight_concurrent_logins_and_two_concurrent_user_edits",
    "test_cli_report_writes_the_pdf",
    "test_cli_progress_as_of_a_past_day",
}


#: How many times a failed browser test runs again (pytest-rerunfailures; see requirements/test.txt).
BROWSER_RERUNS = 1


def pytest_collection_modifyitems(config, items):
    """Mark browser tests (under tests/browser/ or using the ``browser`` fixture) and slow ones."""
    for item in items:
        path = item.path
        if "browser" in path.parts or "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
            # One more run for a failed browser test (a rerun of the app that came late on a loaded machine);
            # a real defect fails twice. Reruns are listed in the summary as RERUN.
            item.add_marker(pytest.mark.flaky(reruns=BROWSER_RERUNS, reruns_delay=2))
        if path.name in SLOW_MODULES or item.originalname in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if ({"pg_url", "pg_cluster"} & set(getattr(item, "fixturenames", ()))) or params.get("store_target") == "postgis":
            item.add_marker(pytest.mark.postgis)


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Put pytest's ``__main__`` back after each test.

    Streamlit's AppTest runs page scripts as ``__main__`` and leaves its
    script there; a ``spawn`` multiprocessing pool started later would then
    re-run that script in every child, which dies, and the pool hangs.
    """
    yield
    if sys.modules.get("__main__") is not _MAIN_MODULE:
        sys.modules["__main__"] = _MAIN_MODULE


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (Playwright's sync API allows one at a time).

    Skipped without Chromium or Playwright, required with ``CI=true``
    (see ``tests/browser/conftest.py``).
    """
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, WatchedBrowser, _require_browser

    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield WatchedBrowser(b)
        b.close()


@pytest.fixture(scope="session")
def sample_store_file(tmp_path_factory):
    from tests.factories import add_accounts

    path = tmp_path_factory.mktemp("sample-store") / "store.gpkg"

    def populate(store):
        populate_sample(store)
        add_accounts(store)

    create_store(path, populate)
    return path


@pytest.fixture
def store_copy(sample_store_file, tmp_path, monkeypatch):
    """A private copy of the sample store, set as ONEMAP_STORE for the test."""
    import sqlite3

    path = tmp_path / "store.gpkg"
    src = sqlite3.connect(sample_store_file)
    dst = sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    from geo.photos import photos_root

    if photos_root(sample_store_file).is_dir():  # the sample's photos (规范化 items, 销号 documents) go along
        import shutil

        shutil.copytree(photos_root(sample_store_file), photos_root(path))
    monkeypatch.setenv("ONEMAP_STORE", str(path))
    return path


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL/PostGIS cluster for the session (tests/pg_cluster.py); skipped where impossible."""
    import shutil as _shutil

    from tests.pg_cluster import start_cluster

    cluster, root = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
        _shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_cluster):
    """A new empty PostGIS database for one test, as a superuser URL."""
    return pg_cluster.new_database()


#: Every store test that takes ``store_target`` runs once per backend (as geopandas runs its IO tests per engine).
BACKENDS = ["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)]


@pytest.fixture(params=BACKENDS)
def store_target(request, tmp_path):
    """Where a test's store goes: a GeoPackage path, or a new PostGIS database (URL)."""
    if request.param == "gpkg":
        yield tmp_path / "store.gpkg"
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database()
    yield url
    _close_opened()
    cluster.drop_database(url)


def _close_opened():
    from tests.factories import OPENED

    while OPENED:
        OPENED.pop().close()


@pytest.fixture(autouse=True)
def _close_pg_pools():
    yield
    _close_opened()


@pytest.fixture(scope="session")
def pg_sample_template(pg_cluster):
    """A PostGIS database holding the sample data and the test accounts, built once (copied per test)."""
    from geo.store.postgis import create_pg_store
    from tests.factories import add_accounts

    url = pg_cluster.new_database(prefix="sample")

    def populate(store):
        populate_sample(store)
        add_accounts(store)

    create_pg_store(url, populate).close()
    return url


@pytest.fixture(params=BACKENDS)
def sample_target(request, tmp_path, monkeypatch):
    """A private copy of the sample store, once per backend (a GeoPackage path or a PostGIS URL)."""
    if request.param == "gpkg":
        yield request.getfixturevalue("store_copy")
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.copy_database(request.getfixturevalue("pg_sample_template"))
    monkeypatch.setenv("ONEMAP_STORE", url)
    yield url
    _close_opened()
    cluster.drop_database(url)
