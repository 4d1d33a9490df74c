"""The field form's monitoring section: what the chosen status needs, and readings entered on the spot.

Called from the field form for a kind with a monitoring table (:func:`ui.inspect_fields.kind_inputs`). It
shows what the evidence gate of the status being chosen asks for and whether the stored readings meet it
(:meth:`geo.store.gpkg.GpkgStore.gate_preview`), then a table for one sampling day's readings — the grade
the campaign will have once they are saved is shown before saving — and saves them through the store
(:meth:`~geo.store.gpkg.GpkgStore.record_observations`: the inspector's towns, who and when, an audit row; a
double tap saves once). Saving readings is apart from changing the status: the status change that follows is
judged on them.

What is typed is kept in the browser until it is saved (:mod:`ui.readings_drafts`): a reload, a lost
connection or a new session puts the day, the common fields and the rows back into the entry (opened, with a
note), never saving them by themselves; a successful save removes the draft.
"""

from __future__ import annotations

import uuid
from datetime import time

import streamlit as st

from geo.clock import today_cst
from geo.domain.monitoring import rules_for
from geo.errors import OneMapError
from geo.store import NewObservation, Observation, policy
from layers import get_spec, observation_specs_for
from ui.drafts import draft_keeper, pending_draft
from ui.geolocation import FIX_KEY
from ui.i18n import lang, t
from ui.readings_drafts import (COMMON, EntryContent, draft_name, draft_rows, draft_values, entry_columns,
                                entry_content, keeper_key, rows_frame)

GENS = "rd_drafts"       # entry key -> generation of its widget keys (a new one after a save or a restore)
HELD = "rd_restored"     # entry key -> the rows of a restored draft (the data editor's data until saved)
CLEARS = "rd_clear"      # keeper key -> the op id just saved: the browser removes the stored draft


def gate_notice(store, actor, site, target: str) -> None:
    """What entering ``target`` needs, and whether the stored evidence has it (nothing when no gate)."""
    spec, lg = get_spec(site.kind), lang()
    if not spec.gates_for(target):
        return
    try:
        verdicts = store.gate_preview(actor, site.site_id, target)
    except OneMapError as exc:
        st.error(exc.message(lg))
        return
    status = spec.status(target).label(lg)
    for gate, verdict in verdicts:
        st.caption(t("gate_needs", status=status, need=gate.zh if lg == "zh" else gate.en))
        if verdict.ok:
            st.success(t("gate_ok", facts=verdict.facts.get("evidence") or ""))
        else:
            st.warning(t("gate_missing", missing=verdict.missing_zh if lg == "zh" else verdict.missing_en))


def readings_section(site, target: str | None, *, key: str, required: bool = True, gate: bool = True) -> dict:
    """The gate notice for ``target``, the fields that status requires, and the readings entry.

    Parameters
    ----------
    required, gate : bool
        Show the inputs of the fields the change requires, and the gate notice (the one status form
        shows both itself and passes False).

    Returns
    -------
    dict
        The attribute changes the status change carries (e.g. the satisfaction survey for 长治久清).
    """
    from ui.session import current_actor, get_store

    store, actor = get_store(), current_actor()
    changes = required_inputs(site, target, key=f"{key}_req") if target and required else {}
    if target and gate:
        gate_notice(store, actor, site, target)
    for spec in observation_specs_for(site.kind):
        _entry(store, actor, site, spec, key=f"{key}_{spec.key}")
    return changes


def monitoring_entries(site, *, key: str) -> None:
    """The entry of each monitoring table of the site's kind (nothing for kinds without one); saved apart."""
    from ui.session import current_actor, get_store

    specs = observation_specs_for(site.kind)
    if not specs:
        return
    store, actor = get_store(), current_actor()
    for spec in specs:
        _entry(store, actor, site, spec, key=f"{key}_{spec.key}")


