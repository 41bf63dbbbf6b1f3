"""The viewer's application state: the open record, the page settings, the calipers, and the
open record's measurements (one :class:`~ecg_viewer.signal.measure.Measurements`) and analysis.

Qt-core only (signals); no widgets. The display signal (filtered copy) and the page geometry are
derived here and cached; the record's raw signal is never altered.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from ecg_viewer.core.record import EcgRecord
from ecg_viewer.signal.calipers import Caliper
from ecg_viewer.signal.filters import FilterSettings, apply_filters
from ecg_viewer.signal.page import Page, PageSettings, layout_page

if TYPE_CHECKING:  # scipy loads with the first measurement, not before the window shows
    from ecg_viewer.signal.measure import Measurements

LONG_RECORD_S = 120.0  # longer records are filtered around the page shown only
SEGMENT_PAD_S = 30.0  # seconds filtered beyond each side of the page (0.05 Hz settles in ~10 s)


class FilteredSegment:
    """A filtered stretch of a long record, indexed like the full ``[leads, samples]`` array
    (``seg[row, i0:i1]`` with absolute sample numbers inside the stretch)."""

    def __init__(self, data: np.ndarray, offset: int) -> None:
        self.data = data
        self.offset = offset

    def __getitem__(self, key: tuple[int, slice]) -> np.ndarray:
        row, sl = key
        start = (sl.start or 0) - self.offset
        stop = (self.offset + self.data.shape[1] if sl.stop is None else sl.stop) - self.offset
        if start < 0 or stop > self.data.shape[1]:
            raise IndexError(f"samples {sl.start}..{sl.stop} are outside the filtered stretch "
                             f"{self.offset}..{self.offset + self.data.shape[1]}")
        return self.data[row, start:stop]


class ViewerState(QObject):
    recordChanged = Signal(object)  # EcgRecord
    settingsChanged = Signal(object)  # PageSettings
    calipersChanged = Signal()
    measurementsChanged = Signal(object)  # signal.measure.Measurements | None
    analysisChanged = Signal(object)  # ecg_viewer.core.prediction.Analysis | None

    def __init__(self, settings: PageSettings | None = None) -> None:
        super().__init__()
        self.record: EcgRecord | None = None
        self.path: str | None = None
        self.settings: PageSettings = settings or PageSettings()
        self._calipers: dict[str, list[Caliper]] = {}
        self._filtered: dict[tuple[FilterSettings, int], np.ndarray | FilteredSegment] = {}
        self._page: Page | None = None
        self.measurements: Measurements | None = None  # the one object; .to_dict() for a dict
        self.analysis: object | None = None

    # --- record -------------------------------------------------------------------------------
    def set_record(self, record: EcgRecord, path: str | None = None) -> None:
        self.record = record
        self.path = path or record.source_path
        self._filtered.clear()
        self._page = None
        self.measurements = None
        self.analysis = None
        # a new record starts at its beginning; keep the other settings
        if self.settings.start_s:
            self.settings = dataclasses.replace(self.settings, start_s=0.0)
        self.recordChanged.emit(record)
        self.calipersChanged.emit()

    @property
    def record_key(self) -> str | None:
        if self.record is None:
            return None
        return self.record.sha256 or self.path or str(id(self.record))

    # --- settings -------------------------------------------------------------------------------
    def update_settings(self, **changes: Any) -> PageSettings:
        new = dataclasses.replace(self.settings, **changes)
        if new != self.settings:
            self.settings = new
            self._page = None
            self.settingsChanged.emit(new)
        return self.settings

    # --- derived ---------------------------------------------------------------------------------
    def display_signal(self) -> np.ndarray | FilteredSegment | None:
        """The signal as drawn: the raw one, or its filtered copy (cached per filter setting).

        A long record (over :data:`LONG_RECORD_S`) is filtered only around the page shown, with
        :data:`SEGMENT_PAD_S` on each side for the filters to settle, so that a filter toggle on a
        24-hour recording does not freeze the window."""
        if self.record is None:
            return None
        f = self.settings.filters
        if not f.any_on:
            return self.record.signal_mv
        rec = self.record
        key: tuple[FilterSettings, int] = (f, -1)
        if rec.duration_s > LONG_RECORD_S:
            page = self.page()
            fs = rec.fs_hz
            i0 = max(0, int((page.start_s - SEGMENT_PAD_S) * fs))
            i1 = min(rec.n_samples, int((page.start_s + page.window_s + SEGMENT_PAD_S) * fs) + 1)
            key = (f, i0)
        cached = self._filtered.get(key)
        if cached is None:
            if key[1] < 0:
                cached = apply_filters(rec.signal_mv, rec.fs_hz, f)
            else:
                cached = FilteredSegment(apply_filters(rec.signal_mv[:, i0:i1], rec.fs_hz, f), i0)
            if len(self._filtered) >= 4:
                self._filtered.pop(next(iter(self._filtered)))
            self._filtered[key] = cached
        return cached

    def page(self) -> Page | None:
        if self.record is None:
            return None
        if self._page is None or self._page.settings != self.settings:
            self._page = layout_page(self.record, self.settings)
        return self._page

    # --- calipers ------------------------------------------------------------------------------
    @property
    def calipers(self) -> list[Caliper]:
        key = self.record_key
        return list(self._calipers.get(key, [])) if key else []

    def add_caliper(self, c: Caliper) -> None:
        key = self.record_key
        if key is None:
            return
        self._calipers.setdefault(key, []).append(c)
        self.calipersChanged.emit()

    def clear_calipers(self) -> None:
        key = self.record_key
        if key and self._calipers.get(key):
            self._calipers[key] = []
            self.calipersChanged.emit()

    # --- results from other parts (measurements, model) -------------------------------------------
    def set_measurements(self, m: Measurements | None) -> None:
        self.measurements = m
        self.measurementsChanged.emit(m)

    def set_analysis(self, analysis: object | None) -> None:
        self.analysis = analysis
        self.analysisChanged.emit(analysis)
