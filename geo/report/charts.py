"""Small line charts drawn straight onto a report page: readings over time with their limit lines (pure layout).

Vector lines, not a picture: they print sharp, weigh a few hundred bytes and need no plotting library. One
chart is one measured quantity of one site: a line per sampling point, a dot per reading, a dashed line per
limit of the rules (:mod:`geo.domain.monitoring`), the first and last month under the axis.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Mapping, Sequence

from geo.report.fonts import FONT_FAMILY

__all__ = ["line_chart", "value_range"]

#: Colours of the lines, one per sampling point in order (colour-blind safe: Okabe and Ito's palette).
SERIES_COLOURS = ((0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233), (230, 159, 0),
                  (0, 0, 0))
#: Limit lines by band, as the site panel draws them.
BAND_COLOURS = {"heavy": (127, 0, 0), "light": (252, 141, 89), "limit": (203, 24, 29)}


def _nice_step(span: float) -> float:
    """The round step (1, 2, 2.5 or 5 times a power of ten) nearest above a quarter of ``span``."""
    raw = span / 4
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def value_range(values: Sequence[float], limits: Sequence[float]) -> tuple[float, float]:
    """The vertical extent of a chart: every value and limit inside, on round numbers, zero at the bottom for
    positive quantities.

    >>> value_range([12.0, 30.0], [10.0, 25.0])
    (0.0, 40.0)
    >>> value_range([-150.0, 60.0], [-200.0, 50.0])
    (-200.0, 100.0)
    >>> value_range([0.1, 8.217], [0.2, 2.0])
    (0.0, 10.0)
    >>> value_range([], [])
    (0.0, 1.0)
    """
    every = [float(v) for v in (*values, *limits)]
    if not every:
        return 0.0, 1.0
    lo, hi = min(min(every), 0.0), max(every)
    if hi == lo:
        hi = lo + (abs(lo) or 1.0)
    hi += (hi - lo) * 0.05  # headroom: the highest dot is not on the frame
    step = _nice_step(hi - lo)
    return float(math.floor(lo / step) * step), float(math.ceil(hi / step) * step)


def line_chart(pdf, x: float, y: float, w: float, h: float, *, title: str,
               series: Mapping[str, Sequence[tuple[date, float]]], limits: Sequence,
               start: date, end: date) -> None:
    """Draw one chart in the box (``x``, ``y``, ``w``, ``h``) mm of ``pdf``'s current page.

    Parameters
    ----------
    title : str
        The quantity and its unit, over the plot.
    series : mapping of str to sequence of (date, float)
        Readings per sampling point (drawn in the order given, each in its own colour).
    limits : sequence of geo.domain.monitoring.Limit
        Dashed horizontal lines (``value``, ``band``) with their Chinese labels (``zh``) at the right-hand end.
    start, end : date
        The time axis (the same for every chart of one site, so that they line up).
    """
    pdf.set_font(FONT_FAMILY, size=6.5)
    pdf.set_text_color(60, 60, 60)
    pdf.set_xy(x, y)
    pdf.cell(w, 3.2, title)
    top, bottom = y + 4.0, y + h - 3.4
    left, right = x + 8.0, x + w - 1.0
    lo, hi = value_range([v for pts in series.values() for _, v in pts], [lim.value for lim in limits])
    days = max((end - start).days, 1)

    def px(d: date) -> float:
        return left + (right - left) * ((d - start).days / days if end > start else 0.5)

    def py(v: float) -> float:
        return bottom - (bottom - top) * (float(v) - lo) / (hi - lo)

    pdf.set_draw_color(190, 190, 190)
    pdf.set_line_width(0.15)
    pdf.rect(left, top, right - left, bottom - top)
    pdf.set_font(FONT_FAMILY, size=5.5)
    pdf.set_text_color(110, 110, 110)
    for v in (lo, hi):
        pdf.set_xy(x, py(v) - 1.3)
        pdf.cell(7.4, 2.6, f"{v:g}", align="R")
    pdf.set_xy(left, bottom + 0.3)
    pdf.cell(right - left, 2.8, start.strftime("%Y-%m"), align="L")
    if end > start:
        pdf.set_xy(left, bottom + 0.3)
        pdf.cell(right - left, 2.8, end.strftime("%Y-%m"), align="R")
    for lim in limits:
        if not lo <= lim.value <= hi:
            continue
        pdf.set_draw_color(*BAND_COLOURS.get(lim.band, BAND_COLOURS["limit"]))
        pdf.set_line_width(0.3)
        pdf.set_dash_pattern(dash=1.0, gap=0.7)
        pdf.line(left, py(lim.value), right, py(lim.value))
        pdf.set_dash_pattern()
        pdf.set_text_color(*BAND_COLOURS.get(lim.band, BAND_COLOURS["limit"]))
        pdf.set_xy(left + 0.5, py(lim.value) - 2.6)
        pdf.cell(right - left - 1.0, 2.4, lim.zh, align="R")
    for i, (name, points) in enumerate(series.items()):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        pts = sorted(points)
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        pdf.set_line_width(0.35)
        xy = [(px(d), py(v)) for d, v in pts]
        if len(xy) > 1:
            pdf.polyline(xy)
        for cx, cy in xy:
            pdf.rect(cx - 0.45, cy - 0.45, 0.9, 0.9, style="F")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_text_color(0, 0, 0)
