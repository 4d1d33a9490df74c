"""A long-running server gives memory back after a big map build, and only then."""

from __future__ import annotations

from shapely.geometry import Point

from geo.map import sitelayer
from geo.store import Site
from ui import memory


def _points(n: int, offset: int = 0) -> list[Site]:
    return [Site(kind="outfalls", site_id=f"PWK-{offset + i:05d}", name=f"排口{offset + i}号", town_code="350181103",
                 status="investigated", version=0, geometry=Point(119.2 + (offset + i) * 1e-5, 25.5))
            for i in range(n)]


def test_sites_encoded_afresh_are_counted_and_a_cached_rerun_counts_none():
    statuses = {"investigated": "#d73027"}
    sitelayer.take_encoded_count()
    sites = _points(30)
    sitelayer.encode_sites_cached("outfalls", sites, statuses=statuses)
    assert sitelayer.take_encoded_count() == 30
    sitelayer.encode_sites_cached("outfalls", sites, statuses=statuses)  # the same objects: from the cache
    assert sitelayer.take_encoded_count() == 0
    sitelayer.encode_sites_cached("outfalls", _points(7, offset=100), statuses=statuses)
    assert sitelayer.take_encoded_count() == 7 and sitelayer.take_encoded_count() == 0


def test_memory_is_released_after_a_big_build_only(monkeypatch):
    calls = []
    monkeypatch.setattr(memory, "release_free_memory", lambda: calls.append(1) or True)
    statuses = {"investigated": "#d73027"}
    sitelayer.take_encoded_count()
    sitelayer.encode_sites_cached("outfalls", _points(5, offset=200), statuses=statuses)
    assert memory.release_after_big_build(min_sites=10) is False and calls == []
    sitelayer.encode_sites_cached("outfalls", _points(12, offset=300), statuses=statuses)
    assert memory.release_after_big_build(min_sites=10) is True and calls == [1]
    assert memory.release_after_big_build(min_sites=10) is False  # counted once


def test_releasing_free_memory_runs_here():
    assert memory.release_free_memory() in (True, False)  # glibc: True; another C library: a no-op
