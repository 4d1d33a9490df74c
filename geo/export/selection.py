"""The sites one export covers, read once through the store, plus what the file must say about them.

:func:`load_selection` reads the chosen towns and kinds with one
``store.list_sites`` call, applies the status filter in Python (so that
target progress can still be computed over every status) and records the
store's data origin: sample data makes every file say 示例数据.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Sequence

from geo.export.options import ExportOptions
from geo.export.records import (PART_SAMPLE_NOTICE_EN, PART_SAMPLE_NOTICE_ZH, SAMPLE_NOTICE_EN, SAMPLE_NOTICE_ZH,
                                Column, columns_for, records_for, town_name)
from geo.clock import CST, today_cst
from geo.domain.status import filter_sites
from layers import REGISTRY, get_spec


@dataclass(frozen=True)
class Selection:
    """What one file (or one town's folder) contains.

    Attributes
    ----------
    options : ExportOptions
    sites : tuple of Site
        The sites to write: chosen towns, kinds and statuses.
    population : tuple of Site
        Chosen towns and kinds, every status: the base of target progress.
    town_codes : tuple of str or None
        The towns this selection stands for; None = every town.
    is_sample : bool
        Some of the data is sample data: the store's ``data_origin`` is
        ``sample`` or a site is flagged ``is_sample``. The files then carry the
        示例数据 notice and columns.
    store_is_sample : bool
        The whole store is sample data (every row says 示例数据); otherwise
        only the rows of sites flagged ``is_sample`` do.
    generated_at : datetime
        When the export was made, China Standard Time.
    today : date
        The overdue rule's today (CST).
    """

    options: ExportOptions
    sites: tuple
    population: tuple
    town_codes: tuple[str, ...] | None
    is_sample: bool
    generated_at: datetime
    today: date
    store_is_sample: bool = True

    def sites_of(self, kind: str) -> list:
        return [s for s in self.sites if s.kind == kind]

    def columns(self, kind: str) -> tuple[Column, ...]:
        """The export columns of ``kind`` for this selection (GCJ-02, sample columns as chosen)."""
        return columns_for(kind, self.options.gcj02, self.is_sample)

    def records(self, kind: str, sites: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """One record per site of ``kind`` (default: every selected site of it), see :func:`records_for`."""
        return records_for(self.sites_of(kind) if sites is None else sites, get_spec(kind), today=self.today,
                           gcj02=self.options.gcj02, sample=self.is_sample, all_sample=self.store_is_sample)

    @property
    def kinds(self) -> tuple[str, ...]:
        return self.options.kinds

    def for_town(self, code: str) -> "Selection":
        """The same selection narrowed to one town."""
        return replace(self, sites=tuple(s for s in self.sites if s.town_code == code),
                       population=tuple(s for s in self.population if s.town_code == code), town_codes=(code,))

    # -- what the file says about itself ---------------------------------
    def towns_text(self, lang: str = "zh") -> str:
        if self.town_codes is None:
            return "全部镇街" if lang == "zh" else "all towns"
        return ("、" if lang == "zh" else ", ").join(town_name(c) for c in self.town_codes)

    def kinds_text(self, lang: str = "zh") -> str:
        if set(self.kinds) == set(REGISTRY):
            return f"全部（{len(REGISTRY)}类）" if lang == "zh" else f"all ({len(REGISTRY)} kinds)"
        return ("、" if lang == "zh" else ", ").join(REGISTRY[k].label(lang) for k in self.kinds)

    def statuses_text(self, lang: str = "zh") -> str:
        if not self.options.statuses:
            return "全部状态" if lang == "zh" else "every status"
        parts = []
        for item in self.options.statuses:
            k, s = item.split(":", 1)
            spec = REGISTRY[k]
            parts.append(f"{spec.label(lang)}·{spec.status(s).label(lang)}")
        return ("、" if lang == "zh" else ", ").join(parts)

    def filter_text(self, lang: str = "zh") -> str:
        if lang == "zh":
            return f"镇街：{self.towns_text('zh')}；类型：{self.kinds_text('zh')}；状态：{self.statuses_text('zh')}"
        return f"towns: {self.towns_text('en')}; kinds: {self.kinds_text('en')}; statuses: {self.statuses_text('en')}"

    def notice(self, lang: str = "zh") -> str:
        """The 示例数据 notice, or an empty string for real data."""
        if not self.is_sample:
            return ""
        if not self.store_is_sample:
            return PART_SAMPLE_NOTICE_ZH if lang == "zh" else PART_SAMPLE_NOTICE_EN
        return SAMPLE_NOTICE_ZH if lang == "zh" else SAMPLE_NOTICE_EN


def select(sites: Sequence[Any], options: ExportOptions, *, is_sample: bool,
           generated_at: datetime | None = None, today: date | None = None) -> Selection:
    """Build a :class:`Selection` from sites already read (the towns and kinds of ``options``).

    Parameters
    ----------
    sites : sequence of Site
        At least the chosen towns and kinds; others are dropped here.
    options : ExportOptions
    is_sample : bool
        Whether the store holds sample data.
    generated_at : datetime, optional
        Defaults to now (CST).
    today : date, optional
        Defaults to today (CST).
    """
    today = today or today_cst()
    population = filter_sites(sites, kinds=options.kinds, towns=options.towns, today=today)
    chosen = filter_sites(population, statuses=options.statuses, today=today)
    return Selection(
        options=options,
        sites=tuple(chosen),
        population=tuple(population),
        town_codes=options.towns,
        is_sample=is_sample or any(getattr(s, "is_sample", False) for s in chosen),
        store_is_sample=is_sample,
        generated_at=(generated_at or datetime.now(CST)).astimezone(CST).replace(microsecond=0),
        today=today,
    )


def load_selection(store, actor, options: ExportOptions, *, today: date | None = None) -> Selection:
    """Read the sites ``options`` asks for through the store boundary, and have the store approve the export.

    Stores that audit exports refuse here what the actor may not export (an
    inspector outside their towns) with PermissionDenied (``store.authorise_export``,
    the denial audited); the export itself is audited by :func:`record_export`
    only once its file exists — a full disk is never recorded as an export made.

    Parameters
    ----------
    store : geo.store.SiteStore
    actor : geo.store.Actor
        The acting user; the store decides what they may read and export.
    options : ExportOptions
    today : date, optional
        Defaults to today (CST).
    """
    sites = store.list_sites(actor, kinds=list(options.kinds),
                             towns=None if options.towns is None else list(options.towns))
    meta = store.meta()
    # The whole store counts as sample only while every site is a sample site: once real ledgers
    # are imported next to it, only the rows of sample sites say 示例数据.
    whole_sample = meta.get("data_origin") == "sample" and all(getattr(s, "is_sample", False) for s in sites)
    sel = select(sites, options, is_sample=whole_sample, today=today)
    authorise = getattr(store, "authorise_export", None)
    if callable(authorise):
        authorise(actor, towns=None if options.towns is None else list(options.towns))
    return sel


def record_export(store, actor, sel: Selection, *, file: str | None = None, error: str | None = None) -> None:
    """Audit an export once its file exists (``error``: the code of a write that failed, audited as failed)."""
    record = getattr(store, "record_export", None)
    if callable(record):
        options = sel.options
        record(actor, towns=None if options.towns is None else list(options.towns), kinds=list(options.kinds),
               fmt=",".join(options.formats), rows=len(sel.sites), outcome="failed" if error else "ok", file=file,
               error=error)
