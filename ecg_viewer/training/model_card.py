"""MODEL_CARD.md from the evaluation report (figures are never typed in by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SET_NAMES = {"val": "PTB-XL fold 9 (validation)", "test": "PTB-XL fold 10 (test)",
             "val_mv": "fold 9, records in mV", "val_z": "fold 9, z-scored records",
             "test_mv": "fold 10, records in mV", "test_z": "fold 10, z-scored records",
             "cinc": "PhysioNet/CinC external (2021 sample + cinc_extra)"}


def _f(v: Any, nd: int = 3) -> str:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return "–"
    return "–" if x != x else f"{x:.{nd}f}"


def _main_table(main: dict[str, Any]) -> list[str]:
    rows = ["| data | records | top-1 | top-5 | top-1 / top-5 by raw similarity | macro AUROC | "
            "labels in AUROC (≥ 5 positives) |", "|---|---|---|---|---|---|---|"]
    for k, r in main.items():
        rows.append(f"| {SET_NAMES.get(k, k)} | {r['n']} | {_f(r['top1'])} | {_f(r['top5'])} | "
                    f"{_f(r['top1_sim'])} / {_f(r['top5_sim'])} | {_f(r['macro_auroc'])} | "
                    f"{r['n_auroc_labels']} |")
    return rows


def _per_label(r: dict[str, Any], ja: dict[str, str]) -> list[str]:
    rows = ["| label | 日本語 | positives | AUROC | sensitivity | specificity | threshold (source) |",
            "|---|---|---|---|---|---|---|"]
    for lab, x in sorted(r.get("per_label", {}).items(), key=lambda kv: -kv[1]["n_pos"]):
        rows.append(f"| {lab} | {ja.get(lab, '')} | {x['n_pos']} | {_f(x['auroc'])} | "
                    f"{_f(x['sensitivity'], 2)} | {_f(x['specificity'], 2)} | "
                    f"{_f(x['threshold'])} ({x['threshold_source']}) |")
    return rows


def comparison_table(comps: dict[str, Any]) -> list[str]:
    rows = ["| run | input | train records | epochs | loss / head | text standardised | augment | val AUROC | "
            "val AUROC, mV records | val top-5 | test AUROC | test AUROC, mV records | test top-1 | "
            "test top-5 | CinC AUROC | CinC top-5 | train time |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, c in comps.items():
        cfg = c.get("config", {})
        t = c.get("train_time_s")
        cinc = c.get("cinc", {})
        vm, tm = c.get("val_mv", {}), c.get("test_mv", {})
        rows.append(
            f"| {name} | {c.get('input_norm', 'mv')} | {c.get('n_train') or '–'} | {cfg.get('epochs') or '–'} | "
            f"{'BCE' if cfg.get('head') == 'linear' else cfg.get('loss')} / {cfg.get('head')} | "
            f"{'yes' if cfg.get('text_standardise') else ('–' if cfg.get('head') != 'text' else 'no')} | "
            f"{'no' if cfg.get('no_augment') else 'yes'} | "
            f"{_f(c['val']['macro_auroc'])} | {_f(vm.get('macro_auroc'))} | {_f(c['val']['top5'])} | "
            f"{_f(c['test']['macro_auroc'])} | {_f(tm.get('macro_auroc'))} | "
            f"{_f(c['test']['top1'])} | {_f(c['test']['top5'])} | {_f(cinc.get('macro_auroc'))} | "
            f"{_f(cinc.get('top5'))} | {f'{t / 60:.1f} min' if t else '–'} "
            f"({len(c.get('runs', [1]))} run{'s' if len(c.get('runs', [1])) > 1 else ''}) |")
    return rows


def write_model_card(path: Path, report: dict[str, Any], manifest: dict[str, Any],
                     catalog: Any, prose: str) -> None:
    ja = {lab.id: lab.ja for lab in catalog.labels}
    main = report.get("main", {})
    lines = [prose.rstrip(), "", "## Measured results (shipped weights)", ""]
    lines += _main_table(report.get("shipped_fp16") or main)
    lines += ["", "top-k: a record is a hit when one of its true catalog labels is among its first k "
              "labels. top-1/top-5 rank all catalog labels as the Predictor does (by calibrated "
              "score); 'by raw similarity' ranks by cosine similarity, the paper's measure, where "
              "labels never seen in training (whose text lands near every ECG) crowd the top. "
              "AUROC per label over labels with at least 5 positives in that set; macro = their mean.",
              ""]
    if report.get("shipped_fp16"):
        lines += ["fp32 checkpoints before the fp16 export gave: " + "; ".join(
            f"{k} AUROC {_f(v['macro_auroc'], 4)} top-5 {_f(v['top5'])}" for k, v in main.items()) + ".", ""]
    # the tables below describe the shipped (fp16) weights as the headline does (QA 41: two
    # per-label cells had come from the fp32 checkpoints: imi AUROC 0.845 for the shipped 0.846)
    shipped = report.get("shipped_fp16") or main
    flags = {k: v["referral_flag"] for k, v in shipped.items() if v.get("referral_flag")}
    if flags:
        lines += ["### Referral flag from the labels (要精査 or higher: a D/urgent label above its "
                  "threshold)", "", "| data | records flagged | normal ECGs (normal_ecg) flagged | "
                  "records with a true D/urgent label flagged |", "|---|---|---|---|"]
        for k, f in flags.items():
            lines.append(f"| {SET_NAMES.get(k, k)} | {_f(f['flagged'], 2)} of {f['n']} | "
                         f"{_f(f.get('normal_flagged'), 2)} of {f.get('normal_n', 0)} | "
                         f"{_f(f['true_d_flagged'], 2)} of {f['true_d_n']} |")
        lines += ["", "Measurement rules (QTc, HR, PR, QRS, axis) can raise the flag too; they are not "
                  "in these figures.", ""]
    for k in ("test", "cinc"):
        if k in shipped:
            lines += [f"### Per label, {SET_NAMES[k]}, at the shipped thresholds", ""]
            lines += _per_label(shipped[k], ja)
            lines += [""]
    comps = report.get("comparisons")
    if comps:
        lines += ["## Comparisons (same encoder, data and split; fold 10 never used for choices)", ""]
        lines += comparison_table(comps)
        lines += ["", "train time: wall clock summed over the runs, on a 2-core CPU shared with 3-6 "
                  "other jobs at the time, so it is not comparable between rows."]
        for name, c in comps.items():
            zs = c.get("zero_shot")
            if zs:
                lines += ["", f"### Zero-shot ({name}): labels held out of training entirely", "",
                          "| label | 日本語 | test positives | test AUROC from text alone |", "|---|---|---|---|"]
                for lab, auc in zs["per_label_test"].items():
                    lines.append(f"| {lab} | {ja.get(lab, '')} | {zs['n_pos_test'][lab]} | {_f(auc)} |")
                lines += ["", f"Macro AUROC of the held-out labels with ≥ 5 positives: "
                          f"val {_f(zs['val']['macro_auroc'])}, test {_f(zs['test']['macro_auroc'])}"
                          + (f", CinC {_f(zs['cinc']['macro_auroc'])}" if "cinc" in zs else "") + "."]
        lines += [""]
    if report.get("fusion"):
        lines += fusion_section(report["fusion"], ja)
    lines += ["## Files", "", "| file | sha256 |", "|---|---|"]
    lines += [f"| {n} | `{h}` |" for n, h in manifest["files"].items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


FUSION_SETS = ("val", "test", "test_mv", "test_z", "cinc")
KINDS = ("model", "criteria", "fusion")


def fusion_section(f: dict[str, Any], ja: dict[str, str]) -> list[str]:
    """Model alone / criteria alone / fusion, side by side (training/fusion.py's report)."""
    ch = f.get("choice", {})
    lines = ["## Model alone, criteria alone and their fusion", "",
             f"Fusion fitted on {ch.get('n_train', '?')} PTB-XL records of folds 1–8 with "
             f"out-of-fold similarities ({ch.get('n_train_mv', '?')} in mV carry the voltage "
             f"weights); {len(ch.get('fused_labels', []))} labels with ≥ 8 training positives are "
             "fused, the others keep the model's calibrated score. Fold 9 chose the regularisation "
             "and the thresholds; fold 10 and CinC were never used for a choice.", "",
             "| data | records | scores | macro AUROC (labels) | macro AUROC, fused labels (labels) "
             "| top-1 | top-5 | normal ECGs flagged | true D/urgent flagged |",
             "|---|---|---|---|---|---|---|---|---|"]
    for k in FUSION_SETS:
        r = f.get("by_set", {}).get(k)
        if not r:
            continue
        for kind in KINDS:
            x = r[kind]
            rf = x.get("referral_flag", {})
            lines.append(
                f"| {SET_NAMES.get(k, k)} | {x['n']} | {kind} | {_f(x['macro_auroc'])} ({x['n_auroc_labels']}) | "
                f"{_f(x['macro_auroc_fused'])} ({x['n_auroc_fused']}) | {_f(x['top1'])} | {_f(x['top5'])} | "
                f"{_f(rf.get('normal_flagged'), 2)} of {rf.get('normal_n', 0)} | "
                f"{_f(rf.get('true_d_flagged'), 2)} of {rf.get('true_d_n', 0)} |")
    how = {"gbm": "the same gradient-boosted trees",
           "blend": "the same blend of logistic regression and trees"}.get(
        str(ch.get("model")), "the same two-stage logistic regression")
    lines += ["", f"criteria alone: {how} without the similarity (only the fused labels have a "
              "score, so its 'all labels' macro and its top-k cover those labels only). The "
              "referral columns: a D/urgent label at or above its threshold, from the scores "
              "alone (no criteria hold-backs, measurement rules or combination rule: the banner "
              "as the app raises it is the table \"Referral as the app raises it\" below).", ""]
    if "gbm_fold9_macro_auroc" in ch:
        blend = ch.get("blend_fold9_macro_auroc")
        lines += [f"**Fold 9 chose the fusion model**: gradient-boosted trees "
                  f"{_f(ch['gbm_fold9_macro_auroc'], 4)} vs logistic regression "
                  f"{_f(ch.get('logistic_fold9_macro_auroc'), 4)}"
                  + (f" vs their blend (mean of the two logits, logistic weight "
                     f"{ch.get('blend_logistic_weight')}) {_f(blend, 4)}" if blend is not None else "")
                  + f" (macro AUROC over the fused labels) → shipped: **{ch.get('model')}**."]
    l2 = ch.get("l2_global_fold9", {})
    if l2:
        lines += ["Logistic regression, fold-9 choice of its L2 penalty (same measure): " + ", ".join(
            f"{k}: {_f(v, 4)}" for k, v in l2.items()) + f"; chosen {ch.get('l2_chosen')}."]
    rt = ch.get("referral_thresholds") or {}
    if rt:
        from ecg_viewer.training.fusion_referral import MAX_FALSE_SHOWN, MIN_PRECISION
        from ecg_viewer.training.fusion_report import MAX_NORMAL_FLAGGED

        def pct(v: float) -> str:
            return f"{100 * v:g} %"

        comb = f.get("referral_combination")
        share = pct(comb["label_share"]) if comb else pct(MAX_NORMAL_FLAGGED)
        lines += ["**Referral thresholds** (a record is 要精査 or higher when a D/urgent label is at or "
                  "above its own threshold" + (" or the combination score below is at or above its "
                                              "threshold" if comb else "")
                  + "; chosen jointly on fold 9 and the cross-fitted folds 1–8 "
                  f"so that ≤ {share} of their normal ECGs are flagged by the labels alone, no label "
                  f"shows on more than {pct(MAX_FALSE_SHOWN['D'])} (要至急 labels: "
                  f"{pct(MAX_FALSE_SHOWN['urgent'])}) of their records without it, and a D label is "
                  f"lowered only where ≥ {pct(MIN_PRECISION['D'])} of the records it shows on carry "
                  "it; `training/fusion_referral.py`): " + ", ".join(
                      f"{lab} ({ja.get(lab, '')}) {_f(v)}" for lab, v in sorted(rt.items(), key=lambda kv: kv[1]))
                  + (f". The previous rule, one threshold shared by all of them, would be "
                     f"{_f(ch['referral_shared_threshold'])} on the same normal ECGs."
                     if ch.get("referral_shared_threshold") is not None else ".")]
        if comb:
            cand = "; ".join(f"labels at {pct(r['label_share'])}, L2 {r['l2']:g}: "
                             f"{_f(r['normal_flagged'])} / {_f(r['true_d_flagged'])} (labels alone "
                             f"{_f(r['labels_alone_normal_flagged'])} / "
                             f"{_f(r['labels_alone_true_d_flagged'])})" for r in comb["candidates"])
            terms = ", ".join(f"{lab} ({ja.get(lab, '')}) {w:+.2f}" for lab, w in
                              sorted(zip(comb["labels"], comb["weights"], strict=True),
                                     key=lambda kv: -kv[1]))
            lines += ["", "**Combination rule** (`labels/referral.py` `CombinationRule`, fitted by "
                      "`training/fusion_combination.py`): 要精査 also when several D/urgent findings, "
                      "each below its own threshold, together make a D/urgent ECG likely: a logistic "
                      "regression on the logits of the D/urgent labels' scores after the criteria and "
                      "of 正常心電図, fitted on the cross-fitted folds 1–8 (target: carries a D/urgent "
                      f"label; L2 {comb['l2']:g}), raises 要精査 at ≥ {_f(comb['threshold'])} where "
                      "nothing else raised 要精査 or more and the rhythm is not paced; the banner "
                      "names the findings closest to their own thresholds (所見の組み合わせ). Its "
                      "threshold and the labels' share were chosen together on the pooled fold 9 + "
                      f"cross-fitted folds 1–8 (≤ {pct(MAX_NORMAL_FLAGGED)} of their normal ECGs "
                      "flagged by the two together; most true D/urgent records flagged), pooled "
                      f"normal / true D/urgent flagged per candidate: {cand}. Weights: "
                      f"正常心電図 {comb['normal_weight']:+.2f}, {terms}; intercept "
                      f"{comb['bias']:+.2f}."]
    lines += [""]
    for k in ("test", "cinc"):
        r = f.get("by_set", {}).get(k)
        if not r:
            continue
        lines += [f"### Per label, {SET_NAMES.get(k, k)}: AUROC model / criteria / fusion, and the "
                  "fusion's sensitivity/specificity at the shipped thresholds", "",
                  "| label | 日本語 | positives | model | criteria | fusion | sens | spec |",
                  "|---|---|---|---|---|---|---|---|"]
        fu = r["fusion"]["per_label"]
        for lab, x in sorted(fu.items(), key=lambda kv: -kv[1]["n_pos"]):
            m = r["model"]["per_label"].get(lab, {})
            c = r["criteria"]["per_label"].get(lab, {})
            lines.append(f"| {lab} | {ja.get(lab, '')} | {x['n_pos']} | {_f(m.get('auroc'))} | "
                         f"{_f(c.get('auroc'))} | {_f(x['auroc'])} | {_f(x['sensitivity'], 2)} | "
                         f"{_f(x['specificity'], 2)} |")
        lines += [""]
    from ecg_viewer.training.fusion_app import app_section
    from ecg_viewer.training.fusion_derived import broader_section
    from ecg_viewer.training.fusion_referral import referral_section

    return (lines + broader_section(f, ja, SET_NAMES)
            + app_section(f.get("referral_app", []), SET_NAMES)
            + referral_section(f.get("referral_alternatives", []), SET_NAMES))
