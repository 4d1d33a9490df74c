"""Giving freed memory back to the system after the map encoded many sites (a long-running server).

Encoding 100,000 sites allocates and frees tens of MB of small objects; the
C allocator keeps the freed pages for reuse, so the server's resident size
stays at its peak. After a build of at least :data:`RELEASE_AFTER_SITES`
sites, unreachable objects are collected and glibc's ``malloc_trim`` returns
the free pages. Elsewhere (another C library) it is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import lru_cache

from geo.map.sitelayer import take_encoded_count

__all__ = ["RELEASE_AFTER_SITES", "release_after_big_build", "release_free_memory"]

#: Sites encoded afresh in one run from which freed memory is given back (a county's sample is far below).
RELEASE_AFTER_SITES = 20_000


@lru_cache(maxsize=1)
def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def release_free_memory() -> bool:
    """Collect unreachable objects and return free heap pages to the system; whether the C library could."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def release_after_big_build(min_sites: int = RELEASE_AFTER_SITES) -> bool:
    """:func:`release_free_memory` when this run encoded at least ``min_sites`` sites afresh; whether it did."""
    if take_encoded_count() < min_sites:
        return False
    return release_free_memory()
