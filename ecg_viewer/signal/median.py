"""The median (representative) beat of each lead, from the aligned beats of the dominant shape.

Steps: baseline wander is removed (zero-phase 0.5 Hz high-pass) and the signal low-passed at
100 Hz (or 0.45 x the rate); every detected beat is cut out around its R peak; beats whose QRS
(all leads together) correlates poorly with the first median after aligning it by
cross-correlation of the QRS (+-20 ms; to a fraction of a sample: the vertex of a parabola
through the correlations, the beat then read between its samples by cubic convolution), or that
come early (premature, RR under 80 % of the median RR), are left out; the rest, aligned, are averaged sample by sample with the median. Beats at the
record's edges contribute where they have samples (NaN elsewhere).

The median is built at one working rate, ``WORK_FS_HZ`` (500 Hz): a record at another rate is
resampled (polyphase, after the conditioning filters) before the beats are cut and aligned, so
alignment, delineation filters and thresholds see the same sample spacing at 100, 250, 360, 500 or
1000 Hz and the intervals do not depend on the recording's rate (``MedianBeat.fs_hz`` is then the
working rate; ``used_r_peaks`` stay in the record's samples). Aligned to whole samples only, a
beat's place depended on its R peak as detected at the record's rate, and the median's shape
with it: a threshold crossing in the delineation could move by 10 ms or more between rates.
Aligned to a fraction of a sample, every beat agreed with the others, but the median as a whole
still lay where the template (cut at the record's R peaks) put it, a fraction of a sample from
where it lay at 500 Hz: a slope dipping to a threshold for one sample was read on one grid and
not on the other (CinC JS00008 V2: QRS 106 ms at 250 and 1000 Hz against 96). So the beats are
then moved together, by the same fraction, until the median's QRS centre (:func:`_qrs_phase`)
falls on a sample: the median is sampled at the same phase of the waveform at every rate.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy import signal as sps

from ecg_viewer.signal import quantiles
from ecg_viewer.signal.filters import highpass, lowpass

PRE_S = 0.50  # window before the R peak
POST_S = 0.80  # window after the R peak
QRS_HALF_S = 0.06
MIN_CORR = 0.90
PREMATURE_RATIO = 0.80
MAX_SHIFT_S = 0.02
MAX_BEATS = 300  # long records: the median is built from at most this many beats, evenly spread
WORK_FS_HZ = 500.0
# The median beat's samples are put at one phase of the waveform (its QRS centre on a sample,
# found on the leads low-passed at PHASE_LOWPASS_HZ within +-PHASE_HALF_S of the R peak): the R
# peaks of a 250 Hz recording, mapped to the working rate, put the same waveform a fraction of a
# sample elsewhere on the working grid than at 500 Hz, so a threshold met between two samples (a
# slope dipping to an onset fraction for 2 ms) fell on different sides of it
PHASE_LOWPASS_HZ = 30.0
PHASE_HALF_S = 0.10


@dataclass(frozen=True, eq=False)
class MedianBeat:
    """``beat_mv`` float32 ``[leads, samples]``; sample ``r_index`` is the aligned R peak."""

    beat_mv: np.ndarray
    fs_hz: float
    lead_names: tuple[str, ...]
    r_index: int
    n_beats_used: int
    n_beats_total: int
    # R peaks (record samples) of the beats that made the median, after alignment
    used_r_peaks: np.ndarray
    # the aligned beats themselves, float32 [beats, leads, samples] (NaN outside the record)
    stack_mv: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0, 0), np.float32))

    @property
    def time_ms(self) -> np.ndarray:
        """Time of each sample relative to the R peak, in ms."""
        return (np.arange(self.beat_mv.shape[1]) - self.r_index) * 1000.0 / self.fs_hz

    def lead(self, name: str) -> np.ndarray:
        return self.beat_mv[self.lead_names.index(name)]

    def from_stack(self, rows: np.ndarray) -> MedianBeat:
        """The median of a subset of the aligned beats (``rows`` of ``stack_mv``), same window."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            beat = nanmedian0(self.stack_mv[rows])
        beat = np.where(np.isfinite(beat), beat, 0.0).astype(np.float32)
        return MedianBeat(
            beat_mv=beat, fs_hz=self.fs_hz, lead_names=self.lead_names, r_index=self.r_index,
            n_beats_used=int(np.size(rows)), n_beats_total=self.n_beats_total,
            used_r_peaks=self.used_r_peaks[rows], stack_mv=self.stack_mv[rows],
        )


