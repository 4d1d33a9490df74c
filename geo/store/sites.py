"""Sites and their history, written once for every backend: read, add, change status — no lost update.

* Every write runs in one transaction that no other writer can interleave
  with (:meth:`Database._begin`), checks an expected version
  (``UPDATE … WHERE site_id=? AND version=?``) and carries an idempotency key
  per submit: no lost update, a retried submit applies once.
* The history and audit tables are append-only (the backend's triggers
  refuse UPDATE and DELETE). Every mutation writes its audit row in the same
  transaction.
* Every call names the acting user; the store resolves the account and checks
  :mod:`geo.store.policy` itself, so no page can skip authorisation.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from geo.errors import NotFoundError, PermissionDenied, TransitionNotAllowed, ValidationError, VersionConflict
from geo.store import policy
from geo.store.base import Actor, ChangeResult, Evidence, HistoryEntry, NewSite, Site
from geo.store.db import iso_utc, q as _q, utc_now
from geo.store.tables import HISTORY_TABLE, INDEX_TABLE, META_TABLE
from geo.domain.attributes import check_attrs, check_geometry, check_note, check_site_text
from geo.domain.rules import check_guards, check_state
from layers import OBSERVATIONS, REGISTRY, get_spec
from layers.spec import LayerSpec

_COMMON_COLUMNS = ("site_id", "name", "town_code", "responsible", "deadline", "status",
                   "version", "is_sample", "updated_at", "updated_by")


class SitesMixin:
    """Sites, history, counts and store facts. Needs a :class:`~geo.store.db.Database` backend and the
    accounts and audit mixins (``_effective``, ``_audit``)."""

    # -- reads ------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        with self._read() as conn:
            return {r["key"]: r["value"] for r in conn.execute(f"SELECT key, value FROM {META_TABLE}")}

    def set_meta(self, actor: Actor, key: str, value: str) -> None:
        """Set a store-level fact (admin or system only)."""
        with self._write() as conn:
            eff = self._allow(conn, actor, "set_meta")
            upsert_meta(conn, key, value)
            self._data_changed(conn)
            self._audit(conn, eff, "meta.set", target=key, details={"value": value})

    def _allow(self, conn, actor: Actor, action: str, towns=None) -> Actor:
        """Resolve the account behind ``actor`` and check ``action``; return the effective actor."""
        eff = self._effective(conn, actor)
        policy.check(eff, action, towns)
        self._actor_context(conn, eff)
        return eff

    def is_empty(self) -> bool:
        """No site and no account: a store that ``init`` may fill with the sample data."""
        from geo.store.tables import USERS_TABLE

        with self._read() as conn:
            for table in list(REGISTRY) + [USERS_TABLE]:
                if conn.execute(f"SELECT 1 FROM {_q(table)} LIMIT 1").fetchone():
                    return False
        return True

    def data_version(self) -> int:
        """Changes whenever a site, a history row or an observation is written (every part only grows)."""
        with self._read() as conn:
            version = int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {HISTORY_TABLE}").fetchone()[0])
            for spec in OBSERVATIONS.values():
                version += int(conn.execute(f"SELECT coalesce(max(obs_id), 0) FROM {_q(spec.key)}").fetchone()[0])
            return version

    def _kind_of(self, conn, site_id: str) -> LayerSpec:
        row = conn.execute(f"SELECT kind FROM {INDEX_TABLE} WHERE site_id = ?", (site_id,)).fetchone()
        if row is None:
            raise NotFoundError(
                "site.not_found",
                en=f"No site with id {site_id!r}; check the id (e.g. in the map's detail panel or `cli.py summary`).",
                zh=f"不存在编号为“{site_id}”的点位，请核对编号。",
                value=site_id,
            )
        return get_spec(row["kind"])

    def _row_to_site(self, spec: LayerSpec, row) -> Site:
        attrs: dict[str, Any] = {}
        for f in spec.fields:
            v = row[f.name]
            attrs[f.name] = bool(v) if (f.type == "bool" and v is not None) else v
        return Site(
            kind=spec.key,
            site_id=row["site_id"],
            name=row["name"],
            town_code=row["town_code"],
            status=row["status"],
            version=row["version"],
            geometry=self.geom_out(row["geom"]),
            deadline=row["deadline"],
            responsible=row["responsible"],
            is_sample=bool(row["is_sample"]),
            updated_at=row["updated_at"],
            updated_by=row["updated_by"],
            attrs=attrs,
        )

    def _read_site(self, conn, spec: LayerSpec, site_id: str) -> Site:
        row = conn.execute(f"SELECT * FROM {_q(spec.key)} WHERE site_id = ?", (site_id,)).fetchone()
        if row is None:
            raise NotFoundError("site.not_found", en=f"No site with id {site_id!r}.", zh=f"不存在编号为“{site_id}”的点位。")
        return self._row_to_site(spec, row)

    def list_sites(self, actor, kinds=None, towns=None, statuses=None) -> list[Site]:
        specs = [get_spec(k) for k in kinds] if kinds is not None else list(REGISTRY.values())
        out: list[Site] = []
        with self._read() as conn:
            self._allow(conn, actor, "read")
            for spec in specs:
                sql = f"SELECT * FROM {_q(spec.key)}"
                where, args = _in_filters({"town_code": towns, "status": statuses})
                for row in conn.execute(sql + where + " ORDER BY site_id", args):
                    out.append(self._row_to_site(spec, row))
        return out

    def get_site(self, actor: Actor, site_id: str) -> Site:
        with self._read() as conn:
            self._allow(conn, actor, "read")
            return self._read_site(conn, self._kind_of(conn, site_id), site_id)

    def history(self, actor: Actor, site_id: str) -> list[HistoryEntry]:
        with self._read() as conn:
            self._allow(conn, actor, "read")
            self._kind_of(conn, site_id)
            rows = conn.execute(
                f"SELECT * FROM {HISTORY_TABLE} WHERE site_id = ? ORDER BY version, id", (site_id,)
            ).fetchall()
        return [_row_to_entry(r) for r in rows]

    def recent_history(self, actor: Actor, limit: int = 50) -> list[HistoryEntry]:
        with self._read() as conn:
            self._allow(conn, actor, "read")
            rows = conn.execute(f"SELECT * FROM {HISTORY_TABLE} ORDER BY id DESC LIMIT ?", (int(limit),)).fetchall()
        return [_row_to_entry(r) for r in rows]

    def all_history(self, actor: Actor) -> list[HistoryEntry]:
        """Every history row, oldest first (for replay and checks)."""
        with self._read() as conn:
            self._allow(conn, actor, "read")
            rows = conn.execute(f"SELECT * FROM {HISTORY_TABLE} ORDER BY id").fetchall()
        return [_row_to_entry(r) for r in rows]

    def counts(self, actor: Actor) -> list[tuple[str, str, str, int]]:
        """(kind, town_code, status, n) for every combination present."""
        out: list[tuple[str, str, str, int]] = []
        with self._read() as conn:
            self._allow(conn, actor, "read")
            for spec in REGISTRY.values():
                for r in conn.execute(
                    f"SELECT town_code, status, count(*) AS n FROM {_q(spec.key)} GROUP BY town_code, status"
                ):
                    out.append((spec.key, r["town_code"], r["status"], int(r["n"])))
        return out

    # -- writes -----------------------------------------------------------
    def add_sites(self, actor: Actor, sites: Sequence[NewSite], *, source: str = "import",
                  created_at: datetime | None = None) -> int:
        """Add sites, each with a ``create`` history row at version 0, in one transaction.

        ``created_at`` backdates the creation (system role only: sample data).
        """
        with self._read() as conn:
            self._allow(conn, actor, "add_sites")
        when = self._when(actor, created_at)
        prepared = []
        for i, s in enumerate(sites, start=1):
            spec = get_spec(s.kind)
            try:
                attrs = check_attrs(spec, s.attrs)
                geom = _normalise_geometry(spec, s.geometry)
                check_geometry(spec, geom)
                spec.status(s.status)
                check_state(spec, s.status, attrs)
                if not str(s.site_id).strip() or not str(s.name).strip():
                    raise ValidationError("site.missing_id_or_name", en="site_id and name are required.",
                                          zh="编号和名称为必填项。")
                check_site_text(s.name, s.responsible)
            except ValidationError as exc:
                exc.context.setdefault("row", i)
                exc.context.setdefault("site_id", s.site_id)
                raise type(exc)(exc.code, en=f"Row {i} ({s.site_id}): {exc.en}",
                                zh=f"第{i}行（{s.site_id}）：{exc.zh}", **exc.context) from exc
            prepared.append((spec, s, attrs, geom))
        display = self._display_blobs([p[3] for p in prepared])  # simplified before the write lock is taken
        with self._write() as conn:
            eff = self._allow(conn, actor, "add_sites")
            for spec, s, attrs, geom in prepared:
                # A new site in a gated status needs its evidence like any other path; only the application itself
                # (system: synthetic benchmark stores, fixtures) lays out sites at any status.
                if spec.gates_for(s.status) and eff.role != "system":
                    new = Site(kind=spec.key, site_id=s.site_id, name=s.name, town_code=s.town_code, status=s.status,
                               version=0, geometry=geom, deadline=s.deadline, responsible=s.responsible, attrs=attrs)
                    self._check_gates(conn, eff, spec, new, s.status, attrs, when, None)
                names = list(_COMMON_COLUMNS) + [f.name for f in spec.fields] + ["geom"]
                values = [s.site_id, s.name, s.town_code, s.responsible, s.deadline, s.status, 0,
                          bool(s.is_sample), when, eff.name]
                values += [attrs.get(f.name) for f in spec.fields] + [self.geom_in(geom)]
                try:
                    conn.execute(f"INSERT INTO {INDEX_TABLE}(site_id, kind) VALUES (?, ?)", (s.site_id, spec.key))
                except self.IntegrityError as exc:
                    raise ValidationError(
                        "site.duplicate_id",
                        en=f"Site id {s.site_id!r} already exists; give a new id or update the existing site.",
                        zh=f"编号“{s.site_id}”已存在；请使用新编号或更新已有点位。",
                        value=s.site_id,
                    ) from exc
                conn.execute(
                    f"INSERT INTO {_q(spec.key)} ({', '.join(_q(n) for n in names)}) "
                    f"VALUES ({', '.join('?' * len(names))})",
                    values,
                )
                snapshot = {"name": s.name, "town_code": s.town_code, "status": s.status,
                            "deadline": s.deadline, "responsible": s.responsible, **attrs}
                self._insert_history(conn, site_id=s.site_id, kind=spec.key, version=0, action="create",
                                     from_status=None, to_status=s.status, changed_at=when, actor=eff,
                                     source=source, note=None, changes={k: [None, v] for k, v in snapshot.items()},
                                     op_id=None, evidence=None)
            for spec in {p[0] for p in prepared}:
                self._put_display(conn, spec.key, [p[1].site_id for p in prepared if p[0] is spec],
                                  [b for p, b in zip(prepared, display) if p[0] is spec])
                self._layer_changed(conn, spec.key, added=[p[3] for p in prepared if p[0] is spec])
            self._audit(conn, eff, "site.add", target=prepared[0][1].site_id if len(prepared) == 1 else None,
                        details={"count": len(prepared), "source": source,
                                 "site_ids": [p[1].site_id for p in prepared][:50]})
        return len(prepared)

    def change_status(self, actor, site_id, new_status, *, expected_version, op_id, note="",
                      changes=None, evidence=None, source="web", changed_at=None,
                      photos: Sequence[str] = (), override: str | None = None) -> ChangeResult:
        """Change a site's status (see :meth:`SiteStore.change_status`), through the kind's evidence gates.

        A status with a gate (:attr:`layers.spec.LayerSpec.gates`) is entered only when its check passes
        over the site's observations and history, evaluated in this transaction; otherwise
        ``status.evidence_missing`` names what is missing. ``override`` (an administrator's reason, never
        a default) lets the change through and is recorded on the history row and in the audit log.
        """
        from geo.store.gating import clean_override

        override = clean_override(override)
        if not op_id or not str(op_id).strip():
            raise ValidationError("op.missing_id", en="A status change needs an op_id (idempotency key).",
                                  zh="状态变更缺少操作编号（幂等键）。")
        when = self._when(actor, changed_at)
        check_note(note or None)
        with self._write() as conn:
            spec = self._kind_of(conn, site_id)
            cur = self._read_site(conn, spec, site_id)
            eff = self._allow(conn, actor, "change_status", {cur.town_code})
            replayed = self._replayed(conn, op_id, cur)
            if replayed is not None:
                return replayed
            if cur.version != expected_version:
                raise VersionConflict(
                    "store.version_conflict",
                    en=(f"Site {site_id} changed since you opened it (your version {expected_version}, now "
                        f"{cur.version}: {cur.status} by {cur.updated_by} at {cur.updated_at}). Reload and retry."),
                    zh=(f"点位 {site_id} 在您打开后已被修改（您的版本 {expected_version}，当前版本 {cur.version}，"
                        f"状态“{spec.status(cur.status).zh}”，由 {cur.updated_by} 于 {cur.updated_at} 修改）。请刷新后重试。"),
                    current_version=cur.version,
                    current_status=cur.status,
                    updated_by=cur.updated_by,
                    updated_at=cur.updated_at,
                )
            target = spec.status(new_status)
            transition = spec.transition(cur.status, target.code)
            if transition is None:
                allowed = spec.allowed_next(cur.status)
                en_allowed = ", ".join(t.dst for t in allowed) or "none (final status)"
                zh_allowed = "、".join(spec.status(t.dst).zh for t in allowed) or "无（已是最终状态）"
                raise TransitionNotAllowed(
                    "status.transition_not_allowed",
                    en=f"{spec.en} {site_id}: {cur.status} -> {target.code} is not allowed; allowed next: {en_allowed}.",
                    zh=(f"{spec.zh} {site_id}：不能从“{spec.status(cur.status).zh}”变更为“{target.zh}”；"
                        f"可变更为：{zh_allowed}。"),
                    current=cur.status,
                    requested=target.code,
                    allowed=[t.dst for t in allowed],
                )
            new_attrs = check_attrs(spec, changes or {}, partial=True)
            for req in transition.requires:
                if new_attrs.get(req, cur.attrs.get(req)) is None:
                    fld = spec.field(req)
                    raise ValidationError(
                        "field.required_for_transition",
                        en=f"{spec.en}: entering {target.en!r} needs {fld.en!r} ({req}); fill it in.",
                        zh=f"{spec.zh}：变更为“{target.zh}”时必须填写“{fld.zh}”。",
                        field=req,
                    )
            merged = {**cur.attrs, **new_attrs}
            self._check_field_photos(spec, new_attrs)
            check_guards(transition, merged)
            check_state(spec, target.code, merged)
            if transition.requires_photo and not photos:
                raise ValidationError(
                    "status.photo_required",
                    en=f"{spec.en}: entering {target.en!r} needs at least one photo (evidence or the scanned document); "
                       "attach it to the change.",
                    zh=f"{spec.zh}：变更为“{target.zh}”须附至少一张照片（现场佐证或批复文件扫描件），请上传后再保存。",
                    fix_zh="在变更表单中上传照片后再保存。", fix_en="Attach a photo to the change and save again.",
                    field="photos",
                )
            used_override, gate_details = self._check_gates(conn, eff, spec, cur, target.code, merged, when, override)
            diff = {k: [cur.attrs.get(k), v] for k, v in new_attrs.items() if cur.attrs.get(k) != v}
            sets = ["status = ?", "version = version + 1", "updated_at = ?", "updated_by = ?"]
            args: list[Any] = [target.code, when, eff.name]
            for k in diff:
                sets.append(f"{_q(k)} = ?")
                args.append(new_attrs[k])
            cursor = conn.execute(
                f"UPDATE {_q(spec.key)} SET {', '.join(sets)} WHERE site_id = ? AND version = ?",
                args + [site_id, expected_version],
            )
            if cursor.rowcount != 1:  # cannot happen in a write transaction unless the database refused the row
                self._refused_or_conflict(conn, spec, eff, site_id, expected_version)
            entry_id = self._insert_history(
                conn, site_id=site_id, kind=spec.key, version=expected_version + 1, action="status",
                from_status=cur.status, to_status=target.code, changed_at=when, actor=eff, source=source,
                note=note or None, changes=diff, op_id=op_id, evidence=evidence,
                photos=self._with_field_photos(spec, diff, photos), override=used_override,
            )
            self._audit(conn, eff, "site.status", target=site_id,
                        details={"from": cur.status, "to": target.code, "version": expected_version + 1,
                                 "history_id": entry_id, "op_id": op_id, "source": source, **gate_details})
            site = self._read_site(conn, spec, site_id)
            entry = _row_to_entry(conn.execute(f"SELECT * FROM {HISTORY_TABLE} WHERE id = ?", (entry_id,)).fetchone())
        return ChangeResult(site=site, entry=entry, applied=True)

    def update_attributes(self, actor: Actor, site_id: str, changes: Mapping[str, Any], *, expected_version: int,
                          op_id: str, note: str = "", evidence: Evidence | None = None, source: str = "web",
                          photos: Sequence[str] = (), changed_at: datetime | None = None) -> ChangeResult:
        """Change a site's attributes without changing its status (its file: codes, items, records).

        Same guarantees as :meth:`change_status`: the acting user's right to
        change the site's town, the expected version (no lost update), the
        ``op_id`` (a retry applies once), the kind's rules on the resulting
        state, a history row (action ``edit``, status unchanged) and an audit
        row in one transaction. A photo field must name a photo already
        stored (:func:`geo.photos.store_photo`); it is recorded with the change.
        """
        if not op_id or not str(op_id).strip():
            raise ValidationError("op.missing_id", en="An edit needs an op_id (idempotency key).",
                                  zh="修改缺少操作编号（幂等键）。")
        when = self._when(actor, changed_at)
        check_note(note or None)
        with self._write() as conn:
            spec = self._kind_of(conn, site_id)
            cur = self._read_site(conn, spec, site_id)
            eff = self._allow(conn, actor, "change_status", {cur.town_code})
            replayed = self._replayed(conn, op_id, cur)
            if replayed is not None:
                return replayed
            if cur.version != expected_version:
                raise VersionConflict(
                    "store.version_conflict",
                    en=(f"Site {site_id} changed since you opened it (your version {expected_version}, now "
                        f"{cur.version}, by {cur.updated_by} at {cur.updated_at}). Reload and retry."),
                    zh=(f"点位 {site_id} 在您打开后已被修改（您的版本 {expected_version}，当前版本 {cur.version}，"
                        f"由 {cur.updated_by} 于 {cur.updated_at} 修改）。请刷新后重试。"),
                    current_version=cur.version, current_status=cur.status, updated_by=cur.updated_by,
                    updated_at=cur.updated_at,
                )
            new_attrs = check_attrs(spec, changes or {}, partial=True)
            diff = {k: [cur.attrs.get(k), v] for k, v in new_attrs.items() if cur.attrs.get(k) != v}
            if not diff:
                raise ValidationError("site.no_change", en=f"{site_id}: nothing to change; every value is as stored.",
                                      zh=f"{site_id}：没有需要保存的修改（各项与现有记录相同）。")
            self._check_field_photos(spec, new_attrs)
            check_state(spec, cur.status, {**cur.attrs, **new_attrs})
            sets = ["version = version + 1", "updated_at = ?", "updated_by = ?"] + [f"{_q(k)} = ?" for k in diff]
            args: list[Any] = [when, eff.name] + [new_attrs[k] for k in diff]
            cursor = conn.execute(f"UPDATE {_q(spec.key)} SET {', '.join(sets)} WHERE site_id = ? AND version = ?",
                                  args + [site_id, expected_version])
            if cursor.rowcount != 1:
                self._refused_or_conflict(conn, spec, eff, site_id, expected_version)
            entry_id = self._insert_history(
                conn, site_id=site_id, kind=spec.key, version=expected_version + 1, action="edit",
                from_status=cur.status, to_status=cur.status, changed_at=when, actor=eff, source=source,
                note=note or None, changes=diff, op_id=op_id, evidence=evidence,
                photos=self._with_field_photos(spec, diff, photos),
            )
            self._audit(conn, eff, "site.edit", target=site_id,
                        details={"fields": sorted(diff), "version": expected_version + 1, "history_id": entry_id,
                                 "op_id": op_id, "source": source})
            site = self._read_site(conn, spec, site_id)
            entry = _row_to_entry(conn.execute(f"SELECT * FROM {HISTORY_TABLE} WHERE id = ?", (entry_id,)).fetchone())
        return ChangeResult(site=site, entry=entry, applied=True)

    # -- helpers ----------------------------------------------------------
    def _replayed(self, conn, op_id: str, cur: Site) -> ChangeResult | None:
        """The result of ``op_id`` when it was already applied to ``cur`` (a retried submit); None when new.

        An ``op_id`` already used for another site is refused (``op.reused``).
        """
        done = conn.execute(f"SELECT * FROM {HISTORY_TABLE} WHERE op_id = ?", (op_id,)).fetchone()
        if done is None:
            return None
        if done["site_id"] != cur.site_id:
            raise ValidationError(
                "op.reused",
                en=f"op_id {op_id!r} was already used for site {done['site_id']}; use a new op_id.",
                zh=f"操作编号“{op_id}”已用于点位 {done['site_id']}，请使用新的操作编号。",
            )
        return ChangeResult(site=cur, entry=_row_to_entry(done), applied=False)

    def _refused_or_conflict(self, conn, spec: LayerSpec, eff: Actor, site_id: str, expected_version: int):
        """Why an ``UPDATE … WHERE version = ?`` inside the write transaction touched no row: raise it."""
        now = conn.execute(f"SELECT version FROM {_q(spec.key)} WHERE site_id = ?", (site_id,)).fetchone()
        if now is not None and now["version"] == expected_version:
            # Unchanged yet not updated: the database's row-level security (PostGIS) refused it.
            raise policy.denied(
                eff, "change_status", code="auth.row_security", target=site_id,
                en=f"The database refused the change of {site_id}: it lies outside the towns of {eff.name!r}.",
                zh=f"数据库拒绝修改点位 {site_id}：该点位不在“{eff.name}”的辖区内。")
        raise VersionConflict("store.version_conflict", en=f"Site {site_id} changed meanwhile; retry.",
                              zh=f"点位 {site_id} 已被他人修改，请重试。")

    def _check_field_photos(self, spec: LayerSpec, attrs: Mapping[str, Any]) -> None:
        """A photo field must name a photo stored in this store's photo folder."""
        from geo.photos import photo_path

        for f in spec.fields:
            sha = attrs.get(f.name) if f.photo else None
            if sha and not photo_path(self.photos_dir, sha).exists():
                raise ValidationError(
                    "photo.not_stored",
                    en=f"{spec.en} field {f.name!r} ({f.en}) names photo {sha[:12]}…, which is not stored; upload it first.",
                    zh=f"{spec.zh}字段“{f.zh}”引用的照片 {sha[:12]}… 不在照片库中，请先上传照片。",
                    fix_zh="通过表单上传照片。", fix_en="Upload the photo through the form.", field=f.name, value=sha,
                )

    @staticmethod
    def _with_field_photos(spec: LayerSpec, diff: Mapping[str, Any], photos: Sequence[str]) -> list[str]:
        """The change's photos plus the photos its photo fields newly name (each once, in order)."""
        out = list(photos)
        for f in spec.fields:
            if f.photo and f.name in diff and diff[f.name][1] and diff[f.name][1] not in out:
                out.append(diff[f.name][1])
        return out

    def _when(self, actor: Actor, ts: datetime | None) -> str:
        if ts is None:
            return iso_utc(utc_now())
        if actor.role != "system":
            raise PermissionDenied("auth.backdate", en="Only the system may record a change at another time.",
                                   zh="只有系统可以记录非当前时间的变更。")
        return iso_utc(ts)

    def _insert_history(self, conn, *, site_id, kind, version, action, from_status, to_status, changed_at,
                        actor: Actor, source, note, changes, op_id, evidence: Evidence | None,
                        photos: Sequence[str] = (), override: str | None = None, batch_id: str | None = None) -> int:
        ev = evidence or Evidence()
        self._data_changed(conn)
        cur = conn.execute(
            f"""INSERT INTO {HISTORY_TABLE} (site_id, kind, version, action, from_status, to_status,
                changed_at, actor, source, client, note, changes, op_id, device_lon, device_lat,
                device_accuracy_m, device_time, distance_m, remote, photos, override, batch_id)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id""",
            (site_id, kind, version, action, from_status, to_status, changed_at, actor.name, source,
             actor.client or None, note, json.dumps(changes, ensure_ascii=False, default=str), op_id,
             ev.lon, ev.lat, ev.accuracy_m, iso_utc(ev.fix_time) if ev.fix_time else None, ev.distance_m,
             None if ev.remote is None else bool(ev.remote), json.dumps(list(photos)) if photos else None,
             override, batch_id),
        )
        return int(cur.fetchone()[0])


