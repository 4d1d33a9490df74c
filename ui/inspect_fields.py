"""What each kind asks for in the field: the kind inputs of the status form, none of them pre-filled.

Two sources, both declared in the layer specs:

* what the chosen change declares (:class:`layers.spec.Transition`): the fields it ``requires``
  (marked ``*``, they must be entered in the form: a value recorded earlier is not taken silently)
  and those it ``offers`` (optional) — e.g. an outfall's remediation method and plan on 整治中, the
  规范化 items with a photo each on 整治完成, the 销号 record, the reason for 排查核销;
* what a kind observes on every visit (:data:`KIND_FIELDS`), e.g. black odour seen at an outfall.

Every input starts empty ("请选择", a blank number or date, neither 是 nor 否): only what the
inspector enters is recorded; the current values are shown beside the inputs as text. A dependent
choice (``Field.depends_on``) lists only the choices under its parent's value. A photo field is an
upload (the form stores the file at once and keeps its hash; see ``photo_input``).

Black-odorous readings are monitoring data, saved apart through :mod:`ui.readings_form` (through the
store, each save with who and when); the status change is judged on them by the evidence gates.

Inputs are keyed ``f"{key}_{field}"``; :func:`field_keys` lists them so the form can keep and
restore a draft.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import streamlit as st

from layers import get_spec
from ui.i18n import lang, t
from ui.session import md_escape

#: The observations each kind asks for on every change (the black-odorous readings table is apart).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "outfalls": ("black_odour_seen",),
    "black_odorous": (),
    "shore_power_berths": ("capacity_kva", "connections", "energy_kwh", "period"),
    "parks": ("circular_retrofit", "online_monitoring"),
    "clean_fuel_zones": ("coal_boilers_remaining",),
}

YES_NO = ("yes", "no")


@dataclass
class KindInput:
    """What the kind inputs gave: attribute changes, a line for the note, required fields left empty."""

    changes: dict = field(default_factory=dict)
    note: str = ""
    missing: list[str] = field(default_factory=list)


def transition_fields(spec, status: str, target: str | None) -> tuple[str, ...]:
    """The fields a change from ``status`` to ``target`` declares (required and offered), in spec order."""
    tr = spec.transition(status, target) if target else None
    if tr is None:
        return ()
    wanted = set(tr.requires) | set(tr.offers)
    return tuple(f.name for f in spec.fields if f.name in wanted)


def _declared(spec) -> set[str]:
    """Every field some change of the kind declares."""
    return {n for tr in spec.transitions for n in (*tr.requires, *tr.offers)}


def form_fields(spec, status: str, target: str | None) -> tuple[str, ...]:
    """The inputs the form shows for a change to ``target``: the change's fields, then the kind's observations."""
    declared = transition_fields(spec, status, target)
    return declared + tuple(n for n in KIND_FIELDS.get(spec.key, ()) if n not in declared)


def field_keys(kind: str, key: str) -> dict[str, str]:
    """Field name -> widget key of every non-photo input the kind's form may show."""
    spec = get_spec(kind)
    names = [f.name for f in spec.fields if (f.name in _declared(spec) or f.name in KIND_FIELDS.get(kind, ()))
             and not f.photo]
    return {name: f"{key}_{name}" for name in names}


def photo_fields(kind: str) -> tuple[str, ...]:
    """The photo fields some change of the kind offers (each an upload of its own)."""
    spec = get_spec(kind)
    declared = _declared(spec)
    return tuple(f.name for f in spec.fields if f.photo and f.name in declared)


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
    if fld.type == "date":
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            return None
    return str(value)


def draft_value(value):
    """A widget's value as a draft keeps it (JSON: a date as its ISO text)."""
    return value.isoformat() if isinstance(value, date) else value


def _current_line(spec, site, names) -> str:
    from ui.site_view import display_value

    lg = lang()
    parts = [f"{spec.field(n).label(lg)} {md_escape(display_value(spec.field(n), site.attrs.get(n), lg))}" for n in names
             if site.attrs.get(n) not in (None, "") and not spec.field(n).photo]
    return t("sf_current", values="；".join(parts)) if parts else ""


