"""One small error hierarchy with stable codes.

Every error carries a stable dotted ``code`` (for logs, tests and the UI),
a Chinese and an English message that name the bad value, optionally the fix
on its own (``fix_zh`` / ``fix_en``), and optional ``context`` (row, field,
value ...). Classes also inherit the matching built-in exception so callers
may catch either, e.g. ``except ValueError`` still catches
:class:`ValidationError`.

One convention for bilingual text everywhere in the project: the Chinese and
the English text are always passed by keyword, ``zh=`` then ``en=`` (here,
in :class:`geo.ingest.problems.Problem`, in the message tables), so a swap
cannot go unnoticed; :class:`Text` carries a pair where one value is handier.

The original library error, when there is one, is kept on ``__cause__``
(raise ... from exc).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Text:
    """A Chinese text and its English counterpart."""

    zh: str
    en: str

    def __call__(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


class OneMapError(Exception):
    """Root of every error the project raises on purpose.

    Parameters
    ----------
    code : str
        Stable dotted code, e.g. ``"status.transition_not_allowed"``.
    zh, en : str
        Keyword-only. The message in Chinese and in English: the situation and
        the bad value (and the fix, unless it is given apart).
    fix_zh, fix_en : str, optional
        Keyword-only. How to put it right, when said apart from the message.
    **context
        Extra facts (row, field, value, allowed ...) for callers and tests.
    """

    default_code = "onemap.error"

    def __init__(self, code: str | None, *, zh: str, en: str, fix_zh: str = "", fix_en: str = "", **context: Any):
        self.code = code or self.default_code
        self.zh = zh
        self.en = en
        self.fix_zh = fix_zh
        self.fix_en = fix_en
        self.context = context
        super().__init__(f"[{self.code}] {en}")

    def message(self, lang: str = "zh") -> str:
        """Return the message in ``lang`` ("zh" or "en")."""
        return self.zh if lang == "zh" else self.en

    def fix(self, lang: str = "zh") -> str:
        """The fix in ``lang`` when it was given apart, else ``""``."""
        return self.fix_zh if lang == "zh" else (self.fix_en or self.fix_zh)

    def __reduce__(self):
        # Keep errors picklable (they cross process boundaries, e.g. in a
        # multiprocessing pool, where an unpicklable error hangs the pool).
        return (_rebuild, (type(self), self.code, self.zh, self.en, self.fix_zh, self.fix_en, self.context))


def _rebuild(cls, code, zh, en, fix_zh, fix_en, context):
    return cls(code, zh=zh, en=en, fix_zh=fix_zh, fix_en=fix_en, **context)


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
