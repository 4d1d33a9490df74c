"""Ledger rows that set a status their site's evidence does not support, reported as import problems (pure).

An import records the bureau's ledger, so it may set any status the
workflow knows — except one guarded by an evidence gate
(:class:`layers.spec.Gate`) whose check fails: a ledger cannot mark a body
初见成效 while its readings are heavy. The store refuses such a row itself
(:meth:`geo.store.gpkg.GpkgStore.import_batch`); this step says so in the
preview first, on the row, with what is missing, so that the CLI exits 3 and
the page shows it before anything is written. With an administrator's
override reason the row stays, with a warning that the override will be
recorded.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from geo.ingest.problems import Problem

__all__ = ["apply_status_gates"]


def apply_status_gates(plan, verdicts: Mapping[str, Sequence[tuple]], *, override: str | None = None) -> int:
    """Move candidates whose status lacks its evidence into problems; return how many rows were refused.

    Parameters
    ----------
    plan : ImportPlan
        From :func:`geo.ingest.prepare_import` (changed in place).
    verdicts : mapping of site id to [(Gate, Verdict)]
        From :meth:`geo.store.gpkg.GpkgStore.import_gate_preview`.
    override : str, optional
        An administrator's reason: failing rows stay, with a warning.
    """
    refused = 0
    keep = []
    for c in plan.candidates:
        failed = [(g, v) for g, v in verdicts.get(c.site.site_id, ()) if not v.ok]
        if not failed:
            keep.append(c)
            continue
        column = plan.mapping.column("status") or plan.mapping.column("status_code") or "" if plan.mapping else ""
        zh = "；".join(v.missing_zh for _, v in failed)
        en = " ".join(v.missing_en for _, v in failed)
        need_zh = "；".join(g.zh for g, _ in failed)
        need_en = "; ".join(g.en for g, _ in failed)
        if override:
            plan.problems.append(Problem(
                row=c.row, column=column, code="status.evidence_override", severity="warning", layer=c.layer,
                message_zh=f"{c.site.site_id} 的状态缺少证据（{zh}），将按越过理由“{override}”导入并记录。",
                message_en=f"{c.site.site_id}: the status lacks its evidence ({en}); imported under the override "
                           f"{override!r}, which is recorded."))
            keep.append(c)
            continue
        refused += 1
        plan.problems.append(Problem(
            row=c.row, column=column, code="status.evidence_missing", layer=c.layer, value=c.site.status,
            message_zh=f"{c.site.site_id} 不能记为该状态：{zh}",
            message_en=f"{c.site.site_id} cannot take this status: {en}",
            fix_zh=f"需要：{need_zh}。请先导入监测数据，或把状态改为当前证据支持的状态。",
            fix_en=f"Needed: {need_en}. Import the readings first, or give the status the evidence supports."))
    plan.candidates = keep
    return refused
