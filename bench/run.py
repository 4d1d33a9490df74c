"""Performance at scale: the one map against the naive way and its strongest peers, measured in one run.

For each size (synthetic sites, ``bench/synthetic.py``, stored in a cached
GeoPackage store) this measures, for *ours* (whatever ``geo.map.build``
currently does, through its public functions only, with the sites read as
the map page reads them: ``map_sites``), for the *naive* baseline
(``bench/naive.py``: one folium Marker with an HTML popup per point,
full-detail GeoJson per polygon) and for the *peers* (``bench/peers.py``:
folium GeoJson on a canvas, folium FastMarkerCluster, pydeck through
``st.pydeck_chart``, and the floor — packed typed arrays drawn by the same
canvas code):

* map payload: bytes of the standalone HTML page and bytes per site; for
  ours also the JSON arguments streamlit-folium hands to Streamlit on every
  rerun (measured by calling ``st_folium`` itself with its component
  function replaced by a recorder, serialised as Streamlit serialises them);
* server build time (base map + site groups + rendering);
* time-to-drawn in headless Chromium, 1024×768, CPU throttled 4×;
* peak memory (RSS) of a fresh process that loads the sites and builds the map;
* click: server time of the map fragment's rerun (base + groups +
  st_folium) plus the detail panel's reads (``get_site`` + ``history``),
  and whether the map would be remounted (streamlit-folium's hash of the
  base map changes) or its site layers re-sent.

Once per run: status writes with 8 concurrent processes
(``change_status`` on distinct sites of the 10,000-site store), all towns ×
xlsx export (``bench/bench_export.py``'s own timing function) and the
import of a 10,000-row xlsx ledger into a fresh store.

Usage::

    python bench/run.py                        # 1,000 / 10,000 / 100,000 sites, 3 repetitions
    python bench/run.py --sizes 1000,10000 --quick
    python bench/run.py --sizes 200 --quick --no-browser
    python bench/run.py --sizes 10000 --million     # also 1,000,000 point sites (ours and the floor)

Prints a table, then one JSON object with every figure as the LAST line.
Targets are figures to compare, never assertions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo.map.build import MapAssets, base_labels, build_base_map, site_layer_groups  # noqa: E402
from geo.map.sitelayer import PayloadFiles  # noqa: E402
from geo.store import Actor  # noqa: E402
from layers import REGISTRY  # noqa: E402

#: Relative URLs the benchmark pages use; bench/browser.py serves them.
ASSETS = MapAssets(leaflet_js="leaflet/leaflet.js", leaflet_css="leaflet/leaflet.css", base_data_url="base/")
DEFAULT_SIZES = (1_000, 10_000, 100_000)
#: Who reads the map (the app's visitor without a login).
READER = Actor("访客", role="guest", client="bench")
#: streamlit-folium arguments as the map page passes them (ui/pages/map_page.py).
MAP_KEY = "onemap"
MAP_HEIGHT = 560
#: Naive maps of more sites than this get this long to build (the issue: "if < 60 s").
NAIVE_LARGE = 10_000
NAIVE_LARGE_TIMEOUT_S = 60
BUILD_TIMEOUT_S = 900
#: A peer gets this long to build its map, at every size (the issue: "where a peer cannot build in 60 s say so").
PEER_TIMEOUT_S = 60
BROWSER_RUN_TIMEOUT_S = 240
#: The million-site run (``--million``): point sites only, as a province-wide store of outfalls would hold.
MILLION = 1_000_000
#: Browser loads of one page stop repeating once this much time is spent (the median of fewer runs).
BROWSER_BUDGET_S = 60
TARGETS_AT = 10_000
LARGE_AT = 100_000
TARGETS = {
    # at 10,000 sites
    "payload_bytes_per_site_max": 60,
    "payload_vs_floor_max": 2,
    "time_to_drawn_ms_max": 1000,
    "click_server_ms_max": 100,
    "write_p95_ms_max": 50,
    # at 100,000 sites
    "first_build_s_max_100k": 2,
    "rerun_s_max_100k": 0.3,
    "time_to_drawn_ms_max_100k": 2000,
    "peak_rss_mb_max_100k": 400,
}
#: A page (or pydeck JSON) above this is not opened in the browser: Playwright's driver ran out of memory on
#: pydeck's 306 MB at 100,000 sites. Its build figures are still reported.
BROWSER_MAX_PAYLOAD_BYTES = 128_000_000
#: Peers whose time-to-drawn ours must beat (the floor is the reference, not a rival).
RIVALS = ("folium_canvas_geojson", "folium_fast_marker_cluster", "pydeck")
#: Where the pydeck peer's chart is in the Streamlit page: its time counts from when this appears.
DECK_SELECTOR = '[data-testid="stDeckGlJsonChart"]'
#: After ours is drawn: zoom in on a site and hit-test where it is (what a tap does), timed in the page. The tap
#: answers when it finds a site drawn under the finger (with a million points, several may share the spot).
CLICK_PROBE = """() => new Promise(resolve => {
  const map = window.__benchMap, S = window.__onemapSites; let layer = null;
  map.eachLayer(l => { if (l instanceof L.OnemapSites && l._n && (!layer || l._n > layer._n)) layer = l; });
  if (!layer) { resolve(null); return; }
  const i = Math.floor(layer._n / 2), id = layer.id(i);
  map.setView(layer.anchor(i), 18, {animate: false});
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const p = map.latLngToContainerPoint(layer.anchor(i));
    const t0 = performance.now(), hit = S.idAt(p.x, p.y), ms = performance.now() - t0;
    const q = hit && hit.id ? S.pixelOf(hit.id) : null;
    const off = q ? Math.hypot(q[0] - p.x, q[1] - p.y) : null;
    resolve({id: id, hit: hit && hit.id, hit_ms: Math.round(ms * 10) / 10,
             hit_offset_px: off === null ? null : Math.round(off * 10) / 10,
             answered: off !== null && off <= layer._style.radius + layer._style.weight / 2 + 4});
  }));
})"""


# -- ours: only through geo.map.build's public functions ------------------------------


def ours_base(assets: MapAssets):
    """The constant base map, built with the arguments the map page uses."""
    from geo import basegeo

    return build_base_map(assets, lang="zh", labels=base_labels("zh"),
                          sample_badge="示例数据", legend_title="图例", bounds=basegeo.FUQING_BOUNDS,
                          clip_bounds=basegeo.LAND_CLIP_BOUNDS)


def ours_groups(sites: Sequence, files: PayloadFiles | None = None) -> list:
    """The site feature groups of every kind (all kinds selected, no filter), as the map page builds them.

    ``files``: where the app puts large site payloads (served files the map
    fetches); None keeps every site inline.
    """
    by_kind: dict[str, list] = defaultdict(list)
    for s in sites:
        by_kind[s.kind].append(s)
    return site_layer_groups({k: by_kind.get(k, []) for k in REGISTRY}, lang="zh", files=files)


def ours_map_html(sites: Sequence, assets: MapAssets, files: PayloadFiles | None = None) -> str:
    """The whole map of ``sites`` as one standalone page: base + groups + the layer control the map page
    gives ``st_folium`` (collapsed, top right), rendered (geo.map.build only)."""
    import folium

    m = ours_base(assets)
    for g in ours_groups(sites, files):
        g.add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m.get_root().render()


def fetched_files_bytes(page: str, folder: Path) -> tuple[int, int]:
    """Bytes of the site files a page fetches when it opens, and of those it fetches only when zoomed in.

    The page names its payload files (``sites/<digest>.json``); a payload
    names its kind's detail file (``"du"``), fetched near zoom 13.
    """
    du = r'"du":"sites/([0-9a-f]{32}\.json)"'
    opened = set(re.findall(r"sites/([0-9a-f]{32}\.json)", page))
    detail = set(re.findall(du, page))
    for name in opened - detail:
        detail |= set(re.findall(du, (folder / name).read_text(encoding="utf-8")))
    opened -= detail
    return (sum((folder / name).stat().st_size for name in opened),
            sum((folder / name).stat().st_size for name in detail))


def stfolium_args(base, groups) -> dict:
    """The arguments ``st_folium`` hands to its Streamlit component for this map, as the map page calls it.

    ``streamlit_folium._component_func`` is replaced by a recorder for the
    call, so everything streamlit-folium does on a rerun (render, feature
    group strings, hash of the base map) runs exactly as in the app.
    """
    import folium
    import streamlit_folium

    seen: dict = {}

    def record(**kwargs):
        seen.update(kwargs)
        return kwargs.get("default")

    real = streamlit_folium._component_func
    streamlit_folium._component_func = record
    try:
        streamlit_folium.st_folium(
            base, feature_group_to_add=groups, layer_control=folium.LayerControl(collapsed=True, position="topright"),
            returned_objects=["last_active_drawing"], height=MAP_HEIGHT, use_container_width=True, key=MAP_KEY,
        )
    finally:
        streamlit_folium._component_func = real
    return seen


def component_json(args: dict) -> str:
    """The JSON Streamlit sends for these component arguments (``custom_component.create_instance``)."""
    rest = {k: v for k, v in args.items() if k not in ("default", "key", "on_change", "tab_index")}
    return json.dumps(dict(rest, default=args.get("default"), key=args.get("key")))


def fragment_rerun(sites: Sequence, assets: MapAssets, files: PayloadFiles | None = None) -> tuple[dict, str]:
    """What the map fragment does on every rerun: base + groups + st_folium; (args, JSON sent)."""
    args = stfolium_args(ours_base(assets), ours_groups(sites, files))
    return args, component_json(args)


def _digest(text: str | None) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()[:16]


def measure_click(store, sites: Sequence, reps: int, files: PayloadFiles | None = None) -> dict:
    """Server time of a click on the map, and whether the map would be rebuilt.

    A click reruns the map fragment (the sites are the fragment's arguments,
    not re-read) and opens the detail panel (``get_site`` + ``history``).
    The map is rebuilt (iframe remounted) when streamlit-folium's ``key`` —
    its hash of the base map script — changes; the site layers are re-sent
    and redrawn when the ``feature_group`` script changes.
    """
    if not sites:
        return {"error": "no sites"}
    before, _ = fragment_rerun(sites, ASSETS, files)
    clicked = sites[len(sites) // 2].site_id
    totals, maps, details = [], [], []
    after: dict = {}
    for _ in range(max(1, reps)):
        t0 = time.perf_counter()
        after, _ = fragment_rerun(sites, ASSETS, files)
        t1 = time.perf_counter()
        store.get_site(READER, clicked)
        store.history(READER, clicked)
        t2 = time.perf_counter()
        totals.append((t2 - t0) * 1000)
        maps.append((t1 - t0) * 1000)
        details.append((t2 - t1) * 1000)
    base_same = all(before.get(k) == after.get(k) for k in ("script", "header", "html"))
    return {
        "server_ms": round(statistics.median(totals), 1),
        "map_fragment_ms": round(statistics.median(maps), 1),
        "detail_ms": round(statistics.median(details), 2),
        "map_rebuilt": before.get("key") != after.get("key"),
        "base_identical": base_same,
        "sites_resent": before.get("feature_group") != after.get("feature_group"),
        "hash_before": str(before.get("key"))[:16],
        "hash_after": str(after.get("key"))[:16],
        "feature_group_digest": _digest(after.get("feature_group")),
        "clicked": clicked,
        "reps": max(1, reps),
    }


def detail_picker_bytes(sites: Sequence) -> int:
    """UTF-8 bytes of the detail panel's site picker options, re-sent per rerun.

    One option per shown site up to the map page's ``PICKER_LIMIT``; beyond
    it the page shows a search box and lists only the matches (none here).
    """
    from ui.pages.map_page import PICKER_LIMIT

    if len(sites) > PICKER_LIMIT:
        return 0
    return sum(len(f"{s.site_id} {s.name}".encode()) for s in sites)


# -- one map build in a fresh process (memory, timeouts) ------------------------------


def _peak_rss_mb() -> float:
    """This process's peak RSS: ``VmHWM`` on Linux (``ru_maxrss`` keeps the high-water mark of the forked
    parent across ``exec``, so a worker spawned by a large parent would report the parent's size)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def build_in_process(spec: dict) -> dict:
    """Load the sites of a store, build one map (ours, naive or a peer), write what the browser gets.

    Called in a fresh process. Ours reads the sites as the map page does
    (``map_sites``: display geometries, no stored geometry decoded); the
    others read them with their geometry (``list_sites``).
    """
    from geo.store import GpkgStore

    impl = spec["impl"]
    if impl == "ours":
        import streamlit_folium  # noqa: F401 - imported before timing, as in the running app

    store = GpkgStore(spec["store"])
    t0 = time.perf_counter()
    sites = store.map_sites(READER) if impl == "ours" else store.list_sites(READER)
    out: dict[str, Any] = {"sites": len(sites), "load_s": round(time.perf_counter() - t0, 3),
                           "rss_loaded_mb": _peak_rss_mb()}
    target = Path(spec["html"])
    limit = spec.get("build_limit_s")
    if limit:  # the build alone gets this long (loading the sites does not count)
        import signal

        def too_slow(signum, frame):
            raise TimeoutError

        signal.signal(signal.SIGALRM, too_slow)
        signal.alarm(int(limit))
    t0 = time.perf_counter()
    files = PayloadFiles(target.parent / "sites", "sites/")  # as the app serves them
    extra = b""
    try:
        page, extra = _build(impl, sites, target, files)
    except TimeoutError:
        return {**out, "skipped": f"build not finished in {limit:.0f} s (too slow)", "build_s": None}
    finally:
        if limit:
            signal.alarm(0)
    out["build_s"] = round(time.perf_counter() - t0, 3)
    data = page.encode("utf-8")
    fetched, detail = fetched_files_bytes(page, files.folder) if impl == "ours" else (len(extra), 0)
    del page
    target.write_bytes(data)
    if extra:
        target.with_suffix(".bin").write_bytes(extra)
    out["page_bytes"] = len(data)
    out["fetched_file_bytes"] = fetched
    out["payload_bytes"] = len(data) + fetched
    out["bytes_per_site"] = round(out["payload_bytes"] / max(1, len(sites)), 1)
    if impl == "ours":
        out["detail_file_bytes"] = detail
        out["detail_bytes_per_site"] = round(detail / max(1, len(sites)), 1)
    out["peak_rss_mb"] = _peak_rss_mb()
    if impl == "ours":
        t0 = time.perf_counter()
        args, sent = fragment_rerun(sites, ASSETS, files)
        out["rerun_s"] = round(time.perf_counter() - t0, 3)
        out["stfolium_args_bytes"] = len(sent.encode("utf-8"))
        out["stfolium_args_bytes_per_site"] = round(out["stfolium_args_bytes"] / max(1, len(sites)), 1)
        out["feature_group_bytes"] = len((args.get("feature_group") or "").encode("utf-8"))
        out["base_script_bytes"] = len((args.get("script") or "").encode("utf-8"))
        out["detail_picker_bytes"] = detail_picker_bytes(sites)
        del args, sent
        out["click"] = measure_click(store, sites, spec.get("click_reps", 1), files)
        out["peak_rss_total_mb"] = _peak_rss_mb()
    return out


