"""From checked rows to candidate sites: ids settled over the file, compared with the store (pure).

An id twice in the file is refused on every row that has it; rows without an
id get the next free ``<prefix>-NNN`` with a warning. Each accepted row
becomes a :class:`Candidate`: a new id is a *create*, a known id an *update*
(shown as before → after) or *unchanged*.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import shapely
from shapely.geometry.base import BaseGeometry

from geo import towns as town_list
from geo.errors import NotFoundError
from geo.ingest import coords as C
from geo.ingest.collect import RowProblems
from geo.ingest.columns import ColumnMapping
from geo.ingest.rowchecks import check_row
from geo.ingest.rowcoords import canonical_geometry, same_geometry
from geo.ingest.table import RawRow, RawTable
from geo.store.base import NewSite, Site
from layers import get_spec
from layers.spec import LayerSpec

__all__ = ["Candidate", "diff_sites", "site_candidates"]

_COMMON_KEYS = ("name", "town_code", "status", "responsible", "deadline")


@dataclass
class Candidate:
    """One accepted row: the site to write and what it does to the store.

    Attributes
    ----------
    row : int
        As the user sees it.
    site : NewSite
        Complete (for an update: the file's values over the stored ones).
    action : {"create", "update", "unchanged"}
    before : Site or None
        The stored site (updates and unchanged rows).
    changes : dict
        Field -> (before, after), in display form (labels), for updates.
    generated_id : bool
        The id was made up because the row had none.
    layer : str
    """

    row: int
    site: NewSite
    action: str
    before: Site | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    generated_id: bool = False
    layer: str = ""

    @property
    def expected_version(self) -> int | None:
        return None if self.before is None else self.before.version


def site_candidates(kind: str, table: RawTable, mapping: ColumnMapping, crs: C.CrsChoice,
                    existing: Mapping[str, Site], boundaries: Mapping[str, BaseGeometry]):
    """Check every row of ``table`` as a site of ``kind``; return (candidates, problems) in row order."""
    spec = get_spec(kind)
    rows_out: list[tuple[RawRow, RowProblems, dict[str, Any]]] = []
    for raw in table.rows:
        rp = RowProblems(raw)
        rows_out.append((raw, rp, check_row(raw, rp, spec, table, mapping, crs, existing, boundaries)))
    by_id: dict[str, list[RawRow]] = {}
    for raw, rp, data in rows_out:
        if data.get("site_id"):
            by_id.setdefault(data["site_id"], []).append(raw)
    id_col = mapping.column("site_id") or ""
    for sid, raws in by_id.items():
        if len(raws) > 1:
            for raw, rp, data in rows_out:
                if data.get("site_id") == sid:
                    others = "、".join(str(r.row) for r in raws if r is not raw)
                    rp.add("site_id.duplicate_in_file", id_col, value=sid, others=others)
    taken = set(existing) | set(by_id)
    next_no = _next_number(spec, taken)
    candidates: list[Candidate] = []
    problems = []
    for raw, rp, data in rows_out:
        if rp.failed:
            problems += rp.items
            continue
        generated = False
        if not data.get("site_id"):
            sid = f"{spec.code_prefix}-{next_no:03d}"
            while sid in taken:
                next_no += 1
                sid = f"{spec.code_prefix}-{next_no:03d}"
            taken.add(sid)
            next_no += 1
            data["site_id"] = sid
            generated = True
            rp.add("site_id.generated", id_col, value=sid, severity="warning")
        cand = _candidate(raw, rp, spec, data, existing.get(data["site_id"]), generated)
        problems += rp.items
        if cand is not None and not rp.failed:
            candidates.append(cand)
    return candidates, problems


def _next_number(spec: LayerSpec, taken: set[str]) -> int:
    best = 0
    pattern = re.compile(rf"{re.escape(spec.code_prefix)}-(\d+)$")
    for sid in taken:
        m = pattern.match(sid)
        if m:
            best = max(best, int(m.group(1)))
    return best + 1


def _candidate(raw: RawRow, rp: RowProblems, spec: LayerSpec, data: dict, before: Site | None,
               generated: bool) -> Candidate | None:
    if rp.failed:
        return None
    if before is None:
        site = NewSite(
            kind=spec.key, site_id=data["site_id"], name=data.get("name") or "", town_code=data.get("town_code") or "",
            status=data.get("status") or spec.initial_status, geometry=data.get("geometry"),
            deadline=data.get("deadline"), responsible=data.get("responsible"), is_sample=False,
            attrs={f.name: data["attrs"].get(f.name) for f in spec.fields},
        )
        return Candidate(row=raw.row, site=site, action="create", generated_id=generated, layer=raw.layer)
    attrs = dict(before.attrs)
    attrs.update(data["attrs"])
    site = NewSite(
        kind=spec.key, site_id=before.site_id, name=data.get("name", before.name),
        town_code=data.get("town_code", before.town_code), status=data.get("status", before.status),
        geometry=before.geometry, deadline=data["deadline"] if "deadline" in data else before.deadline,
        responsible=data["responsible"] if "responsible" in data else before.responsible, is_sample=False,
        attrs={f.name: attrs.get(f.name) for f in spec.fields},
    )
    new_geom = data.get("geometry")
    if new_geom is not None and not same_geometry(canonical_geometry(spec, before.geometry), new_geom):
        site = replace(site, geometry=new_geom)
    changes = diff_sites(spec, before, site)
    action = "update" if changes else "unchanged"
    return Candidate(row=raw.row, site=site, action=action, before=before,
                     changes={k: (_display(spec, k, a), _display(spec, k, b)) for k, (a, b) in changes.items()},
                     layer=raw.layer)


def diff_sites(spec: LayerSpec, before: Site, after: NewSite) -> dict[str, tuple[Any, Any]]:
    """Field -> (before, after) for everything an import would change (store values, geometry as objects)."""
    out: dict[str, tuple[Any, Any]] = {}
    for key in _COMMON_KEYS:
        a, b = getattr(before, key), getattr(after, key)
        if a != b:
            out[key] = (a, b)
    for f in spec.fields:
        a, b = before.attrs.get(f.name), after.attrs.get(f.name)
        if f.type == "bool":
            a = None if a is None else bool(a)
            b = None if b is None else bool(b)
        if f.type == "float" and a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=0,
                                                                                     abs_tol=1e-9):
            continue
        if a != b:
            out[f.name] = (a, b)
    if after.geometry is not before.geometry and not same_geometry(before.geometry, after.geometry):
        out["geometry"] = (before.geometry, after.geometry)
    if bool(before.is_sample) != bool(after.is_sample):
        out["is_sample"] = (bool(before.is_sample), bool(after.is_sample))
    return out


def _display(spec: LayerSpec, key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "status":
        try:
            return spec.status(value).zh
        except NotFoundError:
            return value
    if key == "town_code":
        try:
            return town_list.town_by_code(value).name_zh
        except NotFoundError:
            return value
    if key == "geometry":
        return _geom_summary(value)
    if key == "is_sample":
        return "示例数据" if value else "正式数据"
    fld = spec.field(key)
    if fld is not None and fld.type == "choice":
        c = fld.choice(value)
        return c.zh if c else value
    if fld is not None and fld.type == "bool":
        return "是" if value else "否"
    return value


def _geom_summary(g: BaseGeometry) -> str:
    if g.geom_type == "Point":
        return f"{g.x:.6f}, {g.y:.6f}"
    p = g.representative_point()
    return f"{g.geom_type}（{shapely.get_num_coordinates(g)} 个顶点，代表点 {p.x:.6f}, {p.y:.6f}）"
