"""QA 67 finding 1: the suggestions panel at its 1366x768 size (310 x 626 px) with many long
referral reasons. In English the reasons were cut in mid-line with nothing to scroll, the
sentence saying which 10 s the AI read ("The AI's suggestions come from 4.0–14.0 s of the
record (its central 10 s)") was gone, and the findings table showed one row and a half.

Now: the reasons scroll past a few lines (every one readable), the model-window sentence is a
line of its own below them, and the table keeps at least four rows in view. The real window was
looked at under Xvfb at 1366x768 in both languages (with and without a comparison's reasons)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ecg_viewer.core.messages import Bilingual, Reason, set_language
from ecg_viewer.core.prediction import (
    Analysis,
    LabelScore,
    ModelInfo,
    Prediction,
    QualityReport,
    Referral,
    level_name,
)
from ecg_viewer.report.content import model_window_text

PANEL_W, PANEL_H = 310, 626  # the panel's size in the 1366x768 window (QA 67 screenshots)


def _analysis(n_reasons: int = 10) -> Analysis:
    from ecg_viewer.labels.catalog import default_catalog

    labels = []
    for i, lab in enumerate(list(default_catalog())[:20]):
        score = 0.9 - 0.04 * i
        labels.append(LabelScore(id=lab.id, ja=lab.ja, en=lab.en, similarity=0.4, score=score,
                                 threshold=0.5, category="D"))
    raised = [s for s in labels if s.above_threshold][:n_reasons]
    reasons = tuple(Reason.of("referral.because_label", label=Bilingual(s.ja, s.en),
                              level=level_name("D")) for s in raised)
    model = ModelInfo(app_version="0.1.0", weights_sha256="0" * 64, catalog_version="x",
                      device="cpu")
    return Analysis(file="long.hea", sha256="0" * 64, quality=QualityReport(True),
                    referral=Referral("D", tuple(s.id for s in raised), reasons),
                    prediction=Prediction(tuple(labels), model),
                    extra={"model_window_s": [4.0, 14.0]})


@pytest.fixture
def panel(qtbot):
    from ecg_viewer.gui.suggestions_panel import SuggestionsPanel

    host = QWidget()
    lay = QVBoxLayout(host)
    lay.setContentsMargins(0, 0, 0, 0)
    p = SuggestionsPanel()
    lay.addWidget(p)
    qtbot.addWidget(host)
    host.resize(PANEL_W, PANEL_H)
    host.show()
    qtbot.waitExposed(host)
    yield p  # the host stays alive with the test
    host.close()


def _within(child: QWidget, panel: QWidget) -> bool:
    top = child.mapTo(panel, child.rect().topLeft()).y()
    return child.isVisible() and top >= 0 and top + child.height() <= panel.height()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_reason_readable_the_window_sentence_kept_and_four_rows(panel, qtbot, lang):
    set_language(lang)
    a = _analysis()
    panel.show_analysis(a)
    qtbot.wait(50)
    view = panel.message
    # every reason is in the text, and the text can be scrolled to whole
    assert view.text().split("\n") == list(a.referral.reasons(lang))
    assert view.label.height() >= view.label.heightForWidth(view.label.width())
    assert view.is_scrolled() and view.verticalScrollBar().maximum() > 0
    assert view.height() <= panel.height() // 3  # the reasons no longer take the panel
    # the model-window sentence: whole, on screen, not part of what scrolls
    note = panel.window_note
    assert note.text() == model_window_text(a, lang) and note.text()
    assert _within(note, panel) and note.height() >= note.heightForWidth(note.width())
    assert note.text() not in view.text()
    # the table shows at least four findings whole
    t = panel.table
    assert _within(t, panel)
    bottoms = [t.visualItemRect(t.topLevelItem(i)).bottom() for i in range(4)]
    assert max(bottoms) <= t.viewport().height(), (bottoms, t.viewport().height())
    assert _within(panel.notice, panel)  # the safety notice is still in view


def test_a_short_reason_takes_its_own_height_and_no_window_sentence_without_one(panel, qtbot):
    set_language("en")
    a = _analysis(1)
    a = Analysis(a.file, a.sha256, a.quality, a.referral, a.prediction)  # a 10-s record
    panel.show_analysis(a)
    qtbot.wait(50)
    view = panel.message
    assert not view.is_scrolled()
    assert view.height() <= view.label.heightForWidth(view.label.width()) + 2
    assert not panel.window_note.isVisible()
    panel.show_placeholder()
    assert not panel.window_note.isVisible() and panel.message.text()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_normal_ecg_does_not_say_no_finding_is_above_threshold(panel, lang):
    """QA 70: a normal ECG's banner 「異常なし」 was followed by 「しきい値を超えた所見は
    ありません。」 right above ● 洞調律 0.94 and ● 正常心電図 0.94, in bold as above threshold.
    The line says what it means: nothing calls for follow-up or further examination."""
    set_language(lang)
    a = _analysis()
    a = Analysis(file=a.file, sha256=a.sha256, quality=a.quality, referral=Referral("A"),
                 prediction=a.prediction, extra=a.extra)
    panel.show_analysis(a)
    assert any(s.above_threshold for s in a.prediction.labels)
    text = panel.message.text()
    assert text == ("経過観察・精査の理由となる所見はありません。" if lang == "ja"
                    else "No finding calls for follow-up or further examination.")
    assert "threshold" not in text and "しきい値" not in text
    set_language("ja")
