"""Illustrative sample data (示例数据) on real Fuqing ground, built deterministically.

Nothing here is official. Park names are real (public sources) but their
outlines are approximate; outfalls, water bodies, zones and berth statuses
are invented so that the app can be seen working, and every site is stored
with ``is_sample = 1`` and the store's ``data_origin = sample``, which the UI
and exports show as 示例数据. The real ledgers come in through import.

Geometry rules (checked by ``tests/test_sample.py``):
outfalls into the sea lie on the OSM shoreline of their water inside the
county (the Haitan Strait ones on the east coast facing Pingtan, outside both
bay polygons); outfalls into rivers lie inland along a hand-drawn 龙江 course
(``data/base`` has no river line) and at 东张水库; berths on
the shore of the Jiangyin port area; parks, water bodies and zones on land.
Histories run from 2023 to 2025 and go through the store's own transition
checks (the store is filled through :meth:`SiteStore.change_status`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo import basegeo, towns
from geo.crs import geodesic_distance_m, transform
from geo.clock import CST
from geo.store.base import Actor, Evidence, NewSite
from layers import REGISTRY, get_spec

SEED = 20251231
SAMPLE_ACTOR = Actor("示例数据生成", role="system", client="sample")
INSPECTORS = ("示例巡查员·王", "示例巡查员·林", "示例巡查员·陈", "示例巡查员·郑", "示例审核员·黄")
CITY_CENTRE = (119.378, 25.722)
JIANGYIN_PORT = (119.268, 25.455)  # 福州港江阴港区 (west shore of the Jiangyin peninsula), approximate
HISTORY_START = date(2023, 1, 4)
HISTORY_END = date(2025, 11, 28)
REMOTE_THRESHOLD_M = 200.0


@dataclass
class Step:
    """One change of a sample site: the status it goes to, what it records, the photos it carries.

    ``photos`` maps a photo field (or ``""`` for a photo of the change only) to what the photo shows.
    """

    status: str
    changes: dict = field(default_factory=dict)
    photos: dict = field(default_factory=dict)
    day: date | None = None  # an explicit day: black-odorous bodies move when their readings allow it


@dataclass
class SampleCampaign:
    """A sampling campaign of a black-odorous body: every point, ``rounds`` rounds ``gap_days`` apart."""

    start: date
    quality: str  # "heavy", "light" or "clean" (for a rural body "heavy"/"light" mean black by the rural rule)
    points: int
    rounds: int = 3
    gap_days: int = 3

    @property
    def end(self) -> date:
        return self.start + timedelta(days=(self.rounds - 1) * self.gap_days)


@dataclass
class PlannedSite:
    """A sample site, the status path it goes through after creation, and its monitoring campaigns."""

    site: NewSite
    path: list[Step]
    campaigns: list[SampleCampaign] = field(default_factory=list)


# -- local metric geometry ---------------------------------------------------


def _reproject(geom: BaseGeometry, src: str, dst: str) -> BaseGeometry:
    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = transform(xy[:, 0], xy[:, 1], src, dst)
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def _to_m(geom: BaseGeometry) -> BaseGeometry:
    return _reproject(geom, "EPSG:4326", "EPSG:32650")


def _to_deg(geom: BaseGeometry) -> BaseGeometry:
    return _reproject(geom, "EPSG:32650", "EPSG:4326")


def _blob(rng, lon: float, lat: float, a_m: float, b_m: float, n: int = 14) -> Polygon:
    """An irregular oval of about a_m x b_m metres around (lon, lat), in WGS84."""
    cx, cy = transform(lon, lat, "EPSG:4326", "EPSG:32650")
    rot = rng.uniform(0, math.pi)
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        r = rng.uniform(0.8, 1.15)
        x, y = a_m * r * math.cos(t), b_m * r * math.sin(t)
        pts.append((cx + x * math.cos(rot) - y * math.sin(rot), cy + x * math.sin(rot) + y * math.cos(rot)))
    return _to_deg(Polygon(pts))


def _on_land(geom: BaseGeometry) -> BaseGeometry:
    """Clip to land inside the county, keep the largest part, round to 6 decimals."""
    clipped = geom.intersection(basegeo.land()).intersection(basegeo.county_boundary())
    parts = [g for g in shapely.get_parts(clipped) if g.geom_type == "Polygon" and not g.is_empty]
    best = max(parts, key=lambda g: g.area)
    return shapely.make_valid(shapely.set_precision(best, 1e-6))


def _walk(rng, lon: float, lat: float, length_m: float, seg_m: float = 120.0) -> LineString:
    """A smooth random polyline on land starting near (lon, lat)."""
    x, y = transform(lon, lat, "EPSG:4326", "EPSG:32650")
    heading = rng.uniform(0, 2 * math.pi)
    pts = [(x, y)]
    for _ in range(int(length_m / seg_m)):
        for _try in range(12):
            h = heading + rng.normal(0, 0.35)
            nx, ny = pts[-1][0] + seg_m * math.cos(h), pts[-1][1] + seg_m * math.sin(h)
            plon, plat = transform(nx, ny, "EPSG:32650", "EPSG:4326")
            if basegeo.is_on_land(plon, plat) and basegeo.in_county(plon, plat):
                heading = h
                pts.append((nx, ny))
                break
            heading += math.pi / 3
    line = _to_deg(LineString(pts))
    return shapely.set_precision(line, 1e-6)


def _along(line: LineString, n: int, rng, jitter: float = 0.25) -> list[Point]:
    """``n`` points spread along ``line`` with a little jitter."""
    out = []
    for i in range(n):
        f = (i + 0.5 + rng.uniform(-jitter, jitter)) / n
        out.append(line.interpolate(min(max(f, 0.0), 1.0), normalized=True))
    return out


def _shore_in(area: BaseGeometry) -> list[LineString]:
    """Shoreline pieces inside ``area`` and the county, longest first."""
    county = basegeo.county_boundary()
    pieces = shapely.get_parts(shapely.line_merge(basegeo.shoreline().intersection(area).intersection(county)))
    lines = [g for g in pieces if g.geom_type == "LineString" and g.length > 0.004]
    return sorted(lines, key=lambda g: -g.length)


def _town_of(geom: BaseGeometry) -> str:
    p = geom.representative_point()
    return towns.nearest_town_seat(p.x, p.y, kinds=("street", "town")).code


def _town_name(code: str) -> str:
    return towns.town_by_code(code).name_zh


def _spread(rng, counts: dict[str, int]) -> list[str]:
    items = [s for s, n in counts.items() for _ in range(n)]
    rng.shuffle(items)
    return items


def shortest_path(kind: str, target: str) -> list[str]:
    """Statuses from the kind's initial status to ``target`` (exclusive of the start)."""
    spec = get_spec(kind)
    prev = {spec.initial_status: None}
    queue = deque([spec.initial_status])
    while queue:
        cur = queue.popleft()
        for t in spec.allowed_next(cur):
            if t.dst not in prev:
                prev[t.dst] = cur
                queue.append(t.dst)
    path = []
    node = target
    while node != spec.initial_status:
        path.append(node)
        node = prev[node]
    return list(reversed(path))


