"""`ecg-viewer batch` with 1 and 2 (or more) worker processes on the same folder: wall time and
ECGs/s, the real model included. Each worker uses one thread (OMP/MKL set per worker), so more
workers should not be slower than one on a machine with that many free cores.

    .venv/bin/python bench/batch_workers.py [--dir ../shared/data/samples/wfdb_cinc2021]
                                            [--workers 1 2] [--no-model]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_once(folder: Path, workers: int, no_model: bool, repo: Path = REPO) -> tuple[float, float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        cmd = [sys.executable, "-m", "ecg_viewer", "--lang", "en", "batch", str(folder),
               "--out", str(out), "--workers", str(workers), "--no-progress"]
        if no_model:
            cmd.append("--no-model")
        env = {**os.environ, "PYTHONPATH": str(repo)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers included
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rows = len(out.read_text(encoding="utf-8").splitlines()) if out.exists() else 0
        summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr
        return wall, cpu, f"rc={proc.returncode} rows={rows} | {summary}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dir", default=str(REPO.parent / "shared" / "data" / "samples" /
                                         "wfdb_cinc2021"))
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-model", action="store_true")
    ap.add_argument("--repo", default=str(REPO), help="checkout whose code is run (to compare)")
    args = ap.parse_args()
    print(f"cpu cores: {os.cpu_count()}  folder: {args.dir}  code: {args.repo}")
    for n in args.workers:
        wall, cpu, summary = run_once(Path(args.dir), n, args.no_model, Path(args.repo))
        print(f"--workers {n}: {wall:6.1f} s wall, {cpu:6.1f} s CPU (user+sys, workers "
              "included; process start and model load included)")
        print(f"    {summary}")


if __name__ == "__main__":
    main()
