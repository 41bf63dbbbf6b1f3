"""The window's review features, added to the viewer's main window without changing it:
File → Export report (PDF / JSON / FHIR), File → Print report (Qt's print dialog), File → Open
folder as worklist, a review dock and a worklist dock.

The PDF comes from the same reportlab writer as ``ecg-viewer report`` (QPdfWriter is not used:
it turns CJK into Kangxi radicals). Printing renders that PDF's pages with pypdfium2 at the
printer's resolution onto full A4 landscape sheets, so the grid stays true to scale.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QAction, QImage, QKeySequence, QPageLayout, QPageSize, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QMessageBox,
    QScrollArea,
)

from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.messages import tr
from ecg_viewer.gui.review_panel import ReviewPanel
from ecg_viewer.gui.worklist_panel import WorklistPanel
from ecg_viewer.review import Annotation, Review, ReviewStore, ReviewStoreError
from ecg_viewer.signal.calipers import Caliper

if TYPE_CHECKING:  # the report modules load when a report is first made, not at start
    from ecg_viewer.report.content import ReportContent

log = logging.getLogger(__name__)


def _catalog_or_none() -> Any:
    """The label catalog (as report.export's, without importing the PDF writer: reportlab
    loads when a report is first written, not before the window shows)."""
    try:
        from ecg_viewer.labels.catalog import default_catalog

        return default_catalog()
    except (ImportError, EcgError, OSError, ValueError):
        return None


def caliper_to_annotation(c: Caliper) -> Annotation:
    return Annotation.from_dict(c.to_dict())


def annotation_to_caliper(a: Annotation) -> Caliper | None:
    if a.kind not in ("time", "amplitude") or not a.lead:
        return None
    return Caliper(kind=a.kind, lead=a.lead, t0_s=a.t0_s,
                   t1_s=a.t1_s if a.t1_s is not None else a.t0_s,
                   v0_mv=a.v0_mv or 0.0, v1_mv=a.v1_mv or 0.0)


class ReviewFeatures:
    """Owns the review store, the review and worklist docks and the report actions of ``win``
    (a :class:`~ecg_viewer.gui.main_window.MainWindow`)."""

    def __init__(self, win: Any, store: ReviewStore | None = None) -> None:
        self.win = win
        self.catalog = _catalog_or_none()
        self.store = store
        if self.store is None:
            try:
                self.store = ReviewStore()
            except ReviewStoreError as exc:
                log.warning("review database unavailable: %s", exc)
                win.statusBar().showMessage(tr("review.ui.unavailable", reason=exc.message_ja))
        self.review_panel = ReviewPanel(self.store, self.catalog)
        self.review_dock = QDockWidget(tr("review.ui.title"), win)
        self.review_dock.setObjectName("review_dock")
        scroll = QScrollArea()  # the dock may be short (other docks): the panel scrolls
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.review_panel)
        self.review_dock.setWidget(scroll)
        win.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.review_dock)
        self.worklist = WorklistPanel(self.store)
        self.worklist_dock = QDockWidget(tr("worklist.title"), win)
        self.worklist_dock.setObjectName("worklist_dock")
        self.worklist_dock.setWidget(self.worklist)
        win.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.worklist_dock)
        self.worklist_dock.hide()

        self.actions = {
            "export_report": self._action("report.ui.export", self.export_dialog, "Ctrl+Shift+E"),
            "print_report": self._action("report.ui.print", self.print_dialog, "Ctrl+P"),
            "open_worklist": self._action("worklist.open_folder", self.open_folder_dialog,
                                          "Ctrl+Shift+O"),
        }
        self._add_to_file_menu()

        state = win.state
        state.recordChanged.connect(self._record_changed)
        state.analysisChanged.connect(self.review_panel.set_analysis)
        state.calipersChanged.connect(self._calipers_changed)
        self.review_panel.failed.connect(lambda m: win.statusBar().showMessage(m, 15000))
        self.review_panel.reviewChanged.connect(self._review_saved)
        self.worklist.openRequested.connect(win.controller.open_file)
        if state.record is not None:
            self._record_changed(state.record)

    def _action(self, key: str, slot: Any, shortcut: str) -> QAction:
        a = QAction(tr(key), self.win)
        a.setObjectName(key)
        a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(lambda _c=False: slot())
        self.win.addAction(a)
        return a

    def _add_to_file_menu(self) -> None:
        menus = getattr(self.win.actions_, "menus", [])
        file_menu = next((m for m, key in menus if key == "ui.menu.file"), None)
        if file_menu is None:
            return
        before = self.win.actions_.actions.get("quit")
        for a in self.actions.values():
            file_menu.insertAction(before, a) if before else file_menu.addAction(a)
        if before:
            file_menu.insertSeparator(before)

    def retranslate(self) -> None:
        for key, a in ((a.objectName(), a) for a in self.actions.values()):
            a.setText(tr(key))
        self.review_dock.setWindowTitle(tr("review.ui.title"))
        self.worklist_dock.setWindowTitle(tr("worklist.title"))
        self.review_panel.retranslate()
        self.worklist.retranslate()

    # --- state -> review -------------------------------------------------------------------------
    def _record_changed(self, record: Any) -> None:
        self.review_panel.set_record(record)
        review = self.review_panel.review
        if review is not None and review.annotations and not self.win.state.calipers:
            self._restoring = True
            try:  # the calipers placed in an earlier session come back on screen
                for a in review.annotations:
                    c = annotation_to_caliper(a)
                    if c is not None:
                        self.win.state.add_caliper(c)
            finally:
                self._restoring = False

    def _calipers_changed(self) -> None:
        if getattr(self, "_restoring", False) or self.store is None:
            return
        rec = self.win.state.record
        if rec is None or not rec.sha256:
            return
        stored = self.store.get(rec.sha256)
        notes = tuple(a for a in stored.annotations if a.kind == "note")
        new = notes + tuple(caliper_to_annotation(c) for c in self.win.state.calipers)
        if new != stored.annotations:
            try:
                self.review_panel.review = self.store.set_annotations(
                    rec.sha256, new, self.review_panel.context())
            except ReviewStoreError as exc:
                self.win.statusBar().showMessage(exc.message_ja, 15000)

    def _review_saved(self, review: Review) -> None:
        who = review.reviewer or ""
        when = (review.updated_at or "")[:16].replace("T", " ")
        self.win.statusBar().showMessage(tr("review.ui.saved", who=who, when=when), 5000)
        self.worklist.refresh_reviews()

    # --- the report --------------------------------------------------------------------------------
    def content(self) -> ReportContent | None:
        state = self.win.state
        if state.record is None:
            return None
        analysis = state.analysis
        if analysis is None:  # model still loading or unavailable: measurements and quality
            from ecg_viewer.pipeline.analyze import Analyzer

            self.win.statusBar().showMessage(tr("report.ui.analysing"), 8000)
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                analysis = Analyzer(load_model=False).analyze(state.record)
            finally:
                QApplication.restoreOverrideCursor()
        review = self.store.get(state.record.sha256) \
            if self.store is not None and state.record.sha256 else None
        feats = getattr(self.win, "comparison_features", None)  # the prior ECG (issue 14)
        from ecg_viewer.report.content import ReportContent

        return ReportContent(state.record, analysis, review, page_settings=state.settings,
                             catalog=self.catalog,
                             comparison=feats.comparison if feats is not None else None)

    def export(self, path: str | Path) -> list[Path]:
        """Write the report to ``path`` (.pdf, .json or .fhir.json), atomically."""
        content = self.content()
        if content is None:
            raise ValueError(tr("report.ui.no_record"))
        from ecg_viewer.report.export import write_reports

        name = str(path).lower()
        if name.endswith(".fhir.json"):
            return write_reports(content, fhir_out=path)
        if name.endswith(".json"):
            return write_reports(content, json_out=path)
        return write_reports(content, path if name.endswith(".pdf") else f"{path}.pdf")

    def export_dialog(self) -> None:
        if self.win.state.record is None:
            QMessageBox.information(self.win, tr("report.ui.export_title"), tr("report.ui.no_record"))
            return
        stem = Path(self.win.state.path or "ecg").stem
        filters = ";;".join(tr(k) for k in ("report.ui.filter_pdf", "report.ui.filter_json",
                                            "report.ui.filter_fhir"))
        path, chosen = QFileDialog.getSaveFileName(
            self.win, tr("report.ui.export_title"), str(Path.home() / f"{stem}_report.pdf"), filters)
        if not path:
            return
        if chosen == tr("report.ui.filter_fhir") and not path.endswith(".fhir.json"):
            path = str(Path(path).with_suffix("")) + ".fhir.json"
        elif chosen == tr("report.ui.filter_json") and not path.endswith(".json"):
            path += ".json"
        try:
            written = self.export(path)
        except (EcgError, OSError, ValueError) as exc:
            msg = exc.message_ja if isinstance(exc, EcgError) else str(exc)
            QMessageBox.warning(self.win, tr("report.ui.export_title"), msg)
            return
        self.win.statusBar().showMessage(tr("report.written", path=written[0]), 8000)

    def print_dialog(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        content = self.content()
        if content is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dlg = QPrintDialog(printer, self.win)
        if dlg.exec() != QPrintDialog.DialogCode.Accepted:
            return
        from ecg_viewer.report.pdf import pdf_bytes

        try:
            pages = print_pdf(pdf_bytes(content), printer)
        except (OSError, RuntimeError, ValueError) as exc:
            QMessageBox.warning(self.win, tr("report.ui.print"),
                                tr("report.ui.print_failed", reason=exc))
            return
        self.win.statusBar().showMessage(tr("report.ui.printed", pages=pages), 8000)

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.win, tr("worklist.open_folder"),
                                                  self.win.app_settings.last_dir())
        if folder and hasattr(self.win, "reading_desk"):  # keyboard reading: focus, progress
            self.win.reading_desk.open_folder(folder)
        elif folder:
            self.worklist_dock.show()
            self.worklist.open_folder(folder)

    def shutdown(self) -> None:
        """Stop the worklist thread and close the database (the window is closing)."""
        self.worklist.shutdown()
        store, self.store = self.store, None
        self.review_panel.store = None
        self.worklist.store = None
        if store is not None:
            store.close()


def print_pdf(pdf: bytes, printer: Any, max_dpi: int = 600) -> int:
    """Paint every page of ``pdf`` on ``printer`` (A4 landscape, full page, true scale)."""
    import pypdfium2 as pdfium

    printer.setFullPage(True)
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                      QPageLayout.Orientation.Landscape, QMarginsF(0, 0, 0, 0)))
    doc = pdfium.PdfDocument(pdf)
    painter = QPainter()
    if not painter.begin(printer):
        raise RuntimeError("the printer could not be opened")
    try:
        dpi = min(max_dpi, printer.resolution())
        for i in range(len(doc)):
            if i:
                printer.newPage()
            page = doc[i]
            bitmap = page.render(scale=dpi / 72.0, rev_byteorder=True)  # RGB
            pixels = np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])
            h, w = pixels.shape[:2]
            image = QImage(pixels.data, w, h, w * 3, QImage.Format.Format_RGB888)
            target = printer.pageLayout().fullRectPixels(printer.resolution())
            painter.drawImage(QRectF(target), image)
        return len(doc)
    finally:
        painter.end()
        doc.close()
