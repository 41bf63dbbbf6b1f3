"""Analyse a folder of ECGs in the background for the worklist: one row per file as it is done.

A worker thread runs the batch engine's per-file step (the same code as ``ecg-viewer batch``)
with one Analyzer (the shipped model when it loads, else measurements and quality only).
``start(files)`` begins a run; a new ``start`` or ``stop`` cancels the current one between
files. The GUI thread never waits on it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal

from ecg_viewer.core.errors import EcgError

if TYPE_CHECKING:  # the batch engine (multiprocessing, csv ...) loads with the first run
    from ecg_viewer.pipeline.batch import AnalyzeFn

log = logging.getLogger(__name__)


def default_analyze_factory() -> tuple[AnalyzeFn, str | None]:
    """The pipeline with the shipped model; without it (weights missing, torch failing) the
    measurement-only pipeline and the reason."""
    from ecg_viewer.app.analysis_service import default_analyzer_factory
    from ecg_viewer.pipeline.analyze import Analyzer

    try:
        # the same Predictor as the window's model thread (loaded once per process)
        analyzer = default_analyzer_factory()
        return analyzer.analyze, None
    except (ImportError, EcgError, OSError, RuntimeError, ValueError) as exc:
        log.warning("worklist: model unavailable (%s); measurements only", exc)
        reason = exc.message_ja if isinstance(exc, EcgError) else f"{type(exc).__name__}: {exc}"
        return Analyzer(load_model=False).analyze, reason


class _Run(QThread):
    row = Signal(int, object)  # run id, output row (dict)
    progress = Signal(int, int, int, float)  # run id, done, total, ECGs/s
    note = Signal(int, str)  # run id, message (e.g. model unavailable)
    finishedRun = Signal(int, int, float)  # run id, total, ECGs/s

    def __init__(self, run_id: int, files: list[Path],
                 factory: Callable[[], tuple[AnalyzeFn, str | None]],
                 cancel: threading.Event) -> None:
        super().__init__()
        self.run_id = run_id
        self.files = files
        self.factory = factory
        self.cancel = cancel
        self.analyses: dict[str, Any] = {}  # sha256 -> Analysis (the window reuses them)

    def run(self) -> None:
        from ecg_viewer.pipeline.batch import analyze_file

        try:
            analyze, note = self.factory()
        except Exception as exc:  # shown as a note; every file then reports its error
            log.exception("worklist: no analysis pipeline")
            self.note.emit(self.run_id, f"{type(exc).__name__}: {exc}")
            return
        if note:
            self.note.emit(self.run_id, note)
        start = time.perf_counter()
        done = 0
        for path in self.files:
            if self.cancel.is_set():
                break
            seen: dict[str, Any] = {}

            def analyze_seen(record: Any, seen: dict[str, Any] = seen) -> Any:
                seen["record"] = record
                seen["analysis"] = analysis = analyze(record)
                return analysis

            try:
                row = analyze_file(path, analyze_seen)
                rec = seen.get("record")
                if rec is not None and rec.meta.recorded_at is not None:
                    row["recorded_at"] = rec.meta.recorded_at.isoformat()  # reading order
                if "analysis" in seen and row.get("sha256"):
                    self.analyses[row["sha256"]] = seen["analysis"]
            except Exception as exc:  # one bad file never stops the worklist
                log.exception("worklist: %s failed", path)
                row = {"file": str(path), "error": str(exc), "error_ja": str(exc),
                       "error_type": type(exc).__name__}
            done += 1
            elapsed = time.perf_counter() - start
            self.row.emit(self.run_id, row)
            self.progress.emit(self.run_id, done, len(self.files), done / elapsed if elapsed else 0)
        elapsed = time.perf_counter() - start
        self.finishedRun.emit(self.run_id, done, done / elapsed if elapsed else 0.0)


class WorklistService(QObject):
    rowReady = Signal(object)  # dict: the analyze object or {"file", "error", ...}
    progress = Signal(int, int, float)  # done, total, ECGs/s
    note = Signal(str)
    finished = Signal(int, float)  # files analysed, ECGs/s

    def __init__(self, factory: Callable[[], tuple[AnalyzeFn, str | None]] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._factory = factory or default_analyze_factory
        self._run_id = 0
        self._thread: _Run | None = None
        self._cancel = threading.Event()
        self._old: list[_Run] = []
        self.analyses: dict[str, Any] = {}  # sha256 -> Analysis of every file analysed so far

    def analysis_for(self, sha256: str | None) -> Any:
        """The Analysis this service made for the ECG ``sha256`` (None if not analysed)."""
        return self.analyses.get(sha256) if sha256 else None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def start(self, files: list[Path]) -> int:
        self.stop()
        self._run_id += 1
        self._cancel = threading.Event()
        t = _Run(self._run_id, list(files), self._factory, self._cancel)
        t.analyses = self.analyses  # one dict; the worker only adds to it
        t.row.connect(self._on_row)
        t.progress.connect(self._on_progress)
        t.note.connect(lambda rid, m: rid == self._run_id and self.note.emit(m))
        t.finishedRun.connect(self._on_finished)
        self._thread = t
        t.start()
        return self._run_id

    def stop(self, wait_ms: int = 0) -> None:
        self._cancel.set()
        if self._thread is not None:
            self._old.append(self._thread)
            self._thread = None
        if wait_ms:
            self.wait(wait_ms)
        self._old = [t for t in self._old if t.isRunning()]

    def wait(self, ms: int = 30000) -> bool:
        ok = True
        for t in [*self._old, *([self._thread] if self._thread else [])]:
            ok = t.wait(ms) and ok
        return ok

    def _on_row(self, run_id: int, row: Any) -> None:
        if run_id == self._run_id:
            self.rowReady.emit(row)

    def _on_progress(self, run_id: int, done: int, total: int, rate: float) -> None:
        if run_id == self._run_id:
            self.progress.emit(done, total, rate)

    def _on_finished(self, run_id: int, total: int, rate: float) -> None:
        if run_id == self._run_id:
            self.finished.emit(total, rate)
