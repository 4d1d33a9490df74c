"""What each kind asks for in the field: the kind inputs of the status form, none of them pre-filled.

Every input starts empty ("请选择", a blank number, neither 是 nor 否): only
what the inspector enters is recorded; the current values are shown beside
the inputs as text. A field the chosen transition requires must be entered
in the form (a value recorded earlier is not taken silently).

Inputs are keyed ``f"{key}_{field}"``; :func:`field_keys` lists them so the
form can keep and restore a draft.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from layers import get_spec
from ui.i18n import lang, t

#: The inputs each kind shows (the black-odorous readings table is apart).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "outfalls": ("remediation_method", "black_odour_seen"),
    "black_odorous": (),
    "shore_power_berths": ("capacity_kva", "connections", "energy_kwh", "period"),
    "parks": ("circular_retrofit", "online_monitoring"),
    "clean_fuel_zones": ("coal_boilers_remaining",),
}

YES_NO = ("yes", "no")
READING_COLUMNS = ("point", "round", "transparency_cm", "depth_cm", "do_mg_l", "orp_mv", "nh3n_mg_l")


@dataclass
class KindInput:
    """What the kind inputs gave: attribute changes, a line for the note, required fields left empty."""

    changes: dict = field(default_factory=dict)
    note: str = ""
    missing: list[str] = field(default_factory=list)
    readings: list[dict] = field(default_factory=list)


def field_keys(kind: str, key: str) -> dict[str, str]:
    """Field name -> widget key of the kind inputs."""
    return {name: f"{key}_{name}" for name in KIND_FIELDS.get(kind, ())}


def widget_value(spec, name: str, value):
    """A draft's stored value as the input of field ``name`` takes it (None when it does not fit)."""
    fld = spec.field(name)
    if fld is None or value is None:
        return None
    if fld.type == "choice":
        return value if fld.choice(value) else None
    if fld.type == "bool":
        return value if value in YES_NO else None
    if fld.type in ("int", "float"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        if math.isnan(number) or number < 0:
            return None
        return int(number) if fld.type == "int" else number
    return str(value)


def _current_line(spec, site, names) -> str:
    from ui.site_view import display_value

    lg = lang()
    parts = [f"{spec.field(n).label(lg)} {display_value(spec.field(n), site.attrs.get(n), lg)}" for n in names
             if site.attrs.get(n) not in (None, "")]
    return t("sf_current", values="；".join(parts)) if parts else ""


def _choice(fld, key: str):
    lg = lang()
    return st.selectbox(fld.label(lg), [c.code for c in fld.choices], index=None, key=key,
                        format_func=lambda c: fld.choice(c).label(lg), placeholder=t("choose"))


def _yes_no(fld, key: str):
    """Neither yes nor no until the inspector says (a bool recorded only when observed)."""
    value = st.segmented_control(fld.label(lang()), list(YES_NO), key=key,
                                 format_func=lambda v: t("yes") if v == "yes" else t("no"))
    return None if value is None else value == "yes"


def _number(fld, key: str):
    integer = fld.type == "int"
    return st.number_input(fld.label(lang()), value=None, min_value=0 if integer else 0.0,
                           step=1 if integer else 1.0, key=key, placeholder="—")


def kind_inputs(site, target: str | None, *, key: str, readings_rows: list[dict] | None = None,
                readings_key: str | None = None) -> KindInput:
    """Render the kind's inputs for a change of ``site`` to ``target`` (None: not chosen yet)."""
    spec = get_spec(site.kind)
    required = set(spec.transition(site.status, target).requires) if target else set()
    out = KindInput()
    names = KIND_FIELDS.get(site.kind, ())
    keys = field_keys(site.kind, key)
    shown = []
    for name in names:
        fld = spec.field(name)
        if name == "remediation_method":
            # Asked when a step needs it, or to correct one recorded earlier.
            needed_somewhere = any("remediation_method" in tr.requires for tr in spec.allowed_next(site.status))
            if not (name in required or needed_somewhere or site.attrs.get(name)):
                continue
        shown.append(name)
        if fld.type == "choice":
            value = _choice(fld, keys[name])
        elif fld.type == "bool":
            value = _yes_no(fld, keys[name])
        elif fld.type in ("int", "float"):
            value = _number(fld, keys[name])
        else:
            value = st.text_input(fld.label(lang()), key=keys[name]).strip() or None
        if value is not None:
            out.changes[name] = value
        elif name in required:
            out.missing.append(fld.label(lang()))
    line = _current_line(spec, site, shown)
    if line:
        st.caption(line)
    if site.kind == "black_odorous":
        grade, out.note, out.readings = readings_input(site, key=readings_key or f"{key}_readings",
                                                       initial=readings_rows)
        if grade:
            out.changes["grade"] = grade
    for name in required - set(names):
        if site.kind != "black_odorous" and spec.field(name) and name not in out.changes:
            out.missing.append(spec.field(name).label(lang()))
    return out


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def readings_input(site, *, key: str, initial: list[dict] | None = None) -> tuple[str | None, str, list[dict]]:
    """Water-quality readings per sampling point and round; the grade is shown before saving.

    Returns (grade or None, a line for the note, the rows entered — kept in the draft).
    """
    from geo.errors import OneMapError
    from geo.domain.grading import grade_table

    st.markdown(f"**{t('readings')}**")
    st.caption(t("readings_help"))
    frame = pd.DataFrame({c: pd.Series(dtype="object" if c == "point" else "float") for c in READING_COLUMNS})
    if initial:
        frame = pd.concat([frame, pd.DataFrame([{c: r.get(c) for c in READING_COLUMNS} for r in initial])],
                          ignore_index=True).astype({c: "float" for c in READING_COLUMNS if c != "point"})
    frame = st.data_editor(frame, num_rows="dynamic", key=key, width="stretch", hide_index=True,
                           column_config={c: st.column_config.Column(t("rd_" + c)) for c in READING_COLUMNS})
    rows = frame.dropna(how="all")
    kept = [{c: _clean(r[c]) for c in READING_COLUMNS} for r in rows.to_dict("records")]
    if rows.empty:
        return None, "", kept
    try:
        # The whole table (empty rows included) so that error row numbers match the editor.
        result = grade_table(frame.to_dict("records"), body=site.site_id, first_row=1)
    except OneMapError as exc:
        st.error(exc.message(lang()))
        return None, "", kept
    label = {"heavy": t("grade_heavy"), "light": t("grade_light"), "none": t("grade_none")}[result.grade]
    st.info(t("grade_result", grade=label, rule=result.rule_text(lang())))
    for w in result.warnings(lang()):
        st.caption(w)
    return result.grade, t("grade_note", n=len(rows), grade=label, rule=result.rule_text("zh")), kept
