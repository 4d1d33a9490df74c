"""The export formats as data: key, labels, file suffix, media type.

One row per format; the writers live in their own modules
(:mod:`geo.export.xlsx`, :mod:`geo.export.csvfile` ...) and the dispatcher in
:mod:`geo.export.bundle` maps a key to its writer. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Mapping

from geo.errors import ValidationError


@dataclass(frozen=True)
class ExportFormat:
    """One export format.

    Attributes
    ----------
    key : str
        Stable ASCII key used by the CLI (``--format``) and the UI.
    zh, en : str
        Labels.
    suffix : str
        Suffix of the single file this format produces (Shapefile: ``.zip``).
    mime : str
        Media type for a download.
    audience_zh, audience_en : str
        Who opens it (shown in the UI as help).
    """

    key: str
    zh: str
    en: str
    suffix: str
    mime: str
    audience_zh: str
    audience_en: str

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


ZIP_MIME = "application/zip"

FORMATS: Mapping[str, ExportFormat] = MappingProxyType({
    f.key: f
    for f in (
        ExportFormat("xlsx", "Excel 表格 (.xlsx)", "Excel workbook (.xlsx)", ".xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "各镇街、科室", "towns and offices"),
        ExportFormat("csv", "CSV 表格 (.csv)", "CSV table (.csv)", ".csv", "text/csv",
                     "Excel、WPS及其他系统", "Excel, WPS and other systems"),
        ExportFormat("geojson", "GeoJSON (.geojson)", "GeoJSON (.geojson)", ".geojson", "application/geo+json",
                     "WebGIS、QGIS", "web maps, QGIS"),
        ExportFormat("gpkg", "GeoPackage (.gpkg，每类一个图层)", "GeoPackage (.gpkg, one layer per kind)", ".gpkg",
                     "application/geopackage+sqlite3", "QGIS、ArcGIS", "QGIS, ArcGIS"),
        ExportFormat("kml", "KML (.kml)", "KML (.kml)", ".kml", "application/vnd.google-earth.kml+xml",
                     "奥维地图、Google Earth", "Ovi maps, Google Earth"),
        ExportFormat("kmz", "KMZ (.kmz)", "KMZ (.kmz)", ".kmz", "application/vnd.google-earth.kmz",
                     "奥维地图、Google Earth", "Ovi maps, Google Earth"),
        ExportFormat("shp", "Shapefile (.zip，每类一个)", "Shapefile (.zip, one per kind)", ".zip", ZIP_MIME,
                     "ArcGIS、QGIS", "ArcGIS, QGIS"),
    )
})

FORMAT_KEYS: tuple[str, ...] = tuple(FORMATS)


def get_format(key: str) -> ExportFormat:
    """Return the format ``key``; raise ValidationError naming the valid keys.

    Parameters
    ----------
    key : str
        E.g. ``"xlsx"``; case and a leading dot are ignored (``".KMZ"``).
    """
    norm = str(key or "").strip().lower().lstrip(".")
    if norm in FORMATS:
        return FORMATS[norm]
    valid = ", ".join(FORMAT_KEYS)
    raise ValidationError(
        "export.bad_format",
        en=f"Unknown export format {key!r}; use one of: {valid}.",
        zh=f"未知的导出格式“{key}”；可用：{valid}。",
        value=key,
        allowed=valid,
    )


def check_formats(keys: Iterable[str]) -> tuple[str, ...]:
    """Normalise and de-duplicate format keys, keeping their order; at least one.

    Raises
    ------
    ValidationError
        ``export.bad_format`` for an unknown key, ``export.no_format`` for none.
    """
    out: list[str] = []
    for k in keys or ():
        f = get_format(k).key
        if f not in out:
            out.append(f)
    if not out:
        raise ValidationError(
            "export.no_format",
            en=f"Choose at least one export format: {', '.join(FORMAT_KEYS)}.",
            zh=f"请至少选择一种导出格式：{', '.join(FORMAT_KEYS)}。",
        )
    return tuple(out)
