"""Made-bad copies of a real record, to test the signal-quality gate (tests and bench only).

Each function returns a new :class:`EcgRecord`; the original is never changed. The faults are
the ones a recording really shows: a lead with no signal, a lead clipped at the amplifier's
rail, an electrode that comes off part way, heavy mains hum with broadband noise, a recording
cut short.
"""

from __future__ import annotations

import numpy as np

from ecg_viewer.core.record import EcgRecord


def _copy(record: EcgRecord) -> np.ndarray:
    return np.array(record.signal_mv, dtype=np.float32, copy=True)


def _row(record: EcgRecord, lead: str) -> int:
    if lead not in record.lead_names:
        raise KeyError(f"lead {lead!r} is not in this record")
    return record.lead_names.index(lead)


def zero_lead(record: EcgRecord, lead: str) -> EcgRecord:
    """The lead carries no signal (all samples 0 mV)."""
    sig = _copy(record)
    sig[_row(record, lead)] = 0.0
    return record.with_signal(sig)


def clip_lead(record: EcgRecord, lead: str, rail_mv: float | None = None) -> EcgRecord:
    """The lead is clipped at +/- ``rail_mv`` around its median (default: 40 % of its 99.5th
    percentile excursion, so that every QRS hits the rail)."""
    sig = _copy(record)
    i = _row(record, lead)
    base = float(np.median(sig[i]))
    if rail_mv is None:
        rail_mv = 0.4 * float(np.percentile(np.abs(sig[i] - base), 99.5))
    sig[i] = np.clip(sig[i], base - rail_mv, base + rail_mv)
    return record.with_signal(sig)


def disconnect_lead(
    record: EcgRecord, lead: str, at_s: float = 4.0, step_mv: float = 1.5
) -> EcgRecord:
    """The electrode comes off at ``at_s``: a step of ``step_mv``, then a flat line."""
    sig = _copy(record)
    i = _row(record, lead)
    k = min(sig.shape[1] - 1, int(at_s * record.fs_hz))
    sig[i, k:] = sig[i, k] + step_mv
    return record.with_signal(sig)


def add_noise(
    record: EcgRecord, hum_mv: float = 0.5, white_mv: float = 0.3, mains_hz: float = 50.0,
    seed: int = 0,
) -> EcgRecord:
    """Mains hum of amplitude ``hum_mv`` (random phase per lead) plus white noise of rms
    ``white_mv`` on every lead."""
    rng = np.random.default_rng(seed)
    sig = _copy(record).astype(np.float64)
    t = np.arange(sig.shape[1]) / float(record.fs_hz)
    phase = rng.uniform(0, 2 * np.pi, (sig.shape[0], 1))
    sig += hum_mv * np.sin(2 * np.pi * mains_hz * t + phase)
    sig += rng.normal(0.0, white_mv, sig.shape)
    return record.with_signal(sig.astype(np.float32))


def cut(record: EcgRecord, seconds: float = 3.0) -> EcgRecord:
    """Only the first ``seconds`` of the recording."""
    n = max(1, int(round(seconds * record.fs_hz)))
    return record.with_signal(_copy(record)[:, :n])
