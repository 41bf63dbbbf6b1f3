"""The review dock's table of suggestions: one row per suggestion (its name wrapped to the
column, its score with ★ at or above its threshold, the physician's decision in a drop-down)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics
from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QTableWidget, QTableWidgetItem, QWidget

from ecg_viewer.core.messages import language, tr
from ecg_viewer.core.prediction import REFERRAL_EN, REFERRAL_JA, Analysis, LabelScore
from ecg_viewer.gui.elided_label import column_room, wrap_lines
from ecg_viewer.labels.evidence import score_text
from ecg_viewer.labels.referral import shown_level

DECISIONS = (None, "confirmed", "rejected")
NAME_ROLE = Qt.ItemDataRole.UserRole + 2  # a suggestion's name, unwrapped
TABLE_MIN_PX, TABLE_MAX_PX = 150, 520  # the suggestions' table: its rows in view up to this
_DECISION_KEYS = {None: "review.ui.undecided", "confirmed": "review.ui.confirm",
                  "rejected": "review.ui.reject"}


def fill_row(table: QTableWidget, i: int, s: LabelScore, analysis: Analysis | None,
             decide: Callable[[str, str | None], Any]) -> None:
    """Row ``i`` for suggestion ``s`` in the language of the moment; ``decide(label_id,
    decision)`` is called when its drop-down changes."""
    unvalidated = s.unvalidated  # no validated threshold: ranked, never flagged
    ja = language() == "ja"
    name = QTableWidgetItem((s.ja if ja else s.en)
                            + (tr("suggest.unvalidated_mark") if unvalidated else ""))
    name.setData(NAME_ROLE, name.text())  # unwrapped (wrap_names)
    shown = shown_level(s, analysis)
    level = (REFERRAL_JA if ja else REFERRAL_EN).get(shown, shown)
    # the whole name in the language shown, then the other one, as the suggestions panel does;
    # an unvalidated finding raises no level, so none is named (QA 67)
    names = f"{s.ja} / {s.en}" if ja else f"{s.en} / {s.ja}"
    name.setToolTip(f"{names}\n{tr('suggest.unvalidated_tip')}" if unvalidated
                    else f"{names} / {level}")
    if unvalidated:
        name.setForeground(QBrush(QColor("#888888")))
    table.setItem(i, 0, name)
    # a finding shown from its measurements: 「計測」, its model score on hover (QA 63)
    score = QTableWidgetItem(score_text(s, short=True) + (" ★" if s.above_threshold else ""))
    score.setToolTip(tr("review.ui.score_tip") if s.measured_score is None else
                     tr("evid.shown_by_measurements", value=s.measured_score))
    table.setItem(i, 1, score)
    combo = chosen_not_scrolled(QComboBox())
    for d in DECISIONS:
        combo.addItem(tr(_DECISION_KEYS[d]), d)
    combo.currentIndexChanged.connect(
        lambda _i, c=combo, label_id=s.id: decide(label_id, c.currentData()))
    combo.setObjectName(f"decision:{s.id}")
    table.setCellWidget(i, 2, combo)


def wrap_names(t: QTableWidget) -> None:
    """Each finding's name on up to three lines of its column's width, the rows as tall. The
    table is made as tall as its rows up to ``TABLE_MAX_PX``: within that it shows no scroll bar,
    so the names are wrapped without room kept for one ("anterose… myocardial infarction" at
    1366x768 in English, QA 70); past it, again with that room."""
    for bar in (False, True):
        width = column_room(t, t.columnWidth(1) + t.columnWidth(2), 8, bar=bar)
        if width < 30:
            return
        for i in range(t.rowCount()):
            item = t.item(i, 0)
            full = item.data(NAME_ROLE) if item is not None else None
            if full:
                text = wrap_lines(full, QFontMetrics(item.font()), width, 3)
                if text != item.text():
                    item.setText(text)
        t.resizeRowsToContents()
        # every row in view (the panel scrolls in its dock): the last row had been cut off
        rows = sum(t.rowHeight(i) for i in range(t.rowCount()))
        whole = rows + t.horizontalHeader().height() + 2 * t.frameWidth()
        t.setMinimumHeight(max(TABLE_MIN_PX, min(whole, TABLE_MAX_PX)))
        if whole <= TABLE_MAX_PX:
            return


class _ChosenNotScrolled(QObject):
    """A closed drop-down of the review changes only when it is opened and an item chosen: the
    arrow keys and the wheel on it do nothing. Each step had been stored: ↓ ↓ on 要至急 saved
    要精査, then 要経過観察, two audit rows, past the second press W/E ask for on a flagged case
    (QA 72); a wheel turned while scrolling the dock changed a decision. Space, Alt+↓ or a click
    open it; there the arrow keys move and Enter chooses."""

    _KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown,
             Qt.Key.Key_Home, Qt.Key.Key_End)

    def eventFilter(self, obj: Any, ev: Any) -> bool:
        if ev.type() == QEvent.Type.Wheel:
            return True
        if ev.type() == QEvent.Type.KeyPress and ev.key() in self._KEYS \
                and not ev.modifiers() & Qt.KeyboardModifier.AltModifier:
            return True
        return super().eventFilter(obj, ev)


def chosen_not_scrolled(combo: QComboBox) -> QComboBox:
    """``combo`` changed only by opening it and choosing (:class:`_ChosenNotScrolled`)."""
    combo.installEventFilter(_ChosenNotScrolled(combo))
    return combo


class _EscapeLeaves(QObject):
    """Esc in a text box gives the keys back to the ECG page (the ``view`` of the window the box
    lives in, a floating dock's too), as Tab moves on: the arrow keys scroll the record again
    (QA 69: Esc stayed in the comment box)."""

    def eventFilter(self, obj: Any, ev: Any) -> bool:
        kinds = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
        if ev.type() in kinds and ev.key() == Qt.Key.Key_Escape:
            w = obj
            while w is not None and not isinstance(getattr(w, "view", None), QWidget):
                w = w.parentWidget()
            if w is None:
                return False
            # the window's own Esc (cancel a caliper) is a shortcut: it would take the key first
            if ev.type() == QEvent.Type.ShortcutOverride:
                ev.accept()
                w.activateWindow()
                w.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        return super().eventFilter(obj, ev)


def comment_box() -> QPlainTextEdit:
    """The review's comment box: a few lines high; Tab goes on to the save button, not into the
    text; Esc goes back to the ECG."""
    box = QPlainTextEdit()
    box.setMaximumHeight(90)
    box.setTabChangesFocus(True)
    box.installEventFilter(_EscapeLeaves(box))
    return box
