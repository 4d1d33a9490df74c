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
``g``, ``xy``
    the *detail* geometry (:mod:`geo.displaygeom`: ≈ 2 m): per site a
    geometry type (1 Point, 2 MultiPoint, 3 LineString, 4 MultiLineString,
    5 Polygon, 6 MultiPolygon, 0 empty) and its part, ring and vertex counts
    (``""`` when every site is a point); then the vertices in the display
    frame, in units of 1/``q`` degree (1e-5°, about 1 m), x and y
    interleaved, each the difference to the vertex before (across the whole
    kind). Rings are stored without their closing vertex, exteriors
    counter-clockwise and holes clockwise; no site, part or ring is dropped.
``og``, ``oxy``, ``dz``
    only for a kind with lines or polygons: the *overview* geometry (≈ 25 m,
    under a pixel up to zoom 12), in the same form, drawn below zoom ``dz``;
    the detail is drawn from ``dz`` on.
``du``
    when the detail is not in the payload: the URL of a file holding
    ``{"g", "xy"}``, fetched once the map comes near zoom ``dz`` (a whole
    county at low zoom never needs it).

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
display frame (:func:`geo.map.display.geometry_to_display`) on copies. Sites
read for the map (:class:`geo.store.MapSite`) carry the display geometry the
store computed when the geometry was written, so a map is encoded without
simplifying anything; for other sites (:class:`geo.store.Site`) encoded
display geometries are cached by content (bounded). Whole payloads are
remembered too: by the identity of the (immutable) site objects, then by a
digest of their content, so a rerun of the map (a click, a filter) encodes
nothing again.

In the browser (``sitelayer.js``), each kind is one Leaflet layer (its
feature group toggles it), and all the kinds of a map draw into one shared
canvas in the ``onemapSites`` pane (above basemap and rasters, below other
overlays), stacked by ``Style.z_order``, in one animation frame — and, while
payload files are still coming, once they are all in: a software canvas
spends most of its time rasterising, so a map is rasterised once, not once
per file and per kind. Only what is in view is drawn, in small batched
paths; points are stamped from a small pre-drawn marker per colour; up to
zoom 11 outlines and lines are one pixel wide and dashes wait for zoom 12.
Ids and names are decoded on demand (a name when it is shown), the
mercator position of a site's vertices when it is first drawn or hit.
Below zoom 13, a kind with more than 2,000 point-like sites in view
(points, and lines or polygons under 24 px) draws them as count circles on
a 48 px grid of the world, coloured by their most common colour; a tap on
one zooms in. Hit testing (grid over the sites' bounding boxes; point
radius in pixels, distance to segments, even-odd point in polygon) goes
from the top kind down, on the geometry drawn at that zoom. Hover shows the
name in one shared tooltip (as text); a click outlines the site in
:data:`SELECTED_COLOR` above every kind, keeps it in
``window.__onemapSelected`` (also across a rebuild of the layers) and fires
``click`` on the layer, propagated to its feature group, with
``layer.toGeoJSON()`` giving ``{type: "Feature", properties: {id, k, s, n},
geometry: null}``: what streamlit-folium returns as ``last_active_drawing``.
``window.__onemapSites`` answers tests: ``counts()``, ``features(kind)``,
``feature(id)``, ``pixelOf(id)``, ``idAt(x, y)``, ``drawn(kind)``,
``aggregates(kind)``, ``selected()``, ``detail(kind)``, ``pending()``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
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

from geo import displaygeom
from geo.map import scripts
from geo.map.display import check_frame, geometry_to_display, to_display

__all__ = [
    "ALPHABET", "TERMINAL", "CONTINUATION", "PAYLOAD_VERSION", "QUANT", "SIMPLIFY_TOLERANCE", "OVERVIEW_TOLERANCE",
    "DETAIL_ZOOM", "GREY", "SELECTED_COLOR", "ColorKey",
    "pack_ints", "unpack_ints", "display_geometries", "encode_sites", "encode_sites_cached", "take_encoded_count",
    "payload_json",
    "decode_sites", "layer_js", "PayloadFiles", "SiteLayer",
]

