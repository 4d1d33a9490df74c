"""Benchmark: the dashboard's figures (``geo.domain.targets.progress``) for the sample and synthetic sites.

Times :func:`progress` with and without the reference areas (the sample's built-up area, near
suburbs and heat-network coverage): without them the area and location targets are skipped,
with them the clean-fuel coverage is measured in the equal-area projection and every coal
boiler is located. The synthetic sites (``bench.synthetic``) have about 7 % zones and 3 %
boilers; their zones overlap far more than real ones, so the area figures are a worst case.

Usage::

    python bench/bench_progress.py                     # sample, 10,000 and 100,000 sites
    python bench/bench_progress.py --sites 2000 --repeat 5

Prints a table, then one JSON line with every figure (the last line of output).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import shapely  # noqa: E402

from bench.synthetic import normalise_geometry, synthetic_sites  # noqa: E402
from geo.domain.coverage import ReferenceAreas  # noqa: E402
from geo.domain.targets import progress  # noqa: E402
from geo.sample import plan, reference_areas  # noqa: E402
from geo.store.base import Site  # noqa: E402

DAY = date(2025, 6, 30)


def _sites(new_sites) -> list[Site]:
    out = []
    for s in new_sites:
        s = normalise_geometry(s)
        out.append(Site(kind=s.kind, site_id=s.site_id, name=s.name, town_code=s.town_code, status=s.status,
                        version=0, geometry=s.geometry, deadline=s.deadline, attrs=s.attrs, is_sample=True))
    return out


def _time(sites, reference, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        progress(sites, DAY, reference=reference)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sites", type=int, nargs="*", default=[10_000, 100_000])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    reference = ReferenceAreas(areas={k: shapely.union_all([g for _, g in v]) for k, v in reference_areas().items()})
    cases = [("sample", _sites(ps.site for ps in plan()))] + [(str(n), _sites(synthetic_sites(n))) for n in args.sites]
    figures = {}
    print(f"{'sites':>10} {'no reference (s)':>18} {'with reference (s)':>20}")
    for name, sites in cases:
        without = _time(sites, None, args.repeat)
        with_ref = _time(sites, reference, args.repeat)
        figures[name] = {"n": len(sites), "no_reference_s": round(without, 3), "with_reference_s": round(with_ref, 3)}
        print(f"{name:>10} {without:18.3f} {with_ref:20.3f}")
    print(json.dumps({"bench": "progress", "repeat": args.repeat, "figures": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
