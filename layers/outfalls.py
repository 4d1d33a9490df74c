"""Sewage outfalls into the sea (入海排污口) along Fuqing Bay and Xinghua Bay.

Fuqing plan §三(八): before the end of 2025 classify and remediate every
outfall into the sea. National practice: 排查 → 监测 → 溯源 → 整治 → 销号,
remediation by 取缔 / 合并 / 规范 / 保留.
"""

from datetime import date

from layers.spec import Choice, Field, LayerSpec, Status, Style, Target, Transition

REMEDIATION_METHODS = (
    Choice("ban", "取缔", "ban / remove"),
    Choice("merge", "合并", "merge"),
    Choice("standardise", "规范", "bring to standard"),
    Choice("keep", "保留", "keep with monitoring"),
)

SPEC = LayerSpec(
    key="outfalls",
    zh="入海排污口",
    en="Sewage outfalls into the sea",
    geometry="point",
    code_prefix="PWK",
    plan_clause="福清市方案 三(八) 城镇绿色节能改造及污水处理工程",
    default_deadline=date(2025, 12, 31),
    fields=(
        Field(
            "bay",
            "所在海湾",
            "Bay",
            "choice",
            required=True,
            choices=(
                Choice("fuqing_bay", "福清湾", "Fuqing Bay"),
                Choice("xinghua_bay", "兴化湾", "Xinghua Bay"),
            ),
        ),
        Field(
            "outfall_type",
            "排污口类型",
            "Outfall type",
            "choice",
            required=True,
            choices=(
                Choice("industrial", "工业排污口", "industrial"),
                Choice("municipal_wwtp", "城镇污水处理厂排污口", "municipal sewage plant"),
                Choice("agricultural", "农业排口", "agricultural (incl. aquaculture)"),
                Choice("stormwater", "城镇雨洪排口", "urban stormwater"),
                Choice("port", "港口码头排口", "port and wharf"),
                Choice("other", "其他", "other"),
            ),
        ),
        Field("remediation_method", "整治方式", "Remediation method", "choice", choices=REMEDIATION_METHODS),
        Field("black_odour_seen", "排口可见黑臭水体", "Black-odorous water seen at outfall", "bool"),
    ),
    statuses=(
        Status("surveyed", "已排查", "surveyed", "#d73027", 1),
        Status("monitored", "已监测", "monitored", "#8c510a", 2),
        Status("traced", "已溯源", "source traced", "#f39c12", 3),
        Status("remediating", "整治中", "remediating", "#ffe066", 4),
        Status("remediated", "已整治", "remediated", "#80cdc1", 5, done=True),
        Status("closed", "已销号", "case closed", "#00695c", 6, done=True, terminal=True),
    ),
    transitions=(
        Transition("surveyed", "monitored"),
        Transition("monitored", "traced"),
        Transition("traced", "remediating", requires=("remediation_method",)),
        Transition("remediating", "remediated"),
        Transition("remediated", "closed"),
        # A check after remediation finds the outfall still non-compliant.
        Transition("remediated", "remediating"),
    ),
    initial_status="surveyed",
    targets=(
        Target(
            code="remediated_share",
            zh="入海排污口整治完成率",
            en="Outfalls remediated",
            clause="福清市方案 三(八)：2025年底前完成福清湾、兴化湾入海排污口分类整治",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            done_statuses=("remediated", "closed"),
        ),
    ),
    lead_departments=("福清生态环境局", "市住建局", "市海洋与渔业局", "各镇（街）"),
    style=Style(radius=7, weight=2, fill_opacity=0.9, z_order=3),
    description_zh="入海排污口查、测、溯、治",
    description_en="Survey, monitor, trace and remediate outfalls into the sea",
)
