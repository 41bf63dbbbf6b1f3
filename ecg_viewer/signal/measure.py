"""ECG measurements: rate and rhythm, global intervals, frontal axes, the median beat.

``measure(record)`` returns :class:`Measurements`. A value that cannot be measured is ``None``
and ``reasons[key]`` says why, as a key of the message table (``meas.*``) - never a made-up
number. Validation figures: ``bench/measurements.py`` and the README.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ecg_viewer.core.messages import tr
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.signal.axes import axes, limb_i_ii
from ecg_viewer.signal.beats import BeatDetection, detect_beats
from ecg_viewer.signal.delineate import INDEPENDENT, Fiducials, clean_leads, delineate
from ecg_viewer.signal.median import MedianBeat, median_beat
from ecg_viewer.signal.pacing import detect_pacing, remove_spikes
from ecg_viewer.signal.pwave import p_present
from ecg_viewer.signal.rhythm import rhythm
from ecg_viewer.signal.tend import T_LOW_MV

log = logging.getLogger(__name__)

MIN_BEATS_RATE = 2
MIN_BEATS_MEDIAN = 3

# Confidence of an interval: its agreement across sub-medians of interleaved beats (every third
# beat). The confidence is 1 / (1 + (spread / CONF_SPREAD_MS)^2): 0.5 at that spread; below
# LOW_CONFIDENCE the value is shown greyed with the reason and fires no referral rule alone.
CONF_SPREAD_MS = {"p_ms": 20.0, "pr_ms": 20.0, "qrs_ms": 12.0, "qt_ms": 30.0}
LOW_CONFIDENCE = 0.5
FEW_BEATS_CONFIDENCE = 0.6
LOW_T_CONFIDENCE = 0.4
# a QRS over this share of the RR leaves no room for the ST segment and the T wave: its bounds are
# guesses on a sine wave (CinC JS45546, ventricular tachycardia at 173/min: QRS 264 ms of a 346 ms
# cycle at confidence 0.97, QA 56), so its confidence is capped as a QT's without a T wave
QRS_CYCLE_SHARE = 0.6
# A P onset on the first sample of its search window (320 ms before the QRS, or the previous T
# end) is where the search stopped, not where the wave starts: the PR (and P duration) it gives
# is capped at this confidence. Of the fit's PTB-XL records (100 Hz) 54 PRs lay at that edge
# (318-320 ms): 11 carried first-degree AV block, 16 were normal ECGs (8 of the selection sets'
# normal ECGs were flagged 要精査 by "PR >= 300 ms" alone).
P_EDGE_CONFIDENCE = 0.4
# a value made from intervals takes the confidence (and reason) of the weakest of them; the P
# axis is the P window's (mferorg_ECG04: a P onset 140 ms early gave P 260 ms, greyed, and a P
# axis of -173° shown plain beside 洞調律)
CONF_DERIVED = {"qt_ms": ("qtc_bazett_ms", "qtc_fridericia_ms", "qtc_modified_ms"),
                "qrs_ms": ("qtc_modified_ms",), "p_ms": ("p_axis_deg",)}
# Global intervals are the earliest onset and the latest end over the 12 leads (IEC
# 60601-2-25); from fewer leads they read short. Measured on 150 PTB-XL and 50 CinC records
# (ours on k random independent leads minus ours on all 8, ms): QRS -17 ± 18 with 1 lead,
# -8 ± 14 with 2, -6 ± 11 with 4, -4 ± 9 with 5, -2 ± 6 with 6; PR SD 41 / 36 / 29 / 24 / 22.
# With fewer than MIN_GLOBAL_LEADS of the 8 independent leads (I, II, V1-V6) carrying signal,
# P, PR, QRS and QT (and what is made from them) are capped at FEW_LEADS_CONFIDENCE: a 2-lead
# Holter's QRS of 76 ms against 104 ms on the same beats' 12 leads was shown as trusted.
MIN_GLOBAL_LEADS = 6
# below this sampling rate a QRS is flattened and widened (a 25-Hz band at 50 Hz: a normal
# QRS read 130 ms) and every interval is of low confidence; 100 Hz (PTB-XL's) is measured to
# within 4 ms of 500 Hz (bench/measurements.py --only rates)
TRUSTED_RATE_HZ = 100.0
FEW_LEADS_CONFIDENCE = 0.3
# A heart rate from a single RR interval (two beats: a 2-s strip) is what a caliper gives, not
# the record's rate: capped at FEW_LEADS_CONFIDENCE too (a 2-s strip read 65/min for 61).
MIN_BEATS_TRUSTED_RATE = 3
# With a wide QRS (bundle branch block, ventricular pacing) the QT holds the longer
# depolarisation, and the plain QTc overstates repolarisation. Bogossian et al. (Heart Rhythm
# 2014;11:2273-7) take off 48.5 % of the QRS: QTm = QT - 0.485 x QRS approximates the QT of the
# same heart with normal conduction, so the usual QTc limits apply to it (corrected here with
# Fridericia, as the plain QTc rules are). Given only for QRS >= WIDE_QRS_MS.
WIDE_QRS_MS = 120.0
QTM_QRS_SHARE = 0.485

INTERVAL_KEYS = (
    "hr_bpm", "rr_ms", "p_ms", "pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms", "qtc_fridericia_ms",
    "p_axis_deg", "qrs_axis_deg", "t_axis_deg",
)  # fmt: skip
#: the values a confidence can be low for: the intervals and the QTc modified for a wide QRS
CONFIDENCE_KEYS = (*INTERVAL_KEYS, "qtc_modified_ms")


@dataclass(frozen=True, eq=False)
class Measurements:
    """The figures of one ECG. ``to_dict()`` is what ``analyze --json`` and the referral rules read."""

    hr_bpm: float | None = None
    rr_ms: float | None = None
    p_ms: float | None = None
    pr_ms: float | None = None
    qrs_ms: float | None = None
    qt_ms: float | None = None
    qtc_bazett_ms: float | None = None
    qtc_fridericia_ms: float | None = None
    p_axis_deg: float | None = None
    qrs_axis_deg: float | None = None
    t_axis_deg: float | None = None
    beats: int = 0
    rr_sdnn_ms: float | None = None
    rr_rmssd_ms: float | None = None
    rr_irregularity: float | None = None  # RMSSD / mean RR
    rr_irregular: bool | None = None
    rr_regular_share: float | None = None  # signal/rhythm.py: a regular rhythm's premature beats
    paced: bool = False
    # QTc modified for a wide QRS (QT - 0.485 x QRS, Fridericia); None unless QRS >= WIDE_QRS_MS
    qtc_modified_ms: float | None = None
    # key -> message-table key saying why the value is None
    reasons: dict[str, str] = field(default_factory=dict)
    # for drawing: the median beat per lead and the fiducial points in ms relative to R
    median: MedianBeat | None = field(default=None, repr=False)
    fiducials: Fiducials | None = field(default=None, repr=False)
    beat_detection: BeatDetection | None = field(default=None, repr=False)
    # interval key -> confidence 0..1 (agreement across sub-medians of the beats)
    confidence: dict[str, float] = field(default_factory=dict)
    # interval key -> message-table key saying why its confidence is low (only low ones)
    confidence_reasons: dict[str, str] = field(default_factory=dict)
    # interval greyed for the spread between groups of beats -> (lowest, highest) of the main
    # value and every group's: a criterion all of them meet, or all fail, is decided by it
    # (mferorg_ECG01: QRS 110 ms greyed, groups 88/110/108, held 完全右脚ブロック back no more)
    group_range: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def low_confidence(self) -> list[str]:
        """Measured intervals whose confidence is below ``LOW_CONFIDENCE``, and ``p_present``
        when the P wave the median shows is missing from a group of its beats."""
        out = [k for k in CONFIDENCE_KEYS
               if k in self.confidence_reasons and getattr(self, k) is not None]
        if "p_present" in self.confidence_reasons and self.pr_ms is not None:
            out.append("p_present")
        return out

    def with_all_low(self, reason_key: str, cap: float = 0.2) -> Measurements:
        """These measurements with every measured value of low confidence for ``reason_key``
        (a reason already given stays): what a record the quality gate rejects is measured
        from is shown greyed and fires no referral rule."""
        conf, why = dict(self.confidence), dict(self.confidence_reasons)
        for k in (*CONFIDENCE_KEYS, "p_present"):
            if getattr(self, "pr_ms" if k == "p_present" else k) is not None:
                conf[k] = min(conf.get(k, 1.0), cap)
                why.setdefault(k, reason_key)
        return replace(self, confidence=conf, confidence_reasons=why)

    def confidence_text(self, key: str, lang: str | None = None) -> str | None:
        """Why ``key``'s confidence is low, for people (Japanese by default); None when it is not."""
        k = self.confidence_reasons.get(key)
        return tr(k, lang) if k and getattr(self, key, None) is not None else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in INTERVAL_KEYS}
        out["beats"] = self.beats
        out["rr_sdnn_ms"] = self.rr_sdnn_ms
        out["rr_rmssd_ms"] = self.rr_rmssd_ms
        out["rr_irregularity"] = self.rr_irregularity
        out["rr_irregular"] = self.rr_irregular
        out["rr_regular_share"] = self.rr_regular_share
        out["paced"] = self.paced
        out["qtc_modified_ms"] = self.qtc_modified_ms
        out["reasons"] = dict(self.reasons)
        out["confidence"] = {k: round(v, 2) for k, v in self.confidence.items()}
        out["low_confidence"] = self.low_confidence
        out["confidence_reasons"] = {k: self.confidence_reasons[k] for k in self.low_confidence}
        out["range"] = {k: list(v) for k, v in self.group_range.items() if k in self.low_confidence}
        return out

    def reason_text(self, key: str, lang: str | None = None) -> str | None:
        """Why ``key`` is None, for people (Japanese by default)."""
        k = self.reasons.get(key)
        return tr(k, lang) if k else None

    def fiducials_ms(self) -> dict[str, float | None]:
        """P on/peak/off, QRS on/off, T peak/end in ms relative to the median beat's R peak."""
        if self.fiducials is None or self.median is None:
            return {}
        return self.fiducials.as_ms(self.median.r_index, self.median.fs_hz)


