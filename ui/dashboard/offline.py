"""The dashboard's 离线同步 section: changes and readings captured offline (capture, arrival and application times)
and conflicts.

Thin: the records come from the store (:meth:`geo.store.sync.SyncMixin.offline_changes`,
:meth:`geo.store.observations.ObservationsMixin.offline_readings`).
Each conflict shows both sides — the change as the device sent it, and the
site as it stood at sync time with the changes made since — and, for those
allowed (the store decides), buttons to re-apply it on the site's current
version or to discard it; resolved ones say how, by whom and when.
Times are China Standard Time; a capture time is the device's clock, and a
device whose clock was off by more than :data:`CLOCK_WARN_S` is flagged.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from geo.clock import format_cst, parse_utc
from geo.domain.evidence import CLASSES as EVIDENCE_CLASSES
from geo.errors import OneMapError
from layers import OBSERVATIONS, REGISTRY
from ui.dashboard.common import kind_label, status_label
from ui.i18n import lang, t
from ui.session import md_escape, show_error

#: A device clock off by more than this (seconds) is flagged beside its capture times.
CLOCK_WARN_S = 120
LIMIT = 500


def _delay(rec) -> str:
    captured, received = parse_utc(rec.captured_at), parse_utc(rec.received_at)
    if not captured or not received:
        return "—"
    d = received - captured
    if d < timedelta(0):
        return "—"
    hours, rest = divmod(int(d.total_seconds()), 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


def _evidence(rec, onsite_m: float) -> str:
    ev = rec.submitted.get("evidence") or {}
    d = ev.get("distance_m")
    if d is not None:
        cls = "onsite" if d <= onsite_m else "remote"
    elif ev.get("lon") is None:
        cls = "no_position"
    else:
        cls = "remote" if ev.get("remote") else "onsite"
    return EVIDENCE_CLASSES[cls][0 if lang() == "zh" else 1]


def _outcome(rec) -> str:
    if rec.outcome == "conflict" and rec.resolution:
        return t(f"off_res_{rec.resolution}")
    return t(f"off_out_{rec.outcome}")


def _clock(rec) -> str:
    off = rec.clock_offset_s
    if off is None:
        return "—"
    return f"{off:+.0f} s" + (" ⚠" if abs(off) > CLOCK_WARN_S else "")


def offline_section(store, actor, sites, onsite_m: float) -> None:
    """Offline-captured changes and their conflicts (current records, whatever the as-of day)."""
    try:
        records = store.offline_changes(actor, limit=LIMIT)
    except OneMapError as exc:
        show_error(exc)
        return
    try:
        readings = store.offline_readings(actor, limit=LIMIT)
    except OneMapError as exc:
        show_error(exc)
        readings = []
    names = {s.site_id: s.name for s in sites}
    st.caption(t("off_caption", n=LIMIT))
    if not records and not readings:
        st.info(t("off_none"))
        return
    if records:
        _changes_and_conflicts(store, actor, records, names, onsite_m)
    if readings:
        _readings(readings, names)


def _readings(records, names: dict) -> None:
    """Days of readings taken with the offline client: when, where (on site or not), what they moved."""
    st.markdown(f"**{t('off_readings')}** ({len(records)})")
    rows = []
    for r in records:
        spec = OBSERVATIONS.get(r.table)
        where = "no_position" if r.distance_m is None else ("remote" if r.remote else "onsite")
        rows.append({
            t("off_captured_at"): format_cst(r.captured_at, with_seconds=True) if r.captured_at else "—",
            t("off_received_at"): format_cst(r.received_at, with_seconds=True),
            t("off_delay"): _delay(r),
            t("off_clock"): _clock(r),
            t("site_id"): r.site_id,
            t("dash_name"): names.get(r.site_id, r.site_id),
            t("off_table"): spec.label(lang()) if spec else r.table,
            t("off_rows"): r.rows,
            t("h_actor"): r.actor,
            t("dash_evidence"): EVIDENCE_CLASSES[where][0 if lang() == "zh" else 1],
            t("off_moved"): "、".join(status_label(spec.site_kind, c.get("to")) for c in r.status_changes
                                     if spec) or "—",
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(t("off_readings_help"))


def _changes_and_conflicts(store, actor, records, names: dict, onsite_m: float) -> None:
    open_conflicts = [r for r in records if r.open_conflict]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("off_received"), len(records), border=True)
    c2.metric(t("off_applied"), sum(r.outcome == "applied" for r in records), border=True)
    c3.metric(t("off_open_conflicts"), len(open_conflicts), border=True)
    c4.metric(t("off_refused"), sum(r.outcome == "refused" for r in records), border=True)
    st.markdown(f"**{t('off_changes')}**")
    rows = [{
        t("off_captured_at"): format_cst(r.captured_at, with_seconds=True),
        t("off_received_at"): format_cst(r.received_at, with_seconds=True),
        t("off_applied_at"): format_cst(r.applied_at, with_seconds=True) if r.applied_at else "—",
        t("off_delay"): _delay(r),
        t("off_clock"): _clock(r),
        t("site_id"): r.site_id,
        t("dash_name"): names.get(r.site_id, r.site_id),
        t("h_change"): f"→ {status_label(r.kind, r.to_status)}",
        t("h_actor"): r.actor,
        t("off_outcome"): _outcome(r),
        t("dash_evidence"): _evidence(r, onsite_m),
        t("dash_photos"): _photo_count(r),
    } for r in records]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(t("off_times_help", s=CLOCK_WARN_S))
    conflicts = [r for r in records if r.outcome == "conflict"]
    st.markdown(f"**{t('off_conflicts')}** ({len(open_conflicts)} / {len(conflicts)})")
    if not conflicts:
        st.caption(t("off_no_conflicts"))
    for rec in conflicts:
        _conflict(store, actor, rec, names.get(rec.site_id, rec.site_id))


def _photo_count(rec) -> int:
    """The photos a change carried: its own and those its photo fields name (each once)."""
    spec = REGISTRY.get(rec.kind)
    sub = rec.submitted or {}
    shas = set(sub.get("photos") or [])
    for name, value in (sub.get("changes") or {}).items():
        fld = spec.field(name) if spec else None
        if fld is not None and fld.photo and value:
            shas.add(value)
    return len(shas)


def _fields_text(kind: str, changes: dict) -> str:
    spec = REGISTRY.get(kind)
    parts = []
    for name, value in (changes or {}).items():
        fld = spec.field(name) if spec else None
        label = fld.label(lang()) if fld else name
        if fld is not None and fld.photo:  # a photo field holds a hash: counted with the change's photos
            value = t("dash_photos")
        elif fld is not None and fld.type == "choice" and fld.choice(str(value)):
            value = fld.choice(str(value)).label(lang())
        elif isinstance(value, bool):
            value = t("yes") if value else t("no")
        parts.append(f"{label}: {value}")
    return "；".join(parts)


def _conflict(store, actor, rec, name: str) -> None:
    server = rec.server_state or {}
    # an expander's label reads Markdown: the site's name and the account are user text
    title = (f"{'🟡' if rec.open_conflict else '✔'} {md_escape(rec.site_id)} {md_escape(name)} · {kind_label(rec.kind)} · "
             f"{md_escape(rec.actor)} · {format_cst(rec.captured_at)}")
    with st.expander(title, expanded=rec.open_conflict):
        msg = rec.message or {}
        st.warning(md_escape(msg.get("zh" if lang() == "zh" else "en") or ""))  # a refusal may quote a value
        mine, theirs = st.columns(2)
        with mine:
            st.markdown(f"**{t('off_side_mine')}**")
            st.markdown(t("off_side_mine_line", v=rec.base_version, to=md_escape(status_label(rec.kind, rec.to_status))))
            sub = rec.submitted
            if sub.get("changes"):
                st.caption(md_escape(_fields_text(rec.kind, sub["changes"])))
            if sub.get("note"):
                st.caption(f"{t('h_note')}: {md_escape(sub['note'])}")
            ev = sub.get("evidence") or {}
            st.caption(t("off_capture_line", at=format_cst(rec.captured_at, with_seconds=True),
                         fix=format_cst(ev.get("fix_time"), with_seconds=True) if ev.get("fix_time") else "—",
                         d="—" if ev.get("distance_m") is None else f"{ev['distance_m']:.0f}",
                         n=_photo_count(rec)))
        with theirs:
            st.markdown(f"**{t('off_side_server')}**")
            st.markdown(t("off_side_server_line", v=server.get("version", "—"),
                          status=md_escape(status_label(rec.kind, server.get("status"))),
                          who=md_escape(str(server.get("updated_by", "—"))), at=format_cst(server.get("updated_at"))))
            for c in server.get("changes_since") or []:
                st.caption(md_escape(t("off_since_line", v=c["version"], who=c["actor"], at=format_cst(c["changed_at"]),
                                       frm=status_label(rec.kind, c["from_status"]),
                                       to=status_label(rec.kind, c["to_status"]))
                                     + (f" · {c['note']}" if c.get("note") else "")))
        if rec.resolution:
            st.success(t("off_resolved_line", how=_outcome(rec), who=md_escape(rec.resolved_by or "—"),
                         at=format_cst(rec.resolved_at))
                       + (f" · {md_escape(rec.resolution_note)}" if rec.resolution_note else ""))
            return
        _actions(store, actor, rec)


def _actions(store, actor, rec) -> None:
    if actor.role not in ("admin", "inspector"):
        st.caption(t("off_read_only"))
        return
    try:
        current = store.get_site(actor, rec.site_id)
    except OneMapError as exc:
        show_error(exc)
        return
    note = st.text_input(t("off_note"), key=f"off_note_{rec.op_id}")
    b1, b2 = st.columns(2)
    reapply = b1.button(t("off_reapply", v=current.version, status=status_label(rec.kind, current.status)),
                        key=f"off_reapply_{rec.op_id}", type="primary", width="stretch")
    discard = b2.button(t("off_discard"), key=f"off_discard_{rec.op_id}", width="stretch")
    if not (reapply or discard):
        return
    try:
        store.resolve_offline_conflict(actor, rec.op_id, "reapply" if reapply else "discard",
                                       expected_version=current.version, note=note)
    except OneMapError as exc:
        show_error(exc)
        return
    st.rerun()
