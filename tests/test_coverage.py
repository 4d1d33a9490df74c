"""Areas in the equal-area projection agree with the ellipsoid; coverage and location by reference area."""

from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import MultiPolygon, Point, Polygon, box
from shapely.ops import unary_union

from geo import basegeo
from geo.domain.coverage import (EQUAL_AREA_CRS, ReferenceAreas, area_km2, as_multipolygon, coverage,
                                 from_equal_area, locate, to_equal_area)
from tests.review_factories import site

GEOD = Geod(ellps="WGS84")


def geodesic_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


@pytest.mark.parametrize("name, geom, rel", [
    ("2 km box at the city", box(119.30, 25.70, 119.32, 25.72), 1e-7),
    ("county boundary (1,780 km², 49 parts)", basegeo.county_boundary(), 1e-6),
    ("a box far from the centre", box(119.60, 25.40, 119.65, 25.45), 1e-6),
    ("a polygon with a hole", box(119.3, 25.7, 119.4, 25.8).difference(box(119.33, 25.73, 119.36, 25.76)), 1e-6),
])
def test_equal_area_matches_the_geodesic_area(name, geom, rel):
    assert area_km2(geom) == pytest.approx(geodesic_km2(geom), rel=rel), name


def test_the_projection_is_equal_area_and_centred_on_fuqing():
    assert "+proj=laea" in EQUAL_AREA_CRS and "+lat_0=25.58" in EQUAL_AREA_CRS and "+lon_0=119.37" in EQUAL_AREA_CRS
    centre = to_equal_area(Point(119.37, 25.58))
    assert abs(centre.x) < 1e-6 and abs(centre.y) < 1e-6
    back = from_equal_area(to_equal_area(Point(119.5, 25.6)))
    assert back.distance(Point(119.5, 25.6)) < 1e-7  # about 1 cm: the inverse on the ellipsoid is a series
    assert area_km2(None) == 0.0 and area_km2(Point(119.3, 25.7)) == 0.0


def test_coverage_counts_overlaps_once_and_reports_what_is_left():
    ref = box(119.30, 25.70, 119.34, 25.72)
    cov = coverage(ref, [box(119.30, 25.70, 119.32, 25.72), box(119.31, 25.70, 119.32, 25.72),
                         box(119.50, 25.50, 119.51, 25.51)])
    assert cov.share == pytest.approx(0.5, abs=1e-6)
    assert cov.total_km2 == pytest.approx(geodesic_km2(ref), rel=1e-6)
    assert cov.uncovered_km2 == pytest.approx(geodesic_km2(box(119.32, 25.70, 119.34, 25.72)), rel=1e-5)
    assert cov.uncovered.representative_point().x > 119.32
    [(km2, lon, lat)] = cov.parts
    assert km2 == pytest.approx(cov.uncovered_km2) and 119.32 < lon < 119.34
    assert coverage(ref, []).share == 0.0 and coverage(box(0, 0, 0, 0), [ref]).share is None


def test_an_invalid_polygon_is_measured_not_refused():
    bow = MultiPolygon([box(119.30, 25.70, 119.31, 25.71)]).union(box(119.305, 25.705, 119.32, 25.72))
    assert coverage(bow, [bow]).share == pytest.approx(1.0)
    tie = Polygon([(119.30, 25.70), (119.34, 25.72), (119.34, 25.70), (119.30, 25.72)])  # two triangles
    assert not tie.is_valid
    assert coverage(box(119.30, 25.70, 119.34, 25.72), [tie]).share == pytest.approx(0.5, abs=1e-4)
    assert area_km2(tie) == pytest.approx(geodesic_km2(box(119.30, 25.70, 119.34, 25.72)) / 2, rel=1e-4)
    assert as_multipolygon(box(119.3, 25.7, 119.31, 25.71)).geom_type == "MultiPolygon"


def test_locate_says_which_reference_areas_a_site_lies_in_and_never_guesses():
    ref = ReferenceAreas(areas={"heat_network": box(119.29, 25.47, 119.31, 25.49)})
    inside = site("coal_boilers", 1, "in_use", geometry=Point(119.30, 25.48))
    outside = site("coal_boilers", 2, "in_use", geometry=Point(119.40, 25.60))
    polygon = site("parks", 1, "building", geometry=box(119.295, 25.475, 119.305, 25.485))
    found = locate([inside, outside, polygon], ref, ["heat_network", "built_up_area"])
    assert found == {"GL-001": {"heat_network"}, "GL-002": set(), "YQ-001": {"heat_network"}}
    assert ref.missing(["heat_network", "built_up_area"]) == ["built_up_area"]
    assert locate([inside], None, ["heat_network"]) == {"GL-001": frozenset()}
    with pytest.raises(KeyError):
        ref.union(["built_up_area"])
    assert ref.union(["heat_network"]).equals(unary_union([box(119.29, 25.47, 119.31, 25.49)]))
