"""The app's flows on their lanes: record -> one Measurements object -> analysis in the state; a
measurement failure is a note (and a WARNING), not a blank header; the report of an ECG the model
has not answered for is made on the report lane, never on the GUI thread; the worklist stops
between files."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from PySide6.QtCore import QThread

from ecg_viewer.app import analysis_flow
from ecg_viewer.app.analysis_flow import AnalysisFlow
from ecg_viewer.app.report_jobs import ReportJobs
from ecg_viewer.app.state import ViewerState
from ecg_viewer.app.worklist_service import WorklistService
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.analyze import Analyzer
from ecg_viewer.pipeline.factory import make_analyzer
from ecg_viewer.signal.measure import Measurements


def _no_model() -> Analyzer:
    return make_analyzer(load_model=False)


@pytest.fixture
def record(bundled_samples):
    return read_ecg(bundled_samples / "00017_hr.hea")


def test_record_to_measurements_to_analysis(qtbot, record):
    state = ViewerState()
    flow = AnalysisFlow(state, _no_model)
    try:
        with qtbot.waitSignal(flow.analysed, timeout=60000) as done:
            state.set_record(record)
        assert isinstance(state.measurements, Measurements)  # one object, not a dict
        assert done.args[0] is state.analysis and state.analysis.sha256 == record.sha256
        assert state.analysis.measurements == state.measurements.to_dict()
    finally:
        flow.shutdown()


def test_measurement_failure_is_a_note_and_a_warning(qtbot, record, monkeypatch, caplog):
    def broken(_rec):
        raise RuntimeError("measurement blew up")

    monkeypatch.setattr(analysis_flow, "measure_record", broken)
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow

    ensure_app()
    win = MainWindow(use_stored_language=False, analyzer_factory=_no_model)
    qtbot.addWidget(win)
    try:
        with caplog.at_level(logging.WARNING), \
                qtbot.waitSignal(win.flow.measureFailed, timeout=30000):
            win.controller.open_record(record, record.source_path)
        assert win.state.measurements is None
        assert "自動計測できませんでした" in win.header.text()
        assert "blew up" not in win.header.text()  # the kind of error, never its raw text
        assert any("measurements failed" in r.getMessage() and r.levelno == logging.WARNING
                   for r in caplog.records)
        # the analysis still comes (quality and referral without measurements)
        qtbot.waitUntil(lambda: win.state.analysis is not None, timeout=60000)
    finally:
        win.close()


def test_report_without_an_analysis_is_made_on_the_report_lane(qtbot, record, tmp_path,
                                                               monkeypatch):
    threads: list[str] = []
    original = Analyzer.analyze

    def watched(self, rec, **kw):
        threads.append(QThread.currentThread().objectName())
        return original(self, rec, **kw)

    monkeypatch.setattr(Analyzer, "analyze", watched)
    state = ViewerState()
    state.set_record(record)
    jobs = ReportJobs(state, review_of=lambda _sha: None, comparison_of=lambda: None)
    try:
        assert jobs.needs_analysis
        with qtbot.waitSignal(jobs.exported, timeout=60000) as done:
            jobs.export(tmp_path / "r.json")
        assert threads == ["ecg-viewer-report"]
        data = json.loads(done.args[0][0].read_text(encoding="utf-8"))
        assert data["referral"]["level"] and data["measurements"]
    finally:
        jobs.shutdown()


def test_worklist_stops_between_files(qtbot, bundled_samples):
    files = sorted(bundled_samples.glob("*.hea"))
    assert len(files) >= 3
    gate = threading.Event()
    calls: list[str] = []
    pipeline = _no_model()

    def analyze(rec):
        calls.append(rec.source_path)
        if len(calls) == 2:  # the second file is in progress while the user presses Stop
            assert gate.wait(20)
        return pipeline.analyze(rec)

    service = WorklistService(factory=lambda: (analyze, None))
    rows: list[dict] = []
    service.rowReady.connect(rows.append)
    finished: list[int] = []
    service.finished.connect(lambda n, _r: finished.append(n))
    try:
        with qtbot.waitSignal(service.rowReady, timeout=60000):
            service.start(files)
        qtbot.waitUntil(lambda: len(calls) == 2, timeout=30000)
        service.stop()
        gate.set()
        qtbot.waitUntil(lambda: not service.lane.busy, timeout=30000)
        qtbot.wait(100)
        # the file in progress ran to its end (its row is dropped); the others never ran
        assert len(rows) == 1 and len(calls) == 2 and not finished and not service.running
        # a new run starts from the first file again and completes
        rows.clear()
        with qtbot.waitSignal(service.finished, timeout=120000):
            service.start(files[:2])
        assert [r["file"] for r in rows] == [str(f) for f in files[:2]]
    finally:
        service.shutdown()


def test_errors_are_rendered_in_the_language_shown(qtbot, tmp_path):
    """A reader error reaches the window as the exception; the window renders it in the language
    it shows at that moment (English here), and so does a failed analysis."""
    from ecg_viewer.app.analysis_service import analysis_error_text
    from ecg_viewer.core.messages import set_language
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow

    ensure_app()
    win = MainWindow(use_stored_language=False, analyzer_factory=_no_model)
    qtbot.addWidget(win)
    try:
        win.set_language("en")
        with qtbot.waitSignal(win.controller.loadFailed, timeout=20000):
            win.controller.open_file(str(tmp_path / "missing.hea"))
        assert win.last_error.startswith("File not found") and "missing.hea" in win.last_error
        assert "The ECG on screen is unchanged." in win.notices.messages()[-1]
        text = analysis_error_text(RuntimeError("internal detail"))
        assert "retry" in text and "internal detail" not in text and "解析" not in text
    finally:
        win.close()
        set_language("ja")
