"""The hostile corpus: what an attacker or a clumsy operator feeds the app, each ending in one exact code.

Files are built in code (``tests/hostile_factories.py``); nothing large is
committed. Each import case asserts the exact problem code; the cases whose
point is time or memory also run in a child process under an address-space
and CPU cap (``tests/test_hostile_cli.py``, slow), and the store cases check
the store is unchanged. The before/after figures are printed by
``bench/hostile.py``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from dataclasses import dataclass
from typing import Callable

import pytest

from geo.ingest import CrsChoice, prepare_import
from tests import hostile_factories as H
from tests.factories import ADMIN, SYSTEM


@dataclass(frozen=True)
class Hostile:
    """An upload and the problem it must end in (``row`` None: the whole file; ``bounded``: time/memory matter)."""

    id: str
    make: Callable[[], bytes]
    name: str
    code: str
    row: int | None = None
    severity: str = "error"
    kind: str = "outfalls"
    bounded: bool = False


INGEST_CASES = [
    # 1. a sheet that claims to be huge
    Hostile("xlsx-value-at-XFD1048576", H.xlsx_cell_at_xfd, "a.xlsx", "xlsx.too_far", bounded=True),
    Hostile("xlsx-merged-I3-to-XFD1048576", H.xlsx_merged_to_the_end, "a.xlsx", "xlsx.merged_too_large", bounded=True),
    Hostile("xlsx-formatted-empty-cell-at-last-row", H.xlsx_formatted_empty_last_row, "a.xlsx",
            "xlsx.used_range_large", severity="warning", bounded=True),
    Hostile("xlsx-dimension-lies", H.xlsx_lying_dimension, "a.xlsx", "xlsx.too_far", bounded=True),
    Hostile("xlsx-part-with-doctype", H.xlsx_with_doctype, "a.xlsx", "xlsx.doctype"),
    # 2. nesting
    Hostile("kml-5000-nested-folders", lambda: H.kml_nested_folders(5000), "a.kml", "kml.too_deep", bounded=True),
    Hostile("kml-3000-nested-multigeometry", lambda: H.kml_nested_multigeometry(3000), "a.kml", "kml.too_deep",
            bounded=True),
    # 20.0: DTDs and entities in every encoding, with and without a byte-order mark
    Hostile("kml-utf8-entities", lambda: H.kml_entities("utf-8"), "a.kml", "kml.doctype"),
    Hostile("kml-utf8-no-bom-entities", lambda: H.kml_entities("utf-8", bom=False), "a.kml", "kml.doctype"),
    Hostile("kml-utf16le-entities", lambda: H.kml_entities("utf-16-le"), "a.kml", "kml.doctype"),
    Hostile("kml-utf16be-entities", lambda: H.kml_entities("utf-16-be"), "a.kml", "kml.doctype"),
    Hostile("kml-utf16le-no-bom-entities", lambda: H.kml_entities("utf-16-le", bom=False), "a.kml", "kml.doctype"),
    Hostile("kml-utf16be-no-bom-entities", lambda: H.kml_entities("utf-16-be", bom=False), "a.kml", "kml.doctype"),
    Hostile("kml-utf32le-entities", lambda: H.kml_entities("utf-32-le"), "a.kml", "kml.doctype"),
    Hostile("kml-utf32be-entities", lambda: H.kml_entities("utf-32-be"), "a.kml", "kml.doctype"),
    Hostile("kml-utf32le-no-bom-entities", lambda: H.kml_entities("utf-32-le", bom=False), "a.kml", "kml.doctype"),
    Hostile("kmz-utf16-entities", lambda: H.kmz_of(H.kml_entities("utf-16-le")), "a.kmz", "kml.doctype"),
    # 10. control characters: removed, with a warning naming them
    Hostile("name-with-nul", lambda: H.csv_with_name(H.CONTROL_NAMES["nul"]), "a.csv", "text.control_removed", 2,
            "warning"),
    Hostile("name-with-esc", lambda: H.csv_with_name(H.CONTROL_NAMES["esc"]), "a.csv", "text.control_removed", 2,
            "warning"),
    Hostile("name-with-bel", lambda: H.csv_with_name(H.CONTROL_NAMES["bel"]), "a.csv", "text.control_removed", 2,
            "warning"),
    Hostile("name-with-rlo", lambda: H.csv_with_name(H.CONTROL_NAMES["rlo"]), "a.csv", "text.control_removed", 2,
            "warning"),
    # 5. lengths stated in the spec
    Hostile("name-of-1200-characters", lambda: H.csv_long_name(1200), "a.csv", "text.too_long", 2),
    # 11. CSV oddities
    Hostile("csv-header-only", H.csv_header_only, "a.csv", "file.no_data_rows"),
    Hostile("csv-20mb-one-line", lambda: H.csv_one_long_line(20), "a.csv", "csv.line_too_long", bounded=True),
    Hostile("csv-2-million-character-name", lambda: H.csv_long_name(2_000_000), "a.csv", "csv.line_too_long"),
]


def _plan(case: Hostile):
    return prepare_import(case.make(), case.name, kind=case.kind, crs=CrsChoice.parse("wgs84"), existing={})


@pytest.mark.parametrize("case", INGEST_CASES, ids=[c.id for c in INGEST_CASES])
def test_each_hostile_upload_ends_in_its_exact_code(case):
    plan = _plan(case)
    found = [(p.code, p.row, p.severity) for p in plan.problems]
    assert (case.code, case.row, case.severity) in found, found
    p = next(p for p in plan.problems if p.code == case.code)
    assert p.message_zh and p.message_en and p.fix_zh and p.fix_en
    assert len(p.message_zh) < 400 and len(p.message_en) < 600, "a message must not echo the hostile input"
    if case.severity == "error":
        bad_rows = {case.row} if case.row else {c.row for c in plan.candidates}
        assert not any(c.row in bad_rows for c in plan.candidates), "the refused row slipped into the import"


def test_no_entity_is_ever_expanded_into_a_value():
    for enc in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        plan = prepare_import(H.kml_entities(enc), "a.kml", kind="outfalls", crs=CrsChoice.parse("wgs84"),
                              existing={})
        assert not plan.candidates and "哈哈" not in repr(plan.report())


def test_the_formatted_empty_cell_imports_the_ledger_and_says_what_was_skipped():
    plan = _plan(next(c for c in INGEST_CASES if c.id == "xlsx-formatted-empty-cell-at-last-row"))
    assert [c.site.site_id for c in plan.candidates] == ["PWK-101"] and not plan.has_errors


def test_control_characters_are_gone_from_what_would_be_stored():
    for name in H.CONTROL_NAMES.values():
        plan = prepare_import(H.csv_with_name(name), "a.csv", kind="outfalls", crs=CrsChoice.parse("wgs84"),
                              existing={})
        stored = plan.candidates[0].site.name
        assert stored.startswith("福清") and not any(ord(ch) < 32 or 0x202A <= ord(ch) <= 0x202E for ch in stored)


def test_a_header_only_file_is_not_reported_as_importable():
    plan = _plan(next(c for c in INGEST_CASES if c.id == "csv-header-only"))
    assert plan.has_errors and plan.rows_read == 0


def test_a_long_line_is_refused_before_being_echoed():
    plan = _plan(next(c for c in INGEST_CASES if c.id == "csv-20mb-one-line"))
    import json

    assert len(json.dumps(plan.report(), ensure_ascii=False)) < 20_000


# -- the store's side: refused on write, whatever the caller ------------------------------------------------------
def _fingerprint(path) -> tuple:
    conn = sqlite3.connect(path)
    try:
        return tuple(conn.execute(f"SELECT count(*), coalesce(max(rowid), 0) FROM {t}").fetchone()
                     for t in ("site_index", "site_history", "audit_log", "raster_layers", "import_batches"))
    finally:
        conn.close()


@pytest.mark.parametrize("name, code", [
    ("福清\x00排口", "text.control_chars"), ("福清\x1b[2J", "text.control_chars"), ("口\u202e排", "text.control_chars"),
    ("长" * 201, "text.too_long"),
])
def test_the_store_refuses_control_characters_and_overlong_names_on_write(sample_target, name, code):
    """On both backends: the checks are in the shared site logic (geo/store/sites.py, imports.py)."""
    from shapely.geometry import Point

    from geo.errors import ValidationError
    from geo.store import NewSite
    from tests.factories import reopen

    store = reopen(sample_target)
    before = _store_fingerprint(store)
    site = NewSite(kind="outfalls", site_id="PWK-990", name=name, town_code="350181103", status="surveyed",
                   geometry=Point(119.45, 25.68),
                   attrs={"discharge_into": "sea", "receiving_water": "fuqing_bay", "outfall_type": "industrial"})
    for write in (lambda: store.add_sites(SYSTEM, [site]),
                  lambda: store.import_batch(ADMIN, [site], source_name="x.csv", expected={"PWK-990": None})):
        with pytest.raises(ValidationError) as err:
            write()
        assert err.value.code == code
    assert _store_fingerprint(store) == before


def test_a_status_note_with_control_characters_is_refused(sample_target):
    from geo.errors import ValidationError
    from tests.factories import reopen

    store = reopen(sample_target)
    site = next(s for s in store.list_sites(SYSTEM, kinds=["outfalls"]) if s.status == "surveyed")
    before = _store_fingerprint(store)
    for write in (lambda: store.change_status(ADMIN, site.site_id, "monitored", expected_version=site.version,
                                              op_id="op-ctl", note="检查\x1b]52;c;ZXZpbA==\x07"),
                  lambda: store.update_attributes(ADMIN, site.site_id, {"permit_no": "许可\x00"},
                                                  expected_version=site.version, op_id="op-ctl2"),
                  lambda: store.update_attributes(ADMIN, site.site_id, {"remediation_plan": "方案"},
                                                  expected_version=site.version, op_id="op-ctl3", note="\u202e")):
        with pytest.raises(ValidationError) as err:
            write()
        assert err.value.code == "text.control_chars"
    assert _store_fingerprint(store) == before


def _store_fingerprint(store) -> tuple:
    """What a refused write must leave as it was, through the store's own interface (either backend)."""
    return (len(store.list_sites(SYSTEM)), store.data_version(), len(store.all_history(SYSTEM)),
            len(store.audit_log(SYSTEM)), len(store.list_batches(SYSTEM)))


