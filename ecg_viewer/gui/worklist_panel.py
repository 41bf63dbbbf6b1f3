"""The worklist: a folder of ECGs analysed in the background, in reading order (referral level,
要至急 first, then acquisition time: :mod:`ecg_viewer.app.reading_queue`), with each ECG's review
state from the database; Enter or a double-click opens the ECG, the open one is highlighted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ecg_viewer.app.reading_queue import ORDER, level_of, reading_order
from ecg_viewer.app.worklist_service import WorklistService
from ecg_viewer.core.messages import language, paren, tr
from ecg_viewer.core.prediction import referral_name
from ecg_viewer.review import ReviewStore

__all__ = ["ORDER", "WorklistPanel"]
LEVEL_COLORS = {"urgent": "#c00000", "D": "#e06000", "unreadable": "#666666", "C": "#a08000",
                "B": "#3070b0", "E": "#5050a0", "A": "#208040", "error": "#888888"}
COLS = ("level", "file", "finding", "hr", "review")
# widest the level and file columns get (px): the dock is ~250 px wide on a 1366x768 screen, and
# "Further examination needed" alone took 180 px, hiding the file, and wrapped onto a second
# line at 130 px (half as many rows in view): the level column shows the short names
# (referral_name(..., short=True)), a longer file name elides, and each cell's tooltip holds the whole text
MAX_COL_PX = {"level": 130, "file": 160}


class WorklistPanel(QWidget):
    openRequested = Signal(str)  # path

    def __init__(self, store: ReviewStore | None, service: WorklistService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.service = service or WorklistService(parent=self)
        self.folder: Path | None = None
        self.rows: dict[str, dict[str, Any]] = {}  # file -> output row
        self.files: list[Path] = []
        self.current: str | None = None  # the file open in the window
        self.states: dict[str, str] = {}  # sha256 -> review state, as last read
        self._row_of: dict[str, int] = {}  # file -> table row
        self._resolved: dict[Path, str] = {}  # resolved path -> worklist entry

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.stop_button = QPushButton()
        self.stop_button.setEnabled(False)  # only while a run is going
        self.stop_button.clicked.connect(self.stop)
        self.table = QTableWidget(0, len(COLS))
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)  # one line a row: a long cell elides (its tooltip is whole)
        # rows one line high (the style's default is ~30 px: 19 cases in view at 1366x768)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.cellDoubleClicked.connect(self._open_row)
        self.table.installEventFilter(self)
        top = QHBoxLayout()
        top.addWidget(self.bar, 1)
        top.addWidget(self.stop_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(self.table, 1)

        self.service.rowReady.connect(self._row_ready)
        self.service.progress.connect(self._progress)
        self.service.note.connect(lambda m: self.status.setText(tr("worklist.no_model", reason=m)))
        self.service.finished.connect(self._finished)
        self.retranslate()

    def retranslate(self) -> None:
        self.stop_button.setText(tr("worklist.stop"))
        self.table.setHorizontalHeaderLabels([tr(f"worklist.col.{c}") for c in COLS])
        self._refill()

    # --- a folder -----------------------------------------------------------------------------
    def open_folder(self, folder: str | Path) -> int:
        self.folder = Path(folder)
        self.files = self.service.list_folder(self.folder)
        self._resolved = {f.resolve(): str(f) for f in self.files}
        self.rows = {}
        self.bar.setRange(0, max(1, len(self.files)))
        self.bar.setValue(0)
        if not self.files:
            self.status.setText(tr("worklist.empty", dir=self.folder))
        else:
            self.status.setText(tr("worklist.progress", done=0, total=len(self.files)))
            self.service.start(self.files)
        self.stop_button.setEnabled(bool(self.files))
        self._refill()
        return len(self.files)

    def stop(self) -> None:
        """Stop the run between files: the rows so far stay, the status says where it stopped."""
        if not self.service.running:
            return
        self.service.stop()
        self.stop_button.setEnabled(False)
        self.status.setText(tr("worklist.stopped", done=len(self.rows), total=len(self.files)))

    def _row_ready(self, row: dict[str, Any]) -> None:
        self.rows[row["file"]] = row
        self._refill()

    def _progress(self, done: int, total: int, _rate: float) -> None:
        self.bar.setValue(done)
        # a file that was in progress when the run was stopped still reports
        key = "worklist.progress" if self.service.running else "worklist.stopped"
        self.status.setText(tr(key, done=done, total=total))

    def _finished(self, total: int, rate: float) -> None:
        self.stop_button.setEnabled(False)
        self.status.setText(tr("worklist.done", total=total, rate=rate))

    # --- table ---------------------------------------------------------------------------------
    level_of = staticmethod(level_of)

    def sorted_files(self) -> list[str]:
        return reading_order([str(f) for f in self.files], self.rows)

    def set_current(self, path: str | None) -> None:
        """Highlight the open file's row (``path`` not in the list: nothing highlighted); only
        the two rows concerned are touched, the table is not rebuilt."""
        old, self.current = self.current, self.find(path)
        for f in (old, self.current):
            i = self._row_of.get(f) if f else None
            if i is None:
                continue
            for c in range(self.table.columnCount()):
                item = self.table.item(i, c)
                if item is not None:
                    font = item.font()
                    font.setBold(f == self.current)
                    item.setFont(font)
        if self.current in self._row_of:
            self.table.selectRow(self._row_of[self.current])

    def find(self, path: str | None) -> str | None:
        """The worklist entry for ``path`` (compared resolved), or None."""
        if not path:
            return None
        if path in self._resolved.values():
            return path
        return self._resolved.get(Path(path).resolve())

    def refresh_reviews(self) -> None:
        self._refill()

    def _refill(self) -> None:
        files = self.sorted_files()
        self._row_of = {f: i for i, f in enumerate(files)}
        shas = [r.get("sha256") for r in self.rows.values() if r.get("sha256")]
        reviews = self.store.states(shas) if self.store is not None and shas else {}
        self.states = {sha: rv.state for sha, rv in reviews.items()}
        bold = QFont(self.table.font())
        bold.setBold(True)
        self.table.setRowCount(len(files))
        lang = language()
        ja = lang == "ja"
        for i, f in enumerate(files):
            row = self.rows.get(f)
            level = self.level_of(row)
            if level == "pending":
                level_text = full = "…"
            elif level == "error":
                level_text = full = tr("worklist.error")
            else:  # the short name in the cell, the full one in its tooltip
                level_text = referral_name(level, lang, short=True)
                full = referral_name(level, lang)
            finding, hr, review = "", "", tr("review.ui.state.unreviewed")
            if row is not None and "error" in row:
                finding = (row.get("error_ja") if ja else None) or row["error"]
            elif row is not None:
                present = [s for s in row.get("labels", []) if s.get("above_threshold")]
                top = present or row.get("labels", [])[:1]
                sep = "、" if ja else ", "
                finding = sep.join(s[lang] for s in top[:3])
                if not finding and row.get("referral", {}).get(f"reasons_{lang}"):
                    finding = sep.join(row["referral"][f"reasons_{lang}"][:2])
                value = (row.get("measurements") or {}).get("hr_bpm")
                hr = f"{value:.0f}" if isinstance(value, int | float) else ""
                rv = reviews.get(row.get("sha256"))
                if rv is not None:
                    review = tr(f"review.ui.state.{rv.state}")
                    if rv.final_level:
                        review += paren(referral_name(rv.final_level, lang, short=True), lang)
            cells = (level_text, Path(f).name, finding, hr, review)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, f)
                if c == 0:
                    item.setToolTip(f"{full}: {finding}" if finding else full)
                    if level in LEVEL_COLORS:
                        item.setForeground(QColor(LEVEL_COLORS[level]))
                if c == 1:
                    item.setToolTip(f)
                if c == 2:
                    item.setToolTip(finding)
                if f == self.current:
                    item.setFont(bold)
                self.table.setItem(i, c, item)
            if f == self.current:
                self.table.selectRow(i)
        self.table.resizeColumnsToContents()
        for name, cap in MAX_COL_PX.items():
            col = COLS.index(name)
            if self.table.columnWidth(col) > cap:
                self.table.setColumnWidth(col, cap)

    def _open_row(self, row: int, _col: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.openRequested.emit(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        """Enter on the table opens the selected ECG."""
        if obj is self.table and ev.type() == QEvent.Type.KeyPress and isinstance(ev, QKeyEvent) \
                and ev.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.table.currentRow() >= 0:
            self._open_row(self.table.currentRow(), 0)
            return True
        return super().eventFilter(obj, ev)

    def shutdown(self, wait_ms: int = 10000) -> None:
        self.service.stop(wait_ms)
