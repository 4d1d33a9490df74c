"""The fast site layer: every site of one kind as compact arrays, drawn by one canvas layer (pure: no Streamlit).

One Leaflet layer per kind (``L.OnemapSites``, JavaScript in ``sitelayer.js``
next to this module, inlined into the page) draws all the kind's sites on its
own canvas, redraws on move and zoom (only what is in view), aggregates many
points at low zoom, and does its own hit testing. What goes to the browser
per kind is one JSON object, :func:`encode_sites`:

``k``, ``label``, ``n``
    kind, its label (put in as text), number of sites.
``ids``
    runs ``[prefix, width, count, deltas]``: ids ``prefix + number`` (the
    number zero-padded to ``width`` digits) with the numbers delta-encoded;
    an id without a trailing number is a run ``[id, 0, 1, ""]``.
``nt``, ``nl``, ``nc``
    the names, HTML-escaped (the browser unescapes them and puts them in
    with ``textContent``), as a character table: ``nt`` holds each distinct
    character once (most frequent first), ``nl`` each name's length and
    ``nc`` every character's index into ``nt``. Streamlit sends component
    arguments as ASCII JSON, where a Chinese character costs six bytes; an
    index costs one or two.
``st``, ``s``
    the status table and each site's index into it.
``ck``, ``c``
    only with a colour key: the key table and each site's index into it.
``col``
    the colour of each entry of ``ck`` (else of ``st``); ``null``: grey.
``g``
    the structure: per site a geometry type (1 Point, 2 MultiPoint,
    3 LineString, 4 MultiLineString, 5 Polygon, 6 MultiPolygon, 0 empty) and
    its part, ring and vertex counts; ``""`` when every site is a point.
``xy``
    the vertices in the display frame, in units of 1/``q`` degree (1e-5°,
    about 1 m), x and y interleaved, each the difference to the vertex
    before (across the whole kind). Lines and polygons are simplified for
    display first (:data:`SIMPLIFY_TOLERANCE`, topology preserved, no
    feature dropped, rings keep at least 3 distinct vertices); rings are
    stored without their closing vertex, exteriors counter-clockwise and
    holes clockwise.

Integer streams (``s``, ``c``, ``g``, ``xy``, id deltas) are signed varints in
one string: zigzag (0, -1, 1, -2 … → 0, 1, 2, 3 …), then mixed radix, low
digits first: a value below 64 is one *terminal* character, a larger one
``v % 20`` as a *continuation* character followed by ``v // 20`` encoded the
same way. Most vertex steps (under 32 m) take one character. Characters come
from :data:`ALPHABET` (printable ASCII without quotes, backslash, ``< > &``,
braces, backtick or underscore: safe in a ``<script>`` and in JSON, and
untouched by streamlit-folium's rewriting of ``_<id>`` names).
:func:`decode_sites` is the reference decoder.

Stored data are never touched: geometries are shifted to the basemap's
display frame (:func:`geo.map.display.geometry_to_display`) on copies. Encoded
display geometries are cached by content (bounded), so a rerun of the map
(a click, a filter) does not simplify again.

In the browser (``sitelayer.js``), each kind's layer draws on its own canvas
in the ``onemapSites`` pane (above basemap and rasters, below other
overlays; kinds stacked by ``Style.z_order``), only what is in view, in
small batched paths. Below zoom 13, a kind with more than 2,000 point-like
sites in view (points, and lines or polygons under 24 px) draws them as
count circles on a 48 px grid, coloured by their most common colour; a tap
on one zooms in. Hit testing (grid over the sites' bounding boxes; point
radius in pixels, distance to segments, even-odd point in polygon) goes
from the top kind down. Hover shows the name in one shared tooltip (as
text); a click outlines the site in :data:`SELECTED_COLOR`, keeps it in
``window.__onemapSelected`` (also across a rebuild of the layers) and fires
``click`` on the layer, propagated to its feature group, with
``layer.toGeoJSON()`` giving ``{type: "Feature", properties: {id, k, s, n},
geometry: null}``: what streamlit-folium returns as ``last_active_drawing``.
``window.__onemapSites`` answers tests: ``counts()``, ``features(kind)``,
``feature(id)``, ``pixelOf(id)``, ``idAt(x, y)``, ``drawn(kind)``,
``aggregates(kind)``, ``selected()``.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template
from shapely.geometry import (
    LinearRing,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from shapely.geometry.base import BaseGeometry

from geo.map import scripts
from geo.map.display import check_frame, geometry_to_display

__all__ = [
    "ALPHABET", "TERMINAL", "CONTINUATION", "PAYLOAD_VERSION", "QUANT", "SIMPLIFY_TOLERANCE", "GREY", "SELECTED_COLOR", "ColorKey",
    "pack_ints", "unpack_ints", "display_geometries", "encode_sites", "encode_sites_cached", "payload_json",
    "decode_sites",
    "layer_js", "SiteLayer",
]

#: Characters of the varint streams, in value order: 64 terminal digits, then 20 continuation digits.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!#$%()*+,/:;=?@[]^|~"
TERMINAL, CONTINUATION = 64, 20
#: Payload format version; the browser side (static/sitelayer.js ``VERSION``) must match it.
PAYLOAD_VERSION = 1
#: Units per degree of the stored vertices: 1e-5° (≈ 1.1 m north–south, ≈ 1.0 m east–west at Fuqing).
QUANT = 100_000
#: Douglas–Peucker tolerance (degrees) of lines and polygons for display: ≈ 2 m.
SIMPLIFY_TOLERANCE = 2e-5
#: Colour of a status or key with no colour.
GREY = "#777777"
#: Outline of the selected site.
SELECTED_COLOR = "#00e5ff"

ColorKey = Mapping[str, str] | Callable[[object], str]

_TYPE_CODES = {"Point": 1, "MultiPoint": 2, "LineString": 3, "MultiLineString": 4, "Polygon": 5, "MultiPolygon": 6}
_ID_RE = re.compile(r"^(.*?)([0-9]{1,9})$", re.DOTALL)
_ALPHABET_BYTES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_DECODE = {c: i for i, c in enumerate(ALPHABET)}
_SCRIPT_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027", "`": "\\u0060",
                "\u2028": "\\u2028", "\u2029": "\\u2029"}


# -- integer streams ---------------------------------------------------------------


def pack_ints(values) -> str:
    """Signed integers as one varint string (see the module docstring); vectorised."""
    v = np.asarray(values, dtype=np.int64).ravel()
    if v.size == 0:
        return ""
    z = np.where(v >= 0, v * 2, -v * 2 - 1)
    # Characters per value: continuation digits while what is left is >= TERMINAL, then the terminal one.
    nchars = np.ones(z.shape, dtype=np.int64)
    big = np.flatnonzero(z >= TERMINAL)
    rest = z[big] // CONTINUATION
    while big.size:
        nchars[big] += 1
        keep = rest >= TERMINAL
        big, rest = big[keep], rest[keep] // CONTINUATION
    at = np.cumsum(nchars) - nchars  # where each value's first character goes
    idx = np.empty(int(nchars.sum()), dtype=np.int64)
    live, rest = np.arange(z.size), z
    while live.size:
        more = nchars[live] > 1
        idx[at[live]] = np.where(more, TERMINAL + rest % CONTINUATION, rest)
        live, rest = live[more], rest[more] // CONTINUATION
        at[live] += 1
        nchars[live] -= 1
    return _ALPHABET_BYTES[idx].tobytes().decode("ascii")


def unpack_ints(text: str) -> list[int]:
    """The integers of a varint string (reference decoder, as the browser does it)."""
    out, value, mult = [], 0, 1
    for ch in text:
        c = _DECODE[ch]
        if c >= TERMINAL:
            value += (c - TERMINAL) * mult
            mult *= CONTINUATION
            continue
        value += c * mult
        out.append(value // 2 if value % 2 == 0 else -(value + 1) // 2)
        value, mult = 0, 1
    if mult != 1:
        raise ValueError("truncated varint stream")
    return out


# -- geometry ------------------------------------------------------------------------


def display_geometries(geoms: Sequence[BaseGeometry | None], frame: str) -> list[BaseGeometry | None]:
    """Display copies of ``geoms`` for the basemap's ``frame``, shifted in one vectorised call."""
    check_frame(frame)
    geoms = list(geoms)
    if frame == "wgs84":
        return geoms
    live = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
    if not live:
        return geoms
    shifted = shapely.get_parts(geometry_to_display(shapely.geometrycollections([geoms[i] for i in live]), frame))
    out = list(geoms)
    for i, g in zip(live, shifted):
        out[i] = g
    return out


