"""Page geometry of an ECG printout, Qt-free: which lead, which time span, where on the page.

Computed once from the record and the settings by :func:`layout_page`; the screen
(``ecg_viewer.gui``) and the PDF report both draw from the resulting :class:`Page`, so they
cannot disagree.

Coordinates are millimetres on the paper, origin at the top-left corner, **y pointing down**
(as on screen). A drawing surface with y up (reportlab) uses ``page.height_mm - y_mm``.
The grid covers ``0..width_mm`` × ``0..height_mm`` with 1 mm minor and 5 mm major lines; every
trace's left edge and baseline lie on a major line, so at 25 mm/s and 10 mm/mV a 5 mm square
is 0.2 s × 0.5 mV.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ecg_viewer.core.leads import CANONICAL_LEADS, CHEST_LEADS
from ecg_viewer.core.messages import list_sep, paren, tr
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.core.runs import true_runs
from ecg_viewer.signal.filters import FilterSettings

LAYOUTS: tuple[str, ...] = ("3x4", "6x2", "12x1", "1")
SPEEDS_MM_S: tuple[float, ...] = (12.5, 25.0, 50.0)
GAINS_MM_MV: tuple[float, ...] = (2.5, 5.0, 10.0, 20.0)
MINOR_MM = 1.0
MAJOR_MM = 5.0
PULSE_S = 0.2  # width of the 1 mV calibration pulse, in seconds of paper
PULSE_MV = 1.0

# row pitch (mm) of each layout at 10 mm/mV; grows with the gain above 10 mm/mV
_ROW_PITCH_MM = {"3x4": 40.0, "6x2": 30.0, "12x1": 25.0, "1": 80.0}
_TOP_MM = 5.0
_BOTTOM_MM = 10.0  # band for the printed settings line
_RIGHT_MM = 5.0
# fewer standard leads than this: the record is drawn as its own channels, not a 12-lead grid
_MIN_FOR_GRID = 6
_MIN_WIDTH_MM = 150.0


@dataclass(frozen=True)
class PageSettings:
    """What the clinician chose: layout, paper speed, gains, filters, which part of the record."""

    layout: str = "3x4"
    speed_mm_s: float = 25.0
    gain_limb_mm_mv: float = 10.0
    gain_chest_mm_mv: float = 10.0
    filters: FilterSettings = field(default_factory=FilterSettings)
    start_s: float = 0.0  # first second shown (scrolling through long records)
    window_s: float = 10.0  # seconds of record across the page
    single_lead: str = "II"  # the lead of the "1" (one lead enlarged) layout
    rhythm_lead: str = "II"
    # the rows' pitch (a multiple of 5 mm), None: the layout's own (a report whose channels do
    # not fit one A4 sheet otherwise, report.pdf.printed_settings)
    row_pitch_mm: float | None = None

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, got {self.layout!r}")
        if not self.speed_mm_s > 0:
            raise ValueError(f"speed_mm_s must be positive, got {self.speed_mm_s!r}")
        for name in ("gain_limb_mm_mv", "gain_chest_mm_mv"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        if not self.window_s > 0:
            raise ValueError(f"window_s must be positive, got {self.window_s!r}")
        if self.row_pitch_mm is not None and not self.row_pitch_mm > 0:
            raise ValueError(f"row_pitch_mm must be positive, got {self.row_pitch_mm!r}")

    def gain_for(self, lead: str) -> float:
        return self.gain_chest_mm_mv if lead in CHEST_LEADS else self.gain_limb_mm_mv


@dataclass(frozen=True)
class TracePlacement:
    """One lead segment on the page: samples ``[i0, i1)`` of ``lead`` drawn from ``x_mm``."""

    lead: str
    row_index: int  # row of record.signal_mv, -1 when the record lacks this lead
    t0_s: float
    t1_s: float
    i0: int
    i1: int
    x_mm: float  # left edge (= time t0_s)
    y_mm: float  # baseline (0 mV)
    width_mm: float
    band_top_mm: float  # the row band this trace owns (for hit tests and labels)
    band_bottom_mm: float
    gain_mm_mv: float
    speed_mm_s: float
    rhythm: bool = False
    # the samples of the page's window ([page_i0, page_i1)) of this lead: the other candidate
    # level of the segment (``drawn_level``)
    page_i0: int = 0
    page_i1: int = 0
    # the signal level drawn on the baseline (``with_levels``): y_of/v_of take it in, so that a
    # caliper holds the signal's own mV and stays on the waveform in any layout (QA 42)
    level_mv: float | None = None
    # the sample ranges [start, end) of this segment the file held no sample for
    # (EcgRecord.gaps): not drawn, so the paper shows a gap where the lead has none
    gaps: tuple[tuple[int, int], ...] = ()

    @property
    def available(self) -> bool:
        return self.row_index >= 0

    def x_of(self, t_s: float) -> float:
        return self.x_mm + (t_s - self.t0_s) * self.speed_mm_s

    def y_of(self, v_mv: float) -> float:
        return self.y_mm - (v_mv - (self.level_mv or 0.0)) * self.gain_mm_mv

    def t_of(self, x_mm: float) -> float:
        return self.t0_s + (x_mm - self.x_mm) / self.speed_mm_s

    def v_of(self, y_mm: float) -> float:
        return (self.y_mm - y_mm) / self.gain_mm_mv + (self.level_mv or 0.0)

    def contains(self, x_mm: float, y_mm: float) -> bool:
        return (self.x_mm <= x_mm <= self.x_mm + self.width_mm
                and self.band_top_mm <= y_mm <= self.band_bottom_mm)

    @property
    def label_xy(self) -> tuple[float, float]:
        """Where the lead name goes (top-left of the text), inside the trace's band."""
        return self.x_mm + 1.0, self.band_top_mm + 1.0

    def points(self, signal_mv: np.ndarray, fs_hz: float) -> tuple[np.ndarray, np.ndarray]:
        """x and y (mm) of this segment's samples, from the full ``[leads, samples]`` signal
        (or anything indexed the same way, e.g. the filtered stretch of a long record).

        The segment is drawn around ``level_mv`` (a page made by :func:`with_levels`; on one
        without, the level :func:`drawn_level` chooses), as a cart prints every lead on its row
        whatever the electrode's offset: unfiltered ("raw"), a lead sitting at -9 mV had been
        drawn 90 mm below its row, off the page (QA 39: Philips ad4d3d80 V3; CinC S0008's lead
        I 15 mm low). Amplitudes on the paper are differences (a wave against its baseline, the
        calibration pulse), which the shift leaves as they are."""
        if not self.available or self.i1 <= self.i0:
            return np.empty(0), np.empty(0)
        v = np.asarray(signal_mv[self.row_index, self.i0 : self.i1], dtype=np.float64)
        x = self.x_mm + (np.arange(self.i0, self.i1) / fs_hz - self.t0_s) * self.speed_mm_s
        level = self.level_mv if self.level_mv is not None else drawn_level(self, signal_mv,
                                                                             fs_hz)
        y = self.y_mm - (v - level) * self.gain_mm_mv
        for a, b in self.gaps:  # NaN: the drawing leaves the stretch out
            y[max(a, self.i0) - self.i0:max(0, min(b, self.i1) - self.i0)] = np.nan
        return x, y


