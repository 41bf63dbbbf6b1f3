"""The confidence of the intervals on screen (offscreen Qt): the median-beat dock names it under
the plots and draws the points of a low-confidence interval pale and dotted; the header greys
the value with （参考値） and gives the reason on hover."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ecg_viewer.core.messages import tr
from ecg_viewer.signal.measure import measure
from ecg_viewer.signal.synthetic import synthetic

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def test_dock_shows_confidence_and_pale_low_confidence_points(qtbot) -> None:
    from ecg_viewer.gui.median_beat import MARKS, MedianBeatPanel

    panel = MedianBeatPanel()
    qtbot.addWidget(panel)
    good = measure(synthetic())
    panel.set_measurements(good)
    text = panel.confidence.text()
    assert text.startswith(tr("meas.conf_label")) and "QT" in text and "QRS" in text
    styles = {ln.pen.style() for lines in panel.mark_lines.values() for ln in lines}
    assert styles == {Qt.PenStyle.DashLine}

    low_t = measure(synthetic(t_gain=0.08))  # a T wave of 0.08 x normal: QT low confidence
    assert "qt_ms" in low_t.low_confidence
    panel.set_measurements(low_t)
    assert low_t.confidence_text("qt_ms") in panel.confidence.text()
    t_end_index = list(MARKS).index("t_end")
    for lines in panel.mark_lines.values():
        assert lines[t_end_index].pen.style() == Qt.PenStyle.DotLine
        assert lines[0].pen.style() == Qt.PenStyle.DashLine  # P onset: confident
    panel.set_measurements(None)
    assert panel.confidence.text() == ""


def test_header_greys_a_low_confidence_value_with_its_reason(qtbot) -> None:
    from ecg_viewer.gui.header import HeaderWidget

    header = HeaderWidget()
    qtbot.addWidget(header)
    d = measure(synthetic(t_gain=0.08)).to_dict()
    header.set_measurements(d)
    qt = header.meas_labels["qt"]
    assert tr("meas.conf_low_mark") in qt.text()
    assert "#999" in qt.styleSheet()
    assert tr(d["confidence_reasons"]["qt_ms"]) in qt.toolTip()
    pr = header.meas_labels["pr"]
    assert tr("meas.conf_low_mark") not in pr.text() and pr.styleSheet() == ""


def test_header_mark_is_spaced_in_english(qtbot) -> None:
    """English: "QT/QTc 520/… ms (low confidence)" with a space, as the PDF prints it; Japanese:
    the full-width （参考値） right after the value."""
    from ecg_viewer.core.messages import language, set_language
    from ecg_viewer.gui.header import HeaderWidget

    d = measure(synthetic(t_gain=0.08)).to_dict()
    before = language()
    try:
        for lang, want in (("en", " (low confidence)"), ("ja", "ms（参考値）")):
            set_language(lang)
            header = HeaderWidget()
            qtbot.addWidget(header)
            header.set_measurements(d)
            assert want in header.meas_labels["qt"].text(), (lang, header.meas_labels["qt"].text())
    finally:
        set_language(before)
