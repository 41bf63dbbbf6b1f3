"""R-peak (beat) detection on all leads together, robust to a flat or noisy lead.

Each lead is band-passed to the QRS band (5-25 Hz, zero phase), turned into a slope-energy
envelope (squared derivative, 100 ms centred moving window) and scaled by its own local QRS
height (median of the envelope maxima in 2-s blocks, tracked over ~20 s). The scaled envelopes are
clipped and combined across leads with a trimmed mean, so one lead with artefacts or no signal
moves the combined curve little. Beats are the peaks of the combined curve above an adaptive
threshold with a 200 ms refractory period, with a search-back at half threshold in long gaps and
a slope test against T waves (after Pan & Tompkins, 1985). The fiducial point of each beat is the
largest band-passed deflection across the usable leads near the envelope peak.

Measured on MIT-BIH record 100 against its beat annotations: see ``bench/measurements.py``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage, signal

from ecg_viewer.core.leads import canonical_lead_name
from ecg_viewer.signal import quantiles
from ecg_viewer.signal.filters import sos_filtfilt

log = logging.getLogger(__name__)

QRS_BAND_HZ = (5.0, 25.0)
REFRACTORY_S = 0.20
ENVELOPE_WINDOW_S = 0.10
SCALE_BLOCK_S = 2.0
CLIP_SCALED = 3.0
THRESHOLD = 0.30
FLAT_LEAD_MV = 0.02  # a lead whose band-passed signal stays below this (peak-to-peak) is flat


@dataclass(frozen=True)
class BeatDetection:
    """Where the beats are: ``r_peaks`` (sample indices, ascending) at ``fs_hz``."""

    r_peaks: np.ndarray
    fs_hz: float
    n_samples: int
    leads_used: tuple[str, ...]
    # lead -> why it was left out ("flat", "no_signal")
    leads_rejected: dict[str, str] = field(default_factory=dict)

    @property
    def rr_s(self) -> np.ndarray:
        return np.diff(self.r_peaks) / float(self.fs_hz)

    @property
    def n_beats(self) -> int:
        return int(self.r_peaks.size)


def _bandpass(x: np.ndarray, fs_hz: float, band_hz: tuple[float, float]) -> np.ndarray:
    hi = min(band_hz[1], 0.45 * fs_hz)
    padlen = min(x.shape[-1] - 1, int(fs_hz))
    return sos_filtfilt(2, (float(band_hz[0]), float(hi)), "bandpass", float(fs_hz), x,
                        padlen=padlen)


def _local_scale(env: np.ndarray, fs_hz: float) -> np.ndarray:
    """Per-sample QRS height of each envelope (rows of ``env`` [leads, samples]): block maxima,
    running median, interpolated. All leads at once: the same values as lead by lead (the block
    maxima, the median filter along each row and the interpolation are row by row)."""
    n_leads, n = env.shape
    block = max(int(SCALE_BLOCK_S * fs_hz), 1)
    n_blocks = max(n // block, 1)
    if n >= block:
        maxima = env[:, : n_blocks * block].reshape(n_leads, n_blocks, block).max(axis=2)
    else:
        maxima = env.max(axis=1, keepdims=True)
    if n > n_blocks * block and n - n_blocks * block > block // 2:  # a long enough tail
        maxima = np.concatenate([maxima, env[:, n_blocks * block :].max(axis=1, keepdims=True)],
                                axis=1)
    k = min(9, maxima.shape[1])
    k = k if k % 2 == 1 else k - 1
    smooth = ndimage.median_filter(maxima, size=(1, max(k, 1)), mode="nearest")
    centres = (np.arange(smooth.shape[1]) + 0.5) * block
    at = np.arange(n)
    return np.array([np.interp(at, centres, row) for row in smooth]).reshape(n_leads, n)


def qrs_envelope(
    signal_mv: np.ndarray, fs_hz: float, lead_names: Sequence[str] | None = None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], dict[str, str]]:
    """The combined QRS envelope of all usable leads.

    Returns ``(combined [samples], bandpassed [leads, samples], leads_used, leads_rejected)``.
    """
    x = np.asarray(signal_mv, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    names = tuple(lead_names) if lead_names is not None else tuple(f"ch{i}" for i in range(len(x)))
    if x.shape[1] == 0:  # no samples (the readers refuse such a file; a caller may not)
        return np.zeros(0), x, (), dict.fromkeys(names, "no_signal")
    x = np.where(np.isfinite(x), x, 0.0)
    bp = _bandpass(x, fs_hz, QRS_BAND_HZ)
    win = max(int(round(ENVELOPE_WINDOW_S * fs_hz)), 1)
    rejected: dict[str, str] = {}
    # every lead's 0.5th and 99.5th percentile in one call (row by row the same values;
    # np.percentile's numbers, signal/quantiles.py)
    lows, highs = quantiles.percentile(bp, (0.5, 99.5)) if len(bp) else ((), ())
    live = [i for i in range(len(names)) if not float(highs[i] - lows[i]) < FLAT_LEAD_MV]
    # the slope energy of every live lead at once (row by row the same values as lead by lead)
    d = np.gradient(bp[live], axis=1) * fs_hz if live else np.zeros((0, x.shape[1]))
    env = ndimage.uniform_filter1d(d * d, size=win, axis=1, mode="nearest")
    scale = _local_scale(env, fs_hz) if live else env
    has_signal = dict(zip(live, np.all(scale > 0, axis=1), strict=True))
    for i, name in enumerate(names):  # in lead order
        if i not in has_signal:
            rejected[name] = "flat"
        elif not has_signal[i]:
            rejected[name] = "no_signal"
    used = [i for i in live if has_signal[i]]
    if not used:
        return np.zeros(x.shape[1]), bp, (), rejected
    keep = [has_signal[i] for i in live]
    stack = np.minimum(env[keep] / scale[keep], CLIP_SCALED)
    if len(stack) >= 4:
        # trimmed mean: drop the lowest and highest quarter of leads at each sample
        s = np.sort(stack, axis=0)
        cut = len(stack) // 4
        combined = s[cut : len(stack) - cut].mean(axis=0)
    else:
        combined = stack.mean(axis=0)
    return combined, bp[used], tuple(names[i] for i in used), rejected


# channels a file may carry beside its ECG leads: respiration, pulse oximetry, blood pressure,
# EEG/EOG/EMG, temperature, body position, a test generator's square waves and sines. They are
# left out of the beat detection; every other channel counts as an ECG lead (the QT Database
# names its leads MLII, ML5, D3, CM5, CC5, mod.V1, V1-V2 ...).
_NOT_ECG = re.compile(
    r"resp|pleth|spo2|sao2|pulse|ppg|\b[an]?bp\b|\bart\b|press|eeg|eog|emg|temp|square|ramp|"
    r"sine|noise|\btest|marker|event|status|annot|accel|flow|thor|abdo|snore|position|co2",
    re.IGNORECASE)


def ecg_channels(lead_names: Sequence[str]) -> list[int]:
    """Rows of the channels the beats are detected on: all but those named as another signal
    (:data:`_NOT_ECG`; a standard lead name always counts), or every channel when that would
    leave none. An EDF test file of a square wave, a ramp, a pulse, noise, sines and one "ECG"
    channel at 60/min read 190/min from all of them together."""
    names = list(lead_names)
    rows = [i for i, n in enumerate(names)
            if canonical_lead_name(n) is not None or not _NOT_ECG.search(str(n))]
    return rows or list(range(len(names)))


def detect_beats(
    signal_mv: np.ndarray, fs_hz: float, lead_names: Sequence[str] | None = None
) -> BeatDetection:
    """Detect beats on the ECG channels of ``signal_mv`` ([leads, samples] in mV) together
    (:func:`ecg_channels`; all rows when ``lead_names`` is None)."""
    x = np.asarray(signal_mv)
    if lead_names is not None and x.ndim == 2:
        rows = ecg_channels(lead_names)
        if len(rows) < len(lead_names):
            x, lead_names = x[rows], [lead_names[i] for i in rows]
    n = int(x.shape[-1])
    combined, bp, used, rejected = qrs_envelope(x, fs_hz, lead_names)
    if rejected:
        log.info("beat detection left out leads: %s", rejected)
    if not used or n < int(0.5 * fs_hz):
        return BeatDetection(np.zeros(0, dtype=np.int64), float(fs_hz), n, used, rejected)
    refractory = max(int(REFRACTORY_S * fs_hz), 1)
    cand, props = signal.find_peaks(combined, height=0.05, distance=refractory)
    heights = props["peak_heights"]
    keep = _select(cand, heights, combined, fs_hz)
    peaks = _fiducials(cand[keep], bp, fs_hz)
    return BeatDetection(peaks, float(fs_hz), n, used, rejected)


def _median_of_floats(values: list[float]) -> float:
    """``float(np.median(values))`` for a few Python floats or integers (the same value: the
    middle one, or the two middle ones added and halved), without numpy's per-call cost."""
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2.0


