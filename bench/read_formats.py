"""Read time per sample file and per format: ``read_ecg`` on every file under the shared samples.

    .venv/bin/python bench/read_formats.py [--runs 7] [--samples ../shared/data/samples]

For each file: format, leads, rate, duration and the median wall time of ``--runs`` reads (after
one warm-up read, so the import of a reader's library is not counted). WFDB signal files
(.dat/.mat/.xyz) whose header sits beside them are the same record as the header and are not
timed twice. Files that raise (annotations, deliberately bad samples, formats without a reader)
are listed as skipped with the error. Ends with the median per format.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ecg_viewer.core.errors import EcgReadError  # noqa: E402
from ecg_viewer.io import read_ecg  # noqa: E402

DEFAULT_SAMPLES = REPO.parent / "shared" / "data" / "samples"
_WFDB_SIGNAL = (".dat", ".mat", ".xyz")


def sample_files(root: Path) -> list[Path]:
    files = []
    for p in sorted(root.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix.lower() in _WFDB_SIGNAL and p.with_suffix(".hea").is_file():
            continue  # the record is timed through its header
        files.append(p)
    return files


def time_read(path: Path, runs: int) -> tuple[object, float]:
    rec = read_ecg(path)  # warm-up: imports the reader's library, fills the OS cache
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        read_ecg(path)
        times.append(time.perf_counter() - t0)
    return rec, statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args(argv)
    if not args.samples.is_dir():
        print(f"no sample folder at {args.samples}", file=sys.stderr)
        return 2

    rows, skipped = [], []
    per_format: dict[str, list[float]] = defaultdict(list)
    for path in sample_files(args.samples):
        rel = path.relative_to(args.samples)
        try:
            rec, t = time_read(path, args.runs)
        except EcgReadError as exc:
            skipped.append((str(rel), type(exc).__name__, exc.found or exc.expected))
            continue
        n_derived = len(rec.derived_leads)
        leads = f"{len(rec.lead_names) - n_derived}+{n_derived}d" if n_derived else str(len(rec.lead_names))
        rows.append((rec.format, str(rel), leads, rec.fs_hz, rec.duration_s, t * 1000))
        per_format[rec.format].append(t * 1000)

    print(f"read_ecg, median of {args.runs} runs per file (after one warm-up read)\n")
    print(f"{'format':<11} {'file':<44} {'leads':>7} {'fs_hz':>7} {'dur_s':>8} {'read_ms':>9}")
    for fmt, rel, leads, fs, dur, ms in sorted(rows):
        print(f"{fmt:<11} {rel:<44} {leads:>7} {fs:>7g} {dur:>8.2f} {ms:>9.2f}")
    print(f"\n{'format':<11} {'files':>5} {'median_ms':>10} {'max_ms':>8}")
    for fmt in sorted(per_format):
        ts = per_format[fmt]
        print(f"{fmt:<11} {len(ts):>5} {statistics.median(ts):>10.2f} {max(ts):>8.2f}")
    if skipped:
        print("\nskipped (raised a domain error):")
        for rel, err, why in skipped:
            print(f"  {rel:<44} {err}: {why[:90]}")
    print("\nleads: stored+derived (d = computed from I and II)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
