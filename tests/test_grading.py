"""The black-odorous grading rule (geo/domain/bands.py, geo/domain/grading.py): every boundary of the national
table, the shallow-water note as written, the 60 %/30 % point rules, consecutive heavy points, the 60 % body rule,
the app's "none" rule, bad values."""

from __future__ import annotations

import json
import math

import pytest

from geo.domain.bands import Reading, indicator_band, reading_bands, transparency_limits
from geo.domain.grading import grade_body, grade_point, grade_readings, to_dict
from geo.errors import ValidationError

# ---------------------------------------------------------------------------
# Per reading: every boundary value of the table, and one step either side.
# (indicator, value, depth_cm, expected band)
# ---------------------------------------------------------------------------
BANDS = [
    # transparency, water 25 cm deep or more (or depth unknown): heavy < 10 <= light <= 25 < none
    ("transparency", 9.99, None, "heavy"),
    ("transparency", 10, None, "light"),        # 10 is in "25–10": light, not heavy
    ("transparency", 10.01, None, "light"),
    ("transparency", 24.99, None, "light"),
    ("transparency", 25, None, "light"),        # 25 is in "25–10": still light
    ("transparency", 25.01, None, "none"),
    ("transparency", 0, None, "heavy"),
    ("transparency", 9.99, 25, "heavy"),        # exactly 25 cm deep: not shallow (不足25cm), normal limits
    ("transparency", 25, 25, "light"),
    ("transparency", 25.01, 200, "none"),
    # shallow water (depth < 25 cm): both limits become 0.4 x depth (表2-1 注, nothing else made up):
    # heavy below it, light exactly at it, none above it
    ("transparency", 8, 20, "light"),           # 0.4 x 20 = 8: the limit itself is light ("L~L")
    ("transparency", 8.01, 20, "none"),         # above 40 % of the depth: not black-odorous
    ("transparency", 9, 20, "none"),            # would be heavy in deep water
    ("transparency", 7.99, 20, "heavy"),        # below 40 % of the depth: the heavy limit moved too
    ("transparency", 3.2, 20, "heavy"),         # no second, scaled limit (0.16 x depth) any more
    ("transparency", 6, 15, "light"),           # 0.4 x 15 = 6 exactly (no float noise)
    ("transparency", 6.01, 15, "none"),
    ("transparency", 5.99, 15, "heavy"),
    ("transparency", 9.96, 24.9, "light"),      # just under 25 cm deep: limit 9.96 ...
    ("transparency", 9.97, 24.9, "none"),       # ... so 9.97 cm is none, where 25 cm deep it is light
    ("transparency", 9.95, 24.9, "heavy"),
    # dissolved oxygen: heavy < 0.2 <= light <= 2.0 < none
    ("do", 0, None, "heavy"),
    ("do", 0.19, None, "heavy"),
    ("do", 0.2, None, "light"),
    ("do", 0.21, None, "light"),
    ("do", 2.0, None, "light"),
    ("do", 2.01, None, "none"),
    ("do", 0.1, 10, "heavy"),                   # depth plays no part outside transparency
    # ORP: heavy < -200 <= light <= 50 < none
    ("orp", -200.01, None, "heavy"),
    ("orp", -200, None, "light"),
    ("orp", -199.99, None, "light"),
    ("orp", 50, None, "light"),
    ("orp", 50.01, None, "none"),
    ("orp", 300, None, "none"),
    # ammonia nitrogen: none < 8.0 <= light <= 15 < heavy
    ("nh3n", 7.99, None, "none"),
    ("nh3n", 8.0, None, "light"),
    ("nh3n", 15, None, "light"),
    ("nh3n", 15.01, None, "heavy"),
    ("nh3n", 0, None, "none"),
    # not measured
    ("transparency", None, 20, None),
    ("do", None, None, None),
]


@pytest.mark.parametrize("indicator, value, depth, expected", BANDS,
                         ids=[f"{i}={v}@{d}" for i, v, d, _ in BANDS])
def test_band_per_reading(indicator, value, depth, expected):
    assert indicator_band(indicator, value, depth) == expected


@pytest.mark.parametrize("depth, limits", [
    (20, (8.0, 8.0)), (15, (6.0, 6.0)),
    (None, (10, 25)), (25, (10, 25)), (100, (10, 25)), (12.5, (5, 5)), (24.9, (9.96, 9.96)),
])
def test_transparency_limits(depth, limits):
    assert transparency_limits(depth) == pytest.approx(limits)