def _build(impl: str, sites: Sequence, target: Path, files: PayloadFiles) -> tuple[str, bytes]:
    """(the page or JSON the browser gets, the binary file beside it or b"") of one map."""
    from bench import peers

    if impl == "ours":
        return ours_map_html(sites, ASSETS, files), b""
    if impl == "naive":
        from bench.naive import naive_map_html

        return naive_map_html(sites, leaflet_js=ASSETS.leaflet_js, leaflet_css=ASSETS.leaflet_css), b""
    if impl == "folium_canvas_geojson":
        return peers.folium_canvas_geojson_html(sites, ours_base(ASSETS)), b""
    if impl == "folium_fast_marker_cluster":
        return peers.folium_fast_marker_cluster_html(sites, ours_base(ASSETS)), b""
    if impl == "pydeck":
        return peers.pydeck_json(sites), b""  # what st.pydeck_chart sends
    if impl == "floor":
        binary = peers.floor_binary(sites)
        return peers.floor_page(sites, target.with_suffix(".bin").name, ours_base(ASSETS)), binary
    raise ValueError(f"unknown map {impl!r}")


def build_map(impl: str, store: Path, n: int, html: Path, *, click_reps: int, timeout_s: float,
              build_limit_s: float | None = None) -> dict:
    """Run :func:`build_in_process` in a fresh Python (peak RSS is that process's), with a time limit.

    ``build_limit_s`` limits the build itself (loading the sites not counted); ``timeout_s`` the whole process.
    """
    spec = {"impl": impl, "store": str(store), "html": str(html), "click_reps": click_reps,
            "build_limit_s": build_limit_s}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, cwd=ROOT,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
    except subprocess.TimeoutExpired:
        return {"skipped": f"build not finished in {timeout_s:.0f} s (too slow)", "wall_s": round(timeout_s, 1)}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": f"worker exit {proc.returncode}: {proc.stderr.strip()[-800:]}"}
    out = json.loads(lines[-1])
    out["wall_s"] = round(time.perf_counter() - t0, 2)
    return out


