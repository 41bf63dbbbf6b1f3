"""signal/quantiles.py: np.percentile / np.median along the last axis, the very same numbers
(bit for bit, dtype, shape and scalar-ness), on real leads and on data made to trip the
shortcut (ties, zeros of both signs, NaN, short rows)."""

from __future__ import annotations

import numpy as np
import pytest

from ecg_viewer.signal import quantiles


def _same(ours: object, ref: object) -> bool:
    a, b = np.asarray(ours), np.asarray(ref)
    return (type(ours) is type(ref) and a.dtype == b.dtype and a.shape == b.shape
            and a.tobytes() == b.tobytes())


def _arrays(rng: np.random.Generator) -> list[np.ndarray]:
    t = np.arange(5000) / 500.0
    beats = np.sin(2 * np.pi * 1.2 * t)[None] ** 15 * rng.random((12, 1)) \
        + 0.01 * rng.normal(size=(12, 5000))
    zeros = rng.normal(size=(4, 3000))
    zeros[0] = 0.0
    zeros[1, :1500] = -0.0
    nan = rng.normal(size=(3, 2048))
    nan[1, 5] = np.nan
    return [
        rng.normal(size=(12, 5000)),
        np.round(rng.normal(size=(8, 5001)) * 200) / 200,  # quantised: many ties
        np.abs(np.cumsum(rng.normal(size=(6, 4999)), axis=1)),  # slow, correlated
        beats, np.abs(np.diff(beats, axis=1)), zeros, nan,
        rng.normal(size=(2, 700)),  # short: partitioned whole
        np.abs(rng.normal(size=(8, 110))),  # a window of a median beat's slopes
        np.round(rng.normal(size=(3, 61)) * 4) / 4,  # short with ties and zeros
        rng.normal(size=(5, 2)), rng.normal(size=(4, 3)),  # two or three samples (one, two)
        rng.normal(size=(3, 5000)).astype(np.float32),  # another dtype: numpy's own path
    ]


@pytest.mark.parametrize("q", [99, 99.0, 0.5, 50, (99.5, 0.5), [25, 75]])
def test_percentile_is_numpys_bit_for_bit(q: object):
    rng = np.random.default_rng(3)
    for x in _arrays(rng):
        for arr in (x, x[0]):
            for keepdims in (False, True):
                with np.errstate(invalid="ignore"):
                    ref = np.percentile(arr, q, axis=-1, keepdims=keepdims)
                    ours = quantiles.percentile(arr, q, keepdims=keepdims)
                assert _same(ours, ref), (arr.shape, q, keepdims)


def test_median_is_numpys_bit_for_bit():
    rng = np.random.default_rng(4)
    for x in _arrays(rng):
        for arr in (x, x[0], x[:, :-1]):  # odd and even lengths
            for keepdims in (False, True):
                assert _same(quantiles.median(arr, keepdims=keepdims),
                             np.median(arr, axis=-1, keepdims=keepdims)), (arr.shape, keepdims)


def test_real_leads_take_the_shortcut_and_give_numpys_values(samples):
    """On real 12-lead records the bounds hold (no fallback) and the values are numpy's."""
    from ecg_viewer.io import read_ecg

    files = sorted((samples / "wfdb_ptbxl").glob("*_hr.hea"))[:4]  # 500 Hz, 10 s
    if not files:
        pytest.skip("no 500-Hz PTB-XL samples")
    for f in files:
        x = np.asarray(read_ecg(f).signal_mv, dtype=np.float64)
        d = np.abs(np.diff(x, axis=1))  # what the pacing-spike detector ranks
        k = int(np.floor((d.shape[1] - 1) * 0.99))
        assert quantiles._select(d, k, k + 1) is not None
        assert _same(quantiles.percentile(d, 99.0), np.percentile(d, 99.0, axis=-1))
