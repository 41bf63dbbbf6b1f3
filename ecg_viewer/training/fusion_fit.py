"""Fitting the fusion (numpy/scipy): a two-stage L2 logistic regression per label.

Stage 1, on every training record (mV and z-scored): the standardised similarity, the
amplitude-free criteria features (rate, rhythm, intervals, durations; mean-imputed) and their
missing indicators. Stage 2, on the records with mV amplitude only, with stage 1's logit as a
fixed offset: the voltage features (``*_mv``, axes, Q-wave, R′ and low-voltage flags), without
missing indicators and without an intercept. The z-scored records have no voltage features,
every inference record has them: fitting the voltage weights where they exist keeps the
z-scored records' "missing" from being learnt as a sign of anything. A record without amplitude
gets no voltage contribution at all (mean-imputed features standardise to 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize

from ecg_viewer.labels.fusion import mix_logits
from ecg_viewer.labels.logit import sigmoid

CLIP = 5.0  # standardised features are clipped to +-CLIP (a failed measurement must not dominate)
MIN_FIT_POS = 8  # training positives a label needs to be fused
VOLT_NAMES_EXTRA = ("rprime_v1v2", "t_inverted_leads")


def is_voltage_feature(name: str) -> bool:
    return ("_mv" in name or name.startswith(("low_voltage", "q_waves_")) or name.endswith("_axis_deg")
            or name in VOLT_NAMES_EXTRA)


def voltage_mask(names: tuple[str, ...], x: np.ndarray, has_mv: np.ndarray) -> np.ndarray:
    """Voltage features by rule, plus any feature far rarer on records without mV (measured)."""
    rule = np.array([is_voltage_feature(n) for n in names])
    pres_mv = np.isfinite(x[has_mv]).mean(axis=0) if has_mv.any() else np.ones(len(names))
    pres_z = np.isfinite(x[~has_mv]).mean(axis=0) if (~has_mv).any() else pres_mv
    return rule | (pres_z < 0.5 * pres_mv)


@dataclass
class Scaling:
    mean: np.ndarray
    sd: np.ndarray
    volt: np.ndarray  # bool [F]

    def transform(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        miss = ~np.isfinite(x)
        xs = np.where(miss, 0.0, (np.where(miss, 0.0, x) - self.mean) / self.sd)
        return np.clip(xs, -CLIP, CLIP), miss.astype(np.float64)


def fit_scaling(x: np.ndarray, has_mv: np.ndarray, volt: np.ndarray) -> Scaling:
    """Mean/SD per feature over the records where it is present; voltage features over the mV
    records only."""
    mean, sd = np.zeros(x.shape[1]), np.ones(x.shape[1])
    for i in range(x.shape[1]):
        col = x[has_mv, i] if volt[i] else x[:, i]
        col = col[np.isfinite(col)]
        if len(col) >= 2:
            mean[i] = float(np.mean(col))
            sd[i] = float(np.std(col)) if np.std(col) > 1e-6 else 1.0
    return Scaling(mean, sd, volt)


def _bounds(signs: np.ndarray) -> list[tuple[float | None, float | None]]:
    """L-BFGS-B bounds from signs: +1 -> w >= 0, -1 -> w <= 0, 0 -> free."""
    return [(0.0, None) if v > 0 else (None, 0.0) if v < 0 else (None, None) for v in signs]


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float, offset: np.ndarray | None = None,
                 intercept: bool = True, penalty: np.ndarray | None = None,
                 signs: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """min sum logloss(y, offset + x @ w + b) + l2/2 sum(penalty * w^2) (b unpenalised) by
    L-BFGS; ``penalty`` 1 per coefficient unless given (0 = unpenalised); ``signs`` (+1/-1/0
    per coefficient) bounds a coefficient to be >= 0 / <= 0 / free."""
    n, d = x.shape
    off = np.zeros(n) if offset is None else offset
    pen = l2 * (np.ones(d) if penalty is None else penalty)
    prior = float(np.clip(y.mean(), 1e-4, 1 - 1e-4))
    b0 = float(np.log(prior / (1 - prior))) if intercept and offset is None else 0.0

    def f(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:d], (theta[d] if intercept else 0.0)
        z = off + x @ w + b
        # log(1 + e^z) - y z, stable
        loss = np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * np.sum(pen * w * w)
        p = 0.5 * (1 + np.tanh(0.5 * z))
        g = p - y
        grad = np.concatenate([x.T @ g + pen * w, [g.sum()] if intercept else []])
        return float(loss), grad

    theta0 = np.concatenate([np.zeros(d), [b0] if intercept else []])
    bounds = None
    if signs is not None and np.any(signs):
        bounds = _bounds(signs) + ([(None, None)] if intercept else [])
    res = minimize(f, theta0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 500})
    th = res.x
    return th[:d], (float(th[d]) if intercept else 0.0)


@dataclass
class LabelModel:
    intercept: float
    sim_coef: float
    coef: np.ndarray  # [F]
    miss_coef: np.ndarray  # [F]

    def logit(self, zsim: np.ndarray | None, xs: np.ndarray, miss: np.ndarray) -> np.ndarray:
        z = self.intercept + xs @ self.coef + miss @ self.miss_coef
        return z + (self.sim_coef * zsim if zsim is not None else 0.0)


def fit_label(zsim: np.ndarray | None, xs: np.ndarray, miss: np.ndarray, y: np.ndarray,
              has_mv: np.ndarray, volt: np.ndarray, l2: float,
              monotone: list[int] | None = None) -> LabelModel:
    """Two-stage fit of one label (see the module docstring); ``zsim`` None = criteria alone.
    ``monotone`` ([similarity, features...], -1/0/+1; :func:`tree_constraints`' layout with the
    similarity) bounds the signs of those coefficients, so the logit moves with each constrained
    input only in its direction (missing indicators stay free)."""
    cst = np.zeros(1 + xs.shape[1]) if monotone is None else np.asarray(monotone, dtype=float)
    sim_sign, feat_sign = cst[0], cst[1:]
    base = ~volt
    miss_cols = base & (miss.std(axis=0) > 0)
    parts = [xs[:, base], miss[:, miss_cols]]
    if zsim is not None:
        parts.insert(0, zsim[:, None])
    x1 = np.hstack(parts)
    # the similarity is not penalised: a strong penalty shrinks the fusion to the model's
    # own calibration (Platt scaling of the similarity), never to the base rate
    pen = np.ones(x1.shape[1])
    signs = np.concatenate([feat_sign[base], np.zeros(int(miss_cols.sum()))])
    if zsim is not None:
        pen[0] = 0.0
        signs = np.concatenate([[sim_sign], signs])
    w1, b1 = fit_logistic(x1, y, l2, penalty=pen, signs=signs)
    k = 0
    sim_coef = 0.0
    if zsim is not None:
        sim_coef, k = float(w1[0]), 1
    coef, miss_coef = np.zeros(xs.shape[1]), np.zeros(xs.shape[1])
    nb = int(base.sum())
    coef[base] = w1[k : k + nb]
    miss_coef[miss_cols] = w1[k + nb :]
    m = LabelModel(b1, sim_coef, coef, miss_coef)
    if volt.any() and has_mv.any() and y[has_mv].any():
        off = m.logit(zsim[has_mv] if zsim is not None else None, xs[has_mv], miss[has_mv])
        w2, _ = fit_logistic(xs[has_mv][:, volt], y[has_mv], l2, offset=off, intercept=False,
                             signs=feat_sign[volt])
        m.coef[volt] = w2
    return m


def fit_all(zsim: np.ndarray | None, x: np.ndarray, y: np.ndarray, has_mv: np.ndarray,
            scaling: Scaling, labels: list[int], l2: float | dict[int, float],
            monotone: dict[int, list[int]] | None = None) -> dict[int, LabelModel]:
    xs, miss = scaling.transform(x)
    lam = l2 if isinstance(l2, dict) else dict.fromkeys(labels, float(l2))
    return {j: fit_label(None if zsim is None else zsim[:, j], xs, miss, y[:, j].astype(float),
                         has_mv, scaling.volt, lam[j], (monotone or {}).get(j)) for j in labels}


def predict_logits(models: dict[int, LabelModel], zsim: np.ndarray | None, x: np.ndarray,
                   scaling: Scaling, n_labels: int) -> np.ndarray:
    """[N, n_labels] logits; NaN for labels without a model."""
    xs, miss = scaling.transform(x)
    out = np.full((len(x), n_labels), np.nan)
    for j, m in models.items():
        out[:, j] = m.logit(None if zsim is None else zsim[:, j], xs, miss)
    return out


def predict_all(models: dict[int, LabelModel], zsim: np.ndarray | None, x: np.ndarray,
                scaling: Scaling, n_labels: int) -> np.ndarray:
    """[N, n_labels] probabilities; NaN for labels without a model."""
    return sigmoid(predict_logits(models, zsim, x, scaling, n_labels))


#: the logistic regression's share of the blended logit (labels/fusion.py, kind "blend")
BLEND_LOGISTIC_WEIGHT = 0.5


def blend(z_logistic: np.ndarray, z_trees: np.ndarray, w: float = BLEND_LOGISTIC_WEIGHT) -> np.ndarray:
    """Probabilities from the weighted mean of the two learners' logits (what the shipped
    ``"blend"`` fusion computes, labels/fusion.py: the same functions)."""
    return sigmoid(mix_logits(z_logistic, z_trees, w))


def by_kind(kind: str, z_logistic: np.ndarray | None, z_trees: np.ndarray | None,
            w: float = BLEND_LOGISTIC_WEIGHT) -> np.ndarray:
    """The probabilities of a fusion of ``kind`` ("logistic", "gbm", "blend") from its learners'
    logits (the one it does not use may be None)."""
    if kind == "logistic" and z_logistic is not None:
        return sigmoid(z_logistic)
    if kind == "gbm" and z_trees is not None:
        return sigmoid(z_trees)
    if kind == "blend" and z_logistic is not None and z_trees is not None:
        return blend(z_logistic, z_trees, w)
    raise ValueError(f"fusion kind {kind!r} without the logits it needs")


def fit_and_predict(kind: str, zsim: np.ndarray | None, x: np.ndarray, y: np.ndarray,
                    has_mv: np.ndarray, scaling: Scaling, labels: list[int], l2: float,
                    fit: np.ndarray, at: np.ndarray, w: float = BLEND_LOGISTIC_WEIGHT,
                    monotone: dict[int, list[int]] | None = None) -> np.ndarray:
    """Probabilities [rows ``at``, n_labels] of a fusion of ``kind`` fitted on the rows ``fit``
    (``zsim`` None: criteria alone); NaN for labels not in ``labels``. ``monotone``: the
    constraints per label column, similarity first, for the trees and the logistic regression
    alike (:func:`tree_constraints`, :func:`fit_label`)."""
    zf = None if zsim is None else zsim[fit]
    za = None if zsim is None else zsim[at]
    z_lr = z_gbm = None
    if kind != "gbm":
        models = fit_all(zf, x[fit], y[fit], has_mv[fit], scaling, labels, l2, monotone)
        z_lr = predict_logits(models, za, x[at], scaling, y.shape[1])
    if kind != "logistic":
        z_gbm = gbm_logits(fit_trees(zf, x[fit], y[fit], labels, monotone), za, x[at], y.shape[1])
    return by_kind(kind, z_lr, z_gbm, w)


def to_json(models: dict[int, LabelModel], ids: list[str], names: tuple[str, ...], scaling: Scaling,
            sim_center: np.ndarray, sim_scale: np.ndarray, thresholds: dict[int, tuple[float, str]],
            info: dict[str, Any]) -> dict[str, Any]:
    from ecg_viewer.labels.fusion import FUSION_FORMAT

    r = lambda a: [round(float(v), 6) for v in a]  # noqa: E731
    return {
        "format": FUSION_FORMAT, **info, "clip": CLIP,
        "feature_names": list(names), "mean": r(scaling.mean), "sd": r(scaling.sd),
        "voltage_features": [n for n, v in zip(names, scaling.volt, strict=True) if v],
        "feature_clip_sd": CLIP,
        "labels": {ids[j]: {"intercept": round(m.intercept, 6), "sim_coef": round(m.sim_coef, 6),
                            "sim_center": round(float(sim_center[j]), 6),
                            "sim_scale": round(float(sim_scale[j]), 6),
                            "coef": r(m.coef), "miss_coef": r(m.miss_coef),
                            "threshold": round(thresholds[j][0], 6),
                            "threshold_source": thresholds[j][1]}
                   for j, m in models.items()},
    }


# --- gradient-boosted trees (scikit-learn), exported as plain JSON -----------------------------
# fold 9 chose the tree size (2026-12-05, blend macro AUROC over the fused labels; fold 10 unseen):
# <= 15 leaves 0.9255, <= 7 leaves 0.9278, <= 4 leaves 0.9284 (200 trees 0.9286: within 0.0005,
# the fewer trees kept), 300 trees at rate 0.025 0.9268, L2 10 0.9275 (the scan: README, fusion)
GBM_PARAMS = {"max_iter": 150, "learning_rate": 0.05, "max_leaf_nodes": 4, "l2_regularization": 1.0}


def tree_constraints(monotone: dict[int, list[int]] | None, j: int,
                     with_similarity: bool) -> list[int] | None:
    """Label column ``j``'s ``monotonic_cst`` from ``monotone`` (similarity first), without the
    similarity's entry for criteria alone; None when the label has none."""
    if not monotone or j not in monotone:
        return None
    cst = monotone[j] if with_similarity else monotone[j][1:]
    return cst if any(cst) else None


