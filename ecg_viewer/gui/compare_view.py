"""The comparison with the patient's prior ECG in the window (issue 14 §3).

:class:`ComparisonFeatures` (built by the main window with the app's
:class:`~ecg_viewer.app.comparison_flow.ComparisonFlow`, which finds, analyses and compares the
prior ECG on its lane) adds File → "前回心電図と比較…", says in the status bar what was found and
compared (a button that stays while the ECG is open and opens the comparison), and opens
:class:`CompareWindow`; without an automatic match (no patient ID, no time, none found) it asks
for the prior file.

:class:`CompareWindow`: current and prior page one above the other at the same scale, the change
table (marks where a threshold is passed), findings new since the prior ECG and resolved ones,
and the two median beats overlaid per lead.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ecg_viewer.app.comparison_flow import ComparisonFlow
from ecg_viewer.compare.diff import Comparison
from ecg_viewer.compare.findings import not_assessable_title
from ecg_viewer.compare.prior import why_no_search
from ecg_viewer.core.errors import EcgError, user_message
from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.core.messages import language, paren, tr, value_with_unit
from ecg_viewer.core.prediction import REFERRAL_EN, REFERRAL_JA
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.gui.page_view import EcgPageView
from ecg_viewer.io import supported_extensions
from ecg_viewer.signal.filters import apply_filters
from ecg_viewer.signal.page import layout_page

log = logging.getLogger(__name__)

PRIOR_PEN = pg.mkPen(QColor(30, 80, 220), width=1.4)
CURRENT_PEN = pg.mkPen(QColor(20, 20, 20), width=1.4)
MARK_COLOR = QColor(190, 0, 0)
LOW_COLOR = QColor(130, 130, 130)
SHOWN_S = 60.0  # at most the first minute of each record is drawn


def _level_text(level: str) -> str:
    return paren(REFERRAL_EN[level] if language() == "en" else REFERRAL_JA[level])


class ComparisonFeatures(QObject):
    """The comparison in one window: the menu action, the status line and notices, the
    CompareWindow. What is compared, and when, is :class:`ComparisonFlow`'s (app/)."""

    compared = Signal(object)  # Comparison

    def __init__(self, window: Any, flow: ComparisonFlow) -> None:
        super().__init__(window)
        self.window = window
        self.state = window.state
        self.flow = flow
        self.compare_window: CompareWindow | None = None
        self._open_when_done = False
        self.action = QAction(tr("compare.action"), window)
        self.action.triggered.connect(self.open_comparison)
        window.actions_.insert("ui.menu.file", self.action, before="export_view")
        # what the comparison found, kept in the status bar while this ECG is open (a status
        # message alone is gone after 20 s, and the whole summary does not fit there); a click
        # opens the comparison window
        self.indicator = QToolButton()
        self.indicator.setAutoRaise(True)
        self.indicator.setVisible(False)
        self.indicator.clicked.connect(self.show_window)
        window.statusBar().insertPermanentWidget(0, self.indicator)
        self.state.recordChanged.connect(lambda _r: self.indicator.setVisible(False))
        flow.found.connect(self._found)
        flow.busy.connect(lambda: self.window.statusBar().showMessage(tr("compare.busy")))
        flow.compared.connect(self._compared)
        flow.failed.connect(self._failed)
        self.state.recordChanged.connect(lambda _r: setattr(self, "_open_when_done", False))

    @property
    def comparison(self) -> Comparison | None:
        return self.flow.comparison

    @comparison.setter
    def comparison(self, value: Comparison | None) -> None:
        self.flow.comparison = value

    @property
    def prior_record(self) -> EcgRecord | None:
        return self.flow.prior_record

    def _found(self, match: Any) -> None:
        self.window.statusBar().showMessage(tr("compare.found", date=match.recorded_at.strftime(
            "%Y-%m-%d %H:%M"), file=match.path.name), 15000)

    def _compared(self, cmp: Comparison) -> None:
        self.window.statusBar().clearMessage()  # "analysing the prior ECG…"
        self._show_indicator(cmp)
        self.compared.emit(cmp)
        if self._open_when_done or (self.compare_window is not None
                                    and self.compare_window.isVisible()):
            self._open_when_done = False
            self.show_window()

    def _show_indicator(self, cmp: Comparison) -> None:
        lang = language()
        self.indicator.setText(cmp.status_text(lang))
        self.indicator.setToolTip(f"{cmp.summary(lang)}\n{tr('compare.status_tip', lang)}")
        self.indicator.setVisible(True)

    def _failed(self, exc: BaseException) -> None:
        self._open_when_done = False
        if not isinstance(exc, EcgError):  # never the raw exception text: it goes to the log
            log.warning("comparison failed: %r", exc)

        def text(lang: str) -> str:
            msg = user_message(exc, lang) if isinstance(exc, EcgError) else \
                tr("notice.compare_unexpected", lang)
            return tr("compare.failed", lang, error=msg)

        self.window.statusBar().showMessage(text(language()), 15000)
        # the window's one non-modal notice area, for as long as this ECG is on screen
        self.window.notices.notify(text, record_bound=True)

    def open_comparison(self) -> None:
        """The menu action: show the comparison, or ask for the prior file when there is none."""
        if self.state.record is None:
            self.window.statusBar().showMessage(tr("compare.no_record"), 8000)
            return
        if self.comparison is not None:
            self.show_window()
            return
        why = why_no_search(self.state.record)
        if why:
            self.window.statusBar().showMessage(tr(why), 15000)
        self.pick_prior()

    def pick_prior(self) -> None:
        """Ask for the prior ECG file and compare with it (also from the comparison window's
        「別の前回心電図を選ぶ…」: the prior found automatically may not be the one wanted)."""
        if self.state.record is None:
            return
        parent = self.compare_window if self.compare_window is not None and \
            self.compare_window.isVisible() else self.window
        exts = " ".join(f"*{e}" for e in supported_extensions())
        start = str(Path(self.state.path).parent) if self.state.path else ""
        path, _ = QFileDialog.getOpenFileName(parent, tr("compare.pick_title"), start,
                                              f"{tr('ui.open.filter')} ({exts})")
        if path:
            self.compare_file(path)

    def compare_file(self, path: str) -> None:
        """Compare the open ECG with ``path`` (picked by hand) and show the window."""
        self._open_when_done = True
        if not self.flow.compare_file(path):  # the analysis of the open ECG has not arrived
            self._open_when_done = False
            self.window.statusBar().showMessage(tr("analysis.running"), 8000)

    def show_window(self) -> None:
        if self.comparison is None or self.state.record is None or self.prior_record is None:
            return
        if self.compare_window is None:
            self.compare_window = CompareWindow(self.window)
            self.compare_window.pick_other.clicked.connect(self.pick_prior)
        self.compare_window.show_comparison(self.comparison, self.state.record, self.prior_record,
                                           self.state.settings, self.window.view.px_per_mm_true)
        self.compare_window.show()
        self.compare_window.raise_()

    def retranslate(self) -> None:
        self.action.setText(tr("compare.action"))
        if self.comparison is not None and self.indicator.isVisible():
            self._show_indicator(self.comparison)
        if self.compare_window is not None and self.compare_window.isVisible():
            self.show_window()


