"""ECG file readers. ``read_ecg(path)`` is the one entry point."""

from ecg_viewer.io.builder import Channel, RawEcg
from ecg_viewer.io.registry import (
    ReaderSpec,
    detect_format,
    read_ecg,
    readers,
    register,
    supported_extensions,
)

__all__ = [
    "Channel",
    "RawEcg",
    "ReaderSpec",
    "detect_format",
    "read_ecg",
    "readers",
    "register",
    "supported_extensions",
]
