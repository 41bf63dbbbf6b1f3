"""``ecg-viewer evaluate``: scores of training runs (or of the shipped weights) on the
validation fold 9, the test fold 10 and the CinC 2021 sample, calibration and thresholds
(fold 9 only), and the export of ``model_weights/``.

    ecg-viewer evaluate --runs runs/a runs/b --export model_weights     # ensemble -> shipped
    ecg-viewer evaluate --weights model_weights                        # the shipped model
    ecg-viewer evaluate --compare supervised=runs/lin --compare learned=runs/lab ...
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.model.labelspace import label_ids, load_catalog
from ecg_viewer.training.data import (
    EcgSet,
    load_manifest,
    write_ptbxl_manifest,
    write_wfdb_snomed_manifest,
)
from ecg_viewer.training.metrics import (
    URGENT_CATS,
    choose_threshold,
    fit_platt,
    per_label_auroc,
    referral_rates,
    sens_spec,
    topk_hit,
)
from ecg_viewer.training.train import DEFAULT_PTBXL, show_progress

log = logging.getLogger("ecg_viewer.training")
DEFAULT_CINC = DEFAULT_PTBXL.parent / "samples" / "wfdb_cinc2021"
DEFAULT_CINC_EXTRA = DEFAULT_PTBXL.parent / "cinc_extra"
MIN_SENS_URGENT = 0.95
# Without a floor the sensitivity target flagged 90 % of fold-10 normal ECGs as D/urgent
# (thresholds near 0 on labels with a handful of fold-9 positives): the flag meant nothing.
MIN_SPEC_URGENT = 0.90
MIN_VAL_POS = 3  # fewer fold-9 positives: pooled calibration and a default threshold


def build_parser(p: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    p = p or argparse.ArgumentParser(prog="ecg-viewer evaluate", description=__doc__)
    p.add_argument("--runs", nargs="*", default=[], help="training run folders (one ensemble)")
    p.add_argument("--weights", default=None, help="evaluate a model_weights folder instead")
    p.add_argument("--compare", action="append", default=[],
                   help="NAME=DIR[,DIR] another run (ensemble) for the comparison table")
    p.add_argument("--ptbxl", default=str(DEFAULT_PTBXL))
    p.add_argument("--cinc", default=str(DEFAULT_CINC))
    p.add_argument("--cinc-extra", action="append", default=[str(DEFAULT_CINC_EXTRA)],
                   help="more external WFDB folders joined to the CinC set (never tuned on)")
    p.add_argument("--export", default=None, help="write the shipped model_weights/ here")
    p.add_argument("--fusion-cache", default=str(Path(__file__).resolve().parents[2] / ".fusion_cache"),
                   help="similarities + criteria features cached by `python -m ecg_viewer.training."
                        "fusion`: with --weights, model / criteria / fusion side by side")
    p.add_argument("--json", default=None, help="write every figure to this JSON file")
    p.add_argument("--card-prose", default=str(Path(__file__).with_name("model_card_head.md")),
                   help="markdown written above the measured tables of MODEL_CARD.md")
    p.add_argument("--work", default=None, help="folder for the manifests (default: a temp dir)")
    return p


# --- scoring ----------------------------------------------------------------------------------
def catalog_text_matrix(run_dir: str, catalog: Any) -> tuple[np.ndarray, dict[str, Any]]:
    """The catalog's label-text embeddings: the run's own when its catalog is the current one,
    else recomputed with the run's text encoder (the text head scores any label text)."""
    z = np.load(Path(run_dir) / "label_text.npz")
    info = json.loads(str(z["info"]))
    if [str(s) for s in z["ids"]] == label_ids(catalog):
        return z["emb"].astype(np.float32), info
    from ecg_viewer.model.labelspace import catalog_version, prompt_texts
    from ecg_viewer.model.text_encoder import DEFAULT_TEXT_MODEL_ID, TextEncoder

    if info.get("text_model_id") != DEFAULT_TEXT_MODEL_ID:
        raise SystemExit(f"{run_dir}: catalog changed; re-embed with `ecg-viewer embed-labels`")
    log.info("catalog changed since %s was trained: re-embedding %d labels", run_dir, len(catalog.labels))
    enc = TextEncoder()
    return enc.encode(prompt_texts(catalog)), {**info, "catalog_version": catalog_version(catalog)}


