"""The monitoring mechanism on two more kinds: outfall results (一口一档) and berths' monthly shore-power use.

Each is only a declared spec and its rules; these tests prove the mechanism carries them: rows written through
the store (who, when, audit, towns), identity without fields (one sample per outfall and time, one row per berth
and month), cross-field refusals in the store and in the import (naming row and column), the ledgers' words
(达标/超标, 2025年3月), the usage rate summed per berth, port area and month (table-driven on hand-made rows),
the as-of cut, and the figures on the dashboard's data."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest

from geo.clock import CST
from geo.domain.monitoring import rules_for
from geo.domain.shore_power_usage import usage_figures, usage_rate
from geo.errors import PermissionDenied, ValidationError
from geo.ingest.observations import prepare_observations
from geo.store import NewObservation
from geo.store.base import Observation
from layers import OBSERVATIONS, get_observation_spec
from tests.factories import ADMIN, INSPECTOR, REVIEWER, SYSTEM, berth, make_store, outfall
from tests.ingest_factories import csv_bytes, xlsx_bytes

OUT = OBSERVATIONS["outfall_monitoring"]
USE = OBSERVATIONS["shore_power_usage"]


@pytest.fixture
def store(store_target):
    """Store tests here run on both backends (GeoPackage, PostGIS)."""
    return make_store(store_target, [outfall(), outfall("PWK-T02", name="第二排口"), berth(),
                                     berth("AD-T02", berth_no="2#"), berth("AD-T03", "元洪港区", berth_no="3#")],
                      clean_rivers=False)


def op() -> str:
    return uuid.uuid4().hex


def sample(site="PWK-T01", day="2025-03-04", when="09:30", **values):
    return NewObservation(site, day, when, {"cod_mg_l": 80.0, "nh3n_mg_l": 6.0, **values})


def month(site="AD-T01", day="2025-03-01", calls=10, connected=4, **values):
    return NewObservation(site, day, None, {"ship_calls": calls, "calls_connected": connected, **values})


# -- declared, and found by every generic path --------------------------------------------------------------
def test_the_two_specs_are_declared_for_their_kinds_and_named_on_the_cli():
    assert (OUT.site_kind, OUT.period, OUT.has_time, OUT.identity) == ("outfalls", "day", True, ())
    assert (USE.site_kind, USE.period, USE.identity) == ("shore_power_berths", "month", ())
    assert get_observation_spec("outfall-monitoring") is OUT and get_observation_spec("shore-power-usage") is USE
    names = {f.name for f in OUT.fields}
    assert {"cod_mg_l", "nh3n_mg_l", "tn_mg_l", "tp_mg_l", "flow_m3_d", "compliant", "lab"} <= names
    assert {f.name for f in USE.fields} >= {"ship_calls", "calls_connected", "hours", "energy_kwh"}
    assert rules_for(OUT).limits(None) == () and rules_for(USE).limits(None) == ()  # no invented limit line


def test_the_store_makes_an_append_only_table_for_each(store):
    from geo.store.transfer import _columns

    with store._read() as conn:
        for key in ("outfall_monitoring", "shore_power_usage"):
            cols = set(_columns(store, conn, key))
            assert {"obs_id", "site_id", "observed_on", "recorded_by", "replaces"} | set(OBSERVATIONS[key].field_names) \
                <= cols
    store.record_observations(SYSTEM, USE.key, [month()], op_id=op())
    for sql in ("UPDATE shore_power_usage SET ship_calls = 1", "DELETE FROM shore_power_usage"):
        conn = store._connect()
        try:
            with pytest.raises(store.DriverError, match="append-only"):
                conn.execute(sql)
        finally:
            store._end_read(conn)


# -- outfall results ---------------------------------------------------------------------------------------
def test_outfall_results_are_rows_with_who_and_when_and_an_audit_row(store):
    w = store.record_observations(ADMIN, OUT.key, [sample(compliant=False, exceeded="化学需氧量", lab="某检测公司"),
                                                   sample(day="2025-06-10", compliant=True, lab="某检测公司")],
                                  op_id=op())
    rows = store.list_observations(REVIEWER, OUT.key, ["PWK-T01"])
    assert [r.obs_id for r in rows] == list(w.obs_ids) and rows[0].recorded_by == ADMIN.name
    assert [r.values["compliant"] for r in rows] == [False, True]
    with store._read() as conn:
        assert conn.execute("SELECT count(*) FROM audit_log WHERE action='obs.add'").fetchone()[0] == 1
    assessed = rules_for(OUT).assess(None, rows)
    assert [(a.label, a.grade, a.black) for a in assessed] == [("2025-03-04 09:30", "exceeds", True),
                                                               ("2025-06-10 09:30", "compliant", False)]


@pytest.mark.parametrize("second, refused", [
    (dict(day="2025-03-04", when="09:30"), True),   # same outfall, day and time: the same sample
    (dict(day="2025-03-04", when="14:00"), False),  # a second sample that day
    (dict(day="2025-03-05", when="09:30"), False),
    (dict(site="PWK-T02", day="2025-03-04", when="09:30"), False),
])
def test_one_sample_per_outfall_day_and_time(store, second, refused):
    store.record_observations(SYSTEM, OUT.key, [sample()], op_id=op())
    if refused:
        with pytest.raises(ValidationError) as exc:
            store.record_observations(SYSTEM, OUT.key, [sample(**second)], op_id=op())
        assert exc.value.code == "obs.duplicate" and "更正" in exc.value.fix_zh
    else:
        store.record_observations(SYSTEM, OUT.key, [sample(**second)], op_id=op())


def test_outfall_rows_refuse_other_kinds_and_reviewers(store):
    with pytest.raises(ValidationError) as exc:
        store.record_observations(SYSTEM, OUT.key, [sample(site="AD-T01")], op_id=op())
    assert exc.value.code == "obs.wrong_kind"
    with pytest.raises(PermissionDenied):
        store.record_observations(REVIEWER, OUT.key, [sample()], op_id=op())


@pytest.mark.parametrize("cell, expected", [("达标", True), ("不达标", False), ("超标", False), ("是", True),
                                            ("否", False), ("", None)])
def test_an_outfall_ledger_imports_with_its_own_words(store, cell, expected):
    data = csv_bytes([["排污口编号", "采样日期", "采样时间", "COD(mg/L)", "氨氮", "总氮", "总磷", "流量(m3/d)", "达标情况",
                       "检测单位"],
                      ["PWK-T01", "2025/3/4", "9:30", "120", "18.5", "22", "1.8", "340", cell, "某检测公司"]])
    p = prepare_observations(data, "排口监测.csv", spec=OUT, sites=store.list_sites(SYSTEM), stored=[])
    assert p.errors == [] and len(p.writable) == 1
    got = p.writable[0]
    assert (got.observed_on, got.observed_time, got.values["cod_mg_l"], got.values["flow_m3_d"]) == \
        ("2025-03-04", "09:30", 120.0, 340.0)
    assert got.values["compliant"] is expected
    w = store.import_observations(ADMIN, OUT.key, p.writable, source_name="排口监测.csv")
    assert w.batch_id and store.list_observations(SYSTEM, OUT.key, ["PWK-T01"])[0].values["compliant"] is expected


def test_an_outfall_ledger_names_the_row_column_and_fix_of_each_problem(store):
    data = xlsx_bytes([["排污口名称", "监测日期", "化学需氧量", "是否达标"],
                       ["测试排口", date(2025, 3, 4), 90, "达标"],
                       ["不存在的排口", date(2025, 3, 4), 90, "达标"],
                       ["第二排口", date(2025, 3, 4), "九十", "达标"],
                       ["第二排口", date(2025, 3, 5), 90, "大概"]])
    p = prepare_observations(data, "排口.xlsx", spec=OUT, sites=store.list_sites(SYSTEM), stored=[])
    by_row = {e.row: e for e in p.errors}
    assert set(by_row) == {3, 4, 5}
    assert by_row[3].column == "排污口名称" and "排污口" in by_row[3].message_zh and by_row[3].fix_zh
    assert by_row[4].column == "化学需氧量" and by_row[5].column == "是否达标"


# -- shore-power use -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("calls, connected, ok", [(10, 0, True), (10, 10, True), (10, 11, False), (0, 0, True),
                                                  (0, 1, False)])
def test_calls_on_shore_power_cannot_exceed_ship_calls(store, calls, connected, ok):
    if ok:
        store.record_observations(SYSTEM, USE.key, [month(calls=calls, connected=connected)], op_id=op())
        return
    with pytest.raises(ValidationError) as exc:
        store.record_observations(SYSTEM, USE.key, [month(calls=calls, connected=connected)], op_id=op())
    assert exc.value.code == "shore_usage.connected_over_calls" and exc.value.context["field"] == "calls_connected"
    assert store.list_observations(SYSTEM, USE.key) == []  # nothing written


def test_one_row_per_berth_and_month_any_day_of_it(store):
    store.record_observations(INSPECTOR, USE.key, [month(day="2025-03-01")], op_id=op())
    with pytest.raises(ValidationError) as exc:
        store.record_observations(SYSTEM, USE.key, [month(day="2025-03-17")], op_id=op())
    assert exc.value.code == "obs.duplicate"
    store.record_observations(SYSTEM, USE.key, [month(day="2025-04-17")], op_id=op())
    assert [r.observed_on for r in store.list_observations(SYSTEM, USE.key)] == ["2025-03-01", "2025-04-01"]


def test_a_usage_report_imports_with_month_cells_and_refuses_contradictions_by_row():
    sites = [berth_site("AD-T01"), berth_site("AD-T02", berth_no="2#")]
    data = csv_bytes([["泊位编号", "月份", "靠泊艘次", "使用岸电艘次", "接电时长", "用电量(kWh)"],
                      ["AD-T01", "2025年3月", 12, 5, 40.5, "8,200"],
                      ["AD-T02", "2025-03", 9, 11, 30, 5000],
                      ["AD-T01", "202504", 8, 3, "", ""],
                      ["AD-T01", "2025/3", 1, 1, "", ""]])
    p = prepare_observations(data, "岸电月报.csv", spec=USE, sites=sites, stored=[])
    errs = {e.row: e for e in p.errors}
    assert set(errs) == {3, 5}
    assert errs[3].code == "shore_usage.connected_over_calls" and errs[3].column == "使用岸电艘次"
    assert errs[5].code == "obs.duplicate_in_file"
    assert [(c.observation.observed_on, c.observation.values["energy_kwh"]) for c in p.candidates] == \
        [("2025-03-01", 8200.0), ("2025-04-01", None)]


def berth_site(site_id, port_area="江阴港区", berth_no="1#"):
    from geo.store.base import Site

    nb = berth(site_id, port_area, berth_no=berth_no)
    return Site(site_id=nb.site_id, kind=nb.kind, name=nb.name, town_code=nb.town_code, status=nb.status,
                geometry=nb.geometry, deadline=None, responsible="", version=0, updated_at="", updated_by="",
                is_sample=False, attrs=nb.attrs)


def obs(site, day, calls, connected, obs_id, recorded="2025-06-01T00:00:00Z", kwh=None):
    return Observation(USE.key, obs_id, site, day, None, {"ship_calls": calls, "calls_connected": connected,
                                                         "hours": None, "energy_kwh": kwh},
                       recorded_at=recorded)


@pytest.mark.parametrize("rows, berth_rates, area_rates, total", [
    # summed, then divided: 1/2 and 90/100 give 91/102, not the mean of 50 % and 90 %
    ([("AD-T01", "2025-03-01", 2, 1), ("AD-T02", "2025-03-01", 100, 90)], {"AD-T01": 0.5, "AD-T02": 0.9},
     {"江阴港区": 91 / 102}, 91 / 102),
    # a month with no call has no rate, and adds nothing to the totals
    ([("AD-T01", "2025-03-01", 0, 0), ("AD-T01", "2025-04-01", 10, 5)], {"AD-T01": 0.5}, {"江阴港区": 0.5}, 0.5),
    # port areas apart
    ([("AD-T01", "2025-03-01", 10, 10), ("AD-T03", "2025-03-01", 10, 0)], {"AD-T01": 1.0, "AD-T03": 0.0},
     {"江阴港区": 1.0, "元洪港区": 0.0}, 0.5),
    ([("AD-T01", "2025-03-01", 0, 0)], {"AD-T01": None}, {"江阴港区": None}, None),
])
def test_usage_rate_per_berth_port_area_and_month(rows, berth_rates, area_rates, total):
    sites = [berth_site("AD-T01"), berth_site("AD-T02", berth_no="2#"), berth_site("AD-T03", "元洪港区", "3#")]
    got = usage_figures(sites, {USE.key: [obs(*r, obs_id=i + 1) for i, r in enumerate(rows)]})
    assert {b["site_id"]: b["rate"] for b in got["by_berth"]} == pytest.approx(berth_rates)
    assert {a["port_area"]: a["rate"] for a in got["by_area"]} == pytest.approx(area_rates)
    assert got["total"]["rate"] == pytest.approx(total)
    for m in got["by_month"]:
        mine = [r for r in rows if r[1][:7] == m["month"]]
        assert m["rate"] == pytest.approx(usage_rate(sum(r[2] for r in mine), sum(r[3] for r in mine)))


def test_usage_counts_current_rows_recorded_by_the_day_asked():
    sites = [berth_site("AD-T01")]
    first = obs("AD-T01", "2025-03-01", 10, 2, 1, recorded="2025-04-05T02:00:00Z")
    fixed = Observation(USE.key, 2, "AD-T01", "2025-03-01", None, {"ship_calls": 10, "calls_connected": 6},
                        action="correct", replaces=1, reason="报表更正", recorded_at="2025-05-10T02:00:00Z")
    data = {USE.key: [first, fixed]}
    assert usage_figures(sites, data, date(2025, 4, 1))["by_month"] == []  # not yet reported
    assert usage_figures(sites, data, date(2025, 4, 30))["total"]["rate"] == pytest.approx(0.2)
    assert usage_figures(sites, data, date(2025, 5, 10))["total"]["rate"] == pytest.approx(0.6)  # the correction


def test_progress_carries_the_usage_of_the_stored_rows(store):
    from geo.domain.targets import progress

    store.record_observations(SYSTEM, USE.key, [month("AD-T01", calls=10, connected=4),
                                                month("AD-T03", calls=5, connected=5)], op_id=op(),
                              recorded_at=datetime(2025, 4, 3, 9, 0, tzinfo=CST))
    figures = progress(store.list_sites(SYSTEM), date(2025, 4, 30), observations=store.all_observations(SYSTEM))
    usage = figures["kinds"]["shore_power_berths"]["breakdown"]["usage"]
    assert usage["months"] == ["2025-03"] and usage["total"]["rate"] == pytest.approx(9 / 15)
    assert {a["port_area"]: a["rate"] for a in usage["by_area"]} == pytest.approx({"江阴港区": 0.4, "元洪港区": 1.0})
    assert "capable_share" in [t["code"] for t in figures["kinds"]["shore_power_berths"]["targets"]]



@pytest.mark.parametrize("store_target", ["postgis"], indirect=True)
def test_postgis_holds_an_inspector_to_their_towns_for_monitoring_rows_too(store_target):
    """Row-level security on every monitoring table: straight SQL as the app's role, claiming to be an inspector of
    another town, cannot add a row about this berth; its own town's inspector can."""
    store = make_store(store_target, [berth()], clean_rivers=False)  # town 350181116
    row = ("INSERT INTO shore_power_usage (site_id, observed_on, ship_calls, calls_connected, recorded_at, "
           "recorded_by, source) VALUES ('AD-T01', '2025-03-01', 3, 1, now(), 'x', 'test')")
    conn = store._connect()
    try:
        for towns, allowed in (("350181001", False), ("350181116", True)):
            conn.execute("BEGIN")
            conn.execute("SELECT set_config('onemap.role', 'inspector', true), set_config('onemap.towns', ?, true)",
                         (towns,))
            if allowed:
                conn.execute(row)
                conn.execute("COMMIT")
            else:
                with pytest.raises(store.DriverError, match="row-level security"):
                    conn.execute(row)
                conn.execute("ROLLBACK")
    finally:
        store._end_read(conn)
    assert len(store.list_observations(SYSTEM, USE.key, ["AD-T01"])) == 1
