"""Exports of site lists per town: xlsx, CSV, GeoJSON, GeoPackage, KML/KMZ, Shapefile.

Pure code (no Streamlit, no database): sites come in through the store
boundary (``store.list_sites``), files go out through an atomic writer.

Typical use::

    from geo.export import ExportOptions, export_to_path
    opts = ExportOptions(formats=("xlsx",), towns=("海口镇",))
    export_to_path(store, actor, opts, "海口镇.xlsx")

Modules, one job each: :mod:`~geo.export.formats` (the formats as data),
:mod:`~geo.export.options` (the request, name resolution),
:mod:`~geo.export.selection` (the sites read once), :mod:`~geo.export.records`
(columns and values), :mod:`~geo.export.summary` (counts, target progress),
:mod:`~geo.export.safe` (formula injection, XML), :mod:`~geo.export.atomic`,
one writer per format, and :mod:`~geo.export.bundle` (files, ZIPs, progress).
"""

from geo.export.bundle import (
    ExportResult,
    base_name,
    default_file_name,
    export_to_bytes,
    export_to_path,
    output_suffix,
    write_selection,
)
from geo.export.formats import FORMAT_KEYS, FORMATS, ExportFormat, get_format
from geo.export.options import CSV_ENCODINGS, SHP_ENCODINGS, ExportOptions, resolve_kinds, resolve_statuses, resolve_towns
from geo.export.selection import Selection, load_selection, record_export, select

__all__ = [
    "CSV_ENCODINGS", "SHP_ENCODINGS", "FORMAT_KEYS", "FORMATS", "ExportFormat", "ExportOptions", "ExportResult",
    "Selection", "base_name", "default_file_name", "export_to_bytes", "export_to_path", "get_format",
    "load_selection", "output_suffix", "record_export", "resolve_kinds", "resolve_statuses", "resolve_towns", "select",
    "write_selection",
]
