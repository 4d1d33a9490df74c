"""UI text in Chinese (first) and English. Kind, field and status labels live in the layer specs."""

from __future__ import annotations

import streamlit as st

LANGS = {"zh": "中文", "en": "English"}

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("福清生态环境一张图", "Fuqing Eco One Map"),
    "app_subtitle": ("节能减排重点点位及完成情况", "Energy-saving and emission-reduction sites and their status"),
    "language": ("语言 / Language", "Language / 语言"),
    "page_map": ("一张图", "One map"),
    "page_about": ("数据说明", "About the data"),
    "sample_banner": (
        "**示例数据**：地图上的点位仅供演示，并非官方数据，不得作为统计或上报依据；导入局台账后替换。",
        "**示例数据 — sample data**: the sites shown are illustrative, not official; do not report them. "
        "Importing the bureau's ledgers replaces them.",
    ),
    "summary_line": (
        "显示 **{n}** 个点位 · 已完成 **{done}** · :red[逾期 **{overdue}**]",
        "**{n}** sites shown · **{done}** done · :red[**{overdue}** overdue]",
    ),
    "sample_badge": ("示例数据", "示例数据 · sample data"),
    "filters": ("筛选", "Filters"),
    "filter_kinds": ("点位类型", "Site kinds"),
    "filter_towns": ("镇（街道）", "Towns / streets"),
    "filter_towns_all": ("全部镇街", "All towns"),
    "filter_status": ("状态", "Status"),
    "filter_status_all": ("全部状态", "All statuses"),
    "filter_status_help": ("不选则显示全部状态", "Leave empty for every status"),
    "filter_overdue": ("只看逾期", "Overdue only"),
    "legend": ("图例", "Legend"),
    "shown": ("显示点位", "Sites shown"),
    "done": ("已完成", "Done"),
    "overdue": ("逾期", "Overdue"),
    "detail": ("点位详情", "Site details"),
    "detail_hint": ("点击地图上的点位、线或面查看详情和历史。", "Click a site on the map to see its details and history."),
    "pick_site": ("或从列表选择点位", "Or pick a site from the list"),
    "none_selected": ("（未选择）", "(none)"),
    "site_id": ("编号", "Site ID"),
    "kind": ("类型", "Kind"),
    "town": ("所属镇街", "Town / street"),
    "status": ("当前状态", "Current status"),
    "step": ("流程", "Workflow"),
    "deadline": ("完成时限", "Deadline"),
    "overdue_yes": ("已逾期", "overdue"),
    "overdue_no": ("未逾期", "on time"),
    "responsible": ("责任单位", "Responsible body"),
    "updated": ("最近更新", "Last change"),
    "version": ("版本", "Version"),
    "attributes": ("属性", "Attributes"),
    "history": ("变更历史", "History"),
    "h_time": ("时间（北京时间）", "Time (CST)"),
    "h_actor": ("操作人", "By"),
    "h_change": ("变更", "Change"),
    "h_note": ("说明", "Note"),
    "h_source": ("来源", "Source"),
    "h_where": ("位置证据", "Where"),
    "h_fields": ("字段变更", "Fields changed"),
    "created": ("建档", "created"),
    "remote": ("远程（距点位 {d} 米）", "remote ({d} m from the site)"),
    "onsite": ("现场（距点位 {d} 米）", "on site ({d} m from the site)"),
    "no_fix": ("无定位", "no position"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "no_sites": ("没有符合筛选条件的点位。", "No site matches the filters."),
    "lead": ("牵头部门", "Lead departments"),
    "plan_clause": ("方案依据", "Plan clause"),
    "targets": ("目标", "Targets"),
    "counts_title": ("点位数量（类型 × 状态）", "Sites per kind and status"),
    "about_sources": ("底图数据来源与许可", "Base geography: sources and licences"),
    "about_store": ("数据存储", "Store"),
    "about_kinds": ("五类点位", "The five site kinds"),
    "store_path": ("数据库文件", "Store file"),
    "store_origin": ("数据来源", "Data origin"),
    "origin_sample": ("示例数据（非官方）", "sample data (not official)"),
    "origin_imported": ("导入的台账", "imported ledgers"),
    "origin_empty": ("空库", "empty"),
    "error_store": ("无法读取数据库：", "Cannot read the store: "),
    "map_caption": (
        "底图：福清市界、陆地与海岸线（离线）。点位颜色表示状态；可在右上角图层控件中开关各类点位。",
        "Basemap: Fuqing boundary, land and coastline (offline). Colours show status; toggle kinds in the layer control.",
    ),
}


def lang() -> str:
    """The session's language: ``zh`` (default) or ``en``."""
    value = st.session_state.get("lang", "zh")
    return value if value in LANGS else "zh"


def t(key: str, **fmt) -> str:
    """The UI string ``key`` in the session's language."""
    zh, en = STRINGS[key]
    text = zh if lang() == "zh" else en
    return text.format(**fmt) if fmt else text
