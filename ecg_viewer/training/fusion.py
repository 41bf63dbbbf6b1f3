"""``python -m ecg_viewer.training.fusion``: fit the model + criteria fusion, choose its
thresholds, evaluate model alone / criteria alone / fusion, and ship ``fusion.json``.

    # once per trained model (torch): records, cross-fitted and shipped similarities
    python -m ecg_viewer.training.fusion sims --oof runs/z_h1 runs/z_h2 --weights model_weights
    # after any change to the measurement code: the criteria features (a few minutes), then the fit
    python -m ecg_viewer.training.fusion fit --refresh-features --export model_weights

Data use: the fusion is fitted on folds 1-8 with **out-of-fold** similarities (two half-data
runs, each scoring the folds it did not train on), never on similarities of records the network
trained on; fold 9 chooses the regularisation, the thresholds and LR-vs-boosting; fold 10 and
the external CinC records are only reported. The cache lives outside git (``--cache``).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.core.prediction import SEVERITY
from ecg_viewer.labels.derived import derived_matrix
from ecg_viewer.model.labelspace import label_ids, load_catalog
from ecg_viewer.training.fusion_app import (
    app_levels,
    app_rates,
    held_by_criteria,
    measurement_dicts,
    rule_levels,
)
from ecg_viewer.training.fusion_combination import choose_combination
from ecg_viewer.training.fusion_data import (
    aligned_features,
    compute_features,
    load_all,
    load_cache,
    save_records,
    training_rows,
)
from ecg_viewer.training.fusion_derived import broader_map, choose_derived
from ecg_viewer.training.fusion_fit import (
    BLEND_LOGISTIC_WEIGHT,
    MIN_FIT_POS,
    fit_and_predict,
    fit_scaling,
    gbm_to_arrays,
    to_json,
    voltage_mask,
)
from ecg_viewer.training.fusion_learners import fit_learners
from ecg_viewer.training.fusion_monotone import load_monotone
from ecg_viewer.training.fusion_referral import crossfit_outputs, referral_alternatives
from ecg_viewer.training.fusion_report import (
    MAX_NORMAL_FLAGGED,
    eval_sets_masks,
    evaluate_sets,
    referral_thresholds,
    shipped_scores,
    thresholds_for,
)
from ecg_viewer.training.metrics import URGENT_CATS
from ecg_viewer.training.train import DEFAULT_PTBXL, show_progress

log = logging.getLogger("ecg_viewer.training")
DEFAULT_CACHE = Path(__file__).resolve().parents[2] / ".fusion_cache"
TREES_FILE = "fusion_trees.safetensors"
KIND_TEXT = {
    "logistic": "two-stage L2 logistic regression per label (similarity + criteria)",
    "gbm": "gradient-boosted trees per label (scikit-learn HistGradientBoosting, exported as "
           "arrays) on the similarity + criteria features",
    "blend": f"per label the two-stage L2 logistic regression and gradient-boosted trees "
             f"(scikit-learn HistGradientBoosting, exported as arrays) on the similarity + "
             f"criteria features, probability from the mean of their logits (logistic weight "
             f"{BLEND_LOGISTIC_WEIGHT})",
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ecg_viewer.training.fusion", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sims", help="records + out-of-fold and shipped similarities (torch)")
    s.add_argument("--oof", nargs="+", required=True, help="half-data runs (config train_folds)")
    s.add_argument("--weights", default="model_weights", help="the shipped weights folder")
    f = sub.add_parser("fit", help="features (cached) + fit + thresholds + evaluation")
    f.add_argument("--refresh-features", action="store_true", help="recompute the criteria features")
    f.add_argument("--features-only", action="store_true", help="only (re)compute the features")
    f.add_argument("--weights", default="model_weights", help="calibration of the model alone")
    f.add_argument("--export", default=None, help="write fusion.json + manifest + metrics here")
    f.add_argument("--model", choices=("auto", "gbm", "logistic", "blend"), default="auto",
                   help="auto: logistic regression, gradient-boosted trees or their blend, "
                        "whichever has the highest fold-9 macro AUROC over the fused labels")
    f.add_argument("--monotone", choices=("on", "off"), default="on",
                   help="fit with the monotone constraints of resources/labels/fusion_monotone."
                        "json (on: the fit without them is made too, and both fold-9 figures go "
                        "in the report)")
    f.add_argument("--json", default=None, help="write the report here")
    for q in (s, f):
        q.add_argument("--cache", default=str(DEFAULT_CACHE))
        q.add_argument("--ptbxl", default=str(DEFAULT_PTBXL))
        q.add_argument("--limit", type=int, default=None, help="first N rows per manifest (tests)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    show_progress()
    return cmd_sims(args) if args.cmd == "sims" else cmd_fit(args)


# --- similarities ----------------------------------------------------------------------------
def cmd_sims(args: argparse.Namespace) -> int:
    from ecg_viewer.model.predictor import Predictor
    from ecg_viewer.training.evaluate import run_similarities

    cache = Path(args.cache)
    ptbxl = Path(args.ptbxl)
    pred = Predictor(args.weights, device="cpu")
    data, sources = load_all(ptbxl, ptbxl.parent, cache / "manifests", pred.input_norm,
                                   limit=args.limit)
    save_records(cache, data, sources)
    ids = label_ids(load_catalog())
    n, nl = len(data), len(ids)
    fold = data.fold
    is_ptb = sources == "ptbxl"
    val = is_ptb & (fold == 9)
    sim_oof = np.full((n, nl), np.nan, np.float32)
    zsim_oof = np.full((n, nl), np.nan, np.float32)
    runs_meta = []
    for run in args.oof:
        cfg = json.loads((Path(run) / "config.json").read_text(encoding="utf-8"))
        trained = set(cfg.get("train_folds") or [])
        if not trained:
            raise SystemExit(f"{run} was trained on every fold: it has no out-of-fold records")
        oof = is_ptb & np.isin(fold, [f for f in range(1, 9) if f not in trained])
        t0 = time.time()
        s_oof = run_similarities([run], data.x[oof], ids)
        s_val = run_similarities([run], data.x[val], ids)
        c, sc = np.median(s_val, axis=0), s_val.std(axis=0) + 1e-6
        sim_oof[oof] = s_oof
        zsim_oof[oof] = (s_oof - c) / sc
        runs_meta.append({"run": str(run), "train_folds": sorted(trained), "n_oof": int(oof.sum()),
                          "seconds": round(time.time() - t0, 1)})
        log.info("%s: %d out-of-fold records scored", run, oof.sum())
    ship = ~is_ptb | np.isin(fold, [9, 10])
    sim_ship = np.full((n, nl), np.nan, np.float32)
    sim_ship[ship] = pred.similarities(data.x[ship])
    s9 = sim_ship[val]
    np.savez_compressed(cache / "sims.npz", sim_oof=sim_oof, zsim_oof=zsim_oof, sim_ship=sim_ship,
                        ship_center=np.median(s9, axis=0), ship_scale=s9.std(axis=0) + 1e-6)
    meta = {"oof_runs": runs_meta, "weights": str(args.weights),
            "model_version": pred.manifest.get("model_version"), "input_norm": pred.input_norm}
    (cache / "meta.json").write_text(json.dumps(meta, indent=1))
    log.info("cached %d records in %s", n, cache)
    return 0


# --- fit ---------------------------------------------------------------------------------------
def ensure_features(cache: Path, ptbxl: Path, refresh: bool, limit: int | None = None) -> None:
    """The criteria features of every record of the manifests, keyed by record id."""
    if (cache / "features.npz").is_file() and not refresh:
        return
    from ecg_viewer.training.data import read_manifest
    from ecg_viewer.training.fusion_data import write_manifests

    rows = []
    for m in write_manifests(ptbxl, ptbxl.parent, cache / "manifests"):
        got = read_manifest(m)
        rows += got[:limit] if limit else got
    x, names, per_rec, extra = compute_features(rows)
    np.savez_compressed(cache / "features.npz", X=x, feature_names=np.array(names),
                        feature_ids=np.array([r.get("id") or r.get("path") for r in rows]),
                        features_s_per_record=per_rec, **extra)
    log.info("features of %d records, %.0f ms per record", len(rows), 1000 * per_rec)


def _weights_thresholds(weights: Path, ids: list[str], fused: list[int]
                        ) -> dict[int, tuple[float, str]] | None:
    """The fused labels' thresholds of the fusion already in ``weights`` (None when it has none
    or fuses other labels)."""
    from ecg_viewer.labels.fusion import FusionError, load_fusion

    try:
        fusion = load_fusion(weights)
    except FusionError as exc:  # a damaged or missing fusion only drops the comparison row
        log.warning("no comparison with %s/fusion.json: %s", weights, exc)
        return None
    if fusion is None or set(fusion.labels) != {ids[j] for j in fused}:
        return None
    return {j: (fusion.labels[ids[j]].threshold, "") for j in fused}


def _weights_combination(weights: Path) -> Any:
    """The combination rule of the fusion already in ``weights`` (None when it has none)."""
    from ecg_viewer.labels.fusion import FusionError, load_fusion

    try:
        fusion = load_fusion(weights)
    except FusionError:  # _weights_thresholds has said why
        return None
    return None if fusion is None else fusion.combination


def cmd_fit(args: argparse.Namespace) -> int:
    cache = Path(args.cache)
    ensure_features(cache, Path(args.ptbxl), args.refresh_features, args.limit)
    if args.features_only:
        return 0
    c = load_cache(cache)
    ids = [str(i) for i in c["label_ids"]]
    if ids != label_ids(load_catalog()):
        raise SystemExit("the cache was made with another catalog: rerun `sims`")
    names = tuple(str(n) for n in c["feature_names"])
    x, y = aligned_features(c), c["y"].astype(np.float64)
    fold, has_mv, src = c["fold"], c["has_mv"].astype(bool), c["source"]
    is_ptb = src == "ptbxl"
    tr = training_rows(c)
    va = is_ptb & (fold == 9)
    zship = (c["sim_ship"] - c["ship_center"]) / c["ship_scale"]
    zsim = np.where(tr[:, None], c["zsim_oof"], zship)
    volt = voltage_mask(names, x[tr], has_mv[tr])
    scaling = fit_scaling(x[tr], has_mv[tr], volt)
    fused = [j for j in range(len(ids)) if y[tr, j].sum() >= MIN_FIT_POS]
    log.info("fusion: %d training records (%d in mV), %d labels with >= %d positives, %d voltage "
             "features of %d", tr.sum(), (tr & has_mv).sum(), len(fused), MIN_FIT_POS, volt.sum(),
             len(names))
    table = load_monotone(label_ids=ids, feature_names=names)
    mono_all = table.columns(ids, fused, names)
    # the constraints are a requirement (a label a criterion defines never falls as its
    # measurement moves toward the criterion, nor any label as its similarity rises), not a
    # fold-9 choice: the fit without them is reported beside it
    settings = {"with": mono_all, "without": None} if args.monotone == "on" else {"without": None}
    choice: dict[str, Any] = {}
    fits = {name: fit_learners(args.model, zsim, x, y, has_mv, scaling, fused, tr, va, mono)
            for name, mono in settings.items()}
    setting = "with" if "with" in fits else "without"
    if len(fits) == 2:
        choice["monotone_fold9_macro_auroc"] = {k: f["scores"] for k, f in fits.items()}
        log.info("fold 9, fused labels, with the monotone constraints %s; without %s",
                 fits["with"]["scores"], fits["without"]["scores"])
    fit = fits[setting]
    monotone = settings[setting]
    choice.update(fit["choice"])
    choice["monotone"] = table.as_json() if monotone else None
    picked, models, gbm, kind = (fit[k] for k in ("picked", "models", "gbm", "kind"))
    p_fus = fit["p_fus"]
    choice["model"] = kind
    # criteria alone, fitted the same way as the fusion (without the similarity)
    every = np.ones(len(x), dtype=bool)
    p_cri = fit_and_predict(kind, None, x, y, has_mv, scaling, fused, picked["criteria"], tr, every,
                            monotone=monotone)
    cal = json.loads((Path(args.weights) / "calibration.json").read_text(encoding="utf-8"))
    catalog = load_catalog()
    cats = [lab.category for lab in catalog.labels]
    from ecg_viewer.training.evaluate import apply_calibration

    # fold-9 referral flags of the D/urgent labels outside the fusion (model calibration)
    p_mod = apply_calibration(np.nan_to_num(c["sim_ship"][va], nan=0.0), cal, ids)
    outside = [j for j in range(len(ids)) if j not in set(fused) and cats[j] in URGENT_CATS]
    thr_m = np.array([cal[i]["threshold"] for i in ids])
    base_flag = (p_mod[:, outside] >= thr_m[outside]).any(axis=1) if outside else None
    # the same for the training records, from their out-of-fold similarities brought to the
    # shipped model's scale (its fold-9 median and SD per label, as the fusion reads them): their
    # normal ECGs count for the shared referral threshold too
    sim_cf = c["zsim_oof"][tr] * c["ship_scale"] + c["ship_center"]
    p_mod_cf = apply_calibration(np.nan_to_num(sim_cf, nan=0.0), cal, ids)
    base_flag_cf = (p_mod_cf[:, outside] >= thr_m[outside]).any(axis=1) if outside else None
    normal_col = ids.index("normal_ecg")
    # the training records' fused probabilities from fusions fitted without them (the shared
    # referral threshold is set on their normal ECGs and fold 9's together)
    p_cf = crossfit_outputs(zsim, x, y, has_mv, scaling, fused, picked["fusion"], tr, fold, kind,
                            monotone)
    p_cf_cri = crossfit_outputs(None, x, y, has_mv, scaling, fused, picked["criteria"], tr, fold,
                                kind, monotone)
    # the referral as the app raises it (training/fusion_app.py): a D/urgent label the criteria
    # hold back in a record (心室内伝導障害 at QRS <= 110 ms) cannot flag it, and the measurement
    # rules (QTc >= 500 ms, PR >= 300 ms, HR < 40 or > 150 /min ...) flag records by themselves
    t0 = time.time()
    mdicts = measurement_dicts(c, x, names)
    rule_sev = rule_levels(mdicts)
    ucols = [j for j in fused if cats[j] in URGENT_CATS]
    held = held_by_criteria(x, names, mdicts, ids, ucols)
    p_sel, p_cf_sel = p_fus.copy(), p_cf.copy()
    p_sel[:, ucols] = np.where(held, np.nan, p_fus[:, ucols])
    p_cf_sel[:, ucols] = np.where(held, np.nan, p_cf[:, ucols])
    by_rule = rule_sev >= SEVERITY["D"]
    base_app = by_rule[va] if base_flag is None else base_flag | by_rule[va]
    base_app_cf = by_rule[tr] if base_flag_cf is None else base_flag_cf | by_rule[tr]
    # the per-label thresholds alone (each flag names its finding; shipped until 2026-12-05) ...
    thr_labels = thresholds_for(p_sel, y, tr, va, fused, cats, base_app, normal_col, p_cf_sel,
                                base_app_cf)
    # ... and with the combination rule (training/fusion_combination.py): per-label thresholds
    # at a smaller share of normal ECGs plus one referral score, chosen on the banner the app
    # raises for fold 9 and the cross-fitted folds 1-8 (fold 10 and CinC are only reported)
    def scores_at(thr_x: dict[int, tuple[float, str]], derived: dict[str, Any] | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Every record's label scores [N, L] and thresholds [L] as the app scores them: the
        fused labels from the fusion (the training records' cross-fitted), the others from the
        model's calibration (the training records' from their out-of-fold similarities) and,
        given ``derived``, the broader labels from their narrower ones."""
        _, _, s_x, thr_xs = shipped_scores(c, ids, cal, np.where(tr[:, None], p_cf, p_fus), thr_x,
                                           fused)
        cols = [j for j in range(len(ids)) if j not in set(fused) and ids[j] not in (derived or {})]
        s_x[np.ix_(np.flatnonzero(tr), cols)] = p_mod_cf[:, cols]
        return (s_x, thr_xs) if derived is None else derived_matrix(s_x, thr_xs, ids, derived)

    def thresholds_at(share: float) -> dict[int, tuple[float, str]]:
        return thresholds_for(p_sel, y, tr, va, fused, cats, base_app, normal_col, p_cf_sel,
                              base_app_cf, max_normal=share)

    comb = choose_combination(thresholds_at, scores_at, ids, cats, fused, y, va | tr, tr, x,
                              names, mdicts, MAX_NORMAL_FLAGGED)
    thr_f = comb.thresholds if comb is not None else thr_labels
    combination = comb.rule if comb is not None else None
    # the thresholds of the fusion in --weights (the one shipped before this fit), for the comparison
    thr_prev = _weights_thresholds(Path(args.weights), ids, fused)
    # the previous rule (one threshold shared by the fused D/urgent labels), for the comparison
    shared = thresholds_for(p_sel, y, tr, va, fused, cats, base_app, normal_col, p_cf_sel,
                            base_app_cf, referral="shared")
    shared_t = next((shared[j][0] for j in fused if cats[j] in URGENT_CATS), None)
    thr_c = thresholds_for(p_cri, y, tr, va, fused, cats, None, normal_col, p_cf_cri)
    # broader labels (catalog "narrower"): scored from their narrower labels, chosen on fold 9
    _, _, s_ship, thr_ship = shipped_scores(c, ids, cal, p_fus, thr_f, fused)
    derived, derived_choice = choose_derived(s_ship, thr_ship, y, va, ids, cats,
                                             broader_map(catalog, ids), MAX_NORMAL_FLAGGED)
    choice["derived"] = derived_choice
    report = evaluate_sets(c, ids, cats, cal, p_fus, p_cri, thr_f, thr_c, fused, derived)
    # referral rules compared on fold 9 (reported, not shipped)
    _, _, s_cf, _ = shipped_scores(c, ids, cal, np.where(tr[:, None], p_cf, p_fus), thr_f, fused)
    s_d, thr_d = derived_matrix(s_ship, thr_ship, ids, derived)
    report["referral_alternatives"] = referral_alternatives(
        s_d, thr_d, s_cf, y, ids, cats, fused, set(derived), eval_sets_masks(c), tr,
        MAX_NORMAL_FLAGGED, shared_t)
    # the banner as the app raises it (criteria hold-backs + measurement rules), for the shipped
    # thresholds and those the search chose from the fused probabilities alone
    sets_app = {**eval_sets_masks(c), "crossfit": tr}
    sets_app["test_mv"] = sets_app["test"] & has_mv  # the app reads mV records only
    rows_app = np.flatnonzero(np.any(list(sets_app.values()), axis=0))
    report["referral_app"] = []
    for rule_name, thr_x, comb_x in (
            ("shipped: per-label thresholds and the combination rule, chosen with the criteria "
             "hold-backs and the measurement rules" if combination is not None else
             "shipped: thresholds chosen with the criteria hold-backs and the measurement rules",
             thr_f, combination),
            ("per-label thresholds alone, at 5 % of normal ECGs (shipped until 2026-12-05)",
             thr_labels if combination is not None else None, None),
            (f"the thresholds of {args.weights}/fusion.json before this fit (same fused "
             "probabilities when its features are these)", thr_prev,
             _weights_combination(Path(args.weights)))):
        if thr_x is None:
            continue
        s_x, thr_xs = scores_at(thr_x, derived)
        lev = app_levels(s_x, thr_xs, ids, cats, x, names, mdicts, rows_app, None, comb_x)
        report["referral_app"].append({"rule": rule_name, **app_rates(lev, y, ids, cats, sets_app,
                                                                      rows_app)})
    for r in report["referral_app"]:
        log.info("referral as the app raises it, %s: fold 9 %.3f / %.3f (true urgent -> 要至急 "
                 "%.3f), cross-fitted 1-8 %.3f / %.3f (%.3f), fold 10 %.3f / %.3f (%.3f), CinC "
                 "true D %.3f (%.3f) (normal / true D flagged)", r["rule"],
                 *(r[k][m] for k in ("val", "crossfit", "test")
                   for m in ("normal_flagged", "true_d_flagged", "true_u_urgent")),
                 r["cinc"]["true_d_flagged"], r["cinc"]["true_u_urgent"])
    log.info("referral replay %.0f s", time.time() - t0)
    for r in report["referral_alternatives"]:
        log.info("referral %s (%s): fold 9 %.3f / %.3f, fold 10 %.3f / %.3f (normal / true "
                 "D flagged), CinC true D %.3f", r["rule"], r["param"],
                 r["val"]["normal_flagged"], r["val"]["true_d_flagged"],
                 r["test"]["normal_flagged"], r["test"]["true_d_flagged"],
                 r["cinc"]["true_d_flagged"])
    report["choice"] = {**choice,
                        "n_train": int(tr.sum()), "n_train_mv": int((tr & has_mv).sum()),
                        "fused_labels": [ids[j] for j in fused],
                        "voltage_features": [n for n, v in zip(names, volt, strict=True) if v],
                        "referral_thresholds": referral_thresholds(thr_f, fused, cats, ids),
                        "referral_shared_threshold": shared_t}
    info = {"kind": KIND_TEXT[kind],
            "l2": choice["l2_chosen"], "fitted_on": f"PTB-XL folds 1-8, {int(tr.sum())} records with out-of-fold "
            f"similarities ({int((tr & has_mv).sum())} in mV: voltage weights)",
            "thresholds": "fold 9; the D/urgent labels' referral thresholds, per label, chosen "
                          "jointly on fold 9 and the cross-fitted folds 1-8 (see "
                          "threshold_source)", "oof_runs": c.get("meta", {}).get("oof_runs"),
            "model_version": c.get("meta", {}).get("model_version")}
    fusion_json = to_json(models, ids, names, scaling, c["ship_center"], c["ship_scale"], thr_f, info)
    fusion_json["derived"] = {lab: d.to_json() for lab, d in derived.items()}
    if combination is not None:
        fusion_json["referral_combination"] = combination.to_json()
        report["referral_combination"] = {
            **combination.to_json(), "label_share": comb.label_share, "l2": comb.l2,
            "candidates": comb.candidates}
    tree_arrays: dict[str, np.ndarray] = {}
    if kind != "logistic":
        fusion_json["model"] = kind
        fusion_json["trees_file"] = TREES_FILE
        if kind == "blend":
            fusion_json["logistic_weight"] = BLEND_LOGISTIC_WEIGHT
        if monotone:
            fusion_json["monotone"] = table.as_json()
        for j, clf in gbm.items():
            e = fusion_json["labels"][ids[j]]
            if kind == "gbm":
                for k in ("intercept", "sim_coef", "coef", "miss_coef"):
                    e.pop(k)
            e["baseline"], arrays = gbm_to_arrays(clf)
            tree_arrays.update({f"{ids[j]}/{k}": v for k, v in arrays.items()})
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=float))
    if args.export:
        from ecg_viewer.training.fusion_report import export_fusion

        export_fusion(Path(args.export), fusion_json, report, tree_arrays or None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
