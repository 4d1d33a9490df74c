"""The one place exports call GDAL (through pyogrio): a table of records to a vector layer.

GDAL reports a full disk or a refused write as its own exception type; they
are turned into :class:`OSError`, which the atomic writer reports as a
:class:`~geo.errors.StoreError` naming the target file.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.export.gisvalues import gis_value, rounded
from geo.export.records import Column

#: OGR geometry type per spec geometry (polygons are multi in the store).
OGR_TYPES = {"point": "Point", "line": "MultiLineString", "polygon": "MultiPolygon", "line_or_polygon": "Unknown"}

_DTYPES = {"int": "Int64", "float": "Float64", "coord": "float64", "bool": "boolean"}


def frame(columns: Sequence[Column], records: Sequence[Mapping[str, Any]], geometries: Sequence,
          *, names: Mapping[str, str] | None = None, bool_as_int: bool = False) -> gpd.GeoDataFrame:
    """A GeoDataFrame (EPSG:4326) with one typed column per :class:`Column`.

    Parameters
    ----------
    names : mapping, optional
        Column key -> field name to write (Shapefile short names).
    bool_as_int : bool
        Write booleans as 1/0 integers (Shapefile has no portable boolean).
    """
    data = {}
    for c in columns:
        values = [gis_value(r.get(c.key)) for r in records]
        dtype = _DTYPES.get(c.type, "object")
        if c.type == "bool" and bool_as_int:
            values = [None if v is None else int(bool(v)) for v in values]
            dtype = "Int64"
        data[(names or {}).get(c.key, c.key)] = pd.Series(values, dtype=dtype)
    geoms = gpd.GeoSeries([rounded(g) for g in geometries], crs="EPSG:4326")
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")


def _disk_nearly_full(path: Path, margin: int = 1 << 20) -> bool:
    try:
        st = os.statvfs(Path(path).parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < margin


def write_layer(gdf: gpd.GeoDataFrame, path: Path, *, driver: str, layer: str | None = None,
                geometry_type: str | None = None, **kwargs: Any) -> None:
    """Write one layer with pyogrio, translating GDAL's failures into :class:`OSError`.

    GDAL does not always say "no space left" when the disk fills (SQLite may
    report a missing table instead), so a failure with less than 1 MiB free
    counts as a full disk. The atomic writer turns the OSError into a
    :class:`~geo.errors.StoreError` naming the target file.

    Raises
    ------
    OSError
        ``ENOSPC`` for a full disk, ``EIO`` with GDAL's message otherwise.
    """
    try:
        pyogrio.write_dataframe(gdf, path, layer=layer, driver=driver, geometry_type=geometry_type, **kwargs)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyogrio raises its own error types
        text = str(exc)
        if "No space left" in text or "disk full" in text.lower() or _disk_nearly_full(path):
            raise OSError(errno.ENOSPC, "No space left on device", str(path)) from exc
        raise OSError(errno.EIO, f"GDAL could not write {driver} layer {layer or Path(path).stem!r}: {text}") from exc