def test_a_pdf_report_with_a_1200_character_name_is_written(sample_store_file):
    """An older store may hold a name longer than the limit: the town's report must still be made."""
    from dataclasses import replace
    from datetime import date

    from geo.report.layout import MAX_CELL_CHARS
    from geo.report.pdf import town_report_pdf
    from geo.store import open_store

    store = open_store(sample_store_file)
    sites = store.list_sites(SYSTEM)
    town = "350181116"
    mine = [s for s in sites if s.town_code == town]
    long = replace(mine[0], name="超长名称" * 300)
    data = town_report_pdf([long] + [s for s in sites if s is not mine[0]], date(2025, 12, 31), town, sample=True)
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert MAX_CELL_CHARS < 200


def test_an_unknown_since_day_is_a_coded_refusal(sample_target):
    from geo.errors import ValidationError
    from tests.factories import reopen

    with pytest.raises(ValidationError) as err:
        reopen(sample_target).audit_log(ADMIN, since="2026-13-45")
    assert err.value.code == "audit.bad_since"


def test_exports_reports_and_copies_are_audited_with_their_outcome(sample_target):
    """On both backends: an export or a report is audited once its file exists, a failed one as failed; an export
    or a copy of the whole store refused to someone who may not make it is audited as denied."""
    from geo.errors import PermissionDenied
    from tests.factories import GUEST, INSPECTOR, reopen

    store = reopen(sample_target)
    store.authorise_export(ADMIN, towns=None)
    store.record_export(ADMIN, towns=["350181103"], kinds=None, fmt="csv", rows=3, file="x.csv")
    store.record_export(ADMIN, towns=None, kinds=None, fmt="xlsx", rows=0, outcome="failed", error="export.disk_full")
    store.record_report(ADMIN, town="350181103", file="r.pdf", as_of="2026-12-06")
    with pytest.raises(PermissionDenied):
        store.authorise_export(GUEST, towns=None)
    with pytest.raises(PermissionDenied):
        store.authorise_migration(INSPECTOR)
    rows = store.audit_log(ADMIN)
    got = [(r.action, r.outcome) for r in rows if r.action in ("export", "report", "store.migrate")
           or r.outcome == "denied"]
    assert ("export", "ok") in got and ("export", "failed") in got and ("report", "ok") in got
    assert sum(1 for _, outcome in got if outcome == "denied") >= 2


