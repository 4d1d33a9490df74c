"""The offline field client in headless Chromium with a real service worker and a real connection drop.

The browser talks to the app through a proxy the test cuts (every connection
closed, new ones refused: what a phone on a sea wall sees) while
``context.set_offline(True)`` tells the page it is offline. Opened online by
a signed-in inspector, the client must open again with no connection at
all, record changes with a photo and the device fix, send them once when the
connection returns (history, audit, the photo stored once), keep a change
made against a site someone changed meanwhile as a visible conflict with
nothing applied, and answer a replayed request without changing anything.
Logging out warns when changes wait and then wipes the device. No request
leaves localhost; no CSP violation (checked for every browser test).
"""

from __future__ import annotations

import io
import json
import sqlite3
import time
from types import SimpleNamespace

import pytest
from PIL import Image

from geo.photos import photos_root
from geo.store import GpkgStore
from tests.browser.conftest import RequestLog, log_in, start_sample_app
from tests.browser.netcut import NetCut
from tests.factories import ADMIN, INSPECTOR, PASSWORD, SYSTEM

#: Sites of the inspector's towns in the sample: A is where the device is (a remediated outfall found
#: wanting), B is 20 km away (a surveyed point monitored), C is changed in the office while the inspector is
#: offline.
A, A_TO = "PWK-003", "remediating"
B, B_TO = "PWK-026", "monitored"
C, C_TO = "PWK-018", "remediated"
AT_A = {"latitude": 25.676350, "longitude": 119.468200, "accuracy": 9}
#: The outfall form on the device (layers/outfalls.py): a 规范整治 completed with the sign and the sampling point
#: and a photo each; a 销号 with its record and the scanned document; a completion the guard refuses.
STANDARDISED, CLOSED, INCOMPLETE, DEPENDENT = "PWK-004", "PWK-059", "PWK-062", "PWK-029"
HEADER = {"X-Requested-With": "onemap-field"}

SIZES = {
    "phone_390x844": dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True),
    "tablet_768x1024": dict(viewport={"width": 768, "height": 1024}, is_mobile=True, has_touch=True),
    "laptop_1024x768": dict(viewport={"width": 1024, "height": 768}),
    "laptop_1366x768": dict(viewport={"width": 1366, "height": 768}),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    server = start_sample_app(tmp_path_factory, "field")
    yield server
    server.stop()


@pytest.fixture
def net(app):
    cut = NetCut(app.port)
    yield cut
    cut.stop()


@pytest.fixture(scope="module")
def photo_file(tmp_path_factory):
    """A 3000x2000 camera-like JPEG (bigger than the 2048 px the device keeps)."""
    im = Image.new("RGB", (3000, 2000), (40, 110, 160))
    px = im.load()
    for x in range(0, 3000, 7):
        for y in range(0, 2000, 11):
            px[x, y] = ((x * 7) % 255, (y * 3) % 255, 90)
    path = tmp_path_factory.mktemp("photo") / "排口.jpg"
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=92)
    path.write_bytes(buf.getvalue())
    return path


def field_state(page) -> dict:
    return page.evaluate("() => window.__field || {}")


def wait_state(page, predicate, timeout_s: float = 40) -> dict:
    deadline = time.time() + timeout_s
    last = None
    while time.time() < deadline:
        try:
            last = field_state(page)
        except Exception:  # noqa: BLE001 - the page is navigating
            last = None
        if last and predicate(last):
            return last
        time.sleep(0.25)
    raise AssertionError(f"timed out; last state {last!r}")


def open_field(page, context, url: str, *, at_once: bool = False) -> dict:
    """Open the client after a sign-in; return its state once the pack is in (``at_once``: checked at every
    frame, as an inspector who taps the moment the list appears, instead of polled)."""
    deadline = time.time() + 20
    while not any(c["name"] == "onemap_session" for c in context.cookies()):
        assert time.time() < deadline, "no session cookie after sign-in"
        time.sleep(0.2)
    page.goto(url + "/field/", wait_until="domcontentloaded")
    if at_once:
        page.wait_for_function("() => window.__field && window.__field.packEtag && !window.__field.syncing",
                               timeout=60000)
        return field_state(page)
    return wait_state(page, lambda s: s.get("ready") and s.get("packEtag") and s.get("auth") == "ok"
                      and not s.get("syncing"))


def go_offline(net, context) -> None:
    net.cut()
    context.set_offline(True)


def go_online(net, context) -> None:
    net.restore()
    context.set_offline(False)


