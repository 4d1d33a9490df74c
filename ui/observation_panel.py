"""The site panel's monitoring section, for any kind with a monitoring table: chart over time, assessments, rows.

Generic over :data:`layers.OBSERVATIONS`: every charted field of the spec is a small chart (one line per
sampling point, a dot per reading) with the rules' limit lines (:mod:`geo.domain.monitoring`), then the
assessment of each period (black-odorous water: the grade of each sampling campaign, with the rule that decided
it and the sampling warnings), then every current row. The figures come from the store, never typed here.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geo.domain.monitoring import rules_for
from geo.domain.sources import ALL as SOURCES
from geo.errors import OneMapError
from layers import observation_specs_for
from ui.i18n import lang, t

_BAND_COLOR = {"heavy": "#7f0000", "light": "#fc8d59", "limit": "#cb181d"}


def observation_panel(store, actor, site) -> None:
    """Render the monitoring section of ``site`` (nothing for kinds without a monitoring table)."""
    for spec in observation_specs_for(site.kind):
        try:
            rows = store.list_observations(actor, spec.key, [site.site_id])
        except OneMapError as exc:
            st.error(exc.message(lang()))
            continue
        _section(spec, site, rows)


def _section(spec, site, rows) -> None:
    lg = lang()
    st.markdown(f"**{t('obs_panel')} · {spec.label(lg)}**")
    if not rows:
        st.caption(t("obs_none") if spec.key == "black_odorous_readings" else t("obs_none_generic"))
        return
    if any(r.is_sample for r in rows):
        st.caption(t("obs_sample") if spec.key == "black_odorous_readings" else t("obs_sample_generic"))
    rules = rules_for(spec)
    try:
        assessed = rules.assess(site, rows)
    except OneMapError as exc:
        st.error(exc.message(lg))
        assessed = []
    campaigns = spec.key == "black_odorous_readings"
    if assessed:
        last = assessed[-1]
        label = getattr(getattr(last, "campaign", None), "label", None) or getattr(last, "label", str(last.start))
        st.markdown(t("obs_latest", label=label, grade=f"**{last.grade_text(lg)}**"))
    for chart in readings_charts(spec, rows, rules.limits(site), lg):  # one per field: each fits the panel's width
        st.altair_chart(chart, width="stretch")
    if campaigns:
        rule_name = t("obs_rule_rural") if site.attrs.get("water_kind") == "rural" else t("obs_rule_urban")
        st.caption(t("obs_chart_caption", rule=rule_name))
        if site.attrs.get("water_kind") != "rural":
            st.caption(t("obs_shallow_note"))
    if assessed:
        st.markdown(f"**{t('obs_campaigns') if campaigns else t('obs_assessed')}**")
        st.dataframe(assessment_frame(assessed, lg), hide_index=True, width="stretch")
    with st.expander(t("obs_rows"), expanded=not campaigns):
        st.dataframe(rows_frame(spec, rows, lg), hide_index=True, width="stretch")
        sources = "；".join(rules.sources(site))
        st.caption(sources)
        unverified = [s for s in SOURCES if not s.verified]
        if unverified:
            st.caption(t("obs_unverified", items="；".join(f"{s.clause}（{s.text_zh}）" for s in unverified)))


def readings_frame(spec, rows) -> pd.DataFrame:
    """Long form: one row per (reading, charted field) with its date and series (the point, when there is one)."""
    out = []
    for r in rows:
        series = str(r.values.get(spec.series)) if spec.series else spec.zh
        for f in spec.chart_fields:
            v = r.values.get(f.name)
            if v is not None:
                out.append({"date": pd.Timestamp(r.observed_on), "field": f.name, "series": series,
                            "value": float(v), "obs_id": r.obs_id})
    return pd.DataFrame(out, columns=["date", "field", "series", "value", "obs_id"])


def readings_charts(spec, rows, limits, lg: str) -> list:
    """One small chart per charted field: every series over time, the limits as horizontal rules."""
    data = readings_frame(spec, rows)
    charts = []
    for f in spec.chart_fields:
        mine = data[data["field"] == f.name]
        lims = pd.DataFrame([{"value": lim.value, "label": lim.zh if lg == "zh" else lim.en, "band": lim.band}
                             for lim in limits if lim.field == f.name], columns=["value", "label", "band"])
        base = alt.Chart(mine).encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=0)),
            y=alt.Y("value:Q", title=f.label(lg)),
            color=alt.Color("series:N", title=spec.field(spec.series).label(lg) if spec.series else None,
                            legend=alt.Legend(orient="top", direction="horizontal", title=None)
                            if spec.series else None),
            tooltip=[alt.Tooltip("date:T", format="%Y-%m-%d"), "series:N", alt.Tooltip("value:Q", title=f.label(lg))],
        )
        layer = base.mark_line(opacity=0.5) + base.mark_circle(size=28)
        if not lims.empty:
            rule = alt.Chart(lims).mark_rule(strokeDash=[5, 3], size=1.5).encode(
                y="value:Q", color=alt.Color("band:N", scale=alt.Scale(domain=list(_BAND_COLOR),
                                                                       range=list(_BAND_COLOR.values())), legend=None),
                tooltip=["label:N", "value:Q"])
            text = alt.Chart(lims).mark_text(align="left", dx=4, dy=-5, fontSize=10, color="#555").encode(
                y="value:Q", x=alt.value(2), text="label:N")
            layer = alt.layer(layer, rule, text).resolve_scale(color="independent")
        # Fit the panel's width only: the plot keeps its height whatever the legend takes.
        charts.append(layer.properties(height=130, autosize=alt.AutoSizeParams(type="fit-x", contains="padding")))
    return charts


def assessment_frame(assessed, lg: str) -> pd.DataFrame:
    rows = []
    for a in reversed(assessed):
        camp = getattr(a, "campaign", None)
        if camp is None:  # one dated row or period (outfall sample, berth month)
            rows.append({t("obs_period"): a.label, t("obs_result"): a.grade_text(lg), t("obs_rule"): a.rule_text(lg),
                         t("obs_warnings"): "；".join(n.zh if lg == "zh" else n.en for n in a.notices)})
            continue
        rows.append({
            t("obs_campaign"): camp.label,
            t("obs_grade"): a.grade_text(lg),
            t("obs_points_rounds"): f"{len(camp.points)} × {len(camp.rounds)}",
            t("obs_rule"): a.rule_text(lg),
            t("obs_warnings"): "；".join(n.zh if lg == "zh" else n.en for n in a.notices),
        })
    return pd.DataFrame(rows)


def rows_frame(spec, rows, lg: str) -> pd.DataFrame:
    out = []
    for r in reversed(rows):
        row = {"#": r.obs_id, t("obs_date"): r.observed_on, t("obs_time"): r.observed_time or ""}
        for f in spec.fields:
            v = r.values.get(f.name)
            row[f.label(lg)] = "" if v is None else v
        row[t("obs_recorded")] = f"{r.recorded_by} · {r.source}" + (f" · {r.reason}" if r.reason else "")
        out.append(row)
    return pd.DataFrame(out)
