"""Synthetic sites for the scale benchmarks: plausible, inside Fuqing, fast, deterministic.

``synthetic_sites(n, seed)`` builds ``n`` :class:`~geo.store.base.NewSite`
objects with a realistic mix of kinds:

* outfalls (入海排污口, points) on the OpenStreetMap shoreline of Fuqing Bay
  and Xinghua Bay inside the county, a few metres off the line at most;
* shore-power berths (岸电泊位, points) on the shore of two port areas;
* black-odorous water bodies (黑臭水体): smooth polylines (rivers, ditches)
  and small ponds, on land;
* industrial parks (工业园区) and clean-fuel zones (高污染燃料禁燃区):
  irregular polygons of 50–400 vertices, on land inside the county.

Land geometries are built around centres whose clearance to the coastline
and to the county boundary is larger than the geometry, so every polygon
and line lies on land inside the county by construction (no clipping).
Towns are the nearest town or street seat (:mod:`geo.towns`), statuses are
drawn from each kind's workflow (:mod:`layers`), and every site is marked
``is_sample`` (示例数据). Everything is vectorised with numpy and shapely 2:
100,000 sites take a few seconds.

``build_store(path, n, seed)`` fills a GeoPackage store with those sites
through the store's public API (``create_store`` + ``add_sites`` in chunks);
``cached_store(n, seed)`` keeps one per ``(n, seed)`` under
``<tmp>/onemap-bench`` and reuses it across runs.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import shapely
from shapely.geometry import MultiLineString, Polygon, box

from geo import basegeo, towns
from geo.crs import haversine_m
from geo.store import Actor, NewSite, create_store
from layers import REGISTRY

#: The system actor that writes the benchmark stores.
BENCH_ACTOR = Actor("基准测试", role="system", client="bench")
#: An inspector account (all towns) the status-write benchmark acts as.
WRITER_NAME = "基准巡查员"
WRITER_PASSWORD = "基准测试-synthetic only 42"
#: Bump when the generator changes what it produces (invalidates cached stores).
GENERATOR_VERSION = 2
#: Share of each kind, the rest going to outfalls.
KIND_SHARES = {
    "outfalls": 0.52,
    "shore_power_berths": 0.15,
    "black_odorous": 0.15,
    "parks": 0.08,
    "clean_fuel_zones": 0.07,
    "coal_boilers": 0.03,
}
#: Port areas: (name, lon, lat, half size of the box whose shore holds the berths in degrees).
PORT_AREAS = (("江阴港区", 119.268, 25.455, 0.03), ("元洪作业区", 119.545, 25.695, 0.02))
DEADLINES = ("2024-12-31", "2025-06-30", "2025-12-31", "2026-06-30", "2026-12-31")
DEADLINE_WEIGHTS = (0.10, 0.15, 0.45, 0.15, 0.15)
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQ = 111_320.0
#: Radius multiplier bound of the blobs (harmonics + jitter stay within it).
BLOB_MAX = 1.25
#: Outfalls and berths are moved off their shore line by at most this much.
SHORE_JITTER_M = 25.0

#: Second-level class (HJ 1312-2023) -> (first level, how a name says it).
OUTFALL_SUBTYPES = {"enterprise": ("industrial", "工业排污口"), "municipal_wwtp": ("municipal_wwtp", "污水处理厂排污口"),
                    "aquaculture": ("agricultural", "养殖尾水排口"), "urban_storm": ("other", "雨洪排口"),
                    "port": ("other", "码头排口"), "other_misc": ("other", "其他排口")}
BERTH_TYPES = (("container", 50_000), ("dry_bulk", 100_000), ("general_cargo", 30_000), ("liquid_bulk", 50_000),
               ("ro_ro", 10_000), ("passenger", 5_000), ("other", 3_000))


@dataclass(frozen=True)
class ShorePool:
    """Shoreline pieces to put points on, with the label (bay or port area) of each."""

    lines: np.ndarray  # of LineString
    labels: np.ndarray  # of str
    cum: np.ndarray  # cumulative lengths (degrees), last = total


# -- where things can go ------------------------------------------------------


def _shore_pieces(area) -> list:
    """Shoreline pieces inside ``area`` and the county (LineStrings)."""
    county = basegeo.county_boundary()
    clipped = basegeo.shoreline().intersection(area).intersection(county)
    merged = shapely.line_merge(clipped) if not clipped.is_empty else clipped
    return [g for g in shapely.get_parts(merged) if g.geom_type == "LineString" and g.length > 1e-4]


def _pool(pieces_by_label: Sequence[tuple[str, list]]) -> ShorePool:
    lines, labels = [], []
    for label, pieces in pieces_by_label:
        lines += pieces
        labels += [label] * len(pieces)
    lines_arr = np.asarray(lines, dtype=object)
    return ShorePool(lines_arr, np.asarray(labels, dtype=object), np.cumsum(shapely.length(lines_arr)))


@lru_cache(maxsize=1)
def bay_shores() -> ShorePool:
    """Shoreline of each bay (its polygon + 500 m) inside the county, labelled with the bay code."""
    return _pool([(code, _shore_pieces(geom.buffer(0.005))) for code, geom in basegeo.bays().items()])


@lru_cache(maxsize=1)
def port_shores() -> ShorePool:
    """Shoreline of the port areas inside the county, labelled with the port area's name."""
    return _pool([(name, _shore_pieces(box(lon - h, lat - h, lon + h, lat + h)))
                  for name, lon, lat, h in PORT_AREAS])


