"""Quality checks that need the measurements: what the file says about itself that cannot be
true (QA 45). The quality gate of :mod:`ecg_viewer.signal.quality` judges the signal before it
is measured; these judge the file's numbers against the measured heart.

- **The cart's own heart rate disagrees** (``meta.extra["device_measurements"]``): a sampling
  rate written wrong in the file (GE MUSE ``SampleBase`` 250 for a 500-Hz record) halves the
  heart rate and doubles every interval, which then raised 要至急 on a normal ECG while the
  cart's rate, half ours, stood on the next line. Ours and the cart's from the same beats differ
  by a few beats per minute (7 carts, 4 GE MUSE exports: at most 2/min); at a ratio of 1.5 or
  more (and 20/min apart) the file's rate or our beat detection is wrong, so the record is gated
  (判定不能, the reason named) and its values greyed: no rule fires on them.
- **A QRS too large for a heart** (:func:`~ecg_viewer.signal.criteria.qrs_amplitude_implausible`:
  the median peak-to-peak over the leads ≥ 5 mV) means the file's units per mV are wrong. The
  voltage criteria are not assessed then; this says so where the reader looks (a 10× gain had
  read 異常なし with the reason in the criteria tab alone). A warning, not a gate: the rhythm and
  the intervals do not depend on the gain.
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


def device_hr(record: EcgRecord) -> float | None:
    """The heart rate the recording cart wrote into the file, or None."""
    dm = (record.meta.extra or {}).get("device_measurements") or {}
    v: Any = dm.get("hr_bpm") if isinstance(dm, dict) else None
    if isinstance(v, bool) or not isinstance(v, int | float) or not 20 <= v <= 350:
        return None
    return float(v)


def hr_disagrees(ours: float | None, device: float | None) -> bool:
    if ours is None or device is None or ours <= 0:
        return False
    ratio = max(ours, device) / min(ours, device)
    return ratio >= DEVICE_HR_RATIO and abs(ours - device) >= DEVICE_HR_MIN_DIFF_BPM


def measured_quality(record: EcgRecord, meas: Measurements | None,
                     quality: QualityReport) -> tuple[QualityReport, Measurements | None]:
    """``quality`` with the problems found on the measurements added, and the measurements
    greyed when the record is gated for them."""
    if meas is None:
        return quality, meas
    problems: list[QualityProblem] = []
    gate = False
    device = device_hr(record)
    if hr_disagrees(meas.hr_bpm, device):
        problems.append(QualityProblem(code="device_rate_disagrees", leads=(), reason=Reason.of(
            "quality.device_rate_disagrees", ours=round(float(meas.hr_bpm or 0)),
            device=round(float(device or 0)), fs_hz=f"{record.fs_hz:g}")))
        gate = True
        meas = meas.with_all_low("meas.conf_device_rate")
    if qrs_amplitude_implausible(meas):
        problems.append(QualityProblem(code="gain_implausible", leads=(), reason=Reason.of(
            "quality.gain_implausible", limit_mv=f"{AMPLITUDE_IMPLAUSIBLE_MEDIAN_MV:g}")))
    if not problems:
        return quality, meas
    return QualityReport(ok=quality.ok and not gate,
                         problems=(*quality.problems, *problems)), meas
