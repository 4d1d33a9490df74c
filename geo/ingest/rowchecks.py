"""What one row says, checked against the layer spec: kind, id, text, town, status, dates, fields (pure).

In the order a row is checked:

1. a 点位类型 column naming another kind refuses the row (``row.other_kind``);
2. the id (编号): another kind's prefix or an id the store holds for another
   kind is refused (blank ids and ids twice in the file are settled over the
   whole file, :mod:`geo.ingest.candidates`);
3. name, town (normalised and checked against the official list; a town name
   and a town code that disagree are refused), status (labels and usual
   synonyms; blank means the kind's first status for a new site, unchanged for
   an update), responsible body, deadline, every field of the spec (required,
   type, choices). Text is put in NFC; control characters (NUL, ESC, BEL, the
   hidden direction marks) are removed with a warning (``text.control_removed``);
   text longer than its field's limit (``layers/spec.py``) refuses the row
   (``text.too_long``);
4. the geometry (:mod:`geo.ingest.rowcoords`).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from shapely.geometry.base import BaseGeometry

from geo import towns as town_list
from geo.domain.rules import stale_dependents, state_problems
from geo.domain.text import describe, normalise
from geo.errors import NotFoundError, ValidationError
from geo.ingest import coords as C
from geo.ingest import values as V
from geo.ingest.collect import RowProblems, cell, is_placeholder
from geo.ingest.columns import IGNORE, ColumnMapping
from geo.ingest.rowcoords import boundary_check, row_geometry
from geo.ingest.table import RawRow, RawTable
from geo.store.base import Site
from layers import REGISTRY, get_spec, spec_for_site_id
from layers.spec import ID_MAX_LENGTH, Field, LayerSpec, common_field

__all__ = ["check_row", "kind_of_label"]

_ID_OK = re.compile(rf"[^\s\x00-\x1f\x7f]{{1,{ID_MAX_LENGTH}}}")


def kind_of_label(text: Any) -> str | None:
    """The kind key a 点位类型 cell names, or None."""
    key = V.match_key(text)
    for spec in REGISTRY.values():
        if key in {V.match_key(n) for n in spec.names()}:
            return spec.key
    return None


def check_row(raw: RawRow, rp: RowProblems, spec: LayerSpec, table: RawTable, mapping: ColumnMapping,
              crs: C.CrsChoice, existing: Mapping[str, Site], boundaries: Mapping[str, BaseGeometry]) -> dict:
    """Everything a row says, checked; problems go to ``rp``. Keys present = columns present."""
    data: dict[str, Any] = {}
    for h in raw.formula_missing:
        if mapping.targets.get(h) not in (None, IGNORE):
            rp.add("cell.formula_no_value", h)
    # 1. Rows of another kind.
    kh, kv = cell(raw, mapping, "kind_label")
    if kh and not V.is_blank(kv):
        other = kind_of_label(kv)
        if other and other != spec.key:
            o = REGISTRY[other]
            rp.add("row.other_kind", kh, value=kv, other_zh=o.zh, other_en=o.en, kind_zh=spec.zh, kind_en=spec.en)
            return data
    # 2. Id.
    _site_id(raw, rp, spec, mapping, existing, data)
    before = existing.get(data.get("site_id", "")) if data.get("site_id") else None
    if before is not None and before.kind != spec.key:
        before = None
    # 3. Name, town, status, responsible, deadline.
    nh, nv = cell(raw, mapping, "name")
    if nh:
        name = _text(rp, nh, nv, common_field("name"))
        if name is not _REFUSED:
            if not name:
                _required(rp, spec, nh, "名称", "Name")
            else:
                data["name"] = name
    elif before is None:
        _required(rp, spec, "", "名称", "Name", missing_column=True)
    _town(raw, rp, mapping, data, before)
    _status(raw, rp, spec, mapping, data, before)
    rh, rv = cell(raw, mapping, "responsible")
    if rh:
        responsible = _text(rp, rh, rv, common_field("responsible"))
        if responsible is not _REFUSED:
            data["responsible"] = responsible
    dh, dv = cell(raw, mapping, "deadline")
    if dh:
        if V.is_blank(dv) or is_placeholder(dv):
            data["deadline"] = None
        else:
            try:
                data["deadline"] = V.parse_date("完成时限", "Deadline", dv)
            except ValidationError as exc:
                rp.error(exc, dh)
    # 4. Fields of the spec (with what the row says only implicitly filled in: values.complete_cells).
    data["attrs"] = _fields(raw, rp, spec, mapping, before)
    _state_rules(rp, spec, mapping, data, before)
    # 5. Geometry.
    geom = row_geometry(raw, rp, spec, table, mapping, crs, before)
    if geom is not None:
        data["geometry"] = geom
        if boundaries and data.get("town_code"):
            boundary_check(rp, geom, data["town_code"], boundaries, mapping.column("town") or "")
    return data


def _site_id(raw: RawRow, rp: RowProblems, spec: LayerSpec, mapping: ColumnMapping, existing: Mapping[str, Site],
             data: dict) -> None:
    ih, iv = cell(raw, mapping, "site_id")
    if not ih:
        return
    try:
        sid = V.clean_id(iv)
    except ValidationError as exc:
        rp.error(exc, ih)
        return
    if not sid:
        return
    if isinstance(iv, float) and abs(iv) >= 1e15:
        rp.add("site_id.number_precision", ih, value=iv)
    elif not _ID_OK.fullmatch(sid):
        rp.add("site_id.invalid", ih, value=sid, limit=ID_MAX_LENGTH)
    else:
        other = spec_for_site_id(sid)
        stored = existing.get(sid)
        if stored is not None and stored.kind != spec.key:
            o = get_spec(stored.kind)
            rp.add("site_id.other_kind|stored", ih, value=sid, other_zh=o.zh, other_en=o.en, kind_zh=spec.zh,
                   kind_en=spec.en)
        elif other is not None and other.key != spec.key and "-" in sid:
            rp.add("site_id.other_kind|prefix", ih, value=sid, prefix=other.code_prefix, other_zh=other.zh,
                   other_en=other.en, kind_zh=spec.zh, kind_en=spec.en, own_prefix=spec.code_prefix)
        else:
            data["site_id"] = sid


class _Refused:
    """Marker: the cell's text was refused (its problem is added)."""