@lru_cache(maxsize=1)
def _edge_tree() -> tuple[np.ndarray, shapely.STRtree]:
    """Short segments of the coastline and of the county boundary (for clearance queries)."""
    edges = [basegeo.shoreline(), basegeo.county_boundary().boundary]
    segs = []
    for g in edges:
        for part in shapely.get_parts(g):
            xy = shapely.get_coordinates(part)
            if len(xy) >= 2:
                segs.append(np.stack([xy[:-1], xy[1:]], axis=1))
    pairs = np.concatenate(segs)
    lines = shapely.linestrings(pairs.reshape(-1, 2), indices=np.repeat(np.arange(len(pairs)), 2))
    return lines, shapely.STRtree(lines)


def _deg_lon(lat: np.ndarray) -> np.ndarray:
    """Metres per degree of longitude at ``lat``."""
    return M_PER_DEG_LON_EQ * np.cos(np.radians(lat))


def land_centres(rng: np.random.Generator, k: int, min_clear_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``k`` points on land inside the county at least ``min_clear_m`` from coast and county edge.

    Returns
    -------
    lon, lat, clearance_m : numpy.ndarray
        Clearance is the distance to the nearest coastline or county edge,
        in metres along the parallel (the conservative direction).
    """
    if k == 0:
        empty = np.empty(0)
        return empty, empty, empty
    minx, miny, maxx, maxy = basegeo.FUQING_BOUNDS
    _, tree = _edge_tree()
    out_x, out_y, out_c = [], [], []
    have = 0
    while have < k:
        m = max(4 * (k - have), 256)
        x = rng.uniform(minx, maxx, m)
        y = rng.uniform(miny, maxy, m)
        ok = basegeo.is_on_land(x, y) & basegeo.in_county(x, y)
        x, y = x[ok], y[ok]
        _, dist = tree.query_nearest(shapely.points(x, y), return_distance=True, all_matches=False)
        clear = dist * _deg_lon(y)  # a degree of longitude is the shorter one: conservative
        keep = clear >= min_clear_m
        out_x.append(x[keep])
        out_y.append(y[keep])
        out_c.append(clear[keep])
        have += int(keep.sum())
    return (np.concatenate(out_x)[:k], np.concatenate(out_y)[:k], np.concatenate(out_c)[:k])


def shore_points(rng: np.random.Generator, pool: ShorePool, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``k`` points spread along the pool's shoreline (by length), at most a few metres off it, in the county.

    Returns
    -------
    lon, lat : numpy.ndarray
        6 decimals.
    labels : numpy.ndarray of str
        The label of the piece each point lies on.
    """
    x, y, idx = np.empty(k), np.empty(k), np.zeros(k, dtype=np.int64)
    todo = np.arange(k)
    for _ in range(50):  # a point moved out of the county by jitter or rounding is drawn again
        if len(todo) == 0:
            break
        x[todo], y[todo], idx[todo] = _shore_candidates(rng, pool, len(todo))
        todo = todo[~basegeo.in_county(x[todo], y[todo])]
    return x, y, pool.labels[idx]


def _shore_candidates(rng, pool: ShorePool, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    at = rng.uniform(0, pool.cum[-1], k)
    idx = np.searchsorted(pool.cum, at, side="right").clip(0, len(pool.lines) - 1)
    start = np.concatenate([[0.0], pool.cum[:-1]])[idx]
    xy = shapely.get_coordinates(shapely.line_interpolate_point(pool.lines[idx], at - start))
    ang = rng.uniform(0, 2 * math.pi, k)
    r = rng.uniform(0, SHORE_JITTER_M, k)
    x = xy[:, 0] + r * np.cos(ang) / _deg_lon(xy[:, 1])
    y = xy[:, 1] + r * np.sin(ang) / M_PER_DEG_LAT
    return np.round(x, 6), np.round(y, 6), idx


# -- geometries ------------------------------------------------------------------


def _ragged_index(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner of each vertex, position of each vertex within its owner)."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return owner, np.arange(int(counts.sum())) - starts[owner]


def blobs(rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray, radius_m: np.ndarray,
          nverts: np.ndarray) -> np.ndarray:
    """Irregular star-shaped polygons (always simple) around centres, in WGS84, 6 decimals.

    Each radius varies smoothly (four harmonics) within ``[1/BLOB_MAX, BLOB_MAX]``
    times ``radius_m``; the shape is squeezed along a random axis.
    """
    k = len(lon)
    if k == 0:
        return np.empty(0, dtype=object)
    owner, pos = _ragged_index(nverts)
    t = 2 * math.pi * pos / nverts[owner]
    amp = rng.uniform(0, 0.05, (k, 4))
    phase = rng.uniform(0, 2 * math.pi, (k, 4))
    wobble = sum(amp[owner, h] * np.cos((h + 2) * t + phase[owner, h]) for h in range(4))
    r = radius_m[owner] * (1 + wobble + rng.uniform(-0.02, 0.02, len(owner)))
    squeeze = rng.uniform(0.6, 1.0, k)[owner]
    rot = rng.uniform(0, math.pi, k)[owner]
    ex, ey = r * np.cos(t), r * squeeze * np.sin(t)
    dx = ex * np.cos(rot) - ey * np.sin(rot)
    dy = ex * np.sin(rot) + ey * np.cos(rot)
    x = np.round(lon[owner] + dx / _deg_lon(lat[owner]), 6)
    y = np.round(lat[owner] + dy / M_PER_DEG_LAT, 6)
    rings = shapely.linearrings(np.column_stack([x, y]), indices=owner)
    polys = shapely.polygons(rings)
    return _fix_invalid(polys)


def walks(rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray, length_m: np.ndarray,
          nverts: np.ndarray) -> np.ndarray:
    """Smooth random polylines starting at each point (a river reach, a ditch), WGS84, 6 decimals.

    A walk never gets further from its start than its length.
    """
    k = len(lon)
    if k == 0:
        return np.empty(0, dtype=object)
    owner, pos = _ragged_index(nverts)
    turn = rng.normal(0, 0.3, len(owner))
    turn[pos == 0] = 0
    heading = rng.uniform(0, 2 * math.pi, k)[owner] + _group_cumsum(turn, owner)
    seg = (length_m / (nverts - 1))[owner]
    step_x = np.where(pos == 0, 0.0, seg * np.cos(heading))
    step_y = np.where(pos == 0, 0.0, seg * np.sin(heading))
    dx, dy = _group_cumsum(step_x, owner), _group_cumsum(step_y, owner)
    x = np.round(lon[owner] + dx / _deg_lon(lat[owner]), 6)
    y = np.round(lat[owner] + dy / M_PER_DEG_LAT, 6)
    return shapely.linestrings(np.column_stack([x, y]), indices=owner)


def _group_cumsum(values: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each new owner (owners contiguous)."""
    total = np.cumsum(values)
    first = np.concatenate([[True], owner[1:] != owner[:-1]])
    return total - _carry(total - values, first)


def _carry(offset: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Each element gets the ``offset`` of the first element of its group."""
    idx = np.where(first, np.arange(len(first)), 0)
    np.maximum.accumulate(idx, out=idx)
    return offset[idx]


def _fix_invalid(polys: np.ndarray) -> np.ndarray:
    """Replace the rare invalid polygon (rounding) by the largest polygon of its valid form."""
    bad = ~shapely.is_valid(polys)
    for i in np.flatnonzero(bad):
        parts = [g for g in shapely.get_parts(shapely.make_valid(polys[i])) if g.geom_type == "Polygon"]
        polys[i] = max(parts, key=lambda g: g.area)
    return polys


# -- towns -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _seats() -> tuple[tuple, np.ndarray, np.ndarray]:
    seats = towns.all_towns(("street", "town"))
    return seats, np.array([t.lon for t in seats]), np.array([t.lat for t in seats])


def nearest_towns(lon: np.ndarray, lat: np.ndarray) -> list:
    """The nearest town or street seat of each point (as ``geo.sample`` assigns towns)."""
    seats, slon, slat = _seats()
    if len(lon) == 0:
        return []
    best = np.empty(len(lon), dtype=np.int64)
    for start in range(0, len(lon), 20_000):
        d = haversine_m(lon[start:start + 20_000, None], lat[start:start + 20_000, None], slon[None, :], slat[None, :])
        best[start:start + 20_000] = np.argmin(d, axis=1)
    return [seats[i] for i in best]


# -- the kinds ---------------------------------------------------------------------


#: The point kinds (a province-wide store of outfalls and berths: ``--million`` in bench/run.py).
POINT_KINDS = ("outfalls", "shore_power_berths")


def kind_counts(n: int, kinds: Sequence[str] | None = None) -> dict[str, int]:
    """How many sites of each kind ``n`` sites hold (at least one of each when n >= the number of kinds).

    ``kinds``: only these (their shares scaled up to all of ``n``); default every kind.
    """
    shares = {k: s for k, s in KIND_SHARES.items() if kinds is None or k in kinds}
    total = sum(shares.values())
    counts = {k: int(n * s / total) for k, s in shares.items()}
    if n >= len(shares):
        for k in counts:
            counts[k] = max(counts[k], 1)
    first = next(iter(counts))
    counts[first] += n - sum(counts.values())
    return {k: counts.get(k, 0) for k in KIND_SHARES}


def _statuses(rng, kind: str, k: int) -> list[str]:
    codes = REGISTRY[kind].status_codes
    return [codes[i] for i in rng.integers(0, len(codes), k)]


def _deadlines(rng, k: int) -> list[str]:
    return [DEADLINES[i] for i in rng.choice(len(DEADLINES), k, p=DEADLINE_WEIGHTS)]


def _outfalls(rng, k: int) -> list[NewSite]:
    x, y, bays = shore_points(rng, bay_shores(), k)
    seats = nearest_towns(x, y)
    status = _statuses(rng, "outfalls", k)
    dl = _deadlines(rng, k)
    types = list(OUTFALL_SUBTYPES)
    type_i = rng.integers(0, len(types), k)
    method_i = rng.integers(0, 3, k)
    odour = rng.random(k) < 0.4
    geoms = shapely.points(x, y)
    out = []
    late = {"remediating", "remediated", "closed"}
    for i in range(k):
        t = types[type_i[i]]
        attrs = {"discharge_into": "sea", "receiving_water": bays[i], "outfall_type": OUTFALL_SUBTYPES[t][0],
                 "outfall_subtype": t, "black_odour_seen": bool(odour[i] and status[i] in ("surveyed", "monitored"))}
        if status[i] in late:
            attrs["remediation_method"] = ("ban", "merge", "standardise")[method_i[i]]
        tw = seats[i]
        out.append(NewSite("outfalls", f"PWK-B{i + 1:06d}", f"{tw.name_zh}{OUTFALL_SUBTYPES[t][1]}{i + 1}号", tw.code,
                           status[i], geoms[i], deadline=dl[i], responsible=f"{tw.name_zh}人民政府",
                           is_sample=True, attrs=attrs))
    return out


def _berths(rng, k: int) -> list[NewSite]:
    x, y, ports = shore_points(rng, port_shores(), k)
    seats = nearest_towns(x, y)
    status = _statuses(rng, "shore_power_berths", k)
    dl = _deadlines(rng, k)
    type_i = rng.integers(0, len(BERTH_TYPES), k)
    cap = rng.choice([1600.0, 2500.0, 3150.0, 5000.0], k)
    conn = rng.integers(5, 80, k)
    energy = rng.integers(20, 900, k) * 100.0
    geoms = shapely.points(x, y)
    out = []
    for i in range(k):
        btype, tons = BERTH_TYPES[type_i[i]]
        attrs = {"port_area": ports[i], "berth_no": f"{i + 1}#", "berth_type": btype, "tonnage_t": tons,
                 "dangerous_goods": btype == "liquid_bulk"}
        if status[i] == "available":
            attrs.update(capacity_kva=float(cap[i]), connections=int(conn[i]), energy_kwh=float(energy[i]),
                         period="2025年1-10月")
        out.append(NewSite("shore_power_berths", f"AD-B{i + 1:06d}", f"{ports[i]}{i + 1}#泊位", seats[i].code,
                           status[i], geoms[i], deadline=dl[i], responsible="港务站", is_sample=True, attrs=attrs))
    return out


def _black_odorous(rng, k: int) -> list[NewSite]:
    n_lines = k - k // 3
    n_ponds = k // 3
    # Reaches: 300 m .. 2.5 km, 8..60 vertices, clearance larger than the reach.
    want = rng.uniform(300, 2500, n_lines)
    lx, ly, lc = land_centres(rng, n_lines, 300)
    length = np.minimum(want, 0.9 * lc)
    lines = walks(rng, lx, ly, length, rng.integers(8, 61, n_lines))
    # Ponds: 30..150 m across, 12..40 vertices.
    px, py, pc = land_centres(rng, n_ponds, 60)
    radius = np.minimum(rng.uniform(30, 150, n_ponds), 0.9 * pc / BLOB_MAX)
    ponds = blobs(rng, px, py, radius, rng.integers(12, 41, n_ponds))
    geoms = np.concatenate([lines, ponds])
    x, y = np.concatenate([lx, px]), np.concatenate([ly, py])
    seats = nearest_towns(x, y)
    status = _statuses(rng, "black_odorous", k)
    dl = _deadlines(rng, k)
    sat = rng.integers(88, 100, k)
    grade_i = rng.integers(0, 2, k)
    out = []
    for i in range(k):
        tw = seats[i]
        urban = tw.kind == "street"
        is_line = i < n_lines
        grade = "none" if status[i] in ("initial_effect", "long_term_clean") else ("light", "heavy")[grade_i[i]]
        attrs = {"water_kind": "urban" if urban else "rural", "grade": grade}
        if is_line:
            attrs["length_km"] = round(float(length[i]) / 1000, 2)
        if status[i] == "long_term_clean":
            attrs["satisfaction_pct"] = float(sat[i])
        label = ("内河" if urban else "沟渠") if is_line else "坑塘"
        out.append(NewSite("black_odorous", f"HC-B{i + 1:06d}", f"{tw.name_zh}{label}{i + 1}号", tw.code, status[i],
                           geoms[i], deadline=dl[i], responsible=f"{tw.name_zh}人民政府", is_sample=True, attrs=attrs))
    return out


def _parks(rng, k: int) -> list[NewSite]:
    x, y, c = land_centres(rng, k, 400)
    radius = np.minimum(rng.uniform(300, 1500, k), 0.9 * c / BLOB_MAX)
    geoms = blobs(rng, x, y, radius, rng.integers(50, 401, k))
    seats = nearest_towns(x, y)
    status = _statuses(rng, "parks", k)
    dl = _deadlines(rng, k)
    level = rng.choice(["national", "provincial", "municipal"], k, p=[0.2, 0.3, 0.5])
    retro = rng.choice(["not_started", "in_progress", "completed", "not_applicable"], k)
    out = []
    for i in range(k):
        tw = seats[i]
        body = f"{tw.stem}工业园管委会"
        attrs = {"level": str(level[i]), "managing_body": body, "circular_retrofit": str(retro[i]),
                 "online_monitoring": status[i] in ("completed", "accepted"),
                 "central_sewage_plant": "园区集中污水处理厂" if status[i] != "not_started" else None}
        out.append(NewSite("parks", f"YQ-B{i + 1:06d}", f"{tw.stem}工业园{i + 1}号", tw.code, status[i], geoms[i],
                           deadline=dl[i], responsible=body, is_sample=True, attrs=attrs))
    return out


def _clean_fuel_zones(rng, k: int) -> list[NewSite]:
    x, y, c = land_centres(rng, k, 800)
    radius = np.minimum(rng.uniform(800, 3000, k), 0.9 * c / BLOB_MAX)
    geoms = blobs(rng, x, y, radius, rng.integers(100, 401, k))
    seats = nearest_towns(x, y)
    status = _statuses(rng, "clean_fuel_zones", k)
    dl = _deadlines(rng, k)
    cat = rng.choice(["I", "II", "III"], k)
    scope = rng.choice(["built_up", "near_suburb", "other"], k)
    out = []
    for i in range(k):
        tw = seats[i]
        attrs = {"fuel_category": str(cat[i]), "zone_scope": str(scope[i]), "towns_covered": tw.name_zh,
                 "area_km2": round(math.pi * float(radius[i]) ** 2 / 1e6, 1)}
        out.append(NewSite("clean_fuel_zones", f"JRQ-B{i + 1:06d}", f"{tw.stem}高污染燃料禁燃区{i + 1}号", tw.code,
                           status[i], geoms[i], deadline=dl[i], responsible="福清生态环境局", is_sample=True,
                           attrs=attrs))
    return out


def _coal_boilers(rng, k: int) -> list[NewSite]:
    x, y, _ = land_centres(rng, k, 50)
    seats = nearest_towns(x, y)
    status = _statuses(rng, "coal_boilers", k)
    dl = _deadlines(rng, k)
    tons = rng.choice([2.0, 4.0, 6.0, 10.0, 20.0, 35.0, 40.0, 75.0], k)
    fuels = ("raw_coal", "briquette", "coal_water_slurry")
    fuel_i = rng.integers(0, len(fuels), k)
    geoms = shapely.points(np.round(x, 6), np.round(y, 6))
    out = []
    for i in range(k):
        tw = seats[i]
        owner = f"{tw.stem}示例企业{i + 1}号"
        attrs = {"tonnage_th": float(tons[i]), "fuel": fuels[fuel_i[i]], "owner": owner}
        out.append(NewSite("coal_boilers", f"GL-B{i + 1:06d}", f"{owner}燃煤锅炉", tw.code, status[i], geoms[i],
                           deadline=dl[i], responsible=owner, is_sample=True, attrs=attrs))
    return out


_BUILDERS = (("outfalls", _outfalls), ("shore_power_berths", _berths), ("black_odorous", _black_odorous),
             ("parks", _parks), ("clean_fuel_zones", _clean_fuel_zones), ("coal_boilers", _coal_boilers))


def synthetic_sites(n: int, seed: int = 0, kinds: Sequence[str] | None = None) -> list[NewSite]:
    """``n`` plausible synthetic sites inside Fuqing, the same for the same ``(n, seed, kinds)``.

    Parameters
    ----------
    n : int
        How many sites (kinds in the proportions of :data:`KIND_SHARES`).
    seed : int
        Seed of the random generator.
    kinds : sequence of str, optional
        Only these kinds (e.g. :data:`POINT_KINDS`), in the same proportions to each other.

    Returns
    -------
    list of NewSite
        Outfalls first, then berths, black-odorous water, parks, zones, coal boilers; ids
        ``<prefix>-B000001`` …; every site ``is_sample``.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    counts = kind_counts(n, kinds)
    out: list[NewSite] = []
    for i, (kind, build) in enumerate(_BUILDERS):
        if not counts[kind]:
            continue
        rng = np.random.default_rng([seed, i])  # one stream per kind: a kind does not depend on the others
        out += build(rng, counts[kind])
    return out


def normalise_geometry(site) -> NewSite:
    """The site with the geometry the store would hand back (single polygon/line promoted to multi).

    The store keeps ``polygon`` kinds as MultiPolygon and ``line`` kinds as
    MultiLineString; a map built from in-memory sites should see the same.
    """
    from dataclasses import replace

    from shapely.geometry import MultiPolygon

    geometry = REGISTRY[site.kind].geometry
    if geometry == "polygon" and site.geometry.geom_type == "Polygon":
        return replace(site, geometry=MultiPolygon([site.geometry]))
    if geometry == "line" and site.geometry.geom_type == "LineString":
        return replace(site, geometry=MultiLineString([site.geometry]))
    return site


# -- stores ---------------------------------------------------------------------------


def build_store(path: str | os.PathLike, n: int, seed: int = 0, *, chunk: int = 10_000,
                kinds: Sequence[str] | None = None):
    """Create a GeoPackage store at ``path`` holding ``synthetic_sites(n, seed, kinds)``.

    Sites go in through ``add_sites`` in chunks as :data:`BENCH_ACTOR`; an
    inspector account for every town (:data:`WRITER_NAME`) is added for the
    write benchmark; the store is marked as sample data.

    Returns
    -------
    GpkgStore
    """
    sites = synthetic_sites(n, seed, kinds)

    def populate(store) -> None:
        for start in range(0, len(sites), chunk):
            store.add_sites(BENCH_ACTOR, sites[start:start + chunk], source="bench")
        store.add_user(BENCH_ACTOR, WRITER_NAME, "inspector", password=WRITER_PASSWORD,
                       towns=[t.code for t in towns.all_towns()])
        store.set_meta(BENCH_ACTOR, "data_origin", "sample")
        store.set_meta(BENCH_ACTOR, "sample_notice", "合成基准数据：仅供性能测试 (synthetic benchmark data)")

    return create_store(Path(path), populate, force=True)


def cache_dir() -> Path:
    """Where benchmark stores are kept between runs (outside the repository)."""
    d = Path(os.environ.get("ONEMAP_BENCH_CACHE", Path(tempfile.gettempdir()) / "onemap-bench"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def _cache_key(n: int, seed: int, kinds: Sequence[str] | None = None) -> str:
    from geo import displaygeom
    from geo.store.schema import SCHEMA_VERSION

    only = "" if kinds is None else "-k" + "+".join(sorted(kinds))
    display = hashlib.sha256(displaygeom.PARAMS.encode()).hexdigest()[:6]
    return f"store-n{n}{only}-s{seed}-g{GENERATOR_VERSION}-v{SCHEMA_VERSION}-d{display}-{_output_digest()}.gpkg"


@lru_cache(maxsize=1)
def _output_digest() -> str:
    """A digest of what the generator produces (a small sample): a changed generator gets new stores."""
    h = hashlib.sha256()
    for s in synthetic_sites(60, seed=12345):
        h.update(repr((s.kind, s.site_id, s.name, s.town_code, s.status, s.deadline, sorted(s.attrs.items()))).encode())
        h.update(s.geometry.wkb)
    return h.hexdigest()[:10]


def cached_store(n: int, seed: int = 0, kinds: Sequence[str] | None = None) -> Path:
    """Path of a store of ``synthetic_sites(n, seed, kinds)``, built once and reused.

    The cache key holds the generator version, the store schema version and
    a digest of the generator's output for a small sample, so a changed
    generator or schema builds afresh (old files stay: delete the folder to
    reclaim the space).
    Treat the cached file as read-only: copy it (:func:`copy_store`) before
    writing to it.
    """
    from geo.store import GpkgStore

    path = cache_dir() / _cache_key(n, seed, kinds)
    if path.exists():
        try:
            GpkgStore(path).check_schema()
            return path
        except Exception:  # noqa: BLE001 - any doubt about a cached file: rebuild it
            pass
    build_store(path, n, seed, kinds=kinds, chunk=10_000 if n <= 100_000 else 50_000)
    return path


def copy_store(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """A consistent copy of a store (SQLite online backup, WAL included)."""
    dst = Path(dst)
    if dst.exists():
        dst.unlink()
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()
    from geo.store import GpkgStore

    store = GpkgStore(dst)
    store.enable_wal()
    return dst


def polygon_vertex_count(geom) -> int:
    """Vertices of a polygon's exterior rings, closing vertex not counted."""
    return sum(len(p.exterior.coords) - 1 for p in shapely.get_parts(geom) if isinstance(p, Polygon))
