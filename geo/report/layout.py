"""Page primitives of the town report: the A4 document with its footer, headings, paragraphs, tables (pure layout).

Shared by the report's sections (:mod:`geo.report.pdf`, :mod:`geo.report.monitoring`); nothing here knows
what a site is.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from geo.report.fonts import FONT_FAMILY

__all__ = ["MAX_CELL_CHARS", "new_pdf", "heading", "para", "pct", "table", "GREY", "RED", "GREEN", "AMBER", "TARGET"]

RED = (183, 28, 28)
GREY = (110, 110, 110)
GREEN = (26, 152, 80)
AMBER = (244, 165, 130)
TARGET = (120, 0, 0)


def new_pdf(font_file: str):
    """An A4 portrait FPDF with ``font_file`` as its one font and a footer of ``footer_text`` and page numbers."""
    from fpdf import FPDF

    class _Report(FPDF):
        footer_text = ""

        def footer(self):
            self.set_y(-12)
            self.set_font(FONT_FAMILY, size=8)
            self.set_text_color(*GREY)
            self.cell(0, 6, f"{self.footer_text}　·　第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")

    pdf = _Report(orientation="P", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font(FONT_FAMILY, "", font_file)
    pdf.set_font(FONT_FAMILY, size=10)
    return pdf


def pct(x: float | None) -> str:
    """A share as a percentage with one decimal, ``—`` for none."""
    return "—" if x is None else f"{x * 100:.1f}%"


def heading(pdf, text: str) -> None:
    """A section heading with a rule under it (on a new page when too little of this one is left)."""
    if pdf.get_y() > 255:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT_FAMILY, size=13)
    pdf.set_text_color(0, 0, 0)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(31, 111, 139)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, size=10)


def para(pdf, text: str, size: float = 10, color=(0, 0, 0), h: float = 5.5) -> None:
    """A paragraph across the page, wrapped at any character (Chinese has no spaces to wrap at)."""
    pdf.set_font(FONT_FAMILY, size=size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, h, text, new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT_FAMILY, size=10)


#: Characters shown in one table cell: a row stays far shorter than a page whatever a name holds (a stored
#: name is at most 200 characters, layers/spec.py; older stores may hold longer ones). The full text is in the
#: exports and on the map.
MAX_CELL_CHARS = 120


def cell_text(value) -> str:
    """A value as one table cell shows it: normalised text, cut at :data:`MAX_CELL_CHARS`."""
    from geo.domain.text import normalise

    text, _ = normalise(str(value))
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def table(pdf, headings: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[float],
          size: float = 8.5) -> None:
    """A table with a shaded heading row; columns ``widths`` mm wide, cells wrapped at any character."""
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    pdf.set_font(FONT_FAMILY, size=size)
    pdf.set_draw_color(170, 170, 170)
    pdf.set_fill_color(246, 247, 249)
    with pdf.table(col_widths=widths, width=sum(widths), align="LEFT", text_align="LEFT", line_height=4.6,
                   wrapmode=WrapMode.CHAR, headings_style=FontFace(emphasis="NONE", fill_color=(225, 235, 240)),
                   cell_fill_color=(246, 247, 249), cell_fill_mode="ROWS", padding=0.8) as tbl:
        head = tbl.row()
        for h in headings:
            head.cell(h)
        for r in rows:
            row = tbl.row()
            for value in r:
                row.cell(cell_text(value))
    pdf.set_font(FONT_FAMILY, size=10)