_REFUSED = _Refused()


def _text(rp: RowProblems, column: str, value: Any, fld: Field, *, clean: Any = None) -> Any:
    """The cell as stored text: trimmed (:func:`V.clean_text`), NFC, control characters removed with a warning,
    within the field's limit; ``_REFUSED`` after adding its problem. ``clean``: an already cleaned value."""
    try:
        text = V.clean_text(value) if clean is None else clean
    except ValidationError as exc:
        rp.error(exc, column)
        return _REFUSED
    if not text:
        return text
    text, removed = normalise(text, multiline=fld.multiline)  # a plan keeps its lines
    if removed:
        rp.add("text.control_removed", column, value=text, n=len(removed), chars=describe(removed),
               field_zh=fld.zh, field_en=fld.en, severity="warning")
    limit = fld.limit
    if limit is not None and len(text) > limit:
        rp.add("text.too_long", column, value=text, n=f"{len(text):,}", limit=limit, field_zh=fld.zh,
               field_en=fld.en)
        return _REFUSED
    _formula_warning(rp, column, text)
    return text


def _fields(raw: RawRow, rp: RowProblems, spec: LayerSpec, mapping: ColumnMapping, before: Site | None) -> dict:
    attrs: dict[str, Any] = {}
    cells, notes = V.complete_cells(spec, {f.name: cell(raw, mapping, f.name) for f in spec.fields},
                                    cell(raw, mapping, "status"))
    for n in notes:
        rp.add(n.key, n.column, value=n.value, severity=n.severity, **n.params)
    for fld in spec.fields:
        fh, fv = cells[fld.name]
        if fh is None:
            if fld.required and before is None:
                _required(rp, spec, "", fld.zh, fld.en, missing_column=True)
            continue
        try:
            value = V.coerce_field(spec, fld, fv)
        except ValidationError as exc:
            if fld.type in ("text", "bool") or not is_placeholder(fv):
                rp.error(exc, fh)
                continue
            value = None  # "-", "/", "无" … in a number, date or choice column: left empty
        if isinstance(value, str) and fld.type == "text":
            value = _text(rp, fh, fv, fld, clean=value)
            if value is _REFUSED:
                continue
            value = value or None
        if value is None and fld.required:
            _required(rp, spec, fh, fld.zh, fld.en)
            continue
        attrs[fld.name] = value
    return attrs


