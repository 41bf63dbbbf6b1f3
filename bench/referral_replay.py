"""The referral and the rhythm labels as the app raises them with the SHIPPED fusion, replayed on
a fit cache (training/fusion_app: labels through the criteria, then the referral rules):

    PYTHONPATH=$PWD .venv/bin/python -m ecg_viewer.training.fusion sims --oof RUN_H1 RUN_H2 \
        --weights model_weights --cache CACHE
    PYTHONPATH=$PWD .venv/bin/python -m ecg_viewer.training.fusion fit --features-only \
        --refresh-features --cache CACHE --weights model_weights
    PYTHONPATH=$PWD .venv/bin/python bench/referral_replay.py --cache CACHE [--baseline]

Per set (PTB-XL fold 9, fold 10, its records in mV, the CinC records): normal ECGs flagged 要精査
or higher, records with a true D/urgent label flagged, records with a true 要至急 label flagged
要至急; then, per label the criteria decide, how often it is shown on records that carry it and on
records that do not. ``--baseline`` drops what the measurements added on 2026-12-06 (the P wave's
beat-group confidence ``p_present`` and the beat-group ranges) to compare with the rules before
them (run it with that version's criteria_rules.json). The cache's out-of-fold similarities are
not read: fold 9, fold 10 and CinC are scored with the shipped ensemble, as the app scores them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.labels.criteria_table import default_criteria_rules
from ecg_viewer.labels.derived import derived_matrix
from ecg_viewer.labels.fusion import load_fusion
from ecg_viewer.model.labelspace import load_catalog
from ecg_viewer.training.fusion_app import _shown, app_levels, app_rates, measurement_dicts
from ecg_viewer.training.fusion_data import aligned_features, load_cache
from ecg_viewer.training.fusion_report import (
    eval_sets_masks,
    shipped_fusion_outputs,
    shipped_scores,
)

LABELS = ("imi", "asmi", "abnormal_q", "st_depression", "atrial_fibrillation", "crbbb", "clbbb",
          "ivcd", "irbbb", "av_block_1", "prolonged_pr", "long_qt", "bifascicular_block", "lafb",
          "lpfb", "left_axis_deviation", "right_axis_deviation", "sinus_tachycardia",
          "sinus_bradycardia", "sinus_rhythm", "low_voltage", "lv_high_voltage", "lvh", "lvh_strain",
          "ventricular_tachycardia")
SETS = ("val", "test", "test_mv", "cinc")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", required=True)
    ap.add_argument("--weights", default=str(model_weights_dir()))
    ap.add_argument("--baseline", action="store_true")
    args = ap.parse_args(argv)
    c, weights = load_cache(Path(args.cache)), Path(args.weights)
    ids = [str(i) for i in c["label_ids"]]
    x, y = aligned_features(c), c["y"].astype(np.float64)
    names = tuple(str(n) for n in c["feature_names"])
    fusion = load_fusion(weights)
    fused, p_fus, thr_f = shipped_fusion_outputs(c, fusion, ids, x)
    cal = json.loads((weights / "calibration.json").read_text(encoding="utf-8"))
    _, _, s, thr = shipped_scores(c, ids, cal, p_fus, thr_f, fused)
    s, thr = derived_matrix(s, thr, ids, fusion.derived)
    mdicts = measurement_dicts(c, x, names)
    if args.baseline:
        for d in mdicts:
            d["low_confidence"] = [k for k in d["low_confidence"] if k != "p_present"]
            d.pop("range", None)
    sets = eval_sets_masks(c)
    rows = np.flatnonzero(np.any([sets[k] for k in SETS], axis=0))
    cats = [lab.category for lab in load_catalog().labels]
    level = app_levels(s, thr, ids, cats, x, names, mdicts, rows, None, fusion.combination)
    rates = app_rates(level, y, ids, cats, {k: sets[k] for k in SETS}, rows)
    print("set       normal flagged        true D/urgent flagged   true 要至急 -> 要至急   "
          "要至急 without a true 要至急 label")
    for k in SETS:
        r = rates[k]
        print(f"{k:8s}  {r['normal_flagged']:.3f} (of {r['normal_n']:3d})   "
              f"{r['true_d_flagged']:.3f} (of {r['true_d_n']:3d})         "
              f"{r['true_u_urgent']:.3f} (of {r['true_u_n']})          "
              f"{r['urgent_not_true_n']} of {r['urgent_n']}")
    crit = default_criteria_rules()
    keep = [j for j in range(len(ids)) if thr[j] < 1.0]
    shown = {lab: np.zeros(len(x), dtype=bool) for lab in LABELS if lab in ids}
    for i in rows:
        for ls in _shown(s[i], thr, ids, cats, keep, x[i], names, mdicts[i], crit):
            if ls.id in shown and ls.above_threshold:
                shown[ls.id][i] = True
    print("\nshown above threshold: on records with the label / on records without it")
    for lab, on in shown.items():
        t = y[:, ids.index(lab)] > 0
        print(f"{lab:20s} " + "   ".join(
            f"{k} {on[sets[k] & t].sum()}/{(sets[k] & t).sum()}, {on[sets[k] & ~t].sum()}"
            for k in ("val", "test", "cinc")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
