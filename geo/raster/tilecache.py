"""A bounded on-disk cache of rendered raster tiles, keyed by file hash + style + display frame.

Tiles are rendered on request (:func:`geo.raster.tiles.render_tile`) and
kept here so the next request, from this or another browser, is a file
read. The key is what the tile's pixels depend on and nothing else:

    <root>/v<RENDER_VERSION>/<style_key>/<frame>/<z>/<x>/<y>.png

where ``style_key`` (:attr:`geo.raster.records.RasterLayer.style_key`) holds
the stored file's SHA-256 prefix, the colour map and the value range. A
tile showing no data is kept as an empty ``.none`` file, so it is not
rendered again either. Files are written under a temporary name and
renamed; a reader never sees half a tile.

The cache holds at most ``max_bytes`` (``ONEMAP_TILE_CACHE_MB``, default
512 MB): when a write takes it over, the least recently used tiles (by
modification time, refreshed on every hit) are removed until it is below
90 % of the bound. Deleting the folder is always safe.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

__all__ = ["RENDER_VERSION", "NO_DATA", "TileCache", "max_bytes_from_env"]

#: Bumped when the renderer draws differently: old tiles are then never served again.
RENDER_VERSION = 1
#: What :meth:`TileCache.get` returns for a tile known to show no data.
NO_DATA = b""
#: What an empty (no-data) tile file counts for, so that many of them are bounded too.
_MIN_COST = 256
_SAFE = re.compile(r"^[A-Za-z0-9_.+-]{1,120}$")


def max_bytes_from_env() -> int:
    """The cache bound in bytes from ``ONEMAP_TILE_CACHE_MB`` (:mod:`geo.settings`; default 512 MB)."""
    from geo import settings

    return settings.current().tile_cache_mb * 1024 * 1024


class TileCache:
    """Rendered tiles on disk, at most ``max_bytes`` of them.

    Parameters
    ----------
    root : path-like
        The cache folder (created when first written).
    max_bytes : int
        Bound on the bytes of the tiles kept.
    """

    def __init__(self, root: str | os.PathLike, max_bytes: int):
        self.root = Path(root) / f"v{RENDER_VERSION}"
        self.max_bytes = int(max_bytes)
        self._lock = threading.Lock()
        self._size: int | None = None

    def _path(self, style_key: str, frame: str, z: int, x: int, y: int, suffix: str) -> Path:
        if not (_SAFE.match(style_key) and _SAFE.match(frame)):
            raise ValueError(f"unsafe cache key {style_key!r}/{frame!r}")
        return self.root / style_key / frame / str(int(z)) / str(int(x)) / f"{int(y)}{suffix}"

    def get(self, style_key: str, frame: str, z: int, x: int, y: int) -> bytes | None:
        """The cached PNG, :data:`NO_DATA` for a tile known to be empty, or None when not cached."""
        for suffix in (".png", ".none"):
            path = self._path(style_key, frame, z, x, y, suffix)
            try:
                data = path.read_bytes()
            except OSError:
                continue
            try:
                os.utime(path)  # least recently used goes first
            except OSError:
                pass
            return data if suffix == ".png" else NO_DATA
        return None

    def put(self, style_key: str, frame: str, z: int, x: int, y: int, png: bytes | None) -> None:
        """Keep a rendered tile (None: the tile shows no data); a full or read-only disk is ignored."""
        path = self._path(style_key, frame, z, x, y, ".png" if png else ".none")
        data = png or b""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:
            return
        with self._lock:
            if self._size is None:
                self._size = self._measure()
            else:
                self._size += max(len(data), _MIN_COST)
            if self._size > self.max_bytes:
                self._size = self._prune(int(self.max_bytes * 0.9))

    def size(self) -> int:
        """Bytes of the tiles kept now."""
        with self._lock:
            self._size = self._measure()
            return self._size

    def _files(self) -> list[tuple[float, int, str]]:
        out = []
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                p = os.path.join(dirpath, name)
                try:
                    st = os.stat(p)
                except OSError:
                    continue
                out.append((st.st_mtime, max(st.st_size, _MIN_COST), p))
        return out

    def _measure(self) -> int:
        return sum(size for _, size, _ in self._files())

    def _prune(self, target: int) -> int:
        files = sorted(self._files())
        total = sum(size for _, size, _ in files)
        for _, size, p in files:
            if total <= target:
                break
            try:
                os.unlink(p)
                total -= size
            except OSError:
                pass
        return total