def to_work_rate(x: np.ndarray, fs_hz: float, work_fs_hz: float) -> tuple[np.ndarray, float]:
    """``x`` [leads, samples] resampled (polyphase) to about ``work_fs_hz``; (signal, new rate)."""
    if abs(fs_hz - work_fs_hz) < 1e-6 or x.shape[-1] < 16:
        return x, fs_hz
    ratio = Fraction(work_fs_hz / fs_hz).limit_denominator(64)
    y = sps.resample_poly(x, ratio.numerator, ratio.denominator, axis=-1)
    return y, fs_hz * ratio.numerator / ratio.denominator


def conditioned(signal_mv: np.ndarray, fs_hz: float) -> np.ndarray:
    """Baseline-corrected, low-passed copy (float64) used for the median beats."""
    x = np.asarray(signal_mv, dtype=np.float64)
    x = np.where(np.isfinite(x), x, 0.0)
    if x.shape[-1] < 16:
        return x
    x = highpass(x, fs_hz, 0.5)
    return lowpass(x, fs_hz, min(100.0, 0.45 * fs_hz))


def _cut(x: np.ndarray, centre: int, pre: int, post: int) -> np.ndarray:
    """x[:, centre-pre : centre+post] with NaN where outside the record."""
    n = x.shape[1]
    out = np.full((x.shape[0], pre + post), np.nan)
    lo, hi = centre - pre, centre + post
    a, b = max(lo, 0), min(hi, n)
    if b > a:
        out[:, a - lo : b - lo] = x[:, a:b]
    return out


def median0(a: np.ndarray) -> np.ndarray:
    """``np.median(a, axis=0)`` of a float array, the same numbers (the middle value, or the two
    middle ones added and halved; NaN in a column with a NaN), sorted along a contiguous axis:
    several times faster for a few rows (leads, beats) over many columns."""
    a = np.asarray(a)
    if a.dtype.kind != "f" or a.ndim == 0 or a.shape[0] == 0:
        return np.median(a, axis=0)
    n = a.shape[0]
    srt = np.ascontiguousarray(np.moveaxis(a, 0, -1))
    srt.sort(axis=-1)
    h = n // 2
    out = srt[..., h].copy() if n % 2 else (srt[..., h - 1] + srt[..., h]) / 2.0
    bad = np.isnan(srt[..., -1])  # NaN sorts last
    if bad.any():
        out[bad] = np.nan
    return out


#: stacks of at most this many rows (beats) are sorted by a min/max network (see _sorted_rows)
NETWORK_MAX_ROWS = 12


def nanmedian0(a: np.ndarray) -> np.ndarray:
    """``np.nanmedian(a, axis=0)`` computed the same way (sort with NaN last, the mean of the two
    middle values of each column as (low + high) / 2; NaN for an all-NaN column, without a
    warning), the very same numbers, without numpy's masked-array path (several times faster
    on a stack of beats)."""
    a = np.asarray(a)
    if a.shape[0] == 0:
        return np.full(a.shape[1:], np.nan, dtype=a.dtype)
    m = a.shape[0]
    nan = np.isnan(a)
    if not nan.any():  # every column has all m values: the middle one or two
        h = m // 2
        srt = _sorted_rows(a, nan, _middle(m))
        return np.true_divide(srt[h if m % 2 else h - 1] + srt[h], 2.0).astype(a.dtype, copy=False)
    srt = np.asarray(_sorted_rows(a, nan))
    n = m - np.count_nonzero(nan, axis=0)
    h = n // 2
    lo = np.where(n % 2 == 1, h, h - 1)
    low = np.take_along_axis(srt, np.maximum(lo, 0)[None], axis=0)[0]
    high = np.take_along_axis(srt, np.minimum(h, m - 1)[None], axis=0)[0]
    out = np.true_divide(low + high, 2.0).astype(a.dtype, copy=False)
    return np.where(n > 0, out, np.nan).astype(a.dtype, copy=False)


