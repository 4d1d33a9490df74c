"""How a site reads to a person: town names (never codes), attribute values, and its history as text that wraps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import towns
from geo.clock import format_cst
from geo.errors import OneMapError
from ui.i18n import lang, t
from ui.session import md_escape

#: History entries shown at once; older ones fold away.
HISTORY_SHOWN = 8


def town_label(code: str) -> str:
    """The town's name (with the English name in the English UI); the code only if it is unknown."""
    try:
        town = towns.town_by_code(code)
    except OneMapError:
        return code
    return town.name_zh if lang() == "zh" else f"{town.name_en} {town.name_zh}"


def town_list(codes) -> str:
    """Several towns by name, in the usual Chinese list form."""
    return "、".join(town_label(c) for c in codes)


def display_value(fld, value, lg: str) -> str:
    if value is None or value == "":
        return "—"
    if fld.type == "bool":
        return t("yes") if value else t("no")
    if fld.type == "choice":
        choice = fld.choice(value)
        return choice.label(lg) if choice else str(value)
    return str(value)


def _change_text(spec, e, lg: str) -> str:
    def label(code):
        return spec.status(code).label(lg) if code else "—"

    prefix = {"import": t("h_import"), "undo": t("h_undo")}.get(e.action, "")
    if e.action == "create" or (e.from_status is None and e.action != "undo"):
        return f"{prefix}{t('created')} → {label(e.to_status)}"
    return f"{prefix}{label(e.from_status)} → {label(e.to_status)}"


def where_text(e) -> str:
    """现场/远程 with the distance, 无定位, or — (imports)."""
    ev = e.evidence
    if ev.distance_m is not None:
        return t("remote" if ev.remote else "onsite", d=f"{ev.distance_m:.0f}")
    if e.source in ("web", "field"):
        return t("no_fix")
    return "—"


def fields_text(spec, e, lg: str) -> str:
    def value(k, v):
        fld = spec.field(k)
        return display_value(fld, v, lg) if fld else ("—" if v is None else str(v))

    fields = "；".join(
        f"{(spec.field(k).label(lg) if spec.field(k) else k)}: {value(k, v[0])} → {value(k, v[1])}"
        for k, v in e.changes.items() if e.action != "create"
    )
    if getattr(e, "override", None):  # an administrator let the change past an evidence gate: said first
        fields = f"⚠ {t('h_override')}：{e.override}" + (f"；{fields}" if fields else "")
    return fields


def history_frame(spec, history, lg: str) -> pd.DataFrame:
    """The history as a table (newest first), for downloads and tests."""
    rows = []
    for e in reversed(history):
        rows.append({
            t("h_time"): format_cst(e.changed_at),
            t("h_actor"): e.actor,
            t("h_change"): _change_text(spec, e, lg),
            t("h_note"): e.note or "",
            t("h_fields"): fields_text(spec, e, lg),
            t("h_where"): where_text(e),
            t("h_source"): f"{e.source}" + (f" ({e.client})" if e.client else ""),
        })
    return pd.DataFrame(rows)


def _entry(spec, e, lg: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{format_cst(e.changed_at)}** · {md_escape(e.actor)} · {md_escape(_change_text(spec, e, lg))}")
        facts = [f"{t('h_where')}：{where_text(e)}"]
        if e.photos:
            facts.append(t("h_photos", n=len(e.photos)))
        fields = fields_text(spec, e, lg)
        if fields:
            facts.append(f"{t('h_fields')}：{fields}")
        st.caption(md_escape(" · ".join(facts)))
        if e.note:
            st.markdown(f"{t('h_note')}：{md_escape(e.note)}")


def history_list(spec, history) -> None:
    """The history newest first, one block per change, every text wrapping (nothing clipped on a phone)."""
    lg = lang()
    entries = list(reversed(history))
    st.markdown(f"**{t('history')}** · {t('h_cst')}")
    for e in entries[:HISTORY_SHOWN]:
        _entry(spec, e, lg)
    if len(entries) > HISTORY_SHOWN:
        with st.expander(t("h_older", n=len(entries) - HISTORY_SHOWN)):
            for e in entries[HISTORY_SHOWN:]:
                _entry(spec, e, lg)
