"""Colour difference for the palette tests: sRGB -> CIELAB (D65) and CIEDE2000.

CIEDE2000 as written in G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000
color-difference formula: implementation notes, supplementary test data, and
mathematical observations", Color Research and Application 30(1), 21-30,
2005 (equations 1-22; kL = kC = kH = 1). ``tests/test_palette.py`` checks it
against the paper's 34 test pairs (Table 1).
"""

from __future__ import annotations

from math import atan2, cos, degrees, exp, hypot, radians, sin, sqrt

# D65 reference white, CIE 1931 2° observer (the sRGB white point), Y = 100.
_WHITE = (95.047, 100.0, 108.883)


def hex_to_lab(color: str) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB ``#rrggbb`` colour (IEC 61966-2-1 transfer function and matrix)."""
    value = color.lstrip("#")
    rgb = [int(value[i:i + 2], 16) / 255.0 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    r, g, b = lin
    xyz = (
        100 * (0.4124 * r + 0.3576 * g + 0.1805 * b),
        100 * (0.2126 * r + 0.7152 * g + 0.0722 * b),
        100 * (0.0193 * r + 0.1192 * g + 0.9505 * b),
    )

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = (f(v / w) for v, w in zip(xyz, _WHITE))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def ciede2000(lab1, lab2) -> float:
    """CIEDE2000 colour difference of two CIELAB colours (Sharma et al. 2005, eqs. 1-22)."""
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    c_bar = (hypot(a1, b1) + hypot(a2, b2)) / 2
    g = 0.5 * (1 - sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = hypot(a1p, b1), hypot(a2p, b2)
    h1p = 0.0 if c1p == 0 else degrees(atan2(b1, a1p)) % 360
    h2p = 0.0 if c2p == 0 else degrees(atan2(b2, a2p)) % 360

    d_l = L2 - L1
    d_c = c2p - c1p
    if c1p * c2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    elif h2p - h1p > 180:
        dhp = h2p - h1p - 360
    else:
        dhp = h2p - h1p + 360
    d_h = 2 * sqrt(c1p * c2p) * sin(radians(dhp / 2))

    l_bar = (L1 + L2) / 2
    cp_bar = (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_bar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hp_bar = (h1p + h2p + 360) / 2
    else:
        hp_bar = (h1p + h2p - 360) / 2
    t = (1 - 0.17 * cos(radians(hp_bar - 30)) + 0.24 * cos(radians(2 * hp_bar))
         + 0.32 * cos(radians(3 * hp_bar + 6)) - 0.20 * cos(radians(4 * hp_bar - 63)))
    d_theta = 30 * exp(-(((hp_bar - 275) / 25) ** 2))
    r_c = 2 * sqrt(cp_bar ** 7 / (cp_bar ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -sin(radians(2 * d_theta)) * r_c
    return sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h))


def delta_e(color1: str, color2: str) -> float:
    """CIEDE2000 between two ``#rrggbb`` colours."""
    return ciede2000(hex_to_lab(color1), hex_to_lab(color2))
