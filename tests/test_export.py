"""Exports per town: every format holds exactly the town's sites, round trips, injection, atomic writes.

Each format is read back with the library its users' tools rely on:
openpyxl (xlsx), :mod:`csv` (CSV), :mod:`json` (GeoJSON), pyogrio (GeoPackage,
Shapefile), :mod:`xml.etree` + :mod:`zipfile` (KML, KMZ).
"""

from __future__ import annotations

import io
import dataclasses

import csv
import errno
import json
import stat
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pyogrio
import pytest
import shapely
from openpyxl import load_workbook
from shapely.geometry import Point

from geo.crs import wgs84_to_gcj02
from geo.errors import NotFoundError, OneMapError, StoreError, ValidationError
from geo.export import FORMAT_KEYS, ExportOptions, export_to_path, load_selection, output_suffix
from geo.export import bundle
from geo.export.records import columns_for
from geo.export.safe import csv_text
from geo.export.shp import short_names
from geo.store import GpkgStore
from geo.towns import resolve_town, town_by_code
from layers import REGISTRY, get_spec
from tests.factories import SYSTEM, make_store, outfall

HAIKOU = resolve_town("海口镇").code
KML = "{http://www.opengis.net/kml/2.2}"

# Names that must come back exactly as typed (formula injection, markup, entities).
TRICKY = {
    "PWK-X01": "=HYPERLINK(\"http://evil.example\",\"点我\")",
    "PWK-X02": "+86-591-0000 排口",
    "PWK-X03": "-1+2 排口",
    "PWK-X04": "@SUM(A1:A9)",
    "PWK-X05": "<img src=x onerror=alert(1)>",
    "PWK-X06": "${document.title=1} & \"引号\" 'single' &amp;",
    "PWK-X07": "#N/A",
}


@pytest.fixture
def store(store_copy) -> GpkgStore:
    s = GpkgStore(store_copy)
    # Added to the sample store as sample sites too: a store counts as sample only while every site is.
    s.add_sites(SYSTEM, [dataclasses.replace(outfall(sid, name=name), is_sample=True) for sid, name in TRICKY.items()],
                source="test")
    return s


def export(store, tmp_path, fmt: str, **kw) -> Path:
    opts = ExportOptions(formats=(fmt,), **{"towns": ("海口镇",), **kw})
    path = tmp_path / f"out{output_suffix(opts)}"
    export_to_path(store, SYSTEM, opts, path)
    return path


# -- reading back -----------------------------------------------------------------

def _status_code(kind_label: str, status_label: str) -> str:
    spec = next(s for s in REGISTRY.values() if s.zh == kind_label)
    return next(st.code for st in spec.statuses if st.zh == status_label)


def read_xlsx(path) -> list[dict]:
    wb = load_workbook(path)
    rows = []
    for ws in wb.worksheets[1:]:
        values = list(ws.iter_rows(values_only=True))
        header = values[0]
        for v in values[1:]:
            r = dict(zip(header, v))
            rows.append({"site_id": r["编号"], "name": r["名称"], "status": _status_code(ws.title, r["当前状态"]),
                         "lon": r["经度（WGS84）"], "lat": r["纬度（WGS84）"], "town": r["所属镇街"], "raw": r})
    return rows


def read_csv(path, encoding="utf-8-sig") -> list[dict]:
    with open(path, encoding=encoding, newline="") as fh:
        out = []
        for r in csv.DictReader(fh):
            out.append({"site_id": r["编号"], "name": r["名称"], "status": _status_code(r["点位类型"], r["当前状态"]),
                        "lon": float(r["经度（WGS84）"]), "lat": float(r["纬度（WGS84）"]), "town": r["所属镇街"],
                        "raw": r})
        return out


def read_geojson(path) -> list[dict]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [{**f["properties"], "geometry": shapely.geometry.shape(f["geometry"])} for f in data["features"]]


def _read_ogr(path, layers=None) -> list[dict]:
    rows = []
    for name, _ in pyogrio.list_layers(path) if layers is None else [(n, None) for n in layers]:
        df = pyogrio.read_dataframe(path, layer=name)
        for rec, geom in zip(df.drop(columns="geometry").to_dict("records"), df.geometry):
            rows.append({**rec, "geometry": geom, "layer": name})
    return rows


def read_gpkg(path) -> list[dict]:
    return _read_ogr(path)


