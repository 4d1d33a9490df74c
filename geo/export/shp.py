"""Shapefile: one per kind (lines and polygons of one kind apart), zipped with a README.

A Shapefile holds one geometry type and ``.dbf`` field names of at most 10
ASCII characters, so:

* black-odorous water bodies (lines *or* polygons) give ``black_odorous_line``
  and ``black_odorous_polygon``; every other kind gives one ``<kind>.shp``;
* long field names are shortened by :func:`short_names` (deterministic,
  unique) and the mapping — short name, full name, 中文, English — is in
  ``README.txt`` inside the ZIP;
* the ``.dbf`` is GBK (code page 936: ``.cpg`` reads ``936`` and the dBASE
  language-driver byte is set, so ArcGIS and QGIS both read it) or UTF-8
  (``.cpg`` ``UTF-8``); ``.prj`` is WGS84;
* text GBK cannot encode, or longer than a ``.dbf`` field's 254 bytes, stops
  the export with an error naming the layer, row, field and value — nothing
  is dropped or cut silently. Booleans are 1/0, dates ISO text.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from geo.errors import ValidationError
from geo.export.gdal import frame, write_layer
from geo.export.gisvalues import gis_value
from geo.export.records import Column
from geo.export.selection import Selection
from layers import get_spec

MAX_FIELD = 10
MAX_BYTES = 254
SHP_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_CPG = {"gbk": "936", "utf-8": "UTF-8"}
_GDAL_ENCODING = {"gbk": "CP936", "utf-8": "UTF-8"}
_LDID_GBK = 0x4D  # dBASE language driver id of code page 936
_FAMILIES = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
             "Polygon": "polygon", "MultiPolygon": "polygon"}
_OGR = {"point": "Point", "line": "MultiLineString", "polygon": "MultiPolygon"}


def short_names(keys: Sequence[str], limit: int = MAX_FIELD) -> dict[str, str]:
    """Unique ``.dbf`` field names of at most ``limit`` characters for ``keys``.

    Names that fit are kept. Longer ones are shortened part by part
    (``managing_body`` -> ``manag_body``): the longest ``_``-separated part
    loses its last letter until the name fits; a clash gets a digit suffix.
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        name = key
        if len(name) > limit:
            parts = key.split("_")
            while len("_".join(parts)) > limit and max(len(p) for p in parts) > 1:
                i = max(range(len(parts)), key=lambda j: (len(parts[j]), -j))
                parts[i] = parts[i][:-1]
            name = "_".join(parts)[:limit]
        base, n = name, 1
        while name.lower() in used:
            suffix = str(n)
            name = base[: limit - len(suffix)] + suffix
            n += 1
        used.add(name.lower())
        out[key] = name
    return out


@dataclass(frozen=True)
class ShpLayer:
    """One Shapefile to write: its base name, kind, geometry family and sites."""

    name: str
    kind: str
    family: str
    sites: tuple


def layers_of(sel: Selection) -> list[ShpLayer]:
    """The Shapefiles ``sel`` needs, in kind order."""
    out = []
    for kind in sel.kinds:
        sites = sel.sites_of(kind)
        if not sites:
            continue
        spec = get_spec(kind)
        if spec.geometry != "line_or_polygon":
            out.append(ShpLayer(kind, kind, spec.geometry, tuple(sites)))
            continue
        for fam in ("line", "polygon"):
            mine = tuple(s for s in sites if _FAMILIES.get(s.geometry.geom_type) == fam)
            if mine:
                out.append(ShpLayer(f"{kind}_{fam}", kind, fam, mine))
    return out


def _check_values(layer: ShpLayer, cols: Sequence[Column], recs: Sequence[dict], encoding: str) -> None:
    codec = "gbk" if encoding == "gbk" else "utf-8"
    for row, rec in enumerate(recs, start=1):
        for c in cols:
            v = gis_value(rec.get(c.key))
            if not isinstance(v, str):
                continue
            try:
                size = len(v.encode(codec))
            except UnicodeEncodeError as exc:
                bad = v[exc.start:exc.end]
                code = " ".join(f"U+{ord(ch):04X}" for ch in bad)
                raise ValidationError(
                    "export.shp_unencodable",
                    en=(f"Shapefile {layer.name}, row {row} (site {rec['site_id']}), field {c.key} ({c.en}): "
                        f"{bad!r} ({code}) cannot be written in GBK. Export the Shapefile as UTF-8, or change that text."),
                    zh=(f"Shapefile {layer.name} 第 {row} 行（点位 {rec['site_id']}）字段“{c.zh}”：字符“{bad}”"
                        f"（{code}）无法用 GBK 编码保存。请选择 UTF-8 编码导出 Shapefile，或修改该文字。"),
                    row=row, site_id=rec["site_id"], field=c.key, value=bad,
                ) from None
            if size > MAX_BYTES:
                raise ValidationError(
                    "export.shp_too_long",
                    en=(f"Shapefile {layer.name}, row {row} (site {rec['site_id']}), field {c.key} ({c.en}) is "
                        f"{size} bytes; a .dbf field holds {MAX_BYTES}. Use GeoPackage, or shorten the text."),
                    zh=(f"Shapefile {layer.name} 第 {row} 行（点位 {rec['site_id']}）字段“{c.zh}”长 {size} 字节，"
                        f"超过 .dbf 字段上限 {MAX_BYTES} 字节。请改用 GeoPackage，或缩短该文字。"),
                    row=row, site_id=rec["site_id"], field=c.key, value=v,
                )