def _round(v: float | None, nd: int = 0) -> float | None:
    if v is None or not math.isfinite(v):
        return None
    return float(round(v, nd)) if nd else float(round(v))


def global_fiducials(
    mb: MedianBeat, rr_s: float, *, irregular: bool | None = None, paced: bool = False
) -> Fiducials:
    """The global fiducials of a median beat, P removed where no P wave is found (see
    :func:`~ecg_viewer.signal.pwave.p_present`); what :func:`measure` reports, for benchmarks on other references."""
    return _global(mb, rr_s, irregular, paced)[0]


def _global(
    mb: MedianBeat, rr_s: float, irregular: bool | None, paced: bool = False,
    flutter_check: bool = True,
) -> tuple[Fiducials, str]:
    # paced: the spikes are bridged, but their after-potential stays in a lead or two, which the
    # lead-wise onset would take for the QRS; the spatial velocity of all leads is not misled
    rows = clean_leads(mb)  # the leads both steps use, chosen once
    fid = delineate(mb, rr_s, qrs_mode="velocity" if paced else None, rows=rows)
    p_ok, p_reason = p_present(mb, fid, irregular, rows, rr_s if flutter_check else None)
    if not p_ok:
        fid = Fiducials(**{**fid.__dict__, "p_on": None, "p_off": None, "p_peak": None,
                           "p_on_at_edge": False})
    return fid, p_reason


