"""The outfall workflow with its real branches, each refusal, and the file kept up to date without a status change.

Branches (国办函〔2022〕17号; layers/outfalls.py): 排查 → 监测 → 溯源 → 整治 → 整治完成 → 销号; an illegal
outfall from 排查 (or 监测) straight to 依法取缔; a surveyed point closed apart as 非排污口/重复/已消失.
"""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from PIL import Image
from shapely.geometry import Point

from geo.domain.asof import sites_as_of
from geo.domain.targets import progress
from geo.errors import PermissionDenied, TransitionNotAllowed, ValidationError, VersionConflict
from geo.photos import photos_root, store_photo
from geo.store import NewSite
from geo.store.integrity import store_problems
from tests.factories import ADMIN, INSPECTOR, REVIEWER, SYSTEM, make_store

CLOSURE = {"closure_date": "2025-10-20", "closure_body": "福清生态环境局", "closure_doc_no": "融环销〔2025〕7号"}


def _outfall(site_id: str, town: str = "350181103", **attrs) -> NewSite:
    base = {"discharge_into": "sea", "receiving_water": "fuqing_bay", "outfall_type": "other",
            "outfall_subtype": "urban_storm"}
    return NewSite("outfalls", site_id, f"排口{site_id}", town, "surveyed", Point(119.47, 25.66),
                   deadline="2025-12-31", attrs={**base, **attrs})


@pytest.fixture
def store(tmp_path):
    ids = [f"PWK-{i:03d}" for i in range(1, 9)]
    return make_store(tmp_path / "w.gpkg", [_outfall(i) for i in ids] + [_outfall("PWK-099", town="350181106")])


def photo(store, colour=(10, 120, 200)) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, "PNG")
    return store_photo(buf.getvalue(), photos_root(store.path)).sha256


def go(store, site_id, status, actor=INSPECTOR, **kw):
    site = store.get_site(actor, site_id)
    kw.setdefault("op_id", uuid.uuid4().hex)
    return store.change_status(actor, site_id, status, expected_version=site.version, **kw).site


def edit(store, site_id, changes, actor=INSPECTOR, **kw):
    site = store.get_site(actor, site_id)
    kw.setdefault("op_id", uuid.uuid4().hex)
    return store.update_attributes(actor, site_id, changes, expected_version=site.version, **kw)


def test_the_full_path_to_closure(store):
    go(store, "PWK-001", "monitored", changes={"discharge_mode": "continuous"})
    go(store, "PWK-001", "traced", changes={"source_units": "示例企业甲、示例企业乙", "responsible_basis": "shared_main"})
    go(store, "PWK-001", "remediating", changes={"remediation_method": "merge", "milestones": "2025-06-30 截污纳管"})
    go(store, "PWK-001", "remediated")  # 清理合并: no 规范化 items needed
    site = go(store, "PWK-001", "closed", changes=CLOSURE, photos=[photo(store)])
    assert site.status == "closed" and site.attrs["closure_doc_no"] == "融环销〔2025〕7号"
    last = store.history(REVIEWER, "PWK-001")[-1]
    assert last.photos and last.to_status == "closed"
    assert store_problems(store, SYSTEM) == []


@pytest.mark.parametrize("start", ["surveyed", "monitored"])
def test_an_illegal_outfall_goes_straight_to_removal(store, start):
    if start == "monitored":
        go(store, "PWK-002", "monitored")
    site = go(store, "PWK-002", "remediating", changes={"remediation_method": "依法取缔"})
    assert site.attrs["remediation_method"] == "ban"
    assert go(store, "PWK-002", "remediated").status == "remediated"


def test_only_removal_may_skip_monitoring_and_tracing(store):
    for method in ("merge", "standardise"):
        with pytest.raises(ValidationError) as err:
            go(store, "PWK-003", "remediating", changes={"remediation_method": method})
        assert err.value.code == "outfall.skip_needs_ban" and "依法取缔" in err.value.zh
    with pytest.raises(ValidationError) as err:  # no method at all: the transition requires one
        go(store, "PWK-003", "remediating")
    assert err.value.code == "field.required_for_transition"
    assert store.get_site(REVIEWER, "PWK-003").status == "surveyed"


