"""How a finding shown from its measurements (labels/criteria.py shown_when_any: its score raised
to its threshold) reads in every view (QA 63): never the raised number as the AI's score, the
evidence rows whole, one reason per measurement in the banner, the VT warning first, and the
signed review block keeping 「正常心電図（計測所見を除く）」."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ecg_viewer.core.messages import set_language
from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.core.prediction import MEASURED_KEY
from ecg_viewer.io import read_ecg
from ecg_viewer.labels.evidence import score_text

pytestmark = [pytest.mark.shared_data,
              pytest.mark.skipif(not (model_weights_dir() / "manifest.json").is_file(),
                                 reason="no shipped weights in model_weights/")]


@pytest.fixture(scope="module")
def e07511(shared_data: Path):
    """CinC E07511 (QTcB 485 / QTcF 478 ms): QT延長 shown from its QTc beside 正常心電図."""
    from ecg_viewer.pipeline.analyze import Analyzer

    path = shared_data / "samples" / "wfdb_cinc2021" / "E07511.hea"
    rec = read_ecg(path)
    return path, rec, Analyzer(device="cpu").analyze(rec)


def _long_qt(a):
    return next(s for s in a.prediction.labels if s.id == "long_qt")


def test_the_score_of_a_measured_finding_is_the_models_own(e07511) -> None:
    _, _, a = e07511
    s = _long_qt(a)
    assert s.above_threshold and s.measured_score is not None and s.measured_score < s.threshold
    assert score_text(s, "ja", short=True) == "計測"
    assert score_text(s, "ja") == f"計測（モデル {s.measured_score:.2f}）"
    assert score_text(s, "en") == f"measured (model {s.measured_score:.2f})"
    d = s.to_dict()
    assert d["shown_by_measurements"] is True and d["model_score"] == pytest.approx(
        s.measured_score, abs=1e-5)
    # no "score ≥ threshold" line for a raised score; the similarity as it is, for or against
    keys = {e.key: e for e in s.evidence}
    assert "score" not in keys and keys["similarity"].supports == (s.similarity > 0)
    assert MEASURED_KEY in keys
    other = next(x for x in a.prediction.labels if x.above_threshold and x.measured_score is None)
    assert score_text(other) == f"{other.score:.2f}" and "shown_by_measurements" not in other.to_dict()


def test_the_banner_names_each_measurement_once(e07511) -> None:
    """The label's reason (QT延長: QTc 485, QTc 478, 「…表示（モデルのスコア 0.00）」) stood beside
    the two QTc rules' own: the same QTc three times."""
    _, _, a = e07511
    assert set(a.referral.because) == {"qtc_long_fridericia", "qtc_long_bazett"}
    assert not any("モデルのスコア" in r for r in a.referral.reasons("ja"))


def test_the_wide_qrs_tachycardia_warning_comes_first(shared_data: Path) -> None:
    from ecg_viewer.pipeline.analyze import Analyzer

    a = Analyzer(device="cpu").analyze(read_ecg(shared_data / "cinc_extra" / "JS45545.hea"))
    assert a.referral.because[0] == "wide_qrs_tachycardia"
    assert a.referral.reasons("ja")[0].startswith("心室頻拍を否定できない")


def test_panel_rows_of_a_measured_finding(qtbot, e07511) -> None:
    from ecg_viewer.gui.suggestions_panel import SuggestionsPanel

    set_language("ja")
    _, _, a = e07511
    panel = SuggestionsPanel()
    qtbot.addWidget(panel)
    panel.show_analysis(a)
    t = panel.table
    item = next(t.topLevelItem(i) for i in range(t.topLevelItemCount())
                if t.topLevelItem(i).data(0, 0x0100) == "long_qt")
    # its evidence rows span the row (QA 63: cut at the name column, 「QTc（Bazett）51…」)
    assert item.childCount() >= 1
    assert all(item.child(i).isFirstColumnSpanned() for i in range(item.childCount()))
    bar = t.itemWidget(item, 2).layout().itemAt(0).widget()  # the score column's bar
    assert bar.format() == "計測"
    assert "モデルのスコア" in item.toolTip(0) and "計測値が基準を満たすため表示" in item.toolTip(0)


def test_pdf_and_fhir_of_a_reviewed_measured_finding(e07511, tmp_path: Path) -> None:
    from ecg_viewer.report.content import ReportContent
    from ecg_viewer.report.fhir import build_bundle
    from ecg_viewer.report.pdf import write_pdf
    from ecg_viewer.review.model import Review

    _, rec, a = e07511
    normal = next(s for s in a.prediction.labels if s.id == "normal_ecg")
    assert normal.above_threshold and normal.ja == "正常心電図（計測所見を除く）"
    review = Review(sha256=rec.sha256, decisions={"normal_ecg": "confirmed",
                                                  "sinus_rhythm": "confirmed"}, final_level="A")
    content = ReportContent(rec, a, review)
    pdf = tmp_path / "r.pdf"
    write_pdf(pdf, content)
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    # the signed review block keeps the qualifier (it read 「確認 正常心電図、洞調律」)
    assert "正常心電図（計測所見を除く）、洞調律" in text or "正常心電図（計測所見を除く）、 洞調律" in text
    # the suggestions table: 「計測」 for its score, explained in the legend (QA 63)
    assert "計測*" in text and "「計測」= 計測値が基準を満たすため表示" in text
    raw = build_bundle(content, lang="ja")
    notes = [n["text"] for e in raw["entry"] for n in e["resource"].get("note", [])
             if e["resource"]["resourceType"] == "Observation"
             and "QT" in json.dumps(e["resource"].get("valueCodeableConcept", {}), ensure_ascii=False)]
    s = _long_qt(a)
    assert any(f"計測値が基準を満たすため表示（AI スコア {s.measured_score:.2f}" in n for n in notes), notes
    assert not any(f"AI スコア {s.score:.2f}（" in n for n in notes)


def test_a_measurement_a_rule_names_is_not_repeated_by_its_finding(shared_data: Path) -> None:
    """QA 64: E07504 quoted QTcB 479 ms twice, 「≥ 450 ms」 for QT延長 and 「460 ms 以上」 for its
    rule (QT延長 also rests on a QTcF of 452 ms, which no rule names)."""
    from ecg_viewer.pipeline.analyze import Analyzer

    a = Analyzer(device="cpu").analyze(
        read_ecg(shared_data / "samples" / "wfdb_cinc2021" / "E07504.hea"))
    reasons = a.referral.reasons("ja")
    assert "qtc_long_bazett" in a.referral.because and "long_qt" not in a.referral.because
    assert sum("479 ms" in r for r in reasons) == 1, reasons
