"""Analyse every ECG file under a folder into JSON Lines or CSV, resumably.

Qt-free and model-free: the analysis is a function handed in (``make_analyze`` builds it once
per worker process, e.g. ``Analyzer().analyze``), so the same engine serves ``ecg-viewer batch``
and the window's worklist. One output row per file, in completion order: the ``analyze --json``
object, or ``{"file", "error", "error_ja", "error_type"}`` for a file that cannot be read.
Each row is flushed as it is written; after an interrupt the next run skips every file already
in the output (by path, and by the record's sha256 for the same ECG under another name) and
drops a half-written last line.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.prediction import Analysis
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import detect_format, read_ecg, supported_extensions

log = logging.getLogger(__name__)

AnalyzeFn = Callable[[EcgRecord], Analysis]
# signal files whose record is named by a header beside them (WFDB)
_COMPANION = {".dat": ".hea", ".mat": ".hea"}

CSV_COLUMNS = (
    "file", "sha256", "status", "error", "quality_ok", "quality_problems", "referral_level",
    "referral_ja", "referral_because", "top1_id", "top1_ja", "top1_score", "top5",
    "present", "hr_bpm", "rr_ms", "pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms",
    "qtc_fridericia_ms", "qrs_axis_deg", "app_version", "weights_sha256", "catalog_version",
)  # fmt: skip


def find_ecg_files(root: str | Path) -> list[Path]:
    """Every file under ``root`` a reader claims (by extension or magic bytes), sorted, hidden
    files left out; a WFDB record is listed once, by its header (the signal files it names,
    ``.dat``/``.mat``/``.xyz`` ..., are left out)."""
    root = Path(root)
    exts = set(supported_extensions())
    candidates = sorted(p for p in root.rglob("*") if p.is_file()
                        and not any(part.startswith(".") for part in p.relative_to(root).parts))
    companions: set[Path] = set()
    for path in candidates:
        if path.suffix.lower() == ".hea":
            companions.update(path.parent / name for name in _wfdb_signal_files(path))
    out = []
    for path in candidates:
        if path in companions:
            continue
        if path.suffix.lower() in exts:
            out.append(path)
            continue
        try:
            if detect_format(path) is not None:
                out.append(path)
        except OSError:
            out.append(path)  # unreadable: listed with its error by the run
    return out


def _wfdb_signal_files(header: Path) -> set[str]:
    """The signal file names a WFDB header lists (first field of each signal line)."""
    names: set[str] = set()
    try:
        lines = header.read_text(encoding="latin-1", errors="replace").splitlines()
    except OSError:
        return names
    record_line_seen = False
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not record_line_seen:
            record_line_seen = True
            continue
        name = line.split()[0]
        if "/" not in name and name != "~":
            names.add(name)
    return names


# --- one file --------------------------------------------------------------------------------
_worker_analyze: AnalyzeFn | None = None


def _init_worker(make_analyze: Callable[[], AnalyzeFn]) -> None:
    global _worker_analyze
    _worker_analyze = make_analyze()


def analyze_file(path: Path, analyze: AnalyzeFn, done_sha: frozenset[str] = frozenset()
                 ) -> dict[str, Any]:
    """The output row for one file (never raises for a bad file)."""
    try:
        record = read_ecg(path)
    except EcgError as exc:
        return _error_row(path, exc)
    except OSError as exc:
        return {"file": str(path), "error": str(exc), "error_ja": str(exc),
                "error_type": type(exc).__name__}
    if record.sha256 in done_sha:  # the same ECG under another name: listed, not analysed again
        return {"file": str(path), "sha256": record.sha256, "duplicate": True}
    try:
        row = analyze(record).to_dict()
    except EcgError as exc:
        return _error_row(path, exc, record.sha256)
    row["file"] = str(path)
    return row


def _error_row(path: Path, exc: EcgError, sha256: str | None = None) -> dict[str, Any]:
    return {"file": str(path), "sha256": sha256, "error": exc.message_en,
            "error_ja": exc.message_ja, "error_type": type(exc).__name__}


def _analyze_in_worker(path: Path, done_sha: frozenset[str]) -> dict[str, Any]:
    if _worker_analyze is None:
        raise RuntimeError("batch worker used before its initializer ran")
    return analyze_file(path, _worker_analyze, done_sha)


# --- output ----------------------------------------------------------------------------------
class BatchOutput:
    """Appends rows to a .jsonl or .csv file; knows which files/records it already holds."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.kind = self.path.suffix.lower().lstrip(".")
        if self.kind not in ("jsonl", "csv"):
            raise ValueError(f"output must end in .jsonl or .csv, got {self.path.name}")
        self.done_files: set[str] = set()
        self.done_sha: set[str] = set()
        self._load_existing()
        new = not self.path.exists() or self.path.stat().st_size == 0
        self._fh = open(self.path, "a", encoding="utf-8", newline="")
        self._csv = csv.DictWriter(self._fh, CSV_COLUMNS, extrasaction="ignore") \
            if self.kind == "csv" else None
        if self._csv is not None and new:
            self._csv.writeheader()
            self._fh.flush()

    def _load_existing(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):  # interrupted mid-row: drop the partial line
            cut = data.rfind(b"\n") + 1
            log.warning("%s: dropping a half-written last row (%d bytes)", self.path,
                        len(data) - cut)
            with open(self.path, "r+b") as fh:
                fh.truncate(cut)
            data = data[:cut]
        text = data.decode("utf-8", errors="replace")
        if self.kind == "jsonl":
            rows: Iterator[dict[str, Any]] = (_json_or_none(line) for line in text.splitlines())
        else:
            rows = iter(csv.DictReader(io.StringIO(text)))
        for row in rows:
            if not row:
                continue
            if row.get("file"):
                self.done_files.add(str(Path(row["file"]).resolve()))
            if row.get("sha256"):
                self.done_sha.add(row["sha256"])

    def write(self, row: dict[str, Any]) -> None:
        if self._csv is not None:
            self._csv.writerow(csv_row(row))
        else:
            self._fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.done_files.add(str(Path(row["file"]).resolve()))
        if row.get("sha256"):
            self.done_sha.add(row["sha256"])

    def close(self) -> None:
        self._fh.close()


