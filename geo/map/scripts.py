"""The map's JavaScript and CSS, kept as files in ``geo/map/static/`` and inlined into the map page.

Each ``.js`` file is plain JavaScript (no template syntax): it defines functions
on ``window.OneMap`` (or, for ``sitelayer.js``, ``L.OnemapSites``) that the map
calls with JSON data built in Python. Files are read once and lightly minified
(indentation, blank lines and whole-line comments dropped; the code keeps its
lines so a browser's error still points somewhere readable).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

STATIC_DIR = Path(__file__).with_name("static")
#: The ``OneMap`` helpers every map carries once (the site layer has its own file, see sitelayer.py).
HELPERS = ("basemap.js", "legend.js", "overlays.js", "rasters.js")


def _minified(js: str) -> str:
    lines = (ln.strip() for ln in js.splitlines())
    return "\n".join(ln for ln in lines if ln and not ln.startswith("//"))


@lru_cache(maxsize=None)
def script(name: str) -> str:
    """The JavaScript file ``name`` of ``geo/map/static``, minified."""
    return _minified((STATIC_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def stylesheet(name: str = "map.css") -> str:
    """The CSS file ``name`` of ``geo/map/static``."""
    return (STATIC_DIR / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def helpers() -> str:
    """Every ``OneMap`` helper, in one script."""
    return "\n".join(script(name) for name in HELPERS)


def js_files() -> list[Path]:
    """Every JavaScript file the map ships (for checks over all of them)."""
    return sorted(STATIC_DIR.glob("*.js"))