def test_reading_bands_and_unknown_indicator():
    r = Reading("1", 1, 8, 20, 0.1, 60, None)
    assert reading_bands(r) == {"transparency": "light", "do": "heavy", "orp": "none", "nh3n": None}
    with pytest.raises(ValidationError) as e:
        indicator_band("cod", 10)
    assert e.value.code == "grading.unknown_indicator" and "transparency" in e.value.en


# ---------------------------------------------------------------------------
# Per point. Shorthand: H = a heavy DO reading, L = light, N = none.
# ---------------------------------------------------------------------------
DO = {"H": 0.1, "L": 1.0, "N": 5.0}
NH = {"H": 20.0, "L": 10.0, "N": 1.0}


def point(do: str = "", nh3n: str = "", name: str = "1", **extra) -> list[Reading]:
    n = max(len(do), len(nh3n))
    return [Reading(name, i + 1,
                    do_mg_l=DO[do[i]] if i < len(do) and do[i] != "-" else None,
                    nh3n_mg_l=NH[nh3n[i]] if i < len(nh3n) and nh3n[i] != "-" else None, **extra)
            for i in range(n)]


POINTS = [
    # (DO per round, NH3-N per round, grade, rule)
    ("HHHLL", "", "heavy", "point.heavy_one_indicator"),        # exactly 60 %: 以上 includes it
    ("HHLLL", "", "light", "point.light"),                      # 40 %
    ("HHHLLL", "", "light", "point.light"),                     # 50 %
    ("HHLLLLLLLL", "", "light", "point.light"),                 # 20 % alone
    ("HHHLLLLLLL", "HHHNNNNNNN", "heavy", "point.heavy_two_indicators"),  # exactly 30 % in two
    ("HHHLLLLLLL", "HHNNNNNNNN", "light", "point.light"),       # 30 % and 20 %: one indicator only
    ("HHHHHHLLLL", "", "heavy", "point.heavy_one_indicator"),   # 60 % of 10
    ("HHHHHLLLLL", "", "light", "point.light"),                 # 50 % of 10
    ("NNN", "NNN", "none", "point.none"),                       # no reading reaches the light band
    ("NNL", "NNN", "light", "point.light"),                     # one light reading is enough for light
    ("NNH", "NNN", "light", "point.light"),                     # a heavy reading reaches the light band too
    ("HHH", "", "heavy", "point.heavy_one_indicator"),
    ("H--", "NNN", "heavy", "point.heavy_one_indicator"),       # shares count measured readings only: 1/1
]


@pytest.mark.parametrize("do, nh3n, grade, rule", POINTS, ids=[f"DO={a} NH3N={b}" for a, b, _, _ in POINTS])
def test_point_rules(do, nh3n, grade, rule):
    g = grade_point(point(do, nh3n))
    assert (g.grade, g.rule.code) == (grade, rule)
    assert g.rule.zh and g.rule.en


def test_point_reports_shares_and_the_deciding_indicators():
    g = grade_point(point("HHHLLLLLLL", "HHHNNNNNNN"))
    assert g.decided_by == ("do", "nh3n")
    assert g.shares["do"].heavy == 3 and g.shares["do"].light == 7 and g.shares["do"].n == 10
    assert float(g.shares["nh3n"].heavy_share) == 0.3 and float(g.shares["nh3n"].black_share) == 0.3
    assert "溶解氧 30%" in g.rule.zh and "ammonia nitrogen 30%" in g.rule.en
    assert g.rounds == tuple(range(1, 11)) and g.bands[0] == (1, {"transparency": None, "do": "heavy",
                                                                   "orp": None, "nh3n": "heavy"})


def test_sixty_percent_wins_over_thirty_and_is_reported_first():
    g = grade_point(point("HHH", "HNN"))
    assert g.rule.code == "point.heavy_one_indicator" and g.decided_by == ("do",)
    assert "100%" in g.rule.zh


def test_shallow_water_rule_decides_a_point():
    # 20 cm deep: 9 cm transparency is heavy by the deep-water table but none by the 40 % rule.
    shallow = [Reading("1", r, transparency_cm=9, depth_cm=20) for r in (1, 2, 3)]
    deep = [Reading("1", r, transparency_cm=9, depth_cm=80) for r in (1, 2, 3)]
    assert grade_point(shallow).grade == "none"
    assert grade_point(deep).grade == "heavy"
    murky = [Reading("1", r, transparency_cm=3, depth_cm=20) for r in (1, 2, 3)]
    assert grade_point(murky).grade == "heavy"
    at_limit = [Reading("1", r, transparency_cm=8, depth_cm=20) for r in (1, 2, 3)]
    assert grade_point(at_limit).grade == "light"


