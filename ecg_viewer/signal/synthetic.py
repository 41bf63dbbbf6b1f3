"""Synthetic 12-lead ECGs whose intervals are known exactly (for tests and the benchmark).

Every wave is a half-sine lobe (the T wave: a slower rise, a faster fall) that starts and stops
at a known sample: P onset to QRS onset = ``pr_ms``, QRS onset to QRS end = ``qrs_ms``, QRS onset
to T end = ``qt_ms``. Edge cases: no P wave with irregular RR and fibrillatory waves (AF), a
flutter sawtooth, pacing spikes, a U wave, low or negative T waves, broadband noise and baseline
wander. III, aVR, aVL and aVF are derived from I and II (Einthoven, Goldberger).
"""

from __future__ import annotations

import numpy as np

from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.core.record import EcgRecord

# per-lead amplitudes (mV) of P, Q, R, S, T for I, II and V1-V6
GAINS = {
    "I": (0.08, -0.05, 0.7, -0.1, 0.2), "II": (0.15, -0.1, 1.2, -0.2, 0.3),
    "V1": (0.06, 0.0, 0.3, -1.0, -0.1), "V2": (0.08, 0.0, 0.6, -1.4, 0.5),
    "V3": (0.08, -0.05, 1.0, -0.8, 0.5), "V4": (0.1, -0.1, 1.6, -0.4, 0.45),
    "V5": (0.1, -0.1, 1.4, -0.2, 0.35), "V6": (0.1, -0.1, 1.0, -0.1, 0.25),
}  # fmt: skip


def lobe(n: int) -> np.ndarray:
    """A half-sine of ``n`` samples (0 outside, peak 1)."""
    return np.sin(np.pi * (np.arange(n) + 0.5) / max(n, 1))


def synthetic(
    *, fs: float = 500.0, hr: float = 60.0, seconds: float = 10.0, pr_ms: float = 160.0,
    p_ms: float = 100.0, qrs_ms: float = 90.0, qt_ms: float = 380.0, noise_mv: float = 0.01,
    paced: bool = False, seed: int = 0, t_gain: float = 1.0, u_gain: float = 0.0,
    af: bool = False, flutter: bool = False, wander_mv: float = 0.0,
) -> EcgRecord:  # fmt: skip
    """12 leads; P onset to QRS onset = pr_ms, QRS onset to T end = qt_ms, exactly.

    ``t_gain`` scales the T waves (negative: inverted); ``u_gain`` adds a U wave (that fraction
    of the T amplitude, starting 40 ms after T end); ``af`` removes the P waves, makes the RR
    irregular and adds 0.05 mV fibrillatory waves; ``flutter`` replaces P by a 300/min sawtooth
    (4:1 conduction, RR 800 ms); ``paced`` puts a one-sample spike at each QRS onset.
    """
    n = int(seconds * fs)
    rng = np.random.default_rng(seed)

    def s(ms: float) -> int:
        return int(round(ms * fs / 1000.0))

    q, r = s(qrs_ms * 0.2), s(qrs_ms * 0.45)
    sw = s(qrs_ms) - q - r
    t_len = s(qt_ms) - s(qrs_ms) - s(80)  # ST segment of 80 ms
    rise = int(t_len * 0.6)
    fall = t_len - rise
    rr = 60.0 / hr
    if flutter:
        rr = 0.8
    starts = []
    t = 0.3
    while t * fs < n - s(800):
        starts.append(s(t * 1000.0))
        t += rr * (rng.uniform(0.7, 1.3) if af else 1.0)
    sig = {k: np.zeros(n) for k in GAINS}
    for start in starts:
        for lead, (gp, gq, gr, gs, gt) in GAINS.items():
            x = sig[lead]
            p0 = start - s(pr_ms)
            if not (af or flutter) and p0 >= 0:
                x[p0 : p0 + s(p_ms)] += gp * lobe(s(p_ms))
            x[start : start + q] += gq * lobe(q)
            x[start + q : start + q + r] += gr * lobe(r)
            x[start + q + r : start + q + r + sw] += gs * lobe(sw)
            t0 = start + s(qrs_ms) + s(80)
            gt = gt * t_gain
            x[t0 : t0 + rise] += gt * lobe(2 * rise)[:rise]
            x[t0 + rise : t0 + t_len] += gt * lobe(2 * fall)[fall:]
            if u_gain:
                u0, ul = t0 + t_len + s(40), s(160)
                seg = x[u0 : u0 + ul]
                seg += (u_gain * gt * lobe(ul))[: seg.size]
            if paced:
                x[start - 1] += 3.0  # a one-sample pacing spike at the QRS onset
    tt = np.arange(n) / fs
    for lead, (gp, *_rest) in GAINS.items():
        if af:
            sig[lead] += 0.4 * gp * np.sin(2 * np.pi * 6.3 * tt + rng.uniform(0, 6.28)) * (
                1.0 + 0.3 * np.sin(2 * np.pi * 0.7 * tt)
            )
        if flutter:  # sawtooth at 5 Hz (300/min), phase-locked so that every 4th wave conducts
            saw = ((tt - 0.3 + 0.16) * 5.0) % 1.0
            sig[lead] += 1.2 * gp * (saw - 0.5)
    i, ii = sig["I"], sig["II"]
    full = {"I": i, "II": ii, "III": ii - i, "aVR": -(i + ii) / 2, "aVL": i - ii / 2,
            "aVF": ii - i / 2, **{k: sig[k] for k in CANONICAL_LEADS[6:]}}  # fmt: skip
    arr = np.array([full[k] for k in CANONICAL_LEADS]) + rng.normal(0.0, noise_mv, (12, n))
    if wander_mv:
        arr += wander_mv * np.sin(2 * np.pi * 0.3 * tt)[None, :]
    return EcgRecord(signal_mv=arr.astype(np.float32), fs_hz=fs, lead_names=CANONICAL_LEADS)
