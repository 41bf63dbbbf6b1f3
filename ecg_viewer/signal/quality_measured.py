"""Quality checks that need the measurements: what the file says about itself that cannot be
true (QA 45). The quality gate of :mod:`ecg_viewer.signal.quality` judges the signal before it
is measured; these judge the file's numbers against the measured heart.

- **The cart's own heart rate disagrees** (``meta.extra["device_measurements"]``): a sampling
  rate written wrong in the file (GE MUSE ``SampleBase`` 250 for a 500-Hz record) halves the
  heart rate and doubles every interval, which then raised 要至急 on a normal ECG while the
  cart's rate, half ours, stood on the next line. Ours and the cart's from the same beats differ
  by a few beats per minute (7 carts, 4 GE MUSE exports: at most 2/min); at a ratio of 1.5 or
  more (and 20/min apart) the file's rate or our beat detection is wrong, so the record is gated
  (判定不能, the reason named) and its values greyed: no rule fires on them. Where the file has
  no rate of the cart's, its RR gives one; without either, its QT (ratio 1.5, 100 ms apart),
  then its QRS (ratio 1.8, 60 ms apart) decide the same (QA 51). On the 24 sample and cart
  files that carry the cart's measurements none is gated.
- **A QRS too large for a heart** (:func:`~ecg_viewer.signal.criteria.qrs_amplitude_implausible`:
  the median peak-to-peak over the leads ≥ 5 mV) means the file's units per mV are wrong. The
  voltage criteria are not assessed then; this says so where the reader looks (a 10× gain had
  read 異常なし with the reason in the criteria tab alone). A warning, not a gate: the rhythm and
  the intervals do not depend on the gain.
- **P, QRS and T all negative in lead I** (each frontal axis beyond ±90°, with a P wave found):
  the right and left arm electrodes are exchanged, every lead's polarity is inverted (an
  exporter's sign error), or the heart is on the right (dextrocardia). QA 65: a normal ECG
  written with its sign flipped read P/QRS/T 177/−103/−144° and raised 要至急 for infarction and
  injury with no remark. The model's labels and the criteria read mirrored waves then, so the
  record is gated (判定不能, the reason asks for the electrodes to be checked); the intervals
  do not depend on polarity and are shown as measured. Of the 3,782 PTB-XL and CinC records of
  the fusion's cache none has all three axes beyond ±90° (5 have the P and QRS axes there).
"""

from __future__ import annotations

from typing import Any

from ecg_viewer.core.messages import Reason
from ecg_viewer.core.prediction import QualityProblem, QualityReport
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.signal.criteria import AMPLITUDE_IMPLAUSIBLE_MEDIAN_MV, qrs_amplitude_implausible
from ecg_viewer.signal.measure import Measurements

DEVICE_HR_RATIO = 1.5
DEVICE_HR_MIN_DIFF_BPM = 20.0
QRS_RATIO = 1.8


def _device_value(record: EcgRecord, key: str, lo: float, hi: float) -> float | None:
    dm = (record.meta.extra or {}).get("device_measurements") or {}
    v: Any = dm.get(key) if isinstance(dm, dict) else None
    if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi:
        return None
    return float(v)


def device_hr(record: EcgRecord) -> float | None:
    """The heart rate the recording cart wrote into the file (or the one its RR gives), or
    None."""
    hr = _device_value(record, "hr_bpm", 20, 350)
    rr = _device_value(record, "rr_ms", 170, 3000)
    return hr if hr is not None else (60000.0 / rr if rr is not None else None)


def device_qt(record: EcgRecord) -> float | None:
    """The QT interval the recording cart wrote into the file, or None."""
    return _device_value(record, "qt_ms", 150, 800)


def _apart(ours: float | None, device: float | None, ratio: float, diff: float) -> bool:
    """Whether our figure and the cart's are ``ratio`` times and ``diff`` apart (a wrong
    sampling rate scales every figure; a missing one decides nothing)."""
    if ours is None or device is None or ours <= 0 or device <= 0:
        return False
    return max(ours, device) / min(ours, device) >= ratio and abs(ours - device) >= diff


def qt_disagrees(ours: float | None, device: float | None) -> bool:
    """Our QT and the cart's from the same beats differ by ~10 ms (11 carts: at most 18 ms);
    a ratio of 1.5 and 100 ms apart is a wrong sampling rate (every interval scaled)."""
    return _apart(ours, device, DEVICE_HR_RATIO, 100.0)


