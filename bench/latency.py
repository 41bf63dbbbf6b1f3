"""Latency of the suggestions, as a clinician feels it (issue 6). Prints, median of runs:

- window shown after launch (process start -> main window exposed)
- file open -> suggestions on screen, cold (the model still loading) and warm
- inference per ECG on CPU (Predictor.predict) and batch throughput (ECGs/s, predict_batch)
- peak RSS of the window process with the model loaded

    .venv/bin/python bench/latency.py [--runs 5]

The window runs offscreen (QT_QPA_PLATFORM=offscreen) in a child process per run, so each run
starts cold like a real launch.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "resources" / "samples"
FILES = [SAMPLES / "00017_hr.hea", SAMPLES / "E07509.hea", SAMPLES / "00009_hr.hea"]


def child() -> None:
    """One launch: prints one JSON line per event with the time since the process started."""
    t0 = float(os.environ["BENCH_T0"])

    def say(event: str, **kw: object) -> None:
        print(json.dumps({"event": event, "t": time.time() - t0, **kw}), flush=True)

    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow

    app = ensure_app()
    win = MainWindow()
    win.show()
    while not win.isVisible() or not win.windowHandle() or not win.windowHandle().isExposed():
        app.processEvents()
    say("shown")
    for i, f in enumerate(FILES):
        done = {"ok": False}
        win.flow.analysed.connect(lambda _a, d=done: d.update(ok=True))
        t_open = time.time()
        win.controller.open_file(str(f))
        while not done["ok"]:
            app.processEvents()
            time.sleep(0.001)
            if time.time() - t_open > 300:
                raise SystemExit(f"no suggestions after 300 s for {f.name}: {win.panel.message.text()}")
        say("suggestions", file=f.name, since_open=time.time() - t_open, cold=(i == 0),
            top=win.panel.shown_label_ids()[:3])
    import resource

    say("rss", peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    win.close()


def launch_once() -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BENCH_T0=repr(time.time()))
    out = subprocess.run([sys.executable, __file__, "--child"], env=env, capture_output=True,
                         text=True, timeout=600, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"child failed:\n{out.stderr[-3000:]}")
    events = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    res: dict[str, object] = {}
    for e in events:
        if e["event"] == "shown":
            res["shown_s"] = e["t"]
        elif e["event"] == "suggestions":
            res.setdefault("cold_s" if e["cold"] else "warm_s", []).append(e["since_open"])  # type: ignore[union-attr]
            res.setdefault("top", e["top"])
        elif e["event"] == "rss":
            res["peak_rss_mb"] = e["peak_mb"]
    return res


def model_figures(runs: int) -> dict[str, float]:
    import torch

    from ecg_viewer.io import read_ecg
    from ecg_viewer.model.predictor import Predictor

    torch.set_num_threads(os.cpu_count() or 1)
    p = Predictor(device="cpu")
    recs = [read_ecg(f) for f in FILES]
    for r in recs:
        p.predict(r)
    times = []
    for _ in range(max(runs, 5) * 4):
        t = time.perf_counter()
        p.predict(recs[0])
        times.append(time.perf_counter() - t)
    batch = recs * 22  # 66 ECGs
    t = time.perf_counter()
    p.predict_batch(batch)
    dt = time.perf_counter() - t
    return {"predict_ms": 1000 * statistics.median(times), "batch_ecg_per_s": len(batch) / dt,
            "batch_n": len(batch)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child()
        return 0
    results = [launch_once() for _ in range(args.runs)]
    shown = statistics.median(r["shown_s"] for r in results)
    cold = statistics.median(r["cold_s"][0] for r in results)
    warm = statistics.median(x for r in results for x in r["warm_s"])
    rss = max(r["peak_rss_mb"] for r in results)
    m = model_figures(args.runs)
    print(f"machine: {os.cpu_count()} CPU cores, torch threads = cores; runs = {args.runs}")
    print(f"window shown after launch          {1000 * shown:8.0f} ms")
    print(f"open -> suggestions, cold (model loading) {1000 * cold:8.0f} ms")
    print(f"open -> suggestions, warm          {1000 * warm:8.0f} ms")
    print(f"inference per ECG (CPU)            {m['predict_ms']:8.1f} ms")
    print(f"batch throughput (CPU, {m['batch_n']} ECGs)   {m['batch_ecg_per_s']:8.1f} ECG/s")
    print(f"peak RSS, window with model loaded {rss:8.0f} MB")
    print(f"top-3 shown for {FILES[0].name}: {results[0].get('top')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
