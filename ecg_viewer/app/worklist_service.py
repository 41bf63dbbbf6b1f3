"""Analyse a folder of ECGs in the background for the worklist: one row per file as it is done.

The files run on one lane (``ecg-viewer-worklist``), one request per file, through the batch
engine's per-file step (the same code as ``ecg-viewer batch``) with the window's Analyzer (the
shipped model when it loads, else measurements and quality only). ``start(files)`` begins a run;
a new ``start`` or ``stop`` cancels the current one between files. The GUI thread never waits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ecg_viewer.app.worker import Lane
from ecg_viewer.core.errors import user_message

if TYPE_CHECKING:  # the batch engine (multiprocessing, csv ...) loads with the first run
    from ecg_viewer.pipeline.batch import AnalyzeFn

log = logging.getLogger(__name__)

KEY = "worklist"


def analyze_factory(analyzer_factory: Callable[[], Any] | None = None,
                    ) -> Callable[[], tuple[AnalyzeFn, BaseException | None]]:
    """A factory of the per-file analysis: ``analyzer_factory()``'s Analyzer (default: the
    shipped model via ``make_analyzer``); when it cannot load, the measurement-only pipeline
    and the reason."""

    def factory() -> tuple[AnalyzeFn, BaseException | None]:
        from ecg_viewer.pipeline.factory import make_analyzer

        try:
            analyzer = analyzer_factory() if analyzer_factory else make_analyzer("auto", None, True)
            _ = analyzer.predictor  # a lazily loaded model loads (or fails) here
            return analyzer.analyze, None
        except Exception as exc:  # the worklist still measures every file
            log.warning("worklist: model unavailable (%r); measurements only", exc)
            return make_analyzer(load_model=False).analyze, exc

    return factory


def file_stamp(paths: Sequence[str | Path]) -> list[list[Any]]:
    """``[path, size, modification time in ns]`` of each file of a record (a WFDB header and its
    signal file), None for one that cannot be read: what the worklist compares to notice an ECG
    replaced after it was analysed."""
    out: list[list[Any]] = []
    for p in paths:
        try:
            st = Path(p).stat()
        except OSError:
            out.append([str(p), None, None])
        else:
            out.append([str(p), int(st.st_size), int(st.st_mtime_ns)])
    return out


def stamp_changed(stamp: Sequence[Sequence[Any]] | None) -> bool:
    """Whether any file of ``stamp`` (:func:`file_stamp`) is no longer as it was."""
    return bool(stamp) and file_stamp([s[0] for s in stamp]) != [list(s) for s in stamp]


def _analyze_one(path: Path, analyze: AnalyzeFn) -> tuple[dict[str, Any], Any]:
    """The batch row of ``path`` and its Analysis (None when the file failed)."""
    from ecg_viewer.pipeline.batch import analyze_file

    seen: dict[str, Any] = {}

    def analyze_seen(record: Any) -> Any:
        seen["record"] = record
        seen["analysis"] = analysis = analyze(record)
        return analysis

    try:
        row = analyze_file(path, analyze_seen)
    except Exception as exc:  # one bad file never stops the worklist
        log.warning("worklist: %s failed: %r", path, exc, exc_info=True)
        return {"file": str(path), "error": user_message(exc, "en"),
                "error_ja": user_message(exc, "ja"), "error_type": type(exc).__name__}, None
    rec = seen.get("record")
    # after reading (the record names its files); a change while it was read is rare and shows
    # up at the next analysis
    row["file_stamp"] = file_stamp(rec.source_files if rec is not None and rec.source_files
                                   else [path])
    if rec is not None and rec.meta.recorded_at is not None:
        row["recorded_at"] = rec.meta.recorded_at.isoformat()  # reading order
    return row, seen.get("analysis")


class WorklistService(QObject):
    rowReady = Signal(object)  # dict: the analyze object or {"file", "error", ...}
    progress = Signal(int, int, float)  # done, total, ECGs/s
    # why the model is unavailable: the exception, rendered where it is shown (in the language
    # of that moment, user_message)
    note = Signal(object)
    finished = Signal(int, float)  # files analysed, ECGs/s

    def __init__(self, factory: Callable[[], tuple[AnalyzeFn, Any]] | None = None,
                 parent: QObject | None = None, *,
                 analyzer_factory: Callable[[], Any] | None = None) -> None:
        super().__init__(parent)
        self._factory = factory or analyze_factory(analyzer_factory)
        self.lane = Lane("worklist", self)
        self._analyze: AnalyzeFn | None = None  # made on the lane with the first run
        self._total = self._done = 0
        self.files: list[Path] = []  # the files of the last run (start)
        self._start_s = 0.0
        self._running = False
        self.analyses: dict[str, Any] = {}  # sha256 -> Analysis of every file analysed so far

    @staticmethod
    def list_folder(folder: str | Path) -> list[Path]:
        """The ECG files of ``folder`` and its subfolders, and, as ``batch`` lists them, the
        .csv/.tsv/.txt files that are no ECG table: rows that say so, so that the worklist and
        the batch sheet of one folder agree (QA 40: a memo.txt was left out without a word)."""
        from ecg_viewer.pipeline.files import find_ecg_files  # not before the window shows

        not_tables: list[Path] = []
        found = find_ecg_files(Path(folder), recursive=True, not_tables=not_tables)
        return sorted(found + not_tables)

    def analysis_for(self, sha256: str | None) -> Any:
        """The Analysis this service made for the ECG ``sha256`` (None if not analysed)."""
        return self.analyses.get(sha256) if sha256 else None

    @property
    def running(self) -> bool:
        return self._running

    # --- on the lane ----------------------------------------------------------------------------
    def _prepare(self) -> BaseException | None:
        if self._analyze is None:
            self._analyze, note = self._factory()
            return note
        return None

    def _one(self, path: Path) -> tuple[dict[str, Any], Any]:
        if self._analyze is None:
            raise RuntimeError("no analysis pipeline")
        return _analyze_one(path, self._analyze)

    # --- the GUI thread ---------------------------------------------------------------------------
    def start(self, files: list[Path]) -> None:
        """Analyse ``files`` in order (the current run, if any, stops between files)."""
        self.stop()
        files = list(files)
        self.files = files  # the worklist's files: candidates for the prior ECG too
        self._total, self._done = len(files), 0
        self._start_s = time.perf_counter()
        self._running = bool(files)
        self.lane.submit(self._prepare, key=KEY, latest=False,
                         on_done=self._prepared, on_error=self._prepare_failed)
        for path in files:
            self.lane.submit(self._one, path, key=KEY, latest=False,
                             on_done=self._row, on_error=self._row_failed(path))

    def stop(self, wait_ms: int = 0) -> None:
        """Cancel the current run between files (``wait_ms``: wait for the file in progress)."""
        self.lane.cancel(KEY)
        self._running = False
        if wait_ms:
            self.lane.wait(wait_ms)

    def wait(self, ms: int = 30000) -> bool:
        return self.lane.wait(ms)

    def shutdown(self, ms: int = 10000) -> None:
        self._running = False
        self.lane.shutdown(ms)

    def _prepared(self, note: BaseException | None) -> None:
        if note is not None:
            self.note.emit(note)

    def _prepare_failed(self, exc: BaseException) -> None:
        self.note.emit(exc)  # every file then reports the missing pipeline

    def _row_failed(self, path: Path) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            self._row(({"file": str(path), "error": user_message(exc, "en"),
                        "error_ja": user_message(exc, "ja"),
                        "error_type": type(exc).__name__}, None))
        return failed

    def _row(self, result: tuple[dict[str, Any], Any]) -> None:
        row, analysis = result
        if analysis is not None and row.get("sha256"):
            self.analyses[row["sha256"]] = analysis
        self._done += 1
        elapsed = time.perf_counter() - self._start_s
        rate = self._done / elapsed if elapsed > 0 else 0.0
        self.rowReady.emit(row)
        self.progress.emit(self._done, self._total, rate)
        if self._done == self._total:
            self._running = False
            self.finished.emit(self._done, rate)
