"""Inputs for fields as the layer spec declares them: one widget per field type, dependent choices, photo uploads.

Data-driven: what a change asks for is the transition's ``requires`` (marked required) and ``offers``;
a dependent choice (``Field.depends_on``) lists only the choices under its parent's value; a photo field
(``Field.photo``) is an upload whose file is stored when the change is saved (:func:`store_photo_fields`).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from ui.i18n import lang, t


def field_input(spec, fld, current, key: str, *, parent_value=None, required: bool = False):
    """One input for ``fld`` showing ``current``; returns the value (an UploadedFile for a photo field)."""
    lg = lang()
    label = fld.label(lg) + (" *" if required else "")
    if fld.photo:
        return st.file_uploader(label, type=["jpg", "jpeg", "png", "webp"], key=key,
                                help=t("photo_field_help") if current else None)
    if fld.type == "choice":
        options = [c.code for c in (fld.choices_under(parent_value) if fld.depends_on else fld.choices)]
        index = options.index(current) if current in options else None
        return st.selectbox(label, options, index=index, key=key, placeholder=t("choose"),
                            format_func=lambda c: fld.choice(c).label(lg))
    if fld.type == "bool":
        return st.toggle(label, value=bool(current), key=key)
    if fld.type == "date":
        value = date.fromisoformat(str(current)[:10]) if current else None
        picked = st.date_input(label, value=value, key=key, format="YYYY-MM-DD")
        return picked.isoformat() if isinstance(picked, date) else None
    if fld.type in ("int", "float"):
        return st.number_input(label, value=current, key=key, step=1 if fld.type == "int" else 1.0,
                               placeholder="—")
    if fld.multiline:
        return st.text_area(label, value=current or "", key=key, height=90)
    return st.text_input(label, value=current or "", key=key)


def fields_input(spec, attrs, names, key: str, *, required=()) -> dict:
    """Inputs for the fields ``names`` (in spec order, parents before their dependents); their values.

    Unchanged and empty values are left out, so the result is what the user changed.
    """
    ordered = [f for f in spec.fields if f.name in set(names)]
    values: dict = {}
    for fld in ordered:
        parent_value = None
        if fld.depends_on:
            parent_value = values.get(fld.depends_on, attrs.get(fld.depends_on))
        values[fld.name] = field_input(spec, fld, attrs.get(fld.name), f"{key}_{fld.name}",
                                       parent_value=parent_value, required=fld.name in required)
    out = {}
    for name, value in values.items():
        fld = spec.field(name)
        if fld.photo:
            if value is not None:
                out[name] = value
            continue
        if value is None or value == "" or value == attrs.get(name):
            continue
        if fld.type == "bool" and not value and attrs.get(name) is None:
            continue
        out[name] = value
    return out


def transition_inputs(spec, site, target: str, key: str) -> dict:
    """The inputs a change of ``site`` to ``target`` asks for: required fields first, then the offered ones."""
    tr = spec.transition(site.status, target)
    if tr is None:
        return {}
    names = list(tr.requires) + [n for n in tr.offers if n not in tr.requires]
    if not names:
        return {}
    return fields_input(spec, site.attrs, names, f"{key}_{target}", required=tr.requires)


def store_photo_fields(store, spec, changes: dict) -> dict:
    """Store every uploaded photo in ``changes`` and put its hash in its place (other values unchanged)."""
    out = dict(changes)
    photo_fields = [f.name for f in spec.fields if f.photo and f.name in out]
    if not photo_fields:
        return out
    from geo.photos import store_photo

    root = store.photos_dir
    for name in photo_fields:
        out[name] = store_photo(out[name].getvalue(), root).sha256
    return out
