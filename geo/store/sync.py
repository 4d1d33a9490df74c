"""The offline field client in the store: changes synced once, conflicts kept, photos by hash, device tokens.

The model is ODK's offline entities: every change made offline carries an
op id and the site version it was based on.

* Applied exactly once. :meth:`SyncMixin.submit_offline_change` records the
  change by its op id (``field_changes``) and applies it through
  :meth:`change_status` — the same checks, history row and audit row as a
  change made in the app. Sent again (a retry, a replayed request), it is
  answered from the record and nothing changes.
* Never applied over a newer state. A change whose base version is not the
  site's current version (someone changed the site meanwhile), or that was
  made on top of an earlier offline change that did not apply, is not
  applied: it is kept as a **conflict** with both sides — the change as
  submitted and the site as it stood at sync time with the changes made
  since the base version. A reviewer or the inspector sees it; it is
  resolved by re-applying it on the current version or by discarding it,
  with who and when (:meth:`SyncMixin.resolve_offline_conflict`).
* Refused like in the app. A change the store refuses (a transition the
  workflow does not allow, a required field missing, an evidence gate) is
  kept with the store's message; the inspector sees why.
* Honest times. The capture time (the device's clock when the change was
  recorded, with the device's clock offset measured at sending) and the
  arrival time are kept on the record; the history row's ``changed_at`` stays
  the server's time of application, and its device fix is the capture's.

Photos arrive before the changes that cite them, named by the SHA-256 of the
bytes the device sent (:meth:`SyncMixin.record_field_photo` maps that hash to
the photo as stored by :func:`geo.photos.store_photo`), so none is uploaded
twice.

Device tokens: an inspector's device may sync without a live session, for
:data:`DEVICE_LIFETIME`, with a token made from a live session. Only the
token's SHA-256 is stored. A token ends when an administrator (or its owner)
revokes it, when the session it was made in ends by logout, password change,
role or town change or disabling (the store revokes those sessions), or when
it expires.

Plain SQL both SQLite and PostgreSQL accept (``?`` placeholders, ``ON
CONFLICT``, ISO text timestamps in UTC); the tables are made by schema step 7.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

from geo.clock import format_cst
from geo.errors import NotFoundError, OneMapError, PermissionDenied, ValidationError, VersionConflict
from geo.store import policy
from geo.store.base import Actor, Evidence
from geo.store.db import iso_utc, q, utc_now
from geo.store.tables import (
    FIELD_CHANGES_TABLE,
    FIELD_DEVICES_TABLE,
    FIELD_PHOTOS_TABLE,
    HISTORY_TABLE,
    INDEX_TABLE,
    SESSIONS_TABLE,
    USERS_TABLE,
)
from layers import get_spec

__all__ = [
    "DEVICE_LIFETIME",
    "OUTCOMES",
    "SOURCE_OFFLINE",
    "SOURCE_REAPPLIED",
    "Device",
    "OfflineChange",
    "OfflineRecord",
    "SyncMixin",
    "SyncOutcome",
]

#: A device token works this long after it was made (the client makes a new one whenever it is online with
#: a live session, so an inspector in the field for days keeps syncing). No national figure exists for this;
#: a month covers a field campaign, and an administrator can revoke a token at any time.
DEVICE_LIFETIME = timedelta(days=30)
#: ``last_seen`` is written at most this often.
_SEEN_GRANULARITY = timedelta(seconds=60)
#: History ``source`` of a change made offline, and of one re-applied after a conflict.
SOURCE_OFFLINE = "offline"
SOURCE_REAPPLIED = "offline_reapplied"
#: What becomes of a change sent by an offline client.
OUTCOMES = ("received", "applied", "conflict", "refused")
_FINAL = ("applied", "conflict", "refused")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class OfflineChange:
    """A status change recorded on a device and sent when a connection returned.

    Attributes
    ----------
    op_id : str
        The change's idempotency key, made on the device.
    site_id, to_status : str
    base_version : int
        The site version the change was made on (from the device's pack, or the
        version an earlier offline change of the same site leads to).
    after_op : str, optional
        The op id of the earlier offline change of the same site this one was
        made on top of (None when it was made on the pack's state).
    note : str
    changes : mapping
        Kind attributes entered with the change.
    photos : sequence of str
        SHA-256 of each photo as the device sent it (uploaded before).
    evidence : Evidence
        The capture's device fix (position, accuracy, time) and its distance to the site.
    captured_at : datetime
        The device's clock when the change was recorded.
    clock_offset_s : float, optional
        Server clock minus device clock, measured when the change was sent.
    device_id : str, optional
        The device token's public id, when the device synced with one.
    """

    op_id: str
    site_id: str
    base_version: int
    to_status: str
    captured_at: datetime
    note: str = ""
    changes: Mapping[str, Any] = field(default_factory=dict)
    photos: Sequence[str] = ()
    evidence: Evidence = field(default_factory=Evidence)
    after_op: str | None = None
    clock_offset_s: float | None = None
    device_id: str | None = None


@dataclass(frozen=True)
class OfflineRecord:
    """A change an offline client sent, as the store keeps it, with what became of it.

    ``outcome`` is ``applied``, ``conflict``, ``refused`` (or ``received``
    for a change whose application was interrupted). ``applied_at`` and
    ``applied_version`` come from the history row that applied it (also after
    a conflict re-applied). ``message`` is ``{"code", "zh", "en"}`` for a
    conflict or a refusal; ``server_state`` the site at sync time (conflicts).
    """

    op_id: str
    site_id: str
    kind: str
    actor: str
    device_id: str | None
    base_version: int
    after_op: str | None
    to_status: str
    submitted: Mapping[str, Any]
    captured_at: str
    clock_offset_s: float | None
    received_at: str
    outcome: str
    outcome_at: str
    history_id: int | None
    message: Mapping[str, Any] | None
    server_state: Mapping[str, Any] | None
    resolution: str | None
    resolved_at: str | None
    resolved_by: str | None
    resolution_note: str | None
    applied_at: str | None = None
    applied_version: int | None = None

    @property
    def open_conflict(self) -> bool:
        """A conflict nobody has resolved yet."""
        return self.outcome == "conflict" and self.resolution is None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (for the field client and exports)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {"open_conflict": self.open_conflict}


@dataclass(frozen=True)
class SyncOutcome:
    """The answer to one synced change: its record, and whether this request was a replay (nothing changed)."""

    record: OfflineRecord
    replay: bool

    @property
    def outcome(self) -> str:
        return self.record.outcome


@dataclass(frozen=True)
class Device:
    """A device token (never the token itself)."""

    device_id: str
    user_name: str
    label: str | None
    created_at: str
    expires_at: str
    last_seen: str
    client: str | None
    revoked_at: str | None
    revoked_by: str | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _loads(text):
    return json.loads(text) if text else None


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _evidence_dict(ev: Evidence) -> dict[str, Any]:
    return {"lon": ev.lon, "lat": ev.lat, "accuracy_m": ev.accuracy_m,
            "fix_time": iso_utc(ev.fix_time) if ev.fix_time else None, "distance_m": ev.distance_m,
            "remote": ev.remote}


def evidence_from(d: Mapping[str, Any] | None) -> Evidence:
    """The :class:`Evidence` kept in a record's ``submitted["evidence"]``."""
    d = d or {}
    return Evidence(lon=d.get("lon"), lat=d.get("lat"), accuracy_m=d.get("accuracy_m"),
                    fix_time=_ts(d.get("fix_time")), distance_m=d.get("distance_m"), remote=d.get("remote"))


def _message(exc: OneMapError) -> dict[str, Any]:
    return {"code": exc.code, "zh": exc.zh, "en": exc.en, "fix_zh": exc.fix_zh, "fix_en": exc.fix_en}


def _device(r) -> Device:
    return Device(r["device_id"], r["user_name"], r["label"], r["created_at"], r["expires_at"], r["last_seen"],
                  r["client"], r["revoked_at"], r["revoked_by"])


_RECORD_SQL = (f"SELECT f.*, h.changed_at AS applied_at, h.version AS applied_version FROM {FIELD_CHANGES_TABLE} f"
               f" LEFT JOIN {HISTORY_TABLE} h ON h.op_id = f.op_id")


def _record(r) -> OfflineRecord:
    outcome = r["outcome"]
    if outcome == "received" and r["applied_at"] is not None:
        outcome = "applied"  # applied, and the record of it was interrupted: the history row says so
    resolution = r["resolution"]
    if outcome == "conflict" and resolution is None and r["applied_at"] is not None:
        resolution = "reapplied"
    return OfflineRecord(
        op_id=r["op_id"], site_id=r["site_id"], kind=r["kind"], actor=r["actor"], device_id=r["device_id"],
        base_version=int(r["base_version"]), after_op=r["after_op"], to_status=r["to_status"],
        submitted=_loads(r["submitted"]) or {}, captured_at=r["captured_at"],
        clock_offset_s=r["clock_offset_s"], received_at=r["received_at"], outcome=outcome,
        outcome_at=r["outcome_at"], history_id=r["history_id"], message=_loads(r["message"]),
        server_state=_loads(r["server_state"]), resolution=resolution, resolved_at=r["resolved_at"],
        resolved_by=r["resolved_by"], resolution_note=r["resolution_note"], applied_at=r["applied_at"],
        applied_version=r["applied_version"],
    )


class SyncMixin:
    """Offline changes, their conflicts, photo uploads by hash and device tokens.

    Needs ``_read``/``_write``/``_effective``/``_audit`` and ``change_status`` from the store.
    """

    # -- who may use the field client ---------------------------------------------------
    def field_actor(self, actor: Actor) -> Actor:
        """The effective actor if it may use the offline field client (inspectors); PermissionDenied otherwise."""
        with self._read() as conn:
            eff = self._acting(conn, actor)
            self._check_field(eff)
            return eff

    @staticmethod
    def _check_field(eff: Actor) -> None:
        if eff.role not in policy.PERMISSIONS["field_sync"]:
            raise policy.denied(eff, "field_sync", code="field.inspectors_only",
                                en=f"The offline field client is for inspector accounts; {eff.name!r} is {eff.role}.",
                                zh=f"离线巡查仅供巡查员账号使用；“{eff.name}”的角色是 {eff.role}。")

    # -- the site as it stands, read inside a transaction -----------------------------------
    @staticmethod
    def _site_state(conn, site_id: str) -> dict[str, Any]:
        row = conn.execute(f"SELECT kind FROM {INDEX_TABLE} WHERE site_id = ?", (site_id,)).fetchone()
        if row is None:
            raise NotFoundError("site.not_found",
                                en=f"No site with id {site_id!r}; it may have been removed. Discard the change.",
                                zh=f"不存在编号为“{site_id}”的点位（可能已删除）；请放弃该变更。", value=site_id)
        spec = get_spec(row["kind"])
        common = ["site_id", "name", "town_code", "status", "version", "deadline", "updated_at", "updated_by"]
        cols = common + [f.name for f in spec.fields]
        r = conn.execute(f"SELECT {', '.join(q(c) for c in cols)} FROM {q(spec.key)} WHERE site_id = ?",
                         (site_id,)).fetchone()
        attrs = {}
        for f in spec.fields:
            v = r[f.name]
            attrs[f.name] = bool(v) if (f.type == "bool" and v is not None) else v
        return {"kind": spec.key, **{c: r[c] for c in common}, "attrs": attrs}

    @staticmethod
    def _changes_since(conn, site_id: str, version: int) -> list[dict[str, Any]]:
        rows = conn.execute(
            f"SELECT version, action, from_status, to_status, changed_at, actor, source, note, changes"
            f" FROM {HISTORY_TABLE} WHERE site_id = ? AND version > ? ORDER BY version", (site_id, int(version)))
        return [{"version": r["version"], "action": r["action"], "from_status": r["from_status"],
                 "to_status": r["to_status"], "changed_at": r["changed_at"], "actor": r["actor"],
                 "source": r["source"], "note": r["note"], "changes": _loads(r["changes"]) or {}} for r in rows]

    @staticmethod
    def _applied(conn, op_id: str | None):
        if not op_id:
            return None
        return conn.execute(f"SELECT id, site_id, version, changed_at FROM {HISTORY_TABLE} WHERE op_id = ?",
                            (op_id,)).fetchone()

    def _acting(self, conn, actor: Actor) -> Actor:
        """The account as it stands now, told to the database for this transaction (PostgreSQL's row-level
        security on ``field_changes``; a no-op on GeoPackage)."""
        eff = self._effective(conn, actor)
        self._actor_context(conn, eff)
        return eff

    def _get_record(self, conn, op_id: str) -> OfflineRecord | None:
        r = conn.execute(_RECORD_SQL + " WHERE f.op_id = ?", (op_id,)).fetchone()
        return _record(r) if r else None

    # -- syncing one change -------------------------------------------------------------
    def submit_offline_change(self, actor: Actor, change: OfflineChange) -> SyncOutcome:
        """Apply a change sent by an offline client once, or keep it as a conflict or a refusal.

        Parameters
        ----------
        actor : Actor
            The inspector the request was authenticated as.
        change : OfflineChange
            The change as recorded on the device (photos uploaded before).

        Returns
        -------
        SyncOutcome
            The change's record (``applied``, ``conflict`` or ``refused``) and
            whether this request was a replay of one already answered.

        Raises
        ------
        PermissionDenied
            Not an inspector, or the site is outside the inspector's towns
            (nothing is recorded but the ``auth.denied`` audit row).
        ValidationError
            ``op.reused`` (the op id belongs to another site or account),
            ``field.photo_missing`` (a photo was not uploaded yet; send it first).
        NotFoundError
            The site does not exist.
        """
        op_id = str(change.op_id or "").strip()
        if not op_id:
            raise ValidationError("op.missing_id", en="A synced change needs an op_id (idempotency key).",
                                  zh="同步的变更缺少操作编号（幂等键）。")
        now = iso_utc(utc_now())
        with self._write() as conn:
            eff = self._acting(conn, actor)
            self._check_field(eff)
            state = self._site_state(conn, change.site_id)
            policy.check(eff, "change_status", {state["town_code"]})
            known = self._get_record(conn, op_id)
            if known is not None:
                if known.actor != eff.name or known.site_id != change.site_id:
                    raise ValidationError(
                        "op.reused",
                        en=f"op_id {op_id!r} was already used for site {known.site_id} by {known.actor}; "
                           f"the device must make a new op id.",
                        zh=f"操作编号“{op_id}”已用于点位 {known.site_id}（{known.actor}）；设备须生成新的操作编号。",
                        value=op_id)
                raw = conn.execute(f"SELECT outcome FROM {FIELD_CHANGES_TABLE} WHERE op_id = ?", (op_id,)).fetchone()
                if raw["outcome"] in _FINAL:
                    return SyncOutcome(known, replay=True)
            stored_photos = self._stored_photos(conn, change.photos)
            stored_changes = self._stored_photo_fields(conn, state["kind"], change.changes)
            submitted = {
                "note": change.note, "changes": dict(change.changes), "stored_changes": stored_changes,
                "photos": list(change.photos), "stored_photos": stored_photos,
                "evidence": _evidence_dict(change.evidence),
                "captured_at": iso_utc(change.captured_at), "after_op": change.after_op,
            }
            done = self._applied(conn, op_id)
            if done is not None and done["site_id"] != change.site_id:
                raise ValidationError(
                    "op.reused", en=f"op_id {op_id!r} was already used for site {done['site_id']}; the device must "
                                    "make a new op id.",
                    zh=f"操作编号“{op_id}”已用于点位 {done['site_id']}；设备须生成新的操作编号。", value=op_id)
            if done is not None:  # applied before, its record interrupted: complete the record
                self._upsert(conn, eff, change, state["kind"], submitted, now, "applied", history_id=done["id"])
                self._audit(conn, eff, "field.applied", target=change.site_id,
                            details={"op_id": op_id, "history_id": done["id"], "repaired": True})
                return SyncOutcome(self._get_record(conn, op_id), replay=True)
            stale = self._stale(conn, change, state)
            if stale is not None:
                self._upsert(conn, eff, change, state["kind"], submitted, now, "conflict", message=stale,
                             server_state=self._server_state(conn, change, state))
                self._audit(conn, eff, "field.conflict", target=change.site_id, outcome="conflict",
                            details={"op_id": op_id, "base_version": change.base_version,
                                     "current_version": state["version"], "to": change.to_status,
                                     "captured_at": submitted["captured_at"]})
                return SyncOutcome(self._get_record(conn, op_id), replay=False)
            if known is None:
                self._upsert(conn, eff, change, state["kind"], submitted, now, "received")
                self._audit(conn, eff, "field.receive", target=change.site_id,
                            details={"op_id": op_id, "base_version": change.base_version, "to": change.to_status,
                                     "captured_at": submitted["captured_at"], "device_id": change.device_id})
        # The change itself: the same store method, checks, history and audit as a change made in the app.
        try:
            result = self.change_status(
                actor, change.site_id, change.to_status, expected_version=int(change.base_version), op_id=op_id,
                note=change.note, changes=stored_changes, evidence=change.evidence, source=SOURCE_OFFLINE,
                photos=stored_photos)
        except VersionConflict:
            # Someone changed the site between the check above and the change: a conflict all the same.
            return self._late_conflict(actor, change)
        except PermissionDenied:
            raise
        except OneMapError as exc:
            with self._write() as conn:
                eff = self._acting(conn, actor)
                self._finish(conn, op_id, "refused", message=_message(exc))
                self._audit(conn, eff, "field.refused", target=change.site_id, outcome="refused",
                            details={"op_id": op_id, "code": exc.code, "message": exc.en})
                return SyncOutcome(self._get_record(conn, op_id), replay=False)
        with self._write() as conn:
            eff = self._acting(conn, actor)
            self._finish(conn, op_id, "applied", history_id=result.entry.id)
            self._audit(conn, eff, "field.applied", target=change.site_id,
                        details={"op_id": op_id, "history_id": result.entry.id, "version": result.site.version})
            return SyncOutcome(self._get_record(conn, op_id), replay=not result.applied)

    def _late_conflict(self, actor: Actor, change: OfflineChange) -> SyncOutcome:
        now = iso_utc(utc_now())
        with self._write() as conn:
            eff = self._acting(conn, actor)
            state = self._site_state(conn, change.site_id)
            stale = self._stale(conn, change, state) or _version_message(change, state)
            conn.execute(f"UPDATE {FIELD_CHANGES_TABLE} SET outcome = 'conflict', outcome_at = ?, message = ?,"
                         " server_state = ? WHERE op_id = ?",
                         (now, _dumps(stale), _dumps(self._server_state(conn, change, state)), change.op_id))
            self._audit(conn, eff, "field.conflict", target=change.site_id, outcome="conflict",
                        details={"op_id": change.op_id, "base_version": change.base_version,
                                 "current_version": state["version"], "to": change.to_status})
            return SyncOutcome(self._get_record(conn, change.op_id), replay=False)

    def _stale(self, conn, change: OfflineChange, state: Mapping[str, Any]) -> dict[str, Any] | None:
        """Why ``change`` does not follow the site's current version (its message), or None when it does."""
        if change.after_op and self._applied(conn, change.after_op) is None:
            prev = conn.execute(f"SELECT outcome FROM {FIELD_CHANGES_TABLE} WHERE op_id = ?",
                                (change.after_op,)).fetchone()
            what_zh = {"conflict": "冲突", "refused": "被拒绝"}.get(prev["outcome"] if prev else "", "未同步")
            what_en = prev["outcome"] if prev else "not synced"
            return {"code": "field.after_unapplied",
                    "zh": f"点位 {change.site_id}：这条变更是在本机上一条变更（{what_zh}，未生效）之后记录的，"
                          "因此未应用，已保留待处理。",
                    "en": f"Site {change.site_id}: this change was recorded on top of an earlier change from this "
                          f"device that did not apply ({what_en}); it was not applied and is kept for review.",
                    "fix_zh": "先处理前一条冲突，再按当前版本重新提交或放弃本条。",
                    "fix_en": "Resolve the earlier conflict first, then re-apply this one on the current version "
                              "or discard it."}
        if int(state["version"]) != int(change.base_version):
            return _version_message(change, state)
        return None

    def _server_state(self, conn, change: OfflineChange, state: Mapping[str, Any]) -> dict[str, Any]:
        return {**state, "changes_since": self._changes_since(conn, change.site_id, change.base_version)}

    def _stored_photos(self, conn, hashes: Sequence[str]) -> list[str]:
        out, missing = [], []
        for h in hashes:
            r = conn.execute(f"SELECT photo_sha256 FROM {FIELD_PHOTOS_TABLE} WHERE upload_sha256 = ?",
                             (h,)).fetchone()
            if r is None:
                missing.append(h)
            else:
                out.append(r["photo_sha256"])
        if missing:
            raise ValidationError(
                "field.photo_missing",
                en=f"{len(missing)} photo(s) of this change have not arrived yet ({', '.join(m[:12] for m in missing)}…);"
                   " the device sends them first and then the change again.",
                zh=f"该变更的 {len(missing)} 张照片尚未上传完成；设备会先上传照片，再重新提交变更。",
                missing=missing)
        return out

    def _stored_photo_fields(self, conn, kind: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """``changes`` with each photo field's value (the hash of the bytes the device uploaded) turned into the
        stored photo's hash; ``field.photo_missing`` while that upload has not arrived.

        A value that is not a hash at all is left as sent: the store refuses it (``field.bad_photo``), naming
        the field, instead of the device waiting for an upload that can never come.
        """
        spec = get_spec(kind)
        out = dict(changes)
        for name, value in changes.items():
            fld = spec.field(name)
            if fld is not None and fld.photo and isinstance(value, str) and _SHA256.fullmatch(value):
                out[name] = self._stored_photos(conn, [value])[0]
        return out

    def _upsert(self, conn, eff: Actor, change: OfflineChange, kind: str, submitted: Mapping[str, Any], now: str,
                outcome: str, *, history_id: int | None = None, message=None, server_state=None) -> None:
        conn.execute(
            f"INSERT INTO {FIELD_CHANGES_TABLE} (op_id, site_id, kind, actor, device_id, base_version, after_op,"
            " to_status, submitted, captured_at, clock_offset_s, received_at, outcome, outcome_at, history_id,"
            " message, server_state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (op_id) DO UPDATE SET outcome = excluded.outcome, outcome_at = excluded.outcome_at,"
            " history_id = excluded.history_id, message = excluded.message, server_state = excluded.server_state",
            (change.op_id, change.site_id, kind, eff.name, change.device_id, int(change.base_version),
             change.after_op, change.to_status, _dumps(submitted), iso_utc(change.captured_at),
             change.clock_offset_s, now, outcome, now, history_id,
             _dumps(message) if message else None, _dumps(server_state) if server_state else None))

    @staticmethod
    def _finish(conn, op_id: str, outcome: str, *, history_id: int | None = None, message=None) -> None:
        conn.execute(f"UPDATE {FIELD_CHANGES_TABLE} SET outcome = ?, outcome_at = ?, history_id = ?, message = ?"
                     " WHERE op_id = ?",
                     (outcome, iso_utc(utc_now()), history_id, _dumps(message) if message else None, op_id))

    # -- reading what was synced -----------------------------------------------------------
    def offline_changes(self, actor: Actor, *, mine: bool = False, outcome: str | None = None,
                        open_conflicts: bool = False, limit: int | None = None) -> list[OfflineRecord]:
        """Changes sent by offline clients, newest arrival first.

        Parameters
        ----------
        mine : bool
            Only the acting account's (the field client's own list).
        outcome : str, optional
            One of :data:`OUTCOMES`.
        open_conflicts : bool
            Only conflicts nobody has resolved.
        """
        if outcome is not None and outcome not in OUTCOMES:
            raise ValidationError("field.unknown_outcome", en=f"Unknown outcome {outcome!r}; use one of {OUTCOMES}.",
                                  zh=f"未知的同步结果“{outcome}”；可用：{'、'.join(OUTCOMES)}。", value=outcome)
        with self._read() as conn:
            eff = self._acting(conn, actor)
            policy.check(eff, "read")
            sql, args = _RECORD_SQL + " WHERE 1=1", []
            if mine:
                sql += " AND f.actor = ?"
                args.append(eff.name)
            if outcome is not None:
                sql += " AND f.outcome = ?"
                args.append(outcome)
            if open_conflicts:
                sql += " AND f.outcome = 'conflict' AND f.resolution IS NULL AND h.id IS NULL"
            sql += " ORDER BY f.received_at DESC, f.op_id"
            if limit:
                sql += f" LIMIT {int(limit)}"
            return [_record(r) for r in conn.execute(sql, args)]

    def offline_change(self, actor: Actor, op_id: str) -> OfflineRecord:
        """One synced change by its op id (NotFoundError when there is none)."""
        with self._read() as conn:
            policy.check(self._effective(conn, actor), "read")
            rec = self._get_record(conn, op_id)
        if rec is None:
            raise NotFoundError("field.no_such_change", en=f"No synced change with op id {op_id!r}.",
                                zh=f"没有操作编号为“{op_id}”的离线变更。", value=op_id)
        return rec

    # -- resolving a conflict -----------------------------------------------------------------
    def resolve_offline_conflict(self, actor: Actor, op_id: str, action: str, *, expected_version: int | None = None,
                                 note: str = "") -> OfflineRecord:
        """Resolve a conflict: ``reapply`` it on the site's current version, or ``discard`` it.

        Parameters
        ----------
        actor : Actor
            Re-applying is a status change of the site (an inspector of its town or an
            administrator); discarding is for the inspector who made the change or an administrator.
        op_id : str
            The conflict's op id.
        action : {"reapply", "discard"}
        expected_version : int
            For ``reapply``: the site version the resolver reviewed (a change made meanwhile is refused
            with the current state, as in the app).
        note : str
            Why (kept with the resolution).

        Raises
        ------
        ValidationError
            ``field.not_open_conflict`` (already resolved, or not a conflict), an unknown action, or
            whatever the store refuses when the change is re-applied (a transition the current status
            does not allow ...).
        VersionConflict
            The site changed after the resolver reviewed it.
        """
        if action not in ("reapply", "discard"):
            raise ValidationError("field.unknown_resolution", en=f"Unknown resolution {action!r}; use reapply or discard.",
                                  zh=f"未知的处理方式“{action}”；可用：reapply（重新提交）、discard（放弃）。", value=action)
        rec = self.offline_change(actor, op_id)
        if not rec.open_conflict:
            raise ValidationError(
                "field.not_open_conflict",
                en=f"Change {op_id} is not an open conflict ({rec.outcome}"
                   f"{', ' + rec.resolution + ' by ' + str(rec.resolved_by) if rec.resolution else ''}); nothing to do.",
                zh=f"变更 {op_id} 不是待处理的冲突（{rec.outcome}"
                   f"{'，已由 ' + str(rec.resolved_by) + ' 处理' if rec.resolution else ''}），无需处理。",
                value=op_id)
        from geo.domain.attributes import check_note

        note = check_note((note or "").strip() or None) or ""  # control characters refused, at most 2,000
        if action == "discard":
            with self._write() as conn:
                eff = self._acting(conn, actor)
                if eff.role not in ("admin", "system") and eff.name != rec.actor:
                    raise policy.denied(eff, "change_status", code="field.discard_denied",
                                        en=f"Only {rec.actor} (who made the change) or an administrator may discard it.",
                                        zh=f"只有变更人（{rec.actor}）或管理员可以放弃该变更。", target=rec.site_id)
                cur = conn.execute(
                    f"UPDATE {FIELD_CHANGES_TABLE} SET resolution = 'discarded', resolved_at = ?, resolved_by = ?,"
                    " resolution_note = ? WHERE op_id = ? AND resolution IS NULL",
                    (iso_utc(utc_now()), eff.name, note or None, op_id))
                if cur.rowcount != 1:
                    raise ValidationError("field.not_open_conflict", en=f"Change {op_id} was resolved meanwhile.",
                                          zh=f"变更 {op_id} 已被他人处理。", value=op_id)
                self._audit(conn, eff, "field.conflict.discard", target=rec.site_id,
                            details={"op_id": op_id, "note": note or None})
                return self._get_record(conn, op_id)
        if expected_version is None:
            raise ValidationError("field.version_needed",
                                  en="Re-applying needs the site version you reviewed (expected_version).",
                                  zh="重新提交需要注明您审阅时的点位版本。")
        sub = rec.submitted
        when = sub.get("captured_at", rec.captured_at)
        full_note = "；".join(x for x in (
            sub.get("note") or "", f"离线采集于 {when}（{rec.actor}），冲突处理后按版本 {expected_version} 重新提交",
            note) if x)
        # The op id of the conflict: re-applying twice applies once.
        result = self.change_status(
            actor, rec.site_id, rec.to_status, expected_version=int(expected_version), op_id=op_id, note=full_note,
            changes=sub.get("stored_changes", sub.get("changes")) or {}, evidence=evidence_from(sub.get("evidence")),
            source=SOURCE_REAPPLIED,
            photos=sub.get("stored_photos") or ())
        with self._write() as conn:
            eff = self._acting(conn, actor)
            conn.execute(
                f"UPDATE {FIELD_CHANGES_TABLE} SET resolution = 'reapplied', resolved_at = ?, resolved_by = ?,"
                " resolution_note = ?, history_id = ? WHERE op_id = ? AND resolution IS NULL",
                (iso_utc(utc_now()), eff.name, note or None, result.entry.id, op_id))
            self._audit(conn, eff, "field.conflict.reapply", target=rec.site_id,
                        details={"op_id": op_id, "history_id": result.entry.id, "version": result.site.version,
                                 "note": note or None})
            return self._get_record(conn, op_id)

    # -- photos by content hash -------------------------------------------------------------------
    def field_photo(self, actor: Actor, upload_sha256: str) -> str | None:
        """The stored photo's hash for a photo uploaded as ``upload_sha256``, or None when it has not arrived."""
        with self._read() as conn:
            self._check_field(self._effective(conn, actor))
            r = conn.execute(f"SELECT photo_sha256 FROM {FIELD_PHOTOS_TABLE} WHERE upload_sha256 = ?",
                             (upload_sha256,)).fetchone()
        return r["photo_sha256"] if r else None

    def record_field_photo(self, actor: Actor, upload_sha256: str, photo_sha256: str, size: int) -> str:
        """Record that the device's photo ``upload_sha256`` is stored as ``photo_sha256``; returns the stored hash.

        A photo already recorded keeps its first record (two devices sending the same bytes: stored once).
        """
        with self._write() as conn:
            eff = self._acting(conn, actor)
            self._check_field(eff)
            r = conn.execute(
                f"INSERT INTO {FIELD_PHOTOS_TABLE} (upload_sha256, photo_sha256, bytes, uploaded_by, uploaded_at)"
                " VALUES (?,?,?,?,?) ON CONFLICT (upload_sha256) DO NOTHING RETURNING photo_sha256",
                (upload_sha256, photo_sha256, int(size), eff.name, iso_utc(utc_now()))).fetchone()
            if r is None:
                return conn.execute(f"SELECT photo_sha256 FROM {FIELD_PHOTOS_TABLE} WHERE upload_sha256 = ?",
                                    (upload_sha256,)).fetchone()["photo_sha256"]
            self._audit(conn, eff, "field.photo", target=photo_sha256,
                        details={"upload_sha256": upload_sha256, "bytes": int(size)})
            return photo_sha256

    # -- device tokens ----------------------------------------------------------------------------
    def enroll_device(self, session_token: str, *, label: str = "", client: str = "",
                      replaces: str | None = None) -> tuple[Device, str]:
        """Make a device token from a live session of an inspector; returns the device and the token (once).

        ``replaces``: the token the device held before (revoked now, if it is this account's).
        """
        now = utc_now()
        session = token_hash(session_token)
        token = secrets.token_urlsafe(32)
        device_id = secrets.token_hex(8)
        with self._write() as conn:
            row = conn.execute(f"SELECT user_name, revoked_at FROM {SESSIONS_TABLE} WHERE token_hash = ?",
                               (session,)).fetchone()
            if row is None or row["revoked_at"]:
                raise PermissionDenied("auth.session_ended", en="Your session has ended; please log in again.",
                                       zh="会话已结束，请重新登录。")
            eff = self._effective(conn, Actor(row["user_name"], role="inspector", client=client))
            self._check_field(eff)
            if replaces:
                conn.execute(f"UPDATE {FIELD_DEVICES_TABLE} SET revoked_at = ?, revoked_by = ?"
                             " WHERE token_hash = ? AND user_name = ? AND revoked_at IS NULL",
                             (iso_utc(now), eff.name, token_hash(replaces), eff.name))
            conn.execute(
                f"INSERT INTO {FIELD_DEVICES_TABLE} (device_id, token_hash, user_name, label, session_hash,"
                " created_at, expires_at, last_seen, client) VALUES (?,?,?,?,?,?,?,?,?)",
                (device_id, token_hash(token), eff.name, (label or "")[:80] or None, session, iso_utc(now),
                 iso_utc(now + DEVICE_LIFETIME), iso_utc(now), client or None))
            self._audit(conn, eff, "field.device.enroll", target=eff.name,
                        details={"device_id": device_id, "label": label or None})
            r = conn.execute(f"SELECT * FROM {FIELD_DEVICES_TABLE} WHERE device_id = ?", (device_id,)).fetchone()
        return _device(r), token

    def device_actor(self, token: str, *, client: str = "") -> tuple[Actor, str]:
        """The account and device id of a live device token; PermissionDenied ``auth.device_ended`` otherwise."""
        ended = PermissionDenied("auth.device_ended",
                                 en="This device's sign-in has ended; log in again on the one map while online.",
                                 zh="本设备的登录已失效；请联网后在一张图重新登录。")
        if not token or len(token) > 200:
            raise ended
        now = utc_now()
        with self._read() as conn:
            r = conn.execute(
                f"SELECT d.*, u.role, u.towns, u.disabled, s.revoked_at AS session_revoked"
                f" FROM {FIELD_DEVICES_TABLE} d JOIN {USERS_TABLE} u ON u.name = d.user_name"
                f" LEFT JOIN {SESSIONS_TABLE} s ON s.token_hash = d.session_hash WHERE d.token_hash = ?",
                (token_hash(token),)).fetchone()
        if (r is None or r["revoked_at"] or r["disabled"] or r["session_revoked"]
                or now >= _ts(r["expires_at"])):
            raise ended
        if now - _ts(r["last_seen"]) > _SEEN_GRANULARITY:
            with self._write() as conn:
                conn.execute(f"UPDATE {FIELD_DEVICES_TABLE} SET last_seen = ? WHERE device_id = ?",
                             (iso_utc(now), r["device_id"]))
        return Actor(r["user_name"], r["role"], tuple(json.loads(r["towns"] or "[]")), client), r["device_id"]

    def list_devices(self, actor: Actor, *, user: str | None = None, include_ended: bool = False) -> list[Device]:
        """Device tokens: an administrator sees every account's, an inspector their own."""
        with self._read() as conn:
            eff = self._acting(conn, actor)
            if eff.role not in ("admin", "system"):
                self._check_field(eff)
                user = eff.name
            sql, args = f"SELECT * FROM {FIELD_DEVICES_TABLE} WHERE 1=1", []
            if user:
                sql += " AND user_name = ?"
                args.append(user)
            if not include_ended:
                sql += " AND revoked_at IS NULL AND expires_at > ?"
                args.append(iso_utc(utc_now()))
            return [_device(r) for r in conn.execute(sql + " ORDER BY created_at DESC", args)]

    def revoke_device(self, actor: Actor, device_id: str) -> Device:
        """End a device token (an administrator, or the account it belongs to)."""
        with self._write() as conn:
            eff = self._acting(conn, actor)
            r = conn.execute(f"SELECT * FROM {FIELD_DEVICES_TABLE} WHERE device_id = ?", (device_id,)).fetchone()
            if r is None:
                raise NotFoundError("field.no_such_device",
                                    en=f"No device {device_id!r}; see `python cli.py device list --as NAME`.",
                                    zh=f"没有设备“{device_id}”；可运行 `python cli.py device list --as 账号` 查看。", value=device_id)
            if eff.role not in ("admin", "system") and eff.name != r["user_name"]:
                raise policy.denied(eff, "manage_users", en="Only an administrator may revoke another account's device.",
                                    zh="只有管理员可以注销他人的设备。", target=device_id)
            if not r["revoked_at"]:
                conn.execute(f"UPDATE {FIELD_DEVICES_TABLE} SET revoked_at = ?, revoked_by = ? WHERE device_id = ?",
                             (iso_utc(utc_now()), eff.name, device_id))
                self._audit(conn, eff, "field.device.revoke", target=r["user_name"], details={"device_id": device_id})
            return _device(conn.execute(f"SELECT * FROM {FIELD_DEVICES_TABLE} WHERE device_id = ?",
                                        (device_id,)).fetchone())

    def field_logout(self, *, session_token: str = "", device_token: str = "", client: str = "") -> None:
        """The field client's logout: end the session and the device token it carries (each if valid)."""
        if device_token:
            with self._write() as conn:
                r = conn.execute(f"SELECT * FROM {FIELD_DEVICES_TABLE} WHERE token_hash = ? AND revoked_at IS NULL",
                                 (token_hash(device_token),)).fetchone()
                if r is not None:
                    conn.execute(f"UPDATE {FIELD_DEVICES_TABLE} SET revoked_at = ?, revoked_by = ? WHERE device_id = ?",
                                 (iso_utc(utc_now()), r["user_name"], r["device_id"]))
                    self._audit(conn, Actor(r["user_name"], client=client), "field.device.revoke",
                                target=r["user_name"], details={"device_id": r["device_id"], "by": "logout"})
        if session_token:
            self.logout(session_token, client=client)


def _version_message(change: OfflineChange, state: Mapping[str, Any]) -> dict[str, Any]:
    spec = get_spec(state["kind"])
    try:
        cur_zh = spec.status(state["status"]).zh
    except OneMapError:
        cur_zh = state["status"]
    return {
        "code": "field.stale_version",
        "zh": (f"点位 {change.site_id} 在您离线期间已被修改（您基于版本 {change.base_version}，当前版本 {state['version']}："
               f"“{cur_zh}”，由 {state['updated_by']} 于 {format_cst(state['updated_at'])} 修改）；本条未应用，已保留待处理。"),
        "en": (f"Site {change.site_id} changed while you were offline (your version {change.base_version}, now "
               f"{state['version']}: {state['status']} by {state['updated_by']} at {format_cst(state['updated_at'])} CST); "
               "this change was not applied and is kept for review."),
        "fix_zh": "核对双方内容后，按当前版本重新提交或放弃本条。",
        "fix_en": "Compare both sides, then re-apply it on the current version or discard it.",
    }
