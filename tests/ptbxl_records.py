"""PTB-XL records of ../shared/data/ptbxl as EcgRecords, with their SCP statements (test helper)."""

from __future__ import annotations

import ast
import csv
from functools import lru_cache
from pathlib import Path

import numpy as np

from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.core.record import EcgRecord


@lru_cache(maxsize=2)
def _npz(path: str) -> dict[str, np.ndarray]:
    z = np.load(path)
    return {k: z[k] for k in z.files}


@lru_cache(maxsize=2)
def labels(csv_path: str) -> dict[int, tuple[dict[str, float], int]]:
    """ecg_id -> (scp_codes, strat_fold)."""
    out = {}
    with open(csv_path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[int(row["ecg_id"])] = (ast.literal_eval(row["scp_codes"]), int(row["strat_fold"]))
    return out


def ptbxl_records(
    shared_data: Path, *, codes: set[str] | None = None, fold: int | None = None,
    exclude: set[str] | None = None, min_likelihood: float = 0.0, limit: int | None = None,
    zscored: bool = False,
) -> list[tuple[int, EcgRecord, dict[str, float]]]:
    """(ecg_id, record, scp_codes) of the subset (mV) or of the z-scored extra set, filtered by
    statements (any of ``codes`` at ``min_likelihood`` or more; none of ``exclude``) and fold."""
    d = shared_data / "ptbxl"
    npz = d / ("ptbxl100_extra_zscored.npz" if zscored else "ptbxl100_subset.npz")
    lab = labels(str(d / ("ptbxl_extra_labels.csv" if zscored else "ptbxl_labels.csv")))
    z = _npz(str(npz))
    scale = 1.0 if zscored else 1000.0
    out = []
    for i, eid in enumerate(z["ecg_id"]):
        scp, f = lab.get(int(eid), ({}, -1))
        if fold is not None and f != fold:
            continue
        if codes is not None and not any(scp.get(c, -1.0) >= min_likelihood for c in codes):
            continue
        if exclude and set(scp) & exclude:
            continue
        sig = z["X"][i].T.astype(np.float32) / scale
        rec = EcgRecord(sig, float(z["fs"]), tuple(CANONICAL_LEADS), source_path=f"ptbxl:{eid}")
        out.append((int(eid), rec, scp))
        if limit is not None and len(out) >= limit:
            break
    return out
