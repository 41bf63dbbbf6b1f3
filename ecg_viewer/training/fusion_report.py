"""Thresholds and the side-by-side evaluation of model alone / criteria alone / fusion, and the
export of ``fusion.json`` into the weights folder (manifest hashes, metrics.json, model card)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.training.metrics import (
    URGENT_CATS,
    choose_threshold,
    per_label_auroc,
    referral_rates,
    sens_spec,
    topk_hit,
)

log = logging.getLogger("ecg_viewer.training")
# referral: at most this share of normal ECGs flagged (the D/urgent thresholds: fold 9's and the
# cross-fitted folds 1-8's normal ECGs; the alternatives and derived labels: fold 9's)
MAX_NORMAL_FLAGGED = 0.05


def thresholds_for(p: np.ndarray, y: np.ndarray, tr: np.ndarray, va: np.ndarray, fused: list[int],
                   cats: list[str], base_flag_va: np.ndarray | None = None,
                   normal_col: int | None = None, p_crossfit: np.ndarray | None = None,
                   base_flag_crossfit: np.ndarray | None = None,
                   referral: str = "per_label",
                   max_normal: float | None = None) -> dict[int, tuple[float, str]]:
    """Per fused label: the D/urgent labels' referral thresholds, set on the normal ECGs and the
    records with a true D/urgent label of fold 9 (with ``base_flag_va``, the flags of the labels
    outside the fusion) and, given ``p_crossfit`` (the training records' fused probabilities,
    each from a fusion fitted without them; ``base_flag_crossfit``: their flags of the labels
    outside the fusion), of folds 1-8 too: 5 % of fold 9's 200 normal ECGs is 10 records, and a
    threshold set at that edge moved from 5 % to 10 % flagged on another fold. ``referral``
    "per_label": each label its own threshold, chosen jointly (training/fusion_referral.py
    ``label_referral_thresholds``) so that at most 5 % of those normal ECGs are flagged and no
    label is shown on more than ``MAX_FALSE_SHOWN`` of those records without it (D 10 %, 要至急
    3 %), nor a D label at a threshold where fewer than ``MIN_PRECISION`` (20 %) of the records
    shown it carry it;
    "shared": one threshold for all, the lowest that keeps that limit (shipped until
    2026-12-05). ``max_normal``: that share instead of ``MAX_NORMAL_FLAGGED`` (the per-label
    thresholds beside the combination rule, training/fusion_combination.py). Other labels: the
    F1-optimal threshold on fold 9 (>= 3 positives there), else on the out-of-fold folds 1-8,
    else 0.5."""
    from ecg_viewer.training.fusion_referral import (
        MAX_FALSE_SHOWN,
        MIN_PRECISION,
        false_shown_floor,
        label_referral_thresholds,
    )

    out: dict[int, tuple[float, str]] = {}
    urgent = [j for j in fused if cats[j] in URGENT_CATS]
    for j in fused:
        if j in urgent:
            continue
        if y[va, j].sum() >= 3:
            out[j] = (choose_threshold(p[va, j], y[va, j], None), "fold9-f1")
        elif y[tr, j].sum() >= 3:
            out[j] = (choose_threshold(p[tr, j], y[tr, j], None), "oof-f1")
        else:
            out[j] = (0.5, "default-0.5")
    if urgent:
        pu, yu, base = p[va][:, urgent], y[va], base_flag_va
        source = "fold9"
        if p_crossfit is not None:
            pu = np.vstack([pu, p_crossfit[tr][:, urgent]])
            yu = np.vstack([yu, y[tr]])
            b9 = np.zeros(int(va.sum()), bool) if base_flag_va is None else base_flag_va
            bcf = np.zeros(int(tr.sum()), bool) if base_flag_crossfit is None else base_flag_crossfit
            base = np.concatenate([b9, bcf])
            source = "fold9+crossfit"
        if referral == "shared":
            t = common_referral_threshold(pu, yu, base, normal_col)
            for j in urgent:
                out[j] = (t, f"{source}-referral")
        else:
            true_d = yu[:, np.isin(np.array(cats), URGENT_CATS)].astype(bool).any(axis=1)
            # a normal ECG: 正常心電図 and no D/urgent label (PTB-XL puts its rhythm statements
            # beside NORM: NORM + AFIB is an AF record, and flagging it is right, not a false alarm)
            normal = (yu[:, normal_col].astype(bool) & ~true_d if normal_col is not None
                      else np.zeros(len(yu), bool))
            # the share shown without the label counts among the records where its criteria let
            # it show (NaN: held back, training/fusion_app.py): 完全左脚ブロック may not show on
            # most wide-QRS records just because narrow ones can never show it
            floor = np.array([false_shown_floor(pu[ok, k], yu[ok, j] > 0, MAX_FALSE_SHOWN[cats[j]])
                              for k, j in enumerate(urgent) for ok in [np.isfinite(pu[:, k])]])
            share = MAX_NORMAL_FLAGGED if max_normal is None else max_normal
            ts = label_referral_thresholds(pu, yu[:, urgent], true_d, normal, base,
                                           share, floor=floor,
                                           min_precision=np.array([MIN_PRECISION[cats[j]]
                                                                   for j in urgent]))
            for j, t in zip(urgent, ts, strict=True):
                out[j] = (float(t), f"{source}-referral-per-label")
    return out


def common_referral_threshold(p_urgent: np.ndarray, y: np.ndarray, base_flag: np.ndarray | None,
                              normal_col: int | None) -> float:
    base = np.zeros(len(y), bool) if base_flag is None else base_flag
    normal = y[:, normal_col].astype(bool) if normal_col is not None else ~base
    mx = np.nan_to_num(p_urgent, nan=0.0).max(axis=1)
    for t in np.unique(np.concatenate([mx, [0.5, 1.0]])):
        flagged = (mx >= t) | base
        if not normal.any() or flagged[normal].mean() <= MAX_NORMAL_FLAGGED:
            return float(t)
    return 1.0


def referral_thresholds(thr: dict[int, tuple[float, str]], fused: list[int], cats: list[str],
                        ids: list[str]) -> dict[str, float]:
    """The fused D/urgent labels' referral thresholds, by label id."""
    return {ids[j]: float(thr[j][0]) for j in fused if cats[j] in URGENT_CATS}