def record(page, site_id: str, to: str, *, photo=None, note: str = "") -> None:
    """Record a change of ``site_id`` to ``to`` as an inspector would: find it, choose, photo, note, save."""
    before = field_state(page)["waiting"]
    page.locator("button[data-view=near]").click()
    page.get_by_placeholder("按名称或编号查找").fill(site_id)
    page.locator(f".site-row[data-site='{site_id}']").click()
    page.locator(f"#change-form .target[data-to='{to}']").click()
    if photo is not None:
        page.set_input_files("#f_photos", str(photo))
        page.locator("#thumbs img").first.wait_for(timeout=15000)
    if note:
        page.fill("#f_note", note)
    page.locator("#save-btn").click()
    wait_state(page, lambda s: s["waiting"] == before + 1)


def rows(store_file, sql: str, args=()) -> list[sqlite3.Row]:
    con = sqlite3.connect(store_file)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def test_offline_capture_syncs_once_keeps_a_conflict_and_ignores_a_replay(browser, app, net, artifacts, photo_file):
    store = GpkgStore(app.store_file)
    context = browser.new_context(locale="zh-CN", permissions=["geolocation"], geolocation=AT_A, **SIZES["phone_390x844"])
    requests = RequestLog()
    context.on("request", requests)
    posted, puts = [], []
    context.on("request", lambda r: posted.append(r) if r.method == "POST" and r.url.endswith("/field/api/changes")
               else puts.append(r.url) if r.method == "PUT" and "/field/api/photos/" in r.url else None)
    page = context.new_page()
    log_in(page, SimpleNamespace(url=net.url), INSPECTOR.name, PASSWORD, "巡查员")
    first = open_field(page, context, net.url)
    assert first["user"] == INSPECTOR.name and first["sites"] > 0
    pack = page.evaluate("() => FieldDB.get('kv', 'pack').then(r => r.pack)")
    assert {s["town"] for s in pack["sites"]} <= set(store.effective_actor(INSPECTOR).towns)
    assert {A, B, C} <= {s["id"] for s in pack["sites"]}

    # No connection at all: the app opens from the service worker's cache, the pack from IndexedDB.
    go_offline(net, context)
    page.reload(wait_until="domcontentloaded")
    wait_state(page, lambda s: s.get("ready") and s["sites"] == first["sites"] and not s["online"])
    assert page.evaluate("() => !!navigator.serviceWorker.controller")
    page.locator(".site-row").first.wait_for()
    page.screenshot(path=str(artifacts / "field_offline_reopened_390x844.png"))

    record(page, A, A_TO, photo=photo_file, note="复查：排口仍有污水，重新整治")
    record(page, B, B_TO, photo=photo_file)
    # Meanwhile, in the office, someone changes C; the inspector (offline) records a change of C too.
    site_c = store.get_site(SYSTEM, C)
    store.change_status(ADMIN, C, C_TO, expected_version=site_c.version, op_id="office-c", note="办公室核销")
    history_c = len(store.history(SYSTEM, C))
    record(page, C, C_TO, note="现场看到已整治")
    page.locator("button[data-view=queue]").click()
    page.screenshot(path=str(artifacts / "field_offline_queue_390x844.png"))
    assert not posted  # nothing could be sent
    captured_before_sync = time.time()

    # The connection returns: everything is sent, one by one.
    time.sleep(1.0)
    go_online(net, context)
    done = wait_state(page, lambda s: s["online"] and s["waiting"] == 0 and not s["syncing"]
                      and s["queue"].get("applied") == 2 and s["queue"].get("conflict") == 1, 60)
    assert done["lastSync"]["report"]["stopped"] is None

    # Applied once each, through the store: history, audit, evidence of the capture.
    ops = {json.loads(r.post_data)["site_id"]: json.loads(r.post_data) for r in posted}
    assert set(ops) == {A, B, C} and len(posted) == 3
    stored_photo = None
    for site_id, remote in ((A, False), (B, True)):
        entries = [e for e in store.history(SYSTEM, site_id) if e.op_id == ops[site_id]["op_id"]]
        assert len(entries) == 1, site_id
        e = entries[0]
        assert e.source == "offline" and e.actor == INSPECTOR.name and len(e.photos) == 1
        assert e.evidence.lon == pytest.approx(AT_A["longitude"]) and e.evidence.remote is remote
        stored_photo = stored_photo or e.photos[0]
        assert e.photos[0] == stored_photo  # the same photo, stored once
        audit = rows(app.store_file, "SELECT * FROM audit_log WHERE action = 'site.status' AND details LIKE ?",
                     (f'%{ops[site_id]["op_id"]}%',))
        assert len(audit) == 1
        rec = store.offline_change(SYSTEM, ops[site_id]["op_id"])
        assert rec.outcome == "applied" and rec.captured_at < rec.received_at <= rec.applied_at
        assert rec.captured_at <= time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(captured_before_sync)) + ".999Z"
    assert store.get_site(SYSTEM, A).status == A_TO and store.get_site(SYSTEM, B).status == B_TO
    assert len(rows(app.store_file, "SELECT * FROM field_photos")) == 1
    assert (photos_root(app.store_file) / stored_photo[:2] / f"{stored_photo}.jpg").is_file()
    with Image.open(photos_root(app.store_file) / stored_photo[:2] / f"{stored_photo}.jpg") as im:
        assert max(im.size) == 2048
    # One photo uploaded (in chunks), not one per change; what was sent is the device's smaller copy.
    assert len({u.split("?")[0] for u in puts}) == 1
    sent = int(puts[-1].split("total=")[1])
    assert sent < photo_file.stat().st_size and rows(app.store_file, "SELECT bytes FROM field_photos")[0][0] == sent

    # C: a visible conflict, nothing applied.
    assert len(store.history(SYSTEM, C)) == history_c and store.get_site(SYSTEM, C).updated_by == ADMIN.name
    conflict = store.offline_change(SYSTEM, ops[C]["op_id"])
    assert conflict.open_conflict and conflict.server_state["changes_since"][0]["note"] == "办公室核销"
    page.locator("button[data-view=conflicts]").click()
    item = page.locator(f"li.item[data-op='{ops[C]['op_id']}']")
    item.wait_for()
    text = item.inner_text()
    assert "您的离线变更" in text and "服务器当前" in text and ADMIN.name in text and "办公室核销" in text
    page.screenshot(path=str(artifacts / "field_conflict_both_sides_390x844.png"), full_page=True)

    # A replayed request (the same op id sent again) changes nothing.
    before = (len(store.all_history(SYSTEM)), len(rows(app.store_file, "SELECT * FROM audit_log")))
    again = page.request.post(net.url + "/field/api/changes", data=posted[0].post_data,
                              headers={**HEADER, "Content-Type": "application/json", "Origin": net.url})
    assert again.ok and again.json()["replay"] is True and again.json()["outcome"] == "applied"
    assert (len(store.all_history(SYSTEM)), len(rows(app.store_file, "SELECT * FROM audit_log"))) == before

    # The inspector discards the conflict from the device (the server records who and when).
    page.once("dialog", lambda d: d.accept())
    item.get_by_role("button", name="放弃这条变更").click()
    page.get_by_text("已放弃该变更").wait_for(timeout=15000)
    resolved = store.offline_change(SYSTEM, ops[C]["op_id"])
    assert resolved.resolution == "discarded" and resolved.resolved_by == INSPECTOR.name and resolved.resolved_at

    assert requests.outside() == []
    context.close()


