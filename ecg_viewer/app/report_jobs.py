"""The report of the open ECG, made on a lane (``ecg-viewer-report``): export (PDF / JSON / FHIR)
and the PDF to print.

The content comes from :func:`ecg_viewer.pipeline.report_content.build_report_content` with the
state's analysis; when the model has not answered (still loading, or unavailable) the analysis
without the model (quality, measurements, referral from measurements) is made on the lane, never
on the GUI thread. The review is read from the database on the GUI thread (the connection
belongs to it) and handed to the job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ecg_viewer.app.state import ViewerState
from ecg_viewer.app.worker import Lane
from ecg_viewer.core.messages import tr
from ecg_viewer.core.record import EcgRecord

if TYPE_CHECKING:  # the report modules load when a report is first made, not at start
    from ecg_viewer.report.content import ReportContent

log = logging.getLogger(__name__)


class NoRecordError(ValueError):
    def __init__(self) -> None:
        super().__init__(tr("report.ui.no_record", "en"))


def report_path(path: str | Path, kind: str = "") -> Path:
    """``path`` with the ending the chosen kind needs ("pdf", "json", "fhir"; "" keeps a known
    ending and adds .pdf otherwise)."""
    p = str(path)
    low = p.lower()
    if kind == "fhir" and not low.endswith(".fhir.json"):
        p = str(Path(p).with_suffix("")) + ".fhir.json"
    elif kind == "json" and not low.endswith(".json"):
        p += ".json"
    elif kind in ("", "pdf") and not low.endswith((".pdf", ".json")):
        p += ".pdf"
    return Path(p)


def _content(record: EcgRecord, analysis: Any, review: Any, settings: Any, comparison: Any,
             catalog: Any) -> ReportContent:
    """On the lane: the analysis without the model when there is none yet, then the content."""
    from ecg_viewer.pipeline.report_content import build_report_content

    if analysis is None:
        from ecg_viewer.pipeline.factory import make_analyzer

        analysis = make_analyzer(load_model=False).analyze(record)
    return build_report_content(record, analysis, review=review, settings=settings,
                                comparison=comparison, catalog=catalog)


def _export(args: tuple[Any, ...], path: Path) -> list[Path]:
    from ecg_viewer.report.export import write_reports

    content = _content(*args)
    name = str(path).lower()
    if name.endswith(".fhir.json"):
        return write_reports(content, fhir_out=path)
    if name.endswith(".json"):
        return write_reports(content, json_out=path)
    return write_reports(content, path)


def _pdf(args: tuple[Any, ...]) -> bytes:
    from ecg_viewer.report.pdf import pdf_bytes

    return pdf_bytes(_content(*args))


class ReportJobs(QObject):
    """Export and print content of one window's open ECG."""

    exported = Signal(object)  # list[Path] written
    exportFailed = Signal(object)  # the exception
    pdfReady = Signal(object)  # bytes of the report PDF (for printing)
    pdfFailed = Signal(object)  # the exception

    def __init__(self, state: ViewerState, *, review_of: Callable[[str | None], Any],
                 comparison_of: Callable[[], Any], catalog: Any = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.review_of = review_of  # sha256 -> the stored Review (GUI thread) or None
        self.comparison_of = comparison_of  # the comparison with the prior ECG, or None
        self.catalog = catalog
        self.lane = Lane("report", self)

    def _args(self) -> tuple[Any, ...]:
        record = self.state.record
        if record is None:
            raise NoRecordError()
        return (record, self.state.analysis, self.review_of(record.sha256),
                self.state.settings, self.comparison_of(), self.catalog)

    def page_notice(self) -> Callable[[str], str] | None:
        """What the report's ECG sheet is printed with instead of the window's page settings
        (the nearest that fit A4 landscape at true scale), as a function of the language (the
        notice strip renders it in the language on screen), or None when they fit."""
        record = self.state.record
        if record is None:
            return None
        from ecg_viewer.report.content import refit_notice
        from ecg_viewer.report.pdf import printed_settings

        printed, asked = printed_settings(record, self.state.settings), self.state.settings
        if printed == asked:
            return None
        return lambda lang: refit_notice(printed, asked, lang) or ""

    @property
    def needs_analysis(self) -> bool:
        """The report will carry the analysis without the model (none has arrived)."""
        return self.state.record is not None and self.state.analysis is None

    def content(self) -> ReportContent:
        """The content now, on the calling thread (the state's analysis must be there)."""
        args = self._args()
        if args[1] is None:
            raise ValueError("no analysis yet: use export()/pdf(), which make one on the lane")
        return _content(*args)

    def export(self, path: str | Path) -> int:
        """Write the report to ``path`` (.pdf, .json or .fhir.json) atomically, on the lane;
        ``exported(paths)`` or ``exportFailed(exc)`` follows. Every export asked for runs, in
        order: none supersedes another (QA 69: PDF, JSON, FHIR a second apart lost the JSON)."""
        return self.lane.submit(_export, self._args(), Path(path), key="export", latest=False,
                                on_done=self.exported.emit, on_error=self.exportFailed.emit)

    def pdf(self) -> int:
        """The report PDF, made on the lane (``pdfReady(bytes)`` / ``pdfFailed(exc)``)."""
        return self.lane.submit(_pdf, self._args(), key="pdf",
                                on_done=self.pdfReady.emit, on_error=self.pdfFailed.emit)

    def shutdown(self, ms: int = 30000) -> None:
        self.lane.shutdown(ms)