# -- the kinds ---------------------------------------------------------------

#: Park names as public sources give them (levels: see the notes; outlines approximate):
#: 福州元洪投资区 — a State-Council-approved national investment zone; 福清融侨经济技术开发区 — a national
#: economic and technological development zone; 福清出口加工区 — one of the export processing zones
#: approved nationally in 2007; 福州江阴港城经济区 — on the province's first list of chemical parks
#: (福建省工业和信息化厅 公示, 2020-12-31), level here assumed provincial; 福州保税港区 — the bonded port
#: zone on the Jiangyin peninsula approved by the State Council in 2010; 瀚海蓝色经济产业园 — level
#: assumed municipal.
PARKS = (
    # name, level, chemical park, (lon, lat), size (m), managing body, circular retrofit, status
    ("福州元洪投资区", "national", False, (119.512, 25.712), (1900, 1200), "元洪投资区管委会", "completed", "accepted"),
    ("福清融侨经济技术开发区", "national", False, (119.330, 25.738), (2200, 1500), "融侨经济技术开发区管委会",
     "completed", "completed"),
    ("福清出口加工区", "national", False, (119.352, 25.757), (900, 600), "融侨经济技术开发区管委会", "in_progress",
     "completed"),
    ("福州江阴港城经济区", "provincial", True, (119.300, 25.470), (2400, 1500), "江阴港城经济区管委会", "in_progress",
     "building"),
    ("福州保税港区", "national", False, (119.285, 25.448), (900, 700), "江阴港城经济区管委会", "not_started", "building"),
    ("瀚海蓝色经济产业园", "municipal", False, (119.585, 25.445), (1300, 900), "东瀚镇人民政府", "not_applicable",
     "not_started"),
)


def _parks(rng) -> list[PlannedSite]:
    out = []
    for i, (name, level, chemical, (lon, lat), (a, b), body, retrofit, status) in enumerate(PARKS, start=1):
        geom = _on_land(_blob(rng, lon, lat, a, b))
        attrs = {"level": level, "chemical_park": chemical, "managing_body": body, "circular_retrofit": retrofit,
                 "online_monitoring": status in ("completed", "accepted"),
                 "central_sewage_plant": "园区集中污水处理厂" if status != "not_started" else None}
        site = NewSite("parks", f"YQ-{i:03d}", name, _town_of(geom), "not_started", geom,
                       deadline="2025-12-31", responsible=body, is_sample=True, attrs=attrs)
        out.append(PlannedSite(site, [Step(s) for s in shortest_path("parks", status)]))
    return out


#: The 龙江 through the city, west to east, to its mouth in Fuqing Bay at 海口 — drawn by hand
#: (示意): ``data/base`` has no river line (rivers are land in the OSM land polygons). It runs from
#: 东张 past 宏路, 石竹/音西, 玉屏/龙山 and 龙江 to 海口; positions are approximate.
LONGJIANG_COURSE = ((119.252, 25.714), (119.283, 25.711), (119.314, 25.707), (119.345, 25.712),
                    (119.372, 25.718), (119.398, 25.717), (119.422, 25.707), (119.446, 25.694))
#: Where the tributary outfalls sit: a point on the way from the main stream towards a town seat.
LONGJIANG_TRIBUTARY_TOWARDS = ("350181008", "350181007", "350181003", "350181118")
#: 东张水库 on the upper 龙江, west of the 东张 town seat (approximate).
DONGZHANG_RESERVOIR = ((119.231, 25.701), (119.226, 25.708))

#: Outfall groups: receiving water, how many, statuses (each listed once per outfall), and the
#: second-level classes (HJ 1312-2023) drawn from.
OUTFALL_GROUPS = (
    ("fuqing_bay", 20, {"surveyed": 2, "monitored": 3, "traced": 3, "remediating": 4, "remediated": 4,
                        "closed": 3, "dismissed": 1},
     ("enterprise", "municipal_wwtp", "aquaculture", "small_aquaculture", "urban_storm", "rural_scattered",
      "port", "other_misc")),
    ("xinghua_bay", 24, {"surveyed": 3, "monitored": 3, "traced": 4, "remediating": 5, "remediated": 4,
                         "closed": 4, "dismissed": 1},
     ("enterprise", "park_wwtp", "park_wwtp_storm", "aquaculture", "small_aquaculture", "port", "rural_wwtp",
      "rural_scattered")),
    ("haitan_strait", 8, {"surveyed": 2, "monitored": 1, "traced": 1, "remediating": 2, "remediated": 1,
                          "closed": 1},
     ("aquaculture", "small_aquaculture", "port", "rural_scattered", "enterprise_storm")),
    ("longjiang_main", 10, {"surveyed": 1, "monitored": 2, "traced": 2, "remediating": 2, "remediated": 2,
                            "closed": 1},
     ("urban_storm", "urban_scattered", "municipal_wwtp", "enterprise", "enterprise_storm", "rural_wwtp")),
    ("longjiang_tributary", 4, {"surveyed": 1, "traced": 1, "remediating": 1, "dismissed": 1},
     ("rural_scattered", "small_livestock", "urban_storm", "enterprise")),
    ("lake", 2, {"remediating": 1, "remediated": 1}, ("small_livestock", "rural_scattered")),
)
#: Outfalls that an illegal discharge makes go from 排查 straight to 依法取缔 (site numbers).
BAN_AT_SURVEY = {"lake"}
SUBTYPE_UNIT = {  # how the sample names the discharging unit (示例: none of these is real)
    "enterprise": "示例企业", "enterprise_storm": "示例企业", "park_wwtp": "示例园区污水处理厂",
    "park_wwtp_storm": "示例园区污水处理厂", "municipal_wwtp": "示例污水处理厂", "aquaculture": "示例水产养殖场",
    "port": "示例码头公司", "small_livestock": "示例养殖户", "small_aquaculture": "示例养殖户",
}
METHOD_BY_SUBTYPE = {"small_livestock": "ban", "small_aquaculture": "ban", "rural_scattered": "merge",
                     "urban_scattered": "merge", "other_misc": "merge", "enterprise_storm": "merge"}