# -- a store that cannot be used: diagnosed by cause, "init --force" only for an empty file ---------------------------
def _foreign_gpkg(path):
    import geopandas as gpd
    from shapely.geometry import Point

    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(119.4, 25.7)], crs="EPSG:4326").to_file(path, driver="GPKG")


def _corrupt(path, store_copy):
    data = bytearray(Path(store_copy).read_bytes())
    data[4096:4096 + 8192] = b"\xde\xad\xbe\xef" * 2048  # pages past the header: SQLite opens it, the check fails
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("make, exc_text, code", [
    (lambda p, s: None, None, "store.missing"),
    (lambda p, s: p.write_bytes(b""), None, "store.empty_file"),
    (lambda p, s: p.write_text("not a database"), "file is not a database", "store.not_sqlite"),
    (lambda p, s: sqlite3.connect(p).execute("CREATE TABLE t (x)").connection.commit(), "no such table: store_meta",
     "store.not_gpkg"),
    (lambda p, s: _foreign_gpkg(p), "no such table: store_meta", "store.foreign_gpkg"),
    (_corrupt, "database disk image is malformed", "store.corrupt"),
    (lambda p, s: p.write_bytes(Path(s).read_bytes()), "database is locked", "store.busy"),
])
def test_a_store_that_cannot_be_used_is_diagnosed_by_cause(tmp_path, store_copy, make, exc_text, code):
    from geo.store.diagnose import diagnose

    path = tmp_path / "diagnosed.gpkg"
    make(path, store_copy)
    err = diagnose(path, sqlite3.OperationalError(exc_text) if exc_text else None)
    assert err.code == code, (err.code, err.en)
    advice = err.zh + err.en + err.fix_zh + err.fix_en
    assert ("init --force" in advice) == (code in ("store.empty_file",)), advice


