"""Rhythm and criteria consistency of the full pipeline (shipped model) on PTB-XL fold 10.

    PYTHONPATH=$PWD .venv/bin/python bench/criteria_consistency.py

Counts, over every fold-10 record of the 1,987-record subset: records with sinus rhythm and
AF/AFL/paced both above threshold, sinus tachycardia above threshold at HR <= 100, sinus
bradycardia above threshold at HR >= 60, an irregular rhythm without P waves whose first label is
a sinus rhythm, and how many labels the measurements held back; then the same for the AF/AFL
records alone (which of them still show a sinus rhythm first, and what was measured there); and
the AUROC of the labels the criteria table names, model scores before and after apply_criteria
(PTB-XL statements and heart_axis mapped through the catalog; labels with >= 3 positives).
Without a shipped fusion the pipeline is model -> apply_criteria, as here.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from sklearn.metrics import roc_auc_score

from ecg_viewer.labels.catalog import load_catalog
from ecg_viewer.labels.criteria import held_back
from ecg_viewer.labels.criteria_table import default_criteria_rules
from ecg_viewer.pipeline.analyze import Analyzer
from tests.ptbxl_records import ptbxl_records

SINUS = {"sinus_rhythm", "sinus_tachycardia", "sinus_bradycardia", "sinus_arrhythmia"}
NON_SINUS = {"atrial_fibrillation", "atrial_flutter", "paced_rhythm"}


def main() -> int:
    data = Path(__file__).resolve().parents[2] / "shared" / "data"
    analyzer = Analyzer()
    recs = ptbxl_records(data, fold=10)
    t0 = time.perf_counter()
    counts = {"both": 0, "stach_le100": 0, "sbrad_ge60": 0, "irregular_nop_sinus_first": 0,
              "held_from_above": 0, "records_with_held": 0}
    af_rows = []
    catalog = load_catalog()
    axis = {}
    with open(data / "ptbxl" / "ptbxl_labels.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            axis[int(row["ecg_id"])] = row["heart_axis"] or None
    rule_ids = [r.label for r in default_criteria_rules().rules]
    before: dict[str, list[float]] = {i: [] for i in rule_ids}
    after: dict[str, list[float]] = {i: [] for i in rule_ids}
    truth: dict[str, list[int]] = {i: [] for i in rule_ids}
    for eid, rec, scp in recs:
        a, _ = analyzer.analyze_parts(rec)
        labels = a.prediction.labels
        # the model's own scores: the pipeline without apply_criteria (no fusion shipped here)
        raw = {s.id: s.score for s in analyzer.predictor.predict(rec).labels}
        final = {s.id: s.score for s in labels}
        pos = catalog.labels_for_ptbxl(scp, axis.get(eid))
        for i in rule_ids:
            if i in raw:
                before[i].append(raw[i])
                after[i].append(final[i])
                truth[i].append(int(i in pos))
        present = {s.id for s in labels if s.above_threshold}
        m = a.measurements or {}
        hr = m.get("hr_bpm")
        counts["both"] += bool(present & {"sinus_rhythm"} and present & NON_SINUS)
        counts["stach_le100"] += hr is not None and hr <= 100 and "sinus_tachycardia" in present
        counts["sbrad_ge60"] += hr is not None and hr >= 60 and "sinus_bradycardia" in present
        counts["irregular_nop_sinus_first"] += bool(
            m.get("rr_irregular") and m.get("pr_ms") is None and labels[0].id in SINUS)
        n_held = sum(held_back(s) for s in labels)
        counts["held_from_above"] += n_held
        counts["records_with_held"] += n_held > 0
        if {"AFIB", "AFLT"} & set(scp):
            af_rows.append((eid, labels[0].id, m.get("pr_ms"), m.get("rr_irregular"),
                            sorted(present & (SINUS | NON_SINUS))))
    dt = time.perf_counter() - t0
    print(f"fold 10: {len(recs)} records, {dt / len(recs):.2f} s per record (full pipeline, CPU)")
    for k, v in counts.items():
        print(f"  {k}: {v}")
    first_sinus = [r for r in af_rows if r[1] in SINUS]
    print(f"AF/AFL records: {len(af_rows)}; sinus label first in {len(first_sinus)}")
    for r in first_sinus:
        print(f"  ecg_id {r[0]}: first {r[1]}, PR {r[2]}, irregular {r[3]}, rhythm labels {r[4]}")
    print("AUROC on fold 10, model alone -> after apply_criteria (labels with >= 3 positives):")
    aucs = []
    for i in rule_ids:
        y = np.array(truth[i])
        if y.sum() < 3 or y.sum() == y.size:
            continue
        b, c = roc_auc_score(y, before[i]), roc_auc_score(y, after[i])
        aucs.append((b, c))
        print(f"  {i:24} n+={int(y.sum()):3d}  {b:.3f} -> {c:.3f}")
    if aucs:
        m = np.mean(aucs, axis=0)
        print(f"  macro over {len(aucs)} labels: {m[0]:.3f} -> {m[1]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
