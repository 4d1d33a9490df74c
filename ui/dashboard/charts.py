"""Altair charts of the dashboard: progress bars against the target line, and the town chart.

Streamlit draws Vega-Lite with its own bundled JavaScript and the data is
inline, so nothing loads from the internet (the browser test checks it).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from layers import KIND_KEYS
from ui.dashboard.common import figure_text, goal_text, pct, target_label, target_line, town_label
from ui.i18n import t

MET, NOT_MET, EMPTY, NO_GOAL = "#1a9850", "#f4a582", "#bdbdbd", "#9ecae1"
TARGET_LINE = "#7f0000"


def progress_frame(figures: dict) -> pd.DataFrame:
    """One row per target (a province figure is a row of its own): label, share (0 when empty), threshold,
    figure text, state, and the one line naming population, numerator, denominator, deadline and clause."""
    rows = []
    for key in KIND_KEYS:
        for tg in figures["kinds"][key]["targets"]:
            empty = tg["share"] is None
            rows.append({
                "label": target_label(key, tg),
                "share": tg["share"] or 0.0,
                "threshold": tg["threshold"],
                "figure": figure_text(tg) if empty else f"{figure_text(tg)} = {pct(tg['share'])}",
                "goal": goal_text(tg, t),
                "state": "empty" if empty else "no_goal" if tg["met"] is None else ("met" if tg["met"] else "not_met"),
                "clause": tg["clause"],
                "line": target_line(tg),
            })
    return pd.DataFrame(rows)


def progress_chart(figures: dict) -> alt.LayerChart:
    """Horizontal bars of each target's share and a dark tick at its threshold (province figures have their own bar)."""
    df = progress_frame(figures)
    y = alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=320, labelFontSize=12))
    x_scale = alt.Scale(domain=[0, 1])
    track = alt.Chart(df).mark_bar(color="#eeeeee", height=20).encode(
        x=alt.X("one:Q", scale=x_scale, axis=alt.Axis(format="%", title=None, grid=False)), y=y,
    ).transform_calculate(one="1")
    color = alt.Color("state:N", legend=None,
                      scale=alt.Scale(domain=["met", "not_met", "empty", "no_goal"], range=[MET, NOT_MET, EMPTY, NO_GOAL]))
    tooltip = [alt.Tooltip("label:N", title=t("dash_target")), alt.Tooltip("figure:N", title=t("dash_figure")),
               alt.Tooltip("goal:N", title=t("dash_goal_title")), alt.Tooltip("line:N", title=t("dash_line")),
               alt.Tooltip("clause:N", title=t("plan_clause"))]
    bars = alt.Chart(df).mark_bar(height=20).encode(x=alt.X("share:Q", scale=x_scale), y=y, color=color,
                                                     tooltip=tooltip)
    target = alt.Chart(df).transform_filter("datum.threshold != null").mark_tick(
        color=TARGET_LINE, thickness=3, size=30, opacity=1).encode(
        x="threshold:Q", y=y, tooltip=tooltip)
    # The figure next to its bar, on a white halo so a target tick under it does not hide it.
    halo = alt.Chart(df).mark_text(align="left", dx=6, fontSize=12, stroke="white", strokeWidth=4,
                                   strokeJoin="round").encode(x=alt.X("share:Q", scale=x_scale), y=y, text="figure:N")
    text = alt.Chart(df).mark_text(align="left", dx=6, fontSize=12, color="#222222").encode(
        x=alt.X("share:Q", scale=x_scale), y=y, text="figure:N")
    return alt.layer(track, bars, target, halo, text).properties(height=alt.Step(40))


def town_frame(figures: dict) -> pd.DataFrame:
    """One row per town and category (done / not done, on time / overdue) with the number of sites."""
    labels = {"done": t("done"), "open": t("dash_open"), "overdue": t("overdue")}
    rows = []
    for i, town in enumerate(figures["towns"]):
        open_n = town["total"] - town["done"] - town["overdue"]
        for key, n in (("done", town["done"]), ("open", open_n), ("overdue", town["overdue"])):
            rows.append({"town": town_label(town["code"]), "order": i, "category": labels[key], "key": key, "n": n,
                         "rank": ("done", "open", "overdue").index(key)})
    return pd.DataFrame(rows)


def town_chart(figures: dict) -> alt.Chart:
    """Stacked bars per town: sites done, not done yet, overdue."""
    df = town_frame(figures)
    order = list(dict.fromkeys(df["town"])) if len(df) else []
    labels = [t("done"), t("dash_open"), t("overdue")]
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("town:N", sort=order, title=None, axis=alt.Axis(labelLimit=200, labelOverlap=False)),
        x=alt.X("n:Q", stack="zero", title=t("dash_sites_n"), axis=alt.Axis(format="d", tickMinStep=1)),  # counts
        color=alt.Color("category:N", scale=alt.Scale(domain=labels, range=[MET, NOT_MET, "#b2182b"]),
                        legend=alt.Legend(orient="top", title=None)),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("town:N", title=t("town")), alt.Tooltip("category:N", title=t("status")),
                 alt.Tooltip("n:Q", title=t("dash_sites_n"))],
    ).properties(height=alt.Step(24))
