"""An evidence row under a suggestion is wrapped onto up to three lines, not cut (QA 70: in the ~265-px
panel at 1366x768, E00018's 「△ QRS 軸 -44°（-90…-45°、境界域）」 read 「△ QRS 軸 -44°（-90…-45°、境…」,
so the word that says the axis misses its criterion was hidden)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecg_viewer.core.messages import set_language
from ecg_viewer.core.paths import model_weights_dir


def test_a_reason_breaks_before_its_criterion(qapp) -> None:
    from PySide6.QtGui import QFontMetrics

    from ecg_viewer.gui.elided_label import wrap_reason
    from ecg_viewer.gui.fonts import app_font

    fm = QFontMetrics(app_font(10))
    ja = "△ QRS 軸 -44°（-90…-45°、境界域）"
    en = "△ QRS axis -44° (-90…-45°; borderline)"
    assert wrap_reason(ja, fm, fm.horizontalAdvance(ja) + 2) == ja  # it fits: as it is
    for text, head, tail in ((ja, "△ QRS 軸 -44°", "（-90…-45°、境界域）"),
                             (en, "△ QRS axis -44°", "(-90…-45°; borderline)")):
        width = max(fm.horizontalAdvance(head), fm.horizontalAdvance(tail)) + 2
        assert width < fm.horizontalAdvance(text)
        assert wrap_reason(text, fm, width) == f"{head}\n{tail}"
    # the measurement alone too wide for a line: broken as any name is, the rest elided
    narrow = wrap_reason(ja, fm, fm.horizontalAdvance("△ QRS 軸") + 2)
    assert narrow.startswith("△ QRS 軸\n") and narrow.count("\n") == 2
    # a name with its own bracket: three lines, each part whole
    parts = ("○ QRS 振幅の最大", "（四肢誘導）0.13 mV", "（統合確率への寄与）")
    width = max(fm.horizontalAdvance(p) for p in parts) + 2
    assert wrap_reason("".join(parts), fm, width) == "\n".join(parts)
    assert wrap_reason("".join(parts), fm, width, lines=2).count("\n") == 1
    # a number keeps its unit: 「39 ms」 is never broken between the two
    q = "○ Q 幅（V1–V4 で 2 番目に長い Q）39 ms（統合確率への寄与）"
    width = fm.horizontalAdvance("（V1–V4 で 2 番目に長い Q）39") + 2
    assert "39\nms" not in wrap_reason(q, fm, width) and "39 ms" in wrap_reason(q, fm, width)
    # no line opens with the colon that follows a bracket
    qs = "○ 異常 Q 波（中隔誘導 V1–V2）：あり"
    width = fm.horizontalAdvance("○ 異常 Q 波（中隔誘導 V1–V2）") + 2
    assert wrap_reason(qs, fm, width) == "○ 異常 Q 波\n（中隔誘導 V1–V2）：あり"
    # nor a sign from its number
    qrs = "○ QRS 幅 158 ms（参考値。≥ 120 ms、拍の各群の値 144 ms〜160 ms でも同じ判定）"
    for cut in range(8, len(qrs)):
        got = wrap_reason(qrs, fm, fm.horizontalAdvance(qrs[:cut]) + 2)
        assert "≥\n" not in got and "158\n" not in got, got
    # no bracket: as wrap_lines breaks it, at the last space that fits
    assert wrap_reason("○ heart rate 48 bpm", fm, fm.horizontalAdvance("○ heart rate") + 2) == \
        "○ heart rate\n48 bpm"


@pytest.mark.shared_data
@pytest.mark.skipif(not (model_weights_dir() / "manifest.json").is_file(),
                    reason="no shipped weights in model_weights/")
def test_evidence_rows_of_a_narrow_panel_are_whole(qtbot, shared_data: Path) -> None:
    pytest.importorskip("torch")
    from ecg_viewer.gui.suggestions_panel import SuggestionsPanel
    from ecg_viewer.io import read_ecg
    from ecg_viewer.pipeline.analyze import Analyzer

    set_language("ja")
    a = Analyzer(device="cpu").analyze(read_ecg(shared_data / "cinc_extra" / "E00018.hea"))
    panel = SuggestionsPanel()
    qtbot.addWidget(panel)
    panel.resize(265, 700)
    panel.show()
    panel.show_analysis(a)
    qtbot.wait(50)
    t = panel.table
    rows = [t.topLevelItem(i).child(k) for i in range(t.topLevelItemCount())
            for k in range(t.topLevelItem(i).childCount())]
    assert rows
    wrapped = [r for r in rows if "\n" in r.text(0)]
    assert wrapped, [r.text(0) for r in rows]  # at 265 px some reason is longer than a line
    for r in rows:
        full = r.toolTip(0)
        shown = r.text(0)
        assert "…" not in shown or "…" in full, (shown, full)  # nothing cut
        assert shown.count("\n") <= 2 and "".join(shown.split()) == "".join(full.split())
    _no_name_cut(t)
    lafb = next((t.topLevelItem(i) for i in range(t.topLevelItemCount())
                 if t.topLevelItem(i).data(0, 0x0100) == "lafb"), None)
    if lafb is not None:  # shown with its borderline axis: the word is on the screen
        axis = [lafb.child(k).text(0) for k in range(lafb.childCount())
                if "QRS 軸" in lafb.child(k).text(0)]
        assert axis and all("境界域）" in x for x in axis if "△" in x), axis
    # English: the category wraps at its words so the finding keeps the room (QA 70: "anterose…
    # myocardial infarction", "left anterior fascicular b…")
    set_language("en")
    try:
        panel.show_analysis(a)
        qtbot.wait(50)
        _no_name_cut(t)
    finally:
        set_language("ja")


def _no_name_cut(t) -> None:
    items = [t.topLevelItem(i) for i in range(t.topLevelItemCount())]
    for it in items:
        for col in (0, 3):
            assert "…" not in it.text(col), [x.text(col) for x in items]


def test_a_name_breaks_after_a_hyphen_between_words(qapp) -> None:
    from PySide6.QtGui import QFontMetrics

    from ecg_viewer.gui.elided_label import wrap_lines
    from ecg_viewer.gui.fonts import app_font

    fm = QFontMetrics(app_font(10))
    width = fm.horizontalAdvance("non-specific") - 4  # the word is a little too wide
    assert wrap_lines("non-specific T-wave changes", fm, width, 3).startswith("non-\nspecific\n")
    # never between short parts: "ST-" / "T", "T-" / "wave"
    for name in ("ST-T abnormality", "T-wave abnormality"):
        lines = wrap_lines(name, fm, fm.horizontalAdvance(name.split()[0]) - 2, 3).split("\n")
        assert not lines[0].endswith("-"), lines


@pytest.mark.shared_data
@pytest.mark.skipif(not (model_weights_dir() / "manifest.json").is_file(),
                    reason="no shipped weights in model_weights/")
def test_the_review_list_keeps_english_names_whole(make_window, qtbot, shared_data: Path) -> None:
    """QA 70: in the review dock at 1366x768 (about 270 px) the English names read "anterose…
    myocardial infarction", "non-spec… T-wave changes": the names were wrapped with room kept
    for a scroll bar the table, as tall as its rows, never shows."""
    pytest.importorskip("torch")
    from ecg_viewer.gui.review_table import NAME_ROLE

    w = make_window((1366, 740), use_stored_language=False)
    w.set_language("en")
    with qtbot.waitSignal(w.flow.analysed, timeout=180000):
        w.controller.open_file(str(shared_data / "cinc_extra" / "E00018.hea"))
    w.review_dock.dock.setFloating(True)
    w.review_dock.dock.resize(270, 700)
    qtbot.wait(300)
    t = w.review_dock.panel.table
    assert not t.verticalScrollBar().isVisible()
    names = [t.item(i, 0) for i in range(t.rowCount())]
    full = [n.data(NAME_ROLE) for n in names]
    assert "anteroseptal myocardial infarction" in full, full
    fm = t.fontMetrics()
    for item, name in zip(names, full, strict=True):
        if all(fm.horizontalAdvance(word) <= t.columnWidth(0) - 8 for word in name.split()):
            assert "…" not in item.text(), (item.text(), t.columnWidth(0))
