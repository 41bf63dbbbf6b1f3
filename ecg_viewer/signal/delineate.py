"""Global fiducial points of a median beat: P onset/offset, QRS onset/offset, T peak and T end.

Global means measured on all independent leads at once, as carts do (the QRS runs from the
earliest onset to the latest end over the leads). The median beat comes at one working rate
(500 Hz, :mod:`ecg_viewer.signal.median`), so the same filters and thresholds apply whatever the
recording's rate.

- QRS onset/offset (``QRS_MODE = "leadwise"``): per lead, where its slope falls below a fraction of
  its QRS peak slope; globally the earliest onset that a second lead confirms within 10 ms and
  the second-latest end (the latest passing it by at most 10 ms; :func:`_qrs_leadwise`). Each
  lead's point is found on a smoothed slope (which bridges the Q and S peaks, where the slope is
  zero) and then moved inward by at most ``FINE_MAX_MS`` while a less smoothed slope is still
  under the same fraction (coarse to fine, as wavelet delineators locate onsets on a fine scale):
  the smoothing spreads a steep wave's start and end outward by about that much. A lead's end
  that falls on the trough of a broad S wave (the slope is near zero there) goes on while the
  wave climbs back (:func:`_past_s_trough`). A lead whose
  onset lies more than ``QRS_ONSET_MAX_WALK_MS`` before its first steep slope (its walk ran into
  the P wave) gives no onset while another lead gives one. The
  spatial velocity of all leads (``"velocity"``) is used for paced beats, where a lead or two
  keep the spike's after-potential. Thresholds chosen on the even records of the QT Database
  (``bench/measurements.py``).
- T end: :mod:`ecg_viewer.signal.tend` (the T hump of the vector magnitude, trapezium-area method
  of Zhang et al. 2005), in a window bounded by the RR, a QTcF of 600 ms and the next P wave.
- P wave: the vector magnitude between the previous T end and the QRS onset, each lead relative
  to its PR-segment level; the hump nearest the QRS; P on/off where it falls to ``P_FRACTION`` of
  its peak (or turns up again below half of it), the onset then moved back to where the rise
  into the P wave starts (``P_SLOPE_FRACTION``). Whether there is a P wave at all is decided with
  the beat-to-beat consistency in :mod:`ecg_viewer.signal.measure`.

Indices are samples of the median-beat window (``MedianBeat.beat_mv``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage, signal

from ecg_viewer.signal import quantiles
from ecg_viewer.signal.beats import ecg_channels
from ecg_viewer.signal.filters import lowpass
from ecg_viewer.signal.median import MedianBeat
from ecg_viewer.signal.tend import t_wave

INDEPENDENT = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")
QRS_FRACTION = 0.04
P_FRACTION = 0.15
# P onset: where the vector magnitude falls to P_FRACTION of the P hump, then earlier (by at most
# P_SLOPE_BACK_MS) while it still rises at P_SLOPE_FRACTION of its steepest rise into the P peak
# and stays above P_SLOPE_FLOOR of the hump: the fraction alone put the onset on the rise
# (QTDB +6 ms late on both halves); a slope, unlike a lower fraction, stops at a baseline offset
# (E07507). Chosen on the even QTDB records (back 20 ms: 2 ms better there, but 20 ms early on
# flat baselines in HR06003, HR06007)
P_SLOPE_FRACTION = 0.05
P_SLOPE_BACK_MS = 10.0
P_SLOPE_FLOOR = 0.05
LOWPASS_HZ = 40.0  # the delineation signal is low-passed here (zero phase)
SMOOTH_MS = 8.0
# the fine scale on which the lead-wise QRS onset/end are refined (see _qrs_leadwise): the lead
# band-limited to LOWPASS_HZ like the coarse scale (content above ~40 Hz is not in a 100 Hz
# recording: on the raw lead, 22 of 120 intervals of 40 CinC records moved by > 4 ms at 100 Hz,
# 15 with this), then a Gaussian, which (unlike the coarse boxcars) adds no steps for a
# threshold to catch. Sigma 2 ms gave the same QT Database figures but put 2 of 41 PTB-XL CRBBB
# at 118 ms
FINE_SIGMA_MS = 4.0
FINE_MAX_MS = 10.0
T_BEFORE_NEXT_P_MS = 20.0
QRS_MODE = "leadwise"  # or "velocity"
LEAD_QRS_ON_FRACTION = 0.03
LEAD_QRS_OFF_FRACTION = 0.07
LEAD_MIN_SHARE = 0.3
# a lead's QRS onset lies at most this far before its first steep slope (>= 30 % of its peak):
# the slow start of a QRS (a pre-excitation delta wave included) is shorter; a longer walk ran
# into the P wave (QT Database sel49: -140 ms on 2 of 30 beats). Physiological, not tuned: it
# leaves the even QTDB records (where thresholds are chosen) unchanged; 60 ms would not
QRS_ONSET_MAX_WALK_MS = 100.0
# a lead's QRS end goes on past a trough where its slope climbs back to this share of its QRS
# peak slope within the gap (:func:`_past_s_trough`); chosen on the even QTDB records (gap 20 /
# 30 / 40 / 50 ms: SD/rec 9.4 / 8.8 / 8.8 / 8.8; fraction 0.10 / 0.12 / 0.15 / 0.18 / 0.20:
# 8.9 / 8.8 / 8.8 / 9.3 / 9.3; at most 40 / 60 ms / unbounded: 8.9 / 8.8 / 8.8; a bound, as
# a sine-wave ventricular tachycardia (CinC JS45546) has no end to find)
S_RETURN_GAP_MS = 30.0
S_RETURN_FRACTION = 0.15
S_RETURN_MAX_MS = 60.0
P_MIN_MV = 0.02
P_HUMP_SHARE = 0.5
NOISY_RATIO = 4.0


@dataclass(frozen=True)
class Fiducials:
    qrs_on: int | None = None
    qrs_off: int | None = None
    t_peak: int | None = None
    t_end: int | None = None
    p_peak: int | None = None
    p_on: int | None = None
    p_off: int | None = None
    p_amplitude_mv: float = 0.0
    p_noise_mv: float = 0.0
    t_amplitude_mv: float = 0.0
    # the P onset walk reached the first sample of its search window (320 ms before the QRS, or
    # the previous T end): the onset lies at the window's edge, not where the wave starts
    p_on_at_edge: bool = False

    def as_ms(self, r_index: int, fs_hz: float) -> dict[str, float | None]:
        """Each point in ms relative to the R peak (None where not found)."""
        out: dict[str, float | None] = {}
        for key in ("p_on", "p_peak", "p_off", "qrs_on", "qrs_off", "t_peak", "t_end"):
            v = getattr(self, key)
            out[key] = None if v is None else round((v - r_index) * 1000.0 / fs_hz, 1)
        return out


def clean_leads(mb: MedianBeat) -> list[int]:
    """Rows of ``mb.beat_mv`` used for delineation: the independent leads, less any that are
    flat or far noisier than the others (noise: median absolute second difference)."""
    idx = [mb.lead_names.index(n) for n in INDEPENDENT if n in mb.lead_names]
    if len(idx) < 2:  # the channels named like ECG leads (not a file's pulse or test signal)
        idx = ecg_channels(mb.lead_names)
    x = mb.beat_mv[idx].astype(np.float64)
    noise = np.median(np.abs(np.diff(x, n=2, axis=1)), axis=1)
    span = np.ptp(x, axis=1)
    typical = float(np.median(noise))
    keep = (span > 0.02) & ~((noise > NOISY_RATIO * typical) & (noise > 0.005))
    return [i for i, k in zip(idx, keep, strict=True) if k] or idx


def _leads(mb: MedianBeat, rows: list[int] | None = None) -> np.ndarray:
    return mb.beat_mv[clean_leads(mb) if rows is None else rows].astype(np.float64)


def _level_before(x: np.ndarray, onset: int, ms: float) -> np.ndarray:
    """The PR-segment level of each lead of ``x`` (or of one lead): its mean from 20 to 4 ms
    before ``onset`` (a sample index; ``ms`` samples per millisecond)."""
    return x[..., max(onset - int(20 * ms), 0) : onset - int(4 * ms) + 1].mean(axis=-1)


def _smooth(x: np.ndarray, fs_hz: float, ms: float) -> np.ndarray:
    k = max(int(round(ms * fs_hz / 1000.0)), 1)
    return ndimage.uniform_filter1d(x, size=k, axis=-1, mode="nearest") if k > 1 else x


def delineate(mb: MedianBeat, rr_s: float, *, qrs_mode: str | None = None,
              rows: list[int] | None = None) -> Fiducials:
    """Fiducial points of ``mb``; ``rr_s`` (the dominant RR) bounds the T and P searches.
    ``rows``: ``clean_leads(mb)`` when the caller has it already.

    A median beat sampled below 250 Hz is delineated on a 500 Hz (or so) interpolated copy, so
    the same filters and thresholds apply at every rate; the points are mapped back.
    """
    if mb.fs_hz < 250.0 and mb.beat_mv.shape[1] > 16:
        k = int(np.ceil(500.0 / mb.fs_hz))
        up = replace(
            mb,
            beat_mv=signal.resample_poly(mb.beat_mv.astype(np.float64), k, 1, axis=1).astype(
                np.float32
            ),
            fs_hz=mb.fs_hz * k,
            r_index=mb.r_index * k,
        )
        f = _delineate(up, rr_s, qrs_mode or QRS_MODE)
        back = {
            key: (None if getattr(f, key) is None else int(round(getattr(f, key) / k)))
            for key in ("qrs_on", "qrs_off", "t_peak", "t_end", "p_peak", "p_on", "p_off")
        }
        return replace(f, **back)
    return _delineate(mb, rr_s, qrs_mode or QRS_MODE, rows)


def _delineate(mb: MedianBeat, rr_s: float, qrs_mode: str,
               rows: list[int] | None = None) -> Fiducials:
    fs = mb.fs_hz
    ms = fs / 1000.0
    raw = _leads(mb, rows)
    band = raw
    if LOWPASS_HZ and raw.shape[1] > 32:
        band = lowpass(raw, fs, LOWPASS_HZ)
    x = _smooth(band, fs, SMOOTH_MS if fs > 200 else 0.0)
    r = mb.r_index
    if qrs_mode == "velocity":
        qrs_on, qrs_off = _qrs_velocity(x, r, fs)
    else:
        fine = ndimage.gaussian_filter1d(band, FINE_SIGMA_MS * ms, axis=-1, mode="nearest")
        qrs_on, qrs_off = _qrs_leadwise(x, r, fs, fine)
    if qrs_on is None or qrs_off is None:
        return Fiducials(qrs_on=qrs_on, qrs_off=qrs_off)
    baseline = _level_before(x, qrs_on, ms)
    y = x - baseline[:, None]
    t_peak, t_end, t_amp = t_wave(y, qrs_off, r, rr_s, fs, None, qrs_on)
    # the P wave is searched after the previous beat's T wave (one RR back: its end, or its peak
    # + 120 ms when the end was not found)
    prev_t = t_end if t_end is not None else (None if t_peak is None else t_peak + int(120 * ms))
    p_peak, p_on, p_off, p_amp, p_noise, p_edge = _p_wave(x, qrs_on, r, rr_s, fs, prev_t)
    if p_on is not None and t_end is not None:
        # never past the next beat's P wave: one RR after this P onset
        next_p = p_on + int(round(rr_s * fs))
        if t_end > next_p - int(T_BEFORE_NEXT_P_MS * ms):
            t_peak, t_end, t_amp = t_wave(y, qrs_off, r, rr_s, fs, next_p, qrs_on)
    return Fiducials(qrs_on, qrs_off, t_peak, t_end, p_peak, p_on, p_off, p_amp, p_noise, t_amp,
                     p_edge)


def _qrs_velocity(x: np.ndarray, r: int, fs: float) -> tuple[int | None, int | None]:
    """QRS onset/offset where the spatial velocity of all leads falls below ``QRS_FRACTION`` of
    its QRS peak (above its PR-segment level)."""
    ms = fs / 1000.0
    n = x.shape[1]
    sv = np.sqrt((np.gradient(x, axis=1) ** 2).sum(axis=0)) * fs
    sv = _smooth(sv, fs, 6.0)
    lo, hi = max(r - int(80 * ms), 0), min(r + int(80 * ms) + 1, n)
    peak = lo + int(np.argmax(sv[lo:hi]))
    sv_max = float(sv[peak])
    pre = sv[max(r - int(300 * ms), 0) : max(r - int(60 * ms), 1)]
    base = float(np.percentile(pre, 10)) if pre.size else 0.0
    thr = base + QRS_FRACTION * (sv_max - base)
    i = peak
    stop = max(r - int(200 * ms), 0)
    while i > stop and sv[i] >= thr:
        i -= 1
    qrs_on = i if i > stop else None
    big = np.flatnonzero(sv[r : min(r + int(160 * ms), n)] >= 0.3 * sv_max)
    j = r + (int(big[-1]) if big.size else 0)
    stop = min(r + int(240 * ms), n - 1)
    while j < stop and sv[j] >= thr:
        j += 1
    return qrs_on, (j if j < stop else None)


def _qrs_leadwise(
    x: np.ndarray, r: int, fs: float, fine: np.ndarray | None = None
) -> tuple[int | None, int | None]:
    """Global QRS onset/offset from lead-wise ones, as carts do (earliest onset, latest end).

    In every lead whose QRS is at least ``LEAD_MIN_SHARE`` of the largest, the onset (end) is
    where the lead's slope, walking out from its first (last) large slope, falls below
    ``LEAD_QRS_ON_FRACTION`` (``LEAD_QRS_OFF_FRACTION``) of its QRS peak slope above its own
    PR-segment slope level; then, on ``fine`` (the same leads less smoothed), moved inward by
    at most ``FINE_MAX_MS`` while the fine slope is still under the same fraction of its own peak
    (never past the first/last large slope). The global
    onset is the earliest lead onset that a second lead confirms within 10 ms (with one or two
    leads: the earliest); the end is the second-latest lead end, which the latest may pass by at
    most 10 ms (with one or two leads: the latest); so one lead's noise or a neighbouring wave
    does not stretch the QRS by more than 10 ms, and a terminal wave seen in two leads is kept.
    """
    ms = fs / 1000.0
    n = x.shape[1]
    slope = np.abs(np.gradient(x, axis=1)) * fs
    slope = _smooth(slope, fs, 6.0)
    lo, hi = max(r - int(100 * ms), 0), min(r + int(120 * ms) + 1, n)
    amp = np.ptp(x[:, lo:hi], axis=1)
    use = np.flatnonzero(amp >= LEAD_MIN_SHARE * amp.max())
    ons, offs, far = [], [], []
    pre_a, pre_b = max(r - int(300 * ms), 0), max(r - int(80 * ms), 1)
    # every used lead's PR-segment slope level in one call (row by row the same values;
    # np.percentile's numbers, signal/quantiles.py)
    bases = (quantiles.percentile(slope[use, pre_a:pre_b], 10) if pre_b > pre_a and use.size
             else np.zeros(use.size))
    fine_slope = None
    if fine is not None and use.size:
        fine_slope = np.abs(np.gradient(fine[use], axis=1)) * fs
        fine_bases = (quantiles.percentile(fine_slope[:, pre_a:pre_b], 10) if pre_b > pre_a
                      else np.zeros(use.size))
    max_move = int(round(FINE_MAX_MS * ms))
    for k, (li, base_li) in enumerate(zip(use, bases, strict=True)):
        s = slope[li]
        peak = float(s[lo:hi].max())
        base = float(base_li)
        thr = base + LEAD_QRS_ON_FRACTION * (peak - base)
        thr_off = base + LEAD_QRS_OFF_FRACTION * (peak - base)
        big = np.flatnonzero(s[lo:hi] >= 0.3 * peak)
        if big.size == 0:
            continue
        i = lo + int(big[0])
        stop = max(r - int(200 * ms), 0)
        while i > stop and s[i] >= thr:
            i -= 1
        j = lo + int(big[-1])
        stop_j = min(r + int(240 * ms), n - 1)
        while j < stop_j and s[j] >= thr_off:
            j += 1
        if i > stop:
            j = _past_s_trough(s, x[li], j, stop_j, peak, thr_off, float(_level_before(x[li], i, ms)),
                               ms)
        if fine_slope is not None and i > stop and j < stop_j:
            i, j = _refine(fine_slope[k], float(fine_bases[k]), (lo, hi), (i, j),
                           (lo + int(big[0]), lo + int(big[-1])), max_move)
        if i > stop:
            # a walk that ran further than QRS_ONSET_MAX_WALK_MS before the lead's first steep
            # slope has crossed into the P wave or a drifting PR segment: kept only when every
            # lead's did (a slurred onset seen everywhere)
            (far if lo + int(big[0]) - i > QRS_ONSET_MAX_WALK_MS * ms else ons).append(i)
        if j < stop_j:
            offs.append(j)
    ons = ons or far
    agree = int(10 * ms)

    def pick(v: list[int], earliest: bool) -> int | None:
        if not v:
            return None
        v = sorted(v) if earliest else sorted(v, reverse=True)
        if len(v) <= 2:
            return v[0]
        if not earliest:
            # the QRS ends when fewer than two leads are still in it: the second-latest end, which
            # the latest may pass by at most ``agree``. A terminal wave (the R' of a right bundle
            # branch block) ends 10-15 ms apart in V1, V2, V3 (each lead's threshold is relative
            # to its own peak slope); asking for a pair within ``agree`` dropped it in some beats
            return min(v[0], v[1] + agree)
        for a, b in zip(v, v[1:], strict=False):
            if abs(a - b) <= agree:
                return a
        return int(np.median(v))

    return pick(ons, True), pick(offs, False)


def _past_s_trough(s: np.ndarray, xl: np.ndarray, j: int, stop_j: int, peak: float,
                   thr_off: float, level: float, ms: float) -> int:
    """A lead's QRS end ``j`` (its slope under the end fraction) moved on while the S wave
    returns: as long as the slope ``s`` climbs back to ``S_RETURN_FRACTION`` of the lead's QRS
    peak slope within ``S_RETURN_GAP_MS`` and the lead ``xl`` is then nearer its PR-segment
    ``level`` than at ``j``, the walk resumes after that climb, by at most ``S_RETURN_MAX_MS`` in
    all. The slope is near zero at the trough of a broad S wave and rises again as the wave
    returns to the baseline: the QRS ends after that return, not at the trough (QT Database,
    QRS end on the even records: per-record SD 9.2 -> 8.8 ms, SD of the records' mean errors
    15.4 -> 12.6 ms; CinC RBBB E00005 104 -> 154 ms, PTB S0003 118 -> 168 ms; QA 56). A climb
    away from the baseline is the ST segment or the T wave rising out of the QRS (QT Database
    sel49, a QS complex running into its T wave: +58 ms without that condition)."""
    gap = int(round(S_RETURN_GAP_MS * ms))
    cap = j + int(round(S_RETURN_MAX_MS * ms))
    climb = max(S_RETURN_FRACTION * peak, thr_off)
    while j < stop_j:
        hit = np.flatnonzero(s[j + 1 : min(j + gap, stop_j)] >= climb)
        if not hit.size:
            break
        k = j + 1 + int(hit[-1])
        if abs(xl[k] - level) >= abs(xl[j] - level):
            break
        j = k
        while j < stop_j and s[j] >= thr_off:
            j += 1
    return min(j, cap)


def _refine(
    f: np.ndarray, base: float, peak_span: tuple[int, int], ends: tuple[int, int],
    inner: tuple[int, int], max_move: int,
) -> tuple[int, int]:
    """The coarse onset/end ``ends`` moved inward (by at most ``max_move`` samples, never past
    ``inner``, the first/last large slope) while the fine slope ``f`` stays under the lead's
    onset/end fraction of its own QRS peak (``peak_span``) above its PR-segment level."""
    peak = float(f[peak_span[0] : peak_span[1]].max())
    thr_on = base + LEAD_QRS_ON_FRACTION * (peak - base)
    thr_off = base + LEAD_QRS_OFF_FRACTION * (peak - base)
    i, j = ends
    limit_i = min(i + max_move, inner[0] - 1)
    while i < limit_i and f[i + 1] < thr_on:
        i += 1
    limit_j = max(j - max_move, inner[1] + 1)
    while j > limit_j and f[j - 1] < thr_off:
        j -= 1
    return i, j


def _p_wave(
    x: np.ndarray, qrs_on: int, r: int, rr_s: float, fs: float, t_end: int | None
) -> tuple[int | None, int | None, int | None, float, float, bool]:
    """(P peak, P onset, P end, P amplitude in mV, noise in mV, whether the onset lies on the
    search window's first sample) in the samples of ``x``; the points None where no P wave
    stands out."""
    ms = fs / 1000.0
    # from 20 ms after the previous beat's T end (one RR earlier), at most 320 ms before the QRS
    t_end_after_r = (t_end - r) if t_end is not None else int(0.42 * fs)
    start = max(qrs_on - int(320 * ms), r - int(rr_s * fs) + t_end_after_r + int(20 * ms), 1)
    end = qrs_on - int(10 * ms)
    if end - start < int(60 * ms):
        return None, None, None, 0.0, 0.0, False
    # each lead relative to its PR-segment level (the 10 ms before the search ends), as the
    # isoelectric reference; a line through the TP level leans on the previous T wave's tail
    w = int(10 * ms) + 1
    level = x[:, end - w + 1 : end + 1].mean(axis=1)
    y = x[:, start : end + 1] - level[:, None]
    vm = np.sqrt((y * y).sum(axis=0))
    margin = int(20 * ms)
    inner = vm[margin : vm.size - max(int(5 * ms), 1)]
    if inner.size < 3:
        return None, None, None, 0.0, 0.0, False
    # the P wave is the hump nearest the QRS among those at least half as prominent as the
    # largest (a U wave or the previous T's tail comes earlier)
    humps, props = signal.find_peaks(inner, prominence=0.0)
    if humps.size:
        prom = props["prominences"]
        pk = margin + int(humps[np.flatnonzero(prom >= P_HUMP_SHARE * prom.max())[-1]])
    else:
        pk = margin + int(np.argmax(inner))
    amp = float(vm[pk])
    # noise: the typical change over 10 ms (the same span at every sampling rate)
    lag = max(int(round(10 * ms)), 1)
    noise = float(np.median(np.abs(y[:, lag:] - y[:, :-lag]))) * np.sqrt(y.shape[0])
    if amp < P_MIN_MV:
        return None, None, None, amp, noise, False
    # threshold above the window's noise floor (the vector magnitude of noise is not zero)
    floor = float(quantiles.percentile(vm, 10))
    thr = floor + P_FRACTION * (amp - floor)
    # walk out from the peak until the magnitude falls below the threshold, or turns up again
    # below half the peak (the previous T wave's tail, or the QRS)
    i = pk
    while i > 0 and vm[i] >= thr and not (vm[i] < 0.5 * amp and vm[i - 1] > vm[i]):
        i -= 1
    j = pk
    while j < vm.size - 1 and vm[j] >= thr and not (vm[j] < 0.5 * amp and vm[j + 1] > vm[j]):
        j += 1
    if P_SLOPE_FRACTION > 0 and pk - i >= 2:
        # back to where the rise into the P wave starts: the slope of the magnitude falls to a
        # small share of its steepest rise (a baseline offset has no slope, so the walk stops
        # there), never below the floor's level nor more than P_SLOPE_BACK_MS
        d = np.gradient(vm)
        k0 = i + int(np.argmax(d[i : pk + 1]))
        smax = float(d[k0])
        lo = max(i - int(P_SLOPE_BACK_MS * ms), 0)
        k = k0
        vfloor = floor + P_SLOPE_FLOOR * (amp - floor)
        while smax > 0 and k > lo and d[k] > P_SLOPE_FRACTION * smax and vm[k - 1] > vfloor:
            k -= 1
        i = min(i, k)
    return start + pk, start + i, start + j, amp, noise, i == 0
