"""Write the shipped ``model_weights/`` folder from training runs: fp16 safetensors per
ensemble member, the label-text matrix, calibration/thresholds and ``manifest.json``."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.model.config import Preprocessing
from ecg_viewer.model.labelspace import catalog_version, label_ids
from ecg_viewer.model.weights import MANIFEST, MANIFEST_FORMAT, sha256_file


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True, cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def readable_like(path: Path, like: Path) -> None:
    """Give ``path`` the permissions of ``like`` (a file written with the user's umask):
    safetensors writes its files readable by their owner only, which an installer or another
    user of a shared install cannot read."""
    path.chmod(like.stat().st_mode & 0o777)


def write_label_embeddings(path: Path, emb: np.ndarray) -> None:
    import torch
    from safetensors.torch import save_file

    save_file({"text_emb": torch.from_numpy(np.ascontiguousarray(emb, dtype=np.float32))}, str(path))


def _preprocessing(input_norm: str) -> dict[str, Any]:
    if input_norm == "zscore":
        return Preprocessing(units="z-score (SD units per lead)", input_norm="zscore",
                             normalisation="band-pass 0.5-40 Hz (3rd-order Butterworth, zero phase), "
                                           "then mean 0 / SD 1 per lead over the window").to_dict()
    return Preprocessing().to_dict()


def _data_text(c0: dict[str, Any]) -> str:
    if c0.get("input_norm") == "zscore" and c0.get("n_train_mv", c0["n_train"]) < c0["n_train"]:
        return ("PTB-XL: the 1,987-record subset in mV (ecg_id 1-1999) + 1,661 records band-passed "
                "and z-scored per lead (ecg_id 2000-21832), 100 Hz, 10 s: strat_fold 1-8 train "
                f"({c0['n_train']}, of which {c0['n_train_mv']} in mV), fold 9 validation "
                f"({c0['n_val']}, {c0.get('n_val_mv', '?')} in mV: model selection, calibration, "
                "thresholds), fold 10 test (never tuned on)")
    return ("PTB-XL subset (1,987 records of ecg_id 1-1999, 100 Hz, 10 s): strat_fold 1-8 "
            f"train ({c0['n_train']}), fold 9 validation ({c0['n_val']}: model selection, "
            "calibration, thresholds), fold 10 test (never tuned on)")


def export_weights(run_dirs: list[str], out: Path, catalog: Any, cal: dict[str, Any],
                   report: dict[str, Any], text_all: np.ndarray, text_info: dict[str, Any]) -> Path:
    import torch
    from safetensors.torch import load_file, save_file

    out.mkdir(parents=True, exist_ok=True)
    ids = label_ids(catalog)
    members, cfgs = [], []
    for i, d in enumerate(run_dirs):
        cfg = json.loads((Path(d) / "config.json").read_text(encoding="utf-8"))
        if cfg["arch"]["head"] != "text":
            raise SystemExit(f"{d}: only text-head runs can be shipped")
        state = load_file(str(Path(d) / "model.safetensors"))
        name = f"ecg_text_model_{i}.safetensors"
        save_file({k: (v.to(torch.float16) if v.is_floating_point() else v).contiguous()
                   for k, v in state.items()}, str(out / name))
        members.append(name)
        cfgs.append(cfg)
    write_label_embeddings(out / "label_embeddings.safetensors", text_all)
    (out / "calibration.json").write_text(json.dumps(cal, indent=1, ensure_ascii=False))
    for name in [*members, "label_embeddings.safetensors"]:
        readable_like(out / name, out / "calibration.json")
    files = members + ["label_embeddings.safetensors", "calibration.json"]
    c0 = cfgs[0]
    manifest = {
        "format": MANIFEST_FORMAT,
        "model_version": datetime.now(UTC).strftime("%Y.%m.%d-%H%M"),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_commit": _git_commit(),
        "architecture": c0["arch"],
        "architecture_name": "ResNet1d-18 (basic blocks 2-2-2-2, widths 32-64-128-256) + MLP "
                             "projections to a 128-d space; frozen text encoder + MLP projection",
        "members": members,
        "label_embeddings": "label_embeddings.safetensors",
        "calibration": "calibration.json",
        "label_ids": ids,
        "catalog_version": catalog_version(catalog),
        "preprocessing": _preprocessing(c0.get("input_norm", "mv")),
        "text_encoder": {**text_info, "prefix": "query: ", "pooling": "mean",
                         "normalise": "l2", "label_text": "ja（en） (Label.prompt_text)"},
        "training": {
            "data": _data_text(c0),
            "loss": c0["args"]["loss"], "augment": c0["augment"], "epochs": c0["args"]["epochs"],
            "best_epochs": [c.get("best_epoch") for c in cfgs],
            "seeds": [c["args"]["seed"] for c in cfgs],
            "train_time_s": [round(c.get("train_time_s", 0), 1) for c in cfgs],
            "label_order_trained": c0["label_order"],
        },
        "metrics": {k: {m: v.get(m) for m in ("n", "top1", "top5", "macro_auroc", "n_auroc_labels")}
                    for k, v in report.get("main", {}).items()},
        "files": {},
    }
    manifest["files"] = {f: sha256_file(out / f) for f in files}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return out
