"""The offline field client's API (``field/api/…``): the pack, changes one by one, photos by hash, conflicts.

Every route answers only the field client's own pages (:meth:`FieldAuth.guard`)
and only an inspector (session cookie, or the device token made from one);
every write goes through the store's public methods, with the store's checks,
history and audit, exactly as a change made in the app:

=========================================  ==============================================================
``GET  field/api/me``                      the account, its towns, how it signed in (session or device)
``POST field/api/device``                  a device token for this browser (HttpOnly cookie), from the session
``GET  field/api/pack``                    the pack of the inspector's towns: JSON, ETag (304), private
``POST field/api/changes``                 one change (op id + base version): applied once, or a conflict,
                                           or refused with the store's message
``POST field/api/readings``                one sampling day of a monitoring table at a site (op id): written
                                           once, or refused with the store's message naming row and field
``HEAD field/api/photos/<sha256>``         ``Upload-Complete: ?1`` when stored, else ``?0`` and ``Upload-Offset``
``PUT  field/api/photos/<sha256>``         a chunk at ``?offset=&total=``; the last one stores the photo
``POST field/api/conflicts/<op>/<action>`` ``reapply`` (on ``expected_version``) or ``discard``
``POST field/api/logout``                  ends the session and the device token, clears both cookies
=========================================  ==============================================================
"""

from __future__ import annotations

import gzip
import json
import threading
from collections import OrderedDict
from datetime import datetime, timezone

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from geo import towns as town_list
from geo.clock import today_cst
from geo.domain.evidence import default_onsite_m
from geo.errors import OneMapError, ValidationError
from geo.field.changes import parse_change
from geo.field.pack import build_pack, encode_pack
from geo.field.readings import parse_readings
from geo.field.uploads import CHUNK_MAX, OffsetMismatch, Uploads, check_sha
from geo.photos import JPEG_QUALITY, MAX_PHOTO_BYTES, MAX_SIDE_PX, store_photo
from geo.store.sync import DEVICE_LIFETIME
from geo.web import paths
from geo.web.access import Denied, client_of
from geo.web.field_auth import DEVICE_COOKIE, FieldAuth, Refused, error_response
from geo.web.responses import not_modified
from geo.web.settings import COOKIE_NAME

__all__ = ["field_api_routes", "PACK_CACHE", "PackCache"]

#: The pack is the inspector's: no shared cache may keep it; the device revalidates it by its ETag.
PACK_CACHE = "private, no-cache"
_NO_STORE = {"Cache-Control": "no-store"}
_MAX_CHANGE = 256 * 1024


class PackCache:
    """The last few encoded packs (raw and gzip) by what they were built from (thread-safe, small)."""

    def __init__(self, size: int = 16):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


def _ok(body, status: int = 200, headers: dict | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers={**_NO_STORE, **(headers or {})})


def _town(code: str) -> dict[str, str]:
    try:
        t = town_list.town_by_code(code)
        return {"code": code, "zh": t.name_zh, "en": t.name_en}
    except OneMapError:
        return {"code": code, "zh": code, "en": code}


def _secure(request: Request, https: bool) -> bool:
    return https or request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


