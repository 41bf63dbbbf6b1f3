"""The review dock (the clinician's decisions on the open ECG, stored in the review database) and
the worklist dock, built by the main window."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea

from ecg_viewer.app.review_session import ReviewSession
from ecg_viewer.app.state import ViewerState
from ecg_viewer.app.worklist_service import WorklistService
from ecg_viewer.core.errors import user_message
from ecg_viewer.core.messages import list_sep, tr
from ecg_viewer.gui.review_panel import ReviewPanel
from ecg_viewer.gui.window_layout import fit_worklist_width
from ecg_viewer.gui.worklist_panel import WorklistPanel
from ecg_viewer.report.content import confirmed_under_rejected, rejected_parts
from ecg_viewer.review import Review, ReviewStore
from ecg_viewer.review.model import local_time

log = logging.getLogger(__name__)


class ReviewDock:
    """The review panel in a dock of ``win``, following ``state``; the calipers are kept with
    the review by the app's :class:`~ecg_viewer.app.review_session.ReviewSession`."""

    def __init__(self, win: QMainWindow, state: ViewerState, store: ReviewStore | None,
                 catalog: Any = None) -> None:
        self.win = win
        self.state = state
        self.panel = ReviewPanel(store, catalog)
        # a confirmed suggestion that stands on a rejected finding, at the last save ("": none)
        self.last_clash = ""
        self.dock = QDockWidget(tr("review.ui.dock"), win)
        self.dock.setObjectName("review_dock")
        self.scroll = QScrollArea()  # the dock may be short (other docks): the panel scrolls
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.panel)
        self.dock.setWidget(self.scroll)
        win.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        state.recordChanged.connect(self._record_changed)
        state.analysisChanged.connect(self.panel.set_analysis)
        self.panel.failed.connect(lambda m: win.statusBar().showMessage(m, 15000))
        self.panel.reviewChanged.connect(self._review_saved)
        self.panel.changedElsewhere.connect(self._changed_elsewhere)

    def connect_session(self, session: ReviewSession) -> None:
        """Follow the calipers ``session`` stores (the panel's review is the stored one)."""
        session.annotationsStored.connect(self._annotations_stored)
        session.failed.connect(
            lambda exc: self.win.statusBar().showMessage(user_message(exc), 15000))

    def retranslate(self) -> None:
        self.dock.setWindowTitle(tr("review.ui.dock"))
        self.panel.retranslate()

    def _record_changed(self, record: Any) -> None:
        before = self.panel.record
        self.panel.set_record(record)
        if record is None or before is None or record.sha256 != before.sha256:
            # another ECG opens at the dock's top, its state and reviewer in view (QA 69: after
            # F the next case opened scrolled to where the last one was left, mid-list)
            self.scroll.verticalScrollBar().setValue(0)
        if self.state.analysis is not None:  # already there (the worklist's): show it
            self.panel.set_analysis(self.state.analysis)

    def _annotations_stored(self, review: Review) -> None:
        if self.panel.record is not None and review.sha256 == self.panel.record.sha256:
            self.panel.review = review

    def _changed_elsewhere(self, review: Review | None) -> None:
        if review is not None:  # the open ECG's review: say why the panel changed
            self.win.statusBar().showMessage(tr("review.ui.changed_elsewhere"), 10000)

    def _review_saved(self, review: Review) -> None:
        who = review.reviewer or ""
        when = local_time(review.updated_at)
        key, clash, parts = self._confirmed_on_rejected(review)
        self.last_clash = clash
        if clash:  # saved as decided, but said (QA 50: 二枝ブロック confirmed, its 左脚後枝ブロック
            # rejected, both saved without a word and printed in the signed report), naming
            # what was rejected (QA 54: a fixed example had named other findings); and the other
            # way round (QA 69: 下壁心筋梗塞 confirmed, the 心筋梗塞 made of it rejected)
            self.win.statusBar().showMessage(
                tr(key, label=clash, parts=list_sep().join(parts)), 30000)
            return
        self.win.statusBar().showMessage(tr("review.ui.saved", who=who, when=when), 5000)

    def _confirmed_on_rejected(self, review: Review) -> tuple[str, str, list[str]]:
        """(message key, name, names) of decisions that contradict each other: a confirmed
        suggestion that stands on findings the reader rejected (a part of 二枝ブロック, every
        narrower label of 心筋梗塞), or a rejected one made of findings the reader confirmed
        (心筋梗塞 over a confirmed 下壁心筋梗塞); ("", "", []) when none."""
        analysis = self.panel.analysis
        if analysis is None or analysis.prediction is None:
            return "", "", []
        name = self.panel._label_name
        for s in analysis.prediction.labels:
            parts = rejected_parts(s, review.decisions) \
                if review.decisions.get(s.id) == "confirmed" else []
            if parts:
                return "review.ui.rests_on_rejected", name(s.id), [name(p) for p in parts]
            made_of = confirmed_under_rejected(s, review.decisions)
            if made_of:
                return "review.ui.rejected_over_confirmed", name(s.id), [name(p) for p in made_of]
        return "", "", []

    def detach_store(self) -> None:
        """The window is closing: the database is about to be closed."""
        self.panel.store = None


class WorklistDock:
    """The worklist (a folder analysed in the background, in reading order) in a dock."""

    def __init__(self, win: QMainWindow, store: ReviewStore | None,
                 service: WorklistService) -> None:
        self.win = win
        self.panel = WorklistPanel(store, service)
        self.dock = QDockWidget(tr("worklist.title"), win)
        self.dock.setObjectName("worklist_dock")
        self.dock.setWidget(self.panel)
        win.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.dock.hide()

    def retranslate(self) -> None:
        self.dock.setWindowTitle(tr("worklist.title"))
        self.panel.retranslate()
        fit_worklist_width(self.win, self.dock, self.win.screen_class)  # English: wider

    def shutdown(self) -> None:
        self.panel.shutdown()
        self.panel.store = None
