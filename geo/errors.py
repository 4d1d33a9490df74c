"""One small error hierarchy with stable codes.

Every error carries a stable dotted ``code`` (for logs, tests and the UI),
a Chinese and an English message that name the bad value and the fix, and
optional ``context`` (row, field, value ...). Classes also inherit the
matching built-in exception so callers may catch either, e.g.
``except ValueError`` still catches :class:`ValidationError`.

The original library error, when there is one, is kept on ``__cause__``
(raise ... from exc).
"""

from __future__ import annotations

from typing import Any


class OneMapError(Exception):
    """Root of every error the project raises on purpose.

    Parameters
    ----------
    code : str
        Stable dotted code, e.g. ``"status.transition_not_allowed"``.
    en : str
        English message: the situation, the bad value, the fix.
    zh : str, optional
        Chinese message; defaults to the English one.
    **context
        Extra facts (row, field, value, allowed ...) for callers and tests.
    """

    default_code = "onemap.error"

    def __init__(self, code: str | None, en: str, zh: str | None = None, **context: Any):
        self.code = code or self.default_code
        self.en = en
        self.zh = zh or en
        self.context = context
        super().__init__(f"[{self.code}] {en}")

    def message(self, lang: str = "zh") -> str:
        """Return the message in ``lang`` ("zh" or "en")."""
        return self.zh if lang == "zh" else self.en

    def __reduce__(self):
        # Keep errors picklable (they cross process boundaries, e.g. in a
        # multiprocessing pool, where an unpicklable error hangs the pool).
        return (_rebuild, (type(self), self.code, self.en, self.zh, self.context))


def _rebuild(cls, code, en, zh, context):
    return cls(code, en, zh, **context)


class ValidationError(OneMapError, ValueError):
    """Input that breaks a rule: a field, a row, a coordinate."""

    default_code = "validation.invalid"


class NotFoundError(OneMapError, LookupError):
    """A site, kind, town or status that does not exist."""

    default_code = "lookup.not_found"


class TransitionNotAllowed(ValidationError):
    """A status change the kind's workflow does not allow."""

    default_code = "status.transition_not_allowed"


class VersionConflict(OneMapError):
    """The site changed since the caller read it (optimistic lock)."""

    default_code = "store.version_conflict"


class PermissionDenied(OneMapError, PermissionError):
    """The acting user may not do this."""

    default_code = "auth.denied"


class StoreError(OneMapError, RuntimeError):
    """The store cannot be opened, read or written."""

    default_code = "store.error"


class SpecError(OneMapError, TypeError):
    """A layer spec that breaks the registry's invariants."""

    default_code = "spec.invalid"


class RasterRejected(OneMapError, ValueError):
    """A raster file refused before use: unreadable, not georeferenced, too large, elsewhere."""

    default_code = "raster.rejected"


class RasterRenderError(OneMapError, RuntimeError):
    """An accepted raster that cannot be turned into tiles: too many tiles, a folder not writable."""

    default_code = "raster.render_failed"
