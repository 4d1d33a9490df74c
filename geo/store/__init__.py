"""The storage boundary: the only package that touches the database.

``open_store()`` returns the configured store: a GeoPackage file given by the
environment variable ``ONEMAP_STORE`` (default ``data/store.gpkg``), created
from the sample data on first use.
"""

from __future__ import annotations

import os
from pathlib import Path

from geo import settings
from geo.store.base import (Actor, ChangeResult, Evidence, HistoryEntry, NewObservation, NewSite, Observation, Site,
                            SiteStore)
from geo.store.gpkg import GpkgStore, create_store

DEFAULT_STORE = settings.DEFAULT_STORE
ENV_STORE = "ONEMAP_STORE"

__all__ = [
    "Actor", "ChangeResult", "Evidence", "HistoryEntry", "NewObservation", "NewSite", "Observation", "Site", "SiteStore",
    "GpkgStore", "create_store", "open_store", "store_path", "DEFAULT_STORE", "ENV_STORE",
]


def store_path(path: str | os.PathLike | None = None) -> Path:
    """The store file: ``path``, else ``$ONEMAP_STORE``, else ``data/store.gpkg`` (see :mod:`geo.settings`)."""
    if path:
        return Path(path)
    return Path(settings.current().store)


def open_store(path: str | os.PathLike | None = None, *, create_with_sample: bool = True) -> GpkgStore:
    """Open the store, creating it from the sample data when it does not exist.

    Parameters
    ----------
    path : path-like, optional
        Overrides ``$ONEMAP_STORE``.
    create_with_sample : bool
        When the file is missing, build it from the sample data (the app's
        embedded default); when False, create an empty store.
    """
    target = store_path(path)
    populate = None
    if create_with_sample and not target.exists():
        from geo.sample import populate_sample

        populate = populate_sample
    return create_store(target, populate)
