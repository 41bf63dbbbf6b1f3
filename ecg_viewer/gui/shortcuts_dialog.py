"""F1: every keyboard shortcut of the window, one a line, grouped by the menu that holds it.

The list is made from the window's actions themselves (the menu bar walked in order, then the
keys that are on the toolbar or only on the keyboard), so a key added to a menu is listed with
the text of its menu item, in the language shown. It had been one message text split on the
full-width 「／」: the English list was one run-on paragraph, and it left out Ctrl+Shift+E,
Ctrl+P, Ctrl+Shift+O and Ctrl+Q.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QAction, QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ecg_viewer.core.messages import tr

_MNEMONIC = re.compile(r"\(&\w\)|&(?=\S)")  # "ファイル(&F)" -> "ファイル", "&File" -> "File"


def _plain(text: str) -> str:
    """A menu's or action's text without its keyboard mnemonic."""
    return _MNEMONIC.sub("", text).replace("&&", "&")


def _key(action: QAction) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def key_list(win: QMainWindow) -> list[tuple[str, str]]:
    """(key, what it does) of every action of ``win`` with a shortcut, in menu order; a section
    heading (the menu's title) is ("", title)."""
    rows: list[tuple[str, str]] = []
    seen: set[int] = set()

    def walk(menu: QMenu) -> list[tuple[str, str]]:
        found = []
        for a in menu.actions():
            if a.menu() is not None:
                found += walk(a.menu())  # a submenu's keys under its top menu
            elif not a.shortcut().isEmpty() and id(a) not in seen:
                seen.add(id(a))
                found.append((_key(a), _plain(a.text())))
        return found

    for top in win.menuBar().actions():
        if top.menu() is not None and (found := walk(top.menu())):
            rows.append(("", _plain(top.menu().title())))
            rows.extend(found)
    # on the toolbar or only on the keyboard (filter toggles B N L, S, G, Esc ...)
    rest = [(_key(a), _plain(a.text())) for a in win.findChildren(QAction)
            if not a.shortcut().isEmpty() and id(a) not in seen]
    if rest:
        rows.append(("", tr("ui.keys.other")))
        rows.extend(rest)
    return rows


class ShortcutsDialog(QDialog):
    """The key list of ``win`` as a two-column table (scrolls where the screen is short); not
    modal, so it can stay open beside the ECG. ``refresh()`` re-reads it (a language switch)."""

    def __init__(self, win: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or win)
        self.win = win
        self.table = QTableWidget(0, 2)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.buttons)
        self.refresh()

    def refresh(self) -> None:
        self.setWindowTitle(_plain(tr("ui.action.shortcuts")))
        self.table.setHorizontalHeaderLabels([tr("ui.keys.col_key"), tr("ui.keys.col_action")])
        rows = key_list(self.win)
        self.table.setRowCount(len(rows))
        self.table.clearSpans()
        bold = QFont(self.table.font())
        bold.setBold(True)
        for i, (key, text) in enumerate(rows):
            if not key:  # a section heading across both columns
                item = QTableWidgetItem(text)
                item.setFont(bold)
                self.table.setItem(i, 0, item)
                self.table.setItem(i, 1, QTableWidgetItem(""))
                self.table.setSpan(i, 0, 1, 2)
            else:
                self.table.setItem(i, 0, QTableWidgetItem(key))
                self.table.setItem(i, 1, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        # as tall as the list, but within the screen (the table scrolls there)
        avail = (self.win.screen() or QGuiApplication.primaryScreen()).availableGeometry()
        width = self.table.horizontalHeader().length() + 2 * self.table.frameWidth() + 40
        height = self.table.verticalHeader().length() + self.table.horizontalHeader().height() \
            + self.buttons.sizeHint().height() + 60
        self.resize(min(max(width, 420), avail.width() - 40), min(height, avail.height() - 80))

    def rows(self) -> list[tuple[str, str]]:
        """What the table shows: (key, text); a heading has no key."""
        out = []
        for i in range(self.table.rowCount()):
            key, text = self.table.item(i, 0), self.table.item(i, 1)
            if self.table.columnSpan(i, 0) > 1:
                out.append(("", key.text() if key else ""))
            else:
                out.append((key.text() if key else "", text.text() if text else ""))
        return out

    def show_list(self) -> None:
        self.refresh()
        self.show()
        self.raise_()
        self.activateWindow()

