"""Switching the language with an ECG open re-renders every text the window shows (QA 2026-12).

Before: after 日本語 → English the review dock kept its finding names and its 確認/否定 drop-downs
in Japanese, the status bar kept 「倍率 75%（1 mm = 2.86 画素）」, the suggestions panel kept
「AI モデル準備完了（cpu）」 and the free-text query's answer, the worklist its progress line.
The texts are rendered again from their keys and Bilingual names, never translated as strings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDockWidget,
    QLabel,
    QTabBar,
    QTableWidget,
    QTreeWidget,
)

from ecg_viewer.core.messages import set_language
from ecg_viewer.gui.elided_label import ElidedLabel

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e]")  # kana, kanji, （）


def shown_texts(w) -> dict[str, str]:
    """Every text of the window that a person can bring to the screen: labels, buttons, every
    item of every drop-down, table and tree cells and headers, dock titles, the tab bars in use,
    the status bar. Widgets hidden on purpose (``isHidden``) are left out; docks behind a tab
    are not (a click on the tab shows them as they are)."""
    out: dict[str, str] = {}

    def add(where: str, text: str) -> None:
        if text:
            out[f"{where}#{len(out)}"] = text

    for lab in w.findChildren(QLabel):
        if not lab.isHidden():
            add(f"label:{lab.objectName()}", lab.full_text() if isinstance(lab, ElidedLabel)
                else lab.text())
    for b in w.findChildren(QAbstractButton):
        if not b.isHidden():
            add("button", b.text())
    for cb in w.findChildren(QComboBox):
        if not cb.isHidden():
            for i in range(cb.count()):
                add(f"combo:{cb.objectName()}", cb.itemText(i))
    for t in w.findChildren(QTableWidget):
        for c in range(t.columnCount()):
            h = t.horizontalHeaderItem(c)
            add("table header", h.text() if h else "")
            for r in range(t.rowCount()):
                it = t.item(r, c)
                add("table cell", it.text() if it else "")
    for t in w.findChildren(QTreeWidget):
        for c in range(t.columnCount()):
            add("tree header", t.headerItem().text(c))
            for i in range(t.topLevelItemCount()):
                add("tree item", t.topLevelItem(i).text(c))
    for d in w.findChildren(QDockWidget):
        add("dock", d.windowTitle())
    for bar in w.findChildren(QTabBar):
        if bar.isVisible():
            for i in range(bar.count()):
                add("tab", bar.tabText(i))
    add("status", w.statusBar().currentMessage())
    add("title", w.windowTitle())
    return out


@pytest.fixture
def opened(make_window, qtbot, bundled_samples: Path):
    """The real window on E07509 (QRS-adjusted QTc, low-confidence marks), analysed by the
    shipped model, with a free-text query answered."""
    w = make_window((1500, 950), use_stored_language=False)
    with qtbot.waitSignal(w.flow.analysed, timeout=180000):
        w.controller.open_file(str(bundled_samples / "E07509.hea"))
    qtbot.waitUntil(lambda: w.flow.model_state == "ready", timeout=180000)
    qtbot.waitUntil(lambda: w.review_dock.panel.table.rowCount() > 0, timeout=10000)
    with qtbot.waitSignal(w.flow.queryReady, timeout=60000):
        w.panel.query_edit.setText("胸が痛い")
        w.panel.query_edit.returnPressed.emit()
    qtbot.wait(200)
    return w


def test_switching_to_english_leaves_no_japanese_and_back(opened, qtbot) -> None:
    w = opened
    before = shown_texts(w)
    assert any("倍率" in t for t in before.values())
    assert any("確認" == t for t in before.values())  # the review combos
    assert "準備完了" in w.panel.status.text() and "類似度" in w.panel.query_result.text()

    w.set_language("en")
    qtbot.wait(100)
    texts = shown_texts(w)
    # the query is quoted as it was typed
    japanese = {k: v for k, v in texts.items() if CJK.search(v.replace("'胸が痛い'", ""))}
    assert japanese == {}, japanese
    assert w.zoom_label.text().startswith("Zoom ")
    assert w.panel.status.text().startswith("AI model ready")
    assert w.panel.query_result.text().startswith("'胸が痛い': similarity")
    combo = w.review_dock.panel.table.cellWidget(0, 2)
    assert [combo.itemText(i) for i in range(combo.count())][1:] == ["Confirm", "Reject"]
    names = [w.review_dock.panel.table.item(r, 0).text()
             for r in range(w.review_dock.panel.table.rowCount())]
    assert names and not any(CJK.search(n) for n in names), names
    assert w.analysis_view.device_label.text() and not CJK.search(w.analysis_view.device_label.text())

    w.set_language("ja")
    qtbot.wait(100)
    assert w.zoom_label.text().startswith("倍率")
    assert "準備完了" in w.panel.status.text() and "類似度" in w.panel.query_result.text()
    combo = w.review_dock.panel.table.cellWidget(0, 2)
    assert combo.itemText(1) == "確認"
    # as before the round trip (a name may be wrapped at another place, the zoom differ, if
    # the columns moved)
    def same(texts):
        return sorted(v.replace("\n", "") for k, v in texts.items()
                      if not k.startswith("status") and not v.startswith("倍率"))

    assert same(shown_texts(w)) == same(before)


def test_a_decision_survives_the_switch(opened, qtbot) -> None:
    """The drop-downs are made again in the new language; the stored decision stays chosen."""
    w = opened
    combo = w.review_dock.panel.table.cellWidget(0, 2)
    combo.setCurrentIndex(1)  # confirmed: stored in the review database
    qtbot.wait(50)
    w.set_language("en")
    combo = w.review_dock.panel.table.cellWidget(0, 2)
    assert combo.currentText() == "Confirm" and combo.currentData() == "confirmed"
    set_language("ja")


def test_worklist_status_follows_the_switch(make_window, qtbot, bundled_samples,
                                                           tmp_path) -> None:
    """The worklist's progress line is rendered again (it stayed 「2 件の解析が終わりました」)."""
    folder = tmp_path / "ward"
    folder.mkdir()
    for name in ("00017_hr", "00009_hr"):
        for ext in (".hea", ".dat"):
            (folder / f"{name}{ext}").symlink_to(bundled_samples / f"{name}{ext}")
    w = make_window((1366, 740), use_stored_language=False)
    panel = w.worklist.panel
    with qtbot.waitSignal(panel.service.finished, timeout=240000):
        w.reading_desk.open_folder(folder)
    assert "解析" in panel.status.text()
    w.set_language("en")
    assert panel.status.text().startswith("2 analysed"), panel.status.text()
    w.set_language("ja")
    assert "解析" in panel.status.text()