def _normalise_geometry(spec: LayerSpec, geom):
    """Promote single polygons/lines to multi where the column type is multi."""
    from shapely.geometry import MultiLineString, MultiPolygon

    if spec.geometry == "polygon" and geom is not None and geom.geom_type == "Polygon":
        return MultiPolygon([geom])
    if spec.geometry == "line" and geom is not None and geom.geom_type == "LineString":
        return MultiLineString([geom])
    return geom


def _in_filters(filters: Mapping[str, Iterable[str] | None]) -> tuple[str, list]:
    clauses, args = [], []
    for col, values in filters.items():
        if values is None:
            continue
        values = list(values)
        if not values:
            clauses.append("0")
            continue
        clauses.append(f"{_q(col)} IN ({', '.join('?' * len(values))})")
        args += values
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


def _row_to_entry(r) -> HistoryEntry:
    return HistoryEntry(
        id=r["id"], site_id=r["site_id"], kind=r["kind"], version=r["version"], action=r["action"],
        from_status=r["from_status"], to_status=r["to_status"], changed_at=r["changed_at"], actor=r["actor"],
        source=r["source"], client=r["client"], note=r["note"],
        changes=json.loads(r["changes"]) if r["changes"] else {}, op_id=r["op_id"],
        evidence=Evidence(
            lon=r["device_lon"], lat=r["device_lat"], accuracy_m=r["device_accuracy_m"],
            fix_time=datetime.fromisoformat(r["device_time"].replace("Z", "+00:00")) if r["device_time"] else None,
            distance_m=r["distance_m"], remote=None if r["remote"] is None else bool(r["remote"]),
        ),
        photos=tuple(json.loads(r["photos"])) if r["photos"] else (),
        override=r["override"] if "override" in r.keys() else None,
    )


def upsert_meta(conn, key: str, value: str) -> None:
    """Set one ``store_meta`` value (insert or replace), in the caller's transaction."""
    conn.execute(f"INSERT INTO {META_TABLE}(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (key, value))
