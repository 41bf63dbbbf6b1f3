"""What a cardiologist's reading of the exported reports found (2026-12-06): the PDF's referral
reasons cut mid-sentence and the later ones dropped, wrapped lines breaking a number from its
unit or leaving a bracket alone, findings above threshold missing from the table, and FHIR
evidence reading "= true 所見に反する". Real records (shared CinC data), the PDF read back with
pdftotext, the real fixture pipeline or the shipped model where named."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ecg_viewer.cli import main
from ecg_viewer.report.pdf import referral_reason_lines
from ecg_viewer.report.pdf_text import register_font, wrap_text


@pytest.fixture(autouse=True)
def _font() -> None:
    register_font()


def test_every_referral_reason_is_printed_whole_or_counted() -> None:
    reasons = [f"所見{i}（要精査: " + "統合確率に寄与した項目: Q 幅（下壁誘導で 2 番目に長い Q）41 ms、" * 2 + "）"
               for i in range(6)]
    lines = referral_reason_lines(reasons, 146, "ja", max_lines=8)
    assert len(lines) <= 8
    assert lines[-1].startswith("ほか ") and "JSON" in lines[-1]
    shown = sum(ln.startswith("・") for ln in lines)
    assert lines[-1] == f"ほか {6 - shown} 件の理由は JSON レポートにあります"
    assert all(ln.startswith(("・", "　")) for ln in lines[:-1])  # continuations indented
    few = referral_reason_lines(reasons[:2], 146, "ja", max_lines=8)
    assert sum(ln.startswith("・") for ln in few) == 2 and not few[-1].startswith("ほか")


@pytest.mark.parametrize("text", [
    "下壁心筋梗塞（要精査: 異常 Q 波（下壁誘導）：あり、統合確率に寄与した項目: Q 幅（下壁誘導で 2 番目に長い Q）41 ms）",
    "完全左脚ブロック（要精査: QRS 幅 166 ms（≧ 120 ms）、R 頂点時間（V6）92 ms（> 60 ms）、q 幅（V6）0 ms（= 0 ms））",
    "ST低下（要精査: ST 低下の最大（J+60 ms、aVR 以外）-0.28 mV（≦ -0.05 mV）、統合確率に寄与した項目: ST -0.15 mV）",
])
@pytest.mark.parametrize("width", [60.0, 75.0, 100.0, 141.0, 142.0, 143.0])
def test_wrapped_lines_keep_numbers_with_units_and_brackets_in_place(text, width) -> None:
    lines = wrap_text(text, width, 7.5)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for a, b in zip(lines, lines[1:], strict=False):
        assert b[:1] not in "）、。)" and a[-1:] not in "（("
        assert not (a[-1:].isdigit() and (b[:1].isdigit() or b[:2] in ("ms", "mV"))), (a, b)
        assert not (a[-1:] in "-." and b[:1].isdigit()), (a, b)


def test_the_table_lists_the_findings_above_threshold_beyond_the_top_10(shared_data: Path,
                                                                       tmp_path: Path) -> None:
    """CinC Q0033: 左室高電位 0.55 was above its threshold, outside the top 10, missing from the
    PDF while the row of ST-T変化を伴う左室肥大 cited it."""
    from ecg_viewer.commands.report import build_content
    from ecg_viewer.pipeline.factory import make_analyzer
    from ecg_viewer.report.pdf_table import table_rows

    content = build_content(shared_data / "cinc_extra" / "Q0033.hea", make_analyzer().analyze,
                            with_review=False, prior="none")
    present = [s.id for s in content.analysis.prediction.present()]
    rows, hidden = table_rows(content, 40)
    assert hidden == 0 and set(present) <= {s.id for s in rows}
    assert "lv_high_voltage" in present  # the case that was left out


def test_fhir_evidence_reads_as_criterion_and_verdict(bundled_samples: Path,
                                                     tmp_path: Path) -> None:
    fh = tmp_path / "r.fhir.json"
    assert main(["report", str(bundled_samples / "00017_hr.hea"), "--out", str(tmp_path / "r.pdf"),
                 "--fhir", str(fh), "--no-review", "--prior", "none"]) == 0
    texts = {i["text"] for e in json.loads(fh.read_text(encoding="utf-8"))["entry"]
             for c in e["resource"].get("component", []) for i in c.get("interpretation", [])}
    assert texts, "no evidence component"
    assert all(t.endswith(("所見を支持", "所見に反する")) for t in texts), texts
    assert not any(t.startswith(("=", "≥", "≤", "<", ">")) for t in texts), texts
    assert not any("true" in t or "false" in t for t in texts), texts  # QA 38: 「基準 = true」


def test_the_pdf_prints_every_reason_of_a_long_banner(shared_data: Path, tmp_path: Path) -> None:
    """CinC Q0398 (LBBB, six D findings): its reasons were cut after five lines, the last one
    mid-sentence, and the note that its injury ST-T may be secondary was lost."""
    from ecg_viewer.commands.report import build_content
    from ecg_viewer.pipeline.factory import make_analyzer
    from ecg_viewer.report.pdf import pdf_bytes

    content = build_content(shared_data / "cinc_extra" / "Q0398.hea", make_analyzer().analyze,
                            with_review=False, prior="none")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(pdf_bytes(content, lang="ja"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.split("\f")[1]
    flat = "".join(text.split())
    reasons = content.analysis.referral.reasons("ja")
    assert len(reasons) >= 5
    for r in reasons:  # each reason whole (its text without the spaces pdftotext moves)
        assert "".join(r.split()).replace("≥", "≧").replace("≤", "≦") in flat, r
    assert "二次性の可能性" in flat


def test_the_english_review_block_keeps_heads_apart_from_values(bundled_samples: Path,
                                                               tmp_path: Path) -> None:
    """The English "Physician's referral level" and "Needs further examination" ran into their
    values in a 26-mm column ("…referral le~~Further examination needed")."""
    import re

    from ecg_viewer.commands.report import build_content
    from ecg_viewer.io import read_ecg
    from ecg_viewer.report.pdf import pdf_bytes
    from ecg_viewer.review import AuditContext, ReviewStore
    from tests.report_fixtures import fixture_analyze

    ecg = bundled_samples / "00017_hr.hea"
    db = tmp_path / "reviews.sqlite3"
    sha = read_ecg(ecg).sha256
    with ReviewStore(db) as s:
        s.set_reviewer("Dr Sato")
        ctx = AuditContext("0.1.0", "x" * 64, "cat")
        s.set_levels(sha, suggested="D", final="D", context=ctx)
        s.set_needs_exam(sha, True, "echocardiography", context=ctx)
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(pdf_bytes(build_content(ecg, fixture_analyze, db=db, prior="none"), lang="en"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.split("\f")[1]
    assert re.search(r"Physician's referral level\s{2,}Further examination needed", text)
    assert re.search(r"Additional tests needed\s+yes: echocardiography", text)


@pytest.mark.parametrize("lang, title, measured", [
    ("ja", "記録装置の自動解析（原文のまま・本ソフトの所見ではありません）",
     "記録装置の計測値: 心拍数 41 /分、PR 151 ms、QRS 135 ms"),
    ("en", "The recording device's own reading (as written; not this software's)",
     "The device's measurements: heart rate 41 bpm, PR 151 ms, QRS 135 ms")])
def test_the_pdf_shows_the_devices_own_reading(samples: Path, tmp_path: Path, lang: str,
                                              title: str, measured: str, capsys) -> None:
    """The Philips cart's ">>> Acute MI <<<" was kept in the file's metadata and shown on no
    report; a clinician compares it with the suggestions. So were the cart's own measurements
    (QRS 135 ms against our 102), now on the same sheet and in analyze's text."""
    pdf = tmp_path / "r.pdf"
    assert main(["--lang", lang, "report", str(samples / "philips_xml" / "129DYPRG.xml"),
                 "--out", str(pdf), "--no-review", "--prior", "none", "--no-model"]) == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.split("\f")[1]
    assert title in text
    for statement in ("Sinus bradycardia", "Inferior infarct, acute (LCx)", ">>> Acute MI <<<"):
        assert statement in text, statement
    assert measured in " ".join(text.split())
    capsys.readouterr()
    assert main(["--lang", lang, "analyze", str(samples / "philips_xml" / "129DYPRG.xml"),
                 "--no-model"]) == 0
    assert measured in capsys.readouterr().out
    from ecg_viewer.core.messages import set_language

    set_language("ja")


