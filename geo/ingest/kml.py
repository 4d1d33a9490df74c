"""KML and KMZ (pure).

Parsed with defusedxml, DTDs and entities refused in any encoding and
nesting bounded while parsing (:mod:`geo.ingest.xmlsafe`); every Placemark
with its ExtendedData (Data and SchemaData), else the attribute table in its
description; the enclosing Folder is the layer. The tree is walked without
recursion. Row = placemark number. A KMZ is a ZIP holding ``doc.kml`` or one
``.kml``, inspected first.
"""

from __future__ import annotations

import html as htmlmod
import re
from pathlib import PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element

import shapely
from shapely.geometry import LinearRing, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.ingest import safety
from geo.ingest.messages import ingest_error
from geo.ingest.table import RawRow, RawTable
from geo.ingest.xmlsafe import parse_xml

__all__ = ["read_kml", "read_kmz"]

_GEOMETRY_TAGS = ("Point", "LineString", "Polygon", "MultiGeometry", "LinearRing")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el: Element, name: str) -> Element | None:
    return next((c for c in el if _local(c.tag) == name), None)


def _children(el: Element, name: str) -> list[Element]:
    return [c for c in el if _local(c.tag) == name]


def _text(el: Element | None) -> str | None:
    return None if el is None else (el.text or "")


def _kml_coords(text: str | None) -> list[tuple[float, float]]:
    out = []
    for tok in (text or "").split():
        parts = tok.split(",")
        if len(parts) < 2:
            raise ValueError(f"bad coordinate {tok[:40]!r}")
        out.append((float(parts[0]), float(parts[1])))
    return out


def _kml_geometry(el: Element) -> BaseGeometry | None:
    """The geometry of a KML geometry element (MultiGeometry recursion is bounded by the parse depth limit)."""
    name = _local(el.tag)
    if name == "Point":
        pts = _kml_coords(_text(_child(el, "coordinates")))
        return Point(pts[0]) if pts else Point()
    if name == "LineString":
        return LineString(_kml_coords(_text(_child(el, "coordinates"))))
    if name == "LinearRing":
        return LinearRing(_kml_coords(_text(_child(el, "coordinates"))))
    if name == "Polygon":
        outer = _child(el, "outerBoundaryIs")
        ring = _child(outer, "LinearRing") if outer is not None else None
        shell = _kml_coords(_text(_child(ring, "coordinates"))) if ring is not None else []
        holes = []
        for inner in _children(el, "innerBoundaryIs"):
            r = _child(inner, "LinearRing")
            if r is not None:
                holes.append(_kml_coords(_text(_child(r, "coordinates"))))
        return Polygon(shell, holes)
    if name == "MultiGeometry":
        parts = [g for g in (_kml_geometry(c) for c in el) if g is not None]
        types = {p.geom_type for p in parts}
        if types == {"Point"}:
            return MultiPoint(parts)
        if types == {"LineString"}:
            return MultiLineString(parts)
        if types <= {"Polygon", "MultiPolygon"} and types:
            polys = [q for p in parts for q in (p.geoms if p.geom_type == "MultiPolygon" else [p])]
            return MultiPolygon(polys)
        return shapely.GeometryCollection(parts) if parts else None
    return None


_TABLE_ROW = re.compile(r"<tr[^>]*>\s*<t[hd][^>]*>(.*?)</t[hd]>\s*<td[^>]*>(.*?)</td>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")


def _description_table(html_text: str) -> dict[str, str]:
    """Header -> value pairs of an attribute table in a KML description (this app's and Ovi's style)."""
    out = {}
    for m in _TABLE_ROW.finditer(html_text or ""):
        key = htmlmod.unescape(_TAGS.sub("", m.group(1))).strip()
        val = htmlmod.unescape(_TAGS.sub("", m.group(2))).strip()
        if key:
            out[key] = val
    return out


def _headers_of(rows: list[dict]) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows:
        for k in r:
            seen.setdefault(k, None)
    return list(seen)


def _placemark(c: Element) -> tuple[dict[str, Any], BaseGeometry | None, str | None]:
    props: dict[str, Any] = {}
    nm = _child(c, "name")
    if nm is not None:
        props["name"] = (nm.text or "").strip()
    ext = _child(c, "ExtendedData")
    if ext is not None:
        for d in ext.iter():
            t = _local(d.tag)
            if t == "Data" and d.get("name"):
                props[d.get("name")] = _text(_child(d, "value"))
            elif t == "SimpleData" and d.get("name"):
                props[d.get("name")] = d.text
    else:
        for k, v in _description_table(_text(_child(c, "description")) or "").items():
            props.setdefault(k, v)
    geom, err = None, None
    for g in c:
        if _local(g.tag) in _GEOMETRY_TAGS:
            try:
                geom = _kml_geometry(g)
            except (ValueError, IndexError, TypeError, RecursionError, shapely.errors.GEOSException) as exc:
                err = f"{type(exc).__name__}: {str(exc)[:200]}"
            break
    return props, geom, err


def _parse_kml(data: bytes, name: str, sheet: str | None) -> RawTable:
    root = parse_xml(data, name)
    out: list[RawRow] = []
    props_list: list[dict] = []
    folders: list[str] = []
    # Depth-first in document order, without recursion: (element, its folder, is it a placemark).
    stack: list[tuple[Element, str, bool]] = [(root, "", False)]
    while stack:
        el, folder, is_placemark = stack.pop()
        if is_placemark:
            if sheet and folder != sheet:
                continue
            props, geom, err = _placemark(el)
            props_list.append(props)
            out.append(RawRow(row=len(out) + 1, values=props, geometry=geom, geometry_error=err, layer=folder))
            continue
        if _local(el.tag) == "Folder":
            fname = (_text(_child(el, "name")) or "").strip()
            if fname and fname not in folders:
                folders.append(fname)
            folder = fname or folder
        children: list[tuple[Element, str, bool]] = []
        for c in el:
            tag = _local(c.tag)
            if tag in ("Folder", "Document") or tag == "Placemark":
                children.append((c, folder, tag == "Placemark"))
        stack.extend(reversed(children))
    if sheet and sheet not in folders:
        raise ingest_error("kml.no_folder", name=name, value=sheet, folders_zh="、".join(folders),
                           folders_en=", ".join(folders))
    if len(folders) <= 1:
        for r in out:
            r.layer = ""
    headers = _headers_of(props_list)
    for r in out:
        for h in headers:
            r.values.setdefault(h, None)
    table = RawTable(format="kml", source_name=name, headers=headers, rows=out, has_geometry=True,
                     declared_crs="EPSG:4326")
    table.choices = folders
    table.chosen = [sheet] if sheet else folders
    return table


def read_kml(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read KML; see the module notes."""
    return _parse_kml(data, name, sheet)


def read_kmz(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read KMZ (a ZIP holding ``doc.kml`` or one ``.kml``), inspected first."""
    zf = safety.open_zip(data, name)
    members = safety.inspect_zip(zf, name)
    kmls = [m.name for m in members if m.name.lower().endswith(".kml")]
    if not kmls:
        raise ingest_error("kmz.no_kml", name=name)
    main = next((m for m in kmls if PurePosixPath(m).name.lower() == "doc.kml"), sorted(kmls, key=len)[0])
    table = _parse_kml(safety.read_member(zf, main, name), name, sheet)
    table.format = "kmz"
    return table
