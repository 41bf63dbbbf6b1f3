"""One non-modal notice area for everything that failed (files that would not open, exports,
unexpected errors): a strip with the latest message, a count and a "details" list. It never
opens a window or a message box, so opening many bad files quickly leaves one strip, not a stack
of boxes; the list keeps the latest :data:`MAX_NOTICES`.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import weakref
from collections import deque
from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from ecg_viewer.core.crash_log import write_crash_log
from ecg_viewer.core.messages import language, tr
from ecg_viewer.gui.elided_label import ElidedLabel

log = logging.getLogger(__name__)

MAX_NOTICES = 200
#: a notice: its text, or a function of the language ("ja"/"en") that renders it
NoticeText = str | Callable[[str], str]
#: a path's folders (what a notice can lose first: the file's name stays)
_FOLDERS = re.compile(r"(?:[A-Za-z]:)?[\\/](?:[^\s\\/（）()「」:]+[\\/])+")


def short_paths(text: str) -> str:
    """``text`` with every path's folders written as "…/": 「…/trunc.hea（検出: …）」."""
    return _FOLDERS.sub("…/", text)


class NoticeArea(QFrame):
    """``notify(text)`` adds a notice; hidden until the first one."""

    changed = Signal(int)  # number of notices

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeArea")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#noticeArea { background: #fff4e5; border: 1px solid #f0b46a; }")
        # (time, text or a function of the language that renders it, bound to the open record)
        self._items: deque[tuple[str, NoticeText, bool]] = deque(maxlen=MAX_NOTICES)
        self.total = 0
        # up to two lines at the strip's width, broken between words, the second one elided at
        # its end, a path's folders left out first: the start says what went wrong and the
        # detail follows (a middle elision had cut the file it names: 「検出: t…t に 40 サンプル」);
        # the whole text: the tooltip and the details list
        self.latest = ElidedLabel(auto_tooltip=False, shrink_to_zero=True, lines=2,
                                  shorter=short_paths)
        self.latest.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count_label = QLabel()
        self.details_button = QPushButton()
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._show_details)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self.clear)
        self.details = QListWidget()
        self.details.setVisible(False)
        self.details.setMaximumHeight(160)
        row = QHBoxLayout()
        row.setContentsMargins(6, 2, 6, 2)
        row.setSpacing(12)  # the count apart from the message's last word
        row.addWidget(self.latest, 1)
        row.addWidget(self.count_label)
        row.addWidget(self.details_button)
        row.addWidget(self.clear_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(row)
        lay.addWidget(self.details)
        self.retranslate()
        self.setVisible(False)
        _register(self)

    @property
    def count(self) -> int:
        """Notices since the last clear (the list keeps the latest MAX_NOTICES)."""
        return self.total

    def messages(self) -> list[str]:
        return [_render(text) for _, text, _bound in self._items]

    def notify(self, text: NoticeText, *, record_bound: bool = False) -> None:
        """Add a notice (one line shown; the full text in the details list). ``text``: a string,
        or a function of the language that renders it, so that a language switch re-renders it
        (QA 50: the notices stayed Japanese in English). ``record_bound``: it concerns the ECG
        on screen (its comparison, a file that did not replace it), so the strip is put away
        when another ECG opens (:meth:`record_changed`; QA 50: 「選んだファイルは別の患者の心電図
        です」 stayed above every ECG opened after it); the details list keeps it."""
        stamp = datetime.now().strftime("%H:%M:%S")
        self._items.append((stamp, text, record_bound))
        self.total += 1
        self._show_latest()
        self.details.addItem(f"{stamp}  {_render(text)}")
        while self.details.count() > MAX_NOTICES:
            self.details.takeItem(0)
        self.details.scrollToBottom()
        self._update_count()
        self.setVisible(True)
        self.changed.emit(self.total)

    def record_changed(self) -> None:
        """Another ECG is on screen: a strip that shows a notice about the previous one goes."""
        if self._items and self._items[-1][2] and self.isVisible():
            self.details_button.setChecked(False)
            self.setVisible(False)

    def _show_latest(self) -> None:
        text = _render(self._items[-1][1]) if self._items else ""
        self.latest.setText(text.splitlines()[0] if text else "")
        self.latest.setToolTip(text)

    def clear(self) -> None:
        self._items.clear()
        self.details.clear()
        self.total = 0
        self.details_button.setChecked(False)
        self.setVisible(False)
        self.changed.emit(0)

    def retranslate(self) -> None:
        self.details_button.setText(tr("notice.details"))
        self.clear_button.setText(tr("notice.clear"))
        self.details.setToolTip(tr("notice.title"))
        self._update_count()
        # the notices given as functions of the language, in the new one
        shown = list(self._items)[-self.details.count():] if self.details.count() else []
        for row, (stamp, text, _bound) in enumerate(shown):
            self.details.item(row).setText(f"{stamp}  {_render(text)}")
        self._show_latest()

    def _update_count(self) -> None:
        self.count_label.setText(tr("ui.notice.count_one") if self.total == 1
                                 else tr("notice.count", n=self.total))

    def _show_details(self, on: bool) -> None:
        self.details.setVisible(on)


def _render(text: NoticeText) -> str:
    return text if isinstance(text, str) else text(language())


class ElidingStatusBar(QStatusBar):
    """A status bar whose messages are cut (…) before the permanent fields instead of running
    under them (QA 50: 「…/tmp/qa50/wl/healforc9/10 件目」); the whole message is its tooltip
    and :meth:`currentMessage`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._until: float | None = None  # when the message goes (monotonic seconds)
        self.messageChanged.connect(self._changed)

    def showMessage(self, text: str, timeout: int = 0) -> None:
        self._full = text
        self._until = time.monotonic() + timeout / 1000.0 if timeout > 0 else None
        self._show_cut(timeout)

    def _show_cut(self, timeout: int) -> None:
        text = self._full
        # every permanent field as wide as it asks to be: a field whose text grew since the
        # last layout (the case counter set as the case opened) has not been widened yet
        room = self.width() - sum(max(w.width(), w.sizeHint().width()) + 8
                                  for w in self.findChildren(QWidget)
                                  if w.isVisible() and w.parent() is self) - 24
        shown = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, room) \
            if room > 40 else text
        self.setToolTip(text if shown != text else "")
        super().showMessage(shown, timeout)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The message cut again to the new width, for the time it has left (QA 53: cut while
        the window was narrow, it stayed cut after it was widened)."""
        super().resizeEvent(event)
        self._recut()

    def event(self, event: QEvent) -> bool:
        """A permanent field shown, hidden or grown (a new layout) cuts the message again (QA 69:
        the case counter, set after 「…を開きました（…）」 came, ran over its end)."""
        done = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            QTimer.singleShot(0, self._recut)
        return done

    def _recut(self) -> None:
        if self._full and super().currentMessage():
            left = 0 if self._until is None else int((self._until - time.monotonic()) * 1000)
            if self._until is None or left > 0:
                self._show_cut(left)

    def currentMessage(self) -> str:
        return self._full if super().currentMessage() else ""

    def _changed(self, text: str) -> None:
        if not text:  # the message timed out or was cleared
            self._full = ""
            self.setToolTip("")


# --- the window's catch-all ----------------------------------------------------------------------
_latest: weakref.ReferenceType[NoticeArea] | None = None


def _register(area: NoticeArea) -> None:
    global _latest
    _latest = weakref.ref(area)


def window_excepthook(kind: type[BaseException], exc: BaseException,
                      tb: TracebackType | None) -> None:
    """``sys.excepthook`` of the window: anything unexpected (an exception in a slot) becomes
    one notice and a traceback in the error log, never a traceback on the terminal; the window
    keeps running."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    if exc.__traceback__ is None and tb is not None:
        exc = exc.with_traceback(tb)
    path = write_crash_log(exc, "window")
    log.error("unexpected %s in the window; traceback in %s", kind.__name__, path)
    area = _latest() if _latest is not None else None
    if area is not None:
        try:
            area.notify(lambda lang: tr("ui.unexpected", lang))
            return
        except RuntimeError:  # the window is gone
            log.warning("the window's notice area is gone; the error goes to stderr")
    print(tr("cli.unexpected", kind=kind.__name__, log=path), file=sys.stderr)


def install_window_excepthook() -> None:
    sys.excepthook = window_excepthook
