"""``cli.py migrate``: a whole store copied GeoPackage → PostGIS → GeoPackage, every table verified; never over data."""

from __future__ import annotations

import json
import uuid

import pytest

from geo.errors import ValidationError
from geo.store import create_store
from geo.store.postgis import create_pg_store
from geo.store.transfer import copy_store, table_digests
from tests.factories import ADMIN, INSPECTOR, PASSWORD, SYSTEM, make_store, outfall, park, river


def _busy_store(path):
    """A store with every kind of row: sites, history with evidence and photos, users, sessions, audit, a batch."""
    store = make_store(path, [river(), outfall(), park()])
    site = store.get_site(INSPECTOR, "HC-T01")
    store.change_status(INSPECTOR, "HC-T01", "initial_effect", expected_version=site.version,
                        op_id=uuid.uuid4().hex, note="现场核实", photos=["a" * 64])
    login = store.login(INSPECTOR.name, PASSWORD)
    # The offline client's rows: a change sent from the field (applied), a photo upload, a device token.
    from datetime import datetime, timezone

    from geo.store import Evidence
    from geo.store.sync import OfflineChange

    store.record_field_photo(INSPECTOR, "c" * 64, "d" * 64, 1234)
    store.submit_offline_change(INSPECTOR, OfflineChange(
        op_id="field-op-1", site_id="PWK-T01", base_version=0, to_status="remediating",
        changes={"remediation_method": "ban"}, photos=("c" * 64,), clock_offset_s=-2.5,
        captured_at=datetime(2025, 11, 20, 9, 30, 12, 345000, tzinfo=timezone.utc),
        evidence=Evidence(lon=119.47, lat=25.66, accuracy_m=8.0, distance_m=3.0, remote=False)))
    store.enroll_device(login.token, label="平板")
    from shapely.geometry import MultiPolygon, Polygon

    store.import_town_boundaries(ADMIN, [("350181103", "海口镇", MultiPolygon([Polygon(
        [(119.44, 25.65), (119.50, 25.65), (119.50, 25.70)])]))], source_name="t.zip")
    # reference areas: a current version of two features and the one it replaced
    store.import_reference_areas(ADMIN, "built_up_area", [("旧", Polygon([(119.3, 25.7), (119.4, 25.7), (119.4, 25.8)]))],
                                 source_name="v1.geojson")
    store.import_reference_areas(ADMIN, "built_up_area", [("新", Polygon([(119.3, 25.7), (119.5, 25.7), (119.5, 25.8)])),
                                                          ("宏路", Polygon([(119.2, 25.7), (119.25, 25.7), (119.25, 25.75)]))],
                                 source_name="v2.geojson")
    return store


def test_gpkg_to_postgis_and_back_is_exact(tmp_path, pg_cluster):
    source = _busy_store(tmp_path / "src.gpkg")
    url = pg_cluster.new_database()
    to_pg = copy_store(source, create_pg_store(url))
    assert to_pg.ok, json.dumps(to_pg.as_dict(), ensure_ascii=False)
    assert to_pg.tables["site_history"]["rows"] >= 4 and to_pg.tables["audit_log"]["rows"] > 5
    assert (to_pg.tables["reference_areas"]["rows"], to_pg.tables["reference_areas_replaced"]["rows"]) == (2, 1)
    assert [to_pg.tables[t]["rows"] for t in ("field_changes", "field_photos", "field_devices")] == [1, 1, 1]
    pg = create_pg_store(url)
    assert pg.reference_areas(SYSTEM).areas["built_up_area"].equals(
        source.reference_areas(SYSTEM).areas["built_up_area"])
    # The copy is a working store: ids continue, a change applies, the history chain holds.
    assert pg.offline_change(SYSTEM, "field-op-1").captured_at == "2025-11-20T09:30:12.345Z"
    site = pg.get_site(INSPECTOR, "PWK-T01")
    result = pg.change_status(INSPECTOR, "PWK-T01", "remediated", expected_version=site.version,
                              op_id=uuid.uuid4().hex)
    assert result.entry.id > max(e.id for e in source.all_history(SYSTEM))
    back = copy_store(pg, create_store(tmp_path / "back.gpkg"))
    assert back.ok
    pg.close()
    digests = table_digests(create_store(tmp_path / "back.gpkg"))
    assert digests["site_history"]["rows"] == to_pg.tables["site_history"]["rows"] + 1


def test_a_copy_never_lands_on_data(tmp_path):
    source = make_store(tmp_path / "a.gpkg")
    occupied = make_store(tmp_path / "b.gpkg")
    with pytest.raises(ValidationError) as err:
        copy_store(source, occupied)
    assert err.value.code == "migrate.destination_not_empty"
    assert table_digests(occupied) == table_digests(make_store(tmp_path / "b.gpkg"))


def test_the_digest_sees_one_changed_value(tmp_path):
    a = make_store(tmp_path / "a.gpkg")
    b = create_store(tmp_path / "b.gpkg")
    assert copy_store(a, b).ok
    site = b.get_site(SYSTEM, "HC-T01")
    b.change_status(SYSTEM, "HC-T01", "initial_effect", expected_version=site.version, op_id="x")
    left, right = table_digests(a), table_digests(b)
    assert left["black_odorous"] != right["black_odorous"] and left["site_history"] != right["site_history"]
    assert left["users"] == right["users"]
