"""Which basemaps a deployment offers: read from the environment and ``secrets.toml``.

Online basemaps are off unless configured, so an intranet install makes no
request outside the server. Settings (environment first, then the
``[basemaps]`` table of ``.streamlit/secrets.toml``):

=====================  ==============================  ===========================================
environment            secrets ``[basemaps]``           meaning
=====================  ==============================  ===========================================
ONEMAP_TIANDITU_TK     ``tianditu_tk = "…"``            Tianditu key: offers 天地图 矢量 and 影像
ONEMAP_BASEMAPS        ``enable = ["gaode", "osm"]``    also offer Gaode and/or OpenStreetMap
ONEMAP_BASEMAP         ``default = "tianditu_vec"``     the basemap a new session starts on
=====================  ==============================  ===========================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from geo.errors import Text

ENV_TIANDITU_KEY = "ONEMAP_TIANDITU_TK"
ENV_ENABLE = "ONEMAP_BASEMAPS"
ENV_DEFAULT = "ONEMAP_BASEMAP"
SECRETS_TABLE = "basemaps"
#: Switches ``enable`` understands, and the ``needs`` they satisfy.
SWITCHES = ("gaode", "osm")
# Tianditu keys are 32 hexadecimal characters (the console shows them so).
_TK_RE = re.compile(r"^[0-9a-fA-F]{32}$")


@dataclass(frozen=True)
class BasemapConfig:
    """What is configured; ``problems`` are messages for the admin.

    Attributes
    ----------
    tianditu_key : str or None
        A well-formed Tianditu key, else None.
    enabled : frozenset of str
        Switches from :data:`SWITCHES` that are on.
    default : str or None
        The preferred basemap key.
    problems : tuple of Text
        Settings that were ignored, and why.
    """

    tianditu_key: str | None = None
    enabled: frozenset = frozenset()
    default: str | None = None
    problems: tuple = field(default=())

    def satisfies(self, needs: str) -> bool:
        """Whether a basemap needing ``needs`` may be offered."""
        if needs == "nothing":
            return True
        if needs == "tianditu_key":
            return self.tianditu_key is not None
        return needs in self.enabled


def _words(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [w.strip().lower() for w in re.split(r"[,\s;，；]+", value) if w.strip()]
    return [str(w).strip().lower() for w in value if str(w).strip()]


def read_config(env: Mapping[str, str], secrets: Mapping[str, Any] | None = None) -> BasemapConfig:
    """Build the configuration from ``env`` (e.g. ``os.environ``) and the secrets' ``[basemaps]`` table.

    The environment wins over the secrets file. Malformed values are
    ignored and reported in ``problems`` (the app then stays offline for
    them) rather than raising: a typo must not take the map down.
    """
    table: Mapping[str, Any] = {}
    if secrets is not None:
        try:
            table = secrets.get(SECRETS_TABLE) or {}
        except Exception:  # noqa: BLE001 - Streamlit's secrets object raises on a broken file
            table = {}
    problems = []
    key = (env.get(ENV_TIANDITU_KEY) or str(table.get("tianditu_tk") or "")).strip()
    if key and not _TK_RE.match(key):
        problems.append(Text(
            zh=f"{ENV_TIANDITU_KEY} 或 [basemaps] tianditu_tk 中的天地图密钥不是 32 位十六进制字符（实际 {len(key)} 位），"
               "天地图未启用。请从天地图控制台重新复制密钥。",
            en=f"The Tianditu key in {ENV_TIANDITU_KEY} / [basemaps] tianditu_tk is not 32 hexadecimal characters "
               f"(got {len(key)} characters); Tianditu stays off. Copy the key again from the Tianditu console.",
        ))
        key = ""
    enabled = set()
    raw_enable = env.get(ENV_ENABLE) if env.get(ENV_ENABLE) is not None else table.get("enable")
    for word in _words(raw_enable):
        if word in SWITCHES:
            enabled.add(word)
        else:
            problems.append(Text(
                zh=f"{ENV_ENABLE} 或 [basemaps] enable 中的底图开关 {word!r} 无法识别；可用：{'、'.join(SWITCHES)}。",
                en=f"Unknown basemap switch {word!r} in {ENV_ENABLE} / [basemaps] enable; use one of {', '.join(SWITCHES)}.",
            ))
    default = (env.get(ENV_DEFAULT) or str(table.get("default") or "")).strip() or None
    return BasemapConfig(tianditu_key=key or None, enabled=frozenset(enabled), default=default,
                         problems=tuple(problems))
