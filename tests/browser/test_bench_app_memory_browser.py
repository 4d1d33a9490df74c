"""The app-memory benchmark runs from a clean clone: a small store, the real server, every step measured."""

from __future__ import annotations

import json

from bench import bench_app_memory


def test_app_memory_benchmark_measures_every_step_of_a_small_store(browser, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("ONEMAP_BENCH_CACHE", str(tmp_path / "cache"))
    assert bench_app_memory.main(["--sites", "300", "--timeout", "120"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])  # the last line is JSON
    assert result["sites"] == 300 and "app server memory, 300 sites" in lines[0]
    steps = [result[k] for k in ("started", "first_map", "after_tap", "second_session")]
    assert all(s["rss_mb"] > 50 and s["hwm_mb"] >= s["rss_mb"] for s in steps)
    assert result["first_map"]["hwm_mb"] >= result["started"]["hwm_mb"]  # a high-water mark never falls
    assert result["first_map_s"] > 0 and result["tap_to_panel_s"] > 0
