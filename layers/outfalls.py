"""Sewage outfalls into rivers, lakes and the sea (入河入海排污口), one file per outfall (一口一档).

Sources, and the clause each part comes from:

* Fuqing plan §三(八) 重点领域污染物减排工程: 全面开展入河（湖）入海排污口整治，2025年底前，
  完成龙江重点流域干流、主要支流及重点湖泊，福清湾、兴化湾等重点海湾的排污口整治; 全面推进全市
  入海排污口分类整治及规范化设置，取缔非法入海排污口 …，2025年底前，基本完成入海排污口整治，
  入海排污口无黑臭水体现象. Departments: the clause's own list.
* 国办函〔2022〕17号 (关于加强入河入海排污口监督管理工作的实施意见), part 二 排查溯源 and
  part 三 分类整治: the work runs 查、测、溯、治 (排查, 监测, 溯源, 整治) and then 管; four types
  of outfall; remediation 依法取缔一批、清理合并一批、规范整治一批; the discharging unit is
  responsible (谁污染、谁治理), the government where none can be identified (政府兜底).
* HJ 1312-2023 (排污口分类), table 1: first level 工业排污口, 城镇污水处理厂排污口, 农业排口,
  其他排口 and the second levels below (:data:`SUBTYPES`). Rows 1-14 of the table were read
  from a quotation of it; the rest of 其他排口 (规模以下水产养殖排污口, 城镇生活污水散排口,
  农村污水处理设施排污口, 农村生活污水散排口, 城镇雨洪排口, 其他) from the 17号 list, the
  监督管理办法 第四条 and a published listing of the table — not from the standard's own text.
  The third level (e.g. 工业企业排污口, 矿山排污口 under 工矿企业排污口) is not kept; imports
  read it as its second level.
* HJ 1310-2023 (名词术语): an 入河排污口 discharges into 江河、湖泊、运河、渠道、水库; an
  入海排污口 lies seaward of the legal coastline. Both are in this one layer
  (:data:`DISCHARGE_INTO`).
* HJ 1232-2021 (入河（海）排污口三级排查技术指南): the survey that finds the points; a surveyed
  point can turn out not to be an outfall, a duplicate of another, or gone.
* HJ 1309-2023 (入河排污口规范化建设): 监测采样点, 检查井, 标识牌 — the three 规范化 items.
* 入海排污口监督管理办法（试行）(环海洋〔2024〕72号) 第三条: the unit discharging through the
  outfall is its 责任主体; several units sharing one outfall name a main one; only where none
  can be identified is the county-level government (or the body it designates) responsible.
  备案 numbers and the 排污许可证 are part of the file.

Choices this layer makes where the rules leave one (as a county bureau would):

* 入河 covers rivers, lakes and reservoirs; the receiving water must fit the side it is on
  (a 福清湾 outfall is 入海, a 龙江 one 入河); 其他水体 fits both.
* The plan's 重点 waters are 龙江干流, 龙江支流, 湖库, 福清湾 and 兴化湾 (the plan's "等" leaves
  others open; 海坛海峡 counts under the all-入海 target instead).
* An illegal outfall may go from 排查 (or 监测) straight to 整治 only to be removed (依法取缔);
  any other remediation needs the source traced first.
* 规范整治 is complete only once the sign (标志牌) and the sampling point (采样点) are in place,
  each with a photo; the inspection well (检查井) is recorded where one is built.
* 销号 needs the record: date, approving body, document number and the scanned document
  attached as a photo; never while black odour is recorded at the outfall (plan: 入海排污口无黑臭水体).
* A surveyed point closed as 非排污口 / 重复 / 已消失 needs the reason, a note and a photo; it
  is counted apart (never in a target, never as remediated, never overdue).
* 保留 is not a national class: an outfall kept in place is 规范整治.
"""

from datetime import date
from typing import Mapping

from layers.spec import Choice, Field, LayerSpec, Rule, Status, Style, Target, Transition

#: 入河 or 入海 (HJ 1310-2023).
DISCHARGE_INTO = (
    Choice("river", "入河排污口", "into a river, lake or reservoir"),
    Choice("sea", "入海排污口", "into the sea"),
)

