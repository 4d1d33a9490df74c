"""Importing the bureau's ledgers: read, recognise columns, normalise, check — nothing written (pure).

The pipeline, used the same way by the import page and ``cli.py import``::

    plan = prepare_import(data, "台账.xlsx", kind="outfalls", crs=CrsChoice.parse("gcj02"),
                          existing={s.site_id: s for s in store.list_sites(actor)})
    plan.problems       # every finding: row as the user sees it, column, code, zh/en message, fix
    plan.candidates     # the rows that can be written: create / update (before → after) / unchanged
    store.import_batch(actor, [c.site for c in plan.writable], source_name=..., expected=plan.expected())

Modules, one job each: :mod:`~geo.ingest.safety` (limits checked before
parsing), :mod:`~geo.ingest.xmlsafe` (XML with DTDs forbidden, nesting
bounded), :mod:`~geo.ingest.encoding` (strict text decoding),
:mod:`~geo.ingest.readers` (one reader per format: :mod:`~geo.ingest.xlsx`,
:mod:`~geo.ingest.csvfile`, :mod:`~geo.ingest.kml`, :mod:`~geo.ingest.gis`,
all giving a :mod:`~geo.ingest.table`), :mod:`~geo.ingest.columns` (header
recognition and the remembered mapping), :mod:`~geo.ingest.coords` (DMS,
full-width digits, Gauss-Krüger, swapped axes), :mod:`~geo.ingest.values`
(numbers, dates, choices, statuses), :mod:`~geo.ingest.validate` (the
checks, split by job: plan, file checks, row checks, row coordinates,
candidates, town rows, reference areas), :mod:`~geo.ingest.messages` (every message and fix,
by code) and :mod:`~geo.ingest.towncheck` (sites against official town
boundaries).
No Streamlit and no database here (``tests/test_architecture.py``).
"""

from __future__ import annotations

from typing import Mapping

from shapely.geometry.base import BaseGeometry

from geo.ingest.columns import IGNORE, TOWN_KIND, ColumnMapping, decode_remembered, encode_remembered, layout_key, recognise
from geo.ingest.coords import CRS_KEYS, CrsChoice
from geo.ingest.messages import ingest_error
from geo.ingest.problems import IngestError, Problem, problem_from_error
from geo.ingest.readers import FORMATS, RawRow, RawTable, read_upload
from geo.ingest.validate import Candidate, ImportPlan, TownCandidate, build_plan
from geo.store.base import Site
from layers.reference import REFERENCE_AREAS

__all__ = [
    "CRS_KEYS", "Candidate", "ColumnMapping", "CrsChoice", "FORMATS", "IGNORE", "ImportPlan", "IngestError",
    "Problem", "RawRow", "RawTable", "TOWN_KIND", "TownCandidate", "build_plan", "decode_remembered",
    "encode_remembered", "layout_key", "prepare_import", "read_table", "recognise", "resolve_kind", "KIND_LABELS",
]

#: The pseudo-kinds that are not sites — official town boundaries and the reference areas
#: (``layers.reference``) — labelled.
KIND_LABELS = {TOWN_KIND: ("镇街边界（官方）", "Official town boundaries"),
               **{a.key: (f"{a.zh}（官方范围）", f"{a.en} (official)") for a in REFERENCE_AREAS.values()}}


def resolve_kind(text: str) -> str:
    """A kind key for a key or label (``outfalls``, ``入海排污口``, ``town_boundaries``, ``镇街边界``, ``built_up_area`` …).

    Raises
    ------
    NotFoundError
        ``kind.unknown`` naming every valid key and label.
    """
    from geo.errors import NotFoundError
    from geo.ingest.values import match_key
    from layers import REGISTRY

    key = match_key(text)
    for spec in REGISTRY.values():
        if key in {match_key(n) for n in spec.names()}:
            return spec.key
    if key in (match_key(TOWN_KIND), "镇街边界", match_key(KIND_LABELS[TOWN_KIND][0]), "towns", "townboundaries"):
        return TOWN_KIND
    for area in REFERENCE_AREAS.values():
        names = (area.key, area.zh, area.en, KIND_LABELS[area.key][0], KIND_LABELS[area.key][1], *area.aliases)
        if key in {match_key(n) for n in names}:
            return area.key
    valid = (", ".join(f"{s.key} ({s.zh})" for s in REGISTRY.values()) + f", {TOWN_KIND} (镇街边界), "
             + ", ".join(f"{a.key} ({a.zh})" for a in REFERENCE_AREAS.values()))
    err = ingest_error("kind.unknown", value=text, allowed=valid)
    raise NotFoundError(err.code, zh=err.zh, en=err.en, fix_zh=err.fix_zh, fix_en=err.fix_en, value=text,
                        allowed=valid)


def read_table(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> tuple[RawTable | None, list[Problem]]:
    """Read an upload; a file that cannot be read gives (None, [its problem]) instead of raising."""
    try:
        return read_upload(data, name, kind=kind, sheet=sheet), []
    except IngestError as exc:
        return None, [problem_from_error(exc, row=None)]


def prepare_import(data: bytes, name: str, *, kind: str, crs: CrsChoice, existing: Mapping[str, Site],
                   sheet: str | None = None, remembered: Mapping[str, str | None] | None = None,
                   user_mapping: Mapping[str, str | None] | None = None,
                   boundaries: Mapping[str, BaseGeometry] | None = None,
                   table: RawTable | None = None) -> ImportPlan:
    """Read, map and check an upload; return the plan the preview shows and the import writes.

    Parameters
    ----------
    data : bytes
        The file.
    name : str
        Its name (the format comes from the suffix, checked against the content).
    kind : str
        Kind key, or :data:`TOWN_KIND` for official town boundaries.
    crs : CrsChoice
        The system the coordinates are in (required: GCJ-02 cannot be told from the data).
    existing : mapping of str to Site
        Every site in the store, by id.
    sheet : str, optional
        Sheet or layer to read.
    remembered, user_mapping : mapping of header to target, optional
        The mapping remembered for this file layout, and the user's own choices (win).
    boundaries : mapping of town code to geometry, optional
        Official town boundaries, when loaded.
    table : RawTable, optional
        An already read table (the page reads once and re-checks when the mapping changes).

    Returns
    -------
    ImportPlan
        Never raises for a bad file: unreadable files give a file-level error problem.
    """
    problems: list[Problem] = []
    if table is None:
        table, problems = read_table(data, name, kind=kind, sheet=sheet)
    mapping = None
    if table is not None:
        mapping = recognise(kind, table.headers, remembered=remembered, user=user_mapping)
    return build_plan(table, mapping, kind=kind, crs=crs, existing=existing, source_name=name,
                      file_problems=problems, boundaries=boundaries)
