"""Rhythm and criteria consistency of the full pipeline (shipped model) on PTB-XL fold 10.

    PYTHONPATH=$PWD .venv/bin/python bench/criteria_consistency.py

Counts, over every fold-10 record of the 1,987-record subset: records with sinus rhythm and
AF/AFL/paced both above threshold, sinus tachycardia above threshold at HR <= 100, sinus
bradycardia above threshold at HR >= 60, an irregular rhythm without P waves whose first label is
a sinus rhythm, and how many labels the measurements held back; then the same for the AF/AFL
records alone (which of them still show a sinus rhythm first, and what was measured there).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecg_viewer.labels.criteria import held_back
from ecg_viewer.model.analyze import Analyzer
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
    for eid, rec, scp in recs:
        a = analyzer.analyze(rec)
        labels = a.prediction.labels
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
