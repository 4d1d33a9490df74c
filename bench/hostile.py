"""Hostile uploads through the import pipeline: outcome, seconds and peak memory per case, each in a bounded child.

Every case runs in its own process with an address-space cap (``--mem-mb``,
default 1024) and a CPU-time cap (``--cpu-s``, default 60), so a case that
would take the machine down (a cell at XFD1048576 asked 5-6 GB before the
hardening) ends as ``MemoryError``/``killed`` instead. ``--root`` runs the
cases against another checkout of the code (e.g. ``git archive main`` unpacked
in /tmp) for before/after figures::

    python bench/hostile.py                       # this checkout
    python bench/hostile.py --root /tmp/main      # another one (the factories still come from here)

Prints one line per case: outcome (problem codes, or the exception that
escaped), wall seconds, peak resident MB of the child.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

#: case -> (builder expression in tests/hostile_factories.py, file name, kind)
CASES = {
    "xlsx cell at XFD1048576": ("xlsx_cell_at_xfd()", "a.xlsx", "outfalls"),
    "xlsx merged I3:XFD1048576": ("xlsx_merged_to_the_end()", "a.xlsx", "outfalls"),
    "xlsx formatted empty A1048576": ("xlsx_formatted_empty_last_row()", "a.xlsx", "outfalls"),
    "xlsx dimension lies (value at col 600)": ("xlsx_lying_dimension()", "a.xlsx", "outfalls"),
    "xlsx sheet with DOCTYPE": ("xlsx_with_doctype()", "a.xlsx", "outfalls"),
    "kml 5,000 nested folders": ("kml_nested_folders(5000)", "a.kml", "outfalls"),
    "kml 3,000 nested MultiGeometry": ("kml_nested_multigeometry(3000)", "a.kml", "outfalls"),
    "kml utf-16 + entities": ("kml_entities('utf-16-le')", "a.kml", "outfalls"),
    "kml utf-16 no BOM + entities": ("kml_entities('utf-16-le', bom=False)", "a.kml", "outfalls"),
    "kml utf-32 + entities": ("kml_entities('utf-32-le')", "a.kml", "outfalls"),
    "kmz utf-16 + entities": ("kmz_of(kml_entities('utf-16-be'))", "a.kmz", "outfalls"),
    "csv header only": ("csv_header_only()", "a.csv", "outfalls"),
    "csv 20 MB one line": ("csv_one_long_line(20)", "a.csv", "outfalls"),
    "csv name with NUL": ("csv_with_name(CONTROL_NAMES['nul'])", "a.csv", "outfalls"),
    "csv name with ESC": ("csv_with_name(CONTROL_NAMES['esc'])", "a.csv", "outfalls"),
    "csv name with U+202E": ("csv_with_name(CONTROL_NAMES['rlo'])", "a.csv", "outfalls"),
    "csv name of 1,200 chars": ("csv_long_name(1200)", "a.csv", "outfalls"),
    "csv name of 2,000,000 chars": ("csv_long_name(2_000_000)", "a.csv", "outfalls"),
}

CHILD = r"""
import importlib.util, json, resource, sys, time
root, here, expr, name, kind = sys.argv[1:6]
sys.path[:0] = [root]
spec = importlib.util.spec_from_file_location("hostile_factories", here + "/tests/hostile_factories.py")
hf = importlib.util.module_from_spec(spec); spec.loader.exec_module(hf)
data = eval(expr, vars(hf))
from geo.ingest import CrsChoice, prepare_import
t = time.perf_counter()
try:
    plan = prepare_import(data, name, kind=kind, crs=CrsChoice.parse("wgs84"), existing={})
    errors = sorted({p.code for p in plan.problems if p.is_error})
    names = [c.site.name for c in plan.candidates]
    out = {"outcome": ("problems: " + ", ".join(errors)) if errors else
           f"accepted {len(plan.candidates)} row(s)" + (f", name {names[0][:24]!r} ({len(names[0])} chars)" if names else ""),
           "report_bytes": len(json.dumps(plan.report(), ensure_ascii=False).encode())}
except BaseException as exc:
    out = {"outcome": f"{type(exc).__name__}: {str(exc)[:80]}"}
out["seconds"] = round(time.perf_counter() - t, 2)
print(json.dumps(out, ensure_ascii=False))
"""


def run_case(root: Path, expr: str, name: str, kind: str, mem_mb: int, cpu_s: int) -> dict:
    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (mem_mb * 1024 * 1024,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))

    import tempfile

    t = time.perf_counter()
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(HERE), expr, name, kind],
                                stdout=out_f, stderr=err_f, preexec_fn=limits, cwd=str(root))
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t
        out_f.seek(0)
        err_f.seek(0)
        stdout, stderr = out_f.read().decode(errors="replace"), err_f.read().decode(errors="replace")
    peak = usage.ru_maxrss
    line = stdout.strip().splitlines()[-1] if stdout.strip() else ""
    try:
        out = json.loads(line)
    except ValueError:
        tail = (stderr.strip().splitlines() or ["?"])[-1]
        out = {"outcome": f"killed (rc {proc.returncode}): {tail[:80]}", "seconds": round(wall, 1)}
    out["peak_mb"] = round(peak / 1024)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", default=str(HERE), help="the checkout whose geo/ is run (default: this one)")
    p.add_argument("--mem-mb", type=int, default=1024)
    p.add_argument("--cpu-s", type=int, default=60)
    p.add_argument("--only", help="run the cases whose name contains this")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    args = p.parse_args(argv)
    root = Path(args.root).resolve()
    print(f"# root {root}  (caps: {args.mem_mb} MB address space, {args.cpu_s} s CPU per case)")
    for case, (expr, name, kind) in CASES.items():
        if args.only and args.only not in case:
            continue
        out = run_case(root, expr, name, kind, args.mem_mb, args.cpu_s)
        if args.json:
            print(json.dumps({"case": case, **out}, ensure_ascii=False))
        else:
            peak = f"{out['peak_mb']} MB" if out.get("peak_mb") else "?"
            print(f"{case:<40} {out.get('seconds', '?'):>7} s {peak:>8}  {out['outcome']}"
                  + (f"  report {out['report_bytes'] / 1e6:.1f} MB" if out.get("report_bytes", 0) > 1e6 else ""))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