def summarise(y: np.ndarray, score: np.ndarray, thr: np.ndarray, ids: list[str], cats: list[str],
              fused: list[int]) -> dict[str, Any]:
    """macro AUROC over every label with >= 5 positives and a score, and over the fused labels
    (the set all three columns share); top-1/top-5 by score; per label AUROC, sens, spec."""
    normal_col = ids.index("normal_ecg") if "normal_ecg" in ids else None
    per = per_label_auroc(y, np.nan_to_num(score, nan=np.nan), min_pos=5)
    per_f = {j: v for j, v in per.items() if j in set(fused)}
    ranked = np.where(np.isfinite(score), score, -np.inf)
    rows = {}
    for j, auc in per.items():
        sens, spec = sens_spec(y[:, j], np.nan_to_num(score[:, j], nan=-1.0) >= thr[j])
        rows[ids[j]] = {"n_pos": int(y[:, j].sum()), "auroc": auc, "sensitivity": sens,
                        "specificity": spec, "threshold": float(thr[j])}
    return {"n": int(len(y)), "top1": topk_hit(y, ranked, 1), "top5": topk_hit(y, ranked, 5),
            "macro_auroc": float(np.mean(list(per.values()))) if per else float("nan"),
            "n_auroc_labels": len(per),
            "macro_auroc_fused": float(np.mean(list(per_f.values()))) if per_f else float("nan"),
            "n_auroc_fused": len(per_f), "per_label": rows,
            "referral_flag": referral_rates(y, score, thr, cats, normal_col)}