def _json_or_none(line: str) -> dict[str, Any] | None:
    try:
        return json.loads(line) if line.strip() else None
    except json.JSONDecodeError:
        log.warning("skipping an unreadable line in the batch output")
        return None


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """Flatten an output row into the CSV columns."""
    if "error" in row:
        return {"file": row["file"], "sha256": row.get("sha256") or "", "status": "error",
                "error": row.get("error_ja") or row["error"]}
    if row.get("duplicate"):
        return {"file": row["file"], "sha256": row.get("sha256") or "", "status": "duplicate"}
    labels = row.get("labels") or []
    meas = row.get("measurements") or {}
    model = row.get("model") or {}
    quality = row.get("quality") or {}
    referral = row.get("referral") or {}
    top = labels[0] if labels else {}
    out = {
        "file": row["file"], "sha256": row.get("sha256"), "status": "ok", "error": "",
        "quality_ok": quality.get("ok"),
        "quality_problems": "; ".join(p.get("ja", "") for p in quality.get("problems", [])),
        "referral_level": referral.get("level"), "referral_ja": referral.get("ja"),
        "referral_because": " ".join(referral.get("because", [])),
        "top1_id": top.get("id", ""), "top1_ja": top.get("ja", ""),
        "top1_score": top.get("score", ""),
        "top5": " ".join(s["id"] for s in labels[:5]),
        "present": " ".join(s["id"] for s in labels if s.get("above_threshold")),
        "app_version": model.get("app_version", ""),
        "weights_sha256": model.get("weights_sha256", ""),
        "catalog_version": model.get("catalog_version", ""),
    }
    for key in ("hr_bpm", "rr_ms", "pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms",
                "qtc_fridericia_ms", "qrs_axis_deg"):
        value = meas.get(key) if isinstance(meas, dict) else None
        out[key] = "" if value is None else value
    return out


# --- the run ---------------------------------------------------------------------------------
@dataclass
class BatchSummary:
    total: int = 0
    analysed: int = 0
    failed: int = 0
    skipped: int = 0  # already in the output from an earlier run
    duplicates: int = 0  # the same ECG (sha256) as a file already done, listed not analysed
    seconds: float = 0.0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, Japanese message)

    @property
    def rate_per_s(self) -> float:
        """ECGs analysed (or found unreadable) per second of this run."""
        done = self.analysed + self.failed
        return done / self.seconds if self.seconds > 0 else 0.0


Progress = Callable[[int, int, float], None]  # (done, total, ECGs per second)


def run_batch(root: str | Path, out: str | Path, make_analyze: Callable[[], AnalyzeFn], *,
              workers: int = 1, progress: Progress | None = None,
              files: list[Path] | None = None) -> BatchSummary:
    """Analyse every ECG under ``root`` into ``out`` (.jsonl or .csv), skipping what ``out``
    already holds. ``make_analyze`` must be picklable (a module-level function) for
    ``workers > 1``; each worker process calls it once."""
    paths = files if files is not None else find_ecg_files(root)
    output = BatchOutput(out)
    summary = BatchSummary(total=len(paths))
    todo = [p for p in paths if str(p.resolve()) not in output.done_files]
    summary.skipped = len(paths) - len(todo)
    start = time.perf_counter()

    def record(row: dict[str, Any]) -> None:
        output.write(row)
        if row.get("duplicate"):
            summary.duplicates += 1
        elif "error" in row:
            summary.failed += 1
            summary.errors.append((row["file"], row.get("error_ja") or row["error"]))
        else:
            summary.analysed += 1
        if progress:
            elapsed = time.perf_counter() - start
            done = summary.analysed + summary.failed
            progress(summary.skipped + summary.duplicates + done, summary.total,
                     done / elapsed if elapsed else 0.0)


    try:
        if progress:
            progress(summary.skipped, summary.total, 0.0)
        if workers <= 1 or len(todo) <= 1:
            analyze = make_analyze()
            for path in todo:
                record(analyze_file(path, analyze, frozenset(output.done_sha)))
        else:
            _run_pool(todo, make_analyze, workers, output, record)
    finally:
        summary.seconds = time.perf_counter() - start
        output.close()
    return summary


def _run_pool(todo: list[Path], make_analyze: Callable[[], AnalyzeFn], workers: int,
              output: BatchOutput, record: Callable[[dict[str, Any]], None]) -> None:
    ctx = get_context("spawn")  # no fork after torch/Qt threads exist
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(make_analyze,)) as pool:
        pending: set[Future[dict[str, Any]]] = set()
        queue = list(reversed(todo))
        while queue or pending:
            while queue and len(pending) < workers * 2:
                pending.add(pool.submit(_analyze_in_worker, queue.pop(),
                                        frozenset(output.done_sha)))
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                record(fut.result())
