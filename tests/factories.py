"""Fixture factories: tiny stores and sites built in code."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from shapely.geometry import LineString, Point, Polygon

from geo.clock import today_cst
from geo.store import Actor, NewObservation, NewSite, create_store, is_postgres

SYSTEM = Actor("测试系统", role="system", client="pytest")
ADMIN = Actor("管理员", role="admin", client="pytest")
INSPECTOR = Actor("巡查员甲", role="inspector", client="pytest")
REVIEWER = Actor("审阅人", role="reviewer", client="pytest")
GUEST = Actor("访客", role="guest", client="pytest")
PASSWORD = "测试密码-correct horse 9"
#: Town codes of INSPECTOR: 玉屏街道, 海口镇 (the towns of the factory sites below), 江阴镇.
INSPECTOR_TOWNS = ("350181002", "350181103", "350181116")


def add_accounts(store) -> None:
    """The accounts the test actors stand for (the store trusts accounts, not the role an Actor claims)."""
    store.add_user(SYSTEM, ADMIN.name, "admin", password=PASSWORD)
    store.add_user(SYSTEM, REVIEWER.name, "reviewer", password=PASSWORD)
    store.add_user(SYSTEM, INSPECTOR.name, "inspector", password=PASSWORD, towns=INSPECTOR_TOWNS)


def river(site_id: str = "HC-T01", status: str = "remediating", town: str = "350181002") -> NewSite:
    return NewSite(
        kind="black_odorous",
        site_id=site_id,
        name="测试河段",
        town_code=town,
        status=status,
        geometry=LineString([(119.37, 25.72), (119.38, 25.725), (119.39, 25.722)]),
        deadline="2025-12-31",
        attrs={"water_kind": "urban"},
    )


def outfall(site_id: str = "PWK-T01", status: str = "traced", name: str = "测试排口") -> NewSite:
    attrs = {"discharge_into": "sea", "receiving_water": "fuqing_bay", "outfall_type": "industrial"}
    if status in ("remediating", "remediated", "closed"):
        attrs["remediation_method"] = "merge"  # 清理合并: remediated without the 规范整治 items
    return NewSite(
        kind="outfalls",
        site_id=site_id,
        name=name,
        town_code="350181103",
        status=status,
        geometry=Point(119.47, 25.66),
        deadline="2025-12-31",
        attrs=attrs,
    )


#: One reading per quality: (transparency cm, depth cm, DO mg/L, ORP mV, NH3-N mg/L).
QUALITY = {"heavy": (5.0, 100.0, 0.1, -250.0, 20.0), "light": (15.0, 100.0, 1.0, 0.0, 10.0),
           "clean": (50.0, 100.0, 5.0, 150.0, 1.0)}


def campaign(site_id: str, quality: str = "clean", day: date | None = None, points: int = 3, rounds: int = 3,
             first_round: int = 1) -> list[NewObservation]:
    """The readings of one sampling campaign: every point and round with the values of ``quality``, all on ``day``."""
    t, d, do, orp, nh = QUALITY[quality]
    day = day or today_cst()
    return [NewObservation(site_id, day.isoformat(), None,
                           {"point": f"P{p}", "round": r, "transparency_cm": t, "depth_cm": d, "do_mg_l": do,
                            "orp_mv": orp, "nh3n_mg_l": nh})
            for r in range(first_round, first_round + rounds) for p in range(1, points + 1)]


def record_campaign(store, site_id: str, quality: str = "clean", actor: Actor = SYSTEM, recorded_at=None, **kw):
    """Record a campaign through the store (like the field form); ``recorded_at`` backdates it (system only)."""
    return store.record_observations(actor, "black_odorous_readings", campaign(site_id, quality, **kw),
                                     op_id=uuid.uuid4().hex, source="test", recorded_at=recorded_at)


def berth(site_id: str = "AD-T01", port_area: str = "江阴港区", status: str = "available",
          berth_no: str = "1#") -> NewSite:
    return NewSite(
        kind="shore_power_berths",
        site_id=site_id,
        name=f"{port_area}{berth_no}泊位",
        town_code="350181116",
        status=status,
        geometry=Point(119.27, 25.45),
        attrs={"port_area": port_area, "berth_no": berth_no, "berth_type": "container", "tonnage_t": 50000},
    )


def park(site_id: str = "YQ-T01") -> NewSite:
    return NewSite(
        kind="parks",
        site_id=site_id,
        name="测试园区",
        town_code="350181116",
        status="building",
        geometry=Polygon([(119.30, 25.48), (119.31, 25.48), (119.31, 25.49), (119.30, 25.49)]),
        attrs={"level": "national"},
    )


#: PostGIS stores made by the tests, closed (their pools) when the test ends (tests/conftest.py).
OPENED: list = []


def make_store(target: Path | str, sites=None, *, clean_rivers: bool = True):
    """A fresh store holding ``sites`` (default: one river): a GeoPackage at a path, or a PostGIS database URL.

    With ``clean_rivers`` every black-odorous body being remediated gets a clean sampling campaign dated today,
    so that it may enter 初见成效 (the store refuses that status without readings).
    """
    sites = [river()] if sites is None else sites

    def populate(store):
        add_accounts(store)
        if sites:
            store.add_sites(SYSTEM, sites, source="test")
        if clean_rivers:
            for s in sites:
                if s.kind == "black_odorous" and s.status == "remediating":
                    record_campaign(store, s.site_id, "clean")

    if is_postgres(str(target)):
        from geo.store.postgis import create_pg_store

        store = create_pg_store(str(target), populate)
        OPENED.append(store)
        return store
    return create_store(target, populate)


def reopen(locator: str):
    """The existing store at ``locator`` as another process or instance opens it (no creation, no sample)."""
    from geo.store import existing_store

    store = existing_store(locator)
    if is_postgres(locator):
        OPENED.append(store)
    return store


def plain_transition(spec, site):
    """The first change of ``site`` a test can make with no extra input: nothing required, no photo, guards met."""
    for tr in spec.allowed_next(site.status):
        if not tr.requires and not tr.requires_photo and all(g.holds(tr.dst, site.attrs) for g in tr.guards):
            return tr
    return None