def test_fhir_codes_each_finding_by_its_own_snomed_concept(bundled_samples: Path,
                                                          tmp_path: Path) -> None:
    """心房細動 was coded 164889003 + chronic AF + paroxysmal AF + 195080001 in one
    CodeableConcept (the catalog's scoring map, not the finding): now its own concept only."""
    from ecg_viewer.labels.catalog import default_catalog

    fh = tmp_path / "r.fhir.json"
    assert main(["report", str(bundled_samples / "00017_hr.hea"), "--out", str(tmp_path / "r.pdf"),
                 "--fhir", str(fh), "--no-review", "--prior", "none"]) == 0
    bundle = json.loads(fh.read_text(encoding="utf-8"))
    cat = default_catalog()
    seen = 0
    for e in bundle["entry"]:
        r = e["resource"]
        concepts = [r.get("valueCodeableConcept")] + list(r.get("conclusionCode") or [])
        for cc in filter(None, concepts):
            snomed = [c["code"] for c in cc["coding"] if c["system"] == "http://snomed.info/sct"]
            local = [c["code"] for c in cc["coding"] if c["system"].endswith("/CodeSystem/label")
                     or "label" in c["system"]]
            assert len(snomed) <= 1, cc
            if snomed and local:
                assert snomed[0] == cat.by_id(local[0]).snomed[0]
                seen += 1
    assert seen, "no finding with a SNOMED code"


