"""``np.percentile`` and ``np.median`` along the last axis of long float64 rows: the very same
numbers, several times faster.

numpy finds an order statistic by partitioning the whole row (introselect over all 5000 samples
of a 10-s lead, for a value that only a few dozen samples decide). Here a systematic subsample of
the row (every ``STEP``-th sample) gives two bounds that should hold the wanted order statistics
between them; counting the samples below and inside the bounds proves it (the k-th smallest
lies in the band when ``below <= k < below + inside``), and only the samples in the band are
sorted. numpy's own steps then finish the value: the virtual index ``(n - 1) * q / 100``, its
floor and fraction, and numpy's linear interpolation (``_lerp``: ``a + d * g``, or
``b - d * (1 - g)`` for ``g >= 0.5``); the median is the mean of the middle one or two.

Rows shorter than ``MIN_SAMPLES`` (a window of a median beat) are partitioned whole, as numpy
does, but without numpy's ~30 us of set-up per call (several times the partition of a hundred
samples): the delineation asks for a dozen such quantiles per median beat. So are long rows
asked for several percentiles at once (a two-sided range: 0.5 and 99.5), at the order
statistics they need only (numpy also partitions at the first and last: 250 -> 165 us for 12
leads of 5000 samples; the subsample band, one band per percentile, took 310).

Whenever the shortcut cannot prove itself, numpy answers instead: another dtype or shape, NaN
or infinite samples (numpy's NaN rules), bounds that miss (the count shows it), and a selected
value of zero (numpy's partition decides which of -0.0 and +0.0 it returns).
``tests/test_quantiles.py`` compares both bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

STEP = 8  # subsample: every 8th sample (625 of a 10-s lead at 500 Hz)
MIN_SAMPLES = 1024  # shorter rows are partitioned whole (see _short)


def percentile(x: np.ndarray, q: float | Sequence[float], *, keepdims: bool = False) -> np.ndarray:
    """``np.percentile(x, q, axis=-1, keepdims=keepdims)`` for a 1-D or 2-D array."""
    x = np.asarray(x)
    weak = type(q) in (int, float)  # numpy: a Python number interpolates with a Python float
    if weak and _short(x):
        n = x.shape[-1]
        virtual = (n - 1) * (q / 100)  # numpy's steps for a Python number: q / 100, times n - 1
        k = math.floor(virtual)
        got = _partitioned(x, [(k, min(k + 1, n - 1))])
        if got is not None:
            res = _lerp(got[0][0], got[0][1], virtual - k)
            return res[..., None] if keepdims else res
    qs = np.true_divide(q, 100)
    if not _fast(x) or qs.ndim > 1 or not np.all((qs > 0) & (qs < 1)):
        return np.percentile(x, q, axis=-1, keepdims=keepdims)
    rows = np.atleast_2d(x)
    n = rows.shape[1]
    virtual = (n - 1) * qs  # numpy's linear method, as it computes it
    prev = np.floor(virtual)
    pairs = [(int(p), min(int(p) + 1, n - 1)) for p in np.atleast_1d(prev)]
    # several q (a two-sided range): numpy's partition, at the order statistics they need only
    # (numpy also partitions at the first and last); one q: the subsample band
    got_all = _partitioned(rows, pairs) if qs.ndim else [_select(rows, *pairs[0])]
    if got_all is None or got_all[0] is None:
        return np.percentile(x, q, axis=-1, keepdims=keepdims)
    out = []
    for v, p, (a, b) in zip(np.atleast_1d(virtual), np.atleast_1d(prev), got_all, strict=True):
        g = float(v - p) if weak else np.float64(v - p)
        out.append(_lerp(a, b, g))
    res = np.stack(out) if qs.ndim else out[0]  # [len(q), rows] or [rows]
    if x.ndim == 1:
        res = res[..., 0]
        if keepdims:
            res = res[..., None]
        return res if res.ndim else res[()]
    return res[..., None] if keepdims else res


def median(x: np.ndarray, *, keepdims: bool = False) -> np.ndarray:
    """``np.median(x, axis=-1, keepdims=keepdims)`` for a 1-D or 2-D array."""
    x = np.asarray(x)
    if _short(x):
        n = x.shape[-1]
        h = n // 2
        got = _partitioned(x, [(h - 1 if n % 2 == 0 else h, h)])
        if got is not None:
            a, b = got[0]
            res = np.true_divide(a + b, 2) if n % 2 == 0 else np.true_divide(b, 1)
            return res[..., None] if keepdims else res
    if not _fast(x):
        return np.median(x, axis=-1, keepdims=keepdims)
    rows = np.atleast_2d(x)
    n = rows.shape[1]
    h = n // 2
    got = _select(rows, h - 1 if n % 2 == 0 else h, h)
    if got is None:
        return np.median(x, axis=-1, keepdims=keepdims)
    a, b = got
    # numpy: the mean of the middle one (a / 1) or two ((a + b) / 2)
    res = np.true_divide(a + b, 2) if n % 2 == 0 else np.true_divide(b, 1)
    if x.ndim == 1:
        return res if keepdims else res[0]
    return res[:, None] if keepdims else res


def _fast(x: np.ndarray) -> bool:
    return (x.dtype == np.float64 and x.ndim in (1, 2) and x.shape[-1] >= MIN_SAMPLES
            and x.size > 0 and bool(np.isfinite(x).all()))


def _short(x: np.ndarray) -> bool:
    return (x.dtype == np.float64 and x.ndim in (1, 2) and 0 < x.shape[-1] < MIN_SAMPLES
            and x.size > 0 and bool(np.isfinite(x).all()))


def _partitioned(x: np.ndarray, pairs: list[tuple[int, int]]
                 ) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """For each (k0, k1): the k0-th and k1-th smallest along the last axis, from one numpy
    partition of the whole rows at those order statistics; None when one is zero."""
    part = np.partition(x, sorted({k for pair in pairs for k in pair}), axis=-1)
    out = []
    for k0, k1 in pairs:
        a, b = part[..., k0], part[..., k1]
        if not (np.all(a != 0) and np.all(b != 0)):
            return None
        out.append((a, b))
    return out


def _lerp(a: np.ndarray, b: np.ndarray, g: float | np.float64) -> np.ndarray:
    """numpy's ``_lerp(a, b, g)`` (the steps and their order)."""
    d = b - a
    out = np.add(a, d * g)
    if g >= 0.5:
        out = np.subtract(b, d * (1 - g))
    return out


