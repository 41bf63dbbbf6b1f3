"""Metrics (numpy): AUROC, top-k hit rate, sensitivity/specificity, calibration, thresholds."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import rankdata


def auroc(y: np.ndarray, s: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney), NaN when one class is absent."""
    y = np.asarray(y).astype(bool)
    npos, nneg = int(y.sum()), int((~y).sum())
    if npos == 0 or nneg == 0:
        return float("nan")
    r = rankdata(s)
    return float((r[y].sum() - npos * (npos + 1) / 2) / (npos * nneg))


def per_label_auroc(y: np.ndarray, s: np.ndarray, min_pos: int = 5) -> dict[int, float]:
    """{label column: AUROC} for labels with at least ``min_pos`` positives (and a negative)."""
    out = {}
    for j in range(y.shape[1]):
        npos = int(y[:, j].sum())
        if npos >= min_pos and npos < y.shape[0] and np.isfinite(s[:, j]).all():
            out[j] = auroc(y[:, j], s[:, j])
    return out


def macro_auroc(y: np.ndarray, s: np.ndarray, min_pos: int = 5) -> float:
    vals = list(per_label_auroc(y, s, min_pos).values())
    return float(np.mean(vals)) if vals else float("nan")


def topk_hit(y: np.ndarray, s: np.ndarray, k: int) -> float:
    """Fraction of records (with at least one true label) whose true label ranks within k."""
    has = y.sum(axis=1) > 0
    s = np.where(np.isfinite(s), s, -np.inf)[has]
    order = np.argsort(-s, axis=1)[:, :k]
    hits = np.take_along_axis(y[has], order, axis=1).sum(axis=1) > 0
    return float(hits.mean()) if len(hits) else float("nan")


def sens_spec(y: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    y, pred = np.asarray(y).astype(bool), np.asarray(pred).astype(bool)
    sens = float((pred & y).sum() / y.sum()) if y.sum() else float("nan")
    spec = float((~pred & ~y).sum() / (~y).sum()) if (~y).sum() else float("nan")
    return sens, spec


def fit_platt(sim: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 200) -> tuple[float, float]:
    """Logistic calibration score = sigmoid(a * sim + b), fitted by Newton's method with a
    small ridge penalty on ``a`` (stable with few positives)."""
    x = np.asarray(sim, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    xs = (x - x.mean()) / (x.std() + 1e-9)
    a, b = 1.0, float(np.log((t.mean() + 1e-3) / (1 - t.mean() + 1e-3)))
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(a * xs + b)))
        w = p * (1 - p) + 1e-9
        g = np.array([np.sum((p - t) * xs) + l2 * a, np.sum(p - t)])
        h = np.array([[np.sum(w * xs * xs) + l2, np.sum(w * xs)], [np.sum(w * xs), np.sum(w)]])
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    scale = a / (x.std() + 1e-9)
    return float(scale), float(b - scale * x.mean())


def choose_threshold(score: np.ndarray, y: np.ndarray, min_sensitivity: float | None,
                     min_specificity: float | None = None) -> float:
    """A threshold on ``score``: for urgent/D labels the highest one that keeps sensitivity at or
    above ``min_sensitivity``, raised where needed so that specificity stays at or above
    ``min_specificity`` (the sensitivity target gives way: see the model card); otherwise the one
    that maximises F1."""
    y = np.asarray(y).astype(bool)
    cand = np.unique(score)
    if not y.any():
        return float("nan")
    if min_sensitivity is not None:
        pos = np.sort(score[y])
        k = int(np.floor((1 - min_sensitivity) * len(pos)))
        thr = float(pos[k])
        neg = np.sort(score[~y])
        if min_specificity is not None and len(neg):
            # the lowest threshold at which at least min_specificity of the negatives stay below
            i = int(np.ceil(min_specificity * len(neg))) - 1
            thr = max(thr, float(np.nextafter(neg[min(max(i, 0), len(neg) - 1)], np.inf)))
        return thr
    best, best_f1 = float(cand[-1]), -1.0
    for c in cand:
        pred = score >= c
        tp = (pred & y).sum()
        f1 = 2 * tp / (pred.sum() + y.sum()) if (pred.sum() + y.sum()) else 0.0
        if f1 > best_f1:
            best, best_f1 = float(c), f1
    return best


#: the catalog categories whose labels raise 要精査 or 要至急
URGENT_CATS = ("D", "urgent")


def referral_rates(y: np.ndarray, score: np.ndarray, thr: np.ndarray, cats: list[str],
                   normal_col: int | None) -> dict[str, Any]:
    """How often a D/urgent label at or above its threshold would flag a record (要精査 or
    higher): overall, among records labelled normal (column ``normal_col``), and among records
    with at least one true D/urgent label. A NaN score never flags."""
    dmask = np.isin(np.array(cats), URGENT_CATS)
    flagged = ((np.nan_to_num(score, nan=-1.0) >= thr) & dmask).any(axis=1)
    out: dict[str, Any] = {"n": int(len(y)), "flagged": float(flagged.mean()) if len(y) else float("nan")}
    if normal_col is not None:
        norm = y[:, normal_col].astype(bool)
        out["normal_n"] = int(norm.sum())
        out["normal_flagged"] = float(flagged[norm].mean()) if norm.any() else float("nan")
    true_d = y[:, dmask].astype(bool).any(axis=1)
    out["true_d_n"] = int(true_d.sum())
    out["true_d_flagged"] = float(flagged[true_d].mean()) if true_d.any() else float("nan")
    return out