def _simplified(geoms: list[BaseGeometry], tolerance: float) -> list[BaseGeometry]:
    """Lines and polygons simplified for display; the original where simplifying would lose a part or a ring."""
    if not geoms or tolerance <= 0:
        return geoms
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    simple = shapely.simplify(arr, tolerance, preserve_topology=True)
    same = ((shapely.get_type_id(simple) == shapely.get_type_id(arr))
            & ~shapely.is_empty(simple)
            & (shapely.get_num_geometries(simple) == shapely.get_num_geometries(arr))
            & (_ring_counts(simple) == _ring_counts(arr)))
    return [s if ok else g for g, s, ok in zip(geoms, simple, same)]


def _ring_counts(arr: np.ndarray) -> np.ndarray:
    _, owner = shapely.get_rings(arr, return_index=True)
    return np.bincount(owner, minlength=len(arr))


def _quantised(coords: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(coords, dtype=np.float64)[:, :2] * QUANT).astype(np.int64)


def _dedup(q: np.ndarray) -> np.ndarray:
    if len(q) < 2:
        return q
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = np.any(q[1:] != q[:-1], axis=1)
    return q[keep]


def _ring(ring) -> np.ndarray:
    """A ring's quantised vertices without the closing one and without repeats."""
    q = _dedup(_quantised(np.asarray(ring.coords)))
    if len(q) > 1 and np.array_equal(q[0], q[-1]):
        q = q[:-1]
    return q


