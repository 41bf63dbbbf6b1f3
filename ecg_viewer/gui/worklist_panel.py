"""The worklist: a folder of ECGs analysed in the background, in reading order (referral level,
要至急 first, then acquisition time: :mod:`ecg_viewer.app.reading_queue`), with each ECG's review
state from the database; Enter or a double-click opens the ECG, the open one is highlighted.

The table never scrolls sideways (:meth:`WorklistPanel._fit_columns`): the level, the file name
and the review state share the dock's width first (the file name elided in its middle, which
keeps the number and the extension; a level or state too long for its share elided at its end;
every cell's whole text on hover), then the main finding takes what is left, and the heart rate
shows where there is room for it too. In a ~250-px dock (1366×768) the level and file columns
alone had filled it: 主な所見, HR and 確認 were behind a horizontal scroll bar."""

from __future__ import annotations

import os.path
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ecg_viewer.app.reading_queue import ORDER, copies, level_of, reading_order
from ecg_viewer.app.worklist_service import WorklistService
from ecg_viewer.core.errors import user_message
from ecg_viewer.core.messages import language, paren, tr
from ecg_viewer.core.prediction import measured_reasons_of, referral_name
from ecg_viewer.core.printable import printable_path
from ecg_viewer.review import ReviewStore

__all__ = ["ORDER", "WorklistPanel"]
LEVEL_COLORS = {"urgent": "#c00000", "D": "#e06000", "unreadable": "#666666", "C": "#a08000",
                "B": "#3070b0", "E": "#5050a0", "A": "#208040", "error": "#888888"}
COLS = ("level", "file", "finding", "hr", "review")  # the model's columns (tests index them)
#: the order on screen: what must be seen first, then the finding that takes what is left
SHOWN_ORDER = ("level", "file", "review", "finding", "hr")
# widest a column gets (px): the dock is ~250 px wide on a 1366x768 screen, and "Further
# examination needed" alone took 180 px, hiding the file, and wrapped onto a second line at
# 130 px (half as many rows in view): the level column shows the short names
# (referral_name(..., short=True)), a longer text elides, and each cell's tooltip holds it whole
MAX_COL_PX = {"level": 130, "file": 200, "review": 170}
#: the narrowest the file column becomes before the level and the review state give way
FILE_MIN_PX = 64
#: the reader's level in the English review cell, one word each
REVIEW_LEVEL_EN = {"urgent": "Urgent", "D": "Exam", "C": "Follow-up", "B": "Minor",
                   "A": "Normal", "E": "Treated", "unreadable": "N/A"}
LEVEL_MIN_PX = 60
#: the shares the columns get in turn once each has its least: a level name up to LEVEL_FAIR_PX
#: ("No abnormality"), a file name up to FILE_BEFORE_REVIEW_PX, the review with the reader's
#: level whole ("✓ Further exam": it had read "✓ Fu…" while the file name took its share),
#: the file name up to FILE_FAIR_PX ("00017_hr.hea"), the level whole, the file name up to
#: FILE_EASY_PX (~15 characters)
LEVEL_FAIR_PX = 104
FILE_BEFORE_REVIEW_PX = 84
FILE_FAIR_PX = 96
FILE_EASY_PX = 120
#: the main finding shows when this much is left beside the three columns; the heart rate only
#: when the finding keeps FINDING_WITH_HR_PX beside it
FINDING_MIN_PX = 40
FINDING_WITH_HR_PX = 90
CELL_PAD_PX = 10  # a cell's text margins (3 px a side), its grid line, a rounding to spare
ELIDE = {"level": Qt.TextElideMode.ElideRight, "file": Qt.TextElideMode.ElideMiddle,
         "review": Qt.TextElideMode.ElideRight, "finding": Qt.TextElideMode.ElideRight,
         "hr": Qt.TextElideMode.ElideRight}
STATE_ROLE = Qt.ItemDataRole.UserRole + 1  # the review state's word (what must stay readable)