class CompareWindow(QMainWindow):
    """Current and prior ECG one above the other at the same scale, the changes, the findings,
    the median beats overlaid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("compare.title"))
        self.current_label, self.prior_label = QLabel(), QLabel()
        self.current_view, self.prior_view = EcgPageView(), EcgPageView()
        pages = QSplitter(Qt.Orientation.Vertical)
        for label, view in ((self.current_label, self.current_view),
                            (self.prior_label, self.prior_view)):
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(label)
            lay.addWidget(view, 1)
            pages.addWidget(box)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.pick_other = QPushButton(tr("compare.pick_other"))
        self.findings = QLabel()
        self.findings.setWordWrap(True)
        self.findings.setTextFormat(Qt.TextFormat.RichText)
        self.median_title = QLabel()
        self.medians = pg.GraphicsLayoutWidget()
        self.medians.setBackground(pg.mkColor(255, 248, 246))
        side = QWidget()
        lay = QVBoxLayout(side)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.summary)
        lay.addWidget(self.pick_other, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.table, 2)
        lay.addWidget(self.findings)
        lay.addWidget(self.median_title)
        lay.addWidget(self.medians, 3)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(pages)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.setCentralWidget(split)
        self.comparison: Comparison | None = None
        self.median_plots: dict[str, pg.PlotItem] = {}
        self.resize(1500, 900)
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        if screen is not None:  # never larger than the screen (1366x768 laptops)
            avail = screen.availableGeometry()
            self.resize(min(1500, int(avail.width() * 0.95)), min(900, int(avail.height() * 0.9)))

    def show_comparison(self, cmp: Comparison, current: EcgRecord, prior: EcgRecord,
                        settings: Any, px_per_mm_true: float | None = None) -> None:
        self.comparison = cmp
        lang = language()
        self.setWindowTitle(tr("compare.title"))
        self.pick_other.setText(tr("compare.pick_other"))
        how = tr(f"compare.match.{cmp.match}")
        self.current_label.setText(tr("compare.current_label", date=cmp.current.date_text(lang),
                                      file=Path(cmp.current.file).name))
        prior_text = tr("compare.prior_label", date=cmp.prior.date_text(lang),
                        file=cmp.prior_file_text(), how=how)
        note = cmp.unmatched_note(lang)  # no ID matched the patient: both sexes and ages
        self.prior_label.setText(prior_text if note is None else f"{prior_text}\n{note}")
        self.prior_label.setStyleSheet("" if note is None else "color: #be0000")
        s = dataclasses.replace(settings, start_s=0.0)
        for view, rec in ((self.current_view, current), (self.prior_view, prior)):
            if px_per_mm_true:
                view.px_per_mm_true = px_per_mm_true
            n = int(SHOWN_S * rec.fs_hz)
            shown = rec if rec.n_samples <= n else rec.with_signal(rec.signal_mv[:, :n])
            sig = apply_filters(shown.signal_mv, shown.fs_hz, s.filters) \
                if s.filters.any_on else shown.signal_mv
            view.set_page(layout_page(shown, s), sig, shown.fs_hz)
        QTimer.singleShot(0, self._same_scale)
        note = cmp.unmatched_note(lang)
        self.summary.setText(cmp.summary(lang) if note is None
                             else f"{cmp.summary(lang)}\n{note}")
        self._fill_table(cmp)
        self._fill_findings(cmp, lang)
        self.median_title.setText(tr("compare.median_title"))
        self._draw_medians(cmp)

    def _same_scale(self) -> None:
        """Both pages fitted into their panes, at the smaller of the two zooms (same mm scale)."""
        self.current_view.fit_page()
        self.prior_view.fit_page()
        ppm = min(self.current_view.px_per_mm(), self.prior_view.px_per_mm())
        self.current_view.zoom_to(ppm)
        self.prior_view.zoom_to(ppm)

    def _fill_table(self, cmp: Comparison) -> None:
        heads = ("compare.col.item", "compare.col.prior", "compare.col.current",
                 "compare.col.change", "compare.col.mark")
        self.table.setHorizontalHeaderLabels([tr(h) for h in heads])
        self.table.setRowCount(len(cmp.changes))
        for row, ch in enumerate(cmp.changes):
            def fmt(v: float | None, signed: bool = False, unit: str = ch.unit) -> str:
                return value_with_unit(v, unit, signed=signed)
            mark = ""
            if ch.marked:
                mark = "▲ " + tr("compare.mark") + (_level_text(ch.level) if ch.level else "")
            elif ch.low_confidence and ch.change is not None:  # greyed values: no mark
                mark = tr("meas.conf_low_mark")
            cells = (ch.label.text(), fmt(ch.prior), fmt(ch.current), fmt(ch.change, True), mark)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if ch.marked and col in (0, 3, 4):
                    item.setForeground(MARK_COLOR)
                elif ch.low_confidence and ch.change is not None:
                    item.setForeground(LOW_COLOR)  # greyed, as the PDF's table
                if ch.marked:
                    item.setToolTip(f"{ch.text()}\n{mark}")
                self.table.setItem(row, col, item)
        for col in range(4):
            self.table.resizeColumnToContents(col)
        # the mark column takes the rest and elides (full text on hover): no horizontal scrolling
        self.table.horizontalHeader().setStretchLastSection(True)
        # every row in view, one text line high, no more: at 1366x768 the table showed 6 of its
        # 9 rows and the only marked one (QRS axis +60°) sat under the fold (QA 71); the median
        # beats below take the height that is left
        t = self.table
        t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 6)
        t.setFixedHeight(t.horizontalHeader().sizeHint().height() + 2 * t.frameWidth()
                         + t.rowCount() * t.verticalHeader().defaultSectionSize() + 2)

    def _fill_findings(self, cmp: Comparison, lang: str) -> None:
        if not cmp.findings_compared:
            texts = [tr(cmp.not_comparable)] if cmp.not_comparable else []
            self.findings.setText("<br>".join([*texts, tr("compare.findings_unavailable")]))
            return

        def items(fs: tuple, color: str) -> str:
            if not fs:
                return tr("compare.none")
            return (", " if lang == "en" else "、").join(f'<span style="color:{color}">{f.ja if lang == "ja" else f.en}'
                            f"</span>" for f in fs)
        parts = [f"<b>{tr('compare.new_header')}</b>: {items(cmp.new_findings, '#be0000')}",
                 f"<b>{tr('compare.resolved_header')}</b>: "
                 f"{items(cmp.resolved_findings, '#1e50dc')}"]
        if cmp.not_assessable:  # hidden by a new LBBB / paced rhythm: not "resolved"
            parts.append(f"<b>{not_assessable_title(cmp.masked_by, lang)}</b>: "
                         f"{items(cmp.not_assessable, '#808080')}")
        if cmp.new_axis_deviation:
            r = next(x for x in cmp.raises if x.id.startswith("new_axis:"))
            parts.append(f'<span style="color:#be0000">{r.text(lang)}'
                         "</span>")
        parts.append(f'<span style="color:#900">{tr("compare.notice")}</span>')
        self.findings.setText("<br>".join(parts))

    def _draw_medians(self, cmp: Comparison) -> None:
        self.medians.clear()
        self.median_plots = {}
        for i, lead in enumerate(CANONICAL_LEADS):
            row, col = divmod(i, 4)
            p = self.medians.addPlot(row=row, col=col)
            p.hideAxis("left")
            p.hideAxis("bottom")
            p.setMouseEnabled(False, False)
            # no pyqtgraph menu (English, and its "View All" / "Log Y" broke the one mV scale)
            # and no auto-range button, as median_beat.py (QA 67)
            p.setMenuEnabled(False)
            p.hideButtons()
            p.setTitle(lead, size="8pt")
            for mb, pen in ((cmp.prior_median, PRIOR_PEN), (cmp.current_median, CURRENT_PEN)):
                if mb is None or lead not in mb.lead_names:
                    continue
                t = mb.time_ms
                keep = (t >= -300) & (t <= 600)
                v = np.asarray(mb.lead(lead), dtype=np.float64)[keep]
                v = v - np.nanmedian(v[: max(1, len(v) // 10)])
                p.plot(t[keep], v, pen=pen)
            p.setXRange(-300, 600, padding=0)
            p.setYRange(-1.5, 1.5, padding=0)  # the same mV scale in every panel
            self.median_plots[lead] = p