def fit_gbm(zsim_j: np.ndarray | None, x: np.ndarray, y: np.ndarray, seed: int = 0,
            monotone: list[int] | None = None) -> Any:
    """One label: trees on [standardised similarity, raw criteria features] (NaN = missing,
    handled by the trees: each split learns where a missing value goes). ``monotone``: one of
    -1/0/+1 per input column (scikit-learn's ``monotonic_cst``; fusion_monotone.py)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    xt = x if zsim_j is None else np.hstack([zsim_j[:, None], x])
    if monotone is not None and len(monotone) != xt.shape[1]:
        raise ValueError(f"{len(monotone)} monotone constraints for {xt.shape[1]} columns")
    clf = HistGradientBoostingClassifier(**GBM_PARAMS, early_stopping=False, random_state=seed,
                                         monotonic_cst=monotone)
    return clf.fit(xt, y.astype(int))


def fit_trees(zsim: np.ndarray | None, x: np.ndarray, y: np.ndarray, labels: list[int],
              monotone: dict[int, list[int]] | None = None) -> dict[int, Any]:
    """:func:`fit_gbm` for every label column in ``labels`` (``zsim`` None: criteria alone),
    each held to its constraints in ``monotone`` (:func:`tree_constraints`)."""
    return {j: fit_gbm(None if zsim is None else zsim[:, j], x, y[:, j],
                       monotone=tree_constraints(monotone, j, zsim is not None))
            for j in labels}


def gbm_to_json(clf: Any) -> dict[str, Any]:
    """The fitted trees as arrays: feature (-1 = leaf), threshold (x <= t goes left), missing
    goes left, left/right child, leaf value (learning rate included), and the baseline logit."""
    trees = []
    for it in clf._predictors:
        n = it[0].nodes
        if n["is_categorical"].any():
            raise ValueError("categorical splits are not exported")
        leaf = n["is_leaf"].astype(bool)
        trees.append([
            [-1 if lf else int(f) for f, lf in zip(n["feature_idx"], leaf, strict=True)],
            [0.0 if lf else float(t) for t, lf in zip(n["num_threshold"], leaf, strict=True)],  # exact
            [int(m) for m in n["missing_go_to_left"]],
            [int(v) for v in n["left"]], [int(v) for v in n["right"]],
            [float(f"{v:.7g}") if lf else 0.0 for v, lf in zip(n["value"], leaf, strict=True)],
        ])
    return {"baseline": float(np.ravel(clf._baseline_prediction)[0]), "trees": trees}


def gbm_to_arrays(clf: Any) -> tuple[float, dict[str, np.ndarray]]:
    """The fitted trees as [n_trees, n_nodes] arrays (labels/fusion.py ``TREE_ARRAYS``; trees
    with fewer nodes padded with leaves of value 0 that no split reaches) and the baseline
    logit: the same numbers as :func:`gbm_to_json`, stored as binary (safetensors) so that
    loading parses no text."""
    js = gbm_to_json(clf)
    trees = js["trees"]
    m = max(len(t[0]) for t in trees)
    out = {"feature": np.full((len(trees), m), -1, np.int32),
           "threshold": np.zeros((len(trees), m)), "missing_left": np.zeros((len(trees), m), np.uint8),
           "left": np.zeros((len(trees), m), np.int32), "right": np.zeros((len(trees), m), np.int32),
           "value": np.zeros((len(trees), m))}
    for k, t in enumerate(trees):
        for name, vals in zip(out, t, strict=True):
            out[name][k, : len(vals)] = vals
    return float(js["baseline"]), out


def gbm_logits(clfs: dict[int, Any], zsim: np.ndarray | None, x: np.ndarray, n_labels: int) -> np.ndarray:
    """The trees' summed leaf values + baseline (their logit), [N, n_labels]; NaN elsewhere."""
    out = np.full((len(x), n_labels), np.nan)
    for j, clf in clfs.items():
        xt = x if zsim is None else np.hstack([zsim[:, j : j + 1], x])
        out[:, j] = clf.decision_function(xt)
    return out
