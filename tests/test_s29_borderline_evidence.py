"""A measurement that misses a label's published criterion but lies within the tolerance the label
is kept at (LAFB at -44°: -45 to -90°, held back only beyond -30°; IRBBB at QRS 104 ms: 110-119
ms, as carts call it) is shown as borderline (△, 「境界域」), not as evidence against the finding
shown beside it (QA 59: a shown 左脚前枝ブロック with 「× QRS 軸 -44°」)."""

from __future__ import annotations

import pytest

from ecg_viewer.core.prediction import LabelScore
from ecg_viewer.labels.catalog import load_catalog
from ecg_viewer.labels.criteria import apply_criteria
from ecg_viewer.labels.evidence import evidence_text
from ecg_viewer.report.fhir import _evidence_component
from ecg_viewer.signal.criteria import CriteriaFeatures

CATALOG = {lab.id: lab for lab in load_catalog().labels}


def _apply(label: str, **values) -> LabelScore:
    lab = CATALOG[label]
    (got,) = apply_criteria((LabelScore(lab.id, lab.ja, lab.en, 0.3, 0.5, 0.33, lab.category),),
                            {}, CriteriaFeatures(values=values))
    return got


@pytest.mark.parametrize(("label", "values", "key"), [
    ("lafb", dict(qrs_axis_deg=-44.0, fascicular_axis_deg=-44.0, qrs_ms=100.0),
     "qrs_axis_deg"),
    ("irbbb", dict(qrs_ms=104.0, rprime_v1v2=True), "qrs_ms"),
])
def test_within_the_tolerance_the_finding_stays_and_its_evidence_is_borderline(label, values, key):
    got = _apply(label, **values)
    assert got.above_threshold
    e = next(e for e in got.evidence if e.key == key)
    assert not e.supports and e.borderline
    assert e.to_dict()["borderline"] is True
    ja, en = evidence_text(e, "ja"), evidence_text(e, "en")
    assert ja.startswith("△ ") and ja.endswith("、境界域）"), ja
    assert en.startswith("△ ") and en.endswith("; borderline)"), en
    fhir = _evidence_component(e, "urn:x", "ja")["interpretation"][0]["text"]
    assert "境界域（所見は保持）" in fhir and "反する" not in fhir, fhir


@pytest.mark.parametrize(("label", "values", "key"), [
    ("lafb", dict(qrs_axis_deg=-20.0, fascicular_axis_deg=-20.0, qrs_ms=100.0),
     "qrs_axis_deg"),
    ("irbbb", dict(qrs_ms=150.0, rprime_v1v2=True), "qrs_ms"),
])
def test_beyond_it_the_finding_is_held_back_and_the_evidence_is_against(label, values, key):
    got = _apply(label, **values)
    assert not got.above_threshold
    e = next(e for e in got.evidence if e.key == key)
    assert not e.supports and not e.borderline and "borderline" not in e.to_dict()
    assert evidence_text(e, "ja").startswith("× ")


def test_evidence_that_meets_its_criterion_is_not_borderline():
    got = _apply("lafb", qrs_axis_deg=-60.0, fascicular_axis_deg=-60.0, qrs_ms=100.0)
    e = next(e for e in got.evidence if e.key == "qrs_axis_deg")
    assert e.supports and not e.borderline and evidence_text(e, "en").startswith("○ ")


@pytest.mark.parametrize("label", ["irbbb", "ilbbb"])
def test_a_normal_qrs_is_no_near_miss_of_an_incomplete_block(label):
    """QA 70: the IRBBB/ILBBB rules keep the finding at any QRS under 120 ms (carts call IRBBB
    under 110 ms), and every such QRS had read as borderline: 「△ QRS 幅 80 ms（110…119 ms、
    境界域）」 on E07500, and ``borderline`` on the ILBBB evidence of nearly every narrow-QRS
    record. From 100 ms it is a near miss; shorter, it fails the criterion plainly (×), the
    finding still not held back by it."""
    near = next(e for e in _apply(label, qrs_ms=104.0, rprime_v1v2=True).evidence
                if e.key == "qrs_ms")
    assert near.borderline
    got = _apply(label, qrs_ms=80.0, rprime_v1v2=True)
    e = next(e for e in got.evidence if e.key == "qrs_ms")
    assert not e.supports and not e.borderline and "borderline" not in e.to_dict()
    assert evidence_text(e, "ja").startswith("× ") and "境界域" not in evidence_text(e, "ja")
    assert got.above_threshold  # the QRS does not hold the finding back (0-119 ms)


def test_a_borderline_axis_is_named_once_and_said_in_the_banner():
    """QA 70 (PTB-XL 348, E00018): LAFB kept at -36° (-44°) showed 「△ QRS 軸（右脚ブロックでは
    最初の 60 m…」 cut before its value in the panel, beside 「○ QRS 軸 -44°（統合確率への寄与）」,
    the fused probability's copy of the same axis; and the banner gave that copy as LAFB's only
    reason, nowhere saying it missed -45°. Where LAFB's axis is the whole QRS's, the evidence
    names it 「QRS 軸」, once; the banner's reason says it is borderline."""
    from ecg_viewer.core.prediction import Evidence
    from ecg_viewer.labels.evidence import evidence_summary

    lab = CATALOG["lafb"]
    fused = Evidence("qrs_axis_deg", -36.0, "°", "fusion", True)
    (got,) = apply_criteria(
        (LabelScore(lab.id, lab.ja, lab.en, 0.3, 0.5, 0.33, lab.category, (fused,)),),
        {}, CriteriaFeatures(values=dict(qrs_axis_deg=-36.0, fascicular_axis_deg=-36.0,
                                         qrs_ms=84.0)))
    axis = [e for e in got.evidence if e.key in ("qrs_axis_deg", "fascicular_axis_deg")]
    assert len(axis) == 1 and axis[0].key == "qrs_axis_deg" and axis[0].borderline, axis
    assert evidence_text(axis[0], "ja") == "△ QRS 軸 -36°（-90…-45°、境界域）"
    assert evidence_summary(got, "ja") == "QRS 軸 -36°（-90…-45°、境界域）"
    assert evidence_summary(got, "en") == "QRS axis -36° (-90…-45°; borderline)"
    # beside a complete RBBB that turned the whole axis north-west: its first 60 ms, so named
    (got,) = apply_criteria((LabelScore(lab.id, lab.ja, lab.en, 0.3, 0.5, 0.33, lab.category),),
                            {}, CriteriaFeatures(values=dict(
                                qrs_axis_deg=-129.0, fascicular_axis_deg=-56.0, qrs_ms=160.0,
                                rprime_v1v2=True)))
    assert [e.key for e in got.evidence if e.key.endswith("axis_deg")] == ["fascicular_axis_deg"]
