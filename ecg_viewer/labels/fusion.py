"""One calibrated probability per label from the model's similarity and the ECG criteria features.

numpy only (no torch, no Qt). The fusion is fitted by ``python -m ecg_viewer.training.fusion``
and shipped as plain JSON (``model_weights/fusion.json``) with the trees' arrays in
``fusion_trees.safetensors`` (no pickle), both under the sha256 of the weights manifest. Three kinds (``"model"`` in the JSON; fold 9 chooses which one is shipped):

``"gbm"`` (gradient-boosted trees): per fused label, trees over
``[zsim_l, x_1 .. x_F]`` (raw feature values, NaN = missing; each split stores where a missing
value goes); ``p_l = sigmoid(baseline_l + sum of the trees' leaf values)``.

``"logistic"`` (two-stage logistic regression): per fused label ``l``::

    p_l = sigmoid(b_l + w_l * zsim_l + sum_i c_li * xstd_i + sum_i m_li * missing_i)
    zsim_l = (similarity_l - sim_center_l) / sim_scale_l
    xstd_i = clip((x_i - mean_i) / sd_i, -clip, clip), 0 where feature i is missing (mean-imputed)

``"blend"``: both per label, the logistic regression and the trees, and the probability from
the weighted mean of their logits, ``p_l = sigmoid(w * z_logistic + (1 - w) * z_trees)`` with
``w = logistic_weight`` (0.5): two different learners of the same inputs err differently, and
fold 9 chooses the blend only when it beats both (``training/fusion.py``).

``sim_center``/``sim_scale`` standardise the similarity of the model that is shipped (its
spread differs from the cross-fitted models the fusion was fitted on). Voltage features
(``*_mv``, axes, Q-wave and low-voltage flags) carry no missing-indicator term: their weights
were fitted on records with mV amplitude only, so a record whose amplitude is unknown simply
gets no voltage contribution. Labels the fusion does not cover (too few training positives,
or never trained) keep the model's own calibrated score and threshold.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.hashing import sha256_file
from ecg_viewer.core.prediction import Evidence, LabelScore, Prediction
from ecg_viewer.labels.derived import DerivedLabel, apply_derived
from ecg_viewer.labels.fusion_evidence import YES_NO, relevant_features
from ecg_viewer.labels.logit import sigmoid
from ecg_viewer.labels.referral import CombinationRule

log = logging.getLogger(__name__)

FUSION_FILE = "fusion.json"
FUSION_FORMAT = 1
MANIFEST = "manifest.json"
#: the arrays of one label's trees in ``fusion_trees.safetensors`` (``<label>/<name>``)
TREE_ARRAYS = ("feature", "threshold", "missing_left", "left", "right", "value")


def mix_logits(z_linear: np.ndarray, z_trees: np.ndarray, w: float) -> np.ndarray:
    """The blend's logit: the logistic regression's share ``w`` and the trees' ``1 - w``."""
    return w * z_linear + (1.0 - w) * z_trees


class FusionError(EcgError, RuntimeError):
    """The shipped fusion is missing, altered (hash mismatch) or does not fit the code."""


