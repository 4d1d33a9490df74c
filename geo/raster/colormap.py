"""Named colour maps for single-band rasters, declared as data, and their legends.

Each :class:`ColorMap` is a list of stops ``(position 0..1, "#rrggbb")``
(ColorBrewer / matplotlib colours). A map is sampled into a look-up table
of :data:`LUT_SIZE` colours, so a coloured tile has at most
``LUT_SIZE + 1`` distinct RGBA values (the +1 is "transparent") and always
fits an exact 256-entry PNG palette.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from geo.errors import ValidationError

__all__ = [
    "LUT_SIZE",
    "ColorMap",
    "COLORMAPS",
    "colormap",
    "colormap_lut",
    "apply_colormap",
    "legend",
    "css_gradient",
    "validate_colormap",
]

#: Colours per look-up table: 255 + transparent = 256 = one PNG palette.
LUT_SIZE = 255

_HEX = re.compile(r"^#[0-9a-f]{6}$")


@dataclass(frozen=True)
class ColorMap:
    """A colour map: stops from low (0) to high (1) values.

    Attributes
    ----------
    key : str
        Stable ASCII name used in styles and the store.
    name_zh, name_en : str
        Label for the UI.
    use_zh, use_en : str
        What it suits (shown as a hint).
    stops : tuple of (float, str)
        Positions 0..1 (first 0, last 1, increasing) and ``#rrggbb`` colours.
    diverging : bool
        True when the middle means "zero" (centre vmin/vmax on it).
    """

    key: str
    name_zh: str
    name_en: str
    use_zh: str
    use_en: str
    stops: tuple[tuple[float, str], ...]
    diverging: bool = False


def _even(*colours: str) -> tuple[tuple[float, str], ...]:
    n = len(colours) - 1
    return tuple((round(i / n, 6), c) for i, c in enumerate(colours))


#: Every colour map the app offers, by key.
COLORMAPS: dict[str, ColorMap] = {
    cm.key: cm
    for cm in (
        ColorMap(
            "viridis", "翠绿（通用）", "Viridis (general)", "通用连续数据，色盲友好", "any continuous data; colour-blind safe",
            _even("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"),
        ),
        ColorMap(
            "blues", "蓝色（水体）", "Blues (water)", "水深、水质浓度", "water depth, water-quality concentration",
            _even("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"),
        ),
        ColorMap(
            "ylorrd", "黄-橙-红（污染指数）", "Yellow-orange-red (pollution index)", "污染指数、浓度越高越红",
            "pollution index: the higher the redder",
            _even("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026"),
        ),
        ColorMap(
            "terrain", "地形", "Terrain", "高程、地形", "elevation",
            ((0.0, "#333399"), (0.15, "#0099ff"), (0.25, "#00cc66"), (0.5, "#ffff99"), (0.75, "#805c54"), (1.0, "#ffffff")),
        ),
        ColorMap(
            "greys", "灰度", "Greys", "单波段影像、坡度", "single-band imagery, slope",
            _even("#ffffff", "#f0f0f0", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252", "#252525", "#000000"),
        ),
        ColorMap(
            "brbg", "棕-白-青（正负）", "Brown-white-teal (signed)", "有正负的量，例如陆地为负、海上为正的离岸距离",
            "signed values, e.g. distance to shore negative on land and positive at sea",
            _even("#543005", "#8c510a", "#bf812d", "#dfc27d", "#f6e8c3", "#f5f5f5",
                  "#c7eae5", "#80cdc1", "#35978f", "#01665e", "#003c30"),
            diverging=True,
        ),
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


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _interp(cm: ColorMap, positions: np.ndarray) -> np.ndarray:
    """RGB (float) of ``cm`` at positions 0..1, linear between stops."""
    xs = np.array([p for p, _ in cm.stops])
    rgb = np.array([_rgb(c) for _, c in cm.stops], dtype=np.float64)
    return np.stack([np.interp(positions, xs, rgb[:, k]) for k in range(3)], axis=-1)


@lru_cache(maxsize=None)
def colormap_lut(name: str) -> np.ndarray:
    """The look-up table of ``name``: ``(LUT_SIZE, 4)`` uint8 RGBA, all opaque.

    Parameters
    ----------
    name : str
        Colour-map key.

    Returns
    -------
    numpy.ndarray
        Read-only array; row 0 is the colour of vmin, the last row of vmax.
    """
    cm = colormap(name)
    rgb = np.rint(_interp(cm, np.linspace(0.0, 1.0, LUT_SIZE))).astype(np.uint8)
    lut = np.concatenate([rgb, np.full((LUT_SIZE, 1), 255, np.uint8)], axis=1)
    lut.setflags(write=False)
    return lut


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


def apply_colormap(array: Any, name: str, vmin: float, vmax: float, nodata: float | None = None) -> np.ndarray:
    """Colour a 2-D array of values.

    Parameters
    ----------
    array : array_like
        2-D values (any numeric dtype; a masked array's mask counts as nodata).
    name : str
        Colour-map key.
    vmin, vmax : float
        Values shown with the first and last colour; values beyond are
        clipped to them.
    nodata : float, optional
        Value drawn transparent (NaN and ±inf are always transparent).

    Returns
    -------
    numpy.ndarray
        ``(rows, cols, 4)`` uint8 RGBA; alpha is 0 where there is no data
        and 255 elsewhere.
    """
    _check_range(vmin, vmax)
    lut = colormap_lut(name)
    mask = np.ma.getmaskarray(array) if np.ma.isMaskedArray(array) else None
    values = np.asarray(np.ma.getdata(array), dtype=np.float64)
    invalid = ~np.isfinite(values)
    if nodata is not None and not (isinstance(nodata, float) and math.isnan(nodata)):
        invalid |= values == nodata
    if mask is not None:
        invalid |= mask
    scaled = (np.where(invalid, vmin, values) - vmin) / (vmax - vmin) * (LUT_SIZE - 1)
    idx = np.clip(np.rint(scaled), 0, LUT_SIZE - 1).astype(np.intp)
    out = lut[idx]
    out[invalid] = 0
    return out


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
    cm = colormap(name)
    values = np.linspace(vmin, vmax, n)
    rgb = np.rint(_interp(cm, np.linspace(0.0, 1.0, n))).astype(int)
    decimals = _decimals(values, (vmax - vmin) / (n - 1))
    return [
        (_label(float(v), decimals, unit), "#{:02x}{:02x}{:02x}".format(*c))
        for v, c in zip(values, rgb)
    ]


def css_gradient(name: str) -> str:
    """A CSS ``linear-gradient`` of the colour map, low on the left.

    Parameters
    ----------
    name : str
        Colour-map key.

    Returns
    -------
    str
        e.g. ``"linear-gradient(to right, #440154 0%, …, #fde725 100%)"``.
    """
    cm = colormap(name)
    return "linear-gradient(to right, " + ", ".join(f"{c} {p * 100:g}%" for p, c in cm.stops) + ")"


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
    if len(cm.stops) < 2:
        problems.append("fewer than 2 stops")
    pos = [p for p, _ in cm.stops]
    if pos and (pos[0] != 0.0 or pos[-1] != 1.0):
        problems.append("stops must start at 0 and end at 1")
    if any(b <= a for a, b in zip(pos, pos[1:])):
        problems.append("stop positions must increase")
    problems += [f"bad colour {c!r}" for _, c in cm.stops if not _HEX.match(c)]
    if not cm.name_zh or not cm.name_en or not re.fullmatch(r"[a-z0-9_]+", cm.key):
        problems.append("missing label or non-ASCII key")
    return problems
