"""EcgRecord: one ECG, in millivolts, in canonical lead order, with where it came from."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import numpy as np

from ecg_viewer.core.leads import CANONICAL_LEADS

#: sampling rates (Hz) a record may have to be read or analysed (why: ecg_viewer/io/validate.py)
RATE_MIN_HZ = 50.0
RATE_MAX_HZ = 20_000.0
#: a sample beyond this (mV) is not an ECG: the gain, scale or unit is wrong
AMPLITUDE_MAX_MV = 50.0


@dataclass(frozen=True)
class EcgMeta:
    """Patient and acquisition data, as far as the file gives it (None = not in the file)."""

    patient_id: str | None = None
    patient_name: str | None = None
    sex: str | None = None  # "M", "F" or None
    age_years: float | None = None
    birth_date: date | None = None
    recorded_at: datetime | None = None
    device: str | None = None
    # e.g. {"highpass_hz": 0.05, "lowpass_hz": 150.0, "notch_hz": 50.0}
    filters: dict[str, float] = field(default_factory=dict)
    # the recording machine's own interpretation statements, verbatim
    interpretation: tuple[str, ...] = ()
    # format-specific extras worth showing (site, operator, diagnosis codes ...), JSON-able
    extra: dict[str, Any] = field(default_factory=dict)

    def age_by_birth_date(self) -> float | None:
        """The whole years from the birth date to the recording, where the file's stated age
        disagrees with them (io/patient_dates.py); None otherwise: the header and the report
        then show both (QA 73: 「46 歳」 on screen and paper, a birth date of 49 years in FHIR)."""
        b, r = self.birth_date, self.recorded_at
        if b is None or r is None or not self.extra.get("age_and_birth_date_disagree"):
            return None
        d = r.date()
        return float(d.year - b.year - ((d.month, d.day) < (b.month, b.day)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "patient_id": self.patient_id,
            "patient_name": self.patient_name,
            "sex": self.sex,
            "age_years": self.age_years,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
            "device": self.device,
            "filters": dict(self.filters),
            "interpretation": list(self.interpretation),
            "extra": _jsonable(self.extra),
        }


@dataclass(frozen=True, eq=False)
class EcgRecord:
    """An ECG as the rest of the program sees it.

    ``signal_mv`` is float32 ``[leads, samples]`` in millivolts. ``lead_names`` lists its rows:
    the canonical leads the record has, in the order I, II, III, aVR, aVL, aVF, V1-V6, then any
    non-standard channels (e.g. Frank ``vx`` or Holter ``MLII``) under their original names.
    """

    signal_mv: np.ndarray
    fs_hz: float
    lead_names: tuple[str, ...]
    # lead name -> name in the file ("Lead I", "MDC_ECG_LEAD_I" ...)
    original_names: dict[str, str] = field(default_factory=dict)
    # lead name -> physical unit in the file ("uV", "mV" ...)
    original_units: dict[str, str] = field(default_factory=dict)
    # canonical leads computed here from I and II because the file did not store them
    derived_leads: tuple[str, ...] = ()
    meta: EcgMeta = field(default_factory=EcgMeta)
    source_path: str | None = None
    format: str = "unknown"
    sha256: str | None = None
    # the files whose bytes make up the record (a WFDB header and its signal files), absolute
    source_files: tuple[str, ...] = ()
    # lead name -> the sample ranges [start, end) the file marks invalid or holds as NaN/inf (an
    # electrode off for a moment, a gap in the transmission): filled in ``signal_mv`` by a
    # straight line between the samples either side (zero where the lead has none), so the
    # filters and the analysis see no NaN; drawn as a gap, and reported by the quality gate,
    # which withholds the analysis when a lead it needs has one (signal/quality.py)
    gaps: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        sig = self.signal_mv
        if sig.ndim != 2 or sig.shape[0] != len(self.lead_names):
            raise ValueError(
                f"signal_mv must be [leads, samples] with one row per lead name; "
                f"got shape {sig.shape} for {len(self.lead_names)} lead names"
            )
        if sig.dtype != np.float32:
            raise ValueError(f"signal_mv must be float32, got {sig.dtype}")
        if not (math.isfinite(self.fs_hz) and self.fs_hz > 0):
            raise ValueError(f"fs_hz must be a finite positive number, got {self.fs_hz}")

    # --- shape ------------------------------------------------------------------------------
    @property
    def n_samples(self) -> int:
        return int(self.signal_mv.shape[1])

    @property
    def duration_s(self) -> float:
        return self.n_samples / float(self.fs_hz)

    @property
    def canonical_leads(self) -> tuple[str, ...]:
        return tuple(n for n in self.lead_names if n in CANONICAL_LEADS)

    @property
    def stored_leads(self) -> tuple[str, ...]:
        return tuple(n for n in self.lead_names if n not in self.derived_leads)

    @property
    def missing_leads(self) -> tuple[str, ...]:
        return tuple(n for n in CANONICAL_LEADS if n not in self.lead_names)

    @property
    def extra_leads(self) -> tuple[str, ...]:
        return tuple(n for n in self.lead_names if n not in CANONICAL_LEADS)

    @property
    def has_12_leads(self) -> bool:
        return not self.missing_leads

    def has_lead(self, name: str) -> bool:
        return name in self.lead_names

    def lead(self, name: str) -> np.ndarray:
        """The samples of one lead (mV), a read-only view."""
        try:
            idx = self.lead_names.index(name)
        except ValueError:
            raise KeyError(f"lead {name!r} is not in this record (has {self.lead_names})") from None
        view = self.signal_mv[idx]
        view.flags.writeable = False
        return view

    def standard_12(self, fill: float = np.nan) -> np.ndarray:
        """float32 [12, samples] in canonical order; absent leads filled with ``fill``."""
        out = np.full((12, self.n_samples), fill, dtype=np.float32)
        for i, name in enumerate(CANONICAL_LEADS):
            if name in self.lead_names:
                out[i] = self.signal_mv[self.lead_names.index(name)]
        return out

    def range_mv(self) -> dict[str, tuple[float, float]]:
        return {
            n: (float(self.signal_mv[i].min()), float(self.signal_mv[i].max()))
            for i, n in enumerate(self.lead_names)
        }

    def with_signal(self, signal_mv: np.ndarray, fs_hz: float | None = None) -> EcgRecord:
        """A copy with another signal (same leads), e.g. after filtering, or its first samples.
        The gaps stay where they are (cut to the new length); at another sampling rate their
        sample numbers would mean other times, so a resampled copy keeps none."""
        signal = np.ascontiguousarray(signal_mv, dtype=np.float32)
        fs = self.fs_hz if fs_hz is None else fs_hz
        gaps = _shift_gaps(self.gaps, 0, signal.shape[-1]) if fs == self.fs_hz else {}
        return replace(self, signal_mv=signal, fs_hz=fs, gaps=gaps)

    def segment(self, i0: int, i1: int) -> EcgRecord:
        """The samples ``[i0, i1)`` as a record of their own (the gaps moved with them)."""
        i0, i1 = max(0, int(i0)), min(self.n_samples, int(i1))
        return replace(self, signal_mv=np.ascontiguousarray(self.signal_mv[:, i0:i1]),
                       gaps=_shift_gaps(self.gaps, i0, i1))

    def summary(self) -> dict[str, Any]:
        """The facts ``ecg-viewer info --json`` prints: strict JSON (a NaN or infinite number
        anywhere becomes None, so the text never holds ``NaN``/``Infinity``)."""
        return _jsonable({
            "file": self.source_path,
            "format": self.format,
            "sha256": self.sha256,
            "fs_hz": float(self.fs_hz),
            "n_samples": self.n_samples,
            "duration_s": round(self.duration_s, 4),
            "leads": list(self.canonical_leads),
            "extra_leads": list(self.extra_leads),
            "stored_leads": list(self.stored_leads),
            "derived_leads": list(self.derived_leads),
            "missing_leads": list(self.missing_leads),
            "original_names": dict(self.original_names),
            "original_units": dict(self.original_units),
            "range_mv": {n: [round(lo, 4), round(hi, 4)] for n, (lo, hi) in self.range_mv().items()},
            # per lead, the stretches (s) the file holds no valid sample for
            "gaps_s": {n: [[round(a / self.fs_hz, 4), round(b / self.fs_hz, 4)] for a, b in r]
                       for n, r in self.gaps.items() if r},
            "meta": self.meta.to_dict(),
        })


def _shift_gaps(gaps: dict[str, tuple[tuple[int, int], ...]], i0: int, i1: int
                ) -> dict[str, tuple[tuple[int, int], ...]]:
    """``gaps`` as seen from a record of the samples ``[i0, i1)``."""
    out = {}
    for name, ranges in gaps.items():
        kept = tuple((max(a, i0) - i0, min(b, i1) - i0) for a, b in ranges if a < i1 and b > i0)
        if kept:
            out[name] = kept
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.hex()
    return value
