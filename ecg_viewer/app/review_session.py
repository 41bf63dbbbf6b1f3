"""The window's review database and the calipers kept with each ECG's review.

``open_review_store()`` opens the user's database once per window (None and the reason when it
cannot be opened: the viewer works without it). :class:`ReviewSession` follows the state: the
calipers stored with an ECG's review come back on screen when it is opened again, and each change
of the calipers is stored (with its audit row). Qt-core only; the review dock shows the review.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ecg_viewer.app.state import ViewerState
from ecg_viewer.report.pdf_ecg import to_caliper
from ecg_viewer.review import Annotation, AuditContext, Review, ReviewStore, ReviewStoreError
from ecg_viewer.signal.calipers import Caliper

log = logging.getLogger(__name__)


def open_review_store() -> tuple[ReviewStore | None, ReviewStoreError | None]:
    """The user's review database, or None and why it cannot be opened (logged)."""
    try:
        return ReviewStore(), None
    except ReviewStoreError as exc:
        log.warning("review database unavailable: %r", exc)
        return None, exc


def caliper_to_annotation(c: Caliper) -> Annotation:
    return Annotation.from_dict(c.to_dict())


class ReviewSession(QObject):
    """The calipers of the open ECG kept with its review in ``store``."""

    annotationsStored = Signal(object)  # the Review after the calipers were stored
    failed = Signal(object)  # the ReviewStoreError

    def __init__(self, state: ViewerState, store: ReviewStore | None,
                 context: Callable[[], AuditContext], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.store = store
        self.context = context  # who/which model the audit rows name (the review dock's)
        self._restoring = False
        state.recordChanged.connect(self._record_changed)
        state.calipersChanged.connect(self._calipers_changed)

    def review_of(self, sha256: str | None) -> Review | None:
        """The stored review of the ECG ``sha256`` (None without the database)."""
        return self.store.get(sha256) if self.store is not None and sha256 else None

    def _record_changed(self, record: Any) -> None:
        review = self.review_of(record.sha256)
        if review is None or not review.annotations or self.state.calipers:
            return
        self._restoring = True
        try:  # the calipers placed in an earlier session come back on screen
            for a in review.annotations:
                c = to_caliper(a)  # the report's: one conversion for screen and PDF
                if c is not None:
                    self.state.add_caliper(c)
        finally:
            self._restoring = False

    def _calipers_changed(self) -> None:
        rec = self.state.record
        if self._restoring or self.store is None or rec is None or not rec.sha256:
            return
        stored = self.store.get(rec.sha256)
        notes = tuple(a for a in stored.annotations if a.kind == "note")
        new = notes + tuple(caliper_to_annotation(c) for c in self.state.calipers)
        if new == stored.annotations:
            return
        try:
            review = self.store.set_annotations(rec.sha256, new, self.context(),
                                                file_path=rec.source_path)
        except ReviewStoreError as exc:
            log.warning("calipers not stored with the review: %r", exc)
            self.failed.emit(exc)
            return
        self.annotationsStored.emit(review)

    def close(self) -> None:
        """Close the database (the window is closing)."""
        store, self.store = self.store, None
        if store is not None:
            store.close()
