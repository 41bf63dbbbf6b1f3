"""The referral's combination rule (``labels/referral.py`` ``CombinationRule``), fitted and chosen
with the per-label referral thresholds, on the banner as the app raises it.

Why: the per-label thresholds alone (``training/fusion_referral.py``) flag a record only when one
D/urgent finding is above its own threshold. A record with three such findings each just under
its threshold is left unflagged, and those thresholds must be low (many false flags of normal
ECGs) to catch it one label at a time. The model card's "Referral rule: alternatives" showed one
referral score over all the D/urgent probabilities flags more true D/urgent records at fewer
normal ECGs on every set, but alone it could flag a record with nothing above its threshold and
leave a finding shown above its threshold under an unflagged banner. Shipped: both together.
A record is 要精査 or higher when a D/urgent label is at or above its own threshold (the banner
names it) **or** the referral score is at or above its threshold (the banner names the findings
closest to their own thresholds: "所見の組み合わせ"); a finding above its threshold always flags.

How (never fold 10 or CinC):

1. for each share ``m1`` of :data:`LABEL_SHARES`: the per-label thresholds chosen as before but
   so that they alone flag at most ``m1`` of the pooled normal ECGs (fold 9 + cross-fitted folds
   1-8);
2. the app replayed on those records with them (criteria hold-backs, rate variants, measurement
   rules: ``training/fusion_app.py``): the level without the combination rule, and every
   label's score after the criteria, as ``decide_referral`` reads it;
3. the score: an L2 logistic regression (penalty from :data:`L2_GRID`) on the logits of those
   scores of the fused D/urgent labels and 正常心電図, target "carries a D/urgent label", fitted
   on the cross-fitted folds 1-8 only, its weights bounded to >= 0 (D/urgent labels) and <= 0
   (正常心電図): a finding's probability never lowers the score;
4. its threshold: the lowest at which the two together flag at most ``max_normal`` (5 %) of the
   pooled normal ECGs;
5. chosen: the (``m1``, penalty) flagging the most pooled records with a true D/urgent label.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecg_viewer.core.prediction import SEVERITY
from ecg_viewer.labels.logit import logit
from ecg_viewer.labels.referral import CombinationRule
from ecg_viewer.training.fusion_app import replay_scores
from ecg_viewer.training.fusion_fit import fit_logistic
from ecg_viewer.training.metrics import URGENT_CATS

log = logging.getLogger("ecg_viewer.training")

#: shares of the pooled normal ECGs the per-label thresholds alone may flag
LABEL_SHARES = (0.01, 0.02, 0.03, 0.04)
# (1, 10) until 2026-12-05: the fit chose 10, the grid's edge; on the pooled records (fold 9 +
# cross-fitted 1-8) the true D/urgent share flagged rises to a plateau at 100-1000 (0.878 at
# 10, 0.883 at 100, 0.885 at 1000, 0.881 at 3000, labels at 3 % of normal ECGs)
L2_GRID = (1.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
EPS = 1e-4


@dataclass
class CombinationChoice:
    """The chosen per-label thresholds (as ``thresholds_for`` gives them), the rule, and the
    pooled figures of every candidate (for the model card)."""

    thresholds: dict[int, tuple[float, str]]
    rule: CombinationRule
    label_share: float
    l2: float
    candidates: list[dict[str, Any]]


def _features(post: np.ndarray) -> np.ndarray:
    return logit(np.nan_to_num(post, nan=0.0), eps=EPS)


def choose_combination(
    thresholds_at: Callable[[float], dict[int, tuple[float, str]]],
    scores_at: Callable[[dict[int, tuple[float, str]]], tuple[np.ndarray, np.ndarray]],
    ids: list[str], cats: list[str], fused: list[int], y: np.ndarray, pool: np.ndarray,
    fit_rows: np.ndarray, x: np.ndarray, names: tuple[str, ...], mdicts: list[dict[str, Any]],
    max_normal: float,
) -> CombinationChoice | None:
    """The combination rule and the per-label thresholds that go with it (module docstring).

    ``thresholds_at(m1)``: the per-label referral thresholds at that share of normal ECGs;
    ``scores_at(thresholds)``: every record's label scores [N, L] and thresholds [L] as the app
    scores them; ``pool``: the records the thresholds are chosen on (fold 9 + cross-fitted folds
    1-8); ``fit_rows``: those the score is fitted on (the cross-fitted folds 1-8). None when no
    candidate keeps ``max_normal``."""
    comb = [j for j in fused if cats[j] in URGENT_CATS]
    normal_col = ids.index("normal_ecg")
    cols = [*comb, normal_col]
    cat = np.array(cats)
    true_d = y[:, np.isin(cat, URGENT_CATS)].astype(bool).any(axis=1)
    normal = (y[:, normal_col] > 0) & ~true_d
    rows = np.flatnonzero(pool)
    in_fit = fit_rows[rows]
    # a D/urgent finding's probability never lowers the score, 正常心電図's never raises it (the
    # L2 penalty alone left four MI/ischaemia weights negative at L2 10 and at L2 1)
    signs = np.array([1.0] * len(comb) + [-1.0])
    best: CombinationChoice | None = None
    best_key: tuple[float, float] | None = None
    candidates: list[dict[str, Any]] = []
    for m1 in LABEL_SHARES:
        thr = thresholds_at(m1)
        s, t = scores_at(thr)
        level, post, paced = replay_scores(s, t, ids, cats, x, names, mdicts, rows, cols)
        flagged = level >= SEVERITY["D"]
        may = ~flagged & ~paced  # where the combination rule can raise
        f = _features(post)
        for l2 in L2_GRID:
            w, b = fit_logistic(f[in_fit], true_d[rows][in_fit].astype(float), l2, signs=signs)
            r = f @ w + b
            ts = _score_threshold(r, flagged, may, normal[rows], max_normal)
            if ts is None:
                continue
            union = flagged | (may & (r >= ts))
            sens = float(union[true_d[rows]].mean())
            row = {"label_share": m1, "l2": l2, "threshold": ts,
                   "normal_flagged": float(union[normal[rows]].mean()),
                   "labels_alone_normal_flagged": float(flagged[normal[rows]].mean()),
                   "true_d_flagged": sens,
                   "labels_alone_true_d_flagged": float(flagged[true_d[rows]].mean())}
            candidates.append(row)
            log.info("referral combination: labels at %.2f of normal ECGs, L2 %g: pooled %.3f / "
                     "%.3f (labels alone %.3f / %.3f) (normal / true D flagged)", m1, l2,
                     row["normal_flagged"], sens, row["labels_alone_normal_flagged"],
                     row["labels_alone_true_d_flagged"])
            key = (sens, -m1)
            if best_key is None or key > best_key:
                best_key = key
                rule = CombinationRule(
                    tuple(ids[j] for j in comb), tuple(float(v) for v in w[:-1]), ids[normal_col],
                    float(w[-1]), float(b), float(ts), EPS)
                best = CombinationChoice(thr, rule, m1, l2, candidates)
    return best


def _score_threshold(r: np.ndarray, flagged: np.ndarray, may: np.ndarray, normal: np.ndarray,
                     max_normal: float) -> float | None:
    """The lowest score threshold at which the labels and the score together flag at most
    ``max_normal`` of the normal ECGs (None when the labels alone flag more)."""
    cap = int(np.floor(max_normal * normal.sum() + 1e-9))
    base = int((flagged & normal).sum())
    if base > cap:
        return None
    # normal ECGs the score alone would add, from the highest score down
    extra = np.sort(r[normal & may])[::-1]
    allowed = cap - base
    if allowed >= len(extra):
        return float(np.min(r)) if len(r) else None
    # a threshold just above the first normal ECG it may not flag (ties stay out)
    return float(np.nextafter(extra[allowed], np.inf))
