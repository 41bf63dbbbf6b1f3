"""JSON, FHIR and PDF reports from a real record, an Analysis over the real catalog and a review
stored through the real database. The PDF is checked with pdftotext (Japanese text extracts)
and pdftoppm (it renders), and its grid is measured in PDF points."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from ecg_viewer.core.messages import tr
from ecg_viewer.io import read_ecg
from ecg_viewer.labels.catalog import default_catalog
from ecg_viewer.report.content import ReportContent
from ecg_viewer.report.fhir import build_bundle
from ecg_viewer.report.pdf import SHEET_H_PT, SHEET_W_PT, pdf_bytes, write_pdf
from ecg_viewer.signal.page import PageSettings
from tests.report_fixtures import MEASUREMENTS, WEIGHTS, analysis_for, reviewed

MM_PT = 72.0 / 25.4


@pytest.fixture(scope="module")
def content(samples: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportContent:
    rec = read_ecg(samples / "ge_muse" / "synthetic_muse.xml")
    cat = default_catalog()
    analysis = analysis_for(rec, cat, {"atrial_fibrillation": 0.83, "sinus_tachycardia": 0.61,
                                       "lvh": 0.31}, MEASUREMENTS)
    review = reviewed(tmp_path_factory.mktemp("db") / "r.sqlite3", rec, analysis)
    return ReportContent(rec, analysis, review, catalog=cat)


def test_json_report_holds_analysis_record_review(content: ReportContent) -> None:
    d = json.loads(json.dumps(content.to_dict(), ensure_ascii=False))
    for key in ("file", "sha256", "quality", "labels", "referral", "measurements", "model"):
        assert key in d  # the analyze --json object
    assert d["labels"][0]["id"] == "atrial_fibrillation" and len(d["labels"]) == len(default_catalog())
    assert d["referral"]["level"] == "D"
    assert d["record"]["meta"]["patient_id"] == "SYNTH0001"
    assert d["review"]["final_level"] == "urgent" and d["review"]["reviewer"] == "山田 太郎"
    assert d["review"]["annotations"][0]["interval_ms"] == pytest.approx(800.0)
    findings = {f["id"]: f for f in d["findings"]}
    # the rejected second suggestion is not a finding; confirmed AF and added LVH are
    assert set(findings) == {"atrial_fibrillation", "lvh"}
    assert "164889003" in findings["atrial_fibrillation"]["snomed"]
    assert findings["lvh"]["decision"] == "added"
    assert d["report"]["weights_sha256"] == WEIGHTS
    assert d["report"]["notice_ja"].startswith("表示される所見候補は AI")


def test_fhir_bundle_validates(content: ReportContent) -> None:
    from fhir.resources.R4B.bundle import Bundle

    raw = build_bundle(content)
    bundle = Bundle.model_validate(json.loads(json.dumps(raw)))
    assert bundle.type == "collection"
    resources = {e.fullUrl: e.resource for e in bundle.entry}
    reports = [r for r in resources.values() if r.__resource_type__ == "DiagnosticReport"]
    assert len(reports) == 1
    dr = reports[0]
    assert [(c.system, c.code) for c in dr.code.coding] == [("http://loinc.org", "11524-6")]
    assert dr.status == "final"  # the physician set a final level
    for ref in dr.result:
        assert ref.reference in resources  # every result resolves inside the bundle
    patient = resources[dr.subject.reference]
    assert patient.identifier[0].value == "SYNTH0001" and patient.gender == "male"
    obs = [resources[r.reference] for r in dr.result]
    by_loinc = {c.code: o for o in obs for c in o.code.coding if c.system == "http://loinc.org"}
    for code in ("8867-4", "76282-3", "8625-6", "8633-0", "8634-8", "8636-3"):
        if code == "8625-6":
            assert code not in by_loinc  # PR not measurable here: no made-up Observation
            continue
        assert code in by_loinc
    assert by_loinc["8867-4"].valueQuantity.value == 112.0
    assert by_loinc["8867-4"].valueQuantity.code == "/min"
    assert by_loinc["8636-3"].valueQuantity.code == "ms"
    # QTc by both formulas, told apart by the method; the axes in degrees, the unmeasured P axis
    # not made up (QA 71: only their changes were in the bundle)
    qtc = {o.method.text: float(o.valueQuantity.value) for o in obs
           if any(c.code == "8636-3" for c in o.code.coding)}
    assert qtc == {"Bazett": 464.4, "Fridericia": 411.0}
    assert "8626-4" not in by_loinc
    for code, value in (("8632-2", 35.0), ("8638-9", 40.0)):
        q = by_loinc[code].valueQuantity
        assert (float(q.value), q.code, q.system, q.unit) == (value, "deg", "http://unitsofmeasure.org", "°")
    assert by_loinc["8632-2"].code.text == "QRS 軸"
    # the physician's calipers and note (QA 71: in the JSON and PDF, not in the bundle)
    cal = [o for o in obs if o.code.coding[0].system.endswith("/CodeSystem/ecg-caliper")]
    assert [o.code.coding[0].code for o in cal] == ["time-interval", "amplitude", "note"]
    t, amp, note = cal
    assert (float(t.valueQuantity.value), t.valueQuantity.code) == (800.0, "ms")
    assert (float(amp.valueQuantity.value), amp.valueQuantity.code) == (1.0, "mV")
    assert note.valueString == "ST低下"
    assert t.component[0].valueString == "II" and float(t.component[1].valueQuantity.value) == 0.5
    assert t.note[0].text == "[1] II 0.50 s: 800 ms（75 /分）" and t.code.text == "キャリパー計測（時間）"
    assert all(o.performer[0].display == "山田 太郎" and o.meta is None for o in cal)
    impressions = [o for o in obs if o.code.coding[0].code == "8601-7"]
    texts = {o.valueCodeableConcept.text for o in impressions}
    assert texts == {"心房細動", "左室肥大"}
    af = next(o for o in impressions if o.valueCodeableConcept.text == "心房細動")
    assert ("http://snomed.info/sct", "164889003") in {
        (c.system, c.code) for c in af.valueCodeableConcept.coding}
    assert "心房細動" in dr.conclusion and "要至急" in dr.conclusion
    assert dr.conclusionCode and len(dr.conclusionCode) == 2


def test_fhir_final_report_signs_only_what_the_physician_stated(content: ReportContent) -> None:
    """QA 61: with a final level set, a suggestion the physician left undecided went out as a
    final impression and a coded conclusion, its own note saying "AI suggestion, not reviewed"."""
    from dataclasses import replace

    # AF and the second suggestion left undecided, LVH added, the level set
    review = replace(content.review, decisions={})
    raw = build_bundle(ReportContent(content.record, content.analysis, review), lang="en")
    res = [e["resource"] for e in raw["entry"]]
    dr = next(r for r in res if r["resourceType"] == "DiagnosticReport")
    assert dr["status"] == "final"
    status = {o["valueCodeableConcept"]["text"]: o["status"] for o in res
              if o["resourceType"] == "Observation" and o["code"]["coding"][0]["code"] == "8601-7"}
    assert status.pop("left ventricular hypertrophy") == "final"
    assert status and set(status.values()) == {"preliminary"} and "atrial fibrillation" in status
    assert [c["text"] for c in dr["conclusionCode"]] == ["left ventricular hypertrophy"]
    # the measurements and the physician's level are final as the report is
    assert all(r["status"] == "final" for r in res if r["resourceType"] == "Observation"
               and r["code"]["coding"][0]["code"] != "8601-7")


def test_fhir_unreviewed_is_preliminary_and_invalid_is_caught(content: ReportContent) -> None:
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    raw = build_bundle(ReportContent(content.record, content.analysis, None))
    bundle = Bundle.model_validate(raw)
    dr = next(e.resource for e in bundle.entry if e.resource.__resource_type__ == "DiagnosticReport")
    assert dr.status == "preliminary"
    # the validator is real: a DiagnosticReport without its required status is refused
    del next(e for e in raw["entry"] if e["resource"]["resourceType"] == "DiagnosticReport"
             )["resource"]["status"]
    with pytest.raises(ValidationError):
        Bundle.model_validate(raw)


@pytest.fixture(scope="module")
def pdf_file(content: ReportContent, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    write_pdf(out, content)
    return out


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils (pdftotext/pdftoppm) not installed")


@needs_poppler
def test_pdf_text_extracts_japanese(pdf_file: Path) -> None:
    text = subprocess.run(["pdftotext", "-layout", str(pdf_file), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == 2
    for expected in ("12誘導心電図レポート", "SYNTH0001", "Synthetic Example", "男性", "45 歳",
                     "2025-08-17 09:15:11", "MAC55", "心房細動", "洞頻脈", "要精査", "要至急",
                     "HR 112 /分", "QRS 96 ms", "25 mm/s", "10 mm/mV", "aVR", "V6",
                     "800 ms（75 /分）", "ST低下", "心エコー図検査", "抗凝固療法",
                     "山田 太郎", "左室肥大", WEIGHTS[:16], "2026.", "アプリ 0.1.0"):
        assert expected in text, expected
    notice = "表示される所見候補は AI による参考情報であり、診断ではありません。"
    assert notice in pages[0] and notice in pages[1]
    assert "Kangxi" not in text and "\u2f00" not in text  # no Kangxi radicals


@needs_poppler
def test_pdf_renders_both_pages(pdf_file: Path, tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf_file), str(tmp_path / "p")],
                   check=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == 2 and all(p.stat().st_size > 10_000 for p in pngs)


def _page_streams(pdf: bytes) -> list[str]:
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        data = m.group(1)
        try:
            data = zlib.decompress(data)
        except zlib.error:
            pass
        text = data.decode("latin-1")
        if " re" in text or " l\n" in text or " l " in text:
            out.append(text)
    return out


def test_pdf_is_a4_landscape_and_grid_is_true_scale(content: ReportContent) -> None:
    pdf = pdf_bytes(content, PageSettings(), compress=False)
    assert re.search(rb"/MediaBox \[\s*0 0 841\.88\d* 595\.27\d*\s*\]", pdf)
    assert (round(SHEET_W_PT, 1), round(SHEET_H_PT, 1)) == (841.9, 595.3)
    stream = max(_page_streams(pdf), key=len)
    # the major grid: drawn after the major colour is set, vertical lines as "x y0 m x y1 l"
    major = re.split(r"\sS\s", stream.split(".91 .52 .52 RG", 1)[1], maxsplit=1)[0]
    xs = sorted({round(float(a), 3) for a, b, c in re.findall(
        r"([\d.]+) ([\d.]+) m \1 ([\d.]+) l", major)})
    steps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert len(steps) >= 50
    assert all(abs(d - 14.1732) < 0.005 for d in steps)  # 5 mm = 14.17 pt
    minor = re.split(r"\sS\s", stream.split(".98 .8 .8 RG", 1)[1], maxsplit=1)[0]
    mx = sorted({round(float(a), 3) for a, b, c in re.findall(
        r"([\d.]+) ([\d.]+) m \1 ([\d.]+) l", minor)})
    msteps = [b - a for a, b in zip(mx, mx[1:], strict=False)]
    # 1 mm = 2.835 pt (2 mm where a major line takes the place of a minor one)
    assert all(min(abs(d - MM_PT), abs(d - 2 * MM_PT)) < 0.005 for d in msteps)
    # 1 mV calibration pulse at 10 mm/mV: a vertical edge of 28.35 pt
    edges = re.findall(r"([\d.]+) ([\d.]+) l ([\d.]+) ([\d.]+) l", stream)
    heights = {round(abs(float(y1) - float(y0)), 2) for x0, y0, x1, y1 in edges if x0 == x1}
    assert round(10 * MM_PT, 2) in heights


@needs_poppler
def test_pdf_without_model_says_measurements_only(content: ReportContent, tmp_path: Path) -> None:
    from dataclasses import replace

    bare = replace(content.analysis, prediction=None)
    out = write_pdf(tmp_path / "bare.pdf", ReportContent(content.record, bare, None))
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "自動判定（計測値のみ・AI 未実行、参考）" in text
    assert "所見候補なし（モデル未実行）" in text and "未確認（医師の確認がありません）" in text


def test_suggestion_table_is_capped_but_keeps_decided_labels(content: ReportContent) -> None:
    from dataclasses import replace

    from ecg_viewer.report.pdf_table import table_rows
    from ecg_viewer.review import Review
    from tests.report_fixtures import analysis_for

    cat = default_catalog()
    ids = [lab.id for lab in cat][:30]
    many = analysis_for(content.record, cat, {i: 0.9 - k * 0.01 for k, i in enumerate(ids)})
    last = many.prediction.labels[-1].id  # far down the list, below threshold
    review = Review(sha256=content.record.sha256, decisions={last: "confirmed"})
    rows, hidden = table_rows(replace(content, analysis=many, review=review), 12)
    assert len(rows) == 12 and rows[-1].id == last  # the decided label is kept, in rank order
    assert hidden == 30 - 11  # labels above threshold not shown (all are in the JSON)


def test_suggestion_table_keeps_the_banners_findings_before_labels_below_threshold(
        content: ReportContent) -> None:
    """Fused labels have thresholds of their own, so labels below their thresholds can rank
    above labels over theirs. When the table is short of rows, the label that raised the banner
    and the labels above their thresholds keep their rows; the top labels below their
    thresholds give theirs up (they were printed first, and the finding of the 要至急 banner was
    left to the JSON: PhysioNet s0010_re)."""
    from dataclasses import replace

    from ecg_viewer.core.prediction import Prediction, Referral
    from ecg_viewer.report.pdf_table import table_rows
    from tests.report_fixtures import analysis_for

    cat = default_catalog()
    ids = [lab.id for lab in cat][:14]
    base = analysis_for(content.record, cat, {})
    by_id = {s.id: s for s in base.prediction.labels}
    below = [replace(by_id[i], score=0.45 - k * 0.01, threshold=0.9) for k, i in enumerate(ids[:8])]
    above = [replace(by_id[i], score=0.30 - k * 0.01, threshold=0.2) for k, i in enumerate(ids[8:])]
    labels = tuple(below + above + [s for s in base.prediction.labels if s.id not in ids])
    banner = above[-1].id  # the lowest label above its threshold raised the banner
    analysis = replace(base, prediction=Prediction(labels, base.prediction.model),
                       referral=Referral("urgent", (banner,)))
    rows, hidden = table_rows(replace(content, analysis=analysis, review=None), 6)
    ids_shown = [s.id for s in rows]
    assert len(rows) == 6 and hidden == 0
    assert banner in ids_shown and {s.id for s in above} <= set(ids_shown)
    assert ids_shown == [s.id for s in labels if s.id in ids_shown]  # in score order
    rows, hidden = table_rows(replace(content, analysis=analysis, review=None), 3)
    assert banner in [s.id for s in rows] and hidden == 3


@needs_poppler
def test_pdf_marks_a_low_confidence_interval_as_the_window_does(content: ReportContent,
                                                                tmp_path: Path) -> None:
    """An interval of low confidence (grey in the window's header) is printed with the mark on
    sheet 1 and with the mark and its reason on sheet 2, in Japanese and in English; one of
    normal confidence is printed plain. The reason is a note under the measurements, whole
    (after the value, in a column half the table wide, it was cut: "拍ごとのばらつきが大きく、信頼…");
    two values with one reason share its note."""
    from dataclasses import replace

    meas = {**content.analysis.measurements, "qt_ms": 488.0, "qrs_ms": 96.0, "pr_ms": 180.0,
            "p_ms": 110.0, "low_confidence": ["qt_ms", "pr_ms", "p_ms"],
            "confidence_reasons": {"qt_ms": "meas.conf_low_t", "pr_ms": "meas.conf_p_onset_edge",
                                   "p_ms": "meas.conf_p_onset_edge"}}
    low = replace(content.analysis, measurements=meas)
    texts = {}
    for lang in ("ja", "en"):
        out = write_pdf(tmp_path / f"low_{lang}.pdf", ReportContent(content.record, low, None),
                        lang=lang)
        texts[lang] = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True,
                                     capture_output=True, text=True).stdout
    assert "QT 488 ms（参考値）" in texts["ja"] and "QRS 96 ms（参考値）" not in texts["ja"]
    assert "QT 488 ms (low confidence)" in texts["en"]
    for lang, mark in (("ja", "（参考値 *{}）"), ("en", " (low confidence *{})")):
        flat = " ".join(texts[lang].split())
        at = {k: flat.index(k) for k in ("QT 488 ms", "P 110 ms", "PR 180 ms")}
        first = min(("pr", "qt"), key=lambda k: at["PR 180 ms" if k == "pr" else "QT 488 ms"])
        n = {first: 1, ("qt" if first == "pr" else "pr"): 2}
        assert f"QT 488 ms{mark.format(n['qt'])}" in flat, flat
        assert f"PR 180 ms{mark.format(n['pr'])}" in flat and f"P 110 ms{mark.format(n['pr'])}" in flat
        for key, k in (("meas.conf_low_t", "qt"), ("meas.conf_p_onset_edge", "pr")):
            assert f"*{n[k]} {tr(key, lang)}" in flat, (key, flat)
    plain = subprocess.run(["pdftotext", "-layout", str(write_pdf(tmp_path / "plain.pdf",
                                                                  content)), "-"],
                           check=True, capture_output=True, text=True).stdout
    assert "参考値" not in plain


def test_fhir_low_confidence_interval_carries_its_reason(content: ReportContent) -> None:
    """A measurement Observation of low confidence says so in its note (validated R4B), in the
    report's language; one of normal confidence has no note."""
    from dataclasses import replace

    from fhir.resources.R4B.bundle import Bundle

    meas = {**content.analysis.measurements, "qt_ms": 488.0,
            "low_confidence": ["qt_ms"], "confidence_reasons": {"qt_ms": "meas.conf_low_t"}}
    low = ReportContent(content.record, replace(content.analysis, measurements=meas), None)
    for lang, want in (("ja", "T波が低く平坦"), ("en", "Low confidence: the T wave")):
        bundle = Bundle.model_validate(json.loads(json.dumps(build_bundle(low, lang=lang))))
        obs = {c.code: e.resource for e in bundle.entry
               if e.resource.__resource_type__ == "Observation"
               for c in e.resource.code.coding if c.system == "http://loinc.org"}
        assert want in obs["8634-8"].note[0].text  # QT interval
        assert not obs["8867-4"].note  # heart rate: normal confidence


def test_wrapped_text_cut_to_its_lines_shows_an_ellipsis():
    """A PDF text block with a line limit (a referral reason, a comment) ends in "…" where text is
    left out, and keeps every line whole where none is."""
    from ecg_viewer.report.pdf_text import register_font, wrap_text

    register_font()
    ja = "所見の組み合わせ：前壁中隔心筋梗塞 0.15、前壁・側壁の心内膜下傷害 0.05 など" * 4
    en = "findings together: anteroseptal myocardial infarction 0.15 and others " * 4
    for text in (ja, en):
        full = wrap_text(text, 60, 7.5)
        assert len(full) > 3
        cut = wrap_text(text, 60, 7.5, 2)
        assert cut[0] == full[0] and len(cut) == 2 and cut[1].endswith("…")
        assert cut[1][:-1] and cut[1][:-1] in text  # the rest of the text, from where line 1 ends
        assert wrap_text(text, 60, 7.5, len(full)) == full
    assert wrap_text("short", 60, 7.5, 2) == ["short"]


def test_english_is_wrapped_between_words():
    """English breaks at a space, never inside a word (the comparison sheet's notice read
    "…not a diagnosi / s."); Japanese breaks anywhere and loses no character."""
    from ecg_viewer.report.pdf_text import register_font, wrap_text

    register_font()
    en = ("The comparison with the prior ECG is a suggestion from the AI and the automatic "
          "measurements, not a diagnosis.")
    for width in (40, 60, 80, 128):
        lines = wrap_text(en, width, 7)
        assert " ".join(lines) == en, (width, lines)
        assert all(line and line == line.strip() for line in lines)
    ja = "前回心電図との比較はAIと自動計測による提案です。最終判断は医師が行ってください。"
    assert "".join(wrap_text(ja, 40, 7)) == ja and len(wrap_text(ja, 40, 7)) > 1
    # a word longer than the line still breaks (inside it) rather than overflow
    assert all(len(x) > 0 for x in wrap_text("x" * 200, 20, 7))


def test_fhir_marks_what_the_ai_asserted(content: ReportContent) -> None:
    """HL7 AI Transparency on FHIR's security label AIAST on the model's findings, its referral
    level and the report that carries them; not on a physician's added finding, nor on the level
    a physician set (QA 41: only free text had said which codes were AI suggestions)."""
    from fhir.resources.R4B.bundle import Bundle

    def ai(res: dict) -> bool:
        return any(s.get("code") == "AIAST" and s["system"].endswith("v3-ObservationValue")
                   for s in (res.get("meta") or {}).get("security", []))

    for c, final in ((content, True), (ReportContent(content.record, content.analysis, None),
                                       False)):
        raw = build_bundle(c)
        Bundle.model_validate(json.loads(json.dumps(raw)))
        res = [e["resource"] for e in raw["entry"]]
        report = next(r for r in res if r["resourceType"] == "DiagnosticReport")
        assert ai(report)
        impressions = {r["valueCodeableConcept"]["coding"][-1]["code"]: ai(r) for r in res
                       if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"]
                       == "8601-7"}
        assert impressions.get("atrial_fibrillation") is True
        if final:
            assert impressions["lvh"] is False  # added by the physician
        level = next(r for r in res if r["resourceType"] == "Observation"
                     and r["code"]["coding"][0]["code"] == "referral")
        assert ai(level) is (not final)
        measured = [r for r in res if r["resourceType"] == "Observation"
                    and r["code"]["coding"][0]["system"] == "http://loinc.org"
                    and r["code"]["coding"][0]["code"] != "8601-7"]
        assert measured and not any(ai(r) for r in measured)
