"""Fixture factories: tiny stores and sites built in code."""

from __future__ import annotations

from pathlib import Path

from shapely.geometry import LineString, Point, Polygon

from geo.store import Actor, NewSite, create_store, is_postgres

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
    return NewSite(
        kind="outfalls",
        site_id=site_id,
        name=name,
        town_code="350181103",
        status=status,
        geometry=Point(119.47, 25.66),
        deadline="2025-12-31",
        attrs={"discharge_into": "sea", "receiving_water": "fuqing_bay", "outfall_type": "industrial"},
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


def make_store(target: Path | str, sites=None):
    """A fresh store holding ``sites`` (default: one river): a GeoPackage at a path, or a PostGIS database URL."""
    sites = [river()] if sites is None else sites

    def populate(store):
        add_accounts(store)
        if sites:
            store.add_sites(SYSTEM, sites, source="test")

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
