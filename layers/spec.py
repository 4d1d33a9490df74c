"""The shape every site kind declares: fields, workflow, targets, style.

A kind module (``layers/parks.py`` ...) builds one frozen :class:`LayerSpec`
and the registry in ``layers/__init__.py`` collects them. Nothing here
touches the map, the store or Streamlit: a spec is data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Literal, Mapping

from geo.errors import NotFoundError

FieldType = Literal["text", "int", "float", "bool", "date", "choice"]

#: Characters a text field holds unless it says otherwise (a ledger cell, not a document). Excel's own
#: limit is 32,767; the report's table and the map's panel are laid out for far less.
TEXT_MAX_LENGTH = 500
#: Characters in a site name: the longest official names run to ~40 characters; 200 leaves room for
#: a bracketed remark and keeps one report row within a page.
NAME_MAX_LENGTH = 200
#: Characters in a site id (ids are printed on signs and typed in the field).
ID_MAX_LENGTH = 64
#: Characters in the note of a status change (what was done, found, agreed).
NOTE_MAX_LENGTH = 2000
GeometryType = Literal["point", "line", "polygon", "line_or_polygon"]


@dataclass(frozen=True)
class Choice:
    """One allowed value of a choice field: stable ASCII code + labels."""

    code: str
    zh: str
    en: str
    #: For a dependent choice (see :attr:`Field.depends_on`): the code of the parent field's choice this
    #: one belongs to; ``""`` means it fits under every parent value.
    parent: str = ""

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Field:
    """An attribute a site of this kind carries.

    ``name`` is the column name in the store (ASCII, snake_case); ``zh``/``en``
    are the labels used in the UI and as export headers. A text field holds
    at most ``max_length`` characters (default :data:`TEXT_MAX_LENGTH`, or
    :data:`NOTE_MAX_LENGTH` for a ``multiline`` one), enforced on import and
    on every store write (see :attr:`limit`).

    ``depends_on`` names another choice field of the kind: this field's
    choices then carry a ``parent`` code and only those under the parent's
    current value are valid (a second-level class under its first level).
    ``photo`` marks a text field that holds the SHA-256 of a stored photo
    (:mod:`geo.photos`): forms offer an upload for it, the panel shows it.
    ``multiline`` marks a text field that takes several lines (a plan, its milestones).
    """

    name: str
    zh: str
    en: str
    type: FieldType = "text"
    required: bool = False
    choices: tuple[Choice, ...] = ()
    unit: str = ""
    depends_on: str = ""
    photo: bool = False
    multiline: bool = False
    max_length: int | None = None

    @property
    def limit(self) -> int | None:
        """Most characters a text field holds (None for other types)."""
        if self.type != "text":
            return None
        return self.max_length or (NOTE_MAX_LENGTH if self.multiline else TEXT_MAX_LENGTH)

    def label(self, lang: str = "zh") -> str:
        base = self.zh if lang == "zh" else self.en
        return f"{base} ({self.unit})" if self.unit else base

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)

    def choices_under(self, parent: str | None) -> tuple[Choice, ...]:
        """The choices valid when the parent field holds ``parent`` (all of them when None)."""
        if parent is None:
            return self.choices
        return tuple(c for c in self.choices if c.parent in ("", parent))


@dataclass(frozen=True)
class Status:
    """One step of a kind's workflow.

    Attributes
    ----------
    code : str
        Stable ASCII code stored in the database; never shown.
    zh, en : str
        Labels.
    color : str
        ``#rrggbb`` used on the map and in the legend.
    step : int
        Position in the workflow (1-based), for "step 2 of 5".
    done : bool
        Counts as complete for targets and the overdue rule.
    terminal : bool
        End of the workflow: no transition leaves it. A workflow that never
        ends (a water body can turn black again after 长治久清) has no
        terminal status; every status must then still reach a done one.
    excluded : bool
        Closed apart (e.g. a surveyed point that turned out not to be an
        outfall): outside every target's population, never overdue, never
        counted as done. Must be terminal.
    """

    code: str
    zh: str
    en: str
    color: str
    step: int
    done: bool = False
    terminal: bool = False
    excluded: bool = False

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Rule:
    """A condition over a site's status and attributes, declared with its messages.

    ``check(status, attrs)`` returns True when the site is fine. As a
    spec-level rule (:attr:`LayerSpec.rules`) it holds in every state: an
    ``error`` rule is enforced by the store on every write and refuses an
    import row; a ``warning`` rule is reported on import and shown in the
    site's file, but does not block. As a transition guard
    (:attr:`Transition.guards`) it is checked, as an error, on the state the
    change leads to. ``fields`` name the attributes it is about (the column
    an import problem points at).
    """

    code: str
    check: Callable[[str, Mapping[str, object]], bool]
    zh: str
    en: str
    fix_zh: str
    fix_en: str
    fields: tuple[str, ...] = ()
    severity: Literal["error", "warning"] = "error"

    def holds(self, status: str, attrs: Mapping[str, object]) -> bool:
        return bool(self.check(status, attrs))


@dataclass(frozen=True)
class Transition:
    """An allowed status change.

    Attributes
    ----------
    requires : tuple of str
        Fields that must be set once the change is made.
    offers : tuple of str
        Further fields a form offers on this change (optional to fill).
    guards : tuple of Rule
        Conditions on the state the change leads to, checked by the store.
    requires_photo : bool
        The change must carry at least one photo (evidence, a scanned document).
    """

    src: str
    dst: str
    requires: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    guards: tuple[Rule, ...] = ()
    requires_photo: bool = False


#: Which plan a target comes from: Fuqing's own, or the province's figure over Fuqing's sites.
PLANS = {"fuqing": ("福清市方案", "Fuqing plan"), "province": ("福建省方案", "Fujian plan")}


@dataclass(frozen=True)
class Gate:
    """Evidence a site needs before it may enter ``status`` — by any path (app, CLI, import).

    A gate is data: ``check`` names a pure function of
    :data:`geo.domain.gates.CHECKS`, which the store evaluates over the site's
    observations and history inside the write transaction (so a concurrent
    change of the observations cannot race it). A refused change names what is
    missing. An administrator may override a refused gate with a recorded
    reason; nobody else, and never by default.

    Attributes
    ----------
    status : str
        The status the gate guards.
    check : str
        Key of the check in :data:`geo.domain.gates.CHECKS`.
    zh, en : str
        What the gate requires, for forms and messages.
    clause : str
        The document and clause the requirement comes from.
    automatic : bool
        When new observations make the check pass for a site in a status that
        has a transition to ``status``, the store applies that transition
        itself, in the same transaction (e.g. a black-odorous result after
        初见成效 opens 返黑返臭).
    """

    status: str
    check: str
    zh: str
    en: str
    clause: str
    automatic: bool = False


@dataclass(frozen=True)
class Target:
    """A plan target computed from the sites, never typed in.

    Two measures:

    * ``"sites"`` (default): ``count(sites in population that are done) /
      count(sites in population)``. A site is done when its status is in
      ``done_statuses`` or, when ``done_field`` is set, when that attribute is
      one of ``done_values`` (e.g. 循环化改造 in progress or completed). The
      population is every site of the kind for which ``population(attrs)`` is
      true and, when ``within`` names a reference area (``layers.reference``),
      whose location lies inside that area. Sites in an ``excluded`` status
      (``Status.excluded``) are never in the population.
    * ``"area"``: ``area of (union of the reference areas in area_of) covered by
      the kind's sites in done_statuses / area of that union``, in km² in an
      equal-area projection (``geo.domain.coverage``).

    The target is met when the share reaches ``threshold``; ``threshold`` is
    None where the documents give no figure (the share is shown, with no pass
    mark), and ``threshold_source`` names the document and clause the figure
    comes from.

    Attributes
    ----------
    plan : {"fuqing", "province"}
        Whose target this is: the province's figure over Fuqing's sites stands
        beside Fuqing's as an entry of its own, with its own population.
    population_zh, population_en : str
        Who is counted (the denominator), in words.
    numerator_zh, numerator_en : str
        What counts as done (the numerator), in words; when empty the labels
        of ``done_statuses`` are used.
    """

    code: str
    zh: str
    en: str
    clause: str
    threshold: float | None
    deadline: date
    done_statuses: tuple[str, ...] = ()
    population: Callable[[Mapping[str, object]], bool] | None = None
    population_zh: str = "全部"
    population_en: str = "all"
    numerator_zh: str = ""
    numerator_en: str = ""
    plan: str = "fuqing"
    done_field: str = ""
    done_values: tuple[str, ...] = ()
    measure: Literal["sites", "area"] = "sites"
    within: str = ""
    area_of: tuple[str, ...] = ()
    threshold_source: str = ""

    def in_population(self, attrs: Mapping[str, object], inside: frozenset[str] | set[str] = frozenset()) -> bool:
        """Whether a site with ``attrs``, lying inside the reference areas ``inside``, is counted.

        Parameters
        ----------
        attrs : mapping
            The site's attributes.
        inside : set of str
            Keys of the reference areas the site lies in (only read when the
            target has ``within``).
        """
        if self.within and self.within not in inside:
            return False
        return True if self.population is None else bool(self.population(attrs))

    def is_done(self, status: str, attrs: Mapping[str, object]) -> bool:
        """Whether a site in the population counts toward the numerator."""
        if self.done_field:
            return attrs.get(self.done_field) in self.done_values
        return status in self.done_statuses

    def plan_label(self, lang: str = "zh") -> str:
        zh, en = PLANS.get(self.plan, (self.plan, self.plan))
        return zh if lang == "zh" else en


@dataclass(frozen=True)
class Style:
    """Map style shared by every status of a kind (colour comes from status)."""

    radius: int = 7
    weight: int = 2
    fill_opacity: float = 0.35
    dash_array: str | None = None
    #: Drawing order on the map, bottom first: large areas under small
    #: areas under lines under points, so that nothing hides a smaller site
    #: from a tap.
    z_order: int = 0


@dataclass(frozen=True)
class LayerSpec:
    """Everything the app knows about one site kind."""

    key: str
    zh: str
    en: str
    geometry: GeometryType
    code_prefix: str
    fields: tuple[Field, ...]
    statuses: tuple[Status, ...]
    transitions: tuple[Transition, ...]
    initial_status: str
    targets: tuple[Target, ...]
    lead_departments: tuple[str, ...]
    plan_clause: str
    default_deadline: date
    style: Style = field(default_factory=Style)
    description_zh: str = ""
    description_en: str = ""
    #: Conditions across fields and status that hold in every state (see :class:`Rule`).
    rules: tuple[Rule, ...] = ()
    #: Other names users give the kind (an older label, a short form): kind look-ups accept them.
    aliases: tuple[str, ...] = ()
    #: Evidence a status needs from the site's monitoring data and history (see :class:`Gate`).
    gates: tuple[Gate, ...] = ()

    # -- lookups ---------------------------------------------------------
    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def names(self) -> tuple[str, ...]:
        """Every name the kind answers to: key, labels, aliases."""
        return (self.key, self.zh, self.en, *self.aliases)

    def status(self, code: str) -> Status:
        """Return the status with ``code``; raise NotFoundError naming the valid ones."""
        for s in self.statuses:
            if s.code == code:
                return s
        valid = ", ".join(s.code for s in self.statuses)
        raise NotFoundError(
            "status.unknown",
            en=f"Status {code!r} does not exist for {self.en}; use one of: {valid}.",
            zh=f"{self.zh}没有状态“{code}”；可用：{'、'.join(s.zh for s in self.statuses)}。",
            value=code,
            allowed=valid,
        )

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def allowed_next(self, src: str) -> tuple[Transition, ...]:
        """Transitions that leave ``src``, in declaration order."""
        return tuple(t for t in self.transitions if t.src == src)

    def transition(self, src: str, dst: str) -> Transition | None:
        return next((t for t in self.transitions if t.src == src and t.dst == dst), None)

    def gates_for(self, status: str) -> tuple[Gate, ...]:
        """The evidence gates guarding entry into ``status`` (empty for most statuses)."""
        return tuple(g for g in self.gates if g.status == status)

    @property
    def status_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.statuses)

    @property
    def done_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.statuses if s.done)

    @property
    def excluded_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.statuses if s.excluded)

    def dependents(self, name: str) -> tuple[Field, ...]:
        """Fields whose choices depend on field ``name``."""
        return tuple(f for f in self.fields if f.depends_on == name)

    def color_of(self, status_code: str) -> str:
        return self.status(status_code).color

    def geometry_types(self) -> tuple[str, ...]:
        """Shapely geom_type names this kind accepts."""
        return {
            "point": ("Point",),
            "line": ("LineString", "MultiLineString"),
            "polygon": ("Polygon", "MultiPolygon"),
            "line_or_polygon": ("LineString", "MultiLineString", "Polygon", "MultiPolygon"),
        }[self.geometry]


# Columns every site has, whatever its kind (the store keeps them as
# first-class columns; kind fields come after them).
COMMON_FIELDS: tuple[Field, ...] = (
    Field("site_id", "编号", "Site ID", "text", required=True, max_length=ID_MAX_LENGTH),
    Field("name", "名称", "Name", "text", required=True, max_length=NAME_MAX_LENGTH),
    Field("town_code", "所属镇街", "Town/street", "text", required=True, max_length=16),
    Field("responsible", "责任单位", "Responsible body", "text", max_length=NAME_MAX_LENGTH),
    Field("deadline", "完成时限", "Deadline", "date"),
)


def common_field(name: str) -> Field:
    """The :data:`COMMON_FIELDS` entry ``name`` (``"name"``, ``"responsible"`` …)."""
    return next(f for f in COMMON_FIELDS if f.name == name)
