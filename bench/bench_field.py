"""The offline field client: pack size and sync time, for a town of the sample and for 1,000 sites.

For each scenario an inspector's pack is fetched and changes made "offline"
are synced the way the client does it, over real HTTP against the app's own
routes served by uvicorn (the field API, the store, the photo folder — not
Streamlit's page, which plays no part in a sync):

* **pack** — its bytes as JSON and gzip-compressed (what travels), the time to
  build and send it (median of ``--reps``), and a revalidation that comes back
  ``304 Not Modified``;
* **sync** — ``--changes`` changes of distinct sites, each with one photo the
  device resized (1600×1200 JPEG, distinct content): per change, is the photo
  there (``HEAD``), its chunks (``PUT``), the change (``POST``); then the pack
  refreshed. Total and per change; then the same requests replayed (nothing
  changes: checked and printed);
* **readings** — ``--readings`` days of readings at distinct sites with a
  monitoring table (three rows at a black-odorous body, one at an outfall or a
  berth), posted as the client posts them, then replayed (written once).

Scenarios: the sample store with an inspector of 江阴镇 (the sample's largest
town), and a synthetic store of 1,000 sites (``bench/synthetic.py``) with an
inspector of every town (so the pack holds all 1,000).

    python bench/bench_field.py                      # both scenarios, 20 changes, 5 reps
    python bench/bench_field.py --changes 50 --reps 9 --json-out field.json

Figures are printed (a table, then one JSON line); nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import uvicorn  # noqa: E402
from PIL import Image  # noqa: E402
from starlette.applications import Starlette  # noqa: E402

from geo import towns  # noqa: E402
from geo.domain.rules import state_problems  # noqa: E402
from geo.field.uploads import CHUNK_MAX  # noqa: E402
from geo.store import Actor, create_store  # noqa: E402
from geo.web.routes import web_middleware, web_routes  # noqa: E402
from geo.web.settings import WebSettings  # noqa: E402
from layers import REGISTRY  # noqa: E402

SYSTEM = Actor("基准测试", role="system", client="bench")
INSPECTOR = "基准离线巡查员"
PASSWORD = "基准测试-offline field 2025"
JIANGYIN = "350181116"
H = {"X-Requested-With": "onemap-field"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The app's routes (field API included) served by uvicorn on 127.0.0.1 in a thread."""

    def __init__(self, store_path: Path, cache: Path):
        settings = WebSettings(store=str(store_path), cache_root=cache)
        app = Starlette(routes=web_routes(settings), middleware=web_middleware(settings))
        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class Client:
    """One keep-alive HTTP connection with the field client's cookie and header."""

    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.origin = f"http://127.0.0.1:{port}"
        self.cookie = f"onemap_session={token}"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        h = {**H, "Cookie": self.cookie, "Origin": self.origin, **(headers or {})}
        try:
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle keep-alive connection: a new one, as a browser would open.
            self.conn.close()
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def _photo(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    base = np.linspace(0, 255, 1600, dtype=np.float32)[None, :, None].repeat(1200, 0).repeat(3, 2)
    noise = rng.normal(0, 9, (1200, 1600, 3)).astype(np.float32)
    im = Image.fromarray(np.clip(base * 0.6 + 60 + noise, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _value(field: dict):
    if field["type"] == "choice":
        return field["choices"][0]["code"]
    if field["type"] == "bool":
        return True
    if field["type"] in ("int", "float"):
        return 1
    if field["type"] == "date":
        return "2025-12-01"
    return "基准"


def _first_move(site: dict, kind: dict) -> tuple[dict | None, dict]:
    """The first transition of ``site`` the store would apply: its required fields filled (a photo is sent with
    every change), its guards and the kind's error rules holding on the state it leads to (as a careful
    inspector would record it; the store decides either way)."""
    spec = REGISTRY[site["kind"]]
    for move in (t for t in kind["transitions"] if t["from"] == site["status"]):
        fields = {f["name"]: _value(f) for f in kind["fields"] if f["name"] in move["requires"]}
        after = {**site["attrs"], **fields}
        tr = spec.transition(move["from"], move["to"])
        if all(g.holds(move["to"], after) for g in tr.guards) and \
                not any(p.is_error for p in state_problems(spec, move["to"], after)):
            return move, fields
    return None, {}


def _changes(pack: dict, n: int) -> list[dict]:
    """``n`` changes of distinct sites, each a transition the pack allows, required fields filled."""
    out = []
    now = int(time.time() * 1000)
    for site in pack["sites"]:
        kind = pack["kinds"][site["kind"]]
        move, fields = _first_move(site, kind)
        if move is None:
            continue
        g = site["geometry"]
        lon, lat = (g["coordinates"] if g["type"] == "Point" else (119.4, 25.6))
        out.append({"op_id": uuid.uuid4().hex, "site_id": site["id"], "base_version": site["version"],
                    "to_status": move["to"], "note": "基准离线变更", "fields": fields, "photos": [],
                    "fix": {"lon": lon, "lat": lat, "accuracy_m": 8, "time": now - 60_000},
                    "captured_at": now - 50_000, "sent_at": now})
        if len(out) == n:
            break
    return out


def _pack(client: Client, reps: int) -> dict:
    t0 = time.perf_counter()
    client.request("GET", "/field/api/pack", headers={"Accept-Encoding": "gzip"})
    cold = time.perf_counter() - t0
    times, gz_times = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        status, headers, raw = client.request("GET", "/field/api/pack", headers={"Accept-Encoding": "identity"})
        times.append(time.perf_counter() - t0)
        assert status == 200, status
        t0 = time.perf_counter()
        status, gz_headers, gz = client.request("GET", "/field/api/pack", headers={"Accept-Encoding": "gzip"})
        gz_times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    status304, _, _ = client.request("GET", "/field/api/pack", headers={"If-None-Match": gz_headers["etag"],
                                                                        "Accept-Encoding": "gzip"})
    revalidate = time.perf_counter() - t0
    pack = json.loads(raw)
    return {"sites": len(pack["sites"]), "bytes": len(raw), "gzip_bytes": len(gz),
            "bytes_per_site": round(len(raw) / max(1, len(pack["sites"])), 1),
            "cold_ms": round(cold * 1000, 1), "ms": round(statistics.median(times) * 1000, 1),
            "gzip_ms": round(statistics.median(gz_times) * 1000, 1),
            "revalidate_ms": round(revalidate * 1000, 1), "revalidate_status": status304, "pack": pack}


def _upload(client: Client, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    status, headers, _ = client.request("HEAD", f"/field/api/photos/{sha}")
    if headers.get("upload-complete") == "?1":
        return sha
    offset = int(headers.get("upload-offset", "0"))
    while offset < len(data):
        status, _, body = client.request("PUT", f"/field/api/photos/{sha}?offset={offset}&total={len(data)}",
                                         body=data[offset:offset + CHUNK_MAX],
                                         headers={"Content-Type": "application/octet-stream"})
        offset = json.loads(body)["offset"]
    return sha


def _sync(client: Client, changes: list[dict], photos: list[bytes], history_rows) -> dict:
    outcomes = {}
    t0 = time.perf_counter()
    client.request("GET", "/field/api/me")
    per = []
    sent_bytes = 0
    for change, photo in zip(changes, photos):
        c0 = time.perf_counter()
        change["photos"] = [_upload(client, photo)]
        sent_bytes += len(photo)
        status, _, body = client.request("POST", "/field/api/changes", body=json.dumps(change).encode(),
                                         headers={"Content-Type": "application/json"})
        out = json.loads(body).get("outcome", f"HTTP {status}")
        outcomes[out] = outcomes.get(out, 0) + 1
        per.append(time.perf_counter() - c0)
    f0 = time.perf_counter()
    status, _, pack = client.request("GET", "/field/api/pack", headers={"Accept-Encoding": "gzip"})
    refresh = time.perf_counter() - f0
    total = time.perf_counter() - t0
    # The same requests again (a retry after a lost answer): answered from the record, nothing applied.
    rows_before = history_rows()
    r0 = time.perf_counter()
    replays = 0
    for change in changes:
        _, _, body = client.request("POST", "/field/api/changes", body=json.dumps(change).encode(),
                                    headers={"Content-Type": "application/json"})
        replays += bool(json.loads(body).get("replay"))
    replay = time.perf_counter() - r0
    unchanged = history_rows() == rows_before
    return {"changes": len(changes), "outcomes": outcomes, "total_s": round(total, 2),
            "per_change_ms": round(statistics.median(per) * 1000, 1), "photo_mb": round(sent_bytes / 1e6, 1),
            "refresh_bytes": len(pack), "refresh_ms": round(refresh * 1000, 1), "replayed_unchanged": replays, "replay_ms_per_change":
                round(replay / max(1, len(changes)) * 1000, 1), "history_rows_after_replay_unchanged": unchanged}


def _reading_value(f: dict, i: int):
    """A plausible value of a readings field (inside its possible range)."""
    if f["name"] == "point":
        return f"P{i + 1}"
    if f["type"] == "int":
        return max(1, int(f["minimum"] or 0)) if f["name"] == "round" else 5
    if f["type"] in ("float",):
        lo = f["minimum"] if f["minimum"] is not None else 0
        return round(lo + 1.5 + i * 0.7, 2)
    if f["type"] == "bool":
        return True
    return "基准" if f["required"] else None


def _readings(pack: dict, n: int, day: str) -> list[dict]:
    """One day of readings at each of up to ``n`` sites that have a monitoring table (3 rows where rows are told
    apart by point and round, else one), as the client sends them."""
    tables = pack.get("tables", {})
    out = []
    for site in pack["sites"]:
        table = next((t for t in tables.values() if t["site_kind"] == site["kind"]), None)
        if table is None:
            continue
        rows = [{f["name"]: v for f in table["row_fields"] if (v := _reading_value(f, i)) is not None}
                for i in range(3 if table["identity"] else 1)]
        common = {f["name"]: v for f in table["common_fields"] if (v := _reading_value(f, 0)) is not None}
        out.append({"op_id": uuid.uuid4().hex, "table": table["key"], "site_id": site["id"],
                    "observed_on": day[:8] + "01" if table["period"] == "month" else day,
                    "observed_time": "09:30" if table["has_time"] else None, "common": common, "rows": rows,
                    "fix": None, "captured_at": int(time.time() * 1000) - 60_000, "sent_at": int(time.time() * 1000)})
        if len(out) == n:
            break
    return out


def _sync_readings(client: Client, entries: list[dict], obs_rows) -> dict:
    """Each day of readings posted as the client posts it, then replayed (written once: checked)."""
    outcomes, per = {}, []
    for body in entries:
        c0 = time.perf_counter()
        status, _, raw = client.request("POST", "/field/api/readings", body=json.dumps(body).encode(),
                                        headers={"Content-Type": "application/json"})
        per.append(time.perf_counter() - c0)
        got = json.loads(raw)
        out = got.get("outcome") or got.get("code") or f"HTTP {status}"
        outcomes[out] = outcomes.get(out, 0) + 1
    before = obs_rows()
    replays = 0
    for body in entries:
        _, _, raw = client.request("POST", "/field/api/readings", body=json.dumps(body).encode(),
                                   headers={"Content-Type": "application/json"})
        replays += bool(json.loads(raw).get("replay"))
    return {"entries": len(entries), "rows": sum(len(e["rows"]) for e in entries), "outcomes": outcomes,
            "per_entry_ms": round(statistics.median(per) * 1000, 1) if per else None,
            "total_s": round(sum(per), 2), "replayed_unchanged": replays, "rows_unchanged_by_replay": obs_rows() == before}


def scenario(name: str, store_path: Path, user_towns: list[str], n_changes: int, reps: int, work: Path,
             n_readings: int = 20) -> dict:
    store = create_store(store_path)
    store.add_user(SYSTEM, INSPECTOR, "inspector", password=PASSWORD, towns=user_towns)
    token = store.login(INSPECTOR, PASSWORD).token
    server = Server(store_path, work / f"cache-{name}")
    try:
        photos = [_photo(i) for i in range(n_changes)]
        client = Client(server.port, token)
        pack = _pack(client, reps)
        changes = _changes(pack.pop("pack"), n_changes)
        photos = photos[:len(changes)]
        sync = _sync(client, changes, photos, lambda: len(store.all_history(SYSTEM)))
        day = (date.today() - timedelta(days=400)).isoformat()  # a day no sample or synthetic reading has
        fresh = json.loads(client.request("GET", "/field/api/pack")[2])
        readings = _sync_readings(client, _readings(fresh, n_readings, day),
                                  lambda: sum(len(v) for v in store.all_observations(SYSTEM).values()))
    finally:
        server.stop()
    return {"scenario": name, "pack": pack, "sync": sync, "readings": readings}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--changes", type=int, default=20, help="offline changes synced per scenario (default 20)")
    p.add_argument("--readings", type=int, default=20, help="days of readings synced per scenario (default 20)")
    p.add_argument("--reps", type=int, default=5, help="pack downloads timed, median (default 5)")
    p.add_argument("--sizes", default="sample,1000", help="scenarios: sample and/or a synthetic site count")
    p.add_argument("--json-out", help="also write the JSON line to this file")
    args = p.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="onemap-bench-field-") as tmp:
        work = Path(tmp)
        for size in args.sizes.split(","):
            if size == "sample":
                from geo.sample import populate_sample

                path = work / "sample.gpkg"
                create_store(path, populate_sample)
                results.append(scenario("sample town 江阴镇", path, [JIANGYIN], args.changes, args.reps, work,
                                        args.readings))
            else:
                from bench.synthetic import build_store

                n = int(size)
                path = work / f"synthetic-{n}.gpkg"
                build_store(path, n)
                codes = [t.code for t in towns.all_towns()]
                results.append(scenario(f"{n:,} sites", path, codes, args.changes, args.reps, work, args.readings))
    print(f"{'scenario':<20}{'sites':>7}{'pack KB':>9}{'gzip KB':>9}{'build ms':>10}{'cached ms':>10}{'304 ms':>8}"
          f"{'changes':>9}{'sync s':>8}{'ms/change':>11}{'photos MB':>11}{'refresh ms':>12}{'replays':>9}")
    for r in results:
        pk, sy = r["pack"], r["sync"]
        print(f"{r['scenario']:<20}{pk['sites']:>7}{pk['bytes'] / 1024:>9.1f}{pk['gzip_bytes'] / 1024:>9.1f}"
              f"{pk['cold_ms']:>10.1f}{pk['gzip_ms']:>10.1f}{pk['revalidate_ms']:>8.1f}{sy['changes']:>9}"
              f"{sy['total_s']:>8.2f}{sy['per_change_ms']:>11.1f}{sy['photo_mb']:>11.1f}{sy['refresh_ms']:>12.1f}"
              f"{sy['replayed_unchanged']:>9}")
    print("sync s: whoami + per change (photo HEAD, chunks, change) + the pack refreshed, over HTTP on 127.0.0.1; "
          "replays: the same requests again, answered from the record with nothing changed")
    print(f"{'readings':<20}{'entries':>8}{'rows':>6}{'ms/entry':>10}{'total s':>9}{'replays':>9}  outcomes")
    for r in results:
        rd = r["readings"]
        print(f"{r['scenario']:<20}{rd['entries']:>8}{rd['rows']:>6}{rd['per_entry_ms'] or 0:>10.1f}{rd['total_s']:>9.2f}"
              f"{rd['replayed_unchanged']:>9}  {rd['outcomes']}")
    line = json.dumps({"field": results}, ensure_ascii=False)
    print(line)
    if args.json_out:
        Path(args.json_out).write_text(line + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
