"""Calipers from the keyboard (QA 72: T and A armed a caliper whose points only a mouse could
place, so a reader without one could not measure).

With a caliper armed (T: time, A: amplitude) and the ECG page focused, a cross marks where the
next point goes: ←/→ move it 1 mm along the trace (Shift: 5 mm, one large box), ↑/↓ move it to
the trace above or below (an amplitude caliper: 1 mm up or down, Shift 5 mm; Ctrl+↑/↓ changes
the trace), Enter or Space places the point there, exactly as a click would. While a caliper is
armed these keys belong to the page: the window's own ←/→ (scroll the record) wait until the
caliper is placed or Esc cancels it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt

from ecg_viewer.signal.page import TracePlacement

_MOVE = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)
_PLACE = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
STEP_MM, BIG_STEP_MM = 1.0, 5.0


class CaliperKeys(QObject):
    """The keyboard cursor of an :class:`~ecg_viewer.gui.page_view.EcgPageView` (installed on it
    as an event filter; ``cross`` is the item that draws the cursor)."""

    def __init__(self, view: Any, cross: Any) -> None:
        super().__init__(view)
        self.view = view
        self.cross = cross
        self.at: tuple[float, float] | None = None  # the cursor, page mm

    def reset(self) -> None:
        """No cursor (the caliper mode ended, or another page was laid out)."""
        self.at = None
        self.cross.setData([], [])

    def eventFilter(self, obj: Any, ev: Any) -> bool:
        kind = ev.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if self.view.caliper_mode is None or self.view.page is None:
            return False
        key = ev.key()
        if key not in _MOVE and key not in _PLACE:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            ev.accept()  # the page takes the key before the window's ←/→ shortcuts
            return True
        self.key(key, ev.modifiers())
        return True

    def key(self, key: Any, modifiers: Any = Qt.KeyboardModifier.NoModifier) -> None:
        """Move the cursor or place a point (``key`` as :meth:`eventFilter` receives it)."""
        traces = [t for t in self.view.page.traces if t.available]
        if not traces:
            return
        here = self._trace()
        if self.at is None or here is None:  # the first key shows the cursor where it starts
            start = traces[0]
            self._show(start.x_mm + min(5.0, start.width_mm / 2), start.y_mm)
            if key not in _PLACE:
                return
            here = start
        x, y = self.at
        big = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
        step = BIG_STEP_MM if big else STEP_MM
        if key in _PLACE:
            self.view.click_mm(x, y)
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            x += step if key == Qt.Key.Key_Right else -step
            x = min(max(x, here.x_mm), here.x_mm + here.width_mm)
            self._show(x, y)
            return
        down = key == Qt.Key.Key_Down
        ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
        if self.view.caliper_mode == "amplitude" and not ctrl:
            y += step if down else -step  # the page's y runs down
            self._show(x, min(max(y, here.band_top_mm), here.band_bottom_mm))
            return
        other = _neighbour(traces, here, x, down)
        if other is not None:
            x = min(max(x, other.x_mm), other.x_mm + other.width_mm)
            self._show(x, other.y_mm)

    def _trace(self) -> TracePlacement | None:
        if self.at is None or self.view.page is None:
            return None
        return self.view.page.trace_at(*self.at)

    def _show(self, x: float, y: float) -> None:
        self.at = (x, y)
        arm = 2.5
        self.cross.setData([x - arm, x + arm, x, x], [y, y, y - arm, y + arm], connect="pairs")


def _neighbour(traces: list[TracePlacement], here: TracePlacement, x: float,
               down: bool) -> TracePlacement | None:
    """The trace in the next row band below (``down``) or above ``here``, the one nearest
    ``x`` in time on the page (the same column when there is one)."""
    rows = sorted({t.band_top_mm for t in traces})
    i = rows.index(here.band_top_mm) + (1 if down else -1)
    if not 0 <= i < len(rows):
        return None
    band = [t for t in traces if t.band_top_mm == rows[i]]

    def distance(t: TracePlacement) -> float:
        return 0.0 if t.x_mm <= x <= t.x_mm + t.width_mm else min(abs(t.x_mm - x),
                                                                  abs(t.x_mm + t.width_mm - x))

    return min(band, key=distance)
