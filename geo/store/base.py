"""The storage boundary: records, the acting user, and the interface every store implements.

Pages and the CLI talk to a :class:`SiteStore` only. Every call names the
acting user (:class:`Actor`) so that authorisation lives here and cannot be
skipped by a new page. The GeoPackage implementation is
:class:`geo.store.gpkg.GpkgStore`; a PostGIS one can sit behind the same
interface.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from shapely.geometry.base import BaseGeometry




@dataclass(frozen=True)
class Actor:
    """Who is acting, with which role, from where.

    Parameters
    ----------
    name : str
        Account or operator name, recorded in the history.
    role : str
        One of ``geo.store.policy.ROLES``. Only ``system`` and ``guest`` are
        taken as given; for an account the store uses the stored role.
    towns : tuple of str, optional
        Town codes an inspector may change; empty means all towns.
    client : str, optional
        Where the call comes from (IP address, ``cli@host``), recorded in the history.
    """

    name: str
    role: str = "reviewer"
    towns: tuple[str, ...] = ()
    client: str = ""


@dataclass(frozen=True)
class Evidence:
    """The device fix recorded with a field change."""

    lon: float | None = None
    lat: float | None = None
    accuracy_m: float | None = None
    fix_time: datetime | None = None
    distance_m: float | None = None
    remote: bool | None = None


@dataclass(frozen=True)
class Site:
    """A site as stored: common columns, kind attributes, WGS84 geometry."""

    kind: str
    site_id: str
    name: str
    town_code: str
    status: str
    version: int
    geometry: BaseGeometry
    deadline: str | None = None
    responsible: str | None = None
    is_sample: bool = False
    updated_at: str = ""
    updated_by: str = ""
    attrs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NewSite:
    """A site to be added (sample data, import)."""

    kind: str
    site_id: str
    name: str
    town_code: str
    status: str
    geometry: BaseGeometry
    deadline: str | None = None
    responsible: str | None = None
    is_sample: bool = False
    attrs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HistoryEntry:
    """One append-only history row: who changed what, when, from where, why."""

    id: int
    site_id: str
    kind: str
    version: int
    action: str
    from_status: str | None
    to_status: str | None
    changed_at: str
    actor: str
    source: str
    client: str | None
    note: str | None
    changes: Mapping[str, Any]
    op_id: str | None
    evidence: Evidence
    photos: tuple[str, ...] = ()  # content hashes (sha256) of the photos attached to this change
    override: str | None = None  # an administrator's reason for entering a status whose evidence gate refused


@dataclass(frozen=True)
class Observation:
    """One stored row of a monitoring table (see :mod:`layers.observation`).

    Rows are never changed: a correction is a new row (``action="correct"``)
    that ``replaces`` an older one, a void a row (``action="void"``) that
    replaces it with nothing; both carry a ``reason``. The *current* rows are
    those no later row replaces, voids excluded
    (:func:`geo.domain.monitoring.current_rows`).

    Attributes
    ----------
    spec : str
        The observation spec key (the table).
    obs_id : int
    site_id : str
    observed_on : str
        ISO date (a month's first day for monthly specs).
    observed_time : str or None
        ``HH:MM``.
    values : mapping
        Field -> value (None when not recorded).
    action : {"add", "correct", "void"}
    replaces : int or None
    reason : str or None
    recorded_at, recorded_by, source, client, batch_id :
        Who wrote it, when (UTC ISO), through what (``field``, ``import``,
        ``cli``, ``sample`` ...), from where, in which import batch.
    is_sample : bool
    """

    spec: str
    obs_id: int
    site_id: str
    observed_on: str
    observed_time: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    action: str = "add"
    replaces: int | None = None
    reason: str | None = None
    recorded_at: str = ""
    recorded_by: str = ""
    source: str = ""
    client: str | None = None
    batch_id: str | None = None
    is_sample: bool = False


@dataclass(frozen=True)
class NewObservation:
    """An observation to be written: its site, date (and time) and values (already checked)."""

    site_id: str
    observed_on: str
    observed_time: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    row: int | None = None  # where it came from (file row, form row), for messages


@dataclass(frozen=True)
class ChangeResult:
    """What a status change did: the site after it, its history row, whether it applied now.

    ``applied`` is False when the same ``op_id`` had already been applied (a
    double tap or a retry): nothing was written the second time.
    """

    site: Site
    entry: HistoryEntry
    applied: bool


class SiteStore(abc.ABC):
    """The one interface pages and the CLI use to read and change sites."""

    @abc.abstractmethod
    def list_sites(
        self,
        actor: Actor,
        kinds: Iterable[str] | None = None,
        towns: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
    ) -> list[Site]:
        """Sites filtered by kind keys, town codes and status codes (None = all)."""

    @abc.abstractmethod
    def get_site(self, actor: Actor, site_id: str) -> Site:
        """One site; NotFoundError if there is none."""

    @abc.abstractmethod
    def history(self, actor: Actor, site_id: str) -> list[HistoryEntry]:
        """A site's history, oldest first."""

    @abc.abstractmethod
    def recent_history(self, actor: Actor, limit: int = 50) -> list[HistoryEntry]:
        """The newest history rows across all sites, newest first."""

    @abc.abstractmethod
    def all_history(self, actor: Actor) -> list[HistoryEntry]:
        """Every history row, oldest first (replay, integrity checks)."""

    @abc.abstractmethod
    def counts(self, actor: Actor) -> list[tuple[str, str, str, int]]:
        """(kind, town_code, status, n) for every combination present."""

    @abc.abstractmethod
    def change_status(
        self,
        actor: Actor,
        site_id: str,
        new_status: str,
        *,
        expected_version: int,
        op_id: str,
        note: str = "",
        changes: Mapping[str, Any] | None = None,
        evidence: Evidence | None = None,
        source: str = "web",
        changed_at: datetime | None = None,
        photos: Sequence[str] = (),
        override: str | None = None,
    ) -> ChangeResult:
        """Change a site's status (and optionally attributes) in one transaction.

        ``photos`` are content hashes of photos already stored (see ``geo.photos``);
        ``evidence`` is the device fix with its distance to the site. A status guarded by an
        evidence gate is entered only with its evidence, unless an administrator gives an
        ``override`` reason (recorded).
        """

    @abc.abstractmethod
    def update_attributes(
        self,
        actor: Actor,
        site_id: str,
        changes: Mapping[str, Any],
        *,
        expected_version: int,
        op_id: str,
        note: str = "",
        evidence: Evidence | None = None,
        source: str = "web",
        photos: Sequence[str] = (),
        changed_at: datetime | None = None,
    ) -> ChangeResult:
        """Change a site's attributes, status unchanged, in one transaction (history action ``edit``)."""

    @abc.abstractmethod
    def add_sites(self, actor: Actor, sites: Sequence[NewSite], *, source: str = "import") -> int:
        """Add sites in one transaction; returns how many were added."""

    @abc.abstractmethod
    def import_batch(self, actor: Actor, rows: Sequence[NewSite], *, source_name: str, skip_invalid: bool = False,
                     expected: Mapping[str, int | None] | None = None, source: str = "import"):
        """Write checked ledger rows (new sites and updates) as one batch in one transaction."""

    @abc.abstractmethod
    def undo_batch(self, actor: Actor, batch_id: str):
        """Undo an import batch in one transaction, restoring every site it touched."""

    @abc.abstractmethod
    def list_batches(self, actor: Actor, limit: int = 50) -> list:
        """The newest import batches first."""

    @abc.abstractmethod
    def data_version(self) -> int:
        """A number that changes whenever any site or history row changes."""

    @abc.abstractmethod
    def meta(self) -> dict[str, str]:
        """Store-level facts: schema version, whether the data is sample data ..."""

    @abc.abstractmethod
    def set_meta(self, actor: Actor, key: str, value: str) -> None:
        """Set a store-level fact (admin or system only)."""

    @abc.abstractmethod
    def list_rasters(self, actor: Actor, *, include_removed: bool = False) -> list:
        """Raster overlays (metadata; the files live beside the store)."""

    @abc.abstractmethod
    def get_raster(self, actor: Actor, raster_id: str):
        """One raster overlay."""

    @abc.abstractmethod
    def add_raster(self, actor: Actor, new):
        """Register a checked raster (admin or system)."""

    @abc.abstractmethod
    def update_raster(self, actor: Actor, raster_id: str, *, expected_version: int, **changes):
        """Change a raster overlay's name, colouring, opacity or visibility (optimistic lock)."""

    @abc.abstractmethod
    def remove_raster(self, actor: Actor, raster_id: str, *, expected_version: int) -> None:
        """Hide a raster overlay for good, keeping its row and file."""
