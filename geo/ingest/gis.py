"""GIS files: GeoJSON, Shapefile (ZIP) and GeoPackage (pure).

=========  =====================================================================================
GeoJSON    ``json`` after a depth check; FeatureCollection, Feature, a list of features or a
           bare geometry. Row = feature number.
Shapefile  a ZIP, inspected first; the ``.dbf`` encoding is decided from ``.cpg``, the language
           driver byte or the bytes themselves (GBK without ``.cpg`` is not read as Latin-1);
           read with pyogrio. Row = feature number.
GPKG       pyogrio from a private temporary copy; the layer named after the kind, else the only
           one. Row = feature number.
=========  =====================================================================================

A single bad geometry is kept on its row (``geometry_error``) so the other
rows can still be checked.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.ingest import encoding as enc
from geo.ingest import safety
from geo.ingest.collect import note
from geo.ingest.columns import header_key
from geo.ingest.messages import ingest_error
from geo.ingest.problems import Problem
from geo.ingest.table import RawRow, RawTable

__all__ = ["read_geojson", "read_gpkg", "read_shapefile_zip"]


def _headers_of(rows: list[dict]) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows:
        for k in r:
            seen.setdefault(k, None)
    return list(seen)


def _plain(v: Any) -> Any:
    """A value from JSON/OGR as a plain Python value (nested values as JSON text)."""
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    if type(v).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "to_pydatetime"):
        try:
            return v.to_pydatetime()
        except (ValueError, TypeError):
            return None
    return v


def read_geojson(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read GeoJSON; see the module table."""
    text, _ = enc.decode_text(data, name)
    safety.check_json_depth(text, name)
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ingest_error("json.invalid", name=name, detail=str(exc)[:200]) from exc
    declared = None
    if isinstance(obj, dict) and obj.get("type") == "FeatureCollection":
        features = obj.get("features")
        crs = obj.get("crs")
        if isinstance(crs, dict):
            declared = _geojson_crs(crs)
    elif isinstance(obj, dict) and obj.get("type") == "Feature":
        features = [obj]
    elif isinstance(obj, list):
        features = obj
    elif isinstance(obj, dict) and "coordinates" in obj or (isinstance(obj, dict) and obj.get("type") == "GeometryCollection"):
        features = [{"type": "Feature", "properties": {}, "geometry": obj}]
    else:
        features = None
    if not isinstance(features, list):
        raise ingest_error("geojson.no_features", name=name)
    safety.check_rows(len(features), name)
    props_list: list[dict] = []
    out: list[RawRow] = []
    for i, feat in enumerate(features, start=1):
        if not isinstance(feat, dict):
            feat = {}
        if feat.get("type") != "Feature" and "properties" not in feat and "geometry" not in feat:
            feat = {"type": "Feature", "properties": feat, "geometry": None}  # a plain JSON list of records
        props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
        props = {str(k): _plain(v) for k, v in props.items()}
        if feat.get("id") is not None and "id" not in props and not any(header_key(k) == "site_id" for k in props):
            props = {"id": _plain(feat.get("id")), **props}
        geom, err = None, None
        g = feat.get("geometry")
        if g is not None:
            try:
                geom = shape(g)
            except Exception as exc:  # noqa: BLE001 - shapely raises several types for bad coordinates
                err = f"{type(exc).__name__}: {exc}"
        props_list.append(props)
        out.append(RawRow(row=i, values=props, geometry=geom, geometry_error=err))
    headers = _headers_of(props_list)
    for r in out:
        for h in headers:
            r.values.setdefault(h, None)
    return RawTable(format="geojson", source_name=name, headers=headers, rows=out, has_geometry=True,
                    declared_crs=declared)


def _geojson_crs(crs: dict) -> str | None:
    props = crs.get("properties") if isinstance(crs.get("properties"), dict) else {}
    text = str(props.get("name", ""))
    m = re.search(r"EPSG:+(\d+)", text, re.I)
    if m:
        return f"EPSG:{m.group(1)}"
    if "CRS84" in text.upper():
        return "EPSG:4326"
    return None


# -- OGR (Shapefile, GeoPackage) ---------------------------------------------
def _frame_rows(gdf, layer: str) -> tuple[list[str], list[RawRow]]:
    cols = [c for c in gdf.columns if c != gdf.geometry.name] if hasattr(gdf, "geometry") else list(gdf.columns)
    rows: list[RawRow] = []
    geoms = list(gdf.geometry) if hasattr(gdf, "geometry") else [None] * len(gdf)
    records = gdf[cols].to_dict("records") if cols else [{} for _ in range(len(gdf))]
    for i, (rec, geom) in enumerate(zip(records, geoms), start=1):
        values = {str(k): _plain(v) for k, v in rec.items()}
        if geom is not None and not isinstance(geom, BaseGeometry):
            geom = None
        rows.append(RawRow(row=i, values=values, geometry=geom, layer=layer))
    return [str(c) for c in cols], rows


def _crs_text(crs: Any) -> str | None:
    if crs is None:
        return None
    try:
        from pyproj import CRS

        c = CRS.from_user_input(crs)
        epsg = c.to_epsg(min_confidence=70)
        return f"EPSG:{epsg}" if epsg else c.to_wkt()
    except Exception:  # noqa: BLE001 - an unreadable .prj is reported as "no declared CRS"
        return None


def _ogr_read(path: str, name: str, **kwargs):
    import pyogrio

    try:
        return pyogrio.read_dataframe(path, **kwargs)
    except Exception as exc:  # noqa: BLE001 - pyogrio raises its own error types
        raise ingest_error("gis.unreadable", name=name, detail=str(exc)[:200]) from exc


