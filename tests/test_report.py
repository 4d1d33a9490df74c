"""The town review report (PDF) and the batch commands ``progress`` and ``report``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from geo.clock import today_cst
from geo.report.pdf import town_report_pdf
from geo.report.mapimage import map_extent, sites_map_png
from geo.store import open_store
from geo.domain.targets import progress
from tests.factories import SYSTEM
from tests.review_factories import HAIKOU, site

ROOT = Path(__file__).resolve().parents[1]
JIANGYIN = "350181116"


def pdf_text(data: bytes) -> str:
    """Every page's text; pypdf returns this font's text with NUL bytes between characters."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() for p in reader.pages).replace("\x00", "")


def flat(text: str) -> str:
    return "".join(text.split())


def cli(*args, store: Path, as_user: str = "管理员") -> subprocess.CompletedProcess:
    """Run the CLI as ``as_user`` (every command that reads the store names its account)."""
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "--store", str(store), *args, "--as", as_user],
                          capture_output=True, text=True, cwd=ROOT, timeout=180)


@pytest.fixture(scope="module")
def sample(sample_store_file):
    store = open_store(sample_store_file)
    return store.list_sites(SYSTEM), store.all_history(SYSTEM)


def test_pdf_has_the_town_and_every_site_name_as_text(sample):
    sites, history = sample
    data = town_report_pdf(sites, date(2025, 12, 31), JIANGYIN, history=history, sample=True)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    mine = [s for s in sites if s.town_code == JIANGYIN]
    assert len(mine) >= 10
    assert "江阴镇" in text and "示例数据" in text and "2025-12-31" in text
    missing = [s.name for s in mine if s.name not in text and flat(s.name) not in flat(text)]
    assert missing == []
    for phrase in ("目标进度", "岸电泊位", "点位清单", "变更证据", "福清市方案"):
        assert phrase in text
    assert len(PdfReader(io.BytesIO(data)).pages) >= 2


def test_pdf_figures_match_progress(sample):
    sites, history = sample
    day = date(2025, 12, 31)
    figures = progress(sites, day, town=JIANGYIN)
    text = flat(pdf_text(town_report_pdf(sites, day, JIANGYIN)))
    berths = figures["kinds"]["shore_power_berths"]["targets"][0]
    assert f"{berths['numerator']}/{berths['denominator']}=" in text
    assert f"本镇街共有点位{figures['totals']['sites']}个" in text
    assert "示例数据" not in text  # not sample: no notice


def test_a_town_without_sites_still_gets_a_report():
    data = town_report_pdf([site("outfalls", 1, "surveyed", town=HAIKOU, discharge_into="sea", receiving_water="fuqing_bay", outfall_type="port",
                                 name="别镇排口")], date(2025, 6, 30), "350181117")
    text = pdf_text(data)
    assert "东张镇" in text and "没有点位" in text and "别镇排口" not in text


def test_map_image_renders_with_chinese_and_fits_the_sites():
    sites = [site("outfalls", 1, "surveyed", discharge_into="sea", receiving_water="fuqing_bay", outfall_type="port"),
             site("parks", 1, "building")]
    png = sites_map_png(sites, highlight_town=HAIKOU, title="海口镇 点位分布")
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    minx, miny, maxx, maxy = map_extent(sites)
    for s in sites:
        bx = s.geometry.bounds
        assert minx < bx[0] and maxx > bx[2] and miny < bx[1] and maxy > bx[3]


def test_cli_progress_prints_exactly_the_figures(store_copy):
    out = cli("progress", "--town", "江阴", store=store_copy)
    assert out.returncode == 0, out.stderr
    printed = json.loads(out.stdout)
    store = open_store(store_copy)
    expected = progress(store.list_sites(SYSTEM), today_cst(), town=JIANGYIN, history=store.all_history(SYSTEM),
                        sample=True, observations=store.all_observations(SYSTEM),
                        reference=store.reference_areas(SYSTEM))
    assert printed == json.loads(json.dumps(expected))
    assert printed["town"]["name_zh"] == "江阴镇" and printed["sample_notice"]
    t = printed["kinds"]["shore_power_berths"]["targets"][0]
    assert {"numerator", "denominator", "share", "threshold", "clause"} <= set(t)


def test_cli_progress_as_of_a_past_day(store_copy):
    now = json.loads(cli("progress", store=store_copy).stdout)
    then = json.loads(cli("progress", "--as-of", "2024-01-31", store=store_copy).stdout)
    assert then["as_of"] == "2024-01-31" and then["totals"]["done"] < now["totals"]["done"]
    assert then["evidence"]["changes"] < now["evidence"]["changes"]


@pytest.mark.parametrize("args,code", [
    (("progress", "--as-of", "2999-01-01"), "asof.future_date"),
    (("progress", "--as-of", "31/12/2025"), "asof.invalid_date"),
    (("progress", "--town", "火星镇"), "town.unknown"),
    (("progress", "--onsite-m", "0"), "evidence.distance_invalid"),
])
def test_cli_refuses_with_a_code_in_both_languages(store_copy, args, code):
    out = cli(*args, store=store_copy)
    assert out.returncode == 2
    assert f"错误 [{code}]" in out.stderr and f"Error [{code}]" in out.stderr


def test_cli_report_writes_the_pdf(store_copy, tmp_path):
    target = tmp_path / "江阴镇.pdf"
    out = cli("report", "--town", "江阴镇", "-o", str(target), "--as-of", "2025-06-30", store=store_copy)
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info["town"] == JIANGYIN and info["as_of"] == "2025-06-30" and info["sample"] is True
    text = pdf_text(target.read_bytes())
    assert "江阴镇" in text and "示例数据" in text and "2025-06-30" in text
    bad = cli("report", "--town", "江阴镇", "-o", str(tmp_path / "no" / "dir" / "r.pdf"), store=store_copy)
    assert bad.returncode == 2 and "report.no_directory" in bad.stderr  # said before the report is made


@pytest.mark.parametrize("sample, name", [(True, "江阴镇审阅报告_2025-12-31_示例数据.pdf"),
                                          (False, "江阴镇审阅报告_2025-12-31.pdf")])
def test_the_report_file_is_named_by_town_and_says_sample_data(sample, name):
    from geo.report.pdf import report_file_name

    assert report_file_name(JIANGYIN, date(2025, 12, 31), sample=sample) == name
