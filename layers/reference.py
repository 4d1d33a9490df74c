"""Reference areas: the official areas the plans measure against (not sites, no workflow).

An administrator imports each from the bureau's files (any format the importer
reads) as a versioned, undoable import batch, the way official town boundaries
come in; until one is imported, a figure that needs it says so instead of
guessing. Targets name them by key (``Target.area_of``, ``Target.within``).

* 城市建成区 and 城市近郊: Fuqing plan §三(九) "将我市的城市建成区及城市近郊划定为
  高污染燃料禁燃区" (province plan §三(八): "将县级市的城市建成区及城市近郊划定为高污染燃料禁燃区").
* 供热管网覆盖范围: Fuqing plan §三(九) "推动淘汰供热管网覆盖范围内的燃煤锅炉和散煤"
  (province plan §三(八), same words).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class ReferenceArea:
    """One kind of official reference area.

    Attributes
    ----------
    key : str
        Stable ASCII key; also the import kind and the batch kind.
    zh, en : str
        Labels.
    clause : str
        Where the plans name it.
    color : str
        ``#rrggbb`` of its outline on the review map.
    aliases : tuple of str
        Other words an administrator may type for it (``cli.py import --kind``).
    """

    key: str
    zh: str
    en: str
    clause: str
    color: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


BUILT_UP = ReferenceArea(
    "built_up_area", "城市建成区", "Built-up area",
    "福清市方案 三(九)：将我市的城市建成区及城市近郊划定为高污染燃料禁燃区", "#6a3d9a",
    aliases=("建成区", "城市建成区范围", "builtup"),
)
NEAR_SUBURBS = ReferenceArea(
    "near_suburbs", "城市近郊", "Near suburbs",
    "福清市方案 三(九)：将我市的城市建成区及城市近郊划定为高污染燃料禁燃区", "#b15928",
    aliases=("近郊", "近郊区", "城市近郊区", "suburbs"),
)
HEAT_NETWORK = ReferenceArea(
    "heat_network", "供热管网覆盖范围", "Heat-network coverage",
    "福清市方案 三(九)：推动淘汰供热管网覆盖范围内的燃煤锅炉和散煤", "#e31a1c",
    aliases=("供热管网", "集中供热范围", "热网覆盖范围", "供热范围", "heatnetwork"),
)

REFERENCE_AREAS: Mapping[str, ReferenceArea] = MappingProxyType(
    {a.key: a for a in (BUILT_UP, NEAR_SUBURBS, HEAT_NETWORK)})
REFERENCE_KEYS: tuple[str, ...] = tuple(REFERENCE_AREAS)
