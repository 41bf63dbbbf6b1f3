"""The ECG page on screen: pyqtgraph view in millimetres at true scale, drawn from a Page.

Item coordinates are page millimetres (y down). Trace curves, pulses, labels and caliper items
are pooled and updated with ``setData`` / ``setText``, never re-created per redraw; curves clip
to the view and downsample with the ``'peak'`` method only (it keeps QRS peaks).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QGraphicsSimpleTextItem

from ecg_viewer.core.messages import tr
from ecg_viewer.gui.caliper_keys import CaliperKeys
from ecg_viewer.gui.fonts import load_app_font
from ecg_viewer.gui.grid_item import GridItem
from ecg_viewer.signal.calipers import Caliper, all_caliper_marks
from ecg_viewer.signal.page import (
    Page,
    TracePlacement,
    clip_marks,
    clip_triangle,
    window_text,
    with_levels,
)

TRACE = QColor(10, 10, 10)
CALIPER = QColor(0, 90, 200)
CLIP_MARK_COLOR = QColor(200, 30, 30)  # a wave cut at the paper's edge
DEFAULT_PX_PER_MM = 96 / 25.4
_TEXT_PX = 40.0  # text is laid out at this pixel size, then scaled to mm
# a page opens at actual size when that fits and uses at least this part of the fitting zoom
FILL_FOR_ACTUAL_SIZE = 0.75


# the grid shown without a page (mm): small enough that the page's fitting zoom makes its text
# readable in a narrow view (a 250-mm grid beside the worklist put 5-mm text at 9 px)
EMPTY_GRID_MM = (170, 45)


def _two_lines(text: str) -> str:
    """``text`` with its parenthesis (how to do it) on a second line."""
    for mark in ("（", " ("):
        i = text.find(mark)
        if i > 0:
            return text[:i] + "\n" + text[i:].lstrip()
    return text


class MmText(QGraphicsSimpleTextItem):
    """Text whose height is given in page millimetres (scales with zoom, prints at size)."""

    def __init__(self, color: QColor = TRACE, bold: bool = False,
                 backdrop: QColor | None = None) -> None:
        super().__init__()
        f = QFont(load_app_font())
        f.setPixelSize(int(_TEXT_PX))
        f.setBold(bold)
        self.setFont(f)
        self.setBrush(color)
        self.setZValue(10)
        self._backdrop = backdrop  # a ground under the text (lines and traces stay behind it)

    def paint(self, painter, option, widget=None) -> None:  # type: ignore[no-untyped-def]
        if self._backdrop is not None:
            painter.fillRect(self.boundingRect(), self._backdrop)
        super().paint(painter, option, widget)

    def place(self, text: str, x_mm: float, y_mm: float, height_mm: float = 3.5) -> None:
        self.setText(text)
        self.setScale(height_mm / _TEXT_PX)
        self.setPos(x_mm, y_mm)
        self.setVisible(True)


def _curve(color: QColor = TRACE, width: float = 1.3) -> pg.PlotDataItem:
    pen = pg.mkPen(color, width=width)
    pen.setCosmetic(True)
    c = pg.PlotDataItem(pen=pen, clipToView=True, autoDownsample=True, downsampleMethod="peak",
                        skipFiniteCheck=True)
    c.setZValue(5)
    return c


class EcgPageView(pg.GraphicsView):
    """Shows one :class:`Page`; emits ``caliperPlaced`` when the user completes a caliper."""

    caliperPlaced = Signal(object)  # Caliper
    caliperRefused = Signal(str)  # the message key saying why a second click placed nothing
    zoomChanged = Signal(float)  # pixels per mm

    def __init__(self, parent=None, px_per_mm: float | None = None) -> None:
        super().__init__(parent, background=pg.mkColor(236, 236, 236))
        self.vb = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.vb.setBackgroundColor(None)
        self.setCentralItem(self.vb)
        self.grid = GridItem()
        self.vb.addItem(self.grid, ignoreBounds=False)
        self.page: Page | None = None
        self.px_per_mm_true = px_per_mm or DEFAULT_PX_PER_MM
        self._curves: list[pg.PlotDataItem] = []
        self._labels: list[MmText] = []
        self._pulses: list[pg.PlotDataItem] = []
        self._seps = _curve(width=1.3)
        self.vb.addItem(self._seps)
        self._clips = _curve(CLIP_MARK_COLOR, width=1.5)  # waves cut at the paper's edge
        self.vb.addItem(self._clips)
        self._settings_text = MmText()
        self.vb.addItem(self._settings_text)
        self._cal_lines = _curve(CALIPER, width=1.5)
        self.vb.addItem(self._cal_lines)
        self._cal_labels: list[MmText] = []
        self._pending = _curve(CALIPER, width=1.5)
        self.vb.addItem(self._pending)
        key_cross = _curve(CALIPER, width=1.0)  # where a key places the next point
        self.vb.addItem(key_cross)
        self.caliper_keys = CaliperKeys(self, key_cross)
        self.installEventFilter(self.caliper_keys)
        self._empty = MmText(QColor(90, 90, 90))
        self.empty_key = "ui.empty"  # the message of the empty page (the reading desk sets its own)
        self.vb.addItem(self._empty)
        self.calipers: list[Caliper] = []
        self.caliper_mode: str | None = None  # "time" | "amplitude" | None
        # the trace the first click was on, and its time and voltage there
        self._first_click: tuple[TracePlacement, float, float] | None = None
        self.scene().sigMouseClicked.connect(self._on_click)
        self.vb.sigRangeChanged.connect(lambda *_: self.zoomChanged.emit(self.px_per_mm()))
        self._target_ppm: float | None = self.px_per_mm_true  # None: fit the page
        self.vb.sigRangeChangedManually.connect(lambda *_: QTimer.singleShot(0, self._capture_zoom))
        self.redraw_count = 0
        self.show_empty()

    # --- drawing -------------------------------------------------------------------------------
    def show_empty(self) -> None:
        """No page: the grid with the message ``empty_key`` names (how to open a file; with a
        worklist, how to open its first case), in the current language."""
        for item in (*self._curves, *self._labels, *self._pulses, *self._cal_labels):
            item.setVisible(False)
        self._seps.setData([], [])
        self._clips.setData([], [])
        self._cal_lines.setData([], [])
        self._settings_text.setVisible(False)
        self.grid.set_size(*EMPTY_GRID_MM)
        self._empty.place(_two_lines(tr(self.empty_key)), 10, 14, 6)
        self.page = None
        self.caliper_keys.reset()

    def set_page(self, page: Page, signal_mv: np.ndarray, fs_hz: float, keep_view: bool = False) -> None:
        """Draw ``page`` with ``signal_mv`` (the display signal, ``[leads, samples]``)."""
        page = with_levels(page, signal_mv)  # each trace's level: drawing and calipers agree
        new_size = self.page is None or (self.page.width_mm, self.page.height_mm) != (page.width_mm, page.height_mm)
        self.page = page
        self._empty.setVisible(False)
        self.grid.set_size(page.width_mm, page.height_mm)
        self._ensure(self._curves, len(page.traces), _curve)
        self._ensure(self._labels, len(page.traces), MmText)
        self._ensure(self._pulses, len(page.pulses), _curve)
        drawn = [tp.points(signal_mv, fs_hz) for tp in page.traces]
        for i, (tp, (x, y)) in enumerate(zip(page.traces, drawn, strict=True)):
            c = self._curves[i]
            c.setData(x, y)
            c.setVisible(True)
            name = tp.lead if tp.available else tr("ui.page.missing_lead", lead=tp.lead)
            self._labels[i].place(name, *tp.label_xy, height_mm=4.0)
        for item in self._curves[len(page.traces):] + self._labels[len(page.traces):]:
            item.setVisible(False)
        for i, pulse in enumerate(page.pulses):
            self._pulses[i].setData(*pulse.polyline())
            self._pulses[i].setVisible(True)
        for item in self._pulses[len(page.pulses):]:
            item.setVisible(False)
        seps = np.array(page.separators, dtype=float).reshape(-1, 4)
        self._seps.setData(seps[:, [0, 2]].ravel(), seps[:, [1, 3]].ravel(), connect="pairs")
        xs: list[float] = []
        ys: list[float] = []
        for x_mm, edge in clip_marks(page, signal_mv, fs_hz, drawn):
            tx, ty = clip_triangle(x_mm, edge)
            xs += [*tx, np.nan]
            ys += [*ty, np.nan]
        self._clips.setData(np.array(xs, dtype=float), np.array(ys, dtype=float),
                            connect="finite")
        self._settings_text.place(*self._settings_line(page))
        self._draw_calipers()
        self.redraw_count += 1
        if new_size and not keep_view:
            self.open_view()

    def open_view(self) -> None:
        """The zoom a page opens at: actual size when the whole page fits the view at actual
        size and fills most of it; else the whole page as large as the view allows (the zoom in
        % is shown in the status bar; Ctrl+0 gives actual size). One lead enlarged always spans
        the view."""
        page = self.page
        if page is None:
            return
        fit = self.fit_ppm()
        true = self.px_per_mm_true
        if page.settings.layout != "1" and FILL_FOR_ACTUAL_SIZE * fit <= true <= fit:
            self.actual_size()
        else:
            self.fit_page()

    def fit_ppm(self) -> float:
        """Pixels per mm at which the whole page (with the 2 mm margin of actual size) just
        fits the view."""
        if self.page is None:
            return self.px_per_mm_true
        w, h = self.vb.width(), self.vb.height()
        if w <= 1 or h <= 1:  # not laid out yet
            w, h = self.width(), self.height()
        return min(w / (self.page.width_mm + 4.0), h / (self.page.height_mm + 4.0))

    def fits_at(self, px_per_mm: float) -> bool:
        """True when the whole page (with the 2 mm margin of actual size) fits the view."""
        return px_per_mm <= self.fit_ppm()

    def page_rect_in_widget(self) -> QRectF:
        """The page's bounding box in this widget's pixel coordinates (tests, layout checks)."""
        w = self.page.width_mm if self.page else 250
        h = self.page.height_mm if self.page else 60
        tl = self.mapFromScene(self.vb.mapViewToScene(QPointF(0.0, 0.0)))
        br = self.mapFromScene(self.vb.mapViewToScene(QPointF(w, h)))
        return QRectF(QPointF(tl), QPointF(br)).normalized()

    def _settings_line(self, page: Page) -> tuple[str, float, float, float]:
        """(text, x mm, y mm, height mm) of the settings line under the traces: one line where it
        fits the paper; else the shown window on a second line of the 10-mm band; a line still
        wider than the paper smaller, down to fit (QA 71: at 12.5 mm/s the paper is 150 mm wide
        and 「12.5 mm/s 肢誘導 5 mm/mV・胸部誘導 2.5 mm/mV フィルタ: なし（生波形） 0.0–10.0 秒 / 全
        115.2 秒」 ran some 40 mm past its edge)."""
        x, y = page.settings_xy
        parts = [page.settings_text()] + ([window_text(page)] if page.can_scroll else [])
        fm = QFontMetricsF(self._settings_text.font())
        room = page.width_mm - x - 2.0

        def width_mm(line: str, height_mm: float = 3.5) -> float:
            return fm.horizontalAdvance(line) * height_mm / _TEXT_PX

        one = "   ".join(parts)
        if width_mm(one) <= room:
            return one, x, y, 3.5
        height = min(3.5, 3.5 * room / max(width_mm(p) for p in parts))
        return "\n".join(parts), x, y - (1.0 if len(parts) > 1 else 0.0), height

    def _ensure(self, pool: list, n: int, factory) -> None:
        while len(pool) < n:
            item = factory()
            self.vb.addItem(item)
            pool.append(item)

    def set_calipers(self, calipers: list[Caliper]) -> None:
        self.calipers = list(calipers)
        self._draw_calipers()

    def _draw_calipers(self) -> None:
        xs: list[float] = []
        ys: list[float] = []
        marks = all_caliper_marks(self.page, self.calipers) if self.page else []
        marks = [m for m in marks if m is not None]
        # on a white ground: a stacked label lies among the calipers' lines (QA 54: 「[2] ‖59 ms」)
        self._ensure(self._cal_labels, len(marks),
                     lambda: MmText(CALIPER, bold=True, backdrop=QColor(255, 255, 255, 235)))
        for i, m in enumerate(marks):
            for x0, y0, x1, y1 in m.lines:
                xs += [x0, x1]
                ys += [y0, y1]
            self._cal_labels[i].place(m.text, m.label_xy[0], m.label_xy[1] - 4.0, height_mm=3.5)
        for item in self._cal_labels[len(marks):]:
            item.setVisible(False)
        self._cal_lines.setData(np.array(xs), np.array(ys), connect="pairs")

    # --- zoom -------------------------------------------------------------------------------
    def resizeEvent(self, ev) -> None:
        """Keep the zoom (pixels per mm) when the view changes size: show more paper, not
        bigger paper, so that actual size stays actual size ("fit page" refits)."""
        super().resizeEvent(ev)
        # pyqtgraph's close() clears the scene (the ViewBox is gone) and then resizes
        if getattr(self, "closed", False) or getattr(self, "page", None) is None:
            return
        if self.vb.width() <= 1:
            return
        if self._target_ppm is None:
            self.fit_page()
        else:
            self._apply_zoom(self._target_ppm, self.vb.viewRect().topLeft())

    def _capture_zoom(self) -> None:
        """After the user zoomed with the wheel or dragged: that zoom is the one to keep."""
        self._target_ppm = self.px_per_mm()

    def px_per_mm(self) -> float:
        sx, _ = self.vb.viewPixelSize()
        return 1.0 / sx if sx else self.px_per_mm_true

    def set_true_scale(self, px_per_mm: float) -> None:
        self.px_per_mm_true = float(px_per_mm)
        self.actual_size()

    def zoom_to(self, px_per_mm: float, top_left: QPointF | None = None) -> None:
        if top_left is None:
            r = self.vb.viewRect()
            top_left = r.topLeft() if self.page is None else QPointF(max(r.left(), -2.0), max(r.top(), -2.0))
        self._target_ppm = float(px_per_mm)
        self._apply_zoom(px_per_mm, top_left)

    def _apply_zoom(self, px_per_mm: float, top_left: QPointF) -> None:
        w, h = max(1, self.vb.width()), max(1, self.vb.height())
        rect = QRectF(top_left.x(), top_left.y(), w / px_per_mm, h / px_per_mm)
        self.vb.setRange(rect=rect, padding=0)

    def actual_size(self) -> None:
        """1 mm of paper = 1 mm of screen (per the screen-scale setting), from the page's corner."""
        self.zoom_to(self.px_per_mm_true, QPointF(-2.0, -2.0))

    def fit_page(self) -> None:
        self._target_ppm = None
        w = self.page.width_mm if self.page else 250
        h = self.page.height_mm if self.page else 60
        self.vb.setRange(rect=QRectF(0, 0, w, h), padding=0.01)

    def zoom_by(self, factor: float) -> None:
        self.vb.scaleBy((1 / factor, 1 / factor))
        self._capture_zoom()

    # --- calipers by mouse (by key: gui/caliper_keys.py) -------------------------------------
    def set_caliper_mode(self, mode: str | None) -> None:
        self.caliper_mode = mode
        self._first_click = None
        self._pending.setData([], [])
        self.caliper_keys.reset()
        self.setCursor(Qt.CursorShape.CrossCursor if mode else Qt.CursorShape.ArrowCursor)
        if mode:  # the keys that place it go to the page (caliper_keys)
            self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_click(self, ev) -> None:
        if self.caliper_mode is None or self.page is None or ev.button() != Qt.MouseButton.LeftButton:
            return
        p = self.vb.mapSceneToView(ev.scenePos())
        self.click_mm(p.x(), p.y())
        ev.accept()

    def click_mm(self, x_mm: float, y_mm: float) -> Caliper | None:
        """One caliper click at page position (mm); the second click completes the caliper."""
        if self.page is None or self.caliper_mode is None:
            return None
        if self._first_click is None:
            tp = self.page.trace_at(x_mm, y_mm)
            if tp is None or not tp.available:
                return None
            self._first_click = (tp, tp.t_of(x_mm), tp.v_of(y_mm))
            self._pending.setData([x_mm - 1.5, x_mm + 1.5, x_mm, x_mm], [y_mm, y_mm, y_mm - 1.5, y_mm + 1.5],
                                  connect="pairs")
            return None
        tp, t0, v0 = self._first_click
        self._first_click = None
        self._pending.setData([], [])
        if tp not in self.page.traces:  # the page was laid out again between the clicks
            return None
        # the second click measures on the trace of the first: within its stretch of time (a
        # click in the next column would be clamped to this one's end, a wrong interval)
        if not tp.x_mm - 1.0 <= x_mm <= tp.x_mm + tp.width_mm + 1.0:
            self.caliperRefused.emit("ui.caliper.outside")
            return None
        t1 = min(max(tp.t_of(x_mm), tp.t0_s), tp.t1_s)
        if self.caliper_mode == "time":
            c = Caliper("time", tp.lead, t0, t1, rhythm_strip=tp.rhythm)
            empty = c.interval_ms < 4.0
        else:
            c = Caliper("amplitude", tp.lead, t0, t0, v0, tp.v_of(y_mm), rhythm_strip=tp.rhythm)
            empty = abs(c.amplitude_mv) < 0.005
        if empty:  # two clicks on one spot: nothing measured (it read "0 ms（0 /分）")
            self.caliperRefused.emit("ui.caliper.empty")
            return None
        self.caliperPlaced.emit(c)
        return c

    def cancel_caliper(self) -> None:
        self._first_click = None
        self._pending.setData([], [])

    # --- what is drawn (tests and export) -------------------------------------------------------------
    def trace_items(self) -> list[pg.PlotDataItem]:
        return self._curves[: len(self.page.traces)] if self.page else []

    def pulse_items(self) -> list[pg.PlotDataItem]:
        return self._pulses[: len(self.page.pulses)] if self.page else []

    def label_items(self) -> list[MmText]:
        return self._labels[: len(self.page.traces)] if self.page else []

    def caliper_label_items(self) -> list[MmText]:
        return [t for t in self._cal_labels if t.isVisible()]

    def settings_text_item(self) -> MmText:
        return self._settings_text
