"""Importing monitoring data (geo/ingest/observations.py) and its CLI: the project's readers and encodings, Chinese
or English headers, a body named instead of its id, row-level problems naming row, column and fix, duplicates,
and ``cli.py readings import|list`` / ``cli.py status --override`` exit codes."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from cli import main
from geo.clock import today_cst
from geo.ingest.observations import parse_month, parse_time, prepare_observations
from layers import OBSERVATIONS
from geo.store import NewSite
from tests.factories import ADMIN, INSPECTOR, SYSTEM, make_store, record_campaign, river
from tests.ingest_factories import csv_bytes, xlsx_bytes

SPEC = OBSERVATIONS["black_odorous_readings"]
EN = ["site_id", "point", "date", "round", "depth_cm", "transparency_cm", "do_mg_l", "orp_mv", "nh3n_mg_l"]
ZH = ["水体编号", "采样点位", "采样日期", "轮次", "水深(cm)", "透明度（cm）", "溶解氧(mg/L)", "氧化还原电位", "氨氮"]
DAY = today_cst() - timedelta(days=1)


def rows(site="HC-T01", quality=(50, 5.0, 150, 1.0), points=3, rounds=3, day=DAY):
    t, do, orp, nh = quality
    return [[site, f"P{p}", (day + timedelta(days=r)).isoformat() if day + timedelta(days=r) <= today_cst()
             else day.isoformat(), r + 1, 100, t, do, orp, nh] for r in range(rounds) for p in range(1, points + 1)]


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "s.gpkg"
    s = make_store(path, [river(), river("HC-T02"), river("HC-T03", town="350181110")], clean_rivers=False)
    monkeypatch.setenv("ONEMAP_STORE", str(path))
    return s


def plan(store, data, name="监测.csv"):
    sites = store.list_sites(SYSTEM)
    return prepare_observations(data, name, spec=SPEC, sites=sites,
                                stored=store.list_observations(SYSTEM, SPEC.key, include_replaced=True))


def codes(p):
    return [x.code for x in p.errors]


# -- reading -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("header, encoding", [(EN, "utf-8"), (ZH, "utf-8-sig"), (ZH, "gbk"), (EN, "gb18030")])
def test_csv_in_every_office_encoding_and_either_language(store, header, encoding):
    p = plan(store, csv_bytes([header, *rows()], encoding=encoding))
    assert not p.has_errors, p.errors
    assert len(p.writable) == 9 and p.writable[0].values["transparency_cm"] == 50
    assert p.writable[0].site_id == "HC-T01" and p.mapping["site_id" if header is EN else "水体编号"] == "site_id"


def test_xlsx_with_a_title_row_and_excel_dates(store):
    data = xlsx_bytes([["2025年福清市黑臭水体水质监测结果（示例）"], ZH,
                       *[[r[0], r[1], datetime.fromisoformat(r[2]), *r[3:]] for r in rows()]],
                      merges=["A1:I1"])
    p = plan(store, data, "监测.xlsx")
    assert not p.has_errors, p.errors
    assert len(p.writable) == 9 and p.writable[0].observed_on == DAY.isoformat()


def test_a_body_may_be_named_instead_of_its_id(store):
    r = river("HC-T04")
    store.add_sites(SYSTEM, [NewSite(r.kind, r.site_id, "龙江 东段", r.town_code, r.status, r.geometry,
                                     attrs=r.attrs)])
    header = ["水体名称", *ZH[1:]]
    p = plan(store, csv_bytes([header, *[["龙江东段", *r[1:]] for r in rows()]]))  # spaces do not matter
    assert not p.has_errors and {o.site_id for o in p.writable} == {"HC-T04"}
    p = plan(store, csv_bytes([header, *[["测试河段", *r[1:]] for r in rows()]]))
    assert codes(p) == ["site.name_ambiguous"] * 9  # three bodies are called 测试河段 in the fixture
    assert "HC-T01" in p.errors[0].message_zh and p.errors[0].fix_zh
    p = plan(store, csv_bytes([header, *[["无名河", *r[1:]] for r in rows()]]))
    assert set(codes(p)) == {"site.name_unknown"}


def test_row_problems_name_the_row_the_column_and_the_fix(store):
    data = csv_bytes([ZH,
                      ["HC-T01", "P1", DAY.isoformat(), 1, 100, 50, 5, 150, 1],        # row 2: fine
                      ["HC-NOPE", "P1", DAY.isoformat(), 1, 100, 50, 5, 150, 1],       # row 3: unknown site
                      ["HC-T01", "P2", "2025-13-40", 1, 100, 50, 5, 150, 1],           # row 4: bad date
                      ["HC-T01", "P3", DAY.isoformat(), 1, 100, 50, "abc", 150, 1],    # row 5: bad number
                      ["HC-T01", "P4", DAY.isoformat(), 1, 0, 50, 5, 150, 1],          # row 6: depth 0
                      ["HC-T01", "", DAY.isoformat(), 1, 100, 50, 5, 150, 1],          # row 7: no point
                      ["HC-T01", "P1", DAY.isoformat(), 1, 100, 40, 5, 150, 1],        # row 8: repeats row 2
                      ["HC-T01", "P5", DAY.isoformat(), 1, 100, "", "", "", ""]])      # row 9: nothing measured
    p = plan(store, data)
    got = {(x.row, x.column, x.code) for x in p.errors}
    assert got == {(3, "水体编号", "site.not_found"), (4, "采样日期", "field.bad_date"),
                   (5, "溶解氧(mg/L)", "field.bad_number"), (6, "水深(cm)", "obs.out_of_range"),
                   (7, "采样点位", "obs.required"), (8, "采样点位", "obs.duplicate_in_file"),
                   (9, "", "obs.nothing_measured")}
    assert all(x.fix_zh and x.fix_en and x.message_zh and x.message_en for x in p.errors)
    assert [c.row for c in p.candidates] == [2]
    report = p.report()
    assert report["counts"]["rows_with_errors"] == 7 and report["problems"][0]["fix_en"]


def test_a_missing_column_or_an_unreadable_file_refuses_the_file(store):
    p = plan(store, csv_bytes([["水体编号", "采样点位", "透明度"], ["HC-T01", "P1", 50]]))
    assert {x.code for x in p.errors} == {"columns.missing"} and all(x.row is None for x in p.errors)
    assert any("采样日期" in x.fix_zh for x in p.errors) and any("轮次" in x.message_zh for x in p.errors)
    p = plan(store, b"\xff\xfe\xfa\xfb" * 3 + b"\x81", "x.csv")
    assert p.has_errors and p.errors[0].row is None


def test_stored_rows_are_unchanged_or_must_be_corrected(store):
    record_campaign(store, "HC-T01", "clean", day=DAY, points=3, rounds=1)
    same = [["HC-T01", "P1", DAY.isoformat(), 1, 100, 50, 5, 150, 1]]
    other = [["HC-T01", "P2", DAY.isoformat(), 1, 100, 10, 5, 150, 1]]
    p = plan(store, csv_bytes([ZH, *same, *other]))
    assert [c.action for c in p.candidates] == ["unchanged"]
    assert codes(p) == ["obs.already_recorded"] and "correct" in p.errors[0].fix_en
    assert p.writable == []


def test_sampling_rules_and_the_grade_are_warned_not_refused(store):
    p = plan(store, csv_bytes([ZH, *rows(points=2, rounds=1, quality=(5, 0.1, -250, 20))]))
    assert not p.has_errors
    warn = {x.code for x in p.warnings}
    assert {"sampling.too_few_points", "sampling.too_few_rounds", "assessment.grade"} <= warn
    assert any("重度黑臭" in x.message_zh for x in p.warnings if x.code == "assessment.grade")


@pytest.mark.parametrize("value, expected", [("09:30", "09:30"), ("9:05:12", "09:05"), ("14时30分", "14:30"),
                                             (0.5, "12:00"), (datetime(2025, 1, 1, 8, 15), "08:15"), ("", None)])
def test_times_as_ledgers_write_them(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize("value, expected", [("2025-03", "2025-03-01"), ("2025/3", "2025-03-01"),
                                             ("2025年3月", "2025-03-01"), ("202503", "2025-03-01"),
                                             (date(2025, 3, 17), "2025-03-01"), ("2025-03-17", "2025-03-01")])
def test_months_for_monthly_tables(value, expected):
    assert parse_month(value) == expected


# -- the CLI -------------------------------------------------------------------------------------------

def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    lines = [x for x in out.out.splitlines() if x.strip()]
    try:
        parsed = json.loads(out.out)
    except ValueError:
        parsed = json.loads(lines[-1]) if lines else {}
    return code, parsed, out.err


def test_cli_readings_import_dry_run_write_and_problems(store, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([EN, *rows()], encoding="gbk"))
    code, out, _ = run(capsys, "readings", "import", good, "--as", ADMIN.name, "--dry-run")
    assert code == 0 and out["written"] is False and out["counts"]["create"] == 9
    code, out, _ = run(capsys, "readings", "import", good, "--as", ADMIN.name)
    assert code == 0 and out["written"] is True and out["batch_id"].startswith("IMP-")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([EN, ["HC-T02", "P1", DAY.isoformat(), 1, 100, "x", 5, 150, 1],
                               ["HC-T02", "P2", DAY.isoformat(), 1, 100, 50, 5, 150, 1]]))
    code, out, err = run(capsys, "readings", "import", bad, "--as", ADMIN.name, "--report", tmp_path / "r.json")
    assert code == 3 and out["written"] is False and "第 2 行" in err and "field.bad_number" in err
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["problems"][0]["row"] == 2
    assert store.list_observations(SYSTEM, SPEC.key, ["HC-T02"]) == []  # nothing written
    code, out, err = run(capsys, "readings", "import", good, "--as", INSPECTOR.name)
    assert code == 2 and "auth.denied" in err


def test_cli_readings_list_and_status_gate_and_override(store, tmp_path, capsys):
    heavy = tmp_path / "heavy.csv"
    heavy.write_bytes(csv_bytes([ZH, *rows(quality=(5, 0.1, -250, 20))]))
    assert run(capsys, "readings", "import", heavy, "--as", ADMIN.name)[0] == 0
    code, out, _ = run(capsys, "readings", "list", "HC-T01", "--as", ADMIN.name)
    assert code == 0 and len(out["rows"]) == 9 and out["assessment"][-1]["grade"] == "heavy"
    assert out["limits"] and any(not s["verified"] for s in out["unverified_sources"])
    code, _, err = run(capsys, "status", "HC-T01", "initial_effect", "--as", INSPECTOR.name)
    assert code == 2 and "status.evidence_missing" in err and "重度黑臭" in err and "处理：" in err  # the fix, as every CLI error gives it
    code, _, err = run(capsys, "status", "HC-T01", "initial_effect", "--as", INSPECTOR.name, "--override", "x")
    assert code == 2 and "auth.denied" in err
    code, out, _ = run(capsys, "status", "HC-T01", "initial_effect", "--as", ADMIN.name, "--override", "省厅认定")
    assert code == 0 and out["status"] == "initial_effect" and out["override"] == "省厅认定"


def test_cli_ledger_import_refuses_a_status_the_readings_do_not_support(store, tmp_path, capsys):
    record_campaign(store, "HC-T01", "heavy")
    ledger = tmp_path / "台账.csv"
    ledger.write_bytes(csv_bytes([["编号", "名称", "所属镇街", "水体类别", "状态"],
                                  ["HC-T01", "测试河段", "玉屏街道", "城市建成区", "初见成效"]]))
    code, out, err = run(capsys, "import", ledger, "--kind", "black_odorous", "--crs", "wgs84", "--as", ADMIN.name)
    assert code == 3 and out["written"] is False and "status.evidence_missing" in err and "第 2 行" in err
    code, out, err = run(capsys, "import", ledger, "--kind", "black_odorous", "--crs", "wgs84", "--as", ADMIN.name,
                         "--override", "按省厅认定清单")
    assert code == 0 and out["written"] is True and "status.evidence_override" in err
    assert store.get_site(SYSTEM, "HC-T01").status == "initial_effect"
