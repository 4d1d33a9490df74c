"""Faults around the files the app writes and the store it opens: what the CLI says and leaves, before and after.

Runs the CLI of a checkout (first argument; add ``old`` for a checkout whose
commands take no ``--as``) against a sample store with the test accounts:
an import whose ``--report`` folder is missing, an import report / a town
report / an export onto a full disk, a store on a full disk, a town report
with a name of 1,200 characters (written straight into the store, as an
older import could), ``audit --since 2026-13-45`` and an export without
``--as``. The full disk is a 3 MB tmpfs filled up, so this needs root
(``mount``); it is unmounted at the end. One line per case: exit code,
whether a traceback was shown, the last line said, and what was left::

    python bench/hostile_faults.py .                 # this checkout
    python bench/hostile_faults.py /tmp/main old     # main, unpacked with git archive
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
LEDGER = ("编号,名称,所属镇街,状态,所在海湾,排污口类型,经度,纬度\n"
          "{id},探针排口,海口镇,已排查,福清湾,工业排污口,119.45,25.68\n")


class Probe:
    def __init__(self, root: Path, old: bool):
        self.root, self.old = root, old
        self.work = Path(tempfile.mkdtemp(prefix="onemap-faults-"))
        self.env = {**os.environ, "ONEMAP_CACHE": str(self.work / "cache")}
        self.env.pop("ONEMAP_RAISE_INTERNAL", None)
        if not old:
            self.env["ONEMAP_LOG"] = str(self.work / "errors.log")
        self.full = self.work / "full"
        self.full.mkdir()

    def cli(self, store: Path, *args, as_user: bool = True) -> subprocess.CompletedProcess:
        cmd = [sys.executable, str(self.root / "cli.py"), "--store", str(store), *map(str, args)]
        if as_user and not self.old and "--as" not in args and args[0] != "init":
            cmd += ["--as", "管理员"]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=self.root, env=self.env)

    def store(self, path: Path) -> Path:
        self.cli(path, "init", as_user=False)
        code = (f"import sys; sys.path[:0] = [{str(self.root)!r}, {str(HERE)!r}]\n"
                "from geo.store import GpkgStore\nfrom tests.factories import add_accounts\n"
                f"add_accounts(GpkgStore({str(path)!r}))")
        subprocess.run([sys.executable, "-c", code], check=True, cwd=self.root, capture_output=True)
        return path

    def mount(self) -> None:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(self.full)], check=True)

    def fill(self) -> None:
        try:
            with open(self.full / "filler", "wb") as fh:
                while True:
                    fh.write(b"\0" * 65536)
        except OSError:
            pass

    def umount(self) -> None:
        subprocess.run(["umount", str(self.full)], capture_output=True)


def said(p: subprocess.CompletedProcess) -> str:
    lines = p.stderr.strip().splitlines()
    tb = " TRACEBACK" if "Traceback" in p.stderr else ""
    return f"exit {p.returncode}{tb}: " + (lines[-1][:120] if lines else p.stdout.strip()[:120])


def count(path: Path, sql: str, *args) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchone()[0]
    finally:
        conn.close()


def size(path: Path) -> str:
    return f"{path.stat().st_size} bytes" if path.exists() else "none"


def run(pr: Probe) -> dict[str, str]:
    out: dict[str, str] = {}
    store = pr.store(pr.work / "store.gpkg")
    ledger = pr.work / "a.csv"
    batches = "SELECT count(*) FROM import_batches"
    ledger.write_text(LEDGER.format(id="PWK-801"), encoding="utf-8")
    b0 = count(store, batches)
    p = pr.cli(store, "import", ledger, "--kind", "outfalls", "--crs", "wgs84", "--as", "管理员",
               "--report", pr.work / "no" / "r.json")
    out["import --report into a missing folder"] = f"{said(p)}; batches written {count(store, batches) - b0}"
    pr.mount()
    try:
        pr.fill()
        ledger.write_text(LEDGER.format(id="PWK-802"), encoding="utf-8")
        b0 = count(store, batches)
        p = pr.cli(store, "import", ledger, "--kind", "outfalls", "--crs", "wgs84", "--as", "管理员",
                   "--report", pr.full / "r.json")
        out["import --report onto a full disk"] = (f"{said(p)}; batches written {count(store, batches) - b0}; "
                                                   f"report file {size(pr.full / 'r.json')}")
        p = pr.cli(store, "report", "--town", "海口镇", "-o", pr.full / "r.pdf")
        out["town report onto a full disk"] = f"{said(p)}; file left {size(pr.full / 'r.pdf')}"
        a0 = count(store, "SELECT coalesce(max(id), 0) FROM audit_log")
        p = pr.cli(store, "export", "--town", "海口镇", "--format", "xlsx", "-o", pr.full / "x.xlsx")
        conn = sqlite3.connect(store)
        rows = conn.execute("SELECT outcome FROM audit_log WHERE action='export' AND id > ?", (a0,)).fetchall()
        conn.close()
        out["export onto a full disk"] = f"{said(p)}; audit rows {[r[0] for r in rows]}"
    finally:
        pr.umount()
    pr.mount()
    try:
        shutil.copyfile(store, pr.full / "s.gpkg")
        pr.fill()
        out["store on a full disk"] = said(pr.cli(pr.full / "s.gpkg", "summary"))
    finally:
        pr.umount()
    conn = sqlite3.connect(store)
    conn.execute("UPDATE outfalls SET name = ? WHERE site_id = (SELECT site_id FROM outfalls "
                 "WHERE town_code = '350181103' LIMIT 1)", ("超长名称" * 300,))
    conn.commit()
    conn.close()
    p = pr.cli(store, "report", "--town", "海口镇", "-o", pr.work / "long.pdf")
    out["town report, a name of 1,200 characters"] = f"{said(p)}; file {size(pr.work / 'long.pdf')}"
    out["audit --since 2026-13-45"] = said(pr.cli(store, "audit", "--since", "2026-13-45"))
    a0 = count(store, "SELECT coalesce(max(id), 0) FROM audit_log")
    p = pr.cli(store, "export", "--town", "海口镇", "--format", "csv", "-o", pr.work / "x.csv", as_user=False)
    conn = sqlite3.connect(store)
    who = [r[0] for r in conn.execute("SELECT actor FROM audit_log WHERE action='export' AND id > ?", (a0,))]
    conn.close()
    out["export without --as"] = f"{said(p)}; audited as {who}"
    return out


def main(argv: list[str]) -> int:
    if os.geteuid() != 0:
        print("needs root: the full disk is a small tmpfs (mount)")
        return 1
    root = Path(argv[0] if argv else ".").resolve()
    probe = Probe(root, old=len(argv) > 1 and argv[1] == "old")
    print(f"# {root}")
    for case, text in run(probe).items():
        print(f"{case:<42} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