def test_a_full_disk_and_a_read_only_folder_are_named_as_such(tmp_path, store_copy, monkeypatch):
    from geo.store import diagnose as D

    path = tmp_path / "diagnosed.gpkg"
    path.write_bytes(Path(store_copy).read_bytes())
    monkeypatch.setattr(D, "disk_is_full", lambda p: True)
    err = D.diagnose(path, sqlite3.OperationalError("disk I/O error"))
    assert err.code == "store.disk_full" and "init --force" not in err.fix_en
    monkeypatch.setattr(D, "disk_is_full", lambda p: False)
    monkeypatch.setattr(D, "read_only_reason", lambda p: "folder not writable")
    err = D.diagnose(path, sqlite3.OperationalError("attempt to write a readonly database"))
    assert err.code == "store.read_only" and "folder not writable" in err.en


def test_opening_a_store_of_another_app_says_so(tmp_path):
    from geo.errors import StoreError
    from geo.store import open_store

    path = tmp_path / "qgis.gpkg"
    _foreign_gpkg(path)
    with pytest.raises(StoreError) as err:
        open_store(path)
    assert err.value.code == "store.foreign_gpkg" and "init --force" not in err.value.en + err.value.fix_en


def test_init_force_backs_up_anything_but_sample_data_and_refuses_when_it_cannot(tmp_path, capsys):
    from cli import main

    path = tmp_path / "qgis.gpkg"
    _foreign_gpkg(path)
    original = path.read_bytes()
    assert main(["--store", str(path), "init", "--force", "--backup", str(tmp_path / "no" / "dir" / "b.gpkg")]) == 2
    assert "store.backup_failed" in capsys.readouterr().err and path.read_bytes() == original
    assert main(["--store", str(path), "init", "--force"]) == 0
    out = capsys.readouterr().out
    backups = list(tmp_path.glob("qgis.before-init-*.gpkg"))
    assert len(backups) == 1 and str(backups[0]) in out
    assert "gpkg_contents" in {r[0] for r in sqlite3.connect(backups[0]).execute("SELECT name FROM sqlite_master")}
    # A store of sample data only is rebuilt without a copy.
    assert main(["--store", str(path), "init", "--force"]) == 0
    assert len(list(tmp_path.glob("qgis.before-init-*.gpkg"))) == 1



