"""The suggestions panel's message (the referral's reasons, or what the panel is doing): a
word-wrapped text as tall as it is, up to :data:`MAX_LINES` lines, then scrolled; never under
:data:`MIN_LINES` lines when it has that many.

QA 67: at 1366x768 in English, six referral reasons took the panel's height, were cut in
mid-line with nothing to scroll, and squeezed the findings table to one row."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QStyle, QWidget

MAX_LINES = 8  # the most the reasons take before they scroll (about three English reasons)
MIN_LINES = 3  # the least they give way to the table below


class ReasonsView(QScrollArea):
    """``label`` is the text; set it with ``setText`` on this view (the height follows)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.viewport().setAutoFillBackground(False)
        self.label.setAutoFillBackground(False)
        self._width = -1

    def setText(self, text: str) -> None:  # Qt's name, as the QLabel it replaces
        self.label.setText(text)
        self.updateGeometry()

    def text(self) -> str:
        return self.label.text()

    def setStyleSheet(self, sheet: str) -> None:  # the text's colour goes to the text
        self.label.setStyleSheet(sheet)

    def _line_px(self) -> int:
        return self.label.fontMetrics().lineSpacing()

    def text_height(self) -> int:
        """The text's height at this view's width (a scroll bar's width less when it scrolls)."""
        if not self.label.text():
            return 0
        w = max(self.width() - 2 * self.frameWidth(), 40)
        h = self.label.heightForWidth(w)
        if h > MAX_LINES * self._line_px():
            bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
            h = self.label.heightForWidth(max(w - bar, 40))
        return max(h, 0)

    def sizeHint(self) -> QSize:
        h = min(self.text_height(), MAX_LINES * self._line_px())
        return QSize(super().sizeHint().width(), h + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:
        h = min(self.text_height(), MIN_LINES * self._line_px())
        return QSize(0, h + 2 * self.frameWidth())

    def is_scrolled(self) -> bool:
        """Whether the text is taller than the view (a scroll bar shows)."""
        return self.text_height() > self.height() - 2 * self.frameWidth()

    def resizeEvent(self, ev: QResizeEvent) -> None:
        super().resizeEvent(ev)
        if ev.size().width() != self._width:  # the wrapped text's height follows the width
            self._width = ev.size().width()
            self.updateGeometry()
        self.verticalScrollBar().setSingleStep(self._line_px())  # the wheel: a line a step
