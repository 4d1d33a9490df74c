"""Text that must not turn into something else in the file that receives it.

Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that
starts with ``=``, ``+``, ``-`` or ``@`` (and, per OWASP, a tab or carriage
return) as a formula. Our choice, per format:

* **xlsx** — the text is stored unchanged as an explicit string cell
  (``t="inlineStr"``) with the *quote prefix* style flag set, the way Excel
  itself stores text typed as ``'=…``: Excel shows and keeps it as text, and a
  reader gets back exactly the text that was exported. Nothing is altered.
* **CSV** — a CSV cell has no type, so Excel would evaluate it: such text is
  written with a leading single quote (``'=1+2``), as OWASP recommends.
  Excel hides nothing here: the quote is visible, which tells the reader the
  cell was neutralised. Numbers (e.g. a negative value) are never prefixed.
* GeoJSON, GeoPackage, Shapefile, KML — not spreadsheets: text is stored as
  it is; KML descriptions are HTML-escaped (:func:`html.escape`).

XML 1.0 (xlsx, KML) cannot hold most control characters; they are shown as
U+FFFD (�) rather than dropped silently. The store refuses control
characters in names and text (:mod:`geo.domain.text`); an older store may
still hold some, so every export writes them as U+FFFD too
(:func:`plain_text`): a NUL no longer cuts a name short in a Shapefile, and a
CSV no longer carries raw escape sequences. Excel holds at most
:data:`XLSX_CELL_MAX` characters in a cell: a longer text is cut there with a
visible mark (:func:`xlsx_text`), never silently.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet would treat ``text`` as a formula."""
    return isinstance(text, str) and text.startswith(FORMULA_TRIGGERS)


def csv_text(text: str) -> str:
    """``text`` for a CSV cell: a leading ``'`` when it would start a formula."""
    return "'" + text if looks_like_formula(text) else text


#: Excel's limit of characters in one cell.
XLSX_CELL_MAX = 32_767
CUT_MARK = "…［已截断］"


def plain_text(text):
    """``text`` with control characters (and the hidden direction marks) shown as U+FFFD; other values as given."""
    if not isinstance(text, str):
        return text
    from geo.domain.text import CONTROL

    return CONTROL.sub("\ufffd", text)


def xlsx_text(text: str) -> str:
    """``text`` for an xlsx cell: XML-safe, and cut at :data:`XLSX_CELL_MAX` with :data:`CUT_MARK` if longer."""
    text = xml_text(text)
    if len(text) > XLSX_CELL_MAX:
        text = text[: XLSX_CELL_MAX - len(CUT_MARK)] + CUT_MARK
    return text


def xml_text(text: str) -> str:
    """``text`` with characters XML 1.0 cannot carry replaced by U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", text) if isinstance(text, str) else text
