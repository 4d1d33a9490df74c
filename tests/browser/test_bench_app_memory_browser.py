"""The app-memory benchmark runs from a clean clone: a small store, the real server, every step measured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.browser.conftest import _require_browser

ROOT = Path(__file__).resolve().parents[2]


def test_app_memory_benchmark_measures_every_step_of_a_small_store(tmp_path):
    _require_browser()
    # Its own process: it drives its own Chromium (Playwright's sync API allows one per process).
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_app_memory.py"), "--sites", "300",
                           "--timeout", "120"], capture_output=True, text=True, timeout=600, cwd=ROOT,
                          env={**os.environ, "ONEMAP_BENCH_CACHE": str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1])  # the last line is JSON
    assert result["sites"] == 300 and "app server memory, 300 sites" in lines[0]
    steps = [result[k] for k in ("started", "first_map", "after_tap", "second_session")]
    assert all(s["rss_mb"] > 50 and s["hwm_mb"] >= s["rss_mb"] for s in steps)
    assert result["first_map"]["hwm_mb"] >= result["started"]["hwm_mb"]  # a high-water mark never falls
    assert result["first_map_s"] > 0 and result["tap_to_panel_s"] > 0
