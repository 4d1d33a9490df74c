"""Clean-fuel zones (高污染燃料禁燃区).

Fuqing plan §三(九): designate the built-up area and near suburbs as a
high-pollution-fuel prohibition zone; phase out coal boilers and loose coal
inside heat-network coverage. Fuel categories I–III (national catalogue 2017).
"""

from datetime import date

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
        Field("area_km2", "面积", "Area", "float", unit="km²"),
        Field("towns_covered", "覆盖镇街", "Towns covered", "text"),
        Field("coal_boilers_remaining", "区内剩余燃煤锅炉", "Coal boilers remaining inside", "int", unit="台"),
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
        Status("enforced", "已实施", "enforced", "#1b9e77", 4, done=True, terminal=True),
    ),
    transitions=(
        Transition("proposed", "designated"),
        Transition("designated", "announced"),
        Transition("announced", "enforced"),
    ),
    initial_status="proposed",
    targets=(
        Target(
            code="enforced_share",
            zh="禁燃区划定并实施比例",
            en="Zones designated, announced and enforced",
            clause="福清市方案 三(九)：将城市建成区和近郊区划定为高污染燃料禁燃区",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            done_statuses=("enforced",),
        ),
    ),
    lead_departments=("福清生态环境局", "市发改局", "市工信局", "市市场监管局"),
    style=Style(weight=2, fill_opacity=0.15, dash_array="6 4", z_order=0),
    description_zh="高污染燃料禁燃区划定、公告与实施",
    description_en="Designation and enforcement of high-pollution-fuel prohibition zones",
)
