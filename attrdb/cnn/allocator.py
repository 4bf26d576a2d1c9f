"""Keep freed CNN buffers in the process instead of handing them back to the OS.

A forward pass of the tapped CNNs allocates intermediate tensors of 38-154 MB. glibc
serves blocks above its mmap threshold (dynamic, at most 32 MB) straight from the OS and
unmaps them on free, so every pass faults the same memory in again page by page (about
3 million page faults and several seconds of system CPU per 128 images;
../shared/NOTES.md). Turning mmap-served blocks off and raising the trim threshold keeps
those pages mapped between passes: measured 24 -> 85 img/s for pure Lite0 inference on a
2-core CPU, identical outputs, at a cost of 0.6-0.9 GB more peak memory (the freed blocks
stay resident; docs/extract.md has the per-path figures).

``keep_freed_memory`` runs when the package ``attrdb.cnn`` is imported, which every torch
path of attrdb goes through however it is started: the CLI, the Python API, DataLoader
workers (forked ones inherit the setting, spawned ones import the package again to
unpickle their dataset), Spark python workers (``attrdb.cnn.spark_extract`` imports it
inside the task), saliency and fine-tuning. Set ``ATTRDB_MALLOC_KEEP=0`` to leave the
allocator as it is (e.g. when jemalloc or tcmalloc is preloaded, or memory is tighter
than time).
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
from collections.abc import Callable

# mallopt parameter numbers from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_MMAP_MAX = -4
# Freed memory at the top of the heap is returned to the OS only above this many bytes.
_TRIM_THRESHOLD_BYTES = 1 << 30
# glibc's defaults (DEFAULT_MMAP_MAX, DEFAULT_TRIM_THRESHOLD, DEFAULT_MMAP_THRESHOLD).
_DEFAULT_MMAP_MAX = 65536
_DEFAULT_THRESHOLD_BYTES = 128 * 1024

_applied: bool | None = None


def _mallopt() -> Callable[[int, int], int] | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        function = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def keep_freed_memory() -> bool:
    """Configure glibc malloc to keep large freed blocks; True if it was applied.

    Idempotent (the first call decides); a no-op (False) off glibc, or when
    ``ATTRDB_MALLOC_KEEP=0``.
    """
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if os.environ.get("ATTRDB_MALLOC_KEEP", "1") == "0":
        return False
    mallopt = _mallopt()
    if mallopt is None:
        return False
    _applied = bool(mallopt(_M_MMAP_MAX, 0)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES)
    )
    return _applied


def is_applied() -> bool:
    """Whether ``keep_freed_memory`` has configured this process."""
    return bool(_applied)


def set_keep(keep: bool) -> bool:
    """Switch the setting on or off in this process, for paired measurements only.

    Off restores glibc's behaviour for large blocks (served by mmap, unmapped on free;
    with fixed thresholds, which for blocks above 32 MB is what the dynamic default does
    too). Returns True when mallopt accepted the change.
    """
    global _applied
    mallopt = _mallopt()
    if mallopt is None:
        return False
    if keep:
        ok = bool(mallopt(_M_MMAP_MAX, 0)) and bool(
            mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES)
        )
    else:
        ok = (
            bool(mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX))
            and bool(mallopt(_M_MMAP_THRESHOLD, _DEFAULT_THRESHOLD_BYTES))
            and bool(mallopt(_M_TRIM_THRESHOLD, _DEFAULT_THRESHOLD_BYTES))
        )
    _applied = keep and ok
    return ok


def minor_faults() -> int:
    """Minor page faults of this process so far (``getrusage`` ru_minflt)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def reuse_faults(megabytes: int = 64) -> int:
    """Page faults of allocating, touching and freeing a block, the second time.

    A functional check of the setting in the calling process: with large freed blocks
    kept, the second block reuses the first one's pages (0 faults measured); without, it
    is mapped afresh and faults once per page (544 for 64 MB here, with transparent huge
    pages; 16,384 with 4 KiB pages only).
    """
    import numpy as np  # numpy allocates large arrays with malloc

    size = megabytes << 20
    np.ones(size, dtype=np.uint8)  # first use: faults in either mode
    before = minor_faults()
    block = np.ones(size, dtype=np.uint8)
    del block
    return minor_faults() - before
