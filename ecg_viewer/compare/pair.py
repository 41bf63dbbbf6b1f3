"""One comparison from two records and their analyses, with the median beats for drawing.

The analyses come from the caller (the window's model thread, or ``Analyzer`` in the commands):
this package never loads the model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ecg_viewer.compare.diff import Comparison, EcgRef, compare_analyses
from ecg_viewer.compare.rules import ComparisonRules
from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.messages import Reason
from ecg_viewer.core.prediction import Analysis
from ecg_viewer.core.record import EcgRecord

log = logging.getLogger(__name__)

#: the median beat is made from the first minute, as the measurements are (pipeline/analyze.py)
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


class PriorRefusedError(EcgError, ValueError):
    """A prior ECG named by hand that cannot be the prior (same ECG, other patient, later)."""


class PriorUnreadableError(EcgError, ValueError):
    """A prior ECG named by hand that cannot be read or analysed: the message names the prior
    file, so the error is not taken for one of the current ECG."""

    def __init__(self, file: str, error: EcgError) -> None:
        super().__init__("compare.prior_unreadable", file=file, error=error)


def why_reason(record: EcgRecord, key: str | None) -> Reason | None:
    """The message saying why there is no comparison (``compare_with_prior``'s key), its
    parameters filled: 「同じ患者（ID 583）の前回心電図は見つかりませんでした。」."""
    if key is None:
        return None
    if key == "compare.none_found":
        from ecg_viewer.compare.prior import usable_patient_id

        return Reason.of(key, patient_id=usable_patient_id(record.meta.patient_id) or "—")
    return Reason.of(key)


def unreadable_note(files: list[Path]) -> Reason | None:
    """The one line the commands print for the files ``--prior auto`` met that cannot be read
    (「前回心電図の候補のうち 5 件は読めませんでした（詳細はログ: …）」); each file's error is in the
    log file. None when there are none."""
    from ecg_viewer.core.crash_log import current_log_file

    n = len(dict.fromkeys(files))
    if not n:
        return None
    log_path = current_log_file()
    if log_path is None:
        return Reason.of("compare.cli.candidates_unreadable", n=n)
    return Reason.of("compare.cli.candidates_unreadable_log", n=n, log=str(log_path))


#: ``--prior`` values that are not file names
PRIOR_AUTO = "auto"
PRIOR_NONE = "none"


def compare_with_prior(record: EcgRecord, analysis: Analysis, prior: str | None,
                       analyze: Callable[[EcgRecord], Analysis], *, store: Any = None,
                       with_medians: bool = True,
                       unreadable: list[Path] | None = None) -> tuple[Comparison | None, str | None]:
    """The comparison the commands make: ``prior`` is a file name, ``"auto"`` (the newest earlier
    ECG of the same patient in the record's folder or the review database ``store``) or
    ``"none"``/None. Returns (comparison or None, message key saying why there is none;
    :func:`why_reason` fills its parameters).
    Raises PriorUnreadableError for a prior file named by hand that cannot be read or analysed
    and PriorRefusedError for one that cannot be this patient's prior; a prior found by "auto"
    that cannot be used gives (None, "compare.prior_auto_unusable"). ``unreadable``, when
    given, receives the files "auto" met that cannot be read (``prior.find_priors``)."""
    from ecg_viewer.compare.prior import check_manual_prior, find_prior, why_no_search
    from ecg_viewer.io import read_ecg

    if prior is None or prior == PRIOR_NONE:
        return None, None
    if prior == PRIOR_AUTO:
        why = why_no_search(record)
        if why:
            return None, why
        match = find_prior(record, store=store, unreadable=unreadable)
        if match is None:
            return None, "compare.none_found"
        try:  # a prior found by itself that cannot be used leaves the current ECG uncompared
            prior_record = read_ecg(match.path)
            prior_analysis = analyze(prior_record)
        except EcgError as exc:
            log.warning("prior ECG %s not used: %s", match.path, exc)
            return None, "compare.prior_auto_unusable"
        how = match.source
    else:
        try:
            prior_record = read_ecg(prior)
        except EcgError as exc:
            raise PriorUnreadableError(prior, exc) from exc
        how = "manual"
        refused = check_manual_prior(record, prior_record)
        if refused is not None:
            raise PriorRefusedError(refused[0], **refused[1])
        try:
            prior_analysis = analyze(prior_record)
        except EcgError as exc:
            raise PriorUnreadableError(prior, exc) from exc
    return build_comparison(record, analysis, prior_record, prior_analysis, match=how,
                            with_medians=with_medians), None
