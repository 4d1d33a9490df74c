"""Readings typed and not saved are kept as a browser draft: the entry <-> draft conversion round-trips
exactly, a draft the browser sends back is put into the entry (opened, with a note), a save clears it, a
failed save keeps it, and only accounts that may record readings keep one (AppTest)."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date, time

import pandas as pd
import pytest

from geo.errors import StoreError
from geo.store import GpkgStore
from layers import OBSERVATIONS
from tests.factories import ADMIN, INSPECTOR, REVIEWER, SYSTEM
from tests.test_readings_ui import open_page, small  # noqa: F401  (the fixture is used by name)
from ui.drafts import account_prefix, storage_key
from ui.readings_drafts import (EntryContent, draft_name, draft_rows, draft_values, entry_columns, entry_content,
                                keeper_key, rows_frame)

NAN = math.nan
BO = "black_odorous_readings"
SITE = "HC-T01"
KEEPER = keeper_key(SITE, BO)


def _row(**cells) -> dict:
    """A black-odorous row as the data editor returns it (every column present, blanks NaN / None)."""
    base = {"point": None, "round": NAN, "depth_cm": NAN, "transparency_cm": NAN, "do_mg_l": NAN, "orp_mv": NAN,
            "nh3n_mg_l": NAN, "remarks": None}
    return {**base, **cells}


# (case, table, entry content as the widgets give it, the draft values the keeper is sent)
CASES = [
    ("readings with empty cells and a blank row", BO,
     EntryContent(date(2024, 5, 3), time(10, 30), {"sampler": "张三"},
                  [_row(point="P1", round=1.0, transparency_cm=5.2, do_mg_l=3.1, orp_mv=-20.0), _row()]),
     {"day": "2024-05-03", "time": "10:30", "common.sampler": "张三", "common.lab": None,
      "rows": [{"point": "P1", "round": 1, "depth_cm": None, "transparency_cm": 5.2, "do_mg_l": 3.1,
                "orp_mv": -20.0, "nh3n_mg_l": None, "remarks": None}]}),
    ("a text remark, a second round, numpy numbers", BO,
     EntryContent(date(2024, 5, 3), time(9, 0), {},
                  [_row(point="上游 P2", round=2.0, nh3n_mg_l=pd.Series([0.1]).iloc[0], remarks="水面有油膜"),
                   _row(remarks="只有备注")]),
     {"day": "2024-05-03", "time": "09:00", "common.sampler": None, "common.lab": None,
      "rows": [{"point": "上游 P2", "round": 2, "depth_cm": None, "transparency_cm": None, "do_mg_l": None,
                "orp_mv": None, "nh3n_mg_l": 0.1, "remarks": "水面有油膜"},
               {"point": None, "round": None, "depth_cm": None, "transparency_cm": None, "do_mg_l": None,
                "orp_mv": None, "nh3n_mg_l": None, "remarks": "只有备注"}]}),
    ("outfall: yes/no and text fields common to the day", "outfall_monitoring",
     EntryContent(date(2024, 6, 1), time(14, 5), {"compliant": False, "standard": "GB 8978", "lab": "  "},
                  [{"cod_mg_l": 45.5, "nh3n_mg_l": NAN, "tn_mg_l": NAN, "tp_mg_l": 0.25, "flow_m3_d": 1200.0,
                    "remarks": None}]),
     {"day": "2024-06-01", "time": "14:05", "common.compliant": False, "common.exceeded": None,
      "common.standard": "GB 8978", "common.lab": None, "common.report_no": None,
      "rows": [{"cod_mg_l": 45.5, "nh3n_mg_l": None, "tn_mg_l": None, "tp_mg_l": 0.25, "flow_m3_d": 1200.0,
                "remarks": None}]}),
    ("shore power: a month, no time, whole numbers", "shore_power_usage",
     EntryContent(date(2024, 4, 1), None, {},
                  [{"ship_calls": 12.0, "calls_connected": 7.0, "hours": 30.5, "energy_kwh": 4100.0,
                    "remarks": NAN}]),
     {"day": "2024-04-01",
      "rows": [{"ship_calls": 12, "calls_connected": 7, "hours": 30.5, "energy_kwh": 4100.0, "remarks": None}]}),
    ("a common field alone is kept", BO,
     EntryContent(date(2024, 5, 3), time(9, 0), {"lab": "福清监测站"}, []),
     {"day": "2024-05-03", "time": "09:00", "common.sampler": None, "common.lab": "福清监测站", "rows": []}),
    ("nothing typed: every value empty, so the browser drops its draft", BO,
     EntryContent(date(2024, 5, 3), time(9, 0), {"sampler": ""}, [_row(), _row(remarks=" ")]),
     {"day": None, "time": None, "common.sampler": None, "common.lab": None, "rows": []}),
]


def _json(values: dict) -> dict:
    """The values as the browser stores and sends them back (JSON, no NaN allowed)."""
    return json.loads(json.dumps(values, allow_nan=False, ensure_ascii=False))


@pytest.mark.parametrize("case, table, content, expected", CASES, ids=[c[0] for c in CASES])
def test_entry_content_and_draft_json_round_trip(case, table, content, expected):
    spec = OBSERVATIONS[table]
    values = draft_values(spec, content)
    assert values == expected
    for row, want in zip(values["rows"], expected["rows"]):
        assert {k: type(v) for k, v in row.items()} == {k: type(v) for k, v in want.items()}  # 1 stays an int
    back = entry_content(spec, _json(values))
    assert draft_values(spec, back) == expected  # what comes back is kept as the same draft again
    if expected["day"] is not None:
        assert back.day == content.day and back.when == content.when
        assert back.common == {k: v for k, v in content.common.items() if isinstance(v, bool) or v.strip()}
    per_row = entry_columns(spec)[0]
    shown = rows_frame(per_row, back.rows)  # the data editor's table of the restored rows
    assert list(shown.columns) == [f.name for f in per_row]
    assert draft_rows(per_row, shown.to_dict("records")) == expected["rows"]


@pytest.mark.parametrize("values, expected", [
    ({"rows": []}, EntryContent(None, None, {}, [])),                          # no day, no time
    ({"day": "2024-05-03", "rows": []}, EntryContent(date(2024, 5, 3), None, {}, [])),  # missing time
    ({"day": "3 May", "time": "late", "rows": "P1"}, EntryContent(None, None, {}, [])),  # what does not fit
    ({"rows": [{"point": 7, "round": "1", "transparency_cm": True, "do_mg_l": 2}, "x"]},
     EntryContent(None, None, {}, [{"point": "7", "round": None, "depth_cm": None, "transparency_cm": None,
                                    "do_mg_l": 2.0, "orp_mv": None, "nh3n_mg_l": None, "remarks": None}])),
    ({"common.sampler": 5, "common.lab": "站", "common.other": "x"}, EntryContent(None, None, {"lab": "站"}, [])),
])
def test_a_stored_draft_is_read_defensively(values, expected):
    assert entry_content(OBSERVATIONS[BO], values) == expected


def test_the_draft_is_the_accounts_own_entry_per_site_and_table():
    key = storage_key(INSPECTOR.name, draft_name(SITE, BO))
    assert key.startswith(account_prefix(INSPECTOR.name))  # logout forgets it with the account's drafts
    assert key != storage_key(INSPECTOR.name, SITE)  # not the status form's draft: saving one keeps the other
    assert KEEPER.startswith("hidden_")  # the keeper takes no space on the page


@pytest.mark.parametrize("actor, town, may", [
    (replace(INSPECTOR, towns=("350181002",)), "350181002", True),
    (replace(INSPECTOR, towns=("350181103",)), "350181002", False),
    (ADMIN, "350181002", True),
    (REVIEWER, "350181002", False),
])
def test_only_accounts_that_may_record_readings_keep_a_draft(actor, town, may):
    from types import SimpleNamespace

    from ui.readings_form import may_record

    assert may_record(actor, SimpleNamespace(town_code=town)) is may


# -- the entry in the app -----------------------------------------------------------------------

DRAFT = {"day": "2024-05-03", "time": "10:30", "common.sampler": "张三", "common.lab": None,
         "rows": [{"point": "P1", "round": 1, "depth_cm": None, "transparency_cm": 5.2, "do_mg_l": 3.1,
                   "orp_mv": -20.0, "nh3n_mg_l": None, "remarks": "有异味"},
                  {"point": "P2", "round": 1, "depth_cm": 80.0, "transparency_cm": 31.0, "do_mg_l": 4.4,
                   "orp_mv": 120.0, "nh3n_mg_l": 2.05, "remarks": None}]}


@pytest.fixture
def keeper_calls(monkeypatch):
    """Every call of the readings entry's draft keeper (the component still renders)."""
    import ui.readings_form as form

    calls = []
    original = form.draft_keeper

    def record(key, **kw):
        calls.append({"key": key, **kw})
        return original(key, **kw)

    monkeypatch.setattr(form, "draft_keeper", record)
    return calls