def test_a_finding_standing_only_on_rejected_findings_is_not_stated(bundled_samples: Path) -> None:
    """The physician rejected 前壁中隔心筋梗塞; 心筋梗塞, derived from it alone, stayed a finding
    of the final FHIR conclusion and the JSON (QA 2026-12-06). 二枝ブロック goes with a rejected
    part too; a broader label with one narrower label still standing stays."""
    from dataclasses import replace

    from ecg_viewer.core.prediction import Evidence, Prediction
    from ecg_viewer.io import read_ecg
    from ecg_viewer.labels.catalog import default_catalog
    from ecg_viewer.report.content import ReportContent
    from ecg_viewer.review.model import Review
    from tests.report_fixtures import analysis_for

    rec = read_ecg(bundled_samples / "E07509.hea")
    cat = default_catalog()
    a = analysis_for(rec, cat, {"asmi": 0.7, "imi": 0.6, "mi": 0.7, "crbbb": 0.9, "lafb": 0.6,
                                "bifascicular_block": 0.6})
    ev = {"mi": (Evidence("derived_from", "asmi", "", "0.70", True),
                 Evidence("derived_from", "imi", "", "0.60", True)),
          "bifascicular_block": (Evidence("conjunction_of", "crbbb", "", "0.90", True),
                                 Evidence("conjunction_of", "lafb", "", "0.60", True))}
    labels = tuple(replace(s, evidence=ev.get(s.id, s.evidence)) for s in a.prediction.labels)
    a = replace(a, prediction=Prediction(labels, a.prediction.model))

    def stated(decisions: dict[str, str]) -> set[str]:
        review = Review(sha256=rec.sha256 or "", decisions=decisions)
        return {f["id"] for f in ReportContent(rec, a, review, catalog=cat).findings()}

    assert {"mi", "bifascicular_block"} <= stated({})
    assert "mi" in stated({"asmi": "rejected"})  # 下壁心筋梗塞 still stands
    assert "mi" not in stated({"asmi": "rejected", "imi": "rejected"})
    assert "mi" in stated({"asmi": "rejected", "imi": "rejected", "mi": "confirmed"})
    assert "bifascicular_block" not in stated({"lafb": "rejected"})


def test_the_english_banner_keeps_its_findings_whole(bundled_samples: Path, tmp_path: Path) -> None:
    """The English banner of 00017 (flutter and AF at 152/min, 要至急) cut its second finding
    mid-word ("…; atrial fibrillation (Urgent referral: rapid ventric…"): whole findings now,
    and how many more sheet 2 gives."""
    import re

    pdf = tmp_path / "r.pdf"
    assert main(["--lang", "en", "report", str(bundled_samples / "00017_hr.hea"), "--out",
                 str(pdf), "--no-review", "--prior", "none"]) == 0
    sheet1 = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in sheet1.splitlines() if "atrial flutter (Urgent referral" in ln)
    banner = line.split("12-lead ECG report")[-1].strip()
    assert "…" not in banner and re.search(r"\d+ more on sheet 2$", banner), banner
    from ecg_viewer.core.messages import set_language

    set_language("ja")
