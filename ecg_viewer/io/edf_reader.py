"""EDF and EDF+ (European Data Format; ``.edf``), read with ``ecgdatakit``'s EDF parser.

Signals are scaled from the digital to the physical range of each signal. Only voltage channels
are kept (with their own names: an EDF from a Holter or a sleep study keeps "ECG", "EEG Fpz-Cz"
...); "EDF Annotations" signals and channels in other units (degrees, %, mmHg) are left out and
listed in ``meta.extra["dropped_channels"]``. A file with only annotations raises
:class:`NoWaveformError`; a file shorter than its header's record count raises
:class:`InvalidSignalError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import CorruptFileError, NoWaveformError
from ecg_viewer.io.builder import RawEcg
from ecg_viewer.io.ecgdatakit_adapter import parse_with, to_raw
from ecg_viewer.io.registry import ReaderSpec, register

LABEL = "EDF/EDF+ (.edf)"
_MAGIC = b"0       "
_ANNOTATION_LABEL = "EDF Annotations"


def _sniff(head: bytes, path: Path) -> bool:
    if len(head) < 256 or head[:8] != _MAGIC:
        return False
    try:
        int(head[252:256].decode("ascii").strip())
        return True
    except (UnicodeDecodeError, ValueError):
        return False


def _header_labels(path: Path) -> list[str]:
    """The signal labels of the EDF header, as written (16 ASCII characters each)."""
    with open(path, "rb") as fh:
        head = fh.read(256)
        ns = int(head[252:256].decode("ascii").strip())
        raw = fh.read(16 * ns)
    return [raw[16 * i:16 * (i + 1)].decode("latin-1").strip() for i in range(ns)]


def read_edf(path: Path, options: dict[str, Any]) -> RawEcg:
    from ecgdatakit.parsing.parsers.edf import EDFParser

    with open(path, "rb") as fh:
        head = fh.read(256)
    if len(head) < 256:
        raise CorruptFileError(path, expected="an EDF header of 256 bytes",
                               found=f"{len(head)} bytes", format=LABEL)
    if head[:8] != _MAGIC:
        raise CorruptFileError(path, expected=f"EDF version field {_MAGIC!r}",
                               found=repr(head[:8]), format=LABEL)
    record, messages = parse_with(EDFParser, path, LABEL)
    raw_meta = record.raw_metadata
    annotations = raw_meta.get("edf_annotations") or []
    if not record.leads:
        found = "only an EDF Annotations signal" if annotations or raw_meta.get("is_edfplus") else "no signals"
        if annotations:
            found += f" ({len(annotations)} annotations)"
        raise NoWaveformError(path, expected="at least one signal channel", found=found, format=LABEL)
    labels = [lab for lab in _header_labels(path) if lab != _ANNOTATION_LABEL]
    if len(labels) == len(record.leads):  # keep the file's own names ("ECG I", "EEG Fpz-Cz")
        for lead, own in zip(record.leads, labels, strict=True):
            lead.annotations["channel_label"] = own
    extra: dict[str, Any] = {}
    version = str(getattr(record.file_format, "version", "") or "")
    if version:
        extra["edf_type"] = version  # "EDF+D": records with gaps, joined end to end
    if raw_meta.get("recording_id"):
        extra["edf_recording_id"] = str(raw_meta["recording_id"]).strip()
    if annotations:
        extra["edf_annotations"] = [
            {"onset_s": a.get("onset"), "duration_s": a.get("duration"), "text": a.get("text")}
            for a in annotations[:1000] if isinstance(a, dict)
        ]
    return to_raw(record, path, LABEL, messages=messages, extra=extra)


register(ReaderSpec(
    name="edf",
    label=LABEL,
    extensions=(".edf",),
    read=read_edf,
    sniff=_sniff,
))