def read_shp(path, tmp_path) -> list[dict]:
    folder = tmp_path / "shp_unzipped"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(folder)
    rows = []
    for shp in sorted(folder.glob("*.shp")):
        rows += _read_ogr(shp)
    return rows


def _kml_root(path):
    if str(path).endswith(".kmz"):
        with zipfile.ZipFile(path) as zf:
            assert zf.namelist()[0] == "doc.kml"
            return ET.fromstring(zf.read("doc.kml"))
    return ET.parse(path).getroot()


def read_kml(path) -> list[dict]:
    root = _kml_root(path)
    rows = []
    for folder in root.iter(f"{KML}Folder"):
        for pm in folder.iter(f"{KML}Placemark"):
            data = {d.get("name"): d.findtext(f"{KML}value") for d in pm.iter(f"{KML}Data")}
            rows.append({**data, "placemark_name": pm.findtext(f"{KML}name"), "folder": folder.findtext(f"{KML}name"),
                         "description": pm.findtext(f"{KML}description"), "style": pm.findtext(f"{KML}styleUrl")})
    return rows


def read_back(fmt: str, path: Path, tmp_path: Path, **kw) -> list[dict]:
    return {
        "xlsx": read_xlsx, "csv": lambda p: read_csv(p, **kw), "geojson": read_geojson, "gpkg": read_gpkg,
        "kml": read_kml, "kmz": read_kml, "shp": lambda p: read_shp(p, tmp_path),
    }[fmt](path)


# -- every format: exactly the town's sites, Chinese intact ---------------------------

@pytest.mark.parametrize("fmt", FORMAT_KEYS)
def test_rows_are_exactly_the_towns_sites_with_chinese_intact(store, tmp_path, fmt):
    expected = {s.site_id: s for s in store.list_sites(SYSTEM, towns=[HAIKOU])}
    assert len(expected) > len(TRICKY)  # the town has sample sites besides ours
    rows = read_back(fmt, export(store, tmp_path, fmt), tmp_path)
    assert sorted(r["site_id"] for r in rows) == sorted(expected)
    name_key = "placemark_name" if fmt in ("kml", "kmz") else "name"
    for r in rows:
        name = expected[r["site_id"]].name
        assert r[name_key] == (csv_text(name) if fmt == "csv" else name)
    assert any("排口" in r[name_key] for r in rows)
    if fmt not in ("kml", "kmz"):
        assert {r["town"] for r in rows} == {"海口镇"}


@pytest.mark.parametrize("fmt", ["xlsx", "geojson", "gpkg"])
def test_round_trip_ids_statuses_coordinates(store, tmp_path, fmt):
    sites = {s.site_id: s for s in store.list_sites(SYSTEM, towns=[HAIKOU])}
    rows = read_back(fmt, export(store, tmp_path, fmt), tmp_path)
    assert {r["site_id"] for r in rows} == set(sites)
    for r in rows:
        site = sites[r["site_id"]]
        assert r["status"] == site.status
        rep = shapely.point_on_surface(site.geometry)
        assert abs(float(r["lon"]) - rep.x) <= 1e-6 and abs(float(r["lat"]) - rep.y) <= 1e-6
        if "geometry" in r:
            assert r["geometry"].geom_type.removeprefix("Multi") == site.geometry.geom_type.removeprefix("Multi")
            assert shapely.hausdorff_distance(r["geometry"], site.geometry) <= 1e-6


@pytest.mark.parametrize("fmt", FORMAT_KEYS)
def test_formula_and_markup_names_come_back_as_the_same_text(store, tmp_path, fmt):
    path = export(store, tmp_path, fmt)
    rows = {r["site_id"]: r for r in read_back(fmt, path, tmp_path)}
    name_key = "placemark_name" if fmt in ("kml", "kmz") else "name"
    for sid, name in TRICKY.items():
        got = rows[sid][name_key]
        if fmt == "csv" and name.startswith(("=", "+", "-", "@")):
            assert got == "'" + name  # OWASP: neutralised with a leading quote, otherwise unchanged
        else:
            assert got == name
    if fmt in ("kml", "kmz"):
        desc = rows["PWK-X05"]["description"]
        assert "<img" not in desc and "&lt;img src=x onerror=alert(1)&gt;" in desc


