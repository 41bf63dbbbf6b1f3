"""Findings that the measurements alone establish are shown whatever the model scored (a rule's
``shown_when_any``): the 要至急 banner named QTc 511 ms while QT延長 scored 0.007 and was absent
from the findings (QA 57: Q1917); 左脚後枝ブロック was shown at an axis of 154° without 右軸偏位."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecg_viewer.core.criteria_features import EXTRA_FEATURES
from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.io import read_ecg
from ecg_viewer.labels.criteria import MEASURED_KEY, apply_criteria
from ecg_viewer.labels.criteria_table import (
    default_criteria_path,
    default_criteria_rules,
    load_criteria_rules,
)
from ecg_viewer.labels.evidence import evidence_text
from ecg_viewer.labels.referral_rules import RulesError
from ecg_viewer.signal.criteria import FEATURE_NAMES, CriteriaFeatures
from tests.label_fixtures import CATALOG, one, score

QT = {"qtc_bazett_ms": 511.0, "qtc_fridericia_ms": 504.0, "hr_bpm": 65.0, "qrs_ms": 100.0}


@pytest.mark.parametrize("values, low, others, shown", [
    (QT, [], (), True),
    ({**QT, "qtc_bazett_ms": 470.0, "qtc_fridericia_ms": 452.0}, [], (), True),  # Bazett at 65/min
    # Bazett over-corrects above 100/min, as the referral's rule says: Fridericia decides there
    ({**QT, "qtc_bazett_ms": 470.0, "qtc_fridericia_ms": 452.0, "hr_bpm": 110.0}, [], (), False),
    ({**QT, "qtc_bazett_ms": 455.0, "qtc_fridericia_ms": 450.0}, [], (), False),
    (QT, ["qtc_bazett_ms", "qtc_fridericia_ms"], (), False),     # greyed: raises nothing
    ({**QT, "qrs_ms": 150.0}, [], (), False),                    # a wide QRS lengthens the QT
    ({"qrs_ms": 100.0, "hr_bpm": 65.0}, [], (), False),          # no QT measured
    (QT, [], (("atrial_flutter", 0.8),), False),                 # T end on flutter waves
    (QT, [], (("atrial_flutter", 0.1),), True),                  # flutter below its threshold
])
def test_long_qt_is_shown_from_a_trusted_qtc(values, low, others, shown) -> None:
    labels = (score("long_qt", 0.007, 0.08), *(score(i, s, 0.3) for i, s in others))
    out = apply_criteria(labels, {"low_confidence": low}, CriteriaFeatures(values=dict(values)))
    got = one(out, "long_qt")
    assert got.above_threshold == shown
    marks = [e for e in got.evidence if e.key == MEASURED_KEY]
    assert bool(marks) == shown
    if shown:
        assert got.score == pytest.approx(0.08)
        assert marks[0].value == pytest.approx(0.007)  # the model's own score, said plainly
        assert "計測値が基準を満たすため表示（モデルのスコア 0.01）" in evidence_text(marks[0], "ja")
        assert "model score 0.01" in evidence_text(marks[0], "en")
        # the QTc is the reason shown; the QRS and rate conditions are not findings
        keys = [e.key for e in got.evidence]
        assert "qtc_fridericia_ms" in keys or "qtc_bazett_ms" in keys
        assert "qrs_ms" not in keys and "hr_bpm" not in keys


@pytest.mark.parametrize("axis, qrs, rad, lad", [
    (154.0, 108.0, True, False), (119.0, 100.0, False, False),  # Minnesota 2-2 from +120°
    (151.0, 154.0, False, False),  # over a complete RBBB: the block's terminal forces
    (-45.0, 100.0, False, True), (-25.0, 100.0, False, False),
])
def test_axis_deviation_is_shown_from_a_trusted_axis(axis, qrs, rad, lad) -> None:
    labels = (score("right_axis_deviation", 0.3, 0.5), score("left_axis_deviation", 0.1, 0.5))
    out = apply_criteria(labels, {}, CriteriaFeatures(values={"qrs_axis_deg": axis,
                                                              "qrs_ms": qrs}))
    assert one(out, "right_axis_deviation").above_threshold == rad
    assert one(out, "left_axis_deviation").above_threshold == lad
    low = apply_criteria(labels, {"low_confidence": ["qrs_axis_deg"]},
                         CriteriaFeatures(values={"qrs_axis_deg": axis, "qrs_ms": qrs}))
    assert not any(s.above_threshold for s in low)


def test_a_finding_shown_from_its_measurement_leaves_normal_to_be_qualified() -> None:
    """CinC E07511 (QTcF 478 ms): 正常心電図 stays, and the referral's qualify_normal renames it
    「正常心電図（計測所見を除く）」; a finding the model shows still hides it."""
    from ecg_viewer.labels.referral import qualify_normal

    m = {**QT, "qtc_bazett_ms": 485.0, "qtc_fridericia_ms": 478.0, "low_confidence": []}
    labels = (score("normal_ecg", 0.9, 0.66), score("long_qt", 0.01, 0.08))
    out = qualify_normal(apply_criteria(labels, m, CriteriaFeatures(values=dict(m))), m)
    assert one(out, "long_qt").above_threshold
    normal = one(out, "normal_ecg")
    assert normal.above_threshold and normal.ja == "正常心電図（計測所見を除く）"
    by_model = (score("normal_ecg", 0.9, 0.66), score("long_qt", 0.5, 0.08))
    out = apply_criteria(by_model, m, CriteriaFeatures(values=dict(m)))
    assert one(out, "long_qt").above_threshold and not one(out, "normal_ecg").above_threshold


def test_an_unvalidated_label_is_never_raised() -> None:
    """An unvalidated label keeps its zero-shot score: nothing raises it."""
    out = apply_criteria((score("long_qt", 0.3, 1.0),), {}, CriteriaFeatures(values=dict(QT)))
    assert not out[0].above_threshold and not any(e.key == MEASURED_KEY for e in out[0].evidence)


def test_the_table_names_catalog_labels_and_known_features() -> None:
    rules = default_criteria_rules()
    with_groups = [r for r in rules.rules if r.shown_when_any]
    assert {r.label for r in with_groups} >= {"long_qt", "right_axis_deviation",
                                              "left_axis_deviation"}
    conds = {c.feature for r in with_groups for g in r.shown_when_any for c in g}
    assert conds <= set(FEATURE_NAMES) | set(EXTRA_FEATURES)
    assert {i for r in rules.rules for i in r.shown_unless_any} <= set(CATALOG)


@pytest.mark.parametrize("groups, problem", [
    ([], None), ([[]], "non-empty lists"), ({"feature": "qrs_ms"}, "non-empty lists"),
    ([[{"feature": "qrs_ms", "op": "~", "value": 1}]], "op must be"),
])
def test_broken_groups_are_refused(tmp_path, groups, problem) -> None:
    f = tmp_path / "rules.json"
    f.write_text(json.dumps({"version": "x", "rules": [
        {"label": "long_qt", "requires": [{"feature": "qrs_ms", "op": "<", "value": 1}],
         "shown_when_any": groups}]}), encoding="utf-8")
    if problem is None:
        assert load_criteria_rules(f).rules[0].shown_when_any == ()
        return
    with pytest.raises(RulesError, match=problem):
        load_criteria_rules(f)


@pytest.mark.shared_data
@pytest.mark.parametrize("record, label", [("Q1917", "long_qt"),
                                           ("Q1805", "right_axis_deviation")])
def test_real_records_show_the_finding_their_banner_names(shared_data: Path, record: str,
                                                          label: str) -> None:
    """With the shipped model: CinC Q1917 (QTc 511/504 ms, 要至急 from its QTc) and Q1805 (axis
    154°, QRS under 120 ms, where 左脚後枝ブロック was shown alone)."""
    if not (model_weights_dir() / "manifest.json").is_file():
        pytest.skip("no shipped weights in model_weights/")
    from ecg_viewer.pipeline.analyze import Analyzer

    a = Analyzer(device="cpu").analyze(read_ecg(shared_data / "cinc_extra" / f"{record}.hea"))
    got = one(a.prediction.labels, label)
    assert got.above_threshold and any(e.key == MEASURED_KEY for e in got.evidence)


def test_a_finding_raised_then_held_back_is_not_said_to_be_shown(tmp_path) -> None:
    """Held back after it was raised (here by an exclusive group whose other side stands further
    above its threshold), it carries no 「計測値が基準を満たすため表示」 and no measured score."""
    raw = json.loads(default_criteria_path().read_text(encoding="utf-8"))
    raw["exclusive"].append({"id": "t", "a": ["lafb"], "b": ["long_qt"]})
    f = tmp_path / "rules.json"
    f.write_text(json.dumps(raw), encoding="utf-8")
    labels = (score("long_qt", 0.007, 0.08), score("lafb", 0.9, 0.3))
    out = apply_criteria(labels, {}, CriteriaFeatures(values=dict(QT)), load_criteria_rules(f))
    got = one(out, "long_qt")
    assert not got.above_threshold and got.measured_score is None
    assert not any(e.key == MEASURED_KEY for e in got.evidence)
