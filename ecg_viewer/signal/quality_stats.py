"""The signal measures of the quality gate (signal/quality.py): the band-passed and the slow
(< 0.5 Hz) signal, R peaks and the beat-to-beat residual around a median beat, the noise power
above 40 Hz (median Welch spectrum). Qt-free and torch-free."""

from __future__ import annotations

import functools

import numpy as np
from scipy import signal as sps

from ecg_viewer.signal import quantiles
from ecg_viewer.signal.filters import butter_sos, sos_filtfilt
from ecg_viewer.signal.median import median0, median_rows


def wander(x: np.ndarray, fs_hz: float) -> np.ndarray:
    """Per lead, the 1st-99th percentile range (mV) of the signal below 0.5 Hz in its worst
    10-s window (the threshold was chosen on 10-s records: over a whole 115-s PTB record the
    range grew with the length, QA 42), the first and last second (the filter's edges) left
    out; 0 where the record is too short to tell. The windows start every 5 s and the last one
    ends at the record's end, so no stretch goes unjudged (QA 44: a drift in the last 6 s of a
    19-s record was never looked at) and a swing across two windows is seen whole."""
    n = x.shape[-1]
    if n < 4 * fs_hz or n <= 3 * (2 * len(butter_sos(2, 0.5, "lowpass", float(fs_hz))) + 1):
        return np.zeros(x.shape[0])
    low = sos_filtfilt(2, 0.5, "lowpass", float(fs_hz), x)
    edge, win = int(fs_hz), int(10 * fs_hz)
    body = low[:, edge:n - edge]
    last = max(body.shape[1] - win, 0)
    starts = sorted({*range(0, last + 1, win // 2), last})
    ranges = [np.subtract(*quantiles.percentile(body[:, a:a + win], (99.0, 1.0))) for a in starts]
    return np.asarray(np.max(ranges, axis=0), dtype=np.float64)


def bandpass(x: np.ndarray, fs_hz: float, lo_hz: float, hi_hz: float) -> np.ndarray:
    hi_hz = min(hi_hz, 0.45 * fs_hz)
    if not hi_hz > 1.2 * lo_hz:  # a rate too low for this band (the gate refuses it before)
        return x - np.median(x, axis=-1, keepdims=True)
    if x.shape[-1] <= 3 * (2 * len(butter_sos(2, (float(lo_hz), float(hi_hz)), "bandpass",
                                               float(fs_hz))) + 1):
        return x - np.median(x, axis=-1, keepdims=True)
    return sos_filtfilt(2, (float(lo_hz), float(hi_hz)), "bandpass", float(fs_hz), x)


def r_peaks(lf: np.ndarray, x: np.ndarray, fs_hz: float) -> np.ndarray:
    """R-peak positions from the median across leads of each lead's normalised QRS-band
    envelope: one bad lead cannot create or hide beats."""
    band = np.abs(bandpass(x, fs_hz, 5.0, 15.0))
    band /= quantiles.percentile(band, 99, keepdims=True) + 1e-9
    env = median_rows(band)
    w = max(1, int(round(0.08 * fs_hz)))
    env = np.convolve(env, np.ones(w) / w, mode="same")
    base = float(np.median(env))
    height = base + 0.35 * (float(np.percentile(env, 99)) - base)
    peaks, _ = sps.find_peaks(env, height=height, distance=max(1, int(0.3 * fs_hz)))
    # move each onto the steepest point of the QRS (the smoothed envelope peaks anywhere in it)
    slope = np.abs(np.diff(lf, axis=1, prepend=lf[:, :1]))
    slope /= quantiles.percentile(slope, 99, keepdims=True) + 1e-9
    steep = median_rows(slope) if len(lf) > 2 else slope.mean(axis=0)
    r = max(1, int(0.1 * fs_hz))
    return np.array(
        [max(0, k - r) + int(np.argmax(steep[max(0, k - r) : k + r + 1])) for k in peaks],
        dtype=int,
    )


def beat_stats(
    lf: np.ndarray, peaks: np.ndarray, fs_hz: float, live: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Per lead: peak-to-peak of the median beat and rms residual of the beats around it.

    Beats are compared at >= 500 Hz (the windows of 100-Hz records are upsampled) after
    aligning each one to the median beat (+/- 50 ms, on the live needed leads), so that the
    sampling jitter of a sharp QRS does not pass for noise. The median over beats ignores
    occasional ectopic beats.
    """
    up = max(1, int(np.ceil(500.0 / fs_hz)))
    r = int(np.ceil(0.2 * fs_hz)) + 2  # window half-width at the file's rate: QRS +/- shift
    padded = np.pad(lf, ((0, 0), (r, r)), mode="edge")
    beats = np.stack([padded[:, k : k + 2 * r] for k in peaks])  # beats, leads, samples
    if up > 1:
        beats = sps.resample_poly(beats, up, 1, axis=2)
    fs = fs_hz * up
    a, b, s, c = int(0.1 * fs), int(0.15 * fs), int(0.05 * fs), r * up

    def cut(shifts: np.ndarray) -> np.ndarray:
        seg = np.stack([w[:, c + d - a : c + d + b] for w, d in zip(beats, shifts, strict=True)])
        return seg - seg.mean(axis=2, keepdims=True)

    step = max(1, s // 25)
    offsets = np.arange(-s, s + 1, step)
    first = c - s - a  # where the window of the first offset starts
    # every beat's window at every offset [beats, leads, offsets, samples]: a view, no copy
    wins = np.lib.stride_tricks.sliding_window_view(beats[:, live], a + b, axis=2)[
        :, :, first : first + (len(offsets) - 1) * step + 1 : step]
    shifts = np.zeros(len(beats), dtype=int)
    for _ in range(2):
        template = median0(cut(shifts))[live]
        # sum over leads and samples of (window - its mean) * template, for every beat and
        # offset at once, as (window) * (template - its mean): the same sum, one product
        centred = template - template.mean(axis=1, keepdims=True)
        shifts = offsets[np.argmax(np.einsum("blos,ls->bo", wins, centred), axis=1)]
    seg = cut(shifts)  # beats, leads, samples
    template = median0(seg)
    residual = np.sqrt(median0(((seg - template[None]) ** 2).mean(axis=2)))
    return np.ptp(template, axis=1), residual


@functools.lru_cache(maxsize=16)
def hann_psd(nperseg: int, fs_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """The frequencies and the window (scaled to a density) ``scipy.signal.welch`` makes at
    every call (its ShortTimeFFT), made once per (segment length, rate)."""
    sft = sps.ShortTimeFFT(sps.get_window("hann", nperseg), nperseg - nperseg // 2, fs_hz,
                           fft_mode="onesided", mfft=nperseg, scale_to="psd", phase_shift=None)
    f, win = sft.f, sft.win.conj()
    f.flags.writeable = win.flags.writeable = False
    return f, win


def welch_median(x: np.ndarray, fs_hz: float, nperseg: int) -> tuple[np.ndarray, np.ndarray]:
    """``scipy.signal.welch(x, fs=fs_hz, nperseg=nperseg, average="median", axis=-1)`` for real
    ``x`` [leads, samples] with ``nperseg <= samples``, the very same numbers by the same steps
    (csd through ShortTimeFFT: each half-overlapping segment less its mean, times the window,
    scipy.fft's rfft of the [leads, nperseg] segment, squared magnitude, the one-sided bins
    doubled, the median over segments divided by scipy's median bias), without the padded copy
    of the record, the complex spectrogram and the set-up at every call."""
    from scipy import fft as sp_fft

    f, win = hann_psd(nperseg, fs_hz)
    hop = nperseg - nperseg // 2
    n_seg = (x.shape[-1] - nperseg // 2) // hop  # csd's p1: every segment lies inside x
    # every segment at once [segments, leads, nperseg] (a view; each row of it contiguous, so
    # the means and the transforms are those of one segment at a time), segments first: the
    # median runs across rows
    seg = np.lib.stride_tricks.sliding_window_view(x, nperseg, axis=-1)[
        :, : (n_seg - 1) * hop + 1 : hop].transpose(1, 0, 2)
    spec = sp_fft.rfft((seg - np.mean(seg, -1, keepdims=True)) * win, n=nperseg, axis=-1)
    p = spec.real**2 + spec.imag**2
    p[..., 1:-1 if nperseg % 2 == 0 else None] *= 2
    if n_seg == 1:
        return f, p[0]
    ii_2 = 2 * np.arange(1.0, (n_seg - 1) // 2 + 1)  # scipy's _median_bias
    med = median_rows(p)
    med /= 1 + np.sum(1.0 / (ii_2 + 1) - 1.0 / ii_2)
    return f, med
