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

from geo.ingest.collect import RowProblems
from geo.ingest.table import RawRow

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
        missing = {"missing_zh": "；".join(v.missing_zh for _, v in failed),
                   "missing_en": " ".join(v.missing_en for _, v in failed)}
        rp = RowProblems(RawRow(row=c.row, values={}, layer=c.layer))
        if override:
            rp.add("status.evidence_override", column, severity="warning", site=c.site.site_id, reason=override,
                   **missing)
            plan.problems += rp.items
            keep.append(c)
            continue
        refused += 1
        rp.add("status.evidence_missing", column, value=c.site.status, site=c.site.site_id,
               needed_zh="；".join(g.zh for g, _ in failed), needed_en="; ".join(g.en for g, _ in failed), **missing)
        plan.problems += rp.items
    plan.candidates = keep
    return refused