def finite_runs(v: np.ndarray) -> list[slice]:
    """The runs of finite values of ``v`` (what a polyline draws; NaN marks a gap)."""
    return [slice(a, b) for a, b in true_runs(np.isfinite(v))]


CLIP_MARK_MM = 2.0  # width of the triangle that marks a wave cut at the paper's edge


def clip_marks(page: Page, signal_mv: np.ndarray, fs_hz: float,
               drawn: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
               ) -> list[tuple[float, float]]:
    """Where a trace runs beyond the paper (above the top, below the bottom): (x, edge y) in mm,
    one per run beyond the edge, at its sample furthest out. The PDF and the PNG cut the trace
    there; a mark says a wave was cut (QA 39: a 4-mV R in V4, 1 mV over the 3 mV of room above
    the top row, came out flat-topped and unmarked). ``drawn``: each trace's ``points`` as the
    caller drew them (not computed again)."""
    out: list[tuple[float, float]] = []
    for i, t in enumerate(page.traces):
        x, y = drawn[i] if drawn is not None else t.points(signal_mv, fs_hz)
        for edge, beyond in ((0.0, y < 0.0), (page.height_mm, y > page.height_mm)):
            idx = np.flatnonzero(beyond)
            if not idx.size:
                continue
            for run in np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1):
                k = int(run[np.argmax(np.abs(y[run] - edge))])
                out.append((float(x[k]), edge))
    return out


