"""A one-line label that never widens the window: it asks for its whole text's width, takes less
when the window has less to give, and then shows the text with "…" in its middle (the whole
text on hover). A plain QLabel asks for its whole width as its minimum, so one long file name,
device string or error message made the window wider than a 1366-px screen or squeezed the
docks beside it."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QSizePolicy, QStyle, QWidget

#: the narrowest an elided label becomes unless told otherwise: a text shorter than this is never
#: elided (a device name, a short file name), a longer one keeps about 15 characters
MIN_WIDTH_PX = 120


class ElidedLabel(QLabel):
    """``setText`` keeps the whole text (``full_text()``); what is drawn is elided to the width
    (``mode``: in the middle, which keeps a file name's extension, or at the end).
    ``auto_tooltip``: the whole text is the tooltip while it is elided (off when the caller sets
    its own tooltip)."""

    def __init__(self, parent: QWidget | None = None, *, auto_tooltip: bool = True,
                 shrink_to_zero: bool = False, min_px: int | None = None,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle) -> None:
        super().__init__(parent)
        self._full = ""
        self._items: tuple[str, ...] = ()  # set_items: elided at whole items
        self._sep = ""
        self._more = "+{n}"
        self._mode = mode
        self._auto_tooltip = auto_tooltip
        self._min_px = 0 if shrink_to_zero else MIN_WIDTH_PX if min_px is None else min_px
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # Qt's name: every caller's setText keeps the whole text
        self._full = str(text)
        self._items = ()
        self.updateGeometry()
        self._elide()

    def set_items(self, items: list[str], sep: str, more: str = "+{n}") -> None:
        """A list (findings with scores): where it does not fit, as many whole items as do and
        ``more`` (its ``{n}``: how many are left out) for the rest, rather than one cut
        mid-name ("● abnormal …")."""
        self.setText(sep.join(items))
        self._items, self._sep, self._more = tuple(items), sep, more
        self._elide()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:
        m = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + m.left() + m.right() + 2
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(min(self._min_px, self.sizeHint().width()), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._elide()

    def _elide(self) -> None:
        # hidden (not laid out yet) the whole text; elided to its width once shown
        avail = self.contentsRect().width()
        fm = self.fontMetrics()
        shown = self._full if not self.isVisible() else fm.elidedText(
            self._full, self._mode, max(avail, 0))
        if self._items and shown != self._full:
            for k in range(len(self._items) - 1, 0, -1):
                more = self._more.format(n=len(self._items) - k)
                head = f"{self._sep.join(self._items[:k])}{self._sep}{more}"
                if fm.horizontalAdvance(head) <= avail:
                    shown = head
                    break
        if shown != super().text():
            super().setText(shown)
        if self._auto_tooltip:
            self.setToolTip(self._full if shown != self._full else "")


def wrap_lines(text: str, fm: QFontMetrics, width: int, lines: int = 2) -> str:
    """``text`` as it fits a table cell ``width`` px wide on at most ``lines`` lines: whole when
    it fits one; else broken at the last space that lets the first line fit (a Japanese name,
    without spaces, at the last character that does; never after a one-character marker such
    as "● "; a first word too wide for the line elides), the rest likewise, the last line
    elided at its end."""
    if fm.horizontalAdvance(text) <= width or lines <= 1:
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, width)
    cut = 0
    for i, ch in enumerate(text):
        if ch == " " and i > 1 and fm.horizontalAdvance(text[:i]) <= width:
            cut = i  # break at this space (it is not drawn)
        if fm.horizontalAdvance(text[: i + 1]) > width:
            break
    if cut == 0 and " " in text[2:]:  # the first word alone is too wide: it elides
        cut = text.index(" ", 2)
    if cut == 0:  # no space (a Japanese name): at the last character that fits
        cut = max(i, 1)
        first, rest = text[:cut], text[cut:]
    else:
        first, rest = text[:cut], text[cut + 1 :]
    return (fm.elidedText(first, Qt.TextElideMode.ElideRight, width) + "\n"
            + wrap_lines(rest, fm, width, lines - 1))


def column_room(view: QAbstractScrollArea, fixed_px: int, margin_px: int) -> int:
    """The text width of a view's stretching column beside ``fixed_px`` of other columns, less
    the cell's ``margin_px``, as if a vertical scroll bar showed whether or not one does: taller
    rows of wrapped text may bring it up, and text wrapped for the wider column would then be
    cut."""
    bar = view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
    return view.width() - 2 * view.frameWidth() - fixed_px - bar - margin_px
