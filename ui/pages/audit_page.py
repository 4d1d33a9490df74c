"""审计日志 (admin): filter the append-only audit log and export it."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import streamlit as st

from geo.errors import OneMapError
from geo.clock import format_cst, today_cst
from ui.i18n import lang, t
from ui.session import current_actor, get_store, md_escape


def render() -> None:
    store, actor = get_store(), current_actor()
    st.subheader(t("page_audit"))
    c1, c2, c3 = st.columns(3)
    since = c1.date_input(t("since"), value=today_cst() - timedelta(days=30))
    user = c2.text_input(t("user_name"), key="audit_user")
    action = c3.selectbox(t("action"), ["", "site.", "auth.", "user.", "export", "import", "undo", "meta."],
                          format_func=lambda a: a or t("all"))
    try:
        rows = store.audit_log(actor, since=since.isoformat() if since else None, user=user or None,
                               action=action or None, limit=5000)
    except OneMapError as exc:
        st.error(md_escape(exc.message(lang())))
        return
    frame = pd.DataFrame([{
        t("h_time"): format_cst(r.at, with_seconds=True), t("h_actor"): r.actor, t("role"): r.role or "",
        t("action"): r.action, t("outcome"): r.outcome, t("target"): r.target or "", t("h_source"): r.client or "",
        t("details"): json.dumps(r.details, ensure_ascii=False) if r.details else "",
    } for r in rows])
    st.caption(t("audit_count", n=len(rows)))
    st.dataframe(frame, hide_index=True, width="stretch")
    if rows:
        st.download_button(t("download_csv"), frame.to_csv(index=False).encode("utf-8-sig"),
                           file_name=f"audit_{today_cst().isoformat()}.csv", mime="text/csv")
