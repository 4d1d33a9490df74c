"""The registry of site kinds: one explicit import per kind, read-only.

No registration magic: adding a kind means adding its module and one line
below; ``tests/test_layers.py`` checks every spec against the invariants in
:mod:`layers.conformance`.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from geo.errors import NotFoundError
from layers import (black_odorous, black_odorous_readings, clean_fuel_zones, coal_boilers, outfall_monitoring, outfalls,
                    parks, shore_power_berths, shore_power_usage)
from layers.observation import ObservationSpec
from layers.spec import LayerSpec

REGISTRY: Mapping[str, LayerSpec] = MappingProxyType(
    {
        spec.key: spec
        for spec in (
            parks.SPEC,
            outfalls.SPEC,
            black_odorous.SPEC,
            clean_fuel_zones.SPEC,
            shore_power_berths.SPEC,
            coal_boilers.SPEC,
        )
    }
)

KIND_KEYS: tuple[str, ...] = tuple(REGISTRY)

#: Monitoring tables (one per declared observation spec), by key: see :mod:`layers.observation`.
OBSERVATIONS: Mapping[str, ObservationSpec] = MappingProxyType(
    {spec.key: spec for spec in (black_odorous_readings.SPEC, outfall_monitoring.SPEC, shore_power_usage.SPEC)}
)


def get_observation_spec(key: str) -> ObservationSpec:
    """The observation spec ``key`` (or its ``cli_name``); NotFoundError naming the valid ones."""
    for spec in OBSERVATIONS.values():
        if key in (spec.key, spec.cli_name):
            return spec
    valid = ", ".join(OBSERVATIONS)
    raise NotFoundError("observation.unknown", en=f"Unknown monitoring table {key!r}; use one of: {valid}.",
                        zh=f"未知的监测数据表“{key}”；可用：{valid}。", value=key, allowed=valid)


def observation_specs_for(kind: str) -> tuple[ObservationSpec, ...]:
    """The monitoring tables about sites of ``kind`` (empty for most kinds)."""
    return tuple(s for s in OBSERVATIONS.values() if s.site_kind == kind)


def get_spec(kind: str) -> LayerSpec:
    """Return the spec of ``kind``; raise NotFoundError naming the valid kinds.

    Parameters
    ----------
    kind : str
        A registry key such as ``"outfalls"``.
    """
    try:
        return REGISTRY[kind]
    except KeyError:
        valid = ", ".join(KIND_KEYS)
        raise NotFoundError(
            "kind.unknown",
            en=f"Unknown site kind {kind!r}; use one of: {valid}.",
            zh=f"未知的点位类型“{kind}”；可用：{valid}。",
            value=kind,
            allowed=valid,
        ) from None


def spec_for_site_id(site_id: str) -> LayerSpec | None:
    """The kind whose code prefix starts ``site_id`` (``"PWK-0001"`` -> outfalls)."""
    prefix = str(site_id).split("-", 1)[0]
    return next((s for s in REGISTRY.values() if s.code_prefix == prefix), None)
