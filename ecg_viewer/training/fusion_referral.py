"""Alternatives to the shipped referral rule, compared on fold 9 and reported on fold 10 and CinC.

Shipped: a record is flagged 要精査 or higher when a D/urgent label is at or above its threshold;
the fused D/urgent labels share one probability threshold, the lowest that flags <= 5 % of the
normal ECGs of fold 9 and of the cross-fitted folds 1-8 together (training/fusion_report.py
``thresholds_for``). Alternatives, each held to <= 5 % of the fold-9 normal ECGs:

- ``equal_spec``: per-label thresholds at one common specificity (the quantile of each label's
  probability among the records without it: fold 9, or the cross-fitted folds 1-8);
- ``score``: one referral score, a logistic regression on the logits of the fused D/urgent
  probabilities and of 正常心電図, fitted on cross-fitted fusion outputs of folds 1-8 (each half
  scored by a fusion fitted on the other half), L2 penalty chosen on fold 9.

A broader label derived from its narrower ones (labels/derived.py) flags only with them, so it is
left out of the flags here. Nothing here changes what is shipped: the model card reports it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecg_viewer.training.fusion_fit import fit_and_predict, fit_logistic
from ecg_viewer.training.metrics import URGENT_CATS

SPEC_GRID = np.linspace(0.80, 0.999, 200)
L2_GRID = (1.0, 10.0, 100.0, 1000.0)


def crossfit_outputs(zsim: np.ndarray | None, x: np.ndarray, y: np.ndarray, has_mv: np.ndarray,
                     scaling: Any, fused: list[int], l2: float, tr: np.ndarray,
                     fold: np.ndarray, kind: str = "logistic") -> np.ndarray:
    """Fused probabilities [N, L] of the training records (folds 1-8), each half (1-4, 5-8)
    from a fusion of ``kind`` ("logistic", "gbm", "blend"; ``zsim`` None: criteria alone)
    fitted on the other half; NaN elsewhere."""
    out = np.full(y.shape, np.nan)
    for a, b in (((1, 2, 3, 4), (5, 6, 7, 8)), ((5, 6, 7, 8), (1, 2, 3, 4))):
        ta, tb = tr & np.isin(fold, a), tr & np.isin(fold, b)
        out[tb] = fit_and_predict(kind, zsim, x, y, has_mv, scaling, fused, l2, ta, tb)
    return out


def _rates(flag: np.ndarray, m: np.ndarray, normal: np.ndarray, true_d: np.ndarray) -> dict[str, Any]:
    return {"normal_n": int((m & normal).sum()), "true_d_n": int((m & true_d).sum()),
            "normal_flagged": float(flag[m & normal].mean()) if (m & normal).any() else float("nan"),
            "true_d_flagged": float(flag[m & true_d].mean()) if (m & true_d).any() else float("nan")}


def referral_alternatives(s: np.ndarray, thr: np.ndarray, s_cf: np.ndarray, y: np.ndarray,
                          ids: list[str], cats: list[str], fused: list[int], derived: set[str],
                          sets: dict[str, np.ndarray], tr: np.ndarray,
                          max_normal: float = 0.05) -> list[dict[str, Any]]:
    """s/thr: the shipped scores [N, L] and thresholds [L]; s_cf: the same with the training
    records' fused columns cross-fitted. One row per rule with its fold-9 parameter and the
    flag rates on every set of ``sets`` (``val`` chooses)."""
    va = sets["val"]
    dm = np.isin(np.array(cats), URGENT_CATS)
    normal = y[:, ids.index("normal_ecg")] > 0
    true_d = y[:, dm].astype(bool).any(axis=1)
    cols = [j for j in range(len(ids)) if dm[j] and thr[j] < 1.0 and ids[j] not in derived]
    fcols = [j for j in cols if j in set(fused)]
    outside = [j for j in cols if j not in set(fused)]
    base_out = ((np.nan_to_num(s[:, outside], nan=-1.0) >= thr[outside]).any(axis=1) if outside
                else np.zeros(len(s), bool))

    def flags(t: np.ndarray) -> np.ndarray:
        return (np.nan_to_num(s[:, cols], nan=-1.0) >= t[cols]).any(axis=1)

    def row(name: str, param: str, flag: np.ndarray) -> dict[str, Any]:
        return {"rule": name, "param": param,
                **{k: _rates(flag, m, normal, true_d) for k, m in sets.items()}}

    rows = [row("shipped: one shared threshold", f"{thr[fcols[0]]:.3f}" if fcols else "–", flags(thr))]
    for ref_name, ref in (("fold 9", va), ("cross-fitted folds 1-8", tr)):
        chosen = None
        for spec in SPEC_GRID:
            t = thr.copy()
            for j in fcols:
                neg = ref & (y[:, j] == 0)
                t[j] = float(np.quantile(np.nan_to_num(s_cf[neg, j], nan=0.0), spec))
            f = flags(t)
            if f[va & normal].mean() <= max_normal:
                chosen = (spec, f)
                break
        if chosen is not None:
            rows.append(row(f"per-label thresholds at equal specificity (negatives of {ref_name})",
                            f"specificity {chosen[0]:.3f}", chosen[1]))

    def logits(sx: np.ndarray) -> np.ndarray:
        p = np.clip(np.nan_to_num(sx[:, [*fcols, ids.index("normal_ecg")]], nan=0.0), 1e-4, 1 - 1e-4)
        return np.log(p / (1 - p))

    best: tuple[float, float, np.ndarray] | None = None
    for l2 in L2_GRID:
        w, b = fit_logistic(logits(s_cf[tr]), true_d[tr].astype(float), l2)
        r = logits(s) @ w + b
        f = base_out.copy()
        for t in np.sort(r[va]):
            f = base_out | (r >= t)
            if f[va & normal].mean() <= max_normal:
                break
        sens9 = float(f[va & true_d].mean())
        if best is None or sens9 > best[0] + 1e-9:
            best = (sens9, l2, f)
    if best is not None:
        rows.append(row("one referral score (logistic on the D/urgent and normal logits, "
                        "cross-fitted folds 1-8)", f"L2 {best[1]:g}", best[2]))
    return rows


def referral_section(rows: list[dict[str, Any]], set_names: dict[str, str]) -> list[str]:
    """The model card's table of the referral alternatives."""
    if not rows:
        return []
    keys = [k for k in ("val", "test", "cinc") if k in rows[0]]
    head = " | ".join(f"{set_names.get(k, k)}: normal flagged / true D/urgent flagged" for k in keys)
    lines = ["### Referral rule: alternatives (fold 9 chooses, each at ≤ 5 % of fold-9 normal ECGs)",
             "", f"| rule | fold-9 parameter | {head} |", "|---|---|" + "---|" * len(keys)]

    def f(v: float) -> str:
        return "–" if not np.isfinite(v) else f"{v:.3f}"

    for r in rows:
        cells = " | ".join(f"{f(r[k]['normal_flagged'])} / {f(r[k]['true_d_flagged'])} "
                           f"(of {r[k]['true_d_n']})" for k in keys)
        lines.append(f"| {r['rule']} | {r['param']} | {cells} |")
    return [*lines, ""]