def clip_triangle(x_mm: float, edge_mm: float) -> tuple[list[float], list[float]]:
    """The closed outline of a clip mark: a triangle pointing out of the paper, its tip on the
    edge at ``x_mm``."""
    h = CLIP_MARK_MM * 0.9
    inward = h if edge_mm == 0.0 else -h
    w = CLIP_MARK_MM / 2.0
    return ([x_mm, x_mm - w, x_mm + w, x_mm], [edge_mm, edge_mm + inward, edge_mm + inward, edge_mm])


def display_level(v: np.ndarray) -> float:
    """The median of the finite samples of ``v`` (the baseline between the beats, which take a
    small part of a cycle), 0 when it has none."""
    finite = v[np.isfinite(v)]
    return float(np.median(finite)) if finite.size else 0.0


FLAT_RUN_S = 0.1  # a run this long without change is a lead off its skin, not an ECG


def drawn_level(t: TracePlacement, signal_mv: np.ndarray, fs_hz: float) -> float:
    """The signal level a segment is drawn around: of its own median, the median of its lead
    over the page's window, and 0 (the file's own level), the one that keeps most of the
    segment's moving samples inside its row (a tie: in that order). Its own median follows a
    drifting lead (ad4d3d80 V3); the page's follows through a dropout that takes most of the
    segment (a lead at -3 mV for 1.5 s of its 2.5 s had sent the live part into the row above:
    QA 42); 0 keeps a lead on its row whose waves outlast its baseline."""
    if not t.available or t.i1 <= t.i0:
        return 0.0
    v = np.asarray(signal_mv[t.row_index, t.i0 : t.i1], dtype=np.float64)
    candidates = [display_level(v)]
    if t.page_i1 > t.page_i0:
        page = np.asarray(signal_mv[t.row_index, t.page_i0 : t.page_i1], dtype=np.float64)
        candidates.append(display_level(page))
    candidates.append(0.0)
    moving = v[np.isfinite(v) & ~_flat_runs(v, max(int(FLAT_RUN_S * fs_hz), 2))]
    if moving.size == 0:
        return candidates[0]
    up = (t.y_mm - t.band_top_mm) / t.gain_mm_mv
    down = (t.band_bottom_mm - t.y_mm) / t.gain_mm_mv
    inside = [float(np.mean((moving - c <= up) & (c - moving <= down))) for c in candidates]
    return candidates[int(np.argmax(inside))]


