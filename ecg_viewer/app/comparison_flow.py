"""The comparison of the open ECG with the patient's prior ECG (issue 14 §3), on a lane.

``ComparisonFlow(state, analyzer_factory)`` follows the state's analyses: when an ECG's analysis
arrives, the newest earlier ECG of the same patient is looked for (same folder, and the files the
review database knows) on the ``ecg-viewer-compare`` lane; when one is found it is read and
analysed there too (the window's Analyzer), compared, and the referral flag the comparison raises
goes to ``state.set_analysis`` (the banner shows the added reasons). ``compare_file(path)``
compares with a prior picked by hand. Qt-core only: the window shows ``found`` / ``compared`` /
``failed``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ecg_viewer.app.analysis_service import default_analyzer_factory
from ecg_viewer.app.state import ViewerState
from ecg_viewer.app.worker import Lane
from ecg_viewer.compare.diff import Comparison
from ecg_viewer.compare.pair import PriorRefusedError, build_comparison
from ecg_viewer.compare.prior import check_manual_prior, find_prior, why_no_search
from ecg_viewer.compare.referral import with_comparison
from ecg_viewer.core.prediction import Analysis
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import read_ecg

log = logging.getLogger(__name__)


def find_prior_match(record: EcgRecord, extra_files: Iterable[str | Path] = ()) -> Any:
    """On the lane: the prior match (or None) in the record's folder, ``extra_files`` (the open
    worklist's files) and the files of the review database, opened on this thread."""
    from ecg_viewer.review import ReviewStore, ReviewStoreError

    try:
        store = ReviewStore()
    except ReviewStoreError as exc:
        log.warning("prior search without the review database: %r", exc)
        return find_prior(record, extra_files=extra_files)
    try:
        return find_prior(record, store=store, extra_files=extra_files)
    finally:
        store.close()


def compare_with(analyzer_of: Callable[[], Any], record: EcgRecord, analysis: Analysis,
                 prior_path: str, match: str) -> tuple[Comparison, EcgRecord]:
    """On the lane: read the prior ECG, analyse it with ``analyzer_of()``'s Analyzer (made once
    a prior could be read), then compare (median beats measured here)."""
    prior = read_ecg(prior_path)
    if match == "manual":
        refused = check_manual_prior(record, prior)
        if refused is not None:
            raise PriorRefusedError(refused[0], **refused[1])
    prior_analysis = analyzer_of().analyze(prior)
    return build_comparison(record, analysis, prior, prior_analysis, match=match), prior


class ComparisonFlow(QObject):
    """Owns the comparison of the open ECG in one window."""

    found = Signal(object)  # the automatic prior match (compare.prior.PriorMatch)
    busy = Signal()
    compared = Signal(object)  # Comparison
    failed = Signal(object)  # the exception

    def __init__(self, state: ViewerState, analyzer_factory: Callable[[], Any] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.factory = analyzer_factory or default_analyzer_factory
        self._analyzer: Any | None = None  # made on the lane with the first comparison
        self.lane = Lane("compare", self)
        # more candidate files for the prior ECG than the record's folder and the review
        # database: the window gives its worklist's (QA 40: day1/ and day2/ of one folder)
        self.extra_files: Callable[[], Iterable[str | Path]] = tuple
        self.comparison: Comparison | None = None
        self.prior_record: EcgRecord | None = None
        self.base: Analysis | None = None  # the analysis before the comparison raised it
        self._raised: Analysis | None = None
        state.recordChanged.connect(self._record_changed)
        state.analysisChanged.connect(self._analysis_changed)

    def _analyzer_on_lane(self) -> Any:
        if self._analyzer is None:
            self._analyzer = self.factory()
        return self._analyzer

    def _compare(self, record: EcgRecord, base: Analysis, prior_path: str,
                 match: str) -> tuple[Comparison, EcgRecord]:
        return compare_with(self._analyzer_on_lane, record, base, prior_path, match)

    # --- automatic match ------------------------------------------------------------------------
    def _record_changed(self, _record: EcgRecord) -> None:
        self.lane.cancel()
        self.comparison = self.prior_record = self._raised = self.base = None
        # an analysis already set for this record by a slot that ran before this one (the
        # worklist's cached analysis, set synchronously in AnalysisFlow._record_changed): its
        # prior search was cancelled just above, so it starts again (a case opened from the
        # worklist was never compared with its prior ECG)
        if self.state.analysis is not None:
            self._analysis_changed(self.state.analysis)

    def _analysis_changed(self, analysis: Analysis | None) -> None:
        # the analysis the comparison set (raised, or the base back again): no new search
        if analysis is None or analysis is self._raised or analysis is self.base \
                or self.state.record is None:
            return
        self.base = analysis
        record = self.state.record
        if why_no_search(record):
            return
        self.lane.submit(find_prior_match, record, list(self.extra_files()), key="find",
                         on_done=self._found)

    def _found(self, match: Any) -> None:
        if match is None or self.base is None:
            return
        self.found.emit(match)
        self.run(str(match.path), match.source)

    # --- comparing -------------------------------------------------------------------------------
    def run(self, prior_path: str, match: str) -> bool:
        """Compare the open ECG with ``prior_path`` (``match``: how it was found)."""
        record, base = self.state.record, self.base
        if record is None or base is None:
            return False
        self.busy.emit()
        self.lane.submit(self._compare, record, base, prior_path, match, key="compare",
                         on_done=self._compared, on_error=self.failed.emit)
        return True

    def compare_file(self, path: str) -> bool:
        """Compare with ``path`` picked by hand; False while the open ECG has no analysis."""
        if self.base is None:
            self.base = self.state.analysis
        return self.run(path, "manual")

    def _compared(self, result: tuple[Comparison, EcgRecord]) -> None:
        if self.base is None:
            return
        self.comparison, self.prior_record = result
        raised = with_comparison(self.base, self.comparison)
        self._raised = raised
        # the banner shows the reasons this comparison adds, and none of an earlier one's (a
        # second prior picked by hand that raises nothing left the first one's reasons)
        if self.state.analysis is not raised:
            self.state.set_analysis(raised)
        self.compared.emit(self.comparison)

    def shutdown(self, ms: int = 30000) -> None:
        self.lane.shutdown(ms)
