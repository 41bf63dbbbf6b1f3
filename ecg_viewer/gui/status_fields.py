"""The main window's own permanent status-bar fields: the page settings line (speed, gain,
filters) and the zoom.

The settings line elides at its end (the whole text on hover). With the diagnostic filters it
reads 「25 mm/s 10 mm/mV フィルタ: 基線補正 0.05 Hz、高域遮断 150 Hz、ハム除去 50 Hz（表示のみ。
計測値はフィルタ前の信号から）」, ~800 px: as a plain QLabel it could not shrink, and D made the
window 1603 px wide on a 1366-px screen, the review dock cut off at its edge (QA 72). It asks
for at most :data:`SETTINGS_SHARE` of the status bar, so the passing messages ("Opened …",
"Confirmed: …") keep room beside it; the page prints the whole line, and the toolbar shows the
speed, the gain and which filters are on."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from ecg_viewer.core.messages import tr
from ecg_viewer.gui.elided_label import MIN_WIDTH_PX, ElidedLabel

#: the most of the status bar's width the settings line asks for (it takes less where the other
#: fields need it, down to MIN_WIDTH_PX)
SETTINGS_SHARE = 0.25


class SettingsField(ElidedLabel):
    """The settings line in ``bar`` (the status bar): elided at its end, asking for its whole
    width up to :data:`SETTINGS_SHARE` of the bar's."""

    def __init__(self, bar: QWidget) -> None:
        super().__init__(mode=Qt.TextElideMode.ElideRight)
        self.setObjectName("settings_field")
        self._bar = bar
        bar.installEventFilter(self)  # the share follows the bar's width

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        share = max(MIN_WIDTH_PX, int(self._bar.width() * SETTINGS_SHARE))
        return QSize(min(hint.width(), share), hint.height())

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if obj is self._bar and ev.type() == QEvent.Type.Resize:
            self.updateGeometry()
        return super().eventFilter(obj, ev)


def install_status_fields(win: QMainWindow) -> tuple[SettingsField, QLabel]:
    """(the settings line, the zoom field), added to ``win``'s status bar in this order."""
    bar = win.statusBar()
    settings, zoom = SettingsField(bar), QLabel()
    bar.addPermanentWidget(settings)
    bar.addPermanentWidget(zoom)
    return settings, zoom


def settings_line(state: Any) -> str:
    """The settings line for ``state`` (the window's ViewerState): the page's speed, gain and
    filters, or that the trace is unfiltered."""
    page = state.page()
    if page is None or not state.settings.filters.any_on:
        return tr("ui.filter.state_raw")
    return page.settings_text()
