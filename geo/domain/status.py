"""Status facts derived from a site and its kind: step, done, overdue (pure)."""

from __future__ import annotations

from datetime import date

from geo.clock import today_cst
from layers import get_spec


def is_overdue(kind: str, status: str, deadline: str | None, today: date | None = None) -> bool:
    """Deadline passed and the status does not count as done (nor closed apart: ``excluded``).

    Parameters
    ----------
    kind, status : str
        Registry key and status code.
    deadline : str or None
        ISO date; no deadline means never overdue.
    today : date, optional
        Defaults to today in China Standard Time.
    """
    if not deadline:
        return False
    st = get_spec(kind).status(status)
    if st.done or st.excluded:
        return False
    try:
        due = date.fromisoformat(str(deadline)[:10])
    except ValueError:
        return False
    return due < (today or today_cst())


def step_text(kind: str, status: str, lang: str = "zh") -> str:
    """``第 2 步 / 共 6 步`` or ``step 2 of 6``; a status closed apart says so instead of a step."""
    spec = get_spec(kind)
    st = spec.status(status)
    if st.excluded:
        return "已核销，不计入进度" if lang == "zh" else "closed apart, not counted"
    n = sum(1 for s in spec.statuses if not s.excluded)
    return f"第 {st.step} 步 / 共 {n} 步" if lang == "zh" else f"step {st.step} of {n}"


def filter_sites(sites, *, kinds=None, towns=None, statuses=None, overdue_only=False, today: date | None = None):
    """Sites matching every given filter (None or empty = no filter on that).

    Parameters
    ----------
    statuses : iterable of (kind, status) pairs or "kind:status" strings, optional
        Status filter; a kind with no status named in the filter keeps all its
        statuses, so choosing statuses of one kind does not hide the others.
    """
    kinds = set(kinds) if kinds else None
    towns = set(towns) if towns else None
    wanted: dict[str, set[str]] = {}
    for item in statuses or ():
        k, s = item.split(":", 1) if isinstance(item, str) else item
        wanted.setdefault(k, set()).add(s)
    today = today or today_cst()
    out = []
    for site in sites:
        if kinds is not None and site.kind not in kinds:
            continue
        if towns is not None and site.town_code not in towns:
            continue
        if site.kind in wanted and site.status not in wanted[site.kind]:
            continue
        if overdue_only and not is_overdue(site.kind, site.status, site.deadline, today):
            continue
        out.append(site)
    return out
