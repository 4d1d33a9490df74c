"""Monitoring tables: one per declared spec, append-only, written like every change (who, when, audit row).

Decided: **rows are never changed or deleted.** A correction is a new row
(``action = 'correct'``) that ``replaces`` the row it corrects; a void is a row
(``action = 'void'``) that replaces one with nothing; both need a reason. The
rows in force are those no later row replaces (voids left out):
:func:`geo.domain.monitoring.current_rows`. So a past day's readings can be
rebuilt exactly (the as-of replay), and nothing measured is ever lost. Triggers
refuse UPDATE and DELETE on every monitoring table.

Every write is one ``BEGIN IMMEDIATE`` transaction with its audit row. In the
same transaction the kind's automatic evidence gates are evaluated for every
site the write touched: a black-odorous result after 初见成效 opens 返黑返臭 by
itself, with its own history row (source ``evidence``). An import is a batch
(``import_batches`` with the spec's key as its kind) and can be undone: its rows
are voided (and a status it opened is put back, if nothing changed the site
since).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Sequence

from geo.domain.monitoring import check_date, check_values, current_rows, row_error
from geo.errors import NotFoundError, ValidationError
from geo.store.base import Actor, NewObservation, Observation
from geo.store.db import iso_utc, q as _q, utc_now
from geo.store.gating import observation_from_row
from geo.store.tables import AUDIT_TABLE, BATCHES_TABLE, HISTORY_TABLE, INDEX_TABLE
from layers import OBSERVATIONS, get_observation_spec, get_spec
from layers.observation import ObservationSpec

__all__ = ["ObservationsMixin", "ObservationWrite", "OfflineReadingsRecord"]

_CST = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class ObservationWrite:
    """What a write of observations did.

    Attributes
    ----------
    spec : str
    obs_ids : tuple of int
        The rows written (empty when ``applied`` is False).
    sites : tuple of str
        The sites they are about.
    batch_id : str or None
        The import batch (imports only).
    status_changes : tuple of dict
        Statuses the automatic gates changed: ``site_id``, ``from``, ``to``, ``history_id``, ``evidence``.
    applied : bool
        False when the same ``op_id`` had already been written (a double tap): nothing was written again.
    """

    spec: str
    obs_ids: tuple[int, ...]
    sites: tuple[str, ...]
    batch_id: str | None = None
    status_changes: tuple[dict, ...] = ()
    applied: bool = True
    replaced: tuple[int, ...] = field(default=())


def _identity(spec: ObservationSpec, site_id: str, observed_on: str, observed_time: str | None,
              values: Mapping[str, Any]) -> tuple:
    return spec.identity_key(site_id, observed_on, observed_time, values)


@dataclass(frozen=True)
class OfflineReadingsRecord:
    """A day of readings the offline client sent, as its audit row keeps it (the dashboard's 离线同步).

    Attributes
    ----------
    op_id, table, site_id, actor : str
        The device's op id, the monitoring table, the site, the inspector.
    received_at : str
        UTC ISO: when the server wrote the rows.
    captured_at : str or None
        UTC ISO by the device's clock: when the day was saved on the device.
    clock_offset_s : float or None
        Server clock minus the device's when it was sent.
    rows : int
    obs_ids : tuple of int
    distance_m : float or None
        The device position's distance to the site (None without a position).
    remote : bool
        Taken away from the site, or without a position.
    status_changes : tuple of dict
        Statuses the readings moved (automatic evidence gates).
    """

    op_id: str
    table: str
    site_id: str
    actor: str
    received_at: str
    captured_at: str | None
    clock_offset_s: float | None
    rows: int
    obs_ids: tuple[int, ...]
    distance_m: float | None
    remote: bool
    status_changes: tuple[dict, ...] = ()


#: How the audit row of readings sent by the offline client is found (``capture.via``, see ``record_observations``).
_OFFLINE_CAPTURE = '%"via": "offline"%'


class ObservationsMixin:
    """Reads and writes the monitoring tables. Needs the store's ``_write``/``_read``/``_allow``/``_audit``."""

    # -- reads -------------------------------------------------------------
    def list_observations(self, actor: Actor, spec_key: str, site_ids: Sequence[str] | None = None, *,
                          include_replaced: bool = False) -> list[Observation]:
        """Rows of a monitoring table, oldest first: the current ones, or every row (corrections and voids too).

        Parameters
        ----------
        spec_key : str
            The observation spec key (or its CLI name).
        site_ids : sequence of str, optional
            Only these sites (None: all).
        include_replaced : bool
            Every row ever written, for the as-of replay and the audit trail.
        """
        spec = get_observation_spec(spec_key)
        with self._read() as conn:
            self._allow(conn, actor, "read")
            sql, args = f"SELECT * FROM {_q(spec.key)}", []
            if site_ids is not None:
                ids = list(site_ids)
                if not ids:
                    return []
                sql += f" WHERE site_id IN ({', '.join('?' * len(ids))})"
                args = ids
            rows = [observation_from_row(spec, r) for r in conn.execute(sql + " ORDER BY obs_id", args)]
        return rows if include_replaced else current_rows(rows)

    def offline_readings(self, actor: Actor, *, limit: int | None = None) -> list[OfflineReadingsRecord]:
        """Days of readings sent by offline clients, newest first (from their audit rows: who, when, where)."""
        with self._read() as conn:
            self._allow(conn, actor, "read")
            sql = (f"SELECT * FROM {AUDIT_TABLE} WHERE action = 'obs.add' AND outcome = 'ok' AND details LIKE ?"
                   " ORDER BY id DESC")
            if limit:
                sql += f" LIMIT {int(limit)}"
            rows = conn.execute(sql, (_OFFLINE_CAPTURE,)).fetchall()
        out = []
        for r in rows:
            d = json.loads(r["details"] or "{}")
            cap = d.get("capture") or {}
            if cap.get("via") != "offline":
                continue
            fix = cap.get("fix") or {}
            out.append(OfflineReadingsRecord(
                op_id=d.get("op_id") or "", table=d.get("spec") or "", site_id=(d.get("sites") or [r["target"]])[0],
                actor=r["actor"], received_at=r["at"], captured_at=cap.get("captured_at"),
                clock_offset_s=cap.get("clock_offset_s"), rows=int(d.get("rows") or 0),
                obs_ids=tuple(d.get("obs_ids") or ()), distance_m=fix.get("distance_m"),
                remote=bool(cap.get("remote", True)), status_changes=tuple(d.get("status_changes") or ())))
        return out

    def all_observations(self, actor: Actor) -> dict[str, list[Observation]]:
        """Every row of every monitoring table (corrections and voids included), by spec key."""
        return {key: self.list_observations(actor, key, include_replaced=True) for key in OBSERVATIONS}

    # -- writes ------------------------------------------------------------
    def record_observations(self, actor: Actor, spec_key: str, rows: Sequence[NewObservation], *, op_id: str,
                            source: str = "field", recorded_at: datetime | None = None,
                            context: Mapping[str, Any] | None = None) -> ObservationWrite:
        """Write observations entered by hand (field form, offline client, CLI) in one transaction.

        Inspectors record for the sites of their towns; the same ``op_id``
        twice writes once. ``recorded_at`` backdates the rows (system only:
        sample data). ``context`` goes into the audit row under ``capture``:
        where the readings were entered (the device position and whether it
        is on site) and, from the offline client, when (its capture time and
        clock offset).

        Raises
        ------
        ValidationError
            A row about an unknown site or a site of another kind, a bad
            value, a duplicate of a current row (``obs.duplicate``: correct the
            stored row instead) — nothing written.
        PermissionDenied
            Outside the inspector's towns, or a reviewer/guest.
        """
        if not op_id or not str(op_id).strip():
            raise ValidationError("op.missing_id", en="Recording observations needs an op_id (idempotency key).",
                                  zh="录入监测数据缺少操作编号（幂等键）。")
        spec = get_observation_spec(spec_key)
        rows = list(rows)
        if not rows:
            raise ValidationError("obs.empty", en="No observation to record.", zh="没有可保存的监测数据。")
        when = self._when(actor, recorded_at)
        with self._write() as conn:
            towns = self._towns_of(conn, spec, rows)
            eff = self._allow(conn, actor, "record_observations", towns)
            done = conn.execute(f"SELECT obs_id, site_id FROM {_q(spec.key)} WHERE op_id = ? ORDER BY obs_id",
                                (op_id,)).fetchall()
            if done:
                return ObservationWrite(spec.key, tuple(r["obs_id"] for r in done),
                                        tuple(dict.fromkeys(r["site_id"] for r in done)), applied=False)
            ids = self._insert_rows(conn, eff, spec, rows, when=when, source=source, op_id=op_id,
                                    is_sample=source == "sample" and eff.role == "system")
            sites = tuple(dict.fromkeys(r.site_id for r in rows))
            changes = self._apply_automatic_gates(conn, eff, sites, when, source=source)
            self._audit(conn, eff, "obs.add", target=sites[0] if len(sites) == 1 else None,
                        details={"spec": spec.key, "rows": len(ids), "obs_ids": ids[:50], "sites": list(sites)[:50],
                                 "op_id": op_id, "source": source, "status_changes": changes,
                                 **({"capture": dict(context)} if context else {})})
        return ObservationWrite(spec.key, tuple(ids), sites, status_changes=tuple(changes))

    def import_observations(self, actor: Actor, spec_key: str, rows: Sequence[NewObservation], *,
                            source_name: str) -> ObservationWrite:
        """Write checked rows of an imported file as one batch in one transaction (administrators).

        Raises
        ------
        ValidationError
            As :meth:`record_observations`, naming the file row — nothing written.
        """
        spec = get_observation_spec(spec_key)
        rows = list(rows)
        if not rows:
            raise ValidationError("import.empty", en="Nothing to import: the file gave no row that can be written.",
                                  zh="没有可导入的行：文件中没有可写入的监测数据。")
        now = utc_now()
        when = iso_utc(now)
        batch_id = f"IMP-{now.astimezone(_CST):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        with self._write() as conn:
            eff = self._allow(conn, actor, "import")
            ids = self._insert_rows(conn, eff, spec, rows, when=when, source="import", batch_id=batch_id)
            sites = tuple(dict.fromkeys(r.site_id for r in rows))
            changes = self._apply_automatic_gates(conn, eff, sites, when, source="import", batch_id=batch_id)
            counts = {"created": len(ids), "updated": 0, "unchanged": 0, "skipped": 0, "sites": len(sites),
                      "status_changes": len(changes)}
            conn.execute(f"INSERT INTO {BATCHES_TABLE} (batch_id, created_at, actor, source_name, kind, counts)"
                         " VALUES (?,?,?,?,?,?)", (batch_id, when, eff.name, source_name, spec.key, json.dumps(counts)))
            self._audit(conn, eff, "import", target=batch_id,
                        details={"kind": spec.key, "source_name": source_name, **counts, "site_ids": list(sites)[:50],
                                 "status_changes": changes})
        return ObservationWrite(spec.key, tuple(ids), sites, batch_id=batch_id, status_changes=tuple(changes))

    def correct_observation(self, actor: Actor, spec_key: str, obs_id: int, *, reason: str,
                            values: Mapping[str, Any] | None = None, observed_on: str | None = None,
                            observed_time: str | None = None) -> ObservationWrite:
        """Replace a current row by a corrected one (the old row stays, replaced); administrators.

        ``values`` may name only the fields that change; the rest are carried over.
        """
        return self._replace(actor, spec_key, obs_id, reason=reason, action="correct", values=values,
                             observed_on=observed_on, observed_time=observed_time)

    def void_observation(self, actor: Actor, spec_key: str, obs_id: int, *, reason: str) -> ObservationWrite:
        """Withdraw a current row (a void row replaces it; the old row stays); administrators."""
        return self._replace(actor, spec_key, obs_id, reason=reason, action="void")

    # -- helpers -----------------------------------------------------------
    def _towns_of(self, conn, spec: ObservationSpec, rows: Sequence[NewObservation]) -> set[str]:
        towns = set()
        for r in rows:
            kind_spec = self._site_kind_for_obs(conn, spec, r)
            towns.add(conn.execute(f"SELECT town_code FROM {_q(kind_spec.key)} WHERE site_id = ?",
                                   (r.site_id,)).fetchone()["town_code"])
        return towns

    def _site_kind_for_obs(self, conn, spec: ObservationSpec, r: NewObservation):
        where_zh = f"第 {r.row} 行：" if r.row is not None else ""
        where_en = f"Row {r.row}: " if r.row is not None else ""
        idx = conn.execute(f"SELECT kind FROM {INDEX_TABLE} WHERE site_id = ?", (r.site_id,)).fetchone()
        if idx is None:
            raise NotFoundError("site.not_found", en=f"{where_en}no site with id {r.site_id!r}; nothing was written.",
                                zh=f"{where_zh}不存在编号为“{r.site_id}”的点位；未写入任何数据。", value=r.site_id,
                                row=r.row)
        if idx["kind"] != spec.site_kind:
            other, own = get_spec(idx["kind"]), get_spec(spec.site_kind)
            raise ValidationError(
                "obs.wrong_kind", en=f"{where_en}{r.site_id} is a {other.en} site; {spec.en} are about {own.en}.",
                zh=f"{where_zh}{r.site_id} 是{other.zh}，{spec.zh}只能记录{own.zh}。", value=r.site_id, row=r.row)
        return get_spec(idx["kind"])

    def _current_identities(self, conn, spec: ObservationSpec, site_ids) -> dict[tuple, int]:
        ids = sorted(set(site_ids))
        rows = conn.execute(f"SELECT * FROM {_q(spec.key)} WHERE site_id IN ({', '.join('?' * len(ids))})", ids)
        current = current_rows([observation_from_row(spec, r) for r in rows])
        return {_identity(spec, o.site_id, o.observed_on, o.observed_time, o.values): o.obs_id for o in current}

    def _insert_rows(self, conn, eff: Actor, spec: ObservationSpec, rows: Sequence[NewObservation],
                     *, when: str, source: str, op_id: str | None = None, batch_id: str | None = None,
                     is_sample: bool = False, action: str = "add", replaces: int | None = None,
                     reason: str | None = None) -> list[int]:
        existing = self._current_identities(conn, spec, [r.site_id for r in rows])
        seen: dict[tuple, int | None] = {}
        names = ["site_id", "observed_on", "observed_time", *spec.field_names, "action", "replaces", "reason",
                 "recorded_at", "recorded_by", "source", "client", "batch_id", "op_id", "is_sample"]
        ids = []
        for r in rows:
            self._site_kind_for_obs(conn, spec, r)
            where_zh = f"第 {r.row} 行：" if r.row is not None else ""
            where_en = f"Row {r.row}: " if r.row is not None else ""
            try:
                values = check_values(spec, r.values) if action != "void" else {n: None for n in spec.field_names}
                if action != "void":
                    row_error(spec, values)
                day, hhmm = check_date(spec, r.observed_on, r.observed_time)
            except ValidationError as exc:
                raise type(exc)(exc.code, zh=f"{where_zh}{exc.zh}", en=f"{where_en}{exc.en}", fix_zh=exc.fix_zh,
                                fix_en=exc.fix_en, **{**exc.context, "row": r.row}) from exc
            if action != "void":
                key = _identity(spec, r.site_id, day, hhmm, values)
                clash = existing.get(key)
                if (clash is not None and clash != replaces) or key in seen:
                    what = "、".join(f"{spec.field(n).zh} {values.get(n)}" for n in spec.identity) or (hhmm or "")
                    raise ValidationError(
                        "obs.duplicate",
                        zh=f"{where_zh}{r.site_id} {day} {what} 已有记录" + (f"（#{clash}）" if clash else "（本次重复）")
                           + "；未写入任何数据。",
                        en=f"{where_en}{r.site_id} {day} {', '.join(f'{n}={values.get(n)}' for n in spec.identity)} "
                           f"is already recorded" + (f" (#{clash})" if clash else " (twice in this write)")
                           + "; nothing was written.",
                        fix_zh="要修改已保存的数据请使用“更正”（保留原记录并写明理由）。",
                        fix_en="To change a stored row, correct it (the old row is kept, with your reason).",
                        row=r.row, site_id=r.site_id, obs_id=clash)
                seen[key] = None
            cur = conn.execute(
                f"INSERT INTO {_q(spec.key)} ({', '.join(_q(n) for n in names)}) VALUES ({', '.join('?' * len(names))})"
                " RETURNING obs_id",
                [r.site_id, day, hhmm, *(values[n] for n in spec.field_names), action, replaces, reason, when,
                 eff.name, source, eff.client or None, batch_id, op_id, bool(is_sample)])
            ids.append(int(cur.fetchone()[0]))
            self._data_changed(conn)
        return ids

    def _replace(self, actor: Actor, spec_key: str, obs_id: int, *, reason: str, action: str,
                 values: Mapping[str, Any] | None = None, observed_on: str | None = None,
                 observed_time: str | None = None) -> ObservationWrite:
        spec = get_observation_spec(spec_key)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError("obs.reason_missing", en="A correction or void needs a reason (it is recorded).",
                                  zh="更正或作废须写明理由（将被记录）。")
        when = iso_utc(utc_now())
        with self._write() as conn:
            eff = self._allow(conn, actor, "correct_observations")
            row = conn.execute(f"SELECT * FROM {_q(spec.key)} WHERE obs_id = ?", (int(obs_id),)).fetchone()
            if row is None:
                raise NotFoundError("obs.not_found", en=f"No row #{obs_id} in {spec.en}.",
                                    zh=f"{spec.zh}中没有第 {obs_id} 号记录。", value=obs_id)
            old = observation_from_row(spec, row)
            later = conn.execute(f"SELECT obs_id, action FROM {_q(spec.key)} WHERE replaces = ?", (old.obs_id,)).fetchone()
            if old.action == "void" or later is not None:
                raise ValidationError(
                    "obs.not_current", en=f"Row #{obs_id} is no longer current (replaced by #{later['obs_id']})."
                    if later else f"Row #{obs_id} is a void.",
                    zh=f"第 {obs_id} 号记录已不是现行记录" + (f"（已被第 {later['obs_id']} 号替换）" if later else "（作废记录）") + "。",
                    fix_zh="请对现行记录操作（readings list 列出现行记录）。", fix_en="Act on the current row.",
                    value=obs_id)
            new = NewObservation(old.site_id, observed_on or old.observed_on,
                                 observed_time if observed_time is not None else old.observed_time,
                                 {**dict(old.values), **dict(values or {})})
            ids = self._insert_rows(conn, eff, spec, [new], when=when, source="correction", action=action,
                                    replaces=old.obs_id, reason=reason)
            changes = self._apply_automatic_gates(conn, eff, [old.site_id], when, source="correction")
            self._audit(conn, eff, f"obs.{action}", target=old.site_id,
                        details={"spec": spec.key, "obs_id": ids[0], "replaces": old.obs_id, "reason": reason,
                                 "status_changes": changes})
        return ObservationWrite(spec.key, tuple(ids), (old.site_id,), status_changes=tuple(changes),
                                replaced=(old.obs_id,))

    def _undo_observation_batch(self, conn, eff: Actor, spec: ObservationSpec, batch_id: str,
                                when: str) -> tuple[list[str], list[str]]:
        """Void every row of an import batch still current; put back a status the batch opened.

        Refuses (``batch.changed_since``) when a row of the batch was corrected since, or a site whose
        status the batch changed has changed again.
        """
        rows = [observation_from_row(spec, r) for r in conn.execute(
            f"SELECT * FROM {_q(spec.key)} WHERE batch_id = ? ORDER BY obs_id", (batch_id,))]
        replaced = {r["replaces"] for r in conn.execute(
            f"SELECT replaces FROM {_q(spec.key)} WHERE replaces IN ({', '.join('?' * len(rows))})",
            [o.obs_id for o in rows])} if rows else set()
        opened = conn.execute(f"SELECT * FROM {HISTORY_TABLE} WHERE batch_id = ? AND action = 'status' ORDER BY id",
                              (batch_id,)).fetchall()
        changed = [f"#{i}" for i in sorted(replaced)]
        for h in opened:
            spec_k = get_spec(h["kind"])
            cur = conn.execute(f"SELECT version FROM {_q(spec_k.key)} WHERE site_id = ?", (h["site_id"],)).fetchone()
            if cur is None or cur["version"] != h["version"]:
                changed.append(h["site_id"])
        if changed:
            raise ValidationError(
                "batch.changed_since",
                en=f"Batch {batch_id} cannot be undone: changed since: {', '.join(changed[:20])}. Undo or correct those "
                   "first.",
                zh=f"批次 {batch_id} 无法撤销：其后又有修改：{'、'.join(changed[:20])}。请先处理这些修改。",
                value=batch_id, sites=changed)
        for o in rows:
            self._insert_rows(conn, eff, spec, [NewObservation(o.site_id, o.observed_on, o.observed_time)], when=when,
                              source="undo", action="void", replaces=o.obs_id, reason=f"撤销导入批次 {batch_id}")
        restored = []
        for h in reversed(opened):
            spec_k = get_spec(h["kind"])
            conn.execute(f"UPDATE {_q(spec_k.key)} SET status = ?, version = version + 1, updated_at = ?, "
                         "updated_by = ? WHERE site_id = ?", (h["from_status"], when, eff.name, h["site_id"]))
            self._insert_history(conn, site_id=h["site_id"], kind=h["kind"], version=h["version"] + 1, action="undo",
                                 from_status=h["to_status"], to_status=h["from_status"], changed_at=when, actor=eff,
                                 source="undo", note=f"撤销导入批次 {batch_id}（恢复监测数据导入前的状态）", changes={},
                                 op_id=None, evidence=None, batch_id=batch_id)
            restored.append(h["site_id"])
        return [], restored