PLAN_TEXT = {"ban": "依法取缔：封堵排口、拆除私设管道（示例）",
             "merge": "清理合并：截污纳管，并入就近污水管网（示例）",
             "standardise": "规范整治：雨污分流改造，设置标志牌和采样点（示例）"}
MILESTONES = "2025-03-31 完成整治方案\n2025-09-30 完成工程建设\n2025-12-31 完成验收"
DISMISS_NOTES = {"not_outfall": "现场核查为农田灌溉沟渠出水口，无污水排放（示例）",
                 "duplicate": "与相邻点位为同一口门，重复登记（示例）",
                 "gone": "排口已随道路改造拆除，现场无口门（示例）"}
#: Marks a change value filled in when the change is made: the day of the change.
ON_THE_DAY = "@day"


def _polyline(points) -> LineString:
    return LineString(points)


def _river_points(rng, water: str, count: int) -> list[Point]:
    course = _polyline(LONGJIANG_COURSE)
    if water == "longjiang_main":
        return _along(course, count, rng, jitter=0.2)
    if water == "longjiang_tributary":
        out = []
        for i, code in enumerate(LONGJIANG_TRIBUTARY_TOWARDS[:count]):
            seat = towns.town_by_code(code)
            start = course.interpolate(course.project(Point(seat.lon, seat.lat)))
            f = 0.35 + 0.1 * i
            out.append(Point(start.x + f * (seat.lon - start.x), start.y + f * (seat.lat - start.y)))
        return out
    return [Point(*p) for p in DONGZHANG_RESERVOIR[:count]]


def _sea_points(rng, water: str, count: int) -> list[Point]:
    if water == "haitan_strait":
        bays = basegeo.bays()
        area = shapely.box(119.55, 25.42, 119.72, 25.66).difference(bays["fuqing_bay"].buffer(0.01)).difference(
            bays["xinghua_bay"].buffer(0.01))
        lines = _shore_in(area)[:1]
    else:
        lines = _shore_in(basegeo.bays()[water].buffer(0.003))
    total = sum(line.length for line in lines)
    points: list[Point] = []
    for line in lines:
        k = max(1, round(count * line.length / total)) if line is not lines[-1] else count - len(points)
        k = min(k, count - len(points))
        points += _along(line, k, rng)
        if len(points) >= count:
            break
    return points


#: Second-level classes whose unit holds a discharge permit (排污许可证) in the sample.
PERMITTED = ("enterprise", "enterprise_storm", "park_wwtp", "park_wwtp_storm", "municipal_wwtp", "aquaculture")


def _outfall_path(n: int, status: str, subtype: str, water: str, unit: str | None, reason: str = "gone") -> list[Step]:
    """The steps an outfall goes through to ``status``, with what each step records (``reason``: why a
    point closed at survey was closed)."""
    method = METHOD_BY_SUBTYPE.get(subtype, "standardise")
    ban_now = water in BAN_AT_SURVEY or (method == "ban" and n % 2 == 0)
    if ban_now:
        method = "ban"
    monitored = Step("monitored", {"discharge_mode": ("continuous", "intermittent", "rain")[n % 3]})
    traced = Step("traced", {k: v for k, v in {
        "source_units": unit, "permit_no": f"示例许可证{n:03d}" if subtype in PERMITTED else None,
        "responsible_basis": "discharger" if unit else "government"}.items() if v is not None})
    remediating = Step("remediating", {"remediation_method": method, "remediation_plan": PLAN_TEXT[method],
                                       "milestones": MILESTONES})
    done_changes: dict = {}
    photos: dict[str, str] = {}
    if method == "standardise":
        done_changes = {"sign_board": True, "sampling_point": True}
        photos = {"sign_board_photo": "标志牌", "sampling_point_photo": "采样点"}
        if n % 2:
            done_changes["inspection_well"] = True
            photos["inspection_well_photo"] = "检查井"
    remediated = Step("remediated", done_changes, photos)
    closed = Step("closed", {"closure_date": ON_THE_DAY, "closure_body": "福清生态环境局（示例）",
                             "closure_doc_no": f"示例销号〔2025〕{n}号"}, {"": "销号批复扫描件"})
    if status == "surveyed":
        return []
    if status == "dismissed":
        dismissed = Step("dismissed", {"dismissal_reason": reason, "dismissal_note": DISMISS_NOTES[reason]},
                         {"": "核销现场照片"})
        return [monitored, dismissed] if n % 2 else [dismissed]
    route = [monitored, traced, remediating, remediated, closed]
    if ban_now and status in ("remediating", "remediated", "closed"):
        route = route[2:]  # an illegal outfall: from 排查 straight to 依法取缔
    return route[: [s.status for s in route].index(status) + 1]


def _outfalls(rng) -> list[PlannedSite]:
    out = []
    n = 0
    reasons = iter(("not_outfall", "duplicate", "gone") * 3)
    for water, count, status_counts, subtypes in OUTFALL_GROUPS:
        parent = get_spec("outfalls").field("receiving_water").choice(water).parent
        points = _sea_points(rng, water, count) if parent == "sea" else _river_points(rng, water, count)
        statuses = _spread(rng, status_counts)
        for p, status in zip(points, statuses):
            n += 1
            p = Point(round(p.x, 6), round(p.y, 6))
            subtype = subtypes[int(rng.integers(0, len(subtypes)))]
            choice = get_spec("outfalls").field("outfall_subtype").choice(subtype)
            town = _town_of(p)
            unit = f"{SUBTYPE_UNIT[subtype]}{n}号（{_town_name(town)}）" if subtype in SUBTYPE_UNIT else None
            odour = status in ("surveyed", "monitored", "traced") and rng.random() < 0.25
            attrs = {"discharge_into": parent, "receiving_water": water, "outfall_type": choice.parent,
                     "outfall_subtype": subtype, "black_odour_seen": bool(odour),
                     "water_body_name": "东张水库" if water == "lake" else None,
                     "outfall_code": f"示例-350181-{n:04d}" if status not in ("surveyed", "dismissed") else None}
            label = choice.zh.split("（")[0]
            site = NewSite("outfalls", f"PWK-{n:03d}", f"{_town_name(town)}{label}{n}号", town, "surveyed", p,
                           deadline="2025-12-31" if n % 5 else "2026-12-31",
                           responsible=unit or f"{_town_name(town)}人民政府", is_sample=True, attrs=attrs)
            reason = next(reasons) if status == "dismissed" else "gone"
            out.append(PlannedSite(site, _outfall_path(n, status, subtype, water, unit, reason)))
    return out


