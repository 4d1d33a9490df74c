"""Industrial parks (园区): zero-direct-discharge zone and circular retrofit.

Fuqing plan §三(二): by 2025 every park builds a 污水零直排区; every eligible
park carries out 循环化改造; central sewage treatment with online monitoring.
"""

from datetime import date

from layers.spec import Choice, Field, LayerSpec, Status, Style, Target, Transition

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
            clause="福清市方案 三(二)：到2025年，全市园区全部建成污水零直排区",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            done_statuses=("completed", "accepted"),
        ),
    ),
    lead_departments=("市发改局", "市商务局", "市工信局", "福清生态环境局"),
    style=Style(weight=2, fill_opacity=0.30, z_order=1),
    description_zh="园区污水零直排区建设与循环化改造",
    description_en="Zero-direct-discharge zones and circular retrofit of industrial parks",
)
