"""The median-beat panel: the representative beat of every lead with the global fiducial points
(P onset/end, QRS onset/end, T end) marked, as a dock of the main window. Under the plots, the
confidence of each interval (agreement across groups of beats); a point that bounds a
low-confidence interval is drawn dotted and pale, and the interval is named grey with its reason.

``MedianBeatPanel.set_measurements(m)`` takes a :class:`~ecg_viewer.signal.measure.Measurements`
(or None to clear). ``install_median_beat_dock(window)`` adds the dock and follows the window's
``state.measurementsChanged`` signal (the measurements of the open record, computed off the GUI
thread by the app's analysis flow).
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QVBoxLayout, QWidget

from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.core.messages import paren, tr
from ecg_viewer.gui.header import LOW_CONFIDENCE_GREY

if TYPE_CHECKING:  # the window shows before scipy (imported by the measurements) has loaded
    from ecg_viewer.signal.measure import Measurements

log = logging.getLogger(__name__)

PAPER = pg.mkColor(255, 248, 246)
GRID = pg.mkColor(240, 190, 190)
TRACE = pg.mkColor(20, 20, 20)
# fiducial point -> colour (P green, QRS blue, T magenta)
MARKS = {
    "p_on": (0, 140, 60), "p_off": (0, 140, 60),
    "qrs_on": (30, 80, 220), "qrs_off": (30, 80, 220),
    "t_end": (190, 0, 160),
}  # fmt: skip
# interval -> the fiducial points it rests on (drawn pale when the interval's confidence is low)
INTERVAL_POINTS = {
    "pr_ms": ("p_on",), "p_ms": ("p_on", "p_off"), "qrs_ms": ("qrs_on", "qrs_off"),
    "qt_ms": ("t_end",),
}  # fmt: skip
CONF_SHOWN = (("pr_ms", "PR"), ("qrs_ms", "QRS"), ("qt_ms", "QT"))
T_RANGE_MS = (-400.0, 700.0)
MEDIAN_DOCK_HEIGHT_PX = 260
# plots per row by the panel's width (px): 6 in the strip under the page (limb leads in the first
# row, chest leads in the second); 3 or 2 when the dock is narrow (tabbed in the right-hand area
# of a 1366-px screen it is ~260 px wide, where 6 per row squeezed each beat to ~40 px)
PER_ROW_BY_WIDTH = ((720, 6), (380, 3), (0, 2))


ZERO_LINE = pg.mkColor(150, 150, 150)
SCALE = pg.mkColor(60, 60, 60)
SCALE_BAR_MARGIN_MV = 0.1  # room between the scale bar's top and the plot's top


def baseline_mv(t_ms: np.ndarray, y: np.ndarray, qrs_on_ms: float | None) -> float:
    """The level drawn as 0 mV: the mean of the 20 ms before the QRS onset (the PR segment), as
    the lead measurements take it (``signal.leadwise.BASELINE_MS``), so ST and the waves read
    against the dock's zero line (the window's median had been used: QA 39); the median of the
    beat where there is no QRS onset."""
    from ecg_viewer.signal.leadwise import BASELINE_MS  # scipy is loaded once there are beats

    if qrs_on_ms is not None:
        w = (t_ms >= qrs_on_ms - BASELINE_MS) & (t_ms <= qrs_on_ms)
        if w.any():
            return float(np.mean(y[w]))
    return float(np.median(y))


def scale_bar_mv(top_mv: float) -> float:
    """The scale bar's height: 1 mV where the plots reach it with room to spare, else 0.5 mV.
    The plots' top is then raised to at least the bar plus SCALE_BAR_MARGIN_MV."""
    return 1.0 if top_mv >= 1.0 + SCALE_BAR_MARGIN_MV else 0.5


def plots_per_row(width_px: int) -> int:
    return next(n for w, n in PER_ROW_BY_WIDTH if width_px >= w)