def _intervals(f: Fiducials, fs_hz: float) -> dict[str, float | None]:
    to_ms = 1000.0 / fs_hz

    def span(a: int | None, b: int | None) -> float | None:
        return None if a is None or b is None else (b - a) * to_ms

    return {"p_ms": span(f.p_on, f.p_off), "pr_ms": span(f.p_on, f.qrs_on),
            "qrs_ms": span(f.qrs_on, f.qrs_off), "qt_ms": span(f.qrs_on, f.t_end)}  # fmt: skip


def interval_confidence(
    mb: MedianBeat, rr_s: float, irregular: bool | None, main: dict[str, float | None],
    fid: Fiducials, paced: bool = False, ranges: dict[str, tuple[float, float]] | None = None,
) -> tuple[dict[str, float], dict[str, str]]:
    """Confidence (0..1) of each measured interval in ``main`` and the reason of each low one.

    The beats of the median are split into interleaved groups (every third beat; with 4-5 beats
    every other; with 2-3 each beat alone), each group's median is delineated the same way, and
    the largest difference from the main value is the spread. An interval some group cannot
    measure loses that share; with under 4 beats the confidence is at most
    ``FEW_BEATS_CONFIDENCE``; a T wave below ``T_LOW_MV``, or a QT no T wave can have
    (:func:`_qt_plausible`), caps the QT's at ``LOW_T_CONFIDENCE``, and a QRS over ``QRS_CYCLE_SHARE``
    of the RR caps the QRS's; a P onset on the edge of its
    search window caps the PR's and the P duration's at ``P_EDGE_CONFIDENCE``. ``ranges``, when
    given, gets per interval every group measured the lowest and highest of the main value and
    the groups' (what a criterion may still decide from a value greyed for its spread).
    """
    n = mb.stack_mv.shape[0]
    keys = [k for k, v in main.items() if v is not None]
    conf: dict[str, float] = {}
    why: dict[str, str] = {}
    if not keys:
        return conf, why
    if n >= 6:
        groups = [np.arange(i, n, 3) for i in range(3)]
    elif n >= 4:
        groups = [np.arange(i, n, 2) for i in range(2)]
    else:
        groups = [np.array([i]) for i in range(n)]
    subs = []
    for g in groups if len(groups) >= 2 else []:
        # a flutter wave is told from a P wave on the whole median (measure()): where it is one,
        # there is no PR for the groups to confirm
        f, _ = _global(mb.from_stack(g), rr_s, irregular, paced, flutter_check=False)
        iv = _intervals(f, mb.fs_hz)
        if f.p_on_at_edge and not fid.p_on_at_edge:
            # a group whose P onset stops on the edge of its search window has a P wave but no
            # onset: it takes its share off the PR and the P duration (meas.conf_missing), it
            # is no spread (QA 60: S0005's groups 222/220/320 ms greyed a PR of 222 ms as
            # varying beat to beat, and its first-degree AV block raised nothing); where the
            # main median's onset is on the edge too, P_EDGE_CONFIDENCE says so below
            iv = {**iv, "pr_ms": None, "p_ms": None, "p_seen": True}
        subs.append(iv)
    if main.get("pr_ms") is not None:
        # a P wave the median shows: is it before the QRS in every group of beats? Where a
        # group has none, the P wave's presence is uncertain ("p_present"); where every group
        # has one, it is trusted even when the groups place its onset apart (a greyed PR):
        # a sinus tachycardia with ectopic beats (CinC JS20000) showed 「P 波 あり」 and was
        # read as AF, 要至急, because the greyed PR left the P wave unknown
        found = [sub["pr_ms"] is not None or bool(sub.get("p_seen")) for sub in subs]
        if not subs:
            conf["p_present"], why["p_present"] = FEW_BEATS_CONFIDENCE, "meas.conf_few_beats"
        else:
            conf["p_present"] = sum(found) / len(found)
            if not all(found):
                why["p_present"] = "meas.conf_p_groups"
    for k in keys:
        vals = [s[k] for s in subs]
        found = [v for v in vals if v is not None]
        if not subs:
            c, reason = FEW_BEATS_CONFIDENCE, "meas.conf_few_beats"
        else:
            spread = max((abs(v - main[k]) for v in found), default=float("inf"))
            c = _spread_confidence(spread, CONF_SPREAD_MS[k]) if found else 0.0
            c *= len(found) / len(vals)
            reason = "meas.conf_missing" if len(found) < len(vals) else "meas.conf_beats"
            if found and len(found) == len(vals) and ranges is not None:
                ranges[k] = (min(main[k], *found), max(main[k], *found))
            if n < 4 and c > FEW_BEATS_CONFIDENCE:
                c, reason = FEW_BEATS_CONFIDENCE, "meas.conf_few_beats"
        if k == "qt_ms" and fid.t_amplitude_mv < T_LOW_MV and c > LOW_T_CONFIDENCE:
            c, reason = LOW_T_CONFIDENCE, "meas.conf_low_t"
        if k == "qt_ms" and c > LOW_T_CONFIDENCE and not _qt_plausible(main, rr_s):
            c, reason = LOW_T_CONFIDENCE, "meas.conf_qt_implausible"
        if k == "qrs_ms" and c > LOW_T_CONFIDENCE and main[k] > QRS_CYCLE_SHARE * 1000.0 * rr_s:
            c, reason = LOW_T_CONFIDENCE, "meas.conf_qrs_implausible"
        if k in ("pr_ms", "p_ms") and fid.p_on_at_edge and c > P_EDGE_CONFIDENCE:
            c, reason = P_EDGE_CONFIDENCE, "meas.conf_p_onset_edge"
        conf[k] = float(c)
        if c < LOW_CONFIDENCE:
            why[k] = reason
        for d in CONF_DERIVED.get(k, ()):
            cd = float(c)
            if k == "qrs_ms" and d == "qtc_modified_ms" and reason == "meas.conf_beats":
                # QT - 0.485 x QRS: the groups' QRS spread weighs in at that share, on the QT's
                # scale (QA 60: a QRS greyed at 144-158 ms greyed the QTc for a wide QRS with it,
                # and with the plain QTc rules held back by the wide QRS no QTc rule could fire)
                cd = _spread_confidence(QTM_QRS_SHARE * spread, CONF_SPREAD_MS["qt_ms"])
            if d in conf and conf[d] <= cd:
                continue  # a weaker source already set it
            conf[d] = cd
            if cd < LOW_CONFIDENCE:
                why[d] = reason
            else:
                why.pop(d, None)
    return conf, why


