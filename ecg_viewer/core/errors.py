"""Domain errors. Each subclasses a built-in so callers can catch broadly; each carries a
message-table key and its parameters (for a read error: the file, what was expected, what was
found) and is rendered in the user's language where it is shown (:func:`user_message`)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ecg_viewer.core.messages import MESSAGES, Bilingual, Localized, Reason, tr


class EcgError(Localized, Exception):
    """Base of all ecg-viewer domain errors: a message-table key and its parameters, rendered in
    the language of the moment it is shown (:meth:`message`), not when it is raised.

    ``EcgError(key, **params)``; a subclass may fix its key in ``message_key`` and pass none.
    ``detail`` (technical, language-neutral) is appended in both languages. ``str(exc)`` is the
    English text (for logs)."""

    message_key = ""
    detail = ""

    def __init__(self, key: str = "", /, **params: object) -> None:
        key = key or self.message_key
        if key not in MESSAGES:
            raise KeyError(f"message key {key!r} is not in the message table")
        self.key = self.message_key = key
        self.params = params
        super().__init__(key)
        for lang in ("ja", "en"):  # a missing parameter fails here, not where it is shown
            tr(key, lang, **params)

    def message(self, lang: str | None = None) -> str:
        """The text for a person, in ``lang`` ("ja"/"en"; default: the current language)."""
        text = tr(self.key, lang, **self.params)
        return f"{text} [{self.detail}]" if self.detail else text

    def text(self, lang: str | None = None) -> str:
        return self.message(lang)

    @property
    def message_ja(self) -> str:
        return self.message("ja")

    @property
    def message_en(self) -> str:
        return self.message("en")

    def __str__(self) -> str:
        return self.message("en")

    @classmethod
    def wrapping(cls, exc: EcgError) -> EcgError:
        """A ``cls`` that says what ``exc`` says (same key, parameters and detail)."""
        return _rebuild(cls, dict(exc.__dict__))

    def __reduce__(self) -> tuple[object, ...]:  # survives pickling (worker processes)
        return (_rebuild, (type(self), dict(self.__dict__)))


def _rebuild(cls: type[EcgError], state: dict[str, object]) -> EcgError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, state.get("key", ""))
    exc.__dict__.update(state)
    return exc


class EcgReadError(EcgError, ValueError):
    """A file could not be read as an ECG. Subclasses say why."""

    message_key = "read.corrupt"

    def __init__(
        self,
        file: str | Path,
        *,
        expected: str | Localized = "",
        found: str | Localized = "",
        format: str | Localized = "",
        detail: str = "",
    ) -> None:
        # ``expected``/``found`` say what the reader wanted and met; a Bilingual one is shown in
        # the language of the message (a Japanese message has no English detail), the
        # attributes keep the English text (logs, tests)
        self.file = str(file)
        self.expected = _english(expected)
        self.found = _english(found)
        self.format = _english(format)
        params = {"file": self.file, "expected": expected, "found": found, "format": format or "ECG"}
        params.update(self._extra_params())
        super().__init__(self.message_key, **params)
        if detail:
            self.detail = detail

    def _extra_params(self) -> dict[str, object]:
        return {}


def _cut(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _english(text: str | Localized) -> str:
    return text.text("en") if isinstance(text, Localized) else text


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


class BrokenLinkError(EcgFileNotFoundError):
    """A symbolic link whose target is missing (or a loop of links): the name is there, the
    file is not; not a passing failure (QA 51: ``batch`` retried ``moved.mwf`` on every run)."""

    message_key = "read.broken_link"


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
            expected=Bilingual(f"{limit_bytes} バイト以下", f"at most {limit_bytes} bytes"),
            found=Bilingual(f"{size_bytes} バイト", f"{size_bytes} bytes"),
        )

    def _extra_params(self) -> dict[str, object]:
        return {"size_mb": self.size_bytes / 2**20, "limit_mb": self.limit_bytes / 2**20}


class SamplingRateRequiredError(EcgReadError):
    message_key = "read.csv_needs_rate"


class NotARegularFileError(NotAFileError):
    """A FIFO, socket or device: not a folder, and never opened (a FIFO would block)."""

    message_key = "read.not_regular_file"


class HeaderValueError(CorruptFileError):
    """A header number (rate, gain, baseline, scale, unit, sample count) that does not parse, is
    not finite or lies outside its plausible range. Never replaced by a default."""

    message_key = "read.bad_header_value"

    def __init__(self, file: str | Path, *, field: str | Localized, value: object,
                 expected: str | Localized, format: str | Localized = "") -> None:
        # ``field``: the file's own name for it (a tag, kept as is) or a description, which is
        # Bilingual like ``expected``; the attribute keeps the English
        # ``value``: the file's text (cut to 40 characters), or a Bilingual description where
        # there is no one value to quote ("one row")
        self._field = field
        self.field = _english(field)
        self._value = value if isinstance(value, Localized) else _cut(str(value))
        self.value = _cut(_english(value) if isinstance(value, Localized) else str(value))
        super().__init__(file, expected=expected, found=f"{self.field} = {self.value!r}",
                         format=format)

    def _extra_params(self) -> dict[str, object]:
        return {"field": self._field, "value": self._value}


class ImplausibleAmplitudeError(InvalidSignalError):
    """Samples beyond the physiological range after scaling (a wrong gain or scale)."""

    message_key = "read.implausible_amplitude"

    def __init__(self, file: str | Path, *, lead: str, peak_mv: float, limit_mv: float,
                 format: str | Localized = "") -> None:
        self.lead = lead
        self.peak_mv = peak_mv
        self.limit_mv = limit_mv
        super().__init__(file, expected=Bilingual(f"±{limit_mv:g} mV 以内のサンプル値",
                                                  f"samples within ±{limit_mv:g} mV"),
                         found=Bilingual(f"{lead} 誘導で {peak_mv:.3g} mV",
                                         f"{peak_mv:.3g} mV in lead {lead}"), format=format)

    def _extra_params(self) -> dict[str, object]:
        return {"lead": self.lead, "peak_mv": f"{self.peak_mv:.3g}", "limit_mv": f"{self.limit_mv:g}"}


class TooManySamplesError(EcgReadError):
    """A record whose samples would not fit the memory budget (checked before reading)."""

    message_key = "read.too_many_samples"

    def __init__(self, file: str | Path, *, n_values: int, limit_values: int, format: str | Localized = "") -> None:
        self.n_values = n_values
        self.limit_values = limit_values
        super().__init__(file, expected=Bilingual(f"合計 {limit_values} サンプル以下",
                                                  f"at most {limit_values} samples in all"),
                         found=Bilingual(f"{n_values} サンプル", f"{n_values} samples"),
                         format=format)

    def _extra_params(self) -> dict[str, object]:
        return {"n_values": self.n_values, "limit_values": self.limit_values}


#: errno -> the message key of its reason: the system's own text is English only (QA 51:
#: 「…: /proc/x.jsonl（No such file or directory）」 in a Japanese message)
_OS_REASONS = {
    errno.ENOENT: "error.os.enoent",
    errno.EACCES: "error.os.eacces",
    errno.EPERM: "error.os.eperm",
    errno.EROFS: "error.os.erofs",
    errno.ENOSPC: "error.os.enospc",
    errno.EDQUOT: "error.os.edquot",
    errno.EFBIG: "error.os.efbig",
    errno.EISDIR: "error.os.eisdir",
    errno.ENOTDIR: "error.os.enotdir",
    errno.EEXIST: "error.os.eexist",
    errno.EBUSY: "error.os.ebusy",
    errno.EIO: "error.os.eio",
    errno.ENAMETOOLONG: "error.os.enametoolong",
    errno.ELOOP: "error.os.eloop",
    errno.EMFILE: "error.os.emfile",
    errno.EAGAIN: "error.os.eagain",
    errno.EINVAL: "error.os.einval",
}


def os_reason(exc: OSError) -> Localized | str:
    """The reason of an OS error for a message, in the language it is shown in: the system's
    text of a known errno from the message table; a text of our own (``OSError(EIO, "size on
    disk ...")``) or an errno the table lacks as the system gives it."""
    key = _OS_REASONS.get(exc.errno) if exc.errno is not None else None
    system = os.strerror(exc.errno) if exc.errno is not None else None
    if key is not None and exc.strerror in (None, system):
        return Reason.of(key)
    return exc.strerror or type(exc).__name__


def user_message(exc: BaseException, lang: str | None = None) -> str:
    """What a person is shown for ``exc`` in ``lang`` (default: the current language): a domain
    error's own text, an OS error's reason and file, anything else as an unexpected error (the
    details belong in the log, which the caller writes)."""
    from ecg_viewer.core.messages import language

    lang = lang or language()
    if isinstance(exc, EcgError):
        return exc.message(lang)
    if isinstance(exc, OSError):
        return tr("error.os", lang, reason=os_reason(exc), file=exc.filename or "-")
    return tr("ui.unexpected", lang)  # no class name ("ValueError") for a person (QA 67)
