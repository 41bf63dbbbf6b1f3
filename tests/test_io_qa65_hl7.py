"""QA report 65, F5: an HL7 aECG whose lead II sequence is coded ``MDC_ECG_LEAD_I`` (two
sequences with one code) was refused with 「ファイル自体のスケールと異なる復号値」, sending the user
to a ``<scale>`` that is correct: the check of the decoded values looked the digits up by lead
code and compared the first channel with the last sequence. It now goes sequence by sequence, so
the file is read and the duplicate is named by the quality gate, as in MUSE, WFDB, EDF and CSV
(「同じ誘導名のチャネルが複数あり…: I」). Files are changed copies of the real samples in tmp_path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ecg_viewer.io import read_ecg
from ecg_viewer.signal.quality import assess_quality, duplicate_leads

SOURCE = "hl7aecg/fda_Example_aECG.xml"


def _copy(samples: Path, tmp: Path, name: str, old: str, new: str) -> Path:
    text = (samples / SOURCE).read_text(encoding="utf-8")
    assert old in text
    out = tmp / name
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


def test_lead_code_on_two_sequences_is_named_as_a_duplicate(samples: Path, tmp_path: Path) -> None:
    path = _copy(samples, tmp_path, "dup_i.xml", 'code="MDC_ECG_LEAD_II"', 'code="MDC_ECG_LEAD_I"')
    rec = read_ecg(path)
    assert duplicate_leads(rec) == ("I",)
    assert "II" not in rec.lead_names
    report = assess_quality(rec)
    problem = next(p for p in report.problems if p.code == "duplicate_leads")
    assert "I" in problem.leads
    assert "同じ誘導名のチャネルが複数" in problem.text("ja") and "I" in problem.text("ja")
    assert not report.ok


def test_each_sequence_is_checked_against_its_own_scale(samples: Path, tmp_path: Path) -> None:
    """The two sequences with one code may state different scales: each is compared with its
    own (by code, the first channel was compared with the last sequence's scale and digits)."""
    text = (samples / SOURCE).read_text(encoding="utf-8")
    at = text.index('code="MDC_ECG_LEAD_II"')
    scale = text.index('<scale value="2.5" unit="uV"/>', at)
    text = (text[:at] + 'code="MDC_ECG_LEAD_I"' + text[at + len('code="MDC_ECG_LEAD_II"'):scale]
            + '<scale value="5" unit="uV"/>' + text[scale + len('<scale value="2.5" unit="uV"/>'):])
    path = tmp_path / "dup_i_scale5.xml"
    path.write_text(text, encoding="utf-8")
    rec = read_ecg(path)
    original = read_ecg(samples / SOURCE)
    second = rec.signal_mv[rec.lead_names.index("MDC_ECG_LEAD_I")]
    assert second == pytest.approx(2 * original.signal_mv[original.lead_names.index("II")], abs=1e-4)
    assert duplicate_leads(rec) == ("I",)
