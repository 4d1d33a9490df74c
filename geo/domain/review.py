"""How the review map colours sites: by status, by overdue, or by evidence (pure).

:func:`coloring` returns what :func:`geo.map.build.site_layer_groups` needs
(a colour per key and a key per site; ``None`` for the default status
colours) and the legend rows for :func:`geo.map.build.category_legend`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping, Sequence

from geo.errors import ValidationError
from geo.domain.evidence import CLASSES as EVIDENCE_CLASSES
from geo.domain.evidence import site_evidence
from geo.domain.status import is_overdue
from layers import REGISTRY

__all__ = ["MODES", "OVERDUE_CLASSES", "Coloring", "coloring", "overdue_class"]

MODES = ("status", "overdue", "evidence")

#: Overdue classes: label (zh, en) and map colour.
OVERDUE_CLASSES: Mapping[str, tuple[str, str, str]] = {
    "overdue": ("已逾期", "overdue", "#b2182b"),
    "open": ("未完成（未逾期）", "not done, not yet due", "#f4a582"),
    "done": ("已完成", "done", "#1a9850"),
}


@dataclass(frozen=True)
class Coloring:
    """Colours of one map mode.

    Attributes
    ----------
    colors : dict or None
        Colour per key; None keeps each kind's status colours.
    keys : dict or None
        Key per site id; None colours by status.
    legend : tuple of (label, colour)
        Legend rows in the chosen language (empty for status: the default legend).
    """

    colors: dict | None
    keys: dict | None
    legend: tuple[tuple[str, str], ...]


def overdue_class(site, today: date) -> str:
    """``"done"``, ``"overdue"`` or ``"open"`` for one site on ``today``."""
    if REGISTRY[site.kind].status(site.status).done:
        return "done"
    return "overdue" if is_overdue(site.kind, site.status, site.deadline, today) else "open"


def _table(classes: Mapping[str, tuple[str, str, str]], lang: str):
    colors = {k: v[2] for k, v in classes.items()}
    legend = tuple((v[0] if lang == "zh" else v[1], v[2]) for v in classes.values())
    return colors, legend


def coloring(mode: str, sites: Sequence, *, today: date, history: Iterable = (),
             onsite_m: float | None = None, lang: str = "zh") -> Coloring:
    """The colours for ``mode`` over ``sites``.

    Raises
    ------
    ValidationError
        ``map.unknown_mode`` for a mode not in :data:`MODES`.
    """
    if mode == "status":
        return Coloring(None, None, ())
    if mode == "overdue":
        colors, legend = _table(OVERDUE_CLASSES, lang)
        return Coloring(colors, {s.site_id: overdue_class(s, today) for s in sites}, legend)
    if mode == "evidence":
        colors, legend = _table(EVIDENCE_CLASSES, lang)
        return Coloring(colors, site_evidence(sites, history, onsite_m=onsite_m), legend)
    raise ValidationError(
        "map.unknown_mode",
        en=f"Unknown map colouring {mode!r}; use one of: {', '.join(MODES)}.",
        zh=f"未知的地图着色方式“{mode}”；可用：{'、'.join(MODES)}。",
        value=mode,
    )
