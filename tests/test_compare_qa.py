"""The comparison with the prior ECG after the QA report of 2026-12-06 (/tmp/qa21): an
unanalysable prior, findings not compared, a prior of another patient picked by hand among files
without ID, low-confidence changes in the PDF and FHIR, FHIR change codes, a new axis deviation
from a few degrees, derived labels counted twice, findings a new LBBB hides, why there is no
comparison, `report` with a refused prior and the texts of the interval."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from compare_fixtures import Ptbxl

from ecg_viewer.cli import main
from ecg_viewer.compare.diff import EcgRef, compare_analyses
from ecg_viewer.compare.findings import not_assessable_title
from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.core.prediction import (
    Analysis,
    Evidence,
    LabelScore,
    ModelInfo,
    Prediction,
    QualityReport,
    Referral,
)

BASE = {"hr_bpm": 70.0, "pr_ms": 160.0, "qrs_ms": 90.0, "qt_ms": 400.0, "qtc_bazett_ms": 420.0,
        "qtc_fridericia_ms": 415.0, "qrs_axis_deg": 40.0, "p_axis_deg": 50.0, "t_axis_deg": 40.0}
PRIOR_REF = EcgRef("prior.xml", "a" * 64, "P1", datetime(2025, 1, 10, 9, 0))
CUR_REF = EcgRef("current.xml", "b" * 64, "P1", datetime(2026, 3, 1, 10, 30))
LABELS = {"sinus_rhythm": ("洞調律", "A"), "clbbb": ("完全左脚ブロック", "D"),
          "paced_rhythm": ("ペースメーカ調律", "E"), "imi": ("下壁心筋梗塞", "D"),
          "st_depression": ("ST低下", "D"), "lvh": ("左室肥大", "C"), "lafb": ("左脚前枝ブロック", "C"),
          "left_axis_deviation": ("左軸偏位", "C"), "nondiagnostic_t": ("非特異的T波異常", "C"),
          "flat_t": ("平低T波", "C"), "t_abnormality": ("T波異常", "C"),
          "av_block_1": ("I度房室ブロック", "C"), "asmi": ("前壁中隔心筋梗塞", "D")}
#: T波異常 is scored from its narrower labels (labels/derived.py, evidence derived_from)
DERIVED = {"t_abnormality": ("nondiagnostic_t", "flat_t")}
CINC = ("samples", "wfdb_cinc2021")


def analysis(present: tuple[str, ...] = (), with_model: bool = True, level: str = "A",
             **changes: float | None) -> Analysis:
    pred = None
    if with_model:
        labels = tuple(LabelScore(
            lid, ja, lid, 0.1, 0.9 if lid in present else 0.1, 0.5, cat,
            tuple(Evidence("derived_from", n, "", "0.90") for n in DERIVED.get(lid, ())
                  if n in present)) for lid, (ja, cat) in LABELS.items())
        pred = Prediction(labels, ModelInfo("t", "w" * 64, "c", "cpu"))
    return Analysis("f.xml", "s" * 64, QualityReport(level != "unreadable"), Referral(level),
                    pred, dict(BASE, **changes))


def compare(prior: Analysis, current: Analysis, prior_ref: EcgRef = PRIOR_REF):
    return compare_analyses(current, prior, current_ref=CUR_REF, prior_ref=prior_ref,
                            match="folder")


@pytest.fixture(scope="module")
def pair(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    p = Ptbxl(shared_data)
    folder = tmp_path_factory.mktemp("patient583")
    prior, current = p.write(folder, 581), p.write(folder, 598)
    lone = p.write(tmp_path_factory.mktemp("lone"), 202)
    return prior, current, lone


def _sheet3(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[2]


# --- #2 a prior whose own analysis is 判定不能 -----------------------------------------------------
def test_an_unanalysable_prior_is_not_compared(pair, shared_data: Path, capsys):
    """MIT-BIH 100 (2 leads, 判定不能 by itself) picked as the prior of a 12-lead ECG: its QRS of
    +74 ms and QTc of +65 ms had raised 要精査. Now nothing is marked or raised, every value is
    参考値, and the comparison says it could not be compared."""
    _, current, _ = pair
    assert main(["analyze", str(current), "--no-model", "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert main(["analyze", str(current), "--no-model", "--json",
                 "--prior", str(shared_data / "samples" / "wfdb" / "100.hea")]) == 0
    d = json.loads(capsys.readouterr().out)
    cmp = d["comparison"]
    assert cmp["prior_referral"]["level"] == "unreadable"
    assert cmp["not_comparable"]["key"] == "compare.prior_unreadable_analysis"
    assert not cmp["raises"] and not any(m["marked"] for m in cmp["measurements"])
    assert all(m["low_confidence"] for m in cmp["measurements"] if m["change"] is not None)
    assert d["referral"] == alone["referral"]  # nothing raised by the comparison
    assert "判定不能" in cmp["summary_ja"] and "could not be analysed" in cmp["summary_en"]
    assert "新規所見はありません" not in cmp["summary_ja"]


def test_an_unanalysable_prior_in_the_texts():
    cmp = compare(analysis(with_model=False, level="unreadable", qrs_ms=60.0),
                  analysis(("sinus_rhythm",), qrs_ms=160.0))
    assert cmp.not_comparable and not cmp.raises and not cmp.findings_compared
    assert cmp.change("qrs_ms").low_confidence and not cmp.change("qrs_ms").marked
    assert cmp.status_text("ja") == "前回比較: 判定不能の心電図のため比較できません"
    assert "not compared" in cmp.status_text("en")


# --- #3 findings not compared ----------------------------------------------------------------------
def test_findings_not_compared_never_read_no_new_finding(pair, tmp_path: Path):
    cmp = compare(analysis(with_model=False), analysis(("sinus_rhythm",)))
    for lang, banned in (("ja", "新規所見なし"), ("en", "no new finding")):
        assert banned not in cmp.status_text(lang)
    assert cmp.status_text("ja") == "前回比較: 基準超の変化 0 項目・所見は比較できません"
    assert "新規所見はありません" not in cmp.summary("ja")
    assert "所見の比較はできません" in cmp.summary("ja")
    assert "Findings not compared" in cmp.summary("en")
    assert "no new finding" not in cmp.summary("en").lower()
    # the FHIR Observation's valueString is the summary
    prior, current, _ = pair
    fh = tmp_path / "r.fhir.json"
    assert main(["report", str(current), "--prior", str(prior), "--no-model", "--out",
                 str(tmp_path / "r.pdf"), "--fhir", str(fh), "--db",
                 str(tmp_path / "db.sqlite3")]) == 0
    raw = json.loads(fh.read_text(encoding="utf-8"))
    obs = next(e["resource"] for e in raw["entry"]
               if e["resource"]["resourceType"] == "Observation"
               and e["resource"]["code"]["coding"][0]["code"] == "comparison-with-prior")
    assert "所見の比較はできません" in obs["valueString"]
    assert "新規所見はありません" not in obs["valueString"]


# --- #4 a prior of another patient picked by hand ---------------------------------------------------
@pytest.mark.parametrize(("prior", "key", "words"), [
    ("E07505.hea", "compare.other_sex", ("別の患者", "性別")),  # a woman of 77; E07509: a man of 71
    ("E07500.hea", "compare.other_age", ("別の患者", "78", "71")),  # a man of 78, recorded earlier
    ("E07504.hea", None, ()),  # a man of 69: may be his
])
def test_a_prior_picked_by_hand_of_another_sex_or_older_is_refused(shared_data: Path, prior,
                                                                   key, words):
    from ecg_viewer.compare.pair import PriorRefusedError
    from ecg_viewer.compare.prior import check_manual_prior
    from ecg_viewer.core.errors import user_message
    from ecg_viewer.io import read_ecg

    cur = read_ecg(shared_data.joinpath(*CINC, "E07509.hea"))
    refused = check_manual_prior(cur, read_ecg(shared_data.joinpath(*CINC, prior)))
    if key is None:
        assert refused is None
        return
    assert refused[0] == key
    err = PriorRefusedError(refused[0], **refused[1])
    assert all(w in user_message(err, "ja") for w in words)
    assert "another patient" in user_message(err, "en")


def test_a_prior_not_matched_by_id_shows_both_patients(shared_data: Path, tmp_path: Path,
                                                       capsys):
    """E07504 by hand for E07509 (no ID in WFDB): the sheet says the patient was not matched by
    ID and gives both sexes and ages; the JSON says ``patient_matched`` false."""
    cinc = shared_data.joinpath(*CINC)
    pdf, js = tmp_path / "r.pdf", tmp_path / "r.json"
    assert main(["report", str(cinc / "E07509.hea"), "--prior", str(cinc / "E07504.hea"),
                 "--no-model", "--out", str(pdf), "--json", str(js),
                 "--db", str(tmp_path / "db.sqlite3")]) == 0
    capsys.readouterr()
    cmp = json.loads(js.read_text(encoding="utf-8"))["comparison"]
    assert cmp["patient_matched"] is False
    assert (cmp["prior"]["sex"], cmp["prior"]["age_years"]) == ("M", 69.0)
    sheet = " ".join(_sheet3(pdf).split())
    assert "患者IDで照合していません（手動選択）" in sheet
    assert "前回: 男性・69 歳" in sheet and "今回: 男性・71 歳" in sheet
    # #13: no prior time reads 記録日時不明, not a dash
    assert "記録日時不明" in sheet
    # #5: the QRS of low confidence (E07509: 0.42) greyed with 参考値, not a plain value
    qrs = next(ln for ln in _sheet3(pdf).splitlines() if ln.lstrip().startswith("QRS "))
    assert "参考値" in qrs and "▲" not in qrs


def test_the_window_shows_an_unmatched_prior(make_window, qtbot, shared_data: Path):
    from ecg_viewer.pipeline.analyze import Analyzer

    win = make_window((1400, 900), use_stored_language=False,
                      analyzer_factory=lambda: Analyzer(load_model=False))
    cinc = shared_data.joinpath(*CINC)
    win.controller.open_file(str(cinc / "E07509.hea"))
    qtbot.waitUntil(lambda: win.state.analysis is not None, timeout=60000)
    feats = win.comparison_features
    feats.compare_file(str(cinc / "E07505.hea"))  # a woman's ECG: refused
    qtbot.waitUntil(lambda: "性別が違います" in win.statusBar().currentMessage(), timeout=30000)
    with qtbot.waitSignal(feats.compared, timeout=60000):
        feats.compare_file(str(cinc / "E07504.hea"))
    cw = feats.compare_window
    qtbot.waitExposed(cw)
    try:
        assert "患者IDで照合していません（手動選択）" in cw.prior_label.text()
        assert "前回: 男性・69 歳" in cw.prior_label.text()
        rows = {cw.table.item(r, 0).text(): r for r in range(cw.table.rowCount())}
        assert cw.table.item(rows["QRS"], 4).text() == "参考値"
        assert cw.table.item(rows["QRS"], 3).foreground().color().name() == "#828282"
    finally:
        cw.close()


# --- #5 / #6 FHIR change components -------------------------------------------------------------------
def test_fhir_changes_carry_no_loinc_of_the_measurement_and_say_low_confidence(
        shared_data: Path, tmp_path: Path, capsys):
    cinc = shared_data.joinpath(*CINC)
    fh = tmp_path / "r.fhir.json"
    assert main(["report", str(cinc / "E07509.hea"), "--prior", str(cinc / "E07504.hea"),
                 "--no-model", "--out", str(tmp_path / "r.pdf"), "--fhir", str(fh),
                 "--db", str(tmp_path / "db.sqlite3")]) == 0
    capsys.readouterr()
    from fhir.resources.R4B.bundle import Bundle

    raw = json.loads(fh.read_text(encoding="utf-8"))
    Bundle.model_validate(raw)
    obs = next(e["resource"] for e in raw["entry"]
               if e["resource"]["resourceType"] == "Observation"
               and e["resource"]["code"]["coding"][0]["code"] == "comparison-with-prior")
    changes = [c for c in obs["component"] if "valueQuantity" in c]
    assert changes
    for c in changes:  # a receiver reading by LOINC must not see "heart rate -36/min"
        assert [x["system"] for x in c["code"]["coding"]] == \
            [c["code"]["coding"][0]["system"]] and "loinc" not in json.dumps(c["code"])
        assert c["code"]["coding"][0]["code"].startswith("change-")
    qrs = next(c for c in changes if c["code"]["coding"][0]["code"] == "change-qrs_ms")
    assert qrs["interpretation"][0]["coding"][0]["code"] == "IND"
    assert "参考値" in qrs["interpretation"][0]["text"]
    assert any("患者IDで照合していません" in n["text"] for n in obs["note"])


# --- #7 new axis deviation --------------------------------------------------------------------------
def test_a_new_axis_deviation_is_one_reason():
    """The axis moved from 0° to -35°: the comparison's own "new left axis deviation" is the
    one reason, the label 左軸偏位 new beside it is not a second one."""
    cmp = compare(analysis(("sinus_rhythm",), qrs_axis_deg=0.0),
                  analysis(("sinus_rhythm", "left_axis_deviation"), qrs_axis_deg=-35.0))
    assert [r.id for r in cmp.raises] == ["new_axis:left"]
    assert not [f for f in cmp.new_findings if f.id == "left_axis_deviation"]
    assert cmp.status_text("ja") == "前回比較: 新規所見 0 件・基準超の変化 1 項目"
    # -24° -> -31° (QA: PTB-XL 308 -> 320): neither the axis rule nor the label
    small = compare(analysis(("sinus_rhythm",), qrs_axis_deg=-24.0),
                    analysis(("sinus_rhythm", "left_axis_deviation"), qrs_axis_deg=-31.0))
    assert not small.raises and not small.new_findings
    assert small.status_text("ja") == "前回比較: 基準を超える変化・新規所見なし"


# --- #9 derived labels --------------------------------------------------------------------------------
def test_a_derived_label_is_not_a_second_new_or_resolved_finding():
    cmp = compare(analysis(("sinus_rhythm",)),
                  analysis(("sinus_rhythm", "nondiagnostic_t", "t_abnormality")))
    assert [f.id for f in cmp.new_findings] == ["nondiagnostic_t"]
    assert [r.id for r in cmp.raises] == ["new:nondiagnostic_t"]
    back = compare(analysis(("sinus_rhythm", "nondiagnostic_t", "flat_t", "t_abnormality")),
                   analysis(("sinus_rhythm",)))
    assert {f.id for f in back.resolved_findings} == {"nondiagnostic_t", "flat_t"}
    # a broader label new without its narrower one new is still new
    alone = compare(analysis(("sinus_rhythm",)), analysis(("sinus_rhythm", "t_abnormality")))
    assert [f.id for f in alone.new_findings] == ["t_abnormality"]


# --- #8 findings hidden by a new LBBB / paced rhythm ---------------------------------------------------
@pytest.mark.parametrize("new", ["clbbb", "paced_rhythm"])
def test_findings_a_new_lbbb_hides_are_not_resolved(new):
    cmp = compare(analysis(("sinus_rhythm", "imi", "st_depression", "lvh", "lafb", "av_block_1")),
                  analysis(("sinus_rhythm", new)))
    # a fascicular block cannot be told through a complete LBBB either (QA 34: 581 -> 598 listed
    # 左脚前枝ブロック as resolved beside the new LBBB); a first-degree AV block can
    assert {f.id for f in cmp.not_assessable} == {"imi", "st_depression", "lvh", "lafb"}
    assert [f.id for f in cmp.resolved_findings] == ["av_block_1"]
    assert [f.id for f in cmp.masked_by] == [new]
    assert {f["id"] for f in cmp.to_dict()["not_assessable_findings"]} == {
        "imi", "st_depression", "lvh", "lafb"}
    assert not_assessable_title(cmp.masked_by, "ja").startswith("新たな")


@pytest.mark.parametrize("kept", ["clbbb", "paced_rhythm"])
def test_findings_an_lbbb_on_both_ecgs_hides_are_neither_new_nor_resolved(kept):
    """QA 34, PTB-XL 279 -> 282: a complete LBBB on both ECGs; the comparison listed a new
    前壁中隔心筋梗塞, 左室肥大 and ST低下 read through it, each raising 要精査 (and 256 -> 346 a
    resolved anteroseptal MI)."""
    cmp = compare(analysis(("sinus_rhythm", kept, "imi")),
                  analysis(("sinus_rhythm", kept, "asmi", "lvh", "st_depression", "av_block_1")))
    assert [f.id for f in cmp.new_findings] == ["av_block_1"]
    assert not cmp.resolved_findings
    assert {f.id for f in cmp.not_assessable} == {"imi", "asmi", "lvh", "st_depression"}
    assert [r.id for r in cmp.raises] == ["new:av_block_1"]
    assert [(f.id, f.status) for f in cmp.masked_by] == [(kept, "persisting")]
    name = {"clbbb": "完全左脚ブロック", "paced_rhythm": "ペースメーカ調律"}[kept]
    assert not_assessable_title(cmp.masked_by, "ja") == (
        f"前回・今回ともにある{name}のため判定できない所見（新規・消失とはいえません）")
    assert "on both ECGs" in not_assessable_title(cmp.masked_by, "en")
    # without it on the prior, the same findings are new and raise
    fresh = compare(analysis(("sinus_rhythm", "imi")),
                    analysis(("sinus_rhythm", "asmi", "lvh")))
    assert {f.id for f in fresh.new_findings} == {"asmi", "lvh"}
    assert [f.id for f in fresh.resolved_findings] == ["imi"]


@pytest.mark.skipif(not (model_weights_dir() / "manifest.json").is_file(),
                    reason="no shipped weights in model_weights/")
def test_the_pdf_lists_findings_a_new_lbbb_hides(pair, tmp_path: Path, capsys):
    """PTB-XL 581 -> 598 (a new LBBB) through `report` with the shipped model: whatever the model
    finds, no ST-T / infarction / LVH finding is among the resolved ones; those are listed as
    not assessable."""
    from ecg_viewer.compare.rules import default_rules

    _, current, _ = pair
    pdf, js, fh = tmp_path / "r.pdf", tmp_path / "r.json", tmp_path / "r.fhir.json"
    assert main(["report", str(current), "--out", str(pdf), "--json", str(js), "--fhir", str(fh),
                 "--db", str(tmp_path / "db.sqlite3")]) == 0
    capsys.readouterr()
    cmp = json.loads(js.read_text(encoding="utf-8"))["comparison"]
    # the FHIR finding components say new / resolved / not assessable in the reader's language
    # (QA 34: only the coding's English "new finding" was there)
    raw = json.loads(fh.read_text(encoding="utf-8"))
    obs = next(e["resource"] for e in raw["entry"]
               if e["resource"]["resourceType"] == "Observation"
               and e["resource"]["code"]["coding"][0]["code"] == "comparison-with-prior")
    texts = {c["code"]["coding"][0]["code"]: c["code"].get("text") for c in obs["component"]
             if c["code"]["coding"][0]["code"].endswith("-finding")}
    assert texts.get("new-finding", "前回になかった所見（新規）") == "前回になかった所見（新規）"
    assert texts.get("resolved-finding", "前回あって今回ない所見（消失）") == \
        "前回あって今回ない所見（消失）"
    assert all(texts.values()) and texts
    for comp in obs["component"]:  # one SNOMED concept per finding, as the impressions (QA 38)
        if comp["code"]["coding"][0]["code"].endswith("-finding"):
            snomed = [c for c in comp["valueCodeableConcept"]["coding"]
                      if c["system"] == "http://snomed.info/sct"]
            assert len(snomed) <= 1, comp
    masked = default_rules().masked_labels
    if "clbbb" in {f["id"] for f in cmp["new_findings"]}:
        assert not masked & {f["id"] for f in cmp["resolved_findings"]}
        hidden = cmp["not_assessable_findings"]
        if hidden:
            sheet = " ".join(_sheet3(pdf).split())
            assert "新たな完全左脚ブロックのため判定できない前回の所見" in sheet
            assert hidden[0]["ja"] in sheet
    else:
        assert not cmp["not_assessable_findings"]


# --- #11 why there is no comparison -----------------------------------------------------------------
def test_analyze_says_why_there_is_no_comparison(pair, capsys):
    _, _, lone = pair
    assert main(["analyze", str(lone), "--no-model", "--prior", "auto"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.startswith("前回心電図との比較なし"))
    assert "前回心電図は見つかりませんでした" in line and "{patient_id}" not in line
    assert main(["analyze", str(lone), "--no-model", "--prior", "auto", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["comparison"] is None and d["comparison_note"]["key"] == "compare.none_found"
    assert "{patient_id}" not in d["comparison_note"]["ja"]
    assert "No earlier ECG of this patient (ID " in d["comparison_note"]["en"]


def test_report_says_why_there_is_no_comparison_as_analyze_does(pair, tmp_path: Path, capsys):
    # QA 40: report --json (default --prior auto) had no comparison_note
    _, _, lone = pair
    out, js = tmp_path / "r.pdf", tmp_path / "r.json"
    assert main(["report", str(lone), "--out", str(out), "--json", str(js), "--no-model",
                 "--no-review"]) == 0
    assert "前回心電図との比較なし: " in capsys.readouterr().out
    d = json.loads(js.read_text(encoding="utf-8"))
    assert d["comparison"] is None and d["comparison_note"]["key"] == "compare.none_found"
    assert "{patient_id}" not in d["comparison_note"]["ja"]
    assert main(["report", str(lone), "--out", str(out), "--json", str(js), "--no-model",
                 "--no-review", "--prior", "none"]) == 0
    assert "comparison_note" not in json.loads(js.read_text(encoding="utf-8"))


# --- #12 report with a refused prior -----------------------------------------------------------------
def test_report_with_a_refused_prior_says_so(pair, tmp_path: Path, capsys):
    _, current, _ = pair
    pdf = tmp_path / "r.pdf"
    for lang, words in (("ja", ("前回心電図（--prior", "レポートは作成していません",
                                "今回と同じ心電図です")),
                        ("en", ("The prior ECG (--prior", "no report was written",
                                "This is the same ECG"))):
        assert main(["--lang", lang, "report", str(current), "--prior", str(current),
                     "--no-model", "--out", str(pdf), "--db",
                     str(tmp_path / "db.sqlite3")]) == 1
        err = capsys.readouterr().err
        assert all(w in err for w in words), err
        assert not pdf.exists()


# --- #13 the interval -------------------------------------------------------------------------------
@pytest.mark.parametrize(("before", "ja", "en"), [
    (timedelta(minutes=30), "同日・1 時間以内", "same day, within the hour"),
    (timedelta(hours=5), "5 時間前", "5 hours earlier"),
    (timedelta(days=1), "1 日前", "1 day earlier"),
    (timedelta(days=3, hours=2), "3 日前", "3 days earlier"),
])
def test_the_interval_reads_naturally(before, ja, en):
    ref = EcgRef("prior.xml", "a" * 64, "P1", CUR_REF.recorded_at - before)
    cmp = compare(analysis(), analysis(), prior_ref=ref)
    assert f"（{ja}）" in cmp.summary("ja") and f"({en})" in cmp.summary("en")
    assert "0 日前" not in cmp.summary("ja") and "1 days" not in cmp.summary("en")


def test_no_prior_time_reads_time_unknown():
    ref = EcgRef("prior.xml", "a" * 64, None, None)
    cmp = compare(analysis(("sinus_rhythm",)), analysis(("sinus_rhythm", "clbbb")), ref)
    assert cmp.summary("ja").startswith("前回心電図: 記録日時不明 ／")
    assert cmp.summary("en").startswith("Prior ECG: recording time unknown /")
    reason = next(r for r in cmp.raises if r.id == "new:clbbb")
    assert reason.text("ja") == "前回心電図（記録日時不明）になかった所見: 完全左脚ブロック"
    assert reason.text("en") == "New since the prior ECG (time unknown): clbbb"
    assert "—" not in cmp.summary("en")


def _with_p(a: Analysis, **values: float | bool) -> Analysis:
    import dataclasses

    return dataclasses.replace(a, criteria={"values": {"p_present": True, **values}})


@pytest.mark.parametrize("prior_pr, prior_low, new", [
    (220.0, [], False),       # PTB-XL 308 -> 320: PR 220 -> 218 ms, the block was there before
    (160.0, [], True),        # PR 160 -> 218: a new first-degree block
    (220.0, ["pr_ms"], True),  # a greyed PR on the prior decides nothing
])
def test_a_finding_a_measurement_defines_is_new_only_when_the_measurement_is(prior_pr, prior_low,
                                                                             new):
    """QA 34: a "new" I度房室ブロック (raising 要経過観察) at PR 220 -> 218 ms: only the model's
    score had crossed its threshold."""
    prior = _with_p(analysis(("sinus_rhythm",), pr_ms=prior_pr), pr_ms=prior_pr)
    prior.measurements["low_confidence"] = prior_low
    current = _with_p(analysis(("sinus_rhythm", "av_block_1"), pr_ms=218.0), pr_ms=218.0)
    cmp = compare(prior, current)
    assert ([f.id for f in cmp.new_findings] == ["av_block_1"]) == new
    assert ("new:av_block_1" in [r.id for r in cmp.raises]) == new
    # the other way: still PR > 200 ms now, so not resolved
    back = compare(_with_p(analysis(("sinus_rhythm", "av_block_1"), pr_ms=230.0), pr_ms=230.0),
                   _with_p(analysis(("sinus_rhythm",), pr_ms=215.0), pr_ms=215.0))
    assert not back.resolved_findings
    gone = compare(_with_p(analysis(("sinus_rhythm", "av_block_1"), pr_ms=230.0), pr_ms=230.0),
                   _with_p(analysis(("sinus_rhythm",), pr_ms=170.0), pr_ms=170.0))
    assert [f.id for f in gone.resolved_findings] == ["av_block_1"]
