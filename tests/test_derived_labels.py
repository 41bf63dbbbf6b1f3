"""Broader labels derived from their narrower ones (catalog ``narrower``, labels/derived.py) and
the fusion's evidence restricted to features that push toward the label and are clinically tied
to it (resources/labels/fusion_evidence.json): the catalog rules, the shipped fusion, and real
records with the shipped model (E07509: RBBB the model reads as anteroseptal MI too; 00017_hr:
AF with ST depression)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.core.prediction import LabelScore
from ecg_viewer.labels.catalog import CatalogError, default_catalog_path, load_catalog
from ecg_viewer.labels.derived import DerivedLabel, apply_derived, combine_scores, derived_matrix
from ecg_viewer.labels.evidence import evidence_text
from ecg_viewer.labels.fusion import load_fusion
from ecg_viewer.labels.fusion_evidence import YES_NO, load_fusion_evidence, relevant_features


def _catalog_with(tmp_path: Path, label_id: str, **fields) -> Path:
    raw = json.loads(default_catalog_path().read_text(encoding="utf-8"))
    for lab in raw["labels"]:
        if lab["id"] == label_id:
            lab.update(fields)
    out = tmp_path / "catalog.json"
    out.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return out


def test_catalog_lists_reviewed_narrower_labels_and_refuses_bad_ones(tmp_path):
    cat = load_catalog()
    mi = cat.by_id("mi")
    assert {"asmi", "imi", "ilmi"} <= set(mi.narrower) and mi.narrower_reason
    assert "t_inversion" in cat.by_id("t_abnormality").narrower
    assert "nonspecific_st" in cat.by_id("nonspecific_stt").narrower
    with pytest.raises(CatalogError, match="not another label"):
        load_catalog(_catalog_with(tmp_path, "mi", narrower=["no_such_label"]))
    with pytest.raises(CatalogError, match="narrower_reason"):
        load_catalog(_catalog_with(tmp_path, "lvh", narrower=["lv_high_voltage"]))
    # 心筋梗塞 (D) derived from 完全右脚ブロック (C) would raise the referral level
    with pytest.raises(CatalogError, match="more severe"):
        load_catalog(_catalog_with(tmp_path, "mi", narrower=["crbbb"], narrower_reason="x"))
    # the referral order of core.prediction.SEVERITY, E (治療中, below B) included:
    # an E label may be broader than a C one, a C label not broader than an E one
    assert load_catalog(_catalog_with(tmp_path, "paced_rhythm", narrower=["crbbb"],
                                      narrower_reason="x")).by_id("paced_rhythm").narrower
    with pytest.raises(CatalogError, match="more severe"):
        load_catalog(_catalog_with(tmp_path, "lvh", narrower=["paced_rhythm"], narrower_reason="x"))


def test_combine_and_matrix_are_at_least_every_narrower_probability():
    p = np.array([[0.1, 0.3], [0.0, 0.0], [0.6, np.nan]])
    assert combine_scores(p, "max").tolist() == [0.3, 0.0, 0.6]
    assert np.allclose(combine_scores(p, "noisy_or"), [1 - 0.9 * 0.7, 0.0, 0.6])
    ids = ["a", "b", "broad"]
    d = {"broad": DerivedLabel("broad", ("a", "b"), "max", False, 0.2, "t")}
    s, t = derived_matrix(np.array([[0.1, 0.3, 0.05]]), np.array([0.2, 0.5, 1.0]), ids, d)
    assert s[0].tolist() == [0.1, 0.3, 0.3] and t.tolist() == [0.2, 0.5, 0.2]
    labels = [LabelScore("a", "A", "A", 0.1, 0.1, 0.2, "C"), LabelScore("b", "B", "B", 0.1, 0.3, 0.5, "C"),
              LabelScore("broad", "X", "X", 0.4, 0.05, 1.0, "C")]
    out = {x.id: x for x in apply_derived(labels, d)}
    assert out["broad"].score == 0.3 and out["broad"].threshold == 0.2
    assert [(e.key, e.value) for e in out["broad"].evidence] == [("derived_from", "b")]


def test_max_capped_shows_a_broader_label_only_through_a_shown_narrower_one():
    """E07505: 非特異的ST-T変化 (threshold 0.056 under the plain max) showed from a 非特異的T波異常
    of 0.076 under its own threshold of 0.395; capped, it stays just under its threshold, and
    ranks as before where nothing is shown."""
    p = np.array([[0.076, 0.01, 0.011], [0.30, 0.01, 0.02], [0.02, 0.01, 0.03]])
    thr = np.array([0.395, 0.228, 0.056])
    v = combine_scores(p, "max_capped", thr, 0.056)
    assert v[0] < 0.056 and v[1] < 0.056 and v[2] == 0.03  # none shown; the max below
    p[1, 2] = 0.06  # the narrower label with the lowest threshold is shown: so is the broader
    assert combine_scores(p, "max_capped", thr, 0.056)[1] == pytest.approx(0.06)
    with pytest.raises(ValueError, match="max_capped"):
        combine_scores(p, "max_capped")


def test_shipped_fusion_derives_the_broader_labels_and_its_evidence_table_fits():
    fusion = load_fusion(model_weights_dir())
    assert fusion is not None
    assert {"mi", "t_abnormality", "nonspecific_stt"} <= set(fusion.derived)
    cat = load_catalog()
    for lab, d in fusion.derived.items():
        assert set(d.narrower) <= set(cat.by_id(lab).narrower)
        assert d.threshold < 1.0  # a validated threshold: not （未検証）
    table = load_fusion_evidence()
    assert not table.unknown_features(fusion.feature_names)
    assert all(table.features(lab) for lab in fusion.labels), "a fused label without evidence list"
    assert "rr_irregularity" not in relevant_features("asmi")


@pytest.fixture(scope="module")
def analyses(bundled_samples):
    pytest.importorskip("torch")
    if not (model_weights_dir() / "manifest.json").is_file():
        pytest.skip("no shipped weights in model_weights/")
    from ecg_viewer.io.registry import read_ecg
    from ecg_viewer.pipeline.analyze import Analyzer

    an = Analyzer()
    return {n: an.analyze(read_ecg(bundled_samples / f"{n}.hea"))
            for n in ("E07509", "00017_hr", "E07505")}


def test_real_records_broader_label_with_its_narrower_one_and_clinical_evidence(analyses):
    for name, a in analyses.items():
        labels = {s.id: s for s in a.prediction.labels}
        present = {i for i, s in labels.items() if s.above_threshold}
        mi_parts = set(load_catalog().by_id("mi").narrower) & present
        if mi_parts:  # a suggested wall-named MI always brings 心筋梗塞, naming it
            mi = labels["mi"]
            assert mi.above_threshold and mi.threshold < 1.0, name
            named = {e.value for e in mi.evidence if e.key == "derived_from"}
            assert named and named <= mi_parts, name
            assert "前壁中隔心筋梗塞" in evidence_text(mi.evidence[0], "ja") or name != "E07509"
            assert "mi" not in a.referral.because, "the banner names the narrower label only"
        for lab in load_fusion(model_weights_dir()).derived:  # shown only with a
            if labels[lab].above_threshold:  # narrower label that is shown, and named
                named = {e.value for e in labels[lab].evidence if e.key == "derived_from"}
                assert named and named <= present, (name, lab, named)
        for s in labels.values():
            for e in s.evidence:
                if e.criterion == "fusion":  # features the fused probability weighed
                    assert e.supports and e.value is not None, (name, s.id, e)
                    assert e.key in relevant_features(s.id), (name, s.id, e.key)
                    assert isinstance(e.value, bool) == (e.key in YES_NO), (name, e)
    assert analyses["E07509"].prediction is not None


def test_fit_choice_keeps_the_referral_limit():
    """choose_derived: every broader label is the max of its narrower labels (the other
    combinations are only reported), a D/urgent one aligned on their own thresholds, with the
    lowest of them: it flags exactly when one of them does (two small probabilities never add up to 要精査), and a C one
    is raised by one narrower label, the one its evidence names."""
    from ecg_viewer.labels.derived import derived_matrix
    from ecg_viewer.training.fusion_derived import choose_derived, implied_targets

    rng = np.random.default_rng(0)
    n = 400
    ids = ["normal_ecg", "a", "b", "broad", "c1", "c2", "cbroad"]
    cats = ["A", "D", "D", "D", "C", "C", "C"]
    y = np.zeros((n, len(ids)))
    y[:200, 0] = 1  # normal ECGs
    y[200:300, 1] = 1
    y[300:, 2] = 1
    y[200:250, 4] = y[300:350, 5] = 1
    s = rng.uniform(0.0, 0.12, size=(n, len(ids)))  # every narrower label a little up on normals
    s[200:300, 1] += 0.5
    s[300:, 2] += 0.5
    s[200:250, 4] += 0.3
    s[300:350, 5] += 0.3
    thr = np.array([0.5, 0.15, 0.15, 1.0, 0.3, 0.3, 1.0])
    broader = {"broad": ("a", "b"), "cbroad": ("c1", "c2")}
    assert implied_targets(y, ids, broader)[:, 3].sum() == 200
    va = np.ones(n, bool)
    derived, report = choose_derived(s, thr, y, va, ids, cats, broader, 0.05)
    d = derived["broad"]
    # a D/urgent broader label: the max aligned on each narrower label's own threshold (here
    # both 0.15: the plain max)
    assert (d.combine, d.own, d.threshold) == ("max_aligned", False, 0.15)
    assert report["chosen"] == "max" and derived["cbroad"].combine == "max_capped"
    assert set(report["fold9_macro_auroc"]) == {"max", "noisy_or", "max+own"}
    sd, td = derived_matrix(s, thr, ids, derived)
    flags = sd[:, 3] >= td[3]
    assert np.array_equal(flags, (s[:, 1] >= 0.15) | (s[:, 2] >= 0.15))
    # the C broader label too: above its threshold exactly when a narrower one is above its own
    cb = ids.index("cbroad")
    assert np.array_equal(sd[:, cb] >= td[cb], (s[:, 4] >= 0.3) | (s[:, 5] >= 0.3))
    assert report["fold9_normal_flagged"]["noisy_or"] > 0.05  # two small p add up on normals
