"""Coordinates as ledgers write them, turned into WGS84 longitude/latitude (pure).

Accepted spellings of one angle (after full-width digits and Chinese
punctuation are made half-width with NFKC, and ``º``/``˚`` read as ``°``):

* decimal degrees ``119.3958``, ``119.3958°``, ``E119.3958``, ``119.3958E``,
  ``东经119.3958``;
* degrees-minutes-seconds ``119°23′45.6″E``, ``119°23'45.6"``,
  ``119度23分45.6秒``, ``119 23 45.6``, ``119:23:45.6``, ``119.23.45.6``
  (dots, as some ledgers write it), and degrees-decimal-minutes
  ``119°23.76′`` / ``119 23.76``. Minutes and seconds must be below 60.

A hemisphere letter or word (E/W, N/S, 东经/北纬 ...) says which axis a
value is; ``W``/``S`` make it negative. Swapped longitude/latitude columns
are recognised — by those letters, or because Fuqing's longitude (~119) and
latitude (~25) cannot be confused — and put right with a warning.

Gauss-Krüger (CGCS2000 3° zones): the Chinese convention calls the
northing **X** and the easting **Y**; an 8-digit easting carries the zone
number in front (``40450000`` = zone 40, 450 000 m). pyproj's EPSG:4513–4533
are the zone-prefixed forms (zones 25–45), EPSG:4534–4554 the central-meridian
forms (75°E–135°E). Fuqing is zone 40, central meridian 120°E.

Every failure is a :class:`~geo.errors.ValidationError` with a stable code
(``coord.unreadable``, ``coord.bad_dms``, ``coord.out_of_range``,
``gk.zone_mismatch``, ``gk.not_metres``, ``crs.unknown``) and a fix
(texts in :mod:`geo.ingest.messages`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from geo.crs import to_wgs84
from geo.errors import ValidationError
from geo.ingest.messages import invalid

__all__ = [
    "CrsChoice", "CRS_KEYS", "system_label", "parse_angle", "parse_pair", "parse_metres", "order_lonlat", "order_gk",
    "gk_epsg", "gk_to_wgs84", "point_to_wgs84", "coords_transformer", "normalise_number_text",
    "looks_swapped_lonlat",
]

#: CLI/UI keys of the coordinate systems (GK takes a zone: ``gk3:40``, or a central meridian: ``gk3:120``).
CRS_KEYS = ("wgs84", "cgcs2000", "gcj02", "bd09", "gk3")
FUQING_GK_ZONE = 40
FUQING_GK_CM = 120

_CRS_LABELS = {
    "wgs84": ("WGS84 经纬度（GPS、天地图）", "WGS84 lon/lat (GPS, Tianditu)"),
    "cgcs2000": ("CGCS2000 经纬度（国家2000）", "CGCS2000 lon/lat"),
    "gcj02": ("GCJ-02 经纬度（高德、腾讯）", "GCJ-02 lon/lat (Gaode/Amap, Tencent)"),
    "bd09": ("BD-09 经纬度（百度）", "BD-09 lon/lat (Baidu)"),
    "gk3": ("CGCS2000 高斯-克吕格 3° 分带（米）", "CGCS2000 Gauss-Krüger 3° zone (metres)"),
}

def system_label(system: str, lang: str = "zh") -> str:
    """The label of a system key (one of :data:`CRS_KEYS`), without zone."""
    zh, en = _CRS_LABELS[system]
    return zh if lang == "zh" else en


@dataclass(frozen=True)
class CrsChoice:
    """The coordinate system the user says the file is in (required: GCJ-02 cannot be told from data).

    Attributes
    ----------
    system : str
        One of :data:`CRS_KEYS`.
    zone : int or None
        Gauss-Krüger 3° zone (25–45); set for ``gk3``.
    """

    system: str
    zone: int | None = None

    @property
    def is_gk(self) -> bool:
        return self.system == "gk3"

    @property
    def central_meridian(self) -> int | None:
        return None if self.zone is None else 3 * self.zone

    @property
    def key(self) -> str:
        """The CLI spelling: ``wgs84`` ... or ``gk3:40``."""
        return f"gk3:{self.zone}" if self.is_gk else self.system

    def label(self, lang: str = "zh") -> str:
        zh, en = _CRS_LABELS[self.system]
        if self.is_gk:
            extra = f"，第 {self.zone} 带（中央经线 {self.central_meridian}°E）" if lang == "zh" else \
                f", zone {self.zone} (central meridian {self.central_meridian}°E)"
            return (zh if lang == "zh" else en) + extra
        return zh if lang == "zh" else en

    @classmethod
    def gk(cls, *, zone: int | None = None, cm: int | None = None) -> "CrsChoice":
        """A Gauss-Krüger 3° choice from a zone (25–45) or a central meridian (75–135, a multiple of 3)."""
        if zone is None and cm is not None:
            if not (75 <= int(cm) <= 135 and int(cm) % 3 == 0):
                raise _bad_crs(f"gk3:{cm}")
            zone = int(cm) // 3
        if zone is None or not (25 <= int(zone) <= 45):
            raise _bad_crs(f"gk3:{zone}")
        return cls("gk3", int(zone))

    @classmethod
    def parse(cls, text: str) -> "CrsChoice":
        """``wgs84``, ``cgcs2000``, ``gcj02``, ``bd09``, ``gk3:40`` (zone) or ``gk3:120`` / ``gk3:cm120`` (meridian).

        Raises
        ------
        ValidationError
            ``crs.unknown`` naming the accepted forms.
        """
        key = unicodedata.normalize("NFKC", str(text or "")).strip().lower().replace("-", "").replace("_", "")
        aliases = {"wgs84": "wgs84", "epsg:4326": "wgs84", "cgcs2000": "cgcs2000", "epsg:4490": "cgcs2000",
                   "gcj02": "gcj02", "gcj": "gcj02", "gaode": "gcj02", "amap": "gcj02", "bd09": "bd09",
                   "baidu": "bd09"}
        if key in aliases:
            return cls(aliases[key])
        m = re.fullmatch(r"gk3?[:=]?(cm)?(\d{2,3})e?", key)
        if m:
            n = int(m.group(2))
            if m.group(1) or n >= 75:
                return cls.gk(cm=n)
            return cls.gk(zone=n)
        raise _bad_crs(text)


def _bad_crs(text: Any) -> ValidationError:
    return invalid("crs.unknown", value=text)


# --------------------------------------------------------------------------
# Text clean-up
# --------------------------------------------------------------------------
_PRE = str.maketrans({"º": "°", "˚": "°", "。": ".", "、": ",", "；": ";", "＂": '"', "〃": '"'})
_PRIMES = str.maketrans({"'": "′", "’": "′", "‘": "′", "`": "′", "´": "′", '"': "″", "”": "″", "“": "″"})


def normalise_number_text(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII), Chinese full stop as a dot, spaces trimmed."""
    text = str(text).translate(_PRE)
    text = unicodedata.normalize("NFKC", text)
    return text.replace("\u200b", "").replace("\ufeff", "").strip()


