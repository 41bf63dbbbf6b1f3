"""The batch processes' C allocator: glibc malloc kept from handing freed memory back at once
(:func:`keep_freed_memory`; pipeline/batch.py, pipeline/batch_staged.py)."""

from __future__ import annotations

#: glibc's ``mallopt`` parameters (malloc.h) and the values :func:`keep_freed_memory` sets:
#: blocks under 32 MiB come from the heap (not each from a mapping of its own), and the heap is
#: trimmed only when 256 MiB lie free at its top
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
KEEP_MMAP_THRESHOLD = 32 << 20
KEEP_TRIM_THRESHOLD = 256 << 20


def keep_freed_memory() -> bool:
    """Let this process's C allocator (glibc malloc) keep the memory it frees for reuse, instead
    of handing it back to the system at once; False where that allocator is not glibc's.

    By default glibc maps every block of 128 KiB or more on its own and unmaps it when freed, and
    trims the heap when 128 KiB lie free at its top (its threshold only grows after such a block
    is freed). The analysis of one 10-s 12-lead ECG makes and frees hundreds of arrays that size
    (one float64 copy of the signal is 480 KB), and each new one was faulted in page by page
    again: a worker took ~1,000 page faults per ECG (~40 now) and 30 ms of CPU (25.5 now), the
    model ~7 % more CPU (README, batch throughput). Only where the memory comes from changes,
    never a number. Called in the batch processes (the workers, the staged run's own process);
    they keep what they held at their peak, which their peak RSS counted anyway."""
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # no C library to ask (Windows: CDLL(None)
        # is a TypeError there) or no mallopt (macOS)
        return False  # (musl's mallopt does nothing and returns 0: False too)
    return bool(mallopt(_M_MMAP_THRESHOLD, KEEP_MMAP_THRESHOLD)) \
        and bool(mallopt(_M_TRIM_THRESHOLD, KEEP_TRIM_THRESHOLD))
