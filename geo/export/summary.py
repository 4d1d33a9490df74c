"""The figures an export's summary states: counts per kind × status and progress against the targets.

Progress is :func:`geo.domain.targets.target_figures` over the chosen sites — the
dashboard's own computation, never typed in. It is computed over every status
of the chosen towns and kinds, so a status filter cannot make a town look done.
A target that needs an official reference area or a location (the clean-fuel
area coverage, boilers inside the heat-network coverage) is left to the review
dashboard: the row says so instead of a figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from geo.domain.status import is_overdue
from layers import get_spec


@dataclass(frozen=True)
class CountRow:
    """Sites of one kind in one status."""

    kind: str
    kind_zh: str
    status: str
    status_zh: str
    step: int
    n: int
    overdue: int


@dataclass(frozen=True)
class TargetRow:
    """Progress of one target over a set of sites.

    ``share`` and ``met`` are None when no site is in the target's population.
    """

    kind: str
    kind_zh: str
    code: str
    zh: str
    clause: str
    population_zh: str
    population: int | float | None
    done: int | float | None
    share: float | None
    threshold: float | None  # None: the documents give no figure (the share is shown, no pass mark)
    plan_zh: str
    deadline: date
    met: bool | None
    numerator_zh: str = ""
    needs_reference: bool = False


def count_rows(sites: Sequence, kinds: Sequence[str], today: date) -> list[CountRow]:
    """One row per status of every chosen kind (zeros included), in workflow order."""
    rows = []
    for kind in kinds:
        spec = get_spec(kind)
        for st in sorted(spec.statuses, key=lambda s: s.step):
            these = [s for s in sites if s.kind == kind and s.status == st.code]
            rows.append(CountRow(kind, spec.zh, st.code, st.zh, st.step, len(these),
                                 sum(1 for s in these if is_overdue(kind, s.status, s.deadline, today))))
    return rows


def target_rows(sites: Sequence, kinds: Sequence[str]) -> list[TargetRow]:
    """Progress of every target of the chosen kinds over ``sites``.

    Parameters
    ----------
    sites : sequence of Site
        Every site of the chosen towns and kinds, whatever its status (a status closed apart,
        ``Status.excluded``, is outside every population).
    kinds : sequence of str
    """
    from geo.domain.targets import target_figures

    rows = []
    for kind in kinds:
        spec = get_spec(kind)
        of_kind = [s for s in sites if s.kind == kind]
        for tg in spec.targets:
            fig = target_figures(tg, of_kind)
            num, den = fig["numerator"], fig["denominator"]
            rows.append(TargetRow(
                kind=kind, kind_zh=spec.zh, code=tg.code, zh=tg.zh, clause=tg.clause,
                population_zh=fig["population_zh"], population=den, done=num,
                share=num / den if num is not None and den else None, threshold=tg.threshold, plan_zh=fig["plan_zh"], deadline=tg.deadline,
                met=fig["met"], numerator_zh=fig["numerator_zh"], needs_reference=bool(fig["missing_reference"]),
            ))
    return rows