#: 受纳水体: the waters the plan names, then the rest (parent: the side they are on).
RECEIVING_WATERS = (
    Choice("fuqing_bay", "福清湾", "Fuqing Bay", parent="sea"),
    Choice("xinghua_bay", "兴化湾", "Xinghua Bay", parent="sea"),
    Choice("haitan_strait", "海坛海峡", "Haitan Strait", parent="sea"),
    Choice("other_sea", "其他海域", "other sea area", parent="sea"),
    Choice("longjiang_main", "龙江干流", "Longjiang main stream", parent="river"),
    Choice("longjiang_tributary", "龙江支流", "Longjiang tributary", parent="river"),
    Choice("lake", "湖库", "lake or reservoir", parent="river"),
    Choice("other_river", "其他河流", "other river", parent="river"),
    Choice("other", "其他水体", "other water"),
)
#: The plan's 重点 waters (§三(八)): 龙江 main stream, tributaries and lakes; 福清湾, 兴化湾.
KEY_WATERS = ("longjiang_main", "longjiang_tributary", "lake", "fuqing_bay", "xinghua_bay")

#: HJ 1312-2023 first level.
TYPES = (
    Choice("industrial", "工业排污口", "industrial outfall"),
    Choice("municipal_wwtp", "城镇污水处理厂排污口", "municipal sewage plant outfall"),
    Choice("agricultural", "农业排口", "agricultural outfall"),
    Choice("other", "其他排口", "other outfall"),
)

#: HJ 1312-2023 second level, under its first level.
SUBTYPES = (
    Choice("enterprise", "工矿企业排污口", "industrial or mining enterprise outfall", parent="industrial"),
    Choice("enterprise_storm", "工矿企业雨洪排口", "industrial or mining enterprise stormwater outlet",
           parent="industrial"),
    Choice("park_wwtp", "工业及其他各类园区污水处理厂排污口", "industrial or other park sewage plant outfall",
           parent="industrial"),
    Choice("park_wwtp_storm", "工业及其他各类园区污水处理厂雨洪排口", "industrial or other park stormwater outlet",
           parent="industrial"),
    Choice("municipal_wwtp", "城镇污水处理厂排污口", "municipal sewage plant outfall", parent="municipal_wwtp"),
    Choice("livestock", "规模化畜禽养殖排污口", "large-scale livestock farm outfall", parent="agricultural"),
    Choice("aquaculture", "规模化水产养殖排污口", "large-scale aquaculture outfall", parent="agricultural"),
    Choice("irrigation", "大中型灌区排口", "large or medium irrigation district outlet", parent="other"),
    Choice("port", "港口码头排口", "port and wharf outlet", parent="other"),
    Choice("small_livestock", "规模以下畜禽养殖排污口", "small livestock farm outfall", parent="other"),
    Choice("small_aquaculture", "规模以下水产养殖排污口", "small aquaculture outfall", parent="other"),
    Choice("urban_scattered", "城镇生活污水散排口", "scattered urban domestic sewage outlet", parent="other"),
    Choice("rural_wwtp", "农村污水处理设施排污口", "rural sewage facility outfall", parent="other"),
    Choice("rural_scattered", "农村生活污水散排口", "scattered rural domestic sewage outlet", parent="other"),
    Choice("urban_storm", "城镇雨洪排口", "urban stormwater outlet", parent="other"),
    Choice("other_misc", "其他排口（沟渠、河港等）", "other (ditches, creeks …)", parent="other"),
)

#: The three national remediation classes (国办函〔2022〕17号 三).
REMEDIATION_METHODS = (
    Choice("ban", "依法取缔", "remove by law"),
    Choice("merge", "清理合并", "clear up and merge"),
    Choice("standardise", "规范整治", "bring to standard"),
)

DISMISSAL_REASONS = (
    Choice("not_outfall", "非排污口", "not an outfall"),
    Choice("duplicate", "重复", "duplicate of another outfall"),
    Choice("gone", "已消失", "no longer exists"),
)

#: The 规范化 items (HJ 1309-2023) and the photo field of each.
STANDARD_ITEMS = (("sign_board", "sign_board_photo"), ("sampling_point", "sampling_point_photo"),
                  ("inspection_well", "inspection_well_photo"))
