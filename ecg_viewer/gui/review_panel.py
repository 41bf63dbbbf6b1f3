"""The physician's review of the open ECG: confirm or reject each suggestion, add findings from
the catalog by incremental search, a comment, the final referral level, a "needs further
examination" flag. Every change goes straight to the review database (with its audit row)."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ecg_viewer.core.errors import user_message
from ecg_viewer.core.messages import language, paren, tr, word_space
from ecg_viewer.core.prediction import REFERRAL_EN, REFERRAL_JA, REFERRAL_LEVELS, Analysis
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.gui.review_table import (
    DECISIONS,
    TABLE_MIN_PX,
    chosen_not_scrolled,
    comment_box,
    fill_row,
    wrap_names,
)
from ecg_viewer.review import AuditContext, Review, ReviewStore, ReviewStoreError
from ecg_viewer.review.model import local_time

log = logging.getLogger(__name__)

WATCH_MS = 2000  # how often the database is asked whether another window wrote to it
COMBO_CHROME_PX = 40  # a drop-down's frame and arrow beside its text


class ReviewPanel(QWidget):
    reviewChanged = Signal(object)  # Review
    failed = Signal(str)  # a message for the clinician
    # another window or process wrote to the database (the open ECG's review as now stored,
    # None when no ECG is open or its review did not change)
    changedElsewhere = Signal(object)

    def __init__(self, store: ReviewStore | None, catalog: Any = None,
                 parent: QWidget | None = None, top_k: int = 5) -> None:
        super().__init__(parent)
        self.store = store
        self.catalog = catalog
        self.top_k = top_k
        self.record: EcgRecord | None = None
        self.analysis: Analysis | None = None
        self.review: Review | None = None
        self._filling = False
        self._row_ids: list[str] = []
        self._row_lang: str | None = None  # the language the rows were made in
        # the comment as last stored and the ECG last filled for: typed text is kept on a refill
        self._comment_base = ""
        self.comment_merged = False  # the last fill put another window's comment in the box
        self._filled_sha: str | None = None
        # another window on the same database: looked for every WATCH_MS (a cheap pragma)
        self._data_version: int | None = None
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self.check_elsewhere)
        self._watch.start()

        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.state_label = QLabel()
        self.reviewer = QLineEdit()
        self.reviewer.editingFinished.connect(self._reviewer_changed)
        self.sugg_label = QLabel()
        self.table = QTableWidget(0, 3)
        self.table.setMinimumHeight(TABLE_MIN_PX)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (QA 43: it was a trap)
        # a name takes the lines it needs at the column's width (_wrap_names)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().sectionResized.connect(lambda *_: self._wrap_names())
        self.search = QLineEdit()
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self._add_first_hit)
        self.hits = QListWidget()
        self.hits.setMaximumHeight(110)
        self.hits.itemActivated.connect(self._add_hit)
        self.hits.itemDoubleClicked.connect(self._add_hit)
        self.added_label = QLabel()
        self.added = QListWidget()
        self.added.setMaximumHeight(80)
        self.added.itemDoubleClicked.connect(self._remove_added)
        self.comment = comment_box()  # Tab: on to the save button; Esc: back to the ECG
        self.save_comment = QPushButton()
        self.save_comment.clicked.connect(self._comment_changed)
        self.level = chosen_not_scrolled(QComboBox())  # ↓ on it closed stored every step
        self.level.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.level.setMinimumContentsLength(6)  # a narrow dock elides the longest level name
        self.level.currentIndexChanged.connect(self._level_changed)
        self.suggested = QLabel()
        self.needs_exam = QCheckBox()
        self.needs_exam.toggled.connect(self._needs_exam_changed)
        self.reason = QLineEdit()
        self.reason.editingFinished.connect(self._needs_exam_changed)

        form = QFormLayout()
        self.reviewer_row = QLabel()
        form.addRow(self.reviewer_row, self.reviewer)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.state_label)
        lay.addLayout(form)
        lay.addWidget(self.sugg_label)
        lay.addWidget(self.table, 1)
        self.add_title = QLabel()
        lay.addWidget(self.add_title)
        lay.addWidget(self.search)
        lay.addWidget(self.hits)
        lay.addWidget(self.added_label)
        lay.addWidget(self.added)
        self.level_title = QLabel()
        # the title beside its list where both fit whole, else above it (_fit_level_row)
        self.level_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.level_row.addWidget(self.level_title)
        self.level_row.addWidget(self.level, 1)
        lay.addLayout(self.level_row)
        lay.addWidget(self.suggested)
        lay.addWidget(self.needs_exam)
        lay.addWidget(self.reason)
        self.comment_title = QLabel()
        lay.addWidget(self.comment_title)
        lay.addWidget(self.comment)
        lay.addWidget(self.save_comment)
        for label in (self.state_label, self.sugg_label, self.add_title, self.added_label,
                      self.suggested, self.comment_title, self.level_title):
            label.setWordWrap(True)  # the dock may be a narrow column (small screens)
        self.retranslate()
        self.set_record(None)

    # --- context -------------------------------------------------------------------------------
    def context(self) -> AuditContext:
        pred = self.analysis.prediction if self.analysis else None
        from ecg_viewer import __version__

        if pred is None:
            return AuditContext(app_version=__version__)
        m = pred.model
        return AuditContext(m.app_version, m.weights_sha256, m.catalog_version)

    def set_record(self, record: EcgRecord | None) -> None:
        if self.record is not None and record is not self.record:
            self.save_pending()  # keep a comment (a reason, a name) typed but not saved
        if record is not self.record:  # a search typed for one patient never adds to the next
            self.search.clear()
        self.record = record
        self.analysis = None
        self.review = None
        if record is not None and record.sha256 and self.store is not None:
            with contextlib.suppress(ReviewStoreError):  # renamed/moved: the review follows
                self.store.note_location(record.sha256, record.source_path)
            self.review = self.store.get(record.sha256)
        self._fill()

    def set_analysis(self, analysis: Analysis | None) -> None:
        if analysis is not None and self.record is not None and \
                analysis.sha256 not in (None, self.record.sha256):
            return  # a stale result for another ECG
        self.analysis = analysis
        self._fill()

    @property
    def sha256(self) -> str | None:
        return self.record.sha256 if self.record is not None else None

    # --- filling the widgets ----------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(tr("review.ui.title"))
        self.reviewer_row.setText(tr("review.ui.reviewer"))
        self.reviewer.setPlaceholderText(tr("review.ui.reviewer_hint"))
        self.sugg_label.setText(tr("review.ui.suggestions"))
        self.table.setHorizontalHeaderLabels(
            [tr("report.col.finding"), tr("report.col.score"), tr("report.col.decision")])
        self.add_title.setText(tr("review.ui.add_label"))
        self.search.setPlaceholderText(tr("review.ui.search_hint"))
        self.added_label.setText(tr("review.ui.added"))
        self.comment_title.setText(tr("review.ui.comment"))
        self.save_comment.setText(tr("review.ui.save_comment"))
        self.level_title.setText(tr("review.ui.final_level"))
        self.needs_exam.setText(tr("review.ui.needs_exam"))
        self.reason.setPlaceholderText(tr("review.ui.needs_exam_reason"))
        self._fill()
        self._search_changed(self.search.text())  # the hits in the language now shown
        self._fit_level_row()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_level_row()

    def _fit_level_row(self) -> None:
        """The final level's title beside its list when the title and the longest level name
        fit the panel's width side by side, else the title above the list."""
        names = [self.level.itemText(i) for i in range(self.level.count())]
        fm = self.level.fontMetrics()
        combo = max((fm.horizontalAdvance(n) for n in names), default=0) + COMBO_CHROME_PX
        title = self.level_title.fontMetrics().horizontalAdvance(self.level_title.text())
        m = self.layout().contentsMargins()
        room = self.width() - m.left() - m.right()
        beside = title + self.level_row.spacing() + combo <= room
        want = QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom
        if self.level_row.direction() != want:
            self.level_row.setDirection(want)

    def _fill(self) -> None:
        merged = False
        self._filling = True
        try:
            enabled = self.record is not None and self.store is not None and bool(self.sha256)
            for w in (self.table, self.search, self.hits, self.added, self.comment,
                      self.save_comment, self.level, self.needs_exam, self.reason):
                w.setEnabled(enabled)
            # text being typed (not finished with Enter or by leaving the field) stays when the
            # panel is filled again: a decision, a new analysis, another window's change
            same_ecg = self.record is not None and self._filled_sha == self.sha256
            if self.store is not None and not self.reviewer.isModified():
                self.reviewer.setText(self.store.reviewer())
            r = self.review or Review(sha256=self.sha256 or "")
            if self.record is None:
                self.state_label.setText(tr("review.ui.no_record"))
            else:
                text = tr(f"review.ui.state.{r.state}")
                if r.updated_at:
                    text += f"{word_space()}{r.reviewer or ''} {local_time(r.updated_at)}"
                self.state_label.setText(text)
            self._fill_table(r)
            self.added.clear()
            for label_id in r.added_labels:
                item = QListWidgetItem(self._label_name(label_id))
                item.setData(Qt.ItemDataRole.UserRole, label_id)
                self.added.addItem(item)
            typed = self.comment.toPlainText()
            if not same_ecg or typed == self._comment_base:
                self.comment.setPlainText(r.comment)  # nothing typed since the last save
            elif r.comment != self._comment_base and r.comment not in typed:
                # another window saved a comment while this one was typed: both stay in the
                # box, nothing is saved until the physician saves (QA 66: the typed text was
                # kept and saved over the other, which was then lost without a word)
                self.comment.setPlainText(f"{r.comment}\n{typed}" if r.comment else typed)
                merged = True
            self._comment_base, self._filled_sha = r.comment, self.sha256
            self.level.clear()
            self.level.addItem(tr("review.ui.no_level"), None)
            names = REFERRAL_JA if language() == "ja" else REFERRAL_EN
            for lv in REFERRAL_LEVELS:
                self.level.addItem(names[lv], lv)
            self.level.setCurrentIndex(max(0, self.level.findData(r.final_level))
                                       if r.final_level else 0)
            suggested = self.analysis.referral.name() if self.analysis else "—"
            self.suggested.setText(tr("review.ui.suggested_level", level=suggested))
            self.needs_exam.setChecked(r.needs_exam)
            if not (same_ecg and self.reason.isModified()):
                self.reason.setText(r.needs_exam_reason)
        finally:
            self._filling = False
        self.comment_merged = merged

    def _fill_table(self, r: Review) -> None:
        rows = list(self.analysis.suggestions(self.top_k)) if self.analysis else []
        ids = [s.id for s in rows]
        # a new ECG, new suggestions or another language: the rows again (names, tooltips and
        # the drop-downs' texts are made in the language of the moment; the decisions below)
        if ids != self._row_ids or language() != self._row_lang:
            self._row_ids = ids
            self._row_lang = language()
            self.table.setRowCount(0)
            self.table.setRowCount(len(rows))
            for i, s in enumerate(rows):
                fill_row(self.table, i, s, self.analysis, self._decide)
        previous: QWidget = self.table  # Tab: the table, its rows' decisions, then the search
        for i, s in enumerate(rows):  # the stored decisions
            combo = self.table.cellWidget(i, 2)
            combo.blockSignals(True)
            combo.setCurrentIndex(DECISIONS.index(r.decisions.get(s.id)))
            combo.blockSignals(False)
            QWidget.setTabOrder(previous, combo)
            previous = combo
        QWidget.setTabOrder(previous, self.search)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self._wrap_names()
        if not rows and self.record is not None:
            self.sugg_label.setText(f"{tr('review.ui.suggestions')}{word_space()}{tr('review.ui.waiting')}"
                                    if self.analysis is None else tr("review.ui.suggestions"))
        else:
            self.sugg_label.setText(tr("review.ui.suggestions"))

    def _wrap_names(self) -> None:
        wrap_names(self.table)

    def _label_name(self, label_id: str) -> str:
        """The catalog name of a label in the current language (its id when not in the catalog)."""
        if self.catalog is not None:
            try:
                label = self.catalog.by_id(label_id)
            except (KeyError, LookupError, ValueError):
                log.warning("review dock: label %r is not in the catalog; shown by its id", label_id)
            else:
                return label.ja if language() == "ja" else label.en
        return label_id

    def check_elsewhere(self) -> bool:
        """Whether another connection changed the database since the last look; if so the open
        ECG's review is read again and shown (a comment being typed stays) and
        ``changedElsewhere`` is emitted."""
        if self.store is None:
            return False
        try:
            version = self.store.data_version()
        except sqlite3.Error:  # a closed or failing database: the next write says so
            return False
        if self._data_version is None or version == self._data_version:
            self._data_version = version
            return False
        self._data_version = version
        fresh = self.store.get(self.sha256) if self.sha256 else None
        changed = fresh is not None and (self.review is None or replace(  # not where it was seen
            fresh, file_path=None) != replace(self.review, file_path=None))
        if changed:
            self.review = fresh
            self._fill()
        self.changedElsewhere.emit(fresh if changed else None)
        self._say_if_merged()
        return True

    def _say_if_merged(self) -> None:
        """After a refill that put another window's comment beside the one being typed: say so
        (after ``changedElsewhere``, whose message would hide it)."""
        if self.comment_merged:
            self.comment_merged = False
            self.failed.emit(tr("review.ui.comment_merged"))

    # --- changes ------------------------------------------------------------------------------------
    def _apply(self, op: str, *args: Any, **kwargs: Any) -> bool:
        """Store one change; True when the database took it. When it did not (read-only,
        damaged, locked), ``failed`` says why and the controls go back to what is stored, so a
        drop-down never shows a decision that was not saved."""
        if self._filling or self.store is None or not self.sha256:
            return False
        try:
            # where the file lives: the prior search finds it from another folder (QA 40)
            where = self.record.source_path if self.record is not None else None
            self.review = getattr(self.store, op)(self.sha256, *args, context=self.context(),
                                                  file_path=where, **kwargs)
        except ReviewStoreError as exc:
            self.failed.emit(user_message(exc))
            self._fill()
            return False
        self._fill()
        self.reviewChanged.emit(self.review)
        return True

    def _decide(self, label_id: str, decision: str | None) -> bool:
        op = {"confirmed": "confirm", "rejected": "reject", None: "undecide"}[decision]
        return self._apply(op, label_id)

    # --- the keyboard (reading desk) -------------------------------------------------------------
    def decide_top(self, decision: str) -> tuple[str | None, bool]:
        """Confirm or reject (``decision``: "confirmed" | "rejected") the highest-ranked
        suggestion not decided yet: (its label id, whether the database took it); (None, False)
        when there is none left (or no suggestions yet)."""
        decided = self.review.decisions if self.review is not None else {}
        label_id = next((i for i in self._row_ids if i not in decided), None)
        if label_id is None:
            return None, False
        return label_id, self._decide(label_id, decision)

    def set_final_level(self, level: str | None) -> bool | None:
        """Set the reader's referral level (as the combo box does): True when it is stored
        (now or already), False when the database refused it (``failed`` said why), None
        without a record."""
        if self.record is None or self.store is None or not self.sha256:
            return None
        i = self.level.findData(level) if level else 0
        if i < 0 or i == self.level.currentIndex():
            return i >= 0
        self.level.blockSignals(True)
        self.level.setCurrentIndex(i)
        self.level.blockSignals(False)
        return self._level_changed(i)

    def save_pending(self) -> None:
        """Store what is typed but not saved yet (the comment, the reason for further
        examination, the reviewer's name): called on leaving the ECG."""
        if self.record is not None:
            self._comment_changed()
            if self.reason.isModified():
                self._needs_exam_changed()
        if self.reviewer.isModified():
            self._reviewer_changed()

    def _reviewer_changed(self) -> None:
        if self.store is not None and self.reviewer.text().strip() and \
                self.reviewer.text().strip() != self.store.reviewer():
            try:
                self.store.set_reviewer(self.reviewer.text())
            except ReviewStoreError as exc:  # read-only, damaged: say so, keep the window
                self.failed.emit(user_message(exc))
                return
        self.reviewer.setModified(False)

    def _search_changed(self, text: str) -> None:
        self.hits.clear()
        if self.catalog is None or not text.strip():
            return
        for lab in self.catalog.search(text, 8):
            first, second = (lab.ja, lab.en) if language() == "ja" else (lab.en, lab.ja)
            item = QListWidgetItem(first + paren(second))
            item.setData(Qt.ItemDataRole.UserRole, lab.id)
            self.hits.addItem(item)

    def _add_first_hit(self) -> None:
        if self.hits.count():
            self._add_hit(self.hits.item(0))

    def _add_hit(self, item: QListWidgetItem | None) -> None:
        # a double-click is also an activation: the first of the two signals adds the finding
        # and clears the list, the second comes with no item (AttributeError until 2026-12-06)
        if item is None:
            return
        self._apply("add_label", item.data(Qt.ItemDataRole.UserRole))
        self.search.clear()

    def _remove_added(self, item: QListWidgetItem) -> None:
        self._apply("remove_label", item.data(Qt.ItemDataRole.UserRole))

    def _comment_changed(self) -> None:
        r = self.review or Review(sha256=self.sha256 or "")
        if self.comment.toPlainText() == r.comment:
            return
        if self.store is not None and self.sha256 and not self._filling:
            try:
                fresh = self.store.get(self.sha256)
            except ReviewStoreError:
                fresh = None  # the write below says what is wrong
            if fresh is not None and fresh.comment != self._comment_base:
                # saved in another window since this one was filled: shown beside the typed
                # text (_fill), not overwritten
                self.review = fresh
                self._fill()
                self.changedElsewhere.emit(fresh)
                self._say_if_merged()
                return
        self._apply("set_comment", self.comment.toPlainText())

    def _level_changed(self, _index: int) -> bool:
        if self._level_set_elsewhere():
            return False
        suggested = self.analysis.referral.level if self.analysis else None
        return self._apply("set_levels", suggested=suggested, final=self.level.currentData())

    def _level_set_elsewhere(self) -> bool:
        """A level another window stored since the fill is kept and shown (QA 40: 要至急 lost)."""
        if self._filling or self.store is None or not self.sha256:
            return False
        shown = self.review.final_level if self.review is not None else None
        try:
            fresh = self.store.get(self.sha256)
        except ReviewStoreError:
            return False  # the write that follows says what is wrong
        if fresh.final_level in (shown, self.level.currentData()):
            return False
        self.review = fresh
        self._fill()
        names = REFERRAL_JA if language() == "ja" else REFERRAL_EN
        self.failed.emit(tr("review.ui.level_set_elsewhere", level=names.get(fresh.final_level or "", "—")))
        self.changedElsewhere.emit(fresh)
        return True

    def _needs_exam_changed(self, *_args: Any) -> None:
        if self._apply("set_needs_exam", self.needs_exam.isChecked(), self.reason.text().strip()):
            self.reason.setModified(False)
