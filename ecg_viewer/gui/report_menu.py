"""File → Export report (PDF / JSON / FHIR), File → Print report, File → Open folder as worklist.

The report is made by the app's :class:`~ecg_viewer.app.report_jobs.ReportJobs` on its lane (the
same content as ``ecg-viewer report``); this module only asks for a file name or a printer and
shows the outcome. The PDF comes from the reportlab writer (QPdfWriter is not used: it turns CJK
into Kangxi radicals). Printing renders that PDF's pages with pypdfium2 at the printer's
resolution onto full A4 landscape sheets, so the grid stays true to scale.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QMarginsF, QRectF
from PySide6.QtGui import QAction, QImage, QKeySequence, QPageLayout, QPageSize, QPainter
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from ecg_viewer.app.report_jobs import ReportJobs, report_path
from ecg_viewer.core.errors import user_message
from ecg_viewer.core.messages import tr
from ecg_viewer.gui.actions import ActionSet

log = logging.getLogger(__name__)

#: action name -> (message key, shortcut)
ACTIONS = {
    "export_report": ("report.ui.export", "Ctrl+Shift+E"),
    "print_report": ("report.ui.print", "Ctrl+P"),
    "open_worklist": ("worklist.open_folder", "Ctrl+Shift+O"),
}


class ReportMenu:
    """The report actions of ``win`` (in its File menu, before Quit)."""

    def __init__(self, win: QMainWindow, actions: ActionSet, jobs: ReportJobs,
                 open_folder: Callable[[str], Any], last_dir: Callable[[], str],
                 notify: Callable[..., Any] | None = None) -> None:
        self.win = win
        self.notify = notify  # the window's notice strip
        self.jobs = jobs
        self.open_folder = open_folder
        self.last_dir = last_dir
        self._printer: Any = None
        slots = {"export_report": self.export_dialog, "print_report": self.print_dialog,
                 "open_worklist": self.open_folder_dialog}
        self.actions: dict[str, QAction] = {}
        for name, (key, shortcut) in ACTIONS.items():
            a = QAction(tr(key), win)
            a.setObjectName(key)
            a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(lambda _c=False, slot=slots[name]: slot())
            win.addAction(a)
            actions.insert("ui.menu.file", a, before="quit")
            self.actions[name] = a
        actions.menu_of("ui.menu.file").insertSeparator(actions["quit"])
        jobs.exported.connect(self._exported)
        jobs.exportFailed.connect(lambda exc: self._failed("report.ui.export_title", exc))
        jobs.pdfReady.connect(self._print)
        jobs.pdfFailed.connect(lambda exc: self._failed("report.ui.print", exc))

    def retranslate(self) -> None:
        for a in self.actions.values():
            a.setText(tr(a.objectName()))

    # --- export ------------------------------------------------------------------------------------
    def export_dialog(self) -> None:
        state = self.jobs.state
        if state.record is None:
            QMessageBox.information(self.win, tr("report.ui.export_title"), tr("report.ui.no_record"))
            return
        stem = Path(state.path or "ecg").stem
        kinds = {tr("report.ui.filter_pdf"): "pdf", tr("report.ui.filter_json"): "json",
                 tr("report.ui.filter_fhir"): "fhir"}
        path, chosen = QFileDialog.getSaveFileName(
            self.win, tr("report.ui.export_title"), str(Path.home() / f"{stem}_report.pdf"),
            ";;".join(kinds))
        if not path:
            return
        target = report_path(path, kinds.get(chosen, ""))
        # the dialog asked about the name as typed; the file written may be another one (QA 66:
        # 「foo」 with the PDF filter replaced an existing foo.pdf without a question)
        try:
            present = target != Path(path) and target.exists()
        except OSError:  # a name the file system refuses: the export itself says so (QA 73)
            present = False
        if present:
            answer = QMessageBox.question(
                self.win, tr("report.ui.export_title"), tr("report.ui.replace", name=target.name),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.export(target)

    def export(self, path: str | Path) -> int:
        """Write the report to ``path`` on the report lane (the status bar says when done)."""
        self._busy()
        return self.jobs.export(path)

    def _busy(self) -> None:
        if self.jobs.needs_analysis:  # the model has not answered: the report is made without
            self.win.statusBar().showMessage(tr("report.ui.analysing"), 8000)

    def _exported(self, written: list[Path]) -> None:
        self.win.statusBar().showMessage(tr("report.written", path=written[0]), 8000)
        self._page_notice()

    def _page_notice(self) -> None:
        """The ECG sheet printed otherwise than the page on screen: said in the notice strip
        (QA 39: a 12×1 page at 50 mm/s came out as 3×4 at 25 mm/s without a word)."""
        notice = self.jobs.page_notice()  # a function of the language on screen
        if notice is not None and self.notify is not None:
            self.notify(notice)

    def _failed(self, title_key: str, exc: BaseException) -> None:
        self._printer = None
        QMessageBox.warning(self.win, tr(title_key), user_message(exc))

    # --- printing ------------------------------------------------------------------------------------
    def print_dialog(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        if self.jobs.state.record is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dlg = QPrintDialog(printer, self.win)
        if dlg.exec() != QPrintDialog.DialogCode.Accepted:
            return
        self._printer = printer
        self._busy()
        self.jobs.pdf()

    def _print(self, pdf: bytes) -> None:
        printer, self._printer = self._printer, None
        if printer is None:
            return
        try:
            pages = print_pdf(pdf, printer)
        except (OSError, RuntimeError, ValueError) as exc:
            log.warning("printing failed: %r", exc)
            QMessageBox.warning(self.win, tr("report.ui.print"),
                                tr("report.ui.print_failed", reason=user_message(exc)))
            return
        self.win.statusBar().showMessage(tr("report.ui.printed", pages=pages), 8000)
        self._page_notice()

    # --- worklist --------------------------------------------------------------------------------------
    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.win, tr("worklist.open_folder"),
                                                  self.last_dir())
        if folder:
            self.open_folder(folder)


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