def _middle(m: int) -> tuple[int, ...]:
    """The rows a median of ``m`` sorted rows reads: the middle one, or the two middle ones."""
    return (m // 2,) if m % 2 else (m // 2 - 1, m // 2)


def _sorted_rows(a: np.ndarray, nan: np.ndarray,
                 wanted: tuple[int, ...] | None = None) -> np.ndarray | list[np.ndarray]:
    """``np.sort(a, axis=0)`` where it matters to :func:`nanmedian0`: the same values at every
    position below a column's count of non-NaN values (with ``wanted``: at those positions
    only). A few rows (the beats of a sub-median) are sorted by a network of element-wise
    min/max over whole rows (:func:`_network`), with NaN taken as +inf (it sorts last either
    way), instead of sorting every column on its own; a sorting network puts the very values a
    sort does at each position. numpy sorts anything else, and a stack holding -0.0 (min/max
    may order -0.0 and +0.0 either way, a sort keeps them as they come)."""
    m = a.shape[0]
    if not (a.dtype.kind == "f" and 2 <= m <= NETWORK_MAX_ROWS) \
            or np.signbit(a[a == 0]).any():
        return np.sort(a, axis=0)
    rows = list(np.where(nan, np.inf, a))  # rows of a new array, written in place
    for i, j in _network(m, wanted):
        low = np.minimum(rows[i], rows[j])
        np.maximum(rows[i], rows[j], out=rows[j])
        rows[i] = low
    return rows


@functools.lru_cache(maxsize=64)
def _network(m: int, wanted: tuple[int, ...] | None = None) -> tuple[tuple[int, int], ...]:
    """The compare-exchange steps (i, j), i < j: row i takes the minimum, row j the maximum)
    of Batcher's odd-even merge sort of ``m`` rows (19 steps for 8 rows, 42 for 12, against
    28 and 66 of an odd-even transposition); with ``wanted`` only the steps that the sorted
    rows ``wanted`` depend on (the median of 9 rows needs 24 of the 28)."""
    steps = []
    p = 1
    while p < m:
        k = p
        while k >= 1:
            for j in range(k % p, m - k, 2 * k):
                for i in range(min(k, m - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        steps.append((i + j, i + j + k))
            k //= 2
        p *= 2
    if wanted is None:
        return tuple(steps)
    needed, kept = set(wanted), []
    for i, j in reversed(steps):  # a step matters when a row it writes is still needed
        if i in needed or j in needed:
            kept.append((i, j))
            needed.update((i, j))
    return tuple(reversed(kept))


def median_rows(a: np.ndarray) -> np.ndarray:
    """``median0(a)`` (``np.median(a, axis=0)``, NaN in a column with a NaN): for a few finite
    rows the middle values come from the min/max network of :func:`_sorted_rows` (the same
    values, so the same median, bit for bit), anything else goes to :func:`median0`."""
    a = np.asarray(a)
    m = a.shape[0] if a.ndim else 0
    if not (a.dtype.kind == "f" and 2 <= m <= NETWORK_MAX_ROWS) or not np.isfinite(a).all():
        return median0(a)
    srt = _sorted_rows(a, np.zeros(a.shape, dtype=bool), _middle(m))
    h = m // 2
    return srt[h].copy() if m % 2 else (srt[h - 1] + srt[h]) / 2.0


def _shift_scores(xj: np.ndarray, peaks: np.ndarray, shift: int, qh: int,
                  template: np.ndarray) -> list[np.ndarray | None]:
    """For each peak p: ``_qrs_corr(qrs window at p + s, template)`` for every s in
    -shift..shift, or None where a window leaves the record or holds NaN, or the template holds
    NaN (then the one-by-one path handles the missing samples). All beats in one product: each
    beat's windows are the rows of a [beats, shifts, leads x samples] array, so every mean and
    sum is the one of that row alone (the same sums in the same order as beat by beat)."""
    n_peaks = len(peaks)
    peaks = np.asarray(peaks, dtype=np.int64)
    inside = (peaks - shift - qh >= 0) & (peaks + shift + qh + 1 <= xj.shape[1])
    if not np.isfinite(template).all() or not inside.any():
        return [None] * n_peaks
    at = peaks[inside]
    # sample index of window s, column t of each beat: p - shift - qh + s + t
    offsets = np.arange(2 * shift + 1)[:, None] + np.arange(2 * qh + 1)[None, :]
    idx = (at - shift - qh)[:, None, None] + offsets[None]  # [beats, shifts, samples]
    vecs = np.ascontiguousarray(xj[:, idx].transpose(1, 2, 0, 3)).reshape(
        at.size, 2 * shift + 1, -1)  # [beats, shifts, leads x samples], lead by lead
    if vecs.shape[2] < 4:
        return [None] * n_peaks
    finite = np.isfinite(vecs).all(axis=(1, 2))
    x = vecs - vecs.mean(axis=2, keepdims=True)
    y = template - template.mean()
    num = (x * y).sum(axis=2)
    den = np.sqrt((x * x).sum(axis=2) * (y * y).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    out: list[np.ndarray | None] = [None] * n_peaks
    for k, i in enumerate(np.flatnonzero(inside)):
        if finite[k]:
            out[i] = scores[k]
    return out


def _vertex(scores: np.ndarray, k: int) -> float:
    """Where, in samples from ``k`` (-0.5..0.5), the parabola through ``scores[k - 1 : k + 2]``
    peaks; 0 at either end of ``scores`` or when they do not bend down."""
    if k <= 0 or k >= scores.size - 1:
        return 0.0
    a, b, c = float(scores[k - 1]), float(scores[k]), float(scores[k + 1])
    den = a - 2.0 * b + c
    if not (np.isfinite(den) and den < 0):
        return 0.0
    return float(np.clip(0.5 * (a - c) / den, -0.5, 0.5))


def _fraction_shift(stack: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """Each beat of ``stack`` [beats, leads, samples] read ``frac`` (-0.5..0.5) of a sample
    later, by cubic convolution (Keys 1981, a = -0.5) over the four nearest samples; NaN
    (outside the record) spreads by at most two samples."""
    frac = np.asarray(frac, dtype=np.float64)
    if not np.any(np.abs(frac) > 1e-9):
        return stack
    n = stack.shape[-1]
    out = np.empty_like(stack)
    padded = np.concatenate([stack[..., :1], stack[..., :1], stack,
                             stack[..., -1:], stack[..., -1:]], axis=-1)  # x[j] at j + 2
    for b, f in enumerate(frac):
        if abs(f) <= 1e-9:
            out[b] = stack[b]
            continue
        off = -1 if f < 0 else 0  # sample i reads between x[i + off] and x[i + off + 1]
        u = float(f) - off  # 0..1 past x[i + off]
        w = (-0.5 * u**3 + u**2 - 0.5 * u, 1.5 * u**3 - 2.5 * u**2 + 1.0,
             -1.5 * u**3 + 2.0 * u**2 + 0.5 * u, 0.5 * u**3 - 0.5 * u**2)
        row = padded[b]
        s0 = off + 1  # row index of x[i + off - 1] for i = 0
        acc = row[:, s0 : s0 + n] * w[0]
        for k in range(1, 4):
            acc += row[:, s0 + k : s0 + k + n] * w[k]
        out[b] = acc
    return out


def _qrs_corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 4:
        return 0.0
    x, y = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    den = float(np.sqrt((x * x).sum() * (y * y).sum()))
    return float((x * y).sum() / den) if den > 0 else 0.0


def _stack_median(x: np.ndarray, at: np.ndarray, frac: np.ndarray, pre: int,
                  post: int) -> tuple[np.ndarray, np.ndarray]:
    """The beats of ``x`` cut at ``at`` and read ``frac`` of a sample later, and their median."""
    stack = np.array([_cut(x, int(p), pre, post) for p in at])
    stack = _fraction_shift(stack, frac)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns at the record's ends
        beat = nanmedian0(stack)
    return stack, beat


def _qrs_phase(beat: np.ndarray, r: int, fs_hz: float) -> float:
    """Where (-0.5..0.5 samples from its nearest sample) the QRS of ``beat`` [leads, samples]
    has its centre: the centroid of the squared spatial velocity of the leads low-passed at
    ``PHASE_LOWPASS_HZ`` (a band every supported rate carries) within +-``PHASE_HALF_S`` of
    sample ``r``. 0 when there is nothing to weigh."""
    h = int(round(PHASE_HALF_S * fs_hz))
    pad = h  # the filter's edges stay outside the part weighed
    a, b = r - h - pad, r + h + pad + 1
    if a < 0 or b > beat.shape[1] or not np.isfinite(beat[:, a:b]).all():
        return 0.0
    band = lowpass(beat[:, a:b].astype(np.float64), fs_hz, PHASE_LOWPASS_HZ)
    v = (np.gradient(band, axis=1) ** 2).sum(axis=0)[pad : pad + 2 * h + 1]
    total = float(v.sum())
    if not (np.isfinite(total) and total > 0):
        return 0.0
    c = float((v * np.arange(-h, h + 1)).sum() / total)
    return c - round(c)


def _median_phase(xj: np.ndarray, at: np.ndarray, frac: np.ndarray, scale: np.ndarray,
                  fs_hz: float) -> float:
    """:func:`_qrs_phase` of the median of the judged leads ``xj`` (cut at ``at``, read ``frac``
    of a sample later, divided by ``scale``): only the +-2 ``PHASE_HALF_S`` it reads are cut,
    with 3 samples more on each side for the cubic reading, so the numbers are those of the
    whole median's (the same values column by column) at a fraction of its cost."""
    h = int(round(PHASE_HALF_S * fs_hz))
    margin = 3
    half = 2 * h + margin
    _, beat = _stack_median(xj, at, frac, half, half + 1)
    return _qrs_phase(beat[:, margin : margin + 4 * h + 1] / scale, 2 * h, fs_hz)


def median_beat(
    signal_mv: np.ndarray,
    fs_hz: float,
    lead_names: tuple[str, ...],
    r_peaks: np.ndarray,
    *,
    good_leads: tuple[str, ...] | None = None,
    work_fs_hz: float | None = WORK_FS_HZ,
) -> MedianBeat | None:
    """Median beat of each lead; None when there are no beats.

    ``good_leads`` (default: all) are the leads used to judge beat shape and alignment, so a flat
    or noisy lead does not decide which beats are kept.
    """
    r_peaks = np.asarray(r_peaks, dtype=np.int64)
    if r_peaks.size == 0:
        return None
    x = conditioned(signal_mv, fs_hz)
    record_fs = float(fs_hz)
    if work_fs_hz:
        x, fs_hz = to_work_rate(x, record_fs, work_fs_hz)
        r_peaks = np.round(r_peaks * (fs_hz / record_fs)).astype(np.int64)
    pre, post = int(round(PRE_S * fs_hz)), int(round(POST_S * fs_hz))
    qh = max(int(round(QRS_HALF_S * fs_hz)), 2)
    shift = max(int(round(MAX_SHIFT_S * fs_hz)), 1)
    names = tuple(lead_names)
    judge = [names.index(n) for n in (good_leads or names) if n in names] or list(range(len(names)))
    # robust per-lead scale so that each judged lead weighs the same in the correlation
    scale = np.maximum(quantiles.percentile(np.abs(x[judge]), 99), 1e-6)[:, None]

    xj = x[judge] / scale  # the judged leads, each on its own scale (one copy, not per beat)

    def qrs_vec(centre: int) -> np.ndarray:
        return _cut(xj, centre, qh, qh + 1).ravel()

    rr = np.diff(r_peaks)
    med_rr = float(np.median(rr)) if rr.size else np.inf
    premature = np.zeros(r_peaks.size, dtype=bool)
    if rr.size >= 2:
        premature[1:] = rr < PREMATURE_RATIO * med_rr
    vecs = np.array([qrs_vec(int(p)) for p in r_peaks])
    template = nanmedian0(vecs[~premature] if (~premature).any() else vecs)
    # long records: at most 2 x MAX_BEATS candidates, evenly spread
    cand = np.arange(r_peaks.size)
    if cand.size > 2 * MAX_BEATS:
        cand = cand[np.linspace(0, cand.size - 1, 2 * MAX_BEATS).round().astype(int)]

    def align(p: int, scores: np.ndarray | None) -> tuple[int, float, float]:
        """The shift within +-shift with the best correlation to the template, that value
        (judged after alignment, so the coarse R peaks of a low sampling rate lose no beats) and
        the fraction of a sample (-0.5..0.5) by which the best lies beyond it (the vertex of a
        parabola through the scores around the best)."""
        if scores is None:
            scores = np.array([_qrs_corr(qrs_vec(p + s), template)
                               for s in range(-shift, shift + 1)])
        k = int(np.argmax(scores))  # the first best
        return p - shift + k, float(scores[k]), _vertex(scores, k)

    all_scores = _shift_scores(xj, r_peaks[cand], shift, qh, template)
    fits = [align(int(r_peaks[i]), sc) for i, sc in zip(cand, all_scores, strict=True)]
    corr = np.array([f[1] for f in fits])
    keep = (corr >= MIN_CORR) & ~premature[cand]
    if not keep.any():
        keep = corr >= MIN_CORR
    if not keep.any():
        keep[:] = True
    kept = np.flatnonzero(keep)
    if kept.size > MAX_BEATS:
        kept = kept[np.linspace(0, kept.size - 1, MAX_BEATS).round().astype(int)]
    aligned_arr = np.array([fits[i][0] for i in kept], dtype=np.int64)
    frac = np.array([fits[i][2] for i in kept])
    # the median's samples at a fixed phase of the waveform, whatever the recording's rate
    phase = _median_phase(x[judge], aligned_arr, frac, scale, fs_hz)
    if phase:
        total = frac + phase
        whole = np.round(total).astype(np.int64)  # keep each fraction within +-0.5
        aligned_arr, frac = aligned_arr + whole, total - whole
    stack, beat = _stack_median(x, aligned_arr, frac, pre, post)
    beat = np.where(np.isfinite(beat), beat, 0.0)
    return MedianBeat(
        beat_mv=beat.astype(np.float32),
        fs_hz=float(fs_hz),
        lead_names=names,
        r_index=pre,
        n_beats_used=int(aligned_arr.size),
        n_beats_total=int(r_peaks.size),
        used_r_peaks=np.round((aligned_arr + frac) * (record_fs / fs_hz)).astype(np.int64),
        stack_mv=stack.astype(np.float32),
    )