def _state_rules(rp: RowProblems, spec: LayerSpec, mapping: ColumnMapping, data: dict, before: Site | None) -> None:
    """The spec's cross-field rules on the row's result (the stored site with the row's values over it)."""
    if rp.failed:
        return
    if before is not None:
        for name in stale_dependents(spec, before.attrs, data["attrs"]):
            fld, parent = spec.field(name), spec.field(spec.field(name).depends_on)
            old = fld.choice(before.attrs[name])
            data["attrs"][name] = None
            rp.add("field.dependent_cleared", mapping.column(parent.name) or "", value=old.zh, old_zh=old.zh,
                   old_en=old.en, parent_zh=parent.zh, parent_en=parent.en, field_zh=fld.zh, field_en=fld.en,
                   severity="warning")
    attrs = {**(before.attrs if before is not None else {}), **data["attrs"]}
    status = data.get("status") or (before.status if before is not None else spec.initial_status)
    for p in state_problems(spec, status, attrs):
        column = next((mapping.column(f) for f in p.fields if mapping.column(f)), None) or mapping.column("status") or ""
        rp.stated(p, column)


def _required(rp: RowProblems, spec: LayerSpec, column: str, zh: str, en: str, *, missing_column: bool = False) -> None:
    key = "field.required|missing_column" if missing_column else "field.required"
    rp.add(key, column, kind_zh=spec.zh, kind_en=spec.en, field_zh=zh, field_en=en)


def _formula_warning(rp: RowProblems, column: str, text: str) -> None:
    if text[:1] in ("=", "+", "@"):
        rp.add("text.formula_like", column, value=text, first=text[0], severity="warning")


def _town(raw: RawRow, rp: RowProblems, mapping: ColumnMapping, data: dict, before: Site | None) -> None:
    th, tv = cell(raw, mapping, "town")
    ch, cv = cell(raw, mapping, "town_code")
    found: list[tuple[str, str]] = []
    for h, v in ((th, tv), (ch, cv)):
        if h and not V.is_blank(v):
            text = v
            if isinstance(v, float) and v.is_integer():
                text = str(int(v))
            try:
                found.append((h, town_list.resolve_town(str(text)).code))
            except NotFoundError as exc:
                hint = exc.context.get("suggestions") or []
                rp.add("town.unknown", h, value=v,
                       hint_zh=("改为规范名称，如 " + "、".join(hint)) if hint else
                       "改为规范的镇街名称（如 玉屏街道、海口镇）或统计用区划代码。",
                       hint_en=("Use the official name, e.g. " + ", ".join(hint)) if hint else
                       "Use the official name (e.g. 玉屏街道, 海口镇) or the statistics code.")
                return
    if len(found) == 2 and found[0][1] != found[1][1]:
        a, b = found
        ta, tb = town_list.town_by_code(a[1]), town_list.town_by_code(b[1])
        rp.add("town.conflict", f"{a[0]}/{b[0]}", a=a[0], b=b[0], town_a_zh=ta.name_zh, town_b_zh=tb.name_zh,
               town_a_en=ta.name_en, town_b_en=tb.name_en)
        return
    if found:
        data["town_code"] = found[0][1]
    elif th or ch:
        rp.add("field.required|town", th or ch or "")
    elif before is None:
        rp.add("field.required|town_column", "")


def _status(raw: RawRow, rp: RowProblems, spec: LayerSpec, mapping: ColumnMapping, data: dict,
            before: Site | None) -> None:
    found: list[tuple[str, str]] = []
    for target in ("status", "status_code"):
        h, v = cell(raw, mapping, target)
        if h and not V.is_blank(v):
            try:
                found.append((h, V.parse_status(spec, v)))
            except ValidationError as exc:
                rp.error(exc, h)
                return
    if len(found) == 2 and found[0][1] != found[1][1]:
        sa, sb = spec.status(found[0][1]), spec.status(found[1][1])
        rp.add("status.conflict", f"{found[0][0]}/{found[1][0]}", a=found[0][0], b=found[1][0],
               status_a_zh=sa.zh, status_b_zh=sb.zh, status_a_en=sa.en, status_b_en=sb.en)
        return
    if found:
        data["status"] = found[0][1]
        note = V.status_note(spec, cell(raw, mapping, "status")[1])
        if note:
            rp.add(note, found[0][0], value=str(cell(raw, mapping, "status")[1]).strip(), severity="warning")
        if before is not None:
            old, new = spec.status(before.status), spec.status(found[0][1])
            if new.step < old.step:
                rp.add("status.backwards", found[0][0], old_zh=old.zh, new_zh=new.zh, old_en=old.en, new_en=new.en,
                       severity="warning")
    elif before is None:
        data["status"] = spec.initial_status
        col = mapping.column("status") or mapping.column("status_code") or ""
        first = spec.status(spec.initial_status)
        rp.add("status.defaulted", col, status_zh=first.zh, status_en=first.en, severity="warning")