#: The items a 规范整治 must have before it counts as complete (this layer's choice, see above).
STANDARD_REQUIRED = ("sign_board", "sampling_point")
#: Statuses at or after the start of remediation.
REMEDIATION_ON = ("remediating", "remediated", "closed")
#: The 销号 record.
CLOSURE_FIELDS = ("closure_date", "closure_body", "closure_doc_no")


def _set(attrs: Mapping[str, object], name: str) -> bool:
    value = attrs.get(name)
    return value is not None and value != "" and value is not False


def _standard_items_done(attrs: Mapping[str, object]) -> bool:
    return all(_set(attrs, item) and _set(attrs, photo) for item, photo in STANDARD_ITEMS if item in STANDARD_REQUIRED)


CLOSED_WITH_BLACK_ODOUR = Rule(
    "outfall.closed_with_black_odour",
    lambda status, a: not (status == "closed" and a.get("black_odour_seen")),
    zh="排口处仍记录有黑臭水体，不能销号（方案要求入海排污口无黑臭水体现象）。",
    en="Black-odorous water is recorded at the outfall: it cannot be closed (the plan wants no black odour at outfalls).",
    fix_zh="先消除排口黑臭并将“排口可见黑臭水体”改为“否”，再办理销号。",
    fix_en="Remove the black odour and set 'black-odorous water seen' to no before closing the case.",
    fields=("black_odour_seen",),
)
SKIP_NEEDS_BAN = Rule(
    "outfall.skip_needs_ban",
    lambda status, a: a.get("remediation_method") == "ban",
    zh="未完成溯源就进入整治，只适用于依法取缔的非法排污口。",
    en="Remediation before the source is traced is only for an illegal outfall removed by law (依法取缔).",
    fix_zh="整治方式选“依法取缔”；清理合并或规范整治须先完成监测和溯源。",
    fix_en="Choose 依法取缔, or monitor and trace the source first for 清理合并 / 规范整治.",
    fields=("remediation_method",),
)
STANDARDISE_INCOMPLETE = Rule(
    "outfall.standardise_incomplete",
    lambda status, a: a.get("remediation_method") != "standardise" or _standard_items_done(a),
    zh="规范整治尚未完成：标志牌和采样点须已设置，且各附一张照片。",
    en="规范整治 is not complete: the sign and the sampling point must be in place, each with a photo.",
    fix_zh="在本次状态变更的表单（或“一口一档”）中勾选“标志牌”和“采样点”，并上传“标志牌照片”和“采样点照片”，"
           "再标记整治完成。",
    fix_en="In this status change's form (or the outfall's file) tick 'Sign board' and 'Sampling point' and add the "
           "'Sign board photo' and 'Sampling point photo', then mark it complete.",
    fields=("sign_board", "sampling_point"),
)

RULES = (
    CLOSED_WITH_BLACK_ODOUR,
    Rule("outfall.method_missing",
         lambda status, a: status not in REMEDIATION_ON or _set(a, "remediation_method"),
         zh="已进入整治，但未填写整治方式（依法取缔/清理合并/规范整治）。",
         en="Remediation has started but the remediation class (依法取缔 / 清理合并 / 规范整治) is not recorded.",
         fix_zh="填写“整治方式”。", fix_en="Fill in the remediation method.",
         fields=("remediation_method",), severity="warning"),
    Rule("outfall.closure_record_missing",
         lambda status, a: status != "closed" or all(_set(a, f) for f in CLOSURE_FIELDS),
         zh="已销号，但销号记录不全（销号日期、审批单位、文号）。",
         en="The case is closed but the closure record (date, approving body, document number) is incomplete.",
         fix_zh="补全销号日期、销号审批单位和销号文号。", fix_en="Fill in the closure date, approving body and document number.",
         fields=CLOSURE_FIELDS, severity="warning"),
    Rule("outfall.dismissal_reason_missing",
         lambda status, a: status != "dismissed" or (_set(a, "dismissal_reason") and _set(a, "dismissal_note")),
         zh="已排查核销，但未写明核销原因（非排污口/重复/已消失）和依据。",
         en="Closed at survey, but the reason (not an outfall / duplicate / gone) and its grounds are not recorded.",
         fix_zh="填写“核销原因”和“核销依据”。", fix_en="Fill in the reason and the grounds.",
         fields=("dismissal_reason", "dismissal_note"), severity="warning"),
    Rule("outfall.government_but_units_found",
         lambda status, a: a.get("responsible_basis") != "government" or not _set(a, "source_units"),
         zh="溯源已查明排污单位，责任主体却记为属地政府兜底。",
         en="The trace found discharging units, yet the government is recorded as the responsible party.",
         fix_zh="责任主体应为排污单位（多家共用时为主要责任主体）；仅无法确定时由政府兜底。",
         fix_en="The discharging unit (the main one, if shared) is responsible; the government only when none is known.",
         fields=("responsible_basis", "source_units"), severity="warning"),
    Rule("outfall.standard_items_missing",
         lambda status, a: status not in ("remediated", "closed") or STANDARDISE_INCOMPLETE.holds(status, a),
         zh=STANDARDISE_INCOMPLETE.zh, en=STANDARDISE_INCOMPLETE.en,
         fix_zh=STANDARDISE_INCOMPLETE.fix_zh, fix_en=STANDARDISE_INCOMPLETE.fix_en,
         fields=("sign_board", "sampling_point"), severity="warning"),
)