# -- status writes: 8 processes -------------------------------------------------------


def _required_changes(spec, transition, site) -> dict:
    """Values for the fields a transition requires and the site lacks (first choice, or a placeholder)."""
    changes = {}
    for name in transition.requires:
        if site.attrs.get(name) is not None:
            continue
        fld = spec.field(name)
        changes[name] = fld.choices[0].code if fld.choices else {"int": 1, "float": 1.0, "bool": True}.get(
            fld.type, "基准测试")
    return changes


def _plain_transition(spec, site):
    """The first change of ``site`` a benchmark can make with placeholder values: no photo, every guard met.

    Statuses behind an evidence gate (a black-odorous body's 初见成效 needs readings) are left out: the synthetic
    sites carry no readings, and the benchmark times writes, not refusals.
    """
    for tr in spec.allowed_next(site.status):
        attrs = {**site.attrs, **_required_changes(spec, tr, site)}
        if not spec.gates_for(tr.dst) and not tr.requires_photo and all(g.holds(tr.dst, attrs) for g in tr.guards) and all(
                r.holds(tr.dst, attrs) for r in spec.rules if r.severity == "error"):
            return tr
    return None


def write_jobs(store, writers: int, per_writer: int, seed: int) -> list[list[tuple[str, str, dict]]]:
    """Distinct sites for each writer, each with one allowed next status (and the fields it needs)."""
    import numpy as np

    sites = [s for s in store.list_sites(READER) if _plain_transition(REGISTRY[s.kind], s) is not None]
    order = np.random.default_rng(seed).permutation(len(sites))
    chosen = [sites[i] for i in order[: writers * per_writer]]
    jobs: list[list[tuple[str, str, dict]]] = [[] for _ in range(writers)]
    for i, s in enumerate(chosen):
        spec = REGISTRY[s.kind]
        tr = _plain_transition(spec, s)
        jobs[i % writers].append((s.site_id, tr.dst, _required_changes(spec, tr, s)))
    return jobs


