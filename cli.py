"""Batch interface: ``python cli.py {init,summary,status,check,export,import,user,audit,...} ...``.

Every command goes through the same storage boundary as the app and acts as
a named account (``--as NAME``: its role and towns are checked, and it is
recorded in the history and the audit log) — except the bootstrap: ``init``
and the first ``user add`` of a store without accounts. Errors are printed
as one line each (Chinese, then English, then the fix) and exit non-zero; an
unexpected failure is logged with a reference (:mod:`geo.errorlog`) and shown
as ``internal.error`` — never a traceback.

Exit codes: 0 done; 2 refused (permission, store, bad input); 3 the import
found problems; 4 the import was written but its ``--report`` could not be;
70 internal error (see the error log).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import uuid
from collections import defaultdict

from geo import settings
from geo.errors import OneMapError
from geo.store import Actor, open_store, store_path

EXIT_REFUSED = 2
EXIT_PROBLEMS = 3
EXIT_REPORT_NOT_WRITTEN = 4
EXIT_INTERNAL = 70


def _client() -> str:
    return f"cli@{socket.gethostname()}"


def _system() -> Actor:
    """The bootstrap actor (``init``, the first ``user add``), recorded by OS user."""
    import getpass

    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        who = "unknown"
    return Actor(f"cli:{who}", role="system", client=_client())


def _actor(store, args) -> Actor:
    """The account named by ``--as`` (its stored role and towns), for every command but the bootstrap."""
    return store.actor_for(args.as_user, client=_client())


def _add_as(parser, what: str = "the account acting", *, required: bool = True) -> None:
    parser.add_argument("--as", dest="as_user", required=required,
                        help=f"{what}: its role and towns are checked, and it is recorded in the audit log")


def cmd_init(args) -> int:
    from geo.sample import populate_sample
    from geo.store import create_store, is_postgres, store_locator
    from geo.store.backup import backup_file, holds_user_data

    locator = store_locator(args.store)
    if is_postgres(locator):
        from geo.store.postgis import create_pg_store

        store = create_pg_store(locator)  # tables, roles, rules: created or brought up to date
        if not store.is_empty():
            print(f"数据库 {store.label} 已有数据，结构已更新，数据未做修改。\n"
                  f"The database {store.label} holds data: its schema is up to date, its data left as it is.")
            return 0
        populate_sample(store)
        n = len(store.list_sites(_system()))
        print(f"已在 {store.label} 创建数据库（示例数据，{n} 个点位）。\nCreated the store in {store.label} with {n} sample sites.")
        return 0
    path = store_path(args.store)
    if path.exists() and not args.force:
        print(f"已存在数据库 {path}，未做修改；如需用示例数据重建请加 --force（重建前会先备份其中的数据）。\n"
              f"Store {path} exists and was left as it is; add --force to rebuild it from the sample data "
              "(anything but sample data in it is backed up first).")
        return 0
    backup = None
    if path.exists() and (args.backup or holds_user_data(path)):
        backup = backup_file(path, args.backup)
        print(f"已先备份原数据库到 {backup}。\nBacked the old store up to {backup} first.")
    store = create_store(path, populate_sample, force=args.force)
    n = len(store.list_sites(_system()))
    print(f"已创建数据库 {path}（示例数据，{n} 个点位）。\nCreated store {path} with {n} sample sites."
          + (f"\n原数据备份：{backup}\nThe old data: {backup}" if backup else ""))
    return 0


def cmd_summary(args) -> int:
    store = open_store(args.store)
    counts = store.counts(_actor(store, args))
    by_kind: dict = defaultdict(lambda: {"total": 0, "by_status": defaultdict(int), "by_town": defaultdict(lambda: defaultdict(int))})
    for kind, town, status, n in counts:
        k = by_kind[kind]
        k["total"] += n
        k["by_status"][status] += n
        k["by_town"][town][status] += n
    meta = store.meta()
    out = {
        "store": store.label,
        "data_origin": meta.get("data_origin"),
        "sample_notice": "示例数据，非官方数据 (illustrative sample data, not official)"
        if meta.get("data_origin") == "sample" else None,
        "kinds": json.loads(json.dumps(by_kind)),
    }
    print(json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True))
    return 0


def cmd_status(args) -> int:
    store = open_store(args.store)
    actor = store.actor_for(args.as_user, client=_client())
    site = store.get_site(actor, args.site_id)
    changes = _field_values(args.sets or [])
    photos = _store_photos(store, args.photos or [])
    result = store.change_status(
        actor, args.site_id, args.new_status,
        expected_version=site.version if args.expected_version is None else args.expected_version,
        op_id=args.op_id or uuid.uuid4().hex, note=args.note or "", source="cli", changes=changes, photos=photos,
        override=args.override,
    )
    verb = "已变更" if result.applied else "此前已执行（幂等，未重复写入）"
    print(json.dumps({
        "site_id": result.site.site_id, "status": result.site.status, "version": result.site.version,
        "applied": result.applied, "history_id": result.entry.id, "message": verb,
        "override": result.entry.override,
    }, ensure_ascii=False))
    return 0


def _field_values(items: list[str]) -> dict:
    """``FIELD=VALUE`` pairs from the command line (values as typed: the store checks and converts them)."""
    from geo.errors import ValidationError

    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValidationError("cli.bad_set", en=f"--set {item!r}: write FIELD=VALUE, e.g. remediation_method=ban.",
                                  zh=f"--set “{item}”格式有误：请写成 字段=值，例如 remediation_method=ban。", value=item)
        out[name.strip()] = value.strip()
    return out


def _store_photos(store, paths: list[str]) -> list[str]:
    """Store each photo file beside the store; their hashes."""

    from geo.errors import ValidationError
    from geo.photos import MAX_PHOTO_BYTES, store_photo

    hashes = []
    for p in paths:
        try:
            with open(p, "rb") as fh:  # one byte past the limit is enough for photo.too_large
                data = fh.read(MAX_PHOTO_BYTES + 1)
        except OSError as exc:
            raise ValidationError("cli.photo_unreadable", en=f"Cannot read the photo {p!r}: {exc.strerror}.",
                                  zh=f"无法读取照片文件“{p}”：{exc.strerror}。", value=p) from exc
        hashes.append(store_photo(data, store.photos_dir).sha256)
    return hashes


def cmd_check(args) -> int:
    from geo.store.integrity import store_problems

    store = open_store(args.store)
    problems = store_problems(store, _actor(store, args))
    print(json.dumps({"store": store.label, "problems": problems, "ok": not problems}, ensure_ascii=False, indent=2))
    return 0 if not problems else 1


def cmd_migrate(args) -> int:
    """Copy a whole store into a new, empty one (GeoPackage ↔ PostGIS) and verify every table."""
    from geo.store import create_store, existing_store, is_postgres, store_locator
    from geo.store.transfer import copy_store

    source = existing_store(store_locator(args.source))
    source.check_schema()
    actor = _actor(source, args)
    source.authorise_migration(actor)  # accounts, history and the audit log: an administrator's copy
    target = store_locator(args.target)
    if is_postgres(target):
        from geo.store.postgis import create_pg_store

        destination = create_pg_store(target)
    else:
        destination = create_store(target)
    report = copy_store(source, destination)
    source.record_migration(actor, destination=destination.label, ok=report.ok,
                            rows=sum(int(t.get("rows", 0) or 0) for t in report.tables.values()))
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    return 0 if report.ok else 1


def _read_password(args, prompt: str = "密码 Password: ") -> str:
    """From stdin with --password-stdin (one line), else asked twice without echo."""
    import getpass

    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("再输一次 Again: ") != first:
        from geo.errors import ValidationError

        raise ValidationError("password.mismatch", en="The two passwords differ; nothing was changed.",
                              zh="两次输入的密码不一致，未做修改。")
    return first


def _user_json(u) -> dict:
    return {"name": u.name, "display_name": u.display_name, "role": u.role, "towns": list(u.towns),
            "disabled": u.disabled, "identity": u.identity, "has_password": u.has_password,
            "created_at": u.created_at, "updated_at": u.updated_at}


def _user_actor(store, args) -> Actor:
    """``--as`` — or, for the first ``user add`` of a store without accounts, the bootstrap actor."""
    from geo.errors import ValidationError

    if args.as_user:
        return _actor(store, args)
    if args.user_cmd == "add" and not store.list_users(_system()):
        if args.role != "admin":
            raise ValidationError(
                "user.first_not_admin", value=args.role,
                zh="本数据库还没有任何账号：第一个账号必须是管理员（--role admin）。",
                en="The store has no account yet: the first one must be an administrator (--role admin).",
                fix_zh="先运行 `python cli.py user add 姓名 --role admin`，再以 --as 该管理员添加其他账号。",
                fix_en="Run `python cli.py user add NAME --role admin` first, then add the others --as that admin.")
        return _system()
    raise ValidationError(
        "cli.as_required", zh="请用 --as 指定执行操作的管理员账号（只有第一个账号可以不指定）。",
        en="Name the administrator acting with --as (only the first account of a store is added without it).",
        fix_zh="加上 --as 管理员账号名。", fix_en="Add --as ADMIN_NAME.")


def cmd_user(args) -> int:
    store = open_store(args.store)
    actor = _user_actor(store, args)
    if args.user_cmd == "add":
        password = None if args.no_password else _read_password(args)
        u = store.add_user(actor, args.name, args.role, password=password, towns=args.town or (),
                           display_name=args.display, identity=args.identity)
    elif args.user_cmd == "passwd":
        store.set_password(actor, args.name, _read_password(args, "新密码 New password: "))
        u = next(x for x in store.list_users(actor) if x.name == args.name)
    elif args.user_cmd in ("disable", "enable"):
        u = store.update_user(actor, args.name, disabled=args.user_cmd == "disable")
    elif args.user_cmd == "set":
        u = store.update_user(actor, args.name, role=args.role, towns=args.town, display_name=args.display,
                              identity=args.identity)
    else:
        print(json.dumps([_user_json(x) for x in store.list_users(actor)], ensure_ascii=False, indent=2))
        return 0
    print(json.dumps(_user_json(u), ensure_ascii=False))
    return 0


def _add_user_commands(sub) -> None:
    s = sub.add_parser("user", help="accounts: add, passwd, disable, enable, set, list")
    us = s.add_subparsers(dest="user_cmd", required=True)
    a = us.add_parser("add", help="create an account (password asked twice, or --password-stdin)")
    _add_as(a, "the administrator acting (not needed for the first account of a store)", required=False)
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=["admin", "reviewer", "inspector"])
    a.add_argument("--town", action="append", help="a town an inspector covers (repeat); name or code")
    a.add_argument("--display", help="display name")
    a.add_argument("--identity", help="single-sign-on identity (email or subject) mapped to this account")
    a.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    a.add_argument("--no-password", action="store_true", help="single sign-on only: no local password")
    p = us.add_parser("passwd", help="set a new password (ends the user's sessions)")
    _add_as(p, "the administrator acting", required=False)
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true")
    for verb in ("disable", "enable"):
        d = us.add_parser(verb, help=f"{verb} an account (the last admin cannot be disabled)")
        _add_as(d, "the administrator acting", required=False)
        d.add_argument("name")
    t = us.add_parser("set", help="change role, towns, display name or identity")
    _add_as(t, "the administrator acting", required=False)
    t.add_argument("name")
    t.add_argument("--role", choices=["admin", "reviewer", "inspector"])
    t.add_argument("--town", action="append")
    t.add_argument("--display")
    t.add_argument("--identity")
    _add_as(us.add_parser("list", help="JSON list of accounts"), "the administrator asking", required=False)
    s.set_defaults(func=cmd_user)


def _device_json(d) -> dict:
    return {"device_id": d.device_id, "user": d.user_name, "label": d.label, "created_at": d.created_at,
            "expires_at": d.expires_at, "last_seen": d.last_seen, "client": d.client, "revoked_at": d.revoked_at,
            "revoked_by": d.revoked_by}


def cmd_device(args) -> int:
    """Field devices (the offline client's device tokens): list them, revoke one or all of an account's."""
    store = open_store(args.store)
    actor = _actor(store, args)  # an administrator sees and ends every account's devices, an inspector their own
    if args.device_cmd == "list":
        devices = store.list_devices(actor, user=args.user, include_ended=args.all)
        print(json.dumps([_device_json(d) for d in devices], ensure_ascii=False, indent=2))
        return 0
    if args.device_id:
        print(json.dumps(_device_json(store.revoke_device(actor, args.device_id)), ensure_ascii=False))
        return 0
    ended = [store.revoke_device(actor, d.device_id) for d in store.list_devices(actor, user=args.user)]
    print(json.dumps([_device_json(d) for d in ended], ensure_ascii=False, indent=2))
    return 0


def _add_device_commands(sub) -> None:
    s = sub.add_parser("device", help="offline field devices: list, revoke (a lost tablet stops syncing at once)")
    ds = s.add_subparsers(dest="device_cmd", required=True)
    a = ds.add_parser("list", help="JSON list of live device tokens (the tokens themselves are never stored)")
    a.add_argument("--user", help="only this account's")
    a.add_argument("--all", action="store_true", help="also revoked and expired ones")
    _add_as(a, "the account asking (an administrator: every account's devices; an inspector: their own)")
    r = ds.add_parser("revoke", help="end a device token (or every live one of --user)")
    who = r.add_mutually_exclusive_group(required=True)
    who.add_argument("device_id", nargs="?", help="the device id from `device list`")
    who.add_argument("--user", help="revoke every live device of this account")
    _add_as(r, "the account revoking (an administrator, or the device's own account)")
    s.set_defaults(func=cmd_device)


def cmd_audit(args) -> int:
    store = open_store(args.store)
    rows = store.audit_log(_actor(store, args), since=args.since, user=args.user, action=args.action)
    print(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2, default=str))
    return 0


def _add_audit_command(sub) -> None:
    s = sub.add_parser("audit", help="the audit log as JSON, newest first")
    _add_as(s, "the administrator asking")
    s.add_argument("--since", help="YYYY-MM-DD (China Standard Time)")
    s.add_argument("--user", help="only this actor")
    s.add_argument("--action", help="action or prefix, e.g. auth. or site.status")
    s.set_defaults(func=cmd_audit)


def _review_inputs(args):
    """Sites, history and reference areas as of ``--as-of`` (default: now), the day, the town code, sample or not."""
    from geo.domain.asof import end_of_day_utc, parse_day, snapshot
    from geo.clock import today_cst
    from geo.towns import resolve_town

    store = open_store(args.store)
    actor = _actor(store, args)
    today = today_cst()
    day = parse_day(args.as_of, today=today) if args.as_of else None
    town = resolve_town(args.town).code if args.town else None
    if args.onsite_m is not None:
        from geo.domain.evidence import check_onsite_m

        check_onsite_m(args.onsite_m, source="--onsite-m")
    sites, history = snapshot(store.list_sites(actor), store.all_history(actor), day)
    sample = store.meta().get("data_origin") == "sample"
    args._observations = store.all_observations(actor)
    reference = store.reference_areas(actor, before=end_of_day_utc(day) if day else None)
    return sites, history, day or today, town, sample, reference


def cmd_progress(args) -> int:
    from geo.domain.targets import progress

    sites, history, day, town, sample, reference = _review_inputs(args)
    figures = progress(sites, day, town=town, history=history, onsite_m=args.onsite_m, sample=sample,
                       reference=reference, observations=args._observations)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


def cmd_report(args) -> int:
    from geo.export.atomic import check_target, write_bytes
    from geo.report.pdf import town_report_pdf

    out = check_target(args.output, what="report")  # before the work: a missing folder is said at once
    sites, history, day, town, sample, reference = _review_inputs(args)
    pdf = town_report_pdf(sites, day, town, history=history, sample=sample, onsite_m=args.onsite_m,
                          reference=reference, observations=args._observations)
    store = open_store(args.store)
    actor = _actor(store, args)
    try:
        write_bytes(out, pdf, what="report")
    except OneMapError as exc:
        store.record_report(actor, town=town, file=str(out), as_of=day.isoformat(), outcome="failed", error=exc.code)
        raise
    store.record_report(actor, town=town, file=str(out), as_of=day.isoformat())  # audited once the file exists
    n = sum(1 for s in sites if s.town_code == town)
    print(json.dumps({"file": str(out), "town": town, "as_of": day.isoformat(), "sites": n, "bytes": len(pdf),
                      "sample": sample}, ensure_ascii=False))
    return 0


def _add_review_commands(sub) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--as-of", help="YYYY-MM-DD: figures as they stood at the end of that day (CST), "
                                        "rebuilt from the history; default now")
    common.add_argument("--onsite-m", type=float, help="a change within this many metres of the site counts as "
                                                       "made on site (default $ONEMAP_FIELD_DISTANCE_M or 200)")
    _add_as(common, "the account reading the figures")
    s = sub.add_parser("progress", parents=[common], help="JSON: progress against the plan targets, per kind and town")
    s.add_argument("--town", help="only this town or street (name or code)")
    s.set_defaults(func=cmd_progress)
    s = sub.add_parser("report", parents=[common], help="write a town's review report as PDF")
    s.add_argument("--town", required=True, help="town or street (name or code)")
    s.add_argument("-o", "--output", required=True, help="the PDF file to write")
    s.set_defaults(func=cmd_report)


def cmd_export(args) -> int:
    """Write the site lists of the chosen towns; see geo/export and the README's Export section."""
    from geo.export import ExportOptions, export_to_path
    from geo.export.records import town_name

    options = ExportOptions(
        formats=tuple(args.format), towns=None if args.all_towns else tuple(args.town),
        kinds=tuple(args.kind or ()), statuses=tuple(args.status or ()),
        per_town=bool(args.all_towns or args.per_town), gcj02=args.gcj02,
        csv_encoding=args.csv_encoding, shp_encoding=args.shp_encoding,
    )
    store = open_store(args.store)

    def progress(fraction: float, label: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{fraction:4.0%} {label:<24}", end="" if fraction < 1 else "\n", file=sys.stderr)

    result = export_to_path(store, _actor(store, args), options, args.output, progress=progress)
    print(json.dumps({
        "file": str(result.path), "formats": list(options.formats), "sites": result.n_sites,
        "towns": [town_name(c) for c in result.towns], "files_in_zip": len(result.members),
        "sample": result.is_sample, "seconds": round(result.seconds, 2),
        "sample_notice": "示例数据，非官方数据 (illustrative sample data, not official)" if result.is_sample else None,
    }, ensure_ascii=False))
    return 0


def _read_file(path_text: str, code: str) -> tuple[bytes, str]:
    from pathlib import Path

    from geo.errors import ValidationError

    path = Path(path_text)
    try:
        return path.read_bytes(), path.name
    except OSError as exc:
        raise ValidationError(code, en=f"Cannot read {path}: {exc.strerror}; check the path.",
                              zh=f"无法读取 {path}：{exc.strerror}；请检查路径。", path=str(path)) from exc


def cmd_grade(args) -> int:
    """Grade black-odorous water from a table of readings (rules: geo/domain/grading.py); JSON on stdout."""
    from geo.domain.grading import grade_readings, to_dict
    from geo.ingest.grading_table import readings_from_table

    data, name = _read_file(args.file, "grading.csv_unreadable")
    print(json.dumps(to_dict(grade_readings(readings_from_table(data, name))), ensure_ascii=False, indent=2))
    return 0


def _problem_line(p, unit: str) -> str:
    where = p.where("zh", unit)
    col = f"[{p.column}] " if p.column else ""
    tag = "错误" if p.is_error else "提示"
    return f"{tag} {where} {col}{p.code}：{p.message_zh}" + (f" 修改：{p.fix_zh}" if p.fix_zh else "")


def cmd_import(args) -> int:
    """Import a ledger: check everything, write nothing unless every row is fine (or --skip-invalid).

    Exit 0: every row accepted (and written unless --dry-run); 3: problems found
    (nothing written unless --skip-invalid); 2: refused (permissions, store).
    """
    from pathlib import Path

    from geo.errors import ValidationError
    from geo.export.atomic import check_target
    from geo.ingest import (TOWN_KIND, CrsChoice, decode_remembered, encode_remembered, layout_key,
                            prepare_import, read_table, resolve_kind, safety)
    from geo.ingest.messages import ingest_error
    from layers.reference import REFERENCE_AREAS

    report_path = check_target(args.report, what="report") if args.report else None  # before anything is written
    store = open_store(args.store)
    actor = store.actor_for(args.as_user, client=_client())
    store.list_batches(actor, limit=1)  # an import, even a dry run, needs the import permission
    kind = resolve_kind(args.kind)
    crs = CrsChoice.parse(args.crs)
    path = Path(args.file)
    try:
        if path.is_file() and path.stat().st_size > safety.MAX_FILE_BYTES:  # refused before it is read into memory
            raise ingest_error("file.too_large", name=path.name, size=f"{path.stat().st_size / 1024 / 1024:.0f} MB",
                               limit=f"{safety.MAX_FILE_BYTES / 1024 / 1024:.0f} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError("import.file_unreadable", en=f"Cannot read {path}: {exc.strerror}; check the path.",
                              zh=f"无法读取 {path}：{exc.strerror}；请检查路径。", path=str(path)) from exc
    user_mapping = {}
    for item in args.map or ():
        header, sep, target = item.partition("=")
        if not sep:
            raise ValidationError("import.bad_map", en=f"--map {item!r}: write HEADER=FIELD, e.g. 排口名=name.",
                                  zh=f"--map “{item}”：请写成 表头=字段，如 排口名=name。", value=item)
        user_mapping[header.strip()] = None if target.strip() in ("", "none") else target.strip()
    table, _ = read_table(data, path.name, kind=kind, sheet=args.sheet)
    remembered = {}
    if table is not None:
        remembered = decode_remembered(store.meta().get(layout_key(table.headers)), kind)
    existing = {s.site_id: s for s in store.list_sites(actor)}
    plan = prepare_import(data, path.name, kind=kind, crs=crs, existing=existing, sheet=args.sheet,
                          remembered=remembered, user_mapping=user_mapping, table=table,
                          boundaries=None if kind == TOWN_KIND or kind in REFERENCE_AREAS
                          else store.town_boundaries(actor))
    if kind != TOWN_KIND and kind not in REFERENCE_AREAS and plan.candidates:
        from geo.ingest.status_evidence import apply_status_gates

        apply_status_gates(plan, store.import_gate_preview(actor, [c.site for c in plan.candidates]),
                           override=args.override)
    batch_id, written, result = None, False, None
    can_write = not args.dry_run and (not plan.has_errors or (args.skip_invalid and not plan.file_errors))
    if kind in REFERENCE_AREAS and plan.has_errors:
        can_write = False  # a reference area is one official version: never written in part
    if can_write and (plan.candidates or plan.towns or plan.areas):
        if kind == TOWN_KIND:
            result = store.import_town_boundaries(actor, [(t.town_code, t.name_zh, t.geometry) for t in plan.towns],
                                                  source_name=path.name)
        elif kind in REFERENCE_AREAS:
            result = store.import_reference_areas(actor, kind, [(a.name, a.geometry) for a in plan.areas],
                                                  source_name=path.name)
        else:
            result = store.import_batch(actor, [c.site for c in plan.candidates], source_name=path.name,
                                        skip_invalid=args.skip_invalid, expected=plan.expected(),
                                        override=args.override)
        batch_id, written = result.batch_id, True
        if user_mapping and plan.mapping is not None:
            store.set_meta(actor, layout_key(plan.mapping.headers), encode_remembered(plan.mapping))
    report = plan.report(batch_id=batch_id, written=written)
    if result is not None:
        report["result"] = {"created": list(result.created), "updated": list(result.updated),
                            "unchanged": list(result.unchanged), "skipped": [list(s) for s in result.skipped]}
    report_error = _write_report(report_path, report) if report_path else None
    unit = plan.table.row_unit if plan.table else "row"
    for p in plan.problems[:200]:
        print(_problem_line(p, unit), file=sys.stderr)
    if len(plan.problems) > 200:
        print(f"……另有 {len(plan.problems) - 200} 条，见 --report。", file=sys.stderr)
    summary = {k: report[k] for k in ("file", "kind", "crs", "rows_read", "batch_id", "written", "counts")}
    if plan.has_errors and not written and kind in REFERENCE_AREAS and not args.dry_run:
        summary["message"] = ("发现问题，未写入任何数据：参考范围是一份完整的官方范围，须整份导入，请修正文件后重试"
                              "（--skip-invalid 对参考范围不适用）。")
    elif plan.has_errors and not written:
        summary["message"] = ("发现问题，未写入任何数据（可修正文件后重试，或加 --skip-invalid 只写入无误的行）。"
                              if not args.dry_run else "试运行：发现问题，未写入。")
    elif args.dry_run:
        summary["message"] = f"试运行：全部 {len(plan.candidates) + len(plan.towns) + len(plan.areas)} 行均可导入，未写入。"
    elif written:
        summary["message"] = f"已导入，批次 {batch_id}（撤销：python cli.py undo {batch_id} --as 用户名）。"
    if report_error is not None:
        summary["report_error"] = {"code": report_error.code, "message_zh": report_error.zh,
                                   "message_en": report_error.en}
        done_zh = f"导入已写入（批次 {batch_id}）" if written else "未写入任何数据"
        done_en = f"The import was written (batch {batch_id})" if written else "Nothing was written"
        print(f"错误 [{report_error.code}]：{done_zh}，但报告未能写入 {report_path}：{report_error.zh}\n"
              f"Error [{report_error.code}]: {done_en}, but the report could not be written to {report_path}: "
              f"{report_error.en}", file=sys.stderr)
    print(json.dumps(summary, ensure_ascii=False))
    if report_error is not None:
        return EXIT_REPORT_NOT_WRITTEN if written else EXIT_REFUSED
    return EXIT_PROBLEMS if plan.has_errors else 0


def _write_report(path, report: dict):
    """Write the JSON report atomically; the StoreError when it cannot be written (the import stands)."""
    from geo.errors import StoreError
    from geo.export.atomic import write_bytes

    try:
        write_bytes(path, json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8"), what="report")
    except StoreError as exc:
        return exc
    return None


def cmd_undo(args) -> int:
    store = open_store(args.store)
    actor = store.actor_for(args.as_user, client=_client())
    r = store.undo_batch(actor, args.batch_id)
    print(json.dumps({"batch_id": r.batch_id, "kind": r.kind, "removed": list(r.removed), "restored": list(r.restored),
                      "message": f"已撤销批次 {r.batch_id}：删除 {len(r.removed)} 个新增点位，恢复 {len(r.restored)} 个点位。"},
                     ensure_ascii=False))
    return 0


def cmd_batches(args) -> int:
    store = open_store(args.store)
    actor = _actor(store, args)
    print(json.dumps([b.__dict__ for b in store.list_batches(actor, limit=args.limit)], ensure_ascii=False, indent=2,
                     default=dict))
    return 0


def _add_import_commands(sub) -> None:
    s = sub.add_parser("import", help="import a ledger (xlsx, csv, geojson, kml, kmz, shapefile zip, gpkg)")
    s.add_argument("file")
    s.add_argument("--kind", required=True, help="kind key or label (outfalls, 入海排污口 ...), town_boundaries, or a "
                                                 "reference area: built_up_area, near_suburbs, heat_network")
    s.add_argument("--crs", required=True, metavar="{wgs84,cgcs2000,gcj02,bd09,gk3:ZONE}",
                   help="the system the coordinates are in (required: GCJ-02 cannot be told from the data); "
                        "gk3:40 = CGCS2000 Gauss-Krüger 3° zone 40 (Fuqing), gk3:120 = central meridian 120°E")
    s.add_argument("--as", dest="as_user", required=True, help="the administrator account importing")
    s.add_argument("--dry-run", action="store_true", help="check and report only; write nothing")
    s.add_argument("--skip-invalid", action="store_true", help="write the valid rows even when other rows have errors")
    s.add_argument("--report", help="write the JSON report (every problem per row, the accepted ids) here")
    s.add_argument("--sheet", help="the sheet (xlsx) or layer (zip, gpkg, kml folder) to read")
    s.add_argument("--map", action="append", metavar="HEADER=FIELD",
                   help="map a column the importer does not recognise (repeat); remembered for this file layout")
    s.add_argument("--override", metavar="REASON",
                   help="administrators: set statuses whose evidence is missing anyway, for this recorded reason")
    s.set_defaults(func=cmd_import)
    s = sub.add_parser("undo", help="undo an import batch, restoring every site it touched")
    s.add_argument("batch_id")
    s.add_argument("--as", dest="as_user", required=True, help="the administrator account undoing it")
    s.set_defaults(func=cmd_undo)
    s = sub.add_parser("batches", help="JSON list of import batches, newest first")
    _add_as(s, "the administrator asking")
    s.add_argument("--limit", type=int, default=50)
    s.set_defaults(func=cmd_batches)


def cmd_raster_add(args) -> int:
    from geo.raster.overlays import add_raster_file, resolved_style, suggest_raster_id

    store = open_store(args.store)
    actor = store.actor_for(args.as_user, client=_client())
    taken = {r.raster_id for r in store.list_rasters(actor, include_removed=True)}
    layer = add_raster_file(store, actor, args.file, raster_id=args.id or suggest_raster_id(args.file, taken),
                            name_zh=args.name_zh, name_en=args.name_en, colormap=args.colormap, vmin=args.vmin,
                            vmax=args.vmax, unit=args.unit or "", opacity=args.opacity,
                            description=args.description or "")
    style = resolved_style(store.raster_path(layer), layer)
    print(json.dumps({"raster_id": layer.raster_id, "file": str(store.raster_path(layer)), "max_zoom": layer.max_zoom,
                      "value_range": [style.vmin, style.vmax] if style else None,
                      "message": f"已添加栅格图层“{layer.name_zh}”（瓦片在查看时生成）。"},
                     ensure_ascii=False))
    return 0


def cmd_raster_list(args) -> int:
    store = open_store(args.store)
    actor = _actor(store, args)
    print(json.dumps([{"raster_id": r.raster_id, "name_zh": r.name_zh, "name_en": r.name_en, "bands": r.bands,
                       "colormap": r.colormap, "vmin": r.vmin, "vmax": r.vmax, "unit": r.unit, "opacity": r.opacity,
                       "shown": r.shown, "bounds": list(r.bounds), "is_sample": r.is_sample,
                       "is_synthetic": r.is_synthetic, "file": str(store.raster_path(r)), "version": r.version,
                       "added": f"{r.added_at} {r.added_by}"} for r in store.list_rasters(actor)],
                     ensure_ascii=False, indent=2))
    return 0


def cmd_raster_render(args) -> int:
    """Warm the tile cache: render every tile of each raster's county view (z8–z12) that is not cached yet."""
    from geo.basegeo import FUQING_BOUNDS
    from geo.raster.overlays import default_tile_cache, display_bounds, tile_png
    from geo.raster.tiles import tiles_covering

    store = open_store(args.store)
    cache = default_tile_cache()
    out = []
    for layer in store.list_rasters(_actor(store, args)):
        path = store.raster_path(layer)
        box = layer.bounds
        clip = (max(box[0], FUQING_BOUNDS[0]), max(box[1], FUQING_BOUNDS[1]),
                min(box[2], FUQING_BOUNDS[2]), min(box[3], FUQING_BOUNDS[3]))
        for frame in args.frame or ["wgs84"]:
            n = drawn = 0
            if clip[0] < clip[2] and clip[1] < clip[3]:
                for z in range(8, min(12, layer.max_zoom) + 1):
                    for _, x, y in tiles_covering(display_bounds(clip, frame), z):
                        n += 1
                        drawn += tile_png(path, layer, frame, z, x, y, cache) is not None
            out.append({"raster_id": layer.raster_id, "frame": frame, "tiles": n, "with_data": drawn})
    print(json.dumps(out, ensure_ascii=False))
    return 0


def _add_raster_commands(sub) -> None:
    s = sub.add_parser("raster", help="raster overlays: add (check, copy with overviews), list, render (warm the tile cache)")
    rs = s.add_subparsers(dest="raster_command", required=True)
    a = rs.add_parser("add", help="add a GeoTIFF / COG as an overlay (checked from its header first)")
    a.add_argument("file")
    a.add_argument("--as", dest="as_user", required=True, help="the administrator account adding it")
    a.add_argument("--name-zh", required=True)
    a.add_argument("--name-en", required=True)
    a.add_argument("--id", help="layer id (default: from the file name)")
    a.add_argument("--colormap", help="single band: viridis, blues, ylorrd, terrain, greys, brbg (default viridis)")
    a.add_argument("--vmin", type=float)
    a.add_argument("--vmax", type=float)
    a.add_argument("--unit")
    a.add_argument("--opacity", type=float, default=0.7)
    a.add_argument("--description")
    a.set_defaults(func=cmd_raster_add)
    li = rs.add_parser("list", help="JSON list of raster overlays")
    _add_as(li, "the account asking")
    li.set_defaults(func=cmd_raster_list)
    r = rs.add_parser("render", help="warm the tile cache with the county view (z8-z12); optional, tiles render on request")
    _add_as(r, "the account asking")
    r.add_argument("--frame", action="append", choices=["wgs84", "gcj02"], help="display frame (repeat); default wgs84")
    r.set_defaults(func=cmd_raster_render)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cli.py", description="福清生态环境一张图 — batch interface")
    p.add_argument("--store", help="the store: a GeoPackage path or postgresql://… (default: $ONEMAP_STORE or "
                                   "data/store.gpkg)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("init", help="create the store from the sample data")
    s.add_argument("--force", action="store_true",
                   help="recreate it even if it exists (stop the app first); a store holding anything but sample "
                        "data is backed up first, beside it")
    s.add_argument("--backup", metavar="FILE", help="with --force: where to put the backup (always made then)")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("migrate", help="copy a whole store into a new, empty one (GeoPackage <-> PostGIS), verified")
    s.add_argument("--from", dest="source", required=True, help="the store to copy: a .gpkg path or postgresql://…")
    s.add_argument("--to", dest="target", required=True, help="the new store: a .gpkg path or postgresql://…")
    _add_as(s, "an administrator of the store copied")
    s.set_defaults(func=cmd_migrate)

    s = sub.add_parser("summary", help="JSON counts per kind x status x town")
    _add_as(s, "the account reading the counts")
    s.set_defaults(func=cmd_summary)

    s = sub.add_parser("status", help="change a site's status through the store's checks")
    s.add_argument("site_id")
    s.add_argument("new_status", help="status code, e.g. remediating")
    s.add_argument("--as", dest="as_user", required=True,
                   help="the account making the change: its role and towns are checked, and it is recorded")
    s.add_argument("--note", help="why (recorded in the history)")
    s.add_argument("--op-id", help="idempotency key: the same key twice applies once")
    s.add_argument("--expected-version", type=int, help="refuse if the site's version differs")
    s.add_argument("--set", dest="sets", action="append", metavar="FIELD=VALUE",
                   help="a field recorded with the change, e.g. remediation_method=依法取缔 (repeat)")
    s.add_argument("--photo", dest="photos", action="append", metavar="FILE",
                   help="a photo (JPEG/PNG/WebP) attached to the change: evidence or the scanned document (repeat)")
    s.add_argument("--override", metavar="REASON",
                   help="administrators only: enter a status whose evidence gate refuses, for this reason "
                        "(recorded and shown in review); never implied")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("check", help="check every site against its history (lost updates, broken chains)")
    _add_as(s, "the account running the check")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("export", help="export site lists per town: xlsx, csv, geojson, gpkg, kml, kmz, shp")
    where = s.add_mutually_exclusive_group(required=True)
    where.add_argument("--town", action="append", help="a town or street, name or code (repeat for several)")
    where.add_argument("--all-towns", action="store_true", help="every town: a ZIP with one folder per town")
    s.add_argument("--kind", action="append", help="only this kind, key or label (repeat); default all")
    s.add_argument("--status", action="append", help="only this status, code or kind:code (repeat); default all")
    s.add_argument("--format", action="append", required=True,
                   choices=["xlsx", "csv", "geojson", "gpkg", "kml", "kmz", "shp"],
                   help="output format (repeat for several: a ZIP)")
    s.add_argument("-o", "--output", required=True, help="the file to write (.zip for several formats or towns)")
    s.add_argument("--per-town", action="store_true", help="with several --town: one folder per town in a ZIP")
    s.add_argument("--gcj02", action="store_true", help="add GCJ-02 (Gaode/Amap) lon/lat columns")
    s.add_argument("--csv-encoding", default="utf-8-sig", choices=["utf-8-sig", "gbk"],
                   help="CSV encoding (default utf-8-sig: UTF-8 with BOM, Excel shows Chinese)")
    s.add_argument("--shp-encoding", default="gbk", choices=["gbk", "utf-8"], help="Shapefile .dbf encoding")
    _add_as(s, "the account exporting (inspectors: their own towns only)")
    s.set_defaults(func=cmd_export)

    _add_user_commands(sub)
    _add_device_commands(sub)
    _add_audit_command(sub)
    _add_review_commands(sub)
    _add_import_commands(sub)
    _add_raster_commands(sub)

    s = sub.add_parser("grade", help="JSON: grade black-odorous water from a table of readings (points, bodies, rules)")
    s.add_argument("file", help="CSV or xlsx: water_body, point, round, transparency_cm, depth_cm, do_mg_l, orp_mv, "
                                "nh3n_mg_l (or 水体, 点位, 轮次, 透明度, 水深, 溶解氧, 氧化还原电位, 氨氮); UTF-8 or GBK")
    s.set_defaults(func=cmd_grade)
    _add_observation_commands(sub)
    return p


def _print_error(exc: OneMapError) -> None:
    fix_zh, fix_en = exc.fix("zh"), exc.fix("en")
    print(f"错误 [{exc.code}]：{exc.zh}" + (f" 处理：{fix_zh}" if fix_zh else "")
          + f"\nError [{exc.code}]: {exc.en}" + (f" Fix: {fix_en}" if fix_en else ""), file=sys.stderr)


# -- monitoring tables: one command group per declared spec (layers.OBSERVATIONS) -------------------------
def cmd_obs_import(args) -> int:
    """Import a monitoring file: check every row; write nothing unless every row is fine.

    Exit 0: every row accepted (and written unless --dry-run); 3: problems found, nothing written;
    2: refused (permissions, store).
    """

    from geo.export.atomic import check_target
    from geo.ingest.observations import prepare_observations
    from layers import get_observation_spec

    spec = get_observation_spec(args.spec_key)
    report_path = check_target(args.report, what="report") if args.report else None  # before anything is written
    store = open_store(args.store)
    actor = store.actor_for(args.as_user, client=_client())
    store.list_batches(actor, limit=1)  # an import, even a dry run, needs the import permission
    data, name = _read_file(args.file, "import.file_unreadable")
    sites = store.list_sites(actor, kinds=[spec.site_kind])
    plan = prepare_observations(data, name, spec=spec, sites=sites, sheet=args.sheet,
                                stored=store.list_observations(actor, spec.key, [s.site_id for s in sites]))
    written, result = False, None
    if not args.dry_run and not plan.has_errors and plan.writable:
        result = store.import_observations(actor, spec.key, plan.writable, source_name=name)
        written = True
    report = plan.report(batch_id=result.batch_id if result else None, written=written)
    if result is not None:
        report["status_changes"] = list(result.status_changes)
    report_error = _write_report(report_path, report) if report_path else None
    for p in plan.problems[:200]:
        print(_problem_line(p, "row"), file=sys.stderr)
    summary = {k: report[k] for k in ("file", "table", "rows_read", "batch_id", "written", "counts")}
    if result is not None:
        summary["status_changes"] = list(result.status_changes)
    if plan.has_errors:
        summary["message"] = "发现问题，未写入任何数据（请修正文件后重试）。"
    elif args.dry_run:
        summary["message"] = "试运行：全部行均可导入，未写入。"
    elif written:
        summary["message"] = f"已导入，批次 {result.batch_id}（撤销：python cli.py undo {result.batch_id} --as 用户名）。"
    else:
        summary["message"] = "文件中的数据均已在库中，未写入。"
    if report_error is not None:
        summary["report_error"] = {"code": report_error.code, "message_zh": report_error.zh,
                                   "message_en": report_error.en}
        _print_error(report_error)
    print(json.dumps(summary, ensure_ascii=False))
    if report_error is not None:
        return EXIT_REPORT_NOT_WRITTEN if written else EXIT_REFUSED
    return EXIT_PROBLEMS if plan.has_errors else 0


def cmd_obs_list(args) -> int:
    """A site's monitoring rows and their assessment (campaigns graded by the body's rule), as JSON."""
    from geo.domain.monitoring import rules_for
    from geo.domain.sources import ALL as SOURCES
    from layers import get_observation_spec

    spec = get_observation_spec(args.spec_key)
    store = open_store(args.store)
    actor = _actor(store, args)
    site = store.get_site(actor, args.site_id)
    if site.kind != spec.site_kind:
        from geo.errors import ValidationError

        raise ValidationError("obs.wrong_kind", en=f"{site.site_id} is not a {spec.site_kind} site.",
                              zh=f"{site.site_id} 不是该监测表所属的点位类型。", value=site.site_id)
    rows = store.list_observations(actor, spec.key, [site.site_id], include_replaced=args.all)
    rules = rules_for(spec)
    current = rows if not args.all else store.list_observations(actor, spec.key, [site.site_id])
    print(json.dumps({
        "site_id": site.site_id, "name": site.name, "status": site.status, "table": spec.key,
        "water_kind": site.attrs.get("water_kind"), "rules": rules.sources(site),
        "rows": [{"obs_id": r.obs_id, "date": r.observed_on, "time": r.observed_time, **dict(r.values),
                  "action": r.action, "replaces": r.replaces, "reason": r.reason, "recorded_at": r.recorded_at,
                  "recorded_by": r.recorded_by, "source": r.source, "batch_id": r.batch_id} for r in rows],
        "assessment": [a.to_dict() for a in rules.assess(site, current)],
        "limits": [lim.to_dict() for lim in rules.limits(site)],
        "unverified_sources": [s.to_dict() for s in SOURCES if not s.verified],
        "sample": any(r.is_sample for r in rows),
    }, ensure_ascii=False, indent=2))
    return 0


def cmd_obs_fix(args) -> int:
    """Correct or void one stored row (a new row replaces it; the old one stays)."""
    from geo.errors import ValidationError
    from layers import get_observation_spec

    spec = get_observation_spec(args.spec_key)
    store = open_store(args.store)
    actor = store.actor_for(args.as_user, client=_client())
    if args.obs_cmd == "void":
        result = store.void_observation(actor, spec.key, args.obs_id, reason=args.reason)
    else:
        values = {}
        for item in args.set or ():
            key, sep, value = item.partition("=")
            if not sep or spec.field(key.strip()) is None:
                raise ValidationError("obs.bad_set", en=f"--set {item!r}: write FIELD=VALUE with a field of "
                                      f"{', '.join(spec.field_names)}.",
                                      zh=f"--set “{item}”：请写成 字段=值，字段为 {'、'.join(spec.field_names)} 之一。",
                                      value=item)
            fld = spec.field(key.strip())
            values[fld.name] = value.strip() if fld.type in ("text", "choice") else (
                None if value.strip() == "" else float(value))
        result = store.correct_observation(actor, spec.key, args.obs_id, reason=args.reason, values=values,
                                           observed_on=args.date, observed_time=args.time)
    print(json.dumps({"written": list(result.obs_ids), "replaced": list(result.replaced), "site": result.sites[0],
                      "status_changes": list(result.status_changes)}, ensure_ascii=False))
    return 0


def _add_observation_commands(sub) -> None:
    from layers import OBSERVATIONS

    for spec in OBSERVATIONS.values():
        s = sub.add_parser(spec.cli_name, help=f"{spec.en} ({spec.zh}): import, list, correct, void")
        os_ = s.add_subparsers(dest="obs_cmd", required=True)
        i = os_.add_parser("import", help=f"import {spec.en} from xlsx or CSV (UTF-8, GBK); exit 3 on problems")
        i.add_argument("file")
        i.add_argument("--as", dest="as_user", required=True, help="the administrator account importing")
        i.add_argument("--dry-run", action="store_true", help="check and report only; write nothing")
        i.add_argument("--report", help="write the JSON report (every problem per row) here")
        i.add_argument("--sheet", help="the sheet to read (xlsx)")
        i.set_defaults(func=cmd_obs_import, spec_key=spec.key)
        ls = os_.add_parser("list", help="JSON: a site's rows and their assessment")
        ls.add_argument("site_id")
        ls.add_argument("--all", action="store_true", help="every row ever written (corrections and voids too)")
        _add_as(ls, "the account asking")
        ls.set_defaults(func=cmd_obs_list, spec_key=spec.key)
        c = os_.add_parser("correct", help="replace a stored row by a corrected one (the old row is kept)")
        c.add_argument("obs_id", type=int)
        c.add_argument("--as", dest="as_user", required=True)
        c.add_argument("--reason", required=True)
        c.add_argument("--set", action="append", metavar="FIELD=VALUE")
        c.add_argument("--date", help="corrected date YYYY-MM-DD")
        c.add_argument("--time", help="corrected time HH:MM")
        c.set_defaults(func=cmd_obs_fix, spec_key=spec.key)
        v = os_.add_parser("void", help="withdraw a stored row (a void row replaces it; the old row is kept)")
        v.add_argument("obs_id", type=int)
        v.add_argument("--as", dest="as_user", required=True)
        v.add_argument("--reason", required=True)
        v.set_defaults(func=cmd_obs_fix, spec_key=spec.key)


def main(argv: list[str] | None = None) -> int:
    from geo.errorlog import internal_error, log_unraisable, should_raise

    if not should_raise():  # what Python cannot raise (a library's __del__ after a full disk) goes to the log
        sys.unraisablehook = log_unraisable
    args = build_parser().parse_args(argv)
    for problem in settings.current().problems:  # a setting that was ignored, and why
        print(f"设置提示：{problem.zh}\nSetting ignored: {problem.en}", file=sys.stderr)
    try:
        return args.func(args)
    except OneMapError as exc:
        _print_error(exc)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("已取消 Cancelled", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last resort: a coded message and a log reference, no traceback
        if should_raise():
            raise
        _print_error(internal_error(exc, where=f"cli {args.command}", show_path=True))
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