def run_similarities(run_dirs: Sequence[str], x: np.ndarray, all_ids: list[str],
                     text_all: np.ndarray | None = None) -> np.ndarray:
    """Mean similarity over the runs, [N, n_catalog]; NaN where a run cannot score a label
    (learned / linear heads score only the labels they were trained on)."""
    import torch
    from safetensors.torch import load_file

    from ecg_viewer.model.config import ArchConfig
    from ecg_viewer.model.networks import build_model
    from ecg_viewer.training.train import predict_sim

    total = None
    for d in run_dirs:
        d = Path(d)
        cfg = json.loads((d / "config.json").read_text(encoding="utf-8"))
        arch = ArchConfig.from_dict(cfg["arch"])
        model = build_model(arch)
        model.load_state_dict(load_file(str(d / "model.safetensors")), strict=True)
        if arch.head == "text":
            if text_all is None:
                z = np.load(d / "label_text.npz")
                if [str(s) for s in z["ids"]] != all_ids:
                    raise SystemExit(f"{d} was trained with another catalog")
                text_all = z["emb"].astype(np.float32)
            s = predict_sim(model, x, torch.from_numpy(text_all), torch.device("cpu"))
        else:
            part = predict_sim(model, x, None, torch.device("cpu"))
            s = np.full((len(x), len(all_ids)), np.nan, np.float32)
            keep = [(k, all_ids.index(lab)) for k, lab in enumerate(cfg["label_order"]) if lab in all_ids]
            s[:, [j for _, j in keep]] = part[:, [k for k, _ in keep]]
        total = s if total is None else total + s
    return total / len(run_dirs)


# --- calibration and thresholds (fold 9 only) --------------------------------------------------
def calibrate(sim_val: np.ndarray, y_val: np.ndarray, catalog: Any) -> dict[str, dict[str, Any]]:
    ids = label_ids(catalog)
    ok = np.isfinite(sim_val).all(axis=0)
    # Pooled calibration on similarities centred by each label's fold-9 median: a label's raw
    # similarities are not on a common scale (labels never trained sit close to every ECG).
    med = np.where(ok, np.nanmedian(np.where(ok, sim_val, 0.0), axis=0), 0.0)
    a0, b0 = fit_platt((sim_val - med)[:, ok].ravel(), y_val[:, ok].ravel())
    out: dict[str, dict[str, Any]] = {"_pooled": {"a": a0, "b": b0, "centred_on": "fold-9 median"}}
    for j, lab in enumerate(catalog.labels):
        npos = int(y_val[:, j].sum())
        urgent = lab.category in URGENT_CATS
        if npos >= MIN_VAL_POS and ok[j]:
            a, b = fit_platt(sim_val[:, j], y_val[:, j])
            score = 1 / (1 + np.exp(-(a * sim_val[:, j] + b)))
            thr = choose_threshold(score, y_val[:, j], MIN_SENS_URGENT if urgent else None,
                                   MIN_SPEC_URGENT if urgent else None)
            src = "fold9"
        else:
            # no threshold can be validated without fold-9 positives: ranked, never "present"
            # (a calibrated score is below 1), so such a label never raises the referral flag
            a, b = a0, b0 - a0 * float(med[j])
            thr, src = 1.0, "unvalidated"
        out[ids[j]] = {"a": float(a), "b": float(b), "val_median_sim": float(med[j]), "threshold": float(thr), "source": src, "val_pos": npos,
                       "category": lab.category}
    return out


def apply_calibration(sim: np.ndarray, cal: dict[str, dict[str, Any]], ids: list[str]) -> np.ndarray:
    a = np.array([cal[i]["a"] for i in ids])
    b = np.array([cal[i]["b"] for i in ids])
    return 1 / (1 + np.exp(-(a * sim + b)))


