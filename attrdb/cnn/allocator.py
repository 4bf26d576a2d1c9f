"""Keep freed CNN buffers in the process instead of handing them back to the OS.

A forward pass of the tapped CNNs allocates intermediate tensors of 38-154 MB. glibc
serves blocks above its mmap threshold straight from the OS and unmaps them on free, so
every pass faults the same memory in again page by page (about 3 million page faults and
several seconds of system CPU per 128 images; ../shared/NOTES.md). Turning mmap-served
blocks off and raising the trim threshold keeps those pages mapped between passes:
measured 24 -> 85 img/s for pure Lite0 inference on a 2-core CPU, identical outputs, at a
cost of 0.6-0.9 GB more peak memory (the freed blocks stay resident).

``keep_freed_memory`` is called once when ``attrdb.cnn.models`` is imported, which every
torch path of attrdb (extract, saliency, Spark executors, the Python API) goes through.
Set ``ATTRDB_MALLOC_KEEP=0`` to leave the allocator as it is (e.g. when jemalloc or tcmalloc
is preloaded, or memory is tighter than time).
"""

from __future__ import annotations

import ctypes
import os
import platform

# mallopt parameter numbers from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
# Freed memory at the top of the heap is returned to the OS only above this many bytes.
_TRIM_THRESHOLD_BYTES = 1 << 30

_applied: bool | None = None


def keep_freed_memory() -> bool:
    """Configure glibc malloc to keep large freed blocks; True if it was applied.

    Idempotent; a no-op (False) off glibc, or when ``ATTRDB_MALLOC_KEEP=0``.
    """
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if os.environ.get("ATTRDB_MALLOC_KEEP", "1") == "0":
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _applied = bool(mallopt(_M_MMAP_MAX, 0)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES)
    )
    return _applied
