"""The storage boundary: the only package that touches a database.

``open_store()`` returns the configured store (``$ONEMAP_STORE``, see
:mod:`geo.settings`):

* a path (the default ``data/store.gpkg``): the embedded GeoPackage store,
  created from the sample data on first use;
* ``postgresql://…``: the PostGIS store on a database server (several app
  instances may share it); its schema is created or brought up to date, and
  it is left empty until ``cli.py init`` or an import fills it.

Anything else that looks like a URL is refused, naming the forms that work
(a ``mysql://…`` value must not silently become a folder named ``mysql:``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from geo import settings
from geo.errors import StoreError
from geo.store.base import (Actor, ChangeResult, Evidence, HistoryEntry, MapSite, NewObservation, NewSite, Observation,
                            Site, SiteStore)
from geo.store.gpkg import GpkgStore, create_store

DEFAULT_STORE = settings.DEFAULT_STORE
ENV_STORE = "ONEMAP_STORE"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")

__all__ = [
    "Actor", "ChangeResult", "Evidence", "HistoryEntry", "MapSite", "NewObservation", "NewSite", "Observation", "Site",
    "SiteStore",
    "GpkgStore", "create_store", "open_store", "existing_store", "is_postgres", "store_path", "store_locator",
    "files_dir", "DEFAULT_STORE", "ENV_STORE",
]


def store_locator(locator: str | os.PathLike | None = None) -> str:
    """The store to open: ``locator``, else ``$ONEMAP_STORE``, else ``data/store.gpkg`` — a path or a URL.

    Raises
    ------
    StoreError
        ``store.unknown_url`` for a URL of a kind this app cannot open.
    """
    text = str(locator) if locator else settings.current().store
    m = _SCHEME.match(text)
    if m and m.group(1).lower() not in ("postgresql", "postgres"):
        raise StoreError(
            "store.unknown_url",
            en=f"ONEMAP_STORE={text.split('@')[-1]!r} is not a store this app can open; use a GeoPackage path "
               "(e.g. data/store.gpkg) or a PostgreSQL URL (postgresql://user@host/database).",
            zh=f"ONEMAP_STORE 的值“{text.split('@')[-1]}”不是本系统能打开的数据库；请填写 GeoPackage 文件路径"
               "（如 data/store.gpkg）或 PostgreSQL 地址（postgresql://用户@主机/数据库）。",
            value=m.group(1),
        )
    return text


def store_path(path: str | os.PathLike | None = None) -> Path:
    """The GeoPackage file: ``path``, else ``$ONEMAP_STORE``, else ``data/store.gpkg``."""
    return Path(store_locator(path))


def files_dir(locator: str | os.PathLike, kind: str = "photos") -> Path:
    """Where the store at ``locator`` keeps its files of ``kind`` (``photos``, ``rasters``), without opening it.

    A GeoPackage keeps them beside its file (``data/store.gpkg`` -> ``data/store_photos``); a PostGIS
    database under ``$ONEMAP_FILES`` named after the database (shared by every instance).
    """
    target = store_locator(locator)
    if is_postgres(target):
        from urllib.parse import urlsplit

        return settings.current().files / f"{urlsplit(target).path.lstrip('/') or 'postgres'}_{kind}"
    path = Path(target)
    return path.with_name(f"{path.stem}_{kind}")


def is_postgres(locator: str) -> bool:
    """Whether ``locator`` names a PostgreSQL database."""
    m = _SCHEME.match(str(locator))
    return bool(m) and m.group(1).lower() in ("postgresql", "postgres")


def existing_store(locator: str | os.PathLike) -> SiteStore:
    """The store at ``locator`` as it is: nothing created, nothing migrated (worker processes, a second instance)."""
    target = store_locator(locator)
    if is_postgres(target):
        from geo.store.postgis import PgStore

        return PgStore(target)
    return GpkgStore(target)


def open_store(locator: str | os.PathLike | None = None, *, create_with_sample: bool = True) -> SiteStore:
    """Open the configured store.

    Parameters
    ----------
    locator : path-like or str, optional
        A GeoPackage path or a ``postgresql://`` URL; overrides ``$ONEMAP_STORE``.
    create_with_sample : bool
        A GeoPackage file that does not exist is built from the sample data
        (the app's embedded default); when False, an empty store is created.
        A PostGIS database is never filled here (``cli.py init`` does that).
    """
    target = store_locator(locator)
    if is_postgres(target):
        from geo.store.postgis import create_pg_store

        return create_pg_store(target)
    path = Path(target)
    populate = None
    if create_with_sample and not path.exists():
        from geo.sample import populate_sample

        populate = populate_sample
    return create_store(path, populate)
