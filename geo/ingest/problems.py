"""What an import found wrong, or changed on purpose: one :class:`Problem` per finding.

A problem names where it is — the row *as the user sees it* (the Excel row
number, header row included; the feature number in GIS files), the column
(the file's own header text), a stable ``code`` — and says what is wrong and
how to fix it, in Chinese and English. ``severity`` is ``"error"`` (the row
cannot be written) or ``"warning"`` (written, but look at it: a documented
normalisation such as swapped coordinates put right, or a status going
backwards). File-level findings have ``row`` None.

:class:`IngestError` is what the readers raise when a whole file cannot be
read (too big, not the format it claims, a ZIP bomb ...); the pipeline turns
it into one file-level error problem, so callers see a uniform result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from geo.errors import OneMapError, ValidationError

Severity = Literal["error", "warning"]

__all__ = ["Problem", "IngestError", "problem_from_error", "Severity"]


class IngestError(ValidationError):
    """A file that cannot be read at all (size, format, encoding, archive safety).

    Inherits :class:`ValueError` through :class:`~geo.errors.ValidationError`;
    ``fix_zh`` / ``fix_en`` say how to put it right.
    """

    default_code = "ingest.unreadable"


@dataclass(frozen=True)
class Problem:
    """One finding of an import, for the preview table and the JSON report.

    Attributes
    ----------
    row : int or None
        The row as the user sees it: Excel/CSV row number (1-based, the
        header row counts), or the feature number (1-based) in GeoJSON, KML,
        Shapefile and GeoPackage. None for the whole file.
    column : str
        The file's header text (or ``""``).
    code : str
        Stable dotted code, e.g. ``"town.unknown"``.
    message_zh, message_en : str
        What is wrong, naming the value.
    fix_zh, fix_en : str
        How to fix it, in Chinese and in English.
    severity : {"error", "warning"}
        Errors keep the row out of the import; warnings do not.
    value : str
        The offending value as text (shortened), for the report.
    layer : str
        Sheet or layer name when the file has several, else ``""``.
    choices : tuple of str
        What the user may pick to resolve it (e.g. the layers of an ambiguous file).
    """

    row: int | None
    column: str
    code: str
    message_zh: str
    message_en: str
    fix_zh: str = ""
    fix_en: str = ""
    severity: Severity = "error"
    value: str = ""
    layer: str = ""
    choices: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def fix_text(self, lang: str = "zh") -> str:
        return self.fix_zh if lang == "zh" else (self.fix_en or self.fix_zh)

    def where(self, lang: str = "zh", unit: str = "row") -> str:
        """``第 5 行`` / ``row 5``; ``第 3 个要素`` / ``feature 3`` for GIS files; ``全文件`` / ``file``."""
        if self.row is None:
            return "全文件" if lang == "zh" else "file"
        if unit == "feature":
            text = f"第 {self.row} 个要素" if lang == "zh" else f"feature {self.row}"
        else:
            text = f"第 {self.row} 行" if lang == "zh" else f"row {self.row}"
        return f"{self.layer} {text}" if self.layer else text

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def short(value: Any, limit: int = 60) -> str:
    """A value as one short line of text for messages (never raises)."""
    try:
        text = str(value)
    except Exception:  # noqa: BLE001 - a broken __str__ must not break a report
        text = repr(value)
    text = text.replace("\r", " ").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def problem_from_error(exc: OneMapError, *, row: int | None, column: str = "", severity: Severity = "error",
                       fix_zh: str = "", fix_en: str = "", layer: str = "") -> Problem:
    """A :class:`Problem` carrying an error's code and messages (and its fix, if it has one)."""
    ctx = getattr(exc, "context", {}) or {}
    return Problem(
        row=row, column=column, code=exc.code, message_zh=exc.zh, message_en=exc.en,
        fix_zh=fix_zh or exc.fix_zh, fix_en=fix_en or exc.fix_en,
        severity=severity, value=short(ctx.get("value", "")) if ctx.get("value") is not None else "", layer=layer,
        choices=tuple(str(c) for c in ctx.get("choices") or ()),
    )
