"""The batch processes keep freed memory for reuse (glibc malloc): arrays of a size the analysis
makes all the time (two 1-MiB ones alive at once, freed, made again) are not faulted in page by
page again, in a batch worker and after ``keep_freed_memory``; with glibc's default settings
they are (so the check can fail)."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.pipeline.batch import worker_pool

REPO = Path(__file__).resolve().parents[1]
ROUNDS = 20
PAGES = ROUNDS * 2 * (1 << 20) // 4096  # pages written by reuse_faults

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc only")


def reuse_faults() -> int:
    """Minor page faults of making (and writing) two 1-MiB arrays and freeing them, ``ROUNDS``
    times, after one such round (glibc then trims the 2 MiB freed at its heap's top)."""

    def rounds(n: int) -> None:
        for _ in range(n):
            a, b = np.ones(1 << 17), np.ones(1 << 17)
            del a, b

    rounds(1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    rounds(ROUNDS)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def _no_init() -> None:
    pass


def _in_fresh_interpreter(code: str) -> int:
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True)
    return int(out.stdout.split()[-1])


def test_keep_freed_memory_reuses_freed_arrays() -> None:
    probe = "from tests.test_batch_malloc import reuse_faults as f\n"
    default = _in_fresh_interpreter(probe + "print(f())")
    kept = _in_fresh_interpreter(probe + "from ecg_viewer.pipeline.batch import keep_freed_memory\n"
                                 "assert keep_freed_memory()\nprint(f())")
    assert default > PAGES // 2  # glibc's default: faulted in again
    assert kept < PAGES // 10


def test_batch_workers_keep_freed_memory() -> None:
    with worker_pool(1, _no_init, ()) as pool:
        faults = pool.submit(reuse_faults).result(timeout=120)
    assert faults < PAGES // 10
