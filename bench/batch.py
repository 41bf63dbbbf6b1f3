"""Batch throughput with the shipped model: ECGs/s of the real batch engine on N 10-s 500-Hz
12-lead files, with the time per stage, the worker count and the peak memory.

The files are WFDB copies, cut to 10 s, of the real 500-Hz 12-lead records in ../shared/data
(PTB-XL ``*_hr``, PhysioNet/CinC 2021 and the CinC external set), written to a temp folder under
new record names (each copy is another file, with its own sha256, so none is skipped as a
duplicate); with more files than source records the records repeat.

    nice -n 10 .venv/bin/python bench/batch.py [-n 200] [--workers N] [--device cpu]
                                               [--also-repo OLD_CHECKOUT]

``--alone``: instead of the batch run, the CPU time per ECG of each record-side step measured in
this one process (read, quality gate, measurements, ``prepare`` + model input; best of 5 rounds
over the first 34 files; the model input with the shipped weights' normalisation), the figure
that the load of a shared machine moves least; with the malloc settings of the batch processes
(``pipeline.batch.keep_freed_memory``), or glibc's defaults with ``--default-malloc``.

``--also-repo``: then also runs ``ecg-viewer batch`` of another checkout (e.g. a worktree of an
older commit) on the same folder, as a command (its own summary line, wall time and CPU from
process start), and this checkout's ``batch`` command the same way, for a before/after under the
same load; ``--cli``: this checkout's command only.

Prints: files, distinct source records, workers, wall time (model load and process start
included) and ECGs/s as ``ecg-viewer batch`` reports it, the CPU seconds per stage (read and
prepare summed over the workers; load, model, finish and write this process's: process time, so
that other work on a shared machine moves them little), the CPU of the whole run and the rate
two idle cores would allow from it, the peak RSS of this process and of the largest worker and
the minor page faults (``resource.getrusage``).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DATA = REPO.parent / "shared" / "data"
SOURCES = (DATA / "samples" / "wfdb_ptbxl", DATA / "samples" / "wfdb_cinc2021",
           DATA / "cinc_extra")
FS_HZ = 500
N_SAMPLES = 10 * FS_HZ


def source_records() -> list[Path]:
    """Headers of the 500-Hz 12-lead records of at least 10 s (record path without suffix)."""
    out = []
    for folder in SOURCES:
        for hea in sorted(folder.glob("*.hea")):
            first = hea.read_text(encoding="latin-1").split("\n", 1)[0].split()
            if len(first) >= 4 and first[1] == "12" and float(first[2].split("/")[0]) == FS_HZ \
                    and int(first[3]) >= N_SAMPLES:
                out.append(hea.with_suffix(""))
    return out


def build_folder(folder: Path, n: int) -> int:
    """``n`` WFDB files (format 16) cut from the source records; returns how many distinct
    source records were used."""
    import wfdb

    records = []
    for src in source_records():
        try:
            records.append(wfdb.rdrecord(str(src), physical=False, sampto=N_SAMPLES))
        except Exception as exc:  # a header the wfdb package does not parse: not used here
            print(f"skipped {src.name}: {type(exc).__name__}", file=sys.stderr)
    if not records:
        raise SystemExit(f"no 500-Hz 12-lead records under {DATA}")
    for i in range(n):
        rec = records[i % len(records)]
        wfdb.wrsamp(f"ecg{i:04d}", fs=FS_HZ, units=rec.units, sig_name=rec.sig_name,
                    d_signal=rec.d_signal, fmt=["16"] * rec.n_sig, adc_gain=rec.adc_gain,
                    baseline=rec.baseline, write_dir=str(folder))
    return min(n, len(records))


def cli_run(repo: Path, folder: Path, out: Path, workers: int) -> None:
    """``ecg-viewer batch`` of ``repo`` as a command: its summary line, the wall time and the CPU
    of the whole command (its workers and fork server included), both from process start."""
    import subprocess

    cmd = [sys.executable, "-m", "ecg_viewer", "--lang", "en", "batch", str(folder), "--out",
           str(out), "--workers", str(workers), "--device", "cpu", "--no-progress"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=repo, env={**os.environ, "PYTHONPATH": str(repo)},
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    line = (proc.stdout.strip().splitlines() or [proc.stderr.strip()[-300:]])[-1]
    print(f"[{repo}] batch --workers {workers}: rc {proc.returncode}, {wall:.1f} s wall, "
          f"CPU {cpu:.1f} s (process start included; load average {os.getloadavg()[0]:.2f}): "
          f"{line}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=200, help="files (default 200)")
    ap.add_argument("--workers", type=int, default=0, help="worker processes (0: one per core)")
    ap.add_argument("--device", default="cpu", help="model device (default cpu)")
    ap.add_argument("--also-repo", default=None, help="another checkout to time as a command")
    ap.add_argument("--cli", action="store_true",
                    help="also time this checkout's batch command (from process start)")
    ap.add_argument("--alone", action="store_true", help="CPU per step in one process instead")
    ap.add_argument("--default-malloc", action="store_true",
                    help="--alone with glibc's default malloc settings (not the batch processes')")
    args = ap.parse_args()
    if args.alone:
        alone(min(args.n, 34), args.default_malloc)
        return

    from ecg_viewer.commands.batch import default_workers
    from ecg_viewer.pipeline.batch import run_batch
    from ecg_viewer.pipeline.batch_staged import AnalyzerSpec

    workers = args.workers or default_workers()
    with tempfile.TemporaryDirectory(prefix="ecgv-bench-batch-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        distinct = build_folder(folder, args.n)
        out = Path(tmp) / "out.jsonl"
        before = resource.getrusage(resource.RUSAGE_SELF)
        marks: list[tuple[float, int]] = []  # (time, rows done) after each row

        def progress(done: int, total: int, rate: float) -> None:
            marks.append((time.perf_counter(), done))

        start = time.perf_counter()
        summary = run_batch(folder, out, AnalyzerSpec(args.device), workers=workers,
                            progress=progress)
        wall = time.perf_counter() - start
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, once they ended
        load = os.getloadavg()[0]
        rows = len(out.read_text(encoding="utf-8").splitlines())
        repos = ([Path(args.also_repo)] if args.also_repo else []) \
            + ([REPO] if args.also_repo or args.cli else [])
        for i, repo in enumerate(repos):
            cli_run(repo, folder, Path(tmp) / f"cli-{i}.jsonl", workers)
    print(f"files {args.n} (from {distinct} distinct real records), rows {rows}, analysed "
          f"{summary.analysed}, unreadable {summary.failed}, retry {len(summary.retry)}")
    print(f"cores {os.cpu_count()}, workers {summary.workers}, device {args.device}, "
          f"load average {load:.2f} at the end of the run")
    print(f"wall {wall:.1f} s -> {summary.rate_per_s:.1f} ECGs/s (model load and worker start "
          "included)")
    if len(marks) > 2:
        (t1, d1), (t2, d2) = marks[1], marks[-1]
        print(f"steady state (first row to last): {(d2 - d1) / (t2 - t1):.1f} ECGs/s; first row "
              f"after {t1 - start:.2f} s (model load, worker start, the first batch)")
    phases = [f"{name.replace('_', ' ')} after {summary.marks[name] - start:.2f} s"
              for name in ("first_prepared", "model_loaded") if name in summary.marks]
    if phases:
        print("start-up: " + ", ".join(phases) + " (the model loads while the workers prepare)")
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in summary.stage_s.items())
    print(f"CPU per stage: {stages}")
    per = {k: 1000 * v / max(1, summary.analysed) for k, v in summary.stage_s.items()
           if k != "load"}
    print("CPU per ECG: " + ", ".join(f"{k} {v:.1f} ms" for k, v in per.items())
          + f" = {sum(per.values()):.1f} ms (start-up not included)")
    parent_cpu = (me.ru_utime + me.ru_stime) - (before.ru_utime + before.ru_stime)
    kids_cpu = kids.ru_utime + kids.ru_stime
    done = max(1, summary.analysed + summary.failed)
    print(f"CPU of the run: this process {parent_cpu:.1f} s, workers {kids_cpu:.1f} s "
          f"(process start and model load included) = {1000 * (parent_cpu + kids_cpu) / done:.0f}"
          f" ms per ECG -> at most {done * (os.cpu_count() or 1) / (parent_cpu + kids_cpu):.0f}"
          f" ECGs/s on {os.cpu_count()} idle cores")
    print(f"peak RSS: this process {me.ru_maxrss / 1024:.0f} MiB, largest worker "
          f"{kids.ru_maxrss / 1024:.0f} MiB (x{summary.workers} workers: about "
          f"{(me.ru_maxrss + summary.workers * kids.ru_maxrss) / 1024:.0f} MiB in all)")
    print(f"minor page faults: this process {me.ru_minflt - before.ru_minflt}, workers and "
          f"fork server {kids.ru_minflt}")


def alone(n: int, default_malloc: bool = False) -> None:
    """CPU ms per ECG of each record-side step in this process (best of 5 rounds)."""
    from ecg_viewer.io import read_ecg
    from ecg_viewer.model.preprocess import record_to_input
    from ecg_viewer.pipeline.analyze import prepare
    from ecg_viewer.pipeline.batch import keep_freed_memory
    from ecg_viewer.pipeline.batch_staged import AnalyzerSpec, _input_norm_of
    from ecg_viewer.signal.measure import measure
    from ecg_viewer.signal.quality import assess_quality

    norm = _input_norm_of(AnalyzerSpec())  # the shipped weights' input normalisation
    if not default_malloc:
        keep_freed_memory()  # as in the batch workers (pipeline/batch.py)

    with tempfile.TemporaryDirectory(prefix="ecgv-bench-alone-") as tmp:
        build_folder(Path(tmp), n)
        files = sorted(Path(tmp).glob("*.hea"))
        records = [read_ecg(f) for f in files]
        steps = {"read": (read_ecg, files), "quality": (assess_quality, records),
                 "measure": (measure, records),
                 "prepare+input": (lambda r: (prepare(r), record_to_input(r, norm)), records)}
        out = []
        for name, (fn, items) in steps.items():
            for it in items[:3]:
                fn(it)
            best = float("inf")
            for _ in range(5):
                t0 = time.process_time()
                for it in items:
                    fn(it)
                best = min(best, (time.process_time() - t0) / len(items))
            out.append(f"{name} {1000 * best:.1f} ms")
    print(f"CPU per ECG in one process, {len(files)} files (best of 5): " + ", ".join(out)
          + f"; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
