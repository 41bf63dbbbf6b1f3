"""The fit replays the referral as the app raises it (training/fusion_app.py): the criteria hold
labels back, the measurement rules flag records by themselves, low confidence silences a rule;
and the cache keeps the measurements it needs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ecg_viewer.core.criteria_features import FEATURE_NAMES
from ecg_viewer.core.prediction import SEVERITY
from ecg_viewer.labels.referral_rules import MEASUREMENTS
from ecg_viewer.training.fusion_app import (
    app_levels,
    app_rates,
    held_by_criteria,
    measurement_dicts,
    rule_levels,
)
from ecg_viewer.training.fusion_data import REF_LOW_NAMES, compute_features

NAMES = tuple(FEATURE_NAMES)


def _features(**values: float) -> np.ndarray:
    row = np.full(len(NAMES), np.nan)
    for k, v in values.items():
        row[NAMES.index(k)] = v
    return row


def _cache(meas: list[dict[str, float]], low: list[list[str]]) -> dict:
    n = len(meas)
    ref = np.array([[m.get(k, np.nan) for k in MEASUREMENTS] for m in meas], dtype=float)
    lows = np.array([[k in lo for k in REF_LOW_NAMES] for lo in low], dtype=bool)
    ids = np.array([f"r{i}" for i in range(n)])
    return {"ids": ids, "feature_ids": ids[::-1], "ref_meas": ref[::-1], "ref_low": lows[::-1],
            "ref_names": np.array(MEASUREMENTS), "ref_low_names": np.array(REF_LOW_NAMES)}


def test_measurement_rules_flag_by_themselves_unless_of_low_confidence():
    c = _cache([{"hr_bpm": 70, "pr_ms": 320}, {"hr_bpm": 70, "pr_ms": 320}, {"hr_bpm": 160},
                {"hr_bpm": 70, "qtc_fridericia_ms": 520, "qrs_ms": 90}, {"hr_bpm": 70}],
               [[], ["pr_ms"], [], [], []])
    x = np.vstack([_features(hr_bpm=70.0)] * 5)
    md = measurement_dicts(c, x, NAMES)  # features.npz rows are put in records.npz order
    assert md[1]["low_confidence"] == ["pr_ms"] and md[0]["pr_ms"] == 320.0
    assert md[4]["pr_ms"] is None  # NaN = not measured
    sev = rule_levels(md)
    assert sev.tolist() == [SEVERITY["D"], SEVERITY["A"], SEVERITY["urgent"], SEVERITY["urgent"],
                            SEVERITY["A"]]


def test_older_cache_falls_back_to_the_feature_intervals():
    c = {"ids": np.array(["a"]), "feature_ids": np.array(["a"])}
    md = measurement_dicts(c, _features(hr_bpm=39.0, pr_ms=150.0)[None], NAMES)
    assert md[0]["hr_bpm"] == 39.0 and md[0]["low_confidence"] == []
    assert rule_levels(md)[0] == SEVERITY["D"]


def test_criteria_hold_back_ivcd_and_lbbb_at_a_narrow_qrs_whatever_the_probability():
    ids = ["ivcd", "clbbb", "imi"]
    x = np.vstack([_features(qrs_ms=100.0), _features(qrs_ms=116.0), _features(qrs_ms=130.0),
                   _features()])
    md = [{"qrs_ms": v} for v in (100.0, 116.0, 130.0, None)]
    held = held_by_criteria(x, NAMES, md, ids, [0, 1, 2])
    assert held.tolist() == [[True, True, False], [False, True, False], [False, False, False],
                             [False, False, False]]  # unknown QRS: nothing is held back
    # a low-confidence QRS holds nothing back either
    md_low = [{"qrs_ms": 100.0, "low_confidence": ["qrs_ms"]}]
    assert not held_by_criteria(x[:1], NAMES, md_low, ids, [0, 1]).any()


def test_app_levels_and_rates_follow_the_banner():
    ids = ["normal_ecg", "ivcd", "imi", "injury_anterior", "sinus_rhythm"]
    cats = ["A", "D", "D", "urgent", "A"]
    thr = np.array([0.5, 0.1, 0.2, 0.1, 0.5])
    s = np.array([[0.9, 0.5, 0.0, 0.0, 0.9],   # IVCD above threshold at QRS 96: held back -> A
                  [0.1, 0.5, 0.0, 0.0, 0.9],   # IVCD at QRS 118: D
                  [0.1, 0.0, 0.3, 0.2, 0.9],   # imi + injury: urgent
                  [0.9, 0.0, 0.0, 0.0, 0.9]])  # normal, PR 320 of low confidence: A
    x = np.vstack([_features(qrs_ms=q, hr_bpm=70.0) for q in (96.0, 118.0, 90.0, 90.0)])
    md = [{"qrs_ms": 96.0, "hr_bpm": 70.0}, {"qrs_ms": 118.0, "hr_bpm": 70.0},
          {"qrs_ms": 90.0, "hr_bpm": 70.0},
          {"qrs_ms": 90.0, "hr_bpm": 70.0, "pr_ms": 320.0, "low_confidence": ["pr_ms"]}]
    rows = np.arange(4)
    lev = app_levels(s, thr, ids, cats, x, NAMES, md, rows)
    assert lev.tolist() == [SEVERITY["A"], SEVERITY["D"], SEVERITY["urgent"], SEVERITY["A"]]
    y = np.array([[1, 1, 0, 0, 1], [0, 1, 0, 0, 1], [0, 0, 1, 1, 1], [1, 0, 0, 0, 1]])
    r = app_rates(lev, y, ids, cats, {"all": np.ones(4, bool)}, rows)["all"]
    # record 0 is labelled normal AND IVCD: a true D record, not a normal ECG
    assert r["normal_n"] == 1 and r["norm_label_n"] == 2 and r["normal_flagged"] == 0.0
    assert r["true_d_n"] == 3 and abs(r["true_d_flagged"] - 2 / 3) < 1e-9
    assert r["true_u_n"] == 1 and r["true_u_urgent"] == 1.0


def test_cache_features_carry_the_referral_measurements(bundled_samples: Path):
    rows = [{"id": "E07505", "path": str(bundled_samples / "E07505.hea")}]
    x, names, _, extra = compute_features(rows)
    assert names == NAMES and np.isfinite(x[0, names.index("hr_bpm")])
    ref = dict(zip([str(n) for n in extra["ref_names"]], extra["ref_meas"][0], strict=True))
    assert ref["hr_bpm"] == x[0, names.index("hr_bpm")]
    assert ref["qrs_ms"] == x[0, names.index("qrs_ms")]
    assert extra["ref_low"].shape == (1, len(REF_LOW_NAMES)) and extra["ref_low"].dtype == bool


def test_replay_scores_give_what_the_combination_rule_reads_and_app_levels_apply_it():
    from ecg_viewer.labels.referral import CombinationRule
    from ecg_viewer.training.fusion_app import replay_scores
    from ecg_viewer.training.fusion_combination import _score_threshold

    ids = ["normal_ecg", "ivcd", "imi", "st_depression", "sinus_rhythm"]
    cats = ["A", "D", "D", "D", "A"]
    thr = np.array([0.5, 0.1, 0.3, 0.3, 0.5])
    s = np.array([[0.9, 0.02, 0.05, 0.05, 0.9],   # normal
                  [0.1, 0.05, 0.25, 0.25, 0.9],   # imi + ST depression, each below threshold
                  [0.1, 0.50, 0.05, 0.05, 0.9],   # IVCD above threshold at QRS 96: held back
                  [0.1, 0.02, 0.60, 0.05, 0.9]])  # imi above its threshold: D by the label
    x = np.vstack([_features(qrs_ms=96.0, hr_bpm=70.0)] * 4)
    md = [{"qrs_ms": 96.0, "hr_bpm": 70.0}] * 4
    rows = np.arange(4)
    cols = [1, 2, 3, 0]
    level, post, paced = replay_scores(s, thr, ids, cats, x, NAMES, md, rows, cols)
    assert level.tolist() == app_levels(s, thr, ids, cats, x, NAMES, md, rows).tolist()
    assert level.tolist() == [SEVERITY["A"], SEVERITY["A"], SEVERITY["A"], SEVERITY["D"]]
    assert not paced.any()
    # the held-back IVCD is read at most at half its threshold, as the app shows it
    assert post[2, 0] <= 0.5 * thr[1] + 1e-12 and post[1, 1] == 0.25
    rule = CombinationRule(("ivcd", "imi", "st_depression"), (1.0, 1.0, 1.0), "normal_ecg", -1.0,
                           0.0, -4.0)
    with_rule = app_levels(s, thr, ids, cats, x, NAMES, md, rows, None, rule)
    r = np.array([rule.score(dict(zip([ids[j] for j in cols], p, strict=True))) for p in post])
    may = (level < SEVERITY["D"]) & ~paced
    expect = np.where(may & (r >= rule.threshold), SEVERITY["D"], level)
    assert with_rule.tolist() == expect.tolist() and with_rule[1] == SEVERITY["D"]
    # the score threshold keeps the normal ECGs flagged within the cap (ties stay out)
    normal = np.array([True, False, False, False])
    assert _score_threshold(r, level >= SEVERITY["D"], may, normal, 0.0) > r[0]


def test_app_levels_score_the_conjunctions_as_the_app_does():
    """二枝ブロック (no threshold of its own) is scored from RBBB and LAFB in the replay too and
    raises D; the replay leaves it alone when the RBBB is held back by a QRS of 100 ms."""
    ids = ["crbbb", "lafb", "lpfb", "bifascicular_block"]
    cats = ["C", "C", "C", "D"]
    thr = np.array([0.43, 0.39, 0.24, 1.0])
    s = np.array([[0.9, 0.6, 0.0, 0.0], [0.9, 0.6, 0.0, 0.0], [0.9, 0.0, 0.0, 0.0]])
    x = np.vstack([_features(qrs_ms=q, qrs_axis_deg=-60.0, rprime_v1v2=1.0, hr_bpm=70.0)
                   for q in (150.0, 100.0, 150.0)])
    md = [{"qrs_ms": q, "qrs_axis_deg": -60.0, "hr_bpm": 70.0} for q in (150.0, 100.0, 150.0)]
    lev = app_levels(s, thr, ids, cats, x, NAMES, md, np.arange(3))
    # 1: RBBB + LAFB -> D; 2: the RBBB held back (QRS 100 ms), LAFB alone -> C; 3: RBBB alone
    # -> C (and the wide QRS rule, C)
    assert lev.tolist() == [SEVERITY["D"], SEVERITY["C"], SEVERITY["C"]]
