"""bench/bench_field.py runs end to end on a tiny scenario and prints its table and JSON line (figures unchecked)."""

from __future__ import annotations

import json

import pytest

from bench import bench_field
from geo.sample import plan

pytestmark = pytest.mark.slow


def test_bench_field_runs_and_prints_its_figures(capsys):
    assert bench_field.main(["--changes", "2", "--reps", "1", "--readings", "3", "--sizes", "sample"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])["field"][0]
    in_town = sum(ps.site.town_code == bench_field.JIANGYIN for ps in plan())  # the sample as it is
    assert result["pack"]["sites"] == in_town and result["pack"]["revalidate_status"] == 304
    assert result["sync"]["outcomes"] == {"applied": 2} and result["sync"]["replayed_unchanged"] == 2
    assert result["sync"]["history_rows_after_replay_unchanged"] is True
    readings = result["readings"]  # 江阴镇's berths: a month of shore power each, written once
    assert readings["outcomes"] == {"applied": 3} and readings["rows"] == 3 and readings["replayed_unchanged"] == 3
    assert readings["rows_unchanged_by_replay"] is True
    assert out[0].startswith("scenario")