def _pick_layers(names: list[str], kind: str, wanted: str | None, name: str) -> list[str]:
    if wanted:
        if wanted in names:
            return [wanted]
        raise ingest_error("gis.no_layer", name=name, value=wanted, layers_zh="、".join(names),
                           layers_en=", ".join(names))
    from layers import REGISTRY

    spec = REGISTRY.get(kind)
    keys = {header_key(kind)} | ({header_key(x) for x in spec.names()} if spec else set())
    exact = [n for n in names if header_key(n) in keys]
    if exact:
        return exact
    prefixed = [n for n in names if header_key(n).startswith(header_key(kind) + "_")]
    if prefixed:
        return prefixed
    if len(names) == 1:
        return names
    raise ingest_error("gis.ambiguous_layer", name=name, n=len(names), layers_zh="、".join(names),
                       layers_en=", ".join(names), kind=kind, choices=names)


def read_shapefile_zip(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read the Shapefile(s) of a ZIP for ``kind``; see the module table."""
    zf = safety.open_zip(data, name)
    members = safety.inspect_zip(zf, name)
    by_stem: dict[str, dict[str, str]] = {}
    for m in members:
        p = PurePosixPath(m.name.replace("\\", "/"))
        if p.name.startswith(("._", ".")) or "__MACOSX" in p.parts:
            continue
        suffix = p.suffix.lower()
        if suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            by_stem.setdefault(str(p.with_suffix("")), {})[suffix] = m.name
    stems = {s: parts for s, parts in by_stem.items() if ".shp" in parts}
    if not stems:
        raise ingest_error("shp.none", name=name)
    labels = {s: PurePosixPath(s).name for s in stems}
    chosen_labels = _pick_layers(sorted(labels.values()), kind, sheet, name)
    chosen = [s for s in stems if labels[s] in chosen_labels]
    headers: list[str] = []
    rows: list[RawRow] = []
    notes: list[Problem] = []
    declared = None
    encodings = []
    with tempfile.TemporaryDirectory(prefix="onemap-import-") as tmp:
        for n, stem in enumerate(chosen):
            parts = stems[stem]
            missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
            if missing:
                raise ingest_error("shp.incomplete", name=name, layer=labels[stem], value=labels[stem],
                                   missing_zh="、".join(missing), missing_en=", ".join(missing))
            dbf = safety.read_member(zf, parts[".dbf"], name)
            cpg = safety.read_member(zf, parts[".cpg"], name).decode("ascii", "replace") if ".cpg" in parts else None
            codec, how = enc.dbf_encoding(dbf, cpg)
            if codec is None:
                raise ingest_error("encoding.unknown|dbf", name=name, layer=labels[stem], value=labels[stem])
            encodings.append(codec)
            base = Path(tmp) / f"layer{n}"
            for ext in (".shp", ".shx", ".prj"):
                if ext in parts:
                    (base.with_suffix(ext)).write_bytes(safety.read_member(zf, parts[ext], name))
            dbf, cut_names = enc.repair_dbf_names(dbf, codec)
            base.with_suffix(".dbf").write_bytes(dbf)
            if cut_names:
                notes.append(note("shp.field_names_cut", layer=labels[stem], names_zh="、".join(cut_names),
                                  names_en=", ".join(cut_names)))
            gdal_codec = {"gb18030": "GB18030", "utf-8": "UTF-8", "cp1252": "CP1252", "latin-1": "ISO-8859-1"}[codec]
            gdf = _ogr_read(str(base.with_suffix(".shp")), name, encoding=gdal_codec)
            if declared is None:
                declared = _crs_text(gdf.crs)
            layer_label = labels[stem] if len(chosen) > 1 else ""
            hs, rs = _frame_rows(gdf, layer_label)
            for h in hs:
                if h not in headers:
                    headers.append(h)
            rows += rs
            if how == "detected" and codec == "gb18030":
                notes.append(note("shp.gbk_detected", layer=labels[stem]))
            elif how == "cpg_wrong":
                notes.append(note("shp.cpg_wrong", layer=labels[stem], declared=(cpg or "").strip()[:40],
                                  found=enc.LABELS.get(codec, codec)))
            if ".prj" not in parts:
                notes.append(note("shp.no_prj", layer=labels[stem]))
    for r in rows:
        for h in headers:
            r.values.setdefault(h, None)
    table = RawTable(format="shp", source_name=name, headers=headers, rows=rows, has_geometry=True,
                     declared_crs=declared, notes=notes)
    table.choices = sorted(labels.values())
    table.chosen = [labels[s] for s in chosen]
    table.encoding = encodings[0] if encodings else None
    return table


def read_gpkg(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read a GeoPackage layer with pyogrio from a private temporary copy."""
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="onemap-import-") as tmp:
        path = Path(tmp) / "upload.gpkg"
        path.write_bytes(data)
        try:
            layers = [str(r[0]) for r in pyogrio.list_layers(str(path))]
        except Exception as exc:  # noqa: BLE001
            raise ingest_error("gis.unreadable|gpkg", name=name, detail=str(exc)[:200]) from exc
        chosen = _pick_layers(layers, kind, sheet, name)
        headers: list[str] = []
        rows: list[RawRow] = []
        declared = None
        for layer in chosen:
            gdf = _ogr_read(str(path), name, layer=layer)
            if declared is None and getattr(gdf, "crs", None) is not None:
                declared = _crs_text(gdf.crs)
            hs, rs = _frame_rows(gdf, layer if len(chosen) > 1 else "")
            for h in hs:
                if h not in headers:
                    headers.append(h)
            rows += rs
    for r in rows:
        for h in headers:
            r.values.setdefault(h, None)
    table = RawTable(format="gpkg", source_name=name, headers=headers, rows=rows, has_geometry=True,
                     declared_crs=declared)
    table.choices, table.chosen = layers, chosen
    return table

