"""Deployment settings: one reader for every ONEMAP_* variable and secrets.toml, typed, checked, never crashing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo.settings import DEFAULT_STORE, VARIABLE_NAMES, read_settings, secrets_file

ROOT = Path(__file__).resolve().parents[1]
GOOD_SECRET = "Xq3vR8tLm2Pz9Wk4Yb7Nc1Hd6Fj5Gs0A-_e"


def test_defaults_with_nothing_set():
    s = read_settings({}, {})
    assert (s.store, s.idle_minutes, s.field_distance_m, s.sso, s.problems, s.secret_problem) == (
        str(DEFAULT_STORE), 30, 200.0, False, (), None)
    assert s.basemaps.tianditu_key is None and not s.basemaps.enabled


@pytest.mark.parametrize("env, attr, value, problem_words", [
    ({"ONEMAP_IDLE_MINUTES": "45"}, "idle_minutes", 45, None),
    ({"ONEMAP_IDLE_MINUTES": "0"}, "idle_minutes", 30, "ONEMAP_IDLE_MINUTES"),
    ({"ONEMAP_IDLE_MINUTES": "半小时"}, "idle_minutes", 30, "半小时"),
    ({"ONEMAP_IDLE_MINUTES": "99999"}, "idle_minutes", 30, "1440"),
    ({"ONEMAP_FIELD_DISTANCE_M": "150.5"}, "field_distance_m", 150.5, None),
    ({"ONEMAP_FIELD_DISTANCE_M": "nan"}, "field_distance_m", 200.0, "ONEMAP_FIELD_DISTANCE_M"),
    ({"ONEMAP_FIELD_DISTANCE_M": "-3"}, "field_distance_m", 200.0, "ONEMAP_FIELD_DISTANCE_M"),
    ({"ONEMAP_STORE": " /srv/onemap/store.gpkg "}, "store", "/srv/onemap/store.gpkg", None),
    ({"ONEMAP_CACHE": "/tmp/c"}, "cache", Path("/tmp/c"), None),
    ({"ONEMAP_TIANDITU_TK": "abc"}, "basemaps.tianditu_key", None, "ONEMAP_TIANDITU_TK"),
    ({"ONEMAP_BASEMAPS": "gaode,bing"}, "basemaps.enabled", frozenset({"gaode"}), "bing"),
    ({"ONEMAP_BASEMAPSS": "gaode"}, "basemaps.enabled", frozenset(), "ONEMAP_BASEMAPS"),
])
def test_each_setting_is_typed_and_a_bad_value_is_listed_not_raised(env, attr, value, problem_words):
    s = read_settings(env, {})
    got = s
    for part in attr.split("."):
        got = getattr(got, part)
    assert got == value
    if problem_words is None:
        assert s.problems == ()
    else:
        assert len(s.problems) == 1
        p = s.problems[0]
        assert problem_words in p.zh and problem_words in p.en, p


@pytest.mark.parametrize("env, secrets, stops", [
    ({"ONEMAP_SESSION_SECRET": "changeme"}, {}, True),
    ({"ONEMAP_SESSION_SECRET": GOOD_SECRET}, {}, False),
    ({}, {"auth": {"cookie_secret": "short"}}, True),
    ({}, {"auth": {"cookie_secret": GOOD_SECRET}}, False),
])
def test_a_weak_session_secret_stops_the_app(env, secrets, stops):
    s = read_settings(env, secrets)
    assert (s.secret_problem is not None) == stops
    if stops:
        assert "secrets.token_urlsafe" in s.secret_problem.zh and "secrets.token_urlsafe" in s.secret_problem.en
    else:
        assert s.session_secret == GOOD_SECRET


def test_secrets_file_is_read_for_the_cli_and_a_broken_one_is_a_problem(tmp_path):
    good = tmp_path / "secrets.toml"
    good.write_text('[basemaps]\nenable = ["osm"]\n', encoding="utf-8")
    assert read_settings({}, secrets_file(good)).basemaps.enabled == frozenset({"osm"})
    broken = tmp_path / "broken.toml"
    broken.write_text("[basemaps\nenable = ", encoding="utf-8")
    s = read_settings({}, secrets_file(broken))
    assert len(s.problems) == 1 and "secrets.toml" in s.problems[0].en
    assert secrets_file(tmp_path / "missing.toml") == {}


def test_the_code_reads_no_onemap_variable_that_is_not_a_declared_setting():
    used = set()
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {"tests", ".git", "bench", "scripts"}:
            continue
        used |= set(re.findall(r"\b(ONEMAP_[A-Z_]+)\b", path.read_text(encoding="utf-8")))
    assert used - VARIABLE_NAMES == set()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert {v for v in VARIABLE_NAMES if v not in readme} == set(), "every setting is documented in the README"