def _readme(sel: Selection, written: list[tuple[ShpLayer, dict[str, str], list[Column]]], title: str) -> str:
    enc = sel.options.shp_encoding
    lines = [title, "=" * 40, ""]
    if sel.is_sample:
        lines += [sel.notice("zh"), sel.notice("en"), ""]
    lines += [
        f"导出时间（北京时间） Exported (CST): {sel.generated_at:%Y-%m-%d %H:%M}",
        f"筛选 Filter: {sel.filter_text('zh')}",
        f"       {sel.filter_text('en')}",
        "坐标系 CRS: WGS84 经纬度 (EPSG:4326)，见 .prj",
        f"属性表编码 .dbf encoding: {'GBK（代码页 936）' if enc == 'gbk' else 'UTF-8'}，见 .cpg",
        "是/否字段 Yes/no fields: 1 = 是 yes, 0 = 否 no；日期 dates: YYYY-MM-DD；"
        "updated_at: ISO 8601, 北京时间 +08:00",
        "点（线、面取其上/内的代表点）坐标见 lon/lat 字段 (representative point of lines and polygons).",
        "",
        "文件 Files:",
    ]
    for layer, _, _ in written:
        spec = get_spec(layer.kind)
        fam = {"point": "点 points", "line": "线 lines", "polygon": "面 polygons"}[layer.family]
        lines.append(f"  {layer.name}.shp  {spec.zh} {spec.en} — {fam}, {len(layer.sites)}")
    lines += ["", "字段名对照 Field names (Shapefile 字段名最多 10 个字符 / at most 10 characters):"]
    for layer, names, cols in written:
        lines += ["", f"[{layer.name}]", f"  {'字段 field':<12}{'全名 full name':<26}中文 / English"]
        for c in cols:
            lines.append(f"  {names[c.key]:<12}{c.key:<26}{c.zh} / {c.en}")
    return "\r\n".join(lines) + "\r\n"


def _set_ldid(dbf: Path) -> None:
    with open(dbf, "r+b") as fh:
        fh.seek(29)
        fh.write(bytes([_LDID_GBK]))


def write_shp_dir(sel: Selection, folder: Path, *, title: str = "福清生态环境一张图 点位清单") -> list[Path]:
    """Write the Shapefiles of ``sel`` and README.txt into ``folder``; return the files written."""
    enc = sel.options.shp_encoding
    prepared = []
    for layer in layers_of(sel):
        cols = [c for c in sel.columns(layer.kind) if c.gis]
        recs = sel.records(layer.kind, layer.sites)
        _check_values(layer, cols, recs, enc)
        prepared.append((layer, short_names([c.key for c in cols]), cols, recs))
    files: list[Path] = []
    for layer, names, cols, recs in prepared:
        gdf = frame(cols, recs, [s.geometry for s in layer.sites], names=names, bool_as_int=True)
        target = folder / f"{layer.name}.shp"
        write_layer(gdf, target, driver="ESRI Shapefile", geometry_type=_OGR[layer.family],
                    promote_to_multi=layer.family != "point", encoding=_GDAL_ENCODING[enc])
        (folder / f"{layer.name}.cpg").write_text(_CPG[enc], encoding="ascii")
        if enc == "gbk":
            _set_ldid(folder / f"{layer.name}.dbf")
        files += [folder / f"{layer.name}{ext}" for ext in SHP_SIDECARS if (folder / f"{layer.name}{ext}").exists()]
    readme = folder / "README.txt"
    readme.write_text(_readme(sel, [(p[0], p[1], p[2]) for p in prepared], title), encoding="utf-8-sig")
    return files + [readme]


def write_shp(sel: Selection, path: Path, *, file_name: str | None = None) -> None:
    """Write ``sel`` as a ZIP of Shapefiles plus README.txt at ``path``."""
    import tempfile

    title = f"{Path(file_name or path).stem} — 福清生态环境一张图 点位清单 (Shapefile)"
    with tempfile.TemporaryDirectory(prefix="onemap-shp-") as tmp:
        files = write_shp_dir(sel, Path(tmp), title=title)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in files:
                zf.write(f, f.name)
