"""The window fits the screen it opens on: size from ``QScreen.availableGeometry``, docks placed by
screen class, a "reading" mode that gives the page the whole width.

Screen classes are in device-independent pixels (what Qt lays out), so 1920×1080 at 150 %
scaling is a 1280×720 screen:

- ``large`` (≥ 1800 × 1000): page and suggestions side by side, the review dock and any other
  side docks tabbed on the right, the median beats as a strip under the page.
- ``medium`` (≥ 1280 × 700): the same, but the median beats go into the right-hand tabs too, so
  the page keeps the whole height.
- ``small``: every dock, the worklist too, tabbed in one narrow column on the right; there the
  page is limited by the height, so the side column costs it little. F11 (reading mode) gives
  the page the whole width with the suggestions as a strip above it.

Docks that other parts of the window add (comparison, criteria ...) join the right-hand tabs;
call :func:`arrange_docks` again after adding one later (``MainWindow.add_dock`` does it).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QTabBar

from ecg_viewer.core.messages import language, tr

log = logging.getLogger(__name__)

LARGE = QSize(1800, 1000)
MEDIUM = QSize(1280, 700)
# side column width (px) by screen class; the suggestions panel's width beside the page
SIDE_DOCK_PX = {"large": 420, "medium": 270, "small": 250}
PANEL_PX = {"large": 400, "medium": 310, "small": 270}
MEDIAN_STRIP_PX = 220
#: the worklist's column in English on a medium screen (1366x768): its level ("No abnormality"),
#: the file name and the reader's level ("✓ Further exam") need ~300 px where Japanese needs
#: ~210; at 270 px the review read "✓ Fu…"
WORKLIST_EN_EXTRA_PX = 50
PREFERRED = QSize(2200, 1350)  # on a large screen the window need not fill it
#: below this available height (logical px) the window opens in reading mode: the suggestions
#: panel would be too short to read beside the page (1366×768 at 150 % is 911×512)
READING_MODE_BELOW_PX = 640


def screen_class(size: QSize) -> str:
    """``"large"``, ``"medium"`` or ``"small"`` for an available screen size (logical px)."""
    if size.width() >= LARGE.width() and size.height() >= LARGE.height():
        return "large"
    if size.width() >= MEDIUM.width() and size.height() >= MEDIUM.height():
        return "medium"
    return "small"


def worklist_px(cls: str) -> int:
    """The worklist column's width for screen class ``cls`` in the current language."""
    extra = WORKLIST_EN_EXTRA_PX if language() == "en" and cls == "medium" else 0
    return SIDE_DOCK_PX[cls] + extra


def fit_worklist_width(win: QMainWindow, dock: QDockWidget, cls: str) -> None:
    """The worklist dock, shown in the left column, at least :func:`worklist_px` wide for the
    window's screen class ``cls`` (after a change of language, or when a worklist is opened)."""
    if cls not in SIDE_DOCK_PX or dock.isHidden() or dock.isFloating() or \
            win.dockWidgetArea(dock) != Qt.DockWidgetArea.LeftDockWidgetArea:
        return
    if dock.width() < worklist_px(cls):
        win.resizeDocks([dock], [worklist_px(cls)], Qt.Orientation.Horizontal)


def available_rect(win: QMainWindow) -> QRect:
    screen = win.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 768)


def fits(win: QMainWindow, avail: QRect | None = None) -> bool:
    """True when the window's frame lies within the available screen area."""
    avail = avail or available_rect(win)
    return avail.contains(win.frameGeometry())


def reading_mode_wanted(win: QMainWindow) -> bool:
    """Reading mode (the strip above the page, the side panel hidden) on a short screen."""
    return available_rect(win).height() < READING_MODE_BELOW_PX


# a stored window smaller than this share of the screen both ways is not restored: an 800×500 window on a
# 1366×768 screen gave the page 206 px beside the 310-px panel (10 % of actual size) and came
# back so at every start (QA 37)
MIN_RESTORED_SHARE = 0.7


