"""The model worker thread: results arrive on the GUI thread, stale ones are dropped, errors are
messages, and the event loop keeps turning while the model works."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QTimer

from ecg_viewer.app.analysis_service import AnalysisService, analysis_error_text
from ecg_viewer.core.messages import set_language
from ecg_viewer.core.prediction import Analysis
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.analyze import Analyzer


class _GatedAnalyzer(Analyzer):
    """The real pipeline (quality, measurements, referral), held at a gate so a test can open a
    second record while the first is still being analysed."""

    def __init__(self) -> None:
        super().__init__(load_model=False)
        self.gate = threading.Event()
        self.started = threading.Event()

    def analyze_parts(self, record, **kw):
        self.started.set()
        assert self.gate.wait(20)
        return super().analyze_parts(record, **kw)


class _BrokenAnalyzer(Analyzer):
    def __init__(self) -> None:
        super().__init__(load_model=False)
        self.calls = 0

    def analyze_parts(self, record, **kw):
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("simulated failure in the model")
        return super().analyze_parts(record, **kw)


@pytest.fixture
def records(bundled_samples):
    return read_ecg(bundled_samples / "00017_hr.hea"), read_ecg(bundled_samples / "E07509.hea")


def test_only_the_latest_request_is_delivered(qtbot, records):
    gated = _GatedAnalyzer()
    service = AnalysisService(lambda: gated)
    got: list[tuple[int, Analysis]] = []
    service.resultReady.connect(lambda req, a, m: got.append((req, a)))
    try:
        first = service.request(records[0])
        assert gated.started.wait(10)
        second = service.request(records[1])  # the user opened another ECG meanwhile
        gated.gate.set()
        with qtbot.waitSignal(service.resultReady, timeout=30000):
            pass
        qtbot.wait(200)
        assert [req for req, _ in got] == [second] and first < second
        assert got[0][1].sha256 == records[1].sha256
    finally:
        gated.gate.set()
        service.shutdown()


def test_worker_error_becomes_a_message_and_retry_works(qtbot, records):
    broken = _BrokenAnalyzer()
    service = AnalysisService(lambda: broken)
    try:
        with qtbot.waitSignal(service.requestFailed, timeout=30000) as failed:
            service.request(records[0])
        exc = failed.args[1]
        assert isinstance(exc, RuntimeError) and "simulated failure" in str(exc)
        # rendered where it is shown, in the language shown then; never the raw exception text
        text = analysis_error_text(exc)
        assert "再解析" in text and "予期しないエラー" in text and "simulated" not in text
        assert "RuntimeError" not in text  # no Python class name for a person (QA 67)
        set_language("en")
        try:
            assert "retry" in analysis_error_text(exc) and "再解析" not in analysis_error_text(exc)
        finally:
            set_language("ja")
        with qtbot.waitSignal(service.resultReady, timeout=30000) as ok:
            service.request(records[0])
        assert ok.args[1].sha256 == records[0].sha256
    finally:
        service.shutdown()


def test_model_load_failure_is_reported_not_raised(qtbot):
    def factory():
        raise OSError("weights folder unreadable")

    service = AnalysisService(factory)
    try:
        with qtbot.waitSignal(service.modelFailed, timeout=30000) as blocker:
            service.start()
        exc = blocker.args[0]
        assert isinstance(exc, OSError) and "weights folder unreadable" in str(exc)
        # a request now fails with "the model is not loaded" (the load is tried again first)
        with qtbot.waitSignal(service.requestFailed, timeout=30000) as failed:
            service.request(None)
        assert "読み込めなかった" in analysis_error_text(failed.args[1])
    finally:
        service.shutdown()


def test_event_loop_keeps_turning_during_analysis(qtbot, records):
    class _Slow(Analyzer):
        def analyze_parts(self, record, **kw):
            time.sleep(1.0)  # stands for a slow model; the GUI thread must not wait on it
            return super().analyze_parts(record, **kw)

    service = AnalysisService(lambda: _Slow(load_model=False))
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    try:
        with qtbot.waitSignal(service.resultReady, timeout=30000):
            service.request(records[0])
        timer.stop()
        assert len(ticks) >= 20  # ~50 ticks in 1 s: the GUI thread was free
        gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
        assert max(gaps) < 0.5
    finally:
        timer.stop()
        service.shutdown()