def _select(x: np.ndarray, k0: int, k1: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The k0-th and k1-th smallest (k0 <= k1, 0-based) of each row of ``x`` [rows, n]: the
    values numpy's partition puts there; None when the subsample's bounds miss in a row or a
    value is zero."""
    n_rows, n = x.shape
    sub = x[:, ::STEP]
    m = sub.shape[1]
    lo_p, hi_p = k0 / n, (k1 + 1) / n
    spread = math.sqrt(m * max(lo_p * (1 - lo_p), hi_p * (1 - hi_p), 1.0 / m))
    margin = int(4.0 * spread) + 3
    j_lo = int(math.floor(lo_p * m)) - margin
    j_hi = int(math.ceil(hi_p * m)) + margin
    kth = [j for j in (j_lo, j_hi) if 0 <= j < m]
    part = np.partition(sub, kth, axis=1) if kth else sub
    inside = np.ones(x.shape, dtype=bool)
    below = np.zeros(n_rows, dtype=np.intp)
    if 0 <= j_lo < m:
        low = x < part[:, j_lo : j_lo + 1]
        below = _row_counts(low)
        inside = ~low
    if 0 <= j_hi < m:
        inside &= x <= part[:, j_hi : j_hi + 1]
    count = _row_counts(inside)
    if not (np.all(below <= k0) and np.all(below + count > k1)):
        return None
    width = int(count.max())
    band = np.full((n_rows, width), np.inf)
    band[np.arange(width)[None, :] < count[:, None]] = x[inside]
    band.sort(axis=1)
    r = np.arange(n_rows)
    a, b = band[r, k0 - below], band[r, k1 - below]
    if not (np.all(a != 0) and np.all(b != 0)):
        return None
    return a, b


def _row_counts(mask: np.ndarray) -> np.ndarray:
    """The True values in each row of a boolean [rows, n] (as bytes: faster than counting)."""
    return mask.view(np.uint8).sum(axis=1, dtype=np.intp)
