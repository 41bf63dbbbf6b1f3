"""Reader registry: ``read_ecg(path)`` picks a reader by magic bytes, then by extension.

A reader module calls :func:`register` with a :class:`ReaderSpec`. Its ``read`` function gets the
path and the options and returns a :class:`~ecg_viewer.io.builder.RawEcg`; any exception it lets
escape that is not already a domain error is turned into :class:`CorruptFileError`, so callers
only ever see :class:`~ecg_viewer.core.errors.EcgReadError` for a bad file.
"""

from __future__ import annotations

import errno
import importlib
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import (
    BrokenLinkError,
    CorruptFileError,
    EcgFileNotFoundError,
    EcgPermissionError,
    EcgReadError,
    EmptyFileError,
    FileTooLargeError,
    NotAFileError,
    NotARegularFileError,
    UnsupportedFormatError,
)
from ecg_viewer.core.hashing import sha256_files
from ecg_viewer.core.messages import Bilingual
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io.builder import RawEcg, build_record
from ecg_viewer.io.library_text import library_said

log = logging.getLogger(__name__)

#: Files above this size are refused before reading (a 24-h Holter EDF is a few hundred MB).
MAX_FILE_BYTES = 1 << 30
SNIFF_BYTES = 4096


@dataclass(frozen=True)
class ReaderSpec:
    name: str  # short id used as EcgRecord.format, e.g. "wfdb"
    label: str  # human name for messages and the format table, e.g. "WFDB (PhysioNet)"
    extensions: tuple[str, ...]  # lower-case, with dot
    read: Callable[[Path, dict[str, Any]], RawEcg]
    # True when the first bytes (and the path) say the file is this format
    sniff: Callable[[bytes, Path], bool] | None = None
    # the human name in Japanese where ``label`` has English words in it ("" = the same)
    label_ja: str = ""
    # ``sniff`` goes by the file's name more than its bytes (a WFDB ``.hea`` is plain text with
    # no magic): it is asked only after every other reader's sniff has looked at the bytes
    sniff_by_name: bool = False

    @property
    def shown_label(self) -> Bilingual:
        """``label`` in the language of the message it is shown in."""
        return Bilingual(self.label_ja or self.label, self.label)


_READERS: dict[str, ReaderSpec] = {}

# Reader modules, imported on first use so that importing ecg_viewer.io stays cheap.
READER_MODULES = (
    "ecg_viewer.io.wfdb_reader",
    "ecg_viewer.io.csv_reader",
    "ecg_viewer.io.mfer_reader",
    "ecg_viewer.io.scp_reader",
    "ecg_viewer.io.dicom_reader",
    "ecg_viewer.io.edf_reader",
    "ecg_viewer.io.hl7aecg_reader",
    "ecg_viewer.io.philips_reader",
    "ecg_viewer.io.muse_reader",
)
_loaded = False


def register(spec: ReaderSpec) -> ReaderSpec:
    _READERS[spec.name] = spec
    return spec


def readers() -> list[ReaderSpec]:
    _load_builtin()
    return list(_READERS.values())


def supported_extensions() -> list[str]:
    return sorted({e for r in readers() for e in r.extensions})


def _load_builtin() -> None:
    global _loaded
    if not _loaded:
        for mod in READER_MODULES:
            importlib.import_module(mod)
        _loaded = True


def _check_path(path: Path, max_bytes: int) -> int:
    return check_file(path, max_bytes)


_READABLE_FILE = Bilingual("読み取り可能なファイル", "a readable file")


def _os_error(exc: OSError) -> Bilingual:
    """The system's text for ``exc`` (English, untranslatable), wrapped for a Japanese message."""
    en = str(exc)
    return Bilingual(f"読み取りエラー（{en}）", en)


def _refuse_broken_link(path: Path, shown: Path | str) -> None:
    """:class:`BrokenLinkError` when ``path`` is a symbolic link whose target is missing."""
    try:
        target = os.readlink(path)
    except OSError:  # no link: the file itself is missing
        return
    where = os.path.normpath(os.path.join(path.parent, target))
    raise BrokenLinkError(shown, expected=Bilingual("リンク先のファイル", "the linked file"),
                          found=Bilingual(f"リンク先: {where}", f"points to {where}")) from None


