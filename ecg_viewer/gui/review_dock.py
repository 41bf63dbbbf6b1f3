"""The review dock (the clinician's decisions on the open ECG, stored in the review database) and
the worklist dock, built by the main window.

The calipers placed on an ECG are kept with its review: they come back when the ECG is opened
again, and each change is stored (with its audit row).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea

from ecg_viewer.app.state import ViewerState
from ecg_viewer.app.worklist_service import WorklistService
from ecg_viewer.core.errors import user_message
from ecg_viewer.core.messages import tr
from ecg_viewer.gui.review_panel import ReviewPanel
from ecg_viewer.gui.worklist_panel import WorklistPanel
from ecg_viewer.review import Annotation, Review, ReviewStore, ReviewStoreError
from ecg_viewer.signal.calipers import Caliper

log = logging.getLogger(__name__)


def caliper_to_annotation(c: Caliper) -> Annotation:
    return Annotation.from_dict(c.to_dict())


def annotation_to_caliper(a: Annotation) -> Caliper | None:
    if a.kind not in ("time", "amplitude") or not a.lead:
        return None
    return Caliper(kind=a.kind, lead=a.lead, t0_s=a.t0_s,
                   t1_s=a.t1_s if a.t1_s is not None else a.t0_s,
                   v0_mv=a.v0_mv or 0.0, v1_mv=a.v1_mv or 0.0)


class ReviewDock:
    """The review panel in a dock of ``win``, following ``state``."""

    def __init__(self, win: QMainWindow, state: ViewerState, store: ReviewStore | None,
                 catalog: Any = None) -> None:
        self.win = win
        self.state = state
        self.store = store
        self._restoring = False
        self.panel = ReviewPanel(store, catalog)
        self.dock = QDockWidget(tr("review.ui.title"), win)
        self.dock.setObjectName("review_dock")
        scroll = QScrollArea()  # the dock may be short (other docks): the panel scrolls
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panel)
        self.dock.setWidget(scroll)
        win.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        state.recordChanged.connect(self._record_changed)
        state.analysisChanged.connect(self.panel.set_analysis)
        state.calipersChanged.connect(self._calipers_changed)
        self.panel.failed.connect(lambda m: win.statusBar().showMessage(m, 15000))
        self.panel.reviewChanged.connect(self._review_saved)
        if state.record is not None:
            self._record_changed(state.record)

    def retranslate(self) -> None:
        self.dock.setWindowTitle(tr("review.ui.title"))
        self.panel.retranslate()

    # --- state -> review -------------------------------------------------------------------------
    def _record_changed(self, record: Any) -> None:
        self.panel.set_record(record)
        if self.state.analysis is not None:  # already there (the worklist's): show it
            self.panel.set_analysis(self.state.analysis)
        review = self.panel.review
        if review is not None and review.annotations and not self.state.calipers:
            self._restoring = True
            try:  # the calipers placed in an earlier session come back on screen
                for a in review.annotations:
                    c = annotation_to_caliper(a)
                    if c is not None:
                        self.state.add_caliper(c)
            finally:
                self._restoring = False

    def _calipers_changed(self) -> None:
        if self._restoring or self.store is None:
            return
        rec = self.state.record
        if rec is None or not rec.sha256:
            return
        stored = self.store.get(rec.sha256)
        notes = tuple(a for a in stored.annotations if a.kind == "note")
        new = notes + tuple(caliper_to_annotation(c) for c in self.state.calipers)
        if new != stored.annotations:
            try:
                self.panel.review = self.store.set_annotations(rec.sha256, new,
                                                               self.panel.context())
            except ReviewStoreError as exc:
                log.warning("calipers not stored with the review: %r", exc)
                self.win.statusBar().showMessage(user_message(exc), 15000)

    def _review_saved(self, review: Review) -> None:
        who = review.reviewer or ""
        when = (review.updated_at or "")[:16].replace("T", " ")
        self.win.statusBar().showMessage(tr("review.ui.saved", who=who, when=when), 5000)

    def review_of(self, sha256: str | None) -> Review | None:
        """The stored review of the ECG ``sha256`` (None without the database)."""
        return self.store.get(sha256) if self.store is not None and sha256 else None

    def detach_store(self) -> None:
        """The window is closing: the database is about to be closed."""
        self.store = None
        self.panel.store = None


class WorklistDock:
    """The worklist (a folder analysed in the background, in reading order) in a dock."""

    def __init__(self, win: QMainWindow, store: ReviewStore | None,
                 service: WorklistService) -> None:
        self.panel = WorklistPanel(store, service)
        self.dock = QDockWidget(tr("worklist.title"), win)
        self.dock.setObjectName("worklist_dock")
        self.dock.setWidget(self.panel)
        win.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.dock.hide()

    def retranslate(self) -> None:
        self.dock.setWindowTitle(tr("worklist.title"))
        self.panel.retranslate()

    def shutdown(self) -> None:
        self.panel.shutdown()
        self.panel.store = None