@dataclass(frozen=True)
class Trees:
    """All trees of one label, padded to one node count: [n_trees, n_nodes] arrays."""

    feature: np.ndarray  # -1 = leaf; 0 = the standardised similarity, i >= 1: feature i - 1
    threshold: np.ndarray  # x <= threshold goes left
    missing_left: np.ndarray  # bool
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray  # leaf values
    baseline: float

    @classmethod
    def from_json(cls, d: dict[str, Any], n_inputs: int) -> Trees:
        """From a label's inline JSON trees (``"trees"``: per tree six lists): the form
        ``training/fusion_fit.gbm_to_json`` writes and the tests use; the shipped trees are
        binary arrays (:meth:`from_arrays`)."""
        trees = d["trees"]
        m = max(len(t[0]) for t in trees)
        arr = np.zeros((6, len(trees), m))
        arr[0] = -1
        for k, t in enumerate(trees):
            for i in range(6):
                arr[i, k, : len(t[i])] = t[i]
        return cls.from_arrays(dict(zip(TREE_ARRAYS, arr, strict=True)), float(d["baseline"]),
                               n_inputs)

    @classmethod
    def from_arrays(cls, a: Mapping[str, np.ndarray], baseline: float, n_inputs: int) -> Trees:
        """From the [n_trees, n_nodes] arrays named in :data:`TREE_ARRAYS` (``fusion_trees.
        safetensors``: no text to parse), checked to fit the inputs and their own node count."""
        try:
            feat = np.asarray(a["feature"]).astype(np.int64)
            left, right = np.asarray(a["left"]).astype(np.int64), np.asarray(a["right"]).astype(np.int64)
            threshold = np.asarray(a["threshold"], dtype=np.float64)
            missing_left = np.asarray(a["missing_left"]) > 0
            value = np.asarray(a["value"], dtype=np.float64)
        except KeyError as exc:
            raise FusionError("fusion.mismatch", detail=f"tree array {exc} missing") from exc
        if feat.ndim != 2 or any(v.shape != feat.shape for v in (left, right, threshold,
                                                                  missing_left, value)):
            raise FusionError("fusion.mismatch", detail="tree arrays of different shapes")
        m = feat.shape[1]
        inner = feat >= 0
        if (feat >= n_inputs).any() or (inner & ((left >= m) | (right >= m) | (left < 0) | (right < 0))).any():
            raise FusionError("fusion.mismatch", detail="a tree does not fit the feature list")
        return cls(feat, threshold, missing_left, left, right, value, float(baseline))

    def raw(self, xt: np.ndarray) -> np.ndarray:
        """xt [N, n_inputs] -> the summed leaf values + baseline [N]."""
        n, t = len(xt), self.feature.shape[0]
        ti = np.arange(t)[None, :]
        node = np.zeros((n, t), dtype=np.int64)
        for _ in range(self.feature.shape[1]):
            f = self.feature[ti, node]
            active = f >= 0
            if not active.any():
                break
            xv = np.take_along_axis(xt, np.where(active, f, 0), axis=1)
            go_left = np.where(np.isnan(xv), self.missing_left[ti, node], xv <= self.threshold[ti, node])
            node = np.where(active, np.where(go_left, self.left[ti, node], self.right[ti, node]), node)
        return self.baseline + self.value[ti, node].sum(axis=1)


