"""QA 67 findings 5-7 and 9 on the command line and in the PDF:

- ``info`` printed the raw key "birth_date:" (no message key report.birth_date) in both languages,
  and in Japanese the app's own English values under 「その他（ファイルの項目名のまま）」:
  "device_qtc_formula: not stated (MUSE QTCorrected)", "checksum_valid: True";
- the format as the reader's id ("dicom", "wfdb") in ``info`` and the PDF;
- the English PDF's first line cut the model-window sentence ("…(its central …");
- the English PDF drew the JIS signs ≧ ≦ (IPAex Gothic has no ≥ ≤)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from ecg_viewer.cli import main
from ecg_viewer.commands import report as report_cmd
from ecg_viewer.core.messages import set_language
from ecg_viewer.report.content import model_window_text
from tests.report_fixtures import fixture_analyze
from tests.test_batch_and_report_cli import _args

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="pdftotext (poppler-utils) is not installed")


def _info(capsys: pytest.CaptureFixture[str], lang: str, path: Path) -> str:
    assert main(["--lang", lang, "info", str(path)]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("lang, label, fmt", [("ja", "生年月日:", "DICOM 波形"),
                                              ("en", "Date of birth:", "DICOM waveform")])
def test_info_names_the_birth_date_and_the_format(samples: Path, capsys, lang, label, fmt):
    out = _info(capsys, lang, samples / "dicom" / "marcodebe_anonymous_ecg.dcm")
    assert "birth_date" not in out
    assert any(ln.strip().startswith(label) and "1971-01-23" in ln for ln in out.splitlines())
    first = out.splitlines()[1]
    assert first.split(":", 1)[1].strip() == fmt and "dicom" not in first


def test_info_names_the_apps_own_fields_in_japanese(shared_data: Path, capsys):
    muse = shared_data / "cart_reference" / "braveheart_example1.xml"
    out = _info(capsys, "ja", muse)
    assert "not stated" not in out and "checksum_valid" not in out and "True" not in out
    assert "記録装置の QTc 補正式:" in out and "記載なし（MUSE QTCorrected）" in out
    assert any(ln.strip().startswith("波形のチェックサム:") and ln.split(":", 1)[1].strip() == "一致"
               for ln in out.splitlines())
    out = _info(capsys, "en", muse)
    assert "Device QTc formula: not stated (MUSE QTCorrected)" in out
    assert "Waveform checksum:" in out and "checksum_valid" not in out


def _windowed(record):
    a = fixture_analyze(record)
    return dataclasses.replace(a, extra={**a.extra, "model_window_s": [4.0, 14.0]})


@needs_pdftotext
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_pdf_first_line_keeps_the_model_window_sentence_whole(bundled_samples: Path,
                                                              tmp_path: Path, lang: str):
    record = bundled_samples / "00009_hr.hea"
    set_language(lang)
    pdf = tmp_path / "r.pdf"
    assert report_cmd.run(_args(record, pdf, no_review=True, prior="none"),
                          analyze=_windowed) == 0
    page1 = subprocess.run(["pdftotext", "-raw", "-f", "1", "-l", "1", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in page1.splitlines() if "sha256" in ln)
    from ecg_viewer.io import read_ecg

    sentence = model_window_text(_windowed(read_ecg(record)), lang)
    assert " ".join(sentence.split()) in " ".join(line.split()), line
    details = subprocess.run(["pdftotext", "-raw", "-f", "2", "-l", "2", str(pdf), "-"],
                             capture_output=True, text=True, check=True).stdout
    assert ("形式: WFDB" if lang == "ja" else "format: WFDB") in details


@needs_pdftotext
@pytest.mark.parametrize("lang, shown", [("en", "(≥ 120 ms) (≤ -0.05 mV)"),
                                         ("ja", "(≧ 120 ms) (≦ -0.05 mV)")])
def test_pdf_draws_true_comparison_signs_in_english(tmp_path: Path, lang: str, shown: str):
    from reportlab.pdfgen.canvas import Canvas

    from ecg_viewer.report.pdf_text import register_font, set_sheet_language, text_at

    register_font()
    pdf = tmp_path / "signs.pdf"
    c = Canvas(str(pdf))
    set_sheet_language(c, lang)
    text_at(c, 10, 20, "(≥ 120 ms) (≤ -0.05 mV)", 9)
    c.showPage()
    c.save()
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert " ".join(text.split()) == shown


@needs_pdftotext
def test_english_evidence_rows_keep_the_true_signs(bundled_samples: Path, tmp_path: Path):
    """QA 70: the evidence rows (the suggestions table, the details grid) were wrapped after ≥ ≤
    had been swapped for the JIS forms used to measure them, so the English sheet printed
    "heart rate 64/min (≧ 50/min)" although ``text_at`` draws true signs there."""
    from ecg_viewer.report.pdf_text import fit_text, register_font, wrap_text

    register_font()
    assert "≥" in "".join(wrap_text("QRS 158 ms (≥ 120 ms) " * 6, 40, 7)) and \
        fit_text("QRS (≥ 120 ms) " * 9, 30, 7).count("≥") >= 1
    record = bundled_samples / "E07509.hea"
    set_language("en")
    try:
        pdf = tmp_path / "r.pdf"
        assert report_cmd.run(_args(record, pdf, no_review=True, prior="none")) == 0
    finally:
        set_language("ja")
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "≥ 120 ms" in text and "≧" not in text and "≦" not in text
