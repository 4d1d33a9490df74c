"""Invariants every basemap must keep; a test walks the registry with them."""

from __future__ import annotations

import re
from typing import Iterable

from geo.map.basemaps.spec import DISPLAY_FRAMES, NEEDS, Basemap

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER_RE = re.compile(r"\{([a-z]+)\}")
_KNOWN_PLACEHOLDERS = {"s", "z", "x", "y", "tk"}


def check_basemap(b: Basemap) -> list[str]:
    """Problems with one basemap (empty when it is sound)."""
    problems = []
    if not _KEY_RE.match(b.key):
        problems.append(f"{b.key!r}: key must be lower-case ASCII")
    if b.display not in DISPLAY_FRAMES:
        problems.append(f"{b.key}: display {b.display!r} not in {DISPLAY_FRAMES}")
    if b.needs not in NEEDS:
        problems.append(f"{b.key}: needs {b.needs!r} not in {NEEDS}")
    if not b.label_zh or not b.label_en:
        problems.append(f"{b.key}: needs both labels")
    if not b.attribution_zh or not b.attribution_en:
        problems.append(f"{b.key}: needs an attribution in both languages")
    if b.tiles and b.needs == "nothing":
        problems.append(f"{b.key}: an online basemap must need a setting (online basemaps are off by default)")
    if not b.tiles and not b.draws_shipped_land:
        problems.append(f"{b.key}: no tiles and no shipped land: it would draw nothing")
    if not any(not t.labels for t in b.tiles) and b.tiles:
        problems.append(f"{b.key}: only label layers")
    for t in b.tiles:
        if not t.url.startswith("https://"):
            problems.append(f"{b.key}: tile URL must be https: {t.url}")
        used = set(_PLACEHOLDER_RE.findall(t.url))
        if not {"z", "x", "y"} <= used:
            problems.append(f"{b.key}: tile URL lacks {{z}}/{{x}}/{{y}}: {t.url}")
        if used - _KNOWN_PLACEHOLDERS:
            problems.append(f"{b.key}: unknown placeholders {sorted(used - _KNOWN_PLACEHOLDERS)}")
        if ("s" in used) != bool(t.subdomains):
            problems.append(f"{b.key}: {{s}} and subdomains must come together")
        if ("tk" in used) != (b.needs == "tianditu_key"):
            problems.append(f"{b.key}: {{tk}} in the URL exactly when the basemap needs a Tianditu key")
        if not 1 <= t.max_native_zoom <= 22:
            problems.append(f"{b.key}: max_native_zoom {t.max_native_zoom} out of range")
    return problems


def check_registry(basemaps: Iterable[Basemap]) -> list[str]:
    """Problems across the registry: each basemap's, duplicate keys, the offline one first."""
    items = list(basemaps)
    problems = [p for b in items for p in check_basemap(b)]
    keys = [b.key for b in items]
    if len(keys) != len(set(keys)):
        problems.append("duplicate basemap keys")
    if not items or items[0].needs != "nothing" or items[0].online:
        problems.append("the first basemap must be the offline one")
    return problems