@dataclass(frozen=True)
class Forest:
    """The trees of every fused label as one set, run in one pass for all labels: what
    :meth:`Trees.raw` gives label by label (the same node walk, the same comparisons; each
    label's leaf values summed over a contiguous copy of its own trees, as there), with one
    round of indexing per tree level instead of one per level and label.

    The input ``xt`` is ``[N, n_labels + n_features]``: the standardised similarity of label
    ``l`` in column ``l``, the features after them."""

    feature: np.ndarray  # [n_trees, n_nodes]: -1 leaf, else the column of xt
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    spans: tuple[tuple[int, int], ...]  # trees of label l: spans[l][0] .. spans[l][1]
    baselines: tuple[float, ...]

    @classmethod
    def of(cls, trees: Sequence[Trees]) -> Forest:
        m = max(t.feature.shape[1] for t in trees)

        def pad(a: np.ndarray, fill: float | int | bool) -> np.ndarray:
            out = np.full((a.shape[0], m), fill, dtype=a.dtype)
            out[:, : a.shape[1]] = a
            return out

        n_labels = len(trees)
        feats, spans, start = [], [], 0
        for li, t in enumerate(trees):
            # column 0 of a label's own input (its similarity) -> column li; feature i -> L + i - 1
            feats.append(pad(np.where(t.feature < 0, -1, np.where(t.feature == 0, li,
                                                                   t.feature - 1 + n_labels)), -1))
            spans.append((start, start + t.feature.shape[0]))
            start += t.feature.shape[0]
        return cls(np.concatenate(feats), np.concatenate([pad(t.threshold, 0.0) for t in trees]),
                   np.concatenate([pad(t.missing_left, False) for t in trees]),
                   np.concatenate([pad(t.left, 0) for t in trees]),
                   np.concatenate([pad(t.right, 0) for t in trees]),
                   np.concatenate([pad(t.value, 0.0) for t in trees]), tuple(spans),
                   tuple(t.baseline for t in trees))

    def raw(self, xt: np.ndarray) -> list[np.ndarray]:
        """xt [N, n_labels + n_features] -> per label the summed leaf values + baseline [N].
        Walks only the (row, tree) pairs still at an inner node, by flat node index."""
        n, (t, m) = len(xt), self.feature.shape
        start = np.arange(t, dtype=np.int64) * m  # each tree's root in the flat arrays
        pos = np.broadcast_to(start, (n, t)).ravel().copy()  # [N * t] flat node of each pair
        rows = np.repeat(np.arange(n, dtype=np.int64), t)
        base = np.tile(start, n)
        feature, threshold = self.feature.ravel(), self.threshold.ravel()
        missing_left, left, right = self.missing_left.ravel(), self.left.ravel(), self.right.ravel()
        todo = np.arange(n * t, dtype=np.int64)
        for _ in range(m):
            f = feature[pos[todo]]
            inner = f >= 0
            if not inner.any():
                break
            todo, f = todo[inner], f[inner]
            p = pos[todo]
            xv = xt[rows[todo], f]
            go_left = np.where(np.isnan(xv), missing_left[p], xv <= threshold[p])
            pos[todo] = base[todo] + np.where(go_left, left[p], right[p])
        leaves = self.value.ravel()[pos].reshape(n, t)
        return [b + np.ascontiguousarray(leaves[:, a:e]).sum(axis=1)
                for (a, e), b in zip(self.spans, self.baselines, strict=True)]


@dataclass(frozen=True)
class FusedLabel:
    intercept: float
    sim_coef: float
    sim_center: float
    sim_scale: float
    coef: np.ndarray  # [n_features] on standardised features
    miss_coef: np.ndarray  # [n_features] on the missing indicators
    threshold: float
    threshold_source: str
    trees: Trees | None = None  # set for the "gbm" and "blend" kinds

    def linear(self, zsim: np.ndarray, xs: np.ndarray, miss: np.ndarray) -> np.ndarray:
        """The logistic regression's logit (standardised features and missing indicators)."""
        return self.intercept + self.sim_coef * zsim + xs @ self.coef + miss @ self.miss_coef