def _write_worker(path: str, jobs: list, start_at: float, worker: int) -> dict:
    """One writer process: read each site, then time its ``change_status`` (as the status form does)."""
    from geo.errors import OneMapError
    from geo.store import GpkgStore

    from bench.synthetic import WRITER_NAME

    store = GpkgStore(path)
    actor = Actor(WRITER_NAME, role="inspector", client=f"bench-writer-{worker}")
    ready = time.time()
    while time.time() < start_at:
        time.sleep(0.002)
    began = time.time()
    lat, errors = [], []
    for site_id, target, changes in jobs:
        site = store.get_site(actor, site_id)
        t0 = time.perf_counter()
        try:
            store.change_status(actor, site_id, target, expected_version=site.version, op_id=uuid.uuid4().hex,
                                changes=changes, source="bench", note="基准测试")
        except OneMapError as exc:
            errors.append(f"{site_id}: {exc.code}")
            continue
        lat.append((time.perf_counter() - t0) * 1000)
    return {"lat_ms": lat, "errors": errors, "began": began, "ended": time.time(), "late": ready > start_at}


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def measure_writes(path: Path, *, writers: int, per_writer: int, seed: int, timeout_s: float = 300) -> dict:
    """p50/p95/max latency and throughput of ``change_status`` with ``writers`` concurrent processes."""
    from geo.store import GpkgStore

    jobs = write_jobs(GpkgStore(path), writers, per_writer, seed)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(writers) as pool:
        start_at = time.time() + 2.0 + 0.75 * writers  # every process imported and waiting (2 cores)
        res = pool.starmap_async(_write_worker, [(str(path), jobs[w], start_at, w) for w in range(writers)])
        outs = res.get(timeout=timeout_s)
    lat = [x for o in outs for x in o["lat_ms"]]
    wall = max(o["ended"] for o in outs) - min(o["began"] for o in outs)
    errors = [e for o in outs for e in o["errors"]]
    return {
        "writers": writers, "per_writer": per_writer, "writes": len(lat), "errors": len(errors),
        "error_samples": errors[:5], "late_starts": sum(1 for o in outs if o["late"]),
        "p50_ms": _r(_percentile(lat, 0.50)), "p95_ms": _r(_percentile(lat, 0.95)), "max_ms": _r(max(lat, default=None)),
        "throughput_per_s": round(len(lat) / wall, 1) if wall > 0 else None, "wall_s": round(wall, 2),
    }


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(x, nd)


# -- export and import ------------------------------------------------------------------


def measure_export(path: Path, workdir: Path, repeat: int) -> dict:
    """All towns × xlsx (one ZIP, a folder per town), timed by bench/bench_export.py's ``time_export``."""
    from bench.bench_export import time_export
    from geo.export import ExportOptions, output_suffix
    from geo.store import GpkgStore

    opts = ExportOptions(formats=("xlsx",), per_town=True)
    return time_export(GpkgStore(path), opts, workdir / f"all-towns{output_suffix(opts)}", repeat)


IMPORT_HEADERS = ["编号", "名称", "所属镇街", "状态", "受纳水体", "排污口类型", "整治方式", "经度", "纬度"]


def import_workbook(rows: int, seed: int) -> bytes:
    """An outfall ledger of ``rows`` synthetic rows as a town would send it (xlsx, Chinese headers and labels)."""
    import io

    from openpyxl import Workbook

    from bench.synthetic import KIND_SHARES, synthetic_sites
    from geo import towns

    spec = REGISTRY["outfalls"]
    need = math.ceil(rows / KIND_SHARES["outfalls"]) + 10
    outfalls = [s for s in synthetic_sites(need, seed + 1) if s.kind == "outfalls"][:rows]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("入海排污口")
    ws.append(IMPORT_HEADERS)
    for i, s in enumerate(outfalls, start=1):
        method = s.attrs.get("remediation_method")
        ws.append([
            f"PWK-I{i:06d}", s.name, towns.town_by_code(s.town_code).name_zh, spec.status(s.status).zh,
            spec.field("receiving_water").choice(s.attrs["receiving_water"]).zh,
            spec.field("outfall_type").choice(s.attrs["outfall_type"]).zh,
            spec.field("remediation_method").choice(method).zh if method else None,
            f"{s.geometry.x:.6f}", f"{s.geometry.y:.6f}",
        ])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def measure_import(rows: int, workdir: Path, seed: int) -> dict:
    """Parse + check + write a ``rows``-row xlsx ledger into a fresh store (as ``cli.py import`` does)."""
    from bench.synthetic import BENCH_ACTOR
    from geo.ingest import CrsChoice, prepare_import
    from geo.store import create_store

    data = import_workbook(rows, seed)
    store = create_store(workdir / "import.gpkg", force=True)
    t0 = time.perf_counter()
    existing = {s.site_id: s for s in store.list_sites(BENCH_ACTOR)}
    plan = prepare_import(data, "合成台账.xlsx", kind="outfalls", crs=CrsChoice.parse("wgs84"), existing=existing)
    t1 = time.perf_counter()
    written = 0
    if plan.candidates:
        result = store.import_batch(BENCH_ACTOR, [c.site for c in plan.candidates], source_name="合成台账.xlsx",
                                    expected=plan.expected())
        written = len(result.created) + len(result.updated)
    t2 = time.perf_counter()
    return {"rows": rows, "file_mb": round(len(data) / 1e6, 2), "parse_check_s": round(t1 - t0, 2),
            "write_s": round(t2 - t1, 2), "total_s": round(t2 - t0, 2), "written": written,
            "errors": len(plan.errors), "error_samples": [f"{p.row}: {p.code}" for p in plan.errors[:5]]}


# -- one size ---------------------------------------------------------------------------


class DeckPage:
    """``streamlit run bench/pydeck_app.py`` on a free local port, showing the pydeck specs of ``folder``."""

    def __init__(self, folder: Path, log: Path):
        from bench.appserver import AppServer

        self.server = AppServer(None, log, {"ONEMAP_BENCH_PYDECK_DIR": str(folder)},
                                app=ROOT / "bench" / "pydeck_app.py", timeout=90,
                                options=("--server.maxMessageSize", "2000"))

    def url(self, name: str) -> str:
        return f"{self.server.url}/?spec={name}"

    def stop(self) -> None:
        self.server.stop()


