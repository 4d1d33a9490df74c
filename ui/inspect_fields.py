"""What each kind asks for in the field: the inputs of the inspection form, per kind.

Returns the attribute changes for the store and, where readings are taken,
a line for the note (the readings' grade and the rule that decided it).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from layers import get_spec
from ui.i18n import lang, t


def _choice(fld, current, key: str):
    lg = lang()
    codes = [c.code for c in fld.choices]
    index = codes.index(current) if current in codes else None
    return st.selectbox(fld.label(lg), codes, index=index, key=key, format_func=lambda c: fld.choice(c).label(lg),
                        placeholder=t("choose"))


def _number(fld, current, key: str, integer: bool = False):
    return st.number_input(fld.label(lang()), value=current, min_value=0 if integer else 0.0,
                           step=1 if integer else 1.0, key=key, placeholder="—")


def kind_inputs(site, target: str, *, key: str) -> tuple[dict, str]:
    """Render the kind's field inputs for a change of ``site`` to ``target``; return (changes, note line)."""
    spec = get_spec(site.kind)
    a = site.attrs
    f = spec.field
    changes: dict = {}
    note = ""
    if site.kind == "outfalls":
        # What the change asks for is declared on the transition (requires, offers); see ui/spec_inputs.py.
        from ui.spec_inputs import transition_inputs

        changes.update(transition_inputs(spec, site, target, key))
        changes["black_odour_seen"] = st.toggle(f("black_odour_seen").label(lang()),
                                                value=bool(a.get("black_odour_seen")), key=f"{key}_odour")
    elif site.kind == "black_odorous":
        grade, note = readings_input(site, key=f"{key}_readings")
        if grade:
            changes["grade"] = grade
    elif site.kind == "shore_power_berths":
        c1, c2 = st.columns(2)
        changes["capacity_kva"] = _number(f("capacity_kva"), a.get("capacity_kva"), f"{key}_kva")
        changes["connections"] = c1.number_input(f("connections").label(lang()), value=a.get("connections"),
                                                 min_value=0, step=1, key=f"{key}_conn", placeholder="—")
        changes["energy_kwh"] = c2.number_input(f("energy_kwh").label(lang()), value=a.get("energy_kwh"),
                                                min_value=0.0, step=100.0, key=f"{key}_kwh", placeholder="—")
        changes["period"] = st.text_input(f("period").label(lang()), value=a.get("period") or "", key=f"{key}_period")
    elif site.kind == "parks":
        changes["circular_retrofit"] = _choice(f("circular_retrofit"), a.get("circular_retrofit"), f"{key}_retrofit")
        changes["online_monitoring"] = st.toggle(f("online_monitoring").label(lang()),
                                                 value=bool(a.get("online_monitoring")), key=f"{key}_monitoring")
    elif site.kind == "clean_fuel_zones":
        changes["coal_boilers_remaining"] = st.number_input(
            f("coal_boilers_remaining").label(lang()), value=a.get("coal_boilers_remaining"), min_value=0, step=1,
            key=f"{key}_boilers", placeholder="—")
    return {k: v for k, v in changes.items() if v is not None and v != ""}, note


READING_COLUMNS = ("point", "round", "transparency_cm", "depth_cm", "do_mg_l", "orp_mv", "nh3n_mg_l")


def readings_input(site, *, key: str) -> tuple[str | None, str]:
    """Water-quality readings per sampling point and round; the grade is shown before saving."""
    from geo.errors import OneMapError
    from geo.domain.grading import grade_table

    st.markdown(f"**{t('readings')}**")
    st.caption(t("readings_help"))
    empty = pd.DataFrame({c: pd.Series(dtype="object" if c == "point" else "float") for c in READING_COLUMNS})
    frame = st.data_editor(empty, num_rows="dynamic", key=key, width="stretch", hide_index=True,
                           column_config={c: st.column_config.Column(t("rd_" + c)) for c in READING_COLUMNS})
    rows = frame.dropna(how="all")
    if rows.empty:
        return None, ""
    try:
        # The whole table (empty rows included) so that error row numbers match the editor.
        result = grade_table(frame.to_dict("records"), body=site.site_id, first_row=1)
    except OneMapError as exc:
        st.error(exc.message(lang()))
        return None, ""
    label = {"heavy": t("grade_heavy"), "light": t("grade_light"), "none": t("grade_none")}[result.grade]
    st.info(t("grade_result", grade=label, rule=result.rule_text(lang())))
    for w in result.warnings(lang()):
        st.caption(w)
    return result.grade, t("grade_note", n=len(rows), grade=label, rule=result.rule_text("zh"))
