"""The fusion's monotone constraints (resources/labels/fusion_monotone.json): the table is read
and validated against the catalog and the criteria features, and a fit with it moves each label's
probability with the similarity and the constrained measurements only in their direction, where
a free fit on the same thin data does not."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.labels.catalog import load_catalog
from ecg_viewer.labels.referral_rules import RulesError
from ecg_viewer.signal.criteria import FEATURE_NAMES
from ecg_viewer.training.fusion_fit import (
    fit_all,
    fit_gbm,
    fit_scaling,
    predict_logits,
    tree_constraints,
    voltage_mask,
)
from ecg_viewer.training.fusion_monotone import load_monotone


def test_the_shipped_table_names_catalog_labels_and_criteria_features():
    ids = [lab.id for lab in load_catalog().labels]
    table = load_monotone(label_ids=ids, feature_names=FEATURE_NAMES)
    assert table.similarity == 1
    assert table.labels["sinus_tachycardia"] == {"hr_bpm": 1}
    assert table.labels["sinus_bradycardia"] == {"hr_bpm": -1}
    cst = table.constraints("av_block_1", FEATURE_NAMES, True)
    assert len(cst) == 1 + len(FEATURE_NAMES) and cst[0] == 1
    assert cst[1 + FEATURE_NAMES.index("pr_ms")] == 1 and sum(map(abs, cst)) == 2
    # a label outside the table: only the similarity is held
    assert table.constraints("pvc", FEATURE_NAMES, True) == [1] + [0] * len(FEATURE_NAMES)
    assert table.constraints("pvc", FEATURE_NAMES, False) == [0] * len(FEATURE_NAMES)


@pytest.mark.parametrize(("edit", "problem"), [
    (lambda t: t["labels"].update(no_such_label={"features": {"hr_bpm": 1}, "source": "x"}),
     "not in the catalog"),
    (lambda t: t["labels"]["sinus_tachycardia"]["features"].update(heart_rate=1),
     "not a criteria feature"),
    (lambda t: t["labels"]["sinus_tachycardia"]["features"].update(hr_bpm=2), r"\+1 or -1"),
    (lambda t: t["labels"]["sinus_tachycardia"].pop("source"), "source"),
    (lambda t: t.update(similarity=-1), "similarity"),
    (lambda t: t.pop("version"), "version"),
])
def test_a_bad_table_is_refused_with_the_reason(tmp_path: Path, edit, problem):
    from ecg_viewer.training.fusion_monotone import default_monotone_path

    raw = json.loads(default_monotone_path().read_text(encoding="utf-8"))
    edit(raw)
    bad = tmp_path / "fusion_monotone.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    ids = [lab.id for lab in load_catalog().labels]
    with pytest.raises(RulesError, match=problem):
        load_monotone(bad, label_ids=ids, feature_names=FEATURE_NAMES)


def _thin_data(n: int = 300):
    """Sinus tachycardia from the rate, with a similarity that is informative but whose records
    in one band all happen to be negatives (the kind of accident a small training set holds)."""
    rng = np.random.default_rng(3)
    hr = rng.normal(80, 22, n)
    y = (hr > 100).astype(float)
    zsim = rng.normal(0, 1, n) + 1.2 * y
    y[(zsim > 1.0) & (zsim < 1.8)] = 0.0  # fast records in this band happen to be negatives
    other = rng.normal(0, 1, n)
    x = np.stack([hr, other], axis=1)
    return x, y, zsim


def _steps(f, grid):
    v = np.array([f(g) for g in grid])
    return np.diff(v)


def test_constrained_trees_and_logistic_move_only_in_the_criterions_direction():
    x, y, zsim = _thin_data()
    names = ("hr_bpm", "st_j60_min_mv")
    cst = [1, 1, 0]  # similarity up, rate up, the other feature free
    free = fit_gbm(zsim, x, y)
    held = fit_gbm(zsim, x, y, monotone=cst)
    sim_grid = np.linspace(-2, 4, 61)
    hr_grid = np.linspace(40, 180, 71)

    def prob(clf, s, hr):
        return float(clf.predict_proba(np.array([[s, hr, 0.0]]))[0, 1])

    for hr in (70.0, 90.0, 120.0):
        assert (_steps(lambda s, hr=hr: prob(held, s, hr), sim_grid) >= -1e-12).all()
    for s in (-1.0, 0.5, 1.3, 3.0):
        assert (_steps(lambda h, s=s: prob(held, s, h), hr_grid) >= -1e-12).all()
    # the free trees learnt the accident: somewhere a higher similarity lowers the probability
    assert any((_steps(lambda s, hr=hr: prob(free, s, hr), sim_grid) < -1e-3).any()
               for hr in (120.0, 150.0))
    assert tree_constraints({0: cst}, 0, False) == [1, 0]
    assert tree_constraints({0: [1, 0, 0]}, 0, False) is None and tree_constraints(None, 0, True) is None

    # the logistic regression: the constrained coefficients keep their sign
    x2 = x.copy()
    has_mv = np.ones(len(x2), dtype=bool)
    volt = voltage_mask(names, x2, has_mv)
    sc = fit_scaling(x2, has_mv, volt)
    y2 = y[:, None]
    z2 = np.where(zsim > 2.0, -1.0, zsim)[:, None]  # a similarity the label falls with at the top
    models = fit_all(z2, x2, y2, has_mv, sc, [0], 1.0, {0: [1, -1, 0]})
    m = models[0]
    assert m.sim_coef >= 0.0 and m.coef[0] <= 0.0  # rate held to -1 against the data's +
    free_lr = fit_all(z2, x2, y2, has_mv, sc, [0], 1.0)[0]
    assert free_lr.coef[0] > 0.0
    assert np.isfinite(predict_logits(models, z2, x2, sc, 1)).all()


def test_the_shipped_fusion_never_moves_against_the_table_on_real_records(samples: Path):
    """Every fused label of the shipped fusion, swept over its similarity and its constrained
    measurements on the bundled samples and the CinC 2021 sample records: no step against the
    table's direction (bench/fusion_monotone.py gives the counts; the fusion shipped until
    2026-12-05 lowered 洞頻脈 as the rate rose on 76 of 139 such records)."""
    pytest.importorskip("torch")
    from ecg_viewer.core.paths import model_weights_dir
    from ecg_viewer.labels.fusion import load_fusion
    from ecg_viewer.model.predictor import Predictor
    from ecg_viewer.training.fusion_monotone import record_inputs, wrong_way_drops

    fusion = load_fusion(model_weights_dir())
    assert fusion is not None and fusion.info.get("monotone"), "the shipped fusion is unconstrained"
    table = load_monotone()
    assert fusion.info["monotone"]["labels"] == table.labels  # fitted with today's table
    pred = Predictor(model_weights_dir(), device="cpu")
    repo = Path(__file__).resolve().parents[1]
    files = sorted((repo / "resources" / "samples").glob("*.hea"))
    files += sorted((samples / "wfdb_cinc2021").glob("*.hea"))
    x, sims, skipped = record_inputs(files, fusion, {"shipped": pred})
    assert skipped == 0 and len(x) == len(files)
    sim = sims["shipped"]
    rows = wrong_way_drops(fusion, table, {lab.id: sim[:, k] for k, lab in enumerate(pred.labels)},
                           x, tol=1e-9, points=15)
    swept = {(r["label"], r["input"]) for r in rows}
    assert ("sinus_tachycardia", "hr_bpm") in swept and ("crbbb", "similarity") in swept
    assert all(r["records"] >= len(files) - 5 for r in rows if r["input"] == "similarity")
    bad = [r for r in rows if r["wrong"]]
    assert not bad, bad