def shipped_scores(c: dict[str, Any], ids: list[str], cal: dict[str, Any], p_fus: np.ndarray,
                   thr_f: dict[int, tuple[float, str]], fused: list[int]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(model's calibrated scores, its thresholds, the shipped scores, their thresholds) of every
    record and label: the fused labels from the fusion, the others from the model's calibration
    (before any derived label)."""
    from ecg_viewer.training.evaluate import apply_calibration

    p_mod = apply_calibration(np.nan_to_num(c["sim_ship"], nan=0.0), cal, ids)
    thr_m = np.array([cal[i]["threshold"] for i in ids])
    s_fus, thr_fus = p_mod.copy(), thr_m.copy()
    for j in fused:
        s_fus[:, j], thr_fus[j] = p_fus[:, j], thr_f[j][0]
    return p_mod, thr_m, s_fus, thr_fus


def eval_sets_masks(c: dict[str, Any]) -> dict[str, np.ndarray]:
    fold, has_mv, is_ptb = c["fold"], c["has_mv"].astype(bool), c["source"] == "ptbxl"
    return {"val": is_ptb & (fold == 9), "test": is_ptb & (fold == 10),
            "test_mv": is_ptb & (fold == 10) & has_mv, "test_z": is_ptb & (fold == 10) & ~has_mv,
            "cinc": ~is_ptb}


def evaluate_sets(c: dict[str, Any], ids: list[str], cats: list[str], cal: dict[str, Any],
                  p_fus: np.ndarray, p_cri: np.ndarray, thr_f: dict[int, tuple[float, str]],
                  thr_c: dict[int, tuple[float, str]], fused: list[int],
                  derived: dict[str, Any] | None = None) -> dict[str, Any]:
    """Model alone / criteria alone / fusion per set; ``derived`` (labels/derived.py): the
    broader labels scored from their narrower ones in the fusion column, with their own
    before/after table (``broader``)."""
    from ecg_viewer.labels.derived import derived_matrix
    from ecg_viewer.model.labelspace import load_catalog
    from ecg_viewer.training.fusion_derived import broader_map, derived_figures

    y = c["y"].astype(np.float64)
    p_mod, thr_m, s_fus, thr_fus = shipped_scores(c, ids, cal, p_fus, thr_f, fused)
    sets = eval_sets_masks(c)
    s_before, thr_before = s_fus, thr_fus
    if derived:
        s_fus, thr_fus = derived_matrix(s_fus, thr_fus, ids, derived)
    s_cri = np.full_like(p_mod, np.nan)
    thr_cri = np.ones(len(ids))
    for j in fused:
        s_cri[:, j], thr_cri[j] = p_cri[:, j], thr_c[j][0]
    out: dict[str, Any] = {"sets": {k: int(m.sum()) for k, m in sets.items()}, "by_set": {}}
    for k, m in sets.items():
        if not m.any():
            continue
        out["by_set"][k] = {
            "model": summarise(y[m], p_mod[m], thr_m, ids, cats, fused),
            "criteria": summarise(y[m], s_cri[m], thr_cri, ids, cats, fused),
            "fusion": summarise(y[m], s_fus[m], thr_fus, ids, cats, fused),
        }
        r = out["by_set"][k]
        log.info("%-8s n=%4d  macro AUROC model %.3f criteria %.3f fusion %.3f (fused labels: "
                 "%.3f / %.3f / %.3f)  top-5 %.3f / %.3f / %.3f", k, m.sum(),
                 r["model"]["macro_auroc"], r["criteria"]["macro_auroc"], r["fusion"]["macro_auroc"],
                 r["model"]["macro_auroc_fused"], r["criteria"]["macro_auroc_fused"],
                 r["fusion"]["macro_auroc_fused"], r["model"]["top5"], r["criteria"]["top5"],
                 r["fusion"]["top5"])
    out["thresholds"] = {ids[j]: {"fusion": thr_f[j][0], "source": thr_f[j][1],
                                  "criteria": thr_c[j][0]} for j in fused}
    if derived:
        out["broader"] = derived_figures(c, ids, s_before, thr_before, derived,
                                         broader_map(load_catalog(), ids), sets)
        out["derived"] = {lab: d.to_json() for lab, d in derived.items()}
    return out


def export_fusion(out: Path, fusion_json: dict[str, Any], report: dict[str, Any],
                  tree_arrays: dict[str, np.ndarray] | None = None) -> None:
    """fusion.json (+ the trees' arrays in ``fusion_json["trees_file"]``, safetensors) +
    metrics.json["fusion"] into ``out``, all under the manifest's sha256, and the model card
    rewritten with the fusion tables."""
    from safetensors.numpy import save_file

    from ecg_viewer.model.labelspace import load_catalog
    from ecg_viewer.model.weights import MANIFEST, read_manifest, sha256_file
    from ecg_viewer.training.export import readable_like
    from ecg_viewer.training.model_card import write_model_card

    manifest = read_manifest(out)
    old_trees = manifest.pop("fusion_trees", None)
    if old_trees:
        manifest["files"].pop(old_trees, None)
        (out / old_trees).unlink(missing_ok=True)
    trees_file = fusion_json.get("trees_file")
    if trees_file:
        if not tree_arrays:
            raise ValueError("fusion.json names a trees file but no tree arrays were given")
        save_file(tree_arrays, str(out / trees_file))
        manifest["fusion_trees"] = trees_file
        manifest["files"][trees_file] = sha256_file(out / trees_file)
    (out / "fusion.json").write_text(json.dumps(fusion_json, ensure_ascii=False, separators=(",", ":")))
    if trees_file:  # safetensors writes its file readable by its owner only: as fusion.json (umask)
        readable_like(out / trees_file, out / "fusion.json")
    mpath = out / "metrics.json"
    metrics = json.loads(mpath.read_text(encoding="utf-8")) if mpath.is_file() else {}
    metrics["fusion"] = report
    mpath.write_text(json.dumps(metrics, indent=1, ensure_ascii=False, default=float))
    manifest["fusion"] = "fusion.json"
    for name in ("fusion.json", "metrics.json"):
        manifest["files"][name] = sha256_file(out / name)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    prose = (Path(__file__).with_name("model_card_head.md")).read_text(encoding="utf-8")
    write_model_card(out / "MODEL_CARD.md", metrics, manifest, load_catalog(), prose)
    log.info("wrote %s/fusion.json (%d labels), metrics.json, manifest.json, MODEL_CARD.md", out,
             len(fusion_json["labels"]))


def shipped_fusion_outputs(c: dict[str, Any], fusion: Any, ids: list[str], x: np.ndarray
                           ) -> tuple[list[int], np.ndarray, dict[int, tuple[float, str]]]:
    """The shipped ``fusion`` on a fit cache ``c`` (its features ``x``): the fused label columns,
    their probabilities from the shipped ensemble's similarities [N, L] (NaN elsewhere) and
    their shipped thresholds (threshold, source)."""
    if tuple(str(n) for n in c["feature_names"]) != fusion.feature_names:
        raise SystemExit("the cached features are not the shipped fusion's: refit the fusion")
    fused = [ids.index(lab) for lab in fusion.labels]
    sim = np.nan_to_num(c["sim_ship"], nan=0.0)
    p_fus = np.full(sim.shape, np.nan)
    for j in fused:
        p_fus[:, j] = fusion.probability(ids[j], sim[:, j], x)
    thr_f = {j: (fusion.labels[ids[j]].threshold, fusion.labels[ids[j]].threshold_source)
             for j in fused}
    return fused, p_fus, thr_f


def shipped_report(cache: Path, weights: Path) -> dict[str, Any] | None:
    """The side-by-side figures recomputed with the SHIPPED fusion.json (read through
    labels/fusion.py, as the app reads it) on the cached similarities and features; the
    criteria-alone column is refitted from the cache with the penalty the fit chose."""
    from ecg_viewer.labels.fusion import load_fusion
    from ecg_viewer.model.labelspace import load_catalog
    from ecg_viewer.training.fusion_data import aligned_features, load_cache, training_rows
    from ecg_viewer.training.fusion_fit import fit_and_predict, fit_scaling
    from ecg_viewer.training.fusion_monotone import MonotoneTable

    fusion = load_fusion(weights)
    if fusion is None or not (cache / "sims.npz").is_file() or not (cache / "features.npz").is_file():
        return None
    c = load_cache(cache)
    ids = [str(i) for i in c["label_ids"]]
    x, y = aligned_features(c), c["y"].astype(np.float64)
    fused, p_fus, thr_f = shipped_fusion_outputs(c, fusion, ids, x)
    has_mv = c["has_mv"].astype(bool)
    tr = training_rows(c)
    metrics = json.loads((weights / "metrics.json").read_text(encoding="utf-8"))
    ch = metrics.get("fusion", {}).get("choice", {})
    volt = np.array([n in set(fusion.info.get("voltage_features", [])) for n in fusion.feature_names])
    mono = fusion.info.get("monotone")
    monotone = None
    if mono:  # the criteria-alone trees refitted with the constraints the fusion was fitted with
        monotone = MonotoneTable.from_json(mono).columns(ids, fused, fusion.feature_names)
    p_cri = fit_and_predict(fusion.info.get("model", "logistic"), None, x, y, has_mv,
                            fit_scaling(x[tr], has_mv[tr], volt), fused,
                            float(ch.get("l2_chosen_criteria", 100.0)), tr,
                            np.ones(len(x), dtype=bool), fusion.logistic_weight, monotone)
    cal = json.loads((weights / "calibration.json").read_text(encoding="utf-8"))
    thr_c = {j: (metrics.get("fusion", {}).get("thresholds", {}).get(ids[j], {}).get("criteria", 0.5), "")
             for j in fused}
    cats = [lab.category for lab in load_catalog().labels]
    return evaluate_sets(c, ids, cats, cal, p_fus, p_cri, thr_f, thr_c, fused, fusion.derived)