class _ElideDelegate(QStyledItemDelegate):
    """Draws a column's cells elided with ``mode`` (a table has one elide mode for all)."""

    def __init__(self, mode: Qt.TextElideMode, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mode = mode

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = self.mode


def display_names(names: list[str], fits: Callable[[str], bool],
                  middle: Callable[[str], str]) -> dict[str, str]:
    """name -> the text its cell shows: the name where it fits, else elided in the middle; where
    several names would then read the same, each of them drops what that group shares at its
    start and end instead (:func:`distinct_elide`). A cart's ``ECG_20261204_093012_12lead.xml``
    and its repeat ``…_2.xml`` read 「…093012_12lead.xml」 and 「…093012_12lead_2.xml」."""
    shown = {n: n if fits(n) else middle(n) for n in names}
    for _ in range(2):  # what still reads alike gets a second look
        groups: dict[str, list[str]] = defaultdict(list)
        for n in dict.fromkeys(names):
            groups[shown[n]].append(n)
        for group in groups.values():
            if len(group) < 2:
                continue
            pre = len(os.path.commonprefix(group))
            suf = len(os.path.commonprefix([n[::-1] for n in group]))
            suf = max(0, min(suf, min(len(n) for n in group) - pre))
            for n in group:
                text = distinct_elide(n, pre, suf, fits)
                if text is not None:
                    shown[n] = text
    return shown


def distinct_elide(name: str, pre: int, suf: int, fits: Callable[[str], bool]) -> str | None:
    """``name`` shortened so that what tells it from the other names stays: the part all names
    share at the start goes first ("…0931_12誘導.xml"), then the shared end but its extension
    ("…0931…xml"), then the extension too ("…0931…"); None when even that does not fit (the
    caller elides in the middle)."""
    if fits(name):
        return name
    # whole tokens: the part that differs is shown with the rest of its word or number
    # ("…093012…", not "…0…" beside "…5…")
    seps = "_- .()[]"
    pre = max((i + 1 for i in range(pre) if name[i] in seps), default=0)
    tail_at = len(name) - suf
    suf = len(name) - next((i for i in range(tail_at, len(name)) if name[i] in seps), len(name))
    if pre <= 1 and suf <= 1:
        return None
    core = name[pre:len(name) - suf]
    tail = name[len(name) - suf:]
    candidates = ["…" + core + tail] if pre > 1 else []
    ext = tail[tail.rfind("."):] if "." in tail else ""
    if suf > len(ext) + 1:
        candidates.append(("…" if pre > 1 else name[:pre]) + core + "…" + ext.lstrip("."))
    # narrower still (150 % scaling, QA 37: 00017_hr.hea and 00001_hr.hea both read "00···ea"):
    # the part that differs alone, marked as cut at both ends
    candidates.append(("…" if pre > 1 else name[:pre]) + core + "…")
    for text in candidates:
        if fits(text):
            return text
    return None


class _FileNameDelegate(_ElideDelegate):
    """The file column: names of one folder often share a long start and end (a cart's
    ``ECG_20261204_0930…_12lead.xml``); elided in the middle they all read the same. Names that
    would read alike drop what they share instead (:func:`display_names`, per column width);
    the full path stays in the tooltip."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(Qt.TextElideMode.ElideMiddle, parent)
        self._names: list[str] = []
        self._shown: dict[tuple[int, str], dict[str, str]] = {}  # (room, font) -> texts

    def set_names(self, names: list[str]) -> None:
        if names != self._names:
            self._names, self._shown = names, {}

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        room = option.rect.width() - CELL_PAD_PX
        fm = option.fontMetrics
        key = (room, option.font.key())
        if key not in self._shown:
            self._shown[key] = display_names(
                self._names, lambda t: fm.horizontalAdvance(t) <= room,
                lambda t: fm.elidedText(t, Qt.TextElideMode.ElideMiddle, room))
        option.text = self._shown[key].get(option.text, option.text)


class WorklistPanel(QWidget):
    openRequested = Signal(object)  # path (a str signal drops a Shift_JIS name's bytes, QA 51)

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
        self._in_rows: list[str] = []  # table row -> file (not the items' data: Qt drops the
        # bytes of a Shift_JIS name, QA 51)
        self._resolved: dict[Path, str] = {}  # resolved path -> worklist entry

        self.status = QLabel()
        self.status.setWordWrap(True)
        self._status: Callable[[], str] | None = None  # renders the status line (a switch)
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
        # Tab / Shift+Tab leave the table for the next control (QA 72: they went cell by cell and
        # never left, so the review dock could not be reached from the keyboard)
        self.table.setTabKeyNavigation(False)
        self.table.cellDoubleClicked.connect(self._open_row)
        self.table.installEventFilter(self)
        self.table.viewport().installEventFilter(self)  # a vertical scroll bar came or went
        # never sideways: the columns share the width (_fit_columns)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(16)
        for visual, name in enumerate(SHOWN_ORDER):
            header.moveSection(header.visualIndex(COLS.index(name)), visual)
        self._delegates = [_FileNameDelegate(self.table) if name == "file"
                           else _ElideDelegate(ELIDE[name], self.table) for name in COLS]
        for col, delegate in enumerate(self._delegates):
            self.table.setItemDelegateForColumn(col, delegate)
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
        top = QHBoxLayout()
        top.addWidget(self.bar, 1)
        top.addWidget(self.stop_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(self.table, 1)

        self.service.rowReady.connect(self._row_ready)
        self.service.progress.connect(self._progress)
        self.service.note.connect(lambda exc: self._set_status(
            lambda: tr("worklist.no_model", reason=user_message(exc))))
        self.service.finished.connect(self._finished)
        self.retranslate()

    def retranslate(self) -> None:
        self.stop_button.setText(tr("worklist.stop"))
        self.table.setHorizontalHeaderLabels([tr(f"worklist.col.{c}") for c in COLS])
        if self._status is not None:
            self.status.setText(self._status())
        self._refill()

    def _set_status(self, text: Callable[[], str]) -> None:
        """The status line, rendered now and again when the language changes."""
        self._status = text
        self.status.setText(text())

    # --- a folder -----------------------------------------------------------------------------
    def open_folder(self, folder: str | Path) -> int:
        self.folder = Path(folder)
        self.files = self.service.list_folder(self.folder)
        self._resolved = {f.resolve(): str(f) for f in self.files}
        self.rows = {}
        self.bar.setRange(0, max(1, len(self.files)))
        self.bar.setValue(0)
        folder, total = self.folder, len(self.files)
        if not self.files:
            self._set_status(lambda: tr("worklist.empty", dir=folder))
        else:
            self._set_status(lambda: tr("worklist.progress", done=0, total=total))
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
        done, total = len(self.rows), len(self.files)
        self._set_status(lambda: tr("worklist.stopped", done=done, total=total))

    def _row_ready(self, row: dict[str, Any]) -> None:
        self.rows[row["file"]] = row
        self._refill()

    def replace_row(self, row: dict[str, Any], analysis: Any = None) -> None:
        """A listed file's row made again (the file changed or went since the run read it)."""
        self.rows[row["file"]] = row
        if analysis is not None and row.get("sha256"):
            self.service.analyses[row["sha256"]] = analysis
        self._refill()

    def _progress(self, done: int, total: int, _rate: float) -> None:
        self.bar.setValue(done)
        # a file that was in progress when the run was stopped still reports
        key = "worklist.progress" if self.service.running else "worklist.stopped"
        self._set_status(lambda: tr(key, done=done, total=total))

    def _finished(self, total: int, rate: float) -> None:
        self.stop_button.setEnabled(False)
        self._set_status(lambda: tr("worklist.done", total=total, rate=rate))

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
        self._in_rows = files
        shas = [r.get("sha256") for r in self.rows.values() if r.get("sha256")]
        reviews = self.store.states(shas) if self.store is not None and shas else {}
        self.states = {sha: rv.state for sha, rv in reviews.items()}
        bold = QFont(self.table.font())
        bold.setBold(True)
        self.table.setRowCount(len(files))
        self._delegates[COLS.index("file")].set_names([printable_path(Path(f).name) for f in files])
        lang = language()
        ja = lang == "ja"
        same = copies(files, self.rows)  # a copy says which file it is the same ECG as
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
            # not reviewed: a mark as narrow as the language allows (the state's name on hover)
            finding, hr, review = "", "", tr("ui.worklist.unreviewed")
            state, review_tip = review, tr("review.ui.state.unreviewed")
            if row is not None and "error" in row:
                finding = (row.get("error_ja") if ja else None) or row["error"]
            elif row is not None:
                present = [s for s in row.get("labels", []) if s.get("above_threshold")]
                top = present or row.get("labels", [])[:1]
                sep = "、" if ja else ", "
                # a measurement rule's reason first (QA 48: an acute STEMI's 要至急 read
                # 「洞徐脈、下壁心筋梗塞」)
                first = measured_reasons_of(row.get("referral") or {}, lang)[:1]
                finding = sep.join([*first, *(s[lang] for s in top[:3 - len(first)])])
                if not finding and row.get("referral", {}).get(f"reasons_{lang}"):
                    finding = sep.join(row["referral"][f"reasons_{lang}"][:2])
                value = (row.get("measurements") or {}).get("hr_bpm")
                hr = f"{value:.0f}" if isinstance(value, int | float) else ""
                rv = reviews.get(row.get("sha256"))
                if rv is not None:
                    state, review = self._review_cell(rv.state, rv.final_level, lang)
                    review_tip = tr(f"review.ui.state.{rv.state}")
                    if rv.final_level:
                        review_tip += paren(referral_name(rv.final_level, lang), lang)
            if f in same:  # named with its folder where both have one name (QA 42: day1/, day2/)
                orig = Path(same[f])
                name = orig.name if orig.name != Path(f).name else f"{orig.parent.name}/{orig.name}"
                finding = tr("worklist.copy_of", name=name)
            cells = (level_text, printable_path(Path(f).name), finding, hr, review)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setToolTip(f"{full}: {finding}" if finding else full)
                    if level in LEVEL_COLORS:
                        item.setForeground(QColor(LEVEL_COLORS[level]))
                if c == 1:
                    item.setToolTip(printable_path(f))
                if c == 2:
                    item.setToolTip(finding)
                if c == 3 and hr:
                    item.setToolTip(f"{tr('worklist.col.hr')} {hr}")
                if c == 4:
                    item.setToolTip(review_tip)
                    item.setData(STATE_ROLE, state)
                if f == self.current:
                    item.setFont(bold)
                self.table.setItem(i, c, item)
            if f == self.current:
                self.table.selectRow(i)
        self._fit_columns()

    @staticmethod
    def _review_cell(state: str, final_level: str | None, lang: str) -> tuple[str, str]:
        """(the state's word or mark, the cell's text: with the reader's level when there is one)."""
        word = tr({"unreviewed": "ui.worklist.unreviewed", "in_progress": "ui.worklist.in_progress",
                   "done": "ui.worklist.done"}[state], lang)
        if final_level:  # in English one word (the tooltip has the whole name): "✓ Urgent
            # referral" had taken the file column's room down to "0001….hea" (QA 50)
            level = REVIEW_LEVEL_EN.get(final_level, final_level) if lang == "en" else \
                referral_name(final_level, lang, short=True)
            return word, tr("ui.worklist.done_as", lang, level=level)
        return word, word

    def _fit_columns(self) -> None:
        """The columns' widths for the table's width (see the module text); before the table
        is shown, each column as wide as its texts (up to MAX_COL_PX)."""
        t = self.table
        header = t.horizontalHeader()
        bold = QFont(t.font())
        bold.setBold(True)  # the open ECG's row is bold
        fm = QFontMetrics(bold)

        def widest(col: str, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> int:
            c = COLS.index(col)
            texts = [str(t.item(r, c).data(role) or "") for r in range(t.rowCount()) if t.item(r, c)]
            head = t.horizontalHeaderItem(c)
            texts.append(head.text() if head is not None else "")
            return max(fm.horizontalAdvance(x) for x in texts) + CELL_PAD_PX

        want = {c: min(widest(c), MAX_COL_PX.get(c, 10**6)) for c in COLS}
        if not t.isVisible():
            widths, shown = want, set(COLS)
        else:
            room = t.viewport().width()  # the vertical bar, when it shows, resizes it
            least = {"level": min(want["level"], LEVEL_MIN_PX),
                     "file": min(want["file"], FILE_MIN_PX),
                     "review": min(want["review"], widest("review", STATE_ROLE))}
            widths = dict(least)
            left = room - sum(least.values())
            for col, cap in (("level", min(want["level"], LEVEL_FAIR_PX)),
                             ("file", min(want["file"], FILE_BEFORE_REVIEW_PX)),
                             ("review", want["review"]),
                             ("file", min(want["file"], FILE_FAIR_PX)),
                             ("level", want["level"]), ("file", min(want["file"], FILE_EASY_PX))):
                more = max(0, min(cap - widths[col], left))
                widths[col] += more
                left -= more
            if left < 0:  # below the least: the three share the room by their least widths
                scale = max(room, 0) / max(sum(least.values()), 1)
                widths = {c: int(w * scale) for c, w in least.items()}
                left = 0
            shown = {"level", "file", "review"}
            if left >= FINDING_MIN_PX:
                shown.add("finding")
                if left - want["hr"] >= FINDING_WITH_HR_PX:
                    shown.add("hr")
                    widths["hr"] = want["hr"]
                    left -= want["hr"]
                widths["finding"] = left
            else:  # too little for a finding: the file name gets it
                widths["file"] += max(left, 0)
        for name in COLS:
            col = COLS.index(name)
            header.setSectionHidden(col, name not in shown)
            if name in shown:
                t.setColumnWidth(col, max(widths[name], 16))

    def _open_row(self, row: int, _col: int) -> None:
        if 0 <= row < len(self._in_rows):
            self.openRequested.emit(self._in_rows[row])

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        """Enter on the table opens the selected ECG; a new width shares the columns again."""
        if obj in (self.table, self.table.viewport()) and \
                ev.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._fit_columns()
        if obj is self.table and ev.type() == QEvent.Type.KeyPress and isinstance(ev, QKeyEvent) \
                and ev.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.table.currentRow() >= 0:
            self._open_row(self.table.currentRow(), 0)
            return True
        return super().eventFilter(obj, ev)

    def shutdown(self, wait_ms: int = 10000) -> None:
        self.service.stop(wait_ms)
