"""DICOM waveform (12-lead ECG, General ECG, Ambulatory ECG storage; ``.dcm``).

Read with ``ecgdatakit``'s DICOM parser on top of ``pydicom``: it takes the rhythm multiplex
group (not the median-beat group), decodes samples by Waveform Bits Allocated and Waveform
Sample Interpretation (SS/SB/SL/UB/US/UL, mu-law, A-law), scales each channel as
sample x Channel Sensitivity x Channel Sensitivity Correction Factor + Channel Baseline, and
takes the unit from the Channel Sensitivity Units Sequence (UCUM, e.g. ``uV``). Interpretation
statements, filter settings and the cart's measurements come from the dataset.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import CorruptFileError, NoWaveformError
from ecg_viewer.io.builder import RawEcg
from ecg_viewer.io.ecgdatakit_adapter import parse_with, to_raw
from ecg_viewer.io.registry import ReaderSpec, register

LABEL = "DICOM waveform (.dcm)"


def _sniff(head: bytes, path: Path) -> bool:
    return len(head) >= 132 and head[128:132] == b"DICM"


def _has_waveform(path: Path) -> tuple[bool, str]:
    import pydicom

    ds = pydicom.dcmread(str(path), stop_before_pixels=True, specific_tags=["WaveformSequence",
                                                                           "SOPClassUID", "Modality"])
    if "WaveformSequence" in ds and len(ds.WaveformSequence):
        return True, ""
    sop = getattr(ds.get("SOPClassUID"), "name", str(ds.get("SOPClassUID", "")))
    return False, f"a DICOM object without Waveform Sequence (SOP class {sop or '?'}, modality {ds.get('Modality', '?')})"


def read_dicom(path: Path, options: dict[str, Any]) -> RawEcg:
    from ecgdatakit.parsing.parsers.dicom_waveform import DICOMWaveformParser

    with open(path, "rb") as fh:
        head = fh.read(132)
    if not _sniff(head, path):
        raise CorruptFileError(path, expected="a DICOM file ('DICM' at byte 128)",
                               found=f"bytes 128-131 {head[128:132]!r}", format=LABEL)
    try:
        with warnings.catch_warnings():  # pydicom warns on odd values; the parse below reports
            warnings.simplefilter("ignore")
            ok, found = _has_waveform(path)
    except Exception as exc:  # pydicom raises OSError/ValueError/... on a damaged dataset
        raise CorruptFileError(path, expected="a complete DICOM dataset",
                               found=f"{type(exc).__name__}: {exc}"[:240], format=LABEL) from exc
    if not ok:
        raise NoWaveformError(path, expected="a DICOM waveform (ECG) object", found=found, format=LABEL)
    record, messages = parse_with(DICOMWaveformParser, path, LABEL)
    raw_meta = record.raw_metadata
    groups = [g for g in raw_meta.get("multiplex_groups") or [] if isinstance(g, dict)]
    n = len(record.leads[0].samples) if record.leads else 0
    rate = next((float(g["sampling_frequency"]) for g in groups
                 if g.get("samples") == n and g.get("sampling_frequency")), None)
    extra: dict[str, Any] = {}
    for key in ("sop_class_name", "modality", "accession_number", "study_description"):
        if raw_meta.get(key):
            extra[f"dicom_{key}"] = str(raw_meta[key])
    if groups:
        extra["dicom_multiplex_groups"] = [
            {k: g.get(k) for k in ("label", "channels", "samples", "sampling_frequency")} for g in groups
        ]
    return to_raw(record, path, LABEL, messages=messages, rate_hz=rate, extra=extra)


register(ReaderSpec(
    name="dicom",
    label=LABEL,
    extensions=(".dcm", ".dicom"),
    read=read_dicom,
    sniff=_sniff,
))
