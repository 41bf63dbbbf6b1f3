"""Domain errors. Each subclasses a built-in so callers can catch broadly, and each carries the
file, what was expected, what was found, and a Japanese text for the UI (``message_ja``)."""

from __future__ import annotations

from pathlib import Path

from ecg_viewer.core.messages import tr


class EcgError(Exception):
    """Base of all ecg-viewer domain errors (never raised directly)."""

    message_key = ""

    def __init__(self, message: str, *, message_ja: str | None = None) -> None:
        super().__init__(message)
        self.message_en = message
        self.message_ja = message_ja or message

    def user_message(self, lang: str = "ja") -> str:
        return self.message_en if lang == "en" else self.message_ja


class EcgReadError(EcgError, ValueError):
    """A file could not be read as an ECG. Subclasses say why."""

    message_key = "read.corrupt"

    def __init__(
        self,
        file: str | Path,
        *,
        expected: str = "",
        found: str = "",
        format: str = "",
        detail: str = "",
    ) -> None:
        self.file = str(file)
        self.expected = expected
        self.found = found
        self.format = format
        params = {"file": self.file, "expected": expected, "found": found, "format": format or "ECG"}
        params.update(self._extra_params())
        en = tr(self.message_key, "en", **params)
        ja = tr(self.message_key, "ja", **params)
        if detail:
            en = f"{en} [{detail}]"
        super().__init__(en, message_ja=ja)

    def _extra_params(self) -> dict[str, object]:
        return {}


class UnsupportedFormatError(EcgReadError):
    message_key = "read.unsupported"


class EmptyFileError(EcgReadError):
    message_key = "read.empty"


class NoWaveformError(EcgReadError):
    message_key = "read.no_waveform"


class InvalidSignalError(EcgReadError):
    """The waveform exists but is unusable: NaN/inf, length mismatch, no samples."""

    message_key = "read.bad_signal"


class CorruptFileError(EcgReadError):
    message_key = "read.corrupt"


class EcgFileNotFoundError(EcgReadError, FileNotFoundError):
    message_key = "read.not_found"


class NotAFileError(EcgReadError, IsADirectoryError):
    message_key = "read.is_directory"


class EcgPermissionError(EcgReadError, PermissionError):
    message_key = "read.permission"


class FileTooLargeError(EcgReadError):
    message_key = "read.too_large"

    def __init__(self, file: str | Path, *, size_bytes: int, limit_bytes: int) -> None:
        self.size_bytes = size_bytes
        self.limit_bytes = limit_bytes
        super().__init__(
            file,
            expected=f"at most {limit_bytes} bytes",
            found=f"{size_bytes} bytes",
        )

    def _extra_params(self) -> dict[str, object]:
        return {"size_mb": self.size_bytes / 2**20, "limit_mb": self.limit_bytes / 2**20}


class SamplingRateRequiredError(EcgReadError):
    message_key = "read.csv_needs_rate"
