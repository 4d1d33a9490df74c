"""Readings taken with the offline client: the pack's monitoring tables, ``POST field/api/readings`` (written once,
refused naming the row and the field, only in the inspector's towns, where and when in the audit row) on each
backend, and the parser's checks of the envelope, table-driven."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from geo.clock import CST
from geo.errors import ValidationError
from geo.field.pack import table_schema
from geo.field.readings import MAX_ROWS, parse_readings
from geo.web.routes import web_middleware, web_routes
from geo.web.settings import WebSettings
from layers import OBSERVATIONS
from tests.factories import ADMIN, INSPECTOR, PASSWORD, REVIEWER, SYSTEM, berth, make_store, outfall, river

ORIGIN = "http://testserver"
H = {"X-Requested-With": "onemap-field"}
W = {**H, "Origin": ORIGIN}
NOW = datetime.now(timezone.utc)
T_MS = int(time.time() * 1000) - 3_600_000
TODAY = NOW.astimezone(CST).date().isoformat()
BO = "black_odorous_readings"


def entry(**over):
    """A day's readings at the test river, taken about 5 m from it an hour ago."""
    body = {"op_id": uuid.uuid4().hex, "table": BO, "site_id": "HC-T01", "observed_on": TODAY,
            "observed_time": "09:30", "common": {"sampler": "张三", "lab": "福清市环境监测站"},
            "rows": [{"point": "P1", "round": 1, "transparency_cm": 32, "do_mg_l": 3.1, "orp_mv": 80, "nh3n_mg_l": 2.5},
                     {"point": "P2", "round": 1, "transparency_cm": 30, "do_mg_l": 2.9, "orp_mv": 70, "nh3n_mg_l": 3.0}],
            "fix": {"lon": 119.38, "lat": 25.72505, "accuracy_m": 6, "time": T_MS - 5000},
            "captured_at": T_MS, "sent_at": int(time.time() * 1000)}
    body.update(over)
    return body


@pytest.fixture
def env(store_target, tmp_path, monkeypatch):
    monkeypatch.setenv("ONEMAP_FILES", str(tmp_path / "files"))
    store = make_store(store_target, [outfall(), river(), river("HC-T09", town="350181110"), berth()],
                       clean_rivers=False)
    settings = WebSettings(store=str(store_target), cache_root=tmp_path / "cache")
    client = TestClient(Starlette(routes=web_routes(settings), middleware=web_middleware(settings)), base_url=ORIGIN)
    client.cookies.set("onemap_session", store.login(INSPECTOR.name, PASSWORD).token)
    return store, client


def test_the_pack_carries_each_monitoring_table_as_the_entry_lays_it_out(env):
    store, client = env
    pack = client.get("/field/api/pack", headers=H).json()
    assert pack["format"] == 3 and set(pack["tables"]) == set(OBSERVATIONS)
    bo = pack["tables"][BO]
    assert bo["site_kind"] == "black_odorous" and bo["has_time"] is True and bo["identity"] == ["point", "round"]
    assert [f["name"] for f in bo["row_fields"]][:2] == ["point", "round"]
    assert {f["name"] for f in bo["common_fields"]} == {"sampler", "lab"}
    transparency = next(f for f in bo["row_fields"] if f["name"] == "transparency_cm")
    assert transparency["unit"] == "cm" and transparency["minimum"] == 0 and transparency["zh"] == "透明度"
    usage = pack["tables"]["shore_power_usage"]
    assert usage["period"] == "month" and usage["has_time"] is False and usage["common_fields"] == []


