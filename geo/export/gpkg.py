"""GeoPackage: one layer per kind, written with pyogrio (GDAL).

Layer names are the kind keys (``parks``, ``outfalls`` ...) with the Chinese
kind name as the layer identifier and the filter and 示例数据 notice in its
description. Fields use the ASCII column keys; the last change is ISO 8601
text with its +08:00 offset, as in the other GIS formats (a GeoPackage
DATETIME must be UTC, which would show times 8 hours off to the users).
Only kinds with sites get a layer.
"""

from __future__ import annotations

from pathlib import Path

from geo.export.gdal import OGR_TYPES, frame, write_layer
from geo.export.selection import Selection
from layers import get_spec


def write_gpkg(sel: Selection, path: Path, **_) -> None:
    """Write ``sel`` as a GeoPackage with one layer per kind that has sites."""
    wrote = False
    for kind in sel.kinds:
        sites = sel.sites_of(kind)
        if not sites:
            continue
        spec = get_spec(kind)
        cols = [c for c in sel.columns(kind) if c.gis]
        recs = sel.records(kind)
        gdf = frame(cols, recs, [s.geometry for s in sites])
        description = f"{spec.zh}（{len(sites)}）。{sel.filter_text('zh')}。导出于 {sel.generated_at:%Y-%m-%d %H:%M}（北京时间）。"
        if sel.is_sample:
            description = sel.notice("zh") + " " + description
        write_layer(gdf, path, driver="GPKG", layer=kind, geometry_type=OGR_TYPES[spec.geometry],
                    promote_to_multi=spec.geometry == "polygon",
                    layer_options={"IDENTIFIER": f"{spec.zh} {spec.en}", "DESCRIPTION": description})
        wrote = True
    if not wrote:  # callers refuse empty exports; keep the contract explicit anyway
        raise ValueError("write_gpkg needs at least one site")