def field_api_routes(auth: FieldAuth, base_url_path: str = "") -> list[Route]:
    """The field API's routes (under ``base_url_path``)."""
    access = auth.access
    settings = access.settings
    api = paths.under(base_url_path, paths.FIELD_API)
    device_path = paths.under(base_url_path, paths.FIELD + "/")
    session_path = paths.under(base_url_path, "")

    def uploads() -> Uploads:
        return Uploads(settings.photos_root / ".incoming")

    def handler(fn, *, write: bool):
        """Guard, resolve the inspector, run ``fn(request, actor, via, device_id)``; errors as bilingual JSON."""
        async def endpoint(request: Request) -> Response:
            try:
                auth.guard(request, write=write)
                actor, via, device_id = await run_in_threadpool(auth.who, request)
                return await fn(request, actor, via, device_id)
            except Refused as r:
                return r.response
            except Denied as d:
                return d.response
            except OneMapError as exc:
                return error_response(exc)
        return endpoint

    async def me(request, actor, via, device_id) -> Response:
        device = await run_in_threadpool(auth.device, request)
        return _ok({"user": actor.name, "role": actor.role, "towns": [_town(c) for c in actor.towns], "via": via,
                    "device": None if device is None else {"device_id": device.device_id,
                                                           "expires_at": device.expires_at}})

    async def enroll(request, actor, via, device_id) -> Response:
        token = request.cookies.get(COOKIE_NAME, "")
        if via != "session" or not token:
            raise Refused(403, "field.device_needs_session", zh="须在登录状态下（联网）为本设备登记。",
                          en="A device is registered from a live sign-in (online).")
        try:
            body = json.loads(await request.body() or b"{}")
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
            body = {}
        label = str(body.get("label", ""))[:80] if isinstance(body, dict) else ""
        old = request.cookies.get(DEVICE_COOKIE) or None
        device, new_token = await run_in_threadpool(
            lambda: auth.store().enroll_device(token, label=label, client=client_of(request), replaces=old))
        response = _ok({"device_id": device.device_id, "expires_at": device.expires_at})
        response.set_cookie(DEVICE_COOKIE, new_token, max_age=int(DEVICE_LIFETIME.total_seconds()), path=device_path,
                            httponly=True, samesite="strict", secure=_secure(request, settings.https))
        return response

    cache = PackCache()

    def _pack_bytes(actor) -> tuple[bytes, str, bytes]:
        store = auth.store()
        conflicts = [r.as_dict() for r in store.offline_changes(actor, mine=True, open_conflicts=True)]
        # The pack changes with the sites (any history row moves the data version), the inspector's towns and
        # open conflicts, the day (overdue) and the settings: the same key, the same bytes.
        key = (actor.name, tuple(actor.towns), store.data_version(), today_cst().isoformat(), default_onsite_m(),
               tuple((c["op_id"], c["outcome_at"]) for c in conflicts), store.locator)
        hit = cache.get(key)
        if hit is not None:
            return hit
        sites = store.list_sites(actor, towns=actor.towns)
        pack = build_pack(
            user=actor.name, towns=[_town(c) for c in actor.towns], sites=sites, data_version=store.data_version(),
            today=today_cst(), sample=any(s.is_sample for s in sites), conflicts=conflicts,
            settings={"onsite_m": default_onsite_m(), "photo_max_side_px": MAX_SIDE_PX,
                      "photo_jpeg_quality": JPEG_QUALITY / 100, "photo_max_bytes": MAX_PHOTO_BYTES,
                      "chunk_bytes": CHUNK_MAX})
        body, etag = encode_pack(pack)
        return cache.put(key, (body, etag, gzip.compress(body, 6)))

    async def pack(request, actor, via, device_id) -> Response:
        body, etag, gz = await run_in_threadpool(_pack_bytes, actor)
        gz_etag = etag[:-1] + '-gz"'
        headers = {"Cache-Control": PACK_CACHE, "Vary": "Accept-Encoding, Cookie"}
        for tag in (etag, gz_etag):
            if not_modified(request, tag):
                return Response(status_code=304, headers={**headers, "ETag": tag})
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(gz, media_type="application/json",
                            headers={**headers, "ETag": gz_etag, "Content-Encoding": "gzip"})
        return Response(body, media_type="application/json", headers={**headers, "ETag": etag})

    async def json_body(request, what_zh: str, what_en: str):
        """The request's JSON (at most 256 KB); refused with 413 / 422 naming what it should have been."""
        raw = await request.body()
        if len(raw) > _MAX_CHANGE:
            raise Refused(413, "field.change_too_large", zh=f"{what_zh}内容过大。", en=f"The {what_en} is too large.")
        try:
            return json.loads(raw or b"null")
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
            raise Refused(422, "field.bad_change", zh=f"{what_zh}不是有效的 JSON。",
                          en=f"The {what_en} is not valid JSON.") from None

    async def change(request, actor, via, device_id) -> Response:
        payload = await json_body(request, "变更", "change")
        store = auth.store()
        received = datetime.now(timezone.utc)

        def work():
            parsed = parse_change(payload, received_at=received, onsite_m=default_onsite_m(), device_id=device_id,
                                  geometry_of=lambda sid: store.get_site(actor, sid).geometry)
            return store.submit_offline_change(actor, parsed)

        out = await run_in_threadpool(work)
        return _ok({**out.record.as_dict(), "outcome": out.outcome, "replay": out.replay})

    async def readings(request, actor, via, device_id) -> Response:
        payload = await json_body(request, "读数", "day of readings")
        store = auth.store()
        received = datetime.now(timezone.utc)

        def work():
            entry = parse_readings(payload, received_at=received, onsite_m=default_onsite_m(), device_id=device_id,
                                   geometry_of=lambda sid: store.get_site(actor, sid).geometry)
            return store.record_observations(actor, entry.table, entry.rows, op_id=entry.op_id, source="offline",
                                             context=entry.context)

        out = await run_in_threadpool(work)
        return _ok({"outcome": "applied", "replay": not out.applied, "table": out.spec,
                    "obs_ids": list(out.obs_ids), "status_changes": json.loads(json.dumps(list(out.status_changes), default=str))})

    async def photo_head(request, actor, via, device_id) -> Response:
        sha = check_sha(request.path_params["sha"])
        stored = await run_in_threadpool(auth.store().field_photo, actor, sha)
        if stored:
            return Response(status_code=200, headers={**_NO_STORE, "Upload-Complete": "?1", "X-Photo-Stored": stored})
        return Response(status_code=200, headers={**_NO_STORE, "Upload-Complete": "?0",
                                                  "Upload-Offset": str(uploads().offset(sha))})

    async def photo_put(request, actor, via, device_id) -> Response:
        sha = check_sha(request.path_params["sha"])
        try:
            offset, total = int(request.query_params["offset"]), int(request.query_params["total"])
        except (KeyError, ValueError):
            raise ValidationError("photo.bad_chunk", zh="照片分块缺少位置或总长度。", en="A photo chunk needs offset and total.",
                                  fix_zh="请更新离线巡查页面后重试。", fix_en="Update the field client and retry.") from None
        store = auth.store()
        stored = await run_in_threadpool(store.field_photo, actor, sha)
        if stored:  # already here: never twice
            return _ok({"offset": total, "complete": True, "stored": stored})
        chunk = await request.body()
        try:
            data = await run_in_threadpool(uploads().put, sha, offset, chunk, total)
        except OffsetMismatch as m:
            return _ok({"offset": m.offset, "complete": False}, status=409)
        if data is None:
            return _ok({"offset": offset + len(chunk), "complete": False})

        def keep() -> str:
            ref = store_photo(data, settings.photos_root)
            return store.record_field_photo(actor, sha, ref.sha256, len(data))

        return _ok({"offset": total, "complete": True, "stored": await run_in_threadpool(keep)})

    async def resolve(request, actor, via, device_id) -> Response:
        action = request.path_params["action"]
        try:
            body = json.loads(await request.body() or b"{}")
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
            body = {}
        body = body if isinstance(body, dict) else {}
        version = body.get("expected_version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise ValidationError("field.bad_change", zh="版本应为整数。", en="expected_version must be an integer.")
        rec = await run_in_threadpool(lambda: auth.store().resolve_offline_conflict(
            actor, request.path_params["op_id"], action, expected_version=version, note=str(body.get("note") or "")))
        return _ok(rec.as_dict())

    async def logout(request: Request) -> Response:
        try:
            auth.guard(request, write=True)
        except Refused as r:
            return r.response
        session = request.cookies.get(COOKIE_NAME, "")
        device = request.cookies.get(DEVICE_COOKIE, "")
        try:
            await run_in_threadpool(lambda: auth.store().field_logout(
                session_token=session if len(session) <= 200 else "", device_token=device if len(device) <= 200 else "",
                client=client_of(request)))
        except (OneMapError, Denied):
            pass  # the cookies are cleared all the same
        response = _ok({"logged_out": True})
        secure = _secure(request, settings.https)
        response.delete_cookie(COOKIE_NAME, path=session_path, httponly=True, samesite="strict", secure=secure)
        response.delete_cookie(DEVICE_COOKIE, path=device_path, httponly=True, samesite="strict", secure=secure)
        return response

    return [
        Route(api + "/me", handler(me, write=False), methods=["GET"]),
        Route(api + "/device", handler(enroll, write=True), methods=["POST"]),
        Route(api + "/pack", handler(pack, write=False), methods=["GET"]),
        Route(api + "/changes", handler(change, write=True), methods=["POST"]),
        Route(api + "/readings", handler(readings, write=True), methods=["POST"]),
        Route(api + "/photos/{sha}", handler(photo_head, write=False), methods=["HEAD"]),
        Route(api + "/photos/{sha}", handler(photo_put, write=True), methods=["PUT"]),
        Route(api + "/conflicts/{op_id}/{action}", handler(resolve, write=True), methods=["POST"]),
        Route(api + "/logout", logout, methods=["POST"]),
    ]
