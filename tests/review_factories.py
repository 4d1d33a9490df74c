"""Hand-made sites and history rows for the review tests (no store needed)."""

from __future__ import annotations

from shapely.geometry import LineString, Point, Polygon

from geo.store import Evidence, HistoryEntry, Site

HAIKOU = "350181103"
JIANGYIN = "350181116"
YUPING = "350181002"

_SQUARE = Polygon([(119.30, 25.48), (119.31, 25.48), (119.31, 25.49), (119.30, 25.49)])
_GEOMS = {
    "parks": _SQUARE,
    "clean_fuel_zones": _SQUARE,
    "black_odorous": LineString([(119.37, 25.72), (119.38, 25.725)]),
    "outfalls": Point(119.47, 25.66),
    "shore_power_berths": Point(119.268, 25.455),
    "coal_boilers": Point(119.305, 25.485),
}
_PREFIX = {"parks": "YQ", "clean_fuel_zones": "JRQ", "black_odorous": "HC", "outfalls": "PWK",
           "shore_power_berths": "AD", "coal_boilers": "GL"}


def site(kind: str, n: int, status: str, *, town: str = HAIKOU, deadline: str | None = "2025-12-31",
         name: str | None = None, geometry=None, **attrs) -> Site:
    """A site as the store would return it."""
    return Site(kind=kind, site_id=f"{_PREFIX[kind]}-{n:03d}", name=name or f"{kind}{n}号", town_code=town,
                status=status, version=0, geometry=geometry or _GEOMS[kind], deadline=deadline, attrs=attrs)


def berth(n: int, berth_type: str, tonnage, status: str = "none", dangerous: bool = False, **kw) -> Site:
    return site("shore_power_berths", n, status, berth_type=berth_type, tonnage_t=tonnage,
                dangerous_goods=dangerous, port_area="江阴港区", berth_no=f"{n}#", **kw)


def boiler(n: int, tonnage, status: str = "in_use", *, at=None, **kw) -> Site:
    """A coal boiler at ``at`` (lon, lat); tonnage in t/h."""
    return site("coal_boilers", n, status, geometry=Point(*at) if at else None, tonnage_th=tonnage,
                fuel="raw_coal", owner=f"企业{n}", **kw)


def entry(id_: int, site_id: str, version: int, changed_at: str, *, kind: str = "outfalls",
          action: str = "status", from_status: str | None = None, to_status: str | None = None,
          changes: dict | None = None, actor: str = "巡查员甲", distance_m: float | None = None,
          remote: bool | None = None, lon: float | None = None, lat: float | None = None,
          photos: tuple[str, ...] = ()) -> HistoryEntry:
    """One history row; ``changed_at`` is UTC ISO with Z, like the store writes it."""
    return HistoryEntry(
        id=id_, site_id=site_id, kind=kind, version=version, action=action, from_status=from_status,
        to_status=to_status, changed_at=changed_at, actor=actor, source="test", client=None, note=None,
        changes=changes or {}, op_id=None,
        evidence=Evidence(lon=lon, lat=lat, distance_m=distance_m, remote=remote), photos=photos,
    )
