"""The message table and where its texts are rendered (issue 13).

- every key is used by the code or the data (``resources/``): quoted in full, or built with an
  f-string from one of the documented :data:`DYNAMIC` prefixes whose values are written out as
  literals in the named source files;
- every template has the same placeholders in Japanese and English;
- errors and referral reasons carry (key, params) and are rendered when shown: an error raised
  in Japanese mode reads English in English mode;
- ``analyze --lang en``, ``report --lang en`` (PDF via pdftotext) and the FHIR bundle of an ECG
  whose Japanese analysis has referral reasons show those reasons in English and no Japanese.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

from ecg_viewer.core.errors import (
    EcgError,
    FileTooLargeError,
    HeaderValueError,
    user_message,
)
from ecg_viewer.core.messages import MESSAGES, Bilingual, Reason, language, set_language, tr
from ecg_viewer.core.prediction import LabelScore, level_name

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "ecg_viewer"
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")  # kana and kanji

#: keys built at run time as f"{prefix}{value}": prefix -> the files (relative to the repository)
#: where each value is written as a string literal. A key under a prefix whose value appears in
#: none of them is unused.
DYNAMIC: dict[str, tuple[str, ...]] = {
    "audit.fault.": ("ecg_viewer/review/chain.py",),  # commands/audit.py: fault.kind
    "compare.match.": ("ecg_viewer/compare/diff.py",),  # MATCH_KINDS
    "ui.short.layout.": ("ecg_viewer/signal/page.py",),  # gui/actions.py: one per layout
    "ui.short.": ("ecg_viewer/gui/actions.py",),  # gui/actions.py: the shortcut table
    "ui.layout.": ("ecg_viewer/signal/page.py",),  # gui/actions.py: LAYOUTS
    "critl.": ("ecg_viewer/signal/leadwise.py",),  # per-lead criteria fields
    "critf.": ("ecg_viewer/core/criteria_features.py", "ecg_viewer/signal/criteria.py"),
    "desk.decided.": ("ecg_viewer/review/model.py", "ecg_viewer/gui/reading_desk.py"),
    "review.ui.state.": ("ecg_viewer/review/model.py",),  # Review.state
    "worklist.col.": ("ecg_viewer/gui/worklist_panel.py",),  # the worklist columns
    "report.sex.": ("ecg_viewer/core/record.py",),  # RecordMeta.sex
    "quality.": ("ecg_viewer/signal/quality.py",),  # QualityProblem codes
}
_LITERAL = re.compile(r"""["']([A-Za-z0-9_.:-]+)["']""")


def _sources() -> dict[str, str]:
    files = [p for p in PACKAGE.rglob("*.py") if "core/msg" not in p.as_posix()]
    files += list((REPO / "resources").rglob("*.json"))
    return {p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8") for p in files}


def _prefix_of(key: str) -> str | None:
    matching = [p for p in DYNAMIC if key.startswith(p)]
    return max(matching, key=len) if matching else None


def test_every_key_is_used() -> None:
    sources = _sources()
    blob = "\n".join(sources.values())
    literals = {name: set(_LITERAL.findall(text)) for name, text in sources.items()}
    unused = []
    for key in MESSAGES:
        if f'"{key}"' in blob or f"'{key}'" in blob:
            continue
        prefix = _prefix_of(key)
        value = key[len(prefix):] if prefix else None
        if prefix is None or not any(value in literals[f] for f in DYNAMIC[prefix]):
            unused.append(key)
    assert not unused, f"message keys used nowhere (delete them or use them): {unused}"


def test_dynamic_prefixes_are_built_in_the_code() -> None:
    """The prefix list cannot hide keys: each prefix is really used to build keys."""
    blob = "\n".join(_sources().values())
    for prefix in DYNAMIC:
        nested = any(prefix.startswith(p) and p != prefix and p in blob and prefix[len(p):] in blob
                     for p in DYNAMIC)  # "ui.short." + f"layout.{v}"
        assert prefix in blob or nested, f"{prefix!r} is not used to build a key any more"
        for f in DYNAMIC[prefix]:
            assert (REPO / f).is_file(), f


def _fields(template: str) -> set[str]:
    return {name.split(".")[0].split("[")[0]
            for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_both_languages_have_the_same_placeholders() -> None:
    differ = {key: (sorted(_fields(ja)), sorted(_fields(en)))
              for key, (ja, en) in MESSAGES.items() if _fields(ja) != _fields(en)}
    assert not differ, differ


#: English texts that show Japanese on purpose
JAPANESE_IN_ENGLISH = {
    "ui.menu.language": "names both languages, so that a user in the wrong one finds the menu",
    "review.ui.search_hint": "an example of the Japanese search input",
}


def test_english_texts_are_english() -> None:
    japanese = [key for key, (_, en) in MESSAGES.items()
                if CJK.search(en) and key not in JAPANESE_IN_ENGLISH]
    assert not japanese, japanese


# --- errors rendered when shown --------------------------------------------------------------
@pytest.fixture
def lang_restored():
    before = language()
    yield
    set_language(before)


def test_error_raised_in_japanese_mode_is_english_when_shown_in_english(lang_restored) -> None:
    set_language("ja")
    try:
        raise HeaderValueError("/data/x.hea", field="fs", value="abc", expected="a number",
                               format="WFDB")
    except EcgError as exc:
        caught = exc
    set_language("en")
    shown = user_message(caught)
    assert shown == caught.message("en") and not CJK.search(shown) and "x.hea" in shown
    assert CJK.search(caught.message("ja")) and caught.message_ja == caught.message("ja")
    set_language("ja")
    assert user_message(caught) == caught.message("ja")


def test_error_keeps_key_params_and_detail_through_pickle() -> None:
    err = FileTooLargeError("/data/big.edf", size_bytes=3 * 2**30, limit_bytes=2**31)
    err.detail = "probe"
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is FileTooLargeError and back.key == "read.too_large"
    assert back.params == err.params and back.size_bytes == err.size_bytes
    for lang in ("ja", "en"):  # the detail goes into both languages
        assert back.message(lang) == err.message(lang) and back.message(lang).endswith("[probe]")
    assert str(back) == back.message("en")


def test_wrapping_error_says_the_same() -> None:
    from ecg_viewer.model.errors import WeightsError
    from ecg_viewer.pipeline.batch import BatchAbort

    inner = WeightsError("model.weights_hash", file="ecg_encoder.safetensors")
    outer = pickle.loads(pickle.dumps(BatchAbort.wrapping(inner)))
    assert isinstance(outer, BatchAbort)
    assert outer.message("ja") == inner.message("ja") and outer.message("en") == inner.message("en")


def test_unknown_key_is_refused() -> None:
    with pytest.raises(KeyError):
        EcgError("no.such.key")
    with pytest.raises(KeyError):
        Reason.of("no.such.key")


def test_referral_reasons_are_rendered_in_either_language() -> None:
    from ecg_viewer.labels.referral import decide_referral

    afib = LabelScore("atrial_fibrillation", "心房細動", "atrial fibrillation", 0.4, 0.9, 0.5, "D")
    ref = decide_referral([afib], {"qtc_fridericia_ms": 470.0})
    assert ref.reasons_ja and all(CJK.search(r) for r in ref.reasons("ja"))
    assert ref.reasons("en") and not any(CJK.search(r) for r in ref.reasons("en"))
    d = ref.to_dict()
    assert d["reasons_ja"] == list(ref.reasons("ja")) and d["reasons_en"] == list(ref.reasons("en"))
    reason = Reason.of("referral.because_label", label=Bilingual("心房細動", "atrial fibrillation"),
                       level=level_name("D"))
    assert reason.text("en") == tr("referral.because_label", "en", label="atrial fibrillation",
                                   level="Further examination needed")


# --- the English outputs of a real ECG with referral reasons ---------------------------------
SAMPLE = ("wfdb_cinc2021", "E07509.hea")  # complete RBBB, sinus bradycardia, wide QRS: reasons


def _run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "2",
           "ECG_VIEWER_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "ecg_viewer", *args], cwd=REPO, text=True,
                          capture_output=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def english_outputs(samples: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    ecg = samples.joinpath(*SAMPLE)
    if not ecg.exists():
        pytest.skip(f"{ecg} is not in the shared data")
    out = tmp_path_factory.mktemp("en")
    report = _run_cli(out, "--lang", "en", "report", "--no-review", "--device", "cpu",
                      "--out", str(out / "r.pdf"), "--json", str(out / "r.json"),
                      "--fhir", str(out / "r.fhir.json"), str(ecg))
    assert report.returncode == 0, report.stderr
    analyze = _run_cli(out, "--lang", "en", "analyze", "--device", "cpu", str(ecg))
    assert analyze.returncode == 0, analyze.stderr
    pdf = subprocess.run(["pdftotext", "-layout", str(out / "r.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout
    return {"json": json.loads((out / "r.json").read_text(encoding="utf-8")),
            "fhir": json.loads((out / "r.fhir.json").read_text(encoding="utf-8")),
            "pdf": pdf, "analyze": analyze.stdout}


def test_the_sample_has_japanese_reasons(english_outputs: dict) -> None:
    ref = english_outputs["json"]["referral"]
    assert ref["reasons_ja"] and all(CJK.search(r) for r in ref["reasons_ja"])
    assert len(ref["reasons_en"]) == len(ref["reasons_ja"])


def test_analyze_lang_en_prints_english_reasons(english_outputs: dict) -> None:
    text = english_outputs["analyze"]
    referral_lines = [line for line in text.splitlines() if line.startswith("Referral:")]
    assert len(referral_lines) == 1
    for reason in english_outputs["json"]["referral"]["reasons_en"]:
        assert reason in referral_lines[0]
    assert not CJK.search(referral_lines[0])
    assert not CJK.search(text), [line for line in text.splitlines() if CJK.search(line)]


def _prefix(text: str) -> str:
    """The start of a reason as pdftotext gives it back (up to the first non-ASCII sign)."""
    return re.split(r"[^\x20-\x7e]", text)[0][:40].strip()


def test_english_pdf_has_english_reasons_and_no_japanese(english_outputs: dict) -> None:
    pdf = re.sub(r"[ \t]+", " ", english_outputs["pdf"])
    for reason in english_outputs["json"]["referral"]["reasons_en"]:
        assert len(_prefix(reason)) >= 10 and _prefix(reason) in pdf, reason
    for reason in english_outputs["json"]["referral"]["reasons_ja"]:
        assert reason[:8] not in pdf
    assert not CJK.search(pdf), [line for line in pdf.splitlines() if CJK.search(line)]


def _display_texts(node: object, key: str = "") -> list[str]:
    if isinstance(node, dict):
        return [t for k, v in node.items() if k != "data" for t in _display_texts(v, k)]
    if isinstance(node, list):
        return [t for v in node for t in _display_texts(v, key)]
    if isinstance(node, str) and key in ("text", "display", "conclusion", "valueString", "title"):
        return [node]
    return []


def test_english_fhir_display_texts_are_english(english_outputs: dict) -> None:
    texts = _display_texts(english_outputs["fhir"])
    assert texts and not [t for t in texts if CJK.search(t)]
    conclusion = next(t for t in texts if t.startswith(tr("report.fhir.conclusion", "en",
                                                          labels="")[:10]))
    assert conclusion
    for reason in english_outputs["json"]["referral"]["reasons_en"]:
        assert any(reason in t for t in texts), reason


def test_japanese_fhir_display_texts_are_japanese(samples: Path) -> None:
    from ecg_viewer.io import read_ecg
    from ecg_viewer.labels.catalog import default_catalog
    from ecg_viewer.report.content import ReportContent
    from ecg_viewer.report.fhir import build_bundle
    from tests.report_fixtures import MEASUREMENTS, analysis_for

    rec = read_ecg(samples / "ge_muse" / "synthetic_muse.xml")
    cat = default_catalog()
    analysis = analysis_for(rec, cat, {"atrial_fibrillation": 0.83}, MEASUREMENTS)
    content = ReportContent(rec, analysis, None, catalog=cat)
    ja = build_bundle(content, lang="ja")
    en = build_bundle(content, lang="en")
    reason_ja, reason_en = analysis.referral.reasons("ja")[0], analysis.referral.reasons("en")[0]
    assert any(reason_ja in t for t in _display_texts(ja))
    assert any(reason_en in t for t in _display_texts(en))
    assert not [t for t in _display_texts(en) if CJK.search(t)]
    # each finding's note (score, category, who stated it) is in the report's language too: it
    # once read "AI score 0.83 (category D); AI suggestion, not reviewed" in a Japanese bundle
    notes = {lang: [n["text"] for e in bundle["entry"] for n in e["resource"].get("note", [])
                    if "心房細動" in json.dumps(e["resource"], ensure_ascii=False)
                    or "atrial fibrillation" in json.dumps(e["resource"])]
             for lang, bundle in (("ja", ja), ("en", en))}
    assert notes["ja"] and notes["en"]
    # (AF at the fixture's 112/min: a rapid ventricular response, 要至急 since 2026-12-06)
    assert any(n.startswith("AI スコア 0.83（区分 要至急）／AI の提案（医師未確認）")
               for n in notes["ja"]), notes["ja"]
    assert not [n for n in notes["ja"] if re.search(r"\b(score|category|reviewed)\b", n)]
    assert any(n.startswith("AI score 0.83 (category Urgent referral); "
                            "AI suggestion, not reviewed") for n in notes["en"]), notes["en"]


def test_docks_show_reasons_in_the_current_language(qtbot, lang_restored) -> None:
    """The suggestion strip and the suggestions dock render the reasons when they are shown."""
    from ecg_viewer.core.prediction import Analysis, QualityReport
    from ecg_viewer.gui.suggestion_strip import SuggestionStrip
    from ecg_viewer.gui.suggestions_panel import SuggestionsPanel
    from ecg_viewer.labels.referral import decide_referral

    afib = LabelScore("atrial_fibrillation", "心房細動", "atrial fibrillation", 0.4, 0.9, 0.5, "D")
    set_language("ja")  # made in Japanese mode ...
    analysis = Analysis("x.hea", None, QualityReport(True),
                        decide_referral([afib], {"qrs_ms": 150.0}), prediction=None)
    strip, panel = SuggestionStrip(), SuggestionsPanel()
    qtbot.addWidget(strip)
    qtbot.addWidget(panel)
    for lang in ("en", "ja"):  # ... shown in either
        set_language(lang)
        strip.show_analysis(analysis)
        panel.show_analysis(analysis)
        for reason in analysis.referral.reasons(lang):
            assert reason in strip.full_text() and reason in panel.message.text()
        shown = " ".join((strip.full_text(), panel.message.text(), panel.banner.text()))
        assert bool(CJK.search(shown)) is (lang == "ja"), shown


def test_batch_csv_rows_follow_the_language() -> None:
    from ecg_viewer.core.prediction import Analysis, QualityReport
    from ecg_viewer.labels.referral import decide_referral
    from ecg_viewer.report.batch_output import csv_row
    from ecg_viewer.signal.quality import _problem

    problem = _problem("flat", ("V3",))
    quality = QualityReport(False, (problem,))
    row = Analysis("x.hea", None, quality, decide_referral([], None, quality)).to_dict()
    assert csv_row(row, "en")["quality_problems"] == problem.text("en")
    assert csv_row(row, "ja")["quality_problems"] == problem.text("ja")
    # the referral and the top label in both languages, whichever is current (a run in
    # English reads English columns; the _ja columns stay for the systems that read them)
    for lang in ("en", "ja"):
        out = csv_row(row, lang)
        assert out["referral_en"] == row["referral"]["en"] and not CJK.search(out["referral_en"])
        assert out["referral_ja"] == row["referral"]["ja"] and CJK.search(out["referral_ja"])
    error = {"file": "x.hea", "error": "The file is empty", "error_ja": "ファイルが空です"}
    assert csv_row(error, "en")["error"] == "The file is empty"
    assert csv_row(error, "ja")["error"] == "ファイルが空です"


def test_paren_writes_a_note_as_each_language_does() -> None:
    """One way to add a parenthetical note (the low-confidence mark, a referral level, a reason)
    in the window, the PDF and the comparison view: full-width right after the text in Japanese,
    ASCII after a space in English."""
    from ecg_viewer.core.messages import paren

    assert "QRS 158 ms" + paren(tr("meas.conf_low_mark", "ja"), "ja") == "QRS 158 ms（参考値）"
    assert "QRS 158 ms" + paren(tr("meas.conf_low_mark", "en"), "en") == "QRS 158 ms (low confidence)"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_fhir_conclusion_says_who_states_each_finding(samples: Path, lang: str) -> None:
    """QA 2026-12-06: a reviewed case's conclusion listed the physician's confirmed and added
    findings under 「AI による所見候補（参考）」. The physician's findings have their own line;
    the AI's line keeps only the suggestions not decided; a rejected one is in neither."""
    from ecg_viewer.io import read_ecg
    from ecg_viewer.labels.catalog import default_catalog
    from ecg_viewer.report.content import ReportContent
    from ecg_viewer.report.fhir import build_bundle
    from ecg_viewer.review.model import Review
    from tests.report_fixtures import MEASUREMENTS, analysis_for

    rec = read_ecg(samples / "ge_muse" / "synthetic_muse.xml")
    cat = default_catalog()
    analysis = analysis_for(rec, cat, {"atrial_fibrillation": 0.83, "lvh": 0.7,
                                       "sinus_tachycardia": 0.75}, MEASUREMENTS)
    review = Review(sha256=rec.sha256 or "", decisions={"atrial_fibrillation": "confirmed",
                                                        "sinus_tachycardia": "rejected"},
                    added_labels=("brugada",))
    content = ReportContent(rec, analysis, review, catalog=cat)
    bundle = build_bundle(content, lang=lang)
    report = next(e["resource"] for e in bundle["entry"]
                  if e["resource"]["resourceType"] == "DiagnosticReport")
    lines = report["conclusion"].split("\n")
    name = {i: (cat.by_id(i).ja if lang == "ja" else cat.by_id(i).en)
            for i in ("atrial_fibrillation", "lvh", "sinus_tachycardia", "brugada")}
    physician = [t for t in lines if t.startswith(tr("report.fhir.conclusion_physician", lang,
                                                     labels=""))]
    ai = [t for t in lines if t.startswith(tr("report.fhir.conclusion", lang, labels=""))]
    assert len(physician) == 1 and len(ai) == 1, lines
    assert name["atrial_fibrillation"] in physician[0] and name["brugada"] in physician[0]
    assert name["lvh"] in ai[0] and name["atrial_fibrillation"] not in ai[0]
    assert name["sinus_tachycardia"] not in report["conclusion"]
