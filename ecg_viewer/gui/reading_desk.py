"""Reading a folder from the keyboard: the worklist in reading order, one key for each step of a
read, a progress line, the review saved on leaving each ECG.

Keys (window shortcuts; they do not fire while typing in a text field):
J / K next / previous case in the worklist, F next flagged (要至急・要精査) case not yet reviewed,
C / X confirm / reject the highest-ranked suggestion not yet decided, U 要至急, E 要精査,
W 異常なし (the reader's final level), Ctrl+L the worklist (Enter opens the selected row).
PgDown / PgUp and the toolbar's ◀ / ▶ do what J / K do while a worklist is open (without one
they go through the open file's folder).

Every decision goes to the review database as the review dock's controls do (with its audit
rows); a comment typed but not saved is stored when the reader leaves the ECG.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel

from ecg_viewer.app.analysis_flow import AnalysisFlow
from ecg_viewer.app.reading_queue import (
    FLAGGED_LEVELS,
    case_number,
    changed_since_listed,
    next_flagged,
    passed_flagged,
    progress,
    step,
    unreadable,
)
from ecg_viewer.app.worklist_service import file_stamp, stamp_changed
from ecg_viewer.core.errors import user_message
from ecg_viewer.core.messages import tr
from ecg_viewer.core.prediction import READING_ORDER, level_name
from ecg_viewer.gui.review_dock import ReviewDock, WorklistDock
from ecg_viewer.gui.window_layout import fit_worklist_width

log = logging.getLogger(__name__)

# action name -> (message key, shortcut)
KEYS: dict[str, tuple[str, str]] = {
    "desk:next": ("desk.action.next", "J"),
    "desk:prev": ("desk.action.prev", "K"),
    "desk:next_flagged": ("desk.action.next_flagged", "F"),
    "desk:confirm": ("desk.action.confirm", "C"),
    "desk:reject": ("desk.action.reject", "X"),
    "desk:urgent": ("desk.action.urgent", "U"),
    "desk:exam": ("desk.action.exam", "E"),
    "desk:normal": ("desk.action.normal", "W"),
    "desk:worklist": ("desk.action.worklist", "Ctrl+L"),
}
LEVEL_KEYS = {"desk:urgent": "urgent", "desk:exam": "D", "desk:normal": "A"}
#: the window's Next / Prev (PgDown / PgUp): (text with a worklist, without one, the desk's key)
PAGE_KEYS = {"next": ("desk.action.page_next", "ui.action.next", "desk:next"),
             "prev": ("desk.action.page_prev", "ui.action.prev", "desk:prev")}


class ReadingDesk(QObject):
    """Keyboard reading for ``win`` (the MainWindow) with its review dock, worklist dock and
    analysis flow."""

    def __init__(self, win: Any, review: ReviewDock, worklist: WorklistDock,
                 flow: AnalysisFlow) -> None:
        super().__init__(win)
        self.win = win
        self.worklist = worklist.panel
        self.worklist_dock = worklist.dock
        self.review_panel = review.panel
        self.review_dock = review
        # where the reader is in the worklist: the case last opened from it, even when it could
        # not be read (a file deleted since: J then moves past it, not back onto it)
        self._at: str | None = None
        self._opened: set[str] = set()  # worklist entries opened since the folder was
        # entries that sorted above a case when the reader opened it: passed over on purpose
        # (Enter on the third row), not placed there by a later analysis (QA 37: J then went
        # back to the first row, saying the analysis had moved it up)
        self._passed: set[str] = set()
        self._note_after_load: str | None = None
        self._armed: tuple[str | None, str] | None = None  # (ECG, level) a first key asked for
        self._detour: tuple[str, str | None] | None = None  # (late case opened, where J was)
        self.status = QLabel()
        self.status.setObjectName("reading_progress")
        self.status.setVisible(False)
        win.statusBar().insertPermanentWidget(0, self.status)
        slots = {
            "desk:next": lambda: self.step(+1), "desk:prev": lambda: self.step(-1),
            "desk:next_flagged": self.next_flagged,
            "desk:confirm": lambda: self.decide("confirmed"),
            "desk:reject": lambda: self.decide("rejected"),
            **{name: (lambda lv=lv: self.set_level(lv)) for name, lv in LEVEL_KEYS.items()},
            "desk:worklist": self.focus_worklist,
        }  # fmt: skip
        menu = win.actions_.menu(win.menuBar(), "desk.menu")
        for name, (key, shortcut) in KEYS.items():
            menu.addAction(win.actions_.add(name, key, slots[name], shortcut))
            if name == "desk:next_flagged":
                menu.addSeparator()
        # the worklist's analyses are reused: an ECG read from the list is not analysed twice
        flow.analysis_cache = self.worklist.service.analysis_for
        win.state.recordChanged.connect(self._record_changed)
        win.controller.loadFinished.connect(self._loaded)
        win.controller.loadFailed.connect(lambda *_a: setattr(self, "_note_after_load", None))
        # the list follows what the reader sees: a file changed, replaced or deleted since the
        # background run is shown with its new level (QA 35: overwritten with noise, its row
        # still read 異常なし and kept its place in the reading order)
        flow.analysed.connect(self._analysed)
        win.controller.loadFailed.connect(self._load_failed)
        self.worklist.service.rowReady.connect(lambda _row: self.update_status())
        self.review_panel.reviewChanged.connect(lambda _r: self.update_status())
        self.review_panel.changedElsewhere.connect(lambda _r: self.update_status())
        self.worklist.service.finished.connect(lambda *_a: self.update_status())

    # --- the folder ------------------------------------------------------------------------------
    def open_folder(self, folder: str | Path) -> int:
        """Open ``folder`` as the worklist (analysed in the background) and focus it."""
        self.worklist_dock.show()
        self.worklist_dock.raise_()
        fit_worklist_width(self.win, self.worklist_dock, self.win.screen_class)
        n = self.worklist.open_folder(folder)
        self._at, self._opened, self._passed = None, set(), set()
        self._name_page_keys()
        self.worklist.set_current(self.win.state.path)
        self.focus_worklist()
        self.update_status()
        self.win.view.empty_key = "desk.empty_worklist"  # how to open a case of the worklist
        if self.win.state.record is None:
            self.win.redraw()
        return n

    def has_worklist(self) -> bool:
        return bool(self.worklist.files)

    def _name_page_keys(self) -> None:
        """PgDown / PgUp (the File menu's and the toolbar's Next / Prev) say what they do now: the
        next case in reading order with a worklist (:meth:`step`), else the folder's next file;
        F1 lists them so."""
        for name, (case_key, file_key, desk) in PAGE_KEYS.items():
            if self.has_worklist():
                self.win.actions_.rekey(name, case_key, press=KEYS[desk][1])
            else:
                self.win.actions_.rekey(name, file_key)
        dialog = self.win.shortcuts_dialog
        if dialog is not None and dialog.isVisible():
            dialog.refresh()

    def focus_worklist(self) -> None:
        self.worklist_dock.show()
        self.worklist_dock.raise_()
        table = self.worklist.table
        if table.rowCount() and table.currentRow() < 0:
            table.selectRow(0)
        table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- moving -------------------------------------------------------------------------------------
    def current(self) -> str | None:
        return self.worklist.find(self._at) or self.worklist.find(self.win.state.path)

    def leave_case(self) -> None:
        """Store what is pending for the open ECG (the review itself is saved as it changes)."""
        self.review_panel.save_pending()

    def open(self, path: str | None, none_key: str = "ui.open.no_more_files") -> bool:
        if path is None:
            self.win.statusBar().showMessage(tr(none_key), 5000)
            return False
        self.leave_case()
        entry = self.worklist.find(path)
        if entry is not None:
            self._at = entry
            self._opened.add(entry)
        self.win.controller.open_file(path)
        return True

    def step(self, delta: int) -> bool:
        """The next (+1) / previous (-1) case in the worklist's reading order; without a
        worklist, the next/previous file of the open file's folder."""
        if not self.has_worklist():
            self.leave_case()
            return self.win.controller.step_file(delta)
        order = self.worklist.sorted_files()
        here = self.current()
        if delta > 0:
            if self._detour is not None and self._detour[0] == here and self._detour[1] in order:
                here = self._detour[1]  # on a detour: where the reader was going
            late = passed_flagged(order, here, self.worklist.rows, self._states(),
                                  self._opened | self._passed)
            if late is not None:  # analysed after the reader had passed its place in the order
                self._note_after_load = "desk.late_flagged"  # after the "loaded" line
                self._detour = (late, here)  # every late one first, then back on the way
                return self.open(late)
        self._detour = None
        # at an end of the worklist, say so (QA 50: the folder-browsing message said the folder
        # had no other ECG files beside nine others)
        return self.open(step(order, here, delta),
                         "desk.last_case" if delta > 0 else "desk.first_case")

    def next_flagged(self) -> bool:
        if not self.has_worklist():
            self.win.statusBar().showMessage(tr("desk.no_worklist"), 5000)
            return False
        order = self.worklist.sorted_files()
        replaced = [f for f in changed_since_listed(order, self.worklist.rows, stamp_changed)
                    if f != self.current()]
        if replaced:  # opened, it is analysed again and its row replaced (_analysed)
            self.win.statusBar().showMessage(
                tr("desk.changed_on_disk", name=Path(replaced[0]).name), 8000)
            return self.open(replaced[0])
        path = next_flagged(order, self.current(), self.worklist.rows, self._states())
        if path is None:  # ... and the files nobody could read, which F does not visit (QA 61)
            unread = unreadable(order, self.worklist.rows)
            self.win.statusBar().showMessage(  # short: the status bar cuts a long line (QA 63)
                tr("desk.unreadable_left", n=unread) if unread else tr("desk.no_flagged_left"),
                8000)
            return False
        return self.open(path)

    # --- deciding ----------------------------------------------------------------------------------
    def _no_store(self) -> bool:
        """Say that nothing can be recorded when the review database is unavailable (QA 72: C
        said nothing, U said 「心電図を開いてください」 with an ECG open)."""
        if self.review_panel.store is None and self.review_panel.record is not None:
            self.win.statusBar().showMessage(tr("desk.no_store"), 8000)
            return True
        return False

    def decide(self, decision: str) -> str | None:
        if self._no_store():
            return None
        label_id, saved = self.review_panel.decide_top(decision)
        if label_id is None:
            key = "desk.no_suggestion" if self.review_panel.analysis is None else "desk.all_decided"
            self.win.statusBar().showMessage(tr(key), 5000)
            return None
        if not saved:  # the panel's failure message stays on the status bar
            return None
        if not self.review_dock.last_clash:  # else its warning stays (QA 53: overwritten at once)
            self.win.statusBar().showMessage(
                tr(f"desk.decided.{decision}", label=self.review_panel._label_name(label_id)), 5000)
        return label_id

    def set_level(self, level: str) -> bool:
        if self._no_store():
            return False
        # a key that sets a level below the AI's 要至急/要精査 is pressed twice (QA 43: one stray W
        # stored 異常なし on a 要至急 case, which F then passed over as reviewed)
        analysis = self.review_panel.analysis
        ai = analysis.referral.level if analysis is not None else None
        below = ai in FLAGGED_LEVELS and READING_ORDER.get(level, 9) > READING_ORDER.get(ai, 9)
        armed, self._armed = self._armed, None
        if below and armed != (self.review_panel.sha256, level):
            self._armed = (self.review_panel.sha256, level)
            key = next(KEYS[n][1] for n, lv in LEVEL_KEYS.items() if lv == level)
            self.win.statusBar().showMessage(tr("desk.level_confirm", ai=level_name(ai).text(),
                                                level=level_name(level).text(), press=key), 10000)
            return False
        saved = self.review_panel.set_final_level(level)
        if saved is None:
            self.win.statusBar().showMessage(tr("review.ui.no_record"), 5000)
            return False
        if not saved:  # not stored: the panel's failure message stays on the status bar
            return False
        self.win.statusBar().showMessage(tr("desk.level_set", level=level_name(level).text()), 5000)
        self.update_status()
        return True

    # --- progress line -------------------------------------------------------------------------------
    def _states(self) -> dict[str, str]:
        """sha256 -> review state of the worklist's ECGs, read from the database now."""
        store = self.worklist.store
        shas = [r["sha256"] for r in self.worklist.rows.values() if r.get("sha256")]
        if store is None or not shas:
            return {}
        return {sha: rv.state for sha, rv in store.states(shas).items()}

    def _record_changed(self, _record: Any) -> None:
        self._armed = None  # only a key pressed again at once confirms (QA 44: W, J, K, W stored A)
        if self.has_worklist():
            self.worklist.set_current(self.win.state.path)
            # opened from the list, a dialog or the recent files (None: a file not in the list)
            self._at = self.worklist.find(self.win.state.path)
            if self._at is not None:
                self._opened.add(self._at)
                order = self.worklist.sorted_files()
                self._passed.update(order[:order.index(self._at)] if self._at in order else ())
        self.update_status()

    def _analysed(self, analysis: Any) -> None:
        entry = self.worklist.find(self.win.state.path)
        row = self.worklist.rows.get(entry) if entry else None
        record = self.win.state.record
        if row is None or ("error" not in row and row.get("sha256") == analysis.sha256):
            if row is not None and record is not None:  # the same ECG (only touched): seen now
                row["file_stamp"] = file_stamp(record.source_files or [entry])
            return  # not listed yet (the run will list it), or the same ECG as listed
        fresh = {**analysis.to_dict(), "file": entry,
                 "file_stamp": file_stamp(record.source_files if record is not None else [entry])}
        if record is not None and record.meta.recorded_at is not None:
            fresh["recorded_at"] = record.meta.recorded_at.isoformat()
        self.worklist.replace_row(fresh, analysis)
        self.update_status()

    def _load_failed(self, path: str, exc: BaseException) -> None:
        entry = self.worklist.find(path)
        row = self.worklist.rows.get(entry) if entry else None
        if row is None or "error" in row:
            return
        self.worklist.replace_row({"file": entry, "error": user_message(exc, "en"),
                                   "error_ja": user_message(exc, "ja"),
                                   "error_type": type(exc).__name__})
        self.update_status()

    def _loaded(self, _path: str) -> None:
        key, self._note_after_load = self._note_after_load, None
        if key:
            self.win.statusBar().showMessage(tr(key), 10000)

    def update_status(self) -> None:
        if not self.has_worklist():
            self.status.setVisible(False)
            return
        order = self.worklist.sorted_files()
        p = progress(order, self.worklist.rows, self._states())
        pos = case_number(order, self.worklist.rows, self.current())
        key = "desk.progress" if pos else "desk.progress_none"
        self.status.setText(tr(key, pos=pos, reviewed=p.reviewed, total=p.total,
                               flagged=p.flagged_left))
        self.status.setToolTip(tr("desk.progress_tip", analysed=p.analysed, total=p.total))
        self.status.setVisible(True)

    def progress(self) -> Any:
        return progress(self.worklist.sorted_files(), self.worklist.rows, self._states())

    def retranslate(self) -> None:
        self.update_status()
