"""What is computed when a record opens: measurements, then the analysis, written into the state.

``AnalysisFlow(state, analyzer_factory)`` follows ``state.recordChanged``: the record is measured
on the ``ecg-viewer-measure`` lane (the header fills while the model may still be loading), the
:class:`~ecg_viewer.signal.measure.Measurements` go to ``state.set_measurements``, then the
analysis is requested from the :class:`AnalysisService` (the ``ecg-viewer-model`` lane) and goes
to ``state.set_analysis``. An Analysis already made for the same ECG (the worklist's,
``analysis_cache``) is used instead of a second model run. Free-text queries and "retry" go
through here too. Qt-core only: widgets connect to these signals and to the state's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ecg_viewer.app.analysis_service import AnalysisService, default_analyzer_factory
from ecg_viewer.app.state import ViewerState
from ecg_viewer.app.worker import Lane
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.model.torch_loader import torch_imported

if TYPE_CHECKING:
    from ecg_viewer.signal.measure import Measurements

log = logging.getLogger(__name__)


def measure_record(record: EcgRecord) -> Measurements:
    """The measurements of ``record`` (its measured span; none where no lead is readable);
    raises when it cannot be measured."""
    from ecg_viewer.pipeline.analyze import measure_readable

    torch_imported()  # scipy must not meet a half-imported torch (QA 54)
    return measure_readable(record)


class AnalysisFlow(QObject):
    """Record -> measurements -> analysis for one window's state."""

    modelStateChanged = Signal(str)  # "idle" | "loading" | "ready" | "failed"
    busy = Signal()  # an analysis of the open record is under way
    measured = Signal(object)  # Measurements | None of the open record
    measureFailed = Signal(object)  # the exception (the header shows a short note)
    analysed = Signal(object)  # Analysis of the open record
    analysisFailed = Signal(object)  # the exception
    queryReady = Signal(object)  # the predictor's similarity answer
    queryFailed = Signal(object)  # the exception, or None while the model is still loading

    def __init__(self, state: ViewerState, analyzer_factory: Callable[[], Any] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.service = AnalysisService(analyzer_factory or default_analyzer_factory, self)
        self.measure_lane = Lane("measure", self)
        self.model_state = "idle"
        self.model_error: BaseException | None = None
        # sha256 -> an Analysis made elsewhere for the same ECG (the worklist's), or None
        self.analysis_cache: Callable[[str | None], Any] | None = None
        self._cached = False
        self.service.modelLoading.connect(lambda _t: self._set_model_state("loading"))
        self.service.modelReady.connect(lambda _d: self._set_model_state("ready"))
        self.service.modelFailed.connect(self._model_failed)
        self.service.resultReady.connect(self._result)
        self.service.requestFailed.connect(lambda _id, exc: self.analysisFailed.emit(exc))
        self.service.queryReady.connect(lambda _id, ans: self.queryReady.emit(ans))
        self.service.queryFailed.connect(lambda _id, exc: self.queryFailed.emit(exc))
        state.recordChanged.connect(self._record_changed)

    @property
    def device(self) -> str | None:
        return self.service.device

    @property
    def model_identity(self) -> Any:
        """The loaded model's :class:`~ecg_viewer.app.about.ModelIdentity` (None until loaded)."""
        return self.service.identity

    def start(self) -> None:
        """Load the model in the background (call once the window is shown)."""
        self.service.start()

    # --- per record -----------------------------------------------------------------------------
    def _record_changed(self, record: EcgRecord) -> None:
        self.service.cancel()  # a result for the previous record must never show
        cached = self.analysis_cache(record.sha256) if self.analysis_cache else None
        self._cached = cached is not None
        if cached is not None:  # already analysed (the worklist): no second model run
            self.state.set_analysis(cached)
            self.analysed.emit(cached)
        else:
            self.busy.emit()
        self.measure_lane.submit(measure_record, record, key="measure",
                                 on_done=lambda m, rec=record: self._measured(rec, m),
                                 on_error=lambda exc, rec=record: self._measure_failed(rec, exc))

    def _measured(self, record: EcgRecord, meas: Measurements | None) -> None:
        if record is not self.state.record:
            return
        self.state.set_measurements(meas)
        self.measured.emit(meas)
        if not self._cached:
            self.service.request(record, meas)

    def _measure_failed(self, record: EcgRecord, exc: BaseException) -> None:
        if record is not self.state.record:
            return
        log.warning("measurements failed for %s: %r", record.source_path, exc)
        self.state.set_measurements(None)
        self.measured.emit(None)
        self.measureFailed.emit(exc)
        if not self._cached:  # the model still answers (quality and referral without them)
            self.service.request(record, None)

    def reanalyse(self) -> None:
        record = self.state.record
        if record is not None:
            self.busy.emit()
            self.service.request(record, self.state.measurements)

    def _result(self, _req: int, analysis: Any, meas: Any) -> None:
        if self.state.record is None or analysis.sha256 != self.state.record.sha256:
            return
        if meas is not None and meas is not self.state.measurements:
            # the analysis greys what the file's numbers contradict (a heart rate far off the
            # cart's: signal/quality_measured.py); the header and the median beats show that
            # (QA 48: they kept the figures of a wrong sampling rate in black)
            self.state.set_measurements(meas)
        self.state.set_analysis(analysis)
        self.analysed.emit(analysis)

    def query(self, text: str) -> None:
        """The similarity of the open record to a free text (model ready only)."""
        if self.state.record is None:
            return
        if self.model_state != "ready":
            from ecg_viewer.app.analysis_service import ModelNotLoaded

            self.queryFailed.emit(ModelNotLoaded() if self.model_state == "failed" else None)
            return
        self.service.query(self.state.record, text)

    # --- the model ------------------------------------------------------------------------------
    def _set_model_state(self, state: str, error: BaseException | None = None) -> None:
        self.model_state = state
        self.model_error = error  # why the model is not loaded (state "failed")
        self.modelStateChanged.emit(state)

    def _model_failed(self, exc: BaseException) -> None:
        self._set_model_state("failed", exc)

    def shutdown(self, ms: int = 30000) -> None:
        self.measure_lane.shutdown(ms)
        self.service.shutdown(ms)