def _photo(path, colour) -> str:
    Image.new("RGB", (1200, 900), colour).save(path, "JPEG", quality=90)
    return str(path)


def test_the_outfall_form_asks_what_each_change_declares_offline(browser, app, net, artifacts, tmp_path):
    """At 390x844 with no connection: offered fields and photo fields, the guard's message, required fields and
    a required photo; then online: the photo fields stored by hash, the 销号 with its document, the guard's
    refusal shown on the device."""
    store = GpkgStore(app.store_file)
    sign, point = _photo(tmp_path / "标志牌.jpg", (200, 30, 30)), _photo(tmp_path / "采样点.jpg", (30, 30, 200))
    doc = _photo(tmp_path / "批复.jpg", (240, 240, 230))
    context = browser.new_context(locale="zh-CN", permissions=["geolocation"], geolocation=AT_A, **SIZES["phone_390x844"])
    requests = RequestLog()
    context.on("request", requests)
    page = context.new_page()
    log_in(page, SimpleNamespace(url=net.url), INSPECTOR.name, PASSWORD, "巡查员")
    open_field(page, context, net.url)
    go_offline(net, context)
    page.reload(wait_until="domcontentloaded")
    wait_state(page, lambda s: s.get("ready") and s["sites"] > 0 and not s["online"])

    def open_site(site_id, to):
        page.locator("button[data-view=near]").click()
        page.get_by_placeholder("按名称或编号查找").fill(site_id)
        page.locator(f".site-row[data-site='{site_id}']").click()
        page.locator(f"#change-form .target[data-to='{to}']").click()

    def field(name):
        return page.locator(f"#change-form .field[data-field='{name}']")

    def saved(n):
        page.locator("#save-btn").click()
        wait_state(page, lambda s: s["waiting"] == n)

    # 整治中 -> 整治完成: the guard's message, the six fields the change offers (open), nothing else.
    open_site(STANDARDISED, "remediated")
    guard = page.locator("#change-form .guard[data-guard='outfall.standardise_incomplete']")
    assert "标志牌和采样点须已设置" in guard.inner_text() and "上传“标志牌照片”和“采样点照片”" in guard.inner_text()  # the fix names the photo fields
    offered = page.locator("#change-form details.more")
    assert offered.get_attribute("open") is not None and "本次变更可填写" in offered.inner_text()
    names = page.locator("#change-form .field[data-field]").evaluate_all("n => n.map(e => e.dataset.field)")
    assert names == ["sign_board", "sign_board_photo", "sampling_point", "sampling_point_photo", "inspection_well",
                     "inspection_well_photo"]
    assert page.locator("#photo-required").count() == 0
    field("sign_board").get_by_role("button", name="是").click()
    page.set_input_files("#f_sign_board_photo", sign)
    field("sign_board_photo").locator("img").wait_for(timeout=15000)
    field("sampling_point").get_by_role("button", name="是").click()
    page.set_input_files("#f_sampling_point_photo", point)
    field("sampling_point_photo").locator("img").wait_for(timeout=15000)
    page.locator("#site-card").screenshot(path=str(artifacts / "field_outfall_standardised_form_390x844.png"))
    saved(1)

    # 整治完成 -> 已销号: the record is required, and a photo (the scanned document).
    open_site(CLOSED, "closed")
    assert [n for n in page.locator("#change-form .field.required[data-field]").evaluate_all(
        "n => n.map(e => e.dataset.field)")] == ["closure_date", "closure_body", "closure_doc_no"]
    assert "须附至少一张照片" in page.locator("#photo-required").inner_text()
    page.locator("#save-btn").click()
    assert "请填写：销号日期、销号审批单位、销号文号" in page.locator(".notice.error").inner_text()
    page.fill("#f_closure_date", "2025-12-01")
    page.fill("#f_closure_body", "福清市生态环境局")
    page.fill("#f_closure_doc_no", "融环〔2025〕12号")
    page.locator("#save-btn").click()
    assert "须附至少一张照片" in page.locator(".notice.error").inner_text()
    assert field_state(page)["waiting"] == 1
    page.set_input_files("#f_photos", doc)
    page.locator("#thumbs img").first.wait_for(timeout=15000)
    page.locator("#site-card").screenshot(path=str(artifacts / "field_outfall_closure_form_390x844.png"))
    saved(2)

    # A completion without the sampling point: the device keeps it; the server's guard refuses it.
    open_site(INCOMPLETE, "remediated")
    field("sign_board").get_by_role("button", name="是").click()
    saved(3)

    # A dependent choice (no outfall change offers one: the device's pack is given one to try): the receiving
    # water lists only the waters of the side chosen, and a water that no longer fits is cleared.
    page.evaluate("""() => FieldDB.get('kv', 'pack').then(rec => {
        const tr = rec.pack.kinds.outfalls.transitions.find(t => t.from === 'remediating' && t.to === 'remediated');
        tr.offers = ['discharge_into', 'receiving_water'].concat(tr.offers);
        return FieldDB.put('kv', rec, 'pack'); })""")
    page.reload(wait_until="domcontentloaded")
    wait_state(page, lambda s: s.get("ready") and s["sites"] > 0 and not s["online"] and s["waiting"] == 3)
    open_site(DEPENDENT, "remediated")
    water = page.locator("#f_receiving_water")

    def options():
        return water.locator("option").evaluate_all("o => o.map(e => e.value).filter(Boolean)")

    page.select_option("#f_discharge_into", "sea")
    assert options() == ["fuqing_bay", "xinghua_bay", "haitan_strait", "other_sea", "other"]
    page.select_option("#f_receiving_water", "xinghua_bay")
    page.select_option("#f_discharge_into", "river")
    assert options() == ["longjiang_main", "longjiang_tributary", "lake", "other_river", "other"]
    assert water.input_value() == ""  # 兴化湾 is not a river: cleared
    assert "可选项随“入河/入海”（入河排污口）而定" in field("receiving_water").inner_text()

    go_online(net, context)
    wait_state(page, lambda s: s["online"] and s["waiting"] == 0 and not s["syncing"]
               and s["queue"].get("applied") == 2 and s["queue"].get("refused") == 1, 60)
    fresh = page.evaluate("() => FieldDB.get('kv', 'pack').then(rec => rec.pack.kinds.outfalls.transitions"
                          ".find(t => t.from === 'remediating' && t.to === 'remediated').offers)")
    assert fresh[0] == "sign_board"  # the pack refreshed after the sync is the server's again
    done = store.get_site(SYSTEM, STANDARDISED)
    assert done.status == "remediated" and done.attrs["sign_board"] and done.attrs["sampling_point"]
    sign_sha, point_sha = done.attrs["sign_board_photo"], done.attrs["sampling_point_photo"]
    assert sign_sha != point_sha
    for sha in (sign_sha, point_sha):
        assert (photos_root(app.store_file) / sha[:2] / f"{sha}.jpg").is_file()
    entry = store.history(SYSTEM, STANDARDISED)[-1]
    assert entry.source == "offline" and set(entry.photos) == {sign_sha, point_sha}
    closed = store.get_site(SYSTEM, CLOSED)
    assert (closed.status, closed.attrs["closure_doc_no"]) == ("closed", "融环〔2025〕12号")
    assert len(store.history(SYSTEM, CLOSED)[-1].photos) == 1
    assert store.get_site(SYSTEM, INCOMPLETE).status == "remediating"
    page.locator("button[data-view=queue]").click()
    refused = page.locator("li.item[data-state=refused]")
    assert "规范整治尚未完成" in refused.inner_text()
    assert refused.inner_text().count("再标记整治完成") == 1  # the fix once, though the message carries it
    page.screenshot(path=str(artifacts / "field_outfall_guard_refused_390x844.png"), full_page=True)
    assert requests.outside() == []
    context.close()


