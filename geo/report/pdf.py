"""The town review report: one PDF per town, Chinese text embedded and searchable, no internet (pure).

fpdf2 embeds a TrueType subset of NotoSansSC (OFL, from the pip package
``pylopdf-fonts-zh-cn``), so the text renders without any font on the
reader's machine and can be searched and copied. Content: title and date, a 示例数据 notice
when the data is sample, a map image of the town's sites on the shipped base
geography (:mod:`geo.report.mapimage`), the progress figures of
:func:`geo.domain.targets.progress` with bars against the target, evidence quality,
what the monitoring readings say (:mod:`geo.report.monitoring`), the overdue sites
and the site table.
"""

from __future__ import annotations

import io
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from geo.report.fonts import FONT_FAMILY, cjk_font_path, truetype_subset
from geo.report.layout import AMBER, GREEN, GREY, RED, TARGET, heading, new_pdf, para, pct, table
from geo.clock import CST, format_cst
from geo.domain.status import is_overdue
from geo.report.mapimage import sites_map_png
from geo.report.monitoring import monitoring_section
from geo.domain.targets import BERTH_EXCLUSIONS, progress, town_name
from layers import KIND_KEYS, REGISTRY

__all__ = ["town_report_pdf"]

_SAMPLE_NOTE = "示例数据：本报告中的点位和历史为演示用示例数据，并非官方数据，不得作为统计或上报依据。"


def _used_chars(pdf) -> set[str]:
    """The characters laid out so far with any font of ``pdf`` (read from fpdf2's font subsets)."""
    chars: set[str] = set()
    for font in pdf.fonts.values():
        for glyph, _code in font.subset.items():
            if glyph is not None and isinstance(glyph.unicode, tuple):
                chars.update(chr(u) for u in glyph.unicode)
    return chars


def _bar(pdf, x: float, y: float, w: float, h: float, share: float | None, threshold: float | None) -> None:
    pdf.set_draw_color(160, 160, 160)
    pdf.set_fill_color(238, 238, 238)
    pdf.rect(x, y, w, h, style="DF")
    if share is not None:
        met = threshold is not None and share >= threshold
        pdf.set_fill_color(*(GREEN if met else AMBER))
        pdf.rect(x, y, w * min(share, 1.0), h, style="F")
    if threshold is not None:
        pdf.set_draw_color(*TARGET)
        pdf.set_line_width(0.8)
        pdf.line(x + w * threshold, y - 1.2, x + w * threshold, y + h + 1.2)
    pdf.set_line_width(0.2)


