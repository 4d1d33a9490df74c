"""Coal-fired boilers (燃煤锅炉): a register of its own, with the plans' two aims.

* Fuqing plan §三(九) (province §三(八), same words): "推动淘汰供热管网覆盖范围内的燃煤锅炉和散煤"
  — every coal boiler inside the heat-network coverage is phased out. Whether a boiler stands
  inside the coverage is found from its location and the official coverage an administrator
  imports (``layers.reference``), never typed in.
* Fuqing plan §三(一) (province §三(一), same words): "基本完成 35 蒸吨/小时以上燃煤锅炉超低
  排放改造". 以上 includes the number itself, so 35 t/h counts. A boiler of that size that has
  been phased out has nothing left to retrofit and counts as done; one retrofitted stays on
  the register (and must still go if it stands inside the heat-network coverage). Neither
  plan puts a number on 基本完成: the line is drawn at 100 %.

Neither sentence carries its own date; the plans run to the end of 2025, which is the deadline.
The zone a boiler stands in (``layers.clean_fuel_zones``) is also found from its location.
Capacity is recorded in 蒸吨/小时 (t/h of steam); hot-water boilers rated in MW are entered
converted by the usual 0.7 MW per t/h.
"""

from datetime import date
from typing import Mapping

from layers.reference import HEAT_NETWORK
from layers.spec import Choice, Field, LayerSpec, Status, Style, Target, Transition

#: 35 蒸吨/小时以上 (以上 includes 35).
ULE_THRESHOLD_TH = 35.0


def is_large_boiler(attrs: Mapping[str, object]) -> bool:
    """A boiler of 35 t/h or more (the ultra-low-emission population)."""
    value = attrs.get("tonnage_th")
    try:
        return value not in (None, "") and float(value) >= ULE_THRESHOLD_TH
    except (TypeError, ValueError):
        return False


SPEC = LayerSpec(
    key="coal_boilers",
    zh="燃煤锅炉",
    en="Coal-fired boilers",
    geometry="point",
    code_prefix="GL",
    plan_clause="福清市方案 三(九) 煤炭清洁高效利用工程；三(一) 重点行业绿色转型工程",
    default_deadline=date(2025, 12, 31),
    fields=(
        Field("tonnage_th", "额定容量", "Rated capacity", "float", required=True, unit="t/h"),
        Field(
            "fuel",
            "燃料",
            "Fuel",
            "choice",
            required=True,
            choices=(
                Choice("raw_coal", "原煤", "raw coal"),
                Choice("briquette", "型煤", "briquettes"),
                Choice("coal_water_slurry", "水煤浆", "coal-water slurry"),
                Choice("coke", "焦炭、兰炭", "coke"),
                Choice("other_coal", "其他煤炭制品", "other coal products"),
            ),
        ),
        Field("owner", "使用单位", "Owner", "text", required=True),
        Field("boiler_use", "用途", "Use", "choice", choices=(
            Choice("industrial", "工业生产", "industrial process"),
            Choice("heating", "供热", "heat supply"),
            Choice("power", "热电联产", "combined heat and power"),
            Choice("other", "其他", "other"),
        )),
        Field("registration_no", "使用登记证号", "Registration number", "text"),
        Field("replacement", "替代方式", "Replaced by", "choice", choices=(
            Choice("central_heat", "集中供热", "central heat supply"),
            Choice("natural_gas", "天然气", "natural gas"),
            Choice("electric", "电能", "electricity"),
            Choice("biomass", "生物质（专用锅炉）", "biomass (dedicated boiler)"),
            Choice("closed", "停产关闭", "plant closed"),
        )),
    ),
    statuses=(
        Status("in_use", "在用", "in use", "#995555", 1),
        Status("in_progress", "改造/淘汰中", "retrofit or phase-out under way", "#ffaa88", 2),
        Status("phased_out", "已淘汰", "phased out", "#558844", 3, done=True, terminal=True),
        Status("ule_retrofitted", "已超低排放改造", "ultra-low-emission retrofitted", "#3355cc", 4, done=True),
    ),
    transitions=(
        Transition("in_use", "in_progress"),
        Transition("in_use", "phased_out"),
        Transition("in_progress", "phased_out"),
        Transition("in_progress", "ule_retrofitted"),
        # Work stopped before it was finished.
        Transition("in_progress", "in_use"),
        # A retrofitted boiler still goes when the heat network reaches it.
        Transition("ule_retrofitted", "in_progress"),
        Transition("ule_retrofitted", "phased_out"),
    ),
    initial_status="in_use",
    targets=(
        Target(
            code="heat_network_phase_out_share",
            zh="供热管网覆盖范围内燃煤锅炉淘汰比例",
            en="Coal boilers inside the heat-network coverage phased out",
            clause="福清市方案 三(九)：推动淘汰供热管网覆盖范围内的燃煤锅炉和散煤（省方案 三(八) 同）",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            done_statuses=("phased_out",),
            within=HEAT_NETWORK.key,
            population_zh="位于供热管网覆盖范围（官方范围，管理员导入）内的燃煤锅炉，按位置判定",
            population_en="coal boilers located inside the heat-network coverage (official, imported)",
            numerator_zh="已淘汰（已超低排放改造的不计）",
            numerator_en="phased out (a retrofit does not count)",
        ),
        Target(
            code="ule_retrofit_share",
            zh="35蒸吨/小时及以上燃煤锅炉超低排放改造比例",
            en="Coal boilers of 35 t/h or more retrofitted to ultra-low emissions",
            clause="福清市方案 三(一)：基本完成 35 蒸吨/小时以上燃煤锅炉超低排放改造（省方案 三(一) 同）",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            done_statuses=("ule_retrofitted", "phased_out"),
            population=is_large_boiler,
            population_zh="额定容量35蒸吨/小时及以上的燃煤锅炉",
            population_en="coal boilers rated 35 t/h or more",
            numerator_zh="已超低排放改造或已淘汰",
            numerator_en="retrofitted to ultra-low emissions, or phased out",
        ),
    ),
    lead_departments=("福清生态环境局", "市发改局", "市工信局", "市市场监管局"),
    style=Style(radius=7, weight=2, fill_opacity=0.9, z_order=5),
    description_zh="燃煤锅炉台账：供热管网覆盖范围内淘汰、35蒸吨/小时及以上超低排放改造",
    description_en="Coal-boiler register: phase-out inside the heat-network coverage, ultra-low emissions at 35 t/h+",
)
