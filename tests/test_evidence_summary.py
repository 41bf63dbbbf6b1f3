"""The banner's and the PDF's run-in lines of evidence (``evidence_summary``,
``evidence_line``): the features the fused probability weighed come last under one heading
that says so, not a note after each (the banner and the JSON referral reasons are read at a
glance; a PDF line cut to its width keeps the heading). A line of its own (the panel's rows,
the PDF table's expanded evidence, FHIR) keeps the note on the feature."""

from __future__ import annotations

from ecg_viewer.core.prediction import Evidence, LabelScore
from ecg_viewer.labels.evidence import evidence_line, evidence_summary, evidence_text


def _label(*evidence: Evidence) -> LabelScore:
    return LabelScore("asmi", "前壁中隔心筋梗塞", "anteroseptal myocardial infarction", 0.4, 0.95,
                      0.15, "D", (Evidence("similarity", 0.41, "", "model"), *evidence))


Q_DUR = Evidence("q_anteroseptal_ms", 97.0, "ms", "fusion")
R_V3 = Evidence("r_v3_mv", 0.0, "mV", "fusion")
Q_ANT = Evidence("q_waves_anterior", True, "", "= true")
PR = Evidence("pr_ms", 236.0, "ms", "> 200 ms")


def test_fused_features_come_last_under_one_heading():
    s = _label(Q_DUR, Q_ANT, R_V3)
    ja = evidence_summary(s, "ja")
    assert ja == (evidence_text(Q_ANT, "ja", mark=False) + "、統合確率に寄与した項目: "
                  + "Q 幅（V1–V4 で 2 番目に長い Q）97 ms、R（V3）0.00 mV")
    assert "異常 Q 波（前壁誘導 V3–V4）：あり" in ja  # names, not keys; no space after "）"
    en = evidence_summary(s, "en")
    assert en.count("weighed in the fused probability") == 1
    assert en.endswith("weighed in the fused probability: Q duration (second longest of V1–V4) "
                       "97 ms; R (V3) 0.00 mV")


def test_criteria_keep_their_thresholds_and_a_lone_fused_feature_its_heading():
    s = _label(PR, Q_DUR)
    ja = evidence_summary(s, "ja")
    assert ja == "PR 間隔 236 ms（> 200 ms）、統合確率に寄与した項目: Q 幅（V1–V4 で 2 番目に長い Q）97 ms"
    assert evidence_summary(_label(PR), "en") == "PR interval 236 ms (> 200 ms)"


def test_the_limit_counts_before_grouping_and_evidence_against_is_left_out():
    s = _label(Q_DUR, R_V3, Evidence("p_ii_ms", 110.0, "ms", "fusion"),
               Evidence("qrs_ms", 90.0, "ms", "< 120 ms", supports=False))
    ja = evidence_summary(s, "ja", limit=2)
    assert "P 幅" not in ja and "QRS" not in ja and ja.count("統合確率") == 1
    assert evidence_summary(_label(), "ja") == ""


def test_the_pdf_line_marks_each_item_and_groups_the_fused_ones():
    against = Evidence("q_waves_septal", False, "", "= true", supports=False)
    line = evidence_line([against, Q_DUR, Q_ANT, R_V3], "ja")
    assert line.startswith("× 異常 Q 波（中隔誘導 V1–V2）：なし、○ 異常 Q 波（前壁誘導 V3–V4）：あり、"
                           "統合確率に寄与した項目: ○ Q 幅")
    assert line.count("○ ") == 3 and line.count("統合確率") == 1
    assert line.endswith("○ R（V3）0.00 mV")


def test_single_lines_keep_the_note_on_the_feature():
    assert evidence_text(Q_DUR, "ja", mark=False).endswith("97 ms（統合確率への寄与）")
    assert evidence_text(R_V3, "en") == "○ R (V3) 0.00 mV (weighed in the fused probability)"


def test_a_count_reads_whole_and_a_ratio_keeps_its_decimals():
    """QA 36: 「陰性 T 波の誘導数 3.00」 in the banner, the evidence and the dock."""
    from ecg_viewer.labels.evidence import format_value

    assert format_value(3.0, "", "ja") == "3"
    assert format_value(0.33, "", "ja") == "0.33"
    assert format_value(1.0, "mV", "ja") == "1.00 mV"


def test_a_rate_reads_as_the_header_writes_it():
    """QA 70: the English sheet read "HR 64 bpm" in its header and measurements table but
    "heart rate 64/min (≥ 50/min)" in the evidence below; Japanese writes 「/分」 throughout."""
    hr = Evidence("hr_bpm", 64.0, "/min", "≥ 50/min", True)
    assert evidence_text(hr, "en") == "○ heart rate 64 bpm (≥ 50 bpm)"
    assert evidence_text(hr, "ja") == "○ 心拍数 64 /分（≥ 50 /分）"
    assert hr.to_dict()["unit"] == "/min"  # the JSON keeps the unit's code
