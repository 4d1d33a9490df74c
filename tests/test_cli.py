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
    assert cli("user", "add", "张三", "--role", "admin", "--no-password", store=store).returncode == 0  # bootstrap
    cli("status", "HC-001", "remediating", "--as", "张三", store=store)  # whatever it does, init must keep it
    before = json.loads(cli("summary", "--as", "张三", store=store).stdout)
    kept = cli("init", store=store)
    assert kept.returncode == 0 and "--force" in kept.stdout
    assert json.loads(cli("summary", "--as", "张三", store=store).stdout) == before
    forced = cli("init", "--force", store=store)
    assert forced.returncode == 0
    # The store held an account and a change: it was backed up first, beside it, and the output says where.
    backups = list(tmp_path.glob("s.before-init-*.gpkg"))
    assert len(backups) == 1 and str(backups[0]) in forced.stdout
    kept_copy = json.loads(cli("summary", "--as", "张三", store=backups[0]).stdout)
    assert {**kept_copy, "store": None} == {**before, "store": None}
    assert cli("user", "add", "李四", "--role", "admin", "--no-password", store=store).returncode == 0
    assert cli("check", "--as", "李四", store=store).returncode == 0


@pytest.fixture
def store(store_copy):
    return store_copy


def test_summary_counts_kind_status_town(store):
    out = json.loads(cli("summary", "--as", "审阅人", store=store).stdout)
    assert out["data_origin"] == "sample" and "示例数据" in out["sample_notice"]
    outfalls = out["kinds"]["outfalls"]
    assert outfalls["total"] >= 40
    assert sum(outfalls["by_status"].values()) == outfalls["total"]
    assert sum(n for town in outfalls["by_town"].values() for n in town.values()) == outfalls["total"]


def test_status_change_and_its_history(store):
    from geo.store import GpkgStore
    from tests.factories import REVIEWER

    s = GpkgStore(store)
    site = next(x for x in s.list_sites(REVIEWER, kinds=["black_odorous"]) if x.status == "untreated")
    res = cli("status", site.site_id, "remediating", "--as", "管理员", "--note", "复核通过", "--op-id", "op-42",
              store=store)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["applied"] and out["version"] == site.version + 1 and out["override"] is None
    again = json.loads(cli("status", site.site_id, "remediating", "--as", "管理员", "--op-id", "op-42",
                           store=store).stdout)
    assert again["applied"] is False and again["version"] == site.version + 1
    last = s.history(REVIEWER, site.site_id)[-1]
    assert (last.actor, last.note, last.source, last.to_status) == ("管理员", "复核通过", "cli", "remediating")
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
    res = cli("summary", "--as", "管理员", store=bogus)
    assert res.returncode == 2 and "store.not_sqlite" in res.stderr and "Traceback" not in res.stderr
    assert "init --force" not in res.stderr  # never the advice for a file that holds something


def test_user_commands_and_audit(tmp_path):
    store = tmp_path / "u.gpkg"
    assert cli("init", store=store).returncode == 0

    def run(*args, stdin=None):
        return subprocess.run([sys.executable, str(ROOT / "cli.py"), "--store", str(store), *args], input=stdin,
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    added = run("user", "add", "局管理员", "--role", "admin", "--password-stdin", stdin="一个足够长的管理员密码2026\n")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["role"] == "admin"
    insp = run("user", "add", "海口巡查", "--role", "inspector", "--town", "海口镇", "--town", "350181104",
               "--password-stdin", "--as", "局管理员", stdin="another long password 77\n")
    assert json.loads(insp.stdout)["towns"] == ["350181103", "350181104"]
    weak = run("user", "add", "弱密码", "--role", "reviewer", "--password-stdin", "--as", "局管理员", stdin="123\n")
    assert weak.returncode == 2 and "password.too_short" in weak.stderr
    last = run("user", "disable", "局管理员", "--as", "局管理员")
    assert last.returncode == 2 and "user.last_admin" in last.stderr
    listed = json.loads(run("user", "list", "--as", "局管理员").stdout)
    assert {u["name"] for u in listed} == {"局管理员", "海口巡查"} and not any("hash" in k for u in listed for k in u)
    # The inspector may change a 海口 site but not a 江阴 one, through the same checks as the app.
    from geo.store import GpkgStore
    from tests.factories import SYSTEM

    s = GpkgStore(store)
    from layers import get_spec

    from tests.factories import plain_transition

    haikou = next(x for x in s.list_sites(SYSTEM, towns=["350181103"]) if plain_transition(get_spec(x.kind), x))
    jiangyin = next(x for x in s.list_sites(SYSTEM, kinds=["shore_power_berths"]) if x.status == "none")
    nxt = plain_transition(get_spec(haikou.kind), haikou).dst
    ok = run("status", haikou.site_id, nxt, "--as", "海口巡查")
    assert ok.returncode == 0, ok.stderr
    refused = run("status", jiangyin.site_id, "building", "--as", "海口巡查")
    assert refused.returncode == 2 and "auth.denied" in refused.stderr
    audit = json.loads(run("audit", "--action", "auth.denied", "--as", "局管理员").stdout)
    assert len(audit) == 1 and audit[0]["actor"] == "海口巡查"
    everything = json.loads(run("audit", "--since", "2026-01-01", "--as", "局管理员").stdout)
    assert {"user.add", "site.status", "auth.denied"} <= {r["action"] for r in everything}
    assert all(r["actor"] for r in everything)


def test_closing_an_outfall_from_the_command_line_takes_its_record_and_document(store, tmp_path):
    import io

    from PIL import Image

    from geo.store import GpkgStore
    from tests.factories import REVIEWER

    s = GpkgStore(store)
    site = next(x for x in s.list_sites(REVIEWER, kinds=["outfalls"])
                if x.status == "remediated" and not x.attrs["black_odour_seen"])
    record = ["--set", "closure_date=2025-11-30", "--set", "closure_body=福清生态环境局", "--set", "closure_doc_no=融环销〔2025〕9号"]
    refused = cli("status", site.site_id, "closed", "--as", "管理员", *record, store=store)
    assert refused.returncode == 2 and "status.photo_required" in refused.stderr
    scan = tmp_path / "批复.png"
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), (250, 250, 250)).save(buf, "PNG")
    scan.write_bytes(buf.getvalue())
    bad = cli("status", site.site_id, "closed", "--as", "管理员", "--set", "closure_date", "--photo", str(scan),
              store=store)
    assert bad.returncode == 2 and "cli.bad_set" in bad.stderr
    done = cli("status", site.site_id, "closed", "--as", "管理员", *record, "--photo", str(scan), store=store)
    assert done.returncode == 0, done.stderr
    after = s.get_site(REVIEWER, site.site_id)
    assert after.status == "closed" and after.attrs["closure_doc_no"] == "融环销〔2025〕9号"
    assert len(s.history(REVIEWER, site.site_id)[-1].photos) == 1