def ratio(naive: float | None, ours: float | None) -> float | None:
    """other / ours (how many times ours is smaller or faster)."""
    if naive is None or ours in (None, 0):
        return None
    return round(naive / ours, 2)


def time_interleaved(browser, pages: list[tuple[str, dict]], n: int, reps: int) -> list[dict]:
    """Time-to-drawn of every page, the repetitions interleaved (page 1, page 2 … then again).

    On a shared machine the load drifts: interleaving puts every map under
    the same drift, so the ratios of one run compare like with like. A page
    whose load failed is not tried again; one whose loads have used
    :data:`BROWSER_BUDGET_S` stops repeating.
    """
    from bench.browser import DrawResult

    results = [DrawResult(page=url.rsplit("/", 1)[-1], expected=n) for url, _ in pages]
    spent = [0.0] * len(pages)
    for rep in range(max(1, reps)):
        for i, (url, options) in enumerate(pages):
            res = results[i]
            if res.error or (rep and spent[i] > BROWSER_BUDGET_S):
                continue
            t0 = time.monotonic()
            try:
                one = browser.time_to_drawn(url, n, runs=1, timeout_s=BROWSER_RUN_TIMEOUT_S,
                                            **(options if rep == 0 else
                                               {k: v for k, v in options.items() if k != "probe"}))
            except Exception as exc:  # noqa: BLE001 - the driver died on this page: say so, go on with the rest
                res.error = f"{type(exc).__name__}: {str(exc)[:200]}"
                continue
            finally:
                spent[i] += time.monotonic() - t0
            res.runs_ms += one.runs_ms
            res.from_navigation_ms += one.from_navigation_ms
            res.layers = one.layers
            res.outside_requests += one.outside_requests
            res.settle_s += one.settle_s
            res.unsettled += one.unsettled
            res.outside_urls = (res.outside_urls + one.outside_urls)[:5]
            res.js_errors += one.js_errors
            res.error = one.error
            if rep == 0 and "probe" in options:
                res.probe = one.probe
    out = []
    for res in results:
        if res.runs_ms:
            res.median_ms = round(statistics.median(res.runs_ms), 1)
        out.append(res.as_dict())
    return out


def _peer_name(name: str, n: int) -> str:
    return f"{name}-{n}.json" if name == "pydeck" else f"{name}-{n}.html"


def run_size(n: int, args, workdir: Path, browser, deck: "DeckPage | None" = None) -> dict:
    """Every per-size figure for ``n`` sites (ours, naive, each peer)."""
    from bench.peers import PEERS
    from bench.synthetic import POINT_KINDS, cached_store

    points_only = n == MILLION
    t0 = time.perf_counter()
    store = cached_store(n, args.seed, kinds=POINT_KINDS if points_only else None)
    store_s = round(time.perf_counter() - t0, 2)
    reps = 1 if args.quick or points_only else args.reps
    _log(f"[{n}] store ready ({store_s} s); building ours")
    ours = build_map("ours", store, n, workdir / f"ours-{n}.html", click_reps=reps if n <= 10_000 else 1,
                     timeout_s=BUILD_TIMEOUT_S)
    _log(f"[{n}] ours: {ours.get('build_s')} s, {ours.get('payload_bytes')} B {ours.get('error') or ''}")
    if points_only:
        naive = {"skipped": f"not run at {n:,} sites (point sites only: ours and the floor)"}
    else:
        naive_timeout = NAIVE_LARGE_TIMEOUT_S if n > NAIVE_LARGE else BUILD_TIMEOUT_S
        naive = build_map("naive", store, n, workdir / f"naive-{n}.html", click_reps=0, timeout_s=naive_timeout)
        _log(f"[{n}] naive: {naive.get('build_s') or naive.get('skipped') or naive.get('error')}")
    peers: dict[str, dict] = {}
    for name in PEERS:
        if name not in args.peers:
            continue
        if points_only and name != "floor":
            peers[name] = {"skipped": f"not run at {n:,} sites (point sites only: ours and the floor)"}
            continue
        peers[name] = build_map(name, store, n, workdir / _peer_name(name, n), click_reps=0,
                                timeout_s=PEER_TIMEOUT_S + 600, build_limit_s=PEER_TIMEOUT_S)
        d = peers[name]
        _log(f"[{n}] {name}: {d.get('build_s')} s, {d.get('payload_bytes')} B {d.get('skipped') or d.get('error') or ''}")
    if browser is not None:
        pages: list[tuple[dict, str, dict]] = []  # (figures, URL, options) of every map to time
        if "payload_bytes" in ours:
            pages.append((ours, args.base_url + f"ours-{n}.html", {"probe": CLICK_PROBE}))
        naive_max = 10_000 if args.quick else args.naive_browser_max
        if "payload_bytes" in naive and n <= naive_max:
            pages.append((naive, args.base_url + f"naive-{n}.html", {}))
        elif "payload_bytes" in naive:
            naive["drawn"] = {"skipped": f"naive browser run skipped above {naive_max} sites (too slow)"}
        for name, d in peers.items():
            if "payload_bytes" not in d:
                continue
            if d["payload_bytes"] > BROWSER_MAX_PAYLOAD_BYTES:
                d["drawn"] = {"skipped": f"payload {d['payload_bytes'] / 1e6:.0f} MB: not opened (above "
                                         f"{BROWSER_MAX_PAYLOAD_BYTES / 1e6:.0f} MB the browser driver runs out "
                                         f"of memory)"}
                continue
            if name != "pydeck":
                pages.append((d, args.base_url + _peer_name(name, n), {}))
            elif deck is None:
                d["drawn"] = {"skipped": "no Streamlit page for pydeck"}
            else:
                pages.append((d, deck.url(_peer_name(name, n)), {"start_selector": DECK_SELECTOR}))
        for d, res in zip([p[0] for p in pages], time_interleaved(browser, [p[1:] for p in pages], n, reps)):
            d["drawn"] = res
        if "drawn" in ours:
            ours["browser_click"] = ours["drawn"].pop("probe", None)
        for name, d in [("ours", ours), ("naive", naive), *peers.items()]:
            dr = d.get("drawn") or {}
            _log(f"[{n}] {name} drawn: {dr.get('median_ms')} ms {dr.get('error') or dr.get('skipped') or ''}")
    for impl in (ours, naive, *peers.values()):
        impl["time_to_drawn_ms"] = (impl.get("drawn") or {}).get("median_ms")
    for name, d in list(peers.items()):  # the three figures the issue names first, then the rest
        peers[name] = {"bytes_per_site": d.get("bytes_per_site"), "time_to_drawn_ms": d.get("time_to_drawn_ms"),
                       "build_s": d.get("build_s"), **d,
                       "ratio": {"payload": ratio(d.get("payload_bytes"), ours.get("payload_bytes")),
                                 "time_to_drawn": ratio(d.get("time_to_drawn_ms"), ours.get("time_to_drawn_ms")),
                                 "build": ratio(d.get("build_s"), ours.get("build_s"))}}
    return {
        "sites": n, "points_only": points_only, "store_ready_s": store_s, "ours": ours, "naive": naive,
        "peers": peers,
        "ratio": {
            "payload": ratio(naive.get("payload_bytes"), ours.get("payload_bytes")),
            "build": ratio(naive.get("build_s"), ours.get("build_s")),
            "time_to_drawn": ratio(naive.get("time_to_drawn_ms"), ours.get("time_to_drawn_ms")),
            "memory": ratio(naive.get("peak_rss_mb"), ours.get("peak_rss_mb")),
        },
    }


