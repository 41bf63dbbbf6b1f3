"""Pacemaker spike detection: narrow, steep deflections that precede most QRS complexes.

A spike is a point where the signal rises (or falls) by at least ``SPIKE_SLOPE_MV_PER_MS`` and
comes back within ``SPIKE_WIDTH_MS`` - far steeper and narrower than any QRS. The record counts
as paced when such spikes sit in the 300 ms before at least half of the detected R peaks, at one
delay before them (within ``LAG_TOLERANCE_MS``): glitches fall at random delays.
Needs a sampling rate of at least 500 Hz; below that a spike is smeared and this says False.
"""

from __future__ import annotations

import numpy as np

from ecg_viewer.signal import quantiles

MIN_FS_HZ = 450.0
SPIKE_SLOPE_MV_PER_MS = 0.25
SPIKE_WIDTH_MS = 4.0
QRS_SLOPE_RATIO = 2.5
MIN_FRACTION = 0.5
# the spike-to-R delays of the paced beats lie within this of one another (a captured beat's
# delay varies by a few ms; fusion beats move the R peak)
LAG_TOLERANCE_MS = 25.0
BRIDGE_MS = 4.0


def spike_samples(x: np.ndarray, fs_hz: float) -> np.ndarray:
    """Sample indices of pacing-like spikes in one lead (mV)."""
    x = np.where(np.isfinite(x), x, 0.0).astype(np.float64)
    d = np.diff(x) / (1000.0 / fs_hz)  # mV per ms
    return _spikes(d, float(quantiles.percentile(np.abs(d), 99.0)), fs_hz)


def _all_spikes(signal_mv: np.ndarray, fs_hz: float) -> np.ndarray:
    """The spikes of every lead of ``signal_mv`` [leads, samples], sorted, each once: what
    :func:`spike_samples` finds lead by lead (the slopes and their 99th percentiles of all leads
    computed in one go: the same numbers)."""
    x = np.atleast_2d(np.asarray(signal_mv))
    x = np.where(np.isfinite(x), x, 0.0).astype(np.float64)
    d = np.diff(x, axis=1) / (1000.0 / fs_hz)
    if d.shape[1] == 0:
        return np.unique(np.concatenate([spike_samples(lead, fs_hz) for lead in x]))
    p99 = quantiles.percentile(np.abs(d), 99.0)
    return np.unique(np.concatenate([_spikes(d[i], float(p99[i]), fs_hz) for i in range(len(d))]))


def _spikes(d: np.ndarray, p99: float, fs_hz: float) -> np.ndarray:
    steep = max(SPIKE_SLOPE_MV_PER_MS, QRS_SLOPE_RATIO * p99)
    width = max(int(round(SPIKE_WIDTH_MS * fs_hz / 1000.0)), 1)
    up = np.flatnonzero(np.abs(d) >= steep)
    out = []
    for i in up:
        # a steep edge followed, within the width, by a steep edge of the other sign
        # (the edge back must itself be steep: a steep QRS edge that merely levels off, read at
        # 1000 Hz, has a steep sample of its own sign and a small one of the other within 4 ms)
        seg = d[i + 1 : i + 1 + width]
        if seg.size and np.any(-np.sign(d[i]) * seg >= steep):
            out.append(i)
    return np.array(out, dtype=np.int64)


def detect_pacing(signal_mv: np.ndarray, fs_hz: float, r_peaks: np.ndarray) -> bool:
    """True when pacing spikes precede at least half of the beats (in any lead)."""
    r_peaks = np.asarray(r_peaks)
    if fs_hz < MIN_FS_HZ or r_peaks.size < 2:
        return False
    spikes = _all_spikes(signal_mv, fs_hz)
    if spikes.size == 0:
        return False
    before = int(0.30 * fs_hz)
    after = int(0.02 * fs_hz)
    lags = []  # per beat with a spike: from its last spike to the R peak
    for r in r_peaks:
        k = np.searchsorted(spikes, r + after, side="right") - 1
        if k >= 0 and spikes[k] >= r - before:
            lags.append(int(r - spikes[k]))
    if len(lags) < MIN_FRACTION * r_peaks.size:
        return False
    # a pacemaker fires at a fixed delay before the QRS it captures: most beats share one
    # spike-to-R delay (QA 51: 20 random one-sample glitches over 12 leads fell somewhere in
    # the 300 ms before half of the beats, and a normal ECG read 治療中（ペーシングスパイクあり）)
    lag = np.array(lags)
    tol = LAG_TOLERANCE_MS * fs_hz / 1000.0
    same = max(int(np.sum(np.abs(lag - c) <= tol)) for c in lag)
    return same >= MIN_FRACTION * r_peaks.size


def remove_spikes(signal_mv: np.ndarray, fs_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """A copy of ``signal_mv`` with the pacing spikes bridged by a straight line (all leads, the
    spike +- ``BRIDGE_MS``), and the spikes' sample indices. The QRS that follows is then delineated without
    the spike or its filtered ringing setting the QRS onset (carts, e.g. GE 12SL, start the paced
    QRS after the spike: braveheart_example4)."""
    x = np.array(np.atleast_2d(signal_mv), dtype=np.float64)
    spikes = _all_spikes(x, fs_hz)
    if spikes.size == 0:
        return x, spikes
    pad = max(int(round(BRIDGE_MS * fs_hz / 1000.0)), 1)
    width = max(int(round(SPIKE_WIDTH_MS * fs_hz / 1000.0)), 1)
    for sp in spikes:
        a, b = max(int(sp) - pad, 0), min(int(sp) + width + pad, x.shape[1] - 1)
        if b > a + 1:
            t = np.linspace(0.0, 1.0, b - a + 1)
            x[:, a : b + 1] = x[:, [a]] + (x[:, [b]] - x[:, [a]]) * t
    return x, spikes

