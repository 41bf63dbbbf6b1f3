"""The shipped weights and fusion load as a fresh install would load them (every file, fusion.json
and metrics.json included, checked against the manifest's sha256), the fusion fits the current
criteria features, and a real record gets fused, calibrated probabilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.io import read_ecg
from ecg_viewer.labels.fusion import apply_fusion, load_fusion
from ecg_viewer.model.weights import read_manifest
from ecg_viewer.signal.criteria import FEATURE_NAMES, criteria_features
from ecg_viewer.signal.measure import measure

SAMPLES = Path(__file__).resolve().parents[1] / "resources" / "samples"


def test_shipped_fusion_and_weights_load_and_fuse_a_real_record():
    from ecg_viewer.model.predictor import Predictor

    weights = model_weights_dir()
    manifest = read_manifest(weights)
    assert {"fusion.json", "metrics.json"} <= set(manifest["files"]), "fusion/metrics not hashed"
    pred = Predictor(weights, device="cpu")  # checks every hash
    fusion = load_fusion(weights)
    assert fusion is not None and len(fusion.labels) >= 20
    # a change to the criteria features needs a refit (python -m ecg_viewer.training.fusion fit)
    assert fusion.feature_names == tuple(FEATURE_NAMES)
    assert pred.input_norm == manifest["preprocessing"]["input_norm"]
    rec = read_ecg(SAMPLES / "E07509.hea")  # RBBB, bradycardia
    feats = criteria_features(rec, measure(rec))
    base = pred.predict(rec)
    fused = apply_fusion(base, feats, fusion)
    assert {s.id for s in fused.labels} == {s.id for s in base.labels}
    by_base = {s.id: s for s in base.labels}
    for s in fused.labels:
        assert 0.0 <= s.score <= 1.0 and np.isfinite(s.threshold)
        assert s.similarity == by_base[s.id].similarity
        if s.id in fusion.labels:
            assert s.threshold == fusion.labels[s.id].threshold
        elif s.id in fusion.derived:  # a broader label: at least each narrower one
            d = fusion.derived[s.id]
            narrower = [x.score for x in fused.labels if x.id in d.narrower]
            assert s.threshold == d.threshold and s.score >= max(narrower) - 1e-12
        else:
            assert s.score == by_base[s.id].score  # labels outside the fusion keep the model's
    scores = [s.score for s in fused.labels]
    assert scores == sorted(scores, reverse=True)
    top = {s.id for s in fused.labels if s.above_threshold}
    assert "crbbb" in top or "crbbb" in {s.id for s in fused.top(3)}


def test_all_labels_at_once_give_each_labels_own_probabilities_bit_for_bit():
    """``Fusion.probabilities`` (one walk of every label's trees, used by the batch) gives the
    very numbers ``probability`` gives label by label, NaN features and one row included."""
    fusion = load_fusion(model_weights_dir())
    assert fusion is not None
    rng = np.random.default_rng(1)
    for n in (1, 9, 40):
        x = rng.normal(size=(n, len(fusion.feature_names))) * fusion.sd + fusion.mean
        x[rng.random(x.shape) < 0.3] = np.nan
        sim = rng.normal(0.1, 0.15, size=(n, len(fusion.labels)))
        together = fusion.probabilities(sim, x)
        for j, lab in enumerate(fusion.labels):
            assert together[lab].tobytes() == fusion.probability(lab, sim[:, j].copy(), x).tobytes()
