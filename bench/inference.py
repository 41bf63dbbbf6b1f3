"""Inference speed of the shipped model on the CPU: ms per ECG (one at a time, preprocessing
included) and ECGs/s batched, against the CPU's measured matmul FLOP/s (the fraction of the
machine the model uses).

    .venv/bin/python bench/inference.py [--threads N] [--batch 64] [--runs 20] [--weights DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def conv_flops(model, x) -> float:
    """Multiply-adds x 2 of the convolutions and linear layers for one forward pass."""
    import torch

    total = 0.0

    def hook(mod, inp, out):
        nonlocal total
        if isinstance(mod, torch.nn.Conv1d):
            total += 2.0 * out.numel() * mod.in_channels // mod.groups * mod.kernel_size[0]
        elif isinstance(mod, torch.nn.Linear):
            total += 2.0 * out.numel() * mod.in_features

    hs = [m.register_forward_hook(hook) for m in model.modules()
          if isinstance(m, torch.nn.Conv1d | torch.nn.Linear)]
    with torch.inference_mode():
        model.encode_ecg(x)
    for h in hs:
        h.remove()
    return total / x.shape[0]


def matmul_flops(threads: int, n: int = 1024, reps: int = 10) -> float:
    import torch

    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(reps):
            a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * n**3 * reps / best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--weights", default=None, help="weights folder (default: the shipped model)")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from ecg_viewer.core.record import EcgRecord
    from ecg_viewer.model.predictor import Predictor

    t = time.perf_counter()
    pred = Predictor(args.weights, device="cpu")
    load_s = time.perf_counter() - t
    rng = np.random.default_rng(0)
    leads = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
    rec = EcgRecord(signal_mv=rng.normal(0, 0.1, (12, 5000)).astype(np.float32), fs_hz=500.0,
                    lead_names=leads)
    for _ in range(3):
        pred.predict(rec)
    single = []
    for _ in range(args.runs):
        t = time.perf_counter()
        pred.predict(rec)
        single.append(time.perf_counter() - t)
    x = rng.normal(0, 0.1, (args.batch, 12, 1000)).astype(np.float32)
    pred.similarities(x)
    batched = []
    for _ in range(max(3, args.runs // 4)):
        t = time.perf_counter()
        pred.similarities(x, batch_size=args.batch)
        batched.append(time.perf_counter() - t)
    flops_per_ecg = conv_flops(pred.members[0], torch.from_numpy(x[:2])) * len(pred.members)
    peak = matmul_flops(args.threads)
    ecg_s = args.batch / min(batched)
    print(f"threads {args.threads}, ensemble of {len(pred.members)}, weights load {load_s:.2f} s")
    print(f"single ECG (500 Hz x 10 s record, resample + predict): median "
          f"{1000 * statistics.median(single):.1f} ms, best {1000 * min(single):.1f} ms")
    print(f"batched ({args.batch}): {ecg_s:.0f} ECGs/s ({1000 / ecg_s:.2f} ms/ECG)")
    print(f"model: {flops_per_ecg / 1e6:.0f} MFLOP per ECG (conv + linear)")
    print(f"CPU matmul (1024^3 fp32): {peak / 1e9:.1f} GFLOP/s; batched model reaches "
          f"{flops_per_ecg * ecg_s / 1e9:.1f} GFLOP/s = {100 * flops_per_ecg * ecg_s / peak:.0f}% of it")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