def targets_report(sizes: dict, writes: dict | None) -> dict:
    """The issue's targets against this run's figures (None: not measured)."""

    def check(value, ok):
        return {"value": value, "met": None if value is None else bool(ok(value))}

    out: dict[str, Any] = {}
    s = sizes.get(str(TARGETS_AT))
    if not s:
        out["note"] = f"no {TARGETS_AT}-site run"
    else:
        ours, click = s["ours"], s["ours"].get("click") or {}
        bps, drawn = ours.get("bytes_per_site"), ours.get("time_to_drawn_ms")
        floor = (s.get("peers") or {}).get("floor") or {}
        vs_floor = ratio(bps, floor.get("bytes_per_site"))
        rivals = {k: v.get("time_to_drawn_ms") for k, v in (s.get("peers") or {}).items() if k in RIVALS}
        slowest_ok = None
        if drawn is not None and rivals:
            # a rival that could not draw (or build) at all is behind ours
            slowest_ok = all(v is None or drawn < v for v in rivals.values())
        out.update({
            "payload_bytes_per_site": check(bps, lambda v: v <= TARGETS["payload_bytes_per_site_max"]),
            "payload_vs_floor": check(vs_floor, lambda v: v <= TARGETS["payload_vs_floor_max"]),
            "time_to_drawn_ms": check(drawn, lambda v: v <= TARGETS["time_to_drawn_ms_max"]),
            "time_to_drawn_ahead_of_every_peer": {"value": rivals or None, "met": slowest_ok},
            "click_server_ms": check(click.get("server_ms"), lambda v: v <= TARGETS["click_server_ms_max"]),
            "click_map_rebuilt": check(click.get("map_rebuilt"), lambda v: v is False),
            "write_p95_ms": check((writes or {}).get("p95_ms"), lambda v: v <= TARGETS["write_p95_ms_max"]),
        })
    big = sizes.get(str(LARGE_AT))
    if big:
        o = big["ours"]
        out.update({
            "first_build_s_100k": check(o.get("build_s"), lambda v: v <= TARGETS["first_build_s_max_100k"]),
            "rerun_s_100k": check(o.get("rerun_s"), lambda v: v <= TARGETS["rerun_s_max_100k"]),
            "time_to_drawn_ms_100k": check(o.get("time_to_drawn_ms"), lambda v: v <= TARGETS["time_to_drawn_ms_max_100k"]),
            "peak_rss_mb_100k": check(o.get("peak_rss_total_mb"), lambda v: v <= TARGETS["peak_rss_mb_max_100k"]),
        })
    million = sizes.get(str(MILLION))
    if million:
        o = million["ours"]
        bc = o.get("browser_click") or {}
        out["million_points"] = {"value": {"drawn_ms": o.get("time_to_drawn_ms"), "click_server_ms":
                                           (o.get("click") or {}).get("server_ms"), "browser_hit": bc.get("hit")},
                                 "met": None if o.get("time_to_drawn_ms") is None else bool(
                                     o.get("time_to_drawn_ms") and bc.get("answered"))}
    out["targets"] = TARGETS
    return out


# -- output ---------------------------------------------------------------------------------


def _fmt(v, unit: str = "") -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.2f}{unit}" if abs(v) < 100 else f"{v:,.0f}{unit}"
    if isinstance(v, int):
        return f"{v:,}{unit}"
    return f"{v}{unit}"


ROWS = (
    ("payload: page + site files (MB)", lambda d: _mb(d.get("payload_bytes")), "payload"),
    ("payload bytes/site", lambda d: d.get("bytes_per_site"), None),
    ("  detail when zoomed in (B/site)", lambda d: d.get("detail_bytes_per_site"), None),
    ("st_folium args per rerun (MB)", lambda d: _mb(d.get("stfolium_args_bytes")), None),
    ("  of which site groups (MB)", lambda d: _mb(d.get("feature_group_bytes")), None),
    ("server build s (base+groups+render)", lambda d: d.get("build_s"), "build"),
    ("rerun s (base+groups+st_folium)", lambda d: d.get("rerun_s"), None),
    ("time-to-drawn ms (4x CPU)", lambda d: d.get("time_to_drawn_ms"), "time_to_drawn"),
    ("load s (read the store)", lambda d: d.get("load_s"), None),
    ("peak RSS MB (load+build)", lambda d: d.get("peak_rss_mb"), "memory"),
    ("peak RSS MB (+ rerun, clicks)", lambda d: d.get("peak_rss_total_mb"), None),
    ("click server ms", lambda d: (d.get("click") or {}).get("server_ms"), None),
    ("  map fragment ms", lambda d: (d.get("click") or {}).get("map_fragment_ms"), None),
    ("  detail (get_site+history) ms", lambda d: (d.get("click") or {}).get("detail_ms"), None),
    ("  in the browser: hit test ms", lambda d: (d.get("browser_click") or {}).get("hit_ms"), None),
    ("map rebuilt on click", lambda d: (d.get("click") or {}).get("map_rebuilt"), None),
    ("site layers re-sent on click", lambda d: (d.get("click") or {}).get("sites_resent"), None),
    ("site picker options (KB/rerun)", lambda d: _kb(d.get("detail_picker_bytes")), None),
)


