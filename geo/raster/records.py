"""Raster overlay records: what an admin registers and what the store keeps (no database here).

:class:`NewRaster` is a checked file to register; :class:`RasterLayer` is one
as stored (versioned). :func:`check_fields` holds the rules on the editable
values, used by every store backend before it writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from geo.errors import ValidationError

SAMPLE_PREFIX = "sample:"
SAMPLE_RASTER_DIR = Path(__file__).resolve().parents[2] / "data" / "rasters"
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
#: Fields :meth:`RastersMixin.update_raster` may change.
EDITABLE = ("name_zh", "name_en", "colormap", "vmin", "vmax", "unit", "opacity", "shown", "description")


@dataclass(frozen=True)
class NewRaster:
    """A checked raster file to register (see :func:`geo.raster` for the checks)."""

    raster_id: str
    name_zh: str
    name_en: str
    file: str
    file_sha256: str
    bands: int
    bounds: tuple[float, float, float, float]
    max_zoom: int
    colormap: str | None = None
    vmin: float | None = None
    vmax: float | None = None
    unit: str = ""
    opacity: float = 0.7
    shown: bool = True
    is_sample: bool = False
    is_synthetic: bool = False
    description: str = ""
    source_name: str = ""
    info: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RasterLayer(NewRaster):
    """A registered raster overlay, as stored."""

    version: int = 1
    added_at: str = ""
    added_by: str = ""
    updated_at: str = ""
    updated_by: str = ""

    def label(self, lang: str) -> str:
        """The layer's name in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def style_key(self) -> str:
        """What the rendered tiles depend on: the file's content and the colouring."""
        return f"{self.file_sha256[:16]}-{self.colormap or 'rgb'}-{self.vmin}-{self.vmax}"


def check_fields(new: NewRaster | Mapping[str, Any]) -> None:
    """Refuse a bad raster id, opacity, value range or empty name (ValidationError naming the fix)."""
    get = (lambda k: new.get(k)) if isinstance(new, Mapping) else (lambda k: getattr(new, k))
    rid = get("raster_id")
    if rid is not None and not _ID_RE.match(str(rid)):
        raise ValidationError(
            "raster.bad_id", en=f"Raster id {rid!r} must be lower-case letters, digits, '-' or '_' (≤ 63).",
            zh=f"栅格图层编号 {rid!r} 只能由小写字母、数字、“-”“_”组成（不超过 63 个字符）。", field="raster_id", value=rid)
    opacity = get("opacity")
    if opacity is not None and not 0.0 <= float(opacity) <= 1.0:
        raise ValidationError(
            "raster.bad_opacity", en=f"Opacity {opacity} must be between 0 and 1 (e.g. 0.7).",
            zh=f"透明度 {opacity} 须在 0 到 1 之间（如 0.7）。", field="opacity", value=opacity)
    vmin, vmax = get("vmin"), get("vmax")
    if vmin is not None and vmax is not None and float(vmin) >= float(vmax):
        raise ValidationError(
            "raster.bad_range", en=f"The value range {vmin} … {vmax} is empty: the minimum must be below the maximum.",
            zh=f"取值范围 {vmin} … {vmax} 无效：最小值须小于最大值。", field="vmin", value=vmin)
    for key in ("name_zh", "name_en"):
        value = get(key)
        if value is not None and not str(value).strip():
            raise ValidationError(
                "raster.no_name", en="A raster layer needs a name in Chinese and in English.",
                zh="栅格图层需要中文名称和英文名称。", field=key, value=value)