def _opened(store_path):
    at = open_page("inspect", store_path)
    at.text_input(key="insp_query").set_value(SITE).run()
    return at.button(key=f"insp_pick_{SITE}").click().run()


def _browser_sends(at, values: dict, nonce: str = "load:1"):
    """What the keeper sends on load or reconnect: the stored draft with a fresh nonce."""
    at.session_state[KEEPER] = {"nonce": nonce, "draft": {"values": values, "at": 1}, "reason": "load"}
    return at.run()


def _widget(items, suffix: str):
    found = [w for w in items if w.key and BO in w.key and w.key.endswith(suffix)]
    assert len(found) == 1, [w.key for w in items]
    return found[0]


def _editor_rows(at) -> list[dict]:
    per_row = entry_columns(OBSERVATIONS[BO])[0]
    frames = [d.value for d in at.dataframe if "transparency_cm" in d.value.columns]
    assert len(frames) == 1
    return draft_rows(per_row, frames[0].to_dict("records"))


def _expander(at):
    from ui.i18n import STRINGS

    return next(e for e in at.expander if e.proto.label in STRINGS["rd_section"])


def test_an_untouched_entry_keeps_no_draft(small, keeper_calls):  # noqa: F811
    at = _opened(small)
    assert not at.exception
    last = [c for c in keeper_calls if c["key"] == KEEPER][-1]
    assert last["account"] == INSPECTOR.name and last["site_id"] == draft_name(SITE, BO)
    assert last["values"]["rows"] == [] and last["values"]["day"] is None  # the browser keeps nothing
    assert last["clear"] is None
    assert not _expander(at).proto.expanded and "已恢复上次未保存" not in " ".join(c.value for c in at.caption)


