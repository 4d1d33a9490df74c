"""The store benchmark (both backends, writes, reads, migration) still runs end to end and reports every figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.postgis]


def test_quick_run_reports_both_backends(tmp_path, pg_cluster):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_store.py"), "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900,
                          env={**__import__("os").environ, "ONEMAP_BENCH_CACHE": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout.strip().splitlines()[-1])
    row = data["sizes"]["1000"]
    assert row["migrate_ok"] and row["history_rows"] >= 1000
    assert row["gpkg_reads"]["all_sites"] == row["postgis_reads"]["all_sites"] == 1000
    assert {w["backend"] for w in row["writes"]} == {"gpkg", "postgis"}
    assert all(w["errors"] == 0 and w["writes"] == 20 for w in row["writes"])
