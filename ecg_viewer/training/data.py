"""Datasets read through a manifest, so new data trains without code changes.

A manifest is a CSV (or JSON lines) file, one ECG per row:

    path,labels,split                     # any ECG file read_ecg understands
    /data/0001.xml,心房細動;完全右脚ブロック,train
    array,index,labels,fold               # or one row of an array file (npz: X [N, T, 12] uV, fs)
    ptbxl100_subset.npz,0,scp:NORM;scp:SR,3

``labels`` holds tokens separated by ``;`` or ``|``: catalog ids, Japanese or English label
texts and synonyms (a hospital's reading-report terms), or codes as ``scp:X``, ``snomed:X``,
``axis:X``. ``split`` (train/val/test) or ``fold`` (PTB-XL strat_fold: 1-8 train, 9 val, 10 test)
says where a row goes. Relative paths are taken relative to the manifest's folder.
"""

from __future__ import annotations

import ast
import csv
import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.model.config import WINDOW_SAMPLES
from ecg_viewer.model.labelspace import resolve_tokens
from ecg_viewer.model.preprocess import array_to_input, record_to_input

log = logging.getLogger(__name__)
FOLD_SPLIT = {**{f: "train" for f in range(1, 9)}, 9: "val", 10: "test"}


@dataclass
class EcgSet:
    """Preprocessed ECGs [N, 12, WINDOW_SAMPLES] mV, label ids per record, split per record."""

    x: np.ndarray
    labels: list[list[str]]
    split: np.ndarray  # "train" / "val" / "test"
    ids: list[str]
    unknown_tokens: Counter

    def subset(self, split: str) -> EcgSet:
        m = self.split == split
        idx = np.flatnonzero(m)
        return EcgSet(self.x[idx], [self.labels[i] for i in idx], self.split[idx],
                      [self.ids[i] for i in idx], self.unknown_tokens)

    def __len__(self) -> int:
        return len(self.labels)

    def targets(self, label_order: list[str]) -> np.ndarray:
        pos = {lab: i for i, lab in enumerate(label_order)}
        y = np.zeros((len(self), len(label_order)), dtype=np.float32)
        for r, labs in enumerate(self.labels):
            for lab in labs:
                if lab in pos:
                    y[r, pos[lab]] = 1.0
        return y


def read_manifest(path: Path) -> list[dict[str, str]]:
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".jsonl", ".json"):
        return [{k: str(v) for k, v in json.loads(line).items()} for line in text.splitlines()
                if line.strip()]
    return [dict(r) for r in csv.DictReader(text.splitlines())]


def _split_of(row: dict[str, str]) -> str:
    if row.get("split"):
        return row["split"].strip().lower()
    if row.get("fold"):
        return FOLD_SPLIT[int(float(row["fold"]))]
    return "train"


def load_manifest(path: Path, catalog: Any, *, limit: int | None = None) -> EcgSet:
    """Read and preprocess every row of a manifest (rows whose ECG cannot be used are skipped
    with a warning: a training set must not stop on one bad file)."""
    path = Path(path)
    rows = read_manifest(path)[:limit] if limit else read_manifest(path)
    arrays: dict[str, Any] = {}
    xs, labels, splits, ids, unknown = [], [], [], [], Counter()
    for n, row in enumerate(rows):
        try:
            if row.get("array"):
                apath = _resolve(path, row["array"])
                if apath not in arrays:  # NpzFile re-reads a member on every access
                    with np.load(apath) as z:
                        arrays[apath] = {"X": z["X"], "fs": float(z["fs"])}
                arr = arrays[apath]
                sig = arr["X"][int(row["index"])].T.astype(np.float32) / 1000.0  # uV -> mV
                x = array_to_input(sig, float(arr["fs"]))
                rid = row.get("id") or f"{Path(apath).name}:{row['index']}"
            else:
                from ecg_viewer.io import read_ecg

                x = record_to_input(read_ecg(_resolve(path, row["path"])))
                rid = row.get("id") or row["path"]
        except (ValueError, OSError) as exc:  # EcgReadError / ModelInputError are ValueErrors
            log.warning("manifest row %d skipped: %s", n + 1, exc)
            continue
        tokens = row.get("labels", "").replace("|", ";").split(";")
        labs, unk = resolve_tokens(catalog, tokens)
        unknown.update(unk)
        xs.append(x)
        labels.append(labs)
        splits.append(_split_of(row))
        ids.append(rid)
    if not xs:
        raise ValueError(f"no usable ECG in manifest {path}")
    if unknown:
        log.info("label tokens that map to no catalog label: %s", dict(unknown.most_common(10)))
    x_all = np.stack(xs).astype(np.float32)
    assert x_all.shape[1:] == (12, WINDOW_SAMPLES)
    return EcgSet(x_all, labels, np.array(splits), ids, unknown)


def _resolve(manifest: Path, p: str) -> str:
    q = Path(p)
    return str(q if q.is_absolute() else manifest.parent / q)


def write_ptbxl_manifest(ptbxl_dir: Path, out: Path) -> Path:
    """A manifest for the PTB-XL subset: every SCP code listed (likelihood 0.0 on rhythm/form
    statements means "not stated", so every listed code is kept) plus the heart axis."""
    ptbxl_dir = Path(ptbxl_dir)
    npz = ptbxl_dir / "ptbxl100_subset.npz"
    ecg_ids = np.load(npz)["ecg_id"]
    index = {int(e): i for i, e in enumerate(ecg_ids)}
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(ptbxl_dir / "ptbxl_labels.csv", encoding="utf-8") as fh, \
         open(out, "w", encoding="utf-8", newline="") as fo:
        w = csv.writer(fo)
        w.writerow(["id", "array", "index", "labels", "fold"])
        for row in csv.DictReader(fh):
            eid = int(row["ecg_id"])
            if eid not in index:
                continue
            toks = [f"scp:{c}" for c in ast.literal_eval(row["scp_codes"])]
            if row.get("heart_axis"):
                toks.append(f"axis:{row['heart_axis']}")
            w.writerow([f"ptbxl:{eid}", str(npz), index[eid], ";".join(toks), row["strat_fold"]])
    return out


def write_wfdb_snomed_manifest(folder: Path, out: Path, split: str = "test") -> Path:
    """A manifest for PhysioNet/CinC WFDB records whose headers carry ``# Dx: SNOMED,...``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fo:
        w = csv.writer(fo)
        w.writerow(["id", "path", "labels", "split"])
        for hea in sorted(Path(folder).glob("*.hea")):
            dx = ""
            for line in hea.read_text(errors="replace").splitlines():
                if line.startswith("#") and "Dx:" in line:
                    dx = line.split("Dx:", 1)[1].strip()
            toks = [f"snomed:{c.strip()}" for c in dx.split(",") if c.strip()]
            w.writerow([hea.stem, str(hea), ";".join(toks), split])
    return out
