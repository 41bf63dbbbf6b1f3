"""Signal-quality gate, run before the model: is this ECG good enough to suggest findings?

Per lead it detects flat leads, saturated (clipped) leads, lead-off (a lead that goes flat part
way, or sits flat at a constant offset) and very noisy leads; per record a recording that is too
short or lacks the leads the model needs (the 8 independent leads I, II, V1-V6; III, aVR, aVL
and aVF are computed from I and II). Qt-free and torch-free.

Gating: ``QualityReport.ok`` is False when a record-level problem is found, when a needed lead is
flat, saturated or off, or when at least ``noisy_leads_to_gate`` needed leads are very noisy. A
problem confined to one noisy lead, or to a limb lead the model does not use, is still reported
(``ok`` stays True) so that the screen can say so. Thresholds were tuned on the real sample
files and PTB-XL (``bench/quality_gate.py`` prints the figures); see README.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ecg_viewer.core.leads import canonical_lead_name
from ecg_viewer.core.messages import Reason
from ecg_viewer.core.prediction import QualityProblem, QualityReport
from ecg_viewer.core.record import AMPLITUDE_MAX_MV, RATE_MAX_HZ, RATE_MIN_HZ, EcgRecord
from ecg_viewer.core.runs import true_runs
from ecg_viewer.signal import quantiles
from ecg_viewer.signal.filters import sos_filtfilt
from ecg_viewer.signal.quality_stats import bandpass, beat_stats, r_peaks, wander, welch_median

NEEDED_LEADS: tuple[str, ...] = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")
CHECKED_LEADS: tuple[str, ...] = (
    "I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6",
)  # fmt: skip
# Order in which problems are listed (record-level first, then the most certain per-lead ones).
PROBLEM_ORDER: tuple[str, ...] = (
    "rate_out_of_range", "implausible_amplitude", "missing_leads", "duplicate_leads", "too_short", "gap", "flat", "lead_off", "saturated", "noisy",
)  # fmt: skip


@dataclass(frozen=True)
class QualityThresholds:
    # 5 s: the model sees 10-s windows of the training data and is tested on them; below 5 s
    # half of its input would be padding and rhythm labels (AF, PVCs, blocks) rest on fewer than
    # ~4 beats at 50 bpm. The caller may pass the model's own minimum.
    min_duration_s: float = 5.0
    # flat: robust peak-to-peak of the 0.5-40 Hz signal below 0.05 mV (the smallest real lead
    # seen in PTB-XL and the samples is 0.12 mV).
    flat_amplitude_mv: float = 0.05
    # a flat lead sitting at |offset| >= 0.5 mV is an electrode off, not a lead without signal
    lead_off_offset_mv: float = 0.5
    # lead-off part way: consecutive 0.5-s windows with a raw peak-to-peak below 0.02 mV
    # adding up to >= 1 s, in a lead that has signal elsewhere
    flat_window_s: float = 0.5
    flat_window_ptp_mv: float = 0.02
    lead_off_min_flat_s: float = 1.0
    # a stretch the file holds no samples for (EcgRecord.gaps) makes its lead unreadable from
    # this long, as a lead going flat part way does; a shorter one (a dropped sample or a few:
    # QA 68 F1, one sample of V2 gated a 10-s ECG) is bridged by the builder's straight line,
    # one beat of many at most, and only reported (``gap_brief``)
    gap_gate_s: float = 1.0
    # saturated: the lead sits at its own maximum or minimum (within 0.2 % of its range) in
    # >= 4 separate plateaus of >= 2 samples and >= 10 ms (every QRS cut at the same value).
    # Real peaks, even coarsely quantised or from a simulator, reach their extreme in at most
    # 3 such plateaus (PTB-XL, samples). A lead stuck at a rail for >= 1 s is lead-off.
    rail_tolerance: float = 0.002
    rail_min_run_s: float = 0.010
    rail_min_run_samples: int = 2
    rail_plateaus: int = 4
    # noisy: noise (above 40 Hz, or beat-to-beat residual) >= 0.3 x the median beat's QRS
    # size, or noise above 40 Hz >= 0.2 mV rms (clean PTB-XL leads: <= 0.15 mV)
    noise_ratio: float = 0.3
    hf_noise_mv: float = 0.2
    noisy_leads_to_gate: int = 2
    # Einthoven: where the file stores I, II and III, the rms of III - (II - I) (0.5-40 Hz)
    # over the largest of the three limb leads' rms. Real files give <= 0.025 (158 records:
    # the samples, cart_reference, the bundled samples, cinc_extra); I and II swapped by their
    # labels give 0.81 (PTB-XL 00001), MFER limb codes on chest channels 0.70. A warning only.
    limb_mismatch_ratio: float = 0.2
    limb_min_rms_mv: float = 0.02  # below this the limb leads are flat (reported as such)
    # baseline wander: the lead's signal below 0.5 Hz spans >= 3 mV in a 10-s window (1st-99th
    # percentile, the first and last second left out), a warning only. 31 of the 1,987 PTB-XL
    # records in mV (1.6 %) have such a lead (99th percentile of all leads 1.3 mV); of the 168
    # readable sample, cart and CinC files three: Philips ad4d3d80's V3 (9.5 mV; the cart's own
    # statement says "baseline wander in lead(s) V3"), CinC JS20019's V6 (4.3 mV) and the
    # 115-s PTB record S0004's II, III, aVF
    wander_mv: float = 3.0


DEFAULT_THRESHOLDS = QualityThresholds()


@dataclass(frozen=True)
class LeadMetrics:
    """What the gate measured on one lead (for tuning and for the figures in the README)."""

    lead: str
    amplitude_mv: float  # robust peak-to-peak of the 0.5-40 Hz signal
    offset_mv: float  # median of the raw signal
    flat_run_s: float  # longest stretch of flat 0.5-s windows
    rail_fraction: float  # share of samples in plateaus at the lead's max/min
    rail_plateaus: int  # most plateaus at one rail
    rail_longest_s: float  # longest stretch at a rail inside the record
    hf_noise_mv: float  # white-noise rms equivalent of the power above 40 Hz (median Welch)
    residual_mv: float  # rms beat-to-beat residual around the median beat (0.5-40 Hz)
    qrs_mv: float  # peak-to-peak of the median beat
    noise_ratio: float  # max(hf_noise, residual) / qrs
    wander_mv: float = 0.0  # 1st-99th percentile range of the signal below 0.5 Hz (drift)


def _longest_run(mask: np.ndarray) -> int:
    return max((b - a for a, b in true_runs(mask)), default=0)


def _rails(v: np.ndarray, fs_hz: float, th: QualityThresholds) -> tuple[float, int, float]:
    """At the lead's max or min: the share of samples in plateaus, the most plateaus at one
    rail, and the longest stretch. Runs touching the first or last sample are left out (an
    edge effect, or an electrode that came off: that is lead-off)."""
    lo, hi = float(v.min()), float(v.max())
    span = hi - lo
    if span <= 0:
        return 0.0, 0, 0.0
    tol = th.rail_tolerance * span
    min_run = max(th.rail_min_run_samples, int(np.ceil(th.rail_min_run_s * fs_hz)))
    total = plateaus = longest = 0
    for mask in (v >= hi - tol, v <= lo + tol):
        padded = np.concatenate(([0], mask.astype(np.int8), [0]))
        edges = np.flatnonzero(np.diff(padded))
        starts, ends = edges[::2], edges[1::2]
        inner = (starts > 0) & (ends < v.size)
        keep = inner & ((ends - starts) >= min_run)
        total += int((ends - starts)[keep].sum())
        plateaus = max(plateaus, int(keep.sum()))
        if inner.any():
            longest = max(longest, int((ends - starts)[inner].max()))
    return total / v.size, plateaus, longest / fs_hz


def _rails_all(raw: np.ndarray, fs_hz: float, th: QualityThresholds
               ) -> list[tuple[float, int, float]]:
    """:func:`_rails` of every row of ``raw`` [leads, samples] at once: the same comparisons
    and the same integer run lengths (so the same three numbers per lead), the runs of all
    leads and both rails found in one pass."""
    n_leads, n = raw.shape
    if n_leads == 0 or n == 0:
        return [_rails(v, fs_hz, th) for v in raw]
    lo, hi = raw.min(axis=1), raw.max(axis=1)
    span = hi - lo
    tol = th.rail_tolerance * span
    min_run = max(th.rail_min_run_samples, int(np.ceil(th.rail_min_run_s * fs_hz)))
    masks = np.zeros((2 * n_leads, n + 2), dtype=np.int8)  # rows: each lead's max, then min
    masks[:n_leads, 1:-1] = raw >= (hi - tol)[:, None]
    masks[n_leads:, 1:-1] = raw <= (lo + tol)[:, None]
    row, col = np.nonzero(np.diff(masks, axis=1))  # per row: start, end, start, end ...
    starts, ends, run_row = col[::2], col[1::2], row[::2]
    length = ends - starts
    inner = (starts > 0) & (ends < n)
    keep = inner & (length >= min_run)
    total = np.bincount(run_row, weights=np.where(keep, length, 0), minlength=2 * n_leads)
    count = np.bincount(run_row, weights=keep, minlength=2 * n_leads)
    longest = np.zeros(2 * n_leads, dtype=np.int64)
    np.maximum.at(longest, run_row[inner], length[inner])
    out = []
    for i in range(n_leads):
        if not span[i] > 0:
            out.append((0.0, 0, 0.0))
            continue
        both = int(total[i]) + int(total[n_leads + i])
        out.append((both / n, int(max(count[i], count[n_leads + i])),
                    int(max(longest[i], longest[n_leads + i])) / fs_hz))
    return out


def _flat_run_s(v: np.ndarray, fs_hz: float, th: QualityThresholds) -> float:
    win = max(2, int(round(th.flat_window_s * fs_hz)))
    n = v.size // win
    if n == 0:
        return 0.0
    ptp = np.ptp(v[: n * win].reshape(n, win), axis=1)
    return _longest_run(ptp < th.flat_window_ptp_mv) * win / fs_hz


def lead_metrics(
    record: EcgRecord, thresholds: QualityThresholds = DEFAULT_THRESHOLDS
) -> dict[str, LeadMetrics]:
    """Measure every stored (not derived) standard lead of ``record``."""
    th = thresholds
    fs = float(record.fs_hz)
    names = [n for n in CHECKED_LEADS if n in record.lead_names and n not in record.derived_leads]
    if not names:
        return {}
    raw = np.stack([record.signal_mv[record.lead_names.index(n)] for n in names]).astype(np.float64)
    offset = np.median(raw, axis=1)
    x = raw - offset[:, None]
    lf = bandpass(x, fs, 0.5, 40.0)
    hi, lo = quantiles.percentile(lf, (99.5, 0.5))  # np.percentile's two values per lead
    amp = hi - lo
    # noise above 40 Hz as the rms of white noise of that density over the whole band; the
    # median over Welch segments ignores short bursts (a few spikes do not make a lead noisy)
    hf_noise = np.zeros(len(names))
    if fs >= 90.0 and x.shape[1] >= int(fs):
        f, p = welch_median(x, fs, min(x.shape[1], int(2 * fs)))
        band = (f >= 40.0) & (f <= min(0.95 * fs / 2, 150.0))
        if band.any():
            hf_noise = np.sqrt(p[:, band].mean(axis=1) * fs / 2)
    # median beat: its QRS size and the beat-to-beat residual around it
    qrs = amp.copy()
    residual = np.zeros(len(names))
    needed_rows = [i for i, n in enumerate(names) if n in NEEDED_LEADS] or list(range(len(names)))
    live = [i for i in needed_rows if amp[i] >= th.flat_amplitude_mv] or needed_rows
    peaks = r_peaks(lf[live], x[live], fs)
    if len(peaks) > 60:  # long records: 60 beats spread over the whole recording suffice
        peaks = peaks[np.linspace(0, len(peaks) - 1, 60).astype(int)]
    if len(peaks) >= 3:
        qrs, residual = beat_stats(lf, peaks, fs, live)
    ratio = np.maximum(hf_noise, residual) / np.maximum(qrs, 1e-6)
    rails = _rails_all(raw, fs, th)
    drift = wander(x, fs)
    return {
        n: LeadMetrics(
            lead=n, amplitude_mv=float(amp[i]), offset_mv=float(offset[i]),
            flat_run_s=_flat_run_s(raw[i], fs, th),
            rail_fraction=rails[i][0], rail_plateaus=rails[i][1], rail_longest_s=rails[i][2],
            hf_noise_mv=float(hf_noise[i]), residual_mv=float(residual[i]), qrs_mv=float(qrs[i]),
            noise_ratio=float(ratio[i]), wander_mv=float(drift[i]),
        )  # fmt: skip
        for i, n in enumerate(names)
    }


def classify_lead(m: LeadMetrics, duration_s: float, th: QualityThresholds) -> str | None:
    """The one problem of a lead (the most certain first), or None."""
    if m.amplitude_mv < th.flat_amplitude_mv:
        return "lead_off" if abs(m.offset_mv) >= th.lead_off_offset_mv else "flat"
    if m.rail_plateaus >= th.rail_plateaus:
        return "saturated"
    if m.flat_run_s >= th.lead_off_min_flat_s and m.flat_run_s < duration_s - th.flat_window_s:
        return "lead_off"
    if m.noise_ratio >= th.noise_ratio or m.hf_noise_mv >= th.hf_noise_mv:
        return "noisy"
    return None


def _problem(code: str, leads: tuple[str, ...], **params: object) -> QualityProblem:
    return QualityProblem(code=code, leads=leads,
                          reason=Reason.of(f"quality.{code}", leads=", ".join(leads), **params))


#: records longer than this are assessed on the spans that are analysed (see :func:`_spans`)
LONG_RECORD_S = 120.0


def _spans(record: EcgRecord) -> list[EcgRecord]:
    """What the gate measures: the whole record, or for a long one (a Holter) the two spans the
    analysis uses, its first minute (measurements, pipeline/analyze.py) and its central 10 s (the
    model's input), so that no float64 copy of hours of signal is made."""
    fs = float(record.fs_hz)
    n = record.n_samples
    if n == 0:  # no samples: nothing to measure (the record is too short, which gates it)
        return []
    if n <= LONG_RECORD_S * fs:
        return [record]
    first = int(60.0 * fs)
    mid, half = n // 2, int(5.0 * fs)
    return [record.segment(0, first), record.segment(mid - half, mid + half)]


def _implausible_leads(record: EcgRecord) -> tuple[str, ...]:
    """Leads holding NaN/inf or samples beyond ±50 mV (a reader refuses these; a record built in
    code may still hold them). max/min per row: no temporary copy of the signal."""
    sig = record.signal_mv
    if sig.size == 0:
        return ()
    hi, lo = sig.max(axis=1), sig.min(axis=1)
    bad = ~(np.isfinite(hi) & np.isfinite(lo)) | (hi > AMPLITUDE_MAX_MV) | (lo < -AMPLITUDE_MAX_MV)
    return tuple(n for n, b in zip(record.lead_names, bad, strict=True) if b)


def duplicate_leads(record: EcgRecord) -> tuple[str, ...]:
    """Standard leads the file stores twice with different samples (the second copy is kept as
    an extra channel, "V1#2"): which is the lead cannot be told, so the record is not analysed as
    if it were whole (a CSV with two V1 columns was read as 異常なし, the first taken silently).
    The same samples twice (a rhythm strip repeating lead II) are no problem."""
    names = record.lead_names
    out: list[str] = []
    for name, original in record.original_names.items():
        canon = canonical_lead_name(original)
        if not canon or canon == name or canon not in names or name not in names:
            continue
        a, b = record.signal_mv[names.index(canon)], record.signal_mv[names.index(name)]
        if not np.array_equal(a, b) and canon not in out:
            out.append(canon)
    return tuple(out)


#: the problems that make a lead unreadable (a missing lead or a short record is another matter)
UNREADABLE_LEAD_CODES = ("gap", "flat", "lead_off", "saturated", "noisy")


def no_readable_lead(report: QualityReport, lead_names: Sequence[str]) -> bool:
    """Whether ``report`` finds every one of ``lead_names`` flat, off, saturated or noisy: then
    there is nothing to measure (white noise gave "HR 226 bpm" and a QRS axis of -39°)."""
    bad = {n for p in report.problems if p.code in UNREADABLE_LEAD_CODES for n in p.leads}
    return bool(lead_names) and all(n in bad for n in lead_names)


def limb_mismatch(record: EcgRecord, th: QualityThresholds | None = None) -> float | None:
    """rms(III - (II - I)) / the largest limb-lead rms, on the 0.5-40 Hz signal of the first
    span the gate measures; None unless I, II and III are all stored (a derived III fits by
    construction) and have signal. Stored leads that break Einthoven's law are labelled wrongly
    (I and II exchanged, limb codes on other channels); reversed arm electrodes keep it."""
    th = th or DEFAULT_THRESHOLDS
    names = record.lead_names
    if not all(n in names for n in ("I", "II", "III")) or "III" in record.derived_leads:
        return None
    spans = _spans(record)
    if not spans:
        return None
    fs = float(record.fs_hz)
    x = spans[0].signal_mv[[names.index("I"), names.index("II"), names.index("III")]]
    if x.shape[1] < int(2 * fs):
        return None
    y = sos_filtfilt(2, (0.5, min(40.0, 0.45 * fs)), "bandpass", fs, x.astype(np.float64))
    scale = float(np.sqrt(np.mean(y**2, axis=1)).max())
    if not np.isfinite(scale) or scale < th.limb_min_rms_mv:
        return None
    return float(np.sqrt(np.mean((y[2] - (y[1] - y[0])) ** 2))) / scale


def assess_quality(
    record: EcgRecord,
    thresholds: QualityThresholds | None = None,
    min_duration_s: float | None = None,
) -> QualityReport:
    """The quality verdict of ``record`` (see the module docstring for what gates)."""
    th = thresholds or DEFAULT_THRESHOLDS
    min_s = th.min_duration_s if min_duration_s is None else float(min_duration_s)
    fs = float(record.fs_hz)
    if not RATE_MIN_HZ <= fs <= RATE_MAX_HZ:
        # the filters below cannot be built at such a rate, and the model was never shown one
        return QualityReport(ok=False, problems=(_problem(
            "rate_out_of_range", (), fs_hz=fs, lo_hz=RATE_MIN_HZ, hi_hz=RATE_MAX_HZ),))
    implausible = _implausible_leads(record)
    if implausible:
        return QualityReport(ok=False, problems=(_problem("implausible_amplitude", implausible,
                                                          limit_mv=AMPLITUDE_MAX_MV),))
    duration_s = record.signal_mv.shape[1] / fs
    problems: list[QualityProblem] = []
    gate = False
    missing = tuple(n for n in NEEDED_LEADS if n not in record.lead_names)
    if missing:
        problems.append(_problem("missing_leads", missing))
        gate = True
    twice = duplicate_leads(record)
    if twice:
        problems.append(_problem("duplicate_leads", twice))
        gate = True
    if duration_s < min_s:
        problems.append(_problem("too_short", (), duration_s=duration_s, min_s=min_s))
        gate = True
    by_code: dict[str, list[str]] = {}
    drift_mv: dict[str, float] = {}  # lead -> its worst wander
    longest_gap: dict[str, float] = {}  # lead -> its longest gap (s) in the spans gated
    # under half a second no lead can be judged flat, off or noisy (QA 65: one sample read
    # "flat" in 11 leads and "off" in V4 beside "too short", which is the one problem)
    for span in _spans(record) if duration_s >= th.flat_window_s else []:
        span_s = span.n_samples / fs
        for name in (n for n in CHECKED_LEADS if span.gaps.get(n)):
            longest = max(b - a for a, b in span.gaps[name]) / fs
            longest_gap[name] = max(longest_gap.get(name, 0.0), longest)
            if longest >= th.gap_gate_s and name not in by_code.setdefault("gap", []):
                by_code["gap"].append(name)  # what fills a long gap is not the lead
        for name, m in lead_metrics(span, th).items():
            code = "gap" if name in by_code.get("gap", ()) else classify_lead(m, span_s, th)
            if code and name not in by_code.setdefault(code, []):
                by_code[code].append(name)
            if code is None and m.wander_mv >= th.wander_mv:
                drift_mv[name] = max(drift_mv.get(name, 0.0), m.wander_mv)
    for code in PROBLEM_ORDER:
        leads = tuple(by_code.get(code, ()))
        if not leads:
            continue
        if code == "gap":
            problems.append(_problem(code, leads, seconds=max(longest_gap[n] for n in leads)))
        else:
            problems.append(_problem(code, leads))
        needed = [n for n in leads if n in NEEDED_LEADS]
        if code == "noisy":
            gate |= len(needed) >= th.noisy_leads_to_gate
        else:
            gate |= bool(needed)
    # a limb lead already reported flat, off, saturated or noisy explains a mismatch itself
    bad_limb = any(n in ("I", "II", "III") for p in problems if p.code in UNREADABLE_LEAD_CODES
                   for n in p.leads)
    mismatch = None if bad_limb else limb_mismatch(record, th)
    if mismatch is not None and mismatch > th.limb_mismatch_ratio:  # a warning, not a gate
        problems.append(_problem("limb_leads_inconsistent", ("I", "II", "III"),
                                 ratio=round(mismatch, 2)))
    brief = tuple(n for n in longest_gap if n not in by_code.get("gap", ()))
    if brief:  # a warning, not a gate: bridged by a straight line (EcgRecord.gaps)
        problems.append(_problem("gap_brief", brief,
                                 ms=max(1, round(1000.0 * max(longest_gap[n] for n in brief)))))
    unreadable = {n for p in problems if p.code in UNREADABLE_LEAD_CODES for n in p.leads}
    drifting = tuple(n for n in drift_mv if n not in unreadable)
    if drifting:  # a warning, not a gate: the median beats take out what drifts slowly
        problems.append(_problem("baseline_wander", drifting,
                                 mv=round(max(drift_mv[n] for n in drifting), 1)))
    return QualityReport(ok=not gate, problems=tuple(problems))
