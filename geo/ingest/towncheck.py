"""Each site's recorded town against the official town boundary it falls in (pure).

Once an administrator has imported the official town boundaries, every site's
representative point (the point itself; on the line; inside the polygon) is
located in them and compared with the town the site records. The list is
shown on the import page; nothing is changed automatically — a ledger may
assign a site on a border to the town responsible for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import shapely
from shapely.geometry.base import BaseGeometry

from geo import towns as town_list
from geo.errors import NotFoundError

__all__ = ["TownMismatch", "town_mismatches"]


@dataclass(frozen=True)
class TownMismatch:
    """A site whose recorded town differs from the boundary its point lies in.

    ``found`` is None when the point lies in no loaded boundary.
    """

    site_id: str
    kind: str
    name: str
    recorded: str
    found: str | None
    lon: float
    lat: float

    def label(self, code: str | None) -> str:
        if code is None:
            return "（不在任何镇街边界内）"
        try:
            return town_list.town_by_code(code).name_zh
        except NotFoundError:
            return code


def town_mismatches(sites: Iterable, boundaries: Mapping[str, BaseGeometry]) -> list[TownMismatch]:
    """Sites whose recorded town is not the boundary their representative point lies in.

    Parameters
    ----------
    sites : iterable of Site
    boundaries : mapping of town code to WGS84 geometry
        Official boundaries; when empty, nothing can be checked and the list is empty.

    Returns
    -------
    list of TownMismatch
        In the order of ``sites``.
    """
    if not boundaries:
        return []
    codes = list(boundaries)
    geoms = [boundaries[c] for c in codes]
    tree = shapely.STRtree(geoms)
    out: list[TownMismatch] = []
    for s in sites:
        p = s.geometry if s.geometry.geom_type == "Point" else s.geometry.representative_point()
        hits = [codes[i] for i in tree.query(p, predicate="intersects")]
        if s.town_code in hits:
            continue
        out.append(TownMismatch(s.site_id, s.kind, s.name, s.town_code, hits[0] if hits else None, p.x, p.y))
    return out