RURAL_SEATS = ("350181113", "350181114", "350181117", "350181108", "350181111", "350181115")
#: Rural bodies on the national supervision list (国家监管清单) / of larger area (较大面积), by position; the others
#: are smaller ponds and ditches outside the plan's rural target.
RURAL_FLAGS = ({"national_list": True, "larger_area": True}, {"larger_area": True}, {},
               {"national_list": True}, {"larger_area": True}, {})


def _d(text: str, offset: int) -> date:
    return date.fromisoformat(text) + timedelta(days=offset)


def _timeline(story: str, offset: int, points: int, rural: bool = False) -> tuple[list[Step], list[SampleCampaign]]:
    """The dated steps and campaigns of one body's story; every status follows a campaign that allows it.

    Stories: ``untreated``; ``remediating`` (still light after two years); ``initial_effect``;
    ``relapse_and_back`` (clean, 初见成效, light again -> 返黑返臭 by itself, remediated, 初见成效 again);
    ``long_term_clean`` (a year of clean campaigns and a survey); ``long_term_relapsed`` (长治久清, then a black
    campaign -> 返黑返臭 by itself).
    """
    black = "heavy"
    c = [SampleCampaign(_d("2023-07-10", offset), black, points)]
    steps: list[Step] = []
    if story == "untreated":
        return steps, c
    if story == "remediating":
        steps.append(Step("remediating", day=_d("2023-09-01", offset)))
        c.append(SampleCampaign(_d("2025-06-09", offset), "light", points))
        return steps, c
    if story == "initial_effect":
        steps.append(Step("remediating", day=_d("2023-08-14", offset)))
        c.append(SampleCampaign(_d("2024-04-08", offset), "clean", points))
        steps.append(Step("initial_effect", day=_d("2024-04-25", offset)))
        c.append(SampleCampaign(_d("2025-04-07", offset), "clean", points))
        return steps, c
    if story == "relapse_and_back":
        steps.append(Step("remediating", day=_d("2023-08-14", offset)))
        c.append(SampleCampaign(_d("2023-11-06", offset), "clean", points))
        steps.append(Step("initial_effect", day=_d("2023-11-20", offset)))
        c.append(SampleCampaign(_d("2024-07-08", offset), "light", points))  # -> 返黑返臭, recorded by the store
        steps.append(Step("remediating", day=_d("2024-07-25", offset)))
        c.append(SampleCampaign(_d("2025-03-10", offset), "clean", points))
        steps.append(Step("initial_effect", day=_d("2025-03-24", offset)))
        return steps, c
    if story in ("long_term_clean", "long_term_relapsed"):
        steps.append(Step("remediating", day=_d("2023-08-01", offset)))
        c.append(SampleCampaign(_d("2023-10-09", offset), "clean", points))
        steps.append(Step("initial_effect", day=_d("2023-10-20", offset)))
        c.append(SampleCampaign(_d("2024-05-06", offset), "clean", points))
        c.append(SampleCampaign(_d("2024-10-28", offset), "clean", points))
        survey = {"satisfaction_pct": float(91 + offset % 7), "survey_date": _d("2024-11-05", offset).isoformat()}
        steps.append(Step("long_term_clean", survey, day=_d("2024-11-15", offset)))
        if story == "long_term_relapsed":
            c.append(SampleCampaign(_d("2025-08-04", offset), "light", points))  # -> 返黑返臭, recorded by the store
        return steps, c
    raise ValueError(story)


def _black_odorous(rng) -> list[PlannedSite]:
    out = []
    urban_status = _spread(rng, {"untreated": 1, "remediating": 2, "initial_effect": 3, "long_term_clean": 2})
    seen_long_term = 0
    for i, status in enumerate(urban_status, start=1):
        ang = 2 * math.pi * i / len(urban_status)
        lon = CITY_CENTRE[0] + 0.018 * math.cos(ang)
        lat = CITY_CENTRE[1] + 0.014 * math.sin(ang)
        geom = _walk(rng, lon, lat, rng.uniform(700, 1600))
        town = _town_of(geom)
        grade = "heavy" if status == "untreated" else "light" if status == "remediating" else "none"
        if status == "long_term_clean":
            rng.integers(90, 99)  # the draw the survey figure used to take: keeps the other kinds' sample as it was
        attrs = {"water_kind": "urban", "grade": grade, "length_km": round(_to_m(geom).length / 1000, 2)}
        site = NewSite("black_odorous", f"HC-{i:03d}", f"{_town_name(town)}城区内河{i}号段", town, "untreated",
                       geom, deadline="2025-12-31", responsible=f"{_town_name(town)}办事处、市住建局",
                       is_sample=True, attrs=attrs)
        story = status
        if status == "initial_effect" and i % 2 == 0:
            story = "relapse_and_back"  # black odour came back once, then gone again
        if status == "long_term_clean":
            seen_long_term += 1
            if seen_long_term == 2:
                story = "long_term_relapsed"  # turned black again after 长治久清: the status is 返黑返臭
        points = 3 + (i % 3)  # 3 to 5 points along the water
        steps, campaigns = _timeline(story, 7 * i, points)
        out.append(PlannedSite(site, steps, campaigns))
    rural_status = _spread(rng, {"untreated": 2, "remediating": 2, "initial_effect": 2})
    for j, (code, status) in enumerate(zip(RURAL_SEATS, rural_status), start=len(urban_status) + 1):
        seat = towns.town_by_code(code)
        lon, lat = seat.lon + rng.uniform(-0.01, 0.01), seat.lat + rng.uniform(-0.01, 0.01)
        if j % 2:
            geom = _on_land(_blob(rng, lon, lat, 90, 55, n=10))
            label = "坑塘"
        else:
            geom = _walk(rng, lon, lat, rng.uniform(500, 1200))
            label = "沟渠"
        attrs = {"water_kind": "rural", "grade": "heavy" if status == "untreated" else "light",
                 "length_km": round(_to_m(geom).length / 1000, 2) if geom.geom_type == "LineString" else None,
                 **RURAL_FLAGS[j - len(urban_status) - 1]}
        site = NewSite("black_odorous", f"HC-{j:03d}", f"{seat.name_zh}农村{label}{j}号", code, "untreated", geom,
                       deadline="2026-12-31" if j % 3 else "2025-12-31", responsible=f"{seat.name_zh}人民政府",
                       is_sample=True, attrs=attrs)
        steps, campaigns = _timeline(status, 5 * j, 2 if label == "坑塘" else 3, rural=True)
        out.append(PlannedSite(site, steps, campaigns))
    return out