def _line(line) -> np.ndarray:
    q = _dedup(_quantised(np.asarray(line.coords)))
    if len(q) == 1:
        q = np.vstack([q, q])  # a line keeps two vertices, even when shorter than the quantum
    return q


def _polygon(poly: Polygon, original: Polygon | None, struct: list, parts: list) -> None:
    """Rings of one polygon; a ring simplified below 3 distinct vertices is taken from ``original``."""
    rings = [poly.exterior, *poly.interiors]
    struct.append(len(rings))
    fallback = None
    for j, r in enumerate(rings):
        q = _ring(r)
        if len(q) < 3 and original is not None:
            if fallback is None:
                o = shapely.orient_polygons(original, exterior_cw=False)
                fallback = [o.exterior, *o.interiors]
            if len(fallback) == len(rings):
                q0 = _ring(fallback[j])
                q = q0 if len(q0) > len(q) else q
        if 0 < len(q) < 3:  # smaller than the quantum: kept (never dropped) as a ring of repeated vertices
            q = np.vstack([q, np.repeat(q[-1:], 3 - len(q), axis=0)])
        struct.append(len(q))
        parts.append(q)


def _entry(g: BaseGeometry | None, original: BaseGeometry | None) -> tuple[np.ndarray, np.ndarray]:
    """(type code and counts, quantised vertices) of one display geometry."""
    struct: list[int] = []
    parts: list[np.ndarray] = []
    if g is None or g.is_empty:
        return np.array([0], dtype=np.int32), np.zeros((0, 2), dtype=np.int32)
    kind = g.geom_type
    if kind not in _TYPE_CODES:  # a collection: drawn as the point it stands for (never dropped)
        g, original, kind = g.representative_point(), None, "Point"
    struct.append(_TYPE_CODES[kind])
    if kind == "Point":
        parts.append(_quantised(np.asarray(g.coords)))
    elif kind == "MultiPoint":
        q = _quantised(shapely.get_coordinates(g))
        struct.append(len(q))
        parts.append(q)
    elif kind == "LineString":
        q = _line(g)
        struct.append(len(q))
        parts.append(q)
    elif kind == "MultiLineString":
        struct.append(len(g.geoms))
        for part in g.geoms:
            q = _line(part)
            struct.append(len(q))
            parts.append(q)
    elif kind == "Polygon":
        _polygon(g, original, struct, parts)
    else:  # MultiPolygon
        struct.append(len(g.geoms))
        originals = list(original.geoms) if original is not None and len(original.geoms) == len(g.geoms) \
            else [None] * len(g.geoms)
        for poly, orig in zip(g.geoms, originals):
            _polygon(poly, orig, struct, parts)
    return np.array(struct, dtype=np.int32), np.vstack(parts).astype(np.int32)


