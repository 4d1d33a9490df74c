"""UI text of monitoring data (readings, campaigns, evidence gates, overrides, milestones): Chinese, then English.

Kept apart from :mod:`ui.i18n` so the monitoring screens' strings live with them; :mod:`ui.i18n` merges them into
its one dictionary.
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # the site panel: readings over time
    "obs_panel": ("监测数据", "Monitoring data"),
    "obs_none": ("暂无监测数据。状态“初见成效”“长治久清”须以监测为证。",
                 "No monitoring data yet. 初见成效 and 长治久清 need readings as evidence."),
    "obs_chart_caption": ("各点位读数随时间变化；横线为分级限值（{rule}）。",
                          "Readings of every point over time; the lines are the grading limits ({rule})."),
    "obs_rule_urban": ("城市建成区规则：城市黑臭水体整治工作指南", "urban rule: the urban guideline"),
    "obs_rule_rural": ("农村规则：农村黑臭水体治理工作指南", "rural rule: the rural guideline"),
    "obs_campaigns": ("每次监测的分级", "Grade of each campaign"),
    "obs_campaign": ("监测（采样日期）", "Campaign (sampling days)"),
    "obs_grade": ("分级", "Grade"),
    "obs_rule": ("判定依据", "Why"),
    "obs_points_rounds": ("点位 × 轮次", "Points × rounds"),
    "obs_warnings": ("提示", "Warnings"),
    "obs_rows": ("全部读数（现行）", "All readings (current)"),
    "obs_date": ("日期", "Date"),
    "obs_time": ("时间", "Time"),
    "obs_recorded": ("录入", "Recorded"),
    "obs_shallow_note": ("水深不足 25 cm 时，透明度两限值均为水深的 40%（图中横线为水深 ≥ 25 cm 时的限值）。",
                         "Under 25 cm of water both transparency limits are 40 % of the depth (the lines show the "
                         "limits for water 25 cm deep or more)."),
    "obs_unverified": ("以下数值未能与原文核对，请以文件为准：{items}", "Not checked against the text; confirm: {items}"),
    "obs_sample": ("示例数据：监测读数为演示用，非实测。", "示例数据 — sample readings, not measured."),
    "obs_latest": ("最近一次监测：{label}，{grade}", "Latest campaign: {label}, {grade}"),
    # the field form: entering readings
    "rd_section": ("录入水质监测（每个采样点一行）", "Record water-quality readings (one row per point)"),
    "rd_help": ("透明度、水深单位 cm；溶解氧、氨氮 mg/L；氧化还原电位 mV。保存后计入该水体的监测记录，"
                "状态变更时据此判断。", "Transparency and depth in cm; DO and NH3-N in mg/L; ORP in mV. Saved readings "
                "join the body's record; status changes are judged on them."),
    "rd_date": ("采样日期", "Sampling date"),
    "rd_month": ("月份（任选该月一天）", "Month (any day of it)"),
    "rd_section_generic": ("录入{table}", "Record {table}"),
    "rd_time": ("采样时间", "Sampling time"),
    "rd_save": ("保存监测数据", "Save readings"),
    "rd_saved": ("已保存 {n} 条监测数据。", "{n} readings saved."),
    "rd_status_changed": ("监测结果使状态变更为“{status}”。", "The readings moved the status to {status}."),
    "rd_preview": ("保存后本次监测（{label}）的分级：**{grade}**（{rule}）",
                   "Once saved, this campaign ({label}) grades **{grade}** ({rule})"),
    "rd_empty": ("请至少填写一个点位的一项读数。", "Fill in at least one reading of one point."),
    "rd_remarks": ("备注", "Remarks"),
    # evidence gates and overrides in the status forms
    "gate_needs": ("变更为“{status}”需要：{need}", "Entering {status} needs: {need}"),
    "gate_ok": ("证据满足：{facts}", "Evidence present: {facts}"),
    "gate_missing": ("缺少证据：{missing}", "Evidence missing: {missing}"),
    "override_box": ("越过证据要求（仅管理员，须写明理由，将记录并在审阅中显示）",
                     "Override the evidence requirement (administrators; a reason is required, recorded and shown "
                     "in review)"),
    "override_reason": ("越过理由", "Reason for the override"),
    "h_override": ("越过证据", "Override"),
    # the monitoring import page
    "page_readings_import": ("监测数据导入", "Import monitoring data"),
    "obs_import_title": ("导入监测数据（xlsx 或 CSV）", "Import monitoring data (xlsx or CSV)"),
    "obs_import_help": ("每行一个点位、一个日期（一轮）；水体可填编号或名称。有任何错误时不写入；已有的相同数据不重复写入；"
                        "导入可在“导入台账”页撤销。", "One row per point and date (round); a body by its id or its "
                        "name. Nothing is written while a row has an error; rows already stored are not written "
                        "again; an import can be undone on the Import page."),
    "obs_import_table": ("监测数据表", "Monitoring table"),
    "obs_import_site": ("水体编号或名称", "site id or name"),
    "obs_import_columns": ("可识别的列：{cols}", "Columns recognised: {cols}"),
    "obs_import_counts": ("读取 {rows} 行：新增 **{new}**，已在库中 {same}，有错误的行 **{errors}**，涉及 {sites} 个点位。",
                          "{rows} rows read: **{new}** new, {same} already stored, **{errors}** rows with errors, "
                          "{sites} sites."),
    "obs_import_row": ("行", "Row"),
    "obs_import_column": ("列", "Column"),
    "obs_import_level": ("级别", "Level"),
    "obs_import_error": ("错误", "error"),
    "obs_import_warning": ("提示", "warning"),
    "obs_import_message": ("问题", "Problem"),
    "obs_import_fix": ("修改方法", "Fix"),
    "obs_import_blocked": ("文件有错误，未写入任何数据；请修正后重新上传。", "The file has errors; nothing was written. "
                           "Fix them and upload again."),
    "obs_import_nothing": ("文件中的数据均已在库中，无需写入。", "Every row is already stored; nothing to write."),
    "obs_import_write": ("写入 {n} 条监测数据", "Write {n} rows"),
    "obs_import_done": ("已导入 {n} 条，批次 {batch}。", "{n} rows imported, batch {batch}."),
    "obs_import_changes": ("监测结果使状态变更：{changes}", "Statuses the readings changed: {changes}"),
    # dashboard
    "dash_goal_none": ("目标：基本消除（未查到全国数值）", "goal: 基本消除 (no national figure found)"),
    "dash_milestones": ("逐年进度（每年年底，按历史回溯）", "Year by year (end of each year, rebuilt from the history)"),
    "dash_year": ("年份", "Year"),
    "dash_measured": ("黑臭水体：监测结果", "Black-odorous bodies: what the readings say"),
    "dash_measured_help": ("每个水体最近一次监测的分级；状态与监测不符的水体列在下面。",
                           "The grade of each body's latest campaign; bodies whose status and readings disagree are "
                           "listed below."),
    "dash_no_readings": ("无监测数据", "no readings"),
    "dash_mismatch_done_but_black": ("计为已消除，但最近一次监测黑臭", "counted as eliminated, latest campaign black"),
    "dash_mismatch_clean_not_yet_recorded": ("最近一次监测不黑臭，状态尚未更新", "latest campaign clean, status not yet"),
    "dash_overrides": ("越过证据要求的状态变更", "Status changes made past the evidence gate"),
    "dash_no_overrides": ("没有越过证据要求的变更。", "No change was made past an evidence gate."),
    "dash_threshold_source": ("目标依据", "Where the figure comes from"),
    # dashboard: shore-power use (monthly rows per berth)
    "dash_usage": ("岸电使用率（按月）", "Shore-power use (monthly)"),
    "dash_usage_none": ("暂无岸电使用月报。可在“监测数据导入”中导入，或用 python cli.py shore-power-usage import。",
                        "No monthly shore-power use yet. Import it on the monitoring import page, or with "
                        "python cli.py shore-power-usage import."),
    "dash_usage_line": ("{m0} 至 {m1}：使用岸电 {c} / 靠泊 {n} 艘次，使用率 **{p}**；接电 {h} h，用电 {k} kWh。",
                        "{m0} to {m1}: {c} of {n} ship calls on shore power, usage **{p}**; {h} h, {k} kWh."),
    "dash_usage_help": ("使用率 = 使用岸电艘次 ÷ 靠泊艘次（合计后相除；无靠泊的月份记为 —）。",
                        "Usage = calls on shore power / ship calls (summed, then divided; a month with no call is —)."),
    "dash_usage_calls": ("使用/靠泊艘次", "Calls on shore power / calls"),
    "dash_total": ("合计", "Total"),
    "obs_sample_usage": ("示例数据：岸电使用月报为演示用，非实报。", "示例数据 — sample monthly use, not reported figures."),
    # the site panel: kinds other than black-odorous water
    "obs_none_generic": ("暂无监测数据。", "No monitoring data yet."),
    "obs_sample_generic": ("示例数据：监测数据为演示用，非实测。", "示例数据 — sample monitoring data, not measured."),
    "obs_assessed": ("逐次结果", "Result of each row"),
    "obs_period": ("日期/月份", "Date / month"),
    "obs_result": ("结果", "Result"),
}