def check_file(path: Path, max_bytes: int = MAX_FILE_BYTES, *, record: Path | None = None) -> int:
    """The size of ``path`` once it is known to be a readable, non-empty regular file of at most
    ``max_bytes``; a domain error otherwise. ``record``: the file the user opened, when ``path``
    is a file that record refers to (a WFDB signal file), so the message names both. Only
    ``stat`` is used: a FIFO or a device is refused before anything opens it (it would block)."""
    shown: Path | str = path if record is None else f"{record} -> {path.name}"
    try:
        st = path.stat()
    except FileNotFoundError:
        _refuse_broken_link(path, shown)
        raise EcgFileNotFoundError(shown, expected=Bilingual("存在するファイル", "an existing file"),
                                   found=Bilingual("該当するファイルなし", "no such file")) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BrokenLinkError(shown, expected=Bilingual("リンク先のファイル", "the linked file"),
                                  found=Bilingual("リンクが循環しています", "a loop of links")) from None
        raise EcgPermissionError(shown, expected=_READABLE_FILE, found=_os_error(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise NotAFileError(shown, expected=Bilingual("ファイル", "a file"),
                            found=Bilingual("フォルダー", "a folder"))
    if not stat.S_ISREG(st.st_mode):
        kind = (Bilingual("名前付きパイプ（FIFO）", "a FIFO (named pipe)") if stat.S_ISFIFO(st.st_mode) else
                Bilingual("ソケット", "a socket") if stat.S_ISSOCK(st.st_mode) else
                Bilingual("デバイスまたは特殊ファイル", "a device or special file"))
        raise NotARegularFileError(shown, expected=Bilingual("通常のファイル", "a regular file"),
                                   found=kind)
    size = st.st_size
    if size == 0:
        raise EmptyFileError(shown, expected=Bilingual("心電図データ", "ECG data"),
                             found=Bilingual("0 バイト", "0 bytes"))
    if size > max_bytes:
        raise FileTooLargeError(shown, size_bytes=size, limit_bytes=max_bytes)
    if not os.access(path, os.R_OK):
        raise EcgPermissionError(shown, expected=_READABLE_FILE,
                                 found=Bilingual("読み取り権限なし", "no read permission"))
    return size


def detect_format(path: str | os.PathLike[str], head: bytes | None = None) -> ReaderSpec | None:
    """The reader for ``path``: magic bytes first, then the extension; None if no reader fits.
    A sniff that goes by the name (``sniff_by_name``) comes after those that read the bytes: a
    DICOM, MFER, SCP-ECG, EDF or ECG XML file named ``.hea`` is read by its content (QA 65)."""
    path = Path(path)
    if head is None:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    specs = readers()
    for spec in sorted(specs, key=lambda s: s.sniff_by_name):  # stable: registration order kept
        if spec.sniff is not None:
            try:
                if spec.sniff(head, path):
                    return spec
            except Exception:  # a sniffer must never break detection
                log.warning("sniffer %s failed on %s", spec.name, path, exc_info=True)
    ext = path.suffix.lower()
    for spec in specs:
        if ext in spec.extensions:
            return spec
    return None


def read_ecg(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = MAX_FILE_BYTES,
    **options: Any,
) -> EcgRecord:
    """Read an ECG file of any supported format into an :class:`EcgRecord`.

    Options are passed to the reader (e.g. ``fs_hz=500`` for a CSV without a rate column).
    Raises a subclass of :class:`EcgReadError` (a ``ValueError``) for anything that is not a
    readable ECG; the message names the file, what was expected and what was found.
    """
    path = Path(path)
    _check_path(path, max_bytes)
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise EcgPermissionError(path, expected=_READABLE_FILE, found=_os_error(exc)) from exc
    spec = detect_format(path, head)
    if spec is None:
        shown = [r.shown_label for r in readers()]
        labels = Bilingual("、".join(n.ja for n in shown), ", ".join(n.en for n in shown))
        # the first bytes in hex (QA 43: b'\x89PNG\r\n…' was read by the notice strip as a path
        # and shown garbled)
        first = head[:8].hex(" ") or "—"
        found_en = f"extension {path.suffix or '(none)'!r}, first bytes {first}"
        ext_ja = f"拡張子 {path.suffix!r}" if path.suffix else "拡張子なし"
        raise UnsupportedFormatError(
            path, expected=labels, found=Bilingual(f"{ext_ja}、先頭のバイト列 {first}", found_en)
        )
    try:
        raw = spec.read(path, options)
        files = [Path(f) for f in raw.source_files] or [path]
        return build_record(raw, path=path, format=spec.name, sha256=sha256_files(files))
    except EcgReadError:
        raise
    except MemoryError as exc:
        raise CorruptFileError(path, expected=Bilingual(f"読み込み可能な {spec.shown_label.ja} ファイル",
                                                        f"a readable {spec.label} file"),
                               found=Bilingual("メモリに収まらない量のデータ",
                                               "more data than fits in memory"),
                               format=spec.shown_label) from exc
    except Exception as exc:  # any parser failure on a bad file becomes the domain error
        log.debug("reader %s failed on %s", spec.name, path, exc_info=True)
        why = f"{type(exc).__name__}: {exc}"[:300]  # a library's text: English only
        raise CorruptFileError(path, expected=Bilingual(f"正しい {spec.shown_label.ja} ファイル",
                                                        f"a valid {spec.label} file"),
                               found=library_said("読み込みエラー", why),
                               format=spec.shown_label) from exc