def required_inputs(site, target: str, *, key: str) -> dict:
    """Inputs for the fields the transition to ``target`` requires (a survey's figure and date ...)."""
    spec, lg = get_spec(site.kind), lang()
    tr = spec.transition(site.status, target)
    out = {}
    for name in tr.requires if tr else ():
        fld = spec.field(name)
        current = site.attrs.get(name)
        if fld.type == "date":
            value = st.date_input(fld.label(lg), value=None, max_value=today_cst(), key=f"{key}_{name}")
            out[name] = value.isoformat() if value else None
        elif fld.type in ("int", "float"):
            out[name] = st.number_input(fld.label(lg), value=current, min_value=0.0, max_value=100.0 if fld.unit == "%"
                                        else None, step=1.0, key=f"{key}_{name}", placeholder="—")
        else:
            out[name] = st.text_input(fld.label(lg), value=current or "", key=f"{key}_{name}") or None
    return {k: v for k, v in out.items() if v is not None}


def capture_context(site, fix) -> dict:
    """Where the readings were entered, for their audit row: the device position of the page (a GPS fix, or a
    point tapped on the map) and whether it is on site — judged as a status change's evidence is
    (:func:`ui.status_form.evidence_for`)."""
    from ui.status_form import distance_to, evidence_for

    evidence = evidence_for(fix, distance_to(site, fix))
    return {"via": "app", "fix": None if not fix else {
        "lon": evidence.lon, "lat": evidence.lat, "accuracy_m": evidence.accuracy_m,
        "distance_m": evidence.distance_m, "source": fix.get("source")}, "remote": evidence.remote}


def may_record(actor, site) -> bool:
    """Whether ``actor`` may record readings of ``site`` (only then is a draft kept)."""
    return policy.allows(actor, "record_observations", {site.town_code})


def _restore_draft(site, spec, key: str) -> None:
    """Put a draft the browser kept back into the entry ``key`` (before its widgets exist).

    The entry gets fresh widget keys: the date, time and common fields take the draft's values, and the
    draft's rows become the data of a new data editor (kept in session state until they are saved).
    """
    draft = pending_draft(keeper_key(site.site_id, spec.key))
    if draft is None:
        return
    content = entry_content(spec, draft.get("values") or {})
    gens = st.session_state.setdefault(GENS, {})
    gens[key] = gens.get(key, 0) + 1
    k = f"{key}_{gens[key]}"
    if content.day is not None and content.day <= today_cst():
        st.session_state[f"{k}_date"] = content.day
    if content.when is not None:
        st.session_state[f"{k}_time"] = content.when
    for f in entry_columns(spec)[1]:
        value = content.common.get(f.name)
        if value is not None:
            st.session_state[f"{k}_{f.name}"] = (t("yes") if value else t("no")) if f.type == "bool" else value
    st.session_state.setdefault(HELD, {})[key] = content.rows


def _keeper(actor, site, spec, k: str, content: EntryContent) -> None:
    """The hidden keeper of the entry's draft, told what the entry holds now (and to clear after a save)."""
    kk = keeper_key(site.site_id, spec.key)
    texts = {f"{k}_{f.name}": COMMON + f.name for f in entry_columns(spec)[1] if f.type != "bool"}
    draft_keeper(kk, account=actor.name, site_id=draft_name(site.site_id, spec.key), version=None,
                 values=draft_values(spec, content), watch=texts,
                 clear=st.session_state.setdefault(CLEARS, {}).pop(kk, None))


