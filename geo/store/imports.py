"""Imports and their undo: one batch, one transaction, one audit row — and back again, exactly.

:meth:`ImportsMixin.import_batch` writes the sites a checked ledger gives
(:mod:`geo.ingest` does the reading and checking) in a single ``BEGIN
IMMEDIATE`` transaction, so a writer killed half-way leaves the store as it
was. Every import is a batch (``import_batches``) with an id; every history
row it writes carries that id:

* a new site is inserted as :meth:`~geo.store.gpkg.GpkgStore.add_sites` does
  — feature row, ``site_index`` row, and a history row with action
  ``import`` at version 0 whose ``changes`` are the full snapshot
  ``{field: [None, value]}`` including ``geometry`` as WKT (a site created
  again after an undo continues its version numbers);
* an existing site is updated as the ledger says — status included: an
  import records the ledger, it is not a workflow step — version + 1, with a
  history row ``import`` whose ``changes`` hold ``[before, after]`` of every
  changed field, ``geometry`` (WKT, full precision) and ``is_sample`` included,
  so that undo and replay are exact; a site the file leaves unchanged is not
  touched.

:meth:`ImportsMixin.undo_batch` reverses a batch in one transaction: it
refuses, naming the sites, when any site the batch touched changed after
it; otherwise sites it created are removed (feature row and
``site_index``), sites it updated get their previous values back
(version + 1), each with a history row ``undo``; the batch is marked undone
and an ``undo`` audit row written.

Official town boundaries go the same way (:meth:`import_town_boundaries`):
the current ones live in the feature table ``town_boundaries``; one an
import replaces is kept in ``town_boundaries_replaced`` until that import is
undone.

After an import or an undo the store's ``data_origin`` says ``sample`` only
while some site is still sample data, ``imported`` once none is, and
``empty`` when there are no sites (the 示例数据 banner follows it).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Sequence

import shapely
from shapely.geometry import MultiLineString, MultiPolygon
from shapely.geometry.base import BaseGeometry

from geo.errors import NotFoundError, TransitionNotAllowed, ValidationError, VersionConflict
from geo.store.base import Actor, NewSite, Site
from geo.store.sites import upsert_meta
from geo.store.db import iso_utc, q as _q, utc_now
from geo.store.tables import (BATCHES_TABLE, HISTORY_TABLE, INDEX_TABLE, META_TABLE, TOWN_BOUNDARIES_TABLE,
                              TOWN_REPLACED_TABLE)
from geo.domain.attributes import check_attrs, check_geometry, check_site_text
from geo.domain.rules import check_state
from layers import OBSERVATIONS, REGISTRY, get_spec
from layers.reference import REFERENCE_AREAS
from layers.spec import LayerSpec

__all__ = ["ImportsMixin", "ImportResult", "UndoResult", "BatchInfo", "TOWN_KIND", "refresh_data_origin"]

#: The ``kind`` of a batch of official town boundaries.
TOWN_KIND = "town_boundaries"
_COMMON = ("name", "town_code", "status", "responsible", "deadline")
_CST = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class ImportResult:
    """What one import did.

    Attributes
    ----------
    batch_id : str
        The batch's id (undo it with :meth:`ImportsMixin.undo_batch`).
    created, updated, unchanged : tuple of str
        Site ids (town codes for town boundaries).
    skipped : tuple of (int, str, str)
        With ``skip_invalid``: (1-based position in ``rows``, site id, reason).
    kind : str
    """

    batch_id: str
    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    skipped: tuple[tuple[int, str, str], ...] = ()
    kind: str = ""

    @property
    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": len(self.unchanged),
                "skipped": len(self.skipped)}


@dataclass(frozen=True)
class UndoResult:
    """What undoing a batch did: sites removed (created by it) and restored (updated by it)."""

    batch_id: str
    removed: tuple[str, ...]
    restored: tuple[str, ...]
    kind: str = ""


@dataclass(frozen=True)
class BatchInfo:
    """One row of ``import_batches``."""

    batch_id: str
    created_at: str
    actor: str
    source_name: str | None
    kind: str
    counts: Mapping[str, Any] = field(default_factory=dict)
    undone_at: str | None = None
    undone_by: str | None = None

    @property
    def undone(self) -> bool:
        return self.undone_at is not None


def _new_batch_id(now: datetime) -> str:
    """``IMP-20251121-153012-3f9a2c``: readable, sortable, unique."""
    return f"IMP-{now.astimezone(_CST):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _normalise(spec: LayerSpec, geom: BaseGeometry) -> BaseGeometry:
    """As the store keeps it: multi for polygon and line kinds (``add_sites`` does the same)."""
    if spec.geometry == "polygon" and geom is not None and geom.geom_type == "Polygon":
        return MultiPolygon([geom])
    if spec.geometry == "line" and geom is not None and geom.geom_type == "LineString":
        return MultiLineString([geom])
    return geom


def _wkt(geom: BaseGeometry | None) -> str | None:
    """Full-precision WKT (every double written with enough digits to read back exactly)."""
    return None if geom is None else shapely.to_wkt(geom, rounding_precision=-1, trim=True)


def _same(a: BaseGeometry, b: BaseGeometry) -> bool:
    return a.geom_type == b.geom_type and shapely.to_wkb(a) == shapely.to_wkb(b)


def refresh_data_origin(conn) -> str:
    """Set ``data_origin`` from the sites themselves: ``sample`` while any is sample, else ``imported``/``empty``.

    Other origins (set by hand or by another tool) are left alone.
    """
    row = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key='data_origin'").fetchone()
    current = row[0] if row else None
    if current not in (None, "sample", "imported", "empty"):
        return current
    n_sample = n_real = 0
    for spec in REGISTRY.values():
        r = conn.execute(f"SELECT count(*) FILTER (WHERE is_sample), count(*) FILTER (WHERE NOT is_sample) "
                         f"FROM {_q(spec.key)}").fetchone()
        n_sample += int(r[0])
        n_real += int(r[1])
    new = "sample" if n_sample else ("imported" if n_real else "empty")
    if new != current:
        upsert_meta(conn, "data_origin", new)
    return new


class ImportsMixin:
    """Import batches and their undo. Needs the GeoPackage store's ``_write``/``_allow``/``_read_site`` ..."""

    # -- sites -------------------------------------------------------------
    def import_batch(self, actor: Actor, rows: Sequence[NewSite], *, source_name: str, skip_invalid: bool = False,
                     expected: Mapping[str, int | None] | None = None, source: str = "import",
                     override: str | None = None) -> ImportResult:
        """Write checked ledger rows as one batch in one transaction.

        Parameters
        ----------
        actor : Actor
            Needs the ``import`` permission (administrators).
        rows : sequence of NewSite
            One kind. A known id updates that site, a new id creates one.
        source_name : str
            The file name, recorded with the batch.
        skip_invalid : bool, default False
            Rows the store's own checks refuse are skipped (and listed in the
            result) instead of refusing the whole import.
        expected : mapping of site id to version or None, optional
            What the preview saw (None: the id was new). If any site has
            changed since, nothing is written (``import.stale``).
        source : str
            Recorded in the history rows.
        override : str, optional
            An administrator's reason to set statuses whose evidence gate
            refuses (recorded on each such history row); never a default.

        Returns
        -------
        ImportResult

        Raises
        ------
        PermissionDenied
            The actor may not import (an ``auth.denied`` audit row is written).
        ValidationError
            ``import.empty``, ``import.mixed_kinds``, ``import.duplicate_id``,
            ``site.other_kind``, ``status.evidence_missing`` (a status the
            site's evidence does not support: an import records the ledger, but
            cannot mark a body 初见成效 over heavy readings) or a field/geometry
            error naming the row — nothing written.
        VersionConflict
            ``import.stale`` naming the sites that changed since the preview.
        """
        from geo.store.gating import clean_override

        override = clean_override(override)
        with self._read() as conn:
            self._allow(conn, actor, "import")
        rows = list(rows)
        if not rows:
            raise ValidationError("import.empty", en="Nothing to import: the file gave no row that can be written.",
                                  zh="没有可导入的行：文件中没有可写入的点位。")
        kinds = sorted({r.kind for r in rows})
        if len(kinds) > 1:
            raise ValidationError("import.mixed_kinds", en=f"One import holds one kind; got {', '.join(kinds)}.",
                                  zh=f"一次导入只能包含一种点位类型，收到：{'、'.join(kinds)}。", value=kinds)
        spec = get_spec(kinds[0])
        prepared: list[tuple[int, NewSite, dict, BaseGeometry]] = []
        skipped: list[tuple[int, str, str]] = []
        seen: set[str] = set()
        for i, s in enumerate(rows, start=1):
            try:
                if s.site_id in seen:
                    raise ValidationError("import.duplicate_id", en=f"Site id {s.site_id!r} is in the import twice.",
                                          zh=f"编号“{s.site_id}”在本次导入中出现两次。", value=s.site_id)
                prepared.append((i, *self._check_import_row(spec, s)))
                seen.add(s.site_id)
            except ValidationError as exc:
                if not skip_invalid:
                    raise type(exc)(exc.code, en=f"Row {i} ({s.site_id}): {exc.en} Nothing was imported.",
                                    zh=f"第 {i} 条（{s.site_id}）：{exc.zh} 未导入任何数据。",
                                    **{**exc.context, "row": i, "site_id": s.site_id}) from exc
                skipped.append((i, s.site_id, exc.zh))
        display = dict(zip((p[1].site_id for p in prepared), self._display_blobs([p[3] for p in prepared])))
        now = utc_now()
        when = iso_utc(now)
        batch_id = _new_batch_id(now)
        created: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        with self._write() as conn:
            eff = self._allow(conn, actor, "import")
            if expected is not None:
                self._check_expected(conn, expected, [p[1].site_id for p in prepared])
            for i, s, attrs, geom in prepared:
                idx = conn.execute(f"SELECT kind FROM {INDEX_TABLE} WHERE site_id = ?", (s.site_id,)).fetchone()
                if idx is not None and idx["kind"] != spec.key:
                    exc = ValidationError(
                        "site.other_kind",
                        en=f"Site id {s.site_id!r} already belongs to a {get_spec(idx['kind']).en} site.",
                        zh=f"编号“{s.site_id}”已被{get_spec(idx['kind']).zh}使用。", value=s.site_id)
                    if not skip_invalid:
                        raise exc
                    skipped.append((i, s.site_id, exc.zh))
                    continue
                try:
                    used = self._import_gate(conn, eff, spec, s, attrs, geom, idx is not None, when, override)
                except TransitionNotAllowed as exc:
                    if not skip_invalid:
                        raise type(exc)(exc.code, en=f"Row {i} ({s.site_id}): {exc.en} Nothing was imported.",
                                        zh=f"第 {i} 条（{s.site_id}）：{exc.zh} 未导入任何数据。",
                                        fix_zh=exc.fix_zh, fix_en=exc.fix_en,
                                        **{**exc.context, "row": i, "site_id": s.site_id}) from exc
                    skipped.append((i, s.site_id, exc.zh))
                    continue
                if idx is None:
                    self._import_create(conn, spec, s, attrs, geom, eff, when, batch_id, source, override=used)
                    created.append(s.site_id)
                elif self._import_update(conn, spec, s, attrs, geom, eff, when, batch_id, source, override=used):
                    updated.append(s.site_id)
                else:
                    unchanged.append(s.site_id)
            counts = {"created": len(created), "updated": len(updated), "unchanged": len(unchanged),
                      "skipped": len(skipped)}
            conn.execute(
                f"INSERT INTO {BATCHES_TABLE} (batch_id, created_at, actor, source_name, kind, counts)"
                " VALUES (?,?,?,?,?,?)",
                (batch_id, when, eff.name, source_name, spec.key, json.dumps(counts)),
            )
            if created or updated:
                self._put_display(conn, spec.key, created + updated, [display[sid] for sid in created + updated])
                self._layer_changed(conn, spec.key)
            origin = refresh_data_origin(conn)
            self._audit(conn, eff, "import", target=batch_id,
                        details={"kind": spec.key, "source_name": source_name, **counts, "data_origin": origin,
                                 "site_ids": (created + updated)[:50]})
        return ImportResult(batch_id, tuple(created), tuple(updated), tuple(unchanged), tuple(skipped), spec.key)

    def _import_gate(self, conn, eff: Actor, spec: LayerSpec, s: NewSite, attrs: dict, geom: BaseGeometry,
                     exists: bool, when: str, override: str | None) -> str | None:
        """The evidence gates of the status a ledger row sets (a new site, or a status the row changes)."""
        if exists:
            cur = self._read_site(conn, spec, s.site_id)
            if cur.status == s.status:
                return None
            site = cur
        else:
            site = Site(kind=spec.key, site_id=s.site_id, name=s.name, town_code=s.town_code, status=s.status,
                        version=0, geometry=geom, deadline=s.deadline, responsible=s.responsible, attrs=attrs)
        used, _ = self._check_gates(conn, eff, spec, site, s.status, attrs, when, override)
        return used

    def _check_import_row(self, spec: LayerSpec, s: NewSite) -> tuple[NewSite, dict, BaseGeometry]:
        """The store's own checks of one row (the ingest checks came first; these stand guard)."""
        from geo.towns import resolve_town

        if s.kind != spec.key:
            raise ValidationError("import.mixed_kinds", en="One import holds one kind.", zh="一次导入只能包含一种点位类型。")
        if not str(s.site_id or "").strip() or not str(s.name or "").strip():
            raise ValidationError("site.missing_id_or_name", en="site_id and name are required.", zh="编号和名称为必填项。")
        try:
            if resolve_town(s.town_code).code != s.town_code:
                raise NotFoundError("town.unknown", en="not a code", zh="不是代码")
        except NotFoundError:
            raise ValidationError("town.unknown", en=f"Town code {s.town_code!r} is not an official town code.",
                                  zh=f"镇街代码“{s.town_code}”不是统计用区划代码。", value=s.town_code) from None
        spec.status(s.status)
        check_site_text(s.name, s.responsible)
        attrs = check_attrs(spec, s.attrs)
        check_state(spec, s.status, attrs)
        geom = _normalise(spec, s.geometry)
        check_geometry(spec, geom)
        return s, attrs, geom

    def _check_expected(self, conn, expected: Mapping[str, int | None], ids: Sequence[str]) -> None:
        stale = []
        for sid in ids:
            if sid not in expected:
                continue
            want = expected[sid]
            idx = conn.execute(f"SELECT kind FROM {INDEX_TABLE} WHERE site_id = ?", (sid,)).fetchone()
            if idx is None:
                if want is not None:
                    stale.append(f"{sid}（已被删除）")
                continue
            if want is None:
                stale.append(f"{sid}（已被他人新增）")
                continue
            row = conn.execute(f"SELECT version, updated_by, updated_at FROM {_q(idx['kind'])} WHERE site_id = ?",
                               (sid,)).fetchone()
            if row["version"] != want:
                stale.append(f"{sid}（v{want}→v{row['version']}，{row['updated_by']}）")
        if stale:
            raise VersionConflict(
                "import.stale",
                en=f"{len(stale)} site(s) changed since the preview: {', '.join(stale[:10])}. Nothing was imported; "
                   "check the file again and import.",
                zh=f"预览之后有 {len(stale)} 个点位已被修改：{'、'.join(stale[:10])}。本次未导入任何数据，请重新检查后导入。",
                sites=stale,
            )

    def _next_version(self, conn, site_id: str) -> int:
        row = conn.execute(f"SELECT max(version) FROM {HISTORY_TABLE} WHERE site_id = ?", (site_id,)).fetchone()
        return 0 if row[0] is None else int(row[0]) + 1

    def _import_history(self, conn, *, site_id: str, kind: str, version: int, action: str,
                        from_status: str | None, to_status: str | None, changed_at: str, actor: Actor,
                        source: str, note: str | None, changes: Mapping[str, Any], batch_id: str,
                        override: str | None = None) -> int:
        self._data_changed(conn)
        cur = conn.execute(
            f"""INSERT INTO {HISTORY_TABLE} (site_id, kind, version, action, from_status, to_status, changed_at,
                actor, source, client, note, changes, batch_id, override)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id""",
            (site_id, kind, version, action, from_status, to_status, changed_at, actor.name, source,
             actor.client or None, note, json.dumps(changes, ensure_ascii=False, default=str), batch_id, override),
        )
        return int(cur.fetchone()[0])

    def _import_create(self, conn, spec: LayerSpec, s: NewSite, attrs: dict, geom: BaseGeometry, eff: Actor,
                       when: str, batch_id: str, source: str, override: str | None = None) -> None:
        version = self._next_version(conn, s.site_id)
        names = ["site_id", "name", "town_code", "responsible", "deadline", "status", "version", "is_sample",
                 "updated_at", "updated_by"] + [f.name for f in spec.fields] + ["geom"]
        values = [s.site_id, s.name, s.town_code, s.responsible, s.deadline, s.status, version, False, when, eff.name]
        values += [attrs.get(f.name) for f in spec.fields] + [self.geom_in(geom)]
        conn.execute(f"INSERT INTO {INDEX_TABLE}(site_id, kind) VALUES (?, ?)", (s.site_id, spec.key))
        conn.execute(f"INSERT INTO {_q(spec.key)} ({', '.join(_q(n) for n in names)}) "
                     f"VALUES ({', '.join('?' * len(names))})", values)
        snapshot = {"name": s.name, "town_code": s.town_code, "status": s.status, "deadline": s.deadline,
                    "responsible": s.responsible, **attrs, "is_sample": False, "geometry": _wkt(geom)}
        self._import_history(conn, site_id=s.site_id, kind=spec.key, version=version, action="import",
                             from_status=None, to_status=s.status, changed_at=when, actor=eff, source=source,
                             note=None, changes={k: [None, v] for k, v in snapshot.items()}, batch_id=batch_id,
                             override=override)

    def _import_update(self, conn, spec: LayerSpec, s: NewSite, attrs: dict, geom: BaseGeometry, eff: Actor,
                       when: str, batch_id: str, source: str, override: str | None = None) -> bool:
        cur: Site = self._read_site(conn, spec, s.site_id)
        new = {"name": s.name, "town_code": s.town_code, "status": s.status, "responsible": s.responsible,
               "deadline": s.deadline}
        changes: dict[str, list] = {}
        for k in _COMMON:
            if getattr(cur, k) != new[k]:
                changes[k] = [getattr(cur, k), new[k]]
        for f in spec.fields:
            before = cur.attrs.get(f.name)
            after = attrs.get(f.name)
            if f.type == "bool":
                before = None if before is None else bool(before)
                after = None if after is None else bool(after)
            if before != after:
                changes[f.name] = [before, after]
        if not _same(cur.geometry, geom):
            changes["geometry"] = [_wkt(cur.geometry), _wkt(geom)]
        if cur.is_sample:
            changes["is_sample"] = [True, False]
        if not changes:
            return False
        sets = ["version = version + 1", "updated_at = ?", "updated_by = ?"]
        args: list[Any] = [when, eff.name]
        for k, (_, after) in changes.items():
            if k == "geometry":
                sets.append("geom = ?")
                args.append(self.geom_in(geom))
            elif k == "is_sample":
                sets.append("is_sample = ?")
                args.append(bool(after))
            else:
                sets.append(f"{_q(k)} = ?")
                args.append(after)
        conn.execute(f"UPDATE {_q(spec.key)} SET {', '.join(sets)} WHERE site_id = ? AND version = ?",
                     args + [s.site_id, cur.version])
        self._import_history(conn, site_id=s.site_id, kind=spec.key, version=cur.version + 1, action="import",
                             from_status=cur.status, to_status=s.status, changed_at=when, actor=eff, source=source,
                             note=None, changes=changes, batch_id=batch_id, override=override)
        return True

    # -- undo --------------------------------------------------------------
    def undo_batch(self, actor: Actor, batch_id: str) -> UndoResult:
        """Undo an import batch in one transaction, restoring every site it touched exactly.

        Raises
        ------
        PermissionDenied
            The actor may not undo (administrators only).
        NotFoundError
            ``batch.not_found``.
        ValidationError
            ``batch.already_undone``; ``batch.changed_since`` naming each site
            (or town) changed after the batch — nothing is undone then.
        """
        now = utc_now()
        when = iso_utc(now)
        with self._write() as conn:
            eff = self._allow(conn, actor, "undo")
            batch = conn.execute(f"SELECT * FROM {BATCHES_TABLE} WHERE batch_id = ?", (batch_id,)).fetchone()
            if batch is None:
                raise NotFoundError("batch.not_found",
                                    en=f"No import batch {batch_id!r}; the import page and `cli.py batches` list them.",
                                    zh=f"不存在导入批次“{batch_id}”；导入页面和 `cli.py batches` 列出了所有批次。",
                                    value=batch_id)
            if batch["undone_at"]:
                raise ValidationError(
                    "batch.already_undone",
                    en=f"Batch {batch_id} was already undone by {batch['undone_by']} at {batch['undone_at']}.",
                    zh=f"批次 {batch_id} 已于 {_cst_text(batch['undone_at'])} 由 {batch['undone_by']} 撤销。",
                    value=batch_id)
            if batch["kind"] == TOWN_KIND:
                removed, restored = self._undo_towns(conn, batch_id, when)
            elif batch["kind"] in OBSERVATIONS:
                removed, restored = self._undo_observation_batch(conn, eff, OBSERVATIONS[batch["kind"]], batch_id, when)
            elif batch["kind"] in REFERENCE_AREAS:
                removed, restored = self._undo_reference(conn, batch_id, batch["kind"])
            else:
                removed, restored = self._undo_sites(conn, get_spec(batch["kind"]), batch_id, eff, when)
            conn.execute(f"UPDATE {BATCHES_TABLE} SET undone_at = ?, undone_by = ? WHERE batch_id = ?",
                         (when, eff.name, batch_id))
            origin = refresh_data_origin(conn)
            self._audit(conn, eff, "undo", target=batch_id,
                        details={"kind": batch["kind"], "source_name": batch["source_name"], "removed": len(removed),
                                 "restored": len(restored), "data_origin": origin,
                                 "site_ids": (list(removed) + list(restored))[:50]})
        return UndoResult(batch_id, tuple(removed), tuple(restored), batch["kind"])

    def _undo_sites(self, conn, spec: LayerSpec, batch_id: str, eff: Actor, when: str) -> tuple[list[str], list[str]]:
        rows = conn.execute(f"SELECT * FROM {HISTORY_TABLE} WHERE batch_id = ? AND action = 'import' ORDER BY id",
                            (batch_id,)).fetchall()
        changed = []
        for r in rows:
            idx = conn.execute(f"SELECT kind FROM {INDEX_TABLE} WHERE site_id = ?", (r["site_id"],)).fetchone()
            cur = None if idx is None else conn.execute(
                f"SELECT version FROM {_q(idx['kind'])} WHERE site_id = ?", (r["site_id"],)).fetchone()
            if cur is None or cur["version"] != r["version"]:
                last = conn.execute(f"SELECT actor, changed_at, action FROM {HISTORY_TABLE} WHERE site_id = ? "
                                    "ORDER BY version DESC, id DESC LIMIT 1", (r["site_id"],)).fetchone()
                changed.append((r["site_id"], last))
        if changed:
            zh = "、".join(f"{sid}（{last['actor']} 于 {_cst_text(last['changed_at'])}）" for sid, last in changed[:20])
            en = ", ".join(f"{sid} ({last['action']} by {last['actor']} at {last['changed_at']})" for sid, last in changed[:20])
            raise ValidationError(
                "batch.changed_since",
                en=f"Batch {batch_id} cannot be undone: {len(changed)} site(s) changed after it: {en}. "
                   "Undo those later changes first (or correct the sites by hand).",
                zh=f"批次 {batch_id} 无法撤销：其后有 {len(changed)} 个点位又被修改：{zh}。请先撤销或处理这些后续修改。",
                value=batch_id, sites=[sid for sid, _ in changed],
            )
        removed: list[str] = []
        restored: list[str] = []
        regeom: list[tuple[str, BaseGeometry]] = []  # sites whose geometry comes back: their display too
        for r in reversed(rows):
            changes = json.loads(r["changes"]) if r["changes"] else {}
            sid = r["site_id"]
            cur: Site = self._read_site(conn, spec, sid)
            if r["from_status"] is None:  # the batch created it: remove it
                snapshot = {"name": cur.name, "town_code": cur.town_code, "status": cur.status,
                            "deadline": cur.deadline, "responsible": cur.responsible, **dict(cur.attrs),
                            "is_sample": cur.is_sample, "geometry": _wkt(cur.geometry)}
                conn.execute(f"DELETE FROM {_q(spec.key)} WHERE site_id = ?", (sid,))
                conn.execute(f"DELETE FROM {INDEX_TABLE} WHERE site_id = ?", (sid,))
                self._import_history(conn, site_id=sid, kind=spec.key, version=cur.version + 1, action="undo",
                                     from_status=cur.status, to_status=None, changed_at=when, actor=eff,
                                     source="undo", note=f"撤销导入批次 {batch_id}（删除该批次新增的点位）",
                                     changes={k: [v, None] for k, v in snapshot.items()}, batch_id=batch_id)
                removed.append(sid)
                continue
            sets = ["version = version + 1", "updated_at = ?", "updated_by = ?"]
            args: list[Any] = [when, eff.name]
            reverse: dict[str, list] = {}
            for k, pair in changes.items():
                before, after = pair
                reverse[k] = [after, before]
                if k == "geometry":
                    sets.append("geom = ?")
                    args.append(self.geom_in(shapely.from_wkt(before)))
                    regeom.append((sid, shapely.from_wkt(before)))
                elif k == "is_sample":
                    sets.append("is_sample = ?")
                    args.append(bool(before))
                else:
                    sets.append(f"{_q(k)} = ?")
                    args.append(before)
            conn.execute(f"UPDATE {_q(spec.key)} SET {', '.join(sets)} WHERE site_id = ? AND version = ?",
                         args + [sid, cur.version])
            restored_status = changes.get("status", [cur.status, cur.status])[0]
            self._import_history(conn, site_id=sid, kind=spec.key, version=cur.version + 1, action="undo",
                                 from_status=cur.status, to_status=restored_status, changed_at=when, actor=eff,
                                 source="undo", note=f"撤销导入批次 {batch_id}", changes=reverse, batch_id=batch_id)
            restored.append(sid)
        if regeom:
            self._put_display(conn, spec.key, [sid for sid, _ in regeom],
                              self._display_blobs([g for _, g in regeom]))
        if rows:
            self._layer_changed(conn, spec.key)
        return removed, restored

    # -- reading batches ---------------------------------------------------
    def list_batches(self, actor: Actor, limit: int = 50) -> list[BatchInfo]:
        """The newest import batches first (administrators)."""
        with self._read() as conn:
            self._allow(conn, actor, "import")
            rows = conn.execute(f"SELECT * FROM {BATCHES_TABLE} ORDER BY created_at DESC, batch_id DESC LIMIT ?",
                                (int(limit),)).fetchall()
        return [BatchInfo(r["batch_id"], r["created_at"], r["actor"], r["source_name"], r["kind"],
                          json.loads(r["counts"] or "{}"), r["undone_at"], r["undone_by"]) for r in rows]

    def get_batch(self, actor: Actor, batch_id: str) -> BatchInfo:
        """One batch; NotFoundError ``batch.not_found``."""
        with self._read() as conn:
            self._allow(conn, actor, "import")
            r = conn.execute(f"SELECT * FROM {BATCHES_TABLE} WHERE batch_id = ?", (batch_id,)).fetchone()
        if r is None:
            raise NotFoundError("batch.not_found", en=f"No import batch {batch_id!r}.", zh=f"不存在导入批次“{batch_id}”。",
                                value=batch_id)
        return BatchInfo(r["batch_id"], r["created_at"], r["actor"], r["source_name"], r["kind"],
                         json.loads(r["counts"] or "{}"), r["undone_at"], r["undone_by"])

    # -- official town boundaries --------------------------------------------
    def import_town_boundaries(self, actor: Actor, boundaries: Sequence[tuple[str, str, BaseGeometry]], *,
                               source_name: str) -> ImportResult:
        """Load official town boundaries as one batch: (town code, name, WGS84 polygon) each.

        A town already loaded is replaced (the old boundary is kept aside
        until the batch is undone); an identical one is left as it is.

        Raises
        ------
        PermissionDenied, ValidationError
            As :meth:`import_batch`.
        """
        with self._read() as conn:
            self._allow(conn, actor, "import")
        items = []
        seen = set()
        for code, name, geom in boundaries:
            if code in seen:
                raise ValidationError("import.duplicate_id", en=f"Town {code} is in the import twice.",
                                      zh=f"镇街 {name} 在本次导入中出现两次。", value=code)
            seen.add(code)
            geom = MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom
            if geom.geom_type != "MultiPolygon" or geom.is_empty or not geom.is_valid:
                raise ValidationError("geometry.invalid", en=f"Town {code}: the boundary must be a valid polygon.",
                                      zh=f"镇街 {name}：边界须为有效的面几何。", value=code)
            items.append((code, name, geom))
        if not items:
            raise ValidationError("import.empty", en="Nothing to import.", zh="没有可导入的镇街边界。")
        now = utc_now()
        when = iso_utc(now)
        batch_id = _new_batch_id(now)
        created, updated, unchanged = [], [], []
        with self._write() as conn:
            eff = self._allow(conn, actor, "import")
            for code, name, geom in items:
                old = conn.execute(f"SELECT * FROM {TOWN_BOUNDARIES_TABLE} WHERE town_code = ?", (code,)).fetchone()
                if old is not None and _same(self.geom_out(old["geom"]), geom) and old["name_zh"] == name:
                    unchanged.append(code)
                    continue
                if old is not None:
                    conn.execute(
                        f"INSERT INTO {TOWN_REPLACED_TABLE} (old_fid, town_code, name_zh, geom, batch_id, imported_at,"
                        " replaced_by, replaced_at) VALUES (?,?,?,?,?,?,?,?)",
                        (old["fid"], old["town_code"], old["name_zh"], self.geom_in(self.geom_out(old["geom"])),
                         old["batch_id"], old["imported_at"], batch_id, when))
                    conn.execute(f"DELETE FROM {TOWN_BOUNDARIES_TABLE} WHERE fid = ?", (old["fid"],))
                    updated.append(code)
                else:
                    created.append(code)
                conn.execute(f"INSERT INTO {TOWN_BOUNDARIES_TABLE} (geom, town_code, name_zh, batch_id, imported_at)"
                             " VALUES (?,?,?,?,?)", (self.geom_in(geom), code, name, batch_id, when))
            counts = {"created": len(created), "updated": len(updated), "unchanged": len(unchanged), "skipped": 0}
            conn.execute(
                f"INSERT INTO {BATCHES_TABLE} (batch_id, created_at, actor, source_name, kind, counts)"
                " VALUES (?,?,?,?,?,?)", (batch_id, when, eff.name, source_name, TOWN_KIND, json.dumps(counts)))
            self._layer_changed(conn, TOWN_BOUNDARIES_TABLE)
            self._data_changed(conn)
            self._audit(conn, eff, "import", target=batch_id,
                        details={"kind": TOWN_KIND, "source_name": source_name, **counts,
                                 "towns": created + updated})
        return ImportResult(batch_id, tuple(created), tuple(updated), tuple(unchanged), (), TOWN_KIND)

    def town_boundaries(self, actor: Actor) -> dict[str, BaseGeometry]:
        """The official town boundaries loaded so far: town code -> WGS84 MultiPolygon (may be empty)."""
        with self._read() as conn:
            self._allow(conn, actor, "read")
            rows = conn.execute(f"SELECT town_code, geom FROM {TOWN_BOUNDARIES_TABLE}").fetchall()
        return {r["town_code"]: self.geom_out(r["geom"]) for r in rows}

    def _undo_towns(self, conn, batch_id: str, when: str) -> tuple[list[str], list[str]]:
        later = conn.execute(f"SELECT town_code, replaced_by FROM {TOWN_REPLACED_TABLE} WHERE batch_id = ?",
                             (batch_id,)).fetchall()
        if later:
            names = "、".join(f"{r['town_code']}（被批次 {r['replaced_by']} 替换）" for r in later)
            raise ValidationError(
                "batch.changed_since",
                en=f"Batch {batch_id} cannot be undone: {len(later)} boundary(ies) were replaced by a later import: "
                   f"{', '.join(r['town_code'] for r in later)}. Undo the later import first.",
                zh=f"批次 {batch_id} 无法撤销：其中 {len(later)} 个镇街边界已被后续导入替换：{names}。请先撤销后续导入。",
                value=batch_id, sites=[r["town_code"] for r in later])
        removed = [r["town_code"] for r in conn.execute(
            f"SELECT town_code FROM {TOWN_BOUNDARIES_TABLE} WHERE batch_id = ?", (batch_id,))]
        conn.execute(f"DELETE FROM {TOWN_BOUNDARIES_TABLE} WHERE batch_id = ?", (batch_id,))
        restored = []
        for r in conn.execute(f"SELECT * FROM {TOWN_REPLACED_TABLE} WHERE replaced_by = ? ORDER BY id",
                              (batch_id,)).fetchall():
            conn.execute(f"INSERT INTO {TOWN_BOUNDARIES_TABLE} (fid, geom, town_code, name_zh, batch_id, imported_at)"
                         " VALUES (?,?,?,?,?,?)",
                         (r["old_fid"], r["geom"], r["town_code"], r["name_zh"], r["batch_id"], r["imported_at"]))
            restored.append(r["town_code"])
        conn.execute(f"DELETE FROM {TOWN_REPLACED_TABLE} WHERE replaced_by = ?", (batch_id,))
        removed = [c for c in removed if c not in restored]
        self._layer_changed(conn, TOWN_BOUNDARIES_TABLE)
        self._data_changed(conn)
        return removed, restored


def _cst_text(iso: str | None) -> str:
    if not iso:
        return "?"
    try:
        ts = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return str(iso)
    return ts.astimezone(_CST).strftime("%Y-%m-%d %H:%M")
