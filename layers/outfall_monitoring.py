"""Monitoring results of outfalls (排污口监测): one row per sample — an outfall, a sampling day and time.

The 一口一档 keeps the dated results of every monitored outfall as rows, not as
a note: the four water-quality indicators the outfall ledgers carry (COD,
氨氮, 总氮, 总磷), the flow, whether the sample met the standard that applies
to that outfall (达标) and which indicators exceeded it, the standard, the
laboratory and its report number.

Decided (as a county bureau would): the app does not judge 达标 itself. The
standard that applies depends on the outfall — the discharge permit, GB
8978-1996, GB 18918-2002, a sector or local standard — and is named on the
laboratory's report; the row records the laboratory's judgement and the
standard it used. Outfalls that are not yet classified or permitted have no
single limit the app could apply, so no limit line is drawn on the charts.
The rules that read the rows are :mod:`geo.domain.outfall_monitoring`.
"""

from layers.observation import ObservationSpec, ObsField

SPEC = ObservationSpec(
    key="outfall_monitoring",
    zh="排污口监测",
    en="Outfall monitoring",
    site_kind="outfalls",
    cli_name="outfall-monitoring",
    rules="outfalls",
    identity=(),  # one sample per outfall, day and time
    period="day",
    has_time=True,
    site_noun_zh="排污口",
    site_id_aliases=("排污口编号", "排口编号", "outfall_id"),
    site_name_aliases=("排污口名称", "排口名称", "排污口", "排口", "outfall", "outfall_name"),
    date_aliases=("采样日期", "监测日期", "检测日期", "取样日期", "sampling_date", "sampled_on"),
    time_aliases=("采样时间", "监测时间", "取样时间", "sampling_time"),
    fields=(
        ObsField("cod_mg_l", "化学需氧量", "COD", "float", unit="mg/L", minimum=0, chart=True,
                 aliases=("cod", "codcr", "cod(mg/l)", "化学需氧量(cod)", "化学需氧量(mg/l)", "codcr(mg/l)")),
        ObsField("nh3n_mg_l", "氨氮", "Ammonia nitrogen", "float", unit="mg/L", minimum=0, chart=True,
                 aliases=("氨氮(mg/l)", "nh3-n", "nh3n", "氨氮(nh3-n)", "ammonia", "ammonia_nitrogen")),
        ObsField("tn_mg_l", "总氮", "Total nitrogen", "float", unit="mg/L", minimum=0, chart=True,
                 aliases=("总氮(mg/l)", "tn", "总氮(以n计)", "total_nitrogen")),
        ObsField("tp_mg_l", "总磷", "Total phosphorus", "float", unit="mg/L", minimum=0, chart=True,
                 aliases=("总磷(mg/l)", "tp", "总磷(以p计)", "total_phosphorus")),
        ObsField("flow_m3_d", "流量", "Flow", "float", unit="m³/d", minimum=0, chart=True,
                 aliases=("流量(m3/d)", "流量(m³/d)", "流量（m3/d）", "日流量", "排放量", "flow", "flow_m3d")),
        ObsField("compliant", "是否达标", "Meets the standard", "bool",
                 aliases=("达标", "达标情况", "达标与否", "是否达标排放", "compliant", "meets_standard"),
                 yes_words=("达标", "合格", "达标排放"), no_words=("不达标", "超标", "不合格", "超标排放")),
        ObsField("exceeded", "超标因子", "Indicators over the limit", "text",
                 aliases=("超标项目", "超标指标", "超标因子及倍数", "exceeded_items")),
        ObsField("standard", "执行标准", "Standard applied", "text",
                 aliases=("评价标准", "排放标准", "执行排放标准", "standard_applied")),
        ObsField("lab", "检测单位", "Laboratory", "text",
                 aliases=("检测机构", "监测单位", "监测机构", "实验室", "化验单位", "laboratory")),
        ObsField("report_no", "报告编号", "Report number", "text",
                 aliases=("检测报告编号", "监测报告编号", "报告号", "report", "report_number")),
        ObsField("remarks", "备注", "Remarks", "text", aliases=("说明", "notes", "note")),
    ),
    description_zh="化学需氧量、氨氮、总氮、总磷、流量及是否达标（按该排口适用的排放标准，由检测单位判定）",
    description_en="COD, NH3-N, TN, TP, flow and whether the sample met the outfall's standard (the laboratory's "
                   "judgement)",
)
