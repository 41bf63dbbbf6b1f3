"""Per-lead measurements of the median beat: Q, R, S, R′ waves, ST level, T and P amplitude.

Everything is read from :class:`~ecg_viewer.signal.median.MedianBeat` (``beat_mv`` in mV) and the
global fiducial points (:class:`~ecg_viewer.signal.delineate.Fiducials`), lead by lead:

- Baseline: the mean level of the last ``BASELINE_MS`` of the PR segment, just before the global
  QRS onset (the reference level of the 12SL/Glasgow programs and of the AHA 2009
  recommendations for ST measurement).
- Waves: inside the global QRS (onset to offset) the deviation from the baseline is split into
  runs of one sign; runs whose peak stays under the wave threshold (``MIN_WAVE_MV``, or
  ``MIN_WAVE_FRACTION`` of the lead's QRS peak-to-peak when the record has no amplitude in mV)
  are noise and dropped, neighbouring runs of one sign are merged. Named as the AHA 2009
  recommendations (part II) do: Q = an initial negative wave, R = the first positive wave, S = the
  negative wave after R, R′ = a positive wave after S; a last positive deflection still at half
  its peak at the J point, or a last negative one still deepening there, is the ST segment, not a
  wave. A QRS with no positive wave is a QS complex
  (reported as Q with R = 0). Amplitudes are magnitudes (≥ 0, mV), durations are between the
  interpolated zero crossings (ms); a wave that is absent has amplitude and duration 0.
- R-peak time: from QRS onset to the peak of the last positive wave (R′ if any, else R).
- ST: the deviation at the J point (the global QRS offset) and 60 ms after it.
- T: the extreme deviation near the global T peak (±``T_SEARCH_MS``), signed.

A value that cannot be measured is None and ``reasons[name]`` says why (a message-table key).
With ``amplitude_valid=False`` (records z-scored per lead, whose mV are lost) every amplitude is
None with the reason ``no_mv_reason`` (``crit.amplitude_unknown``; a caller that found the mV
implausible says so instead); durations and shapes are still measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ecg_viewer.signal.delineate import Fiducials
from ecg_viewer.signal.median import MedianBeat

BASELINE_MS = 20.0
MIN_WAVE_MV = 0.05
MIN_WAVE_FRACTION = 0.05
ST_J60_MS = 60.0
T_SEARCH_MS = 40.0
FLAT_MV = 0.02  # a lead whose whole median beat spans less than this carries no signal
P_MARGIN_MS = 20.0
OPEN_WAVE_FRACTION = 0.5  # a last wave still this high at the J point is the ST segment
P_EDGE_FRACTION = 0.15  # P on/off in one lead: where it falls below this share of its peak
NO_MV_REASON = "crit.amplitude_unknown"  # why an amplitude is None when the mV are not usable
TERMINAL_POSITIVE_SHARE = 0.5  # a P's negative part is not terminal when a positive part follows

AMPLITUDE_FIELDS = ("q_mv", "r_mv", "s_mv", "r2_mv", "qrs_pp_mv", "st_j_mv", "st_j60_mv", "t_mv",
                    "p_mv", "p_terminal_mv")  # fmt: skip
DURATION_FIELDS = ("q_ms", "r_ms", "s_ms", "r2_ms", "r_peak_time_ms", "p_ms", "p_terminal_ms")
LEAD_FIELDS = AMPLITUDE_FIELDS + DURATION_FIELDS + ("qs", "q_r_ratio")


@dataclass(frozen=True)
class LeadMeasures:
    """The figures of one lead; None = not measurable, ``reasons[field]`` says why."""

    lead: str
    q_mv: float | None = None
    r_mv: float | None = None
    s_mv: float | None = None
    r2_mv: float | None = None  # R′
    qrs_pp_mv: float | None = None
    st_j_mv: float | None = None
    st_j60_mv: float | None = None
    t_mv: float | None = None  # signed
    p_mv: float | None = None  # signed: the P deflection of largest magnitude
    p_terminal_mv: float | None = None  # depth (≥ 0) of a negative terminal P part, 0 if none
    q_ms: float | None = None
    r_ms: float | None = None
    s_ms: float | None = None
    r2_ms: float | None = None
    r_peak_time_ms: float | None = None
    p_ms: float | None = None
    p_terminal_ms: float | None = None
    qs: bool | None = None  # QRS without a positive wave
    q_r_ratio: float | None = None  # Q depth / R height (scale-free; None without an R)
    reasons: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> float | bool | None:
        return getattr(self, name)


@dataclass(frozen=True)
class _Wave:
    sign: int
    start: float  # sample (fractional, zero crossing)
    end: float
    peak: float  # magnitude
    peak_at: int


def _crossing(dev: np.ndarray, i: int) -> float:
    """Fractional sample between i-1 and i where ``dev`` crosses zero (i when it does not)."""
    if i <= 0 or i >= dev.size:
        return float(i)
    a, b = float(dev[i - 1]), float(dev[i])
    if a == b or a * b > 0:
        return float(i)
    return (i - 1) + a / (a - b)


def waves(dev: np.ndarray, min_wave: float) -> list[_Wave]:
    """Runs of one sign of ``dev`` (the QRS relative to its baseline) at least ``min_wave`` high,
    neighbouring runs of one sign merged."""
    sign = np.sign(dev).astype(int)
    runs: list[list[int]] = []  # [sign, start, end)
    for i, s in enumerate(sign):
        if runs and runs[-1][0] == s:
            runs[-1][2] = i + 1
        else:
            runs.append([int(s), i, i + 1])
    kept: list[_Wave] = []
    for s, a, b in runs:
        if s == 0:
            continue
        seg = np.abs(dev[a:b])
        k = int(np.argmax(seg))
        if seg[k] < min_wave:
            continue
        start = _crossing(dev, a)
        end = _crossing(dev, b) if b < dev.size else float(b - 1)
        if kept and kept[-1].sign == s:  # merge with the previous run of the same sign
            prev = kept[-1]
            big = prev.peak >= seg[k]
            kept[-1] = _Wave(s, prev.start, end, prev.peak if big else float(seg[k]),
                             prev.peak_at if big else a + k)  # fmt: skip
        else:
            kept.append(_Wave(s, start, end, float(seg[k]), a + k))
    # the start of the ST segment is not a wave (left out unless it is the only one): a last
    # positive deflection still at half its peak or more at the J point (J-point elevation after
    # an S), or a last negative one still deepening there (its peak on the last sample; a slurred
    # S that reaches the J point, as in RBBB, is kept)
    if len(kept) > 1:
        last = kept[-1]
        if (last.sign > 0 and dev[-1] >= OPEN_WAVE_FRACTION * last.peak) or (
                last.sign < 0 and last.peak_at >= dev.size - 1):
            kept.pop()
    return kept


def _terminal_negative(dev: np.ndarray, on: int, off: int, edge: float) -> tuple[float, int]:
    """(depth mV, samples) of the P wave's terminal negative part in ``dev`` (the P and its
    margins, baseline removed; ``on``/``off`` its global onset/offset there): the run below the
    baseline, between onset and offset, that holds the wave's lowest point there, when it is at least
    ``edge`` deep and no positive deflection of ``TERMINAL_POSITIVE_SHARE`` of its depth or more
    follows it before the offset (a PR segment that rises there, with the atrial repolarisation
    opposite to a negative P, is not a positive part).
    That is the negative half of a +/- biphasic P and a wholly negative P alike (Morris 1964;
    the P terminal force in V1 of a left atrial abnormality is often a broad negative P with no
    positive part to speak of); a -/+ P has none. (0, 0) when there is none."""
    lo, hi = max(on, 0), min(off, dev.size - 1)
    if hi <= lo:
        return 0.0, 0
    k = lo + int(np.argmin(dev[lo : hi + 1]))
    depth = float(-dev[k])
    if depth < edge or depth <= 0:
        return 0.0, 0
    first, last = k, k  # the run, within the wave's own onset and offset
    while first > lo and dev[first - 1] < 0:
        first -= 1
    while last < hi and dev[last + 1] < 0:
        last += 1
    if last < hi and float(dev[last + 1 : hi + 1].max()) >= TERMINAL_POSITIVE_SHARE * depth:
        return 0.0, 0  # a positive part follows: the negative one is initial, not terminal
    return depth, last - first + 1


def _p_measures(x: np.ndarray, f: Fiducials, fs_hz: float, amp: bool) -> dict[str, float | None]:
    """P amplitude (signed), duration in this lead and the negative terminal part (P in V1)."""
    assert f.p_on is not None and f.p_off is not None
    to_ms = 1000.0 / fs_hz
    m = max(int(round(P_MARGIN_MS / to_ms)), 1)
    w = max(int(round(BASELINE_MS / to_ms)), 1)
    base = float(np.mean(x[max(f.p_on - w, 0) : f.p_on + 1]))
    a, b = max(f.p_on - m, 0), min(f.p_off + m, x.size - 1)
    dev = x[a : b + 1] - base
    k = int(np.argmax(np.abs(dev)))
    peak = float(dev[k])
    edge = P_EDGE_FRACTION * abs(peak)
    lo = k
    while lo > 0 and abs(dev[lo - 1]) > edge:
        lo -= 1
    hi = k
    while hi < dev.size - 1 and abs(dev[hi + 1]) > edge:
        hi += 1
    term_mv, term_ms = _terminal_negative(dev, f.p_on - a, f.p_off - a, edge)
    term_ms *= to_ms
    return {
        "p_mv": peak if amp else None, "p_ms": (hi - lo + 1) * to_ms,
        "p_terminal_mv": term_mv if amp else None, "p_terminal_ms": term_ms,
    }  # fmt: skip


def measure_lead(
    x: np.ndarray, name: str, f: Fiducials, fs_hz: float, *, amplitude_valid: bool = True,
    p_present: bool = True, no_mv_reason: str = NO_MV_REASON,
) -> LeadMeasures:
    """The figures of one lead ``x`` (one row of the median beat, mV)."""
    reasons: dict[str, str] = {}
    vals: dict[str, float | bool | None] = {k: None for k in LEAD_FIELDS}
    x = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(x)) or float(np.ptp(x)) < (FLAT_MV if amplitude_valid else 1e-6):
        return LeadMeasures(name, reasons={k: "crit.lead_flat" for k in LEAD_FIELDS})
    to_ms = 1000.0 / fs_hz
    if f.qrs_on is None or f.qrs_off is None or f.qrs_off <= f.qrs_on:
        for k in LEAD_FIELDS:
            if not k.startswith("p_"):
                reasons[k] = "crit.no_qrs_bounds"
    else:
        w = max(int(round(BASELINE_MS / to_ms)), 1)
        base = float(np.mean(x[max(f.qrs_on - w, 0) : f.qrs_on + 1]))
        dev = x[f.qrs_on : f.qrs_off + 1] - base
        pp = float(np.ptp(dev))
        min_wave = MIN_WAVE_MV if amplitude_valid else MIN_WAVE_FRACTION * pp
        ws = waves(dev, max(min_wave, 1e-9))
        named: dict[str, _Wave] = {}
        for wv in ws:
            if wv.sign < 0 and not named:
                named["q"] = wv
            elif wv.sign > 0 and "r" not in named:
                named["r"] = wv
            elif wv.sign < 0 and "r" in named and "s" not in named:
                named["s"] = wv
            elif wv.sign > 0 and "s" in named and "r2" not in named:
                named["r2"] = wv
        for k in ("q", "r", "s", "r2"):
            wv = named.get(k)
            vals[f"{k}_mv"] = wv.peak if wv else 0.0
            vals[f"{k}_ms"] = (wv.end - wv.start) * to_ms if wv else 0.0
        vals["qs"] = "r" not in named
        if "r" in named:
            vals["q_r_ratio"] = named["q"].peak / named["r"].peak if "q" in named else 0.0
        else:
            reasons["q_r_ratio"] = "crit.no_r_wave"
        last_r = named.get("r2") or named.get("r")
        if last_r is not None:
            vals["r_peak_time_ms"] = last_r.peak_at * to_ms
        else:
            reasons["r_peak_time_ms"] = "crit.no_r_wave"
        vals["qrs_pp_mv"] = pp
        j = f.qrs_off
        vals["st_j_mv"] = float(x[j] - base)
        j60 = j + int(round(ST_J60_MS / to_ms))
        if j60 < x.size:
            vals["st_j60_mv"] = float(x[j60] - base)
        else:
            reasons["st_j60_mv"] = "crit.beyond_beat"
        if f.t_peak is not None and f.t_peak > j:
            s = max(int(round(T_SEARCH_MS / to_ms)), 1)
            a, b = max(f.t_peak - s, j + 1), min(f.t_peak + s, x.size - 1)
            seg = x[a : b + 1] - base
            vals["t_mv"] = float(seg[int(np.argmax(np.abs(seg)))])
        else:
            reasons["t_mv"] = "crit.no_t_peak"
    if p_present and f.p_on is not None and f.p_off is not None and f.p_off > f.p_on:
        vals.update(_p_measures(x, f, fs_hz, amplitude_valid))
    else:
        for k in ("p_mv", "p_ms", "p_terminal_mv", "p_terminal_ms"):
            reasons[k] = "crit.no_p_wave"
    if not amplitude_valid:
        for k in AMPLITUDE_FIELDS:
            vals[k] = None
            reasons[k] = no_mv_reason
    for k, v in vals.items():
        if isinstance(v, float):
            vals[k] = round(v, 4) if math.isfinite(v) else None
        if vals[k] is None:
            reasons.setdefault(k, "crit.not_measurable")
    return LeadMeasures(name, **vals, reasons=reasons)  # type: ignore[arg-type]


def measure_leads(
    mb: MedianBeat | None, f: Fiducials | None, *, amplitude_valid: bool = True,
    p_present: bool = True, no_mv_reason: str = NO_MV_REASON,
) -> dict[str, LeadMeasures]:
    """:func:`measure_lead` for every lead of the median beat (empty when there is none)."""
    if mb is None or f is None:
        return {}
    return {
        name: measure_lead(mb.beat_mv[i], name, f, mb.fs_hz, amplitude_valid=amplitude_valid,
                           p_present=p_present, no_mv_reason=no_mv_reason)
        for i, name in enumerate(mb.lead_names)
    }  # fmt: skip
