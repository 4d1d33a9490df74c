"""GeoPackage geometry blobs (OGC 12-128r18 §2.1.3) and the SQL functions GDAL's triggers call.

A GeoPackage written by GDAL carries R-tree triggers that call ``ST_IsEmpty``,
``ST_MinX`` ... Python's ``sqlite3`` does not have them, so every connection
the store opens registers them (:func:`register_functions`); otherwise an
INSERT or even an attribute-only UPDATE fails with "no such function".
"""

from __future__ import annotations

import sqlite3
import struct

import shapely
from shapely.geometry.base import BaseGeometry

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_MAGIC = b"GP"


def encode(geom: BaseGeometry, srs_id: int = 4326) -> bytes:
    """Encode a shapely geometry as a little-endian GeoPackage blob.

    Points carry no envelope (as GDAL writes them); other types carry the XY
    envelope. An empty geometry sets the empty flag.
    """
    empty = geom.is_empty
    if empty or geom.geom_type == "Point":
        env_type, envelope = 0, b""
    else:
        minx, miny, maxx, maxy = geom.bounds
        env_type, envelope = 1, struct.pack("<4d", minx, maxx, miny, maxy)
    flags = 0x01 | (env_type << 1) | (0x10 if empty else 0)
    header = _MAGIC + bytes([0, flags]) + struct.pack("<i", srs_id)
    return header + envelope + shapely.to_wkb(geom, byte_order=1, output_dimension=2, flavor="iso")


def _split(blob: bytes) -> tuple[int, int, bytes, bytes]:
    """Return (flags, srs_id, envelope bytes, wkb bytes); raise ValueError on a bad header."""
    if blob is None or len(blob) < 8 or blob[:2] != _MAGIC:
        raise ValueError("not a GeoPackage geometry blob")
    flags = blob[3]
    env_type = (flags >> 1) & 0x07
    if env_type not in _ENVELOPE_BYTES:
        raise ValueError(f"bad envelope type {env_type}")
    endian = "<" if flags & 0x01 else ">"
    (srs_id,) = struct.unpack(endian + "i", blob[4:8])
    n = _ENVELOPE_BYTES[env_type]
    return flags, srs_id, blob[8 : 8 + n], blob[8 + n :]


def decode(blob: bytes) -> BaseGeometry:
    """Decode a GeoPackage geometry blob into a shapely geometry."""
    _flags, _srs, _env, wkb = _split(blob)
    return shapely.from_wkb(wkb)


def srs_id_of(blob: bytes) -> int:
    """The SRS id stored in the blob header."""
    return _split(blob)[1]


# -- SQL functions for GDAL-written triggers -------------------------------


def _envelope(blob: bytes) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) from the header, or computed from the WKB."""
    try:
        flags, _srs, env, wkb = _split(blob)
    except ValueError:
        return None
    if flags & 0x10:
        return None
    if len(env) >= 32:
        endian = "<" if flags & 0x01 else ">"
        return struct.unpack(endian + "4d", env[:32])
    geom = shapely.from_wkb(wkb)
    if geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return minx, maxx, miny, maxy


def _is_empty(blob):
    if blob is None:
        return None
    try:
        flags, _srs, _env, wkb = _split(blob)
    except ValueError:
        return None
    if flags & 0x10:
        return 1
    return int(shapely.from_wkb(wkb).is_empty)


def _env_part(index: int):
    def fn(blob):
        env = _envelope(blob) if blob is not None else None
        return None if env is None else env[index]

    return fn


def _geometry_type(blob):
    if blob is None:
        return None
    try:
        return decode(blob).geom_type.upper()
    except Exception:  # noqa: BLE001 - SQL functions must not raise
        return None


def _srid(blob):
    if blob is None:
        return None
    try:
        return srs_id_of(blob)
    except ValueError:
        return None


def _is_assignable(expected, actual):
    if expected is None or actual is None:
        return 0
    expected, actual = expected.upper(), actual.upper()
    if expected in ("GEOMETRY", actual):
        return 1
    return int(expected.startswith("MULTI") and expected[5:] == actual)


def register_functions(conn: sqlite3.Connection) -> None:
    """Register the ``ST_*``/``GPKG_*`` functions GDAL's GeoPackage triggers use."""
    conn.create_function("ST_IsEmpty", 1, _is_empty, deterministic=True)
    conn.create_function("ST_MinX", 1, _env_part(0), deterministic=True)
    conn.create_function("ST_MaxX", 1, _env_part(1), deterministic=True)
    conn.create_function("ST_MinY", 1, _env_part(2), deterministic=True)
    conn.create_function("ST_MaxY", 1, _env_part(3), deterministic=True)
    conn.create_function("ST_GeometryType", 1, _geometry_type, deterministic=True)
    conn.create_function("ST_SRID", 1, _srid, deterministic=True)
    conn.create_function("GPKG_IsAssignable", 2, _is_assignable, deterministic=True)
