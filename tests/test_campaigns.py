"""Dated readings graded per sampling campaign (geo/domain/campaigns.py) and the rural rule (geo/domain/rural.py):
campaigns found from round numbers and dates, the sampling rules as warnings at their boundaries, each body
graded by its own rule, every rural limit at its boundary."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from geo.domain.bands import Reading
from geo.domain.campaigns import grade_campaign, grade_campaigns, group_campaigns, sampling_notices
from geo.domain.rural import grade_rural, rural_breaches, rural_transparency_limit
from geo.domain.sources import ALL, RURAL_INDICATORS

D0 = date(2025, 3, 3)
VALUES = {"heavy": dict(transparency_cm=5, depth_cm=100, do_mg_l=0.1, orp_mv=-250, nh3n_mg_l=20),
          "light": dict(transparency_cm=15, depth_cm=100, do_mg_l=1.0, orp_mv=0, nh3n_mg_l=10),
          "clean": dict(transparency_cm=50, depth_cm=100, do_mg_l=5.0, orp_mv=150, nh3n_mg_l=1)}


def campaign(quality="clean", start=D0, points=3, rounds=3, gap=3, first_round=1, **override):
    values = {**VALUES[quality], **override}
    return [Reading(f"P{p}", first_round + r, sampled_on=start + timedelta(days=r * gap), **values)
            for r in range(rounds) for p in range(1, points + 1)]


# -- grouping ------------------------------------------------------------------------------------

def test_round_numbers_starting_again_start_a_new_campaign():
    rs = campaign("heavy") + campaign("clean", start=D0 + timedelta(days=200))
    camps = group_campaigns(reversed(rs))  # any input order
    assert len(camps) == 2
    assert (camps[0].start, camps[0].end) == (D0, D0 + timedelta(days=6))
    assert camps[1].points == ("P1", "P2", "P3") and camps[1].rounds == (1, 2, 3)
    assert camps[1].label == f"{D0 + timedelta(days=200)} – {D0 + timedelta(days=206)}"


def test_round_numbers_continued_across_a_pause_stay_one_campaign_and_the_pause_is_warned():
    rs = campaign("clean") + campaign("clean", start=D0 + timedelta(days=60), first_round=4)
    (camp,) = group_campaigns(rs)
    codes = [n.code for n in sampling_notices(camp)]
    assert codes == ["sampling.interval"]  # rounds 3 -> 4: 54 days apart


def test_undated_readings_cannot_be_grouped():
    with pytest.raises(ValueError):
        group_campaigns([Reading("1", 1, do_mg_l=1)])


# -- sampling rules: warnings at their boundaries (2.2 检测要求) ------------------------------------

SAMPLING = [
    # (points, rounds, days between rounds, warning codes)
    (3, 3, 1, []),                                  # 3 points, 3 rounds, 1 day apart: all within the rules
    (3, 3, 7, []),                                  # 7 days apart: still within 1~7
    (3, 3, 8, ["sampling.interval", "sampling.interval"]),
    (3, 3, 0, ["sampling.interval", "sampling.interval"]),   # same day: under 1 day apart
    (2, 3, 3, ["sampling.too_few_points"]),
    (3, 2, 3, ["sampling.too_few_rounds"]),
    (1, 1, 3, ["sampling.too_few_points", "sampling.too_few_rounds"]),
]


@pytest.mark.parametrize("points, rounds, gap, codes", SAMPLING, ids=[f"{p}x{r}@{g}d" for p, r, g, _ in SAMPLING])
def test_sampling_rules_are_warnings_at_their_boundaries(points, rounds, gap, codes):
    (camp,) = group_campaigns(campaign(points=points, rounds=rounds, gap=gap))
    assert [n.code for n in sampling_notices(camp)] == codes
    g = grade_campaign(camp, "urban")
    assert g.grade == "none"  # warnings never change the grade
    assert [n.code for n in g.notices] == codes


# -- the body's own rule -------------------------------------------------------------------------

GRADES = [
    # (quality, water kind, grade, black?, clean?)
    ("heavy", "urban", "heavy", True, False),
    ("light", "urban", "light", True, False),
    ("clean", "urban", "none", False, True),
    ("heavy", None, "heavy", True, False),   # a body of unknown kind: the urban rule
    ("heavy", "rural", "black", True, False),
    ("light", "rural", "black", True, False),  # transparency 15 < 25, DO 1 < 2: black by the rural rule
    ("clean", "rural", "none", False, True),
]


@pytest.mark.parametrize("quality, kind, grade, black, clean", GRADES)
def test_each_body_is_graded_by_its_own_rule(quality, kind, grade, black, clean):
    (g,) = grade_campaigns(campaign(quality), kind)
    assert (g.grade, g.black, g.clean) == (grade, black, clean)
    assert g.rule_set == ("rural" if kind == "rural" else "urban")
    d = g.to_dict()
    assert d["grade"] == grade and d["rule_zh"] and d["rule_en"] and d["readings"] == 9


def test_a_campaign_that_cannot_be_graded_is_never_clean():
    bad = campaign("clean")[:3] + [Reading("P1", 2, depth_cm=50, sampled_on=D0 + timedelta(days=3))]
    (g,) = grade_campaigns(bad, "urban")
    assert g.grade == "ungraded" and not g.clean and not g.black
    assert "no transparency" in g.rule_en


def test_urban_light_within_a_clean_campaign_makes_the_campaign_light():
    rs = campaign("clean")
    rs[-1] = Reading("P3", 3, sampled_on=rs[-1].sampled_on, **VALUES["light"])
    (g,) = grade_campaigns(rs, "urban")
    assert g.grade == "light" and g.body.points[2].grade == "light"


# -- the rural rule: every limit at its boundary -------------------------------------------------

RURAL = [
    # (reading values, black-odorous indicators)
    (dict(transparency_cm=25), []),                     # 透明度 <25: 25 itself is fine
    (dict(transparency_cm=24.99), ["transparency"]),
    (dict(transparency_cm=8, depth_cm=20), []),          # under 25 cm of water: limit 0.4 x 20 = 8
    (dict(transparency_cm=7.99, depth_cm=20), ["transparency"]),
    (dict(transparency_cm=24.99, depth_cm=25), ["transparency"]),  # exactly 25 cm deep: the 25 cm limit
    (dict(do_mg_l=2.0), []),                            # 溶解氧 <2: 2.0 itself is fine
    (dict(do_mg_l=1.99), ["do"]),
    (dict(nh3n_mg_l=15), []),                           # 氨氮 >15: 15 itself is fine
    (dict(nh3n_mg_l=15.01), ["nh3n"]),
    (dict(orp_mv=-400), []),                            # ORP is not a rural indicator
    (dict(transparency_cm=5, do_mg_l=0.1, nh3n_mg_l=30), ["transparency", "do", "nh3n"]),
]


@pytest.mark.parametrize("values, breached", RURAL, ids=[repr(v) for v, _ in RURAL])
def test_rural_limits_at_every_boundary(values, breached):
    r = Reading("1", 1, **values)
    assert [b.indicator for b in rural_breaches(r)] == breached
    g = grade_rural([r])
    measured = any(k in values for k in ("transparency_cm", "do_mg_l", "nh3n_mg_l"))
    assert g.grade == ("black" if breached else "none" if measured else "ungraded")


def test_rural_transparency_limit_follows_the_depth():
    assert rural_transparency_limit(None) == 25 and rural_transparency_limit(100) == 25
    assert rural_transparency_limit(20) == pytest.approx(8.0) and rural_transparency_limit(25) == 25


def test_rural_campaigns_name_the_breach_and_the_source():
    g = grade_rural([Reading("塘1", 2, do_mg_l=1.5), Reading("塘2", 2, nh3n_mg_l=3)])
    assert g.grade == "black" and "塘1" in g.rule_zh and "溶解氧" in g.rule_zh and "DO" not in g.rule_zh
    assert "dissolved oxygen 1.5" in g.rule_en
    assert "农村黑臭水体治理工作指南" in g.to_dict()["source"]
    assert grade_rural([Reading("1", 1, orp_mv=-300)]).notices[0].code == "rural.orp_not_used"


def test_every_source_names_its_document_and_clause_and_unverified_ones_say_why():
    for s in ALL:
        assert s.document and s.clause and s.text_zh
        if not s.verified:
            assert s.note_en, s.code
    assert not RURAL_INDICATORS.verified


def test_chart_limits_are_the_rule_of_the_body():
    from types import SimpleNamespace

    from geo.domain.black_odorous_rules import chart_limits

    urban = {(x.field, x.value, x.band) for x in chart_limits(SimpleNamespace(attrs={"water_kind": "urban"}))}
    assert urban == {("transparency_cm", 25, "light"), ("transparency_cm", 10, "heavy"), ("do_mg_l", 2, "light"),
                     ("do_mg_l", 0.2, "heavy"), ("orp_mv", 50, "light"), ("orp_mv", -200, "heavy"),
                     ("nh3n_mg_l", 8, "light"), ("nh3n_mg_l", 15, "heavy")}
    rural = {(x.field, x.value) for x in chart_limits(SimpleNamespace(attrs={"water_kind": "rural"}))}
    assert rural == {("transparency_cm", 25), ("do_mg_l", 2), ("nh3n_mg_l", 15)}


def test_rows_not_stored_yet_are_named_by_point_and_round_not_by_a_row_id():
    """The entry's preview grades the typed rows under ids below 1: its text must not say 第 -1 行; a stored row
    is a record (记录 #7), not the 7th row of anything the user has seen."""
    from geo.domain.black_odorous_rules import campaign_grades
    from geo.store import Observation

    body = SimpleNamespace(site_id="HC-1", kind="black_odorous", attrs={"water_kind": "urban"})

    def rule(obs_id: int) -> str:
        rows = [Observation("black_odorous_readings", obs_id, "HC-1", "2025-01-02", None, {"point": "P1", "round": 1})]
        (grade,) = campaign_grades(body, rows)
        assert grade.grade == "ungraded"
        return grade.rule_zh

    assert "-1" not in rule(-1) and "点位 P1 第 1 轮" in rule(-1)
    assert "记录 #7" in rule(7) and "第 7 行" not in rule(7)  # a stored row is named by its record id, not as a row



def test_a_round_stored_twice_is_named_by_its_two_records():
    from geo.domain.bands import Reading
    from geo.domain.grading import grade_point
    from geo.errors import ValidationError

    rows = [Reading("P1", 1, do_mg_l=3.0, obs_id=i) for i in (3, 7)]
    with pytest.raises(ValidationError) as e:
        grade_point(rows)
    assert "（记录 #3 与 #7）" in e.value.zh and "records #3 and #7" in e.value.en
    with pytest.raises(ValidationError) as e:
        grade_point([Reading("P1", 1, do_mg_l=3.0, row=4), Reading("P1", 1, do_mg_l=3.0, row=9)])
    assert "（第 4 行与第 9 行）" in e.value.zh  # rows of a file or an entry stay rows
    with pytest.raises(ValidationError) as e:
        Reading("P1", 1, do_mg_l=-1, obs_id=12)
    assert e.value.zh.startswith("记录 #12") and "第" not in e.value.zh.split("：")[0]
