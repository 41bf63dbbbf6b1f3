"""Monotone constraints of the fusion's trees (``resources/labels/fusion_monotone.json``).

The trees learn from a few hundred positives per label; left free, a split can make a label
*less* likely at a higher similarity to its text, or 洞頻脈 less likely at a faster rate, where
the training set happens to be thin. Such a step is noise that does not transfer to another
hospital's ECGs. The table says, per fused label, which way the similarity (always up) and the
measurements a published criterion rests on may move its probability; scikit-learn's
``monotonic_cst`` holds the trees to it. Training-side only: the shipped fusion records the table
it was fitted with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.core.paths import resources_dir
from ecg_viewer.labels.referral_rules import RulesError, read_rule_table


def default_monotone_path() -> Path:
    return resources_dir() / "labels" / "fusion_monotone.json"


@dataclass(frozen=True)
class MonotoneTable:
    version: str
    similarity: int  # +1: the similarity may only raise a label's probability; 0: free
    labels: dict[str, dict[str, int]]  # label id -> feature name -> +1 / -1

    def constraints(self, label_id: str, feature_names: Sequence[str],
                    with_similarity: bool) -> list[int]:
        """``monotonic_cst`` for one label's trees: one entry per input column ([similarity,]
        then the features in ``feature_names`` order), 0 where free."""
        per = self.labels.get(label_id, {})
        out = [self.similarity] if with_similarity else []
        return out + [per.get(name, 0) for name in feature_names]

    def columns(self, ids: Sequence[str], cols: Sequence[int],
                feature_names: Sequence[str]) -> dict[int, list[int]]:
        """:meth:`constraints` (with the similarity) of each label column in ``cols`` of the
        label space ``ids``: what the fit functions take (training/fusion_fit.py)."""
        return {j: self.constraints(ids[j], feature_names, True) for j in cols}

    def as_json(self) -> dict[str, object]:
        return {"version": self.version, "similarity": self.similarity, "labels": self.labels}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> MonotoneTable:
        """The table as :meth:`as_json` wrote it (the shipped fusion records it)."""
        return cls(str(d["version"]), int(d["similarity"]),
                   {k: {f: int(v) for f, v in feats.items()} for k, feats in d["labels"].items()})


def load_monotone(path: str | Path | None = None, *, label_ids: Sequence[str] | None = None,
                  feature_names: Sequence[str] | None = None) -> MonotoneTable:
    """Read and validate the table; with ``label_ids`` / ``feature_names`` every label and
    feature it names must be one of them (a renamed feature must not silently free a label)."""
    file = Path(path) if path is not None else default_monotone_path()
    raw = read_rule_table(file)
    sim = raw.get("similarity")
    if sim not in (0, 1) or isinstance(sim, bool):
        raise RulesError(file, "'similarity' must be 1 (only raises) or 0 (free)")
    entries = raw.get("labels")
    if not isinstance(entries, dict):
        raise RulesError(file, "'labels' must be an object: label id -> {features, source}")
    labels: dict[str, dict[str, int]] = {}
    for lab, entry in entries.items():
        where = f"label '{lab}'"
        if label_ids is not None and lab not in label_ids:
            raise RulesError(file, f"{where} is not in the catalog")
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), str) \
                or not entry["source"].strip():
            raise RulesError(file, f"{where}: needs 'features' and a non-empty 'source'")
        feats = entry.get("features")
        if not isinstance(feats, dict) or not feats:
            raise RulesError(file, f"{where}: 'features' must map feature names to +1 or -1")
        for name, sign in feats.items():
            if sign not in (1, -1) or isinstance(sign, bool):
                raise RulesError(file, f"{where}: feature '{name}' must be +1 or -1, got {sign!r}")
            if feature_names is not None and name not in feature_names:
                raise RulesError(file, f"{where}: '{name}' is not a criteria feature")
        labels[lab] = dict(feats)
    return MonotoneTable(raw["version"], int(sim), labels)


def record_inputs(files: Sequence[Path], fusion: Any, predictors: dict[str, Any],
                  max_s: float = 60.0) -> tuple[np.ndarray, dict[str, np.ndarray], int]:
    """What :func:`wrong_way_drops` sweeps, from ECG files: the fusion's feature vector of each
    readable file (its first ``max_s`` seconds) and, per predictor, the label similarities of
    its own ECG model [records, labels]. Returns (features, {name: similarities}, files that
    could not be read or measured)."""
    from ecg_viewer.io import read_ecg
    from ecg_viewer.signal.criteria import criteria_features
    from ecg_viewer.signal.measure import measure

    xs: list[np.ndarray] = []
    sims: dict[str, list[np.ndarray]] = {k: [] for k in predictors}
    skipped = 0
    for f in files:
        try:
            rec = read_ecg(f)
            if rec.duration_s > max_s:
                rec = rec.with_signal(rec.signal_mv[:, : int(max_s * rec.fs_hz)])
            feats = criteria_features(rec, measure(rec))
            s = {k: p.similarities(p.model_input(rec)[None])[0] for k, p in predictors.items()}
        except Exception:  # an unreadable or too short record: counted, not swept
            skipped += 1
            continue
        xs.append(fusion.vector(feats))
        for k in predictors:
            sims[k].append(s[k])
    return np.array(xs), {k: np.array(v) for k, v in sims.items()}, skipped


def wrong_way_drops(fusion: Any, table: MonotoneTable, similarity: dict[str, np.ndarray],
                    x: np.ndarray, tol: float = 0.02, points: int = 25) -> list[dict[str, Any]]:
    """How a shipped fusion moves against the table on real records: per fused label and
    constrained input (the similarity, then the table's features), each record's input is swept
    over a grid with everything else kept (the similarity over the label's fold-9 median ± 3
    SD; a feature over its 2nd-98th percentile among ``x``'s records that have it, those records
    only) and the largest single step against the input's direction is taken. Returns one row per
    (label, input): ``records`` swept, ``wrong`` (records with such a step over ``tol``) and
    ``worst`` (the largest step). ``similarity``: label id -> raw cosine similarity [N]."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    names = list(fusion.feature_names)
    out: list[dict[str, Any]] = []

    def sweep(label: str, sim: np.ndarray, xs: np.ndarray, col: int | None,
              grid: np.ndarray, sign: int) -> np.ndarray:
        probs = []
        for g in grid:
            if col is None:
                probs.append(fusion.probability(label, np.full(len(xs), g), xs))
            else:
                xg = xs.copy()
                xg[:, col] = g
                probs.append(fusion.probability(label, sim, xg))
        steps = np.diff(np.stack(probs, axis=1), axis=1) * sign
        return (-steps).clip(min=0.0).max(axis=1)

    for label, f in fusion.labels.items():
        sim = np.asarray(similarity[label], dtype=np.float64)
        inputs: list[tuple[str, int]] = [("similarity", table.similarity)] if table.similarity else []
        inputs += list(table.labels.get(label, {}).items())
        for name, sign in inputs:
            if name == "similarity":
                grid = f.sim_center + f.sim_scale * np.linspace(-3.0, 3.0, points)
                drop = sweep(label, sim, x, None, grid, sign)
            else:
                col = names.index(name)
                have = np.isfinite(x[:, col])
                if not have.any():
                    continue
                lo, hi = np.percentile(x[have, col], [2.0, 98.0])
                grid = np.array([0.0, 1.0]) if lo == hi else np.linspace(lo, hi, points)
                drop = sweep(label, sim[have], x[have], col, grid, sign)
            out.append({"label": label, "input": name, "sign": sign, "records": int(drop.size),
                        "wrong": int((drop > tol).sum()),
                        "worst": float(drop.max()) if drop.size else 0.0})
    return out
