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


def _padlen(n: int, wanted: int) -> int:
    return max(0, min(wanted, n - 1))


def highpass(x: np.ndarray, fs_hz: float, cutoff_hz: float) -> np.ndarray:
    """Zero-phase 2nd-order Butterworth high-pass along the last axis; a copy when the cutoff is
    not below Nyquist (the filter cannot be built at such a rate)."""
    if not cutoff_hz < 0.95 * fs_hz / 2:
        return np.array(x, dtype=np.float64, copy=True)
    from scipy import signal as sps

    sos = butter_sos(2, float(cutoff_hz), "highpass", float(fs_hz))
    # Pad with a mirror image of the record (even extension), about one time constant long.
    # Odd extension (scipy's default) mirrors around the first sample's value: when a record
    # starts off its baseline (a cart's start-up step) that puts a large step into the pad and
    # the 0.05 Hz filter turns it into a slope across the whole page.
    pad = _padlen(x.shape[-1], int(fs_hz / cutoff_hz))
    med = np.median(x, axis=-1, keepdims=True)
    return sps.sosfiltfilt(sos, x - med, axis=-1, padtype="even", padlen=pad)


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
    from scipy import signal as sps

    sos = butter_sos(4, float(cutoff_hz), "lowpass", float(fs_hz))
    pad = _padlen(x.shape[-1], int(fs_hz * 0.5))
    return sps.sosfiltfilt(sos, x, axis=-1, padlen=pad)


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