#: Characters of the varint streams, in value order: 64 terminal digits, then 20 continuation digits.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!#$%()*+,/:;=?@[]^|~"
TERMINAL, CONTINUATION = 64, 20
#: Payload format version; the browser side (static/sitelayer.js ``VERSION``) must match it.
PAYLOAD_VERSION = 2
#: Units per degree of the drawn vertices: 1e-5° (≈ 1.1 m north–south, ≈ 1.0 m east–west at Fuqing).
QUANT = displaygeom.QUANT
#: Douglas–Peucker tolerance (degrees) of the detail level: ≈ 2 m.
SIMPLIFY_TOLERANCE = displaygeom.DETAIL_TOLERANCE
#: Douglas–Peucker tolerance (degrees) of the overview level: ≈ 25 m.
OVERVIEW_TOLERANCE = displaygeom.OVERVIEW_TOLERANCE
#: The detail level is drawn from this zoom on (a pixel is ≈ 17 m at zoom 13 at Fuqing's latitude).
DETAIL_ZOOM = 13
#: Colour of a status or key with no colour.
GREY = "#777777"
#: Outline of the selected site.
SELECTED_COLOR = "#00e5ff"

ColorKey = Mapping[str, str] | Callable[[object], str]

_ALPHABET_BYTES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_DECODE = {c: i for i, c in enumerate(ALPHABET)}
#: html.escape(quote=True) as one translation table (every character at once, so "&" is not escaped twice).
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})
_NEEDS_ESCAPE = re.compile("[&<>\"']")
#: Characters ending a script, starting markup or a template, or breaking a JS string: never left raw in a page.
_UNSAFE = re.compile("[<>&'`\u2028\u2029]")
_SCRIPT_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027", "`": "\\u0060",
                "\u2028": "\\u2028", "\u2029": "\\u2029"}


# -- integer streams ---------------------------------------------------------------


#: Values packed at a time (bounds the temporary arrays: a map of 100,000 sites has millions of vertex steps).
PACK_CHUNK = 1 << 20


def pack_ints(values) -> str:
    """Signed integers as one varint string (see the module docstring); vectorised, in chunks."""
    v = np.asarray(values, dtype=np.int64).ravel()
    if v.size <= PACK_CHUNK:
        return _pack_chunk(v)
    return "".join(_pack_chunk(v[i:i + PACK_CHUNK]) for i in range(0, v.size, PACK_CHUNK))


def _pack_chunk(v: np.ndarray) -> str:
    if v.size == 0:
        return ""
    z = ((v << 1) ^ (v >> 63)).view(np.uint64)  # zigzag: 0, -1, 1, -2 ... -> 0, 1, 2, 3 ...
    small = bool(z.max() < 2**32)
    if small:  # the usual case (vertex steps, indices): half the memory, faster arithmetic
        z = z.astype(np.uint32)
    # Characters per value: a value below TERMINAL * CONTINUATION**k takes k + 1 of them.
    nchars = np.ones(z.shape, dtype=np.int64)
    limit = TERMINAL
    while True:
        more = z >= limit
        if not more.any():
            break
        nchars += more
        limit *= CONTINUATION
        if small and limit >= 2**32:
            break
    ends = np.cumsum(nchars)
    starts = ends - nchars
    out = np.empty(int(ends[-1]), dtype=np.uint8)
    t, c = z.dtype.type(TERMINAL), z.dtype.type(CONTINUATION)
    one = nchars == 1
    # First character of every value: the value itself, or its lowest continuation digit.
    out[starts] = np.where(one, z, t + z % c).astype(np.uint8)
    idx, k, rest = np.flatnonzero(~one), 1, None
    if idx.size:
        rest = z[idx] // c
    while idx.size:  # the few values with more characters, one digit at a time
        last = nchars[idx] == k + 1
        out[starts[idx] + k] = np.where(last, rest, t + rest % c).astype(np.uint8)
        idx, rest = idx[~last], rest[~last] // c
        k += 1
    return _ALPHABET_BYTES[out].tobytes().decode("ascii")


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


def _entries(geoms: list, frame: str, tolerance: float) -> list[displaygeom.Entry]:
    """Display entries of ``geoms`` (WGS84): shifted, lines and polygons simplified and oriented, quantised."""
    return displaygeom.entries(display_geometries(geoms, frame), tolerance)


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

    def entries(self, geoms: list, frame: str, tolerance: float) -> list[displaygeom.Entry]:
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


def _all_have_display(sites: Sequence) -> bool:
    """Sites read for the map (geo.store.MapSite): they carry their display geometry, not their geometry."""
    if not sites:
        return False
    try:
        return all(s.overview for s in sites)  # bytes, never empty for a MapSite
    except AttributeError:
        return False


def _shift(q: np.ndarray, frame: str) -> np.ndarray:
    """Quantised WGS84 vertices shifted to ``frame`` and quantised again (at most one unit off)."""
    if frame == "wgs84" or not len(q):
        return q
    lon, lat = to_display(q[:, 0] / QUANT, q[:, 1] / QUANT, frame)
    return displaygeom.quantised(np.column_stack([lon, lat]))


def _stream(struct: list | np.ndarray, coords: np.ndarray) -> tuple[str, str]:
    xy = pack_ints(np.diff(coords, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()) if len(coords) else ""
    return (struct if isinstance(struct, str) else pack_ints(struct)), xy


def _stored_streams(sites: Sequence, frame: str) -> dict:
    """Detail and overview streams from the display geometries the store keeps (no geometry decoded)."""
    overview = [s.overview for s in sites]
    if all(s.detail is None for s in sites) and all(len(b) == 16 for b in overview):
        a = np.frombuffer(b"".join(overview), dtype="<i4").reshape(-1, 4)
        if len(a) and np.all(a[:, 0] == 1) and np.all(a[:, 1] == 1):  # every site a point
            g, xy = _stream("", _shift(a[:, 2:4].astype(np.int64), frame))
            return {"g": g, "xy": xy}
    detail = _blobs_stream([s.detail or s.overview for s in sites], frame)
    return _levels(detail, _blobs_stream(overview, frame))


#: Bytes of blobs gathered at a time by :func:`_blobs_stream`: bounds its temporary arrays (the detail of
#: 100,000 polygons is millions of vertices; gathered at once, their index and step arrays took 100 MB).
BLOB_CHUNK_BYTES = 2 << 20


def _blobs_stream(blobs: list[bytes], frame: str) -> tuple[str, str]:
    """The ``g`` and ``xy`` streams of entries kept as blobs (:func:`geo.displaygeom.entry_blob`), vectorised:
    per chunk of about :data:`BLOB_CHUNK_BYTES`, one buffer, the struct and coordinate ranges gathered at once.

    The streams are the same whatever the chunk size: a value's characters
    do not depend on its neighbours, and the first vertex step of a chunk is
    taken from the last vertex of the one before.
    """
    structs, steps, last = [], [], np.zeros((1, 2), dtype=np.int64)
    for a, b in _chunks(blobs, BLOB_CHUNK_BYTES):
        struct, coords = _gather(blobs[a:b])
        coords = _shift(coords, frame)
        structs.append(pack_ints(struct))
        if len(coords):
            steps.append(pack_ints(np.diff(coords, axis=0, prepend=last).ravel()))
            last = coords[-1:]
    return "".join(structs), "".join(steps)


def _chunks(blobs: list[bytes], max_bytes: int) -> list[tuple[int, int]]:
    """Consecutive (start, end) ranges of ``blobs`` of about ``max_bytes`` each (one blob at least)."""
    if not blobs:
        return []
    ends = np.cumsum(np.fromiter((len(b) for b in blobs), dtype=np.int64, count=len(blobs)))
    marks = np.arange(1, int(ends[-1]) // max_bytes + 1, dtype=np.int64) * max_bytes
    cuts = np.unique(np.concatenate([[0], np.searchsorted(ends, marks, side="left") + 1, [len(blobs)]]))
    return [(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:])]


def _gather(blobs: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(struct words, quantised vertices as an (n, 2) int64 array) of ``blobs``, in order."""
    words = np.frombuffer(b"".join(blobs), dtype="<i4")
    size = np.fromiter((len(b) for b in blobs), dtype=np.int64, count=len(blobs)) // 4
    start = np.cumsum(size) - size
    ns = words[start].astype(np.int64)  # struct length of each blob
    struct_at = _ranges(start + 1, ns)
    coords_at = _ranges(start + 1 + ns, size - 1 - ns)
    return words[struct_at], words[coords_at].astype(np.int64).reshape(-1, 2)


def _ranges(first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(first[i], first[i] + count[i])`` for every i."""
    total = int(count.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    keep = count > 0
    first, count = first[keep], count[keep]
    step = np.ones(total, dtype=np.int64)
    at = np.cumsum(count) - count
    step[at[0]] = first[0]
    step[at[1:]] = first[1:] - (first[:-1] + count[:-1] - 1)
    return np.cumsum(step)


def _levels(detail: tuple[str, str], overview: tuple[str, str]) -> dict:
    out = {"g": detail[0], "xy": detail[1]}
    if overview != detail:
        out.update({"og": overview[0], "oxy": overview[1], "dz": DETAIL_ZOOM})
    return out


def _geometry_streams(sites: Sequence, frame: str, tolerance: float) -> dict:
    """``g``, ``xy`` (detail) and, when it differs, ``og``, ``oxy``, ``dz`` (overview) of ``sites``."""
    if tolerance == SIMPLIFY_TOLERANCE and _all_have_display(sites):
        return _stored_streams(sites, frame)
    geoms = [s.geometry for s in sites]
    if _points_only(geoms):
        shown = display_geometries(geoms, frame)
        q = displaygeom.quantised(shapely.get_coordinates(shown)) if shown else np.zeros((0, 2), dtype=np.int64)
        g, xy = _stream("", q)
        return {"g": g, "xy": xy}
    out = []
    for tol in (tolerance, max(tolerance, OVERVIEW_TOLERANCE)):
        entries = _CACHE.entries(geoms, frame, tol)
        out.append(_stream(np.concatenate([e[0] for e in entries]),
                           np.vstack([e[1] for e in entries]).astype(np.int64)))
    return _levels(out[0], out[1])


def _escaped(names: list[str]) -> list[str]:
    """Names HTML-escaped (as ``html.escape(quote=True)``); one scan of them all when none needs it."""
    if not _NEEDS_ESCAPE.search("".join(names)):
        return names
    return [n.translate(_ESCAPE) if _NEEDS_ESCAPE.search(n) else n for n in names]


def _name_table(names: Sequence[str]) -> dict:
    """Names as a character table (see the module docstring): ``nt``, ``nl``, ``nc`` (vectorised)."""
    lengths = np.fromiter((len(n) for n in names), dtype=np.int64, count=len(names))
    chars = np.frombuffer("".join(names).encode("utf-32-le"), dtype=np.uint32)
    if not len(chars):
        return {"nt": "", "nl": pack_ints(lengths), "nc": ""}
    uniq, inverse, counts = np.unique(chars, return_inverse=True, return_counts=True)
    order = np.lexsort((uniq, -counts))  # most frequent first, then by code point
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[order] = np.arange(len(uniq))
    table = "".join(chr(c) for c in uniq[order])
    return {"nt": table, "nl": pack_ints(lengths), "nc": pack_ints(rank[inverse])}


def _names_of(payload: dict) -> list[str]:
    table, lengths, codes = payload["nt"], unpack_ints(payload["nl"]), unpack_ints(payload["nc"])
    out, at = [], 0
    for length in lengths:
        out.append("".join(table[c] for c in codes[at:at + length]))
        at += length
    return out


# -- ids, names, colours -----------------------------------------------------------------


def _id_runs(ids: Sequence[str]) -> list:
    """Id runs (see the module docstring); one vectorised pass when every id is one prefix and a number
    of one width (as a kind's ids usually are)."""
    fast = _uniform_run(ids)
    if fast is not None:
        return fast
    runs: list = []
    nums: list[int] = []
    last_prefix, last_width = None, 0
    for sid in ids:
        prefix = sid.rstrip("0123456789")
        digits = len(sid) - len(prefix)
        if digits > 9:  # at most nine digits form the number; the rest belong to the prefix
            prefix, digits = sid[:len(sid) - 9], 9
        if digits and not ("0" <= sid[-1] <= "9" and sid[len(prefix):].isascii()):
            prefix, digits = sid, 0
        if digits and prefix == last_prefix and digits == last_width:
            runs[-1][2] += 1
            nums.append(int(sid[len(prefix):]))
            continue
        if runs and runs[-1][1]:
            runs[-1][3] = pack_ints(np.diff(nums, prepend=0))
        runs.append([prefix, digits, 1, ""])
        nums = [int(sid[len(prefix):])] if digits else []
        last_prefix, last_width = (prefix, digits) if digits else (None, 0)
    if runs and runs[-1][1]:
        runs[-1][3] = pack_ints(np.diff(nums, prepend=0))
    return runs


def _uniform_run(ids: Sequence[str]) -> list | None:
    if len(ids) < 2:
        return None
    arr = np.asarray(ids)
    if arr.dtype.kind != "U" or arr.dtype.itemsize == 0:
        return None
    width = arr.dtype.itemsize // 4
    codes = arr.view(np.uint32).reshape(len(ids), width)
    if np.any(codes[:, -1] == 0):  # ids of different lengths
        return None
    digits = (codes >= 48) & (codes <= 57)
    trailing = int(np.cumprod(digits[:, ::-1], axis=1).sum(axis=1).min())
    if np.cumprod(digits[0, ::-1]).sum() != trailing or not np.all(digits[:, width - trailing:]):
        return None
    w = min(trailing, 9)
    if not w or np.any(codes[:, :width - w] != codes[0, :width - w]):
        return None
    numbers = (codes[:, width - w:].astype(np.int64) - 48) @ (10 ** np.arange(w - 1, -1, -1, dtype=np.int64))
    prefix = ids[0][:len(ids[0]) - w]
    return [[prefix, w, len(ids), pack_ints(np.diff(numbers, prepend=0))]]


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
        Objects with ``site_id``, ``name``, ``status`` and either the stored
        display geometry (``overview``/``detail``, as :class:`geo.store.MapSite`)
        or ``geometry`` (WGS84), in drawing order.
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
        Simplification of lines and polygons (detail level), in degrees.
    """
    sites = list(sites)
    check_frame(frame)
    status_table, status_index = _table([s.status for s in sites], list(statuses))
    payload: dict = {
        "v": PAYLOAD_VERSION,
        "k": kind,
        "label": label,
        "n": len(sites),
        "q": QUANT,
        "ids": _id_runs([s.site_id for s in sites]),
        **_name_table(_escaped([f"{s.name}{name_suffix}" for s in sites] if name_suffix else [s.name for s in sites])),
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
    payload.update(_geometry_streams(sites, frame, tolerance))
    return payload


class _PayloadCache:
    """Payloads by the identity of their sites, then by a digest of their content (least recently used out).

    Sites are immutable records: the same objects in the same order give the
    same payload, found with a pass of ``is`` comparisons (a rerun of a map
    of 100,000 sites costs milliseconds). Reloaded sites (new objects after
    any change in the store) are found by their content's digest.
    """

    def __init__(self, size: int = 32):
        self.size = size
        self._lock = threading.Lock()
        self._by_digest: OrderedDict = OrderedDict()  # digest -> payload
        self._recent: OrderedDict = OrderedDict()  # static key -> (sites tuple, keys, payload)

    def clear(self) -> None:
        with self._lock:
            self._by_digest.clear()
            self._recent.clear()

    def get(self, static: tuple, sites: list, keys: list | None, make: Callable[[], dict]) -> dict:
        with self._lock:
            seen = self._recent.get(static)
        if seen is not None and len(seen[0]) == len(sites) and seen[1] == keys \
                and all(a is b for a, b in zip(seen[0], sites)):
            return seen[2]
        digest = _content_digest(static, sites, keys)
        with self._lock:
            payload = self._by_digest.get(digest)
            if payload is not None:
                self._by_digest.move_to_end(digest)
        if payload is None:
            payload = make()
        with self._lock:
            self._by_digest[digest] = payload
            self._recent[static] = (tuple(sites), keys, payload)
            self._recent.move_to_end(static)
            while len(self._by_digest) > self.size:
                self._by_digest.popitem(last=False)
            while len(self._recent) > self.size:
                self._recent.popitem(last=False)
        return payload


def _content_digest(static: tuple, sites: list, keys: list | None) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(static, ensure_ascii=False, default=str).encode())
    h.update("\x1f".join([s.site_id for s in sites]).encode())
    h.update("\x1f".join([s.name for s in sites]).encode())
    h.update("\x1f".join([s.status for s in sites]).encode())
    h.update(repr([getattr(s, "version", None) for s in sites]).encode())
    if keys is not None:
        h.update(json.dumps(keys, ensure_ascii=False).encode())
    if _all_have_display(sites):
        h.update(b"display:")
        h.update(np.fromiter((len(s.overview) for s in sites), dtype=np.int64, count=len(sites)).tobytes())
        h.update(b"".join([s.overview for s in sites]))
        h.update(b"".join([s.detail or b"-" for s in sites]))
    elif sites:
        h.update(b"wkb:")
        h.update(b"".join(b or b"" for b in shapely.to_wkb(np.asarray([s.geometry for s in sites], dtype=object))))
    return h.hexdigest()


_PAYLOADS = _PayloadCache()
#: Payloads kept by :func:`encode_sites_cached` (a few maps × five kinds).
PAYLOAD_CACHE_SIZE = _PAYLOADS.size


def encode_sites_cached(kind: str, sites: Sequence, *, statuses: Mapping[str, str], label: str = "",
                        frame: str = "wgs84", colors: Mapping[str, str] | None = None,
                        color_key: ColorKey | None = None) -> dict:
    """:func:`encode_sites`, remembered: a rerun with the same sites reuses the payload.

    Found by the identity of the site objects (immutable records), else by
    a digest of everything the payload depends on (ids, names, statuses,
    versions, colour keys, display geometries or WKB, frame, label,
    colours), so a changed site never reuses a stale payload.
    """
    sites = list(sites)
    static = (kind, label, frame, tuple(sorted((colors or {}).items())), tuple(statuses.items()),
              color_key is not None)
    keys = [_color_key_of(color_key, s) for s in sites] if color_key is not None else None

    def make() -> dict:
        _ENCODED[0] += len(sites)
        return encode_sites(kind, sites, statuses=statuses, label=label, frame=frame, colors=colors,
                            color_key=dict(zip((s.site_id for s in sites), keys)) if keys is not None else None)

    return _PAYLOADS.get(static, sites, keys, make)


#: Sites encoded afresh (not found in the cache) since :func:`take_encoded_count` last looked.
_ENCODED = [0]


def take_encoded_count() -> int:
    """How many sites :func:`encode_sites_cached` encoded afresh since the last call (and start again at 0).

    A long-running server gives freed memory back to the system after a big
    build (``ui.memory``); a rerun that found every payload cached did none.
    """
    n, _ENCODED[0] = _ENCODED[0], 0
    return n


def payload_json(payload: dict) -> str:
    """``payload`` as JSON safe inside a ``<script>``: UTF-8 text, with ``< > & '``, backtick, U+2028/9 as ``\\uXXXX``."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if _UNSAFE.search(text):  # the streams never hold these: only names and labels may
        for ch, esc in _SCRIPT_SAFE.items():
            text = text.replace(ch, esc)
    return text


def decode_sites(payload: dict | str, level: str = "detail") -> list[dict]:
    """The sites of a payload (reference decoder): id, k, s, c, n, color and the display geometry in degrees.

    ``level``: ``"detail"`` (the geometry drawn close up; the overview when
    the payload has no detail in it) or ``"overview"`` (drawn below ``dz``;
    the detail when the kind has no separate overview).
    """
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
    if level == "overview" and "og" in payload or "g" not in payload:
        g, xy_text = payload["og"], payload["oxy"]
    else:
        g, xy_text = payload["g"], payload["xy"]
    xy = np.cumsum(np.array(unpack_ints(xy_text), dtype=np.int64).reshape(-1, 2), axis=0) / q \
        if xy_text else np.zeros((0, 2))
    geoms = _decode_geometries(g, xy, n)
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
{% endif %}var {{ this.get_name() }} = L.onemapSites({{ this.payload }}, {{ this.style|tojson }}{% if this.data_url %}, {{ this.data_url|tojson }}{% endif %}).addTo({{ this._parent.get_name() }});
"""


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


_DETAIL_KEYS = ("g", "xy")
_OVERVIEW_KEYS = ("og", "oxy", "dz")


class _Texts:
    """What a payload becomes in a page (JSON texts, file URLs), remembered per payload object.

    Payloads come from :func:`encode_sites_cached`: a rerun meets the same
    objects, whose texts need not be serialised again.
    """

    def __init__(self, size: int = 64):
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict = OrderedDict()  # id(payload) -> (payload, {variant: value})

    def get(self, payload: dict, variant: tuple, make: Callable[[], object]):
        with self._lock:
            item = self._items.get(id(payload))
            if item is not None and item[0] is payload and variant in item[1]:
                self._items.move_to_end(id(payload))
                return item[1][variant]
        value = make()
        with self._lock:
            item = self._items.get(id(payload))
            if item is None or item[0] is not payload:
                item = (payload, {})
                self._items[id(payload)] = item
            item[1][variant] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


_TEXTS = _Texts()


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
        Served files: the overview goes in the page (``inline``) or in a
        file the layer fetches, the detail of lines and polygons in a file
        fetched when the map comes near :data:`DETAIL_ZOOM`. Without files
        everything is inline and only the detail is sent.
    inline : bool
        With ``files``: keep the overview in the page (a small map) rather
        than in a file.
    """

    def __init__(self, payload: dict, style: Mapping, *, include_lib: bool = True,
                 files: PayloadFiles | None = None, inline: bool = False):
        super().__init__()
        self._name = "OneMapSites"
        self.data = payload
        self.data_url = None
        self.payload = None
        if files is not None:
            try:
                self.payload, self.data_url = _TEXTS.get(payload, ("files", id(files), inline),
                                                         lambda: _split(payload, files, inline))
            except OSError:  # folder not writable, disk full: the sites stay inline (slower, still right)
                self.payload = self.data_url = None
        if self.payload is None:
            self.payload = _TEXTS.get(payload, ("inline",), lambda: payload_json(
                {k: v for k, v in payload.items() if k not in _OVERVIEW_KEYS}))
        self.style = {
            "radius": style.get("radius", 7), "weight": style.get("weight", 2),
            "fill_opacity": style.get("fill_opacity", 0.35), "dash_array": style.get("dash_array"),
            "z_order": style.get("z_order", 0), "selected": SELECTED_COLOR, "grey": GREY,
        }
        self.include_lib = include_lib
        self.lib = layer_js()

    _template = Template("{% macro script(this, kwargs) %}" + _ELEMENT_JS + "{% endmacro %}")


def _split(payload: dict, files: PayloadFiles, inline: bool) -> tuple[str, str | None]:
    """(the payload as the page carries it, URL of the file the layer fetches or None)."""
    main = dict(payload)
    if "og" in payload:  # the detail waits in its own file until the map is zoomed in
        detail = payload_json({"v": PAYLOAD_VERSION, "k": payload["k"], "g": payload["g"], "xy": payload["xy"]})
        for k in _DETAIL_KEYS:
            del main[k]
        main["du"] = files.url_for(detail)
    if inline:
        return payload_json(main), None
    url = files.url_for(payload_json(main))
    shell = {**encode_sites(payload["k"], [], statuses={}, label=payload["label"]),
             "st": payload["st"], "col": payload["col"]}
    return payload_json(shell), url