def _entries(geoms: list, frame: str, tolerance: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """Display entries of ``geoms`` (WGS84): shifted, lines and polygons simplified and oriented, quantised."""
    shown = display_geometries(geoms, frame)
    shaped = [i for i, g in enumerate(shown) if g is not None and not g.is_empty
              and g.geom_type in ("LineString", "MultiLineString", "Polygon", "MultiPolygon")]
    simple = _simplified([shown[i] for i in shaped], tolerance)
    if simple:
        arr = np.empty(len(simple), dtype=object)
        arr[:] = simple
        simple = list(shapely.orient_polygons(arr, exterior_cw=False))
    display = list(shown)
    for i, g in zip(shaped, simple):
        display[i] = g
    return [_entry(g, orig) for g, orig in zip(display, shown)]


class _GeometryCache:
    """Encoded display geometries by content (WKB digest, frame, tolerance), least recently used first out.

    A rerun of the map (a click, a filter) meets the same geometries again:
    they are found by identity (the cache holds a reference, so an ``id``
    is never reused while cached), geometries reloaded after an edit by
    their WKB digest. Bounded by the number of vertices kept.
    """

    def __init__(self, max_vertices: int = 4_000_000):
        self.max_vertices = max_vertices
        self._lock = threading.Lock()
        self._entries: OrderedDict = OrderedDict()  # key -> (struct, coords)
        self._objects: OrderedDict = OrderedDict()  # (id(geom), frame, tolerance) -> (geom, key)
        self._vertices = 0

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._objects.clear()
            self._vertices = 0

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self, geoms: list, frame: str, tolerance: float) -> list[tuple[np.ndarray, np.ndarray]]:
        out: list = [None] * len(geoms)
        keys: list = [None] * len(geoms)
        unknown = []
        with self._lock:
            for i, g in enumerate(geoms):
                hit = self._objects.get((id(g), frame, tolerance))
                if hit is not None and hit[0] is g and hit[1] in self._entries:
                    keys[i] = hit[1]
                    out[i] = self._entries[hit[1]]
                    self._entries.move_to_end(hit[1])
                else:
                    unknown.append(i)
        if unknown:
            wkb = shapely.to_wkb(np.array([geoms[i] for i in unknown], dtype=object))
            missing = []
            with self._lock:
                for i, blob in zip(unknown, wkb):
                    key = (frame, tolerance, hashlib.blake2b(blob or b"", digest_size=16).digest())
                    keys[i] = key
                    found = self._entries.get(key)
                    if found is None:
                        missing.append(i)
                    else:
                        out[i] = found
                        self._entries.move_to_end(key)
            if missing:
                made = _entries([geoms[i] for i in missing], frame, tolerance)
                for i, entry in zip(missing, made):
                    out[i] = entry
            with self._lock:
                for i in unknown:
                    if keys[i] not in self._entries:
                        self._entries[keys[i]] = out[i]
                        self._vertices += len(out[i][1])
                    self._objects[(id(geoms[i]), frame, tolerance)] = (geoms[i], keys[i])
                while self._vertices > self.max_vertices and len(self._entries) > 1:
                    _, (_, coords) = self._entries.popitem(last=False)
                    self._vertices -= len(coords)
                while len(self._objects) > max(len(self._entries), 1) * 2:
                    self._objects.popitem(last=False)
        return out


_CACHE = _GeometryCache()


def _points_only(geoms: list) -> bool:
    if not geoms:
        return True
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    return bool(np.all(shapely.get_type_id(arr) == 0) and not np.any(shapely.is_empty(arr)))


def _name_table(names: Sequence[str]) -> dict:
    """Names as a character table (see the module docstring): ``nt``, ``nl``, ``nc``."""
    counts = Counter(ch for name in names for ch in name)
    table = sorted(counts, key=lambda ch: (-counts[ch], ch))
    index = {ch: i for i, ch in enumerate(table)}
    return {"nt": "".join(table), "nl": pack_ints([len(name) for name in names]),
            "nc": pack_ints([index[ch] for name in names for ch in name])}


def _names_of(payload: dict) -> list[str]:
    table, lengths, codes = payload["nt"], unpack_ints(payload["nl"]), unpack_ints(payload["nc"])
    out, at = [], 0
    for length in lengths:
        out.append("".join(table[c] for c in codes[at:at + length]))
        at += length
    return out


# -- ids, names, colours -----------------------------------------------------------------


