"""Display geometries in the store: written with each geometry, read by the map instead of the geometry.

``site_display`` (GeoPackage schema 9, PostGIS step 5) holds, per site, the
overview and detail display geometry of :mod:`geo.displaygeom`, computed
when the geometry is written (``add_sites``, imports, undo), so that the
first view of a map never simplifies 100,000 polygons. Triggers on the kind
tables drop a site's row when its geometry changes or the site is deleted,
by whatever writes the store (QGIS included); :meth:`DisplayMixin.map_sites`
computes a missing or outdated row (other :data:`geo.displaygeom.PARAMS`) on
the fly, so the map is right either way, only slower for those sites.

The SQL here is shared by both backends (``?`` placeholders, ``INSERT … ON
CONFLICT``); geometries are read through the backend's ``geom_out``.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from shapely.geometry.base import BaseGeometry

from geo import displaygeom
from geo.store.base import Actor, MapSite
from geo.store.db import q as _q
from geo.store.tables import DISPLAY_TABLE
from layers import REGISTRY, get_spec

_UPSERT = (f"INSERT INTO {DISPLAY_TABLE} (site_id, kind, params, overview, detail) VALUES (?,?,?,?,?)"
           " ON CONFLICT (site_id) DO UPDATE SET kind = excluded.kind, params = excluded.params,"
           " overview = excluded.overview, detail = excluded.detail")


def put_display(conn: Any, kind: str, site_ids: Sequence[str], blobs: Sequence[tuple[bytes, bytes | None]]) -> None:
    """Keep the display geometry of ``site_ids`` (inside the caller's write transaction)."""
    conn.executemany(_UPSERT, [(sid, kind, displaygeom.PARAMS, o, d) for sid, (o, d) in zip(site_ids, blobs)])


def fill_display(conn: Any, decode: Callable[[Any], BaseGeometry], kinds: Iterable[str], *,
                 only_missing: bool = True, chunk: int = 5000) -> int:
    """Compute and keep the display geometry of the sites of ``kinds`` lacking a current one (or of all).

    ``decode`` turns the backend's geometry column value into a shapely
    geometry. Runs in the caller's transaction; returns how many were written.
    """
    done = 0
    for kind in kinds:
        where = (f" WHERE NOT EXISTS (SELECT 1 FROM {DISPLAY_TABLE} d WHERE d.site_id = k.site_id AND d.params = ?)"
                 if only_missing else "")
        rows = conn.execute(f"SELECT site_id, geom FROM {_q(kind)} k{where} ORDER BY site_id",
                            (displaygeom.PARAMS,) if only_missing else ()).fetchall()
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            put_display(conn, kind, [r[0] for r in part], displaygeom.display_blobs([decode(r[1]) for r in part]))
            done += len(part)
    return done


class DisplayMixin:
    """Display geometries. Needs the shared store logic (``_read``/``_write``/``_allow``/``_audit``,
    ``geom_out``) of either backend."""

    def _put_display(self, conn: Any, kind: str, site_ids: Sequence[str],
                     blobs: Sequence[tuple[bytes, bytes | None]]) -> None:
        put_display(conn, kind, site_ids, blobs)

    @staticmethod
    def _display_blobs(geoms: Sequence[BaseGeometry]) -> list[tuple[bytes, bytes | None]]:
        return displaygeom.display_blobs(geoms)

    def map_sites(self, actor: Actor, kinds: Iterable[str] | None = None, towns: Iterable[str] | None = None,
                  statuses: Iterable[str] | None = None) -> list[MapSite]:
        """Sites as the map draws them, ordered by kind then id, filtered as :meth:`list_sites`.

        Reads the kept display geometry and never decodes a stored one,
        except for sites whose display row is missing or outdated (computed
        here, not written: a read does not write). Repeated values (kind,
        status, town, deadline) are shared, not copied per site.
        """
        specs = [get_spec(k) for k in kinds] if kinds is not None else list(REGISTRY.values())
        shared: dict = {}
        one = shared.setdefault  # one string object per distinct town, status, deadline
        make = MapSite._make
        out: list[MapSite] = []
        with self._read() as conn:
            self._allow(conn, actor, "read")
            for spec in specs:
                where, args = _filters({"town_code": towns, "status": statuses})
                kind = one(spec.key, spec.key)
                stale: list[tuple[int, Any]] = []
                for r in conn.execute(
                        f"SELECT k.site_id, k.name, k.town_code, k.status, k.version, k.deadline,"
                        f" d.overview, d.detail, CASE WHEN d.params = ? THEN NULL ELSE k.geom END"
                        f" FROM {_q(spec.key)} k LEFT JOIN {DISPLAY_TABLE} d ON d.site_id = k.site_id"
                        f"{where} ORDER BY k.site_id", [displaygeom.PARAMS, *args]):
                    if r[8] is not None:
                        stale.append((len(out), r[8]))
                    out.append(make((kind, r[0], r[1], one(r[2], r[2]), one(r[3], r[3]), r[4], one(r[5], r[5]),
                                     _bytes(r[6]) or b"", _bytes(r[7]))))
                if stale:
                    blobs = displaygeom.display_blobs([self.geom_out(g) for _, g in stale])
                    for (i, _), (o, d) in zip(stale, blobs):
                        out[i] = out[i]._replace(overview=o, detail=d)
        return out

    def refresh_display(self, actor: Actor, *, all_sites: bool = False) -> int:
        """Compute the display geometry of every site lacking a current one (or of all); returns how many.

        Administrators and the system only; one transaction, one audit row.
        """
        with self._write() as conn:
            eff = self._allow(conn, actor, "set_meta")
            n = fill_display(conn, self.geom_out, list(REGISTRY), only_missing=not all_sites)
            self._audit(conn, eff, "display.refresh", details={"sites": n, "all": all_sites,
                                                               "params": displaygeom.PARAMS})
        return n


def _bytes(value):
    """A blob as ``bytes`` (a driver may give a ``memoryview``)."""
    return bytes(value) if isinstance(value, memoryview) else value


def _filters(filters) -> tuple[str, list]:
    """``WHERE`` on the kind table's alias ``k`` (None: no filter on that column; empty: nothing matches)."""
    clauses, args = [], []
    for col, values in filters.items():
        if values is None:
            continue
        values = list(values)
        clauses.append(f"k.{_q(col)} IN ({', '.join('?' * len(values))})" if values else "1 = 0")
        args += values
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args
