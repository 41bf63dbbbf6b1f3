"""One comparison from two records and their analyses, with the median beats for drawing.

The analyses come from the caller (the window's model thread, or ``Analyzer`` in the commands):
this package never loads the model.
"""

from __future__ import annotations

import logging
from typing import Any

from ecg_viewer.compare.diff import Comparison, EcgRef, compare_analyses
from ecg_viewer.compare.rules import ComparisonRules
from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.prediction import Analysis
from ecg_viewer.core.record import EcgRecord

log = logging.getLogger(__name__)

#: the median beat is made from the first minute, as the measurements are (model/analyze.py)
MEDIAN_MAX_S = 60.0


def median_of(record: EcgRecord) -> Any:
    """The median beat (``signal.median.MedianBeat``) of a record, or None when not measurable."""
    from ecg_viewer.signal.measure import measure

    n = int(MEDIAN_MAX_S * record.fs_hz)
    rec = record if record.n_samples <= n else record.with_signal(record.signal_mv[:, :n])
    try:
        return measure(rec).median
    except (EcgError, ValueError) as exc:
        log.warning("no median beat for %s: %s", record.source_path, exc)
        return None


def build_comparison(current: EcgRecord, current_analysis: Analysis, prior: EcgRecord,
                     prior_analysis: Analysis, *, match: str = "manual",
                     current_median: Any = None, prior_median: Any = None,
                     with_medians: bool = True,
                     rules: ComparisonRules | None = None) -> Comparison:
    """The comparison of ``current`` with ``prior``; the median beats are measured here when
    not given (``with_medians=False`` leaves them out)."""
    if with_medians:
        current_median = current_median if current_median is not None else median_of(current)
        prior_median = prior_median if prior_median is not None else median_of(prior)
    return compare_analyses(current_analysis, prior_analysis,
                            current_ref=EcgRef.of(current, current_analysis),
                            prior_ref=EcgRef.of(prior, prior_analysis), match=match, rules=rules,
                            current_median=current_median, prior_median=prior_median)
