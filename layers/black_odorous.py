"""Black-odorous water bodies (黑臭水体), urban built-up and rural.

Fuqing plan §三(八): basically eliminate black-odorous water in the built-up
area by 2025; §三(五): larger rural black-odorous water bodies too.
"""

from datetime import date

from layers.spec import Choice, Field, LayerSpec, Status, Style, Target, Transition

SPEC = LayerSpec(
    key="black_odorous",
    zh="黑臭水体",
    en="Black-odorous water bodies",
    geometry="line_or_polygon",
    code_prefix="HC",
    plan_clause="福清市方案 三(八)、三(五)",
    default_deadline=date(2025, 12, 31),
    fields=(
        Field(
            "water_kind",
            "水体类别",
            "Kind of water body",
            "choice",
            required=True,
            choices=(
                Choice("urban", "城市建成区", "urban built-up area"),
                Choice("rural", "农村", "rural"),
            ),
        ),
        Field(
            "grade",
            "黑臭程度",
            "Grade",
            "choice",
            choices=(
                Choice("light", "轻度黑臭", "light"),
                Choice("heavy", "重度黑臭", "heavy"),
                Choice("none", "不黑臭", "not black-odorous"),
            ),
        ),
        Field("length_km", "长度", "Length", "float", unit="km"),
        Field("satisfaction_pct", "公众满意度", "Public satisfaction", "float", unit="%"),
    ),
    statuses=(
        Status("untreated", "未整治", "not remediated", "#67001f", 1),
        Status("remediating", "整治中", "remediating", "#d95f0e", 2),
        Status("initial_effect", "初见成效", "black odour gone", "#a6d96a", 3, done=True),
        Status("long_term_clean", "长治久清", "long-term clean", "#0570b0", 4, done=True, terminal=True),
    ),
    transitions=(
        Transition("untreated", "remediating"),
        Transition("remediating", "initial_effect"),
        Transition("initial_effect", "long_term_clean"),
        # Black odour comes back (返黑返臭): back to remediation.
        Transition("initial_effect", "remediating"),
    ),
    initial_status="untreated",
    targets=(
        Target(
            code="urban_eliminated_share",
            zh="建成区黑臭水体消除比例",
            en="Built-up-area bodies at 初见成效 or better",
            clause="福清市方案 三(八)：到2025年基本消除建成区黑臭水体",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            done_statuses=("initial_effect", "long_term_clean"),
            population=lambda a: a.get("water_kind") == "urban",
            population_zh="城市建成区水体",
            population_en="urban built-up bodies",
        ),
        Target(
            code="rural_eliminated_share",
            zh="农村黑臭水体消除比例",
            en="Rural bodies at 初见成效 or better",
            clause="福清市方案 三(五)：基本消除较大面积农村黑臭水体",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            done_statuses=("initial_effect", "long_term_clean"),
            population=lambda a: a.get("water_kind") == "rural",
            population_zh="农村水体",
            population_en="rural bodies",
        ),
    ),
    lead_departments=("市住建局", "福清生态环境局", "市水利局", "市农业农村局", "各镇（街）"),
    style=Style(weight=4, fill_opacity=0.35, z_order=2),
    description_zh="城市建成区与农村黑臭水体整治",
    description_en="Remediation of urban and rural black-odorous water",
)
