"""Catalog labels at a given score and threshold, for the criteria tests that build them by hand."""

from __future__ import annotations

from collections.abc import Iterable

from ecg_viewer.core.prediction import LabelScore
from ecg_viewer.labels.catalog import load_catalog

CATALOG = {lab.id: lab for lab in load_catalog().labels}


def score(label_id: str, s: float, thr: float = 0.4, sim: float = 0.2) -> LabelScore:
    """The catalog label ``label_id`` at score ``s`` against threshold ``thr``."""
    lab = CATALOG[label_id]
    return LabelScore(lab.id, lab.ja, lab.en, sim, s, thr, lab.category)


def one(out: Iterable[LabelScore], label_id: str) -> LabelScore:
    """The label ``label_id`` among ``out``."""
    return next(s for s in out if s.id == label_id)
