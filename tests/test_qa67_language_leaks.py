"""QA 67 (language across every surface), findings 2, 3 and 5-9: what the app itself wrote in
the wrong language, or a raw key / id shown to a person.

- the comparison window's median beats: no pyqtgraph menu (English) and no "A" button
- the review dock's name tooltip: the name in the language shown first, then the other one;
  no level for an unvalidated finding (the app never applies one)
- the cart's statements in the header's tooltip: "- " in English, 「・」 in Japanese
- the unexpected-error notice: no Python class name ("ValueError") in a clinician's notice
- the format as people name it ("Philips Sierra XML", "WFDB"), not the reader's id
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from ecg_viewer.core.messages import set_language, tr
from ecg_viewer.core.prediction import REFERRAL_EN, REFERRAL_JA, UNVALIDATED_THRESHOLD, LabelScore

CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def test_compare_median_beats_have_no_pyqtgraph_menu_or_button(qtbot) -> None:
    from ecg_viewer.gui.compare_view import CompareWindow

    cw = CompareWindow()
    qtbot.addWidget(cw)
    cw._draw_medians(SimpleNamespace(prior_median=None, current_median=None))
    assert len(cw.median_plots) == 12
    for lead, p in cw.median_plots.items():
        assert not p.menuEnabled() and not p.getViewBox().menuEnabled(), lead
        assert p.buttonsHidden, lead


def _fill(qtbot, s: LabelScore) -> str:
    from PySide6.QtWidgets import QTableWidget

    from ecg_viewer.gui.review_table import fill_row

    t = QTableWidget(1, 3)
    qtbot.addWidget(t)
    fill_row(t, 0, s, None, lambda *a: None)
    return t.item(0, 0).toolTip()


LATERAL = LabelScore("ischemic_st_t_lateral", "側壁の虚血性ST-T変化",
                     "ischemic ST-T changes in lateral leads", 0.4, 0.6, 0.5, "D")
DEXTRO = LabelScore("dextrocardia", "右胸心", "dextrocardia", 0.3, 0.2, UNVALIDATED_THRESHOLD, "D")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_review_tooltip_names_both_the_shown_language_first(qtbot, lang: str) -> None:
    set_language(lang)
    tip = _fill(qtbot, LATERAL)
    first, other = (LATERAL.en, LATERAL.ja) if lang == "en" else (LATERAL.ja, LATERAL.en)
    level = (REFERRAL_EN if lang == "en" else REFERRAL_JA)["D"]
    assert tip == f"{first} / {other} / {level}"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_review_tooltip_names_no_level_for_an_unvalidated_finding(qtbot, lang: str) -> None:
    set_language(lang)
    tip = _fill(qtbot, DEXTRO)
    levels = (REFERRAL_EN if lang == "en" else REFERRAL_JA).values()
    assert not any(v in tip for v in levels), tip
    assert tr("suggest.unvalidated_tip") in tip
    assert tip.startswith(f"{DEXTRO.en} / {DEXTRO.ja}" if lang == "en" else DEXTRO.ja)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_cart_statements_bullet_in_the_language_shown(qtbot, samples: Path, lang: str) -> None:
    from ecg_viewer.gui.header import HeaderWidget
    from ecg_viewer.io import read_ecg

    set_language(lang)
    rec = read_ecg(samples / "philips_xml" / "129DYPRG.xml")
    assert rec.meta.interpretation
    h = HeaderWidget()
    qtbot.addWidget(h)
    h.set_record(rec)
    lines = h.device_reading.toolTip().split("\n")
    bullets = [ln for ln in lines if ln.lstrip("-・ ") in rec.meta.interpretation]
    assert bullets
    if lang == "en":
        assert all(ln.startswith("- ") for ln in bullets)
        assert not any(CJK.search(ln) for ln in lines), lines
    else:
        assert all(ln.startswith("・") for ln in bullets)
    # the format as the header names it: the reader's label, not its id
    assert h.values["format"].text() == "Philips Sierra XML"


@pytest.mark.parametrize("key", ["ui.unexpected", "notice.compare_unexpected"])
def test_unexpected_error_notices_name_no_python_class(key: str) -> None:
    for lang in ("ja", "en"):
        text = tr(key, lang, kind="ValueError")  # a caller passing it still shows none
        assert "ValueError" not in text and "{" not in text


def test_window_catch_all_notice_has_no_class_name(make_window) -> None:
    from ecg_viewer.gui.notice_area import window_excepthook

    win = make_window((1200, 800), use_stored_language=False)
    try:
        int("x")
    except ValueError as exc:
        window_excepthook(type(exc), exc, exc.__traceback__)
    text = win.notices.messages()[-1]
    assert "予期しないエラー" in text and "ValueError" not in text and "{" not in text


def test_format_names_as_people_name_them() -> None:
    from ecg_viewer.report.content import format_name

    assert format_name("philips_xml", "en") == "Philips Sierra XML"
    assert format_name("wfdb", "ja") == "WFDB"
    assert format_name("ge_muse", "en") == "GE MUSE XML"
    assert format_name("dicom", "en") == "DICOM waveform"
    assert format_name("dicom", "ja") == "DICOM 波形"
    assert format_name("not_a_reader", "en") == "not_a_reader"  # an unknown id as it is
