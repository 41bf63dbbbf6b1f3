"""Datasets read through a manifest, so new data trains without code changes.

A manifest is a CSV (or JSON lines) file, one ECG per row:

    path,labels,split                     # any ECG file read_ecg understands
    /data/0001.xml,心房細動;完全右脚ブロック,train
    array,index,labels,fold               # or one row of an array file (npz: X [N, T, 12] uV, fs)
    ptbxl100_subset.npz,0,scp:NORM;scp:SR,3

An optional ``units`` column says what an array row holds: ``uV`` (default) or ``zscore`` (a
record already band-passed and z-scored per lead, no mV amplitude: usable only by an encoder
with the ``zscore`` input normalisation; an ``mv`` encoder skips such rows).

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
    has_mv: np.ndarray | None = None  # bool per record: False = z-scored source, no mV amplitude
    fold: np.ndarray | None = None  # int per record (PTB-XL strat_fold), 0 when not given

    def __post_init__(self) -> None:
        if self.has_mv is None:
            self.has_mv = np.ones(len(self.labels), dtype=bool)
        if self.fold is None:
            self.fold = np.zeros(len(self.labels), dtype=np.int16)

    def take(self, idx: np.ndarray) -> EcgSet:
        idx = np.asarray(idx, dtype=np.int64)
        assert self.has_mv is not None and self.fold is not None
        return EcgSet(self.x[idx], [self.labels[i] for i in idx], self.split[idx],
                      [self.ids[i] for i in idx], self.unknown_tokens, self.has_mv[idx],
                      self.fold[idx])

    def subset(self, split: str) -> EcgSet:
        return self.take(np.flatnonzero(self.split == split))

    def folds(self, folds: set[int]) -> EcgSet:
        assert self.fold is not None
        return self.take(np.flatnonzero(np.isin(self.fold, sorted(folds))))

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


def load_manifest(path: Path, catalog: Any, *, limit: int | None = None,
                  input_norm: str = "mv") -> EcgSet:
    """Read and preprocess every row of a manifest (rows whose ECG cannot be used are skipped
    with a warning: a training set must not stop on one bad file). ``input_norm``: the encoder's
    input normalisation (model/preprocess.py); z-scored rows are skipped for an ``mv`` encoder."""
    path = Path(path)
    rows = read_manifest(path)[:limit] if limit else read_manifest(path)
    arrays: dict[str, Any] = {}
    xs, labels, splits, ids, unknown = [], [], [], [], Counter()
    has_mv, folds, n_z_skipped = [], [], 0
    for n, row in enumerate(rows):
        mv = (row.get("units") or "uV").strip().lower() != "zscore"
        if not mv and input_norm == "mv":
            n_z_skipped += 1
            continue
        try:
            if row.get("array"):
                apath = _resolve(path, row["array"])
                if apath not in arrays:  # NpzFile re-reads a member on every access
                    with np.load(apath) as z:
                        arrays[apath] = {"X": z["X"], "fs": float(z["fs"])}
                arr = arrays[apath]
                sig = arr["X"][int(row["index"])].T.astype(np.float32)
                if mv:
                    sig = sig / 1000.0  # uV -> mV
                x = array_to_input(sig, float(arr["fs"]), input_norm=input_norm)
                rid = row.get("id") or f"{Path(apath).name}:{row['index']}"
            else:
                from ecg_viewer.io import read_ecg

                x = record_to_input(read_ecg(_resolve(path, row["path"])), input_norm)
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
        has_mv.append(mv)
        folds.append(int(float(row["fold"])) if row.get("fold") else 0)
    if n_z_skipped:
        log.info("%d z-scored rows skipped: an mV encoder cannot use them", n_z_skipped)
    if not xs:
        raise ValueError(f"no usable ECG in manifest {path}")
    if unknown:
        log.info("label tokens that map to no catalog label: %s", dict(unknown.most_common(10)))
    x_all = np.stack(xs).astype(np.float32)
    assert x_all.shape[1:] == (12, WINDOW_SAMPLES)
    return EcgSet(x_all, labels, np.array(splits), ids, unknown, np.array(has_mv, dtype=bool),
                  np.array(folds, dtype=np.int16))


def _resolve(manifest: Path, p: str) -> str:
    q = Path(p)
    return str(q if q.is_absolute() else manifest.parent / q)


PTBXL_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("ptbxl100_subset.npz", "ptbxl_labels.csv", "uV"),  # ecg_id 1-1999, int16 uV
    ("ptbxl100_extra_zscored.npz", "ptbxl_extra_labels.csv", "zscore"),  # band-passed, z-scored
)


def write_ptbxl_manifest(ptbxl_dir: Path, out: Path, *, extra: bool = False) -> Path:
    """A manifest for the PTB-XL subset (and with ``extra`` the z-scored extra records): every
    SCP code listed (likelihood 0.0 on rhythm/form statements means "not stated", so every
    listed code is kept) plus the heart axis."""
    ptbxl_dir = Path(ptbxl_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fo:
        w = csv.writer(fo)
        w.writerow(["id", "array", "index", "labels", "fold", "units"])
        for npz_name, csv_name, units in PTBXL_SOURCES[: 2 if extra else 1]:
            npz = ptbxl_dir / npz_name
            ecg_ids = np.load(npz)["ecg_id"]
            index = {int(e): i for i, e in enumerate(ecg_ids)}
            with open(ptbxl_dir / csv_name, encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    eid = int(row["ecg_id"])
                    if eid not in index:
                        continue
                    toks = [f"scp:{c}" for c in ast.literal_eval(row["scp_codes"])]
                    if row.get("heart_axis"):
                        toks.append(f"axis:{row['heart_axis']}")
                    w.writerow([f"ptbxl:{eid}", str(npz), index[eid], ";".join(toks),
                                row["strat_fold"], units])
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
