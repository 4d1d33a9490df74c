"""As of a date: sites rebuilt from the history at the end of a day (CST), and figures that do not move."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from geo.asof import end_of_day_utc, history_until, parse_day, sites_as_of, snapshot
from geo.errors import ValidationError
from geo.progress import today_cst
from geo.store import open_store
from geo.targets import progress
from tests.factories import SYSTEM
from tests.review_factories import HAIKOU, JIANGYIN, entry, site

# A site created on 2025-03-01 (CST), moved on 03-03 at 23:59:59 CST and on 03-04 at 00:00 CST.
OUTFALL = replace(site("outfalls", 1, "remediating", bay="fuqing_bay", outfall_type="port",
                       remediation_method="ban", name="现名"), version=3)
HISTORY = [
    entry(1, "PWK-001", 0, "2025-03-01T02:00:00.000Z", action="create", to_status="surveyed",
          changes={"name": [None, "旧名"], "town_code": [None, JIANGYIN], "status": [None, "surveyed"],
                   "deadline": [None, "2025-12-31"], "responsible": [None, "江阴镇"], "bay": [None, "fuqing_bay"],
                   "outfall_type": [None, "port"]}, actor="导入"),
    entry(2, "PWK-001", 1, "2025-03-03T15:59:59.000Z", from_status="surveyed", to_status="monitored"),
    entry(3, "PWK-001", 2, "2025-03-03T16:00:00.000Z", from_status="monitored", to_status="traced",
          changes={"name": ["旧名", "现名"], "town_code": [JIANGYIN, HAIKOU]}, actor="巡查员乙"),
    entry(4, "PWK-001", 3, "2025-05-10T01:00:00.000Z", from_status="traced", to_status="remediating",
          changes={"remediation_method": [None, "ban"]}),
]
LATE = replace(site("parks", 1, "building"), version=1)
LATE_HISTORY = [
    entry(5, "YQ-001", 0, "2025-04-01T01:00:00.000Z", kind="parks", action="create", to_status="not_started",
          changes={"name": [None, "parks1号"], "town_code": [None, HAIKOU], "status": [None, "not_started"]}),
    entry(6, "YQ-001", 1, "2025-04-02T01:00:00.000Z", kind="parks", from_status="not_started", to_status="building"),
]


def test_end_of_day_is_midnight_china_time():
    assert end_of_day_utc(date(2025, 3, 3)) == datetime(2025, 3, 3, 16, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("day,status,name,town,method,version", [
    (date(2025, 3, 1), "surveyed", "旧名", JIANGYIN, None, 0),
    (date(2025, 3, 3), "monitored", "旧名", JIANGYIN, None, 1),  # 23:59:59 CST belongs to the 3rd
    (date(2025, 3, 4), "traced", "现名", HAIKOU, None, 2),  # 00:00 CST on the 4th does not
    (date(2025, 5, 10), "remediating", "现名", HAIKOU, "ban", 3),
])
def test_replay_rebuilds_status_and_attributes(day, status, name, town, method, version):
    (s,) = sites_as_of([OUTFALL], HISTORY, day)
    assert (s.status, s.name, s.town_code, s.attrs["remediation_method"], s.version) == (
        status, name, town, method, version)
    assert s.attrs["bay"] == "fuqing_bay" and s.responsible == "江阴镇"
    assert s.geometry.equals(OUTFALL.geometry)  # geometry is not in the history: kept


def test_site_created_later_is_absent_and_history_is_cut():
    sites = [OUTFALL, LATE]
    history = HISTORY + LATE_HISTORY
    assert [s.site_id for s in sites_as_of(sites, history, date(2025, 3, 31))] == ["PWK-001"]
    assert [s.site_id for s in sites_as_of(sites, history, date(2025, 4, 1))] == ["PWK-001", "YQ-001"]
    assert [e.id for e in history_until(history, date(2025, 3, 3))] == [1, 2]
    assert sites_as_of(sites, history, date(2020, 1, 1)) == []
    assert progress(sites_as_of(sites, history, date(2020, 1, 1)), date(2020, 1, 1))["totals"]["sites"] == 0


def test_snapshot_of_now_is_the_stored_state():
    sites, history = snapshot([OUTFALL], HISTORY, None)
    assert sites == [OUTFALL] and len(history) == 4


@pytest.mark.parametrize("value,code", [("2025-13-01", "asof.invalid_date"), ("昨天", "asof.invalid_date"),
                                        ("2999-01-01", "asof.future_date")])
def test_parse_day_refuses_nonsense_with_a_clear_message(value, code):
    with pytest.raises(ValidationError) as err:
        parse_day(value, today=date(2026, 1, 1))
    assert err.value.code == code
    assert value in err.value.en and value in err.value.zh
    assert "YYYY-MM-DD" in err.value.en or "today" in err.value.en


def test_parse_day_accepts_iso_and_dates():
    assert parse_day("2025-06-30", today=date(2026, 1, 1)) == date(2025, 6, 30)
    assert parse_day(date(2026, 1, 1), today=date(2026, 1, 1)) == date(2026, 1, 1)


# -- on the sample store ------------------------------------------------------


def _compare(site):
    return (site.site_id, site.kind, site.name, site.town_code, site.status, site.version, site.deadline,
            site.responsible, site.updated_at, site.updated_by, dict(site.attrs))


def test_replaying_all_history_equals_the_stored_state(store_copy):
    store = open_store(store_copy)
    stored = store.list_sites(SYSTEM)
    history = store.all_history(SYSTEM)
    replayed = sites_as_of(stored, history, today_cst())
    assert len(stored) == len(replayed) > 80
    assert [_compare(s) for s in replayed] == [_compare(s) for s in stored]
    assert sites_as_of(stored, history, None) == replayed


def test_a_change_today_does_not_move_yesterdays_figures(store_copy):
    store = open_store(store_copy)
    today = today_cst()
    yesterday = today - timedelta(days=1)

    def figures(day):
        sites, history = snapshot(store.list_sites(SYSTEM), store.all_history(SYSTEM),
                                  None if day == today else day)
        return progress(sites, day, history=history)

    before_yesterday, before_today = figures(yesterday), figures(today)
    target = next(s for s in store.list_sites(SYSTEM, kinds=["outfalls"]) if s.status == "remediating")
    store.change_status(SYSTEM, target.site_id, "remediated", expected_version=target.version, op_id="asof-test")
    after_yesterday, after_today = figures(yesterday), figures(today)

    assert after_yesterday == before_yesterday
    old, new = (f["kinds"]["outfalls"]["targets"][0]["numerator"] for f in (before_today, after_today))
    assert new == old + 1
    assert after_today["evidence"]["changes"] == before_today["evidence"]["changes"] + 1


def test_figures_as_of_a_past_day_differ_from_today(store_copy):
    store = open_store(store_copy)
    sites, history = store.list_sites(SYSTEM), store.all_history(SYSTEM)
    day = date(2024, 6, 30)
    then = progress(*snapshot(sites, history, day)[:1], day)
    now = progress(sites, today_cst())
    assert then["totals"]["done"] < now["totals"]["done"]
    assert then["as_of"] == "2024-06-30"