_HEMI_WORDS = (("东经", "E"), ("西经", "W"), ("北纬", "N"), ("南纬", "S"), ("东", "E"), ("西", "W"),
               ("北", "N"), ("南", "S"))
_NUM = r"\d+(?:\.\d+)?"
_DECIMAL = re.compile(rf"[+-]?{_NUM}°?")
_DMS_MARKED = re.compile(rf"([+-]?\d+)°\s*(?:({_NUM})′\s*(?:({_NUM})(?:″|′′)?)?)?")
_DMS_SPACED = re.compile(rf"([+-]?\d+)(?:\s+|\s*:\s*)({_NUM})(?:(?:\s+|\s*:\s*)({_NUM}))?")
_DMS_DOTTED = re.compile(r"([+-]?\d+)\.(\d{1,2})\.(\d{1,2}(?:\.\d+)?)")


def _unreadable(value: Any, axis: str) -> ValidationError:
    return invalid("coord.unreadable", value=value, axis_zh="经度" if axis == "lon" else "纬度",
                   axis_en="longitude" if axis == "lon" else "latitude")


def _split_hemisphere(text: str) -> tuple[str, str | None]:
    hemi = None
    for word, letter in _HEMI_WORDS:
        if text.startswith(word):
            return text[len(word):].strip(), letter
        if text.endswith(word):
            return text[: -len(word)].strip(), letter
    up = text.upper()
    if up[:1] in "EWNS" and len(up) > 1:
        hemi, text = up[0], text[1:].strip()
    elif up[-1:] in "EWNS" and len(up) > 1:
        hemi, text = up[-1], text[:-1].strip()
    return text, hemi