#: Plausible readings per campaign quality: (transparency cm, DO mg/L, ORP mV, NH3-N mg/L) ranges, and depth.
_QUALITY = {
    "heavy": ((3.0, 9.0), (0.05, 0.18), (-330.0, -210.0), (16.0, 26.0)),
    "light": ((12.0, 22.0), (0.4, 1.6), (-140.0, 20.0), (9.0, 13.5)),
    "clean": ((36.0, 75.0), (3.2, 7.5), (80.0, 230.0), (0.3, 3.5)),
}
SAMPLERS = ("示例采样员·吴", "示例采样员·何", "示例采样员·魏")
SAMPLE_LAB = "示例检测机构（福清）"


def campaign_rows(site_id: str, campaign: SampleCampaign, rng) -> list:
    """The readings of one sample campaign: every point and round, plausible for its quality (示例数据)."""
    from geo.store.base import NewObservation

    t, do, orp, nh = _QUALITY[campaign.quality]
    rows = []
    for r in range(1, campaign.rounds + 1):
        day = campaign.start + timedelta(days=(r - 1) * campaign.gap_days)
        for p in range(1, campaign.points + 1):
            depth = round(float(rng.uniform(60, 150)), 0)
            rows.append(NewObservation(site_id, day.isoformat(), f"{9 + p // 2:02d}:{(p * 17) % 60:02d}", {
                "point": f"P{p}", "round": r, "depth_cm": depth,
                "transparency_cm": round(float(rng.uniform(*t)), 1), "do_mg_l": round(float(rng.uniform(*do)), 2),
                "orp_mv": round(float(rng.uniform(*orp)), 0), "nh3n_mg_l": round(float(rng.uniform(*nh)), 2),
                "sampler": SAMPLERS[(p + r) % len(SAMPLERS)], "lab": SAMPLE_LAB, "remarks": "示例数据"}))
    return rows


def _clean_fuel_zones(rng) -> list[PlannedSite]:
    cx, cy = transform(*CITY_CENTRE, "EPSG:4326", "EPSG:32650")
    core_m = Point(cx, cy).buffer(3500, 48)
    ring_m = Point(cx, cy).buffer(7500, 48).difference(core_m)
    jy = towns.town_by_code("350181116")
    hk = towns.town_by_code("350181103")
    hl = towns.town_by_code("350181005")
    zones = [
        ("中心城区高污染燃料禁燃区", _to_deg(core_m), "III", "built_up", "enforced", "2025-12-31",
         "玉屏街道、龙山街道、龙江街道、音西街道"),
        ("近郊区高污染燃料禁燃区", _to_deg(ring_m), "II", "near_suburb", "announced", "2025-12-31",
         "宏路街道、阳下街道、石竹街道、音西街道"),
        ("江阴港城高污染燃料禁燃区（拟划）", _blob(rng, jy.lon, jy.lat, 3000, 2200), "I", "other", "proposed",
         "2026-12-31", "江阴镇"),
        ("海口镇区高污染燃料禁燃区", _blob(rng, hk.lon - 0.01, hk.lat + 0.004, 2000, 1500), "II", "near_suburb",
         "designated", "2025-12-31", "海口镇"),
        # Replaced when the central zone was drawn: withdrawn, it covers nothing any more.
        ("宏路街道原禁燃区（已并入近郊区禁燃区）", _blob(rng, hl.lon + 0.004, hl.lat + 0.002, 1400, 1000), "II", "built_up",
         "withdrawn", "2025-12-31", "宏路街道"),
    ]
    out = []
    for i, (name, geom, cat, scope, status, deadline, covered) in enumerate(zones, start=1):
        geom = geom.intersection(basegeo.county_boundary())
        geom = shapely.make_valid(shapely.set_precision(geom.intersection(basegeo.land()), 1e-6))
        polys = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area > 1e-7]
        geom = shapely.MultiPolygon(polys)
        attrs = {"fuel_category": cat, "zone_scope": scope, "towns_covered": covered,
                 "area_km2": round(_to_m(geom).area / 1e6, 1)}
        town = _town_of(geom) if i > 1 else "350181002"
        site = NewSite("clean_fuel_zones", f"JRQ-{i:03d}", name, town, "proposed", geom, deadline=deadline,
                       responsible="福清生态环境局", is_sample=True, attrs=attrs)
        out.append(PlannedSite(site, [Step(s) for s in shortest_path("clean_fuel_zones", status)]))
    return out


BERTHS = (
    # berth no, type, tonnage, dangerous goods, specialised (None: presumed from the type), status
    ("1#", "container", 50000, False, None, "available"),
    ("2#", "container", 50000, False, None, "available"),
    ("3#", "container", 50000, False, None, "fault"),
    ("4#", "container", 50000, False, None, "building"),
    ("5#", "container", 50000, False, None, "none"),
    ("6#", "dry_bulk", 200000, False, True, "available"),
    ("7#", "dry_bulk", 200000, False, True, "building"),
    ("8#", "general_cargo", 50000, False, False, "available"),
    ("9#", "general_cargo", 50000, False, False, "none"),
    ("10#", "liquid_bulk", 50000, True, True, "none"),
    ("11#", "liquid_bulk", 30000, True, True, "none"),
    ("客滚1#", "ro_ro", 10000, False, None, "available"),
    ("客滚2#", "ro_ro", 10000, False, None, "building"),
    ("煤码头1#", "dry_bulk", 100000, False, True, "available"),
    # A 35,000 t coal berth: in the province's population (every specialised berth), not in Fuqing's (>= 50,000 t).
    ("煤码头2#", "dry_bulk", 35000, False, True, "available"),
    ("工作船码头", "other", 3000, False, False, "out_of_use"),
)


