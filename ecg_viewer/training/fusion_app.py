"""The referral flag as the app raises it, replayed on the fit's cached records.

The app does not flag a record from the fused probabilities alone (``pipeline/analyze.py``): the
labels first pass the criteria (``labels/criteria.apply_criteria``: a label whose defining
measurement fails is held back, e.g. 心室内伝導障害 needs QRS > 110 ms, 完全左脚ブロック QRS >= 120
ms), then ``labels/referral.decide_referral`` takes the most severe level raised by a label above
its threshold **or by a measurement rule** (QTc >= 500 ms, HR > 150/min: 要至急; PR >= 300 ms,
HR < 40/min, QTc <= 330 ms: 要精査), each rule silent where its measurement is of low confidence. The
fit chooses the D/urgent thresholds and reports the flag rates with both, so the figures are those
of the banner a clinician sees:

- :func:`measurement_dicts`: per record the measurements the app passes (the cache's
  ``ref_meas``/``ref_low``, written with the features; an older cache without them falls back to
  the criteria features' intervals, without low-confidence flags);
- :func:`rule_levels`: the level the measurement rules alone raise;
- :func:`held_by_criteria`: which labels the criteria hold back whatever their probability;
- :func:`app_levels`: the full replay (criteria, then referral) for given scores and thresholds.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from ecg_viewer.core.criteria_features import EXTRA_FEATURES, CriteriaFeatures
from ecg_viewer.core.prediction import SEVERITY, LabelScore
from ecg_viewer.labels.criteria import apply_criteria
from ecg_viewer.labels.criteria_table import default_criteria_rules
from ecg_viewer.labels.referral import CombinationRule, decide_referral
from ecg_viewer.labels.referral_rules import MEASUREMENTS, ReferralRules, default_rules
from ecg_viewer.training.metrics import URGENT_CATS

log = logging.getLogger("ecg_viewer.training")


def aligned(c: dict[str, Any], key: str) -> np.ndarray | None:
    """The cache's per-record array ``key`` of features.npz in records.npz order (NaN / False
    where a record has none); None when the cache lacks it."""
    if key not in c:
        return None
    arr = np.asarray(c[key])
    pos = {str(i): k for k, i in enumerate(c["feature_ids"])}
    fill: Any = False if arr.dtype == bool else np.nan
    out = np.full((len(c["ids"]), *arr.shape[1:]), fill, dtype=arr.dtype if arr.dtype == bool else float)
    for r, rid in enumerate(c["ids"]):
        k = pos.get(str(rid))
        if k is not None:
            out[r] = arr[k]
    return out


def measurement_dicts(c: dict[str, Any], x: np.ndarray, names: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per record: {measurement: value or None, "low_confidence": [...]} as the app passes them
    to the criteria and the referral (:mod:`module docstring <ecg_viewer.training.fusion_app>`)."""
    meas, low = aligned(c, "ref_meas"), aligned(c, "ref_low")
    if meas is not None:
        ref_names = [str(n) for n in c["ref_names"]]
        low_names = [str(n) for n in c["ref_low_names"]]
    else:  # an older cache: the intervals the criteria features carry, no confidence
        log.warning("the cache has no referral measurements (ref_meas): rerun the fit with "
                    "--refresh-features; using the criteria features' intervals without "
                    "low-confidence flags")
        ref_names = [k for k in MEASUREMENTS if k in names]
        meas = x[:, [names.index(k) for k in ref_names]]
        low_names, low = [], np.zeros((len(x), 0), dtype=bool)
    rng = aligned(c, "ref_range")
    rng_names = [str(n) for n in c["ref_range_names"]] if rng is not None else []
    out = []
    for i in range(len(meas)):
        d: dict[str, Any] = {k: (float(v) if math.isfinite(v) else None)
                             for k, v in zip(ref_names, meas[i], strict=True)}
        d["low_confidence"] = [k for k, b in zip(low_names, low[i], strict=True) if b]
        if rng is not None:
            d["range"] = {k: [float(rng[i, j, 0]), float(rng[i, j, 1])]
                          for j, k in enumerate(rng_names)
                          if k in d["low_confidence"] and math.isfinite(rng[i, j, 0])}
        out.append(d)
    return out


