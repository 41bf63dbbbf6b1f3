"""The referral thresholds of the fused D/urgent labels, and the alternatives compared with them.

Shipped (``label_referral_thresholds``): a record is flagged 要精査 or higher when a D/urgent label
is at or above **its own** threshold (or a measurement rule fires: the search starts from those
records, and a label the criteria hold back in a record cannot flag it there;
training/fusion_app.py), so every flag names the finding that raised it and every
D/urgent finding shown above its threshold flags the record. The thresholds are chosen jointly by
a greedy search on the normal ECGs and the records with a true D/urgent label of fold 9 and of
the cross-fitted folds 1-8 together (never fold 10): starting with every label at 0.5 (a label
never switched off), each step lowers the one label's threshold that buys the most per normal ECG
newly flagged, until <= 5 % of the pooled normal ECGs are flagged; what a step buys: the records
newly flagged **for a label they truly carry** (the banner names a right finding) plus half the
records with a true D/urgent label newly flagged for any label.

Alternatives, reported in the model card, each held to <= 5 % of the fold-9 normal ECGs (the
shared threshold: of fold 9's and the cross-fitted folds 1-8's):

- ``shared``: one threshold for every fused D/urgent label (shipped until 2026-12-05);
- ``equal_spec``: per-label thresholds at one common specificity (the quantile of each label's
  probability among the records without it: fold 9, or the cross-fitted folds 1-8);
- ``score``: one referral score, a logistic regression on the logits of the fused D/urgent
  probabilities and of 正常心電図, fitted on cross-fitted fusion outputs of folds 1-8 (each half
  scored by a fusion fitted on the other half), L2 penalty chosen on fold 9. Not shipped: a score
  can flag a record with no D/urgent finding above its threshold (nothing to name) and leave one
  shown above its threshold under an unflagged banner.

A broader label derived from its narrower ones (labels/derived.py) flags only with them, so it is
left out of the flags here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecg_viewer.labels.logit import logit
from ecg_viewer.training.fusion_fit import fit_and_predict, fit_logistic
from ecg_viewer.training.metrics import URGENT_CATS

SPEC_GRID = np.linspace(0.80, 0.999, 200)
L2_GRID = (1.0, 10.0, 100.0, 1000.0)
START_THRESHOLD = 0.5  # every D/urgent label starts here: a probability over 0.5 is always shown
ANY_WEIGHT = 0.5  # a true D/urgent record flagged for a finding it does not carry counts half
# the most a label may be shown above its threshold on the records without it (of the pooled
# records): the previous shared threshold's worst D label (下壁心筋梗塞, ST低下) showed on 10-11 %,
# its 要至急 label (前壁傷害) on 0.5 %; without this limit the search lowered 前壁傷害 to 0.005
# (要至急 on 17 % of the records) and 側壁虚血 to 0.014 (shown on 22 %, right on 14 % of those)
# 2026-12-05: 要至急 3 % (was 1 %): at 1 % 前壁傷害 stayed at 0.12 and, with the measurement
# rules, 9 % of the cross-fitted folds 1-8's records with a true 要至急 label got 要至急 (fold 9:
# 1 of 5); at 3 % it goes to 0.05 and 47 % (fold 9: 4 of 5, with HR > 150/min now 要至急 too),
# while 要至急 stays on 0.1 % of their normal ECGs and most records shown it without carrying it
# have a true D finding (要精査 anyway): over-triage of records that need a work-up, rarely of
# normal ECGs (the model card's "Referral as the app raises it"; training/fusion_app.py)
MAX_FALSE_SHOWN = {"D": 0.10, "urgent": 0.03}
# and, where shown above its threshold, a D label is right at least this often (pooled records):
# the previous shared threshold's common D labels were right on 0.2-0.3 of theirs; a rare label
# (前側壁心筋梗塞, 30 of ~3,200 records) within the 10 % limit alone went to 0.003, right on 7 %
# of the records it was shown on. Not for 要至急 labels: missing one costs more than a false
# alarm, which their limit above bounds (at 1 % 前壁傷害 stayed at 0.12; at 3 %: 0.05)
MIN_PRECISION = {"D": 0.2, "urgent": 0.0}


def false_shown_floor(p: np.ndarray, has: np.ndarray, max_share: float) -> float:
    """The lowest threshold at which at most ``max_share`` of the records without the label
    (``has`` False) have ``p`` at or above it (NaN never counts)."""
    neg = np.sort(np.nan_to_num(np.asarray(p, dtype=np.float64)[~np.asarray(has, bool)], nan=-1.0))
    allowed = int(np.floor(max_share * len(neg) + 1e-9))  # records at or above the threshold
    if not len(neg) or allowed >= len(neg):
        return 0.0
    return float(np.nextafter(neg[len(neg) - allowed - 1], np.inf))


def label_referral_thresholds(p: np.ndarray, y_labels: np.ndarray, true_d: np.ndarray,
                              normal: np.ndarray, base: np.ndarray | None = None,
                              max_normal: float = 0.05, start: float = START_THRESHOLD,
                              any_weight: float = ANY_WEIGHT,
                              floor: np.ndarray | None = None,
                              min_precision: float | np.ndarray = 0.0) -> np.ndarray:
    """Per-label thresholds [K] of K D/urgent labels, chosen jointly (module docstring).

    p [N, K]: their probabilities (NaN = not scored); y_labels [N, K]: whether each is true;
    true_d [N]: the record carries any D/urgent label (those outside the K too); normal [N]: a
    normal ECG; base [N]: flagged by labels outside the K (fixed). Greedy: each step lowers one
    label's threshold to the score of a record (every tie included) with the best ratio of gain
    (records newly flagged for a label they carry + ``any_weight`` x true D/urgent records newly
    flagged) to normal ECGs newly flagged (a step that flags none counts as half a normal ECG),
    while at most ``max_normal`` of the normal ECGs are flagged; ``floor`` [K]: the lowest
    threshold each label may take (:func:`false_shown_floor`); ``min_precision`` (one value, or
    [K]): a label is lowered only to thresholds where at least that share of the records at or
    above it carry it."""
    p = np.nan_to_num(np.asarray(p, dtype=np.float64), nan=-1.0)
    yl = np.asarray(y_labels).astype(bool)
    true_d, normal = np.asarray(true_d, bool), np.asarray(normal, bool)
    n, k = p.shape
    lo = np.zeros(k) if floor is None else np.asarray(floor, dtype=np.float64)
    min_prec = np.broadcast_to(np.asarray(min_precision, dtype=np.float64), (k,))
    t = np.maximum(np.full(k, float(start)), lo)
    above = p >= t
    flagged = (np.zeros(n, bool) if base is None else np.asarray(base, bool)) | above.any(axis=1)
    named_right = (above & yl).any(axis=1)
    cap = int(np.floor(max_normal * normal.sum() + 1e-9))
    n_normal = int(flagged[normal].sum())
    while True:
        best: tuple[float, float, int, float] | None = None  # (ratio, gain, label, threshold)
        for j in range(k):
            rows = np.flatnonzero(p[:, j] < t[j])
            rows = rows[(p[rows, j] > 0.0) & (p[rows, j] >= lo[j])]
            if not len(rows):
                continue
            order = rows[np.argsort(-p[rows, j], kind="stable")]
            v = p[order, j]
            new = ~flagged[order]
            dn = np.cumsum(new & normal[order])
            gain = np.cumsum(yl[order, j] & ~named_right[order]) + any_weight * np.cumsum(new & true_d[order])
            last = np.r_[v[1:] != v[:-1], True]  # a threshold takes every record tied at it
            ok = last & (n_normal + dn <= cap) & (gain > 0)
            if min_prec[j] > 0.0:
                shown = p[:, j] >= t[j]
                right = int((shown & yl[:, j]).sum()) + np.cumsum(yl[order, j])
                ok &= right >= min_prec[j] * (int(shown.sum()) + np.arange(1, len(order) + 1))
            if not ok.any():
                continue
            ratio = np.where(ok, gain / np.maximum(dn, 0.5), -np.inf)
            i = int(np.argmax(ratio + 1e-9 * gain))  # best ratio, then the larger step
            if best is None or ratio[i] > best[0] + 1e-12 or (
                    abs(ratio[i] - best[0]) <= 1e-12 and gain[i] > best[1]):
                best = (float(ratio[i]), float(gain[i]), j, float(v[i]))
        if best is None:
            return t
        _, _, j, t[j] = best
        now = p[:, j] >= t[j]
        flagged |= now
        named_right |= now & yl[:, j]
        n_normal = int(flagged[normal].sum())


def crossfit_outputs(zsim: np.ndarray | None, x: np.ndarray, y: np.ndarray, has_mv: np.ndarray,
                     scaling: Any, fused: list[int], l2: float, tr: np.ndarray,
                     fold: np.ndarray, kind: str = "logistic",
                     monotone: dict[int, list[int]] | None = None) -> np.ndarray:
    """Fused probabilities [N, L] of the training records (folds 1-8), each half (1-4, 5-8)
    from a fusion of ``kind`` ("logistic", "gbm", "blend"; ``zsim`` None: criteria alone)
    fitted on the other half; NaN elsewhere."""
    out = np.full(y.shape, np.nan)
    for a, b in (((1, 2, 3, 4), (5, 6, 7, 8)), ((5, 6, 7, 8), (1, 2, 3, 4))):
        ta, tb = tr & np.isin(fold, a), tr & np.isin(fold, b)
        out[tb] = fit_and_predict(kind, zsim, x, y, has_mv, scaling, fused, l2, ta, tb,
                                  monotone=monotone)
    return out


def _share(flag: np.ndarray, m: np.ndarray) -> float:
    return float(flag[m].mean()) if m.any() else float("nan")


def _rates(flag: np.ndarray, m: np.ndarray, normal: np.ndarray, true_d: np.ndarray,
           urgent: np.ndarray | None = None, true_u: np.ndarray | None = None) -> dict[str, Any]:
    """Shares flagged 要精査 or higher; with ``urgent`` (flagged 要至急) and ``true_u`` (a true
    要至急 label) the same per level."""
    out = {"normal_n": int((m & normal).sum()), "true_d_n": int((m & true_d).sum()),
           "normal_flagged": _share(flag, m & normal), "true_d_flagged": _share(flag, m & true_d)}
    if urgent is not None and true_u is not None:
        out.update({"true_u_n": int((m & true_u).sum()), "normal_urgent": _share(urgent, m & normal),
                    "true_u_urgent": _share(urgent, m & true_u), "true_u_flagged": _share(flag, m & true_u),
                    "flagged_urgent": _share(urgent, m)})
    return out


def referral_alternatives(s: np.ndarray, thr: np.ndarray, s_cf: np.ndarray, y: np.ndarray,
                          ids: list[str], cats: list[str], fused: list[int], derived: set[str],
                          sets: dict[str, np.ndarray], tr: np.ndarray,
                          max_normal: float = 0.05,
                          shared: float | None = None) -> list[dict[str, Any]]:
    """s/thr: the shipped scores [N, L] and thresholds [L]; s_cf: the same with the training
    records' fused columns cross-fitted; ``shared``: the one threshold of the previous rule
    (fused D/urgent labels, set on the same pooled normal ECGs as the shipped ones). One row per
    rule with its parameter and the flag rates on every set of ``sets`` (``val`` chooses)."""
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

    ucols = [j for j in cols if cats[j] == "urgent"]
    true_u = y[:, np.array(cats) == "urgent"].astype(bool).any(axis=1)

    def row(name: str, param: str, flag: np.ndarray, t: np.ndarray | None = None) -> dict[str, Any]:
        urgent = None if t is None else (np.nan_to_num(s[:, ucols], nan=-1.0) >= t[ucols]).any(axis=1)
        return {"rule": name, "param": param,
                **{k: _rates(flag, m, normal, true_d, urgent, true_u) for k, m in sets.items()}}

    span = f"{min(thr[fcols]):.3f}–{max(thr[fcols]):.3f}" if fcols else "–"
    rows = [row("shipped: per-label thresholds, chosen jointly (fold 9 + cross-fitted folds 1-8)",
                span, flags(thr), thr)]
    if shared is not None:
        t = thr.copy()
        t[fcols] = shared
        rows.append(row("one shared threshold (fold 9 + cross-fitted folds 1-8; shipped until "
                        "2026-12-05)", f"{shared:.3f}", flags(t), t))
    for ref_name, ref in (("fold 9", va), ("cross-fitted folds 1-8", tr)):
        chosen = None
        for spec in SPEC_GRID:
            t = thr.copy()
            for j in fcols:
                neg = ref & (y[:, j] == 0)
                t[j] = float(np.quantile(np.nan_to_num(s_cf[neg, j], nan=0.0), spec))
            f = flags(t)
            if f[va & normal].mean() <= max_normal:
                chosen = (spec, f, t)
                break
        if chosen is not None:
            rows.append(row(f"per-label thresholds at equal specificity (negatives of {ref_name})",
                            f"specificity {chosen[0]:.3f}", chosen[1], chosen[2]))

    def logits(sx: np.ndarray) -> np.ndarray:
        return logit(np.nan_to_num(sx[:, [*fcols, ids.index("normal_ecg")]], nan=0.0), eps=1e-4)

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
    lines = ["### Referral rule: alternatives (each at ≤ 5 % of normal ECGs: the first two of fold 9's "
             "and the cross-fitted folds 1–8's together, the others of fold 9's)",
             "", f"| rule | fold-9 parameter | {head} |", "|---|---|" + "---|" * len(keys)]

    def f(v: float) -> str:
        return "–" if not np.isfinite(v) else f"{v:.3f}"

    for r in rows:
        cells = " | ".join(f"{f(r[k]['normal_flagged'])} / {f(r[k]['true_d_flagged'])} "
                           f"(of {r[k]['true_d_n']})" for k in keys)
        lines.append(f"| {r['rule']} | {r['param']} | {cells} |")
    levels = [r for r in rows if "true_u_n" in r[keys[0]]]
    if levels:
        lines += ["", "Per level (rules with label thresholds): share of all records flagged 要至急; "
                  "normal ECGs flagged 要至急; records with a true 要至急 label flagged 要至急 / "
                  "要精査 or higher (labels only; measurement rules such as QTc ≥ 500 ms add to "
                  "these).", "", f"| rule | {' | '.join(set_names.get(k, k) for k in keys)} |",
                  "|---|" + "---|" * len(keys)]
        for r in levels:
            cells = " | ".join(f"{f(r[k]['flagged_urgent'])}; {f(r[k]['normal_urgent'])}; "
                               f"{f(r[k]['true_u_urgent'])} / {f(r[k]['true_u_flagged'])} "
                               f"(of {r[k]['true_u_n']})" for k in keys)
            lines.append(f"| {r['rule']} | {cells} |")
    return [*lines, ""]