@dataclass(frozen=True)
class Fusion:
    feature_names: tuple[str, ...]
    mean: np.ndarray
    sd: np.ndarray
    labels: dict[str, FusedLabel]
    info: dict[str, Any]
    clip: float = 5.0
    # broader labels scored from their narrower ones (labels/derived.py), by label id
    derived: dict[str, DerivedLabel] = field(default_factory=dict)
    # the logistic regression's share of the logit: 1 for "logistic", 0 for "gbm", w for "blend"
    logistic_weight: float = 1.0
    # the referral's combination rule (labels/referral.py), when the fit shipped one
    combination: CombinationRule | None = None

    def vector(self, features: Any) -> np.ndarray:
        """The fitted feature order from a CriteriaFeatures (``.values``), a mapping, or an
        array already in :attr:`feature_names` order; None/NaN = missing."""
        if isinstance(features, np.ndarray):
            x = np.asarray(features, dtype=np.float64)
            if x.shape[-1] != len(self.feature_names):
                raise FusionError("fusion.mismatch", detail=f"{x.shape[-1]} features, "
                                  f"expected {len(self.feature_names)}")
            return x
        values = features.values if hasattr(features, "values") and not isinstance(
            features, Mapping) else features
        values = values or {}
        out = np.full(len(self.feature_names), np.nan)
        for i, name in enumerate(self.feature_names):
            v = values.get(name)
            if v is not None:
                try:
                    out[i] = float(v)
                except (TypeError, ValueError):
                    log.warning("fusion: feature %s is not a number (%r); taken as missing",
                                name, v)
        return out

    def standardise(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(xstd, missing) for x [..., n_features]."""
        miss = ~np.isfinite(x)
        xs = np.where(miss, 0.0, (np.where(miss, 0.0, x) - self.mean) / self.sd)
        return np.clip(xs, -self.clip, self.clip), miss.astype(np.float64)

    @functools.cached_property
    def forest(self) -> Forest | None:
        """The trees of every label as one :class:`Forest` (None for the logistic kind)."""
        trees = [f.trees for f in self.labels.values()]
        if not trees or any(t is None for t in trees):
            return None
        return Forest.of(trees)  # type: ignore[arg-type]

    def probabilities(self, similarity: np.ndarray, x: np.ndarray) -> dict[str, np.ndarray]:
        """Every fused label at once: similarity [N, n_labels] (columns in :attr:`labels`
        order), x [N, n_features] -> label -> probability [N], each the very numbers of
        :meth:`probability` for that label."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        forest = self.forest
        if forest is None:
            return {lab: self.probability(lab, similarity[:, j], x)
                    for j, lab in enumerate(self.labels)}
        zsim = [(np.asarray(similarity[:, j], float) - f.sim_center) / f.sim_scale
                for j, f in enumerate(self.labels.values())]
        xt = np.hstack([np.stack(zsim, axis=1).reshape(len(x), -1), x])
        raw = forest.raw(xt)
        if self.logistic_weight > 0.0:
            xs, miss = self.standardise(x)
            raw = [self._mix(f.linear(z, xs, miss), r)
                   for f, z, r in zip(self.labels.values(), zsim, raw, strict=True)]
        return {lab: sigmoid(z) for lab, z in zip(self.labels, raw, strict=True)}

    def _mix(self, z_linear: np.ndarray, z_trees: np.ndarray) -> np.ndarray:
        return mix_logits(z_linear, z_trees, self.logistic_weight)

    def probability(self, label_id: str, similarity: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Vectorised: similarity [N], x [N, n_features] -> probability [N]."""
        f = self.labels[label_id]
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        zsim = (np.asarray(similarity, float) - f.sim_center) / f.sim_scale
        if f.trees is None:
            xs, miss = self.standardise(x)
            z = f.linear(zsim, xs, miss)
        else:
            z = f.trees.raw(np.hstack([zsim.reshape(-1, 1), x]))
            if self.logistic_weight > 0.0:
                xs, miss = self.standardise(x)
                z = self._mix(f.linear(zsim, xs, miss), z)
        return sigmoid(z)

    def apply(self, prediction: Prediction, features: Any) -> Prediction:
        return apply_fusion(prediction, features, self)


def fusion_from_dict(d: dict[str, Any], tree_arrays: Mapping[str, np.ndarray] | None = None) -> Fusion:
    """The fusion from its JSON; a label's trees are inline (``"trees"``) or, when the JSON names
    a ``trees_file``, in ``tree_arrays`` (that file's arrays, ``<label>/<name>``)."""
    if d.get("format") != FUSION_FORMAT:
        raise FusionError("fusion.mismatch", detail=f"format {d.get('format')} (expected {FUSION_FORMAT})")
    names = tuple(d["feature_names"])
    n = len(names)
    mean = np.asarray(d["mean"], dtype=np.float64)
    sd = np.asarray(d["sd"], dtype=np.float64)
    if mean.shape != (n,) or sd.shape != (n,) or not np.all(sd > 0):
        raise FusionError("fusion.mismatch", detail="feature scaling does not fit the feature list")
    labels = {}
    kind = d.get("model", "logistic")
    if kind not in ("logistic", "gbm", "blend"):
        raise FusionError("fusion.mismatch", detail=f"model kind {kind!r}")
    weight = {"logistic": 1.0, "gbm": 0.0}.get(kind, d.get("logistic_weight"))
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0.0 <= weight <= 1.0:
        raise FusionError("fusion.mismatch", detail=f"logistic_weight {weight!r}")
    for lab, e in d["labels"].items():
        trees = None
        if kind != "logistic":
            if "trees" in e:
                trees = Trees.from_json(e, n + 1)
            elif tree_arrays is not None and isinstance(e.get("baseline"), (int, float)):
                trees = Trees.from_arrays({k: tree_arrays[f"{lab}/{k}"] for k in TREE_ARRAYS
                                           if f"{lab}/{k}" in tree_arrays}, e["baseline"], n + 1)
            else:
                raise FusionError("fusion.mismatch", detail=f"{lab}: no trees")
        coef = np.asarray(e.get("coef", np.zeros(n)), dtype=np.float64)
        miss = np.asarray(e.get("miss_coef", np.zeros(n)), dtype=np.float64)
        if coef.shape != (n,) or miss.shape != (n,):
            raise FusionError("fusion.mismatch", detail=f"{lab}: coefficients do not fit the features")
        labels[lab] = FusedLabel(float(e.get("intercept", 0.0)), float(e.get("sim_coef", 0.0)),
                                 float(e["sim_center"]), float(e["sim_scale"]) or 1.0, coef, miss,
                                 float(e["threshold"]), str(e.get("threshold_source", "")), trees)
    try:
        derived = {lab: DerivedLabel.from_json(lab, e) for lab, e in d.get("derived", {}).items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise FusionError("fusion.mismatch", detail=f"derived labels: {exc}") from exc
    if set(derived) & set(labels):
        raise FusionError("fusion.mismatch", detail="a label is both fused and derived")
    combination = None
    if d.get("referral_combination") is not None:
        try:
            combination = CombinationRule.from_json(d["referral_combination"])
        except (KeyError, TypeError, ValueError) as exc:
            raise FusionError("fusion.mismatch", detail=f"referral combination: {exc}") from exc
        unknown = set(combination.labels) - set(labels)
        if unknown or combination.normal_label not in labels:
            raise FusionError("fusion.mismatch", detail="referral combination: labels outside "
                              f"the fusion {sorted(unknown) or [combination.normal_label]}")
    return Fusion(names, mean, sd, labels, {k: v for k, v in d.items() if k not in
                                            ("labels", "mean", "sd", "feature_names", "derived",
                                             "referral_combination")},
                  float(d.get("clip", 5.0)), derived, float(weight), combination)


def load_fusion(weights_dir: str | Path) -> Fusion | None:
    """The fusion shipped in ``weights_dir`` (None when the manifest names none). Its file, its
    trees file (``fusion_trees`` in the manifest) and ``metrics.json`` are checked against the
    manifest's sha256; a mismatch raises FusionError."""
    d = Path(weights_dir)
    mpath = d / MANIFEST
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FusionError("fusion.missing", file=str(mpath)) from exc
    name = manifest.get("fusion")
    if not name:
        return None
    files = manifest.get("files", {})
    trees_file = manifest.get("fusion_trees")
    for fname in (name, "metrics.json", *([trees_file] if trees_file else [])):
        if fname not in files and fname == "metrics.json" and not (d / fname).exists():
            continue
        path = d / fname
        if fname not in files:
            raise FusionError("fusion.hash", file=str(path))
        if not path.is_file():
            raise FusionError("fusion.missing", file=str(path))
        if sha256_file(path) != files[fname]:
            raise FusionError("fusion.hash", file=str(path))
    try:
        data = json.loads((d / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FusionError("fusion.mismatch", detail=f"{name}: {exc}") from exc
    arrays = None
    if data.get("trees_file"):
        if data["trees_file"] != trees_file:
            raise FusionError("fusion.hash", file=str(d / str(data["trees_file"])))
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        try:
            arrays = load_file(str(d / trees_file))
        except (OSError, SafetensorError) as exc:
            raise FusionError("fusion.mismatch", detail=f"{trees_file}: {exc}") from exc
    return fusion_from_dict(data, arrays)


_UNITS = (("_mv_ms", "mV·ms"), ("_ms", "ms"), ("_mv", "mV"), ("_bpm", "/min"), ("_deg", "°"))


def _evidence(fusion: Fusion, lab: str, sim: float, x: np.ndarray) -> tuple[Evidence, ...]:
    """The similarity and (logistic and blend kinds) up to three measured features whose
    logistic terms pushed this label's probability toward it the most (their share of the
    logit), among those a clinician reads the finding from
    (``resources/labels/fusion_evidence.json``); the criteria behind a label are added by
    labels/criteria.py."""
    f = fusion.labels[lab]
    out = [Evidence("similarity", round(float(sim), 3), "", "model", True)]
    if fusion.logistic_weight <= 0.0:
        return tuple(out)
    relevant = relevant_features(lab)
    xs, _ = fusion.standardise(x)
    # a missing feature has no value to show, whatever its missing-indicator weight says
    contrib = np.where(np.isfinite(x), xs * f.coef * fusion.logistic_weight, 0.0)
    for i in np.argsort(-contrib):
        if len(out) > 3 or contrib[i] < 0.1:
            break
        name = fusion.feature_names[i]
        if name not in relevant:
            continue
        v = x[i]
        unit = next((u for s, u in _UNITS if name.endswith(s)), "")
        value: float | bool = bool(v >= 0.5) if name in YES_NO else round(float(v), 3)
        out.append(Evidence(name, value, unit, "fusion", True))
    return tuple(out)


def apply_fusion(prediction: Prediction, features: Any, fusion: Fusion | None) -> Prediction:
    """``prediction`` with ``score`` = the fused probability and ``threshold`` = the fusion's
    threshold for every fused label (``similarity`` kept; other labels unchanged), re-ordered
    best first as the Predictor orders (score, then similarity). ``features``: CriteriaFeatures,
    a name -> value mapping, or None (every feature missing)."""
    if fusion is None:
        return prediction
    return apply_fusion_batch([prediction], [features], fusion)[0]


def apply_fusion_batch(predictions: Sequence[Prediction], features: Sequence[Any],
                       fusion: Fusion | None) -> list[Prediction]:
    """:func:`apply_fusion` for many predictions at once (``features[i]`` belongs to
    ``predictions[i]``): each label's trees run once over all rows instead of once per ECG, with
    the same result, prediction for prediction (the batch engine, pipeline/batch.py)."""
    if fusion is None or not predictions:
        return list(predictions)
    xs = np.stack([fusion.vector(f if f is not None else {}) for f in features])
    sims = [{ls.id: ls.similarity for ls in p.labels} for p in predictions]
    sim = np.array([[s.get(lab, 0.0) for lab in fusion.labels] for s in sims], dtype=np.float64)
    probs = fusion.probabilities(sim.reshape(len(predictions), len(fusion.labels)), xs)
    out = []
    for i, prediction in enumerate(predictions):
        new = []
        for ls in prediction.labels:
            f = fusion.labels.get(ls.id)
            if f is None:
                new.append(ls)
                continue
            p = float(probs[ls.id][i])
            ev = ls.evidence or (_evidence(fusion, ls.id, ls.similarity, xs[i])
                                 if p >= f.threshold else ())
            new.append(ls.rescored(p, f.threshold, ev))
        new = apply_derived(new, fusion.derived)
        new.sort(key=lambda s: (-s.score, -s.similarity))
        out.append(Prediction(labels=tuple(new), model=prediction.model))
    return out


def fused_label_ids(fusion: Fusion | None) -> tuple[str, ...]:
    return tuple(fusion.labels) if fusion else ()


def label_score_source(fusion: Fusion | None, ls: LabelScore) -> str:
    """"fusion" when the label's score comes from the fusion, "derived" when from its narrower
    labels (labels/derived.py), else "model"."""
    if fusion is not None and ls.id in fusion.derived:
        return "derived"
    return "fusion" if fusion is not None and ls.id in fusion.labels else "model"
