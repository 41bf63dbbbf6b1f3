"""Broader labels derived from their narrower ones (catalog ``narrower``): the max of the
narrower labels' calibrated probabilities (other combinations compared on fold 9, for the
report), the thresholds, and the before/after figures (``labels/derived.py`` applies what is chosen here).

Targets: a broader label that PTB-XL never states (心筋梗塞 has no SCP code) has no positive
there as labelled, so the choice uses the *implied* targets: a record is a positive of the
broader label when it carries the label or one of its narrower labels (a 下壁心筋梗塞 is a
心筋梗塞). The figures are given for both target sets; CinC states the broader labels itself.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from ecg_viewer.labels.derived import DerivedLabel, derived_matrix
from ecg_viewer.training.metrics import URGENT_CATS, choose_threshold, per_label_auroc

log = logging.getLogger("ecg_viewer.training")
# (combine, own score counts too): the candidates fold 9 chooses from, one for every label
CANDIDATES: tuple[tuple[str, bool], ...] = (("max", False), ("noisy_or", False), ("max", True))
SHIPPED = ("max", False)  # see choose_derived: the others are reported, not shipped
MIN_VAL_POS = 5  # implied fold-9 positives a broader label needs to take part in the choice


def broader_map(catalog: Any, ids: list[str]) -> dict[str, tuple[str, ...]]:
    """broader label id -> its narrower label ids (catalog order), labels of ``ids`` only."""
    known = set(ids)
    return {lab.id: tuple(i for i in lab.narrower if i in known)
            for lab in catalog.labels if lab.narrower and lab.id in known}


def implied_targets(y: np.ndarray, ids: list[str], broader: dict[str, tuple[str, ...]]) -> np.ndarray:
    """y with every broader label also positive where one of its narrower labels is."""
    out = np.array(y, dtype=np.float64)
    col = {lab: j for j, lab in enumerate(ids)}
    for lab, narrower in broader.items():
        cols = [col[i] for i in narrower]
        if cols:
            out[:, col[lab]] = np.maximum(out[:, col[lab]], out[:, cols].max(axis=1))
    return out


def _auroc(y: np.ndarray, s: np.ndarray, cols: list[int]) -> dict[int, float]:
    return per_label_auroc(y[:, cols], s[:, cols], min_pos=MIN_VAL_POS) if cols else {}


def _urgent_flags(s: np.ndarray, thr: np.ndarray, cats: list[str]) -> np.ndarray:
    cols = [j for j, c in enumerate(cats) if c in URGENT_CATS]
    return (np.nan_to_num(s[:, cols], nan=-1.0) >= thr[cols]).any(axis=1)


def choose_derived(s: np.ndarray, thr: np.ndarray, y: np.ndarray, va: np.ndarray, ids: list[str],
                   cats: list[str], broader: dict[str, tuple[str, ...]],
                   max_normal_flagged: float = 0.05) -> tuple[dict[str, DerivedLabel], dict[str, Any]]:
    """s [N, L], thr [L]: every label's shipped score (fused or the model's calibrated) and
    threshold. Per broader label, the narrower labels with a validated threshold (< 1), combined
    by their **max**: the broader label is above its threshold through one narrower label, the
    one its evidence and the banner name. The other candidates (noisy-OR, max with the label's
    own score) are scored on fold 9 for the report only: a noisy-OR of several narrower labels,
    each far under its own threshold, raised E07509 to 要精査 for 心筋梗塞 (anteroseptal MI 0.06)
    and E07505 to 要経過観察 for 非特異的ST-T変化 (non-specific T change 0.03), findings nobody
    could point to, for a fold-9 AUROC gain of 0.0005. D/urgent labels: the max of the narrower
    probabilities each aligned on its own threshold (``max_aligned``, labels/derived.py), with
    the threshold of the narrower label with the most fold-9 positives: they flag exactly when a
    narrower label is above its own threshold, so the referral is unchanged and needs no limit
    of its own, whatever the narrower labels' thresholds; the others' fold-9
    share of normal ECGs flagged over ``max_normal_flagged`` is reported); others the fold-9
    F1-optimal threshold, never above the lowest narrower threshold (so a suggested narrower
    label always brings its broader one), scored by the max capped under that threshold for
    narrower labels under their own (``max_capped``): shown only through a narrower label that
    is shown (since 2026-12-06)."""
    col = {lab: j for j, lab in enumerate(ids)}
    usable = {lab: tuple(i for i in nar if thr[col[i]] < 1.0) for lab, nar in broader.items()}
    usable = {lab: nar for lab, nar in usable.items() if nar}
    yi = implied_targets(y, ids, broader)
    scored = [col[lab] for lab in usable]
    report: dict[str, Any] = {"narrower_used": {k: list(v) for k, v in usable.items()},
                              "fold9_macro_auroc": {}}
    if not usable:
        return {}, report
    normal = y[va, ids.index("normal_ecg")] > 0 if "normal_ecg" in ids else np.zeros(va.sum(), bool)
    floors = {lab: float(min(thr[col[i]] for i in nar)) for lab, nar in usable.items()}
    # a D/urgent broader label: its narrower labels have referral thresholds of their own, so
    # its max is aligned on them, on the threshold of its most frequent narrower label (fold 9):
    # its score reads on that label's scale (on the lowest narrower threshold, 0.003 for
    # 前側壁心筋梗塞, 心筋梗塞 scored ~0.005 on every record and left every top 5)
    aligned = {lab: float(thr[col[max(nar, key=lambda i: (y[va, col[i]].sum(), -nar.index(i)))]])
               for lab, nar in usable.items() if cats[col[lab]] in URGENT_CATS}
    best, best_sd = SHIPPED, np.zeros((0, 0))
    report["fold9_normal_flagged"] = {}
    for combine, own in CANDIDATES:
        trial = {lab: (DerivedLabel(lab, nar, "max_aligned", own, aligned[lab], "")
                       if lab in aligned and combine == "max"
                       else DerivedLabel(lab, nar, combine, own, floors[lab], ""))
                 for lab, nar in usable.items()}
        sd, td = derived_matrix(s[va], thr, ids, trial)
        per = _auroc(yi[va], sd, scored)
        auc = float(np.mean(list(per.values()))) if per else float("nan")
        nf = float(_urgent_flags(sd, td, cats)[normal].mean()) if normal.any() else 0.0
        name = f"{combine}{'+own' if own else ''}"
        report["fold9_macro_auroc"][name] = auc
        report["fold9_normal_flagged"][name] = nf
        over = nf > max_normal_flagged + 1e-9
        log.info("derived labels, fold 9 (implied targets): %s macro AUROC %.4f, normal ECGs "
                 "flagged %.3f%s", name, auc, nf, " (over the referral limit)" if over else "")
        if (combine, own) == SHIPPED:
            best_sd = sd
    report["chosen"] = f"{best[0]}{'+own' if best[1] else ''}"
    out: dict[str, DerivedLabel] = {}
    for lab, nar in usable.items():
        floor = floors[lab]
        # the chosen candidate's scores (one level of narrower labels: a derived column depends
        # on its own narrower columns only)
        sd = best_sd
        j = col[lab]
        if lab in aligned:
            out[lab] = DerivedLabel(lab, nar, "max_aligned", False, aligned[lab],
                                    "narrower-aligned")
            continue
        if yi[va, j].sum() >= 3:
            t = min(float(choose_threshold(sd[:, j], yi[va, j], None)), floor)
            src = "fold9-f1-implied" if t < floor else "narrower-min"
        else:
            t, src = floor, "narrower-min"
        # shown only through a narrower label above its own threshold (labels/derived.py)
        out[lab] = DerivedLabel(lab, nar, "max_capped" if best == ("max", False) else best[0],
                                best[1], t, src)
    return out, report


def derived_figures(c: dict[str, Any], ids: list[str], s_before: np.ndarray, thr_before: np.ndarray,
                    derived: dict[str, DerivedLabel], broader: dict[str, tuple[str, ...]],
                    sets: dict[str, np.ndarray]) -> dict[str, Any]:
    """Per set and broader label: positives, AUROC and sensitivity/specificity before (the
    label's own score) and after (derived), on the targets as labelled and as implied."""
    y = c["y"].astype(np.float64)
    yi = implied_targets(y, ids, broader)
    s_after, thr_after = derived_matrix(s_before, thr_before, ids, derived)
    col = {lab: j for j, lab in enumerate(ids)}
    out: dict[str, Any] = {}
    for name, m in sets.items():
        rows = {}
        for lab in derived:
            j = col[lab]
            row: dict[str, Any] = {}
            for tname, yy in (("labelled", y), ("implied", yi)):
                yt = yy[m, j]
                row[f"n_pos_{tname}"] = int(yt.sum())
                for when, sc, th in (("before", s_before, thr_before[j]), ("after", s_after, thr_after[j])):
                    per = per_label_auroc(yt[:, None], sc[m, j][:, None], min_pos=MIN_VAL_POS)
                    row[f"auroc_{when}_{tname}"] = per.get(0, float("nan"))
                    flag = np.nan_to_num(sc[m, j], nan=-1.0) >= th
                    pos = yt > 0
                    row[f"sens_{when}_{tname}"] = float(flag[pos].mean()) if pos.any() else float("nan")
                    row[f"spec_{when}_{tname}"] = float((~flag[~pos]).mean()) if (~pos).any() else float("nan")
            rows[lab] = row
        out[name] = rows
    return out


def _f(v: Any, nd: int = 3) -> str:
    return "–" if v is None or (isinstance(v, float) and not np.isfinite(v)) else f"{v:.{nd}f}"


def broader_section(f: dict[str, Any], ja: dict[str, str], set_names: dict[str, str]) -> list[str]:
    """The model card's table of the derived broader labels (before: the label's own zero-shot
    score; after: derived from its narrower labels)."""
    if not f.get("broader"):
        return []
    ch = f.get("choice", {}).get("derived", {})
    lines = ["### Broader labels derived from their narrower labels", "",
             "The catalog lists, per broader label, the reviewed narrower labels that imply it "
             "(`narrower`, with the reason). Such a label is scored as the "
             f"**{ch.get('chosen', '?')}** of its validated narrower labels' calibrated "
             "probabilities and is above its threshold exactly when one of them is above its "
             "own: D/urgent labels take the max with each narrower probability aligned on its "
             "own threshold (`max_aligned`; threshold: that of the most frequent narrower label), "
             "the others the max in which a narrower label under its own threshold counts only "
             "up to just under the broader threshold (`max_capped`, since 2026-12-06; "
             "threshold: the lowest of theirs, or the fold-9 F1-optimal threshold when lower); "
             "its evidence names the narrower label that raised it. The other combinations, scored "
             "on fold 9 on the implied targets (a record is a positive of the broader label when "
             "it carries it or a narrower label), are not shipped: they can raise a broader label "
             "from several narrower ones each far under its threshold, with no finding to name. "
             "Macro AUROC " + ", ".join(
                 f"{k} {_f(v, 4)} (normal ECGs flagged {_f(ch.get('fold9_normal_flagged', {}).get(k), 3)})"
                 for k, v in ch.get("fold9_macro_auroc", {}).items())
             + " (the max flags exactly with the narrower labels: the referral is unchanged). "
             "'before' is the label's own zero-shot score (（未検証）, never above threshold).", "",
             "| data | label | 日本語 | narrower used | positives as labelled / implied | AUROC before → after "
             "(as labelled) | AUROC before → after (implied) | sens / spec after (implied) |",
             "|---|---|---|---|---|---|---|---|"]
    used = f.get("derived", {})
    for k, rows in f["broader"].items():
        if k not in ("val", "test", "cinc"):
            continue
        for lab, r in rows.items():
            lines.append(
                f"| {set_names.get(k, k)} | {lab} | {ja.get(lab, '')} | "
                f"{', '.join(used.get(lab, {}).get('from', []))} | "
                f"{r['n_pos_labelled']} / {r['n_pos_implied']} | "
                f"{_f(r['auroc_before_labelled'])} → {_f(r['auroc_after_labelled'])} | "
                f"{_f(r['auroc_before_implied'])} → {_f(r['auroc_after_implied'])} | "
                f"{_f(r['sens_after_implied'], 2)} / {_f(r['spec_after_implied'], 2)} |")
    return [*lines, ""]
