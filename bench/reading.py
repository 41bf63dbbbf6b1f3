"""Reading a folder in the window (issue 14). Prints:

- per case, warm: the time from "next case" (the J key) to the page and the suggestions on
  screen, over a folder of N real PTB-XL ECGs written as WFDB into a temporary folder (the
  worklist has analysed the folder; the window then shows each case; the reader's pause between
  cases is left for the background work of the case before, as in real reading)
- the window's time to interactive after launch (process start -> window shown and the event
  loop turning), with the heavy modules that were loaded by then, median of runs

    .venv/bin/python bench/reading.py [--n 100] [--runs 5] [--cases 0 (= all)]

The window runs offscreen (QT_QPA_PLATFORM=offscreen); the launch runs in a child process per
run, so each starts cold like a real launch.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("ECG_SHARED_DATA", ROOT.parent / "shared" / "data"))
PTBXL = DATA / "ptbxl"
HEAVY = ("torch", "transformers", "reportlab", "scipy", "pypdfium2", "wfdb")


def make_folder(out: Path, n: int) -> list[Path]:
    """``n`` PTB-XL records of the development subset (100 Hz, 10 s, 12 leads, in mV) written as
    WFDB, with their recording date and time in the header (the worklist orders by it)."""
    import numpy as np
    import wfdb

    data = np.load(PTBXL / "ptbxl100_subset.npz")
    when: dict[int, str] = {}
    with open(PTBXL / "ptbxl100_subset_labels.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            when[int(row["ecg_id"])] = row["recording_date"]
    leads = [str(x) for x in data["leads"]]
    ids = [int(i) for i in data["ecg_id"] if int(i) in when][:n]
    index = {int(i): k for k, i in enumerate(data["ecg_id"])}
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for ecg_id in ids:
        x = data["X"][index[ecg_id]].astype(np.float64) / 1000.0  # µV -> mV
        t = datetime.fromisoformat(when[ecg_id])
        name = f"ptbxl_{ecg_id:05d}"
        wfdb.wrsamp(name, fs=float(data["fs"]), units=["mV"] * 12, sig_name=leads, p_signal=x,
                    fmt=["16"] * 12, adc_gain=[1000.0] * 12, baseline=[0] * 12,
                    base_date=t.date(), base_time=t.time(), write_dir=str(out))
        files.append(out / f"{name}.hea")
    return files


# --- per case ----------------------------------------------------------------------------------
def per_case(folder: Path, max_cases: int) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from ecg_viewer.app import worker
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow

    app = ensure_app()
    win = MainWindow()
    win.resize(1500, 950)
    win.show()
    win.activateWindow()
    desk = win.reading_desk
    done = {"v": False}
    desk.worklist.service.finished.connect(lambda *_a: done.update(v=True))
    t0 = time.perf_counter()
    n = desk.open_folder(folder)

    def spin_until(cond, timeout_s: float) -> None:
        end = time.perf_counter() + timeout_s
        while not cond():
            app.processEvents()
            time.sleep(0.0005)
            if time.perf_counter() > end:
                raise SystemExit("timed out waiting in the window")

    spin_until(lambda: done["v"], 1800)
    print(f"worklist: {n} ECGs analysed in {time.perf_counter() - t0:.1f} s "
          f"(model: {win.flow.model_state})", flush=True)
    order = desk.worklist.sorted_files()
    cases = order if max_cases <= 0 else order[: max_cases + 1]

    def on_screen(path: str) -> bool:
        st = win.state
        return (st.path is not None and Path(st.path).resolve() == Path(path).resolve()
                and win.view.page is not None and st.analysis is not None
                and st.analysis.sha256 == st.record.sha256 and win.panel.state == "analysis")

    # the first case (Enter), then J through the rest
    win.controller.open_file(cases[0])
    spin_until(lambda: on_screen(cases[0]), 120)
    times_ms, cpu_ms = [], []
    for path in cases[1:]:
        # the reader's pause: the background work of the case on screen (measurements for the
        # header and the median beats) finishes before the next key
        spin_until(lambda: not worker.any_busy(), 60)
        app.processEvents()
        t, c = time.perf_counter(), time.process_time()
        QTest.keyClick(win, Qt.Key.Key_J)
        spin_until(lambda p=path: on_screen(p), 60)
        win.repaint()  # painted, not only laid out
        times_ms.append((time.perf_counter() - t) * 1000.0)
        cpu_ms.append((time.process_time() - c) * 1000.0)
    win.close()
    times_ms.sort()
    return {"cases": len(times_ms), "median_ms": statistics.median(times_ms),
            "cpu_median_ms": statistics.median(cpu_ms),
            "p90_ms": times_ms[int(0.9 * (len(times_ms) - 1))], "max_ms": times_ms[-1]}


# --- time to interactive -------------------------------------------------------------------------
CHILD = """
import os, sys, time, json
t0 = float(os.environ["BENCH_T0"])
from PySide6.QtCore import QTimer
from ecg_viewer.gui.launch import ensure_app
app = ensure_app()
from ecg_viewer.gui.main_window import MainWindow
win = MainWindow()
win.show()
def ready():
    heavy = [m for m in HEAVY if m in sys.modules]
    print(json.dumps({"interactive_s": time.time() - t0, "cpu_s": time.process_time(),
                      "heavy_loaded": heavy}), flush=True)
    os._exit(0)  # the model thread is still loading behind the window: not waited for
