"""``ecg-viewer batch DIR --out results.jsonl|.csv [--workers N]``: analyse every ECG file
under DIR, one ``analyze --json`` object per file (unreadable files listed with their error),
with a progress bar; resumable (files already in the output are skipped); prints ECGs/s.

Exit codes: 0 every file recorded (unreadable ones included, listed with their error); 1 the
model cannot be used, the output cannot be written (full disk ...), or some files failed for a
passing reason and were not recorded (the next run retries them); 2 bad arguments; 130 stopped
(Ctrl-C or SIGTERM; the workers are stopped too)."""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import signal
import sys
import threading
from pathlib import Path

from ecg_viewer.commands.model_args import add_model_arguments
from ecg_viewer.commands.options import AtLeast
from ecg_viewer.core.errors import user_message
from ecg_viewer.core.messages import language, tr
from ecg_viewer.pipeline.batch import BatchAbort, BatchOutputError, run_batch
from ecg_viewer.pipeline.batch_staged import AnalyzerSpec
from ecg_viewer.pipeline.files import find_ecg_files

HELP = "help.batch"  # the message key of its one-line description
ABOUT = "help.batch.about"  # and what its own --help adds: the rows, the exit codes


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", help=tr("help.batch.dir"))
    p.add_argument("--out", required=True, help=tr("help.batch.out"))
    p.add_argument("--workers", type=int, default=0, action=AtLeast, minimum=0,
                   help=tr("help.batch.workers"))
    add_model_arguments(p)
    p.add_argument("--no-progress", action="store_true", help=tr("help.batch.no_progress"))
    p.add_argument("--fs-hz", type=float, default=None, metavar="HZ",
                   help=tr("help.fs_hz"))


class ProgressBar:
    """A one-line bar on stderr (a line per 10 % when stderr is not a terminal)."""

    def __init__(self, stream=None, width: int = 30) -> None:
        # stderr as it is now, not as it was when this module was imported (a stream replaced
        # since, and closed, failed the batch with "I/O operation on closed file")
        stream = sys.stderr if stream is None else stream
        self.stream = stream
        self.width = width
        self.tty = stream.isatty()
        self._last_decile = -1

    def __call__(self, done: int, total: int, rate: float) -> None:
        frac = done / total if total else 1.0
        bar = "#" * int(frac * self.width) + "." * (self.width - int(frac * self.width))
        text = f"[{bar}] " + tr("report.batch.progress", done=done, total=total, rate=rate)
        if self.tty:
            self.stream.write("\r" + text + ("\n" if done >= total else ""))
            self.stream.flush()
        elif int(frac * 10) != self._last_decile or done >= total:
            self._last_decile = int(frac * 10)
            self.stream.write(text + "\n")
            self.stream.flush()


def default_workers() -> int:
    """One worker process per CPU core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


_freeze_at_exit: list[bool] = []  # registered once per process


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    if not root.is_dir():
        print(tr("report.batch.not_dir", dir=root), file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.suffix.lower() not in (".jsonl", ".csv"):
        print(tr("report.batch.bad_out", path=out), file=sys.stderr)
        return 2
    out_key = os.path.realpath(out)  # the results file inside the folder is no ECG to read
    not_tables: list[Path] = []  # .csv/.tsv/.txt that are not numeric tables: error rows, not
    found = find_ecg_files(root, recursive=True, not_tables=not_tables)  # left out silently
    files = sorted(f for f in found + not_tables if os.path.realpath(f) != out_key)
    if not files:
        print(tr("report.batch.no_files", dir=root), file=sys.stderr)
        return 1
    spec = AnalyzerSpec(args.device, args.weights, not args.no_model)
    workers = args.workers if args.workers > 0 else default_workers()
    lang = language()
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm) if main_thread else None
    try:
        summary = run_batch(root, out, spec, workers=workers,
                            progress=None if args.no_progress else ProgressBar(),
                            files=files,
                            read_options=None if args.fs_hz is None else {"fs_hz": args.fs_hz})
    except KeyboardInterrupt:
        print("\n" + tr("report.batch.interrupted", out=out), file=sys.stderr)
        return 130
    except BatchAbort as exc:
        print(tr("batch.model_unusable", reason=exc.message(lang), out=out),
              file=sys.stderr)
        return 1
    except BatchOutputError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 1
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
        # when this process ends, its exit need not walk torch's and the model's objects (~0.3 s)
        if not _freeze_at_exit:
            atexit.register(gc.freeze)
            _freeze_at_exit.append(True)
    for file, message in summary.errors:
        print(f"  ✗ {file}: {message.text(lang)}", file=sys.stderr)
    for file, message in summary.retry:
        print(f"  ↻ {file}: {message.text(lang)}", file=sys.stderr)
    print(tr("report.batch.summary", ok=summary.analysed, failed=summary.failed,
             skipped=summary.skipped, duplicates=summary.duplicates, seconds=summary.seconds,
             rate=summary.rate_per_s, out=out))
    if summary.changed:
        print(tr("report.batch.changed", n=summary.changed))
    if summary.not_redone:
        n, exc = summary.not_redone
        print(tr("batch.changed_kept", message=user_message(exc), n=n), file=sys.stderr)
    if not summary.tracks_changes:
        print(tr("batch.no_change_tracking", out=out), file=sys.stderr)
    if summary.retry:
        print(tr("batch.retry_pending", n=len(summary.retry)), file=sys.stderr)
        return 1
    return 0
