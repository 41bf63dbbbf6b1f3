"""The fusion's two learners fitted together, as ``fusion fit`` compares them on fold 9: the
logistic regression (one L2 penalty from :data:`L2_GRID`, for the fusion and for criteria
alone), the gradient-boosted trees and their blend, each with or without the monotone
constraints (training/fusion_monotone.py)."""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from ecg_viewer.training.fusion_fit import (
    BLEND_LOGISTIC_WEIGHT,
    GBM_PARAMS,
    blend,
    by_kind,
    fit_all,
    fit_trees,
    gbm_logits,
    predict_all,
    predict_logits,
    sigmoid,
)
from ecg_viewer.training.metrics import macro_auroc

log = logging.getLogger("ecg_viewer.training")

L2_GRID = (3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)


def macro_fused(y: np.ndarray, s: np.ndarray, cols: list[int]) -> float:
    """Macro AUROC over the fused label columns ``cols`` (labels with >= 5 positives)."""
    return macro_auroc(y[:, cols], s[:, cols], min_pos=5)


def fit_learners(model: str, zsim: np.ndarray, x: np.ndarray, y: np.ndarray, has_mv: np.ndarray,
                  scaling: Any, fused: list[int], tr: np.ndarray, va: np.ndarray,
                  monotone: dict[int, list[int]] | None) -> dict[str, Any]:
    """The logistic regression (one L2 penalty chosen on fold 9, for the fusion and for criteria
    alone), the trees and the kind (``model``, or fold 9's choice for "auto"), all fitted with
    the constraints ``monotone`` (None: free)."""
    choice: dict[str, Any] = {}
    picked: dict[str, float] = {}
    n_labels = y.shape[1]
    fitted: dict[str, Any] = {}  # the fusion's logistic models per penalty, the chosen one kept
    for kind_, zs in (("fusion", zsim), ("criteria", None)):
        scores = {}
        for lam in L2_GRID:
            m = fit_all(zs[tr] if zs is not None else None, x[tr], y[tr], has_mv[tr], scaling,
                        fused, lam, monotone)
            p = predict_all(m, zs[va] if zs is not None else None, x[va], scaling, n_labels)
            scores[str(lam)] = macro_fused(y[va], p, fused)
            if kind_ == "fusion":
                fitted[str(lam)] = m
        best_name = max(scores, key=lambda k: round(scores[k], 4))
        picked[kind_] = float(best_name)
        key = "" if kind_ == "fusion" else "_criteria"
        choice[f"l2_global_fold9{key}"] = scores
        choice[f"l2_chosen{key}"] = best_name
        log.info("logistic %s: fold-9 macro AUROC (fused labels) %s -> %s", kind_,
                 ", ".join(f"{k} {v:.4f}" for k, v in scores.items()), best_name)
    models = fitted[choice["l2_chosen"]]  # fitted on the same rows above: not fitted again
    z_lr = predict_logits(models, zsim, x, scaling, n_labels)
    p_fus = sigmoid(z_lr)
    lr9 = macro_fused(y[va], p_fus[va], fused)
    choice["logistic_fold9_macro_auroc"] = lr9
    scores9 = {"logistic": lr9}
    kind = model
    gbm: dict[int, Any] = {}
    if kind in ("gbm", "blend", "auto"):
        t0 = time.time()
        gbm = fit_trees(zsim[tr], x[tr], y[tr], fused, monotone)
        z_gbm = gbm_logits(gbm, zsim, x, n_labels)
        p_gbm, p_blend = sigmoid(z_gbm), blend(z_lr, z_gbm)
        g9, b9 = macro_fused(y[va], p_gbm[va], fused), macro_fused(y[va], p_blend[va], fused)
        scores9.update(gbm=g9, blend=b9)
        choice["gbm_fold9_macro_auroc"] = g9
        choice["blend_fold9_macro_auroc"] = b9
        choice["blend_logistic_weight"] = BLEND_LOGISTIC_WEIGHT
        choice["gbm_params"] = GBM_PARAMS
        log.info("fold 9, fused labels: logistic %.4f, gradient boosting %.4f, their blend %.4f "
                 "(trees %.0f s)", lr9, g9, b9, time.time() - t0)
        if kind == "auto":  # the first best of the three, to 4 decimals (the simpler on a tie)
            kind = max(scores9, key=lambda k: round(scores9[k], 4))
        p_fus = by_kind(kind, z_lr, z_gbm)
    return {"choice": choice, "picked": picked, "models": models, "gbm": gbm, "kind": kind,
            "p_fus": p_fus, "scores": {kind: scores9[kind]}}
