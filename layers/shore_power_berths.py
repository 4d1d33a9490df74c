"""Shore-power berths (岸电泊位) at Fuqing's port areas.

Two populations, two target entries (both exclude dangerous-goods berths):

* Fuqing plan §三(四): "沿海主要港口 70%以上集装箱、客滚、邮轮、3 千吨级以上客运和 5 万吨级以上
  干散货专业化泊位（危险货物泊位除外）具备向船舶供应岸电的能力" — specialised berths of those
  types and tonnages (the five kinds of the Ministry of Transport's 港口岸电布局方案).
* Province plan §三(四): "沿海主要港口75%以上专业化泊位（危险货物泊位除外）具备向船舶供应岸电的能力"
  — every specialised berth, whatever its type and tonnage: a 35,000 t coal berth counts
  there and not in Fuqing's figure.

专业化泊位 is the ports' own classification (specialised, as opposed to general-purpose and
multi-purpose berths); a berth whose ledger does not say is presumed specialised by its type
(container, ro-ro, cruise, passenger, dry and liquid bulk) and not specialised otherwise.

A capable berth can break down (故障) or be taken out of use (停用); it then does not count as
able to supply shore power until it is back (the path back is in the workflow). Both plans'
second aim — ships' shore-power installation and use (船舶受电设施安装率、使用率大幅提高) — is
measured from the monthly usage rows per berth, not from one overwritten value.
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
#: Berth types presumed 专业化 when the ledger does not say (general cargo and other: not).
PRESUMED_SPECIALISED = ("container", "ro_ro", "cruise", "passenger", "dry_bulk", "liquid_bulk")


def _tonnage(attrs: Mapping[str, object]) -> float | None:
    value = attrs.get("tonnage_t")
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def is_specialised(attrs: Mapping[str, object]) -> bool:
    """专业化泊位: as the ledger says, else presumed from the berth type."""
    value = attrs.get("specialised")
    if value is not None and value != "":
        return bool(value)
    return attrs.get("berth_type") in PRESUMED_SPECIALISED


def berth_exclusion(attrs: Mapping[str, object]) -> str | None:
    """Why a berth is outside Fuqing's 70 % population; None when it counts.

    Parameters
    ----------
    attrs : mapping
        ``berth_type``, ``tonnage_t``, ``dangerous_goods``, ``specialised``.

    Returns
    -------
    str or None
        A key of ``geo.domain.targets.BERTH_EXCLUSIONS``, or None for a berth in the population.
    """
    if attrs.get("dangerous_goods"):
        return "dangerous_goods"
    if not is_specialised(attrs):
        return "not_specialised"
    kind = attrs.get("berth_type")
    if kind in ("container", "ro_ro", "cruise"):
        return None
    if kind not in ("passenger", "dry_bulk"):
        return "type_not_listed"
    tonnage = _tonnage(attrs)
    if tonnage is None:
        return "tonnage_unknown"
    if kind == "passenger":
        return None if tonnage >= 3_000 else "passenger_under_3000t"
    return None if tonnage >= 50_000 else "dry_bulk_under_50000t"


def province_exclusion(attrs: Mapping[str, object]) -> str | None:
    """Why a berth is outside the province's 75 % population (every specialised berth); None when it counts."""
    if attrs.get("dangerous_goods"):
        return "dangerous_goods"
    return None if is_specialised(attrs) else "not_specialised"


def is_eligible_berth(attrs: Mapping[str, object]) -> bool:
    """Fuqing's population: specialised berths of the listed types and tonnages, no dangerous goods."""
    return berth_exclusion(attrs) is None


def is_province_berth(attrs: Mapping[str, object]) -> bool:
    """The province's population: every specialised berth, no dangerous goods."""
    return province_exclusion(attrs) is None


_CAPABLE_ZH = "具备岸电供应能力（故障、停用的不计）"
_CAPABLE_EN = "able to supply shore power (not while broken or out of use)"


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
        Field("specialised", "专业化泊位", "Specialised berth", "bool"),
        Field("capacity_kva", "岸电容量", "Shore-power capacity", "float", unit="kVA"),
        Field("connections", "接电次数", "Connections", "int", unit="次"),
        Field("energy_kwh", "供电量", "Energy delivered", "float", unit="kWh"),
        Field("period", "统计期", "Period", "text"),
    ),
    statuses=(
        Status("none", "不具备", "no shore power", "#7f2704", 1),
        Status("building", "建设中", "under construction", "#bf812d", 2),
        Status("available", "具备供电能力", "shore power available", "#1d91c0", 3, done=True),
        Status("fault", "故障", "out of order", "#773399", 4),
        Status("out_of_use", "停用", "out of use", "#888899", 5),
    ),
    transitions=(
        Transition("none", "building"),
        Transition("building", "available"),
        Transition("available", "fault"),
        Transition("available", "out_of_use"),
        # The way back: repaired, or put back into use; a facility beyond repair is rebuilt.
        Transition("fault", "available"),
        Transition("fault", "out_of_use"),
        Transition("out_of_use", "available"),
        Transition("out_of_use", "building"),
    ),
    initial_status="none",
    targets=(
        Target(
            code="capable_share",
            zh="专业化泊位岸电供应能力比例（福清口径）",
            en="Listed specialised berths able to supply shore power (Fuqing)",
            clause="福清市方案 三(四)：到2025年，……沿海主要港口 70%以上集装箱、客滚、邮轮、3 千吨级以上客运和 5 万吨级"
                   "以上干散货专业化泊位（危险货物泊位除外）具备向船舶供应岸电的能力",
            threshold=0.70,
            deadline=date(2025, 12, 31),
            done_statuses=("available",),
            population=is_eligible_berth,
            population_zh="集装箱、客滚、邮轮、3千吨级以上客运、5万吨级以上干散货专业化泊位（不含危险货物泊位）",
            population_en="specialised container, ro-ro, cruise, passenger >= 3,000 t and dry-bulk >= 50,000 t berths; "
                          "no dangerous goods",
            numerator_zh=_CAPABLE_ZH,
            numerator_en=_CAPABLE_EN,
        ),
        Target(
            code="province_capable_share",
            zh="专业化泊位岸电供应能力比例（省口径）",
            en="Specialised berths able to supply shore power (province)",
            clause="省方案 三(四)：到2025年，……沿海主要港口75%以上专业化泊位（危险货物泊位除外）具备向船舶供应岸电的能力",
            threshold=0.75,
            deadline=date(2025, 12, 31),
            done_statuses=("available",),
            population=is_province_berth,
            population_zh="全部专业化泊位，不论类型与吨级（不含危险货物泊位）",
            population_en="every specialised berth, any type or tonnage; no dangerous goods",
            numerator_zh=_CAPABLE_ZH,
            numerator_en=_CAPABLE_EN,
            plan="province",
        ),
    ),
    lead_departments=("市交通运输局", "市发改局", "江阴港务站"),
    style=Style(radius=8, weight=2, fill_opacity=0.9, z_order=4),
    description_zh="港口岸电设施建设与使用",
    description_en="Shore-power supply at berths",
)