def test_qt_standard_dialogs_follow_the_language(make_window, qtbot) -> None:
    """Qt's own buttons and file dialog in the window's language: qtbase_ja.qm (shipped with
    PySide6) is installed at start in Japanese and removed on a switch to English (OK/Cancel,
    キャンセル/閉じる; before, Qt's texts were English in Japanese mode)."""
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

    def buttons() -> list[str]:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel
                               | QDialogButtonBox.StandardButton.Close)
        return sorted(b.text().replace("&", "") for b in box.buttons())

    def file_dialog_labels() -> list[str]:
        dlg = QFileDialog(None, "x")
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog)
        texts = [lab.text() for lab in dlg.findChildren(QLabel)]
        dlg.deleteLater()
        return texts

    w = make_window((1366, 740), use_stored_language=False)
    w.set_language("ja")
    assert buttons() == ["キャンセル", "閉じる"]
    assert "ファイル名(&N):" in file_dialog_labels()
    w.actions_["shortcuts"].trigger()  # the key list's Close button
    assert w.shortcuts_dialog.buttons.buttons()[0].text().replace("&", "") == "閉じる"
    w.shortcuts_dialog.close()
    w.set_language("en")
    assert buttons() == ["Cancel", "Close"]
    assert "File &name:" in file_dialog_labels()
    w.set_language("ja")
    assert buttons() == ["キャンセル", "閉じる"]



def test_a_small_page_points_to_reading_mode() -> None:
    """QA 50: with the worklist open at 1366x768 the page was drawn at 44-48 % (1 mm < 2 px),
    too small for ST segments, and nothing on screen pointed to F11."""
    from ecg_viewer.gui.window_layout import zoom_text

    assert "F11" in zoom_text(48.0, 1.83, False) and "48%" in zoom_text(48.0, 1.83, False)
    assert "F11" not in zoom_text(48.0, 1.83, True)  # already in reading mode
    assert "F11" not in zoom_text(75.0, 2.9, False)
