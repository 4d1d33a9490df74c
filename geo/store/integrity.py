"""Consistency checks of sites against their history: lost updates show up here.

For every site the history must hold a ``create`` row (or an ``import`` row,
for a site an import created) at version 0 and one row per later version,
contiguous, each row's ``from_status`` equal to the
previous row's ``to_status``, and the site's current status and version equal
to the last row's. ``python cli.py check`` runs this over the whole store.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from geo.store.base import Actor, HistoryEntry, Site

#: Actions that create a site (version 0).
CREATION_ACTIONS = ("create", "import")


def history_problems(site: Site, entries: Sequence[HistoryEntry], expected_changes: int | None = None) -> list[str]:
    """Problems with one site's history (empty list = consistent).

    Parameters
    ----------
    site : Site
        The site as stored now.
    entries : sequence of HistoryEntry
        Its history rows, any order.
    expected_changes : int, optional
        How many status changes the writers reported as applied; when given,
        the history and the version must account for every one of them.
    """
    problems: list[str] = []
    rows = sorted(entries, key=lambda e: (e.version, e.id))
    if not rows or rows[0].action not in CREATION_ACTIONS or rows[0].version != 0:
        problems.append(f"{site.site_id}: no create row at version 0")
    versions = [e.version for e in rows]
    if len(versions) != len(set(versions)):
        problems.append(f"{site.site_id}: duplicate versions in history")
    if versions != list(range(len(versions))):
        problems.append(f"{site.site_id}: history versions {versions[:5]}... are not contiguous from 0")
    for prev, cur in zip(rows, rows[1:]):
        if cur.from_status != prev.to_status:
            problems.append(
                f"{site.site_id}: v{cur.version} starts from {cur.from_status!r} but v{prev.version} ended at {prev.to_status!r}"
            )
    if rows:
        last = rows[-1]
        if site.version != last.version:
            problems.append(f"{site.site_id}: site version {site.version} != last history version {last.version}")
        if site.status != last.to_status:
            problems.append(f"{site.site_id}: site status {site.status!r} != last history status {last.to_status!r}")
    if expected_changes is not None:
        changes = sum(1 for e in rows if e.version > 0)
        if changes != expected_changes:
            problems.append(f"{site.site_id}: {expected_changes} changes reported applied, history holds {changes}")
        if site.version != expected_changes:
            problems.append(f"{site.site_id}: {expected_changes} changes reported applied, version is {site.version}")
    return problems


def store_problems(store, actor: Actor, sites: Iterable[Site] | None = None) -> list[str]:
    """Run :func:`history_problems` over every site of ``store``."""
    by_site: dict[str, list[HistoryEntry]] = {}
    for e in store.all_history(actor):
        by_site.setdefault(e.site_id, []).append(e)
    problems: list[str] = []
    for site in sites if sites is not None else store.list_sites(actor):
        problems += history_problems(site, by_site.get(site.site_id, []))
    return problems
