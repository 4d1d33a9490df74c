"""Monitoring tables: checking and writing an imported file, and the dashboard's usage figures.

For a store of ``--berths`` berths and ``--outfalls`` outfalls (GeoPackage in a temporary folder):

* **shore-power usage** — a CSV of ``--months`` monthly rows per berth: time to read and check it
  (``prepare_observations``), to write it as one batch (``import_observations``), and to compute the usage
  rate per berth, port area and month over every stored row (``usage_figures``);
* **outfall results** — a CSV of ``--samples`` samples per outfall: check and write;
* **re-import** — the same usage file again: every row found *unchanged*, nothing written.

    python bench/bench_monitoring.py                       # 200 berths x 24 months, 500 outfalls x 6 samples
    python bench/bench_monitoring.py --berths 50 --months 12 --outfalls 100 --samples 4

Figures are printed (a table, then one JSON line); nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shapely.geometry import Point  # noqa: E402

from geo.domain.shore_power_usage import usage_figures  # noqa: E402
from geo.ingest.observations import prepare_observations  # noqa: E402
from geo.store import Actor, NewSite, create_store  # noqa: E402
from layers import OBSERVATIONS  # noqa: E402

SYSTEM = Actor("bench", role="system", client="bench")
AREAS = ("江阴港区", "元洪港区", "松下港区")


def _csv(rows) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def _sites(berths: int, outfalls: int) -> list[NewSite]:
    out = [NewSite("shore_power_berths", f"AD-B{i:04d}", f"泊位{i}", "350181116", "available", Point(119.27, 25.45),
                   attrs={"port_area": AREAS[i % 3], "berth_no": f"{i}#", "berth_type": "container", "tonnage_t": 50000})
           for i in range(berths)]
    out += [NewSite("outfalls", f"PWK-B{i:04d}", f"排口{i}", "350181103", "traced", Point(119.47, 25.66),
                    attrs={"discharge_into": "sea", "receiving_water": "fuqing_bay", "outfall_type": "industrial"})
            for i in range(outfalls)]
    return out


def _timed(fn):
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--berths", type=int, default=200)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--outfalls", type=int, default=500)
    ap.add_argument("--samples", type=int, default=6)
    args = ap.parse_args(argv)
    use, out = OBSERVATIONS["shore_power_usage"], OBSERVATIONS["outfall_monitoring"]
    with tempfile.TemporaryDirectory() as tmp:
        store = create_store(Path(tmp) / "bench.gpkg", lambda s: s.add_sites(SYSTEM, _sites(args.berths, args.outfalls)))
        sites = store.list_sites(SYSTEM)
        usage_rows = [["泊位编号", "月份", "靠泊艘次", "使用岸电艘次", "接电时长", "用电量"]]
        for i in range(args.berths):
            for m in range(args.months):
                calls = 5 + (i * 7 + m * 3) % 20
                usage_rows.append([f"AD-B{i:04d}", f"{2024 + m // 12}年{m % 12 + 1}月", calls, calls // 3, calls * 4,
                                   calls * 1500])
        data = _csv(usage_rows)
        figures = {}
        # The first read of a file imports the readers (pandas, openpyxl ...): timed apart, not in the figures.
        _, figures["first_call_imports_s"] = _timed(lambda: prepare_observations(
            _csv(usage_rows[:2]), "warm.csv", spec=use, sites=sites, stored=[]))
        plan, figures["usage_check_s"] = _timed(lambda: prepare_observations(data, "u.csv", spec=use, sites=sites,
                                                                             stored=[]))
        assert not plan.has_errors, plan.errors[:3]
        _, figures["usage_write_s"] = _timed(lambda: store.import_observations(SYSTEM, use.key, plan.writable,
                                                                                 source_name="u.csv"))
        stored = store.all_observations(SYSTEM)
        result, figures["usage_figures_s"] = _timed(lambda: usage_figures(sites, stored, None,
                                                                           months=args.months))
        again, figures["usage_recheck_s"] = _timed(lambda: prepare_observations(
            data, "u.csv", spec=use, sites=sites, stored=store.list_observations(SYSTEM, use.key)))
        sample_rows = [["排污口编号", "采样日期", "采样时间", "化学需氧量", "氨氮", "总氮", "总磷", "流量", "是否达标", "执行标准",
                        "检测单位"]]
        for i in range(args.outfalls):
            for k in range(args.samples):
                sample_rows.append([f"PWK-B{i:04d}", date(2025, 1 + k % 12, 1 + i % 28).isoformat(), "09:30",
                                    60 + (i + k) % 80, 5 + k, 9 + k, 1.2, 300, "达标" if (i + k) % 3 else "超标",
                                    "GB 8978-1996 一级", "检测公司"])
        odata = _csv(sample_rows)
        oplan, figures["outfall_check_s"] = _timed(lambda: prepare_observations(odata, "o.csv", spec=out, sites=sites,
                                                                                stored=[]))
        assert not oplan.has_errors, oplan.errors[:3]
        _, figures["outfall_write_s"] = _timed(lambda: store.import_observations(SYSTEM, out.key, oplan.writable,
                                                                                   source_name="o.csv"))
    figures = {k: round(v, 3) for k, v in figures.items()}
    figures.update(usage_rows=len(usage_rows) - 1, outfall_rows=len(sample_rows) - 1,
                   unchanged_on_reimport=sum(1 for c in again.candidates if c.action == "unchanged"),
                   total_rate=round(result["total"]["rate"], 4))
    print(f"{'what':<28}{'rows':>8}{'seconds':>10}   (first call, module imports: {figures['first_call_imports_s']} s)")
    for label, rows, key in (("usage: read + check", figures["usage_rows"], "usage_check_s"),
                             ("usage: write (one batch)", figures["usage_rows"], "usage_write_s"),
                             ("usage: figures", figures["usage_rows"], "usage_figures_s"),
                             ("usage: re-import check", figures["usage_rows"], "usage_recheck_s"),
                             ("outfalls: read + check", figures["outfall_rows"], "outfall_check_s"),
                             ("outfalls: write", figures["outfall_rows"], "outfall_write_s")):
        print(f"{label:<28}{rows:>8}{figures[key]:>10.3f}")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