def _spread_confidence(spread_ms: float, scale_ms: float) -> float:
    """The confidence of a value whose groups of beats lie ``spread_ms`` apart: 1 / (1 + (spread
    / scale)²), 0.5 at the interval's ``CONF_SPREAD_MS`` scale."""
    return 1.0 / (1.0 + (spread_ms / scale_ms) ** 2)


def _qt_plausible(main: dict[str, float | None], rr_s: float) -> bool:
    """A QT a T wave can have: ending 50 ms before the next QRS at the latest, QTcF 300-600 ms,
    and the T wave at least 120 ms after the QRS (a wide-complex tachycardia leaves no T wave to
    delimit). A tighter limit (QT <= 0.8 RR, for a T end on the next P wave) was tried and
    dropped: it greyed every QTcF >= 500 ms at 121/min or faster, so the urgent QTc rule (which
    no greyed value fires) could not flag a tachycardic patient at all."""
    qt, qrs = main.get("qt_ms"), main.get("qrs_ms")
    if qt is None:
        return True
    qtcf = qt / max(rr_s, 0.25) ** (1.0 / 3.0)
    return qt <= 1000.0 * rr_s - 50.0 and 300.0 <= qtcf <= 600.0 and (qrs is None or qt - qrs >= 120.0)


def measure(record: EcgRecord) -> Measurements:
    """Measure ``record``: rate and rhythm from all leads, intervals and axes from the median beat."""
    det = detect_beats(record.signal_mv, record.fs_hz, record.lead_names)
    vals: dict[str, Any] = {k: None for k in INTERVAL_KEYS}
    reasons: dict[str, str] = {}
    vals.update(rhythm(det))
    beats = det.n_beats
    if beats < MIN_BEATS_RATE:
        why = "meas.no_signal" if not det.leads_used else "meas.too_few_beats"
        for k in INTERVAL_KEYS:
            reasons[k] = why
        return Measurements(beats=beats, reasons=reasons, beat_detection=det)
    paced = detect_pacing(record.signal_mv, record.fs_hz, det.r_peaks)
    sig, spikes = record.signal_mv, np.zeros(0, dtype=np.int64)
    if paced:  # the spikes would dominate the QRS slopes and the onset: bridged first
        sig, spikes = remove_spikes(record.signal_mv, record.fs_hz)
    mb = median_beat(sig, record.fs_hz, record.lead_names, det.r_peaks, good_leads=det.leads_used)
    if paced:
        log.info("paced: %d spikes bridged before the median beat", spikes.size)
    interval_keys = INTERVAL_KEYS[2:]
    rate_conf, rate_why = _rate_confidence(beats)
    if mb is None or mb.n_beats_used < MIN_BEATS_MEDIAN:
        for k in interval_keys:
            reasons[k] = "meas.too_few_beats"
        out = {k: _round(v) for k, v in vals.items() if k in INTERVAL_KEYS}
        return Measurements(
            **out, beats=beats, reasons=reasons, median=mb, beat_detection=det, paced=paced,
            confidence=rate_conf, confidence_reasons=rate_why, **_rr_extra(vals),
        )
    dominant_rr_s = _dominant_rr_s(mb, det)
    irregular = vals.get("rr_irregular")
    fid, p_reason = _global(mb, dominant_rr_s, irregular, paced)
    iv = _intervals(fid, mb.fs_hz)
    vals["qrs_ms"], vals["qt_ms"] = iv["qrs_ms"], iv["qt_ms"]
    if vals["qrs_ms"] is None:
        reasons["qrs_ms"] = "meas.no_qrs_bounds"
    if vals["qt_ms"] is None:
        reasons["qt_ms"] = "meas.no_t_end"
    if fid.p_on is not None and fid.p_off is not None and fid.qrs_on is not None:
        vals["p_ms"], vals["pr_ms"] = iv["p_ms"], iv["pr_ms"]
    else:
        reasons["p_ms"] = reasons["pr_ms"] = reasons["p_axis_deg"] = p_reason or "meas.no_p_wave"
    if vals["qt_ms"] is not None:
        rr_s = dominant_rr_s
        vals["qtc_bazett_ms"] = vals["qt_ms"] / math.sqrt(rr_s)
        vals["qtc_fridericia_ms"] = vals["qt_ms"] / rr_s ** (1.0 / 3.0)
    else:
        reasons["qtc_bazett_ms"] = reasons["qtc_fridericia_ms"] = "meas.no_t_end"
    if limb_i_ii(mb) is None:
        for k in ("p_axis_deg", "qrs_axis_deg", "t_axis_deg"):
            reasons.setdefault(k, "meas.no_limb_leads")
    else:
        ax = axes(mb, fid)
        for key, k in (("p", "p_axis_deg"), ("qrs", "qrs_axis_deg"), ("t", "t_axis_deg")):
            vals[k] = ax[key] if vals[k] is None and k not in reasons else vals[k]
            if vals[k] is None:
                reasons.setdefault(k, "meas.no_axis")
    for k in INTERVAL_KEYS:
        if vals[k] is None:
            reasons.setdefault(k, "meas.not_measurable")
    qtc_mod = _round(qtc_modified(vals["qt_ms"], vals["qrs_ms"], dominant_rr_s))
    main = {k: vals[k] for k in CONF_SPREAD_MS}
    ranges: dict[str, tuple[float, float]] = {}
    conf, conf_why = interval_confidence(mb, dominant_rr_s, irregular, main, fid, paced, ranges)
    if qtc_mod is None:  # only a value that is given has a confidence
        conf.pop("qtc_modified_ms", None)
        conf_why.pop("qtc_modified_ms", None)
    _cap_few_leads(mb, det, conf, conf_why)
    if record.fs_hz < TRUSTED_RATE_HZ:  # QA 51: a normal QRS read 130 ms at 50 Hz (要経過観察)
        _cap(conf, conf_why, "meas.conf_low_rate")
    conf.update(rate_conf)
    conf_why.update(rate_why)
    # a range only where the value is greyed for the groups' spread alone
    ranges = {k: (round(lo, 1), round(hi, 1)) for k, (lo, hi) in ranges.items()
              if conf_why.get(k) == "meas.conf_beats"}
    out = {k: _round(v) for k, v in vals.items() if k in INTERVAL_KEYS}
    return Measurements(
        **out, beats=beats, reasons=reasons, median=mb, fiducials=fid, beat_detection=det,
        paced=paced, confidence=conf, confidence_reasons=conf_why, **_rr_extra(vals),
        qtc_modified_ms=qtc_mod, group_range=ranges,
    )


