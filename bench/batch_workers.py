"""`ecg-viewer batch` with 1 and 2 (or more) worker processes on the same folder: wall time and
ECGs/s, the real model included. Each worker uses one thread (OMP/MKL set per worker), so more
workers should not be slower than one on a machine with that many free cores.

    .venv/bin/python bench/batch_workers.py [--dir ../shared/data/samples/wfdb_cinc2021]
                                            [--workers 1 2] [--no-model]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_once(folder: Path, workers: int, no_model: bool) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        cmd = [sys.executable, "-m", "ecg_viewer", "--lang", "en", "batch", str(folder),
               "--out", str(out), "--workers", str(workers), "--no-progress"]
        if no_model:
            cmd.append("--no-model")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        rows = len(out.read_text(encoding="utf-8").splitlines()) if out.exists() else 0
        summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr
        return wall, f"rc={proc.returncode} rows={rows} | {summary}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dir", default=str(REPO.parent / "shared" / "data" / "samples" /
                                         "wfdb_cinc2021"))
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-model", action="store_true")
    args = ap.parse_args()
    print(f"cpu cores: {os.cpu_count()}  folder: {args.dir}")
    for n in args.workers:
        wall, summary = run_once(Path(args.dir), n, args.no_model)
        print(f"--workers {n}: {wall:6.1f} s wall (process start and model load included)")
        print(f"    {summary}")


if __name__ == "__main__":
    main()
