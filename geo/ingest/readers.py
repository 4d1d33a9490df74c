"""Readers, one per format, each giving the same :class:`RawTable` (pure: no database, no Streamlit).

=========  =====================================================================================
format     module
=========  =====================================================================================
xlsx       :mod:`geo.ingest.xlsx` — checked from its own XML, then streamed (read-only) by openpyxl
CSV        :mod:`geo.ingest.csvfile` — strict decoding, line length bounded, delimiter sniffed
KML/KMZ    :mod:`geo.ingest.kml` — defusedxml, DTDs forbidden in any encoding, nesting bounded
GeoJSON,   :mod:`geo.ingest.gis` — JSON depth checked first; Shapefile ZIP inspected first, the
SHP, GPKG  ``.dbf`` encoding decided; GeoPackage from a private temporary copy
=========  =====================================================================================

Every upload goes through :func:`read_upload`: size first, then the format
(from the name, checked against the first bytes), then the reader, then the
row, column and header limits. Anything that makes the whole file unreadable
raises :class:`~geo.ingest.problems.IngestError`; a single bad geometry is
kept on its row (``geometry_error``) so the other rows can still be checked.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from geo.ingest import safety
from geo.ingest.csvfile import read_csv
from geo.ingest.gis import read_geojson, read_gpkg, read_shapefile_zip
from geo.ingest.kml import read_kml, read_kmz
from geo.ingest.messages import ingest_error
from geo.ingest.problems import IngestError
from geo.ingest.table import FORMATS, TABLE_FORMATS, RawRow, RawTable
from geo.ingest.xlsx import read_xlsx

__all__ = ["RawRow", "RawTable", "FORMATS", "TABLE_FORMATS", "detect_format", "read_upload"]

_READERS = {"xlsx": read_xlsx, "csv": read_csv, "geojson": read_geojson, "kml": read_kml, "kmz": read_kmz,
            "shp": read_shapefile_zip, "gpkg": read_gpkg}


def detect_format(name: str, data: bytes) -> str:
    """The format of an upload from its name, checked against its first bytes.

    Raises
    ------
    IngestError
        ``format.unsupported`` (with the accepted formats) or ``format.mismatch``
        when the content is not what the name says.
    """
    suffix = PurePosixPath(name.lower()).suffix
    by_suffix = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".txt": "csv", ".tsv": "csv",
                 ".geojson": "geojson", ".json": "geojson", ".kml": "kml", ".kmz": "kmz", ".zip": "shp",
                 ".gpkg": "gpkg"}
    fmt = by_suffix.get(suffix)
    if fmt is None:
        variant = ("format.unsupported|xls" if suffix in (".xls", ".et", ".wps") else
                   "format.unsupported|shp_part" if suffix in (".shp", ".dbf", ".shx") else "format.unsupported")
        raise ingest_error(variant, name=name, suffix=suffix or "(none)")
    zipped = data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06"
    expected_zip = fmt in ("xlsx", "kmz", "shp")
    if fmt == "gpkg" and not data.startswith(b"SQLite format 3\x00"):
        raise _mismatch(name, "GeoPackage")
    if expected_zip and not zipped:
        raise _mismatch(name, FORMATS[fmt][1])
    if fmt in ("csv", "geojson", "kml") and (zipped or data.startswith(b"SQLite format 3")):
        raise _mismatch(name, FORMATS[fmt][1])
    return fmt


def _mismatch(name: str, what: str) -> IngestError:
    return ingest_error("format.mismatch", name=name, what=what)


def read_upload(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read an upload of any supported format into a :class:`RawTable`.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        Its name (the suffix decides the format, checked against the content).
    kind : str
        The kind being imported: picks the sheet or layer named after it and
        helps find the header row.
    sheet : str, optional
        The sheet (xlsx) or layer (Shapefile ZIP, GeoPackage, KML folder) to read.

    Raises
    ------
    IngestError
        When the file as a whole cannot be read.
    """
    safety.check_size(data, name)
    fmt = detect_format(name, data)
    table = _READERS[fmt](data, name, kind=kind, sheet=sheet)
    safety.check_rows(len(table.rows), name)
    safety.check_columns(len(table.headers), name)
    for h in table.headers:
        safety.check_header(h, name)
    return table
