"""The audit log: one append-only row per mutation, written in the mutation's own transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from geo.errors import PermissionDenied, ValidationError
from geo.store import policy
from geo.store.base import Actor
from geo.store.db import iso_utc, utc_now
from geo.store.tables import AUDIT_TABLE


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    role: str | None
    action: str
    outcome: str
    target: str | None
    client: str | None
    details: Mapping[str, Any]


def _row(r) -> AuditEntry:
    return AuditEntry(r["id"], r["at"], r["actor"], r["role"], r["action"], r["outcome"], r["target"], r["client"],
                      json.loads(r["details"]) if r["details"] else {})


class AuditMixin:
    """Writes and reads the audit log. Needs ``_read``/``_write``/``_effective`` from the store."""

    def _audit(self, conn, actor: Actor, action: str, *, target: str | None = None,
               outcome: str = "ok", details: Mapping[str, Any] | None = None) -> int:
        cur = conn.execute(
            f"INSERT INTO {AUDIT_TABLE} (at, actor, role, action, outcome, target, client, details)"
            " VALUES (?,?,?,?,?,?,?,?) RETURNING id",
            (iso_utc(utc_now()), actor.name or "?", actor.role, action, outcome, target, actor.client or None,
             json.dumps(dict(details or {}), ensure_ascii=False, default=str) if details else None),
        )
        return int(cur.fetchone()[0])

    def _record_denial(self, exc: PermissionDenied) -> None:
        ctx = exc.context
        actor = Actor(str(ctx.get("actor") or "?"), role=str(ctx.get("role") or ""), client=str(ctx.get("client") or ""))
        conn = self._connect()
        try:
            self._begin(conn)
            self._audit(conn, actor, "auth.denied", target=ctx.get("target"), outcome="denied",
                        details={"action": ctx.get("action"), "code": exc.code, "message": exc.en})
            self._commit(conn)
        except self.DriverError:
            try:
                if self._in_transaction(conn):
                    self._rollback(conn)
            except self.DriverError:
                pass
        finally:
            self._close(conn)

    def audit_log(self, actor: Actor, *, since: str | None = None, user: str | None = None,
                  action: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        """Audit rows, newest first, filtered by day (``YYYY-MM-DD``, UTC+8 start of day), user and action prefix."""
        with self._read() as conn:
            eff = self._effective(conn, actor)
            policy.check(eff, "read_audit")
            sql, args = f"SELECT * FROM {AUDIT_TABLE} WHERE 1=1", []
            if since:
                sql += " AND at >= ?"
                args.append(iso_utc(_day_start(since)))
            if user:
                sql += " AND actor = ?"
                args.append(user)
            if action:
                sql += " AND action LIKE ?"
                args.append(action.rstrip("*") + "%")
            sql += " ORDER BY id DESC"
            if limit:
                sql += f" LIMIT {int(limit)}"
            return [_row(r) for r in conn.execute(sql, args)]

    def authorise_export(self, actor: Actor, *, towns: list[str] | None) -> None:
        """Refuse (and audit the denial of) an export of ``towns`` (None = all) the actor may not make.

        Nothing is recorded for an allowed export yet: :meth:`record_export` does that once the file exists.
        """
        with self._read() as conn:
            policy.check(self._effective(conn, actor), "export", None if towns is None else set(towns))

    def authorise_migration(self, actor: Actor) -> None:
        """Refuse (and audit the denial of) a copy of the whole store (accounts, history, audit log) to anyone
        but an administrator."""
        with self._read() as conn:
            policy.check(self._effective(conn, actor), "read_audit")

    def record_migration(self, actor: Actor, *, destination: str, ok: bool, rows: int) -> None:
        """Audit a copy of the whole store to ``destination`` (a label without secrets), once it is verified
        (``"failed"`` when the comparison found a difference)."""
        with self._write() as conn:
            eff = self._effective(conn, actor)
            policy.check(eff, "read_audit")
            self._audit(conn, eff, "store.migrate", target=destination, outcome="ok" if ok else "failed",
                        details={"rows": rows})

    def record_export(self, actor: Actor, *, towns: list[str] | None, kinds: list[str] | None, fmt: str,
                      rows: int, outcome: str = "ok", file: str | None = None, error: str | None = None) -> None:
        """Write the audit row of an export (checked again): ``outcome`` ``"ok"`` once the file is complete,
        ``"failed"`` with the ``error`` code when writing it failed."""
        with self._write() as conn:
            eff = self._effective(conn, actor)
            policy.check(eff, "export", None if towns is None else set(towns))
            details = {"kinds": kinds, "format": fmt, "rows": rows}
            if file:
                details["file"] = file
            if error:
                details["error"] = error
            self._audit(conn, eff, "export", target=",".join(towns) if towns else "all", outcome=outcome,
                        details=details)


    def record_report(self, actor: Actor, *, town: str, file: str, as_of: str, outcome: str = "ok",
                      error: str | None = None) -> None:
        """Audit a town report written to ``file`` (once it exists; ``"failed"`` with the ``error`` code if not)."""
        with self._write() as conn:
            eff = self._effective(conn, actor)
            policy.check(eff, "read")
            details = {"file": file, "as_of": as_of}
            if error:
                details["error"] = error
            self._audit(conn, eff, "report", target=town, outcome=outcome, details=details)


def _day_start(since: str):
    """00:00 China Standard Time of the day ``since`` (``YYYY-MM-DD``).

    Raises
    ------
    ValidationError
        ``audit.bad_since`` naming the value and the form.
    """
    from datetime import date, datetime, time, timedelta, timezone

    try:
        day = date.fromisoformat(str(since).strip()[:10])
    except ValueError:
        raise ValidationError(
            "audit.bad_since", value=str(since)[:40],
            zh=f"“{str(since)[:40]}”不是有效日期。", en=f"{str(since)[:40]!r} is not a valid date.",
            fix_zh="按 YYYY-MM-DD 填写，如 2026-01-31。", fix_en="Write it as YYYY-MM-DD, e.g. 2026-01-31.") from None
    return datetime.combine(day, time.min, tzinfo=timezone(timedelta(hours=8)))
