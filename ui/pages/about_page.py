"""数据说明: where the base geography comes from, what is sample, the five kinds and their targets."""

from __future__ import annotations

import streamlit as st

from geo import basegeo
from geo.errors import OneMapError
from geo.raster.samples import SAMPLE_RASTERS
from layers import REGISTRY
from ui.basemap import current_basemap
from ui.i18n import lang, t
from ui.session import can_read, current_actor, get_store, load_meta, md_escape, sample_banner


def render() -> None:
    lg = lang()
    st.title(t("page_about"))
    if not can_read():
        return
    store = get_store()
    try:
        version = store.data_version()
        meta = load_meta(store, version, store.locator)
        counts = store.counts(current_actor())
    except OneMapError as exc:
        st.error(t("error_store") + exc.message(lg))
        return
    sample_banner(meta)

    st.header(t("about_store"))
    origin = meta.get("data_origin", "empty")
    st.write(f"{t('store_path')}: `{store.label}`")
    st.write(f"{t('store_origin')}: {t('origin_' + origin) if origin in ('sample', 'imported', 'empty') else origin}")
    totals: dict[tuple[str, str], int] = {}
    for kind, _town, status, n in counts:
        totals[(kind, status)] = totals.get((kind, status), 0) + n
    st.subheader(t("counts_title"))
    for spec in REGISTRY.values():
        parts = [f"{s.label(lg)} **{totals.get((spec.key, s.code), 0)}**"
                 for s in sorted(spec.statuses, key=lambda s: s.step)]
        total = sum(totals.get((spec.key, s.code), 0) for s in spec.statuses)
        st.markdown(f"{spec.label(lg)}（{total}）：" + " · ".join(parts))

    st.header(t("about_kinds"))
    for spec in REGISTRY.values():
        with st.expander(spec.label(lg)):
            st.write(spec.description_zh if lg == "zh" else spec.description_en)
            st.write(f"**{t('plan_clause')}**: {spec.plan_clause}")
            st.write(f"**{t('lead')}**: {'、'.join(spec.lead_departments)}")
            for tg in spec.targets:
                population = tg.population_zh if lg == "zh" else tg.population_en
                goal = f"≥ {tg.threshold:.0%}" if tg.threshold is not None else t("dash_goal_none")
                st.write(f"**{t('targets')}**（{tg.plan_label(lg)}）: {tg.zh if lg == 'zh' else tg.en} {goal}"
                         f"（{population}，{tg.deadline.isoformat()}）— {tg.clause}"
                         + (f"（{tg.threshold_source}）" if tg.threshold_source else ""))
            st.write(" → ".join(s.label(lg) for s in sorted(spec.statuses, key=lambda s: s.step)))

    st.header(t("about_sources"))
    for line in basegeo.SOURCES_ZH if lg == "zh" else basegeo.SOURCES_EN:
        st.markdown(f"- {line}")
    for sample in SAMPLE_RASTERS:
        name = sample.name_zh if lg == "zh" else sample.name_en
        text = sample.description_zh if lg == "zh" else sample.description_en
        st.markdown(f"- {t('raster_sample')}{md_escape(name)}：{md_escape(text)}（{md_escape(sample.licence)}）")
    basemap = current_basemap()
    st.markdown(f"- {t('basemap')}：{md_escape(basemap.label(lg))} · {md_escape(basemap.attribution(lg))}")

