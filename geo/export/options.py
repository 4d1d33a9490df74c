"""What the user asked to export: towns, kinds, statuses, formats and format options.

:class:`ExportOptions` is plain, frozen data built by the page or the CLI.
The ``resolve_*`` helpers turn what a person types (a town name, a kind label,
``kind:status``) into codes, or raise an error that names every valid value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from geo import towns as town_list
from geo.errors import NotFoundError, ValidationError
from geo.export.formats import check_formats
from layers import KIND_KEYS, REGISTRY

CSV_ENCODINGS = ("utf-8-sig", "gbk")
SHP_ENCODINGS = ("gbk", "utf-8")


@dataclass(frozen=True)
class ExportOptions:
    """One export request.

    Parameters
    ----------
    formats : tuple of str
        Format keys (:data:`geo.export.formats.FORMAT_KEYS`); several give a ZIP.
    towns : tuple of str or None
        Town codes; ``None`` means every town.
    kinds : tuple of str
        Kind keys; default every kind.
    statuses : tuple of str
        ``"kind:status"`` pairs; empty means every status. A kind with no
        status named keeps all its statuses (as on the map page).
    per_town : bool
        One folder per town inside a ZIP (what "all towns" gives).
    gcj02 : bool
        Add GCJ-02 (Gaode/Amap) longitude/latitude columns next to WGS84.
    csv_encoding : {"utf-8-sig", "gbk"}
        CSV text encoding; UTF-8 with BOM lets Excel show Chinese.
    shp_encoding : {"gbk", "utf-8"}
        Shapefile ``.dbf`` encoding (written into ``.cpg``).
    """

    formats: tuple[str, ...] = ("xlsx",)
    towns: tuple[str, ...] | None = None
    kinds: tuple[str, ...] = field(default_factory=lambda: KIND_KEYS)
    statuses: tuple[str, ...] = ()
    per_town: bool = False
    gcj02: bool = False
    csv_encoding: str = "utf-8-sig"
    shp_encoding: str = "gbk"

    def __post_init__(self):
        object.__setattr__(self, "formats", check_formats(self.formats))
        object.__setattr__(self, "kinds", resolve_kinds(self.kinds or KIND_KEYS))
        if self.towns is not None:
            object.__setattr__(self, "towns", resolve_towns(self.towns))
        object.__setattr__(self, "statuses", resolve_statuses(self.statuses, self.kinds))
        if self.csv_encoding.lower() not in CSV_ENCODINGS:
            raise _bad_choice("export.bad_csv_encoding", "CSV encoding", "CSV编码", self.csv_encoding, CSV_ENCODINGS)
        if self.shp_encoding.lower() not in SHP_ENCODINGS:
            raise _bad_choice("export.bad_shp_encoding", "Shapefile encoding", "Shapefile编码",
                              self.shp_encoding, SHP_ENCODINGS)
        object.__setattr__(self, "csv_encoding", self.csv_encoding.lower())
        object.__setattr__(self, "shp_encoding", self.shp_encoding.lower())

    @property
    def all_towns(self) -> bool:
        return self.towns is None

    @property
    def is_zip(self) -> bool:
        """Whether the result is a ZIP bundle (several formats, or one folder per town)."""
        return self.per_town or len(self.formats) > 1


def _bad_choice(code: str, what_en: str, what_zh: str, value: str, allowed: Iterable[str]) -> ValidationError:
    allowed = ", ".join(allowed)
    return ValidationError(code, en=f"Unknown {what_en} {value!r}; use one of: {allowed}.",
                           zh=f"未知的{what_zh}“{value}”；可用：{allowed}。", value=value, allowed=allowed)


def resolve_towns(names_or_codes: Iterable[str]) -> tuple[str, ...]:
    """Town codes for names or codes as people write them, in official order, de-duplicated.

    Parameters
    ----------
    names_or_codes : iterable of str
        E.g. ``["海口镇", "玉屏", "350181116"]``.

    Raises
    ------
    NotFoundError
        ``export.unknown_town``, listing every valid name (and close matches).
    ValidationError
        ``export.no_town`` when the list is empty.
    """
    codes: set[str] = set()
    for text in names_or_codes:
        try:
            codes.add(town_list.resolve_town(text).code)
        except NotFoundError as exc:
            names = "、".join(t.name_zh for t in town_list.all_towns())
            hint = exc.context.get("suggestions") or []
            raise NotFoundError(
                "export.unknown_town",
                en=f"Unknown town or street {text!r}"
                   + (f" (did you mean {', '.join(hint)}?)" if hint else "")
                   + f"; valid: {names.replace('、', ', ')} — or their statistics codes.",
                zh=f"未知镇街“{text}”" + (f"（是否是 {'、'.join(hint)}？）" if hint else "")
                   + f"；可用：{names}，或其统计用区划代码。",
                value=text,
                allowed=names,
            ) from exc
    if not codes:
        raise ValidationError("export.no_town", en="Choose at least one town, or all towns.",
                              zh="请至少选择一个镇街，或选择全部镇街。")
    return tuple(t.code for t in town_list.all_towns() if t.code in codes)


def resolve_kinds(keys_or_labels: Iterable[str]) -> tuple[str, ...]:
    """Kind keys for keys or labels (``"outfalls"``, ``"入海排污口"``), in registry order.

    Raises
    ------
    NotFoundError
        ``kind.unknown``, naming every valid key and label.
    """
    wanted: set[str] = set()
    for text in keys_or_labels:
        norm = str(text).strip()
        spec = REGISTRY.get(norm) or next(
            (s for s in REGISTRY.values() if norm in s.names() or norm.lower() in {n.lower() for n in s.names()}), None)
        if spec is None:
            valid = ", ".join(f"{s.key} ({s.zh})" for s in REGISTRY.values())
            raise NotFoundError(
                "kind.unknown",
                en=f"Unknown site kind {text!r}; use one of: {valid}.",
                zh=f"未知的点位类型“{text}”；可用：{valid}。",
                value=text,
                allowed=", ".join(KIND_KEYS),
            )
        wanted.add(spec.key)
    return tuple(k for k in KIND_KEYS if k in wanted)


def resolve_statuses(items: Iterable[str], kinds: Iterable[str] = KIND_KEYS) -> tuple[str, ...]:
    """``"kind:status"`` pairs for pairs or bare status codes/labels.

    A bare code or label (``"remediating"``, ``"整治中"``) means that status in
    every chosen kind that has it.

    Raises
    ------
    NotFoundError
        ``status.unknown``, naming the valid statuses of the chosen kinds.
    """
    kinds = tuple(kinds)
    out: list[str] = []
    for item in items or ():
        text = str(item).strip()
        kind_part, _, status_part = text.rpartition(":")
        candidates = [kind_part] if kind_part else list(kinds)
        found = []
        for k in candidates:
            spec = REGISTRY.get(k)
            if spec is None:
                continue
            st = next((s for s in spec.statuses if status_part in (s.code, s.zh, s.en)), None)
            if st is not None:
                found.append(f"{spec.key}:{st.code}")
        if not found:
            valid = "; ".join(f"{k}: {', '.join(REGISTRY[k].status_codes)}" for k in kinds)
            raise NotFoundError(
                "status.unknown",
                en=f"Unknown status {text!r} for the chosen kinds; valid: {valid}.",
                zh=f"所选点位类型没有状态“{text}”；可用：{valid}。",
                value=text,
                allowed=valid,
            )
        out += [f for f in found if f not in out]
    return tuple(out)