def parse_angle(value: Any, axis: str = "lon") -> tuple[float, str | None]:
    """One longitude or latitude in any accepted spelling.

    Parameters
    ----------
    value : str or number
        The cell.
    axis : {"lon", "lat"}
        The column it came from (for messages).

    Returns
    -------
    (degrees, hemisphere_axis)
        ``hemisphere_axis`` is ``"lon"`` when the value carried E/W (东经/西经),
        ``"lat"`` for N/S, else None.

    Raises
    ------
    ValidationError
        ``coord.unreadable``; ``coord.bad_dms`` when minutes or seconds are
        60 or more.
    """
    if isinstance(value, bool) or value is None:
        raise _unreadable(value, axis)
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
        if not math.isfinite(f):
            raise _unreadable(value, axis)
        return f, None
    text = normalise_number_text(value)
    if not text:
        raise _unreadable(value, axis)
    text = text.replace("度", "°").replace("分", "′").replace("秒", "″").translate(_PRIMES)
    text, hemi = _split_hemisphere(text)
    sign = 1.0
    if hemi in ("W", "S"):
        sign = -1.0
    deg = minutes = seconds = None
    t = " ".join(text.split())
    compact = t.replace(" °", "°")
    if _DECIMAL.fullmatch(compact):
        deg = float(compact.rstrip("°"))
    else:
        for pattern in (_DMS_MARKED, _DMS_DOTTED, _DMS_SPACED):
            m = pattern.fullmatch(t)
            if m:
                deg = float(m.group(1))
                minutes = float(m.group(2)) if m.group(2) else 0.0
                seconds = float(m.group(3)) if m.group(3) else 0.0
                break
    if deg is None:
        raise _unreadable(value, axis)
    if minutes is not None:
        if minutes >= 60 or seconds >= 60 or (minutes != int(minutes) and seconds):
            raise invalid("coord.bad_dms", value=value)
        neg = deg < 0 or t.startswith("-")
        deg = abs(deg) + minutes / 60.0 + seconds / 3600.0
        if neg:
            deg = -deg
    hemi_axis = None if hemi is None else ("lon" if hemi in "EW" else "lat")
    return sign * deg, hemi_axis


_PAIR_SPLIT = re.compile(r"\s*[,;|/]\s*")


def parse_pair(value: Any) -> tuple[tuple[float, str | None], tuple[float, str | None]]:
    """A "lon, lat" (or "lat, lon") cell: two angles separated by a comma, semicolon, slash or bar.

    Two plain decimal numbers separated only by spaces are accepted too.

    Raises
    ------
    ValidationError
        ``coord.unreadable`` naming the accepted forms.
    """
    text = normalise_number_text(value)
    parts = [p for p in _PAIR_SPLIT.split(text) if p]
    if len(parts) != 2:
        spaced = text.split()
        if len(spaced) == 2 and all(_DECIMAL.fullmatch(p) for p in spaced):
            parts = spaced
    if len(parts) != 2:
        raise invalid("coord.unreadable|pair", value=value)
    return parse_angle(parts[0], "lon"), parse_angle(parts[1], "lat")


def _is_lon(v: float) -> bool:
    return 73.0 <= abs(v) <= 136.0


def _is_lat(v: float) -> bool:
    return 3.0 <= abs(v) <= 54.0


def looks_swapped_lonlat(x: float, y: float) -> bool:
    """True when (x, y) can only be (lat, lon) in China (the two ranges do not overlap)."""
    return not (_is_lon(x) and _is_lat(y)) and _is_lon(y) and _is_lat(x)


def order_lonlat(lon_cell: tuple[float, str | None], lat_cell: tuple[float, str | None]) -> tuple[float, float, bool]:
    """(lon, lat, swapped) from the values found in the longitude and latitude columns.

    Hemisphere letters decide when present; otherwise the values decide
    (Fuqing's longitude ~119 and latitude ~25 cannot be confused).
    """
    (a, ha), (b, hb) = lon_cell, lat_cell
    if ha == "lat" or hb == "lon":
        return b, a, True
    if ha == "lon" or hb == "lat":
        return a, b, False
    if looks_swapped_lonlat(a, b):
        return b, a, True
    return a, b, False


