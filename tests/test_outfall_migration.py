"""A store written with the old outfall specs (所在海湾, 雨洪/码头 as first-level types, 保留) is rewritten on open.

The old store is built here: a store of today's schema taken back to schema 4 with SQL — the new
outfall columns dropped, the old ``bay`` column added, and the old codes written in.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from shapely.geometry import Point

from geo.domain.asof import sites_as_of
from geo.store import NewSite, create_store
from geo.store.integrity import store_problems
from geo.store.schema import MIGRATION_ACTOR, SCHEMA_VERSION
from layers import REGISTRY
from tests.factories import SYSTEM, make_store, river

#: Old columns of the outfalls table (schema 4): the rest of today's fields are new.
OLD_FIELDS = ("outfall_type", "remediation_method", "black_odour_seen")
#: site -> (status, old bay, old type, old method)
OLD = {
    "PWK-T01": ("surveyed", "fuqing_bay", "stormwater", None),
    "PWK-T02": ("remediating", "xinghua_bay", "port", "keep"),
    "PWK-T03": ("closed", "fuqing_bay", "municipal_wwtp", "ban"),
    "PWK-T04": ("traced", "xinghua_bay", "industrial", None),
}


def _site(site_id: str, status: str) -> NewSite:
    attrs = {"discharge_into": "sea", "receiving_water": "fuqing_bay", "outfall_type": "industrial"}
    if status == "closed":
        attrs.update(remediation_method="ban", closure_date="2025-05-01", closure_body="福清生态环境局",
                     closure_doc_no="融环〔2025〕1号")
    if status == "remediating":
        attrs["remediation_method"] = "ban"
    return NewSite("outfalls", site_id, f"旧排口{site_id}", "350181103", status, Point(119.47, 25.66),
                   deadline="2025-12-31", attrs=attrs)


def old_store(path):
    make_store(path, [river()] + [_site(sid, v[0]) for sid, v in OLD.items()])
    con = sqlite3.connect(path)
    new = [f.name for f in REGISTRY["outfalls"].fields if f.name not in OLD_FIELDS]
    con.execute("DROP INDEX IF EXISTS idx_outfalls_town")
    for name in new:
        con.execute(f'ALTER TABLE outfalls DROP COLUMN "{name}"')
    con.execute("ALTER TABLE outfalls ADD COLUMN bay TEXT")
    con.execute("CREATE INDEX idx_outfalls_town ON outfalls(town_code, status)")
    for sid, (_, bay, otype, method) in OLD.items():
        con.execute("UPDATE outfalls SET bay = ?, outfall_type = ?, remediation_method = ? WHERE site_id = ?",
                    (bay, otype, method, sid))
    # The history as the old app wrote it: the creation snapshot holds the old fields and codes.
    con.execute("DROP TRIGGER site_history_no_update")
    for sid, (_, bay, otype, method) in OLD.items():
        (raw,) = con.execute("SELECT changes FROM site_history WHERE site_id = ? AND version = 0", (sid,)).fetchone()
        snap = {k: v for k, v in json.loads(raw).items() if k not in new}
        snap.update(bay=[None, bay], outfall_type=[None, otype], remediation_method=[None, method])
        con.execute("UPDATE site_history SET changes = ? WHERE site_id = ? AND version = 0",
                    (json.dumps(snap, ensure_ascii=False), sid))
    con.execute("CREATE TRIGGER site_history_no_update BEFORE UPDATE ON site_history "
                "BEGIN SELECT RAISE(ABORT, 'site_history is append-only'); END")
    con.execute("UPDATE store_meta SET value = '4' WHERE key = 'schema_version'")
    con.commit()
    con.close()


def test_old_codes_are_rewritten_with_history_and_audit(tmp_path):
    path = tmp_path / "old.gpkg"
    old_store(path)
    store = create_store(path)  # opening migrates
    assert store.meta()["schema_version"] == SCHEMA_VERSION
    got = {s.site_id: s for s in store.list_sites(SYSTEM, kinds=["outfalls"])}
    a = {sid: got[sid].attrs for sid in OLD}
    assert (a["PWK-T01"]["outfall_type"], a["PWK-T01"]["outfall_subtype"]) == ("other", "urban_storm")
    assert (a["PWK-T02"]["outfall_type"], a["PWK-T02"]["outfall_subtype"]) == ("other", "port")
    assert a["PWK-T02"]["remediation_method"] == "standardise"  # 保留 is 规范整治
    assert (a["PWK-T03"]["outfall_type"], a["PWK-T03"]["outfall_subtype"]) == ("municipal_wwtp", "municipal_wwtp")
    assert (a["PWK-T04"]["outfall_type"], a["PWK-T04"]["outfall_subtype"]) == ("industrial", None)
    assert all(x["discharge_into"] == "sea" for x in a.values())
    assert {sid: x["receiving_water"] for sid, x in a.items()} == {sid: v[1] for sid, v in OLD.items()}
    # Statuses stay; each site changed once more, recorded in the history as the system, status unchanged.
    assert {sid: (got[sid].status, got[sid].version) for sid in OLD} == {sid: (v[0], 1) for sid, v in OLD.items()}
    history = store.all_history(SYSTEM)
    rows = [e for e in history if e.action == "migrate"]
    assert {e.site_id for e in rows} == set(OLD)
    t02 = next(e for e in rows if e.site_id == "PWK-T02")
    assert t02.actor == MIGRATION_ACTOR and t02.from_status == t02.to_status == "remediating"
    assert t02.changes["remediation_method"] == ["keep", "standardise"]
    assert t02.changes["outfall_type"] == ["port", "other"]
    assert t02.changes["receiving_water"] == [None, "xinghua_bay"]
    audit = [r for r in store.audit_log(SYSTEM) if r.action == "schema.migrate"]
    assert len(audit) == 1 and audit[0].details["sites"] == 4
    # The history still explains the stored state.
    assert store_problems(store, SYSTEM) == []
    replayed = {s.site_id: s for s in sites_as_of(list(got.values()), history, None)}
    for sid in OLD:
        assert {k: replayed[sid].attrs.get(k) for k in a[sid]} == a[sid], sid
        assert replayed[sid].attrs["closure_doc_no"] is None  # dropped with its column: the old app had none


def test_opening_again_changes_nothing(tmp_path):
    path = tmp_path / "old.gpkg"
    old_store(path)
    create_store(path)
    n = len(create_store(path).all_history(SYSTEM))
    store = create_store(path)
    assert len(store.all_history(SYSTEM)) == n
    assert [r.action for r in store.audit_log(SYSTEM)].count("schema.migrate") == 1


def test_the_figures_count_the_migrated_outfalls_by_their_new_class(tmp_path):
    from geo.domain.targets import progress

    path = tmp_path / "old.gpkg"
    old_store(path)
    store = create_store(path)
    b = progress(store.list_sites(SYSTEM), date(2025, 6, 30))["kinds"]["outfalls"]["breakdown"]
    assert {k: g["n"] for k, g in b["by_type"].items()} == {"industrial": 1, "municipal_wwtp": 1, "other": 2}
    assert {k: g["n"] for k, g in b["by_receiving_water"].items()} == {"fuqing_bay": 2, "xinghua_bay": 2}
