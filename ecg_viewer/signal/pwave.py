"""Is the P wave the delineation found a P wave? The beats' P segments must agree with the
median beat's and the wave must stand out of the noise (:func:`p_present`, which
``signal/measure.py`` asks for the median beat and each sub-median).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ecg_viewer.signal.delineate import Fiducials, clean_leads
from ecg_viewer.signal.median import MedianBeat, median_rows

log = logging.getLogger(__name__)

# A P wave is reported when the beats' P segments agree with the median's (median correlation)
# and it stands out of the noise; with irregular RR (AF suspected) more agreement is needed.
# Chosen on PTB-XL SR vs AFIB/AFLT records (see bench/measurements.py).
P_MIN_CONSISTENCY = 0.50
P_MIN_CONSISTENCY_IRREGULAR = 0.65
# ... and stands out of the noise by either measure (2026-12-05): the typical 10-ms change of
# the search window (``P_MIN_SNR_WINDOW``, the first rule), or the median beat's own noise over
# the P wave, the beats' spread about the median (per lead and sample a robust SD across beats,
# its median over the window, the leads' root sum of squares) over the square root of the beats
# averaged (``P_MIN_SNR``, :func:`p_residual_snr`). At fast rates the window's change is mostly
# the P wave itself and the previous T's tail, while the beats still agree. PTB-XL folds 1-8,
# both 100-Hz arrays, P found in sinus records by rate / in AF-flutter records (chosen there,
# the consistency gate unchanged): <60/min 99.8 -> 99.8 %, 60-100 99.6 -> 99.6 %, 100-120 89.2
# -> 92.2 %, >= 120 66.7 -> 83.3 %, AF/flutter 6.4 -> 7.0 % (one record of 172). The residual
# measure alone at 3 found 94.1 % at 100-120 but lost sinus P waves at normal rates (99.4 %)
# and moved the QT Database's P onsets (even half +3.6 -> +5.7 ms, 268 -> 306 beats off by
# > 25 ms); with the window's rule beside it at 6: +4.1 ms, 281, SD per record 16.3 -> 16.3.
P_MIN_SNR_WINDOW = 8.0
P_MIN_SNR = 6.0
# Atrial flutter: a flutter wave before the QRS looks like a P wave, but the same wave comes
# again one flutter cycle earlier (240-375/min: 160-250 ms), where a P wave has a flat TP
# segment before it. The P window (+-20 ms) is compared with the stretch one lag earlier, on
# the clean leads together (20-ms moving averages, each lead less its mean), wherever that
# stretch lies after the previous beat's T end: a correlation of at least FLUTTER_MIN_CORR
# with an RMS 0.5-2 times the P window's is a flutter wave, no P. Tried on PTB-XL (see
# bench/measurements.py, section 3).
FLUTTER_LAG_MS = (160.0, 250.0)
FLUTTER_MIN_CORR = 0.8
FLUTTER_RMS_RATIO = (0.5, 2.0)


@dataclass(frozen=True)
class PWindow:
    """The P wave +-20 ms in the median beat: its samples ``a:b``, the clean leads ``rows`` and
    the whole beats of the stack over it ([beats, leads, samples], no NaN)."""

    a: int
    b: int
    rows: list[int]
    beats: np.ndarray


def p_window(mb: MedianBeat, f: Fiducials, rows: list[int] | None = None) -> PWindow | None:
    """The P window of ``f`` (None without a P onset and end); ``rows``: ``clean_leads(mb)``
    when the caller has it already."""
    if f.p_on is None or f.p_off is None:
        return None
    a = max(f.p_on - int(0.02 * mb.fs_hz), 0)
    b = f.p_off + int(0.02 * mb.fs_hz)
    rows = clean_leads(mb) if rows is None else rows
    seg = mb.stack_mv[:, rows, a:b].astype(float)
    return PWindow(a, b, rows, seg[np.isfinite(seg).reshape(len(seg), -1).all(axis=1)])


def p_consistency(mb: MedianBeat, f: Fiducials, rows: list[int] | None = None,
                  window: PWindow | None = None) -> float:
    """Median correlation of each beat's P segment (all leads) with the median beat's
    (``window``: :func:`p_window`'s, when the caller has it already)."""
    w = window or p_window(mb, f, rows)
    if w is None or mb.stack_mv.shape[0] < 2 or not len(w.beats):
        return 0.0
    # P waves are slow: compare 20 ms moving averages, so broadband noise weighs little
    k = max(int(round(0.02 * mb.fs_hz)), 1)
    ref = ndimage.uniform_filter1d(mb.beat_mv[w.rows, w.a:w.b].astype(float), k, axis=1)
    ref = ref - ref.mean(axis=1, keepdims=True)
    # every beat at once [beats, leads, samples]: the filter runs line by line and each beat's
    # sums run over its own contiguous block, so each number is the one a beat alone gives
    seg = ndimage.uniform_filter1d(w.beats, k, axis=2)
    seg = seg - seg.mean(axis=2, keepdims=True)
    ref_sq = (ref * ref).sum()
    cs = []
    for power, dot in zip((seg * seg).reshape(len(seg), -1).sum(axis=1),
                          (seg * ref).reshape(len(seg), -1).sum(axis=1), strict=True):
        den = math.sqrt(float(power * ref_sq))
        if den > 0:
            cs.append(float(dot) / den)
    return float(np.median(cs)) if cs else 0.0


def p_residual_snr(mb: MedianBeat, f: Fiducials, rows: list[int] | None = None,
                   window: PWindow | None = None) -> float:
    """The P amplitude (vector magnitude, mV) over the noise of the median beat in the P window
    (see :data:`P_MIN_SNR_WINDOW`); with fewer than 3 whole beats, 0 (the window's rule alone)."""
    w = window or p_window(mb, f, rows)
    if w is None:
        return 0.0
    seg = w.beats
    if len(seg) < 3 or seg.shape[2] == 0:
        return 0.0
    # the medians over beats by median.median_rows: np.median(axis=0)'s numbers (a zero median
    # may differ in sign where a flat lead holds -0.0 and +0.0, which |seg - median| drops)
    spread = median_rows(np.abs(seg - median_rows(seg))) * 1.4826  # [leads, samples]
    noise = float(np.sqrt((np.median(spread, axis=1) ** 2).sum())) / math.sqrt(len(seg))
    return f.p_amplitude_mv / max(noise, 1e-6)


def repeated_atrial_wave(mb: MedianBeat, f: Fiducials, rr_s: float | None,
                         rows: list[int] | None = None) -> float | None:
    """The lag (ms) at which the P window of ``f`` repeats one flutter cycle earlier
    (:data:`FLUTTER_LAG_MS`), or None: no such wave, or no room for one after the previous
    beat's T end (``f.t_end`` one RR earlier; at fast rates, 2:1 flutter included, there is none)."""
    if f.p_on is None or f.p_off is None or f.t_end is None or not rr_s or rr_s <= 0:
        return None
    fs = mb.fs_hz
    ms = fs / 1000.0
    a = max(f.p_on - int(0.02 * fs), 0)
    b = f.p_off + int(0.02 * fs)
    earliest = max(f.t_end - int(round(rr_s * fs)), 0)
    lag_lo, lag_hi = (int(round(v * ms)) for v in FLUTTER_LAG_MS)
    if a - lag_lo < earliest or b - a < 3:
        return None
    rows = clean_leads(mb) if rows is None else rows
    k = max(int(round(0.02 * fs)), 1)
    lag_hi = min(lag_hi, a - earliest)
    width = b - a
    # 20-ms moving averages over the span compared (with a filter's width either side, so the
    # values inside it are those of the whole beat filtered), the P window at a - lo
    lo = max(a - lag_hi - k, 0)
    x = ndimage.uniform_filter1d(mb.beat_mv[rows, lo : b + k].astype(float), k, axis=1)
    a, b = a - lo, b - lo
    ref = x[:, a:b] - x[:, a:b].mean(axis=1, keepdims=True)
    ref_ss = float((ref * ref).sum())
    if ref_ss <= 0:
        return None
    # every lag at once: the stretch starting ``lag`` samples before ``a``, for lag_lo..lag_hi
    starts = a - np.arange(lag_lo, lag_hi + 1)
    win = np.lib.stride_tricks.sliding_window_view(x, width, axis=1)[:, starts]  # [lead, lag, w]
    win = win - win.mean(axis=2, keepdims=True)
    seg_ss = np.einsum("lkw,lkw->k", win, win)
    dot = np.einsum("lkw,lw->k", win, ref)
    ok = seg_ss > 0
    corr = np.where(ok, dot / np.sqrt(np.where(ok, seg_ss, 1.0) * ref_ss), 0.0)
    ratio = np.sqrt(seg_ss / ref_ss)
    hit = np.flatnonzero((corr >= FLUTTER_MIN_CORR) & (ratio >= FLUTTER_RMS_RATIO[0])
                         & (ratio <= FLUTTER_RMS_RATIO[1]))
    return (lag_lo + int(hit[0])) / ms if hit.size else None


def p_present(mb: MedianBeat, f: Fiducials, irregular: bool | None,
              rows: list[int] | None = None, rr_s: float | None = None) -> tuple[bool, str]:
    """Whether the delineated P wave of ``f`` is one (the module docstring), and if not the
    message key saying why; with ``rr_s`` (the dominant RR), a wave that repeats one flutter
    cycle earlier is none (:func:`repeated_atrial_wave`)."""
    w = p_window(mb, f, rows)
    if w is None:
        return False, "meas.no_p_wave"
    if rr_s is not None and repeated_atrial_wave(mb, f, rr_s, rows) is not None:
        return False, "meas.no_p_flutter_waves"
    snr_window = f.p_amplitude_mv / max(f.p_noise_mv, 1e-6)
    snr = p_residual_snr(mb, f, window=w)
    consistency = p_consistency(mb, f, window=w)
    log.debug("P wave: amplitude %.3f mV, snr %.1f (window) / %.1f (beats), consistency %.2f",
              f.p_amplitude_mv, snr_window, snr, consistency)
    need = P_MIN_CONSISTENCY_IRREGULAR if irregular else P_MIN_CONSISTENCY
    if consistency < need or (snr < P_MIN_SNR and snr_window < P_MIN_SNR_WINDOW):
        return False, "meas.no_p_wave_irregular" if irregular else "meas.no_p_wave"
    return True, ""
