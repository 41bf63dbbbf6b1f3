"""T peak and T end of a median beat, on the vector magnitude of all leads.

The T wave is looked for on the vector magnitude (root sum of squares) of the baseline-corrected
leads, low-passed at ``T_LOWPASS_HZ``, in a window that starts after the QRS and is bounded by
the RR: it ends before the next beat (RR - 120 ms after R, and 0.5 RR + 300 ms at most), within a Fridericia-corrected QT of
``QTCF_MAX_S`` (600 ms) and, when the next P wave is known, before it. Within it the T wave is the most prominent *hump* of the magnitude (a local maximum with prominence, so
that a raised or depressed ST segment at the window's start is not taken for the T wave) that
peaks before 0.55 s x sqrt(RR); a second hump within ``BIPHASIC_GAP_MS`` at least
``LAST_HUMP_SHARE`` as prominent, and ``BIPHASIC_DIP_SHARE`` of the first one's height above the
dip between them, is the second half of a biphasic T, which then ends with it. The
end is searched no further than shortly past the lowest point before the next hump (a U wave or
the next P wave), so neither is taken into the T wave: ``FAR_PAST_VALLEY_MS`` past it at most,
and not past it at all when a hump of ``NEXT_HUMP_SHARE`` of the T follows. The T end is found
with the trapezium-area method of Zhang et al. (IEEE TBME 2005, 52:1748): from the steepest point
of the descending limb, the point that maximises the area of the trapezium reaching ``REACH_MS``
further; on the magnitude, and on the leads projected on the T vector at the T peak (a signed
signal, which the magnitude's rectification does not fold where a lead crosses its PR-segment
level on its way to an offset post-T level); the projection's end is taken when it is
``SIGNED_LATER_MS`` or more later.

A T wave whose prominence is below ``T_MIN_MV`` has no end (QT not measured); below
``T_LOW_MV`` it is measured but flagged (``TWave.low``) for the confidence.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from ecg_viewer.signal.filters import lowpass

T_MIN_MV = 0.03
T_LOW_MV = 0.08
LAST_HUMP_SHARE = 0.5
REACH_MS = 150.0
START_AFTER_QRS_MS = 60.0
QTCF_MAX_S = 0.60
T_PEAK_BEFORE_END_MS = 80.0
BIPHASIC_GAP_MS = 160.0
# ... and stands at least this share of the first hump's height above the lowest point between
# them. ``prominence`` alone measured the first hump from the window's start: on an ST segment
# raised into the T wave (QTDB sele0203) that is high, the T hump's prominence small, and a
# 0.04-mV bump after the T wave passed for its second half (T end +125 ms on 11 of 30 beats, the
# other 19 beyond the 150-ms match; with this rule -20 +- 6 ms on all 30). Chosen on the QTDB
# even half (T end SD per record 20.5 before; 0.2: 20.9, 0.33: 20.2, 0.5: 19.9) and bounded by
# the 12-lead references: up to 0.33 no cart, synthetic or CinC QT moves, at 0.4-0.5 CinC Q0096
# (ST depression, then a low T) ends at its ST depression (QT 280 ms). Of 3,648 PTB-XL records
# 7 QTs move at 0.33, all shorter: four T ends 150-230 ms late on a later bump are mended (ecg_id
# 1060, 17040, 3692, 177), two +/- biphasic T waves now end 80-100 ms early (518, 923: the
# magnitude dips little between the lobes where leads cross zero at different times), one is
# unclear (21472, AF with ST depression). QTDB sel48 (a 0.1-mV T after ST depression) now ends at
# its ST depression on most beats (-60 ms; low-confidence QT) where no end was found before
BIPHASIC_DIP_SHARE = 0.33
MIN_HUMP_SHARE = 0.0
FAR_PAST_VALLEY_MS = 40.0
# the leads are low-passed here (zero phase) before their vector magnitude is taken: a T wave
# holds little above it, and broadband noise, rectified by the magnitude, raised the floor that
# the T wave's tail runs into (QT up to +36 ms with 0.05 mV noise). Chosen on the even records of
# the QT Database (T end SD per record 24.0 -> 20.9 ms; 25 Hz: 23.2, 10 Hz: 22.2)
T_LOWPASS_HZ = 15.0
# the far bound of the end: ``FAR_PAST_VALLEY_MS`` past the magnitude's valley, but the valley
# itself when the hump after it (a U or P wave) is at least NEXT_HUMP_SHARE of the T hump: there
# the valley is where the T wave ends and the next wave begins (a positive U wave after a negative
# T crosses the baseline there: QTDB sel50). Chosen on the even QTDB records (T ends off by > 50 ms:
# 159 with 0.25, 160 with 0.4, 163 without the rule)
NEXT_HUMP_SHARE = 0.25
# the end on the signed projection (see t_wave) replaces the magnitude's when it is at least this
# much later: the two differ by a few ms where the low-pass filter's ringing undershoots the
# baseline after a clean T wave (synthetic ECGs: +2 to +4 ms), by 50-90 ms at a false valley.
# Chosen with the other references: on the even QTDB records 6 / 10 / 16 ms gave 154 / 157 / 159
# T ends off by > 50 ms (171 before), but 6 and 10 moved the carts' QT (cart_reference SD 8.1 ->
# 11.9 ms) and 6 the synthetic QT
SIGNED_LATER_MS = 16.0


def qt_max_s(rr_s: float) -> float:
    """The longest QT searched at this RR: a Fridericia-corrected QT of ``QTCF_MAX_S``."""
    return QTCF_MAX_S * max(rr_s, 0.25) ** (1.0 / 3.0)


def t_window(
    qrs_off: int, r: int, rr_s: float, fs: float, n: int, next_p: int | None, qrs_on: int | None = None
) -> tuple[int, int]:
    """Sample range in which the T wave is searched."""
    ms = fs / 1000.0
    start = qrs_off + int(START_AFTER_QRS_MS * ms)
    on = qrs_on if qrs_on is not None else r - int(40 * ms)
    end = min(r + int((0.5 * rr_s + 0.3) * fs), r + int((rr_s - 0.12) * fs), r + int(0.8 * fs), n - 2,
              on + int((qt_max_s(rr_s) + 0.04) * fs))  # fmt: skip
    if next_p is not None:
        end = min(end, next_p - int(20 * ms))
    return start, end


def t_wave(
    y: np.ndarray, qrs_off: int, r: int, rr_s: float, fs: float, next_p: int | None,
    qrs_on: int | None = None,
) -> tuple[int | None, int | None, float]:
    """(T peak, T end, T amplitude in mV) from baseline-corrected leads ``y`` [leads, samples]."""
    ms = fs / 1000.0
    if T_LOWPASS_HZ and y.shape[1] > 32:
        y = lowpass(y, fs, T_LOWPASS_HZ)
    vm = np.sqrt((y * y).sum(axis=0))
    start, end = t_window(qrs_off, r, rr_s, fs, y.shape[1], next_p, qrs_on)
    if end - start < int(60 * ms):
        return None, None, 0.0
    seg = vm[start : end + 1]
    # the T peak comes well before the longest QT for this rate (0.55 s x sqrt(RR), and
    # T_PEAK_BEFORE_END_MS before the QTcF limit)
    on = qrs_on if qrs_on is not None else r - int(40 * ms)
    peak_end = min(r + int(0.55 * np.sqrt(max(rr_s, 0.2)) * fs), end,
                   on + int((qt_max_s(rr_s) - T_PEAK_BEFORE_END_MS / 1000.0) * fs)) - start  # fmt: skip
    peaks, props = signal.find_peaks(seg, prominence=0.0)
    prom = props["prominences"]
    if peaks.size:  # humps that stand out of the noise: a share of the largest, and 10 uV
        big = prom >= max(MIN_HUMP_SHARE * prom.max(), 0.01)
        peaks, prom = peaks[big], prom[big]
    if peaks.size:
        early = peaks <= peak_end
        cand = np.flatnonzero(early) if early.any() else np.arange(peaks.size)
        k = int(cand[np.argmax(prom[cand])])
        # a biphasic T: a second hump right after the largest one, nearly as large, is its end
        for j in range(k + 1, peaks.size):
            if peaks[j] - peaks[k] > int(BIPHASIC_GAP_MS * ms) or peaks[j] > peak_end:
                break
            dip = float(seg[peaks[k] : peaks[j] + 1].min())
            height = float(seg[peaks[k]]) - dip
            if prom[j] >= LAST_HUMP_SHARE * prom[k] and prom[j] >= BIPHASIC_DIP_SHARE * height:
                k = j
        t_peak = start + int(peaks[k])
        t_amp = float(prom[k])
        later = np.flatnonzero(peaks > peaks[k])
        # the far bound: the lowest point before the next hump (a U or the next P wave)
        nxt = start + int(peaks[later[0]]) if later.size else end
        next_prom = float(prom[later[0]]) if later.size else 0.0
        valley = t_peak + int(np.argmin(vm[t_peak : nxt + 1]))
    else:  # no hump: a slope falling through the window (ST deviation, flat T)
        t_peak = start + int(np.argmax(seg[: max(peak_end, 1)]))
        t_amp = float(seg.max() - seg.min())
        valley = end
        next_prom = 0.0
    if t_amp < T_MIN_MV:
        return t_peak, None, t_amp
    # the end by the trapezium method on the vector magnitude and on the leads projected on the T
    # vector at the T peak (a signed signal). The magnitude is rectified: a lead that crosses its
    # PR-segment level on its way to another post-T level (an ST deviation, a baseline offset)
    # makes a false valley in it, where its end came 50-90 ms early (QTDB sel46, sele0104; on
    # sel32, sele0603 20-27 ms early on average); the projection misses a terminal part that turns away from the T peak's
    # vector (a late negative part in one precordial lead), where the magnitude holds it. Each
    # can only end the T wave early, so the later end is taken (when clearly later)
    z = (y[:, t_peak] / max(float(vm[t_peak]), 1e-9)) @ y
    past = valley if next_prom >= NEXT_HUMP_SHARE * t_amp else valley + int(FAR_PAST_VALLEY_MS * ms)
    t_end = _trapezium_end(vm, t_peak, valley, min(past, end), ms)
    if t_end is None:
        return t_peak, None, t_amp
    z_end = _trapezium_end(z, t_peak, valley, min(past, end), ms)
    if z_end is not None and z_end - t_end >= SIGNED_LATER_MS * ms:
        t_end = z_end
    return t_peak, t_end, t_amp


def _trapezium_end(z: np.ndarray, t_peak: int, valley: int, far: int, ms: float) -> int | None:
    """The trapezium-area end (Zhang et al. 2005) of the falling limb of ``z`` after ``t_peak``:
    from the steepest point of the limb (down to a quarter of its height above the level at
    ``valley``), the point that maximises the area of the trapezium reaching ``REACH_MS`` further
    (``far`` at most)."""
    floor = float(z[valley])
    below = np.flatnonzero(z[t_peak : valley + 1] <= floor + 0.25 * (z[t_peak] - floor))
    limb_end = t_peak + (int(below[0]) if below.size else valley - t_peak)
    limb = np.gradient(z)[t_peak : limb_end + 1]
    if limb.size < 3:
        return None
    k = t_peak + int(np.argmin(limb))
    t_far = max(min(k + int(REACH_MS * ms), far), k + 1)
    ti = np.arange(k, t_far + 1)
    area = 0.5 * (z[k] - z[ti]) * (2 * t_far - ti - k)
    return int(ti[int(np.argmax(area))])
