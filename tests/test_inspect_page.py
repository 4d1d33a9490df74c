"""The field-inspection page: pick a site, change it with evidence; two inspectors racing on one site."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import GpkgStore
from layers import get_spec
from tests.factories import INSPECTOR, PASSWORD, SYSTEM, plain_transition


def _inspect_script() -> None:
    from ui.pages import page_by_path

    page_by_path("inspect").render()


def open_page(store_path, fix=None) -> AppTest:
    at = AppTest.from_function(_inspect_script, default_timeout=60)
    at.session_state["lang"] = "zh"
    at.session_state["auth_token"] = GpkgStore(store_path).login(INSPECTOR.name, PASSWORD).token
    if fix:
        at.session_state["insp_fix"] = fix
    return at.run()


def a_site(store_path):
    """A site in the inspector's towns whose next step needs no extra field."""
    store = GpkgStore(store_path)
    for s in store.list_sites(SYSTEM, towns=["350181103", "350181116"]):
        tr = plain_transition(get_spec(s.kind), s)
        if tr is not None and s.kind != "black_odorous":
            return s, tr.dst
    raise AssertionError("no suitable site in the sample")


def key(site_id: str, name: str, gen: int = 0, tgen: int = 0) -> str:
    """Widget keys of the status form (ui.status_form.form_keys) for the first draft of a site."""
    return {"target": f"sf_{site_id}_{gen}_to{tgen}", "note": f"sf_{site_id}_{gen}_note",
            "save": f"sf_{site_id}_{gen}_save"}.get(name, f"sf_{site_id}_{gen}_{name}")


def pick(at: AppTest, site_id: str) -> AppTest:
    """Search the site by its code (as a user types it) and tap it in the list."""
    at.text_input(key="insp_query").set_value(site_id).run()
    at.button(key=f"insp_pick_{site_id}").click().run()
    assert not at.exception, at.exception
    return at


def test_change_with_a_device_fix_records_evidence(store_copy):
    from shapely.geometry import Point

    from geo.crs import geodesic_distance_m

    site, target = a_site(store_copy)
    p = site.geometry.representative_point()
    device = Point(p.x, p.y + 0.0003)  # ~33 m north of a point of the site
    expected = geodesic_distance_m(device, site.geometry)
    at = pick(open_page(store_copy, {"lat": device.y, "lon": device.x, "accuracy": 8.0, "time": 1_763_700_000_000,
                                     "source": "gps"}), site.site_id)
    at.radio(key=key(site.site_id, "target")).set_value(target)
    at.text_area(key=key(site.site_id, "note")).set_value("现场核查")
    at.button(key=key(site.site_id, "save")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    last = GpkgStore(store_copy).history(SYSTEM, site.site_id)[-1]
    assert (last.to_status, last.actor, last.source, last.note) == (target, INSPECTOR.name, "field", "现场核查")
    assert last.evidence.distance_m == pytest.approx(expected, abs=0.1) and last.evidence.remote is False
    assert (last.evidence.lon, last.evidence.lat) == pytest.approx((device.x, device.y))
    assert last.evidence.accuracy_m == 8.0


def test_no_fix_is_saved_but_marked_remote(store_copy):
    site, target = a_site(store_copy)
    at = pick(open_page(store_copy), site.site_id)
    assert any("远程" in w.value for w in at.warning)
    at.radio(key=key(site.site_id, "target")).set_value(target)
    at.button(key=key(site.site_id, "save")).click().run()
    last = GpkgStore(store_copy).history(SYSTEM, site.site_id)[-1]
    assert last.to_status == target and last.evidence.remote is True and last.evidence.distance_m is None


def test_two_inspectors_racing_on_one_site(store_copy):
    site, target = a_site(store_copy)
    first = pick(open_page(store_copy), site.site_id)
    second = pick(open_page(store_copy), site.site_id)
    for at, note in ((first, "甲的记录"), (second, "乙的记录：排口有异味")):
        at.radio(key=key(site.site_id, "target")).set_value(target)
        at.text_area(key=key(site.site_id, "note")).set_value(note)
    first.button(key=key(site.site_id, "save")).click().run()
    assert not first.error
    second.button(key=key(site.site_id, "save")).click().run()
    assert not second.exception
    errors = " ".join(e.value for e in second.error)
    # Refused, saying who changed what and when (China Standard Time), at the top of the form.
    assert "未保存" in errors and INSPECTOR.name in errors and "北京时间" in errors
    assert get_spec(site.kind).status(target).zh in errors
    # What was typed stays; the target must be chosen again (a new, empty choice — not the next step).
    assert second.text_area(key=key(site.site_id, "note")).value == "乙的记录：排口有异味"
    assert second.radio(key=key(site.site_id, "target", tgen=1)).value is None
    history = GpkgStore(store_copy).history(SYSTEM, site.site_id)
    assert [e.note for e in history].count("甲的记录") == 1
    assert "乙的记录：排口有异味" not in [e.note for e in history]
    # Saving again without choosing records nothing and asks for the choice.
    second.button(key=key(site.site_id, "save")).click().run()
    assert any("请先选择" in e.value for e in second.error)
    assert len(GpkgStore(store_copy).history(SYSTEM, site.site_id)) == len(history)


def test_a_double_tap_records_one_change(store_copy):
    site, target = a_site(store_copy)
    at = pick(open_page(store_copy), site.site_id)
    at.radio(key=key(site.site_id, "target")).set_value(target)
    op = at.session_state["sf_state"][site.site_id]["op"]
    store = GpkgStore(store_copy)
    before = len(store.history(SYSTEM, site.site_id))
    # The same draft submitted twice (a retry after a lost answer): one history row.
    for _ in range(2):
        store.change_status(INSPECTOR, site.site_id, target, expected_version=site.version,
                            op_id=op, source="field")
    assert len(store.history(SYSTEM, site.site_id)) == before + 1