def test_logout_warns_when_changes_wait_then_wipes_the_device(browser, app, net, artifacts):
    store = GpkgStore(app.store_file)
    context = browser.new_context(locale="zh-CN", permissions=["geolocation"], geolocation=AT_A, **SIZES["laptop_1024x768"])
    page = context.new_page()
    log_in(page, SimpleNamespace(url=net.url), INSPECTOR.name, PASSWORD, "巡查员")
    open_field(page, context, net.url)
    assert field_state(page)["via"] == "session"
    device = next(c for c in context.cookies() if c["name"] == "onemap_field_device")
    assert device["httpOnly"] and device["sameSite"] == "Strict" and device["path"] == "/field/"
    go_offline(net, context)
    site = store.list_sites(SYSTEM, kinds=["shore_power_berths"], statuses=["none"],
                            towns=store.effective_actor(INSPECTOR).towns)[0]
    record(page, site.site_id, "building", note="待发送")

    messages = []
    page.once("dialog", lambda d: (messages.append(d.message), d.dismiss()))
    page.locator("#logout-btn").click()
    assert messages and "1 条记录未发送" in messages[0]
    assert field_state(page)["waiting"] == 1  # dismissed: nothing wiped
    page.screenshot(path=str(artifacts / "field_waiting_before_logout_1024x768.png"))

    go_online(net, context)
    wait_state(page, lambda s: s["online"] and s["waiting"] == 0 and not s["syncing"])
    devices_before = store.list_devices(ADMIN)
    assert devices_before
    page.once("dialog", lambda d: d.accept())
    page.locator("#logout-btn").click()
    page.get_by_text("已退出，本机的巡查数据已删除").wait_for(timeout=15000)
    left = page.evaluate("() => Promise.all([FieldDB.get('kv', 'pack'), FieldDB.queue(), FieldDB.all('photos')])")
    assert left == [None, [], []]
    names = {c["name"] for c in context.cookies()}
    assert "onemap_session" not in names and "onemap_field_device" not in names
    assert len(store.list_devices(ADMIN)) == len(devices_before) - 1
    context.close()


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_the_client_at_each_size_online_then_offline(browser, app, net, artifacts, size):
    context = browser.new_context(locale="zh-CN", permissions=["geolocation"], geolocation=AT_A, **SIZES[size])
    requests = RequestLog()
    context.on("request", requests)
    page = context.new_page()
    log_in(page, SimpleNamespace(url=net.url), INSPECTOR.name, PASSWORD, "巡查员")
    open_field(page, context, net.url)
    page.locator(".site-row").first.wait_for()
    first = page.locator(".site-row").first
    assert first.get_attribute("data-site") == A  # the nearest site first
    page.screenshot(path=str(artifacts / f"field_nearest_{size}.png"))
    go_offline(net, context)
    page.reload(wait_until="domcontentloaded")
    wait_state(page, lambda s: s.get("ready") and s["sites"] > 0 and not s["online"])
    page.locator(f".site-row[data-site='{A}']").click()
    page.locator("#change-form .target").first.click()
    card = page.locator("#site-card").bounding_box()
    viewport = SIZES[size]["viewport"]
    assert card["y"] < viewport["height"] and card["x"] + card["width"] <= viewport["width"] + 1
    page.screenshot(path=str(artifacts / f"field_site_card_offline_{size}.png"))
    assert requests.outside() == []
    go_online(net, context)
    context.close()