def test_xlsx_never_writes_a_formula(store, tmp_path):
    path = export(store, tmp_path, "xlsx")
    with zipfile.ZipFile(path) as zf:
        sheets = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s or "<f " in s for s in sheets)
    wb = load_workbook(path)
    ws = wb[REGISTRY["outfalls"].zh]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value in TRICKY.values()]
    assert len(cells) == len(TRICKY)
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells if c.value.startswith(("=", "+", "-", "@")))


# -- the content of the spreadsheet --------------------------------------------------

def test_xlsx_layout_headers_and_derived_columns(store, tmp_path):
    path = export(store, tmp_path, "xlsx", gcj02=True)
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总"] + [s.zh for s in REGISTRY.values()]
    for spec in REGISTRY.values():  # every kind's sheet has its spec's field labels, even when empty
        assert {f.label("zh") for f in spec.fields} <= {c.value for c in wb[spec.zh][1]}
    ws = wb[REGISTRY["outfalls"].zh]
    header = [c.value for c in ws[1]]
    for col in ("编号", "名称", "所属镇街", "当前状态", "流程步骤", "完成时限", "是否逾期", "最近变更时间（北京时间）",
                "最近变更人", "经度（WGS84）", "纬度（WGS84）", "经度（GCJ-02，高德）", "纬度（GCJ-02，高德）", "数据性质"):
        assert col in header
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{ws.max_row}"
    widths = [ws.column_dimensions[ws.cell(1, i).column_letter].width for i in range(1, len(header) + 1)]
    assert all(6 <= w <= 48 for w in widths)
    rows = read_xlsx(path)
    sites = {s.site_id: s for s in store.list_sites(SYSTEM, towns=[HAIKOU])}
    for r in rows:
        raw, site = r["raw"], sites[r["site_id"]]
        st = get_spec(site.kind).status(site.status)
        n = sum(1 for x in get_spec(site.kind).statuses if not x.excluded)
        assert raw["流程步骤"] == ("已核销，不计入进度" if st.excluded else f"第 {st.step} 步 / 共 {n} 步")
        assert raw["数据性质"] == "示例数据"
        glon, glat = wgs84_to_gcj02(raw["经度（WGS84）"], raw["纬度（WGS84）"])
        assert abs(raw["经度（GCJ-02，高德）"] - glon) < 2e-6 and abs(raw["纬度（GCJ-02，高德）"] - glat) < 2e-6
        assert raw["最近变更人"] == site.updated_by
        assert raw["是否逾期"] in ("是", "否")
    assert any(r["raw"]["是否逾期"] == "是" for r in rows)  # 2025-12-31 deadlines are past


def test_xlsx_summary_counts_progress_filter_and_sample_note(store, tmp_path):
    path = export(store, tmp_path, "xlsx", kinds=("outfalls",), statuses=("outfalls:remediated", "outfalls:closed"))
    ws = load_workbook(path)["汇总"]
    rows = [[v for v in r] for r in ws.iter_rows(values_only=True)]
    flat = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "示例数据" in flat and "非官方" in flat
    zh = REGISTRY["outfalls"].zh
    assert "镇街：海口镇" in flat and f"{zh}·整治完成" in flat
    everything = store.list_sites(SYSTEM, kinds=["outfalls"], towns=[HAIKOU])
    exported = [s for s in everything if s.status in ("remediated", "closed")]
    counts = {(r[0], r[1]): r[3] for r in rows if r[0] == zh and r[1] not in (None, "小计") and len(r) > 3}
    assert counts[(zh, "整治完成")] == sum(1 for s in exported if s.status == "remediated")
    assert counts[(zh, "已监测")] == 0  # filtered out of the file ...
    target = next(r for r in rows if r[1] == "入海排污口整治完成率")
    # ... but the target is computed over every status of the town (every 入海 outfall, none closed apart)
    population = [s for s in everything if s.attrs["discharge_into"] == "sea" and s.status != "dismissed"]
    exported = [s for s in population if s.status in ("remediated", "closed")]
    assert target[3] == len(population)
    assert target[4] == len(exported)
    assert target[5] == pytest.approx(len(exported) / len(population))


def test_real_data_carries_no_sample_note(tmp_path):
    s = make_store(tmp_path / "real.gpkg", [outfall("PWK-R01", name="正式排口")])
    assert s.meta().get("data_origin") != "sample"
    for fmt in ("xlsx", "csv", "geojson", "kml"):
        opts = ExportOptions(formats=(fmt,), towns=(HAIKOU,))
        out = tmp_path / f"real{output_suffix(opts)}"
        export_to_path(s, SYSTEM, opts, out)
        text = (" ".join(str(c.value) for ws in load_workbook(out) for r in ws.iter_rows() for c in r)
                if fmt == "xlsx" else out.read_text(encoding="utf-8-sig"))
        assert "正式排口" in text and "示例数据" not in text


