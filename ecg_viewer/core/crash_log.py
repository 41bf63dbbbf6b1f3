"""The error log: where the catch-alls write the traceback of anything unexpected, so that the
terminal and the window show one line and the details are still kept for support.

``<data folder>/logs/errors.log`` (the review database's folder: ``$ECG_VIEWER_DATA_DIR`` or the
platform's per-user data folder); a log over 1 MB is renamed to ``errors.log.1`` first.
Writing the log never raises.

:func:`log_file`: while a command (or the window) runs, the project's own log records from INFO
up are appended to ``<data folder>/logs/ecg-viewer.log`` (two files of at most 1 MB): the
details a command sums up in one line on the terminal (QA 51: the unreadable candidates of the
prior search), which the terminal shows only from WARNING up.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

DATA_DIR_ENV = "ECG_VIEWER_DATA_DIR"
_MAX_BYTES = 1_000_000


def log_dir() -> Path:
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser() / "logs"
    try:
        import platformdirs

        return Path(platformdirs.user_data_dir("ecg-viewer", appauthor=False)) / "logs"
    except ImportError:
        return Path(tempfile.gettempdir()) / "ecg-viewer-logs"


def write_crash_log(exc: BaseException, context: str = "") -> Path | None:
    """Append the traceback of ``exc`` (with time, context and the command line) to the error
    log; returns its path, or None when no log could be written anywhere."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    entry = (f"=== {datetime.now(UTC).isoformat(timespec='seconds')} {context}\n"
             f"argv: {sys.argv!r}\n{text}\n")
    for folder in (log_dir(), Path(tempfile.gettempdir()) / "ecg-viewer-logs"):
        path = folder / "errors.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if path.exists() and path.stat().st_size > _MAX_BYTES:
                os.replace(path, path.with_name("errors.log.1"))
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(entry)
            return path
        except OSError:
            continue
    return None


LOG_FILE_NAME = "ecg-viewer.log"
_open_logs: list[Path] = []  # the log files of :func:`log_file` now open, innermost last


class _LogFileHandler(logging.handlers.RotatingFileHandler):
    """Opened at the first record (no empty file, no folder made for nothing); a log that
    cannot be written is left unwritten, never an error on the terminal."""

    def __init__(self, path: Path) -> None:
        # a file name in Shift_JIS bytes (surrogates) is written escaped, not dropped with its
        # line (QA 53: 「詳細はログ」 sent the reader to an empty log)
        super().__init__(path, maxBytes=_MAX_BYTES, backupCount=1, encoding="utf-8", delay=True,
                         errors="backslashreplace")

    def _open(self):  # type: ignore[no-untyped-def]
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:
        pass


@contextmanager
def log_file(level: int = logging.INFO) -> Iterator[Path]:
    """While open, the records of the ``ecg_viewer`` loggers from ``level`` up are appended to
    the log file (its path is yielded); the loggers' level is lowered to ``level`` meanwhile,
    so handlers that show less (the terminal's) must have a level of their own."""
    path = log_dir() / LOG_FILE_NAME
    handler = _LogFileHandler(path)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("ecg_viewer")
    before = logger.level
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    logger.addHandler(handler)
    _open_logs.append(path)
    try:
        yield path
    finally:
        _open_logs.remove(path)
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(before)


def current_log_file() -> Path | None:
    """The log file :func:`log_file` writes now, once something is in it; else None."""
    path = _open_logs[-1] if _open_logs else None
    return path if path is not None and path.is_file() else None
