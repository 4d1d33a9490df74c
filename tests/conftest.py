"""Shared fixtures: a sample store built once per session, pointed to by ONEMAP_STORE."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from geo.sample import populate_sample
from geo.store import create_store


# Derived files (raster tiles, display copies) go to a private folder, never into the checkout;
# apps started by browser tests inherit it.
os.environ.setdefault("ONEMAP_CACHE", tempfile.mkdtemp(prefix="onemap-test-cache-"))


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
    monkeypatch.setenv("ONEMAP_STORE", str(path))
    return path