def summarise(sim: np.ndarray, y: np.ndarray, ids: list[str], cal: dict | None = None,
              labels: list[str] | None = None) -> dict[str, Any]:
    """top-1/top-5 in the Predictor's order (calibrated score; labels a run cannot score last)
    and by raw similarity (the paper's measure), macro AUROC over labels with >= 5 positives,
    per-label AUROC and, with a calibration, sensitivity/specificity at its thresholds."""
    res: dict[str, Any] = {"n": int(len(y)), "top1_sim": topk_hit(y, sim, 1),
                           "top5_sim": topk_hit(y, sim, 5)}
    if cal is not None:
        score = apply_calibration(np.nan_to_num(sim, nan=-1.0), cal, ids)
        score[~np.isfinite(sim)] = -np.inf
        res["top1"], res["top5"] = topk_hit(y, score, 1), topk_hit(y, score, 5)
    cols = [ids.index(lab) for lab in labels] if labels else list(range(len(ids)))
    per = per_label_auroc(y[:, cols], sim[:, cols], min_pos=5)
    res["macro_auroc"] = float(np.mean(list(per.values()))) if per else float("nan")
    res["n_auroc_labels"] = len(per)
    res["per_label_auroc"] = {ids[cols[k]]: v for k, v in per.items()}
    if cal is not None:
        rows = {}
        for k, auc in per.items():
            j = cols[k]
            sens, spec = sens_spec(y[:, j], score[:, j] >= cal[ids[j]]["threshold"])
            rows[ids[j]] = {"n_pos": int(y[:, j].sum()), "auroc": auc, "sensitivity": sens,
                            "specificity": spec, "threshold": cal[ids[j]]["threshold"],
                            "threshold_source": cal[ids[j]]["source"]}
        res["per_label"] = rows
        res["referral_flag"] = referral_flag_rates(y, score, ids, cal)
    return res


