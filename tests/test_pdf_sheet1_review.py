"""Sheet 1 of the PDF (the page that is printed and filed) carries the physician's review, not
the model's view only (QA 2026-12-06): a rejected suggestion stood there as 心房細動 0.83（要至急）
with nothing to say the physician had rejected it, and findings added by hand were only on
sheet 2. Real records, the real catalog, real PDFs read back with pdftotext."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ecg_viewer.core.messages import set_language
from ecg_viewer.io import read_ecg
from ecg_viewer.labels.catalog import default_catalog
from ecg_viewer.report.content import ReportContent
from ecg_viewer.report.pdf import write_pdf
from ecg_viewer.review.model import Review
from tests.report_fixtures import MEASUREMENTS, analysis_for

SCORES = {"atrial_fibrillation": 0.83, "sinus_tachycardia": 0.7, "lvh": 0.6}


def _pdfs(folder: Path, lang: str, rec, analysis, cat, **reviews) -> None:
    """``folder/NAME.pdf`` of each review given as NAME=review (None: not reviewed), in ``lang``."""
    set_language(lang)
    try:
        for name, review in reviews.items():
            write_pdf(folder / f"{name}.pdf", ReportContent(rec, analysis, review, catalog=cat))
    finally:
        set_language("ja")


def _sheet1(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


@pytest.mark.parametrize("lang, rejected, confirmed, added", [
    ("ja", "心房細動 0.83（要至急）*［医師否定］", "洞頻脈 0.70（要経過観察）*［医師確認］",
     "医師が追加: Brugada型心電図"),
    ("en", "atrial fibrillation 0.83 (Urgent referral)* [rejected]",
     "sinus tachycardia 0.70 (Follow-up)* [confirmed]", "added by the physician: Brugada-type ECG"),
])
def test_sheet1_shows_the_decisions_and_the_added_findings(bundled_samples: Path, tmp_path: Path,
                                                          lang, rejected, confirmed, added):
    rec = read_ecg(bundled_samples / "00017_hr.hea")
    cat = default_catalog()
    analysis = analysis_for(rec, cat, SCORES, MEASUREMENTS)
    review = Review(sha256=rec.sha256 or "", decisions={"atrial_fibrillation": "rejected",
                                                        "sinus_tachycardia": "confirmed"},
                    added_labels=("brugada",), final_level="C")
    _pdfs(tmp_path, lang, rec, analysis, cat, r=review, plain=None)
    text = _sheet1(tmp_path / "r.pdf")
    for want in (rejected, confirmed, added):
        assert want in text, (want, text)
    plain = _sheet1(tmp_path / "plain.pdf")  # not reviewed: the model's suggestions, no marks
    assert rejected.split("*")[0] in plain
    for mark in ("医師否定", "医師確認", "医師が追加", "[rejected]", "[confirmed]", "added by"):
        assert mark not in plain


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_many_physician_findings_are_whole_names_and_how_many_more(
        bundled_samples: Path, tmp_path: Path, lang: str) -> None:
    """QA report 33: nine findings added by hand ran off the line mid-name (「前壁・側壁の…」,
    "nonspecific intraventricular condu…"), the legend lost; and a rejected suggestion added
    again (stored as confirmed) outside the top five was on no line of sheet 1."""
    rec = read_ecg(bundled_samples / "00017_hr.hea")
    cat = default_catalog()
    analysis = analysis_for(rec, cat, SCORES, MEASUREMENTS)
    top = {s.id for s in analysis.suggestions(5)}
    longest = sorted((lab for lab in cat.labels if lab.id not in top and lab.id not in SCORES),
                     key=lambda lab: -len(lab.en))[:9]
    outside = next(s for s in analysis.prediction.labels if s.id not in top)
    review = Review(sha256=rec.sha256 or "", decisions={outside.id: "confirmed"},
                    added_labels=tuple(lab.id for lab in longest))
    _pdfs(tmp_path, lang, rec, analysis, cat, r=review)
    text = _sheet1(tmp_path / "r.pdf")
    line = text[text.index("所見候補" if lang == "ja" else "Suggested findings"):]
    line = line[:line.index("閾値以上）" if lang == "ja" else "threshold)") + 5]
    assert "…" not in line, line
    own = line[line.index("医師が追加: " if lang == "ja" else "added by the physician: "):]
    names = [(lab.ja if lang == "ja" else lab.en) for lab in longest] + \
        [outside.ja if lang == "ja" else outside.en]
    shown = [n for n in names if n in own]
    import re

    more = re.search(r"ほか (\d+) 件は 2 ページ目|(\d+) more on sheet 2", own)
    rest = int(next(g for g in more.groups() if g)) if more else 0
    assert shown and len(shown) + rest == len(names), (shown, rest, own)


def _sheet2(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return "".join(text.split())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sheet2_holds_every_added_finding_and_says_where_a_long_comment_goes_on(
        bundled_samples: Path, tmp_path: Path, lang):
    """QA 38: sheet 1 said 「ほか 12 件は 2 ページ目」 but sheet 2 cut the added findings after 3
    lines (8 of 15 on no page) and the comment after 8 lines, with a third of the column empty."""
    rec = read_ecg(bundled_samples / "00017_hr.hea")
    cat = default_catalog()
    analysis = analysis_for(rec, cat, SCORES, MEASUREMENTS)
    longest = sorted((lab for lab in cat.labels if lab.id not in SCORES),
                     key=lambda lab: -len(lab.ja))[:15]
    comment = "\n".join(f"所見 {i:02d}: 前回と比べて変化なし。経過観察とする。" for i in range(12))
    review = Review(sha256=rec.sha256 or "", decisions={"atrial_fibrillation": "rejected"},
                    added_labels=tuple(lab.id for lab in longest), final_level="D",
                    reviewer="R", comment=comment)
    huge = Review(sha256=rec.sha256 or "", added_labels=tuple(lab.id for lab in longest),
                  comment="\n".join(f"行 {i:03d} の長いコメント" for i in range(80)))
    _pdfs(tmp_path, lang, rec, analysis, cat, r=review, huge=huge)
    text = _sheet2(tmp_path / "r.pdf")
    for lab in longest:
        assert "".join((lab.ja if lang == "ja" else lab.en).split()) in text, lab.id
    assert "所見11:前回と比べて変化なし。経過観察とする。" in text  # the comment's last line
    assert "0.83*" in text and "0.05*" not in text  # above threshold, legible in black and white
    huge_text = _sheet2(tmp_path / "huge.pdf")
    more = "（続きはJSON・FHIRに全文）" if lang == "ja" else "(continuedintheJSONandFHIR)"
    assert more in huge_text and "行079" not in huge_text
    assert "行012の長いコメント" in huge_text  # the column's room is used before cutting


def test_sheet1_keeps_a_rejected_suggestion_when_the_line_is_full(bundled_samples: Path,
                                                                 tmp_path: Path):
    """QA 38: the physician rejected the finding the banner named, added five more, and sheet 1
    kept the confirmed top suggestion and the added ones: read alone, it gave the banner's
    reason with no sign it had been rejected."""
    rec = read_ecg(bundled_samples / "00017_hr.hea")
    cat = default_catalog()
    scores = {"sinus_tachycardia": 0.9, "lvh": 0.8, "atrial_flutter": 0.7, "pvc": 0.65,
              "atrial_fibrillation": 0.6}
    analysis = analysis_for(rec, cat, scores, MEASUREMENTS)
    longest = sorted((lab for lab in cat.labels if lab.id not in scores),
                     key=lambda lab: -len(lab.ja))[:6]
    review = Review(sha256=rec.sha256 or "", decisions={"atrial_fibrillation": "rejected",
                                                        "sinus_tachycardia": "confirmed"},
                    added_labels=tuple(lab.id for lab in longest), final_level="D")
    # with room for two (one added finding), the confirmed one joins it, in score order
    review2 = Review(sha256=rec.sha256 or "", decisions=review.decisions,
                     added_labels=review.added_labels[:1], final_level="D")
    _pdfs(tmp_path, "ja", rec, analysis, cat, r=review, r2=review2)
    text = _sheet1(tmp_path / "r.pdf")
    assert "心房細動 0.60（要至急）*［医師否定］" in text, text
    text2 = _sheet1(tmp_path / "r2.pdf")
    assert "［医師否定］" in text2 and "洞頻脈 0.90" in text2
    assert text2.index("洞頻脈 0.90") < text2.index("心房細動 0.60")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sheet2_lists_every_caliper_or_says_how_many_more(bundled_samples: Path, tmp_path: Path,
                                                          lang):
    """QA 71: of 12 calipers sheet 2 listed [1]-[8] and said nothing of the rest; [9] and [12]
    (V5 before 7.5 s, off page 1's 3x4 layout) were on no page. Now the review column lists them
    in two columns, and past its room says how many more the JSON holds."""
    from ecg_viewer.review.model import Annotation

    rec = read_ecg(bundled_samples / "00017_hr.hea")
    cat = default_catalog()
    analysis = analysis_for(rec, cat, SCORES, MEASUREMENTS)

    def calipers(n: int) -> tuple[Annotation, ...]:
        return tuple(Annotation("time", t0_s=0.5 + 0.3 * i, t1_s=0.9 + 0.3 * i, lead="V5")
                     for i in range(n))

    twelve = Review(sha256=rec.sha256 or "", reviewer="R", annotations=calipers(12))
    many = Review(sha256=rec.sha256 or "", reviewer="R", annotations=calipers(40))
    _pdfs(tmp_path, lang, rec, analysis, cat, twelve=twelve, many=many)
    text = _sheet2(tmp_path / "twelve.pdf")
    for n, a in enumerate(twelve.annotations, start=1):
        assert f"[{n}]V5{a.t0_s:.2f}s:400ms" in text, (n, text)
    assert "ほか" not in text and "more(allintheJSON)" not in text
    text = _sheet2(tmp_path / "many.pdf")
    shown = [n for n in range(1, 41) if f"[{n}]V5" in text]
    assert shown == list(range(1, len(shown) + 1)) and 12 <= len(shown) < 40, shown
    more = (f"ほか{40 - len(shown)}件（JSONに全件）" if lang == "ja"
            else f"{40 - len(shown)}more(allintheJSON)")
    assert more in text, text
