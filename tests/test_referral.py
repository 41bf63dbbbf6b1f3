"""Referral flag: table-driven cases (labels + measurements + quality -> level and because)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecg_viewer.core.messages import MESSAGES, Reason
from ecg_viewer.core.prediction import (
    REFERRAL_JA,
    SEVERITY,
    LabelScore,
    QualityProblem,
    QualityReport,
)
from ecg_viewer.labels.catalog import load_catalog
from ecg_viewer.labels.referral import decide_referral
from ecg_viewer.labels.referral_rules import (
    MEASUREMENTS,
    RulesError,
    default_rules_path,
    load_rules,
)

CAT = load_catalog()
RULES = load_rules()


def ls(label_id: str, score: float = 0.9, threshold: float = 0.5) -> LabelScore:
    lab = CAT.by_id(label_id)
    return LabelScore(lab.id, lab.ja, lab.en, similarity=0.3, score=score, threshold=threshold,
                      category=lab.category)


BELOW = 0.1  # a score under the 0.5 threshold: the label is not present

# (name, label ids [id or (id, score)], measurements, expected level, expected because)
CASES = [
    ("nothing", [], None, "A", ()),
    ("normal only", ["normal_ecg", "sinus_rhythm"], None, "A", ()),
    ("normal measurements", ["sinus_rhythm"],
     {"hr_bpm": 68, "pr_ms": 160, "qrs_ms": 92, "qt_ms": 380, "qtc_bazett_ms": 410,
      "qtc_fridericia_ms": 405, "qrs_axis_deg": 45}, "A", ()),
    ("AF alone is D", ["sinus_rhythm", "atrial_fibrillation"], None, "D", ("atrial_fibrillation",)),
    ("not only top-1: a weaker D label over a strong B label",
     [("irbbb", 0.95), ("clbbb", 0.6)], None, "D", ("clbbb",)),
    ("below threshold does not count", [("clbbb", BELOW), "irbbb"], None, "B", ("irbbb",)),
    ("two D labels both named", ["atrial_fibrillation", "imi", "irbbb"], None, "D",
     ("atrial_fibrillation", "imi")),
    ("urgent beats D", ["av_block_3", "clbbb"], None, "urgent", ("av_block_3",)),
    ("CRBBB is C", ["crbbb", "left_axis_deviation"], None, "C", ("crbbb",)),
    ("axis deviation is B", ["left_axis_deviation"], None, "B", ("left_axis_deviation",)),
    ("paced rhythm alone is E", ["paced_rhythm"], None, "E", ("paced_rhythm",)),
    ("paced + LBBB-like QRS is still E", ["paced_rhythm", "clbbb", "left_axis_deviation",
                                          "t_inversion"], {"qrs_ms": 160, "qrs_axis_deg": -60},
     "E", ("paced_rhythm",)),
    ("paced + AF is D", ["paced_rhythm", "atrial_fibrillation"], None, "D",
     ("atrial_fibrillation",)),
    ("paced + injury is not hidden: 要精査 (the paced QRS's ST-T is secondary)",
     ["paced_rhythm", "injury_anterior"], None, "D", ("injury_anterior",)),
    ("paced does not hide long QT", ["paced_rhythm"], {"qtc_fridericia_ms": 520}, "urgent",
     ("qtc_fridericia_very_long",)),
    ("measured spikes do not hide a wide QRS", [], {"paced": True, "qrs_ms": 150}, "C",
     ("qrs_wide",)),
    ("measured pacing spikes, nothing else", [], {"paced": True, "qrs_ms": 100}, "E",
     ("paced_spikes",)),
    # ST elevation of the injury type (QA 46: an acute inferior STEMI read 要精査), per territory;
    # 0.0 = the pattern is absent; not with a paced rhythm or LBBB found by the model
    ("inferior injury pattern is urgent", ["imi"], {"st_injury_inferior_mv": 0.27}, "urgent",
     ("st_injury_inferior",)),
    ("lateral injury pattern is urgent", [], {"st_injury_lateral_mv": 0.12}, "urgent",
     ("st_injury_lateral",)),
    ("anterior injury pattern is urgent", [], {"st_injury_anterior_mv": 0.31}, "urgent",
     ("st_injury_anterior",)),
    ("no injury pattern raises nothing", [],
     {"st_injury_inferior_mv": 0.0, "st_injury_lateral_mv": 0.0, "st_injury_anterior_mv": 0.0},
     "A", ()),
    ("an injury pattern is not read in LBBB", ["clbbb"], {"st_injury_anterior_mv": 0.3}, "D",
     ("clbbb",)),
    # a slow regular rhythm without P waves (QA 46: complete AV block at 40/min read 心房細動 D)
    ("slow regular rhythm without P is urgent", ["atrial_fibrillation"],
     {"regular_no_p_hr_bpm": 40.0, "hr_bpm": 40.0}, "urgent", ("slow_regular_no_p",)),
    ("not with a paced rhythm", ["paced_rhythm"], {"regular_no_p_hr_bpm": 45.0}, "E",
     ("paced_rhythm",)),
    # a regular wide-QRS tachycardia without P waves (QA 59: VT read as flutter with LBBB)
    ("regular wide-QRS tachycardia without P is urgent", ["atrial_flutter", "clbbb"],
     {"regular_no_p_hr_bpm": 187.0, "hr_bpm": 187.0, "qrs_ms": 168.0}, "urgent",
     ("wide_qrs_tachycardia", "atrial_flutter", "hr_very_high")),  # the VT warning first
    ("measured spikes never hide LBBB (only the paced label does)", ["clbbb"], {"paced": True},
     "D", ("clbbb",)),
    ("paced label + spikes", ["paced_rhythm"], {"paced": True, "qrs_ms": 160}, "E",
     ("paced_rhythm", "paced_spikes")),
    ("paced False is nothing", [], {"paced": False}, "A", ()),
    ("QTc Fridericia 500 is urgent", ["sinus_rhythm"], {"qtc_fridericia_ms": 500, "hr_bpm": 70},
     "urgent", ("qtc_fridericia_very_long",)),
    ("QTc Bazett 510 at 80 bpm is urgent", [], {"qtc_bazett_ms": 510, "hr_bpm": 80}, "urgent",
     ("qtc_bazett_very_long",)),
    ("Bazett 510 at 120 bpm is not (over-correction); tachycardia C", [],
     {"qtc_bazett_ms": 510, "hr_bpm": 120, "qtc_fridericia_ms": 455}, "C", ("hr_high",)),
    ("Bazett 510 without HR does not fire", [], {"qtc_bazett_ms": 510, "hr_bpm": None}, "A", ()),
    ("QTc 499 is only C", [], {"qtc_fridericia_ms": 499}, "C", ("qtc_long_fridericia",)),
    ("QTc 465 Bazett at 70 bpm is C", [], {"qtc_bazett_ms": 465, "hr_bpm": 70}, "C",
     ("qtc_long_bazett",)),
    ("QT label + very long QTc: the rule raises it to urgent", ["long_qt"],
     {"qtc_fridericia_ms": 530}, "urgent", ("qtc_fridericia_very_long",)),
    ("QT label + long QTc: both named at C", ["long_qt"], {"qtc_fridericia_ms": 470}, "C",
     ("long_qt", "qtc_long_fridericia")),
    ("short QTc is D", [], {"qtc_bazett_ms": 320, "hr_bpm": 70}, "D", ("qtc_short",)),
    ("HR 39 is D", ["sinus_bradycardia"], {"hr_bpm": 39}, "D", ("hr_very_low",)),
    ("HR 40 is C (bradycardia label and rule)", ["sinus_bradycardia"], {"hr_bpm": 40}, "C",
     ("sinus_bradycardia", "hr_low")),
    ("HR 52 by itself raises nothing", [], {"hr_bpm": 52}, "A", ()),
    ("HR 151 is urgent", [], {"hr_bpm": 151}, "urgent", ("hr_very_high",)),
    ("HR 150 is C", [], {"hr_bpm": 150}, "C", ("hr_high",)),
    ("HR 180 with SVT label: both named at urgent", ["svt"], {"hr_bpm": 180}, "urgent",
     ("svt", "hr_very_high")),
    ("PR 210 is C", [], {"pr_ms": 210}, "C", ("pr_long",)),
    ("PR 200 is fine", [], {"pr_ms": 200}, "A", ()),
    ("PR 320 is D", [], {"pr_ms": 320}, "D", ("pr_very_long",)),
    ("PR 100 is C", [], {"pr_ms": 100}, "C", ("pr_short",)),
    ("QRS 130 is C", [], {"qrs_ms": 130}, "C", ("qrs_wide",)),
    ("QRS 130 + CLBBB label is D", ["clbbb"], {"qrs_ms": 130}, "D", ("clbbb",)),
    ("axis -45 is B", [], {"qrs_axis_deg": -45}, "B", ("axis_left",)),
    ("axis -29 is nothing", [], {"qrs_axis_deg": -29}, "A", ()),
    ("axis +130 is B", [], {"qrs_axis_deg": 130}, "B", ("axis_right",)),
    ("axis -120 is C", [], {"qrs_axis_deg": -120}, "C", ("axis_extreme",)),
    ("axis 240 (= -120) is C", [], {"qrs_axis_deg": 240}, "C", ("axis_extreme",)),
    ("wide QRS: the plain QTc rules do not apply", [],
     {"qrs_ms": 160, "qtc_fridericia_ms": 530, "qtc_bazett_ms": 540, "hr_bpm": 70,
      "qtc_modified_ms": 440}, "C", ("qrs_wide",)),
    ("wide QRS: a modified QTc of 505 is urgent", [],
     {"qrs_ms": 150, "qtc_fridericia_ms": 580, "qtc_modified_ms": 505}, "urgent",
     ("qtc_modified_very_long",)),
    ("wide QRS: a modified QTc of 470 is C", [],
     {"qrs_ms": 150, "qtc_fridericia_ms": 545, "qtc_modified_ms": 470}, "C",
     ("qtc_modified_long", "qrs_wide")),
    ("paced, QRS 119: the plain QTc still applies", ["paced_rhythm"],
     {"qrs_ms": 119, "qtc_fridericia_ms": 510}, "urgent", ("qtc_fridericia_very_long",)),
    ("QRS not measured: the plain QTc still applies", [],
     {"qrs_ms": None, "qtc_fridericia_ms": 510}, "urgent", ("qtc_fridericia_very_long",)),
    ("low-confidence QT: the modified QTc does not fire alone", [],
     {"qrs_ms": 150, "qtc_modified_ms": 520, "low_confidence": ["qt_ms", "qtc_modified_ms"]},
     "C", ("qrs_wide",)),
    ("atrial flutter: no QTc rule fires (flutter waves on the T wave); the flutter label raises D",
     ["atrial_flutter"], {"qtc_fridericia_ms": 505, "qtc_bazett_ms": 572, "hr_bpm": 96}, "D",
     ("atrial_flutter",)),
    ("atrial flutter at 128/min: no QTc rule either; the rapid response raises 要至急",
     ["atrial_flutter"], {"qtc_fridericia_ms": 505, "qtc_bazett_ms": 572, "hr_bpm": 128},
     "urgent", ("atrial_flutter",)),
    ("atrial flutter: neither does the modified QTc nor a short QTc", ["atrial_flutter"],
     {"qrs_ms": 150, "qtc_modified_ms": 520, "qtc_bazett_ms": 320, "hr_bpm": 75}, "D",
     ("atrial_flutter",)),
    ("flutter below its threshold does not stop the QTc rule", [("atrial_flutter", BELOW)],
     {"qtc_fridericia_ms": 505, "hr_bpm": 128}, "urgent", ("qtc_fridericia_very_long",)),
    ("AF does not stop the QTc rule", ["atrial_fibrillation"], {"qtc_fridericia_ms": 505},
     "urgent", ("qtc_fridericia_very_long",)),
    ("a PR measured in atrial flutter or AF raises no PR rule", ["atrial_flutter"],
     {"pr_ms": 78, "hr_bpm": 90}, "D", ("atrial_flutter",)),
    ("a PR of 320 measured in AF raises no PR rule", ["atrial_fibrillation"], {"pr_ms": 320},
     "D", ("atrial_fibrillation",)),
    ("injury at QRS >= 120 ms raises D (secondary ST-T), still named", ["injury_anterior", "crbbb"],
     {"qrs_ms": 158, "hr_bpm": 48}, "D", ("injury_anterior",)),
    ("injury at a narrow QRS stays urgent", ["injury_anterior"], {"qrs_ms": 100}, "urgent",
     ("injury_anterior",)),
    ("injury: a QRS of low confidence does not lower it", ["injury_anterior"],
     {"qrs_ms": 150, "low_confidence": ["qrs_ms"]}, "urgent", ("injury_anterior",)),
    ("a wide QRS does not lower other urgent labels", ["av_block_3"], {"qrs_ms": 150}, "urgent",
     ("av_block_3",)),
    ("injury with complete RBBB found, its QRS of low confidence: D", ["injury_anterior", "crbbb"],
     {"qrs_ms": 158, "low_confidence": ["qrs_ms"]}, "D", ("injury_anterior",)),
    ("injury with CRBBB below its threshold stays urgent", ["injury_anterior", ("crbbb", BELOW)],
     {"qrs_ms": 100}, "urgent", ("injury_anterior",)),
    ("NaN never fires", [], {"hr_bpm": float("nan"), "qtc_fridericia_ms": float("nan")}, "A", ()),
    ("unknown measurement names are ignored", [], {"heart_rate": 30}, "A", ()),
]


@pytest.mark.parametrize("name, labels, measurements, level, because", CASES,
                         ids=[c[0] for c in CASES])
def test_referral_table(name, labels, measurements, level, because):
    present = [ls(x) if isinstance(x, str) else ls(x[0], score=x[1]) for x in labels]
    ref = decide_referral(present, measurements, QualityReport(ok=True))
    assert (ref.level, ref.because) == (level, because), name
    assert len(ref.reasons_ja) == len(ref.because)
    assert ref.ja == REFERRAL_JA[level]


def test_reasons_are_japanese_and_name_the_label_or_value():
    ref = decide_referral([ls("atrial_fibrillation")])
    assert ref.reasons_ja == ("心房細動（要精査）",)
    ref = decide_referral([ls("injury_anterior")], {"qrs_ms": 158.0})
    assert ref.reasons_ja == (
        "前壁・側壁の心内膜下傷害（要精査: QRS 幅 158 ms（120 ms 以上）のため ST-T 変化は二次性の可能性）",)
    assert "may be secondary" in ref.reasons("en")[0]
    ref = decide_referral([ls("injury_anterior"), ls("crbbb")], {"qrs_ms": 158.0,
                                                                  "low_confidence": ["qrs_ms"]})
    assert ref.reasons_ja == (
        "前壁・側壁の心内膜下傷害（要精査: 完全右脚ブロックがあるため ST-T 変化は二次性の可能性）",)
    ref = decide_referral([], {"qtc_fridericia_ms": 512.4})
    assert ref.reasons_ja == ("QTc（Fridericia）512 ms：500 ms 以上",)
    assert ref.to_dict()["level"] == "urgent" and ref.to_dict()["ja"] == "要至急"


def test_quality_gate_wins():
    q = QualityReport(ok=False, problems=(
        QualityProblem("flat", ("V3",), Reason.of("quality.flat", leads="V3")),))
    ref = decide_referral([ls("av_block_3")], {"qtc_fridericia_ms": 600}, q)
    assert ref.level == "unreadable" and ref.because == ("flat",)
    assert ref.ja == "判定不能"
    assert "V3" in ref.reasons_ja[0] and ref.reasons_en[0] == "Flat lead(s) with no signal: V3"


def test_every_catalog_category_is_a_level_and_pacing_ids_exist():
    for lab in CAT.labels:
        decide_referral([ls(lab.id)])  # raises on a category that is not a level
    assert RULES.paced_labels <= set(CAT.ids)
    stopping = {lab for r in RULES.measurement_rules for lab in r.unless_labels}
    assert stopping and stopping <= set(CAT.ids)
    for rule in RULES.label_levels:  # label-level rules: real labels, another level, cited
        assert rule.labels <= set(CAT.ids) and rule.with_labels <= set(CAT.ids)
        assert len(rule.reason) > 40
        assert all(SEVERITY[rule.level] != SEVERITY[CAT.by_id(i).category] for i in rule.labels)
    # no QTc rule in atrial flutter (flutter waves on the T wave), no PR rule in flutter or AF
    flutter = {r.id for r in RULES.measurement_rules if "atrial_flutter" in r.unless_labels}
    af = {r.id for r in RULES.measurement_rules if "atrial_fibrillation" in r.unless_labels}
    # (and no "slow regular rhythm without P" rule: flutter waves are no P wave)
    assert flutter - {"slow_regular_no_p"} == {r.id for r in RULES.measurement_rules
                                               if r.show.startswith(("qtc_", "pr_"))}
    assert af == {r.id for r in RULES.measurement_rules if r.show == "pr_ms"}
    assert RULES.explained_by_pacing <= set(CAT.ids)
    assert not RULES.explained_by_pacing & {"injury_anterior", "injury_inferior", "acute_mi",
                                            "atrial_fibrillation", "long_qt", "av_block_3"}


def test_rule_table_is_complete_and_cited():
    raw = json.loads(default_rules_path().read_text(encoding="utf-8"))
    assert "cardiologist" in raw["review_note"]
    for rule in RULES.measurement_rules:
        assert rule.message in MESSAGES
        assert len(rule.reason) > 40  # a cited reason, not a placeholder
        for cond in rule.when:
            assert cond.measure in MEASUREMENTS
    fired = {b for c in CASES for b in c[4]}
    assert {r.id for r in RULES.measurement_rules} <= fired  # every rule has a table case


@pytest.mark.parametrize("mutate, needle", [
    (lambda r: r["measurement_rules"][0].update(level="E2"), "level"),
    (lambda r: r["measurement_rules"][0].update(message="referral.rule.nope"), "message key"),
    (lambda r: r["measurement_rules"][0]["when"][0].update(measure="heart_rate"), "measure"),
    (lambda r: r["measurement_rules"][0]["when"][0].update(op="=="), "op"),
    (lambda r: r["measurement_rules"][0]["when"][0].update(value="500"), "number"),
    (lambda r: r["measurement_rules"][0].update(show="hr_bpm"), "show"),
    (lambda r: r["measurement_rules"].append(dict(r["measurement_rules"][0])), "unique"),
    (lambda r: r["pacing"].update(explained_rules=["nope"]), "unknown rules"),
    (lambda r: r["measurement_rules"][0].update(unless_labels="atrial_flutter"), "unless_labels"),
    (lambda r: r["measurement_rules"][0].update(unless_labels=[""]), "unless_labels"),
    (lambda r: r["label_levels"][0].update(labels=[]), "'labels'"),
    (lambda r: r["label_levels"][0].update(level="X"), "level"),
    (lambda r: r["label_levels"][0].update(show="hr_bpm"), "show"),
    (lambda r: r["label_levels"][0].update(message="referral.nope"), "message key"),
    (lambda r: r["label_levels"][0].pop("label_message"), "label_message"),
    (lambda r: r["label_levels"][0].update(when=[], with_labels=[]), "needs conditions"),
])
def test_bad_rules_file(tmp_path: Path, mutate, needle):
    raw = json.loads(default_rules_path().read_text(encoding="utf-8"))
    mutate(raw)
    p = tmp_path / "rules.json"
    p.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(p)
    assert needle in str(err.value)
    assert "判定ルール表を読めません" in err.value.message("ja")
    with pytest.raises(RulesError, match="not found"):
        load_rules(tmp_path / "missing.json")


# --- the combination rule: several D/urgent findings, each under its own threshold ---------
def _combination(threshold: float = 0.0):
    from ecg_viewer.labels.referral import CombinationRule

    # two D findings weigh toward referral, a normal ECG against it
    return CombinationRule(("asmi", "st_depression"), (1.0, 1.0), "normal_ecg", -1.0, 0.0,
                           threshold)


def test_combination_score_is_the_logistic_of_the_logits():
    import math

    rule = _combination()
    lg = lambda p: math.log(p / (1 - p))  # noqa: E731
    scores = {"asmi": 0.3, "st_depression": 0.2, "normal_ecg": 0.1}
    assert rule.score(scores) == pytest.approx(lg(0.3) + lg(0.2) - lg(0.1))
    # a label not given counts as 0, kept within eps (finite)
    assert math.isfinite(rule.score({}))


def test_combination_raises_d_naming_the_findings_closest_to_their_thresholds():
    rule = _combination(threshold=-1.0)  # its score here: logit .30 + logit .12 - logit .10 = -0.64
    present = [ls("asmi", 0.30, 0.40), ls("st_depression", 0.12, 0.20), ls("normal_ecg", 0.10),
               ls("sinus_rhythm", 0.9)]
    ref = decide_referral(present, None, None, RULES, rule)
    assert ref.level == "D" and ref.because == ("combination",)
    ja, en = ref.reason_keys[0].text("ja"), ref.reason_keys[0].text("en")
    # both named, the one nearer its threshold first (0.30/0.40 > 0.12/0.20)
    assert ja.index("前壁中隔心筋梗塞 0.30") < ja.index("ST低下 0.12"), ja
    assert "組み合わせ" in ja and "findings together" in en and "前壁" not in en
    # the same scores without the rule: nothing above a threshold, no flag
    assert decide_referral(present, None, None, RULES).level == "A"


def test_combination_stays_silent_below_its_threshold_when_flagged_or_paced():
    low = [ls("asmi", 0.05, 0.4), ls("st_depression", 0.05, 0.2), ls("normal_ecg", 0.9)]
    assert decide_referral(low, None, None, RULES, _combination(0.0)).level == "A"
    # a finding above its own threshold already flags: named alone, no combination reason
    high = [ls("asmi", 0.6, 0.4), ls("st_depression", 0.15, 0.2), ls("normal_ecg", 0.05)]
    ref = decide_referral(high, None, None, RULES, _combination(-50.0))
    assert ref.level == "D" and ref.because == ("asmi",)
    # a paced rhythm: its findings are pacing's, the combination does not read them
    paced = [ls("paced_rhythm", 0.9), ls("asmi", 0.3, 0.4), ls("st_depression", 0.15, 0.2)]
    assert decide_referral(paced, None, None, RULES, _combination(-50.0)).level == "E"


@pytest.mark.parametrize("mutate", [
    lambda d: d.update(weights=[1.0]),
    lambda d: d.update(threshold=float("nan")),
    lambda d: d.pop("bias"),
    lambda d: d.update(eps=0.7),
])
def test_combination_from_json_refuses_a_bad_rule(mutate):
    from ecg_viewer.labels.referral import CombinationRule

    d = _combination(0.5).to_json()
    assert CombinationRule.from_json(d) == _combination(0.5)
    mutate(d)
    with pytest.raises((KeyError, ValueError)):
        CombinationRule.from_json(d)


def test_combination_names_no_finding_far_below_its_threshold():
    rule = _combination(threshold=-50.0)
    present = [ls("asmi", 0.02, 0.40), ls("st_depression", 0.10, 0.20), ls("normal_ecg", 0.1)]
    ref = decide_referral(present, None, None, RULES, rule)
    # ST低下 at half its threshold is named; 前壁中隔心筋梗塞 at 0.05 of its own is not
    assert ref.named == ("st_depression",) and "前壁中隔" not in ref.reason_keys[0].text("ja")


def test_combination_needs_every_label_it_reads():
    # the found labels alone (正常心電図 missing): no score, no flag from the rule
    present = [ls("asmi", 0.30, 0.40), ls("st_depression", 0.12, 0.20)]
    assert decide_referral(present, None, None, RULES, _combination(-50.0)).level == "A"


@pytest.mark.parametrize("label, hr, low, level, share", [
    ("atrial_fibrillation", 146.0, False, "urgent", 0.3),  # CinC A0003: AF with rapid response
    ("atrial_fibrillation", 146.0, False, "urgent", None),  # too few beats to say
    ("atrial_flutter", 120.0, False, "urgent", 1.0),  # flutter's conduction is regular
    ("atrial_fibrillation", 95.0, False, "D", 0.3),
    ("atrial_fibrillation", 146.0, True, "D", 0.3),  # a greyed rate raises nothing
    # a regular rhythm read as AF keeps it (QA 55: a flutter at 129/min read as AF, share 0.81)
    ("atrial_fibrillation", 129.0, False, "urgent", 0.81),
])
def test_atrial_fibrillation_or_flutter_with_a_rapid_response_is_urgent(label, hr, low, level,
                                                                         share):
    """Reference doc §3: "AF/AFL with fast response" is in the urgent tier; the catalog's
    頻脈性心房細動 has no training example, so the trusted rate decides (> 100/min)."""
    meas = {"hr_bpm": hr, "low_confidence": ["hr_bpm"] if low else [], "rr_regular_share": share}
    ref = decide_referral([ls(label)], meas)
    assert ref.level == level
    if level == "urgent":
        assert f"{hr:.0f} /分" in ref.reasons_ja[0] and "rapid ventricular response" in \
            ref.reasons_en[0]
