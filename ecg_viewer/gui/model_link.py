"""The model in the window (issue 6): measurements right after a record opens, then the model's
suggestions and the referral flag from the worker thread, and free-text queries.

``ModelFeatures(window)`` connects to the window's ViewerState and SuggestionsPanel:
record opened -> measurements on a worker (header) -> analysis request (panel). The model loads
in the background when the window starts; the device is shown in the status bar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from ecg_viewer.app.analysis_service import AnalysisService, default_analyzer_factory
from ecg_viewer.app.worker import start_task
from ecg_viewer.core.messages import tr
from ecg_viewer.core.record import EcgRecord

if TYPE_CHECKING:
    from ecg_viewer.gui.main_window import MainWindow
    from ecg_viewer.signal.measure import Measurements

log = logging.getLogger(__name__)


def _measure(record: EcgRecord) -> Measurements | None:
    """The measurements, on a worker (scipy loads there, after the window has shown)."""
    from ecg_viewer.pipeline.analyze import safe_measure

    return safe_measure(record)


class ModelFeatures(QObject):
    """Owns the AnalysisService of one window."""

    measured = Signal(object)  # Measurements | None of the open record (median beat panel etc.)
    analysed = Signal(object)  # Analysis of the open record

    def __init__(self, window: MainWindow, analyzer_factory: Callable[[], Any] | None = None,
                 autostart: bool = True) -> None:  # fmt: skip
        super().__init__(window)
        self.window = window
        self.state = window.state
        self.panel = window.panel
        self.service = AnalysisService(analyzer_factory or default_analyzer_factory)
        self.model_state = "idle"  # idle | loading | ready | failed
        self.device_label = QLabel()
        window.statusBar().addPermanentWidget(self.device_label)
        self._record_seq = 0
        self._measurements: Measurements | None = None
        # sha256 -> an Analysis made elsewhere for the same ECG (the worklist's), or None
        self.analysis_cache: Callable[[str | None], Any] | None = None
        self._cached = False
        try:
            from ecg_viewer.labels.catalog import default_catalog

            self.panel.catalog = default_catalog()  # loaded once per process
        except (OSError, ValueError) as exc:
            log.warning("catalog not available for synonyms: %s", exc)

        self.service.modelLoading.connect(self._loading)
        self.service.modelReady.connect(self._ready)
        self.service.modelFailed.connect(self._failed_load)
        self.service.resultReady.connect(self._result)
        self.service.requestFailed.connect(self._request_failed)
        self.service.queryReady.connect(lambda _req, ans: self.panel.show_query_result(ans))
        self.service.queryFailed.connect(lambda _req, msg: self.panel.show_query_error(msg))
        self.panel.retryRequested.connect(self.reanalyse)
        self.panel.queryRequested.connect(self._query)
        self.state.recordChanged.connect(self._record_changed)
        if autostart:  # after the window is shown: torch and the weights load behind it
            QTimer.singleShot(0, self.service.start)
        self.retranslate()

    # --- model state ------------------------------------------------------------------------
    def _loading(self, text: str) -> None:
        self.model_state = "loading"
        self.device_label.setText(text)
        if self.state.record is not None and self.panel.state == "busy":
            self.panel.set_busy(text)

    def _ready(self, device: str) -> None:
        self.model_state = "ready"
        self.device_label.setText(tr("analysis.device", device=device))
        self.panel.set_status(tr("analysis.ready", device=device))

    def _failed_load(self, message: str) -> None:
        self.model_state = "failed"
        self.device_label.setText(tr("analysis.not_loaded"))
        self.panel.set_status(message)

    # --- per record -------------------------------------------------------------------------
    def _record_changed(self, record: EcgRecord) -> None:
        self._record_seq += 1
        seq = self._record_seq
        self.service.cancel()  # a result for the previous record must never show
        cached = self.analysis_cache(record.sha256) if self.analysis_cache else None
        self._cached = cached is not None
        if cached is not None:  # already analysed (the worklist): no second model run
            self.state.set_analysis(cached)
            self.analysed.emit(cached)
        else:
            self.panel.set_busy(tr("analysis.loading") if self.model_state in ("idle", "loading")
                                else tr("analysis.running"))
        task = start_task(_measure, record, name="measure")
        task.finished.connect(lambda meas, seq=seq, rec=record: self._measured(seq, rec, meas))
        task.errored.connect(lambda exc, seq=seq, rec=record: self._measured(seq, rec, None))

    def _measured(self, seq: int, record: EcgRecord, meas: Measurements | None) -> None:
        if seq != self._record_seq:
            return
        self.state.set_measurements(meas.to_dict() if meas is not None else None)
        self.measured.emit(meas)
        self._measurements = meas
        if not self._cached:
            self.service.request(record, meas)

    def reanalyse(self) -> None:
        record = self.state.record
        if record is not None:
            self.panel.set_busy(tr("analysis.running"))
            self.service.request(record, self._measurements)

    def _result(self, _req: int, analysis: Any, _meas: Any) -> None:
        if self.state.record is None or analysis.sha256 != self.state.record.sha256:
            return
        self.state.set_analysis(analysis)
        self.analysed.emit(analysis)

    def _request_failed(self, _req: int, message: str) -> None:
        self.panel.show_error(message)

    def _query(self, text: str) -> None:
        if self.state.record is None:
            return
        if self.model_state != "ready":
            self.panel.show_query_error(tr("analysis.not_loaded") if self.model_state == "failed"
                                        else tr("analysis.loading"))
            return
        self.service.query(self.state.record, text)

    # --- window hooks -------------------------------------------------------------------------
    def retranslate(self) -> None:
        if self.model_state == "ready" and self.service.device:
            self.device_label.setText(tr("analysis.device", device=self.service.device))

    def shutdown(self) -> None:
        self.service.shutdown()
