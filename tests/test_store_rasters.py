"""Raster overlay metadata in the store: versioned, audited, admin-only, never deleted."""

from __future__ import annotations

import dataclasses

import pytest

from geo.errors import NotFoundError, PermissionDenied, ValidationError, VersionConflict
from geo.raster.records import NewRaster
from tests.factories import ADMIN, GUEST, INSPECTOR, REVIEWER, SYSTEM, make_store

NEW = NewRaster(raster_id="drone-longjiang", name_zh="龙江无人机正射影像", name_en="Longjiang drone orthophoto",
                file="drone-longjiang.tif", file_sha256="ab" * 32, bands=3, bounds=(119.37, 25.70, 119.40, 25.73),
                max_zoom=18, opacity=0.8, source_name="龙江.tif", info={"width": 4000})


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path / "s.gpkg", [])


def test_add_list_get(store):
    layer = store.add_raster(ADMIN, NEW)
    assert layer.version == 1 and layer.added_by == ADMIN.name and layer.info == {"width": 4000}
    assert [r.raster_id for r in store.list_rasters(GUEST)] == ["drone-longjiang"]
    assert store.get_raster(REVIEWER, "drone-longjiang").bounds == NEW.bounds
    assert store.raster_path(layer) == store.raster_dir / "drone-longjiang.tif"
    assert store.raster_dir.name == "s_rasters"
    (entry,) = [e for e in store.audit_log(ADMIN) if e.action == "raster.add"]
    assert entry.target == "drone-longjiang" and entry.details["sha256"] == "ab" * 32


def test_sample_files_resolve_to_the_shipped_folder(store):
    layer = store.add_raster(SYSTEM, dataclasses.replace(NEW, raster_id="s", file="sample:distance_to_shore.tif",
                                                         is_sample=True))
    assert store.raster_path(layer).parts[-3:] == ("data", "rasters", "distance_to_shore.tif")


@pytest.mark.parametrize("actor", [INSPECTOR, REVIEWER, GUEST])
def test_only_admins_manage_rasters(store, actor):
    with pytest.raises(PermissionDenied):
        store.add_raster(actor, NEW)
    store.add_raster(ADMIN, NEW)
    with pytest.raises(PermissionDenied):
        store.update_raster(actor, NEW.raster_id, expected_version=1, opacity=0.2)
    with pytest.raises(PermissionDenied):
        store.remove_raster(actor, NEW.raster_id, expected_version=1)
    assert store.get_raster(ADMIN, NEW.raster_id).opacity == 0.8


BAD = [
    ({"raster_id": "Bad Id"}, "raster.bad_id", "raster_id"),
    ({"opacity": 1.5}, "raster.bad_opacity", "opacity"),
    ({"vmin": 5.0, "vmax": 5.0}, "raster.bad_range", "vmin"),
    ({"name_en": "  "}, "raster.no_name", "name_en"),
]


@pytest.mark.parametrize("change, code, fld", BAD)
def test_bad_values_are_refused_with_the_field_named(store, change, code, fld):
    with pytest.raises(ValidationError) as err:
        store.add_raster(ADMIN, dataclasses.replace(NEW, **change))
    assert err.value.code == code and err.value.context["field"] == fld
    assert store.list_rasters(ADMIN) == []


def test_duplicate_id_is_refused(store):
    store.add_raster(ADMIN, NEW)
    with pytest.raises(ValidationError, match="exists"):
        store.add_raster(ADMIN, NEW)


def test_update_is_versioned_and_audited(store):
    store.add_raster(ADMIN, NEW)
    layer = store.update_raster(ADMIN, NEW.raster_id, expected_version=1, opacity=0.4, shown=False)
    assert (layer.opacity, layer.shown, layer.version) == (0.4, False, 2)
    with pytest.raises(VersionConflict) as err:
        store.update_raster(ADMIN, NEW.raster_id, expected_version=1, opacity=0.9)
    assert "version 2" in err.value.en
    assert store.get_raster(ADMIN, NEW.raster_id).opacity == 0.4  # the stale write changed nothing
    (entry,) = [e for e in store.audit_log(ADMIN) if e.action == "raster.update"]
    assert entry.details["opacity"] == [0.8, 0.4]


def test_a_range_update_is_checked_against_the_stored_bound(store):
    store.add_raster(ADMIN, dataclasses.replace(NEW, bands=1, colormap="viridis", vmin=0.0, vmax=10.0))
    with pytest.raises(ValidationError):
        store.update_raster(ADMIN, NEW.raster_id, expected_version=1, vmin=20.0)


def test_remove_hides_but_keeps(store):
    store.add_raster(ADMIN, NEW)
    store.remove_raster(ADMIN, NEW.raster_id, expected_version=1)
    assert store.list_rasters(ADMIN) == []
    kept = store.list_rasters(ADMIN, include_removed=True)
    assert [r.raster_id for r in kept] == [NEW.raster_id]
    with pytest.raises(NotFoundError):
        store.remove_raster(ADMIN, NEW.raster_id, expected_version=2)
    assert any(e.action == "raster.remove" for e in store.audit_log(ADMIN))
