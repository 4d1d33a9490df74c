"""Evidence gates, evaluated by the store inside the write transaction of every path that sets a status.

The gates are data on the layer spec (:class:`layers.spec.Gate`); the checks
are pure functions (:mod:`geo.domain.gates`). What the store adds is *where*
they run: inside the ``BEGIN IMMEDIATE`` transaction of a status change, of a
ledger import, and of a write of observations — so a concurrent change of the
readings cannot slip between the check and the write — and what happens on a
refusal: a :class:`~geo.errors.TransitionNotAllowed` with code
``status.evidence_missing`` naming what is missing, unless an administrator
gave an explicit override reason, which is recorded on the history row
(``site_history.override``) and in the audit log.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Mapping

from geo.clock import parse_utc
from geo.domain.gates import GateInput, Verdict, evaluate
from geo.errors import TransitionNotAllowed, ValidationError
from geo.store import policy
from geo.store.base import Actor, Observation, Site
from geo.store.db import q as _q
from geo.store.tables import HISTORY_TABLE, INDEX_TABLE
from layers import get_spec, observation_specs_for
from layers.spec import LayerSpec

__all__ = ["GatesMixin", "observation_from_row", "clean_override"]


def observation_from_row(spec, r) -> Observation:
    """A stored row of a monitoring table as an :class:`Observation`."""
    values = {}
    for f in spec.fields:
        v = r[f.name]
        values[f.name] = bool(v) if (f.type == "bool" and v is not None) else v
    return Observation(spec=spec.key, obs_id=r["obs_id"], site_id=r["site_id"], observed_on=r["observed_on"],
                       observed_time=r["observed_time"], values=values, action=r["action"], replaces=r["replaces"],
                       reason=r["reason"], recorded_at=r["recorded_at"], recorded_by=r["recorded_by"],
                       source=r["source"], client=r["client"], batch_id=r["batch_id"],
                       is_sample=bool(r["is_sample"]))


def clean_override(override: str | None) -> str | None:
    """The override reason as given, or None; an override without a reason is refused."""
    if override is None:
        return None
    text = str(override).strip()
    if not text:
        raise ValidationError("override.reason_missing",
                              en="An override needs a reason (recorded and shown in review); give one or leave it off.",
                              zh="越过证据要求必须写明理由（将被记录并在审阅中显示）；请填写理由，或不使用越过。")
    return text


class GatesMixin:
    """Evaluates a kind's evidence gates. Needs ``_allow`` and the history row reader of the store."""

    def _site_observations(self, conn, kind: str, site_id: str) -> dict[str, list[Observation]]:
        out = {}
        for spec in observation_specs_for(kind):
            rows = conn.execute(f"SELECT * FROM {_q(spec.key)} WHERE site_id = ? ORDER BY obs_id", (site_id,))
            out[spec.key] = [observation_from_row(spec, r) for r in rows]
        return out

    def _site_history_rows(self, conn, site_id: str) -> list:
        from geo.store.sites import _row_to_entry

        rows = conn.execute(f"SELECT * FROM {HISTORY_TABLE} WHERE site_id = ? ORDER BY version, id", (site_id,))
        return [_row_to_entry(r) for r in rows]

    def _gate_verdicts(self, conn, spec: LayerSpec, site: Site, target: str,
                       attrs_after: Mapping[str, Any], when: str) -> list[tuple[Any, Verdict]]:
        """Every gate on ``target`` with its verdict (empty when the status has no gate)."""
        gates = spec.gates_for(target)
        if not gates:
            return []
        at = parse_utc(when) or datetime.now().astimezone()
        inp = GateInput(site=site, target=target, attrs=dict(attrs_after),
                        observations=self._site_observations(conn, spec.key, site.site_id),
                        history=self._site_history_rows(conn, site.site_id), at=at)
        return [(g, evaluate(g.check, inp)) for g in gates]

    def _check_gates(self, conn, eff: Actor, spec: LayerSpec, site: Site, target: str,
                     attrs_after: Mapping[str, Any], when: str, override: str | None) -> tuple[str | None, dict]:
        """Refuse entering ``target`` without its evidence; return (override used or None, audit details).

        Raises
        ------
        TransitionNotAllowed
            ``status.evidence_missing``, naming what is missing and the gate's document.
        PermissionDenied
            An override by anyone but an administrator.
        """
        failed = [(g, v) for g, v in self._gate_verdicts(conn, spec, site, target, attrs_after, when) if not v.ok]
        if not failed:
            return None, {}
        details = {"gates": [{"check": g.check, "missing_en": v.missing_en} for g, v in failed]}
        if override is not None:
            policy.check(eff, "override_gate")
            return override, {**details, "override": override}
        status = spec.status(target)
        zh = "；".join(v.missing_zh for _, v in failed)
        en = " ".join(v.missing_en for _, v in failed)
        need_zh = "；".join(f"{g.zh}（依据：{g.clause}）" for g, _ in failed)
        need_en = "; ".join(g.en for g, _ in failed)
        raise TransitionNotAllowed(
            "status.evidence_missing",
            zh=f"{spec.zh} {site.site_id}：不能变更为“{status.zh}”——{zh}",
            en=f"{spec.en} {site.site_id}: cannot enter {status.en!r} — {en}",
            fix_zh=f"需要：{need_zh}。管理员确需越过时，须勾选“越过证据要求”并写明理由（将记录在案）。",
            fix_en=f"Needed: {need_en}. An administrator who must go ahead anyway ticks the override and gives a "
                   f"reason (recorded).",
            site_id=site.site_id, requested=target, current=site.status, missing=[v.missing_en for _, v in failed],
            gates=[g.check for g, _ in failed],
        )

    def gate_preview(self, actor: Actor, site_id: str, target: str, changes: Mapping[str, Any] | None = None) -> list:
        """What the gates on ``target`` say about ``site_id`` now (for forms): [(Gate, Verdict)], nothing written."""
        from geo.domain.attributes import check_attrs
        from geo.store.db import iso_utc, utc_now

        with self._read() as conn:
            self._allow(conn, actor, "read")
            spec = self._kind_of(conn, site_id)
            site = self._read_site(conn, spec, site_id)
            attrs = {**dict(site.attrs), **check_attrs(spec, changes or {}, partial=True)}
            return self._gate_verdicts(conn, spec, site, target, attrs, iso_utc(utc_now()))

    def _apply_automatic_gates(self, conn, eff: Actor, site_ids, when: str, *,
                               source: str, batch_id: str | None = None) -> list[dict]:
        """After observations were written: apply every automatic gate that now passes (e.g. 返黑返臭)."""
        applied = []
        for site_id in sorted(set(site_ids)):
            spec = self._kind_of(conn, site_id)
            site = self._read_site(conn, spec, site_id)
            for gate in spec.gates:
                if not gate.automatic or spec.transition(site.status, gate.status) is None:
                    continue
                verdicts = self._gate_verdicts(conn, spec, site, gate.status, site.attrs, when)
                verdict = next(v for g, v in verdicts if g is gate)
                if not verdict.ok or not all(v.ok for _, v in verdicts):
                    continue
                target = spec.status(gate.status)
                note = (f"监测结果自动认定：{verdict.facts.get('evidence')} 的监测为"
                        f"{verdict.facts.get('rule_zh') or ''}，状态变更为“{target.zh}”（{gate.clause}）")
                cursor = conn.execute(
                    f"UPDATE {_q(spec.key)} SET status = ?, version = version + 1, updated_at = ?, updated_by = ? "
                    "WHERE site_id = ? AND version = ?", (target.code, when, eff.name, site_id, site.version))
                if cursor.rowcount != 1:
                    continue
                entry_id = self._insert_history(
                    conn, site_id=site_id, kind=spec.key, version=site.version + 1, action="status",
                    from_status=site.status, to_status=target.code, changed_at=when, actor=eff, source="evidence",
                    note=note, changes={}, op_id=None, evidence=None, batch_id=batch_id)
                self._audit(conn, eff, "site.status", target=site_id,
                            details={"from": site.status, "to": target.code, "version": site.version + 1,
                                     "history_id": entry_id, "automatic": True, "gate": gate.check,
                                     "evidence": json.loads(json.dumps(verdict.facts, default=str)), "source": source})
                applied.append({"site_id": site_id, "from": site.status, "to": target.code, "history_id": entry_id,
                                "evidence": verdict.facts.get("evidence")})
                break
        return applied

    def import_gate_preview(self, actor: Actor, sites) -> dict[str, list]:
        """For ledger rows about to be imported: site id -> [(Gate, Verdict)] for the status each row sets.

        Only rows that set a gated status a site does not already have are listed (nothing written).
        """
        from shapely.geometry import Point

        from geo.domain.attributes import check_attrs
        from geo.store.db import iso_utc, utc_now

        out: dict[str, list] = {}
        when = iso_utc(utc_now())
        with self._read() as conn:
            self._allow(conn, actor, "read")
            for s in sites:
                spec = get_spec(s.kind)
                if not spec.gates_for(s.status):
                    continue
                idx = conn.execute(f"SELECT kind FROM {INDEX_TABLE} WHERE site_id = ?", (s.site_id,)).fetchone()
                attrs = check_attrs(spec, s.attrs, partial=True)
                if idx is not None and idx["kind"] == spec.key:
                    site = self._read_site(conn, spec, s.site_id)
                    if site.status == s.status:
                        continue
                else:
                    site = Site(kind=spec.key, site_id=s.site_id, name=s.name, town_code=s.town_code, status=s.status,
                                version=0, geometry=s.geometry or Point(0, 0), attrs=attrs)
                out[s.site_id] = self._gate_verdicts(conn, spec, site, s.status, {**dict(site.attrs), **attrs}, when)
        return out
