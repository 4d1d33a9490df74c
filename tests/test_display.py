"""Display shifting for a GCJ-02 basemap: overlays drawn shifted, clicks come back to WGS84, nothing stored moves."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon

from geo.crs import haversine_m, wgs84_to_gcj02
from geo.map.display import from_display, geojson_to_display, geometry_to_display, to_display
from geo.map.build import DeviceFix, evidence_layer_group, position_marker_group, site_layer_groups
from geo.map.sitelayer import decode_sites, encode_sites
from geo.store import Site

GRID_LON, GRID_LAT = np.meshgrid(np.linspace(119.0, 119.9, 31), np.linspace(25.2, 26.0, 27))


def _site(geom, kind="outfalls") -> Site:
    return Site(kind=kind, site_id="S-1", name="排口", town_code="350181103", status="surveyed", version=0,
                geometry=geom)


def test_wgs84_frame_is_the_identity():
    g = Polygon([(119.3, 25.5), (119.31, 25.5), (119.31, 25.51)])
    assert geometry_to_display(g, "wgs84") is g
    assert to_display(119.3, 25.5, "wgs84") == (119.3, 25.5) == from_display(119.3, 25.5, "wgs84")


def test_unknown_frame_is_refused():
    with pytest.raises(ValueError, match="gcj02"):
        to_display(119.3, 25.5, "bd-09")


def test_a_site_on_gaode_is_drawn_at_its_gcj02_position_and_not_moved():
    p = Point(119.41234, 25.61234)
    site = _site(p)
    drawn = decode_sites(encode_sites("outfalls", [site], statuses={}, frame="gcj02"))[0]["geometry"]
    glon, glat = wgs84_to_gcj02(p.x, p.y)
    lon, lat = drawn.x, drawn.y
    assert haversine_m(lon, lat, glon, glat) < 0.8  # quantised to 1e-5° in the payload
    assert haversine_m(lon, lat, p.x, p.y) > 300  # the shift is real (~500 m here)
    assert site.geometry.equals(p)  # the site itself is untouched


def test_every_vertex_of_lines_and_polygons_is_shifted():
    line = LineString([(119.3, 25.5), (119.35, 25.52), (119.4, 25.6)])
    shifted = geometry_to_display(line, "gcj02")
    expected = np.column_stack(wgs84_to_gcj02(*np.asarray(line.coords).T))
    assert np.allclose(np.asarray(shifted.coords), expected, atol=1e-12)


def test_a_click_at_a_gcj02_position_comes_back_within_one_metre():
    glon, glat = wgs84_to_gcj02(GRID_LON.ravel(), GRID_LAT.ravel())
    lon, lat = from_display(glon, glat, "gcj02")
    error = haversine_m(lon, lat, GRID_LON.ravel(), GRID_LAT.ravel())
    assert float(np.max(error)) < 1.0


def test_site_layers_on_gaode_carry_shifted_coordinates():
    p = Point(119.45, 25.55)
    group = site_layer_groups({"outfalls": [_site(p)]}, frame="gcj02")[0]
    layer = next(c for c in group._children.values() if hasattr(c, "data"))
    drawn = decode_sites(layer.data)[0]["geometry"]
    glon, glat = wgs84_to_gcj02(p.x, p.y)
    # Quantised to 1e-5° in the payload: within 0.8 m of the GCJ-02 position, ~500 m from the stored one.
    assert haversine_m(drawn.x, drawn.y, glon, glat) < 0.8
    assert haversine_m(drawn.x, drawn.y, p.x, p.y) > 300


def _render_group(group) -> str:
    import folium

    m = folium.Map(tiles=None)
    group.add_to(m)
    return m.get_root().render()


def test_device_lines_and_position_dot_are_shifted_too():
    site = _site(Point(119.45, 25.55))
    fix = DeviceFix(119.4503, 25.5502, "#f00", "x")
    page = _render_group(evidence_layer_group(site, [fix], frame="gcj02"))
    glon, glat = wgs84_to_gcj02(fix.lon, fix.lat)
    items = json.loads(re.search(r"(\[\{\"color\".*?\}\])", page).group(1))
    assert haversine_m(items[0]["lon"], items[0]["lat"], glon, glat) < 0.2
    page = _render_group(position_marker_group({"lon": 119.45, "lat": 25.55, "accuracy": 12}, "gcj02"))
    pos = json.loads(re.search(r"OneMap.position\([a-z_0-9]+, (\{.*?\})\);", page).group(1))
    glon, glat = wgs84_to_gcj02(119.45, 25.55)
    assert haversine_m(pos["lon"], pos["lat"], glon, glat) < 0.2 and pos["accuracy"] == 12


def test_geojson_display_copy_shifts_every_part():
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"a": 1},
         "geometry": {"type": "MultiPolygon", "coordinates": [
             [[[119.3, 25.5], [119.31, 25.5], [119.31, 25.51], [119.3, 25.5]]],
             [[[119.4, 25.6], [119.41, 25.6], [119.41, 25.61], [119.4, 25.6]]]]}}]}
    out = geojson_to_display(data, "gcj02")
    assert out["features"][0]["properties"] == {"a": 1}
    first = out["features"][0]["geometry"]["coordinates"][1][0][0]
    glon, glat = wgs84_to_gcj02(119.4, 25.6)
    assert first == [round(glon, 6), round(glat, 6)]
    assert data["features"][0]["geometry"]["coordinates"][1][0][0] == [119.4, 25.6]  # input untouched
