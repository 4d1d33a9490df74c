"""Shore-power berths (岸电泊位) at Fuqing's port areas.

Fuqing plan §三(四): by 2025 at least 70 % (province: 75 %) of the main
coastal ports' specialised berths for containers, ro-ro, cruise, passenger
ships >= 3,000 t and dry bulk >= 50,000 t, dangerous-goods berths excluded,
can supply shore power.
"""

from datetime import date
from typing import Mapping

from layers.spec import Choice, Field, LayerSpec, Status, Style, Target, Transition

BERTH_TYPES = (
    Choice("container", "集装箱", "container"),
    Choice("ro_ro", "客滚", "ro-ro"),
    Choice("cruise", "邮轮", "cruise"),
    Choice("passenger", "客运", "passenger"),
    Choice("dry_bulk", "干散货", "dry bulk"),
    Choice("liquid_bulk", "液体散货", "liquid bulk"),
    Choice("general_cargo", "件杂货", "general cargo"),
    Choice("other", "其他", "other"),
)


def is_eligible_berth(attrs: Mapping[str, object]) -> bool:
    """The plan's population: specialised berths by type and tonnage, no dangerous goods.

    Parameters
    ----------
    attrs : mapping
        A berth's attributes: ``berth_type``, ``tonnage_t``, ``dangerous_goods``.

    Returns
    -------
    bool
        True when the berth counts in the 70 % target's denominator.
    """
    if attrs.get("dangerous_goods"):
        return False
    kind = attrs.get("berth_type")
    tonnage = attrs.get("tonnage_t") or 0
    try:
        tonnage = float(tonnage)
    except (TypeError, ValueError):
        tonnage = 0.0
    if kind in ("container", "ro_ro", "cruise"):
        return True
    if kind == "passenger":
        return tonnage >= 3_000
    if kind == "dry_bulk":
        return tonnage >= 50_000
    return False


SPEC = LayerSpec(
    key="shore_power_berths",
    zh="岸电泊位",
    en="Shore-power berths",
    geometry="point",
    code_prefix="AD",
    plan_clause="福清市方案 三(四) 交通物流节能减排工程",
    default_deadline=date(2025, 12, 31),
    fields=(
        Field("port_area", "港区", "Port area", "text", required=True),
        Field("berth_no", "泊位号", "Berth number", "text", required=True),
        Field("berth_type", "泊位类型", "Berth type", "choice", required=True, choices=BERTH_TYPES),
        Field("tonnage_t", "吨级", "Tonnage class", "int", required=True, unit="t"),
        Field("dangerous_goods", "危险货物泊位", "Dangerous-goods berth", "bool"),
        Field("capacity_kva", "岸电容量", "Shore-power capacity", "float", unit="kVA"),
        Field("connections", "接电次数", "Connections", "int", unit="次"),
        Field("energy_kwh", "供电量", "Energy delivered", "float", unit="kWh"),
        Field("period", "统计期", "Period", "text"),
    ),
    statuses=(
        Status("none", "不具备", "no shore power", "#7f2704", 1),
        Status("building", "建设中", "under construction", "#bf812d", 2),
        Status("available", "具备供电能力", "shore power available", "#1d91c0", 3, done=True, terminal=True),
    ),
    transitions=(
        Transition("none", "building"),
        Transition("building", "available"),
    ),
    initial_status="none",
    targets=(
        Target(
            code="capable_share",
            zh="专业化泊位岸电供应能力比例",
            en="Eligible berths able to supply shore power",
            clause="福清市方案 三(四)：沿海主要港口70%以上专业化泊位（危险货物泊位除外）具备岸电供应能力",
            threshold=0.70,
            deadline=date(2025, 12, 31),
            done_statuses=("available",),
            population=is_eligible_berth,
            population_zh="集装箱、客滚、邮轮、3千吨级以上客运、5万吨级以上干散货泊位（不含危险货物泊位）",
            population_en="container, ro-ro, cruise, passenger >= 3,000 t, dry bulk >= 50,000 t; no dangerous goods",
            province_threshold=0.75,
        ),
    ),
    lead_departments=("市交通运输局", "市发改局", "江阴港务站"),
    style=Style(radius=8, weight=2, fill_opacity=0.9, z_order=4),
    description_zh="港口岸电设施建设与使用",
    description_en="Shore-power supply at berths",
)