def restore_layout(win: Any, settings: Any) -> bool:
    """The stored geometry, docks and splitter of ``win`` when they were stored on a screen of
    the same class, still fit it and are not much smaller than it; reading mode as a fresh
    layout decides it (QA 37: restored at 125 %, the side panel came back at 270 px with a
    row and a half of its table, reading mode off). False: nothing restored."""
    cls = win.screen_class
    g, st = settings.geometry(), settings.window_state()
    if g is None or st is None or settings.screen_class() != cls:
        return False
    # the docks were tabbed where they were made; a restored layout makes its own bars
    drop_stale_tab_bars(win)
    fit_dock_widths(win, cls)
    avail = available_rect(win)
    if not (win.restoreGeometry(g) and win.restoreState(st) and fits(win, avail)):
        return False
    if (win.width() < MIN_RESTORED_SHARE * avail.width()
            and win.height() < MIN_RESTORED_SHARE * avail.height()):
        return False  # small both ways (a window narrower or lower only is a choice kept)
    if (sp := settings.splitter()) is not None:
        win.splitter.restoreState(sp)
    # the last run's worklist comes back open but empty (the window is laid out before any
    # folder is read): closed, the page keeps its width; opening a folder shows it again
    win.worklist.dock.hide()
    win.reading_mode.set(reading_mode_wanted(win), hide_docks=False)
    return True


def fit_window(win: QMainWindow) -> str:
    """Size and place ``win`` within the available screen area; returns the screen class."""
    avail = available_rect(win)
    cls = screen_class(avail.size())
    # the frame (title bar, borders) is known only once shown; until then assume none
    extra_w = win.frameGeometry().width() - win.geometry().width() if win.isVisible() else 0
    extra_h = win.frameGeometry().height() - win.geometry().height() if win.isVisible() else 0
    if cls == "large":
        w = min(PREFERRED.width(), avail.width() - extra_w)
        h = min(PREFERRED.height(), avail.height() - extra_h)
        x = avail.x() + (avail.width() - w - extra_w) // 2
        y = avail.y() + (avail.height() - h - extra_h) // 2
    else:
        w, h = avail.width() - extra_w, avail.height() - extra_h
        x, y = avail.x(), avail.y()
    win.resize(w, h)
    win.move(x, y)
    return cls


def _side_docks(win: QMainWindow) -> list[QDockWidget]:
    """The window's docks except the worklist, the review dock first, in creation order."""
    docks = [d for d in win.findChildren(QDockWidget) if d.objectName() != "worklist_dock"]
    docks.sort(key=lambda d: 0 if d.objectName() == "review_dock" else 1)
    return docks


def _fit_dock_width(dock: QDockWidget, width_px: int) -> None:
    """A dock whose content needs more than ``width_px`` gets a scroll area round it, so that it
    cannot widen the side column (and push the page off a small screen)."""
    w = dock.widget()
    if w is None or isinstance(w, QScrollArea) or w.minimumSizeHint().width() <= width_px:
        return
    scroll = QScrollArea()
    scroll.setObjectName(f"{dock.objectName()}_scroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    dock.setWidget(scroll)
    scroll.setWidget(w)


def _side_column(win: QMainWindow, cls: str) -> tuple[list[QDockWidget], QDockWidget | None]:
    """(the docks of the right-hand column for screen class ``cls``, the median-beat dock)."""
    docks = _side_docks(win)
    median = next((d for d in docks if d.objectName() == "median_beat_dock"), None)
    return [d for d in docks if d is not median or cls != "large"], median


def fit_dock_widths(win: QMainWindow, cls: str) -> None:
    """Give every dock of the right-hand column the scroll area it needs to keep the column at
    its width for ``cls``. Both layouts need it, the one made here and one restored from the
    last run: a restored column otherwise widens to the widest content (the median beats', 411
    px at 1366×768), and the page and the suggestions lose that width on every later start."""
    for d in _side_column(win, cls)[0]:
        _fit_dock_width(d, SIDE_DOCK_PX[cls])


def drop_stale_tab_bars(win: QMainWindow) -> None:
    """Hide the dock tab bars the current layout does not use, then lay the window out again.

    Qt makes a new tab bar for a group of tabbed docks as the docks are moved and tabbed, and
    does not always hide the old one: moved before the window is first shown (the layout made
    here), or arranged again later (View > fit to screen), an old bar stays visible where the
    column was, over the suggestions panel, and its tabs do nothing. The layout shows the bars
    it uses again when it is applied."""
    for bar in win.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        bar.hide()
    lay = win.layout()
    if lay is not None:
        lay.invalidate()
        lay.activate()


def arrange_docks(win: QMainWindow, cls: str) -> None:
    """Place the docks for screen class ``cls`` (see the module text)."""
    side, median = _side_column(win, cls)
    right = Qt.DockWidgetArea.RightDockWidgetArea
    fit_dock_widths(win, cls)
    for d in side:
        if d.isFloating():
            d.setFloating(False)
        win.addDockWidget(right, d)
    for a, b in zip(side, side[1:], strict=False):
        win.tabifyDockWidget(a, b)
    if median is not None and cls == "large":
        win.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, median)
        win.resizeDocks([median], [MEDIAN_STRIP_PX], Qt.Orientation.Vertical)
    worklist = win.findChild(QDockWidget, "worklist_dock")
    if worklist is not None:
        if cls == "small":  # no room beside the page: a tab of the side column
            win.addDockWidget(right, worklist)
            if side:
                win.tabifyDockWidget(side[-1], worklist)
        else:
            win.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, worklist)
            win.resizeDocks([worklist], [worklist_px(cls)], Qt.Orientation.Horizontal)
    if side:
        side[0].raise_()
        visible = [d for d in side if not d.isHidden()]
        if visible:
            win.resizeDocks(visible[:1], [SIDE_DOCK_PX[cls]], Qt.Orientation.Horizontal)


