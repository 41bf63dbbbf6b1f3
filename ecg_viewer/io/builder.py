"""Turn what a reader found in a file (channels with names and units) into an EcgRecord.

Every reader returns a :class:`RawEcg`; :func:`build_record` does what all formats share:
unit conversion to mV, lead-name mapping, derivation of III/aVR/aVL/aVF from I and II,
canonical ordering, and the checks that reject a partial or broken waveform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ecg_viewer.core.errors import CorruptFileError, InvalidSignalError, NoWaveformError
from ecg_viewer.core.leads import (
    CANONICAL_LEADS,
    DERIVABLE_LEADS,
    canonical_lead_name,
    derive_limb_leads,
)
from ecg_viewer.core.record import EcgMeta, EcgRecord

# physical unit (lower-case, as files write it) -> factor to millivolts
_UNIT_TO_MV = {
    "mv": 1.0, "millivolt": 1.0, "millivolts": 1.0,
    "uv": 1e-3, "µv": 1e-3, "μv": 1e-3, "microvolt": 1e-3, "microvolts": 1e-3, "mcv": 1e-3,
    "v": 1e3, "volt": 1e3, "volts": 1e3,
    "nv": 1e-6, "nanovolt": 1e-6,
}  # fmt: skip


def unit_factor_to_mv(unit: str) -> float | None:
    """Factor that converts a value in ``unit`` to millivolts, or None for a non-voltage unit."""
    return _UNIT_TO_MV.get(str(unit).strip().lower().replace(" ", ""))


@dataclass
class Channel:
    name: str
    samples: np.ndarray  # 1-D, in ``unit``
    unit: str = "mV"


@dataclass
class RawEcg:
    """What a reader hands back: channels, rate and metadata, before checks and mapping."""

    channels: list[Channel]
    fs_hz: float
    meta: EcgMeta = field(default_factory=EcgMeta)
    # the files whose bytes make up the record (hashed in this order); default: the opened file
    source_files: Sequence[Path] = ()


def build_record(raw: RawEcg, *, path: Path, format: str, sha256: str | None) -> EcgRecord:
    if not raw.channels:
        raise NoWaveformError(path, expected="at least one ECG channel", found="no channels", format=format)
    try:
        fs = float(raw.fs_hz)
    except (TypeError, ValueError):
        fs = float("nan")
    if not np.isfinite(fs) or fs <= 0 or fs > 100_000:
        raise CorruptFileError(path, expected="a sampling rate between 0 and 100 kHz",
                               found=f"sampling rate {raw.fs_hz!r}", format=format)

    lengths = {len(np.ravel(c.samples)) for c in raw.channels}
    if len(lengths) != 1:
        raise InvalidSignalError(path, expected="channels of equal length",
                                 found=f"channel lengths {sorted(lengths)}", format=format)
    n = lengths.pop()
    if n == 0:
        raise NoWaveformError(path, expected="samples in the waveform", found="0 samples", format=format)

    rows: dict[str, np.ndarray] = {}
    original_names: dict[str, str] = {}
    original_units: dict[str, str] = {}
    extras: list[str] = []
    for ch in raw.channels:
        factor = unit_factor_to_mv(ch.unit)
        if factor is None:
            raise CorruptFileError(path, expected="voltage units (mV, uV, V)",
                                   found=f"unit {ch.unit!r} for channel {ch.name!r}", format=format)
        data = np.asarray(np.ravel(ch.samples), dtype=np.float64) * factor
        bad = ~np.isfinite(data)
        if bad.any():
            raise InvalidSignalError(
                path, expected="finite sample values",
                found=f"{int(bad.sum())} NaN/inf samples in channel {ch.name!r}", format=format)
        canon = canonical_lead_name(ch.name)
        name = canon if canon and canon not in rows else _unique(str(ch.name).strip() or "ch", rows)
        if canon is None or name != canon:
            extras.append(name)
        rows[name] = data
        original_names[name] = str(ch.name)
        original_units[name] = str(ch.unit)

    derived: list[str] = []
    if "I" in rows and "II" in rows:
        for lead, values in derive_limb_leads(rows["I"], rows["II"]).items():
            if lead not in rows:
                rows[lead] = values
                derived.append(lead)

    order = [n for n in CANONICAL_LEADS if n in rows] + extras
    signal = np.vstack([rows[n] for n in order]).astype(np.float32)
    return EcgRecord(
        signal_mv=signal,
        fs_hz=fs,
        lead_names=tuple(order),
        original_names=original_names,
        original_units=original_units,
        derived_leads=tuple(d for d in DERIVABLE_LEADS if d in derived),
        meta=raw.meta,
        source_path=str(path),
        format=format,
        sha256=sha256,
    )


def _unique(name: str, taken: dict[str, np.ndarray]) -> str:
    if name not in taken:
        return name
    i = 2
    while f"{name}#{i}" in taken:
        i += 1
    return f"{name}#{i}"
