"""Speed of the prior-ECG search: a folder of N HL7 aECG files (PTB-XL records, 12 leads,
100 Hz x 10 s, patient ID and time from the PTB-XL table), the search for the prior of the
newest record of a patient with several records. Cold = the first search in the folder (every
candidate file is read), warm = the next search (the metadata cache by path/size/mtime).

    .venv/bin/python bench/prior_search.py [--files 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    args = ap.parse_args(argv)
    from compare_fixtures import Ptbxl

    from ecg_viewer.compare import prior as prior_mod
    from ecg_viewer.io import read_ecg

    p = Ptbxl(Path(args.data))
    pairs = p.patients_with_pairs()
    ids = [e for v in pairs.values() for e in v]
    ids += [e for e in p.rows if p.has(e) and e not in set(ids)]
    ids = ids[: args.files]
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        for eid in ids:
            p.write(folder, eid)
        pid, seq = next(iter(pairs.items()))
        current = read_ecg(folder / f"ptbxl_{seq[-1]:05d}.xml")
        cold, warm = [], []
        for _ in range(args.runs):
            prior_mod._CACHE.clear()
            t = time.perf_counter()
            match = prior_mod.find_prior(current)
            cold.append(time.perf_counter() - t)
            t = time.perf_counter()
            prior_mod.find_prior(current)
            warm.append(time.perf_counter() - t)
        assert match is not None and match.path.name == f"ptbxl_{seq[-2]:05d}.xml"
    print(f"prior search in a folder of {len(ids)} HL7 aECG files (patient {pid}):")
    print(f"  cold (every file read): median {statistics.median(cold) * 1000:.0f} ms "
          f"({statistics.median(cold) / len(ids) * 1000:.1f} ms a file)")
    print(f"  warm (metadata cached): median {statistics.median(warm) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