QTimer.singleShot(0, ready)
app.exec()
""".replace("HEAVY", repr(HEAVY))


def time_to_interactive(runs: int) -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    out, cpu = [], []
    heavy: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        env["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")
        env["ECG_VIEWER_DATA_DIR"] = str(Path(tmp) / "data")
        for _ in range(runs):
            env["BENCH_T0"] = repr(time.time())
            p = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=ROOT, capture_output=True,
                               text=True, timeout=300)
            line = next((ln for ln in p.stdout.splitlines() if ln.startswith("{")), None)
            if line is None:
                raise SystemExit(f"launch failed:\n{p.stdout}\n{p.stderr}")
            d = json.loads(line)
            out.append(d["interactive_s"])
            cpu.append(d["cpu_s"])
            heavy.update(d["heavy_loaded"])
    out.sort()
    return {"runs": runs, "median_s": statistics.median(out), "min_s": out[0], "max_s": out[-1],
            "cpu_median_s": statistics.median(cpu), "heavy_loaded_before_interactive": sorted(heavy)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="ECGs in the folder")
    ap.add_argument("--runs", type=int, default=5, help="launches for the time to interactive")
    ap.add_argument("--cases", type=int, default=0, help="cases to step through (0: all)")
    ap.add_argument("--skip-launch", action="store_true")
    ap.add_argument("--skip-cases", action="store_true")
    args = ap.parse_args(argv)
    if not PTBXL.is_dir():
        print(f"PTB-XL data not found at {PTBXL} (set ECG_SHARED_DATA)")
        return 2
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    if not args.skip_launch:
        tti = time_to_interactive(args.runs)
        print(f"time to interactive: median {tti['median_s']:.2f} s (min {tti['min_s']:.2f}, "
              f"max {tti['max_s']:.2f}, {tti['runs']} launches; CPU {tti['cpu_median_s']:.2f} s); "
              f"heavy modules loaded by then: "
              f"{', '.join(tti['heavy_loaded_before_interactive']) or 'none'}", flush=True)
    if not args.skip_cases:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["ECG_VIEWER_DATA_DIR"] = str(Path(tmp) / "data")
            os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")
            files = make_folder(Path(tmp) / "ecgs", args.n)
            r = per_case(Path(tmp) / "ecgs", args.cases)
            print(f"next case -> page + suggestions on screen (warm, {r['cases']} cases of "
                  f"{len(files)}): median {r['median_ms']:.0f} ms, p90 {r['p90_ms']:.0f} ms, "
                  f"max {r['max_ms']:.0f} ms; CPU median {r['cpu_median_ms']:.0f} ms (all threads)",
                  flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