def referral_flag_rates(y: np.ndarray, score: np.ndarray, ids: list[str],
                        cal: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """:func:`~ecg_viewer.training.metrics.referral_rates` with the catalog categories and
    thresholds of the calibration ``cal``."""
    cats = [cal[i].get("category", "") for i in ids]
    thr = np.array([cal[i]["threshold"] for i in ids])
    normal_col = ids.index("normal_ecg") if "normal_ecg" in ids else None
    return referral_rates(y, score, thr, cats, normal_col)


def load_eval_sets(args: argparse.Namespace, catalog: Any, work: Path,
                   input_norm: str = "mv") -> dict[str, EcgSet]:
    """fold 9, fold 10 (with the z-scored extra records when the encoder takes z-scored input)
    and the external CinC records (the 2021 sample + cinc_extra)."""
    extra = input_norm == "zscore"
    data = load_manifest(write_ptbxl_manifest(Path(args.ptbxl), work / "ptbxl.csv", extra=extra),
                         catalog, input_norm=input_norm)
    sets = {"val": data.subset("val"), "test": data.subset("test")}
    if extra:  # reported apart: the records in mV (as every inference record) and the z-scored
        for k in ("val", "test"):
            s = sets[k]
            sets[f"{k}_mv"] = s.take(np.flatnonzero(s.has_mv))
            sets[f"{k}_z"] = s.take(np.flatnonzero(~s.has_mv))
    parts = []
    for i, cinc in enumerate([Path(args.cinc), *[Path(c) for c in getattr(args, "cinc_extra", [])]]):
        if cinc.is_dir():
            parts.append(load_manifest(write_wfdb_snomed_manifest(cinc, work / f"cinc{i}.csv"), catalog,
                                       input_norm=input_norm))
    if parts:
        from ecg_viewer.training.train import _concat

        sets["cinc"] = parts[0] if len(parts) == 1 else _concat(parts)
    return sets


def norm_of_dir(d: str | Path) -> str:
    """The input normalisation of a training run or of a weights folder."""
    d = Path(d)
    if (d / "manifest.json").is_file():
        from ecg_viewer.model.weights import read_manifest

        return str(read_manifest(d).get("preprocessing", {}).get("input_norm", "mv"))
    return str(json.loads((d / "config.json").read_text(encoding="utf-8")).get("input_norm", "mv"))


def input_norm_of(args: argparse.Namespace) -> str:
    if args.weights:
        return norm_of_dir(args.weights)
    dirs = list(args.runs) or [spec.partition("=")[2].split(",")[0] for spec in args.compare]
    norms = {norm_of_dir(d) for d in dirs}
    if len(norms) > 1 and args.runs:
        raise SystemExit(f"the runs of one ensemble have different input normalisations: {norms}")
    return norm_of_dir(dirs[0]) if dirs else "mv"


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    import tempfile

    show_progress()
    catalog = load_catalog()
    ids = label_ids(catalog)
    work = Path(args.work or tempfile.mkdtemp(prefix="ecg-eval-"))
    by_norm: dict[str, dict[str, EcgSet]] = {}

    def sets_of(norm: str) -> dict[str, EcgSet]:
        # an mV encoder is scored on the mV records only, a z-score encoder on all of them
        if norm not in by_norm:
            by_norm[norm] = load_eval_sets(args, catalog, work / norm, norm)
        return by_norm[norm]

    sets = sets_of(input_norm_of(args))
    ys = {k: s.targets(ids) for k, s in sets.items()}
    report: dict[str, Any] = {"sets": {k: len(s) for k, s in sets.items()}}

    def sims_for(dirs: Sequence[str], csets: dict[str, EcgSet]) -> dict[str, np.ndarray]:
        if (Path(dirs[0]) / "manifest.json").is_file():  # a shipped weights folder
            from ecg_viewer.model.predictor import Predictor

            p = Predictor(dirs[0], device="cpu", catalog=catalog)
            return {k: p.similarities(s.x) for k, s in csets.items()}
        text_all, _ = catalog_text_matrix(dirs[0], catalog)
        return {k: run_similarities(dirs, s.x, ids, text_all) for k, s in csets.items()}

    if args.runs or args.weights:
        if args.weights:
            from ecg_viewer.model.predictor import Predictor

            pred = Predictor(args.weights, device="cpu", catalog=catalog)
            sims = {k: pred.similarities(s.x) for k, s in sets.items()}
            cal = json.loads((Path(args.weights) / pred.manifest["calibration"]).read_text())
        else:
            sims = sims_for(args.runs, sets)
            cal = calibrate(sims["val"], ys["val"], catalog)
        main_res = {k: summarise(sims[k], ys[k], ids, cal) for k in sets}
        report["main"] = main_res
        print_main(main_res)
        if args.weights:
            from ecg_viewer.training.fusion_report import shipped_report

            fr = shipped_report(Path(args.fusion_cache), Path(args.weights))
            if fr is not None:
                report["fusion_shipped"] = fr
            else:
                log.info("no fusion or no fusion cache (%s): model alone only", args.fusion_cache)
        if args.export:
            from ecg_viewer.training.export import export_weights

            text_all, text_info = catalog_text_matrix(args.runs[0], catalog)
            export_weights(args.runs, Path(args.export), catalog, cal, report, text_all, text_info)
            from ecg_viewer.model.predictor import Predictor

            pred = Predictor(args.export, device="cpu", catalog=catalog)
            shipped = {k: summarise(pred.similarities(s.x), ys[k], ids, cal) for k, s in sets.items()}
            report["shipped_fp16"] = shipped
            for k in sets:
                log.info("shipped fp16 %s: macro AUROC %.4f (fp32 %.4f), top-5 %.3f (fp32 %.3f)", k,
                         shipped[k]["macro_auroc"], main_res[k]["macro_auroc"], shipped[k]["top5"],
                         main_res[k]["top5"])
    comps = {}
    for spec in args.compare:
        name, _, dirs = spec.partition("=")
        dlist = dirs.split(",")
        weights_dir = (Path(dlist[0]) / "manifest.json").is_file()
        if weights_dir:
            from ecg_viewer.model.weights import read_manifest as _rm

            man = _rm(Path(dlist[0]))
            cfg = {"args": {"head": "text", "loss": man.get("training", {}).get("loss"),
                            "text_standardise": man["architecture"].get("text_standardise")},
                   "input_norm": norm_of_dir(dlist[0])}
        else:
            cfg = json.loads((Path(dlist[0]) / "config.json").read_text(encoding="utf-8"))
        norm = norm_of_dir(dlist[0])
        csets = sets_of(norm)
        cys = {k: s.targets(ids) for k, s in csets.items()}
        sims = sims_for(dlist, csets)
        ccal = calibrate(sims["val"], cys["val"], catalog)
        res = {k: summarise(sims[k], cys[k], ids, ccal) for k in csets}
        if norm == "mv":  # its sets are the mV records: the same records as val_mv / test_mv
            res["val_mv"], res["test_mv"] = res["val"], res["test"]
        res["input_norm"] = norm
        holdout = cfg.get("holdout") or []
        if holdout:
            res["zero_shot"] = {k: summarise(sims[k], cys[k], ids, labels=holdout) for k in csets}
            res["zero_shot"]["per_label_test"] = {
                h: float(per_label_auroc(cys["test"][:, [ids.index(h)]], sims["test"][:, [ids.index(h)]], 1).get(0, np.nan))
                for h in holdout}
            res["zero_shot"]["n_pos_test"] = {h: int(cys["test"][:, ids.index(h)].sum()) for h in holdout}
        res["config"] = {k: cfg["args"].get(k) for k in ("loss", "head", "no_augment", "seed", "epochs",
                                                         "text_standardise", "init", "batch_size")}
        res["runs"] = dlist
        res["train_time_s"] = None if weights_dir else sum(
            json.loads((Path(d) / "config.json").read_text(encoding="utf-8")).get("train_time_s", 0)
            for d in dlist)
        if not weights_dir:
            res["n_train"] = json.loads((Path(dlist[0]) / "config.json").read_text(encoding="utf-8")).get("n_train")
        comps[name] = res
        print(f"{name:24s} " + "  ".join(
            f"{k}: AUROC {res[k]['macro_auroc']:.3f} ({res[k]['n_auroc_labels']}) top1 {res[k]['top1']:.3f} "
            f"top5 {res[k]['top5']:.3f}" for k in csets))
        if holdout:
            print(f"{'':24s} zero-shot labels {holdout}: " + "  ".join(
                f"{k} AUROC {res['zero_shot'][k]['macro_auroc']:.3f}" for k in csets))
    if comps:
        report["comparisons"] = comps
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False, default=float))
    if args.export:
        from ecg_viewer.model.weights import read_manifest
        from ecg_viewer.training.model_card import write_model_card

        out = Path(args.export)
        comps_all = merged_comparisons(out / "metrics.json", report.get("comparisons") or {})
        if comps_all:
            report["comparisons"] = comps_all
        (out / "metrics.json").write_text(json.dumps(report, indent=1, ensure_ascii=False, default=float))
        from ecg_viewer.model.weights import MANIFEST, sha256_file

        manifest = read_manifest(out)  # metrics.json is hashed too (checked on load)
        manifest["files"]["metrics.json"] = sha256_file(out / "metrics.json")
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        write_model_card(out / "MODEL_CARD.md", report, read_manifest(out), catalog,
                         Path(args.card_prose).read_text(encoding="utf-8"))
    return 0