def test_point_warnings_few_rounds_missing_depth_and_swapped_columns():
    g = grade_point([Reading("A", 1, transparency_cm=12), Reading("A", 2, transparency_cm=30, depth_cm=20)])
    codes = [n.code for n in g.notices]
    assert codes == ["sampling.too_few_rounds", "transparency.depth_missing", "transparency.exceeds_depth"]
    assert "3" in g.notices[0].zh and "round(s) 1" in g.notices[1].en


# ---------------------------------------------------------------------------
# Per body: points in order, consecutive heavy points, the 60 % body rule.
# ---------------------------------------------------------------------------
H, L, N = "HHH", "LLL", "NNN"


def body(*grades: str, labels=None, name="河A") -> list[Reading]:
    labels = labels or [str(i + 1) for i in range(len(grades))]
    return [r for lab, g in zip(labels, grades) for r in point(g, name=lab, water_body=name)]


BODIES = [
    # (point grades in order, body grade, rule, heavy stretches)
    ((H, H, H, L, L), "heavy", "body.heavy_share", [("1", "3")]),   # exactly 60 % of the points
    ((H, H, L, L, L), "light", "body.light", []),                   # 40 %
    ((L, H, H, H, L, L, L), "light", "body.light", [("2", "4")]),   # 3 consecutive: a heavy stretch, body light
    ((H, H, L, H, L, L, L), "light", "body.light", []),             # 3 heavy but not consecutive
    ((H, L, L, H, H, H, H, L, L, L), "light", "body.light", [("4", "7")]),  # 50 %: a 4-point stretch
    ((H, H, H, L, H, H, H), "heavy", "body.heavy_share", [("1", "3"), ("5", "7")]),
    ((N, N, N), "none", "body.none", []),
    ((N, L, N), "light", "body.light", []),
    ((N, H, N), "light", "body.light", []),
]


@pytest.mark.parametrize("grades, grade, rule, stretches", BODIES,
                         ids=["".join(g[0] for g in b[0]) for b in BODIES])
def test_body_rules(grades, grade, rule, stretches):
    g = grade_body(body(*grades))
    assert (g.grade, g.rule.code) == (grade, rule)
    assert [(s.first, s.last) for s in g.heavy_stretches] == stretches
    assert g.heavy_points == sum(x == H for x in grades)
    for s in g.heavy_stretches:
        assert f"{s.first}–{s.last}" in g.rule.zh or g.grade == "heavy"


def test_points_sorted_by_the_number_in_their_label():
    # Given out of order; "10" must follow "9", not "1".
    labels = ["10", "2", "1", "9", "3"]
    grades = [H, H, L, H, H]  # along the water 1=L 2=H 3=H 9=H 10=H -> stretch 2..10
    g = grade_body(body(*grades, labels=labels))
    assert g.point_order == "numeric_label" and [p.point for p in g.points] == ["1", "2", "3", "9", "10"]
    assert [(s.first, s.last) for s in g.heavy_stretches] == [("2", "10")]
    g = grade_body(body(H, H, H, labels=["P3", "P1", "P2"]))
    assert [p.point for p in g.points] == ["P1", "P2", "P3"]


def test_points_without_numbers_keep_first_appearance_order_or_a_given_order():
    g = grade_body(body(H, L, H, H, labels=["上游", "桥下", "中游", "下游"]))
    assert g.point_order == "first_appearance" and [p.point for p in g.points] == ["上游", "桥下", "中游", "下游"]
    assert g.heavy_stretches == ()
    g = grade_body(body(H, L, H, H, labels=["上游", "桥下", "中游", "下游"]),
                   point_order=["桥下", "上游", "中游", "下游"])
    assert g.point_order == "given" and [(s.first, s.last) for s in g.heavy_stretches] == [("上游", "下游")]
    with pytest.raises(ValidationError) as e:
        grade_body(body(H, L, labels=["上游", "下游"]), point_order=["上游"])
    assert e.value.code == "grading.point_order_incomplete" and "下游" in e.value.en


def test_sampling_rules_are_warnings_not_errors():
    g = grade_body(body(H, H))
    assert g.grade == "heavy"
    assert g.notices[0].code == "sampling.too_few_points" and "3" in g.warnings("zh")[0]
    g = grade_body(body("HH", "HH", "HH"))
    assert [n.code for n in g.notices] == ["sampling.too_few_rounds"] * 3 and g.grade == "heavy"
    assert grade_body(body(H, H, H)).notices == ()


