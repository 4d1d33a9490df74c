"""As of a date: sites rebuilt from the history at the end of a day (CST), and figures that do not move."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from geo.domain.asof import end_of_day_utc, history_until, parse_day, sites_as_of, snapshot
from geo.errors import ValidationError
from geo.clock import today_cst
from tests.factories import reopen
from geo.store import open_store
from geo.domain.targets import progress
from tests.factories import SYSTEM
from shapely.geometry import Point

from tests.review_factories import HAIKOU, JIANGYIN, entry, site

# A site created on 2025-03-01 (CST), moved on 03-03 at 23:59:59 CST and on 03-04 at 00:00 CST.
OUTFALL = replace(site("outfalls", 1, "remediating", discharge_into="sea", receiving_water="fuqing_bay", outfall_type="port",
                       remediation_method="ban", name="现名"), version=3)
HISTORY = [
    entry(1, "PWK-001", 0, "2025-03-01T02:00:00.000Z", action="create", to_status="surveyed",
          changes={"name": [None, "旧名"], "town_code": [None, JIANGYIN], "status": [None, "surveyed"],
                   "deadline": [None, "2025-12-31"], "responsible": [None, "江阴镇"], "receiving_water": [None, "fuqing_bay"],
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
    assert s.attrs["receiving_water"] == "fuqing_bay" and s.responsible == "江阴镇"
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


def test_replaying_all_history_equals_the_stored_state(sample_target):
    store = reopen(str(sample_target))
    stored = store.list_sites(SYSTEM)
    history = store.all_history(SYSTEM)
    replayed = sites_as_of(stored, history, today_cst())
    assert len(stored) == len(replayed) > 80
    assert [_compare(s) for s in replayed] == [_compare(s) for s in stored]
    assert sites_as_of(stored, history, None) == replayed


def test_a_change_today_does_not_move_yesterdays_figures(sample_target):
    store = reopen(str(sample_target))
    today = today_cst()
    yesterday = today - timedelta(days=1)

    def figures(day):
        sites, history = snapshot(store.list_sites(SYSTEM), store.all_history(SYSTEM),
                                  None if day == today else day)
        return progress(sites, day, history=history)

    before_yesterday, before_today = figures(yesterday), figures(today)
    from layers.outfalls import KEY_WATERS

    target = next(s for s in store.list_sites(SYSTEM, kinds=["outfalls"]) if s.status == "remediating"
                  and s.attrs["remediation_method"] != "standardise" and s.attrs["receiving_water"] in KEY_WATERS)
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


# -- imports record the geometry; undoing an import removes the site --------

def _imported(id_, sid, version, when, to_status, wkt, **extra):
    changes = {"name": [None, f"导入{sid}"], "town_code": [None, HAIKOU], "status": [None, to_status],
               "deadline": [None, "2025-12-31"], "receiving_water": [None, "xinghua_bay"], "outfall_type": [None, "other"],
               "is_sample": [None, False], "geometry": [None, wkt], **extra}
    return entry(id_, sid, version, when, action="import", from_status=None, to_status=to_status, changes=changes)


IMPORT_HISTORY = [
    _imported(10, "PWK-050", 0, "2025-02-01T02:00:00.000Z", "surveyed", "POINT (119.4 25.6)"),
    entry(11, "PWK-050", 1, "2025-02-10T02:00:00.000Z", from_status="surveyed", to_status="monitored",
          distance_m=20.0, remote=False),
    entry(12, "PWK-050", 2, "2025-03-01T02:00:00.000Z", action="import", from_status="monitored",
          to_status="monitored", changes={"geometry": ["POINT (119.4 25.6)", "POINT (119.41 25.61)"],
                                          "name": ["导入PWK-050", "改名"]}),
    _imported(20, "PWK-051", 0, "2025-02-01T02:00:00.000Z", "surveyed", "POINT (119.5 25.5)"),
    entry(21, "PWK-051", 1, "2025-02-20T02:00:00.000Z", action="undo", from_status="surveyed", to_status=None,
          changes={"name": ["导入PWK-051", None], "geometry": ["POINT (119.5 25.5)", None]}),
    _imported(30, "PWK-052", 0, "2025-01-01T02:00:00.000Z", "surveyed", "POINT (119.45 25.55)"),
    entry(31, "PWK-052", 1, "2025-01-05T02:00:00.000Z", action="undo", from_status="surveyed", to_status=None),
    _imported(32, "PWK-052", 2, "2025-01-10T02:00:00.000Z", "traced", "POINT (119.46 25.56)"),
]
STORED = [
    replace(site("outfalls", 50, "monitored", name="改名", discharge_into="sea", receiving_water="xinghua_bay", outfall_type="other",
                 geometry=Point(119.41, 25.61)), version=2),
    replace(site("outfalls", 52, "traced", name="导入PWK-052", discharge_into="sea", receiving_water="xinghua_bay", outfall_type="other",
                 geometry=Point(119.46, 25.56)), version=2),
]


def _by_id(day):
    return {s.site_id: s for s in sites_as_of(STORED, IMPORT_HISTORY, day)}


def test_replay_takes_the_geometry_an_import_recorded():
    then = _by_id(date(2025, 2, 15))["PWK-050"]
    assert (then.status, then.name, then.geometry.wkt) == ("monitored", "导入PWK-050", "POINT (119.4 25.6)")
    now = _by_id(None)["PWK-050"]
    assert (now.name, now.geometry.equals(STORED[0].geometry), now.is_sample) == ("改名", True, False)


def test_an_undone_import_existed_until_it_was_undone():
    assert _by_id(date(2025, 1, 31)).keys() == {"PWK-052"}
    during = _by_id(date(2025, 2, 10))
    assert set(during) == {"PWK-050", "PWK-051", "PWK-052"}
    gone = during["PWK-051"]  # no longer stored: rebuilt from its history alone
    assert (gone.kind, gone.status, gone.geometry.wkt, gone.town_code) == ("outfalls", "surveyed",
                                                                          "POINT (119.5 25.5)", HAIKOU)
    assert "PWK-051" not in _by_id(date(2025, 2, 20)) and "PWK-051" not in _by_id(None)


def test_a_site_imported_again_after_an_undo():
    assert "PWK-052" not in _by_id(date(2025, 1, 7))
    again = _by_id(date(2025, 1, 12))["PWK-052"]
    assert (again.status, again.version, again.geometry.wkt) == ("traced", 2, "POINT (119.46 25.56)")


def test_evidence_counts_status_changes_only_and_the_feed_shows_all():
    from geo.domain.evidence import change_rows, evidence_quality, site_evidence

    ev = evidence_quality(STORED, IMPORT_HISTORY, onsite_m=200)
    assert (ev["changes"], ev["onsite"], ev["no_position"]) == (1, 1, 0)
    feed = change_rows(STORED, IMPORT_HISTORY, onsite_m=200, actions=None)
    assert [(r["id"], r["action"]) for r in feed] == [(12, "import"), (11, "status"), (10, "import"),
                                                      (32, "import"), (31, "undo"), (30, "import")]
    # PWK-050's status was last set in the field; PWK-052's by an import
    assert site_evidence(STORED, IMPORT_HISTORY, onsite_m=200) == {"PWK-050": "onsite", "PWK-052": "not_field"}


def test_replay_equals_the_store_after_an_import_and_its_undo(sample_target):
    from geo.store import NewSite
    from tests.factories import ADMIN

    store = reopen(str(sample_target))
    if not hasattr(store, "import_batch"):
        pytest.skip("this store has no ledger import")
    old = store.get_site(SYSTEM, "PWK-001")
    moved = NewSite("outfalls", "PWK-001", "改过名的排口", old.town_code, old.status, Point(119.5011, 25.6011),
                    deadline=old.deadline, responsible=old.responsible,
                    attrs={k: v for k, v in old.attrs.items() if v is not None})
    new = NewSite("outfalls", "PWK-901", "新导入排口", HAIKOU, "surveyed", Point(119.47, 25.66),
                  deadline="2026-12-31", attrs={"discharge_into": "sea", "receiving_water": "fuqing_bay", "outfall_type": "other"})
    batch = store.import_batch(ADMIN, [moved, new], source_name="台账.csv")

    def check():
        stored = store.list_sites(SYSTEM)
        replayed = sites_as_of(stored, store.all_history(SYSTEM), today_cst())
        assert [_compare(s) + (s.geometry.wkb, s.is_sample) for s in replayed] == [
            _compare(s) + (s.geometry.wkb, s.is_sample) for s in stored]
        return {s.site_id: s for s in replayed}

    after = check()
    assert after["PWK-001"].name == "改过名的排口" and "PWK-901" in after
    store.undo_batch(ADMIN, batch.batch_id)
    undone = check()
    assert "PWK-901" not in undone and undone["PWK-001"].name == old.name
    assert undone["PWK-001"].geometry.equals(old.geometry)
