"""The data the fusion is fitted and evaluated on, cached so that a refit takes seconds.

Every record of PTB-XL (both arrays, folds 1-10) and of the external CinC set (never fitted or
tuned on) with its catalog targets; the cross-fitted out-of-fold similarities (folds 1-8: each
record scored by the half-data run that did not train on it) and each half run's fold-9
similarities; the shipped model's similarities (fold 9, 10, CinC); the criteria features.

    <cache>/records.npz     ids, source, fold, has_mv, y            (written with the similarities)
    <cache>/sims.npz        sim_oof, sim_ship, sim_half<k>          (torch; slow, once per model)
    <cache>/features.npz    X [N, F], feature_names                  (the measurement code; minutes)
                            ref_meas [N, M], ref_names, ref_low [N, M'], ref_low_names: the
                            measurements the referral rules and the criteria hold-backs read
                            (labels/referral_rules.MEASUREMENTS) and which are of low confidence

The features are recomputed whenever the measurement code changed (``--refresh-features``).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.model.labelspace import label_ids, load_catalog
from ecg_viewer.signal.measure import CONF_SPREAD_MS, CONFIDENCE_KEYS
from ecg_viewer.training.data import (
    EcgSet,
    load_manifest,
    write_ptbxl_manifest,
    write_wfdb_snomed_manifest,
)

log = logging.getLogger("ecg_viewer.training")
# z-scored records (SD 1 per lead) are brought to about the size of an ECG in mV before they are
# measured (beat detection has thresholds in mV); their voltage features are None anyway
ZSCORE_TO_MV = 0.2
# the measurements whose low confidence the referral rules and the criteria hold-backs honour:
# every value ``Measurements.low_confidence`` may list
REF_LOW_NAMES = (*CONFIDENCE_KEYS, "p_present")
#: the intervals a beat-group range may be given for (``Measurements.group_range``): those the
#: groups of beats measure
RANGE_NAMES = tuple(CONF_SPREAD_MS)


def cinc_folders(shared: Path) -> list[Path]:
    return [p for p in (shared / "samples" / "wfdb_cinc2021", shared / "cinc_extra") if p.is_dir()]


def write_manifests(ptbxl: Path, shared: Path, work: Path) -> list[Path]:
    work.mkdir(parents=True, exist_ok=True)
    out = [write_ptbxl_manifest(ptbxl, work / "ptbxl_all.csv", extra=True)]
    for i, folder in enumerate(cinc_folders(shared)):
        out.append(write_wfdb_snomed_manifest(folder, work / f"cinc_{i}.csv"))
    return out


def load_all(ptbxl: Path, shared: Path, work: Path, input_norm: str,
             limit: int | None = None) -> tuple[EcgSet, np.ndarray]:
    """All records as model input + source ("ptbxl"/"cinc")."""
    catalog = load_catalog()
    sets, sources = [], []
    for m in write_manifests(ptbxl, shared, work):
        s = load_manifest(m, catalog, input_norm=input_norm, limit=limit)
        sets.append(s)
        sources += ["ptbxl" if m.name.startswith("ptbxl") else "cinc"] * len(s)
    from ecg_viewer.training.train import _concat

    data = sets[0] if len(sets) == 1 else _concat(sets)
    return data, np.array(sources)


def compute_features(rows: list[dict[str, str]]
                     ) -> tuple[np.ndarray, tuple[str, ...], float, dict[str, np.ndarray]]:
    """criteria features [N, F] (NaN = missing) for the manifest rows; seconds per record; the
    referral measurements (``ref_meas`` [N, M] of ``ref_names``, NaN = not measured) and their
    low-confidence flags (``ref_low`` [N, M'] of ``ref_low_names``), as the app passes them to
    the criteria hold-backs and the referral rules (``Measurements.to_dict()``)."""
    from ecg_viewer.labels.referral_rules import MEASUREMENTS, referral_measurements
    from ecg_viewer.signal.criteria import FEATURE_NAMES, criteria_features
    from ecg_viewer.signal.measure import measure

    arrays: dict[str, Any] = {}
    x = np.full((len(rows), len(FEATURE_NAMES)), np.nan)
    ref = np.full((len(rows), len(MEASUREMENTS)), np.nan)
    low = np.zeros((len(rows), len(REF_LOW_NAMES)), dtype=bool)
    # the (lowest, highest) over the beat groups of a value greyed for their spread (the criteria
    # decide from it where all of them meet a limit alike: Measurements.group_range)
    rng = np.full((len(rows), len(RANGE_NAMES), 2), np.nan)
    t0 = time.time()
    for i, row in enumerate(rows):
        try:
            if row.get("array"):
                if row["array"] not in arrays:
                    with np.load(row["array"]) as z:
                        arrays[row["array"]] = (z["X"], float(z["fs"]))
                from ecg_viewer.core.leads import CANONICAL_LEADS
                from ecg_viewer.core.record import EcgRecord

                arr, fs = arrays[row["array"]]
                mv = (row.get("units") or "uV").lower() != "zscore"
                sig = arr[int(row["index"])].T.astype(np.float32)
                sig = sig / 1000.0 if mv else sig * ZSCORE_TO_MV
                rec = EcgRecord(np.ascontiguousarray(sig), fs, tuple(CANONICAL_LEADS))
            else:  # a file: read as the app reads it, at its own rate
                from ecg_viewer.io import read_ecg

                rec, mv = read_ecg(row["path"]), True
            meas = measure(rec)
            cf = criteria_features(rec, meas, amplitude_valid=mv)
            x[i] = cf.as_vector()
            md = referral_measurements(meas.to_dict(), cf.values) or {}
            ref[i] = [np.nan if not isinstance(md.get(k), int | float) or isinstance(md.get(k), bool)
                      else float(md[k]) for k in MEASUREMENTS]
            low[i] = [k in set(md.get("low_confidence") or ()) for k in REF_LOW_NAMES]
            for j, k in enumerate(RANGE_NAMES):
                if k in (md.get("range") or {}):
                    rng[i, j] = md["range"][k]
        except Exception as exc:  # one bad record must not stop the cache
            log.warning("features of row %d (%s) not computed: %s", i, row.get("id"), exc)
        if (i + 1) % 500 == 0:
            log.info("features %d/%d (%.0f ms per record)", i + 1, len(rows),
                     1000 * (time.time() - t0) / (i + 1))
    extra = {"ref_meas": ref, "ref_names": np.array(MEASUREMENTS), "ref_low": low,
             "ref_low_names": np.array(REF_LOW_NAMES), "ref_range": rng,
             "ref_range_names": np.array(RANGE_NAMES)}
    return x, tuple(FEATURE_NAMES), (time.time() - t0) / max(len(rows), 1), extra


def save_records(cache: Path, data: EcgSet, sources: np.ndarray) -> None:
    ids = label_ids(load_catalog())
    cache.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(cache / "records.npz", ids=np.array(data.ids), source=sources,
                        fold=data.fold, has_mv=data.has_mv, y=data.targets(ids).astype(np.uint8),
                        label_ids=np.array(ids))


def load_cache(cache: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("records", "sims", "features"):
        p = cache / f"{name}.npz"
        if p.is_file():
            with np.load(p, allow_pickle=False) as z:
                out.update({k: z[k] for k in z.files})
    meta = cache / "meta.json"
    if meta.is_file():
        out["meta"] = json.loads(meta.read_text(encoding="utf-8"))
    return out


def aligned_features(c: dict[str, Any]) -> np.ndarray:
    """features.npz rows in records.npz order (NaN where a record has none)."""
    pos = {str(i): k for k, i in enumerate(c["feature_ids"])}
    x = np.full((len(c["ids"]), c["X"].shape[1]), np.nan)
    for r, rid in enumerate(c["ids"]):
        k = pos.get(str(rid))
        if k is not None:
            x[r] = c["X"][k]
    return x


def training_rows(c: dict[str, Any]) -> np.ndarray:
    """The fusion's training records: PTB-XL folds 1-8 with out-of-fold similarities."""
    fold = c["fold"]
    return ((c["source"] == "ptbxl") & (fold >= 1) & (fold <= 8)
            & np.isfinite(c["zsim_oof"]).all(axis=1))
