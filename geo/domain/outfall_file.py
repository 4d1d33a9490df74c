"""One file per outfall (一口一档), as data: what the panel shows, built from the site and its history (pure).

The file gathers, in the order a ledger keeps them: identity (排污口编码, site id, 入河/入海,
受纳水体, HJ 1312-2023 class), responsibility (责任主体 and how it was decided, 排污许可证,
备案/审批编号), the sources found by tracing, the remediation (class, plan, milestones against
the deadline), the 规范化 items each with its photo (HJ 1309-2023), and the end of the case —
the 销号 record with its attached document, or the reason a surveyed point was closed apart
(非排污口 / 重复 / 已消失) with its evidence. What the file lacks is listed from the layer's rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

from geo.domain.rules import StateProblem, state_problems
from geo.domain.status import is_overdue
from layers import get_spec
from layers.outfalls import STANDARD_ITEMS
from layers.spec import Field

__all__ = ["Milestone", "FileRow", "FileSection", "StandardItem", "CaseEnd", "OutfallFile", "outfall_file",
           "parse_milestones", "split_units"]

_UNIT_SPLIT = re.compile(r"[\n;；、,，]+")
_MILESTONE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*[:：]?\s*(.*)$")

#: The sections of the file and their fields, in ledger order.
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("基本信息", "Identity", ("outfall_code", "discharge_into", "receiving_water", "water_body_name", "outfall_type",
                          "outfall_subtype", "discharge_mode", "black_odour_seen")),
    ("责任主体与许可", "Responsibility and permits", ("responsible_basis", "permit_no", "filing_no")),
)


@dataclass(frozen=True)
class Milestone:
    """One line of the remediation milestones: its day (None if it names none), what, and whether it is late."""

    day: date | None
    what: str
    overdue: bool = False


@dataclass(frozen=True)
class FileRow:
    label_zh: str
    label_en: str
    value_zh: str
    value_en: str


@dataclass(frozen=True)
class FileSection:
    title_zh: str
    title_en: str
    rows: tuple[FileRow, ...]


@dataclass(frozen=True)
class StandardItem:
    """A 规范化 item: whether it is in place and the hash of its photo."""

    name: str
    label_zh: str
    label_en: str
    present: bool
    photo: str | None


@dataclass(frozen=True)
class CaseEnd:
    """How the case ended: ``closed`` (销号) or ``dismissed`` (closed apart), with its record and photos."""

    kind: str
    rows: tuple[FileRow, ...]
    photos: tuple[str, ...]
    changed_at: str | None


@dataclass(frozen=True)
class OutfallFile:
    site_id: str
    name: str
    status_zh: str
    status_en: str
    sections: tuple[FileSection, ...]
    responsible: str | None
    source_units: tuple[str, ...]
    remediation: tuple[FileRow, ...]
    milestones: tuple[Milestone, ...]
    deadline: str | None
    overdue: bool
    items: tuple[StandardItem, ...]
    end: CaseEnd | None
    gaps: tuple[StateProblem, ...] = field(default_factory=tuple)


def split_units(text: str | None) -> tuple[str, ...]:
    """The units a trace found, one per item (the text may list them with 、，； or one a line)."""
    if not text:
        return ()
    return tuple(u.strip() for u in _UNIT_SPLIT.split(str(text)) if u.strip())


def parse_milestones(text: str | None, today: date, done: bool = False) -> tuple[Milestone, ...]:
    """The milestones, one a line (``2025-06-30 完成截污纳管``); a line without a date is kept as it is.

    A milestone is overdue when its day is before ``today`` and the remediation is not ``done``.
    """
    out = []
    for line in str(text or "").splitlines():
        if not line.strip():
            continue
        m = _MILESTONE.match(line)
        day = None
        what = line.strip()
        if m:
            try:
                day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                what = m.group(4).strip()
            except ValueError:
                day = None
        out.append(Milestone(day, what, overdue=bool(day and day < today and not done)))
    return tuple(out)


def _value(fld: Field, value, lang: str) -> str:
    if value is None or value == "":
        return "—"
    if fld.type == "bool":
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if fld.type == "choice":
        choice = fld.choice(str(value))
        return choice.label(lang) if choice else str(value)
    return str(value)


def _row(fld: Field, value) -> FileRow:
    return FileRow(fld.zh, fld.en, _value(fld, value, "zh"), _value(fld, value, "en"))


def outfall_file(site, history: Sequence, today: date) -> OutfallFile:
    """The whole file of one outfall.

    Parameters
    ----------
    site : Site
        An outfall as stored (or as of a day).
    history : sequence of HistoryEntry
        Its history (any order): the 销号 or 核销 change gives the attached photos.
    today : date
        For late milestones and the overdue flag.
    """
    spec = get_spec(site.kind)
    a = site.attrs
    status = spec.status(site.status)
    sections = []
    for zh, en, names in SECTIONS:
        rows = tuple(_row(spec.field(n), a.get(n)) for n in names)
        if "responsible_basis" in names:  # the 责任主体 itself is the site's common 责任单位 column
            who = site.responsible or "—"
            rows = (FileRow("责任主体", "Responsible party", who, who),) + rows
        sections.append(FileSection(zh, en, rows))
    sections = tuple(sections)
    remediation = tuple(_row(spec.field(n), a.get(n)) for n in ("remediation_method", "remediation_plan"))
    items = tuple(StandardItem(item, spec.field(item).zh, spec.field(item).en, bool(a.get(item)), a.get(photo) or None)
                  for item, photo in STANDARD_ITEMS)
    end = None
    if site.status in ("closed", "dismissed"):
        names = ("closure_date", "closure_body", "closure_doc_no") if site.status == "closed" else \
            ("dismissal_reason", "dismissal_note")
        entry = next((e for e in sorted(history, key=lambda e: (e.version, e.id), reverse=True)
                      if e.to_status == site.status and e.from_status != site.status), None)
        end = CaseEnd(site.status, tuple(_row(spec.field(n), a.get(n)) for n in names),
                      tuple(entry.photos) if entry else (), entry.changed_at if entry else None)
    return OutfallFile(
        site_id=site.site_id, name=site.name, status_zh=status.zh, status_en=status.en, sections=sections,
        responsible=site.responsible, source_units=split_units(a.get("source_units")), remediation=remediation,
        milestones=parse_milestones(a.get("milestones"), today, done=status.done),
        deadline=site.deadline, overdue=is_overdue(site.kind, site.status, site.deadline, today), items=items,
        end=end, gaps=tuple(state_problems(spec, site.status, a)),
    )
