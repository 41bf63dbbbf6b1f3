"""Display filters for ECG traces: baseline high-pass, power-line notch, low-pass.

All are zero-phase (forward-backward, ``scipy.signal.sosfiltfilt`` / ``filtfilt``), so waves do
not shift in time. They return a new array; the record's raw signal is never altered.

Choices offered, as on a cart:
- baseline high-pass 0.05 Hz (diagnostic, keeps ST segments) or 0.5 Hz (stronger wander removal)
- power-line notch 50 Hz (eastern Japan) or 60 Hz (western Japan)
- low-pass 40 Hz (monitoring), 100 Hz or 150 Hz (diagnostic)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

# scipy.signal is imported where a filter runs, not with this module: the window imports the
# filter settings at start and must show before scipy (≈ 1 s) has loaded

HIGHPASS_CHOICES_HZ: tuple[float, ...] = (0.05, 0.5)
NOTCH_CHOICES_HZ: tuple[float, ...] = (50.0, 60.0)
LOWPASS_CHOICES_HZ: tuple[float, ...] = (40.0, 100.0, 150.0)


@dataclass(frozen=True)
class FilterSettings:
    """Which display filters are on (None = off)."""

    highpass_hz: float | None = None
    notch_hz: float | None = None
    lowpass_hz: float | None = None

    def __post_init__(self) -> None:
        for name, value, choices in (
            ("highpass_hz", self.highpass_hz, HIGHPASS_CHOICES_HZ),
            ("notch_hz", self.notch_hz, NOTCH_CHOICES_HZ),
            ("lowpass_hz", self.lowpass_hz, LOWPASS_CHOICES_HZ),
        ):
            if value is not None and float(value) not in choices:
                raise ValueError(f"{name} must be one of {choices} or None, got {value!r}")

    @property
    def any_on(self) -> bool:
        return any(v is not None for v in (self.highpass_hz, self.notch_hz, self.lowpass_hz))

    def to_dict(self) -> dict[str, float | None]:
        return {"highpass_hz": self.highpass_hz, "notch_hz": self.notch_hz,
                "lowpass_hz": self.lowpass_hz}

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> FilterSettings:
        def num(key: str) -> float | None:
            v = d.get(key)
            return None if v in (None, "", "None", "off") else float(v)  # type: ignore[arg-type]

        return cls(num("highpass_hz"), num("notch_hz"), num("lowpass_hz"))

    @classmethod
    def diagnostic(cls, mains_hz: float = 50.0) -> FilterSettings:
        """The usual resting-ECG setting: 0.05-150 Hz with a mains notch."""
        return cls(0.05, mains_hz, 150.0)


def butter_sos(order: int, cutoff_hz: float | tuple[float, float], btype: str,
               fs_hz: float) -> np.ndarray:
    """``scipy.signal.butter(..., output="sos")``, designed once per (order, cutoff, type, rate):
    the same few filters are applied to every record, and designing one costs more than running
    it on 10 s of 12 leads. A copy of the cached design (scipy's filters want a writable one)."""
    return _butter_sos(order, cutoff_hz, btype, fs_hz).copy()


@functools.lru_cache(maxsize=128)
def _butter_sos(order: int, cutoff_hz: float | tuple[float, float], btype: str,
                fs_hz: float) -> np.ndarray:
    from scipy import signal as sps

    return sps.butter(order, cutoff_hz, btype=btype, fs=fs_hz, output="sos")


def sos_filtfilt(order: int, cutoff_hz: float | tuple[float, float], btype: str, fs_hz: float,
                 x: np.ndarray, *, padtype: str = "odd", padlen: int | None = None) -> np.ndarray:
    """``scipy.signal.sosfiltfilt(butter_sos(order, cutoff_hz, btype, fs_hz), x, axis=-1,
    padtype=padtype, padlen=padlen)``, the very same numbers (the same steps: edge extension,
    a forward pass started at ``zi * first sample``, a backward one), with the design and its
    initial state ``sosfilt_zi`` computed once per filter instead of at every call."""
    from scipy import signal as sps

    sos, zi = _design_zi(order, cutoff_hz, btype, fs_hz)
    x = np.asarray(x)
    ntaps = 2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    edge = 0 if padtype is None else (3 * ntaps if padlen is None else padlen)
    if x.shape[-1] <= edge:
        raise ValueError(f"the length of the input vector x must be greater than padlen, "
                         f"which is {edge}")
    ext = x if edge == 0 else _extend(x, edge, padtype)
    zi = zi.reshape((len(sos),) + (1,) * (x.ndim - 1) + (2,))
    kernel = _sosfilt_kernel()
    if kernel is None or x.ndim == 0:
        # scipy's compiled filter wants a writable design: a copy of the cached one (12 numbers)
        y, _ = sps.sosfilt(sos.copy(), ext, axis=-1, zi=zi * ext[..., :1])
        y, _ = sps.sosfilt(sos.copy(), y[..., ::-1], axis=-1, zi=zi * y[..., -1:])
    else:
        y = _run_sos(kernel, sos, ext, zi * ext[..., :1], fresh=ext is not x)
        y = _run_sos(kernel, sos, y[..., ::-1], zi * y[..., -1:], fresh=False)
    y = y[..., ::-1]
    return y[..., edge:-edge] if edge > 0 else y


def _run_sos(kernel: Any, sos: np.ndarray, x: np.ndarray, zi: np.ndarray, *,
             fresh: bool) -> np.ndarray:
    """``scipy.signal.sosfilt(sos, x, axis=-1, zi=zi)[0]``: the same steps (rows of the result
    dtype, C order; the states moved to [rows, sections, 2]) and the same compiled kernel, which
    filters the rows in place. ``fresh``: ``x`` is this module's own new array, filtered where
    it is when it already has that layout (scipy would copy it first)."""
    dtype = np.result_type(sos, x, zi)
    if fresh and x.dtype == dtype and x.flags.c_contiguous:
        rows = x.reshape(-1, x.shape[-1])  # a view: filtered in place
    else:
        rows = np.array(np.reshape(x, (-1, x.shape[-1])), dtype=dtype, order="C")
    state = np.ascontiguousarray(np.moveaxis(zi, 0, -2).reshape(-1, len(sos), 2), dtype=dtype)
    kernel(np.array(sos, dtype=dtype), rows, state)
    return rows.reshape(x.shape)


@functools.lru_cache(maxsize=1)
def _sosfilt_kernel() -> Any:
    """scipy's compiled second-order-sections filter (what ``sosfilt`` runs after checking and
    copying its input), or None where this scipy has none under that name."""
    try:
        from scipy.signal._sosfilt import _sosfilt
    except ImportError:
        return None
    return _sosfilt


def _extend(x: np.ndarray, n: int, padtype: str) -> np.ndarray:
    """scipy's ``odd_ext`` / ``even_ext`` / ``const_ext`` along the last axis."""
    if n < 1:
        return x
    if n > x.shape[-1] - 1:
        raise ValueError(f"The extension length n ({n}) is too big. It must not exceed "
                         f"x.shape[axis]-1, which is {x.shape[-1] - 1}.")
    left, right = x[..., n:0:-1], x[..., -2:-(n + 2):-1]
    if padtype == "odd":
        left_end, right_end = x[..., :1], x[..., -1:]
        return np.concatenate((2 * left_end - left, x, 2 * right_end - right), axis=-1)
    if padtype == "even":
        return np.concatenate((left, x, right), axis=-1)
    if padtype == "constant":
        ones = np.ones(x.shape[:-1] + (n,), dtype=x.dtype)
        return np.concatenate((ones * x[..., :1], x, ones * x[..., -1:]), axis=-1)
    raise ValueError(f"Unknown value '{padtype}' given to padtype.")


@functools.lru_cache(maxsize=128)
def _design_zi(order: int, cutoff_hz: float | tuple[float, float], btype: str,
               fs_hz: float) -> tuple[np.ndarray, np.ndarray]:
    from scipy import signal as sps

    sos = _butter_sos(order, cutoff_hz, btype, fs_hz)
    zi = sps.sosfilt_zi(sos)
    zi.flags.writeable = False  # shared by every call: only ever multiplied into a new array
    return sos, zi


def _padlen(n: int, wanted: int) -> int:
    return max(0, min(wanted, n - 1))


def highpass(x: np.ndarray, fs_hz: float, cutoff_hz: float) -> np.ndarray:
    """Zero-phase 2nd-order Butterworth high-pass along the last axis; a copy when the cutoff is
    not below Nyquist (the filter cannot be built at such a rate)."""
    if not cutoff_hz < 0.95 * fs_hz / 2:
        return np.array(x, dtype=np.float64, copy=True)
    # Pad with a mirror image of the record (even extension), about one time constant long.
    # Odd extension (scipy's default) mirrors around the first sample's value: when a record
    # starts off its baseline (a cart's start-up step) that puts a large step into the pad and
    # the 0.05 Hz filter turns it into a slope across the whole page.
    pad = _padlen(x.shape[-1], int(fs_hz / cutoff_hz))
    med = np.median(x, axis=-1, keepdims=True)
    return sos_filtfilt(2, float(cutoff_hz), "highpass", float(fs_hz), x - med, padtype="even",
                        padlen=pad)


def notch(x: np.ndarray, fs_hz: float, freq_hz: float, quality: float = 30.0) -> np.ndarray:
    """Zero-phase IIR notch at ``freq_hz`` (and its harmonics below Nyquist are left alone)."""
    if freq_hz >= fs_hz / 2:
        return np.array(x, dtype=np.float64, copy=True)
    from scipy import signal as sps

    b, a = sps.iirnotch(freq_hz, quality, fs=fs_hz)
    pad = _padlen(x.shape[-1], int(fs_hz))
    return sps.filtfilt(b, a, x, axis=-1, padlen=pad)


def lowpass(x: np.ndarray, fs_hz: float, cutoff_hz: float) -> np.ndarray:
    """Zero-phase 4th-order Butterworth low-pass; a no-op copy when the cutoff is at or above
    Nyquist (a 100 Hz record cannot hold 150 Hz content)."""
    if cutoff_hz >= 0.95 * fs_hz / 2:
        return np.array(x, dtype=np.float64, copy=True)
    pad = _padlen(x.shape[-1], int(fs_hz * 0.5))
    return sos_filtfilt(4, float(cutoff_hz), "lowpass", float(fs_hz), x, padlen=pad)


def apply_filters(signal_mv: np.ndarray, fs_hz: float, settings: FilterSettings) -> np.ndarray:
    """The filtered copy of ``signal_mv`` (``[leads, samples]`` or ``[samples]``) as float32.

    The input is never modified. Records too short for a filter (fewer than 16 samples), or
    with a rate that is not a finite positive number, are returned unfiltered.
    """
    if not settings.any_on or np.shape(signal_mv)[-1] < 16 or not (np.isfinite(fs_hz) and fs_hz > 0):
        return np.array(signal_mv, dtype=np.float32, copy=True)
    out = np.asarray(signal_mv, dtype=np.float64)  # a copy for float32 input; never written to
    if settings.highpass_hz is not None:
        out = highpass(out, fs_hz, settings.highpass_hz)
    if settings.notch_hz is not None:
        out = notch(out, fs_hz, settings.notch_hz)
    if settings.lowpass_hz is not None:
        out = lowpass(out, fs_hz, settings.lowpass_hz)
    return np.ascontiguousarray(out, dtype=np.float32)