def _label(fld, required: bool) -> str:
    return fld.label(lang()) + (" *" if required else "")


def _choice(fld, key: str, label: str, parent_value=None):
    lg = lang()
    choices = fld.choices_under(parent_value) if fld.depends_on else fld.choices
    codes = [c.code for c in choices]
    if key in st.session_state and st.session_state[key] not in codes:
        del st.session_state[key]  # chosen under another parent value: no longer valid
    return st.selectbox(label, codes, index=None, key=key, format_func=lambda c: fld.choice(c).label(lg),
                        placeholder=t("choose"))


def _yes_no(key: str, label: str):
    """Neither yes nor no until the inspector says (a bool recorded only when observed)."""
    value = st.segmented_control(label, list(YES_NO), key=key,
                                 format_func=lambda v: t("yes") if v == "yes" else t("no"))
    return None if value is None else value == "yes"


def _number(fld, key: str, label: str):
    integer = fld.type == "int"
    return st.number_input(label, value=None, min_value=0 if integer else 0.0,
                           step=1 if integer else 1.0, key=key, placeholder="—")


def _date(key: str, label: str):
    picked = st.date_input(label, value=None, key=key, format="YYYY-MM-DD")
    return picked.isoformat() if isinstance(picked, date) else None


def _text(fld, key: str, label: str):
    if fld.multiline:
        return (st.text_area(label, key=key, height=90) or "").strip() or None
    return (st.text_input(label, key=key) or "").strip() or None


def kind_inputs(site, target: str | None, *, key: str, readings_key: str | None = None,
                photo_input: Callable | None = None) -> KindInput:
    """Render the inputs for a change of ``site`` to ``target`` (None: not chosen yet).

    Parameters
    ----------
    readings_key : str, optional
        Widget key of the monitoring entry of a kind that has one (black-odorous readings).
    photo_input : callable, optional
        ``photo_input(field, label)`` renders the upload of a photo field and returns the stored
        photo's hash (or None); without it photo fields are not shown.
    """
    spec = get_spec(site.kind)
    tr = spec.transition(site.status, target) if target else None
    required = set(tr.requires) if tr else set()
    out = KindInput()
    names = form_fields(spec, site.status, target)
    keys = field_keys(site.kind, key)
    for name in names:
        fld = spec.field(name)
        label = _label(fld, name in required)
        if fld.photo:
            value = photo_input(fld, label) if photo_input else None
        elif fld.type == "choice":
            parent = out.changes.get(fld.depends_on, site.attrs.get(fld.depends_on)) if fld.depends_on else None
            value = _choice(fld, keys[name], label, parent)
        elif fld.type == "bool":
            value = _yes_no(keys[name], label)
        elif fld.type in ("int", "float"):
            value = _number(fld, keys[name], label)
        elif fld.type == "date":
            value = _date(keys[name], label)
        else:
            value = _text(fld, keys[name], label)
        if value is not None:
            out.changes[name] = value
        elif name in required:
            out.missing.append(fld.label(lang()))
    line = _current_line(spec, site, names)
    if line:
        st.caption(line)
    if site.kind == "black_odorous":
        from ui.readings_form import readings_section  # monitoring data: the status follows the readings

        # The form asks for the change's required fields and says the gate itself: the entry only.
        out.changes.update(readings_section(site, target, key=readings_key or f"{key}_readings",
                                            required=False, gate=False))
    return out


def unmet_rules(spec, site, target: str | None, changes: dict) -> list:
    """The guards of the change, then the kind's error rules, that the state after it would break.

    Items carry ``code``, ``zh``, ``en``, ``fix_zh``, ``fix_en`` (a :class:`layers.spec.Rule` or a
    :class:`geo.domain.rules.StateProblem`): what the store would refuse the change with.
    """
    from geo.domain.rules import state_problems

    tr = spec.transition(site.status, target) if target else None
    if tr is None:
        return []
    merged = {**site.attrs, **changes}
    out = [g for g in tr.guards if not g.holds(tr.dst, merged)]
    seen = {g.code for g in out}
    return out + [p for p in state_problems(spec, tr.dst, merged) if p.is_error and p.code not in seen]