def _flat_runs(v: np.ndarray, n: int) -> np.ndarray:
    """Samples in runs of at least ``n`` equal values."""
    out = np.zeros(v.size, dtype=bool)
    same = np.concatenate(([0], (np.diff(v) == 0).astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(same))  # pairs: a run of equal steps [a, b) -> samples a..b
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if b - a + 1 >= n:
            out[a : b + 1] = True
    return out


def with_levels(page: Page, signal_mv: np.ndarray) -> Page:
    """``page`` with each trace's drawn level set from ``signal_mv`` (what is drawn: the
    filtered signal when a filter is on), so that the drawing, the calipers (``v_of``/``y_of``)
    and the clip marks agree."""
    traces = tuple(replace(t, level_mv=drawn_level(t, signal_mv, page.fs_hz))
                   for t in page.traces)
    return replace(page, traces=traces)


@dataclass(frozen=True)
class CalibrationPulse:
    """A 1 mV rectangular pulse at the start of a row, drawn at that row's gain; a row whose
    chest leads are drawn at another gain than its limb leads (3x4, 6x2 with a chest gain of
    their own) gets a stepped pulse, its first half at the limb gain and its second at the
    chest gain, as carts print it (QA 39: V1-V6 at 5 mm/mV beside a 10-mm pulse alone read
    half their voltage against it)."""

    x_mm: float
    y_mm: float  # baseline
    width_mm: float
    gain_mm_mv: float
    second_gain_mm_mv: float | None = None  # the chest leads' gain, where the row has both

    @property
    def height_mm(self) -> float:
        return PULSE_MV * self.gain_mm_mv

    @property
    def stepped(self) -> bool:
        return self.second_gain_mm_mv is not None and self.second_gain_mm_mv != self.gain_mm_mv

    def polyline(self) -> tuple[list[float], list[float]]:
        x0, y0, w, h = self.x_mm, self.y_mm, self.width_mm, self.height_mm
        if self.stepped:
            h2 = PULSE_MV * float(self.second_gain_mm_mv or 0.0)
            xm = x0 + w / 2.0
            return ([x0 - 1.0, x0, x0, xm, xm, x0 + w, x0 + w, x0 + w + 1.0],
                    [y0, y0, y0 - h, y0 - h, y0 - h2, y0 - h2, y0, y0])
        return ([x0 - 1.0, x0, x0, x0 + w, x0 + w, x0 + w + 1.0],
                [y0, y0, y0 - h, y0 - h, y0, y0])


@dataclass(frozen=True)
class Page:
    width_mm: float
    height_mm: float
    settings: PageSettings
    traces: tuple[TracePlacement, ...]
    pulses: tuple[CalibrationPulse, ...]
    separators: tuple[tuple[float, float, float, float], ...]  # short bars between columns
    start_s: float  # the window actually shown (clamped to the record)
    window_s: float
    duration_s: float
    fs_hz: float
    settings_xy: tuple[float, float]  # where the settings line goes (top-left of the text)

    def settings_text(self, lang: str | None = None) -> str:
        return settings_text(self.settings, lang)

    def find_trace(self, lead: str, t_s: float, t1_s: float | None = None, *,
                   rhythm: bool = False) -> TracePlacement | None:
        """The trace that shows ``lead`` at time ``t_s`` (through ``t1_s`` when given): one that
        shows the whole span before one that shows only its start, and among those the rhythm
        strip when ``rhythm`` (a caliper placed on it), else a lead row. A caliper from 2.0 to
        3.0 s placed on the rhythm strip of a 3×4 page stays there: the II row ends at 2.5 s."""
        lo, hi = (t_s, t_s) if t1_s is None else sorted((t_s, t1_s))
        shows = [tr_ for tr_ in self.traces
                 if tr_.lead == lead and tr_.available and tr_.t0_s <= lo <= tr_.t1_s]
        whole = [tr_ for tr_ in shows if hi <= tr_.t1_s]
        for group in (whole, shows):
            pick = next((tr_ for tr_ in group if tr_.rhythm == rhythm), None)
            if pick is not None or group:
                return pick or group[0]
        return None

    def trace_at(self, x_mm: float, y_mm: float) -> TracePlacement | None:
        for tr_ in self.traces:
            if tr_.contains(x_mm, y_mm):
                return tr_
        return None

    @property
    def can_scroll(self) -> bool:
        return self.duration_s > self.window_s + 1e-9


def clock_text(seconds: float) -> str:
    """``seconds`` as h:mm:ss (6:01:06), to the second."""
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


#: from this length on, a record's times read as h:mm:ss (QA 43: 「全 21666.0 秒」 for 6 h)
CLOCK_FROM_S = 3600.0


def window_text(page: Page, lang: str | None = None) -> str:
    """Which part of a long record the page shows: 「60.0–70.0 秒 / 全 1805.6 秒」, in h:mm:ss
    from an hour on (「1:00:00–1:00:10 / 全 6:01:06」)."""
    end = page.start_s + page.window_s
    if page.duration_s >= CLOCK_FROM_S:
        return tr("ui.page.window_clock", lang, start=clock_text(page.start_s),
                  end=clock_text(end), total=clock_text(page.duration_s))
    return tr("ui.page.window", lang, start=page.start_s, end=end, total=page.duration_s)


def settings_text(s: PageSettings, lang: str | None = None) -> str:
    """The line a cart prints: speed, gains and filters (or that the trace is unfiltered)."""
    f = s.filters
    parts = []
    if f.highpass_hz is not None:
        parts.append(tr("ui.page.highpass", lang, hz=f.highpass_hz))
    if f.lowpass_hz is not None:
        parts.append(tr("ui.page.lowpass", lang, hz=f.lowpass_hz))
    if f.notch_hz is not None:
        parts.append(tr("ui.page.notch", lang, hz=f.notch_hz))
    filt = list_sep(lang).join(parts) if parts else tr("ui.page.unfiltered", lang)
    if parts:  # QA 39: a reader switching to 40 Hz may think the measurements changed with it
        filt += paren(tr("ui.page.display_only", lang), lang)
    return f"{s.speed_mm_s:g} mm/s   {_gain_text(s, lang)}   {tr('ui.page.filters', lang)}: {filt}"


def _gain_text(s: PageSettings, lang: str | None) -> str:
    """「10 mm/mV」, or 「肢誘導 10 mm/mV・胸部誘導 5 mm/mV」 where the chest leads have their own."""
    if s.gain_limb_mm_mv == s.gain_chest_mm_mv:
        return tr("ui.page.gain", lang, gain=s.gain_limb_mm_mv)
    return tr("ui.page.gain_split", lang, limb=s.gain_limb_mm_mv, chest=s.gain_chest_mm_mv)


def page_description(s: PageSettings, seconds: float | None = None, lang: str | None = None) -> str:
    """Layout, speed, gain(s) and the seconds shown, in one phrase (「3x4、25 mm/s、10 mm/mV、
    10 秒」): what was drawn or printed, for a confirmation or a notice."""
    text = tr("ui.page.description", lang, layout=s.layout, speed=s.speed_mm_s, gain=_gain_text(s, lang),
              seconds=s.window_s if seconds is None else seconds)
    if s.row_pitch_mm:  # the rows closer than the layout's own
        text += list_sep(lang) + tr("ui.page.row_pitch", lang, mm=s.row_pitch_mm)
    return text


def _ceil5(v: float) -> float:
    return math.ceil(v / MAJOR_MM - 1e-9) * MAJOR_MM


def _rows_for(record: EcgRecord, s: PageSettings) -> tuple[list[list[str]], bool]:
    """Rows of lead names (one name per column) and whether a rhythm strip follows."""
    canonical = [n for n in CANONICAL_LEADS if record.has_lead(n)]
    if s.layout == "1":
        lead = s.single_lead if record.has_lead(s.single_lead) else record.lead_names[0]
        return [[lead]], False
    if len(canonical) < _MIN_FOR_GRID:
        # a Holter/monitoring record (MLII + V5, a single lead ...): its own channels, one per row
        return [[n] for n in record.lead_names], False
    if s.layout == "12x1":
        return [[n] for n in (*CANONICAL_LEADS, *record.extra_leads)], False
    if s.layout == "3x4":
        cols = [CANONICAL_LEADS[0:3], CANONICAL_LEADS[3:6], CANONICAL_LEADS[6:9], CANONICAL_LEADS[9:12]]
        return [[c[r] for c in cols] for r in range(3)], True
    # 6x2
    return [[CANONICAL_LEADS[r], CANONICAL_LEADS[6 + r]] for r in range(6)], True


def layout_page(record: EcgRecord, settings: PageSettings) -> Page:
    """Place every lead segment, calibration pulse and label of ``record`` for ``settings``."""
    s = settings
    fs = float(record.fs_hz)
    duration = record.duration_s
    window = min(s.window_s, duration)
    start = min(max(0.0, s.start_s), max(0.0, duration - window))
    # snap to whole samples so that segments meet exactly
    start = round(start * fs) / fs
    rows, rhythm = _rows_for(record, s)
    rhythm_lead = s.rhythm_lead if record.has_lead(s.rhythm_lead) else record.lead_names[0]
    all_rows = rows + ([[rhythm_lead]] if rhythm else [])

    max_gain = max((s.gain_for(n) for row in all_rows for n in row), default=10.0)
    pitch = s.row_pitch_mm or _ceil5(_ROW_PITCH_MM[s.layout] * max(1.0, max_gain / 10.0))
    pulse_w = PULSE_S * s.speed_mm_s
    left = _ceil5(2.0 + pulse_w + 2.0)
    trace_w_total = window * s.speed_mm_s
    # a very short record still gets a page wide enough for its settings line
    width = max(_ceil5(left + trace_w_total + _RIGHT_MM), _MIN_WIDTH_MM)
    height = _TOP_MM + pitch * len(all_rows) + _BOTTOM_MM
    height = _ceil5(height)

    traces: list[TracePlacement] = []
    pulses: list[CalibrationPulse] = []
    seps: list[tuple[float, float, float, float]] = []
    for r, row in enumerate(all_rows):
        is_rhythm = rhythm and r == len(all_rows) - 1
        band_top = _TOP_MM + r * pitch
        # baseline on a major line a little below the middle of the band
        baseline = _ceil5(band_top + pitch * 0.55)
        ncol = len(row)
        seg_s = window / ncol
        for c, lead in enumerate(row):
            t0 = start + c * seg_s
            t1 = start + (c + 1) * seg_s
            i0 = int(round(t0 * fs))
            i1 = min(record.n_samples, int(round(t1 * fs)))
            idx = record.lead_names.index(lead) if record.has_lead(lead) else -1
            x = left + c * seg_s * s.speed_mm_s
            traces.append(TracePlacement(
                lead=lead, row_index=idx, t0_s=t0, t1_s=t1, i0=i0, i1=i1, x_mm=x, y_mm=baseline,
                width_mm=seg_s * s.speed_mm_s, band_top_mm=band_top, band_bottom_mm=band_top + pitch,
                gain_mm_mv=s.gain_for(lead), speed_mm_s=s.speed_mm_s, rhythm=is_rhythm,
                page_i0=int(round(start * fs)),
                page_i1=min(record.n_samples, int(round((start + window) * fs))),
                gaps=tuple((a, b) for a, b in record.gaps.get(lead, ()) if a < i1 and b > i0),
            ))
            if c > 0:
                seps.append((x, baseline - 2.5, x, baseline + 2.5))
        gains = [s.gain_for(n) for n in row]
        other = next((g for g in gains if g != gains[0]), None)
        pulses.append(CalibrationPulse(x_mm=left - pulse_w - 2.0, y_mm=baseline, width_mm=pulse_w,
                                       gain_mm_mv=gains[0], second_gain_mm_mv=other))
    return Page(
        width_mm=width, height_mm=height, settings=s, traces=tuple(traces), pulses=tuple(pulses),
        separators=tuple(seps), start_s=start, window_s=window, duration_s=duration, fs_hz=fs,
        settings_xy=(left, height - _BOTTOM_MM + 2.0),
    )
