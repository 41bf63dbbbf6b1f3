"""正常心電図 beside a measurement rule of 要経過観察 or more (referral rules ``otherwise_normal``):
shown qualified, 「正常心電図（計測所見を除く）」 / "otherwise normal ECG", with the rule as
evidence against it; never beside a greyed value, a B rule or a rule the pacing explains."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ecg_viewer.core.prediction import LabelScore
from ecg_viewer.labels.catalog import load_catalog
from ecg_viewer.labels.evidence import evidence_text
from ecg_viewer.labels.referral import MEASURED_FINDING_KEY, decide_referral, qualify_normal


def score(label_id: str, s: float, thr: float) -> LabelScore:
    lab = next(x for x in load_catalog().labels if x.id == label_id)
    return LabelScore(lab.id, lab.ja, lab.en, 0.4, s, thr, lab.category)


NORMAL = (score("normal_ecg", 0.9, 0.66), score("sinus_rhythm", 0.95, 0.63))
QUIET = {"hr_bpm": 70.0, "pr_ms": 160.0, "qrs_ms": 96.0, "qt_ms": 400.0, "qtc_bazett_ms": 420.0,
         "qtc_fridericia_ms": 415.0, "qrs_axis_deg": 40.0, "low_confidence": []}


def test_a_plain_normal_ecg_is_left_as_it_is() -> None:
    assert qualify_normal(NORMAL, QUIET) == NORMAL


@pytest.mark.parametrize("values, rules", [
    ({"pr_ms": 104.0}, ["pr_short"]),                                         # C
    ({"qtc_bazett_ms": 485.0, "qtc_fridericia_ms": 478.0},
     ["qtc_long_fridericia", "qtc_long_bazett"]),                             # C, CinC E07511
    ({"qtc_fridericia_ms": 515.0}, ["qtc_fridericia_very_long", "qtc_long_fridericia"]),  # urgent
    ({"hr_bpm": 38.0}, ["hr_very_low", "hr_low"]),                            # D
])
def test_a_measured_finding_qualifies_normal(values, rules) -> None:
    m = QUIET | values
    out = qualify_normal(NORMAL, m)
    normal = out[0]
    assert (normal.ja, normal.en) == ("正常心電図（計測所見を除く）", "otherwise normal ECG")
    assert (normal.score, normal.threshold, normal.category) == (0.9, 0.66, "A")
    notes = [e for e in normal.evidence if e.key == MEASURED_FINDING_KEY]
    assert [e.value for e in notes] == rules and not any(e.supports for e in notes)
    assert out[1] == NORMAL[1]  # the other labels are untouched
    # the evidence line is the banner's own sentence (the first rule is the most severe)
    line = evidence_text(notes[0], "ja")
    assert line.startswith("× 計測所見 ")
    assert line[len("× 計測所見 "):] in decide_referral(out, m).reasons("ja")
    assert evidence_text(notes[0], "en").startswith("× measured finding: ")


@pytest.mark.parametrize("values", [
    {"qrs_axis_deg": -45.0},                                  # 左軸偏位: B, stands beside normal
    {"pr_ms": 104.0, "low_confidence": ["pr_ms"]},            # greyed: never a finding alone
    {"pr_ms": None},                                          # not measured
])
def test_no_qualification_from_a_mild_greyed_or_missing_value(values) -> None:
    assert qualify_normal(NORMAL, QUIET | values) == NORMAL


def test_normal_below_its_threshold_is_not_renamed() -> None:
    below = (score("normal_ecg", 0.3, 0.66),)
    assert qualify_normal(below, QUIET | {"pr_ms": 104.0}) == below


def test_cinc_e07511_reads_otherwise_normal_beside_its_long_qtc(samples: Path, tmp_path: Path
                                                                 ) -> None:
    """The real record (QTcF 478 ms, 要経過観察) with the shipped model, through analyze --json
    and the PDF: before, a plain 正常心電図 0.85 stood under the 要経過観察 banner."""
    from ecg_viewer.core.paths import model_weights_dir

    if not (model_weights_dir() / "manifest.json").is_file():
        pytest.fail("the shipped weights are missing from model_weights/")
    exe = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "ecg-viewer"
    f = samples / "wfdb_cinc2021" / "E07511.hea"
    out = subprocess.run([str(exe), "analyze", str(f), "--json"], capture_output=True,
                         text=True, check=True).stdout
    d = json.loads(out.splitlines()[-1])
    assert d["referral"]["level"] == "C"
    normal = next(x for x in d["labels"] if x["id"] == "normal_ecg")
    assert normal["above_threshold"] and normal["ja"] == "正常心電図（計測所見を除く）"
    assert {e["value"] for e in normal["evidence"] if e["key"] == MEASURED_FINDING_KEY} \
        >= {"qtc_long_fridericia"}
    # the finding itself is listed too, from the measurement (labels/criteria.py shown_when_any)
    long_qt = next(x for x in d["labels"] if x["id"] == "long_qt")
    assert long_qt["above_threshold"]
    assert any(e["key"] == "shown_by_measurements" for e in long_qt["evidence"])
    pdf = tmp_path / "r.pdf"
    subprocess.run([str(exe), "report", str(f), "--out", str(pdf), "--no-review", "--prior",
                    "none"], capture_output=True, check=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "正常心電図（計測所見を除く）" in text and "× 計測所見 QTc" in text
