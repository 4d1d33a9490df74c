"""Connections and transactions, backend-neutral: what every store backend provides to the shared logic.

The store's logic (sites, history, accounts, audit, imports, rasters) is
written once, in SQL both SQLite and PostgreSQL understand: ``?``
placeholders (the PostgreSQL backend turns them into its own), ``INSERT …
ON CONFLICT``, ``RETURNING id``, booleans as ``true``/``false``, timestamps as
ISO text in UTC. A backend (:class:`geo.store.gpkg.GpkgStore`,
:class:`geo.store.postgis.PgStore`) supplies the connection, the way a write
transaction begins, geometry in and out, and what its driver's errors mean.

One short connection per operation (Streamlit runs sessions in threads) —
from a pool for PostgreSQL. A PermissionDenied raised inside an operation
rolls the operation back and is then recorded in the audit log in a
transaction of its own, so every denial leaves exactly one ``auth.denied``
row and nothing else.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterator

from geo.errors import PermissionDenied, StoreError
from geo.store.base import Actor


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_utc(ts: datetime) -> str:
    """The store's timestamp text: ISO 8601 in UTC with milliseconds and Z (GeoPackage DATETIME form)."""
    if ts.tzinfo is None:
        raise ValueError("naive datetime: give a timezone")
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def q(name: str) -> str:
    """Quote an SQL identifier (names come from the registry, never from users)."""
    return '"' + name.replace('"', '""') + '"'


class Database:
    """What the shared store logic needs from a backend.

    Subclasses set :attr:`DriverError` and :attr:`IntegrityError` (tuples of
    the driver's exception classes) and implement :meth:`_connect`,
    :meth:`_begin`, :meth:`_close`, :meth:`geom_in`, :meth:`geom_out` and
    :meth:`_store_error`. Connections must give rows that can be read by
    column name and by position, and a cursor with ``fetchone``/``fetchall``
    and ``rowcount``.
    """

    #: The driver's exceptions (any database error) and its unique/foreign-key violations.
    DriverError: tuple[type[BaseException], ...] = ()
    IntegrityError: tuple[type[BaseException], ...] = ()
    #: ``"gpkg"`` or ``"postgis"``.
    backend = ""

    # -- what a backend provides -------------------------------------------
    def _connect(self) -> Any:
        raise NotImplementedError

    def _close(self, conn: Any) -> None:
        conn.close()

    def _begin(self, conn: Any) -> None:
        """Start a write transaction that no other writer can interleave with."""
        raise NotImplementedError

    def _commit(self, conn: Any) -> None:
        conn.execute("COMMIT")

    def _rollback(self, conn: Any) -> None:
        conn.execute("ROLLBACK")

    def _in_transaction(self, conn: Any) -> bool:
        raise NotImplementedError

    def geom_in(self, geom) -> Any:
        """A shapely geometry as the parameter the backend stores in a geometry column."""
        raise NotImplementedError

    def geom_out(self, value) -> Any:
        """A geometry column's value as a shapely geometry."""
        raise NotImplementedError

    def _store_error(self, exc: BaseException, conn: Any = None) -> StoreError | PermissionDenied:
        """What a driver error means for the user (``conn``: the connection it happened on, if any)."""
        raise NotImplementedError

    # -- where the store's files live ------------------------------------------
    @property
    def photos_dir(self):
        """Field photos of this store (``<files root>/<stem>_photos``)."""
        return self.files_root / f"{self.files_stem}_photos"

    # -- hooks the shared logic calls (no-ops unless a backend needs them) ---
    def _actor_context(self, conn: Any, actor: Actor) -> None:
        """Tell the database who acts in this transaction (PostgreSQL: row-level security)."""

    def _layer_changed(self, conn: Any, table: str, added=None) -> None:
        """A feature table's rows changed (GeoPackage: its extent in ``gpkg_contents``); ``added``: the
        geometries just inserted, when that is all that changed."""

    def _data_changed(self, conn: Any) -> None:
        """Something other instances cache changed (PostgreSQL: NOTIFY, delivered on commit)."""

    def _after_bulk_insert(self, conn: Any, table: str, columns) -> None:
        """Rows were inserted with their own ids (a copy): PostgreSQL moves the id sequences past them."""

    # -- transactions ---------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[Any]:
        conn = self._connect()
        try:
            yield conn
        except PermissionDenied as exc:
            self._end_read(conn)
            conn = None
            self._record_denial(exc)
            raise
        except self.DriverError as exc:
            raise self._store_error(exc) from exc
        finally:
            if conn is not None:
                self._end_read(conn)

    def _end_read(self, conn: Any) -> None:
        try:
            if self._in_transaction(conn):
                self._rollback(conn)
        except self.DriverError:
            pass
        self._close(conn)

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """One write transaction, committed at the end, rolled back on any error."""
        conn = self._connect()
        try:
            self._begin(conn)
            yield conn
            self._commit(conn)
        except BaseException as exc:
            try:
                if self._in_transaction(conn):
                    self._rollback(conn)
            except self.DriverError:
                pass
            if isinstance(exc, self.DriverError):
                err = self._store_error(exc, conn)
                if not isinstance(err, PermissionDenied):
                    raise err from exc
                exc = err  # the database itself refused (row-level security): a denial like any other
            if isinstance(exc, PermissionDenied):
                self._close(conn)
                conn = None
                self._record_denial(exc)
                raise exc
            raise
        finally:
            if conn is not None:
                self._close(conn)

    def _record_denial(self, exc: PermissionDenied) -> None:
        """Hook: write the denial to the audit log (implemented by the audit mixin)."""
