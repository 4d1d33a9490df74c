"""Photos uploaded in chunks by content hash: a dropped connection resumes where it stopped, nothing twice.

The device names a photo by the SHA-256 of its bytes (resized on the
device). Before sending, it asks how much of that hash the server holds;
it then sends the rest in chunks (``offset`` = bytes already received).
Chunks are appended to ``<photos>/.incoming/<sha256>.part``; when the last
one arrives the whole file must hash to its name, or it is dropped. The
complete bytes then go to :func:`geo.photos.store_photo` (decoded,
re-encoded without metadata, stored by the hash of what is stored) and the
store records which stored photo the device's hash became — so a photo the
server already has is never sent again (``Uploads.offset`` is not even
asked: the store answers first).

Partial files older than :data:`PARTIAL_TTL` are removed when a new upload starts.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from pathlib import Path

from geo.errors import StoreError, ValidationError
from geo.photos import MAX_PHOTO_BYTES

__all__ = ["CHUNK_MAX", "PARTIAL_TTL", "OffsetMismatch", "Uploads", "check_sha"]

#: Largest chunk accepted, bytes (a slow connection sends a chunk in seconds; a drop loses at most one).
CHUNK_MAX = 256 * 1024
#: Partial uploads untouched this long (seconds) are removed.
PARTIAL_TTL = 7 * 24 * 3600
_SHA = re.compile(r"^[0-9a-f]{64}$")


def check_sha(sha: str) -> str:
    """``sha`` if it is a SHA-256 in lower-case hex; ValidationError ``photo.bad_hash`` otherwise."""
    if not isinstance(sha, str) or not _SHA.match(sha):
        raise ValidationError("photo.bad_hash", zh=f"“{str(sha)[:80]}”不是照片哈希（应为 64 位小写十六进制）。",
                              en=f"{str(sha)[:80]!r} is not a photo hash (64 lower-case hex digits).",
                              fix_zh="请更新离线巡查页面后重试。", fix_en="Update the field client and retry.")
    return sha


class OffsetMismatch(Exception):
    """The chunk does not start where the server's copy ends; ``offset`` is where it does."""

    def __init__(self, offset: int):
        super().__init__(offset)
        self.offset = offset


class Uploads:
    """Partial photo uploads under ``root`` (one file per hash being uploaded).

    Parameters
    ----------
    root : Path
        The folder for partial files (created when needed), e.g. ``<photos>/.incoming``.
    max_bytes : int
        Largest photo accepted (:data:`geo.photos.MAX_PHOTO_BYTES`).
    """

    def __init__(self, root: Path, max_bytes: int = MAX_PHOTO_BYTES):
        self.root = Path(root)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    def _part(self, sha: str) -> Path:
        return self.root / f"{check_sha(sha)}.part"

    def offset(self, sha: str) -> int:
        """Bytes of ``sha`` received so far (0 when none)."""
        try:
            return self._part(sha).stat().st_size
        except FileNotFoundError:
            return 0

    def _sweep(self) -> None:
        cutoff = time.time() - PARTIAL_TTL
        for p in self.root.glob("*.part"):
            try:
                if p.stat().st_mtime < cutoff:
                    p.unlink()
            except OSError:
                pass

    def put(self, sha: str, offset: int, chunk: bytes, total: int) -> bytes | None:
        """Append ``chunk`` at ``offset`` of the photo ``sha`` of ``total`` bytes.

        Returns
        -------
        bytes or None
            The whole photo once its last chunk arrived and it hashes to ``sha``
            (its partial file is then gone); None while more is to come.

        Raises
        ------
        OffsetMismatch
            ``offset`` is not where the server's copy ends (send from ``exc.offset``).
        ValidationError
            ``photo.too_large``, ``photo.bad_chunk`` (empty, over :data:`CHUNK_MAX`, past
            ``total``), ``photo.hash_mismatch`` (the bytes do not hash to ``sha``: dropped).
        StoreError
            ``photo.write_failed``: the folder cannot be written.
        """
        check_sha(sha)
        if not 0 < total <= self.max_bytes:
            raise ValidationError("photo.too_large",
                                  zh=f"照片 {total} 字节，超过上限 {self.max_bytes} 字节（或为空）。",
                                  en=f"The photo is {total} bytes; the limit is {self.max_bytes} (and it must not be empty).",
                                  fix_zh="请重新拍摄或选择较小的照片。", fix_en="Take or choose a smaller photo.",
                                  size=total, limit=self.max_bytes)
        if not chunk or len(chunk) > CHUNK_MAX or offset + len(chunk) > total:
            raise ValidationError("photo.bad_chunk",
                                  zh=f"照片分块无效（位置 {offset}，{len(chunk)} 字节，共 {total} 字节）。",
                                  en=f"Bad photo chunk (at {offset}, {len(chunk)} bytes, of {total}); "
                                     f"chunks are 1 to {CHUNK_MAX} bytes inside the photo.",
                                  fix_zh="请更新离线巡查页面后重试。", fix_en="Update the field client and retry.")
        part = self._part(sha)
        with self._lock:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                if offset == 0:
                    self._sweep()
                have = self.offset(sha)
                if have != offset:
                    raise OffsetMismatch(have)
                with open(part, "ab") as fh:
                    fh.write(chunk)
                    fh.flush()
                    os.fsync(fh.fileno())
            except OSError as exc:
                raise StoreError("photo.write_failed",
                                 zh=f"无法写入上传中的照片 {part.parent}：{exc.strerror}；请检查目录与磁盘空间。",
                                 en=f"Cannot write the upload to {part.parent}: {exc.strerror}; check the folder and free space.",
                                 path=str(part)) from exc
            if offset + len(chunk) < total:
                return None
            data = part.read_bytes()
            part.unlink()
        if len(data) != total or hashlib.sha256(data).hexdigest() != sha:
            raise ValidationError("photo.hash_mismatch",
                                  zh="上传的照片与其哈希不符（传输中损坏），已丢弃；设备会重新上传。",
                                  en="The uploaded photo does not match its hash (damaged on the way); it was dropped "
                                     "and the device sends it again.", value=sha)
        return data
