"""The last resort: an unexpected exception becomes a coded message with a log reference, never a traceback on screen.

The CLI and every page end in :func:`internal_error`: the traceback goes to
the error log (``$ONEMAP_LOG``, default ``data/logs/errors.log``; see
:mod:`geo.settings`) under a
reference such as ``E-20261206-3f9a2c``, and the user sees
``internal.error`` with that reference — enough for an administrator to find
the traceback, nothing an attacker can read. If the log itself cannot be
written (a full disk), the message says so and the reference still appears.

Tests must still fail on an unexpected exception: with
``ONEMAP_RAISE_INTERNAL=1`` (set by ``tests/conftest.py`` and inherited by
the CLI and app processes the tests start) :func:`should_raise` is true and
callers re-raise instead of swallowing.
"""

from __future__ import annotations

import traceback
import uuid
from datetime import datetime
from pathlib import Path

from geo import settings
from geo.clock import CST
from geo.errors import OneMapError

__all__ = ["InternalError", "error_log_path", "internal_error", "log_unraisable", "should_raise"]


class InternalError(OneMapError, RuntimeError):
    """An unexpected failure, logged under :attr:`ref`; its message carries nothing but the reference."""

    default_code = "internal.error"

    @property
    def ref(self) -> str:
        return str(self.context.get("ref", ""))


def error_log_path() -> Path:
    """The error log: ``$ONEMAP_LOG`` or ``data/logs/errors.log``."""
    return settings.current().log


def should_raise() -> bool:
    """True under test (``ONEMAP_RAISE_INTERNAL=1``): unexpected exceptions must surface there."""
    return settings.current().raise_internal


def _append(text: str) -> bool:
    try:
        path = error_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
        return True
    except OSError:
        return False


def log_unraisable(unraisable) -> None:
    """A ``sys.unraisablehook``: an exception Python cannot raise (in ``__del__``, at exit — e.g. a library's
    half-written file closed by the garbage collector after a full disk) goes to the log, not to the screen."""
    exc = unraisable.exc_value
    text = "".join(traceback.format_exception(type(exc), exc, unraisable.exc_traceback)) if exc else ""
    _append(f"=== unraisable {datetime.now(CST).isoformat(timespec='seconds')} {unraisable.err_msg or ''} "
            f"{unraisable.object!r}\n{text}\n")


def internal_error(exc: BaseException, *, where: str, show_path: bool = False) -> InternalError:
    """Log ``exc`` with its traceback under a new reference and return the error to show instead.

    Parameters
    ----------
    exc : BaseException
        What escaped.
    where : str
        The command or page (``cli import``, ``page 导入``), logged with it.
    show_path : bool
        Name the log file in the message (the CLI, run on the server); pages only say "the error log".
    """
    now = datetime.now(CST)
    ref = f"E-{now:%Y%m%d}-{uuid.uuid4().hex[:6]}"
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    logged = _append(f"=== {ref} {now.isoformat(timespec='seconds')} {where}\n{text}\n")
    where_zh = (f"错误日志 {error_log_path()} " if show_path else "错误日志") if logged else \
        "错误日志（写入失败：磁盘已满或无权限）"
    where_en = (f"the error log {error_log_path()}" if show_path else "the error log") if logged else \
        "the error log (could not be written: disk full or no permission)"
    return InternalError(
        "internal.error", ref=ref, logged=logged,
        zh=f"系统内部错误（编号 {ref}），本次操作未完成。",
        en=f"Internal error (reference {ref}); the operation did not complete.",
        fix_zh=f"请把编号 {ref} 告知系统管理员，管理员可在{where_zh}中查到详情。",
        fix_en=f"Give the reference {ref} to the administrator, who finds the details in {where_en}.",
    )
