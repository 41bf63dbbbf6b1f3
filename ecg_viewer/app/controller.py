"""The viewer's use cases: open a file (off the GUI thread), step through a folder, change the
page settings, place calipers. Widgets call these; they never touch files or filters themselves.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ecg_viewer.app.settings import AppSettings
from ecg_viewer.app.state import ViewerState
from ecg_viewer.app.worker import Lane
from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.messages import tr
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.files import find_ecg_files
from ecg_viewer.report.content import format_name
from ecg_viewer.signal.calipers import Caliper
from ecg_viewer.signal.filters import FilterSettings
from ecg_viewer.signal.page import GAINS_MM_MV, LAYOUTS, SPEEDS_MM_S

log = logging.getLogger(__name__)

class Controller(QObject):
    # a path goes as an object: a str or list signal drops the bytes of a Shift_JIS name (QA 51:
    # 田中.mwf came back as c.mwf, named so and opened so)
    loadStarted = Signal(object)  # path
    loadFailed = Signal(object, object)  # path, the exception (user_message() renders it)
    loadFinished = Signal(object)  # path
    recentChanged = Signal(object)  # list of paths
    info = Signal(str)  # a one-line notice for the status bar

    def __init__(self, state: ViewerState, settings: AppSettings | None = None) -> None:
        super().__init__()
        self.state = state
        self.settings = settings or AppSettings()
        self.lane = Lane("load", self)

    # --- opening files -----------------------------------------------------------------------
    def open_file(self, path: str, fs_hz: float | None = None) -> int:
        """Read ``path`` on the load lane; the current record stays until the new one is in.
        A later call supersedes an earlier one still pending (its result is dropped).
        ``fs_hz``: the rate of a CSV that states none (the reader was asked for it)."""
        self.loadStarted.emit(path)
        read = read_ecg if fs_hz is None else functools.partial(read_ecg, fs_hz=fs_hz)
        return self.lane.submit(read, path, key="open",
                                on_done=lambda rec, path=path: self._loaded(path, rec),
                                on_error=lambda exc, path=path: self._failed(path, exc))

    def open_record(self, record: EcgRecord, path: str | None = None) -> None:
        """Show an already-read record (tests, the worklist); a file still loading is dropped."""
        self.lane.cancel("open")
        self.state.set_record(record, path)

    def _loaded(self, path: str, record: EcgRecord) -> None:
        self.state.set_record(record, path)
        self.settings.set_last_dir(str(Path(path).parent))
        self.recentChanged.emit(self.settings.add_recent_file(str(Path(path).resolve())))
        self.info.emit(tr("ui.open.loaded", file=Path(path).name, fmt=format_name(record.format),
                          fs=record.fs_hz, dur=record.duration_s))
        self.loadFinished.emit(path)

    def _failed(self, path: str, exc: BaseException) -> None:
        if not isinstance(exc, EcgError | OSError):  # not a reader's error: the log has it
            log.error("unexpected error reading %s: %r", path, exc)
        self.loadFailed.emit(path, exc)

    def is_loading(self) -> bool:
        return self.lane.busy

    def shutdown(self, ms: int = 10000) -> None:
        self.lane.shutdown(ms)

    def step_file(self, delta: int) -> bool:
        """Open the next (``+1``) or previous (``-1``) ECG file in the open file's folder."""
        if not self.state.path:
            return False
        cur = Path(self.state.path).resolve()
        files = [p.resolve() for p in find_ecg_files(cur.parent)]
        if cur not in files or len(files) < 2:
            self.info.emit(tr("ui.open.no_more_files"))
            return False
        i = files.index(cur) + delta
        if not 0 <= i < len(files):
            self.info.emit(tr("ui.open.no_more_files"))
            return False
        self.open_file(str(files[i]))
        return True

    # --- page settings ------------------------------------------------------------------------
    def _store(self) -> None:
        self.settings.set_page_settings(self.state.settings)

    def set_layout(self, layout: str) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
        self.state.update_settings(layout=layout)
        self._store()

    def set_single_lead(self, lead: str) -> None:
        self.state.update_settings(single_lead=lead, layout="1")
        self._store()

    def set_speed(self, speed_mm_s: float) -> None:
        self.state.update_settings(speed_mm_s=float(speed_mm_s))
        self._store()

    def cycle_speed(self) -> None:
        i = SPEEDS_MM_S.index(self.state.settings.speed_mm_s) if self.state.settings.speed_mm_s in SPEEDS_MM_S else 0
        self.set_speed(SPEEDS_MM_S[(i + 1) % len(SPEEDS_MM_S)])

    def set_gain(self, gain_mm_mv: float, which: str = "both") -> None:
        """``which``: "both", "limb" or "chest"."""
        g = float(gain_mm_mv)
        if which == "limb":
            self.state.update_settings(gain_limb_mm_mv=g)
        elif which == "chest":
            self.state.update_settings(gain_chest_mm_mv=g)
        else:
            self.state.update_settings(gain_limb_mm_mv=g, gain_chest_mm_mv=g)
        self._store()

    def step_gain(self, delta: int) -> None:
        cur = self.state.settings.gain_limb_mm_mv
        i = GAINS_MM_MV.index(cur) if cur in GAINS_MM_MV else 2
        self.set_gain(GAINS_MM_MV[max(0, min(len(GAINS_MM_MV) - 1, i + delta))])

    def set_filters(self, filters: FilterSettings) -> None:
        self.state.update_settings(filters=filters)
        self._store()

    def set_filter(self, kind: str, value_hz: float | None) -> None:
        """``kind``: "highpass", "notch" or "lowpass"; None turns it off."""
        d = self.state.settings.filters.to_dict()
        d[f"{kind}_hz"] = value_hz
        self.set_filters(FilterSettings.from_dict(d))

    def toggle_filter(self, kind: str, on_value_hz: float) -> None:
        cur = getattr(self.state.settings.filters, f"{kind}_hz")
        self.set_filter(kind, None if cur is not None else on_value_hz)

    def scroll(self, fraction: float) -> None:
        """Move the window by ``fraction`` of its length (negative: back)."""
        page = self.state.page()
        if page is None:
            return
        start = max(0.0, min(page.duration_s - page.window_s, page.start_s + fraction * page.window_s))
        self.state.update_settings(start_s=start)

    # --- calipers ---------------------------------------------------------------------------------
    def add_caliper(self, caliper: Caliper) -> None:
        self.state.add_caliper(caliper)

    def clear_calipers(self) -> None:
        self.state.clear_calipers()