def _berths(rng) -> list[PlannedSite]:
    x, y = JIANGYIN_PORT
    shore = _shore_in(shapely.box(x - 0.012, y - 0.025, x + 0.012, y + 0.025))[0]
    points = _along(shore, len(BERTHS), rng, jitter=0.1)
    out = []
    for i, ((no, kind, tons, dg, specialised, status), p) in enumerate(zip(BERTHS, points), start=1):
        p = Point(round(p.x, 6), round(p.y, 6))
        attrs = {"port_area": "江阴港区", "berth_no": no, "berth_type": kind, "tonnage_t": tons,
                 "dangerous_goods": dg, "specialised": specialised}
        path = []
        for s in shortest_path("shore_power_berths", status):
            changes = {}
            if s == "available":
                changes = {"capacity_kva": float(rng.choice([1600, 2500, 3150, 5000])),
                           "connections": int(rng.integers(5, 80)), "energy_kwh": float(rng.integers(20, 900) * 100),
                           "period": "2025年1-10月"}
            path.append(Step(s, changes))
        label = "煤码头" if no.startswith("煤") else ""
        site = NewSite("shore_power_berths", f"AD-{i:03d}", f"江阴港区{label or ''}{no if label else no + '泊位'}",
                       _town_of(p), "none", p, deadline="2025-12-31" if i % 4 else "2026-06-30",
                       responsible="江阴港务站", is_sample=True, attrs=attrs)
        out.append(PlannedSite(site, path))
    return out


#: Sample reference areas (示例, drawn, not official): the central city's built-up area around the seats of
#: the six central streets and 宏路; the near suburbs a band about 3 km wide around it; heat-network coverage
#: around the Jiangyin industrial area (served by the Jiangyin power plant, plan §三(九)) and 元洪.
BUILT_UP_SEATS = ("350181002", "350181003", "350181004", "350181005", "350181006", "350181007", "350181008")
BUILT_UP_MARGIN_M = 900.0
NEAR_SUBURB_BAND_M = 3000.0
HEAT_NETWORK_AREAS = (
    ("江阴工业集中区供热管网覆盖范围（示例）", (119.300, 25.470), (3200, 2300)),
    ("元洪投资区供热管网覆盖范围（示例）", (119.512, 25.712), (1900, 1300)),
)


def _land_in_county(geom_m: BaseGeometry) -> BaseGeometry:
    """A metric (UTM 50N) shape clipped to land inside the county, in WGS84, 6 decimals, valid."""
    g = _to_deg(geom_m).intersection(basegeo.land()).intersection(basegeo.county_boundary())
    g = shapely.make_valid(shapely.set_precision(g, 1e-6))
    polys = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and p.area > 1e-7]
    return shapely.MultiPolygon(polys)


@lru_cache(maxsize=1)
def reference_areas() -> dict[str, list[tuple[str, BaseGeometry]]]:
    """The sample reference areas (示例数据): key -> [(name, WGS84 MultiPolygon)] (deterministic)."""
    rng = np.random.default_rng(SEED + 7)
    seats = [towns.town_by_code(c) for c in BUILT_UP_SEATS]
    pts = shapely.MultiPoint([transform(t.lon, t.lat, "EPSG:4326", "EPSG:32650") for t in seats])
    core_m = pts.convex_hull.buffer(BUILT_UP_MARGIN_M, 24).simplify(60)
    built = _land_in_county(core_m)
    ring_m = core_m.buffer(NEAR_SUBURB_BAND_M, 24).simplify(80).difference(core_m)
    suburbs = _land_in_county(ring_m)
    heat = [(name, _land_in_county(_to_m(_blob(rng, lon, lat, a, b, n=16)))) for name, (lon, lat), (a, b)
            in HEAT_NETWORK_AREAS]
    return {"built_up_area": [("福清市中心城区建成区（示例）", built)],
            "near_suburbs": [("福清市中心城区近郊（示例）", suburbs)],
            "heat_network": heat}


#: Coal boilers (示例, invented owners): where, rated t/h, fuel, use, status. Placed inside the heat-network
#: coverage, inside the central zone, and elsewhere, so that every figure has something to show.
BOILERS = (
    # name, owner, where ("heat:<i>" = inside heat-network area i, else a town code), t/h, fuel, use, status
    ("1#燃煤锅炉", "示例化工企业甲（虚构）", "heat:0", 75.0, "raw_coal", "industrial", "ule_retrofitted"),
    ("2#燃煤锅炉", "示例化工企业甲（虚构）", "heat:0", 35.0, "raw_coal", "industrial", "in_progress"),
    ("燃煤锅炉", "示例纺织企业乙（虚构）", "heat:0", 20.0, "raw_coal", "industrial", "phased_out"),
    ("燃煤锅炉", "示例印染企业丙（虚构）", "heat:0", 10.0, "briquette", "industrial", "in_use"),
    ("燃煤锅炉", "示例食品企业丁（虚构）", "heat:1", 15.0, "raw_coal", "industrial", "phased_out"),
    ("燃煤锅炉", "示例油脂企业戊（虚构）", "heat:1", 10.0, "coal_water_slurry", "industrial", "in_progress"),
    ("燃煤锅炉", "示例面粉企业己（虚构）", "heat:1", 4.0, "raw_coal", "industrial", "in_use"),
    ("燃煤锅炉", "示例宾馆（虚构）", "350181002", 2.0, "briquette", "heating", "in_use"),
    ("燃煤锅炉", "示例医院（虚构）", "350181003", 4.0, "raw_coal", "heating", "phased_out"),
    ("燃煤锅炉", "示例陶瓷企业庚（虚构）", "350181113", 40.0, "raw_coal", "industrial", "in_use"),
    ("燃煤锅炉", "示例造纸企业辛（虚构）", "350181106", 35.0, "raw_coal", "industrial", "in_progress"),
    ("燃煤锅炉", "示例鞋业企业壬（虚构）", "350181114", 8.0, "raw_coal", "industrial", "in_use"),
    ("燃煤锅炉", "示例建材企业癸（虚构）", "350181107", 20.0, "raw_coal", "industrial", "phased_out"),
)


