"""The field pack: what an inspector's device holds to work with no connection (pure).

Built from the sites the store lists for the inspector's towns and from the
layer and monitoring specs — never from a hand-kept copy: each kind's statuses (labels,
colours, steps, excluded), its fields (type, choices with their parent for a
dependent choice, unit, photo and multi-line flags), and the transitions its
workflow allows, each with the fields it requires, the fields its form offers
(:func:`_offered`), whether it needs a photo, and its guards' messages; and
each monitoring table as the readings entry lays it out (:func:`table_schema`).

JSON, versioned (:data:`PACK_FORMAT`), no time of generation inside: the same
data gives the same bytes, so the SHA-256 of the bytes is its ETag and a
device that has it gets ``304 Not Modified``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import date
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import shapely

from geo.domain.status import is_overdue
from layers import OBSERVATIONS, REGISTRY
from layers.observation import ObservationSpec
from layers.spec import LayerSpec

__all__ = ["PACK_FORMAT", "COORD_DECIMALS", "SHAPE_DECIMALS", "SIMPLIFY_DEG", "kind_schema", "table_schema", "site_entry",
           "build_pack", "encode_pack"]

#: The pack's format; a client that does not know it asks for a new app version. 2: each transition carries
#: what its form offers, whether it needs a photo and its guards; fields carry dependent choices and photo flags.
#: 3: the monitoring tables for the readings entry (``tables``); a client of format 2 ignores them.
PACK_FORMAT = 3
#: Points rounded to 6 decimals (about 0.1 m) ...
COORD_DECIMALS = 6
#: ... lines and polygons to 5 (about 1 m) and simplified within about 2 m: the device draws them and ranks
#: sites by distance with them; the evidence's distance is measured by the server on the stored geometry.
SHAPE_DECIMALS = 5
SIMPLIFY_DEG = 0.00002


def _declares_offers(spec: LayerSpec) -> bool:
    """Whether the kind's transitions say what their forms offer (else the form offers the kind's fields)."""
    return any(t.offers for t in spec.transitions)


def _offered(spec: LayerSpec, transition) -> list[str]:
    """The optional fields the form offers on ``transition``.

    A kind whose transitions declare ``offers`` gets exactly those on each change (a change that declares
    none asks only what it requires). A kind that declares none offers on every change each field that is
    not part of the site's identity (not required at creation) and does not hold a stored photo's hash
    (a photo field is offered only where a transition names it).
    """
    if _declares_offers(spec):
        return [n for n in transition.offers if n not in transition.requires]
    return [f.name for f in spec.fields if not f.required and not f.photo and f.name not in transition.requires]


def kind_schema(spec: LayerSpec) -> dict[str, Any]:
    """A kind's workflow and fields for the field form, derived from its spec.

    Fields and statuses go as the spec declares them (every attribute: labels, type, choices with their
    parent, units, dependent choices, photo and multi-line flags, excluded statuses); each transition
    with the fields it requires, the ones its form offers, whether it needs a photo, and the messages of
    the conditions the store checks on it (the device shows them; the store decides).
    """
    return {
        "key": spec.key, "zh": spec.zh, "en": spec.en, "geometry": spec.geometry,
        "statuses": [asdict(s) for s in spec.statuses],
        "fields": [asdict(f) for f in spec.fields],
        "transitions": [{
            "from": t.src, "to": t.dst, "requires": list(t.requires), "offers": _offered(spec, t),
            "offers_declared": _declares_offers(spec), "requires_photo": bool(t.requires_photo),
            "guards": [{"code": g.code, "zh": g.zh, "en": g.en, "fix_zh": g.fix_zh, "fix_en": g.fix_en,
                        "fields": list(g.fields)} for g in t.guards],
        } for t in spec.transitions],
    }


def table_schema(spec: ObservationSpec) -> dict[str, Any]:
    """A monitoring table for the offline readings entry, derived from its spec.

    The fields typed per row and those entered once for the day (as the app's entry lays them out:
    :meth:`~layers.observation.ObservationSpec.row_fields`), with their labels, types, units, whether
    required and their physically possible range (the device says so first; the store decides).
    """
    def fld(f) -> dict[str, Any]:
        return {"name": f.name, "zh": f.zh, "en": f.en, "type": f.type, "unit": f.unit, "required": f.required,
                "minimum": f.minimum, "maximum": f.maximum, "minimum_inclusive": f.minimum_inclusive}

    return {
        "key": spec.key, "zh": spec.zh, "en": spec.en, "site_kind": spec.site_kind, "period": spec.period,
        "has_time": spec.has_time, "identity": list(spec.identity),
        "description_zh": spec.description_zh, "description_en": spec.description_en,
        "row_fields": [fld(f) for f in spec.row_fields()],
        "common_fields": [fld(f) for f in spec.common_fields()],
    }


def _round(coords, decimals: int = COORD_DECIMALS):
    if isinstance(coords, (float, int)):
        return round(float(coords), decimals)
    return [_round(c, decimals) for c in coords]


def _geometry(geom) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    return _geometry_of(shapely.to_wkb(geom))


@lru_cache(maxsize=5_000)
def _geometry_of(wkb: bytes) -> dict[str, Any]:
    """The pack's GeoJSON of a geometry, by its WKB: a site's geometry is simplified once, not on every pack.

    The result is shared between packs and never modified. 5,000 entries cover the packs of a county's
    inspectors (a few hundred sites a town) in a few MB.
    """
    geom = shapely.from_wkb(wkb)
    decimals = COORD_DECIMALS
    if geom.geom_type != "Point":
        geom = geom.simplify(SIMPLIFY_DEG, preserve_topology=True)
        decimals = SHAPE_DECIMALS
    # Rounded in numpy and written by GEOS (a polygon's coordinates through Python objects cost 10x more).
    rounded = shapely.transform(geom, lambda xy: np.round(xy, decimals))
    g = json.loads(shapely.to_geojson(rounded))
    return {"type": g["type"], "coordinates": g["coordinates"]}


def _value(v):
    if isinstance(v, float):
        return round(v, 6)
    if isinstance(v, (str, int, bool)) or v is None:
        return v
    return str(v)


def site_entry(site, today: date) -> dict[str, Any]:
    """One site as the device needs it: state, version, step, deadline, key attributes, geometry."""
    spec = REGISTRY[site.kind]
    status = spec.status(site.status)
    return {
        "id": site.site_id, "kind": site.kind, "name": site.name, "town": site.town_code,
        "status": site.status, "version": site.version, "step": status.step,
        "deadline": site.deadline, "overdue": is_overdue(site.kind, site.status, site.deadline, today),
        "responsible": site.responsible, "sample": bool(site.is_sample),
        "updated_at": site.updated_at, "updated_by": site.updated_by,
        "attrs": {k: _value(v) for k, v in site.attrs.items() if v is not None and v != ""},
        "geometry": _geometry(site.geometry),
    }


def build_pack(*, user: str, towns: Sequence[Mapping[str, str]], sites: Iterable, data_version: int,
               today: date, sample: bool, settings: Mapping[str, Any],
               conflicts: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The field pack of one inspector.

    Parameters
    ----------
    user : str
        The account the pack is for (the device checks it against the signed-in account).
    towns : sequence of {"code", "zh", "en"}
        The inspector's towns; ``sites`` must already be limited to them.
    sites : iterable of Site
    data_version : int
        The store's data version when the sites were read.
    today : date
        The day overdue is judged on (China Standard Time).
    sample : bool
        The store still holds sample data (the client says 示例数据).
    settings : mapping
        What the client needs to know: on-site distance, photo size limits.
    conflicts : sequence of mapping
        The inspector's open conflicts (both sides), so a device that lost its
        queue still shows them.
    """
    sites = list(sites)
    entries = [site_entry(s, today) for s in sorted(sites, key=lambda s: (s.kind, s.site_id))]
    bounds = None
    xs, ys = [], []
    for s in sites:
        if s.geometry is not None and not s.geometry.is_empty:
            minx, miny, maxx, maxy = s.geometry.bounds
            xs += [minx, maxx]
            ys += [miny, maxy]
    if xs:
        bounds = [_round(min(xs)), _round(min(ys)), _round(max(xs)), _round(max(ys))]
    return {
        "format": PACK_FORMAT,
        "user": user,
        "towns": [dict(t) for t in towns],
        "data_version": int(data_version),
        "as_of": today.isoformat(),
        "sample": bool(sample),
        "settings": dict(settings),
        "kinds": {k: kind_schema(spec) for k, spec in REGISTRY.items()},
        "tables": {k: table_schema(spec) for k, spec in OBSERVATIONS.items()},
        "bounds": bounds,
        "sites": entries,
        "conflicts": [dict(c) for c in conflicts],
    }


def encode_pack(pack: Mapping[str, Any]) -> tuple[bytes, str]:
    """The pack's bytes (compact UTF-8 JSON) and its strong ETag (a digest of the bytes)."""
    body = json.dumps(pack, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
