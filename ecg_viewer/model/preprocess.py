"""Bring an EcgRecord to the model's input: 12 leads, 100 Hz, a 10-s window (numpy only).

Two input normalisations (the weights' manifest says which one its encoder was trained with,
``preprocessing.input_norm``):

- ``"mv"``: per-lead median removed, amplitudes in mV (the models up to 2026.11);
- ``"zscore"``: band-pass 0.5-40 Hz, then each lead scaled to mean 0 and SD 1 over the window.
  This is how the extra PTB-XL records reached us (their mV amplitude is gone), so an encoder
  trained on them together with the mV records must see every ECG this way; amplitude then
  reaches the suggestions only through the measured criteria features (labels/fusion.py).

The same function prepares training data and the records the Predictor sees, so the two cannot
drift apart. Records the model cannot use raise :class:`ModelInputError` with a Japanese message.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ecg_viewer.core.leads import CANONICAL_LEADS, derive_limb_leads
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.model.config import MIN_DURATION_S, MODEL_FS_HZ, WINDOW_SAMPLES
from ecg_viewer.model.errors import ModelInputError

INPUT_NORMS: tuple[str, ...] = ("mv", "zscore")
BAND_HZ: tuple[float, float] = (0.5, 40.0)


def resample(signal: np.ndarray, fs_in_hz: float, fs_out_hz: float = MODEL_FS_HZ) -> np.ndarray:
    """Polyphase resampling along the last axis (anti-aliased), float32."""
    if abs(fs_in_hz - fs_out_hz) < 1e-6:
        return np.asarray(signal, dtype=np.float32)
    # scipy.signal where it is used: the batch's model process (Predictor) never resamples
    from scipy.signal import resample_poly

    ratio = Fraction(fs_out_hz / fs_in_hz).limit_denominator(1000)
    out = resample_poly(np.asarray(signal, dtype=np.float64), ratio.numerator, ratio.denominator,
                        axis=-1)
    return out.astype(np.float32)


def twelve_leads(record: EcgRecord) -> np.ndarray:
    """float32 [12, samples] in canonical order; limb leads derived from I and II when absent.

    Raises ModelInputError when a chest lead (or I/II) is missing or the signal is not finite.
    """
    have = {n: record.signal_mv[i] for i, n in enumerate(record.lead_names) if n in CANONICAL_LEADS}
    if "I" in have and "II" in have:
        for name, values in derive_limb_leads(have["I"], have["II"]).items():
            have.setdefault(name, values.astype(np.float32))
    missing = [n for n in CANONICAL_LEADS if n not in have]
    if missing:
        raise ModelInputError("model.missing_leads", leads=", ".join(missing))
    sig = np.stack([np.asarray(have[n], dtype=np.float32) for n in CANONICAL_LEADS])
    bad = [n for n, row in zip(CANONICAL_LEADS, sig, strict=True) if not np.isfinite(row).all()]
    if bad:
        raise ModelInputError("model.bad_signal", leads=", ".join(bad))
    return sig


def window_span_s(n_samples: int, fs_hz: float) -> tuple[float, float] | None:
    """The seconds of a record of ``n_samples`` at ``fs_hz`` that the model reads (the central
    window of :func:`fit_window` after :func:`resample`), or None when it reads all of it."""
    if abs(fs_hz - MODEL_FS_HZ) < 1e-6:
        t = n_samples
    else:
        ratio = Fraction(MODEL_FS_HZ / fs_hz).limit_denominator(1000)
        t = -(-n_samples * ratio.numerator // ratio.denominator)
    if t <= WINDOW_SAMPLES:
        return None
    start = (t - WINDOW_SAMPLES) // 2
    return start / MODEL_FS_HZ, (start + WINDOW_SAMPLES) / MODEL_FS_HZ


def fit_window(sig: np.ndarray, n: int = WINDOW_SAMPLES) -> np.ndarray:
    """The central ``n`` samples; shorter signals are zero-padded at the end."""
    t = sig.shape[-1]
    if t >= n:
        start = (t - n) // 2
        return np.ascontiguousarray(sig[..., start : start + n])
    out = np.zeros(sig.shape[:-1] + (n,), dtype=np.float32)
    out[..., :t] = sig
    return out


def normalise(sig: np.ndarray) -> np.ndarray:
    """Remove each lead's median (baseline offset); amplitudes stay in mV."""
    return (sig - np.median(sig, axis=-1, keepdims=True)).astype(np.float32)


def zscore(sig: np.ndarray, fs_hz: float = MODEL_FS_HZ) -> np.ndarray:
    """Band-pass 0.5-40 Hz (3rd-order Butterworth, zero phase), then mean 0 / SD 1 per lead.
    A flat lead (SD ~ 0, e.g. a lead dropped by the recorder) stays all zeros."""
    x = np.asarray(sig, dtype=np.float64)
    if x.shape[-1] > 30:
        # scipy's sosfiltfilt, the same numbers, with the design made once (signal/filters.py)
        from ecg_viewer.signal.filters import sos_filtfilt

        band = (float(BAND_HZ[0]), float(min(BAND_HZ[1], 0.45 * fs_hz)))
        x = sos_filtfilt(3, band, "bandpass", float(fs_hz), x,
                         padlen=min(x.shape[-1] - 1, 300))
    x = x - x.mean(axis=-1, keepdims=True)
    sd = x.std(axis=-1, keepdims=True)
    return np.where(sd > 1e-6, x / np.where(sd > 1e-6, sd, 1.0), 0.0).astype(np.float32)


def array_to_input(sig_mv: np.ndarray, fs_hz: float, *, window: bool = True,
                   input_norm: str = "mv") -> np.ndarray:
    """[12, T] mV at ``fs_hz`` -> [12, WINDOW_SAMPLES] model input (or the whole length).
    ``input_norm="zscore"``: the window (unpadded) is band-passed and z-scored, then padded."""
    if input_norm not in INPUT_NORMS:
        raise ValueError(f"unknown input normalisation {input_norm!r}")
    duration_s = sig_mv.shape[-1] / float(fs_hz)
    if duration_s < MIN_DURATION_S:
        raise ModelInputError("model.too_short", duration_s=duration_s, min_s=MIN_DURATION_S)
    x = resample(sig_mv, fs_hz)
    if input_norm == "zscore":
        if window and x.shape[-1] > WINDOW_SAMPLES:
            x = fit_window(x)
        x = zscore(x)
        return fit_window(x) if window else x
    if window:
        x = fit_window(x)
    return normalise(x)


def record_to_input(record: EcgRecord, input_norm: str = "mv") -> np.ndarray:
    """EcgRecord -> float32 [12, 1000]: 12 leads (derived if needed), 100 Hz, central 10 s."""
    return array_to_input(twelve_leads(record), record.fs_hz, input_norm=input_norm)
