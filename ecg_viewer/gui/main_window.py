"""The main window: header, the ECG page, the suggestions panel, menus, toolbar, status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QScrollBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ecg_viewer.app.analysis_flow import AnalysisFlow
from ecg_viewer.app.analysis_service import default_analyzer_factory
from ecg_viewer.app.comparison_flow import ComparisonFlow
from ecg_viewer.app.controller import Controller
from ecg_viewer.app.report_jobs import ReportJobs
from ecg_viewer.app.review_session import ReviewSession, open_review_store
from ecg_viewer.app.settings import AppSettings
from ecg_viewer.app.state import ViewerState
from ecg_viewer.app.worker import wait_all
from ecg_viewer.app.worklist_service import WorklistService
from ecg_viewer.core.errors import user_message
from ecg_viewer.core.messages import language, set_language, tr
from ecg_viewer.core.printable import printable_path
from ecg_viewer.gui.about_dialog import AboutDialog
from ecg_viewer.gui.actions import build_actions, build_menus, build_toolbar
from ecg_viewer.gui.analysis_view import AnalysisView
from ecg_viewer.gui.compare_view import ComparisonFeatures
from ecg_viewer.gui.criteria_panel import install_criteria_dock, retranslate_criteria_dock
from ecg_viewer.gui.focus_chain import tab_to_shown
from ecg_viewer.gui.header import HeaderWidget, window_title
from ecg_viewer.gui.median_beat import install_median_beat_dock, retranslate_median_beat_dock
from ecg_viewer.gui.notice_area import ElidingStatusBar, NoticeArea
from ecg_viewer.gui.open_errors import load_failed
from ecg_viewer.gui.page_view import EcgPageView
from ecg_viewer.gui.qt_translations import install_qt_translations
from ecg_viewer.gui.reading_desk import ReadingDesk
from ecg_viewer.gui.report_menu import ReportMenu
from ecg_viewer.gui.review_dock import ReviewDock, WorklistDock
from ecg_viewer.gui.scale_dialog import ScaleDialog, screen_px_per_mm
from ecg_viewer.gui.shortcuts_dialog import ShortcutsDialog
from ecg_viewer.gui.status_fields import install_status_fields, settings_line
from ecg_viewer.gui.suggestion_strip import SuggestionStrip
from ecg_viewer.gui.suggestions_panel import SuggestionsPanel
from ecg_viewer.gui.window_layout import (
    ReadingMode,
    arrange_docks,
    available_rect,
    drop_stale_tab_bars,
    fit_window,
    fits,
    panel_sizes,
    reading_mode_wanted,
    restore_layout,
    screen_class,
    zoom_text,
)
from ecg_viewer.io import supported_extensions
from ecg_viewer.labels.catalog import catalog_or_none
from ecg_viewer.review import ReviewStore
from ecg_viewer.signal.filters import FilterSettings
from ecg_viewer.signal.page import GAINS_MM_MV, SPEEDS_MM_S

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, settings: AppSettings | None = None, use_stored_language: bool = True,
                 analyzer_factory: Callable[[], Any] | None = None,
                 review_store: ReviewStore | None = None) -> None:
        """``analyzer_factory``: a callable returning the Analyzer (default: ``make_analyzer``
        with the shipped model); the window, the worklist and the comparison use it.
        ``review_store``: the review database (default: the user's)."""
        super().__init__()
        self.setStatusBar(ElidingStatusBar(self))  # long messages cut before the fields
        self.app_settings = settings or AppSettings()
        lang = self.app_settings.language() if use_stored_language else None
        if lang and lang != language():
            set_language(lang)
        install_qt_translations(language())  # Qt's dialogs (OK/Cancel, files) in it too
        self.state = ViewerState(self.app_settings.page_settings())
        self.controller = Controller(self.state, self.app_settings)
        self.last_error: str | None = None
        self.error_box: QMessageBox | None = None
        self._before_raw: FilterSettings | None = None
        self._toggle_values = {"highpass": 0.05, "notch": 50.0, "lowpass": 150.0}
        self._frame_checked = False  # the frame was checked against the screen (showEvent)
        self._size_splitter = False  # size the splitter once the window is shown
        self.shortcuts_dialog: ShortcutsDialog | None = None  # F1, made when first asked for
        self.about_dialog: AboutDialog | None = None  # Help → About, likewise

        self.header = HeaderWidget()
        self.view = EcgPageView()
        self.panel = SuggestionsPanel()
        self.strip = SuggestionStrip()  # the suggestions in one line (reading mode)
        self.strip.setVisible(False)
        # the time scroll bar under the page, shown for records longer than the page
        self.scrollbar = QScrollBar(Qt.Orientation.Horizontal)
        self.scrollbar.setVisible(False)
        self.scrollbar.valueChanged.connect(self._scrolled)
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        left_lay.setSpacing(0)
        left_lay.addWidget(self.strip)
        left_lay.addWidget(self.view, 1)
        left_lay.addWidget(self.scrollbar)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.panel)
        # the page takes every change of the central width (a worklist shown or hidden, a wider
        # window); the suggestions panel keeps the width it was given (window_layout.PANEL_PX or
        # the user's): at 4:1 it lost a fifth of the worklist's 270 px each time the list came
        # up, its findings cut to "●…" by the next start (1366×768, English)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.header)
        self.notices = NoticeArea()  # failures collect here: never a message box per file
        lay.addWidget(self.notices)
        lay.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.actions_ = build_actions(self)
        self.recent_menu = build_menus(self, self.actions_)
        self.toolbar = build_toolbar(self, self.actions_)
        self.speed_combo = QComboBox()
        self.speed_combo.addItems([f"{v:g} mm/s" for v in SPEEDS_MM_S])
        self.speed_combo.currentIndexChanged.connect(
            lambda i: self.controller.set_speed(SPEEDS_MM_S[i]) if i >= 0 else None)
        self.gain_combo = QComboBox()
        self.gain_combo.addItems([f"{v:g} mm/mV" for v in GAINS_MM_MV])
        self.gain_combo.currentIndexChanged.connect(
            lambda i: self.controller.set_gain(GAINS_MM_MV[i]) if i >= 0 else None)
        self.toolbar.insertSeparator(self.actions_["toggle:highpass"])
        self.toolbar.insertWidget(self.actions_["toggle:highpass"], self.speed_combo)
        self.toolbar.insertWidget(self.actions_["toggle:highpass"], self.gain_combo)
        self.toolbar.insertSeparator(self.actions_["toggle:highpass"])
        self.filter_label, self.zoom_label = install_status_fields(self)  # the settings line elides
        self.setAcceptDrops(True)

        ppm = self.app_settings.px_per_mm() or screen_px_per_mm(self)[0]
        self.view.px_per_mm_true = ppm
        self.view.caliperPlaced.connect(self._caliper_placed)
        self.view.caliperRefused.connect(lambda key: self.statusBar().showMessage(tr(key), 8000))
        self.view.zoomChanged.connect(self._zoom_changed)
        self.state.recordChanged.connect(self._record_changed)
        self.state.settingsChanged.connect(lambda _s: self.redraw())
        self.state.calipersChanged.connect(lambda: self.view.set_calipers(self.state.calipers))
        self.state.measurementsChanged.connect(
            lambda m: self.header.set_measurements(m.to_dict() if m is not None else None))
        self.state.analysisChanged.connect(self._analysis_changed)
        self.controller.loadStarted.connect(
            lambda p: self.statusBar().showMessage(tr("ui.open.loading", file=Path(p).name)))
        self.controller.loadFailed.connect(lambda path, exc: load_failed(self, path, exc))
        self.controller.info.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.controller.recentChanged.connect(self._fill_recent)

        self._fill_recent(self.app_settings.recent_files())
        self.reading_mode = ReadingMode(self)
        self.screen_class = screen_class(available_rect(self).size())
        factory = analyzer_factory or default_analyzer_factory
        self.catalog = catalog_or_none()  # loaded once per process, handed to who needs it
        self.panel.catalog = self.catalog
        # without a store the viewer works; a notice says why until closed (QA 72: it flashed)
        review_store, why = (review_store, None) if review_store is not None else open_review_store()
        if why is not None:
            self.notices.notify(lambda lang: tr("review.ui.unavailable", lang,
                                                reason=user_message(why, lang)))
        self.store = review_store
        # what is computed (app/): record -> measurements -> analysis, the prior ECG, reports
        self.flow = AnalysisFlow(self.state, factory, self)
        self.comparison = ComparisonFlow(self.state, factory, self)
        self.worklist_service = WorklistService(parent=self, analyzer_factory=factory)
        self.comparison.extra_files = lambda: self.worklist_service.files
        # the docks and menus that show it (gui/)
        self.analysis_view = AnalysisView(self, self.flow, self.panel, self.header)
        self.review_dock = ReviewDock(self, self.state, self.store, self.catalog)
        self.review = ReviewSession(self.state, self.store, self.review_dock.panel.context, self)
        self.review_dock.connect_session(self.review)
        self.worklist = WorklistDock(self, self.store, self.worklist_service)
        for signal in (self.review_dock.panel.reviewChanged,
                       self.review_dock.panel.changedElsewhere):
            signal.connect(lambda _r: self.worklist.panel.refresh_reviews())
        self.worklist.panel.openRequested.connect(self.controller.open_file)
        self.report_jobs = ReportJobs(self.state, review_of=self.review.review_of,
                                      comparison_of=lambda: self.comparison.comparison,
                                      catalog=self.catalog, parent=self)
        self.report_menu = ReportMenu(self, self.actions_, self.report_jobs,
                                      open_folder=lambda f: self.reading_desk.open_folder(f),
                                      last_dir=self.app_settings.last_dir, notify=self.notices.notify)
        install_median_beat_dock(self)  # median beats with the fiducial points (issue 7)
        install_criteria_dock(self)  # the criteria features the suggestions rest on (issue 12)
        self.comparison_features = ComparisonFeatures(self, self.comparison)
        # keyboard reading of a worklist: keys, progress line, save on leaving (issue 14)
        self.reading_desk = ReadingDesk(self, self.review_dock, self.worklist, self.flow)
        self.retranslate()
        if self.store is not None and self.store.read_only:  # damaged or tampered: say so once
            st = self.store
            self.notices.notify(lambda lang: tr(
                "review.read_only", lang, path=st.path,
                reason=("、" if lang == "ja" else ", ").join(tr(k, lang) for k in st.problems)))
        QTimer.singleShot(0, self.flow.start)  # torch and the weights load behind the window
        # --- other docks/hooks go above this line: the layout below places every dock ---
        self.restore_or_fit_layout()

    # --- layout on the screen (issue 14: fits 1366×768 to 2560×1440 at 100/150 %) ------------
    def restore_or_fit_layout(self) -> None:
        """The stored geometry and docks when they were stored on a screen of the same class and
        still fit it (window_layout.restore_layout); otherwise a layout made for this screen."""
        if not restore_layout(self, self.app_settings):
            self.fit_to_screen()
            drop_stale_tab_bars(self)

    def fit_to_screen(self) -> None:
        """Size the window to the available screen and lay the docks out for it."""
        self.screen_class = fit_window(self)
        arrange_docks(self, self.screen_class)
        self.reading_mode.set(reading_mode_wanted(self), hide_docks=False)
        # the splitter's width is known once the docks are laid out (after show)
        if self.isVisible():
            self.splitter.setSizes(panel_sizes(self.splitter, self.screen_class))
            drop_stale_tab_bars(self)
        else:
            self._size_splitter = True

    def add_dock(self, dock: QDockWidget, area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
                 ) -> QDockWidget:
        """Add a dock after the window was laid out: it joins the right-hand tabs (the place
        every side dock has on a small screen), so it never pushes the page off."""
        self.addDockWidget(area, dock)
        right = [d for d in self.findChildren(QDockWidget) if d is not dock and not d.isHidden()
                 and self.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea]
        if right and area == Qt.DockWidgetArea.RightDockWidgetArea:
            self.tabifyDockWidget(right[0], dock)
        return dock

    def focusNextPrevChild(self, next: bool) -> bool:  # Tab: never into a dock tab behind another
        return tab_to_shown(next, super().focusNextPrevChild)

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        # the frame (title bar) is known now: shrink once if it pushes the window off the screen
        if not self._frame_checked:
            self._frame_checked = True
            if not fits(self):
                self.screen_class = fit_window(self)
        if self._size_splitter:
            self._size_splitter = False
            QTimer.singleShot(0, lambda: self.splitter.setSizes(
                panel_sizes(self.splitter, self.screen_class)))

    # --- drawing ----------------------------------------------------------------------------------
    def redraw(self) -> None:
        page = self.state.page()
        if page is None:
            self.view.show_empty()
        else:
            self.view.set_page(page, self.state.display_signal(), self.state.record.fs_hz)
        self._sync_scrollbar()
        self._sync_checks()

    def _sync_scrollbar(self) -> None:
        page = self.state.page()
        sb = self.scrollbar
        sb.blockSignals(True)
        if page is None or not page.can_scroll:
            sb.setVisible(False)
        else:  # in tenths of a second
            sb.setRange(0, int(round((page.duration_s - page.window_s) * 10)))
            sb.setPageStep(int(round(page.window_s * 10)))
            sb.setSingleStep(5)
            sb.setValue(int(round(page.start_s * 10)))
            sb.setVisible(True)
        sb.blockSignals(False)

    def _scrolled(self, value: int) -> None:
        self.state.update_settings(start_s=value / 10.0)

    def _record_changed(self, record) -> None:
        self.notices.record_changed()  # a notice about the previous ECG goes with it
        self.header.set_record(record, self.state.path)
        self.panel.show_placeholder()
        self.view.set_calipers(self.state.calipers)
        self.redraw()
        self.setWindowTitle(window_title(self.state.path))

    def _analysis_changed(self, analysis) -> None:
        if analysis is None:
            self.panel.show_placeholder()
            self.strip.show_text(tr("ui.suggest.busy") if self.state.record else
                                 tr("ui.suggest.placeholder"))
        else:
            self.panel.show_analysis(analysis)
            self.strip.show_analysis(analysis)

    def _sync_checks(self) -> None:
        s = self.state.settings
        a = self.actions_.actions
        a[f"layout:{s.layout}"].setChecked(True)
        if f"lead:{s.single_lead}" in a:
            a[f"lead:{s.single_lead}"].setChecked(True)
        if f"speed:{s.speed_mm_s:g}" in a:
            a[f"speed:{s.speed_mm_s:g}"].setChecked(True)
        for which, g in (("limb", s.gain_limb_mm_mv), ("chest", s.gain_chest_mm_mv)):
            if f"gain:{which}:{g:g}" in a:
                a[f"gain:{which}:{g:g}"].setChecked(True)
        if s.gain_limb_mm_mv == s.gain_chest_mm_mv and f"gain:both:{s.gain_limb_mm_mv:g}" in a:
            a[f"gain:both:{s.gain_limb_mm_mv:g}"].setChecked(True)
        f = s.filters
        for kind in ("highpass", "notch", "lowpass"):
            v = getattr(f, f"{kind}_hz")
            a[f"{kind}:off" if v is None else f"{kind}:{v:g}"].setChecked(True)
            a[f"toggle:{kind}"].setChecked(v is not None)
            if v is not None:
                self._toggle_values[kind] = v
        a["raw"].setChecked(not f.any_on)
        for combo, values, v in ((self.speed_combo, SPEEDS_MM_S, s.speed_mm_s),
                                 (self.gain_combo, GAINS_MM_MV, s.gain_limb_mm_mv)):
            combo.blockSignals(True)
            combo.setCurrentIndex(values.index(v) if v in values else -1)
            combo.blockSignals(False)
        self.filter_label.setText(settings_line(self.state))  # elided: the whole text on hover

    def _zoom_changed(self, ppm: float) -> None:
        pct = 100.0 * ppm / self.view.px_per_mm_true if self.view.px_per_mm_true else 0
        self.zoom_label.setText(zoom_text(pct, ppm, self.reading_mode.on))

    # --- files ------------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        exts = " ".join(f"*{e}" for e in supported_extensions())
        path, _ = QFileDialog.getOpenFileName(
            self, tr("ui.open.dialog_title"), self.app_settings.last_dir(),
            f"{tr('ui.open.filter')} ({exts});;{tr('ui.open.all_files')} (*)")
        if path:
            self.controller.open_file(path)

    def show_load_error(self, path: str, message: str | Callable[[str], str]) -> None:
        """A reader error (its text, or a function of the language): one more notice in the
        notice area (it stays when another ECG opens: it names its file, and a burst of opens
        must not hide the failures); the ECG on screen stays."""
        text = message if callable(message) else (lambda _lang: message)
        self.last_error = text(language())
        self.statusBar().showMessage(self.last_error, 15000)
        self.notices.notify(lambda lang: f"{text(lang)}\n{tr('ui.open.kept_previous', lang)}")

    def _fill_recent(self, files: list[str]) -> None:
        self.recent_menu.clear()
        for f in files:
            act = self.recent_menu.addAction(printable_path(f))  # opens f, the name on disk
            act.triggered.connect(lambda _c=False, f=f: self.controller.open_file(f))
        self.recent_menu.addSeparator()
        self.recent_menu.addAction(self.actions_["clear_recent"])

    def clear_recent(self) -> None:
        self.app_settings.clear_recent_files()
        self._fill_recent([])

    def dragEnterEvent(self, ev: QDragEnterEvent) -> None:
        if ev.mimeData().hasUrls() and any(u.isLocalFile() for u in ev.mimeData().urls()):
            ev.acceptProposedAction()

    def dropEvent(self, ev: QDropEvent) -> None:
        files = [u.toLocalFile() for u in ev.mimeData().urls() if u.isLocalFile()]
        if files:  # a folder: the worklist, as on the command line (QA 43: it was refused)
            if Path(files[0]).is_dir():
                self.reading_desk.open_folder(files[0])
            else:
                self.controller.open_file(files[0])
            if (more := len(files) - 1) > 0:
                self.notices.notify(lambda lang: tr("ui.open.only_first", lang, n=more))
            ev.acceptProposedAction()

    # --- filters, calipers, settings -----------------------------------------------------------------
    def toggle_filter(self, kind: str) -> None:
        self.controller.toggle_filter(kind, self._toggle_values[kind])

    def toggle_raw(self) -> None:
        """One click shows the raw signal; the next restores the filters that were on."""
        cur = self.state.settings.filters
        if cur.any_on:
            self._before_raw = cur
            self.controller.set_filters(FilterSettings())
        else:
            self.controller.set_filters(self._before_raw or FilterSettings.diagnostic())

    def diagnostic_filters(self) -> None:
        self.controller.set_filters(FilterSettings.diagnostic(self._toggle_values["notch"]))

    def set_caliper_mode(self, mode: str) -> None:
        new = None if self.view.caliper_mode == mode else mode
        self.view.set_caliper_mode(new)
        self.actions_["caliper:time"].setChecked(new == "time")
        self.actions_["caliper:amplitude"].setChecked(new == "amplitude")
        if new:
            key = "ui.status.caliper_hint_time" if new == "time" else "ui.status.caliper_hint_amp"
            self.statusBar().showMessage(tr(key))
        else:  # the hint goes with the mode (QA 43: it stayed after Esc)
            self.statusBar().clearMessage()

    def _caliper_placed(self, caliper) -> None:
        self.controller.add_caliper(caliper)
        self.statusBar().showMessage(caliper.text(), 8000)

    def escape(self) -> None:
        if self.view.caliper_mode:
            self.view.cancel_caliper()
            self.set_caliper_mode(self.view.caliper_mode)

    def scale_dialog(self) -> None:
        dlg = ScaleDialog(self.view.px_per_mm_true, self)
        if dlg.exec():
            self.app_settings.set_px_per_mm(dlg.px_per_mm())
            self.view.set_true_scale(dlg.px_per_mm())

    def show_shortcuts(self) -> None:
        """F1: the key list (not modal; made from the actions, in the language shown)."""
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.show_list()

    def show_about(self) -> None:
        """Help → About: versions, the weights' sha256, the model's limits (not modal)."""
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self.flow, self.catalog, self)
        self.about_dialog.show_about()

    def set_language(self, lang: str) -> None:
        set_language(lang)
        install_qt_translations(lang)
        self.app_settings.set_language(lang)
        self.retranslate()

    def retranslate(self) -> None:
        """Every text again in the language now set, from its key or Bilingual name."""
        self.actions_.retranslate()
        self.actions_[f"lang:{language()}"].setChecked(True)
        self.header.retranslate()
        self.notices.retranslate()
        self.panel.retranslate()
        self.strip.retranslate()
        if self.strip.analysis is None:
            self.strip.show_text(tr("ui.suggest.busy") if self.state.record else
                                 tr("ui.suggest.placeholder"))
        if self.zoom_label.text():  # made when the zoom changed: in the language of then
            self._zoom_changed(self.view.px_per_mm())
        self.statusBar().clearMessage()  # a passing message in the other language goes
        self.setWindowTitle(window_title(self.state.path))
        self.redraw()
        self.view.set_calipers(self.state.calipers)
        self.analysis_view.retranslate()
        self.review_dock.retranslate()
        self.worklist.retranslate()
        self.report_menu.retranslate()
        retranslate_median_beat_dock(self)
        retranslate_criteria_dock(self)
        self.comparison_features.retranslate()
        self.reading_desk.retranslate()
        for dialog in (self.shortcuts_dialog, self.about_dialog):
            if dialog is not None:
                dialog.refresh()

    def closeEvent(self, ev: QCloseEvent) -> None:
        self.app_settings.set_geometry(self.saveGeometry())
        self.reading_mode.set(False)  # the docks it hid are saved open (QA 67: lost at restart)
        self.app_settings.set_window_state(self.saveState())
        self.app_settings.set_splitter(self.splitter.saveState())
        self.app_settings.set_screen_class(self.screen_class)
        self.app_settings.set_page_settings(self.state.settings)
        self.app_settings.sync()
        self.reading_desk.leave_case()
        self.shutdown()
        super().closeEvent(ev)

    def shutdown(self, ms: int = 10000) -> None:
        """Stop every lane of this window (pending work dropped, the running request ends) and
        close the review database."""
        self.worklist.shutdown()
        for part in (self.flow, self.comparison, self.report_jobs, self.controller):
            part.shutdown(ms)
        wait_all(ms)
        self.store = None
        self.review_dock.detach_store()
        self.review.close()
