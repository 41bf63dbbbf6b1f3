"""Tab and Shift+Tab in the main window go only to controls the reader can see.

Qt keeps a dock that is a tab behind another (the criteria and the median beats behind the
review dock at 1366×768) "visible", moved off the window, and Tab went into it: from the
worklist, the next Tab landed on the hidden median-beat plot and then in the hidden criteria
table, which keeps Tab for its cells, so the review dock was never reached (QA 72)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

#: the most widgets one Tab steps over (a window has about a hundred focusable ones)
MAX_SKIPPED = 400


def shown(widget: QWidget) -> bool:
    """Whether ``widget`` is on screen, or can be scrolled there: not in a dock that is a tab
    behind another (a control scrolled out of the review dock's scroll area is, and Tab
    scrolls to it)."""
    w: QWidget | None = widget
    while w is not None and not w.isWindow():
        if isinstance(w, QDockWidget) and w.visibleRegion().isEmpty():
            return False
        w = w.parentWidget()
    return widget.isVisible()


def tab_to_shown(next_: bool, step: Callable[[bool], bool]) -> bool:
    """Move the focus as ``step`` (the window's own focusNextPrevChild) does, past the widgets
    that are not on screen; where none is, the focus stays where it was."""
    start = QApplication.focusWidget()
    for _ in range(MAX_SKIPPED):
        if not step(next_):
            return False
        focus = QApplication.focusWidget()
        if focus is None or focus is start or shown(focus):
            return True
    if start is not None:
        start.setFocus()
    return True
