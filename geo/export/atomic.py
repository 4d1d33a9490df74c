"""Write a file all at once or not at all.

The writer produces a temporary file next to the target (same directory,
so same file system) and only a complete, flushed file is moved over the
target with :func:`os.replace`. Any failure — a full disk, a permission, an
exception in the writer — removes the temporary file, leaves the target
untouched and raises a :class:`~geo.errors.StoreError` naming the path.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from geo.errors import OneMapError, StoreError, ValidationError

_SIDE_SUFFIXES = ("-journal", "-wal", "-shm")  # what SQLite (GPKG) may leave next to a file


def check_target(target: str | os.PathLike, *, what: str = "export") -> Path:
    """Return ``target`` as a Path after checking that a regular file may be put there.

    ``what`` prefixes the codes (``export``, ``report`` …), so each kind of file says its own name.

    Raises
    ------
    ValidationError
        ``<what>.target_is_dir`` / ``<what>.target_not_file`` when something
        other than a regular file is in the way (a folder, ``/dev/full`` ...),
        ``<what>.no_directory`` when the folder does not exist.
    """
    path = Path(target)
    if path.is_dir():
        raise ValidationError(
            f"{what}.target_is_dir",
            en=f"{path} is a folder; give a file name, e.g. {path / 'export.zip'}.",
            zh=f"{path} 是文件夹；请给出文件名，例如 {path / 'export.zip'}。",
            path=str(path),
        )
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        raise ValidationError(
            f"{what}.target_not_file",
            en=f"{path} exists and is not a regular file (a device or pipe); choose a normal file path.",
            zh=f"{path} 已存在且不是普通文件（设备或管道），请换一个文件路径。",
            path=str(path),
        )
    if not path.parent.is_dir():
        raise ValidationError(
            f"{what}.no_directory",
            en=f"The folder {path.parent} does not exist; create it first or choose another path.",
            zh=f"文件夹 {path.parent} 不存在；请先创建或换一个路径。",
            path=str(path),
        )
    return path


def write_error(path: Path, exc: OSError, *, what: str = "export") -> StoreError:
    """A StoreError naming ``path`` for an OSError raised while writing it."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreError(
            f"{what}.disk_full",
            en=f"The disk holding {path} is full; nothing was written there. Free space or choose another folder, then retry.",
            zh=f"{path} 所在磁盘已满，未写入任何文件。请清理空间或换一个文件夹后重试。",
            path=str(path),
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StoreError(
            f"{what}.no_permission",
            en=f"No permission to write {path} ({exc.strerror}); choose a folder you may write to.",
            zh=f"没有写入 {path} 的权限（{exc.strerror}），请换一个有写权限的文件夹。",
            path=str(path),
        )
    return StoreError(
        f"{what}.write_failed",
        en=f"Writing {path} failed ({exc.strerror or exc}); nothing was written there. Retry or choose another folder.",
        zh=f"写入 {path} 失败（{exc.strerror or exc}），未写入任何文件。请重试或换一个文件夹。",
        path=str(path),
    )


def _remove(path: Path) -> None:
    for p in [path] + [path.with_name(path.name + s) for s in _SIDE_SUFFIXES]:
        try:
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            elif p.exists() or p.is_symlink():
                p.unlink()
        except OSError:
            pass


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_target(target: str | os.PathLike, *, what: str = "export") -> Iterator[Path]:
    """Yield a temporary path to write; move it to ``target`` when the block succeeds.

    The temporary file keeps the target's suffix (GDAL picks drivers by it)
    and starts with a dot so that file browsers hide it.

    Parameters
    ----------
    target : path-like
        The final file. Its folder must exist.

    Raises
    ------
    StoreError
        ``export.disk_full``, ``export.no_permission`` or ``export.write_failed``
        naming ``target``; the target is untouched and no temporary file remains.
    ValidationError
        From :func:`check_target`.
    """
    path = check_target(target, what=what)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.part{path.suffix}")
    try:
        yield tmp
        if not tmp.exists():
            raise StoreError(f"{what}.write_failed", en=f"The writer produced no file for {path}.",
                             zh=f"未能生成文件 {path}。", path=str(path))
        _fsync(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise write_error(path, exc, what=what) from exc
    except BaseException as exc:
        _remove(tmp)
        if isinstance(exc, OneMapError):
            raise
        cause = exc
        while cause is not None and not isinstance(cause, OSError):
            cause = cause.__cause__ or cause.__context__
        if isinstance(cause, OSError):  # e.g. a library that wrapped the OSError
            raise write_error(path, cause, what=what) from exc
        raise
    finally:
        _remove_sidecars(tmp)


def _remove_sidecars(tmp: Path) -> None:
    for s in _SIDE_SUFFIXES:
        side = tmp.with_name(tmp.name + s)
        if side.exists():
            try:
                side.unlink()
            except OSError:
                pass


def write_bytes(target: str | os.PathLike, data: bytes, *, what: str = "export") -> Path:
    """Write ``data`` to ``target`` all at once or not at all (see :func:`atomic_target`); return the path."""
    with atomic_target(target, what=what) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
    return Path(target)
