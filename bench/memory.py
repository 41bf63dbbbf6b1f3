"""Peak memory (RSS) of opening and analysing ECG files, each in its own process (issue 16).

    .venv/bin/python bench/memory.py [--code DIR] [--cap-gb 4] [--cases a,b] [--commands a,b] [--keep]

Each case runs a real command, ``python -m ecg_viewer info FILE`` (open), ``python -m
ecg_viewer analyze --json FILE`` (open + quality + measurements + the shipped model) or
``python -m ecg_viewer render FILE --filter diagnostic --out PNG`` (the first page, filtered), as a child
process whose peak RSS is read from the kernel (``os.wait4`` -> ``ru_maxrss``). ``--code`` picks
the checkout whose code runs (default: this one), so the same script prints the figures before
(``--code /work/main``) and after a change. Cases:

- ``10s``: a 10-s 12-lead ECG (PTB-XL 00001_hr, 500 Hz) from the shared samples
- ``holter``: a 24-hour 2-lead Holter (MLII, V5; 360 Hz; WFDB format 16; 31.1 M samples per lead),
  written into a temporary folder from the MIT-BIH record 100 repeated (with ``wfdb.wrsamp``)
- ``random_hea`` / ``random_csv``: 600 MB of random bytes named ``.hea`` / ``.csv``
- ``huge_dat``: a valid header naming a 1.8 GB signal file (a sparse file: no disk used)

The refusal cases run under an address-space cap (``--cap-gb``, default 4 GB) so that old code
that would grow to 10 GB cannot take the machine with it; a run that hits the cap is shown as
``>= cap``. Files are written under a temporary folder (removed unless ``--keep``).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SAMPLES = REPO.parent / "shared" / "data" / "samples"
HOLTER_HOURS = 24
RANDOM_BYTES = 600 * 10**6
HUGE_DAT_BYTES = int(1.8e9)


def make_holter(folder: Path, samples: Path) -> Path:
    """A 24-h 2-lead record made of MIT-BIH 100 repeated, written with wfdb.wrsamp."""
    import wfdb

    src = wfdb.rdrecord(str(samples / "wfdb" / "100"), physical=False, return_res=16)
    fs = int(src.fs)
    n = HOLTER_HOURS * 3600 * fs
    reps = -(-n // src.sig_len)
    d = np.tile(src.d_signal.astype(np.int16), (reps, 1))[:n]
    wfdb.wrsamp("holter", fs=fs, units=["mV", "mV"], sig_name=["MLII", "V5"], d_signal=d,
                fmt=["16", "16"], adc_gain=[200.0, 200.0], baseline=[1024, 1024],
                write_dir=str(folder))
    return folder / "holter.hea"


def make_random(folder: Path) -> tuple[Path, Path]:
    hea = folder / "random.hea"
    with open(hea, "wb") as fh:
        left = RANDOM_BYTES
        while left:
            k = min(left, 16 << 20)
            fh.write(os.urandom(k))
            left -= k
    csv = folder / "random.csv"
    os.link(hea, csv)  # the same 600 MB under a second name
    return hea, csv


def make_huge_dat(folder: Path, samples: Path) -> Path:
    """PTB-XL 00001_lr's 12 signal lines naming ``huge.dat``, a sparse 1.8 GB file, and no sample
    count in the record line (then WFDB counts the samples from the file's size: 75 M)."""
    lines = (samples / "wfdb_ptbxl" / "00001_lr.hea").read_text().splitlines()
    head = lines[0].split()
    out = [f"huge {head[1]} {head[2]}"] + [ln.replace("00001_lr.dat", "huge.dat") for ln in lines[1:]]
    (folder / "huge.hea").write_text("\n".join(out) + "\n")
    with open(folder / "huge.dat", "wb") as fh:
        fh.truncate(HUGE_DAT_BYTES)
    return folder / "huge.hea"


def measure(code: Path, args: list[str], cap_bytes: int | None) -> tuple[float, int, str]:
    """(peak RSS in MB, exit status, first line of output) of ``python -m ecg_viewer ARGS``."""
    env = {**os.environ, "PYTHONPATH": str(code), "OMP_NUM_THREADS": "2", "QT_QPA_PLATFORM": "offscreen"}

    def limit() -> None:
        if cap_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (cap_bytes, cap_bytes))

    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, "-m", "ecg_viewer", *args], cwd=code, env=env,
                                stdout=out, stderr=subprocess.STDOUT, preexec_fn=limit)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    tail = next((ln for ln in reversed(lines) if "Error" in ln), None) or (lines[0] if lines else "")
    return usage.ru_maxrss / 1024, proc.returncode, tail[:150]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--code", type=Path, default=REPO, help="checkout whose code runs")
    ap.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES)
    ap.add_argument("--cap-gb", type=float, default=4.0)
    ap.add_argument("--cases", default="10s,holter,random_hea,random_csv,huge_dat")
    ap.add_argument("--commands", default="open,analyze,render", help="of open, analyze, render")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)
    cases = args.cases.split(",")
    cap = int(args.cap_gb * 2**30)
    tmp = Path(tempfile.mkdtemp(prefix="ecg-membench-"))
    try:
        files: dict[str, Path] = {"10s": args.samples / "wfdb_ptbxl" / "00001_hr.hea"}
        if "holter" in cases:
            files["holter"] = make_holter(tmp, args.samples)
        if "random_hea" in cases or "random_csv" in cases:
            files["random_hea"], files["random_csv"] = make_random(tmp)
        if "huge_dat" in cases:
            files["huge_dat"] = make_huge_dat(tmp, args.samples)
        print(f"code: {args.code}   (peak RSS of each command, its own process)")
        print(f"{'case':<11} {'command':<8} {'peak RSS':>10} {'exit':>4}  {'s':>5}  outcome")
        for case in cases:
            commands = {"open": ["info", str(files[case])],
                        "analyze": ["analyze", "--json", str(files[case])],
                        "render": ["render", str(files[case]), "--filter", "diagnostic",
                                   "--out", str(tmp / f"{case}.png")]}
            for name in args.commands.split(","):
                cmd = commands[name]
                refusal = case in ("random_hea", "random_csv", "huge_dat")
                t0 = time.monotonic()
                mb, rc, line = measure(args.code, cmd, cap if refusal else None)
                hit_cap = refusal and ("MemoryError" in line or "fits in memory" in line)
                shown = f">= cap {args.cap_gb:g} GB" if hit_cap else f"{mb:7.0f} MB"
                print(f"{case:<11} {name:<8} {shown:>10} {rc:>4}  {time.monotonic() - t0:5.1f}  {line}",
                      flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
