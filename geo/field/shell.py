"""The installable app's own files: what they are, the version that names them, the manifest, the icons.

No build step: ``static/`` holds the page, its script files and the service
worker as they are served; Leaflet comes from the ``xstatic-leaflet``
package and the offline basemap's drawing code and styles from
``geo/map/static`` (the same files the app's maps use). :func:`shell_version`
is a digest of all of it (and of the texts, the manifest and the base
geography's version): the service worker is registered as
``sw.js?v=<version>``, so any change makes browsers install the new files.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from functools import lru_cache
from pathlib import Path

import xstatic.pkg.leaflet as xs_leaflet

from geo import basegeo
from geo.field.i18n import STRINGS
from geo.map.build import base_labels, basemap_config, legend_data
from geo.map.scripts import STATIC_DIR as MAP_STATIC_DIR

__all__ = ["STATIC_DIR", "FILES", "MEDIA_TYPES", "ICON_SIZES", "file_path", "shell_version", "manifest", "icon_png",
           "shell_config"]

STATIC_DIR = Path(__file__).with_name("static")
_LEAFLET_DIR = Path(os.path.dirname(xs_leaflet.__file__)) / "data"
#: Every file of the app shell by the name it is served under, and where it is.
FILES: dict[str, Path] = {
    "index.html": STATIC_DIR / "index.html",
    "field.css": STATIC_DIR / "field.css",
    "field-db.js": STATIC_DIR / "field-db.js",
    "field-sync.js": STATIC_DIR / "field-sync.js",
    "field-readings.js": STATIC_DIR / "field-readings.js",
    "field-app.js": STATIC_DIR / "field-app.js",
    "sw.js": STATIC_DIR / "sw.js",
    "leaflet.js": _LEAFLET_DIR / "leaflet.js",
    "leaflet.css": _LEAFLET_DIR / "leaflet.css",
    "basemap.js": MAP_STATIC_DIR / "basemap.js",
    "legend.js": MAP_STATIC_DIR / "legend.js",
    "map.css": MAP_STATIC_DIR / "map.css",
}
MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
               ".js": "text/javascript; charset=utf-8", ".png": "image/png",
               ".webmanifest": "application/manifest+json"}
ICON_SIZES = (192, 512)
#: The colours of the app (the bar, the icon).
THEME = "#00695c"


def file_path(name: str) -> Path | None:
    """Where the shell file ``name`` is (None for any other name)."""
    return FILES.get(name)


def manifest() -> dict:
    """The web app manifest: installable, opens at the folder it is served from, Chinese first."""
    return {
        "name": "福清生态环境一张图 · 离线巡查",
        "short_name": "离线巡查",
        "description": "无信号时记录点位状态变更和监测读数，联网后同步 / Record status changes and readings with no signal, sync when online",
        "lang": "zh-CN",
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "background_color": "#f5f5f2",
        "theme_color": THEME,
        "icons": [{"src": f"icon-{n}.png", "sizes": f"{n}x{n}", "type": "image/png", "purpose": "any maskable"}
                  for n in ICON_SIZES],
    }


@lru_cache(maxsize=len(ICON_SIZES))
def icon_png(size: int) -> bytes:
    """The app's icon, drawn with Pillow: a white map pin on the theme colour (full bleed, safe for masks)."""
    from PIL import Image, ImageDraw

    s = size / 192
    im = Image.new("RGB", (size, size), THEME)
    d = ImageDraw.Draw(im)
    cx, top = size / 2, 44 * s
    r = 38 * s
    d.ellipse([cx - r, top, cx + r, top + 2 * r], fill="white")
    d.polygon([(cx - r * 0.82, top + r * 1.55), (cx + r * 0.82, top + r * 1.55), (cx, top + r * 3.0)], fill="white")
    d.ellipse([cx - r * 0.42, top + r * 0.58, cx + r * 0.42, top + r * 1.42], fill=THEME)
    for i, y in enumerate((150 * s, 164 * s)):
        d.line([(40 * s, y), (152 * s, y)], fill="#b2dfdb", width=max(1, int(6 * s)))
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def shell_config(base_version: str, base_names: tuple[str, ...], lang: str = "zh") -> dict:
    """``shell.json``: the version, the files the service worker keeps, the texts, the basemap's settings."""
    base_url = f"base/{base_version}/"
    cfg = {
        "assets": ["./", *[n for n in FILES if n not in ("index.html", "sw.js")], "manifest.webmanifest",
                   *[f"icon-{n}.png" for n in ICON_SIZES]],
        "base_files": [base_url + n for n in base_names],
        "base_version": base_version,
        "strings": {k: list(v) for k, v in STRINGS.items()},
        "basemap": basemap_config(base_url, lang=lang, labels=base_labels(lang),
                                  clip_bounds=basegeo.LAND_CLIP_BOUNDS),
        "bounds": list(basegeo.FUQING_BOUNDS),
        # The map's legend in both languages (statuses per kind, from the specs); the badge is the pack's to say.
        "legend": {lg: legend_data(lg, title="图例" if lg == "zh" else "Legend", badge=None) for lg in ("zh", "en")},
    }
    cfg["version"] = shell_version(base_version, cfg)
    return cfg


def shell_version(base_version: str, cfg: dict | None = None) -> str:
    """A digest of every shell file, the manifest, the icons' drawing, the texts and the base geography's version."""
    h = hashlib.sha256(base_version.encode())
    for name, path in FILES.items():
        h.update(name.encode() + b"\0" + path.read_bytes())
    h.update(json.dumps(manifest(), sort_keys=True).encode())
    h.update(icon_png(ICON_SIZES[0]))
    h.update(json.dumps({k: v for k, v in (cfg or {}).items() if k != "version"}, sort_keys=True,
                        ensure_ascii=False).encode())
    return h.hexdigest()[:16]