_REMEDIATE = dict(requires=("remediation_method",), offers=("remediation_plan", "milestones"))
_DISMISS = dict(requires=("dismissal_reason", "dismissal_note"), requires_photo=True)

SPEC = LayerSpec(
    key="outfalls",
    zh="入河入海排污口",
    en="Sewage outfalls into rivers and the sea",
    aliases=("入海排污口", "入河排污口", "排污口", "入河（湖）入海排污口", "outfall", "sewage outfalls"),
    geometry="point",
    code_prefix="PWK",
    plan_clause="福清市方案 三(八) 重点领域污染物减排工程",
    default_deadline=date(2025, 12, 31),
    fields=(
        Field("discharge_into", "入河/入海", "Into river or sea", "choice", required=True, choices=DISCHARGE_INTO),
        Field("receiving_water", "受纳水体", "Receiving water", "choice", required=True, choices=RECEIVING_WATERS,
              depends_on="discharge_into"),
        Field("water_body_name", "受纳水体名称", "Name of the receiving water"),
        Field("outfall_type", "排污口类型", "Outfall type", "choice", required=True, choices=TYPES),
        Field("outfall_subtype", "排污口二级类型", "Outfall type (second level)", "choice", choices=SUBTYPES,
              depends_on="outfall_type"),
        Field("outfall_code", "排污口编码", "Outfall code (national)"),
        Field("discharge_mode", "排放方式", "Discharge pattern", "choice", choices=(
            Choice("continuous", "连续排放", "continuous"),
            Choice("intermittent", "间歇排放", "intermittent"),
            Choice("rain", "降雨时排放", "when it rains"),
            Choice("none", "未见排水", "no flow seen"),
        )),
        Field("responsible_basis", "责任主体认定", "Who is responsible", "choice", choices=(
            Choice("discharger", "排污单位", "the discharging unit"),
            Choice("shared_main", "共用排口的主要责任主体", "main unit of a shared outfall"),
            Choice("government", "属地政府兜底（无法确定排污单位）", "local government (no unit identified)"),
        )),
        Field("permit_no", "排污许可证编号", "Discharge permit number"),
        Field("filing_no", "备案/审批编号", "Filing or approval number"),
        Field("source_units", "溯源排污单位", "Sources found by tracing", multiline=True),
        Field("remediation_method", "整治方式", "Remediation method", "choice", choices=REMEDIATION_METHODS),
        Field("remediation_plan", "整治方案", "Remediation plan", multiline=True),
        Field("milestones", "整治节点", "Remediation milestones (one a line: date, then what)", multiline=True),
        Field("sign_board", "标志牌", "Sign board", "bool"),
        Field("sign_board_photo", "标志牌照片", "Sign board photo", photo=True),
        Field("sampling_point", "采样点", "Sampling point", "bool"),
        Field("sampling_point_photo", "采样点照片", "Sampling point photo", photo=True),
        Field("inspection_well", "检查井", "Inspection well", "bool"),
        Field("inspection_well_photo", "检查井照片", "Inspection well photo", photo=True),
        Field("black_odour_seen", "排口可见黑臭水体", "Black-odorous water seen at outfall", "bool"),
        Field("closure_date", "销号日期", "Case closed on", "date"),
        Field("closure_body", "销号审批单位", "Closure approved by"),
        Field("closure_doc_no", "销号文号", "Closure document number"),
        Field("dismissal_reason", "核销原因", "Closed at survey because", "choice", choices=DISMISSAL_REASONS),
        Field("dismissal_note", "核销依据", "Grounds for closing at survey", multiline=True),
    ),
    statuses=(
        Status("surveyed", "已排查", "surveyed", "#d73027", 1),
        Status("monitored", "已监测", "monitored", "#8c510a", 2),
        Status("traced", "已溯源", "source traced", "#f39c12", 3),
        Status("remediating", "整治中", "remediating", "#ffe066", 4),
        Status("remediated", "整治完成", "remediation complete", "#80cdc1", 5, done=True),
        Status("closed", "已销号", "case closed", "#00695c", 6, done=True, terminal=True),
        Status("dismissed", "排查核销", "closed at survey (not an outfall, duplicate, gone)", "#6b6b6b", 7,
               terminal=True, excluded=True),
    ),
    transitions=(
        Transition("surveyed", "monitored", offers=("discharge_mode",)),
        Transition("surveyed", "remediating", guards=(SKIP_NEEDS_BAN,), **_REMEDIATE),
        Transition("surveyed", "dismissed", **_DISMISS),
        Transition("monitored", "traced", offers=("source_units", "responsible_basis", "permit_no")),
        Transition("monitored", "remediating", guards=(SKIP_NEEDS_BAN,), **_REMEDIATE),
        Transition("monitored", "dismissed", **_DISMISS),
        Transition("traced", "remediating", **_REMEDIATE),
        Transition("traced", "dismissed", **_DISMISS),
        Transition("remediating", "remediated", guards=(STANDARDISE_INCOMPLETE,),
                   offers=("sign_board", "sign_board_photo", "sampling_point", "sampling_point_photo",
                           "inspection_well", "inspection_well_photo")),
        Transition("remediated", "closed", requires=CLOSURE_FIELDS, requires_photo=True),
        # A check after remediation finds the outfall still non-compliant.
        Transition("remediated", "remediating"),
    ),
    initial_status="surveyed",
    targets=(
        Target(
            code="remediated_share",
            zh="重点水域排污口整治完成率",
            en="Outfalls on the plan's key waters remediated",
            clause="福清市方案 三(八)：2025年底前，完成龙江重点流域干流、主要支流及重点湖泊，福清湾、兴化湾等重点海湾的排污口整治",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            done_statuses=("remediated", "closed"),
            population=lambda a: a.get("receiving_water") in KEY_WATERS,
            population_zh="龙江干流、支流、湖库，福清湾、兴化湾的排污口",
            population_en="outfalls on the Longjiang, its tributaries and lakes, Fuqing Bay and Xinghua Bay",
        ),
        Target(
            code="sea_remediated_share",
            zh="入海排污口整治完成率",
            en="Outfalls into the sea remediated",
            clause="福清市方案 三(八)：全面推进全市入海排污口分类整治及规范化设置……2025年底前，基本完成入海排污口整治",
            threshold=1.0,
            deadline=date(2025, 12, 31),
            done_statuses=("remediated", "closed"),
            population=lambda a: a.get("discharge_into") == "sea",
            population_zh="全市入海排污口",
            population_en="every outfall into the sea",
        ),
    ),
    lead_departments=("市发改局", "市工信局", "市水利局", "市住建局", "市城管局", "市交通运输局",
                      "市农业农村局（含海渔局）", "福清生态环境局"),
    style=Style(radius=7, weight=2, fill_opacity=0.9, z_order=3),
    description_zh="入河入海排污口查、测、溯、治、销号，一口一档",
    description_en="Survey, monitor, trace, remediate and close outfalls into rivers and the sea; one file each",
    rules=RULES,
)
