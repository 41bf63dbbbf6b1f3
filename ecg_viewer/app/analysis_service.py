"""The model in the window: one lane (``ecg-viewer-model``) owns the Analyzer (and its Predictor).

The window appears at once; torch and the weights load on the lane behind it (``modelLoading`` /
``modelReady`` / ``modelFailed``). ``request(record)`` returns a request id; only the answer to
the latest request is delivered (``resultReady(id, Analysis, Measurements)``), so opening another
ECG while one is analysed never shows stale results. A worker exception becomes
``requestFailed(id, exc)`` (rendered with :func:`analysis_error_text` where it is shown); the
service keeps working and the request can be retried. Free-text queries run on the same lane
(``query`` -> ``queryReady`` / ``queryFailed``). The GUI thread never waits on the model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ecg_viewer.app.about import ModelIdentity, identity_of
from ecg_viewer.app.worker import Lane
from ecg_viewer.core.errors import EcgError, user_message
from ecg_viewer.core.messages import tr
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.model.errors import ModelError
from ecg_viewer.model.torch_loader import import_torch

log = logging.getLogger(__name__)


def default_analyzer_factory() -> Any:
    """The shipped model on CUDA when available, else CPU (one Predictor per process)."""
    from ecg_viewer.pipeline.factory import make_analyzer

    return make_analyzer("auto", None, True)


def analysis_error_text(exc: BaseException, lang: str | None = None) -> str:
    """What the suggestions panel says when an analysis failed (in ``lang``, default current)."""
    if isinstance(exc, EcgError):
        return exc.message(lang)
    return tr("analysis.worker_error", lang, error=user_message(exc, lang))


class ModelNotLoaded(ModelError, RuntimeError):
    """The model could not be loaded, so no suggestions can be made."""

    message_key = "analysis.not_loaded"


class AnalysisService(QObject):
    modelLoading = Signal(str)  # the text to show while loading
    modelReady = Signal(str)  # device, e.g. "cpu" / "cuda:0"
    modelFailed = Signal(object)  # the exception
    resultReady = Signal(int, object, object)  # request id, Analysis, Measurements | None
    requestFailed = Signal(int, object)  # request id, the exception
    queryReady = Signal(int, object)  # request id, the predictor's similarity answer
    queryFailed = Signal(int, object)  # request id, the exception
    # device | None, exception | None, ModelIdentity | None (from the lane)
    _loaded = Signal(object, object, object)

    def __init__(self, factory: Callable[[], Any] = default_analyzer_factory,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._factory = factory
        self.lane = Lane("model", self)
        self.analyzer: Any | None = None  # touched on the lane's thread only
        self.device: str | None = None
        self.identity: ModelIdentity | None = None  # the loaded model (Help → About)
        self._started = False
        self._analysis_id = self._query_id = 0
        self._loaded.connect(self._on_loaded)
        self.lane.finished.connect(self._on_done)
        self.lane.failed.connect(self._on_failed)

    @property
    def closed(self) -> bool:
        return self.lane.closed

    # --- on the lane ------------------------------------------------------------------------------
    def _ensure_loaded(self) -> Any:
        """The Analyzer, built on first use (on the lane's thread); a model that failed to load
        is tried again with the next request. Raises ModelNotLoaded."""
        if self.analyzer is None:
            import_torch()
            try:
                analyzer = self._factory()
                predictor = getattr(analyzer, "predictor", None)
                device = str(getattr(predictor, "device", "cpu")) if predictor is not None else "—"
            except Exception as exc:  # shown in the panel; the viewer keeps working
                log.warning("model failed to load: %r", exc, exc_info=True)
                self._loaded.emit(None, exc, None)
                raise ModelNotLoaded() from exc
            self.analyzer = analyzer
            self._loaded.emit(device, None, identity_of(analyzer))
        return self.analyzer

    def _load(self) -> None:
        try:
            self._ensure_loaded()
        except ModelNotLoaded:
            pass  # modelFailed carries the reason

    def _analyze(self, record: EcgRecord, measurements: Any) -> tuple[Any, Any]:
        return self._ensure_loaded().analyze_parts(record, measurements=measurements)

    def _query(self, record: EcgRecord, text: str) -> Any:
        predictor = getattr(self._ensure_loaded(), "predictor", None)
        if predictor is None:
            raise ModelNotLoaded()
        return predictor.similarity(record, text)

    # --- the GUI thread ---------------------------------------------------------------------------
    def start(self) -> None:
        """Load the model in the background (once)."""
        if not self.closed and not self._started:
            self._started = True
            self.modelLoading.emit(tr("analysis.loading"))
            self.lane.submit(self._load, key="load")

    def request(self, record: EcgRecord, measurements: object = None) -> int:
        """Analyse ``record`` (with its measurements when already made); supersedes every
        earlier request."""
        self.start()
        self._analysis_id = self.lane.submit(self._analyze, record, measurements, key="analysis")
        return self._analysis_id

    def latest_request(self) -> int:
        return self._analysis_id

    def cancel(self) -> None:
        """Forget the pending request (e.g. the record was closed)."""
        self.lane.cancel("analysis")

    def query(self, record: EcgRecord, text: str) -> int:
        self.start()
        self._query_id = self.lane.submit(self._query, record, text, key="query")
        return self._query_id

    def shutdown(self, timeout_ms: int = 30000) -> None:
        self.lane.shutdown(timeout_ms)

    def _on_done(self, job_id: int, result: Any) -> None:
        if job_id == self._analysis_id:
            self.resultReady.emit(job_id, result[0], result[1])
        elif job_id == self._query_id:
            self.queryReady.emit(job_id, result)

    def _on_failed(self, job_id: int, exc: BaseException) -> None:
        if job_id == self._analysis_id:
            self.requestFailed.emit(job_id, exc)
        elif job_id == self._query_id:
            self.queryFailed.emit(job_id, exc)

    def _on_loaded(self, device: object, exc: object, identity: object) -> None:
        if exc is not None:
            self.modelFailed.emit(exc)
        else:
            self.device = str(device)
            self.identity = identity if isinstance(identity, ModelIdentity) else None
            self.modelReady.emit(self.device)
