"""A child's ECG is said to be read with adult criteria and an adult-trained model (QA 73: an
infant's ECG, 「0 歳」 in the header, was judged by the adult thresholds with no word of it; right
axis deviation and right-ventricular dominance are normal in a neonate)."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.analyze import CHILD_BELOW_YEARS, Analyzer
from ecg_viewer.report.content import ReportContent, child_note


@pytest.fixture(scope="module")
def records(bundled_samples: Path):
    rec = read_ecg(bundled_samples / "00017_hr.hea")
    child = replace(rec, meta=replace(rec.meta, age_years=3.0))
    adult = replace(rec, meta=replace(rec.meta, age_years=CHILD_BELOW_YEARS))
    analyzer = Analyzer(load_model=False)
    return (child, analyzer.analyze(child)), (adult, analyzer.analyze(adult))


def test_a_childs_analysis_carries_the_note_and_an_adults_does_not(records) -> None:
    (_, child), (_, adult) = records
    note = child.to_dict()["child"]
    assert note["age_years"] == 3.0
    assert note["ja"] == child_note(child, "ja") and "小児（3 歳）" in note["ja"]
    assert "adult criteria" in note["en"]
    assert "child" not in adult.to_dict() and child_note(adult, "ja") == ""


def test_pdf_fhir_and_panel_say_it(records, tmp_path: Path, qtbot) -> None:
    from ecg_viewer.core.messages import set_language
    from ecg_viewer.gui.suggestions_panel import SuggestionsPanel
    from ecg_viewer.report.fhir import build_bundle
    from ecg_viewer.report.pdf import write_pdf

    (rec, child), _ = records
    content = ReportContent(rec, child, None)
    for lang in ("ja", "en"):
        set_language(lang)
        try:
            pdf = tmp_path / f"{lang}.pdf"
            write_pdf(pdf, content)
            sheet1 = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
                                    capture_output=True, text=True, check=True).stdout
            want = child_note(child, lang)
            head = "".join(want.split())[:20]
            assert head in "".join(sheet1.split()), sheet1[:500]
            report = next(e["resource"] for e in build_bundle(content, lang=lang)["entry"]
                          if e["resource"]["resourceType"] == "DiagnosticReport")
            assert want in report["conclusion"]
            panel = SuggestionsPanel()
            qtbot.addWidget(panel)
            panel.show_analysis(child)
            assert want in panel.window_note.text()
        finally:
            set_language("ja")
