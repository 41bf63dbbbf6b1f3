"""Figures for the signal-quality gate: the sample files (none should be gated unless the file
itself is defective), made-bad copies of them (each should be gated with the right reason), and
the false-gate rate on PTB-XL records (100 Hz, 10 s).

    .venv/bin/python bench/quality_gate.py [--ptbxl N] [--shared-data ../shared/data] [-v]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ecg_viewer.core.leads import CANONICAL_LEADS  # noqa: E402
from ecg_viewer.core.record import EcgRecord  # noqa: E402
from ecg_viewer.io.registry import read_ecg  # noqa: E402
from ecg_viewer.signal import faults  # noqa: E402
from ecg_viewer.signal.quality import NEEDED_LEADS, assess_quality, lead_metrics  # noqa: E402

# (name, expected code, how to make it)
FAULTS = [
    ("zero II", "flat", lambda r: faults.zero_lead(r, "II")),
    ("clip largest-QRS lead", "saturated", lambda r: faults.clip_lead(r, biggest_lead(r))),
    ("disconnect V2 at 4 s", "lead_off", lambda r: faults.disconnect_lead(r, "V2")),
    ("50 Hz 0.5 mV + white 0.3 mV", "noisy", lambda r: faults.add_noise(r)),
    ("cut to 3 s", "too_short", lambda r: faults.cut(r, 3.0)),
]


def biggest_lead(record: EcgRecord) -> str:
    """The needed lead with the largest median-beat QRS (not the largest artifact)."""
    metrics = lead_metrics(record)
    return max(NEEDED_LEADS, key=lambda n: metrics[n].qrs_mv if n in metrics else -1.0)


def sample_records(samples: Path) -> list[tuple[str, EcgRecord]]:
    """Every sample file read_ecg opens with the 8 needed leads and >= 5 s."""
    out = []
    for path in sorted(samples.rglob("*")):
        if not path.is_file() or path.suffix.lower() in {".dat", ".md", ".txt"}:
            continue
        if path.suffix == ".mat" and path.with_suffix(".hea").exists():
            continue  # the .hea opens the same record
        try:
            rec = read_ecg(path)
        except Exception:
            continue
        if set(NEEDED_LEADS) <= set(rec.lead_names) and rec.duration_s >= 5.0:
            out.append((str(path.relative_to(samples)), rec))
    return out


def ptbxl_records(data: Path, n: int) -> list[tuple[str, EcgRecord]]:
    z = np.load(data / "ptbxl" / "ptbxl100_subset.npz")
    leads = tuple(str(x) for x in z["leads"])
    assert leads == CANONICAL_LEADS, leads
    X, ids, fs = z["X"], z["ecg_id"], float(z["fs"])  # read each array once
    idx = np.linspace(0, len(ids) - 1, min(n, len(ids))).astype(int)
    return [(f"ptbxl {int(ids[i])}",
             EcgRecord(signal_mv=(X[i].T / 1000.0).astype(np.float32), fs_hz=fs,
                       lead_names=CANONICAL_LEADS)) for i in idx]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared-data",
                    default=os.environ.get("ECG_SHARED_DATA", str(REPO.parent / "shared" / "data")))
    ap.add_argument("--ptbxl", type=int, default=1987, help="how many PTB-XL records (max 1987)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    data = Path(args.shared_data)

    samples = sample_records(data / "samples")
    print(f"== {len(samples)} sample records with I, II, V1-V6 and >= 5 s")
    for name, rec in samples:
        q = assess_quality(rec)
        if not q.ok or q.problems or args.verbose:
            print(f"  {'GATED' if not q.ok else 'ok   '} {name}: "
                  + "; ".join(f"{p.code} {','.join(p.leads)}" for p in q.problems))
    gated = [n for n, r in samples if not assess_quality(r).ok]
    print(f"  gated: {len(gated)}/{len(samples)} {gated}")

    print("== made-bad copies of the samples (expected reason must be among the problems)")
    for fname, code, make in FAULTS:
        hit = 0
        misses = []
        for name, rec in samples:
            q = assess_quality(make(rec))
            if not q.ok and code in {p.code for p in q.problems}:
                hit += 1
            else:
                misses.append(name)
        print(f"  {fname:<30} -> {code:<10} gated with that reason: {hit}/{len(samples)}"
              + (f"  misses: {misses}" if misses else ""))

    recs = ptbxl_records(data, args.ptbxl)
    t0 = time.perf_counter()
    results = [(name, assess_quality(rec)) for name, rec in recs]
    ms = (time.perf_counter() - t0) / len(recs) * 1000
    gated_pt = [(n, q) for n, q in results if not q.ok]
    warn = Counter(p.code for _, q in results if q.ok for p in q.problems)
    codes = Counter(p.code for _, q in gated_pt for p in q.problems)
    print(f"== PTB-XL: {len(recs)} records (100 Hz, 10 s), {ms:.1f} ms per record")
    print(f"  gated: {len(gated_pt)} ({100 * len(gated_pt) / len(recs):.2f} %), reasons {dict(codes)}")
    print(f"  reported but not gated (single noisy lead or limb lead): {dict(warn)}")
    for n, q in gated_pt[:20]:
        print(f"    {n}: " + "; ".join(f"{p.code} {','.join(p.leads)}" for p in q.problems))
    if args.verbose:
        worst = sorted(((max(m.noise_ratio for m in lead_metrics(r).values()), n)
                        for n, r in recs), reverse=True)[:10]
        print("  largest noise ratios:", [(n, round(v, 3)) for v, n in worst])
    n_pt = min(100, len(recs))
    print(f"== made-bad copies of {n_pt} PTB-XL records")
    for fname, code, make in FAULTS:
        verdicts = [assess_quality(make(rec)) for _, rec in recs[:n_pt]]
        hit = sum(1 for q in verdicts if not q.ok and code in {p.code for p in q.problems})
        print(f"  {fname:<30} -> {code:<10} {hit}/{n_pt}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
