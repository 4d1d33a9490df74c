"""Build ledger files in memory for the import tests: CSV, xlsx, GeoJSON, KML/KMZ, Shapefile ZIP, GeoPackage."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Sequence

from shapely.geometry import Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from geo.store.base import Site

#: A valid outfall row (the headers a town's ledger typically has) and a point in 海口镇, inside the county.
OUTFALL_HEADERS = ["编号", "名称", "所属镇街", "状态", "所在海湾", "排污口类型", "经度", "纬度"]
OUTFALL_ROW = ["PWK-101", "福清湾测试排口", "海口镇", "已排查", "福清湾", "工业排污口", "119.45", "25.68"]
LON, LAT = 119.45, 25.68
#: A small valid park polygon in 江阴镇.
PARK_POLY = Polygon([(119.30, 25.48), (119.31, 25.48), (119.31, 25.49), (119.30, 25.49)])


def outfall_rows(*changes: dict[str, Any], n: int = 1) -> list[list[Any]]:
    """Header + rows: ``n`` copies of :data:`OUTFALL_ROW` (ids numbered), each updated with ``changes[i]``."""
    rows = [list(OUTFALL_HEADERS)]
    for i in range(max(n, len(changes))):
        row = list(OUTFALL_ROW)
        row[0] = f"PWK-{101 + i}"
        ch = changes[i] if i < len(changes) else {}
        for key, value in ch.items():
            if key not in OUTFALL_HEADERS:
                raise KeyError(key)
            row[OUTFALL_HEADERS.index(key)] = value
        rows.append(row)
    return rows


def csv_bytes(rows: Sequence[Sequence[Any]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    import csv

    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]], *, sheet: str = "台账", merges: Sequence[str] = (),
               extra_sheets: dict[str, Sequence[Sequence[Any]]] | None = None) -> bytes:
    """A workbook with ``rows`` on ``sheet`` (values as given: str, numbers, dates, '=formulas')."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(list(r))
    for rng in merges:
        ws.merge_cells(rng)
    for name, other in (extra_sheets or {}).items():
        w2 = wb.create_sheet(name)
        for r in other:
            w2.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def feature(geom: BaseGeometry | dict | None, **props) -> dict:
    g = geom if (geom is None or isinstance(geom, dict)) else mapping(geom)
    return {"type": "Feature", "properties": props, "geometry": g}


def geojson_bytes(features: Sequence[dict], **extra) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **extra}, ensure_ascii=False).encode()


def outfall_props(**over) -> dict:
    props = {"编号": "PWK-101", "名称": "福清湾测试排口", "所属镇街": "海口镇", "状态": "已排查", "所在海湾": "福清湾",
             "排污口类型": "工业排污口"}
    props.update(over)
    return props


def park_props(**over) -> dict:
    props = {"编号": "YQ-101", "名称": "测试园区", "所属镇街": "江阴镇", "状态": "建设中", "园区级别": "省级"}
    props.update(over)
    return props


def kml_bytes(placemarks: Sequence[tuple[str, dict, str]], *, doctype: str = "") -> bytes:
    """KML with placemarks (name, ExtendedData, geometry KML snippet)."""
    from xml.sax.saxutils import escape

    pms = []
    for name, data, geom in placemarks:
        ext = "".join(f'<Data name="{escape(k)}"><value>{escape(str(v))}</value></Data>' for k, v in data.items())
        pms.append(f"<Placemark><name>{escape(name)}</name><ExtendedData>{ext}</ExtendedData>{geom}</Placemark>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            + "".join(pms) + "</Document></kml>").encode("utf-8")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def shapefile_members(records: Sequence[dict], geoms: Sequence[BaseGeometry], *, encoding: str = "CP936",
                      cpg: str | None = None, crs: str | None = "EPSG:4326", layer: str = "outfalls",
                      clear_ldid: bool = True) -> dict[str, bytes]:
    """The files of one Shapefile written by GDAL (``cpg=None``: no .cpg; ``crs=None``: no .prj)."""
    import geopandas as gpd
    import pyogrio

    import warnings

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{layer}.shp"
        gdf = gpd.GeoDataFrame(list(records), geometry=list(geoms), crs=crs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL reports the field names it cuts at 10 bytes
            pyogrio.write_dataframe(gdf, path, encoding=encoding)
        out = {}
        for ext in (".shp", ".shx", ".dbf", ".prj"):
            p = path.with_suffix(ext)
            if p.exists() and not (ext == ".prj" and crs is None):
                out[f"{layer}{ext}"] = p.read_bytes()
        if clear_ldid:
            dbf = bytearray(out[f"{layer}.dbf"])
            dbf[29] = 0
            out[f"{layer}.dbf"] = bytes(dbf)
        if cpg is not None:
            out[f"{layer}.cpg"] = cpg.encode("ascii")
        return out


def gpkg_bytes(records: Sequence[dict], geoms: Sequence[BaseGeometry], *, layer: str = "outfalls",
               crs: str = "EPSG:4326") -> bytes:
    import geopandas as gpd
    import pyogrio

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.gpkg"
        pyogrio.write_dataframe(gpd.GeoDataFrame(list(records), geometry=list(geoms), crs=crs), path, layer=layer,
                                driver="GPKG")
        return path.read_bytes()


def stored_outfall(site_id: str = "PWK-T01", status: str = "traced", version: int = 3) -> Site:
    """A site as the store would return it (for ``existing`` in pure tests)."""
    return Site(kind="outfalls", site_id=site_id, name="测试排口", town_code="350181103", status=status,
                version=version, geometry=Point(LON, LAT), deadline="2025-12-31",
                attrs={"discharge_into": "sea", "receiving_water": "fuqing_bay", "outfall_type": "industrial", "remediation_method": None,
                       "black_odour_seen": None})
