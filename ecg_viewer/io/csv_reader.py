"""CSV / TSV: a header row of lead names, one row per sample.

The sampling rate comes from, in order: an ``fs_hz`` option, a rate column (``fs_hz``, ``fs``,
``sampling_rate``, constant), or a time column (``time_s``, ``time_ms``, ``time``, ``t``); otherwise
the reader asks for it. Units: ``mV`` unless a header says otherwise (``V1 (uV)``, ``I [mV]``) or
the ``unit`` option is given.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.core.errors import CorruptFileError, NoWaveformError, SamplingRateRequiredError
from ecg_viewer.core.leads import canonical_lead_name
from ecg_viewer.core.record import EcgMeta
from ecg_viewer.io.builder import Channel, RawEcg, unit_factor_to_mv
from ecg_viewer.io.registry import ReaderSpec, register

_RATE_COLUMNS = ("fs_hz", "fs", "sampling_rate", "sampling_rate_hz", "samplerate", "sample_rate")
_TIME_COLUMNS = {"time_s": 1.0, "time_ms": 1e-3, "time": 1.0, "t": 1.0, "t_s": 1.0, "t_ms": 1e-3,
                 "seconds": 1.0, "ms": 1e-3}  # fmt: skip
_UNIT_IN_NAME = re.compile(r"^(.*?)\s*[\[(]\s*([^\])]+?)\s*[\])]\s*$")


def _split_name_unit(name: str, default_unit: str) -> tuple[str, str]:
    m = _UNIT_IN_NAME.match(name)
    if m and unit_factor_to_mv(m.group(2)) is not None:
        return m.group(1).strip(), m.group(2)
    return name.strip(), default_unit


def read_csv(path: Path, options: dict[str, Any]) -> RawEcg:
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp932")
        except UnicodeDecodeError as exc:
            raise CorruptFileError(path, expected="a text CSV (UTF-8 or Shift_JIS)",
                                   found="binary data", format="CSV") from exc
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if len(lines) < 2:
        raise NoWaveformError(path, expected="a header row and sample rows",
                              found=f"{len(lines)} non-empty line(s)", format="CSV")
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    header = next(csv.reader(io.StringIO(lines[0]), delimiter=delim))
    header = [h.strip() for h in header]
    try:
        data = np.loadtxt(io.StringIO("\n".join(lines[1:])), delimiter=delim, dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise CorruptFileError(path, expected="numbers in every row below the header",
                               found=str(exc)[:200], format="CSV") from exc
    if data.shape[1] != len(header):
        raise CorruptFileError(path, expected=f"{len(header)} columns per row (header)",
                               found=f"{data.shape[1]} columns", format="CSV")

    lower = [h.lower() for h in header]
    fs = options.get("fs_hz")
    used: set[int] = set()
    for col in _RATE_COLUMNS:
        if col in lower:
            i = lower.index(col)
            used.add(i)
            if fs is None:
                fs = float(np.nanmedian(data[:, i]))
    for col, scale in _TIME_COLUMNS.items():
        if col in lower:
            i = lower.index(col)
            used.add(i)
            if fs is None and data.shape[0] > 1:
                dt = float(np.median(np.diff(data[:, i]))) * scale
                if dt > 0:
                    fs = 1.0 / dt
    if fs is None:
        raise SamplingRateRequiredError(path, expected="a sampling rate (fs_hz column or option)",
                                        found="no rate column, no time column", format="CSV")

    default_unit = str(options.get("unit", "mV"))
    channels = []
    for i, name in enumerate(header):
        if i in used:
            continue
        lead, unit = _split_name_unit(name, default_unit)
        channels.append(Channel(name=lead or f"ch{i + 1}", samples=data[:, i], unit=unit))
    if not any(canonical_lead_name(c.name) for c in channels):
        raise NoWaveformError(path, expected="columns named after ECG leads (I, II, V1 ...)",
                              found=f"columns {header[:8]}", format="CSV")
    return RawEcg(channels=channels, fs_hz=float(fs), meta=EcgMeta())


register(ReaderSpec(
    name="csv",
    label="CSV/TSV (lead-name header)",
    extensions=(".csv", ".tsv", ".txt"),
    read=read_csv,
))
