"""Turn what a reader found in a file (channels with names and units) into an EcgRecord.

Every reader returns a :class:`RawEcg`; :func:`build_record` does what all formats share:
unit conversion to mV, lead-name mapping, derivation of III/aVR/aVL/aVF from I and II,
canonical ordering, and the checks that reject a partial or broken waveform.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ecg_viewer.core.errors import (
    CorruptFileError,
    ImplausibleAmplitudeError,
    InvalidSignalError,
    NoWaveformError,
)
from ecg_viewer.core.leads import (
    CANONICAL_LEADS,
    DERIVABLE_LEADS,
    canonical_lead_name,
    derive_limb_leads,
)
from ecg_viewer.core.messages import Bilingual
from ecg_viewer.core.record import EcgMeta, EcgRecord
from ecg_viewer.core.runs import true_runs
from ecg_viewer.io.validate import AMPLITUDE_MAX_MV, check_rate, check_total_values

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
    samples: np.ndarray  # 1-D, in ``unit`` (or digital units: see gain and baseline)
    unit: str = "mV"
    # digital samples: value in ``unit`` = (sample - baseline) / gain (a WFDB .dat holds int16
    # counts; converting them here, a chunk at a time, saves a float64 copy of the record)
    gain: float = 1.0
    baseline: float = 0.0
    # the digital value the format writes for "no sample here" (WFDB: -32768 in format 16):
    # such samples, like NaN/inf, are a gap in the lead (EcgRecord.gaps), not a value
    invalid: float | None = None


@dataclass
class RawEcg:
    """What a reader hands back: channels, rate and metadata, before checks and mapping."""

    channels: list[Channel]
    fs_hz: float
    meta: EcgMeta = field(default_factory=EcgMeta)
    # the files whose bytes make up the record (hashed in this order); default: the opened file
    source_files: Sequence[Path] = ()


#: samples converted per step: bounded temporaries however long the record
CHUNK_SAMPLES = 1 << 20


def build_record(raw: RawEcg, *, path: Path, format: str, sha256: str | None) -> EcgRecord:
    if not raw.channels:
        raise NoWaveformError(path, expected=Bilingual("少なくとも 1 つの心電図チャネル",
                                                       "at least one ECG channel"),
                              found=Bilingual("チャネルなし", "no channels"), format=format)
    fs = check_rate(raw.fs_hz, file=path, field=Bilingual("サンプリング周波数", "sampling rate"),
                    format=format)

    lengths = {int(np.size(c.samples)) for c in raw.channels}
    if len(lengths) != 1:
        raise InvalidSignalError(path, expected=Bilingual("同じ長さのチャネル", "channels of equal length"),
                                 found=Bilingual(f"チャネルの長さ {sorted(lengths)}",
                                                 f"channel lengths {sorted(lengths)}"),
                                 format=format)
    n = lengths.pop()
    if n == 0:
        raise NoWaveformError(path, expected=Bilingual("波形のサンプル", "samples in the waveform"),
                              found=Bilingual("0 サンプル", "0 samples"), format=format)

    # names, units and row order first; samples are converted straight into the one float32 array
    sources: dict[str, tuple[Channel, float]] = {}
    original_names: dict[str, str] = {}
    original_units: dict[str, str] = {}
    extras: list[str] = []
    for ch in raw.channels:
        factor = unit_factor_to_mv(ch.unit)
        if factor is None:
            raise CorruptFileError(path, expected=Bilingual("電圧の単位（mV, uV, V）",
                                                            "voltage units (mV, uV, V)"),
                                   found=Bilingual(f"チャネル {ch.name!r} の単位 {ch.unit!r}",
                                                   f"unit {ch.unit!r} for channel {ch.name!r}"),
                                   format=format)
        canon = canonical_lead_name(ch.name)
        name = canon if canon and canon not in sources else _unique(str(ch.name).strip() or "ch", sources)
        if canon is None or name != canon:
            extras.append(name)
        sources[name] = (ch, factor)
        original_names[name] = str(ch.name)
        original_units[name] = str(ch.unit)
    derive = "I" in sources and "II" in sources
    derived = [d for d in DERIVABLE_LEADS if derive and d not in sources]
    order = [n_ for n_ in CANONICAL_LEADS if n_ in sources or n_ in derived] + extras
    check_total_values(len(order) * n, file=path, format=format)

    signal = np.empty((len(order), n), dtype=np.float32)
    gaps: dict[str, tuple[tuple[int, int], ...]] = {}
    for name, (ch, factor) in sources.items():
        runs = _convert_into(signal[order.index(name)], ch, factor, path=path, format=format, lead=name)
        if runs:
            gaps[name] = runs
    if sources and all(gaps.get(name) == ((0, n),) for name in sources):
        raise InvalidSignalError(path, expected=Bilingual("少なくとも 1 チャネルに有効なサンプル",
                                                          "valid samples in at least one channel"),
                                 found=Bilingual("すべてのサンプルが無効（NaN/inf または無効値）",
                                                 "every sample invalid (NaN/inf or the invalid mark)"),
                                 format=format)
    if derived and (gaps.get("I") or gaps.get("II")):
        both = _merge_runs([*gaps.get("I", ()), *gaps.get("II", ())])
        for lead in derived:
            gaps[lead] = both
    if derived:
        i, ii = signal[order.index("I")], signal[order.index("II")]
        for s in range(0, n, CHUNK_SAMPLES):
            values = derive_limb_leads(i[s:s + CHUNK_SAMPLES], ii[s:s + CHUNK_SAMPLES])
            for lead in derived:
                signal[order.index(lead), s:s + CHUNK_SAMPLES] = values[lead]
    return EcgRecord(
        signal_mv=signal,
        fs_hz=fs,
        lead_names=tuple(order),
        original_names=original_names,
        original_units=original_units,
        derived_leads=tuple(derived),
        meta=raw.meta,
        source_path=str(path),
        format=format,
        sha256=sha256,
        source_files=tuple(os.path.abspath(f) for f in (raw.source_files or [path])),
        gaps=gaps,
    )


def _convert_into(out: np.ndarray, ch: Channel, factor: float, *, path: Path, format: str,
                  lead: str) -> tuple[tuple[int, int], ...]:
    """``ch``'s samples x ``factor`` into the float32 row ``out``, a chunk at a time, refusing
    values beyond ±50 mV before the cast (a 1e300 sample never becomes inf). Samples that are
    NaN/inf or the format's invalid mark are a gap: their runs ``[start, end)`` are returned and
    filled by a straight line between the valid samples either side (:func:`_fill_runs`)."""
    samples = np.ravel(ch.samples)
    digital = ch.gain != 1.0 or ch.baseline != 0.0
    runs: list[tuple[int, int]] = []
    for s in range(0, out.shape[0], CHUNK_SAMPLES):
        block = np.asarray(samples[s:s + CHUNK_SAMPLES], dtype=np.float64)
        bad = ~np.isfinite(block)
        if ch.invalid is not None:
            bad |= block == ch.invalid
        if bad.any():
            block = np.where(bad, ch.baseline if digital else 0.0, block)
            runs = _merge_runs([*runs, *((s + a, s + b) for a, b in true_runs(bad))])
        if digital:
            with np.errstate(over="ignore"):  # a tiny gain can overflow: checked just below
                block = (block - ch.baseline) / ch.gain
        # checked before multiplying by the unit factor and before the float32 cast, so that
        # neither can overflow: a 1e300 sample is refused, never turned into inf
        peak = float(np.max(np.abs(block))) if block.size else 0.0
        if not np.isfinite(peak) or peak > AMPLITUDE_MAX_MV / factor:
            raise ImplausibleAmplitudeError(path, lead=lead, peak_mv=peak * factor,
                                            limit_mv=AMPLITUDE_MAX_MV, format=format)
        out[s:s + CHUNK_SAMPLES] = block * factor
    _fill_runs(out, runs)
    return tuple(runs)


def _merge_runs(runs: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted runs with the ones that touch or overlap joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(runs):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)


def _fill_runs(row: np.ndarray, runs: Sequence[tuple[int, int]]) -> None:
    """Each gap ``[a, b)`` of ``row`` as a straight line from the sample before it to the one
    after it (level with the one there is at an end of the record; zero with none)."""
    n = row.shape[0]
    for a, b in runs:
        left = float(row[a - 1]) if a > 0 else None
        right = float(row[b]) if b < n else None
        if left is None and right is None:
            row[a:b] = 0.0
        elif left is None or right is None:
            row[a:b] = left if right is None else right
        else:
            row[a:b] = np.linspace(left, right, b - a + 2)[1:-1]


def _unique(name: str, taken: dict[str, object]) -> str:
    if name not in taken:
        return name
    i = 2
    while f"{name}#{i}" in taken:
        i += 1
    return f"{name}#{i}"
