"""Black-odorous water bodies (黑臭水体), urban built-up and rural.

Fuqing plan §三(八): basically eliminate black-odorous water in the built-up
area by 2025; §三(五): larger rural black-odorous water bodies too.

The status follows measured evidence (the readings of
:mod:`layers.black_odorous_readings`): entering 初见成效, 长治久清 or 返黑返臭
passes a gate (:class:`layers.spec.Gate`) the store checks over the body's
readings inside the write transaction; a black-odorous result after 初见成效
opens 返黑返臭 by itself. The workflow never ends: a clean body stays under
watch, so no status is terminal.
"""

from datetime import date

from layers.spec import Choice, Field, Gate, LayerSpec, Status, Style, Target, Transition

URBAN_GUIDELINE = "《城市黑臭水体整治工作指南》（建城〔2015〕130号）"
RURAL_GUIDELINE = "《农村黑臭水体治理工作指南》（2019年试行，环办土壤函〔2019〕826号；2024年修订）"
NATIONAL_2022 = "《深入打好城市黑臭水体治理攻坚战实施方案》（建城〔2022〕29号）"


def in_rural_target(attrs) -> bool:
    """The plan's rural population: rural bodies of larger area or on the national supervision list.

    Fuqing plan §三(五) asks to 基本消除较大面积农村黑臭水体; the national
    supervision list (国家监管清单) holds the larger, worse, more sensitive
    bodies. Both are recorded as flags on the body (the app does not guess an
    area limit).
    """
    return attrs.get("water_kind") == "rural" and bool(attrs.get("larger_area") or attrs.get("national_list"))


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
            "Grade (as typed in the ledger; the measured grade comes from the readings)",
            "choice",
            choices=(
                Choice("light", "轻度黑臭", "light"),
                Choice("heavy", "重度黑臭", "heavy"),
                Choice("none", "不黑臭", "not black-odorous"),
            ),
        ),
        Field("length_km", "长度", "Length", "float", unit="km"),
        Field("satisfaction_pct", "公众满意度", "Public satisfaction", "float", unit="%"),
        Field("survey_date", "满意度调查日期", "Satisfaction survey date", "date"),
        Field("larger_area", "较大面积", "Larger area (rural)", "bool"),
        Field("national_list", "国家监管清单", "On the national supervision list", "bool"),
    ),
    statuses=(
        Status("untreated", "未整治", "not remediated", "#67001f", 1),
        Status("remediating", "整治中", "remediating", "#d95f0e", 2),
        Status("initial_effect", "初见成效", "black odour gone", "#a6d96a", 3, done=True),
        Status("long_term_clean", "长治久清", "long-term clean", "#0570b0", 4, done=True),
        Status("relapsed", "返黑返臭", "black odour back", "#b40101", 5),
    ),
    transitions=(
        Transition("untreated", "remediating"),
        Transition("remediating", "initial_effect"),
        Transition("initial_effect", "long_term_clean", requires=("satisfaction_pct", "survey_date")),
        # Black odour comes back (返黑返臭), after 初见成效 or after 长治久清 ...
        Transition("initial_effect", "relapsed"),
        Transition("long_term_clean", "relapsed"),
        # ... and its own path back: remediation again, or a clean campaign straight away.
        Transition("relapsed", "remediating"),
        Transition("relapsed", "initial_effect"),
    ),
    initial_status="untreated",
    gates=(
        Gate(
            status="initial_effect",
            check="black_odorous.clean_campaign",
            zh="整治（或返黑返臭）以后有一次已分级的监测，且没有任何点位黑臭",
            en="a graded sampling campaign after remediation (or relapse) began, with no black-odorous point",
            clause=f"{URBAN_GUIDELINE} 第二章 分级与检测要求；农村水体：{RURAL_GUIDELINE} 识别指标",
        ),
        Gate(
            status="long_term_clean",
            check="black_odorous.long_term",
            zh="初见成效以后的监测期内每次监测均不黑臭，且公众满意度调查达标",
            en="every campaign clean over the monitoring period after 初见成效, and a passing public-satisfaction survey",
            clause=f"{URBAN_GUIDELINE} 第五章 整治效果评估（公众评议、水质检测）",
        ),
        Gate(
            status="relapsed",
            check="black_odorous.relapse",
            zh="初见成效或长治久清以后有一次监测结果为黑臭（轻度或重度）",
            en="a campaign after 初见成效 / 长治久清 graded black-odorous (light or heavy)",
            clause=f"{URBAN_GUIDELINE} 第二章 分级；{NATIONAL_2022} 防止返黑返臭",
            automatic=True,
        ),
    ),
    targets=(
        Target(
            code="urban_eliminated_share",
            zh="建成区黑臭水体消除比例",
            en="Built-up-area bodies eliminated (初见成效 or better)",
            clause="福清市方案 三(八)：到2025年基本消除建成区黑臭水体",
            threshold=0.90,
            threshold_source=f"{NATIONAL_2022}：到2025年年底前，县级城市建成区黑臭水体消除比例达到90%（基本消除）",
            deadline=date(2025, 12, 31),
            done_statuses=("initial_effect", "long_term_clean"),
            population=lambda a: a.get("water_kind") == "urban",
            population_zh="城市建成区水体",
            population_en="urban built-up bodies",
        ),
        Target(
            code="rural_eliminated_share",
            zh="较大面积农村黑臭水体消除比例",
            en="Larger rural bodies eliminated (初见成效 or better)",
            clause="福清市方案 三(五)：基本消除较大面积农村黑臭水体",
            threshold=None,
            threshold_source="方案只写“基本消除”；未查到农村黑臭水体消除比例的全国数值，故只显示比例、不判达标",
            deadline=date(2025, 12, 31),
            done_statuses=("initial_effect", "long_term_clean"),
            population=in_rural_target,
            population_zh="农村水体中较大面积或列入国家监管清单者",
            population_en="rural bodies of larger area or on the national supervision list",
        ),
    ),
    lead_departments=("市住建局", "福清生态环境局", "市水利局", "市农业农村局", "各镇（街）"),
    style=Style(weight=4, fill_opacity=0.35, z_order=2),
    description_zh="城市建成区与农村黑臭水体整治",
    description_en="Remediation of urban and rural black-odorous water",
)
