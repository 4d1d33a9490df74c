"""Batch interface: ``python cli.py {init,summary,status,check} ...``.

Every command goes through the same storage boundary as the app. Errors are
printed as one line (Chinese, then English) and exit non-zero; no traceback.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import uuid
from collections import defaultdict

from geo.errors import OneMapError
from geo.store import Actor, open_store, store_path

EXIT_REFUSED = 2


def _actor(name: str, role: str = "admin") -> Actor:
    return Actor(name, role=role, client=f"cli@{socket.gethostname()}")


def cmd_init(args) -> int:
    from geo.sample import populate_sample
    from geo.store import create_store

    path = store_path(args.store)
    if path.exists() and not args.force:
        print(f"已存在数据库 {path}，未做修改；如需用示例数据重建请加 --force。\n"
              f"Store {path} exists and was left as it is; add --force to rebuild it from the sample data.")
        return 0
    store = create_store(path, populate_sample, force=args.force)
    n = len(store.list_sites(_actor("cli", "reviewer")))
    print(f"已创建数据库 {path}（示例数据，{n} 个点位）。\nCreated store {path} with {n} sample sites.")
    return 0


def cmd_summary(args) -> int:
    store = open_store(args.store)
    counts = store.counts(_actor("cli", "reviewer"))
    by_kind: dict = defaultdict(lambda: {"total": 0, "by_status": defaultdict(int), "by_town": defaultdict(lambda: defaultdict(int))})
    for kind, town, status, n in counts:
        k = by_kind[kind]
        k["total"] += n
        k["by_status"][status] += n
        k["by_town"][town][status] += n
    meta = store.meta()
    out = {
        "store": str(store.path),
        "data_origin": meta.get("data_origin"),
        "sample_notice": "示例数据，非官方数据 (illustrative sample data, not official)"
        if meta.get("data_origin") == "sample" else None,
        "kinds": json.loads(json.dumps(by_kind)),
    }
    print(json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True))
    return 0


def cmd_status(args) -> int:
    store = open_store(args.store)
    actor = _actor(args.by, args.role)
    site = store.get_site(actor, args.site_id)
    result = store.change_status(
        actor, args.site_id, args.new_status,
        expected_version=site.version if args.expected_version is None else args.expected_version,
        op_id=args.op_id or uuid.uuid4().hex, note=args.note or "", source="cli",
    )
    verb = "已变更" if result.applied else "此前已执行（幂等，未重复写入）"
    print(json.dumps({
        "site_id": result.site.site_id, "status": result.site.status, "version": result.site.version,
        "applied": result.applied, "history_id": result.entry.id, "message": verb,
    }, ensure_ascii=False))
    return 0


def cmd_check(args) -> int:
    from geo.store.integrity import store_problems

    store = open_store(args.store)
    problems = store_problems(store, _actor("cli", "reviewer"))
    print(json.dumps({"store": str(store.path), "problems": problems, "ok": not problems}, ensure_ascii=False, indent=2))
    return 0 if not problems else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cli.py", description="福清生态环境一张图 — batch interface")
    p.add_argument("--store", help="GeoPackage store (default: $ONEMAP_STORE or data/store.gpkg)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("init", help="create the store from the sample data")
    s.add_argument("--force", action="store_true", help="recreate it even if it exists (stop the app first)")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("summary", help="JSON counts per kind x status x town")
    s.set_defaults(func=cmd_summary)

    s = sub.add_parser("status", help="change a site's status through the store's checks")
    s.add_argument("site_id")
    s.add_argument("new_status", help="status code, e.g. remediating")
    s.add_argument("--by", required=True, help="who is making the change (recorded in the history)")
    s.add_argument("--role", default="admin", choices=["admin", "inspector", "reviewer"], help=argparse.SUPPRESS)
    s.add_argument("--note", help="why (recorded in the history)")
    s.add_argument("--op-id", help="idempotency key: the same key twice applies once")
    s.add_argument("--expected-version", type=int, help="refuse if the site's version differs")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("check", help="check every site against its history (lost updates, broken chains)")
    s.set_defaults(func=cmd_check)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except OneMapError as exc:
        print(f"错误 [{exc.code}]：{exc.zh}\nError [{exc.code}]: {exc.en}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
