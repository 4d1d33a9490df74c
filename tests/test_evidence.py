"""Evidence quality: changes made on site (device within the field distance) and with photos."""

from __future__ import annotations

from datetime import date

import pytest

from geo.errors import ValidationError
from geo.domain.evidence import (
    ENV_FIELD_DISTANCE,
    FIELD_DISTANCE_M,
    change_rows,
    check_onsite_m,
    classify,
    default_onsite_m,
    evidence_quality,
    site_evidence,
)
from geo.domain.review import coloring, overdue_class
from tests.review_factories import entry, site

OUTFALL = site("outfalls", 1, "remediated", discharge_into="sea", receiving_water="fuqing_bay", outfall_type="port")  # Point(119.47, 25.66)
PARK = site("parks", 1, "building")
DAY = "2025-05-01T02:00:00.000Z"


@pytest.mark.parametrize("distance,remote,expected", [
    (5.0, False, "onsite"),
    (200.0, True, "onsite"),  # the distance decides; 200 m is within 200 m
    (200.1, False, "remote"),
    (None, True, "remote"),  # no distance: the recorded flag
    (None, False, "onsite"),
    (None, None, "no_position"),
])
def test_classify_by_distance_then_flag(distance, remote, expected):
    assert classify(entry(1, "PWK-001", 1, DAY, distance_m=distance, remote=remote), 200.0) == expected


def test_distance_is_configurable():
    e = entry(1, "PWK-001", 1, DAY, distance_m=350.0, remote=True)
    assert classify(e, 200.0) == "remote" and classify(e, 500.0) == "onsite"


def test_distance_computed_from_the_device_fix_when_not_recorded():
    near = entry(1, "PWK-001", 1, DAY, lon=119.4705, lat=25.66)  # ~50 m east
    far = entry(2, "PWK-001", 2, DAY, lon=119.48, lat=25.66)  # ~1 km east
    assert classify(near, 200.0, OUTFALL.geometry) == "onsite"
    assert classify(far, 200.0, OUTFALL.geometry) == "remote"
    rows = change_rows([OUTFALL], [near, far], onsite_m=200)
    assert sorted(round(r["distance_m"], -1) for r in rows) == [50.0, 1000.0]


def test_env_sets_the_default_and_nonsense_is_listed_for_admins(monkeypatch):
    from geo import settings

    monkeypatch.delenv(ENV_FIELD_DISTANCE, raising=False)
    assert default_onsite_m() == FIELD_DISTANCE_M == 200.0
    monkeypatch.setenv(ENV_FIELD_DISTANCE, "300")
    assert default_onsite_m() == 300.0
    monkeypatch.setenv(ENV_FIELD_DISTANCE, "两百")
    assert default_onsite_m() == 200.0  # the default applies ...
    problems = settings.current().problems  # ... and administrators are told which setting and why
    assert any(ENV_FIELD_DISTANCE in p.en and "两百" in p.zh for p in problems)
    with pytest.raises(ValidationError) as err:  # a value typed on a page or the CLI is refused outright
        check_onsite_m("两百", source="onsite_m")
    assert err.value.code == "evidence.distance_invalid"
    for bad in (0, -5, float("nan"), 1e9, None):
        with pytest.raises(ValidationError):
            check_onsite_m(bad)


def _history():
    return [
        entry(1, "PWK-001", 0, "2025-01-01T01:00:00.000Z", action="create", to_status="surveyed"),
        entry(2, "PWK-001", 1, "2025-02-01T01:00:00.000Z", from_status="surveyed", to_status="monitored",
              distance_m=40.0, remote=False, photos=("a" * 64,), actor="王"),
        entry(3, "PWK-001", 2, "2025-03-01T01:00:00.000Z", from_status="monitored", to_status="traced",
              distance_m=900.0, remote=True, actor="林"),
        entry(4, "PWK-001", 3, "2025-04-01T01:00:00.000Z", from_status="traced", to_status="remediating",
              actor="林"),
        entry(5, "PWK-001", 4, "2025-05-01T01:00:00.000Z", from_status="remediating", to_status="remediated",
              distance_m=30.0, remote=False, photos=("b" * 64, "c" * 64), actor="王"),
        entry(6, "YQ-001", 1, "2025-05-02T01:00:00.000Z", kind="parks", from_status="not_started",
              to_status="building", distance_m=2500.0, remote=True, actor="林"),
    ]


def test_quality_shares_on_small_data():
    ev = evidence_quality([OUTFALL, PARK], _history(), onsite_m=200)
    assert (ev["changes"], ev["onsite"], ev["remote"], ev["no_position"]) == (5, 2, 2, 1)
    assert (ev["share_onsite"], ev["with_photos"], ev["share_with_photos"], ev["without_photos"]) == (0.4, 2, 0.4, 3)
    assert (ev["done_changes"], ev["done_onsite"], ev["share_done_onsite"]) == (1, 1, 1.0)
    assert [r["id"] for r in ev["remote_changes"]] == [6, 3]  # newest first
    assert {a["actor"]: (a["changes"], a["onsite"], a["share_onsite"]) for a in ev["by_actor"]} == {
        "林": (3, 0, 0.0), "王": (2, 2, 1.0)}


def test_only_the_given_sites_count():
    ev = evidence_quality([PARK], _history(), onsite_m=200)
    assert (ev["changes"], ev["remote"]) == (1, 1)
    assert evidence_quality([], _history(), onsite_m=200)["share_onsite"] is None


def test_change_rows_filters():
    h = _history()
    assert [r["id"] for r in change_rows([OUTFALL, PARK], h, onsite_m=200, which="remote")] == [6, 3]
    assert [r["id"] for r in change_rows([OUTFALL, PARK], h, onsite_m=200, which="no_photos")] == [6, 4, 3]
    assert [r["id"] for r in change_rows([OUTFALL, PARK], h, onsite_m=200, which="not_onsite")] == [6, 4, 3]
    with pytest.raises(ValidationError) as err:
        change_rows([OUTFALL], h, which="far")
    assert err.value.code == "evidence.unknown_filter"


def test_site_evidence_is_the_change_that_set_the_current_status():
    fresh = site("outfalls", 9, "surveyed", discharge_into="sea", receiving_water="fuqing_bay", outfall_type="port")
    assert site_evidence([OUTFALL, PARK, fresh], _history(), onsite_m=200) == {
        "PWK-001": "onsite", "YQ-001": "remote", "PWK-009": "not_field"}


def test_review_colourings():
    overdue = site("outfalls", 2, "surveyed", deadline="2025-01-01", discharge_into="sea", receiving_water="fuqing_bay", outfall_type="port")
    day = date(2025, 6, 30)
    assert [overdue_class(s, day) for s in (OUTFALL, overdue, PARK)] == ["done", "overdue", "open"]
    c = coloring("overdue", [OUTFALL, overdue], today=day, lang="en")
    assert c.keys == {"PWK-001": "done", "PWK-002": "overdue"}
    assert [label for label, _ in c.legend] == ["overdue", "not done, not yet due", "done"]
    e = coloring("evidence", [OUTFALL, PARK], today=day, history=_history(), onsite_m=200)
    assert e.keys == {"PWK-001": "onsite", "YQ-001": "remote"} and e.colors["remote"] == "#d73027"
    assert coloring("status", [OUTFALL], today=day).keys is None
    with pytest.raises(ValidationError) as err:
        coloring("rainbow", [], today=day)
    assert err.value.code == "map.unknown_mode"
