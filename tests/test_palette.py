"""Status colours a reader can tell apart: CIEDE2000 between statuses, on the map's ground, in the PDF legend.

The minimum differences chosen (CIEDE2000, sRGB -> CIELAB D65):

* ``WITHIN_KIND`` 20 between any two statuses of one kind (neighbouring steps
  included): clearly different at a glance on a small map symbol. The old
  已监测/已溯源 pair (#fc8d59/#fdae61) was 12.1.
* ``ACROSS_KINDS`` 10 between statuses of different kinds: the PDF and map
  legends list every kind's statuses together, and no two entries may look
  alike (four PDF entries shared one orange before).
* ``ON_GROUND`` 15 between every status and the offline basemap's land and
  sea, and the white of a PDF page: a site never fades into the ground.
"""

from __future__ import annotations

import itertools

import pytest

from geo.map.build import LAND_COLOR, SEA_COLOR
from geo.report.mapimage import legend_entries
from layers import REGISTRY
from tests.colour_difference import ciede2000, delta_e

WITHIN_KIND = 20.0
ACROSS_KINDS = 10.0
ON_GROUND = 15.0

# Sharma, Wu, Dalal (2005), Table 1: L1 a1 b1, L2 a2 b2, ΔE00.
SHARMA = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -1.1848, -84.8006), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -0.9009, -85.5211), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0010, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
    ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2972, 0.0000), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 1.8634, 0.5757), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2592, 0.3350), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((61.2901, 3.7196, -5.3901), (61.4292, 2.2480, -4.9620), 1.8731),
    ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((36.4612, 47.8580, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("lab1, lab2, expected", SHARMA, ids=[f"pair{i + 1}" for i in range(len(SHARMA))])
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)  # symmetric


def test_srgb_to_lab_reference_points():
    assert delta_e("#ffffff", "#ffffff") == 0
    assert delta_e("#000000", "#ffffff") == pytest.approx(100, abs=0.01)
    # The old pair the issue named, as measured before the palette changed.
    assert delta_e("#fc8d59", "#fdae61") == pytest.approx(12.1, abs=0.1)


def _statuses():
    return [(spec.key, s.code, s.color) for spec in REGISTRY.values() for s in spec.statuses]


def _pairs_below(pairs, minimum):
    return [(a[:2], b[:2], round(delta_e(a[2], b[2]), 1)) for a, b in pairs if delta_e(a[2], b[2]) < minimum]


@pytest.mark.parametrize("kind", list(REGISTRY))
def test_statuses_of_a_kind_differ_by_at_least_the_chosen_minimum(kind):
    statuses = [(kind, s.code, s.color) for s in REGISTRY[kind].statuses]
    assert _pairs_below(itertools.combinations(statuses, 2), WITHIN_KIND) == []


def test_statuses_of_different_kinds_differ_too():
    pairs = [(a, b) for a, b in itertools.combinations(_statuses(), 2) if a[0] != b[0]]
    assert _pairs_below(pairs, ACROSS_KINDS) == []


@pytest.mark.parametrize("ground", [LAND_COLOR, SEA_COLOR, "#ffffff"])
def test_every_status_stands_out_from_the_ground(ground):
    low = [(k, code, round(delta_e(c, ground), 1)) for k, code, c in _statuses() if delta_e(c, ground) < ON_GROUND]
    assert low == []


def test_the_check_can_fail():
    assert _pairs_below([(("k", "a", "#fc8d59"), ("k", "b", "#fdae61"))], WITHIN_KIND) != []


def test_pdf_legend_lists_each_kind_by_workflow_step_with_distinct_colours():
    from tests.factories import outfall, park

    sites = [outfall("PWK-T02", status="traced"), park(), outfall("PWK-T01", status="surveyed")]
    entries = legend_entries(sites)
    assert [(k, s) for k, s, _, _ in entries] == [("工业园区", "建设中"), ("入河入海排污口", "已排查"),
                                                  ("入河入海排污口", "已溯源")]
    assert [g for *_, g in entries] == ["polygon", "point", "point"]
    everything = legend_entries([_site(k, c) for k, c, _ in _statuses()])
    colours = [c for _, _, c, _ in everything]
    assert len(everything) == len(_statuses()) and len(set(colours)) == len(colours)


def _site(kind: str, status: str):
    from types import SimpleNamespace

    return SimpleNamespace(kind=kind, status=status)
