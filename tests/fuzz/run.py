"""``make fuzz``: the long fuzz run (default 10,080 cases, 1,120 per reader family) and its table.

    python -m tests.fuzz.run [--per-family N] [--seed S] [--workers W] [--families a,b]

Prints the outcome table (markdown, as in the README's "Robustness" section), every traceback,
hang and over-1-GB case with its replay key ``family seed index``, and every invalid header
value that was accepted. Exit status 1 when any of those is not zero.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.fuzz.harness import ROOT, jobs_for, run_cases, table
from tests.fuzz.mutations import FAMILIES


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-family", type=int, default=1120)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout-s", type=float, default=60.0)
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--samples", type=Path, default=ROOT.parent / "shared" / "data" / "samples")
    args = ap.parse_args(argv)
    if not args.samples.is_dir():
        print(f"no sample files at {args.samples}", file=sys.stderr)
        return 2
    families = [f for f in args.families.split(",") if f]
    jobs = jobs_for(families, args.per_family, args.seed)
    print(f"fuzz: {len(jobs)} cases ({args.per_family} per family x {len(families)}), seed {args.seed}, "
          f"{args.workers} workers", flush=True)
    res = run_cases(jobs, args.samples, workers=args.workers, timeout_s=args.timeout_s, progress=True)
    print(table(res))
    print(f"\n{len(jobs)} cases in {res.seconds:.0f} s; RuntimeWarnings escaping a read: {res.warnings}")
    n_invalid = len(res.invalid_accepted)
    print(f"invalid header values accepted (neither rejected nor flagged): {n_invalid}")
    print(f"invalid values in a field the reader does not use (record unchanged): {len(res.invalid_unused)}")
    for r in res.invalid_unused[:20]:
        print(f"  unused: {r['family']} {args.seed} {r['index']}: {r['what']}")
    for r in res.invalid_accepted[:50]:
        print(f"  accepted: {r['family']} {args.seed} {r['index']}: {r['what']} -> {r['outcome']} {r.get('detail', '')}")
    for r in res.failures[:50]:
        print(f"  {r['outcome']}: {r['family']} {args.seed} {r['index']}: {r['what']}: {r.get('detail', '')}")
        if r.get("trace"):
            print("    " + r["trace"].strip().replace("\n", "\n    "))
    return 1 if res.failures or n_invalid or res.warnings else 0


if __name__ == "__main__":
    sys.exit(main())
