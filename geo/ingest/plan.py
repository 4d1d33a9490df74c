"""The import plan: everything the preview shows and the import writes, and how it is built (pure).

:func:`build_plan` runs the file-level checks (:mod:`geo.ingest.filechecks`),
then every row (:mod:`geo.ingest.candidates` for sites,
:mod:`geo.ingest.townrows` for official town boundaries, :mod:`geo.ingest.refareas`
for reference areas). A file-level error
(unreadable file, no data rows, columns mapped twice, a coordinate system the
file contradicts) keeps every row out. Nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from shapely.geometry.base import BaseGeometry

from geo.ingest import coords as C
from geo.ingest.candidates import Candidate, site_candidates
from geo.ingest.collect import file_problem
from geo.ingest.columns import TOWN_KIND, ColumnMapping
from geo.ingest.filechecks import file_checks
from geo.ingest.problems import Problem
from geo.ingest.refareas import AreaCandidate, area_candidates
from geo.ingest.table import RawTable
from geo.ingest.townrows import TownCandidate, town_candidates
from geo.store.base import Site
from layers.reference import REFERENCE_AREAS

__all__ = ["ImportPlan", "build_plan"]


@dataclass
class ImportPlan:
    """Everything the preview shows and the import writes.

    Attributes
    ----------
    kind : str
        Kind key, :data:`~geo.ingest.columns.TOWN_KIND`, or a reference-area key
        (:data:`layers.reference.REFERENCE_AREAS`).
    source_name : str
    crs : CrsChoice
    table : RawTable or None
        None when the file could not be read at all.
    mapping : ColumnMapping or None
    candidates : list of Candidate
        Rows without errors (sites).
    towns : list of TownCandidate
        Rows without errors (town boundaries).
    areas : list of AreaCandidate
        Features without errors (reference areas).
    problems : list of Problem
        File-level first, then by row.
    rows_read : int
    """

    kind: str
    source_name: str
    crs: C.CrsChoice
    table: RawTable | None
    mapping: ColumnMapping | None
    candidates: list[Candidate] = field(default_factory=list)
    towns: list[TownCandidate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    areas: list[AreaCandidate] = field(default_factory=list)

    # -- summaries -----------------------------------------------------------
    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def file_errors(self) -> list[Problem]:
        return [p for p in self.errors if p.row is None]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def error_rows(self) -> list[tuple[str, int]]:
        return sorted({(p.layer, p.row) for p in self.errors if p.row is not None}, key=lambda k: (k[0], k[1]))

    def of(self, action: str) -> list[Candidate]:
        return [c for c in self.candidates if c.action == action]

    @property
    def writable(self) -> list[Candidate]:
        """Rows that change the store (creates and updates)."""
        return [c for c in self.candidates if c.action in ("create", "update")]

    @property
    def all_accepted(self) -> bool:
        return not self.has_errors

    def expected(self) -> dict[str, int | None]:
        """site id -> the version the preview saw (None: new), for the store's optimistic check."""
        return {c.site.site_id: c.expected_version for c in self.candidates}

    def report(self, *, batch_id: str | None = None, written: bool = False, lang: str = "zh") -> dict[str, Any]:
        """The JSON report: per problem row/column/code/message/fix, and the accepted rows with their ids."""
        unit = self.table.row_unit if self.table else "row"
        return {
            "file": self.source_name,
            "format": self.table.format if self.table else None,
            "kind": self.kind,
            "crs": self.crs.key,
            "encoding": self.table.encoding if self.table else None,
            "sheet_or_layer": self.table.chosen if self.table else [],
            "row_unit": unit,
            "rows_read": self.rows_read,
            "batch_id": batch_id,
            "written": written,
            "counts": {
                "accepted": len(self.candidates) + len(self.towns) + len(self.areas),
                "create": len(self.of("create")), "update": len(self.of("update")),
                "unchanged": len(self.of("unchanged")), "towns": len(self.towns), "areas": len(self.areas),
                "rows_with_errors": len(self.error_rows), "errors": len(self.errors),
                "warnings": len(self.warnings),
            },
            "problems": [
                {"row": p.row, "layer": p.layer or None, "column": p.column, "code": p.code, "severity": p.severity,
                 "message": p.message(lang), "message_zh": p.message_zh, "message_en": p.message_en,
                 "fix": p.fix_text(lang), "fix_zh": p.fix_zh, "fix_en": p.fix_en, "value": p.value}
                for p in self.problems
            ],
            "accepted": [{"row": c.row, "layer": c.layer or None, "site_id": c.site.site_id, "action": c.action,
                          "generated_id": c.generated_id} for c in self.candidates]
            + [{"row": t.row, "layer": t.layer or None, "town_code": t.town_code, "town": t.name_zh,
                "action": "boundary"} for t in self.towns]
            + [{"row": a.row, "layer": a.layer or None, "name": a.name, "action": "reference_area"} for a in self.areas],
        }


def build_plan(table: RawTable | None, mapping: ColumnMapping | None, *, kind: str, crs: C.CrsChoice,
               existing: Mapping[str, Site], source_name: str, file_problems: Sequence[Problem] = (),
               boundaries: Mapping[str, BaseGeometry] | None = None) -> ImportPlan:
    """Check every row of ``table`` and compare it with the store.

    Parameters
    ----------
    table : RawTable or None
        None when the file could not be read (``file_problems`` says why).
    mapping : ColumnMapping or None
    kind : str
        Kind key, :data:`TOWN_KIND` or a reference-area key.
    crs : CrsChoice
    existing : mapping of str to Site
        Every site in the store, by id (any kind).
    source_name : str
    file_problems : sequence of Problem
        Problems found while reading.
    boundaries : mapping of town code to geometry, optional
        Official town boundaries, when loaded.

    Returns
    -------
    ImportPlan
    """
    plan = ImportPlan(kind=kind, source_name=source_name, crs=crs, table=table, mapping=mapping,
                      problems=list(file_problems))
    if table is None or mapping is None:
        return plan
    plan.problems += table.notes
    plan.problems += file_checks(table, mapping, crs, kind)
    plan.rows_read = len(table.rows)
    if not table.rows:
        plan.problems.append(file_problem("file.no_data_rows", name=source_name, value=source_name))
    if kind == TOWN_KIND:
        plan.towns, problems = town_candidates(table, mapping, crs)
    elif kind in REFERENCE_AREAS:
        plan.areas, problems = area_candidates(kind, table, mapping, crs)
    else:
        plan.candidates, problems = site_candidates(kind, table, mapping, crs, existing, boundaries or {})
    plan.problems += problems
    if plan.file_errors:
        plan.candidates, plan.towns, plan.areas = [], [], []
    plan.problems.sort(key=lambda p: (p.row is not None, p.layer, p.row or 0))
    return plan
