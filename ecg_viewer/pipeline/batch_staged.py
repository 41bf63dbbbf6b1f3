"""The staged batch run (``ecg-viewer batch`` with the model): worker processes read each file
and prepare it (quality gate, measurements, criteria features, the model's input:
:func:`ecg_viewer.pipeline.analyze.prepare`), this process runs the model on batches of those
inputs (one pass per :data:`BATCH` ECGs instead of one per ECG) and finishes the analyses
(fusion for the whole batch at once, criteria, referral). Each row is the one ``analyze`` gives
for the same file alone (the Predictor pads small batches so that batching does not change a
score; the fusion of many is the fusion of each).

:class:`AnalyzerSpec` says which pipeline (``make_analyzer``'s device, weights, model or not); it
is what the ``batch`` command hands to :func:`ecg_viewer.pipeline.batch.run_batch`, and it is
picklable, so the per-file path (no model) builds the same pipeline in each worker process.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import (
    BrokenLinkError,
    EcgError,
    EcgFileNotFoundError,
    EcgPermissionError,
)
from ecg_viewer.core.hashing import fingerprint
from ecg_viewer.core.prediction import Analysis
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.analyze import Analyzer, Prepared, patient_fields, prepare
from ecg_viewer.pipeline.batch import (
    BatchAbort,
    BatchOutput,
    _die_with_parent,
    _error_row,
    _retry_row,
    keep_freed_memory,
    worker_pool,
)

log = logging.getLogger(__name__)

#: ECGs per model pass: large enough that the encoder runs at its batch speed, small enough
#: that rows keep flowing (and a Ctrl-C loses little)
BATCH = 32

Row = dict[str, Any]
StageTimes = dict[str, float]


def _abort(exc: EcgError) -> BatchAbort:
    return BatchAbort.wrapping(exc)


def _model_errors() -> tuple[type[EcgError], ...]:
    """Errors that mean the model cannot be used at all (the run stops, nothing recorded)."""
    from ecg_viewer.labels.fusion import FusionError
    from ecg_viewer.model.errors import TextEncoderError, WeightsError

    return (WeightsError, TextEncoderError, FusionError)


@dataclass(frozen=True)
class AnalyzerSpec:
    """Which pipeline a batch uses: the arguments of ``pipeline.factory.make_analyzer``."""

    device: str = "auto"
    weights: str | None = None
    load_model: bool = True

    def build(self) -> Analyzer:
        """The pipeline, its model (weights and shipped fusion) loaded and checked now: missing
        or altered weights raise :class:`BatchAbort` before any file is recorded."""
        from ecg_viewer.pipeline.factory import make_analyzer

        try:
            analyzer = make_analyzer(self.device, self.weights, self.load_model)
            if analyzer.predictor is not None:
                analyzer.fusion_for(analyzer.predictor)
        except _model_errors() as exc:
            raise _abort(exc) from exc
        return analyzer

    def __call__(self) -> Callable[[EcgRecord], Analysis]:
        """``record -> Analysis`` (the per-file path: no model, or a caller's own loop)."""
        analyzer = self.build()
        errors = _model_errors()

        def analyze(record: EcgRecord) -> Analysis:
            try:
                return analyzer.analyze(record)
            except errors as exc:
                raise _abort(exc) from exc

        return analyze


# --- worker side -----------------------------------------------------------------------------
_input_norm: str | None = None
_done_sha: frozenset[str] = frozenset()
_read_options: dict[str, Any] | None = None  # read_ecg options (``--fs-hz``)


def _init_prepare_worker(input_norm: str, parent_pid: int, done_sha: frozenset[str],
                         read_options: dict[str, Any] | None = None) -> None:
    global _input_norm, _done_sha, _read_options
    _read_options = read_options
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which stops us
    _die_with_parent(parent_pid)
    _input_norm = input_norm
    _done_sha = done_sha  # from earlier runs; duplicates within this run: the parent sees them


def prepare_file(path: Path, done_sha: frozenset[str], input_norm: str,
                 read_options: dict[str, Any] | None = None
                 ) -> tuple[Path, Row | Prepared, StageTimes]:
    """Read and prepare one file: ``(path, Prepared, times)``, or a finished row (an unreadable
    file, a duplicate, a record the model cannot take; the same rows the per-file path gives)."""
    from ecg_viewer.model.preprocess import record_to_input

    t0 = time.process_time()
    try:
        record = read_ecg(path, **(read_options or {}))
    except (EcgFileNotFoundError, EcgPermissionError) as exc:
        if isinstance(exc, BrokenLinkError) or (isinstance(exc, EcgFileNotFoundError)
                                                and path.is_file()):
            return path, _error_row(path, exc), {}  # a file it names is missing, a dead link
        return path, {**_error_row(path, exc), "retry": True}, {}  # gone or locked: next run
    except EcgError as exc:
        return path, _error_row(path, exc), {}
    except OSError as exc:
        log.warning("batch: I/O error reading %s: %s", path, exc)
        return path, _retry_row(path, "batch.io_retry", exc), {}
    except Exception as exc:  # a reader bug: logged with its traceback, tried again next run
        log.exception("batch: unexpected error reading %s", path)
        return path, _retry_row(path, "batch.unexpected", exc), {}
    t1 = time.process_time()
    source = fingerprint(record.source_files)
    if record.sha256 in done_sha:
        return path, {"file": str(path), "sha256": record.sha256, "duplicate": True,
                      "source": source, **patient_fields(record)}, {}
    try:
        prepared, _meas = prepare(record)
        if prepared.quality.ok:  # the model sees only what the quality gate lets through
            prepared.model_input = record_to_input(record, input_norm)
    except EcgError as exc:  # e.g. the model cannot take this record (leads missing)
        return path, _error_row(path, exc, record.sha256), {}
    except Exception as exc:
        log.exception("batch: unexpected error analysing %s", path)
        return path, {**_retry_row(path, "batch.unexpected", exc), "sha256": record.sha256}, {}
    prepared.source = source
    return path, prepared, {"read": t1 - t0, "prepare": time.process_time() - t1}


def _prepare_in_worker(path: Path) -> tuple[Path, Row | Prepared, StageTimes]:
    if _input_norm is None:
        raise RuntimeError("batch worker used before its initializer ran")
    return prepare_file(path, _done_sha, _input_norm, _read_options)


# --- this process ----------------------------------------------------------------------------
def finish_rows(analyzer: Analyzer, ready: list[tuple[Path, Prepared]],
                times: StageTimes | None = None) -> list[Row]:
    """The rows of prepared records: one model pass over those the quality gate let through,
    then fusion, criteria and referral. A model failure raises :class:`BatchAbort`; anything
    unexpected is narrowed down to the record it belongs to (that row is tried again next run)."""
    times = times if times is not None else {}
    try:
        return _finish(analyzer, ready, times)
    except BatchAbort:
        raise
    except Exception:
        log.exception("batch: a batch of %d records failed; finishing them one by one", len(ready))
    rows = []
    for path, prep in ready:
        try:
            rows.extend(_finish(analyzer, [(path, prep)], times))
        except BatchAbort:
            raise
        except Exception as exc:
            log.exception("batch: unexpected error analysing %s", path)
            rows.append({**_retry_row(path, "batch.unexpected", exc), "sha256": prep.sha256})
    return rows


def _finish(analyzer: Analyzer, ready: list[tuple[Path, Prepared]], times: StageTimes
            ) -> list[Row]:
    predictor = analyzer.predictor
    t0 = time.process_time()
    idx = [i for i, (_, p) in enumerate(ready) if p.model_input is not None]
    raw: list[Any] = [None] * len(ready)
    if idx and predictor is not None:
        try:
            preds = predictor.predict_inputs([ready[i][1].model_input for i in idx])
        except _model_errors() as exc:
            raise _abort(exc) from exc
        for i, pred in zip(idx, preds, strict=True):
            raw[i] = pred
    t1 = time.process_time()
    try:
        analyses = analyzer.finish([p for _, p in ready], raw)
    except _model_errors() as exc:
        raise _abort(exc) from exc
    rows = []
    for (path, prep), analysis in zip(ready, analyses, strict=True):
        row = analysis.to_dict()
        row["file"] = str(path)
        row["source"] = prep.source
        row.update(prep.patient or {})
        rows.append(row)
    times["model"] = times.get("model", 0.0) + t1 - t0
    times["finish"] = times.get("finish", 0.0) + time.process_time() - t1
    return rows


#: records the workers may prepare ahead while this process still loads the model (their
#: ``Prepared``: quality, measurements, features and the 48-KB model input, ~0.1 MB each)
AHEAD = 256
#: batches near the end of the run (the last one is run while the workers idle)
TAIL_BATCH = 8


def _load_in_thread(spec: AnalyzerSpec, times: StageTimes) -> Future[Analyzer]:
    """``spec.build()`` (torch's import and the weights: ~1.4 CPU-s) on a thread of its own, so
    that this process starts the workers and hands them files meanwhile; its CPU time goes to
    ``times["load"]``."""
    fut: Future[Analyzer] = Future()

    def load() -> None:
        fut.set_running_or_notify_cancel()
        t0 = time.thread_time()
        try:
            from ecg_viewer.model.predictor import Predictor

            # one inference thread (the workers keep the other cores busy), set before the model
            # loads: torch's idle threads would spin through the many small copies of the loading
            Predictor.use_threads(1)
            analyzer = spec.build()  # BatchAbort before anything is recorded
        except BaseException as exc:  # handed to the waiting thread
            fut.set_exception(exc)
        else:
            times["load"] = time.thread_time() - t0
            fut.set_result(analyzer)

    threading.Thread(target=load, name="batch-model-load", daemon=True).start()
    return fut


def run_staged(todo: list[Path], spec: AnalyzerSpec, workers: int, output: BatchOutput,
               record: Callable[[Row], None], times: StageTimes,
               marks: dict[str, float] | None = None, *,
               read_options: dict[str, Any] | None = None) -> None:
    """Analyse ``todo`` with ``workers`` preparing processes and batched inference here. The
    model loads on a thread of this process while the workers start and prepare up to
    :data:`AHEAD` records; no row (not even an unreadable file's) is recorded before the model
    is loaded and checked. ``marks`` receives the ``time.perf_counter()`` of "model_loaded" and
    "first_prepared" (for ``bench/batch.py``)."""
    marks = marks if marks is not None else {}
    keep_freed_memory()  # the model's activations reuse the heap (the workers do the same)
    input_norm = _input_norm_of(spec)  # BatchAbort when the weights folder has no manifest
    depth = workers * 2 + BATCH  # queued work keeps the workers busy while the model runs
    done_before = frozenset(output.done_sha)  # sent once to each worker, not with each file
    loading: Future[Analyzer] | None = None
    analyzer: Analyzer | None = None
    early: list[Row] = []  # rows that came before the model was loaded
    frozen = False
    try:
        with worker_pool(workers, _init_prepare_worker,
                         (input_norm, os.getpid(), done_before, read_options)) as pool:
            # the fork server is started (from this process while it is still small): the model
            # loads meanwhile, as the server imports and the workers prepare
            loading = _load_in_thread(spec, times)
            pending: set[Future[Any]] = set()
            queue = list(reversed(todo))
            ready: list[tuple[Path, Prepared]] = []
            ready_sha: set[str] = set()

            def submit() -> None:
                limit = depth if analyzer is not None else max(depth, AHEAD - len(ready))
                while queue and len(pending) < limit:
                    pending.add(pool.submit(_prepare_in_worker, queue.pop()))

            while queue or pending or ready or loading is not None:
                submit()
                waiting = pending | ({loading} if loading is not None else set())
                finished = wait(waiting, return_when=FIRST_COMPLETED)[0] if waiting else set()
                if loading is not None and loading in finished:
                    analyzer = _loaded(loading, input_norm)
                    loading = None
                    marks["model_loaded"] = time.perf_counter()
                    # torch and the model are ~250 000 objects that each full collection would walk
                    # (half the CPU of finishing the analyses); they stay until the run ends
                    gc.freeze()
                    frozen = True
                    for row in early:
                        record(row)
                    early = []
                for fut in finished & pending:
                    pending.discard(fut)
                    path, result, spent = fut.result()
                    marks.setdefault("first_prepared", time.perf_counter())
                    for k, v in spent.items():
                        times[k] = times.get(k, 0.0) + v
                    if not isinstance(result, Prepared):
                        (record if analyzer is not None else early.append)(result)
                    elif result.sha256 and (result.sha256 in output.done_sha
                                            or result.sha256 in ready_sha):
                        # the same ECG as a file done in this run: listed, not analysed again
                        row = {"file": str(path), "sha256": result.sha256, "duplicate": True,
                               "source": result.source, **(result.patient or {})}
                        (record if analyzer is not None else early.append)(row)
                    else:
                        ready.append((path, result))
                        if result.sha256:
                            ready_sha.add(result.sha256)
                if analyzer is None or not ready:
                    continue
                last = not (queue or pending)
                size = BATCH if queue or len(pending) > BATCH else TAIL_BATCH
                while ready and (len(ready) >= size or last):
                    batch, ready = ready[:BATCH], ready[BATCH:]
                    submit()  # the workers go on while the model runs
                    for row in finish_rows(analyzer, batch, times):
                        record(row)
                    ready_sha.difference_update(p.sha256 for _, p in batch if p.sha256)
    finally:
        if frozen:
            gc.unfreeze()  # collectable again (a caller's process goes on)


def _loaded(loading: Future[Analyzer], input_norm: str) -> Analyzer:
    """The loaded pipeline (raises what the loading raised), checked against the manifest the
    workers were started with."""
    analyzer = loading.result()
    from ecg_viewer.model.predictor import Predictor

    Predictor.use_threads(1)  # in this thread too (torch's OpenMP setting may be per thread)
    if getattr(analyzer.predictor, "input_norm", input_norm) != input_norm:  # changed meanwhile
        from ecg_viewer.model.errors import WeightsError

        raise _abort(WeightsError("model.weights_mismatch",
                                  detail="the manifest changed during the run"))
    return analyzer


def _input_norm_of(spec: AnalyzerSpec) -> str:
    """The model input normalisation the weights' manifest names (read without torch)."""
    from ecg_viewer.model.weights import read_manifest
    from ecg_viewer.pipeline.factory import weights_folder

    try:
        manifest = read_manifest(weights_folder(spec.weights))
    except _model_errors() as exc:
        raise _abort(exc) from exc
    return str(manifest.get("preprocessing", {}).get("input_norm", "mv"))
