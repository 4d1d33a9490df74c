"""Readings in the app (AppTest): the site panel charts a body's readings with the band limits and grades each
campaign; the field form says what a status needs, saves readings through the store and cannot mark heavy
readings 初见成效; the status form's override is explicit, for administrators only, and recorded."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.clock import today_cst
from geo.store import GpkgStore
from tests.factories import ADMIN, INSPECTOR, PASSWORD, SYSTEM, make_store, record_campaign, river


def _page(url_path: str) -> None:
    from ui.pages import page_by_path

    page_by_path(url_path).render()


def open_page(url_path: str, store_path, account=INSPECTOR, lang="zh", **state) -> AppTest:
    at = AppTest.from_function(_page, args=(url_path,), default_timeout=90)
    at.session_state["lang"] = lang
    at.session_state["auth_token"] = GpkgStore(store_path).login(account.name, PASSWORD).token
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


@pytest.fixture
def small(tmp_path, monkeypatch):
    path = tmp_path / "s.gpkg"
    make_store(path, [river()], clean_rivers=False)
    monkeypatch.setenv("ONEMAP_STORE", str(path))
    return path


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_site_panel_charts_the_readings_and_grades_each_campaign(store_copy, lang):
    # HC-004, an urban body: clean, 初见成效, light again (返黑返臭), remediated, 初见成效 again.
    at = open_page("map", store_copy, lang=lang, selected_site="HC-004")
    assert not at.exception, at.exception
    assert charts(at), "no chart of the readings"
    chart = charts(at)[0].proto
    spec = json.dumps(json.loads(chart.spec), ensure_ascii=False)
    assert ("透明度" if lang == "zh" else "Transparency") in spec and '"rule"' in spec  # limits drawn as rules
    assert '"band"' in spec and '"label"' in spec  # the lines carry their band and label
    frames = [d.value for d in at.dataframe]
    campaigns = next(f for f in frames if ("分级" if lang == "zh" else "Grade") in f.columns)
    grades = list(campaigns["分级" if lang == "zh" else "Grade"])
    assert len(grades) >= 4
    light = "轻度黑臭" if lang == "zh" else "light"
    assert grades[0] in ("不黑臭", "not black-odorous") and light in grades  # newest first
    text = " ".join(c.value for c in at.caption)
    assert ("示例数据" in text) and ("40%" in text or "40 %" in text)


def test_the_field_form_refuses_initial_effect_over_heavy_readings(small):
    record_campaign(GpkgStore(small), "HC-T01", "heavy")
    # The inspector stands on the river (a GPS fix about 10 m from it).
    fix = {"lat": 25.72509, "lon": 119.38, "accuracy": 6.0, "time": 1765000000000, "source": "gps"}
    at = open_page("inspect", small, insp_fix=fix)
    at.text_input(key="insp_query").set_value("HC-T01").run()
    at.button(key="insp_pick_HC-T01").click().run()
    at.radio(key="sf_HC-T01_0_to0").set_value("initial_effect").run()
    assert any("缺少证据" in w.value and "重度黑臭" in w.value for w in at.warning)
    at.button(key="sf_HC-T01_0_save").click().run()
    assert not at.exception
    assert any("不能变更为“初见成效”" in e.value for e in at.error)
    assert GpkgStore(small).get_site(SYSTEM, "HC-T01").status == "remediating"


def test_readings_entered_in_the_field_form_are_saved_and_then_allow_the_status(small, monkeypatch):
    import ui.readings_form as form

    day = today_cst()
    table = pd.DataFrame([{"point": f"P{p}", "round": float(r), "depth_cm": 100.0, "transparency_cm": 50.0,
                           "do_mg_l": 5.0, "orp_mv": 150.0, "nh3n_mg_l": 1.0, "remarks": None}
                          for r in (1, 2, 3) for p in (1, 2, 3)])
    monkeypatch.setattr(form.st, "data_editor", lambda *a, **k: table)  # what the inspector typed in the grid
    # The inspector stands on the river (a GPS fix about 10 m from it).
    fix = {"lat": 25.72509, "lon": 119.38, "accuracy": 6.0, "time": 1765000000000, "source": "gps"}
    at = open_page("inspect", small, insp_fix=fix)
    at.text_input(key="insp_query").set_value("HC-T01").run()
    at.button(key="insp_pick_HC-T01").click().run()
    at.radio(key="sf_HC-T01_0_to0").set_value("initial_effect").run()
    assert any("不黑臭" in i.value for i in at.info)  # the grade shown before saving
    save = next(b for b in at.button if b.key and b.key.endswith("_save") and "black_odorous_readings" in b.key)
    save.click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    store = GpkgStore(small)
    rows = store.list_observations(SYSTEM, "black_odorous_readings", ["HC-T01"])
    assert len(rows) == 9 and {r.recorded_by for r in rows} == {INSPECTOR.name} and rows[0].source == "field"
    assert rows[0].observed_on == day.isoformat()
    capture = store.audit_log(ADMIN, action="obs.add")[0].details["capture"]  # where they were entered
    assert capture["via"] == "app" and capture["remote"] is False and capture["fix"]["distance_m"] < 50
    assert capture["fix"]["source"] == "gps" and store.offline_readings(ADMIN) == []  # not from a field device
    assert any("已保存 9 条" in s.value for s in at.success)
    assert any("证据满足" in s.value for s in at.success)  # the gate now passes
    at.button(key="sf_HC-T01_0_save").click().run()
    assert store.get_site(SYSTEM, "HC-T01").status == "initial_effect"


def test_the_override_is_explicit_for_administrators_and_recorded(small):
    record_campaign(GpkgStore(small), "HC-T01", "heavy", day=today_cst() - timedelta(days=0))
    box_key = "sf_HC-T01_0_ovr_initial_effect"
    inspector = open_page("map", small, selected_site="HC-T01")
    inspector.radio(key="sf_HC-T01_0_to0").set_value("initial_effect").run()
    assert any("缺少证据" in w.value for w in inspector.warning)  # the gate is said to everyone ...
    assert not [c for c in inspector.checkbox if c.key == box_key]  # ... but inspectors get no override
    at = open_page("map", small, account=ADMIN, selected_site="HC-T01")
    assert not [c for c in at.checkbox if c.key == box_key]  # nothing chosen yet: nothing to override
    at.radio(key="sf_HC-T01_0_to0").set_value("initial_effect").run()
    box = next(c for c in at.checkbox if c.key == box_key)
    assert box.value is False  # never the default
    at.button(key="sf_HC-T01_0_save").click().run()
    assert any("不能变更为" in e.value for e in at.error)
    assert GpkgStore(small).get_site(SYSTEM, "HC-T01").status == "remediating"
    next(c for c in at.checkbox if c.key == box_key).check().run()
    at.button(key="sf_HC-T01_0_save").click().run()  # ticked without a reason: refused, nothing recorded
    assert any("必须写明理由" in e.value for e in at.error)
    assert GpkgStore(small).get_site(SYSTEM, "HC-T01").status == "remediating"
    at.text_input(key="sf_HC-T01_0_ovr_reason").set_value("省厅现场核查认定")
    at.button(key="sf_HC-T01_0_save").click().run()
    assert not at.exception
    store = GpkgStore(small)
    assert store.get_site(SYSTEM, "HC-T01").status == "initial_effect"
    assert store.history(SYSTEM, "HC-T01")[-1].override == "省厅现场核查认定"
    shown = " ".join(c.value for c in at.caption)
    assert "越过证据" in shown and "省厅现场核查认定" in shown  # the history says it


@pytest.mark.parametrize("fix, remote, has_fix", [
    (None, True, False),                                                             # no position at all
    ({"lat": 25.72509, "lon": 119.38, "accuracy": 6.0, "time": 1765000000000, "source": "gps"}, False, True),
    ({"lat": 25.72509, "lon": 119.38, "source": "map"}, True, True),                 # a point tapped on the map
    ({"lat": 25.80, "lon": 119.50, "accuracy": 6.0, "time": 1765000000000, "source": "gps"}, True, True),  # far
])
def test_readings_entered_in_the_app_record_where_they_were_entered(fix, remote, has_fix):
    from ui.readings_form import capture_context

    site = river()
    ctx = capture_context(site, fix)
    assert ctx["via"] == "app" and ctx["remote"] is remote and (ctx["fix"] is not None) is has_fix
