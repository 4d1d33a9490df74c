"""Drafts of the monitoring-readings entry kept in the browser, per account, site and monitoring table.

One sampling day typed into the readings entry (:mod:`ui.readings_form`) — the day, the time, the fields
common to the day and the rows of the table — is sent with every render to the same hidden keeper as the
status form's draft (:mod:`ui.drafts`), under its own localStorage entry
(``storage_key(account, "<site id>:<table>")``): saving the status does not clear it, and logging out
forgets it with the account's other drafts. After a reload, a lost connection or in a new session the
entry is put back as it was; it is saved only when the inspector taps "save".

This module holds the conversion between what the entry shows and the JSON the keeper stores. A draft
value is JSON: the day as ISO text, the time as "HH:MM", a common field under ``"common.<name>"`` and the
non-blank rows as a list of objects (an empty cell is ``null``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, time

import pandas as pd

DAY, TIME, ROWS = "day", "time", "rows"
COMMON = "common."


@dataclass(frozen=True)
class EntryContent:
    """What the readings entry holds: one sampling day's readings, not saved yet.

    Attributes
    ----------
    day : date or None
        The sampling day (None: the entry's default).
    when : time or None
        The sampling time, for tables that have one.
    common : dict
        Field name -> value of the fields common to the whole day (blank ones left out).
    rows : list of dict
        The non-blank rows of the table: per-row field name -> value (None for an empty cell).
    """

    day: date | None = None
    when: time | None = None
    common: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)


def entry_columns(spec) -> tuple[list, list]:
    """The entry's (per-row fields, fields common to the whole day) of the monitoring table ``spec``."""
    return list(spec.row_fields()), list(spec.common_fields())


def keeper_key(site_id: str, table: str) -> str:
    """Widget key of the hidden draft keeper of the entry of ``table`` at ``site_id`` (stable per entry)."""
    return f"hidden_rddraft_{site_id}_{table}"


def draft_name(site_id: str, table: str) -> str:
    """The name of the entry's draft under the account's prefix (see :func:`ui.drafts.storage_key`)."""
    return f"{site_id}:{table}"


def blank(value) -> bool:
    """An empty cell: None, NaN (or pandas' missing value), or text of white space only."""
    if isinstance(value, str):
        return not value.strip()
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or the like: not a missing scalar
        return False


def cell_value(fld, value):
    """A cell as JSON keeps it: None when blank, text as typed, a number as a float (an int when the
    field is an integer and the value whole); anything that does not fit the field becomes None.

    Parameters
    ----------
    fld : layers.spec.Field
        The column's field (``type`` "text", "int" or "float").
    value
        The cell as the data editor or a stored draft gives it (numpy numbers included).
    """
    if blank(value):
        return None
    if fld.type == "text":
        return value if isinstance(value, str) else str(value)
    if isinstance(value, (bool, str)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return int(number) if fld.type == "int" and number.is_integer() else number


def draft_rows(per_row, records) -> list[dict]:
    """The non-blank rows of the table as JSON-ready dicts (NaN -> None; ``per_row`` fields only).

    Parameters
    ----------
    per_row : list of layers.spec.Field
        The columns of the entry table.
    records : iterable of dict
        The rows as ``DataFrame.to_dict("records")`` or a stored draft gives them.
    """
    rows = []
    for rec in records:
        if not isinstance(rec, dict):
            continue
        row = {f.name: cell_value(f, rec.get(f.name)) for f in per_row}
        if any(v is not None for v in row.values()):
            rows.append(row)
    return rows


def common_value(fld, value):
    """A common field's value as kept (a yes/no as a bool, other fields as text), None when blank or unfit."""
    if fld.type == "bool":
        return value if isinstance(value, bool) else None
    return value if isinstance(value, str) and not blank(value) else None


def draft_values(spec, content: EntryContent) -> dict:
    """What the keeper stores for ``content``: JSON values (see the module docstring).

    An empty entry gives every value empty (``None``, no rows), so the keeper removes its stored
    draft; the same keys are sent every time, so none is left over from an earlier render.
    """
    per_row, common = entry_columns(spec)
    rows = draft_rows(per_row, content.rows)
    kept = {COMMON + f.name: common_value(f, content.common.get(f.name)) for f in common}
    empty = not rows and all(v is None for v in kept.values())  # the day alone is only the default
    values = {DAY: None if empty or content.day is None else content.day.isoformat()}
    if spec.has_time:
        values[TIME] = None if empty or content.when is None else content.when.strftime("%H:%M")
    values.update(kept)
    values[ROWS] = rows
    return values


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _time(value) -> time | None:
    try:
        return time.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def entry_content(spec, values: dict) -> EntryContent:
    """The entry content a stored draft's ``values`` hold (what does not fit the table is left out)."""
    per_row, common = entry_columns(spec)
    kept = {f.name: common_value(f, values.get(COMMON + f.name)) for f in common}
    rows = values.get(ROWS)
    return EntryContent(day=_day(values.get(DAY)), when=_time(values.get(TIME)) if spec.has_time else None,
                        common={n: v for n, v in kept.items() if v is not None},
                        rows=draft_rows(per_row, rows if isinstance(rows, list) else []))


def rows_frame(per_row, rows: list[dict]) -> pd.DataFrame:
    """The data editor's table holding ``rows`` (text columns as objects, numbers as floats)."""
    columns = {}
    for f in per_row:
        cells = [r.get(f.name) for r in rows]
        if f.type == "text":
            columns[f.name] = pd.Series(cells, dtype="object")
        else:
            columns[f.name] = pd.Series([math.nan if v is None else float(v) for v in cells], dtype="float")
    return pd.DataFrame(columns)
