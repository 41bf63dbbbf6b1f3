"""Does the shipped fusion move each label only the way the similarity and its criteria go?

    PYTHONPATH=$PWD .venv/bin/python bench/fusion_monotone.py [--weights DIR ...]

On every readable 12-lead record of the bundled samples, `samples/wfdb_cinc2021` and
`cinc_extra` (real recordings in mV, first 60 s): the criteria features once and each weights
folder's model's similarities; then, per weights folder, for each fused label and each input that
`resources/labels/fusion_monotone.json` constrains, each record's input swept with everything
else kept (training/fusion_monotone.wrong_way_drops), counting the records whose probability
takes a step of more than 0.02 against the input's direction, and the largest such step.
Several --weights folders (the same ECG model, different fusions) are compared side by side.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.labels.fusion import load_fusion
from ecg_viewer.model.predictor import Predictor
from ecg_viewer.training.fusion_monotone import load_monotone, record_inputs, wrong_way_drops

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", nargs="+", default=[str(model_weights_dir())])
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    args = ap.parse_args()
    data = Path(args.data)
    files = sorted((REPO / "resources" / "samples").glob("*.hea"))
    files += sorted((data / "samples" / "wfdb_cinc2021").glob("*.hea"))
    files += sorted((data / "cinc_extra").glob("*.hea"))
    t0 = time.perf_counter()
    # each fusion reads the similarities of its own ECG model (the folders may differ in it)
    preds = {w: Predictor(w, device="cpu") for w in args.weights}
    fusions = {w: load_fusion(Path(w)) for w in args.weights}
    first = next(iter(fusions.values()))  # the folders' fusions share the criteria features
    x, sims, skipped = record_inputs(files, first, preds)
    print(f"{len(x)} records ({skipped} not readable), features and similarities "
          f"{time.perf_counter() - t0:.0f} s")
    table = load_monotone()
    rows = {}
    for w, fu in fusions.items():
        by_label = {lab.id: sims[w][:, k] for k, lab in enumerate(preds[w].labels)}
        rows[w] = wrong_way_drops(fu, table, by_label, x)
    first = rows[args.weights[0]]
    head = "".join(f" | {Path(w).name[:24]:>24s}" for w in args.weights)
    print(f"{'label':20s} {'input':26s} sign  records{head}")
    print(f"{'':56s}" + "".join(f" | {'wrong (worst step)':>24s}" for _ in args.weights))
    for k, r in enumerate(first):
        cells = "".join(f" | {rows[w][k]['wrong']:>8d} ({rows[w][k]['worst']:.3f})       "
                        for w in args.weights)
        print(f"{r['label']:20s} {r['input']:26s} {r['sign']:+d} {r['records']:8d}{cells}")
    for w in args.weights:
        tot = sum(r["wrong"] for r in rows[w])
        n = sum(r["records"] for r in rows[w])
        print(f"{w}: {tot} of {n} (label, input, record) sweeps take a wrong-way step > 0.02")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
