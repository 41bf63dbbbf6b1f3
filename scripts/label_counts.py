"""Per-label record counts: PTB-XL folds 1-8 (train) / 9 (validation) / 10 (test) and the CinC
samples, through the label catalog. For the model card.

    .venv/bin/python scripts/label_counts.py [--shared-data ../shared/data] [--markdown]

Every SCP code listed for a record counts (a likelihood of 0.0 on rhythm/form statements means
"not stated", not "absent"); ``heart_axis`` adds the axis labels.
"""

from __future__ import annotations

import argparse
import ast
import csv
import os
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ecg_viewer.labels.catalog import Catalog, load_catalog  # noqa: E402


def ptbxl_counts(catalog: Catalog, labels_csv: Path) -> dict[str, Counter]:
    out = {"train": Counter(), "val": Counter(), "test": Counter()}
    with labels_csv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            fold = int(row["strat_fold"])
            split = "train" if fold <= 8 else ("val" if fold == 9 else "test")
            codes = ast.literal_eval(row["scp_codes"])
            ids = catalog.labels_for_scp(codes) | catalog.labels_for_heart_axis(row["heart_axis"])
            out[split].update(ids)
            out[split]["__records__"] += 1
    return out


def cinc_counts(catalog: Catalog, folder: Path) -> Counter:
    out: Counter = Counter()
    for hea in sorted(folder.glob("*.hea")):
        for line in hea.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("# Dx:"):
                out.update(catalog.labels_for_snomed(line[5:].split(",")))
                out["__records__"] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("ECG_SHARED_DATA", str(REPO.parent / "shared" / "data"))
    ap.add_argument("--shared-data", default=default)
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args(argv)
    data = Path(args.shared_data)
    catalog = load_catalog()
    pt = ptbxl_counts(catalog, data / "ptbxl" / "ptbxl_labels.csv")
    ci = cinc_counts(catalog, data / "samples" / "wfdb_cinc2021")
    cols = [pt["train"], pt["val"], pt["test"], ci]
    head = ["id", "ja", "cat", "folds1-8", "fold9", "fold10", "CinC"]
    rows = [["(records)", "", "", *(str(c["__records__"]) for c in cols)]]
    for lab in catalog.labels:
        rows.append([lab.id, lab.ja, lab.category, *(str(c[lab.id]) for c in cols)])
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        print(f"{head[0]:<28}{head[2]:>7}{head[3]:>10}{head[4]:>7}{head[5]:>7}{head[6]:>6}  ja")
        for r in rows:
            print(f"{r[0]:<28}{r[2]:>7}{r[3]:>10}{r[4]:>7}{r[5]:>7}{r[6]:>6}  {r[1]}")
    n_train = sum(1 for lab in catalog.labels if pt["train"][lab.id] > 0)
    n5 = sum(1 for lab in catalog.labels if pt["test"][lab.id] >= 5)
    print(f"\n{len(catalog)} labels; {n_train} with >= 1 training record; "
          f"{n5} with >= 5 fold-10 positives; catalog {catalog.version}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