#: A black-odorous body of the inspector's towns in the sample, and a position on it.
BODY = "HC-005"
BERTH = "AD-001"
AT_BODY = {"latitude": 25.713959, "longitude": 119.364046, "accuracy": 7}


def _cell(page, row: int, name: str):
    return page.locator(f"#rd_black_odorous_readings fieldset.rd-row[data-row='{row}'] [data-field='{name}'] input")


@pytest.mark.parametrize("size, rnd", [("phone_390x844", 1), ("tablet_768x1024", 2)])
def test_readings_taken_offline_are_kept_checked_and_written_once(browser, app, net, artifacts, size, rnd):
    store = GpkgStore(app.store_file)
    before = len(store.list_observations(SYSTEM, "black_odorous_readings", [BODY]))
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", permissions=["geolocation"],
                                  geolocation=AT_BODY, **SIZES[size])
    requests = RequestLog()
    context.on("request", requests)
    posted = []
    context.on("request", lambda r: posted.append(r) if r.method == "POST" and r.url.endswith("/field/api/readings")
               else None)
    page = context.new_page()
    log_in(page, SimpleNamespace(url=net.url), INSPECTOR.name, PASSWORD, "巡查员")
    open_field(page, context, net.url)
    go_offline(net, context)

    def open_entry():
        page.locator("button[data-view=near]").click()
        page.get_by_placeholder("按名称或编号查找").fill(BODY)
        page.locator(f".site-row[data-site='{BODY}']").click()
        entry = page.locator("#rd_black_odorous_readings")
        if entry.get_attribute("open") is None:
            entry.locator("summary").click()
        return entry

    entry = open_entry()
    assert "一次录入一个采样日，每个采样点位、轮次一行。保存在本机" in entry.inner_text()
    assert entry.locator("#rd_black_odorous_readings_day").input_value() == page.evaluate(
        "() => new Date().toLocaleDateString('sv')")  # today on the device
    entry.locator("#rd_black_odorous_readings_time").fill("09:30")
    entry.locator("[data-field='sampler'] input").fill("张三")
    for name, value in (("point", "P1"), ("round", str(rnd)), ("transparency_cm", "32"), ("do_mg_l", "3.1"),
                        ("orp_mv", "-50"), ("nh3n_mg_l", "2.5")):
        _cell(page, 1, name).fill(value)
    # Typed and not saved: a reload with no connection keeps it on the device.
    page.wait_for_timeout(600)
    page.reload(wait_until="domcontentloaded")
    wait_state(page, lambda s: s.get("ready") and s["sites"] > 0 and not s["online"])
    entry = open_entry()
    assert entry.get_attribute("open") is not None  # opened by itself: it holds readings
    assert _cell(page, 1, "orp_mv").input_value() == "-50" and entry.locator("[data-field='sampler'] input").input_value() == "张三"

    entry.locator("#rd_black_odorous_readings_add").click()
    assert _cell(page, 2, "round").input_value() == str(rnd)  # the next row goes on with the round
    _cell(page, 2, "point").fill("P2")
    _cell(page, 2, "transparency_cm").fill("三十")
    entry.locator("#rd_black_odorous_readings_save").click()
    notice = page.locator(".notice.error")
    notice.wait_for(timeout=5000)
    assert "第 2 行“透明度 (cm)”应为数字" in notice.inner_text()  # checked on the device: the row and the field
    assert field_state(page)["waiting"] == 0
    _cell(page, 2, "transparency_cm").fill("３０")  # full-width digits, as a Chinese keyboard may type them
    _cell(page, 2, "do_mg_l").fill("2.9")
    page.screenshot(path=str(artifacts / f"field_readings_entry_{size}.png"), full_page=True)
    entry.locator("#rd_black_odorous_readings_save").click()
    wait_state(page, lambda s: s["waiting"] == 1)
    assert "已保存到本机：黑臭水体水质监测 2 行" in page.locator(".notice.ok").inner_text()
    assert _cell(page, 1, "point").input_value() == ""  # the entry starts again empty
    assert not posted

    go_online(net, context)
    done = wait_state(page, lambda s: s["online"] and s["waiting"] == 0 and not s["syncing"]
                      and s["queue"].get("applied") == 1, 60)
    assert done["lastSync"]["report"]["stopped"] is None and len(posted) == 1
    sent = json.loads(posted[0].post_data)
    assert sent["rows"][1] == {"point": "P2", "round": rnd, "transparency_cm": 30, "do_mg_l": 2.9}
    new = [o for o in store.list_observations(SYSTEM, "black_odorous_readings", [BODY])
           if o.source == "offline" and o.values["round"] == rnd]
    assert len(new) == 2 and len(store.list_observations(SYSTEM, "black_odorous_readings", [BODY])) == before + 2
    assert {(o.values["point"], o.values["orp_mv"], o.values["sampler"], o.observed_time, o.source) for o in new} == {
        ("P1", -50.0, "张三", "09:30", "offline"), ("P2", None, "张三", "09:30", "offline")}
    audit = [a for a in store.audit_log(ADMIN, action="obs.add") if a.details.get("op_id") == sent["op_id"]]
    assert len(audit) == 1 and audit[0].details["capture"]["remote"] is False  # taken at the body
    page.locator("button[data-view=queue]").click()
    item = page.locator(f"li.item[data-op='{sent['op_id']}']")
    assert "服务器已写入 2 条读数" in item.inner_text()
    page.screenshot(path=str(artifacts / f"field_readings_sent_{size}.png"))

    # A berth's month of shore power: a month to pick and one row (no second row: a berth has one a month).
    page.locator("button[data-view=near]").click()
    page.get_by_placeholder("按名称或编号查找").fill(BERTH)
    page.locator(f".site-row[data-site='{BERTH}']").click()
    usage = page.locator("#rd_shore_power_usage")
    usage.locator("summary").click()
    assert usage.locator("#rd_shore_power_usage_day").get_attribute("type") == "month"
    assert usage.locator("fieldset.rd-row").count() == 1 and usage.locator("#rd_shore_power_usage_add").count() == 0
    assert "一行" not in usage.inner_text()  # no "a row per point and round" where there is none
    assert requests.outside() == []
    context.close()