def _point_in(rng, area: BaseGeometry) -> Point:
    """A random point of ``area`` on land (6 decimals)."""
    minx, miny, maxx, maxy = area.bounds
    for _ in range(1000):
        p = Point(round(rng.uniform(minx, maxx), 6), round(rng.uniform(miny, maxy), 6))
        if area.contains(p) and basegeo.is_on_land(p.x, p.y):
            return p
    raise RuntimeError("no point on land found in the area")  # cannot happen for the areas above


def _coal_boilers(rng) -> list[PlannedSite]:
    heat = reference_areas()["heat_network"]
    out = []
    for i, (name, owner, where, tons, fuel, use, status) in enumerate(BOILERS, start=1):
        if where.startswith("heat:"):
            area = heat[int(where.split(":")[1])][1]
        else:
            seat = towns.town_by_code(where)
            area = _land_in_county(Point(*transform(seat.lon, seat.lat, "EPSG:4326", "EPSG:32650")).buffer(1200))
        p = _point_in(rng, area)
        town = _town_of(p)
        path = []
        for st in shortest_path("coal_boilers", status):
            changes = {}
            if st == "phased_out":
                changes = {"replacement": "central_heat" if where.startswith("heat:") else "natural_gas"}
            path.append(Step(st, changes))
        attrs = {"tonnage_th": tons, "fuel": fuel, "owner": owner, "boiler_use": use}
        site = NewSite("coal_boilers", f"GL-{i:03d}", f"{owner.split('（')[0]}{name}", town, "in_use", p,
                       deadline="2025-12-31", responsible=owner, is_sample=True, attrs=attrs)
        out.append(PlannedSite(site, path))
    return out


@lru_cache(maxsize=1)
def _plan_cached() -> tuple[PlannedSite, ...]:
    rng = np.random.default_rng(SEED)
    # Outfalls draw from their own stream: changing them leaves the other kinds' sample as it is (so do boilers).
    outfalls = _outfalls(np.random.default_rng(SEED + 13))
    return tuple(_parks(rng) + outfalls + _black_odorous(rng) + _clean_fuel_zones(rng) + _berths(rng)
                 + _coal_boilers(np.random.default_rng(SEED + 3)))


def plan() -> list[PlannedSite]:
    """Every sample site with its planned status path (deterministic)."""
    return list(_plan_cached())


def _at(day: date, rng) -> datetime:
    """A working-hours moment on ``day`` in China Standard Time."""
    return datetime.combine(day, time(int(rng.integers(8, 18)), int(rng.integers(0, 60))), tzinfo=CST)


def _evidence(rng, geom: BaseGeometry, when: datetime) -> Evidence:
    """A device fix near the site (mostly on site, sometimes far away)."""
    p = geom.representative_point() if geom.geom_type != "Point" else geom
    remote = rng.random() < 0.12
    dist = rng.uniform(400, 2500) if remote else rng.uniform(5, 120)
    ang = rng.uniform(0, 2 * math.pi)
    lon = p.x + dist * math.cos(ang) / (111_320 * math.cos(math.radians(p.y)))
    lat = p.y + dist * math.sin(ang) / 110_574
    d = geodesic_distance_m(Point(lon, lat), geom)
    return Evidence(lon=round(lon, 6), lat=round(lat, 6), accuracy_m=round(float(rng.uniform(4, 25)), 1),
                    fix_time=when, distance_m=round(d, 1), remote=d > REMOTE_THRESHOLD_M)


def populate_sample(store) -> int:
    """Fill an empty store with the sample sites, their 2023–2025 histories and the bodies' readings.

    Sites are created in early 2023 and then moved along their workflow with
    :meth:`change_status`, so every transition is checked like a real one —
    black-odorous bodies included: their readings (示例数据) are recorded before
    each status that needs them, and a black-odorous campaign after 初见成效 /
    长治久清 opens 返黑返臭 through the store's own automatic gate.

    Returns
    -------
    int
        The number of sites added.
    """
    from geo.store.base import NewObservation  # noqa: F401 - the rows are built by campaign_rows

    rng = np.random.default_rng(SEED + 1)
    readings_rng = np.random.default_rng(SEED + 7)
    planned = plan()
    by_day: dict[date, list[NewSite]] = {}
    span = (HISTORY_END - HISTORY_START).days
    events = []
    for ps in planned:
        created = HISTORY_START + timedelta(days=int(rng.integers(0, 170)))
        by_day.setdefault(created, []).append(ps.site)
        for c_no, campaign in enumerate(ps.campaigns):
            events.append((campaign.end, ps.site.site_id, -1, campaign, c_no))
        if not ps.path:
            continue
        days = sorted(int(d) for d in rng.choice(np.arange((created - HISTORY_START).days + 20, span), len(ps.path),
                                                 replace=False))
        for k, (step, d) in enumerate(zip(ps.path, days)):
            day = step.day or HISTORY_START + timedelta(days=d)
            events.append((day, ps.site.site_id, k, step, ps.site.geometry))
    for day in sorted(by_day):
        store.add_sites(SAMPLE_ACTOR, by_day[day], source="sample", created_at=_at(day, rng))
    versions = {ps.site.site_id: 0 for ps in planned}
    for day, site_id, k, step, extra in sorted(events, key=lambda e: (e[0], e[1], e[2])):
        if k < 0:  # a campaign's readings, recorded the evening its last round was sampled
            when = datetime.combine(day, time(18, 30), tzinfo=CST)
            result = store.record_observations(SAMPLE_ACTOR, "black_odorous_readings",
                                               campaign_rows(site_id, step, readings_rng),
                                               op_id=f"sample-{site_id}-c{extra}", source="sample", recorded_at=when)
            for change in result.status_changes:
                versions[change["site_id"]] += 1
            continue
        when = _at(day, rng)
        who = INSPECTORS[int(rng.integers(0, len(INSPECTORS)))]
        actor = Actor(who, role="system", client="sample")
        changes = {f: (day.isoformat() if v == ON_THE_DAY else v) for f, v in step.changes.items()}
        hashes = []
        for name, caption in step.photos.items():
            sha = sample_photo(store.photos_dir, site_id, caption)
            hashes.append(sha)
            if name:
                changes[name] = sha
        store.change_status(
            actor, site_id, step.status, expected_version=versions[site_id], op_id=f"sample-{site_id}-{k}",
            changes=changes, evidence=_evidence(rng, extra, when), source="sample", changed_at=when,
            note=_note(site_id, step.status), photos=hashes,
        )
        versions[site_id] += 1
    sample_monitoring(store, np.random.default_rng(SEED + 11))
    from geo.raster.overlays import register_sample_rasters  # rasterio only when a sample store is built

    register_sample_rasters(store, SAMPLE_ACTOR)
    for key, items in reference_areas().items():  # in force from the start of the sample history
        store.import_reference_areas(SAMPLE_ACTOR, key, items, source_name="示例数据（sample）", is_sample=True,
                                     imported_at=_at(HISTORY_START, rng))
    store.set_meta(SAMPLE_ACTOR, "data_origin", "sample")
    store.set_meta(SAMPLE_ACTOR, "sample_notice", "示例数据：仅供演示，非官方数据 (illustrative sample data, not official)")
    return len(planned)


