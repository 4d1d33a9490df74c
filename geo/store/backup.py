"""Before a store file is replaced: does it hold anything but sample data, and a backup of it.

``cli.py init --force`` rebuilds the store from the sample data. It used to
do that over whatever was there. Now :func:`holds_user_data` decides whether
the file holds anything a person made — accounts, imports, a site or a
status change not made by the sample generator, an audit row from anyone
else — or is a file we cannot read (it may hold data, we cannot tell); in
that case :func:`backup_file` copies it first (SQLite's online backup for a
readable store, so its WAL is folded in; a byte copy otherwise) and the
caller says where the copy is.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from geo.clock import CST
from geo.errors import StoreError
from geo.store.schema import AUDIT_TABLE, BATCHES_TABLE, META_TABLE, USERS_TABLE

__all__ = ["backup_file", "default_backup_path", "holds_user_data"]

_SAMPLE_CLIENT = "sample"
#: The name of ``geo.sample.SAMPLE_ACTOR``: the sample data's reference areas come as its import batches.
_SAMPLE_ACTOR = "示例数据生成"


def holds_user_data(path: str | os.PathLike) -> bool:
    """True unless ``path`` is missing, empty, or a store of this app holding the sample data only."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return True
    try:
        origin = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key='data_origin'").fetchone()
        if not origin or origin[0] != "sample":
            return True
        if conn.execute(f"SELECT count(*) FROM {USERS_TABLE}").fetchone()[0]:
            return True
        if conn.execute(f"SELECT count(*) FROM {BATCHES_TABLE} WHERE actor != ? OR undone_at IS NOT NULL",
                        (_SAMPLE_ACTOR,)).fetchone()[0]:
            return True
        others = conn.execute(f"SELECT count(*) FROM {AUDIT_TABLE} WHERE coalesce(client, '') != ?",
                              (_SAMPLE_CLIENT,)).fetchone()[0]
        return bool(others)
    except sqlite3.Error:
        return True  # not a store we can read: it may hold anything
    finally:
        conn.close()


def default_backup_path(path: str | os.PathLike) -> Path:
    """``data/store.gpkg`` -> ``data/store.before-init-20261206-153012.gpkg`` (beside it, never overwriting)."""
    path = Path(path)
    stamp = datetime.now(CST).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.before-init-{stamp}{path.suffix}")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}.before-init-{stamp}-{n}{path.suffix}")
    return candidate


def backup_file(path: str | os.PathLike, target: str | os.PathLike | None = None) -> Path:
    """Copy the store file ``path`` to ``target`` (default :func:`default_backup_path`) and return where.

    Raises
    ------
    StoreError
        ``store.backup_failed`` naming the target and the reason; nothing is left at the target then.
    """
    path = Path(path)
    target = Path(target) if target else default_backup_path(path)
    part = target.with_name(f".{target.name}.part")
    try:
        try:
            src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
            try:
                src.execute("SELECT count(*) FROM sqlite_master").fetchone()
                dst = sqlite3.connect(part)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
            finally:
                src.close()
        except sqlite3.DatabaseError:
            part.unlink(missing_ok=True)
            shutil.copyfile(path, part)  # not a readable SQLite file: keep its bytes as they are
        with open(part, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(part, target)
    except (OSError, sqlite3.Error) as exc:
        part.unlink(missing_ok=True)
        raise StoreError(
            "store.backup_failed", path=str(target),
            zh=f"无法把 {path} 备份到 {target}（{exc}），因此未做任何修改。",
            en=f"Could not back {path} up to {target} ({exc}), so nothing was changed.",
            fix_zh="清理磁盘空间或用 --backup 指定另一个可写的位置后重试。",
            fix_en="Free disk space, or give another writable place with --backup, and retry.",
        ) from exc
    return target
