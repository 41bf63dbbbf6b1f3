"""The analysis in the window: the suggestions panel, the model's device in the status bar and the
measurement note in the header follow the app's :class:`~ecg_viewer.app.analysis_flow.AnalysisFlow`
(which decides what is computed). Failures are rendered here, in the language shown now.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QMainWindow

from ecg_viewer.app.analysis_flow import AnalysisFlow
from ecg_viewer.app.analysis_service import analysis_error_text
from ecg_viewer.core.errors import user_message
from ecg_viewer.core.messages import tr
from ecg_viewer.gui.header import HeaderWidget
from ecg_viewer.gui.suggestions_panel import SuggestionsPanel

log = logging.getLogger(__name__)


class AnalysisView(QObject):
    """Connects ``panel``, ``header`` and a device label in ``win``'s status bar to ``flow``."""

    def __init__(self, win: QMainWindow, flow: AnalysisFlow, panel: SuggestionsPanel,
                 header: HeaderWidget) -> None:
        super().__init__(win)
        self.flow = flow
        self.panel = panel
        self.header = header
        self.device_label = QLabel()
        win.statusBar().addPermanentWidget(self.device_label)
        self._measure_error: BaseException | None = None
        flow.modelStateChanged.connect(self._model_state)
        flow.busy.connect(self._busy)
        # texts go to the panel as what renders them: a language switch renders them again
        flow.analysisFailed.connect(lambda exc: panel.show_error(lambda: analysis_error_text(exc)))
        flow.queryReady.connect(panel.show_query_result)
        flow.queryFailed.connect(self._query_failed)
        flow.measureFailed.connect(self._measure_failed)
        flow.state.recordChanged.connect(self._record_changed)
        panel.retryRequested.connect(flow.reanalyse)
        panel.queryRequested.connect(flow.query)

    def _model_state(self, state: str) -> None:
        if state == "loading":
            self.device_label.setText(tr("analysis.loading"))
            if self.flow.state.record is not None and self.panel.state == "busy":
                self.panel.set_busy(lambda: tr("analysis.loading"))
        elif state == "ready":
            device = self.flow.device
            self.device_label.setText(tr("analysis.device", device=device))
            self.panel.set_status(lambda: tr("analysis.ready", device=device))
        elif state == "failed":
            self.device_label.setText(tr("analysis.not_loaded"))
            err = self.flow.model_error
            self.panel.set_status(lambda: analysis_error_text(err) if err is not None
                                  else tr("analysis.not_loaded"))

    def _busy(self) -> None:
        key = "analysis.loading" if self.flow.model_state in ("idle", "loading") else "analysis.running"
        self.panel.set_busy(lambda: tr(key))

    def _query_failed(self, exc: BaseException | None) -> None:
        # None: the model is still loading
        self.panel.show_query_error(lambda: tr("analysis.loading") if exc is None
                                    else analysis_error_text(exc))

    def _record_changed(self, _record: object) -> None:
        self._measure_error = None

    def _measure_failed(self, exc: BaseException) -> None:
        self._measure_error = exc
        self.header.show_measurement_note(tr("ui.meas.failed", reason=user_message(exc)))

    def retranslate(self) -> None:
        """The device label (the panel renders its own texts again in its ``retranslate``)."""
        if self.flow.model_state == "ready" and self.flow.device:
            self.device_label.setText(tr("analysis.device", device=self.flow.device))
        elif self.flow.model_state in ("loading", "failed"):
            self.device_label.setText(tr("analysis.loading" if self.flow.model_state == "loading"
                                         else "analysis.not_loaded"))
        if self._measure_error is not None:
            self._measure_failed(self._measure_error)