def _select(cand: np.ndarray, heights: np.ndarray, combined: np.ndarray, fs_hz: float) -> np.ndarray:
    """Indices into ``cand`` of the accepted beats.

    A candidate is a beat when it reaches ``THRESHOLD`` x the running QRS level (median height of
    the last 8 beats) and is not a T wave (within 360 ms of a beat with under half its slope).
    Gaps longer than 1.66 x the local RR are searched again at half that threshold.
    """
    if cand.size == 0:
        return np.zeros(0, dtype=np.int64)
    slope = np.abs(np.gradient(combined))
    reach = max(int(0.08 * fs_hz), 1)
    max_slope = np.array([slope[max(p - reach, 0) : p + 1].max() for p in cand])
    big = heights[heights >= np.percentile(heights, 50)]
    level = float(np.median(big)) if big.size else 1.0
    recent: list[float] = []
    accepted: list[int] = []
    for i in range(cand.size):
        ref = _median_of_floats(recent[-8:]) if recent else level
        if heights[i] < THRESHOLD * ref:
            continue
        if accepted:
            prev = accepted[-1]
            if (cand[i] - cand[prev]) / fs_hz < 0.36 and max_slope[i] < 0.5 * max_slope[prev]:
                continue  # a T wave close after a QRS: smaller slope
        accepted.append(i)
        recent.append(min(float(heights[i]), 2.0 * ref))
    acc = np.array(accepted, dtype=np.int64)
    for _ in range(4):  # search-back, repeated so that two missed beats in one gap are found
        if acc.size < 3:
            break
        rr = np.diff(cand[acc])
        extra: list[int] = []
        # gaps between beats, and from the record's start / to its end
        bounds = np.concatenate([[-REFRACTORY_S * fs_hz], cand[acc], [combined.size + REFRACTORY_S * fs_hz]])
        for j in range(bounds.size - 1):
            lo, hi = bounds[j], bounds[j + 1]
            jj = min(max(j - 1, 0), rr.size - 1)
            # np.median's values (of a few RR in samples, a few heights), without its set-up
            local = _median_of_floats(rr[max(jj - 8, 0) : jj + 8].tolist())
            if hi - lo <= 1.66 * local:
                continue
            ref = _median_of_floats(heights[acc[max(jj - 8, 0) : jj + 2]].tolist())
            inside = np.flatnonzero(
                (cand > lo + REFRACTORY_S * fs_hz)
                & (cand < hi - REFRACTORY_S * fs_hz)
                & (heights >= 0.5 * THRESHOLD * ref)
            )
            if inside.size:
                extra.append(int(inside[np.argmax(heights[inside])]))
        if not extra:
            break
        acc = np.unique(np.concatenate([acc, np.array(extra, dtype=np.int64)]))
    return acc


def _fiducials(env_peaks: np.ndarray, bp: np.ndarray, fs_hz: float) -> np.ndarray:
    """Move each envelope peak to the largest band-passed deflection within +-80 ms."""
    if env_peaks.size == 0:
        return env_peaks.astype(np.int64)
    mag = np.sqrt((bp * bp).sum(axis=0)) if bp.ndim == 2 else np.abs(bp)
    half = max(int(0.08 * fs_hz), 1)
    out = np.empty(env_peaks.size, dtype=np.int64)
    for k, p in enumerate(env_peaks):
        lo, hi = max(p - half, 0), min(p + half + 1, mag.size)
        out[k] = lo + int(np.argmax(mag[lo:hi]))
    # two envelope peaks may land on the same deflection
    return np.unique(out)
