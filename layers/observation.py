"""The shape every kind of monitoring data declares: one table of dated observations per spec.

Monitoring is data, not a typed status: black-odorous water readings, outfall
monitoring results, shore-power monthly usage are rows of a table, each about
one site on one date, written through the store (who, when, audit row) and
imported from xlsx/CSV like the ledgers. A spec here declares such a table —
its fields with units, the header aliases a ledger may use (Chinese and
English), which fields are required, how a row names its site (by id or by
name), whether it is dated by day or by month, and which fields identify one
observation of a site on a date (so a second row for the same thing is seen as
a duplicate or a correction). The domain rules that read the rows (grading,
limits on the chart, evidence gates) live in :mod:`geo.domain` under the key
``rules``.

Nothing here touches the store, the map or Streamlit: a spec is data. Adding a
kind of monitoring is: declare its spec in a module of ``layers/``, list it in
``layers/__init__.py`` and write its rules in ``geo/domain`` — the store
creates the table on open, and the import, CLI commands and panel follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping

from layers.spec import Choice

ObsType = Literal["text", "int", "float", "bool", "choice"]
Period = Literal["day", "month"]

#: Columns every observation table has, whatever its spec (spec fields come after them).
COMMON_OBS_COLUMNS = ("obs_id", "site_id", "observed_on", "observed_time", "action", "replaces", "reason",
                      "recorded_at", "recorded_by", "source", "client", "batch_id", "op_id", "is_sample")

#: How a row may name its site and its date, whatever the spec (spec aliases come on top).
SITE_ID_ALIASES = ("site_id", "siteid", "编号", "站点编号", "id")
SITE_NAME_ALIASES = ("site_name", "name", "名称")
DATE_ALIASES = ("date", "observed_on", "日期")
TIME_ALIASES = ("time", "observed_time", "时间")


@dataclass(frozen=True)
class ObsField:
    """One measured or recorded value of an observation.

    Attributes
    ----------
    name : str
        Column name in the store (ASCII snake_case).
    zh, en : str
        Labels (UI, export and import headers).
    type : {"text", "int", "float", "bool", "choice"}
    unit : str
        Shown after the label; the importer strips it after a number.
    required : bool
        A row without it is refused.
    aliases : tuple of str
        Other headers ledgers use for it.
    minimum, maximum : float, optional
        Physically possible range (not a rule threshold: those live in
        ``geo/domain`` with their source).
    minimum_inclusive : bool
        Whether ``minimum`` itself is allowed (a depth must be > 0, a
        transparency may be 0).
    choices : tuple of Choice
        For ``choice`` fields.
    chart : bool
        Plotted over time on the site panel.
    yes_words, no_words : tuple of str
        For ``bool`` fields: what ledgers write for yes and no besides 是/否
        (达标 / 超标 ...).
    """

    name: str
    zh: str
    en: str
    type: ObsType = "float"
    unit: str = ""
    required: bool = False
    aliases: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    minimum_inclusive: bool = True
    choices: tuple[Choice, ...] = ()
    chart: bool = False
    yes_words: tuple[str, ...] = ()
    no_words: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        base = self.zh if lang == "zh" else self.en
        return f"{base} ({self.unit})" if self.unit else base


@dataclass(frozen=True)
class ObservationSpec:
    """A table of dated observations of one site kind.

    Attributes
    ----------
    key : str
        Table name in the store and batch kind of its imports (ASCII).
    zh, en : str
        Labels.
    site_kind : str
        The kind of site every row belongs to (a registry key).
    cli_name : str
        ``python cli.py <cli_name> import|list|correct|void``.
    rules : str
        Key of the domain rules (:data:`geo.domain.monitoring.RULES`).
    fields : tuple of ObsField
    identity : tuple of str
        Fields that, with the site and the date, identify one observation
        (e.g. sampling point and round): a second current row with the same
        identity is a duplicate — change a stored row by correcting it. With
        no identity fields the site and the date (and the time, when rows
        carry one) identify it: one usage row per berth and month, one
        sample per outfall and sampling time.
    series : str
        The field whose values are drawn as separate lines on the panel's
        charts (the sampling point); empty: one line per field.
    period : {"day", "month"}
        What the date means: a sampling day, or a month (stored as its first
        day; ``2025-03`` and ``2025年3月`` are read as such).
    has_time : bool
        Rows may carry a time of day.
    site_id_aliases, site_name_aliases, date_aliases, time_aliases : tuple of str
        Headers of this spec's ledgers, on top of the common ones.
    description_zh, description_en : str
    """

    key: str
    zh: str
    en: str
    site_kind: str
    cli_name: str
    rules: str
    fields: tuple[ObsField, ...]
    identity: tuple[str, ...] = ()
    series: str = ""
    #: What a row's site is called in messages (水体, 排污口, 泊位).
    site_noun_zh: str = "点位"
    period: Period = "day"
    has_time: bool = False
    site_id_aliases: tuple[str, ...] = ()
    site_name_aliases: tuple[str, ...] = ()
    date_aliases: tuple[str, ...] = ()
    time_aliases: tuple[str, ...] = ()
    description_zh: str = ""
    description_en: str = ""

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def field(self, name: str) -> ObsField | None:
        return next((f for f in self.fields if f.name == name), None)

    def row_fields(self) -> tuple[ObsField, ...]:
        """The fields typed per row when readings are entered by hand (identity, measured values, remarks).

        The app's readings entry and the offline client's both lay a day's readings out this way: a
        table of these columns, and the other fields (:meth:`common_fields`) once for the whole day.
        """
        return tuple(f for f in self.fields if f.name in self.identity or f.type in ("int", "float")
                     or f.name == "remarks")

    def common_fields(self) -> tuple[ObsField, ...]:
        """The fields entered once for a whole day of readings (who sampled, the laboratory, a verdict ...)."""
        per_row = self.row_fields()
        return tuple(f for f in self.fields if f not in per_row)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def chart_fields(self) -> tuple[ObsField, ...]:
        return tuple(f for f in self.fields if f.chart)

    def identity_key(self, site_id: str, observed_on: str, observed_time: str | None,
                     values: Mapping[str, object]) -> tuple:
        """What identifies one observation (see ``identity``): rows with equal keys are the same observation."""
        key = (site_id, str(observed_on)[:10])
        if not self.identity:
            return key + ((observed_time or None,) if self.has_time else ())
        return key + tuple(str(values.get(n)) for n in self.identity)

    def headers(self) -> dict[str, tuple[str, ...]]:
        """Every accepted header per target: ``site_id``, ``site_name``, ``observed_on``, ``observed_time``, fields."""
        out: dict[str, tuple[str, ...]] = {
            "site_id": SITE_ID_ALIASES + self.site_id_aliases,
            "site_name": SITE_NAME_ALIASES + self.site_name_aliases,
            "observed_on": DATE_ALIASES + self.date_aliases,
        }
        if self.has_time:
            out["observed_time"] = TIME_ALIASES + self.time_aliases
        for f in self.fields:
            out[f.name] = (f.name, f.zh, f.en, f.label("zh"), f.label("en")) + f.aliases
        return out