@pytest.mark.parametrize("fmt", FORMAT_KEYS)
def test_every_format_says_sample_data(store, tmp_path, fmt):
    path = export(store, tmp_path, fmt)
    rows = read_back(fmt, path, tmp_path)
    if fmt == "xlsx":
        assert "示例数据" in str(load_workbook(path)["汇总"]["A2"].value)
        assert {r["raw"]["数据性质"] for r in rows} == {"示例数据"}
    elif fmt == "csv":
        assert {r["raw"]["数据性质"] for r in rows} == {"示例数据"}
    elif fmt in ("kml", "kmz"):
        assert "示例数据" in _kml_root(path).find(f"{KML}Document/{KML}description").text
    else:
        assert {int(r["sample"]) for r in rows} == {1} and {r["data_note"] for r in rows} == {"示例数据"}
    if fmt == "geojson":
        assert "示例数据" in json.loads(path.read_text(encoding="utf-8"))["metadata"]["notice"]


# -- encodings ------------------------------------------------------------------------

def test_gbk_csv_round_trip(store, tmp_path):
    path = export(store, tmp_path, "csv", csv_encoding="gbk")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = read_csv(path, encoding="gbk")
    names = {s.site_id: s.name for s in store.list_sites(SYSTEM, towns=[HAIKOU])}
    assert {r["site_id"]: r["name"].removeprefix("'") for r in rows} == names


def test_utf8_csv_has_a_bom_for_excel(store, tmp_path):
    assert export(store, tmp_path, "csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_gbk_refuses_what_it_cannot_encode_naming_row_and_field(store, tmp_path):
    store.add_sites(SYSTEM, [outfall("PWK-E01", name="排口😀测试")], source="test")
    with pytest.raises(ValidationError) as err:
        export(store, tmp_path, "csv", csv_encoding="gbk")
    e = err.value
    assert e.code == "export.csv_unencodable"
    assert e.context["site_id"] == "PWK-E01" and e.context["field"] == "name" and e.context["value"] == "😀"
    assert isinstance(e.context["row"], int) and "PWK-E01" in e.zh and "名称" in e.zh and "UTF-8" in e.en
    with pytest.raises(ValidationError) as err:
        export(store, tmp_path, "shp")  # Shapefile default is GBK
    assert err.value.code == "export.shp_unencodable" and "😀" in err.value.zh
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("out", ".out"))) == []
    # UTF-8 keeps it
    rows = read_csv(export(store, tmp_path, "csv"))
    assert any(r["name"] == "排口😀测试" for r in rows)
    rows = read_back("shp", export(store, tmp_path, "shp", shp_encoding="utf-8"), tmp_path)
    assert any(r["name"] == "排口😀测试" for r in rows)


@pytest.mark.parametrize("enc, cpg", [("gbk", "936"), ("utf-8", "UTF-8")])
def test_shapefile_zip_has_prj_cpg_and_a_readme_of_short_names(store, tmp_path, enc, cpg):
    store.add_sites(SYSTEM, [outfall("PWK-L01", name="长" * 80)], source="test")  # 160 bytes GBK, 240 UTF-8
    path = export(store, tmp_path, "shp", shp_encoding=enc, towns=("海口镇", "玉屏街道"))
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        readme = zf.read("README.txt").decode("utf-8-sig")
        stems = {n[:-4] for n in names if n.endswith(".shp")}
        for stem in stems:
            for ext in (".shx", ".dbf", ".prj", ".cpg"):
                assert stem + ext in names
            assert zf.read(stem + ".cpg").decode() == cpg
            assert "WGS" in zf.read(stem + ".prj").decode()
    assert "black_odorous_line" in stems  # 玉屏街道 has a river; lines and polygons never share a file
    assert "示例数据" in readme and "manag_body" not in readme  # no park in these towns
    assert "responsibl" in readme and "responsible" in readme and "责任单位" in readme
    rows = read_shp(path, tmp_path)
    assert any(r["name"] == "长" * 80 for r in rows)
    for r in rows:
        assert all(len(k) <= 10 for k in r if k not in ("geometry", "layer"))
        assert r["overdue"] in (0, 1)