def test_typed_rows_go_to_the_keeper(small, keeper_calls, monkeypatch):  # noqa: F811
    import ui.readings_form as form

    typed = pd.DataFrame([_row(point="P1", round=1.0, transparency_cm=5.2), _row()])
    monkeypatch.setattr(form.st, "data_editor", lambda *a, **k: typed)  # what the inspector typed in the grid
    at = _opened(small)
    _widget(at.text_input, "_sampler").set_value("李四").run()
    last = [c for c in keeper_calls if c["key"] == KEEPER][-1]["values"]
    assert last["common.sampler"] == "李四" and last["day"] and last["time"] == "09:00"
    assert last["rows"] == [{"point": "P1", "round": 1, "depth_cm": None, "transparency_cm": 5.2, "do_mg_l": None,
                             "orp_mv": None, "nh3n_mg_l": None, "remarks": None}]
    assert json.dumps(last, allow_nan=False)  # JSON as it is: no NaN left


@pytest.mark.parametrize("lang, note", [("zh", "已恢复上次未保存的监测读数"), ("en", "Restored the readings not saved")])
def test_a_draft_the_browser_sends_is_put_back(small, keeper_calls, lang, note):  # noqa: F811
    at = _opened(small)
    at.session_state["lang"] = lang
    at = _browser_sends(at, DRAFT)
    assert not at.exception, at.exception
    assert _widget(at.date_input, "_date").value == date(2024, 5, 3)
    assert _widget(at.time_input, "_time").value == time(10, 30)
    assert _widget(at.text_input, "_sampler").value == "张三" and _widget(at.text_input, "_lab").value == ""
    assert _editor_rows(at) == DRAFT["rows"]  # 5.2 stays 5.2, an empty cell stays empty
    assert _expander(at).proto.expanded
    assert note in " ".join(c.value for c in at.caption)
    assert [c for c in keeper_calls if c["key"] == KEEPER][-1]["values"] == DRAFT  # kept as it came back
    assert GpkgStore(small).list_observations(SYSTEM, BO, [SITE]) == []  # a draft never saves by itself
    at.run()  # the same draft is not put back twice (the editor's edits are not reset)
    assert _widget(at.date_input, "_date").key.endswith("_1_date")


