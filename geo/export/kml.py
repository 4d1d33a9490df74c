"""KML and KMZ for Ovi (奥维), Google Earth and other field apps.

One ``Folder`` per kind, one ``Placemark`` per site with a shared style per
(kind, status) coloured like the map, a description table (HTML, every value
escaped with :func:`html.escape`) and ``ExtendedData`` with the ASCII keys so
GIS tools read the attributes back. The document description says 示例数据
when the data is sample. Written with :mod:`xml.etree.ElementTree`, which
escapes XML; KMZ is the same ``doc.kml`` zipped with a small round icon that
the style colour tints.
"""

from __future__ import annotations

import io
import html
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from shapely.geometry.base import BaseGeometry

from geo.export.gisvalues import GEOM_DECIMALS, gis_value
from geo.export.records import Column, text_of
from geo.export.safe import xml_text
from geo.export.selection import Selection
from layers import get_spec

KML_NS = "http://www.opengis.net/kml/2.2"
ICON_NAME = "files/dot.png"


def kml_color(hex_rgb: str, alpha: int = 255) -> str:
    """``#rrggbb`` -> KML ``aabbggrr``."""
    h = hex_rgb.lstrip("#")
    return f"{alpha:02x}{h[4:6]}{h[2:4]}{h[0:2]}".lower()


def _sub(parent: ET.Element, tag: str, text: Any = None, **attrs) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = xml_text(str(text))
    return el


def _coords(seq) -> str:
    return " ".join(f"{x:.{GEOM_DECIMALS}f},{y:.{GEOM_DECIMALS}f}" for x, y, *_ in seq)


def _geometry(parent: ET.Element, geom: BaseGeometry) -> None:
    gt = geom.geom_type
    if gt == "Point":
        _sub(_sub(parent, "Point"), "coordinates", _coords(geom.coords))
    elif gt == "LineString":
        ls = _sub(parent, "LineString")
        _sub(ls, "tessellate", 1)
        _sub(ls, "coordinates", _coords(geom.coords))
    elif gt == "Polygon":
        pg = _sub(parent, "Polygon")
        _sub(pg, "tessellate", 1)
        _sub(_sub(_sub(pg, "outerBoundaryIs"), "LinearRing"), "coordinates", _coords(geom.exterior.coords))
        for ring in geom.interiors:
            _sub(_sub(_sub(pg, "innerBoundaryIs"), "LinearRing"), "coordinates", _coords(ring.coords))
    elif gt.startswith("Multi") or gt == "GeometryCollection":
        mg = _sub(parent, "MultiGeometry")
        for part in geom.geoms:
            _geometry(mg, part)
    else:  # pragma: no cover - the specs allow nothing else
        raise ValueError(f"cannot write {gt} to KML")


def description_html(cols: list[Column], rec: dict[str, Any]) -> str:
    """The site's attribute table as HTML; every header and value escaped."""
    rows = "".join(
        f"<tr><th align='left'>{html.escape(c.zh)}</th><td>{html.escape(text_of(c, rec.get(c.key)))}</td></tr>"
        for c in cols if rec.get(c.key) is not None
    )
    return f"<table border='1' cellpadding='2' cellspacing='0'>{rows}</table>"


def _styles(doc: ET.Element, sel: Selection, icon: str | None) -> None:
    for kind in sel.kinds:
        spec = get_spec(kind)
        for st in spec.statuses:
            style = _sub(doc, "Style", id=f"{kind}-{st.code}")
            icon_style = _sub(style, "IconStyle")
            _sub(icon_style, "color", kml_color(st.color))
            _sub(icon_style, "scale", 0.9 if icon else 1.0)
            if icon:
                _sub(_sub(icon_style, "Icon"), "href", icon)
            label = _sub(style, "LabelStyle")
            _sub(label, "scale", 0.8)
            line = _sub(style, "LineStyle")
            _sub(line, "color", kml_color(st.color))
            _sub(line, "width", max(spec.style.weight, 2))
            poly = _sub(style, "PolyStyle")
            _sub(poly, "color", kml_color(st.color, 110))


def document(sel: Selection, title: str, *, icon: str | None = None) -> ET.ElementTree:
    """The KML tree for ``sel``."""
    root = ET.Element("kml", xmlns=KML_NS)
    doc = _sub(root, "Document")
    _sub(doc, "name", title)
    intro = [f"福清生态环境一张图 点位清单。导出时间（北京时间）：{sel.generated_at:%Y-%m-%d %H:%M}。",
             f"筛选：{sel.filter_text('zh')}。", f"共 {len(sel.sites)} 个点位；坐标 WGS84。"]
    if sel.is_sample:
        intro = [sel.notice("zh"), sel.notice("en")] + intro
    _sub(doc, "description", "<br/>".join(html.escape(t) for t in intro))
    _styles(doc, sel, icon)
    for kind in sel.kinds:
        sites = sel.sites_of(kind)
        if not sites:
            continue
        spec = get_spec(kind)
        cols = sel.columns(kind)
        sheet_cols = [c for c in cols if c.sheet]
        folder = _sub(doc, "Folder")
        _sub(folder, "name", spec.zh)
        _sub(folder, "description", html.escape(f"{spec.description_zh}：{len(sites)} 个点位"))
        recs = sel.records(kind)
        for site, rec in zip(sites, recs):
            pm = _sub(folder, "Placemark")
            _sub(pm, "name", site.name)
            _sub(pm, "description", description_html(sheet_cols, rec))
            _sub(pm, "styleUrl", f"#{kind}-{site.status}")
            ext = _sub(pm, "ExtendedData")
            for c in cols:
                if not c.gis:
                    continue
                v = gis_value(rec.get(c.key))
                _sub(_sub(ext, "Data", name=c.key), "value", "" if v is None else (("1" if v else "0") if isinstance(v, bool) else v))
            _geometry(pm, site.geometry)
    return ET.ElementTree(root)


def _write_doc(sel: Selection, fh, title: str, icon: str | None) -> None:
    document(sel, title, icon=icon).write(fh, encoding="utf-8", xml_declaration=True)


def write_kml(sel: Selection, path: Path, *, file_name: str | None = None) -> None:
    """Write ``sel`` as a KML file (UTF-8)."""
    with open(path, "wb") as fh:
        _write_doc(sel, fh, Path(file_name or path).stem, None)


def write_kmz(sel: Selection, path: Path, *, file_name: str | None = None) -> None:
    """Write ``sel`` as KMZ: ``doc.kml`` first, then the icon, zipped."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("doc.kml", "w") as fh:
            _write_doc(sel, fh, Path(file_name or path).stem, ICON_NAME)
        zf.writestr(ICON_NAME, dot_png())


def dot_png(size: int = 32) -> bytes:
    """A white disc with a dark rim on transparency, as PNG bytes (KML tints it by the style colour)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((1, 1, size - 2, size - 2), fill=(255, 255, 255, 255), outline=(60, 60, 60, 255), width=2)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()
