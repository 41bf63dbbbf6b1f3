"""``ecg-viewer train``: fit the ECG encoder against frozen label-text embeddings.

    ecg-viewer train --out runs/main                      # PTB-XL subset, folds 1-8, val fold 9
    ecg-viewer train --out runs/z --input-norm zscore --extra-zscored   # + the z-scored records
    ecg-viewer train --out runs/h1 --input-norm zscore --extra-zscored --train-folds 1,2,3,4
                                                          # cross-fitting: half of folds 1-8
    ecg-viewer train --manifest hospital.csv --out runs/h  # any manifest (see training/data.py)
    torchrun --nproc_per_node 2 -m ecg_viewer.training.train --out runs/ddp   # several processes

Seeds are fixed; ``config.json`` is written beside ``model.safetensors``; the checkpoint kept is
the epoch with the best macro AUROC on the validation split (fold 9), never the test split.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.model.config import ArchConfig
from ecg_viewer.model.labelspace import catalog_version, label_ids, load_catalog, prompt_texts
from ecg_viewer.model.preprocess import INPUT_NORMS
from ecg_viewer.training.augment import AugmentConfig
from ecg_viewer.training.data import EcgSet, load_manifest, write_ptbxl_manifest

log = logging.getLogger("ecg_viewer.training")
DEFAULT_PTBXL = Path(__file__).resolve().parents[3] / "shared" / "data" / "ptbxl"


def build_parser(p: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    p = p or argparse.ArgumentParser(prog="ecg-viewer train", description=__doc__)
    p.add_argument("--out", required=True, help="folder for model.safetensors + config.json")
    p.add_argument("--manifest", action="append", default=[],
                   help="dataset manifest (CSV/JSONL); repeatable. Default: the PTB-XL subset")
    p.add_argument("--ptbxl", default=str(DEFAULT_PTBXL), help="PTB-XL subset folder")
    p.add_argument("--epochs", type=int, default=16)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--weight-decay", type=float, default=1e-2)
    p.add_argument("--loss", choices=("multipos", "sigmoid", "naive"), default="multipos")
    p.add_argument("--head", choices=("text", "learned", "linear"), default="text")
    p.add_argument("--no-augment", action="store_true", help="train on the plain 10-s records")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--holdout", default="", help="comma-separated label ids left out entirely")
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--limit", type=int, default=None, help="read only the first N manifest rows")
    p.add_argument("--min-train-pos", type=int, default=1,
                   help="labels with fewer training positives are not trained on")
    p.add_argument("--text-model", default=None, help="local transformers model folder")
    p.add_argument("--label-embeddings", default=None,
                   help="npz from `ecg-viewer embed-labels` (skips running the text encoder)")
    p.add_argument("--init", default=None,
                   help="start from this run's model.safetensors (same architecture), e.g. to train on")
    p.add_argument("--text-standardise", action="store_true",
                   help="standardise the frozen text embeddings per dimension; no text dropout")
    p.add_argument("--input-norm", choices=INPUT_NORMS, default="mv",
                   help="encoder input: mV (median removed) or band-passed + z-scored per lead")
    p.add_argument("--extra-zscored", action="store_true",
                   help="add the z-scored extra PTB-XL records (needs --input-norm zscore)")
    p.add_argument("--train-folds", default="",
                   help="comma-separated strat_folds to train on (default: every train fold); "
                        "for cross-fitted out-of-fold similarities")
    p.add_argument("--device", default="auto")
    p.add_argument("--quiet", action="store_true")
    return p


def label_text_embeddings(catalog: Any, args: argparse.Namespace) -> tuple[np.ndarray, dict[str, str]]:
    """[n_catalog_labels, d] text embeddings of the catalog's prompt texts + their provenance."""
    ids = label_ids(catalog)
    if args.label_embeddings:
        z = np.load(args.label_embeddings, allow_pickle=False)
        got = [str(s) for s in z["ids"]]
        if got != ids:
            raise SystemExit(f"{args.label_embeddings} does not match catalog {catalog_version(catalog)}")
        return z["emb"].astype(np.float32), json.loads(str(z["info"]))
    from ecg_viewer.model.text_encoder import TextEncoder

    enc = TextEncoder(args.text_model)
    info = {"text_model_id": enc.model_id, "text_model_sha256": enc.weights_sha256(),
            "catalog_version": catalog_version(catalog)}
    return enc.encode(prompt_texts(catalog)), info


