"""``python cli.py grade FILE``: UTF-8, UTF-8 with BOM and GBK files (the project's readers and decoder), English or
Chinese headers; errors name the row (header = row 1) and the column (header and letter), exit 2, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.errors import ValidationError
from geo.ingest.grading_table import readings_from_table


def read_readings_csv(data: bytes):
    return readings_from_table(data, "readings.csv")

ROOT = Path(__file__).resolve().parents[1]

EN = "water_body,point,round,transparency_cm,depth_cm,do_mg_l,orp_mv,nh3n_mg_l"
ZH = "水体,点位,轮次,透明度,水深,溶解氧,氧化还原电位,氨氮"


def rows_for(body: str, points: dict[str, tuple]) -> list[str]:
    """Three rounds per point with the same values: (transparency, depth, DO, ORP, NH3-N)."""
    return [",".join([body, p, str(r), *("" if v is None else str(v) for v in vals)])
            for r in (1, 2, 3) for p, vals in points.items()]


HEAVY = (5, 80, 0.1, -250, 20)
LIGHT = (15, 80, 1.0, 0, 10)
CLEAN = (40, 80, 6.0, 150, 1)
SHALLOW_CLEAR = (9, 20, None, None, None)  # 9 cm in 20 cm of water: above 40 % of the depth -> none

LINES = rows_for("龙江", {"1": HEAVY, "2": HEAVY, "3": HEAVY, "4": LIGHT, "5": CLEAN}) + \
    rows_for("东张河", {"上游": CLEAN, "中游": SHALLOW_CLEAR, "下游": CLEAN})


def grade(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "grade", str(path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def write(tmp_path: Path, header: str, lines: list[str], encoding: str, name: str = "readings.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([header, *lines]) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize("header, encoding", [(EN, "utf-8"), (ZH, "utf-8-sig"), (ZH, "gbk"), (EN, "gb18030")],
                         ids=["utf8-en", "bom-zh", "gbk-zh", "gb18030-en"])
def test_grades_every_point_and_body(tmp_path, header, encoding):
    res = grade(write(tmp_path, header, LINES, encoding))
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    bodies = {b["water_body"]: b for b in out["bodies"]}
    assert list(bodies) == ["龙江", "东张河"]
    lj = bodies["龙江"]
    assert (lj["grade"], lj["rule"], lj["heavy_points"], lj["n_points"]) == ("heavy", "body.heavy_share", 3, 5)
    assert lj["heavy_stretches"] == [{"from": "1", "to": "3", "points": ["1", "2", "3"]}]
    grades = {p["point"]: (p["grade"], p["rule"]) for p in lj["points"]}
    assert grades == {"1": ("heavy", "point.heavy_one_indicator"), "2": ("heavy", "point.heavy_one_indicator"),
                      "3": ("heavy", "point.heavy_one_indicator"), "4": ("light", "point.light"),
                      "5": ("none", "point.none")}
    dz = bodies["东张河"]
    assert (dz["grade"], dz["rule"], dz["point_order"]) == ("none", "body.none", "first_appearance")
    assert [p["point"] for p in dz["points"]] == ["上游", "中游", "下游"]
    assert all(p["rule_zh"] and p["rule_en"] for b in out["bodies"] for p in b["points"])


def test_headers_with_units_and_extra_columns(tmp_path):
    header = "日期,水体,点位,轮次,透明度（cm）,水深(cm),溶解氧（mg/L）,氧化还原电位(mV),氨氮（mg/L）,备注"
    lines = [f"2025-06-0{r},龙江,{p},{r},5,80,0.1,-250,20,看到黑水" for p in "123" for r in (1, 2, 3)]
    res = grade(write(tmp_path, header, lines, "gbk"))
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["bodies"][0]["grade"] == "heavy"


BAD_FILES = [
    # (lines after the header, encoding, exit text that must appear)
    (["龙江,1,1,5,80,0.1,-250,20", "龙江,1,2,5,-3,0.1,-250,20"], "gbk", ["第 3 行", "水深 (E)", "row 3", "-3"]),
    (["龙江,1,1,5,80,abc,-250,20"], "utf-8", ["第 2 行", "溶解氧 (F)", "row 2", "'abc'", "enter a number"]),
    (["龙江,1,1,5,80,nan,-250,20"], "utf-8-sig", ["row 2", "溶解氧 (F)", "'nan'"]),
    (["龙江,1,x,5,80,1,-250,20"], "utf-8", ["row 2", "轮次 (C)", "whole number"]),
    (["龙江,,1,5,80,1,-250,20"], "utf-8", ["row 2", "点位 (B)", "point is missing"]),
    (["龙江,1,1,5,80,1,-250,20", "", "龙江,1,1,6,80,1,-250,20"], "utf-8", ["rows 2 and 4", "given twice"]),
    (["龙江,1,1,,80,,,"], "utf-8", ["row 2", "no transparency, DO, ORP or NH3-N"]),
]


@pytest.mark.parametrize("lines, encoding, words", BAD_FILES, ids=[w[2][-1] for w in BAD_FILES])
def test_a_bad_row_exits_2_naming_row_and_column(tmp_path, lines, encoding, words):
    res = grade(write(tmp_path, ZH, lines, encoding))
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr and res.stdout == ""
    for w in words:
        assert w in res.stderr, (w, res.stderr)


def test_missing_columns_unknown_encoding_workbook_and_missing_file(tmp_path):
    res = grade(write(tmp_path, "水体,点位,透明度,溶解氧", ["龙江,1,5,1"], "utf-8"))
    assert res.returncode == 2 and "round" in res.stderr and "轮次" in res.stderr and "Traceback" not in res.stderr
    res = grade(write(tmp_path, "水体,点位,轮次,透明度,溶解氧", ["龙江,1,1,5,1"], "utf-8"))
    assert res.returncode == 0, res.stderr  # the indicators measured are enough; depth is optional
    latin = tmp_path / "latin.csv"
    latin.write_bytes(EN.encode() + b"\n\xff\xfe\xfa,1,1,5,80,1,1,1\n")
    res = grade(latin)
    assert res.returncode == 2 and "encoding.unknown" in res.stderr and "UTF-8" in res.stderr
    book = tmp_path / "readings.xlsx"
    book.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    res = grade(book)
    assert res.returncode == 2 and "readings.xlsx" in res.stderr and "处理" in res.stderr and "Fix:" in res.stderr
    res = grade(tmp_path / "nope.csv")
    assert res.returncode == 2 and "nope.csv" in res.stderr and "Traceback" not in res.stderr


def test_gbk_is_decoded_strictly_not_guessed():
    # The same Chinese text, three encodings, one result; nothing is dropped silently.
    text = ZH + "\n龙江,上游,1,5,80,0.1,-250,20\n"
    for enc in ("utf-8", "utf-8-sig", "gbk"):
        (r,) = read_readings_csv(text.encode(enc))
        assert (r.water_body, r.point, r.do_mg_l) == ("龙江", "上游", 0.1)
    with pytest.raises(ValidationError) as e:
        read_readings_csv(b"")
    assert e.value.code in ("file.empty", "file.no_rows")
    with pytest.raises(ValidationError) as e:
        read_readings_csv((EN + "\n").encode())
    assert e.value.code == "grading.no_readings"


def test_tab_separated_and_quoted_cells():
    text = EN.replace(",", "\t") + "\n龙江\t1\t1\t5\t80\t0.1\t-250\t20\n"
    assert read_readings_csv(text.encode("gbk"))[0].nh3n_mg_l == 20
    text = EN + '\n"龙江, 西段","1",1,5,80,0.1,-250,20\n'
    assert read_readings_csv(text.encode())[0].water_body == "龙江, 西段"
