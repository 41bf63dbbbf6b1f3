"""Rate and RR regularity of the detected beats (:func:`rhythm`, as ``signal/measure.py``
reports them): RMSSD over the mean RR, and whether the RR is irregular as atrial fibrillation's
is, not merely interrupted by a premature beat or two.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecg_viewer.signal.beats import BeatDetection

# An RR series is irregular when RMSSD / mean RR exceeds IRREGULAR_NRMSSD ...
IRREGULAR_NRMSSD = 0.10
# ... and the irregularity must be that of many beats, not of one or two premature beats: more
# than IRREGULAR_SHARE of the successive RR differences exceed IRREGULAR_STEP of the median RR.
# A sinus rhythm with an isolated PAC/PVC has a large RMSSD (one short-long pair: two large
# differences in ~18) but few large differences; atrial fibrillation, irregularly irregular, and
# a flutter whose AV conduction changes have many. Chosen on PTB-XL folds 1-8 (100 Hz, RR in
# 10-ms steps; ``bench/rhythm.py``, which also reports folds 9-10 and CinC): AF/AFL called
# irregular 96.5 % -> 95.9 %, sinus with PAC/PVC (mostly frequent ones) 98.6 % -> 66.7 %, clean
# sinus 3.6 % -> 3.0 %. Half instead of a third passed PTB-XL 17 (flutter, 2:1 conduction for
# half the record, then variable) as regular.
IRREGULAR_STEP = 0.05
IRREGULAR_SHARE = 1.0 / 3.0
# A regular rhythm interrupted by premature beats keeps most of its RR intervals at one length:
# ``rr_regular_share``, the largest share of the RR intervals within IRREGULAR_STEP of one of
# them (reported in the measurements; atrial fibrillation, irregularly irregular, has no such
# length). Used by no rule: tried on 2026-12-06 as the P-wave bar of a regular rhythm and as
# an exemption from AF's rapid-response 要至急 (QA 52: CinC JS20016, a regular 137/min with
# two PACs, reads 心房細動 要至急), it gave an AF with PVCs a P wave (PTB-XL 1439, share 0.71)
# and took the 要至急 from a flutter at 129/min read as AF (PTB-XL 18, share 0.81; QA 55).
# ``bench/rhythm.py`` reports the share >= REGULAR_DOMINANT_SHARE column.
REGULAR_DOMINANT_SHARE = 0.6


def irregular_share(rr_ms: np.ndarray) -> float:
    """The share of successive RR differences larger than ``IRREGULAR_STEP`` of the median RR."""
    if rr_ms.size < 2:
        return 0.0
    return float(np.mean(np.abs(np.diff(rr_ms)) > IRREGULAR_STEP * float(np.median(rr_ms))))


def regular_share(rr_ms: np.ndarray) -> float:
    """The largest share of the RR intervals within ``IRREGULAR_STEP`` of one of them."""
    if rr_ms.size == 0:
        return 0.0
    near = np.abs(rr_ms[None, :] - rr_ms[:, None]) <= IRREGULAR_STEP * rr_ms[:, None]
    return float(near.mean(axis=1).max())


def premature_beats_only(vals: dict[str, Any]) -> bool:
    """Whether an RR series called irregular is a regular rhythm with premature beats
    (:data:`REGULAR_DOMINANT_SHARE`)."""
    share = vals.get("rr_regular_share")
    return bool(vals.get("rr_irregular")) and share is not None and \
        share >= REGULAR_DOMINANT_SHARE


def rhythm(det: BeatDetection) -> dict[str, Any]:
    """Rate and RR regularity of the detected beats (``rr_ms``, ``hr_bpm``, ``rr_sdnn_ms``,
    ``rr_rmssd_ms``, ``rr_irregularity``, ``rr_irregular``, ``rr_regular_share``), as
    ``signal.measure.measure`` reports them."""
    rr = det.rr_s * 1000.0
    if rr.size == 0:
        return {}
    mean = float(rr.mean())
    out: dict[str, Any] = {"rr_ms": mean, "hr_bpm": 60000.0 / mean}
    if rr.size >= 2:
        out["rr_sdnn_ms"] = float(rr.std(ddof=1))
        out["rr_rmssd_ms"] = float(np.sqrt(np.mean(np.diff(rr) ** 2)))
        out["rr_irregularity"] = out["rr_rmssd_ms"] / mean
    if rr.size >= 4:
        out["rr_irregular"] = bool(out["rr_irregularity"] > IRREGULAR_NRMSSD
                                   and irregular_share(rr) > IRREGULAR_SHARE)
        # at the precision the JSON gives it, so premature_beats_only and a reader agree (QA 53)
        out["rr_regular_share"] = round(regular_share(rr), 2)
    return out
