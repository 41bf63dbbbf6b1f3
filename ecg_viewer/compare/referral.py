"""The referral flag raised by the comparison with the prior ECG.

``raise_referral(referral, comparison)`` returns the flag with what is new since the prior ECG
among its reasons: a finding new since the prior ECG is judged at least at the level of the rule
table's ``new_findings`` (a new LBBB or new AF is 要精査 by itself), but never above the level
the single-ECG rules give it in this ECG (``labels.referral.own_level``: secondary ST-T with a
bundle branch block, a paced rhythm); a marked measurement change at its rule's level. The
level never goes down (a resolved finding lowers nothing), and an unreadable record stays
unreadable. As in ``labels/referral.py`` the reasons listed are those at
the resulting level.
"""

from __future__ import annotations

from dataclasses import replace

from ecg_viewer.compare.diff import Comparison
from ecg_viewer.core.messages import Reason
from ecg_viewer.core.prediction import SEVERITY, Analysis, Referral


def raise_referral(referral: Referral, comparison: Comparison | None) -> Referral:
    if comparison is None or referral.level == "unreadable" or not comparison.raises:
        return referral
    current = SEVERITY[referral.level]
    top = max([current] + [SEVERITY[r.level] for r in comparison.raises])
    chosen = [r for r in comparison.raises if SEVERITY[r.level] == top]
    if top > current:
        level = chosen[0].level
        because: list[str] = []
        reasons: list[Reason] = []
    else:
        level = referral.level
        because, reasons = list(referral.because), list(referral.reason_keys)
    for r in chosen:
        if r.id not in because:
            because.append(r.id)
            reasons.append(r.reason)
    named = referral.named if "combination" in because else ()
    return Referral(level, because=tuple(because), reason_keys=tuple(reasons), named=named)


def with_comparison(analysis: Analysis, comparison: Comparison | None) -> Analysis:
    """The analysis with its referral flag raised by the comparison (the same object when the
    comparison raises nothing)."""
    raised = raise_referral(analysis.referral, comparison)
    if raised == analysis.referral:
        return analysis
    return replace(analysis, referral=raised)