def panel_sizes(splitter: Any, cls: str) -> list[int]:
    """Splitter sizes (page, suggestions panel): the panel its width for the screen class."""
    total = sum(splitter.sizes()) or splitter.width()
    panel = min(PANEL_PX[cls], max(0, total // 2))
    return [max(1, total - panel), panel]


class ReadingMode:
    """Page full width, the suggestions as a strip above it, the docks out of the way.

    ``toggle()`` switches; the docks that were open come back when it is switched off."""

    def __init__(self, win: Any) -> None:
        self.win = win
        self.on = False
        self._docks_open: list[QDockWidget] = []
        self._docks_front: list[QDockWidget] = []  # the tabs that were in front
        self._sizes: list[int] = []

    def set(self, on: bool, hide_docks: bool = True) -> None:
        """Reading mode on or off (``hide_docks``: close the open docks while it is on)."""
        win = self.win
        if on == self.on:
            return
        self.on = on
        if on:
            self._sizes = win.splitter.sizes()
            win.panel.hide()
            if hide_docks:  # every open dock, the ones behind a tab too (else they'd show)
                docks = win.findChildren(QDockWidget)
                self._docks_open = [d for d in docks if not d.isHidden()]
                self._docks_front = [d for d in docks if d.isVisible()]
                for d in self._docks_open:
                    d.hide()
            win.strip.show()
        else:
            win.strip.hide()
            win.panel.show()
            for d in self._docks_open:
                d.show()
            for d in self._docks_front:
                d.raise_()
            self._docks_open, self._docks_front = [], []
            if self._sizes and sum(self._sizes) > 0 and self._sizes[1] > 0:
                win.splitter.setSizes(self._sizes)
        act = win.actions_.actions.get("reading_mode")
        if act is not None:
            act.setChecked(on)
        log.debug("reading mode %s", "on" if on else "off")

    def toggle(self) -> None:
        self.set(not self.on)


#: under this zoom the page is too small to read ST segments and P waves (1 mm < ~2 px)
SMALL_PAGE_PCT = 50.0


def zoom_text(pct: float, px_per_mm: float, reading_mode: bool) -> str:
    """The status bar's zoom; under :data:`SMALL_PAGE_PCT`, outside reading mode, with the key
    that gives the page the window (QA 50: with the worklist open at 1366x768 the page was drawn
    at 44-48 % and nothing pointed to F11)."""
    small = 0 < pct < SMALL_PAGE_PCT and not reading_mode
    return tr("ui.status.zoom_small" if small else "ui.status.zoom", pct=pct, px=px_per_mm)
