"""The comparison logic on hand-made analyses: thresholds (table-driven), axis deviation, new and
resolved findings, and the referral flag raised by what is new."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from ecg_viewer.compare.diff import EcgRef, compare_analyses
from ecg_viewer.compare.referral import raise_referral, with_comparison
from ecg_viewer.compare.rules import ComparisonRulesError, default_rules_path, load_rules
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

BASE = {"hr_bpm": 70.0, "pr_ms": 160.0, "qrs_ms": 90.0, "qt_ms": 400.0, "qtc_bazett_ms": 420.0,
        "qtc_fridericia_ms": 415.0, "qrs_axis_deg": 40.0, "p_axis_deg": 50.0, "t_axis_deg": 40.0}
PRIOR_REF = EcgRef("prior.xml", "a" * 64, "P1", datetime(2025, 1, 10, 9, 0))
CUR_REF = EcgRef("current.xml", "b" * 64, "P1", datetime(2026, 3, 1, 10, 30))
LABELS = {"clbbb": ("完全左脚ブロック", "D"), "atrial_fibrillation": ("心房細動", "D"),
          "crbbb": ("完全右脚ブロック", "C"), "pac": ("上室期外収縮", "B"),
          "sinus_rhythm": ("洞調律", "A"), "av_block_3": ("完全房室ブロック", "urgent"),
          "injury_anterior": ("前壁・側壁の心内膜下傷害", "urgent"),
          "paced_rhythm": ("ペースメーカ調律", "E"), "sinus_tachycardia": ("洞頻脈", "C")}


def analysis(present: tuple[str, ...] = (), with_model: bool = True,
             referral: Referral | None = None, **changes: float | None) -> Analysis:
    meas = dict(BASE, **changes)
    pred = None
    if with_model:
        labels = tuple(LabelScore(lid, ja, lid, 0.1, 0.9 if lid in present else 0.1, 0.5, cat)
                       for lid, (ja, cat) in LABELS.items())
        pred = Prediction(labels, ModelInfo("t", "w" * 64, "c", "cpu"))
    return Analysis("f.xml", "s" * 64, QualityReport(True), referral or Referral("A"), pred, meas)


def compare(prior: Analysis, current: Analysis):
    return compare_analyses(current, prior, current_ref=CUR_REF, prior_ref=PRIOR_REF,
                            match="folder")


@pytest.mark.parametrize(("key", "prior", "current", "change", "marked", "level"), [
    ("qtc_bazett_ms", 420, 480, 60, True, "D"),
    ("qtc_bazett_ms", 420, 479, 59, False, None),
    ("qtc_fridericia_ms", 415, 500, 85, True, "D"),
    ("qtc_bazett_ms", 480, 420, -60, False, None),  # shortening is not marked
    ("qrs_ms", 90, 110, 20, True, "D"),
    ("qrs_ms", 90, 109, 19, False, None),
    ("pr_ms", 160, 200, 40, True, "C"),
    ("hr_bpm", 70, 40, -30, True, None),  # marked, raises nothing by itself
    ("hr_bpm", 70, 99, 29, False, None),
    ("qt_ms", 400, 470, 70, True, None),
    ("qrs_axis_deg", 170, -170, 20, False, None),  # the short way round the circle
    ("qrs_axis_deg", 60, -10, -70, True, None),
    ("qtc_bazett_ms", 420, None, None, False, None),  # not measured now
])
def test_measurement_thresholds(key, prior, current, change, marked, level):
    cmp = compare(analysis(**{key: prior}), analysis(**{key: current}))
    ch = cmp.change(key)
    assert ch is not None
    assert ch.change == (None if change is None else pytest.approx(change))
    assert ch.marked is marked
    raised = {r.id: r.level for r in cmp.raises}
    assert raised.get(f"change:{ch.rule_id}") == (level if marked else None)
    if marked:
        assert ch.to_dict()["text_ja"] and f"{change:+.0f}" in ch.text("ja")


@pytest.mark.parametrize(("prior", "current", "new_deviation"), [
    (40, -45, "left"), (40, 130, "right"), (40, -120, "extreme"),
    (-45, -60, None),  # deviated before too: not new
    (40, 100, None), (None, -45, None),
    # a shift under the minimum (15°) across -30° is noise, not a new deviation (QA: 308 -> 320,
    # -24° -> -31°); a shift of 15° or more is one
    (-29, -31, None), (-24, -31, None), (-20, -34, None), (-16, -31, "left"), (-10, -45, "left"),
])
def test_new_axis_deviation(prior, current, new_deviation):
    cmp = compare(analysis(qrs_axis_deg=prior), analysis(qrs_axis_deg=current))
    assert cmp.new_axis_deviation == new_deviation
    ids = [r.id for r in cmp.raises if r.id.startswith("new_axis:")]
    assert ids == ([f"new_axis:{new_deviation}"] if new_deviation else [])


def test_a_low_confidence_value_raises_nothing_in_the_comparison():
    """E07509 against E07505: QRS 76 -> 158 ms, the 158 of confidence 0.42 (greyed in the
    header) had raised 要精査 as "QRS幅が前回より +82 ms 延長"."""
    current = analysis(qrs_ms=158.0, qrs_axis_deg=-60.0)
    current.measurements["low_confidence"] = ["qrs_ms", "qrs_axis_deg"]
    cmp = compare(analysis(qrs_ms=76.0), current)
    ch = cmp.change("qrs_ms")
    assert ch.change == pytest.approx(82) and ch.low_confidence and not ch.marked
    assert ch.to_dict()["low_confidence"] is True and ch.to_dict()["level"] is None
    assert not cmp.raises  # neither the QRS nor the new left axis deviation
    trusted = compare(analysis(qrs_ms=76.0), analysis(qrs_ms=158.0))
    assert [r.id for r in trusted.raises] == ["change:qrs_wide_change"]


def test_new_and_resolved_findings():
    cmp = compare(analysis(("sinus_rhythm", "atrial_fibrillation", "pac")),
                  analysis(("sinus_rhythm", "clbbb")))
    assert [f.id for f in cmp.new_findings] == ["clbbb"]
    assert {f.id for f in cmp.resolved_findings} == {"atrial_fibrillation", "pac"}
    assert cmp.new_findings[0].level == "D"
    d = json.loads(json.dumps(cmp.to_dict(), ensure_ascii=False))
    assert d["new_findings"][0]["id"] == "clbbb" and d["match"] == "folder"
    assert d["prior"]["recorded_at"].startswith("2025-01-10")
    assert round(d["interval_days"]) == 415


def test_a_score_flickering_across_its_threshold_is_not_a_change():
    def scored(score: float) -> Analysis:
        lab = LabelScore("ivcd", "心室内伝導障害", "IVCD", 0.1, score, 0.03, "D")
        return Analysis("f.xml", "s" * 64, QualityReport(True), Referral("A"),
                        Prediction((lab,), ModelInfo("t", "w" * 64, "c", "cpu")), dict(BASE))

    assert not compare(scored(0.02), scored(0.04)).new_findings
    assert not compare(scored(0.04), scored(0.02)).resolved_findings
    assert [f.id for f in compare(scored(0.02), scored(0.30)).new_findings] == ["ivcd"]
    assert [f.id for f in compare(scored(0.30), scored(0.02)).resolved_findings] == ["ivcd"]


def test_findings_not_compared_without_model():
    cmp = compare(analysis(with_model=False), analysis(("clbbb",)))
    assert not cmp.findings_compared and not cmp.new_findings


def _why(name: str, level: str) -> Reason:
    return Reason.of("referral.because_label", label=Bilingual(name, name), level=level_name(level))


@pytest.mark.parametrize(("current", "new", "expect_level", "expect_ids"), [
    # a new LBBB / AF is 要精査 by itself, its reason listed with the label's own
    (Referral("D", ("clbbb",), (_why("完全左脚ブロック", "D"),)), ("clbbb",), "D",
     ("clbbb", "new:clbbb")),
    # a new RBBB (catalog C) is raised to D by the table
    (Referral("C", ("crbbb",), (_why("完全右脚ブロック", "C"),)), ("crbbb",), "D",
     ("new:crbbb",)),
    # a new PAC (B) raises nothing
    (Referral("B", ("pac",), (_why("x", "B"),)), ("pac",), "B", ("pac",)),
    # already urgent: stays urgent with its own reasons
    (Referral("urgent", ("qtc_fridericia_very_long",), (_why("x", "urgent"),)), ("clbbb",), "urgent",
     ("qtc_fridericia_very_long",)),
    (Referral("unreadable", ("flat",), (Reason.of("quality.flat", leads="V1"),)), ("clbbb",),
     "unreadable", ("flat",)),
])
def test_raise_referral(current, new, expect_level, expect_ids):
    cmp = compare(analysis(("sinus_rhythm",)), analysis(("sinus_rhythm", *new)))
    raised = raise_referral(current, cmp)
    assert raised.level == expect_level
    assert raised.because == expect_ids
    assert len(raised.reasons_ja) == len(raised.because)
    if any(i.startswith("new:") for i in expect_ids):
        assert any("前回心電図（2025-01-10 09:00）になかった所見" in r for r in raised.reasons_ja)


def test_measurement_change_raises_and_resolved_lowers_nothing():
    prior = analysis(("atrial_fibrillation",), qrs_ms=90)
    current = analysis((), qrs_ms=130, referral=Referral("C", ("qrs_wide",), (_why("QRS", "C"),)))
    cmp = compare(prior, current)
    out = with_comparison(current, cmp)
    assert out.referral.level == "D" and out.referral.because == ("change:qrs_wide_change",)
    assert "QRS幅が前回より +40 ms 延長" in out.referral.reasons_ja[0]
    same = compare(analysis(("atrial_fibrillation",)), analysis())
    assert raise_referral(Referral("A"), same) == Referral("A")


def test_rules_are_validated(tmp_path: Path):
    raw = json.loads(default_rules_path().read_text("utf-8"))
    assert load_rules().version == raw["version"]
    for mutate, problem in (
        (lambda r: r["measurements"][0].update(level="X"), "level"),
        (lambda r: r["measurements"][0].update(up=-5), "up"),
        (lambda r: r["measurements"][0].update(message="no.such.key"), "message"),
        (lambda r: r["new_findings"]["by_label"].update(clbbb="severe"), "level"),
        (lambda r: r.pop("axis"), "axis"),
        (lambda r: r["measurements"][0].update(label={"ja": "心拍数"}), "label"),
        (lambda r: r["measurements"][0].update(label=""), "label"),
    ):
        bad = json.loads(json.dumps(raw))
        mutate(bad)
        p = tmp_path / "rules.json"
        p.write_text(json.dumps(bad), encoding="utf-8")
        with pytest.raises(ComparisonRulesError, match=problem) as info:
            load_rules(p)
        assert str(p) in info.value.message_ja


def test_every_change_reads_in_the_language_shown():
    """A change's name and its marked text are in the language they are shown in: "QRS axis
    shifted -70°" in English (it read "QRS軸 shifted" when the rule table had one Japanese
    label), "QRS軸が前回より -70° 変化" in Japanese; the JSON carries both names."""
    import re

    cjk = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    cmp = compare(analysis(qrs_axis_deg=60.0), analysis(qrs_axis_deg=-10.0))
    ch = cmp.change("qrs_axis_deg")
    assert ch.marked
    assert ch.label.text("en") == "QRS axis" and ch.label.text("ja") == "QRS軸"
    assert ch.text("en").startswith("QRS axis shifted -70°") and not cjk.search(ch.text("en"))
    assert ch.text("ja").startswith("QRS軸が前回より -70°")
    d = ch.to_dict()
    assert (d["label"], d["label_en"]) == ("QRS軸", "QRS axis")
    for c in cmp.changes:  # every rule's name in English, none with Japanese in it
        assert not cjk.search(c.label.text("en")), c.rule_id


def test_status_line_counts_what_the_summary_names():
    """The status bar's short line: new findings and changes past a threshold (a new axis
    deviation among them), counted from what the summary lists."""
    cmp = compare(analysis(("sinus_rhythm",), qrs_axis_deg=40.0),
                  analysis(("sinus_rhythm", "clbbb", "pac"), qrs_ms=130.0, qrs_axis_deg=-45.0))
    assert cmp.status_text("ja") == "前回比較: 新規所見 2 件・基準超の変化 3 項目"
    assert cmp.status_text("en") == "Prior ECG: new findings 2, changes beyond threshold 3"
    assert len(cmp.marked_changes()) == 2 and cmp.new_axis_deviation == "left"  # QRS and axis
    assert "新たな左軸偏位（QRS軸 +40° → -45°）" in cmp.summary("ja")  # the third one
    # a new deviation from a moderate shift (not a marked change) is named too, not "no change"
    small = compare(analysis(qrs_axis_deg=-10.0), analysis(qrs_axis_deg=-31.0))
    assert small.status_text("en") == "Prior ECG: new findings 0, changes beyond threshold 1"
    assert "New left axis deviation" in small.summary("en")
    same = compare(analysis(("sinus_rhythm",)), analysis(("sinus_rhythm",), hr_bpm=75.0))
    assert same.status_text("ja") == "前回比較: 基準を超える変化・新規所見なし"
    assert "基準を超える変化・新規所見はありません" in same.summary("ja")


def test_the_line_names_what_resolved_and_never_says_no_change_beside_it():
    """QA 71: PTB-XL 308 -> 320 read 「基準を超える変化・新規所見はありません」 (status bar, FHIR
    text, CLI) with 下壁心筋梗塞 and 虚血性ST-T変化 gone; 17 -> 26 never named the flutter that
    resolved."""
    gone = compare(analysis(("sinus_rhythm", "atrial_fibrillation", "pac")),
                   analysis(("sinus_rhythm",)))
    assert "消失: 心房細動、上室期外収縮" in gone.summary("ja")
    assert "Resolved: atrial_fibrillation, pac" in gone.summary("en")
    assert "基準を超える変化・新規所見はありません" not in gone.summary("ja")
    assert gone.status_text("ja") == "前回比較: 新規所見 0 件・消失 2 件・基準超の変化 0 項目"
    assert gone.status_text("en") == \
        "Prior ECG: new findings 0, resolved 2, changes beyond threshold 0"
    both = compare(analysis(("atrial_fibrillation",)), analysis(("sinus_rhythm", "clbbb")))
    assert "新規所見: 完全左脚ブロック、洞調律 ／ 消失: 心房細動" in both.summary("ja") or \
        "新規所見: 洞調律、完全左脚ブロック ／ 消失: 心房細動" in both.summary("ja")


def test_a_large_change_of_low_confidence_is_named_for_reference():
    """QA 71 (PTB-XL 308 -> 320): QTc(B) 482 -> 596 ms, greyed as 参考値 in the table, and the
    line read 「基準を超える変化・新規所見はありません」. Such a change is still not marked and
    raises nothing, but the line names it as a change of low-confidence values."""
    cmp = compare(analysis(("sinus_rhythm",), qtc_bazett_ms=482.0),
                  analysis(("sinus_rhythm",), qtc_bazett_ms=596.0,
                           low_confidence=["qtc_bazett_ms"]))
    ch = cmp.change("qtc_bazett_ms")
    assert ch.low_confidence and not ch.marked and ch.low_but_large and not cmp.raises
    assert "参考値（信頼度が低い計測）の大きな変化: QTc(B) +114 ms" in cmp.summary("ja")
    assert "for reference): QTc(B) +114 ms" in cmp.summary("en")
    assert "基準を超える変化・新規所見はありません" not in cmp.summary("ja")
    assert cmp.to_dict()["measurements"][[c.key for c in cmp.changes].index("qtc_bazett_ms")][
        "low_but_large"] is True
    small = compare(analysis(("sinus_rhythm",), qtc_bazett_ms=482.0),
                    analysis(("sinus_rhythm",), qtc_bazett_ms=500.0,
                             low_confidence=["qtc_bazett_ms"]))
    assert not small.change("qtc_bazett_ms").low_but_large
    assert "基準を超える変化・新規所見はありません" in small.summary("ja")


def test_sinus_rhythm_is_no_new_finding_beside_a_prior_sinus_tachycardia():
    """QA 71 (1689 -> 1694): prior 洞頻脈 at 103/min, now 96/min: 「新規所見: 洞調律」 was listed
    beside a new 完全左脚ブロック as if the rhythm had changed. The rate variant itself still
    resolves; the other way round 洞調律 does not resolve beside a new 洞頻脈."""
    cmp = compare(analysis(("sinus_tachycardia",), hr_bpm=103.0),
                  analysis(("sinus_rhythm", "clbbb"), hr_bpm=96.0))
    assert [f.id for f in cmp.new_findings] == ["clbbb"]
    assert [f.id for f in cmp.resolved_findings] == ["sinus_tachycardia"]
    back = compare(analysis(("sinus_rhythm",), hr_bpm=80.0),
                   analysis(("sinus_tachycardia",), hr_bpm=104.0))
    assert [f.id for f in back.new_findings] == ["sinus_tachycardia"]
    assert not back.resolved_findings
    # another rhythm is a change: sinus rhythm after atrial fibrillation is new
    af = compare(analysis(("atrial_fibrillation",)), analysis(("sinus_rhythm",)))
    assert [f.id for f in af.new_findings] == ["sinus_rhythm"]


@pytest.mark.parametrize(("present", "qrs_ms", "level"), [
    (("sinus_rhythm", "injury_anterior"), 90.0, "urgent"),  # its own level: 要至急
    (("sinus_rhythm", "crbbb", "injury_anterior"), 90.0, "D"),  # secondary ST-T with an RBBB
    (("sinus_rhythm", "injury_anterior"), 130.0, "D"),  # ... or with a QRS of 120 ms or more
])
def test_a_new_finding_raises_no_more_than_the_single_ecg_rules_let_it(present, qrs_ms, level):
    """A finding new since the prior ECG raises the flag to its rule-table level, but never
    above the level the single-ECG rules give it in this record: a new 前壁・側壁の心内膜下傷害
    with a right bundle branch block (E07509 compared with E07505) raised 要至急 though the
    ECG alone reads it as 要精査 (secondary ST-T)."""
    cmp = compare(analysis(("sinus_rhythm",)), analysis(present, qrs_ms=qrs_ms))
    new = {f.id: f.level for f in cmp.new_findings}
    assert new["injury_anterior"] == level
    assert {r.id: r.level for r in cmp.raises}["new:injury_anterior"] == level
    if "crbbb" in present:  # a new RBBB is raised by its own rule-table entry (C -> D)
        assert new["crbbb"] == "D"


def test_a_new_finding_a_paced_rhythm_explains_raises_nothing():
    from ecg_viewer.labels.referral_rules import default_rules

    explained = default_rules().explained_by_pacing
    assert "clbbb" in explained
    cmp = compare(analysis(("sinus_rhythm",)), analysis(("paced_rhythm", "clbbb")))
    new = {f.id: f.level for f in cmp.new_findings}
    assert new["clbbb"] is None and not any(r.id == "new:clbbb" for r in cmp.raises)
    unpaced = compare(analysis(("sinus_rhythm",)), analysis(("sinus_rhythm", "clbbb")))
    assert {f.id: f.level for f in unpaced.new_findings}["clbbb"] == "D"
