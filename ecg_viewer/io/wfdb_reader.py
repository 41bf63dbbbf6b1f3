"""WFDB (PhysioNet): a ``.hea`` header with ``.dat`` / ``.mat`` signal files, via ``wfdb``.

Covers PTB-XL, the PhysioNet/CinC challenge records (WFDB-format ``.mat`` signal files with
``# Age:``, ``# Sex:`` and ``# Dx:`` comments), PTB Diagnostic (15 channels) and MIT-BIH.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.core.errors import CorruptFileError, InvalidSignalError
from ecg_viewer.core.record import EcgMeta
from ecg_viewer.io.builder import Channel, RawEcg
from ecg_viewer.io.registry import ReaderSpec, register

_SIGNAL_EXTS = (".dat", ".mat", ".xyz")


def _header_path(path: Path) -> Path:
    if path.suffix.lower() == ".hea":
        return path
    hea = path.with_suffix(".hea")
    if hea.is_file():
        return hea
    raise CorruptFileError(path, expected="a WFDB header (.hea) beside the signal file",
                           found=f"no {hea.name}", format="WFDB")


def _sniff(head: bytes, path: Path) -> bool:
    if path.suffix.lower() == ".hea":
        return True
    # A .dat/.mat signal file with its header next to it is a WFDB record (a CinC .mat is not MATLAB).
    return path.suffix.lower() in _SIGNAL_EXTS and path.with_suffix(".hea").is_file()


def _parse_comments(comments: list[str]) -> tuple[dict[str, str], list[str]]:
    fields: dict[str, str] = {}
    free: list[str] = []
    for c in comments:
        m = re.match(r"^\s*([A-Za-z][\w ()/.-]{0,60}):\s*(.*)$", c)
        if m and m.group(2).strip():
            fields.setdefault(m.group(1).strip().lower(), m.group(2).strip())
        elif c.strip():
            free.append(c.strip())
    return fields, free


def _meta(rec: Any) -> EcgMeta:
    fields, _ = _parse_comments(list(rec.comments or []))
    sex = fields.get("sex", "").strip().lower()
    sex_code = {"male": "M", "m": "M", "female": "F", "f": "F"}.get(sex)
    age = None
    try:
        age = float(fields["age"])
        if not 0 <= age < 130:
            age = None
    except (KeyError, ValueError):
        pass
    recorded = None
    if rec.base_date is not None:
        recorded = datetime.combine(rec.base_date, rec.base_time or datetime.min.time())
    extra: dict[str, Any] = {}
    if "dx" in fields:
        extra["snomed_dx"] = [c.strip() for c in fields["dx"].split(",") if c.strip()]
    for key in ("reason for admission", "ecg date", "rx", "hx"):
        if key in fields and fields[key].lower() != "unknown":
            extra[key] = fields[key]
    return EcgMeta(sex=sex_code, age_years=age, recorded_at=recorded, extra=extra)


# bytes per sample of the WFDB storage formats whose size is easy to predict
_BYTES_PER_SAMPLE = {"8": 1, "16": 2, "61": 2, "80": 1, "160": 2, "24": 3, "32": 4, "212": 1.5,
                     "310": 4 / 3, "311": 4 / 3}  # fmt: skip


def _check_data_sizes(path: Path, folder: Path, header: Any) -> None:
    """Reject a signal file shorter than the header promises, with the numbers in the message."""
    if not header.sig_len:
        return
    per_file: dict[str, list[int]] = {}
    for i, name in enumerate(header.file_name):
        per_file.setdefault(name, []).append(i)
    for name, idx in per_file.items():
        fmt = str(header.fmt[idx[0]])
        bps = _BYTES_PER_SAMPLE.get(fmt)
        if bps is None:
            continue
        offset = int((header.byte_offset or [0] * len(header.fmt))[idx[0]] or 0)
        size = (folder / name).stat().st_size
        have = int((size - offset) / (bps * len(idx)))
        if have < header.sig_len:
            raise InvalidSignalError(
                path, expected=f"{header.sig_len} samples per channel (header)",
                found=f"{max(have, 0)} samples in {name}", format="WFDB")


def read_wfdb(path: Path, options: dict[str, Any]) -> RawEcg:
    import wfdb

    hea = _header_path(path)
    record_name = str(hea.with_suffix(""))
    try:
        header = wfdb.rdheader(record_name)
    except Exception as exc:
        raise CorruptFileError(path, expected="a valid WFDB header", found=f"{type(exc).__name__}: {exc}",
                               format="WFDB") from exc
    if not header.n_sig or not header.file_name:
        raise CorruptFileError(path, expected="signal lines in the header", found="no signals", format="WFDB")
    files = [hea]
    for name in dict.fromkeys(header.file_name):
        f = hea.parent / name
        if not f.is_file():
            raise CorruptFileError(path, expected=f"signal file {name}", found="missing", format="WFDB")
        files.append(f)
    expected_len = header.sig_len
    _check_data_sizes(path, hea.parent, header)
    try:
        rec = wfdb.rdrecord(record_name, physical=True)
    except Exception as exc:
        raise CorruptFileError(path, expected="signal files matching the header",
                               found=f"{type(exc).__name__}: {exc}", format="WFDB") from exc
    sig = rec.p_signal
    if sig is None or sig.ndim != 2 or sig.shape[0] == 0:
        raise InvalidSignalError(path, expected="samples in the signal file", found="none", format="WFDB")
    if expected_len and sig.shape[0] != expected_len:
        raise InvalidSignalError(path, expected=f"{expected_len} samples (header)",
                                 found=f"{sig.shape[0]} samples in the data", format="WFDB")
    channels = [
        Channel(name=name, samples=np.asarray(sig[:, i]), unit=(unit or "mV"))
        for i, (name, unit) in enumerate(zip(rec.sig_name, rec.units, strict=True))
    ]
    return RawEcg(channels=channels, fs_hz=float(rec.fs), meta=_meta(rec), source_files=files)


register(ReaderSpec(
    name="wfdb",
    label="WFDB (.hea + .dat/.mat)",
    extensions=(".hea", ".dat", ".mat"),
    read=read_wfdb,
    sniff=_sniff,
))
