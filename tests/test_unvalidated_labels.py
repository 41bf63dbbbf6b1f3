"""Labels no validation has set a threshold for (QA 41): a label added to the catalog and
embedded with ``embed-labels`` is unvalidated like the catalog's never-trained labels (it had
been given a threshold of 0.1 and alone raised 要至急 on a sinus tachycardia), and every
surface marks such labels （未検証）: ``analyze``'s text, the batch CSV; the batch results say
these are suggestions, not a diagnosis."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ecg_viewer.cli import main
from ecg_viewer.commands.embed_labels import calibrate_new_labels
from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.core.prediction import UNVALIDATED_THRESHOLD, LabelScore


@dataclass
class _Label:
    id: str
    category: str


def test_a_new_label_is_calibrated_as_unvalidated() -> None:
    cal = json.loads((model_weights_dir() / "calibration.json").read_text(encoding="utf-8"))
    known = set(cal)
    added = calibrate_new_labels(cal, [_Label("qa_vt", "urgent"), _Label("qa_af", "D"),
                                       _Label("sinus_rhythm", "A")])
    assert added == ["qa_vt", "qa_af"] and set(cal) == known | {"qa_vt", "qa_af"}
    for lid in added:
        c = cal[lid]
        assert c["threshold"] == UNVALIDATED_THRESHOLD and c["source"] == "unvalidated"
        assert c["val_pos"] == 0 and c["a"] == cal["_pooled"]["a"]
        # the same shape as the catalog's never-trained labels
        shipped = next(v for k, v in cal.items() if k in known and v.get("source") == "unvalidated")
        assert set(c) == set(shipped)
    s = LabelScore("qa_vt", "多形性心室頻拍", "polymorphic VT", 0.6, 0.99,
                   cal["qa_vt"]["threshold"], "urgent")
    assert s.unvalidated and not s.above_threshold and s.to_dict()["unvalidated"] is True


def test_analyze_text_marks_unvalidated_labels(bundled_samples: Path, capsys) -> None:
    f = str(bundled_samples / "00009_hr.hea")
    assert main(["analyze", f, "--top", "5"]) == 0
    out = capsys.readouterr().out
    rows = [ln for ln in out.splitlines() if "（閾値 1.00）" in ln]
    assert rows and all("（未検証）" in ln for ln in rows), rows
    # and no level beside it: it never raises one (QA 43: 要至急 read on a normal ECG)
    assert all(ln.rstrip().endswith("[—]") for ln in rows), rows
    assert main(["--lang", "en", "analyze", f, "--top", "5"]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines() if "(thr 1.00)" in ln]
    assert rows and all("(not validated)" in ln for ln in rows), rows


def test_batch_marks_them_and_says_what_its_results_are(bundled_samples: Path,
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for f in bundled_samples.glob("00009_hr.*"):
        (folder / f.name).write_bytes(f.read_bytes())
    out = tmp_path / "r.csv"
    assert main(["batch", str(folder), "--out", str(out), "--no-progress"]) == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert "（未検証）" in row["top5_ja"] and "診断ではありません" in row["notice"]
    js = tmp_path / "r.jsonl"
    assert main(["--lang", "en", "batch", str(folder), "--out", str(js), "--no-progress"]) == 0
    d = json.loads(js.read_text(encoding="utf-8").splitlines()[0])
    assert d["notice"]["ja"] and "not a diagnosis" in d["notice"]["en"]
    assert any(s["unvalidated"] for s in d["labels"])
    assert all(s["unvalidated"] == (s["threshold"] >= 1.0) for s in d["labels"])


def test_the_reading_strip_marks_them_when_nothing_is_present(qtbot) -> None:
    from ecg_viewer.core.prediction import Analysis, ModelInfo, Prediction, QualityReport
    from ecg_viewer.gui.suggestion_strip import SuggestionStrip
    from ecg_viewer.labels.referral import decide_referral

    labels = (LabelScore("brugada", "Brugada型心電図", "Brugada pattern", 0.5, 0.2, 1.0, "D"),
              LabelScore("sinus_rhythm", "洞調律", "sinus rhythm", 0.5, 0.4, 0.6, "A"))
    pred = Prediction(labels, ModelInfo("x", "sha", "cat", "cpu"))
    analysis = Analysis("x.hea", "sha", QualityReport(True), decide_referral(list(labels), {}),
                        prediction=pred)
    strip = SuggestionStrip()
    qtbot.addWidget(strip)
    strip.show_analysis(analysis)  # nothing above threshold: the top three are shown
    assert "Brugada型心電図（未検証） 0.20" in strip.full_text()
    assert "洞調律 0.40" in strip.full_text()


def test_a_score_just_under_its_threshold_does_not_read_as_at_it(bundled_samples: Path,
                                                                 capsys) -> None:
    """QA 41: a score pinned just under its threshold printed 「スコア 0.19（閾値 0.19）」 with no
    mark; it now reads 「スコア < 0.19（閾値 0.19）」, and one at its threshold keeps its *."""
    import re

    lines = []
    for f in sorted(bundled_samples.glob("*.hea")):
        assert main(["analyze", str(f), "--top", "10"]) == 0
        lines += capsys.readouterr().out.splitlines()
    pairs = [(ln, m) for ln in lines if (m := re.search(r"スコア (<? ?[\d.]+)（閾値 ([\d.]+)）", ln))]
    assert pairs
    for ln, m in pairs:
        score, thr = m.group(1), m.group(2)
        if score == thr:
            assert ln.startswith(" *"), ln  # at or above: marked
        if score.startswith("<"):
            assert not ln.startswith(" *") and score == f"< {thr}", ln
    assert any(m.group(1).startswith("<") for _, m in pairs)


def test_the_panel_shows_no_level_beside_an_unvalidated_label(qtbot) -> None:
    from ecg_viewer.core.prediction import Analysis, ModelInfo, Prediction, QualityReport
    from ecg_viewer.gui.suggestions_panel import SuggestionsPanel
    from ecg_viewer.labels.referral import decide_referral

    labels = (LabelScore("sinus_rhythm", "洞調律", "sinus rhythm", 0.6, 0.9, 0.6, "A"),
              LabelScore("psvt", "発作性上室頻拍", "PSVT", -0.2, 0.03, 1.0, "urgent"))
    pred = Prediction(labels, ModelInfo("x", "sha", "cat", "cpu"))
    analysis = Analysis("x.hea", "sha", QualityReport(True), decide_referral(list(labels), {}),
                        prediction=pred)
    panel = SuggestionsPanel()
    qtbot.addWidget(panel)
    panel.show_analysis(analysis)
    rows = {panel.table.topLevelItem(i).text(0): panel.table.topLevelItem(i).text(3)
            for i in range(panel.table.topLevelItemCount())}
    psvt = next(k for k in rows if k.startswith("発作性上室頻拍"))
    sinus = next(k for k in rows if "洞調律" in k)  # with its marks
    assert rows[psvt] == "—" and rows[sinus] != "—", rows


def test_the_header_and_the_banner_explain_themselves(qtbot, bundled_samples: Path) -> None:
    """QA 43: PR, QRS, QT/QTc(B), the axes and the referral levels were explained nowhere."""
    from ecg_viewer.gui.header import HeaderWidget
    from ecg_viewer.io import read_ecg
    from ecg_viewer.signal.measure import measure

    header = HeaderWidget()
    qtbot.addWidget(header)
    rec = read_ecg(bundled_samples / "E07509.hea")
    header.set_record(rec)
    header.set_measurements(measure(rec).to_dict())
    tips = {k: lab.toolTip() for k, lab in header.meas_labels.items() if lab.isVisibleTo(header)}
    assert "120〜200 ms" in tips["pr"] and "Bazett" in tips["qt"] and "左軸偏位" in tips["axis"]
    assert "120 ms" in tips["qrs"] and "/分" in tips["hr"]
    from ecg_viewer.core.prediction import Analysis, QualityReport
    from ecg_viewer.gui.suggestions_panel import SuggestionsPanel
    from ecg_viewer.labels.referral import decide_referral

    af = LabelScore("atrial_fibrillation", "心房細動", "atrial fibrillation", 0.4, 0.9, 0.5, "D")
    panel = SuggestionsPanel()
    qtbot.addWidget(panel)
    panel.show_analysis(Analysis("x.hea", None, QualityReport(True),
                                 decide_referral([af], {"qrs_ms": 90.0}), prediction=None))
    assert panel.banner.toolTip().startswith(("要精査:", "要至急:"))
    assert "医師が確認" in panel.banner.toolTip()


def test_an_english_tooltip_starts_in_english(qtbot) -> None:
    """QA 43: suggestion tooltips in the English window began with the Japanese name and
    Japanese synonyms."""
    from ecg_viewer.core.messages import set_language
    from ecg_viewer.core.prediction import Analysis, ModelInfo, Prediction, QualityReport
    from ecg_viewer.gui.suggestions_panel import SuggestionsPanel
    from ecg_viewer.labels.catalog import default_catalog
    from ecg_viewer.labels.referral import decide_referral

    labels = (LabelScore("atrial_flutter", "心房粗動", "atrial flutter", 0.5, 0.9, 0.5, "urgent"),)
    pred = Prediction(labels, ModelInfo("x", "sha", "cat", "cpu"))
    analysis = Analysis("x.hea", "sha", QualityReport(True), decide_referral(list(labels), {}),
                        prediction=pred)
    panel = SuggestionsPanel()
    panel.catalog = default_catalog()
    qtbot.addWidget(panel)
    try:
        set_language("en")
        panel.show_analysis(analysis)
        tip = panel.table.topLevelItem(0).toolTip(0)
        assert tip.startswith("atrial flutter / 心房粗動"), tip
        syn = next(line for line in tip.splitlines() if line.startswith("Synonyms"))
        assert not re.match(r"Synonyms: [^\x00-\x7f]", syn), syn  # English synonyms first
    finally:
        set_language("ja")


def test_the_suggestion_count_says_what_it_does_not_limit(qtbot) -> None:
    """QA 43: 「表示する候補数 5」 listed 9 rows without saying why."""
    from ecg_viewer.gui.suggestions_panel import SuggestionsPanel

    panel = SuggestionsPanel()
    qtbot.addWidget(panel)
    panel.retranslate()
    assert "しきい値以上" in panel.top_spin.toolTip() and panel.top_label.toolTip()
