"""Why a store cannot be opened, by cause — each with its own code and advice.

SQLite says "disk I/O error" for a full disk, "unable to open database file"
for a read-only folder and "file is not a database" for anything that is not
SQLite. Reporting all of them as "not a store of this app — run ``cli.py init
--force``" once told an operator whose disk was full to replace the bureau's
data with sample data (the store was intact once space was freed). So the
file and its folder are looked at in order, cheapest first:

==========================  ==========================================================
``store.missing``           no file
``store.disk_full``         the disk holding it has (almost) no space left
``store.read_only``         the file, its folder or the file system cannot be written
``store.busy``              another program holds a lock beyond the 30 s wait
``store.empty_file``        a file of 0 bytes (nothing to lose: ``init --force`` is fine)
``store.not_sqlite``        a file that is not SQLite at all (not a GeoPackage)
``store.corrupt``           SQLite, but damaged (``quick_check`` fails)
``store.not_gpkg``          SQLite, but no GeoPackage tables
``store.foreign_gpkg``      a GeoPackage, but of another application (no ``store_meta``)
``store.sqlite``            anything else, with SQLite's own words
==========================  ==========================================================

Only an empty file is ever answered with ``init --force``; every other
message says the data is kept and how to reach it.

A PostgreSQL/PostGIS store (:func:`diagnose_pg`) has other causes, named
from the driver's sqlstate or, when a connection failed before the server
said anything, libpq's words: ``store.unreachable``, ``store.auth_failed``,
``store.no_database``, ``store.read_only`` (a standby or a read-only
database), ``store.disk_full`` (the server's disk), ``store.too_many_connections``,
``store.no_privilege``, ``store.not_initialised`` (an empty database:
``init``), ``store.foreign_database`` (tables of another application, no
store of this app: a database of its own is advised). ``init`` on
PostgreSQL never replaces data, so ``init --force`` is never advised there.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from pathlib import Path

from geo.errors import StoreError

__all__ = ["DISK_FULL_BYTES", "PG_CAUSES", "diagnose", "diagnose_pg", "disk_is_full", "pg_cause", "read_only_reason"]

#: Free space under which a failing SQLite call is put down to a full disk (a WAL index needs 32 KB,
#: a checkpoint a few pages).
DISK_FULL_BYTES = 1024 * 1024
_SQLITE_MAGIC = b"SQLite format 3\x00"


def disk_is_full(path: Path) -> bool:
    """True when the file system holding ``path`` has less than :data:`DISK_FULL_BYTES` free."""
    folder = path.parent if not path.is_dir() else path
    try:
        return shutil.disk_usage(folder).free < DISK_FULL_BYTES
    except OSError:
        return False


def read_only_reason(path: Path) -> str | None:
    """Why ``path`` cannot be written (the file, its folder or the file system), or None."""
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "file system mounted read-only"
    except OSError:
        pass
    if path.exists() and not os.access(path, os.W_OK):
        return "file not writable"
    if not os.access(folder, os.W_OK | os.X_OK):
        return "folder not writable (SQLite needs to create its -wal and -shm files there)"
    for side in ("-wal", "-shm"):
        p = path.with_name(path.name + side)
        if p.exists() and not os.access(p, os.W_OK):
            return f"{p.name} not writable"
    return None


def _error(code: str, path: Path, *, zh: str, en: str, fix_zh: str, fix_en: str, detail: str = "") -> StoreError:
    return StoreError(code, zh=zh, en=en, fix_zh=fix_zh, fix_en=fix_en, path=str(path), detail=detail)


_KEEP_ZH = "数据库文件未被修改。"
_KEEP_EN = "The store file was not changed."


def diagnose(path: str | os.PathLike, exc: BaseException | None = None) -> StoreError:
    """The :class:`StoreError` that says why the store at ``path`` cannot be used.

    Parameters
    ----------
    path : path-like
        The store file.
    exc : exception, optional
        What SQLite (or the store) raised, if anything; its text is kept as ``detail``.
    """
    path = Path(path)
    detail = str(exc) if exc is not None else ""
    low = detail.lower()
    if not path.exists():
        return _error("store.missing", path, zh=f"{path} 不存在数据库。", en=f"No store at {path}.",
                      fix_zh="请运行 `python cli.py init` 创建，或把 ONEMAP_STORE 指向已有的数据库。",
                      fix_en="Run `python cli.py init` to create one, or point ONEMAP_STORE at the existing store.")
    if "full" in low or (("i/o" in low or "unable to open" in low or not detail) and disk_is_full(path)):
        return _error(
            "store.disk_full", path, detail=detail,
            zh=f"{path} 所在磁盘已满，无法读写数据库。{_KEEP_ZH}",
            en=f"The disk holding {path} is full, so the store cannot be read or written. {_KEEP_EN}",
            fix_zh="清理该磁盘空间（至少留出几十 MB）后重试；数据仍在原处，切勿重新初始化。",
            fix_en="Free space on that disk (leave tens of MB) and retry; the data is still there — do not re-initialise.")
    reason = read_only_reason(path)
    if reason and ("readonly" in low or "read-only" in low or "unable to open" in low or "i/o" in low
                   or "attempt to write" in low or not detail):
        return _error(
            "store.read_only", path, detail=f"{reason}; {detail}".strip("; "),
            zh=f"数据库 {path} 无法写入（{reason}）。{_KEEP_ZH}",
            en=f"The store {path} cannot be written ({reason}). {_KEEP_EN}",
            fix_zh="让运行本系统的用户对该文件及其所在文件夹有写权限（或以可写方式挂载磁盘）后重试。",
            fix_en="Give the user running the app write access to the file and its folder (or mount the disk "
                   "read-write), then retry.")
    if "locked" in low or "busy" in low:
        return _error(
            "store.busy", path, detail=detail,
            zh=f"数据库 {path} 被其他程序锁定超过 30 秒。{_KEEP_ZH}",
            en=f"The store {path} stayed locked by another program for over 30 s. {_KEEP_EN}",
            fix_zh="关闭正在写入该文件的程序（如 QGIS 的编辑会话）后重试。",
            fix_en="Close the program writing to it (e.g. a QGIS editing session) and retry.")
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as err:
        return _error(
            "store.read_only", path, detail=str(err),
            zh=f"无法读取数据库 {path}（{err.strerror}）。{_KEEP_ZH}", en=f"Cannot read the store {path} ({err.strerror}). {_KEEP_EN}",
            fix_zh="检查文件权限后重试。", fix_en="Check the file's permissions and retry.")
    if size == 0:
        return _error(
            "store.empty_file", path, detail=detail,
            zh=f"{path} 是一个空文件（0 字节），其中没有任何数据。",
            en=f"{path} is an empty file (0 bytes); it holds no data.",
            fix_zh="运行 `python cli.py init --force` 在此处新建数据库。",
            fix_en="Run `python cli.py init --force` to create a store there.")
    if not head.startswith(_SQLITE_MAGIC):
        return _error(
            "store.not_sqlite", path, detail=detail,
            zh=f"{path} 不是 GeoPackage/SQLite 文件（可能是其他文件被误指定）。{_KEEP_ZH}",
            en=f"{path} is not a GeoPackage/SQLite file (another file was pointed at?). {_KEEP_EN}",
            fix_zh="把 ONEMAP_STORE（或 --store）指向本系统的数据库文件；不要覆盖此文件。",
            fix_en="Point ONEMAP_STORE (or --store) at this app's store file; do not overwrite this one.")
    return _inspect_sqlite(path, detail)


def _inspect_sqlite(path: Path, detail: str) -> StoreError:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as err:
        return _sqlite_error(path, f"{detail}; {err}".strip("; "))
    try:
        try:
            ok = conn.execute("PRAGMA quick_check(1)").fetchone()
        except sqlite3.DatabaseError as err:
            ok = (str(err),)
        if not ok or str(ok[0]).lower() != "ok":
            return _error(
                "store.corrupt", path, detail=f"{detail}; quick_check: {ok[0] if ok else '?'}".strip("; "),
                zh=f"数据库 {path} 已损坏（SQLite 完整性检查未通过）。{_KEEP_ZH}",
                en=f"The store {path} is damaged (SQLite's integrity check fails). {_KEEP_EN}",
                fix_zh="先复制保存该文件，再从最近的备份恢复；请勿重新初始化（那会丢失数据）。",
                fix_en="Copy the file aside first, then restore the latest backup; do not re-initialise (that loses the data).")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as err:
        return _sqlite_error(path, f"{detail}; {err}".strip("; "))
    finally:
        conn.close()
    if "gpkg_contents" not in tables:
        return _error(
            "store.not_gpkg", path, detail=detail,
            zh=f"{path} 是 SQLite 数据库，但不是 GeoPackage。{_KEEP_ZH}",
            en=f"{path} is an SQLite database but not a GeoPackage. {_KEEP_EN}",
            fix_zh="把 ONEMAP_STORE（或 --store）指向本系统的数据库文件；不要覆盖此文件。",
            fix_en="Point ONEMAP_STORE (or --store) at this app's store file; do not overwrite this one.")
    if "store_meta" not in tables:
        return _error(
            "store.foreign_gpkg", path, detail=detail,
            zh=f"{path} 是其他软件的 GeoPackage（如 QGIS 导出的图层），不是本系统的数据库。{_KEEP_ZH}",
            en=f"{path} is a GeoPackage of another application (e.g. layers saved by QGIS), not this app's store. {_KEEP_EN}",
            fix_zh="把 ONEMAP_STORE（或 --store）指向本系统的数据库；如需导入其中的图层，请使用导入功能。",
            fix_en="Point ONEMAP_STORE (or --store) at this app's store; to bring its layers in, use the import.")
    return _sqlite_error(path, detail)


def _sqlite_error(path: Path, detail: str) -> StoreError:
    return _error(
        "store.sqlite", path, detail=detail,
        zh=f"数据库 {path} 无法使用：{detail or '未知错误'}。{_KEEP_ZH}",
        en=f"The store {path} cannot be used: {detail or 'unknown error'}. {_KEEP_EN}",
        fix_zh="记下此信息并联系系统管理员；请勿重新初始化。", fix_en="Note this message and contact the administrator; do not re-initialise.")


# -- PostgreSQL/PostGIS ----------------------------------------------------------------------------------------------
#: A PostgreSQL store's causes (sqlstate first, then libpq's words — regular expressions over the lower-case
#: message — where a connection failed before the server gave any sqlstate).
#: ``store.disk_full`` (53100), ``store.busy`` (55P03, 57014) and ``store.retry`` are named by
#: :meth:`geo.store.postgis.PgDatabase._store_error` itself; the rest here, in order:
PG_CAUSES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (code, sqlstates, lower-case words in the driver's message)
    ("store.disk_full", ("53100",), ("no space left on device", "could not extend file")),
    ("store.read_only", ("25006",), ("read-only transaction", "recovery is in progress")),
    ("store.too_many_connections", ("53300",), ("too many clients", "remaining connection slots")),
    ("store.no_database", ("3D000",), (r'database "[^"]*" does not exist',)),
    ("store.auth_failed", ("28P01", "28000"), ("password authentication failed", "no pg_hba.conf entry",
                                                r'role "[^"]*" does not exist', "authentication failed")),
    ("store.no_privilege", ("42501",), ("permission denied",)),
    ("store.unreachable", ("08000", "08001", "08003", "08004", "08006"),
     ("connection failed", "connection is bad", "could not connect", "connection refused", "no such file or directory",
      "timeout expired", "could not translate host name", "server closed the connection", "pooltimeout",
      "couldn't get a connection")),
)

_PG_TEXTS = {
    "store.disk_full": (
        "数据库服务器 {label} 的磁盘已满，本次未写入任何数据。", "The disk of the database server {label} is full; nothing was written.",
        "请数据库管理员清理服务器磁盘空间后重试；数据仍在，切勿重新初始化。",
        "Ask the database administrator to free space on the server, then retry; the data is still there — "
        "do not re-initialise."),
    "store.read_only": (
        "数据库 {label} 只读（备用服务器或被设为只读），无法写入。", "The database {label} is read-only (a standby, or set read-only); "
        "nothing can be written.",
        "把 ONEMAP_STORE 指向主服务器，或请数据库管理员取消只读设置后重试。",
        "Point ONEMAP_STORE at the primary server, or ask the database administrator to lift the read-only setting."),
    "store.too_many_connections": (
        "数据库 {label} 的连接数已满。", "The database {label} accepts no more connections.",
        "稍后重试；如经常出现，请减少实例数或请数据库管理员调高 max_connections。",
        "Retry in a moment; if it keeps happening, run fewer instances or ask for a higher max_connections."),
    "store.no_database": (
        "数据库服务器上没有 ONEMAP_STORE 所指的数据库（{label}）。", "The server has no database named in ONEMAP_STORE ({label}).",
        "核对 ONEMAP_STORE 中的数据库名；新建时先由数据库管理员 createdb 并启用 PostGIS，再运行 `python cli.py init`。",
        "Check the database name in ONEMAP_STORE; for a new store have the administrator createdb it with PostGIS, "
        "then run `python cli.py init`."),
    "store.auth_failed": (
        "数据库 {label} 拒绝了登录（用户名或密码不对，或未获准从本机连接）。",
        "The database {label} refused the login (wrong user or password, or this host is not allowed).",
        "核对 ONEMAP_STORE 中的用户和密码（或 ~/.pgpass），并请数据库管理员检查 pg_hba.conf。",
        "Check the user and password in ONEMAP_STORE (or ~/.pgpass) and ask the administrator to check pg_hba.conf."),
    "store.no_privilege": (
        "数据库 {label} 的账户缺少所需权限。", "The account used for {label} lacks a privilege the app needs.",
        "用数据库所有者运行 `python cli.py init`（会补齐表结构与授权），或请数据库管理员授权。",
        "Run `python cli.py init` as the database owner (it brings tables and grants up to date), or ask for the grant."),
    "store.unreachable": (
        "无法连接数据库 {label}。", "Cannot reach the database {label}.",
        "检查 ONEMAP_STORE 中的主机和端口、数据库服务是否运行以及网络；数据在服务器上，未受影响。",
        "Check the host and port in ONEMAP_STORE, that the server runs, and the network; the data on the server is "
        "not affected."),
    "store.postgres": (
        "数据库 {label} 出错。", "The database {label} reported an error.",
        "记下此信息并联系系统管理员；请勿重新初始化。", "Note this message and contact the administrator; do not re-initialise."),
}


def pg_cause(exc: BaseException) -> str:
    """The ``store.*`` code for what the PostgreSQL driver (or its pool) raised; ``store.postgres`` if none fits."""
    state = getattr(exc, "sqlstate", None) or ""
    text = f"{type(exc).__name__}: {exc}".lower()
    for code, states, _words in PG_CAUSES:
        if state and state in states:
            return code
    for code, _states, words in PG_CAUSES:
        if any(re.search(w, text) for w in words):
            return code
    return "store.postgres"


def diagnose_pg(label: str, exc: BaseException) -> StoreError:
    """The :class:`StoreError` that says why the PostgreSQL store ``label`` (a URL without its password) failed.

    The driver's own first line is kept as ``detail`` and in the message; ``init --force`` is never advised
    (``init`` on PostgreSQL never replaces data).
    """
    code = pg_cause(exc)
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    zh, en, fix_zh, fix_en = _PG_TEXTS[code]
    return StoreError(code, zh=f"{zh.format(label=label)}（{detail}）", en=f"{en.format(label=label)} ({detail})",
                      fix_zh=fix_zh, fix_en=fix_en, detail=detail, sqlstate=getattr(exc, "sqlstate", None) or "")
