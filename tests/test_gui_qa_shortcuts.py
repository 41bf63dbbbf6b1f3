"""F1 lists every keyboard shortcut of the window, one a line, in both languages (QA 2026-12).

Before: the list was one message text split on the full-width 「／」, so the English list was one
run-on paragraph, and it left out keys the menus define (Ctrl+Shift+E export report, Ctrl+P
print, Ctrl+Shift+O open a folder as a worklist, Ctrl+Q quit). Now it is made from the window's
actions themselves, so a key added to a menu is listed with the text of its menu item."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
NATIVE = QKeySequence.SequenceFormat.NativeText


def _window_keys(w) -> set[str]:
    return {a.shortcut().toString(NATIVE) for a in w.findChildren(QAction)
            if not a.shortcut().isEmpty()}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_f1_lists_every_shortcut_one_a_line(make_window, qtbot, lang) -> None:
    w = make_window((1366, 740), use_stored_language=False)
    w.set_language(lang)
    w.actions_["shortcuts"].trigger()
    dlg = w.shortcuts_dialog
    qtbot.waitExposed(dlg)
    rows = dlg.rows()  # (key, what it does) one a line; a section heading has no key
    keys = {k for k, _ in rows if k}
    assert {"Ctrl+Shift+E", "Ctrl+P", "Ctrl+Shift+O", "Ctrl+Q", "Ctrl+O", "F1", "F11", "J",
            "Ctrl+L"} <= keys
    assert _window_keys(w) <= keys, _window_keys(w) - keys  # every key the window has
    entries = [(k, text) for k, text in rows if k]
    assert len(entries) >= 40 and all(text.strip() for _, text in entries)
    assert all("\n" not in text and len(text) < 70 for _, text in entries), entries
    if lang == "en":
        assert not [t for _, t in rows if CJK.search(t)], rows
        assert ("Ctrl+P", "Print report…") in entries
    else:
        assert ("Ctrl+P", "レポートを印刷…") in entries
    # within the screen, the list scrolls rather than growing off it
    screen = QApplication.primaryScreen().availableGeometry()
    assert dlg.frameGeometry().height() <= screen.height()
    dlg.close()


def test_the_list_follows_a_language_switch(make_window, qtbot) -> None:
    w = make_window((1366, 740), use_stored_language=False)
    w.actions_["shortcuts"].trigger()
    dlg = w.shortcuts_dialog
    assert ("Ctrl+O", "開く…") in dlg.rows()
    w.set_language("en")
    assert ("Ctrl+O", "Open…") in dlg.rows() and dlg.windowTitle() == "Keyboard shortcuts"
    dlg.close()
