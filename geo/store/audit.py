"""The audit log: one append-only row per mutation, written in the mutation's own transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from geo.errors import PermissionDenied
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
                from datetime import datetime, timedelta, timezone

                start = datetime.fromisoformat(since[:10]).replace(tzinfo=timezone(timedelta(hours=8)))
                sql += " AND at >= ?"
                args.append(iso_utc(start))
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

    def record_export(self, actor: Actor, *, towns: list[str] | None, kinds: list[str] | None, fmt: str,
                      rows: int) -> None:
        """Authorise an export of ``towns`` (None = all) and write its audit row."""
        with self._write() as conn:
            eff = self._effective(conn, actor)
            policy.check(eff, "export", None if towns is None else set(towns))
            self._audit(conn, eff, "export", target=",".join(towns) if towns else "all",
                        details={"kinds": kinds, "format": fmt, "rows": rows})