def _entry(store, actor, site, spec, *, key: str) -> None:
    lg = lang()
    ops = st.session_state.setdefault("rd_ops", {})
    keep = may_record(actor, site)  # drafts only for those who may record readings
    if keep:
        _restore_draft(site, spec, key)
    drafts = st.session_state.setdefault(GENS, {})
    held = st.session_state.setdefault(HELD, {})
    k = f"{key}_{drafts.get(key, 0)}"
    ops.setdefault(key, uuid.uuid4().hex)
    saved = st.session_state.get("rd_saved")
    if saved and saved.get("key") == key:
        st.success(saved["text"])
    readings = spec.key == "black_odorous_readings"
    slot = st.container(key=f"hidden_rdslot_{key}") if keep else None  # rendered even while collapsed
    with st.expander(t("rd_section") if readings else t("rd_section_generic", table=spec.label(lg)),
                     expanded=key in held):
        st.caption(t("rd_help") if readings else (spec.description_zh if lg == "zh" else spec.description_en))
        if key in held:
            st.caption(t("rd_restored"))
        c1, c2 = st.columns(2)
        st.session_state.setdefault(f"{k}_date", today_cst())
        day = c1.date_input(t("rd_month") if spec.period == "month" else t("rd_date"),
                            max_value=today_cst(), key=f"{k}_date")
        if spec.has_time:
            st.session_state.setdefault(f"{k}_time", time(9, 0))
        when = c2.time_input(t("rd_time"), key=f"{k}_time") if spec.has_time else None
        per_row, common = entry_columns(spec)
        common_values = {}
        cols = st.columns(max(1, len(common)))
        for col, f in zip(cols, common):
            if f.type == "bool":  # 是 / 否 / not given
                pick = col.selectbox(f.label(lg), ["—", t("yes"), t("no")], key=f"{k}_{f.name}")
                common_values[f.name] = None if pick == "—" else pick == t("yes")
            else:
                common_values[f.name] = col.text_input(f.label(lg), key=f"{k}_{f.name}")
        frame = st.data_editor(
            rows_frame(per_row, held.get(key, [])), num_rows="dynamic", key=f"{k}_rows", width="stretch",
            hide_index=True,
            column_config={f.name: st.column_config.Column(t("rd_" + f.name) if ("rd_" + f.name) in _keys()
                                                           else f.label(lg)) for f in per_row})
        records = frame.to_dict("records")
        if keep:
            with slot:
                _keeper(actor, site, spec, k, EntryContent(day, when, common_values, records))
        common_now = {n: (v.strip() or None) if isinstance(v, str) else v for n, v in common_values.items()}
        rows = [NewObservation(site.site_id, day.isoformat(), when.strftime("%H:%M") if when else None,
                               {**row, **common_now}) for row in draft_rows(per_row, records)]
        if rows:
            _preview(store, actor, site, spec, rows)
        if not st.button(t("rd_save"), key=f"{k}_save", width="stretch"):
            return
        if not rows:
            st.warning(t("rd_empty"))
            return
        try:
            result = store.record_observations(actor, spec.key, rows, op_id=ops[key], source="field",
                                               context=capture_context(site, st.session_state.get(FIX_KEY)))
        except OneMapError as exc:
            st.error(exc.message(lg))
            if exc.fix(lg):
                st.caption(exc.fix(lg))
            return
        text = t("rd_saved", n=len(result.obs_ids))
        for change in result.status_changes:
            text += " " + t("rd_status_changed", status=get_spec(site.kind).status(change["to"]).label(lg))
        st.session_state["rd_saved"] = {"key": key, "text": text}
        st.session_state.setdefault(CLEARS, {})[keeper_key(site.site_id, spec.key)] = ops[key]
        held.pop(key, None)
        ops[key] = uuid.uuid4().hex
        drafts[key] = drafts.get(key, 0) + 1
        st.rerun()


def _keys():
    from ui.i18n import STRINGS

    return STRINGS


def _preview(store, actor, site, spec, rows) -> None:
    """The grade the campaign of the new rows will have once saved (stored rows and new ones together)."""
    lg = lang()
    try:
        stored = store.list_observations(actor, spec.key, [site.site_id])
        fresh = [Observation(spec.key, -(i + 1), r.site_id, r.observed_on, r.observed_time, r.values)
                 for i, r in enumerate(rows)]
        assessed = rules_for(spec).assess(site, stored + fresh)
    except (OneMapError, ValueError, TypeError) as exc:
        st.error(exc.message(lg) if isinstance(exc, OneMapError) else str(exc))
        return
    day = rows[0].observed_on
    for a in assessed:
        if a.start.isoformat() <= day <= a.end.isoformat():
            label = getattr(getattr(a, "campaign", None), "label", day)
            st.info(t("rd_preview", label=label, grade=a.grade_text(lg), rule=a.rule_text(lg)))
            for n in a.notices:
                st.caption(n.zh if lg == "zh" else n.en)
