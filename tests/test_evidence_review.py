"""The review's black-odorous figures follow the readings (geo/domain/evidence_review.py): the as-of replay
includes readings, no body is ever counted eliminated over a black latest campaign in the sample, yearly
milestones equal the figures rebuilt at each year's end, overrides are listed."""

from __future__ import annotations

from datetime import date

import pytest

from geo.domain.asof import snapshot
from geo.domain.evidence_review import measured_status, overrides, readings_as_of, yearly_milestones
from geo.domain.targets import progress
from geo.store import open_store
from tests.factories import SYSTEM


@pytest.fixture(scope="module")
def sample(sample_store_file):
    store = open_store(sample_store_file)
    return store.list_sites(SYSTEM), store.all_history(SYSTEM), store.all_observations(SYSTEM)


def test_readings_as_of_a_day_are_those_recorded_and_sampled_by_then(sample):
    _, _, obs = sample
    rows = obs["black_odorous_readings"]
    early = readings_as_of(rows, date(2023, 8, 1))
    assert early and all(r.observed_on <= "2023-08-01" and r.recorded_at <= "2023-08-01T16:00" for r in early)
    assert len(readings_as_of(rows, date(2023, 8, 1))) < len(readings_as_of(rows, date(2025, 11, 30)))
    assert readings_as_of(rows, date(2022, 12, 31)) == []


@pytest.mark.parametrize("day", [date(y, m, 28) for y in (2023, 2024, 2025) for m in (3, 6, 9, 12)
                                 if date(y, m, 28) <= date(2025, 11, 28)])
def test_no_body_is_ever_counted_eliminated_over_a_black_latest_campaign(sample, day):
    sites, history, obs = sample
    then, _ = snapshot(sites, history, day)
    measured = measured_status(then, obs, day)
    assert [m for m in measured["mismatches"] if m["kind"] == "done_but_black"] == []


def test_the_relapse_shows_up_in_the_replay(sample):
    sites, history, obs = sample
    relapse = next(e for e in history if e.to_status == "relapsed" and e.site_id == "HC-004")
    day_before = date.fromisoformat(relapse.changed_at[:10])
    before, _ = snapshot(sites, history, date.fromordinal(day_before.toordinal() - 1))
    after, _ = snapshot(sites, history, date.fromordinal(day_before.toordinal() + 1))
    status = {s.site_id: s.status for s in before}, {s.site_id: s.status for s in after}
    assert status[0]["HC-004"] == "initial_effect" and status[1]["HC-004"] == "relapsed"
    grades = [{b["site_id"]: b["grade"] for b in measured_status(s, obs, d)["bodies"]}
              for s, d in ((before, date.fromordinal(day_before.toordinal() - 1)),
                           (after, date.fromordinal(day_before.toordinal() + 1)))]
    assert grades[0]["HC-004"] == "none" and grades[1]["HC-004"] == "light"


def test_yearly_milestones_equal_the_figures_rebuilt_at_each_year_end(sample):
    sites, history, obs = sample
    today = date(2026, 6, 1)
    steps = yearly_milestones(sites, history, today)["black_odorous"]["urban_eliminated_share"]
    assert [m["year"] for m in steps] == [2023, 2024, 2025] and steps[-1]["deadline_year"]
    for m in steps:
        day = date.fromisoformat(m["as_of"])
        then, cut = snapshot(sites, history, day)
        tg = next(t for t in progress(then, day)["kinds"]["black_odorous"]["targets"]
                  if t["code"] == "urban_eliminated_share")
        assert (m["numerator"], m["denominator"], m["share"], m["met"]) == (
            tg["numerator"], tg["denominator"], tg["share"], tg["met"])


def test_progress_carries_measured_grades_milestones_and_overrides(sample):
    sites, history, obs = sample
    figures = progress(sites, date(2026, 6, 1), history=history, observations=obs)
    kind = figures["kinds"]["black_odorous"]
    measured = kind["breakdown"]["measured"]
    assert sum(measured["counts"].values()) == len([s for s in sites if s.kind == "black_odorous"])
    assert measured["counts"]["no_readings"] == 0 and measured["mismatches"] == []
    assert all("milestones" in t for t in kind["targets"]) and figures["overrides"] == []


def test_overrides_are_listed_newest_first():
    from types import SimpleNamespace as NS

    rows = [NS(site_id="HC-1", kind="black_odorous", from_status="remediating", to_status="initial_effect",
               changed_at="2025-01-02T00:00:00.000Z", actor="管理员", source="web", override="省厅认定"),
            NS(site_id="HC-2", kind="black_odorous", from_status="remediating", to_status="initial_effect",
               changed_at="2025-03-02T00:00:00.000Z", actor="管理员", source="cli", override="复核"),
            NS(site_id="HC-3", kind="black_odorous", from_status="untreated", to_status="remediating",
               changed_at="2025-04-02T00:00:00.000Z", actor="巡查员", source="web", override=None)]
    out = overrides(rows)
    assert [o["site_id"] for o in out] == ["HC-2", "HC-1"] and out[1]["reason"] == "省厅认定"
    assert overrides(rows, {"HC-1"})[0]["site_id"] == "HC-1"
