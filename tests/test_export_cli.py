"""``python cli.py export``: files per town, one ZIP for all towns, refusals that name the valid values."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, store: Path, as_user: str = "管理员") -> subprocess.CompletedProcess:
    """``cli.py export … --as as_user`` (exports are made by, and audited as, a named account)."""
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "--store", str(store), "export", *args,
                           "--as", as_user], capture_output=True, text=True, cwd=ROOT, timeout=180)


def test_one_town_to_xlsx(store_copy, tmp_path):
    out = tmp_path / "海口镇.xlsx"
    res = cli("--town", "海口镇", "--format", "xlsx", "-o", str(out), store=store_copy)
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["towns"] == ["海口镇"] and info["sample"] is True and info["sites"] > 0
    wb = load_workbook(out)
    ids = [r[0] for ws in wb.worksheets[1:] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(ids) == info["sites"]


def test_several_towns_and_kinds_by_label(store_copy, tmp_path):
    out = tmp_path / "two.csv"
    res = cli("--town", "海口", "--town", "350181116", "--kind", "入海排污口", "--kind", "parks",
              "--format", "csv", "-o", str(out), store=store_copy)
    assert res.returncode == 0, res.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert "海口镇" in text and "江阴镇" in text and "岸电泊位" not in text


def test_all_towns_give_one_zip_with_a_folder_per_town(store_copy, tmp_path):
    out = tmp_path / "all.zip"
    res = cli("--all-towns", "--format", "xlsx", "-o", str(out), store=store_copy)
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    with zipfile.ZipFile(out) as zf:
        folders = {n.split("/")[0] for n in zf.namelist() if "/" in n}
    assert folders == set(info["towns"]) and len(folders) > 10


@pytest.mark.parametrize("args, names", [
    (["--town", "海口区"], ["海口镇", "江阴镇", "龙山街道"]),
    (["--town", "海口镇", "--kind", "parkz"], ["outfalls", "parks", "shore_power_berths"]),
    (["--town", "海口镇", "--status", "finished"], ["remediated"]),
])
def test_unknown_town_kind_status_exit_2_naming_the_valid_ones(store_copy, tmp_path, args, names):
    res = cli(*args, "--format", "xlsx", "-o", str(tmp_path / "x.xlsx"), store=store_copy)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    for n in names:
        assert n in res.stderr
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("args", [
    ["--town", "海口镇", "--format", "docx", "-o", "x.docx"],  # argparse lists the formats
    ["--format", "xlsx", "-o", "x.xlsx"],  # neither --town nor --all-towns
    ["--town", "海口镇", "--all-towns", "--format", "xlsx", "-o", "x.zip"],
])
def test_bad_command_lines_exit_2_without_traceback(store_copy, args):
    res = cli(*args, store=store_copy)
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_dev_full_and_a_missing_folder_are_clear_errors(store_copy, tmp_path):
    res = cli("--town", "海口镇", "--format", "csv", "-o", "/dev/full", store=store_copy)
    assert res.returncode == 2 and "/dev/full" in res.stderr and "Traceback" not in res.stderr
    res = cli("--town", "海口镇", "--format", "csv", "-o", str(tmp_path / "nope" / "x.csv"), store=store_copy)
    assert res.returncode == 2 and "export.no_directory" in res.stderr


def test_gbk_shapefile_zip(store_copy, tmp_path):
    out = tmp_path / "shp.zip"
    res = cli("--town", "江阴镇", "--format", "shp", "--shp-encoding", "gbk", "-o", str(out), store=store_copy)
    assert res.returncode == 0, res.stderr
    with zipfile.ZipFile(out) as zf:
        assert "README.txt" in zf.namelist()
        assert {zf.read(n).decode() for n in zf.namelist() if n.endswith(".cpg")} == {"936"}
