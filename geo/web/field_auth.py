"""Who is asking, for the offline field client: the session cookie, or the device token of a field device.

A device token (``onemap_field_device``: HttpOnly, SameSite=Strict, path
``field/``) is made from a live session (:meth:`geo.store.sync.SyncMixin.enroll_device`),
so a device keeps syncing after the session idled out; only its SHA-256 is
in the store, and it ends with revocation, logout, a password change or its
age. Every answer that refuses says why in both languages — and a request
without a valid session or token learns nothing else.

The API also refuses any request without ``X-Requested-With: onemap-field``
(a page of another site cannot add that header without the browser asking
this server first, which it never allows) and any write whose ``Origin`` is
another site.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from geo.errors import NotFoundError, OneMapError, PermissionDenied, StoreError, ValidationError, VersionConflict
from geo.store.base import Actor
from geo.web.access import Access, client_of
from geo.web.signin import same_origin

__all__ = ["DEVICE_COOKIE", "CLIENT_HEADER", "FieldAuth", "Refused", "error_response", "refusal"]

DEVICE_COOKIE = "onemap_field_device"
#: The header every request of the field client carries (and its value).
CLIENT_HEADER = ("x-requested-with", "onemap-field")
_NO_STORE = {"Cache-Control": "no-store"}


class Refused(Exception):
    """A request the field API answers with ``status`` and a bilingual message."""

    def __init__(self, status: int, code: str, *, zh: str, en: str, fix_zh: str = "", fix_en: str = ""):
        super().__init__(code)
        self.status = status
        self.body = {"code": code, "zh": zh, "en": en, "fix_zh": fix_zh, "fix_en": fix_en}

    @property
    def response(self) -> Response:
        return JSONResponse(self.body, status_code=self.status, headers=_NO_STORE)


def refusal(status: int, exc: OneMapError) -> Refused:
    return Refused(status, exc.code, zh=exc.zh, en=exc.en, fix_zh=exc.fix_zh, fix_en=exc.fix_en)


def error_response(exc: OneMapError) -> Response:
    """The API's answer to a refused operation: 403, 404, 409, 422 or 503 with the store's message."""
    if isinstance(exc, PermissionDenied):
        status = 403
    elif isinstance(exc, NotFoundError):
        status = 404
    elif isinstance(exc, VersionConflict) or exc.code == "field.photo_missing":
        status = 409
    elif isinstance(exc, ValidationError):
        status = 422
    elif isinstance(exc, StoreError):
        status = 503
    else:
        status = 422
    return refusal(status, exc).response


_LOGIN = Refused(401, "auth.login_required", zh="请先在一张图登录巡查员账号。", en="Please sign in as an inspector first.",
                 fix_zh="联网后打开一张图的“账号”页登录，再返回离线巡查。",
                 fix_en="While online, sign in on the one map's account page, then come back.")


class FieldAuth:
    """Resolves the field client's requests to an inspector (one or two short store reads per request)."""

    def __init__(self, access: Access):
        self.access = access

    def store(self):
        return self.access.store()

    def guard(self, request: Request, *, write: bool) -> None:
        """Refuse requests not made by the field client's own pages (403)."""
        name, value = CLIENT_HEADER
        if request.headers.get(name, "").lower() != value or (write and not same_origin(request)):
            raise Refused(403, "field.bad_request", zh="请求不是由离线巡查页面发出，已拒绝。",
                          en="The request did not come from the field client's page; refused.")

    def who(self, request: Request) -> tuple[Actor, str, str | None]:
        """``(actor, via, device_id)``: the inspector of the session (``via="session"``) or of the device token.

        Raises
        ------
        Refused
            401 without a live session or device token; 403 for an account that is not an inspector.
        Denied
            503 while the store is missing.
        """
        actor = self.access.session_actor(request)
        via, device_id = "session", None
        if actor is None:
            token = request.cookies.get(DEVICE_COOKIE, "")
            if not token:
                raise _LOGIN
            try:
                actor, device_id = self.store().device_actor(token, client=client_of(request))
            except PermissionDenied:
                raise _LOGIN from None
            via = "device"
        try:
            eff = self.store().field_actor(actor)
        except PermissionDenied as exc:
            raise refusal(403, exc) from exc
        return Actor(eff.name, eff.role, eff.towns, client_of(request)), via, device_id

    def device(self, request: Request):
        """The live device token of the request, if any (its :class:`~geo.store.sync.Device`), else None."""
        token = request.cookies.get(DEVICE_COOKIE, "")
        if not token:
            return None
        store = self.store()
        try:
            actor, device_id = store.device_actor(token)
        except PermissionDenied:
            return None
        return next((d for d in store.list_devices(actor) if d.device_id == device_id), None)

    def reader(self, request: Request) -> Actor:
        """Who may read the base geography: a field device, or whoever the app lets read (:meth:`Access.reader`)."""
        try:
            return self.who(request)[0]
        except Refused:
            return self.access.reader(request)

