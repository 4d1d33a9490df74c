"""What each kind asks for in the field: the inputs of the inspection form, per kind.

Returns the attribute changes for the store (and a line for the note). Black-odorous readings are
monitoring data, saved apart through :mod:`ui.readings_form`; the status change is judged on them.
"""

from __future__ import annotations

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
        from ui.readings_form import readings_section  # monitoring data: the status follows the readings

        changes.update(readings_section(site, target, key=f"{key}_readings"))
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
