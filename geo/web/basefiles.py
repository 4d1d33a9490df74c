"""The shipped base geography as the browser fetches it: the files, their GCJ-02 copies, their version.

The offline basemap draws ``data/base/*.geojson``; a Gaode basemap (drawn in
GCJ-02) needs display-shifted copies of the outlines, derived once into the
cache folder. URLs carry a digest of the shipped files, so a browser keeps
them until the data changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from geo.map.display import geojson_to_display

__all__ = ["SHIFTED_FILES", "FRAMES", "served_names", "base_version", "write_display_copies", "frame_dir"]

#: Base files an online basemap still draws (the county outline); shifted for GCJ-02 basemaps.
SHIFTED_FILES = ("fuqing_boundary.geojson", "land.geojson", "neighbours.geojson")
#: Display frames the base geography is served in.
FRAMES = ("wgs84", "gcj02")


def served_names(base_dir: Path, frame: str) -> tuple[str, ...]:
    """The file names the route serves for ``frame`` (only these: nothing else in the folder)."""
    if frame == "gcj02":
        return SHIFTED_FILES
    return tuple(sorted(p.name for p in Path(base_dir).glob("*.geojson")))


@lru_cache(maxsize=8)
def _version(base_dir: str, stamp: tuple) -> str:
    h = hashlib.sha256()
    for name in served_names(Path(base_dir), "wgs84"):
        h.update(name.encode("utf-8") + b"\0" + (Path(base_dir) / name).read_bytes())
    return h.hexdigest()[:16]


def base_version(base_dir: Path) -> str:
    """A digest of the shipped base files (recomputed only when one of them changes on disk)."""
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(Path(base_dir).glob("*.geojson")))
    return _version(str(base_dir), stamp)


def frame_dir(base_dir: Path, cache_root: Path, frame: str) -> Path:
    """Where the files of ``frame`` live: the shipped folder, or the GCJ-02 copies under the cache."""
    return Path(base_dir) if frame == "wgs84" else Path(cache_root) / "base-gcj02"


def write_display_copies(src_dir: Path, dst_dir: Path, frame: str) -> Path:
    """Write display-frame copies of the base files into ``dst_dir`` (only those missing or stale)."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    for name in SHIFTED_FILES:
        src, dst = src_dir / name, dst_dir / name
        if dst.exists() and dst.stat().st_mtime >= src.stat().st_mtime:
            continue
        data = geojson_to_display(json.loads(src.read_text(encoding="utf-8")), frame)
        fd, tmp = tempfile.mkstemp(dir=dst_dir, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        os.chmod(tmp, 0o644)
        os.replace(tmp, dst)
    return dst_dir