class MedianBeatPanel(QWidget):
    """A grid of small plots (limb leads left, chest leads right), one median beat each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)  # "no median beat" and why, in a ~260 px dock
        self.legend = QLabel(tr("meas.median_legend"))
        self.legend.setWordWrap(True)
        self.confidence = QLabel()
        self.confidence.setWordWrap(True)
        self.confidence.setTextFormat(Qt.TextFormat.RichText)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground(PAPER)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.title)
        lay.addWidget(self.plots, 1)
        lay.addWidget(self.confidence)
        lay.addWidget(self.legend)
        self.measurements: Measurements | None = None
        self.per_row = 6
        self.plot_items: dict[str, pg.PlotItem] = {}
        self.mark_lines: dict[str, list[pg.InfiniteLine]] = {}
        self.set_measurements(None)

    def retranslate(self) -> None:
        self.legend.setText(tr("meas.median_legend"))
        self.set_measurements(self.measurements)

    def set_measurements(self, m: Measurements | None) -> None:
        self.measurements = m
        self.plot_items = {}
        self.mark_lines = {}
        mb = m.median if m is not None else None
        self.confidence.setText(self._confidence_html(m))
        if mb is None:
            # hidden now, cleared when the next beats come: clearing 12 plots takes ~0.1 s and
            # must not delay the next ECG on screen (keyboard reading, issue 14)
            self.plots.setVisible(False)
            why = m.reason_text("qrs_ms") if m is not None else None
            self.title.setText(tr("meas.median_none_because", reason=why) if why
                               else tr("meas.median_none"))
            return
        self.plots.clear()
        self.plots.setVisible(True)
        low = set(m.low_confidence)
        pale = {pt for k in low for pt in INTERVAL_POINTS.get(k, ())}
        t = mb.time_ms
        fid = m.fiducials_ms()
        lo_ms = max(T_RANGE_MS[0], float(t[0]))
        hi_ms = min(T_RANGE_MS[1], float(t[-1]))
        sel = (t >= lo_ms) & (t <= hi_ms)
        names = [n for n in CANONICAL_LEADS if n in mb.lead_names]
        names += [n for n in mb.lead_names if n not in CANONICAL_LEADS]
        traces = {}
        for name in names:
            y = mb.lead(name)[sel].astype(np.float64)
            traces[name] = y - baseline_mv(t[sel], y, fid.get("qrs_on"))
        # one vertical scale for all leads, so amplitudes compare across the grid
        lo = min(min(float(y.min()), -0.3) for y in traces.values()) - 0.1
        hi = max(max(float(y.max()), 0.3) for y in traces.values()) + 0.15
        # the scale bar stands whole in every plot, with room above it: on a low-voltage ECG the
        # top could be 0.45 mV and cut the 0.5-mV bar (QA 44)
        bar_mv = scale_bar_mv(hi)
        hi = max(hi, bar_mv + SCALE_BAR_MARGIN_MV)
        self.title.setText(tr("meas.median_title", n=mb.n_beats_used, mv=f"{bar_mv:g}"))
        # limb leads in the first row, chest leads in the second (a compact strip under the page);
        # fewer per row in a narrow dock (plots_per_row)
        per_row = self.per_row if len(names) > self.per_row else max(len(names), 1)
        for k, name in enumerate(names):
            row, col = divmod(k, per_row)
            p = self.plots.addPlot(row=row, col=col)
            p.setMenuEnabled(False)
            p.setMouseEnabled(False, False)
            p.hideButtons()
            p.showGrid(x=True, y=True, alpha=0.25)
            p.hideAxis("left")
            p.getAxis("bottom").setPen(GRID)
            # 0 and 400 ms always labelled; -200/200/600 only where the plot is wide enough (the
            # axis leaves out a second level's labels that would run into each other)
            p.getAxis("bottom").setTicks([[(0, "0"), (400, "400 ms")],
                                          [(v, f"{v:g}") for v in (-200, 200, 600)]])
            # 0 mV: the PR-segment level the lead measurements take (ST reads against it)
            p.addItem(pg.InfiniteLine(pos=0.0, angle=0, pen=pg.mkPen(
                ZERO_LINE, width=1, style=Qt.PenStyle.DotLine)))
            p.plot(t[sel], traces[name], pen=pg.mkPen(TRACE, width=1.2))
            if k == 0:  # one amplitude scale: every plot has the same vertical scale
                self._scale_bar(p, lo_ms, hi_ms, bar_mv)
            p.setXRange(lo_ms, hi_ms, padding=0)
            p.setYRange(lo, hi, padding=0)
            # on a pale ground: the lead's own beat ran through its name (QA 37)
            label = pg.TextItem(name, color=(60, 60, 60), anchor=(0, 0),
                                fill=pg.mkBrush(255, 255, 255, 210))
            label.setPos(lo_ms, hi)
            p.addItem(label)
            lines = []
            for key, color in MARKS.items():
                v = fid.get(key)
                if v is None:
                    continue
                weak = key in pale
                pen = pg.mkPen((*color, 200) if weak else color, width=1,
                               style=Qt.PenStyle.DotLine if weak else Qt.PenStyle.DashLine)
                line = pg.InfiniteLine(pos=v, angle=90, pen=pen)
                p.addItem(line)
                lines.append(line)
            self.mark_lines[name] = lines
            self.plot_items[name] = p

    @staticmethod
    def _scale_bar(p: pg.PlotItem, lo_ms: float, hi_ms: float, mv: float) -> None:
        """A vertical bar of ``mv`` (see scale_bar_mv) from 0 mV at the plot's right end, after
        the T wave (QA 39: amplitudes and ST could not be read from the dock; QA 50: at its left
        end, under the lead's name, 「1 mV」 ran into the name and the trace). Its height is named
        in the title: named beside it, 「0.5 mV」 covered lead I's T wave in a ~270-px dock
        (QA 69)."""
        x = hi_ms - 0.06 * (hi_ms - lo_ms)
        p.plot([x, x], [0.0, mv], pen=pg.mkPen(SCALE, width=2.5))
        p.scale_mv = mv  # for tests: the bar's height
        p.scale_x_ms = x

    def resizeEvent(self, event: Any) -> None:
        """The grid again with fewer (more) plots per row when the panel gets narrow (wide)."""
        super().resizeEvent(event)
        per_row = plots_per_row(self.width())
        if per_row != self.per_row:
            self.per_row = per_row
            if self.measurements is not None:
                self.set_measurements(self.measurements)

    @staticmethod
    def _confidence_html(m: Measurements | None) -> str:
        """'信頼度: PR 0.92 · QRS 0.97 · QT 0.40（T波が低く…）' with the low ones grey (in English
        "QT 0.40 (Low confidence: …)": the note's brackets as the language writes them)."""
        if m is None or not m.confidence:
            return ""
        parts = []
        for key, name in CONF_SHOWN:
            c = m.confidence.get(key)
            if c is None or getattr(m, key) is None:
                continue
            why = m.confidence_text(key)
            if why:
                parts.append(f'<span style="color:{LOW_CONFIDENCE_GREY}">{name} {c:.2f}'
                             f'{html.escape(paren(why))}</span>')
            else:
                parts.append(f"{name} {c:.2f}")
        return f"{tr('meas.conf_label')}: " + " · ".join(parts) if parts else ""


def install_median_beat_dock(window: Any) -> QDockWidget:
    """Add the median-beat dock to ``window`` (a QMainWindow) and keep it on the open record."""
    panel = MedianBeatPanel()
    dock = QDockWidget(tr("meas.median_dock"), window)
    dock.setObjectName("median_beat_dock")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    # a strip under the page: the ECG page keeps most of the height
    window.resizeDocks([dock], [MEDIAN_DOCK_HEIGHT_PX], Qt.Orientation.Vertical)
    window.state.measurementsChanged.connect(panel.set_measurements)  # the one Measurements
    window.state.recordChanged.connect(lambda _rec: panel.set_measurements(None))
    window.median_beat_panel = panel
    window.median_beat_dock = dock
    return dock


def retranslate_median_beat_dock(window: Any) -> None:
    window.median_beat_dock.setWindowTitle(tr("meas.median_dock"))
    window.median_beat_panel.retranslate()
