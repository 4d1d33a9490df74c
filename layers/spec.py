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
        End of the workflow: no transition leaves it.
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


#: Which plan a target comes from: Fuqing's own, or the province's figure over Fuqing's sites.
PLANS = {"fuqing": ("福清市方案", "Fuqing plan"), "province": ("福建省方案", "Fujian plan")}


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
      whose location lies inside that area.
    * ``"area"``: ``area of (union of the reference areas in area_of) covered by
      the kind's sites in done_statuses / area of that union``, in km² in an
      equal-area projection (``geo.domain.coverage``).

    The target is met when the share reaches ``threshold``.

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
    threshold: float
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
