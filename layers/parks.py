"""Industrial parks (园区): zero-direct-discharge zone and circular retrofit.

Fuqing plan §三(二): "到 2025 年，我市园区全面建设“污水零直排区”" and "具备条件的园区全部实施
循环化改造". The province's plan §三(二) sets the same two aims over 省级以上 parks only:
"到2025年，省级以上工业园区全面建设“污水零直排区”" and "具备条件的省级以上园区全部实施循环化改造".
So each aim has two entries: Fuqing's over every park, the province's over national and
provincial parks. 实施 (carry out) counts a retrofit in progress as well as a finished one;
both are shown.

Chemical parks are flagged from the province's list (福建省工业和信息化厅, 拟认定首批化工园区
（化工集中区）名单, 公示 2020-12-31: 福州江阴港城经济区 is on it).
"""

from datetime import date
from typing import Mapping

from layers.spec import Choice, Field, LayerSpec, Status, Style, Target, Transition

#: 省级以上 (province plan §三(二)): national and provincial parks.
PROVINCIAL_OR_ABOVE = ("national", "provincial")
#: 实施 (Fuqing and province §三(二)): a circular retrofit under way or finished.
RETROFIT_CARRIED_OUT = ("in_progress", "completed")


def is_provincial_or_above(attrs: Mapping[str, object]) -> bool:
    """The province's population: a national or provincial park."""
    return attrs.get("level") in PROVINCIAL_OR_ABOVE


def is_retrofit_eligible(attrs: Mapping[str, object]) -> bool:
    """具备条件的园区: every park not recorded as lacking the conditions (unrecorded ones stay in)."""
    return attrs.get("circular_retrofit") != "not_applicable"


def _province_and_eligible(attrs: Mapping[str, object]) -> bool:
    return is_provincial_or_above(attrs) and is_retrofit_eligible(attrs)


_ZERO_DONE_ZH = "污水零直排区已建成或已验收"
_ZERO_DONE_EN = "zone completed or accepted"
_RETROFIT_DONE_ZH = "循环化改造实施中或已完成（“实施”）"
_RETROFIT_DONE_EN = "retrofit in progress or completed (carried out)"

SPEC = LayerSpec(
    key="parks",
    zh="工业园区",
    en="Industrial parks",
    geometry="polygon",
    code_prefix="YQ",
    plan_clause="福清市方案 三(二) 园区节能环保提升工程",
    default_deadline=date(2025, 12, 31),
    fields=(
        Field(
            "level",
            "园区级别",
            "Level",
            "choice",
            required=True,
            choices=(
                Choice("national", "国家级", "national"),
                Choice("provincial", "省级", "provincial"),
                Choice("municipal", "市级", "municipal"),
            ),
        ),
        Field("managing_body", "管理机构", "Managing body", "text"),
        Field(
            "circular_retrofit",
            "循环化改造",
            "Circular retrofit",
            "choice",
            choices=(
                Choice("not_started", "未实施", "not started"),
                Choice("in_progress", "实施中", "in progress"),
                Choice("completed", "已完成", "completed"),
                Choice("not_applicable", "不具备条件", "not eligible"),
            ),
        ),
        Field("chemical_park", "化工园区（省认定名单）", "Chemical park (province list)", "bool"),
        Field("online_monitoring", "在线监测已安装", "Online monitoring installed", "bool"),
        Field("central_sewage_plant", "集中污水处理设施", "Central sewage treatment", "text"),
    ),
    statuses=(
        Status("not_started", "未启动", "not started", "#a50026", 1),
        Status("building", "建设中", "under construction", "#fb6a4a", 2),
        Status("completed", "已建成", "completed", "#4dac26", 3, done=True),
        Status("accepted", "已验收", "accepted", "#276419", 4, done=True, terminal=True),
    ),
    transitions=(
        Transition("not_started", "building"),
        Transition("building", "completed"),
        Transition("completed", "accepted"),
        # An inspection finds the zone does not meet the standard yet.
        Transition("completed", "building"),
    ),
    initial_status="not_started",
    targets=(
        Target(
            code="zero_discharge_share",
            zh="污水零直排区建成率",
            en="Parks with a zero-direct-discharge zone",
            clause="福清市方案 三(二)：到 2025 年，我市园区全面建设“污水零直排区”",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            done_statuses=("completed", "accepted"),
            population_zh="全市园区（各级）",
            population_en="every park in the city (any level)",
            numerator_zh=_ZERO_DONE_ZH,
            numerator_en=_ZERO_DONE_EN,
        ),
        Target(
            code="province_zero_discharge_share",
            zh="省级以上园区污水零直排区建成率",
            en="Provincial-or-above parks with a zero-direct-discharge zone",
            clause="省方案 三(二)：到2025年，省级以上工业园区全面建设“污水零直排区”",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            done_statuses=("completed", "accepted"),
            population=is_provincial_or_above,
            population_zh="省级以上园区（国家级、省级）",
            population_en="parks at provincial level or above (national, provincial)",
            numerator_zh=_ZERO_DONE_ZH,
            numerator_en=_ZERO_DONE_EN,
            plan="province",
        ),
        Target(
            code="circular_retrofit_share",
            zh="具备条件的园区实施循环化改造比例",
            en="Eligible parks carrying out a circular retrofit",
            clause="福清市方案 三(二)：到 2025 年，……具备条件的园区全部实施循环化改造",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            population=is_retrofit_eligible,
            population_zh="具备条件的园区（不含记为“不具备条件”的）",
            population_en="eligible parks (all but those recorded as not eligible)",
            numerator_zh=_RETROFIT_DONE_ZH,
            numerator_en=_RETROFIT_DONE_EN,
            done_field="circular_retrofit",
            done_values=RETROFIT_CARRIED_OUT,
        ),
        Target(
            code="province_circular_retrofit_share",
            zh="具备条件的省级以上园区实施循环化改造比例",
            en="Eligible provincial-or-above parks carrying out a circular retrofit",
            clause="省方案 三(二)：到2025年，……具备条件的省级以上园区全部实施循环化改造",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            population=_province_and_eligible,
            population_zh="具备条件的省级以上园区（国家级、省级）",
            population_en="eligible parks at provincial level or above",
            numerator_zh=_RETROFIT_DONE_ZH,
            numerator_en=_RETROFIT_DONE_EN,
            done_field="circular_retrofit",
            done_values=RETROFIT_CARRIED_OUT,
            plan="province",
        ),
    ),
    lead_departments=("市发改局", "市商务局", "市工信局", "福清生态环境局"),
    style=Style(weight=2, fill_opacity=0.30, z_order=1),
    description_zh="园区污水零直排区建设与循环化改造",
    description_en="Zero-direct-discharge zones and circular retrofit of industrial parks",
)