def _features(row: np.ndarray, names: tuple[str, ...],
              mdict: dict[str, Any] | None = None) -> CriteriaFeatures:
    """The cached criteria features of one record, with those the criteria table reads beside
    the fusion's vector (``EXTRA_FEATURES``) from its referral measurements ``mdict``."""
    values: dict[str, Any] = {n: (None if not math.isfinite(v) else float(v))
                              for n, v in zip(names, row, strict=True)}
    for k in EXTRA_FEATURES:
        if mdict is not None and k not in values:
            values[k] = mdict.get(k)
    return CriteriaFeatures(values)


def rule_levels(mdicts: list[dict[str, Any]], rules: ReferralRules | None = None) -> np.ndarray:
    """The referral level [N] (severity number) the measurement rules alone raise per record."""
    rules = rules or default_rules()
    return np.array([SEVERITY[decide_referral((), d, None, rules).level] for d in mdicts])


def held_by_criteria(x: np.ndarray, names: tuple[str, ...], mdicts: list[dict[str, Any]],
                     ids: list[str], cols: list[int]) -> np.ndarray:
    """bool [N, len(cols)]: the label is held back by its own defining criteria in that record
    whatever its probability (``apply_criteria`` on the label alone at a score above its
    threshold: no rate variant or exclusive group applies)."""
    crit = default_criteria_rules()
    with_rule = [k for k, j in enumerate(cols) if crit.rule(ids[j]) is not None]
    out = np.zeros((len(x), len(cols)), dtype=bool)
    if not with_rule:
        return out
    column = {ids[cols[k]]: k for k in with_rule}
    for i in range(len(x)):
        labels = [LabelScore(lab, "", "", 0.0, 1.0, 0.5, "D") for lab in column]
        for s in apply_criteria(labels, mdicts[i], _features(x[i], names, mdicts[i]), crit):
            if not s.above_threshold:
                out[i, column[s.id]] = True
    return out


def _shown(s: np.ndarray, thr: np.ndarray, ids: list[str], cats: list[str], keep: list[int],
           x_i: np.ndarray, names: tuple[str, ...], mdict: dict[str, Any],
           crit: Any) -> tuple[LabelScore, ...]:
    """One record's labels with a validated threshold (< 1) after the criteria, as the app shows them;
    with the labels the criteria define as findings together (``conjunctions``: 二枝ブロック ...),
    which have no threshold of their own but are scored from these and raise the referral."""
    labels = [LabelScore(ids[j], ids[j], ids[j], 0.0, float(np.nan_to_num(s[j], nan=0.0)),
                         float(thr[j]), cats[j]) for j in keep]
    have = {ls.id for ls in labels}
    labels += [LabelScore(c.label, c.label, c.label, 0.0, 0.0, 1.0, cats[ids.index(c.label)])
               for c in crit.conjunctions if c.label not in have and c.label in ids]
    return apply_criteria(labels, mdict, _features(x_i, names, mdict), crit)


def app_levels(s: np.ndarray, thr: np.ndarray, ids: list[str], cats: list[str], x: np.ndarray,
               names: tuple[str, ...], mdicts: list[dict[str, Any]], rows: np.ndarray,
               rules: ReferralRules | None = None,
               combination: CombinationRule | None = None) -> np.ndarray:
    """The referral severity [len(rows)] the app gives each of ``rows``: every label with a
    validated threshold (< 1) scored ``s`` against ``thr``, through the criteria, then the
    referral with the measurement rules (and ``combination``, the fusion's combination rule)."""
    crit, rules = default_criteria_rules(), rules or default_rules()
    keep = [j for j in range(len(ids)) if thr[j] < 1.0]
    out = np.zeros(len(rows), dtype=int)
    for n, i in enumerate(rows):
        shown = _shown(s[i], thr, ids, cats, keep, x[i], names, mdicts[i], crit)
        out[n] = SEVERITY[decide_referral(shown, mdicts[i], None, rules, combination).level]
    return out


