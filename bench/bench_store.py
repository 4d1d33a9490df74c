"""The two store backends side by side: status writes under load, reads of the map and of a town, a migration.

Run from the project folder (PostgreSQL and PostGIS from Debian's packages; the
script starts its own throwaway cluster on a private socket, as the tests do)::

    python bench/bench_store.py [--sizes 10000,100000] [--writers 8,32] [--per-writer 25] [--quick]

For each size, the synthetic store (``bench/synthetic.py``, cached) is copied
to PostGIS with ``geo.store.transfer.copy_store`` — the migration, timed with
its verification — and then both stores are read: every site (what the map
loads) and one town's sites (what a town's inspector loads), median of three.
Status writes are timed on the first size with 8 and 32 concurrent writer
processes per backend (each on distinct sites, as inspectors in the field),
each run on a fresh copy of the store. Figures are printed as a table; the
last line is JSON. The machine's load average is printed with them: the
machine is shared, so compare the two backends within one run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import _percentile, write_jobs  # noqa: E402
from bench.synthetic import WRITER_NAME, cached_store  # noqa: E402
from geo.store import Actor, existing_store  # noqa: E402

READER = Actor("基准读者", role="system", client="bench")


def _worker(locator: str, jobs: list, start_at: float, worker: int) -> dict:
    from geo.errors import OneMapError

    store = existing_store(locator)
    actor = Actor(WRITER_NAME, role="inspector", client=f"bench-writer-{worker}")
    while time.time() < start_at:
        time.sleep(0.002)
    lat, errors = [], []
    for site_id, target, changes in jobs:
        site = store.get_site(actor, site_id)
        t0 = time.perf_counter()
        try:
            store.change_status(actor, site_id, target, expected_version=site.version, op_id=uuid.uuid4().hex,
                                changes=changes, source="bench")
        except OneMapError as exc:
            errors.append(exc.code)
            continue
        lat.append((time.perf_counter() - t0) * 1000)
    if hasattr(store, "close"):
        store.close()
    return {"lat_ms": lat, "errors": errors}


def measure_writes(locator: str, writers: int, per_writer: int) -> dict:
    store = existing_store(locator)
    jobs = write_jobs(store, writers, per_writer, seed=7)
    if hasattr(store, "close"):
        store.close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(writers) as pool:
        start_at = time.time() + 3.0 + 0.5 * writers
        outs = pool.starmap_async(_worker, [(locator, jobs[w], start_at, w) for w in range(writers)]).get(timeout=900)
    lat = [x for o in outs for x in o["lat_ms"]]
    return {"writers": writers, "writes": len(lat), "errors": sum(len(o["errors"]) for o in outs),
            "p50_ms": round(_percentile(lat, 0.5), 1), "p95_ms": round(_percentile(lat, 0.95), 1),
            "max_ms": round(max(lat), 1)}


def measure_reads(store) -> dict:
    def median_time(fn, repeat=3):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            n = len(fn())
            times.append(time.perf_counter() - t0)
        return round(statistics.median(times), 3), n

    counts = {}
    for kind, town, _status, n in store.counts(READER):
        counts[town] = counts.get(town, 0) + n
    town = max(counts, key=counts.get)
    all_s, n_all = median_time(lambda: store.list_sites(READER))
    town_s, n_town = median_time(lambda: store.list_sites(READER, towns=[town]))
    return {"all_s": all_s, "all_sites": n_all, "town_s": town_s, "town_sites": n_town, "town": town}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--writers", default="8,32")
    ap.add_argument("--per-writer", type=int, default=25)
    ap.add_argument("--quick", action="store_true", help="1,000 sites, 4 writers x 5 (a smoke run)")
    args = ap.parse_args(argv)
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    writer_counts = [4] if args.quick else [int(w) for w in args.writers.split(",")]
    per_writer = 5 if args.quick else args.per_writer

    sys.path.insert(0, str(ROOT / "tests"))
    from geo.store import GpkgStore
    from geo.store.postgis import PgStore
    from geo.store.transfer import copy_store
    from tests.pg_cluster import start_cluster

    cluster, root = start_cluster()
    work = Path(tempfile.mkdtemp(prefix="onemap-bench-store-"))
    results = {"load_avg": os.getloadavg(), "cpus": os.cpu_count(), "sizes": {}}
    try:
        for n in sizes:
            src = cached_store(n)
            gpkg_path = work / f"n{n}.gpkg"
            shutil.copy(src, gpkg_path)
            gpkg = GpkgStore(gpkg_path)
            url = cluster.new_database(prefix=f"n{n}_")
            from geo.store.postgis import create_pg_store

            t0 = time.perf_counter()
            destination = create_pg_store(url)
            report = copy_store(gpkg, destination)
            migrate_s = time.perf_counter() - t0
            destination.close()
            pg = PgStore(url)
            row = {"migrate_s": round(migrate_s, 1), "migrate_ok": report.ok,
                   "history_rows": report.tables["site_history"]["rows"],
                   "gpkg_reads": measure_reads(gpkg), "postgis_reads": measure_reads(pg), "writes": []}
            pg.close()
            if n == sizes[0]:
                for w in writer_counts:
                    fresh_gpkg = work / f"w{w}.gpkg"
                    shutil.copy(gpkg_path, fresh_gpkg)
                    fresh_pg = cluster.copy_database(url)
                    row["writes"].append({"backend": "gpkg", **measure_writes(str(fresh_gpkg), w, per_writer)})
                    row["writes"].append({"backend": "postgis", **measure_writes(fresh_pg, w, per_writer)})
            results["sizes"][n] = row
            print(f"\n{n:,} sites — migration GeoPackage → PostGIS {row['migrate_s']} s "
                  f"({row['history_rows']:,} history rows, verified: {report.ok})")
            for backend in ("gpkg", "postgis"):
                r = row[f"{backend}_reads"]
                print(f"  {backend:8s} read whole map {r['all_s']:.3f} s ({r['all_sites']:,} sites)   "
                      f"one town {r['town_s']:.3f} s ({r['town_sites']:,} sites)")
            for wr in row["writes"]:
                print(f"  {wr['backend']:8s} {wr['writers']:2d} writers: p50 {wr['p50_ms']} ms  p95 {wr['p95_ms']} ms  "
                      f"max {wr['max_ms']} ms  ({wr['writes']} writes, {wr['errors']} errors)")
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average {results['load_avg']}, {results['cpus']} CPUs")
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