def _to_remediating(store, site_id, method):
    go(store, site_id, "monitored")
    go(store, site_id, "traced")
    go(store, site_id, "remediating", changes={"remediation_method": method})


def test_standardisation_is_complete_only_with_sign_and_sampling_point_each_with_a_photo(store):
    _to_remediating(store, "PWK-004", "standardise")
    with pytest.raises(ValidationError) as err:
        go(store, "PWK-004", "remediated")
    assert err.value.code == "outfall.standardise_incomplete"
    with pytest.raises(ValidationError) as err:  # items ticked, no photos
        go(store, "PWK-004", "remediated", changes={"sign_board": True, "sampling_point": True})
    assert err.value.code == "outfall.standardise_incomplete"
    site = go(store, "PWK-004", "remediated", changes={
        "sign_board": True, "sign_board_photo": photo(store, (1, 2, 3)),
        "sampling_point": True, "sampling_point_photo": photo(store, (4, 5, 6))})
    assert site.status == "remediated"
    entry = store.history(REVIEWER, "PWK-004")[-1]
    assert set(entry.photos) == {site.attrs["sign_board_photo"], site.attrs["sampling_point_photo"]}


def test_closure_needs_its_record_a_document_and_no_black_odour(store):
    _to_remediating(store, "PWK-005", "ban")
    go(store, "PWK-005", "remediated")
    with pytest.raises(ValidationError) as err:
        go(store, "PWK-005", "closed", photos=[photo(store)])
    assert err.value.code == "field.required_for_transition"
    with pytest.raises(ValidationError) as err:
        go(store, "PWK-005", "closed", changes=CLOSURE)
    assert err.value.code == "status.photo_required"
    with pytest.raises(ValidationError) as err:
        go(store, "PWK-005", "closed", changes={**CLOSURE, "black_odour_seen": True}, photos=[photo(store)])
    assert err.value.code == "outfall.closed_with_black_odour" and "黑臭" in err.value.zh
    edit(store, "PWK-005", {"black_odour_seen": True})
    with pytest.raises(ValidationError) as err:  # recorded earlier: still refused
        go(store, "PWK-005", "closed", changes=CLOSURE, photos=[photo(store)])
    assert err.value.code == "outfall.closed_with_black_odour"
    edit(store, "PWK-005", {"black_odour_seen": False})
    assert go(store, "PWK-005", "closed", changes=CLOSURE, photos=[photo(store)]).status == "closed"
    with pytest.raises(ValidationError) as err:  # and once closed, black odour cannot be recorded without reopening
        edit(store, "PWK-005", {"black_odour_seen": True})
    assert err.value.code == "outfall.closed_with_black_odour"


@pytest.mark.parametrize("before, reason", [((), "not_outfall"), (("monitored",), "duplicate"),
                                            (("monitored", "traced"), "gone")])
def test_a_surveyed_point_is_closed_apart_with_reason_and_evidence(store, before, reason):
    for s in before:
        go(store, "PWK-006", s)
    with pytest.raises(ValidationError) as err:
        go(store, "PWK-006", "dismissed", changes={"dismissal_reason": reason, "dismissal_note": "现场核查"})
    assert err.value.code == "status.photo_required"
    with pytest.raises(ValidationError) as err:
        go(store, "PWK-006", "dismissed", changes={"dismissal_note": "现场核查"}, photos=[photo(store)])
    assert err.value.code == "field.required_for_transition"
    site = go(store, "PWK-006", "dismissed", changes={"dismissal_reason": reason, "dismissal_note": "现场核查"},
              photos=[photo(store)])
    assert site.status == "dismissed"
    with pytest.raises(TransitionNotAllowed):  # final
        go(store, "PWK-006", "surveyed")
    # Counted apart: not in any target, not done, not overdue.
    figures = progress(store.list_sites(SYSTEM, kinds=["outfalls"]), date(2026, 3, 1))
    assert all(t["denominator"] == 8 for t in figures["kinds"]["outfalls"]["targets"])
    assert "PWK-006" not in {r["site_id"] for r in figures["overdue"]["sites"]}
    assert figures["kinds"]["outfalls"]["breakdown"]["dismissed"] == {"n": 1, "by_reason": {reason: 1}}