def test_short_names_are_unique_and_fit():
    keys = [c.key for k in REGISTRY for c in columns_for(k, True, True)]
    keys += ["abcdefghijk_1", "abcdefghijk_2", "abcdefghijkl"]
    names = short_names(list(dict.fromkeys(keys)))
    assert all(len(n) <= 10 for n in names.values())
    assert len({n.lower() for n in names.values()}) == len(names)
    assert names["site_id"] == "site_id" and names["managing_body"] == "manag_body"


def test_shp_refuses_text_longer_than_a_dbf_field(store, tmp_path):
    store.add_sites(SYSTEM, [outfall("PWK-L02", name="长" * 130)], source="test")  # 260 bytes in GBK
    with pytest.raises(ValidationError) as err:
        export(store, tmp_path, "shp")
    assert err.value.code == "export.shp_too_long" and "GeoPackage" in err.value.en


# -- KML -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["kml", "kmz"])
def test_kml_folders_per_kind_styles_by_status(store, tmp_path, fmt):
    path = export(store, tmp_path, fmt)
    root = _kml_root(path)
    doc = root.find(f"{KML}Document")
    styles = {s.get("id"): s.findtext(f"{KML}IconStyle/{KML}color") for s in doc.findall(f"{KML}Style")}
    rows = read_kml(path)
    assert {r["folder"] for r in rows} <= {s.zh for s in REGISTRY.values()}
    for r in rows:
        spec = get_spec(r["kind"])
        assert r["folder"] == spec.zh
        assert r["style"] == f"#{r['kind']}-{r['status']}"
        hexc = spec.status(r["status"]).color.lstrip("#")
        assert styles[r["style"][1:]] == f"ff{hexc[4:6]}{hexc[2:4]}{hexc[0:2]}"
        assert "<table" in r["description"] and "编号" in r["description"]
    if fmt == "kmz":
        with zipfile.ZipFile(path) as zf:
            from PIL import Image

            icon = Image.open(io.BytesIO(zf.read("files/dot.png")))
            assert (icon.format, icon.size, icon.mode) == ("PNG", (32, 32), "RGBA")
            assert icon.getpixel((16, 16)) == (255, 255, 255, 255) and icon.getpixel((0, 0))[3] == 0


# -- all towns: one ZIP, a folder per town --------------------------------------------

def test_all_towns_zip_has_a_folder_per_town_with_only_its_sites(store, tmp_path):
    opts = ExportOptions(formats=("xlsx", "kml"), per_town=True)
    steps = []
    res = export_to_path(store, SYSTEM, opts, tmp_path / "all.zip", progress=lambda f, label: steps.append(f))
    assert steps[-1] == 1.0 and steps == sorted(steps) and len(steps) > 10
    by_town: dict[str, set] = {}
    for s in store.list_sites(SYSTEM):
        by_town.setdefault(s.town_code, set()).add(s.site_id)
    with zipfile.ZipFile(res.path) as zf:
        names = zf.namelist()
        readme = zf.read("说明.txt").decode("utf-8-sig")
        folders = {n.split("/")[0] for n in names if "/" in n}
        assert len(folders) == len(by_town)
        for code, ids in by_town.items():
            town = town_by_code(code).name_zh
            xlsx = next(n for n in names if n.startswith(town + "/") and n.endswith(".xlsx"))
            assert "示例数据" in xlsx
            (tmp_path / "t.xlsx").write_bytes(zf.read(xlsx))
            assert {r["site_id"] for r in read_xlsx(tmp_path / "t.xlsx")} == ids
            kml = next(n for n in names if n.startswith(town + "/") and n.endswith(".kml"))
            (tmp_path / "t.kml").write_bytes(zf.read(kml))
            assert {r["site_id"] for r in read_kml(tmp_path / "t.kml")} == ids
    assert "示例数据" in readme and "南岭镇" in readme  # towns without sites are listed with 0
    assert res.n_sites == sum(len(v) for v in by_town.values())


# -- atomic writes: a full disk leaves nothing -----------------------------------------

def _failing(writer):
    def write(sel, path, **kw):
        Path(path).write_bytes(b"half a file")
        raise OSError(errno.ENOSPC, "No space left on device")
    return write