def _id_runs(ids: Sequence[str]) -> list:
    runs: list = []
    nums: list[int] = []
    for sid in ids:
        m = _ID_RE.match(sid)
        prefix, width, number = (m.group(1), len(m.group(2)), int(m.group(2))) if m else (sid, 0, 0)
        if width and runs and runs[-1][0] == prefix and runs[-1][1] == width:
            runs[-1][2] += 1
        else:
            if runs and runs[-1][1]:
                runs[-1][3] = pack_ints(np.diff(nums, prepend=0))
            runs.append([prefix, width, 1, ""])
            nums = []
        if width:
            nums.append(number)
    if runs and runs[-1][1]:
        runs[-1][3] = pack_ints(np.diff(nums, prepend=0))
    return runs


def _color_key_of(color_key: ColorKey, site) -> str:
    if callable(color_key):
        return str(color_key(site))
    return str(color_key.get(site.site_id, ""))


def _table(values: Sequence[str], first: Sequence[str]) -> tuple[list[str], list[int]]:
    """(table, index of each value): ``first`` in its order, then values not in it as they come."""
    table = list(dict.fromkeys(first))
    where = {v: i for i, v in enumerate(table)}
    index = []
    for v in values:
        if v not in where:
            where[v] = len(table)
            table.append(v)
        index.append(where[v])
    return table, index


# -- the payload ----------------------------------------------------------------------------


def encode_sites(
    kind: str,
    sites: Sequence,
    *,
    statuses: Mapping[str, str],
    label: str = "",
    frame: str = "wgs84",
    colors: Mapping[str, str] | None = None,
    color_key: ColorKey | None = None,
    name_suffix: str = "",
    tolerance: float = SIMPLIFY_TOLERANCE,
) -> dict:
    """The compact payload of one kind's sites (see the module docstring).

    Parameters
    ----------
    kind : str
        The kind's key (``properties.k`` of a clicked site).
    sites : sequence
        Objects with ``site_id``, ``name``, ``status`` and ``geometry`` (WGS84), in drawing order.
    statuses : mapping of status code to colour
        The kind's statuses in workflow order (the status table starts with them).
    label : str
        The kind's label, shown (as text) with an aggregate's count.
    frame : {"wgs84", "gcj02"}
        The basemap's display frame: geometries are shifted copies on a GCJ-02 basemap.
    colors : mapping of key to colour, optional
        Colour per key; default ``statuses``.
    color_key : mapping of site id to key, or callable(site) -> key, optional
        What each site is coloured by (e.g. ``"overdue"``); default its status.
        A key missing from ``colors`` draws grey.
    tolerance : float
        Simplification of lines and polygons, in degrees.
    """
    sites = list(sites)
    check_frame(frame)
    geoms = [s.geometry for s in sites]
    status_table, status_index = _table([s.status for s in sites], list(statuses))
    payload: dict = {
        "v": PAYLOAD_VERSION,
        "k": kind,
        "label": label,
        "n": len(sites),
        "q": QUANT,
        "ids": _id_runs([s.site_id for s in sites]),
        **_name_table([html.escape(f"{s.name}{name_suffix}", quote=True) for s in sites]),
        "st": status_table,
        "s": pack_ints(status_index),
    }
    palette = dict(colors) if colors is not None else dict(statuses)
    key_table = status_table
    if color_key is not None:
        key_table, key_index = _table([_color_key_of(color_key, s) for s in sites], list(palette))
        payload["ck"] = key_table
        payload["c"] = pack_ints(key_index)
    payload["col"] = [palette.get(k) for k in key_table]
    if _points_only(geoms):
        shown = display_geometries(geoms, frame)
        q = _quantised(shapely.get_coordinates(shown)) if shown else np.zeros((0, 2), dtype=np.int64)
        payload["g"] = ""
    else:
        entries = _CACHE.entries(geoms, frame, tolerance)
        payload["g"] = pack_ints(np.concatenate([e[0] for e in entries]))
        q = np.vstack([e[1] for e in entries]).astype(np.int64)
    payload["xy"] = pack_ints(np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()) if len(q) else ""
    return payload


_PAYLOADS: "OrderedDict[str, dict]" = OrderedDict()
_PAYLOADS_LOCK = threading.Lock()
#: Payloads kept by :func:`encode_sites_cached` (a few maps × five kinds).
PAYLOAD_CACHE_SIZE = 32


