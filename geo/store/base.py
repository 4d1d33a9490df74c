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
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

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


class MapSite(NamedTuple):
    """What the map needs of a site: no stored geometry, its display geometry instead (light: 100,000s fit).

    ``overview`` and ``detail`` are the display geometry at two levels of
    detail as :func:`geo.displaygeom.entry_blob` writes them (``detail`` None:
    the same as ``overview``), in WGS84. Has the fields the map's filters
    and picker read (kind, town, status, deadline, id, name). A named tuple:
    immutable, and made fast enough for a million sites.
    """

    kind: str
    site_id: str
    name: str
    town_code: str
    status: str
    version: int
    deadline: str | None
    overview: bytes
    detail: bytes | None = None


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
    """The one interface pages and the CLI use: sites, history, accounts, sessions, audit, imports, rasters.

    Two backends implement it with the same guarantees (``tests/`` runs the
    store suite over both): :class:`geo.store.gpkg.GpkgStore` (one GeoPackage
    file, the embedded default) and :class:`geo.store.postgis.PgStore`
    (PostgreSQL/PostGIS, for several instances). Every method that reads
    private data or changes anything takes the acting user.
    """

    # -- where it is --------------------------------------------------------
    #: ``"gpkg"`` or ``"postgis"``.
    backend: str = ""

    @property
    @abc.abstractmethod
    def locator(self) -> str:
        """What ``geo.store.open_store`` takes to open this store again (a path or a URL)."""

    @property
    @abc.abstractmethod
    def label(self) -> str:
        """The store as shown to people (a URL without its password)."""

    @property
    @abc.abstractmethod
    def photos_dir(self):
        """The folder of field photos (content-addressed files)."""

    @property
    @abc.abstractmethod
    def raster_dir(self):
        """The folder of raster overlay copies."""

    @abc.abstractmethod
    def raster_path(self, layer):
        """The file of a raster overlay."""

    @abc.abstractmethod
    def is_empty(self) -> bool:
        """No site and no account."""

    @abc.abstractmethod
    def check_schema(self) -> None:
        """Refuse a store of another app or a newer schema; bring an older one up to date."""

    @abc.abstractmethod
    def list_sites(
        self,
        actor: Actor,
        kinds: Iterable[str] | None = None,
        towns: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
    ) -> list[Site]:
        """Sites filtered by kind keys, town codes and status codes (None = all)."""

    def map_sites(
        self,
        actor: Actor,
        kinds: Iterable[str] | None = None,
        towns: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
    ) -> list[MapSite]:
        """Sites as the map draws them (:class:`MapSite`), filtered as :meth:`list_sites`.

        This generic version simplifies every geometry; a store that keeps
        display geometries (the GeoPackage store) reads them instead.
        """
        from geo import displaygeom

        sites = self.list_sites(actor, kinds, towns, statuses)
        blobs = displaygeom.display_blobs([s.geometry for s in sites])
        return [MapSite(s.kind, s.site_id, s.name, s.town_code, s.status, s.version, s.deadline, o, d)
                for s, (o, d) in zip(sites, blobs)]

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
                     expected: Mapping[str, int | None] | None = None, source: str = "import",
                     override: str | None = None):
        """Write checked ledger rows (new sites and updates) as one batch in one transaction."""

    @abc.abstractmethod
    def undo_batch(self, actor: Actor, batch_id: str):
        """Undo an import batch in one transaction, restoring every site it touched."""

    # -- monitoring tables (one per observation spec: geo.store.observations) -----------------
    @abc.abstractmethod
    def list_observations(self, actor: Actor, spec_key: str, site_ids: Sequence[str] | None = None, *,
                          include_replaced: bool = False) -> list:
        """Rows of a monitoring table, oldest first: the current ones, or every row ever written."""

    @abc.abstractmethod
    def all_observations(self, actor: Actor) -> dict:
        """Every row of every monitoring table (corrections and voids included), by spec key."""

    @abc.abstractmethod
    def offline_readings(self, actor: Actor, *, limit: int | None = None) -> list:
        """Days of readings sent by offline clients, newest first (who, when, where; from their audit rows)."""

    @abc.abstractmethod
    def record_observations(self, actor: Actor, spec_key: str, rows: Sequence, *, op_id: str, source: str = "field",
                            recorded_at: datetime | None = None, context: Mapping | None = None):
        """Write observations entered by hand in one transaction (automatic evidence gates applied in it)."""

    @abc.abstractmethod
    def import_observations(self, actor: Actor, spec_key: str, rows: Sequence, *, source_name: str):
        """Write the checked rows of an imported file as one undoable batch in one transaction."""

    @abc.abstractmethod
    def correct_observation(self, actor: Actor, spec_key: str, obs_id: int, *, reason: str, values=None,
                            observed_on: str | None = None, observed_time: str | None = None):
        """Replace a current row by a corrected one (the old row stays, replaced)."""

    @abc.abstractmethod
    def void_observation(self, actor: Actor, spec_key: str, obs_id: int, *, reason: str):
        """Withdraw a current row (a void row replaces it; the old row stays)."""

    @abc.abstractmethod
    def gate_preview(self, actor: Actor, site_id: str, target: str, changes=None) -> list:
        """What the evidence gates on ``target`` say about a site now: [(Gate, Verdict)], nothing written."""

    @abc.abstractmethod
    def import_gate_preview(self, actor: Actor, sites) -> dict:
        """For ledger rows about to be imported: site id -> [(Gate, Verdict)] for the status each sets."""

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

    @abc.abstractmethod
    def get_batch(self, actor: Actor, batch_id: str):
        """One import batch."""

    @abc.abstractmethod
    def import_town_boundaries(self, actor: Actor, boundaries, *, source_name: str):
        """Load official town boundaries as one batch (undoable)."""

    @abc.abstractmethod
    def town_boundaries(self, actor: Actor) -> dict:
        """The official town boundaries loaded so far: town code -> WGS84 MultiPolygon."""

    # -- official reference areas (built-up area, near suburbs, heat-network coverage) --
    @abc.abstractmethod
    def import_reference_areas(self, actor: Actor, key: str, items, *, source_name: str, is_sample: bool = False,
                               imported_at=None):
        """Load a new official version of one reference area as one batch (administrators; undoable)."""

    @abc.abstractmethod
    def reference_areas(self, actor: Actor, *, before=None):
        """The reference areas (and town boundaries) in force now or just before ``before``: a ReferenceAreas."""

    @abc.abstractmethod
    def reference_features(self, actor: Actor) -> list:
        """The current reference-area features: (kind, name, WGS84 MultiPolygon) each."""

    # -- accounts, sessions, audit --------------------------------------------
    @abc.abstractmethod
    def effective_actor(self, actor: Actor) -> Actor:
        """The actor as the store sees it (role and towns from the account)."""

    @abc.abstractmethod
    def users_exist(self) -> bool:
        """Whether any active account exists."""

    @abc.abstractmethod
    def add_user(self, actor: Actor, name: str, role: str, *, password: str | None = None, towns=(),
                 display_name: str | None = None, identity: str | None = None):
        """Create an account (administrators)."""

    @abc.abstractmethod
    def list_users(self, actor: Actor) -> list:
        """Every account (administrators)."""

    @abc.abstractmethod
    def update_user(self, actor: Actor, name: str, **changes):
        """Change role, towns, display name, identity or the disabled flag (optimistic lock)."""

    @abc.abstractmethod
    def set_password(self, actor: Actor, name: str, new_password: str, *, current_password: str | None = None) -> None:
        """Set a password; ends every session of that user."""

    @abc.abstractmethod
    def login(self, name: str, password: str, *, client: str = ""):
        """Check a password and open a server-side session (throttled)."""

    @abc.abstractmethod
    def session_actor(self, token: str, **kwargs) -> Actor:
        """The actor of a live session."""

    @abc.abstractmethod
    def identity_session(self, identity: str, *, client: str = ""):
        """A server-side session (``LoginResult``) for a single-sign-on identity the provider verified."""

    @abc.abstractmethod
    def logout(self, token: str, *, client: str = "") -> None:
        """End a session."""

    @abc.abstractmethod
    def actor_for(self, name: str, *, client: str = "") -> Actor:
        """The actor of an existing, active account (the CLI's ``--as``)."""

    @abc.abstractmethod
    def actor_for_identity(self, identity: str, *, client: str = "") -> Actor:
        """The account mapped to a single-sign-on identity."""

    @abc.abstractmethod
    def audit_log(self, actor: Actor, *, since: str | None = None, user: str | None = None,
                  action: str | None = None, limit: int | None = None) -> list:
        """Audit rows, newest first (administrators)."""

    @abc.abstractmethod
    def authorise_export(self, actor: Actor, *, towns) -> None:
        """Refuse (and audit the denial of) an export the actor may not make; nothing recorded when allowed."""

    @abc.abstractmethod
    def record_export(self, actor: Actor, *, towns, kinds, fmt: str, rows: int, outcome: str = "ok",
                      file: str | None = None, error: str | None = None) -> None:
        """Write an export's audit row once its file exists (``"failed"`` with the error code when it could not be
        written)."""

    @abc.abstractmethod
    def record_report(self, actor: Actor, *, town: str, file: str, as_of: str, outcome: str = "ok",
                      error: str | None = None) -> None:
        """Audit a town report once written (``"failed"`` with the error code when it could not be)."""

    @abc.abstractmethod
    def authorise_migration(self, actor: Actor) -> None:
        """Refuse (and audit the denial of) a copy of the whole store to anyone but an administrator."""

    @abc.abstractmethod
    def record_migration(self, actor: Actor, *, destination: str, ok: bool, rows: int) -> None:
        """Audit a verified copy of the whole store."""

    # -- the offline field client (geo/store/sync.py) ---------------------------
    @abc.abstractmethod
    def field_actor(self, actor: Actor) -> Actor:
        """The account as it stands now, if it may use the offline client (inspectors)."""

    @abc.abstractmethod
    def submit_offline_change(self, actor: Actor, change) -> Any:
        """Apply a change an offline client sent once, or keep it as a conflict or a refusal (a ``SyncOutcome``)."""

    @abc.abstractmethod
    def offline_changes(self, actor: Actor, *, mine: bool = False, outcome: str | None = None,
                        open_conflicts: bool = False, limit: int | None = None) -> list:
        """Changes sent by offline clients, newest arrival first (``OfflineRecord`` each)."""

    @abc.abstractmethod
    def offline_change(self, actor: Actor, op_id: str) -> Any:
        """One synced change by its op id."""

    @abc.abstractmethod
    def resolve_offline_conflict(self, actor: Actor, op_id: str, action: str, *, expected_version: int | None = None,
                                 note: str = "") -> Any:
        """Re-apply a conflict on the site's current version, or discard it, with who and when."""

    @abc.abstractmethod
    def field_photo(self, actor: Actor, upload_sha256: str) -> str | None:
        """The stored photo's hash for a device upload's hash (None when it has not arrived)."""

    @abc.abstractmethod
    def record_field_photo(self, actor: Actor, upload_sha256: str, photo_sha256: str, size: int) -> str:
        """Record a device upload as a stored photo (the first record stays); returns the stored hash."""

    @abc.abstractmethod
    def enroll_device(self, session_token: str, *, label: str = "", client: str = "",
                      replaces: str | None = None) -> tuple:
        """A device token made from an inspector's live session: ``(Device, token)``, the token shown once."""

    @abc.abstractmethod
    def device_actor(self, token: str, *, client: str = "") -> tuple:
        """The account a live device token acts for: ``(Actor, device_id)``."""

    @abc.abstractmethod
    def list_devices(self, actor: Actor, *, user: str | None = None, include_ended: bool = False) -> list:
        """Device tokens: an administrator sees every account's, an inspector their own."""

    @abc.abstractmethod
    def revoke_device(self, actor: Actor, device_id: str) -> Any:
        """End a device token (an administrator, or the account it belongs to)."""

    @abc.abstractmethod
    def field_logout(self, *, session_token: str = "", device_token: str = "", client: str = "") -> None:
        """End the session and the device token a field client holds."""