def show_progress() -> None:
    """Progress lines on stderr, also when the CLI configured logging at WARNING."""
    log.setLevel(logging.INFO)
    if not log.handlers:
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        log.addHandler(h)
        log.propagate = False


def _device(name: str) -> Any:
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(args)


def run(args: argparse.Namespace) -> int:
    import torch
    import torch.distributed as dist

    from ecg_viewer.model.networks import build_model
    from ecg_viewer.training.augment import augment
    from ecg_viewer.training.loss import contrastive_loss, supervised_bce
    from ecg_viewer.training.metrics import macro_auroc, topk_hit

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    torch.set_num_threads(max(1, args.threads // world) if world > 1 else args.threads)
    device = _device(args.device)
    if world > 1:
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    main_proc = rank == 0
    if not args.quiet and main_proc:
        show_progress()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    catalog = load_catalog()
    input_norm = getattr(args, "input_norm", "mv")
    extra = bool(getattr(args, "extra_zscored", False))
    if extra and input_norm != "zscore":
        raise SystemExit("--extra-zscored needs --input-norm zscore (those records have no mV)")
    manifests = [Path(m) for m in args.manifest] or [
        write_ptbxl_manifest(Path(args.ptbxl), out / "ptbxl_manifest.csv", extra=extra)]
    sets = [load_manifest(m, catalog, limit=args.limit, input_norm=input_norm) for m in manifests]
    data = sets[0] if len(sets) == 1 else _concat(sets)
    train, val = data.subset("train"), data.subset("val")
    train_folds = sorted({int(f) for f in str(getattr(args, "train_folds", "") or "").split(",") if f})
    if train_folds:
        train = train.folds(set(train_folds))
    all_ids = label_ids(catalog)
    holdout = [h for h in args.holdout.split(",") if h]
    bad = [h for h in holdout if h not in all_ids]
    if bad:
        raise SystemExit(f"--holdout: unknown label ids {bad}")
    counts = train.targets(all_ids).sum(axis=0)
    order = [lab for lab, c in zip(all_ids, counts, strict=True)
             if c >= args.min_train_pos and lab not in holdout]
    log.info("train %d / val %d records, %d labels trained on (%d held out)", len(train), len(val),
             len(order), len(holdout))
    text_all, text_info = label_text_embeddings(catalog, args)
    col = [all_ids.index(lab) for lab in order]
    text_train = torch.from_numpy(text_all[col]).to(device)
    cfg = ArchConfig(width=args.width, head=args.head, n_labels=len(order), text_dim=text_all.shape[1],
                     logit_bias_init=-10.0 if args.loss == "sigmoid" else 0.0,
                     text_standardise=bool(getattr(args, "text_standardise", False)),
                     text_dropout=0.0 if getattr(args, "text_standardise", False) else 0.1)
    model = build_model(cfg)
    if cfg.text_standardise and cfg.head == "text":
        model.set_text_stats(torch.from_numpy(text_all))
    if args.init:
        from safetensors.torch import load_file

        init_cfg = json.loads((Path(args.init) / "config.json").read_text(encoding="utf-8"))
        if init_cfg["label_order"] != order and args.head != "text":
            raise SystemExit("--init: the run was trained on other labels")
        model.load_state_dict(load_file(str(Path(args.init) / "model.safetensors")), strict=True)
    model = model.to(device)
    net = model
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = max(1, int(np.ceil(len(train) / world / args.batch_size)))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, epochs=args.epochs,
                                                steps_per_epoch=steps_per_epoch, pct_start=0.1)
    y_train = torch.from_numpy(train.targets(order))
    x_train = torch.from_numpy(train.x)
    y_val = val.targets(order)
    # z-scored input: noise and wander in SD units (a lead's SD is ~0.18 mV in PTB-XL)
    aug_cfg = AugmentConfig() if input_norm == "mv" else AugmentConfig(wander_mv=0.8, noise_mv=0.15)
    gen = torch.Generator().manual_seed(args.seed * 1000 + rank)
    config = {"args": vars(args), "arch": cfg.to_dict(), "augment": None if args.no_augment else asdict(aug_cfg),
              "label_order": order, "holdout": holdout, "catalog_labels": all_ids,
              "catalog_version": catalog_version(catalog), "text": text_info,
              "n_train": len(train), "n_val": len(val), "world_size": world, "manifests": [str(m) for m in manifests],
              "input_norm": input_norm, "train_folds": train_folds,
              "n_train_mv": int(np.sum(train.has_mv)), "n_val_mv": int(np.sum(val.has_mv))}
    history, best, best_state = [], -1.0, None
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(train), generator=torch.Generator().manual_seed(args.seed + epoch))
        perm = perm[rank::world]
        total, nb = 0.0, 0
        for i in range(steps_per_epoch):
            idx = perm[i * args.batch_size : (i + 1) * args.batch_size]
            if len(idx) < 2:
                continue
            xb, yb = x_train[idx], y_train[idx].to(device)
            if not args.no_augment:
                xb = augment(xb, aug_cfg, gen)
            xb = xb.to(device)
            sim = net(xb, text_train)
            if args.head == "linear":
                loss = supervised_bce(sim, yb)
            else:
                loss = contrastive_loss(args.loss, sim, yb, model.logit_scale, model.logit_bias)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
            nb += 1
        s_val = predict_sim(model, val.x, text_train, device)
        auc, top5 = macro_auroc(y_val, s_val), topk_hit(y_val, s_val, 5)
        history.append({"epoch": epoch + 1, "loss": total / max(nb, 1), "val_macro_auroc": auc,
                        "val_top5": top5, "temperature": float(1 / model.logit_scale.detach()),
                        "elapsed_s": time.time() - t0})
        if main_proc:
            log.info("epoch %d/%d loss %.4f  val macro AUROC %.4f top-5 %.3f  tau %.4f  %.0fs",
                     epoch + 1, args.epochs, total / max(nb, 1), auc, top5,
                     float(1 / model.logit_scale.detach()), time.time() - t0)
        score = auc if np.isfinite(auc) else -float(total)
        if score > best or best_state is None:
            best = score
            best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
            config["best_epoch"] = epoch + 1
    config["train_time_s"] = time.time() - t0
    config["history"] = history
    if main_proc:
        from safetensors.torch import save_file

        save_file(best_state, str(out / "model.safetensors"))
        np.savez(out / "label_text.npz", ids=np.array(all_ids), emb=text_all,
                 info=json.dumps(text_info))
        (out / "config.json").write_text(json.dumps(config, indent=1, ensure_ascii=False, default=str))
        log.info("saved %s (best epoch %s, val macro AUROC %.4f, %.0fs)", out, config["best_epoch"],
                 best, config["train_time_s"])
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return 0


def predict_sim(model: Any, x: np.ndarray, text_emb: Any, device: Any, batch: int = 256) -> np.ndarray:
    import torch

    model.eval()
    outs = []
    with torch.inference_mode():
        for i in range(0, len(x), batch):
            xb = torch.from_numpy(x[i : i + batch]).to(device)
            outs.append(model.similarity(xb, text_emb).float().cpu().numpy())
    return np.concatenate(outs) if outs else np.zeros((0, 0), np.float32)


def _concat(sets: list[EcgSet]) -> EcgSet:
    from collections import Counter

    unk: Counter = Counter()
    for s in sets:
        unk.update(s.unknown_tokens)
    return EcgSet(np.concatenate([s.x for s in sets]), [lab for s in sets for lab in s.labels],
                  np.concatenate([s.split for s in sets]), [i for s in sets for i in s.ids], unk,
                  np.concatenate([s.has_mv for s in sets]), np.concatenate([s.fold for s in sets]))


if __name__ == "__main__":
    raise SystemExit(main())