def test_the_backup_check_knows_the_sample_generator_by_its_name_and_client():
    from geo.sample import SAMPLE_ACTOR
    from geo.store import backup

    # The sample data's reference areas are import batches of this actor: not the user's data.
    assert (backup._SAMPLE_ACTOR, backup._SAMPLE_CLIENT) == (SAMPLE_ACTOR.name, SAMPLE_ACTOR.client)


def test_an_older_store_with_control_characters_and_huge_names_exports_them_visibly(store_copy, tmp_path):
    """The store now refuses such text; one written before may hold it: no export cuts or hides it silently."""
    import csv
    import io
    import zipfile

    import pyogrio
    from openpyxl import load_workbook

    from geo.export import ExportOptions, export_to_path
    from geo.export.safe import CUT_MARK, XLSX_CELL_MAX
    from geo.store import GpkgStore

    conn = sqlite3.connect(store_copy)
    conn.execute("UPDATE outfalls SET name = ? WHERE site_id = 'PWK-001'", ("福清\x00湾\x1b[31m排口",))
    conn.commit()
    store = GpkgStore(store_copy)
    town = store.get_site(SYSTEM, "PWK-001").town_code
    opts = ExportOptions(formats=("csv", "shp"), towns=(town,), kinds=("outfalls",), shp_encoding="utf-8")
    out = export_to_path(store, ADMIN, opts, tmp_path / "x.zip")
    with zipfile.ZipFile(out.path) as zf:
        text = zf.read(next(n for n in zf.namelist() if n.endswith(".csv"))).decode("utf-8-sig")
        zf.extractall(tmp_path / "x")
    assert "福清\ufffd湾\ufffd[31m排口" in text and "\x00" not in text and "\x1b" not in text
    frame = pyogrio.read_dataframe(next((tmp_path / "x").rglob("*.shp")), encoding="UTF-8")
    assert "福清\ufffd湾\ufffd[31m排口" in {str(v) for col in frame.columns for v in frame[col].tolist()}
    # Excel holds 32,767 characters a cell: a longer text is cut there with a visible mark.
    conn.execute("UPDATE outfalls SET responsible = ? WHERE site_id = 'PWK-001'", ("长" * 40_000,))
    conn.commit()
    conn.close()
    out = export_to_path(store, ADMIN, ExportOptions(formats=("xlsx",), towns=(town,), kinds=("outfalls",)),
                         tmp_path / "x.xlsx")
    wb = load_workbook(out.path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    cut = [c for c in cells if c.startswith("长长长")]
    assert cut and len(cut[0]) == XLSX_CELL_MAX and cut[0].endswith(CUT_MARK)
    assert list(csv.reader(io.StringIO(text)))  # the CSV still parses


def test_openpyxl_parses_the_xlsx_parts_with_defusedxml():
    """openpyxl switches to defusedxml when it is installed (requirements/app.txt); our own reads use it too."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