def test_grade_readings_groups_bodies_in_order_and_to_dict():
    rs = body(H, H, H, name="龙江") + body(N, N, N, name="东张河") + body(L, N, labels=["4", "5"], name="龙江")
    out = grade_readings(rs)
    assert list(out) == ["龙江", "东张河"]
    assert out["龙江"].grade == "heavy" and out["东张河"].grade == "none"
    data = json.loads(json.dumps(to_dict(out), ensure_ascii=False))
    assert data == to_dict(out) and "建城〔2015〕130号" in data["guideline"]
    b = data["bodies"][0]
    assert b["water_body"] == "龙江" and b["grade_zh"] == "重度黑臭" and b["rule"] == "body.heavy_share"
    assert b["heavy_stretches"] == [{"from": "1", "to": "3", "points": ["1", "2", "3"]}]
    p = b["points"][0]
    assert p["rule"] == "point.heavy_one_indicator" and p["indicators"]["do"]["heavy_share"] == 1.0
    assert "重度黑臭" in json.dumps(to_dict(out), ensure_ascii=False)


# ---------------------------------------------------------------------------
# Bad values: one table of (reading arguments, error code, words the message must hold).
# ---------------------------------------------------------------------------
BAD = [
    (dict(point="1", round=1, depth_cm=-5, transparency_cm=3), "grading.out_of_range",
     ["-5", "depth_cm", "greater than 0"]),
    (dict(point="1", round=1, depth_cm=0, transparency_cm=3), "grading.out_of_range", ["depth_cm", "greater than 0"]),
    (dict(point="1", round=1, transparency_cm=-1), "grading.out_of_range", ["-1", "at least 0"]),
    (dict(point="1", round=1, do_mg_l=-0.1), "grading.out_of_range", ["-0.1", "do_mg_l"]),
    (dict(point="1", round=1, nh3n_mg_l=-3), "grading.out_of_range", ["nh3n_mg_l"]),
    (dict(point="1", round=1, do_mg_l=math.nan), "grading.not_finite", ["nan", "do_mg_l", "empty"]),
    (dict(point="1", round=1, orp_mv=math.inf), "grading.not_finite", ["inf", "orp_mv"]),
    (dict(point="1", round=1, do_mg_l="abc"), "grading.not_a_number", ["'abc'", "do_mg_l", "number"]),
    (dict(point="1", round=1, do_mg_l="1,5"), "grading.decimal_comma", ["'1,5'", "1.5"]),
    (dict(point="1", round=1, do_mg_l=True), "grading.not_a_number", ["True"]),
    (dict(point="1", round=0, do_mg_l=1), "grading.round_invalid", ["0", "whole number"]),
    (dict(point="1", round=1.5, do_mg_l=1), "grading.round_invalid", ["1.5"]),
    (dict(point="1", round="第一轮", do_mg_l=1), "grading.round_invalid", ["第一轮"]),
    (dict(point=" ", round=1, do_mg_l=1), "grading.point_missing", ["point"]),
]


@pytest.mark.parametrize("kwargs, code, words", BAD, ids=[b[1] + ":" + repr(b[0]) for b in BAD])
def test_bad_values_are_refused_with_the_value_and_the_fix(kwargs, code, words):
    with pytest.raises(ValidationError) as e:
        Reading(**kwargs, row=7)
    assert e.value.code == code
    assert isinstance(e.value, ValueError)
    for w in words:
        assert w in e.value.en, (w, e.value.en)
    assert "row 7" in e.value.en and "第 7 行" in e.value.zh


def test_values_are_normalised():
    r = Reading(1.0, "2", " 12.5 ", 30, 1, -100.5, "")
    got = (r.point, r.round, r.transparency_cm, r.depth_cm, r.orp_mv, r.nh3n_mg_l)
    assert got == ("1", 2, 12.5, 30.0, -100.5, None)


def test_rows_that_cannot_be_graded():
    with pytest.raises(ValidationError) as e:
        grade_point([Reading("1", 1, depth_cm=30, row=4)])
    assert e.value.code == "grading.nothing_measured" and "row 4" in e.value.en
    with pytest.raises(ValidationError) as e:
        grade_body([Reading("1", 1, do_mg_l=1, row=2), Reading("1", 1, do_mg_l=3, row=5)])
    assert e.value.code == "grading.duplicate_reading" and "rows 2 and 5" in e.value.en
    with pytest.raises(ValidationError) as e:
        grade_readings([])
    assert e.value.code == "grading.no_readings"
    with pytest.raises(ValidationError) as e:
        grade_point(point("H", name="1") + point("H", name="2"))
    assert e.value.code == "grading.mixed_points"