def _target_block(pdf, kind_label: str, tg: dict) -> None:
    if pdf.get_y() > 262:
        pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=10)
    pdf.cell(0, 5.5, f"{kind_label} · {tg['zh']}（{tg['plan_zh']}）", new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() + 0.8
    _bar(pdf, pdf.l_margin, y, 80, 4.5, tg["share"], tg["threshold"])
    pdf.set_xy(pdf.l_margin + 84, y - 0.6)
    goal = (f"目标 ≥ {tg['threshold']:.0%}" if tg["threshold"] is not None else "目标：基本消除（无全国数值）") \
        + f"，截止 {tg['deadline']}"
    unit = f" {tg['unit_zh']}" if tg["measure"] == "area" else ""
    if tg["missing_reference"]:
        figure = f"无法计算（缺少参考范围）　{goal}"
    elif tg["denominator"]:
        status = "—" if tg["met"] is None else "已达标" if tg["met"] else "未达标"
        num, den = tg["numerator"], tg["denominator"]
        if tg["measure"] == "area":
            num, den = f"{num:.2f}", f"{den:.2f}"
        figure = f"{num} / {den}{unit} = {pct(tg['share'])}　{goal}　{status}"
    else:
        figure = f"本镇街无统计对象（{tg['population_zh']}）　{goal}"
    pdf.cell(0, 5.5, figure, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(0.5)
    para(pdf, tg["line_zh"], size=8, color=GREY, h=4.2)
    pdf.ln(1)


def _status_zh(kind: str, code: str) -> str:
    return REGISTRY[kind].status(code).zh


def _breakdowns(pdf, figures: dict) -> None:
    berths = figures["kinds"]["shore_power_berths"]
    if berths["total"]:
        b = berths["breakdown"]
        para(pdf, "岸电泊位 · 计入福清目标的泊位", size=10)
        table(pdf, ("编号", "名称", "类型", "吨级", "状态"),
               [(r["site_id"], r["name"], _choice("shore_power_berths", "berth_type", r["berth_type"]),
                 r["tonnage_t"] if r["tonnage_t"] is not None else "—", _status_zh("shore_power_berths", r["status"]))
                for r in b["counted"]] or [("—", "无", "", "", "")], (22, 60, 30, 25, 43))
        pdf.ln(2)
        para(pdf, "岸电泊位 · 不计入福清目标的泊位及原因", size=10)
        table(pdf, ("编号", "名称", "类型", "吨级", "原因"),
               [(r["site_id"], r["name"], _choice("shore_power_berths", "berth_type", r["berth_type"]),
                 r["tonnage_t"] if r["tonnage_t"] is not None else "—", BERTH_EXCLUSIONS[r["reason"]][0])
                for r in b["excluded"]] or [("—", "无", "", "", "")], (22, 55, 25, 20, 58))
        pdf.ln(1)
        pv = b["province"]
        para(pdf, f"省口径（全部专业化泊位，不含危险货物泊位）计入 {len(pv['counted'])} 个："
                   + ("、".join(r["name"] for r in pv["counted"]) or "无") + "。", size=9)
        pdf.ln(2)
    zones = figures["kinds"]["clean_fuel_zones"]
    if zones["total"]:
        z = zones["breakdown"]
        text = (f"高污染燃料禁燃区：已划定及以上 {z['at_least']['designated']} 个，已公告及以上 "
                f"{z['at_least']['announced']} 个，已实施 {z['at_least']['enforced']} 个，已撤销 {z['withdrawn']} 个")
        if z["uncovered_km2"] is not None:
            text += f"；城市建成区与城市近郊尚未被已实施禁燃区覆盖的面积 {z['uncovered_km2']:.2f} km²"
        para(pdf, text + "。")
    boilers = figures["kinds"].get("coal_boilers")
    if boilers and boilers["total"]:
        b = boilers["breakdown"]
        para(pdf, f"燃煤锅炉 {boilers['total']} 台，其中 35 蒸吨/小时及以上 {b['large']['n']} 台；"
                   f"在已实施禁燃区内仍在用 {len(b['open_in_enforced_zone'])} 台；"
                   f"在用及改造/淘汰中的合计容量 {b['capacity_open_th']:g} 蒸吨/小时。")
    parks = figures["kinds"]["parks"]
    if parks["total"]:
        c = parks["breakdown"]["circular_retrofit"]
        para(pdf, f"工业园区循环化改造：实施中 {c['in_progress']} 个，已完成 {c['completed']} 个（具备条件的 "
                   f"{c['eligible']} 个园区中）；在线监测已安装 {parks['breakdown']['online_monitoring']} 个园区。")


def _choice(kind: str, field: str, code) -> str:
    if code is None:
        return "—"
    fld = REGISTRY[kind].field(field)
    ch = fld.choice(code) if fld else None
    return ch.zh if ch else str(code)


def _evidence(pdf, ev: dict) -> None:
    heading(pdf, "变更证据")
    if not ev["changes"]:
        para(pdf, "截至该日，本镇街点位没有状态变更记录。")
        return
    para(pdf, f"状态变更 {ev['changes']} 次：现场（设备距点位 {ev['onsite_m']:g} 米以内）{ev['onsite']} 次，"
               f"占 {pct(ev['share_onsite'])}；远程 {ev['remote']} 次；无定位 {ev['no_position']} 次。"
               f"附照片的变更 {ev['with_photos']} 次，占 {pct(ev['share_with_photos'])}。"
               f"变更为完成状态的 {ev['done_changes']} 次中，现场变更 {ev['done_onsite']} 次"
               f"（{pct(ev['share_done_onsite'])}）。")
    if ev["remote_changes"]:
        pdf.ln(1)
        para(pdf, "远程变更（设备不在现场）", size=10)
        table(pdf, ("时间（北京时间）", "编号", "名称", "变更", "操作人", "距离（米）"),
               [(format_cst(r["changed_at"]), r["site_id"], r["name"],
                 f"{_status_zh(r['kind'], r['from_status']) if r['from_status'] else '—'} → "
                 f"{_status_zh(r['kind'], r['to_status'])}", r["actor"],
                 "—" if r["distance_m"] is None else f"{r['distance_m']:.0f}")
                for r in ev["remote_changes"]], (28, 18, 50, 38, 26, 20))


def report_file_name(town_code: str, day: date, *, sample: bool = False) -> str:
    """The file name a downloaded report gets: the town by name, the day, and 示例数据 for sample data.

    >>> report_file_name("350181116", date(2025, 12, 31), sample=True)
    '江阴镇审阅报告_2025-12-31_示例数据.pdf'
    """
    name = town_name(town_code, "zh")
    return f"{name}审阅报告_{day.isoformat()}" + ("_示例数据" if sample else "") + ".pdf"


def town_report_pdf(
    sites: Sequence,
    today: date,
    town_code: str,
    *,
    history: Iterable | None = None,
    sample: bool = False,
    onsite_m: float | None = None,
    generated_at: datetime | None = None,
    reference=None,
    observations: Mapping[str, Sequence] | None = None,
) -> bytes:
    """The review report of one town as PDF bytes.

    Parameters
    ----------
    sites : sequence of Site
        Sites as they stand on ``today`` (any towns: the town's are picked).
    today : date
        The day the report is "as of" (CST).
    town_code : str
        Statistics code of the town or street.
    history : iterable of HistoryEntry, optional
        Cut at ``today``; adds the evidence section.
    sample : bool
        The data is illustrative: a red notice on the first page and in the footer.
    onsite_m : float, optional
        On-site distance for the evidence figures.
    generated_at : datetime, optional
        When the report was made (default now), printed in CST.
    reference : geo.domain.coverage.ReferenceAreas, optional
        The official reference areas (and town boundaries) for the area and location targets.
    observations : mapping of str to sequence of Observation, optional
        Every stored monitoring row by spec key (``SiteStore.all_observations``): adds what the readings
        say (measured grades and their charts, shore-power use) — the figures the dashboard shows.

    Returns
    -------
    bytes
        The PDF.
    """
    figures = progress(sites, today, town=town_code, history=history, onsite_m=onsite_m, sample=sample,
                       reference=reference, observations=observations)
    mine = [s for s in sites if s.town_code == town_code]
    mine.sort(key=lambda s: (KIND_KEYS.index(s.kind) if s.kind in KIND_KEYS else 99, s.site_id))
    name = town_name(town_code, "zh")
    made = (generated_at or datetime.now(timezone.utc)).astimezone(CST)
    png = sites_map_png(mine, highlight_town=town_code, title=f"{name} 点位分布（编号对应下方点位清单序号）")
    content = (figures, mine, name, made, png, today, town_code, sample, observations)
    # Pass 1 lays the text out with the OpenType font to learn which characters are used; pass 2
    # embeds a TrueType subset of exactly those (see geo.report.fonts.truetype_subset for why).
    chars = _used_chars(_render(str(cjk_font_path()), *content))
    with tempfile.TemporaryDirectory(prefix="onemap-report-") as tmp:
        font_file = Path(tmp) / "NotoSansSC-subset.ttf"
        font_file.write_bytes(truetype_subset(chars))
        return bytes(_render(str(font_file), *content).output())


def _render(font_file: str, figures: dict, mine: list, name: str, made: datetime, png: bytes, today: date,
            town_code: str, sample: bool, observations: Mapping[str, Sequence] | None):
    """The whole document laid out with ``font_file`` (an FPDF object, not yet written)."""
    pdf = new_pdf(font_file)
    pdf.footer_text = f"福清生态环境一张图 · {name}审阅报告" + (" · 示例数据" if sample else "")
    pdf.set_title(f"{name} 节能减排重点点位审阅报告")
    pdf.set_creator("福清生态环境一张图")
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=18)
    pdf.cell(0, 10, f"{name} 节能减排重点点位审阅报告", new_x="LMARGIN", new_y="NEXT")
    para(pdf, f"截至 {today.isoformat()}（北京时间当日结束时的状态，由变更历史重建）　"
               f"生成于 {made:%Y-%m-%d %H:%M}（北京时间）　统计用区划代码 {town_code}", size=9, color=GREY, h=4.8)
    if sample:
        pdf.ln(1)
        pdf.set_fill_color(253, 236, 234)
        pdf.set_text_color(*RED)
        pdf.set_font(FONT_FAMILY, size=10.5)
        pdf.multi_cell(0, 6, _SAMPLE_NOTE, fill=True, new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR", padding=1.5)
        pdf.set_text_color(0, 0, 0)
    t = figures["totals"]
    pdf.ln(1)
    para(pdf, f"本镇街共有点位 {t['sites']} 个，已完成 {t['done']} 个，逾期 {t['overdue']} 个。", size=11)
    pdf.image(io.BytesIO(png), x=pdf.l_margin, w=pdf.w - pdf.l_margin - pdf.r_margin)

    heading(pdf, "目标进度")
    for key in KIND_KEYS:
        for tg in figures["kinds"][key]["targets"]:
            _target_block(pdf, REGISTRY[key].zh, tg)
    _breakdowns(pdf, figures)
    if "evidence" in figures:
        _evidence(pdf, figures["evidence"])
    monitoring_section(pdf, figures, mine, observations, today)

    heading(pdf, f"逾期点位（{figures['overdue']['count']} 个）")
    if figures["overdue"]["sites"]:
        table(pdf, ("编号", "名称", "类型", "状态", "完成时限", "逾期天数"),
               [(r["site_id"], r["name"], REGISTRY[r["kind"]].zh, _status_zh(r["kind"], r["status"]), r["deadline"],
                 str(r["days_overdue"])) for r in figures["overdue"]["sites"]], (20, 56, 28, 26, 22, 28))
    else:
        para(pdf, "无。")

    heading(pdf, f"点位清单（{len(mine)} 个）")
    if mine:
        table(pdf, ("序号", "编号", "名称", "类型", "状态", "完成时限", "最近变更"),
               [(str(i), s.site_id, s.name, REGISTRY[s.kind].zh, _status_zh(s.kind, s.status)
                 + ("（逾期）" if is_overdue(s.kind, s.status, s.deadline, today) else ""),
                 s.deadline or "—", format_cst(s.updated_at)[:10]) for i, s in enumerate(mine, start=1)],
               (10, 18, 58, 24, 28, 20, 22))
    else:
        para(pdf, "截至该日本镇街没有点位。")
    return pdf