def _f(name, type_="float", required=False, minimum=None, maximum=None, inclusive=True):
    return {"name": name, "zh": name, "en": name, "type": type_, "unit": "", "required": required,
            "minimum": minimum, "maximum": maximum, "minimum_inclusive": inclusive}


#: A table like the black-odorous readings: what the device's check says of each typed row.
TABLE = {"row_fields": [_f("point", "text", True), _f("round", "int", True, 1), _f("depth_cm", minimum=0, inclusive=False),
                        _f("do_mg_l", minimum=0), _f("orp_mv"), _f("pct", maximum=100)],
         "common_fields": [_f("sampler", "text"), _f("compliant", "bool")]}


@pytest.mark.parametrize("rows, common, expected", [
    ([{"point": "P1", "round": "1", "orp_mv": "-50"}], {}, {"rows": [{"point": "P1", "round": 1, "orp_mv": -50}]}),
    ([{"point": " P1 ", "round": "１", "do_mg_l": "３．５"}], {}, {"rows": [{"point": "P1", "round": 1, "do_mg_l": 3.5}]}),
    ([{"point": "P1", "round": "1", "do_mg_l": "3,5"}], {}, {"rows": [{"point": "P1", "round": 1, "do_mg_l": 3.5}]}),
    ([{}, {"point": "P1", "round": "2"}, {"point": ""}], {}, {"rows": [{"point": "P1", "round": 2}]}),  # blank rows
    ([{"point": "P1", "round": "1"}], {"sampler": "张三", "compliant": False},
     {"rows": [{"point": "P1", "round": 1}], "common": {"sampler": "张三", "compliant": False}}),
    ([{"point": "P1", "round": "1.5"}], {}, {"error": [1, "round", "rd_not_int"]}),
    ([{"point": "P1", "round": "0"}], {}, {"error": [1, "round", "rd_min"]}),
    ([{"point": "P1", "round": "1", "depth_cm": "0"}], {}, {"error": [1, "depth_cm", "rd_min_excl"]}),
    ([{"point": "P1", "round": "1", "do_mg_l": "-0.1"}], {}, {"error": [1, "do_mg_l", "rd_min"]}),
    ([{"point": "P1", "round": "1", "pct": "101"}], {}, {"error": [1, "pct", "rd_max"]}),
    ([{"point": "P1", "round": "1", "orp_mv": "1e3"}], {}, {"error": [1, "orp_mv", "rd_not_number"]}),
    ([{"point": "P1", "round": "1", "orp_mv": "很低"}], {}, {"error": [1, "orp_mv", "rd_not_number"]}),
    ([{}, {"round": "1"}], {}, {"error": [1, "point", "rd_required"]}),  # numbered among the typed rows
    ([{"point": "P1", "round": "1"}, {"point": "P2"}], {}, {"error": [2, "round", "rd_required"]}),
])
def test_the_device_checks_each_typed_row_as_the_server_will(browser, app, rows, common, expected):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(app.url + "/field/", wait_until="domcontentloaded")
    page.wait_for_function("() => !!window.FieldReadings")
    got = page.evaluate("""([table, draft]) => {
        const r = window.FieldReadings.checkEntry(table, draft);
        return r.error ? {error: [r.error.row, r.error.field.name, r.error.key]} : r; }""",
                        [TABLE, {"rows": rows, "common": common}])
    expected = {"common": {}, **expected} if "rows" in expected else expected
    assert got == expected
    context.close()


