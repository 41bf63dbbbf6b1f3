"""`report` and `batch` through the real pipeline: quality gate, measurements and the shipped
weights on CPU (skipped with a reason when the weights are not in model_weights/)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from ecg_viewer.core.paths import model_weights_dir

pytestmark = pytest.mark.skipif(not (model_weights_dir() / "manifest.json").is_file(),
                                reason="no shipped weights in model_weights/")


def test_report_and_batch_with_the_shipped_model(samples: Path, tmp_path: Path) -> None:
    from ecg_viewer.cli import main

    ecg = samples / "ge_muse" / "synthetic_muse.xml"
    pdf, js, fh = tmp_path / "r.pdf", tmp_path / "r.json", tmp_path / "r.fhir.json"
    assert main(["report", str(ecg), "--out", str(pdf), "--json", str(js), "--fhir", str(fh)]) == 0
    d = json.loads(js.read_text(encoding="utf-8"))
    weights = d["model"]["weights_sha256"]
    assert len(weights) == 64 and d["labels"] and d["measurements"]["hr_bpm"]
    top = d["labels"][0]["ja"]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert top in text and weights[:16] in text and "SYNTH0001" in text
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(json.loads(fh.read_text(encoding="utf-8")))

    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "a.xml").symlink_to(ecg)
    (folder / "bad.SCP").symlink_to(samples / "scp_ecg" / "healforce_62.SCP")
    out = tmp_path / "res.jsonl"
    assert main(["batch", str(folder), "--out", str(out), "--no-progress"]) == 0
    rows = {Path(r["file"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["a.xml"]["labels"][0]["ja"] == top  # same pipeline, same answer
    assert "error_ja" in rows["bad.SCP"]


def test_a_lead_read_around_is_named_in_the_window_and_the_report(shared_data: Path, tmp_path: Path,
                                                                  make_window, qtbot) -> None:
    """CinC HR20715 is read (quality ok) with V4 too noisy to read, and flagged for findings: the
    noisy lead is said below the referral's reasons in the panel and on the report's sheet 2
    (before, only a record with no referral reason or an unreadable one said it)."""
    from ecg_viewer.cli import main

    ecg = shared_data / "cinc_extra" / "HR20715.hea"
    pdf = tmp_path / "r.pdf"
    assert main(["report", str(ecg), "--out", str(pdf)]) == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "信号品質: 雑音が強く判読できない誘導があります: V4" in text
    # sheet 1, printed and filed, says it too (QA 48: only sheet 2 did, under LVH suggestions)
    sheet1 = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout
    assert "信号品質に注意（詳細は 2 枚目）" in sheet1
    # ... and still names the file and its hash (QA 49: the caveat beside them had cut both)
    assert "HR20715.hea" in sheet1 and "sha256" in sheet1
    # sheet 2's left column ends above the safety notice: the table gets the room the reasons,
    # the measurements (with their notes) and this line leave (the line was drawn over the
    # notice when a note was added under the measurements)
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", "2", "-l", "2", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = {m[5]: (float(m[2]), float(m[4])) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>',
        bbox)}
    assert words["信号品質:"][1] + 3 < words["表示される所見候補は"][0], words
    assert "ほか" in text  # rows left out of the table are counted
    w = make_window((1500, 950), use_stored_language=False)
    with qtbot.waitSignal(w.flow.analysed, timeout=120000) as blocker:
        w.controller.open_file(str(ecg))
    analysis = blocker.args[0]
    assert analysis.quality.ok and analysis.referral.reason_keys
    lines = w.panel.message.text().split("\n")
    # ... and, since QA 45, that its QRS is too large for a heart (a PTB-XL record at "200/mV")
    assert lines[-1].startswith("信号品質（注意）: 雑音が強く判読できない誘導があります: V4。QRS の振幅")
    assert "ゲイン" in lines[-1]
    assert lines[: len(analysis.referral.reasons())] == list(analysis.referral.reasons())


def _texts(node: object, key: str = "") -> list[str]:
    """The human-readable strings of a FHIR resource tree (not codes, not coding displays)."""
    if isinstance(node, dict):
        return [t for k, v in node.items() if k != "data" for t in _texts(v, k)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v, key)]
    return [node] if isinstance(node, str) and key in ("text", "conclusion", "valueString",
                                                      "title") else []


def test_fhir_bundle_speaks_the_report_language(shared_data: Path, tmp_path: Path) -> None:
    """A Japanese bundle's texts are Japanese: the finding notes, the measurement names, the
    evidence components (a derived 心筋梗塞 names its narrower findings by name, coded), not
    "AI score 0.76 (category D); AI suggestion, not reviewed", "Heart rate", "similarity",
    "fusion supports" or a bare label id as before; the English bundle has no Japanese."""
    import re

    from fhir.resources.R4B.bundle import Bundle

    from ecg_viewer.cli import main

    ecg = shared_data / "cart_reference" / "braveheart_example4.xml"
    bundles = {}
    for lang in ("ja", "en"):
        fh = tmp_path / f"{lang}.fhir.json"
        assert main(["report", str(ecg), "--lang", lang, "--out", str(tmp_path / f"{lang}.pdf"),
                     "--fhir", str(fh), "--no-review", "--prior", "none"]) == 0
        bundles[lang] = json.loads(fh.read_text(encoding="utf-8"))
        Bundle.model_validate(bundles[lang])
    english = re.compile(r"\b(AI score|category|reviewed|supports|against|similarity|score|fusion"
                         r"|model|Heart rate|interval|impression|asmi|almi|mi)\b", re.I)
    ja_texts = _texts(bundles["ja"])
    assert ja_texts and not [t for t in ja_texts if english.search(t)], \
        [t for t in ja_texts if english.search(t)]
    cjk = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    assert not [t for t in _texts(bundles["en"]) if cjk.search(t)]
    # the derived label's parts: coded by label id, named in the bundle's language
    parts = [c["valueCodeableConcept"] for e in bundles["ja"]["entry"]
             for c in e["resource"].get("component", [])
             if c["code"]["coding"][-1]["code"] == "derived_from"]
    assert parts and all(p["coding"][0]["code"] in ("asmi", "almi", "ami", "lmi", "imi", "ilmi")
                         and "心筋梗塞" in p["text"] for p in parts), parts


def test_the_sheet_banner_names_what_raised_the_level(shared_data: Path, tmp_path: Path) -> None:
    """The one-line box at the top of each sheet names the findings that raised the level, not
    their reasons cut mid-word ("要精査 — 前壁中隔心筋梗塞（要精査: 統合確率に寄与し…"); the
    reasons in full stay under the suggestions table."""
    from ecg_viewer.cli import main
    from ecg_viewer.core.messages import Reason
    from ecg_viewer.labels.referral import reason_head

    ecg = shared_data / "samples" / "wfdb_cinc2021" / "E07509.hea"
    pdf, js = tmp_path / "r.pdf", tmp_path / "r.json"
    assert main(["report", str(ecg), "--out", str(pdf), "--json", str(js), "--no-review",
                 "--prior", "none"]) == 0
    d = json.loads(js.read_text(encoding="utf-8"))
    names = {lab["id"]: lab["ja"] for lab in d["labels"]}
    raised = [names[i] for i in d["referral"]["because"] if i in names]
    assert d["referral"]["level"] == "D" and raised
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    box = next(line for line in text.splitlines() if "自動判定（参考）: 要精査 —" in line)
    box = box.split("自動判定（参考）: 要精査 — ", 1)[1]
    assert box.startswith(raised[0]) and "（要精査" not in box
    # sheet 2's table in Japanese: every name whole; the English after it only where every
    # row has room (it was cut in most rows: 「完全右脚ブロック（complete right bun…」)
    ja_rows = [ln for ln in text.split("\f")[1].splitlines()
               if re.search(r"\d\.\d\d\s+\d\.\d{3}\s", ln)]
    assert len(ja_rows) >= 5 and not any("…" in r.split("0.")[0] for r in ja_rows), ja_rows
    assert all(names[lab_id] in text.split("\f")[1] for lab_id in list(names)[:3])
    assert any(r.startswith(raised[0] + "（要精査") for r in d["referral"]["reasons_ja"])
    # in English the title and the level fill the line: the findings get a line of their own,
    # whole (they were cut after the level: "…Further examination needed — bif…")
    en_pdf = tmp_path / "r_en.pdf"
    assert main(["report", str(ecg), "--out", str(en_pdf), "--lang", "en", "--no-review",
                 "--prior", "none"]) == 0
    lines = [ln.strip() for ln in subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(en_pdf), "-"], capture_output=True,
        text=True, check=True).stdout.splitlines()]
    at = next(i for i, ln in enumerate(lines)
              if ln.endswith("Automatic referral level (for reference): Further examination needed"))
    en_names = [lab["en"] for lab in d["labels"] if lab["id"] in d["referral"]["because"]]
    heads = lines[at + 1].split("   ")[-1]
    assert "…" not in heads and all(n in heads for n in en_names), (heads, en_names)
    assert lines[at + 2].endswith("Not reviewed by a physician")
    # sheet 1's header lines: every measurement (smaller, not cut); whole suggestions, then how
    # many more sheet 2 lists, and the star's legend (was: "…left posterior fas…")
    meas = next(ln for ln in lines if ln.startswith("Measurements:"))
    assert "…" not in meas and "T axis" in meas and meas.split()[-1] != "(low…", meas
    sugg = next(ln for ln in lines if ln.startswith("Suggested findings (AI, for reference):"))
    assert "…" not in sugg and sugg.endswith("(* at or above threshold)"), sugg
    first = [lab["en"] for lab in d["labels"][:2]]
    assert all(f"{name} " in sugg for name in first), (first, sugg)
    assert re.search(r"\)\*?\s+\d+ more on sheet 2\s+\(\*", sugg), sugg
    # sheet 2's table: an English finding and its category are whole (a smaller size before a
    # cut: "subendocardial injury in anterior/later…", "D (Further exam…"); the reason of a
    # value of low confidence is a note under the measurements, whole
    sheet2 = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "2", str(en_pdf), "-"],
                            capture_output=True, text=True, check=True).stdout
    rows = [ln for ln in sheet2.splitlines() if re.search(r"\d\.\d\d\*?\s+\d\.\d{3}\s", ln)]
    assert len(rows) >= 5 and not any("…" in r for r in rows), rows
    assert any("D (Further exam)" in r for r in rows), rows
    assert "*1 Low confidence: the value differs between groups of beats" in " ".join(sheet2.split())
    # a reason that is not about one finding is given whole
    rule = Reason.of("referral.rule.qtc_bazett_very_long", value=512.0)
    assert reason_head(rule, "ja") == "QTc（Bazett）512 ms：500 ms 以上"


def test_a_longer_record_says_which_10_s_the_model_read(bundled_samples: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str],
                                                        qtbot) -> None:
    """QA 51: a 60-min record's flutter, seen by the model in its central 10 s, was reported
    under measurements of the first minute and a page printed from 0:00, and nothing said where
    the finding was seen."""
    import numpy as np

    from ecg_viewer.cli import main
    from ecg_viewer.core.record import EcgRecord
    from ecg_viewer.io import read_ecg
    from ecg_viewer.model.preprocess import window_span_s
    from ecg_viewer.pipeline.analyze import Analyzer
    from ecg_viewer.report.content import model_window_text

    rec = read_ecg(bundled_samples / "00009_hr.hea")
    long = EcgRecord(np.tile(rec.signal_mv, (1, 12)), rec.fs_hz, rec.lead_names)  # 120 s
    assert window_span_s(long.n_samples, long.fs_hz) == (55.0, 65.0)
    assert window_span_s(rec.n_samples, rec.fs_hz) is None  # 10 s: all of it
    assert window_span_s(4 * 3600 * 250, 250.0) == (7195.0, 7205.0)
    a = Analyzer().analyze(long)
    assert a.to_dict()["model_window_s"] == [55.0, 65.0]
    assert model_window_text(a, "ja") == "AI の所見候補は記録の 55.0–65.0 秒（中央の 10 秒）から"
    assert "55.0–65.0 s" in model_window_text(a, "en")
    assert "model_window_s" not in Analyzer().analyze(rec).to_dict()
    from ecg_viewer.gui.suggestions_panel import SuggestionsPanel  # the window says it too

    panel = SuggestionsPanel()
    qtbot.addWidget(panel)
    panel.show_analysis(a)
    # a line of its own under the reasons, never scrolled away with them (QA 67)
    assert panel.window_note.text() == "AI の所見候補は記録の 55.0–65.0 秒（中央の 10 秒）から"
    # the command line and the PDF say it for a file
    import wfdb

    wfdb.wrsamp("long", fs=rec.fs_hz, units=["mV"] * 12, sig_name=list(rec.lead_names),
                p_signal=long.signal_mv.T.astype(np.float64), fmt=["16"] * 12,
                adc_gain=[1000.0] * 12, baseline=[0] * 12, write_dir=str(tmp_path))
    assert main(["analyze", str(tmp_path / "long.hea")]) == 0
    assert "55.0–65.0 秒" in capsys.readouterr().out
    pdf = tmp_path / "long.pdf"
    assert main(["report", str(tmp_path / "long.hea"), "--out", str(pdf), "--prior", "none"]) == 0
    sheet1 = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout
    assert "55.0–65.0 秒（中央の 10 秒）" in sheet1


def test_findings_together_are_named_in_the_banner_without_their_sentence() -> None:
    """QA 70 (CinC Q0027, English): the PDF banner cut the combination's reason at "each below
    its own thres…", the part that explains it lost. The banner names the findings; the whole
    reason is on sheet 2."""
    from ecg_viewer.core.messages import Bilingual, Reason
    from ecg_viewer.core.prediction import level_name
    from ecg_viewer.labels.referral import reason_head

    reason = Reason.of("referral.because_combination", level=level_name("D"), findings=Bilingual(
        "異常 Q 波 0.14、下壁心筋梗塞 0.06",
        "abnormal Q waves 0.14, inferior myocardial infarction 0.06"))
    assert reason_head(reason, "en") == \
        "findings together: abnormal Q waves 0.14, inferior myocardial infarction 0.06 and others"
    assert reason_head(reason, "ja") == "所見の組み合わせ：異常 Q 波 0.14、下壁心筋梗塞 0.06 など"
    assert "threshold" in reason.text("en") and "基準未満" in reason.text("ja")  # sheet 2: whole