def qrs_disagrees(ours: float | None, device: float | None) -> bool:
    """Our QRS and the cart's differ by up to ~35 ms (Philips 129DYPRG: 102 against 135 ms, a
    ratio of 1.3); a ratio of 1.8 and 60 ms apart is a wrong sampling rate."""
    return _apart(ours, device, QRS_RATIO, 60.0)


def device_disagreement(record: EcgRecord, meas: Measurements) -> Reason | None:
    """Why the file's rate cannot be right, from the cart's own heart rate (or RR), else its
    QT, else its QRS (QA 51: files carrying the cart's QRS and QT but no heart rate, their rate
    written wrong, read 完全左脚ブロック at QRS 220 ms, or 4 kinds of infarction at QRS 382 ms
    beside the cart's 120), or None."""
    hr = device_hr(record)
    if hr_disagrees(meas.hr_bpm, hr):
        return Reason.of("quality.device_rate_disagrees", ours=round(float(meas.hr_bpm or 0)),
                         device=round(float(hr or 0)), fs_hz=f"{record.fs_hz:g}")
    if hr is not None and meas.hr_bpm is not None:
        # the cart's rate confirms the file's: an interval apart is a measuring difference,
        # not a wrong rate (QA 53: a cart QRS of 200 ms had turned a STEMI into 判定不能)
        return None
    qt = device_qt(record)
    if qt_disagrees(meas.qt_ms, qt):
        return Reason.of("quality.device_interval_disagrees", what="QT",
                         ours=round(float(meas.qt_ms or 0)), device=round(float(qt or 0)),
                         fs_hz=f"{record.fs_hz:g}")
    qrs = _device_value(record, "qrs_ms", 40, 250)
    if qrs_disagrees(meas.qrs_ms, qrs):
        return Reason.of("quality.device_interval_disagrees", what="QRS",
                         ours=round(float(meas.qrs_ms or 0)), device=round(float(qrs or 0)),
                         fs_hz=f"{record.fs_hz:g}")
    return None


#: a frontal axis beyond this (either way) is negative in lead I
LEAD_I_NEGATIVE_DEG = 90.0


def limb_reversal(meas: Measurements) -> Reason | None:
    """Why the arm electrodes look exchanged (or the polarity inverted): a P wave, the QRS and
    the T wave all negative in lead I; None otherwise."""
    axes = (meas.p_axis_deg, meas.qrs_axis_deg, meas.t_axis_deg)
    if meas.pr_ms is None or any(a is None or abs(a) <= LEAD_I_NEGATIVE_DEG for a in axes):
        return None
    p, qrs, t = (round(float(a)) for a in axes)  # type: ignore[arg-type]
    return Reason.of("quality.limb_reversal", p=p, qrs=qrs, t=t)


def hr_disagrees(ours: float | None, device: float | None) -> bool:
    return _apart(ours, device, DEVICE_HR_RATIO, DEVICE_HR_MIN_DIFF_BPM)


def measured_quality(record: EcgRecord, meas: Measurements | None,
                     quality: QualityReport) -> tuple[QualityReport, Measurements | None]:
    """``quality`` with the problems found on the measurements added, and the measurements
    greyed when the record is gated for them."""
    if meas is None:
        return quality, meas
    problems: list[QualityProblem] = []
    gate = False
    why = device_disagreement(record, meas)
    if why is not None:
        problems.append(QualityProblem(code="device_rate_disagrees", leads=(), reason=why))
        gate = True
        meas = meas.with_all_low("meas.conf_device_rate")
    reversal = limb_reversal(meas)
    if reversal is not None:
        problems.append(QualityProblem(code="limb_reversal", leads=("I",), reason=reversal))
        gate = True
    if qrs_amplitude_implausible(meas):
        problems.append(QualityProblem(code="gain_implausible", leads=(), reason=Reason.of(
            "quality.gain_implausible", limit_mv=f"{AMPLITUDE_IMPLAUSIBLE_MEDIAN_MV:g}")))
    if not problems:
        return quality, meas
    return QualityReport(ok=quality.ok and not gate,
                         problems=(*quality.problems, *problems)), meas