def encode_sites_cached(kind: str, sites: Sequence, *, statuses: Mapping[str, str], label: str = "",
                        frame: str = "wgs84", colors: Mapping[str, str] | None = None,
                        color_key: ColorKey | None = None) -> dict:
    """:func:`encode_sites`, remembered by content: a rerun with the same sites reuses the payload.

    The key is a digest of everything the payload depends on (ids, names,
    statuses, versions, colour keys, geometries as WKB, frame, label,
    colours), so a changed site never reuses a stale payload.
    """
    sites = list(sites)
    h = hashlib.sha256()
    h.update(json.dumps([kind, label, frame, sorted((colors or {}).items()), sorted(statuses.items())],
                        ensure_ascii=False).encode())
    keys = [_color_key_of(color_key, s) for s in sites] if color_key is not None else None
    h.update(json.dumps([[s.site_id, s.name, s.status, getattr(s, "version", None)] for s in sites],
                        ensure_ascii=False).encode())
    if keys is not None:
        h.update(json.dumps(keys, ensure_ascii=False).encode())
    geoms = [s.geometry for s in sites]
    if geoms:
        h.update(b"".join(b or b"" for b in shapely.to_wkb(np.asarray(geoms, dtype=object))))
    digest = h.hexdigest()
    with _PAYLOADS_LOCK:
        if digest in _PAYLOADS:
            _PAYLOADS.move_to_end(digest)
            return _PAYLOADS[digest]
    payload = encode_sites(kind, sites, statuses=statuses, label=label, frame=frame, colors=colors,
                           color_key=dict(zip((s.site_id for s in sites), keys)) if keys is not None else None)
    with _PAYLOADS_LOCK:
        _PAYLOADS[digest] = payload
        while len(_PAYLOADS) > PAYLOAD_CACHE_SIZE:
            _PAYLOADS.popitem(last=False)
    return payload


