"""The model in the window: one worker thread owns the Analyzer (and its Predictor).

The window appears at once; torch and the weights load on the worker thread behind it
(``modelLoading`` / ``modelReady`` / ``modelFailed``). ``request(record)`` returns a request id;
only the answer to the latest request is delivered (``resultReady(id, Analysis, Measurements)``),
so opening another ECG while one is analysed never shows stale results. A worker exception
becomes ``requestFailed(id, message)``; the service keeps working and the request can be retried.
The GUI thread never waits on the model.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.messages import language, tr
from ecg_viewer.core.record import EcgRecord

log = logging.getLogger(__name__)

_SERVICES: weakref.WeakSet[AnalysisService] = weakref.WeakSet()


def running_services() -> list[AnalysisService]:
    """Services whose model thread is still running (the test suite checks none is left)."""
    return [s for s in list(_SERVICES) if s.thread.isRunning()]


_PREDICTOR_LOCK = threading.Lock()
_PREDICTOR: Any = None


def default_analyzer_factory() -> Any:
    """The shipped model on CUDA when available, else CPU. The Predictor is loaded once per
    process and shared by every window (inference does not change it)."""
    global _PREDICTOR
    from ecg_viewer.model.predictor import Predictor
    from ecg_viewer.pipeline.analyze import Analyzer

    with _PREDICTOR_LOCK:
        if _PREDICTOR is None:
            _PREDICTOR = Predictor(device="auto")
        return Analyzer(_PREDICTOR)


def _message(exc: BaseException) -> str:
    if isinstance(exc, EcgError):
        return exc.user_message(language())
    return tr("analysis.worker_error", error=f"{type(exc).__name__}: {exc}"[:300])


class _ModelWorker(QObject):
    loading = Signal(str)
    ready = Signal(str)  # device
    loadFailed = Signal(str)
    done = Signal(int, object, object)
    failed = Signal(int, str)
    queryDone = Signal(int, object)
    queryFailed = Signal(int, str)

    def __init__(self, factory: Callable[[], Any], latest: Callable[[], int]) -> None:
        super().__init__()
        self._factory = factory
        self._latest = latest
        self.analyzer: Any | None = None

    @Slot()
    def load(self) -> None:
        self.loading.emit(tr("analysis.loading"))
        try:
            self.analyzer = self._factory()
            predictor = getattr(self.analyzer, "predictor", None)
            device = str(getattr(predictor, "device", "cpu")) if predictor is not None else "—"
        except BaseException as exc:  # shown in the panel; the viewer keeps working
            log.exception("model failed to load")
            self.analyzer = None
            self.loadFailed.emit(_message(exc))
            return
        self.ready.emit(device)

    @Slot(int, object, object)
    def analyze(self, req: int, record: EcgRecord, measurements: object) -> None:
        if req != self._latest():
            return  # superseded while queued: skip the work
        if self.analyzer is None:
            self.load()
            if self.analyzer is None:
                self.failed.emit(req, tr("analysis.not_loaded"))
                return
        try:
            analysis, meas = self.analyzer.analyze_parts(record, measurements=measurements)
        except BaseException as exc:
            log.warning("analysis failed: %r", exc)
            self.failed.emit(req, _message(exc))
            return
        self.done.emit(req, analysis, meas)

    @Slot(int, object, str)
    def query(self, req: int, record: EcgRecord, text: str) -> None:
        try:
            predictor = self.analyzer.predictor if self.analyzer is not None else None
            if predictor is None:
                raise RuntimeError("model not loaded")
            self.queryDone.emit(req, predictor.similarity(record, text))
        except BaseException as exc:
            log.warning("free-text query failed: %r", exc)
            self.queryFailed.emit(req, _message(exc))


class AnalysisService(QObject):
    modelLoading = Signal(str)
    modelReady = Signal(str)  # device, e.g. "cpu" / "cuda:0"
    modelFailed = Signal(str)
    resultReady = Signal(int, object, object)  # request id, Analysis, Measurements | None
    requestFailed = Signal(int, str)
    queryReady = Signal(int, object)  # request id, the predictor's similarity answer
    queryFailed = Signal(int, str)
    _analyze = Signal(int, object, object)
    _query = Signal(int, object, str)
    _load = Signal()

    def __init__(self, factory: Callable[[], Any] = default_analyzer_factory) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._latest = 0
        self._latest_query = 0
        self.device: str | None = None
        self.closed = False  # after shutdown() nothing starts the thread again
        self.thread = QThread()
        self.thread.setObjectName("ecg-viewer-model")
        self._worker = _ModelWorker(factory, self.latest_request)
        self._worker.moveToThread(self.thread)
        self._load.connect(self._worker.load)
        self._analyze.connect(self._worker.analyze)
        self._query.connect(self._worker.query)
        self._worker.loading.connect(self.modelLoading)
        self._worker.ready.connect(self._on_ready)
        self._worker.loadFailed.connect(self.modelFailed)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._worker.queryDone.connect(self._on_query_done)
        self._worker.queryFailed.connect(self._on_query_failed)
        _SERVICES.add(self)

    def latest_request(self) -> int:
        with self._lock:
            return self._latest

    def start(self) -> None:
        """Start the thread and load the model in the background."""
        if not self.closed and not self.thread.isRunning():
            self.thread.start()
            self._load.emit()

    def request(self, record: EcgRecord, measurements: object = None) -> int:
        """Analyse ``record`` (with its measurements when already made); supersedes every
        earlier request."""
        self.start()
        with self._lock:
            self._latest += 1
            req = self._latest
        self._analyze.emit(req, record, measurements)
        return req

    def cancel(self) -> None:
        """Forget the pending request (e.g. the record was closed)."""
        with self._lock:
            self._latest += 1

    def query(self, record: EcgRecord, text: str) -> int:
        self.start()
        self._latest_query += 1
        self._query.emit(self._latest_query, record, text)
        return self._latest_query

    def shutdown(self, timeout_ms: int = 30000) -> None:
        self.closed = True
        self.cancel()
        if self.thread.isRunning():
            self.thread.quit()
            self.thread.wait(timeout_ms)

    def _on_ready(self, device: str) -> None:
        self.device = device
        self.modelReady.emit(device)

    def _on_done(self, req: int, analysis: object, meas: object) -> None:
        if req == self.latest_request():
            self.resultReady.emit(req, analysis, meas)

    def _on_failed(self, req: int, message: str) -> None:
        if req == self.latest_request():
            self.requestFailed.emit(req, message)

    def _on_query_done(self, req: int, answer: object) -> None:
        if req == self._latest_query:
            self.queryReady.emit(req, answer)

    def _on_query_failed(self, req: int, message: str) -> None:
        if req == self._latest_query:
            self.queryFailed.emit(req, message)
