"""Building blocks for the report tests: a real record, an Analysis over every catalog label,
and a review stored through the real database."""

from __future__ import annotations

from pathlib import Path

from ecg_viewer.core.messages import Bilingual, Reason
from ecg_viewer.core.prediction import (
    Analysis,
    LabelScore,
    ModelInfo,
    Prediction,
    QualityReport,
    Referral,
    level_name,
)
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.review import Annotation, AuditContext, Review, ReviewStore

WEIGHTS = "0123456789abcdef" * 4


def analysis_for(record: EcgRecord, catalog, scores: dict[str, float],
                 measurements: dict | None = None) -> Analysis:
    """An Analysis over every catalog label: the given calibrated scores, 0.05 for the rest,
    threshold 0.5; referral from the most severe label at or above threshold (as the rules do)."""
    severity = {"A": 0, "E": 1, "B": 2, "C": 3, "D": 4, "urgent": 5}
    labels = []
    for lab in catalog:
        score = scores.get(lab.id, 0.05)
        labels.append(LabelScore(id=lab.id, ja=lab.ja, en=lab.en, similarity=score / 2,
                                 score=score, threshold=0.5, category=lab.category))
    labels.sort(key=lambda s: -s.score)
    present = [s for s in labels if s.above_threshold]
    if present:
        worst = max(present, key=lambda s: severity[s.category])
        raised = [s for s in present if s.category == worst.category]
        referral = Referral(worst.category, tuple(s.id for s in raised), tuple(
            Reason.of("referral.because_label", label=Bilingual(s.ja, s.en),
                      level=level_name(worst.category)) for s in raised))
    else:
        referral = Referral("A")
    model = ModelInfo(app_version="0.1.0", weights_sha256=WEIGHTS,
                      catalog_version=catalog.version, device="cpu")
    return Analysis(file=record.source_path or "", sha256=record.sha256,
                    quality=QualityReport(True), referral=referral,
                    prediction=Prediction(tuple(labels), model), measurements=measurements)


def reviewed(db: Path, record: EcgRecord, analysis: Analysis) -> Review:
    """A review made through the real store: confirm AF, reject the second suggestion, add LVH,
    comment, final level 要至急, further examination, a time caliper, an amplitude caliper and a
    note."""
    ctx = AuditContext("0.1.0", WEIGHTS, analysis.prediction.model.catalog_version)
    sha = record.sha256
    with ReviewStore(db) as s:
        s.set_reviewer("山田 太郎")
        s.confirm(sha, "atrial_fibrillation", ctx)
        s.reject(sha, analysis.prediction.labels[1].id, ctx)
        s.add_label(sha, "lvh", ctx)
        s.set_comment(sha, "前回心電図と比較のこと。抗凝固療法の適応を検討。", ctx)
        s.set_levels(sha, suggested=analysis.referral.level, final="urgent", context=ctx)
        s.set_needs_exam(sha, True, "心エコー図検査", ctx)
        s.add_annotation(sha, Annotation(kind="time", t0_s=0.5, t1_s=1.3, lead="II"), ctx)
        s.add_annotation(sha, Annotation(kind="amplitude", t0_s=5.6, v0_mv=0.0, v1_mv=1.0,
                                         lead="V2"), ctx)
        s.add_annotation(sha, Annotation(kind="note", t0_s=8.0, lead="V5", text="ST低下"), ctx)
        return s.get(sha)


MEASUREMENTS = {"hr_bpm": 112.0, "rr_ms": 536.0, "p_ms": None, "pr_ms": None, "qrs_ms": 96.0,
                "qt_ms": 340.0, "qtc_bazett_ms": 464.4, "qtc_fridericia_ms": 411.0,
                "p_axis_deg": None, "qrs_axis_deg": 35.0, "t_axis_deg": 40.0, "beats": 18}


def fixture_analyze(record: EcgRecord) -> Analysis:
    """A real Analysis over the real catalog (every label at 0.05 but 洞調律 at 0.7), standing
    in for the model pipeline where a test must stay fast (no torch, no measurements)."""
    from ecg_viewer.labels.catalog import default_catalog

    return analysis_for(record, default_catalog(), {"sinus_rhythm": 0.7}, None)


def make_fixture_analyze():
    return fixture_analyze