def replay_scores(s: np.ndarray, thr: np.ndarray, ids: list[str], cats: list[str],
                  x: np.ndarray, names: tuple[str, ...], mdicts: list[dict[str, Any]],
                  rows: np.ndarray, cols: list[int], rules: ReferralRules | None = None,
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ``rows``: the severity without a combination rule [n], the scores of the labels
    ``cols`` after the criteria [n, len(cols)] (what a combination rule reads), and whether a
    paced-rhythm label is found [n] (the combination rule then stays silent)."""
    crit, rules = default_criteria_rules(), rules or default_rules()
    keep = [j for j in range(len(ids)) if thr[j] < 1.0]
    level = np.zeros(len(rows), dtype=int)
    post = np.zeros((len(rows), len(cols)))
    paced = np.zeros(len(rows), dtype=bool)
    for n, i in enumerate(rows):
        shown = _shown(s[i], thr, ids, cats, keep, x[i], names, mdicts[i], crit)
        level[n] = SEVERITY[decide_referral(shown, mdicts[i], None, rules).level]
        score = {ls.id: ls.score for ls in shown}
        post[n] = [score.get(ids[j], 0.0) for j in cols]
        paced[n] = any(ls.above_threshold and ls.id in rules.paced_labels for ls in shown)
    return level, post, paced


def app_rates(level: np.ndarray, y: np.ndarray, ids: list[str], cats: list[str],
              masks: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, dict[str, Any]]:
    """Per set: normal ECGs flagged 要精査 or higher (``normal_*``: 正常心電図 and no D/urgent
    label, as the thresholds are chosen; ``norm_label_*``: every record labelled 正常心電図,
    PTB-XL's NORM + AFIB included), records with a true D/urgent label flagged, records with a
    true 要至急 label flagged 要至急 (``level`` [len(rows)] for ``rows``)."""
    d_sev, u_sev = SEVERITY["D"], SEVERITY["urgent"]
    cat = np.array(cats)
    true_d = y[rows][:, np.isin(cat, URGENT_CATS)].any(axis=1)
    norm_label = y[rows, ids.index("normal_ecg")] > 0
    normal = norm_label & ~true_d
    true_u = y[rows][:, cat == "urgent"].any(axis=1)
    out = {}
    for name, m in masks.items():
        sub = m[rows]

        def share(flag: np.ndarray, where: np.ndarray) -> float:
            return float(flag[where].mean()) if where.any() else float("nan")

        out[name] = {"normal_n": int((sub & normal).sum()), "true_d_n": int((sub & true_d).sum()),
                     "true_u_n": int((sub & true_u).sum()),
                     "normal_flagged": share(level >= d_sev, sub & normal),
                     "norm_label_n": int((sub & norm_label).sum()),
                     "norm_label_flagged": share(level >= d_sev, sub & norm_label),
                     "true_d_flagged": share(level >= d_sev, sub & true_d),
                     "true_u_urgent": share(level >= u_sev, sub & true_u),
                     "normal_urgent": share(level >= u_sev, sub & normal),
                     # 要至急 raised on a record with no true 要至急 label (a false alarm)
                     "urgent_n": int((sub & (level >= u_sev)).sum()),
                     "urgent_not_true_n": int((sub & (level >= u_sev) & ~true_u).sum())}
    return out


def app_section(rows: list[dict[str, Any]], set_names: dict[str, str]) -> list[str]:
    """The model card's table of the referral as the app raises it (``report["referral_app"]``)."""
    if not rows:
        return []
    keys = [k for k in ("val", "crossfit", "test", "test_mv", "cinc") if k in rows[0]]
    names = {**set_names, "crossfit": "PTB-XL folds 1–8, cross-fitted",
             "test_mv": "PTB-XL fold 10, mV records only"}

    def f(v: float) -> str:
        return "–" if not np.isfinite(v) else f"{100 * v:.1f} %"

    lines = ["### Referral as the app raises it (labels through the criteria, then the "
             "measurement rules)", "",
             "Per set: normal ECGs (正常心電図 without a D/urgent label) flagged 要精査 or higher "
             "[every record labelled 正常心電図]; records with a true D/urgent label flagged; "
             "records with a true 要至急 label flagged 要至急. Thresholds are chosen on fold 9 and "
             "the cross-fitted folds 1–8 only.", "",
             f"| thresholds | {' | '.join(names.get(k, k) for k in keys)} |",
             "|---|" + "---|" * len(keys)]
    for r in rows:
        cells = " | ".join(
            f"{f(r[k]['normal_flagged'])} [{f(r[k]['norm_label_flagged'])}] of {r[k]['normal_n']}; "
            f"{f(r[k]['true_d_flagged'])} of {r[k]['true_d_n']}; "
            f"{f(r[k]['true_u_urgent'])} of {r[k]['true_u_n']}" for k in keys)
        lines.append(f"| {r['rule']} | {cells} |")
    return [*lines, ""]