@pytest.mark.parametrize("fmt", FORMAT_KEYS)
@pytest.mark.parametrize("zipped", [False, True], ids=["single", "per-town-zip"])
def test_full_disk_leaves_nothing_and_names_the_path(store, tmp_path, monkeypatch, fmt, zipped):
    monkeypatch.setitem(bundle.WRITERS, fmt, _failing(bundle.WRITERS[fmt]))
    if fmt == "shp":  # bundles write Shapefiles into a folder
        monkeypatch.setattr(bundle, "write_shp_dir", lambda *a, **k: _failing(None)(None, tmp_path / "x"))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    opts = ExportOptions(formats=(fmt,), towns=("海口镇", "江阴镇"), per_town=zipped)
    target = out_dir / f"export{output_suffix(opts)}"
    with pytest.raises(StoreError) as err:
        export_to_path(store, SYSTEM, opts, target)
    assert err.value.code == "export.disk_full"
    assert str(target) in err.value.en and str(target) in err.value.zh
    assert list(out_dir.iterdir()) == []


def test_failed_export_keeps_the_previous_file(store, tmp_path, monkeypatch):
    target = tmp_path / "keep.xlsx"
    target.write_bytes(b"previous export")
    monkeypatch.setitem(bundle.WRITERS, "xlsx", _failing(None))
    with pytest.raises(StoreError):
        export_to_path(store, SYSTEM, ExportOptions(formats=("xlsx",), towns=("海口镇",)), target)
    assert target.read_bytes() == b"previous export"
    # Nothing left behind: the folder holds the old export and the store (with its photo folder) only.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.xlsx", "store.gpkg", "store_photos"]


def test_dev_full_is_refused_and_left_alone(store):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with pytest.raises(ValidationError) as err:
        export_to_path(store, SYSTEM, ExportOptions(formats=("csv",), towns=("海口镇",)), "/dev/full",
                       check_name=False)
    assert err.value.code == "export.target_not_file" and "/dev/full" in err.value.en
    assert stat.S_ISCHR(Path("/dev/full").stat().st_mode)


def test_a_writer_bug_leaves_nothing_either(store, tmp_path, monkeypatch):
    def broken(sel, path, **kw):
        Path(path).write_text("partial")
        raise RuntimeError("bug")
    monkeypatch.setitem(bundle.WRITERS, "geojson", broken)
    out = tmp_path / "o"
    out.mkdir()
    with pytest.raises(RuntimeError):
        export_to_path(store, SYSTEM, ExportOptions(formats=("geojson",), towns=("海口镇",)), out / "x.geojson")
    assert list(out.iterdir()) == []


# -- requests that cannot be met: one table --------------------------------------------

REFUSALS = [
    (dict(towns=("海口区",)), NotFoundError, "export.unknown_town", "海口镇"),
    (dict(towns=("Atlantis",)), NotFoundError, "export.unknown_town", "江阴镇"),
    (dict(kinds=("parkz",)), NotFoundError, "kind.unknown", "outfalls"),
    (dict(statuses=("finished",)), NotFoundError, "status.unknown", "remediated"),
    (dict(formats=("docx",)), ValidationError, "export.bad_format", "xlsx"),
    (dict(formats=()), ValidationError, "export.no_format", "xlsx"),
    (dict(csv_encoding="latin-1"), ValidationError, "export.bad_csv_encoding", "gbk"),
    (dict(shp_encoding="big5"), ValidationError, "export.bad_shp_encoding", "utf-8"),
    (dict(towns=()), ValidationError, "export.no_town", "all towns"),
]


@pytest.mark.parametrize("kw, exc, code, names", REFUSALS, ids=[r[2] + str(i) for i, r in enumerate(REFUSALS)])
def test_bad_requests_name_the_valid_values(kw, exc, code, names):
    with pytest.raises(exc) as err:
        ExportOptions(**kw)
    assert err.value.code == code
    assert names in err.value.en
    assert err.value.zh != err.value.en


def test_labels_and_bare_status_codes_are_understood():
    opts = ExportOptions(towns=("玉屏", "350181103"), kinds=("入海排污口", "parks"), statuses=("整治中",))
    assert opts.towns == ("350181002", HAIKOU)
    assert opts.kinds == ("parks", "outfalls")
    assert opts.statuses == ("outfalls:remediating",)


