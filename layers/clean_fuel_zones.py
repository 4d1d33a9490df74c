"""Clean-fuel zones (高污染燃料禁燃区).

Fuqing plan §三(九): "逐步扩大高污染燃料禁燃区范围，将我市的城市建成区及城市近郊划定为高污染燃料
禁燃区" (province plan §三(八): "将县级市的城市建成区及城市近郊划定为高污染燃料禁燃区"). The target
is therefore an area measure: the share of the official built-up area and near suburbs
(reference areas an administrator imports, ``layers.reference``) covered by zones in force,
in km² in an equal-area projection (``geo.domain.coverage``) — not a count of zone polygons.
Zones beyond that area are welcome ("逐步扩大") and reported apart. A zone can be withdrawn
(replaced or revoked); it then covers nothing. Coal boilers are a register of their own
(``layers.coal_boilers``); the zone a boiler stands in is found from its location.

Fuel categories: 《高污染燃料目录》(原环境保护部, 国环规大气〔2017〕2号) groups the fuels
banned in a zone by strictness into Ⅰ类（一般）, Ⅱ类（较严） and Ⅲ类（严格）; Ⅲ类 bans
all coal and coal products, petroleum coke, oil shale, crude, heavy and residual oil, coal
tar, and biomass pellets burnt outside dedicated boilers with efficient dust removal.
"""

from datetime import date

from layers.reference import BUILT_UP, NEAR_SUBURBS
from layers.spec import Choice, Field, LayerSpec, Status, Style, Target, Transition

SPEC = LayerSpec(
    key="clean_fuel_zones",
    zh="高污染燃料禁燃区",
    en="Clean-fuel zones",
    geometry="polygon",
    code_prefix="JRQ",
    plan_clause="福清市方案 三(九) 煤炭清洁高效利用工程",
    default_deadline=date(2025, 12, 31),
    fields=(
        Field(
            "fuel_category",
            "燃料类别",
            "Fuel category",
            "choice",
            required=True,
            choices=(
                Choice("I", "Ⅰ类（一般）", "I (general)"),
                Choice("II", "Ⅱ类（较严）", "II (stricter)"),
                Choice("III", "Ⅲ类（严格）", "III (strictest)"),
            ),
        ),
        Field("area_km2", "公告面积", "Announced area", "float", unit="km²"),
        Field("towns_covered", "覆盖镇街", "Towns covered", "text"),
        Field(
            "zone_scope",
            "划定范围",
            "Scope",
            "choice",
            choices=(
                Choice("built_up", "城市建成区", "built-up area"),
                Choice("near_suburb", "近郊区", "near suburbs"),
                Choice("other", "其他", "other"),
            ),
        ),
    ),
    statuses=(
        Status("proposed", "拟划定", "proposed", "#e7298a", 1),
        Status("designated", "已划定", "designated", "#c2a5cf", 2),
        Status("announced", "已公告", "announced", "#fdd49e", 3),
        Status("enforced", "已实施", "enforced", "#1b9e77", 4, done=True),
        Status("withdrawn", "已撤销", "withdrawn", "#998877", 5, terminal=True),
    ),
    transitions=(
        Transition("proposed", "designated"),
        Transition("designated", "announced"),
        Transition("announced", "enforced"),
        # A zone replaced by a new designation, merged into another, or revoked: it covers nothing any more.
        Transition("proposed", "withdrawn"),
        Transition("designated", "withdrawn"),
        Transition("announced", "withdrawn"),
        Transition("enforced", "withdrawn"),
    ),
    initial_status="proposed",
    targets=(
        Target(
            code="enforced_area_coverage",
            zh="城市建成区及城市近郊禁燃区覆盖率（面积）",
            en="Built-up area and near suburbs covered by zones in force (area)",
            clause="福清市方案 三(九)：逐步扩大高污染燃料禁燃区范围，将我市的城市建成区及城市近郊划定为高污染燃料"
                   "禁燃区；省方案 三(八)：将县级市的城市建成区及城市近郊划定为高污染燃料禁燃区",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            done_statuses=("enforced",),
            population_zh="城市建成区与城市近郊（官方范围，管理员导入）的面积",
            population_en="area of the built-up area and near suburbs (official boundaries, imported)",
            numerator_zh="其中被已实施的禁燃区覆盖的面积",
            numerator_en="the part of it covered by zones in force",
            measure="area",
            area_of=(BUILT_UP.key, NEAR_SUBURBS.key),
        ),
    ),
    lead_departments=("福清生态环境局", "市发改局", "市工信局", "市市场监管局"),
    style=Style(weight=2, fill_opacity=0.15, dash_array="6 4", z_order=0),
    description_zh="高污染燃料禁燃区划定、公告与实施",
    description_en="Designation and enforcement of high-pollution-fuel prohibition zones",
)
