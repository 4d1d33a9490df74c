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
    store.login(INSPECTOR.name, PASSWORD)
    from shapely.geometry import MultiPolygon, Polygon

    store.import_town_boundaries(ADMIN, [("350181103", "海口镇", MultiPolygon([Polygon(
        [(119.44, 25.65), (119.50, 25.65), (119.50, 25.70)])]))], source_name="t.zip")
    return store


def test_gpkg_to_postgis_and_back_is_exact(tmp_path, pg_cluster):
    source = _busy_store(tmp_path / "src.gpkg")
    url = pg_cluster.new_database()
    to_pg = copy_store(source, create_pg_store(url))
    assert to_pg.ok, json.dumps(to_pg.as_dict(), ensure_ascii=False)
    assert to_pg.tables["site_history"]["rows"] >= 4 and to_pg.tables["audit_log"]["rows"] > 5
    pg = create_pg_store(url)
    # The copy is a working store: ids continue, a change applies, the history chain holds.
    site = pg.get_site(INSPECTOR, "PWK-T01")
    result = pg.change_status(INSPECTOR, "PWK-T01", "remediating", expected_version=site.version,
                              op_id=uuid.uuid4().hex, changes={"remediation_method": "ban"})
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
