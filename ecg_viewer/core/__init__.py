"""Qt-free, torch-free core: the ECG record, lead names, messages and domain errors."""

from ecg_viewer.core.errors import (
    EcgError,
    EcgReadError,
    EmptyFileError,
    FileTooLargeError,
    InvalidSignalError,
    NoWaveformError,
    UnsupportedFormatError,
)
from ecg_viewer.core.leads import CANONICAL_LEADS, canonical_lead_name
from ecg_viewer.core.record import EcgMeta, EcgRecord

__all__ = [
    "CANONICAL_LEADS",
    "EcgError",
    "EcgMeta",
    "EcgReadError",
    "EcgRecord",
    "EmptyFileError",
    "FileTooLargeError",
    "InvalidSignalError",
    "NoWaveformError",
    "UnsupportedFormatError",
    "canonical_lead_name",
]
