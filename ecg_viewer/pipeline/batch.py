"""Analyse every ECG file under a folder into JSON Lines or CSV, resumably.

Qt-free; the analysis is handed in. ``ecg-viewer batch`` hands in an :class:`AnalyzerSpec`
(device, weights, model or not: what ``pipeline.factory.make_analyzer`` takes); the run is then
staged: worker processes read each file and make its quality gate, measurements, criteria
features and model input (:func:`pipeline.analyze.prepare`), while this process runs the model on
batches of those inputs and finishes the analyses (fusion, criteria, referral) — record for record
the same result as ``analyze`` one file at a time. Any other ``make_analyze`` (a picklable
function returning ``record -> Analysis``; the worklist, tests) runs whole per file.

One output row per file, in completion order: the ``analyze --json`` object, or for a file that
cannot be analysed ``{"file", "sha256", "error", "error_en", "error_ja", "error_key",
"error_type"}`` (texts from ``user_message(exc, lang)``; ``error`` is the English text).
Each row is written whole or not at all (:mod:`ecg_viewer.report.batch_output`); after an
interrupt the next run skips every file already in the output (by absolute path, and by the
record's sha256 for the same ECG under another name).

What is *not* recorded as done, so that the next run tries again: a file that could not be read
for a passing reason (I/O error, permission, vanished) and a file whose analysis failed
unexpectedly (``retry`` rows, reported on stderr). When the model itself cannot be used
(missing or altered weights), the analysis raises :class:`BatchAbort` and the run stops
without recording anything for the remaining files.

Worker processes use one thread each (OMP/MKL/OpenBLAS set to 1 before they
start), ignore Ctrl-C (the parent stops them), and exit on their own when the parent dies.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import (
    BrokenLinkError,
    EcgError,
    EcgFileNotFoundError,
    EcgPermissionError,
    user_message,
)
from ecg_viewer.core.hashing import fingerprint
from ecg_viewer.core.messages import Bilingual, tr
from ecg_viewer.core.prediction import Analysis
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import read_ecg
from ecg_viewer.io.registry import READER_MODULES
from ecg_viewer.pipeline.analyze import PATIENT_KEYS, patient_fields
from ecg_viewer.pipeline.files import error_sources, find_ecg_files
from ecg_viewer.pipeline.malloc import keep_freed_memory
from ecg_viewer.report.batch_output import (  # noqa: F401 - re-exported
    CSV_COLUMNS,
    BatchOutput,
    BatchOutputError,
    abspath,
    csv_row,
)

log = logging.getLogger(__name__)

AnalyzeFn = Callable[[EcgRecord], Analysis]
# signal files whose record is named by a header beside them (WFDB)
_COMPANION = {".dat": ".hea", ".mat": ".hea"}

#: thread settings of every worker process: one thread each, so N workers use N cores
WORKER_THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                     "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1"}


class BatchAbort(EcgError):
    """The analysis cannot be used at all (e.g. the model's weights are altered): the run stops
    and nothing more is recorded. Built with ``BatchAbort.wrapping(exc)``: it says what ``exc``
    says (pickled with its key and parameters by :class:`EcgError`)."""


# --- one file --------------------------------------------------------------------------------
_worker_analyze: AnalyzeFn | None = None
_worker_abort: BatchAbort | None = None
_worker_read: dict[str, Any] | None = None  # read_ecg options (``--fs-hz``)


def _init_worker(make_analyze: Callable[[], AnalyzeFn], parent_pid: int | None = None,
                 read_options: dict[str, Any] | None = None) -> None:
    global _worker_analyze, _worker_abort, _worker_read
    _worker_read = read_options
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which stops us
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    try:
        _worker_analyze = make_analyze()
    except BatchAbort as exc:  # raised again for the first file, in the parent
        _worker_abort = exc


def _die_with_parent(parent_pid: int) -> None:
    """Exit when the parent process is gone (killed with -9 included): Linux's parent-death
    signal, and a watcher thread everywhere."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    # a worker of the fork server is its child: the server ends when the batch process does
    # (and the death signal above then ends the worker); the watcher asks after the batch process
    direct = os.getppid() == parent_pid

    def gone() -> bool:
        if direct:
            return os.getppid() != parent_pid
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            return True
        except OSError:  # exists, not ours to signal
            return False
        return False

    if gone():
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if gone():
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def analyze_file(path: Path, analyze: AnalyzeFn, done_sha: frozenset[str] = frozenset(),
                 read_options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The output row for one file (never raises for a bad file; raises :class:`BatchAbort`
    when the analysis cannot be used at all). A row with ``"retry": True`` failed for a passing
    reason and must not be recorded as done. ``read_options``: for ``read_ecg`` (``fs_hz``).
    A recorded row carries ``source``: the size and time of the files read (:func:`fingerprint`),
    so that a later run sees a file changed since."""
    files: list[str] = []  # the record's files once it is read
    row = _analyze_file(path, analyze, done_sha, read_options, files)
    if files and not row.get("retry"):  # unread: the row gets its source when it is recorded
        row["source"] = fingerprint(files)
    return row


def _analyze_file(path: Path, analyze: AnalyzeFn, done_sha: frozenset[str],
                  read_options: dict[str, Any] | None, files: list[str]) -> dict[str, Any]:
    try:
        record = read_ecg(path, **(read_options or {}))
        files[:] = record.source_files
    except (EcgFileNotFoundError, EcgPermissionError) as exc:
        if isinstance(exc, BrokenLinkError) or (isinstance(exc, EcgFileNotFoundError)
                                                and path.is_file()):
            return _error_row(path, exc)  # a file it names is missing (.hea, no .dat), a dead link
        return {**_error_row(path, exc), "retry": True}  # gone or locked for now: next run
    except EcgError as exc:
        return _error_row(path, exc)
    except OSError as exc:
        log.warning("batch: I/O error reading %s: %s", path, exc)
        return _retry_row(path, "batch.io_retry", exc)
    except Exception as exc:  # a reader bug: logged with its traceback, tried again next run
        log.exception("batch: unexpected error reading %s", path)
        return _retry_row(path, "batch.unexpected", exc)
    if record.sha256 in done_sha:  # the same ECG under another name: listed, not analysed again
        return {"file": str(path), "sha256": record.sha256, "duplicate": True,
                **patient_fields(record)}
    try:
        row = {**analyze(record).to_dict(), **patient_fields(record)}
    except BatchAbort:
        raise
    except EcgError as exc:
        return _error_row(path, exc, record.sha256)
    except Exception as exc:
        log.exception("batch: unexpected error analysing %s", path)
        return {**_retry_row(path, "batch.unexpected", exc), "sha256": record.sha256}
    row["file"] = str(path)
    return row


def _error_row(path: Path, exc: EcgError, sha256: str | None = None) -> dict[str, Any]:
    """The row of a file that cannot be analysed: the message in both languages (``error`` is
    the English text, kept for older readers of the output), its key and the error's type."""
    en = user_message(exc, "en")
    return {"file": str(path), "sha256": sha256, "error": en, "error_en": en,
            "error_ja": user_message(exc, "ja"), "error_key": exc.message_key or None,
            "error_type": type(exc).__name__}


def row_error(row: dict[str, Any]) -> Bilingual:
    """The error of an output row in both languages."""
    return Bilingual(row.get("error_ja") or row["error"], row["error"])


def _retry_row(path: Path, key: str, exc: BaseException) -> dict[str, Any]:
    en = tr(key, "en", file=path)
    return {"file": str(path), "sha256": None, "error": en, "error_en": en,
            "error_ja": tr(key, "ja", file=path), "error_key": key,
            "error_type": type(exc).__name__, "retry": True}


def _analyze_in_worker(path: Path, done_sha: frozenset[str]) -> dict[str, Any]:
    if _worker_abort is not None:
        raise _worker_abort
    if _worker_analyze is None:
        raise RuntimeError("batch worker used before its initializer ran")
    return analyze_file(path, _worker_analyze, done_sha, _worker_read)


# --- the run ---------------------------------------------------------------------------------
@dataclass
class BatchSummary:
    total: int = 0
    analysed: int = 0
    failed: int = 0
    skipped: int = 0  # already in the output from an earlier run
    changed: int = 0  # in the output, but changed since: the old row taken out, analysed again
    # changed files that keep their earlier rows: (how many, why the results were not rewritten)
    not_redone: tuple[int, Any] | None = None
    tracks_changes: bool = True  # False: a CSV an older version began (no "source" column)
    duplicates: int = 0  # the same ECG (sha256) as a file already done, listed not analysed
    seconds: float = 0.0
    workers: int = 0  # worker processes used (0: analysed in this process)
    #: CPU seconds per stage (process time, so that a busy machine does not inflate them):
    #: "read", "prepare" (quality, measurements, criteria, model input; summed over the
    #: workers), "load" (the model), "model" (batched inference), "finish" (fusion, criteria,
    #: referral), "write" (the output rows), the last four in this process
    stage_s: dict[str, float] = field(default_factory=dict)
    #: when things happened in the staged run (``time.perf_counter()``): "model_loaded",
    #: "first_prepared"
    marks: dict[str, float] = field(default_factory=dict)
    # (file, message in both languages: ``message.text(lang)`` where it is shown)
    errors: list[tuple[str, Bilingual]] = field(default_factory=list)
    retry: list[tuple[str, Bilingual]] = field(default_factory=list)  # not recorded: try again

    @property
    def rate_per_s(self) -> float:
        """ECGs analysed (or found unreadable) per second of this run."""
        done = self.analysed + self.failed
        return done / self.seconds if self.seconds > 0 else 0.0


Progress = Callable[[int, int, float], None]  # (done, total, ECGs per second)


def run_batch(root: str | Path, out: str | Path, make_analyze: Callable[[], AnalyzeFn], *,
              workers: int = 1, progress: Progress | None = None,
              files: list[Path] | None = None,
              read_options: dict[str, Any] | None = None) -> BatchSummary:
    """Analyse every ECG under ``root`` into ``out`` (.jsonl or .csv), skipping what ``out``
    already holds. ``make_analyze``: an :class:`~ecg_viewer.pipeline.batch_staged.AnalyzerSpec`
    (the staged run with batched inference, ``workers`` processes preparing), or a picklable
    factory (a module-level function) of ``record -> Analysis`` that each worker process calls
    once (``workers > 1``) or this process calls (``workers <= 1``). ``read_options`` go to every
    ``read_ecg`` (``{"fs_hz": 500.0}``: the rate of a CSV that states none). Raises :class:`BatchAbort` (the model
    cannot be used) and :class:`BatchOutputError` (output in use, full disk ...)."""
    paths = files if files is not None else find_ecg_files(root, recursive=True)
    output = BatchOutput(out)
    summary = BatchSummary(total=len(paths))
    try:
        # a file changed since its row (edited, replaced by another ECG): its old row goes and
        # it is analysed again, whether the earlier row was a result, a duplicate or an error
        stale = output.changed(paths)
        summary.tracks_changes = output.tracks_changes
        try:
            summary.changed = output.drop(stale)
        except BatchOutputError as exc:  # the folder takes no new file, not UTF-8 ...
            if exc.message_key != "batch.rewrite_failed":
                raise
            log.warning("batch: %s; %d changed files keep their earlier rows", exc, len(stale))
            summary.not_redone = (len(stale), exc)
    except BaseException:
        output.close()
        raise
    todo = [p for p in paths if abspath(p) not in output.done_files]
    summary.skipped = len(paths) - len(todo)
    start = time.perf_counter()
    # duplicates whose original is still being analysed in this run: written after it, so
    # that they can name it and carry its level (a run stopped before leaves them to the next)
    waiting: list[dict[str, Any]] = []

    def write(row: dict[str, Any]) -> None:
        if row.get("duplicate") and not output.fill_duplicate(row):
            waiting.append(row)
            return
        output.write(row)
        for other in [w for w in waiting if w.get("sha256") == row.get("sha256")]:
            if output.fill_duplicate(other):
                waiting.remove(other)
                output.write(other)

    def record(row: dict[str, Any]) -> None:
        t0 = time.process_time()
        if row.pop("retry", False):
            summary.retry.append((row["file"], row_error(row)))
        else:
            row["file"] = abspath(row["file"])
            if row.get("sha256") in output.done_sha and "error" not in row \
                    and not row.get("duplicate"):
                # the same ECG as a row written in this run, analysed beside it by another
                # worker process (which could not know): listed as a duplicate, as the
                # one-process and staged runs list it
                row = {"file": row["file"], "sha256": row["sha256"], "duplicate": True,
                       "source": row.get("source"), **{k: row.get(k) for k in PATIENT_KEYS}}
            if not row.get("source"):  # an unreadable file: its size and time (and a header's
                # signal files), whichever path made the row
                row["source"] = fingerprint(error_sources(Path(row["file"])))
            write(row)
            if row.get("duplicate"):
                summary.duplicates += 1
            elif "error" in row:
                summary.failed += 1
                summary.errors.append((row["file"], row_error(row)))
            else:
                summary.analysed += 1
        summary.stage_s["write"] = summary.stage_s.get("write", 0.0) + time.process_time() - t0
        if progress:
            elapsed = time.perf_counter() - start
            done = summary.analysed + summary.failed
            progress(summary.skipped + summary.duplicates + done + len(summary.retry),
                     summary.total, done / elapsed if elapsed else 0.0)

    try:
        if progress:
            progress(summary.skipped, summary.total, 0.0)
        from ecg_viewer.pipeline.batch_staged import AnalyzerSpec, run_staged

        if isinstance(make_analyze, AnalyzerSpec) and make_analyze.load_model and todo:
            summary.workers = max(1, workers)
            run_staged(todo, make_analyze, summary.workers, output, record, summary.stage_s,
                       summary.marks, read_options=read_options)
        elif workers <= 1 or len(todo) <= 1:
            analyze = make_analyze() if todo else None
            for path in todo:
                record(analyze_file(path, analyze, frozenset(output.done_sha), read_options))
        else:
            summary.workers = workers
            _run_pool(todo, make_analyze, workers, output, record, read_options)
        for row in waiting:  # their original gave no result row (unreadable after all)
            output.write(row)
    finally:
        summary.seconds = time.perf_counter() - start
        output.close()
    return summary


@contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    """``values`` in os.environ while the block runs (inherited by processes started in it)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def worker_pool(workers: int, initializer: Callable[..., None],
                initargs: tuple[Any, ...]) -> Iterator[ProcessPoolExecutor]:
    """``workers`` spawned processes with one thread each (:data:`WORKER_THREAD_ENV` is set while
    the block runs: the processes start when work is first given to them). Leaving the block
    normally waits for them; an exception (Ctrl-C, SIGTERM, model unusable, output full) stops
    them at once."""
    with _env(WORKER_THREAD_ENV):
        ctx = _worker_context()
        _start_fork_server(ctx)
        # a fork server keeps the environment it started with: each worker takes this one
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_in_env,
                                   initargs=(dict(os.environ), initializer, *initargs))
        try:
            yield pool
        except BaseException:
            stop_pool(pool)
            _stop_fork_server(ctx)
            raise
        pool.shutdown(wait=True)
        _stop_fork_server(ctx)


#: what the fork server imports once before it forks the workers (each would import it again):
#: the pipeline, what ``prepare`` imports where it runs (the signal modules, scipy.signal) and
#: the readers (the registry imports them all at the first file: ~20 ms in each worker; not the
#: ``wfdb`` package, with pandas 0.3 s of CPU, which a worker imports only for a WFDB layout the
#: reader does not read itself: the common format-16 files need none of it); last,
#: :mod:`ecg_viewer.pipeline.forkserver_freeze` freezes the collector's view of all that
WORKER_PRELOAD = ["ecg_viewer.pipeline.batch_staged", "ecg_viewer.model.preprocess",
                  "ecg_viewer.signal.quality", "ecg_viewer.signal.measure",
                  "ecg_viewer.signal.criteria", "scipy.signal",
                  *READER_MODULES, "ecg_viewer.pipeline.forkserver_freeze"]


def _worker_context() -> Any:
    """Where the workers come from: a fork server (a fresh single-threaded process started for
    this, which imports :data:`WORKER_PRELOAD` once and forks each worker from itself, so the
    workers start without importing numpy/scipy/the pipeline each), or, where there is none
    (Windows) and in the frozen desktop bundle (whose executable runs no ``-c`` command),
    spawned processes. Never a fork of this process (torch/Qt threads may exist)."""
    import sys
    from multiprocessing import get_all_start_methods

    if "forkserver" not in get_all_start_methods() or getattr(sys, "frozen", False):
        return get_context("spawn")
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(WORKER_PRELOAD)
    return ctx


def _start_fork_server(ctx: Any) -> None:
    """Start the fork server now (it imports :data:`WORKER_PRELOAD` on its own; this returns at
    once), while this process is still small: the server is forked from it before its
    ``exec``, and a caller that goes on to import torch would otherwise have the server copy
    (and report as its peak RSS) a process of 200 MiB or more."""
    if ctx.get_start_method() != "forkserver":
        return
    import sys
    from multiprocessing import forkserver

    # Python 3.11 starts the server as ``python -c``, which puts the working directory first on
    # its sys.path and leaves out this process's: run in a folder holding an ``ecg_viewer/``
    # (another version) or a ``numpy.py``, the workers imported those. The server gets this
    # process's path instead (the working directory only where this process has it: ``python
    # -m``), and no directory of its own (PYTHONSAFEPATH, Python 3.11)
    path = os.pathsep.join(os.path.abspath(p or os.curdir) for p in sys.path)
    with _env({"PYTHONSAFEPATH": "1", "PYTHONPATH": path}):
        forkserver.ensure_running()


def _stop_fork_server(ctx: Any) -> None:
    """End the fork server once the workers are done (as spawned workers end): no idle process
    with the pipeline loaded stays behind, and its CPU time and the workers' are then counted
    among this process's finished children (``bench/batch.py``). The next pool starts a new one."""
    if ctx.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)  # Python's own, unlisted; absent: it ends with us
    if stop is not None:
        try:
            stop()
        except OSError as exc:
            log.debug("batch: stopping the fork server: %s", exc)


def _init_in_env(env: dict[str, str], initializer: Callable[..., None], *initargs: Any) -> None:
    os.environ.clear()
    os.environ.update(env)
    keep_freed_memory()
    initializer(*initargs)


def _run_pool(todo: list[Path], make_analyze: Callable[[], AnalyzeFn], workers: int,
              output: BatchOutput, record: Callable[[dict[str, Any]], None],
              read_options: dict[str, Any] | None = None) -> None:
    with worker_pool(workers, _init_worker, (make_analyze, os.getpid(), read_options)) as pool:
        pending: set[Future[dict[str, Any]]] = set()
        queue = list(reversed(todo))
        while queue or pending:
            while queue and len(pending) < workers * 2:
                pending.add(pool.submit(_analyze_in_worker, queue.pop(),
                                        frozenset(output.done_sha)))
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                record(fut.result())


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued and end the worker processes now (terminate, then kill)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    for proc in procs:
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
