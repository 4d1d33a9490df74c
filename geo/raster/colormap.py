"""The colour maps a single-band raster may use (rio-tiler's), with labels, and their legends.

The colours are rio-tiler's 256-entry colour maps (matplotlib's and
ColorBrewer's, the same that colour the tiles: :mod:`geo.raster.tiles`);
this module only says which of them the app offers, what each is called
and suits, and derives legend swatches and CSS gradients from them, so
the legend always matches the tiles.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rio_tiler.colormap import cmap as RIO_COLORMAPS

from geo.errors import ValidationError

__all__ = [
    "ColorMap",
    "COLORMAPS",
    "colormap",
    "colormap_rgb",
    "legend",
    "css_gradient",
    "validate_colormap",
]


@dataclass(frozen=True)
class ColorMap:
    """A colour map the app offers: a rio-tiler colour map with labels.

    Attributes
    ----------
    key : str
        rio-tiler's name, stable ASCII, used in styles and the store.
    name_zh, name_en : str
        Label for the UI.
    use_zh, use_en : str
        What it suits (shown as a hint).
    diverging : bool
        True when the middle means "zero" (centre vmin/vmax on it).
    """

    key: str
    name_zh: str
    name_en: str
    use_zh: str
    use_en: str
    diverging: bool = False


#: Every colour map the app offers, by key.
COLORMAPS: dict[str, ColorMap] = {
    cm.key: cm
    for cm in (
        ColorMap("viridis", "翠绿（通用）", "Viridis (general)", "通用连续数据，色盲友好", "any continuous data; colour-blind safe"),
        ColorMap("blues", "蓝色（水体）", "Blues (water)", "水深、水质浓度", "water depth, water-quality concentration"),
        ColorMap("ylorrd", "黄-橙-红（污染指数）", "Yellow-orange-red (pollution index)", "污染指数、浓度越高越红",
                 "pollution index: the higher the redder"),
        ColorMap("terrain", "地形", "Terrain", "高程、地形", "elevation"),
        ColorMap("greys", "灰度", "Greys", "单波段影像、坡度", "single-band imagery, slope"),
        ColorMap("brbg", "棕-白-青（正负）", "Brown-white-teal (signed)", "有正负的量，例如陆地为负、海上为正的离岸距离",
                 "signed values, e.g. distance to shore negative on land and positive at sea", diverging=True),
    )
}


def colormap(name: str) -> ColorMap:
    """Return the colour map ``name`` or raise naming the valid ones.

    Parameters
    ----------
    name : str
        A key of :data:`COLORMAPS`.

    Returns
    -------
    ColorMap

    Raises
    ------
    ValidationError
        ``raster.colormap_unknown``.
    """
    try:
        return COLORMAPS[name]
    except (KeyError, TypeError):
        names = ", ".join(COLORMAPS)
        raise ValidationError(
            "raster.colormap_unknown",
            en=f"Unknown colour map {name!r}: choose one of {names}.",
            zh=f"未知色带 {name!r}：请从 {names} 中选择。",
            value=name, allowed=tuple(COLORMAPS),
        ) from None


@lru_cache(maxsize=None)
def colormap_rgb(name: str) -> np.ndarray:
    """The 256 colours of ``name`` as rio-tiler colours a tile: ``(256, 3)`` uint8, row 0 = vmin, 255 = vmax."""
    colormap(name)
    table = RIO_COLORMAPS.get(name)
    rgb = np.array([table[i][:3] for i in range(256)], dtype=np.uint8)
    rgb.setflags(write=False)
    return rgb


def _check_range(vmin: float, vmax: float) -> None:
    if not (isinstance(vmin, (int, float, np.number)) and isinstance(vmax, (int, float, np.number))) or not (
        math.isfinite(vmin) and math.isfinite(vmax) and vmin < vmax
    ):
        raise ValidationError(
            "raster.value_range",
            en=f"Value range {vmin!r}…{vmax!r} is not usable: give two finite numbers with minimum < maximum.",
            zh=f"数值范围 {vmin!r}…{vmax!r} 无效：请给出两个有限数值，且最小值小于最大值。",
            value=(vmin, vmax),
        )


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb))


def _decimals(values: np.ndarray, step: float) -> int:
    """Fewest decimals (0..6) that show every value to 1 % of a legend step."""
    for d in range(7):
        if np.all(np.abs(np.round(values, d) - values) <= abs(step) * 0.01):
            return d
    return 6


def _label(value: float, decimals: int, unit: str) -> str:
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return f"{text} {unit}".strip() if unit else text


def legend(name: str, vmin: float, vmax: float, unit: str = "", n: int = 5) -> list[tuple[str, str]]:
    """Labelled colour swatches for a legend, from vmin to vmax.

    Parameters
    ----------
    name : str
        Colour-map key.
    vmin, vmax : float
        Value range of the style.
    unit : str, optional
        Appended to each label (e.g. ``"m"``, ``"mg/L"``).
    n : int, default 5
        Number of swatches (at least 2).

    Returns
    -------
    list of tuple
        ``(value_label, css_colour)`` pairs, e.g. ``("-10,000 m", "#543005")``;
        the first is vmin, the last vmax.
    """
    _check_range(vmin, vmax)
    n = max(2, int(n))
    table = colormap_rgb(name)
    values = np.linspace(vmin, vmax, n)
    rows = np.rint(np.linspace(0, 255, n)).astype(int)
    decimals = _decimals(values, (vmax - vmin) / (n - 1))
    return [(_label(float(v), decimals, unit), _hex(table[r])) for v, r in zip(values, rows)]


def css_gradient(name: str) -> str:
    """A CSS ``linear-gradient`` of the colour map, low on the left.

    Parameters
    ----------
    name : str
        Colour-map key.

    Returns
    -------
    str
        e.g. ``"linear-gradient(to right, #440154 0%, …, #fde725 100%)"`` (11 stops).
    """
    table = colormap_rgb(name)
    stops = np.rint(np.linspace(0, 255, 11)).astype(int)
    return "linear-gradient(to right, " + ", ".join(f"{_hex(table[r])} {100 * r / 255:.4g}%" for r in stops) + ")"


def validate_colormap(cm: ColorMap) -> list[str]:
    """List what is wrong with a colour map; used by the conformance test over :data:`COLORMAPS`.

    Parameters
    ----------
    cm : ColorMap
        The map to check.

    Returns
    -------
    list of str
        One line per problem; empty when the map is fine.
    """
    problems = []
    if cm.key not in RIO_COLORMAPS.list():
        problems.append(f"{cm.key!r} is not one of rio-tiler's colour maps")
    elif len(RIO_COLORMAPS.get(cm.key)) != 256:
        problems.append("not a 256-entry colour map")
    if not cm.name_zh or not cm.name_en or not re.fullmatch(r"[a-z0-9_]+", cm.key):
        problems.append("missing label or non-ASCII key")
    return problems