def test_no_matching_site_and_a_wrong_suffix_are_refused(store, tmp_path):
    opts = ExportOptions(formats=("xlsx",), towns=("南岭镇",))
    with pytest.raises(ValidationError) as err:
        export_to_path(store, SYSTEM, opts, tmp_path / "x.xlsx")
    assert err.value.code == "export.nothing"
    opts = ExportOptions(formats=("shp",), towns=("海口镇",))
    with pytest.raises(ValidationError) as err:
        export_to_path(store, SYSTEM, opts, tmp_path / "x.shp")
    assert err.value.code == "export.bad_suffix" and "x.zip" in err.value.en
    assert not any(p.name.startswith(("x.", ".x")) for p in tmp_path.iterdir())


def test_selection_reads_through_the_store_once(store):
    calls = []
    real = store.list_sites

    def spy(actor, **kw):
        calls.append(kw)
        return real(actor, **kw)

    store.list_sites = spy
    sel = load_selection(store, SYSTEM, ExportOptions(towns=("海口镇",), kinds=("outfalls",)))
    assert calls == [{"kinds": ["outfalls"], "towns": [HAIKOU]}]
    assert {s.kind for s in sel.sites} == {"outfalls"} and all(s.town_code == HAIKOU for s in sel.sites)


def test_errors_are_onemap_errors():
    assert issubclass(StoreError, OneMapError) and issubclass(ValidationError, ValueError)


def test_representative_point_lies_on_the_site():
    from geo.export.records import representative_lonlat

    line = shapely.LineString([(119.0, 25.0), (119.1, 25.0), (119.1, 25.1)])
    ring = shapely.Polygon([(0, 0), (4, 0), (4, 4), (3, 4), (3, 1), (1, 1), (1, 4), (0, 4)])  # a U: centroid outside
    lons, lats = representative_lonlat([Point(119.5, 25.5), line, ring])
    assert (lons[0], lats[0]) == (119.5, 25.5)
    assert line.distance(Point(lons[1], lats[1])) < 1e-6
    assert ring.contains(Point(lons[2], lats[2])) and not ring.contains(ring.centroid)


def test_geo_export_stays_pure():
    from tests.test_architecture import ROOT, imports

    for p in (ROOT / "geo" / "export").glob("*.py"):
        assert not imports(p) & {"streamlit", "sqlite3", "streamlit_folium"}, p



def test_rows_of_sample_sites_in_a_real_store_say_so(tmp_path):
    from dataclasses import replace

    s = make_store(tmp_path / "mixed.gpkg", [outfall("PWK-R01", name="正式排口"),
                                              replace(outfall("PWK-R02", name="演示排口"), is_sample=True)])
    rows = {r["site_id"]: r["raw"] for r in read_xlsx(export(s, tmp_path, "xlsx"))}
    assert rows["PWK-R01"]["数据性质"] == "正式数据" and rows["PWK-R02"]["数据性质"] == "示例数据"
    ws = load_workbook(tmp_path / "out.xlsx")["汇总"]
    assert "部分点位为示例数据" in str(ws["A2"].value)


def test_the_store_approves_and_audits_every_export(store, tmp_path):
    from geo.errors import PermissionDenied
    from tests.factories import INSPECTOR

    if not hasattr(store, "record_export") or not hasattr(store, "audit_log"):
        pytest.skip("this store does not audit exports")
    export_to_path(store, INSPECTOR, ExportOptions(formats=("csv",), towns=("海口镇",)), tmp_path / "own.csv")
    with pytest.raises(PermissionDenied):
        export_to_path(store, INSPECTOR, ExportOptions(formats=("csv",), towns=("龙田镇",)), tmp_path / "other.csv")
    assert not (tmp_path / "other.csv").exists()
    rows = [r for r in store.audit_log(SYSTEM, action="export") if r.actor == INSPECTOR.name]
    assert any(r.target == HAIKOU and r.details.get("format") == "csv" for r in rows)


def test_real_sites_next_to_sample_ones_are_not_called_sample(store_copy, tmp_path):
    s = GpkgStore(store_copy)
    s.add_sites(SYSTEM, [outfall("PWK-REAL", name="正式导入排口")], source="test")  # a real site in a sample store
    path = export(s, tmp_path, "csv")
    rows = {r["site_id"]: r for r in read_csv(path)}
    assert rows["PWK-REAL"]["raw"]["数据性质"] != "示例数据"
    assert {r["raw"]["数据性质"] for sid, r in rows.items() if sid != "PWK-REAL"} == {"示例数据"}