def test_remediation_in_progress_cannot_be_closed_apart(store):
    _to_remediating(store, "PWK-007", "merge")
    with pytest.raises(TransitionNotAllowed):
        go(store, "PWK-007", "dismissed", changes={"dismissal_reason": "gone", "dismissal_note": "x"},
           photos=[photo(store)])


# -- the file, kept up to date without a status change --------------------------------------------


def test_an_edit_keeps_the_status_and_writes_history_and_audit(store):
    sha = photo(store)
    r = edit(store, "PWK-008", {"outfall_code": "FJ-350181-0008", "permit_no": "91350181XXXX", "sign_board": True,
                                "sign_board_photo": sha}, note="补录档案")
    assert r.applied and r.site.status == "surveyed" and r.site.version == 1
    assert r.entry.action == "edit" and r.entry.from_status == r.entry.to_status == "surveyed"
    assert r.entry.changes["outfall_code"] == [None, "FJ-350181-0008"] and r.entry.photos == (sha,)
    assert [a for a in store.audit_log(SYSTEM) if a.action == "site.edit"][0].target == "PWK-008"
    again = store.update_attributes(INSPECTOR, "PWK-008", {"permit_no": "other"}, expected_version=0,
                                    op_id=r.entry.op_id)
    assert not again.applied and store.get_site(REVIEWER, "PWK-008").attrs["permit_no"] == "91350181XXXX"
    assert store_problems(store, SYSTEM) == []
    history = store.all_history(SYSTEM)
    replayed = {s.site_id: s for s in sites_as_of(store.list_sites(SYSTEM), history, None)}
    assert replayed["PWK-008"].attrs["outfall_code"] == "FJ-350181-0008"


EDIT_REFUSALS = [
    ("receiving water on the other side", {"receiving_water": "longjiang_main"}, "field.dependent_mismatch", "龙江干流"),
    ("second level under another first level", {"outfall_type": "industrial"}, "field.dependent_mismatch", "城镇雨洪排口"),
    ("photo field with a made-up value", {"sign_board_photo": "照片1.jpg"}, "field.bad_photo", "上传"),
    ("photo that was never stored", {"sign_board_photo": "a" * 64}, "photo.not_stored", "照片"),
    ("nothing changes", {"outfall_type": "other"}, "site.no_change", "没有"),
    ("unknown field", {"bay": "fuqing_bay"}, "field.unknown", "bay"),
]


@pytest.mark.parametrize("label, changes, code, text", EDIT_REFUSALS, ids=[e[0] for e in EDIT_REFUSALS])
def test_edits_the_rules_refuse(store, label, changes, code, text):
    with pytest.raises(ValidationError) as err:
        edit(store, "PWK-008", changes)
    assert err.value.code == code and text in err.value.zh
    assert store.get_site(REVIEWER, "PWK-008").version == 0


def test_changing_both_levels_together_is_fine(store):
    r = edit(store, "PWK-008", {"outfall_type": "industrial", "outfall_subtype": "enterprise",
                                "discharge_into": "river", "receiving_water": "longjiang_main"})
    assert (r.site.attrs["outfall_type"], r.site.attrs["receiving_water"]) == ("industrial", "longjiang_main")


def test_who_may_edit_the_file(store):
    with pytest.raises(PermissionDenied):
        edit(store, "PWK-008", {"permit_no": "x"}, actor=REVIEWER)
    with pytest.raises(PermissionDenied):  # 龙田镇 is not one of the inspector's towns
        edit(store, "PWK-099", {"permit_no": "x"}, actor=INSPECTOR)
    assert edit(store, "PWK-099", {"permit_no": "x"}, actor=ADMIN).applied


def test_a_stale_edit_is_refused(store):
    site = store.get_site(INSPECTOR, "PWK-008")
    edit(store, "PWK-008", {"permit_no": "first"})
    with pytest.raises(VersionConflict):
        store.update_attributes(INSPECTOR, "PWK-008", {"permit_no": "second"}, expected_version=site.version,
                                op_id=uuid.uuid4().hex)