#: Outfall statuses whose sample is still over the limit, and those whose latest sample meets it (示例数据).
_OUTFALL_OVER = ("monitored", "traced", "remediating")
_OUTFALL_MET = ("remediated", "closed")
SAMPLE_STANDARD = "GB 8978-1996 表4 一级（示例）"


def outfall_sample_rows(site, rng) -> list:
    """Dated results of one outfall (示例数据): over the limit while untreated, meeting it once remediated."""
    from geo.store.base import NewObservation

    n = 2 + int(rng.integers(0, 3))
    start = date(2024, 3, 4) + timedelta(days=int(rng.integers(0, 60)))
    rows = []
    day = start
    for k in range(n):
        day = day if k == 0 else day + timedelta(days=int(rng.integers(70, 130)))
        met = site.status in _OUTFALL_MET and k == n - 1  # the sample after remediation
        scale = 0.5 if met else 1.6
        cod = round(float(rng.uniform(40, 110)) * scale, 1)
        nh3n = round(float(rng.uniform(6, 22)) * scale, 2)
        over = [name for name, v, lim in (("化学需氧量", cod, 100.0), ("氨氮", nh3n, 15.0)) if v > lim]
        rows.append(NewObservation(site.site_id, min(day, HISTORY_END).isoformat(), f"{9 + k % 5:02d}:30", {
            "cod_mg_l": cod, "nh3n_mg_l": nh3n, "tn_mg_l": round(nh3n * float(rng.uniform(1.2, 1.6)), 2),
            "tp_mg_l": round(float(rng.uniform(0.3, 2.4)) * scale, 2), "flow_m3_d": round(float(rng.uniform(20, 900)), 0),
            "compliant": not over, "exceeded": "、".join(over) or None, "standard": SAMPLE_STANDARD,
            "lab": SAMPLE_LAB, "report_no": f"示例-{site.site_id}-{k + 1}", "remarks": "示例数据"}))
    return rows


def berth_usage_rows(site, month: date, rng) -> list:
    """One month's shore-power use at a capable berth (示例数据): calls, calls connected, hours, kWh."""
    from geo.store.base import NewObservation

    calls = int(rng.integers(4, 22))
    connected = int(rng.integers(0, calls + 1) * (0.35 + 0.5 * float(rng.random())))
    hours = round(connected * float(rng.uniform(6, 20)), 1)
    return [NewObservation(site.site_id, month.isoformat(), None, {
        "ship_calls": calls, "calls_connected": connected, "hours": hours,
        "energy_kwh": round(hours * float(rng.uniform(120, 420)), 0), "remarks": "示例数据"})]


def sample_monitoring(store, rng) -> None:
    """Outfall results and berths' monthly shore-power use (示例数据), recorded through the store as sample rows."""
    outfalls = [s for s in store.list_sites(SAMPLE_ACTOR, kinds=["outfalls"])
                if s.status in _OUTFALL_OVER + _OUTFALL_MET]
    for site in outfalls:
        rows = outfall_sample_rows(site, rng)
        when = datetime.combine(date.fromisoformat(rows[-1].observed_on) + timedelta(days=7), time(17, 0), tzinfo=CST)
        store.record_observations(SAMPLE_ACTOR, "outfall_monitoring", rows, op_id=f"sample-obs-{site.site_id}",
                                  source="sample", recorded_at=min(when, datetime.combine(HISTORY_END, time(17, 0),
                                                                                          tzinfo=CST)))
    berths = [s for s in store.list_sites(SAMPLE_ACTOR, kinds=["shore_power_berths"]) if s.status == "available"]
    for m in range(1, 11):  # 2025-01 .. 2025-10, reported early the next month
        month = date(2025, m, 1)
        rows = [r for b in berths for r in berth_usage_rows(b, month, rng)]
        when = datetime.combine(date(2025, m + 1, 8), time(10, 0), tzinfo=CST)
        store.record_observations(SAMPLE_ACTOR, "shore_power_usage", rows, op_id=f"sample-usage-{month:%Y%m}",
                                  source="sample", recorded_at=when)


def _note(site_id: str, status: str) -> str:
    spec = next(s for s in REGISTRY.values() if site_id.startswith(s.code_prefix + "-"))
    return f"示例：现场核查，状态更新为“{spec.status(status).zh}”"


def sample_photo(photos_dir, site_id: str, caption: str) -> str:
    """Draw and store in ``photos_dir`` an illustrative photo (clearly marked 示例) of ``caption`` at ``site_id``; its hash.

    The image is made here (no photo ships with the app): a plain card saying what it stands for.
    """
    import io

    from PIL import Image, ImageDraw, ImageFont

    from geo.photos import store_photo

    im = Image.new("RGB", (480, 320), (236, 240, 233))
    draw = ImageDraw.Draw(im)
    try:
        from geo.report.fonts import cjk_font_path

        big, small = (ImageFont.truetype(str(cjk_font_path()), size) for size in (34, 22))
        lines = [("示例照片（非真实）", small), (caption, big), (site_id, small)]
    except Exception:  # noqa: BLE001 - without the font the card still says what it is, in ASCII
        big = small = ImageFont.load_default()
        lines = [("SAMPLE PHOTO (not real)", small), (caption.encode("ascii", "ignore").decode() or "photo", big),
                 (site_id, small)]
    draw.rectangle((8, 8, 471, 311), outline=(107, 107, 107), width=4)
    y = 60
    for text, font in lines:
        draw.text((32, y), text, fill=(40, 40, 40), font=font)
        y += 80
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return store_photo(buf.getvalue(), photos_dir).sha256
