"""Runs of True in a boolean mask: the one helper behind gaps in a lead (io/builder.py), the
stretches a polyline draws (signal/page.finite_runs) and the gate's longest flat stretch."""

from __future__ import annotations

import numpy as np


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The runs ``[start, end)`` of True in the 1-D ``mask``, in order."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], np.asarray(mask, dtype=np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
