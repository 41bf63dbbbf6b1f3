"""The fusion of similarity + criteria features: fit (two stages, voltage weights from mV records
only) -> plain JSON under the manifest's sha256 -> load_fusion -> apply_fusion on a Prediction;
a changed byte in fusion.json or metrics.json is refused; missing features are handled."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.prediction import LabelScore, ModelInfo, Prediction
from ecg_viewer.labels.fusion import FusionError, apply_fusion, load_fusion
from ecg_viewer.training.fusion_fit import fit_all, fit_scaling, predict_all, to_json, voltage_mask

NAMES = ("hr_bpm", "pr_ms", "qrs_ms", "sokolow_lyon_mv", "qrs_axis_deg")
IDS = ["sinus_tachycardia", "lvh", "av_block_1"]


def _data(n: int = 600) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    hr = rng.normal(75, 20, n)
    pr = rng.normal(170, 30, n)
    qrs = rng.normal(95, 15, n)
    sl = rng.normal(2.5, 0.8, n)
    axis = rng.normal(30, 40, n)
    x = np.stack([hr, pr, qrs, sl, axis], axis=1)
    has_mv = np.arange(n) % 2 == 0
    x[~has_mv, 3:] = np.nan  # z-scored records: no voltage, no axis
    x[rng.random(n) < 0.1, 1] = np.nan  # PR not measurable (no P wave) now and then
    y = np.stack([hr > 100, sl > 3.3, np.nan_to_num(pr, nan=0) > 200], axis=1).astype(float)
    zsim = rng.normal(0, 1, (n, 3)) + 1.5 * y  # an informative but imperfect model
    return x, y, zsim, has_mv


def _fit() -> tuple[dict, np.ndarray, np.ndarray, np.ndarray, object]:
    x, y, zsim, has_mv = _data()
    volt = voltage_mask(NAMES, x, has_mv)
    assert list(volt) == [False, False, False, True, True]
    sc = fit_scaling(x, has_mv, volt)
    models = fit_all(zsim, x, y, has_mv, sc, [0, 1, 2], l2=1.0)
    assert models[1].miss_coef[3] == 0.0  # voltage features carry no missing-indicator weight
    center, scale = np.zeros(3), np.ones(3)
    thr = {j: (0.5, "test") for j in range(3)}
    js = to_json(models, IDS, NAMES, sc, center, scale, thr, {"kind": "test"})
    return js, x, zsim, predict_all(models, zsim, x, sc, 3), sc


def _write(d: Path, js: dict) -> Path:
    d.mkdir(exist_ok=True)
    (d / "fusion.json").write_text(json.dumps(js))
    (d / "metrics.json").write_text(json.dumps({"fusion": {}}))
    from ecg_viewer.model.weights import sha256_file

    files = {n: sha256_file(d / n) for n in ("fusion.json", "metrics.json")}
    (d / "manifest.json").write_text(json.dumps({"format": 1, "fusion": "fusion.json", "files": files}))
    return d


def _prediction(sims: list[float]) -> Prediction:
    labels = tuple(LabelScore(id=i, ja=i, en=i, similarity=s, score=0.2, threshold=0.9, category="C")
                   for i, s in zip([*IDS, "brugada"], sims, strict=True))
    return Prediction(labels=labels, model=ModelInfo("t", "h", "c", "cpu"))


def test_fit_learns_the_criteria_and_json_round_trip_matches(tmp_path: Path):
    js, x, zsim, p_fit, _ = _fit()
    _, y, _, _ = _data()
    from ecg_viewer.training.metrics import auroc

    for j in range(3):  # the fusion beats the similarity alone on its own training data
        assert auroc(y[:, j], p_fit[:, j]) > auroc(y[:, j], zsim[:, j]) + 0.02
    fusion = load_fusion(_write(tmp_path / "w", js))
    assert fusion is not None
    for j, lab in enumerate(IDS):  # the numpy-only loader gives the fitted probabilities
        assert np.allclose(fusion.probability(lab, zsim[:, j], x), p_fit[:, j], atol=1e-6)


def test_apply_fusion_updates_fused_labels_only(tmp_path: Path):
    js, *_ = _fit()
    fusion = load_fusion(_write(tmp_path / "w", js))
    pred = _prediction([0.3, 0.1, 0.2, 0.5])
    fast = {"hr_bpm": 135.0, "pr_ms": 150.0, "qrs_ms": 90.0, "sokolow_lyon_mv": 2.0,
            "qrs_axis_deg": 40.0}
    out = apply_fusion(pred, fast, fusion)
    by = {ls.id: ls for ls in out.labels}
    assert by["sinus_tachycardia"].score > 0.5 and by["sinus_tachycardia"].above_threshold
    assert by["sinus_tachycardia"].similarity == 0.3  # kept
    assert by["sinus_tachycardia"].threshold == 0.5
    assert any(e.key == "hr_bpm" and e.supports for e in by["sinus_tachycardia"].evidence)
    assert by["brugada"].score == 0.2 and by["brugada"].threshold == 0.9  # not fused: unchanged
    assert out.labels[0].id == "sinus_tachycardia"  # re-ordered by score
    slow = apply_fusion(pred, {**fast, "hr_bpm": 60.0}, fusion)
    assert {ls.id: ls for ls in slow.labels}["sinus_tachycardia"].score < 0.2
    # every feature missing (no measurement): finite probabilities, no voltage contribution
    none = apply_fusion(pred, None, fusion)
    assert all(np.isfinite(ls.score) for ls in none.labels)
    assert apply_fusion(pred, fast, None) is pred


def test_tampered_fusion_or_metrics_is_refused(tmp_path: Path):
    js, *_ = _fit()
    d = _write(tmp_path / "w", js)
    raw = (d / "fusion.json").read_bytes()
    (d / "fusion.json").write_bytes(raw.replace(b'"intercept":', b'"intercept": ', 1))
    with pytest.raises(FusionError) as e:
        load_fusion(d)
    assert "fusion.json" in str(e.value) and "改変" in e.value.message("ja")
    d = _write(tmp_path / "w2", js)
    (d / "metrics.json").write_text(json.dumps({"fusion": {"better": True}}))
    with pytest.raises(FusionError):
        load_fusion(d)
    d = _write(tmp_path / "w3", js)
    (d / "fusion.json").unlink()
    with pytest.raises(FusionError):
        load_fusion(d)


def test_gradient_boosted_trees_exported_as_json_give_sklearns_probabilities(tmp_path: Path):
    from ecg_viewer.training.fusion_fit import fit_gbm, gbm_to_json

    x, y, zsim, has_mv = _data()
    js, *_ = _fit()
    js["model"] = "gbm"
    clfs = {}
    for j, lab in enumerate(IDS):
        clfs[lab] = fit_gbm(zsim[:, j], x, y[:, j])
        e = js["labels"][lab]
        for k in ("intercept", "sim_coef", "coef", "miss_coef"):
            e.pop(k)
        e.update(gbm_to_json(clfs[lab]))
    fusion = load_fusion(_write(tmp_path / "w", js))
    assert fusion is not None and fusion.labels["lvh"].trees is not None
    for j, lab in enumerate(IDS):  # NaN features (z-scored records, no PR) routed as sklearn does
        ref = clfs[lab].predict_proba(np.hstack([zsim[:, j : j + 1], x]))[:, 1]
        assert np.allclose(fusion.probability(lab, zsim[:, j], x), ref, atol=1e-5)
    out = apply_fusion(_prediction([0.3, 0.1, 0.2, 0.5]), {"hr_bpm": 140.0}, fusion)
    assert all(0.0 <= ls.score <= 1.0 for ls in out.labels)
    js["labels"]["lvh"]["trees"][0][0][0] = 99  # a split on a feature that does not exist
    with pytest.raises(FusionError):
        load_fusion(_write(tmp_path / "w2", js))


def test_blend_of_logistic_and_trees_is_the_mean_of_their_logits(tmp_path: Path):
    """The "blend" kind ships both learners per label; its probability is the sigmoid of the
    weighted mean of the logistic logit and the trees' logit, the same through the one-label
    and the all-labels path, and its evidence comes from the logistic terms."""
    from ecg_viewer.labels.fusion import _evidence
    from ecg_viewer.training.fusion_fit import (
        BLEND_LOGISTIC_WEIGHT,
        blend,
        fit_gbm,
        gbm_logits,
        gbm_to_json,
        predict_logits,
    )

    x, y, zsim, has_mv = _data()
    js, _, _, _, sc = _fit()
    volt = voltage_mask(NAMES, x, has_mv)
    models = fit_all(zsim, x, y, has_mv, fit_scaling(x, has_mv, volt), [0, 1, 2], l2=1.0)
    clfs = {j: fit_gbm(zsim[:, j], x, y[:, j]) for j in range(3)}
    js["model"], js["logistic_weight"] = "blend", BLEND_LOGISTIC_WEIGHT
    for j, lab in enumerate(IDS):
        js["labels"][lab].update(gbm_to_json(clfs[j]))
    fusion = load_fusion(_write(tmp_path / "w", js))
    assert fusion is not None and fusion.logistic_weight == BLEND_LOGISTIC_WEIGHT
    want = blend(predict_logits(models, zsim, x, sc, 3), gbm_logits(clfs, zsim, x, 3))
    together = fusion.probabilities(zsim, x)
    for j, lab in enumerate(IDS):
        alone = fusion.probability(lab, zsim[:, j], x)
        assert np.allclose(alone, want[:, j], atol=1e-5)
        assert np.array_equal(together[lab], alone)
    # neither learner alone: the blend differs from both where they disagree
    lr_only = 1.0 / (1.0 + np.exp(-predict_logits(models, zsim, x, sc, 3)))
    assert np.abs(want - lr_only).max() > 0.05
    # evidence: the PR of a 1st-degree block pushes av_block_1 up through the logistic terms
    row = np.array([70.0, 280.0, 95.0, np.nan, np.nan])
    ev = _evidence(fusion, "av_block_1", 0.4, row)
    assert [e.key for e in ev][:2] == ["similarity", "pr_ms"]
    for bad in (1.5, -0.1, "half", True):
        js["logistic_weight"] = bad
        with pytest.raises(FusionError):
            load_fusion(_write(tmp_path / f"bad{bad}", js))


def test_trees_stored_as_safetensors_load_as_the_inline_json_trees(tmp_path: Path):
    """The shipped trees live in fusion_trees.safetensors (binary arrays, under the manifest's
    sha256): the same probabilities as the same trees inline in the JSON; a changed byte, a file
    the manifest does not list, or a missing label's arrays are refused."""
    from safetensors.numpy import save_file

    from ecg_viewer.model.weights import sha256_file
    from ecg_viewer.training.fusion_fit import fit_gbm, gbm_to_arrays, gbm_to_json

    x, y, zsim, _ = _data()
    js, *_ = _fit()
    js["model"], js["logistic_weight"] = "blend", 0.5
    inline = json.loads(json.dumps(js))
    arrays = {}
    for j, lab in enumerate(IDS):
        clf = fit_gbm(zsim[:, j], x, y[:, j])
        inline["labels"][lab].update(gbm_to_json(clf))
        js["labels"][lab]["baseline"], a = gbm_to_arrays(clf)
        arrays.update({f"{lab}/{k}": v for k, v in a.items()})
    js["trees_file"] = "fusion_trees.safetensors"
    ref = load_fusion(_write(tmp_path / "inline", inline))
    d = _write(tmp_path / "bin", js)
    save_file(arrays, str(d / "fusion_trees.safetensors"))
    manifest = json.loads((d / "manifest.json").read_text())
    (d / "manifest.json").write_text(json.dumps({**manifest, "fusion_trees": "fusion_trees.safetensors"}))
    with pytest.raises(FusionError):  # listed as the trees file, but without its sha256
        load_fusion(d)
    manifest["fusion_trees"] = "fusion_trees.safetensors"
    manifest["files"]["fusion_trees.safetensors"] = sha256_file(d / "fusion_trees.safetensors")
    (d / "manifest.json").write_text(json.dumps(manifest))
    fusion = load_fusion(d)
    assert fusion is not None and ref is not None
    for j, lab in enumerate(IDS):
        assert np.array_equal(fusion.probability(lab, zsim[:, j], x), ref.probability(lab, zsim[:, j], x))
    raw = bytearray((d / "fusion_trees.safetensors").read_bytes())
    raw[-1] ^= 1
    (d / "fusion_trees.safetensors").write_bytes(bytes(raw))
    with pytest.raises(FusionError):
        load_fusion(d)
    del arrays["lvh/value"]
    save_file(arrays, str(d / "fusion_trees.safetensors"))
    manifest["files"]["fusion_trees.safetensors"] = sha256_file(d / "fusion_trees.safetensors")
    (d / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(FusionError):
        load_fusion(d)


def test_referral_combination_round_trips_and_a_bad_one_is_refused(tmp_path: Path):
    js, *_ = _fit()
    comb = {"labels": ["lvh", "av_block_1"], "weights": [0.8, 0.4], "normal_label":
            "sinus_tachycardia", "normal_weight": -0.5, "bias": 0.1, "threshold": -1.2,
            "eps": 1e-4}
    fusion = load_fusion(_write(tmp_path / "w", {**js, "referral_combination": comb}))
    assert fusion.combination is not None and fusion.combination.to_json() == comb
    assert "referral_combination" not in fusion.info
    assert load_fusion(_write(tmp_path / "w0", js)).combination is None  # older fusions: none
    for bad in ({**comb, "labels": ["lvh", "brugada"]},  # a label the fusion does not score
                {**comb, "weights": [0.8]}, {k: v for k, v in comb.items() if k != "threshold"}):
        with pytest.raises(FusionError):
            load_fusion(_write(tmp_path / "w1", {**js, "referral_combination": bad}))