def test_a_site_tapped_as_soon_as_the_pack_is_in_is_shown_close_up(browser, app):
    """The first fit to the inspector's towns happens at once: an animated one, still running when a site was
    tapped, ended at the county view and undid the close-up (found at 1024x768 and 1366x768)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    log_in(page, app, INSPECTOR.name, PASSWORD, "巡查员")
    open_field(page, context, app.url, at_once=True)
    page.get_by_placeholder("按名称或编号查找").fill(A)
    page.locator(f".site-row[data-site='{A}']").click()
    scale = page.locator(".leaflet-control-scale-line").first
    page.wait_for_timeout(2000)  # longer than any zoom animation
    assert scale.inner_text().endswith(" 米")  # a street-level view, not the county's kilometres
    context.close()


def test_refused_readings_go_back_into_the_entry_to_be_put_right(browser, app, net, artifacts):
    """The office recorded the same round meanwhile: the server refuses the day naming the row; 改正后重新保存
    puts it back into the entry as typed, and once the round is put right it is written."""
    from geo.clock import today_cst
    from geo.store import NewObservation

    store = GpkgStore(app.store_file)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", permissions=["geolocation"],
                                  geolocation=AT_BODY, **SIZES["phone_390x844"])
    page = context.new_page()
    log_in(page, SimpleNamespace(url=net.url), INSPECTOR.name, PASSWORD, "巡查员")
    open_field(page, context, net.url)
    go_offline(net, context)
    page.get_by_placeholder("按名称或编号查找").fill(BODY)
    page.locator(f".site-row[data-site='{BODY}']").click()
    entry = page.locator("#rd_black_odorous_readings")
    entry.locator("summary").click()
    for name, value in (("point", "P1"), ("round", "5"), ("do_mg_l", "4.2")):
        _cell(page, 1, name).fill(value)
    entry.locator("#rd_black_odorous_readings_save").click()
    wait_state(page, lambda s: s["waiting"] == 1)
    day = page.evaluate("() => new Date().toLocaleDateString('sv')")
    assert day == today_cst().isoformat()
    store.record_observations(ADMIN, "black_odorous_readings",
                              [NewObservation(BODY, day, None, {"point": "P1", "round": 5, "do_mg_l": 4.0})],
                              op_id="office-round-5")

    go_online(net, context)
    wait_state(page, lambda s: s["online"] and not s["syncing"] and s["queue"].get("refused") == 1, 60)
    page.locator("button[data-view=queue]").click()
    item = page.locator("li.item[data-state='refused']")
    assert "第 1 行" in item.inner_text() and "已有记录" in item.inner_text()
    item.get_by_role("button", name="改正后重新保存").click()
    entry = page.locator("#rd_black_odorous_readings")
    entry.wait_for()
    assert entry.get_attribute("open") is not None and _cell(page, 1, "do_mg_l").input_value() == "4.2"
    assert field_state(page)["queue"].get("refused") is None  # it left the queue
    _cell(page, 1, "round").fill("6")
    entry.locator("#rd_black_odorous_readings_save").click()
    wait_state(page, lambda s: s["waiting"] == 0 and not s["syncing"] and s["queue"].get("applied") == 1, 60)
    rows = [o for o in store.list_observations(SYSTEM, "black_odorous_readings", [BODY])
            if o.observed_on == day and o.values["round"] in (5, 6)]
    assert sorted((o.values["round"], o.values["do_mg_l"], o.recorded_by) for o in rows) == [
        (5, 4.0, ADMIN.name), (6, 4.2, INSPECTOR.name)]
    page.screenshot(path=str(artifacts / "field_readings_put_right_390x844.png"))
    context.close()
