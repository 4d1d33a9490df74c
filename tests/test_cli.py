"""The batch interface: init, summary, status through the store's checks, check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, store: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "--store", str(store), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_init_creates_then_keeps_then_forces(tmp_path):
    store = tmp_path / "s.gpkg"
    first = cli("init", store=store)
    assert first.returncode == 0 and "示例数据" in first.stdout and store.exists()
    cli("status", "HC-001", "remediating", "--as", "张三", store=store)  # whatever it does, init must keep it
    before = json.loads(cli("summary", store=store).stdout)
    kept = cli("init", store=store)
    assert kept.returncode == 0 and "--force" in kept.stdout
    assert json.loads(cli("summary", store=store).stdout) == before
    forced = cli("init", "--force", store=store)
    assert forced.returncode == 0
    assert cli("check", store=store).returncode == 0


@pytest.fixture
def store(store_copy):
    return store_copy


def test_summary_counts_kind_status_town(store):
    out = json.loads(cli("summary", store=store).stdout)
    assert out["data_origin"] == "sample" and "示例数据" in out["sample_notice"]
    outfalls = out["kinds"]["outfalls"]
    assert outfalls["total"] >= 40
    assert sum(outfalls["by_status"].values()) == outfalls["total"]
    assert sum(n for town in outfalls["by_town"].values() for n in town.values()) == outfalls["total"]


def test_status_change_and_its_history(store):
    from geo.store import GpkgStore
    from tests.factories import REVIEWER

    s = GpkgStore(store)
    site = next(x for x in s.list_sites(REVIEWER, kinds=["black_odorous"]) if x.status == "initial_effect")
    res = cli("status", site.site_id, "long_term_clean", "--as", "管理员", "--note", "复核通过", "--op-id", "op-42",
              store=store)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["applied"] and out["version"] == site.version + 1
    again = json.loads(cli("status", site.site_id, "long_term_clean", "--as", "管理员", "--op-id", "op-42",
                           store=store).stdout)
    assert again["applied"] is False and again["version"] == site.version + 1
    last = s.history(REVIEWER, site.site_id)[-1]
    assert (last.actor, last.note, last.source, last.to_status) == ("管理员", "复核通过", "cli", "long_term_clean")
    assert last.client.startswith("cli@")


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["status", "PWK-001", "surveyed", "--as", "管理员"], "status.transition_not_allowed", "可变更为"),
        (["status", "NOPE-1", "closed", "--as", "管理员"], "site.not_found", "NOPE-1"),
        (["status", "PWK-001", "flying", "--as", "管理员"], "status.unknown", "closed"),
        (["status", "PWK-001", "closed", "--as", " "], "auth.no_actor", "操作人"),
        (["status", "PWK-001", "remediated", "--as", "王五"], "auth.unknown_user", "王五"),
        (["status", "PWK-001", "remediated", "--as", "审阅人"], "auth.denied", "无权"),
    ],
)
def test_refused_change_exits_non_zero_with_the_reason(store, args, code, words):
    res = cli(*args, store=store)
    assert res.returncode == 2
    assert code in res.stderr and words in res.stderr
    assert "Traceback" not in res.stderr


def test_unknown_store_file_is_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.gpkg"
    bogus.write_text("not a database")
    res = cli("summary", store=bogus)
    assert res.returncode == 2 and "store." in res.stderr and "Traceback" not in res.stderr
