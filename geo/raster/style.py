"""How a raster is drawn: colour map, value range, resampling.

A :class:`RasterStyle` is plain data (it round-trips through a dict for the
store). A missing value range is filled in by :func:`resolve_style` from
percentiles of a **decimated** read (at most :data:`STATS_MAX_SIDE` px a
side, which GDAL serves from an overview when there is one), never from the
full-resolution raster.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from rasterio.enums import Resampling

from geo.errors import RasterRejected, ValidationError
from geo.raster.colormap import COLORMAPS, colormap

__all__ = ["RasterStyle", "RESAMPLINGS", "STATS_MAX_SIDE", "value_range", "resolve_style"]

#: Resampling names a style may ask for when pixels are shrunk or warped.
RESAMPLINGS = ("bilinear", "average", "nearest")
#: Side of the decimated read that statistics are computed on (1 M px at most).
STATS_MAX_SIDE = 1024
#: Default percentiles for the value range: ignore the extreme 2 % at each end.
DEFAULT_PERCENTILES = (2.0, 98.0)


@dataclass(frozen=True)
class RasterStyle:
    """Drawing options of a raster overlay.

    Attributes
    ----------
    colormap : str
        Colour-map key (single-band rasters; ignored for RGB(A)).
    vmin, vmax : float or None
        Values drawn with the first and last colour; None: from statistics.
    resampling : str
        ``"bilinear"`` (smooth, default), ``"average"`` or ``"nearest"``.
    categorical : bool
        Classes, not measurements: always nearest (no blending of codes).
    unit : str
        Unit shown in the legend, e.g. ``"m"``.
    """

    colormap: str = "viridis"
    vmin: float | None = None
    vmax: float | None = None
    resampling: str = "bilinear"
    categorical: bool = False
    unit: str = ""

    def __post_init__(self):
        colormap(self.colormap)  # raises raster.colormap_unknown
        if self.resampling not in RESAMPLINGS:
            raise ValidationError(
                "raster.resampling_unknown",
                en=f"Unknown resampling {self.resampling!r}: choose one of {', '.join(RESAMPLINGS)}.",
                zh=f"未知重采样方式 {self.resampling!r}：请从 {', '.join(RESAMPLINGS)} 中选择。",
                value=self.resampling, allowed=RESAMPLINGS,
            )
        if self.vmin is not None and self.vmax is not None and not (
            math.isfinite(self.vmin) and math.isfinite(self.vmax) and self.vmin < self.vmax
        ):
            raise ValidationError(
                "raster.value_range",
                en=f"Value range {self.vmin!r}…{self.vmax!r} is not usable: give minimum < maximum, both finite.",
                zh=f"数值范围 {self.vmin!r}…{self.vmax!r} 无效：最小值须小于最大值，且均为有限数值。",
                value=(self.vmin, self.vmax),
            )

    @property
    def resolved(self) -> bool:
        """True when both ends of the value range are known."""
        return self.vmin is not None and self.vmax is not None

    @property
    def warp_resampling(self) -> Resampling:
        """Resampling for warping into the tile (nearest for categorical data)."""
        if self.categorical or self.resampling == "nearest":
            return Resampling.nearest
        return Resampling.bilinear

    @property
    def read_resampling(self) -> Resampling:
        """Resampling for the decimated read (average keeps thin features honest)."""
        if self.categorical or self.resampling == "nearest":
            return Resampling.nearest
        return Resampling.average if self.resampling == "average" else Resampling.bilinear

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON/the store."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | "RasterStyle" | None) -> "RasterStyle":
        """Build from a dict (unknown keys ignored) or return a style unchanged."""
        if isinstance(d, RasterStyle):
            return d
        d = {k: v for k, v in dict(d or {}).items() if k in {"colormap", "vmin", "vmax", "resampling", "categorical",
                                                              "unit"} and v is not None}
        for k in ("vmin", "vmax"):
            if k in d:
                try:
                    d[k] = float(d[k])
                except (TypeError, ValueError):
                    raise ValidationError(
                        "raster.value_range",
                        en=f"{k} = {d[k]!r} is not a number: give a decimal number or leave it empty (automatic).",
                        zh=f"{k} = {d[k]!r} 不是数值：请填写数字，或留空（自动）。",
                        value=d[k], field=k,
                    ) from None
        return cls(**d)


def _valid(values: np.ndarray, nodata: float | None) -> np.ndarray:
    v = values[np.isfinite(values)]
    if nodata is not None and not math.isnan(nodata):
        v = v[v != nodata]
    return v


def value_range(src, band: int = 1, percentiles: tuple[float, float] = DEFAULT_PERCENTILES) -> tuple[float, float]:
    """Value range of a band from a decimated (overview) read.

    Parameters
    ----------
    src : rasterio.io.DatasetReader
        Open single-band raster.
    band : int, default 1
        Band index.
    percentiles : tuple of float, default (2, 98)
        Low and high percentile.

    Returns
    -------
    tuple of float
        ``(vmin, vmax)`` with ``vmin < vmax`` (a constant raster gets ±0.5,
        or ±1 % of its value).

    Raises
    ------
    RasterRejected
        ``raster.empty`` when every pixel read is nodata.
    """
    scale = max(src.width, src.height) / STATS_MAX_SIDE
    shape = (max(1, round(src.height / max(scale, 1))), max(1, round(src.width / max(scale, 1))))
    data = src.read(band, out_shape=shape, resampling=Resampling.nearest).astype(np.float64)
    valid = _valid(data.ravel(), src.nodatavals[band - 1])
    if valid.size == 0:
        raise RasterRejected(
            "raster.empty",
            en=f"{src.name.rsplit('/', 1)[-1]} holds no data (every pixel is nodata {src.nodata}): "
            f"check the file or its nodata value (gdal_edit.py -a_nodata).",
            zh=f"“{src.name.rsplit('/', 1)[-1]}”没有有效数据（所有像素均为无效值 {src.nodata}）："
            f"请检查文件或其无效值设置（gdal_edit.py -a_nodata）。",
            value=src.nodata,
        )
    lo, hi = (float(v) for v in np.percentile(valid, percentiles))
    if not hi > lo:
        pad = max(abs(lo) * 0.01, 0.5)
        lo, hi = lo - pad, hi + pad
    return lo, hi


def resolve_style(src, style: RasterStyle | dict | None = None) -> RasterStyle:
    """Fill a style's missing value range from the raster's statistics.

    Parameters
    ----------
    src : rasterio.io.DatasetReader
        The raster the style is for.
    style : RasterStyle or dict, optional
        Given style; None means the defaults.

    Returns
    -------
    RasterStyle
        With ``vmin``/``vmax`` set (a diverging colour map gets a range
        symmetric around 0 when the data spans 0).
    """
    style = RasterStyle.from_dict(style)
    if style.resolved or src.count != 1:
        return style
    lo, hi = value_range(src)
    if COLORMAPS[style.colormap].diverging and lo < 0 < hi:
        m = max(-lo, hi)
        lo, hi = -m, m
    vmin = style.vmin if style.vmin is not None else lo
    vmax = style.vmax if style.vmax is not None else hi
    if not vmax > vmin:
        vmin, vmax = (lo, hi) if hi > lo else (vmin, vmin + 1.0)
    return replace(style, vmin=float(vmin), vmax=float(vmax))