def payload_json(payload: dict) -> str:
    """``payload`` as JSON safe inside a ``<script>``: UTF-8 text, with ``< > & '``, backtick, U+2028/9 as ``\\uXXXX``."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in _SCRIPT_SAFE.items():
        text = text.replace(ch, esc)
    return text


def decode_sites(payload: dict | str) -> list[dict]:
    """The sites of a payload (reference decoder): id, k, s, c, n, color and the display geometry in degrees."""
    if isinstance(payload, str):
        payload = json.loads(payload)
    n, q = payload["n"], float(payload["q"])
    ids: list[str] = []
    for prefix, width, count, deltas in payload["ids"]:
        if not width:
            ids.extend([prefix] * count)
            continue
        number = 0
        for d in unpack_ints(deltas):
            number += d
            ids.append(prefix + str(number).zfill(width))
    status_index = unpack_ints(payload["s"])
    key_index = unpack_ints(payload["c"]) if "ck" in payload else status_index
    key_table = payload["ck"] if "ck" in payload else payload["st"]
    xy = np.cumsum(np.array(unpack_ints(payload["xy"]), dtype=np.int64).reshape(-1, 2), axis=0) / q \
        if payload["xy"] else np.zeros((0, 2))
    geoms = _decode_geometries(payload["g"], xy, n)
    names = _names_of(payload)
    out = []
    for i in range(n):
        key = key_table[key_index[i]]
        out.append({
            "id": ids[i], "k": payload["k"], "s": payload["st"][status_index[i]], "c": key,
            "n": names[i], "color": payload["col"][key_index[i]] or GREY, "geometry": geoms[i],
        })
    return out


def _decode_geometries(g: str, xy: np.ndarray, n: int) -> list[BaseGeometry | None]:
    if not g:
        return [Point(*xy[i]) for i in range(n)]
    struct = iter(unpack_ints(g))
    at = 0

    def take(count: int) -> np.ndarray:
        nonlocal at
        block = xy[at:at + count]
        at += count
        return block

    def ring() -> LinearRing:
        return LinearRing(take(next(struct)))

    def polygon() -> Polygon:
        rings = [ring() for _ in range(next(struct))]
        return Polygon(rings[0], rings[1:])

    out: list[BaseGeometry | None] = []
    for _ in range(n):
        t = next(struct)
        if t == 0:
            out.append(None)
        elif t == 1:
            out.append(Point(*take(1)[0]))
        elif t == 2:
            out.append(MultiPoint(take(next(struct))))
        elif t == 3:
            out.append(LineString(take(next(struct))))
        elif t == 4:
            out.append(MultiLineString([take(next(struct)) for _ in range(next(struct))]))
        elif t == 5:
            out.append(polygon())
        elif t == 6:
            out.append(MultiPolygon([polygon() for _ in range(next(struct))]))
        else:
            raise ValueError(f"unknown geometry code {t}")
    if at != len(xy):
        raise ValueError(f"{len(xy) - at} vertices left over")
    return out


# -- the folium element ------------------------------------------------------------------------


def layer_js() -> str:
    """The browser side (``L.OnemapSites`` and the ``window.__onemapSites`` test hook), as inlined in the page."""
    return scripts.script("sitelayer.js")


_ELEMENT_JS = """
{% if this.include_lib %}{{ this.lib }}
{% endif %}var {{ this.get_name() }} = L.onemapSites({{ this.payload }}, {{ this.style|tojson }}).addTo({{ this._parent.get_name() }});
{% if this.data_url %}fetch({{ this.data_url|tojson }}).then(function (r) {
  if (!r.ok) { throw new Error('HTTP ' + r.status); }
  return r.json();
}).then(function (d) { {{ this.get_name() }}.setData(d); }).catch(function (e) { console.warn('sites: ' + e); });
{% endif %}"""


class PayloadFiles:
    """Site payloads as files the app serves, so a rerun sends a URL instead of the sites.

    A payload is written once under the name of its content's digest (so a
    browser may cache it for good) and the map's script only carries its
    URL; the layer is created empty and filled when the file arrives.
    Streamlit re-sends a map's feature groups on every rerun (a click, a
    filter): inline, that is every site every time.

    Parameters
    ----------
    folder : path
        Where the files go (served by the app).
    url_prefix : str
        URL of ``folder`` as the map's frame sees it, ending with ``/``.
    keep : int
        Files kept; older ones (by modification time) are removed beyond it.
    """

    def __init__(self, folder: str | Path, url_prefix: str, *, keep: int = 400):
        self.folder = Path(folder)
        self.url_prefix = url_prefix
        self.keep = keep

    def url_for(self, text: str) -> str:
        """Write ``text`` (once) and return its URL."""
        name = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + ".json"
        target = self.folder / name
        if not target.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{threading.get_ident()}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
            self._prune()
        else:
            target.touch()
        return self.url_prefix + name

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.json"), key=lambda f: f.stat().st_mtime)
        for old in files[:max(0, len(files) - self.keep)]:
            old.unlink(missing_ok=True)


class SiteLayer(MacroElement):
    """One kind's sites as one canvas layer, to be added to that kind's ``folium.FeatureGroup``.

    Parameters
    ----------
    payload : dict
        :func:`encode_sites`.
    style : mapping
        ``radius`` (px), ``weight`` (px), ``fill_opacity``, ``dash_array``
        (or None) and ``z_order`` (higher drawn above, and hit first).
    include_lib : bool
        Carry the layer's JavaScript; one site layer per page is enough
        (it is defined once per page and kept).
    files : PayloadFiles, optional
        Put the sites in a served file and fetch it, rather than inline.
    """

    def __init__(self, payload: dict, style: Mapping, *, include_lib: bool = True,
                 files: PayloadFiles | None = None):
        super().__init__()
        self._name = "OneMapSites"
        self.data = payload
        self.payload = payload_json(payload)
        self.data_url = None
        if files is not None:  # the sites go in a file; the script starts with an empty layer of the kind
            try:
                self.data_url = files.url_for(self.payload)
            except OSError:  # folder not writable, disk full: the sites stay inline (slower, still right)
                self.data_url = None
        if self.data_url:
            self.payload = payload_json({**encode_sites(payload["k"], [], statuses={}, label=payload["label"]),
                                         "st": payload["st"], "col": payload["col"]})
        self.style = {
            "radius": style.get("radius", 7), "weight": style.get("weight", 2),
            "fill_opacity": style.get("fill_opacity", 0.35), "dash_array": style.get("dash_array"),
            "z_order": style.get("z_order", 0), "selected": SELECTED_COLOR, "grey": GREY,
        }
        self.include_lib = include_lib
        self.lib = layer_js()
        self._template = Template("{% macro script(this, kwargs) %}" + _ELEMENT_JS + "{% endmacro %}")