def parse_metres(value: Any, axis: str) -> float:
    """A Gauss-Krüger coordinate in metres (``2822000.5``, ``2,822,000.5``, ``2822000.5m``).

    Raises
    ------
    ValidationError
        ``gk.not_metres`` when the value is not a number of metres.
    """
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        f = float(value)
        if math.isfinite(f):
            return f
    text = normalise_number_text(value if value is not None else "")
    text = re.sub(r"(米|m)$", "", text, flags=re.I).strip()
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    try:
        f = float(text)
        if math.isfinite(f):
            return f
    except ValueError:
        pass
    raise invalid("gk.not_metres", value=value, axis_zh="X（北坐标）" if axis == "north" else "Y（东坐标）",
                  axis_en="X (northing)" if axis == "north" else "Y (easting)")


def _looks_northing(v: float) -> bool:
    return 1.5e6 <= v <= 6.0e6


def _looks_easting(v: float) -> bool:
    return 1.0e5 <= v < 1.0e6 or 25.0e6 <= v < 46.0e6


def order_gk(x_north: float, y_east: float) -> tuple[float, float, bool]:
    """(northing, easting, swapped): X is the northing by the Chinese convention; swapped columns are put right."""
    if _looks_easting(x_north) and _looks_northing(y_east):
        return y_east, x_north, True
    return x_north, y_east, False


def gk_epsg(choice: CrsChoice, easting: float) -> tuple[str, float]:
    """The EPSG code for a Gauss-Krüger easting, and the easting to give it.

    A zone-prefixed easting (≥ 10 000 000 m) uses the zone-prefixed EPSG code
    (4513–4533) and must carry the chosen zone; a plain easting uses the
    central-meridian code (4534–4554).

    Raises
    ------
    ValidationError
        ``gk.zone_mismatch`` when the prefix names another zone than the one
        chosen; ``gk.not_metres`` for an easting that cannot be one.
    """
    zone = choice.zone
    if easting >= 1.0e7:
        prefix = int(easting // 1.0e6)
        if prefix != zone:
            raise invalid("gk.zone_mismatch", value=f"{easting:.2f}", prefix=prefix, zone=zone, cm=3 * zone,
                          fuqing=FUQING_GK_ZONE)
        return f"EPSG:{4513 + zone - 25}", easting
    if not (0 < easting < 1.0e6):
        raise invalid("gk.not_metres|easting", value=easting)
    return f"EPSG:{4534 + (3 * zone - 75) // 3}", easting


def gk_to_wgs84(north: float, east: float, choice: CrsChoice) -> tuple[float, float]:
    """WGS84 (lon, lat) of a Gauss-Krüger (northing, easting) in the chosen zone."""
    epsg, e = gk_epsg(choice, east)
    lon, lat = to_wgs84(e, north, epsg)
    return float(lon), float(lat)


def point_to_wgs84(lon: float, lat: float, choice: CrsChoice) -> tuple[float, float]:
    """WGS84 (lon, lat) of a geographic point in the chosen system (GCJ-02/BD-09 shifted back)."""
    if choice.system in ("wgs84", "cgcs2000"):
        return float(lon), float(lat)
    x, y = to_wgs84(lon, lat, choice.system)
    return float(x), float(y)


@lru_cache(maxsize=8)
def _noop() -> Callable:
    return lambda xy: xy


def coords_transformer(choice: CrsChoice, sample_x: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A function for :func:`shapely.transform` taking (n, 2) coordinates in ``choice`` to WGS84.

    For Gauss-Krüger the x values must all be zone-prefixed or all plain;
    the first x decides which EPSG form is used (and is checked).

    Raises
    ------
    ValidationError
        As :func:`gk_epsg`.
    """
    if choice.system in ("wgs84", "cgcs2000"):
        return _noop()
    if choice.is_gk:
        xs = np.asarray(sample_x, dtype=float)
        prefixed = xs >= 1.0e7
        if prefixed.any() and not prefixed.all():
            raise invalid("gk.mixed_eastings")
        epsg, _ = gk_epsg(choice, float(xs.flat[0]) if xs.size else 500000.0)

        def fn(xy: np.ndarray) -> np.ndarray:
            lon, lat = to_wgs84(xy[:, 0], xy[:, 1], epsg)
            return np.column_stack([lon, lat])

        return fn
    system = choice.system

    def shift(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1], system)
        return np.column_stack([lon, lat])

    return shift
