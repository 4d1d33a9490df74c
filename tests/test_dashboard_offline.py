"""The dashboard's 离线同步 section under AppTest: capture and sync times, conflicts with both sides, who resolves."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import Evidence, GpkgStore
from geo.store.sync import OfflineChange
from tests.factories import ADMIN, INSPECTOR, PASSWORD, REVIEWER, SYSTEM
from ui.pages.dashboard_page import SECTION_KEY

AGO = timedelta(hours=3, minutes=12)
ACCOUNTS = {"admin": ADMIN, "reviewer": REVIEWER, "inspector": INSPECTOR}


def _script() -> None:
    from ui.pages import page_by_path

    page_by_path("dashboard").render()


def run(store_file, role: str) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=90)
    at.session_state["lang"] = "zh"
    at.session_state[SECTION_KEY] = "offline"
    at.session_state["auth_token"] = GpkgStore(store_file).login(ACCOUNTS[role].name, PASSWORD).token
    return at.run()


@pytest.fixture
def synced(store_copy):
    """One change applied from the field (device clock 5 minutes slow: a remediated outfall found wanting) and one
    conflict, in 海口镇."""
    global CAPTURED
    CAPTURED = datetime.now(timezone.utc) - AGO
    store = GpkgStore(store_copy)
    fix = Evidence(lon=119.467236, lat=25.678319, accuracy_m=9, fix_time=CAPTURED, distance_m=3.0, remote=False)
    a = store.get_site(SYSTEM, "PWK-003")
    applied = store.submit_offline_change(INSPECTOR, OfflineChange(
        op_id="op-applied-1", site_id="PWK-003", base_version=a.version, to_status="remediating", captured_at=CAPTURED,
        note="现场", evidence=fix, clock_offset_s=300.0))
    c = store.get_site(SYSTEM, "PWK-018")
    store.change_status(ADMIN, "PWK-018", "remediated", expected_version=c.version, op_id="office-18",
                        note="办公室核销")
    conflict = store.submit_offline_change(INSPECTOR, OfflineChange(
        op_id="op-conflict-1", site_id="PWK-018", base_version=c.version, to_status="remediated",
        captured_at=CAPTURED, note="现场看到已整治", evidence=fix))
    assert (applied.outcome, conflict.outcome) == ("applied", "conflict")
    return store_copy


def test_offline_changes_show_capture_arrival_and_application_times(synced):
    at = run(synced, "reviewer")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    row = table[table["编号"] == "PWK-003"].iloc[0]
    assert row["采集时间（设备）"] == (CAPTURED + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    assert row["到达服务器"] != "—" and row["应用时间"] != "—"
    hours, minutes = row["采集至同步"].rstrip("m").split("h")
    assert abs(int(hours) * 60 + int(minutes) - 192) <= 2
    assert row["设备时钟偏差"] == "+300 s ⚠" and row["结果"] == "已生效" and row["位置证据"] == "现场变更"
    conflict_row = table[table["编号"] == "PWK-018"].iloc[0]
    assert conflict_row["结果"] == "冲突（待处理）" and conflict_row["应用时间"] == "—"
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "离线提交的变更" in text and "同步时服务器上的点位" in text and "办公室核销" in text and "现场看到已整治" in text
    assert not [b for b in at.button if b.key and b.key.startswith("off_")]  # reviewers read only
    assert any("审阅人只读" in c.value for c in at.caption)


def test_an_admin_discards_a_conflict_and_the_record_says_who_and_when(synced):
    at = run(synced, "admin")
    at.text_input(key="off_note_op-conflict-1").set_value("办公室已核销，无需重复")
    at.button(key="off_discard_op-conflict-1").click().run()
    assert not at.exception, at.exception
    rec = GpkgStore(synced).offline_change(SYSTEM, "op-conflict-1")
    assert (rec.resolution, rec.resolved_by, rec.resolution_note) == ("discarded", ADMIN.name, "办公室已核销，无需重复")
    assert any("已处理" in s.value and ADMIN.name in s.value for s in at.success)


def test_reapplying_a_change_the_current_status_does_not_allow_shows_the_stores_message(synced):
    at = run(synced, "inspector")
    at.button(key="off_reapply_op-conflict-1").click().run()
    assert not at.exception, at.exception
    assert any("不能从" in e.value for e in at.error)
    assert GpkgStore(synced).offline_change(SYSTEM, "op-conflict-1").open_conflict


def test_readings_taken_offline_are_listed_with_where_and_when(store_copy):
    """A day of readings from a device beside a body (3 h 12 min before it arrived, the device clock 5 min slow):
    a reviewer sees when it was taken and arrived, on site or not, and the status it moved."""
    from geo.clock import today_cst
    from geo.store import NewObservation
    from geo.store.db import iso_utc

    store = GpkgStore(store_copy)
    captured = datetime.now(timezone.utc) - AGO
    day = today_cst().isoformat()
    rows = [NewObservation("HC-005", day, "09:30", {"point": p, "round": 9, "do_mg_l": 4.0}, row=i + 1)
            for i, p in enumerate(("P1", "P2"))]
    store.record_observations(INSPECTOR, "black_odorous_readings", rows, op_id="op-readings-1", source="offline",
                              context={"via": "offline", "device_id": "d1", "captured_at": iso_utc(captured),
                                       "clock_offset_s": 300.0, "fix": {"lon": 119.364, "lat": 25.714,
                                                                        "accuracy_m": 7, "distance_m": 4.0},
                                       "remote": False})
    at = run(store_copy, "reviewer")
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "离线录入的监测读数** (1)" in text
    table = next(d.value for d in at.dataframe if "监测表" in d.value.columns)
    row = table.iloc[0]
    assert row["编号"] == "HC-005" and row["监测表"] == "黑臭水体水质监测" and row["行数"] == 2
    assert row["采集时间（设备）"] == (captured + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    hours, minutes = row["采集至同步"].rstrip("m").split("h")
    assert abs(int(hours) * 60 + int(minutes) - 192) <= 2
    assert row["设备时钟偏差"] == "+300 s ⚠" and row["位置证据"] == "现场变更" and row["随之变更的状态"] == "—"
    assert row["操作人"] == INSPECTOR.name