def _mb(b):
    return None if b is None else round(b / 1e6, 2)


def _kb(b):
    return None if b is None else round(b / 1e3, 1)


def peers_table(sizes: list) -> str:
    """Ours, naive and every peer: bytes per site, time-to-drawn, build, peak RSS; x = other / ours."""
    from bench.peers import PEERS

    w0, w = 28, 9
    head = f"{'map':<{w0}}" + "".join(f"| {s['sites']:>,} sites".ljust(4 * w + 10) for s in sizes)
    sub = f"{'':<{w0}}" + "".join(f"| {'B/site':>{w}}{'drawn ms':>{w + 3}}{'build s':>{w}}{'RSS MB':>{w}} "
                                  for _ in sizes)
    lines = [head, sub, "-" * len(sub)]

    def cell(d: dict, ours: dict) -> str:
        if d.get("skipped") or d.get("error") or d.get("payload_bytes") is None:
            why = "cannot build in 60 s" if "not finished" in str(d.get("skipped")) else (
                "not run" if d.get("skipped") else "failed")
            return f"| {why:>{4 * w + 3}}      "
        r = ratio(d.get("time_to_drawn_ms"), ours.get("time_to_drawn_ms"))
        drawn = _fmt(d.get("time_to_drawn_ms")) + (f" {r:.1f}x" if r and d is not ours else "")
        return f"| {_fmt(d.get('bytes_per_site')):>{w}}{drawn:>{w + 8}}{_fmt(d.get('build_s')):>{w}}" \
               f"{_fmt(d.get('peak_rss_mb')):>{w}} "

    for name in ("ours", "naive", *PEERS):
        row = f"{name:<{w0}}"
        present = False
        for s in sizes:
            d = s["ours"] if name == "ours" else s["naive"] if name == "naive" else (s.get("peers") or {}).get(name)
            if d is None:
                row += f"| {'—':>{4 * w + 3}}      "
                continue
            present = True
            row += cell(d, s["ours"])
        if present:
            lines.append(row)
    lines.append("(drawn: time-to-drawn at 4x CPU throttle, 1024x768; Nx = that map's time / ours; pydeck counted "
                 "from its chart's arrival in the Streamlit page, Streamlit's own start not counted)")
    return "\n".join(lines)


def settle_line(sizes: list) -> str:
    """How long the browser loads waited for a quiet machine, and how many started before it was."""
    from bench.browser import SETTLE_MAX_S

    waits, unsettled = [], 0
    for s in sizes:
        for d in [s["ours"], s["naive"], *(s.get("peers") or {}).values()]:
            dr = d.get("drawn") or {}
            waits += dr.get("settle_s") or []
            unsettled += dr.get("unsettled") or 0
    if not waits:
        return "(browser loads: none)"
    if not any(waits) and not unsettled:
        return f"(browser loads: {len(waits)}, each started at once: no wait for a quiet machine)"
    return (f"(browser loads: {len(waits)}, each started once the CPUs were quiet: waited median "
            f"{statistics.median(waits):.2f} s, max {max(waits):.2f} s; {unsettled} started unsettled after "
            f"{SETTLE_MAX_S:.0f} s)")


def format_table(result: dict) -> str:
    """Rows = measurements; per size three columns: ours, naive, naive/ours."""
    sizes = list(result["sizes"].values())
    w0, w = 38, 10
    head = f"{'measurement':<{w0}}" + "".join(f"| {s['sites']:>,} sites".ljust(3 * w + 2) for s in sizes)
    sub = f"{'':<{w0}}" + "".join(f"| {'ours':>{w - 1}}{'naive':>{w}}{'ratio':>{w}} " for _ in sizes)
    lines = [head, sub, "-" * len(sub)]
    for label, get, key in ROWS:
        row = f"{label:<{w0}}"
        for s in sizes:
            o, nv = get(s["ours"]), get(s["naive"])
            rt = s["ratio"].get(key) if key else None
            row += f"| {_fmt(o):>{w - 1}}{_fmt(nv):>{w}}{_fmt(rt, 'x') if rt is not None else '':>{w}} "
        lines.append(row)
    lines += ["", peers_table(sizes), settle_line(sizes)]
    notes = []
    for s in sizes:
        for impl, d in [("ours", s["ours"]), ("naive", s["naive"]), *(s.get("peers") or {}).items()]:
            for k in ("skipped", "error"):
                if d.get(k):
                    notes.append(f"{s['sites']:,} {impl}: {d[k]}")
            dr = d.get("drawn") or {}
            if dr.get("skipped") or dr.get("error"):
                notes.append(f"{s['sites']:,} {impl} browser: {dr.get('skipped') or dr.get('error')}")
            if dr.get("outside_requests") or dr.get("js_errors"):
                notes.append(f"{s['sites']:,} {impl} browser: {dr.get('outside_requests')} outside requests "
                             f"aborted {dr.get('outside_urls', [])[:2]}, JS errors {dr.get('js_errors')[:2]}")
    w_ = result.get("writes") or {}
    e_ = result.get("export") or {}
    i_ = result.get("import") or {}
    lines += [
        "",
        f"status writes ({w_.get('writers')} processes x {w_.get('per_writer')}, store of {w_.get('store_sites')}): "
        f"p50 {_fmt(w_.get('p50_ms'))} ms, p95 {_fmt(w_.get('p95_ms'))} ms, max {_fmt(w_.get('max_ms'))} ms, "
        f"{_fmt(w_.get('throughput_per_s'))}/s, errors {w_.get('errors')}" if w_ and "p50_ms" in w_ else
        f"status writes: {w_.get('error') or w_.get('skipped') or '—'}",
        f"export all towns xlsx ({e_.get('sites')} sites): median {_fmt(e_.get('median_s'))} s, {e_.get('mb')} MB, "
        f"{e_.get('files_in_zip')} files" if e_ and "median_s" in e_ else f"export: {e_.get('error') or '—'}",
        f"import xlsx {i_.get('rows')} rows: parse+check {_fmt(i_.get('parse_check_s'))} s, write "
        f"{_fmt(i_.get('write_s'))} s, total {_fmt(i_.get('total_s'))} s, written {i_.get('written')}, "
        f"errors {i_.get('errors')}" if i_ and "total_s" in i_ else f"import: {i_.get('error') or '—'}",
    ]
    t = result.get("targets") or {}
    checked = [(k, v) for k, v in t.items() if isinstance(v, dict) and "value" in v]
    if checked:
        lines.append("targets: " + ", ".join(
            f"{k} {_fmt(v['value']) if not isinstance(v['value'], dict) else v['value']} "
            f"({'met' if v['met'] else 'NOT met' if v['met'] is False else '—'})" for k, v in checked))
    if notes:
        lines += ["", "notes:"] + [f"  {n}" for n in notes]
    return "\n".join(lines)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    versions = {}
    for mod in ("folium", "streamlit", "streamlit_folium", "shapely", "playwright"):
        try:
            from importlib.metadata import version

            versions[mod] = version(mod.replace("_", "-"))
        except Exception:  # noqa: BLE001 - a missing package is reported as missing
            versions[mod] = None
    return {"cpus": os.cpu_count(), "cpu": cpu, "ram_gb": mem, "python": platform.python_version(),
            "platform": platform.platform(), "packages": versions}