def test_saving_restored_readings_stores_them_exactly_and_clears_the_draft(small, keeper_calls):  # noqa: F811
    at = _browser_sends(_opened(small), DRAFT)
    ops = at.session_state["rd_ops"]
    op = next(v for k, v in ops.items() if k.endswith(BO))
    _widget(at.button, "_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    stored = sorted(GpkgStore(small).list_observations(SYSTEM, BO, [SITE]), key=lambda o: o.values["point"])
    assert [(o.observed_on, o.observed_time) for o in stored] == [("2024-05-03", "10:30")] * 2
    assert stored[0].values["transparency_cm"] == 5.2 and stored[0].values.get("depth_cm") is None
    assert stored[0].values["remarks"] == "有异味" and stored[0].values["sampler"] == "张三"
    assert stored[1].values["nh3n_mg_l"] == 2.05 and stored[1].values["round"] == 1
    calls = [c for c in keeper_calls if c["key"] == KEEPER]
    assert calls[-1]["clear"] == op  # the browser removes the stored draft
    assert calls[-1]["values"]["rows"] == [] and calls[-1]["values"]["day"] is None
    assert _editor_rows(at) == [] and "已恢复上次未保存" not in " ".join(c.value for c in at.caption)
    at.run()
    assert [c for c in keeper_calls if c["key"] == KEEPER][-1]["clear"] is None  # said once


def test_a_failed_save_keeps_the_draft_and_the_rows(small, keeper_calls, monkeypatch):  # noqa: F811
    def refuse(self, *a, **kw):
        raise StoreError("store.error", zh="数据库暂时不可写。", en="The store cannot be written now.")

    at = _browser_sends(_opened(small), DRAFT)
    monkeypatch.setattr(GpkgStore, "record_observations", refuse)
    _widget(at.button, "_save").click().run()
    assert any("数据库暂时不可写" in e.value for e in at.error)
    calls = [c for c in keeper_calls if c["key"] == KEEPER]
    assert calls[-1]["clear"] is None and calls[-1]["values"] == DRAFT
    assert _editor_rows(at) == DRAFT["rows"] and _expander(at).proto.expanded


def test_saving_a_status_keeps_the_readings_typed_and_not_yet_saved(tmp_path, monkeypatch, keeper_calls):
    """The readings entry is saved apart: a status change saved meanwhile leaves its rows and its draft alone."""
    from tests.factories import make_store, river

    path = tmp_path / "u.gpkg"
    make_store(path, [river("HC-T02", status="untreated")], clean_rivers=False)
    monkeypatch.setenv("ONEMAP_STORE", str(path))
    site, keeper = "HC-T02", keeper_key("HC-T02", BO)
    at = open_page("inspect", path)
    at.text_input(key="insp_query").set_value(site).run()
    at = at.button(key=f"insp_pick_{site}").click().run()
    at.session_state[keeper] = {"nonce": "load:1", "draft": {"values": DRAFT, "at": 1}, "reason": "load"}
    at = at.run()
    assert _editor_rows(at) == DRAFT["rows"]
    at.radio(key=f"sf_{site}_0_to0").set_value("remediating")
    at.button(key=f"sf_{site}_0_save").click().run()
    assert not at.exception and GpkgStore(path).get_site(SYSTEM, site).status == "remediating"
    assert _editor_rows(at) == DRAFT["rows"]  # still on the screen ...
    last = [c for c in keeper_calls if c["key"] == keeper][-1]
    assert last["values"] == DRAFT and last["clear"] is None  # ... and in the browser's draft
    assert GpkgStore(path).list_observations(SYSTEM, BO, [site]) == []  # and still not saved by itself
