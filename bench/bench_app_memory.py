"""Memory of the running app server with a large store: the whole process, as a bureau's machine sees it.

``bench/run.py`` measures one map build in a fresh Python (the map's own
imports and work). This starts the real server (``streamlit run app.py``, the
README's command, started by :class:`bench.appserver.AppServer`) on a copy of a synthetic store of N sites and reads the
server's resident memory (VmRSS, and its high-water mark VmHWM, from
``/proc``; its child processes added) at each step of what a user does:

1. started, nobody connected;
2. the map page opened in headless Chromium and every site drawn;
3. a site tapped (the detail panel opens: a rerun) and the map moved;
4. a second browser session opening the map (what each more user costs).

Run: ``python bench/bench_app_memory.py`` (100,000 sites; ``--sites N``).
Prints a table, then one JSON line. Needs Chromium and Playwright, like the
browser figures of ``bench/run.py``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.appserver import AppServer, map_frame  # noqa: E402
from bench.browser import CHROMIUM, CHROMIUM_ARGS, browser_available  # noqa: E402

#: Sites per kind on the map, from the site layers' hook.
COUNTS_JS = "() => (window.__onemapSites ? window.__onemapSites.counts() : {})"


def _memory_mb(pid: int) -> dict:
    """VmRSS and VmHWM (MB) of ``pid`` and its children, summed."""
    pids = [pid]
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(p) for p in out]
    except OSError:
        pass
    rss = hwm = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1])
        except OSError:
            continue
    return {"rss_mb": round(rss / 1024, 1), "hwm_mb": round(hwm / 1024, 1), "processes": len(pids)}


def _wait_drawn(page, n: int, timeout_s: float) -> tuple[object, float]:
    """The map frame once all ``n`` sites are in it and drawn; seconds it took."""
    t0 = time.perf_counter()
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        frame = map_frame(page, max(1.0, deadline - time.time()))
        try:
            counts = frame.evaluate(COUNTS_JS)
            pending = frame.evaluate("() => window.__onemapSites && window.__onemapSites.pending()")
        except Exception:  # noqa: BLE001 - remounted meanwhile: find it again
            continue
        if sum(counts.values()) >= n and pending is False:
            return frame, time.perf_counter() - t0
        time.sleep(0.5)
    raise RuntimeError(f"not every site drawn in {timeout_s:.0f} s")


def _tap_a_site(page, frame, timeout_s: float) -> float:
    """Zoom in on an outfall, tap it, wait for its detail panel; seconds from the tap."""
    target = frame.evaluate("""() => {
      const S = window.__onemapSites, f = S.features('outfalls').find(x => x.lat !== null);
      window.map.setView([f.lat, f.lng], 17, {animate: false});
      const p = S.pixelOf(f.id), hit = S.idAt(p[0], p[1]);  // sites may share a spot: the one on top
      return {id: hit && hit.id ? hit.id : f.id, x: p[0], y: p[1]};
    }""")
    page.wait_for_timeout(500)
    t0 = time.perf_counter()
    frame.locator(".leaflet-container").click(position={"x": target["x"], "y": target["y"]})
    # Points a few pixels apart overlap at this density: the panel opens for the one the tap chose.
    chosen = None
    while chosen is None and time.perf_counter() - t0 < timeout_s:
        chosen = frame.evaluate("() => window.__onemapSites.selected()")
        time.sleep(0.05)
    page.get_by_text(chosen or target["id"]).first.wait_for(timeout=timeout_s * 1000)
    return time.perf_counter() - t0


def _open_map(browser, url: str, viewport: dict, n: int, timeout_s: float):
    """A new session (browser context) opening the map: (page, map frame, seconds until every site was drawn)."""
    page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    page.goto(url, wait_until="domcontentloaded")
    frame, drawn_s = _wait_drawn(page, n, timeout_s)
    return page, frame, drawn_s


def run(n: int, seed: int, timeout_s: float) -> dict:
    from playwright.sync_api import sync_playwright

    from bench.synthetic import cached_store, copy_store

    t0 = time.perf_counter()
    src = cached_store(n, seed)
    out: dict = {"benchmark": "app_memory", "sites": n, "store_ready_s": round(time.perf_counter() - t0, 1),
                 "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                             "platform": platform.platform()},
                 "load_average_start": [round(x, 2) for x in os.getloadavg()]}
    with tempfile.TemporaryDirectory(prefix="onemap-appmem-") as tmp:
        work = Path(tmp)
        store = copy_store(src, work / "store.gpkg")
        server = AppServer(store, work / "streamlit.log", {"ONEMAP_FILES": str(work / "files"),
                                                           "ONEMAP_CACHE": str(work / "cache")}, timeout=120)
        try:
            time.sleep(2)
            out["started"] = _memory_mb(server.pid)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                page, frame, drawn_s = _open_map(browser, server.url, {"width": 1366, "height": 768}, n, timeout_s)
                out["first_map_s"] = round(drawn_s, 1)
                out["first_map"] = _memory_mb(server.pid)
                print(f"map drawn in {drawn_s:.1f} s: {out['first_map']}", file=sys.stderr)
                out["tap_to_panel_s"] = round(_tap_a_site(page, frame, timeout_s), 2)
                frame.evaluate("() => { window.map.setView([25.6, 119.4], 11, {animate: false}); }")
                page.wait_for_timeout(1500)
                out["after_tap"] = _memory_mb(server.pid)
                _, _, second_s = _open_map(browser, server.url, {"width": 1024, "height": 768}, n, timeout_s)
                out["second_session_map_s"] = round(second_s, 1)
                out["second_session"] = _memory_mb(server.pid)
                browser.close()
        finally:
            server.stop()
    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return out


def format_table(r: dict) -> str:
    rows = [("started, nobody connected", "started"), ("map opened, every site drawn", "first_map"),
            ("a site tapped, map moved", "after_tap"), ("a second session's map", "second_session")]
    lines = [f"app server memory, {r['sites']:,} sites (MB; VmRSS now / VmHWM peak so far)",
             f"{'step':34s} {'RSS':>8s} {'peak':>8s}"]
    for label, key in rows:
        m = r.get(key) or {}
        lines.append(f"{label:34s} {m.get('rss_mb', '—'):>8} {m.get('hwm_mb', '—'):>8}")
    lines.append(f"first map drawn in {r.get('first_map_s')} s, tap to panel {r.get('tap_to_panel_s')} s, "
                 f"second session's map {r.get('second_session_map_s')} s")
    lines.append(f"load average at start {r['load_average_start']}, at end {r['load_average_end']}; "
                 f"{r['machine']['cpus']} CPUs, Python {r['machine']['python']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=240, help="seconds for the map to draw (each session)")
    args = ap.parse_args(argv)
    why = browser_available()
    if why:
        print(why)
        return 2
    result = run(args.sites, args.seed, args.timeout)
    print(format_table(result))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