def test_readings_are_written_once_with_who_when_and_where(env):
    store, client = env
    body = entry()
    r = client.post("/field/api/readings", json=body, headers=W)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["outcome"] == "applied" and out["replay"] is False and len(out["obs_ids"]) == 2
    rows = store.list_observations(SYSTEM, BO, ["HC-T01"])
    assert [(o.values["point"], o.values["transparency_cm"], o.values["sampler"]) for o in rows] == [
        ("P1", 32.0, "张三"), ("P2", 30.0, "张三")]
    assert {(o.observed_on, o.observed_time, o.recorded_by, o.source) for o in rows} == {
        (TODAY, "09:30", INSPECTOR.name, "offline")}
    audit = store.audit_log(ADMIN, action="obs.add")[0]
    capture = audit.details["capture"]
    assert capture["via"] == "offline" and capture["remote"] is False and capture["fix"]["distance_m"] < 50
    assert capture["captured_at"].startswith(datetime.fromtimestamp(T_MS / 1000, timezone.utc).isoformat()[:16])
    (rec,) = store.offline_readings(REVIEWER)  # the dashboard's record of it, for a reviewer too
    assert (rec.op_id, rec.table, rec.site_id, rec.actor, rec.rows) == (body["op_id"], BO, "HC-T01", INSPECTOR.name, 2)
    assert rec.obs_ids == tuple(out["obs_ids"]) and rec.remote is False and rec.distance_m < 50
    assert rec.captured_at == capture["captured_at"] and rec.received_at == audit.at
    assert abs(capture["clock_offset_s"]) < 10 and audit.actor == INSPECTOR.name

    again = client.post("/field/api/readings", json=body, headers=W).json()  # a retry after a lost answer
    assert again["replay"] is True and again["obs_ids"] == out["obs_ids"]
    assert len(store.list_observations(SYSTEM, BO, ["HC-T01"])) == 2
    assert len(store.audit_log(ADMIN, action="obs.add")) == 1


def test_readings_far_from_the_site_or_without_a_position_are_marked_remote(env):
    store, client = env
    client.post("/field/api/readings", json=entry(fix=None), headers=W).raise_for_status()
    far = entry(observed_time="10:30", rows=[{"point": "P1", "round": 2, "transparency_cm": 31}],
                fix={"lon": 119.50, "lat": 25.80, "accuracy_m": 5, "time": T_MS})
    client.post("/field/api/readings", json=far, headers=W).raise_for_status()
    first, second = store.audit_log(ADMIN, action="obs.add")[::-1]
    assert [(r.remote, r.distance_m is None) for r in store.offline_readings(REVIEWER)] == [(True, False), (True, True)]
    assert first.details["capture"]["fix"] is None and first.details["capture"]["remote"] is True
    assert second.details["capture"]["remote"] is True and second.details["capture"]["fix"]["distance_m"] > 5000


@pytest.mark.parametrize("over, status, code, names", [
    # the store's own checks of the values, naming the row of the entry and the field
    ({"rows": [{"point": "P1", "round": 1, "transparency_cm": 30},
               {"point": "P2", "round": 1, "transparency_cm": -4}]}, 422, "obs.out_of_range", ("第 2 行", "透明度")),
    ({"rows": [{"round": 1, "transparency_cm": 30}]}, 422, "obs.required", ("第 1 行", "采样点位")),
    ({"rows": [{"point": "P1", "round": 1, "do_mg_l": "很低"}]}, 422, "obs.bad_value", ("第 1 行", "溶解氧")),
    ({"rows": [{"point": "P1", "round": 1}, {"point": "P1", "round": 1}]}, 422, "obs.duplicate", ("第 2 行",)),
    # the site: unknown, of another kind, outside the inspector's towns
    ({"site_id": "HC-NOPE"}, 404, "site.not_found", ("HC-NOPE",)),
    ({"site_id": "PWK-T01"}, 422, "obs.wrong_kind", ("PWK-T01",)),
    ({"site_id": "HC-T09"}, 403, "auth.denied", ("沙埔镇不在其中",)),
    # the envelope
    ({"table": "nope"}, 422, "field.bad_change", ("table",)),
    ({"observed_on": "2026/12/06"}, 422, "field.bad_change", ("observed_on",)),
    ({"rows": []}, 422, "field.bad_change", ("rows",)),
])
def test_refused_readings_say_why_and_write_nothing(env, over, status, code, names):
    store, client = env
    r = client.post("/field/api/readings", json=entry(**over), headers=W)
    body = r.json()
    assert (r.status_code, body["code"]) == (status, code), body
    assert all(n in body["zh"] for n in names) and body["en"]
    assert store.list_observations(SYSTEM, BO) == []
    assert store.audit_log(ADMIN, action="obs.add") == []


