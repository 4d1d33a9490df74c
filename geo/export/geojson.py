"""GeoJSON (RFC 7946): one FeatureCollection, WGS84 lon/lat, UTF-8.

Properties use the ASCII column keys (``site_id``, ``status``,
``status_zh`` ...). The collection carries ``name`` and a ``metadata``
foreign member (export time, filter, 示例数据 notice); with sample data every
feature also has ``sample: 1`` and ``data_note: "示例数据"``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely

from geo.export.gisvalues import gis_value, rounded
from geo.export.selection import Selection


def feature_collection(sel: Selection, title: str = "") -> dict[str, Any]:
    """The GeoJSON object for ``sel`` (a dict ready for :func:`json.dump`)."""
    features = []
    for kind in sel.kinds:
        sites = sel.sites_of(kind)
        if not sites:
            continue
        cols = [c for c in sel.columns(kind) if c.gis]
        recs = sel.records(kind)
        for site, rec in zip(sites, recs):
            features.append({
                "type": "Feature",
                "id": site.site_id,
                "geometry": json.loads(shapely.to_geojson(rounded(site.geometry))),
                "properties": {c.key: gis_value(rec[c.key]) for c in cols},
            })
    meta = {
        "title": title or "福清生态环境一张图 点位清单",
        "generated_at": sel.generated_at.isoformat(timespec="seconds"),
        "filter": sel.filter_text("zh"),
        "filter_en": sel.filter_text("en"),
        "crs": "WGS84 (EPSG:4326), lon/lat",
        "sample": sel.is_sample,
    }
    if sel.is_sample:
        meta["notice"] = sel.notice("zh")
        meta["notice_en"] = sel.notice("en")
    return {"type": "FeatureCollection", "name": meta["title"], "metadata": meta, "features": features}


def write_geojson(sel: Selection, path: Path, *, file_name: str | None = None) -> None:
    """Write ``sel`` as a GeoJSON file (UTF-8, Chinese unescaped)."""
    title = Path(file_name or path).stem
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(feature_collection(sel, title), fh, ensure_ascii=False, separators=(",", ":"))
