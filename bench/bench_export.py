"""Benchmark: export all towns as xlsx (one ZIP, a folder per town) for the sample data and for 10,000 sites.

The 10,000 sites are SYNTHETIC: copies of the sample sites (same kind, town,
status and attributes), each moved by up to about 1 km at random and kept
only where its representative point stays inside the Fuqing boundary, with
ids ``<prefix>-S00001`` … and names ending in ``·合成00001``. The benchmark
store is marked as sample data, so every file it writes says 示例数据.

Usage::

    python bench/bench_export.py                   # sample + 10,000 sites, xlsx
    python bench/bench_export.py --sites 2000 --formats xlsx csv kmz --repeat 3

Prints a table, then one JSON line with every figure (the last line of output).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from shapely import affinity  # noqa: E402

from geo.basegeo import in_county  # noqa: E402
from geo.export import ExportOptions, load_selection, output_suffix, write_selection  # noqa: E402
from geo.sample import populate_sample  # noqa: E402
from geo.store import Actor, GpkgStore, NewSite, create_store  # noqa: E402

BENCH = Actor("bench", role="system", client="bench")
JITTER_DEG = 0.01  # about 1 km


def build_synthetic(path: Path, templates, n: int, seed: int = 20250101) -> GpkgStore:
    """A store of ``n`` synthetic sites jittered from ``templates`` (inside the county)."""
    rng = np.random.default_rng(seed)
    planned = []
    for i in range(n):
        tpl = templates[i % len(templates)]
        geom = tpl.geometry
        for scale in (1.0, 0.5, 0.2, 0.05):
            dx, dy = rng.uniform(-JITTER_DEG, JITTER_DEG, 2) * scale
            moved = affinity.translate(tpl.geometry, dx, dy)
            rep = shapely.point_on_surface(moved)
            if in_county(rep.x, rep.y):
                geom = moved
                break
        prefix = tpl.site_id.split("-")[0]
        planned.append(NewSite(
            kind=tpl.kind, site_id=f"{prefix}-S{i + 1:05d}", name=f"{tpl.name}·合成{i + 1:05d}",
            town_code=tpl.town_code, status=tpl.status, geometry=geom, deadline=tpl.deadline,
            responsible=tpl.responsible, is_sample=True, attrs=dict(tpl.attrs),
        ))

    def populate(store):
        for start in range(0, len(planned), 2000):
            store.add_sites(BENCH, planned[start:start + 2000], source="bench")
        store.set_meta(BENCH, "data_origin", "sample")
        store.set_meta(BENCH, "sample_notice", "合成基准数据：仅供性能测试 (synthetic benchmark data)")

    return create_store(path, populate)


def time_export(store, options: ExportOptions, out: Path, repeat: int) -> dict:
    """Median and best wall time of read + write, and the split between them."""
    totals, reads, writes = [], [], []
    size = n_sites = n_files = 0
    for _ in range(repeat):
        if out.exists():
            out.unlink()
        t0 = time.perf_counter()
        sel = load_selection(store, BENCH, options)
        t1 = time.perf_counter()
        res = write_selection(sel, out)
        t2 = time.perf_counter()
        reads.append(t1 - t0)
        writes.append(t2 - t1)
        totals.append(t2 - t0)
        size, n_sites, n_files = out.stat().st_size, res.n_sites, len(res.members)
    return {"median_s": round(statistics.median(totals), 3), "best_s": round(min(totals), 3),
            "read_s": round(statistics.median(reads), 3), "write_s": round(statistics.median(writes), 3),
            "sites": n_sites, "files_in_zip": n_files, "mb": round(size / 1e6, 2), "repeat": repeat}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", type=int, default=10_000, help="synthetic sites (default 10000)")
    ap.add_argument("--formats", nargs="+", default=["xlsx"], help="formats to time (default xlsx)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is reported")
    args = ap.parse_args(argv)

    results = []
    with tempfile.TemporaryDirectory(prefix="onemap-bench-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        sample = create_store(tmp / "sample.gpkg", populate_sample)
        build_sample_s = time.perf_counter() - t0
        templates = sample.list_sites(BENCH)
        t0 = time.perf_counter()
        synthetic = build_synthetic(tmp / "synthetic.gpkg", templates, args.sites)
        build_synth_s = time.perf_counter() - t0
        for label, store in (("sample", sample), (f"synthetic {args.sites}", synthetic)):
            for fmt in args.formats:
                opts = ExportOptions(formats=(fmt,), per_town=True)
                fig = time_export(store, opts, tmp / f"out{output_suffix(opts)}", args.repeat)
                results.append({"data": label, "format": fmt, "mode": "all towns, folder per town (zip)", **fig})
                # one file with every site, for comparison
                opts = ExportOptions(formats=(fmt,), towns=None)
                fig = time_export(store, opts, tmp / f"one{output_suffix(opts)}", args.repeat)
                results.append({"data": label, "format": fmt, "mode": "all towns, one file", **fig})

    head = f"{'data':<18}{'format':<8}{'mode':<36}{'sites':>7}{'files':>7}{'MB':>7}{'read s':>8}{'write s':>9}{'median s':>10}{'best s':>8}"
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r['data']:<18}{r['format']:<8}{r['mode']:<36}{r['sites']:>7}{r['files_in_zip']:>7}{r['mb']:>7.2f}"
              f"{r['read_s']:>8.3f}{r['write_s']:>9.3f}{r['median_s']:>10.3f}{r['best_s']:>8.3f}")
    print(f"(store build: sample {build_sample_s:.1f} s, synthetic {build_synth_s:.1f} s; "
          f"Python {platform.python_version()}, {platform.machine()})")
    print(json.dumps({"benchmark": "export_all_towns", "synthetic_sites": args.sites, "results": results,
                      "build_s": {"sample": round(build_sample_s, 2), "synthetic": round(build_synth_s, 2)},
                      "python": platform.python_version()}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
