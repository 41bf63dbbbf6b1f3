"""Broader labels scored from their narrower ones (心筋梗塞 from 前壁中隔心筋梗塞, 下壁心筋梗塞 ...).

The catalog lists, per broader label, the reviewed narrower labels that each imply it
(``narrower`` in ``resources/labels/catalog.json``). A broader label that the network never
trained on would otherwise keep its zero-shot text score (（未検証）); a clinician expects it
whenever a narrower label is suggested. The fit (``python -m ecg_viewer.training.fusion fit``)
writes, per broader label with at least one validated narrower label, into ``fusion.json``::

    "derived": {"mi": {"from": ["asmi", "imi", ...], "combine": "max", "own": false,
                       "threshold": 0.154, "threshold_source": "..."}}

and this module applies it: the broader label's score is ``combine`` of the narrower labels'
calibrated probabilities (``max``: the largest; ``noisy_or``: 1 - prod(1 - p); both never below
any of them) and (``own``) never below its own score; with these its threshold is at most the
lowest threshold of its narrower labels, so it is above threshold whenever one of them is.
``max_capped`` (the other broader labels, since 2026-12-06): the max, but a narrower label
under its own threshold counts only up to just under the broader threshold, so the broader
label is above its threshold exactly when a narrower label is above its own (with the plain max
and a lower threshold, 非特異的ST-T変化 showed from a 非特異的T波異常 of 0.08 under its own 0.40,
a finding the list did not show); below its threshold the ranking is the max's.
``max_aligned`` (the D/urgent broader labels, whose narrower labels have thresholds of their
own): the largest of the narrower probabilities each shifted in logit by its own threshold onto
the broader label's, ``sigmoid(logit p_i - logit t_i + logit t)``, so the broader label is above
its threshold exactly when a narrower label is above its own (the same as ``max`` when they share
one threshold): it never raises the referral flag or names a finding by itself. Its threshold
(the fit: that of its most frequent narrower label) sets only the scale its score is read on. Its evidence
names the narrower labels behind it (``derived_from``). numpy only; Qt-free and torch-free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecg_viewer.core.prediction import Evidence, LabelScore
from ecg_viewer.labels.logit import logit, sigmoid

COMBINES = ("max", "noisy_or", "max_aligned", "max_capped")
DERIVED_KEY = "derived_from"  # evidence key: value = the narrower label id, criterion = its score
#: evidence key of a part of a label defined as findings together (二枝ブロック: complete RBBB with
#: a fascicular block; labels/criteria_table.py conjunctions): value = the label id, criterion = its score
CONJUNCTION_KEY = "conjunction_of"
#: evidence keys whose value is a catalog label id, not a measurement: one evidence line per
#: label they name (labels/criteria.py), a coded label in FHIR (report/fhir.py)
LABEL_VALUED_KEYS = frozenset({DERIVED_KEY, CONJUNCTION_KEY, "conflicts_with", "rate_variant"})


@dataclass(frozen=True)
class DerivedLabel:
    id: str
    narrower: tuple[str, ...]  # the validated narrower labels it is scored from
    combine: str  # one of COMBINES
    own: bool  # the label's own score counts too (max with it)
    threshold: float
    threshold_source: str

    @classmethod
    def from_json(cls, label_id: str, d: Mapping[str, Any]) -> DerivedLabel:
        narrower = tuple(str(i) for i in d.get("from", ()))
        combine = str(d.get("combine", "max"))
        if not narrower or combine not in COMBINES or label_id in narrower:
            raise ValueError(f"derived label {label_id!r}: needs narrower labels and a combine "
                             f"in {COMBINES}")
        return cls(label_id, narrower, combine, bool(d.get("own", False)),
                   float(d["threshold"]), str(d.get("threshold_source", "")))

    def to_json(self) -> dict[str, Any]:
        return {"from": list(self.narrower), "combine": self.combine, "own": self.own,
                "threshold": round(self.threshold, 6), "threshold_source": self.threshold_source}


def combine_scores(p: np.ndarray, how: str, thresholds: np.ndarray | None = None,
                   threshold: float | None = None) -> np.ndarray:
    """p [N, k] narrower probabilities -> [N]; NaN counts as 0. ``max_aligned`` needs the
    narrower labels' ``thresholds`` [k] and the broader label's ``threshold``."""
    p = np.clip(np.nan_to_num(np.asarray(p, dtype=np.float64), nan=0.0), 0.0, 1.0)
    if how == "max":
        return p.max(axis=1)
    if how == "max_aligned":
        if thresholds is None or threshold is None:
            raise ValueError("max_aligned needs the narrower and the broader thresholds")
        out = sigmoid(logit(p) - logit(thresholds) + logit(threshold)).max(axis=1)
        # exactly at a narrower threshold -> exactly at the broader one (no rounding below it)
        at = (p >= np.asarray(thresholds, dtype=np.float64)).any(axis=1)
        return np.where(at, np.maximum(out, threshold), np.minimum(out, np.nextafter(threshold, 0)))
    if how == "max_capped":
        if thresholds is None or threshold is None:
            raise ValueError("max_capped needs the narrower and the broader thresholds")
        # a narrower label under its own threshold counts only up to just under the broader
        # threshold: the broader label is above its threshold only through a narrower label
        # that is above its own (which, the broader threshold being at most theirs, lifts it)
        under = np.minimum(p, np.nextafter(threshold, 0))
        return np.where(p >= np.asarray(thresholds, dtype=np.float64), p, under).max(axis=1)
    if how == "noisy_or":
        return 1.0 - np.prod(1.0 - p, axis=1)
    raise ValueError(f"combine {how!r} is not one of {COMBINES}")


def derived_matrix(scores: np.ndarray, thresholds: np.ndarray, ids: Sequence[str],
                   derived: Mapping[str, DerivedLabel]) -> tuple[np.ndarray, np.ndarray]:
    """scores [N, L] and thresholds [L] (columns in ``ids`` order) with every derived label's
    column replaced by its derived score and threshold (the fit's evaluation; the app uses
    :func:`apply_derived`, the same numbers)."""
    s, t = np.array(scores, dtype=np.float64), np.array(thresholds, dtype=np.float64)
    col = {lab: j for j, lab in enumerate(ids)}
    for lab, d in derived.items():
        if lab not in col:
            continue
        cols = [col[i] for i in d.narrower if i in col]
        v = (combine_scores(s[:, cols], d.combine, t[cols], d.threshold) if cols
             else np.zeros(len(s)))
        if d.own:
            v = np.maximum(v, np.nan_to_num(s[:, col[lab]], nan=0.0))
        s[:, col[lab]], t[col[lab]] = v, d.threshold
    return s, t


def apply_derived(labels: Sequence[LabelScore], derived: Mapping[str, DerivedLabel]) -> list[LabelScore]:
    """The labels with each derived label scored from its narrower labels (same order as given;
    the caller sorts). Its evidence: the narrower labels above their thresholds (at most three),
    best first, or the best one when none is."""
    if not derived:
        return list(labels)
    by_id = {s.id: s for s in labels}
    out = []
    for s in labels:
        d = derived.get(s.id)
        if d is None:
            out.append(s)
            continue
        parts = [by_id[i] for i in d.narrower if i in by_id]
        p = np.array([[x.score for x in parts]]) if parts else np.zeros((1, 0))
        t = np.array([x.threshold for x in parts])
        score = float(combine_scores(p, d.combine, t, d.threshold)[0]) if parts else 0.0
        if d.own:
            score = max(score, float(s.score))
        ev: tuple[Evidence, ...] = ()
        if score >= d.threshold and parts:
            ranked = sorted(parts, key=lambda x: -x.score)
            above = [x for x in ranked if x.above_threshold] or ranked[:1]
            ev = tuple(Evidence(DERIVED_KEY, x.id, "", f"{x.score:.2f}", True) for x in above[:3])
        out.append(s.rescored(score, d.threshold, ev))
    return out
