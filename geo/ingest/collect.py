"""Collecting problems while checking: per row (:class:`RowProblems`) and for the whole file (pure).

Every text comes from :data:`geo.ingest.messages.MESSAGES` by key; callers
pass the values the templates name. A problem's ``value`` (the offending
value, for the report) is always shortened to one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geo.errors import OneMapError
from geo.ingest import values as V
from geo.ingest.messages import MESSAGES, code_of, text
from geo.ingest.problems import Problem, Severity, short

if TYPE_CHECKING:  # the table types import this module for their notes
    from geo.ingest.columns import ColumnMapping
    from geo.ingest.table import RawRow

__all__ = ["RowProblems", "cell", "file_problem", "is_placeholder", "note"]

_PLACEHOLDERS = {"-", "—", "--", "——", "/", "／", "无", "暂无", "n/a", "na", "null", "none", "空"}


class RowProblems:
    """Collects the problems of one row (or feature)."""

    def __init__(self, raw: RawRow):
        self.raw = raw
        self.items: list[Problem] = []

    def add(self, key: str, column: str, *, value: Any = "", severity: Severity = "error", **params: Any) -> None:
        """Add the problem ``key`` of :data:`~geo.ingest.messages.MESSAGES` on ``column``.

        ``value`` is shown in the report (shortened) and, when the template
        names ``{value}``, in the message too.
        """
        shown = short(value) if value != "" and value is not None else ""
        self.items.append(Problem(row=self.raw.row, column=column or "", code=code_of(key), severity=severity,
                                  value=shown, layer=self.raw.layer, **_texts(key, value=shown, **params)))

    def error(self, exc: OneMapError, column: str, *, severity: Severity = "error", **params: Any) -> None:
        """Add a problem for an error raised by a check (its code, its message; the table's fix when it has none).

        Codes raised outside the import package (``geometry.invalid`` from the
        domain checks) take their message from the error and their fix from
        the table entry ``code|check`` or ``code`` (``params`` fill it).
        """
        ctx = exc.context or {}
        fix_zh, fix_en = exc.fix_zh, exc.fix_en
        if not (fix_zh and fix_en):
            key = f"{exc.code}|check" if f"{exc.code}|check" in MESSAGES else exc.code
            filled = text(key, detail_zh=exc.zh, detail_en=exc.en, **params)
            fix_zh, fix_en = fix_zh or filled["fix_zh"], fix_en or filled["fix_en"]
        self.items.append(Problem(
            row=self.raw.row, column=column or "", code=exc.code, message_zh=exc.zh, message_en=exc.en,
            fix_zh=fix_zh, fix_en=fix_en, severity=severity,
            value=short(ctx.get("value")) if ctx.get("value") is not None else "", layer=self.raw.layer))

    def stated(self, found: Any, column: str) -> None:
        """Add a finding the domain worded itself (a :class:`geo.domain.rules.StateProblem`: a rule of the
        layer spec, with its code, both languages and the fix)."""
        self.items.append(Problem(
            row=self.raw.row, column=column or "", code=found.code, message_zh=found.zh, message_en=found.en,
            fix_zh=found.fix_zh, fix_en=found.fix_en, severity=found.severity,
            value=short(found.value) if found.value else "", layer=self.raw.layer))

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.items)

    def mark(self) -> int:
        return len(self.items)

    def failed_since(self, mark: int) -> bool:
        return any(p.is_error for p in self.items[mark:])


def _texts(key: str, **params: Any) -> dict[str, str]:
    t = text(key, **params)
    return {"message_zh": t["zh"], "message_en": t["en"], "fix_zh": t["fix_zh"], "fix_en": t["fix_en"]}


def file_problem(key: str, *, severity: Severity = "error", column: str = "", value: str = "",
                 code: str | None = None, **params: Any) -> Problem:
    """A problem of the whole file (``row`` None).

    ``code`` replaces the key's code for a finding another check worded, which the entry only frames
    (e.g. says of one site).
    """
    return Problem(row=None, column=column, code=code or code_of(key), severity=severity,
                   value=short(value) if value else "", **_texts(key, value=value, column=column, **params))


def note(key: str, **params: Any) -> Problem:
    """A file-level warning: something the reader decided or did on purpose (encoding, title rows ...)."""
    return file_problem(key, severity="warning", **params)


def cell(raw: RawRow, mapping: ColumnMapping, target: str) -> tuple[str | None, Any]:
    """(header, value) of the first column mapped to ``target`` with a non-blank value (else the first)."""
    cols = mapping.columns_for(target)
    for h in cols:
        v = raw.values.get(h)
        if not V.is_blank(v):
            return h, v
    return (cols[0], raw.values.get(cols[0])) if cols else (None, None)


def is_placeholder(v: Any) -> bool:
    """``-``, ``/``, ``无`` ... written where a value is unknown."""
    return isinstance(v, str) and V.match_key(v) in _PLACEHOLDERS
