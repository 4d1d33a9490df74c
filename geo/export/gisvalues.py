"""Record values as GIS attribute values (shared by GeoJSON, GeoPackage, Shapefile, KML data).

Field names are the ASCII column keys; dates become ISO text
(``2025-12-31``), the last change ISO 8601 with its +08:00 offset, booleans
stay booleans (Shapefile: 1/0). Geometry coordinates are rounded to 7
decimals (about 1 cm), far below the 1e-6° the round trip promises.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import shapely

GEOM_DECIMALS = 7


def gis_value(value: Any) -> Any:
    """A record value as a JSON/OGR-friendly value."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def rounded(geom):
    """``geom`` with coordinates rounded to :data:`GEOM_DECIMALS` decimals."""
    return shapely.transform(geom, lambda xy: np.round(xy, GEOM_DECIMALS))