def qtc_modified(qt_ms: float | None, qrs_ms: float | None, rr_s: float) -> float | None:
    """The QTc modified for a wide QRS (Bogossian 2014: QT - 0.485 x QRS, then Fridericia), or
    None when the QRS is under ``WIDE_QRS_MS`` or either interval is missing."""
    if qt_ms is None or qrs_ms is None or qrs_ms < WIDE_QRS_MS or rr_s <= 0:
        return None
    return (qt_ms - QTM_QRS_SHARE * qrs_ms) / rr_s ** (1.0 / 3.0)


def _rate_confidence(beats: int) -> tuple[dict[str, float], dict[str, str]]:
    """The heart rate's and RR's confidence: low from a single RR interval."""
    if beats >= MIN_BEATS_TRUSTED_RATE:
        return {}, {}
    keys = ("hr_bpm", "rr_ms")
    return dict.fromkeys(keys, FEW_LEADS_CONFIDENCE), dict.fromkeys(keys, "meas.conf_one_rr")


def _cap_few_leads(mb: MedianBeat, det: BeatDetection, conf: dict[str, float],
                   why: dict[str, str]) -> None:
    """Caps the global intervals' confidence when fewer than ``MIN_GLOBAL_LEADS`` independent
    leads with signal made them (in place)."""
    n = sum(1 for name in INDEPENDENT if name in mb.lead_names and name in det.leads_used)
    if n >= MIN_GLOBAL_LEADS:
        return
    _cap(conf, why, "meas.conf_few_leads")  # the more basic reason: the value reads short


def _cap(conf: dict[str, float], why: dict[str, str], reason: str) -> None:
    """Every interval's confidence capped at ``FEW_LEADS_CONFIDENCE`` for ``reason``."""
    for k in conf:
        if k in ("hr_bpm", "rr_ms", "qrs_axis_deg", "t_axis_deg", "p_present"):
            continue
        conf[k] = min(conf[k], FEW_LEADS_CONFIDENCE)
        why[k] = reason


def _rr_extra(vals: dict[str, Any]) -> dict[str, Any]:
    return {
        "rr_sdnn_ms": _round(vals.get("rr_sdnn_ms"), 1),
        "rr_rmssd_ms": _round(vals.get("rr_rmssd_ms"), 1),
        "rr_irregularity": _round(vals.get("rr_irregularity"), 3),
        "rr_irregular": vals.get("rr_irregular"),
        "rr_regular_share": vals.get("rr_regular_share"),  # rounded by signal/rhythm.py
    }


def _dominant_rr_s(mb: MedianBeat, det: BeatDetection) -> float:
    rr = det.rr_s
    return float(rr.mean()) if rr.size else 1.0
