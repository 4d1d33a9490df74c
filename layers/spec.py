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
GeometryType = Literal["point", "line", "polygon", "line_or_polygon"]


@dataclass(frozen=True)
class Choice:
    """One allowed value of a choice field: stable ASCII code + labels."""

    code: str
    zh: str
    en: str

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Field:
    """An attribute a site of this kind carries.

    ``name`` is the column name in the store (ASCII, snake_case); ``zh``/``en``
    are the labels used in the UI and as export headers.
    """

    name: str
    zh: str
    en: str
    type: FieldType = "text"
    required: bool = False
    choices: tuple[Choice, ...] = ()
    unit: str = ""

    def label(self, lang: str = "zh") -> str:
        base = self.zh if lang == "zh" else self.en
        return f"{base} ({self.unit})" if self.unit else base

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)


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
    """

    code: str
    zh: str
    en: str
    color: str
    step: int
    done: bool = False
    terminal: bool = False

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Transition:
    """An allowed status change; ``requires`` names fields that must be set."""

    src: str
    dst: str
    requires: tuple[str, ...] = ()


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

    The share is ``count(sites in population with status in done_statuses) /
    count(sites in population)`` and the target is met when it reaches
    ``threshold``. ``threshold`` is None where the documents give no figure
    (the share is shown, with no pass mark); ``threshold_source`` names the
    document and clause the figure comes from.
    """

    code: str
    zh: str
    en: str
    clause: str
    threshold: float | None
    deadline: date
    done_statuses: tuple[str, ...]
    population: Callable[[Mapping[str, object]], bool] | None = None
    population_zh: str = "全部"
    population_en: str = "all"
    province_threshold: float | None = None
    threshold_source: str = ""

    def in_population(self, attrs: Mapping[str, object]) -> bool:
        return True if self.population is None else bool(self.population(attrs))


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
    gates: tuple[Gate, ...] = ()

    # -- lookups ---------------------------------------------------------
    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

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
    Field("site_id", "编号", "Site ID", "text", required=True),
    Field("name", "名称", "Name", "text", required=True),
    Field("town_code", "所属镇街", "Town/street", "text", required=True),
    Field("responsible", "责任单位", "Responsible body", "text"),
    Field("deadline", "完成时限", "Deadline", "date"),
)
