"""The scale benchmark still runs end to end and reports every figure (so the harness cannot rot).

Tiny sizes, one repetition: figures are not checked, only that they are there — for ours, the naive map
and every peer (folium GeoJson on a canvas, FastMarkerCluster, pydeck, the floor), built and drawn.
"""

from __future__ import annotations

import json

import pytest

from bench import run as bench_run

SIZE = 200


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    mp = pytest.MonkeyPatch()
    mp.setenv("ONEMAP_BENCH_CACHE", str(tmp / "cache"))  # stores built here, not in the shared cache
    try:
        import io
        from contextlib import redirect_stdout

        buf = io.StringIO()
        with redirect_stdout(buf):
            code = bench_run.main(["--sizes", str(SIZE), "--quick", "--no-browser", "--import-rows", "200",
                                   "--writes-per-writer", "5", "--workdir", str(tmp / "work")])
    finally:
        mp.undo()
    out = buf.getvalue().strip().splitlines()
    return code, out, json.loads(out[-1])


def test_exit_code_table_and_json_last_line(result):
    code, lines, data = result
    assert code == 0
    assert any(line.startswith("payload: page + site files") for line in lines)
    assert data["benchmark"] == "map_scale"
    assert {"cpus", "python", "packages"} <= set(data["machine"])


def test_every_per_size_figure_is_there(result):
    size = result[2]["sizes"][str(SIZE)]
    ours, naive = size["ours"], size["naive"]
    for key in ("payload_bytes", "bytes_per_site", "build_s", "rerun_s", "stfolium_args_bytes",
                "feature_group_bytes", "peak_rss_mb", "detail_picker_bytes", "time_to_drawn_ms"):
        assert key in ours, key
    for key in ("payload_bytes", "bytes_per_site", "build_s", "peak_rss_mb", "time_to_drawn_ms"):
        assert key in naive, key
    assert ours["payload_bytes"] > 0 and naive["payload_bytes"] > 0
    assert ours["sites"] == naive["sites"] == SIZE
    click = ours["click"]
    assert isinstance(click["map_rebuilt"], bool) and isinstance(click["sites_resent"], bool)
    assert click["server_ms"] > 0 and click["detail_ms"] > 0
    assert set(size["ratio"]) == {"payload", "build", "time_to_drawn", "memory"}
    assert size["ratio"]["payload"] > 0
    assert "detail_file_bytes" in ours and ours["detail_file_bytes"] > 0  # lines and polygons: a detail file


def test_every_peer_is_built_with_the_three_figures(result):
    from bench.peers import PEERS

    code, lines, data = result
    peers = data["sizes"][str(SIZE)]["peers"]
    assert set(peers) == set(PEERS)
    for name, d in peers.items():
        assert {"bytes_per_site", "time_to_drawn_ms", "build_s"} <= set(d), name
        assert d["bytes_per_site"] > 0 and d["build_s"] is not None and d["sites"] == SIZE, name
        assert set(d["ratio"]) == {"payload", "time_to_drawn", "build"}, name
    assert any(line.startswith("folium_canvas_geojson") for line in lines)  # the peers' table


def test_writes_export_and_import_figures(result):
    data = result[2]
    writes = data["writes"]
    assert writes["writes"] == 8 * 5 and writes["errors"] == 0
    for key in ("p50_ms", "p95_ms", "max_ms", "throughput_per_s"):
        assert writes[key] is not None, key
    assert data["export"]["sites"] == SIZE and data["export"]["median_s"] > 0
    assert data["import"]["written"] == 200 and data["import"]["errors"] == 0
    assert "note" in data["targets"]  # no 10,000-site run here
    assert any("--no-browser" in n for n in data["notes"])


def test_browser_time_to_drawn_of_every_page(tmp_path):
    """Ours, the naive page and every peer draw offline in Chromium (skips where Chromium is missing)."""
    from bench import browser, peers
    from bench.naive import naive_map_html
    from bench.synthetic import normalise_geometry, synthetic_sites

    why = browser.browser_available()
    if why:
        import os

        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why)
        pytest.skip(why)
    sites = [normalise_geometry(s) for s in synthetic_sites(SIZE, seed=0)]
    browser.prepare_site_dir(tmp_path)
    (tmp_path / "ours.html").write_text(bench_run.ours_map_html(sites, bench_run.ASSETS), encoding="utf-8")
    leaflet = {"leaflet_js": bench_run.ASSETS.leaflet_js, "leaflet_css": bench_run.ASSETS.leaflet_css}
    (tmp_path / "naive.html").write_text(naive_map_html(sites, **leaflet), encoding="utf-8")
    base = bench_run.ours_base
    (tmp_path / "geojson.html").write_text(peers.folium_canvas_geojson_html(sites, base(bench_run.ASSETS)),
                                           encoding="utf-8")
    (tmp_path / "cluster.html").write_text(peers.folium_fast_marker_cluster_html(sites, base(bench_run.ASSETS)),
                                           encoding="utf-8")
    (tmp_path / "floor.bin").write_bytes(peers.floor_binary(sites))
    (tmp_path / "floor.html").write_text(peers.floor_page(sites, "floor.bin", base(bench_run.ASSETS)),
                                         encoding="utf-8")
    (tmp_path / "pydeck.json").write_text(peers.pydeck_json(sites), encoding="utf-8")
    # In a subprocess: Playwright's sync API runs one instance at a time, and the session's browser
    # fixture may hold it.
    deck = bench_run.DeckPage(tmp_path, tmp_path / "streamlit.log")
    try:
        runs = [(page, [str(tmp_path / page)]) for page in
                ("ours.html", "naive.html", "geojson.html", "cluster.html", "floor.html")]
        runs.append(("pydeck", ["--url", deck.url("pydeck.json"), "--start-selector", bench_run.DECK_SELECTOR]))
        for page, target in runs:
            _time_one(page, target, tmp_path)
    finally:
        deck.stop()


def _time_one(page: str, target: list, tmp_path) -> None:
    """``bench/browser.py`` on one page (in a subprocess): drawn, offline, without a JS error."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "bench/browser.py", *target, "--expected", str(SIZE), "--runs", "1",
                           "--throttle", "1", "--no-settle"],  # the test run keeps the CPUs busy: no wait
                          capture_output=True, text=True, timeout=240, cwd=bench_run.ROOT)
    assert proc.returncode == 0, (page, proc.stderr[-2000:])
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert res["error"] is None, (page, res["error"])
    assert res["js_errors"] == [], (page, res["js_errors"])  # e.g. a cluster layer that threw and drew nothing
    assert res["median_ms"] and res["median_ms"] > 0, page
    if page == "pydeck":
        assert res["from_navigation_ms"][0] > res["median_ms"]  # counted from the chart, not from navigation
    else:
        assert res["layers"] and res["layers"] >= 1, page
        if page == "naive.html":
            assert res["layers"] == SIZE  # one Marker or GeoJson per site
        assert res["outside_requests"] == 0 and res["js_errors"] == [], page


def test_the_progress_benchmark_runs_and_reports_every_figure(capsys):
    from bench import bench_progress

    assert bench_progress.main(["--sites", "50", "--repeat", "1"]) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert data["bench"] == "progress" and set(data["figures"]) == {"sample", "50"}
    assert all({"n", "no_reference_s", "with_reference_s"} <= set(f) for f in data["figures"].values())
