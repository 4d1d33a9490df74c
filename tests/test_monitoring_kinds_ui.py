"""Outfall results and shore-power use in the app (AppTest): the outfall's panel charts its results and lists
each sample with its 达标 judgement; the field form saves a month of shore-power use through the store; the
dashboard shows the usage rate per port area and berth."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pandas as pd
import pytest

from geo.clock import CST
from geo.store import GpkgStore, NewObservation
from tests.factories import ADMIN, INSPECTOR, SYSTEM, berth, make_store, outfall
from tests.test_readings_ui import charts, open_page


@pytest.fixture
def small(tmp_path, monkeypatch):
    path = tmp_path / "s.gpkg"
    store = make_store(path, [outfall(), berth(), berth("AD-T02", "元洪港区", berth_no="2#")], clean_rivers=False)
    store.record_observations(SYSTEM, "outfall_monitoring", [
        NewObservation("PWK-T01", "2025-03-04", "09:30", {"cod_mg_l": 130.0, "nh3n_mg_l": 18.0, "compliant": False,
                                                          "exceeded": "化学需氧量、氨氮", "lab": "某检测公司"}),
        NewObservation("PWK-T01", "2025-09-02", "10:00", {"cod_mg_l": 45.0, "nh3n_mg_l": 3.0, "compliant": True,
                                                          "lab": "某检测公司"})], op_id=uuid.uuid4().hex)
    store.record_observations(SYSTEM, "shore_power_usage", [
        NewObservation("AD-T01", "2025-03-01", None, {"ship_calls": 10, "calls_connected": 4, "energy_kwh": 5000.0}),
        NewObservation("AD-T02", "2025-03-01", None, {"ship_calls": 20, "calls_connected": 15})],
        op_id=uuid.uuid4().hex, recorded_at=datetime(2025, 4, 2, 9, 0, tzinfo=CST))
    monkeypatch.setenv("ONEMAP_STORE", str(path))
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_outfall_panel_shows_a_chart_and_a_table_of_its_results(small, lang):
    at = open_page("map", small, lang=lang, selected_site="PWK-T01")
    assert not at.exception, at.exception
    specs = [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in charts(at)]
    assert len(specs) >= 2 and any(("化学需氧量" if lang == "zh" else "COD") in s for s in specs)
    frames = [d.value for d in at.dataframe]
    result = next(f for f in frames if ("结果" if lang == "zh" else "Result") in f.columns)
    assert list(result["结果" if lang == "zh" else "Result"]) == (["达标", "不达标"] if lang == "zh" else
                                                                 ["meets the standard", "does not meet the standard"])
    rows = next(f for f in frames if "#" in f.columns)
    assert len(rows) == 2 and rows.apply(lambda r: "某检测公司" in " ".join(map(str, r.values)), axis=1).all()


def test_a_month_of_shore_power_use_is_entered_in_the_field_form(small, monkeypatch):
    import ui.readings_form as form

    table = pd.DataFrame([{"ship_calls": 12.0, "calls_connected": 5.0, "hours": 40.0, "energy_kwh": 9000.0,
                           "remarks": None}])
    monkeypatch.setattr(form.st, "data_editor", lambda *a, **k: table)
    at = open_page("inspect", small, account=INSPECTOR)
    at.text_input(key="insp_query").set_value("AD-T01").run()
    at.button(key="insp_pick_AD-T01").click().run()
    save = next(b for b in at.button if b.key and b.key.endswith("_save") and "shore_power_usage" in b.key)
    save.click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    rows = GpkgStore(small).list_observations(SYSTEM, "shore_power_usage", ["AD-T01"])
    assert len(rows) == 2 and rows[-1].values["calls_connected"] == 5 and rows[-1].recorded_by == INSPECTOR.name
    assert rows[-1].observed_on.endswith("-01")  # stored as its month


def test_the_dashboard_shows_usage_per_port_area_and_berth(small):
    at = open_page("dashboard", small, account=ADMIN)
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "19 / 靠泊 30 艘次" in text and "63.3%" in text
    frames = [d.value for d in at.dataframe]
    areas = next(f for f in frames if "港区" in f.columns and "2025-03" in f.columns)
    assert dict(zip(areas["港区"], areas["2025-03"])) == {"元洪港区": "75.0%", "江阴港区": "40.0%"}