@pytest.mark.parametrize("raw, status, code", [
    (b"not json", 422, "field.bad_change"),
    (b"[" * 150_000 + b"]" * 150_000, 413, "field.change_too_large"),  # over 256 KB
    (b"[1, 2]", 422, "field.bad_change"),
])
def test_a_body_that_is_not_a_day_of_readings_is_refused(env, raw, status, code):
    store, client = env
    r = client.post("/field/api/readings", content=raw, headers={**W, "Content-Type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (status, code) and r.json()["zh"]
    assert store.list_observations(SYSTEM, BO) == []


def test_a_readings_entry_needs_a_signed_in_inspector_and_the_field_header(env):
    store, client = env
    assert client.post("/field/api/readings", json=entry(), headers=H).status_code == 403  # no Origin
    client.cookies.clear()
    assert client.post("/field/api/readings", json=entry(), headers=W).status_code == 401
    assert store.list_observations(SYSTEM, BO) == []


def test_a_berths_month_of_shore_power_use(env):
    store, client = env
    body = entry(table="shore_power_usage", site_id="AD-T01", observed_on=TODAY[:8] + "01", observed_time=None,
                 common=None, rows=[{"ship_calls": 12, "calls_connected": 9, "hours": 80.5, "energy_kwh": 15000}])
    r = client.post("/field/api/readings", json=body, headers=W)
    assert r.status_code == 200, r.text
    (row,) = store.list_observations(SYSTEM, "shore_power_usage", ["AD-T01"])
    assert row.values["calls_connected"] == 9 and row.observed_on == TODAY[:8] + "01"


# -- the parser, without a store ----------------------------------------------------------------------------------


def _parse(**over):
    return parse_readings(entry(**over), received_at=NOW, onsite_m=50, device_id="dev1",
                          geometry_of=lambda sid: river().geometry)


@pytest.mark.parametrize("over, field", [
    ({"op_id": "short"}, "op_id"),
    ({"op_id": None}, "op_id"),
    ({"table": 5}, "table"),
    ({"site_id": ""}, "site_id"),
    ({"observed_on": "6.12.2026"}, "observed_on"),
    ({"observed_on": (NOW.astimezone(CST) + timedelta(days=2)).date().isoformat()}, "observed_on"),  # the future
    ({"observed_time": "9:30"}, "observed_time"),
    ({"table": "shore_power_usage", "observed_time": "09:30"}, "observed_time"),  # a monthly table has no time
    ({"common": {"colour": "黑"}}, "common.colour"),         # not a common field of the table
    ({"common": {"point": "P1"}}, "common.point"),           # a per-row field given once for the day
    ({"common": ["张三"]}, "common"),
    ({"rows": "P1"}, "rows"),
    ({"rows": [{}] * (MAX_ROWS + 1)}, "rows"),
    ({"rows": [{"point": "P1", "sampler": "张三"}]}, "rows[1].sampler"),   # a common field in a row
    ({"rows": [{"point": "P1"}, {"point": None, "round": None}]}, "rows[2]"),  # an empty row
    ({"rows": [{"point": ["P1"]}]}, "rows[1].point"),
    ({"rows": [{"point": "P" * 501}]}, "rows[1].point"),
    ({"fix": {"lon": 500, "lat": 25}}, "lon"),
    ({"captured_at": 5}, "captured_at"),
])
def test_the_parser_refuses_a_malformed_entry_naming_the_field(over, field):
    with pytest.raises(ValidationError) as e:
        _parse(**over)
    assert e.value.code == "field.bad_change" and e.value.context["field"] == field
    assert field in e.value.zh and "更新离线巡查页面" in e.value.fix_zh


def test_the_parser_numbers_rows_as_the_device_does_and_gives_every_row_the_days_common_fields():
    parsed = _parse(rows=[{"point": "P1", "round": 1, "transparency_cm": 30, "remarks": ""},
                          {"point": "P2", "round": 1, "transparency_cm": None, "do_mg_l": 0}])
    assert [r.row for r in parsed.rows] == [1, 2]
    assert parsed.rows[0].values == {"point": "P1", "round": 1, "transparency_cm": 30, "sampler": "张三",
                                     "lab": "福清市环境监测站"}
    assert parsed.rows[1].values["do_mg_l"] == 0 and "transparency_cm" not in parsed.rows[1].values
    assert {(r.site_id, r.observed_on, r.observed_time) for r in parsed.rows} == {("HC-T01", TODAY, "09:30")}
    assert parsed.context["device_id"] == "dev1" and parsed.context["remote"] is False


def test_the_tables_schema_follows_the_spec():
    for key, spec in OBSERVATIONS.items():
        schema = table_schema(spec)
        names = [f["name"] for f in schema["row_fields"]] + [f["name"] for f in schema["common_fields"]]
        assert sorted(names) == sorted(f.name for f in spec.fields), key
        assert [f["required"] for f in schema["row_fields"]] == [f.required for f in spec.row_fields()]