def _load() -> list[float] | None:
    """1, 5 and 15 minute load averages: other work on the machine skews every figure."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                    help="comma-separated site counts (default 1000,10000,100000)")
    ap.add_argument("--quick", action="store_true", help="one repetition; no naive browser run above 10,000 sites")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    ap.add_argument("--no-settle", action="store_true",
                    help="start each browser load at once, not on a quiet machine (bench/browser.py settle)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reps", type=int, default=3, help="repetitions of browser loads and clicks (median)")
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--writes-per-writer", type=int, default=50)
    ap.add_argument("--import-rows", type=int, default=10_000)
    ap.add_argument("--million", action="store_true",
                    help=f"also {MILLION:,} point sites (ours and the floor; the store takes minutes the first time)")
    ap.add_argument("--peers", default="all",
                    help="comma-separated peers to measure (default all: folium_canvas_geojson, "
                         "folium_fast_marker_cluster, pydeck, floor; 'none' for none)")
    ap.add_argument("--naive-browser-max", type=int, default=100_000,
                    help="largest naive map opened in the browser (it must also have built in time)")
    ap.add_argument("--workdir", type=Path, help="keep the pages and stores here (default: a temporary folder)")
    ap.add_argument("--json-out", type=Path, help="also write the JSON result to this file")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.million and MILLION not in args.sizes:
        args.sizes.append(MILLION)
    from bench.peers import PEERS

    args.peers = list(PEERS) if args.peers == "all" else [] if args.peers == "none" else \
        [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = set(args.peers) - set(PEERS)
    if unknown:
        ap.error(f"unknown peers {sorted(unknown)}; known: {', '.join(PEERS)}")
    return args


def _pick_write_size(sizes: Sequence[int]) -> int:
    sizes = [s for s in sizes if s != MILLION]
    if 10_000 in sizes:
        return 10_000
    small = [s for s in sizes if s <= 10_000]
    return max(small) if small else 10_000


def run(args) -> dict:
    from bench import browser as bbrowser
    from bench.synthetic import cached_store, copy_store

    result: dict[str, Any] = {"benchmark": "map_scale", "machine": machine(), "load_average": {"start": _load()},
                              "seed": args.seed,
                              "quick": args.quick, "throttle": 4, "viewport": bbrowser.VIEWPORT, "sizes": {},
                              "notes": []}
    started = time.perf_counter()
    tmp = None
    workdir = args.workdir
    if workdir is None:
        tmp = tempfile.mkdtemp(prefix="onemap-bench-run-")
        workdir = Path(tmp)
    workdir.mkdir(parents=True, exist_ok=True)
    bbrowser.prepare_site_dir(workdir)
    try:
        why = None if not args.no_browser else "--no-browser"
        if why is None:
            why = bbrowser.browser_available()
        if why:
            result["notes"].append(f"browser measurements skipped: {why}")
        with bbrowser.serve(workdir) as base_url:
            args.base_url = base_url
            browser = None if why else bbrowser.Browser(throttle=4.0, settle=not args.no_settle).__enter__()
            deck = None
            try:
                if browser is not None and "pydeck" in args.peers:
                    try:
                        deck = DeckPage(workdir, workdir / "pydeck-streamlit.log")
                    except Exception as exc:  # noqa: BLE001 - the other maps are still measured
                        result["notes"].append(f"pydeck page not started: {type(exc).__name__}: {exc}")
                for n in args.sizes:
                    result["sizes"][str(n)] = run_size(n, args, workdir, browser, deck)
                    result["load_average"][f"after_{n}"] = _load()
            finally:
                if deck is not None:
                    deck.stop()
                if browser is not None:
                    browser.__exit__(None, None, None)
        wn = _pick_write_size(args.sizes)
        work_store = copy_store(cached_store(wn, args.seed), workdir / f"writes-{wn}.gpkg")
        _log(f"status writes on a copy of the {wn}-site store")
        try:
            result["writes"] = {"store_sites": wn, **measure_writes(
                work_store, writers=args.writers, per_writer=args.writes_per_writer, seed=args.seed)}
        except Exception as exc:  # noqa: BLE001 - one failed part must not lose the others
            result["writes"] = {"store_sites": wn, "error": f"{type(exc).__name__}: {exc}"}
        _log("export all towns xlsx")
        try:
            result["export"] = measure_export(work_store, workdir, 1 if args.quick else 2)
        except Exception as exc:  # noqa: BLE001
            result["export"] = {"error": f"{type(exc).__name__}: {exc}"}
        _log(f"import {args.import_rows} rows")
        try:
            result["import"] = measure_import(args.import_rows, workdir, args.seed)
        except Exception as exc:  # noqa: BLE001
            result["import"] = {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    result["load_average"]["end"] = _load()
    result["targets"] = targets_report(result["sizes"], result.get("writes"))
    result["total_s"] = round(time.perf_counter() - started, 1)
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(build_in_process(json.loads(args.worker)), ensure_ascii=False))
        return 0
    result = run(args)
    print(format_table(result))
    print(f"(total {result['total_s']} s; Python {result['machine']['python']}, {result['machine']['cpus']} CPUs; "
          f"load average at start {result['load_average']['start']}, at end {result['load_average']['end']})")
    line = json.dumps(result, ensure_ascii=False, default=str)
    if args.json_out:
        args.json_out.write_text(line + "\n", encoding="utf-8")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