def merged_comparisons(metrics_file: Path, new: dict[str, Any]) -> dict[str, Any]:
    """The comparisons an export writes: those already in ``metrics_file`` (the runs behind
    them may be gone: the model card keeps its history of fold-9 decisions), then this call's,
    a new one replacing an old one of the same name."""
    kept: dict[str, Any] = {}
    if metrics_file.is_file():
        kept = json.loads(metrics_file.read_text(encoding="utf-8")).get("comparisons") or {}
    return {**kept, **new}


def print_main(res: dict[str, Any]) -> None:
    for k, r in res.items():
        print(f"[{k}] n={r['n']} top-1 {r['top1']:.3f} top-5 {r['top5']:.3f} (by similarity: "
              f"{r['top1_sim']:.3f} / {r['top5_sim']:.3f}) "
              f"macro AUROC {r['macro_auroc']:.3f} over {r['n_auroc_labels']} labels (>= 5 positives)")
        for lab, row in sorted(r.get("per_label", {}).items(), key=lambda kv: -kv[1]["n_pos"]):
            print(f"    {lab:28s} n+={row['n_pos']:4d} AUROC {row['auroc']:.3f} sens {row['sensitivity']:.2f} "
                  f"spec {row['specificity']:.2f} thr {row['threshold']:.3f} ({row['threshold_source']})")


if __name__ == "__main__":
    raise SystemExit(main())
