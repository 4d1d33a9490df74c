"""The offline field client's pure parts: the pack derived from the specs, a sent change checked field by field,
resumable photo chunks by hash, the app shell's files, texts and scripts."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime, timezone

import pytest
from shapely.geometry import LineString, Point

from geo.errors import NotFoundError, StoreError, ValidationError
from geo.field import changes as ch
from geo.field import shell
from geo.field.i18n import STRINGS
from geo.field.pack import PACK_FORMAT, build_pack, encode_pack, kind_schema
from geo.field.uploads import CHUNK_MAX, OffsetMismatch, Uploads
from geo.store.base import Site
from layers import REGISTRY

TODAY = date(2026, 1, 10)
NOW = datetime(2026, 1, 10, 8, 0, tzinfo=timezone.utc)
T_MS = int(datetime(2026, 1, 10, 6, 30, tzinfo=timezone.utc).timestamp() * 1000)


def site(site_id="PWK-T01", kind="outfalls", status="traced", town="350181103", geom=None, **attrs) -> Site:
    return Site(kind=kind, site_id=site_id, name="测试排口", town_code=town, status=status, version=3,
                geometry=geom or Point(119.4712345678, 25.6612345678), deadline="2025-12-31", responsible="海口镇",
                is_sample=True, updated_at="2025-11-01T02:00:00.000Z", updated_by="张三",
                attrs={"bay": "fuqing_bay", "outfall_type": "industrial", "remediation_method": None, **attrs})


# -- the pack -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", REGISTRY.values(), ids=list(REGISTRY))
def test_each_kind_in_the_pack_is_its_spec(spec):
    k = kind_schema(spec)
    assert [s["code"] for s in k["statuses"]] == [s.code for s in spec.statuses]
    assert [(s["zh"], s["color"], s["step"], s["terminal"]) for s in k["statuses"]] == \
        [(s.zh, s.color, s.step, s.terminal) for s in spec.statuses]
    assert [(t["from"], t["to"], tuple(t["requires"])) for t in k["transitions"]] == \
        [(t.src, t.dst, t.requires) for t in spec.transitions]
    assert [f["name"] for f in k["fields"]] == [f.name for f in spec.fields]
    for f, sf in zip(k["fields"], spec.fields):
        assert (f["type"], f["required"], f["unit"]) == (sf.type, sf.required, sf.unit)
        assert [c["code"] for c in f["choices"]] == [c.code for c in sf.choices]
        assert (f["photo"], f["multiline"], f["depends_on"]) == (sf.photo, sf.multiline, sf.depends_on)
        assert [c["parent"] for c in f["choices"]] == [c.parent for c in sf.choices]
    for t, st in zip(k["transitions"], spec.transitions):
        assert t["requires_photo"] == st.requires_photo
        assert [(g["code"], g["zh"], g["fix_en"]) for g in t["guards"]] == [(g.code, g.zh, g.fix_en) for g in st.guards]
        assert not set(t["offers"]) & set(t["requires"])
        if any(x.offers for x in spec.transitions):  # the kind says what each change asks: exactly that
            assert t["offers_declared"] and t["offers"] == [n for n in st.offers if n not in st.requires]
        else:  # else every field that is not the site's identity nor a stored photo
            assert set(t["offers"]) == {f.name for f in spec.fields
                                        if not f.required and not f.photo and f.name not in st.requires}
    json.dumps(k)  # the device gets it as JSON: nothing in it that JSON cannot say


@pytest.mark.parametrize("src, dst, requires, offers, photo, guards", [
    ("surveyed", "monitored", [], ["discharge_mode"], False, []),
    ("surveyed", "remediating", ["remediation_method"], ["remediation_plan", "milestones"], False,
     ["outfall.skip_needs_ban"]),
    ("traced", "remediating", ["remediation_method"], ["remediation_plan", "milestones"], False, []),
    ("monitored", "dismissed", ["dismissal_reason", "dismissal_note"], [], True, []),
    ("remediating", "remediated", [], ["sign_board", "sign_board_photo", "sampling_point", "sampling_point_photo",
                                       "inspection_well", "inspection_well_photo"], False,
     ["outfall.standardise_incomplete"]),
    ("remediated", "closed", ["closure_date", "closure_body", "closure_doc_no"], [], True, []),
    ("remediated", "remediating", [], [], False, []),
])
def test_each_outfall_change_asks_on_the_device_what_it_declares(src, dst, requires, offers, photo, guards):
    k = kind_schema(REGISTRY["outfalls"])
    t = next(t for t in k["transitions"] if (t["from"], t["to"]) == (src, dst))
    assert (t["requires"], t["offers"], t["requires_photo"], [g["code"] for g in t["guards"]]) == \
        (requires, offers, photo, guards)
    for g in t["guards"]:
        assert g["zh"] and g["en"] and g["fix_zh"] and g["fix_en"]


def test_the_outfall_pack_carries_dependent_choices_and_photo_fields():
    fields = {f["name"]: f for f in kind_schema(REGISTRY["outfalls"])["fields"]}
    water = fields["receiving_water"]
    assert water["depends_on"] == "discharge_into"
    parents = {c["code"]: c["parent"] for c in water["choices"]}
    assert (parents["fuqing_bay"], parents["longjiang_main"], parents["other"]) == ("sea", "river", "")
    assert fields["outfall_subtype"]["depends_on"] == "outfall_type"
    assert {n for n, f in fields.items() if f["photo"]} == {"sign_board_photo", "sampling_point_photo",
                                                            "inspection_well_photo"}
    assert fields["remediation_plan"]["multiline"] and not fields["permit_no"]["multiline"]
    statuses = {s["code"]: s for s in kind_schema(REGISTRY["outfalls"])["statuses"]}
    assert statuses["dismissed"]["excluded"] and not statuses["closed"]["excluded"]


def test_the_pack_holds_state_version_step_deadline_attributes_and_rounded_geometry():
    river = site("HC-T01", kind="black_odorous", status="remediating", town="350181002",
                 geom=LineString([(119.37, 25.72), (119.370001, 25.7200001), (119.38, 25.725)]), water_kind="urban")
    pack = build_pack(user="巡查员甲", towns=[{"code": "350181103", "zh": "海口镇", "en": "Haikou"}],
                      sites=[site(), river], data_version=17, today=TODAY, sample=True,
                      settings={"onsite_m": 200.0})
    assert pack["format"] == PACK_FORMAT and pack["user"] == "巡查员甲" and pack["sample"] is True
    assert set(pack["kinds"]) == set(REGISTRY)
    s = next(x for x in pack["sites"] if x["id"] == "PWK-T01")
    assert (s["status"], s["version"], s["step"], s["deadline"], s["overdue"]) == ("traced", 3, 3, "2025-12-31", True)
    assert s["attrs"] == {"bay": "fuqing_bay", "outfall_type": "industrial"}  # empty values left out
    assert s["geometry"] == {"type": "Point", "coordinates": [119.471235, 25.661235]}
    line = next(x for x in pack["sites"] if x["id"] == "HC-T01")["geometry"]
    assert line["type"] == "MultiLineString" or line["type"] == "LineString"
    assert len(line["coordinates"]) == 2  # the 1 m wiggle simplified away
    assert pack["bounds"] == [119.37, 25.661235, 119.471235, 25.725]


def test_the_same_data_gives_the_same_bytes_and_etag_and_a_change_gives_another():
    args = dict(user="u", towns=[], data_version=1, today=TODAY, sample=False, settings={})
    a, ea = encode_pack(build_pack(sites=[site()], **args))
    b, eb = encode_pack(build_pack(sites=[site()], **args))
    c, ec = encode_pack(build_pack(sites=[site(status="remediating")], **args))
    assert a == b and ea == eb and ec != ea
    assert ea == '"' + hashlib.sha256(a).hexdigest()[:32] + '"'
    assert json.loads(a)["sites"][0]["name"] == "测试排口" and "\\u" not in a.decode("utf-8")


# -- a sent change ------------------------------------------------------------------------------------------------


def _payload(**over):
    p = {"op_id": "a" * 32, "site_id": "PWK-T01", "base_version": 3, "after_op": None, "to_status": "remediating",
         "note": "现场", "fields": {"remediation_method": "ban", "black_odour_seen": False, "x": ""},
         "photos": ["b" * 64], "fix": {"lon": 119.4712, "lat": 25.6612, "accuracy_m": 7.5, "time": T_MS - 20_000},
         "captured_at": T_MS, "sent_at": int(NOW.timestamp() * 1000) - 30_000}
    p.update(over)
    return p


def parse(payload, geometry=Point(119.4712, 25.6630)):
    return ch.parse_change(payload, received_at=NOW, geometry_of=lambda sid: geometry, onsite_m=200.0,
                           device_id="dev1")


def test_a_good_change_keeps_the_captures_fix_and_time_and_measures_the_clock():
    c = parse(_payload())
    assert (c.op_id, c.site_id, c.base_version, c.to_status, c.device_id) == ("a" * 32, "PWK-T01", 3, "remediating", "dev1")
    assert c.changes == {"remediation_method": "ban", "black_odour_seen": False}
    assert c.captured_at == datetime(2026, 1, 10, 6, 30, tzinfo=timezone.utc)
    assert c.evidence.fix_time == datetime(2026, 1, 10, 6, 29, 40, tzinfo=timezone.utc)
    assert c.evidence.distance_m == pytest.approx(200, abs=2) and c.evidence.accuracy_m == 7.5
    assert c.clock_offset_s == 30.0
    far = parse(_payload(), geometry=Point(119.48, 25.67))
    assert far.evidence.remote is True and far.evidence.distance_m > 1000
    near = parse(_payload(), geometry=Point(119.4712, 25.6613))
    assert near.evidence.remote is False
    none = parse(_payload(fix=None))
    assert none.evidence.remote is True and none.evidence.lon is None


@pytest.mark.parametrize("field, value", [
    ("op_id", "short"), ("op_id", "bad id with spaces!!"), ("site_id", ""), ("base_version", -1),
    ("base_version", "3"), ("base_version", True), ("to_status", None), ("note", "x" * 2001),
    ("fields", ["a"]), ("fields", {"k": {"nested": 1}}), ("fields", {"k": "x" * 501}), ("photos", ["nothex"]),
    ("photos", ["a" * 64] * 13), ("fix", {"lon": 500, "lat": 25}), ("fix", {"lon": 119.4}),
    ("fix", {"lon": float("nan"), "lat": 25.6}), ("captured_at", None), ("captured_at", 0), ("sent_at", "now"),
    ("after_op", "x"),
])
def test_a_malformed_change_is_refused_naming_the_field(field, value):
    with pytest.raises(ValidationError) as e:
        parse(_payload(**{field: value}))
    assert e.value.code == "field.bad_change"
    assert e.value.context["field"].split(".")[0] in (field, "lon", "lat") or field in e.value.zh
    assert e.value.fix_zh and e.value.en


def test_not_an_object_and_an_unknown_site():
    with pytest.raises(ValidationError):
        parse([1, 2])

    def missing(sid):
        raise NotFoundError("site.not_found", zh="无", en="none")

    with pytest.raises(NotFoundError):
        ch.parse_change(_payload(), received_at=NOW, geometry_of=missing, onsite_m=200.0)


# -- photo chunks ------------------------------------------------------------------------------------------------


def test_a_photo_arrives_in_chunks_resumes_after_a_drop_and_must_match_its_hash(tmp_path):
    data = bytes(range(256)) * 3000  # 768,000 bytes: four chunks
    sha = hashlib.sha256(data).hexdigest()
    up = Uploads(tmp_path / "in")
    assert up.offset(sha) == 0
    assert up.put(sha, 0, data[:CHUNK_MAX], len(data)) is None
    # The connection dropped after the second chunk reached the server but before its answer: the device
    # sends it again from where it thought it was.
    assert up.put(sha, CHUNK_MAX, data[CHUNK_MAX:2 * CHUNK_MAX], len(data)) is None
    with pytest.raises(OffsetMismatch) as e:
        up.put(sha, CHUNK_MAX, data[CHUNK_MAX:2 * CHUNK_MAX], len(data))
    assert e.value.offset == 2 * CHUNK_MAX == up.offset(sha)
    assert up.put(sha, 2 * CHUNK_MAX, data[2 * CHUNK_MAX:], len(data)) == data
    assert up.offset(sha) == 0 and not list((tmp_path / "in").glob("*.part"))

    bad = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(ValidationError) as e:
        up.put(bad, 0, data[:1000], 1000)
    assert e.value.code == "photo.hash_mismatch" and up.offset(bad) == 0


@pytest.mark.parametrize("offset, chunk, total, code", [
    (0, b"", 10, "photo.bad_chunk"), (0, b"x" * (CHUNK_MAX + 1), CHUNK_MAX + 1, "photo.bad_chunk"),
    (5, b"x" * 10, 12, "photo.bad_chunk"), (0, b"x", 0, "photo.too_large"), (0, b"x", 10**9, "photo.too_large"),
])
def test_bad_chunks_are_refused(tmp_path, offset, chunk, total, code):
    with pytest.raises(ValidationError) as e:
        Uploads(tmp_path).put("c" * 64, offset, chunk, total)
    assert e.value.code == code


def test_a_bad_hash_name_and_an_unwritable_folder(tmp_path):
    with pytest.raises(ValidationError):
        Uploads(tmp_path).put("../../etc/passwd", 0, b"x", 1)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as e:
        Uploads(blocker / "in").put("d" * 64, 0, b"x", 1)
    assert e.value.code == "photo.write_failed"


# -- the shell -----------------------------------------------------------------------------------------------------


def test_every_text_has_both_languages_with_the_same_placeholders_and_is_used():
    js = "\n".join((shell.STATIC_DIR / n).read_text(encoding="utf-8") for n in ("field-app.js", "field-sync.js",
                                                                                       "field-readings.js"))
    used = set(re.findall(r"\bt\('([a-z_]+[a-z])'", js)) | set(re.findall(r"'((?:st|res)_[a-z]+)'", js))
    used |= set(re.findall(r"'(rd_[a-z_]+[a-z])'", js))  # the readings entry passes its message keys around
    used |= {f"res_{r}" for r in ("reapplied", "discarded")}
    used |= set(re.findall(r"'(reapplied|discarded)'", js))
    for key, (zh, en) in STRINGS.items():
        assert zh and en, key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key
    assert used - set(STRINGS) == set()
    assert set(STRINGS) - used == set()


@pytest.mark.parametrize("name", [n for n in shell.FILES if n.startswith("field") or n == "sw.js"])
def test_the_clients_scripts_have_no_template_syntax_or_markup_sinks(name):
    js = re.sub(r"(^|\s)//\s.*$", "", shell.FILES[name].read_text(encoding="utf-8"), flags=re.M)
    for sink in ("`", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "{{", "{%", "http://", "https://"):
        assert sink not in js, f"{name}: {sink}"


def test_the_page_loads_only_its_own_files_and_no_inline_script():
    html = shell.FILES["index.html"].read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    served = set(shell.FILES) | {"manifest.webmanifest"} | {f"icon-{n}.png" for n in shell.ICON_SIZES}
    assert refs and all(r in served for r in refs), refs
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handler either


def test_the_shell_config_lists_every_file_and_the_version_follows_the_files(tmp_path, monkeypatch):
    cfg = shell.shell_config("base1", ("land.geojson", "bays.geojson"))
    assert cfg["base_files"] == ["base/base1/land.geojson", "base/base1/bays.geojson"]
    assert set(cfg["assets"]) >= {"./", "field-app.js", "leaflet.js", "basemap.js", "manifest.webmanifest",
                                  "icon-192.png"}
    assert cfg["basemap"]["base_url"] == "base/base1/" and cfg["basemap"]["tiles"] == []
    assert cfg["version"] == shell.shell_config("base1", ("land.geojson", "bays.geojson"))["version"]
    assert cfg["version"] != shell.shell_config("base2", ("land.geojson", "bays.geojson"))["version"]
    before = shell.shell_config("base1", ("land.geojson",))["version"]
    changed = tmp_path / "field-app.js"
    changed.write_text(shell.FILES["field-app.js"].read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    monkeypatch.setitem(shell.FILES, "field-app.js", changed)
    assert shell.shell_config("base1", ("land.geojson",))["version"] != before
    assert shell.shell_version("base1") != shell.shell_version("base1", {"x": 1})


def test_the_manifest_makes_it_installable_and_the_icons_are_pngs():
    m = shell.manifest()
    assert m["start_url"] == "./" and m["scope"] == "./" and m["display"] == "standalone" and m["lang"] == "zh-CN"
    from io import BytesIO

    from PIL import Image

    for icon in m["icons"]:
        n = int(icon["sizes"].split("x")[0])
        with Image.open(BytesIO(shell.icon_png(n))) as im:
            assert im.format == "PNG" and im.size == (n, n)
